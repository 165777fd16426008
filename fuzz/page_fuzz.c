/* Fuzz harness for imp_page_parse: any bytes in, either a clear refusal or
 * a page whose invariants hold (a non-empty UTF-8 headline, at least one
 * non-empty paragraph, every string inside the input). */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"

#include "fuzz.h"

/* 1 if s (NUL-terminated) is a substring of data[0..size). */
static int from_input(const uint8_t *data, size_t size, const char *s) {
  return memmem(data, size, s, strlen(s)) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  arena_t a = {0};
  imp_page p;
  char err[128];
  int rc = imp_page_parse((const char *)data, size, &a, &p, err, sizeof err);
  if (rc == NB_OK) {
    assert(p.title && p.title[0]);
    assert(utf8_valid(p.title, strlen(p.title)));
    assert(strlen(p.title) <= IMP_TITLE_MAX);
    assert(from_input(data, size, p.title));
    assert(!p.section || (p.section[0] && from_input(data, size, p.section)));
    assert(p.nparagraphs >= 1 && p.paragraphs);
    for (size_t i = 0; i < p.nparagraphs; i++) {
      assert(p.paragraphs[i] && p.paragraphs[i][0]);
      assert(utf8_valid(p.paragraphs[i], strlen(p.paragraphs[i])));
      assert(!strchr(p.paragraphs[i], '\n'));
    }
  } else {
    assert(rc == NB_EINVAL || rc == NB_ETOOBIG);
    assert(err[0] && !strchr(err, '\n'));
    assert(!p.title && !p.paragraphs && p.nparagraphs == 0);
  }
  arena_free(&a);
  return 0;
}
