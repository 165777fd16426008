/* store/editor.c: what the newsroom's article editor reads and writes:
 * an article in any state, its saves as revisions (a save on a stale one
 * refused), autosaves, edit locks, and the list by workflow state. */
#include <stdio.h>
#include <string.h>

#include "store/internal.h"

#define EDIT_COLS                                                              \
  "SELECT " ARTICLE_COLS ", a.body_html, a.draft_state, a.kicker,"             \
  " a.seo_title, a.seo_description, a.breaking, a.featured,"                   \
  " a.comments_state, coalesce(a.created_by, 0), a.created_at, a.revision,"    \
  " a.trashed_at, a.unpublished_at" ARTICLE_FROM

/* Bylines in order: ids into e, names joined with the Arabic comma. */
static int read_authors(store *s, arena_t *a, store_edit *e) {
  int64_t *ids = NULL;
  size_t cap = 0, n = 0;
  buf_t names = {0};
  store_q q;

  q_open(&q, s,
         "SELECT x.author_id, u.name FROM article_authors x"
         " JOIN authors u ON u.id = x.author_id"
         " WHERE x.article_id = ?1 ORDER BY x.position, x.author_id");
  q_i64(&q, 1, e->a.id);
  while (q_step(&q) && (ids = q_grow(&q, a, ids, &cap, n, sizeof *ids))) {
    ids[n++] = q_col_i64(&q, 0);
    if (names.len)
      buf_puts(&names, "، ");
    buf_puts(&names, q_col_str(&q, a, 1));
  }
  if (names.oom)
    q_fail(&q, NB_ENOMEM);
  int rc = q_done(&q);
  e->author_ids = ids;
  e->n_authors = rc == NB_OK ? n : 0;
  e->author_names = arena_strndup(a, names.data ? names.data : "", names.len);
  buf_free(&names);
  if (rc == NB_OK && !e->author_names)
    rc = store_err(s, NB_ENOMEM, "out of memory");
  return rc;
}

int store_edit_get(store *s, arena_t *a, int64_t id, store_edit *out) {
  store_q q;
  int own, rc;

  memset(out, 0, sizeof *out);
  rc = store_snap_begin(s, &own);
  if (rc != NB_OK)
    return rc;
  q_open(&q, s, EDIT_COLS " WHERE a.id = ?1");
  q_i64(&q, 1, id);
  if (q_step(&q)) {
    int c = ARTICLE_NCOLS;
    store_read_article(&q, a, 1, &out->a);
    out->a.draft_state = q_col_str(&q, a, c + 1);
    out->kicker = q_col_str(&q, a, c + 2);
    out->seo_title = q_col_str(&q, a, c + 3);
    out->seo_description = q_col_str(&q, a, c + 4);
    out->breaking = q_col_int(&q, c + 5);
    out->featured = q_col_int(&q, c + 6);
    out->comments_state = q_col_int(&q, c + 7);
    out->created_by = q_col_i64(&q, c + 8);
    out->created_at = q_col_i64(&q, c + 9);
    out->revision = q_col_i64(&q, c + 10);
    out->trashed_at = q_col_i64(&q, c + 11);
    out->unpublished_at = q_col_i64(&q, c + 12);
  } else
    q_fail(&q, NB_ENOTFOUND);
  rc = q_done(&q);
  if (rc == NB_OK)
    rc = read_authors(s, a, out);
  if (rc == NB_OK)
    rc = store_article_tags(s, a, id, &out->tags, &out->n_tags);
  return store_snap_end(s, own, rc);
}

/* ---- saving ---- */

static int edit_check(store *s, const store_edit *e) {
  int rc = store_article_check(s, &e->a, NULL);

  if (rc == NB_OK && e->trashed_at && e->a.status != STORE_DRAFT)
    rc = store_err(s, NB_EINVAL, "an article in the trash is not published");
  if (rc == NB_OK &&
      (e->n_authors > STORE_EDIT_MAX || e->n_tag_ids > STORE_EDIT_MAX))
    rc = store_errf(s, NB_EINVAL, "at most %d authors and %d tags",
                    STORE_EDIT_MAX, STORE_EDIT_MAX);
  if (rc == NB_OK && (e->comments_state < -1 || e->comments_state > 1))
    rc = store_err(s, NB_EINVAL, "comment state is -1, 0 or 1");
  if (rc == NB_OK)
    rc = store_check_text(s, e->kicker, "kicker");
  if (rc == NB_OK)
    rc = store_check_text(s, e->seo_title, "SEO title");
  if (rc == NB_OK)
    rc = store_check_text(s, e->seo_description, "SEO description");
  for (size_t i = 0; rc == NB_OK && i < e->n_authors; i++)
    for (size_t j = 0; rc == NB_OK && j < i; j++)
      if (e->author_ids[i] == e->author_ids[j])
        rc = store_err(s, NB_EINVAL, "an author is named twice");
  return rc;
}

/* Makes e->a.slug one no other article has: the slug itself, else with
 * "-2", "-3"... (at most 1000 tries, then the id makes it unique). */
static int unique_slug(store *s, arena_t *a, store_edit *e) {
  const char *base = e->a.slug;
  int rc = NB_OK;

  for (int k = 1; rc == NB_OK && k <= 1000; k++) {
    store_q q;
    const char *slug = k == 1 ? base : arena_printf(a, "%s-%d", base, k);
    if (!slug)
      return store_err(s, NB_ENOMEM, "out of memory");
    q_open(&q, s, "SELECT 1 FROM articles WHERE slug = ?1 AND id <> ?2");
    q_text(&q, 1, slug);
    q_i64(&q, 2, e->a.id);
    int taken = q_step(&q);
    rc = q_done(&q);
    if (rc == NB_OK && !taken) {
      e->a.slug = slug;
      return NB_OK;
    }
  }
  if (rc == NB_OK &&
      !(e->a.slug = arena_printf(a, "%s-%lld", base, (long long)nb_now())))
    rc = store_err(s, NB_ENOMEM, "out of memory");
  return rc;
}

/* ?1..?19 as below; ?20 the row an update replaces. */
#define EDIT_INSERT                                                            \
  "INSERT INTO articles (section_id, author_id, title, slug, summary,"         \
  " body_html, image_url, status, published_at, updated_at, created_at,"       \
  " draft_state, kicker, seo_title, seo_description, breaking, featured,"      \
  " comments_state, created_by, revision, trashed_at, unpublished_at)"         \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13,"      \
  " ?14, ?15, ?16, ?17, ?18, 1, ?19, ?21)"
#define EDIT_UPDATE                                                            \
  "UPDATE articles SET section_id = ?1, author_id = ?2, title = ?3,"           \
  " slug = ?4, summary = ?5, body_html = ?6, image_url = ?7, status = ?8,"     \
  " published_at = ?9, updated_at = ?10, draft_state = ?11, kicker = ?12,"     \
  " seo_title = ?13, seo_description = ?14, breaking = ?15, featured = ?16,"   \
  " comments_state = ?17, revision = revision + 1, trashed_at = ?19,"          \
  " unpublished_at = ?21 WHERE id = ?20"

/* The saved row, whole, as a revision's fields. */
#define REVISION_INSERT                                                        \
  "INSERT INTO article_revisions (article_id, revision, user_id, at, fields)"  \
  " SELECT a.id, a.revision, ?2, ?3, json_object('title', a.title,"            \
  " 'kicker', a.kicker, 'slug', a.slug, 'summary', a.summary,"                 \
  " 'body_html', a.body_html, 'image_url', a.image_url,"                       \
  " 'section_id', a.section_id,"                                               \
  " 'section', (SELECT name FROM sections WHERE id = a.section_id),"           \
  " 'status', a.status, 'draft_state', a.draft_state,"                         \
  " 'published_at', a.published_at, 'breaking', a.breaking,"                   \
  " 'featured', a.featured, 'comments_state', a.comments_state,"               \
  " 'seo_title', a.seo_title, 'seo_description', a.seo_description,"           \
  " 'trashed_at', a.trashed_at,"                                               \
  " 'authors', (SELECT json_group_array(author_id) FROM (SELECT author_id"     \
  " FROM article_authors WHERE article_id = a.id ORDER BY position)),"         \
  " 'author_names', (SELECT json_group_array(name) FROM (SELECT u.name"        \
  " FROM article_authors x JOIN authors u ON u.id = x.author_id"               \
  " WHERE x.article_id = a.id ORDER BY x.position)),"                          \
  " 'tags', (SELECT json_group_array(name) FROM (SELECT t.name"                \
  " FROM article_tags x JOIN tags t ON t.id = x.tag_id"                        \
  " WHERE x.article_id = a.id ORDER BY t.name)))"                              \
  " FROM articles a WHERE a.id = ?1"

static int write_authors(store *s, const store_edit *e) {
  store_q q;
  int rc;

  q_open(&q, s, "DELETE FROM article_authors WHERE article_id = ?1");
  q_i64(&q, 1, e->a.id);
  q_step(&q);
  rc = q_done(&q);
  for (size_t i = 0; rc == NB_OK && i < e->n_authors; i++) {
    q_open(&q, s,
           "INSERT INTO article_authors (article_id, author_id, position)"
           " VALUES (?1, ?2, ?3)");
    q_i64(&q, 1, e->a.id);
    q_i64(&q, 2, e->author_ids[i]);
    q_i64(&q, 3, (int64_t)i);
    q_step(&q);
    rc = q_done(&q);
  }
  return rc;
}

static int edit_write(store *s, arena_t *a, store_edit *e, int64_t base,
                      int64_t user_id) {
  int64_t now = nb_now(), old_section = 0, old_author = 0, revision = 0;
  int found = 0, rc;
  store_q q;

  if (e->a.id) {
    q_open(&q, s,
           "SELECT revision, section_id, coalesce(author_id, 0), published_at"
           " FROM articles WHERE id = ?1");
    q_i64(&q, 1, e->a.id);
    if ((found = q_step(&q))) {
      revision = q_col_i64(&q, 0);
      old_section = q_col_i64(&q, 1);
      old_author = q_col_i64(&q, 2);
      if (e->a.published_at == 0)
        e->a.published_at = q_col_i64(&q, 3);
    }
    if ((rc = q_done(&q)) != NB_OK)
      return rc;
    if (!found)
      return store_err(s, NB_ENOTFOUND, "no article with this id");
    if (revision != base)
      return store_errf(s, NB_ECONFLICT,
                        "the article was saved again meanwhile (revision "
                        "%lld, this save started from %lld)",
                        (long long)revision, (long long)base);
  }
  if (e->a.published_at == 0)
    e->a.published_at = now;
  if ((rc = unique_slug(s, a, e)) != NB_OK)
    return rc;
  e->a.author_id = e->n_authors ? e->author_ids[0] : 0;
  e->a.updated_at = now;

  q_open(&q, s, found ? EDIT_UPDATE : EDIT_INSERT);
  q_i64(&q, 1, e->a.section_id);
  q_id(&q, 2, e->a.author_id);
  q_text(&q, 3, e->a.title);
  q_text(&q, 4, e->a.slug);
  q_text(&q, 5, e->a.summary ? e->a.summary : "");
  q_text(&q, 6, e->a.body_html);
  q_text(&q, 7, e->a.image_url ? e->a.image_url : "");
  q_i64(&q, 8, e->a.status);
  q_i64(&q, 9, e->a.published_at);
  q_i64(&q, 10, now);
  q_text(&q, 11, e->a.draft_state ? e->a.draft_state : "");
  q_text(&q, 12, e->kicker ? e->kicker : "");
  q_text(&q, 13, e->seo_title ? e->seo_title : "");
  q_text(&q, 14, e->seo_description ? e->seo_description : "");
  q_i64(&q, 15, e->breaking != 0);
  q_i64(&q, 16, e->featured != 0);
  q_i64(&q, 17, e->comments_state);
  q_id(&q, 18, user_id);
  q_i64(&q, 19, e->trashed_at);
  if (found)
    q_i64(&q, 20, e->a.id);
  q_i64(&q, 21, e->unpublished_at);
  q_step(&q);
  if (!found)
    e->a.id = q_last_id(&q);
  if ((rc = q_done(&q)) != NB_OK)
    return rc;
  e->revision = found ? revision + 1 : 1;
  e->created_by = found ? e->created_by : user_id;

  rc = write_authors(s, e);
  if (rc == NB_OK)
    rc = store_tags_replace(s, e->a.id, e->tag_ids, e->n_tag_ids);
  if (rc == NB_OK)
    rc = store_index_put(s, e->a.id, e->a.title, e->a.body_html);
  if (rc == NB_OK) {
    q_open(&q, s, REVISION_INSERT);
    q_i64(&q, 1, e->a.id);
    q_id(&q, 2, user_id);
    q_i64(&q, 3, now);
    q_step(&q);
    rc = q_done(&q);
  }
  if (rc == NB_OK) {
    q_open(&q, s,
           "DELETE FROM autosaves WHERE user_id = ?1"
           " AND (article_id = ?2 OR article_id = ?3)");
    q_i64(&q, 1, user_id);
    q_i64(&q, 2, e->a.id);
    q_i64(&q, 3, found ? e->a.id : 0);
    q_step(&q);
    rc = q_done(&q);
  }
  if (rc == NB_OK)
    rc = store_article_changed(s, e->a.id, e->a.section_id, e->a.author_id,
                               found, old_section, old_author);
  return rc;
}

int store_edit_save(store *s, arena_t *a, store_edit *e, int64_t base,
                    int64_t user_id) {
  store_edit saved = *e;
  int rc = edit_check(s, e);

  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  rc = store_w_end(s, edit_write(s, a, &saved, base, user_id));
  if (rc == NB_OK)
    *e = saved;
  return rc;
}

/* ---- revisions ---- */

int store_revisions(store *s, arena_t *a, int64_t article_id, size_t limit,
                    store_revision **out, size_t *n) {
  store_revision *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;

  q_open(&q, s,
         "SELECT r.revision, r.at, coalesce(r.user_id, 0),"
         " coalesce(u.name, '') FROM article_revisions r"
         " LEFT JOIN users u ON u.id = r.user_id WHERE r.article_id = ?1"
         " ORDER BY r.revision DESC LIMIT ?2");
  q_i64(&q, 1, article_id);
  q_i64(&q, 2, (int64_t)limit);
  while (q_step(&q) &&
         (items = q_grow(&q, a, items, &cap, len, sizeof *items))) {
    store_revision *r = &items[len++];
    r->revision = q_col_i64(&q, 0);
    r->at = q_col_i64(&q, 1);
    r->user_id = q_col_i64(&q, 2);
    r->user_name = q_col_str(&q, a, 3);
    r->fields = NULL;
  }
  int rc = q_done(&q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

int store_revision_get(store *s, arena_t *a, int64_t article_id,
                       int64_t revision, store_revision *out) {
  store_q q;

  memset(out, 0, sizeof *out);
  q_open(&q, s,
         "SELECT r.revision, r.at, coalesce(r.user_id, 0),"
         " coalesce(u.name, ''), r.fields FROM article_revisions r"
         " LEFT JOIN users u ON u.id = r.user_id"
         " WHERE r.article_id = ?1 AND r.revision = ?2");
  q_i64(&q, 1, article_id);
  q_i64(&q, 2, revision);
  if (q_step(&q)) {
    out->revision = q_col_i64(&q, 0);
    out->at = q_col_i64(&q, 1);
    out->user_id = q_col_i64(&q, 2);
    out->user_name = q_col_str(&q, a, 3);
    out->fields = q_col_str(&q, a, 4);
  } else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

/* ---- autosaves ---- */

#define AUTOSAVE_MAX (4u << 20)

int store_autosave_put(store *s, int64_t user_id, int64_t article_id,
                       const store_autosave *as) {
  store_q q;
  int rc = store_check_text(s, as->fields, "autosave");

  if (rc == NB_OK && (!as->fields || strlen(as->fields) > AUTOSAVE_MAX))
    rc = store_err(s, NB_ETOOBIG, "an autosave is at most 4 MiB");
  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  q_open(&q, s,
         "INSERT INTO autosaves (user_id, article_id, base_revision, at,"
         " fields) VALUES (?1, ?2, ?3, ?4, ?5)"
         " ON CONFLICT (user_id, article_id) DO UPDATE SET"
         " base_revision = excluded.base_revision, at = excluded.at,"
         " fields = excluded.fields");
  q_i64(&q, 1, user_id);
  q_i64(&q, 2, article_id);
  q_i64(&q, 3, as->base_revision);
  q_i64(&q, 4, as->at);
  q_text(&q, 5, as->fields);
  q_step(&q);
  return store_w_end(s, q_done(&q));
}

int store_autosave_get(store *s, arena_t *a, int64_t user_id,
                       int64_t article_id, store_autosave *out) {
  store_q q;

  memset(out, 0, sizeof *out);
  q_open(&q, s,
         "SELECT base_revision, at, fields FROM autosaves"
         " WHERE user_id = ?1 AND article_id = ?2");
  q_i64(&q, 1, user_id);
  q_i64(&q, 2, article_id);
  if (q_step(&q)) {
    out->base_revision = q_col_i64(&q, 0);
    out->at = q_col_i64(&q, 1);
    out->fields = q_col_str(&q, a, 2);
  } else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

int store_autosave_drop(store *s, int64_t user_id, int64_t article_id) {
  store_q q;
  int rc = store_w_begin(s);

  if (rc != NB_OK)
    return rc;
  q_open(&q, s, "DELETE FROM autosaves WHERE user_id = ?1 AND article_id = ?2");
  q_i64(&q, 1, user_id);
  q_i64(&q, 2, article_id);
  q_step(&q);
  return store_w_end(s, q_done(&q));
}

/* ---- edit locks ---- */

int store_lock_get(store *s, arena_t *a, int64_t article_id, store_lock *out) {
  store_q q;

  memset(out, 0, sizeof *out);
  q_open(&q, s,
         "SELECT l.user_id, u.name, l.expires_at, coalesce(l.taken_from, 0),"
         " l.taken_at, coalesce(f.name, '') FROM edit_locks l"
         " JOIN users u ON u.id = l.user_id"
         " LEFT JOIN users f ON f.id = l.taken_from WHERE l.article_id = ?1");
  q_i64(&q, 1, article_id);
  if (q_step(&q)) {
    out->user_id = q_col_i64(&q, 0);
    out->user_name = q_col_str(&q, a, 1);
    out->expires_at = q_col_i64(&q, 2);
    out->taken_from = q_col_i64(&q, 3);
    out->taken_at = q_col_i64(&q, 4);
    out->taken_from_name = q_col_str(&q, a, 5);
  } else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

static int lock_write(store *s, arena_t *a, int64_t article_id, int64_t user_id,
                      int64_t now, int64_t ttl, int take_over,
                      store_lock *holder) {
  store_lock cur;
  store_q q;
  int rc = store_lock_get(s, a, article_id, &cur);

  if (rc == NB_ENOTFOUND) {
    q_open(&q, s, "SELECT 1 FROM articles WHERE id = ?1");
    q_i64(&q, 1, article_id);
    if (!q_step(&q))
      q_err(&q, NB_ENOTFOUND, "no article with this id");
    if ((rc = q_done(&q)) != NB_OK)
      return rc;
    q_open(&q, s,
           "INSERT INTO edit_locks (article_id, user_id, expires_at)"
           " VALUES (?1, ?2, ?3)");
  } else if (rc != NB_OK) {
    return rc;
  } else if (cur.user_id == user_id) {
    q_open(&q, s,
           "UPDATE edit_locks SET expires_at = ?3 WHERE article_id = ?1");
  } else if (cur.expires_at > now && !take_over) {
    *holder = cur;
    return store_errf(s, NB_EEXIST, "%s is editing this article",
                      cur.user_name);
  } else if (cur.expires_at > now) {
    q_open(&q, s,
           "UPDATE edit_locks SET user_id = ?2, expires_at = ?3,"
           " taken_from = ?4, taken_at = ?5 WHERE article_id = ?1");
    q_i64(&q, 4, cur.user_id);
    q_i64(&q, 5, now);
  } else { /* the other left: a fresh lock */
    q_open(&q, s,
           "UPDATE edit_locks SET user_id = ?2, expires_at = ?3,"
           " taken_from = NULL, taken_at = 0 WHERE article_id = ?1");
  }
  q_i64(&q, 1, article_id);
  q_i64(&q, 2, user_id);
  q_i64(&q, 3, now + ttl);
  q_step(&q);
  rc = q_done(&q);
  return rc == NB_OK ? store_lock_get(s, a, article_id, holder) : rc;
}

int store_lock_take(store *s, arena_t *a, int64_t article_id, int64_t user_id,
                    int64_t now, int64_t ttl, int take_over,
                    store_lock *holder) {
  store_lock h;
  int rc = store_w_begin(s);

  memset(&h, 0, sizeof h);
  if (rc == NB_OK)
    rc = store_w_end(
        s, lock_write(s, a, article_id, user_id, now, ttl, take_over, &h));
  if (holder)
    *holder = h;
  return rc;
}

int store_lock_release(store *s, int64_t article_id, int64_t user_id) {
  store_q q;
  int rc = store_w_begin(s);

  if (rc != NB_OK)
    return rc;
  q_open(&q, s,
         "DELETE FROM edit_locks WHERE article_id = ?1 AND user_id = ?2");
  q_i64(&q, 1, article_id);
  q_i64(&q, 2, user_id);
  q_step(&q);
  return store_w_end(s, q_done(&q));
}

/* ---- the newsroom's list ---- */

/* ?1 before (0: none), ?2 limit, ?3 created_by (0: anyone), ?4 now. */
#define LIST_COLS                                                              \
  "SELECT " ARTICLE_COLS ", a.draft_state, coalesce(a.created_by, 0),"         \
  " a.revision, a.trashed_at, a.unpublished_at" ARTICLE_FROM " WHERE"
#define LIST_MORE " AND (?1 = 0 OR a.id < ?1) AND (?3 = 0 OR a.created_by = ?3)"
#define LIST_PAGE LIST_MORE " ORDER BY a.id DESC LIMIT ?2"
static const char *const list_sql[STORE_NEWSROOM_STATES] = {
    [STORE_NEWSROOM_ALL] = LIST_COLS " a.trashed_at = 0" LIST_PAGE,
    [STORE_NEWSROOM_DRAFTS] =
        LIST_COLS " a.status = 0 AND a.trashed_at = 0"
                  " AND a.draft_state <> 'pending'" LIST_PAGE,
    [STORE_NEWSROOM_SUBMITTED] =
        LIST_COLS " a.status = 0 AND a.trashed_at = 0"
                  " AND a.draft_state = 'pending'" LIST_PAGE,
    [STORE_NEWSROOM_SCHEDULED] =
        LIST_COLS " a.status = 1 AND a.published_at > ?4" LIST_MORE
                  " ORDER BY a.published_at, a.id LIMIT ?2",
    /* "+": not by articles_by_date, which would sort every published
     * article by id; articles_by_state walks them in id order. */
    [STORE_NEWSROOM_PUBLISHED] =
        LIST_COLS " a.status = 1 AND a.trashed_at = 0"
                  " AND +a.published_at <= ?4" LIST_PAGE,
    [STORE_NEWSROOM_TRASH] = LIST_COLS " a.trashed_at > 0" LIST_PAGE,
};

int store_newsroom_list(store *s, arena_t *a, int state, int64_t created_by,
                        int64_t now, int64_t before, size_t limit,
                        store_newsroom_item **out, size_t *n) {
  store_newsroom_item *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;

  *out = NULL;
  *n = 0;
  if (state < 0 || state >= STORE_NEWSROOM_STATES || before < 0)
    return store_err(s, NB_EINVAL, "unknown state or negative id");
  q_open(&q, s, list_sql[state]);
  q_i64(&q, 1, state == STORE_NEWSROOM_SCHEDULED ? 0 : before);
  q_i64(&q, 2, (int64_t)limit);
  q_i64(&q, 3, created_by);
  if (state == STORE_NEWSROOM_SCHEDULED || state == STORE_NEWSROOM_PUBLISHED)
    q_i64(&q, 4, now); /* the others have no ?4 */
  while (q_step(&q) &&
         (items = q_grow(&q, a, items, &cap, len, sizeof *items))) {
    store_newsroom_item *x = &items[len++];
    int c = ARTICLE_NCOLS;
    store_read_article(&q, a, 0, &x->a);
    x->a.draft_state = q_col_str(&q, a, c);
    x->created_by = q_col_i64(&q, c + 1);
    x->revision = q_col_i64(&q, c + 2);
    x->trashed_at = q_col_i64(&q, c + 3);
    x->unpublished_at = q_col_i64(&q, c + 4);
  }
  int rc = q_done(&q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}
