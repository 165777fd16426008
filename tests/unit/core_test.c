/* Unit tests for core: buffers, arenas, UTF-8, escaping, numbers, time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
  /* Formats of strings alone take a shorter way: the same results. */
  assert_string_equal(arena_printf(&a, "%s/%s#x", s, ""), "نبأ/#x");
  assert_string_equal(arena_printf(&a, "plain"), "plain");
  assert_string_equal(arena_printf(&a, "%s%%", s), "نبأ%");
  char *long_s = arena_alloc(&a, 3001);
  memset(long_s, 'x', 3000);
  long_s[3000] = '\0';
  char *joined = arena_printf(&a, "<%s><%s>", long_s, long_s);
  assert_int_equal(strlen(joined), 6004);
  assert_memory_equal(joined + 3001, "><x", 3);
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
  assert_int_equal(nb_parse_i64("-", 1, -10, 10, &v), NB_EINVAL);
  /* A number out of range says so (naba serve --port 99999). */
  assert_int_equal(nb_parse_i64("101", 3, 1, 100, &v), NB_ERANGE);
  assert_int_equal(nb_parse_i64("0", 1, 1, 100, &v), NB_ERANGE);
  assert_int_equal(nb_parse_i64("99999999999999999999", 20, 0, INT64_MAX, &v),
                   NB_ERANGE);
  assert_int_equal(nb_parse_i64("99999999999999999999x", 21, 0, 10, &v),
                   NB_EINVAL);
  assert_int_equal(nb_parse_i64("9223372036854775807", 19, 0, INT64_MAX, &v),
                   NB_OK);
  assert_int_equal(v, INT64_MAX);
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

static void
rfc822_dates_are_right_on_every_day_and_clamped_at_the_ends(void **state) {
  (void)state;
  const struct {
    int64_t t;
    const char *want;
  } cases[] = {
      {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
      {-1, "Wed, 31 Dec 1969 23:59:59 GMT"},
      {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
      {1709251199, "Thu, 29 Feb 2024 23:59:59 GMT"},
      {4102444800, "Fri, 01 Jan 2100 00:00:00 GMT"},
      {-2208988800, "Mon, 01 Jan 1900 00:00:00 GMT"},
      {253402300799, "Fri, 31 Dec 9999 23:59:59 GMT"},
      {INT64_MAX, "Fri, 31 Dec 9999 23:59:59 GMT"},
      {-62135596800, "Mon, 01 Jan 0001 00:00:00 GMT"},
      {INT64_MIN, "Mon, 01 Jan 0001 00:00:00 GMT"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char out[32];
    nb_time_http(cases[i].t, out);
    assert_string_equal(out, cases[i].want);
  }
  /* Every day of 400 years (a whole Gregorian cycle) from 1900, against
   * gmtime and strftime in the C locale (tests never call setlocale). */
  for (int64_t t = -2208988800; t < -2208988800 + 146097LL * 86400;
       t += 86400 + 3661) {
    char out[32], want[32];
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(gmtime_r(&tt, &tm));
    strftime(want, sizeof want, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    nb_time_http(t, out);
    assert_string_equal(out, want);
  }
}

/* buf_text_html into a fresh buffer; the caller frees the result. */
static char *text_html(const char *s, size_t *links) {
  buf_t b = {0};
  *links = buf_text_html(&b, s, strlen(s));
  assert_false(b.oom);
  return buf_take(&b, NULL);
}

static void
log_escape_keeps_arabic_and_escapes_what_a_terminal_obeys(void **state) {
  (void)state;
  buf_t b = {0};
  /* ESC, a line break, DEL, a C1 control, U+202E and U+2066, a quote, a
   * backslash and a byte that is not UTF-8; Arabic and tab-free text stay. */
  static const char in[] = "\x1b[2J\n\x7f\xc2\x9b\xe2\x80\xae\xe2\x81\xa6"
                           "\"\\\xff\xd9\x86\xd8\xa8\xd8\xa3 ok";
  buf_log_escape(&b, in, sizeof in - 1);
  assert_string_equal(b.data, "\\x1b[2J\\x0a\\x7f\\u{009b}\\u{202e}"
                              "\\u{2066}\\x22\\x5c\\xff\xd9\x86\xd8\xa8"
                              "\xd8\xa3 ok");
  buf_free(&b);
}

static void html_escape_of_a_c_string_is_the_same_as_by_length(void **state) {
  (void)state;
  static const char in[] = "<a href=\"x\">O'Brien & co</a>\0after <b>\xd9\x86";
  buf_t a = {0}, b = {0};
  buf_html_escape(&a, in, sizeof in - 1);
  buf_html_escape_z(&b, in, sizeof in - 1);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);
  assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; "
                              "co&lt;/a&gt;");
  assert_memory_equal(b.data + strlen(b.data) + 1, "after &lt;b&gt;\xd9\x86",
                      17);
  buf_free(&a);
  buf_free(&b);
}

static void
json_string_is_safe_in_a_script_element_and_keeps_arabic(void **state) {
  (void)state;
  buf_t b = {0};
  /* A script end tag, a quote, a backslash, controls, U+2028 and U+2029;
   * Arabic stays as UTF-8. */
  buf_json_string(&b, "</script>\"\\\n\t\x01\xe2\x80\xa8\xe2\x80\xa9"
                      "\xd9\x86\xd8\xa8\xd8\xa3");
  assert_false(b.oom);
  assert_string_equal(b.data,
                      "\"\\u003c/script>\\\"\\\\\\u000a\\u0009"
                      "\\u0001\\u2028\\u2029\xd9\x86\xd8\xa8\xd8\xa3\"");
  buf_free(&b);
}

static void xml_escape_drops_what_xml_forbids_and_keeps_arabic(void **state) {
  buf_t b = {0};
  /* NUL, a vertical tab, U+FFFE, an invalid byte and a lone continuation
   * byte go; tab, line feed and Arabic stay as UTF-8. */
  static const char in[] = "a&b<c>\"d'\t\n\x0b\x01\xef\xbf\xbe\xff\x80"
                           "\xd9\x86\xd8\xa8\xd8\xa3\x00z";
  (void)state;
  buf_xml_escape(&b, in, sizeof in - 1);
  assert_int_equal(b.len, strlen(b.data));
  assert_string_equal(b.data, "a&amp;b&lt;c&gt;&quot;d&apos;\t\n"
                              "\xd9\x86\xd8\xa8\xd8\xa3z");
  buf_free(&b);
}

static void plain_text_is_escaped_and_keeps_line_breaks(void **state) {
  (void)state;
  size_t links;
  char *h = text_html("<b>hi</b> & \"you\"\nsecond line\r\nthird", &links);
  assert_string_equal(h, "&lt;b&gt;hi&lt;/b&gt; &amp; &quot;you&quot;<br>\n"
                         "second line<br>\nthird");
  assert_int_equal(links, 0);
  free(h);
  buf_t b = {0};
  assert_int_equal(buf_text_html(&b, "", 0), 0);
  assert_int_equal(b.len, 0);
  buf_free(&b);
}

static void blank_lines_start_a_new_paragraph(void **state) {
  (void)state;
  size_t links;
  char *h =
      text_html("\n \r\n first\n\nsecond\r\n  \t\r\n\r\nthird\n \n\n", &links);
  assert_string_equal(h, " first</p>\n<p>second</p>\n<p>third");
  free(h);
  buf_t b = {0};
  assert_int_equal(buf_text_html(&b, " \n\r\n\t\n", 5), 0);
  assert_int_equal(b.len, 0); /* only blank lines: nothing at all */
  buf_free(&b);
}

static void
urls_become_nofollow_ugc_links_without_trailing_punctuation(void **state) {
  (void)state;
  size_t links;
  char *h = text_html("See https://example.com/a?b=1&c=2. Or "
                      "(HTTP://x.org/y), and "
                      "https://en.wikipedia.org/wiki/C_(language)!",
                      &links);
  assert_string_equal(
      h, "See <a href=\"https://example.com/a?b=1&amp;c=2\" "
         "rel=\"nofollow ugc\">https://example.com/a?b=1&amp;c=2</a>. Or "
         "(<a href=\"HTTP://x.org/y\" rel=\"nofollow ugc\">HTTP://x.org/y</a>"
         "), and <a href=\"https://en.wikipedia.org/wiki/C_(language)\" "
         "rel=\"nofollow ugc\">https://en.wikipedia.org/wiki/C_(language)</a>"
         "!");
  assert_int_equal(links, 3);
  free(h);
  /* A scheme alone, or only punctuation after it, is not a link. */
  h = text_html("http:// and https://...", &links);
  assert_string_equal(h, "http:// and https://...");
  assert_int_equal(links, 0);
  free(h);
}

static void javascript_and_other_schemes_are_never_links(void **state) {
  (void)state;
  size_t links;
  char *h = text_html("javascript:alert(1) data:text/html,<b> ftp://x.org "
                      "mailto:a@b.c xhttp://glued.example",
                      &links);
  assert_string_equal(h, "javascript:alert(1) data:text/html,&lt;b&gt; "
                         "ftp://x.org mailto:a@b.c xhttp://glued.example");
  assert_int_equal(links, 0);
  free(h);
}

static void url_cannot_break_out_of_the_href_attribute(void **state) {
  (void)state;
  size_t links;
  char *h = text_html("https://x.com/\"><script>alert(1)</script> "
                      "https://y.com/'onmouseover='a <https://z.com>",
                      &links);
  assert_string_equal(
      h, "<a href=\"https://x.com/\" rel=\"nofollow ugc\">https://x.com/</a>"
         "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; "
         "<a href=\"https://y.com/&#39;onmouseover=&#39;a\" "
         "rel=\"nofollow ugc\">https://y.com/&#39;onmouseover=&#39;a</a> "
         "&lt;<a href=\"https://z.com\" rel=\"nofollow ugc\">https://z.com</a>"
         "&gt;");
  assert_int_equal(links, 3);
  free(h);
}

static void arabic_text_around_a_url_is_kept(void **state) {
  (void)state;
  size_t links;
  char *h = text_html("اقرأ المقال:https://naba.example/مقال/١ "
                      "وأيضاً https://naba.example/a،شكراً",
                      &links);
  assert_string_equal(
      h, "اقرأ المقال:<a href=\"https://naba.example/\" rel=\"nofollow "
         "ugc\">https://naba.example/</a>مقال/١ وأيضاً "
         "<a href=\"https://naba.example/a\" rel=\"nofollow "
         "ugc\">https://naba.example/a</a>،شكراً");
  assert_int_equal(links, 2);
  free(h);
}

static void link_count_matches_links_made(void **state) {
  (void)state;
  static const char *texts[] = {
      "",
      "no links here",
      "http://",
      "http://a https://b\nHTTPS://c\n\nhttp://d.",
      "xhttp://a (http://b) [https://c] {https://d}",
      "javascript:https://e.example",
      "مرحبا https://ar.example/x؟ http://y",
  };
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    buf_t b = {0};
    size_t made = buf_text_html(&b, texts[i], strlen(texts[i]));
    size_t anchors = 0;
    for (const char *p = b.data; p && (p = strstr(p, "<a href=\"")); p++)
      anchors++;
    assert_int_equal(made, anchors);
    assert_int_equal(text_count_links(texts[i], strlen(texts[i])), made);
    buf_free(&b);
  }
  assert_int_equal(text_count_links(texts[3], strlen(texts[3])), 4);
  assert_int_equal(text_count_links(texts[4], strlen(texts[4])), 3);
}

static void arena_refuses_sizes_that_would_wrap(void **state) {
  (void)state;
  arena_t a = {0};
  /* Each wraps when rounded up or when the block header is added. */
  const size_t huge[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 15,
                         SIZE_MAX - sizeof(max_align_t) + 1, SIZE_MAX - 40};
  for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++)
    assert_null(arena_alloc(&a, huge[i]));
  /* strndup adds one for the NUL: that must not wrap to zero either. */
  assert_null(arena_strndup(&a, "", SIZE_MAX));
  /* The arena still works after a refusal. */
  char *p = arena_strdup(&a, "ok");
  assert_non_null(p);
  assert_string_equal(p, "ok");
  arena_free(&a);
}

static int url_ok(const char *s) {
  return nb_url_allowed(s, strlen(s));
}

static void only_http_https_and_site_paths_pass_the_url_rule(void **state) {
  (void)state;
  static const char *const good[] = {
      "http://example.com",
      "https://example.com/a/b.jpg?w=604#x",
      "HTTPS://EXAMPLE.COM/",
      "HtTp://example.com:8080/path",
      "https://ar.wikipedia.org/wiki/\xd8\xa7\xd9\x84\xd9\x85\xd8\xba\xd8\xb1"
      "\xd8\xa8",
      "https://x.com/?a=1&b=2",
      "/",
      "/2008/09/02/slug/",
      "/%D8%B3/",
      "?p=12",
      "#comment-3",
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    if (!url_ok(good[i]))
      fail_msg("refused: %s", good[i]);
}

static void
script_data_and_disguised_schemes_never_pass_the_url_rule(void **state) {
  (void)state;
  static const char *const bad[] = {
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "data:text/html;base64,PHNjcmlwdD4=",
      "DATA:image/svg+xml,<svg onload=alert(1)>",
      "vbscript:msgbox(1)",
      "java\tscript:alert(1)",
      "java\nscript:alert(1)",
      "java\rscript:alert(1)",
      " javascript:alert(1)",
      "\x01javascript:alert(1)",
      "\x7fjavascript:alert(1)",
      "\xc2\x85javascript:alert(1)",
      "&#106;avascript:alert(1)",
      "&#x6A;avascript:alert(1)",
      "javascript&colon;alert(1)",
      "%6Aavascript:alert(1)",
      "javascript%3Aalert(1)",
      "//evil.example/x.jpg",
      "/\\evil.example",
      "\\\\evil.example",
      "https:\\\\evil.example",
      "http:evil.example",
      "http:/evil.example",
      "http:///evil.example",
      "http://",
      "https://",
      "ftp://example.com/f",
      "mailto:a@b.c",
      "file:///etc/passwd",
      "images/x.jpg",
      "example.com",
      "https://exa mple.com/",
      "https://example.com/\x01",
      "https://example.com/\xff",
      "",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (url_ok(bad[i]))
      fail_msg("allowed: %s", bad[i]);
  /* the length travels with the pointer: a NUL inside is refused */
  assert_false(nb_url_allowed("https://x.com/\0javascript:", 26));
  assert_false(nb_url_allowed(NULL, 0));
  char *long_url = malloc(NB_URL_MAX + 2);
  assert_non_null(long_url);
  memcpy(long_url, "https://x.com/", 14);
  memset(long_url + 14, 'a', NB_URL_MAX + 1 - 14);
  long_url[NB_URL_MAX + 1] = '\0';
  assert_false(nb_url_allowed(long_url, NB_URL_MAX + 1));
  assert_true(nb_url_allowed(long_url, NB_URL_MAX));
  free(long_url);
}

static void a_refused_url_is_printed_as_nothing(void **state) {
  (void)state;
  assert_string_equal(nb_url_or_empty("javascript:alert(1)"), "");
  assert_string_equal(nb_url_or_empty(NULL), "");
  assert_string_equal(nb_url_or_empty("https://x.com/a.jpg"),
                      "https://x.com/a.jpg");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(html_escape_neutralizes_markup),
      cmocka_unit_test(url_encoding_of_arabic_is_percent_utf8),
      cmocka_unit_test(buffer_grows_and_formats),
      cmocka_unit_test(arena_serves_small_and_big_allocations),
      cmocka_unit_test(arena_refuses_sizes_that_would_wrap),
      cmocka_unit_test(
          utf8_validation_refuses_overlongs_surrogates_and_truncation),
      cmocka_unit_test(numbers_are_parsed_whole_and_in_range),
      cmocka_unit_test(times_parse_and_print_in_utc),
      cmocka_unit_test(
          rfc822_dates_are_right_on_every_day_and_clamped_at_the_ends),
      cmocka_unit_test(plain_text_is_escaped_and_keeps_line_breaks),
      cmocka_unit_test(blank_lines_start_a_new_paragraph),
      cmocka_unit_test(
          urls_become_nofollow_ugc_links_without_trailing_punctuation),
      cmocka_unit_test(javascript_and_other_schemes_are_never_links),
      cmocka_unit_test(url_cannot_break_out_of_the_href_attribute),
      cmocka_unit_test(arabic_text_around_a_url_is_kept),
      cmocka_unit_test(link_count_matches_links_made),
      cmocka_unit_test(xml_escape_drops_what_xml_forbids_and_keeps_arabic),
      cmocka_unit_test(
          log_escape_keeps_arabic_and_escapes_what_a_terminal_obeys),
      cmocka_unit_test(
          json_string_is_safe_in_a_script_element_and_keeps_arabic),
      cmocka_unit_test(html_escape_of_a_c_string_is_the_same_as_by_length),
      cmocka_unit_test(only_http_https_and_site_paths_pass_the_url_rule),
      cmocka_unit_test(
          script_data_and_disguised_schemes_never_pass_the_url_rule),
      cmocka_unit_test(a_refused_url_is_printed_as_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
