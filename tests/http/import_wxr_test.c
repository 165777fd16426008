/* HTTP and CLI tests of `naba import wxr` with WordPress's theme unit test
 * export (read from ../shared): what it brings in, the old links it keeps
 * answering with 301, running it twice, a dry run, and broken files that
 * stop with a reason and leave the database as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../shared.h"
#include "harness.h"

#define THEME_DATA                                                             \
  NABA_SHARED_DIR "/testdata/wxr/themeunittestdata.wordpress.xml"

/* One number from a query on the database at path. */
static int64_t count_in(const char *path, const char *sql) {
  sqlite3 *h;
  sqlite3_stmt *st;
  int64_t v = -1;
  assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(h));
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

static int import(const char *file, int dry, buf_t *out) {
  const char *args[] = {
      "import", "wxr", "--db", db, file, dry ? "--dry-run" : NULL, NULL};
  return naba(out, args);
}

static int imported_setup(void **state) {
  int rc = setup(state);
  buf_t out = {0};
  if (import(THEME_DATA, 0, &out) != 0)
    fail_msg("import failed: %s", out.data);
  buf_free(&out);
  return rc;
}

#define ARTICLES "SELECT count(*) FROM articles"

static void the_export_comes_in_whole(void **s) {
  (void)s;
  /* 58 posts, the seed article besides */
  assert_int_equal(sql_i64(ARTICLES), 59);
  assert_int_equal(sql_i64("SELECT count(*) FROM wp_posts"), 58);
  /* drafts stay drafts (the draft, and the password-protected post); the
   * scheduled one waits for its date */
  assert_int_equal(sql_i64("SELECT count(*) FROM articles a JOIN wp_posts w"
                           " ON w.article_id = a.id WHERE a.status = 0"),
                   2);
  assert_int_equal(sql_i64("SELECT count(*) FROM articles a JOIN wp_posts w"
                           " ON w.article_id = a.id WHERE w.wp_id = 1153 AND"
                           " a.status = 1 AND a.published_at ="
                           " unixepoch('2030-01-01 19:00:18')"),
                   1);
  assert_int_equal(sql_i64("SELECT sticky FROM articles a JOIN wp_posts w"
                           " ON w.article_id = a.id WHERE w.wp_id = 1241"),
                   1);
  assert_int_equal(sql_i64("SELECT count(*) FROM articles WHERE sticky = 1"),
                   1);
  /* nested categories keep their parent; tags; authors and their users,
   * who have no password */
  assert_true(sql_i64("SELECT count(*) FROM sections WHERE parent_id IS NOT"
                      " NULL") > 0);
  assert_true(sql_i64("SELECT count(*) FROM tags") > 10);
  assert_int_equal(sql_i64("SELECT count(*) FROM users"), 2);
  assert_int_equal(
      sql_i64("SELECT count(*) FROM users WHERE password_hash IS NOT NULL"), 0);
  /* comments: threaded replies keep their parents, pending stay pending,
   * pingbacks and trackbacks are not comments (of the export's 33, 4 are
   * pings and 5 are on pages, which take no comments) */
  assert_int_equal(sql_i64("SELECT count(*) FROM comments"), 24);
  assert_true(sql_i64("SELECT count(*) FROM comments c JOIN comments p ON"
                      " p.id = c.parent_id AND p.article_id = c.article_id") >
              5);
  assert_int_equal(sql_i64("SELECT count(*) FROM comments WHERE status = 0"),
                   1);
  /* the 21 pages are static pages, apart from the news */
  assert_int_equal(sql_i64("SELECT count(*) FROM pages"), 21);
  assert_int_equal(sql_i64("SELECT count(*) FROM wp_pages"), 21);
  /* child pages keep their parent (About The Tests has several) */
  assert_true(sql_i64("SELECT count(*) FROM pages c JOIN pages p ON p.id ="
                      " c.parent_id JOIN wp_pages w ON w.page_id = p.id"
                      " WHERE w.wp_id = 2") >= 3);
  /* attachments kept by URL, and lead images from them */
  assert_int_equal(sql_i64("SELECT count(*) FROM attachments"), 37);
  assert_true(sql_i64("SELECT count(*) FROM articles a JOIN wp_posts w ON"
                      " w.article_id = a.id WHERE a.image_url LIKE 'http%'") >
              0);
  /* no script, event handler or javascript: URL survives */
  assert_int_equal(sql_i64("SELECT count(*) FROM articles WHERE"
                           " body_html LIKE '%<script%' OR body_html LIKE"
                           " '%javascript:%' OR body_html LIKE '% onclick=%'"
                           " OR body_html LIKE '% onload=%' OR body_html LIKE"
                           " '%<!-- wp:%'"),
                   0);
  /* [gallery] shows the post's attached images (their attachments come
   * before the post in the file), [gallery ids="..."] the ones it names:
   * added at the end of the article */
  assert_int_equal(sql_i64("SELECT (length(body_html) - length(replace("
                           "body_html, '<img ', ''))) / 5 FROM articles WHERE"
                           " title = 'Post Format: Gallery' AND body_html"
                           " LIKE '%<figure><img src=\"https://%\" alt=\"\">"
                           "</figure>'"),
                   23);
  assert_int_equal(sql_i64("SELECT (length(body_html) - length(replace("
                           "body_html, '<img ', ''))) / 5 FROM articles WHERE"
                           " title = 'Post Format: Gallery (Tiled)'"),
                   5);
  /* the password-protected post is not shown: a private draft */
  assert_int_equal(sql_i64("SELECT count(*) FROM articles a JOIN wp_posts w"
                           " ON w.article_id = a.id WHERE w.wp_id = 1168 AND"
                           " a.status = 0 AND a.draft_state = 'private'"),
                   1);
  /* WordPress's shortcodes are gone: captions are figures with their
   * caption */
  assert_int_equal(sql_i64("SELECT count(*) FROM articles WHERE"
                           " body_html LIKE '%caption]%' OR body_html LIKE"
                           " '%[gallery%' OR body_html LIKE '%gallery]%' OR"
                           " body_html LIKE '%audio]%' OR body_html LIKE"
                           " '%video]%' OR body_html LIKE '%embed]%'"),
                   0);
  assert_int_equal(sql_i64("SELECT count(*) FROM articles WHERE title ="
                           " 'Post Format: Image (Caption)' AND body_html LIKE"
                           " '%<figure><a href=%<img %</a><figcaption>%'"),
                   1);
  /* The import leaves the search index in one segment, as the server
   * would once quiet: searches are fast from the first one. */
  assert_int_equal(
      sql_i64("SELECT count(DISTINCT segid) FROM articles_fts_idx"), 1);
}

/* Drafts have no _gmt date (WordPress writes 0000-00-00) and a pubDate of
 * year -1: their local date is read with the site's offset from UTC, as
 * the posts that have both dates show it (here +01:00). */
static void local_dates_use_the_exports_offset(void **s) {
  (void)s;
  char path[400], fresh[400];
  snprintf(path, sizeof path, "%s/offset.xml", dir);
  snprintf(fresh, sizeof fresh, "%s/offset.db", dir);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\""
        " xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><title>t"
        "</title><wp:wxr_version>1.2</wp:wxr_version>"
        "<item><title>منشور</title><wp:post_id>1</wp:post_id>"
        "<wp:post_date>2024-03-10 12:00:00</wp:post_date>"
        "<wp:post_date_gmt>2024-03-10 11:00:00</wp:post_date_gmt>"
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        "</item><item><title>مسودة</title><wp:post_id>2</wp:post_id>"
        "<pubDate>Mon, 30 Nov -0001 00:00:00 +0000</pubDate>"
        "<wp:post_date>2024-03-11 09:00:00</wp:post_date>"
        "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>"
        "<wp:status>draft</wp:status><wp:post_type>post</wp:post_type>"
        "</item></channel></rss>",
        f);
  fclose(f);
  const char *init[] = {"init", "--db", fresh, NULL};
  assert_int_equal(naba(NULL, init), 0);
  const char *im[] = {"import", "wxr", "--db", fresh, path, NULL};
  assert_int_equal(naba(NULL, im), 0);
  /* 2024-03-10T11:00:00Z and 2024-03-11T08:00:00Z */
  assert_int_equal(count_in(fresh, "SELECT published_at FROM articles"
                                   " WHERE title = 'منشور'"),
                   1710068400);
  assert_int_equal(count_in(fresh, "SELECT published_at FROM articles"
                                   " WHERE title = 'مسودة'"),
                   1710144000);
}

/* `naba media list`: every media URL the site still loads from the old
 * one, to mirror: the 37 kept attachments and the images of bodies (the
 * sized copies "?w=604" the posts show), once each, sorted. */
static void media_list_names_what_to_mirror(void **s) {
  (void)s;
  buf_t out = {0};
  const char *args[] = {"media", "list", "--db", db, NULL};
  assert_int_equal(naba(&out, args), 0);
  size_t lines = 0;
  const char *prev = NULL;
  for (char *line = out.data, *nl; line && *line; line = nl + 1) {
    nl = strchr(line, '\n');
    assert_non_null(nl);
    *nl = '\0';
    assert_true(strncmp(line, "https://", 8) == 0);
    if (prev)
      assert_true(strcmp(prev, line) < 0); /* sorted, no repeats */
    prev = line;
    lines++;
  }
  assert_true(lines > 37);
  buf_free(&out);
  assert_int_equal(naba(&out, args), 0);
  assert_non_null(strstr(out.data,
                         "https://wpthemetestdata.files.wordpress.com/2008/06/"
                         "canola2.jpg\n"));
  assert_non_null(strstr(out.data, "100_5478.jpg?w=604\n"));
  buf_free(&out);
}

/* The header lists top-level sections only (the export has 68 categories,
 * 11 of them nested); a parent's page lists its subsections, and a
 * subsection's page leads back to its parent. */
static void nested_sections_are_listed_under_their_parent(void **s) {
  (void)s;
  reply r;
  get("GET", "/", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  const char *nav = strstr(r.body.data, "<nav class=\"sections\"");
  assert_non_null(nav);
  size_t len = (size_t)(strstr(nav, "</nav>") - nav);
  char *menu = strndup(nav, len);
  assert_non_null(strstr(menu, "href=\"/parent-category/\""));
  assert_null(strstr(menu, "child-category-01"));
  assert_int_equal(count(menu, "<li"),
                   1 + (int)sql_i64("SELECT count(*) FROM sections"
                                    " WHERE parent_id IS NULL"));
  free(menu);
  reply_free(&r);
  get("GET", "/parent-category/", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  const char *sub = strstr(r.body.data, "class=\"subsections\"");
  assert_non_null(sub);
  for (int i = 1; i <= 5; i++) {
    char href[64];
    snprintf(href, sizeof href, "href=\"/child-category-0%d/\"", i);
    assert_non_null(strstr(sub, href));
  }
  reply_free(&r);
  get("GET", "/child-category-01/", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  const char *crumbs = strstr(r.body.data, "class=\"crumbs\"");
  assert_non_null(crumbs);
  assert_non_null(strstr(crumbs, "<a href=\"/parent-category/\">"));
  reply_free(&r);
}

static void old_links_answer_301_to_the_article(void **s) {
  (void)s;
  reply r;
  char loc[1024];
  /* /?p=ID, even with the home page in the cache */
  get("GET", "/", NULL, NULL, &r);
  reply_free(&r);
  get("GET", "/?p=1241", NULL, NULL, &r);
  assert_int_equal(r.status, 301);
  assert_true(header(&r, "Location", loc, sizeof loc));
  reply_free(&r);
  get("GET", loc, NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "Template: Sticky"));
  reply_free(&r);
  /* the old permalink path */
  get("GET", "/2012/01/07/template-sticky/", NULL, NULL, &r);
  assert_int_equal(r.status, 301);
  char loc2[1024];
  assert_true(header(&r, "Location", loc2, sizeof loc2));
  assert_string_equal(loc2, loc);
  reply_free(&r);
  /* a page: its old path and its ID lead to /pages/{slug} */
  get("GET", "/about/", NULL, NULL, &r);
  assert_int_equal(r.status, 301);
  assert_true(header(&r, "Location", loc, sizeof loc));
  assert_non_null(strstr(loc, "/pages/about"));
  reply_free(&r);
  get("GET", "/?p=2", NULL, NULL, &r);
  assert_int_equal(r.status, 301);
  reply_free(&r);
  get("GET", "/pages/about", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "<h1>About The Tests</h1>"));
  reply_free(&r);
  expect_status("GET", "/pages/no-such-page", 404);
  /* the home page is still the home page; unknown ids and drafts are
   * not found */
  get("GET", "/", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  reply_free(&r);
  expect_status("GET", "/?p=999999", 200); /* the home page, as WordPress */
  expect_status("GET", "/2099/01/01/nothing/", 404);
  get("GET", "/?p=1164", NULL, NULL, &r); /* the draft */
  assert_int_equal(r.status, 200);
  assert_null(strstr(r.body.data, ">Draft<"));
  reply_free(&r);
}

static void running_it_again_updates_instead_of_duplicating(void **s) {
  (void)s;
  buf_t out = {0};
  int64_t articles = sql_i64(ARTICLES),
          comments = sql_i64("SELECT count(*) FROM comments"),
          sections = sql_i64("SELECT count(*) FROM sections"),
          bodies = sql_i64("SELECT sum(length(body_html)) FROM articles");
  assert_int_equal(import(THEME_DATA, 0, &out), 0);
  assert_non_null(strstr(out.data, "(0 new, 58 updated)"));
  /* the same bodies: galleries are added once, not again */
  assert_int_equal(sql_i64("SELECT sum(length(body_html)) FROM articles"),
                   bodies);
  assert_int_equal(sql_i64(ARTICLES), articles);
  assert_int_equal(sql_i64("SELECT count(*) FROM comments"), comments);
  assert_int_equal(sql_i64("SELECT count(*) FROM sections"), sections);
  buf_free(&out);
}

static void broken_files_stop_with_a_reason_and_change_nothing(void **s) {
  (void)s;
  int64_t before = sql_i64(ARTICLES);
  char path[400];
  /* the export cut in the middle of a post */
  FILE *in = fopen(THEME_DATA, "rb");
  assert_non_null(in);
  char *data = malloc(700000);
  size_t n = fread(data, 1, 700000, in);
  fclose(in);
  snprintf(path, sizeof path, "%s/cut.xml", dir);
  FILE *o = fopen(path, "wb");
  assert_non_null(o);
  fwrite(data, 1, n / 3, o);
  fclose(o);
  free(data);
  buf_t out = {0};
  assert_int_not_equal(import(path, 0, &out), 0);
  assert_non_null(strstr(out.data, "well-formed"));
  assert_non_null(strstr(out.data, "line "));
  buf_free(&out);
  /* a third of the posts were there already: a re-import updates them */
  assert_int_equal(sql_i64(ARTICLES), before);

  static const char *const bad[][2] = {
      {"laughs.xml", "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aa\">"
                     "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                     "<rss><channel><title>&b;</title></channel></rss>"},
      {"external.xml", "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM"
                       " \"file:///etc/passwd\">]><rss><channel>&x;</channel>"
                       "</rss>"},
      {"latin1.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss>"
                     "<channel><title>caf\xe9</title></channel></rss>"},
      {"page.xml", "<?xml version=\"1.0\"?><html><body>x</body></html>"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, bad[i][0]);
    o = fopen(path, "wb");
    assert_non_null(o);
    fputs(bad[i][1], o);
    fclose(o);
    buf_t e = {0};
    if (import(path, 0, &e) == 0)
      fail_msg("%s was imported", bad[i][0]);
    assert_non_null(strstr(e.data, "line "));
    assert_null(strstr(e.data, "root:")); /* /etc/passwd never read */
    buf_free(&e);
  }
  assert_int_equal(sql_i64(ARTICLES), before);
}

static void a_dry_run_writes_nothing(void **s) {
  (void)s;
  buf_t out = {0};
  const char *args[] = {"init", "--db", NULL, NULL};
  char fresh[400];
  snprintf(fresh, sizeof fresh, "%s/dry.db", dir);
  args[2] = fresh;
  assert_int_equal(naba(NULL, args), 0);
  const char *dry[] = {"import",    "wxr",      "--db", fresh,
                       "--dry-run", THEME_DATA, NULL};
  assert_int_equal(naba(&out, dry), 0);
  assert_non_null(strstr(out.data, "dry run, nothing written: 58 posts"));
  buf_free(&out);
  sqlite3 *h;
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open(fresh, &h), SQLITE_OK);
  assert_int_equal(
      sqlite3_prepare_v2(h, "SELECT count(*) FROM articles", -1, &st, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(st, 0), 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
}

/* The file is read on a thread of its own while the writer works: a write
 * that fails must stop the reading (which by then waits on a full queue:
 * the export has 190 items), undo its batch and say which post it was. */
static void a_failing_write_stops_the_reading_and_undoes_its_batch(void **s) {
  (void)s;
  char fresh[400];
  snprintf(fresh, sizeof fresh, "%s/failing.db", dir);
  const char *init[] = {"init", "--db", fresh, NULL};
  assert_int_equal(naba(NULL, init), 0);
  sqlite3 *h;
  assert_int_equal(sqlite3_open(fresh, &h), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(h,
                   "CREATE TRIGGER full BEFORE INSERT ON articles"
                   " WHEN (SELECT count(*) FROM articles) >= 20"
                   " BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(h);
  buf_t out = {0};
  const char *im[] = {"import", "wxr", "--db", fresh, THEME_DATA, NULL};
  assert_int_not_equal(naba(&out, im), 0);
  assert_non_null(strstr(out.data, "the disk is full"));
  assert_non_null(strstr(out.data, "post "));
  /* the failing batch is undone, and the message counts what the
   * database holds: the batches committed before it (by item count or
   * time), not what was written and then rolled back */
  const char *held = strstr(out.data, "the database holds what ");
  assert_non_null(held);
  long long batches, posts, created, comments;
  assert_int_equal(sscanf(held,
                          "the database holds what %lld earlier batches "
                          "wrote: %lld posts (%lld new), %lld comments",
                          &batches, &posts, &created, &comments),
                   4);
  buf_free(&out);
  assert_true(posts < 20);
  assert_int_equal(count_in(fresh, ARTICLES), posts);
  assert_int_equal(count_in(fresh, "SELECT count(*) FROM comments"), comments);
  assert_true(batches > 0 || posts == 0);
}

static void export_then_import_gives_the_same_site(void **s) {
  (void)s;
  char xml[400], copy[400];
  snprintf(xml, sizeof xml, "%s/export.xml", dir);
  snprintf(copy, sizeof copy, "%s/copy.db", dir);
  /* A draft awaiting review and a post kept private (the theme unit test
   * export has neither, besides its password-protected post): the export
   * says so, the import keeps it. */
  sqlite3 *h;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(h,
                   "UPDATE articles SET draft_state = 'pending' WHERE id ="
                   " (SELECT article_id FROM wp_posts WHERE wp_id = 1164);"
                   "UPDATE articles SET status = 0, draft_state = 'private'"
                   " WHERE id = (SELECT article_id FROM wp_posts"
                   " WHERE wp_id = 163);"
                   "UPDATE pages SET status = 0, draft_state = 'pending'"
                   " WHERE id = (SELECT min(id) FROM pages)",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(h);
  assert_int_equal(
      sql_i64("SELECT count(*) FROM articles WHERE draft_state <> ''"), 3);
  const char *ex[] = {"export", "wxr", "--db", db, xml, NULL};
  buf_t out = {0};
  assert_int_equal(naba(&out, ex), 0);
  assert_non_null(strstr(out.data, "59 posts"));
  buf_free(&out);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", xml);
  assert_int_equal(system(cmd), 0);
  const char *init[] = {"init", "--db", copy, NULL};
  assert_int_equal(naba(NULL, init), 0);
  const char *im[] = {"import", "wxr", "--db", copy, xml, NULL};
  assert_int_equal(naba(NULL, im), 0);
  static const char *const same[] = {
      "SELECT count(*) FROM articles",
      "SELECT sum(status) FROM articles",
      "SELECT sum(sticky) FROM articles",
      "SELECT count(*) FROM articles WHERE image_url <> ''",
      "SELECT count(*) FROM comments",
      "SELECT count(*) FROM comments WHERE status = 0",
      "SELECT count(*) FROM comments WHERE parent_id IS NOT NULL",
      "SELECT count(*) FROM sections",
      "SELECT count(*) FROM sections WHERE parent_id IS NOT NULL",
      "SELECT count(*) FROM tags",
      "SELECT count(*) FROM article_tags",
      "SELECT count(*) FROM pages",
      "SELECT count(*) FROM pages WHERE parent_id IS NOT NULL",
      "SELECT count(DISTINCT title || slug || body_html) FROM pages",
      "SELECT count(DISTINCT title || published_at || body_html) FROM articles",
      "SELECT count(*) FROM articles WHERE draft_state = 'pending'",
      "SELECT count(*) FROM articles WHERE draft_state = 'private'",
      "SELECT count(*) FROM pages WHERE draft_state = 'pending'",
      "SELECT count(*) FROM pages WHERE status = 0",
  };
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
    int64_t a = sql_i64(same[i]), b = count_in(copy, same[i]);
    if (a != b)
      fail_msg("%s: %lld before, %lld after the round trip", same[i],
               (long long)a, (long long)b);
  }
  /* Importing naba's own export into the same site: every article keeps
   * answering at its URL, never a redirect to itself. */
  const char *again[] = {"import", "wxr", "--db", db, xml, NULL};
  assert_int_equal(naba(NULL, again), 0);
  expect_status("GET", article_path, 200);
}

/* Writes the parts, one after the other, to dir/name; the path into
 * path. */
static void write_parts(const char *name, const char *const *parts, size_t k,
                        char *path, size_t n) {
  snprintf(path, n, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  for (size_t i = 0; i < k; i++)
    fputs(parts[i], f);
  fclose(f);
}

/* A WXR head and tail around items. */
#define WXR_HEAD                                                               \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\""             \
  " xmlns:wp=\"http://wordpress.org/export/1.2/\""                             \
  " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"      \
  "<title>t</title><wp:wxr_version>1.2</wp:wxr_version>"                       \
  "<wp:base_blog_url>http://old.example</wp:base_blog_url>"
#define WXR_TAIL "</channel></rss>"

#define URL_POST(id, meta, comments)                                           \
  "<item><title>url rule " #id "</title><wp:post_id>" #id "</wp:post_id>"      \
  "<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>"                   \
  "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"            \
  "<category domain=\"category\" nicename=\"url-rule\">url rule</category>"    \
  "<content:encoded><![CDATA[<p>text</p>]]></content:encoded>" meta comments   \
  "</item>"
#define URL_COMMENT(id, url)                                                   \
  "<wp:comment><wp:comment_id>" #id "</wp:comment_id>"                         \
  "<wp:comment_author>reader</wp:comment_author>"                              \
  "<wp:comment_author_email>r@example.com</wp:comment_author_email>"           \
  "<wp:comment_author_url>" url "</wp:comment_author_url>"                     \
  "<wp:comment_approved>1</wp:comment_approved>"                               \
  "<wp:comment_content>a comment</wp:comment_content></wp:comment>"
#define META(k, v)                                                             \
  "<wp:postmeta><wp:meta_key>" k "</wp:meta_key><wp:meta_value>" v             \
  "</wp:meta_value></wp:postmeta>"

/* The page at path (following a redirect from /?p=ID) has no "evil" in
 * any case: every hostile URL of the test names it. */
static void no_evil_at(const char *path, const char *needle) {
  reply r;
  char loc[1024];
  get("GET", path, NULL, NULL, &r);
  if (r.status == 301 && header(&r, "Location", loc, sizeof loc)) {
    reply_free(&r);
    get("GET", loc, NULL, NULL, &r);
  }
  assert_int_equal(r.status, 200);
  for (char *p = r.body.data; *p; p++)
    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  if (strstr(r.body.data, "evil"))
    fail_msg("%s shows a hostile URL: ...%.120s", path,
             strstr(r.body.data, "evil") - 60);
  if (needle && !strstr(r.body.data, needle))
    fail_msg("%s lacks %s", path, needle);
  reply_free(&r);
}

/* Comment author URLs and lead images from an export pass the one URL
 * rule (http, https or a path on the site) when imported, and again when
 * shown: rows an older import stored are not shown either. */
static void imported_urls_pass_the_url_rule_where_stored_and_shown(void **s) {
  (void)s;
  char path[400];
  static const char *const parts[] = {
      WXR_HEAD,
      "<item><title>att</title><wp:post_id>9001</wp:post_id>"
      "<wp:post_type>attachment</wp:post_type><wp:attachment_url>"
      "JaVaScRiPt:alert('evil-att')</wp:attachment_url></item>",
      URL_POST(9002, META("_thumbnail_id", "9001"),
               URL_COMMENT(90021, "javascript:alert('evil-c1')")
                   URL_COMMENT(90022, "data:text/html,&lt;b&gt;evil-c2")),
      URL_POST(9012, "",
               URL_COMMENT(90023, " java&#9;script:alert('evil-c3')")
                   URL_COMMENT(90024, "//evil-c4.example/")),
      URL_POST(9022, "",
               URL_COMMENT(90025, "&amp;#106;avascript:evil-c5")
                   URL_COMMENT(90026, "https://reader.example/good")),
      URL_POST(9003, META("_naba_image_url", "javascript:alert('evil-img')"),
               URL_COMMENT(90031, "&#10;&#13; javascript:evil-c6")),
      URL_POST(9004, META("_naba_image_url", "https://img.example/good.jpg"),
               URL_COMMENT(90041, "https://reader.example/c")),
      URL_POST(9005, META("_naba_image_url", "https://img.example/later.jpg"),
               URL_COMMENT(90051, "https://reader.example/d")),
      WXR_TAIL,
  };
  write_parts("urls.xml", parts, sizeof parts / sizeof parts[0], path,
              sizeof path);
  buf_t out = {0};
  if (import(path, 0, &out) != 0)
    fail_msg("import failed: %s", out.data);
  buf_free(&out);
  /* on the way in */
  assert_int_equal(sql_i64("SELECT count(*) FROM articles a JOIN wp_posts w"
                           " ON w.article_id = a.id WHERE w.wp_id >= 9002"
                           " AND w.wp_id <= 9022"),
                   6);
  assert_int_equal(
      sql_i64("SELECT count(*) FROM articles WHERE image_url LIKE '%evil%'"),
      0);
  assert_int_equal(
      sql_i64("SELECT count(*) FROM comments WHERE author_url LIKE '%evil%'"),
      0);
  assert_int_equal(sql_i64("SELECT count(*) FROM comments WHERE author_url ="
                           " 'https://reader.example/good'"),
                   1);
  assert_int_equal(
      sql_i64("SELECT count(*) FROM attachments WHERE url LIKE '%evil%'"), 0);
  /* rows written before the rule (here by hand) are not shown either */
  sqlite3 *h;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(h,
                   "UPDATE articles SET image_url = ' JaVaScRiPt:evil-old'"
                   " WHERE id = (SELECT article_id FROM wp_posts"
                   " WHERE wp_id = 9005);"
                   "UPDATE comments SET author_url = 'data:text/html,evil-old'"
                   " WHERE article_id = (SELECT article_id FROM wp_posts"
                   " WHERE wp_id = 9005)",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(h);
  /* on the way out: links, img src, og:image, JSON-LD, cards, and the
   * feeds' enclosures and images */
  no_evil_at("/?p=9002", NULL);
  no_evil_at("/?p=9012", NULL);
  no_evil_at("/?p=9022", "https://reader.example/good");
  no_evil_at("/?p=9003", NULL);
  no_evil_at("/?p=9004", "<meta property=\"og:image\" content=\""
                         "https://img.example/good.jpg\">");
  no_evil_at("/?p=9005", NULL);
  no_evil_at("/url-rule/", "https://img.example/good.jpg");
  no_evil_at("/url-rule/feed",
             "<enclosure url=\"https://img.example/good.jpg\"");
  no_evil_at("/url-rule/feed/atom", "https://img.example/good.jpg");
  no_evil_at("/url-rule/feed/json", "https://img.example/good.jpg");
}

/* The site's Content-Security-Policy blocks images over http:, so the
 * report names them (how many, and the first ten) for the media to be
 * fetched later; https: ones are not named. */
static void http_images_are_counted_and_named_in_the_report(void **s) {
  (void)s;
  char path[400], fresh[400];
  buf_t b = {0};
  buf_puts(&b, WXR_HEAD);
  for (int i = 1; i <= 12; i++)
    buf_printf(&b,
               "<item><title>images %d</title><wp:post_id>%d</wp:post_id>"
               "<wp:status>publish</wp:status><wp:post_type>post"
               "</wp:post_type><content:encoded><![CDATA[<p>x<img src=\""
               "http://old.example/up/%02d.jpg?a=1&b=2\" alt=\"\"><img src="
               "\"https://cdn.example/safe.jpg\" alt=\"\"></p>]]>"
               "</content:encoded>%s</item>",
               i, i, i,
               i == 1 ? META("_naba_image_url", "http://old.example/lead.jpg")
                      : "");
  buf_puts(&b, WXR_TAIL);
  const char *parts[] = {b.data};
  write_parts("images.xml", parts, 1, path, sizeof path);
  buf_free(&b);
  snprintf(fresh, sizeof fresh, "%s/images.db", dir);
  const char *init[] = {"init", "--db", fresh, NULL};
  assert_int_equal(naba(NULL, init), 0);
  const char *im[] = {"import", "wxr", "--db", fresh, path, NULL};
  buf_t out = {0};
  assert_int_equal(naba(&out, im), 0);
  if (!strstr(out.data, "13 images load over http:"))
    fail_msg("no count of http: images in: %s", out.data);
  assert_non_null(strstr(out.data, "the first 10:\n"));
  assert_non_null(strstr(out.data, "  http://old.example/up/01.jpg?a=1&b=2\n"));
  assert_non_null(strstr(out.data, "  http://old.example/lead.jpg\n"));
  assert_null(strstr(out.data, "up/12.jpg"));
  assert_null(strstr(out.data, "cdn.example"));
  buf_free(&out);
}

/* A big export imported while readers post comments on the running site
 * (same database): the import leaves the write lock between short
 * transactions, so every comment is accepted, none waits into a 503. */
static void comments_posted_during_a_big_import_are_all_accepted(void **s) {
  (void)s;
  char path[400], log[400], t[256];
  set_setting("comment_min_seconds", "0");
  set_setting("comment_rate_limit", "0");
  snprintf(path, sizeof path, "%s/big.xml", dir);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(WXR_HEAD, f);
  for (int i = 1; i <= 3000; i++) {
    fprintf(f,
            "<item><title>خبر رقم %d</title><wp:post_id>%d</wp:post_id>"
            "<wp:post_date_gmt>2019-01-01 10:00:00</wp:post_date_gmt>"
            "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            "<category domain=\"category\" nicename=\"big\">big</category>"
            "<content:encoded><![CDATA[",
            i, 100000 + i);
    for (int k = 0; k < 6; k++)
      fprintf(f,
              "<p>فقرة %d من الخبر %d عن الاقتصاد والسياسة والرياضة "
              "في المدن المغربية والعالم.</p>",
              k, i);
    fprintf(f,
            "]]></content:encoded><wp:comment><wp:comment_id>%d"
            "</wp:comment_id><wp:comment_author>r</wp:comment_author>"
            "<wp:comment_author_email>r@example.com</wp:comment_author_email>"
            "<wp:comment_approved>1</wp:comment_approved><wp:comment_content>"
            "old comment</wp:comment_content></wp:comment></item>",
            100000 + i);
  }
  fputs(WXR_TAIL, f);
  fclose(f);
  snprintf(log, sizeof log, "%s/big.log", dir);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(NABA_BIN, NABA_BIN, "import", "wxr", "--db", db, path, (char *)NULL);
    _exit(127);
  }
  assert_true(pid > 0);
  int posted = 0, refused = 0, status = 0;
  int64_t worst = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    reply r;
    char body[600];
    comment_token(t, sizeof t); /* the reader's own, as a browser's */
    assert_true(t[0]);
    char *te = curl_easy_escape(NULL, t, 0);
    snprintf(body, sizeof body,
             "t=%s&author=reader&email=r%%40example.com&url=&comment="
             "comment+%d+during+the+import",
             te, posted);
    curl_free(te);
    int64_t t0 = nb_now_us();
    request("POST", article_path, NULL, NULL, body, &r);
    int64_t waited = nb_now_us() - t0;
    worst = waited > worst ? waited : worst;
    if (r.status != 303) {
      refused++;
      fprintf(stderr, "comment %d: %ld after %lld ms\n", posted, r.status,
              (long long)(waited / 1000));
    }
    posted++;
    reply_free(&r);
  }
  buf_t out = {0};
  char *text = NULL;
  size_t n = 0;
  nb_read_file(log, 1 << 20, &text, &n);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail_msg("the import failed: %s", text ? text : "");
  free(text);
  buf_free(&out);
  printf("comments posted during the import: %d, worst wait %lld ms\n", posted,
         (long long)(worst / 1000));
  assert_int_equal(refused, 0);
  assert_true(posted >= 3); /* they did go in while it ran */
  assert_int_equal(sql_i64("SELECT count(*) FROM wp_posts WHERE wp_id >"
                           " 100000 AND wp_id <= 103000"),
                   3000);
  assert_int_equal(sql_i64("SELECT count(*) FROM comments WHERE body LIKE"
                           " 'comment % during the import'"),
                   posted);
  /* They went in between the import's short transactions, not only
   * between batches of 500 posts (7 places at most in 3,000): the places
   * are how many of the export's comments come before each. */
  int64_t places =
      sql_i64("SELECT count(DISTINCT (SELECT count(*) FROM comments i WHERE"
              " i.id < c.id AND i.body = 'old comment')) FROM comments c"
              " WHERE c.body LIKE 'comment % during the import'");
  printf("they went in at %lld places among the imported posts\n",
         (long long)places);
  assert_true(places >= 10);
}

int main(void) {
  /* Every case needs it: skip them all, before allocating anything. */
  if (shared_missing(SEED) || shared_missing(THEME_DATA))
    return SHARED_SKIP_STATUS;
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_export_comes_in_whole),
      cmocka_unit_test(old_links_answer_301_to_the_article),
      cmocka_unit_test(nested_sections_are_listed_under_their_parent),
      cmocka_unit_test(media_list_names_what_to_mirror),
      cmocka_unit_test(local_dates_use_the_exports_offset),
      cmocka_unit_test(running_it_again_updates_instead_of_duplicating),
      cmocka_unit_test(broken_files_stop_with_a_reason_and_change_nothing),
      cmocka_unit_test(a_dry_run_writes_nothing),
      cmocka_unit_test(a_failing_write_stops_the_reading_and_undoes_its_batch),
      cmocka_unit_test(export_then_import_gives_the_same_site),
      cmocka_unit_test(imported_urls_pass_the_url_rule_where_stored_and_shown),
      cmocka_unit_test(http_images_are_counted_and_named_in_the_report),
      cmocka_unit_test(comments_posted_during_a_big_import_are_all_accepted),
  };
  return cmocka_run_group_tests(tests, imported_setup, teardown);
}
