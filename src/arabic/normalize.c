/* normalize: matching keys for search, and the words of a text.
 *
 * ar_normalize folds what readers do not type (hamza on its carrier, ة, ى,
 * harakat, tatweel, invisible controls, Persian and Maghrebi letter forms,
 * Arabic-Indic digits, Latin case and accents) so that a query and an
 * indexed word meet. It runs on every indexed word, so Arabic and ASCII are
 * mapped through tables here, and ICU is asked only about other characters
 * and for NFKC when a character that NFKC would change is present.
 *
 * ar_tokenize finds words in the original text and reports byte ranges in
 * it, so highlights land on what the reader sees. */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "arabic/arabic.h"
#include "arabic/internal.h"

/* Longest word ar_tokenize reports; the rest of a longer run is skipped. */
#define TOKEN_MAX 256
/* The NFKC fallback gives up on inputs it cannot index with an int32_t. */
#define NFKC_INPUT_MAX (INT32_MAX / 4)
/* Normalising the output again is needed only when dropping a character
 * let two others compose (Hangul jamo around a ZWJ); twice always does. */
#define PASSES_MAX 3
#define STACK_U16 512

/* ---- UTF-8 ---- */

/* Decodes the code point at s[0..n) of valid UTF-8; returns its length. */
static size_t next_cp(const unsigned char *s, size_t n, UChar32 *c) {
  (void)n; /* only the asserts read it */
  assert(n > 0);
  unsigned char b = s[0];
  if (b < 0x80) {
    *c = b;
    return 1;
  }
  if (b < 0xE0) {
    assert(n >= 2);
    *c = (UChar32)(b & 0x1F) << 6 | (s[1] & 0x3F);
    return 2;
  }
  if (b < 0xF0) {
    assert(n >= 3);
    *c =
        (UChar32)(b & 0x0F) << 12 | (UChar32)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    return 3;
  }
  assert(n >= 4);
  *c = (UChar32)(b & 0x07) << 18 | (UChar32)(s[1] & 0x3F) << 12 |
       (UChar32)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
  return 4;
}

static void put_cp(buf_t *out, UChar32 c) {
  char u8[4];
  if (c < 0x80) {
    buf_putc(out, (char)c);
    return;
  }
  buf_append(out, u8, utf8_encode((uint32_t)c, u8));
}

/* ---- the Arabic block ---- */

#define KEEP 0
#define DROP 1

/* What ar_normalize makes of U+0600..U+06FF: KEEP, DROP, or the code point
 * written instead. Filled once from the rules in arabic_rules(). */
static uint16_t arabic_map[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void map_range(UChar32 lo, UChar32 hi, uint16_t to) {
  for (UChar32 c = lo; c <= hi; c++)
    arabic_map[c - 0x600] = to;
}

static void arabic_rules(void) {
  map_range(0x0600, 0x0605, DROP);   /* number signs that span digits */
  map_range(0x0610, 0x061A, DROP);   /* Quranic marks */
  map_range(0x061C, 0x061C, DROP);   /* ARABIC LETTER MARK (bidi) */
  map_range(0x0622, 0x0623, 0x0627); /* آ أ -> ا */
  map_range(0x0625, 0x0625, 0x0627); /* إ -> ا */
  map_range(0x0624, 0x0624, 0x0648); /* ؤ -> و */
  map_range(0x0626, 0x0626, 0x064A); /* ئ -> ي */
  map_range(0x0629, 0x0629, 0x0647); /* ة -> ه */
  map_range(0x0640, 0x0640, DROP);   /* tatweel */
  map_range(0x0649, 0x0649, 0x064A); /* ى -> ي */
  map_range(0x064B, 0x065F, DROP);   /* harakat, shadda, sukun, hamza marks */
  for (UChar32 d = 0; d < 10; d++) {
    map_range(0x0660 + d, 0x0660 + d, (uint16_t)('0' + d));
    map_range(0x06F0 + d, 0x06F0 + d, (uint16_t)('0' + d));
  }
  map_range(0x066F, 0x066F, 0x0642); /* ٯ dotless qaf -> ق */
  map_range(0x0670, 0x0670, DROP);   /* superscript alef */
  map_range(0x0671, 0x0673, 0x0627); /* ٱ wasla, wavy hamza alefs -> ا */
  map_range(0x0674, 0x0674, DROP);   /* high hamza: what NFKC leaves of ٵ */
  map_range(0x06A1, 0x06A2, 0x0641); /* ڡ ڢ -> ف */
  map_range(0x06A4, 0x06A5, 0x0641); /* ڤ ڥ -> ف */
  map_range(0x06A7, 0x06A8, 0x0642); /* ڧ ڨ -> ق */
  map_range(0x06A9, 0x06AB, 0x0643); /* ک ڪ ګ -> ك */
  map_range(0x06AD, 0x06AD, 0x0643); /* ڭ -> ك */
  map_range(0x06AF, 0x06AF, 0x0643); /* گ -> ك */
  map_range(0x06BE, 0x06BE, 0x0647); /* ھ -> ه */
  map_range(0x06C0, 0x06C3, 0x0647); /* ۀ ہ ۂ ۃ -> ه */
  map_range(0x06CC, 0x06CC, 0x064A); /* Persian ی -> ي */
  map_range(0x06D0, 0x06D1, 0x064A); /* ې ۑ -> ي */
  map_range(0x06D5, 0x06D5, 0x0647); /* ە -> ه */
  map_range(0x06D6, 0x06DC, DROP);   /* Quranic marks */
  map_range(0x06DF, 0x06E4, DROP);
  map_range(0x06E7, 0x06E8, DROP);
  map_range(0x06EA, 0x06ED, DROP);
}

/* ---- tokenizer classes ---- */

enum { SEP, WORD, JOIN };

/* Classes of U+0600..U+06FF, taken from ICU once. */
static unsigned char arabic_class[256];
/* Which of U+0600..U+06FF have a combining class (all are dropped marks). */
static unsigned char arabic_mark[256];

static int classify_icu(UChar32 c) {
  if (c == 0x200C || c == 0x200D || c == 0x0640 || c == 0x00AD)
    return JOIN; /* ZWNJ, ZWJ, tatweel, soft hyphen: inside a word only */
  int8_t t = u_charType(c);
  if (t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK)
    return JOIN;
  if (t == U_DECIMAL_DIGIT_NUMBER || u_hasBinaryProperty(c, UCHAR_ALPHABETIC))
    return WORD;
  return SEP;
}

static void tables_init(void) {
  arabic_rules();
  for (UChar32 c = 0x600; c <= 0x6FF; c++) {
    arabic_class[c - 0x600] = (unsigned char)classify_icu(c);
    arabic_mark[c - 0x600] = u_getCombiningClass(c) != 0;
    assert(!arabic_mark[c - 0x600] || arabic_map[c - 0x600] == DROP);
  }
}

static int classify(UChar32 c) {
  if (c < 0x80) {
    unsigned char b = (unsigned char)c;
    return ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') || (b >= '0' && b <= '9')
               ? WORD
               : SEP;
  }
  if (c >= 0x600 && c <= 0x6FF)
    return arabic_class[c - 0x600];
  return classify_icu(c);
}

/* ---- mapping one code point ---- */

/* Invisible characters that only steer display or line breaking. */
static int is_control(UChar32 c) {
  return c == 0x00AD || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

/* Latin letters whose mark is part of the letter, so that no decomposition
 * removes it. Input is already case-folded. Shared with slug.c. */
const char *ar_latin_ascii(UChar32 c) {
  switch (c) {
  case 0x00DF:
    return "ss"; /* ß */
  case 0x00E6:
    return "ae"; /* æ */
  case 0x00F0:
    return "d"; /* ð */
  case 0x00F8:
    return "o"; /* ø */
  case 0x00FE:
    return "th"; /* þ */
  case 0x0111:
    return "d"; /* đ */
  case 0x0127:
    return "h"; /* ħ */
  case 0x0131:
    return "i"; /* ı */
  case 0x0142:
    return "l"; /* ł */
  case 0x0153:
    return "oe"; /* œ */
  case 0x0167:
    return "t"; /* ŧ */
  default:
    return NULL;
  }
}

static void put_latin(buf_t *out, UChar32 c) {
  c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
  const char *a = ar_latin_ascii(c);
  if (a)
    buf_puts(out, a);
  else
    put_cp(out, c);
}

/* A Latin letter loses its marks ("É" -> "e"), folded after decomposing so
 * that "İ" becomes "i" and not "i̇". */
static void put_latin_letter(buf_t *out, UChar32 c) {
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
  UChar d[32];
  int32_t n =
      U_SUCCESS(err) ? unorm2_getDecomposition(nfd, c, d, 32, &err) : -1;
  if (n < 0 || U_FAILURE(err)) {
    put_latin(out, c);
    return;
  }
  for (int32_t i = 0; i < n;) {
    UChar32 k;
    U16_NEXT(d, i, n, k);
    if (u_charType(k) != U_NON_SPACING_MARK)
      put_latin(out, k);
  }
}

static void map_cp(buf_t *out, UChar32 c) {
  if (c < 0x80) {
    buf_putc(out, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
    return;
  }
  if (c >= 0x600 && c <= 0x6FF) {
    uint16_t m = arabic_map[c - 0x600];
    if (m == KEEP)
      put_cp(out, c);
    else if (m != DROP)
      put_cp(out, m);
    return;
  }
  if (is_control(c) || (c >= 0x0300 && c <= 0x036F))
    return; /* combining accents NFKC could not attach to a letter */
  if (c >= 0x0750 && c <= 0x08FF) { /* Arabic Supplement and Extended-A */
    if (c == 0x0763)
      put_cp(out, 0x0643); /* ݣ -> ك */
    else if (u_charType(c) != U_NON_SPACING_MARK)
      put_cp(out, c); /* Quranic marks go, letters stay */
    return;
  }
  UErrorCode err = U_ZERO_ERROR;
  if (uscript_getScript(c, &err) == USCRIPT_LATIN && U_SUCCESS(err))
    put_latin_letter(out, c);
  else
    put_cp(out, u_foldCase(c, U_FOLD_CASE_DEFAULT));
}

/* ---- NFKC, only when needed ---- */

/* Length of the well-formed UTF-8 sequence at s[0..n) (no overlongs,
 * surrogates or code points past U+10FFFF), or 0. */
static size_t valid_len(const unsigned char *s, size_t n) {
  unsigned char b = s[0];
  if (b < 0x80)
    return 1;
  if (b < 0xC2 || b > 0xF4)
    return 0;
  size_t k = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  if (n < k)
    return 0;
  unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
  if (b == 0xE0)
    lo = 0xA0;
  else if (b == 0xED)
    hi = 0x9F;
  else if (b == 0xF0)
    lo = 0x90;
  else if (b == 0xF4)
    hi = 0x8F;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < k; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  return k;
}

/* Checks s[0..n) in one pass: returns 0 for invalid UTF-8, else 1 and
 * sets *need if NFKC would change the text, or may (some character is not
 * NFKC_QC=Yes, or kept combining marks are out of canonical order), and
 * *simple if the text is only ASCII and the Arabic block, which the
 * mapping turns into ASCII and Arabic letters that need no second look.
 * Arabic marks all go later, so their order does not matter. */
static int scan(const char *s, size_t n, int *need, int *simple) {
  const unsigned char *p = (const unsigned char *)s;
  uint8_t last = 0;
  *need = 0;
  *simple = 1;
  for (size_t i = 0; i < n;) {
    if (p[i] < 0x80) {
      last = 0;
      i++;
      continue;
    }
    size_t k = valid_len(p + i, n - i);
    if (k == 0)
      return 0;
    UChar32 c;
    next_cp(p + i, k, &c);
    i += k;
    int arabic = c >= 0x600 && c <= 0x6FF;
    if (!arabic)
      *simple = 0;
    if (*need)
      continue; /* only validating now */
    if (arabic) {
      if ((c >= 0x653 && c <= 0x655) || (c >= 0x675 && c <= 0x678))
        *need = 1; /* hamza/madda marks compose; ٵ-ٸ decompose */
      else if (!arabic_mark[c - 0x600])
        last = 0;
      continue;
    }
    uint8_t ccc = u_getCombiningClass(c);
    if (u_getIntPropertyValue(c, UCHAR_NFKC_QUICK_CHECK) != UNORM_YES ||
        (ccc != 0 && ccc < last))
      *need = 1;
    last = ccc;
  }
  return 1;
}

/* Maps valid UTF-8 that needs no NFKC. ASCII and the Arabic block, nearly
 * all of an Arabic text, are written to a local buffer without a call. */
static void map_utf8(buf_t *out, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  char local[256];
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    if (k > sizeof local - 4) {
      buf_append(out, local, k);
      k = 0;
    }
    unsigned char b = p[i];
    if (b < 0x80) {
      local[k++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
      i++;
      continue;
    }
    if (b >= 0xD8 && b <= 0xDB) { /* U+0600..U+06FF */
      UChar32 c = (UChar32)(b & 0x1F) << 6 | (p[i + 1] & 0x3F);
      uint16_t m = arabic_map[c - 0x600];
      if (m == KEEP) {
        local[k++] = (char)b;
        local[k++] = (char)p[i + 1];
      } else if (m < 0x80 && m != DROP) {
        local[k++] = (char)m; /* a digit */
      } else if (m != DROP) {
        local[k++] = (char)(0xC0 | m >> 6);
        local[k++] = (char)(0x80 | (m & 0x3F));
      }
      i += 2;
      continue;
    }
    buf_append(out, local, k);
    k = 0;
    UChar32 c;
    i += next_cp(p + i, n - i, &c);
    map_cp(out, c);
  }
  buf_append(out, local, k);
}

/* NFKC of valid UTF-8 s[0..n), then mapped into out. */
static int map_nfkc(buf_t *out, const char *s, size_t n) {
  UChar stack_in[STACK_U16], stack_norm[STACK_U16];
  UChar *in = stack_in, *norm = stack_norm;
  int32_t in_len, norm_len, norm_cap = STACK_U16;
  int rc = NB_OK;
  UErrorCode err = U_ZERO_ERROR;

  if (n > NFKC_INPUT_MAX)
    return NB_ETOOBIG;
  const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&err);
  if (U_FAILURE(err))
    return NB_ENOMEM;      /* ICU could not load its normalisation data */
  if (n + 1 > STACK_U16) { /* a UTF-8 byte never makes two UTF-16 units */
    in = malloc((n + 1) * sizeof *in);
    if (!in)
      return NB_ENOMEM;
  }
  u_strFromUTF8(in, (int32_t)n + 1, &in_len, s, (int32_t)n, &err);
  if (U_FAILURE(err)) {
    rc = NB_EINVAL;
    goto done;
  }
  norm_len = unorm2_normalize(nfkc, in, in_len, norm, norm_cap, &err);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    norm_cap = norm_len;
    norm = malloc((size_t)norm_cap * sizeof *norm);
    if (!norm) {
      rc = NB_ENOMEM;
      goto done;
    }
    err = U_ZERO_ERROR;
    norm_len = unorm2_normalize(nfkc, in, in_len, norm, norm_cap, &err);
  }
  if (U_FAILURE(err)) {
    rc = err == U_MEMORY_ALLOCATION_ERROR ? NB_ENOMEM : NB_EINVAL;
    goto done;
  }
  for (int32_t i = 0; i < norm_len;) {
    UChar32 c;
    U16_NEXT(norm, i, norm_len, c);
    map_cp(out, c);
  }
done:
  if (in != stack_in)
    free(in);
  if (norm != stack_norm)
    free(norm);
  return rc;
}

/* One pass of NFKC (if needed) and mapping over valid UTF-8; *simple is
 * set if the output needs no further pass. */
static int normalize_pass(buf_t *out, const char *s, size_t n, int *simple) {
  int need;
  if (!scan(s, n, &need, simple))
    return NB_EINVAL;
  if (need)
    return map_nfkc(out, s, n);
  map_utf8(out, s, n);
  return NB_OK;
}

/* 1 if the output from start on is not its own normal form. */
static int unstable(const buf_t *out, size_t start) {
  int need, simple;
  if (out->len == start) /* nothing: stable, and data may still be NULL */
    return 0;
  scan(out->data + start, out->len - start, &need, &simple);
  return need;
}

int ar_normalize(const char *s, size_t n, buf_t *out) {
  size_t start = out->len;
  int rc, simple;
  if (out->oom)
    return NB_ENOMEM;
  pthread_once(&tables_once, tables_init);
  rc = normalize_pass(out, s, n, &simple);
  /* What was dropped may have joined characters that NFKC composes: run
   * again on the output until it is stable, so that the result is its own
   * normal form. */
  for (int pass = 1; rc == NB_OK && !simple && !out->oom && pass < PASSES_MAX &&
                     unstable(out, start);
       pass++) {
    size_t len = out->len - start;
    char *copy = malloc(len ? len : 1);
    if (!copy) {
      rc = NB_ENOMEM;
      break;
    }
    memcpy(copy, out->data + start, len);
    out->len = start;
    rc = normalize_pass(out, copy, len, &simple);
    free(copy);
  }
  if (rc == NB_OK && out->oom)
    rc = NB_ENOMEM;
  if (rc != NB_OK) {
    out->len = start;
    if (out->data)
      out->data[start] = '\0';
  }
  return rc;
}

/* ---- words ---- */

int ar_tokenize(const char *s, size_t n, ar_token_fn fn, void *ctx) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    size_t k = valid_len(p + i, n - i);
    if (k == 0)
      return NB_EINVAL;
    i += k;
  }
  pthread_once(&tables_once, tables_init);
  size_t i = 0;
  while (i < n) {
    UChar32 c;
    size_t k = next_cp(p + i, n - i, &c);
    if (classify(c) != WORD) { /* a mark or joiner does not start a word */
      i += k;
      continue;
    }
    size_t start = i, cut = 0; /* cut: end of the part that is reported */
    i += k;
    while (i < n) {
      k = next_cp(p + i, n - i, &c);
      if (classify(c) == SEP)
        break;
      if (!cut && i + k - start > TOKEN_MAX)
        cut = i;
      i += k;
    }
    int rc = fn(ctx, s, start, cut ? cut : i);
    if (rc != NB_OK)
      return rc;
  }
  return NB_OK;
}
