/* settings.c: the site settings naba knows, their defaults and checks,
 * and site_conf, the settings a render reads once. Values live in the
 * store; these rules keep a typo from breaking pages. */
#include "site/internal.h"
#include "site/site.h"

#include <stdio.h>
#include <string.h>

#include "arabic/arabic.h"

static const site_setting settings[] = {
    {"site_name", "نبأ", "the site's name, in the header and titles"},
    {"site_description", "أخبار تفتح في لحظة، وبحث يفهم العربية",
     "one line under the name and in search results"},
    {"site_url", "http://127.0.0.1:8080",
     "public base URL for canonical links and sharing, no trailing /"},
    {"logo_url", "", "logo image URL; empty shows the name as text"},
    {"locale", "ar-MA",
     "date language and country: ar-MA, ar-EG, ar-SA, ar-LB…"},
    /* Not Africa/Casablanca: the tz data on Debian 12 predates Morocco's
     * move to permanent UTC+00 on 2026-09-20 and would show +01. */
    {"timezone", "+00:00",
     "IANA zone (Africa/Cairo) or fixed offset (+01:00) for shown times"},
    {"per_page", "12", "articles per section page, 1 to 100"},
    {"feed_content", "full",
     "full: feeds carry whole articles; excerpt: the summary only"},
    {"feed_items", "20", "articles in each feed, 1 to 100"},
    {"breaking_news", "", "breaking-news strip text; empty hides it"},
    {"whatsapp_channel", "", "WhatsApp channel URL to follow the site"},
    {"google_news_url", "", "Google News publication URL"},
    {"facebook_url", "", "Facebook page URL"},
    {"x_url", "", "X (Twitter) account URL"},
    {"telegram_url", "", "Telegram channel URL"},
    {"youtube_url", "", "YouTube channel URL"},
    {"instagram_url", "", "Instagram account URL"},
    {"comment_moderation", "all",
     "all: every comment waits for approval; known: readers with an approved "
     "comment (same name and e-mail) skip it"},
    {"comment_depth", "3", "how deep replies nest, 1 to 10"},
    {"comments_close_days", "0",
     "close comments this many days after publication; 0 never"},
    {"comment_min_seconds", "3",
     "a form sent sooner than this after its token was issued is refused"},
    {"comment_token_minutes", "60",
     "minutes a reader's comment form stays valid, 5 to 1440"},
    {"comment_rate_limit", "5",
     "comments per client in 10 minutes; 0 turns the limit off"},
    {"comment_max_length", "5000", "characters in a comment, 100 to 100000"},
    {"comment_max_links", "2", "links in a comment; more is refused"},
    {"comment_blocked_words", "",
     "comma-separated words or phrases that send a comment to spam"},
    {"trusted_proxies", "",
     "comma-separated proxy IPs whose X-Forwarded-For names the client"},
};

const site_setting *site_settings(size_t *n) {
  *n = sizeof settings / sizeof settings[0];
  return settings;
}

const site_setting *site_setting_find(const char *key) {
  for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
    if (strcmp(settings[i].key, key) == 0)
      return &settings[i];
  return NULL;
}

static int is_url(const char *v) {
  return strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0;
}

int site_setting_check(const char *key, const char *value, char *err,
                       size_t errlen) {
  size_t n = strlen(value);
  if (!site_setting_find(key)) {
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

/* ---- site_conf: the settings of one render ---- */

/* The stored value of key among kv, else its default. */
static const char *conf_get(const store_kv *kv, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(kv[i].key, key) == 0)
      return kv[i].value;
  return site_setting_find(key)->fallback;
}

/* A number setting; a stored value that no longer passes the check (it
 * was valid when set) falls back to the default. */
static int64_t conf_int(const store_kv *kv, size_t n, const char *key) {
  const char *v = conf_get(kv, n, key);
  int64_t r;
  char err[8];
  if (site_setting_check(key, v, err, sizeof err) != NB_OK ||
      nb_parse_i64(v, strlen(v), INT64_MIN, INT64_MAX, &r) != NB_OK)
    v = site_setting_find(key)->fallback;
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
