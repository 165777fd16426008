/* store/sqlite/engine.h: what the files of the SQLite backend share.
 *
 * One connection per store, used only by the thread that opened it
 * (SQLITE_OPEN_NOMUTEX): debug builds assert it wherever a statement is
 * prepared or stepped, and at close (sq_owned()). Every statement the store
 * prepares or steps, on its connection or on a backup's copy, goes through
 * sq_prepare() and sq_step(): the one place to watch or fail them. */
#ifndef NABA_STORE_SQLITE_ENGINE_H
#define NABA_STORE_SQLITE_ENGINE_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/internal.h"

/* A cached statement, under the address of its SQL text. */
struct sq_slot {
  const char *sql; /* NULL: an empty slot */
  sqlite3_stmt *st;
};

struct store {
  sqlite3 *db;
  int read_tx;           /* store_read_begin() opened a transaction */
  int depth;             /* store_begin() levels open */
  struct sq_slot *cache; /* open addressing, ncache slots (a power of 2) */
  size_t ncache, ncached;
  pthread_t owner; /* the thread that opened it, the only one to use it */
  char err[256];
};

/* For assert(): whether the calling thread may use s. NULL, a connection
 * that is no store's (see sq_prepare()), is the caller's own business. */
static inline int sq_owned(const store *s) {
  return !s || pthread_equal(s->owner, pthread_self());
}

/* Prepares the first statement of sql[0..len) (len -1: up to its NUL) on
 * db, the store's connection or another (a backup's copy); persistent
 * when it is to be cached. s is NULL for a connection that is no store's
 * (store_fts5_register() on a test's). Returns an SQLite code, as
 * sqlite3_prepare_v3(). */
int sq_prepare(store *s, sqlite3 *db, const char *sql, int len, int persistent,
               sqlite3_stmt **st, const char **tail);
/* Steps st (s as for sq_prepare()): SQLITE_ROW, SQLITE_DONE or an (extended)
 * error code, as sqlite3_step(). */
int sq_step(store *s, sqlite3_stmt *st);

/* Test builds (-Dfault=true): SQLite's allocations and file syncs become
 * failure points too (core/fault.c), through a wrapping allocator and VFS.
 * Called before any connection is opened, which debug builds assert; does
 * nothing elsewhere. */
void store_fault_install(void);

/* Maps src, an SQLite code that db returned, to an NB_* code and keeps
 * its message for store_errmsg(), before a later call (a rollback)
 * replaces it. */
int sq_err(store *s, sqlite3 *db, int src);
/* Runs every statement of sql[0..len) on db. quiet: for a cleanup after an
 * error (a rollback), which must not replace that error's message. */
int sq_exec(store *s, sqlite3 *db, const char *sql, size_t len, int quiet);
/* Finalizes every cached statement (store_close()). */
void sq_cache_free(store *s);

#endif
