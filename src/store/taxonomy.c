/* store/taxonomy.c: sections, authors and tags, and the tags of an
 * article. */
#include <assert.h>
#include <string.h>

#include "store/internal.h"

/* ---- sections ---- */

#define SECTION_COLS "id, name, slug, position, coalesce(parent_id, 0)"

static void read_section(store_q *q, arena_t *a, store_section *out) {
  out->id = q_col_i64(q, 0);
  out->name = q_col_str(q, a, 1);
  out->slug = q_col_str(q, a, 2);
  out->position = q_col_i64(q, 3);
  out->parent_id = q_col_i64(q, 4);
}

int store_sections(store *s, arena_t *a, store_section **out, size_t *n) {
  store_section *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;

  q_open(&q, s, "SELECT " SECTION_COLS " FROM sections ORDER BY position, id");
  while (q_step(&q) && (items = q_grow(&q, a, items, &cap, len, sizeof *items)))
    read_section(&q, a, &items[len++]);
  *out = q.rc == NB_OK ? items : NULL;
  *n = q.rc == NB_OK ? len : 0;
  return q_done(&q);
}

int store_section_by_slug(store *s, arena_t *a, const char *slug,
                          store_section *out) {
  store_q q;

  assert(slug);
  q_open(&q, s, "SELECT " SECTION_COLS " FROM sections WHERE slug = ?1");
  q_text(&q, 1, slug);
  if (q_step(&q))
    read_section(&q, a, out);
  else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

int store_section_by_id(store *s, arena_t *a, int64_t id, store_section *out) {
  store_q q;

  q_open(&q, s, "SELECT " SECTION_COLS " FROM sections WHERE id = ?1");
  q_i64(&q, 1, id);
  if (q_step(&q))
    read_section(&q, a, out);
  else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

/* Looks a row up by name with the query find, inserting it with insert
 * (?1 name, ?2 slug) if there is none. */
static int ensure(store *s, const char *find, const char *insert,
                  const char *name, const char *slug, int64_t *id,
                  int *created) {
  store_q q;
  int rc;

  *created = 0;
  if (!name || !slug)
    return store_err(s, NB_EINVAL, "name and slug are required");
  rc = store_check_text(s, name, "name");
  if (rc == NB_OK)
    rc = store_check_text(s, slug, "slug");
  if (rc != NB_OK)
    return rc;
  q_open(&q, s, find);
  q_text(&q, 1, name);
  if (q_step(&q)) {
    *id = q_col_i64(&q, 0);
    return q_done(&q);
  }
  if ((rc = q_done(&q)) != NB_OK)
    return rc;
  q_open(&q, s, insert);
  q_text(&q, 1, name);
  q_text(&q, 2, slug);
  q_step(&q);
  *id = q_last_id(&q);
  *created = q.rc == NB_OK;
  return q_done(&q);
}

int store_section_ensure(store *s, const char *name, const char *slug,
                         int64_t *id, int *created) {
  int rc, made = 0;

  rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  rc = ensure(s, "SELECT id FROM sections WHERE name = ?1",
              "INSERT INTO sections (name, slug, position) VALUES (?1, ?2,"
              " (SELECT coalesce(max(position), 0) + 1 FROM sections))",
              name, slug, id, &made);
  if (rc == NB_OK && made) {
    rc = store_change(s, "sections");
    if (rc == NB_OK)
      rc = store_change(s, "home");
    if (rc == NB_OK)
      rc = store_changes_trim(s);
  }
  rc = store_w_end(s, rc);
  if (created)
    *created = rc == NB_OK && made;
  return rc;
}

int store_section_set_parent(store *s, int64_t id, int64_t parent_id) {
  store_q q;
  int rc;

  if (id <= 0 || parent_id < 0 || parent_id == id)
    return store_err(s, NB_EINVAL, "a section cannot be its own parent");
  if ((rc = store_w_begin(s)) != NB_OK)
    return rc;
  q_open(&q, s,
         "UPDATE sections SET parent_id = ?2 WHERE id = ?1"
         " AND parent_id IS NOT ?2");
  q_i64(&q, 1, id);
  q_id(&q, 2, parent_id); /* 0: NULL, the top level */
  q_step(&q);
  int changed = q_changes(&q) > 0;
  rc = q_done(&q);
  if (rc == NB_OK && changed)
    rc = store_change(s, "sections");
  return store_w_end(s, rc);
}

/* ---- authors and tags ---- */

int store_author_ensure(store *s, const char *name, const char *slug,
                        int64_t *id) {
  int rc, made;

  rc = store_w_begin(s);
  if (rc == NB_OK)
    rc = store_w_end(s, ensure(s, "SELECT id FROM authors WHERE name = ?1",
                               "INSERT INTO authors (name, slug)"
                               " VALUES (?1, ?2)",
                               name, slug, id, &made));
  return rc;
}

int store_tag_ensure(store *s, const char *name, const char *slug,
                     int64_t *id) {
  int rc, made;

  rc = store_w_begin(s);
  if (rc == NB_OK)
    rc = store_w_end(s, ensure(s, "SELECT id FROM tags WHERE name = ?1",
                               "INSERT INTO tags (name, slug) VALUES (?1, ?2)",
                               name, slug, id, &made));
  return rc;
}

static void read_named(store_q *q, arena_t *a, store_named *out) {
  out->id = q_col_i64(q, 0);
  out->name = q_col_str(q, a, 1);
  out->slug = q_col_str(q, a, 2);
}

/* One {id, name, slug} row of the query sql by slug (?1). */
static int named_by_slug(store *s, arena_t *a, const char *sql,
                         const char *slug, store_named *out) {
  store_q q;

  memset(out, 0, sizeof *out);
  q_open(&q, s, sql);
  q_text(&q, 1, slug);
  if (q_step(&q))
    read_named(&q, a, out);
  else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

int store_author_by_slug(store *s, arena_t *a, const char *slug,
                         store_named *out) {
  return named_by_slug(
      s, a, "SELECT id, name, slug FROM authors WHERE slug = ?1", slug, out);
}

int store_tag_by_slug(store *s, arena_t *a, const char *slug,
                      store_named *out) {
  return named_by_slug(s, a, "SELECT id, name, slug FROM tags WHERE slug = ?1",
                       slug, out);
}

/* {id, name, slug} rows of the query sql, with key bound to ?1 when > 0. */
static int named_all(store *s, arena_t *a, const char *sql, int64_t key,
                     store_named **out, size_t *n) {
  store_named *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;

  q_open(&q, s, sql);
  if (key > 0)
    q_i64(&q, 1, key);
  while (q_step(&q) && (items = q_grow(&q, a, items, &cap, len, sizeof *items)))
    read_named(&q, a, &items[len++]);
  *out = q.rc == NB_OK ? items : NULL;
  *n = q.rc == NB_OK ? len : 0;
  return q_done(&q);
}

int store_authors(store *s, arena_t *a, store_named **out, size_t *n) {
  return named_all(s, a, "SELECT id, name, slug FROM authors ORDER BY id", 0,
                   out, n);
}

int store_tags(store *s, arena_t *a, store_named **out, size_t *n) {
  return named_all(s, a, "SELECT id, name, slug FROM tags ORDER BY id", 0, out,
                   n);
}

/* ---- an article's tags ---- */

int store_article_tags(store *s, arena_t *a, int64_t article_id,
                       store_named **out, size_t *n) {
  return named_all(s, a,
                   "SELECT t.id, t.name, t.slug FROM article_tags x"
                   " JOIN tags t ON t.id = x.tag_id"
                   " WHERE x.article_id = ?1 ORDER BY t.name",
                   article_id, out, n);
}

static int tag_add(store *s, int64_t article_id, int64_t tag_id) {
  store_q q;
  int rc;

  q_open(&q, s,
         "INSERT OR IGNORE INTO article_tags (article_id, tag_id)"
         " VALUES (?1, ?2)");
  q_i64(&q, 1, article_id);
  q_i64(&q, 2, tag_id);
  q_step(&q);
  rc = q_done(&q);
  return rc == NB_OK ? store_change_id(s, "tag", tag_id) : rc;
}

int store_tags_replace(store *s, int64_t article_id, const int64_t *ids,
                       size_t n) {
  store_q q;
  int rc;

  /* The tags it had lose it: their feeds change. */
  q_open(&q, s,
         "DELETE FROM article_tags WHERE article_id = ?1 RETURNING tag_id");
  q_i64(&q, 1, article_id);
  while (q_step(&q))
    q_fail(&q, store_change_id(s, "tag", q_col_i64(&q, 0)));
  rc = q_done(&q);
  for (size_t i = 0; rc == NB_OK && i < n; i++)
    rc = tag_add(s, article_id, ids[i]);
  if (rc == NB_OK)
    rc = store_change_id(s, "article", article_id);
  if (rc == NB_OK)
    rc = store_change(s, "feeds");
  return rc;
}

int store_article_tags_set(store *s, int64_t article_id, const int64_t *ids,
                           size_t n) {
  int rc = store_w_begin(s);

  if (rc == NB_OK)
    rc = store_w_end(s, store_tags_replace(s, article_id, ids, n));
  return rc;
}
