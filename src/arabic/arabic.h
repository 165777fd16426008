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

/* ISO 8601 with the zone's offset at t: "2021-11-24T09:00:00+01:00". */
int ar_date_iso(const char *tz, int64_t t, buf_t *out);

#endif
