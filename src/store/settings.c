/* store/settings.c: the site's settings: the ones naba knows, their
 * defaults and checks (one table, for the CLI, the site and the newsroom),
 * and their values as keys and values. */
#include "store/internal.h"

#include <stdio.h>
#include <string.h>

#include "arabic/arabic.h"

/* ---- the settings naba knows ----
 * The help lines are marked for translation: the newsroom shows them in
 * its reader's language, `naba settings list` as written here. */
static const store_setting_def settings[] = {
    {"site_name", "نبأ", N_("the site's name, in the header and titles")},
    {"site_description", "أخبار تفتح في لحظة، وبحث يفهم العربية",
     N_("one line under the name and in search results")},
    {"site_url", "http://127.0.0.1:8080",
     N_("public base URL for canonical links and sharing, no trailing /")},
    {"logo_url", "", N_("logo image URL; empty shows the name as text")},
    {"locale", "ar-MA",
     N_("date language and country: ar-MA, ar-EG, ar-SA, ar-LB…")},
    /* Not Africa/Casablanca: the tz data on Debian 12 predates Morocco's
     * move to permanent UTC+00 on 2026-09-20 and would show +01. */
    {"timezone", "+00:00",
     N_("IANA zone (Africa/Cairo) or fixed offset (+01:00) for shown times")},
    {"per_page", "12", N_("articles per section page, 1 to 100")},
    {"feed_content", "full",
     N_("full: feeds carry whole articles; excerpt: the summary only")},
    {"feed_items", "20", N_("articles in each feed, 1 to 100")},
    {"breaking_news", "", N_("breaking-news strip text; empty hides it")},
    {"whatsapp_channel", "", N_("WhatsApp channel URL to follow the site")},
    {"google_news_url", "", N_("Google News publication URL")},
    {"facebook_url", "", N_("Facebook page URL")},
    {"x_url", "", N_("X (Twitter) account URL")},
    {"telegram_url", "", N_("Telegram channel URL")},
    {"youtube_url", "", N_("YouTube channel URL")},
    {"instagram_url", "", N_("Instagram account URL")},
    {"comment_moderation", "all",
     N_("all: every comment waits for approval; known: readers with an "
        "approved "
        "comment (same name and e-mail) skip it")},
    {"comment_depth", "3", N_("how deep replies nest, 1 to 10")},
    {"comments_close_days", "0",
     N_("close comments this many days after publication; 0 never")},
    {"comment_min_seconds", "3",
     N_("a form sent sooner than this after its token was issued is refused")},
    {"comment_token_minutes", "60",
     N_("minutes a reader's comment form stays valid, 5 to 1440")},
    {"comment_rate_limit", "5",
     N_("comments per client in 10 minutes; 0 turns the limit off")},
    {"comment_max_length", "5000",
     N_("characters in a comment, 100 to 100000")},
    {"comment_max_links", "2", N_("links in a comment; more is refused")},
    {"comment_blocked_words", "",
     N_("comma-separated words or phrases that send a comment to spam")},
    {"trusted_proxies", "",
     N_("comma-separated proxy IPs whose X-Forwarded-For names the client")},
};

const store_setting_def *store_setting_defs(size_t *n) {
  *n = sizeof settings / sizeof settings[0];
  return settings;
}

const store_setting_def *store_setting_find(const char *key) {
  for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
    if (strcmp(settings[i].key, key) == 0)
      return &settings[i];
  return NULL;
}

static int is_url(const char *v) {
  return strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0;
}

int store_setting_check(const char *key, const char *value, char *err,
                        size_t errlen) {
  size_t n = strlen(value);
  if (!store_setting_find(key)) {
    snprintf(err, errlen, "unknown setting \"%s\" (see: naba settings list)",
             key);
    return NB_EINVAL;
  }
  if (n > 2000 || !utf8_valid(value, n)) {
    snprintf(err, errlen, "%s: not valid UTF-8 text of at most 2000 bytes",
             key);
    return NB_EINVAL;
  }
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)value[i] < 0x20) {
      snprintf(err, errlen, "%s: control characters are not allowed", key);
      return NB_EINVAL;
    }
  if (strcmp(key, "locale") == 0 && !ar_locale_valid(value)) {
    snprintf(err, errlen, "locale: \"%s\" is not a locale ICU knows", value);
    return NB_EINVAL;
  }
  if (strcmp(key, "timezone") == 0 && !ar_timezone_valid(value)) {
    snprintf(err, errlen,
             "timezone: \"%s\" is neither an IANA zone nor an offset like "
             "+01:00",
             value);
    return NB_EINVAL;
  }
  static const struct {
    const char *key;
    int64_t min, max;
  } numbers[] = {{"per_page", 1, 100},
                 {"feed_items", 1, 100},
                 {"comment_depth", 1, 10},
                 {"comments_close_days", 0, 36500},
                 {"comment_min_seconds", 0, 3600},
                 {"comment_rate_limit", 0, 10000},
                 {"comment_token_minutes", 5, 1440},
                 {"comment_max_length", 100, 100000},
                 {"comment_max_links", 0, 100}};
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
    int64_t v;
    if (strcmp(key, numbers[i].key) == 0 &&
        nb_parse_i64(value, n, numbers[i].min, numbers[i].max, &v) != NB_OK) {
      snprintf(err, errlen, "%s: a whole number from %lld to %lld", key,
               (long long)numbers[i].min, (long long)numbers[i].max);
      return NB_EINVAL;
    }
  }
  if (strcmp(key, "comment_moderation") == 0 && strcmp(value, "all") != 0 &&
      strcmp(value, "known") != 0) {
    snprintf(err, errlen, "comment_moderation: all or known");
    return NB_EINVAL;
  }
  if (strcmp(key, "feed_content") == 0 && strcmp(value, "full") != 0 &&
      strcmp(value, "excerpt") != 0) {
    snprintf(err, errlen, "feed_content: full or excerpt");
    return NB_EINVAL;
  }
  if (strcmp(key, "site_name") == 0 && n == 0) {
    snprintf(err, errlen, "site_name: must not be empty");
    return NB_EINVAL;
  }
  int url_key = strcmp(key, "site_url") == 0 || strstr(key, "_url") ||
                strcmp(key, "whatsapp_channel") == 0;
  if (url_key && n > 0 && !is_url(value)) {
    snprintf(err, errlen, "%s: must start with https:// or http://", key);
    return NB_EINVAL;
  }
  if (strcmp(key, "site_url") == 0 && (n == 0 || value[n - 1] == '/')) {
    snprintf(err, errlen, "site_url: give it without a trailing /");
    return NB_EINVAL;
  }
  return NB_OK;
}

/* ---- stored values ---- */

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
