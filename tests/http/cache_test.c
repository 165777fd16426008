/* HTTP tests of the page cache's limits and the headers every answer
 * carries: reply forms are no pages of their own, a flood of distinct
 * addresses keeps the server within its cache budget, a miss is
 * compressed cheaply and a hot page at the best quality, and every HTML
 * answer has the same Content-Security-Policy (see harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <brotli/decode.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../shared.h"
#include "harness.h"

/* The policy every HTML answer carries: frame-src names exactly the
 * players the importer keeps (src/import/sanitize_allow.c). */
#define CSP                                                                    \
  "default-src 'self'; img-src 'self' https: data:; script-src 'none'; "       \
  "object-src 'none'; frame-src https://www.youtube.com "                      \
  "https://www.youtube-nocookie.com https://player.vimeo.com; "                \
  "frame-ancestors 'self'; base-uri 'self'; form-action 'self'"

#define BUDGET_MB 1
/* What the server may grow by beyond the cache's budget while it answers
 * a flood: allocator pools, thread caches, the sanitizer's bookkeeping. */
#define ALLOWANCE_KB (4 * 1024)

static void cli(const char *cmd, const char *arg) {
  const char *args[] = {"comments", cmd, arg, "--db", db, NULL};
  assert_int_equal(naba(NULL, args), 0);
}

/* Posts a comment on the seed article (email may be "": refused); the
 * reply is left in r. */
static void post_comment(const char *name, const char *email, const char *text,
                         reply *r) {
  char token[256];
  comment_token(token, sizeof token); /* the reader's own, as a browser's */
  assert_true(token[0]);
  char *t = curl_easy_escape(NULL, token, 0);
  char *n = curl_easy_escape(NULL, name, 0);
  char *e = curl_easy_escape(NULL, email, 0);
  char *x = curl_easy_escape(NULL, text, 0);
  char body[2048];
  snprintf(body, sizeof body, "t=%s&author=%s&email=%s&url=&comment=%s", t, n,
           e, x);
  curl_free(t);
  curl_free(n);
  curl_free(e);
  curl_free(x);
  request("POST", article_path, NULL, NULL, body, r);
}

/* The comment id at the end of a 303's Location ("…#comment-12"). */
static long location_id(const reply *r) {
  char loc[2048];
  assert_true(header(r, "Location", loc, sizeof loc));
  const char *p = strstr(loc, "#comment-");
  assert_non_null(p);
  return atol(p + 9);
}

/* The page cache's own count, from /healthz. */
static void cache_stats(size_t *pages, size_t *bytes, size_t *budget) {
  reply r;
  get("GET", "/healthz", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  const char *p = strstr(r.body.data, "cache pages=");
  assert_non_null(p);
  assert_int_equal(
      sscanf(p, "cache pages=%zu bytes=%zu budget=%zu", pages, bytes, budget),
      3);
  reply_free(&r);
}

/* The server's resident memory in KiB (VmRSS). */
static long rss_kb(void) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)server_pid);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0)
      kb = atol(line + 6);
  fclose(f);
  assert_true(kb > 0);
  return kb;
}

static size_t discard(char *p, size_t size, size_t n, void *ud) {
  (void)p;
  (void)ud;
  return size * n;
}

/* GETs n distinct addresses on one keep-alive connection, asking for
 * brotli, half of them reply forms of comments that do not exist, half
 * paths that do not exist; every one must be a 404. */
static void flood(long from, long n) {
  CURL *c = curl_easy_init();
  struct curl_slist *h = curl_slist_append(NULL, "Accept-Encoding: br, gzip");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  char url[2048];
  for (long i = from; i < from + n; i++) {
    if (i % 2)
      snprintf(url, sizeof url, "http://127.0.0.1:%d%s/reply/%ld", port,
               article_path, 1000000 + i);
    else
      snprintf(url, sizeof url, "http://127.0.0.1:%d/no-such-page-%ld", port,
               i);
    curl_easy_setopt(c, CURLOPT_URL, url);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 404)
      fail_msg("%s: %ld, not 404", url, status);
  }
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
}

/* The identity body of path, as the cache holds it. */
static void identity(const char *path, reply *r) {
  get("GET", path, "Accept-Encoding: identity", NULL, r);
  assert_int_equal(r->status, 200);
}

static void expect_brotli_of(const reply *br, const reply *plain) {
  char enc[32];
  assert_true(header(br, "Content-Encoding", enc, sizeof enc));
  assert_string_equal(enc, "br");
  size_t n = plain->body.len + 64;
  uint8_t *out = malloc(n);
  assert_non_null(out);
  assert_int_equal(BrotliDecoderDecompress(
                       br->body.len, (const uint8_t *)br->body.data, &n, out),
                   BROTLI_DECODER_RESULT_SUCCESS);
  assert_int_equal(n, plain->body.len);
  assert_memory_equal(out, plain->body.data, n);
  free(out);
}

static void expect_gzip_of(const reply *gz, const reply *plain) {
  char enc[32];
  assert_true(header(gz, "Content-Encoding", enc, sizeof enc));
  assert_string_equal(enc, "gzip");
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
  size_t cap = plain->body.len + 64;
  char *out = malloc(cap);
  assert_non_null(out);
  z.next_in = (Bytef *)gz->body.data;
  z.avail_in = (uInt)gz->body.len;
  z.next_out = (Bytef *)out;
  z.avail_out = (uInt)cap;
  assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
  assert_int_equal(z.total_out, plain->body.len);
  assert_memory_equal(out, plain->body.data, plain->body.len);
  inflateEnd(&z);
  free(out);
}

/* 1 when the ETag names this brotli quality ("…-br11\""). */
static int etag_quality(const reply *r, int quality) {
  char etag[64], suffix[16];
  if (!header(r, "ETag", etag, sizeof etag))
    return 0;
  snprintf(suffix, sizeof suffix, "-br%d\"", quality);
  size_t n = strlen(etag), k = strlen(suffix);
  return n > k && strcmp(etag + n - k, suffix) == 0;
}

/* ---- the tests ---- */

static void a_miss_is_sent_fast_brotli_and_a_hot_page_the_best_once(void **s) {
  (void)s;
  /* The first request for the home page is a miss: fast brotli. */
  reply miss, plain, gz;
  get("GET", "/", "Accept-Encoding: gzip, br", NULL, &miss);
  assert_int_equal(miss.status, 200);
  assert_true(etag_quality(&miss, 5));
  identity("/", &plain);
  expect_brotli_of(&miss, &plain);
  get("GET", "/", "Accept-Encoding: gzip", NULL, &gz);
  expect_gzip_of(&gz, &plain);
  /* Served often, it is compressed once more at the best quality, off the
   * requests' path: poll for it. */
  reply best = {0};
  int upgraded = 0;
  for (int i = 0; i < 400 && !upgraded; i++) {
    reply_free(&best);
    get("GET", "/", "Accept-Encoding: br", NULL, &best);
    upgraded = etag_quality(&best, 11);
    if (!upgraded && i >= 20)
      usleep(20000);
  }
  assert_true(upgraded);
  expect_brotli_of(&best, &plain);
  assert_true(best.body.len < miss.body.len);
  /* A client holding the fast bytes still revalidates them. */
  char old[64], inm[96];
  assert_true(header(&miss, "ETag", old, sizeof old));
  snprintf(inm, sizeof inm, "If-None-Match: %s", old);
  reply again;
  get("GET", "/", "Accept-Encoding: br", inm, &again);
  assert_int_equal(again.status, 304);
  reply_free(&again);
  reply_free(&best);
  reply_free(&gz);
  reply_free(&plain);
  reply_free(&miss);
}

static void reply_form_of_an_unknown_comment_is_404_and_never_cached(void **s) {
  (void)s;
  char path[1200];
  snprintf(path, sizeof path, "%s/reply/999999", article_path);
  expect_status("GET", path, 404);
  snprintf(path, sizeof path, "%s/reply/1", article_path);
  expect_status("GET", path, 404); /* no comment yet */
  /* A pending comment has no reply form; an approved one has. */
  reply r;
  post_comment("Amina", "amina@example.test", "A comment to reply to", &r);
  assert_int_equal(r.status, 303);
  long id = location_id(&r);
  reply_free(&r);
  snprintf(path, sizeof path, "%s/reply/%ld", article_path, id);
  expect_status("GET", path, 404);
  char arg[32];
  snprintf(arg, sizeof arg, "%ld", id);
  cli("approve", arg);
  size_t before, after, bytes, budget;
  cache_stats(&before, &bytes, &budget);
  get("GET", path, NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "Amina"));
  char cc[64];
  assert_true(header(&r, "Cache-Control", cc, sizeof cc));
  assert_null(strstr(cc, "public"));
  reply_free(&r);
  cache_stats(&after, &bytes, &budget);
  assert_true(after <= before);
}

static void every_html_answer_carries_the_same_policy(void **s) {
  (void)s;
  reply r;
  char v[1024], cookie[700] = "", long_path[3000];
  memset(long_path, 'a', sizeof long_path - 1);
  long_path[0] = '/';
  long_path[sizeof long_path - 1] = '\0';
  /* A reader's own page: their pending comment, with its cookie. */
  post_comment("Youssef", "y@example.test", "Pending, shown to me", &r);
  assert_int_equal(r.status, 303);
  assert_true(header(&r, "Set-Cookie", v, sizeof v));
  snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)strcspn(v, ";"), v);
  reply_free(&r);
  char section[64];
  snprintf(section, sizeof section, "/%s/", SECTION_SLUG_ENC);
  struct {
    const char *what, *method, *path, *hdr;
    long status;
  } html[] = {
      {"a page, rendered", "GET", section, NULL, 200},
      {"a page, cached", "GET", section, NULL, 200},
      {"a page, cached, brotli", "GET", section, "Accept-Encoding: br", 200},
      {"the article", "GET", article_path, NULL, 200},
      {"a reader's own page", "GET", article_path, cookie, 200},
      {"the 404 page", "GET", "/no-such-page", NULL, 404},
      {"web's 405", "PUT", "/", NULL, 405},
      {"web's 414", "GET", long_path, NULL, 414},
      {"web's 400", "GET", "/%FF", NULL, 400},
      /* Test builds: a store failure on this request, a 503. */
      {"a store failure", "GET", article_path, "X-Naba-Fault: store:1", 0},
  };
  for (size_t i = 0; i < sizeof html / sizeof html[0]; i++) {
    get(html[i].method, html[i].path, html[i].hdr, NULL, &r);
    if (html[i].status)
      assert_int_equal(r.status, html[i].status);
    if (!header(&r, "Content-Security-Policy", v, sizeof v))
      fail_msg("%s (%ld): no Content-Security-Policy", html[i].what, r.status);
    if (strcmp(v, CSP) != 0)
      fail_msg("%s: Content-Security-Policy: %s", html[i].what, v);
    assert_true(header(&r, "X-Content-Type-Options", v, sizeof v));
    assert_string_equal(v, "nosniff");
    assert_true(header(&r, "Referrer-Policy", v, sizeof v));
    reply_free(&r);
  }
  /* A refusal keeps the reader's text: the page is theirs alone. */
  post_comment("NoMail", "", "Refused for want of an address", &r);
  assert_int_equal(r.status, 422);
  assert_true(header(&r, "Content-Security-Policy", v, sizeof v));
  assert_string_equal(v, CSP);
  reply_free(&r);
  /* What is not HTML still carries nosniff and the referrer policy. */
  const char *other[] = {"/robots.txt", "/healthz", "/1"};
  for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
    get("GET", other[i], NULL, NULL, &r);
    assert_true(header(&r, "X-Content-Type-Options", v, sizeof v));
    assert_true(header(&r, "Referrer-Policy", v, sizeof v));
    reply_free(&r);
  }
}

static void
flood_of_distinct_addresses_keeps_within_the_cache_budget(void **s) {
  (void)s;
  /* A small budget, and the sanitizer's quarantine of freed memory kept
   * small: it would hold 256 MiB of freed memory otherwise. */
  assert_int_equal(stop_server(), 0);
  const char *asan = getenv("ASAN_OPTIONS");
  char opts[512];
  snprintf(opts, sizeof opts,
           "%s%squarantine_size_mb=1:thread_local_quarantine_size_kb=64",
           asan ? asan : "", asan && *asan ? ":" : "");
  setenv("ASAN_OPTIONS", opts, 1);
  char mb[16];
  snprintf(mb, sizeof mb, "%d", BUDGET_MB);
  const char *extra[] = {"--cache-mb", mb, NULL};
  start_server_with(NULL, extra);
  if (asan)
    setenv("ASAN_OPTIONS", asan, 1);
  else
    unsetenv("ASAN_OPTIONS");
  /* The hot pages, in every encoding. */
  char section[64];
  snprintf(section, sizeof section, "/%s/", SECTION_SLUG_ENC);
  const char *hot[] = {"/", article_path, section, "/robots.txt"};
  const char *encs[] = {"Accept-Encoding: identity", "Accept-Encoding: gzip",
                        "Accept-Encoding: br"};
  for (size_t i = 0; i < sizeof hot / sizeof hot[0]; i++)
    for (size_t k = 0; k < 3; k++) {
      reply r;
      get("GET", hot[i], encs[k], NULL, &r);
      assert_int_equal(r.status, 200);
      reply_free(&r);
    }
  size_t pages, bytes, budget, pages_after;
  cache_stats(&pages, &bytes, &budget);
  assert_int_equal(budget, (size_t)BUDGET_MB << 20);
  assert_true(pages >= 3);
  assert_true(bytes <= budget);
  /* Warm up the allocator, then flood. */
  flood(0, 2000);
  long before = rss_kb();
  flood(2000, 20000);
  long after = rss_kb();
  cache_stats(&pages_after, &bytes, &budget);
  assert_true(bytes <= budget);
  /* Addresses that do not exist take no room: no hot page went. */
  assert_int_equal(pages_after, pages);
  if (after - before > BUDGET_MB * 1024 + ALLOWANCE_KB)
    fail_msg("the server grew from %ld to %ld KiB", before, after);
}

static int cache_setup(void **state) {
  int rc = setup(state);
  set_setting("comment_min_seconds", "0");
  set_setting("comment_rate_limit", "0");
  return rc;
}

int main(void) {
  /* The fixture imports the seed page: without it, skip them all. */
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      /* First: it needs the home page not yet cached. */
      cmocka_unit_test(a_miss_is_sent_fast_brotli_and_a_hot_page_the_best_once),
      cmocka_unit_test(
          reply_form_of_an_unknown_comment_is_404_and_never_cached),
      cmocka_unit_test(every_html_answer_carries_the_same_policy),
      cmocka_unit_test(
          flood_of_distinct_addresses_keeps_within_the_cache_budget),
  };
  int rc = cmocka_run_group_tests(tests, cache_setup, teardown);
  curl_global_cleanup();
  return rc;
}
