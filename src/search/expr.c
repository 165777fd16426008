/* search/expr.c: a parsed query as the FTS5 expressions of the store's
 * walks, and the weight of each alternative of a word.
 *
 * A search walks the articles that hold every term first; when they are
 * too few, those that hold at least one of the rarest words (an article
 * missing one word of k holds one of any two of them; missing two, one of
 * any three...), so the walk reads the short doclists and only seeks in
 * the long ones. naba_rank() then counts the words each article holds
 * and ranks by that first: the walks only decide which articles are
 * read. */
#include <assert.h>
#include <string.h>

#include "search/search.h"

/* Tuned on the ANT known-item benchmark (bench/search_quality.sh). */
const double search_tier_weight[SEARCH_TIERS] = {1.0, 0.8, 0.7, 0.6, 0.7};

void search_guard(const search_query *q, const double *df, double sample,
                  double *weight) {
  size_t base = 0;

  for (size_t i = 0; i < q->nterms; i++) {
    const search_term *t = &q->terms[i];
    double typed = 0, exact = search_idf(sample, df[base]);
    for (size_t j = 0; j < t->nalts; j++)
      if (t->alts[j].tier <= SEARCH_STEM && df[base + j] > typed)
        typed = df[base + j];
    for (size_t j = 0; j < t->nalts; j++) {
      const search_alt *al = &t->alts[j];
      double bare = 0;
      for (size_t k = 0; al->bare > 0 && k < t->nalts; k++)
        if (t->alts[k].bare == al->bare && df[base + k] > bare)
          bare = df[base + k];
      /* A bare form commoner than the word as typed, or the word is in
       * none of the sample (a reader's و before a rare word); a clitic
       * form in the sample and no commoner than the word (one the
       * newsroom does not write now costs the search more than it
       * finds). */
      int used = al->bare > 0   ? bare > typed || typed == 0
                 : al->bare < 0 ? df[base + j] > 0 && df[base + j] <= typed
                                : 1;
      /* Each form its own idf (a rare form of the word tells more),
       * but none above the exact form's: no other form may outweigh
       * it. */
      double idf = search_idf(sample, df[base + j]);
      if (idf > exact)
        idf = exact;
      weight[base + j] = used ? idf * search_tier_weight[al->tier] : 0;
    }
    base += t->nalts;
  }
}

static void put_weight(buf_t *w, double slot, double weight) {
  buf_append(w, &slot, sizeof slot);
  buf_append(w, &weight, sizeof weight);
}

/* Appends term i, whose alternatives start at weight[base]: its used
 * alternatives ORed, after its pair terms; they weigh for slot i when
 * weighs, else nothing. */
static void put_term(const search_query *q, size_t i, const double *weight,
                     int weighs, buf_t *m, buf_t *w) {
  const search_term *t = &q->terms[i];
  size_t k = 0;

  buf_putc(m, '(');
  if (t->pairs) {
    buf_puts(m, t->pairs);
    buf_puts(m, " AND ");
    for (size_t j = 0; j < t->npairs; j++)
      put_weight(w, -1, 0);
  }
  for (size_t j = 0; j < t->nalts; j++) {
    if (!(weight[j] > 0))
      continue;
    if (k++)
      buf_puts(m, " OR ");
    buf_puts(m, t->alts[j].phrase);
    put_weight(w, weighs ? (double)i : -1, weighs ? weight[j] : 0);
  }
  buf_putc(m, ')');
}

int search_expr(const search_query *q, const double *weight,
                const size_t *drivers, size_t ndrivers, buf_t *match,
                buf_t *weights) {
  const double *at[SEARCH_TERMS_MAX];
  size_t base = 0;

  assert(q->nterms > 0 && q->nterms <= SEARCH_TERMS_MAX);
  for (size_t i = 0; i < q->nterms; i++) {
    at[i] = weight + base;
    base += q->terms[i].nalts;
  }
  if (q->exclude)
    buf_putc(match, '(');
  if (!drivers) {
    for (size_t i = 0; i < q->nterms; i++) {
      if (i)
        buf_puts(match, " AND ");
      put_term(q, i, at[i], 1, match, weights);
    }
  } else {
    assert(ndrivers > 0 && q->nwords > 0);
    if (ndrivers < q->nwords) {
      buf_putc(match, '(');
      for (size_t d = 0; d < ndrivers; d++) {
        if (d)
          buf_puts(match, " OR ");
        put_term(q, drivers[d], at[drivers[d]], 0, match, weights);
      }
      buf_puts(match, ") AND ");
    }
    buf_putc(match, '(');
    for (size_t i = 0; i < q->nwords; i++) {
      if (i)
        buf_puts(match, " OR ");
      put_term(q, i, at[i], 1, match, weights);
    }
    /* With a phrase, the words may all be missing: the phrase, weighing
     * nothing here, makes the group hold wherever the phrase is. */
    if (ndrivers == q->nwords && q->nterms > q->nwords) {
      buf_puts(match, " OR ");
      put_term(q, q->nwords, at[q->nwords], 0, match, weights);
    }
    buf_putc(match, ')');
    for (size_t i = q->nwords; i < q->nterms; i++) {
      buf_puts(match, " AND ");
      put_term(q, i, at[i], 1, match, weights);
    }
  }
  if (q->exclude) {
    buf_puts(match, ") NOT ");
    buf_puts(match, q->exclude);
  }
  return match->oom || weights->oom ? NB_ENOMEM : NB_OK;
}
