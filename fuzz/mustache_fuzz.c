/* Fuzz harness for render/: the input is up to four NUL-separated parts,
 *   template \0 JSON data \0 partial "a" \0 partial "b"
 * The template is also registered as "main", so it can include itself.
 * Every part is compiled (errors are fine); "main" is rendered twice, with
 * the data if it parses as JSON (else with no context), and both renders
 * must agree: rendering may not depend on anything but the set and data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size;
  const char *part[4] = {"", "", "", ""};
  size_t len[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4 && p <= end; i++) {
    const char *nul = i < 3 ? memchr(p, '\0', (size_t)(end - p)) : NULL;
    const char *stop = nul ? nul : end;
    part[i] = p;
    len[i] = (size_t)(stop - p);
    if (!nul)
      break;
    p = nul + 1;
  }

  tpl_set *set = tpl_set_new();
  if (!set)
    return 0;
  char err[128];
  tpl_set_add(set, "main", part[0], len[0], err, sizeof err);
  tpl_set_add(set, "a", part[2], len[2], err, sizeof err);
  tpl_set_add(set, "b", part[3], len[3], err, sizeof err);

  json_t *ctx = json_loadb(part[1], len[1], JSON_DECODE_ANY, NULL);
  buf_t one = {0}, two = {0};
  int rc1 = tpl_render(set, "main", ctx, &one);
  int rc2 = tpl_render(set, "main", ctx, &two);
  if (rc1 != rc2 || one.len != two.len ||
      (one.len && memcmp(one.data, two.data, one.len) != 0))
    abort();
  buf_free(&one);
  buf_free(&two);
  json_decref(ctx);
  tpl_set_free(set);
  return 0;
}
