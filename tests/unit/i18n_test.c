/* Unit tests for interface text: the build's catalogs (po/), a language per
 * thread, Arabic by default whatever the process's locale says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define SERVER_ERROR_AR "خطأ في الخادم"

static void every_thread_starts_in_arabic_whatever_the_locale(void **state) {
  (void)state;
  /* main() ran with LC_ALL=C and LANGUAGE=fr:de, as an operator's shell
   * might; nothing here chose a language. */
  assert_string_equal(nb_lang(), "ar");
  assert_string_equal(nb_lang_dir(), "rtl");
  assert_string_equal(_("Server error"), SERVER_ERROR_AR);
}

typedef struct {
  const char *lang;
  const char *want;
  pthread_barrier_t *start;
  int wrong; /* lookups that gave another text */
} reader;

static void *read_in_language(void *arg) {
  reader *r = arg;
  if (nb_lang_set(r->lang) != NB_OK) {
    r->wrong = -1;
    return NULL;
  }
  pthread_barrier_wait(r->start);
  for (int i = 0; i < 20000; i++)
    if (strcmp(_("Server error"), r->want) != 0)
      r->wrong++;
  return NULL;
}

static void
two_threads_read_the_same_text_each_in_its_language_at_once(void **state) {
  (void)state;
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, 2);
  reader ar = {"ar", SERVER_ERROR_AR, &start, 0};
  reader en = {"en", "Server error", &start, 0};
  pthread_t ta, te;
  assert_int_equal(pthread_create(&ta, NULL, read_in_language, &ar), 0);
  assert_int_equal(pthread_create(&te, NULL, read_in_language, &en), 0);
  pthread_join(ta, NULL);
  pthread_join(te, NULL);
  pthread_barrier_destroy(&start);
  assert_int_equal(ar.wrong, 0);
  assert_int_equal(en.wrong, 0);
  /* Neither changed this thread's language. */
  assert_string_equal(_("Server error"), SERVER_ERROR_AR);
}

static void
unknown_language_is_refused_and_the_thread_keeps_its_own(void **state) {
  (void)state;
  assert_int_equal(nb_lang_set("en"), NB_OK);
  assert_int_equal(nb_lang_set("fr"), NB_EINVAL);
  assert_int_equal(nb_lang_set("ar_MA"), NB_EINVAL);
  assert_int_equal(nb_lang_set(NULL), NB_EINVAL);
  assert_string_equal(nb_lang(), "en");
  assert_string_equal(nb_lang_dir(), "ltr");
  assert_int_equal(nb_lang_set(NB_LANG_DEFAULT), NB_OK);
  assert_string_equal(nb_lang(), "ar");
}

static void
every_language_of_linguas_can_be_chosen_and_has_a_catalog(void **state) {
  (void)state;
  char *text;
  size_t len;
  assert_int_equal(
      nb_read_file(NABA_SOURCE_DIR "/po/LINGUAS", 4096, &text, &len), NB_OK);
  int langs = 0;
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    if (line[0] == '#')
      continue;
    for (char *code = line; *code;) {
      size_t n = strcspn(code, " \t");
      char c[16] = "";
      if (n > 0 && n < sizeof c) {
        memcpy(c, code, n);
        assert_int_equal(nb_lang_set(c), NB_OK);
        /* A loaded catalog answers "" with its header. */
        assert_non_null(strstr(_(""), "charset=UTF-8"));
        langs++;
      }
      code += n;
      code += strspn(code, " \t");
    }
  }
  free(text);
  assert_true(langs >= 2);
  nb_lang_set(NB_LANG_DEFAULT);
}

static void
text_missing_from_the_catalogs_shows_as_its_english_msgid(void **state) {
  (void)state;
  const char *msgid = "not a text of naba";
  assert_ptr_equal(_(msgid), msgid);
  assert_string_equal(nb_ngettext("one thing", "%lu things", 1), "one thing");
  assert_string_equal(nb_ngettext("one thing", "%lu things", 3), "%lu things");
}

static void
catalogs_not_found_are_reported_and_a_good_folder_recovers(void **state) {
  (void)state;
  assert_int_equal(nb_i18n_init("/nonexistent/naba/locale"), NB_ENOTFOUND);
  assert_string_equal(_("Server error"), "Server error");
  assert_int_equal(nb_i18n_init(NABA_BUILD_LOCALEDIR), NB_OK);
  assert_string_equal(_("Server error"), SERVER_ERROR_AR);
}

int main(void) {
  /* What a server started from a bare shell or an English desktop has. */
  setenv("LC_ALL", "C", 1);
  setenv("LANGUAGE", "fr:de", 1);
  if (nb_i18n_init(NABA_BUILD_LOCALEDIR) != NB_OK) {
    fprintf(stderr, "no catalogs in %s\n", NABA_BUILD_LOCALEDIR);
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_thread_starts_in_arabic_whatever_the_locale),
      cmocka_unit_test(
          two_threads_read_the_same_text_each_in_its_language_at_once),
      cmocka_unit_test(
          unknown_language_is_refused_and_the_thread_keeps_its_own),
      cmocka_unit_test(
          every_language_of_linguas_can_be_chosen_and_has_a_catalog),
      cmocka_unit_test(
          text_missing_from_the_catalogs_shows_as_its_english_msgid),
      cmocka_unit_test(
          catalogs_not_found_are_reported_and_a_good_folder_recovers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
