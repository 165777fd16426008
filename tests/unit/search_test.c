/* Tests for search/: the query parser, the "naba" FTS5 tokenizer (on a
 * real in-memory FTS5 table, so that every parsed query is also run) with
 * its cache of stem terms, and the plain text of article bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/sqlite/fts5.h"
#include "search/search.h"

/* ---- helpers ---- */

static arena_t arena;

static int teardown(void **state) {
  (void)state;
  arena_free(&arena);
  return 0;
}

static search_query parse(const char *q) {
  search_query sq;

  assert_int_equal(search_parse(q, strlen(q), &arena, &sq), NB_OK);
  assert_non_null(sq.cleaned);
  return sq;
}

/* A table like the store's, with the naba tokenizer. */
static sqlite3 *fts_db(void) {
  sqlite3 *db = NULL;

  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(store_fts5_register(db), NB_OK);
  assert_int_equal(sqlite3_exec(db,
                                "CREATE VIRTUAL TABLE t USING fts5(title, body,"
                                " tokenize = 'naba')",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  return db;
}

static void put_n(sqlite3 *db, int64_t id, const char *title, const char *body,
                  size_t nbody) {
  sqlite3_stmt *st;

  assert_int_equal(sqlite3_prepare_v2(db,
                                      "INSERT INTO t (rowid, title, body)"
                                      " VALUES (?1, ?2, ?3)",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, body, (int)nbody, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
}

static void put(sqlite3 *db, int64_t id, const char *title, const char *body) {
  put_n(db, id, title, body, strlen(body));
}

/* One number from the table. */
static int64_t count_of(sqlite3 *db, const char *match) {
  sqlite3_stmt *st;
  int64_t n;

  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT count(*) FROM t WHERE t MATCH ?1",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_ROW)
    fail_msg("MATCH %s: %s", match, sqlite3_errmsg(db));
  n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static int64_t rows_of(sqlite3 *db) {
  sqlite3_stmt *st;
  int64_t n;

  assert_int_equal(
      sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

/* The expression and weights of a walk of sq on the table, as the store
 * makes them (drivers NULL: every term; else at least one of those). */
typedef struct {
  buf_t match, weights;
} walk;

static walk plan(sqlite3 *db, const search_query *sq, const size_t *drivers,
                 size_t ndrivers) {
  double df[SEARCH_TERMS_MAX * 11], weight[SEARCH_TERMS_MAX * 11];
  walk w = {{0}, {0}};
  size_t k = 0;

  assert_true(sq->nalts <= SEARCH_TERMS_MAX * 11);
  for (size_t i = 0; i < sq->nterms; i++)
    for (size_t j = 0; j < sq->terms[i].nalts; j++)
      df[k++] = (double)count_of(db, sq->terms[i].alts[j].phrase);
  search_guard(sq, df, (double)rows_of(db), weight);
  assert_int_equal(
      search_expr(sq, weight, drivers, ndrivers, &w.match, &w.weights), NB_OK);
  return w;
}

/* Runs a walk on the table: the ids found, as "3 1 2", best first
 * (naba_rank(), then id) when ranked, else in id order. FTS5 must accept
 * the expression. */
static const char *run_walk(sqlite3 *db, walk *w, int ranked) {
  static char out[256];
  sqlite3_stmt *st;
  int src;

  out[0] = '\0';
  assert_int_equal(
      sqlite3_prepare_v2(db,
                         ranked ? "SELECT rowid FROM t WHERE t MATCH ?1"
                                  " ORDER BY naba_rank(t, ?2) DESC, rowid"
                                : "SELECT rowid FROM t WHERE t MATCH ?1"
                                  " ORDER BY rowid",
                         -1, &st, NULL),
      SQLITE_OK);
  sqlite3_bind_text(st, 1, w->match.data, -1, SQLITE_STATIC);
  sqlite3_bind_blob(st, 2, w->weights.data, (int)w->weights.len, SQLITE_STATIC);
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    size_t n = strlen(out);
    snprintf(out + n, sizeof out - n, "%s%lld", n ? " " : "",
             (long long)sqlite3_column_int64(st, 0));
  }
  if (src != SQLITE_DONE)
    fail_msg("MATCH %s: %s", w->match.data, sqlite3_errmsg(db));
  sqlite3_finalize(st);
  buf_free(&w->match);
  buf_free(&w->weights);
  return out;
}

/* What a reader typing q finds in the table holding every term, best
 * first. */
static const char *find(sqlite3 *db, const char *q) {
  search_query sq = parse(q);
  walk w;

  if (!sq.nterms)
    return "";
  w = plan(db, &sq, NULL, 0);
  return run_walk(db, &w, 1);
}

/* The same, in id order. */
static const char *found(sqlite3 *db, const char *q) {
  search_query sq = parse(q);
  walk w;

  if (!sq.nterms)
    return "";
  w = plan(db, &sq, NULL, 0);
  return run_walk(db, &w, 0);
}

/* What a reader typing q finds holding at least one word, best first. */
static const char *find_any(sqlite3 *db, const char *q) {
  search_query sq = parse(q);
  size_t all[SEARCH_TERMS_MAX];
  walk w;

  for (size_t i = 0; i < sq.nwords; i++)
    all[i] = i;
  w = plan(db, &sq, all, sq.nwords);
  return run_walk(db, &w, 1);
}

/* The expression of the walk of every term, every alternative used. */
static const char *all_of(const search_query *sq) {
  static char out[2048];
  double weight[SEARCH_TERMS_MAX * 11];
  buf_t m = {0}, w = {0};

  for (size_t i = 0; i < sq->nalts; i++)
    weight[i] = 1;
  assert_int_equal(search_expr(sq, weight, NULL, 0, &m, &w), NB_OK);
  snprintf(out, sizeof out, "%s", m.data);
  buf_free(&m);
  buf_free(&w);
  return out;
}

static const char *text_of(const char *html) {
  static char out[512];
  buf_t b = {0};

  search_text_from_html(html, strlen(html), &b);
  assert_false(b.oom);
  snprintf(out, sizeof out, "%s", b.data ? b.data : "");
  buf_free(&b);
  return out;
}

/* ---- parsing ---- */

static void words_are_terms_kept_as_typed(void **state) {
  search_query sq = parse("  Maroc   Économie ");

  (void)state;
  assert_string_equal(all_of(&sq), "(\"maroc\") AND (\"economie\")");
  assert_int_equal(sq.nterms, 2);
  assert_int_equal(sq.nwords, 2);
  assert_string_equal(sq.terms[0].typed, "Maroc");
  assert_string_equal(sq.terms[1].typed, "Économie");
  assert_string_equal(sq.cleaned, "Maroc Économie");
  assert_null(sq.section);
}

static void arabic_word_matches_its_form_or_its_stem(void **state) {
  search_query sq = parse("الحكومة");

  (void)state;
  assert_int_equal(sq.nterms, 1);
  assert_int_equal(sq.terms[0].nalts, 2);
  assert_string_equal(sq.terms[0].alts[0].phrase, "\"الحكومه\"");
  assert_int_equal(sq.terms[0].alts[0].tier, SEARCH_EXACT);
  assert_int_equal(sq.terms[0].alts[1].tier, SEARCH_STEM);
  assert_int_equal(strncmp(sq.terms[0].alts[1].phrase, "\"~", 2), 0);
  assert_string_equal(sq.terms[0].typed, "الحكومة");
}

static void a_conjunction_or_preposition_gives_bare_forms(void **state) {
  search_query sq = parse("واحتفال وبمشاعر بلد");

  (void)state;
  /* و: the word without it; و+ب: without one or both; then the five
   * clitic forms (وواحتفال...). */
  assert_int_equal(sq.terms[0].nalts, 4 + 5);
  assert_string_equal(sq.terms[0].alts[4].phrase, "\"وواحتفال\"");
  assert_int_equal(sq.terms[0].alts[4].tier, SEARCH_CLITIC);
  assert_true(sq.terms[0].alts[4].bare < 0);
  assert_string_equal(sq.terms[0].alts[2].phrase, "\"احتفال\"");
  assert_int_equal(sq.terms[0].alts[2].tier, SEARCH_BARE);
  assert_int_equal(sq.terms[0].alts[3].tier, SEARCH_BARE_STEM);
  assert_int_equal(sq.terms[0].alts[2].bare, 1);
  assert_string_equal(sq.terms[1].alts[2].phrase, "\"بمشاعر\"");
  assert_int_equal(sq.terms[1].alts[2].bare, 1);
  int found_second = 0;
  for (size_t j = 0; j < sq.terms[1].nalts; j++)
    found_second |= strcmp(sq.terms[1].alts[j].phrase, "\"مشاعر\"") == 0 &&
                    sq.terms[1].alts[j].bare == 2;
  assert_true(found_second);
  /* بلد keeps its ب: two letters would be left. */
  for (size_t j = 0; j < sq.terms[2].nalts; j++)
    assert_true(sq.terms[2].alts[j].bare <= 0);
  /* A word with the article needs no clitic forms: its stem has them. */
  sq = parse("المغرب");
  assert_int_equal(sq.terms[0].nalts, 2);
}

static void a_bare_form_is_used_only_when_commoner(void **state) {
  search_query sq = parse("وزير واحتفال");
  double df[32], weight[32];
  size_t n0 = sq.terms[0].nalts;

  (void)state;
  assert_true(sq.nalts <= 32);
  /* وزير in 50 of 100 articles, زير in 1: the و is the word's. */
  for (size_t j = 0; j < sq.nalts; j++)
    df[j] = 1;
  df[0] = df[1] = 50;
  /* احتفال in 30, واحتفال in 2: a reader's و. */
  df[n0] = df[n0 + 1] = 2;
  df[n0 + 2] = df[n0 + 3] = 30;
  search_guard(&sq, df, 100, weight);
  assert_true(weight[0] > weight[1]); /* the exact form weighs more */
  for (size_t j = 2; j < n0; j++)
    assert_true(weight[j] == 0 || sq.terms[0].alts[j].bare < 0);
  /* Clitic forms (ووزير, in 1) rarer than وزير are used. */
  assert_true(weight[n0 - 1] > 0 && sq.terms[0].alts[n0 - 1].bare < 0);
  assert_true(weight[n0 + 2] > 0 && weight[n0 + 3] > 0);
  assert_true(weight[n0 + 2] < weight[n0]);
  /* Neither in the sample: the reader's و is taken off. */
  for (size_t j = 0; j < sq.nalts; j++)
    df[j] = 0;
  search_guard(&sq, df, 100, weight);
  assert_true(weight[2] > 0);
}

static void quoted_phrase_is_one_term_of_exact_forms(void **state) {
  search_query sq = parse("train \"Rabat  Casablanca\"");

  (void)state;
  assert_string_equal(all_of(&sq), "(\"train\") AND (\"rabat casablanca\")");
  assert_int_equal(sq.nterms, 2);
  assert_int_equal(sq.nwords, 1);
  assert_true(sq.terms[1].phrase);
  assert_string_equal(sq.terms[1].typed, "\"Rabat  Casablanca\"");
  assert_string_equal(sq.cleaned, "train \"Rabat  Casablanca\"");

  sq = parse("«الدار البيضاء»");
  assert_int_equal(sq.nterms, 1);
  assert_null(strstr(all_of(&sq), "~")); /* a phrase is exact: no stems */
  assert_non_null(strchr(all_of(&sq), ' '));
}

static void words_come_first_then_phrases_then_what_is_excluded(void **state) {
  search_query sq = parse("train \"Rabat  Casablanca\" -bus المغرب");
  double weight[8];
  buf_t m = {0}, w = {0};
  size_t drivers[] = {1};
  double pair[2];

  (void)state;
  assert_string_equal(all_of(&sq),
                      "((\"train\") AND (\"المغرب\" OR \"~مغرب\") AND"
                      " (\"rabat casablanca\")) NOT ((\"bus\"))");
  /* Each phrase's term and weight, in FTS5's order; the driver (المغرب)
   * is there twice, weighing nothing the first time. */
  for (size_t i = 0; i < sq.nalts; i++)
    weight[i] = (double)(i + 1);
  assert_int_equal(search_expr(&sq, weight, drivers, 1, &m, &w), NB_OK);
  assert_string_equal(m.data,
                      "(((\"المغرب\" OR \"~مغرب\")) AND ((\"train\") OR"
                      " (\"المغرب\" OR \"~مغرب\")) AND (\"rabat casablanca\"))"
                      " NOT ((\"bus\"))");
  assert_int_equal(w.len, 6 * sizeof pair);
  memcpy(pair, w.data, sizeof pair);
  assert_true(pair[0] == -1 && pair[1] == 0);
  memcpy(pair, w.data + 3 * sizeof pair, sizeof pair);
  assert_true(pair[0] == 1 && pair[1] == 2);
  memcpy(pair, w.data + 5 * sizeof pair, sizeof pair);
  assert_true(pair[0] == 2 && pair[1] == 4);
  buf_free(&m);
  buf_free(&w);
}

static void unbalanced_quote_closes_at_the_end(void **state) {
  search_query sq = parse("train \"rabat casa");

  (void)state;
  assert_string_equal(all_of(&sq), "(\"train\") AND (\"rabat casa\")");
  assert_string_equal(sq.cleaned, "train \"rabat casa\"");
  sq = parse("\"");
  assert_int_equal(sq.nterms, 0);
  assert_string_equal(sq.cleaned, "");
}

static void excluded_words_follow_a_binary_not(void **state) {
  search_query sq = parse("maroc -football -\"coupe du monde\"");

  (void)state;
  assert_string_equal(all_of(&sq),
                      "((\"maroc\")) NOT ((\"football\") OR (\"~coupe du\" AND"
                      " \"~du monde\" AND \"coupe du monde\"))");
  assert_int_equal(sq.nterms, 1);
  assert_string_equal(sq.cleaned, "maroc -football -\"coupe du monde\"");
}

static void exclusions_alone_search_nothing(void **state) {
  search_query sq = parse("-football -tennis");

  (void)state;
  assert_int_equal(sq.nterms, 0);
  assert_null(sq.exclude);
  assert_string_equal(sq.cleaned, "-football -tennis");
}

static void stop_words_are_dropped_and_alone_search_nothing(void **state) {
  search_query sq = parse("le Maroc et la France");

  (void)state;
  assert_string_equal(all_of(&sq), "(\"maroc\") AND (\"france\")");
  assert_string_equal(sq.cleaned, "Maroc France");

  sq = parse("في من على إلى the of");
  assert_int_equal(sq.nterms, 0);

  /* In a phrase they are words like any other. */
  sq = parse("\"the end\"");
  assert_string_equal(all_of(&sq), "(\"~the end\" AND \"the end\")");
}

static void phrases_with_stop_words_go_through_their_pairs(void **state) {
  search_query sq = parse("\"وزير الدفاع في إسرائيل\"");

  (void)state;
  /* The pairs with a stop word come first, so FTS5 checks the phrase
   * only where they are; they weigh nothing, the phrase does. */
  assert_string_equal(all_of(&sq), "(\"~الدفاع في\" AND \"~في اسراييل\" AND"
                                   " \"وزير الدفاع في اسراييل\")");
  assert_int_equal(sq.terms[0].npairs, 2);
  assert_int_equal(sq.terms[0].nalts, 1);
  /* Without a stop word, a phrase is only itself. */
  sq = parse("\"وزير الدفاع\"");
  assert_string_equal(all_of(&sq), "(\"وزير الدفاع\")");
  assert_null(sq.terms[0].pairs);
}

static void empty_and_blank_queries_search_nothing(void **state) {
  search_query sq;

  (void)state;
  assert_int_equal(search_parse(NULL, 0, &arena, &sq), NB_OK);
  assert_int_equal(sq.nterms, 0);
  assert_string_equal(sq.cleaned, "");
  sq = parse(" \t\n ");
  assert_int_equal(sq.nterms, 0);
  sq = parse("!!! ... ---");
  assert_int_equal(sq.nterms, 0);
}

static void long_query_is_cut_at_a_character_boundary(void **state) {
  char q[5001];
  search_query sq;
  size_t i;

  (void)state;
  /* "بب " repeated: a cut inside a letter would leave invalid UTF-8. */
  for (i = 0; i + 5 <= 5000; i += 5)
    memcpy(q + i, "\xd8\xa8\xd8\xa8 ", 5);
  memset(q + i, 'x', 5000 - i);
  q[5000] = '\0';
  sq = parse(q);
  assert_true(strlen(sq.cleaned) <= SEARCH_QUERY_MAX);
  assert_true(utf8_valid(sq.cleaned, strlen(sq.cleaned)));
  assert_true(sq.nterms > 0);
  assert_true(sq.nterms <= SEARCH_TERMS_MAX);

  /* One 2,500-letter word: cut after 128 two-byte letters. */
  for (i = 0; i < 5000; i += 2)
    memcpy(q + i, "\xd9\x85", 2);
  q[5000] = '\0';
  sq = parse(q);
  assert_int_equal(strlen(sq.cleaned), SEARCH_QUERY_MAX);
  assert_true(utf8_valid(sq.cleaned, strlen(sq.cleaned)));
  q[SEARCH_QUERY_MAX + 1] = '\0'; /* odd: the cut lands mid-letter */
  memmove(q + 1, q, SEARCH_QUERY_MAX);
  q[0] = 'a';
  sq = parse(q);
  assert_int_equal(strlen(sq.cleaned), SEARCH_QUERY_MAX - 1);
  assert_true(utf8_valid(sq.cleaned, strlen(sq.cleaned)));
}

static void at_most_search_terms_max_terms_are_used(void **state) {
  buf_t b = {0};
  search_query sq;
  size_t ands = 0;
  const char *p;

  (void)state;
  for (int i = 0; i < SEARCH_TERMS_MAX + 4; i++)
    buf_printf(&b, "w%d ", i);
  sq = parse(b.data);
  buf_free(&b);
  assert_int_equal(sq.nterms, SEARCH_TERMS_MAX);
  for (p = all_of(&sq); (p = strstr(p, " AND ")) != NULL; p++)
    ands++;
  assert_int_equal(ands, SEARCH_TERMS_MAX - 1);
  assert_null(strstr(sq.cleaned, "w16"));
}

static void control_characters_and_invalid_utf8_are_dropped(void **state) {
  search_query sq = parse("ma\x01ro\x7f"
                          "c\xff\xfe \xc3 foot\tball");

  (void)state;
  assert_string_equal(all_of(&sq), "(\"maroc\") AND (\"foot\") AND (\"ball\")");
  assert_string_equal(sq.cleaned, "maroc foot ball");
  /* A no-break space separates words like a space. */
  sq = parse("maroc\xc2\xa0"
             "france");
  assert_int_equal(sq.nterms, 2);
}

static void section_filter_is_taken_out_of_the_words(void **state) {
  search_query sq = parse("section:sport football");

  (void)state;
  assert_string_equal(sq.section, "sport");
  assert_string_equal(all_of(&sq), "(\"football\")");
  assert_string_equal(sq.cleaned, "football section:sport");
  assert_int_equal(sq.nterms, 1);

  sq = parse("كرة قسم:رياضة");
  assert_string_equal(sq.section, "رياضة");
  assert_int_equal(sq.nterms, 1);

  sq = parse("SECTION:\"الشرق الأوسط\"");
  assert_string_equal(sq.section, "الشرق الأوسط");
  assert_int_equal(sq.nterms, 0); /* a section alone is no search */

  sq = parse("section: maroc");
  assert_null(sq.section);
  assert_string_equal(all_of(&sq), "(\"maroc\")");
}

static void word_with_punctuation_is_a_phrase_of_its_parts(void **state) {
  search_query sq = parse("covid-19 (maroc)");

  (void)state;
  assert_string_equal(all_of(&sq), "(\"covid 19\") AND (\"maroc\")");
  assert_string_equal(sq.terms[0].typed, "covid-19");
  assert_int_equal(sq.nwords, 2); /* not quoted: a word one may miss */
}

/* Whatever a reader types, FTS5 gets an expression it accepts. */
static void fts5_syntax_in_a_query_never_makes_a_bad_expression(void **state) {
  static const char *const queries[] = {
      "NEAR( AND OR * ^ \"",
      "a OR b",
      "NOT maroc",
      "maroc AND",
      "(((maroc",
      "maroc)))",
      "title:maroc",
      "{title body}: maroc",
      "^maroc*",
      "mar*",
      "- -- -\" \"-",
      "\"\"\"\"",
      "'maroc'",
      "NEAR(maroc france, 2)",
      "maroc + france",
      "~maroc",
      "~~\"~\"",
      "\"a\"b\"c\"d",
      "«maroc",
      "maroc»",
      "section:\"",
      "قسم:",
      "\"~مغرب\"",
      "و OR ف AND ب",
      ":,;.!?()[]{}<>=&|\\/*+^$#@%`~",
      "\xd8\xa7\xd9\x84\xd9\x90\xd8\xb1\xd9\x91\xd9\x8e\xd8\xa8\xd9\x8e\xd8"
      "\xa7",
  };
  sqlite3 *db = fts_db();

  (void)state;
  put(db, 1, "المغرب وفرنسا", "maroc france covid 19 وزير الخارجية");
  for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
    search_query sq = parse(queries[i]);
    size_t drivers[SEARCH_TERMS_MAX];
    for (size_t k = 0; k < sq.nwords; k++)
      drivers[k] = sq.nwords - 1 - k;
    for (size_t d = 0; sq.nterms && d <= sq.nwords; d++) {
      walk w = plan(db, &sq, d ? drivers : NULL, d);
      run_walk(db, &w, 1);
    }
  }
  /* The operators typed are words (or stop words), never syntax. */
  assert_string_equal(find(db, "maroc AND"), "1");
  assert_string_equal(find(db, "maroc OR tennis"), "");
  assert_string_equal(find(db, "(maroc) \"france\""), "1");
  sqlite3_close(db);
}

/* ---- the tokenizer ---- */

static void variant_spellings_find_the_same_article(void **state) {
  sqlite3 *db = fts_db();

  (void)state;
  put(db, 1, "الحكومة الإسرائيلية", "نص");
  put(db, 2, "تقرير", "قالت مصادر إن إسرائيل رفضت");
  put(db, 3, "خبر آخر", "لا علاقة له");
  assert_string_equal(found(db, "اسرائيل"), "1 2");
  assert_string_equal(found(db, "الاسرائيلية"), "1 2");
  assert_string_equal(found(db, "إسرائيل -الحكومة"), "2");
  assert_string_equal(found(db, "\"الحكومة الاسرائيلية\""), "1");
  assert_string_equal(found(db, "\"الاسرائيلية الحكومة\""), "");
  assert_string_equal(found(db, "حكومة"), "1");
  sqlite3_close(db);
}

static void exact_form_ranks_above_a_stem_only_match(void **state) {
  sqlite3 *db = fts_db();

  (void)state;
  /* Same lengths, so only the kind of match tells them apart; unrelated
   * rows keep the terms rare enough for bm25 to weigh them. */
  put(db, 1, "عنوان", "المغربية اليوم");
  put(db, 2, "عنوان", "المغربي اليوم");
  for (int i = 3; i < 10; i++)
    put(db, i, "عنوان", "نص آخر");
  assert_string_equal(find(db, "المغربي"), "2 1");
  assert_string_equal(find(db, "المغربية"), "1 2");
  sqlite3_close(db);
}

static void more_words_held_rank_first_then_relevance(void **state) {
  sqlite3 *db = fts_db();

  (void)state;
  /* 2 holds one word many times, in its title too; 1 holds both. */
  put(db, 1, "خبر", "المغرب توقع مع فرنسا اتفاقا");
  put(db, 2, "المغرب المغرب", "المغرب المغرب المغرب");
  put(db, 3, "خبر", "فرنسا");
  put(db, 4, "خبر", "لا شيء هنا");
  assert_string_equal(find_any(db, "المغرب فرنسا"), "1 2 3");
  assert_string_equal(find(db, "المغرب فرنسا"), "1");
  /* A quoted phrase is required, the words are not. */
  assert_string_equal(find_any(db, "\"المغرب المغرب\" فرنسا"), "2");
  /* An excluded word stays excluded. */
  assert_string_equal(find_any(db, "المغرب فرنسا -اتفاقا"), "2 3");
  sqlite3_close(db);
}

static void a_readers_conjunction_or_preposition_is_taken_off(void **state) {
  sqlite3 *db = fts_db();

  (void)state;
  put(db, 1, "احتفال بعيد الاستقلال", "نص");
  put(db, 2, "تقرير", "انخفاض أسعار التمور في الأسواق");
  put(db, 3, "رأي", "عن المشاعر والذكريات");
  put(db, 4, "وزير الصحة", "الوزير قال");
  put(db, 5, "الزير", "جرة");
  assert_string_equal(find(db, "واحتفال"), "1");
  assert_string_equal(find(db, "فبمشاعر"), "3");
  /* Stacked before an article: ar_stem() takes them off. */
  assert_string_equal(find(db, "وللتمور"), "2");
  assert_string_equal(find(db, "وبالمشاعر"), "3");
  /* وزير is commoner than زير: its و is its own. */
  assert_string_equal(find(db, "وزير"), "4");
  sqlite3_close(db);
}

static void a_conjunction_the_reader_left_out_is_put_back(void **state) {
  sqlite3 *db = fts_db();

  (void)state;
  put(db, 1, "المغرب وفرنسا", "اتفاق");
  put(db, 2, "فرنسا", "زيارة");
  put(db, 3, "وزير الخارجية", "قال الوزير");
  put(db, 4, "وزير الداخلية", "بيان");
  put(db, 5, "تقرير", "نص آخر");
  /* فرنسا as written first, then وفرنسا. */
  assert_string_equal(find(db, "فرنسا"), "2 1");
  /* وزير is commoner than زير: زير finds no minister. */
  assert_string_equal(find(db, "زير"), "");
  sqlite3_close(db);
}

static void a_rare_form_never_outweighs_the_exact_one(void **state) {
  sqlite3 *db = fts_db();

  (void)state;
  /* حكام in 10 articles of 30, وحكام in one: the clitic form is rarer,
   * but the word is the same; its match ranks last. */
  for (int i = 1; i <= 10; i++)
    put(db, i, "عنوان", "حكام الجولة");
  put(db, 11, "عنوان", "وحكام الجولة");
  for (int i = 12; i <= 30; i++)
    put(db, i, "عنوان", "نص آخر");
  assert_string_equal(find(db, "حكام"), "1 2 3 4 5 6 7 8 9 10 11");
  sqlite3_close(db);
}

static void the_word_as_typed_ranks_above_its_bare_form(void **state) {
  sqlite3 *db = fts_db();

  (void)state;
  put(db, 1, "عنوان", "احتفال كبير");
  put(db, 2, "عنوان", "واحتفال كبير");
  put(db, 3, "عنوان", "احتفال آخر");
  for (int i = 4; i < 10; i++)
    put(db, i, "عنوان", "نص آخر");
  assert_string_equal(find(db, "واحتفال"), "2 1 3");
  sqlite3_close(db);
}

static void highlights_cover_the_original_text_with_its_marks(void **state) {
  sqlite3 *db = fts_db();
  search_query sq = parse("الحكومة");
  sqlite3_stmt *st;

  (void)state;
  put(db, 1, "قالت الحكومةُ المغربية", "");
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT highlight(t, 0, '[', ']') FROM t"
                                      " WHERE t MATCH ?1",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, all_of(&sq), -1, SQLITE_TRANSIENT);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0),
                      "قالت [الحكومةُ] المغربية");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* Highlights tokenize plain words without normalizing them
 * (search_word_spans()); a word that normalizes to several (ﷺ: four) or
 * that needs NFKC must still leave the positions where the index has
 * them. */
static void highlights_keep_their_place_after_words_that_split(void **state) {
  sqlite3 *db = fts_db();
  search_query sq = parse("المغرب الرباط");
  sqlite3_stmt *st;

  (void)state;
  put(db, 1, "t", "ﷺ café ﻻ المغرب وَالرباط");
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT highlight(t, 1, '[', ']') FROM t"
                                      " WHERE t MATCH ?1",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, all_of(&sq), -1, SQLITE_TRANSIENT);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0),
                      "ﷺ café ﻻ [المغرب] [وَالرباط]");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* naba_snippet(t, column, words) of the row matching q. */
static const char *snippet_of(sqlite3 *db, const char *q, int words) {
  static char out[512];
  search_query sq = parse(q);
  sqlite3_stmt *st;

  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT naba_snippet(t, 1, ?2) FROM t"
                                      " WHERE t MATCH ?1",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, all_of(&sq), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, words);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return out;
}

static void snippet_is_the_passage_with_the_most_query_words(void **state) {
  sqlite3 *db = fts_db();

  (void)state;
  put(db, 1, "t",
      "a b c d e f g h المغرب i j k l m n o p q فرنسا والمغرب، r s t u v.");
  /* Both words at 18 and 19 beat المغرب alone at 8: the passage starts
   * three words before, "…" where the text goes on. */
  assert_string_equal(snippet_of(db, "المغرب فرنسا", 6),
                      "…o p q \x01فرنسا\x02 \x01والمغرب\x02، r…");
  /* Twelve words hold both places: the first wins, with all the hits. */
  assert_string_equal(snippet_of(db, "المغرب فرنسا", 12),
                      "…f g h \x01المغرب\x02 i j k l m n o p…");
  /* A short text whole, from its first byte to its last. */
  put(db, 2, "t", "« فرنسا » والمغرب.");
  sqlite3_exec(db, "DELETE FROM t WHERE rowid = 1", NULL, NULL, NULL);
  assert_string_equal(snippet_of(db, "المغرب فرنسا", 24),
                      "« \x01فرنسا\x02 » \x01والمغرب\x02.");
  sqlite3_close(db);
}

static void invalid_utf8_document_is_still_indexed(void **state) {
  static const char body[] = "maroc\xff\xfe"
                             "france \xc3 rabat";
  sqlite3 *db = fts_db();

  (void)state;
  put_n(db, 1, "t", body, sizeof body - 1);
  assert_string_equal(find(db, "france"), "1");
  assert_string_equal(find(db, "rabat maroc"), "1");
  sqlite3_close(db);
}

static void tokenizer_with_options_is_refused(void **state) {
  sqlite3 *db = NULL;

  (void)state;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(store_fts5_register(db), NB_OK);
  assert_int_not_equal(sqlite3_exec(db,
                                    "CREATE VIRTUAL TABLE t USING fts5(x,"
                                    " tokenize = 'naba remove_diacritics 1')",
                                    NULL, NULL, NULL),
                       SQLITE_OK);
  sqlite3_close(db);
}

/* ---- the tokenizer's cache of stem terms ---- */

/* Letters ar_normalize keeps as they are. */
static const char *const letters[] = {
    "ب", "ت", "ث", "ج", "ح", "خ", "د", "ذ", "ر", "ز", "س", "ش", "ص", "ض",
    "ط", "ظ", "ع", "غ", "ف", "ق", "ك", "ل", "م", "ن", "ه", "و", "ي"};
#define NLETTERS (sizeof letters / sizeof *letters)

/* Words every made-up document has: stop words, clitics, forms that share
 * a stem, Latin words and numbers (no stem term). None is the exact form
 * "حكومة". */
static const char *const common[] = {
    "في",       "من",   "على",         "إلى",  "أن",    "الحكومة",
    "والحكومة", "وزير", "الإسرائيلية", "قالت", "Maroc", "2024"};
#define NCOMMON (sizeof common / sizeof *common)

/* Appends made-up word number i, len letters long, and a space. Words of
 * one length are distinct while i < 27^len. */
static void made_up_word(buf_t *b, unsigned i, int len) {
  for (int k = 0; k < len; k++, i /= NLETTERS)
    buf_puts(b, letters[i % NLETTERS]);
  buf_putc(b, ' ');
}

/* Indexes ndocs documents in t, as rowids first on. Each has nfresh words
 * of len letters not seen before (numbers *next on), and between them the
 * common[] words, words of the document before and one word too long for
 * the cache, so that the cache both misses and hits. */
static void put_made_up(sqlite3 *db, int64_t first, int ndocs, int nfresh,
                        int len, unsigned *next) {
  buf_t body = {0};

  assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
  for (int d = 0; d < ndocs; d++, *next += (unsigned)nfresh) {
    buf_reset(&body);
    for (int k = 0; k < nfresh; k++) {
      made_up_word(&body, *next + (unsigned)k, len);
      if (k % 5 == 0)
        buf_printf(&body, "%s ", common[(unsigned)(d + k) % NCOMMON]);
      if (k % 7 == 0 && d > 0)
        made_up_word(
            &body, *next - (unsigned)nfresh + (unsigned)(k * 3 % nfresh), len);
    }
    made_up_word(&body, *next, 40); /* 80 bytes */
    assert_false(body.oom);
    put(db, first + d, "عنوان الحكومة في", body.data);
  }
  assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  buf_free(&body);
}

/* The index rows the tokenizer must give, worked out word by word with
 * search_stem_term() and search_is_stop_word(), without the cache: the
 * rows of an fts5vocab instance table, in a table expect. */
struct expect {
  sqlite3_stmt *st;
  int64_t doc;
  const char *col;
  int off;
  buf_t prev, term;
  int prev_stop, have_prev;
};

static void expect_term(struct expect *e, const char *t, size_t n) {
  sqlite3_bind_text(e->st, 1, t, (int)n, SQLITE_TRANSIENT);
  sqlite3_bind_int64(e->st, 2, e->doc);
  sqlite3_bind_text(e->st, 3, e->col, -1, SQLITE_STATIC);
  sqlite3_bind_int(e->st, 4, e->off);
  assert_int_equal(sqlite3_step(e->st), SQLITE_DONE);
  sqlite3_reset(e->st);
}

static int expect_word(void *ctx, const char *w, size_t n, size_t start,
                       size_t end) {
  struct expect *e = ctx;
  int stop = search_is_stop_word(w, n);

  (void)start;
  (void)end;
  expect_term(e, w, n);
  buf_reset(&e->term);
  assert_int_equal(search_stem_term(w, n, &e->term), NB_OK);
  if (e->term.len)
    expect_term(e, e->term.data, e->term.len);
  if (e->have_prev && (stop || e->prev_stop)) {
    buf_reset(&e->term);
    assert_int_equal(
        search_bigram_term(e->prev.data, e->prev.len, w, n, &e->term), NB_OK);
    expect_term(e, e->term.data, e->term.len);
  }
  buf_reset(&e->prev);
  buf_append(&e->prev, w, n);
  e->prev_stop = stop;
  e->have_prev = 1;
  e->off++;
  return NB_OK;
}

/* Whether t's index holds exactly the terms stemming every word of its
 * documents gives, at the same positions. */
static void index_is_as_without_cache(sqlite3 *db) {
  static const char *const cols[] = {"title", "body"};
  struct expect e = {0};
  sqlite3_stmt *st;

  assert_int_equal(
      sqlite3_exec(
          db,
          "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, t, instance);"
          "CREATE TEMP TABLE expect (term, doc, col, off);",
          NULL, NULL, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "INSERT INTO expect VALUES (?1, ?2, ?3,"
                                      " ?4)",
                                      -1, &e.st, NULL),
                   SQLITE_OK);
  assert_int_equal(
      sqlite3_prepare_v2(db, "SELECT rowid, title, body FROM t", -1, &st, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    e.doc = sqlite3_column_int64(st, 0);
    for (int c = 0; c < 2; c++) {
      const char *text = (const char *)sqlite3_column_text(st, c + 1);

      e.col = cols[c];
      e.off = 0;
      e.have_prev = 0;
      assert_int_equal(search_words(text, strlen(text), expect_word, &e),
                       NB_OK);
    }
  }
  assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_finalize(st);
  sqlite3_finalize(e.st);
  buf_free(&e.prev);
  buf_free(&e.term);

  assert_int_equal(
      sqlite3_prepare_v2(db,
                         "SELECT (SELECT count(*) FROM v),"
                         " (SELECT count(*) FROM expect),"
                         " (SELECT count(*) FROM (SELECT * FROM v"
                         "  EXCEPT SELECT * FROM expect)),"
                         " (SELECT count(*) FROM (SELECT * FROM expect"
                         "  EXCEPT SELECT * FROM v))",
                         -1, &st, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_true(sqlite3_column_int64(st, 0) > 0);
  assert_int_equal(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
  assert_int_equal(sqlite3_column_int64(st, 2), 0);
  assert_int_equal(sqlite3_column_int64(st, 3), 0);
  sqlite3_finalize(st);
}

/* How many documents of t what a reader typed finds. */
static int64_t count_found(sqlite3 *db, const char *q) {
  search_query sq = parse(q);

  assert_true(sq.nterms > 0);
  return count_of(db, all_of(&sq));
}

/* A table of made-up documents of len-letter words that fills a new
 * cache past one of its limits: 4-letter words (17 bytes at most with
 * their stem terms) by SEARCH_STEM_CACHE_WORDS, long before its bytes;
 * 30-letter words (60 bytes and more) by SEARCH_STEM_CACHE_BYTES, with
 * far fewer words. */
enum {
  SHORT_FRESH = 300,
  SHORT_DOCS = SEARCH_STEM_CACHE_WORDS / SHORT_FRESH + 10,
  LONG_FRESH = 100,
  LONG_DOCS = SEARCH_STEM_CACHE_BYTES / 60 / LONG_FRESH + 10,
};

static sqlite3 *made_up_db(int len) {
  sqlite3 *db = fts_db();
  unsigned next = 0;

  if (len == 4)
    put_made_up(db, 1, SHORT_DOCS, SHORT_FRESH, 4, &next);
  else
    put_made_up(db, 1, LONG_DOCS, LONG_FRESH, len, &next);
  return db;
}

static void cached_stems_index_the_terms_of_stemming_every_word(void **state) {
  sqlite3 *db;

  (void)state;
  db = made_up_db(4);
  index_is_as_without_cache(db);
  sqlite3_close(db);
  db = made_up_db(30);
  index_is_as_without_cache(db);
  sqlite3_close(db);
}

static void repeated_words_match_their_stems_in_every_document(void **state) {
  sqlite3 *db = made_up_db(4);

  (void)state;
  /* Only stem terms hold "حكومة"; every title has الحكومة. */
  assert_int_equal(count_found(db, "حكومة"), SHORT_DOCS);
  assert_int_equal(count_found(db, "اسرائيل"), SHORT_DOCS);
  assert_int_equal(count_found(db, "\"الحكومة في\""), SHORT_DOCS);
  assert_int_equal(count_found(db, "maroc 2024"), SHORT_DOCS);
  assert_int_equal(count_found(db, "rabat"), 0);
  sqlite3_close(db);
}

/* The allocator of SQLite, refusing what is as big as the cache. */
static sqlite3_mem_methods real_mem;
static int nrefused;

static void *small_malloc(int n) {
  if (n >= SEARCH_STEM_CACHE_BYTES) {
    nrefused++;
    return NULL;
  }
  return real_mem.xMalloc(n);
}

static void *small_realloc(void *p, int n) {
  if (n >= SEARCH_STEM_CACHE_BYTES) {
    nrefused++;
    return NULL;
  }
  return real_mem.xRealloc(p, n);
}

static void without_memory_for_the_cache_every_word_is_stemmed(void **state) {
  sqlite3_mem_methods small;
  sqlite3 *db;
  unsigned next = 0;

  (void)state;
  assert_int_equal(sqlite3_shutdown(), SQLITE_OK);
  assert_int_equal(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem),
                   SQLITE_OK);
  small = real_mem;
  small.xMalloc = small_malloc;
  small.xRealloc = small_realloc;
  assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &small), SQLITE_OK);
  nrefused = 0;
  db = fts_db();
  put_made_up(db, 1, 20, 50, 4, &next);
  assert_true(nrefused > 0);
  assert_int_equal(count_found(db, "حكومة"), 20);
  index_is_as_without_cache(db);
  sqlite3_close(db);
  assert_int_equal(sqlite3_shutdown(), SQLITE_OK);
  assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &real_mem), SQLITE_OK);
}

/* ---- plain text of bodies ---- */

static void tags_go_and_blocks_end_lines(void **state) {
  (void)state;
  assert_string_equal(text_of("<p>Hello <b>wor</b>ld</p>\n<p>Two</p>"),
                      "Hello world\nTwo");
  assert_string_equal(text_of("a<br>b<br/>c<BR />d"), "a\nb\nc\nd");
  assert_string_equal(text_of("<h2 class=\"x\">T</h2>body"), "T\nbody");
  assert_string_equal(text_of("<ul><li>a</li><li>b</li></ul>after"),
                      "a\nb\nafter");
  assert_string_equal(text_of("  lots \t of\n\n   space  "), "lots of space");
  assert_string_equal(text_of("<a href=\"/x?a=1&amp;b=>\">link</a> text"),
                      "link text");
}

static void entities_are_decoded(void **state) {
  (void)state;
  assert_string_equal(text_of("&amp; &lt; &gt; &quot; &#39; &apos;"),
                      "& < > \" ' '");
  assert_string_equal(text_of("&#1605;&#x644;&#X62D; x&nbsp;y"), "ملح x y");
  assert_string_equal(text_of("&laquo;نص&raquo;"), "«نص»");
  assert_string_equal(text_of("&lt;script&gt;"), "<script>");
  /* Not entities, or no character: kept as typed, or dropped. */
  assert_string_equal(text_of("AT&T &unknown; &#; &#xZZ; & x"),
                      "AT&T &unknown; &#; &#xZZ; & x");
  assert_string_equal(text_of("a&#0;b&#xD800;c&#x110000;d&#1;e&#99999999999;f"),
                      "abcdef");
}

static void broken_html_keeps_its_text(void **state) {
  (void)state;
  assert_string_equal(text_of("a < b and c<d"), "a < b and c<d");
  assert_string_equal(text_of("x <p unterminated tag"),
                      "x <p unterminated tag");
  assert_string_equal(text_of("<p>one</p><p title=\"a>b\">two"), "one\ntwo");
  assert_string_equal(text_of("<p title=\"never closed>three"), "three");
  assert_string_equal(text_of("a<!-- note -->b<!-- unterminated"), "ab");
  assert_string_equal(text_of("<script>if (a<b) x();</script>text"
                              "<style>p{}</style>"),
                      "text");
  assert_string_equal(text_of("<script>never closed"), "");
  assert_string_equal(text_of("<"), "<");
  assert_string_equal(text_of("&"), "&");
  assert_string_equal(text_of("a\x01"
                              "b\x02"
                              "c"),
                      "abc");
}

static void text_is_appended_after_what_the_buffer_held(void **state) {
  buf_t b = {0};

  (void)state;
  buf_puts(&b, "x\n");
  search_text_from_html("<p> y </p>", 10, &b);
  assert_string_equal(b.data, "x\ny");
  search_text_from_html("", 0, &b);
  assert_string_equal(b.data, "x\ny");
  buf_free(&b);
}

#define T(name) cmocka_unit_test_teardown(name, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(words_are_terms_kept_as_typed),
      T(arabic_word_matches_its_form_or_its_stem),
      T(a_conjunction_or_preposition_gives_bare_forms),
      T(a_bare_form_is_used_only_when_commoner),
      T(quoted_phrase_is_one_term_of_exact_forms),
      T(words_come_first_then_phrases_then_what_is_excluded),
      T(unbalanced_quote_closes_at_the_end),
      T(excluded_words_follow_a_binary_not),
      T(exclusions_alone_search_nothing),
      T(stop_words_are_dropped_and_alone_search_nothing),
      T(phrases_with_stop_words_go_through_their_pairs),
      T(empty_and_blank_queries_search_nothing),
      T(long_query_is_cut_at_a_character_boundary),
      T(at_most_search_terms_max_terms_are_used),
      T(control_characters_and_invalid_utf8_are_dropped),
      T(section_filter_is_taken_out_of_the_words),
      T(word_with_punctuation_is_a_phrase_of_its_parts),
      T(fts5_syntax_in_a_query_never_makes_a_bad_expression),
      T(variant_spellings_find_the_same_article),
      T(exact_form_ranks_above_a_stem_only_match),
      T(more_words_held_rank_first_then_relevance),
      T(a_readers_conjunction_or_preposition_is_taken_off),
      T(the_word_as_typed_ranks_above_its_bare_form),
      T(a_conjunction_the_reader_left_out_is_put_back),
      T(a_rare_form_never_outweighs_the_exact_one),
      T(highlights_cover_the_original_text_with_its_marks),
      T(highlights_keep_their_place_after_words_that_split),
      T(snippet_is_the_passage_with_the_most_query_words),
      T(invalid_utf8_document_is_still_indexed),
      T(tokenizer_with_options_is_refused),
      T(cached_stems_index_the_terms_of_stemming_every_word),
      T(repeated_words_match_their_stems_in_every_document),
      T(without_memory_for_the_cache_every_word_is_stemmed),
      T(tags_go_and_blocks_end_lines),
      T(entities_are_decoded),
      T(broken_html_keeps_its_text),
      T(text_is_appended_after_what_the_buffer_held),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
