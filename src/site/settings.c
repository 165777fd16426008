/* settings.c: site_conf, the settings a render reads once. The settings
 * naba knows, their defaults and checks live in store/settings.c
 * (store_setting_defs), where the CLI and the newsroom use them too. */
#include "site/internal.h"
#include "site/site.h"

#include <stdio.h>
#include <string.h>

#include "arabic/arabic.h"

/* ---- site_conf: the settings of one render ---- */

/* The stored value of key among kv, else its default. */
static const char *conf_get(const store_kv *kv, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(kv[i].key, key) == 0)
      return kv[i].value;
  return store_setting_find(key)->fallback;
}

/* A number setting; a stored value that no longer passes the check (it
 * was valid when set) falls back to the default. */
static int64_t conf_int(const store_kv *kv, size_t n, const char *key) {
  const char *v = conf_get(kv, n, key);
  int64_t r;
  char err[8];
  if (store_setting_check(key, v, err, sizeof err) != NB_OK ||
      nb_parse_i64(v, strlen(v), INT64_MIN, INT64_MAX, &r) != NB_OK)
    v = store_setting_find(key)->fallback;
  nb_parse_i64(v, strlen(v), INT64_MIN, INT64_MAX, &r);
  return r;
}

/* The settings' strings point into kv, which must outlive c. */
static void conf_parse(const store_kv *kv, size_t n, site_conf *c) {
  c->name = conf_get(kv, n, "site_name");
  c->description = conf_get(kv, n, "site_description");
  c->url = conf_get(kv, n, "site_url");
  c->logo = conf_get(kv, n, "logo_url");
  c->locale = conf_get(kv, n, "locale");
  c->tz = conf_get(kv, n, "timezone");
  c->breaking = conf_get(kv, n, "breaking_news");
  c->per_page = conf_int(kv, n, "per_page");
  c->feed_full = strcmp(conf_get(kv, n, "feed_content"), "excerpt") != 0;
  c->feed_items = conf_int(kv, n, "feed_items");
  c->moderation = conf_get(kv, n, "comment_moderation");
  c->blocked = conf_get(kv, n, "comment_blocked_words");
  c->proxies = conf_get(kv, n, "trusted_proxies");
  c->depth = conf_int(kv, n, "comment_depth");
  c->close_days = conf_int(kv, n, "comments_close_days");
  c->min_seconds = conf_int(kv, n, "comment_min_seconds");
  c->rate_limit = conf_int(kv, n, "comment_rate_limit");
  c->token_minutes = conf_int(kv, n, "comment_token_minutes");
  c->max_length = conf_int(kv, n, "comment_max_length");
  c->max_links = conf_int(kv, n, "comment_max_links");
}

/* The follow links: jansson values, so made in each render's arena. */
static void conf_follow(const store_kv *kv, size_t n, site_conf *c) {
  static const char *follow[][2] = {
      {"whatsapp", "whatsapp_channel"}, {"google_news", "google_news_url"},
      {"facebook", "facebook_url"},     {"x", "x_url"},
      {"telegram", "telegram_url"},     {"youtube", "youtube_url"},
      {"instagram", "instagram_url"},
  };
  c->follow = json_object();
  c->has_follow = 0;
  for (size_t i = 0; i < sizeof follow / sizeof follow[0]; i++) {
    const char *v = conf_get(kv, n, follow[i][1]);
    view_str(c->follow, follow[i][0], v);
    c->has_follow |= v[0] != '\0';
  }
}

int site_conf_load(store *st, arena_t *a, site_conf *c) {
  return site_conf_load_memo(st, a, NULL, c);
}

static int same_kv(const site_conf_memo *m, const store_kv *kv, size_t n) {
  if (!m->ok || m->n != n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (strcmp(m->kv[i].key, kv[i].key) != 0 ||
        strcmp(m->kv[i].value, kv[i].value) != 0)
      return 0;
  return 1;
}

/* Keeps a copy of kv and what it parses to in m, for the next render. */
static void memo_keep(site_conf_memo *m, const store_kv *kv, size_t n) {
  m->ok = 0;
  arena_free(&m->a);
  m->kv = n ? arena_alloc(&m->a, n * sizeof *m->kv) : NULL;
  if (n && !m->kv)
    return;
  for (size_t i = 0; i < n; i++) {
    m->kv[i].key = arena_strdup(&m->a, kv[i].key);
    m->kv[i].value = arena_strdup(&m->a, kv[i].value);
    if (!m->kv[i].key || !m->kv[i].value)
      return;
  }
  m->n = n;
  conf_parse(m->kv, n, &m->c);
  m->ok = 1;
}

int site_conf_load_memo(store *st, arena_t *a, site_conf_memo *m,
                        site_conf *c) {
  store_kv *kv = NULL;
  size_t n = 0;
  int rc = st ? store_settings_all(st, a, &kv, &n) : NB_EIO;
  if (rc != NB_OK)
    n = 0; /* the defaults, for the error page */
  /* The settings are read on every render, so a change by any process
   * shows at once; checking eleven of them again was most of the cost. */
  if (m && rc == NB_OK && !same_kv(m, kv, n))
    memo_keep(m, kv, n);
  if (m && rc == NB_OK && m->ok)
    *c = m->c;
  else
    conf_parse(kv, n, c);
  conf_follow(kv, n, c);
  return rc;
}

void site_conf_memo_free(site_conf_memo *m) {
  arena_free(&m->a);
  m->ok = 0;
}
