/* web: the HTTP server glue on libmicrohttpd.
 *
 * Owns everything between the socket and a handler: request limits, method
 * and path checks, the page cache with its tags, conditional requests
 * (ETag, Last-Modified, 304), compression (gzip and brotli, made once per
 * cached page), static assets with content-hashed names, the access log and
 * graceful shutdown. A handler is a plain function that fills a
 * web_response from a web_request; it never sees libmicrohttpd.
 *
 * The program calls sodium_init() once before using this module (naba's
 * main does; so do its tests). */
#ifndef NABA_WEB_H
#define NABA_WEB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"

/* Request line + headers: libmicrohttpd keeps them in a per-connection pool
 * of this size and zeroes the pool before every request (at 32 KiB that
 * memset was a tenth of a cached page's CPU). nginx allows 4 x 8 KiB. */
#define WEB_MAX_HEADER_BYTES (16 * 1024)
#define WEB_MAX_BODY_BYTES (1024 * 1024)
#define WEB_MAX_PATH_BYTES 2048
/* Query arguments in one request ("a=1&b=2" is two); over: 414. */
#define WEB_MAX_QUERY_ARGS 100

/* ---- forms ---- */
#define WEB_FORM_MAX_FIELDS 64
#define WEB_FORM_MAX_NAME 64

typedef struct {
  const char *name;
  const char *value; /* decoded, valid UTF-8, NUL-terminated */
  size_t len;        /* strlen(value): NUL bytes are refused */
} web_field;

/* Decodes an application/x-www-form-urlencoded body ("a=1&b=x+y%20z").
 * Strings are allocated from the arena. Refuses (NB_EINVAL, with a reason
 * naming the field in err) malformed percent escapes, NUL bytes, values
 * that are not UTF-8, names over WEB_FORM_MAX_NAME bytes; NB_ETOOBIG over
 * WEB_FORM_MAX_FIELDS fields. A repeated name keeps its first value. */
int web_form_parse(const char *body, size_t n, arena_t *a, web_field **out,
                   size_t *nout, char *err, size_t errlen);
/* The same, but a value that is not UTF-8 has each bad byte replaced by
 * U+FFFD and *repaired set, instead of refusing the form (names still
 * must be UTF-8): for a form whose text must never be lost to a refusal. */
int web_form_parse_repair(const char *body, size_t n, arena_t *a,
                          web_field **out, size_t *nout, int *repaired,
                          char *err, size_t errlen);
/* The value of field `name`, or NULL. */
const char *web_form_get(const web_field *f, size_t n, const char *name);

typedef struct web_request web_request;

/* What the handler sees. Strings live until the request ends. */
struct web_request {
  const char *method;    /* "GET", "HEAD" or "POST" (others: web says 405) */
  const char *path;      /* percent-decoded, valid UTF-8, starts with "/" */
  const char *client_ip; /* the peer's address ("" if unknown) */
  arena_t *arena;        /* freed when the request ends */
  /* POST with an application/x-www-form-urlencoded body: its fields, or
   * form_rc < 0 and form_err saying why it could not be decoded. */
  const web_field *form;
  size_t nform;
  int form_rc;
  const char *form_err;
  /* When form_rc < 0 because a value was not UTF-8: the fields with their
   * bad bytes as U+FFFD (web_form_parse_repair), else NULL. */
  const web_field *form_repaired;
  size_t nform_repaired;
  void *conn; /* private to web */
};

/* A query argument or request header, NULL when absent. */
const char *web_query(const web_request *r, const char *key);
const char *web_header(const web_request *r, const char *name);
const char *web_cookie(const web_request *r, const char *name);

/* 1 when a POST was sent from a page of this site (site_url, or the Host
 * the browser addressed), by Fetch Metadata (Sec-Fetch-Site), else Origin,
 * else Referer; a request with none of them passes (see origin.c). 0
 * otherwise, *why naming the header that refused. */
int web_from_our_pages(const web_request *req, const char *site_url,
                       const char **why);

/* ---- signed tokens: "payload.signature", keyed BLAKE2b-256 ---- */
#define WEB_KEY_BYTES 32
/* Appends payload "." base64url(signature) to out. */
void web_sign(const unsigned char key[WEB_KEY_BYTES], const char *payload,
              buf_t *out);
/* The payload of a token signed with key (an arena copy), or NULL when the
 * signature does not match (compared in constant time). */
const char *web_verify(const unsigned char key[WEB_KEY_BYTES],
                       const char *token, arena_t *a);

typedef struct {
  int status;               /* 200 when left 0 */
  const char *content_type; /* "text/html; charset=utf-8" when NULL */
  buf_t body;
  const char *location; /* Location header (redirects) */
  /* Space-separated cache tags ("article:42 section:7 home"). Non-NULL
   * makes a GET response cacheable under its path (query ignored). */
  const char *tags;
  int64_t last_modified;  /* Unix seconds; 0: now */
  int ttl;                /* cached at most this many seconds; 0: until
                             invalidated */
  const char *set_cookie; /* one Set-Cookie header value, or NULL */
  int personal;           /* shown to this visitor only: never cached,
                             Cache-Control: private, no-store */
  int retry_after;        /* seconds: sends Retry-After (a 503) and
                             Cache-Control: no-store; never cached */
  int scripts; /* a personal page that runs the site's own script files:
                  its CSP has script-src 'self' (never 'unsafe-inline') */
} web_response;

typedef void (*web_handler)(void *ctx, web_request *req, web_response *res);

/* ---- static assets ----
 * Every file under a folder, held in memory and served at
 * /static/<name>.<hash>.<ext> with immutable caching. url(...) references
 * between assets inside CSS files are rewritten to the hashed names. Any
 * other /static/ path is a 404: nothing outside the loaded set can be
 * served. */
typedef struct web_assets web_assets;

int web_assets_load(const char *dir, web_assets **out, char *err,
                    size_t errlen);
void web_assets_free(web_assets *a);
/* The hashed URL path of an asset by its name relative to the folder
 * ("style.css" -> "/static/style.1a2b3c4d.css"); NULL if there is none. */
const char *web_asset_url(const web_assets *a, const char *name);

/* ---- server ---- */
typedef struct {
  const char *address; /* "127.0.0.1" when NULL */
  int port;            /* 0 picks a free port (see web_server_port) */
  int threads;         /* one listening daemon per thread; 0: cores */
  FILE *access_log;    /* one line per request; NULL: none */
  size_t cache_bytes;  /* page cache budget; 0: 64 MiB */
  /* Requests carrying this cookie skip the cache lookup: the handler may
   * show them something personal. NULL: none. */
  const char *bypass_cookie;
  /* Requests with this query argument skip the page cache (NULL: none);
   * the site answers them itself (WordPress's /?p=ID short links). */
  const char *bypass_arg;
  /* Limits against one client taking the server from everyone else
   * (docs/security.md). 0 picks the default; negative turns one off. */
  int max_per_address;   /* open connections from one client address,
                            refused at accept over it; 0: 64 */
  int header_timeout_ms; /* to send a request line and its headers, and
                            the most a connection idles between
                            requests; 0: 10000 */
  /* GET and HEAD paths that start with one of these (a NULL-terminated
   * list, e.g. {"/search", NULL}; NULL: none) may take long: they run on
   * their own worker threads, never on the threads that send cached
   * pages. */
  const char *const *slow_prefixes;
  int slow_workers;    /* threads for them; 0: 2 */
  int slow_per_client; /* slow requests one address may have queued or
                          running; over it: 429 with Retry-After; 0: 4 */
  int slow_queue;      /* slow requests waiting for a thread; over it: 503
                          with Retry-After; 0: 64 */
  /* POSTs to paths under this prefix (NULL: none) may carry up to
   * large_post_bytes instead of WEB_MAX_BODY_BYTES (a smaller value is
   * raised to it): the newsroom's article form, whose own limit below it
   * then refuses a body too long with the form kept as typed. */
  const char *large_post_prefix;
  size_t large_post_bytes;
} web_config;

typedef struct web_server web_server;

/* Starts serving. assets may be NULL. The handler may run on several
 * threads at once. */
int web_server_start(const web_config *cfg, web_handler h, void *ctx,
                     const web_assets *assets, web_server **out, char *err,
                     size_t errlen);
int web_server_port(const web_server *s);
/* Serves this asset set from now on. The caller keeps the old one alive
 * until the server stops: a request in flight may still be using it. */
void web_server_set_assets(web_server *s, const web_assets *a);
/* The page, in the site's design, for the 429 (a client over its limit of
 * slow requests) and 503 (their queue full) web answers itself; html is
 * copied, NULL goes back to web's plain page. Other statuses are ignored.
 * Any thread. */
void web_server_set_error_page(web_server *s, int status, const char *html,
                               size_t len);
/* Drops cached pages that carry this tag ("*" drops them all). */
void web_cache_invalidate(web_server *s, const char *tag);
/* What the page cache holds now: its pages, the bytes charged against its
 * budget (bodies, every compressed variant, headers, keys, tags and the
 * table) and the budget. */
typedef struct {
  size_t pages, bytes, budget;
} web_cache_stats;
void web_server_cache_stats(web_server *s, web_cache_stats *out);
/* Stops accepting, lets requests in flight finish (up to timeout_ms),
 * then frees the server. */
void web_server_stop(web_server *s, int timeout_ms);

/* Exposed for the fuzz harness: 1 if If-None-Match value `inm` matches
 * `etag` (handles lists, W/ prefixes and "*"). */
int web_etag_matches(const char *inm, const char *etag);
/* Which encoding to send for an Accept-Encoding value: 2 br, 1 gzip, 0
 * identity. */
int web_pick_encoding(const char *accept_encoding);

#endif
