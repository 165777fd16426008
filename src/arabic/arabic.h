/* arabic: Arabic-aware text services that know nothing of HTTP or SQL.
 *
 * Slugs for URLs, and dates in the site's locale and time zone through ICU
 * (CLDR month names: ar-MA writes "24 نونبر 2021"). */
#ifndef NABA_ARABIC_H
#define NABA_ARABIC_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* Appends a URL slug for the title s[0..n) to out: letters (Arabic and
 * Latin) and digits kept, Latin lowercased and stripped of accents, Arabic
 * harakat, shadda and tatweel removed, Arabic-Indic digits made ASCII, every
 * run of anything else one "-", no leading or trailing "-". The slug is cut
 * at a word boundary so that its percent-encoded form is at most
 * max_encoded bytes (a single first word longer than that is cut at a
 * character boundary). Returns NB_EINVAL for invalid UTF-8 or when nothing
 * is left (the caller then picks a fallback such as the id). */
int ar_slug(const char *s, size_t n, size_t max_encoded, buf_t *out);

/* Default for ar_slug's max_encoded. */
#define AR_SLUG_MAX 200

/* Locale: a BCP 47 tag or ICU id ("ar-MA", "ar_EG", "ar-SA"); 1 if ICU has
 * data for it. "ar-SA" formats in the Gregorian calendar (ICU's default
 * there is the Umm al-Qura calendar). */
int ar_locale_valid(const char *locale);

/* Time zone: an IANA name ("Africa/Casablanca") or a fixed offset
 * ("+01:00", "-03:30", "+1", "UTC", "UTC+1", "GMT+01:00"). Fixed offsets
 * exist because tz data can lag behind a country's change (Morocco moved to
 * permanent UTC+00 on 2026-09-20). 1 if valid. */
int ar_timezone_valid(const char *tz);

/* Formats Unix time t with an ICU pattern ("d MMMM y", "d MMMM y HH:mm") in
 * locale and tz, appending UTF-8 to out. Formatters are cached per thread;
 * safe from many threads. NB_EINVAL for an unknown locale or zone. */
int ar_date_format(const char *locale, const char *tz, const char *pattern,
                   int64_t t, buf_t *out);

/* The Unix time of a wall-clock time in tz: text is "YYYY-MM-DDTHH:MM"
 * or "YYYY-MM-DDTHH:MM:SS" (what <input type="datetime-local"> sends),
 * year 1970 or later. A time
 * a change of clocks skips or repeats gets ICU's choice (the later offset
 * for a gap, the first for an overlap). NB_EINVAL for any other text, a
 * date that does not exist (31 April) or an unknown zone. */
int ar_local_time(const char *tz, const char *text, int64_t *t);

/* ISO 8601 with the zone's offset at t: "2021-11-24T09:00:00+01:00". */
int ar_date_iso(const char *tz, int64_t t, buf_t *out);

/* ---- matching: one normalizer for indexing and querying ----
 * Displayed text is never changed: these make keys for matching only. */

/* Appends the matching form of s[0..n): NFKC; bidi and zero-width
 * controls, tatweel, harakat and Quranic marks removed; alef forms, ى/ی,
 * ة, ؤ, ئ and Persian/Maghrebi letter variants folded; Arabic-Indic and
 * Persian digits made ASCII; Latin case-folded without accents.
 * NB_EINVAL for invalid UTF-8. */
int ar_normalize(const char *s, size_t n, buf_t *out);

/* Calls fn for each word of s[0..n) with its byte range [start, end) in s
 * itself (so that highlights can be put on the original text). A word is a
 * run of letters, digits and the marks inside them (harakat, tatweel,
 * zero-width joiners); everything else separates words. Stops and returns
 * fn's value when it is not NB_OK. NB_EINVAL for invalid UTF-8. */
typedef int (*ar_token_fn)(void *ctx, const char *s, size_t start, size_t end);
int ar_tokenize(const char *s, size_t n, ar_token_fn fn, void *ctx);

/* Whether a normalized word is known (in a lexicon or an index's
 * vocabulary); lets the stemmer decide if a leading و or ف is a prefix. */
typedef int (*ar_known_fn)(void *ctx, const char *w, size_t n);

/* Appends the stem of a normalized word (ar_normalize's output): clitic
 * prefixes (و ف ب ك ل ال وال بال كال فال لل) removed when what remains is
 * a word, then Snowball's Arabic stemmer, guarded against over-stemming
 * (وزير stays وزير, ولاية does not become لا). Latin words and numbers are
 * appended unchanged. known may be NULL. Safe from many threads. */
int ar_stem(const char *w, size_t n, ar_known_fn known, void *ctx, buf_t *out);

#endif
