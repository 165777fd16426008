/* sitemaps.c: sitemap.xml (an index of monthly article sitemaps and one of
 * sections), sitemap-news.xml for Google News, and robots.txt.
 *
 * Formats: https://www.sitemaps.org/protocol.html and
 * https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
 *
 * The path is the only input read here, and it is matched whole: a month
 * is /sitemap-YYYY-MM.xml (four digits, a month 01-12) or, past
 * SITEMAP_MAX_URLS articles, /sitemap-YYYY-MM-N.xml with N >= 2 and no
 * leading zero, answered only when that page has articles. Anything else
 * is NB_ENOTFOUND, and the caller shows its 404 page; a store error is
 * the caller's 503. Every text and URL written
 * goes through buf_xml_escape(). */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "site/internal.h"

/* The most URLs one sitemap may list (sitemaps.org). The functions below
 * take the limit as a parameter, so the split does not hide in them. */
#define SITEMAP_MAX_URLS 50000
/* Google News takes articles first published in the last two days, at most
 * this many. */
#define NEWS_WINDOW (48 * 3600)
#define NEWS_MAX 1000
/* Articles leave the news sitemap by ageing, which no write announces:
 * the cached copy is made again this often. */
#define NEWS_TTL 600

#define XML_TYPE "application/xml; charset=utf-8"
#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define SITEMAP_NS "http://www.sitemaps.org/schemas/sitemap/0.9"
#define NEWS_NS "http://www.google.com/schemas/sitemap-news/0.9"
/* Article saves and articles coming due record "feeds", new sections
 * "sections", settings (site name and URL) "site". */
#define TAGS "feeds sections site"

static void put_text(buf_t *b, const char *s) {
  buf_xml_escape(b, s, strlen(s));
}

/* <tag>{site url}{path}</tag>; path is percent-encoded already, NULL when
 * the arena ran out of memory. */
static void put_url(buf_t *b, const site_conf *c, const char *tag,
                    const char *path) {
  if (!path) {
    b->oom = 1;
    return;
  }
  buf_printf(b, "<%s>", tag);
  put_text(b, c->url);
  put_text(b, path);
  buf_printf(b, "</%s>", tag);
}

static void put_time(buf_t *b, const char *tag, int64_t t) {
  char iso[32];
  nb_time_iso(t, iso);
  buf_printf(b, "<%s>%s</%s>", tag, iso, tag);
}

/* Start of month m of year y (UTC), or -1 when out of range. */
static int64_t month_start(int y, int m) {
  char s[32];
  int64_t t;
  if (m == 13) {
    y++;
    m = 1;
  }
  snprintf(s, sizeof s, "%04d-%02d-01", y, m);
  return nb_time_parse(s, &t) == NB_OK ? t : -1;
}

/* Number of sitemaps a month of n articles is split into. */
static int64_t month_pages(int64_t n, int64_t max) {
  return (n + max - 1) / max;
}

/* n digits at s, the first not 0 unless lead0; into *v within [min, max]. */
static int number(const char *s, size_t n, int lead0, int64_t min, int64_t max,
                  int64_t *v) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return n > 0 && (lead0 || s[0] != '0') &&
         nb_parse_i64(s, n, min, max, v) == NB_OK;
}

/* Parses "/sitemap-YYYY-MM.xml" or "/sitemap-YYYY-MM-N.xml" (N >= 2);
 * 1 when path is one, with *page 1 for the first form. */
static int month_path(const char *path, int *year, int *month, int64_t *page) {
  static const char pre[] = "/sitemap-", suf[] = ".xml";
  size_t n = strlen(path), pl = sizeof pre - 1, sl = sizeof suf - 1;
  int64_t y, m;
  if (n < pl + 7 + sl || strncmp(path, pre, pl) != 0 ||
      strcmp(path + n - sl, suf) != 0)
    return 0;
  const char *p = path + pl;
  size_t k = n - pl - sl; /* "YYYY-MM" or "YYYY-MM-N" */
  if (!number(p, 4, 1, 1970, 9999, &y) || p[4] != '-' ||
      !number(p + 5, 2, 1, 1, 12, &m))
    return 0;
  *year = (int)y;
  *month = (int)m;
  *page = 1;
  if (k == 7)
    return 1;
  return p[7] == '-' && number(p + 8, k - 8, 0, 2, INT32_MAX, page);
}

static void robots(const site_conf *c, web_response *res) {
  buf_t *b = &res->body;
  /* Search result pages are endless and each a copy of articles. */
  buf_puts(b, "User-agent: *\nAllow: /\nDisallow: /search\n\n");
  buf_printf(b, "Sitemap: %s/sitemap.xml\n", c->url);
  buf_printf(b, "Sitemap: %s/sitemap-news.xml\n", c->url);
  res->content_type = "text/plain; charset=utf-8";
  res->tags = "site";
}

/* The index: the sections' sitemap, then each month's, newest first; the
 * pages of a split month all carry the month's lastmod. */
static int sitemap_index(store *st, arena_t *a, const site_conf *c, int64_t max,
                         web_response *res) {
  store_month *ms;
  size_t n;
  int rc = store_article_months(st, a, nb_now(), &ms, &n);
  if (rc != NB_OK)
    return rc;
  buf_t *b = &res->body;
  buf_puts(b, XML_HEAD "<sitemapindex xmlns=\"" SITEMAP_NS "\">\n<sitemap>");
  put_url(b, c, "loc", "/sitemap-sections.xml");
  buf_puts(b, "</sitemap>\n");
  for (size_t i = 0; i < n; i++) {
    int64_t pages = month_pages(ms[i].count, max);
    for (int64_t p = 1; p <= pages; p++) {
      char path[64];
      if (p == 1)
        snprintf(path, sizeof path, "/sitemap-%04d-%02d.xml", ms[i].year,
                 ms[i].month);
      else
        snprintf(path, sizeof path, "/sitemap-%04d-%02d-%lld.xml", ms[i].year,
                 ms[i].month, (long long)p);
      buf_puts(b, "<sitemap>");
      put_url(b, c, "loc", path);
      put_time(b, "lastmod", ms[i].lastmod);
      buf_puts(b, "</sitemap>\n");
    }
  }
  buf_puts(b, "</sitemapindex>\n");
  return NB_OK;
}

static int sections(store *st, arena_t *a, const site_conf *c,
                    web_response *res) {
  store_section *ss;
  size_t n;
  int rc = store_sections(st, a, &ss, &n);
  if (rc != NB_OK)
    return rc;
  buf_t *b = &res->body;
  buf_puts(b, XML_HEAD "<urlset xmlns=\"" SITEMAP_NS "\">\n<url>");
  put_url(b, c, "loc", "/");
  buf_puts(b, "</url>\n");
  for (size_t i = 0; i < n; i++) {
    buf_puts(b, "<url>");
    put_url(b, c, "loc", site_section_path(a, ss[i].slug));
    buf_puts(b, "</url>\n");
  }
  buf_puts(b, "</urlset>\n");
  return NB_OK;
}

/* Page `page` of a month's articles; NB_ENOTFOUND when it has none. */
static int month(store *st, arena_t *a, const site_conf *c, int y, int m,
                 int64_t page, int64_t max, web_response *res) {
  int64_t from = month_start(y, m), to = month_start(y, m + 1);
  store_article *xs;
  size_t n;
  if (from < 0)
    return NB_ENOTFOUND;
  if (to < 0)
    to = INT64_MAX;
  assert(page >= 1 && page <= INT32_MAX && max > 0); /* month_path() */
  int rc = store_articles_between(st, a, from, to, nb_now(), (page - 1) * max,
                                  max, &xs, &n);
  if (rc != NB_OK)
    return rc;
  if (n == 0)
    return NB_ENOTFOUND;
  buf_t *b = &res->body;
  buf_puts(b, XML_HEAD "<urlset xmlns=\"" SITEMAP_NS "\">\n");
  for (size_t i = 0; i < n; i++) {
    buf_puts(b, "<url>");
    put_url(b, c, "loc", site_article_path(a, &xs[i]));
    put_time(b, "lastmod", xs[i].updated_at);
    buf_puts(b, "</url>\n");
  }
  buf_puts(b, "</urlset>\n");
  return NB_OK;
}

static int news(store *st, arena_t *a, const site_conf *c, web_response *res) {
  int64_t now = nb_now();
  store_article *xs;
  size_t n;
  int rc = store_articles_between(st, a, now - NEWS_WINDOW + 1, now + 1, now, 0,
                                  NEWS_MAX, &xs, &n);
  if (rc != NB_OK)
    return rc;
  buf_t *b = &res->body;
  buf_puts(b, XML_HEAD "<urlset xmlns=\"" SITEMAP_NS "\" xmlns:news=\"" NEWS_NS
                       "\">\n");
  for (size_t i = 0; i < n; i++) {
    buf_puts(b, "<url>");
    put_url(b, c, "loc", site_article_path(a, &xs[i]));
    buf_puts(b, "<news:news><news:publication><news:name>");
    put_text(b, c->name);
    buf_puts(b, "</news:name><news:language>ar</news:language>"
                "</news:publication>");
    put_time(b, "news:publication_date", xs[i].published_at);
    buf_puts(b, "<news:title>");
    put_text(b, xs[i].title);
    buf_puts(b, "</news:title></news:news></url>\n");
  }
  buf_puts(b, "</urlset>\n");
  res->ttl = NEWS_TTL;
  return NB_OK;
}

/* The sitemaps with max URLs per month sitemap. */
static int answer(store *st, arena_t *a, const site_conf *c, const char *path,
                  int64_t max, web_response *res) {
  int y, m;
  int64_t page;
  int rc;
  if (strcmp(path, "/robots.txt") == 0) {
    robots(c, res);
    return res->body.oom ? NB_ENOMEM : NB_OK;
  }
  if (strcmp(path, "/sitemap.xml") == 0)
    rc = sitemap_index(st, a, c, max, res);
  else if (strcmp(path, "/sitemap-sections.xml") == 0)
    rc = sections(st, a, c, res);
  else if (strcmp(path, "/sitemap-news.xml") == 0)
    rc = news(st, a, c, res);
  else if (month_path(path, &y, &m, &page))
    rc = month(st, a, c, y, m, page, max, res);
  else
    return NB_ENOTFOUND;
  if (rc == NB_OK && res->body.oom)
    rc = NB_ENOMEM;
  if (rc == NB_OK) {
    res->content_type = XML_TYPE;
    res->tags = TAGS;
  }
  return rc;
}

int site_sitemap(site_req *r, const char *path) {
  web_response *res = r->res;
  int rc = answer(r->st, r->a, r->c, path, SITEMAP_MAX_URLS, res);
  if (rc != NB_OK) {
    buf_free(&res->body); /* also forgets an out-of-memory state */
    res->ttl = 0;
    res->tags = NULL;
  }
  /* path matched one of the patterns above: safe to log */
  return site_check(r, rc, path);
}
