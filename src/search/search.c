/* search/search.c: from text to index terms, the same for documents and
 * queries, and the weight of a phrase. The FTS5 tokenizer that feeds these
 * terms to SQLite is store/sqlite/fts5.c. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "arabic/arabic.h"
#include "search/search.h"

/* ---- words ---- */

struct words {
  search_word_fn fn;
  void *ctx;
  size_t base; /* offset of the run being tokenized in the whole text */
  int spans;   /* search_word_spans(): plain words are not normalized */
  buf_t norm;
};

/* The words of one normalized form, all reported at the range of the
 * original word. */
struct subword {
  struct words *w;
  size_t start, end;
};

static int on_subword(void *ctx, const char *s, size_t start, size_t end) {
  struct subword *sub = ctx;

  assert(start < end);
  return sub->w->fn(sub->w->ctx, s + start, end - start, sub->start, sub->end);
}

/* Whether the word s[0..n) surely normalizes to exactly one word: only
 * ASCII letters and digits, Arabic letters (ء..غ, ف..ي), harakat, tatweel
 * and Arabic-Indic digits, each of which becomes one character or none, as
 * nearly every word is. Then a normalized word need not be split again,
 * and search_word_spans() need not normalize it. */
static int plain_word(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9'))
        return 0;
      continue;
    }
    if (i + 1 >= n || (c & 0xE0) != 0xC0 || (p[i + 1] & 0xC0) != 0x80)
      return 0;
    unsigned cp = (unsigned)(c & 0x1F) << 6 | (p[i + 1] & 0x3F);
    if (!((cp >= 0x621 && cp <= 0x63A) || (cp >= 0x640 && cp <= 0x652) ||
          (cp >= 0x660 && cp <= 0x669)))
      return 0;
    i++;
  }
  return 1;
}

static int on_word(void *ctx, const char *s, size_t start, size_t end) {
  struct words *w = ctx;
  struct subword sub = {w, w->base + start, w->base + end};
  int rc;

  if (w->spans && plain_word(s + start, end - start))
    return w->fn(w->ctx, s + start, end - start, sub.start, sub.end);

  buf_reset(&w->norm);
  rc = ar_normalize(s + start, end - start, &w->norm);
  if (rc == NB_OK && w->norm.oom)
    rc = NB_ENOMEM;
  if (rc == NB_EINVAL)
    return NB_OK; /* a word the normalizer refuses is not indexed */
  if (rc != NB_OK || w->norm.len == 0)
    return rc;
  if (plain_word(w->norm.data, w->norm.len))
    return w->fn(w->ctx, w->norm.data, w->norm.len, sub.start, sub.end);
  rc = ar_tokenize(w->norm.data, w->norm.len, on_subword, &sub);
  return rc == NB_EINVAL ? NB_OK : rc;
}

static int words_run(struct words *w, const char *s, size_t start, size_t end) {
  int rc;

  if (start == end)
    return NB_OK;
  w->base = start;
  rc = ar_tokenize(s + start, end - start, on_word, w);
  /* fn's own NB_EINVAL would be lost here; fn never returns it. */
  return rc == NB_EINVAL ? NB_OK : rc;
}

static int words_of(const char *s, size_t n, search_word_fn fn, void *ctx,
                    int spans) {
  struct words w = {fn, ctx, 0, spans, {0}};
  size_t i = 0, run = 0, k;
  uint32_t cp;
  int rc = NB_OK;

  assert(s || n == 0);
  if (utf8_valid(s, n)) {
    rc = words_run(&w, s, 0, n);
    goto done;
  }
  /* Invalid bytes end a run of valid text, and are dropped. */
  while (rc == NB_OK && i < n) {
    k = utf8_decode(s + i, n - i, &cp);
    if (k > 0) {
      i += k;
      continue;
    }
    rc = words_run(&w, s, run, i);
    run = ++i;
  }
  if (rc == NB_OK)
    rc = words_run(&w, s, run, n);
done:
  buf_free(&w.norm);
  return rc;
}

int search_words(const char *s, size_t n, search_word_fn fn, void *ctx) {
  return words_of(s, n, fn, ctx, 0);
}

int search_word_spans(const char *s, size_t n, search_word_fn fn, void *ctx) {
  return words_of(s, n, fn, ctx, 1);
}

int search_stem_term(const char *w, size_t n, buf_t *out) {
  size_t mark = out->len, i;
  int rc;

  buf_putc(out, '~');
  rc = ar_stem(w, n, NULL, NULL, out);
  if (rc == NB_OK && out->oom)
    rc = NB_ENOMEM;
  if (rc == NB_EINVAL)
    rc = NB_OK; /* a word the stemmer refuses has no stem term */
  if (rc != NB_OK || out->len == mark + 1)
    goto drop;
  if (out->len - mark - 1 != n || memcmp(out->data + mark + 1, w, n) != 0)
    return NB_OK;
  for (i = 0; i < n && (unsigned char)w[i] < 0x80; i++)
    ;
  if (i < n)
    return NB_OK; /* non-ASCII: the stem term exists even when equal */
drop:
  if (out->data) {
    out->len = mark;
    out->data[mark] = '\0';
  }
  return rc;
}

double search_idf(double articles, double matches) {
  if (matches > articles)
    matches = articles;
  return log(1.0 + (articles - matches + 0.5) / (matches + 0.5));
}
