/* store/internal.h: what the files of store/ share, not for other modules.
 *
 * The domain files (articles.c, comments.c, pages.c, taxonomy.c, search.c,
 * settings.c, sources.c, changes.c) hold the SQL of their queries and read
 * and write rows through the query helpers below. The engine, store/sqlite/,
 * implements them: the connection, its statement cache, transactions,
 * backups and the search index's tokenizer. No engine type appears here.
 *
 * Sticky result codes, as SQLite's own FTS5 code passes `int *pRc`: a
 * query carries the first error that happened to it, every helper does
 * nothing once there is one, and q_done() returns it. A query then reads
 * as its SQL, its parameters and its columns:
 *
 *   store_q q;
 *   q_open(&q, s, "SELECT name FROM tags WHERE id = ?1");
 *   q_i64(&q, 1, id);
 *   if (q_step(&q))
 *     *name = q_col_str(&q, a, 0);
 *   else
 *     q_fail(&q, NB_ENOTFOUND);
 *   return q_done(&q);
 *
 * Only the thread that opened a store uses it and its queries (asserted
 * in debug builds, see sqlite/engine.h). */
#ifndef NABA_STORE_INTERNAL_H
#define NABA_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

/* ---- queries ---- */

enum {
  /* Prepared for this use only and finalized by q_done(), where a cached
   * statement could outlive what it reads (schema queries on a table that
   * store_reindex() drops and recreates). */
  Q_ONCE = 1,
  /* A plain SQL error is the caller's input, not the database failing (a
   * MATCH expression FTS5 refuses): NB_EINVAL instead of NB_EIO. */
  Q_INPUT = 2,
};

typedef struct {
  store *s;
  void *st;       /* the engine's statement; NULL when preparing failed */
  int rc;         /* NB_OK, or the first error */
  unsigned flags; /* Q_* */
} store_q;

/* Starts a query of sql, a string that lives as long as the program (a
 * literal): the statement is prepared once per connection and cached under
 * its address. q_done() must follow, whatever happened. */
void q_open(store_q *q, store *s, const char *sql);
/* The same with Q_* flags. */
void q_open_flags(store_q *q, store *s, const char *sql, unsigned flags);

/* Parameters, numbered from 1 as ?1 ?2 in the SQL. Text and blobs are
 * used in place (not copied) until q_done(): keep them alive until then.
 * A parameter never bound is NULL. */
void q_i64(store_q *q, int i, int64_t v);
/* An id, or NULL when v is 0 (no author, a top-level comment). */
void q_id(store_q *q, int i, int64_t v);
void q_text(store_q *q, int i, const char *v); /* v NULL: NULL */
void q_textn(store_q *q, int i, const char *v, size_t n);
void q_blob(store_q *q, int i, const void *v, size_t n);

/* Steps once: 1 when a row is there to read, 0 at the end or once the
 * query has an error. */
int q_step(store_q *q);

/* Columns of the current row, numbered from 0. */
int64_t q_col_i64(store_q *q, int i);
int q_col_int(store_q *q, int i);
double q_col_double(store_q *q, int i);
/* A copy of text column i in the arena, "" for NULL; on out of memory the
 * query fails with NB_ENOMEM and this returns "". */
const char *q_col_str(store_q *q, arena_t *a, int i);
/* Text column i in place, valid until the next step or q_done(), its
 * length in *n (may be NULL); NULL for a NULL column or when out of memory
 * (then the query fails with NB_ENOMEM). */
const char *q_col_text(store_q *q, int i, size_t *n);

/* Rows the last step of this write changed; the rowid of its insert. */
int64_t q_changes(store_q *q);
int64_t q_last_id(store_q *q);

/* Makes rc the query's error, unless it has one already. q_err() also
 * makes msg what store_errmsg() says. */
void q_fail(store_q *q, int rc);
void q_err(store_q *q, int rc, const char *msg);

/* Ends the query (the statement is reset and its parameters let go, or
 * finalized) and returns its first error, or NB_OK. */
int q_done(store_q *q);

/* ---- the connection (store/sqlite/) ---- */

/* Makes msg what store_errmsg() says; returns rc. */
int store_err(store *s, int rc, const char *msg);
int store_errf(store *s, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Runs SQL without parameters or results (several statements allowed). */
int store_exec(store *s, const char *sql);
/* Rows inserted, changed or deleted on the connection since it opened,
 * counting what virtual tables such as FTS5 wrote to their own tables. */
int64_t store_total_changes(store *s);

/* Brackets one write function: its own transaction, or a savepoint inside
 * the caller's store_begin(). store_w_end() commits when rc is NB_OK, else
 * undoes the write, keeping the first error's code and message; it
 * returns the result. */
int store_w_begin(store *s);
int store_w_end(store *s, int rc);
/* Several reads that must see one snapshot: a read transaction, unless the
 * caller has one open (*own 0). store_snap_end() ends it and returns rc,
 * or the commit's error when rc is NB_OK. */
int store_snap_begin(store *s, int *own);
int store_snap_end(store *s, int own, int rc);

/* ---- shared by the domain files ---- */

/* Text written to the database must be valid UTF-8: everything above
 * (search, slugs, templates) relies on it. v NULL passes. */
int store_check_text(store *s, const char *v, const char *what);
/* An article's or page's draft state ds (not NULL): "", pending or
 * private, and only on a draft. */
int store_check_draft_state(store *s, const char *ds, int status);
/* Makes room for item n of an array in the arena: returns items, or a copy
 * twice as large when it is full (the arena keeps the old one, so at most
 * half is wasted and the caller frees nothing); NULL when out of memory. */
void *store_grow(arena_t *a, void *items, size_t *cap, size_t n, size_t size);
/* The same for a query that reads rows into the array: on out of memory
 * the query fails and this returns NULL, which ends a loop such as
 *   while (q_step(&q) && (items = q_grow(&q, a, items, &cap, len, size)))
 *     read_item(&q, a, &items[len++]); */
void *q_grow(store_q *q, arena_t *a, void *items, size_t *cap, size_t n,
             size_t size);

/* Change log (changes.c), inside a write: records tag, or "kind:id". */
int store_change(store *s, const char *tag);
int store_change_id(store *s, const char *kind, int64_t id);
/* Keeps the newest rows of the log; called once per write function. */
int store_changes_trim(store *s);

/* The search index (search.c). Writes article id's row. */
int store_index_put(store *s, int64_t id, const char *title,
                    const char *body_html);
/* At open: fills the index when it lacks articles (it was just created by
 * a migration, or lost). */
int store_index_fill(store *s);

/* Articles (articles.c): the columns store_read_article() expects, in
 * this order; body_html comes next (column ARTICLE_NCOLS) and only in
 * queries that want it. */
#define ARTICLE_COLS                                                           \
  "a.id, a.section_id, coalesce(a.author_id, 0), a.title, a.slug, "            \
  "a.summary, a.image_url, a.published_at, a.updated_at, a.status, s.name, "   \
  "s.slug, coalesce(u.name, ''), coalesce(u.slug, '')"
#define ARTICLE_NCOLS 14
#define ARTICLE_FROM                                                           \
  " FROM articles a JOIN sections s ON s.id = a.section_id"                    \
  " LEFT JOIN authors u ON u.id = a.author_id"
/* Published: visible to readers now (scheduled ones wait for their time). */
#define PUBLISHED " a.status = 1 AND a.published_at <= ?1"
void store_read_article(store_q *q, arena_t *a, int body, store_article *out);
/* Inside a write: the change tags of a saved article: its own, its
 * sections' and authors' old (found: it was an update) and new, the home
 * page, and the feeds and sitemaps that list every section's articles. */
int store_article_changed(store *s, int64_t id, int64_t section_id,
                          int64_t author_id, int found, int64_t old_section,
                          int64_t old_author);
/* Inside a write: store_article_tags_set() without its transaction. */
int store_tags_replace(store *s, int64_t article_id, const int64_t *ids,
                       size_t n);
/* article_check() of articles.c: what every article save requires. */
int store_article_check(store *s, const store_article *a,
                        const char *source_key);

#endif
