/* search/internal.h: what the files of search/ share, not for other modules.
 *
 * search_words() is the one path from text to index terms: the tokenizer
 * runs it on documents and queries, search_parse() on what a reader typed,
 * so both sides of a match always agree. */
#ifndef NABA_SEARCH_INTERNAL_H
#define NABA_SEARCH_INTERNAL_H

#include <stddef.h>

#include "arabic/arabic.h"
#include "core/core.h"

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

/* What the "naba" tokenizer's cache of stem terms (search.c) holds before
 * it is emptied: so many words, or so many bytes of words and their stem
 * terms; about 1.8 MB an instance in all. Here so tests can fill it. */
#define SEARCH_STEM_CACHE_WORDS 49152
#define SEARCH_STEM_CACHE_BYTES (1024 * 1024)

/* Whether the normalized word w[0..n) is a stop word (stop.c). */
int search_is_stop_word(const char *w, size_t n);

/* Appends the index term of two adjacent normalized words, at least one a
 * stop word: "~a b" (no stem holds a space, so it is never a stem term). */
int search_bigram_term(const char *a, size_t na, const char *b, size_t nb,
                       buf_t *out);

#endif
