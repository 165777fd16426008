/* Fuzz harness for ar_normalize, ar_tokenize and ar_stem: every indexed
 * text and every query goes through them, so any bytes must give either a
 * refusal or well-formed UTF-8; normalizing twice must change nothing, and
 * every word range must lie inside the text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arabic/arabic.h"

#include "fuzz.h"

/* A toy lexicon: words of an even number of bytes are "known", so that
 * both ways of the stemmer's clitic decision are taken. */
static int known_even(void *ctx, const char *w, size_t n) {
  (void)ctx;
  (void)w;
  return n % 4 == 0;
}

static void check_normalize(const char *s, size_t n) {
  buf_t once = {0}, twice = {0};
  buf_puts(&once, "x/"); /* ar_normalize appends: what was there stays */
  int rc = ar_normalize(s, n, &once);
  if (once.oom)
    abort();
  if (rc != NB_OK) {
    if (rc != NB_EINVAL || utf8_valid(s, n) || once.len != 2 ||
        strcmp(once.data, "x/") != 0)
      abort();
    buf_free(&once);
    return;
  }
  const char *o = once.data + 2;
  size_t on = once.len - 2;
  if (!utf8_valid(s, n) || memcmp(once.data, "x/", 2) != 0 ||
      !utf8_valid(o, on))
    abort();
  if (ar_normalize(o, on, &twice) != NB_OK || twice.len != on ||
      (on && memcmp(twice.data, o, on) != 0))
    abort(); /* not idempotent */
  buf_free(&once);
  buf_free(&twice);
}

typedef struct {
  const char *s;
  size_t n, last_end, count;
} tok_state;

static int on_token(void *ctx, const char *s, size_t start, size_t end) {
  tok_state *st = ctx;
  if (s != st->s || start >= end || end > st->n || start < st->last_end ||
      end - start > 256 || !utf8_valid(s + start, end - start))
    abort();
  st->last_end = end;
  st->count++;
  buf_t norm = {0}, stem = {0}, stem_known = {0};
  if (ar_normalize(s + start, end - start, &norm) != NB_OK)
    abort();
  if (ar_stem(norm.data ? norm.data : "", norm.len, NULL, NULL, &stem) !=
          NB_OK ||
      ar_stem(norm.data ? norm.data : "", norm.len, known_even, NULL,
              &stem_known) != NB_OK)
    abort();
  if (!utf8_valid(stem.data ? stem.data : "", stem.len) ||
      !utf8_valid(stem_known.data ? stem_known.data : "", stem_known.len) ||
      (norm.len > 0 && (stem.len == 0 || stem_known.len == 0)))
    abort();
  buf_free(&norm);
  buf_free(&stem);
  buf_free(&stem_known);
  return st->count == 10000 ? 7 : NB_OK; /* early stop is passed back */
}

static void check_text(const char *s, size_t size) {
  check_normalize(s, size);

  tok_state st = {.s = s, .n = size};
  int rc = ar_tokenize(s, size, on_token, &st);
  if (utf8_valid(s, size) ? (rc != NB_OK && rc != 7) : rc != NB_EINVAL)
    abort();

  /* The stemmer must also survive input that is not a normalized word. */
  buf_t out = {0};
  rc = ar_stem(s, size, known_even, NULL, &out);
  if (rc == NB_OK ? !utf8_valid(out.data ? out.data : "", out.len)
                  : rc != NB_EINVAL)
    abort();
  buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  check_text(s, size);
  if (utf8_valid(s, size))
    return 0;
  /* Most mutations break a multi-byte letter: check the text that is
   * left once the broken bytes are dropped as well. */
  char *clean = malloc(size ? size : 1);
  size_t n = 0;
  for (size_t i = 0; i < size;) {
    uint32_t c;
    size_t k = utf8_decode(s + i, size - i, &c);
    if (k == 0) {
      i++;
      continue;
    }
    memcpy(clean + n, s + i, k);
    n += k;
    i += k;
  }
  check_text(clean, n);
  free(clean);
  return 0;
}
