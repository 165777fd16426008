/* store/sqlite.c: the store (store.h) on SQLite.
 *
 * One connection per store, used by one thread at a time (SQLITE_OPEN_NOMUTEX).
 * The database is in WAL mode so readers never wait for the writer, with
 * synchronous=FULL so a commit that returned has reached the disk.
 *
 * Statements are prepared on first use and kept for the life of the
 * connection, indexed by the ST_* enum below; every one is parameterised and
 * reset after use (see st_get() and st_done()).
 *
 * Transactions: a write function called outside store_begin() runs in its own
 * BEGIN IMMEDIATE ... COMMIT, so an article and its change tags commit
 * together; inside store_begin() it runs in a savepoint, so a write that
 * fails leaves the caller's transaction as it was before the call. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"

/* Defined in the migrations.c that tools/embed.py generates from
 * store/migrations/NNN_name.sql, sorted by name. data is NUL-terminated. */
struct nb_embed {
  const char *name;
  const char *data;
  size_t len;
};
extern const struct nb_embed store_migrations[];
extern const size_t store_migrations_count;

/* The change log keeps this many newest rows. */
#define CHANGES_KEEP 10000

enum {
  ST_SECTIONS,
  ST_SECTION_BY_SLUG,
  ST_SECTION_BY_ID,
  ST_SECTION_BY_NAME,
  ST_SECTION_INSERT,
  ST_AUTHOR_BY_NAME,
  ST_AUTHOR_INSERT,
  ST_ARTICLE_BY_ID,
  ST_LATEST,
  ST_LATEST_SECTION,
  ST_COUNT_ALL,
  ST_COUNT_SECTION,
  ST_ARTICLE_OLD_BY_KEY,
  ST_ARTICLE_OLD_BY_ID,
  ST_ARTICLE_INSERT,
  ST_ARTICLE_UPDATE,
  ST_SETTING_GET,
  ST_SETTING_SET,
  ST_SETTING_UNSET,
  ST_SETTINGS_ALL,
  ST_DATA_VERSION,
  ST_CHANGE_ADD,
  ST_CHANGES_TRIM,
  ST_CHANGES_HEAD,
  ST_CHANGES_SINCE,
  ST_DUE,
  ST_N
};

/* The columns read_article() expects, in this order; body_html comes last
 * and only in single-article queries. */
#define ARTICLE_COLS                                                           \
  "a.id, a.section_id, coalesce(a.author_id, 0), a.title, a.slug, "            \
  "a.summary, a.image_url, a.published_at, a.updated_at, a.status, s.name, "   \
  "s.slug, coalesce(u.name, '')"
#define ARTICLE_FROM                                                           \
  " FROM articles a JOIN sections s ON s.id = a.section_id"                    \
  " LEFT JOIN authors u ON u.id = a.author_id"
/* Published: visible to readers now (scheduled ones wait for their time). */
#define PUBLISHED " a.status = 1 AND a.published_at <= ?1"
#define NEWEST " ORDER BY a.published_at DESC, a.id DESC"

static const char *const st_sql[ST_N] = {
    [ST_SECTIONS] =
        "SELECT id, name, slug, position FROM sections ORDER BY position, id",
    [ST_SECTION_BY_SLUG] =
        "SELECT id, name, slug, position FROM sections WHERE slug = ?1",
    [ST_SECTION_BY_ID] =
        "SELECT id, name, slug, position FROM sections WHERE id = ?1",
    [ST_SECTION_BY_NAME] = "SELECT id FROM sections WHERE name = ?1",
    [ST_SECTION_INSERT] =
        "INSERT INTO sections (name, slug, position) VALUES (?1, ?2, "
        "(SELECT coalesce(max(position), 0) + 1 FROM sections))",
    [ST_AUTHOR_BY_NAME] = "SELECT id FROM authors WHERE name = ?1",
    [ST_AUTHOR_INSERT] = "INSERT INTO authors (name, slug) VALUES (?1, ?2)",
    [ST_ARTICLE_BY_ID] = "SELECT " ARTICLE_COLS ", a.body_html" ARTICLE_FROM
                         " WHERE a.id = ?2 AND" PUBLISHED,
    [ST_LATEST] = "SELECT " ARTICLE_COLS ARTICLE_FROM " WHERE" PUBLISHED NEWEST
                  " LIMIT ?2 OFFSET ?3",
    [ST_LATEST_SECTION] =
        "SELECT " ARTICLE_COLS ARTICLE_FROM
        " WHERE a.section_id = ?4 AND" PUBLISHED NEWEST " LIMIT ?2 OFFSET ?3",
    [ST_COUNT_ALL] = "SELECT count(*) FROM articles a WHERE" PUBLISHED,
    [ST_COUNT_SECTION] = "SELECT count(*) FROM articles a"
                         " WHERE a.section_id = ?2 AND" PUBLISHED,
    [ST_ARTICLE_OLD_BY_KEY] =
        "SELECT id, section_id, coalesce(author_id, 0), published_at"
        " FROM articles WHERE source_key = ?1",
    [ST_ARTICLE_OLD_BY_ID] =
        "SELECT id, section_id, coalesce(author_id, 0), published_at"
        " FROM articles WHERE id = ?1",
    [ST_ARTICLE_INSERT] =
        "INSERT INTO articles (section_id, author_id, title, slug, summary,"
        " body_html, image_url, status, published_at, updated_at, created_at,"
        " source_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10,"
        " ?11)",
    [ST_ARTICLE_UPDATE] =
        "UPDATE articles SET section_id = ?1, author_id = ?2, title = ?3,"
        " slug = ?4, summary = ?5, body_html = ?6, image_url = ?7,"
        " status = ?8, published_at = ?9, updated_at = ?10,"
        " source_key = coalesce(?11, source_key) WHERE id = ?12",
    [ST_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
    [ST_SETTING_SET] =
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
        " updated_at = excluded.updated_at",
    [ST_SETTING_UNSET] = "DELETE FROM settings WHERE key = ?1",
    [ST_SETTINGS_ALL] = "SELECT key, value FROM settings ORDER BY key",
    [ST_DATA_VERSION] = "PRAGMA data_version",
    [ST_CHANGE_ADD] = "INSERT INTO changes (tag, at) VALUES (?1, ?2)",
    [ST_CHANGES_TRIM] = "DELETE FROM changes WHERE id <= "
                        "(SELECT max(id) FROM changes) - ?1",
    [ST_CHANGES_HEAD] = "SELECT coalesce(max(id), 0) FROM changes",
    [ST_CHANGES_SINCE] =
        "SELECT id, tag FROM changes WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_DUE] = "SELECT id, section_id, coalesce(author_id, 0) FROM articles"
               " WHERE status = 1 AND published_at > ?1 AND published_at <= ?2"
               " ORDER BY published_at LIMIT 256",
};

struct store {
  sqlite3 *db;
  sqlite3_stmt *st[ST_N];
  int depth; /* store_begin() levels open */
  char err[256];
};

/* ---- errors ---- */

static int set_err(store *s, int rc, const char *msg) {
  snprintf(s->err, sizeof s->err, "%s", msg);
  return rc;
}

/* Maps the connection's last SQLite error to an NB_* code and keeps its
 * message, before a later call (a rollback) replaces it. */
static int db_err(store *s) {
  int ext = sqlite3_extended_errcode(s->db);

  set_err(s, 0, sqlite3_errmsg(s->db));
  switch (ext & 0xff) {
  case SQLITE_NOMEM:
    return NB_ENOMEM;
  case SQLITE_TOOBIG:
    return NB_ETOOBIG;
  case SQLITE_CONSTRAINT:
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
      return NB_EEXIST;
    return NB_EINVAL;
  case SQLITE_MISMATCH:
  case SQLITE_RANGE:
    return NB_EINVAL;
  default:
    return NB_EIO;
  }
}

const char *store_errmsg(store *s) {
  return s ? s->err : "no store";
}

/* ---- statements ---- */

/* The cached statement `id`, prepared on first use. */
static int st_get(store *s, int id, sqlite3_stmt **out) {
  assert(id >= 0 && id < ST_N && st_sql[id]);
  *out = NULL;
  if (!s->st[id] &&
      sqlite3_prepare_v3(s->db, st_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                         &s->st[id], NULL) != SQLITE_OK)
    return db_err(s);
  *out = s->st[id];
  return NB_OK;
}

/* Makes the statement ready for its next use and drops references to the
 * caller's strings. */
static void st_done(sqlite3_stmt *st) {
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

/* Steps once: 1 for a row, 0 when done, or a negative NB_* code. */
static int st_step(store *s, sqlite3_stmt *st) {
  int src = sqlite3_step(st);

  if (src == SQLITE_ROW)
    return 1;
  if (src == SQLITE_DONE)
    return 0;
  return db_err(s);
}

/* Runs a statement that returns no rows to its end, then resets it. */
static int st_run(store *s, sqlite3_stmt *st) {
  int rc = st_step(s, st);

  st_done(st);
  return rc < 0 ? rc : NB_OK;
}

static int bind_text(store *s, sqlite3_stmt *st, int i, const char *v) {
  if (sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) != SQLITE_OK)
    return db_err(s);
  return NB_OK;
}

static int bind_i64(store *s, sqlite3_stmt *st, int i, int64_t v) {
  if (sqlite3_bind_int64(st, i, v) != SQLITE_OK)
    return db_err(s);
  return NB_OK;
}

/* Copies text column i into the arena; NULL on out of memory. */
static const char *col_str(store *s, arena_t *a, sqlite3_stmt *st, int i) {
  const char *p = (const char *)sqlite3_column_text(st, i);
  int n = sqlite3_column_bytes(st, i);

  if (!p) {
    if (sqlite3_errcode(s->db) == SQLITE_NOMEM)
      return NULL;
    p = "";
    n = 0;
  }
  return arena_strndup(a, p, (size_t)n);
}

/* Text written to the database must be valid UTF-8: everything above
 * (search, slugs, templates) relies on it. */
static int check_text(store *s, const char *v, const char *what) {
  if (v && !utf8_valid(v, strlen(v))) {
    snprintf(s->err, sizeof s->err, "%s is not valid UTF-8", what);
    return NB_EINVAL;
  }
  return NB_OK;
}

/* Makes room for item n of an array in the arena: returns items, or a copy
 * twice as large when it is full (the arena keeps the old one, so at most
 * half is wasted and the caller frees nothing); NULL when out of memory. */
static void *grow(arena_t *a, void *items, size_t *cap, size_t n, size_t size) {
  size_t ncap;
  void *p;

  if (n < *cap)
    return items;
  ncap = *cap ? *cap * 2 : 16;
  if (ncap > SIZE_MAX / size)
    return NULL;
  p = arena_alloc(a, ncap * size);
  if (!p)
    return NULL;
  if (n)
    memcpy(p, items, n * size);
  *cap = ncap;
  return p;
}

/* ---- transactions ---- */

static int exec(store *s, const char *sql) {
  if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return db_err(s);
  return NB_OK;
}

/* SQLite rolls a transaction back by itself after some errors (disk full,
 * I/O error); store_begin()'s caller must not then write outside it. */
static int tx_lost(store *s) {
  return s->depth > 0 && sqlite3_get_autocommit(s->db);
}

static int tx_lost_err(store *s) {
  return set_err(s, NB_EIO, "transaction was rolled back after an error");
}

int store_begin(store *s) {
  int rc;

  if (tx_lost(s))
    return tx_lost_err(s);
  rc = exec(s, s->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT nb_tx");
  if (rc == NB_OK)
    s->depth++;
  return rc;
}

int store_commit(store *s) {
  int rc;

  if (s->depth == 0)
    return set_err(s, NB_EINVAL, "commit without store_begin");
  if (tx_lost(s)) {
    s->depth--;
    return tx_lost_err(s);
  }
  if (s->depth > 1) {
    rc = exec(s, "RELEASE nb_tx");
  } else {
    /* A failed COMMIT may leave the transaction open; end it so the
     * connection is usable and the caller's store_rollback() is harmless. */
    rc = exec(s, "COMMIT");
    if (rc != NB_OK && !sqlite3_get_autocommit(s->db))
      sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  }
  s->depth--;
  return rc;
}

int store_rollback(store *s) {
  int rc = NB_OK;

  if (s->depth == 0)
    return set_err(s, NB_EINVAL, "rollback without store_begin");
  if (!tx_lost(s)) {
    if (s->depth > 1)
      rc = exec(s, "ROLLBACK TO nb_tx; RELEASE nb_tx");
    else
      rc = exec(s, "ROLLBACK");
  }
  s->depth--;
  return rc;
}

/* Brackets one write function: its own transaction, or a savepoint inside
 * the caller's. */
static int w_begin(store *s) {
  if (tx_lost(s))
    return tx_lost_err(s);
  return exec(s, s->depth > 0 ? "SAVEPOINT nb_w" : "BEGIN IMMEDIATE");
}

/* Ends what w_begin() started: commits when rc is NB_OK, else undoes the
 * write, keeping the first error's code and message. */
static int w_end(store *s, int rc) {
  if (s->depth > 0) {
    if (rc == NB_OK)
      return exec(s, "RELEASE nb_w");
    if (!sqlite3_get_autocommit(s->db))
      sqlite3_exec(s->db, "ROLLBACK TO nb_w; RELEASE nb_w", NULL, NULL, NULL);
    return rc;
  }
  if (rc == NB_OK)
    rc = exec(s, "COMMIT");
  if (rc != NB_OK && !sqlite3_get_autocommit(s->db))
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

/* ---- change log ---- */

static int change_add(store *s, const char *tag) {
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, ST_CHANGE_ADD, &st);

  if (rc == NB_OK)
    rc = bind_text(s, st, 1, tag);
  if (rc == NB_OK)
    rc = bind_i64(s, st, 2, nb_now());
  if (rc == NB_OK)
    rc = st_run(s, st);
  return rc;
}

static int change_add_id(store *s, const char *kind, int64_t id) {
  char tag[64];

  snprintf(tag, sizeof tag, "%s:%lld", kind, (long long)id);
  return change_add(s, tag);
}

/* Keeps the newest CHANGES_KEEP rows; called once per write function. */
static int changes_trim(store *s) {
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, ST_CHANGES_TRIM, &st);

  if (rc == NB_OK)
    rc = bind_i64(s, st, 1, CHANGES_KEEP);
  if (rc == NB_OK)
    rc = st_run(s, st);
  return rc;
}

/* ---- open, migrate, close ---- */

/* The number a migration's name starts with ("002_x.sql" -> 2). */
static int migration_number(const char *name, int64_t *out) {
  size_t n = 0;

  while (name[n] >= '0' && name[n] <= '9')
    n++;
  return nb_parse_i64(name, n, 1, INT32_MAX, out);
}

/* Highest applied migration, 0 for a database without the table. */
static int schema_version(store *s, int64_t *v) {
  sqlite3_stmt *st = NULL;
  int rc = NB_OK, src;

  *v = 0;
  src = sqlite3_prepare_v2(s->db,
                           "SELECT count(*) FROM sqlite_schema"
                           " WHERE type = 'table' AND name = 'schema_version'",
                           -1, &st, NULL);
  if (src != SQLITE_OK || (src = sqlite3_step(st)) != SQLITE_ROW) {
    rc = db_err(s);
    goto done;
  }
  if (sqlite3_column_int(st, 0) == 0)
    goto done;
  sqlite3_finalize(st);
  src = sqlite3_prepare_v2(
      s->db, "SELECT coalesce(max(version), 0) FROM schema_version", -1, &st,
      NULL);
  if (src != SQLITE_OK || (src = sqlite3_step(st)) != SQLITE_ROW) {
    rc = db_err(s);
    goto done;
  }
  *v = sqlite3_column_int64(st, 0);
done:
  sqlite3_finalize(st);
  return rc;
}

/* Runs every statement of a migration file (data is len bytes). */
static int exec_script(store *s, const char *data, size_t len) {
  const char *p = data, *end = data + len, *tail;
  sqlite3_stmt *st;
  int src;

  while (p < end) {
    src = sqlite3_prepare_v2(s->db, p, (int)(end - p), &st, &tail);
    if (src != SQLITE_OK)
      return db_err(s);
    if (!st) /* only whitespace or comments left */
      break;
    while ((src = sqlite3_step(st)) == SQLITE_ROW)
      ;
    if (src != SQLITE_DONE) {
      src = db_err(s);
      sqlite3_finalize(st);
      return src;
    }
    sqlite3_finalize(st);
    p = tail;
  }
  return NB_OK;
}

static int record_migration(store *s, int64_t version, const char *name) {
  sqlite3_stmt *st;
  int rc = NB_OK;

  if (sqlite3_prepare_v2(s->db,
                         "INSERT INTO schema_version (version, name, "
                         "applied_at) VALUES (?1, ?2, ?3)",
                         -1, &st, NULL) != SQLITE_OK)
    return db_err(s);
  sqlite3_bind_int64(st, 1, version);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, nb_now());
  if (sqlite3_step(st) != SQLITE_DONE)
    rc = db_err(s);
  sqlite3_finalize(st);
  return rc;
}

/* The newest migration this program knows, and a check that the embedded
 * names are numbered and in strictly increasing order. */
static int migrations_latest(int64_t *latest, char *err, size_t errlen) {
  int64_t v, prev = 0;
  size_t i;

  for (i = 0; i < store_migrations_count; i++) {
    const char *name = store_migrations[i].name;
    if (migration_number(name, &v) != NB_OK || v <= prev) {
      snprintf(err, errlen,
               "migration %s: name must start with a number above %lld", name,
               (long long)prev);
      return NB_EINVAL;
    }
    prev = v;
  }
  *latest = prev;
  return NB_OK;
}

/* Applies every migration above the recorded version, all in one
 * transaction, so a database is never left half-migrated. Migration files
 * must therefore not say BEGIN or COMMIT, and as foreign_keys cannot be
 * switched off inside a transaction, a migration that rebuilds a table uses
 * PRAGMA defer_foreign_keys = ON instead. */
static int migrate(store *s, const char *path, int64_t latest, char *err,
                   size_t errlen) {
  const char *failed = NULL;
  int64_t have, v;
  size_t i;
  int rc;

  /* Most opens find the schema current: check without taking the write
   * lock, so opening does not wait behind a long import. */
  rc = schema_version(s, &have);
  if (rc == NB_OK && have >= latest)
    goto done;
  if (rc == NB_OK)
    rc = exec(s, "BEGIN IMMEDIATE");
  if (rc == NB_OK)
    rc = exec(s, "CREATE TABLE IF NOT EXISTS schema_version ("
                 "version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at INTEGER NOT NULL) STRICT");
  if (rc == NB_OK)
    rc = schema_version(s, &have); /* another process may have migrated */
  for (i = 0; rc == NB_OK && i < store_migrations_count; i++) {
    const struct nb_embed *m = &store_migrations[i];
    migration_number(m->name, &v);
    if (v <= have)
      continue;
    failed = m->name;
    rc = exec_script(s, m->data, m->len);
    if (rc == NB_OK)
      rc = record_migration(s, v, m->name);
  }
  if (rc == NB_OK) {
    failed = NULL;
    rc = exec(s, "COMMIT");
  }
  if (rc != NB_OK && !sqlite3_get_autocommit(s->db))
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
done:
  if (rc != NB_OK) {
    if (failed)
      snprintf(err, errlen, "migration %s: %s", failed, s->err);
    else
      snprintf(err, errlen, "%s: %s", path, s->err);
  } else if (have > latest) {
    snprintf(err, errlen,
             "%s has schema version %lld, newer than this program's %lld", path,
             (long long)have, (long long)latest);
    rc = NB_EINVAL;
  }
  return rc;
}

/* A read-only connection cannot migrate: it needs the schema this program
 * was built for. */
static int check_schema(store *s, const char *path, int64_t latest, char *err,
                        size_t errlen) {
  int64_t have;
  int rc = schema_version(s, &have);

  if (rc != NB_OK)
    snprintf(err, errlen, "%s: %s", path, s->err);
  else if (have == 0) {
    snprintf(err, errlen,
             "%s has no naba schema; open it read-write once to create it",
             path);
    rc = NB_EINVAL;
  } else if (have != latest) {
    snprintf(err, errlen,
             "%s has schema version %lld but this program needs %lld; open it "
             "read-write with the newest program to migrate",
             path, (long long)have, (long long)latest);
    rc = NB_EINVAL;
  }
  return rc;
}

/* Runs a pragma and checks that the first row it returns (if any) says
 * `want`. */
static int pragma(store *s, const char *sql, const char *want) {
  sqlite3_stmt *st;
  const char *got;
  int rc = NB_OK, src;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return db_err(s);
  src = sqlite3_step(st);
  if (src == SQLITE_ROW && want) {
    got = (const char *)sqlite3_column_text(st, 0);
    if (!got || sqlite3_stricmp(got, want) != 0)
      rc = set_err(s, NB_EIO, "journal_mode=WAL refused");
  } else if (src != SQLITE_ROW && src != SQLITE_DONE) {
    rc = db_err(s);
  }
  sqlite3_finalize(st);
  return rc;
}

int store_open(const char *path, int readonly, store **out, char *err,
               size_t errlen) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  int64_t latest = 0;
  store *s;
  int rc;

  assert(path && out);
  *out = NULL;
  if (errlen > 0)
    err[0] = '\0';
  rc = migrations_latest(&latest, err, errlen);
  if (rc != NB_OK)
    return rc;
  s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "out of memory");
    return NB_ENOMEM;
  }
  flags |= readonly ? SQLITE_OPEN_READONLY
                    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
    rc = s->db ? db_err(s) : set_err(s, NB_ENOMEM, "out of memory");
    snprintf(err, errlen, "cannot open %s: %s", path, s->err);
    goto fail;
  }
  sqlite3_extended_result_codes(s->db, 1);
  sqlite3_busy_timeout(s->db, 5000);
  /* No SQL, ours or a future bug's, can corrupt the file itself
   * (writable_schema and the like are refused). */
  sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  rc = pragma(s, "PRAGMA foreign_keys = ON", NULL);
  if (rc == NB_OK && !readonly) {
    rc = pragma(s, "PRAGMA journal_mode = WAL",
                strcmp(path, ":memory:") == 0 ? "memory" : "wal");
    if (rc == NB_OK)
      rc = pragma(s, "PRAGMA synchronous = FULL", NULL);
  }
  if (rc != NB_OK) {
    snprintf(err, errlen, "%s: %s", path, s->err);
    goto fail;
  }
  rc = readonly ? check_schema(s, path, latest, err, errlen)
                : migrate(s, path, latest, err, errlen);
  if (rc != NB_OK)
    goto fail;
  *out = s;
  return NB_OK;
fail:
  store_close(s);
  return rc;
}

void store_close(store *s) {
  int i;

  if (!s)
    return;
  for (i = 0; i < ST_N; i++)
    sqlite3_finalize(s->st[i]);
  /* Everything is finalized, so this closes (and rolls back an open
   * transaction). */
  sqlite3_close(s->db);
  free(s);
}

/* ---- sections ---- */

static int read_section(store *s, arena_t *a, sqlite3_stmt *st,
                        store_section *out) {
  out->id = sqlite3_column_int64(st, 0);
  out->name = col_str(s, a, st, 1);
  out->slug = col_str(s, a, st, 2);
  out->position = sqlite3_column_int64(st, 3);
  return out->name && out->slug ? NB_OK : NB_ENOMEM;
}

int store_sections(store *s, arena_t *a, store_section **out, size_t *n) {
  store_section *items = NULL;
  size_t cap = 0, len = 0;
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, ST_SECTIONS, &st);

  while (rc == NB_OK && (rc = st_step(s, st)) == 1) {
    items = grow(a, items, &cap, len, sizeof *items);
    if (!items)
      rc = NB_ENOMEM;
    else
      rc = read_section(s, a, st, &items[len++]);
  }
  if (st)
    st_done(st);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

static int section_one(store *s, arena_t *a, int id, const char *slug,
                       int64_t sid, store_section *out) {
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, id, &st);

  if (rc != NB_OK)
    return rc;
  rc = slug ? bind_text(s, st, 1, slug) : bind_i64(s, st, 1, sid);
  if (rc == NB_OK)
    rc = st_step(s, st);
  if (rc == 1)
    rc = read_section(s, a, st, out);
  else if (rc == 0)
    rc = NB_ENOTFOUND;
  st_done(st);
  return rc;
}

int store_section_by_slug(store *s, arena_t *a, const char *slug,
                          store_section *out) {
  assert(slug);
  return section_one(s, a, ST_SECTION_BY_SLUG, slug, 0, out);
}

int store_section_by_id(store *s, arena_t *a, int64_t id, store_section *out) {
  return section_one(s, a, ST_SECTION_BY_ID, NULL, id, out);
}

/* Looks a row up by name with statement `find`, inserting it with `insert`
 * (name, slug) if there is none. */
static int ensure(store *s, int find, int insert, const char *name,
                  const char *slug, int64_t *id, int *created) {
  sqlite3_stmt *st;
  int rc;

  *created = 0;
  if (!name || !slug)
    return set_err(s, NB_EINVAL, "name and slug are required");
  rc = check_text(s, name, "name");
  if (rc == NB_OK)
    rc = check_text(s, slug, "slug");
  if (rc == NB_OK)
    rc = st_get(s, find, &st);
  if (rc != NB_OK)
    return rc;
  rc = bind_text(s, st, 1, name);
  if (rc == NB_OK)
    rc = st_step(s, st);
  if (rc == 1)
    *id = sqlite3_column_int64(st, 0);
  st_done(st);
  if (rc != 0)
    return rc == 1 ? NB_OK : rc;

  rc = st_get(s, insert, &st);
  if (rc != NB_OK)
    return rc;
  rc = bind_text(s, st, 1, name);
  if (rc == NB_OK)
    rc = bind_text(s, st, 2, slug);
  if (rc == NB_OK)
    rc = st_run(s, st);
  if (rc == NB_OK) {
    *id = sqlite3_last_insert_rowid(s->db);
    *created = 1;
  }
  return rc;
}

int store_section_ensure(store *s, const char *name, const char *slug,
                         int64_t *id, int *created) {
  int rc, made = 0;

  rc = w_begin(s);
  if (rc != NB_OK)
    return rc;
  rc = ensure(s, ST_SECTION_BY_NAME, ST_SECTION_INSERT, name, slug, id, &made);
  if (rc == NB_OK && made) {
    rc = change_add(s, "sections");
    if (rc == NB_OK)
      rc = change_add(s, "home");
    if (rc == NB_OK)
      rc = changes_trim(s);
  }
  rc = w_end(s, rc);
  if (created)
    *created = rc == NB_OK && made;
  return rc;
}

/* ---- authors ---- */

int store_author_ensure(store *s, const char *name, const char *slug,
                        int64_t *id) {
  int rc, made;

  rc = w_begin(s);
  if (rc == NB_OK)
    rc = w_end(s, ensure(s, ST_AUTHOR_BY_NAME, ST_AUTHOR_INSERT, name, slug, id,
                         &made));
  return rc;
}

/* ---- articles ---- */

static int read_article(store *s, arena_t *a, sqlite3_stmt *st, int body,
                        store_article *out) {
  memset(out, 0, sizeof *out);
  out->id = sqlite3_column_int64(st, 0);
  out->section_id = sqlite3_column_int64(st, 1);
  out->author_id = sqlite3_column_int64(st, 2);
  out->title = col_str(s, a, st, 3);
  out->slug = col_str(s, a, st, 4);
  out->summary = col_str(s, a, st, 5);
  out->image_url = col_str(s, a, st, 6);
  out->published_at = sqlite3_column_int64(st, 7);
  out->updated_at = sqlite3_column_int64(st, 8);
  out->status = sqlite3_column_int(st, 9);
  out->section_name = col_str(s, a, st, 10);
  out->section_slug = col_str(s, a, st, 11);
  out->author_name = col_str(s, a, st, 12);
  if (body)
    out->body_html = col_str(s, a, st, 13);
  if (!out->title || !out->slug || !out->summary || !out->image_url ||
      !out->section_name || !out->section_slug || !out->author_name ||
      (body && !out->body_html))
    return NB_ENOMEM;
  return NB_OK;
}

int store_article_by_id(store *s, arena_t *a, int64_t id, store_article *out) {
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, ST_ARTICLE_BY_ID, &st);

  if (rc != NB_OK)
    return rc;
  rc = bind_i64(s, st, 1, nb_now());
  if (rc == NB_OK)
    rc = bind_i64(s, st, 2, id);
  if (rc == NB_OK)
    rc = st_step(s, st);
  if (rc == 1)
    rc = read_article(s, a, st, 1, out);
  else if (rc == 0)
    rc = NB_ENOTFOUND;
  st_done(st);
  return rc;
}

int store_articles_latest(store *s, arena_t *a, int64_t section_id,
                          int64_t offset, int64_t limit, store_article **out,
                          size_t *n) {
  store_article *items = NULL;
  size_t cap = 0, len = 0;
  sqlite3_stmt *st = NULL;
  int rc = NB_OK;

  if (offset < 0 || limit < 0 || section_id < 0)
    rc = set_err(s, NB_EINVAL, "negative offset, limit or section");
  if (rc == NB_OK)
    rc = st_get(s, section_id ? ST_LATEST_SECTION : ST_LATEST, &st);
  if (rc == NB_OK)
    rc = bind_i64(s, st, 1, nb_now());
  if (rc == NB_OK)
    rc = bind_i64(s, st, 2, limit);
  if (rc == NB_OK)
    rc = bind_i64(s, st, 3, offset);
  if (rc == NB_OK && section_id)
    rc = bind_i64(s, st, 4, section_id);
  while (rc == NB_OK && (rc = st_step(s, st)) == 1) {
    items = grow(a, items, &cap, len, sizeof *items);
    if (!items)
      rc = NB_ENOMEM;
    else
      rc = read_article(s, a, st, 0, &items[len++]);
  }
  if (st)
    st_done(st);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

int store_articles_count(store *s, int64_t section_id, int64_t *n) {
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, section_id ? ST_COUNT_SECTION : ST_COUNT_ALL, &st);

  if (rc != NB_OK)
    return rc;
  rc = bind_i64(s, st, 1, nb_now());
  if (rc == NB_OK && section_id)
    rc = bind_i64(s, st, 2, section_id);
  if (rc == NB_OK)
    rc = st_step(s, st);
  if (rc == 1) {
    *n = sqlite3_column_int64(st, 0);
    rc = NB_OK;
  } else if (rc == 0) {
    rc = db_err(s);
  }
  st_done(st);
  return rc;
}

/* What an update needs to know about the row it replaces. */
struct old_article {
  int64_t id, section_id, author_id, published_at;
};

/* Finds the row a save replaces: by source key, else by id. Returns 1 when
 * found, 0 when not, or an error. */
static int article_old(store *s, int which, const char *key, int64_t id,
                       struct old_article *old) {
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, which, &st);

  if (rc != NB_OK)
    return rc;
  rc = key ? bind_text(s, st, 1, key) : bind_i64(s, st, 1, id);
  if (rc == NB_OK)
    rc = st_step(s, st);
  if (rc == 1) {
    old->id = sqlite3_column_int64(st, 0);
    old->section_id = sqlite3_column_int64(st, 1);
    old->author_id = sqlite3_column_int64(st, 2);
    old->published_at = sqlite3_column_int64(st, 3);
  }
  st_done(st);
  return rc;
}

static int article_check(store *s, const store_article *a,
                         const char *source_key) {
  int rc = NB_OK;

  /* body_html NULL is what list queries return: refuse it rather than
   * silently erase a body when such a struct is saved back. */
  if (!a->title || !a->slug || !a->body_html)
    return set_err(s, NB_EINVAL, "title, slug and body_html are required");
  if (a->published_at < 0)
    return set_err(s, NB_EINVAL, "published_at is negative");
  if (a->status != STORE_DRAFT && a->status != STORE_PUBLISHED)
    return set_err(s, NB_EINVAL, "status is neither draft nor published");
  rc = check_text(s, a->title, "title");
  if (rc == NB_OK)
    rc = check_text(s, a->slug, "slug");
  if (rc == NB_OK)
    rc = check_text(s, a->summary, "summary");
  if (rc == NB_OK)
    rc = check_text(s, a->body_html, "body_html");
  if (rc == NB_OK)
    rc = check_text(s, a->image_url, "image_url");
  if (rc == NB_OK)
    rc = check_text(s, source_key, "source_key");
  return rc;
}

static int article_write(store *s, store_article *a, const char *source_key,
                         int *created) {
  struct old_article old = {0};
  int64_t now = nb_now(), published_at = a->published_at;
  sqlite3_stmt *st;
  int found = 0, rc;

  if (source_key)
    found = article_old(s, ST_ARTICLE_OLD_BY_KEY, source_key, 0, &old);
  if (found == 0 && a->id > 0) {
    found = article_old(s, ST_ARTICLE_OLD_BY_ID, NULL, a->id, &old);
    if (found == 0)
      return set_err(s, NB_ENOTFOUND, "no article with this id");
  }
  if (found < 0)
    return found;
  if (published_at == 0)
    published_at = found ? old.published_at : now;

  rc = st_get(s, found ? ST_ARTICLE_UPDATE : ST_ARTICLE_INSERT, &st);
  if (rc != NB_OK)
    return rc;
  rc = bind_i64(s, st, 1, a->section_id);
  if (rc == NB_OK && a->author_id) /* else NULL: no byline */
    rc = bind_i64(s, st, 2, a->author_id);
  if (rc == NB_OK)
    rc = bind_text(s, st, 3, a->title);
  if (rc == NB_OK)
    rc = bind_text(s, st, 4, a->slug);
  if (rc == NB_OK)
    rc = bind_text(s, st, 5, a->summary ? a->summary : "");
  if (rc == NB_OK)
    rc = bind_text(s, st, 6, a->body_html);
  if (rc == NB_OK)
    rc = bind_text(s, st, 7, a->image_url ? a->image_url : "");
  if (rc == NB_OK)
    rc = bind_i64(s, st, 8, a->status);
  if (rc == NB_OK)
    rc = bind_i64(s, st, 9, published_at);
  int64_t updated_at = a->updated_at > 0 ? a->updated_at : now;
  if (rc == NB_OK)
    rc = bind_i64(s, st, 10, updated_at);
  if (rc == NB_OK && source_key)
    rc = bind_text(s, st, 11, source_key);
  if (rc == NB_OK && found)
    rc = bind_i64(s, st, 12, old.id);
  if (rc == NB_OK)
    rc = st_run(s, st);
  else
    st_done(st);
  if (rc != NB_OK)
    return rc;

  a->id = found ? old.id : sqlite3_last_insert_rowid(s->db);
  a->published_at = published_at;
  a->updated_at = updated_at;
  *created = !found;

  rc = change_add_id(s, "article", a->id);
  if (rc == NB_OK)
    rc = change_add_id(s, "section", a->section_id);
  if (rc == NB_OK && found && old.section_id != a->section_id)
    rc = change_add_id(s, "section", old.section_id);
  if (rc == NB_OK && a->author_id)
    rc = change_add_id(s, "author", a->author_id);
  if (rc == NB_OK && found && old.author_id && old.author_id != a->author_id)
    rc = change_add_id(s, "author", old.author_id);
  if (rc == NB_OK)
    rc = change_add(s, "home");
  if (rc == NB_OK)
    rc = changes_trim(s);
  return rc;
}

int store_article_save(store *s, store_article *a, const char *source_key,
                       int *created) {
  store_article saved = *a;
  int rc, made = 0;

  rc = article_check(s, a, source_key);
  if (rc == NB_OK)
    rc = w_begin(s);
  if (rc != NB_OK)
    return rc;
  rc = w_end(s, article_write(s, &saved, source_key, &made));
  /* The caller sees the new id and dates only if they were committed (or
   * are part of its own transaction). */
  if (rc == NB_OK) {
    a->id = saved.id;
    a->published_at = saved.published_at;
    a->updated_at = saved.updated_at;
  }
  if (created)
    *created = rc == NB_OK && made;
  return rc;
}

/* ---- settings ---- */

int store_setting_get(store *s, arena_t *a, const char *key,
                      const char **value) {
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, ST_SETTING_GET, &st);

  *value = NULL;
  if (rc != NB_OK)
    return rc;
  rc = bind_text(s, st, 1, key);
  if (rc == NB_OK)
    rc = st_step(s, st);
  if (rc == 1) {
    *value = col_str(s, a, st, 0);
    rc = *value ? NB_OK : NB_ENOMEM;
  }
  st_done(st);
  return rc;
}

/* Sets (value non-NULL) or removes a setting, recording "site" if that
 * changed the table. */
static int setting_write(store *s, const char *key, const char *value) {
  sqlite3_stmt *st;
  int rc;

  if (!key)
    return set_err(s, NB_EINVAL, "setting key is required");
  rc = check_text(s, key, "setting key");
  if (rc == NB_OK)
    rc = check_text(s, value, "setting value");
  if (rc == NB_OK)
    rc = w_begin(s);
  if (rc != NB_OK)
    return rc;
  rc = st_get(s, value ? ST_SETTING_SET : ST_SETTING_UNSET, &st);
  if (rc == NB_OK) {
    rc = bind_text(s, st, 1, key);
    if (rc == NB_OK && value)
      rc = bind_text(s, st, 2, value);
    if (rc == NB_OK && value)
      rc = bind_i64(s, st, 3, nb_now());
    if (rc == NB_OK)
      rc = st_run(s, st);
    else
      st_done(st);
  }
  if (rc == NB_OK && sqlite3_changes(s->db) > 0) {
    rc = change_add(s, "site");
    if (rc == NB_OK)
      rc = changes_trim(s);
  }
  return w_end(s, rc);
}

int store_setting_set(store *s, const char *key, const char *value) {
  if (!value)
    return set_err(s, NB_EINVAL, "setting value is required");
  return setting_write(s, key, value);
}

int store_setting_unset(store *s, const char *key) {
  return setting_write(s, key, NULL);
}

int store_settings_all(store *s, arena_t *a, store_kv **out, size_t *n) {
  store_kv *items = NULL;
  size_t cap = 0, len = 0;
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, ST_SETTINGS_ALL, &st);

  while (rc == NB_OK && (rc = st_step(s, st)) == 1) {
    items = grow(a, items, &cap, len, sizeof *items);
    if (!items)
      rc = NB_ENOMEM;
    else {
      items[len].key = col_str(s, a, st, 0);
      items[len].value = col_str(s, a, st, 1);
      rc = items[len].key && items[len].value ? NB_OK : NB_ENOMEM;
      len++;
    }
  }
  if (st)
    st_done(st);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

/* ---- change log ---- */

static int query_i64(store *s, int id, int64_t *v) {
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, id, &st);

  if (rc != NB_OK)
    return rc;
  rc = st_step(s, st);
  if (rc == 1) {
    *v = sqlite3_column_int64(st, 0);
    rc = NB_OK;
  } else if (rc == 0) {
    rc = set_err(s, NB_EIO, "query returned no row");
  }
  st_done(st);
  return rc;
}

int store_data_version(store *s, int64_t *v) {
  return query_i64(s, ST_DATA_VERSION, v);
}

int store_changes_head(store *s, int64_t *head) {
  return query_i64(s, ST_CHANGES_HEAD, head);
}

/* Tags are committed in id order with no gaps (one writer at a time, and
 * AUTOINCREMENT rolls back with its transaction), so a first id above
 * after + 1 means rows the caller never saw were trimmed: it gets "*",
 * everything may have changed, and resumes from the head. */
int store_changes_since(store *s, arena_t *a, int64_t after, size_t max,
                        const char ***tags, size_t *n, int64_t *last) {
  const char **items = NULL;
  size_t cap = 0, len = 0;
  int64_t id = after;
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, ST_CHANGES_SINCE, &st);

  *tags = NULL;
  *n = 0;
  *last = after;
  if (rc != NB_OK || max == 0)
    return rc;
  rc = bind_i64(s, st, 1, after);
  if (rc == NB_OK)
    rc = bind_i64(s, st, 2, max > INT64_MAX ? INT64_MAX : (int64_t)max);
  while (rc == NB_OK && (rc = st_step(s, st)) == 1) {
    int64_t row = sqlite3_column_int64(st, 0);
    if (len == 0 && row - 1 > after && after >= 0)
      break; /* trimmed past the caller: handled below */
    items = grow(a, items, &cap, len, sizeof *items);
    if (!items)
      rc = NB_ENOMEM;
    else {
      items[len] = col_str(s, a, st, 1);
      rc = items[len++] ? NB_OK : NB_ENOMEM;
      id = row;
    }
  }
  st_done(st);
  if (rc == 1) { /* the gap */
    rc = store_changes_head(s, &id);
    if (rc == NB_OK) {
      items = arena_alloc(a, sizeof *items);
      if (!items)
        return NB_ENOMEM;
      items[0] = "*";
      len = 1;
    }
  }
  if (rc != NB_OK)
    return rc;
  *tags = items;
  *n = len;
  *last = id;
  return NB_OK;
}

int store_due_tags(store *s, arena_t *a, int64_t after, int64_t upto,
                   const char ***tags, size_t *n) {
  const char **items = NULL;
  size_t cap = 0, len = 0;
  sqlite3_stmt *st = NULL;
  int rc = st_get(s, ST_DUE, &st);

  *tags = NULL;
  *n = 0;
  if (rc != NB_OK)
    return rc;
  rc = bind_i64(s, st, 1, after);
  if (rc == NB_OK)
    rc = bind_i64(s, st, 2, upto);
  while (rc == NB_OK && (rc = st_step(s, st)) == 1) {
    int64_t ids[3] = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                      sqlite3_column_int64(st, 2)};
    static const char *kinds[3] = {"article", "section", "author"};
    rc = NB_OK;
    for (int k = 0; rc == NB_OK && k < 3; k++) {
      if (ids[k] == 0)
        continue;
      items = grow(a, items, &cap, len, sizeof *items);
      if (items)
        items[len] = arena_printf(a, "%s:%lld", kinds[k], (long long)ids[k]);
      rc = items && items[len++] ? NB_OK : NB_ENOMEM;
    }
  }
  st_done(st);
  if (rc == 0 && len > 0) {
    items = grow(a, items, &cap, len, sizeof *items);
    if (items)
      items[len++] = "home";
    rc = items ? NB_OK : NB_ENOMEM;
  }
  if (rc == 0)
    rc = NB_OK;
  if (rc != NB_OK)
    return rc;
  *tags = items;
  *n = len;
  return NB_OK;
}
