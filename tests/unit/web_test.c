/* Unit tests for the web module's request-side decisions: conditional
 * requests, content negotiation, compression round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <zlib.h>

#include "web/internal.h"

static void etag_matching_handles_lists_weak_tags_and_star(void **state) {
  (void)state;
  assert_true(web_etag_matches("\"abc\"", "\"abc\""));
  assert_true(web_etag_matches("W/\"abc\"", "\"abc\""));
  assert_true(web_etag_matches("\"x\", \"abc\"", "\"abc\""));
  assert_true(web_etag_matches("*", "\"abc\""));
  assert_false(web_etag_matches("\"abcd\"", "\"abc\""));
  assert_false(web_etag_matches("\"ab", "\"abc\""));
  assert_false(web_etag_matches("", "\"abc\""));
}

static void brotli_is_preferred_and_q_zero_refuses(void **state) {
  (void)state;
  assert_int_equal(web_pick_encoding(NULL), WEB_ENC_IDENTITY);
  assert_int_equal(web_pick_encoding("gzip, deflate, br"), WEB_ENC_BR);
  assert_int_equal(web_pick_encoding("gzip"), WEB_ENC_GZIP);
  assert_int_equal(web_pick_encoding("br;q=0, gzip"), WEB_ENC_GZIP);
  assert_int_equal(web_pick_encoding("gzip;q=0"), WEB_ENC_IDENTITY);
  assert_int_equal(web_pick_encoding("identity"), WEB_ENC_IDENTITY);
  assert_int_equal(web_pick_encoding("xbr, gzipx"), WEB_ENC_IDENTITY);
}

static void gzip_output_inflates_to_the_input(void **state) {
  (void)state;
  buf_t in = {0};
  for (int i = 0; i < 500; i++)
    buf_puts(&in, "<p>نبأ: خبر عاجل</p>\n");
  char *z;
  size_t zn;
  assert_int_equal(web_gzip(in.data, in.len, &z, &zn), NB_OK);
  assert_true(zn < in.len / 4);
  char *back = malloc(in.len + 1);
  z_stream s;
  memset(&s, 0, sizeof s);
  assert_int_equal(inflateInit2(&s, 15 + 16), Z_OK);
  s.next_in = (Bytef *)z;
  s.avail_in = (uInt)zn;
  s.next_out = (Bytef *)back;
  s.avail_out = (uInt)in.len + 1;
  assert_int_equal(inflate(&s, Z_FINISH), Z_STREAM_END);
  assert_int_equal(s.total_out, in.len);
  assert_memory_equal(back, in.data, in.len);
  inflateEnd(&s);
  free(back);
  free(z);
  buf_free(&in);
}

static web_entry *page(const char *key, const char *tags, size_t size) {
  char *body = malloc(size);
  assert_non_null(body);
  memset(body, 'x', size);
  web_entry *e = web_entry_new(key, 200, "text/html; charset=utf-8",
                               "public, max-age=60", body, size, 1, tags);
  assert_non_null(e);
  return e;
}

static void dropping_a_tag_drops_exactly_the_pages_that_carry_it(void **state) {
  (void)state;
  web_cache *c = web_cache_new(1 << 20);
  uint64_t g = web_cache_generation(c);
  web_cache_put(c, page("/a/1-x", "article:1 section:1 site", 100), g);
  web_cache_put(c, page("/b/2-y", "article:2 section:2 site", 100), g);
  web_cache_put(c, page("/a/", "section:1 site", 100), g);
  web_cache_put(c, page("/", "home site", 100), g);
  assert_int_equal(web_cache_size(c), 4);
  web_cache_drop_tag(c, "section:1");
  assert_false(web_cache_contains(c, "/a/1-x"));
  assert_false(web_cache_contains(c, "/a/"));
  assert_true(web_cache_contains(c, "/b/2-y"));
  assert_true(web_cache_contains(c, "/"));
  /* A tag is a whole word: article:2 does not match article:21. */
  web_cache_put(c, page("/b/21-z", "article:21", 100), web_cache_generation(c));
  web_cache_drop_tag(c, "article:2");
  assert_false(web_cache_contains(c, "/b/2-y"));
  assert_true(web_cache_contains(c, "/b/21-z"));
  web_cache_drop_tag(c, "*");
  assert_int_equal(web_cache_size(c), 0);
  web_cache_free(c);
}

static void page_rendered_before_an_invalidation_is_not_kept(void **state) {
  (void)state;
  web_cache *c = web_cache_new(1 << 20);
  uint64_t before = web_cache_generation(c);
  web_cache_drop_tag(c, "article:1"); /* lands while the page renders */
  web_cache_put(c, page("/a/1-x", "article:1", 100), before);
  assert_false(web_cache_contains(c, "/a/1-x"));
  /* A write about something else does not keep the page out. */
  before = web_cache_generation(c);
  web_cache_drop_tag(c, "article:2");
  web_cache_put(c, page("/a/1-x", "article:1", 100), before);
  assert_true(web_cache_contains(c, "/a/1-x"));
  web_cache_free(c);
}

static void only_one_of_many_concurrent_misses_renders(void **state) {
  (void)state;
  web_cache *c = web_cache_new(1 << 20);
  assert_int_equal(web_cache_claim(c, "/p"), 1);
  /* A second claim of the same key waits (up to its timeout) and then
   * tells the caller to look again rather than to render. */
  assert_int_equal(web_cache_claim(c, "/p"), -1);
  assert_int_equal(web_cache_claim(c, "/other"), 1);
  web_cache_release(c, "/p");
  web_cache_release(c, "/other");
  assert_int_equal(web_cache_claim(c, "/p"), 1);
  web_cache_release(c, "/p");
  web_cache_free(c);
}

/* Every compressed variant, with its headers, is charged to the cache:
 * made after the page went in, it still counts, and the next page in
 * brings the cache back within its budget. */
static void compressed_variants_count_against_the_budget(void **state) {
  (void)state;
  const size_t budget = 256 * 1024;
  web_cache *c = web_cache_new(budget);
  char key[32];
  for (int i = 0; i < 100; i++) {
    assert_true(web_cache_bytes(c) <= budget);
    snprintf(key, sizeof key, "/p/%d", i);
    web_entry *e = page(key, "home", 8000);
    web_cache_put(c, e, web_cache_generation(c));
    assert_true(web_cache_contains(c, key));
    size_t before = web_cache_bytes(c);
    assert_non_null(web_entry_variant(e, WEB_ENC_GZIP));
    assert_non_null(web_entry_variant(e, WEB_ENC_BR));
    assert_true(web_cache_bytes(c) >= before + 2 * WEB_RESPONSE_OVERHEAD);
  }
  web_cache_drop_tag(c, "*");
  assert_int_equal(web_cache_size(c), 0);
  /* What was charged was given back: only the empty table is left. */
  assert_true(web_cache_bytes(c) < 4096);
  web_cache_free(c);
}

static void cache_stays_within_its_budget(void **state) {
  (void)state;
  web_cache *c = web_cache_new(64 * 1024);
  char key[32];
  for (int i = 0; i < 200; i++) {
    snprintf(key, sizeof key, "/p/%d", i);
    web_cache_put(c, page(key, "home", 4000), web_cache_generation(c));
    assert_true(web_cache_contains(c, key)); /* the newest always fits */
  }
  assert_true(web_cache_size(c) < 20);
  assert_true(web_cache_size(c) > 5);
  /* A page bigger than the whole budget is not kept. */
  web_cache_put(c, page("/huge", "home", 100000), web_cache_generation(c));
  assert_false(web_cache_contains(c, "/huge"));
  web_cache_free(c);
}

/* web_form_parse on a C string; err is kept for the refusal tests. */
static int parse_form(const char *body, arena_t *a, web_field **f, size_t *n,
                      char err[128]) {
  err[0] = '\0';
  return web_form_parse(body, strlen(body), a, f, n, err, 128);
}

static void a_repaired_form_keeps_its_text_with_bad_bytes_marked(void **state) {
  (void)state;
  arena_t a = {0};
  web_field *f;
  size_t n;
  int repaired = -1;
  const char *body = "csrf=abc&title=%D8%B9%FF&body=ok%C3";
  char err[128];
  assert_int_equal(
      web_form_parse(body, strlen(body), &a, &f, &n, err, sizeof err),
      NB_EINVAL);
  assert_int_equal(web_form_parse_repair(body, strlen(body), &a, &f, &n,
                                         &repaired, err, sizeof err),
                   NB_OK);
  assert_int_equal(repaired, 1);
  assert_string_equal(web_form_get(f, n, "csrf"), "abc");
  assert_string_equal(web_form_get(f, n, "title"), "\xD8\xB9\xEF\xBF\xBD");
  assert_string_equal(web_form_get(f, n, "body"), "ok\xEF\xBF\xBD");
  /* A clean form is not marked; a bad name is still refused. */
  assert_int_equal(
      web_form_parse_repair("a=1", 3, &a, &f, &n, &repaired, err, sizeof err),
      NB_OK);
  assert_int_equal(repaired, 0);
  assert_int_equal(
      web_form_parse_repair("%FF=1", 5, &a, &f, &n, &repaired, err, sizeof err),
      NB_EINVAL);
  arena_free(&a);
}

static void form_fields_are_decoded_with_plus_and_percent(void **state) {
  (void)state;
  arena_t a = {0};
  web_field *f;
  size_t n;
  char err[128];
  assert_int_equal(parse_form("name=Sara+Ali&&email=s%40x.org&flag&"
                              "body=50%25+off%2c%2C+ok%0D%0Abye&=orphan",
                              &a, &f, &n, err),
                   NB_OK);
  assert_int_equal(n, 4);
  assert_string_equal(web_form_get(f, n, "name"), "Sara Ali");
  assert_string_equal(web_form_get(f, n, "email"), "s@x.org");
  assert_string_equal(web_form_get(f, n, "flag"), "");
  assert_string_equal(web_form_get(f, n, "body"), "50% off,, ok\r\nbye");
  assert_int_equal(f[3].len, strlen("50% off,, ok\r\nbye"));
  assert_null(web_form_get(f, n, "missing"));
  assert_null(web_form_get(f, n, ""));
  assert_int_equal(parse_form("", &a, &f, &n, err), NB_OK);
  assert_int_equal(n, 0);
  arena_free(&a);
}

static void bad_percent_escape_is_refused_with_the_field_name(void **state) {
  (void)state;
  arena_t a = {0};
  web_field *f;
  size_t n;
  char err[128];
  assert_int_equal(parse_form("a=1&x=10%zz", &a, &f, &n, err), NB_EINVAL);
  assert_string_equal(err, "field \"x\": bad percent escape");
  assert_int_equal(parse_form("a=1&x=10%4", &a, &f, &n, err), NB_EINVAL);
  assert_string_equal(err, "field \"x\": bad percent escape");
  assert_int_equal(parse_form("a%=1", &a, &f, &n, err), NB_EINVAL);
  assert_string_equal(err, "field \"a%\": bad percent escape");
  arena_free(&a);
}

static void invalid_utf8_value_is_refused(void **state) {
  (void)state;
  arena_t a = {0};
  web_field *f;
  size_t n;
  char err[128];
  /* A lone continuation byte, an overlong '/' and a surrogate. */
  static const char *bodies[] = {"comment=ok%80", "comment=%C0%AF",
                                 "comment=%ED%A0%80", "comment=\xff"};
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    assert_int_equal(parse_form(bodies[i], &a, &f, &n, err), NB_EINVAL);
    assert_string_equal(err, "field \"comment\": not valid UTF-8");
  }
  arena_free(&a);
}

static void nul_byte_is_refused(void **state) {
  (void)state;
  arena_t a = {0};
  web_field *f;
  size_t n;
  char err[128];
  assert_int_equal(parse_form("name=a%00b", &a, &f, &n, err), NB_EINVAL);
  assert_string_equal(err, "field \"name\": NUL byte");
  /* A raw NUL inside the body is refused too, not taken as its end. */
  static const char raw[] = "name=a\0b";
  assert_int_equal(
      web_form_parse(raw, sizeof raw - 1, &a, &f, &n, err, sizeof err),
      NB_EINVAL);
  assert_string_equal(err, "field \"name\": NUL byte");
  arena_free(&a);
}

static void too_many_fields_are_refused(void **state) {
  (void)state;
  arena_t a = {0};
  web_field *f;
  size_t n;
  char err[128];
  buf_t b = {0};
  for (int i = 0; i < WEB_FORM_MAX_FIELDS; i++)
    buf_printf(&b, "f%d=%d&", i, i);
  assert_int_equal(parse_form(b.data, &a, &f, &n, err), NB_OK);
  assert_int_equal(n, WEB_FORM_MAX_FIELDS);
  buf_puts(&b, "one=more");
  assert_int_equal(parse_form(b.data, &a, &f, &n, err), NB_ETOOBIG);
  assert_string_equal(err, "more than 64 fields");
  buf_free(&b);

  /* A name of exactly the limit is taken, one byte more is refused. */
  char name[WEB_FORM_MAX_NAME + 3] = {0};
  memset(name, 'n', WEB_FORM_MAX_NAME);
  name[WEB_FORM_MAX_NAME] = '=';
  assert_int_equal(parse_form(name, &a, &f, &n, err), NB_OK);
  name[WEB_FORM_MAX_NAME] = 'n';
  name[WEB_FORM_MAX_NAME + 1] = '=';
  assert_int_equal(parse_form(name, &a, &f, &n, err), NB_EINVAL);
  assert_non_null(strstr(err, "name longer than 64 bytes"));
  arena_free(&a);
}

static void first_of_repeated_names_wins(void **state) {
  (void)state;
  arena_t a = {0};
  web_field *f;
  size_t n;
  char err[128];
  assert_int_equal(
      parse_form("role=reader&role=admin&x=1&role", &a, &f, &n, err), NB_OK);
  assert_int_equal(n, 2);
  assert_string_equal(web_form_get(f, n, "role"), "reader");
  assert_string_equal(web_form_get(f, n, "x"), "1");
  arena_free(&a);
}

static void arabic_values_round_trip(void **state) {
  (void)state;
  arena_t a = {0};
  web_field *f;
  size_t n;
  char err[128];
  const char *text = "مقال رائع، شكراً!";
  buf_t b = {0};
  buf_puts(&b, "%D8%A7%D9%84%D9%86%D8%B5=");
  buf_url_encode(&b, text, strlen(text));
  assert_int_equal(parse_form(b.data, &a, &f, &n, err), NB_OK);
  assert_int_equal(n, 1);
  assert_string_equal(f[0].name, "النص");
  assert_string_equal(web_form_get(f, n, "النص"), text);
  assert_int_equal(f[0].len, strlen(text));
  /* Browsers send spaces as '+' and may use lowercase hex. */
  assert_int_equal(
      parse_form("t=%d8%b4%d9%83%d8%b1%d8%a7+%D9%84%D9%83", &a, &f, &n, err),
      NB_OK);
  assert_string_equal(web_form_get(f, n, "t"), "شكرا لك");
  buf_free(&b);
  arena_free(&a);
}

int main(void) {
  if (sodium_init() < 0) /* once, as main() does in naba */
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(etag_matching_handles_lists_weak_tags_and_star),
      cmocka_unit_test(brotli_is_preferred_and_q_zero_refuses),
      cmocka_unit_test(gzip_output_inflates_to_the_input),
      cmocka_unit_test(dropping_a_tag_drops_exactly_the_pages_that_carry_it),
      cmocka_unit_test(page_rendered_before_an_invalidation_is_not_kept),
      cmocka_unit_test(only_one_of_many_concurrent_misses_renders),
      cmocka_unit_test(cache_stays_within_its_budget),
      cmocka_unit_test(compressed_variants_count_against_the_budget),
      cmocka_unit_test(form_fields_are_decoded_with_plus_and_percent),
      cmocka_unit_test(a_repaired_form_keeps_its_text_with_bad_bytes_marked),
      cmocka_unit_test(bad_percent_escape_is_refused_with_the_field_name),
      cmocka_unit_test(invalid_utf8_value_is_refused),
      cmocka_unit_test(nul_byte_is_refused),
      cmocka_unit_test(too_many_fields_are_refused),
      cmocka_unit_test(first_of_repeated_names_wins),
      cmocka_unit_test(arabic_values_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
