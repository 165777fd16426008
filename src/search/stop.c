/* search/stop.c: function words, which nearly every article holds.
 *
 * A query of stop words alone searches nothing, and the tokenizer indexes
 * every pair of adjacent words one of which is a stop word as a term of
 * its own (search_bigram_term()), so that a phrase with a stop word reads
 * that term's short doclist instead of checking positions in almost every
 * article. Documents and queries must agree on this list: changing it
 * needs a migration that rebuilds the index (see 004_search_bigrams.sql).
 * Written as editors type them; compared after normalization (built
 * once). */
#include <pthread.h>
#include <string.h>

#include "search/search.h"

static const char *const stop_typed[] = {
    /* Arabic */
    "في", "من", "على", "إلى", "الى", "عن", "أن", "إن", "ان", "ما", "لا", "و",
    "ثم", "أو", "او", "هذا", "هذه", "ذلك", "تلك", "التي", "الذي", "الذين", "هو",
    "هي", "هم", "مع", "كان", "قد", "لم", "لن", "بين", "كل", "بعد", "قبل", "حتى",
    "إذا", "اذا", "أي", "كما", "لكن", "عند", "منذ", "ف", "ب", "ل", "ك", "يا",
    "بل", "غير",
    /* French */
    "le", "la", "les", "de", "des", "du", "et", "un", "une", "en", "au", "aux",
    "l", "d", "est", "pour", "par", "sur", "dans", "que", "qui", "ou",
    /* English */
    "the", "a", "an", "of", "and", "or", "to", "in", "on", "at", "for", "is",
    "are", "was", "by", "with", "from", "as", "it", "this", "that", "be"};

#define NSTOP (sizeof stop_typed / sizeof *stop_typed)
#define STOP_MAX 32 /* bytes of a normalized stop word, NUL included */

static char stop_norm[NSTOP][STOP_MAX];
static size_t stop_len[NSTOP];
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;

static int stop_word_cb(void *ctx, const char *w, size_t n, size_t start,
                        size_t end) {
  char *slot = ctx;

  (void)start;
  (void)end;
  if (slot[0] != '\0' || n >= STOP_MAX)
    return 1; /* more than one word, or too long: never matches */
  memcpy(slot, w, n);
  slot[n] = '\0';
  return NB_OK;
}

static void stop_init(void) {
  for (size_t i = 0; i < NSTOP; i++) {
    if (search_words(stop_typed[i], strlen(stop_typed[i]), stop_word_cb,
                     stop_norm[i]) != NB_OK)
      stop_norm[i][0] = '\0';
    stop_len[i] = strlen(stop_norm[i]);
  }
}

int search_is_stop_word(const char *w, size_t n) {
  if (n == 0 || n >= STOP_MAX)
    return 0;
  pthread_once(&stop_once, stop_init);
  for (size_t i = 0; i < NSTOP; i++) {
    if (stop_len[i] == n && stop_norm[i][0] == w[0] &&
        memcmp(stop_norm[i], w, n) == 0)
      return 1;
  }
  return 0;
}

int search_bigram_term(const char *a, size_t na, const char *b, size_t nb,
                       buf_t *out) {
  buf_putc(out, '~');
  buf_append(out, a, na);
  buf_putc(out, ' ');
  buf_append(out, b, nb);
  return out->oom ? NB_ENOMEM : NB_OK;
}
