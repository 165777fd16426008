/* HTTP tests of robots.txt and the sitemaps: what crawlers are told, that
 * every document is well-formed XML (xmllint), that months list their
 * articles and split past 50,000, that the news sitemap holds the last 48
 * hours only and at most 1,000 articles, and that saves show at once.
 *
 * Most articles are written straight into the database with SQLite before
 * the server starts (tens of thousands through the CLI would take
 * minutes); the server fills its search index from them as it opens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../shared.h"
#include "harness.h"

#define SITE "https://akhbar.example"
/* The site name, "أخبار & آراء", as it must appear in XML. */
#define NAME_XML                                                               \
  "\xd8\xa3\xd8\xae\xd8\xa8\xd8\xa7\xd8\xb1 &amp; "                            \
  "\xd8\xa2\xd8\xb1\xd8\xa7\xd8\xa1"
#define FEB_2020 1580515200 /* 2020-02-01T00:00:00Z */
#define FEB_ARTICLES 50001
#define BUSY_ARTICLES 1050

static int64_t started; /* when the fixture wrote its articles */

/* ---- the fixture ---- */

/* Inserts a published (status 1) or draft article of the seed's section,
 * updated when published. */
static void insert(sqlite3 *h, const char *title, const char *slug,
                   int64_t published_at, int status) {
  static const char sql[] =
      "INSERT INTO articles (section_id, title, slug, summary, body_html,"
      " status, published_at, updated_at, created_at)"
      " VALUES (1, ?1, ?2, '', '<p>x</p>', ?3, ?4, ?4, ?4)";
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, slug, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, status);
  sqlite3_bind_int64(st, 4, published_at);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
}

/* A fresh database with the seed page, settings, what fill() writes (in
 * one transaction), then the server. */
static void open_site(void (*fill)(sqlite3 *h)) {
  snprintf(dir, sizeof dir, "/tmp/naba-http-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(db, sizeof db, "%s/naba.db", dir);
  const char *args[] = {
      "import",   "page",     "--db", db,  "--date", "2021-11-24T08:00Z",
      "--author", "Reporter", SEED,   NULL};
  assert_int_equal(naba(NULL, args), 0);
  set_setting("site_url", SITE);
  set_setting("site_name", "\xd8\xa3\xd8\xae\xd8\xa8\xd8\xa7\xd8\xb1 & "
                           "\xd8\xa2\xd8\xb1\xd8\xa7\xd8\xa1");
  sqlite3 *h;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_exec(h, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
  started = time(NULL);
  fill(h);
  assert_int_equal(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(h);
  start_server(NULL);
  reply r;
  get("GET", "/1", NULL, NULL, &r);
  assert_int_equal(r.status, 301);
  assert_true(header(&r, "Location", article_path, sizeof article_path));
  reply_free(&r);
}

/* The news window's edges, a draft, a scheduled article, a title that
 * needs escaping, and a month of 50,001 articles. */
static void fill_site(sqlite3 *h) {
  insert(h, "news 47h", "news-47h", started - 47 * 3600, 1);
  insert(h, "news 49h", "news-49h", started - 49 * 3600, 1);
  insert(h, "news draft", "news-draft", started - 3600, 0);
  insert(h, "news later", "news-later", started + 40 * 86400, 1);
  insert(h, "A & B <C> \"q\" \x01 \xd8\xae\xd8\xa8\xd8\xb1", "a-b-c",
         started - 2 * 3600, 1);
  insert(h, "old draft", "old-draft", 1551787200 /* 2019-03-05 */, 0);
  for (int i = 1; i <= FEB_ARTICLES; i++) {
    char title[32], slug[32];
    snprintf(title, sizeof title, "feb %d", i);
    snprintf(slug, sizeof slug, "s%d", i);
    insert(h, title, slug, FEB_2020 + (int64_t)i * 40, 1);
  }
}

/* More recent articles than the news sitemap may list, story 0 newest. */
static void fill_busy(sqlite3 *h) {
  for (int i = 0; i < BUSY_ARTICLES; i++) {
    char title[32], slug[32];
    snprintf(title, sizeof title, "story %d", i);
    snprintf(slug, sizeof slug, "story-%d", i);
    insert(h, title, slug, started - 60 - (int64_t)i * 120, 1);
  }
}

static int setup_site(void **state) {
  (void)state;
  open_site(fill_site);
  return 0;
}

static int setup_busy(void **state) {
  (void)state;
  open_site(fill_busy);
  return 0;
}

/* ---- helpers ---- */

/* 1 when xmllint finds the document well-formed. */
static int well_formed(const buf_t *body) {
  char path[400];
  snprintf(path, sizeof path, "%s/fetched.xml", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fwrite(body->data, 1, body->len, f), body->len);
  fclose(f);
  pid_t pid = fork();
  if (pid == 0) {
    execlp("xmllint", "xmllint", "--noout", path, (char *)NULL);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* GETs an XML document that must be there and well-formed. */
static void get_xml(const char *path, reply *r) {
  char ct[128];
  get("GET", path, NULL, NULL, r);
  if (r->status != 200)
    fail_msg("%s answered %ld", path, r->status);
  assert_true(header(r, "Content-Type", ct, sizeof ct));
  assert_string_equal(ct, "application/xml; charset=utf-8");
  assert_int_equal(
      strncmp(r->body.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39),
      0);
  if (!well_formed(&r->body))
    fail_msg("%s is not well-formed XML", path);
}

/* "YYYY-MM" of a time, UTC. */
static void month_of(int64_t t, char out[16]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 16, "%Y-%m", &tm);
}

static void iso(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* How many times needle is in hay. Not harness's count(): under ASan each
 * strstr() call measures the whole rest of the string, which makes
 * counting 50,000 URLs take minutes. */
static int occurrences(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  int k = 0;
  for (const char *p = hay; *p; p++)
    if (*p == needle[0] && strncmp(p, needle, n) == 0)
      k++;
  return k;
}

/* Where needle is in hay, or -1. */
static long at(const char *hay, const char *needle) {
  const char *p = strstr(hay, needle);
  return p ? p - hay : -1;
}

/* ---- tests ---- */

static void robots_txt_allows_all_but_search_and_names_both_sitemaps(void **s) {
  (void)s;
  reply r;
  char ct[128];
  get("GET", "/robots.txt", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_true(header(&r, "Content-Type", ct, sizeof ct));
  assert_string_equal(ct, "text/plain; charset=utf-8");
  assert_string_equal(r.body.data, "User-agent: *\n"
                                   "Allow: /\n"
                                   "Disallow: /search\n"
                                   "\n"
                                   "Sitemap: " SITE "/sitemap.xml\n"
                                   "Sitemap: " SITE "/sitemap-news.xml\n");
  reply_free(&r);
}

static void index_lists_sections_then_each_month_newest_first(void **s) {
  (void)s;
  reply r;
  char m[16], loc[128], later[16], later_loc[128];
  get_xml("/sitemap.xml", &r);
  const char *b = r.body.data;
  assert_non_null(strstr(b, "<sitemapindex xmlns=\"http://www.sitemaps.org/"
                            "schemas/sitemap/0.9\">"));
  month_of(started - 2 * 3600, m);
  snprintf(loc, sizeof loc, "<loc>" SITE "/sitemap-%s.xml</loc>", m);
  long sections = at(b, "<sitemap><loc>" SITE "/sitemap-sections.xml</loc>"),
       recent = at(b, loc),
       nov = at(b, "<loc>" SITE "/sitemap-2021-11.xml</loc>"
                   "<lastmod>2021-11-24T08:00:00Z</lastmod>"),
       feb = at(b, "<loc>" SITE "/sitemap-2020-02.xml</loc>"),
       feb2 = at(b, "<loc>" SITE "/sitemap-2020-02-2.xml</loc>");
  assert_true(sections >= 0);
  assert_true(recent > sections);
  assert_true(nov > recent);
  assert_true(feb > nov);
  assert_true(feb2 > feb);
  /* 50,001 articles make two sitemaps, both with the month's lastmod. */
  assert_null(strstr(b, "/sitemap-2020-02-3.xml"));
  assert_int_equal(occurrences(b, "<lastmod>2020-02-24T03:34:00Z</lastmod>"),
                   2);
  /* Months with only a draft or a scheduled article are not listed. */
  assert_null(strstr(b, "/sitemap-2019-03.xml"));
  month_of(started + 40 * 86400, later);
  snprintf(later_loc, sizeof later_loc, "/sitemap-%s.xml", later);
  assert_null(strstr(b, later_loc));
  reply_free(&r);
}

static void sections_sitemap_lists_home_and_every_section(void **s) {
  (void)s;
  reply r;
  get_xml("/sitemap-sections.xml", &r);
  assert_non_null(strstr(r.body.data, "<url><loc>" SITE "/</loc></url>"));
  assert_non_null(strstr(r.body.data, "<url><loc>" SITE "/" SECTION_SLUG_ENC
                                      "/</loc></url>"));
  assert_int_equal(occurrences(r.body.data, "<url>"), 2);
  reply_free(&r);
}

static void month_sitemap_lists_its_articles_at_their_canonical_urls(void **s) {
  (void)s;
  reply r;
  char want[1200];
  get_xml("/sitemap-2021-11.xml", &r);
  snprintf(want, sizeof want,
           "<url><loc>" SITE "%s</loc><lastmod>2021-11-24T08:00:00Z</lastmod>"
           "</url>",
           article_path);
  assert_non_null(strstr(r.body.data, want));
  assert_int_equal(occurrences(r.body.data, "<url>"), 1);
  reply_free(&r);
}

static void a_month_past_50000_articles_splits_newest_first(void **s) {
  (void)s;
  reply r;
  get_xml("/sitemap-2020-02.xml", &r);
  assert_int_equal(occurrences(r.body.data, "<url>"), 50000);
  assert_int_equal(occurrences(r.body.data, "</lastmod></url>"), 50000);
  long newest = at(r.body.data, "-s50001</loc>"),
       next = at(r.body.data, "-s50000</loc>");
  assert_true(newest > 0 && next > newest);
  assert_null(strstr(r.body.data, "-s1</loc>"));
  reply_free(&r);
  get_xml("/sitemap-2020-02-2.xml", &r);
  assert_int_equal(occurrences(r.body.data, "<url>"), 1);
  assert_non_null(strstr(r.body.data, "-s1</loc><lastmod>2020-02-01T00:00:40Z"
                                      "</lastmod></url>"));
  reply_free(&r);
}

static void malformed_empty_or_missing_sitemaps_are_not_found(void **s) {
  (void)s;
  char later[16], path[64];
  static const char *paths[] = {"/sitemap-1999-13.xml",
                                "/sitemap-1999-12.xml",   /* no article */
                                "/sitemap-2019-03.xml",   /* only a draft */
                                "/sitemap-2021-11-2.xml", /* one page only */
                                "/sitemap-2020-02-3.xml",
                                "/sitemap-2020-02-1.xml",
                                "/sitemap-2020-02-02.xml",
                                "/sitemap-2020-02-0.xml",
                                "/sitemap-2021-00.xml",
                                "/sitemap-2021-1.xml",
                                "/sitemap-21-11.xml",
                                "/sitemap-+021-11.xml",
                                "/sitemap-2021-11.xml.gz",
                                "/sitemap-2021-11.XML",
                                "/sitemap-2021-11-.xml",
                                "/sitemap-2021-11-x.xml",
                                "/sitemap-2021-11.xml/",
                                "/sitemap-2021-11-99999999999999999999.xml",
                                "/sitemap-.xml",
                                "/sitemap-2021-11",
                                "/sitemap-2021%2011.xml",
                                "/sitemap-news.xml/",
                                "/Sitemap.xml",
                                "/robots.txt/",
                                NULL};
  for (int i = 0; paths[i]; i++) {
    reply r;
    get("GET", paths[i], NULL, NULL, &r);
    if (r.status != 404)
      fail_msg("%s answered %ld", paths[i], r.status);
    /* The site's own 404 page. */
    assert_non_null(strstr(r.body.data, "</html>"));
    reply_free(&r);
  }
  /* A month whose only article is scheduled. */
  month_of(started + 40 * 86400, later);
  snprintf(path, sizeof path, "/sitemap-%s.xml", later);
  expect_status("GET", path, 404);
  expect_status("GET", "/sitemap-2020-02.xml", 200);
  expect_status("HEAD", "/sitemap.xml", 200);
}

static void
news_sitemap_lists_articles_first_published_in_the_last_48_hours(void **s) {
  (void)s;
  reply r;
  char date[32], want[128];
  get_xml("/sitemap-news.xml", &r);
  const char *b = r.body.data;
  assert_non_null(
      strstr(b, "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\""
                " xmlns:news=\"http://www.google.com/schemas/sitemap-news/"
                "0.9\">"));
  long fresh = at(b, "<news:title>A &amp; B &lt;C&gt; &quot;q&quot;  "
                     "\xd8\xae\xd8\xa8\xd8\xb1</news:title>");
  iso(started - 47 * 3600, date);
  snprintf(want, sizeof want,
           "<news:publication_date>%s</news:publication_date>"
           "<news:title>news 47h</news:title>",
           date);
  long old = at(b, want);
  assert_true(fresh > 0);
  assert_true(old > fresh); /* newest first */
  assert_null(strstr(b, "news 49h"));
  assert_null(strstr(b, "news draft"));
  assert_null(strstr(b, "news later"));
  assert_null(strstr(b, "\x01"));
  assert_int_equal(occurrences(b, "<url><loc>" SITE "/" SECTION_SLUG_ENC "/"),
                   2);
  assert_int_equal(
      occurrences(b, "<news:news><news:publication><news:name>" NAME_XML
                     "</news:name><news:language>ar</news:language>"
                     "</news:publication><news:publication_date>"),
      2);
  assert_int_equal(occurrences(b, "</news:title></news:news></url>"), 2);
  reply_free(&r);
}

/* GETs path so that the cache holds it and checks it lacks needle: only
 * an invalidation can then show what a save adds. */
static void cache_without(const char *path, const char *needle) {
  reply r;
  get_xml(path, &r);
  assert_null(strstr(r.body.data, needle));
  reply_free(&r);
}

static void saved_articles_appear_in_the_sitemaps_at_once(void **s) {
  (void)s;
  reply r;
  char date[32];
  /* An article of an existing section (سياسة): no "sections" change. */
  static const char pol[] = "\xd8\xb3\xd9\x8a\xd8\xa7\xd8\xb3\xd8\xa9\n\n";

  cache_without("/sitemap.xml", "/sitemap-2019-05.xml");
  buf_t text = {0};
  buf_printf(&text, "%sArchive story\n\nArchive story\n\nFrom the archive.\n",
             pol);
  assert_int_equal(
      import_text("old.txt", text.data, "--date", "2019-05-10T10:00Z"), 0);
  assert_true(eventually_contains("/sitemap.xml", SITE "/sitemap-2019-05.xml"));

  cache_without("/sitemap-news.xml", "Fresh sitemap story");
  buf_reset(&text);
  buf_printf(&text,
             "%sFresh sitemap story\n\nFresh sitemap story\n\nJust in.\n", pol);
  iso(time(NULL) - 60, date);
  assert_int_equal(import_text("fresh.txt", text.data, "--date", date), 0);
  assert_true(eventually_contains(
      "/sitemap-news.xml", "<news:title>Fresh sitemap story</news:title>"));
  get_xml("/sitemap-news.xml", &r);
  reply_free(&r);

  /* A new section. */
  cache_without("/sitemap-sections.xml", "/culture/");
  assert_int_equal(import_text("culture.txt",
                               "Culture\n\nArt story\n\nArt story\n\n"
                               "Painters.\n",
                               "--date", "2019-05-11T10:00Z"),
                   0);
  assert_true(
      eventually_contains("/sitemap-sections.xml", SITE "/culture/</loc>"));
  buf_free(&text);
}

static void a_scheduled_article_appears_when_it_comes_due(void **s) {
  (void)s;
  sqlite3 *h;
  int shown = 0;
  cache_without("/sitemap-news.xml", "news due");
  /* No write announces it: the server notices its time has come. */
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  sqlite3_busy_timeout(h, 5000);
  insert(h, "news due", "news-due", time(NULL) + 2, 1);
  sqlite3_close(h);
  for (int i = 0; i < 3 && !shown; i++)
    shown = eventually_contains("/sitemap-news.xml",
                                "<news:title>news due</news:title>");
  assert_true(shown);
}

static void changing_the_site_url_or_name_changes_every_sitemap(void **s) {
  (void)s;
  cache_without("/sitemap.xml", "other.example");
  cache_without("/sitemap-news.xml", "Naba");
  set_setting("site_url", "https://other.example");
  assert_true(eventually_contains(
      "/robots.txt", "Sitemap: https://other.example/sitemap-news.xml"));
  assert_true(eventually_contains(
      "/sitemap.xml", "<loc>https://other.example/sitemap-sections.xml"));
  cache_without("/sitemap-news.xml", "Naba");
  set_setting("site_name", "Naba <news>");
  assert_true(eventually_contains("/sitemap-news.xml",
                                  "<news:name>Naba &lt;news&gt;</news:name>"));
}

static void news_sitemap_stops_at_the_1000_newest(void **s) {
  (void)s;
  reply r;
  get_xml("/sitemap-news.xml", &r);
  const char *b = r.body.data;
  assert_int_equal(occurrences(b, "<url>"), 1000);
  assert_int_equal(occurrences(b, "<news:publication_date>"), 1000);
  assert_int_equal(occurrences(b, "<news:title>story "), 1000);
  assert_int_equal(occurrences(b, "<news:name>" NAME_XML "</news:name>"), 1000);
  assert_int_equal(occurrences(b, "<news:language>ar</news:language>"), 1000);
  long first = at(b, "<news:title>story 0</news:title>"),
       last = at(b, "<news:title>story 999</news:title>");
  assert_true(first > 0 && last > first);
  assert_null(strstr(b, "<news:title>story 1000</news:title>"));
  reply_free(&r);
}

int main(void) {
  /* Every case needs it: skip them all, before allocating anything. */
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest site[] = {
      cmocka_unit_test(
          robots_txt_allows_all_but_search_and_names_both_sitemaps),
      cmocka_unit_test(index_lists_sections_then_each_month_newest_first),
      cmocka_unit_test(sections_sitemap_lists_home_and_every_section),
      cmocka_unit_test(
          month_sitemap_lists_its_articles_at_their_canonical_urls),
      cmocka_unit_test(a_month_past_50000_articles_splits_newest_first),
      cmocka_unit_test(malformed_empty_or_missing_sitemaps_are_not_found),
      cmocka_unit_test(
          news_sitemap_lists_articles_first_published_in_the_last_48_hours),
      /* These change the site: last. */
      cmocka_unit_test(saved_articles_appear_in_the_sitemaps_at_once),
      cmocka_unit_test(a_scheduled_article_appears_when_it_comes_due),
      cmocka_unit_test(changing_the_site_url_or_name_changes_every_sitemap),
  };
  const struct CMUnitTest busy[] = {
      cmocka_unit_test(news_sitemap_stops_at_the_1000_newest),
  };
  int rc = cmocka_run_group_tests_name("sitemaps", site, setup_site, teardown);
  rc +=
      cmocka_run_group_tests_name("busy newsroom", busy, setup_busy, teardown);
  curl_global_cleanup();
  return rc;
}
