/* site/internal.h: what the files of site/ share, not for other modules.
 *
 *   site.c        open and close, the store connection per thread, the
 *                 cache watcher and the search index upkeep
 *   theme.c       loading the theme folder, and reloading it
 *   routes.c      site_handle(): from a path to a page builder, and the
 *                 404 and 503 pages
 *   view.c        view-model memory and the helpers every page uses
 *   pages.c       home, section, tag and author lists, static pages, old
 *                 WordPress links
 *   article.c     the article page
 *   comments.c    an article's comments, its form, and posting one
 *   comment_check.c  the rules a posted comment must pass (pure)
 *   search_page.c /search and /search.json
 *   feeds.c       RSS, Atom and JSON feeds
 *   sitemaps.c    sitemap.xml, the Google News sitemap and robots.txt
 *   settings.c    the settings, their defaults and checks; site_conf
 *
 * Every page builder returns a result code: NB_OK with its view model,
 * NB_ENOTFOUND when there is no such page (routes.c answers 404), any
 * other error when the store or memory failed (routes.c answers 503 and
 * logs r->failed). A builder never answers a partial page. */
#ifndef NABA_SITE_INTERNAL_H
#define NABA_SITE_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "admin/admin.h"
#include "core/core.h"
#include "render/render.h"
#include "site/site.h"
#include "store/store.h"
#include "web/web.h"

#define SITE_HTML "text/html; charset=utf-8"
/* What every page's header and footer show: the site's settings, the
 * sections and the static pages' menu. A save records "pages" only when
 * a top-level page's entry in the menu changes (store.h), so editing a
 * page's text or a child page does not empty the whole cache. */
#define SHELL_TAGS "site sections pages"
/* A store error's page asks clients to come back after this many
 * seconds. */
#define SITE_RETRY_AFTER 30

/* Compiled templates and loaded assets of the theme folder. A reload makes
 * a new one; older ones stay alive until site_close(), since a request in
 * flight or the web server may still hold pointers into them. */
typedef struct theme {
  tpl_set *tpl;
  web_assets *assets;
  struct theme *older;
} theme;

struct site {
  char *db_path;
  char *theme_dir;
  unsigned char key[WEB_KEY_BYTES]; /* signs forms and cookies; avatars */
  _Atomic(theme *) theme;
  admin *admin;               /* the newsroom; NULL without one */
  pthread_key_t conn_key;     /* per server thread: a store connection, menus */
  _Atomic uint64_t menus_gen; /* bumped when sections or pages change */
  pthread_t watcher;
  int watching;
  volatile int stop;
  _Atomic(web_server *) web; /* set once the server runs (site_watch) */
};

/* site.c: this thread's store connection into *out, opened on first use
 * (err says why it could not be); never hand it to another thread. */
int site_conn(site *s, store **out, char *err, size_t errlen);

/* theme.c: compiles dir's templates and loads dir/static, checking the
 * pages naba renders are there. Free with theme_free() (also the older
 * ones it links to). */
int theme_load(const char *dir, theme **out, char *err, size_t errlen);
void theme_free(theme *t);

/* The settings a render needs, read once per rendered page. */
typedef struct {
  const char *name, *description, *url, *logo, *locale, *tz, *breaking;
  int64_t per_page;
  int feed_full;      /* feed_content is "full" */
  int64_t feed_items; /* articles per feed */
  json_t *follow;
  int has_follow;
  /* comments */
  const char *moderation, *blocked, *proxies;
  int64_t depth, close_days, min_seconds, rate_limit, max_length, max_links;
  int64_t token_minutes; /* how long a reader's form token is good for */
} site_conf;

/* Reads every setting once into c; strings are the arena's. On a store
 * error c still holds the defaults (enough for the error page) and the
 * error is returned. */
int site_conf_load(store *st, arena_t *a, site_conf *c);

/* What a thread parsed the settings to last time, kept while they stay the
 * same (settings.c). Zeroed to start; free with site_conf_memo_free. */
typedef struct {
  arena_t a;
  store_kv *kv;
  size_t n;
  site_conf c; /* but follow, which each render makes */
  int ok;
} site_conf_memo;

/* site_conf_load, parsing the settings again only when they changed. */
int site_conf_load_memo(store *st, arena_t *a, site_conf_memo *m, site_conf *c);
void site_conf_memo_free(site_conf_memo *m);

/* comments.c: the client address a request comes from: the peer, or
 * behind a trusted proxy (trusted_proxies) the address it forwards. */
const char *site_client(arena_t *a, const site_conf *c, web_request *req);

/* site.c: site_conf_load with this thread's memo. */
int site_conf_get(site *s, store *st, arena_t *a, site_conf *c);

/* One request to the site, as the page builders see it. */
typedef struct {
  site *s;
  store *st;
  arena_t *a; /* the request's */
  const site_conf *c;
  web_request *req;
  web_response *res;
  const char *page; /* which builder answers ("home"), for the log */
  /* The operation that failed ("store_sections"), for the one log line
   * routes.c writes; NULL while nothing failed. */
  const char *failed;
  /* Set with an error when the builder made its own error page (a
   * comment's form, keeping the reader's text): routes.c keeps it. */
  int answered;
  const char *errmsg; /* what failed, when r->st cannot say it */
} site_req;

/* The menus every page shows: all sections (the menu lists the top-level
 * ones) and up to SITE_MENU_PAGES top-level static pages. */
#define SITE_MENU_PAGES 20
typedef struct {
  store_section *secs;
  size_t nsecs;
  store_page *pgs;
  size_t npgs;
} site_menus;

/* routes.c: the error page of status (429 or 503) in the theme's design,
 * from the settings alone, into out (a plain page if the theme fails). */
void site_error_page(site *s, arena_t *a, const site_conf *c, int status,
                     buf_t *out);

/* site.c: the menus, kept per thread until the watcher sees sections or
 * pages change; valid until this thread's next call. */
int site_menus_get(site_req *r, const site_menus **out);

/* Returns rc, noting op as r's failed operation when rc is the first
 * error (NB_ENOTFOUND is an answer, not an error: a 404). */
int site_check(site_req *r, int rc, const char *op);
/* rc = SITE_CALL(r, store_sections, st, a, &secs, &n): the call, its
 * result checked under its own name. */
#define SITE_CALL(r, fn, ...) site_check((r), fn(__VA_ARGS__), #fn)

/* ---- view.c: view models ---- */

/* Answers a 301 to path (an arena string). */
void site_redirect(web_response *res, const char *path);

/* While a page is rendered, jansson allocates from the request's arena
 * (view_begin) and frees nothing; view_end goes back to malloc. */
void view_begin(arena_t *a);
void view_end(void);
void *view_alloc(size_t n);
void view_release(void *p);
/* Drops a value; a no-op in arena mode (the arena takes it all). */
void view_decref(json_t *j);

/* Sets o[k] to v ("" for NULL); v must be UTF-8. */
void view_str(json_t *o, const char *k, const char *v);
/* s percent-encoded, an arena string. */
const char *view_encode(arena_t *a, const char *s);
/* { display, iso[, time] } of t in the site's locale and zone. */
json_t *view_date(const site_conf *c, int64_t t, int with_time);
/* { title, url } of a static page. */
json_t *view_page_link(arena_t *a, const store_page *p);
/* { name, url, accent } of a section. */
json_t *view_section(arena_t *a, int64_t id, const char *name,
                     const char *slug);
/* An article's card for lists, showing its comment count. */
json_t *view_card(arena_t *a, const site_conf *c, const store_article *x,
                  int64_t comments);
/* Cards for xs[0..n) (skipping id `skip`), with their comment counts, into
 * *out; appends " comments:<id>" to tags for each, so that approving a
 * comment drops exactly the lists that show its article's count. */
int view_cards(site_req *r, const store_article *xs, size_t n, int64_t skip,
               buf_t *tags, json_t **out);
/* Tags as an arena string: fixed part, then the collected ones; frees
 * tags. */
const char *view_tags(arena_t *a, const char *fixed, buf_t *tags);
/* Appends the RSS, Atom and JSON feeds under base ("/", "/{section}/"...)
 * to feeds, titled with the site's name and, when not NULL, what they
 * follow. */
void view_feed_links(arena_t *a, const site_conf *c, json_t *feeds,
                     const char *base, const char *of);
/* The data every page gets (docs/theme.md): site and page, into *out. */
int view_page(site_req *r, const char *type, const char *title,
              const char *canonical_path, int64_t current_section,
              json_t **out);
/* site and page without anything from the store (its menus empty): the
 * data of the error page, which must render while the store fails. */
json_t *view_bare_page(site *s, arena_t *a, const site_conf *c,
                       const char *type, const char *title);
/* Renders template tpl with d into res (a 500 page when rendering fails)
 * and drops d. */
void view_render(site_req *r, const char *tpl, json_t *d);

/* Paths (no scheme or host), percent-encoded: /{section}/{id}-{slug} and
 * /{section}/. Prefix site_conf.url for absolute URLs. */
const char *site_article_path(arena_t *a, const store_article *x);
const char *site_section_path(arena_t *a, const char *slug);
const char *site_page_path(arena_t *a, const char *slug); /* /pages/{slug} */

/* ---- the page builders ----
 * Each fills r->res when it returns NB_OK (a page or a redirect); on an
 * error it leaves the response for routes.c to replace. */

/* pages.c */
int site_home(site_req *r);
/* A section's list, page `page` (1-based); NB_ENOTFOUND past its end. */
int site_section(site_req *r, const store_section *sec, int64_t page);
/* /author/{slug}/ and /tag/{slug}/, with /page/N; NB_ENOTFOUND when
 * seg[0..n) is not one. */
int site_author_or_tag(site_req *r, const char **seg, int n, int trailing);
/* /pages/{slug}; NB_ENOTFOUND when seg[0..n) is not a published page. */
int site_static_page(site_req *r, const char **seg, int n);
/* A WordPress link (/?p=ID when n == 0, an old permalink path after a
 * 404) answered with a 301; NB_ENOTFOUND when it is not one. */
int site_old_link(site_req *r, int n);

/* article.c: the article id at path (a 301 when path is not its canonical
 * form), replying to comment reply_to (0: none), with the comment form f
 * (NULL: blank); NB_ENOTFOUND for no published article. */
typedef struct comment_form comment_form;
/* GET /preview/TOKEN: the article of a newsroom preview link, in any
 * state; NB_ENOTFOUND for a token that is not one. */
int site_preview(site_req *r, const char *token);
int site_article(site_req *r, const char *path, int64_t id, int64_t reply_to,
                 const comment_form *f);

/* comments.c */
struct comment_form {
  const char *author, *email, *url, *comment;
  int64_t parent;
  const char *token; /* NULL: make a fresh one */
  const char *err_form, *err_author, *err_email, *err_url, *err_comment;
};
/* Adds comments and the form to the article page's data d. *personal: the
 * page shows something only this reader may see (their pending comment,
 * or what they typed); *closes_at: when comments close (0: never). */
int site_comments(site_req *r, const store_article *x, const char *path,
                  const comment_form *f, json_t *d, int *personal,
                  int64_t *closes_at);
/* A comment posted to article_id: a 303 to it, or the article page again
 * with the reasons it was refused (403 when the browser says it was sent
 * from another site, 422 for a form token that is not the reader's own,
 * too old, too young or used, 429 over the rate limit). */
int site_comment_post(site_req *r, int64_t article_id);
/* GET /comment-token: the reader's own form token, in the cookie
 * SITE_TOKEN_COOKIE (never cached). */
#define SITE_TOKEN_COOKIE "naba_ct"
int site_comment_token(site_req *r);

/* search_page.c: /search, or /search.json when as_json. */
int site_search(site_req *r, int as_json);

/* feeds.c: answers when seg[0..n) names a feed (/feed, /{section}/feed,
 * /tag/{slug}/feed, /author/{slug}/feed, each also with /atom and /json);
 * NB_ENOTFOUND leaves the request to the caller. */
int site_feed(site_req *r, const char **seg, int n);

/* sitemaps.c: sitemap.xml, its parts, sitemap-news.xml and robots.txt;
 * NB_ENOTFOUND when path is none of them. */
int site_sitemap(site_req *r, const char *path);

/* ---- comment_check.c: the rules of a posted comment ---- */

/* What the reader sent, trimmed. */
typedef struct {
  const char *author, *email, *url, *comment;
  const char *honeypot; /* the hidden field only robots fill; NULL: none */
  int64_t token_at;     /* when its token was issued (signed);
                           0: no valid token for this article */
  int token_once;       /* the token was issued to this reader, with a
                           one-time nonce; 0: the cached page's */
  int64_t now;
} comment_input;

/* The site's rules (settings, see settings.c). */
typedef struct {
  int64_t min_seconds;   /* a form sent sooner is refused */
  int64_t token_max_age; /* a token older is refused */
  int64_t max_length;    /* characters of text */
  int64_t max_links;
  const char *blocked; /* words, comma or line separated; spam if found */
} comment_rules;

typedef struct {
  const char *url; /* as stored: "http://" added when it had no scheme */
  int spam;        /* the honeypot was filled, or a blocked word found */
  /* Why it was refused (Arabic, shown in the form), NULL for none. */
  const char *err_form, *err_author, *err_email, *err_url, *err_comment;
} comment_verdict;

#define COMMENT_NAME_MAX_CHARS 100
#define COMMENT_EMAIL_MAX_BYTES 254
#define COMMENT_URL_MAX_BYTES 200

/* Checks a comment against the rules with no I/O and no clock: NB_OK
 * when it may be stored (out->spam saying as what), NB_EINVAL when it is
 * refused, with the reasons in out->err_*. Messages and the url come from
 * a. */
int comment_check(const comment_input *in, const comment_rules *rules,
                  arena_t *a, comment_verdict *out);

#endif
