/* store/sqlite/query.c: statements on SQLite. The one place statements are
 * prepared and stepped, the per-connection statement cache, and the
 * sticky query helpers of store/internal.h.
 *
 * Statements are prepared on first use and kept for the life of the
 * connection, under the address of their SQL text (a literal of the domain
 * file that runs it); every one is parameterised, and reset with its
 * parameters let go by q_done(). */
#include <assert.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/engine.h"

/* ---- the one place to prepare and step ---- */

int sq_prepare(store *s, sqlite3 *db, const char *sql, int len, int persistent,
               sqlite3_stmt **st, const char **tail) {
  assert(sq_owned(s));
  (void)s; /* release builds */
  if (nb_fault(NB_FAULT_STORE)) {
    *st = NULL;
    return SQLITE_IOERR;
  }
  return sqlite3_prepare_v3(
      db, sql, len, persistent ? SQLITE_PREPARE_PERSISTENT : 0, st, tail);
}

int sq_step(store *s, sqlite3_stmt *st) {
  assert(sq_owned(s));
  (void)s;
  return nb_fault(NB_FAULT_STORE) ? SQLITE_IOERR : sqlite3_step(st);
}

/* ---- errors ---- */

int store_err(store *s, int rc, const char *msg) {
  snprintf(s->err, sizeof s->err, "%s", msg);
  return rc;
}

int store_errf(store *s, int rc, const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(s->err, sizeof s->err, fmt, ap);
  va_end(ap);
  return rc;
}

const char *store_errmsg(store *s) {
  return s ? s->err : "no store";
}

int sq_err(store *s, sqlite3 *db, int src) {
  /* The connection's message when it describes src; a code that did not
   * come from the connection (a hook's) has SQLite's generic text. */
  int same = db && (sqlite3_extended_errcode(db) & 0xff) == (src & 0xff);

  store_err(s, 0, same ? sqlite3_errmsg(db) : sqlite3_errstr(src));
  switch (src & 0xff) {
  case SQLITE_NOMEM:
    return NB_ENOMEM;
  case SQLITE_TOOBIG:
    return NB_ETOOBIG;
  case SQLITE_CONSTRAINT:
    if (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY)
      return NB_EEXIST;
    return NB_EINVAL;
  case SQLITE_MISMATCH:
  case SQLITE_RANGE:
    return NB_EINVAL;
  default:
    return NB_EIO;
  }
}

int sq_exec(store *s, sqlite3 *db, const char *sql, size_t len, int quiet) {
  const char *p = sql, *end = sql + len, *tail = NULL;
  sqlite3_stmt *st;
  int rc = NB_OK, src;

  assert(len <= INT_MAX);
  while (rc == NB_OK && p < end) {
    st = NULL;
    src = sq_prepare(s, db, p, (int)(end - p), 0, &st, &tail);
    if (src == SQLITE_OK && !st)
      break; /* only whitespace or comments left */
    while (src == SQLITE_OK && (src = sq_step(s, st)) == SQLITE_ROW)
      src = SQLITE_OK;
    if (src != SQLITE_OK && src != SQLITE_DONE)
      rc = quiet ? NB_EIO : sq_err(s, db, src); /* before finalizing */
    sqlite3_finalize(st);
    p = tail;
  }
  return rc;
}

int store_exec(store *s, const char *sql) {
  return sq_exec(s, s->db, sql, strlen(sql), 0);
}

int64_t store_total_changes(store *s) {
  return sqlite3_total_changes64(s->db);
}

/* ---- the statement cache ---- */

static size_t slot_hash(const char *sql) {
  return (size_t)(((uint64_t)(uintptr_t)sql * 0x9E3779B97F4A7C15u) >> 32);
}

static struct sq_slot *slot_find(struct sq_slot *c, size_t n, const char *sql) {
  size_t i = slot_hash(sql) & (n - 1);

  while (c[i].sql && c[i].sql != sql)
    i = (i + 1) & (n - 1);
  return &c[i];
}

/* The slot of sql: its statement, or the empty slot where it goes. NULL
 * when out of memory. Kept at most half full, so probes stay short. */
static struct sq_slot *cache_slot(store *s, const char *sql) {
  if ((s->ncached + 1) * 2 > s->ncache) {
    size_t n = s->ncache ? s->ncache * 2 : 256;
    struct sq_slot *c = calloc(n, sizeof *c);
    if (!c)
      return NULL;
    for (size_t i = 0; i < s->ncache; i++)
      if (s->cache[i].sql)
        *slot_find(c, n, s->cache[i].sql) = s->cache[i];
    free(s->cache);
    s->cache = c;
    s->ncache = n;
  }
  return slot_find(s->cache, s->ncache, sql);
}

void sq_cache_free(store *s) {
  for (size_t i = 0; i < s->ncache; i++)
    sqlite3_finalize(s->cache[i].st);
  free(s->cache);
  s->cache = NULL;
  s->ncache = s->ncached = 0;
}

/* ---- queries ---- */

void q_open_flags(store_q *q, store *s, const char *sql, unsigned flags) {
  struct sq_slot *slot;
  sqlite3_stmt *st = NULL;
  int src;

  assert(s && sql && *sql);
  assert(sq_owned(s)); /* a cached statement skips sq_prepare() */
  *q = (store_q){s, NULL, NB_OK, flags};
  if (flags & Q_ONCE) {
    src = sq_prepare(s, s->db, sql, -1, 0, &st, NULL);
    if (src != SQLITE_OK)
      q->rc = sq_err(s, s->db, src);
    q->st = st;
    return;
  }
  slot = cache_slot(s, sql);
  if (!slot) {
    q->rc = store_err(s, NB_ENOMEM, "out of memory");
    return;
  }
  if (!slot->sql) {
    src = sq_prepare(s, s->db, sql, -1, 1, &st, NULL);
    if (src != SQLITE_OK) {
      q->rc = sq_err(s, s->db, src);
      return;
    }
    *slot = (struct sq_slot){sql, st};
    s->ncached++;
  }
  /* Each query has its own SQL: one still running (its caller loops over
   * its rows) cannot be started again inside that loop. */
  assert(!sqlite3_stmt_busy(slot->st));
  q->st = slot->st;
}

void q_open(store_q *q, store *s, const char *sql) {
  q_open_flags(q, s, sql, 0);
}

/* Fails the query with the connection's error src, unless it failed
 * already. */
static void q_src(store_q *q, int src) {
  if (q->rc == NB_OK && src != SQLITE_OK)
    q->rc = sq_err(q->s, q->s->db, src);
}

void q_i64(store_q *q, int i, int64_t v) {
  if (q->rc == NB_OK)
    q_src(q, sqlite3_bind_int64(q->st, i, v));
}

void q_id(store_q *q, int i, int64_t v) {
  if (q->rc == NB_OK)
    q_src(q, v ? sqlite3_bind_int64(q->st, i, v) : sqlite3_bind_null(q->st, i));
}

void q_text(store_q *q, int i, const char *v) {
  if (q->rc == NB_OK)
    q_src(q, sqlite3_bind_text(q->st, i, v, -1, SQLITE_STATIC));
}

void q_textn(store_q *q, int i, const char *v, size_t n) {
  if (q->rc == NB_OK && n > INT_MAX)
    q_err(q, NB_ETOOBIG, "text too long");
  if (q->rc == NB_OK)
    q_src(q, sqlite3_bind_text(q->st, i, v ? v : "", (int)n, SQLITE_STATIC));
}

void q_blob(store_q *q, int i, const void *v, size_t n) {
  if (q->rc == NB_OK && n > INT_MAX)
    q_err(q, NB_ETOOBIG, "blob too long");
  if (q->rc == NB_OK)
    q_src(q, sqlite3_bind_blob(q->st, i, v, (int)n, SQLITE_STATIC));
}

int q_step(store_q *q) {
  int src;

  if (q->rc != NB_OK)
    return 0;
  src = sq_step(q->s, q->st);
  if (src == SQLITE_ROW)
    return 1;
  if (src != SQLITE_DONE) {
    q_src(q, src);
    if ((q->flags & Q_INPUT) && src == SQLITE_ERROR)
      q->rc = NB_EINVAL;
  }
  return 0;
}

int64_t q_col_i64(store_q *q, int i) {
  return q->rc == NB_OK ? sqlite3_column_int64(q->st, i) : 0;
}

int q_col_int(store_q *q, int i) {
  return q->rc == NB_OK ? sqlite3_column_int(q->st, i) : 0;
}

double q_col_double(store_q *q, int i) {
  return q->rc == NB_OK ? sqlite3_column_double(q->st, i) : 0;
}

const char *q_col_text(store_q *q, int i, size_t *n) {
  const char *p = NULL;

  if (n)
    *n = 0;
  if (q->rc != NB_OK)
    return NULL;
  p = (const char *)sqlite3_column_text(q->st, i);
  if (!p && sqlite3_errcode(q->s->db) == SQLITE_NOMEM)
    q_err(q, NB_ENOMEM, "out of memory");
  else if (p && n)
    *n = (size_t)sqlite3_column_bytes(q->st, i);
  return p;
}

const char *q_col_str(store_q *q, arena_t *a, int i) {
  size_t n = 0;
  const char *p = q_col_text(q, i, &n);
  char *copy;

  if (q->rc != NB_OK)
    return "";
  copy = arena_strndup(a, p ? p : "", n);
  if (!copy) {
    q_err(q, NB_ENOMEM, "out of memory");
    return "";
  }
  return copy;
}

int64_t q_changes(store_q *q) {
  return q->rc == NB_OK ? sqlite3_changes64(q->s->db) : 0;
}

int64_t q_last_id(store_q *q) {
  return q->rc == NB_OK ? sqlite3_last_insert_rowid(q->s->db) : 0;
}

void q_fail(store_q *q, int rc) {
  if (q->rc == NB_OK)
    q->rc = rc;
}

void q_err(store_q *q, int rc, const char *msg) {
  if (q->rc == NB_OK)
    q->rc = store_err(q->s, rc, msg);
}

int q_done(store_q *q) {
  if (q->st && (q->flags & Q_ONCE)) {
    sqlite3_finalize(q->st);
  } else if (q->st) {
    sqlite3_reset(q->st);
    sqlite3_clear_bindings(q->st);
  }
  q->st = NULL;
  return q->rc;
}
