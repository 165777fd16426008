/* Fuzz harness for search/: whatever a reader types, search_parse gives an
 * expression FTS5 accepts (it is run on a real FTS5 table with the naba
 * tokenizer), each alternative alone and each walk the store makes
 * (search_expr()), or none; whatever bytes a body holds, the tokenizer indexes
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
static sqlite3_stmt *put, *query;

static void check(int ok) {
  if (!ok)
    abort();
}

/* Runs match with the weights blob w on the table: never "fts5: syntax
 * error", and every row found holds a query term. */
static void run(const char *match, const buf_t *w, int walk) {
  int src;

  sqlite3_bind_text(query, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_blob(query, 2, w ? w->data : "", w ? (int)w->len : 0,
                    SQLITE_STATIC);
  while ((src = sqlite3_step(query)) == SQLITE_ROW)
    check(!walk || sqlite3_column_double(query, 1) >= SEARCH_COORD_STEP);
  check(src == SQLITE_DONE);
  sqlite3_reset(query);
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
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO t (rowid, title, body)"
                           " VALUES (100, ?1, ?2)",
                           -1, &put, NULL) == SQLITE_OK);
  check(sqlite3_prepare_v2(db,
                           "SELECT rowid, naba_rank(t, ?2),"
                           " highlight(t, 0, X'01', X'02'),"
                           " snippet(t, 1, X'01', X'02', '…', 24),"
                           " naba_snippet(t, 1, 24), naba_snippet(t, 0, 3)"
                           " FROM t WHERE t MATCH ?1",
                           -1, &query, NULL) == SQLITE_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  search_query sq;
  arena_t a = {0};
  buf_t text = {0};

  if (!db)
    open_db();
  check(search_parse(s, size, &a, &sq) == NB_OK);
  check(sq.cleaned && strlen(sq.cleaned) <= SEARCH_QUERY_MAX * 2 &&
        utf8_valid(sq.cleaned, strlen(sq.cleaned)));
  check(sq.nterms <= SEARCH_TERMS_MAX && sq.nwords <= sq.nterms);
  check(sq.nterms || !sq.exclude);
  for (size_t i = 0; i < sq.nterms; i++)
    check(sq.terms[i].typed &&
          utf8_valid(sq.terms[i].typed, strlen(sq.terms[i].typed)) &&
          sq.terms[i].nalts > 0 && sq.terms[i].alts[0].tier == SEARCH_EXACT);

  search_text_from_html(s, size, &text);
  check(!text.oom && text.len <= size); /* decoding never grows text */

  check(sqlite3_exec(db, "SAVEPOINT f", NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_bind_text(put, 1, s, (int)size, SQLITE_STATIC);
  sqlite3_bind_text(put, 2, text.data ? text.data : "", (int)text.len,
                    SQLITE_STATIC);
  check(sqlite3_step(put) == SQLITE_DONE);
  sqlite3_reset(put);
  /* Each alternative alone (the store measures their weights with
   * them), then every walk, with weights some of which leave
   * alternatives out. */
  double *weight = arena_alloc(&a, (sq.nalts + 1) * sizeof *weight);
  double *df = arena_alloc(&a, (sq.nalts + 1) * sizeof *df);
  check(weight && df);
  for (size_t i = 0, k = 0; i < sq.nterms; i++)
    for (size_t j = 0; j < sq.terms[i].nalts; j++, k++) {
      run(sq.terms[i].alts[j].phrase, NULL, 0);
      df[k] = (double)((k * 7) % 5);
    }
  search_guard(&sq, df, 5, weight);
  size_t drivers[SEARCH_TERMS_MAX];
  for (size_t i = 0; i < sq.nwords; i++)
    drivers[i] = (i + size) % sq.nwords; /* a rotation: distinct words */
  for (size_t d = 0; sq.nterms && d <= sq.nwords; d++) {
    buf_t m = {0}, w = {0};
    check(search_expr(&sq, weight, d ? drivers : NULL, d, &m, &w) == NB_OK);
    run(m.data, &w, 1);
    buf_free(&m);
    buf_free(&w);
  }
  check(sqlite3_exec(db, "ROLLBACK TO f; RELEASE f", NULL, NULL, NULL) ==
        SQLITE_OK);
  buf_free(&text);
  arena_free(&a);
  return 0;
}
