/* internal.h: what the files of the web module share; not for other
 * modules. */
#ifndef NABA_WEB_INTERNAL_H
#define NABA_WEB_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdatomic.h>

#include "web/web.h"

enum { WEB_ENC_IDENTITY = 0, WEB_ENC_GZIP = 1, WEB_ENC_BR = 2, WEB_ENC_N = 3 };

/* Brotli qualities: a miss is compressed fast, on the request's own time
 * (quality 5: on our article page 0.7 ms, 10% smaller than gzip -6 and
 * faster; quality 9 took 8 ms); a page that proves hot (WEB_HOT_HITS
 * brotli bodies sent from the cache) is compressed once more at the best
 * quality (45 ms, 11% smaller again) by the cache's own low-priority
 * thread. The quality is part of the ETag ("…-br5", "…-br11"): the bytes
 * differ. */
#define WEB_BR_FAST 5
#define WEB_BR_BEST 11
#define WEB_HOT_HITS 8

/* What the cache charges for what malloc and libmicrohttpd keep beside
 * the bytes themselves: per allocation, per header, per response. */
#define WEB_ALLOC_OVERHEAD 16
#define WEB_HEADER_OVERHEAD 64
#define WEB_RESPONSE_OVERHEAD 512

/* A response ready to be sent many times: a cached page or an asset. The
 * compressed variants are made the first time a client asks for them. */
typedef struct web_entry {
  char *key;  /* path */
  char *tags; /* space-separated, with a leading and trailing space */
  char *body;
  size_t len;
  char etag[40]; /* quoted, identity; variants append -gz / -br<quality> */
  char *content_type;
  const char *cache_control;
  int status;
  int64_t last_modified;
  int64_t expires_at; /* 0: until invalidated */
  int retry_after;    /* seconds, for a Retry-After header; 0: none */
  int compressible;
  _Atomic(struct MHD_Response *) resp[WEB_ENC_N];
  size_t cost[WEB_ENC_N]; /* bytes each response holds, headers included */
  atomic_int br_best;     /* resp[WEB_ENC_BR] is the WEB_BR_BEST one */
  atomic_uint hits;       /* brotli bodies sent from the cache */
  pthread_mutex_t lock;   /* serialises making a variant */
  /* Everything the entry holds: strings, body, every variant with its
   * headers. Grows when a variant is made; charged to *account too once
   * the entry is in a cache. */
  _Atomic size_t bytes;
  _Atomic(_Atomic size_t *) account;
  atomic_int referenced; /* CLOCK bit for eviction */
} web_entry;

/* Makes an entry; takes ownership of body (malloc'd). NULL on no memory. */
web_entry *web_entry_new(const char *key, int status, const char *ctype,
                         const char *cache_control, char *body, size_t len,
                         int64_t last_modified, const char *tags);
void web_entry_free(web_entry *e);
/* Adds Retry-After: seconds to e (an error's entry, never cached). */
void web_entry_retry_after(web_entry *e, int seconds);
/* Queues the entry on a connection, answering conditional requests with a
 * 304 and picking the encoding the client accepts. */
enum MHD_Result web_entry_send(struct MHD_Connection *c, web_entry *e,
                               int *status);
/* The response for an encoding, compressed (fast) on first use; NULL on
 * no memory. Exposed for the tests. */
struct MHD_Response *web_entry_variant(web_entry *e, int enc);

/* The page cache: path -> entry, with tags for invalidation. */
typedef struct web_cache web_cache;
web_cache *web_cache_new(size_t budget);
void web_cache_free(web_cache *c);
/* Sends the cached entry for key if there is one; returns 1 if it did. */
int web_cache_send(web_cache *c, const char *key, struct MHD_Connection *conn,
                   enum MHD_Result *result, int *status);
/* Inserts (replacing an entry of the same key); takes ownership of e.
 * gen is web_cache_generation() read before the page was rendered: if a
 * tag of the page was dropped since, it may be stale and is not kept. */
void web_cache_put(web_cache *c, web_entry *e, uint64_t gen);
uint64_t web_cache_generation(web_cache *c);
/* Single flight for a missed key: 1 when the caller is now the one to
 * render it (it must call web_cache_release); -1 when it waited for
 * another thread's render (look the key up again); 0 when neither (too
 * many renders in flight): render without claiming. */
int web_cache_claim(web_cache *c, const char *key);
void web_cache_release(web_cache *c, const char *key);
void web_cache_drop_tag(web_cache *c, const char *tag);
size_t web_cache_size(web_cache *c);
/* What the cache holds, as charged against its budget. */
size_t web_cache_bytes(web_cache *c);
size_t web_cache_budget(web_cache *c);
int web_cache_contains(web_cache *c, const char *key);

/* Finds the asset served at this /static/ path. */
web_entry *web_assets_find(const web_assets *a, const char *path);

int web_gzip(const char *in, size_t n, char **out, size_t *outlen);
int web_brotli(const char *in, size_t n, int quality, char **out,
               size_t *outlen);
int web_is_compressible(const char *content_type);

/* headers.c: the Content-Security-Policy every HTML response carries,
 * and the one of a personal page that runs the site's own scripts
 * (web_response.scripts). */
extern const char web_csp[];
extern const char web_csp_scripts[];
/* Adds a header; returns the bytes it takes, for the cache's budget. */
size_t web_add_header(struct MHD_Response *r, const char *name,
                      const char *value);
/* Adds the headers every response carries (nosniff, Referrer-Policy) and,
 * for HTML, the Content-Security-Policy with frame-ancestors; returns
 * the bytes they take. */
size_t web_security_headers(struct MHD_Response *r, const char *ctype);
/* The same, with web_csp_scripts when scripts is 1. */
size_t web_security_headers_scripts(struct MHD_Response *r, const char *ctype,
                                    int scripts);

/* ---- guard.c: limits per client address and per connection ---- */
typedef struct {
  unsigned char b[16]; /* IPv6, or IPv4 as ::ffff:a.b.c.d */
} web_addr;
void web_addr_from(const struct sockaddr *sa, web_addr *out);

/* The kinds of limits, one rate-limited log line each. */
enum {
  WEB_LIMIT_PER_ADDRESS,
  WEB_LIMIT_HEADER_TIME,
  WEB_LIMIT_SLOW_CLIENT,
  WEB_LIMIT_SLOW_QUEUE,
  WEB_LIMIT_QUERY_ARGS,
  WEB_LIMIT_FRAMING,
  WEB_LIMIT_N
};

typedef struct web_guard web_guard;
typedef struct web_conn web_conn;
/* max_per_address 0: no limit; header_timeout_ms 0: no deadline (no
 * reaper thread). Free with web_guard_free() after the daemons stop. */
int web_guard_new(int max_per_address, int header_timeout_ms, web_guard **out);
void web_guard_free(web_guard *g);
/* libmicrohttpd's accept policy and connection notifier; cls is the
 * guard. */
enum MHD_Result web_guard_accept(void *cls, const struct sockaddr *sa,
                                 socklen_t len);
void web_guard_notify(void *cls, struct MHD_Connection *c,
                      void **socket_context,
                      enum MHD_ConnectionNotificationCode code);
/* The connection's guard record (NULL when it could not be made). */
web_conn *web_conn_of(struct MHD_Connection *c);
const web_addr *web_conn_addr(const web_conn *wc);
/* Starts (waiting 1: after a request, before the first) or ends (0: the
 * headers arrived) the header deadline. Any thread; wc may be NULL. */
void web_conn_waiting(web_conn *wc, int waiting);
/* Counts one more slow request for address a: NB_ETOOBIG when it has max
 * (0: no limit) already. Each NB_OK is matched by one leave. */
int web_guard_slow_enter(web_guard *g, const web_addr *a, int max);
void web_guard_slow_leave(web_guard *g, const web_addr *a);
/* Logs that a limit was hit, by a (may be NULL): at most one line per
 * kind every 10 s, saying how many went unlogged since. */
void web_guard_note(web_guard *g, int kind, const web_addr *a);

#endif
