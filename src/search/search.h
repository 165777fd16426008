/* search: Arabic-aware full-text search, the rules without the engine.
 *
 * A document's text is split with ar_tokenize (byte offsets in the
 * original text, so highlights land on what the reader sees), and gives
 * for each word its normalized form and, at the same position, its stem
 * marked with a leading "~". A query word is a term with alternatives
 * (its form, its stem, its forms with a clitic taken off or put on), each
 * of a tier; an article ranks by how many terms it holds, then by the best
 * alternative of each (query.c makes the terms, expr.c the weights and
 * the expressions of the store's walks). Indexing and querying go through
 * the same ar_normalize and ar_stem. The engine's side (the FTS5
 * tokenizer, naba_rank(), naba_slots() and naba_snippet() on SQLite) is
 * store/sqlite/fts5.c: nothing here depends on an engine. */
#ifndef NABA_SEARCH_H
#define NABA_SEARCH_H

#include <stddef.h>

#include "arabic/arabic.h"
#include "core/core.h"

#define SEARCH_QUERY_MAX 256 /* bytes of a query kept; the rest is cut */
#define SEARCH_TERMS_MAX 16  /* words and phrases used; the rest ignored */

/* How much more a match in the title counts than one in the body. */
#define SEARCH_TITLE_WEIGHT 5.0

/* The weight of a phrase found in matches of articles (the BM25 inverse
 * document frequency, Lucene's form, always above 0): rarer is heavier. */
double search_idf(double articles, double matches);

/* How an alternative of a query word relates to what was typed. Each
 * weighs search_tier_weight[tier] of its BM25 part, so that for the same
 * word an exact form ranks above its stem, and both above the word with a
 * conjunction or preposition taken off (a "bare" form) or put on (a
 * "clitic" form: the reader left out the و of وفرنسا). */
enum search_tier {
  SEARCH_EXACT,     /* the normalized form: "w" */
  SEARCH_STEM,      /* its stem: "~stem" */
  SEARCH_BARE,      /* without a leading و ف ب ك ل (or و/ف + ب ك ل) */
  SEARCH_BARE_STEM, /* the stem of that */
  SEARCH_CLITIC,    /* with a leading و ف ب ك ل: "وw" */
  SEARCH_TIERS
};
extern const double search_tier_weight[SEARCH_TIERS];

/* Each query word an article holds counts this much more than the BM25
 * sum can reach (16 terms at most, each under 13 times an idf under 13):
 * articles are ranked by how many query words they hold, then by
 * relevance. */
#define SEARCH_COORD_STEP 10000.0

/* One FTS5 phrase a term may match. */
typedef struct {
  const char *phrase; /* quoted for FTS5: "form", "~stem" or "w1 w2 ..." */
  int tier;           /* SEARCH_* */
  /* 0: the word as typed (its form and stem). n > 0: the number of the
   * bare form this alternative belongs to, used only when that form is
   * commoner than the word as typed (search_guard()): واحتفال finds
   * احتفال, but وزير never زير. n < 0: a clitic form, used only when no
   * commoner than the word as typed: فرنسا finds وفرنسا, زير never وزير. */
  int bare;
} search_alt;

typedef struct {
  const char *typed; /* as shown back: quotes closed */
  int phrase;        /* a quoted phrase: every article found holds it */
  /* For a phrase, the AND of its pair terms with stop words (they speed
   * up the phrase and weigh nothing), or NULL. */
  const char *pairs;
  size_t npairs;
  const search_alt *alts; /* alts[0] is the exact form, always used */
  size_t nalts;
} search_term;

/* What a reader typed, made safe: words, "quoted phrases", -excluded
 * words and an optional section filter written as section:NAME or
 * قسم:NAME. An article is found when it holds at least one word (the more
 * words, the higher it ranks), every quoted phrase, and none of the
 * excluded terms. Never an FTS5 syntax error: every term is normalized and
 * quoted. */
typedef struct search_query {
  /* The words in the order typed, then the phrases; terms[i] is bit i of
   * the masks naba_slots() gives. nterms 0: nothing to search. */
  const search_term *terms;
  size_t nterms, nwords;
  size_t nalts;        /* all the terms' alternatives, in order */
  const char *exclude; /* FTS5 expression of the excluded terms, or NULL */
  const char *section; /* section name or slug from the query, or NULL */
  const char *cleaned; /* the query as understood, for the page */
} search_query;

/* Parses q[0..n). Invalid UTF-8 and control characters are dropped, a
 * query over SEARCH_QUERY_MAX bytes is cut at a character boundary, an
 * unbalanced quote closes at the end, stop words alone leave nterms 0.
 * Strings are allocated from the arena. */
int search_parse(const char *q, size_t n, arena_t *a, search_query *out);

/* Sets weight[i] for each of q's nalts alternatives, from df[i], the
 * number of articles among sample that hold it: its BM25 weight (its idf,
 * but never above the exact form's) times its tier's; or 0 for a bare
 * form no commoner than the word as typed (the letter taken off was the
 * word's own) unless the sample holds neither, and for a clitic form
 * commoner than the word as typed (the letter put on makes another word)
 * or in none of the sample. */
void search_guard(const search_query *q, const double *df, double sample,
                  double *weight);

/* Appends to match the FTS5 expression of one search walk, and to
 * weights the slot (term number, -1: weighs nothing) and weight of each of
 * its phrases in FTS5's order, as pairs of doubles: what naba_rank() and
 * naba_slots() read. Alternatives of weight 0 are left out. drivers NULL:
 * the articles that hold every term; else those that hold at least one of
 * the ndrivers words drivers[] (and every phrase): where the articles
 * missing some words are. With every word a driver and a phrase, the
 * phrases alone are enough. */
int search_expr(const search_query *q, const double *weight,
                const size_t *drivers, size_t ndrivers, buf_t *match,
                buf_t *weights);

/* Plain text of an article body (tags removed, entities decoded, block
 * ends as line breaks), for indexing. Appends to out. */
void search_text_from_html(const char *html, size_t n, buf_t *out);

/* ---- from text to index terms ----
 * search_words() is the one path from text to index terms: the engine's
 * tokenizer runs it on documents and queries, search_parse() on what a
 * reader typed, so both sides of a match always agree. */

/* Called with one matching form w[0..n) (normalized, a single word) and the
 * byte range [start, end) of the word it came from in the text. A return
 * other than NB_OK stops search_words(), which returns it. */
typedef int (*search_word_fn)(void *ctx, const char *w, size_t n, size_t start,
                              size_t end);

/* Splits s[0..n) into words with ar_tokenize, normalizes each with
 * ar_normalize and calls fn for every word of the result (a normalized
 * form may itself split: NFKC turns some ligatures into several words).
 * Invalid UTF-8 bytes separate words and are otherwise skipped; a word the
 * normalizer refuses is skipped. Returns NB_OK, NB_ENOMEM, or what fn
 * returned. */
int search_words(const char *s, size_t n, search_word_fn fn, void *ctx);

/* The words of search_words(), at the same positions and byte ranges, for
 * what needs only those (highlights, snippets: FTS5 tokenizes a body for
 * each): a word that surely normalizes to one word is reported as
 * written, without normalizing it, so w[0..n) is not a term. */
int search_word_spans(const char *s, size_t n, search_word_fn fn, void *ctx);

/* Appends the stem term of the normalized word w[0..n) to out: "~" and
 * its stem (ar_stem, the same for documents and queries), or nothing when
 * the word is ASCII and its own stem (Latin words and numbers are not
 * stemmed). An Arabic word whose stem is itself still gets its term: a
 * query word matches ("form" OR "~stem") on both sides, so when the reader
 * types a stem (اسرائيل) every word with that stem (الإسرائيلية) is found,
 * and exact forms match both terms and rank first. Returns NB_OK or an
 * NB_* error. */
int search_stem_term(const char *w, size_t n, buf_t *out);

/* Whether the normalized word w[0..n) is a stop word (stop.c). */
int search_is_stop_word(const char *w, size_t n);

/* Appends the index term of two adjacent normalized words, at least one a
 * stop word: "~a b" (no stem holds a space, so it is never a stem term). */
int search_bigram_term(const char *a, size_t na, const char *b, size_t nb,
                       buf_t *out);

#endif
