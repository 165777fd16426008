/* stem: the stem of a normalized Arabic word, for matching in search.
 *
 * Snowball's Arabic stemmer does the suffixes well, but alone it takes the
 * first letter of وزير, ولاية, فلسطين and بطولة for a conjunction or
 * preposition, and it leaves و+ال (والوزير) whole. So the prefixes are
 * decided here and Snowball is kept from touching them:
 *
 * 1. Clitics. An article with what may stand before it (ال وال فال بال كال
 *    لل ولل فلل وبال فبال) goes when at least 3 letters remain, and again if
 *    what remains starts with ال, so that a word and the word with an
 *    article always reach the same core. A bare و ف ب ك ل (or و/ف + ب ك ل)
 *    goes only if what remains is a known word and the whole word is not:
 *    both وزير and زير are words, and وزير is the one written.
 * 2. Snowball on the core, with the first letter masked when Snowball
 *    would strip it (و ف ب), a final ن masked when it is not part of
 *    ان ون ين (مواطن, not مواط), and a core ending in ي put behind an ال
 *    that sends it down the noun path (فلسطيني -> فلسطين, not فلسط).
 *    Before it, endings Snowball reads better are restored: ه at the end
 *    is read as ة (the normalizer made ة into ه), ات as ة (اتفاقيات ->
 *    اتفاقية), يين/يون as ي (الإسرائيليين -> إسرائيلي).
 * 3. Guards: a ي that Snowball cut after ا is put back (ولاية -> ولاي,
 *    not ولا, which is "and not"), and a stem under 2 letters is not
 *    used. */
#include <assert.h>
#include <pthread.h>
#include <string.h>

#include <libstemmer.h>

#include "arabic/arabic.h"

/* Normalized letters, two bytes each in UTF-8. */
#define ALEF "\xd8\xa7"
#define BEH "\xd8\xa8"
#define TEH_MARBUTA "\xd8\xa9"
#define TEH "\xd8\xaa"
#define FEH "\xd9\x81"
#define KAF "\xd9\x83"
#define LAM "\xd9\x84"
#define NOON "\xd9\x86"
#define HEH "\xd9\x87"
#define WAW "\xd9\x88"
#define YEH "\xd9\x8a"

#define L 2 /* bytes per letter */

/* Words longer than this are appended unchanged (ar_tokenize cuts at
 * 256 bytes, so only callers passing something else meet the limit). */
#define WORD_MAX 256
/* Fewest letters left after an article, and fewest a core needs before
 * Snowball sees it: الدم stays الدم, as Snowball leaves it. */
#define CORE_MIN 3
/* A letter no Snowball rule matches, so it strips no affix through it:
 * written in place of a first و ف ب or a final ن, and put back after. */
#define MASK 'x'

/* ---- one Snowball stemmer per thread (sb_stemmer is not thread-safe) */

static pthread_key_t sb_key;
static pthread_once_t sb_once = PTHREAD_ONCE_INIT;
static int sb_key_ok;

static void sb_free(void *p) {
  sb_stemmer_delete(p);
}

static void sb_init(void) {
  sb_key_ok = pthread_key_create(&sb_key, sb_free) == 0;
}

/* Thread-exit destructors do not run for the thread that calls exit():
 * free its stemmer too, so that leak checkers see nothing left. */
__attribute__((destructor)) static void sb_free_at_exit(void) {
  if (!sb_key_ok)
    return;
  struct sb_stemmer *st = pthread_getspecific(sb_key);
  if (st) {
    pthread_setspecific(sb_key, NULL);
    sb_stemmer_delete(st);
  }
}

static struct sb_stemmer *sb_get(void) {
  pthread_once(&sb_once, sb_init);
  if (!sb_key_ok)
    return NULL;
  struct sb_stemmer *st = pthread_getspecific(sb_key);
  if (st)
    return st;
  st = sb_stemmer_new("arabic", "UTF_8");
  if (st && pthread_setspecific(sb_key, st) != 0) {
    sb_stemmer_delete(st);
    st = NULL;
  }
  return st;
}

/* ---- letters ---- */

/* A letter of the Arabic script (not a digit, mark or sign). */
static int arabic_letter(uint32_t c) {
  return (c >= 0x0621 && c <= 0x063A) || (c >= 0x0641 && c <= 0x064A) ||
         (c >= 0x066E && c <= 0x066F) || (c >= 0x0671 && c <= 0x06D3) ||
         c == 0x06D5 || (c >= 0x06EE && c <= 0x06EF) ||
         (c >= 0x06FA && c <= 0x06FC) || c == 0x06FF ||
         (c >= 0x0750 && c <= 0x077F);
}

/* 1 if w[0..n) is UTF-8 made only of Arabic letters, two bytes each. */
static int arabic_word(const char *w, size_t n) {
  const unsigned char *p = (const unsigned char *)w;
  if (n == 0 || n % L != 0)
    return 0;
  for (size_t i = 0; i < n; i += L) {
    if (p[i] < 0xC0 || p[i] >= 0xE0 || (p[i + 1] & 0xC0) != 0x80)
      return 0; /* not a two-byte character */
    if (!arabic_letter((uint32_t)(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F)))
      return 0;
  }
  return 1;
}

static int starts(const char *w, size_t n, const char *p) {
  size_t k = strlen(p);
  return n >= k && memcmp(w, p, k) == 0;
}

static int ends(const char *w, size_t n, const char *p) {
  size_t k = strlen(p);
  return n >= k && memcmp(w + n - k, p, k) == 0;
}

static int is_letter(const char *w, const char *letter) {
  return memcmp(w, letter, L) == 0;
}

/* ---- 1. clitics ---- */

/* Articles with what may stand before them, longest first. وكال and فكال
 * are left out: وكالة (agency) is far more common than و+ك+ال. */
#define ARTICLE(s)                                                             \
  { s, sizeof s - 1 }
static const struct {
  const char *s;
  size_t n;
} articles[] = {
    ARTICLE(WAW BEH ALEF LAM), ARTICLE(FEH BEH ALEF LAM), ARTICLE(WAW LAM LAM),
    ARTICLE(FEH LAM LAM),      ARTICLE(WAW ALEF LAM),     ARTICLE(FEH ALEF LAM),
    ARTICLE(BEH ALEF LAM),     ARTICLE(KAF ALEF LAM),     ARTICLE(LAM LAM),
    ARTICLE(ALEF LAM),
};

static int known_word(ar_known_fn known, void *ctx, const char *w, size_t n) {
  return known && known(ctx, w, n);
}

/* Returns how many bytes of clitics w[0..n) starts with. */
static size_t clitics(const char *w, size_t n, ar_known_fn known, void *ctx) {
  size_t skip = 0;
  for (int again = 1; again;) {
    again = 0;
    for (size_t i = 0; i < sizeof articles / sizeof *articles; i++) {
      size_t k = articles[i].n;
      if (n - skip >= k + CORE_MIN * L &&
          memcmp(w + skip, articles[i].s, k) == 0) {
        skip += k;
        again = starts(w + skip, n - skip, ALEF LAM);
        break;
      }
    }
  }
  if (skip > 0 || !known || n < 3 * L || known(ctx, w, n))
    return skip;
  /* A conjunction, a preposition, or both, before a known word. */
  int conj = is_letter(w, WAW) || is_letter(w, FEH);
  int prep = is_letter(w, BEH) || is_letter(w, KAF) || is_letter(w, LAM);
  if (conj && n >= 4 * L &&
      (is_letter(w + L, BEH) || is_letter(w + L, KAF) ||
       is_letter(w + L, LAM)) &&
      known_word(known, ctx, w + 2 * L, n - 2 * L))
    return 2 * L;
  if ((conj || prep) && known_word(known, ctx, w + L, n - L))
    return L;
  return 0;
}

/* ---- 2. Snowball ---- */

/* How the core was changed for Snowball, to be undone in its stem. */
typedef struct {
  int noun;       /* ال put before it: Snowball's noun path */
  int mask_first; /* first letter written as MASK */
  int mask_last;  /* final ن written as MASK */
} sb_input;

/* Writes into in[] the core c[0..n) as Snowball should see it; returns its
 * length. in has room for n + 2 * L bytes. */
static size_t snowball_input(const char *c, size_t n, char *in, sb_input *how) {
  size_t m = 0;
  memset(how, 0, sizeof *how);
  if (ends(c, n, YEH)) {
    memcpy(in, ALEF LAM, 2 * L);
    m = 2 * L;
    how->noun = 1;
  }
  memcpy(in + m, c, n);
  m += n;
  if (n >= 4 * L && ends(c, n, ALEF TEH)) {
    m -= 2 * L; /* plural ات read as the singular's ة */
    memcpy(in + m, TEH_MARBUTA, L);
    m += L;
  } else if (n >= 6 * L &&
             (ends(c, n, YEH YEH NOON) || ends(c, n, YEH WAW NOON))) {
    m -= 2 * L; /* يين, يون: plural of a nisba adjective in ي */
    memmove(in + 2 * L, in, m);
    memcpy(in, ALEF LAM, 2 * L);
    m += 2 * L;
    how->noun = 1;
  } else if (ends(c, n, HEH)) {
    memcpy(in + m - L, TEH_MARBUTA, L);
  } else if (ends(c, n, NOON) && !ends(c, n, ALEF NOON) &&
             !ends(c, n, WAW NOON) && !ends(c, n, YEH NOON)) {
    /* A final ن not after ا و ي is the root's (مواطن, أعلن): Snowball
     * would strip it as a verb ending. */
    in[m - L] = MASK;
    m -= 1;
    how->mask_last = 1;
  }
  if (!how->noun &&
      (is_letter(c, WAW) || is_letter(c, FEH) || is_letter(c, BEH))) {
    /* Snowball would take it for a clitic; step 1 decided it is not. */
    in[0] = MASK;
    memmove(in + 1, in + L, m - L);
    m -= 1;
    how->mask_first = 1;
  }
  return m;
}

/* Appends the stem of the core c[0..n) (at least CORE_MIN letters). */
static int stem_core(const char *c, size_t n, buf_t *out) {
  char in[WORD_MAX + 2 * L];
  sb_input how;
  struct sb_stemmer *st = sb_get();
  if (!st)
    return NB_ENOMEM;
  assert(n <= WORD_MAX && n >= CORE_MIN * L);
  size_t m = snowball_input(c, n, in, &how);
  const sb_symbol *r = sb_stemmer_stem(st, (const sb_symbol *)in, (int)m);
  if (!r)
    return NB_ENOMEM;
  const char *s = (const char *)r;
  size_t k = (size_t)sb_stemmer_length(st);
  if (how.noun && starts(s, k, ALEF LAM)) {
    s += 2 * L; /* Snowball keeps ال before a short core */
    k -= 2 * L;
  }
  size_t start = out->len;
  if ((how.mask_first && (k == 0 || s[0] != MASK)) ||
      (how.mask_last && (k == 0 || s[k - 1] != MASK))) {
    buf_append(out, c, n); /* cannot happen: no rule matches MASK */
    return out->oom ? NB_ENOMEM : NB_OK;
  }
  if (how.mask_first) {
    buf_append(out, c, L);
    s++;
    k--;
  }
  if (how.mask_last)
    k--;
  buf_append(out, s, k);
  if (how.mask_last)
    buf_append(out, NOON, L);
  if (out->oom)
    return NB_ENOMEM;
  char *stem = out->data + start;
  size_t len = out->len - start;
  for (size_t i = 0; i + L <= len; i += L)
    if (is_letter(stem + i, TEH_MARBUTA))
      memcpy(stem + i, HEH, L); /* Snowball kept it: back to normalized */
  /* 3. A ي after ا belongs to the root (ولاية, رواية, بداية). */
  if (len < n && memcmp(stem, c, len) == 0 && ends(stem, len, ALEF) &&
      is_letter(c + len, YEH))
    buf_append(out, YEH, L);
  if (out->len - start < 2 * L) {
    out->len = start; /* never a one-letter stem */
    buf_append(out, c, n);
  }
  return out->oom ? NB_ENOMEM : NB_OK;
}

int ar_stem(const char *w, size_t n, ar_known_fn known, void *ctx, buf_t *out) {
  size_t start = out->len;
  if (out->oom)
    return NB_ENOMEM;
  if (n > WORD_MAX || !arabic_word(w, n)) {
    if (!utf8_valid(w, n))
      return NB_EINVAL;
    buf_append(out, w, n); /* Latin, numbers, mixed: as they are */
    return out->oom ? NB_ENOMEM : NB_OK;
  }
  size_t skip = clitics(w, n, known, ctx);
  const char *c = w + skip;
  size_t cn = n - skip;
  int rc;
  if (cn < CORE_MIN * L || starts(c, cn, ALEF LAM)) {
    /* Too short for Snowball, or an article kept before a short word
     * (الذي, الله): as it is. */
    buf_append(out, c, cn);
    rc = out->oom ? NB_ENOMEM : NB_OK;
  } else {
    rc = stem_core(c, cn, out);
  }
  if (rc != NB_OK) {
    out->len = start;
    if (out->data)
      out->data[start] = '\0';
  }
  return rc;
}
