/* feeds.c: RSS 2.0, Atom (RFC 4287) and JSON Feed 1.1 for the site, its
 * sections, tags and authors.
 *
 *   /feed /feed/atom /feed/json                  the whole site
 *   /{section}/feed[/atom|/json]                 a section
 *   /tag/{slug}/feed[/atom|/json]                a tag
 *   /author/{slug}/feed[/atom|/json]             an author
 *
 * A trailing slash is accepted, as WordPress writes its feed links. Feeds
 * are cached like pages under the "feeds" tag, which every article save
 * records, and "site" (settings). Text goes through buf_xml_escape() (which
 * also drops what XML 1.0 forbids) or jansson; Arabic stays UTF-8. */
#include "site/internal.h"

#include <string.h>
#include <strings.h>

#include "search/search.h"

#define EXCERPT_MAX                                                            \
  300 /* bytes of body text when an article has no summary                     \
       */

enum { F_RSS, F_ATOM, F_JSON };

/* What one feed is about. */
typedef struct {
  int format;
  int kind; /* STORE_LIST_* */
  int64_t id;
  const char *title;   /* feed title */
  const char *self;    /* absolute URL of this feed */
  const char *home;    /* absolute URL of the HTML page it follows */
  const char *subject; /* section, tag or author name; NULL for the site */
} feed;

/* ---- text ---- */

static void xml(buf_t *b, const char *s) {
  buf_xml_escape(b, s ? s : "", s ? strlen(s) : 0);
}

/* <name>text</name> */
static void element(buf_t *b, const char *name, const char *text) {
  buf_printf(b, "<%s>", name);
  xml(b, text);
  buf_printf(b, "</%s>", name);
}

/* RFC 822 (RSS): "Sun, 29 Nov 2026 10:00:00 GMT". */
static void rfc822(buf_t *b, int64_t t) {
  char date[32];
  nb_time_http(t, date);
  buf_puts(b, date);
}

static const char *rfc3339(arena_t *a, int64_t t) {
  char iso[32];
  nb_time_iso(t, iso);
  return arena_strdup(a, iso);
}

/* The summary, or the start of the body's text cut at a word. */
static const char *excerpt(arena_t *a, const store_article *x) {
  if (x->summary && x->summary[0])
    return x->summary;
  buf_t t = {0};
  const char *body = x->body_html ? x->body_html : "";
  search_text_from_html(body, strlen(body), &t);
  size_t n = t.len;
  if (n > EXCERPT_MAX) {
    n = EXCERPT_MAX;
    while (n > 0 && ((unsigned char)t.data[n] & 0xC0) == 0x80)
      n--; /* a character boundary */
    size_t word = n;
    while (word > 0 && t.data[word] != ' ' && t.data[word] != '\n')
      word--;
    if (word > EXCERPT_MAX / 2)
      n = word;
  }
  for (size_t i = 0; i < n; i++)
    if (t.data[i] == '\n')
      t.data[i] = ' ';
  const char *r = arena_printf(a, "%.*s%s", (int)n, t.data ? t.data : "",
                               n < t.len ? "…" : "");
  buf_free(&t);
  return r;
}

/* The image's media type, from its extension. */
static const char *image_type(const char *url) {
  const char *dot = strrchr(url, '.');
  const char *q = strpbrk(url, "?#");
  if (!dot || (q && dot > q))
    return "image/jpeg";
  static const char *const types[][2] = {{".png", "image/png"},
                                         {".webp", "image/webp"},
                                         {".gif", "image/gif"},
                                         {".avif", "image/avif"},
                                         {".svg", "image/svg+xml"}};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    size_t k = strlen(types[i][0]);
    if (strncasecmp(dot, types[i][0], k) == 0 &&
        (dot[k] == '\0' || dot[k] == '?' || dot[k] == '#'))
      return types[i][1];
  }
  return "image/jpeg";
}

static const char *article_url(arena_t *a, const site_conf *c,
                               const store_article *x) {
  return arena_printf(a, "%s%s", c->url, site_article_path(a, x));
}

/* The article's tags into *tags, *n; a store error is the feed's. */
static int article_tags(site_req *r, const store_article *x, store_named **tags,
                        size_t *n) {
  return SITE_CALL(r, store_article_tags, r->st, r->a, x->id, tags, n);
}

/* ---- RSS 2.0 ---- */

static int rss(site_req *r, const feed *f, const store_article *xs, size_t n,
               int64_t updated, buf_t *b) {
  arena_t *a = r->a;
  const site_conf *c = r->c;
  int rc = NB_OK;
  buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<rss version=\"2.0\""
              " xmlns:atom=\"http://www.w3.org/2005/Atom\""
              " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
              " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
  element(b, "title", f->title);
  element(b, "link", f->home);
  element(b, "description", c->description);
  element(b, "language", "ar");
  element(b, "generator", "naba");
  buf_puts(b, "<lastBuildDate>");
  rfc822(b, updated);
  buf_puts(b, "</lastBuildDate>\n<atom:link rel=\"self\" type=\""
              "application/rss+xml\" href=\"");
  xml(b, f->self);
  buf_puts(b, "\"/>\n");
  if (nb_url_or_empty(c->logo)[0]) {
    buf_puts(b, "<image>");
    element(b, "url", c->logo);
    element(b, "title", f->title);
    element(b, "link", f->home);
    buf_puts(b, "</image>\n");
  }
  for (size_t i = 0; rc == NB_OK && i < n; i++) {
    const store_article *x = &xs[i];
    const char *url = article_url(a, c, x);
    buf_puts(b, "<item>");
    element(b, "title", x->title);
    element(b, "link", url);
    buf_puts(b, "<guid isPermaLink=\"true\">");
    xml(b, url);
    buf_puts(b, "</guid><pubDate>");
    rfc822(b, x->published_at);
    buf_puts(b, "</pubDate>");
    if (x->author_name[0])
      element(b, "dc:creator", x->author_name);
    element(b, "category", x->section_name);
    store_named *tags = NULL;
    size_t nt = 0;
    rc = article_tags(r, x, &tags, &nt);
    for (size_t k = 0; rc == NB_OK && k < nt; k++)
      element(b, "category", tags[k].name);
    element(b, "description", excerpt(a, x));
    if (c->feed_full)
      element(b, "content:encoded", x->body_html);
    if (nb_url_or_empty(x->image_url)[0]) {
      buf_puts(b, "<enclosure url=\"");
      xml(b, x->image_url);
      buf_printf(b, "\" length=\"0\" type=\"%s\"/>", image_type(x->image_url));
    }
    buf_puts(b, "</item>\n");
  }
  buf_puts(b, "</channel>\n</rss>\n");
  return rc;
}

/* ---- Atom ---- */

static void atom_link(buf_t *b, const char *rel, const char *type,
                      const char *href) {
  buf_printf(b, "<link rel=\"%s\" type=\"%s\" href=\"", rel, type);
  xml(b, href);
  buf_puts(b, "\"/>");
}

static int atom(site_req *r, const feed *f, const store_article *xs, size_t n,
                int64_t updated, buf_t *b) {
  arena_t *a = r->a;
  const site_conf *c = r->c;
  int rc = NB_OK;
  buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ar\">\n");
  element(b, "id", f->self);
  element(b, "title", f->title);
  element(b, "subtitle", c->description);
  element(b, "updated", rfc3339(a, updated));
  atom_link(b, "self", "application/atom+xml", f->self);
  atom_link(b, "alternate", "text/html", f->home);
  buf_puts(b, "<author>");
  element(b, "name", c->name);
  element(b, "uri", c->url);
  buf_puts(b, "</author><generator>naba</generator>\n");
  if (nb_url_or_empty(c->logo)[0])
    element(b, "logo", c->logo);
  for (size_t i = 0; rc == NB_OK && i < n; i++) {
    const store_article *x = &xs[i];
    const char *url = article_url(a, c, x);
    buf_puts(b, "<entry>");
    element(b, "id", url);
    element(b, "title", x->title);
    atom_link(b, "alternate", "text/html", url);
    element(b, "published", rfc3339(a, x->published_at));
    element(b, "updated",
            rfc3339(a, x->updated_at > x->published_at ? x->updated_at
                                                       : x->published_at));
    if (x->author_name[0]) {
      buf_puts(b, "<author>");
      element(b, "name", x->author_name);
      buf_puts(b, "</author>");
    }
    buf_puts(b, "<category term=\"");
    xml(b, x->section_name);
    buf_puts(b, "\"/>");
    store_named *tags = NULL;
    size_t nt = 0;
    rc = article_tags(r, x, &tags, &nt);
    for (size_t k = 0; rc == NB_OK && k < nt; k++) {
      buf_puts(b, "<category term=\"");
      xml(b, tags[k].name);
      buf_puts(b, "\"/>");
    }
    if (nb_url_or_empty(x->image_url)[0])
      atom_link(b, "enclosure", image_type(x->image_url), x->image_url);
    element(b, "summary", excerpt(a, x));
    if (c->feed_full) {
      buf_puts(b, "<content type=\"html\">");
      xml(b, x->body_html);
      buf_puts(b, "</content>");
    }
    buf_puts(b, "</entry>\n");
  }
  buf_puts(b, "</feed>\n");
  return rc;
}

/* ---- JSON Feed 1.1 ---- */

static json_t *jstr(const char *s) {
  return json_string(s ? s : "");
}

static int json_feed(site_req *r, const feed *f, const store_article *xs,
                     size_t n, buf_t *b) {
  arena_t *a = r->a;
  const site_conf *c = r->c;
  int rc = NB_OK;
  json_t *o = json_object();
  json_object_set_new(o, "version", jstr("https://jsonfeed.org/version/1.1"));
  json_object_set_new(o, "title", jstr(f->title));
  json_object_set_new(o, "home_page_url", jstr(f->home));
  json_object_set_new(o, "feed_url", jstr(f->self));
  json_object_set_new(o, "description", jstr(c->description));
  json_object_set_new(o, "language", jstr("ar"));
  if (nb_url_or_empty(c->logo)[0])
    json_object_set_new(o, "icon", jstr(c->logo));
  json_t *site_author = json_object();
  json_object_set_new(site_author, "name", jstr(c->name));
  json_object_set_new(site_author, "url", jstr(c->url));
  json_object_set_new(o, "authors", json_pack("[o]", site_author));
  json_t *items = json_array();
  for (size_t i = 0; rc == NB_OK && i < n; i++) {
    const store_article *x = &xs[i];
    const char *url = article_url(a, c, x);
    json_t *it = json_object();
    json_object_set_new(it, "id", jstr(url));
    json_object_set_new(it, "url", jstr(url));
    json_object_set_new(it, "title", jstr(x->title));
    json_object_set_new(it, "summary", jstr(excerpt(a, x)));
    if (c->feed_full)
      json_object_set_new(it, "content_html", jstr(x->body_html));
    else
      json_object_set_new(it, "content_text", jstr(excerpt(a, x)));
    if (nb_url_or_empty(x->image_url)[0])
      json_object_set_new(it, "image", jstr(x->image_url));
    json_object_set_new(it, "date_published",
                        jstr(rfc3339(a, x->published_at)));
    json_object_set_new(it, "date_modified", jstr(rfc3339(a, x->updated_at)));
    if (x->author_name[0])
      json_object_set_new(it, "authors",
                          json_pack("[{s:s}]", "name", x->author_name));
    json_t *tags = json_array();
    json_array_append_new(tags, jstr(x->section_name));
    store_named *tg = NULL;
    size_t nt = 0;
    rc = article_tags(r, x, &tg, &nt);
    for (size_t k = 0; rc == NB_OK && k < nt; k++)
      json_array_append_new(tags, jstr(tg[k].name));
    json_object_set_new(it, "tags", tags);
    json_object_set_new(it, "language", jstr("ar"));
    json_array_append_new(items, it);
  }
  json_object_set_new(o, "items", items);
  /* Freed with jansson's own function: the request's arena may be it. */
  json_malloc_t alloc;
  json_free_t release;
  json_get_alloc_funcs(&alloc, &release);
  char *text = rc == NB_OK ? json_dumps(o, JSON_COMPACT) : NULL;
  if (text) {
    buf_puts(b, text);
    buf_putc(b, '\n');
    release(text);
  } else if (rc == NB_OK) {
    rc = site_check(r, NB_ENOMEM, "json_dumps");
  }
  json_decref(o);
  return rc;
}

/* ---- routes ---- */

/* seg[i..n) is "feed" optionally followed by "atom" or "json": sets
 * *format and returns 1. */
static int feed_tail(const char **seg, int i, int n, int *format) {
  if (i >= n || strcmp(seg[i], "feed") != 0)
    return 0;
  if (i + 1 == n) {
    *format = F_RSS;
    return 1;
  }
  if (i + 2 != n)
    return 0;
  if (strcmp(seg[i + 1], "atom") == 0)
    *format = F_ATOM;
  else if (strcmp(seg[i + 1], "json") == 0)
    *format = F_JSON;
  else if (strcmp(seg[i + 1], "rss") == 0 || strcmp(seg[i + 1], "rss2") == 0)
    *format = F_RSS;
  else
    return 0;
  return 1;
}

static const char *const suffix[] = {"", "/atom", "/json"};

/* What the feed at seg[0..n) is about, into f; NB_ENOTFOUND when it names
 * no feed (or a section, tag or author there is not). */
static int feed_of(site_req *r, const char **seg, int n, feed *f) {
  arena_t *a = r->a;
  const site_conf *c = r->c;
  const char *base; /* the path before /feed */
  int rc;

  if (feed_tail(seg, 0, n, &f->format)) {
    f->kind = STORE_LIST_SITE;
    base = "";
    f->home = arena_printf(a, "%s/", c->url);
  } else if (n >= 3 &&
             (strcmp(seg[0], "tag") == 0 || strcmp(seg[0], "author") == 0) &&
             feed_tail(seg, 2, n, &f->format)) {
    store_named who;
    int tag = seg[0][0] == 't';
    rc = tag ? SITE_CALL(r, store_tag_by_slug, r->st, a, seg[1], &who)
             : SITE_CALL(r, store_author_by_slug, r->st, a, seg[1], &who);
    if (rc != NB_OK)
      return rc;
    f->kind = tag ? STORE_LIST_TAG : STORE_LIST_AUTHOR;
    f->id = who.id;
    f->subject = who.name;
    base = arena_printf(a, "/%s/%s", seg[0], seg[1]);
    f->home = arena_printf(a, "%s/", c->url);
  } else if (n >= 2 && feed_tail(seg, 1, n, &f->format)) {
    store_section sec;
    rc = SITE_CALL(r, store_section_by_slug, r->st, a, seg[0], &sec);
    if (rc != NB_OK)
      return rc;
    f->kind = STORE_LIST_SECTION;
    f->id = sec.id;
    f->subject = sec.name;
    const char *path = site_section_path(a, sec.slug);
    base = arena_strndup(a, path, strlen(path) - 1); /* without its "/" */
    f->home = arena_printf(a, "%s%s", c->url, path);
  } else {
    return NB_ENOTFOUND;
  }
  if (f->kind == STORE_LIST_TAG || f->kind == STORE_LIST_AUTHOR) {
    /* base came from the decoded path: encode it again for the URL. */
    buf_t e = {0};
    buf_printf(&e, "/%s/", seg[0]);
    buf_url_encode(&e, seg[1], strlen(seg[1]));
    base = arena_strndup(a, e.data, e.len);
    buf_free(&e);
  }
  f->self = arena_printf(a, "%s%s/feed%s", c->url, base, suffix[f->format]);
  f->title =
      f->subject ? arena_printf(a, "%s — %s", c->name, f->subject) : c->name;
  return NB_OK;
}

int site_feed(site_req *r, const char **seg, int n) {
  feed f = {0};
  web_response *res = r->res;
  int rc = feed_of(r, seg, n, &f);
  if (rc != NB_OK)
    return rc;
  store_article *xs = NULL;
  size_t count = 0;
  rc = SITE_CALL(r, store_list_articles, r->st, r->a, f.kind, f.id, 0,
                 r->c->feed_items, &xs, &count);
  if (rc != NB_OK)
    return rc;
  int64_t updated = 0;
  for (size_t i = 0; i < count; i++) {
    int64_t t = xs[i].updated_at > xs[i].published_at ? xs[i].updated_at
                                                      : xs[i].published_at;
    if (t > updated)
      updated = t;
  }
  if (updated == 0)
    updated = nb_now();
  switch (f.format) {
  case F_RSS:
    rc = rss(r, &f, xs, count, updated, &res->body);
    res->content_type = "application/rss+xml; charset=utf-8";
    break;
  case F_ATOM:
    rc = atom(r, &f, xs, count, updated, &res->body);
    res->content_type = "application/atom+xml; charset=utf-8";
    break;
  default:
    rc = json_feed(r, &f, xs, count, &res->body);
    res->content_type = "application/feed+json; charset=utf-8";
  }
  if (rc == NB_OK && res->body.oom)
    rc = site_check(r, NB_ENOMEM, "feed");
  if (rc != NB_OK)
    return rc;
  res->tags = "feeds site";
  res->last_modified = updated;
  return NB_OK;
}
