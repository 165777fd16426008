/* store/sqlite/fts5.c: the "naba" FTS5 tokenizer and the naba_rank(),
 * naba_slots() and naba_snippet() functions, what SQLite needs of search/
 * to index, rank and show articles.
 *
 * Documents (FTS5_TOKENIZE_DOCUMENT) give, per word, its normalized form and
 * at the same position its stem term, "~" + its stem (search_stem_term()
 * says when there is none). Queries (FTS5_TOKENIZE_QUERY) give
 * normalized forms only: search_parse() writes the stem alternatives itself
 * as quoted "~stem" terms, which pass through unchanged, so a query word is
 * ("form" OR "~stem" OR ...) and an exact form matches both. Expanding stems
 * here instead would make every quoted form match its stem too, and exact
 * matches would no longer rank first nor phrases stay exact. Where a word
 * or the word before it is a stop word, documents also give the pair as
 * one term, "~before word", at the word's position (search/stop.c says
 * why). Auxiliary functions (FTS5_TOKENIZE_AUX: highlight, snippets) only
 * need positions and offsets, which colocated tokens do not change, so they
 * skip stems and pairs, and plain words are not normalized
 * (search_word_spans()).
 *
 * The words, stems, stop words and the weight formula are search/'s; this
 * file only feeds them to FTS5. */
#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "search/search.h"
#include "store/sqlite/engine.h"
#include "store/sqlite/fts5.h"

/* ---- the stem cache ----
 *
 * Stemming (libstemmer and ar_stem's rules) and the stop-word check cost
 * about 400 ns a word: 2.3 s of a 10,000-post import of 5.77 M words.
 * Words follow Zipf's law, so a tokenizer instance remembers the stem term
 * and stop flag of the words it saw and stems each word once. Documents
 * only: there ar_stem has no known(), so both are functions of the word.
 * Open addressing; when full, the cache is emptied and fills again. */

#define STEM_CACHE_SLOTS (SEARCH_STEM_CACHE_WORDS / 3 * 4) /* power of 2 */
#define STEM_CACHE_WORD_MAX 64 /* longer words are stemmed every time */

struct stem_slot {
  uint32_t hash;
  uint32_t off;  /* of the word in bytes[], its stem term right after it */
  uint8_t nword; /* 0: an empty slot */
  uint8_t nterm; /* 0: the word has no stem term */
  uint8_t stop;
};

struct stem_cache {
  size_t nwords, used; /* slots taken, bytes[] used */
  struct stem_slot slot[STEM_CACHE_SLOTS];
  char bytes[SEARCH_STEM_CACHE_BYTES];
};

static_assert((STEM_CACHE_SLOTS & (STEM_CACHE_SLOTS - 1)) == 0,
              "STEM_CACHE_SLOTS is a power of two");
static_assert(SEARCH_STEM_CACHE_WORDS < STEM_CACHE_SLOTS,
              "an empty slot always ends a probe");

static void stem_cache_clear(struct stem_cache *c) {
  memset(c->slot, 0, sizeof c->slot);
  c->nwords = c->used = 0;
}

/* FNV-1a, its high bits folded into the low ones used for the slot. */
static uint32_t stem_hash(const char *w, size_t n) {
  uint32_t h = 2166136261u;

  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)w[i]) * 16777619u;
  return h ^ (h >> 16);
}

/* The slot of w[0..n), or the empty slot where it would go. */
static struct stem_slot *stem_cache_find(struct stem_cache *c, uint32_t h,
                                         const char *w, size_t n) {
  uint32_t i = h & (STEM_CACHE_SLOTS - 1);
  struct stem_slot *s;

  for (s = &c->slot[i]; s->nword; s = &c->slot[i]) {
    if (s->hash == h && s->nword == n && memcmp(c->bytes + s->off, w, n) == 0)
      break;
    i = (i + 1) & (STEM_CACHE_SLOTS - 1);
  }
  return s;
}

/* Remembers w[0..n), its stem term[0..nterm) and stop flag in the empty
 * slot s that stem_cache_find() gave for hash h. */
static void stem_cache_put(struct stem_cache *c, struct stem_slot *s,
                           uint32_t h, const char *w, size_t n,
                           const char *term, size_t nterm, int stop) {
  assert(n > 0 && n <= STEM_CACHE_WORD_MAX && s->nword == 0);
  if (nterm > UINT8_MAX)
    return;
  if (c->nwords == SEARCH_STEM_CACHE_WORDS ||
      sizeof c->bytes - c->used < n + nterm) {
    stem_cache_clear(c);
    s = &c->slot[h & (STEM_CACHE_SLOTS - 1)];
  }
  memcpy(c->bytes + c->used, w, n);
  if (nterm)
    memcpy(c->bytes + c->used + n, term, nterm);
  *s = (struct stem_slot){h, (uint32_t)c->used, (uint8_t)n, (uint8_t)nterm,
                          (uint8_t)(stop != 0)};
  c->used += n + nterm;
  c->nwords++;
}

/* ---- the FTS5 tokenizer ---- */

/* One per FTS5 table and connection, so only the connection's thread
 * uses it (asserted in debug builds: the cache has no lock); made by
 * tok_create(), freed with its cache by tok_delete(). */
struct naba_tokenizer {
  struct stem_cache *cache; /* made at the first document; NULL until then
                               or when it could not be allocated */
  pthread_t owner;          /* the thread that made it */
};

struct tokenize {
  void *fts_ctx;
  int (*token)(void *, int, const char *, int, int, int);
  int stems;  /* also give "~stem" and stop-word bigrams (documents) */
  int sqlerr; /* the SQLite code that stopped the tokenizing */
  struct stem_cache *cache; /* or NULL: stem every word */
  buf_t stem;
  buf_t prev; /* the word before, for bigrams */
  int prev_stop, have_prev;
};

/* NB_* errors become SQLite codes; SQLite codes from xToken pass through. */
static int to_sqlite(int rc) {
  if (rc > 0)
    return rc;
  if (rc == NB_OK)
    return SQLITE_OK;
  return rc == NB_ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

static int colocated(struct tokenize *t, const char *term, size_t nterm,
                     size_t start, size_t end) {
  if (nterm > INT_MAX)
    return SQLITE_TOOBIG;
  return t->token(t->fts_ctx, FTS5_TOKEN_COLOCATED, term, (int)nterm,
                  (int)start, (int)end);
}

/* Sets *term to the stem term of the normalized word w[0..n) (*nterm 0
 * when it has none) and *stop to whether it is a stop word: what
 * search_stem_term() and search_is_stop_word() give, from the cache when
 * it has the word. *term stays valid until the next word. */
static int stem_of(struct tokenize *t, const char *w, size_t n,
                   const char **term, size_t *nterm, int *stop) {
  struct stem_slot *s = NULL;
  uint32_t h = 0;
  int src;

  if (t->cache && n <= STEM_CACHE_WORD_MAX) {
    h = stem_hash(w, n);
    s = stem_cache_find(t->cache, h, w, n);
    if (s->nword) {
      *term = t->cache->bytes + s->off + n;
      *nterm = s->nterm;
      *stop = s->stop;
      return SQLITE_OK;
    }
  }
  buf_reset(&t->stem);
  src = to_sqlite(search_stem_term(w, n, &t->stem));
  if (src != SQLITE_OK)
    return src;
  *term = t->stem.data;
  *nterm = t->stem.len;
  *stop = search_is_stop_word(w, n);
  if (s)
    stem_cache_put(t->cache, s, h, w, n, *term, *nterm, *stop);
  return SQLITE_OK;
}

static int emit(void *ctx, const char *w, size_t n, size_t start, size_t end) {
  struct tokenize *t = ctx;
  const char *term = NULL;
  size_t nterm = 0;
  int src, stop = 0;

  /* Every length is below FTS5's nText, an int. */
  assert(n <= INT_MAX && end <= INT_MAX);
  src = t->token(t->fts_ctx, 0, w, (int)n, (int)start, (int)end);
  if (src != SQLITE_OK || !t->stems)
    return src; /* positive: stops search_words() and is returned */
  src = stem_of(t, w, n, &term, &nterm, &stop);
  if (src == SQLITE_OK && nterm)
    src = colocated(t, term, nterm, start, end);
  /* "~before w" at w's position when either is a stop word. */
  if (src == SQLITE_OK && t->have_prev && (stop || t->prev_stop)) {
    buf_reset(&t->stem);
    src = to_sqlite(
        search_bigram_term(t->prev.data, t->prev.len, w, n, &t->stem));
    if (src == SQLITE_OK)
      src = colocated(t, t->stem.data, t->stem.len, start, end);
  }
  buf_reset(&t->prev);
  buf_append(&t->prev, w, n);
  t->prev_stop = stop;
  t->have_prev = 1;
  if (src == SQLITE_OK && t->prev.oom)
    src = SQLITE_NOMEM;
  return src;
}

static int tok_create(void *unused, const char **argv, int argc,
                      Fts5Tokenizer **out) {
  struct naba_tokenizer *tok;

  (void)unused;
  (void)argv;
  *out = NULL;
  if (argc != 0)
    return SQLITE_ERROR; /* "naba" takes no options */
  tok = sqlite3_malloc(sizeof *tok);
  if (!tok)
    return SQLITE_NOMEM;
  tok->cache = NULL;
  tok->owner = pthread_self();
  *out = (Fts5Tokenizer *)tok;
  return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p) {
  struct naba_tokenizer *tok = (struct naba_tokenizer *)p;

  if (tok)
    sqlite3_free(tok->cache);
  sqlite3_free(tok);
}

/* The cache of tok, made now if it is not yet; NULL when there is no
 * memory for it, and the next document tries again. Connections that only
 * search never make one. */
static struct stem_cache *stem_cache_of(struct naba_tokenizer *tok) {
  if (!tok->cache) {
    tok->cache = sqlite3_malloc64(sizeof *tok->cache);
    if (tok->cache)
      stem_cache_clear(tok->cache);
  }
  return tok->cache;
}

static int tok_tokenize(Fts5Tokenizer *p, void *fts_ctx, int flags,
                        const char *text, int ntext,
                        int (*token)(void *, int, const char *, int, int,
                                     int)) {
  struct naba_tokenizer *tok = (struct naba_tokenizer *)p;
  struct tokenize t = {fts_ctx, token, 0, SQLITE_OK, NULL, {0}, {0}, 0, 0};
  int query = (flags & FTS5_TOKENIZE_QUERY) != 0, src;

  assert(pthread_equal(tok->owner, pthread_self()));
  if (ntext <= 0 || !text)
    return SQLITE_OK;
  /* search_parse()'s "~stem" terms name an index term exactly. */
  if (query && text[0] == '~')
    return token(fts_ctx, 0, text, ntext, 0, ntext);
  t.stems = !query && (flags & FTS5_TOKENIZE_AUX) == 0;
  if (t.stems)
    t.cache = stem_cache_of(tok);
  /* Highlights and snippets need positions and offsets only. */
  if (flags & FTS5_TOKENIZE_AUX)
    src = to_sqlite(search_word_spans(text, (size_t)ntext, emit, &t));
  else
    src = to_sqlite(search_words(text, (size_t)ntext, emit, &t));
  buf_free(&t.stem);
  buf_free(&t.prev);
  return src;
}

static fts5_tokenizer naba_tokenizer = {tok_create, tok_delete, tok_tokenize};

/* ---- ranking ---- */

/* What naba_rank() and naba_slots() work out once per query: the average
 * document length and, per phrase of the MATCH expression, the term it
 * counts for (slot) and its weight; then per row each slot's best. */
struct rank {
  double avgdl[2]; /* title, body */
  int nphrase;     /* phrases with a weight; others count nothing */
  int *slot;       /* -1: the phrase weighs nothing */
  double *weight;
  double best[SEARCH_TERMS_MAX];
};

static struct rank *rank_setup(const Fts5ExtensionApi *api, Fts5Context *fts,
                               sqlite3_value *blob, int *src) {
  struct rank *r = api->xGetAuxdata(fts, 0);
  sqlite3_int64 rows = 0, tokens = 0;
  int n, bytes = sqlite3_value_bytes(blob);
  const unsigned char *p = sqlite3_value_blob(blob);

  if (r)
    return r;
  n = bytes / (int)(2 * sizeof(double));
  if (n > api->xPhraseCount(fts))
    n = api->xPhraseCount(fts);
  r = sqlite3_malloc64(sizeof *r +
                       (size_t)(n ? n : 1) * (sizeof(double) + sizeof(int)));
  if (!r) {
    *src = SQLITE_NOMEM;
    return NULL;
  }
  r->weight = (double *)(r + 1);
  r->slot = (int *)(r->weight + (n ? n : 1));
  r->nphrase = n;
  for (int i = 0; i < n; i++) {
    double slot, weight; /* the blob may not be aligned for doubles */
    memcpy(&slot, p + (size_t)i * 2 * sizeof(double), sizeof slot);
    memcpy(&weight, p + ((size_t)i * 2 + 1) * sizeof(double), sizeof weight);
    r->slot[i] = slot >= 0 && slot < SEARCH_TERMS_MAX ? (int)slot : -1;
    r->weight[i] = weight > 0 ? weight : 0;
    if (r->weight[i] == 0)
      r->slot[i] = -1;
  }
  *src = api->xRowCount(fts, &rows);
  for (int col = 0; col < 2; col++) {
    tokens = 0;
    if (*src == SQLITE_OK)
      *src = api->xColumnTotalSize(fts, col, &tokens);
    r->avgdl[col] =
        rows > 0 && tokens > 0 ? (double)tokens / (double)rows : 1.0;
  }
  if (*src == SQLITE_OK)
    *src = api->xSetAuxdata(fts, r, sqlite3_free); /* frees r on failure */
  else
    sqlite3_free(r);
  return *src == SQLITE_OK ? r : NULL;
}

/* Sets r->best[slot] for the row: the best BM25 part of the slot's
 * phrases found in it, 0 for a slot none of them is in. A phrase's part
 * is its weight times
 *   SEARCH_TITLE_WEIGHT * sat(title) + sat(body),
 *   sat = tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))
 * with k1 = 1.2, b = 0.75, tf its hits in the column, len the column's
 * words in the row and avglen their average in the index: each column
 * saturates and is normalized by its own length, as Lucene scores fields,
 * so a short title holding the words counts most. The best, not the sum:
 * a word found as typed and by its stem counts once, at the exact form's
 * weight. */
static int row_slots(const Fts5ExtensionApi *api, Fts5Context *fts,
                     sqlite3_value *blob, struct rank **out) {
  static const double k1 = 1.2, b = 0.75;
  int src = SQLITE_OK, len[2] = {0, 0};
  struct rank *r = rank_setup(api, fts, blob, &src);

  *out = r;
  if (!r)
    return src;
  memset(r->best, 0, sizeof r->best);
  for (int col = 0; src == SQLITE_OK && col < 2; col++)
    src = api->xColumnSize(fts, col, &len[col]);
  double norm[2];
  for (int col = 0; col < 2; col++)
    norm[col] = k1 * (1 - b + b * (double)len[col] / r->avgdl[col]);
  for (int i = 0; src == SQLITE_OK && i < r->nphrase; i++) {
    Fts5PhraseIter it;
    int col, off;
    double tf[2] = {0, 0};
    if (r->slot[i] < 0)
      continue;
    src = api->xPhraseFirst(fts, i, &it, &col, &off);
    for (; src == SQLITE_OK && col >= 0; api->xPhraseNext(fts, &it, &col, &off))
      tf[col == 0 ? 0 : 1] += 1;
    double part = 0;
    for (int c = 0; c < 2; c++)
      if (tf[c] > 0)
        part += (c == 0 ? SEARCH_TITLE_WEIGHT : 1.0) * tf[c] * (k1 + 1) /
                (tf[c] + norm[c]);
    part *= r->weight[i];
    if (part > r->best[r->slot[i]])
      r->best[r->slot[i]] = part;
  }
  return src;
}

/* row_slots() for the SQL function name called with (articles_fts,
 * weights); NULL when it failed, the error set on ctx. */
static struct rank *rank_row(const Fts5ExtensionApi *api, Fts5Context *fts,
                             sqlite3_context *ctx, int nval,
                             sqlite3_value **val, const char *name) {
  struct rank *r = NULL;
  int src;

  if (nval != 1) {
    char *msg = sqlite3_mprintf("%s() takes one argument", name);
    sqlite3_result_error(ctx, msg ? msg : "one argument", -1);
    sqlite3_free(msg);
    return NULL;
  }
  src = row_slots(api, fts, val[0], &r);
  if (src != SQLITE_OK) {
    sqlite3_result_error_code(ctx, src);
    return NULL;
  }
  return r;
}

/* naba_rank(articles_fts, weights): how many query terms the row holds
 * times SEARCH_COORD_STEP, plus their BM25 parts (row_slots()). weights is
 * search_expr()'s blob: per phrase of the MATCH expression, in FTS5's
 * order, the term it counts for and its weight (search_guard()); phrases
 * past its end weigh nothing. FTS5's own bm25() counts each phrase's
 * documents over the whole index on every query (a full read of its
 * doclist: 60 ms for a common phrase at 100,000 articles); here the
 * caller supplies the weights. */
static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts,
                    sqlite3_context *ctx, int nval, sqlite3_value **val) {
  struct rank *r = rank_row(api, fts, ctx, nval, val, "naba_rank");
  double score = 0;

  if (!r)
    return;
  for (int i = 0; i < SEARCH_TERMS_MAX; i++)
    if (r->best[i] > 0)
      score += SEARCH_COORD_STEP + r->best[i];
  sqlite3_result_double(ctx, score);
}

/* naba_slots(articles_fts, weights): the terms the row holds, bit i for
 * term i, with the same weights as naba_rank(). */
static void slots_fn(const Fts5ExtensionApi *api, Fts5Context *fts,
                     sqlite3_context *ctx, int nval, sqlite3_value **val) {
  struct rank *r = rank_row(api, fts, ctx, nval, val, "naba_slots");
  sqlite3_int64 mask = 0;

  if (!r)
    return;
  for (int i = 0; i < SEARCH_TERMS_MAX; i++)
    if (r->best[i] > 0)
      mask |= (sqlite3_int64)1 << i;
  sqlite3_result_int64(ctx, mask);
}

/* ---- snippets ---- */

/* A place of the column a phrase of the query is at. */
struct hit {
  int pos, phrase;
};

/* What naba_snippet() collects while the tokenizer walks the column: the
 * tokens of the passage [first, last), hits marked, written to out. */
struct snip {
  int pos;               /* tokens seen */
  int first, last;       /* the passage, in token positions */
  const struct hit *hit; /* sorted by position */
  int nhit, next;        /* how many, the next one not passed */
  const char *text;      /* the column */
  int at;                /* bytes of text written to out */
  buf_t *out;
};

#define SNIP_DONE 999 /* not an SQLite code: stops the tokenizer */

static int snip_token(void *ctx, int flags, const char *token, int ntoken,
                      int start, int end) {
  struct snip *sn = ctx;
  int pos = sn->pos;

  (void)token;
  (void)ntoken;
  if (flags & FTS5_TOKEN_COLOCATED)
    return SQLITE_OK;
  sn->pos++;
  if (pos < sn->first)
    return SQLITE_OK;
  if (pos >= sn->last)
    return SNIP_DONE;
  if (pos == sn->first && pos > 0)
    sn->at = start; /* from the passage's first word; at 0, the whole start */
  while (sn->next < sn->nhit && sn->hit[sn->next].pos < pos)
    sn->next++;
  if (sn->next < sn->nhit && sn->hit[sn->next].pos == pos) {
    buf_append(sn->out, sn->text + sn->at, (size_t)(start - sn->at));
    buf_putc(sn->out, '\x01');
    buf_append(sn->out, sn->text + start, (size_t)(end - start));
    buf_putc(sn->out, '\x02');
  } else {
    buf_append(sn->out, sn->text + sn->at, (size_t)(end - sn->at));
  }
  sn->at = end;
  return sn->out->oom ? SQLITE_NOMEM : SQLITE_OK;
}

static int by_pos(const void *a, const void *b) {
  const struct hit *x = a, *y = b;
  return (x->pos > y->pos) - (x->pos < y->pos);
}

/* The first token of the passage of n tokens holding the most distinct
 * phrases, then the most hits, among those starting a little before a hit
 * (some words to read first). seen[] has room for every phrase. */
static int best_window(const struct hit *hit, int nhit, int nphrase, int n,
                       int *seen) {
  int best = 0, best_score = -1, distinct = 0;

  memset(seen, 0, (size_t)nphrase * sizeof *seen);
  for (int i = 0, j = 0; i < nhit; i++) {
    for (; j < nhit && hit[j].pos < hit[i].pos + n; j++)
      distinct += seen[hit[j].phrase]++ == 0;
    int score = distinct * 1000 + (j - i);
    if (score > best_score) {
      best_score = score;
      best = hit[i].pos;
    }
    distinct -= --seen[hit[i].phrase] == 0;
  }
  return best > 3 ? best - 3 : 0;
}

/* The hits of the row in column col, sorted: *out (sqlite3_free it). */
static int col_hits(const Fts5ExtensionApi *api, Fts5Context *fts, int col,
                    struct hit **out, int *n) {
  int ninst = 0, nphrase = api->xPhraseCount(fts);
  int src = api->xInstCount(fts, &ninst);

  *out = NULL;
  *n = 0;
  if (src != SQLITE_OK || ninst == 0)
    return src;
  if (!(*out = sqlite3_malloc64((size_t)ninst * sizeof **out)))
    return SQLITE_NOMEM;
  for (int i = 0; src == SQLITE_OK && i < ninst; i++) {
    int ip, ic, io;
    src = api->xInst(fts, i, &ip, &ic, &io);
    if (src == SQLITE_OK && ic == col && ip >= 0 && ip < nphrase)
      (*out)[(*n)++] = (struct hit){io, ip};
  }
  qsort(*out, (size_t)*n, sizeof **out, by_pos);
  return src;
}

/* naba_snippet(articles_fts, column, tokens): a passage of the column of
 * that many words where the query is most (the most distinct phrases,
 * then the most hits), hits between \x01 and \x02, "…" where the text is
 * cut. As FTS5's snippet(), but tokenizing the column once and only up
 * to the passage's end: snippet() tokenizes it whole twice, which was
 * half of a search's time at 100,000 articles. */
static void snippet_fn(const Fts5ExtensionApi *api, Fts5Context *fts,
                       sqlite3_context *ctx, int nval, sqlite3_value **val) {
  const char *text = NULL;
  int ntext = 0, nhit = 0, src, nphrase = api->xPhraseCount(fts);
  struct hit *hit = NULL;
  int *seen = NULL;
  buf_t out = {0};

  if (nval != 2) {
    sqlite3_result_error(ctx, "naba_snippet() takes two arguments", -1);
    return;
  }
  int col = sqlite3_value_int(val[0]), n = sqlite3_value_int(val[1]);
  struct snip sn = {0, 0, n > 0 ? n : 1, NULL, 0, 0, NULL, 0, &out};
  src = api->xColumnText(fts, col, &text, &ntext);
  if (src == SQLITE_OK)
    src = col_hits(api, fts, col, &hit, &nhit);
  if (src == SQLITE_OK && nhit > 0) {
    int size = 0; /* the column's words: the passage stays full to its end */
    if (!(seen = sqlite3_malloc64((size_t)nphrase * sizeof *seen)))
      src = SQLITE_NOMEM;
    else
      src = api->xColumnSize(fts, col, &size);
    if (src == SQLITE_OK)
      sn.first = best_window(hit, nhit, nphrase, sn.last, seen);
    if (sn.first > size - sn.last)
      sn.first = size > sn.last ? size - sn.last : 0;
    sn.last += sn.first;
  }
  sn.hit = hit;
  sn.nhit = nhit;
  sn.text = text;
  if (src == SQLITE_OK && text && ntext > 0) {
    if (sn.first > 0)
      buf_puts(&out, "…");
    src = api->xTokenize(fts, text, ntext, &sn, snip_token);
    if (src == SNIP_DONE) {
      buf_puts(&out, "…"); /* words follow the passage */
      src = SQLITE_OK;
    } else if (src == SQLITE_OK && sn.pos > sn.first) {
      buf_append(&out, text + sn.at, (size_t)(ntext - sn.at)); /* the end */
    }
    if (src == SQLITE_OK && out.oom)
      src = SQLITE_NOMEM;
  }
  sqlite3_free(hit);
  sqlite3_free(seen);
  if (src != SQLITE_OK)
    sqlite3_result_error_code(ctx, src);
  else
    sqlite3_result_text(ctx, out.data ? out.data : "", (int)out.len,
                        SQLITE_TRANSIENT);
  buf_free(&out);
}

int store_fts5_register(sqlite3 *db) {
  fts5_api *api = NULL;
  sqlite3_stmt *st = NULL;
  int src;

  assert(db);
  /* The documented way to reach the FTS5 API of a connection. */
  src = sq_prepare(NULL, db, "SELECT fts5(?1)", -1, 0, &st, NULL);
  if (src == SQLITE_OK)
    src = sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
  if (src == SQLITE_OK) {
    src = sq_step(NULL, st);
    if (src == SQLITE_ROW)
      src = SQLITE_OK;
  }
  sqlite3_finalize(st);
  if (src == SQLITE_OK && (!api || api->iVersion < 2))
    src = SQLITE_ERROR; /* SQLite built without FTS5 */
  if (src == SQLITE_OK)
    src = api->xCreateTokenizer(api, "naba", NULL, &naba_tokenizer, NULL);
  if (src == SQLITE_OK)
    src = api->xCreateFunction(api, "naba_rank", NULL, rank_fn, NULL);
  if (src == SQLITE_OK)
    src = api->xCreateFunction(api, "naba_slots", NULL, slots_fn, NULL);
  if (src == SQLITE_OK)
    src = api->xCreateFunction(api, "naba_snippet", NULL, snippet_fn, NULL);
  if (src == SQLITE_OK)
    return NB_OK;
  return (src & 0xff) == SQLITE_NOMEM ? NB_ENOMEM : NB_EIO;
}
