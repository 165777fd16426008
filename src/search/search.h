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

#include "core/core.h"

#define SEARCH_QUERY_MAX 256 /* bytes of a query kept; the rest is cut */
#define SEARCH_TERMS_MAX 16  /* words and phrases used; the rest ignored */

/* Registers the "naba" tokenizer on a connection (the store calls it on
 * every connection it opens). */
int search_register(sqlite3 *db);

/* What a reader typed, made safe: words that must all match, "quoted
 * phrases", -excluded words and an optional section filter written as
 * section:NAME or قسم:NAME. Never an FTS5 syntax error: every term is
 * normalized and quoted. */
typedef struct {
  const char *match; /* FTS5 MATCH expression; NULL: nothing to search */
  /* With phrases: the positive terms with each phrase's words in any
   * order, for choosing candidates cheaply; NULL: use match. */
  const char *loose;
  const char *section; /* section name or slug from the query, or NULL */
  const char **words;  /* the positive terms as typed, for suggestions */
  size_t nwords;
  const char *cleaned; /* the query as understood, for the page */
} search_query;

/* Parses q[0..n). Invalid UTF-8 and control characters are dropped, a
 * query over SEARCH_QUERY_MAX bytes is cut at a character boundary, an
 * unbalanced quote closes at the end, stop words alone leave match NULL.
 * Strings are allocated from the arena. */
int search_parse(const char *q, size_t n, arena_t *a, search_query *out);

/* Plain text of an article body (tags removed, entities decoded, block
 * ends as line breaks), for indexing. Appends to out. */
void search_text_from_html(const char *html, size_t n, buf_t *out);

#endif
