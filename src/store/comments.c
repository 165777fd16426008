/* store/comments.c: readers' comments, their moderation, and whether an
 * article takes them.
 *
 * The e-mail address and the client address are personal data: only the
 * moderation reads return them. */
#include <assert.h>
#include <string.h>

#include "store/internal.h"

/* The columns read_comment() expects, in this order; moderation reads add
 * the e-mail address and the article's title. */
#define COMMENT_COLS                                                           \
  "c.id, c.article_id, coalesce(c.parent_id, 0), c.author_name, "              \
  "c.author_url, c.body, c.status, c.created_at, c.avatar_key, c.client"
#define COMMENT_MOD_FROM                                                       \
  ", c.author_email, a.title, a.slug, s.slug FROM comments c"                  \
  " JOIN articles a ON a.id = c.article_id"                                    \
  " JOIN sections s ON s.id = a.section_id"
#define COMMENTS_NEWEST " ORDER BY c.created_at DESC, c.id DESC LIMIT ?1"

/* A JSON array of ids ("[4,7]"), for the json_each() lists in the SQL. The
 * caller frees b with buf_free(). */
static int ids_json(store *s, buf_t *b, const int64_t *ids, size_t n) {
  assert(ids || n == 0);
  buf_putc(b, '[');
  for (size_t i = 0; i < n; i++)
    buf_printf(b, "%s%lld", i ? "," : "", (long long)ids[i]);
  buf_putc(b, ']');
  return b->oom ? store_err(s, NB_ENOMEM, "out of memory") : NB_OK;
}

/* Public reads leave author_email and the article's fields NULL;
 * moderation reads (mod != 0) fill them. */
static void read_comment(store_q *q, arena_t *a, int mod, store_comment *out) {
  memset(out, 0, sizeof *out);
  out->id = q_col_i64(q, 0);
  out->article_id = q_col_i64(q, 1);
  out->parent_id = q_col_i64(q, 2);
  out->author_name = q_col_str(q, a, 3);
  out->author_url = q_col_str(q, a, 4);
  out->body = q_col_str(q, a, 5);
  out->status = q_col_int(q, 6);
  out->created_at = q_col_i64(q, 7);
  out->avatar_key = q_col_str(q, a, 8);
  /* The client address is personal data, like the e-mail: moderation
   * reads only. */
  out->client = mod ? q_col_str(q, a, 9) : "";
  if (mod) {
    out->author_email = q_col_str(q, a, 10);
    out->article_title = q_col_str(q, a, 11);
    out->article_slug = q_col_str(q, a, 12);
    out->section_slug = q_col_str(q, a, 13);
  }
}

/* Runs a comment query (its parameters bound) to its end, collecting the
 * rows; ends the query. */
static int read_comments(store_q *q, arena_t *a, int mod, store_comment **out,
                         size_t *n) {
  store_comment *items = NULL;
  size_t cap = 0, len = 0;
  int rc;

  while (q_step(q) && (items = q_grow(q, a, items, &cap, len, sizeof *items)))
    read_comment(q, a, mod, &items[len++]);
  rc = q_done(q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

/* What a change to comment `id` needs to know about it. Returns 1 when
 * found, 0 when not, or an error. */
static int comment_old(store *s, int64_t id, int64_t *article_id, int *status,
                       int64_t *parent_id) {
  store_q q;
  int found;

  /* Set even when not found: gcc -O3 (the release build) cannot tell that
   * callers read them only when found. */
  *article_id = *parent_id = 0;
  *status = 0;
  q_open(&q, s,
         "SELECT article_id, status, coalesce(parent_id, 0) FROM comments"
         " WHERE id = ?1");
  q_i64(&q, 1, id);
  found = q_step(&q);
  if (found) {
    *article_id = q_col_i64(&q, 0);
    *status = q_col_int(&q, 1);
    *parent_id = q_col_i64(&q, 2);
  }
  return q_done(&q) == NB_OK ? found : q.rc;
}

static int comment_status_valid(int status) {
  return status == STORE_COMMENT_PENDING || status == STORE_COMMENT_APPROVED ||
         status == STORE_COMMENT_SPAM;
}

/* Records the tag of an article's public thread. */
static int comments_changed(store *s, int64_t article_id) {
  int rc = store_change_id(s, "comments", article_id);

  if (rc == NB_OK)
    rc = store_changes_trim(s);
  return rc;
}

static int comment_check(store *s, const store_comment *c,
                         const char *content_key) {
  int rc;

  if (!c->author_name || !c->author_email || !c->body || !content_key ||
      !*c->author_name || !*c->author_email || !*c->body || !*content_key)
    return store_err(s, NB_EINVAL,
                     "author name, e-mail, body and content_key are required");
  if (c->article_id <= 0 || c->parent_id < 0 || c->created_at < 0)
    return store_err(s, NB_EINVAL, "article, parent or date out of range");
  if (!comment_status_valid(c->status))
    return store_err(s, NB_EINVAL, "status is not a comment status");
  rc = store_check_text(s, c->author_name, "author_name");
  if (rc == NB_OK)
    rc = store_check_text(s, c->author_email, "author_email");
  if (rc == NB_OK)
    rc = store_check_text(s, c->author_url, "author_url");
  if (rc == NB_OK)
    rc = store_check_text(s, c->body, "body");
  if (rc == NB_OK)
    rc = store_check_text(s, c->avatar_key, "avatar_key");
  if (rc == NB_OK)
    rc = store_check_text(s, c->client, "client");
  if (rc == NB_OK)
    rc = store_check_text(s, content_key, "content_key");
  return rc;
}

/* Inserts c unless the article has a comment with its content key: sets
 * c->id and *made to 1 when it did. */
static int comment_insert(store *s, store_comment *c, const char *content_key,
                          int *made) {
  store_q q;

  /* RETURNING gives a row only when one was inserted. */
  q_open(&q, s,
         "INSERT INTO comments (article_id, parent_id, author_name,"
         " author_email, author_url, body, status, created_at, avatar_key,"
         " client, content_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
         " ?10, ?11) ON CONFLICT (article_id, content_key) DO NOTHING"
         " RETURNING id");
  q_i64(&q, 1, c->article_id);
  q_id(&q, 2, c->parent_id); /* 0: NULL, top level */
  q_text(&q, 3, c->author_name);
  q_text(&q, 4, c->author_email);
  q_text(&q, 5, c->author_url ? c->author_url : "");
  q_text(&q, 6, c->body);
  q_i64(&q, 7, c->status);
  q_i64(&q, 8, c->created_at);
  q_text(&q, 9, c->avatar_key ? c->avatar_key : "");
  q_text(&q, 10, c->client ? c->client : "");
  q_text(&q, 11, content_key);
  *made = q_step(&q);
  if (*made)
    c->id = q_col_i64(&q, 0);
  return q_done(&q);
}

/* The comment of the article with c's content key into c->id and
 * c->status: 1 when there is one, 0 when not, or an error. */
static int comment_find(store *s, store_comment *c, const char *content_key) {
  store_q q;
  int found;

  q_open(&q, s,
         "SELECT id, status FROM comments"
         " WHERE article_id = ?1 AND content_key = ?2");
  q_i64(&q, 1, c->article_id);
  q_text(&q, 2, content_key);
  found = q_step(&q);
  if (found) {
    c->id = q_col_i64(&q, 0);
    c->status = q_col_int(&q, 1);
  }
  return q_done(&q) == NB_OK ? found : q.rc;
}

/* One statement that writes and may return a row: 1 when it did, 0 when
 * not, or an error. */
static int q_run(store_q *q) {
  int row = q_step(q);

  return q_done(q) == NB_OK ? row : q->rc;
}

/* The guard of store_comment_post(), before the insert: the client's row
 * first (its lock), then the count, then the nonce. */
static int comment_guard(store *s, const store_comment *c,
                         const store_comment_guard *g, int *outcome) {
  store_q q;
  int rc = NB_OK;

  if (g->limit > 0) {
    q_open(&q, s,
           "INSERT INTO comment_clients (client, last_at) VALUES (?1, ?2)"
           " ON CONFLICT (client) DO UPDATE SET last_at = excluded.last_at");
    q_text(&q, 1, c->client ? c->client : "");
    q_i64(&q, 2, c->created_at);
    rc = q_run(&q);
    if (rc < 0)
      return rc;
    q_open(&q, s,
           "SELECT count(*) >= ?3 FROM comments"
           " WHERE client = ?1 AND created_at >= ?2");
    q_text(&q, 1, c->client ? c->client : "");
    q_i64(&q, 2, g->since);
    q_i64(&q, 3, g->limit);
    if (q_step(&q) && q_col_int(&q, 0))
      *outcome = STORE_POST_LIMITED;
    rc = q_done(&q);
  }
  /* Last, so that a post refused for the limit leaves its nonce for the
   * same form sent again later. */
  if (rc >= 0 && *outcome == STORE_POST_ADDED && g->nonce) {
    /* RETURNING gives a row only when the nonce is new. */
    q_open(&q, s,
           "INSERT INTO comment_nonces (nonce, expires_at) VALUES (?1, ?2)"
           " ON CONFLICT (nonce) DO NOTHING RETURNING 1");
    q_text(&q, 1, g->nonce);
    q_i64(&q, 2, g->nonce_expires);
    rc = q_run(&q);
    if (rc == 0)
      *outcome = STORE_POST_USED;
  }
  if (rc >= 0) { /* what no rule reads any more */
    q_open(&q, s, "DELETE FROM comment_nonces WHERE expires_at < ?1");
    q_i64(&q, 1, c->created_at);
    rc = q_run(&q);
  }
  if (rc >= 0) {
    q_open(&q, s, "DELETE FROM comment_clients WHERE last_at < ?1");
    q_i64(&q, 1, g->since);
    rc = q_run(&q);
  }
  return rc < 0 ? rc : NB_OK;
}

/* The body of store_comment_add() and store_comment_post(), inside its
 * transaction: sets c->id and c->created_at (or, for a duplicate, c->id and
 * c->status), *made and, with a guard, *outcome. */
static int comment_write(store *s, store_comment *c, const char *content_key,
                         const store_comment_guard *g, int *made,
                         int *outcome) {
  int64_t parent_article = 0, grandparent;
  int parent_status, rc;

  *made = 0;
  *outcome = STORE_POST_ADDED;
  if (c->parent_id) {
    rc = comment_old(s, c->parent_id, &parent_article, &parent_status,
                     &grandparent);
    if (rc < 0)
      return rc;
    if (rc == 0 || parent_article != c->article_id)
      return store_err(s, NB_EINVAL, "parent is not a comment of this article");
  }
  if (c->created_at <= 0)
    c->created_at = nb_now();
  if (g) {
    /* The same form again is its first comment, whatever the guard says. */
    rc = comment_find(s, c, content_key);
    if (rc != 0)
      return rc < 0 ? rc : NB_OK;
    rc = comment_guard(s, c, g, outcome);
    if (rc != NB_OK || *outcome != STORE_POST_ADDED)
      return rc;
  }
  rc = comment_insert(s, c, content_key, made);
  if (rc != NB_OK || *made)
    return rc == NB_OK && c->status == STORE_COMMENT_APPROVED
               ? comments_changed(s, c->article_id)
               : rc;

  /* Already there: the same form sent again. */
  rc = comment_find(s, c, content_key);
  if (rc == 0) /* the conflict that stopped the insert is gone */
    rc = store_err(s, NB_EIO, "comment neither inserted nor found");
  return rc < 0 ? rc : NB_OK;
}

static int comment_add(store *s, store_comment *c, const char *content_key,
                       const store_comment_guard *g, int *outcome,
                       int *created) {
  store_comment saved = *c;
  int rc, made = 0, out = STORE_POST_ADDED;

  if (created)
    *created = 0;
  if (outcome)
    *outcome = STORE_POST_ADDED;
  rc = comment_check(s, c, content_key);
  if (rc == NB_OK && g && g->nonce &&
      (!*g->nonce || store_check_text(s, g->nonce, "nonce") != NB_OK))
    rc = store_err(s, NB_EINVAL, "nonce is empty or not UTF-8");
  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  rc = store_w_end(s, comment_write(s, &saved, content_key, g, &made, &out));
  /* Like store_article_save(): the caller sees ids only once committed. */
  if (rc == NB_OK && out == STORE_POST_ADDED) {
    c->id = saved.id;
    if (made)
      c->created_at = saved.created_at;
    else
      c->status = saved.status;
  }
  if (outcome && rc == NB_OK)
    *outcome = out;
  if (created)
    *created = rc == NB_OK && made;
  return rc;
}

int store_comment_add(store *s, store_comment *c, const char *content_key,
                      int *created) {
  return comment_add(s, c, content_key, NULL, NULL, created);
}

int store_comment_post(store *s, store_comment *c, const char *content_key,
                       const store_comment_guard *g, int *outcome,
                       int *created) {
  assert(g && outcome);
  return comment_add(s, c, content_key, g, outcome, created);
}

int store_comments_for_article(store *s, arena_t *a, int64_t article_id,
                               const int64_t *pending, size_t npending,
                               store_comment **out, size_t *n) {
  buf_t ids = {0};
  store_q q;
  int rc;

  *out = NULL;
  *n = 0;
  /* ?2 is a JSON array of the reader's own pending ids, or NULL. */
  q_open(&q, s,
         "SELECT " COMMENT_COLS " FROM comments c WHERE c.article_id = ?1"
         " AND (c.status = 1 OR (c.status = 0 AND c.id IN"
         " (SELECT value FROM json_each(?2)))) ORDER BY c.created_at, c.id");
  q_i64(&q, 1, article_id);
  if (npending > 0) { /* else NULL: json_each() yields nothing */
    q_fail(&q, ids_json(s, &ids, pending, npending));
    q_text(&q, 2, ids.data);
  }
  rc = read_comments(&q, a, 0, out, n);
  buf_free(&ids); /* after read_comments() let it go */
  return rc;
}

/* The four moderation lists: + 1 for a status filter, + 2 for an article
 * filter. */
static const char *const list_sql[4] = {
    "SELECT " COMMENT_COLS COMMENT_MOD_FROM COMMENTS_NEWEST,
    "SELECT " COMMENT_COLS COMMENT_MOD_FROM
    " WHERE c.status = ?2" COMMENTS_NEWEST,
    "SELECT " COMMENT_COLS COMMENT_MOD_FROM
    " WHERE c.article_id = ?3" COMMENTS_NEWEST,
    "SELECT " COMMENT_COLS COMMENT_MOD_FROM
    " WHERE c.status = ?2 AND c.article_id = ?3" COMMENTS_NEWEST,
};

int store_comments_list(store *s, arena_t *a, int status, int64_t article_id,
                        int64_t limit, store_comment **out, size_t *n) {
  store_q q;

  *out = NULL;
  *n = 0;
  if (status != -1 && !comment_status_valid(status))
    return store_err(s, NB_EINVAL, "status is not a comment status");
  if (article_id < 0 || limit < 0)
    return store_err(s, NB_EINVAL, "negative article or limit");
  q_open(&q, s, list_sql[(status >= 0) + 2 * (article_id > 0)]);
  q_i64(&q, 1, limit);
  if (status >= 0)
    q_i64(&q, 2, status);
  if (article_id > 0)
    q_i64(&q, 3, article_id);
  return read_comments(&q, a, 1, out, n);
}

/* store_comments_find()'s queries: + 1 status, + 2 article, + 4 before,
 * + 8 search. Each its own statement, so each keeps its index
 * (comments_by_status serves the queue). */
#define FIND(w)                                                                \
  "SELECT " COMMENT_COLS COMMENT_MOD_FROM " WHERE 1 = 1" w                     \
  " ORDER BY c.created_at DESC, c.id DESC LIMIT ?1"
#define F_S " AND c.status = ?2"
#define F_A " AND c.article_id = ?3"
#define F_B                                                                    \
  " AND (c.created_at, c.id) <"                                                \
  " (SELECT created_at, id FROM comments WHERE id = ?4)"
#define F_Q                                                                    \
  " AND (c.author_name LIKE ?5 ESCAPE '\\' OR c.author_email LIKE ?5"          \
  " ESCAPE '\\' OR c.body LIKE ?5 ESCAPE '\\')"
static const char *const find_sql[16] = {
    FIND(""),      FIND(F_S),         FIND(F_A),         FIND(F_S F_A),
    FIND(F_B),     FIND(F_S F_B),     FIND(F_A F_B),     FIND(F_S F_A F_B),
    FIND(F_Q),     FIND(F_S F_Q),     FIND(F_A F_Q),     FIND(F_S F_A F_Q),
    FIND(F_B F_Q), FIND(F_S F_B F_Q), FIND(F_A F_B F_Q), FIND(F_S F_A F_B F_Q),
};

int store_comments_find(store *s, arena_t *a, const store_comment_filter *f,
                        store_comment **out, size_t *n) {
  size_t qlen = f->q ? strlen(f->q) : 0;
  char like[2 * STORE_COMMENT_QUERY_MAX + 3];
  size_t k = 0;
  store_q q;

  *out = NULL;
  *n = 0;
  if (f->status != -1 && !comment_status_valid(f->status))
    return store_err(s, NB_EINVAL, "status is not a comment status");
  if (f->article_id < 0 || f->before_id < 0 || f->limit < 0)
    return store_err(s, NB_EINVAL, "negative id or limit");
  if (qlen > STORE_COMMENT_QUERY_MAX)
    return store_err(s, NB_EINVAL, "search too long");
  /* The search as a LIKE pattern: its own wildcards escaped. */
  like[k++] = '%';
  for (size_t i = 0; i < qlen; i++) {
    if (f->q[i] == '%' || f->q[i] == '_' || f->q[i] == '\\')
      like[k++] = '\\';
    like[k++] = f->q[i];
  }
  like[k++] = '%';
  like[k] = '\0';
  q_open(&q, s,
         find_sql[(f->status >= 0) + 2 * (f->article_id > 0) +
                  4 * (f->before_id > 0) + 8 * (qlen > 0)]);
  q_i64(&q, 1, f->limit);
  if (f->status >= 0)
    q_i64(&q, 2, f->status);
  if (f->article_id > 0)
    q_i64(&q, 3, f->article_id);
  if (f->before_id > 0)
    q_i64(&q, 4, f->before_id);
  if (qlen > 0)
    q_text(&q, 5, like);
  return read_comments(&q, a, 1, out, n);
}

int store_comment_status_counts(store *s, int64_t cap, int64_t counts[3]) {
  store_q q;

  counts[0] = counts[1] = counts[2] = 0;
  if (cap < 0)
    return store_err(s, NB_EINVAL, "negative cap");
  q_open(&q, s,
         "SELECT (SELECT count(*) FROM (SELECT 1 FROM comments"
         " WHERE status = 0 LIMIT ?1)),"
         " (SELECT count(*) FROM (SELECT 1 FROM comments"
         " WHERE status = 1 LIMIT ?1)),"
         " (SELECT count(*) FROM (SELECT 1 FROM comments"
         " WHERE status = 2 LIMIT ?1))");
  q_i64(&q, 1, cap + 1);
  if (q_step(&q))
    for (int i = 0; i < 3; i++)
      counts[i] = q_col_i64(&q, i);
  else
    q_err(&q, NB_EIO, "query returned no row");
  return q_done(&q);
}

int store_comment_by_id(store *s, arena_t *a, int64_t id, store_comment *out) {
  store_q q;

  q_open(&q, s, "SELECT " COMMENT_COLS COMMENT_MOD_FROM " WHERE c.id = ?1");
  q_i64(&q, 1, id);
  if (q_step(&q))
    read_comment(&q, a, 1, out);
  else
    q_err(&q, NB_ENOTFOUND, "no comment with this id");
  return q_done(&q);
}

static int comment_set_status(store *s, int64_t id, int status) {
  int64_t article_id, parent_id;
  store_q q;
  int old, rc;

  rc = comment_old(s, id, &article_id, &old, &parent_id);
  if (rc == 0)
    return store_err(s, NB_ENOTFOUND, "no comment with this id");
  if (rc < 0)
    return rc;
  if (old == status)
    return NB_OK;
  q_open(&q, s, "UPDATE comments SET status = ?2 WHERE id = ?1");
  q_i64(&q, 1, id);
  q_i64(&q, 2, status);
  q_step(&q);
  rc = q_done(&q);
  /* Pending to spam and back changes no public page. */
  if (rc == NB_OK &&
      (old == STORE_COMMENT_APPROVED || status == STORE_COMMENT_APPROVED))
    rc = comments_changed(s, article_id);
  return rc;
}

int store_comment_set_status(store *s, int64_t id, int status) {
  int rc;

  if (!comment_status_valid(status))
    return store_err(s, NB_EINVAL, "status is not a comment status");
  rc = store_w_begin(s);
  if (rc == NB_OK)
    rc = store_w_end(s, comment_set_status(s, id, status));
  return rc;
}

static int comment_delete(store *s, int64_t id) {
  int64_t article_id, parent_id;
  int status, rc, visible;
  store_q q;

  rc = comment_old(s, id, &article_id, &status, &parent_id);
  if (rc == 0)
    return store_err(s, NB_ENOTFOUND, "no comment with this id");
  if (rc < 0)
    return rc;
  visible = status == STORE_COMMENT_APPROVED;

  /* Replies move up to the deleted comment's parent (same article), so the
   * foreign key holds and no reply is lost. Moving an approved reply changes
   * the public thread even when the deleted comment was not in it. */
  q_open(&q, s,
         "UPDATE comments SET parent_id = ?2 WHERE parent_id = ?1"
         " RETURNING status");
  q_i64(&q, 1, id);
  q_id(&q, 2, parent_id); /* 0: NULL, the replies become top level */
  while (q_step(&q))
    visible |= q_col_int(&q, 0) == STORE_COMMENT_APPROVED;
  if ((rc = q_done(&q)) != NB_OK)
    return rc;

  q_open(&q, s, "DELETE FROM comments WHERE id = ?1");
  q_i64(&q, 1, id);
  q_step(&q);
  rc = q_done(&q);
  if (rc == NB_OK && visible)
    rc = comments_changed(s, article_id);
  return rc;
}

int store_comment_delete(store *s, int64_t id) {
  int rc = store_w_begin(s);

  if (rc == NB_OK)
    rc = store_w_end(s, comment_delete(s, id));
  return rc;
}

int store_comment_counts(store *s, const int64_t *ids, size_t n,
                         int64_t *counts) {
  buf_t json = {0};
  store_q q;
  int rc;

  assert((ids && counts) || n == 0);
  for (size_t i = 0; i < n; i++)
    counts[i] = 0;
  if (n == 0)
    return NB_OK;
  /* ?1 is a JSON array of article ids, each counted in comments_by_article
   * by its place in the array (j.key). "article_id IN (SELECT ...) GROUP
   * BY" built and sorted temporary tables: three times the cost. */
  q_open(&q, s,
         "SELECT j.key, (SELECT count(*) FROM comments"
         " WHERE article_id = j.value AND status = 1)"
         " FROM json_each(?1) AS j");
  q_fail(&q, ids_json(s, &json, ids, n));
  q_text(&q, 1, json.data);
  while (q_step(&q)) {
    int64_t i = q_col_i64(&q, 0);
    if (i >= 0 && (size_t)i < n)
      counts[i] = q_col_i64(&q, 1);
  }
  rc = q_done(&q);
  buf_free(&json);
  for (size_t i = 0; rc != NB_OK && i < n; i++)
    counts[i] = 0;
  return rc;
}

int store_commenter_known(store *s, const char *name, const char *email,
                          int *known) {
  store_q q;

  *known = 0;
  if (!name || !email)
    return store_err(s, NB_EINVAL, "name and e-mail are required");
  /* Written as comments_by_email's expression so that index serves it. */
  q_open(&q, s,
         "SELECT EXISTS (SELECT 1 FROM comments"
         " WHERE lower(author_email) = lower(?2)"
         " AND lower(author_name) = lower(?1) AND status = 1)");
  q_text(&q, 1, name);
  q_text(&q, 2, email);
  if (q_step(&q))
    *known = q_col_int(&q, 0) != 0;
  else
    q_err(&q, NB_EIO, "query returned no row");
  return q_done(&q);
}

int store_comments_from_client(store *s, const char *client, int64_t since,
                               int64_t *n) {
  store_q q;

  *n = 0;
  if (!client)
    return store_err(s, NB_EINVAL, "client is required");
  q_open(
      &q, s,
      "SELECT count(*) FROM comments WHERE client = ?1 AND created_at >= ?2");
  q_text(&q, 1, client);
  q_i64(&q, 2, since);
  if (q_step(&q))
    *n = q_col_i64(&q, 0);
  else
    q_err(&q, NB_EIO, "query returned no row");
  return q_done(&q);
}

/* ---- whether an article takes comments ---- */

static int article_comments_set(store *s, int64_t article_id, int state) {
  store_q q;
  int rc;

  q_open(&q, s, "UPDATE articles SET comments_state = ?2 WHERE id = ?1");
  q_i64(&q, 1, article_id);
  q_i64(&q, 2, state);
  q_step(&q);
  if (q_changes(&q) == 0)
    q_err(&q, NB_ENOTFOUND, "no article with this id");
  rc = q_done(&q);
  if (rc == NB_OK)
    rc = store_change_id(s, "article", article_id);
  if (rc == NB_OK)
    rc = store_changes_trim(s);
  return rc;
}

int store_article_comments_set(store *s, int64_t article_id, int state) {
  int rc;

  if (state < -1 || state > 1)
    return store_err(s, NB_EINVAL, "comments state is not -1, 0 or 1");
  rc = store_w_begin(s);
  if (rc == NB_OK)
    rc = store_w_end(s, article_comments_set(s, article_id, state));
  return rc;
}

int store_article_comments_get(store *s, int64_t article_id, int *state) {
  store_q q;

  q_open(&q, s, "SELECT comments_state FROM articles WHERE id = ?1");
  q_i64(&q, 1, article_id);
  if (q_step(&q))
    *state = q_col_int(&q, 0);
  else
    q_err(&q, NB_ENOTFOUND, "no article with this id");
  return q_done(&q);
}
