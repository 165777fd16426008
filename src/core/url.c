/* url.c: the one rule for a URL that came from outside (an import, a
 * reader's comment, a setting), applied where it is stored and again
 * where it is shown, so rows written before the rule are safe too. */
#include <string.h>

#include "core/core.h"

static int lower(int c) {
  return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* s[0..n) starts with the lowercase ASCII prefix p, in any case. */
static int starts_nocase(const char *s, size_t n, const char *p) {
  size_t k = strlen(p);
  if (n < k)
    return 0;
  for (size_t i = 0; i < k; i++)
    if (lower((unsigned char)s[i]) != p[i])
      return 0;
  return 1;
}

int nb_url_allowed(const char *s, size_t n) {
  size_t at;
  if (!s || n == 0 || n > NB_URL_MAX || !utf8_valid(s, n))
    return 0;
  /* No space, control (C0, DEL, C1) or backslash anywhere: browsers drop
   * tabs and line breaks inside a URL ("java\tscript:"), strip leading
   * controls, and read "\" as "/" ("/\evil" is "//evil"). */
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c == 0x7f || c == '\\')
      return 0;
    if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9f)
      return 0; /* U+0080..U+009F */
  }
  if (s[0] == '/')
    return n == 1 || s[1] != '/'; /* "//host" leaves the site */
  if (s[0] == '?' || s[0] == '#')
    return 1;
  /* Anything else names its scheme, or could once entities or
   * percent-encoding are undone: only http and https, with a host. */
  if (starts_nocase(s, n, "http://"))
    at = 7;
  else if (starts_nocase(s, n, "https://"))
    at = 8;
  else
    return 0;
  return at < n && s[at] != '/' && s[at] != '?' && s[at] != '#' &&
         s[at] != '@' && s[at] != ':';
}

const char *nb_url_or_empty(const char *s) {
  return s && nb_url_allowed(s, strlen(s)) ? s : "";
}
