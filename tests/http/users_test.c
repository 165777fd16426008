/* HTTP tests of the newsroom's accounts and audit log (/admin/users,
 * /admin/audit): only administrators see them or change anything, a new
 * account's one-time password is shown once and logs in, role changes and
 * disabling take effect, the last administrator stays, every change is on
 * the audit page with its actor, and a form without its CSRF token does
 * nothing; against the real server (see harness.h), the database read
 * back with SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../shared.h"
#include "harness.h"

static int64_t audit_rows(const char *action, const char *object) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM audit_log WHERE action = '%s'"
           " AND object = '%s'",
           action, object);
  return sql_i64(sql);
}

/* The interface in English, so the tests can read its sentences. */
static void in_english(const char *cookie, const char *csrf) {
  reply r;
  char *body = form("csrf", csrf, "lang", "en", NULL);
  request("POST", "/admin/lang", cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  reply_free(&r);
}

/* A column of the user called name (-1 when there is none). */
static int64_t user_col(const char *name, const char *col) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT %s FROM users WHERE name = '%s'", col,
           name);
  return sql_i64(sql);
}

/* An account made by the command line; its id. */
static int64_t cli_user(const char *name, const char *role) {
  char email[128];
  buf_t out = {0};
  snprintf(email, sizeof email, "%s@example.org", name);
  const char *args[] = {"user",   "add", name,   "--email", email,
                        "--role", role,  "--db", db,        NULL};
  assert_int_equal(naba(&out, args), 0);
  buf_free(&out);
  return user_col(name, "id");
}

/* POST /admin/users with body (taken); the reply in r. */
static long post_users(const char *cookie, char *body, reply *r) {
  request("POST", "/admin/users", cookie, NULL, body, r);
  free(body);
  return r->status;
}

/* A change to user id by action (role: also the new role), CSRF token
 * csrf (NULL: none); the status. */
static long change(const char *cookie, const char *csrf, const char *action,
                   int64_t id, const char *role) {
  char ids[32];
  reply r;
  snprintf(ids, sizeof ids, "%lld", (long long)id);
  char *body = csrf ? form("csrf", csrf, "action", action, "user", ids, "role",
                           role ? role : "", NULL)
                    : form("action", action, "user", ids, "role",
                           role ? role : "", NULL);
  long status = post_users(cookie, body, &r);
  reply_free(&r);
  return status;
}

/* Adds name with the add form; the reply in r (freed by the caller). */
static long add_user(const char *cookie, const char *csrf, const char *name,
                     const char *email, const char *role, reply *r) {
  char *body = csrf ? form("csrf", csrf, "action", "add", "name", name, "email",
                           email, "role", role, "lang", "ar", NULL)
                    : form("action", "add", "name", name, "email", email,
                           "role", role, "lang", "ar", NULL);
  return post_users(cookie, body, r);
}

/* The one-time password a page shows, into pw ("" when none). */
static void onetime_of(const reply *r, char *pw, size_t n) {
  const char *p = strstr(r->body.data, "translate=\"no\">");
  pw[0] = '\0';
  if (p) {
    p += strlen("translate=\"no\">");
    snprintf(pw, n, "%.*s", (int)strcspn(p, "<"), p);
  }
}

/* Logs name in with pw: the session's Cookie header into cookie; the
 * status. */
static long login(const char *name, const char *pw, char *cookie, size_t n) {
  static int clients;
  char h[96], v[512];
  reply r;
  char *body = form("name", name, "password", pw, NULL);
  clients++;
  snprintf(h, sizeof h, "X-Forwarded-For: 10.8.%d.%d", clients / 250,
           clients % 250 + 1);
  request("POST", "/admin/login", h, NULL, body, &r);
  free(body);
  long status = r.status;
  cookie[0] = '\0';
  if (header(&r, "Set-Cookie", v, sizeof v))
    snprintf(cookie, n, "Cookie: %.*s", (int)strcspn(v, ";"), v);
  reply_free(&r);
  return status;
}

static long status_of_get(const char *path, const char *cookie) {
  reply r;
  get("GET", path, cookie, NULL, &r);
  long s = r.status;
  reply_free(&r);
  return s;
}

static void
only_administrators_see_the_users_and_audit_and_change_them(void **s) {
  (void)s;
  static const char *const roles[] = {"contributor", "author", "editor",
                                      "administrator"};
  for (int i = 0; i < 4; i++) {
    char cookie[256], csrf[128], name[32], target[32], added[32], sql[256];
    int allowed = i == 3;
    reply r;
    snprintf(name, sizeof name, "actor%d", i);
    snprintf(target, sizeof target, "target%d", i);
    snprintf(added, sizeof added, "added%d", i);
    newsroom_user(name, roles[i], cookie, sizeof cookie, csrf, sizeof csrf);
    int64_t me = user_col(name, "id"), t = cli_user(target, "author");

    /* The links are shown to those who may follow them. */
    get("GET", "/admin", cookie, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(strstr(r.body.data, "href=\"/admin/users\"") != NULL,
                     allowed);
    assert_int_equal(strstr(r.body.data, "href=\"/admin/audit\"") != NULL,
                     allowed);
    reply_free(&r);

    get("GET", "/admin/users", cookie, NULL, &r);
    assert_int_equal(r.status, allowed ? 200 : 403);
    assert_int_equal(strstr(r.body.data, "target0@example.org") != NULL,
                     allowed);
    reply_free(&r);
    get("GET", "/admin/audit", cookie, NULL, &r);
    assert_int_equal(r.status, allowed ? 200 : 403);
    assert_int_equal(strstr(r.body.data, "user_add") != NULL, allowed);
    reply_free(&r);

    char email[64];
    snprintf(email, sizeof email, "%s@example.org", added);
    assert_int_equal(add_user(cookie, csrf, added, email, "editor", &r),
                     allowed ? 200 : 403);
    reply_free(&r);
    assert_int_equal(user_col(added, "role"), allowed ? 3 : -1);
    assert_int_equal(change(cookie, csrf, "role", t, "editor"),
                     allowed ? 303 : 403);
    assert_int_equal(user_col(target, "role"), allowed ? 3 : 2);
    assert_int_equal(change(cookie, csrf, "disable", t, NULL),
                     allowed ? 303 : 403);
    assert_int_equal(user_col(target, "disabled"), allowed);
    assert_int_equal(change(cookie, csrf, "passwd", t, NULL),
                     allowed ? 200 : 403);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE user_id = %lld"
             " AND action IN ('user_add', 'role', 'disable', 'passwd')",
             (long long)me);
    assert_int_equal(sql_i64(sql), allowed ? 4 : 0);
  }
}

static void
an_added_user_gets_a_one_time_password_shown_once_that_logs_in(void **s) {
  (void)s;
  char cookie[256], csrf[128], pw[64], their[256], loc[256];
  reply r;
  newsroom_user("boss", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  long log_from = server_log_size();
  assert_int_equal(
      add_user(cookie, csrf, "نور", "noor@example.org", "author", &r), 200);
  assert_false(header(&r, "Location", loc, sizeof loc));
  onetime_of(&r, pw, sizeof pw);
  assert_int_equal(strlen(pw), 20);
  assert_non_null(strstr(r.body.data, "<bdi>نور</bdi>"));
  reply_free(&r);
  assert_int_equal(user_col("نور", "role"), 2);
  assert_int_equal(user_col("نور", "must_change"), 1);

  /* Never again: not on the page, not in the server's log. */
  get("GET", "/admin/users", cookie, NULL, &r);
  assert_null(strstr(r.body.data, pw));
  reply_free(&r);
  assert_false(eventually_logged(log_from, pw));

  /* It logs in, and must be changed before anything else. */
  assert_int_equal(login("نور", pw, their, sizeof their), 303);
  get("GET", "/admin", their, NULL, &r);
  assert_int_equal(r.status, 303);
  assert_true(header(&r, "Location", loc, sizeof loc));
  assert_string_equal(loc, "/admin/password");
  reply_free(&r);
}

static void a_refused_account_keeps_what_was_typed_and_says_why(void **s) {
  (void)s;
  char cookie[256], csrf[128];
  reply r;
  newsroom_user("typist", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  in_english(cookie, csrf);
  assert_int_equal(
      add_user(cookie, csrf, "typist", "other@example.org", "editor", &r), 422);
  assert_non_null(strstr(r.body.data, "already has an account"));
  assert_non_null(strstr(r.body.data, "value=\"other@example.org\""));
  assert_non_null(strstr(r.body.data, "value=\"editor\" selected"));
  reply_free(&r);
  assert_int_equal(
      add_user(cookie, csrf, "someone", "not-an-address", "author", &r), 422);
  assert_non_null(strstr(r.body.data, "cannot be used"));
  assert_non_null(strstr(r.body.data, "value=\"someone\""));
  assert_non_null(strstr(r.body.data, "value=\"not-an-address\""));
  reply_free(&r);
  assert_int_equal(user_col("someone", "id"), -1);
  assert_int_equal(
      sql_i64("SELECT count(*) FROM users WHERE email = 'other@example.org'"),
      0);
}

static void a_role_change_and_disabling_take_effect_at_once(void **s) {
  (void)s;
  char cookie[256], csrf[128], wc[256], wcsrf[128], pw[64];
  reply r;
  newsroom_user("chief", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  in_english(cookie, csrf);
  newsroom_user("writer", "contributor", wc, sizeof wc, wcsrf, sizeof wcsrf);
  int64_t w = user_col("writer", "id");
  assert_int_equal(status_of_get("/admin/comments", wc), 403);

  assert_int_equal(change(cookie, csrf, "role", w, "editor"), 303);
  assert_int_equal(status_of_get("/admin/comments", wc), 200);
  get("GET", "/admin/users?done=role", cookie, NULL, &r);
  assert_non_null(strstr(r.body.data, "The role was changed."));
  reply_free(&r);

  /* Disabled: the session ends and the password no longer logs in. */
  assert_int_equal(change(cookie, csrf, "disable", w, NULL), 303);
  assert_int_equal(status_of_get("/admin", wc), 303);
  char sql[128];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM sessions WHERE user_id = %lld", (long long)w);
  assert_int_equal(sql_i64(sql), 0);
  assert_int_not_equal(login("writer", GOOD_PASSWORD, wc, sizeof wc), 303);

  assert_int_equal(change(cookie, csrf, "enable", w, NULL), 303);
  assert_int_equal(user_col("writer", "disabled"), 0);
  assert_int_equal(login("writer", GOOD_PASSWORD, wc, sizeof wc), 303);
  assert_int_equal(status_of_get("/admin", wc), 200);

  /* A new one-time password ends the sessions; it logs in, the old one
   * does not. */
  char ids[32];
  snprintf(ids, sizeof ids, "%lld", (long long)w);
  assert_int_equal(
      post_users(cookie,
                 form("csrf", csrf, "action", "passwd", "user", ids, NULL), &r),
      200);
  onetime_of(&r, pw, sizeof pw);
  assert_int_equal(strlen(pw), 20);
  reply_free(&r);
  assert_int_equal(status_of_get("/admin", wc), 303);
  assert_int_equal(user_col("writer", "must_change"), 1);
  assert_int_not_equal(login("writer", GOOD_PASSWORD, wc, sizeof wc), 303);
  assert_int_equal(login("writer", pw, wc, sizeof wc), 303);
}

static void every_change_is_on_the_audit_page_with_its_actor(void **s) {
  (void)s;
  char cookie[256], csrf[128], needle[256];
  reply r;
  /* Older entries, to fill more than a page. */
  sql_exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
           " WHERE i < 60) INSERT INTO audit_log (at, user_id, action)"
           " SELECT 0, NULL, 'filler' FROM n");
  newsroom_user("keeper", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  in_english(cookie, csrf);
  assert_int_equal(
      add_user(cookie, csrf, "logged", "logged@example.org", "author", &r),
      200);
  reply_free(&r);
  int64_t id = user_col("logged", "id");
  assert_int_equal(change(cookie, csrf, "role", id, "editor"), 303);
  assert_int_equal(change(cookie, csrf, "disable", id, NULL), 303);
  assert_int_equal(change(cookie, csrf, "enable", id, NULL), 303);
  assert_int_equal(change(cookie, csrf, "passwd", id, NULL), 200);

  get("GET", "/admin/audit", cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  static const char *const actions[] = {"passwd", "enable", "disable", "role",
                                        "user_add"};
  const char *prev = r.body.data;
  for (int i = 0; i < 5; i++) { /* newest first, each by keeper */
    snprintf(needle, sizeof needle,
             "<td><bdi>keeper</bdi></td><td><bdi dir=\"ltr\">%s</bdi></td>"
             "<td><bdi dir=\"ltr\">user:%lld</bdi></td>",
             actions[i], (long long)id);
    const char *p = strstr(r.body.data, needle);
    assert_non_null(p);
    assert_true(p >= prev);
    prev = p;
  }
  assert_non_null(strstr(r.body.data, "author -&gt; editor"));
  /* keeper's own account came from the command line. */
  snprintf(needle, sizeof needle,
           "<td><bdi>command line</bdi></td><td><bdi dir=\"ltr\">user_add"
           "</bdi></td><td><bdi dir=\"ltr\">user:%lld</bdi>",
           (long long)user_col("keeper", "id"));
  assert_non_null(strstr(r.body.data, needle));
  assert_int_equal(count(r.body.data, "<tr><td>"), 50);
  const char *older = strstr(r.body.data, "href=\"/admin/audit?before=");
  assert_non_null(older);
  char path[128];
  older += strlen("href=\"");
  snprintf(path, sizeof path, "%.*s", (int)strcspn(older, "\""), older);
  reply_free(&r);
  get("GET", path, cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_true(count(r.body.data, "filler") > 0);
  assert_null(strstr(r.body.data, "<bdi>keeper</bdi></td><td><bdi "
                                  "dir=\"ltr\">passwd"));
  reply_free(&r);
}

static void a_post_without_the_csrf_token_changes_nothing(void **s) {
  (void)s;
  char cookie[256], csrf[128];
  reply r;
  newsroom_user("guard", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  int64_t t = cli_user("guarded", "author");
  assert_int_equal(
      add_user(cookie, NULL, "sneaky", "sneaky@example.org", "author", &r),
      403);
  reply_free(&r);
  assert_int_equal(user_col("sneaky", "id"), -1);
  assert_int_equal(change(cookie, NULL, "role", t, "administrator"), 403);
  assert_int_equal(change(cookie, NULL, "disable", t, NULL), 403);
  assert_int_equal(change(cookie, "wrong", "passwd", t, NULL), 403);
  assert_int_equal(user_col("guarded", "role"), 2);
  assert_int_equal(user_col("guarded", "disabled"), 0);
  assert_int_equal(audit_rows("role", "user:0"), 0);
  char sql[128];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM audit_log WHERE object = 'user:%lld'",
           (long long)t);
  assert_int_equal(sql_i64(sql), 1); /* its creation only */
}

/* Last: it leaves one administrator active. */
static void
the_last_administrator_can_be_neither_demoted_nor_disabled(void **s) {
  (void)s;
  char cookie[256], csrf[128];
  reply r;
  newsroom_user("solo", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  in_english(cookie, csrf);
  int64_t me = user_col("solo", "id");
  /* Not even the last one disables themself. */
  assert_int_equal(change(cookie, csrf, "disable", me, NULL), 422);
  assert_int_equal(user_col("solo", "disabled"), 0);

  sql_exec("UPDATE users SET disabled = 1 WHERE role = 4 AND name <> 'solo'");
  char ids[32];
  snprintf(ids, sizeof ids, "%lld", (long long)me);
  assert_int_equal(post_users(cookie,
                              form("csrf", csrf, "action", "role", "user", ids,
                                   "role", "editor", NULL),
                              &r),
                   422);
  assert_non_null(strstr(r.body.data, "The last administrator cannot"));
  reply_free(&r);
  assert_int_equal(user_col("solo", "role"), 4);
  assert_int_equal(audit_rows("role", "user:0"), 0);
  char sql[128];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM audit_log WHERE action = 'role' AND object"
           " = 'user:%lld'",
           (long long)me);
  assert_int_equal(sql_i64(sql), 0);
}

static int setup_users(void **state) {
  int rc = setup(state);
  set_setting("trusted_proxies", "127.0.0.1");
  return rc;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          only_administrators_see_the_users_and_audit_and_change_them),
      cmocka_unit_test(
          an_added_user_gets_a_one_time_password_shown_once_that_logs_in),
      cmocka_unit_test(a_refused_account_keeps_what_was_typed_and_says_why),
      cmocka_unit_test(a_role_change_and_disabling_take_effect_at_once),
      cmocka_unit_test(every_change_is_on_the_audit_page_with_its_actor),
      cmocka_unit_test(a_post_without_the_csrf_token_changes_nothing),
      cmocka_unit_test(
          the_last_administrator_can_be_neither_demoted_nor_disabled),
  };
  return cmocka_run_group_tests(tests, setup_users, teardown);
}
