/* search_bench: how fast naba indexes and searches a large Arabic corpus.
 *
 * Generates N articles deterministically from a real Arabic word list (the
 * hunspell-ar dictionary), saves them through the store (which indexes on
 * save), rebuilds the index once more with store_reindex, then times
 * one-word, three-word and phrase queries through search_parse and
 * store_search, as the search page runs them. Prints one compact report.
 *
 *   search_bench [-n articles] [-q queries] [-s seed] [-z zipf] [-d dict]
 *                [-v] DB
 *
 * DB must not exist yet (the figures are for a fresh database). */
#include <assert.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/core.h"
#include "search/search.h"
#include "store/store.h"

#define DICT_DEFAULT "/usr/share/hunspell/ar.dic"
#define DICT_MAX ((size_t)64 << 20)
#define TX_SIZE 1000
#define WARMUP 100
/* 2022-01-01T00:00Z; articles are spread over the three years after it. */
#define DATE_FIRST INT64_C(1640995200)
#define DATE_SPAN (INT64_C(3) * 365 * 86400)

/* The commonest words of news prose rank first, as they do in real text
 * (the dictionary has no frequencies); every other rank is a dictionary
 * word in seeded random order. */
static const char *const function_words[] = {
    "في",   "من",  "على",  "إلى",  "أن",      "عن",   "التي", "الذي", "مع",
    "هذا",  "هذه", "كان",  "قد",   "بين",     "بعد",  "أو",   "كما",  "لا",
    "ما",   "وقد", "قال",  "خلال", "حيث",     "عام",  "إن",   "ذلك",  "منذ",
    "أكثر", "حتى", "وزير", "رئيس", "الحكومة", "اليوم"};

static const char *const sections[][2] = {
    {"سياسة", "سياسة"}, {"اقتصاد", "اقتصاد"},       {"رياضة", "رياضة"},
    {"ثقافة", "ثقافة"}, {"تكنولوجيا", "تكنولوجيا"}, {"صحة", "صحة"}};
#define NSECTIONS (sizeof sections / sizeof sections[0])

static const char *const prefixes[] = {"و", "ب", "ل", "ال", "وال", "بال"};
#define NPREFIXES (sizeof prefixes / sizeof prefixes[0])

/* ---- random numbers: splitmix64, one stream per article ---- */

typedef struct {
  uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r) {
  uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static double rng_unit(rng_t *r) { /* [0, 1) */
  return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* [0, n); the modulo bias is negligible for the n used here. */
static uint64_t rng_below(rng_t *r, uint64_t n) {
  assert(n > 0);
  return rng_next(r) % n;
}

static int64_t rng_range(rng_t *r, int64_t lo, int64_t hi) { /* [lo, hi] */
  return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo + 1));
}

static rng_t rng_for(uint64_t seed, uint64_t stream) {
  rng_t r = {seed * UINT64_C(0x2545F4914F6CDD1D) ^ (stream + 1)};
  rng_next(&r);
  return r;
}

/* ---- the word list ---- */

typedef struct {
  char *data;        /* the dictionary file; words point into it */
  const char **word; /* by rank: word[0] is the commonest */
  size_t *len;
  double *cdf; /* Zipf: cdf[r] = P(rank <= r) */
  size_t n;
  size_t nfunction; /* how many of the first ranks are function words */
} vocab;

/* Arabic letters only (U+0621..U+063A, U+0641..U+064A: no tatweel, no
 * harakat), at least two of them. */
static int arabic_word(const char *s, size_t n) {
  size_t i = 0, count = 0;
  while (i < n) {
    uint32_t cp;
    size_t k = utf8_decode(s + i, n - i, &cp);
    if (k == 0 ||
        !((cp >= 0x621 && cp <= 0x63A) || (cp >= 0x641 && cp <= 0x64A)))
      return 0;
    i += k;
    count++;
  }
  return count >= 2;
}

static uint64_t hash_bytes(const char *s, size_t n) {
  uint64_t h = UINT64_C(1469598103934665603);
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
  return h;
}

/* Adds s to the list unless it is there already (open addressing over
 * indices into v->word; slot 0 means empty, so slots hold index + 1). */
static void vocab_add(vocab *v, size_t *slots, size_t mask, const char *s,
                      size_t n) {
  size_t h = (size_t)hash_bytes(s, n) & mask;
  while (slots[h]) {
    size_t j = slots[h] - 1;
    if (v->len[j] == n && memcmp(v->word[j], s, n) == 0)
      return;
    h = (h + 1) & mask;
  }
  v->word[v->n] = s;
  v->len[v->n] = n;
  slots[h] = ++v->n;
}

/* Reads the hunspell .dic at path: a count line, then "word[/FLAGS]"
 * lines. Keeps each distinct Arabic word once, function words first. */
static int vocab_load(vocab *v, const char *path, uint64_t seed, double zipf,
                      char *err, size_t errlen) {
  size_t len = 0, *slots = NULL;
  int rc = nb_read_file(path, DICT_MAX, &v->data, &len);
  if (rc != NB_OK) {
    snprintf(err, errlen,
             "cannot read %s (%s); on Debian: apt-get install hunspell-ar",
             path, nb_strerror(rc));
    return rc;
  }
  if (!utf8_valid(v->data, len)) {
    snprintf(err, errlen,
             "%s is not UTF-8; convert it first (iconv -f CP1256 -t UTF-8)",
             path);
    return NB_EINVAL;
  }
  size_t lines = 1 + sizeof function_words / sizeof *function_words;
  for (size_t i = 0; i < len; i++)
    lines += v->data[i] == '\n';
  size_t cap = 1;
  while (cap < 2 * lines)
    cap *= 2;
  v->word = malloc(lines * sizeof *v->word);
  v->len = malloc(lines * sizeof *v->len);
  slots = calloc(cap, sizeof *slots);
  if (!v->word || !v->len || !slots) {
    rc = NB_ENOMEM;
    goto fail;
  }
  for (size_t i = 0; i < sizeof function_words / sizeof *function_words; i++)
    vocab_add(v, slots, cap - 1, function_words[i], strlen(function_words[i]));
  v->nfunction = v->n;

  char *p = memchr(v->data, '\n', len); /* skip the count line */
  char *end = v->data + len;
  while (p && p < end) {
    char *line = p + 1;
    char *nl = memchr(line, '\n', (size_t)(end - line));
    char *stop = nl ? nl : end;
    char *w = line;
    char *we = memchr(w, '/', (size_t)(stop - w));
    if (!we)
      we = stop;
    while (we > w && (we[-1] == '\r' || we[-1] == ' ' || we[-1] == '\t'))
      we--;
    if (arabic_word(w, (size_t)(we - w))) {
      *we = '\0'; /* words are NUL-terminated in place */
      vocab_add(v, slots, cap - 1, w, (size_t)(we - w));
    }
    p = nl;
  }
  if (v->n <= v->nfunction + 1000) {
    snprintf(err, errlen, "%s has only %zu Arabic words", path,
             v->n - v->nfunction);
    rc = NB_EINVAL;
    goto fail;
  }

  /* Dictionary order is alphabetical by root; shuffle it so that ranks
   * (and so frequencies) are not tied to spelling. */
  rng_t r = rng_for(seed, UINT64_C(0xD1C7));
  for (size_t i = v->n - 1; i > v->nfunction; i--) {
    size_t j = v->nfunction + (size_t)rng_below(&r, i - v->nfunction + 1);
    const char *tw = v->word[i];
    size_t tl = v->len[i];
    v->word[i] = v->word[j];
    v->len[i] = v->len[j];
    v->word[j] = tw;
    v->len[j] = tl;
  }

  v->cdf = malloc(v->n * sizeof *v->cdf);
  if (!v->cdf) {
    rc = NB_ENOMEM;
    goto fail;
  }
  double sum = 0;
  for (size_t i = 0; i < v->n; i++)
    v->cdf[i] = (sum += 1.0 / pow((double)(i + 1), zipf));
  for (size_t i = 0; i < v->n; i++)
    v->cdf[i] /= sum;
  v->cdf[v->n - 1] = 1.0;
  free(slots);
  return NB_OK;

fail:
  free(slots);
  if (rc == NB_ENOMEM)
    snprintf(err, errlen, "out of memory reading %s", path);
  return rc;
}

static void vocab_free(vocab *v) {
  free(v->data);
  free(v->word);
  free(v->len);
  free(v->cdf);
}

/* A rank drawn with the Zipf weights. */
static size_t vocab_draw(const vocab *v, rng_t *r) {
  double u = rng_unit(r);
  size_t lo = 0, hi = v->n - 1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v->cdf[mid] > u)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* ---- articles ---- */

typedef struct {
  size_t start, end;
} span;

typedef struct {
  span *v;
  size_t n, cap;
} spans;

typedef struct {
  buf_t title, body;
  spans tw, bw; /* words of the title and of the body, as byte ranges */
  int64_t section;
  int64_t published_at;
} doc;

static void spans_push(spans *s, size_t start, size_t end) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 1024;
    span *v = realloc(s->v, cap * sizeof *v);
    if (!v) {
      fputs("search_bench: out of memory\n", stderr);
      exit(1);
    }
    s->v = v;
    s->cap = cap;
  }
  s->v[s->n].start = start;
  s->v[s->n].end = end;
  s->n++;
}

static void doc_free(doc *d) {
  buf_free(&d->title);
  buf_free(&d->body);
  free(d->tw.v);
  free(d->bw.v);
}

static int starts_with(const char *s, size_t n, const char *p) {
  size_t m = strlen(p);
  return n >= m && memcmp(s, p, m) == 0;
}

/* A clitic prefix for w, as Arabic stacks them: none before و, only و
 * before ال ب ل (وبالتالي, not ببالتالي), any before a bare word. */
static void put_prefix(rng_t *r, const char *w, size_t n, buf_t *b) {
  if (starts_with(w, n, "و"))
    return;
  if (starts_with(w, n, "ال") || starts_with(w, n, "ب") ||
      starts_with(w, n, "ل"))
    buf_puts(b, "و");
  else
    buf_puts(b, prefixes[rng_below(r, NPREFIXES)]);
}

/* One word of running text: mostly a dictionary word, sometimes with a
 * clitic prefix (وال, بال...), sometimes a number in Arabic-Indic digits. */
static void put_word(const vocab *v, rng_t *r, buf_t *b, spans *sp) {
  size_t start = b->len;
  double u = rng_unit(r);
  if (u < 0.01) {
    int64_t num =
        rng_unit(r) < 0.4 ? rng_range(r, 2015, 2024) : rng_range(r, 1, 999);
    char digits[24];
    int k = snprintf(digits, sizeof digits, "%lld", (long long)num);
    for (int i = 0; i < k; i++) {
      char enc[4];
      size_t m = utf8_encode(0x660 + (uint32_t)(digits[i] - '0'), enc);
      buf_append(b, enc, m);
    }
  } else {
    size_t rank = vocab_draw(v, r);
    if (u < 0.10 && rank >= v->nfunction)
      put_prefix(r, v->word[rank], v->len[rank], b);
    buf_append(b, v->word[rank], v->len[rank]);
  }
  spans_push(sp, start, b->len);
}

/* Article i of the corpus; the same (seed, i) always gives the same text,
 * so queries can be drawn from any article without keeping the corpus. */
static void doc_make(doc *d, const vocab *v, uint64_t seed, uint64_t i) {
  rng_t r = rng_for(seed, i);
  buf_reset(&d->title);
  buf_reset(&d->body);
  d->tw.n = d->bw.n = 0;
  d->section = (int64_t)rng_below(&r, NSECTIONS);
  d->published_at = DATE_FIRST + rng_range(&r, 0, DATE_SPAN - 1);

  int64_t nt = rng_range(&r, 6, 14);
  for (int64_t k = 0; k < nt; k++) {
    if (k)
      buf_putc(&d->title, ' ');
    put_word(v, &r, &d->title, &d->tw);
  }

  int64_t nb = rng_range(&r, 250, 900);
  while (nb > 0) {
    int64_t np = rng_range(&r, 40, 90);
    if (np > nb || nb - np < 40)
      np = nb; /* no paragraph under 40 words at the end */
    nb -= np;
    buf_puts(&d->body, "<p>");
    for (int64_t k = 0; k < np; k++) {
      put_word(v, &r, &d->body, &d->bw);
      if (k == np - 1)
        buf_puts(&d->body, ".");
      else {
        double u = rng_unit(&r);
        buf_puts(&d->body, u < 0.06 ? ". " : u < 0.12 ? "، " : " ");
      }
    }
    buf_puts(&d->body, "</p>\n");
  }
  if (d->title.oom || d->body.oom) {
    fputs("search_bench: out of memory\n", stderr);
    exit(1);
  }
}

/* ---- queries ---- */

enum { Q_ONE, Q_THREE, Q_FIVE, Q_PHRASE, Q_KINDS };
static const char *const kind_names[Q_KINDS] = {"one-word", "three-word",
                                                "five-word", "phrase"};

/* How a one-word query was typed; V_SAME last. */
enum { V_HAMZA, V_TA, V_PREFIX, V_ARTICLE, V_SAME, V_KINDS };
static const char *const variant_names[V_KINDS] = {
    "hamza dropped", "ة as ه", "prefix added", "article dropped", "as written"};

static int has_hamza_alef(const char *w, size_t n) {
  for (size_t i = 0; i + 1 < n; i++)
    if ((unsigned char)w[i] == 0xD8 &&
        ((unsigned char)w[i + 1] == 0xA3 || (unsigned char)w[i + 1] == 0xA5 ||
         (unsigned char)w[i + 1] == 0xA2))
      return 1;
  return 0;
}

/* Numbers are written in Arabic-Indic digits (U+0660..U+0669). */
static int is_number(const char *w, size_t n) {
  return n >= 2 && (unsigned char)w[0] == 0xD9 && (unsigned char)w[1] >= 0xA0 &&
         (unsigned char)w[1] <= 0xA9;
}

/* Bytes of a leading article (ال, وال, بال) that can go, leaving three
 * letters or more; 0 if none. */
static size_t article_len(const char *w, size_t n) {
  size_t k = starts_with(w, n, "وال") || starts_with(w, n, "بال") ? 6
             : starts_with(w, n, "ال")                            ? 4
                                                                  : 0;
  return k && utf8_count(w + k, n - k) >= 3 ? k : 0;
}

/* A word as a reader might type it, one change picked among those that
 * apply: hamza left off the alef, final ة typed as ه, a clitic prefix
 * added, or the article left off (only the article: a leading و ب ل is
 * as often part of the word, وثاق بلد, as a prefix). Returns the V_*. */
static int typo_word(rng_t *r, const char *w, size_t n, buf_t *out) {
  int can[V_KINDS], ncan = 0;
  if (has_hamza_alef(w, n))
    can[ncan++] = V_HAMZA;
  if (n >= 2 && starts_with(w + n - 2, 2, "ة"))
    can[ncan++] = V_TA;
  if (utf8_count(w, n) >= 3 && !starts_with(w, n, "و") && !is_number(w, n))
    can[ncan++] = V_PREFIX;
  if (article_len(w, n))
    can[ncan++] = V_ARTICLE;
  int variant = ncan ? can[rng_below(r, (uint64_t)ncan)] : V_SAME;
  size_t start = out->len;
  switch (variant) {
  case V_HAMZA: /* أ إ آ -> ا */
    buf_append(out, w, n);
    for (size_t i = start; i + 1 < out->len; i++)
      if (has_hamza_alef(out->data + i, 2))
        out->data[++i] = (char)0xA7;
    break;
  case V_TA: /* ة -> ه */
    buf_append(out, w, n);
    out->data[out->len - 2] = (char)0xD9;
    out->data[out->len - 1] = (char)0x87;
    break;
  case V_PREFIX:
    put_prefix(r, w, n, out);
    buf_append(out, w, n);
    break;
  case V_ARTICLE: {
    size_t k = article_len(w, n);
    buf_append(out, w + k, n - k);
    break;
  }
  default:
    buf_append(out, w, n);
  }
  return variant;
}

/* The text of query number q of a kind, as typed into the search box;
 * for one-word queries, returns how the word was changed (V_*). */
static int make_query(int kind, const vocab *v, uint64_t seed,
                      int64_t narticles, uint64_t q, doc *d, buf_t *out) {
  int variant = V_SAME;
  rng_t r = rng_for(seed ^ UINT64_C(0x5EA4C4), (uint64_t)kind << 32 | q);
  buf_reset(out);
  doc_make(d, v, seed, rng_below(&r, (uint64_t)narticles));
  if (kind == Q_ONE) {
    /* A word of the corpus, weighted like the corpus (a random place in
     * a random article), so that it is there to be found. */
    const span *w = &d->bw.v[rng_below(&r, d->bw.n)];
    variant = typo_word(&r, d->body.data + w->start, w->end - w->start, out);
  } else if (kind == Q_THREE || kind == Q_FIVE) {
    /* k distinct title positions (all of a shorter title), kept in
     * title order: a partial shuffle, then sorted. */
    size_t n = d->tw.n, k = kind == Q_THREE ? 3 : 5, pos[64];
    if (n > 64)
      n = 64;
    if (k > n)
      k = n;
    for (size_t i = 0; i < n; i++)
      pos[i] = i;
    for (size_t i = 0; i < k; i++) {
      size_t j = i + rng_below(&r, n - i), t = pos[i];
      pos[i] = pos[j];
      pos[j] = t;
    }
    for (size_t i = 1; i < k; i++)
      for (size_t j = i; j > 0 && pos[j - 1] > pos[j]; j--) {
        size_t t = pos[j];
        pos[j] = pos[j - 1];
        pos[j - 1] = t;
      }
    for (size_t i = 0; i < k; i++) {
      const span *sp = &d->tw.v[pos[i]];
      if (i)
        buf_putc(out, ' ');
      buf_append(out, d->title.data + sp->start, sp->end - sp->start);
    }
  } else {
    size_t k = rng_below(&r, d->bw.n - 1);
    const span *a = &d->bw.v[k], *b = &d->bw.v[k + 1];
    buf_putc(out, '"');
    buf_append(out, d->body.data + a->start, a->end - a->start);
    buf_putc(out, ' ');
    buf_append(out, d->body.data + b->start, b->end - b->start);
    buf_putc(out, '"');
  }
  return variant;
}

/* ---- measuring ---- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Latency by how many articles a query matched: the cost of ranking
 * grows with the matches, whatever the limit. */
static const struct {
  const char *name;
  int64_t lo, hi;
} buckets[] = {
    {"0", 0, 0},           {"1-10", 1, 10},         {"11-100", 11, 100},
    {"101-1k", 101, 1000}, {"1k-10k", 1001, 10000}, {">10k", 10001, INT64_MAX}};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, size_t n, double p) {
  size_t k = (size_t)ceil(p / 100.0 * (double)n);
  return v[k ? k - 1 : 0];
}

static double file_mb(const char *path) {
  struct stat st;
  char wal[4096];
  double bytes = 0;
  if (stat(path, &st) == 0)
    bytes += (double)st.st_size;
  snprintf(wal, sizeof wal, "%s-wal", path);
  if (stat(wal, &st) == 0)
    bytes += (double)st.st_size;
  return bytes / (1024.0 * 1024.0);
}

/* Bytes in the FTS5 tables' shadow tables and their indexes, from the
 * dbstat virtual table; -1 when this SQLite has no dbstat. */
static double fts_mb(const char *path) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  double bytes = -1;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    goto done;
  if (sqlite3_prepare_v2(db,
                         "SELECT coalesce(sum(d.pgsize), 0) FROM dbstat d"
                         " JOIN sqlite_schema m ON m.name = d.name"
                         " WHERE EXISTS (SELECT 1 FROM sqlite_schema f"
                         "  WHERE f.sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'"
                         "  AND m.tbl_name LIKE f.name || '\\_%' ESCAPE '\\')",
                         -1, &st, NULL) != SQLITE_OK)
    goto done;
  if (sqlite3_step(st) == SQLITE_ROW)
    bytes = (double)sqlite3_column_int64(st, 0);
done:
  sqlite3_finalize(st);
  sqlite3_close(db);
  return bytes < 0 ? -1 : bytes / (1024.0 * 1024.0);
}

static int usage(void) {
  fputs("usage: search_bench [-n articles] [-q queries per kind] [-s seed]"
        " [-z zipf exponent] [-d dictionary.dic] [-v] [-r] [-b] DB\n"
        "  -v lists the queries that found nothing on stderr\n"
        "  -r reuses DB built before with the same -n, -s and -z: queries"
        " only\n"
        "  -b builds DB and stops (a corpus for other benches)\n",
        stderr);
  return 2;
}

static int opt_i64(const char *s, int64_t min, int64_t max, int64_t *out) {
  return nb_parse_i64(s, strlen(s), min, max, out);
}

/* What the query passes share. */
typedef struct {
  const vocab *v;
  int64_t seed, narticles;
  size_t nq;
  int verbose;
  double *lat[Q_KINDS];
  int64_t *totals;
  doc d;
  buf_t q, example, by_matches;
  double worst_p99;
} qctx;

/* Warm-up, then nq queries of each kind on s; prints their latencies. */
static int query_passes(qctx *c, store *s) {
  int rc = NB_OK;
  for (int pass = 0; rc == NB_OK && pass <= Q_KINDS; pass++) {
    /* pass 0 is the warm-up: WARMUP queries of every kind, in turn */
    int kind = pass ? pass - 1 : 0;
    size_t count = pass ? c->nq : WARMUP;
    size_t hits = 0, skipped = 0, done = 0;
    size_t tried[V_KINDS] = {0}, missed[V_KINDS] = {0};
    for (uint64_t qi = 0; rc == NB_OK && done < count; qi++) {
      if (!pass)
        kind = (int)(qi % Q_KINDS);
      int variant = make_query(kind, c->v, (uint64_t)c->seed, c->narticles,
                               pass ? qi + 1000000 : qi, &c->d, &c->q);
      arena_t ar = {0};
      search_query sq;
      store_hit *h = NULL;
      size_t n = 0;
      int64_t total = 0;
      double t1 = now_s();
      rc = search_parse(c->q.data, c->q.len, &ar, &sq);
      if (rc == NB_OK && sq.nterms)
        rc = store_search(s, &ar, &sq, 0, 0, 10, &h, &n, &total);
      double t2 = now_s();
      arena_free(&ar);
      if (rc != NB_OK) {
        fprintf(stderr, "search_bench: query %s failed: %s (%s)\n", c->q.data,
                nb_strerror(rc), store_errmsg(s));
        break;
      }
      if (!sq.nterms) { /* stop words only: nothing a reader would time */
        skipped++;
        continue;
      }
      if (pass && n == 0 && c->verbose)
        fprintf(stderr, "  no hit: %s\n", c->q.data);
      if (pass && done == 0) {
        buf_reset(&c->example);
        buf_append(&c->example, c->q.data, c->q.len);
      }
      if (pass) {
        c->lat[kind][done] = (t2 - t1) * 1000.0;
        c->totals[done] = total;
        hits += n > 0;
        tried[variant] += kind == Q_ONE;
        missed[variant] += kind == Q_ONE && n == 0;
      }
      done++;
    }
    if (rc != NB_OK || !pass)
      continue;
    buf_reset(&c->by_matches);
    for (size_t b = 0; b < NBUCKETS; b++) {
      size_t cnt = 0;
      double sum = 0, max = 0;
      for (size_t i = 0; i < c->nq; i++)
        if (c->totals[i] >= buckets[b].lo && c->totals[i] <= buckets[b].hi) {
          cnt++;
          sum += c->lat[kind][i];
          max = c->lat[kind][i] > max ? c->lat[kind][i] : max;
        }
      if (cnt)
        buf_printf(&c->by_matches, "%s %s: %zu, mean %.2f max %.2f ms",
                   c->by_matches.len ? " |" : "  by matches", buckets[b].name,
                   cnt, sum / (double)cnt, max);
    }
    qsort(c->lat[kind], c->nq, sizeof *c->lat[kind], cmp_double);
    qsort(c->totals, c->nq, sizeof *c->totals, cmp_i64);
    double p99 = pct(c->lat[kind], c->nq, 99);
    if (p99 > c->worst_p99)
      c->worst_p99 = p99;
    printf("%-10s (%zu): p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms;"
           " hits %.1f%%; matches median %lld, p90 %lld",
           kind_names[kind], c->nq, pct(c->lat[kind], c->nq, 50),
           pct(c->lat[kind], c->nq, 90), p99, c->lat[kind][c->nq - 1],
           100.0 * (double)hits / (double)c->nq,
           (long long)c->totals[c->nq / 2],
           (long long)c->totals[c->nq * 9 / 10]);
    if (skipped)
      printf("; %zu stop-word-only queries skipped", skipped);
    printf("; e.g. %s\n%s\n", c->example.data, c->by_matches.data);
    for (int k = 0; kind == Q_ONE && k < V_KINDS; k++)
      printf("%s %s %zu/%zu%s",
             k ? "," : "  misses by spelling:", variant_names[k], missed[k],
             tried[k], k == V_KINDS - 1 ? "\n" : "");
  }
  return rc;
}

/* The index's size and layout, then the query passes, on a freshly opened
 * connection as a server has. */
static int measure(qctx *c, const char *path, const char *label) {
  int64_t segments = 0, largest = 0, pages = 0;
  double db_mb = file_mb(path), index_mb = fts_mb(path);
  char err[512];
  store *s;
  int rc = store_open(path, 1, &s, err, sizeof err);

  if (rc != NB_OK) {
    fprintf(stderr, "search_bench: cannot open %s: %s\n", path, err);
    return rc;
  }
  rc = store_search_layout(s, &segments, &largest, &pages);
  printf("%s: db %.1f MB", label, db_mb);
  if (index_mb >= 0)
    printf(", FTS index %.1f MB (%.0f%% of the file)", index_mb,
           100.0 * index_mb / db_mb);
  printf(", %lld segments\n", (long long)segments);
  if (rc == NB_OK)
    rc = query_passes(c, s);
  store_close(s);
  return rc;
}

int main(int argc, char **argv) {
  int64_t narticles = 100000, nqueries = 1000, seed = 1, zipf_milli = 1000;
  const char *dict = DICT_DEFAULT, *path = NULL;
  int verbose = 0, reuse = 0, build_only = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    int rc = NB_OK;
    if (strcmp(a, "-n") == 0 && val)
      rc = opt_i64(val, 1, 10000000, &narticles), i++;
    else if (strcmp(a, "-q") == 0 && val)
      rc = opt_i64(val, 1, 1000000, &nqueries), i++;
    else if (strcmp(a, "-s") == 0 && val)
      rc = opt_i64(val, 0, INT64_MAX, &seed), i++;
    else if (strcmp(a, "-z") == 0 && val) {
      /* the exponent in thousandths: 1000 is Zipf's s = 1 */
      double z = strtod(val, NULL);
      rc = z > 0 && z <= 3 ? NB_OK : NB_EINVAL;
      zipf_milli = (int64_t)(z * 1000 + 0.5), i++;
    } else if (strcmp(a, "-v") == 0)
      verbose = 1;
    else if (strcmp(a, "-r") == 0)
      reuse = 1;
    else if (strcmp(a, "-b") == 0)
      build_only = 1;
    else if (strcmp(a, "-d") == 0 && val)
      dict = val, i++;
    else if (a[0] != '-' && !path)
      path = a;
    else
      return usage();
    if (rc != NB_OK)
      return usage();
  }
  if (!path)
    return usage();
  struct stat st_db;
  if (stat(path, &st_db) == 0 && !reuse) {
    fprintf(stderr, "search_bench: %s exists; give a new path\n", path);
    return 2;
  }

  char err[512];
  vocab v = {0};
  doc d = {0};
  store *s = NULL;
  size_t nq = (size_t)nqueries;
  qctx c = {.v = &v,
            .seed = seed,
            .narticles = narticles,
            .nq = nq,
            .verbose = verbose};
  int rc = vocab_load(&v, dict, (uint64_t)seed, (double)zipf_milli / 1000.0,
                      err, sizeof err);
  if (rc != NB_OK) {
    fprintf(stderr, "search_bench: %s\n", err);
    goto done;
  }

  c.totals = malloc(nq * sizeof *c.totals);
  for (int k = 0; k < Q_KINDS; k++)
    c.lat[k] = malloc(nq * sizeof *c.lat[k]);
  if (!c.totals || !c.lat[0] || !c.lat[1] || !c.lat[2]) {
    rc = NB_ENOMEM;
    fputs("search_bench: out of memory\n", stderr);
    goto done;
  }
  printf("search bench: SQLite %s; %zu dictionary words + %zu function"
         " words, Zipf s=%.2f, seed %lld\n",
         sqlite3_libversion(), v.n - v.nfunction, v.nfunction,
         (double)zipf_milli / 1000.0, (long long)seed);
  double t_store = 0, t_build = 0, text_bytes = 0, words = 0;
  if (reuse) {
    rc = measure(&c, path, "queries");
    goto judge;
  }

  /* ---- build: every article saved (and so indexed) through the store */
  rc = store_open(path, 0, &s, err, sizeof err);
  if (rc != NB_OK) {
    fprintf(stderr, "search_bench: cannot open %s: %s\n", path, err);
    goto done;
  }
  int64_t section_ids[NSECTIONS];
  for (size_t i = 0; rc == NB_OK && i < NSECTIONS; i++)
    rc = store_section_ensure(s, sections[i][0], sections[i][1],
                              &section_ids[i], NULL);
  if (rc != NB_OK)
    goto store_err;
  store_close(s);
  s = NULL;
  double empty_mb = file_mb(path);
  rc = store_open(path, 0, &s, err, sizeof err);
  if (rc != NB_OK) {
    fprintf(stderr, "search_bench: cannot reopen %s: %s\n", path, err);
    goto done;
  }

  double t_start = now_s();
  int64_t report_every = narticles >= 10 ? narticles / 10 : 1;
  for (int64_t i = 0; rc == NB_OK && i < narticles; i++) {
    doc_make(&d, &v, (uint64_t)seed, (uint64_t)i);
    char slug[32];
    snprintf(slug, sizeof slug, "bench-%lld", (long long)i);
    store_article a = {
        .section_id = section_ids[d.section],
        .title = d.title.data,
        .slug = slug,
        .summary = "",
        .body_html = d.body.data,
        .image_url = "",
        .published_at = d.published_at,
        .updated_at = d.published_at,
        .status = STORE_PUBLISHED,
    };
    text_bytes += (double)(d.title.len + d.body.len);
    words += (double)(d.tw.n + d.bw.n);
    double t0 = now_s();
    if (i % TX_SIZE == 0)
      rc = store_begin(s);
    if (rc == NB_OK)
      rc = store_article_save(s, &a, NULL, NULL);
    if (rc == NB_OK && (i % TX_SIZE == TX_SIZE - 1 || i == narticles - 1))
      rc = store_commit(s);
    t_store += now_s() - t0;
    if ((i + 1) % report_every == 0)
      fprintf(stderr, "  saved %lld/%lld articles, %.1f s\n",
              (long long)(i + 1), (long long)narticles, now_s() - t_start);
  }
  t_build = now_s() - t_start;
  if (rc != NB_OK)
    goto store_err;
  store_close(s);
  s = NULL;

  printf("corpus: %lld articles, %.1f M words, %.0f MB of HTML\n",
         (long long)narticles, words / 1e6, text_bytes / (1024.0 * 1024.0));
  printf("build: %lld articles in %.1f s (%.0f articles/s; store_begin/"
         "save/commit only, generating the text took %.1f s more)\n",
         (long long)narticles, t_store, (double)narticles / t_store,
         t_build - t_store);
  printf("db: %.1f MB empty, %.1f MB after build\n", empty_mb, file_mb(path));
  if (build_only)
    goto done;
  rc = measure(&c, path, "queries on the index as the saves left it");
  if (rc != NB_OK)
    goto done;

  /* ---- reindex: the index alone, from the articles table, merged */
  rc = store_open(path, 0, &s, err, sizeof err);
  if (rc != NB_OK) {
    fprintf(stderr, "search_bench: cannot reopen %s: %s\n", path, err);
    goto done;
  }
  int64_t indexed = 0;
  double t0 = now_s();
  rc = store_reindex(s, &indexed);
  double t_reindex = now_s() - t0;
  if (rc != NB_OK)
    goto store_err;
  store_close(s);
  s = NULL;
  printf("reindex: %lld articles in %.1f s (%.0f articles/s)\n",
         (long long)indexed, t_reindex, (double)indexed / t_reindex);
  c.worst_p99 = 0; /* the target is judged on the merged index */
  rc = measure(&c, path, "queries after the reindex");

judge:
  if (rc == NB_OK)
    printf("target p99 < 10 ms: %s (worst p99 %.2f ms)\n",
           c.worst_p99 < 10.0 ? "met" : "MISSED", c.worst_p99);
  goto done; /* skips the store error message */

store_err:
  fprintf(stderr, "search_bench: %s (%s)\n", nb_strerror(rc),
          s ? store_errmsg(s) : "");
done:
  if (s)
    store_close(s);
  for (int k = 0; k < Q_KINDS; k++)
    free(c.lat[k]);
  free(c.totals);
  buf_free(&c.q);
  buf_free(&c.example);
  buf_free(&c.by_matches);
  doc_free(&c.d);
  doc_free(&d);
  vocab_free(&v);
  return rc == NB_OK ? 0 : 1;
}
