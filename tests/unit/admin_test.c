/* Tests for newsroom passwords (admin/password.c): real argon2id hashes,
 * the npm common-password list of the build, the build's catalogs. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "admin/admin.h"

static int check(const char *pw, const char *name, const char *email) {
  char err[256] = "";
  int rc = admin_password_check(pw, name, email, err, sizeof err);

  assert_true(rc == NB_OK || err[0] != '\0');
  return rc;
}

static void a_hashed_password_verifies_and_a_wrong_one_does_not(void **s) {
  char hash[ADMIN_HASH_BYTES];
  int rehash = -1;

  (void)s;
  assert_int_equal(admin_password_hash("كلمة سر طويلة", hash), NB_OK);
  /* OWASP's parameters, argon2id. */
  assert_non_null(strstr(hash, "$argon2id$v=19$m=19456,t=2,p=1$"));
  assert_int_equal(admin_password_verify(hash, "كلمة سر طويلة", &rehash),
                   NB_OK);
  assert_int_equal(rehash, 0);
  assert_int_equal(admin_password_verify(hash, "كلمة سر طويله", &rehash),
                   NB_EINVAL);
  assert_int_equal(admin_password_verify(hash, "", NULL), NB_EINVAL);
  /* The same password hashes differently each time (a salt). */
  char again[ADMIN_HASH_BYTES];
  assert_int_equal(admin_password_hash("كلمة سر طويلة", again), NB_OK);
  assert_string_not_equal(hash, again);
}

static void
a_hash_with_other_parameters_verifies_and_asks_for_a_rehash(void **s) {
  char hash[crypto_pwhash_STRBYTES];
  int rehash = 0;

  (void)s;
  assert_int_equal(crypto_pwhash_str_alg(hash, "old password", 12, 1,
                                         (size_t)8 << 20,
                                         crypto_pwhash_ALG_ARGON2ID13),
                   0);
  assert_int_equal(admin_password_verify(hash, "old password", &rehash), NB_OK);
  assert_int_equal(rehash, 1);
  assert_int_equal(admin_password_verify(hash, "old passwore", &rehash),
                   NB_EINVAL);
}

static double seconds(const char *hash, const char *pw) {
  double best = 1e9;

  for (int i = 0; i < 3; i++) {
    int64_t t = nb_now_us();
    assert_int_equal(admin_password_verify(hash, pw, NULL), NB_EINVAL);
    double d = (double)(nb_now_us() - t) / 1e6;
    best = d < best ? d : best;
  }
  return best;
}

static void
a_missing_or_broken_hash_is_refused_as_slowly_as_a_wrong_password(void **s) {
  char hash[ADMIN_HASH_BYTES], argon2i[crypto_pwhash_STRBYTES];

  (void)s;
  assert_int_equal(admin_password_hash("the right one", hash), NB_OK);
  assert_int_equal(crypto_pwhash_str_alg(argon2i, "the right one", 13, 3,
                                         (size_t)19 << 20,
                                         crypto_pwhash_ALG_ARGON2I13),
                   0);
  assert_int_equal(admin_password_verify(argon2i, "the right one", NULL),
                   NB_EINVAL);
  assert_int_equal(admin_password_verify("", "the right one", NULL), NB_EINVAL);
  assert_int_equal(admin_password_verify("$argon2id$junk", "x", NULL),
                   NB_EINVAL);
  /* No user (NULL) takes a hash's time, not microseconds: the fastest of
   * three against the fastest of three wrong passwords. */
  double wrong = seconds(hash, "the wrong one");
  double none = seconds(NULL, "the wrong one");
  double empty = seconds("", "the wrong one");
  if (none < wrong / 4 || empty < wrong / 4)
    fail_msg("no hash: %.4f s and %.4f s, a wrong password: %.4f s", none,
             empty, wrong);
}

static void short_common_and_personal_passwords_are_refused(void **s) {
  (void)s;
  assert_int_equal(check("seven77", NULL, NULL), NB_EINVAL);
  assert_int_equal(check("", NULL, NULL), NB_EINVAL);
  assert_int_equal(check(NULL, NULL, NULL), NB_EINVAL);
  /* On npm's list, in any ASCII case. */
  assert_int_equal(check("password1", NULL, NULL), NB_EINVAL);
  assert_int_equal(check("Password1", NULL, NULL), NB_EINVAL);
  assert_int_equal(check("PASSWORD1", NULL, NULL), NB_EINVAL);
  assert_int_equal(check("qwertyuiop", NULL, NULL), NB_EINVAL);
  /* The user's own name and address. */
  assert_int_equal(check("Huda.Hassan", "huda.hassan", "h@example.test"),
                   NB_EINVAL);
  assert_int_equal(check("HUDA@example.test", "huda", "huda@example.test"),
                   NB_EINVAL);
  assert_int_equal(check("huda.news", "h", "Huda.News@example.test"),
                   NB_EINVAL);
  assert_int_equal(check("huda.news", "h", "other@example.test"), NB_OK);
  /* Not text. */
  assert_int_equal(check("abcdefgh\xff", NULL, NULL), NB_EINVAL);
  assert_int_equal(check("abcdefgh\xd8", NULL, NULL), NB_EINVAL);
}

static void passwords_count_characters_not_bytes_and_are_never_cut(void **s) {
  char big[ADMIN_PASSWORD_MAX + 2], hash[ADMIN_HASH_BYTES];
  char a[121], b[121];

  (void)s;
  /* Eight Arabic code points (16 bytes) pass, seven (14 bytes) do not; no
   * rule asks for digits or capitals. */
  assert_int_equal(check("كلمة سرّ", NULL, NULL), NB_OK);
  assert_int_equal(check("كلمةسرّ", NULL, NULL), NB_EINVAL);
  assert_int_equal(check("correct horse battery staple", NULL, NULL), NB_OK);

  memset(big, 'k', sizeof big - 1);
  big[sizeof big - 1] = '\0'; /* 1025 bytes */
  assert_int_equal(check(big, NULL, NULL), NB_ETOOBIG);
  assert_int_equal(admin_password_hash(big, hash), NB_ETOOBIG);
  assert_int_equal(admin_password_verify(hash, big, NULL), NB_EINVAL);
  big[ADMIN_PASSWORD_MAX] = '\0'; /* 1024 bytes: the limit itself */
  assert_int_equal(check(big, NULL, NULL), NB_OK);
  assert_int_equal(admin_password_hash(big, hash), NB_OK);
  assert_int_equal(admin_password_verify(hash, big, NULL), NB_OK);

  /* Two passwords that differ only after byte 100 are two passwords. */
  memset(a, 'x', 120);
  a[120] = '\0';
  memcpy(b, a, sizeof b);
  b[110] = 'y';
  assert_int_equal(admin_password_hash(a, hash), NB_OK);
  assert_int_equal(admin_password_verify(hash, a, NULL), NB_OK);
  assert_int_equal(admin_password_verify(hash, b, NULL), NB_EINVAL);
}

static void refusals_are_in_the_threads_interface_language(void **s) {
  char err[256];

  (void)s;
  assert_int_equal(admin_password_check("short", NULL, NULL, err, sizeof err),
                   NB_EINVAL);
  assert_non_null(strstr(err, "8")); /* Arabic by default, with the number */
  assert_null(strstr(err, "password"));
  assert_int_equal(nb_lang_set("en"), NB_OK);
  assert_int_equal(admin_password_check("short", NULL, NULL, err, sizeof err),
                   NB_EINVAL);
  assert_string_equal(err, "The password must have at least 8 characters.");
  assert_int_equal(
      admin_password_check("password1", NULL, NULL, err, sizeof err),
      NB_EINVAL);
  assert_non_null(strstr(err, "common"));
  assert_int_equal(nb_lang_set("ar"), NB_OK);
}

static void one_time_passwords_are_random_without_look_alikes(void **s) {
  char a[ADMIN_ONETIME_CHARS + 1], b[ADMIN_ONETIME_CHARS + 1];

  (void)s;
  for (int i = 0; i < 200; i++) {
    admin_password_onetime(a);
    assert_int_equal(strlen(a), ADMIN_ONETIME_CHARS);
    assert_int_equal(strcspn(a, "0Oo1lI"), ADMIN_ONETIME_CHARS);
    for (size_t k = 0; k < ADMIN_ONETIME_CHARS; k++)
      assert_true((a[k] >= 'a' && a[k] <= 'z') ||
                  (a[k] >= 'A' && a[k] <= 'Z') || (a[k] >= '2' && a[k] <= '9'));
    assert_int_equal(check(a, NULL, NULL), NB_OK);
  }
  admin_password_onetime(b);
  assert_string_not_equal(a, b);
}

enum { THREADS = 6 };
static pthread_barrier_t start;
static char shared_hash[ADMIN_HASH_BYTES];

static void *verify_one(void *arg) {
  (void)arg;
  pthread_barrier_wait(&start);
  return (void *)(intptr_t)admin_password_verify(shared_hash, "storm of logins",
                                                 NULL);
}

static void
a_storm_of_logins_runs_at_most_the_limit_of_hashes_at_once(void **s) {
  pthread_t t[THREADS];
  void *rc;

  (void)s;
  assert_int_equal(admin_password_hash("storm of logins", shared_hash), NB_OK);
  assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
  for (int i = 0; i < THREADS; i++)
    assert_int_equal(pthread_create(&t[i], NULL, verify_one, NULL), 0);
  for (int i = 0; i < THREADS; i++) {
    assert_int_equal(pthread_join(t[i], &rc), 0);
    assert_int_equal((intptr_t)rc, NB_OK); /* every one got its turn */
  }
  pthread_barrier_destroy(&start);
  assert_true(admin_hashes_peak() >= 1);
  assert_true(admin_hashes_peak() <= ADMIN_HASHES_AT_ONCE);
}

static void
the_list_comes_from_the_environment_and_bad_files_are_refused(void **s) {
  char dir[] = "/tmp/naba-admin-XXXXXX", path[64], err[256];
  FILE *f;

  (void)s;
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/list.json", dir);
  assert_int_equal(
      admin_passwords_load("/nonexistent/passwords.json", err, sizeof err),
      NB_EIO);
  assert_non_null(strstr(err, "/nonexistent/passwords.json"));
  const char *bad[] = {"{\"a\": 1}", "[]", "[\"ok\", 3]", "[\"unclosed"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_non_null(f = fopen(path, "w"));
    fputs(bad[i], f);
    fclose(f);
    assert_int_not_equal(admin_passwords_load(path, err, sizeof err), NB_OK);
  }
  /* A refused file leaves the list as it was. */
  assert_int_equal(check("password1", NULL, NULL), NB_EINVAL);

  assert_non_null(f = fopen(path, "w"));
  fputs("[\"Zaytoun-2026\", \"another one\"]", f);
  fclose(f);
  setenv("NABA_PASSWORDS", path, 1);
  assert_int_equal(admin_passwords_load(NULL, err, sizeof err), NB_OK);
  assert_int_equal(check("zaytoun-2026", NULL, NULL), NB_EINVAL);
  assert_int_equal(check("password1", NULL, NULL), NB_OK);
  unsetenv("NABA_PASSWORDS");
  assert_int_equal(admin_passwords_load(NULL, err, sizeof err), NB_OK);
  assert_int_equal(check("password1", NULL, NULL), NB_EINVAL);
  unlink(path);
  rmdir(dir);
}

int main(void) {
  char err[256];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_hashed_password_verifies_and_a_wrong_one_does_not),
      cmocka_unit_test(
          a_hash_with_other_parameters_verifies_and_asks_for_a_rehash),
      cmocka_unit_test(
          a_missing_or_broken_hash_is_refused_as_slowly_as_a_wrong_password),
      cmocka_unit_test(short_common_and_personal_passwords_are_refused),
      cmocka_unit_test(passwords_count_characters_not_bytes_and_are_never_cut),
      cmocka_unit_test(refusals_are_in_the_threads_interface_language),
      cmocka_unit_test(one_time_passwords_are_random_without_look_alikes),
      cmocka_unit_test(
          a_storm_of_logins_runs_at_most_the_limit_of_hashes_at_once),
      cmocka_unit_test(
          the_list_comes_from_the_environment_and_bad_files_are_refused),
  };

  if (sodium_init() < 0 || nb_i18n_init(NABA_BUILD_LOCALEDIR) != NB_OK)
    return 1;
  /* The build's list (npm's), as naba serve loads it. */
  unsetenv("NABA_PASSWORDS");
  if (admin_passwords_load(NULL, err, sizeof err) != NB_OK) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
