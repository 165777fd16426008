/* store/pages.c: static pages (about, contact, terms), their menu and
 * their children. */
#include <string.h>

#include "store/internal.h"

/* The columns read_page() expects; body_html comes next (column
 * PAGE_NCOLS) in queries that want it, then draft_state in
 * store_pages_after()'s. */
#define PAGE_COLS                                                              \
  "id, coalesce(parent_id, 0), title, slug, status, menu_order, updated_at"
#define PAGE_NCOLS 7

/* With body, body_html; with draft, draft_state (else ""). */
static void read_page(store_q *q, arena_t *a, int body, int draft,
                      store_page *p) {
  memset(p, 0, sizeof *p);
  p->id = q_col_i64(q, 0);
  p->parent_id = q_col_i64(q, 1);
  p->title = q_col_str(q, a, 2);
  p->slug = q_col_str(q, a, 3);
  p->status = q_col_int(q, 4);
  p->menu_order = q_col_i64(q, 5);
  p->updated_at = q_col_i64(q, 6);
  if (body)
    p->body_html = q_col_str(q, a, PAGE_NCOLS);
  p->draft_state = draft ? q_col_str(q, a, PAGE_NCOLS + 1) : "";
}

/* Reads page id's parent and whether it is published; with p, *changed
 * says whether saving p over it changes what its menu entry shows (being
 * published, title, slug, place). Returns 1 when found, 0 when not, or an
 * error. */
static int page_old(store *s, int64_t id, const store_page *p, int64_t *parent,
                    int *published, int *changed) {
  store_q q;
  int found;

  /* What a page's menu entry shows, before a save or a move. */
  q_open(&q, s,
         "SELECT coalesce(parent_id, 0), status, title, slug, menu_order"
         " FROM pages WHERE id = ?1");
  q_i64(&q, 1, id);
  found = q_step(&q);
  if (found) {
    *parent = q_col_i64(&q, 0);
    *published = q_col_int(&q, 1) == STORE_PUBLISHED;
  }
  if (found && p) {
    const char *title = q_col_text(&q, 2, NULL);
    const char *slug = q_col_text(&q, 3, NULL);
    int now = p->status == STORE_PUBLISHED;
    /* A NULL counts as changed: too much is dropped, never too little. */
    *changed = *published != now ||
               (now && (!title || !slug || strcmp(title, p->title) != 0 ||
                        strcmp(slug, p->slug) != 0 ||
                        q_col_i64(&q, 4) != p->menu_order));
  }
  return q_done(&q) == NB_OK ? found : q.rc;
}

/* Records the list a page's menu entry is in: the menu for a top-level
 * page, its parent's page for a child. */
static int page_list_changed(store *s, int64_t parent) {
  return parent ? store_change_id(s, "page", parent) : store_change(s, "pages");
}

static int page_check(store *s, const store_page *p, const char *source_key) {
  int rc;

  if (!p->title || !p->slug)
    return store_err(s, NB_EINVAL, "title and slug are required");
  rc = store_check_draft_state(s, p->draft_state ? p->draft_state : "",
                               p->status);
  if (rc == NB_OK)
    rc = store_check_text(s, p->title, "title");
  if (rc == NB_OK)
    rc = store_check_text(s, p->slug, "slug");
  if (rc == NB_OK)
    rc = store_check_text(s, p->body_html, "body_html");
  if (rc == NB_OK)
    rc = store_check_text(s, source_key, "source_key");
  return rc;
}

/* The page saved before with source_key: 1 and its id in *id, 0 when
 * none, or an error. */
static int page_by_key(store *s, const char *source_key, int64_t *id) {
  store_q q;
  int found;

  q_open(&q, s, "SELECT id FROM pages WHERE source_key = ?1");
  q_text(&q, 1, source_key);
  found = q_step(&q);
  if (found)
    *id = q_col_i64(&q, 0);
  return q_done(&q) == NB_OK ? found : q.rc;
}

static int page_write(store *s, store_page *p, const char *source_key,
                      int *created) {
  int64_t parent = 0;
  int found = 0, rc, published = 0, changed = p->status == STORE_PUBLISHED;
  store_q q;

  if (created)
    *created = 0;
  if (source_key && (found = page_by_key(s, source_key, &p->id)) < 0)
    return found;
  if (p->id) {
    rc = page_old(s, p->id, p, &parent, &published, &changed);
    if (rc == 0)
      return store_err(s, NB_ENOTFOUND, "no page with this id");
    if (rc < 0)
      return rc;
  }
  if (p->id)
    q_open(&q, s,
           "UPDATE pages SET title = ?1, slug = ?2, body_html = ?3,"
           " status = ?4, menu_order = ?5, updated_at = ?6,"
           " draft_state = ?9 WHERE id = ?8");
  else
    q_open(&q, s,
           "INSERT INTO pages (title, slug, body_html, status, menu_order,"
           " updated_at, created_at, source_key, draft_state) VALUES (?1, ?2,"
           " ?3, ?4, ?5, ?6, ?6, ?7, ?9)");
  q_text(&q, 1, p->title);
  q_text(&q, 2, p->slug);
  q_text(&q, 3, p->body_html ? p->body_html : "");
  q_i64(&q, 4, p->status == STORE_PUBLISHED);
  q_i64(&q, 5, p->menu_order);
  q_i64(&q, 6, p->updated_at ? p->updated_at : nb_now());
  if (p->id)
    q_i64(&q, 8, p->id);
  else
    q_text(&q, 7, source_key);
  q_text(&q, 9, p->draft_state ? p->draft_state : "");
  q_step(&q);
  if (!p->id)
    p->id = q_last_id(&q);
  if ((rc = q_done(&q)) != NB_OK)
    return rc;
  if (created)
    *created = !found;
  rc = store_change_id(s, "page", p->id);
  if (rc == NB_OK && changed)
    rc = page_list_changed(s, parent);
  if (rc == NB_OK)
    rc = store_changes_trim(s);
  return rc;
}

int store_page_save(store *s, store_page *p, const char *source_key,
                    int *created) {
  int rc = page_check(s, p, source_key);

  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc == NB_OK)
    rc = store_w_end(s, page_write(s, p, source_key, created));
  return rc;
}

int store_page_by_slug(store *s, arena_t *a, const char *slug, store_page *p) {
  store_q q;

  q_open(&q, s,
         "SELECT " PAGE_COLS ", body_html FROM pages"
         " WHERE slug = ?1 AND status = 1");
  q_text(&q, 1, slug);
  if (q_step(&q))
    read_page(&q, a, 1, 0, p);
  else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

int store_page_by_id(store *s, arena_t *a, int64_t id, store_page *p) {
  store_q q;

  q_open(&q, s,
         "SELECT " PAGE_COLS ", body_html FROM pages"
         " WHERE id = ?1 AND status = 1");
  q_i64(&q, 1, id);
  if (q_step(&q))
    read_page(&q, a, 1, 0, p);
  else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

/* The rows of a page query (its parameters bound), with their bodies and
 * draft states or not, as an array in the arena; ends the query. */
static int read_pages(store_q *q, arena_t *a, int body, store_page **out,
                      size_t *n) {
  store_page *items = NULL;
  size_t cap = 0, len = 0;
  int rc;

  while (q_step(q) && (items = q_grow(q, a, items, &cap, len, sizeof *items)))
    read_page(q, a, body, body, &items[len++]);
  rc = q_done(q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

int store_pages_after(store *s, arena_t *a, int64_t after, int64_t limit,
                      store_page **out, size_t *n) {
  store_q q;

  q_open(&q, s,
         "SELECT " PAGE_COLS ", body_html, draft_state FROM pages"
         " WHERE id > ?1 ORDER BY id LIMIT ?2");
  q_i64(&q, 1, after);
  q_i64(&q, 2, limit);
  return read_pages(&q, a, 1, out, n);
}

int store_pages_under(store *s, arena_t *a, int64_t parent_id, int64_t limit,
                      store_page **out, size_t *n) {
  store_q q;

  /* ?1 NULL: the top level. Served by the index pages_by_parent alone. */
  q_open(&q, s,
         "SELECT " PAGE_COLS " FROM pages WHERE parent_id IS ?1"
         " AND status = 1 ORDER BY menu_order, title, slug LIMIT ?2");
  q_id(&q, 1, parent_id);
  q_i64(&q, 2, limit);
  return read_pages(&q, a, 0, out, n);
}

static int page_move(store *s, int64_t id, int64_t parent_id) {
  int64_t old = 0;
  int published = 0;
  store_q q;
  int rc = page_old(s, id, NULL, &old, &published, NULL);

  if (rc == 0)
    return store_err(s, NB_ENOTFOUND, "no page with this id");
  if (rc < 0)
    return rc;
  if (old == parent_id)
    return NB_OK;
  q_open(&q, s, "UPDATE pages SET parent_id = ?2 WHERE id = ?1");
  q_i64(&q, 1, id);
  q_id(&q, 2, parent_id); /* 0: NULL, the top level */
  q_step(&q);
  rc = q_done(&q);
  /* The page links to its parent; its entry leaves one list for another. */
  if (rc == NB_OK)
    rc = store_change_id(s, "page", id);
  if (rc == NB_OK && published)
    rc = page_list_changed(s, old);
  if (rc == NB_OK && published)
    rc = page_list_changed(s, parent_id);
  if (rc == NB_OK)
    rc = store_changes_trim(s);
  return rc;
}

int store_page_set_parent(store *s, int64_t id, int64_t parent_id) {
  int rc;

  if (id <= 0 || parent_id < 0 || parent_id == id)
    return store_err(s, NB_EINVAL, "a page cannot be its own parent");
  rc = store_w_begin(s);
  if (rc == NB_OK)
    rc = store_w_end(s, page_move(s, id, parent_id));
  return rc;
}
