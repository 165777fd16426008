/* HTTP tests of what lets readers and crawlers follow the site: every RSS
 * and Atom feed is read by a real feed client (Debian's python3-feedparser)
 * without errors and gives the right titles, links, dates and authors;
 * xmllint finds each XML document well-formed; the JSON Feed has its
 * required fields. Feeds follow their section, tag or author, are linked
 * from pages, answer conditional GETs and change when an article does. The
 * article page's JSON-LD, Open Graph and Twitter tags are parsed and
 * checked against the page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../shared.h"
#include "harness.h"

#define SITE "http://127.0.0.1:8080"
#define TAG_ENC "%D8%B7%D8%A7%D9%82%D8%A9" /* طاقة */
#define SECOND_TITLE                                                           \
  "\xd8\xa7\xd9\x84\xd8\xb1\xd9\x8a\xd8\xa7\xd8\xad \xd8\xaa\xd8\xb4\xd8\xba"  \
  "\xd9\x84 \xd9\x85\xd8\xad\xd8\xb7\xd8\xa9 \xd8\xac\xd8\xaf\xd9\x8a\xd8\xaf" \
  "\xd8\xa9" /* الرياح تشغل محطة جديدة */

/* Reads a feed file with feedparser; prints one line per entry:
 * title|link|published (UTC, ISO)|author|tags, after a first line with
 * the feed's title and language. Exits 1 on any bozo (parse) error. */
static const char checker[] =
    "import sys, time, feedparser\n"
    "d = feedparser.parse(open(sys.argv[1], 'rb').read())\n"
    "if d.bozo:\n"
    "    print('bozo:', d.bozo_exception); sys.exit(1)\n"
    "print(d.version, d.feed.get('title'), d.feed.get('language'), sep='|')\n"
    "for e in d.entries:\n"
    "    when = time.strftime('%Y-%m-%dT%H:%M:%SZ', e.published_parsed)\n"
    "    tags = ','.join(t.term for t in e.get('tags', []))\n"
    "    print(e.title, e.link, when, e.get('author', ''), tags, sep='|')\n";

/* Checks a JSON Feed 1.1 file's required fields; prints the items like
 * the checker. */
static const char json_checker[] =
    "import sys, json\n"
    "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
    "assert d['version'] == 'https://jsonfeed.org/version/1.1', d['version']\n"
    "assert d['title'] and d['feed_url'] and d['home_page_url']\n"
    "assert d['language'] == 'ar' and d['authors'][0]['name']\n"
    "print('json', d['title'], d['language'], sep='|')\n"
    "for i in d['items']:\n"
    "    assert i['id'] and i['url'] and i['title'] and i['date_published']\n"
    "    assert ('content_html' in i) or ('content_text' in i)\n"
    "    who = i.get('authors', [{}])[0].get('name', '')\n"
    "    print(i['title'], i['url'], i['date_published'], who,\n"
    "          ','.join(i.get('tags', [])), sep='|')\n";

/* Reads an article page (argv[1]) and its expected canonical URL
 * (argv[2]): parses the JSON-LD and the meta tags and checks them against
 * the page. Prints what failed and exits 1. */
static const char ld_checker[] =
    "import sys, json, re, html\n"
    "page = open(sys.argv[1], encoding='utf-8').read()\n"
    "canonical = sys.argv[2]\n"
    "blocks = re.findall(r'<script type=\"application/ld\\+json\">(.*?)"
    "</script>', page, re.S)\n"
    "assert len(blocks) == 1, blocks\n"
    "ld = json.loads(blocks[0])\n"
    "assert ld['@context'] == 'https://schema.org'\n"
    "types = {n['@type']: n for n in ld['@graph']}\n"
    "a = types['NewsArticle']\n"
    "meta = dict(re.findall(r'<meta (?:property|name)=\"([^\"]+)\" "
    "content=\"([^\"]*)\"', page))\n"
    "h1 = html.unescape(re.search(r'<h1[^>]*>(.*?)</h1>', page, re.S)"
    ".group(1)).strip()\n"
    "times = re.findall(r'<time[^>]*datetime=\"([^\"]+)\"', page)\n"
    "for k in ['headline', 'datePublished', 'dateModified', 'author',\n"
    "          'publisher', 'mainEntityOfPage', 'inLanguage',\n"
    "          'articleSection', 'image']:\n"
    "    assert a.get(k), 'missing ' + k\n"
    "assert a['headline'] == h1, (a['headline'], h1)\n"
    "assert a['mainEntityOfPage'] == canonical, a['mainEntityOfPage']\n"
    "assert a['inLanguage'] == 'ar'\n"
    "assert a['datePublished'] in times, (a['datePublished'], times)\n"
    "assert a['author'][0]['name'] == 'Reporter', a['author']\n"
    "assert a['author'][0]['url'].startswith('http'), a['author']\n"
    "assert a['publisher']['name'] and a['publisher']['logo']['url']\n"
    "assert a['image'][0] == meta['og:image']\n"
    "assert meta['og:url'] == canonical and meta['og:title'] == h1\n"
    "assert meta['og:locale'] == 'ar_MA', meta['og:locale']\n"
    "assert meta['og:type'] == 'article'\n"
    "assert meta['article:published_time'] == a['datePublished']\n"
    "assert meta['twitter:card'] == 'summary_large_image'\n"
    "crumbs = types['BreadcrumbList']['itemListElement']\n"
    "assert [c['position'] for c in crumbs] == [1, 2, 3]\n"
    "assert crumbs[2]['item'] == canonical and crumbs[2]['name'] == h1\n"
    "assert crumbs[1]['name'] == a['articleSection']\n"
    "print('ok')\n";

static void write_file(const char *name, const char *text, size_t n) {
  char path[400];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, n, f), n);
  fclose(f);
}

/* Runs cmd (a shell command) and returns its exit status, its output in
 * out (may be NULL). */
static int run(const char *cmd, buf_t *out) {
  FILE *p = popen(cmd, "r");
  char chunk[4096];
  size_t k;
  assert_non_null(p);
  while ((k = fread(chunk, 1, sizeof chunk, p)) > 0)
    if (out)
      buf_append(out, chunk, k);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* GETs path, checks it is a feed of the given content type, validates it
 * (xmllint, then feedparser or the JSON check) and leaves the client's
 * lines in out. */
static void read_feed(const char *path, const char *type, buf_t *out) {
  reply r;
  char ct[200];
  get("GET", path, NULL, NULL, &r);
  if (r.status != 200)
    fail_msg("%s: status %ld", path, r.status);
  assert_true(header(&r, "Content-Type", ct, sizeof ct));
  assert_non_null(strstr(ct, type));
  write_file("feed.out", r.body.data, r.body.len);
  int json = strstr(type, "json") != NULL;
  char cmd[1200];
  if (!json) {
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s/feed.out' 2>&1", dir);
    buf_t lint = {0};
    if (run(cmd, &lint) != 0)
      fail_msg("%s is not well-formed XML: %s", path, lint.data);
    buf_free(&lint);
  }
  snprintf(cmd, sizeof cmd,
           "PYTHONIOENCODING=utf-8 /usr/bin/python3 '%s/%s' '%s/feed.out' 2>&1",
           dir, json ? "json_checker.py" : "checker.py", dir);
  buf_reset(out);
  if (run(cmd, out) != 0)
    fail_msg("%s: the feed client refused it: %s", path,
             out->data ? out->data : "");
  reply_free(&r);
}

static int import_article(const char *name, const char *text,
                          const char *section, const char *author,
                          const char *tags, const char *date) {
  char page[400];
  snprintf(page, sizeof page, "%s/%s", dir, name);
  write_file(name, text, strlen(text));
  const char *args[] = {"import", "page",     "--db", db,       "--section",
                        section,  "--author", author, "--tags", tags,
                        "--date", date,       page,   NULL};
  return naba(NULL, args);
}

static int feeds_setup(void **state) {
  int rc = setup(state);
  write_file("checker.py", checker, sizeof checker - 1);
  write_file("json_checker.py", json_checker, sizeof json_checker - 1);
  write_file("ld_checker.py", ld_checker, sizeof ld_checker - 1);
  /* A second article, in another section, by another author, tagged, with
   * a character XML 1.0 forbids (U+FFFE) in its body. */
  assert_int_equal(
      import_article(
          "second.txt",
          SECOND_TITLE "\n\n" SECOND_TITLE "\n\n"
                       "\xd9\x86\xd8\xb5 \xef\xbf\xbe \xd8\xb9\xd9"
                       "\x86 \xd8\xa7\xd9\x84\xd8\xb7\xd8\xa7\xd9"
                       "\x82\xd8\xa9 & <\xd8\xa7\xd9\x84\xd8\xb1"
                       "\xd9\x8a\xd8\xa7\xd8\xad>\n",
          "\xd8\xa7\xd9\x82\xd8\xaa\xd8\xb5\xd8\xa7\xd8\xaf", /* اقتصاد */
          "Salma", "\xd8\xb7\xd8\xa7\xd9\x82\xd8\xa9, Energy", /* طاقة */
          "2026-01-05T10:30Z"),
      0);
  return rc;
}

static void site_feeds_are_read_by_a_real_client(void **s) {
  (void)s;
  buf_t out = {0};
  char want[1400];
  /* feedparser's line: title|link|published|author|tags */
  snprintf(want, sizeof want, "|" SITE "%s|2021-11-24T08:00:00Z|Reporter|",
           article_path);
  static const char *const feeds[][2] = {
      {"/feed", "application/rss+xml"},
      {"/feed/", "application/rss+xml"},
      {"/feed/atom", "application/atom+xml"},
      {"/feed/json", "application/feed+json"}};
  for (size_t i = 0; i < sizeof feeds / sizeof feeds[0]; i++) {
    read_feed(feeds[i][0], feeds[i][1], &out);
    /* the site's name and language */
    if (!strstr(out.data, "|ar\n") && !strstr(out.data, "|ar-"))
      fail_msg("%s: no language ar in %s", feeds[i][0], out.data);
    if (!strstr(out.data, want) || !strstr(out.data, "\n" SEED_TITLE))
      fail_msg("%s: no entry %s in\n%s", feeds[i][0], want, out.data);
    /* newest first: the 2026 article before the 2021 one */
    char *second = strstr(out.data, SECOND_TITLE "|");
    assert_non_null(second);
    assert_true(second < strstr(out.data, want));
    assert_non_null(strstr(second, "|2026-01-05T10:30:00Z|Salma|"));
  }
  buf_free(&out);
}

static void section_tag_and_author_feeds_hold_only_theirs(void **s) {
  (void)s;
  buf_t out = {0};
  static const char *const kinds[][2] = {{"", "application/rss+xml"},
                                         {"/atom", "application/atom+xml"},
                                         {"/json", "application/feed+json"}};
  for (size_t k = 0; k < 3; k++) {
    char path[300];
    snprintf(path, sizeof path, "/%s/feed%s", SECTION_SLUG_ENC, kinds[k][0]);
    read_feed(path, kinds[k][1], &out);
    assert_non_null(strstr(out.data, SEED_TITLE));
    assert_null(strstr(out.data, SECOND_TITLE));

    snprintf(path, sizeof path, "/tag/%s/feed%s", TAG_ENC, kinds[k][0]);
    read_feed(path, kinds[k][1], &out);
    assert_non_null(strstr(out.data, SECOND_TITLE "|"));
    assert_null(strstr(out.data, SEED_TITLE));
    /* the section first, then the tags by name */
    assert_non_null(strstr(out.data, "|Salma|\xd8\xa7\xd9\x82\xd8\xaa\xd8\xb5"
                                     "\xd8\xa7\xd8\xaf,Energy,\xd8\xb7"));

    snprintf(path, sizeof path, "/author/reporter/feed%s", kinds[k][0]);
    read_feed(path, kinds[k][1], &out);
    assert_non_null(strstr(out.data, SEED_TITLE));
    assert_null(strstr(out.data, SECOND_TITLE));
  }
  /* Unknown ones are not found, as pages are. */
  expect_status("GET", "/tag/nothing-here/feed", 404);
  expect_status("GET", "/author/nobody/feed/atom", 404);
  expect_status("GET", "/feed/xml", 404);
  buf_free(&out);
}

static void feed_text_is_escaped_and_cleaned_for_xml(void **s) {
  (void)s;
  reply r;
  get("GET", "/feed", NULL, NULL, &r);
  /* Arabic stays UTF-8, not character references. */
  assert_non_null(strstr(r.body.data, SECOND_TITLE));
  assert_null(strstr(r.body.data, "&#x"));
  /* U+FFFE is gone; the body's markup is escaped text in the XML. */
  assert_null(strstr(r.body.data, "\xef\xbf\xbe"));
  assert_non_null(strstr(r.body.data, "&amp;amp; &amp;lt;"));
  reply_free(&r);
}

static void full_text_or_excerpt_is_a_setting(void **s) {
  (void)s;
  reply r;
  get("GET", "/feed", NULL, NULL, &r);
  assert_non_null(strstr(r.body.data, "<content:encoded>"));
  reply_free(&r);
  const char *args[] = {"settings",     "set",     "--db", db,
                        "feed_content", "excerpt", NULL};
  assert_int_equal(naba(NULL, args), 0);
  /* The settings change drops the cached feeds (tag "site"). */
  for (int i = 0; i < 40; i++) {
    get("GET", "/feed", NULL, NULL, &r);
    int gone = strstr(r.body.data, "<content:encoded>") == NULL;
    reply_free(&r);
    if (gone)
      break;
    usleep(50 * 1000);
  }
  get("GET", "/feed", NULL, NULL, &r);
  assert_null(strstr(r.body.data, "<content:encoded>"));
  assert_non_null(strstr(r.body.data, "<description>"));
  reply_free(&r);
  get("GET", "/feed/json", NULL, NULL, &r);
  assert_null(strstr(r.body.data, "content_html"));
  assert_non_null(strstr(r.body.data, "content_text"));
  reply_free(&r);
  get("GET", "/feed/atom", NULL, NULL, &r);
  assert_null(strstr(r.body.data, "<content"));
  reply_free(&r);
  const char *back[] = {"settings", "unset", "--db", db, "feed_content", NULL};
  assert_int_equal(naba(NULL, back), 0);
  assert_true(eventually_contains("/feed", "<content:encoded>"));
}

static void feeds_answer_conditional_gets_and_follow_new_articles(void **s) {
  (void)s;
  reply r;
  char etag[200], modified[200], hdr[300];
  get("GET", "/feed/atom", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_true(header(&r, "ETag", etag, sizeof etag));
  assert_true(header(&r, "Last-Modified", modified, sizeof modified));
  reply_free(&r);
  snprintf(hdr, sizeof hdr, "If-None-Match: %s", etag);
  get("GET", "/feed/atom", hdr, NULL, &r);
  assert_int_equal(r.status, 304);
  assert_int_equal(r.body.len, 0);
  reply_free(&r);
  snprintf(hdr, sizeof hdr, "If-Modified-Since: %s", modified);
  get("GET", "/feed/atom", hdr, NULL, &r);
  assert_int_equal(r.status, 304);
  reply_free(&r);

  /* A new article is in the feed at once (the change log drops it). */
  assert_int_equal(
      import_text(
          "third.txt",
          "\xd8\xae\xd8\xa8\xd8\xb1 \xd8\xb9\xd8\xa7\xd8\xac\xd9\x84\n\n"
          "\xd8\xae\xd8\xa8\xd8\xb1 \xd8\xb9\xd8\xa7\xd8\xac\xd9\x84\n\n"
          "\xd9\x86\xd8\xb5 \xd8\xa7\xd9\x84\xd8\xae\xd8\xa8\xd8\xb1\n",
          NULL, NULL),
      0);
  assert_true(eventually_contains(
      "/feed/atom",
      "\xd8\xae\xd8\xa8\xd8\xb1 \xd8\xb9\xd8\xa7\xd8\xac\xd9\x84"));
  get("GET", "/feed/atom", hdr, NULL, &r);
  assert_int_equal(r.status, 200);
  reply_free(&r);
}

static void pages_link_their_feeds(void **s) {
  (void)s;
  reply r;
  get("GET", "/", NULL, NULL, &r);
  assert_non_null(strstr(r.body.data, "<link rel=\"alternate\" type=\""
                                      "application/rss+xml\""));
  assert_non_null(strstr(r.body.data, "href=\"/feed/atom\""));
  assert_non_null(strstr(r.body.data, "href=\"/feed/json\""));
  reply_free(&r);
  get("GET", "/" SECTION_SLUG_ENC "/", NULL, NULL, &r);
  assert_non_null(strstr(r.body.data, "href=\"/" SECTION_SLUG_ENC "/feed\""));
  reply_free(&r);
}

static void follow_links_show_in_header_and_footer_only_when_set(void **s) {
  (void)s;
  reply r;
  get("GET", "/", NULL, NULL, &r);
  assert_null(strstr(r.body.data, "class=\"channels\""));
  assert_null(strstr(r.body.data, "class=\"follow-links\""));
  reply_free(&r);
  const char *wa[] = {"settings",
                      "set",
                      "--db",
                      db,
                      "whatsapp_channel",
                      "https://whatsapp.com/channel/abc",
                      NULL};
  const char *gn[] = {"settings",
                      "set",
                      "--db",
                      db,
                      "google_news_url",
                      "https://news.google.com/publications/xyz",
                      NULL};
  assert_int_equal(naba(NULL, wa), 0);
  assert_int_equal(naba(NULL, gn), 0);
  assert_true(
      eventually_contains("/", "https://news.google.com/publications/xyz"));
  get("GET", "/", NULL, NULL, &r);
  const char *header = strstr(r.body.data, "class=\"channels\"");
  const char *footer = strstr(r.body.data, "class=\"follow-links\"");
  assert_non_null(header);
  assert_non_null(footer);
  assert_true(header < strstr(r.body.data, "<main"));
  assert_true(footer > strstr(r.body.data, "</main>"));
  assert_int_equal(count(r.body.data, "https://whatsapp.com/channel/abc"), 2);
  reply_free(&r);
  const char *unwa[] = {"settings",         "unset", "--db", db,
                        "whatsapp_channel", NULL};
  const char *ungn[] = {"settings", "unset",           "--db",
                        db,         "google_news_url", NULL};
  assert_int_equal(naba(NULL, unwa), 0);
  assert_int_equal(naba(NULL, ungn), 0);
  for (int i = 0; i < 40; i++) {
    get("GET", "/", NULL, NULL, &r);
    int gone = strstr(r.body.data, "class=\"channels\"") == NULL;
    reply_free(&r);
    if (gone)
      return;
    usleep(50 * 1000);
  }
  fail_msg("the header still shows the follow links once unset");
}

static void author_and_tag_pages_list_their_articles(void **s) {
  (void)s;
  reply r;
  get("GET", "/tag/" TAG_ENC "/", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, SECOND_TITLE));
  assert_null(strstr(r.body.data, SEED_TITLE));
  /* its own feed is linked beside the site's */
  assert_non_null(strstr(r.body.data, "href=\"/tag/" TAG_ENC "/feed\""));
  reply_free(&r);
  get("GET", "/author/reporter/", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, SEED_TITLE));
  assert_null(strstr(r.body.data, SECOND_TITLE));
  reply_free(&r);
  /* The article's byline links there. */
  get("GET", article_path, NULL, NULL, &r);
  assert_non_null(strstr(r.body.data, "href=\"/author/reporter/\""));
  reply_free(&r);
  get("GET", "/author/reporter", NULL, NULL, &r);
  assert_int_equal(r.status, 301);
  reply_free(&r);
  expect_status("GET", "/author/nobody/", 404);
  expect_status("GET", "/tag/" TAG_ENC "/page/2", 404);
}

static void article_structured_data_matches_the_page(void **s) {
  (void)s;
  /* An image and a logo, so that every field has something to say. */
  const char *logo[] = {"settings", "set",      "--db",
                        db,         "logo_url", "https://example.org/logo.png",
                        NULL};
  assert_int_equal(naba(NULL, logo), 0);
  const char *args[] = {"import",   "page",
                        "--db",     db,
                        "--date",   "2021-11-24T08:00Z",
                        "--author", "Reporter",
                        "--image",  "https://example.org/a.jpg",
                        SEED,       NULL};
  assert_int_equal(naba(NULL, args), 0);
  assert_true(eventually_contains(article_path, "https://example.org/a.jpg"));
  reply r;
  get("GET", article_path, NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  write_file("article.html", r.body.data, r.body.len);
  reply_free(&r);
  char cmd[2400];
  buf_t out = {0};
  snprintf(cmd, sizeof cmd,
           "PYTHONIOENCODING=utf-8 /usr/bin/python3 '%s/ld_checker.py' "
           "'%s/article.html' '" SITE "%s' 2>&1",
           dir, dir, article_path);
  if (run(cmd, &out) != 0)
    fail_msg("structured data: %s", out.data ? out.data : "");
  buf_free(&out);
}

int main(void) {
  /* Every case needs it: skip them all, before allocating anything. */
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(site_feeds_are_read_by_a_real_client),
      cmocka_unit_test(section_tag_and_author_feeds_hold_only_theirs),
      cmocka_unit_test(feed_text_is_escaped_and_cleaned_for_xml),
      cmocka_unit_test(full_text_or_excerpt_is_a_setting),
      cmocka_unit_test(feeds_answer_conditional_gets_and_follow_new_articles),
      cmocka_unit_test(pages_link_their_feeds),
      cmocka_unit_test(author_and_tag_pages_list_their_articles),
      cmocka_unit_test(follow_links_show_in_header_and_footer_only_when_set),
      cmocka_unit_test(article_structured_data_matches_the_page),
  };
  return cmocka_run_group_tests(tests, feeds_setup, teardown);
}
