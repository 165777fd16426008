/* Fault injection against the real server and the real import, as
 * SQLite's test harness does: every page type, a comment post and a
 * WordPress import are run with a failure at each point in turn (the Nth
 * allocation, store call or fsync; core/fault.c), N = 1, 2, ... until a
 * run ends without reaching N. After each: no crash, no leak (ASan, at the
 * server's exit), nothing wrong cached, no 200 with missing parts, and
 * nothing acknowledged and lost. Needs the test build (-Dfault=true). */
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
#include <unistd.h>

#include "harness.h"
#include "../shared.h"

#define NEVER 1000000000L /* an N no work reaches: counts the points */
/* At most this many points per walk; none of the walks below has more
 * today, and the test fails if one does (so the count stays visible). */
#define MAX_POINTS 20000

static long tried[NB_FAULT_KINDS]; /* failure points tried, per kind */
static const char *const kinds[] = {"alloc", "store", "fsync"};

/* ---- requests with a failure armed ---- */

/* "calls=K hit=H" from the X-Naba-Fault answer header. */
static void report(const reply *r, long *calls, int *hit) {
  char v[64];
  assert_true(header(r, "X-Naba-Fault", v, sizeof v));
  assert_int_equal(sscanf(v, "calls=%ld hit=%d", calls, hit), 2);
}

static void armed(const char *method, const char *path, int kind, long nth,
                  const char *body, reply *r) {
  char h[80];
  snprintf(h, sizeof h, "X-Naba-Fault: %s:%ld", kinds[kind], nth);
  request(method, path, h, NULL, body, r);
}

/* The form token ("t") changes with time: blank it before comparing. */
static void blank_token(buf_t *b) {
  static const char key[] = "name=\"t\" value=\"";
  for (char *p = b->data; (p = strstr(p, key)) != NULL;) {
    p += sizeof key - 1;
    for (; *p && *p != '"'; p++)
      *p = 'x';
  }
}

/* A failed render must say so, in the site's design, and never be kept. */
static void expect_unavailable(const reply *r, const char *what) {
  char v[128];
  if (r->status != 503)
    fail_msg("%s: %ld, not 503 or the whole page", what, r->status);
  assert_true(header(r, "Cache-Control", v, sizeof v));
  assert_non_null(strstr(v, "no-store"));
  assert_true(header(r, "Retry-After", v, sizeof v));
  assert_true(header(r, "X-Naba-Cacheable", v, sizeof v));
  assert_string_equal(v, "0");
  assert_non_null(strstr(r->body.data, "dir=\"rtl\""));
}

/* Walks every point of one kind while rendering path: each answer is the
 * page exactly as without a failure, or a 503 that is not cached; and the
 * next request (also rendered, not from the cache) is the page again. */
static void walk_page(const char *path, int kind) {
  reply ref;
  long calls;
  int hit;
  armed("GET", path, kind, NEVER, NULL, &ref);
  report(&ref, &calls, &hit);
  assert_int_equal(hit, 0);
  if (ref.status != 200 && ref.status != 404)
    fail_msg("%s: %ld without a failure", path, ref.status);
  blank_token(&ref.body);
  long n = 1;
  for (; n <= MAX_POINTS; n++) {
    reply r;
    armed("GET", path, kind, n, NULL, &r);
    report(&r, &calls, &hit);
    if (!hit) {
      reply_free(&r);
      break;
    }
    tried[kind]++;
    if (r.status == ref.status) {
      blank_token(&r.body);
      if (strcmp(r.body.data, ref.body.data) != 0) {
        size_t at = 0;
        while (r.body.data[at] == ref.body.data[at])
          at++;
        size_t from = at > 60 ? at - 60 : 0;
        fail_msg("%s with %s:%ld: a %ld that differs from the page at %zu:\n"
                 "page: %.160s\ngot:  %.160s",
                 path, kinds[kind], n, r.status, at, ref.body.data + from,
                 r.body.data + from);
      }
    } else {
      char what[600];
      snprintf(what, sizeof what, "%s with %s:%ld", path, kinds[kind], n);
      expect_unavailable(&r, what);
    }
    reply_free(&r);
    /* The connection, its statements and the cache are left sound. */
    armed("GET", path, kind, NEVER, NULL, &r);
    blank_token(&r.body);
    assert_int_equal(r.status, ref.status);
    assert_string_equal(r.body.data, ref.body.data);
    reply_free(&r);
  }
  assert_true(n <= MAX_POINTS);
  /* And what readers get from the cache is the page. */
  reply r;
  get("GET", path, NULL, NULL, &r);
  blank_token(&r.body);
  assert_int_equal(r.status, ref.status);
  assert_string_equal(r.body.data, ref.body.data);
  reply_free(&r);
  reply_free(&ref);
}

/* ---- the fixture: one of every page type ---- */

static void cli(const char *const *args) {
  buf_t out = {0};
  int rc = naba(&out, args);
  if (rc != 0)
    fail_msg("naba %s %s: %d: %s", args[0], args[1], rc, out.data);
  buf_free(&out);
}

static sqlite3 *open_db(const char *path) {
  sqlite3 *d;
  assert_int_equal(sqlite3_open(path, &d), SQLITE_OK);
  sqlite3_busy_timeout(d, 5000);
  return d;
}

static long long one_int(sqlite3 *d, const char *sql, const char *arg) {
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK);
  if (arg)
    sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  long long v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static int fixture(void **state) {
  setup(state);
  stop_server();
  /* A tag, a static page, a second section, approved comments. */
  char wxr[600];
  snprintf(wxr, sizeof wxr, "%s/wxr/fault.xml", NABA_TESTDATA_DIR);
  const char *imp[] = {"import", "wxr", "--db", db, wxr, NULL};
  cli(imp);
  set_setting("comment_min_seconds", "0");
  set_setting("comment_rate_limit", "10000");
  start_server(NULL);
  return 0;
}

static const char *reply_path(void) {
  static char p[1200];
  sqlite3 *d = open_db(db);
  long long c =
      one_int(d, "SELECT min(id) FROM comments WHERE status = 1", NULL);
  sqlite3_close(d);
  snprintf(p, sizeof p, "%s/reply/%lld", article_path, c);
  return p;
}

/* ---- every page type ---- */

static void pages_fail_whole_or_not_at_all(void **state) {
  (void)state;
  const char *paths[] = {
      "/",
      "/" SECTION_SLUG_ENC "/",
      "/economy/",
      article_path,
      reply_path(),
      "/author/reporter/",
      "/tag/ports/",
      "/pages/about",
      "/search?q=%D9%85%D9%8A%D9%86%D8%A7%D8%A1", /* ميناء */
      "/feed",
      "/feed/atom",
      "/feed/json",
      "/economy/feed",
      "/sitemap.xml",
      "/sitemap-sections.xml",
      "/sitemap-2021-11.xml",
      "/sitemap-news.xml",
      "/robots.txt",
      "/no-such-section/",
      "/healthz",
  };
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    walk_page(paths[i], NB_FAULT_STORE);
    walk_page(paths[i], NB_FAULT_ALLOC);
  }
}

/* ---- a comment post ---- */

static char *comment_form(const char *text) {
  char t[256];
  comment_token(t, sizeof t);
  assert_true(t[0]);
  char *et = curl_easy_escape(NULL, t, 0),
       *ex = curl_easy_escape(NULL, text, 0);
  buf_t b = {0};
  buf_printf(&b,
             "t=%s&author=Fault&email=fault%%40example.test&url=&comment=%s",
             et, ex);
  curl_free(et);
  curl_free(ex);
  return buf_take(&b, NULL);
}

static long long comments_with(const char *text) {
  sqlite3 *d = open_db(db);
  long long n =
      one_int(d, "SELECT count(*) FROM comments WHERE body = ?1", text);
  sqlite3_close(d);
  return n;
}

/* A comment answered with 303 is on disk; any other answer leaves the
 * reader free to send it again, and then there is exactly one. */
static void comment_posts_are_kept_or_refused_never_lost(void **state) {
  (void)state;
  for (int kind = 0; kind < NB_FAULT_KINDS; kind++) {
    for (long n = 1; n <= MAX_POINTS; n++) {
      char text[80];
      snprintf(text, sizeof text, "تعليق %s %ld", kinds[kind], n);
      char *body = comment_form(text);
      reply r;
      long calls;
      int hit;
      armed("POST", article_path, kind, n, body, &r);
      report(&r, &calls, &hit);
      long status = r.status;
      if (status != 303) {
        char what[200];
        snprintf(what, sizeof what, "POST with %s:%ld", kinds[kind], n);
        expect_unavailable(&r, what);
      }
      reply_free(&r);
      if (status != 303) {
        request("POST", article_path, NULL, NULL, body, &r);
        assert_int_equal(r.status, 303);
        reply_free(&r);
      }
      free(body);
      assert_int_equal(comments_with(text), 1);
      if (!hit)
        break;
      tried[kind]++;
      assert_true(n < MAX_POINTS);
    }
  }
}

/* ---- an import ---- */

/* What the fault export brings, as one string of counts. */
static void counts(const char *path, char *out, size_t n) {
  sqlite3 *d = open_db(path);
  sqlite3_stmt *st;
  assert_int_equal(
      sqlite3_prepare_v2(d,
                         "SELECT (SELECT count(*) FROM articles) || ' ' ||"
                         " (SELECT count(*) FROM comments) || ' ' ||"
                         " (SELECT count(*) FROM pages) || ' ' ||"
                         " (SELECT count(*) FROM sections) || ' ' ||"
                         " (SELECT count(*) FROM tags) || ' ' ||"
                         " (SELECT count(*) FROM article_tags) || ' ' ||"
                         " (SELECT count(*) FROM redirects) || ' ' ||"
                         " (SELECT count(*) FROM articles_fts_docsize)",
                         -1, &st, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(d);
}

/* Runs naba with NABA_FAULT=spec (or none); its exit status, and the
 * report it printed at exit. */
static int run_armed(const char *const *args, int kind, long nth, long *calls,
                     int *hit) {
  char spec[64];
  snprintf(spec, sizeof spec, "%s:%ld", kinds[kind], nth);
  setenv("NABA_FAULT", spec, 1);
  buf_t out = {0};
  int rc = naba(&out, args);
  unsetenv("NABA_FAULT");
  const char *p = strstr(out.data ? out.data : "", "fault=");
  if (!p || sscanf(p, "fault=%*s nth=%*d calls=%ld hit=%d", calls, hit) != 2)
    fail_msg("no fault report (exit %d): %s", rc, out.data);
  /* 0 or 1: anything else is a crash, a sanitizer report or a leak. */
  if (rc != 0 && rc != 1)
    fail_msg("%s:%ld: exit %d: %s", kinds[kind], nth, rc, out.data);
  buf_free(&out);
  return rc;
}

/* A fresh database for each run, without a process per copy. */
static void copy_file(const char *from, const char *to) {
  char *data;
  size_t n;
  assert_int_equal(nb_read_file(from, 64 << 20, &data, &n), NB_OK);
  char side[420];
  snprintf(side, sizeof side, "%s-wal", to);
  unlink(side); /* a failed run's WAL must not come back to life */
  snprintf(side, sizeof side, "%s-shm", to);
  unlink(side);
  FILE *f = fopen(to, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
  free(data);
}

/* 1 when the import left the database file as it was, with no WAL. */
static int unchanged(const char *base, const char *copy) {
  char *a, *b, wal[420];
  size_t na, nb;
  snprintf(wal, sizeof wal, "%s-wal", copy);
  if (access(wal, F_OK) == 0)
    return 0;
  assert_int_equal(nb_read_file(base, 64 << 20, &a, &na), NB_OK);
  assert_int_equal(nb_read_file(copy, 64 << 20, &b, &nb), NB_OK);
  int same = na == nb && memcmp(a, b, na) == 0;
  free(a);
  free(b);
  return same;
}

static void import_fails_whole_batches_and_runs_again(void **state) {
  (void)state;
  char base[400], copy[400], wxr[600], want[200], got[200];
  snprintf(base, sizeof base, "%s/base.db", dir);
  snprintf(copy, sizeof copy, "%s/import.db", dir);
  snprintf(wxr, sizeof wxr, "%s/wxr/fault.xml", NABA_TESTDATA_DIR);
  const char *init[] = {"init", "--db", base, NULL};
  cli(init);
  const char *imp[] = {"import", "wxr", "--db", copy, wxr, NULL};
  for (int kind = 0; kind < NB_FAULT_KINDS; kind++) {
    for (long n = 1;; n++) {
      copy_file(base, copy);
      long calls;
      int hit;
      int rc = run_armed(imp, kind, n == 1 ? NEVER : n - 1, &calls, &hit);
      if (n == 1) { /* the reference: no failure */
        assert_int_equal(rc, 0);
        counts(copy, want, sizeof want);
        continue;
      }
      if (!hit)
        break;
      tried[kind]++;
      assert_true(n < MAX_POINTS);
      if (rc == 0) { /* said done: then it is */
        counts(copy, got, sizeof got);
        if (strcmp(got, want) != 0)
          fail_msg("import with %s:%ld said done: counts %s, not %s",
                   kinds[kind], n - 1, got, want);
        continue;
      }
      if (unchanged(base, copy))
        continue; /* failed before writing anything: nothing to check */
      /* Whatever a failure left, running it again completes it once. */
      assert_int_equal(naba(NULL, imp), 0);
      counts(copy, got, sizeof got);
      if (strcmp(got, want) != 0)
        fail_msg("import after %s:%ld (exit %d): counts %s, not %s",
                 kinds[kind], n - 1, rc, got, want);
    }
  }
}

static void how_many_points_were_tried(void **state) {
  (void)state;
  long all = 0;
  for (int k = 0; k < NB_FAULT_KINDS; k++)
    all += tried[k];
  printf("fault points tried: %ld (alloc %ld, store %ld, fsync %ld)\n", all,
         tried[NB_FAULT_ALLOC], tried[NB_FAULT_STORE], tried[NB_FAULT_FSYNC]);
  assert_true(tried[NB_FAULT_ALLOC] > 0 && tried[NB_FAULT_STORE] > 0 &&
              tried[NB_FAULT_FSYNC] > 0);
}

int main(void) {
#ifndef NABA_FAULT
  fprintf(stderr, "fault_test: this build has no failure points: configure "
                  "it with -Dfault=true (make test does)\n");
  return 1;
#endif
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  /* FAULT_TEST=import_* runs only the matching cases, while debugging. */
  if (getenv("FAULT_TEST"))
    cmocka_set_test_filter(getenv("FAULT_TEST"));
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pages_fail_whole_or_not_at_all),
      cmocka_unit_test(comment_posts_are_kept_or_refused_never_lost),
      cmocka_unit_test(import_fails_whole_batches_and_runs_again),
      cmocka_unit_test(how_many_points_were_tried),
  };
  return cmocka_run_group_tests(tests, fixture, teardown);
}
