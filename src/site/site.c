/* site.c: routes, view models and the cache watcher of the public site. */
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

#define HTML "text/html; charset=utf-8"
#define HOME_LATEST 10
#define HOME_BLOCK 4
#define RELATED 4
#define WATCH_INTERVAL_MS 100

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
  _Atomic(theme *) theme;
  pthread_key_t conn_key; /* one store connection per server thread */
  pthread_t watcher;
  int watching;
  volatile int stop;
  web_server *web;
};

/* The settings a render needs, read once per rendered page. */
typedef struct {
  const char *name, *description, *url, *logo, *locale, *tz, *breaking;
  int64_t per_page;
  json_t *follow;
  int has_follow;
} site_conf;

/* ---- store connection per thread ---- */

static void close_conn(void *p) {
  store_close(p);
}

static store *conn(site *s) {
  store *st = pthread_getspecific(s->conn_key);
  if (st)
    return st;
  char err[256];
  if (store_open(s->db_path, 1, &st, err, sizeof err) != NB_OK) {
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

static const char *article_path(arena_t *a, const store_article *x) {
  return url_path(a, x->section_slug, x->id, x->slug);
}

static const char *section_path(arena_t *a, const char *slug) {
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

/* accent: one of the theme's eight section colours, stable per section. */
static json_t *section_json(arena_t *a, int64_t id, const char *name,
                            const char *slug) {
  json_t *o = json_object();
  set_str(o, "name", name);
  set_str(o, "url", section_path(a, slug));
  json_object_set_new(o, "accent", json_integer(id % 8));
  return o;
}

static json_t *card_json(arena_t *a, const site_conf *c,
                         const store_article *x) {
  json_t *o = json_object();
  json_object_set_new(o, "id", json_integer(x->id));
  set_str(o, "title", x->title);
  set_str(o, "url", article_path(a, x));
  set_str(o, "summary", x->summary);
  set_str(o, "image", x->image_url);
  set_str(o, "author", x->author_name);
  json_object_set_new(
      o, "section",
      section_json(a, x->section_id, x->section_name, x->section_slug));
  json_object_set_new(o, "date", date_json(c, x->published_at, 0));
  return o;
}

static json_t *cards_json(arena_t *a, const site_conf *c,
                          const store_article *xs, size_t n, int64_t skip) {
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    if (xs[i].id != skip)
      json_array_append_new(arr, card_json(a, c, &xs[i]));
  return arr;
}

/* The stored value of key among kv, else its default. */
static const char *conf_get(const store_kv *kv, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(kv[i].key, key) == 0)
      return kv[i].value;
  return site_setting_find(key)->fallback;
}

static void load_conf(store *st, arena_t *a, site_conf *c) {
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
  const char *pp = conf_get(kv, n, "per_page");
  if (nb_parse_i64(pp, strlen(pp), 1, 100, &c->per_page) != NB_OK)
    c->per_page = 12;
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
  set_str(site, "lang", "ar");
  set_str(site, "dir", "rtl");
  set_str(site, "breaking", c->breaking);
  /* The search form shows once /search exists (the search issue). */
  json_object_set_new(site, "has_search", json_false());
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
  if (store_sections(st, a, &secs, &n) == NB_OK)
    for (size_t i = 0; i < n; i++) {
      json_t *m = section_json(a, secs[i].id, secs[i].name, secs[i].slug);
      json_object_set_new(m, "current",
                          json_boolean(secs[i].id == current_section));
      json_array_append_new(menu, m);
    }
  json_object_set_new(site, "sections", menu);
  json_object_set_new(root, "site", site);

  json_t *page = json_object();
  set_str(page, "type", type);
  set_str(page, "title", title);
  set_str(page, "description", c->description);
  if (canonical_path)
    set_str(page, "canonical", arena_printf(a, "%s%s", c->url, canonical_path));
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
  json_decref(d);
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
  store_article *latest;
  size_t n = 0;
  int64_t top_id = 0;
  if (store_articles_latest(st, a, 0, 0, HOME_LATEST + 1, &latest, &n) ==
          NB_OK &&
      n > 0) {
    top_id = latest[0].id;
    json_object_set_new(d, "top", card_json(a, c, &latest[0]));
    json_object_set_new(d, "latest", cards_json(a, c, latest + 1, n - 1, 0));
    json_object_set_new(d, "has_latest", json_boolean(n > 1));
  }
  json_t *blocks = json_array();
  store_section *secs;
  size_t ns = 0;
  if (store_sections(st, a, &secs, &ns) == NB_OK)
    for (size_t i = 0; i < ns; i++) {
      store_article *xs;
      size_t nx = 0;
      if (store_articles_latest(st, a, secs[i].id, 0, HOME_BLOCK, &xs, &nx) !=
          NB_OK)
        continue;
      /* The top story already heads the page. */
      json_t *cards = cards_json(a, c, xs, nx, top_id);
      if (json_array_size(cards) == 0) {
        json_decref(cards);
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
  json_decref(d);
  res->tags = "home site sections";
}

static void section_page(site *s, store *st, arena_t *a, const site_conf *c,
                         const store_section *sec, int64_t page,
                         web_response *res) {
  int64_t total = 0;
  store_articles_count(st, sec->id, &total);
  int64_t pages = total ? (total + c->per_page - 1) / c->per_page : 1;
  if (page > pages) {
    not_found(s, st, a, c, res);
    return;
  }
  const char *base = section_path(a, sec->slug);
  const char *canon =
      page == 1 ? base : arena_printf(a, "%spage/%lld", base, (long long)page);
  const char *title = page == 1
                          ? arena_printf(a, "%s - %s", sec->name, c->name)
                          : arena_printf(a, "%s - الصفحة %lld - %s", sec->name,
                                         (long long)page, c->name);
  json_t *d = page_json(s, st, a, c, "section", title, canon, sec->id);
  json_object_set_new(d, "section",
                      section_json(a, sec->id, sec->name, sec->slug));
  store_article *xs;
  size_t n = 0;
  if (store_articles_latest(st, a, sec->id, (page - 1) * c->per_page,
                            c->per_page, &xs, &n) == NB_OK)
    json_object_set_new(d, "articles", cards_json(a, c, xs, n, 0));
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
  json_decref(d);
  res->tags = arena_printf(a, "section:%lld site sections", (long long)sec->id);
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
  free(txt);
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
      arena_printf(a, "%s%s", c->url, section_path(a, x->section_slug)),
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
  json_decref(root);
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

static void article_page(site *s, store *st, arena_t *a, const site_conf *c,
                         const char *path, int64_t id, web_response *res) {
  store_article x;
  if (store_article_by_id(st, a, id, &x) != NB_OK) {
    not_found(s, st, a, c, res);
    return;
  }
  const char *canon_path = article_path(a, &x);
  /* Compare decoded forms: web hands over the percent-decoded path. */
  const char *want =
      arena_printf(a, "/%s/%lld-%s", x.section_slug, (long long)x.id, x.slug);
  if (strcmp(path, want) != 0) {
    redirect(res, a, canon_path);
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
  store_article *rel;
  size_t n = 0;
  if (store_articles_latest(st, a, x.section_id, 0, RELATED + 1, &rel, &n) ==
      NB_OK) {
    json_t *related = cards_json(a, c, rel, n, x.id);
    json_object_set_new(d, "has_related",
                        json_boolean(json_array_size(related)));
    json_object_set_new(d, "related", related);
  }
  render(s, "article", d, res);
  json_decref(d);
  res->tags = arena_printf(a, "article:%lld section:%lld site sections",
                           (long long)x.id, (long long)x.section_id);
  res->last_modified = x.updated_at;
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

void site_handle(void *ctx, web_request *req, web_response *res) {
  site *s = ctx;
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
  load_conf(st, a, &c);
  const char *seg[4];
  int trailing;
  int n = strcmp(req->path, "/") == 0 ? 0 : split(a, req->path, seg, &trailing);
  if (n == 0) {
    home(s, st, a, &c, res);
  } else if (n == 1 && leading_id(seg[0]) && !trailing) {
    /* Short link "/42": redirect to the article's canonical URL. */
    article_page(s, st, a, &c, "", leading_id(seg[0]), res);
  } else if (n >= 1 && n <= 3) {
    store_section sec;
    int found = store_section_by_slug(st, a, seg[0], &sec) == NB_OK;
    int64_t page = 0;
    if (n == 3 && strcmp(seg[1], "page") == 0 &&
        nb_parse_i64(seg[2], strlen(seg[2]), 1, 1000000, &page) != NB_OK)
      page = -1;
    if (n == 2 && leading_id(seg[1])) {
      int64_t id = leading_id(seg[1]);
      article_page(s, st, a, &c, trailing ? "" : req->path, id, res);
    } else if (!found || page < 0 || (n == 2) || (n == 3 && page == 0)) {
      not_found(s, st, a, &c, res);
    } else if (n == 1 && !trailing) {
      redirect(res, a, section_path(a, sec.slug));
    } else if (page == 1) {
      redirect(res, a, section_path(a, sec.slug));
    } else {
      section_page(s, st, a, &c, &sec, page ? page : 1, res);
    }
  } else {
    not_found(s, st, a, &c, res);
  }
  json_decref(c.follow);
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
  static const char *required[] = {"base", "home", "section", "article",
                                   "not_found"};
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

int site_open(const site_config *cfg, site **out, char *err, size_t errlen) {
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
  store_close(st);
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

static void *watch_loop(void *arg) {
  site *s = arg;
  store *st = NULL;
  char err[256];
  int64_t version = -1, last = 0;
  if (store_open(s->db_path, 1, &st, err, sizeof err) != NB_OK) {
    nb_log("error", "cache watcher cannot open the database: %s", err);
    return NULL;
  }
  store_changes_head(st, &last);
  int64_t due_checked = nb_now();
  while (!s->stop) {
    usleep(WATCH_INTERVAL_MS * 1000);
    int64_t now = nb_now();
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
      last = upto;
      arena_free(&a);
      if (n < 512)
        break;
    }
  }
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
  theme_free(atomic_load(&s->theme));
  free(s->db_path);
  free(s->theme_dir);
  free(s);
}

const web_assets *site_assets(site *s) {
  return atomic_load(&s->theme)->assets;
}
