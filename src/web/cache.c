/* cache.c: ready-to-send responses (entries) and the tagged page cache.
 *
 * An entry holds libmicrohttpd response objects, which are reference
 * counted by libmicrohttpd: dropping an entry while a client is still being
 * sent its bytes is safe, the last user frees them. */
#include "web/internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xxhash.h>

static struct MHD_Response *make_response(web_entry *e, int enc, int best,
                                          char *z, size_t zn, size_t *cost);

/* Adds n to what e holds and, once e is in a cache, to the cache's count.
 * Called before e is in a cache or under the cache's lock (read lock:
 * the counts are atomic). */
static void charge(web_entry *e, size_t n) {
  atomic_fetch_add(&e->bytes, n);
  _Atomic size_t *account = atomic_load(&e->account);
  if (account)
    atomic_fetch_add(account, n);
}

static void discharge(web_entry *e, size_t n) {
  atomic_fetch_sub(&e->bytes, n);
  _Atomic size_t *account = atomic_load(&e->account);
  if (account)
    atomic_fetch_sub(account, n);
}

web_entry *web_entry_new(const char *key, int status, const char *ctype,
                         const char *cache_control, char *body, size_t len,
                         int64_t last_modified, const char *tags) {
  web_entry *e = calloc(1, sizeof *e);
  if (!e)
    goto fail;
  e->key = strdup(key);
  e->content_type = strdup(ctype);
  buf_t t = {0};
  buf_putc(&t, ' ');
  if (tags) {
    buf_puts(&t, tags);
    buf_putc(&t, ' ');
  }
  e->tags = buf_take(&t, NULL);
  if (!e->key || !e->content_type || !e->tags)
    goto fail;
  e->body = body;
  e->len = len;
  e->status = status;
  e->cache_control = cache_control;
  e->last_modified = last_modified;
  e->compressible = web_is_compressible(ctype) && len > 256;
  pthread_mutex_init(&e->lock, NULL);
  /* XXH3, not a digest: an ETag only has to change when the bytes do,
   * and this runs on every uncached render (SipHash and zlib's CRC-32 took
   * a tenth of one; XXH3 reads the page at memory speed). */
  snprintf(e->etag, sizeof e->etag, "\"%016llx\"",
           (unsigned long long)XXH3_64bits(body, len));
  atomic_store(&e->bytes, sizeof *e + strlen(e->key) + strlen(e->tags) +
                              strlen(e->content_type) + 3 +
                              4 * WEB_ALLOC_OVERHEAD + len);
  size_t cost = 0;
  atomic_store(&e->resp[WEB_ENC_IDENTITY],
               make_response(e, WEB_ENC_IDENTITY, 0, NULL, 0, &cost));
  e->cost[WEB_ENC_IDENTITY] = cost;
  charge(e, cost);
  if (!atomic_load(&e->resp[WEB_ENC_IDENTITY])) {
    web_entry_free(e);
    return NULL;
  }
  return e;
fail:
  if (e) {
    free(e->key);
    free(e->content_type);
    free(e->tags);
    free(e);
  }
  free(body);
  return NULL;
}

void web_entry_retry_after(web_entry *e, int seconds) {
  char secs[24];
  e->retry_after = seconds;
  snprintf(secs, sizeof secs, "%d", seconds);
  /* The identity response exists already; variants made later add it in
   * add_common_headers(). */
  size_t n = web_add_header(atomic_load(&e->resp[WEB_ENC_IDENTITY]),
                            MHD_HTTP_HEADER_RETRY_AFTER, secs);
  e->cost[WEB_ENC_IDENTITY] += n;
  charge(e, n);
}

void web_entry_free(web_entry *e) {
  if (!e)
    return;
  if (!atomic_load(&e->resp[WEB_ENC_IDENTITY]))
    free(e->body);
  for (int i = 0; i < WEB_ENC_N; i++) {
    struct MHD_Response *r = atomic_load(&e->resp[i]);
    /* A variant that was not worth compressing points at identity. */
    if (r && (i == WEB_ENC_IDENTITY || r != atomic_load(&e->resp[0])))
      MHD_destroy_response(r);
  }
  pthread_mutex_destroy(&e->lock);
  free(e->key);
  free(e->tags);
  free(e->content_type);
  free(e);
}

/* Adds the headers every variant of e carries; returns their bytes. */
static size_t add_common_headers(struct MHD_Response *r, const web_entry *e,
                                 const char *etag) {
  char date[32];
  size_t n = web_add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, e->content_type);
  n += web_add_header(r, MHD_HTTP_HEADER_ETAG, etag);
  nb_time_http(e->last_modified, date);
  n += web_add_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
  n += web_add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, e->cache_control);
  if (e->compressible)
    n += web_add_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
  if (e->tags[1] != '\0') {
    /* Surrogate-Key lets a CDN or Varnish purge by the same tags. */
    size_t tl = strlen(e->tags);
    char *keys = strndup(e->tags + 1, tl > 2 ? tl - 2 : 0);
    if (keys) {
      n += web_add_header(r, "Surrogate-Key", keys);
      free(keys);
    }
  }
  if (e->retry_after > 0) {
    char secs[24];
    snprintf(secs, sizeof secs, "%d", e->retry_after);
    n += web_add_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
  }
  return n + web_security_headers(r, e->content_type);
}

/* best: the brotli variant at WEB_BR_BEST rather than WEB_BR_FAST. */
static void variant_etag(const web_entry *e, int enc, int best, char out[48]) {
  size_t n = strlen(e->etag);
  /* "abc" -> "abc-gz": a strong ETag must differ per encoding, and per
   * brotli quality, as the bytes do. */
  if (enc == WEB_ENC_BR)
    snprintf(out, 48, "%.*s-br%d\"", (int)(n - 1), e->etag,
             best ? WEB_BR_BEST : WEB_BR_FAST);
  else
    snprintf(out, 48, "%.*s%s\"", (int)(n - 1), e->etag,
             enc == WEB_ENC_GZIP ? "-gz" : "");
}

/* The response for encoding enc of e, taking z (the compressed body);
 * *cost: the bytes it holds beyond the identity body. */
static struct MHD_Response *make_response(web_entry *e, int enc, int best,
                                          char *z, size_t zn, size_t *cost) {
  struct MHD_Response *r;
  char etag[48];
  variant_etag(e, enc, best, etag);
  if (enc == WEB_ENC_IDENTITY)
    /* The identity response owns the body; the entry keeps a reference
     * to that response, so e->body lives as long as the entry. */
    r = MHD_create_response_from_buffer(e->len, e->body, MHD_RESPMEM_MUST_FREE);
  else
    r = MHD_create_response_from_buffer(zn, z, MHD_RESPMEM_MUST_FREE);
  if (!r) {
    free(z); /* identity: web_entry_free frees the body */
    return NULL;
  }
  *cost = WEB_RESPONSE_OVERHEAD + add_common_headers(r, e, etag);
  if (enc != WEB_ENC_IDENTITY)
    *cost += zn + WEB_ALLOC_OVERHEAD +
             web_add_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING,
                            enc == WEB_ENC_GZIP ? "gzip" : "br");
  return r;
}

struct MHD_Response *web_entry_variant(web_entry *e, int enc) {
  struct MHD_Response *r = atomic_load(&e->resp[enc]);
  if (r)
    return r;
  pthread_mutex_lock(&e->lock);
  r = atomic_load(&e->resp[enc]);
  if (!r) {
    char *z = NULL;
    size_t zn = 0;
    int rc = enc == WEB_ENC_GZIP
                 ? web_gzip(e->body, e->len, &z, &zn)
                 : web_brotli(e->body, e->len, WEB_BR_FAST, &z, &zn);
    size_t cost = 0;
    if (rc != NB_OK || zn >= e->len) {
      free(z);
      r = atomic_load(&e->resp[WEB_ENC_IDENTITY]);
    } else {
      r = make_response(e, enc, 0, z, zn, &cost);
    }
    e->cost[enc] = cost;
    charge(e, cost);
    atomic_store(&e->resp[enc], r);
  }
  pthread_mutex_unlock(&e->lock);
  return r;
}

/* 1 when the client holds the entry already; etag: the one it named, or
 * the variant it would get now (If-Modified-Since). */
static int not_modified(struct MHD_Connection *c, const web_entry *e,
                        char etag[48]) {
  const char *inm =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
  if (inm) {
    /* Either brotli quality: both decode to the same page. */
    for (int v = 0; v <= WEB_ENC_N; v++) {
      variant_etag(e, v < WEB_ENC_N ? v : WEB_ENC_BR, v == WEB_ENC_N, etag);
      if (web_etag_matches(inm, etag))
        return 1;
    }
    return 0;
  }
  const char *ae =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
  variant_etag(e, e->compressible ? web_pick_encoding(ae) : 0,
               atomic_load(&e->br_best), etag);
  const char *ims =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Modified-Since");
  if (ims) {
    char date[32];
    nb_time_http(e->last_modified, date);
    return strcmp(ims, date) == 0;
  }
  return 0;
}

/* web_entry_send, saying in *enc which body it sent (-1: a 304). */
static enum MHD_Result entry_send(struct MHD_Connection *c, web_entry *e,
                                  int *status, int *enc_sent) {
  char etag[48];
  atomic_store_explicit(&e->referenced, 1, memory_order_relaxed);
  *enc_sent = -1;
  if (e->status == MHD_HTTP_OK && not_modified(c, e, etag)) {
    /* Not a string literal: libmicrohttpd takes a non-const pointer. */
    static char empty[1];
    struct MHD_Response *r =
        MHD_create_response_from_buffer(0, empty, MHD_RESPMEM_PERSISTENT);
    if (!r)
      return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    web_security_headers(r, e->content_type);
    /* libmicrohttpd 0.9.75 always writes "Content-Length: 0" on a 304;
     * RFC 9111 3.2 tells caches not to take Content-Length from a 304. */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, e->cache_control);
    if (e->compressible)
      MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    *status = MHD_HTTP_NOT_MODIFIED;
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, r);
    MHD_destroy_response(r);
    return rc;
  }
  int enc = WEB_ENC_IDENTITY;
  if (e->compressible)
    enc = web_pick_encoding(
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding"));
  struct MHD_Response *r = web_entry_variant(e, enc);
  if (!r)
    return MHD_NO;
  *status = e->status;
  *enc_sent = r == atomic_load(&e->resp[WEB_ENC_IDENTITY]) ? 0 : enc;
  return MHD_queue_response(c, (unsigned)e->status, r);
}

enum MHD_Result web_entry_send(struct MHD_Connection *c, web_entry *e,
                               int *status) {
  int enc;
  return entry_send(c, e, status, &enc);
}

/* ---- the page cache: open hashing with chains, CLOCK eviction ---- */

#define RECENT 256
#define FLIGHTS 64
#define UPGRADES 32

struct web_cache {
  pthread_rwlock_t lock;
  web_entry **slots; /* chained through a parallel next array */
  size_t *next;      /* index+1 of the next entry in the chain, 0 = end */
  size_t *heads;     /* per bucket: index+1 of the first entry */
  size_t cap, nbuckets, count, budget, hand;
  /* Charged against the budget: the entries (atomic: a variant made
   * under the read lock adds to it) and the table itself. */
  _Atomic size_t bytes;
  _Atomic size_t table_bytes;  /* read with no lock by web_cache_send */
  _Atomic uint64_t generation; /* bumped by every invalidation */
  /* The last RECENT invalidated tags (needle form " tag "), by generation:
   * a page rendered since generation g is stale only if one of its own
   * tags was dropped after g, so unrelated writes do not keep pages out. */
  char recent[RECENT][64];
  uint64_t recent_gen[RECENT];
  /* Single flight: keys being rendered now, so that a burst of misses on
   * one page renders it once (see web_cache_claim). */
  pthread_mutex_t flight_lock;
  pthread_cond_t flight_done;
  char *flight[FLIGHTS];
  /* Hot pages waiting for their best brotli variant (keys, a ring), and
   * the thread that makes them (see upgrade_loop). */
  pthread_mutex_t up_lock;
  pthread_cond_t up_ready;
  char *up[UPGRADES];
  size_t up_head, up_n;
  int up_stop, up_started;
  pthread_t upgrader;
};

static void *upgrade_loop(void *arg);

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

web_cache *web_cache_new(size_t budget) {
  web_cache *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  /* Small to start: the table's own bytes count against the budget. */
  c->cap = 64;
  c->nbuckets = 128;
  c->slots = calloc(c->cap, sizeof *c->slots);
  c->next = calloc(c->cap, sizeof *c->next);
  c->heads = calloc(c->nbuckets, sizeof *c->heads);
  c->budget = budget;
  c->table_bytes = c->cap * (sizeof *c->slots + sizeof *c->next) +
                   c->nbuckets * sizeof *c->heads;
  pthread_rwlock_init(&c->lock, NULL);
  pthread_mutex_init(&c->flight_lock, NULL);
  pthread_cond_init(&c->flight_done, NULL);
  pthread_mutex_init(&c->up_lock, NULL);
  pthread_cond_init(&c->up_ready, NULL);
  if (!c->slots || !c->next || !c->heads) {
    web_cache_free(c);
    return NULL;
  }
  c->up_started = pthread_create(&c->upgrader, NULL, upgrade_loop, c) == 0;
  return c;
}

void web_cache_free(web_cache *c) {
  if (!c)
    return;
  pthread_mutex_lock(&c->up_lock);
  c->up_stop = 1;
  pthread_cond_signal(&c->up_ready);
  pthread_mutex_unlock(&c->up_lock);
  if (c->up_started)
    pthread_join(c->upgrader, NULL);
  for (size_t i = 0; i < c->up_n; i++)
    free(c->up[(c->up_head + i) % UPGRADES]);
  pthread_mutex_destroy(&c->up_lock);
  pthread_cond_destroy(&c->up_ready);
  for (size_t i = 0; c->slots && i < c->cap; i++)
    web_entry_free(c->slots[i]);
  free(c->slots);
  free(c->next);
  free(c->heads);
  pthread_rwlock_destroy(&c->lock);
  pthread_mutex_destroy(&c->flight_lock);
  pthread_cond_destroy(&c->flight_done);
  free(c);
}

/* Index of key's entry, or SIZE_MAX. Caller holds the lock. */
static size_t find(web_cache *c, const char *key) {
  size_t i = c->heads[hash_str(key) % c->nbuckets];
  while (i) {
    if (strcmp(c->slots[i - 1]->key, key) == 0)
      return i - 1;
    i = c->next[i - 1];
  }
  return SIZE_MAX;
}

/* Unlinks and frees slot i. Caller holds the write lock. */
static void remove_at(web_cache *c, size_t i) {
  web_entry *e = c->slots[i];
  size_t *link = &c->heads[hash_str(e->key) % c->nbuckets];
  while (*link != i + 1)
    link = &c->next[*link - 1];
  *link = c->next[i];
  c->next[i] = 0;
  c->slots[i] = NULL;
  c->count--;
  atomic_fetch_sub(&c->bytes, atomic_load(&e->bytes));
  web_entry_free(e);
}

/* 1 when the cache, with extra bytes more, would pass its budget. */
static int over(web_cache *c, size_t extra) {
  return atomic_load(&c->bytes) + c->table_bytes + extra > c->budget;
}

/* CLOCK: sweeps until extra bytes more fit, sparing entries served since
 * the last pass. Caller holds the write lock. */
static void evict(web_cache *c, size_t extra) {
  for (size_t guard = 0; over(c, extra) && c->count > 0 && guard < 2 * c->cap;
       guard++) {
    size_t h = c->hand++ % c->cap;
    web_entry *v = c->slots[h];
    if (v && !atomic_exchange(&v->referenced, 0))
      remove_at(c, h);
  }
}

/* Queues e's key for its best brotli variant, once: at its WEB_HOT_HITS-th
 * brotli body. A full queue skips it; a later hit tries again. */
static void note_brotli_hit(web_cache *c, web_entry *e) {
  if (atomic_load(&e->br_best) ||
      atomic_fetch_add(&e->hits, 1) + 1 != WEB_HOT_HITS)
    return;
  char *key = strdup(e->key);
  pthread_mutex_lock(&c->up_lock);
  if (key && c->up_n < UPGRADES) {
    c->up[(c->up_head + c->up_n++) % UPGRADES] = key;
    key = NULL;
    pthread_cond_signal(&c->up_ready);
  } else {
    atomic_store(&e->hits, 0);
  }
  pthread_mutex_unlock(&c->up_lock);
  free(key);
}

int web_cache_send(web_cache *c, const char *key, struct MHD_Connection *conn,
                   enum MHD_Result *result, int *status) {
  pthread_rwlock_rdlock(&c->lock);
  size_t i = find(c, key);
  /* An expired page counts as a miss; the fresh one replaces it. */
  if (i != SIZE_MAX && c->slots[i]->expires_at &&
      c->slots[i]->expires_at <= nb_now())
    i = SIZE_MAX;
  if (i != SIZE_MAX) {
    int enc;
    *result = entry_send(conn, c->slots[i], status, &enc);
    if (enc == WEB_ENC_BR)
      note_brotli_hit(c, c->slots[i]);
  }
  pthread_rwlock_unlock(&c->lock);
  /* A variant made just now may have taken the cache past its budget. */
  if (i != SIZE_MAX && over(c, 0)) {
    pthread_rwlock_wrlock(&c->lock);
    evict(c, 0);
    pthread_rwlock_unlock(&c->lock);
  }
  return i != SIZE_MAX;
}

static int grow(web_cache *c) {
  size_t cap = c->cap * 2, nb = c->nbuckets * 2;
  web_entry **slots = calloc(cap, sizeof *slots);
  size_t *next = calloc(cap, sizeof *next);
  size_t *heads = calloc(nb, sizeof *heads);
  if (!slots || !next || !heads) {
    free(slots);
    free(next);
    free(heads);
    return NB_ENOMEM;
  }
  for (size_t i = 0; i < c->cap; i++) {
    slots[i] = c->slots[i];
    if (slots[i]) {
      size_t b = hash_str(slots[i]->key) % nb;
      next[i] = heads[b];
      heads[b] = i + 1;
    }
  }
  free(c->slots);
  free(c->next);
  free(c->heads);
  c->slots = slots;
  c->next = next;
  c->heads = heads;
  c->cap = cap;
  c->nbuckets = nb;
  c->table_bytes = cap * (sizeof *slots + sizeof *next) + nb * sizeof *heads;
  return NB_OK;
}

/* 1 if a tag of e was dropped after generation gen (or too long ago to
 * know). Caller holds the lock. */
static int stale(web_cache *c, const web_entry *e, uint64_t gen) {
  uint64_t now = atomic_load(&c->generation);
  if (now == gen)
    return 0;
  if (now - gen >= RECENT)
    return 1;
  for (uint64_t g = gen + 1; g <= now; g++) {
    const char *tag = c->recent[g % RECENT];
    if (strcmp(tag, "*") == 0 || tag[0] != ' ' || strstr(e->tags, tag))
      return 1;
  }
  return 0;
}

uint64_t web_cache_generation(web_cache *c) {
  return atomic_load(&c->generation);
}

void web_cache_put(web_cache *c, web_entry *e, uint64_t gen) {
  /* Errors (a 503 of a failing store above all) are never kept. */
  assert(e->status == 200 || e->status == 301 || e->status == 404);
  assert(e->retry_after == 0);
  pthread_rwlock_wrlock(&c->lock);
  if (stale(c, e, gen)) {
    pthread_rwlock_unlock(&c->lock);
    web_entry_free(e);
    return;
  }
  size_t i = find(c, e->key);
  if (i != SIZE_MAX)
    remove_at(c, i);
  size_t need = atomic_load(&e->bytes);
  evict(c, need);
  /* A full table doubles: its new half takes its share of the budget. */
  if (c->count == c->cap)
    evict(c, need + c->table_bytes);
  if (over(c, need) || (c->count == c->cap &&
                        (over(c, need + c->table_bytes) || grow(c) != NB_OK))) {
    pthread_rwlock_unlock(&c->lock);
    web_entry_free(e);
    return;
  }
  for (i = 0; c->slots[i]; i++)
    ;
  c->slots[i] = e;
  size_t b = hash_str(e->key) % c->nbuckets;
  c->next[i] = c->heads[b];
  c->heads[b] = i + 1;
  c->count++;
  atomic_fetch_add(&c->bytes, need);
  atomic_store(&e->account, &c->bytes);
  pthread_rwlock_unlock(&c->lock);
}

void web_cache_drop_tag(web_cache *c, const char *tag) {
  char needle[256];
  int all = strcmp(tag, "*") == 0;
  if (!all &&
      snprintf(needle, sizeof needle, " %s ", tag) >= (int)sizeof needle)
    return;
  pthread_rwlock_wrlock(&c->lock);
  uint64_t g = atomic_fetch_add(&c->generation, 1) + 1;
  /* A tag too long to keep is remembered as "" and makes every page
   * rendered meanwhile stale: safe, merely slower. */
  char *slot = c->recent[g % RECENT];
  size_t nl = all ? 0 : strlen(needle);
  if (all)
    memcpy(slot, "*", 2);
  else if (nl >= sizeof c->recent[0])
    slot[0] = '\0';
  else
    memcpy(slot, needle, nl + 1);
  for (size_t i = 0; i < c->cap; i++)
    if (c->slots[i] && (all || strstr(c->slots[i]->tags, needle)))
      remove_at(c, i);
  pthread_rwlock_unlock(&c->lock);
}

int web_cache_contains(web_cache *c, const char *key) {
  pthread_rwlock_rdlock(&c->lock);
  int found = find(c, key) != SIZE_MAX;
  pthread_rwlock_unlock(&c->lock);
  return found;
}

size_t web_cache_bytes(web_cache *c) {
  return atomic_load(&c->bytes) + c->table_bytes;
}

size_t web_cache_budget(web_cache *c) {
  return c->budget;
}

size_t web_cache_size(web_cache *c) {
  pthread_rwlock_rdlock(&c->lock);
  size_t n = c->count;
  pthread_rwlock_unlock(&c->lock);
  return n;
}

int web_cache_claim(web_cache *c, const char *key) {
  int claimed = 0, waited = 0;
  if (c->budget <= 1)
    return 0; /* no cache (--cache-mb 0): waiting would gain nothing */
  pthread_mutex_lock(&c->flight_lock);
  for (;;) {
    int busy = 0, free_slot = -1;
    for (int i = 0; i < FLIGHTS; i++) {
      if (c->flight[i] && strcmp(c->flight[i], key) == 0)
        busy = 1;
      else if (!c->flight[i] && free_slot < 0)
        free_slot = i;
    }
    if (!busy) {
      if (!waited && free_slot >= 0 && (c->flight[free_slot] = strdup(key)))
        claimed = 1;
      break;
    }
    /* Someone renders this page now: wait for it (briefly) instead of
     * rendering the same page again. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 200 * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    waited = 1;
    if (pthread_cond_timedwait(&c->flight_done, &c->flight_lock, &until) != 0)
      break;
  }
  pthread_mutex_unlock(&c->flight_lock);
  return claimed ? 1 : waited ? -1 : 0;
}

void web_cache_release(web_cache *c, const char *key) {
  pthread_mutex_lock(&c->flight_lock);
  for (int i = 0; i < FLIGHTS; i++)
    if (c->flight[i] && strcmp(c->flight[i], key) == 0) {
      free(c->flight[i]);
      c->flight[i] = NULL;
    }
  pthread_cond_broadcast(&c->flight_done);
  pthread_mutex_unlock(&c->flight_lock);
}

/* ---- the best brotli variant of hot pages ----
 * One thread, at the lowest priority, so that compressing never takes a
 * core from requests: a page served often is worth WEB_BR_BEST once, a
 * miss only WEB_BR_FAST. The body is copied under the read lock and
 * compressed with no lock held; the variant is swapped in under the write
 * lock, when no request holds the old one outside libmicrohttpd's own
 * reference count. */

/* Compresses the entry of key at the best quality, if it is still there
 * and still the same page. */
static void upgrade(web_cache *c, const char *key) {
  char etag[sizeof((web_entry *)0)->etag];
  char *copy = NULL, *z = NULL;
  size_t len = 0, zn = 0;
  pthread_rwlock_rdlock(&c->lock);
  size_t i = find(c, key);
  if (i != SIZE_MAX && !atomic_load(&c->slots[i]->br_best) &&
      (copy = malloc(c->slots[i]->len)) != NULL) {
    len = c->slots[i]->len;
    memcpy(copy, c->slots[i]->body, len);
    memcpy(etag, c->slots[i]->etag, sizeof etag);
  }
  pthread_rwlock_unlock(&c->lock);
  if (!copy || web_brotli(copy, len, WEB_BR_BEST, &z, &zn) != NB_OK) {
    free(copy);
    return;
  }
  free(copy);
  pthread_rwlock_wrlock(&c->lock);
  i = find(c, key);
  web_entry *e = i != SIZE_MAX ? c->slots[i] : NULL;
  if (!e || strcmp(e->etag, etag) != 0 || atomic_load(&e->br_best)) {
    pthread_rwlock_unlock(&c->lock);
    free(z);
    return;
  }
  struct MHD_Response *old = atomic_load(&e->resp[WEB_ENC_BR]);
  struct MHD_Response *identity = atomic_load(&e->resp[WEB_ENC_IDENTITY]);
  size_t cost = 0;
  struct MHD_Response *r = NULL;
  /* Only a page sent compressed is upgraded (one not worth compressing
   * points at identity). make_response frees z when it fails. */
  if (old && old != identity)
    r = make_response(e, WEB_ENC_BR, 1, z, zn, &cost);
  else
    free(z);
  if (r) {
    atomic_store(&e->resp[WEB_ENC_BR], r);
    MHD_destroy_response(old);
    discharge(e, e->cost[WEB_ENC_BR]);
    e->cost[WEB_ENC_BR] = cost;
    charge(e, cost);
    atomic_store(&e->br_best, 1);
    evict(c, 0);
  }
  pthread_rwlock_unlock(&c->lock);
}

static void *upgrade_loop(void *arg) {
  web_cache *c = arg;
  /* Linux: a thread's own nice value; failing leaves the default. */
  (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
  for (;;) {
    pthread_mutex_lock(&c->up_lock);
    while (!c->up_n && !c->up_stop)
      pthread_cond_wait(&c->up_ready, &c->up_lock);
    char *key = NULL;
    if (!c->up_stop) {
      key = c->up[c->up_head];
      c->up_head = (c->up_head + 1) % UPGRADES;
      c->up_n--;
    }
    pthread_mutex_unlock(&c->up_lock);
    if (!key)
      return NULL;
    upgrade(c, key);
    free(key);
  }
}
