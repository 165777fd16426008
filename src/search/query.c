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

int search_word_match(const char *w, size_t n, buf_t *out) {
  buf_t stem = {0};
  int rc = search_stem_term(w, n, NULL, NULL, &stem);

  if (rc == NB_OK && stem.len) {
    buf_putc(out, '(');
    quote(out, w, n);
    buf_puts(out, " OR ");
    quote(out, stem.data, stem.len);
    buf_putc(out, ')');
  } else if (rc == NB_OK) {
    quote(out, w, n);
  }
  if (rc == NB_OK && (out->oom || stem.oom))
    rc = NB_ENOMEM;
  buf_free(&stem);
  return rc;
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

/* What term_sql() needs besides the term. */
typedef struct {
  buf_t *stem, *list;
  size_t *nlist;
  ar_known_fn known;
  void *ctx;
} sql_out;

/* Appends the FTS5 expression of a term to b: ("form" OR "~stem") for a
 * word, "w1 w2 ..." for a phrase (exact forms). Each FTS5 phrase written is
 * also appended to o->list, NUL-terminated, and counted in *o->nlist. */
static int term_sql(const term *t, buf_t *b, const sql_out *o) {
  buf_t *stem = o->stem, *list = o->list;
  size_t *nlist = o->nlist;
  const char *w = t->words.data;
  size_t mark;
  int rc;

  assert(t->nwords > 0);
  if (t->kind == T_WORD && t->nwords == 1) {
    size_t n = strlen(w);
    buf_reset(stem);
    rc = search_stem_term(w, n, o->known, o->ctx, stem);
    if (rc != NB_OK)
      return rc;
    if (stem->len)
      buf_putc(b, '(');
    mark = b->len;
    quote(b, w, n);
    buf_append(list, b->data + mark, b->len - mark);
    buf_putc(list, '\0');
    ++*nlist;
    if (stem->len) {
      buf_puts(b, " OR ");
      mark = b->len;
      quote(b, stem->data, stem->len);
      buf_append(list, b->data + mark, b->len - mark);
      buf_putc(list, '\0');
      ++*nlist;
      buf_putc(b, ')');
    }
    return NB_OK;
  }
  /* The pairs with a stop word first, each a term of its own that needs
   * no positions: FTS5 moves an AND to the rows of its first terms, and
   * checks the phrase only there ("في من" alone would be checked in nearly
   * every article). They weigh nothing: an empty entry in the list. */
  size_t pairs = 0;
  for (size_t i = 0; i + 1 < t->nwords; i++) {
    const char *next = w + strlen(w) + 1;
    size_t n = strlen(w), nn = strlen(next);
    if (search_is_stop_word(w, n) || search_is_stop_word(next, nn)) {
      buf_reset(stem);
      rc = search_bigram_term(w, n, next, nn, stem);
      if (rc != NB_OK)
        return rc;
      buf_puts(b, pairs++ ? " AND " : "(");
      quote(b, stem->data, stem->len);
      buf_putc(list, '\0');
      ++*nlist;
    }
    w = next;
  }
  w = t->words.data;
  if (pairs)
    buf_puts(b, " AND ");
  /* Words joined by spaces are a phrase: FTS5 splits the string with the
   * tokenizer, which gives these same words back. */
  mark = b->len;
  buf_putc(b, '"');
  for (size_t i = 0; i < t->nwords; i++) {
    size_t n = strlen(w);
    if (i)
      buf_putc(b, ' ');
    for (size_t j = 0; j < n; j++) {
      if (w[j] == '"')
        buf_putc(b, '"');
      buf_putc(b, w[j]);
    }
    w += n + 1;
  }
  buf_putc(b, '"');
  buf_append(list, b->data + mark, b->len - mark);
  buf_putc(list, '\0');
  ++*nlist;
  if (pairs)
    buf_putc(b, ')');
  return NB_OK;
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

/* Appends the MATCH expression of the terms to match, ("a" OR "~b") AND
 * "c d", then NOT (x OR y): FTS5's NOT is binary. The phrases of the
 * terms that must be found go to pos's list, the excluded ones to neg's.
 * Nothing when no term must be found: a NOT alone finds nothing. */
static int write_match(const reading *r, buf_t *match, const sql_out *pos,
                       const sql_out *neg) {
  size_t nx = r->nterms - r->npos, done_pos = 0, done_x = 0, k;
  int rc = NB_OK;

  if (r->npos == 0)
    return NB_OK;
  if (nx)
    buf_putc(match, '(');
  for (k = 0; rc == NB_OK && k < r->nterms; k++) {
    if (r->terms[k].exclude)
      continue;
    if (done_pos++)
      buf_puts(match, " AND ");
    rc = term_sql(&r->terms[k], match, pos);
  }
  if (nx)
    buf_puts(match, ") NOT (");
  for (k = 0; rc == NB_OK && k < r->nterms; k++) {
    if (!r->terms[k].exclude)
      continue;
    if (done_x++)
      buf_puts(match, " OR ");
    rc = term_sql(&r->terms[k], match, neg);
  }
  if (nx)
    buf_putc(match, ')');
  return rc;
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

/* Fills out from the arena: the match expression, the nlist phrases of
 * list (each NUL-terminated; an empty one weighs nothing: NULL), the
 * words to suggest from, the cleaned query and the section. */
static int fill_out(const reading *r, const buf_t *match, const buf_t *cleaned,
                    const buf_t *list, size_t nlist, arena_t *a,
                    search_query *out) {
  size_t npos = r->npos;

  out->words = arena_alloc(a, (npos ? npos : 1) * sizeof *out->words);
  out->cleaned =
      arena_strndup(a, cleaned->data ? cleaned->data : "", cleaned->len);
  if (npos)
    out->match = arena_strndup(a, match->data, match->len);
  out->phrases = arena_alloc(a, (nlist ? nlist : 1) * sizeof *out->phrases);
  if (!out->words || !out->cleaned || (npos && !out->match) || !out->phrases)
    return NB_ENOMEM;
  for (const char *p = list->data; out->nphrases < nlist; p += strlen(p) + 1) {
    const char *copy = *p ? arena_strndup(a, p, strlen(p)) : NULL;
    if (*p && !copy)
      return NB_ENOMEM;
    out->phrases[out->nphrases++] = copy;
  }
  for (size_t k = 0; k < r->nterms; k++) {
    if (!r->terms[k].exclude)
      out->words[out->nwords++] = r->terms[k].typed;
  }
  out->section = r->section;
  return NB_OK;
}

int search_parse(const char *q, size_t n, ar_known_fn known, void *ctx,
                 arena_t *a, search_query *out) {
  reading r;
  buf_t c = {0}, match = {0}, cleaned = {0}, stem = {0}, list = {0};
  buf_t excluded = {0};
  size_t nlist = 0, nexcluded = 0;
  sql_out pos = {&stem, &list, &nlist, known, ctx};
  sql_out neg = {&stem, &excluded, &nexcluded, known, ctx};
  int rc;

  assert(a && out && (q || n == 0));
  memset(out, 0, sizeof *out);
  memset(&r, 0, sizeof r);
  clean(q, n, &c);
  rc = c.oom ? NB_ENOMEM : read_query(c.data, c.len, a, &r);
  if (rc == NB_OK) {
    rc = write_match(&r, &match, &pos, &neg);
    write_cleaned(&r, &cleaned);
  }
  if (rc == NB_OK && (match.oom || cleaned.oom || list.oom))
    rc = NB_ENOMEM;
  if (rc == NB_OK)
    rc = fill_out(&r, &match, &cleaned, &list, nlist, a, out);

  for (size_t k = 0; k < SEARCH_TERMS_MAX; k++)
    buf_free(&r.terms[k].words);
  buf_free(&c);
  buf_free(&match);
  buf_free(&list);
  buf_free(&excluded);
  buf_free(&cleaned);
  buf_free(&stem);
  if (rc != NB_OK)
    memset(out, 0, sizeof *out);
  return rc;
}
