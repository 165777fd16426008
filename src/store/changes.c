/* store/changes.c: the change log for cache invalidation.
 *
 * Every write records, in its own transaction, the cache tags it touched;
 * a server polls store_changes_since() to drop its cached pages, also when
 * the write came from another process. */
#include <stdio.h>

#include "store/internal.h"

/* The change log keeps this many newest rows. */
#define CHANGES_KEEP 10000

int store_change(store *s, const char *tag) {
  store_q q;

  q_open(&q, s, "INSERT INTO changes (tag, at) VALUES (?1, ?2)");
  q_text(&q, 1, tag);
  q_i64(&q, 2, nb_now());
  q_step(&q);
  return q_done(&q);
}

int store_change_id(store *s, const char *kind, int64_t id) {
  char tag[64];

  snprintf(tag, sizeof tag, "%s:%lld", kind, (long long)id);
  return store_change(s, tag);
}

int store_changes_trim(store *s) {
  store_q q;

  q_open(&q, s,
         "DELETE FROM changes WHERE id <= (SELECT max(id) FROM changes) - ?1");
  q_i64(&q, 1, CHANGES_KEEP);
  q_step(&q);
  return q_done(&q);
}

/* The one integer of a query without parameters. */
static int one_i64(store *s, const char *sql, int64_t *v) {
  store_q q;

  q_open(&q, s, sql);
  if (q_step(&q))
    *v = q_col_i64(&q, 0);
  else
    q_err(&q, NB_EIO, "query returned no row");
  return q_done(&q);
}

int store_data_version(store *s, int64_t *v) {
  return one_i64(s, "PRAGMA data_version", v);
}

int store_changes_head(store *s, int64_t *head) {
  return one_i64(s, "SELECT coalesce(max(id), 0) FROM changes", head);
}

/* Tags are committed in id order with no gaps (one writer at a time, and
 * AUTOINCREMENT rolls back with its transaction), so a first id above
 * after + 1 means rows the caller never saw were trimmed: it gets "*",
 * everything may have changed, and resumes from the head. */
int store_changes_since(store *s, arena_t *a, int64_t after, size_t max,
                        const char ***tags, size_t *n, int64_t *last) {
  const char **items = NULL;
  size_t cap = 0, len = 0;
  int64_t id = after, row;
  int gap = 0, rc;
  store_q q;

  *tags = NULL;
  *n = 0;
  *last = after;
  if (max == 0)
    return NB_OK;
  q_open(&q, s,
         "SELECT id, tag FROM changes WHERE id > ?1 ORDER BY id LIMIT ?2");
  q_i64(&q, 1, after);
  q_i64(&q, 2, max > INT64_MAX ? INT64_MAX : (int64_t)max);
  while (!gap && q_step(&q)) {
    row = q_col_i64(&q, 0);
    gap = len == 0 && row - 1 > after && after >= 0;
    if (!gap && (items = q_grow(&q, a, items, &cap, len, sizeof *items))) {
      items[len++] = q_col_str(&q, a, 1);
      id = row;
    }
  }
  rc = q_done(&q);
  if (rc == NB_OK && gap) {
    rc = store_changes_head(s, &id);
    items = rc == NB_OK ? arena_alloc(a, sizeof *items) : NULL;
    if (rc == NB_OK && !items)
      return NB_ENOMEM;
    if (items)
      items[0] = "*";
    len = 1;
  }
  if (rc != NB_OK)
    return rc;
  *tags = items;
  *n = len;
  *last = id;
  return NB_OK;
}

/* Appends tag to the arena array items; NULL when out of memory. */
static const char **tag_add(arena_t *a, const char **items, size_t *cap,
                            size_t *len, const char *tag) {
  items = store_grow(a, items, cap, *len, sizeof *items);
  if (items && tag)
    items[(*len)++] = tag;
  return tag ? items : NULL;
}

int store_due_tags(store *s, arena_t *a, int64_t after, int64_t upto,
                   const char ***tags, size_t *n) {
  static const char *const kinds[3] = {"article", "section", "author"};
  const char **items = NULL;
  size_t cap = 0, len = 0;
  store_q q;
  int rc;

  *tags = NULL;
  *n = 0;
  q_open(&q, s,
         "SELECT id, section_id, coalesce(author_id, 0) FROM articles"
         " WHERE status = 1 AND published_at > ?1 AND published_at <= ?2"
         " ORDER BY published_at LIMIT 256");
  q_i64(&q, 1, after);
  q_i64(&q, 2, upto);
  while (q_step(&q)) {
    for (int k = 0; q.rc == NB_OK && k < 3; k++) {
      int64_t id = q_col_i64(&q, k);
      if (id != 0 && !(items = tag_add(a, items, &cap, &len,
                                       arena_printf(a, "%s:%lld", kinds[k],
                                                    (long long)id))))
        q_err(&q, NB_ENOMEM, "out of memory");
    }
  }
  rc = q_done(&q);
  if (rc == NB_OK && len > 0) {
    items = tag_add(a, items, &cap, &len, "home");
    if (items)
      items = tag_add(a, items, &cap, &len, "feeds");
    rc = items ? NB_OK : NB_ENOMEM;
  }
  if (rc != NB_OK)
    return rc;
  *tags = items;
  *n = len;
  return NB_OK;
}
