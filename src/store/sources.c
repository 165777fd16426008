/* store/sources.c: what imports from WordPress keep besides articles and
 * pages: post and page IDs, old permalinks answered with a 301, media by
 * URL, and newsroom accounts. */
#include "store/internal.h"

/* Runs the write sql of two parameters, ?1 the text t1 or else the
 * integer i1, ?2 the integer i2, in a write of its own. */
static int write2(store *s, const char *sql, int64_t i1, const char *t1,
                  int64_t i2) {
  store_q q;
  int rc = store_w_begin(s);

  if (rc != NB_OK)
    return rc;
  q_open(&q, s, sql);
  if (t1)
    q_text(&q, 1, t1);
  else
    q_i64(&q, 1, i1);
  q_i64(&q, 2, i2);
  q_step(&q);
  return store_w_end(s, q_done(&q));
}

/* The integer or text of the query sql of one row by an integer or text
 * key (?1); NB_ENOTFOUND if none. */
static int lookup(store *s, arena_t *a, const char *sql, int64_t key,
                  const char *tkey, int64_t *i, const char **t) {
  store_q q;

  q_open(&q, s, sql);
  if (tkey)
    q_text(&q, 1, tkey);
  else
    q_i64(&q, 1, key);
  if (!q_step(&q))
    q_fail(&q, NB_ENOTFOUND);
  else if (i)
    *i = q_col_i64(&q, 0);
  else if (t)
    *t = q_col_str(&q, a, 0);
  return q_done(&q);
}

/* ---- WordPress post and page IDs ---- */

int store_wp_post_set(store *s, int64_t wp_id, int64_t article_id) {
  return write2(s,
                "INSERT INTO wp_posts (wp_id, article_id) VALUES (?1, ?2)"
                " ON CONFLICT (wp_id) DO UPDATE SET article_id = ?2",
                wp_id, NULL, article_id);
}

int store_wp_post_article(store *s, int64_t wp_id, int64_t *article_id) {
  return lookup(s, NULL, "SELECT article_id FROM wp_posts WHERE wp_id = ?1",
                wp_id, NULL, article_id, NULL);
}

int store_wp_page_set(store *s, int64_t wp_id, int64_t page_id) {
  return write2(s,
                "INSERT INTO wp_pages (wp_id, page_id) VALUES (?1, ?2)"
                " ON CONFLICT (wp_id) DO UPDATE SET page_id = ?2",
                wp_id, NULL, page_id);
}

int store_wp_page(store *s, int64_t wp_id, int64_t *page_id) {
  return lookup(s, NULL, "SELECT page_id FROM wp_pages WHERE wp_id = ?1", wp_id,
                NULL, page_id, NULL);
}

/* ---- old permalinks ---- */

int store_redirect_set(store *s, const char *path, int64_t article_id) {
  if (!path || !path[0])
    return store_err(s, NB_EINVAL, "empty redirect path");
  return write2(s,
                "INSERT INTO redirects (path, article_id) VALUES (?1, ?2)"
                " ON CONFLICT (path) DO UPDATE SET article_id = ?2",
                0, path, article_id);
}

int store_redirect_get(store *s, const char *path, int64_t *article_id) {
  return lookup(s, NULL, "SELECT article_id FROM redirects WHERE path = ?1", 0,
                path, article_id, NULL);
}

int store_page_redirect_set(store *s, const char *path, int64_t page_id) {
  if (!path || !path[0])
    return store_err(s, NB_EINVAL, "empty redirect path");
  return write2(s,
                "INSERT INTO page_redirects (path, page_id) VALUES (?1, ?2)"
                " ON CONFLICT (path) DO UPDATE SET page_id = ?2",
                0, path, page_id);
}

int store_page_redirect_get(store *s, const char *path, int64_t *page_id) {
  return lookup(s, NULL, "SELECT page_id FROM page_redirects WHERE path = ?1",
                0, path, page_id, NULL);
}

/* ---- attachments ---- */

int store_attachment_set(store *s, int64_t wp_id, const char *url,
                         const char *title, int64_t article_id) {
  store_q q;
  int rc = store_w_begin(s);

  if (rc != NB_OK)
    return rc;
  q_open(&q, s,
         "INSERT INTO attachments (wp_id, url, title, article_id)"
         " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (wp_id) DO UPDATE"
         " SET url = ?2, title = ?3, article_id = ?4");
  q_i64(&q, 1, wp_id);
  q_text(&q, 2, url);
  q_text(&q, 3, title ? title : "");
  q_id(&q, 4, article_id > 0 ? article_id : 0); /* else NULL: none */
  q_step(&q);
  return store_w_end(s, q_done(&q));
}

int store_attachment_link(store *s, int64_t wp_id, int64_t article_id) {
  return write2(s, "UPDATE attachments SET article_id = ?2 WHERE wp_id = ?1",
                wp_id, NULL, article_id);
}

int store_attachment_url(store *s, arena_t *a, int64_t wp_id,
                         const char **url) {
  return lookup(s, a, "SELECT url FROM attachments WHERE wp_id = ?1", wp_id,
                NULL, NULL, url);
}

int store_attachment_urls(store *s, arena_t *a, int64_t article_id,
                          const char ***out, size_t *n) {
  const char **urls = NULL;
  size_t cap = 0, len = 0;
  store_q q;
  int rc;

  if (article_id) {
    q_open(&q, s,
           "SELECT url FROM attachments WHERE article_id = ?1 ORDER BY wp_id");
    q_i64(&q, 1, article_id);
  } else {
    q_open(&q, s, "SELECT url FROM attachments ORDER BY wp_id");
  }
  while (q_step(&q) && (urls = q_grow(&q, a, urls, &cap, len, sizeof *urls)))
    urls[len++] = q_col_str(&q, a, 0);
  rc = q_done(&q);
  *out = rc == NB_OK ? urls : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

/* ---- newsroom accounts ---- */

int store_user_ensure(store *s, const char *login, const char *email,
                      int64_t author_id) {
  store_q q;
  int rc = store_w_begin(s);

  if (rc != NB_OK)
    return rc;
  /* An author with no password (an account to be given one), without an
   * e-mail address that is not one or is another user's; an account
   * that has a password keeps its own address. */
  q_open(&q, s,
         "INSERT INTO users (name, email, role, must_change, author_id,"
         " created_at) VALUES (?1, CASE WHEN ?2 LIKE '_%@%_' AND NOT EXISTS"
         " (SELECT 1 FROM users WHERE lower(email) = lower(?2)"
         " AND lower(name) <> lower(?1)) THEN ?2 END, 2, 1, ?3, ?4)"
         " ON CONFLICT ((lower(name))) DO UPDATE SET author_id = ?3,"
         " email = CASE WHEN users.password_hash IS NULL"
         " THEN excluded.email ELSE users.email END");
  q_text(&q, 1, login);
  q_text(&q, 2, email ? email : "");
  q_id(&q, 3, author_id); /* 0: NULL, no byline */
  q_i64(&q, 4, nb_now());
  q_step(&q);
  return store_w_end(s, q_done(&q));
}

int store_author_email(store *s, arena_t *a, int64_t author_id,
                       const char **email) {
  int rc;

  *email = "";
  rc = lookup(s, a,
              "SELECT coalesce(email, '') FROM users WHERE author_id = ?1"
              " ORDER BY id LIMIT 1",
              author_id, NULL, NULL, email);
  return rc == NB_ENOTFOUND ? NB_OK : rc;
}
