/* search: Arabic-aware full-text search, the rules without the engine.
 *
 * A document's text is split with ar_tokenize (byte offsets in the
 * original text, so highlights land on what the reader sees), and gives
 * for each word its normalized form and, at the same position, its stem
 * marked with a leading "~". A query word matches (form OR ~stem): a
 * document with the exact form scores on both, so exact matches rank above
 * stem-only ones. Indexing and querying go through the same ar_normalize
 * and ar_stem. The engine's side (the FTS5 tokenizer and naba_rank() on
 * SQLite) is store/sqlite/fts5.c: nothing here depends on an engine. */
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

/* What a reader typed, made safe: words that must all match, "quoted
 * phrases", -excluded words and an optional section filter written as
 * section:NAME or قسم:NAME. Never an FTS5 syntax error: every term is
 * normalized and quoted. */
typedef struct search_query {
  const char *match; /* FTS5 MATCH expression; NULL: nothing to search */
  /* The FTS5 phrases of match that must be found (not the excluded
   * ones), in the order FTS5 numbers them, each a MATCH expression of its
   * own: what naba_rank() needs a weight for. NULL for a phrase that
   * weighs nothing (the stop-word pairs that speed up a quoted phrase). */
  const char **phrases;
  size_t nphrases;
  const char *section; /* section name or slug from the query, or NULL */
  const char **words;  /* the positive terms as typed, for suggestions */
  size_t nwords;
  const char *cleaned; /* the query as understood, for the page */
} search_query;

/* Parses q[0..n). known (may be NULL) says whether a normalized word is in
 * the index (store_search_known()): a word that is not, behind a bare
 * و ف ب ك ل, is then searched without it when what remains is (بمواليد
 * finds مواليد), as documents' words are stemmed without that knowledge
 * and keep such a letter. Invalid UTF-8 and control characters are dropped, a
 * query over SEARCH_QUERY_MAX bytes is cut at a character boundary, an
 * unbalanced quote closes at the end, stop words alone leave match NULL.
 * Strings are allocated from the arena. */
int search_parse(const char *q, size_t n, ar_known_fn known, void *ctx,
                 arena_t *a, search_query *out);

/* Appends to out the MATCH expression of the normalized word w[0..n) and
 * its stem, ("w" OR "~stem"): what a store_search_known() looks up. */
int search_word_match(const char *w, size_t n, buf_t *out);

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

/* Appends the stem term of the normalized word w[0..n) to out: "~" and
 * its stem (ar_stem; known is NULL for documents, the index's vocabulary
 * for queries), or nothing when the word is ASCII and
 * its own stem (Latin words and numbers are not stemmed). An Arabic word
 * whose stem is itself still gets its term: a query word matches
 * ("form" OR "~stem") on both sides, so when the reader types a stem
 * (اسرائيل) every word with that stem (الإسرائيلية) is found, and exact
 * forms match both terms and rank first. Returns NB_OK or an NB_* error. */
int search_stem_term(const char *w, size_t n, ar_known_fn known, void *ctx,
                     buf_t *out);

/* Whether the normalized word w[0..n) is a stop word (stop.c). */
int search_is_stop_word(const char *w, size_t n);

/* Appends the index term of two adjacent normalized words, at least one a
 * stop word: "~a b" (no stem holds a space, so it is never a stem term). */
int search_bigram_term(const char *a, size_t na, const char *b, size_t nb,
                       buf_t *out);

#endif
