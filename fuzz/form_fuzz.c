/* Fuzz harness for web_form_parse: comment and login forms come straight
 * from clients, so any bytes must give either a refusal with a reason or
 * fields whose names and values are NUL-free UTF-8 within the limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  arena_t a = {0};
  web_field *f = NULL;
  size_t n = 0;
  char err[128] = "";
  int rc =
      web_form_parse((const char *)data, size, &a, &f, &n, err, sizeof err);
  if (rc != NB_OK) {
    if ((rc != NB_EINVAL && rc != NB_ETOOBIG && rc != NB_ENOMEM) ||
        err[0] == '\0' || strchr(err, '\n'))
      abort();
    arena_free(&a);
    return 0;
  }
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
  arena_free(&a);
  return 0;
}
