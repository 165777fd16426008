/* store/settings.c: the site's settings, as keys and values (defaults and
 * validation live above, in site/). */
#include "store/internal.h"

int store_setting_get(store *s, arena_t *a, const char *key,
                      const char **value) {
  store_q q;

  *value = NULL;
  q_open(&q, s, "SELECT value FROM settings WHERE key = ?1");
  q_text(&q, 1, key);
  if (q_step(&q))
    *value = q_col_str(&q, a, 0);
  if (q_done(&q) != NB_OK)
    *value = NULL;
  return q.rc;
}

/* Sets (value non-NULL) or removes a setting, recording "site" if that
 * changed the table. */
static int setting_write(store *s, const char *key, const char *value) {
  store_q q;
  int rc, changed;

  if (!key)
    return store_err(s, NB_EINVAL, "setting key is required");
  rc = store_check_text(s, key, "setting key");
  if (rc == NB_OK)
    rc = store_check_text(s, value, "setting value");
  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  if (value) {
    q_open(&q, s,
           "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)"
           " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
           " updated_at = excluded.updated_at");
    q_text(&q, 2, value);
    q_i64(&q, 3, nb_now());
  } else {
    q_open(&q, s, "DELETE FROM settings WHERE key = ?1");
  }
  q_text(&q, 1, key);
  q_step(&q);
  changed = q_changes(&q) > 0;
  rc = q_done(&q);
  if (rc == NB_OK && changed) {
    rc = store_change(s, "site");
    if (rc == NB_OK)
      rc = store_changes_trim(s);
  }
  return store_w_end(s, rc);
}

int store_setting_set(store *s, const char *key, const char *value) {
  if (!value)
    return store_err(s, NB_EINVAL, "setting value is required");
  return setting_write(s, key, value);
}

int store_setting_unset(store *s, const char *key) {
  return setting_write(s, key, NULL);
}

int store_settings_all(store *s, arena_t *a, store_kv **out, size_t *n) {
  store_kv *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;
  int rc;

  q_open(&q, s, "SELECT key, value FROM settings ORDER BY key");
  while (q_step(&q) &&
         (items = q_grow(&q, a, items, &cap, len, sizeof *items))) {
    items[len].key = q_col_str(&q, a, 0);
    items[len++].value = q_col_str(&q, a, 1);
  }
  rc = q_done(&q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}
