/* store/articles.c: articles, their lists and counts, and what imports
 * set on them afterwards (sticky flag, lead image, a gallery). */
#include <string.h>
#include <time.h>

#include "store/internal.h"

#define NEWEST " ORDER BY a.published_at DESC, a.id DESC"

void store_read_article(store_q *q, arena_t *a, int body, store_article *out) {
  memset(out, 0, sizeof *out);
  out->id = q_col_i64(q, 0);
  out->section_id = q_col_i64(q, 1);
  out->author_id = q_col_i64(q, 2);
  out->title = q_col_str(q, a, 3);
  out->slug = q_col_str(q, a, 4);
  out->summary = q_col_str(q, a, 5);
  out->image_url = q_col_str(q, a, 6);
  out->published_at = q_col_i64(q, 7);
  out->updated_at = q_col_i64(q, 8);
  out->status = q_col_int(q, 9);
  out->section_name = q_col_str(q, a, 10);
  out->section_slug = q_col_str(q, a, 11);
  out->author_name = q_col_str(q, a, 12);
  out->author_slug = q_col_str(q, a, 13);
  out->draft_state = ""; /* read by store_articles_after() only */
  out->kicker = out->seo_title = out->seo_description = "";
  if (body)
    out->body_html = q_col_str(q, a, ARTICLE_NCOLS);
}

/* The article page's extra columns, after body_html. */
#define PAGE_COLS                                                              \
  ", a.body_html, a.kicker, a.seo_title, a.seo_description, a.breaking,"       \
  " a.featured, (SELECT count(*) FROM article_authors x"                       \
  " WHERE x.article_id = a.id)"

static void read_page(store_q *q, arena_t *a, store_article *out) {
  int c = ARTICLE_NCOLS;
  store_read_article(q, a, 1, out);
  out->kicker = q_col_str(q, a, c + 1);
  out->seo_title = q_col_str(q, a, c + 2);
  out->seo_description = q_col_str(q, a, c + 3);
  out->breaking = q_col_int(q, c + 4);
  out->featured = q_col_int(q, c + 5);
  out->n_authors = q_col_int(q, c + 6);
}

int store_article_by_id(store *s, arena_t *a, int64_t id, store_article *out) {
  store_q q;

  q_open(&q, s,
         "SELECT " ARTICLE_COLS PAGE_COLS ARTICLE_FROM
         " WHERE a.id = ?2 AND" PUBLISHED);
  q_i64(&q, 1, nb_now());
  q_i64(&q, 2, id);
  if (q_step(&q))
    read_page(&q, a, out);
  else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

int store_article_any(store *s, arena_t *a, int64_t id, store_article *out) {
  store_q q;

  q_open(&q, s,
         "SELECT " ARTICLE_COLS PAGE_COLS ARTICLE_FROM " WHERE a.id = ?1");
  q_i64(&q, 1, id);
  if (q_step(&q))
    read_page(&q, a, out);
  else
    q_fail(&q, NB_ENOTFOUND);
  return q_done(&q);
}

int store_article_authors(store *s, arena_t *a, int64_t article_id,
                          store_named **out, size_t *n) {
  store_named *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;

  q_open(&q, s,
         "SELECT u.id, u.name, u.slug FROM article_authors x"
         " JOIN authors u ON u.id = x.author_id WHERE x.article_id = ?1"
         " ORDER BY x.position, x.author_id");
  q_i64(&q, 1, article_id);
  while (q_step(&q) &&
         (items = q_grow(&q, a, items, &cap, len, sizeof *items))) {
    items[len].id = q_col_i64(&q, 0);
    items[len].name = q_col_str(&q, a, 1);
    items[len++].slug = q_col_str(&q, a, 2);
  }
  int rc = q_done(&q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

/* Runs an article query (its parameters bound) to its end, collecting the
 * rows, with their bodies or not; ends the query. */
static int read_articles(store_q *q, arena_t *a, int body, store_article **out,
                         size_t *n) {
  store_article *items = NULL;
  size_t cap = 0, len = 0;
  int rc;

  while (q_step(q) && (items = q_grow(q, a, items, &cap, len, sizeof *items)))
    store_read_article(q, a, body, &items[len++]);
  rc = q_done(q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

int store_articles_latest(store *s, arena_t *a, int64_t section_id,
                          int64_t offset, int64_t limit, store_article **out,
                          size_t *n) {
  store_q q;

  *out = NULL;
  *n = 0;
  if (offset < 0 || limit < 0 || section_id < 0)
    return store_err(s, NB_EINVAL, "negative offset, limit or section");
  if (section_id)
    q_open(&q, s,
           "SELECT " ARTICLE_COLS ARTICLE_FROM
           " WHERE a.section_id = ?4 AND" PUBLISHED NEWEST
           " LIMIT ?2 OFFSET ?3");
  else
    q_open(&q, s,
           "SELECT " ARTICLE_COLS ARTICLE_FROM " WHERE" PUBLISHED NEWEST
           " LIMIT ?2 OFFSET ?3");
  q_i64(&q, 1, nb_now());
  q_i64(&q, 2, limit);
  q_i64(&q, 3, offset);
  if (section_id)
    q_i64(&q, 4, section_id);
  return read_articles(&q, a, 0, out, n);
}

/* store_list_articles() by STORE_LIST_*: ?1 now, ?2 limit, ?3 the section,
 * author or tag, ?4 offset. */
#define LIST_SELECT "SELECT " ARTICLE_COLS ", a.body_html" ARTICLE_FROM
#define LIST_PAGE NEWEST " LIMIT ?2 OFFSET ?4"
static const char *const list_sql[] = {
    [STORE_LIST_SITE] = LIST_SELECT " WHERE" PUBLISHED LIST_PAGE,
    [STORE_LIST_SECTION] =
        LIST_SELECT " WHERE a.section_id = ?3 AND" PUBLISHED LIST_PAGE,
    [STORE_LIST_AUTHOR] =
        LIST_SELECT " WHERE a.author_id = ?3 AND" PUBLISHED LIST_PAGE,
    [STORE_LIST_TAG] =
        LIST_SELECT " WHERE a.id IN (SELECT article_id FROM article_tags"
                    " WHERE tag_id = ?3) AND" PUBLISHED LIST_PAGE,
};

int store_list_articles(store *s, arena_t *a, int kind, int64_t id,
                        int64_t offset, int64_t limit, store_article **out,
                        size_t *n) {
  store_q q;

  *out = NULL;
  *n = 0;
  if (kind < STORE_LIST_SITE || kind > STORE_LIST_TAG || limit < 0 ||
      offset < 0)
    return store_err(s, NB_EINVAL, "unknown list or negative limit or offset");
  q_open(&q, s, list_sql[kind]);
  q_i64(&q, 1, nb_now());
  q_i64(&q, 2, limit);
  if (kind != STORE_LIST_SITE)
    q_i64(&q, 3, id);
  q_i64(&q, 4, offset);
  return read_articles(&q, a, 1, out, n);
}

/* The count of a query of one row (its parameters bound); ends it. */
static int count_of(store_q *q, int64_t *n) {
  if (q_step(q))
    *n = q_col_i64(q, 0);
  else
    q_err(q, NB_EIO, "count returned no row");
  return q_done(q);
}

int store_list_count(store *s, int kind, int64_t id, int64_t *n) {
  store_q q;

  *n = 0;
  if (kind == STORE_LIST_SITE || kind == STORE_LIST_SECTION)
    return store_articles_count(s, kind == STORE_LIST_SITE ? 0 : id, n);
  if (kind == STORE_LIST_AUTHOR)
    q_open(&q, s,
           "SELECT count(*) FROM articles a"
           " WHERE a.author_id = ?3 AND" PUBLISHED);
  else if (kind == STORE_LIST_TAG)
    q_open(&q, s,
           "SELECT count(*) FROM articles a WHERE a.id IN"
           " (SELECT article_id FROM article_tags WHERE tag_id = ?3)"
           " AND" PUBLISHED);
  else
    return store_err(s, NB_EINVAL, "unknown list");
  q_i64(&q, 1, nb_now());
  q_i64(&q, 3, id);
  return count_of(&q, n);
}

int store_articles_count(store *s, int64_t section_id, int64_t *n) {
  store_q q;

  if (section_id)
    q_open(&q, s,
           "SELECT count(*) FROM articles a"
           " WHERE a.section_id = ?2 AND" PUBLISHED);
  else
    q_open(&q, s, "SELECT count(*) FROM articles a WHERE" PUBLISHED);
  q_i64(&q, 1, nb_now());
  if (section_id)
    q_i64(&q, 2, section_id);
  return count_of(&q, n);
}

/* Adds the row's UTC day of articles to the months of (*items)[0..*len);
 * on out of memory the query fails. */
static void month_add(store_q *q, arena_t *a, store_month **items, size_t *cap,
                      size_t *len) {
  time_t day = (time_t)(q_col_i64(q, 0) * 86400);
  int64_t count = q_col_i64(q, 1), lastmod = q_col_i64(q, 2);
  store_month *m = *len > 0 ? &(*items)[*len - 1] : NULL;
  struct tm tm;

  if (!gmtime_r(&day, &tm) || tm.tm_year + 1900 > 9999)
    return; /* no month a sitemap can name */
  int year = tm.tm_year + 1900, month = tm.tm_mon + 1;
  if (m && m->year == year && m->month == month) {
    m->count += count;
    if (lastmod > m->lastmod)
      m->lastmod = lastmod;
    return;
  }
  *items = q_grow(q, a, *items, cap, *len, sizeof **items);
  if (*items)
    (*items)[(*len)++] = (store_month){year, month, count, lastmod};
}

int store_article_months(store *s, arena_t *a, int64_t now, store_month **out,
                         size_t *n) {
  store_month *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;
  int rc;

  /* By UTC day (an integer division, where strftime() costs as much as
   * the whole scan), newest first; month_add() makes months of them. */
  q_open(&q, s,
         "SELECT a.published_at / 86400 AS d, count(*), max(a.updated_at)"
         " FROM articles a INDEXED BY articles_months WHERE" PUBLISHED
         " GROUP BY d ORDER BY d DESC");
  q_i64(&q, 1, now);
  while (q_step(&q))
    month_add(&q, a, &items, &cap, &len);
  rc = q_done(&q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

int store_articles_between(store *s, arena_t *a, int64_t from, int64_t to,
                           int64_t now, int64_t offset, int64_t limit,
                           store_article **out, size_t *n) {
  store_q q;

  *out = NULL;
  *n = 0;
  if (offset < 0 || limit < 0)
    return store_err(s, NB_EINVAL, "negative offset or limit");
  q_open(&q, s,
         "SELECT " ARTICLE_COLS ARTICLE_FROM " WHERE" PUBLISHED
         " AND a.published_at >= ?2 AND a.published_at < ?3" NEWEST
         " LIMIT ?4 OFFSET ?5");
  q_i64(&q, 1, now);
  q_i64(&q, 2, from);
  q_i64(&q, 3, to);
  q_i64(&q, 4, limit);
  q_i64(&q, 5, offset);
  return read_articles(&q, a, 0, out, n);
}

int store_articles_after(store *s, arena_t *a, int64_t after, int64_t limit,
                         store_article **out, size_t *n) {
  store_article *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;
  int rc;

  q_open(&q, s,
         "SELECT " ARTICLE_COLS
         ", a.body_html, a.sticky, a.draft_state" ARTICLE_FROM
         " WHERE a.id > ?1 ORDER BY a.id LIMIT ?2");
  q_i64(&q, 1, after);
  q_i64(&q, 2, limit);
  while (q_step(&q) &&
         (items = q_grow(&q, a, items, &cap, len, sizeof *items))) {
    store_read_article(&q, a, 1, &items[len]);
    items[len].sticky = q_col_int(&q, ARTICLE_NCOLS + 1);
    items[len++].draft_state = q_col_str(&q, a, ARTICLE_NCOLS + 2);
  }
  rc = q_done(&q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

int store_articles_newsroom(store *s, arena_t *a, int64_t before, int64_t limit,
                            store_article **out, size_t *n) {
  store_article *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;
  int rc;

  q_open(&q, s,
         "SELECT " ARTICLE_COLS ", a.draft_state" ARTICLE_FROM
         " WHERE ?1 = 0 OR a.id < ?1 ORDER BY a.id DESC LIMIT ?2");
  q_i64(&q, 1, before);
  q_i64(&q, 2, limit);
  while (q_step(&q) &&
         (items = q_grow(&q, a, items, &cap, len, sizeof *items))) {
    store_read_article(&q, a, 0, &items[len]);
    items[len++].draft_state = q_col_str(&q, a, ARTICLE_NCOLS);
  }
  rc = q_done(&q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

/* ---- saving ---- */

/* What an update needs to know about the row it replaces. */
struct old_article {
  int64_t id, section_id, author_id, published_at;
};

/* Finds the row a save replaces: by source key, else by id. Returns 1 when
 * found, 0 when not, or an error. */
static int article_old(store *s, const char *key, int64_t id,
                       struct old_article *old) {
  store_q q;
  int found;

  if (key) {
    q_open(&q, s,
           "SELECT id, section_id, coalesce(author_id, 0), published_at"
           " FROM articles WHERE source_key = ?1");
    q_text(&q, 1, key);
  } else {
    q_open(&q, s,
           "SELECT id, section_id, coalesce(author_id, 0), published_at"
           " FROM articles WHERE id = ?1");
    q_i64(&q, 1, id);
  }
  found = q_step(&q);
  if (found)
    *old = (struct old_article){q_col_i64(&q, 0), q_col_i64(&q, 1),
                                q_col_i64(&q, 2), q_col_i64(&q, 3)};
  return q_done(&q) == NB_OK ? found : q.rc;
}

int store_article_check(store *s, const store_article *a,
                        const char *source_key) {
  const char *ds = a->draft_state ? a->draft_state : "";
  int rc = NB_OK;

  /* body_html NULL is what list queries return: refuse it rather than
   * silently erase a body when such a struct is saved back. */
  if (!a->title || !a->slug || !a->body_html)
    return store_err(s, NB_EINVAL, "title, slug and body_html are required");
  if (a->published_at < 0)
    return store_err(s, NB_EINVAL, "published_at is negative");
  if (a->status != STORE_DRAFT && a->status != STORE_PUBLISHED)
    return store_err(s, NB_EINVAL, "status is neither draft nor published");
  rc = store_check_draft_state(s, ds, a->status);
  if (rc == NB_OK)
    rc = store_check_text(s, a->title, "title");
  if (rc == NB_OK)
    rc = store_check_text(s, a->slug, "slug");
  if (rc == NB_OK)
    rc = store_check_text(s, a->summary, "summary");
  if (rc == NB_OK)
    rc = store_check_text(s, a->body_html, "body_html");
  if (rc == NB_OK)
    rc = store_check_text(s, a->image_url, "image_url");
  if (rc == NB_OK)
    rc = store_check_text(s, source_key, "source_key");
  return rc;
}

int store_article_changed(store *s, int64_t id, int64_t section_id,
                          int64_t author_id, int found, int64_t old_section,
                          int64_t old_author) {
  int rc = store_change_id(s, "article", id);

  if (rc == NB_OK)
    rc = store_change_id(s, "section", section_id);
  if (rc == NB_OK && found && old_section != section_id)
    rc = store_change_id(s, "section", old_section);
  if (rc == NB_OK && author_id)
    rc = store_change_id(s, "author", author_id);
  if (rc == NB_OK && found && old_author && old_author != author_id)
    rc = store_change_id(s, "author", old_author);
  if (rc == NB_OK)
    rc = store_change(s, "home");
  if (rc == NB_OK)
    rc = store_change(s, "feeds");
  if (rc == NB_OK)
    rc = store_changes_trim(s);
  return rc;
}

/* ?12, the row an update replaces, has no use in an insert. */
#define ARTICLE_INSERT                                                         \
  "INSERT INTO articles (section_id, author_id, title, slug, summary,"         \
  " body_html, image_url, status, published_at, updated_at, created_at,"       \
  " source_key, draft_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"      \
  " ?10, ?10, ?11, ?13)"
#define ARTICLE_UPDATE                                                         \
  "UPDATE articles SET section_id = ?1, author_id = ?2, title = ?3,"           \
  " slug = ?4, summary = ?5, body_html = ?6, image_url = ?7,"                  \
  " status = ?8, published_at = ?9, updated_at = ?10,"                         \
  " source_key = coalesce(?11, source_key), draft_state = ?13"                 \
  " WHERE id = ?12"

static int article_write(store *s, store_article *a, const char *source_key,
                         int *created) {
  struct old_article old = {0};
  int64_t now = nb_now();
  int found = 0;
  store_q q;

  if (source_key)
    found = article_old(s, source_key, 0, &old);
  if (found == 0 && a->id > 0) {
    found = article_old(s, NULL, a->id, &old);
    if (found == 0)
      return store_err(s, NB_ENOTFOUND, "no article with this id");
  }
  if (found < 0)
    return found;
  if (a->published_at == 0)
    a->published_at = found ? old.published_at : now;
  if (a->updated_at <= 0)
    a->updated_at = now;

  q_open(&q, s, found ? ARTICLE_UPDATE : ARTICLE_INSERT);
  q_i64(&q, 1, a->section_id);
  q_id(&q, 2, a->author_id); /* 0: NULL, no byline */
  q_text(&q, 3, a->title);
  q_text(&q, 4, a->slug);
  q_text(&q, 5, a->summary ? a->summary : "");
  q_text(&q, 6, a->body_html);
  q_text(&q, 7, a->image_url ? a->image_url : "");
  q_i64(&q, 8, a->status);
  q_i64(&q, 9, a->published_at);
  q_i64(&q, 10, a->updated_at);
  q_text(&q, 11, source_key);
  if (found)
    q_i64(&q, 12, old.id);
  q_text(&q, 13, a->draft_state ? a->draft_state : "");
  q_step(&q);
  a->id = found ? old.id : q_last_id(&q);
  if (q_done(&q) != NB_OK)
    return q.rc;
  *created = !found;
  /* The byline as the editor lists bylines (article_authors): this one. */
  q_open(&q, s, "DELETE FROM article_authors WHERE article_id = ?1");
  q_i64(&q, 1, a->id);
  q_step(&q);
  int rc = q_done(&q);
  if (rc == NB_OK && a->author_id) {
    q_open(&q, s,
           "INSERT INTO article_authors (article_id, author_id, position)"
           " VALUES (?1, ?2, 0)");
    q_i64(&q, 1, a->id);
    q_i64(&q, 2, a->author_id);
    q_step(&q);
    rc = q_done(&q);
  }
  if (rc == NB_OK)
    rc = store_index_put(s, a->id, a->title, a->body_html);
  return rc == NB_OK
             ? store_article_changed(s, a->id, a->section_id, a->author_id,
                                     found, old.section_id, old.author_id)
             : rc;
}

int store_article_save(store *s, store_article *a, const char *source_key,
                       int *created) {
  store_article saved = *a;
  int rc, made = 0;

  rc = store_article_check(s, a, source_key);
  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  rc = store_w_end(s, article_write(s, &saved, source_key, &made));
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

/* ---- what imports set afterwards ---- */

int store_article_set_sticky(store *s, int64_t id, int sticky) {
  store_q q;
  int rc = store_w_begin(s);

  if (rc != NB_OK)
    return rc;
  q_open(&q, s, "UPDATE articles SET sticky = ?2 WHERE id = ?1");
  q_i64(&q, 1, id);
  q_i64(&q, 2, sticky != 0);
  q_step(&q);
  return store_w_end(s, q_done(&q));
}

/* Runs sql (?1 the article id, ?2 text) on one article, and records what
 * shows it: the article and the feeds. */
static int article_set(store *s, const char *sql, int64_t id,
                       const char *text) {
  store_q q;
  int rc = store_w_begin(s);

  if (rc != NB_OK)
    return rc;
  q_open(&q, s, sql);
  q_i64(&q, 1, id);
  q_text(&q, 2, text);
  q_step(&q);
  rc = q_done(&q);
  if (rc == NB_OK)
    rc = store_change_id(s, "article", id);
  if (rc == NB_OK)
    rc = store_change(s, "feeds");
  return store_w_end(s, rc);
}

int store_article_set_image(store *s, int64_t id, const char *url) {
  return article_set(s, "UPDATE articles SET image_url = ?2 WHERE id = ?1", id,
                     url ? url : "");
}

int store_article_append_html(store *s, int64_t id, const char *html) {
  int rc = store_check_text(s, html, "html");

  if (rc != NB_OK)
    return rc;
  return article_set(s,
                     "UPDATE articles SET body_html = body_html || ?2"
                     " WHERE id = ?1",
                     id, html);
}
