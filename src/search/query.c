/* search/query.c: what a reader typed, made into an FTS5 expression.
 *
 * Nothing typed reaches FTS5 as syntax: every term is split and normalized
 * by search_words() (so a query word becomes the same index terms as the
 * documents' words) and written inside double quotes, with the operators
 * (AND, OR, NOT, parentheses) added here. A typed chunk that splits into
 * several words ("covid-19", "U.S.") is a phrase of those words. */
#include <assert.h>
#include <string.h>
#include <strings.h>

#include "search/search.h"

/* ---- cleaning ---- */

static int is_space(uint32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Appends q[0..n) to out without invalid UTF-8 and control characters,
 * every kind of space made " ", at most SEARCH_QUERY_MAX bytes, cut at a
 * character boundary. Stops reading once full, so a huge query costs no
 * more than a short one. */
static void clean(const char *q, size_t n, buf_t *out) {
  size_t i = 0, k;
  uint32_t cp;

  while (i < n) {
    k = utf8_decode(q + i, n - i, &cp);
    if (k == 0) {
      i++;
      continue;
    }
    if (is_space(cp)) {
      if (out->len + 1 > SEARCH_QUERY_MAX)
        break;
      buf_putc(out, ' ');
    } else if (cp >= 0x20 && (cp < 0x7F || cp > 0x9F)) {
      if (out->len + k > SEARCH_QUERY_MAX)
        break;
      buf_append(out, q + i, k);
    }
    i += k;
  }
}

/* ---- terms ---- */

enum { T_WORD, T_PHRASE };

/* One term: its normalized words, each followed by a NUL. */
typedef struct {
  int kind;
  int exclude;
  buf_t words;
  size_t nwords;
  const char *typed; /* as shown back: quotes closed, "-" kept */
  size_t ntyped;
} term;

static int collect(void *ctx, const char *w, size_t n, size_t start,
                   size_t end) {
  term *t = ctx;

  (void)start;
  (void)end;
  buf_append(&t->words, w, n);
  buf_putc(&t->words, '\0');
  t->nwords++;
  return t->words.oom ? NB_ENOMEM : NB_OK;
}

/* Appends w[0..n) as an FTS5 string: in double quotes, inner ones doubled. */
static void quote(buf_t *b, const char *w, size_t n) {
  buf_putc(b, '"');
  for (size_t i = 0; i < n; i++) {
    if (w[i] == '"')
      buf_putc(b, '"');
    buf_putc(b, w[i]);
  }
  buf_putc(b, '"');
}

static int seen_before(const term *terms, size_t n, const term *t) {
  for (size_t k = 0; k < n; k++) {
    const term *o = &terms[k];
    if (o->kind == t->kind && o->exclude == t->exclude &&
        o->nwords == t->nwords && o->words.len == t->words.len &&
        memcmp(o->words.data, t->words.data, t->words.len) == 0)
      return 1;
  }
  return 0;
}

/* ---- scanning ---- */

/* The quote pairs a phrase may be written with. */
static const char *const quote_open[] = {"\"", "«", "“"};
static const char *const quote_close[] = {"\"", "»", "”"};
#define NQUOTES (sizeof quote_open / sizeof *quote_open)

/* Which quote opens at s[i] (s has n bytes), or -1. */
static int opens_quote(const char *s, size_t n, size_t i) {
  for (size_t q = 0; q < NQUOTES; q++) {
    size_t k = strlen(quote_open[q]);
    if (n - i >= k && memcmp(s + i, quote_open[q], k) == 0)
      return (int)q;
  }
  return -1;
}

/* Reads a quoted string starting at s[*i] with quote q: sets [*b, *e) to
 * its content and moves *i past the closing quote (or to the end). */
static void read_quoted(const char *s, size_t n, size_t *i, int q, size_t *b,
                        size_t *e) {
  size_t ko = strlen(quote_open[q]), kc = strlen(quote_close[q]);
  size_t j = *i + ko;

  *b = j;
  while (j < n && !(n - j >= kc && memcmp(s + j, quote_close[q], kc) == 0))
    j++;
  *e = j;
  *i = j < n ? j + kc : n;
}

/* The section filter prefix at s[i], or 0. */
static size_t section_prefix(const char *s, size_t n, size_t i) {
  static const char ar[] = "قسم:";
  if (n - i >= 8 && strncasecmp(s + i, "section:", 8) == 0)
    return 8;
  if (n - i >= sizeof ar - 1 && memcmp(s + i, ar, sizeof ar - 1) == 0)
    return sizeof ar - 1;
  return 0;
}

/* Appends the term as shown back to the reader. */
static char *shown(arena_t *a, const char *s, size_t n, int exclude, int q) {
  buf_t b = {0};
  char *out;

  if (exclude)
    buf_putc(&b, '-');
  if (q >= 0) {
    buf_puts(&b, quote_open[q]);
    buf_append(&b, s, n);
    buf_puts(&b, quote_close[q]);
  } else
    buf_append(&b, s, n);
  out = b.oom ? NULL : arena_strndup(a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return out;
}

/* ---- reading the query ---- */

/* What search_parse() has read of the query so far. */
typedef struct {
  term terms[SEARCH_TERMS_MAX];
  size_t nterms, npos; /* npos: the terms not excluded */
  const char *section, *section_typed;
} reading;

/* Reads the section filter whose prefix of p bytes is at s[*i] (typed from
 * s[start], a "-" never being in front of it) and moves *i past it. */
static int read_section(const char *s, size_t len, size_t *i, size_t start,
                        size_t p, arena_t *a, reading *r) {
  size_t b, e;
  int qt;

  *i += p;
  if ((qt = opens_quote(s, len, *i)) >= 0)
    read_quoted(s, len, i, qt, &b, &e);
  else {
    b = *i;
    while (*i < len && s[*i] != ' ')
      ++*i;
    e = *i;
  }
  while (b < e && s[b] == ' ')
    b++;
  while (e > b && s[e - 1] == ' ')
    e--;
  if (b < e) {
    r->section = arena_strndup(a, s + b, e - b);
    r->section_typed = arena_strndup(a, s + start, *i - start);
    if (!r->section || !r->section_typed)
      return NB_ENOMEM;
  }
  return NB_OK;
}

/* Whether t, just split into words, earns a place among the terms. */
static int term_kept(const reading *r, const term *t) {
  if (t->nwords == 0)
    return 0;
  /* Dropped, so stop words alone leave match NULL. */
  if (t->kind == T_WORD && t->nwords == 1 &&
      search_is_stop_word(t->words.data, t->words.len - 1))
    return 0;
  /* A term typed twice is used once: each costs FTS5 work per match
   * (snippet() grows with the square of the matches it marks). */
  return !seen_before(r->terms, r->nterms, t);
}

/* Adds the term typed as s[b, e): a phrase when it was quoted with quote
 * qt (>= 0), excluded when a "-" came before it. Past SEARCH_TERMS_MAX
 * terms, or when it is not kept, nothing is added. */
static int add_term(reading *r, const char *s, size_t b, size_t e, int qt,
                    int exclude, arena_t *a) {
  term *t;
  int rc;

  if (r->nterms == SEARCH_TERMS_MAX)
    return NB_OK;
  t = &r->terms[r->nterms];
  t->kind = qt >= 0 ? T_PHRASE : T_WORD;
  t->exclude = exclude;
  rc = search_words(s + b, e - b, collect, t);
  if (rc != NB_OK || !term_kept(r, t)) {
    buf_free(&t->words);
    memset(t, 0, sizeof *t);
    return rc;
  }
  t->typed = shown(a, s + b, e - b, exclude, qt);
  if (!t->typed)
    return NB_ENOMEM;
  t->ntyped = strlen(t->typed);
  r->nterms++;
  if (!exclude)
    r->npos++;
  return NB_OK;
}

/* Reads the cleaned query s[0..len): words, quoted phrases, -excluded
 * ones and the section filter. Reads to the end even when the terms are
 * full, for a section filter written last. */
static int read_query(const char *s, size_t len, arena_t *a, reading *r) {
  size_t i = 0;
  int rc = NB_OK;

  while (rc == NB_OK && i < len) {
    size_t start, b, e, p;
    int exclude = 0, qt;

    while (i < len && s[i] == ' ')
      i++;
    if (i == len)
      break;
    start = i;
    if (s[i] == '-' && i + 1 < len && s[i + 1] != ' ') {
      exclude = 1;
      i++;
    }
    if (!exclude && (p = section_prefix(s, len, i)) > 0) {
      rc = read_section(s, len, &i, start, p, a, r);
      continue;
    }
    qt = opens_quote(s, len, i);
    if (qt >= 0)
      read_quoted(s, len, &i, qt, &b, &e);
    else {
      b = i;
      while (i < len && s[i] != ' ' && opens_quote(s, len, i) < 0)
        i++;
      e = i;
    }
    rc = add_term(r, s, b, e, qt, exclude, a);
  }
  return rc;
}

/* ---- what the query becomes ---- */

#define AR_L 2 /* bytes of a normalized Arabic letter */
/* Fewest letters a bare form keeps: وفد and بلد stay whole. */
#define BARE_MIN 3
/* At most this many alternatives a term: the form, its stem, two bare
 * forms with theirs, and five clitic forms. */
#define ALTS_PER_TERM 11

/* Whether w (at least AR_L bytes) starts with one of the letters of set. */
static int letter_in(const char *w, const char *set) {
  for (const char *p = set; *p; p += AR_L)
    if (memcmp(w, p, AR_L) == 0)
      return 1;
  return 0;
}

/* The alternatives of the terms, in order, as they are made. */
typedef struct {
  arena_t *a;
  search_alt *alts;
  size_t nalts, cap;
  buf_t tmp, stem;
} building;

/* Adds the FTS5 phrase p[0..n) at tier, unless the term (whose first
 * alternative is number first) has it already. */
static int add_alt(building *bl, const char *p, size_t n, int tier, int bare,
                   size_t first) {
  const char *copy;

  for (size_t i = first; i < bl->nalts; i++)
    if (strlen(bl->alts[i].phrase) == n &&
        memcmp(bl->alts[i].phrase, p, n) == 0)
      return NB_OK;
  assert(bl->nalts < bl->cap);
  if (!(copy = arena_strndup(bl->a, p, n)))
    return NB_ENOMEM;
  bl->alts[bl->nalts++] = (search_alt){copy, tier, bare};
  return NB_OK;
}

/* Adds the normalized word w[0..n) at tier and its stem one tier below. */
static int add_word(building *bl, const char *w, size_t n, int tier, int bare,
                    size_t first) {
  int rc;

  buf_reset(&bl->tmp);
  quote(&bl->tmp, w, n);
  if (bl->tmp.oom)
    return NB_ENOMEM;
  rc = add_alt(bl, bl->tmp.data, bl->tmp.len, tier, bare, first);
  buf_reset(&bl->stem);
  if (rc == NB_OK)
    rc = search_stem_term(w, n, &bl->stem);
  if (rc != NB_OK || bl->stem.len == 0)
    return rc;
  buf_reset(&bl->tmp);
  quote(&bl->tmp, bl->stem.data, bl->stem.len);
  if (bl->tmp.oom)
    return NB_ENOMEM;
  return add_alt(bl, bl->tmp.data, bl->tmp.len, tier + 1, bare, first);
}

/* Adds the bare forms of w[0..n): without a leading conjunction (و ف), a
 * preposition (ب ك ل), or both, BARE_MIN letters or more left. The
 * article needs none: ar_stem() takes it off in documents and queries
 * alike. Stacked clitics before an article (وللتمور, وبالمشاعر) are
 * ar_stem()'s too. search_guard() decides later which are used. */
static int add_bare_forms(building *bl, const char *w, size_t n, size_t first) {
  static const char conj[] = "وف", prep[] = "بكل";
  size_t cut[2], ncut = 0;
  int rc = NB_OK;

  if (n < (BARE_MIN + 1) * AR_L)
    return NB_OK;
  if (letter_in(w, conj)) {
    cut[ncut++] = AR_L;
    if (n >= (BARE_MIN + 2) * AR_L && letter_in(w + AR_L, prep))
      cut[ncut++] = 2 * AR_L;
  } else if (letter_in(w, prep)) {
    cut[ncut++] = AR_L;
  }
  for (size_t i = 0; rc == NB_OK && i < ncut; i++)
    rc = add_word(bl, w + cut[i], n - cut[i], SEARCH_BARE, (int)i + 1, first);
  return rc;
}

/* Adds the clitic forms of w[0..n): و ف ب ك ل put before it, as an
 * article may write it when the reader does not (فرنسا, وفرنسا). Their
 * stems need none: ar_stem() leaves a bare letter on, so وفرنسا's stem is
 * not فرنسا's. A word that starts with the article needs none either:
 * its stem is the same with و ف ب ك before it (والمغرب, بالمغرب). */
static int add_clitic_forms(building *bl, const char *w, size_t n,
                            size_t first) {
  static const char *const clitics[] = {"و", "ف", "ب", "ك", "ل"};
  int rc = NB_OK;

  if (n < BARE_MIN * AR_L || (n >= 2 * AR_L && memcmp(w, "ال", 2 * AR_L) == 0))
    return NB_OK;
  for (size_t i = 0; i < 2 * AR_L && i < n; i += AR_L)
    if ((unsigned char)w[i] < 0xD8 || (unsigned char)w[i] > 0xD9)
      return NB_OK; /* not Arabic */
  for (size_t i = 0; rc == NB_OK && i < sizeof clitics / sizeof *clitics; i++) {
    buf_reset(&bl->stem);
    buf_puts(&bl->stem, clitics[i]);
    buf_append(&bl->stem, w, n);
    buf_reset(&bl->tmp);
    quote(&bl->tmp, bl->stem.data, bl->stem.len);
    if (bl->tmp.oom || bl->stem.oom)
      return NB_ENOMEM;
    rc = add_alt(bl, bl->tmp.data, bl->tmp.len, SEARCH_CLITIC, -1, first);
  }
  return rc;
}

/* Appends to pairs the AND of the pair terms of the phrase t (the words
 * next to a stop word, "~a b": FTS5 moves an AND to the rows of its first
 * terms and checks the phrase only there, where "في من" alone would be
 * checked in nearly every article) and to phrase the phrase of its exact
 * forms; *npairs counts the pairs. */
static int phrase_parts(const term *t, buf_t *pairs, size_t *npairs,
                        buf_t *phrase, buf_t *tmp) {
  const char *w = t->words.data;
  int rc;

  *npairs = 0;
  for (size_t i = 0; i + 1 < t->nwords; i++) {
    const char *next = w + strlen(w) + 1;
    size_t n = strlen(w), nn = strlen(next);
    if (search_is_stop_word(w, n) || search_is_stop_word(next, nn)) {
      buf_reset(tmp);
      rc = search_bigram_term(w, n, next, nn, tmp);
      if (rc != NB_OK)
        return rc;
      if (++*npairs > 1)
        buf_puts(pairs, " AND ");
      quote(pairs, tmp->data, tmp->len);
    }
    w = next;
  }
  /* Words joined by spaces are a phrase: FTS5 splits the string with the
   * tokenizer, which gives these same words back. */
  w = t->words.data;
  buf_putc(phrase, '"');
  for (size_t i = 0; i < t->nwords; i++) {
    size_t n = strlen(w);
    if (i)
      buf_putc(phrase, ' ');
    for (size_t j = 0; j < n; j++) {
      if (w[j] == '"')
        buf_putc(phrase, '"');
      buf_putc(phrase, w[j]);
    }
    w += n + 1;
  }
  buf_putc(phrase, '"');
  return pairs->oom || phrase->oom ? NB_ENOMEM : NB_OK;
}

/* Fills out term st from t, its alternatives added to bl. */
static int make_term(const term *t, building *bl, search_term *st) {
  size_t first = bl->nalts, npairs = 0;
  buf_t pairs = {0}, phrase = {0};
  int rc;

  st->typed = t->typed;
  st->phrase = t->kind == T_PHRASE;
  if (t->kind == T_WORD && t->nwords == 1) {
    size_t n = strlen(t->words.data);
    rc = add_word(bl, t->words.data, n, SEARCH_EXACT, 0, first);
    if (rc == NB_OK)
      rc = add_bare_forms(bl, t->words.data, n, first);
    if (rc == NB_OK)
      rc = add_clitic_forms(bl, t->words.data, n, first);
  } else {
    rc = phrase_parts(t, &pairs, &npairs, &phrase, &bl->tmp);
    if (rc == NB_OK)
      rc = add_alt(bl, phrase.data, phrase.len, SEARCH_EXACT, 0, first);
    if (rc == NB_OK && npairs &&
        !(st->pairs = arena_strndup(bl->a, pairs.data, pairs.len)))
      rc = NB_ENOMEM;
    st->npairs = npairs;
  }
  st->alts = bl->alts + first;
  st->nalts = bl->nalts - first;
  buf_free(&pairs);
  buf_free(&phrase);
  return rc;
}

/* Appends the expression of the excluded term t to b: the word in any
 * form or stem, or the phrase. */
static int excluded(const term *t, buf_t *b, buf_t *tmp) {
  buf_t pairs = {0}, phrase = {0};
  size_t npairs = 0;
  int rc = NB_OK;

  if (t->kind == T_WORD && t->nwords == 1) {
    size_t n = strlen(t->words.data);
    buf_reset(tmp);
    rc = search_stem_term(t->words.data, n, tmp);
    buf_putc(b, '(');
    quote(b, t->words.data, n);
    if (rc == NB_OK && tmp->len) {
      buf_puts(b, " OR ");
      quote(b, tmp->data, tmp->len);
    }
    buf_putc(b, ')');
  } else {
    rc = phrase_parts(t, &pairs, &npairs, &phrase, tmp);
    buf_putc(b, '(');
    if (npairs) {
      buf_append(b, pairs.data, pairs.len);
      buf_puts(b, " AND ");
    }
    buf_append(b, phrase.data, phrase.len);
    buf_putc(b, ')');
  }
  buf_free(&pairs);
  buf_free(&phrase);
  return rc == NB_OK && b->oom ? NB_ENOMEM : rc;
}

/* Appends the query as understood: the terms kept, as typed, then the
 * section filter. */
static void write_cleaned(const reading *r, buf_t *cleaned) {
  for (size_t k = 0; k < r->nterms; k++) {
    if (k)
      buf_putc(cleaned, ' ');
    buf_append(cleaned, r->terms[k].typed, r->terms[k].ntyped);
  }
  if (r->section_typed) {
    if (cleaned->len)
      buf_putc(cleaned, ' ');
    buf_puts(cleaned, r->section_typed);
  }
}

/* The order of the terms in out: words as typed, then phrases. */
static int term_rank(const term *t) {
  return t->kind == T_PHRASE;
}

/* Fills out from the terms read: each kept term not excluded with its
 * alternatives, the excluded ones as one expression. */
static int fill_out(const reading *r, arena_t *a, search_query *out) {
  building bl = {a, NULL, 0, r->npos * ALTS_PER_TERM, {0}, {0}};
  search_term *terms = NULL;
  buf_t ex = {0};
  size_t nx = 0;
  int rc = NB_OK;

  if (r->npos) {
    terms = arena_alloc(a, r->npos * sizeof *terms);
    bl.alts = arena_alloc(a, bl.cap * sizeof *bl.alts);
    if (!terms || !bl.alts)
      return NB_ENOMEM;
    memset(terms, 0, r->npos * sizeof *terms);
  }
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; rc == NB_OK && k < r->nterms; k++) {
      const term *t = &r->terms[k];
      if (t->exclude || term_rank(t) != pass)
        continue;
      rc = make_term(t, &bl, &terms[out->nterms]);
      out->nwords += !terms[out->nterms].phrase;
      out->nterms++;
    }
  for (size_t k = 0; rc == NB_OK && r->npos && k < r->nterms; k++) {
    if (!r->terms[k].exclude)
      continue;
    buf_puts(&ex, nx++ ? " OR " : "(");
    rc = excluded(&r->terms[k], &ex, &bl.tmp);
  }
  if (nx)
    buf_putc(&ex, ')');
  if (rc == NB_OK && ex.oom)
    rc = NB_ENOMEM;
  if (rc == NB_OK && nx && !(out->exclude = arena_strndup(a, ex.data, ex.len)))
    rc = NB_ENOMEM;
  out->terms = terms;
  out->nalts = bl.nalts;
  out->section = r->section;
  buf_free(&ex);
  buf_free(&bl.tmp);
  buf_free(&bl.stem);
  return rc;
}

int search_parse(const char *q, size_t n, arena_t *a, search_query *out) {
  reading r;
  buf_t c = {0}, cleaned = {0};
  int rc;

  assert(a && out && (q || n == 0));
  memset(out, 0, sizeof *out);
  memset(&r, 0, sizeof r);
  clean(q, n, &c);
  rc = c.oom ? NB_ENOMEM : read_query(c.data, c.len, a, &r);
  if (rc == NB_OK) {
    write_cleaned(&r, &cleaned);
    rc = cleaned.oom ? NB_ENOMEM : NB_OK;
  }
  if (rc == NB_OK && !(out->cleaned = arena_strndup(
                           a, cleaned.data ? cleaned.data : "", cleaned.len)))
    rc = NB_ENOMEM;
  if (rc == NB_OK)
    rc = fill_out(&r, a, out);

  for (size_t k = 0; k < SEARCH_TERMS_MAX; k++)
    buf_free(&r.terms[k].words);
  buf_free(&c);
  buf_free(&cleaned);
  if (rc != NB_OK)
    memset(out, 0, sizeof *out);
  return rc;
}
