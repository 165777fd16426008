/* Unit tests for core: buffers, arenas, UTF-8, escaping, numbers, time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

static void html_escape_neutralizes_markup(void **state) {
  (void)state;
  buf_t b = {0};
  const char *s = "<script>alert('x')</script> & \"q\"";
  buf_html_escape(&b, s, strlen(s));
  assert_string_equal(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
                              "&amp; &quot;q&quot;");
  buf_free(&b);
}

static void url_encoding_of_arabic_is_percent_utf8(void **state) {
  (void)state;
  buf_t b = {0};
  const char *s = "سياسة a-b_c.d~e f/g";
  buf_url_encode(&b, s, strlen(s));
  assert_string_equal(b.data,
                      "%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9%20a-b_c.d~e%20f%2Fg");
  buf_free(&b);
}

static void buffer_grows_and_formats(void **state) {
  (void)state;
  buf_t b = {0};
  for (int i = 0; i < 1000; i++)
    buf_printf(&b, "%d,", i);
  assert_int_equal(b.oom, 0);
  assert_true(b.len > 3000);
  assert_memory_equal(b.data + b.len - 4, "999,", 4);
  size_t n;
  char *p = buf_take(&b, &n);
  assert_non_null(p);
  assert_null(b.data);
  free(p);
}

static void arena_serves_small_and_big_allocations(void **state) {
  (void)state;
  arena_t a = {0};
  char *s = arena_strdup(&a, "نبأ");
  char *big = arena_alloc(&a, 100000);
  memset(big, 1, 100000);
  char *t = arena_printf(&a, "%s-%d", s, 42);
  assert_string_equal(t, "نبأ-42");
  assert_int_equal(((uintptr_t)arena_alloc(&a, 3)) % sizeof(max_align_t), 0);
  arena_free(&a);
  assert_null(a.head);
}

static void
utf8_validation_refuses_overlongs_surrogates_and_truncation(void **state) {
  (void)state;
  assert_true(utf8_valid("نبأ news", strlen("نبأ news")));
  assert_false(utf8_valid("\xC0\xAF", 2));         /* overlong "/" */
  assert_false(utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
  assert_false(utf8_valid("\xD9", 1));             /* truncated */
  assert_false(utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
  assert_false(utf8_valid("\xFF", 1));
  assert_int_equal(utf8_count("نبأ", strlen("نبأ")), 3);
  char out[4];
  uint32_t cp;
  assert_int_equal(utf8_encode(0x1F600, out), 4);
  assert_int_equal(utf8_decode(out, 4, &cp), 4);
  assert_int_equal(cp, 0x1F600);
}

static void numbers_are_parsed_whole_and_in_range(void **state) {
  (void)state;
  int64_t v;
  assert_int_equal(nb_parse_i64("42", 2, 1, 100, &v), NB_OK);
  assert_int_equal(v, 42);
  assert_int_equal(nb_parse_i64("42x", 3, 1, 100, &v), NB_EINVAL);
  assert_int_equal(nb_parse_i64("", 0, 1, 100, &v), NB_EINVAL);
  assert_int_equal(nb_parse_i64("101", 3, 1, 100, &v), NB_EINVAL);
  assert_int_equal(nb_parse_i64("99999999999999999999", 20, 0, INT64_MAX, &v),
                   NB_EINVAL);
  assert_int_equal(nb_parse_i64("-5", 2, -10, 10, &v), NB_OK);
  assert_int_equal(v, -5);
}

static void times_parse_and_print_in_utc(void **state) {
  (void)state;
  int64_t t;
  assert_int_equal(nb_time_parse("2021-11-24T08:00:00Z", &t), NB_OK);
  assert_int_equal(t, 1637740800);
  assert_int_equal(nb_time_parse("2021-11-24T09:00+01:00", &t), NB_OK);
  assert_int_equal(t, 1637740800);
  assert_int_equal(nb_time_parse("2021-11-24", &t), NB_OK);
  assert_int_equal(t, 1637712000);
  assert_int_equal(nb_time_parse("2021-02-29", &t), NB_EINVAL);
  assert_int_equal(nb_time_parse("2021-11-24T25:00", &t), NB_EINVAL);
  assert_int_equal(nb_time_parse("yesterday", &t), NB_EINVAL);
  char out[32];
  nb_time_iso(1637740800, out);
  assert_string_equal(out, "2021-11-24T08:00:00Z");
  nb_time_http(1637740800, out);
  assert_string_equal(out, "Wed, 24 Nov 2021 08:00:00 GMT");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(html_escape_neutralizes_markup),
      cmocka_unit_test(url_encoding_of_arabic_is_percent_utf8),
      cmocka_unit_test(buffer_grows_and_formats),
      cmocka_unit_test(arena_serves_small_and_big_allocations),
      cmocka_unit_test(
          utf8_validation_refuses_overlongs_surrogates_and_truncation),
      cmocka_unit_test(numbers_are_parsed_whole_and_in_range),
      cmocka_unit_test(times_parse_and_print_in_utc),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
