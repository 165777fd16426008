/* guard.c: limits per client address and per connection, against one
 * client holding the server for everyone else.
 *
 * Every open connection is counted under its client's address (refused at
 * accept over max_per_address) and remembers since when it has been
 * waiting for a request's headers. libmicrohttpd renews its idle timeout
 * with every byte, so a client trickling a header line at a time would
 * hold a connection forever: a reaper thread shuts down the socket of a
 * connection that waited longer than header_timeout_ms, and libmicrohttpd
 * then closes it as it would any hung-up connection. The same table counts
 * each address's slow requests (see server.c). */
#include "web/internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define GUARD_BUCKETS 4096
#define GUARD_LOG_EVERY_US (10 * 1000000LL)

/* One client address: its open connections and slow requests. */
typedef struct addr_node {
  struct addr_node *next;
  web_addr key;
  int conns;
  int slow;
} addr_node;

struct web_conn {
  struct web_conn *prev, *next; /* every open connection */
  MHD_socket fd;
  web_addr addr;
  _Atomic int64_t waiting_since_us; /* for a request's headers; 0: not */
  int shut;                         /* the reaper shut it down */
};

struct web_guard {
  pthread_mutex_t lock; /* the table, the list, the counts */
  addr_node *buckets[GUARD_BUCKETS];
  web_conn *conns;
  int max_per_address; /* 0: none */
  int64_t header_timeout_us;
  pthread_t reaper;
  int reaper_started;
  int stopping;
  pthread_cond_t wake;
  /* One log line per kind of limit per GUARD_LOG_EVERY_US. */
  pthread_mutex_t log_lock;
  int64_t logged_us[WEB_LIMIT_N];
  long unlogged[WEB_LIMIT_N];
};

static const char *const limit_names[WEB_LIMIT_N] = {
    [WEB_LIMIT_PER_ADDRESS] = "connections per address",
    [WEB_LIMIT_HEADER_TIME] = "time to send a request's headers",
    [WEB_LIMIT_SLOW_CLIENT] = "slow requests per address",
    [WEB_LIMIT_SLOW_QUEUE] = "slow requests queued",
    [WEB_LIMIT_QUERY_ARGS] = "query arguments",
    [WEB_LIMIT_FRAMING] = "ambiguous message length",
};

void web_addr_from(const struct sockaddr *sa, web_addr *out) {
  memset(out, 0, sizeof *out);
  if (!sa)
    return;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
    out->b[10] = out->b[11] = 0xff; /* ::ffff:a.b.c.d */
    memcpy(out->b + 12, &in->sin_addr, 4);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 =
        (const struct sockaddr_in6 *)(const void *)sa;
    memcpy(out->b, &in6->sin6_addr, 16);
  }
}

static void addr_text(const web_addr *a, char out[INET6_ADDRSTRLEN]) {
  static const unsigned char v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255};
  if (memcmp(a->b, v4, 12) == 0)
    inet_ntop(AF_INET, a->b + 12, out, INET6_ADDRSTRLEN);
  else
    inet_ntop(AF_INET6, a->b, out, INET6_ADDRSTRLEN);
}

static addr_node **bucket(web_guard *g, const web_addr *a) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (int i = 0; i < 16; i++)
    h = (h ^ a->b[i]) * 16777619u;
  return &g->buckets[h % GUARD_BUCKETS];
}

/* The node of address a, made when make is set; NULL if none (or no
 * memory). Under g->lock. */
static addr_node *node_get(web_guard *g, const web_addr *a, int make) {
  addr_node **b = bucket(g, a);
  for (addr_node *n = *b; n; n = n->next)
    if (memcmp(n->key.b, a->b, 16) == 0)
      return n;
  if (!make)
    return NULL;
  addr_node *n = calloc(1, sizeof *n);
  if (!n)
    return NULL;
  n->key = *a;
  n->next = *b;
  *b = n;
  return n;
}

/* Frees the node once nothing counts on it. Under g->lock. */
static void node_put(web_guard *g, addr_node *n) {
  if (n->conns > 0 || n->slow > 0)
    return;
  for (addr_node **p = bucket(g, &n->key); *p; p = &(*p)->next)
    if (*p == n) {
      *p = n->next;
      free(n);
      return;
    }
}

void web_guard_note(web_guard *g, int kind, const web_addr *a) {
  int64_t now = nb_now_us();
  long more = 0;
  pthread_mutex_lock(&g->log_lock);
  int due =
      g->logged_us[kind] == 0 || now - g->logged_us[kind] >= GUARD_LOG_EVERY_US;
  if (due) {
    more = g->unlogged[kind];
    g->unlogged[kind] = 0;
    g->logged_us[kind] = now;
  } else {
    g->unlogged[kind]++;
  }
  pthread_mutex_unlock(&g->log_lock);
  if (!due)
    return;
  char ip[INET6_ADDRSTRLEN] = "?";
  if (a)
    addr_text(a, ip);
  /* nb_log escapes the line; the address is ours, not the client's. */
  nb_log("warn",
         "web: limit hit: %s, client %s (%ld more since the last "
         "line of this kind)",
         limit_names[kind], ip, more);
}

/* ---- connections ---- */

enum MHD_Result web_guard_accept(void *cls, const struct sockaddr *sa,
                                 socklen_t len) {
  web_guard *g = cls;
  (void)len;
  if (g->max_per_address <= 0)
    return MHD_YES;
  web_addr a;
  web_addr_from(sa, &a);
  pthread_mutex_lock(&g->lock);
  addr_node *n = node_get(g, &a, 0);
  int over = n && n->conns >= g->max_per_address;
  pthread_mutex_unlock(&g->lock);
  if (over)
    web_guard_note(g, WEB_LIMIT_PER_ADDRESS, &a);
  return over ? MHD_NO : MHD_YES;
}

void web_guard_notify(void *cls, struct MHD_Connection *c,
                      void **socket_context,
                      enum MHD_ConnectionNotificationCode code) {
  web_guard *g = cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    web_conn *wc = calloc(1, sizeof *wc);
    *socket_context = wc;
    if (!wc)
      return; /* not guarded; web_conn_of() says NULL */
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    wc->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    web_addr_from(ci ? ci->client_addr : NULL, &wc->addr);
    atomic_store(&wc->waiting_since_us, nb_now_us());
    pthread_mutex_lock(&g->lock);
    addr_node *n = node_get(g, &wc->addr, 1);
    if (n)
      n->conns++;
    wc->next = g->conns;
    if (g->conns)
      g->conns->prev = wc;
    g->conns = wc;
    pthread_mutex_unlock(&g->lock);
    return;
  }
  web_conn *wc = *socket_context;
  if (code != MHD_CONNECTION_NOTIFY_CLOSED || !wc)
    return;
  /* Called before libmicrohttpd closes the socket: once wc is off the
   * list, the reaper cannot shut down a number reused by another. */
  pthread_mutex_lock(&g->lock);
  addr_node *n = node_get(g, &wc->addr, 0);
  if (n) {
    n->conns--;
    node_put(g, n);
  }
  if (wc->prev)
    wc->prev->next = wc->next;
  else
    g->conns = wc->next;
  if (wc->next)
    wc->next->prev = wc->prev;
  pthread_mutex_unlock(&g->lock);
  free(wc);
  *socket_context = NULL;
}

web_conn *web_conn_of(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci ? ci->socket_context : NULL;
}

void web_conn_waiting(web_conn *wc, int waiting) {
  if (wc)
    atomic_store(&wc->waiting_since_us, waiting ? nb_now_us() : 0);
}

const web_addr *web_conn_addr(const web_conn *wc) {
  return wc ? &wc->addr : NULL;
}

/* Shuts down the connections that waited too long for headers; returns
 * how many. */
static int reap(web_guard *g) {
  int64_t now = nb_now_us();
  int n = 0;
  web_addr last = {{0}};
  pthread_mutex_lock(&g->lock);
  for (web_conn *wc = g->conns; wc; wc = wc->next) {
    int64_t since = atomic_load(&wc->waiting_since_us);
    if (wc->shut || since == 0 || now - since < g->header_timeout_us ||
        wc->fd == MHD_INVALID_SOCKET)
      continue;
    shutdown(wc->fd, SHUT_RDWR);
    wc->shut = 1;
    last = wc->addr;
    n++;
  }
  pthread_mutex_unlock(&g->lock);
  if (n)
    web_guard_note(g, WEB_LIMIT_HEADER_TIME, &last);
  return n;
}

static void *reaper_loop(void *arg) {
  web_guard *g = arg;
  /* A quarter of the timeout late at most, and never busy. */
  int64_t step_us = g->header_timeout_us / 4;
  if (step_us < 50000)
    step_us = 50000;
  if (step_us > 1000000)
    step_us = 1000000;
  pthread_mutex_lock(&g->lock);
  while (!g->stopping) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ns = ts.tv_nsec + (step_us % 1000000) * 1000;
    ts.tv_sec += (time_t)(step_us / 1000000 + ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    pthread_cond_timedwait(&g->wake, &g->lock, &ts);
    if (g->stopping)
      break;
    pthread_mutex_unlock(&g->lock);
    reap(g);
    pthread_mutex_lock(&g->lock);
  }
  pthread_mutex_unlock(&g->lock);
  return NULL;
}

/* ---- slow requests per address ---- */

int web_guard_slow_enter(web_guard *g, const web_addr *a, int max) {
  int rc = NB_OK;
  pthread_mutex_lock(&g->lock);
  addr_node *n = node_get(g, a, 1);
  if (!n)
    rc = NB_ENOMEM;
  else if (max > 0 && n->slow >= max)
    rc = NB_ETOOBIG;
  else
    n->slow++;
  pthread_mutex_unlock(&g->lock);
  return rc;
}

void web_guard_slow_leave(web_guard *g, const web_addr *a) {
  pthread_mutex_lock(&g->lock);
  addr_node *n = node_get(g, a, 0);
  if (n) {
    n->slow--;
    node_put(g, n);
  }
  pthread_mutex_unlock(&g->lock);
}

/* ---- life ---- */

int web_guard_new(int max_per_address, int header_timeout_ms, web_guard **out) {
  web_guard *g = calloc(1, sizeof *g);
  if (!g)
    return NB_ENOMEM;
  pthread_mutex_init(&g->lock, NULL);
  pthread_mutex_init(&g->log_lock, NULL);
  pthread_cond_init(&g->wake, NULL);
  g->max_per_address = max_per_address;
  g->header_timeout_us = (int64_t)header_timeout_ms * 1000;
  if (header_timeout_ms > 0) {
    if (pthread_create(&g->reaper, NULL, reaper_loop, g) != 0) {
      web_guard_free(g);
      return NB_ENOMEM;
    }
    g->reaper_started = 1;
  }
  *out = g;
  return NB_OK;
}

void web_guard_free(web_guard *g) {
  if (!g)
    return;
  pthread_mutex_lock(&g->lock);
  g->stopping = 1;
  pthread_cond_signal(&g->wake);
  pthread_mutex_unlock(&g->lock);
  if (g->reaper_started)
    pthread_join(g->reaper, NULL);
  for (int i = 0; i < GUARD_BUCKETS; i++)
    while (g->buckets[i]) {
      addr_node *n = g->buckets[i];
      g->buckets[i] = n->next;
      free(n);
    }
  pthread_cond_destroy(&g->wake);
  pthread_mutex_destroy(&g->log_lock);
  pthread_mutex_destroy(&g->lock);
  free(g);
}
