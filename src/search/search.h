/* search: Arabic-aware full-text search on SQLite FTS5.
 *
 * The "naba" FTS5 tokenizer splits text with ar_tokenize (byte offsets in
 * the original text, so highlights land on what the reader sees), and
 * emits for each word its normalized form and, at the same position, its
 * stem marked with a leading "~" (FTS5_TOKEN_COLOCATED). A query word
 * matches (form OR ~stem): a document with the exact form scores on both,
 * so exact matches rank above stem-only ones. Indexing and querying go
 * through the same ar_normalize and ar_stem. */
#ifndef NABA_SEARCH_H
#define NABA_SEARCH_H

#include <sqlite3.h>
#include <stddef.h>

#include "arabic/arabic.h"
#include "core/core.h"

#define SEARCH_QUERY_MAX 256 /* bytes of a query kept; the rest is cut */
#define SEARCH_TERMS_MAX 16  /* words and phrases used; the rest ignored */

/* How much more a match in the title counts than one in the body. */
#define SEARCH_TITLE_WEIGHT 5.0

/* Registers the "naba" tokenizer and the naba_rank() function on a
 * connection (the store calls it on every connection it opens).
 * naba_rank(articles_fts, idfs) is BM25 relevance, higher is better, with
 * the title weighing SEARCH_TITLE_WEIGHT and the weight of each phrase of
 * the MATCH expression given by the caller: idfs is a blob of doubles,
 * one per phrase in FTS5's order (search_query.phrases), from
 * search_idf(). See rank_fn() in search.c for the formula. */
int search_register(sqlite3 *db);

/* The weight of a phrase found in matches of articles (the BM25 inverse
 * document frequency, Lucene's form, always above 0): rarer is heavier. */
double search_idf(double articles, double matches);

/* What a reader typed, made safe: words that must all match, "quoted
 * phrases", -excluded words and an optional section filter written as
 * section:NAME or قسم:NAME. Never an FTS5 syntax error: every term is
 * normalized and quoted. */
typedef struct {
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

#endif
