/* dates: locales, time zones and date formatting through ICU.
 *
 * Site settings name a locale and a time zone; both are checked here before
 * ICU sees them, because ICU itself accepts anything and silently falls back
 * (an unknown locale formats in the process default, an unknown zone in
 * GMT). udat_open is slow and a UDateFormat must not be shared between
 * threads, so each thread keeps a few formatters of its own. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

#include "arabic/arabic.h"

#define LOCALE_MAX 100 /* bytes of a locale setting, well under ICU's 157 */
#define TZ_MAX 64      /* bytes of a zone setting */
#define PATTERN_MAX 256
#define OFFSET_MAX (14 * 60) /* minutes: Kiribati is UTC+14 */
#define CACHE_SIZE 8
/* Formatted results kept per formatter: a page shows the same few dates
 * (the article, its related and latest lists) on every render, and ICU
 * takes ~14k instructions for each. */
#define MEMO_SLOTS 32
#define MEMO_BYTES 62

/* Years 0001 to 9999, so ISO 8601 always has four digits. */
#define T_MIN (-62135596800LL)
#define T_MAX 253402300799LL

#define ISO_LOCALE "en_US_POSIX"
#define ISO_PATTERN "yyyy-MM-dd'T'HH:mm:ssxxx"

/* ---- locales ---- */

static int in_list(const char *s, const char *(*get)(int32_t), int32_t n) {
  for (int32_t i = 0; i < n; i++)
    if (strcmp(s, get(i)) == 0)
      return 1;
  return 0;
}

static const char *iso_country(int32_t i) {
  return uloc_getISOCountries()[i];
}

static int32_t iso_country_count(void) {
  int32_t n = 0;
  for (const char *const *p = uloc_getISOCountries(); *p; p++)
    n++;
  return n;
}

/* 1 if ICU has locale data for the language (and script) of id, and its
 * region is a real one: "ar_MA", "fr_US" yes; "xx_YY", "ar_XX", "" no. */
static int locale_has_data(const char *id) {
  char base[ULOC_FULLNAME_CAPACITY], lang[ULOC_LANG_CAPACITY];
  char script[ULOC_SCRIPT_CAPACITY], country[ULOC_COUNTRY_CAPACITY];
  char variant[ULOC_FULLNAME_CAPACITY];
  UErrorCode err = U_ZERO_ERROR;
  uloc_getBaseName(id, base, sizeof base, &err);
  uloc_getLanguage(id, lang, sizeof lang, &err);
  uloc_getScript(id, script, sizeof script, &err);
  uloc_getCountry(id, country, sizeof country, &err);
  uloc_getVariant(id, variant, sizeof variant, &err);
  if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING)
    return 0;
  int32_t navail = uloc_countAvailable();
  if (lang[0] == '\0')
    return 0;
  if (in_list(base, uloc_getAvailable, navail))
    return 1;
  /* Not a locale of its own: ICU falls back to the language, which is
   * right if the region exists ("fr_US") and wrong for a typo ("ar_XX"). */
  if (variant[0] || !in_list(lang, uloc_getAvailable, navail))
    return 0;
  if (script[0]) {
    char ls[ULOC_LANG_CAPACITY + ULOC_SCRIPT_CAPACITY + 1];
    memcpy(ls, lang, strlen(lang));
    ls[strlen(lang)] = '_';
    memcpy(ls + strlen(lang) + 1, script, strlen(script) + 1);
    if (!in_list(ls, uloc_getAvailable, navail))
      return 0;
  }
  if (country[0] && !in_list(country, iso_country, iso_country_count()))
    return 0;
  return 1;
}

/* Only the characters of ICU ids and BCP 47 tags, so ICU never has to make
 * sense of "ar_MA; drop table". */
static int locale_chars_ok(const char *s) {
  int keywords = 0;
  for (; *s; s++) {
    char c = *s;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '_' || c == '-')
      continue;
    if (c == '@' && !keywords)
      keywords = 1;
    else if (!keywords || (c != '=' && c != ';'))
      return 0;
  }
  return 1;
}

/* Turns a locale setting into the ICU id the formatter is opened with:
 * "ar-SA" -> "ar_SA@calendar=gregorian". News is dated in the Gregorian
 * calendar everywhere unless the setting names another calendar. */
static int locale_resolve(const char *in, char out[ULOC_FULLNAME_CAPACITY]) {
  UErrorCode err = U_ZERO_ERROR;
  size_t n = in ? strnlen(in, LOCALE_MAX) : 0;
  if (n == 0 || n >= LOCALE_MAX || !locale_chars_ok(in))
    return NB_EINVAL;
  if (strchr(in, '-') && !strchr(in, '_') && !strchr(in, '@')) {
    int32_t parsed = 0;
    uloc_forLanguageTag(in, out, ULOC_FULLNAME_CAPACITY, &parsed, &err);
    if (U_FAILURE(err) || (size_t)parsed != n)
      return NB_EINVAL;
  } else {
    uloc_canonicalize(in, out, ULOC_FULLNAME_CAPACITY, &err);
  }
  if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING)
    return NB_EINVAL;
  if (!locale_has_data(out))
    return NB_EINVAL;
  char cal[ULOC_KEYWORDS_CAPACITY];
  int32_t k = uloc_getKeywordValue(out, "calendar", cal, sizeof cal, &err);
  if (U_FAILURE(err))
    return NB_EINVAL;
  if (k == 0) {
    uloc_setKeywordValue("calendar", "gregorian", out, ULOC_FULLNAME_CAPACITY,
                         &err);
    if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING)
      return NB_EINVAL;
  }
  return NB_OK;
}

int ar_locale_valid(const char *locale) {
  char id[ULOC_FULLNAME_CAPACITY];
  return locale_resolve(locale, id) == NB_OK;
}

/* ---- time zones ---- */

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

static int prefix_ci(const char *s, const char *p) {
  for (; *p; s++, p++)
    if ((*s | 0x20) != (*p | 0x20))
      return 0;
  return 1;
}

/* Parses a fixed offset: "Z", "UTC", "GMT", optionally followed by (or
 * just) "+1", "+01", "+1:30", "+01:00", "+0100". Returns 1 and the offset in
 * minutes, 0 if s is no offset at all, -1 if it is a malformed one. */
static int parse_offset(const char *s, int *minutes) {
  int named = 0;
  *minutes = 0;
  if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0')
    return 1;
  if (prefix_ci(s, "UTC") || prefix_ci(s, "GMT")) {
    s += 3;
    named = 1;
    if (*s == '\0')
      return 1;
  }
  if (*s != '+' && *s != '-')
    return named ? -1 : 0;
  int sign = *s++ == '-' ? -1 : 1;
  int h = 0, m = 0;
  if (!is_digit(s[0]))
    return -1;
  if (is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '\0') {
    h = (s[0] - '0') * 10 + (s[1] - '0'); /* +0100 */
    m = (s[2] - '0') * 10 + (s[3] - '0');
  } else {
    h = s[0] - '0';
    s++;
    if (is_digit(*s))
      h = h * 10 + (*s++ - '0');
    if (*s == ':') {
      if (!is_digit(s[1]) || !is_digit(s[2]))
        return -1;
      m = (s[1] - '0') * 10 + (s[2] - '0');
      s += 3;
    }
    if (*s != '\0')
      return -1;
  }
  if (m >= 60 || h * 60 + m > OFFSET_MAX)
    return -1;
  *minutes = sign * (h * 60 + m);
  return 1;
}

/* Turns a zone setting into the zone id the formatter is opened with:
 * fixed offsets become ICU custom zones ("GMT+01:00"), IANA names their
 * canonical form. */
static int tz_resolve(const char *in, UChar out[TZ_MAX]) {
  size_t n = in ? strnlen(in, TZ_MAX) : 0;
  if (n == 0 || n >= TZ_MAX)
    return NB_EINVAL;
  int minutes, r = parse_offset(in, &minutes);
  if (r < 0)
    return NB_EINVAL;
  if (r > 0) {
    int a = minutes < 0 ? -minutes : minutes;
    char id[16] = "GMT+00:00";
    id[3] = minutes < 0 ? '-' : '+';
    id[4] = (char)('0' + a / 60 / 10);
    id[5] = (char)('0' + a / 60 % 10);
    id[7] = (char)('0' + a % 60 / 10);
    id[8] = (char)('0' + a % 60 % 10);
    u_charsToUChars(id, out, (int32_t)strlen(id) + 1);
    return NB_OK;
  }
  for (const char *p = in; *p; p++) {
    char c = *p;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
          c == '/' || c == '_' || c == '-' || c == '+'))
      return NB_EINVAL;
  }
  UChar name[TZ_MAX];
  u_charsToUChars(in, name, (int32_t)n + 1);
  UErrorCode err = U_ZERO_ERROR;
  UBool system = 0;
  int32_t k = ucal_getCanonicalTimeZoneID(name, (int32_t)n, out, TZ_MAX - 1,
                                          &system, &err);
  if (U_FAILURE(err) || !system || k <= 0 || k >= TZ_MAX)
    return NB_EINVAL;
  out[k] = 0;
  if (u_strcmp(out, u"Etc/Unknown") == 0)
    return NB_EINVAL;
  return NB_OK;
}

int ar_timezone_valid(const char *tz) {
  UChar id[TZ_MAX];
  return tz_resolve(tz, id) == NB_OK;
}

/* ---- per-thread formatter cache ---- */

typedef struct {
  int64_t t;
  unsigned char len; /* 0: empty */
  char text[MEMO_BYTES];
} memo_slot;

typedef struct {
  char *locale, *tz, *pattern; /* the settings as the caller wrote them */
  UDateFormat *fmt;
  uint64_t used;              /* for least-recently-used eviction */
  memo_slot memo[MEMO_SLOTS]; /* by a hash of t, sets of two */
} fmt_entry;

typedef struct {
  fmt_entry e[CACHE_SIZE];
  uint64_t clock;
} fmt_cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_key_ok;

static void entry_clear(fmt_entry *e) {
  if (e->fmt)
    udat_close(e->fmt);
  free(e->locale);
  free(e->tz);
  free(e->pattern);
  memset(e, 0, sizeof *e);
}

/* Runs at thread exit for every thread that formatted a date. */
static void cache_free(void *p) {
  fmt_cache *c = p;
  for (int i = 0; i < CACHE_SIZE; i++)
    entry_clear(&c->e[i]);
  free(c);
}

static void cache_init(void) {
  cache_key_ok = pthread_key_create(&cache_key, cache_free) == 0;
}

static fmt_cache *cache_get(void) {
  pthread_once(&cache_once, cache_init);
  if (!cache_key_ok)
    return NULL;
  fmt_cache *c = pthread_getspecific(cache_key);
  if (c)
    return c;
  c = calloc(1, sizeof *c);
  if (c && pthread_setspecific(cache_key, c) != 0) {
    free(c);
    c = NULL;
  }
  return c;
}

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

/* Opens a formatter after checking every setting. */
static int fmt_open(const char *locale, const char *tz, const char *pattern,
                    UDateFormat **out) {
  char loc[ULOC_FULLNAME_CAPACITY];
  UChar zone[TZ_MAX], pat[PATTERN_MAX + 1];
  UErrorCode err = U_ZERO_ERROR;
  int32_t plen;
  if (locale_resolve(locale, loc) != NB_OK || tz_resolve(tz, zone) != NB_OK)
    return NB_EINVAL;
  size_t n = strnlen(pattern, PATTERN_MAX + 1);
  if (n == 0 || n > PATTERN_MAX)
    return NB_EINVAL;
  u_strFromUTF8(pat, PATTERN_MAX + 1, &plen, pattern, (int32_t)n, &err);
  if (U_FAILURE(err))
    return NB_EINVAL; /* not UTF-8 */
  UDateFormat *f =
      udat_open(UDAT_PATTERN, UDAT_PATTERN, loc, zone, -1, pat, plen, &err);
  if (U_FAILURE(err))
    return err == U_MEMORY_ALLOCATION_ERROR ? NB_ENOMEM : NB_EINVAL;
  /* ISO 8601 dates are proleptic Gregorian: no Julian years before 1582.
   * Fails harmlessly for a locale that asked for another calendar. */
  UCalendar *cal = ucal_clone(udat_getCalendar(f), &err);
  if (U_SUCCESS(err)) {
    ucal_setGregorianChange(cal, -8.64e15, &err);
    if (U_SUCCESS(err))
      udat_setCalendar(f, cal);
    ucal_close(cal);
  }
  *out = f;
  return NB_OK;
}

/* Returns this thread's formatter for the settings, opening it on a miss.
 * The cache owns it; it stays valid until this thread's next call. */
static int fmt_get(const char *locale, const char *tz, const char *pattern,
                   fmt_entry **out) {
  fmt_cache *c = cache_get();
  if (!c)
    return NB_ENOMEM;
  fmt_entry *victim = &c->e[0];
  for (int i = 0; i < CACHE_SIZE; i++) {
    fmt_entry *e = &c->e[i];
    if (e->fmt && strcmp(e->locale, locale) == 0 && strcmp(e->tz, tz) == 0 &&
        strcmp(e->pattern, pattern) == 0) {
      e->used = ++c->clock;
      *out = e;
      return NB_OK;
    }
    if (!e->fmt || (victim->fmt && e->used < victim->used))
      victim = e;
  }
  UDateFormat *f;
  int rc = fmt_open(locale, tz, pattern, &f);
  if (rc != NB_OK)
    return rc;
  entry_clear(victim);
  victim->locale = dup_str(locale);
  victim->tz = dup_str(tz);
  victim->pattern = dup_str(pattern);
  victim->fmt = f;
  if (!victim->locale || !victim->tz || !victim->pattern) {
    entry_clear(victim);
    return NB_ENOMEM;
  }
  victim->used = ++c->clock;
  *out = victim;
  return NB_OK;
}

/* ---- formatting ---- */

static int format(UDateFormat *f, int64_t t, buf_t *out) {
  UChar small[128], *u = small;
  char small8[256], *u8 = small8;
  int rc = NB_OK;
  UErrorCode err = U_ZERO_ERROR;
  UDate d = (UDate)t * 1000.0;
  int32_t n = udat_format(f, d, u, 128, NULL, &err);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    u = malloc(((size_t)n + 1) * sizeof *u);
    if (!u)
      return NB_ENOMEM;
    err = U_ZERO_ERROR;
    n = udat_format(f, d, u, n + 1, NULL, &err);
  }
  if (U_FAILURE(err)) {
    rc = NB_EINVAL;
    goto done;
  }
  int32_t m;
  u_strToUTF8(u8, sizeof small8, &m, u, n, &err);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    u8 = malloc((size_t)m + 1);
    if (!u8) {
      rc = NB_ENOMEM;
      goto done;
    }
    err = U_ZERO_ERROR;
    u_strToUTF8(u8, m + 1, &m, u, n, &err);
  }
  if (U_FAILURE(err)) {
    rc = NB_EINVAL;
    goto done;
  }
  buf_append(out, u8, (size_t)m);
  if (out->oom)
    rc = NB_ENOMEM;
done:
  if (u != small)
    free(u);
  if (u8 != small8)
    free(u8);
  return rc;
}

int ar_date_format(const char *locale, const char *tz, const char *pattern,
                   int64_t t, buf_t *out) {
  fmt_entry *e;
  if (!locale || !tz || !pattern || t < T_MIN || t > T_MAX)
    return NB_EINVAL;
  int rc = fmt_get(locale, tz, pattern, &e);
  if (rc != NB_OK)
    return rc;
  /* Two ways per set, the later-used first: times an hour or a day apart
   * (every listing has them) share a set, and one way each kept
   * evicting the other. The hash spreads whole hours over the sets. */
  memo_slot *set = &e->memo[(((uint64_t)t * 0x9E3779B97F4A7C15ull) >> 59) %
                            (MEMO_SLOTS / 2) * 2];
  for (int w = 0; w < 2; w++) {
    memo_slot *m = &set[w];
    if (m->len && m->t == t) {
      buf_append(out, m->text, m->len);
      if (w) { /* now the later-used */
        memo_slot tmp = set[0];
        set[0] = set[1];
        set[1] = tmp;
      }
      return out->oom ? NB_ENOMEM : NB_OK;
    }
  }
  size_t before = out->len;
  rc = format(e->fmt, t, out);
  size_t n = out->len - before;
  if (rc == NB_OK && n > 0 && n <= MEMO_BYTES) {
    set[1] = set[0];
    memcpy(set[0].text, out->data + before, n);
    set[0].len = (unsigned char)n;
    set[0].t = t;
  }
  return rc;
}

int ar_date_iso(const char *tz, int64_t t, buf_t *out) {
  return ar_date_format(ISO_LOCALE, tz, ISO_PATTERN, t, out);
}

int ar_local_time(const char *tz, const char *text, int64_t *t) {
  int f[6] = {0};
  size_t n = text ? strlen(text) : 0;
  /* "YYYY-MM-DDTHH:MM[:SS]", what <input type="datetime-local"> sends
   * (seconds when its step asks for them; a space for the T passes). */
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  if (n != 16 && n != 19)
    return NB_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (shape[i] == 'd'
            ? !is_digit(text[i])
            : text[i] != shape[i] && !(shape[i] == 'T' && text[i] == ' '))
      return NB_EINVAL;
  static const int at[6] = {0, 5, 8, 11, 14, 17}, len[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < (n == 19 ? 6 : 5); i++)
    for (int k = 0; k < len[i]; k++)
      f[i] = f[i] * 10 + (text[at[i] + k] - '0');
  if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 ||
      f[3] > 23 || f[4] > 59 || f[5] > 59)
    return NB_EINVAL;
  UChar id[TZ_MAX];
  if (tz_resolve(tz, id) != NB_OK)
    return NB_EINVAL;
  UErrorCode err = U_ZERO_ERROR;
  UCalendar *cal = ucal_open(id, -1, "en", UCAL_GREGORIAN, &err);
  if (U_FAILURE(err))
    return NB_EINVAL;
  ucal_setAttribute(cal, UCAL_LENIENT, 0);
  ucal_setDateTime(cal, f[0], f[1] - 1, f[2], f[3], f[4], f[5], &err);
  UDate ms = ucal_getMillis(cal, &err); /* a day past its month: error */
  ucal_close(cal);
  if (U_FAILURE(err))
    return NB_EINVAL;
  *t = (int64_t)(ms / 1000);
  return NB_OK;
}
