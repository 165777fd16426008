/* Unit tests for the web module's request-side decisions: conditional
 * requests, content negotiation, compression round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(etag_matching_handles_lists_weak_tags_and_star),
      cmocka_unit_test(brotli_is_preferred_and_q_zero_refuses),
      cmocka_unit_test(gzip_output_inflates_to_the_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
