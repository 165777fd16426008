/* routes.c: site_handle(), from a request's path to the page builder that
 * answers it, and the two pages every route may end in: 404 when there is
 * no such page, 503 when the store (or memory) failed. The 503 is never
 * cached, says when to come back, and is logged once with the operation
 * that failed. */
#include "site/internal.h"

#include <string.h>

/* Splits "/a/b/c" into at most 4 segments (without slashes). Returns the
 * count, or -1 for more. *trailing says whether the path ended in "/". */
static int split(arena_t *a, const char *path, const char *seg[4],
                 int *trailing) {
  int n = 0;
  const char *p = path + 1;
  size_t len = strlen(path);
  *trailing = len > 1 && path[len - 1] == '/';
  while (*p) {
    const char *e = strchr(p, '/');
    size_t k = e ? (size_t)(e - p) : strlen(p);
    if (k == 0)
      return -1; /* "//" */
    if (n == 4)
      return -1;
    seg[n++] = arena_strndup(a, p, k);
    p += k + (e ? 1 : 0);
  }
  return n;
}

/* "42-slug" or "42" -> 42; 0 when the segment does not start with an id. */
static int64_t leading_id(const char *seg) {
  size_t k = 0;
  while (seg[k] >= '0' && seg[k] <= '9')
    k++;
  if (k == 0 || (seg[k] != '\0' && seg[k] != '-'))
    return 0;
  int64_t id;
  if (nb_parse_i64(seg, k, 1, INT64_MAX, &id) != NB_OK)
    return 0;
  return id;
}

/* /{section}/, /{section}/page/N and /{section}/{id}-{slug}. */
static int section_route(site_req *r, const char **seg, int n, int trailing) {
  store_section sec;
  int rc = SITE_CALL(r, store_section_by_slug, r->st, r->a, seg[0], &sec);
  if (rc != NB_OK && rc != NB_ENOTFOUND)
    return rc;
  int found = rc == NB_OK;
  int64_t page = 0;
  if (n == 3 && strcmp(seg[1], "page") == 0 &&
      nb_parse_i64(seg[2], strlen(seg[2]), 1, 1000000, &page) != NB_OK)
    page = -1;
  if (n == 2 && leading_id(seg[1])) {
    r->page = "article";
    return site_article(r, trailing ? "" : r->req->path, leading_id(seg[1]), 0,
                        NULL);
  }
  if (!found || page < 0 || n == 2 || (n == 3 && page == 0))
    return NB_ENOTFOUND;
  if ((n == 1 && !trailing) || page == 1) {
    site_redirect(r->res, site_section_path(r->a, sec.slug));
    return NB_OK;
  }
  r->page = "section";
  return site_section(r, &sec, page ? page : 1);
}

/* The pages a GET asks for by path: sitemaps, feeds, lists, static pages,
 * search, articles, sections. NB_ENOTFOUND: none. */
static int route_get(site_req *r, const char **seg, int n, int trailing) {
  int rc;
  if (n == 0) {
    r->page = "home";
    rc = site_old_link(r, 0); /* /?p=ID of a WordPress link */
    return rc == NB_ENOTFOUND ? site_home(r) : rc;
  }
  r->page = "sitemap";
  if ((rc = site_sitemap(r, r->req->path)) != NB_ENOTFOUND)
    return rc;
  r->page = "feed";
  if ((rc = site_feed(r, seg, n)) != NB_ENOTFOUND)
    return rc;
  r->page = "list";
  if ((rc = site_author_or_tag(r, seg, n, trailing)) != NB_ENOTFOUND)
    return rc;
  r->page = "static page";
  if ((rc = site_static_page(r, seg, n)) != NB_ENOTFOUND)
    return rc;
  int64_t reply = 0;
  if (n == 4 && strcmp(seg[2], "reply") == 0 && !trailing &&
      nb_parse_i64(seg[3], strlen(seg[3]), 1, INT64_MAX, &reply) != NB_OK)
    reply = 0;
  if (n == 1 && !trailing && strcmp(seg[0], "comment-token") == 0) {
    r->page = "comment token";
    return site_comment_token(r);
  }
  if (n == 1 && !trailing &&
      (strcmp(seg[0], "search") == 0 || strcmp(seg[0], "search.json") == 0)) {
    r->page = "search";
    return site_search(r, seg[0][6] == '.');
  }
  if (n == 2 && !trailing && strcmp(seg[0], "preview") == 0) {
    r->page = "preview";
    return site_preview(r, seg[1]);
  }
  r->page = "article";
  if (n == 1 && leading_id(seg[0]) && !trailing) /* a short link: "/42" */
    return site_article(r, "", leading_id(seg[0]), 0, NULL);
  if (n == 4 && reply && leading_id(seg[1]))
    return site_article(r, r->req->path, leading_id(seg[1]), reply, NULL);
  r->page = "section";
  if (n >= 1 && n <= 3)
    return section_route(r, seg, n, trailing);
  return NB_ENOTFOUND;
}

static int not_found(site_req *r) {
  json_t *d = NULL;
  r->page = "not found";
  int rc = view_page(r, "not_found", _("Page not found"), NULL, 0, &d);
  if (rc != NB_OK)
    return rc;
  view_render(r, "not_found", d);
  if (r->res->status != 500)
    r->res->status = 404;
  r->res->tags = NULL;
  return NB_OK;
}

/* The site's own error page, for a theme without error.mustache (the
 * default theme's says the same), in the thread's language. */
static void error_html(buf_t *b) {
  const char *h = _("The site is temporarily unavailable");
  const char *p = _("This page cannot be shown right now because of a server "
                    "fault. Please try again shortly.");
  buf_printf(b,
             "<!doctype html><html lang=\"%s\" dir=\"%s\"><meta "
             "charset=\"utf-8\"><title>503</title><h1>",
             nb_lang(), nb_lang_dir());
  buf_html_escape(b, h, strlen(h));
  buf_puts(b, "</h1><p>");
  buf_html_escape(b, p, strlen(p));
  buf_puts(b, "</p></html>\n");
}

void site_error_page(site *s, arena_t *a, const site_conf *c, int status,
                     buf_t *out) {
  const char *title, *msg;
  if (status == 429) {
    title = _("Too many requests");
    msg = _("Too many requests from your address, please try again shortly");
  } else {
    title = _("The site is temporarily unavailable");
    msg = _("This page cannot be shown right now because of a server "
            "fault. Please try again shortly.");
  }
  const tpl_set *set = atomic_load(&s->theme)->tpl;
  json_t *d = view_bare_page(s, a, c, "error", arena_printf(a, "%d", status));
  json_t *e = json_object();
  json_object_set_new(e, "code", json_integer(status));
  view_str(e, "title", title);
  view_str(e, "message", msg);
  json_object_set_new(d, "error", e);
  if (!tpl_has(set, "error") || tpl_render(set, "error", d, out) != NB_OK ||
      out->oom) {
    buf_free(out);
    error_html(out);
  }
  view_decref(d);
}

/* The store or memory failed (rc): one log line naming the operation,
 * then a 503 that nothing caches, in the theme's design, made from the
 * settings alone. A builder's own error page (r->answered) is kept. */
static void unavailable(site_req *r, int rc) {
  const char *why = r->errmsg                   ? r->errmsg
                    : rc == NB_ENOMEM || !r->st ? nb_strerror(rc)
                                                : store_errmsg(r->st);
  nb_log("error", "%s: %s: %s", r->page ? r->page : "site",
         r->failed ? r->failed : "?", why);
  web_response *res = r->res;
  if (r->answered && !res->body.oom) {
    res->tags = NULL;
    res->retry_after = SITE_RETRY_AFTER;
    return;
  }
  buf_free(&res->body); /* also forgets an out-of-memory state */
  *res = (web_response){0};
  res->status = 503;
  res->retry_after = SITE_RETRY_AFTER;
  res->content_type = SITE_HTML;
  site_error_page(r->s, r->a, r->c, 503, &res->body);
}

static void handle(site *s, web_request *req, web_response *res) {
  unsigned long failures = nb_alloc_failures();
  arena_t *a = req->arena;
  char err[256] = "";
  store *st = NULL;
  int rc = site_conn(s, &st, err, sizeof err);
  if (strcmp(req->path, "/healthz") == 0) {
    res->content_type = "text/plain; charset=utf-8";
    buf_puts(&res->body, st ? "ok\n" : "database unavailable\n");
    /* For operators and the tests: the cache holds to its budget. */
    web_server *w = atomic_load(&s->web);
    if (w) {
      web_cache_stats cs;
      web_server_cache_stats(w, &cs);
      buf_printf(&res->body, "cache pages=%zu bytes=%zu budget=%zu\n", cs.pages,
                 cs.bytes, cs.budget);
    }
    res->status = st ? 200 : 503;
    res->retry_after = st ? 0 : SITE_RETRY_AFTER;
    return;
  }
  site_conf c;
  site_req r = {.s = s, .st = st, .a = a, .c = &c, .req = req, .res = res};
  if (rc != NB_OK) {
    site_check(&r, rc, "store_open");
    r.errmsg = arena_strdup(a, err);
    site_conf_load(NULL, a, &c); /* the defaults, for the error page */
  } else {
    rc = SITE_CALL(&r, site_conf_get, s, st, a, &c);
  }
  if (s->admin && admin_path(req->path)) {
    /* The newsroom: its own pages, its own answers, never cached. */
    const theme *t = atomic_load(&s->theme);
    admin_site as = {.name = c.name,
                     .url = c.url,
                     .locale = c.locale,
                     .tz = c.tz,
                     .css = web_asset_url(t->assets, "style.css"),
                     .client = site_client(a, &c, req),
                     .key = s->key,
                     .article_path = site_article_path};
    admin_handle(s->admin, &as, rc == NB_OK ? st : NULL, req, res);
    view_decref(c.follow);
    return;
  }
  const char *seg[4];
  int trailing = 0;
  int n = strcmp(req->path, "/") == 0 ? 0 : split(a, req->path, seg, &trailing);
  int post = strcmp(req->method, "POST") == 0;
  if (rc == NB_OK && post) {
    /* Comments are posted to the article's own URL. */
    r.page = "comment post";
    rc = n == 2 && leading_id(seg[1])
             ? site_comment_post(&r, leading_id(seg[1]))
             : NB_ENOTFOUND;
  } else if (rc == NB_OK) {
    rc = route_get(&r, seg, n, trailing);
    if (rc == NB_ENOTFOUND && n != 0) {
      /* An old WordPress permalink, only where nothing of naba's is. */
      r.page = "old link";
      rc = site_old_link(&r, n);
    }
  }
  if (rc == NB_ENOTFOUND)
    rc = not_found(&r);
  /* An allocation that failed where it could not say so (a view model's
   * value) leaves a page with a hole: the whole page fails instead. */
  if (rc == NB_OK && (nb_alloc_failures() != failures || res->body.oom))
    rc = site_check(&r, NB_ENOMEM, "memory");
  if (rc != NB_OK)
    unavailable(&r, rc);
  view_decref(c.follow);
}

void site_handle(void *ctx, web_request *req, web_response *res) {
  view_begin(req->arena);
  handle(ctx, req, res);
  view_end();
}
