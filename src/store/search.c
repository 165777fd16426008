/* store/search.c: the store's side of search: the index (articles_fts, an
 * FTS5 table with the "naba" tokenizer of sqlite/fts5.c), written with
 * every article save, and the queries that search, rank and tidy it.
 *
 * articles_fts holds every article (drafts too: searches filter), its
 * title and the plain text of its body, under the article's id. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search.h"
#include "store/internal.h"

/* The index is created by migration 003_search.sql and recreated by
 * store_index_rebuild() with this same statement. */
#define FTS_CREATE                                                             \
  "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body,"                  \
  " tokenize = 'naba')"

/* ---- the index ---- */

int store_index_put(store *s, int64_t id, const char *title,
                    const char *body_html) {
  buf_t t = {0}, body = {0};
  store_q q;
  int rc;

  /* Control characters are no title text, and \x01 \x02 mark highlights. */
  for (const char *p = title; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '\t' || c == '\n' || c == '\r')
      buf_putc(&t, ' ');
    else if (c >= 0x20 && c != 0x7F)
      buf_putc(&t, (char)c);
  }
  search_text_from_html(body_html, strlen(body_html), &body);
  q_open(&q, s,
         "INSERT OR REPLACE INTO articles_fts (rowid, title, body)"
         " VALUES (?1, ?2, ?3)");
  if (t.oom || body.oom)
    q_err(&q, NB_ENOMEM, "out of memory");
  q_i64(&q, 1, id);
  q_textn(&q, 2, t.data, t.len);
  q_textn(&q, 3, body.data, body.len);
  q_step(&q);
  rc = q_done(&q);
  buf_free(&t);
  buf_free(&body);
  return rc;
}

/* Recreates the index from the articles table; the caller holds a
 * transaction. *indexed (may be NULL) gets the number of articles.
 * Dropping (rather than deleting rows) also repairs an index that was
 * damaged or dropped by hand. */
static int store_index_rebuild(store *s, int64_t *indexed) {
  int64_t n = 0;
  store_q q;
  int rc;

  rc = store_exec(s, "DROP TABLE IF EXISTS articles_fts");
  if (rc == NB_OK)
    rc = store_exec(s, FTS_CREATE);
  if (rc != NB_OK)
    return rc;
  q_open(&q, s, "SELECT id, title, body_html FROM articles ORDER BY id");
  while (q_step(&q)) {
    const char *title = q_col_text(&q, 1, NULL);
    const char *body = q_col_text(&q, 2, NULL);
    if (title && body)
      q_fail(&q, store_index_put(s, q_col_i64(&q, 0), title, body));
    else
      q_err(&q, NB_ENOMEM, "out of memory");
    n++;
  }
  rc = q_done(&q);
  /* One segment: every search seeks each word once (see
   * store_search_merge()). */
  if (rc == NB_OK)
    rc = store_exec(
        s, "INSERT INTO articles_fts (articles_fts) VALUES ('optimize')");
  if (rc == NB_OK && indexed)
    *indexed = n;
  return rc;
}

/* One integer from a query prepared for this call; schema queries are
 * not cached, as the index they look at may be dropped and recreated. */
static int once_i64(store *s, const char *sql, int64_t *v) {
  store_q q;

  q_open_flags(&q, s, sql, Q_ONCE);
  if (q_step(&q))
    *v = q_col_i64(&q, 0);
  else
    q_err(&q, NB_EIO, "query returned no row");
  return q_done(&q);
}

/* 1 when articles are missing from the index (it was just created by
 * migration 003, or lost): counted on the index's docsize table, one small
 * row per document, so the check costs little at every open. */
static int index_incomplete(store *s, int *incomplete) {
  int64_t v = 0;
  int rc = once_i64(s,
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                    " AND name = 'articles_fts_docsize'",
                    &v);

  *incomplete = 1;
  if (rc == NB_OK && v == 1)
    rc = once_i64(s,
                  "SELECT (SELECT count(*) FROM articles) >"
                  " (SELECT count(*) FROM articles_fts_docsize)",
                  &v);
  if (rc == NB_OK)
    *incomplete = v != 0;
  return rc;
}

/* Checked again inside the write transaction: connections opened together
 * fill it once. */
int store_index_fill(store *s) {
  int incomplete = 0, rc = index_incomplete(s, &incomplete);

  if (rc == NB_OK && incomplete) {
    rc = store_w_begin(s);
    if (rc == NB_OK) {
      rc = index_incomplete(s, &incomplete);
      if (rc == NB_OK && incomplete)
        rc = store_index_rebuild(s, NULL);
      rc = store_w_end(s, rc);
    }
  }
  return rc;
}

int store_reindex(store *s, int64_t *indexed) {
  int64_t count = 0;
  int rc = store_w_begin(s);

  if (rc == NB_OK)
    rc = store_w_end(s, store_index_rebuild(s, &count));
  if (indexed)
    *indexed = rc == NB_OK ? count : 0;
  return rc;
}

/* ---- searching ---- */

/* The text of a highlight() or snippet() as HTML: escaped first, then its
 * \x01 \x02 marks made <mark> and </mark>, always balanced, so no text can
 * open or close an element. NULL when out of memory. */
static const char *marked_html(arena_t *a, const char *s, size_t n) {
  buf_t b = {0};
  size_t i = 0, j;
  int open = 0;
  const char *out;

  while (i < n) {
    for (j = i; j < n && s[j] != '\x01' && s[j] != '\x02'; j++)
      ;
    buf_html_escape(&b, s + i, j - i);
    if (j < n && s[j] == '\x01' && !open) {
      buf_puts(&b, "<mark>");
      open = 1;
    } else if (j < n && s[j] == '\x02' && open) {
      buf_puts(&b, "</mark>");
      open = 0;
    }
    i = j < n ? j + 1 : n;
  }
  if (open)
    buf_puts(&b, "</mark>");
  out = b.oom ? NULL : arena_strndup(a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return out;
}

/* Column i of the hit's row as marked HTML; "" when the query failed. */
static const char *col_marked(store_q *q, arena_t *a, int i) {
  size_t n = 0;
  const char *p = q_col_text(q, i, &n), *html;

  if (q->rc != NB_OK)
    return "";
  html = marked_html(a, p ? p : "", n);
  if (!html)
    q_err(q, NB_ENOMEM, "out of memory");
  return html ? html : "";
}

/* One number from a query of one row; ends the query. */
static int number_of(store_q *q, int64_t *out) {
  *out = 0;
  if (q_step(q))
    *out = q_col_i64(q, 0);
  else
    q_err(q, NB_EIO, "search: a count returned no row");
  return q_done(q);
}

/* The weight of each alternative of q (search_guard()), from how many of
 * the newest SEARCH_SAMPLE articles hold it: a count there reads at most
 * that many entries of a doclist, where FTS5's bm25() reads all of it on
 * every query. The weights are those of the words in what the newsroom
 * writes now. *wdf gets, per word, the sample's articles holding one of
 * its alternatives used (at most): how long its doclist is. */
static int search_weights(store *s, arena_t *a, const search_query *q,
                          double **weight, double *wdf) {
  int64_t floor = 0, size = 0, df = 0;
  double *dfs;
  store_q c;
  int rc;

  *weight = arena_alloc(a, q->nalts * sizeof **weight);
  dfs = arena_alloc(a, q->nalts * sizeof *dfs);
  if (!*weight || !dfs)
    return NB_ENOMEM;
  /* The newest ?1 articles, by id, where phrases' weights are measured. */
  q_open(&c, s, "SELECT coalesce(max(id), 0) - ?1 FROM articles");
  q_i64(&c, 1, SEARCH_SAMPLE);
  rc = number_of(&c, &floor);
  if (rc != NB_OK)
    return rc;
  q_open(&c, s, "SELECT count(*) FROM articles WHERE id > ?1");
  q_i64(&c, 1, floor);
  rc = number_of(&c, &size);
  size_t k = 0;
  for (size_t i = 0; rc == NB_OK && i < q->nterms; i++)
    for (size_t j = 0; rc == NB_OK && j < q->terms[i].nalts; j++, k++) {
      q_open_flags(&c, s,
                   "SELECT count(*) FROM articles_fts WHERE articles_fts"
                   " MATCH ?1 AND rowid > ?2",
                   Q_INPUT);
      q_text(&c, 1, q->terms[i].alts[j].phrase);
      q_i64(&c, 2, floor);
      rc = number_of(&c, &df);
      dfs[k] = (double)df;
    }
  if (rc != NB_OK)
    return rc;
  search_guard(q, dfs, (double)size, *weight);
  k = 0;
  for (size_t i = 0; i < q->nterms; i++) {
    wdf[i] = 0;
    for (size_t j = 0; j < q->terms[i].nalts; j++, k++)
      if ((*weight)[k] > 0)
        wdf[i] += dfs[k];
  }
  return NB_OK;
}

typedef struct {
  int64_t id, at;
  double score;
} candidate;

/* Relevance rounded to two decimals, then newest first. */
static int candidate_cmp(const void *x, const void *y) {
  const candidate *a = x, *b = y;
  long long ra = llround(a->score * 100), rb = llround(b->score * 100);

  if (ra != rb)
    return ra < rb ? 1 : -1;
  if (a->at != b->at)
    return a->at < b->at ? 1 : -1;
  return (a->id < b->id) - (a->id > b->id);
}

static int by_id(const void *x, const void *y) {
  const candidate *a = x, *b = y;
  return (a->id > b->id) - (a->id < b->id);
}

/* What the walks of one search found, and the expression the page's hits
 * are read with: any word (and every phrase), which every article found
 * matches, with no driver terms to slow highlight() and snippet(). */
typedef struct {
  candidate *v;
  size_t n, cap;
  buf_t match, weights;
} walked;

/* One walk: the index drives the join (CROSS JOIN keeps it the outer
 * loop, where MATCH and naba_rank() work) newest id first, so FTS5 walks
 * its doclists in order and stops after window visible matches
 * (?2); each is checked for readers' visibility through the index
 * articles_visibility, not the rows (see 003_search.sql), and ranked. ?3
 * is the MATCH expression, ?4 the section, ?5 the phrases' weights. */
#define SEARCH_WALK(filter)                                                    \
  "SELECT a.id, naba_rank(articles_fts, ?5), a.published_at"                   \
  " FROM articles_fts CROSS JOIN articles a INDEXED BY articles_visibility"    \
  " ON a.id = articles_fts.rowid WHERE articles_fts MATCH ?3 AND" PUBLISHED    \
      filter " ORDER BY articles_fts.rowid DESC LIMIT ?2"

/* Walks the expression of q for drivers (search_expr()), adding what it
 * finds to w; *found gets how many. */
static int search_walk(store *s, const search_query *q, const double *weight,
                       const size_t *drivers, size_t ndrivers,
                       int64_t section_id, size_t window, walked *w,
                       size_t *found) {
  store_q c;
  int rc;

  *found = 0;
  buf_reset(&w->match);
  buf_reset(&w->weights);
  rc = search_expr(q, weight, drivers, ndrivers, &w->match, &w->weights);
  if (rc != NB_OK)
    return store_err(s, rc, "out of memory");
  if (w->cap - w->n < window) {
    size_t cap = w->n + window;
    candidate *v = realloc(w->v, cap * sizeof *v);
    if (!v)
      return store_err(s, NB_ENOMEM, "out of memory");
    w->v = v;
    w->cap = cap;
  }
  if (section_id)
    q_open_flags(&c, s, SEARCH_WALK(" AND a.section_id = ?4"), Q_INPUT);
  else
    q_open_flags(&c, s, SEARCH_WALK(""), Q_INPUT);
  q_i64(&c, 1, nb_now());
  q_i64(&c, 2, (int64_t)window);
  q_text(&c, 3, w->match.data);
  if (section_id)
    q_i64(&c, 4, section_id);
  q_blob(&c, 5, w->weights.data, w->weights.len);
  while (*found < window && q_step(&c)) {
    candidate *v = &w->v[w->n];
    v->id = q_col_i64(&c, 0);
    v->score = q_col_double(&c, 1);
    v->at = q_col_i64(&c, 2);
    ++*found;
    /* Never an article that holds no query word (cannot happen: every
     * phrase of the expression weighs for a term). */
    w->n += v->score >= SEARCH_COORD_STEP;
  }
  return q_done(&c);
}

/* The walks of a search: every term first (SEARCH_WINDOW matches at
 * most); while they find fewer than want articles, and no walk had to stop
 * at its window, those holding one of the 2, 3, ... rarest words (wdf:
 * their doclists' lengths), down to any word, or with a phrase, none:
 * SEARCH_WINDOW / 2 each, as they only follow the articles holding every
 * word. */
static int search_walks(store *s, const search_query *q, const double *weight,
                        const double *wdf, int64_t section_id, size_t want,
                        walked *w) {
  size_t order[SEARCH_TERMS_MAX], found = 0;
  size_t window = SEARCH_WINDOW;
  int rc = search_walk(s, q, weight, NULL, 0, section_id, window, w, &found);

  for (size_t i = 0; i < q->nwords; i++) {
    size_t j = i;
    for (; j > 0 && wdf[order[j - 1]] > wdf[i]; j--)
      order[j] = order[j - 1];
    order[j] = i;
  }
  size_t d = q->nwords == 1 && q->nterms > 1 ? 1 : 2;
  for (; rc == NB_OK && d <= q->nwords && found < want && found < window; d++) {
    window = SEARCH_WINDOW / 2;
    rc = search_walk(s, q, weight, order, d, section_id, window, w, &found);
  }
  return rc;
}

/* Reads the hit of candidate c: its article, title, snippet and the terms
 * it misses. Returns 1, 0 when the row is gone, or an error. */
static int search_hit(store *s, arena_t *a, const search_query *sq,
                      const walked *w, const candidate *c, store_hit *h) {
  store_q q;

  q_open_flags(&q, s,
               "SELECT " ARTICLE_COLS ", highlight(articles_fts, 0, X'01',"
               " X'02'), naba_snippet(articles_fts, 1, 24),"
               " naba_slots(articles_fts, ?3)"
               " FROM articles_fts CROSS JOIN articles a"
               " ON a.id = articles_fts.rowid"
               " JOIN sections s ON s.id = a.section_id"
               " LEFT JOIN authors u ON u.id = a.author_id"
               " WHERE articles_fts MATCH ?1 AND articles_fts.rowid = ?2",
               Q_INPUT);
  q_text(&q, 1, w->match.data);
  q_i64(&q, 2, c->id);
  q_blob(&q, 3, w->weights.data, w->weights.len);
  int found = q_step(&q);
  if (found) {
    uint64_t all = ((uint64_t)1 << sq->nterms) - 1;
    store_read_article(&q, a, 0, &h->article);
    h->title_html = col_marked(&q, a, ARTICLE_NCOLS);
    h->snippet_html = col_marked(&q, a, ARTICLE_NCOLS + 1);
    h->missing = all & ~(uint64_t)q_col_i64(&q, ARTICLE_NCOLS + 2);
    h->score = c->score;
  }
  return q_done(&q) == NB_OK ? found : q.rc;
}

int store_search(store *s, arena_t *a, const search_query *q,
                 int64_t section_id, int64_t offset, int64_t limit,
                 store_hit **out, size_t *n, int64_t *total) {
  walked w = {0};
  size_t len = 0, uniq = 0;
  double *weight = NULL, wdf[SEARCH_TERMS_MAX];
  store_hit *items = NULL;
  int rc, own;

  *out = NULL;
  *n = 0;
  *total = 0;
  if (!q || q->nterms == 0 || q->nterms > SEARCH_TERMS_MAX)
    return store_err(s, NB_EINVAL, "no search expression");
  if (offset < 0 || limit < 0 || section_id < 0)
    return store_err(s, NB_EINVAL, "negative offset, limit or section");
  /* Enough for the page and one more, so that a page that is full says
   * whether another follows, and at least SEARCH_WANT, so that the count
   * and the pages reach past the articles holding every word. */
  uint64_t need = (uint64_t)offset + (uint64_t)limit + 1;
  size_t want = need < SEARCH_WANT         ? SEARCH_WANT
                : need < SEARCH_CANDIDATES ? (size_t)need
                                           : SEARCH_CANDIDATES;
  /* One snapshot for the counts, the walks and the page. */
  if ((rc = store_snap_begin(s, &own)) != NB_OK)
    return rc;
  rc = search_weights(s, a, q, &weight, wdf);
  if (rc == NB_OK)
    rc = search_walks(s, q, weight, wdf, section_id, want, &w);
  if (rc == NB_OK && q->nwords > 0) {
    size_t all[SEARCH_TERMS_MAX];
    for (size_t i = 0; i < q->nwords; i++)
      all[i] = i;
    buf_reset(&w.match);
    buf_reset(&w.weights);
    rc = search_expr(q, weight, all, q->nwords, &w.match, &w.weights);
    if (rc != NB_OK)
      rc = store_err(s, rc, "out of memory");
  }
  /* Walks find some articles again: keep each once. */
  if (rc == NB_OK && w.n > 1) {
    qsort(w.v, w.n, sizeof *w.v, by_id);
    for (size_t i = 0; i < w.n; i++)
      if (!uniq || w.v[uniq - 1].id != w.v[i].id)
        w.v[uniq++] = w.v[i];
    qsort(w.v, uniq, sizeof *w.v, candidate_cmp);
  } else {
    uniq = w.n;
  }
  if (uniq > SEARCH_CANDIDATES)
    uniq = SEARCH_CANDIDATES;
  size_t first = (uint64_t)offset < uniq ? (size_t)offset : uniq;
  size_t last = uniq - first < (uint64_t)limit ? uniq : first + (size_t)limit;
  if (rc == NB_OK && last > first &&
      !(items = arena_alloc(a, (last - first) * sizeof *items)))
    rc = NB_ENOMEM;
  for (size_t i = first; rc == NB_OK && i < last; i++) {
    int found = search_hit(s, a, q, &w, &w.v[i], &items[len]);
    rc = found < 0 ? found : NB_OK;
    len += found > 0;
  }
  rc = store_snap_end(s, own, rc);
  free(w.v);
  buf_free(&w.match);
  buf_free(&w.weights);
  if (rc != NB_OK)
    return rc;
  *out = items;
  *n = len;
  *total = (int64_t)uniq;
  return NB_OK;
}

int store_search_layout(store *s, int64_t *segments, int64_t *largest,
                        int64_t *pages) {
  store_q q;

  *segments = *largest = *pages = 0;
  /* FTS5's b-tree index of its leaves: a row per leaf page of each
   * segment. */
  q_open(&q, s, "SELECT count(*) FROM articles_fts_idx GROUP BY segid");
  while (q_step(&q)) {
    int64_t n = q_col_i64(&q, 0);
    ++*segments;
    *pages += n;
    if (n > *largest)
      *largest = n;
  }
  return q_done(&q);
}

int store_search_untidy(store *s, int *untidy) {
  int64_t segments, largest, pages;
  int rc = store_search_layout(s, &segments, &largest, &pages);

  *untidy = rc == NB_OK && segments > 1 &&
            (pages - largest) * SEARCH_MERGE_SHARE >= pages;
  return rc;
}

int store_search_merge(store *s, int64_t pages, int *more) {
  char sql[96];
  int64_t before;
  int rc;

  *more = 0;
  if (pages < 1)
    return store_err(s, NB_EINVAL, "merge needs a positive page count");
  snprintf(sql, sizeof sql,
           "INSERT INTO articles_fts (articles_fts, rank) VALUES ('merge', "
           "%lld)",
           -(long long)pages);
  rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  before = store_total_changes(s);
  rc = store_exec(s, sql);
  /* The command counts as one change itself; pages written add more. */
  if (rc == NB_OK)
    *more = store_total_changes(s) - before > 1;
  return store_w_end(s, rc);
}
