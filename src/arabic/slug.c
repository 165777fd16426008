/* slug: URL slugs from article titles, Arabic kept as Arabic.
 *
 * The title is normalised with ICU's NFKC_Casefold (presentation forms and
 * ligatures become plain letters, Latin is lowercased, bidi marks and other
 * invisible characters vanish, a hamza written as a combining mark is
 * composed into its letter), then read code point by code point: letters and
 * digits make words, everything else separates them. Only Latin letters lose
 * their accents; Arabic letters keep their hamza, Cyrillic keeps its й. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "arabic/arabic.h"
#include "arabic/internal.h"

/* Input is normalised in chunks of about this many bytes so a huge title
 * costs bounded memory and stops being read once the slug is full. */
#define CHUNK 4096
/* A chunk is extended to a normalisation boundary, but never beyond this:
 * a run of 64 KiB of combining marks may be normalised in two pieces. */
#define CHUNK_MAX 65536

#define TATWEEL 0x0640

typedef struct {
  buf_t *out;
  size_t max;        /* limit on the percent-encoded length */
  size_t enc;        /* percent-encoded length written so far */
  size_t word_start; /* out->len before the current word and its "-" */
  size_t words;      /* words started */
  int in_word;
  int done; /* the next character did not fit: the slug is final */
} slug_state;

/* Bytes of the percent-encoded form: letters, digits and "-" of ASCII are
 * unreserved in RFC 3986, any other byte becomes "%XX". */
static size_t encoded_len(UChar32 c) {
  if (c < 0x80)
    return 1;
  return 3 * (size_t)U8_LENGTH(c);
}

/* Appends one character of a word, starting the word (and its "-") if
 * needed. When it does not fit the slug is finished: a word that was cut
 * is taken back whole unless it is the first. */
static void emit(slug_state *st, UChar32 c) {
  if (st->done)
    return;
  size_t cost = encoded_len(c);
  if (!st->in_word) {
    size_t sep = st->words > 0 ? 1 : 0;
    if (st->enc + sep + cost > st->max) {
      st->done = 1;
      return;
    }
    st->word_start = st->out->len;
    if (sep)
      buf_putc(st->out, '-');
    st->enc += sep;
    st->in_word = 1;
    st->words++;
  } else if (st->enc + cost > st->max) {
    st->done = 1;
    if (st->words > 1) {
      st->out->len = st->word_start;
      if (st->out->data)
        st->out->data[st->out->len] = '\0';
    }
    return;
  }
  char u8[4];
  buf_append(st->out, u8, utf8_encode((uint32_t)c, u8));
  st->enc += cost;
}

static void emit_latin(slug_state *st, UChar32 c) {
  const char *a = ar_latin_ascii(c);
  if (!a) {
    emit(st, c);
    return;
  }
  for (; *a; a++)
    emit(st, (UChar32)*a);
}

/* A letter: Latin ones are decomposed and lose their marks ("é" -> "e"),
 * letters of other scripts are kept as they are. */
static void emit_letter(slug_state *st, const UNormalizer2 *nfd, UChar32 c) {
  UErrorCode err = U_ZERO_ERROR;
  if (uscript_getScript(c, &err) != USCRIPT_LATIN || U_FAILURE(err)) {
    emit(st, c);
    return;
  }
  UChar d[32];
  int32_t n = unorm2_getDecomposition(nfd, c, d, 32, &err);
  if (n < 0 || U_FAILURE(err)) {
    emit_latin(st, c);
    return;
  }
  for (int32_t i = 0; i < n;) {
    UChar32 k;
    U16_NEXT(d, i, n, k);
    if (u_charType(k) != U_NON_SPACING_MARK)
      emit_latin(st, k);
  }
}

static void classify(slug_state *st, const UNormalizer2 *nfd, UChar32 c) {
  if (c == TATWEEL)
    return; /* stretches a word, does not end it: "عـــام" is "عام" */
  switch (u_charType(c)) {
  case U_NON_SPACING_MARK: /* harakat, shadda, Latin accents */
  case U_ENCLOSING_MARK:
  case U_FORMAT_CHAR: /* bidi controls, ZWJ, Arabic number signs */
    return;
  case U_DECIMAL_DIGIT_NUMBER: /* ٢ (Arabic-Indic), ۲ (Persian) -> 2 */
    emit(st, (UChar32)'0' + u_charDigitValue(c));
    return;
  case U_UPPERCASE_LETTER:
  case U_LOWERCASE_LETTER:
  case U_TITLECASE_LETTER:
  case U_MODIFIER_LETTER:
  case U_OTHER_LETTER:
  case U_COMBINING_SPACING_MARK: /* vowel signs of Indic scripts */
    emit_letter(st, nfd, c);
    return;
  default:
    st->in_word = 0;
  }
}

/* Normalises s[0..n) (at most CHUNK_MAX bytes of valid UTF-8) and feeds
 * it to the state. u16 and norm are scratch buffers kept across chunks. */
static int slug_chunk(slug_state *st, const UNormalizer2 *nfkc,
                      const UNormalizer2 *nfd, const char *s, size_t n,
                      UChar *u16, int32_t u16_cap, UChar **norm,
                      int32_t *norm_cap) {
  UErrorCode err = U_ZERO_ERROR;
  int32_t len;
  u_strFromUTF8(u16, u16_cap, &len, s, (int32_t)n, &err);
  if (U_FAILURE(err))
    return NB_EINVAL;
  int32_t m = unorm2_normalize(nfkc, u16, len, *norm, *norm_cap, &err);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    UChar *p = realloc(*norm, (size_t)m * sizeof *p);
    if (!p)
      return NB_ENOMEM;
    *norm = p;
    *norm_cap = m;
    err = U_ZERO_ERROR;
    m = unorm2_normalize(nfkc, u16, len, *norm, *norm_cap, &err);
  }
  if (U_FAILURE(err))
    return err == U_MEMORY_ALLOCATION_ERROR ? NB_ENOMEM : NB_EINVAL;
  for (int32_t i = 0; i < m && !st->done;) {
    UChar32 c;
    U16_NEXT(*norm, i, m, c);
    classify(st, nfd, c);
  }
  return NB_OK;
}

int ar_slug(const char *s, size_t n, size_t max_encoded, buf_t *out) {
  int rc = NB_OK;
  size_t start = out->len;
  UChar *u16 = NULL, *norm = NULL;
  int32_t norm_cap = 0;
  slug_state st = {.out = out, .max = max_encoded};

  if (out->oom)
    return NB_ENOMEM;
  if (!utf8_valid(s, n))
    return NB_EINVAL;
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2 *nfkc = unorm2_getNFKCCasefoldInstance(&err);
  const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
  if (U_FAILURE(err))
    return NB_ENOMEM; /* ICU could not load its normalisation data */

  /* A chunk has no more UTF-16 units than bytes; NFKC_Casefold seldom
   * triples a text, and slug_chunk grows norm when it does. */
  int32_t u16_cap = n < CHUNK_MAX ? (int32_t)n + 1 : CHUNK_MAX;
  u16 = malloc((size_t)u16_cap * sizeof *u16);
  norm_cap = 3 * (n < CHUNK ? (int32_t)n : CHUNK) + 16;
  norm = malloc((size_t)norm_cap * sizeof *norm);
  if (!u16 || !norm) {
    rc = NB_ENOMEM;
    goto fail;
  }
  for (size_t pos = 0; rc == NB_OK && pos < n && !st.done;) {
    size_t end = n - pos > CHUNK ? pos + CHUNK : n;
    /* Cut only where normalisation cannot join the two sides. */
    while (end < n && end - pos < CHUNK_MAX) {
      uint32_t c;
      size_t k = utf8_decode(s + end, n - end, &c);
      if (k == 0) { /* a continuation byte: not a code point boundary */
        end++;
        continue;
      }
      if (unorm2_hasBoundaryBefore(nfkc, (UChar32)c))
        break;
      end += k;
    }
    while (end < n && ((unsigned char)s[end] & 0xC0) == 0x80)
      end--; /* CHUNK_MAX reached inside a code point */
    assert(end > pos);
    rc = slug_chunk(&st, nfkc, nfd, s + pos, end - pos, u16, u16_cap, &norm,
                    &norm_cap);
    pos = end;
  }
  if (rc == NB_OK && out->oom)
    rc = NB_ENOMEM;
  if (rc == NB_OK && st.words == 0)
    rc = NB_EINVAL; /* only punctuation, or not even one character fits */
  if (rc != NB_OK)
    goto fail;
  assert(st.enc <= max_encoded);
  free(u16);
  free(norm);
  return NB_OK;

fail:
  out->len = start;
  if (out->data)
    out->data[start] = '\0';
  free(u16);
  free(norm);
  return rc;
}
