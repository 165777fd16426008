/* store.h is the store's whole interface, in domain terms: this file
 * includes nothing of naba but "store/store.h" and is built without
 * SQLite's compile flags (src/store/meson.build), so an engine type or
 * header that leaked into store.h fails the build here, and the store then
 * works through the interface alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/store.h"

/* The system's include path holds <sqlite3.h>, so a leak would compile:
 * its guard says whether it came in. */
#if defined(SQLITE3_H) || defined(SQLITE_VERSION)
#error "store/store.h includes <sqlite3.h>"
#endif
#ifdef NABA_SEARCH_H
#error "store/store.h includes search/search.h"
#endif

static void a_file_with_only_store_h_saves_and_reads_an_article(void **state) {
  store_article in = {0}, out;
  arena_t a = {0};
  int64_t section, n = 0;
  char err[256];
  store *s;
  int created = 0;

  (void)state;
  assert_int_equal(store_open(":memory:", 0, &s, err, sizeof err), NB_OK);
  assert_int_equal(store_section_ensure(s, "سياسة", "سياسة", &section, NULL),
                   NB_OK);
  in.section_id = section;
  in.title = "عنوان";
  in.slug = "عنوان";
  in.body_html = "<p>نص</p>";
  in.status = STORE_PUBLISHED;
  in.published_at = 1;
  assert_int_equal(store_article_save(s, &in, NULL, &created), NB_OK);
  assert_true(created && in.id > 0);
  assert_int_equal(store_article_by_id(s, &a, in.id, &out), NB_OK);
  assert_string_equal(out.title, "عنوان");
  assert_string_equal(out.section_name, "سياسة");
  assert_int_equal(store_articles_count(s, 0, &n), NB_OK);
  assert_int_equal(n, 1);
  arena_free(&a);
  store_close(s);
}

static void a_refused_write_says_why_through_store_errmsg(void **state) {
  store_article in = {0};
  char err[256];
  store *s;

  (void)state;
  assert_int_equal(store_open(":memory:", 0, &s, err, sizeof err), NB_OK);
  in.title = "x";
  in.slug = "x";
  assert_int_equal(store_article_save(s, &in, NULL, NULL), NB_EINVAL);
  assert_string_equal(store_errmsg(s),
                      "title, slug and body_html are required");
  store_close(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_file_with_only_store_h_saves_and_reads_an_article),
      cmocka_unit_test(a_refused_write_says_why_through_store_errmsg),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
