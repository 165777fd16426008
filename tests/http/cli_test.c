/* The command line from the real binary: its answers to wrong arguments
 * (each says what is wrong and exits with status 2), and the newsroom's
 * accounts (naba init, naba user) on a fresh database, read back with
 * SQLite and libsodium. Needs nothing from ../shared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#include "harness.h"

/* Runs naba with args; asserts exit status 2 and that its output has
 * want. */
static void refused_with(const char *const *args, const char *want) {
  buf_t out = {0};
  assert_int_equal(naba(&out, args), 2);
  buf_putc(&out, '\0');
  if (!strstr(out.data, want))
    fail_msg("wanted \"%s\" in: %s", want, out.data);
  buf_free(&out);
}

static void port_out_of_range_says_the_range(void **s) {
  (void)s;
  const char *const big[] = {"serve", "--port", "99999", NULL};
  refused_with(big, "--port 99999 is out of range: 1 to 65535, or 0 for any "
                    "free port");
  const char *const negative[] = {"serve", "--port", "-1", NULL};
  refused_with(negative, "--port -1 is out of range");
  const char *const huge[] = {"serve", "--port", "99999999999999999999999",
                              NULL};
  refused_with(huge, "is out of range");
}

static void port_that_is_not_a_number_says_so(void **s) {
  (void)s;
  const char *const word[] = {"serve", "--port", "eighty", NULL};
  refused_with(word, "--port needs a number, got \"eighty\"");
  const char *const none[] = {"serve", "--port", NULL};
  refused_with(none, "--port needs a number, got \"\"");
}

static void port_from_the_environment_is_checked_too(void **s) {
  (void)s;
  setenv("NABA_PORT", "70000", 1);
  const char *const args[] = {"serve", NULL};
  refused_with(args, "NABA_PORT 70000 is out of range");
  unsetenv("NABA_PORT");
}

static void threads_out_of_range_says_the_range(void **s) {
  (void)s;
  const char *const args[] = {"serve", "--threads", "65", NULL};
  refused_with(args, "--threads 65 is out of range: 1 to 64");
}

static void unknown_option_and_command_are_named(void **s) {
  (void)s;
  const char *const opt[] = {"serve", "--prot", "80", NULL};
  refused_with(opt, "unknown option --prot");
  const char *const cmd[] = {"srve", NULL};
  refused_with(cmd, "unknown command \"srve\"");
}

/* ---- newsroom accounts ---- */

static int db_setup(void **s) {
  (void)s;
  snprintf(dir, sizeof dir, "/tmp/naba-cli-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(db, sizeof db, "%s/naba.db", dir);
  return 0;
}

static int db_teardown(void **s) {
  char cmd[600];
  (void)s;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* Runs naba with args and --db; asserts the exit status; the output,
 * NUL-terminated, in out (the caller frees it). */
static void run(buf_t *out, int status, const char *const *args) {
  const char *argv[24];
  size_t n = 0;
  while (args[n] && n < 20) {
    argv[n] = args[n];
    n++;
  }
  argv[n++] = "--db";
  argv[n++] = db;
  argv[n] = NULL;
  int rc = naba(out, argv);
  buf_putc(out, '\0');
  if (rc != status)
    fail_msg("naba %s %s: exit %d, not %d: %s", args[0], args[1] ? args[1] : "",
             rc, status, out->data);
}

/* The one-time passwords printed in out: how many, the last in pw. */
static int printed_passwords(const char *out, char pw[64]) {
  static const char tag[] = "one-time password: ";
  int k = 0;
  for (const char *p = out; (p = strstr(p, tag)) != NULL; p++, k++) {
    p += sizeof tag - 1;
    size_t n = strcspn(p, " \n");
    assert_true(n < 64);
    memcpy(pw, p, n);
    pw[n] = '\0';
    assert_int_equal(n, 20);
    assert_non_null(strstr(p, "(must be changed at first login)"));
  }
  return k;
}

/* 1 when pw is the password of user name, by its stored hash. */
static int is_password_of(const char *name, const char *pw) {
  sqlite3 *h;
  sqlite3_stmt *st;
  int ok = 0;
  assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(h,
                                      "SELECT password_hash, must_change"
                                      " FROM users WHERE name = ?1",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 1), 1); /* one-time */
  ok = crypto_pwhash_str_verify((const char *)sqlite3_column_text(st, 0), pw,
                                strlen(pw)) == 0;
  sqlite3_finalize(st);
  sqlite3_close(h);
  return ok;
}

static void init_prints_the_administrators_password_once(void **s) {
  buf_t out = {0};
  char pw[64];
  (void)s;
  const char *const init[] = {"init", NULL};
  run(&out, 0, init);
  assert_int_equal(printed_passwords(out.data, pw), 1);
  assert_non_null(strstr(out.data, "administrator: admin <admin@localhost>"));
  assert_true(is_password_of("admin", pw));
  buf_free(&out);
  /* Again, and with --demo: the newsroom has its people, nothing shown. */
  const char *const demo[] = {"init", "--demo", NULL};
  run(&out, 0, demo);
  assert_null(strstr(out.data, "password"));
  assert_null(strstr(out.data, "admin"));
  buf_free(&out);
  assert_int_equal(sql_i64("SELECT count(*) FROM users"), 1);
  assert_int_equal(sql_i64("SELECT role FROM users"), 4);
  assert_int_equal(sql_i64("SELECT count(*) FROM audit_log WHERE action ="
                           " 'user_add' AND user_id IS NULL"),
                   1);
  assert_true(is_password_of("admin", pw)); /* unchanged */
}

static void init_names_the_administrator_after_the_sites_domain(void **s) {
  buf_t out = {0};
  (void)s;
  const char *const url[] = {"settings", "set", "site_url",
                             "https://www.naba.example", NULL};
  run(&out, 0, url);
  buf_free(&out);
  const char *const init[] = {"init", NULL};
  run(&out, 0, init);
  assert_non_null(strstr(out.data, "admin <admin@naba.example>"));
  buf_free(&out);
}

static void user_commands_add_list_change_and_reset_accounts(void **s) {
  buf_t out = {0};
  char pw[64], pw2[64];
  (void)s;
  const char *const init[] = {"init", NULL};
  run(&out, 0, init);
  buf_free(&out);

  const char *const add[] = {
      "user",   "add",    "Huda",   "--email", "huda@example.test",
      "--role", "editor", "--lang", "en",      NULL};
  run(&out, 0, add);
  assert_int_equal(printed_passwords(out.data, pw), 1);
  assert_true(is_password_of("Huda", pw));
  buf_free(&out);

  /* Refusals: the name in another case, a bad role or address, no
   * --email; nothing added. */
  const char *const again[] = {
      "user",   "add",    "HUDA", "--email", "h2@example.test",
      "--role", "author", NULL};
  run(&out, 2, again);
  assert_non_null(strstr(out.data, "a user has this name"));
  assert_null(strstr(out.data, "one-time password"));
  buf_free(&out);
  const char *const boss[] = {"user",           "add",    "Rami", "--email",
                              "r@example.test", "--role", "boss", NULL};
  run(&out, 2, boss);
  assert_non_null(strstr(out.data, "not \"boss\""));
  buf_free(&out);
  const char *const noat[] = {"user",    "add",    "Rami",   "--email",
                              "nowhere", "--role", "author", NULL};
  run(&out, 2, noat);
  assert_non_null(strstr(out.data, "\"@\""));
  buf_free(&out);
  const char *const nomail[] = {"user",   "add",    "Rami",
                                "--role", "author", NULL};
  run(&out, 2, nomail);
  assert_non_null(strstr(out.data, "--email is required"));
  buf_free(&out);
  assert_int_equal(sql_i64("SELECT count(*) FROM users"), 2);

  const char *const list[] = {"user", "list", NULL};
  run(&out, 0, list);
  assert_non_null(strstr(out.data, "2\tHuda\thuda@example.test\teditor\t"
                                   "active, one-time password\ten\n"));
  assert_non_null(strstr(out.data, "1\tadmin\tadmin@localhost\t"
                                   "administrator\t"));
  buf_free(&out);

  /* Role, disable (which ends the sessions), enable, by name or e-mail. */
  sql_exec("INSERT INTO sessions VALUES ('s1', 2, 1, 9999999999),"
           " ('s2', 2, 1, 9999999999), ('a1', 1, 1, 9999999999)");
  const char *const role[] = {"user", "role", "huda@EXAMPLE.test", "author",
                              NULL};
  run(&out, 0, role);
  buf_free(&out);
  const char *const disable[] = {"user", "disable", "huda", NULL};
  run(&out, 0, disable);
  buf_free(&out);
  assert_int_equal(sql_i64("SELECT count(*) FROM sessions WHERE user_id = 2"),
                   0);
  assert_int_equal(sql_i64("SELECT count(*) FROM sessions"), 1);
  run(&out, 0, list);
  assert_non_null(strstr(out.data, "2\tHuda\thuda@example.test\tauthor\t"
                                   "disabled, one-time password\ten\n"));
  buf_free(&out);
  const char *const enable[] = {"user", "enable", "Huda", NULL};
  run(&out, 0, enable);
  buf_free(&out);
  assert_int_equal(sql_i64("SELECT disabled FROM users WHERE id = 2"), 0);

  /* A new one-time password: printed once, the old one no longer works,
   * every session of the user ends. */
  sql_exec("INSERT INTO sessions VALUES ('s3', 2, 1, 9999999999)");
  const char *const passwd[] = {"user", "passwd", "Huda", NULL};
  run(&out, 0, passwd);
  assert_int_equal(printed_passwords(out.data, pw2), 1);
  assert_string_not_equal(pw, pw2);
  assert_true(is_password_of("Huda", pw2));
  assert_false(is_password_of("Huda", pw));
  buf_free(&out);
  assert_int_equal(sql_i64("SELECT count(*) FROM sessions WHERE user_id = 2"),
                   0);

  const char *const nobody[] = {"user", "passwd", "nobody", NULL};
  run(&out, 2, nobody);
  assert_non_null(strstr(out.data, "no user \"nobody\""));
  assert_null(strstr(out.data, "one-time password"));
  buf_free(&out);
  const char *const bare[] = {"user", NULL};
  run(&out, 2, bare);
  assert_non_null(strstr(out.data, "usage: naba user add"));
  buf_free(&out);

  /* Every change is in the audit log, by the command line. */
  assert_int_equal(sql_i64("SELECT count(*) FROM audit_log WHERE user_id IS"
                           " NULL AND object = 'user:2' AND action IN"
                           " ('user_add', 'role', 'disable', 'enable',"
                           " 'passwd')"),
                   5);
  assert_int_equal(
      sql_i64("SELECT count(*) FROM audit_log WHERE detail = 'editor -> "
              "author'"),
      1);
}

/* Names and addresses may come from a WordPress import, unchecked: the
 * list escapes them, so none can forge a line, reorder the text (U+202E)
 * or drive the terminal (ESC). */
static void user_list_escapes_names_and_addresses(void **s) {
  buf_t out = {0};
  (void)s;
  const char *const init[] = {"init", NULL};
  run(&out, 0, init);
  buf_free(&out);
  sql_exec("INSERT INTO users (name, email, role, created_at) VALUES"
           " ('ev' || char(27) || '[31mil' || char(10) || '9\tforged',"
           " 'x' || char(8238) || '@y.z', 2, 1)");
  const char *const list[] = {"user", "list", NULL};
  run(&out, 0, list);
  assert_null(strchr(out.data, 27));
  assert_null(strstr(out.data, "\xe2\x80\xae"));
  assert_int_equal(count(out.data, "\n"), 2);
  assert_null(strstr(out.data, "\n9\tforged"));
  assert_non_null(strstr(out.data, "forged"));
  buf_free(&out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(port_out_of_range_says_the_range),
      cmocka_unit_test(port_that_is_not_a_number_says_so),
      cmocka_unit_test(port_from_the_environment_is_checked_too),
      cmocka_unit_test(threads_out_of_range_says_the_range),
      cmocka_unit_test(unknown_option_and_command_are_named),
      cmocka_unit_test_setup_teardown(
          init_prints_the_administrators_password_once, db_setup, db_teardown),
      cmocka_unit_test_setup_teardown(
          init_names_the_administrator_after_the_sites_domain, db_setup,
          db_teardown),
      cmocka_unit_test_setup_teardown(
          user_commands_add_list_change_and_reset_accounts, db_setup,
          db_teardown),
      cmocka_unit_test_setup_teardown(user_list_escapes_names_and_addresses,
                                      db_setup, db_teardown),
  };
  if (sodium_init() < 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
