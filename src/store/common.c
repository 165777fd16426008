/* store/common.c: checks and arrays every domain file uses. */
#include <string.h>

#include "store/internal.h"

int store_check_text(store *s, const char *v, const char *what) {
  if (v && !utf8_valid(v, strlen(v)))
    return store_errf(s, NB_EINVAL, "%s is not valid UTF-8", what);
  return NB_OK;
}

/* Publishing ends the review: the caller clears the state, the store does
 * not drop it behind the caller's back (the schema refuses it too). */
int store_check_draft_state(store *s, const char *ds, int status) {
  if (ds[0] && strcmp(ds, STORE_DRAFT_PENDING) != 0 &&
      strcmp(ds, STORE_DRAFT_PRIVATE) != 0)
    return store_err(s, NB_EINVAL,
                     "draft_state is neither pending nor private");
  if (ds[0] && status == STORE_PUBLISHED)
    return store_err(s, NB_EINVAL, "nothing published has a draft_state");
  return NB_OK;
}

void *store_grow(arena_t *a, void *items, size_t *cap, size_t n, size_t size) {
  size_t ncap;
  void *p;

  if (n < *cap)
    return items;
  ncap = *cap ? *cap * 2 : 16;
  if (ncap > SIZE_MAX / size)
    return NULL;
  p = arena_alloc(a, ncap * size);
  if (!p)
    return NULL;
  if (n)
    memcpy(p, items, n * size);
  *cap = ncap;
  return p;
}

void *q_grow(store_q *q, arena_t *a, void *items, size_t *cap, size_t n,
             size_t size) {
  void *p = store_grow(a, items, cap, n, size);

  if (!p)
    q_err(q, NB_ENOMEM, "out of memory");
  return p;
}
