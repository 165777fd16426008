/* Fuzz harness for web_form_parse: comment and login forms come straight
 * from clients, so any bytes must give either a refusal with a reason or
 * fields whose names and values are NUL-free UTF-8 within the limits.
 * web_form_parse_repair (the newsroom's article form) must give the same
 * fields where the strict parse accepts, and UTF-8 wherever it accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

#include "fuzz.h"

static void check_fields(const web_field *f, size_t n) {
  if (n > WEB_FORM_MAX_FIELDS || (n > 0 && !f))
    abort();
  for (size_t i = 0; i < n; i++) {
    size_t nl = strlen(f[i].name);
    if (nl == 0 || nl > WEB_FORM_MAX_NAME || !utf8_valid(f[i].name, nl))
      abort();
    if (memchr(f[i].value, '\0', f[i].len) || f[i].value[f[i].len] != '\0' ||
        !utf8_valid(f[i].value, f[i].len))
      abort();
    /* Names are unique, so each field is the one web_form_get finds. */
    if (web_form_get(f, n, f[i].name) != f[i].value)
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  arena_t a = {0};
  web_field *f = NULL, *g = NULL;
  size_t n = 0, m = 0;
  int repaired = 0;
  char err[128] = "";
  int rc =
      web_form_parse((const char *)data, size, &a, &f, &n, err, sizeof err);
  int rr = web_form_parse_repair((const char *)data, size, &a, &g, &m,
                                 &repaired, NULL, 0);
  if (rr == NB_OK)
    check_fields(g, m);
  if (rc == NB_OK) {
    if (rr != NB_OK || repaired || m != n)
      abort();
    for (size_t i = 0; i < n; i++)
      if (strcmp(f[i].name, g[i].name) != 0 ||
          strcmp(f[i].value, g[i].value) != 0)
        abort();
  }
  if (rc != NB_OK) {
    if ((rc != NB_EINVAL && rc != NB_ETOOBIG && rc != NB_ENOMEM) ||
        err[0] == '\0' || strchr(err, '\n'))
      abort();
    arena_free(&a);
    return 0;
  }
  check_fields(f, n);
  arena_free(&a);
  return 0;
}
