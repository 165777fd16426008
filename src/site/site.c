/* site.c: routes, view models and the cache watcher of the public site. */
#include "site/internal.h"
#include "site/site.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arabic/arabic.h"
#include "render/render.h"
#include "search/search.h"

#include <sodium.h>

#define HTML "text/html; charset=utf-8"
#define HOME_LATEST 10
#define HOME_BLOCK 4
#define RELATED 4
/* The footer's menu of static pages, and a page's list of its children. */
#define MENU_PAGES 20
#define PAGE_CHILDREN 100
/* What every page's header and footer show: the site's settings, the
 * sections and the static pages' menu. A save records "pages" only when
 * a top-level page's entry in the menu changes (store.h), so editing a
 * page's text or a child page does not empty the whole cache. */
#define SHELL_TAGS "site sections pages"
#define WATCH_INTERVAL_MS 100
/* The search index is merged into one segment in the background (see
 * store_search_untidy()): looked at every TIDY_CHECK_S seconds once no
 * article was written for TIDY_QUIET_S, then one step of TIDY_STEP_PAGES
 * pages (4 MB, tens of milliseconds) per watcher tick, so an editor's save
 * waits at most one step. */
#define TIDY_CHECK_S 60
#define TIDY_QUIET_S 10
#define TIDY_STEP_PAGES 1024

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
  pthread_key_t conn_key; /* one store connection per server thread */
  pthread_t watcher;
  int watching;
  volatile int stop;
  web_server *web;
};

/* ---- view-model memory ----
 * A page's view model is hundreds of small jansson values. While a page is
 * rendered, jansson allocates from the request's arena and frees nothing;
 * the arena goes at the end of the request. That removes a malloc and a
 * free per value (about a third of an uncached render's work). */
static _Thread_local arena_t *json_arena;

static void *json_alloc(size_t n) {
  return json_arena ? arena_alloc(json_arena, n) : malloc(n);
}

static void json_release(void *p) {
  if (!json_arena)
    free(p);
}

/* Values made in arena mode must not outlive it: drop references only
 * outside it (inside, the arena takes everything at once). */
static void view_decref(json_t *j) {
  if (!json_arena)
    json_decref(j);
}

/* ---- store connection per thread ---- */

static void close_conn(void *p) {
  store_close(p);
}

static store *conn(site *s) {
  store *st = pthread_getspecific(s->conn_key);
  if (st)
    return st;
  char err[256];
  /* Read-write: comments are written from the server threads. */
  if (store_open(s->db_path, 0, &st, err, sizeof err) != NB_OK) {
    nb_log("error", "cannot open the database: %s", err);
    return NULL;
  }
  pthread_setspecific(s->conn_key, st);
  return st;
}

/* ---- helpers for view models ---- */

/* Every string here is known to be UTF-8: the store refuses anything else
 * on write, and ICU and our own code produce it. Skipping jansson's check
 * saves a pass over each article body on every uncached render. */
static void set_str(json_t *o, const char *k, const char *v) {
  json_object_set_new_nocheck(o, k, json_string_nocheck(v ? v : ""));
}

static const char *url_path(arena_t *a, const char *section_slug, int64_t id,
                            const char *slug) {
  buf_t b = {0};
  buf_putc(&b, '/');
  buf_url_encode(&b, section_slug, strlen(section_slug));
  buf_putc(&b, '/');
  if (id) {
    buf_printf(&b, "%lld-", (long long)id);
    buf_url_encode(&b, slug, strlen(slug));
  }
  char *r = arena_strndup(a, b.data ? b.data : "/", b.len);
  buf_free(&b);
  return r;
}

const char *site_article_path(arena_t *a, const store_article *x) {
  return url_path(a, x->section_slug, x->id, x->slug);
}

const char *site_page_path(arena_t *a, const char *slug) {
  buf_t b = {0};
  buf_puts(&b, "/pages/");
  buf_url_encode(&b, slug, strlen(slug));
  char *r = arena_strndup(a, b.data, b.len);
  buf_free(&b);
  return r;
}

const char *site_section_path(arena_t *a, const char *slug) {
  return url_path(a, slug, 0, NULL);
}

static const char *encode(arena_t *a, const char *s) {
  buf_t b = {0};
  buf_url_encode(&b, s, strlen(s));
  char *r = arena_strndup(a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return r;
}

static json_t *date_json(const site_conf *c, int64_t t, int with_time) {
  json_t *d = json_object();
  buf_t b = {0};
  if (ar_date_format(c->locale, c->tz, "d MMMM y", t, &b) == NB_OK)
    set_str(d, "display", b.data);
  if (with_time) {
    buf_reset(&b);
    if (ar_date_format(c->locale, c->tz, "HH:mm", t, &b) == NB_OK)
      set_str(d, "time", b.data);
  }
  /* Lists take UTC ("…Z", as valid as any offset and much cheaper); the
   * article itself shows the site's offset. */
  buf_reset(&b);
  if (!with_time) {
    char iso[32];
    nb_time_iso(t, iso);
    set_str(d, "iso", iso);
  } else if (ar_date_iso(c->tz, t, &b) == NB_OK) {
    set_str(d, "iso", b.data);
  }
  buf_free(&b);
  return d;
}

/* A link to a static page: { title, url }. */
static json_t *page_link_json(arena_t *a, const store_page *p) {
  json_t *o = json_object();
  set_str(o, "title", p->title);
  set_str(o, "url", site_page_path(a, p->slug));
  return o;
}

/* accent: one of the theme's eight section colours, stable per section. */
static json_t *section_json(arena_t *a, int64_t id, const char *name,
                            const char *slug) {
  json_t *o = json_object();
  set_str(o, "name", name);
  set_str(o, "url", site_section_path(a, slug));
  json_object_set_new(o, "accent", json_integer(id % 8));
  return o;
}

static json_t *card_json(arena_t *a, const site_conf *c, const store_article *x,
                         int64_t comments) {
  json_t *o = json_object();
  json_object_set_new(o, "comments", json_integer(comments));
  json_object_set_new(o, "has_comments", json_boolean(comments > 0));
  json_object_set_new(o, "id", json_integer(x->id));
  set_str(o, "title", x->title);
  set_str(o, "url", site_article_path(a, x));
  set_str(o, "summary", x->summary);
  set_str(o, "image", x->image_url);
  set_str(o, "author", x->author_name);
  json_object_set_new(
      o, "section",
      section_json(a, x->section_id, x->section_name, x->section_slug));
  json_object_set_new(o, "date", date_json(c, x->published_at, 0));
  return o;
}

/* Cards for a list of articles (skipping id `skip`), with their comment
 * counts; appends " comments:<id>" to tags for each, so that approving a
 * comment drops exactly the lists that show its article's count. */
static json_t *cards_json(store *st, arena_t *a, const site_conf *c,
                          const store_article *xs, size_t n, int64_t skip,
                          buf_t *tags) {
  json_t *arr = json_array();
  int64_t *ids = arena_alloc(a, (n ? n : 1) * sizeof *ids);
  int64_t *counts = arena_alloc(a, (n ? n : 1) * sizeof *counts);
  if (!ids || !counts)
    return arr;
  for (size_t i = 0; i < n; i++) {
    ids[i] = xs[i].id;
    counts[i] = 0;
  }
  if (n && store_comment_counts(st, ids, n, counts) != NB_OK)
    memset(counts, 0, n * sizeof *counts);
  for (size_t i = 0; i < n; i++) {
    if (xs[i].id == skip)
      continue;
    json_array_append_new(arr, card_json(a, c, &xs[i], counts[i]));
    buf_printf(tags, " comments:%lld", (long long)xs[i].id);
  }
  return arr;
}

/* Tags as an arena string: fixed part, then the collected ones. */
static const char *tags_done(arena_t *a, const char *fixed, buf_t *tags) {
  const char *r = arena_printf(a, "%s%s", fixed, tags->data ? tags->data : "");
  buf_free(tags);
  return r;
}

/* The stored value of key among kv, else its default. */
static const char *conf_get(const store_kv *kv, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(kv[i].key, key) == 0)
      return kv[i].value;
  return site_setting_find(key)->fallback;
}

/* A number setting; a stored value that no longer passes the check (it
 * was valid when set) falls back to the default. */
static int64_t conf_int(const store_kv *kv, size_t n, const char *key) {
  const char *v = conf_get(kv, n, key);
  int64_t r;
  char err[8];
  if (site_setting_check(key, v, err, sizeof err) != NB_OK ||
      nb_parse_i64(v, strlen(v), INT64_MIN, INT64_MAX, &r) != NB_OK)
    v = site_setting_find(key)->fallback;
  nb_parse_i64(v, strlen(v), INT64_MIN, INT64_MAX, &r);
  return r;
}

void site_conf_load(store *st, arena_t *a, site_conf *c) {
  store_kv *kv = NULL;
  size_t n = 0;
  if (store_settings_all(st, a, &kv, &n) != NB_OK)
    n = 0;
  c->name = conf_get(kv, n, "site_name");
  c->description = conf_get(kv, n, "site_description");
  c->url = conf_get(kv, n, "site_url");
  c->logo = conf_get(kv, n, "logo_url");
  c->locale = conf_get(kv, n, "locale");
  c->tz = conf_get(kv, n, "timezone");
  c->breaking = conf_get(kv, n, "breaking_news");
  c->per_page = conf_int(kv, n, "per_page");
  c->feed_full = strcmp(conf_get(kv, n, "feed_content"), "excerpt") != 0;
  c->feed_items = conf_int(kv, n, "feed_items");
  c->moderation = conf_get(kv, n, "comment_moderation");
  c->blocked = conf_get(kv, n, "comment_blocked_words");
  c->proxies = conf_get(kv, n, "trusted_proxies");
  c->depth = conf_int(kv, n, "comment_depth");
  c->close_days = conf_int(kv, n, "comments_close_days");
  c->min_seconds = conf_int(kv, n, "comment_min_seconds");
  c->rate_limit = conf_int(kv, n, "comment_rate_limit");
  c->max_length = conf_int(kv, n, "comment_max_length");
  c->max_links = conf_int(kv, n, "comment_max_links");
  static const char *follow[][2] = {
      {"whatsapp", "whatsapp_channel"}, {"google_news", "google_news_url"},
      {"facebook", "facebook_url"},     {"x", "x_url"},
      {"telegram", "telegram_url"},     {"youtube", "youtube_url"},
      {"instagram", "instagram_url"},
  };
  c->follow = json_object();
  c->has_follow = 0;
  for (size_t i = 0; i < sizeof follow / sizeof follow[0]; i++) {
    const char *v = conf_get(kv, n, follow[i][1]);
    set_str(c->follow, follow[i][0], v);
    c->has_follow |= v[0] != '\0';
  }
}

/* Appends the RSS, Atom and JSON feeds under base ("/" for the site,
 * "/{section}/"...) to feeds, titled with the site's name and, when not
 * NULL, what they follow. */
static void feed_links(arena_t *a, const site_conf *c, json_t *feeds,
                       const char *base, const char *of) {
  static const char *const kinds[][3] = {
      {"application/rss+xml", "", "RSS"},
      {"application/atom+xml", "/atom", "Atom"},
      {"application/feed+json", "/json", "JSON Feed"}};
  for (size_t k = 0; k < 3; k++) {
    json_t *f = json_object();
    set_str(f, "type", kinds[k][0]);
    set_str(f, "title",
            of ? arena_printf(a, "%s — %s (%s)", c->name, of, kinds[k][2])
               : arena_printf(a, "%s (%s)", c->name, kinds[k][2]));
    set_str(f, "url", arena_printf(a, "%sfeed%s", base, kinds[k][1]));
    json_array_append_new(feeds, f);
  }
}

/* The data every page gets (docs/theme.md): site and page. */
static json_t *page_json(site *s, store *st, arena_t *a, const site_conf *c,
                         const char *type, const char *title,
                         const char *canonical_path, int64_t current_section) {
  json_t *root = json_object();
  json_t *site = json_object();
  set_str(site, "name", c->name);
  set_str(site, "description", c->description);
  set_str(site, "url", c->url);
  set_str(site, "logo", c->logo);
  set_str(site, "locale", c->locale);
  /* Open Graph writes ll_CC: ar-MA is ar_MA. */
  char *og = arena_strdup(a, c->locale);
  for (char *p = og; p && *p; p++)
    if (*p == '-')
      *p = '_';
  set_str(site, "og_locale", og);
  set_str(site, "lang", "ar");
  set_str(site, "dir", "rtl");
  set_str(site, "breaking", c->breaking);
  json_object_set_new(site, "has_search", json_true());
  json_object_set(site, "follow", c->follow);
  json_object_set_new(site, "has_follow", json_boolean(c->has_follow));
  json_object_set_new(
      site, "has_channels",
      json_boolean(
          json_string_length(json_object_get(c->follow, "whatsapp")) > 0 ||
          json_string_length(json_object_get(c->follow, "google_news")) > 0));
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  json_object_set_new(site, "year", json_integer(tm.tm_year + 1900));
  const web_assets *files = site_assets(s);
  json_t *assets = json_object();
  set_str(assets, "css", web_asset_url(files, "style.css"));
  set_str(assets, "favicon", web_asset_url(files, "favicon.svg"));
  /* Preloading the Arabic faces avoids the layout shift of a late swap. */
  json_t *preload = json_array();
  static const char *fonts[] = {
      "fonts/noto-naskh-arabic-arabic-400-normal.woff2",
      "fonts/noto-naskh-arabic-arabic-700-normal.woff2"};
  for (size_t i = 0; i < sizeof fonts / sizeof fonts[0]; i++)
    if (web_asset_url(files, fonts[i]))
      json_array_append_new(preload,
                            json_string(web_asset_url(files, fonts[i])));
  json_object_set_new(assets, "preload", preload);
  json_object_set_new(site, "assets", assets);
  json_t *menu = json_array();
  store_section *secs;
  size_t n = 0;
  if (store_sections(st, a, &secs, &n) != NB_OK)
    n = 0;
  /* The menu lists the top-level sections (an import can bring dozens of
   * nested categories); subsections are listed on their parent's page. */
  for (size_t i = 0; i < n; i++) {
    if (secs[i].parent_id)
      continue;
    json_t *m = section_json(a, secs[i].id, secs[i].name, secs[i].slug);
    json_object_set_new(m, "current",
                        json_boolean(secs[i].id == current_section));
    json_array_append_new(menu, m);
  }
  json_object_set_new(site, "sections", menu);
  json_t *pages = json_array();
  store_page *pgs;
  size_t np = 0;
  if (store_pages_under(st, a, 0, MENU_PAGES, &pgs, &np) == NB_OK)
    for (size_t i = 0; i < np; i++) {
      json_t *m = page_link_json(a, &pgs[i]);
      json_object_set_new(m, "current", json_false());
      json_array_append_new(pages, m);
    }
  json_object_set_new(site, "pages", pages);
  json_object_set_new(site, "has_pages", json_boolean(np > 0));
  json_object_set_new(root, "site", site);

  /* <link rel="alternate"> to the site's feeds, and the section's. */
  json_t *feeds = json_array();
  feed_links(a, c, feeds, "/", NULL);
  for (size_t i = 0; current_section && i < n; i++)
    if (secs[i].id == current_section)
      feed_links(a, c, feeds, site_section_path(a, secs[i].slug), secs[i].name);

  json_t *page = json_object();
  set_str(page, "type", type);
  set_str(page, "title", title);
  set_str(page, "description", c->description);
  if (canonical_path)
    set_str(page, "canonical", arena_printf(a, "%s%s", c->url, canonical_path));
  json_object_set_new(page, "feeds", feeds);
  json_object_set_new(root, "page", page);
  return root;
}

static void render(site *s, const char *tpl, json_t *data, web_response *res) {
  const tpl_set *set = atomic_load(&s->theme)->tpl;
  if (tpl_render(set, tpl, data, &res->body) != NB_OK || res->body.oom) {
    buf_reset(&res->body);
    res->status = 500;
    res->tags = NULL;
    buf_puts(&res->body, "<!doctype html><html lang=\"ar\" dir=\"rtl\"><meta "
                         "charset=\"utf-8\"><title>500</title><h1>خطأ في "
                         "الخادم</h1></html>\n");
  }
  res->content_type = HTML;
}

/* ---- pages ---- */

static void not_found(site *s, store *st, arena_t *a, const site_conf *c,
                      web_response *res) {
  json_t *d = page_json(s, st, a, c, "not_found", "الصفحة غير موجودة", NULL, 0);
  render(s, "not_found", d, res);
  view_decref(d);
  res->status = 404;
  res->tags = NULL;
}

static void redirect(web_response *res, arena_t *a, const char *path) {
  (void)a;
  res->status = 301;
  res->location = path;
  buf_puts(&res->body, "");
}

static void home(site *s, store *st, arena_t *a, const site_conf *c,
                 web_response *res) {
  json_t *d = page_json(s, st, a, c, "home", c->name, "/", 0);
  buf_t tags = {0};
  store_article *latest;
  size_t n = 0;
  int64_t top_id = 0;
  if (store_articles_latest(st, a, 0, 0, HOME_LATEST + 1, &latest, &n) ==
          NB_OK &&
      n > 0) {
    top_id = latest[0].id;
    json_t *cards = cards_json(st, a, c, latest, n, 0, &tags);
    json_object_set(d, "top", json_array_get(cards, 0));
    json_array_remove(cards, 0);
    json_object_set_new(d, "latest", cards);
    json_object_set_new(d, "has_latest", json_boolean(n > 1));
  }
  json_t *blocks = json_array();
  store_section *secs;
  size_t ns = 0;
  if (store_sections(st, a, &secs, &ns) == NB_OK)
    for (size_t i = 0; i < ns; i++) {
      store_article *xs;
      size_t nx = 0;
      if (secs[i].parent_id || /* a block per top-level section, as the menu */
          store_articles_latest(st, a, secs[i].id, 0, HOME_BLOCK, &xs, &nx) !=
              NB_OK)
        continue;
      /* The top story already heads the page. */
      json_t *cards = cards_json(st, a, c, xs, nx, top_id, &tags);
      if (json_array_size(cards) == 0) {
        view_decref(cards);
        continue;
      }
      json_t *b = json_object();
      json_object_set_new(
          b, "section",
          section_json(a, secs[i].id, secs[i].name, secs[i].slug));
      json_object_set_new(b, "articles", cards);
      json_array_append_new(blocks, b);
    }
  json_object_set_new(d, "blocks", blocks);
  render(s, "home", d, res);
  view_decref(d);
  res->tags = tags_done(a, "home " SHELL_TAGS, &tags);
}

/* A section's parent { name, url } (absent at the top level) and its
 * subsections [ { name, url } ], into o. */
static void section_family(store *st, arena_t *a, int64_t id, json_t *o) {
  store_section *secs;
  size_t n = 0;
  json_t *children = json_array();
  if (store_sections(st, a, &secs, &n) != NB_OK)
    n = 0;
  for (size_t i = 0; i < n; i++) {
    if (secs[i].parent_id == id)
      json_array_append_new(
          children, section_json(a, secs[i].id, secs[i].name, secs[i].slug));
    for (size_t k = 0; secs[i].id == id && secs[i].parent_id && k < n; k++)
      if (secs[k].id == secs[i].parent_id)
        json_object_set_new(
            o, "parent",
            section_json(a, secs[k].id, secs[k].name, secs[k].slug));
  }
  json_object_set_new(o, "has_children",
                      json_boolean(json_array_size(children) > 0));
  json_object_set_new(o, "children", children);
}

/* What a list page shows: a section, an author's or a tag's articles. */
typedef struct {
  int kind; /* STORE_LIST_SECTION, _AUTHOR or _TAG */
  int64_t id;
  const char *name, *slug;
  const char *base; /* its path, ending in "/" */
} list_of;

static void list_page(site *s, store *st, arena_t *a, const site_conf *c,
                      const list_of *l, int64_t page, web_response *res) {
  int64_t total = 0;
  store_list_count(st, l->kind, l->id, &total);
  int64_t pages = total ? (total + c->per_page - 1) / c->per_page : 1;
  if (page > pages) {
    not_found(s, st, a, c, res);
    return;
  }
  const char *base = l->base;
  const char *canon =
      page == 1 ? base : arena_printf(a, "%spage/%lld", base, (long long)page);
  const char *title = page == 1
                          ? arena_printf(a, "%s - %s", l->name, c->name)
                          : arena_printf(a, "%s - الصفحة %lld - %s", l->name,
                                         (long long)page, c->name);
  int is_section = l->kind == STORE_LIST_SECTION;
  json_t *d =
      page_json(s, st, a, c, "section", title, canon, is_section ? l->id : 0);
  json_t *sec = json_object();
  set_str(sec, "name", l->name);
  set_str(sec, "url", base);
  json_object_set_new(sec, "accent", json_integer(is_section ? l->id % 8 : 0));
  json_object_set_new(sec, "is_author",
                      json_boolean(l->kind == STORE_LIST_AUTHOR));
  json_object_set_new(sec, "is_tag", json_boolean(l->kind == STORE_LIST_TAG));
  if (is_section)
    section_family(st, a, l->id, sec);
  json_object_set_new(d, "section", sec);
  if (!is_section) {
    /* The page's own feeds, beside the site's. */
    feed_links(a, c, json_object_get(json_object_get(d, "page"), "feeds"), base,
               l->name);
  }
  store_article *xs;
  size_t n = 0;
  buf_t tags = {0};
  int rc =
      is_section
          ? store_articles_latest(st, a, l->id, (page - 1) * c->per_page,
                                  c->per_page, &xs, &n)
          : store_list_articles(st, a, l->kind, l->id, (page - 1) * c->per_page,
                                c->per_page, &xs, &n);
  if (rc == NB_OK)
    json_object_set_new(d, "articles", cards_json(st, a, c, xs, n, 0, &tags));
  if (pages > 1) {
    json_t *p = json_object();
    json_object_set_new(p, "page", json_integer(page));
    json_object_set_new(p, "pages", json_integer(pages));
    set_str(p, "prev",
            page == 1 ? ""
            : page == 2
                ? base
                : arena_printf(a, "%spage/%lld", base, (long long)page - 1));
    set_str(p, "next",
            page == pages
                ? ""
                : arena_printf(a, "%spage/%lld", base, (long long)page + 1));
    json_object_set_new(d, "pagination", p);
  }
  render(s, "section", d, res);
  view_decref(d);
  /* An author's page changes with their articles ("author:ID"); a tag's
   * with any article's title or summary ("feeds", which every save
   * records) and with tagging ("tag:ID"). */
  const char *fixed =
      is_section ? arena_printf(a, "section:%lld " SHELL_TAGS, (long long)l->id)
      : l->kind == STORE_LIST_AUTHOR
          ? arena_printf(a, "author:%lld " SHELL_TAGS, (long long)l->id)
          : arena_printf(a, "tag:%lld feeds " SHELL_TAGS, (long long)l->id);
  res->tags = tags_done(a, fixed, &tags);
}

static void section_page(site *s, store *st, arena_t *a, const site_conf *c,
                         const store_section *sec, int64_t page,
                         web_response *res) {
  list_of l = {STORE_LIST_SECTION, sec->id, sec->name, sec->slug,
               site_section_path(a, sec->slug)};
  list_page(s, st, a, c, &l, page, res);
}

/* Links of a site imported from WordPress answer 301 to the article's URL:
 * /?p=ID before anything else (n == 0), an old permalink path only when
 * nothing of naba's answered it (after a 404: a section or an article of
 * the same path wins, and a link never points at itself). */
static int old_link(store *st, arena_t *a, web_request *req, int n,
                    web_response *res) {
  const char *p = n == 0 ? web_query(req, "p") : NULL;
  int64_t wp = 0, id = 0;
  int found = 0;
  int64_t page = 0;
  if (p && nb_parse_i64(p, strlen(p), 1, INT64_MAX, &wp) == NB_OK) {
    found = store_wp_post_article(st, wp, &id) == NB_OK;
    if (!found && store_wp_page(st, wp, &page) != NB_OK)
      page = 0;
  } else if (n != 0) {
    found = store_redirect_get(st, req->path, &id) == NB_OK;
    if (!found && store_page_redirect_get(st, req->path, &page) != NB_OK)
      page = 0;
  }
  store_page pg;
  if (page && store_page_by_id(st, a, page, &pg) == NB_OK) {
    redirect(res, a, site_page_path(a, pg.slug));
    return 1;
  }
  store_article x;
  if (!found || store_article_by_id(st, a, id, &x) != NB_OK)
    return 0;
  redirect(res, a, site_article_path(a, &x));
  return 1;
}

/* /pages/{slug}: a static page, with a link to its parent and the list of
 * its children (published ones). */
static int static_page(site *s, store *st, arena_t *a, const site_conf *c,
                       const char **seg, int n, web_response *res) {
  store_page p, parent;
  if (n != 2 || strcmp(seg[0], "pages") != 0 ||
      store_page_by_slug(st, a, seg[1], &p) != NB_OK)
    return 0;
  const char *path = site_page_path(a, p.slug);
  json_t *d = page_json(s, st, a, c, "page", p.title, path, 0);
  json_t *menu = json_object_get(json_object_get(d, "site"), "pages");
  for (size_t i = 0; i < json_array_size(menu); i++) {
    json_t *m = json_array_get(menu, i);
    if (strcmp(json_string_value(json_object_get(m, "url")), path) == 0)
      json_object_set_new(m, "current", json_true());
  }
  json_t *o = json_object();
  set_str(o, "title", p.title);
  set_str(o, "body_html", p.body_html);
  json_object_set_new(o, "updated", date_json(c, p.updated_at, 0));
  if (p.parent_id && store_page_by_id(st, a, p.parent_id, &parent) == NB_OK)
    json_object_set_new(o, "parent", page_link_json(a, &parent));
  json_t *children = json_array();
  store_page *kids;
  size_t nk = 0;
  if (store_pages_under(st, a, p.id, PAGE_CHILDREN, &kids, &nk) == NB_OK)
    for (size_t i = 0; i < nk; i++)
      json_array_append_new(children, page_link_json(a, &kids[i]));
  json_object_set_new(o, "children", children);
  json_object_set_new(o, "has_children", json_boolean(nk > 0));
  json_object_set_new(d, "static_page", o);
  render(s, "page", d, res);
  view_decref(d);
  /* Its children's saves record "page:<its id>"; its parent's save (a new
   * title, unpublished) records "page:<parent id>". */
  res->tags = p.parent_id
                  ? arena_printf(a, "page:%lld page:%lld " SHELL_TAGS,
                                 (long long)p.id, (long long)p.parent_id)
                  : arena_printf(a, "page:%lld " SHELL_TAGS, (long long)p.id);
  return 1;
}

/* /author/{slug}/ and /tag/{slug}/, with /page/N. */
static int author_or_tag_page(site *s, store *st, arena_t *a,
                              const site_conf *c, const char **seg, int n,
                              int trailing, web_response *res) {
  if (n < 2 || n > 4 || n == 3 ||
      (strcmp(seg[0], "author") != 0 && strcmp(seg[0], "tag") != 0))
    return 0;
  int tag = seg[0][0] == 't';
  store_named who;
  if ((tag ? store_tag_by_slug(st, a, seg[1], &who)
           : store_author_by_slug(st, a, seg[1], &who)) != NB_OK)
    return 0;
  int64_t page = 1;
  if (n == 4 &&
      (strcmp(seg[2], "page") != 0 ||
       nb_parse_i64(seg[3], strlen(seg[3]), 2, 1000000, &page) != NB_OK))
    return 0;
  buf_t b = {0};
  buf_printf(&b, "/%s/", seg[0]);
  buf_url_encode(&b, who.slug, strlen(who.slug));
  buf_putc(&b, '/');
  list_of l = {tag ? STORE_LIST_TAG : STORE_LIST_AUTHOR, who.id, who.name,
               who.slug, arena_strndup(a, b.data, b.len)};
  buf_free(&b);
  if (n == 2 && !trailing)
    redirect(res, a, l.base);
  else
    list_page(s, st, a, c, &l, page, res);
  return 1;
}

/* JSON text safe inside <script>: no "<" can close or open a tag. */
static const char *script_json(arena_t *a, json_t *j) {
  char *txt = json_dumps(j, JSON_COMPACT);
  if (!txt)
    return "{}";
  buf_t b = {0};
  for (const char *p = txt; *p; p++) {
    if (*p == '<')
      buf_puts(&b, "\\u003c");
    else
      buf_putc(&b, *p);
  }
  json_release(txt);
  char *r = arena_strndup(a, b.data ? b.data : "{}", b.len);
  buf_free(&b);
  return r;
}

static const char *jsonld(arena_t *a, const site_conf *c,
                          const store_article *x, const char *canonical,
                          const char *published, const char *modified) {
  json_t *graph = json_array();
  json_t *art = json_object();
  set_str(art, "@type", "NewsArticle");
  set_str(art, "@id", arena_printf(a, "%s#article", canonical));
  set_str(art, "headline", x->title);
  set_str(art, "description", x->summary);
  set_str(art, "url", canonical);
  set_str(art, "mainEntityOfPage", canonical);
  set_str(art, "datePublished", published);
  set_str(art, "dateModified", modified);
  set_str(art, "inLanguage", "ar");
  set_str(art, "articleSection", x->section_name);
  if (x->image_url[0])
    json_object_set_new(art, "image", json_pack("[s]", x->image_url));
  json_t *author = json_object();
  set_str(author, "@type", x->author_name[0] ? "Person" : "Organization");
  set_str(author, "name", x->author_name[0] ? x->author_name : c->name);
  set_str(author, "url",
          x->author_slug[0] ? arena_printf(a, "%s/author/%s/", c->url,
                                           encode(a, x->author_slug))
                            : arena_printf(a, "%s/", c->url));
  json_object_set_new(art, "author", json_pack("[o]", author));
  json_t *pub = json_object();
  set_str(pub, "@type", "NewsMediaOrganization");
  set_str(pub, "name", c->name);
  set_str(pub, "url", c->url);
  if (c->logo[0])
    json_object_set_new(
        pub, "logo",
        json_pack("{s:s,s:s}", "@type", "ImageObject", "url", c->logo));
  json_object_set_new(art, "publisher", pub);
  json_array_append_new(graph, art);

  json_t *crumbs = json_object();
  set_str(crumbs, "@type", "BreadcrumbList");
  json_t *items = json_array();
  const char *names[3] = {c->name, x->section_name, x->title};
  const char *urls[3] = {
      arena_printf(a, "%s/", c->url),
      arena_printf(a, "%s%s", c->url, site_section_path(a, x->section_slug)),
      canonical};
  for (int i = 0; i < 3; i++)
    json_array_append_new(items, json_pack("{s:s,s:i,s:s,s:s}", "@type",
                                           "ListItem", "position", i + 1,
                                           "name", names[i], "item", urls[i]));
  json_object_set_new(crumbs, "itemListElement", items);
  json_array_append_new(graph, crumbs);
  json_t *root =
      json_pack("{s:s,s:o}", "@context", "https://schema.org", "@graph", graph);
  const char *r = script_json(a, root);
  view_decref(root);
  return r;
}

static json_t *share_json(arena_t *a, const char *title, const char *url) {
  const char *t = encode(a, title), *u = encode(a, url);
  const char *tu = encode(a, arena_printf(a, "%s %s", title, url));
  json_t *o = json_object();
  set_str(o, "whatsapp", arena_printf(a, "https://wa.me/?text=%s", tu));
  set_str(
      o, "facebook",
      arena_printf(a, "https://www.facebook.com/sharer/sharer.php?u=%s", u));
  set_str(o, "x",
          arena_printf(a, "https://x.com/intent/tweet?text=%s&url=%s", t, u));
  set_str(o, "telegram",
          arena_printf(a, "https://t.me/share/url?url=%s&text=%s", u, t));
  set_str(o, "email", arena_printf(a, "mailto:?subject=%s&body=%s", t, u));
  return o;
}

/* ---- comments ---- */

#define PENDING_MAX 20
#define TOKEN_MAX_AGE (7 * 86400)
#define RATE_WINDOW 600
#define NAME_MAX_CHARS 100
#define EMAIL_MAX_BYTES 254
#define URL_MAX_BYTES 200

/* What the comment form shows: the reader's values and refusals. */
typedef struct {
  const char *author, *email, *url, *comment;
  int64_t parent;
  const char *token; /* NULL: make a fresh one */
  const char *err_form, *err_author, *err_email, *err_url, *err_comment;
} comment_form;

static int form_has_errors(const comment_form *f) {
  return f->err_form || f->err_author || f->err_email || f->err_url ||
         f->err_comment;
}

/* "<article id>:<unix time>" signed: binds a form to its article and tells
 * how long the reader took to write. */
static const char *form_token(site *s, arena_t *a, int64_t article_id) {
  buf_t b = {0};
  char payload[64];
  snprintf(payload, sizeof payload, "%lld:%lld", (long long)article_id,
           (long long)nb_now());
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
  web_sign(s->key, payload.data, &b);
  buf_printf(&b, "; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", 7 * 86400,
             strncmp(c->url, "https:", 6) == 0 ? "; Secure" : "");
  const char *r = arena_strdup(a, b.data ? b.data : "");
  buf_free(&payload);
  buf_free(&b);
  return r;
}

/* When comments on x close (0: never), from the article's own state or the
 * site's comments_close_days. */
static int64_t comments_close_at(store *st, const site_conf *c,
                                 const store_article *x, int *closed) {
  int state = -1;
  store_article_comments_get(st, x->id, &state);
  *closed = state == 1;
  if (state != -1 || c->close_days == 0)
    return 0;
  int64_t at = x->published_at + c->close_days * 86400;
  *closed = nb_now() >= at;
  return at;
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
  set_str(o, "anchor", arena_printf(a, "comment-%lld", (long long)m->id));
  set_str(o, "author", m->author_name);
  set_str(o, "url", m->author_url);
  json_object_set_new(o, "date", date_json(c, m->created_at, 1));
  buf_t b = {0};
  buf_text_html(&b, m->body, strlen(m->body));
  set_str(o, "body_html", b.data ? b.data : "");
  buf_free(&b);
  set_str(o, "avatar_svg", avatar_svg(a, m->avatar_key));
  json_object_set_new(o, "pending",
                      json_boolean(m->status == STORE_COMMENT_PENDING));
  set_str(o, "reply_url", reply_url);
  json_object_set_new(o, "replies", json_array());
  json_object_set_new(o, "has_replies", json_false());
  return o;
}

/* Threads comments (oldest first) up to the depth setting: a reply to a
 * comment at the deepest level is shown beside it, never lost. */
static json_t *thread_json(arena_t *a, const site_conf *c, const char *path,
                           const store_comment *cs, size_t n, int64_t *count) {
  json_t *top = json_array();
  json_t **objs = arena_alloc(a, (n ? n : 1) * sizeof *objs);
  int64_t *depth = arena_alloc(a, (n ? n : 1) * sizeof *depth);
  size_t *parent = arena_alloc(a, (n ? n : 1) * sizeof *parent);
  if (!objs || !depth || !parent)
    return top;
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
  return top;
}

static json_t *form_json(site *s, arena_t *a, const store_article *x,
                         const char *path, const comment_form *f,
                         const char *replying_to) {
  json_t *o = json_object();
  set_str(o, "action", path);
  set_str(o, "token", f->token ? f->token : form_token(s, a, x->id));
  json_object_set_new(o, "parent", json_integer(f->parent));
  set_str(o, "replying_to", replying_to);
  set_str(o, "cancel_url", arena_printf(a, "%s#respond", path));
  json_t *v = json_object();
  set_str(v, "author", f->author);
  set_str(v, "email", f->email);
  set_str(v, "url", f->url);
  set_str(v, "comment", f->comment);
  json_object_set_new(o, "values", v);
  json_t *e = json_object();
  set_str(e, "form", f->err_form);
  set_str(e, "author", f->err_author);
  set_str(e, "email", f->err_email);
  set_str(e, "url", f->err_url);
  set_str(e, "comment", f->err_comment);
  json_object_set_new(o, "errors", e);
  json_object_set_new(o, "has_errors", json_boolean(form_has_errors(f)));
  return o;
}

/* Adds comments and the form to the article page's data. Returns 1 when
 * the page shows something only this reader may see (their pending
 * comment, or what they typed). *closes_at: when comments close (0). */
static int comments_json(site *s, store *st, arena_t *a, const site_conf *c,
                         web_request *req, const store_article *x,
                         const char *path, const comment_form *f, json_t *d,
                         int64_t *closes_at) {
  int64_t ids[PENDING_MAX];
  size_t np = pending_ids(s, req, ids);
  store_comment *cs = NULL;
  size_t n = 0;
  int personal = form_has_errors(f);
  if (store_comments_for_article(st, a, x->id, ids, np, &cs, &n) != NB_OK)
    n = 0;
  for (size_t i = 0; i < n; i++)
    personal |= cs[i].status != STORE_COMMENT_APPROVED;
  int64_t count = 0;
  json_t *list = thread_json(a, c, path, cs, n, &count);
  int closed = 0;
  *closes_at = comments_close_at(st, c, x, &closed);
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
  json_object_set_new(d, "form", form_json(s, a, x, path, f, replying_to));
  return personal;
}

/* ---- the article page ---- */

static void article_page(site *s, store *st, arena_t *a, const site_conf *c,
                         web_request *req, const char *path, int64_t id,
                         int64_t reply_to, const comment_form *f,
                         web_response *res) {
  store_article x;
  if (store_article_by_id(st, a, id, &x) != NB_OK) {
    not_found(s, st, a, c, res);
    return;
  }
  const char *canon_path = site_article_path(a, &x);
  /* Compare decoded forms: web hands over the percent-decoded path. */
  const char *want =
      arena_printf(a, "/%s/%lld-%s", x.section_slug, (long long)x.id, x.slug);
  if (reply_to)
    want = arena_printf(a, "%s/reply/%lld", want, (long long)reply_to);
  if (strcmp(path, want) != 0) {
    redirect(res, a,
             reply_to ? arena_printf(a, "%s/reply/%lld#respond", canon_path,
                                     (long long)reply_to)
                      : canon_path);
    return;
  }
  const char *canonical = arena_printf(a, "%s%s", c->url, canon_path);
  json_t *d = page_json(s, st, a, c, "article",
                        arena_printf(a, "%s - %s", x.title, c->name),
                        canon_path, x.section_id);
  json_t *art = json_object();
  json_object_set_new(art, "id", json_integer(x.id));
  set_str(art, "title", x.title);
  set_str(art, "url", canon_path);
  set_str(art, "canonical", canonical);
  set_str(art, "summary", x.summary);
  set_str(art, "image", x.image_url);
  set_str(art, "body_html", x.body_html);
  set_str(art, "author", x.author_name);
  if (x.author_slug[0])
    set_str(art, "author_url",
            arena_printf(a, "/author/%s/", encode(a, x.author_slug)));
  json_object_set_new(
      art, "section",
      section_json(a, x.section_id, x.section_name, x.section_slug));
  json_t *pub = date_json(c, x.published_at, 1);
  json_t *upd = date_json(c, x.updated_at, 1);
  /* Shown as "updated" only when it was edited after an hour or more. */
  json_object_set_new(upd, "changed",
                      json_boolean(x.updated_at - x.published_at > 3600));
  const char *pub_iso = json_string_value(json_object_get(pub, "iso"));
  const char *upd_iso = json_string_value(json_object_get(upd, "iso"));
  set_str(art, "published_iso", pub_iso);
  const char *ld = jsonld(a, c, &x, canonical, pub_iso ? pub_iso : "",
                          upd_iso ? upd_iso : "");
  json_object_set_new(art, "date", pub);
  json_object_set_new(art, "updated", upd);
  json_object_set_new(d, "article", art);
  json_object_set_new(d, "share", share_json(a, x.title, canonical));
  set_str(d, "jsonld", ld);
  json_t *page = json_object_get(d, "page");
  if (x.summary[0])
    set_str(page, "description", x.summary);
  comment_form blank = {.parent = reply_to};
  int64_t closes_at = 0;
  int personal = comments_json(s, st, a, c, req, &x, canon_path, f ? f : &blank,
                               d, &closes_at);
  buf_t tags = {0};
  store_article *rel;
  size_t n = 0;
  if (store_articles_latest(st, a, x.section_id, 0, RELATED + 1, &rel, &n) ==
      NB_OK) {
    json_t *related = cards_json(st, a, c, rel, n, x.id, &tags);
    json_object_set_new(d, "has_related",
                        json_boolean(json_array_size(related)));
    json_object_set_new(d, "related", related);
  }
  render(s, "article", d, res);
  view_decref(d);
  res->tags = tags_done(
      a,
      arena_printf(a, "article:%lld comments:%lld section:%lld " SHELL_TAGS,
                   (long long)x.id, (long long)x.id, (long long)x.section_id),
      &tags);
  res->personal = personal;
  res->last_modified = x.updated_at;
  /* The form's token ages, and comments may close at a set time: let the
   * cached page be made again. */
  int64_t ttl = 86400;
  if (closes_at > nb_now() && closes_at - nb_now() < ttl)
    ttl = closes_at - nb_now();
  res->ttl = (int)ttl;
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

static int has_control(const char *v, int allow_newlines) {
  for (; *v; v++) {
    unsigned char ch = (unsigned char)*v;
    if ((ch < 0x20 &&
         !(allow_newlines && (ch == '\n' || ch == '\r' || ch == '\t'))) ||
        ch == 0x7f)
      return 1;
  }
  return 0;
}

static int email_ok(const char *e) {
  const char *at = strchr(e, '@');
  size_t n = strlen(e);
  if (!at || at == e || strchr(at + 1, '@') || n > EMAIL_MAX_BYTES)
    return 0;
  const char *dot = strrchr(at, '.');
  if (!dot || dot == at + 1 || dot[1] == '\0')
    return 0;
  for (const char *p = e; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' ||
        *p == ',' || *p == ';')
      return 0;
  return 1;
}

/* ASCII lower-case copy, for comparisons that must not care about case. */
static char *lower(arena_t *a, const char *v) {
  char *r = arena_strdup(a, v);
  for (char *p = r; p && *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  return r;
}

/* 1 if any comma-separated entry of list occurs in one of the texts. */
static int blocked(arena_t *a, const char *list, const char *const *texts,
                   size_t n) {
  char *l = lower(a, list);
  for (char *save = NULL, *w = strtok_r(l, ",\n", &save); w;
       w = strtok_r(NULL, ",\n", &save)) {
    w = (char *)trim(a, w);
    if (!*w)
      continue;
    for (size_t i = 0; i < n; i++)
      if (strstr(lower(a, texts[i]), w))
        return 1;
  }
  return 0;
}

/* The client a comment comes from: the peer, or, when the peer is a
 * trusted proxy, the nearest address in X-Forwarded-For that is not one. */
static const char *client_of(arena_t *a, const site_conf *c, web_request *req) {
  const char *ip = req->client_ip ? req->client_ip : "";
  const char *xff = web_header(req, "X-Forwarded-For");
  char *proxies = arena_printf(a, ",%s,", c->proxies);
  for (char *p = proxies; p && *p; p++)
    if (*p == ' ')
      *p = ',';
  if (!xff)
    return ip;
  char *list = arena_strdup(a, xff);
  for (;;) {
    if (!strstr(proxies, arena_printf(a, ",%s,", ip)))
      return ip;
    char *comma = strrchr(list, ',');
    const char *next = trim(a, comma ? comma + 1 : list);
    if (!*next)
      return ip;
    ip = next;
    if (!comma)
      return ip;
    *comma = '\0';
  }
}

static void comment_refused(site *s, store *st, arena_t *a, const site_conf *c,
                            web_request *req, const store_article *x,
                            comment_form *f, web_response *res) {
  if (!f->err_form)
    f->err_form = "لم يُنشر تعليقك بعد: صحّح ما هو مشار إليه ثم أعد الإرسال. "
                  "نصّك محفوظ في النموذج.";
  const char *path = arena_printf(a, "/%s/%lld-%s", x->section_slug,
                                  (long long)x->id, x->slug);
  article_page(s, st, a, c, req, path, x->id, 0, f, res);
  res->status = 422;
  res->tags = NULL;
  res->personal = 1;
}

static void comment_post(site *s, store *st, arena_t *a, const site_conf *c,
                         web_request *req, int64_t article_id,
                         web_response *res) {
  store_article x;
  if (store_article_by_id(st, a, article_id, &x) != NB_OK) {
    not_found(s, st, a, c, res);
    return;
  }
  const web_field *ff = req->form;
  size_t nf = req->nform;
  comment_form f = {0};
  f.author = trim(a, web_form_get(ff, nf, "author"));
  f.email = trim(a, web_form_get(ff, nf, "email"));
  f.url = trim(a, web_form_get(ff, nf, "url"));
  f.comment = trim(a, web_form_get(ff, nf, "comment"));
  const char *parent = web_form_get(ff, nf, "parent");
  if (parent &&
      nb_parse_i64(parent, strlen(parent), 0, INT64_MAX, &f.parent) != NB_OK)
    f.parent = 0;
  if (req->form_rc != NB_OK) {
    f.err_form = req->form_rc == NB_ETOOBIG
                     ? "النموذج المرسل أكبر من المسموح به."
                     : "تعذّرت قراءة النموذج: النص المرسل ليس بترميز UTF-8 "
                       "سليم. أعد كتابته وأرسله من جديد.";
    comment_refused(s, st, a, c, req, &x, &f, res);
    res->status = 400;
    return;
  }
  int closed = 0;
  comments_close_at(st, c, &x, &closed);
  if (closed) {
    f.err_form = "التعليقات مغلقة على هذا المقال، ولم يُنشر تعليقك. نصّك محفوظ "
                 "أدناه إن أردت نسخه.";
    comment_refused(s, st, a, c, req, &x, &f, res);
    res->status = 403;
    return;
  }
  /* The signed token: right article, old enough, not too old. */
  const char *t = web_form_get(ff, nf, "t");
  const char *payload = web_verify(s->key, t, a);
  long long tid = 0, tat = 0;
  int ok = payload && sscanf(payload, "%lld:%lld", &tid, &tat) == 2 &&
           tid == x.id && nb_now() - tat <= TOKEN_MAX_AGE;
  if (!ok) {
    f.err_form = "انتهت صلاحية النموذج. نصّك محفوظ: أعد إرساله الآن.";
    comment_refused(s, st, a, c, req, &x, &f, res);
    return;
  }
  if (nb_now() - tat < c->min_seconds) {
    f.token = t; /* keep its time, so that waiting is enough */
    f.err_form = "أُرسل التعليق بسرعة كبيرة. انتظر لحظة ثم أعد الإرسال؛ نصّك "
                 "محفوظ.";
    comment_refused(s, st, a, c, req, &x, &f, res);
    return;
  }
  f.token = t;
  if (!*f.author)
    f.err_author = "الاسم مطلوب.";
  else if (utf8_count(f.author, strlen(f.author)) > NAME_MAX_CHARS ||
           has_control(f.author, 0))
    f.err_author =
        "الاسم طويل جدًا أو فيه رموز غير مقبولة (100 حرف على الأكثر).";
  if (!*f.email)
    f.err_email = "البريد الإلكتروني مطلوب، ولن يُنشر.";
  else if (!email_ok(f.email))
    f.err_email = "هذا العنوان لا يبدو بريدًا إلكترونيًا صحيحًا.";
  if (*f.url) {
    if (!strstr(f.url, "://"))
      f.url = arena_printf(a, "http://%s", f.url);
    if ((strncmp(f.url, "http://", 7) != 0 &&
         strncmp(f.url, "https://", 8) != 0) ||
        strlen(f.url) > URL_MAX_BYTES || strchr(f.url, ' ') ||
        has_control(f.url, 0) || strlen(strstr(f.url, "://") + 3) < 3)
      f.err_url = "عنوان الموقع غير صالح؛ اتركه فارغًا إن لم يكن لك موقع.";
  }
  if (!*f.comment)
    f.err_comment = "اكتب تعليقك قبل الإرسال.";
  else if ((int64_t)utf8_count(f.comment, strlen(f.comment)) > c->max_length)
    f.err_comment =
        arena_printf(a, "التعليق أطول من المسموح به (%lld حرفًا على الأكثر).",
                     (long long)c->max_length);
  else if ((int64_t)text_count_links(f.comment, strlen(f.comment)) >
           c->max_links)
    f.err_comment = arena_printf(a, "في التعليق روابط كثيرة (%lld على الأكثر).",
                                 (long long)c->max_links);
  else if (has_control(f.comment, 1))
    f.err_comment = "في التعليق رموز تحكم غير مقبولة.";
  if (form_has_errors(&f)) {
    comment_refused(s, st, a, c, req, &x, &f, res);
    return;
  }
  const char *client = client_of(a, c, req);
  int64_t recent = 0;
  if (c->rate_limit > 0 &&
      store_comments_from_client(st, client, nb_now() - RATE_WINDOW, &recent) ==
          NB_OK &&
      recent >= c->rate_limit) {
    f.err_form = "أرسلت تعليقات كثيرة في وقت قصير. انتظر بضع دقائق ثم أعد "
                 "الإرسال؛ نصّك محفوظ.";
    comment_refused(s, st, a, c, req, &x, &f, res);
    res->status = 429;
    return;
  }

  const char *email_l = lower(a, f.email);
  const char *honeypot = web_form_get(ff, nf, "homepage");
  const char *texts[] = {f.author, f.email, f.url, f.comment};
  int status = STORE_COMMENT_PENDING;
  int known = 0;
  if ((honeypot && *honeypot) ||
      blocked(a, c->blocked, texts, sizeof texts / sizeof texts[0]))
    status = STORE_COMMENT_SPAM;
  else if (strcmp(c->moderation, "known") == 0 &&
           store_commenter_known(st, f.author, f.email, &known) == NB_OK &&
           known)
    status = STORE_COMMENT_APPROVED;

  unsigned char h[16];
  char content_key[33], avatar_key[33];
  buf_t k = {0};
  buf_printf(&k, "%lld\n%s\n%s", (long long)x.id, email_l, f.comment);
  crypto_generichash(h, sizeof h, (const unsigned char *)(k.data ? k.data : ""),
                     k.len, NULL, 0);
  sodium_bin2hex(content_key, sizeof content_key, h, sizeof h);
  buf_free(&k);
  crypto_generichash(h, sizeof h, (const unsigned char *)email_l,
                     strlen(email_l), s->key, sizeof s->key);
  sodium_bin2hex(avatar_key, sizeof avatar_key, h, sizeof h);

  store_comment m = {.article_id = x.id,
                     .parent_id = f.parent,
                     .author_name = f.author,
                     .author_email = f.email,
                     .author_url = f.url,
                     .body = f.comment,
                     .status = status,
                     .avatar_key = avatar_key,
                     .client = client};
  int created = 0;
  int rc = store_comment_add(st, &m, content_key, &created);
  if (rc == NB_EINVAL && f.parent) {
    /* The comment replied to is gone: keep the text as a top-level one. */
    m.parent_id = 0;
    rc = store_comment_add(st, &m, content_key, &created);
  }
  if (rc != NB_OK) {
    f.err_form = "تعذّر حفظ تعليقك بسبب خطأ في الخادم. نصّك محفوظ: أعد "
                 "الإرسال بعد قليل.";
    comment_refused(s, st, a, c, req, &x, &f, res);
    res->status = 503;
    return;
  }
  /* Acknowledged only now, after the commit: the comment is on disk. */
  res->status = 303;
  res->location = arena_printf(a, "%s#comment-%lld", site_article_path(a, &x),
                               (long long)m.id);
  if (m.status != STORE_COMMENT_APPROVED) {
    int64_t ids[PENDING_MAX];
    size_t n = pending_ids(s, req, ids);
    int seen = 0;
    for (size_t i = 0; i < n; i++)
      seen |= ids[i] == m.id;
    if (!seen) {
      if (n == PENDING_MAX)
        memmove(ids, ids + 1, --n * sizeof *ids);
      ids[n++] = m.id;
    }
    res->set_cookie = pending_cookie(s, a, c, ids, n);
  }
}

/* ---- search ---- */

#define SEARCH_PER_PAGE 10

static const char *search_url(arena_t *a, const char *q, int64_t page) {
  buf_t b = {0};
  buf_puts(&b, "/search?q=");
  buf_url_encode(&b, q, strlen(q));
  if (page > 1)
    buf_printf(&b, "&page=%lld", (long long)page);
  const char *r = arena_strdup(a, b.data ? b.data : "/search");
  buf_free(&b);
  return r;
}

/* The results of /search?q= as JSON values: the page and the JSON form
 * (/search.json) share it. Returns the HTTP status. */
static int search_json(store *st, arena_t *a, const site_conf *c,
                       web_request *req, json_t *o) {
  const char *q = web_query(req, "q");
  const char *pg = web_query(req, "page");
  int64_t page = 1;
  if (!pg || nb_parse_i64(pg, strlen(pg), 1, 1000, &page) != NB_OK)
    page = 1;
  search_query sq = {0};
  search_parse(q ? q : "", q ? strlen(q) : 0, store_search_known, st, a, &sq);
  set_str(o, "query", sq.cleaned ? sq.cleaned : "");
  json_object_set_new(o, "page", json_integer(page));
  json_object_set_new(o, "empty", json_boolean(!q || !*q));
  json_object_set_new(o, "too_short", json_boolean(q && *q && !sq.match));
  int64_t section_id = 0;
  if (sq.section) {
    store_section sec;
    if (store_section_by_slug(st, a, sq.section, &sec) == NB_OK)
      section_id = sec.id;
    else {
      /* Also by name: section:رياضة */
      store_section *secs;
      size_t ns = 0;
      if (store_sections(st, a, &secs, &ns) == NB_OK)
        for (size_t i = 0; i < ns; i++)
          if (strcmp(secs[i].name, sq.section) == 0)
            section_id = secs[i].id;
    }
    if (section_id == 0)
      section_id = -1; /* an unknown section finds nothing */
  }
  store_hit *hits = NULL;
  size_t n = 0;
  int64_t total = 0;
  if (sq.match && section_id >= 0 &&
      store_search(st, a, &sq, section_id, (page - 1) * SEARCH_PER_PAGE,
                   SEARCH_PER_PAGE, &hits, &n, &total) != NB_OK)
    n = 0, total = 0;
  json_t *results = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *r = card_json(a, c, &hits[i].article, 0);
    set_str(r, "title_html", hits[i].title_html);
    set_str(r, "snippet_html", hits[i].snippet_html);
    json_array_append_new(results, r);
  }
  json_object_set_new(o, "total", json_integer(total));
  json_object_set_new(o, "has_results", json_boolean(n > 0));
  json_object_set_new(o, "results", results);
  int64_t pages = (total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE;
  if (pages > 1) {
    json_t *p = json_object();
    json_object_set_new(p, "page", json_integer(page));
    json_object_set_new(p, "pages", json_integer(pages));
    set_str(p, "prev", page > 1 ? search_url(a, q, page - 1) : "");
    set_str(p, "next", page < pages ? search_url(a, q, page + 1) : "");
    json_object_set_new(o, "pagination", p);
  }
  /* No results: suggest the same query without its last word, then each
   * word alone. */
  json_t *sugg = json_array();
  if (n == 0 && sq.nwords > 1) {
    buf_t b = {0};
    for (size_t i = 0; i + 1 < sq.nwords; i++)
      buf_printf(&b, "%s%s", i ? " " : "", sq.words[i]);
    const char *shorter = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    json_array_append_new(sugg, json_pack("{s:s,s:s}", "query", shorter, "url",
                                          search_url(a, shorter, 1)));
    for (size_t i = 0; i < sq.nwords && i < 3; i++)
      json_array_append_new(sugg,
                            json_pack("{s:s,s:s}", "query", sq.words[i], "url",
                                      search_url(a, sq.words[i], 1)));
  }
  json_object_set_new(o, "has_suggestions",
                      json_boolean(json_array_size(sugg) > 0));
  json_object_set_new(o, "suggestions", sugg);
  return page > 1 && page > pages && total > 0 ? 404 : 200;
}

static void search_page(site *s, store *st, arena_t *a, const site_conf *c,
                        web_request *req, int as_json, web_response *res) {
  json_t *o = json_object();
  int status = search_json(st, a, c, req, o);
  if (as_json) {
    char *txt = json_dumps(o, JSON_COMPACT);
    buf_puts(&res->body, txt ? txt : "{}");
    json_release(txt);
    view_decref(o);
    res->content_type = "application/json; charset=utf-8";
    res->status = status;
    return;
  }
  const char *q = json_string_value(json_object_get(o, "query"));
  json_t *d = page_json(s, st, a, c, "search",
                        q && *q ? arena_printf(a, "بحث: %s - %s", q, c->name)
                                : arena_printf(a, "بحث - %s", c->name),
                        NULL, 0);
  json_object_set_new(d, "search", o);
  render(s, "search", d, res);
  view_decref(d);
  res->status = status;
  res->tags = NULL; /* the query string varies: never cached by path */
}

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

static void handle(site *s, web_request *req, web_response *res);

void site_handle(void *ctx, web_request *req, web_response *res) {
  json_arena = req->arena;
  handle(ctx, req, res);
  json_arena = NULL;
}

static void handle(site *s, web_request *req, web_response *res) {
  arena_t *a = req->arena;
  if (strcmp(req->path, "/healthz") == 0) {
    res->content_type = "text/plain; charset=utf-8";
    buf_puts(&res->body, conn(s) ? "ok\n" : "database unavailable\n");
    res->status = conn(s) ? 200 : 503;
    return;
  }
  store *st = conn(s);
  if (!st) {
    res->status = 503;
    buf_puts(&res->body, "<!doctype html><html lang=\"ar\" dir=\"rtl\"><meta "
                         "charset=\"utf-8\"><title>503</title><h1>الموقع غير "
                         "متاح مؤقتا</h1></html>\n");
    return;
  }
  site_conf c;
  site_conf_load(st, a, &c);
  const char *seg[4];
  int trailing = 0;
  int n = strcmp(req->path, "/") == 0 ? 0 : split(a, req->path, seg, &trailing);
  int post = strcmp(req->method, "POST") == 0;
  int64_t reply = 0;
  if (n == 4 && strcmp(seg[2], "reply") == 0 && !trailing &&
      nb_parse_i64(seg[3], strlen(seg[3]), 1, INT64_MAX, &reply) != NB_OK)
    reply = 0;
  if (!post && n == 0 && old_link(st, a, req, 0, res)) {
    /* answered: a 301 from a WordPress link to the imported article */
  } else if (!post &&
             (site_sitemap(st, a, &c, req->path, res) ||
              (n > 0 && site_feed(st, a, &c, seg, n, trailing, res)) ||
              author_or_tag_page(s, st, a, &c, seg, n, trailing, res) ||
              static_page(s, st, a, &c, seg, n, res))) {
    /* answered: sitemaps, robots.txt, feeds, author, tag, static pages */
  } else if (post) {
    /* Comments are posted to the article's own URL. */
    if (n == 2 && leading_id(seg[1]))
      comment_post(s, st, a, &c, req, leading_id(seg[1]), res);
    else
      not_found(s, st, a, &c, res);
  } else if (n == 0) {
    home(s, st, a, &c, res);
  } else if (n == 1 && !trailing &&
             (strcmp(seg[0], "search") == 0 ||
              strcmp(seg[0], "search.json") == 0)) {
    search_page(s, st, a, &c, req, seg[0][6] == '.', res);
  } else if (n == 1 && leading_id(seg[0]) && !trailing) {
    /* Short link "/42": redirect to the article's canonical URL. */
    article_page(s, st, a, &c, req, "", leading_id(seg[0]), 0, NULL, res);
  } else if (n == 4 && reply && leading_id(seg[1])) {
    article_page(s, st, a, &c, req, req->path, leading_id(seg[1]), reply, NULL,
                 res);
  } else if (n >= 1 && n <= 3) {
    store_section sec;
    int found = store_section_by_slug(st, a, seg[0], &sec) == NB_OK;
    int64_t page = 0;
    if (n == 3 && strcmp(seg[1], "page") == 0 &&
        nb_parse_i64(seg[2], strlen(seg[2]), 1, 1000000, &page) != NB_OK)
      page = -1;
    if (n == 2 && leading_id(seg[1])) {
      int64_t id = leading_id(seg[1]);
      article_page(s, st, a, &c, req, trailing ? "" : req->path, id, 0, NULL,
                   res);
    } else if (!found || page < 0 || (n == 2) || (n == 3 && page == 0)) {
      not_found(s, st, a, &c, res);
    } else if (n == 1 && !trailing) {
      redirect(res, a, site_section_path(a, sec.slug));
    } else if (page == 1) {
      redirect(res, a, site_section_path(a, sec.slug));
    } else {
      section_page(s, st, a, &c, &sec, page ? page : 1, res);
    }
  } else {
    not_found(s, st, a, &c, res);
  }
  if (!post && n != 0 && res->status == 404) {
    web_response moved = {0};
    if (old_link(st, a, req, n, &moved)) {
      buf_free(&res->body);
      *res = moved;
    }
  }
  view_decref(c.follow);
}

/* ---- lifecycle ---- */

static void theme_free(theme *t) {
  while (t) {
    theme *older = t->older;
    tpl_set_free(t->tpl);
    web_assets_free(t->assets);
    free(t);
    t = older;
  }
}

/* Compiles dir's templates and loads dir/static; checks the pages naba
 * renders are all there. */
static int theme_load(const char *dir, theme **out, char *err, size_t errlen) {
  theme *t = calloc(1, sizeof *t);
  if (!t)
    return NB_ENOMEM;
  int rc = NB_ENOMEM;
  t->tpl = tpl_set_new();
  if (!t->tpl)
    goto fail;
  rc = tpl_set_load_dir(t->tpl, dir, err, errlen);
  if (rc != NB_OK)
    goto fail;
  static const char *required[] = {"base",    "home",      "section",
                                   "article", "not_found", "page"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (!tpl_has(t->tpl, required[i])) {
      snprintf(err, errlen, "theme %s has no %s.mustache", dir, required[i]);
      rc = NB_EINVAL;
      goto fail;
    }
  char path[4096];
  snprintf(path, sizeof path, "%s/static", dir);
  rc = web_assets_load(path, &t->assets, err, errlen);
  if (rc != NB_OK)
    goto fail;
  *out = t;
  return NB_OK;
fail:
  theme_free(t);
  return rc;
}

/* The site's secret key (forms, cookies, avatars), made on first start and
 * kept in the database so that every process and node shares it. */
static int site_secret(store *st, unsigned char key[WEB_KEY_BYTES]) {
  arena_t a = {0};
  const char *hex = NULL;
  size_t n = 0;
  int rc = store_setting_get(st, &a, "secret", &hex);
  if (rc == NB_OK && hex &&
      sodium_hex2bin(key, WEB_KEY_BYTES, hex, strlen(hex), NULL, &n, NULL) ==
          0 &&
      n == WEB_KEY_BYTES) {
    arena_free(&a);
    return NB_OK;
  }
  arena_free(&a);
  char fresh[2 * WEB_KEY_BYTES + 1];
  randombytes_buf(key, WEB_KEY_BYTES);
  sodium_bin2hex(fresh, sizeof fresh, key, WEB_KEY_BYTES);
  rc = store_setting_set(st, "secret", fresh);
  sodium_memzero(fresh, sizeof fresh);
  return rc;
}

int site_open(const site_config *cfg, site **out, char *err, size_t errlen) {
  json_set_alloc_funcs(json_alloc, json_release);
  site *s = calloc(1, sizeof *s);
  if (!s)
    return NB_ENOMEM;
  int rc = NB_ENOMEM;
  s->db_path = strdup(cfg->db_path);
  s->theme_dir = strdup(cfg->theme_dir);
  if (!s->db_path || !s->theme_dir ||
      pthread_key_create(&s->conn_key, close_conn) != 0) {
    free(s->db_path);
    s->db_path = NULL; /* no key to delete */
    goto fail;
  }
  store *st;
  /* Migrate once here; server threads then open read connections. */
  rc = store_open(cfg->db_path, 0, &st, err, errlen);
  if (rc != NB_OK)
    goto fail;
  rc = site_secret(st, s->key);
  store_close(st);
  if (rc != NB_OK) {
    snprintf(err, errlen, "cannot read or make the site secret");
    goto fail;
  }
  theme *t;
  rc = theme_load(cfg->theme_dir, &t, err, errlen);
  if (rc != NB_OK)
    goto fail;
  atomic_store(&s->theme, t);
  *out = s;
  return NB_OK;
fail:
  site_close(s);
  return rc;
}

int site_reload(site *s, web_server *w, char *err, size_t errlen) {
  theme *t;
  int rc = theme_load(s->theme_dir, &t, err, errlen);
  if (rc != NB_OK)
    return rc; /* the running theme stays */
  t->older = atomic_load(&s->theme);
  atomic_store(&s->theme, t);
  if (w) {
    web_server_set_assets(w, t->assets);
    web_cache_invalidate(w, "*");
  }
  return NB_OK;
}

/* The watcher's search index upkeep: whether to merge, then a step per
 * tick on a connection of its own that can write. */
typedef struct {
  int64_t checked, last_write, steps;
  store *w; /* open while merging */
} tidy;

static void tidy_tick(site *s, store *st, tidy *t, int64_t now) {
  int untidy = 0, more = 0;
  char err[256];

  if (!t->w) {
    if (now - t->checked < TIDY_CHECK_S || now - t->last_write < TIDY_QUIET_S)
      return;
    t->checked = now;
    if (store_search_untidy(st, &untidy) != NB_OK || !untidy)
      return;
    if (store_open(s->db_path, 0, &t->w, err, sizeof err) != NB_OK) {
      nb_log("error", "cannot open the database to merge the index: %s", err);
      return;
    }
    t->steps = 0;
  }
  int rc = store_search_merge(t->w, TIDY_STEP_PAGES, &more);
  t->steps++;
  if (rc != NB_OK)
    nb_log("error", "search index merge: %s", store_errmsg(t->w));
  if (rc != NB_OK || !more) {
    if (rc == NB_OK)
      nb_log("info", "search index merged into one segment in %lld steps",
             (long long)t->steps);
    store_close(t->w);
    t->w = NULL;
  }
}

static void *watch_loop(void *arg) {
  site *s = arg;
  store *st = NULL;
  char err[256];
  int64_t version = -1, last = 0;
  tidy t = {0};
  if (store_open(s->db_path, 1, &st, err, sizeof err) != NB_OK) {
    nb_log("error", "cache watcher cannot open the database: %s", err);
    return NULL;
  }
  store_changes_head(st, &last);
  int64_t due_checked = nb_now();
  while (!s->stop) {
    usleep(WATCH_INTERVAL_MS * 1000);
    int64_t now = nb_now();
    tidy_tick(s, st, &t, now);
    if (now != due_checked) {
      /* Scheduled articles appear without a write: drop what lists them. */
      arena_t a = {0};
      const char **tags;
      size_t n = 0;
      if (store_due_tags(st, &a, due_checked, now, &tags, &n) == NB_OK) {
        for (size_t i = 0; i < n; i++)
          web_cache_invalidate(s->web, tags[i]);
        due_checked = now;
      }
      arena_free(&a);
    }
    int64_t v;
    if (store_data_version(st, &v) != NB_OK || v == version)
      continue;
    version = v;
    for (;;) {
      arena_t a = {0};
      const char **tags;
      size_t n = 0;
      int64_t upto = last;
      if (store_changes_since(st, &a, last, 512, &tags, &n, &upto) != NB_OK) {
        arena_free(&a);
        break;
      }
      for (size_t i = 0; i < n; i++)
        web_cache_invalidate(s->web, tags[i]);
      if (n > 0)
        t.last_write = now;
      last = upto;
      arena_free(&a);
      if (n < 512)
        break;
    }
  }
  store_close(t.w);
  store_close(st);
  return NULL;
}

int site_watch(site *s, web_server *w) {
  s->web = w;
  if (pthread_create(&s->watcher, NULL, watch_loop, s) != 0)
    return NB_ENOMEM;
  s->watching = 1;
  return NB_OK;
}

void site_unwatch(site *s) {
  if (s && s->watching) {
    s->stop = 1;
    pthread_join(s->watcher, NULL);
    s->watching = 0;
  }
}

void site_close(site *s) {
  if (!s)
    return;
  site_unwatch(s);
  if (s->db_path)
    pthread_key_delete(s->conn_key);
  sodium_memzero(s->key, sizeof s->key);
  theme_free(atomic_load(&s->theme));
  free(s->db_path);
  free(s->theme_dir);
  free(s);
}

const web_assets *site_assets(site *s) {
  return atomic_load(&s->theme)->assets;
}
