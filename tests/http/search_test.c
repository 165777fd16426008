/* HTTP tests of search: the seed page is found by the spellings readers
 * type, malformed queries get a page (never an error), results are
 * highlighted on the original text, and the JSON form says the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared.h"
#include "harness.h"

/* GET /search?q=<q percent-encoded>; the reply is left in r. */
static void search(const char *q, const char *extra, reply *r) {
  char *e = curl_easy_escape(NULL, q, 0);
  buf_t url = {0};
  buf_printf(&url, "/search?q=%s%s", e, extra ? extra : "");
  curl_free(e);
  get("GET", url.data, NULL, NULL, r);
  buf_free(&url);
}

/* 1 if searching q lists the seed article. */
static int finds_seed(const char *q) {
  reply r;
  search(q, NULL, &r);
  assert_int_equal(r.status, 200);
  /* The result links to the article's canonical path. */
  int found = strstr(r.body.data, article_path) != NULL;
  reply_free(&r);
  return found;
}

static void seed_is_found_by_the_spellings_readers_type(void **s) {
  (void)s;
  static const char *queries[] = {
      "\xd8\xa7\xd8\xb3\xd8\xb1\xd8\xa7\xd8\xa6\xd9\x8a\xd9\x84", /* اسرائيل */
      "\xd8\xa7\xd9\x84\xd8\xa7\xd8\xb3\xd8\xb1\xd8\xa7\xd8\xa6\xd9\x8a\xd9\x84"
      "\xd9\x8a", /* الاسرائيلي */
      "\xd8\xa7\xd8\xb3\xd8\xb1\xd8\xa7\xd8\xa6\xd9\x8a\xd9\x84\xd9\x8a\xd8"
      "\xa9",
      /* اسرائيلية */
      "\xd8\xa7\xd9\x84\xd9\x85\xd8\xba\xd8\xb1\xd8\xa8\xd9\x8a", /* المغربي */
      "\xd9\x85\xd8\xba\xd8\xb1\xd8\xa8",                         /* مغرب */
      "\xd8\xaa\xd9\x88\xd9\x82\xd8\xb9\xd8\xa7\xd9\x86", /* توقعان */
      "\xd8\xa7\xd8\xaa\xd9\x81\xd8\xa7\xd9\x82\xd9\x8a\xd9\x87", /* اتفاقيه */
      "\xd8\xaf\xd9\x81\xd8\xa7\xd8\xb9",                         /* دفاع */
      "\xd9\x88\xd8\xb2\xd9\x8a\xd8\xb1 "
      "\xd8\xa7\xd9\x84\xd8\xaf\xd9\x81\xd8\xa7\xd8\xb9", /* وزير الدفاع */
      "\xd9\x88\xd9\x8e\xd8\xb2\xd9\x90\xd9\x8a\xd8\xb1", /* وَزِير */
      "\xd8\xba\xd8\xa7\xd9\x86\xd8\xaa\xd8\xb3",         /* غانتس */
      /* A conjunction or preposition stuck to a name the page writes
       * bare: ولغانتس, بغانتس. */
      "\xd9\x88\xd9\x84\xd8\xba\xd8\xa7\xd9\x86\xd8\xaa\xd8\xb3",
      "\xd8\xa8\xd8\xba\xd8\xa7\xd9\x86\xd8\xaa\xd8\xb3", NULL};
  for (int i = 0; queries[i]; i++)
    if (!finds_seed(queries[i]))
      fail_msg("query %d (%s) did not find the seed", i, queries[i]);
}

static void a_word_not_in_the_page_finds_nothing(void **s) {
  (void)s;
  /* كرة (ball) is not in the seed page. */
  assert_false(finds_seed("\xd9\x83\xd8\xb1\xd8\xa9"));
  /* Nor the phrase غانتس كرة: a quoted phrase is required. */
  assert_false(finds_seed("\"\xd8\xba\xd8\xa7\xd9\x86\xd8\xaa\xd8\xb3 "
                          "\xd9\x83\xd8\xb1\xd8\xa9\""));
}

/* غانتس كرة: the seed holds one word of two; it is found, and the page
 * says which word it lacks. */
static void a_result_missing_a_word_says_which(void **s) {
  (void)s;
  reply r;
  search("\xd8\xba\xd8\xa7\xd9\x86\xd8\xaa\xd8\xb3 \xd9\x83\xd8\xb1\xd8\xa9",
         NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, article_path));
  const char *missing = strstr(r.body.data, "class=\"search-missing\"");
  assert_non_null(missing);
  assert_non_null(
      strstr(missing, "<s><bdi>\xd9\x83\xd8\xb1\xd8\xa9</bdi></s>"));
  assert_null(strstr(missing, "<s><bdi>\xd8\xba\xd8\xa7"));
  reply_free(&r);
  /* The JSON form lists it too. */
  get("GET",
      "/search.json?q=%D8%BA%D8%A7%D9%86%D8%AA%D8%B3%20%D9%83%D8%B1%D8%A9",
      NULL, NULL, &r);
  assert_non_null(
      strstr(r.body.data, "\"missing\":[\"\xd9\x83\xd8\xb1\xd8\xa9\"]"));
  reply_free(&r);
}

static void results_are_highlighted_on_the_original_text(void **s) {
  (void)s;
  reply r;
  search("\xd8\xa7\xd8\xb3\xd8\xb1\xd8\xa7\xd8\xa6\xd9\x8a\xd9\x84", NULL,
         &r); /* اسرائيل */
  /* The page shows the word as written in the article (إسرائيل, with
   * hamza), marked, although the reader typed it without. */
  assert_non_null(strstr(r.body.data,
                         "<mark>\xd8\xa5\xd8\xb3\xd8\xb1\xd8\xa7\xd8\xa6"
                         "\xd9\x8a\xd9\x84"));
  assert_non_null(strstr(r.body.data, "lang=\"ar\""));
  reply_free(&r);
}

static void malformed_queries_get_a_page_never_an_error(void **s) {
  (void)s;
  buf_t big = {0};
  for (int i = 0; i < 5000; i++)
    buf_putc(&big, i % 7 ? 'a' : ' ');
  const char *queries[] = {"\"unbalanced quote",
                           "\"\"",
                           "-",
                           "--x",
                           "\xd9\x81\xd9\x8a \xd9\x85\xd9\x86", /* في من */
                           "NEAR(a b) AND OR * ^ :",
                           "\x01\x02\x7f",
                           "(((",
                           big.data,
                           "section:",
                           NULL};
  for (int i = 0; queries[i]; i++) {
    reply r;
    search(queries[i], NULL, &r);
    if (r.status != 200)
      fail_msg("query %d answered %ld", i, r.status);
    assert_non_null(strstr(r.body.data, "</html>"));
    reply_free(&r);
  }
  buf_free(&big);
  /* Invalid UTF-8 in the query string is dropped, not an error. */
  reply r;
  get("GET", "/search?q=%FF%FE", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  reply_free(&r);
}

static void exclusion_phrase_and_section_filter_narrow_results(void **s) {
  (void)s;
  /* غانتس -المغرب: excluded. */
  assert_false(finds_seed("\xd8\xba\xd8\xa7\xd9\x86\xd8\xaa\xd8\xb3 "
                          "-\xd8\xa7\xd9\x84\xd9\x85\xd8\xba\xd8\xb1\xd8\xa8"));
  /* "وزير الدفاع" as a phrase: found; "الدفاع وزير": not. */
  assert_true(finds_seed("\"\xd9\x88\xd8\xb2\xd9\x8a\xd8\xb1 "
                         "\xd8\xa7\xd9\x84\xd8\xaf\xd9\x81\xd8\xa7\xd8\xb9\""));
  assert_false(finds_seed("\"\xd8\xa7\xd9\x84\xd8\xaf\xd9\x81\xd8\xa7\xd8\xb9 "
                          "\xd9\x88\xd8\xb2\xd9\x8a\xd8\xb1\""));
  /* section:سياسة finds it; section:رياضة does not. */
  assert_true(finds_seed("\xd8\xba\xd8\xa7\xd9\x86\xd8\xaa\xd8\xb3 "
                         "section:\xd8\xb3\xd9\x8a\xd8\xa7\xd8\xb3\xd8\xa9"));
  assert_false(finds_seed("\xd8\xba\xd8\xa7\xd9\x86\xd8\xaa\xd8\xb3 "
                          "section:\xd8\xb1\xd9\x8a\xd8\xa7\xd8\xb6\xd8\xa9"));
}

static void no_results_page_suggests_a_shorter_query(void **s) {
  (void)s;
  reply r;
  /* "غانتس كرة" quoted: nothing; suggests the words unquoted. */
  search(
      "\"\xd8\xba\xd8\xa7\xd9\x86\xd8\xaa\xd8\xb3 \xd9\x83\xd8\xb1\xd8\xa9\"",
      NULL, &r);
  assert_non_null(strstr(r.body.data, "class=\"suggestions\""));
  assert_non_null(strstr(
      r.body.data,
      "/search?q=%D8%BA%D8%A7%D9%86%D8%AA%D8%B3%20%D9%83%D8%B1%D8%A9\""));
  reply_free(&r);
}

/* "section:اسم القسم" is one left-to-right unit in the Arabic help line,
 * so neither the colon nor the name moves around the sentence. */
static void help_shows_the_section_syntax_as_one_isolated_unit(void **s) {
  (void)s;
  reply r;
  get("GET", "/search", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data,
                         "<bdi dir=\"ltr\" class=\"search-syntax\">section:"
                         "\xd8\xa7\xd8\xb3\xd9\x85 "
                         "\xd8\xa7\xd9\x84\xd9\x82\xd8\xb3\xd9\x85</bdi>"));
  reply_free(&r);
}

static void json_form_gives_the_same_results(void **s) {
  (void)s;
  reply r;
  get("GET", "/search.json?q=%D8%BA%D8%A7%D9%86%D8%AA%D8%B3", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  char ct[128];
  assert_true(header(&r, "Content-Type", ct, sizeof ct));
  assert_non_null(strstr(ct, "application/json"));
  assert_non_null(strstr(r.body.data, "\"total\":1"));
  assert_non_null(strstr(r.body.data, "\"snippet_html\""));
  reply_free(&r);
}

static void new_articles_are_searchable_at_once_and_reindex_rebuilds(void **s) {
  (void)s;
  assert_int_equal(import_text("fresh.txt",
                               "Culture\n\nZanzibar festival opens\n\n"
                               "Zanzibar festival opens\n\n"
                               "Musicians from many countries played.\n",
                               NULL, NULL),
                   0);
  reply r;
  search("zanzibar", NULL, &r);
  assert_non_null(strstr(r.body.data, "<mark>Zanzibar</mark>"));
  reply_free(&r);
  buf_t out = {0};
  const char *args[] = {"reindex", "--db", db, NULL};
  assert_int_equal(naba(&out, args), 0);
  assert_non_null(strstr(out.data, "indexed"));
  buf_free(&out);
  search("ZANZIBAR", NULL, &r);
  assert_non_null(strstr(r.body.data, "<mark>Zanzibar</mark>"));
  reply_free(&r);
}

int main(void) {
  /* Every case needs it: skip them all, before allocating anything. */
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(seed_is_found_by_the_spellings_readers_type),
      cmocka_unit_test(a_word_not_in_the_page_finds_nothing),
      cmocka_unit_test(a_result_missing_a_word_says_which),
      cmocka_unit_test(results_are_highlighted_on_the_original_text),
      cmocka_unit_test(malformed_queries_get_a_page_never_an_error),
      cmocka_unit_test(exclusion_phrase_and_section_filter_narrow_results),
      cmocka_unit_test(no_results_page_suggests_a_shorter_query),
      cmocka_unit_test(help_shows_the_section_syntax_as_one_isolated_unit),
      cmocka_unit_test(json_form_gives_the_same_results),
      cmocka_unit_test(
          new_articles_are_searchable_at_once_and_reindex_rebuilds),
  };
  int rc = cmocka_run_group_tests(tests, setup, teardown);
  curl_global_cleanup();
  return rc;
}
