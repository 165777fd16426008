/* HTTP tests of the newsroom's door: logging in with a one-time password
 * and changing it, sessions ended on the server, CSRF, the limits on
 * guessing, and what the cookie and the pages say, against the real server
 * (see harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../shared.h"
#include "harness.h"

/* naba user add NAME --role ROLE: its one-time password into pw. */
static void add_user(const char *name, const char *role, char *pw, size_t n) {
  char email[128];
  snprintf(email, sizeof email, "%s@example.org", name);
  const char *args[] = {"user",   "add", name,   "--email", email,
                        "--role", role,  "--db", db,        NULL};
  buf_t out = {0};
  assert_int_equal(naba(&out, args), 0);
  const char *p = strstr(out.data, "one-time password: ");
  assert_non_null(p);
  p += strlen("one-time password: ");
  snprintf(pw, n, "%.*s", (int)strcspn(p, " \n"), p);
  assert_true(strlen(pw) >= 8);
  buf_free(&out);
}

/* POST /admin/login, from the client address xff (NULL: the peer); the
 * session cookie ("naba_session=...") into cookie when one is set. */
static long login(const char *name, const char *pw, const char *xff,
                  char *cookie, size_t n, reply *r) {
  static int clients;
  char *body = form("name", name, "password", pw, NULL);
  char h[96];
  /* Each login from a client of its own, unless one is asked for: the
   * tests log in more often than one address may. */
  if (xff)
    snprintf(h, sizeof h, "X-Forwarded-For: %s", xff);
  else {
    clients++;
    snprintf(h, sizeof h, "X-Forwarded-For: 10.8.%d.%d", clients / 250,
             clients % 250 + 1);
  }
  request("POST", "/admin/login", h, NULL, body, r);
  free(body);
  char v[512];
  if (cookie && header(r, "Set-Cookie", v, sizeof v))
    snprintf(cookie, n, "Cookie: %.*s", (int)strcspn(v, ";"), v);
  return r->status;
}

static void location_is(const reply *r, const char *want) {
  char v[512];
  assert_true(header(r, "Location", v, sizeof v));
  assert_string_equal(v, want);
}

static void
a_first_login_changes_the_one_time_password_before_anything_else(void **s) {
  (void)s;
  char pw[64], cookie[256], v[512], t[128];
  reply r;
  add_user("layla", "author", pw, sizeof pw);

  /* Not logged in: every page leads to the login form, saying where to
   * come back to. */
  get("GET", "/admin", NULL, NULL, &r);
  assert_int_equal(r.status, 303);
  location_is(&r, "/admin/login?next=%2Fadmin");
  reply_free(&r);
  get("GET", "/admin/login", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "lang=\"ar\" dir=\"rtl\""));
  assert_true(header(&r, "Cache-Control", v, sizeof v));
  assert_non_null(strstr(v, "no-store"));
  assert_true(header(&r, "Content-Security-Policy", v, sizeof v));
  assert_non_null(strstr(v, "frame-ancestors"));
  reply_free(&r);

  assert_int_equal(login("layla", pw, NULL, cookie, sizeof cookie, &r), 303);
  location_is(&r, "/admin/password");
  assert_true(header(&r, "Set-Cookie", v, sizeof v));
  assert_int_equal(strncmp(v, "naba_session=", 13), 0);
  assert_non_null(strstr(v, "HttpOnly"));
  assert_non_null(strstr(v, "SameSite=Lax"));
  assert_non_null(strstr(v, "Path=/"));
  assert_null(strstr(v, "Secure")); /* the site is http:// */
  reply_free(&r);

  /* Until it is changed, the dashboard is out of reach. */
  get("GET", "/admin", cookie, NULL, &r);
  assert_int_equal(r.status, 303);
  location_is(&r, "/admin/password");
  reply_free(&r);
  get("GET", "/admin/password", cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  csrf_of(&r, t, sizeof t);
  reply_free(&r);

  /* A common password, or two that differ, are refused with the reason. */
  char *body = form("csrf", t, "current", pw, "new", "password1", "again",
                    "password1", NULL);
  request("POST", "/admin/password", cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "admin-error"));
  reply_free(&r);
  body = form("csrf", t, "current", pw, "new", GOOD_PASSWORD, "again",
              "something else", NULL);
  request("POST", "/admin/password", cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 422);
  reply_free(&r);

  body = form("csrf", t, "current", pw, "new", GOOD_PASSWORD, "again",
              GOOD_PASSWORD, NULL);
  request("POST", "/admin/password", cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  location_is(&r, "/admin?done=password");
  reply_free(&r);

  /* The newsroom: every article, the seed's among them. */
  get("GET", "/admin", cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, SEED_TITLE));
  assert_non_null(strstr(r.body.data, "layla"));
  assert_true(header(&r, "Cache-Control", v, sizeof v));
  assert_non_null(strstr(v, "no-store"));
  reply_free(&r);

  /* The one-time password is gone; the new one works. */
  assert_int_equal(login("layla", pw, NULL, NULL, 0, &r), 401);
  reply_free(&r);
  assert_int_equal(login("LAYLA@example.org", GOOD_PASSWORD, NULL, NULL, 0, &r),
                   303);
  location_is(&r, "/admin");
  reply_free(&r);
}

static void
a_form_without_its_sessions_token_or_from_elsewhere_changes_nothing(void **s) {
  (void)s;
  char cookie[256], t[128];
  reply r;
  newsroom_user("karim", "editor", cookie, sizeof cookie, t, sizeof t);

  char *none = form("lang", "en", NULL);
  char *wrong = form("lang", "en", "csrf", "AAAA", NULL);
  char *right = form("lang", "en", "csrf", t, NULL);
  request("POST", "/admin/lang", cookie, NULL, none, &r);
  assert_int_equal(r.status, 403);
  reply_free(&r);
  request("POST", "/admin/lang", cookie, NULL, wrong, &r);
  assert_int_equal(r.status, 403);
  reply_free(&r);
  request("POST", "/admin/lang", cookie, "Sec-Fetch-Site: cross-site", right,
          &r);
  assert_int_equal(r.status, 403);
  reply_free(&r);
  /* A GET never changes anything. */
  get("GET", "/admin/lang?lang=en", cookie, NULL, &r);
  assert_int_not_equal(r.status, 303);
  reply_free(&r);
  get("GET", "/admin", cookie, NULL, &r);
  assert_non_null(strstr(r.body.data, "lang=\"ar\" dir=\"rtl\""));
  reply_free(&r);

  request("POST", "/admin/lang", cookie, "Sec-Fetch-Site: same-origin", right,
          &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  get("GET", "/admin", cookie, NULL, &r);
  assert_non_null(strstr(r.body.data, "lang=\"en\" dir=\"ltr\""));
  assert_non_null(strstr(r.body.data, "Articles"));
  reply_free(&r);
  free(none);
  free(wrong);
  free(right);
}

static void logging_out_ends_the_session_on_the_server(void **s) {
  (void)s;
  char cookie[256], t[128], v[512];
  reply r;
  newsroom_user("salma", "editor", cookie, sizeof cookie, t, sizeof t);

  char *body = form("csrf", t, NULL);
  request("POST", "/admin/logout", cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  location_is(&r, "/admin/login");
  assert_true(header(&r, "Set-Cookie", v, sizeof v));
  assert_non_null(strstr(v, "Max-Age=0"));
  reply_free(&r);
  /* The old cookie, kept by a thief, opens nothing. */
  get("GET", "/admin", cookie, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  /* A form sent after the session ended asks to log in again. */
  body = form("csrf", t, "lang", "en", NULL);
  request("POST", "/admin/lang", cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 401);
  assert_non_null(strstr(r.body.data, "name=\"password\""));
  reply_free(&r);
}

static void
a_new_password_or_logging_out_everywhere_ends_the_other_sessions(void **s) {
  (void)s;
  char a[256], b[256], ta[128], tb[128];
  reply r;
  newsroom_user("nadia", "editor", a, sizeof a, ta, sizeof ta);
  assert_int_equal(login("nadia", GOOD_PASSWORD, NULL, b, sizeof b, &r), 303);
  reply_free(&r);
  get("GET", "/admin", b, NULL, &r);
  assert_int_equal(r.status, 200);
  csrf_of(&r, tb, sizeof tb);
  reply_free(&r);

  /* The password changed in session a: b is out, a stays in. */
  char *body =
      form("csrf", ta, "current", GOOD_PASSWORD, "new",
           "شاي بالنعناع في المساء", "again", "شاي بالنعناع في المساء", NULL);
  request("POST", "/admin/password", a, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  get("GET", "/admin", b, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  get("GET", "/admin", a, NULL, &r);
  assert_int_equal(r.status, 200);
  reply_free(&r);

  /* Everywhere: a ends too. */
  assert_int_equal(
      login("nadia", "شاي بالنعناع في المساء", NULL, b, sizeof b, &r), 303);
  reply_free(&r);
  body = form("csrf", ta, NULL);
  request("POST", "/admin/logout-everywhere", a, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  get("GET", "/admin", a, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  get("GET", "/admin", b, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
}

static void a_disabled_user_is_out_at_once_and_cannot_log_in(void **s) {
  (void)s;
  char cookie[256], t[128];
  reply r;
  newsroom_user("omar", "editor", cookie, sizeof cookie, t, sizeof t);
  const char *args[] = {"user", "disable", "omar", "--db", db, NULL};
  assert_int_equal(naba(NULL, args), 0);
  get("GET", "/admin", cookie, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  /* The same answer as a wrong password: the form tells nothing. */
  assert_int_equal(login("omar", GOOD_PASSWORD, NULL, NULL, 0, &r), 401);
  assert_non_null(strstr(r.body.data, "admin-error"));
  reply_free(&r);
}

/* The refusal's text of a failed login (the admin-error paragraph). */
static void refusal(const reply *r, char *out, size_t n) {
  const char *p = strstr(r->body.data, "class=\"admin-error\" role=\"alert\">");
  assert_non_null(p);
  p = strchr(p, '>') + 1;
  snprintf(out, n, "%.*s", (int)strcspn(p, "<"), p);
}

static void
wrong_passwords_all_look_alike_and_then_the_account_must_wait(void **s) {
  (void)s;
  char cookie[256], t[128], first[256], other[256], addr[32];
  reply r;
  newsroom_user("hind", "editor", cookie, sizeof cookie, t, sizeof t);

  /* Unknown name, wrong password: one answer. Each try from another
   * address, so only the account's own limit counts. */
  assert_int_equal(login("nobody", "whatever1", "10.0.0.1", NULL, 0, &r), 401);
  refusal(&r, first, sizeof first);
  reply_free(&r);
  /* After three, each next try waits: 1 s after the third failure, 2 s
   * after the fourth... Tries until the fourth failure is let through
   * (polling, up to 10 s). */
  int failures = 0, tries = 0, waited = 0;
  int64_t until = nb_now_us() + 10 * 1000000;
  while (failures < 4 && nb_now_us() < until) {
    tries++;
    snprintf(addr, sizeof addr, "10.0.%d.%d", tries / 250 + 1, tries % 250 + 1);
    long st = login("hind", "not her password", addr, NULL, 0, &r);
    if (st == 401) {
      refusal(&r, other, sizeof other);
      assert_string_equal(other, first);
      failures++;
    } else {
      assert_int_equal(st, 429);
      assert_true(failures >= 3);
      waited++;
      usleep(50 * 1000); /* a poll's pace, not a wait for time to pass */
    }
    reply_free(&r);
  }
  assert_true(waited > 0);
  assert_int_equal(failures, 4);
  /* Now 2 s must pass: even the right password is turned back, and says
   * when to come again (no lockout). */
  char v[64];
  assert_int_equal(login("hind", GOOD_PASSWORD, "10.0.2.1", NULL, 0, &r), 429);
  assert_true(header(&r, "Retry-After", v, sizeof v));
  assert_true(atoi(v) >= 1 && atoi(v) <= 2);
  reply_free(&r);

  /* One address trying many names is held at ten a minute (22 tries: a
   * minute may turn once on the way). */
  int limited = 0;
  for (int i = 0; i < 22; i++) {
    char name[32];
    snprintf(name, sizeof name, "guess%d", i);
    long st = login(name, "whatever1", "10.0.3.1", NULL, 0, &r);
    limited += st == 429;
    reply_free(&r);
  }
  assert_true(limited >= 1);
}

static void after_login_only_newsroom_paths_are_followed(void **s) {
  (void)s;
  char cookie[256], t[128];
  reply r;
  newsroom_user("yusuf", "editor", cookie, sizeof cookie, t, sizeof t);
  const char *bad[] = {"//evil.example/admin", "https://evil.example/",
                       "/admin/../x", "/adminx"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char *body =
        form("name", "yusuf", "password", GOOD_PASSWORD, "next", bad[i], NULL);
    request("POST", "/admin/login", NULL, NULL, body, &r);
    free(body);
    assert_int_equal(r.status, 303);
    char v[256];
    assert_true(header(&r, "Location", v, sizeof v));
    assert_string_equal(v, "/admin");
    reply_free(&r);
  }
}

static void an_https_site_gets_a_host_only_secure_cookie(void **s) {
  (void)s;
  char pw[64], v[512];
  reply r;
  add_user("rania", "contributor", pw, sizeof pw);
  set_setting("site_url", "https://news.example");
  assert_int_equal(login("rania", pw, NULL, NULL, 0, &r), 303);
  assert_true(header(&r, "Set-Cookie", v, sizeof v));
  assert_int_equal(strncmp(v, "__Host-naba_session=", 20), 0);
  assert_non_null(strstr(v, "; Secure"));
  assert_non_null(strstr(v, "Path=/;"));
  assert_null(strstr(v, "Domain"));
  reply_free(&r);
  const char *unset[] = {"settings", "unset", "site_url", "--db", db, NULL};
  assert_int_equal(naba(NULL, unset), 0);
}

/* The newsroom's pages may run its editor (a file of this origin), never
 * inline code; the editor is served when it was built (make editor), a
 * 404 otherwise, and a copy asked for under no version is never kept. */
static void the_newsroom_runs_its_own_script_files_and_no_others(void **s) {
  (void)s;
  char v[512];
  reply r;
  get("GET", "/admin/login", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_true(header(&r, "Content-Security-Policy", v, sizeof v));
  assert_non_null(strstr(v, "script-src 'self';"));
  assert_null(strstr(v, "unsafe"));
  assert_non_null(strstr(v, "object-src 'none'"));
  reply_free(&r);
  /* The public pages still run nothing. */
  get("GET", "/", NULL, NULL, &r);
  assert_true(header(&r, "Content-Security-Policy", v, sizeof v));
  assert_non_null(strstr(v, "script-src 'none';"));
  reply_free(&r);

  int built = access(NABA_THEME_DIR "/../admin/editor.js", R_OK) == 0;
  get("GET", "/admin/editor.js?v=0000000000000000", NULL, NULL, &r);
  assert_int_equal(r.status, built ? 200 : 404);
  if (built) {
    assert_true(header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "text/javascript; charset=utf-8");
    assert_true(header(&r, "Cache-Control", v, sizeof v));
    assert_string_equal(v, "private, no-store");
    assert_non_null(strstr(r.body.data, "article-form"));
  }
  reply_free(&r);
}

/* The fixture, behind a trusted proxy: each login names its client. */
static int setup_admin(void **state) {
  int rc = setup(state);
  set_setting("trusted_proxies", "127.0.0.1");
  return rc;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          a_first_login_changes_the_one_time_password_before_anything_else),
      cmocka_unit_test(
          a_form_without_its_sessions_token_or_from_elsewhere_changes_nothing),
      cmocka_unit_test(logging_out_ends_the_session_on_the_server),
      cmocka_unit_test(
          a_new_password_or_logging_out_everywhere_ends_the_other_sessions),
      cmocka_unit_test(a_disabled_user_is_out_at_once_and_cannot_log_in),
      cmocka_unit_test(
          wrong_passwords_all_look_alike_and_then_the_account_must_wait),
      cmocka_unit_test(after_login_only_newsroom_paths_are_followed),
      cmocka_unit_test(an_https_site_gets_a_host_only_secure_cookie),
      cmocka_unit_test(the_newsroom_runs_its_own_script_files_and_no_others),
  };
  return cmocka_run_group_tests(tests, setup_admin, teardown);
}
