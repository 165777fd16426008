/* Fuzz harness for nb_url_allowed, the one rule for URLs from outside:
 * whatever it allows must, as a browser reads it (WHATWG URL: leading C0
 * controls and spaces stripped, tabs and line breaks removed, "\" as "/",
 * the scheme in any case), be http or https with a host or a path on this
 * site, never another scheme and never "//host". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

#include "fuzz.h"

static int scheme_char(char c, int first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (!first &&
          ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
}

/* The URL as a browser's parser sees it, into out (the same size). */
static size_t as_browser_reads(const char *s, size_t n, char *out) {
  size_t b = 0, k = 0;
  while (b < n && (unsigned char)s[b] <= 0x20)
    b++;
  while (n > b && (unsigned char)s[n - 1] <= 0x20)
    n--;
  for (size_t i = b; i < n; i++)
    if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
      out[k++] = s[i] == '\\' ? '/' : s[i];
  return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  if (!nb_url_allowed(s, size))
    return 0;
  if (size == 0 || size > NB_URL_MAX || !utf8_valid(s, size))
    abort();
  char *u = malloc(size);
  if (!u)
    return 0;
  size_t n = as_browser_reads(s, size, u);
  if (n != size || memcmp(u, s, n) != 0)
    abort(); /* what is allowed reads the same to a browser */
  size_t i = 0;
  while (i < n && scheme_char(u[i], i == 0))
    i++;
  if (i > 0 && i < n && u[i] == ':') {
    /* a scheme: http or https, then "//" and a host */
    int http = i == 4 && strncasecmp(u, "http", 4) == 0;
    int https = i == 5 && strncasecmp(u, "https", 5) == 0;
    if (!(http || https) || n < i + 4 || u[i + 1] != '/' || u[i + 2] != '/' ||
        strchr("/?#@:", u[i + 3]))
      abort();
  } else if (!(u[0] == '/' || u[0] == '?' || u[0] == '#') ||
             (n > 1 && u[0] == '/' && u[1] == '/')) {
    abort(); /* relative: a path on this site, never "//host" */
  }
  if (strcmp(nb_url_or_empty(""), "") != 0)
    abort();
  free(u);
  return 0;
}
