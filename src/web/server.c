/* server.c: libmicrohttpd daemons, the request life cycle, limits, error
 * answers and the access log.
 *
 * One daemon per thread, all listening on the same port with SO_REUSEPORT,
 * so the kernel spreads connections evenly (one shared listening socket
 * with a thread pool left one thread idle most of the time here). */
#include "web/internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define WEB_MAX_DAEMONS 64

#define WEB_WORKERS 2
#define WEB_MAX_WORKERS 16

/* Requests whose handler may wait on disk (POST: a commit with fsync) or
 * run long (the slow prefixes: search) run on worker threads while their
 * connection is suspended, so the event threads keep serving everyone
 * else. */
typedef struct job {
  struct job *next;
  struct MHD_Connection *c;
  struct req_state *st;
} job;

typedef struct pool {
  struct web_server *s;
  pthread_t threads[WEB_MAX_WORKERS];
  int nthreads;
  pthread_mutex_t lock;
  pthread_cond_t ready;
  job *jobs, *tail;
  int waiting; /* jobs no thread has taken yet */
  int stopping;
} pool;

struct web_server {
  struct MHD_Daemon *d[WEB_MAX_DAEMONS];
  pool posts, slow;
  web_guard *guard;
  const char *const *slow_prefixes;
  const char *large_post_prefix; /* NULL: none */
  size_t large_post_bytes;
  int slow_per_client, slow_queue; /* 0: no limit */
  int nd;
  int port;
  web_handler handler;
  void *ctx;
  _Atomic(const web_assets *) assets;
  web_cache *cache;
  FILE *log;
  const char *bypass_cookie;
  const char *bypass_arg;
  pthread_mutex_t log_lock;
  int64_t log_flushed_us; /* the log is flushed at most once a second */
  /* The site's own pages for the 429 and 503 web answers itself (NULL:
   * web's plain page); replaced under the lock, copied out under it. */
  pthread_mutex_t pages_lock;
  char *page[2];
  size_t page_len[2];
};

/* Per request, from the first call of the access handler to completion. */
typedef struct req_state {
  web_server *srv;
  arena_t arena;
  int64_t start_us;
  int status;
  int begun;  /* the access handler has seen the headers */
  int reject; /* an error status decided before the body was read */
  int slow;   /* on the slow pool, counted for addr */
  web_addr addr;
  uint64_t gen; /* the cache generation before a slow GET ran */
  size_t body_seen;
  size_t body_max; /* this request's limit (see web_config.large_post_*) */
  buf_t body;      /* POST bodies */
  /* A request handed to a worker: what it got and what it answered. */
  web_request req;
  web_response res;
  int queued, done;
  /* Test builds: the failure point armed by an X-Naba-Fault header, and
   * what the handler passed (see run_handler). */
  int fault_kind; /* -1: none */
  long fault_nth, fault_calls;
  int fault_hit;
  int delay_ms; /* test builds: X-Naba-Delay, a handler that takes long */
  char method[8];
  char path[256]; /* for the access log, cut */
} req_state;

const char *web_query(const web_request *r, const char *key) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *web_header(const web_request *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *web_cookie(const web_request *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static const char *client_ip(struct MHD_Connection *c, arena_t *a) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char ip[INET6_ADDRSTRLEN] = "";
  if (ci && ci->client_addr) {
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
      inet_ntop(AF_INET,
                &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip,
                sizeof ip);
    else if (sa->sa_family == AF_INET6)
      inet_ntop(AF_INET6,
                &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip,
                sizeof ip);
  }
  return arena_strdup(a, ip);
}

/* ---- fault injection (test builds) ----
 * A request with "X-Naba-Fault: store:3" runs its handler with that
 * failure point armed on its thread (core/fault.c); the answer says how
 * many points of the kind it passed and whether it would have been cached,
 * and is itself never cached or looked up in the cache. Release builds
 * ignore the header: it would let anyone skip the cache. So they do
 * X-Naba-Delay, which would let anyone hold a thread. */
static void fault_parse(struct MHD_Connection *c, req_state *st) {
  st->fault_kind = -1;
#ifdef NABA_FAULT
  const char *spec =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Naba-Fault");
  if (spec && nb_fault_parse(spec, &st->fault_kind, &st->fault_nth) != NB_OK)
    st->fault_kind = -1;
  /* "X-Naba-Delay: 500": the handler takes half a second more, as an
   * expensive search does on a big site. */
  const char *delay =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Naba-Delay");
  int64_t ms;
  if (delay && nb_parse_i64(delay, strlen(delay), 1, 10000, &ms) == NB_OK)
    st->delay_ms = (int)ms;
#else
  (void)c;
#endif
}

static void run_handler(web_server *s, req_state *st, web_request *req,
                        web_response *res) {
  if (st->fault_kind >= 0)
    nb_fault_arm(st->fault_kind, st->fault_nth);
  if (st->delay_ms > 0)
    usleep((useconds_t)st->delay_ms * 1000);
  s->handler(s->ctx, req, res);
  if (st->fault_kind >= 0)
    nb_fault_disarm(&st->fault_calls, &st->fault_hit);
}

static void fault_headers(struct MHD_Response *r, const req_state *st,
                          int cacheable) {
  if (st->fault_kind < 0)
    return;
  char v[64];
  snprintf(v, sizeof v, "calls=%ld hit=%d", st->fault_calls, st->fault_hit);
  MHD_add_response_header(r, "X-Naba-Fault", v);
  MHD_add_response_header(r, "X-Naba-Cacheable", cacheable ? "1" : "0");
}

/* Answers an error web decides on itself, in the thread's language
 * (message already translated, as plain text). */
static int page_slot(int status) {
  return status == MHD_HTTP_TOO_MANY_REQUESTS     ? 0
         : status == MHD_HTTP_SERVICE_UNAVAILABLE ? 1
                                                  : -1;
}

void web_server_set_error_page(web_server *s, int status, const char *html,
                               size_t len) {
  int i = page_slot(status);
  if (i < 0)
    return;
  char *copy = html && len ? malloc(len) : NULL;
  if (copy)
    memcpy(copy, html, len);
  pthread_mutex_lock(&s->pages_lock);
  free(s->page[i]);
  s->page[i] = copy;
  s->page_len[i] = copy ? len : 0;
  pthread_mutex_unlock(&s->pages_lock);
}

/* The site's page for status into b, if it gave one. */
static int site_page(web_server *s, int status, buf_t *b) {
  int i = page_slot(status);
  if (!s || i < 0)
    return 0;
  pthread_mutex_lock(&s->pages_lock);
  if (s->page[i])
    buf_append(b, s->page[i], s->page_len[i]);
  pthread_mutex_unlock(&s->pages_lock);
  return b->len > 0 && !b->oom;
}

static enum MHD_Result send_error(struct MHD_Connection *c, req_state *st,
                                  int status, const char *message) {
  buf_t b = {0};
  if (site_page(st->srv, status, &b))
    goto send;
  buf_reset(&b);
  buf_printf(&b,
             "<!doctype html><html lang=\"%s\" dir=\"%s\"><head>"
             "<meta charset=\"utf-8\"><title>%d</title></head><body>"
             "<h1>%d</h1><p>",
             nb_lang(), nb_lang_dir(), status, status);
  buf_html_escape(&b, message, strlen(message));
  buf_puts(&b, "</p></body></html>\n");
send:;
  size_t n;
  char *body = buf_take(&b, &n);
  if (!body)
    return MHD_NO;
  struct MHD_Response *r =
      MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
  if (!r) {
    free(body);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "text/html; charset=utf-8");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST");
  if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
    MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "30");
  web_security_headers(r, "text/html");
  if (status == MHD_HTTP_TOO_MANY_REQUESTS)
    MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "10");
  if (status == MHD_HTTP_BAD_REQUEST)
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
  fault_headers(r, st, 0);
  st->status = status;
  enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return rc;
}

/* A test's armed request: the entry as it would have been sent, kept out
 * of the cache, with the fault report. */
static enum MHD_Result send_faulted(struct MHD_Connection *c, req_state *st,
                                    web_entry *e, int cacheable) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(e->len, e->body, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result rc = MHD_NO;
  if (r) {
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, e->content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, e->cache_control);
    if (e->retry_after > 0) {
      char secs[24];
      snprintf(secs, sizeof secs, "%d", e->retry_after);
      MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    web_security_headers(r, e->content_type);
    fault_headers(r, st, cacheable);
    st->status = e->status;
    rc = MHD_queue_response(c, (unsigned)e->status, r);
    MHD_destroy_response(r);
  }
  web_entry_free(e);
  return rc;
}

static enum MHD_Result send_handler_response(web_server *s,
                                             struct MHD_Connection *c,
                                             req_state *st, const char *path,
                                             web_response *res, uint64_t gen) {
  int status = res->status ? res->status : 200;
  const char *ctype =
      res->content_type ? res->content_type : "text/html; charset=utf-8";
  size_t len;
  char *body = buf_take(&res->body, &len);
  if (!body) /* out of memory: a passing shortage */
    return send_error(c, st, MHD_HTTP_SERVICE_UNAVAILABLE,
                      _("The site is busy, please try again shortly"));
  if (res->location) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
      free(body);
      return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            status == 301 && !res->set_cookie
                                ? "public, max-age=3600"
                                : "no-store");
    if (res->set_cookie)
      MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, res->set_cookie);
    web_security_headers(r, ctype);
    fault_headers(r, st, 0);
    st->status = status;
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
  }
  if (res->personal || res->set_cookie) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
      free(body);
      return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            "private, no-store");
    if (res->retry_after > 0) {
      char secs[24];
      snprintf(secs, sizeof secs, "%d", res->retry_after);
      MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    if (res->set_cookie)
      MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, res->set_cookie);
    web_security_headers_scripts(r, ctype, res->scripts);
    fault_headers(r, st, 0);
    st->status = status;
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
  }
  /* Only a whole page is kept: never an error, never a partial one. */
  int cacheable = res->tags && status == 200 && !res->retry_after;
  const char *cc = cacheable          ? "public, max-age=60"
                   : res->retry_after ? "no-store"
                                      : "no-cache";
  int64_t lm = res->last_modified ? res->last_modified : nb_now();
  web_entry *e = web_entry_new(path, status, ctype, cc, body, len, lm,
                               cacheable ? res->tags : NULL);
  if (e && res->ttl > 0)
    e->expires_at = nb_now() + res->ttl;
  if (e && res->retry_after > 0)
    web_entry_retry_after(e, res->retry_after);
  if (!e)
    return send_error(c, st, 500, _("Server error"));
  if (st->fault_kind >= 0)
    return send_faulted(c, st, e, cacheable);
  enum MHD_Result rc = web_entry_send(c, e, &st->status);
  if (cacheable)
    web_cache_put(s->cache, e, gen);
  else
    web_entry_free(e);
  return rc;
}

/* ---- the request life cycle ----
 * libmicrohttpd calls on_request() first with the headers, then with each
 * piece of the body, then once more with nothing left to read: the call
 * that answers. */

/* Before libmicrohttpd parses the request line's query: its state starts
 * here. libmicrohttpd 0.9.75 keeps each argument in the connection's
 * memory pool and, when the pool runs out, logs a 431 it never sends and
 * lets the connection hang; so over WEB_MAX_QUERY_ARGS arguments the query
 * is cut off in its buffer, right after the '?' (libmicrohttpd parses it
 * after this call and finds it empty), and the request is answered 414. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
  web_server *s = cls;
  req_state *st = calloc(1, sizeof *st);
  if (!st)
    return NULL;
  st->srv = s;
  st->start_us = nb_now_us();
  const char *q = strchr(uri, '?');
  size_t nargs = 0;
  for (const char *p = q; p && *p; p++)
    nargs += *p == '&';
  if (q && q[1])
    nargs++;
  if (nargs > WEB_MAX_QUERY_ARGS) {
    char *w = (char *)(uintptr_t)q; /* libmicrohttpd's own read buffer */
    w[1] = '\0';
    st->reject = MHD_HTTP_URI_TOO_LONG;
    web_guard_note(s->guard, WEB_LIMIT_QUERY_ARGS,
                   web_conn_addr(web_conn_of(c)));
  }
  return st;
}

typedef struct {
  int ncl, nte, bad;
  int64_t cl;
} framing;

/* Collects the headers that frame the body (RFC 9112 §6). */
static enum MHD_Result framing_header(void *cls, enum MHD_ValueKind kind,
                                      const char *key, const char *value) {
  framing *f = cls;
  (void)kind;
  if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
    /* "5, 5" is one length said twice; any other list is two. */
    for (const char *p = value; !f->bad;) {
      while (*p == ' ' || *p == '\t')
        p++;
      size_t n = strcspn(p, ",");
      size_t k = n;
      while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
        k--;
      int64_t len;
      if (nb_parse_i64(p, k, 0, INT64_MAX, &len) != NB_OK ||
          (f->ncl && len != f->cl))
        f->bad = 1;
      f->cl = len;
      f->ncl++;
      if (!p[n])
        break;
      p += n + 1;
    }
  } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
    f->nte++;
    while (*value == ' ' || *value == '\t')
      value++;
    size_t n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
      n--;
    if (n != 7 || strncasecmp(value, "chunked", 7) != 0)
      f->bad = 1; /* libmicrohttpd reads chunked bodies only */
  }
  return MHD_YES;
}

/* snprintf's "%s" without the format parsing: this runs on every request. */
static void copy_cut(char *dst, size_t size, const char *src) {
  size_t n = strnlen(src, size - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* First call: headers only. Answering now would cost keep-alive, so decide
 * and remember, answer on the last call; only a body announced too big to
 * read through, or whose length is ambiguous, is answered now: the
 * connection then closes without reading it. */
static enum MHD_Result begin_request(web_server *s, struct MHD_Connection *c,
                                     const char *url, const char *method,
                                     void **con_cls) {
  req_state *st = *con_cls;
  if (!st && !(st = calloc(1, sizeof *st)))
    return MHD_NO;
  if (!st->start_us)
    st->start_us = nb_now_us();
  st->begun = 1;
  web_conn_waiting(web_conn_of(c), 0);
  copy_cut(st->method, sizeof st->method, method);
  copy_cut(st->path, sizeof st->path, url);
  fault_parse(c, st);
  *con_cls = st;
  st->body_max =
      s->large_post_prefix && strncmp(url, s->large_post_prefix,
                                      strlen(s->large_post_prefix)) == 0
          ? s->large_post_bytes
          : WEB_MAX_BODY_BYTES;
  if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
      strcmp(method, "POST") != 0)
    st->reject = MHD_HTTP_METHOD_NOT_ALLOWED;
  /* Two lengths, or a length and chunked: a proxy in front may have read
   * another body than we would, and the rest as a request of its own
   * (smuggling). Refused, and the connection closed (RFC 9112 §6.3). */
  framing f = {0};
  MHD_get_connection_values(c, MHD_HEADER_KIND, framing_header, &f);
  if (f.bad || f.nte > 1 || (f.nte && f.ncl)) {
    web_guard_note(s->guard, WEB_LIMIT_FRAMING, web_conn_addr(web_conn_of(c)));
    return send_error(c, st, MHD_HTTP_BAD_REQUEST,
                      _("The request is malformed"));
  }
  if (f.ncl && (uint64_t)f.cl > st->body_max) {
    /* Too big to read through: answer now; the connection closes. */
    return send_error(c, st, MHD_HTTP_CONTENT_TOO_LARGE,
                      _("The request is larger than allowed"));
  }
  return MHD_YES;
}

/* A piece of the body: POST bodies are kept for the handler, others
 * counted and let go. A chunked body over the limit closes the
 * connection: libmicrohttpd 0.9.75 drops a response queued while a body
 * is still arriving. */
static enum MHD_Result take_upload(req_state *st, const char *method,
                                   const char *upload, size_t *upload_size) {
  st->body_seen += *upload_size;
  if (strcmp(method, "POST") == 0 && st->body_seen <= st->body_max)
    buf_append(&st->body, upload, *upload_size);
  *upload_size = 0;
  return st->body_seen > st->body_max ? MHD_NO : MHD_YES;
}

/* A request handed to a worker: its answer once the worker is done. */
static enum MHD_Result answer_queued(web_server *s, struct MHD_Connection *c,
                                     req_state *st, const char *url) {
  if (!st->done)
    return MHD_YES; /* resumed early: wait for the worker */
  if (!st->slow)
    st->res.tags = NULL; /* answers to POST are never cached */
  enum MHD_Result rc =
      send_handler_response(s, c, st, url, &st->res, st->slow ? st->gen : 0);
  buf_free(&st->res.body);
  return rc;
}

/* The request as handlers see it; its strings live as long as st. */
static web_request new_request(struct MHD_Connection *c, req_state *st,
                               const char *url, const char *method) {
  web_request req = {.method = method,
                     .path = url,
                     .client_ip = client_ip(c, &st->arena),
                     .arena = &st->arena,
                     .conn = c};
  return req;
}

/* Suspends c and queues its request on pool p; answer_queued() answers it
 * once a worker ran the handler. NB_ETOOBIG (nothing done) when max (0: no
 * limit) requests wait already. */
static int pool_push(pool *p, struct MHD_Connection *c, req_state *st,
                     int max) {
  job *j = calloc(1, sizeof *j);
  if (!j)
    return NB_ENOMEM;
  j->c = c;
  j->st = st;
  pthread_mutex_lock(&p->lock);
  if (max > 0 && p->waiting >= max) {
    pthread_mutex_unlock(&p->lock);
    free(j);
    return NB_ETOOBIG;
  }
  /* Suspended under the lock: no worker can resume it before. */
  st->queued = 1;
  MHD_suspend_connection(c);
  if (p->tail)
    p->tail->next = j;
  else
    p->jobs = j;
  p->tail = j;
  p->waiting++;
  pthread_cond_signal(&p->ready);
  pthread_mutex_unlock(&p->lock);
  return NB_OK;
}

/* A POST: its form parsed, then handed to a worker, as the handler may
 * wait on disk (see worker_loop); answer_queued() answers it. */
static enum MHD_Result queue_post(web_server *s, struct MHD_Connection *c,
                                  req_state *st, const char *url,
                                  const char *method) {
  web_request req = new_request(c, st, url, method);
  const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_TYPE);
  if (ctype &&
      strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0) {
    char err[200] = "";
    web_field *f = NULL;
    if (st->body.oom)
      return send_error(c, st, 500, _("Server error"));
    req.form_rc =
        web_form_parse(st->body.data ? st->body.data : "", st->body.len,
                       &st->arena, &f, &req.nform, err, sizeof err);
    req.form = req.form_rc == NB_OK ? f : NULL;
    if (req.form_rc != NB_OK)
      req.nform = 0;
    req.form_err = arena_strdup(&st->arena, err);
    int repaired = 0;
    web_field *g = NULL;
    if (req.form_rc == NB_EINVAL &&
        web_form_parse_repair(st->body.data ? st->body.data : "", st->body.len,
                              &st->arena, &g, &req.nform_repaired, &repaired,
                              NULL, 0) == NB_OK &&
        repaired)
      req.form_repaired = g;
    else
      req.nform_repaired = 0;
  } else {
    req.form_rc = NB_EINVAL;
    req.form_err = "not a form (application/x-www-form-urlencoded)";
  }
  st->req = req;
  if (pool_push(&s->posts, c, st, 0) != NB_OK)
    return send_error(c, st, 500, _("Server error"));
  return MHD_YES;
}

static int is_slow(const web_server *s, const char *url) {
  for (const char *const *p = s->slow_prefixes; p && *p; p++)
    if (strncmp(url, *p, strlen(*p)) == 0)
      return 1;
  return 0;
}

/* A slow GET or HEAD: handed to the slow workers, within the limits per
 * address (429) and for the queue (503). */
static enum MHD_Result queue_slow(web_server *s, struct MHD_Connection *c,
                                  req_state *st, const char *url,
                                  const char *method) {
  const web_addr *a = web_conn_addr(web_conn_of(c));
  if (a)
    st->addr = *a;
  int rc = web_guard_slow_enter(s->guard, &st->addr, s->slow_per_client);
  if (rc == NB_ETOOBIG) {
    web_guard_note(s->guard, WEB_LIMIT_SLOW_CLIENT, &st->addr);
    return send_error(c, st, MHD_HTTP_TOO_MANY_REQUESTS,
                      _("Too many requests from your address, please try "
                        "again shortly"));
  }
  if (rc != NB_OK)
    return send_error(c, st, MHD_HTTP_SERVICE_UNAVAILABLE,
                      _("The site is busy, please try again shortly"));
  st->slow = 1;
  st->req = new_request(c, st, url, method);
  st->gen = web_cache_generation(s->cache);
  rc = pool_push(&s->slow, c, st, s->slow_queue);
  if (rc == NB_OK)
    return MHD_YES;
  st->slow = 0;
  web_guard_slow_leave(s->guard, &st->addr);
  if (rc == NB_ETOOBIG)
    web_guard_note(s->guard, WEB_LIMIT_SLOW_QUEUE, &st->addr);
  return send_error(c, st, MHD_HTTP_SERVICE_UNAVAILABLE,
                    _("The site is busy, please try again shortly"));
}

static int may_cache(web_server *s, struct MHD_Connection *c, req_state *st) {
  return st->fault_kind < 0 &&
         !(s->bypass_cookie &&
           MHD_lookup_connection_value(c, MHD_COOKIE_KIND, s->bypass_cookie)) &&
         !(s->bypass_arg && MHD_lookup_connection_value(
                                c, MHD_GET_ARGUMENT_KIND, s->bypass_arg));
}

/* GET and HEAD the cache did not answer: from the handler, one request per
 * path at a time rendering what others then find cached. */
static enum MHD_Result answer_get(web_server *s, struct MHD_Connection *c,
                                  req_state *st, const char *url,
                                  const char *method, int cacheable) {
  enum MHD_Result rc;
  if (is_slow(s, url))
    return queue_slow(s, c, st, url, method);
  /* Pages with a query string (search) are not cached by path, so there
   * is nothing to wait for. */
  int claimed = cacheable && MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND,
                                                       NULL, NULL) == 0
                    ? web_cache_claim(s->cache, url)
                    : 0;
  if (claimed < 0 && web_cache_send(s->cache, url, c, &rc, &st->status))
    return rc;

  web_request req = new_request(c, st, url, method);
  web_response res = {0};
  uint64_t gen = web_cache_generation(s->cache);
  run_handler(s, st, &req, &res);
  rc = send_handler_response(s, c, st, url, &res, gen);
  if (claimed > 0)
    web_cache_release(s->cache, url);
  buf_free(&res.body);
  return rc;
}

/* The last call, the request read whole: what was refused on the first
 * call or is refused by its address, then cached pages, static files, POST
 * and the rest. */
static enum MHD_Result route(web_server *s, struct MHD_Connection *c,
                             req_state *st, const char *url,
                             const char *method) {
  if (st->reject == MHD_HTTP_METHOD_NOT_ALLOWED)
    return send_error(c, st, st->reject, _("This method is not allowed"));
  if (st->reject == MHD_HTTP_URI_TOO_LONG || strlen(url) > WEB_MAX_PATH_BYTES)
    return send_error(c, st, MHD_HTTP_URI_TOO_LONG,
                      _("The address is too long"));
  int post = strcmp(method, "POST") == 0;
  int cacheable = !post && may_cache(s, c, st);
  enum MHD_Result rc;
  /* First, before the checks below: a page in the cache passed them when
   * it went in, and this is the path most requests take. */
  if (cacheable && web_cache_send(s->cache, url, c, &rc, &st->status))
    return rc;
  if (url[0] != '/' || !utf8_valid(url, strlen(url)))
    return send_error(c, st, MHD_HTTP_BAD_REQUEST, _("Invalid address"));

  if (strncmp(url, "/static/", 8) == 0) {
    web_entry *e = web_assets_find(atomic_load(&s->assets), url);
    if (!e)
      return send_error(c, st, MHD_HTTP_NOT_FOUND, _("File not found"));
    return web_entry_send(c, e, &st->status);
  }
  if (post)
    return queue_post(s, c, st, url, method);
  return answer_get(s, c, st, url, method, cacheable);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
  web_server *s = cls;
  req_state *st = *con_cls;
  (void)version;
  /* Pool threads serve everyone in turn: a language a handler chose for
   * one reader must not stay for the next. */
  nb_lang_set(NB_LANG_DEFAULT);
  if (!st || !st->begun)
    return begin_request(s, c, url, method, con_cls);
  if (*upload_size)
    return take_upload(st, method, upload, upload_size);
  if (st->queued)
    return answer_queued(s, c, st, url);
  return route(s, c, st, url, method);
}

static void *worker_loop(void *arg) {
  pool *p = arg;
  web_server *s = p->s;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    while (!p->jobs && !p->stopping)
      pthread_cond_wait(&p->ready, &p->lock);
    job *j = p->jobs;
    if (j) {
      p->jobs = j->next;
      if (!p->jobs)
        p->tail = NULL;
      p->waiting--;
    }
    pthread_mutex_unlock(&p->lock);
    if (!j)
      return NULL; /* stopping and nothing left */
    nb_lang_set(NB_LANG_DEFAULT);
    run_handler(s, j->st, &j->st->req, &j->st->res);
    if (j->st->slow)
      web_guard_slow_leave(s->guard, &j->st->addr);
    j->st->done = 1;
    MHD_resume_connection(j->c);
    free(j);
  }
}

static void pool_init(pool *p, web_server *s) {
  p->s = s;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->ready, NULL);
}

static int pool_start(pool *p, int n) {
  if (n > WEB_MAX_WORKERS)
    n = WEB_MAX_WORKERS;
  for (int i = 0; i < n; i++) {
    if (pthread_create(&p->threads[i], NULL, worker_loop, p) != 0)
      return NB_ENOMEM;
    p->nthreads = i + 1;
  }
  return NB_OK;
}

/* Workers finish the jobs already queued (their connections are
 * resumed), then end. */
static void pool_stop(pool *p) {
  pthread_mutex_lock(&p->lock);
  p->stopping = 1;
  pthread_cond_broadcast(&p->ready);
  pthread_mutex_unlock(&p->lock);
  for (int i = 0; i < p->nthreads; i++)
    pthread_join(p->threads[i], NULL);
  p->nthreads = 0;
}

static void pool_destroy(pool *p) {
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->ready);
}

/* A web_config limit: 0 the default, negative none (0 here). */
static int limit_or(int v, int dflt) {
  return v == 0 ? dflt : v < 0 ? 0 : v;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  web_server *s = cls;
  req_state *st = *con_cls;
  /* From now on the connection waits for its next request's headers. */
  web_conn_waiting(web_conn_of(c), 1);
  if (!st)
    return;
  /* A request whose headers never came whole (the header deadline, a
   * flood) has nothing to log but what the limit's own line says. */
  if (s->log && st->begun) {
    char ts[32];
    nb_time_iso(nb_now(), ts);
    buf_t b = {0};
    /* Method and path are client input: escaped, they cannot forge a
     * line or reach a terminal as commands. */
    buf_printf(&b, "time=%s method=\"", ts);
    buf_log_escape(&b, st->method, strlen(st->method));
    buf_printf(&b, "\" status=%d us=%lld%s path=\"", st->status,
               (long long)(nb_now_us() - st->start_us),
               toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    buf_log_escape(&b, st->path, strlen(st->path));
    buf_puts(&b, "\"\n");
    int64_t now = nb_now_us();
    pthread_mutex_lock(&s->log_lock);
    if (b.data)
      fwrite(b.data, 1, b.len, s->log);
    if (now - s->log_flushed_us > 1000000) {
      fflush(s->log);
      s->log_flushed_us = now;
    }
    pthread_mutex_unlock(&s->log_lock);
    buf_free(&b);
  }
  arena_free(&st->arena);
  buf_free(&st->body);
  free(st);
  *con_cls = NULL;
}

static void on_panic(void *cls, const char *file, unsigned int line,
                     const char *reason) {
  (void)cls;
  nb_log("error", "libmicrohttpd: %s at %s:%u", reason ? reason : "?",
         file ? file : "?", line);
  abort();
}

int web_server_start(const web_config *cfg, web_handler h, void *ctx,
                     const web_assets *assets, web_server **out, char *err,
                     size_t errlen) {
  web_server *s = calloc(1, sizeof *s);
  if (!s)
    return NB_ENOMEM;
  s->handler = h;
  s->ctx = ctx;
  atomic_store(&s->assets, assets);
  s->log = cfg->access_log;
  pool_init(&s->posts, s);
  pool_init(&s->slow, s);
  s->slow_prefixes = cfg->slow_prefixes;
  s->large_post_prefix = cfg->large_post_prefix;
  s->large_post_bytes = cfg->large_post_bytes > WEB_MAX_BODY_BYTES
                            ? cfg->large_post_bytes
                            : WEB_MAX_BODY_BYTES;
  s->slow_per_client = limit_or(cfg->slow_per_client, 4);
  s->slow_queue = limit_or(cfg->slow_queue, 64);
  s->bypass_cookie = cfg->bypass_cookie;
  s->bypass_arg = cfg->bypass_arg;
  pthread_mutex_init(&s->log_lock, NULL);
  pthread_mutex_init(&s->pages_lock, NULL);
  s->cache =
      web_cache_new(cfg->cache_bytes ? cfg->cache_bytes : (size_t)64 << 20);
  if (!s->cache || web_guard_new(limit_or(cfg->max_per_address, 64),
                                 limit_or(cfg->header_timeout_ms, 10000),
                                 &s->guard) != NB_OK) {
    snprintf(err, errlen, "out of memory");
    web_server_stop(s, 0);
    return NB_ENOMEM;
  }
  int threads = cfg->threads;
  if (threads <= 0)
    threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (threads < 1)
    threads = 1;
  if (threads > WEB_MAX_DAEMONS)
    threads = WEB_MAX_DAEMONS;

  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  if (inet_pton(AF_INET, cfg->address ? cfg->address : "127.0.0.1",
                &addr.sin_addr) != 1) {
    snprintf(err, errlen, "not an IPv4 address: %s", cfg->address);
    web_server_stop(s, 0);
    return NB_EINVAL;
  }
  MHD_set_panic_func(on_panic, NULL);
  s->port = cfg->port;
  for (int i = 0; i < threads; i++) {
    addr.sin_port = htons((uint16_t)s->port);
    s->d[i] = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
            MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        0, web_guard_accept, s->guard, on_request, s, MHD_OPTION_SOCK_ADDR,
        &addr, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_CONNECTION, web_guard_notify, s->guard,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_MAX_HEADER_BYTES,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4000,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->d[i]) {
      snprintf(err, errlen, "cannot listen on %s:%d",
               cfg->address ? cfg->address : "127.0.0.1", s->port);
      web_server_stop(s, 0);
      return NB_EIO;
    }
    s->nd = i + 1;
    if (s->port == 0) {
      const union MHD_DaemonInfo *info =
          MHD_get_daemon_info(s->d[0], MHD_DAEMON_INFO_BIND_PORT);
      s->port = info ? info->port : 0;
    }
  }
  int slow_workers = cfg->slow_workers > 0 ? cfg->slow_workers : 2;
  if (pool_start(&s->posts, WEB_WORKERS) != NB_OK ||
      (s->slow_prefixes && pool_start(&s->slow, slow_workers) != NB_OK)) {
    snprintf(err, errlen, "cannot start worker threads");
    web_server_stop(s, 0);
    return NB_ENOMEM;
  }
  *out = s;
  return NB_OK;
}

int web_server_port(const web_server *s) {
  return s->port;
}

void web_server_set_assets(web_server *s, const web_assets *a) {
  atomic_store(&s->assets, a);
}

void web_cache_invalidate(web_server *s, const char *tag) {
  web_cache_drop_tag(s->cache, tag);
}

void web_server_cache_stats(web_server *s, web_cache_stats *out) {
  out->pages = web_cache_size(s->cache);
  out->bytes = web_cache_bytes(s->cache);
  out->budget = web_cache_budget(s->cache);
}

void web_server_stop(web_server *s, int timeout_ms) {
  if (!s)
    return;
  for (int i = 0; i < s->nd; i++) {
    MHD_socket fd = MHD_quiesce_daemon(s->d[i]);
    if (fd != MHD_INVALID_SOCKET)
      close(fd);
  }
  /* Let requests in flight finish before the daemons go. */
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    unsigned busy = 0;
    for (int i = 0; i < s->nd; i++) {
      const union MHD_DaemonInfo *info =
          MHD_get_daemon_info(s->d[i], MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
      busy += info ? info->num_connections : 0;
    }
    if (busy == 0)
      break;
    usleep(10000);
  }
  /* Workers finish the jobs already queued (their connections are
   * resumed), then the daemons go. */
  pool_stop(&s->posts);
  pool_stop(&s->slow);
  for (int i = 0; i < s->nd; i++)
    MHD_stop_daemon(s->d[i]);
  if (s->log)
    fflush(s->log);
  web_guard_free(s->guard);
  web_cache_free(s->cache);
  pthread_mutex_destroy(&s->log_lock);
  pthread_mutex_destroy(&s->pages_lock);
  for (int i = 0; i < 2; i++)
    free(s->page[i]);
  pool_destroy(&s->posts);
  pool_destroy(&s->slow);
  free(s);
}
