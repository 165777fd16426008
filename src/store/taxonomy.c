/* store/taxonomy.c: sections, authors and tags, and the tags of an
 * article. */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/internal.h"

/* ---- sections ---- */

#define SECTION_COLS                                                           \
  "id, name, slug, position, coalesce(parent_id, 0), description"

static void read_section(store_q *q, arena_t *a, store_section *out) {
  out->id = q_col_i64(q, 0);
  out->name = q_col_str(q, a, 1);
  out->slug = q_col_str(q, a, 2);
  out->position = q_col_i64(q, 3);
  out->parent_id = q_col_i64(q, 4);
  out->description = q_col_str(q, a, 5);
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

/* NB_OK when parent_id (0: none) can be the parent of section id (0: a
 * new one): it exists and is neither id nor below it. */
static int parent_check(store *s, int64_t id, int64_t parent_id) {
  store_q q;
  int rc;

  if (parent_id == 0)
    return NB_OK;
  if (parent_id < 0 || parent_id == id)
    return store_err(s, NB_EINVAL,
                     "a section cannot be its own parent (a cycle)");
  /* The ancestors of the new parent; UNION stops on a cycle already
   * there. */
  q_open(&q, s,
         "WITH RECURSIVE up (id) AS (SELECT id FROM sections WHERE id = ?1"
         " UNION SELECT s.parent_id FROM sections s JOIN up ON s.id = up.id"
         " WHERE s.parent_id IS NOT NULL)"
         " SELECT count(*), coalesce(sum(id = ?2), 0) FROM up");
  q_i64(&q, 1, parent_id);
  q_i64(&q, 2, id);
  int64_t found = 0, cycle = 0;
  if (q_step(&q)) {
    found = q_col_i64(&q, 0);
    cycle = q_col_i64(&q, 1);
  }
  if ((rc = q_done(&q)) != NB_OK)
    return rc;
  if (!found)
    return store_err(s, NB_EINVAL, "the parent section does not exist");
  if (id > 0 && cycle)
    return store_err(s, NB_EINVAL,
                     "a section cannot be placed under one of its own "
                     "subsections (a cycle)");
  return NB_OK;
}

/* The cache tags a change to section id touches: its page, the menus,
 * the home page's blocks and the feeds. */
static int section_changed(store *s, int64_t id) {
  int rc = store_change_id(s, "section", id);
  if (rc == NB_OK)
    rc = store_change(s, "sections");
  if (rc == NB_OK)
    rc = store_change(s, "home");
  if (rc == NB_OK)
    rc = store_change(s, "feeds");
  if (rc == NB_OK)
    rc = store_change(s, "site");
  if (rc == NB_OK)
    rc = store_changes_trim(s);
  return rc;
}

/* NB_EEXIST when a row of table other than id has name or slug. */
static int unique_check(store *s, const char *table, int64_t id,
                        const char *name, const char *slug) {
  store_q q;
  char sql[160];
  int rc;

  snprintf(sql, sizeof sql,
           "SELECT name = ?1 FROM %s WHERE (name = ?1 OR slug = ?2)"
           " AND id <> ?3 ORDER BY name = ?1 DESC LIMIT 1",
           table);
  q_open(&q, s, sql);
  q_text(&q, 1, name);
  q_text(&q, 2, slug);
  q_i64(&q, 3, id);
  int taken = q_step(&q), by_name = taken && q_col_i64(&q, 0);
  if ((rc = q_done(&q)) != NB_OK)
    return rc;
  if (taken)
    return store_err(s, NB_EEXIST,
                     by_name ? "that name is taken" : "that slug is taken");
  return NB_OK;
}

/* The checks of a name and slug every section and tag needs. */
static int named_check(store *s, const char *name, const char *slug) {
  if (!name || !*name || !slug || !*slug)
    return store_err(s, NB_EINVAL, "name and slug are required");
  int rc = store_check_text(s, name, "name");
  if (rc == NB_OK)
    rc = store_check_text(s, slug, "slug");
  return rc;
}

static int section_write(store *s, int64_t actor, const store_section *in,
                         int64_t *id) {
  store_q q;
  const char *desc = in->description ? in->description : "";
  int rc = named_check(s, in->name, in->slug);

  if (rc == NB_OK)
    rc = store_check_text(s, desc, "description");
  if (rc == NB_OK && in->id) {
    store_section old;
    arena_t a = {0};
    rc = store_section_by_id(s, &a, in->id, &old);
    arena_free(&a);
  }
  if (rc == NB_OK)
    rc = parent_check(s, in->id, in->parent_id);
  if (rc == NB_OK)
    rc = unique_check(s, "sections", in->id, in->name, in->slug);
  if (rc != NB_OK)
    return rc;
  if (in->id)
    q_open(&q, s,
           "UPDATE sections SET name = ?2, slug = ?3, parent_id = ?4,"
           " position = ?5, description = ?6 WHERE id = ?1");
  else
    q_open(&q, s,
           "INSERT INTO sections (name, slug, parent_id, position,"
           " description) VALUES (?2, ?3, ?4, ?5, ?6)");
  if (in->id)
    q_i64(&q, 1, in->id);
  q_text(&q, 2, in->name);
  q_text(&q, 3, in->slug);
  q_id(&q, 4, in->parent_id); /* 0: NULL, the top level */
  q_i64(&q, 5, in->position);
  q_text(&q, 6, desc);
  q_step(&q);
  *id = in->id ? in->id : q_last_id(&q);
  if ((rc = q_done(&q)) != NB_OK)
    return rc;
  rc = section_changed(s, *id);
  if (rc == NB_OK) {
    char object[40], detail[40];
    snprintf(object, sizeof object, "section:%" PRId64, *id);
    snprintf(detail, sizeof detail, "parent %" PRId64 ", position %" PRId64,
             in->parent_id, in->position);
    rc = store_audit_add(s, actor, in->id ? "section_edit" : "section_add",
                         object, detail);
  }
  return rc;
}

int store_section_save(store *s, int64_t actor, const store_section *in,
                       int64_t *id) {
  int64_t made = 0;
  int rc;

  assert(in && id);
  if ((rc = store_w_begin(s)) != NB_OK)
    return rc;
  rc = store_w_end(s, section_write(s, actor, in, &made));
  if (rc == NB_OK)
    *id = made;
  return rc;
}

static int section_remove(store *s, int64_t actor, int64_t id,
                          int64_t *articles) {
  store_q q;
  int rc;

  q_open(&q, s,
         "SELECT (SELECT count(*) FROM articles WHERE section_id = ?1)"
         " FROM sections WHERE id = ?1");
  q_i64(&q, 1, id);
  int found = q_step(&q);
  *articles = found ? q_col_i64(&q, 0) : 0;
  if ((rc = q_done(&q)) != NB_OK)
    return rc;
  if (!found)
    return store_err(s, NB_ENOTFOUND, "no such section");
  if (*articles > 0)
    return store_errf(s, NB_EINVAL,
                      "the section has %" PRId64 " articles: move them first",
                      *articles);
  q_open(&q, s,
         "UPDATE sections SET parent_id ="
         " (SELECT parent_id FROM sections WHERE id = ?1)"
         " WHERE parent_id = ?1");
  q_i64(&q, 1, id);
  q_step(&q);
  rc = q_done(&q);
  if (rc == NB_OK) {
    q_open(&q, s, "DELETE FROM sections WHERE id = ?1");
    q_i64(&q, 1, id);
    q_step(&q);
    rc = q_done(&q);
  }
  if (rc == NB_OK)
    rc = section_changed(s, id);
  if (rc == NB_OK) {
    char object[40];
    snprintf(object, sizeof object, "section:%" PRId64, id);
    rc = store_audit_add(s, actor, "section_delete", object, "");
  }
  return rc;
}

int store_section_delete(store *s, int64_t actor, int64_t id,
                         int64_t *articles) {
  int64_t count = 0;
  int rc = store_w_begin(s);

  if (rc == NB_OK)
    rc = store_w_end(s, section_remove(s, actor, id, &count));
  if (articles)
    *articles = count;
  return rc;
}

int store_section_set_parent(store *s, int64_t id, int64_t parent_id) {
  store_q q;
  int rc;

  if (id <= 0 || parent_id < 0 || parent_id == id)
    return store_err(s, NB_EINVAL, "a section cannot be its own parent");
  if ((rc = store_w_begin(s)) != NB_OK)
    return rc;
  if ((rc = parent_check(s, id, parent_id)) != NB_OK)
    return store_w_end(s, rc);
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

int store_tag_by_id(store *s, arena_t *a, int64_t id, store_named *out) {
  store_q q;

  memset(out, 0, sizeof *out);
  q_open(&q, s, "SELECT id, name, slug FROM tags WHERE id = ?1");
  q_i64(&q, 1, id);
  if (q_step(&q))
    read_named(&q, a, out);
  else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

int store_tags_counted(store *s, arena_t *a, int64_t offset, int64_t limit,
                       store_tag_count **out, size_t *n, int64_t *total) {
  store_tag_count *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;
  int rc;

  *out = NULL;
  *n = 0;
  if (total) {
    q_open(&q, s, "SELECT count(*) FROM tags");
    if (q_step(&q))
      *total = q_col_i64(&q, 0);
    if ((rc = q_done(&q)) != NB_OK)
      return rc;
  }
  q_open(&q, s,
         "SELECT t.id, t.name, t.slug,"
         " (SELECT count(*) FROM article_tags x WHERE x.tag_id = t.id)"
         " FROM tags t ORDER BY t.name, t.id LIMIT ?2 OFFSET ?1");
  q_i64(&q, 1, offset < 0 ? 0 : offset);
  q_i64(&q, 2, limit);
  while (q_step(&q) &&
         (items = q_grow(&q, a, items, &cap, len, sizeof *items))) {
    items[len].id = q_col_i64(&q, 0);
    items[len].name = q_col_str(&q, a, 1);
    items[len].slug = q_col_str(&q, a, 2);
    items[len++].articles = q_col_i64(&q, 3);
  }
  rc = q_done(&q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

/* Records the change tags of tag id: its page and feed, each article
 * that shows it, the feeds; then the audit row. */
static int tag_changed(store *s, int64_t actor, int64_t id, const char *action,
                       const char *detail) {
  store_q q;
  char object[40];
  int rc;

  q_open(&q, s, "SELECT article_id FROM article_tags WHERE tag_id = ?1");
  q_i64(&q, 1, id);
  while (q_step(&q))
    q_fail(&q, store_change_id(s, "article", q_col_i64(&q, 0)));
  rc = q_done(&q);
  if (rc == NB_OK)
    rc = store_change_id(s, "tag", id);
  if (rc == NB_OK)
    rc = store_change(s, "feeds");
  if (rc == NB_OK)
    rc = store_changes_trim(s);
  snprintf(object, sizeof object, "tag:%" PRId64, id);
  if (rc == NB_OK)
    rc = store_audit_add(s, actor, action, object, detail);
  return rc;
}

static int tag_write(store *s, int64_t actor, int64_t id, const char *name,
                     const char *slug) {
  store_q q;
  int rc = named_check(s, name, slug);

  if (rc == NB_OK) {
    q_open(&q, s, "SELECT 1 FROM tags WHERE id = ?1");
    q_i64(&q, 1, id);
    if (!q_step(&q))
      q_err(&q, NB_ENOTFOUND, "no such tag");
    rc = q_done(&q);
  }
  if (rc == NB_OK)
    rc = unique_check(s, "tags", id, name, slug);
  if (rc != NB_OK)
    return rc;
  q_open(&q, s, "UPDATE tags SET name = ?2, slug = ?3 WHERE id = ?1");
  q_i64(&q, 1, id);
  q_text(&q, 2, name);
  q_text(&q, 3, slug);
  q_step(&q);
  if ((rc = q_done(&q)) != NB_OK)
    return rc;
  return tag_changed(s, actor, id, "tag_edit", slug);
}

int store_tag_update(store *s, int64_t actor, int64_t id, const char *name,
                     const char *slug) {
  int rc = store_w_begin(s);

  if (rc == NB_OK)
    rc = store_w_end(s, tag_write(s, actor, id, name, slug));
  return rc;
}

static int tag_remove(store *s, int64_t actor, int64_t id) {
  store_q q;
  int rc;

  q_open(&q, s, "SELECT name FROM tags WHERE id = ?1");
  q_i64(&q, 1, id);
  if (!q_step(&q))
    q_err(&q, NB_ENOTFOUND, "no such tag");
  if ((rc = q_done(&q)) != NB_OK)
    return rc;
  /* The change tags first: they name the articles the links lead to. */
  rc = tag_changed(s, actor, id, "tag_delete", "");
  if (rc == NB_OK) {
    q_open(&q, s, "DELETE FROM article_tags WHERE tag_id = ?1");
    q_i64(&q, 1, id);
    q_step(&q);
    rc = q_done(&q);
  }
  if (rc == NB_OK) {
    q_open(&q, s, "DELETE FROM tags WHERE id = ?1");
    q_i64(&q, 1, id);
    q_step(&q);
    rc = q_done(&q);
  }
  return rc;
}

int store_tag_delete(store *s, int64_t actor, int64_t id) {
  int rc = store_w_begin(s);

  if (rc == NB_OK)
    rc = store_w_end(s, tag_remove(s, actor, id));
  return rc;
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
