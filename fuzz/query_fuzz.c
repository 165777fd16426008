/* Fuzz harness for search/: whatever a reader types, search_parse gives an
 * expression FTS5 accepts (it is run on a real FTS5 table with the naba
 * tokenizer), or none; whatever bytes a body holds, the tokenizer indexes
 * them and highlight() and snippet() read them back; and
 * search_text_from_html reads any bytes. The input is used as a query, as
 * a title and, through search_text_from_html, as a body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "search/search.h"
#include "store/sqlite/fts5.h"

#include "fuzz.h"

/* One table for the whole run, with a few articles; each input's own row
 * is rolled back. Never closed: it lives as long as the process. */
static sqlite3 *db;
static sqlite3_stmt *put, *query, *known_st;

static void check(int ok) {
  if (!ok)
    abort();
}

/* Whether the table holds the word, as store_search_known() asks. */
static int known(void *ctx, const char *w, size_t n) {
  buf_t q = {0};
  int found = 0;

  (void)ctx;
  check(search_word_match(w, n, &q) == NB_OK);
  sqlite3_bind_text(known_st, 1, q.data, (int)q.len, SQLITE_STATIC);
  found = sqlite3_step(known_st) == SQLITE_ROW;
  check(sqlite3_reset(known_st) == SQLITE_OK); /* never a syntax error */
  buf_free(&q);
  return found;
}

static void open_db(void) {
  static const char *const rows[] = {
      "INSERT INTO t (rowid, title, body) VALUES"
      " (1, 'الحكومة الإسرائيلية', 'قالت مصادر إن إسرائيل رفضت'),"
      " (2, 'Maroc: la covid-19', 'le ministre de la santé à Rabat'),"
      " (3, 'وزير الخارجية', 'زيارة الوزير إلى الرباط والدار البيضاء')",
  };
  check(sqlite3_open(":memory:", &db) == SQLITE_OK);
  check(store_fts5_register(db) == NB_OK);
  check(sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(title, body,"
                     " tokenize = 'naba')",
                     NULL, NULL, NULL) == SQLITE_OK);
  check(sqlite3_exec(db, rows[0], NULL, NULL, NULL) == SQLITE_OK);
  check(sqlite3_prepare_v2(db, "SELECT 1 FROM t WHERE t MATCH ?1 LIMIT 1", -1,
                           &known_st, NULL) == SQLITE_OK);
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO t (rowid, title, body)"
                           " VALUES (100, ?1, ?2)",
                           -1, &put, NULL) == SQLITE_OK);
  check(sqlite3_prepare_v2(db,
                           "SELECT rowid, naba_rank(t, ?2),"
                           " highlight(t, 0, X'01', X'02'),"
                           " snippet(t, 1, X'01', X'02', '…', 24)"
                           " FROM t WHERE t MATCH ?1",
                           -1, &query, NULL) == SQLITE_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  search_query sq;
  arena_t a = {0};
  buf_t text = {0};
  int src;

  if (!db)
    open_db();
  check(search_parse(s, size, known, NULL, &a, &sq) == NB_OK);
  check(sq.cleaned && strlen(sq.cleaned) <= SEARCH_QUERY_MAX * 2 &&
        utf8_valid(sq.cleaned, strlen(sq.cleaned)));
  check(sq.nwords <= SEARCH_TERMS_MAX && (sq.nwords == 0) == !sq.match);
  for (size_t i = 0; i < sq.nwords; i++)
    check(sq.words[i] && utf8_valid(sq.words[i], strlen(sq.words[i])));

  search_text_from_html(s, size, &text);
  check(!text.oom && text.len <= size); /* decoding never grows text */

  check(sqlite3_exec(db, "SAVEPOINT f", NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_bind_text(put, 1, s, (int)size, SQLITE_STATIC);
  sqlite3_bind_text(put, 2, text.data ? text.data : "", (int)text.len,
                    SQLITE_STATIC);
  check(sqlite3_step(put) == SQLITE_DONE);
  sqlite3_reset(put);
  /* The whole expression, then each phrase alone (the store measures
   * their weights with them): never "fts5: syntax error". */
  double *idf = arena_alloc(&a, (sq.nphrases + 1) * sizeof *idf);
  check(idf && sq.nphrases <= SEARCH_QUERY_MAX);
  for (size_t i = 0; i < sq.nphrases; i++)
    idf[i] = (double)(i % 3);
  for (size_t i = 0; sq.match && i <= sq.nphrases; i++) {
    if (i && !sq.phrases[i - 1])
      continue; /* a term that weighs nothing */
    sqlite3_bind_text(query, 1, i ? sq.phrases[i - 1] : sq.match, -1,
                      SQLITE_STATIC);
    sqlite3_bind_blob(query, 2, idf, (int)(sq.nphrases * sizeof *idf),
                      SQLITE_STATIC);
    while ((src = sqlite3_step(query)) == SQLITE_ROW)
      check(i > 0 || sqlite3_column_double(query, 1) >= 0);
    check(src == SQLITE_DONE);
    sqlite3_reset(query);
  }
  check(sqlite3_exec(db, "ROLLBACK TO f; RELEASE f", NULL, NULL, NULL) ==
        SQLITE_OK);
  buf_free(&text);
  arena_free(&a);
  return 0;
}
