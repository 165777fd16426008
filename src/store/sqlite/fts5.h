/* store/sqlite/fts5.h: the search index's glue on SQLite, for the store's
 * SQLite backend and for tests and fuzzers that run FTS5 on a connection of
 * their own. Not part of the store's interface (store.h). */
#ifndef NABA_STORE_SQLITE_FTS5_H
#define NABA_STORE_SQLITE_FTS5_H

#include <sqlite3.h>

/* Registers the "naba" tokenizer and the naba_rank() function on a
 * connection (the store calls it on every connection it opens).
 * naba_rank(articles_fts, idfs) is BM25 relevance, higher is better, with
 * the title weighing SEARCH_TITLE_WEIGHT and the weight of each phrase of
 * the MATCH expression given by the caller: idfs is a blob of doubles,
 * one per phrase in FTS5's order (search_query.phrases), from
 * search_idf(). See rank_fn() in fts5.c for the formula. Returns NB_OK,
 * NB_ENOMEM, or NB_EIO (SQLite built without FTS5). */
int store_fts5_register(sqlite3 *db);

/* What the "naba" tokenizer's cache of stem terms holds before it is
 * emptied: so many words, or so many bytes of words and their stem terms;
 * about 1.8 MB an instance in all. Here so tests can fill it. */
#define SEARCH_STEM_CACHE_WORDS 49152
#define SEARCH_STEM_CACHE_BYTES (1024 * 1024)

#endif
