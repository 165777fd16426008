/* view.c: view-model memory and the helpers every page of the site uses:
 * paths, dates, cards, the data every page gets, and rendering. */
#include "site/internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arabic/arabic.h"

int site_check(site_req *r, int rc, const char *op) {
  if (rc != NB_OK && rc != NB_ENOTFOUND && !r->failed)
    r->failed = op;
  return rc;
}

void site_redirect(web_response *res, const char *path) {
  res->status = 301;
  res->location = path;
  buf_puts(&res->body, "");
}

/* ---- view-model memory ----
 * A page's view model is hundreds of small jansson values. While a page is
 * rendered, jansson allocates from the request's arena and frees nothing;
 * the arena goes at the end of the request. That removes a malloc and a
 * free per value (about a third of an uncached render's work). */
static _Thread_local arena_t *json_arena;

void view_begin(arena_t *a) {
  json_arena = a;
}

void view_end(void) {
  json_arena = NULL;
}

void *view_alloc(size_t n) {
  return json_arena ? arena_alloc(json_arena, n) : malloc(n);
}

void view_release(void *p) {
  if (!json_arena)
    free(p);
}

/* Values made in arena mode must not outlive it: drop references only
 * outside it (inside, the arena takes everything at once). */
void view_decref(json_t *j) {
  if (!json_arena)
    json_decref(j);
}

/* ---- helpers for view models ---- */

/* Every string here is known to be UTF-8: the store refuses anything else
 * on write, and ICU and our own code produce it. Skipping jansson's check
 * saves a pass over each article body on every uncached render. */
void view_str(json_t *o, const char *k, const char *v) {
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

const char *view_encode(arena_t *a, const char *s) {
  buf_t b = {0};
  buf_url_encode(&b, s, strlen(s));
  char *r = arena_strndup(a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return r;
}

json_t *view_date(const site_conf *c, int64_t t, int with_time) {
  json_t *d = json_object();
  buf_t b = {0};
  if (ar_date_format(c->locale, c->tz, "d MMMM y", t, &b) == NB_OK)
    view_str(d, "display", b.data);
  if (with_time) {
    buf_reset(&b);
    if (ar_date_format(c->locale, c->tz, "HH:mm", t, &b) == NB_OK)
      view_str(d, "time", b.data);
  }
  /* Lists take UTC ("…Z", as valid as any offset and much cheaper); the
   * article itself shows the site's offset. */
  buf_reset(&b);
  if (!with_time) {
    char iso[32];
    nb_time_iso(t, iso);
    view_str(d, "iso", iso);
  } else if (ar_date_iso(c->tz, t, &b) == NB_OK) {
    view_str(d, "iso", b.data);
  }
  buf_free(&b);
  return d;
}

json_t *view_page_link(arena_t *a, const store_page *p) {
  json_t *o = json_object();
  view_str(o, "title", p->title);
  view_str(o, "url", site_page_path(a, p->slug));
  return o;
}

/* accent: one of the theme's eight section colours, stable per section. */
json_t *view_section(arena_t *a, int64_t id, const char *name,
                     const char *slug) {
  json_t *o = json_object();
  view_str(o, "name", name);
  view_str(o, "url", site_section_path(a, slug));
  json_object_set_new(o, "accent", json_integer(id % 8));
  return o;
}

json_t *view_card(arena_t *a, const site_conf *c, const store_article *x,
                  int64_t comments) {
  json_t *o = json_object();
  json_object_set_new(o, "comments", json_integer(comments));
  json_object_set_new(o, "has_comments", json_boolean(comments > 0));
  json_object_set_new(o, "id", json_integer(x->id));
  view_str(o, "title", x->title);
  view_str(o, "url", site_article_path(a, x));
  view_str(o, "summary", x->summary);
  view_str(o, "image", nb_url_or_empty(x->image_url));
  view_str(o, "author", x->author_name);
  json_object_set_new(
      o, "section",
      view_section(a, x->section_id, x->section_name, x->section_slug));
  json_object_set_new(o, "date", view_date(c, x->published_at, 0));
  return o;
}

int view_cards(site_req *r, const store_article *xs, size_t n, int64_t skip,
               buf_t *tags, json_t **out) {
  int64_t *ids = arena_alloc(r->a, (n ? n : 1) * sizeof *ids);
  int64_t *counts = arena_alloc(r->a, (n ? n : 1) * sizeof *counts);
  int rc = ids && counts ? NB_OK : site_check(r, NB_ENOMEM, "view_cards");
  for (size_t i = 0; rc == NB_OK && i < n; i++) {
    ids[i] = xs[i].id;
    counts[i] = 0;
  }
  if (rc == NB_OK && n)
    rc = SITE_CALL(r, store_comment_counts, r->st, ids, n, counts);
  if (rc != NB_OK)
    return rc;
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++) {
    if (xs[i].id == skip)
      continue;
    json_array_append_new(arr, view_card(r->a, r->c, &xs[i], counts[i]));
    buf_printf(tags, " comments:%lld", (long long)xs[i].id);
  }
  *out = arr;
  return NB_OK;
}

const char *view_tags(arena_t *a, const char *fixed, buf_t *tags) {
  const char *r = arena_printf(a, "%s%s", fixed, tags->data ? tags->data : "");
  buf_free(tags);
  return r;
}

void view_feed_links(arena_t *a, const site_conf *c, json_t *feeds,
                     const char *base, const char *of) {
  static const char *const kinds[][3] = {
      {"application/rss+xml", "", "RSS"},
      {"application/atom+xml", "/atom", "Atom"},
      {"application/feed+json", "/json", "JSON Feed"}};
  for (size_t k = 0; k < 3; k++) {
    json_t *f = json_object();
    view_str(f, "type", kinds[k][0]);
    view_str(f, "title",
             of ? arena_printf(a, "%s — %s (%s)", c->name, of, kinds[k][2])
                : arena_printf(a, "%s (%s)", c->name, kinds[k][2]));
    view_str(f, "url", arena_printf(a, "%sfeed%s", base, kinds[k][1]));
    json_array_append_new(feeds, f);
  }
}

/* site.assets: the stylesheet, the icon and the fonts to preload. */
static json_t *assets_json(site *s) {
  const web_assets *files = site_assets(s);
  json_t *assets = json_object();
  view_str(assets, "css", web_asset_url(files, "style.css"));
  view_str(assets, "favicon", web_asset_url(files, "favicon.svg"));
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
  return assets;
}

/* The site object from the settings alone: what even the error page,
 * made without the store, can show. */
static json_t *site_json(site *s, arena_t *a, const site_conf *c) {
  json_t *sj = json_object();
  view_str(sj, "name", c->name);
  view_str(sj, "description", c->description);
  view_str(sj, "url", c->url);
  view_str(sj, "logo", nb_url_or_empty(c->logo));
  view_str(sj, "locale", c->locale);
  /* Open Graph writes ll_CC: ar-MA is ar_MA. */
  char *og = arena_strdup(a, c->locale);
  for (char *p = og; p && *p; p++)
    if (*p == '-')
      *p = '_';
  view_str(sj, "og_locale", og);
  view_str(sj, "lang", "ar");
  view_str(sj, "dir", "rtl");
  view_str(sj, "breaking", c->breaking);
  json_object_set_new(sj, "has_search", json_true());
  json_object_set(sj, "follow", c->follow);
  json_object_set_new(sj, "has_follow", json_boolean(c->has_follow));
  json_object_set_new(
      sj, "has_channels",
      json_boolean(
          json_string_length(json_object_get(c->follow, "whatsapp")) > 0 ||
          json_string_length(json_object_get(c->follow, "google_news")) > 0));
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  json_object_set_new(sj, "year", json_integer(tm.tm_year + 1900));
  json_object_set_new(sj, "assets", assets_json(s));
  json_object_set_new(sj, "sections", json_array());
  json_object_set_new(sj, "pages", json_array());
  json_object_set_new(sj, "has_pages", json_false());
  return sj;
}

/* The page object: type, title, description, canonical URL and feeds. */
static json_t *page_obj(arena_t *a, const site_conf *c, const char *type,
                        const char *title, const char *canonical_path) {
  json_t *page = json_object();
  view_str(page, "type", type);
  view_str(page, "title", title);
  view_str(page, "description", c->description);
  if (canonical_path)
    view_str(page, "canonical",
             arena_printf(a, "%s%s", c->url, canonical_path));
  json_object_set_new(page, "feeds", json_array());
  return page;
}

json_t *view_bare_page(site *s, arena_t *a, const site_conf *c,
                       const char *type, const char *title) {
  json_t *root = json_object();
  json_object_set_new(root, "site", site_json(s, a, c));
  json_object_set_new(root, "page", page_obj(a, c, type, title, NULL));
  return root;
}

int view_page(site_req *r, const char *type, const char *title,
              const char *canonical_path, int64_t current_section,
              json_t **out) {
  const site_menus *menus;
  int rc = site_menus_get(r, &menus);
  if (rc != NB_OK)
    return rc;
  const store_section *secs = menus->secs;
  const store_page *pgs = menus->pgs;
  size_t n = menus->nsecs, np = menus->npgs;
  json_t *sj = site_json(r->s, r->a, r->c);
  /* The menu lists the top-level sections (an import can bring dozens of
   * nested categories); subsections are listed on their parent's page. */
  json_t *menu = json_object_get(sj, "sections");
  for (size_t i = 0; i < n; i++) {
    if (secs[i].parent_id)
      continue;
    json_t *m = view_section(r->a, secs[i].id, secs[i].name, secs[i].slug);
    json_object_set_new(m, "current",
                        json_boolean(secs[i].id == current_section));
    json_array_append_new(menu, m);
  }
  json_t *pages = json_object_get(sj, "pages");
  for (size_t i = 0; i < np; i++) {
    json_t *m = view_page_link(r->a, &pgs[i]);
    json_object_set_new(m, "current", json_false());
    json_array_append_new(pages, m);
  }
  json_object_set_new(sj, "has_pages", json_boolean(np > 0));
  json_t *page = page_obj(r->a, r->c, type, title, canonical_path);
  /* <link rel="alternate"> to the site's feeds, and the section's. */
  json_t *feeds = json_object_get(page, "feeds");
  view_feed_links(r->a, r->c, feeds, "/", NULL);
  for (size_t i = 0; current_section && i < n; i++)
    if (secs[i].id == current_section)
      view_feed_links(r->a, r->c, feeds, site_section_path(r->a, secs[i].slug),
                      secs[i].name);
  json_t *root = json_object();
  json_object_set_new(root, "site", sj);
  json_object_set_new(root, "page", page);
  *out = root;
  return NB_OK;
}

void view_render(site_req *r, const char *tpl, json_t *d) {
  web_response *res = r->res;
  const tpl_set *set = atomic_load(&r->s->theme)->tpl;
  if (tpl_render(set, tpl, d, &res->body) != NB_OK || res->body.oom) {
    buf_reset(&res->body);
    res->status = 500;
    res->tags = NULL;
    const char *h = _("Server error");
    buf_printf(&res->body,
               "<!doctype html><html lang=\"%s\" dir=\"%s\"><meta "
               "charset=\"utf-8\"><title>500</title><h1>",
               nb_lang(), nb_lang_dir());
    buf_html_escape(&res->body, h, strlen(h));
    buf_puts(&res->body, "</h1></html>\n");
  }
  res->content_type = SITE_HTML;
  view_decref(d);
}
