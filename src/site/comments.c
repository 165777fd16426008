/* comments.c: an article's comments (threaded, with the reader's own
 * pending ones), its form, and posting a comment to it. The rules a
 * comment must pass are comment_check()'s. */
#include "site/internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#define PENDING_MAX 20
/* A cached page's token says only that the form is ours; it lets no
 * comment in by itself (see site_comment_post()). */
#define PAGE_TOKEN_MAX_AGE (7 * 86400)
#define RATE_WINDOW 600
#define NONCE_BYTES 16

static int form_has_errors(const comment_form *f) {
  return f->err_form || f->err_author || f->err_email || f->err_url ||
         f->err_comment;
}

/* The cached page's token, "<article id>:<unix time>" signed: the form is
 * this site's, for this article. Shared by every reader of the page. */
static const char *page_token(site *s, arena_t *a, int64_t article_id) {
  buf_t b = {0};
  char payload[64];
  snprintf(payload, sizeof payload, "%lld:%lld", (long long)article_id,
           (long long)nb_now());
  web_sign(s->key, payload, &b);
  const char *r = arena_strdup(a, b.data ? b.data : "");
  buf_free(&b);
  return r;
}

/* A reader's own token, "n:<unix time>:<nonce>" signed: when it was issued
 * to them (comment_min_seconds counts from then) and a nonce that lets one
 * comment in. Made on uncached answers only. */
static const char *reader_token(site *s, arena_t *a) {
  unsigned char nonce[NONCE_BYTES];
  char hex[2 * NONCE_BYTES + 1], payload[96];
  buf_t b = {0};
  randombytes_buf(nonce, sizeof nonce);
  sodium_bin2hex(hex, sizeof hex, nonce, sizeof nonce);
  snprintf(payload, sizeof payload, "n:%lld:%s", (long long)nb_now(), hex);
  web_sign(s->key, payload, &b);
  const char *r = arena_strdup(a, b.data ? b.data : "");
  buf_free(&b);
  return r;
}

/* The reader's own comments awaiting moderation, from the signed cookie. */
static size_t pending_ids(site *s, web_request *req, int64_t *ids) {
  const char *payload =
      web_verify(s->key, web_cookie(req, SITE_PENDING_COOKIE), req->arena);
  size_t n = 0;
  if (!payload || strncmp(payload, "p:", 2) != 0)
    return 0;
  for (const char *p = payload + 2; *p && n < PENDING_MAX;) {
    size_t k = strspn(p, "0123456789");
    int64_t id;
    if (k == 0 || nb_parse_i64(p, k, 1, INT64_MAX, &id) != NB_OK)
      break;
    ids[n++] = id;
    p += k;
    if (*p == '-')
      p++;
  }
  return n;
}

static const char *pending_cookie(site *s, arena_t *a, const site_conf *c,
                                  const int64_t *ids, size_t n) {
  buf_t payload = {0}, b = {0};
  buf_puts(&payload, "p:");
  for (size_t i = 0; i < n; i++)
    buf_printf(&payload, "%s%lld", i ? "-" : "", (long long)ids[i]);
  buf_printf(&b, "%s=", SITE_PENDING_COOKIE);
  /* Out of memory leaves payload empty: the request fails as a whole
   * (nb_alloc_failures()), after signing nothing. */
  web_sign(s->key, payload.data ? payload.data : "", &b);
  buf_printf(&b, "; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", 7 * 86400,
             strncmp(c->url, "https:", 6) == 0 ? "; Secure" : "");
  const char *r = arena_strdup(a, b.data ? b.data : "");
  buf_free(&payload);
  buf_free(&b);
  return r;
}

/* When comments on x close (*at, 0: never) and whether they are closed,
 * from the article's own state or the site's comments_close_days. */
static int comments_close_at(site_req *r, const store_article *x, int *closed,
                             int64_t *at) {
  int state = -1;
  *at = 0;
  *closed = 0;
  int rc = SITE_CALL(r, store_article_comments_get, r->st, x->id, &state);
  if (rc != NB_OK)
    return rc;
  *closed = state == 1;
  if (state != -1 || r->c->close_days == 0)
    return NB_OK;
  *at = x->published_at + r->c->close_days * 86400;
  *closed = nb_now() >= *at;
  return NB_OK;
}

/* A 5x5 mirrored identicon drawn from the keyed hash of the e-mail: the
 * same reader gets the same picture, and nothing in it can be traced back
 * to the address without the site's secret (unlike Gravatar's MD5). */
static const char *avatar_svg(arena_t *a, const char *key) {
  unsigned char h[16] = {0};
  size_t n = 0;
  if (sodium_hex2bin(h, sizeof h, key, strlen(key), NULL, &n, NULL) != 0)
    n = 0;
  buf_t b = {0};
  int hue = (h[0] << 8 | h[1]) % 360;
  buf_printf(&b,
             "<svg class=\"avatar\" viewBox=\"0 0 5 5\" width=\"40\" "
             "height=\"40\" aria-hidden=\"true\" focusable=\"false\">"
             "<rect width=\"5\" height=\"5\" fill=\"hsl(%d 40%% 92%%)\"/>"
             "<path fill=\"hsl(%d 55%% 40%%)\" d=\"",
             hue, hue);
  /* One path of unit squares: a few hundred bytes per comment. */
  for (int y = 0; y < 5; y++)
    for (int x = 0; x < 3; x++) {
      int bit = y * 3 + x;
      if (!(h[2 + bit / 8] >> (bit % 8) & 1))
        continue;
      buf_printf(&b, "M%d %dh1v1h-1z", x, y);
      if (x < 2)
        buf_printf(&b, "M%d %dh1v1h-1z", 4 - x, y);
    }
  buf_puts(&b, "\"/>");
  buf_puts(&b, "</svg>");
  const char *r = arena_strdup(a, b.data ? b.data : "");
  buf_free(&b);
  return r;
}

static json_t *comment_json(arena_t *a, const site_conf *c,
                            const store_comment *m, const char *reply_url) {
  json_t *o = json_object();
  json_object_set_new(o, "id", json_integer(m->id));
  view_str(o, "anchor", arena_printf(a, "comment-%lld", (long long)m->id));
  view_str(o, "author", m->author_name);
  view_str(o, "url", nb_url_or_empty(m->author_url)); /* older rows too */
  json_object_set_new(o, "date", view_date(c, m->created_at, 1));
  buf_t b = {0};
  buf_text_html(&b, m->body, strlen(m->body));
  view_str(o, "body_html", b.data ? b.data : "");
  buf_free(&b);
  view_str(o, "avatar_svg", avatar_svg(a, m->avatar_key));
  json_object_set_new(o, "pending",
                      json_boolean(m->status == STORE_COMMENT_PENDING));
  view_str(o, "reply_url", reply_url);
  json_object_set_new(o, "replies", json_array());
  json_object_set_new(o, "has_replies", json_false());
  return o;
}

/* Threads comments (oldest first) up to the depth setting into *out: a
 * reply to a comment at the deepest level is shown beside it, never
 * lost. */
static int thread_json(site_req *r, const char *path, const store_comment *cs,
                       size_t n, int64_t *count, json_t **out) {
  arena_t *a = r->a;
  const site_conf *c = r->c;
  json_t **objs = arena_alloc(a, (n ? n : 1) * sizeof *objs);
  int64_t *depth = arena_alloc(a, (n ? n : 1) * sizeof *depth);
  size_t *parent = arena_alloc(a, (n ? n : 1) * sizeof *parent);
  if (!objs || !depth || !parent)
    return site_check(r, NB_ENOMEM, "thread_json");
  json_t *top = json_array();
  *count = 0;
  for (size_t i = 0; i < n; i++) {
    size_t p = SIZE_MAX;
    for (size_t j = 0; j < i && cs[i].parent_id; j++)
      if (cs[j].id == cs[i].parent_id)
        p = j;
    /* Deeper than allowed: hang it beside its parent instead. */
    while (p != SIZE_MAX && depth[p] >= c->depth)
      p = parent[p];
    parent[i] = p;
    depth[i] = p == SIZE_MAX ? 1 : depth[p] + 1;
    const char *reply =
        depth[i] < c->depth && cs[i].status == STORE_COMMENT_APPROVED
            ? arena_printf(a, "%s/reply/%lld#respond", path,
                           (long long)cs[i].id)
            : "";
    objs[i] = comment_json(a, c, &cs[i], reply);
    if (cs[i].status == STORE_COMMENT_APPROVED)
      (*count)++;
    if (p == SIZE_MAX) {
      json_array_append_new(top, objs[i]);
    } else {
      json_array_append_new(json_object_get(objs[p], "replies"), objs[i]);
      json_object_set_new(objs[p], "has_replies", json_true());
    }
  }
  *out = top;
  return NB_OK;
}

static json_t *form_json(site *s, arena_t *a, const store_article *x,
                         const char *path, const comment_form *f,
                         const char *replying_to, int personal) {
  json_t *o = json_object();
  view_str(o, "action", path);
  /* A page only this reader sees may carry their own token; a cached one
   * carries the page's. */
  view_str(o, "token",
           f->token   ? f->token
           : personal ? reader_token(s, a)
                      : page_token(s, a, x->id));
  json_object_set_new(o, "parent", json_integer(f->parent));
  view_str(o, "replying_to", replying_to);
  view_str(o, "cancel_url", arena_printf(a, "%s#respond", path));
  json_t *v = json_object();
  view_str(v, "author", f->author);
  view_str(v, "email", f->email);
  view_str(v, "url", f->url);
  view_str(v, "comment", f->comment);
  json_object_set_new(o, "values", v);
  json_t *e = json_object();
  view_str(e, "form", f->err_form);
  view_str(e, "author", f->err_author);
  view_str(e, "email", f->err_email);
  view_str(e, "url", f->err_url);
  view_str(e, "comment", f->err_comment);
  json_object_set_new(o, "errors", e);
  json_object_set_new(o, "has_errors", json_boolean(form_has_errors(f)));
  return o;
}

int site_comments(site_req *r, const store_article *x, const char *path,
                  const comment_form *f, json_t *d, int *personal,
                  int64_t *closes_at) {
  int64_t ids[PENDING_MAX];
  size_t np = pending_ids(r->s, r->req, ids);
  store_comment *cs = NULL;
  size_t n = 0;
  int64_t count = 0;
  int closed = 0;
  json_t *list = NULL;
  int rc = SITE_CALL(r, store_comments_for_article, r->st, r->a, x->id, ids, np,
                     &cs, &n);
  if (rc == NB_OK)
    rc = comments_close_at(r, x, &closed, closes_at);
  if (rc == NB_OK)
    rc = thread_json(r, path, cs, n, &count, &list);
  if (rc != NB_OK)
    return rc;
  *personal = form_has_errors(f);
  for (size_t i = 0; i < n; i++)
    *personal |= cs[i].status != STORE_COMMENT_APPROVED;
  json_t *o = json_object();
  json_object_set_new(o, "count", json_integer(count));
  /* A text refused because comments closed is still shown in the form,
   * with the reason: the reader can copy it, never loses it. */
  int show_form = !closed || form_has_errors(f);
  json_object_set_new(o, "open", json_boolean(show_form));
  json_object_set_new(o, "closed", json_boolean(closed && !show_form));
  json_object_set_new(o, "has_list", json_boolean(json_array_size(list) > 0));
  json_object_set_new(o, "list", list);
  json_object_set_new(d, "comments", o);
  const char *replying_to = "";
  for (size_t i = 0; f->parent && i < n; i++)
    if (cs[i].id == f->parent)
      replying_to = cs[i].author_name;
  json_object_set_new(
      d, "form", form_json(r->s, r->a, x, path, f, replying_to, *personal));
  return NB_OK;
}

/* ---- posting a comment ---- */

static const char *trim(arena_t *a, const char *v) {
  if (!v)
    return "";
  while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
    v++;
  size_t n = strlen(v);
  while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' ||
               v[n - 1] == '\n'))
    n--;
  return arena_strndup(a, v, n);
}

/* 1 when s is an IPv4 or IPv6 address, as a proxy writes one. */
static int is_ip(const char *s) {
  unsigned char addr[16];
  return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

/* The client a request comes from: the peer, or, when the peer is a
 * trusted proxy, the nearest address in X-Forwarded-For that is not one.
 * An entry that is no address (text a client wrote into the header) ends
 * the walk: the last hop that was one is the client. */
const char *site_client(arena_t *a, const site_conf *c, web_request *req) {
  const char *ip = req->client_ip ? req->client_ip : "";
  const char *xff = web_header(req, "X-Forwarded-For");
  char *proxies = arena_printf(a, ",%s,", c->proxies);
  for (char *p = proxies; p && *p; p++)
    if (*p == ' ')
      *p = ',';
  char *list = xff ? arena_strdup(a, xff) : NULL;
  if (!list || !proxies) /* none, or out of memory: the peer */
    return ip;
  for (;;) {
    const char *needle = arena_printf(a, ",%s,", ip);
    if (!needle || !strstr(proxies, needle))
      return ip;
    char *comma = strrchr(list, ',');
    const char *next = trim(a, comma ? comma + 1 : list);
    if (!next || !is_ip(next))
      return ip;
    ip = next;
    if (!comma)
      return ip;
    *comma = '\0';
  }
}

/* The article page again, with what the reader typed and why it was
 * refused, answered with status. */
static int comment_refused(site_req *r, const store_article *x, comment_form *f,
                           int status) {
  if (!f->err_form)
    f->err_form = _("Your comment has not been published yet: correct what "
                    "is marked, then send it again. Your text is kept in the "
                    "form.");
  const char *path = arena_printf(r->a, "/%s/%lld-%s", x->section_slug,
                                  (long long)x->id, x->slug);
  int rc = site_article(r, path, x->id, 0, f);
  if (rc != NB_OK)
    return rc;
  if (r->res->status != 500)
    r->res->status = status;
  r->res->tags = NULL;
  r->res->personal = 1;
  return NB_OK;
}

/* The store failed (rc) while a comment was posted: the article page
 * again with the reader's text and a 503, when the store lets it be made;
 * returns rc either way, for routes.c to log and answer. */
static int comment_failed(site_req *r, const store_article *x, comment_form *f,
                          int rc) {
  f->err_form = _("Your comment could not be saved because of a server "
                  "error. Your text is kept: send it again shortly.");
  const char *failed = r->failed;
  if (comment_refused(r, x, f, 503) == NB_OK && r->res->status == 503)
    r->answered = 1;
  r->failed = failed;
  return rc;
}

/* The form's fields, trimmed, into f. */
static void form_read(site_req *r, comment_form *f) {
  const web_field *ff = r->req->form;
  size_t nf = r->req->nform;
  f->author = trim(r->a, web_form_get(ff, nf, "author"));
  f->email = trim(r->a, web_form_get(ff, nf, "email"));
  f->url = trim(r->a, web_form_get(ff, nf, "url"));
  f->comment = trim(r->a, web_form_get(ff, nf, "comment"));
  const char *parent = web_form_get(ff, nf, "parent");
  if (parent &&
      nb_parse_i64(parent, strlen(parent), 0, INT64_MAX, &f->parent) != NB_OK)
    f->parent = 0;
}

/* What a token says: when it was issued (*at, 0 for a token not signed by
 * us or for another article) and, for a reader's own token, its nonce
 * (*nonce, else NULL). */
static void token_read(site_req *r, const char *t, int64_t article_id,
                       int64_t *at, const char **nonce) {
  const char *payload = web_verify(r->s->key, t, r->a);
  long long tid = 0, tat = 0;
  int k = 0;
  *at = 0;
  *nonce = NULL;
  if (!payload)
    return;
  if (strncmp(payload, "n:", 2) == 0) {
    if (sscanf(payload + 2, "%lld:%n", &tat, &k) == 1 && k > 0 &&
        strlen(payload + 2 + k) == 2 * NONCE_BYTES && tat > 0) {
      *at = tat;
      *nonce = payload + 2 + k;
    }
  } else if (sscanf(payload, "%lld:%lld", &tid, &tat) == 2 &&
             tid == article_id) {
    *at = tat;
  }
}

/* The keys a comment is stored with: its content's (one comment per
 * double click) and its avatar's (keyed with the site's secret).
 * NB_ENOMEM when memory ran out: a key made of what was left would store
 * the comment where the same form sent again cannot find it. */
static int comment_keys(site *s, arena_t *a, const store_article *x,
                        const comment_form *f, char content_key[33],
                        char avatar_key[33]) {
  char *lower = arena_strdup(a, f->email);
  if (!lower)
    return NB_ENOMEM;
  for (char *p = lower; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  unsigned char h[16];
  buf_t k = {0};
  buf_printf(&k, "%lld\n%s\n%s", (long long)x->id, lower, f->comment);
  if (k.oom || !k.data) {
    buf_free(&k);
    return NB_ENOMEM;
  }
  crypto_generichash(h, sizeof h, (const unsigned char *)k.data, k.len, NULL,
                     0);
  sodium_bin2hex(content_key, 33, h, sizeof h);
  buf_free(&k);
  crypto_generichash(h, sizeof h, (const unsigned char *)lower, strlen(lower),
                     s->key, sizeof s->key);
  sodium_bin2hex(avatar_key, 33, h, sizeof h);
  return NB_OK;
}

/* Stores the checked comment under its guard (the token's nonce, the
 * rate limit) and answers a 303 to it, with the cookie that shows a
 * pending one to its author; *outcome says when the guard stopped it. */
static int comment_store(site_req *r, const store_article *x, comment_form *f,
                         int spam, const char *client,
                         const store_comment_guard *g, int *outcome) {
  int status = spam ? STORE_COMMENT_SPAM : STORE_COMMENT_PENDING;
  int known = 0, created = 0;
  int rc = NB_OK;
  *outcome = STORE_POST_ADDED;
  if (!spam && strcmp(r->c->moderation, "known") == 0) {
    rc =
        SITE_CALL(r, store_commenter_known, r->st, f->author, f->email, &known);
    if (rc == NB_OK && known)
      status = STORE_COMMENT_APPROVED;
  }
  char content_key[33] = "", avatar_key[33] = "";
  if (rc == NB_OK)
    rc = SITE_CALL(r, comment_keys, r->s, r->a, x, f, content_key, avatar_key);
  store_comment m = {.article_id = x->id,
                     .parent_id = f->parent,
                     .author_name = f->author,
                     .author_email = f->email,
                     .author_url = f->url,
                     .body = f->comment,
                     .status = status,
                     .avatar_key = avatar_key,
                     .client = client};
  if (rc == NB_OK)
    rc = store_comment_post(r->st, &m, content_key, g, outcome, &created);
  if (rc == NB_EINVAL && f->parent) {
    /* The comment replied to is gone: keep the text as a top-level one. */
    m.parent_id = 0;
    rc = store_comment_post(r->st, &m, content_key, g, outcome, &created);
  }
  if (rc != NB_OK)
    return site_check(r, rc, "store_comment_post");
  if (*outcome != STORE_POST_ADDED)
    return NB_OK;
  /* Acknowledged only now, after the commit: the comment is on disk. */
  web_response *res = r->res;
  res->status = 303;
  res->location = arena_printf(r->a, "%s#comment-%lld",
                               site_article_path(r->a, x), (long long)m.id);
  if (m.status != STORE_COMMENT_APPROVED) {
    int64_t ids[PENDING_MAX];
    size_t n = pending_ids(r->s, r->req, ids);
    int seen = 0;
    for (size_t i = 0; i < n; i++)
      seen |= ids[i] == m.id;
    if (!seen) {
      if (n == PENDING_MAX)
        memmove(ids, ids + 1, --n * sizeof *ids);
      ids[n++] = m.id;
    }
    res->set_cookie = pending_cookie(r->s, r->a, r->c, ids, n);
  }
  return NB_OK;
}

/* GET /comment-token: a reader's own token in a cookie for the comment
 * form, so that the cached article page need not carry one. The default
 * theme's stylesheet asks for it as the form's background when the reader
 * first focuses a field (no script: the pages allow none), so the time
 * comment_min_seconds counts starts when they begin to write. A reader
 * without it sends the page's token and gets a one-step confirmation. */
int site_comment_token(site_req *r) {
  web_response *res = r->res;
  buf_t b = {0};
  buf_printf(&b, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
             SITE_TOKEN_COOKIE, reader_token(r->s, r->a),
             (long long)r->c->token_minutes * 60,
             strncmp(r->c->url, "https:", 6) == 0 ? "; Secure" : "");
  res->set_cookie = arena_strdup(r->a, b.data ? b.data : "");
  buf_free(&b);
  if (!res->set_cookie)
    return site_check(r, NB_ENOMEM, "site_comment_token");
  /* An empty image: the stylesheet's background. */
  res->content_type = "image/svg+xml";
  buf_puts(&res->body, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                       "width=\"1\" height=\"1\"/>");
  res->personal = 1;
  return NB_OK;
}

int site_comment_post(site_req *r, int64_t article_id) {
  store_article x;
  comment_form f = {0};
  int closed = 0, outcome = STORE_POST_ADDED;
  int64_t closes_at;
  const char *why;
  int rc = SITE_CALL(r, store_article_by_id, r->st, r->a, article_id, &x);
  if (rc != NB_OK)
    return rc;
  form_read(r, &f);
  if (!web_from_our_pages(r->req, r->c->url, &why)) {
    nb_log("warn", "comment refused: sent from another site (%s: %s)", why,
           web_header(r->req, why));
    f.err_form = _("Your comment was not published: the form was sent from "
                   "another site. If you wrote it here, send it again from "
                   "this page; your text is kept.");
    return comment_refused(r, &x, &f, 403);
  }
  if (r->req->form_rc != NB_OK) {
    f.err_form = r->req->form_rc == NB_ETOOBIG
                     ? _("The form sent is larger than allowed.")
                     : _("The form could not be read: the text sent is not "
                         "valid UTF-8. Write it again and send it anew.");
    return comment_refused(r, &x, &f, 400);
  }
  rc = comments_close_at(r, &x, &closed, &closes_at);
  if (rc != NB_OK)
    return comment_failed(r, &x, &f, rc);
  if (closed) {
    f.err_form = _("Comments are closed on this article, and your comment "
                   "was not published. Your text is kept below if you want "
                   "to copy it.");
    return comment_refused(r, &x, &f, 403);
  }
  const web_field *ff = r->req->form;
  /* The reader's own token: in the form (a page only they saw) or in the
   * cookie /comment-token set; else the cached page's. */
  const char *t = web_form_get(ff, r->req->nform, "t");
  int64_t at;
  const char *nonce;
  token_read(r, t, x.id, &at, &nonce);
  if (!nonce) {
    const char *ct = web_cookie(r->req, SITE_TOKEN_COOKIE);
    int64_t cat;
    const char *cn;
    token_read(r, ct, x.id, &cat, &cn);
    if (cn)
      t = ct, at = cat, nonce = cn;
  }
  int64_t max_age = nonce ? r->c->token_minutes * 60 : PAGE_TOKEN_MAX_AGE;
  comment_input in = {.author = f.author,
                      .email = f.email,
                      .url = f.url,
                      .comment = f.comment,
                      .honeypot = web_form_get(ff, r->req->nform, "homepage"),
                      .token_at = at,
                      .token_once = nonce != NULL,
                      .now = nb_now()};
  comment_rules rules = {.min_seconds = r->c->min_seconds,
                         .token_max_age = max_age,
                         .max_length = r->c->max_length,
                         .max_links = r->c->max_links,
                         .blocked = r->c->blocked};
  comment_verdict v;
  int ok = comment_check(&in, &rules, r->a, &v) == NB_OK;
  /* The reader's valid token is kept, so that waiting is enough; else the
   * page answered carries a fresh one. */
  f.token = nonce && in.now - at <= max_age ? t : NULL;
  f.url = v.url;
  f.err_form = v.err_form;
  f.err_author = v.err_author;
  f.err_email = v.err_email;
  f.err_url = v.err_url;
  f.err_comment = v.err_comment;
  if (!ok)
    return comment_refused(r, &x, &f, 422);
  const char *client = site_client(r->a, r->c, r->req);
  store_comment_guard g = {.nonce = nonce,
                           .nonce_expires = at + max_age,
                           .limit = r->c->rate_limit,
                           .since = in.now - RATE_WINDOW};
  rc = comment_store(r, &x, &f, v.spam, client, &g, &outcome);
  if (rc != NB_OK)
    return comment_failed(r, &x, &f, rc);
  if (outcome == STORE_POST_USED) {
    nb_log("warn", "comment refused: its form token was used before");
    f.token = NULL;
    f.err_form = _("This form has already sent a comment. Your text is "
                   "kept: check it, then send it again.");
    return comment_refused(r, &x, &f, 422);
  }
  if (outcome == STORE_POST_LIMITED) {
    nb_log("warn", "comment refused: client %s is over the rate limit", client);
    f.err_form = _("You sent many comments in a short time. Wait a few "
                   "minutes, then send it again; your text is kept.");
    return comment_refused(r, &x, &f, 429);
  }
  return NB_OK;
}
