/* Tests for src/arabic: slugs, locales, time zones and dates.
 *
 * The dates expected here are CLDR 42 as shipped with ICU 72 (Debian 12);
 * see shared/notes/icu-dates.md. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <unicode/uclean.h>

#include "arabic/arabic.h"

/* 2021-11-24T08:00:00Z */
#define T_NOV24 1637740800

/* ---- helpers ---- */

/* Returns the slug of title with limit max (the buffer is freed by the
 * caller), or NULL and *rc on failure. */
static char *slug(const char *title, size_t max, int *rc) {
  buf_t b = {0};
  int r = ar_slug(title, strlen(title), max, &b);
  if (rc)
    *rc = r;
  if (r != NB_OK) {
    buf_free(&b);
    return NULL;
  }
  return buf_take(&b, NULL);
}

static void assert_slug(const char *title, size_t max, const char *want) {
  int rc;
  char *got = slug(title, max, &rc);
  assert_int_equal(rc, NB_OK);
  assert_string_equal(got, want);
  free(got);
}

static void assert_slug_refused(const char *s, size_t n, size_t max) {
  buf_t b = {0};
  assert_int_equal(ar_slug(s, n, max, &b), NB_EINVAL);
  assert_int_equal(b.len, 0);
  buf_free(&b);
}

static size_t url_encoded_len(const char *s) {
  buf_t b = {0};
  buf_url_encode(&b, s, strlen(s));
  size_t n = b.len;
  buf_free(&b);
  return n;
}

static void assert_date(const char *locale, const char *tz, const char *pattern,
                        int64_t t, const char *want) {
  buf_t b = {0};
  assert_int_equal(ar_date_format(locale, tz, pattern, t, &b), NB_OK);
  assert_string_equal(b.data, want);
  buf_free(&b);
}

/* Results are remembered per time: times asked in turn (more than are
 * remembered, an hour apart as in a listing, 32 s apart as the slots once
 * were), and a date asked after a time, each get their own. */
static void remembered_dates_are_never_another_times(void **state) {
  (void)state;
  for (int round = 0; round < 3; round++) {
    assert_date("ar-MA", "UTC", "HH:mm:ss", 0, "00:00:00");
    assert_date("ar-MA", "UTC", "HH:mm:ss", 32, "00:00:32");
    assert_date("ar-MA", "UTC", "HH:mm:ss", 64, "00:01:04");
    assert_date("en", "UTC", "y", 0, "1970");
    for (int i = 0; i < 40; i++) {
      char want[16];
      snprintf(want, sizeof want, "%02d:%02d:%02d", i % 24, i / 24, i % 60);
      assert_date("ar-MA", "UTC", "HH:mm:ss", i * 3600 + i / 24 * 60 + i % 60,
                  want);
    }
  }
}

static void assert_iso(const char *tz, int64_t t, const char *want) {
  buf_t b = {0};
  assert_int_equal(ar_date_iso(tz, t, &b), NB_OK);
  assert_string_equal(b.data, want);
  buf_free(&b);
}

static int64_t utc(int y, int mon, int d, int h, int min) {
  struct tm tm = {.tm_year = y - 1900,
                  .tm_mon = mon - 1,
                  .tm_mday = d,
                  .tm_hour = h,
                  .tm_min = min};
  return (int64_t)timegm(&tm);
}

/* ---- slugs ---- */

static void slug_keeps_arabic_letters_and_drops_harakat(void **state) {
  (void)state;
  assert_slug("الأولى عربيا.. الرباط وتل أبيب توقّعان اتفاقية", AR_SLUG_MAX * 4,
              "الأولى-عربيا-الرباط-وتل-أبيب-توقعان-اتفاقية");
  /* fatha, damma, kasra, tanwin, sukun, superscript alef */
  assert_slug("كَتَبَ الطُّلَّابُ دَرْسًا عَلَىٰ", 400, "كتب-الطلاب-درسا-على");
}

static void slug_keeps_hamza_letters_as_written(void **state) {
  (void)state;
  assert_slug("أحمد إبراهيم آمنة مسؤول رئيس سماء", 400,
              "أحمد-إبراهيم-آمنة-مسؤول-رئيس-سماء");
  /* alef followed by a combining hamza above is the letter أ */
  assert_slug("\xd8\xa7\xd9\x94\xd8\xad\xd9\x85\xd8\xaf", 400, "أحمد");
}

static void slug_removes_tatweel_without_splitting_the_word(void **state) {
  (void)state;
  assert_slug("عـــام", 100, "عام");
  assert_slug("ســـلام عـليكم", 100, "سلام-عليكم");
}

static void slug_lowercases_latin_and_strips_its_accents(void **state) {
  (void)state;
  assert_slug("Café Marrakech 2026", 100, "cafe-marrakech-2026");
  assert_slug("ÉCOLE Ørsted Łódź Straße Œuvre", 100,
              "ecole-orsted-lodz-strasse-oeuvre");
  /* accents written as combining marks go too */
  assert_slug("Cafe\xcc\x81", 100, "cafe");
}

static void slug_keeps_letters_of_other_scripts_whole(void **state) {
  (void)state;
  /* й is a letter of its own in Russian, not an и with an accent */
  assert_slug("Мой дом", 100, "мой-дом");
  assert_slug("خبر فارسی ۱۴۰۵", 100, "خبر-فارسی-1405");
}

static void slug_turns_arabic_indic_digits_into_ascii(void **state) {
  (void)state;
  assert_slug("٢٠٢٦ عام", 100, "2026-عام");
  assert_slug("كأس ٢٠٣٠", 100, "كأس-2030");
}

static void slug_collapses_punctuation_and_trims_dashes(void **state) {
  (void)state;
  assert_slug("  --Hello,,, world!!  ", 100, "hello-world");
  assert_slug("«عاجل»: هل يفوز المغرب؟ نعم، بالتأكيد!", 200,
              "عاجل-هل-يفوز-المغرب-نعم-بالتأكيد");
  assert_slug("a\t\n-_-/b", 100, "a-b");
  assert_slug("rock 'n' roll 😀 live", 100, "rock-n-roll-live");
}

static void slug_ignores_bidi_marks_and_presentation_forms(void **state) {
  (void)state;
  /* RLM and ZWJ are invisible: they neither show up nor split words */
  assert_slug("\xe2\x80\x8f"
              "المغرب"
              "\xe2\x80\x8d"
              "ي",
              100, "المغربي");
  /* ﻻ (lam-alef ligature) and ﺑ (initial beh) are plain letters */
  assert_slug("\xef\xbb\xbb \xef\xba\x91", 100, "لا-ب");
  assert_slug("ＡＢＣ ﬁnal", 100, "abc-final");
}

static void slug_is_appended_to_what_the_buffer_holds(void **state) {
  (void)state;
  buf_t b = {0};
  buf_puts(&b, "/news/42-");
  assert_int_equal(ar_slug("Hello World", 11, 100, &b), NB_OK);
  assert_string_equal(b.data, "/news/42-hello-world");
  assert_int_equal(ar_slug("!!", 2, 100, &b), NB_EINVAL);
  assert_string_equal(b.data, "/news/42-hello-world");
  buf_free(&b);
}

static void slug_is_cut_at_a_word_boundary_within_the_encoded_limit(void **s) {
  (void)s;
  /* "hello-world" is 11 bytes, "hello-world-again" 17 */
  assert_slug("Hello world again", 16, "hello-world");
  assert_slug("Hello world again", 17, "hello-world-again");
  assert_slug("Hello world again", 11, "hello-world");
  assert_slug("Hello world again", 10, "hello");
  /* Arabic letters are 2 bytes, 6 once percent-encoded: "عام" is 18 */
  assert_slug("عام جديد", 18, "عام");
  assert_slug("عام جديد", 18 + 1 + 24 - 1, "عام");
  assert_slug("عام جديد", 18 + 1 + 24, "عام-جديد");

  const char *title = "الأولى عربيا.. الرباط وتل أبيب توقّعان اتفاقية";
  const char *full = "الأولى-عربيا-الرباط-وتل-أبيب-توقعان-اتفاقية";
  for (size_t max = 0; max <= url_encoded_len(full) + 2; max++) {
    int rc;
    char *got = slug(title, max, &rc);
    if (!got) {
      assert_int_equal(rc, NB_EINVAL);
      assert_true(max < 6); /* not even "ا" fits */
      continue;
    }
    assert_true(url_encoded_len(got) <= max);
    size_t n = strlen(got);
    assert_true(n > 0 && got[0] != '-' && got[n - 1] != '-');
    /* whole words of the full slug, unless the first word had to be cut */
    if (max >= url_encoded_len("الأولى"))
      assert_true(strncmp(full, got, n) == 0 &&
                  (full[n] == '-' || full[n] == '\0'));
    else
      assert_true(strncmp(full, got, n) == 0);
    free(got);
  }
  /* 30 letters and 5 dashes are 185 bytes; "-اتفاقية" would add 43 */
  assert_slug(title, AR_SLUG_MAX, "الأولى-عربيا-الرباط-وتل-أبيب-توقعان");
  assert_int_equal(url_encoded_len("الأولى-عربيا-الرباط-وتل-أبيب-توقعان"), 185);
}

static void
slug_of_a_first_word_over_the_limit_is_cut_at_a_character(void **state) {
  (void)state;
  assert_slug("Supercalifragilistic word", 5, "super");
  /* 3 Arabic letters are 18 encoded bytes; 20 leave no room for a 4th */
  assert_slug("استقلالية", 20, "است");
  assert_slug("استقلالية", 24, "استق");
}

static void slug_of_only_punctuation_is_refused(void **state) {
  (void)state;
  assert_slug_refused("", 0, 100);
  assert_slug_refused("!!! ... ؟؟ ،،", strlen("!!! ... ؟؟ ،،"), 100);
  assert_slug_refused("ـــ َ ّ", strlen("ـــ َ ّ"), 100); /* tatweel, marks */
  assert_slug_refused("😀😀", strlen("😀😀"), 100);
  /* a limit too small for the first character leaves nothing */
  assert_slug_refused("عام", strlen("عام"), 5);
  assert_slug_refused("abc", 3, 0);
}

static void slug_of_invalid_utf8_is_refused(void **state) {
  (void)state;
  assert_slug_refused("abc\xff", 4, 100);
  assert_slug_refused("\xc0\x80", 2, 100);         /* overlong NUL */
  assert_slug_refused("\xe0\x80\xaf", 3, 100);     /* overlong "/" */
  assert_slug_refused("\xf0\x80\x80\xaf", 4, 100); /* overlong "/" */
  assert_slug_refused("\xed\xa0\x80", 3, 100);     /* surrogate */
  assert_slug_refused("\xf4\x90\x80\x80", 4, 100); /* over U+10FFFF */
  assert_slug_refused("\xd8", 1, 100);             /* truncated */
  /* NUL is valid UTF-8, and separates words like any control */
  buf_t b = {0};
  assert_int_equal(ar_slug("abc\0def", 7, 100, &b), NB_OK);
  assert_string_equal(b.data, "abc-def");
  buf_free(&b);
}

static void slug_of_a_huge_title_stays_within_the_limit(void **state) {
  (void)state;
  /* 300 000 bytes: many chunks, a word cut across chunk boundaries */
  buf_t in = {0};
  for (int i = 0; i < 10000; i++)
    buf_puts(&in, "خبر عاجل، ");
  buf_t out = {0};
  assert_int_equal(ar_slug(in.data, in.len, AR_SLUG_MAX, &out), NB_OK);
  assert_true(url_encoded_len(out.data) <= AR_SLUG_MAX);
  assert_true(
      strncmp(out.data, "خبر-عاجل-خبر-عاجل", strlen("خبر-عاجل-خبر-عاجل")) == 0);

  /* the same with no limit: every word is there */
  buf_reset(&out);
  assert_int_equal(ar_slug(in.data, in.len, SIZE_MAX, &out), NB_OK);
  assert_int_equal(out.len, 10000 * strlen("خبر-عاجل-") - 1);

  /* one word of 100 000 letters, marks between them */
  buf_reset(&in);
  for (int i = 0; i < 100000; i++)
    buf_puts(&in, "بَ");
  buf_reset(&out);
  assert_int_equal(ar_slug(in.data, in.len, SIZE_MAX, &out), NB_OK);
  assert_int_equal(out.len, 200000);
  buf_reset(&out);
  assert_int_equal(ar_slug(in.data, in.len, 60, &out), NB_OK);
  assert_string_equal(out.data, "بببببببببب");

  /* 70 000 combining marks after one letter: no normalisation boundary */
  buf_reset(&in);
  buf_puts(&in, "x");
  for (int i = 0; i < 70000; i++)
    buf_puts(&in, "\xcc\x81");
  buf_puts(&in, " y");
  buf_reset(&out);
  assert_int_equal(ar_slug(in.data, in.len, 100, &out), NB_OK);
  assert_string_equal(out.data, "x-y");
  buf_free(&in);
  buf_free(&out);
}

/* ---- locales ---- */

static void arabic_locales_are_valid_in_both_spellings(void **state) {
  (void)state;
  const char *ok[] = {"ar-MA",
                      "ar_MA",
                      "ar-EG",
                      "ar_EG",
                      "ar-SA",
                      "ar_LB",
                      "ar",
                      "en",
                      "fr-FR",
                      "fr_MA",
                      "ar-SA-u-nu-latn",
                      "ar_MA@numbers=arab",
                      "ar_SA@calendar=islamic-umalqura",
                      "ar_ma"};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
    assert_true(ar_locale_valid(ok[i]));
}

static void garbage_locale_is_refused(void **state) {
  (void)state;
  const char *bad[] = {"xx-YY",
                       "",
                       "ar_MA; drop table",
                       "ar_XX",
                       "ar-XX",
                       "zz",
                       "root",
                       "und",
                       "ar-MA-",
                       "-",
                       "@calendar=gregorian",
                       "ar MA",
                       "ar_MA@@x",
                       "ar\xd8\xa7",
                       "ar_MA\n",
                       "../ar",
                       "ar-Zzzz-MA",
                       "xx"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_false(ar_locale_valid(bad[i]));
  assert_false(ar_locale_valid(NULL));
  char longer[300];
  memset(longer, 'a', sizeof longer - 1);
  longer[sizeof longer - 1] = '\0';
  assert_false(ar_locale_valid(longer));
}

/* ---- time zones ---- */

static void iana_time_zones_are_valid(void **state) {
  (void)state;
  const char *ok[] = {"Africa/Casablanca",
                      "Asia/Riyadh",
                      "Africa/Cairo",
                      "Asia/Beirut",
                      "Europe/Paris",
                      "Etc/GMT-1",
                      "America/Argentina/Buenos_Aires",
                      "US/Eastern"};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
    assert_true(ar_timezone_valid(ok[i]));
}

static void fixed_offsets_in_every_written_form_are_valid(void **state) {
  (void)state;
  const char *ok[] = {"+01:00",    "-03:30", "+1",     "+0100",
                      "UTC",       "GMT",    "Z",      "UTC+1",
                      "GMT+01:00", "+14:00", "-14:00", "+05:45",
                      "utc-2",     "+00:00", "-0",     "UTC+1:30"};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
    assert_true(ar_timezone_valid(ok[i]));
}

static void garbage_time_zone_is_refused(void **state) {
  (void)state;
  const char *bad[] = {"Mars/Olympus",
                       "Etc/Unknown",
                       "+15:00",
                       "+14:01",
                       "-14:30",
                       "+01:60",
                       "UTC+",
                       "+",
                       "1",
                       "0100",
                       "+100",
                       "+01:0",
                       "+01:00:00",
                       "+01:00 ",
                       " UTC",
                       "UTC5",
                       "GMT+15",
                       "",
                       "../../etc/passwd",
                       "Africa/Casablanca; rm",
                       "ZZ",
                       "africa/casablanca",
                       "Africa/Casablanca\xd8\xa7"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_false(ar_timezone_valid(bad[i]));
  assert_false(ar_timezone_valid(NULL));
  char longer[200];
  memset(longer, 'A', sizeof longer - 1);
  longer[sizeof longer - 1] = '\0';
  assert_false(ar_timezone_valid(longer));
}

/* ---- dates ---- */

static void a_wall_clock_time_in_a_zone_is_its_unix_time(void **state) {
  (void)state;
  int64_t t = 0;
  assert_int_equal(ar_local_time("+01:00", "2026-12-08T10:30", &t), NB_OK);
  assert_int_equal(t, 1796722200);
  assert_int_equal(ar_local_time("Asia/Riyadh", "2026-12-08 10:30", &t), NB_OK);
  assert_int_equal(t, 1796715000);
  assert_int_equal(ar_local_time("UTC", "2026-12-08T07:30:09", &t), NB_OK);
  assert_int_equal(t, 1796715009);
  const char *bad[] = {"2026-02-30T10:00",   "2026-12-08T24:00",
                       "2026-12-08",         "2026-12-08T10:30:60",
                       "2026-12-08T10:30:0", "1969-12-31T23:59",
                       "٢٠٢٦-12-08T10:30",   "",
                       "2026-13-01T00:00"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(ar_local_time("UTC", bad[i], &t), NB_EINVAL);
  assert_int_equal(ar_local_time("Nowhere/City", "2026-12-08T10:30", &t),
                   NB_EINVAL);
}

static void ar_ma_writes_the_date_in_moroccan_arabic(void **state) {
  (void)state;
  assert_date("ar-MA", "Africa/Casablanca", "d MMMM y", T_NOV24,
              "24 نونبر 2021");
  assert_date("ar_MA", "Africa/Casablanca", "d MMMM y HH:mm", T_NOV24,
              "24 نونبر 2021 09:00");
}

static void ar_ma_writes_moroccan_month_names(void **state) {
  (void)state;
  const char *months[12] = {"يناير", "فبراير", "مارس",   "أبريل",
                            "ماي",   "يونيو",  "يوليوز", "غشت",
                            "شتنبر", "أكتوبر", "نونبر",  "دجنبر"};
  for (int m = 1; m <= 12; m++) {
    char want[64];
    snprintf(want, sizeof want, "15 %s 2021", months[m - 1]);
    assert_date("ar-MA", "Africa/Casablanca", "d MMMM y",
                utc(2021, m, 15, 12, 0), want);
  }
}

static void fixed_offset_zone_shifts_the_hour(void **state) {
  (void)state;
  assert_date("ar-MA", "+00:00", "HH:mm", T_NOV24, "08:00");
  assert_date("ar-MA", "+01:00", "HH:mm", T_NOV24, "09:00");
  assert_date("ar-MA", "UTC+1", "HH:mm", T_NOV24, "09:00");
  assert_date("ar-MA", "-03:30", "HH:mm", T_NOV24, "04:30");
  assert_date("ar-MA", "Z", "HH:mm", T_NOV24, "08:00");
  /* past midnight the day changes too */
  assert_date("ar-MA", "+14:00", "d MMMM HH:mm", T_NOV24 + 12 * 3600,
              "25 نونبر 10:00");
}

static void ar_eg_writes_arabic_indic_digits(void **state) {
  (void)state;
  assert_date("ar-EG", "Africa/Cairo", "d MMMM y", T_NOV24, "٢٤ نوفمبر ٢٠٢١");
  /* digits can still be asked for */
  assert_date("ar-EG-u-nu-latn", "Africa/Cairo", "d MMMM y", T_NOV24,
              "24 نوفمبر 2021");
  assert_date("ar_MA@numbers=arab", "Africa/Casablanca", "d MMMM y", T_NOV24,
              "٢٤ نونبر ٢٠٢١");
}

static void ar_lb_writes_syriac_month_names(void **state) {
  (void)state;
  assert_date("ar-LB", "Asia/Beirut", "MMMM", T_NOV24, "تشرين الثاني");
}

static void ar_sa_dates_are_gregorian(void **state) {
  (void)state;
  assert_date("ar-SA", "Asia/Riyadh", "d MMMM y", T_NOV24, "٢٤ نوفمبر ٢٠٢١");
  assert_date("ar_SA", "Asia/Riyadh", "y", T_NOV24, "٢٠٢١");
  /* the Hijri date when the site asks for it */
  assert_date("ar_SA@calendar=islamic-umalqura", "Asia/Riyadh", "y", T_NOV24,
              "١٤٤٣");
}

static void formatting_with_bad_settings_is_refused(void **state) {
  (void)state;
  buf_t b = {0};
  buf_puts(&b, "kept");
  assert_int_equal(ar_date_format("xx-YY", "UTC", "y", T_NOV24, &b), NB_EINVAL);
  assert_int_equal(ar_date_format("ar-MA", "Mars/Olympus", "y", T_NOV24, &b),
                   NB_EINVAL);
  assert_int_equal(ar_date_format("ar-MA", "UTC", "", T_NOV24, &b), NB_EINVAL);
  assert_int_equal(ar_date_format("ar-MA", "UTC", "y\xff", T_NOV24, &b),
                   NB_EINVAL);
  assert_int_equal(ar_date_format(NULL, "UTC", "y", T_NOV24, &b), NB_EINVAL);
  assert_int_equal(ar_date_format("ar-MA", "UTC", "y", INT64_MAX, &b),
                   NB_EINVAL);
  assert_int_equal(ar_date_format("ar-MA", "UTC", "y", INT64_MIN, &b),
                   NB_EINVAL);
  assert_int_equal(ar_date_iso("+99:00", T_NOV24, &b), NB_EINVAL);
  char pattern[400];
  memset(pattern, 'y', sizeof pattern - 1);
  pattern[sizeof pattern - 1] = '\0';
  assert_int_equal(ar_date_format("ar-MA", "UTC", pattern, T_NOV24, &b),
                   NB_EINVAL);
  assert_string_equal(b.data, "kept");
  buf_free(&b);
}

static void long_output_is_written_whole(void **state) {
  (void)state;
  /* 40 month names: more than the formatter's first buffer holds */
  char pattern[256] = "";
  for (int i = 0; i < 40; i++)
    memcpy(pattern + 5 * i, "MMMM ", 6);
  buf_t b = {0};
  assert_int_equal(ar_date_format("ar-MA", "UTC", pattern, T_NOV24, &b), NB_OK);
  buf_t want = {0};
  for (int i = 0; i < 40; i++)
    buf_puts(&want, "نونبر ");
  assert_string_equal(b.data, want.data);
  buf_free(&b);
  buf_free(&want);
}

static void iso_date_carries_the_zone_offset(void **state) {
  (void)state;
  assert_iso("+01:00", T_NOV24, "2021-11-24T09:00:00+01:00");
  assert_iso("UTC", T_NOV24, "2021-11-24T08:00:00+00:00");
  assert_iso("-03:30", T_NOV24, "2021-11-24T04:30:00-03:30");
  /* Morocco was at +01:00 in January 2021 */
  assert_iso("Africa/Casablanca", utc(2021, 1, 15, 12, 0),
             "2021-01-15T13:00:00+01:00");
  /* and at +00:00 during Ramadan 2021 (13 April to 16 May) */
  assert_iso("Africa/Casablanca", utc(2021, 4, 25, 12, 0),
             "2021-04-25T12:00:00+00:00");
  assert_iso("Asia/Beirut", utc(2021, 7, 1, 0, 0), "2021-07-01T03:00:00+03:00");
}

static void iso_dates_have_four_digit_years_from_1_to_9999(void **state) {
  (void)state;
  assert_iso("UTC", -62135596800LL, "0001-01-01T00:00:00+00:00");
  assert_iso("UTC", 253402300799LL, "9999-12-31T23:59:59+00:00");
  assert_iso("UTC", 0, "1970-01-01T00:00:00+00:00");
  assert_iso("UTC", -1, "1969-12-31T23:59:59+00:00");
  assert_iso("UTC", utc(1000, 3, 1, 0, 0), "1000-03-01T00:00:00+00:00");
  buf_t b = {0};
  assert_int_equal(ar_date_iso("UTC", -62135596801LL, &b), NB_EINVAL);
  assert_int_equal(ar_date_iso("UTC", 253402300800LL, &b), NB_EINVAL);
  buf_free(&b);
}

/* More settings than the cache holds, used in turn, all stay right. */
static const struct {
  const char *locale, *tz, *pattern, *want;
} cases[] = {
    {"ar-MA", "Africa/Casablanca", "d MMMM y", "24 نونبر 2021"},
    {"ar-MA", "+00:00", "HH:mm", "08:00"},
    {"ar-MA", "+01:00", "HH:mm", "09:00"},
    {"ar-EG", "Africa/Casablanca", "d MMMM y", "٢٤ نوفمبر ٢٠٢١"},
    {"ar-LB", "Africa/Casablanca", "MMMM", "تشرين الثاني"},
    {"ar-SA", "Asia/Riyadh", "y", "٢٠٢١"},
    {"ar_MA", "-03:30", "HH:mm", "04:30"},
    {"en", "UTC", "d MMMM y", "24 November 2021"},
    {"fr-FR", "Europe/Paris", "d MMMM y HH:mm", "24 novembre 2021 09:00"},
    {"en_US_POSIX", "+01:00", "yyyy-MM-dd'T'HH:mm:ssxxx",
     "2021-11-24T09:00:00+01:00"},
    {"ar-MA", "Z", "HH:mm", "08:00"},
};
#define NCASES (sizeof cases / sizeof *cases)

static int run_cases(int rounds, int offset) {
  buf_t b = {0};
  int bad = 0;
  for (int r = 0; r < rounds; r++) {
    size_t i = (size_t)(r + offset) % NCASES;
    buf_reset(&b);
    if (ar_date_format(cases[i].locale, cases[i].tz, cases[i].pattern, T_NOV24,
                       &b) != NB_OK ||
        strcmp(b.data, cases[i].want) != 0)
      bad++;
  }
  buf_free(&b);
  return bad;
}

static void cached_formatters_stay_right_when_evicted(void **state) {
  (void)state;
  assert_true(NCASES > 8);
  assert_int_equal(run_cases(3 * NCASES, 0), 0);
  /* a pattern that differs only in a later byte is not a cache hit */
  assert_date("ar-MA", "UTC", "d MMMM", T_NOV24, "24 نونبر");
  assert_date("ar-MA", "UTC", "d MMMM y", T_NOV24, "24 نونبر 2021");
}

static void *thread_main(void *arg) {
  int offset = (int)(intptr_t)arg;
  return (void *)(intptr_t)run_cases(1000, offset);
}

static void formatting_from_many_threads_is_safe(void **state) {
  (void)state;
  pthread_t th[4];
  for (int i = 0; i < 4; i++)
    assert_int_equal(
        pthread_create(&th[i], NULL, thread_main, (void *)(intptr_t)(i * 3)),
        0);
  for (int i = 0; i < 4; i++) {
    void *bad;
    assert_int_equal(pthread_join(th[i], &bad), 0);
    assert_int_equal((intptr_t)bad, 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(remembered_dates_are_never_another_times),
      cmocka_unit_test(slug_keeps_arabic_letters_and_drops_harakat),
      cmocka_unit_test(slug_keeps_hamza_letters_as_written),
      cmocka_unit_test(slug_removes_tatweel_without_splitting_the_word),
      cmocka_unit_test(slug_lowercases_latin_and_strips_its_accents),
      cmocka_unit_test(slug_keeps_letters_of_other_scripts_whole),
      cmocka_unit_test(slug_turns_arabic_indic_digits_into_ascii),
      cmocka_unit_test(slug_collapses_punctuation_and_trims_dashes),
      cmocka_unit_test(slug_ignores_bidi_marks_and_presentation_forms),
      cmocka_unit_test(slug_is_appended_to_what_the_buffer_holds),
      cmocka_unit_test(slug_is_cut_at_a_word_boundary_within_the_encoded_limit),
      cmocka_unit_test(
          slug_of_a_first_word_over_the_limit_is_cut_at_a_character),
      cmocka_unit_test(slug_of_only_punctuation_is_refused),
      cmocka_unit_test(slug_of_invalid_utf8_is_refused),
      cmocka_unit_test(slug_of_a_huge_title_stays_within_the_limit),
      cmocka_unit_test(arabic_locales_are_valid_in_both_spellings),
      cmocka_unit_test(garbage_locale_is_refused),
      cmocka_unit_test(iana_time_zones_are_valid),
      cmocka_unit_test(fixed_offsets_in_every_written_form_are_valid),
      cmocka_unit_test(garbage_time_zone_is_refused),
      cmocka_unit_test(ar_ma_writes_the_date_in_moroccan_arabic),
      cmocka_unit_test(ar_ma_writes_moroccan_month_names),
      cmocka_unit_test(fixed_offset_zone_shifts_the_hour),
      cmocka_unit_test(ar_eg_writes_arabic_indic_digits),
      cmocka_unit_test(ar_lb_writes_syriac_month_names),
      cmocka_unit_test(ar_sa_dates_are_gregorian),
      cmocka_unit_test(formatting_with_bad_settings_is_refused),
      cmocka_unit_test(long_output_is_written_whole),
      cmocka_unit_test(iso_date_carries_the_zone_offset),
      cmocka_unit_test(iso_dates_have_four_digit_years_from_1_to_9999),
      cmocka_unit_test(cached_formatters_stay_right_when_evicted),
      cmocka_unit_test(formatting_from_many_threads_is_safe),
      cmocka_unit_test(a_wall_clock_time_in_a_zone_is_its_unix_time),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
