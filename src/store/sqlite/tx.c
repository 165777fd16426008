/* store/sqlite/tx.c: transactions on SQLite.
 *
 * A write function called outside store_begin() runs in its own
 * BEGIN IMMEDIATE ... COMMIT, so an article and its change tags commit
 * together; inside store_begin() it runs in a savepoint, so a write that
 * fails leaves the caller's transaction as it was before the call. */
#include <string.h>

#include "store/sqlite/engine.h"

/* A cleanup after an error: its own failure must not replace the message
 * of the error that led to it. */
static void undo(store *s, const char *sql) {
  sq_exec(s, s->db, sql, strlen(sql), 1);
}

/* SQLite rolls a transaction back by itself after some errors (disk full,
 * I/O error); store_begin()'s caller must not then write outside it. */
static int tx_lost(store *s) {
  return s->depth > 0 && sqlite3_get_autocommit(s->db);
}

static int tx_lost_err(store *s) {
  return store_err(s, NB_EIO, "transaction was rolled back after an error");
}

int store_begin(store *s) {
  int rc;

  if (tx_lost(s))
    return tx_lost_err(s);
  rc = store_exec(s, s->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT nb_tx");
  if (rc == NB_OK)
    s->depth++;
  return rc;
}

int store_commit(store *s) {
  int rc;

  if (s->depth == 0)
    return store_err(s, NB_EINVAL, "commit without store_begin");
  if (tx_lost(s)) {
    s->depth--;
    return tx_lost_err(s);
  }
  if (s->depth > 1) {
    rc = store_exec(s, "RELEASE nb_tx");
  } else {
    /* A failed COMMIT may leave the transaction open; end it so the
     * connection is usable and the caller's store_rollback() is harmless. */
    rc = store_exec(s, "COMMIT");
    if (rc != NB_OK && !sqlite3_get_autocommit(s->db))
      undo(s, "ROLLBACK");
  }
  s->depth--;
  return rc;
}

int store_rollback(store *s) {
  int rc = NB_OK;

  if (s->depth == 0)
    return store_err(s, NB_EINVAL, "rollback without store_begin");
  if (!tx_lost(s)) {
    if (s->depth > 1)
      rc = store_exec(s, "ROLLBACK TO nb_tx; RELEASE nb_tx");
    else
      rc = store_exec(s, "ROLLBACK");
  }
  s->depth--;
  return rc;
}

int store_w_begin(store *s) {
  if (tx_lost(s))
    return tx_lost_err(s);
  return store_exec(s, s->depth > 0 ? "SAVEPOINT nb_w" : "BEGIN IMMEDIATE");
}

int store_w_end(store *s, int rc) {
  if (s->depth > 0) {
    if (rc == NB_OK)
      return store_exec(s, "RELEASE nb_w");
    if (!sqlite3_get_autocommit(s->db))
      undo(s, "ROLLBACK TO nb_w; RELEASE nb_w");
    return rc;
  }
  if (rc == NB_OK)
    rc = store_exec(s, "COMMIT");
  if (rc != NB_OK && !sqlite3_get_autocommit(s->db))
    undo(s, "ROLLBACK");
  return rc;
}

int store_snap_begin(store *s, int *own) {
  *own = sqlite3_get_autocommit(s->db);
  return *own ? store_exec(s, "BEGIN") : NB_OK;
}

int store_snap_end(store *s, int own, int rc) {
  if (own && !sqlite3_get_autocommit(s->db)) {
    int end = store_exec(s, "COMMIT");
    rc = rc == NB_OK ? end : rc;
    if (!sqlite3_get_autocommit(s->db))
      undo(s, "ROLLBACK");
  }
  return rc;
}

int store_read_begin(store *s) {
  int rc;

  if (!sqlite3_get_autocommit(s->db))
    return NB_OK; /* inside the caller's transaction already */
  rc = store_exec(s, "BEGIN");
  s->read_tx = rc == NB_OK;
  return rc;
}

void store_read_end(store *s) {
  if (s->read_tx && !sqlite3_get_autocommit(s->db))
    undo(s, "COMMIT");
  s->read_tx = 0;
}
