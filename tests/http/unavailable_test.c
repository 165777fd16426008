/* HTTP tests of store errors: with the database broken from outside while
 * naba runs (a table renamed away, the search index's pages overwritten),
 * every page answers 503 in the site's design, with Retry-After and
 * no-store; once it is repaired the next answer is the right page, as
 * nothing wrong was cached. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "../shared.h"

/* الموقع غير متاح مؤقتًا: the error page's heading. */
#define UNAVAILABLE                                                            \
  "\xd8\xa7\xd9\x84\xd9\x85\xd9\x88\xd9\x82\xd8\xb9 "                          \
  "\xd8\xba\xd9\x8a\xd8\xb1 \xd9\x85\xd8\xaa\xd8\xa7\xd8\xad"
/* غانتس, a word of the seed article. */
#define SEARCH_SEED "/search?q=%D8%BA%D8%A7%D9%86%D8%AA%D8%B3"

static void sql(const char *text) {
  sqlite3 *h;
  char *err = NULL;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  sqlite3_busy_timeout(h, 5000);
  if (sqlite3_exec(h, text, NULL, NULL, &err) != SQLITE_OK)
    fail_msg("%s: %s", text, err ? err : "?");
  sqlite3_close(h);
}

/* path answers 503, says when to come back, may be kept by no one and
 * shows the site's error page. */
static void expect_unavailable(const char *method, const char *path,
                               const char *body) {
  reply r;
  char v[200];
  request(method, path, NULL, NULL, body, &r);
  if (r.status != 503)
    fail_msg("%s %s answered %ld", method, path, r.status);
  assert_true(header(&r, "Retry-After", v, sizeof v));
  assert_true(atoi(v) > 0);
  assert_true(header(&r, "Cache-Control", v, sizeof v));
  assert_non_null(strstr(v, "no-store"));
  assert_non_null(strstr(r.body.data, UNAVAILABLE));
  assert_non_null(strstr(r.body.data, "dir=\"rtl\""));
  reply_free(&r);
}

/* path answers 200 with needle in it. */
static void expect_page(const char *path, const char *needle) {
  reply r;
  get("GET", path, NULL, NULL, &r);
  if (r.status != 200)
    fail_msg("%s answered %ld", path, r.status);
  if (!strstr(r.body.data, needle))
    fail_msg("%s lacks %s", path, needle);
  reply_free(&r);
}

static void pages_answer_503_while_a_table_is_missing_then_recover(void **s) {
  (void)s;
  const char *section = "/" SECTION_SLUG_ENC "/";
  sql("ALTER TABLE articles RENAME TO articles_away");
  expect_unavailable("GET", "/", NULL);
  expect_unavailable("GET", section, NULL);
  expect_unavailable("GET", article_path, NULL);
  expect_unavailable("GET", SEARCH_SEED, NULL);
  expect_unavailable("GET", "/feed", NULL);
  expect_unavailable("GET", "/sitemap.xml", NULL);
  /* Asked twice: the second is not a copy kept from the first. */
  expect_unavailable("GET", "/", NULL);
  expect_unavailable("POST", article_path,
                     "author=A&email=a%40example.com&comment=kept");
  sql("ALTER TABLE articles_away RENAME TO articles");
  expect_page("/", SEED_TITLE);
  expect_page(section, SEED_TITLE);
  expect_page(article_path, SEED_TITLE);
  expect_page(SEARCH_SEED, article_path);
  expect_page("/feed", "<item>");
}

static void pages_answer_503_while_settings_cannot_be_read(void **s) {
  (void)s;
  char reply_path[1100];
  snprintf(reply_path, sizeof reply_path, "%s/reply/1", article_path);
  /* Pages not asked for yet: the cache has a good copy of the others. */
  sql("ALTER TABLE settings RENAME TO settings_away");
  expect_unavailable("GET", reply_path, NULL);
  expect_unavailable("GET", SEARCH_SEED, NULL);
  expect_unavailable("GET", "/no-such-page", NULL); /* not a 404 either */
  sql("ALTER TABLE settings_away RENAME TO settings");
  expect_page(SEARCH_SEED, article_path);
  expect_status("GET", "/no-such-page", 404);
}

/* The FTS5 index's pages, kept to be put back. */
typedef struct {
  sqlite3_int64 id[256];
  void *block[256];
  int size[256];
  int n;
} pages;

static void save_index(pages *p) {
  sqlite3 *h;
  sqlite3_stmt *st;
  memset(p, 0, sizeof *p);
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(h,
                                      "SELECT id, block FROM articles_fts_data",
                                      -1, &st, NULL),
                   SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW && p->n < 256) {
    p->id[p->n] = sqlite3_column_int64(st, 0);
    p->size[p->n] = sqlite3_column_bytes(st, 1);
    p->block[p->n] = malloc((size_t)p->size[p->n] + 1);
    memcpy(p->block[p->n], sqlite3_column_blob(st, 1), (size_t)p->size[p->n]);
    p->n++;
  }
  assert_true(p->n > 2 && p->n < 256);
  sqlite3_finalize(st);
  sqlite3_close(h);
}

static void restore_index(pages *p) {
  sqlite3 *h;
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  sqlite3_busy_timeout(h, 5000);
  assert_int_equal(sqlite3_prepare_v2(
                       h, "UPDATE articles_fts_data SET block = ? WHERE id = ?",
                       -1, &st, NULL),
                   SQLITE_OK);
  for (int i = 0; i < p->n; i++) {
    sqlite3_bind_blob(st, 1, p->block[i], p->size[i], SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, p->id[i]);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
    free(p->block[i]);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
}

static void a_damaged_search_index_is_503_not_no_results(void **s) {
  (void)s;
  static pages saved;
  expect_page(SEARCH_SEED, article_path);
  save_index(&saved);
  /* Every page but the averages (id 1): what a search reads. */
  sql("UPDATE articles_fts_data SET block = x'00ffffff00ffffff00ffffff' "
      "WHERE id > 1");
  expect_unavailable("GET", SEARCH_SEED, NULL);
  expect_unavailable("GET", "/search.json?q=%D8%BA%D8%A7%D9%86%D8%AA%D8%B3",
                     NULL);
  restore_index(&saved);
  expect_page(SEARCH_SEED, article_path);
}

int main(void) {
  /* The fixture imports the seed page: without it, skip them all. */
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pages_answer_503_while_a_table_is_missing_then_recover),
      cmocka_unit_test(pages_answer_503_while_settings_cannot_be_read),
      cmocka_unit_test(a_damaged_search_index_is_503_not_no_results),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
