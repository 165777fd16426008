/* i18n.c: interface text through glibc's gettext, a language per thread.
 *
 * glibc picks a catalog by the name of the thread's LC_MESSAGES locale, or
 * by $LANGUAGE when that locale is not "C". A fresh Debian has no ar_*
 * locale, so newlocale("ar_MA.UTF-8") fails and uselocale() cannot name the
 * language; $LANGUAGE is one per process, and glibc caches translations by
 * locale name, not by $LANGUAGE, so changing it per request is both racy and
 * wrong. What does vary per call at no cost is the text domain: each
 * language has its own (naba-ar, naba-en, built from po/<lang>.po into
 * <localedir>/<lang>/LC_MESSAGES/naba-<lang>.mo). At start $LANGUAGE is set
 * to every language ("ar:en"), so each domain is found in its language's
 * folder whatever the environment says, and lookups run under a
 * C.UTF-8 LC_MESSAGES locale (shipped by libc-bin) because under "C" glibc
 * ignores $LANGUAGE. That locale is set only around the lookup, so strerror()
 * and the rest of the process keep the "C" locale they started with. */
#include "core/core.h"

#include <assert.h>
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The languages of po/LINGUAS; the first is every thread's default. */
static const struct {
  const char *code;
  const char *domain;
  const char *dir;
} langs[] = {
    {"ar", "naba-ar", "rtl"},
    {"en", "naba-en", "ltr"},
};
#define NLANGS (sizeof langs / sizeof langs[0])

/* Set once by nb_i18n_init() before any thread starts, then only read. */
static locale_t msg_locale;

static _Thread_local size_t thread_lang; /* index into langs */

static const char *lookup(const char *domain, const char *msgid) {
  locale_t old = uselocale(msg_locale);
  const char *s = dgettext(domain, msgid);
  uselocale(old);
  return s;
}

int nb_i18n_init(const char *localedir) {
  /* setenv() races with every other thread's getenv(), and msg_locale is
   * read without a lock. */
  assert(nb_one_thread());
  char list[64] = "";
  size_t n = 0;
  for (size_t i = 0; i < NLANGS; i++) {
    int k = snprintf(list + n, sizeof list - n, "%s%s", i ? ":" : "",
                     langs[i].code);
    if (k < 0 || (size_t)k >= sizeof list - n)
      return NB_ETOOBIG;
    n += (size_t)k;
  }
  if (setenv("LANGUAGE", list, 1) != 0)
    return NB_ENOMEM;
  if (!msg_locale)
    msg_locale = newlocale(LC_MESSAGES_MASK, "C.UTF-8", (locale_t)0);
  if (!msg_locale)
    return NB_ENOTFOUND;
  for (size_t i = 0; i < NLANGS; i++)
    if (!bindtextdomain(langs[i].domain, localedir) ||
        !bind_textdomain_codeset(langs[i].domain, "UTF-8"))
      return NB_ENOMEM;
  /* A catalog that loaded answers "" with its header. */
  for (size_t i = 0; i < NLANGS; i++)
    if (!*lookup(langs[i].domain, ""))
      return NB_ENOTFOUND;
  return NB_OK;
}

int nb_lang_set(const char *lang) {
  for (size_t i = 0; lang && i < NLANGS; i++)
    if (strcmp(lang, langs[i].code) == 0) {
      thread_lang = i;
      return NB_OK;
    }
  return NB_EINVAL;
}

const char *nb_lang(void) {
  return langs[thread_lang].code;
}

const char *nb_lang_dir(void) {
  return langs[thread_lang].dir;
}

const char *nb_gettext(const char *msgid) {
  if (!msg_locale)
    return msgid;
  return lookup(langs[thread_lang].domain, msgid);
}

const char *nb_ngettext(const char *msgid, const char *plural,
                        unsigned long n) {
  if (!msg_locale)
    return n == 1 ? msgid : plural;
  locale_t old = uselocale(msg_locale);
  const char *s = dngettext(langs[thread_lang].domain, msgid, plural, n);
  uselocale(old);
  return s;
}
