/* HTTP tests: start the real `naba serve` on a free port with a fresh
 * database, import the seed page from ../shared, and talk to it with
 * libcurl (and a raw socket for malformed requests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"

#include "../shared.h"
#include "harness.h"

/* ---- tests ---- */

static void seed_article_shows_headline_once_breadcrumb_and_body(void **s) {
  (void)s;
  reply r;
  get("GET", article_path, NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  const char *b = r.body.data;
  assert_non_null(strstr(b, "lang=\"ar\""));
  assert_non_null(strstr(b, "dir=\"rtl\""));
  assert_int_equal(count(b, "<h1"), 1);
  const char *h1 = strstr(b, "<h1");
  assert_non_null(strstr(h1, SEED_TITLE));
  assert_true(strstr(h1, SEED_TITLE) < strstr(h1, "</h1>"));
  const char *title = strstr(b, "<title>");
  assert_non_null(title);
  assert_true(strstr(title, SEED_TITLE) < strstr(title, "</title>"));
  /* Breadcrumb: a link to the section page. */
  assert_non_null(strstr(b, "href=\"/" SECTION_SLUG_ENC "/\""));
  /* Every body paragraph of the seed is in the page, in order; none of
   * the comment form's or follow lines that come after them is. The seed
   * is read from ../shared: non-empty lines are section, headline twice,
   * nine paragraphs, then the trailer. */
  char *seed;
  size_t n;
  assert_int_equal(nb_read_file(SEED, 1 << 20, &seed, &n), NB_OK);
  int line = 0;
  const char *last = strstr(b, "<h1");
  for (char *save = NULL, *l = strtok_r(seed, "\n", &save); l;
       l = strtok_r(NULL, "\n", &save)) {
    if (strspn(l, " \r") == strlen(l))
      continue;
    l[strcspn(l, "\r")] = '\0';
    line++;
    if (line >= 4 && line <= 12) {
      const char *at = strstr(last, l);
      if (!at)
        fail_msg("paragraph %d of the seed is missing", line - 3);
      last = at;
    } else if (line > 12) {
      assert_null(strstr(b, l));
    }
  }
  assert_true(line > 12);
  free(seed);
  /* Date in ar-MA: نونبر 2021 */
  assert_non_null(strstr(b, "\xd9\x86\xd9\x88\xd9\x86\xd8\xa8\xd8\xb1 2021"));
  reply_free(&r);
}

static void article_carries_canonical_share_metadata_and_jsonld(void **s) {
  (void)s;
  reply r;
  get("GET", article_path, NULL, NULL, &r);
  const char *b = r.body.data;
  char want[1200];
  snprintf(want, sizeof want,
           "<link rel=\"canonical\" href=\"http://127.0.0.1:8080%s\"",
           article_path);
  assert_non_null(strstr(b, want));
  assert_non_null(strstr(b, "property=\"og:title\""));
  assert_non_null(strstr(b, "property=\"og:url\""));
  assert_non_null(strstr(b, "name=\"twitter:card\""));
  assert_non_null(strstr(b, "application/ld+json"));
  assert_non_null(strstr(b, "\"@type\":\"NewsArticle\""));
  assert_non_null(strstr(b, "\"@type\":\"BreadcrumbList\""));
  assert_non_null(strstr(b, "\"datePublished\":\"2021-11-24T08:00:00+00:00\""));
  /* WhatsApp share: percent-encoded title and URL. */
  assert_non_null(strstr(b, "https://wa.me/?text=%D8%A7%D9%84%D8%A3"));
  assert_non_null(strstr(b, "%20http%3A%2F%2F127.0.0.1%3A8080%2F"));
  reply_free(&r);
}

static void wrong_slug_or_section_redirects_to_canonical(void **s) {
  (void)s;
  const char *paths[] = {"/1",
                         "/1-old-slug",
                         "/" SECTION_SLUG_ENC "/1",
                         "/" SECTION_SLUG_ENC "/1-wrong",
                         "/other-section/1-x",
                         NULL};
  for (int i = 0; paths[i]; i++) {
    reply r;
    char loc[1024] = "";
    get("GET", paths[i], NULL, NULL, &r);
    assert_int_equal(r.status, 301);
    assert_true(header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, article_path);
    reply_free(&r);
  }
  expect_status("GET", "/999-nothing", 404);
}

static void canonical_slug_is_cut_at_a_word_boundary(void **s) {
  (void)s;
  /* /سياسة/1-<slug>: the slug part is at most 200 encoded bytes and ends
   * with a whole word of the headline. */
  const char *slug = strchr(article_path + 1, '/') + 1;
  slug = strchr(slug, '-') + 1;
  assert_true(strlen(slug) <= 200);
  assert_true(strlen(slug) > 30);
  /* A cut word would leave a partial UTF-8 sequence or a trailing "-". */
  assert_true(slug[strlen(slug) - 1] != '-');
}

static void etag_revalidation_answers_304(void **s) {
  (void)s;
  reply r, r2;
  char etag[128], lm[64], hdr[200];
  get("GET", article_path, NULL, NULL, &r);
  assert_true(header(&r, "ETag", etag, sizeof etag));
  assert_true(header(&r, "Last-Modified", lm, sizeof lm));
  char cc[128];
  assert_true(header(&r, "Cache-Control", cc, sizeof cc));
  snprintf(hdr, sizeof hdr, "If-None-Match: %s", etag);
  get("GET", article_path, hdr, NULL, &r2);
  assert_int_equal(r2.status, 304);
  assert_int_equal(r2.body.len, 0);
  reply_free(&r2);
  snprintf(hdr, sizeof hdr, "If-None-Match: \"not-it\"");
  get("GET", article_path, hdr, NULL, &r2);
  assert_int_equal(r2.status, 200);
  reply_free(&r2);
  reply_free(&r);
}

static void gzip_and_brotli_are_sent_when_asked(void **s) {
  (void)s;
  reply plain, gz, br;
  char enc[64], vary[64];
  get("GET", article_path, NULL, NULL, &plain);
  assert_false(header(&plain, "Content-Encoding", enc, sizeof enc));
  get("GET", article_path, "Accept-Encoding: gzip", NULL, &gz);
  assert_true(header(&gz, "Content-Encoding", enc, sizeof enc));
  assert_string_equal(enc, "gzip");
  assert_true(header(&gz, "Vary", vary, sizeof vary));
  assert_true(gz.body.len < plain.body.len / 2);
  get("GET", article_path, "Accept-Encoding: gzip, br", NULL, &br);
  assert_true(header(&br, "Content-Encoding", enc, sizeof enc));
  assert_string_equal(enc, "br");
  assert_true(br.body.len < gz.body.len);
  reply_free(&plain);
  reply_free(&gz);
  reply_free(&br);
}

static void head_has_headers_and_no_body(void **s) {
  (void)s;
  reply g, h;
  char lg[32], lh[32];
  get("GET", "/", NULL, NULL, &g);
  get("HEAD", "/", NULL, NULL, &h);
  assert_int_equal(h.status, 200);
  assert_int_equal(h.body.len, 0);
  assert_true(header(&h, "Content-Length", lh, sizeof lh));
  snprintf(lg, sizeof lg, "%zu", g.body.len);
  assert_string_equal(lh, lg);
  reply_free(&g);
  reply_free(&h);
}

static void unknown_paths_get_the_designed_404(void **s) {
  (void)s;
  const char *paths[] = {"/no-such-section/", "/a/b/c/d/e", "/x//y",
                         "/" SECTION_SLUG_ENC "/page/99", NULL};
  for (int i = 0; paths[i]; i++) {
    reply r;
    get("GET", paths[i], NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body.data, "dir=\"rtl\""));
    reply_free(&r);
  }
}

static void static_paths_cannot_leave_the_asset_folder(void **s) {
  (void)s;
  const char *paths[] = {"/static/../../../../etc/passwd",
                         "/static/%2e%2e/%2e%2e/etc/passwd",
                         "/static/..%2f..%2fmeson.build",
                         "/static/style.css",
                         "/static/",
                         NULL};
  for (int i = 0; paths[i]; i++) {
    reply r;
    get("GET", paths[i], NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_null(strstr(r.body.data, "root:"));
    reply_free(&r);
  }
  /* The stylesheet the page links is served, immutable. */
  reply page, css;
  get("GET", "/", NULL, NULL, &page);
  const char *p = strstr(page.body.data, "/static/style.");
  assert_non_null(p);
  char url[256];
  snprintf(url, sizeof url, "%.*s", (int)strcspn(p, "\""), p);
  get("GET", url, NULL, NULL, &css);
  assert_int_equal(css.status, 200);
  char cc[128];
  assert_true(header(&css, "Cache-Control", cc, sizeof cc));
  assert_non_null(strstr(cc, "immutable"));
  reply_free(&page);
  reply_free(&css);
}

static void malformed_and_oversized_requests_get_4xx_and_never_crash(void **s) {
  (void)s;
  int code = raw_str("GARBAGE\r\n\r\n");
  assert_true(code == 0 || (code >= 400 && code < 500));
  code = raw_str("GET / HTTP/9.9\r\n\r\n");
  assert_true(code == 0 || (code >= 400 && code < 600));
  /* A header block over the limit. */
  buf_t big = {0};
  buf_puts(&big, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
  for (int i = 0; i < 40000; i++)
    buf_putc(&big, 'a');
  buf_puts(&big, "\r\n\r\n");
  code = raw(big.data, big.len);
  assert_true(code == 431 || code == 413 || code == 400);
  buf_free(&big);
  /* A path over the limit. */
  buf_t path = {0};
  buf_puts(&path, "/");
  for (int i = 0; i < 3000; i++)
    buf_putc(&path, 'a');
  reply r;
  get("GET", path.data, NULL, NULL, &r);
  assert_true(r.status == 414 || r.status == 431);
  reply_free(&r);
  buf_free(&path);
  /* A body announced over the limit. */
  code =
      raw_str("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n");
  assert_true(code == 413 || code == 0);
  /* Invalid UTF-8 in the path. */
  expect_status("GET", "/%ff%fe", 400);
  /* Other methods. */
  expect_status("DELETE", "/", 405);
  /* Still serving. */
  expect_status("GET", "/", 200);
}

static void importing_the_same_page_again_keeps_one_article(void **s) {
  (void)s;
  buf_t out = {0};
  const char *args[] = {"import", "page", "--db", db, SEED, NULL};
  assert_int_equal(naba(&out, args), 0);
  assert_non_null(strstr(out.data, "updated article 1"));
  buf_free(&out);
  expect_status("GET", "/2", 404);
}

static void refused_file_says_why_and_writes_nothing(void **s) {
  (void)s;
  char bad[400];
  snprintf(bad, sizeof bad, "%s/bad.txt", dir);
  FILE *f = fopen(bad, "wb");
  fwrite("\x00\x01\x02binary", 1, 9, f);
  fclose(f);
  buf_t out = {0};
  const char *args[] = {"import", "page", "--db", db, bad, NULL};
  assert_int_not_equal(naba(&out, args), 0);
  assert_non_null(strstr(out.data, "refused"));
  buf_free(&out);
}

static void settings_change_shows_on_cached_pages_at_once(void **s) {
  (void)s;
  reply r;
  get("GET", article_path, NULL, NULL, &r); /* now cached */
  reply_free(&r);
  const char *set[] = {"settings", "set", "site_name", "Test Site 42",
                       "--db",     db,    NULL};
  assert_int_equal(naba(NULL, set), 0);
  assert_true(eventually_contains(article_path, "Test Site 42"));
  assert_true(eventually_contains("/", "Test Site 42"));
  const char *bad[] = {"settings", "set", "timezone", "Mars/Olympus",
                       "--db",     db,    NULL};
  buf_t out = {0};
  assert_int_not_equal(naba(&out, bad), 0);
  assert_non_null(strstr(out.data, "timezone"));
  buf_free(&out);
  /* ar-EG: Egyptian month name and Arabic-Indic digits. */
  const char *eg[] = {"settings", "set", "locale", "ar-EG", "--db", db, NULL};
  assert_int_equal(naba(NULL, eg), 0);
  assert_true(eventually_contains(article_path,
                                  "\xd9\x86\xd9\x88\xd9\x81\xd9\x85\xd8\xa8"
                                  "\xd8\xb1")); /* نوفمبر */
  const char *back[] = {"settings", "unset", "locale", "--db", db, NULL};
  assert_int_equal(naba(NULL, back), 0);
}

static void import_shows_on_the_cached_home_page(void **s) {
  (void)s;
  reply r;
  get("GET", "/", NULL, NULL, &r);
  reply_free(&r);
  assert_int_equal(
      import_text("new.txt",
                  "\xd8\xab\xd9\x82\xd8\xa7\xd9\x81\xd8\xa9\n\n" /* ثقافة */
                  "Headline of a brand new test article\n\n"
                  "Headline of a brand new test article\n\n"
                  "First paragraph of the new article, long enough.\n\n"
                  "Second paragraph of the new article.\n",
                  NULL, NULL),
      0);
  assert_true(eventually_contains("/", "Headline of a brand new test article"));
}

static void section_pages_paginate(void **s) {
  (void)s;
  /* Six articles in one section with per_page 5: two pages. */
  const char *pp[] = {"settings", "set", "per_page", "5", "--db", db, NULL};
  assert_int_equal(naba(NULL, pp), 0);
  for (int i = 0; i < 6; i++) {
    char name[32], text[200];
    snprintf(name, sizeof name, "p%d.txt", i);
    snprintf(text, sizeof text,
             "Sport\n\nMatch report number %d\n\nMatch report number %d\n\n"
             "Paragraph of report %d.\n",
             i, i, i);
    assert_int_equal(import_text(name, text, NULL, NULL), 0);
  }
  assert_true(eventually_contains("/sport/", "/sport/page/2"));
  expect_status("GET", "/sport/page/2", 200);
  expect_status("GET", "/sport/page/1", 301);
  expect_status("GET", "/sport", 301);
  expect_status("GET", "/sport/page/3", 404);
}

static void scheduled_article_appears_on_cached_pages_when_due(void **s) {
  (void)s;
  reply r;
  get("GET", "/", NULL, NULL, &r); /* cached before the article is due */
  reply_free(&r);
  char date[40];
  nb_time_iso(nb_now() + 2, date);
  assert_int_equal(import_text("later.txt",
                               "Culture\n\nA scheduled headline for later\n\n"
                               "A scheduled headline for later\n\n"
                               "Its only paragraph.\n",
                               "--date", date),
                   0);
  get("GET", "/", NULL, NULL, &r);
  assert_null(strstr(r.body.data, "A scheduled headline for later"));
  reply_free(&r);
  /* Polls until due (2 s) and the cache watcher's next turn, or 6 s. */
  int64_t deadline = nb_now_us() + 6000000;
  while (nb_now_us() < deadline) {
    usleep(50000);
    get("GET", "/", NULL, NULL, &r);
    int shown = strstr(r.body.data, "A scheduled headline for later") != NULL;
    reply_free(&r);
    if (shown)
      return;
  }
  fail_msg("the scheduled article never appeared on the home page");
}

static void sighup_reloads_the_theme_and_keeps_it_when_broken(void **s) {
  (void)s;
  char theme[400], cmd[1000], home[500];
  snprintf(theme, sizeof theme, "%s/theme", dir);
  snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", NABA_THEME_DIR, theme);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(stop_server(), 0);
  start_server(theme);
  assert_true(eventually_contains("/", "</html>"));
  snprintf(home, sizeof home, "%s/home.mustache", theme);
  append(home, "<!-- reloaded-marker -->\n");
  long from = server_log_size();
  kill(server_pid, SIGHUP);
  assert_true(eventually_logged(from, "theme reloaded"));
  assert_true(eventually_contains("/", "reloaded-marker"));
  /* A broken template: the running theme keeps serving. */
  append(home, "{{#unclosed}}\n");
  from = server_log_size();
  kill(server_pid, SIGHUP);
  assert_true(eventually_logged(from, "theme not reloaded"));
  reply r;
  get("GET", "/", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "reloaded-marker"));
  reply_free(&r);
  assert_int_equal(stop_server(), 0);
  start_server(NULL);
}

static void sigterm_stops_the_server_cleanly(void **s) {
  (void)s;
  assert_int_equal(stop_server(), 0);
  start_server(NULL); /* for teardown */
}

/* What a client sends reaches the access log escaped: a raw escape
 * sequence would drive the operator's terminal, a line break would forge
 * a line, U+202E would reorder what follows. */
static void
control_characters_from_clients_are_escaped_in_the_access_log(void **state) {
  (void)state;
  raw_str("GET /x%1b[2J%0aforged%E2%80%AEz HTTP/1.1\r\nHost: a\r\n"
          "Connection: close\r\n\r\n");
  raw_str("G\x1bT / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  /* Stopping flushes the log; its reader writes it to dir/access.log. */
  assert_int_equal(stop_server(), 0);
  char path[300];
  snprintf(path, sizeof path, "%s/access.log", dir);
  char *log = NULL;
  size_t n = 0;
  for (int i = 0; i < 100; i++) {
    if (nb_read_file(path, 1 << 20, &log, &n) == NB_OK && strstr(log, "forged"))
      break;
    free(log);
    log = NULL;
    usleep(50000);
  }
  assert_non_null(log);
  assert_null(strchr(log, '\x1b'));
  assert_null(strstr(log, "\xe2\x80\xae"));
  assert_non_null(strstr(log, "path=\"/x\\x1b[2J\\x0aforged\\u{202e}z\""));
  free(log);
  start_server(NULL); /* for teardown */
}

int main(void) {
  /* Every case needs it: skip them all, before allocating anything. */
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(seed_article_shows_headline_once_breadcrumb_and_body),
      cmocka_unit_test(article_carries_canonical_share_metadata_and_jsonld),
      cmocka_unit_test(wrong_slug_or_section_redirects_to_canonical),
      cmocka_unit_test(canonical_slug_is_cut_at_a_word_boundary),
      cmocka_unit_test(etag_revalidation_answers_304),
      cmocka_unit_test(gzip_and_brotli_are_sent_when_asked),
      cmocka_unit_test(head_has_headers_and_no_body),
      cmocka_unit_test(unknown_paths_get_the_designed_404),
      cmocka_unit_test(static_paths_cannot_leave_the_asset_folder),
      cmocka_unit_test(
          malformed_and_oversized_requests_get_4xx_and_never_crash),
      cmocka_unit_test(importing_the_same_page_again_keeps_one_article),
      cmocka_unit_test(refused_file_says_why_and_writes_nothing),
      cmocka_unit_test(settings_change_shows_on_cached_pages_at_once),
      cmocka_unit_test(import_shows_on_the_cached_home_page),
      cmocka_unit_test(section_pages_paginate),
      cmocka_unit_test(scheduled_article_appears_on_cached_pages_when_due),
      cmocka_unit_test(sighup_reloads_the_theme_and_keeps_it_when_broken),
      cmocka_unit_test(
          control_characters_from_clients_are_escaped_in_the_access_log),
      cmocka_unit_test(sigterm_stops_the_server_cleanly),
  };
  int rc = cmocka_run_group_tests(tests, setup, teardown);
  curl_global_cleanup();
  return rc;
}
