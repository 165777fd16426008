/* Fuzz harness for ar_slug, ar_timezone_valid, ar_locale_valid and
 * ar_local_time: titles, settings and the editor's publication time come
 * from editors and imports, so any bytes must give either a refusal or a
 * well-formed slug within the limit, and a time only for the form
 * "YYYY-MM-DDTHH:MM[:SS]" from 1970 on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arabic/arabic.h"

#include "fuzz.h"

static void check_slug(const uint8_t *data, size_t size, size_t max) {
  buf_t out = {0};
  buf_puts(&out, "x/"); /* ar_slug appends: what was there must stay */
  int rc = ar_slug((const char *)data, size, max, &out);
  if (out.oom)
    abort();
  if (rc != NB_OK) {
    if (rc != NB_EINVAL || out.len != 2 || strcmp(out.data, "x/") != 0)
      abort();
    buf_free(&out);
    return;
  }
  const char *s = out.data + 2;
  size_t n = out.len - 2, enc = 0;
  if (memcmp(out.data, "x/", 2) != 0 || n == 0 || strlen(s) != n ||
      !utf8_valid(s, n) || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
    abort();
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x80)
      enc += 3;
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
      enc += 1;
    else
      abort(); /* ASCII in a slug is lowercase letters, digits and "-" */
  }
  if (enc > max)
    abort();
  buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const size_t limits[] = {0, 1, 7, 40, AR_SLUG_MAX, SIZE_MAX};
  for (size_t i = 0; i < sizeof limits / sizeof *limits; i++)
    check_slug(data, size, limits[i]);

  char setting[65];
  size_t n = size < 64 ? size : 64;
  memcpy(setting, data, n);
  setting[n] = '\0';
  (void)ar_timezone_valid(setting);
  (void)ar_locale_valid(setting);
  int64_t t = -1;
  int rc = ar_local_time("+01:00", setting, &t);
  size_t len = strlen(setting);
  if (rc == NB_OK &&
      ((len != 16 && len != 19) || t < -3600 || setting[4] != '-'))
    abort();
  if (rc != NB_OK && rc != NB_EINVAL)
    abort();
  return 0;
}
