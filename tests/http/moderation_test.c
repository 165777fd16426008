/* HTTP tests of comment moderation in the newsroom (/admin/comments): who
 * may see the queue and act on it, bulk actions reaching the public page,
 * the audit log, CSRF, search, one article's comments and its comment
 * state, against the real server (see harness.h). Comments are posted as
 * a reader posts them; the database is read back with SQLite. */
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

/* A comment's status (0 pending, 1 approved, 2 spam), -1 when gone. */
static int status_of(long id) {
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT status FROM comments WHERE id = %ld", id);
  return (int)sql_i64(sql);
}

static int64_t audit_rows(const char *action, const char *object) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM audit_log WHERE action = '%s'"
           " AND object = '%s'",
           action, object);
  return sql_i64(sql);
}

/* A reader's comment on the seed article, as the form posts it; its id
 * (pending: the site moderates every comment). */
static long post_comment(const char *name, const char *email,
                         const char *text) {
  char t[256], loc[2048];
  reply r;
  comment_token(t, sizeof t);
  assert_true(t[0]);
  char *body = form("t", t, "author", name, "email", email, "url", "",
                    "comment", text, NULL);
  request("POST", article_path, NULL, NULL, body, &r);
  free(body);
  if (r.status != 303)
    fprintf(stderr, "%s\n", r.body.data);
  assert_int_equal(r.status, 303);
  assert_true(header(&r, "Location", loc, sizeof loc));
  reply_free(&r);
  const char *p = strstr(loc, "#comment-");
  assert_non_null(p);
  long id = atol(p + 9);
  assert_int_equal(status_of(id), 0);
  return id;
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

/* POST /admin/comments: action on the comments ids[0..n) (a checkbox
 * each), with extra name/value fields (or NULL); the Location into loc. */
static long act(const char *cookie, const char *csrf, const char *action,
                const long *ids, int n, const char *extra, char *loc,
                size_t locn) {
  buf_t b = {0};
  reply r;
  if (csrf)
    buf_printf(&b, "csrf=%s&", csrf);
  buf_printf(&b, "status=pending&q=&action=%s", action);
  for (int i = 0; i < n; i++)
    buf_printf(&b, "&c%ld=1", ids[i]);
  if (extra)
    buf_printf(&b, "&%s", extra);
  request("POST", "/admin/comments", cookie, NULL, b.data, &r);
  buf_free(&b);
  long status = r.status;
  if (loc && !header(&r, "Location", loc, locn))
    loc[0] = '\0';
  reply_free(&r);
  return status;
}

/* Polls until the page no longer contains needle (the cache watcher runs
 * every 100 ms) or two seconds pass. */
static int eventually_lacks(const char *path, const char *needle) {
  for (int i = 0; i < 40; i++) {
    reply r;
    get("GET", path, NULL, NULL, &r);
    int gone = strstr(r.body.data, needle) == NULL;
    reply_free(&r);
    if (gone)
      return 1;
    usleep(50000);
  }
  return 0;
}

static long seed_article_id(void) {
  const char *p = strrchr(article_path, '/');
  assert_non_null(p);
  return atol(p + 1);
}

static void
only_editors_and_administrators_see_the_queue_and_act_on_it(void **s) {
  (void)s;
  static const struct {
    const char *role;
    int allowed;
  } roles[] = {
      {"contributor", 0}, {"author", 0}, {"editor", 1}, {"administrator", 1}};
  for (size_t i = 0; i < sizeof roles / sizeof *roles; i++) {
    char cookie[256], csrf[128], name[32], loc[1024];
    reply r;
    snprintf(name, sizeof name, "mod%zu", i);
    newsroom_user(name, roles[i].role, cookie, sizeof cookie, csrf,
                  sizeof csrf);
    char ta[64], tb[64], tc[64];
    snprintf(ta, sizeof ta, "Queue comment A for %s", roles[i].role);
    snprintf(tb, sizeof tb, "Queue comment B for %s", roles[i].role);
    snprintf(tc, sizeof tc, "Queue comment C for %s", roles[i].role);
    long a = post_comment("Reader A", "a@example.test", ta);
    long b = post_comment("Reader B", "b@example.test", tb);
    long c = post_comment("Reader C", "c@example.test", tc);

    /* The link is shown to those who may follow it. */
    get("GET", "/admin", cookie, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(strstr(r.body.data, "href=\"/admin/comments\"") != NULL,
                     roles[i].allowed);
    reply_free(&r);

    get("GET", "/admin/comments", cookie, NULL, &r);
    if (roles[i].allowed) {
      assert_int_equal(r.status, 200);
      assert_non_null(strstr(r.body.data, ta));
      assert_non_null(strstr(r.body.data, "a@example.test"));
    } else {
      assert_int_equal(r.status, 403);
      assert_null(strstr(r.body.data, ta));
      assert_null(strstr(r.body.data, "a@example.test"));
    }
    reply_free(&r);

    long expect = roles[i].allowed ? 303 : 403;
    assert_int_equal(act(cookie, csrf, "approve", &a, 1, NULL, NULL, 0),
                     expect);
    assert_int_equal(act(cookie, csrf, "spam", &b, 1, NULL, NULL, 0), expect);
    assert_int_equal(act(cookie, csrf, "delete", &c, 1, NULL, loc, sizeof loc),
                     expect);
    if (roles[i].allowed) {
      assert_int_equal(status_of(a), 1);
      assert_int_equal(status_of(b), 2);
      assert_int_equal(status_of(c), -1);
      assert_non_null(strstr(loc, "done=delete&n=1&skipped=0"));
    } else { /* nothing changed */
      assert_int_equal(status_of(a), 0);
      assert_int_equal(status_of(b), 0);
      assert_int_equal(status_of(c), 0);
    }
    /* The per-article state is the queue's too. */
    char body[256];
    snprintf(body, sizeof body, "csrf=%s&article=%ld&state=closed", csrf,
             seed_article_id());
    request("POST", "/admin/comments/state", cookie, NULL, body, &r);
    assert_int_equal(r.status, expect);
    reply_free(&r);
    assert_int_equal(sql_i64("SELECT count(*) FROM articles"
                             " WHERE comments_state = 1"),
                     roles[i].allowed ? 1 : 0);
    snprintf(body, sizeof body, "csrf=%s&article=%ld&state=follow", csrf,
             seed_article_id());
    request("POST", "/admin/comments/state", cookie, NULL, body, &r);
    reply_free(&r);
  }
}

static void bulk_approval_shows_the_comments_on_the_public_article(void **s) {
  (void)s;
  char cookie[256], csrf[128], loc[1024], path[1100];
  reply r;
  newsroom_user("bulk", "editor", cookie, sizeof cookie, csrf, sizeof csrf);
  in_english(cookie, csrf);
  long ids[3] = {
      post_comment("قارئ أول", "one@example.test", "أول تعليق للموافقة"),
      post_comment("Second Reader", "two@example.test", "Second to approve"),
      post_comment("Third", "three@example.test", "Third <b>to</b> approve"),
  };
  get("GET", article_path, NULL, NULL, &r);
  assert_null(strstr(r.body.data, "Second to approve"));
  reply_free(&r);

  /* The queue shows each with its text escaped, newest first. */
  get("GET", "/admin/comments", cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  const char *third = strstr(r.body.data, "Third &lt;b&gt;to&lt;/b&gt;");
  const char *second = strstr(r.body.data, "Second to approve");
  assert_non_null(third);
  assert_non_null(second);
  assert_true(third < second);
  assert_null(strstr(r.body.data, "<b>to</b>"));
  reply_free(&r);

  assert_int_equal(act(cookie, csrf, "approve", ids, 3, NULL, loc, sizeof loc),
                   303);
  assert_string_equal(
      loc, "/admin/comments?status=pending&done=approve&n=3&skipped=0");
  snprintf(path, sizeof path, "%s", loc);
  get("GET", path, cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "3 comments approved."));
  assert_null(strstr(r.body.data, "Second to approve")); /* left pending */
  reply_free(&r);
  for (int i = 0; i < 3; i++)
    assert_int_equal(status_of(ids[i]), 1);
  assert_true(eventually_contains(article_path, "أول تعليق للموافقة"));
  assert_true(eventually_contains(article_path, "Second to approve"));
  assert_true(eventually_contains(article_path, "Third &lt;b&gt;to"));

  /* Back to pending takes them off the page again. */
  assert_int_equal(act(cookie, csrf, "pending", ids, 1, NULL, NULL, 0), 303);
  assert_int_equal(status_of(ids[0]), 0);
  assert_true(eventually_lacks(article_path, "أول تعليق للموافقة"));
}

static void deleting_writes_an_audit_row_and_status_changes_do_too(void **s) {
  (void)s;
  char cookie[256], csrf[128], object[64];
  newsroom_user("auditor", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  long a = post_comment("To Delete", "del@example.test", "Delete me");
  long b = post_comment("To Spam", "spam@example.test", "Spam me");
  assert_int_equal(act(cookie, csrf, "delete", &a, 1, NULL, NULL, 0), 303);
  assert_int_equal(act(cookie, csrf, "spam", &b, 1, NULL, NULL, 0), 303);
  snprintf(object, sizeof object, "comment:%ld", a);
  assert_int_equal(audit_rows("comment_delete", object), 1);
  assert_int_equal(status_of(a), -1);
  snprintf(object, sizeof object, "comment:%ld", b);
  assert_int_equal(audit_rows("comment_spam", object), 1);
  assert_int_equal(sql_i64("SELECT count(*) FROM audit_log a JOIN users u"
                           " ON u.id = a.user_id WHERE u.name = 'auditor'"
                           " AND a.action LIKE 'comment%'"),
                   2);
}

static void a_post_without_the_csrf_token_changes_nothing(void **s) {
  (void)s;
  char cookie[256], csrf[128];
  newsroom_user("nocsrf", "editor", cookie, sizeof cookie, csrf, sizeof csrf);
  long a = post_comment("Kept", "kept@example.test", "Kept pending");
  assert_int_equal(act(cookie, NULL, "approve", &a, 1, NULL, NULL, 0), 403);
  assert_int_equal(act(cookie, "not-the-token", "delete", &a, 1, NULL, NULL, 0),
                   403);
  assert_int_equal(status_of(a), 0);
  char body[128];
  snprintf(body, sizeof body, "article=%ld&state=closed", seed_article_id());
  reply r;
  request("POST", "/admin/comments/state", cookie, NULL, body, &r);
  assert_int_equal(r.status, 403);
  reply_free(&r);
  assert_int_equal(sql_i64("SELECT count(*) FROM articles"
                           " WHERE comments_state = 1"),
                   0);
}

static void search_and_the_article_view_find_the_right_comments(void **s) {
  (void)s;
  char cookie[256], csrf[128], path[256], object[64];
  reply r;
  newsroom_user("finder", "editor", cookie, sizeof cookie, csrf, sizeof csrf);
  in_english(cookie, csrf);
  long zainab = post_comment("Zainab Haddad", "zh@example.test", "Hello");
  long mail = post_comment("Omar", "ZAINAB.fan@example.test", "Hi there");
  long text = post_comment("Salma", "s@example.test", "كتبت زينب هذا");
  long other = post_comment("Nadia", "n@example.test", "Nothing to find");
  assert_int_equal(act(cookie, csrf, "spam", &mail, 1, NULL, NULL, 0), 303);

  /* Name and e-mail in any case, in every status. */
  get("GET", "/admin/comments?q=zainab", cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  char want[32];
  snprintf(want, sizeof want, "name=\"c%ld\"", zainab);
  assert_non_null(strstr(r.body.data, want));
  snprintf(want, sizeof want, "name=\"c%ld\"", mail);
  assert_non_null(strstr(r.body.data, want));
  snprintf(want, sizeof want, "name=\"c%ld\"", other);
  assert_null(strstr(r.body.data, want));
  reply_free(&r);
  /* Arabic text, percent-encoded in the URL. */
  get("GET", "/admin/comments?q=%D8%B2%D9%8A%D9%86%D8%A8", cookie, NULL, &r);
  snprintf(want, sizeof want, "name=\"c%ld\"", text);
  assert_non_null(strstr(r.body.data, want));
  snprintf(want, sizeof want, "name=\"c%ld\"", zainab);
  assert_null(strstr(r.body.data, want));
  reply_free(&r);
  /* A "%" is itself, not every comment. */
  get("GET", "/admin/comments?q=%25", cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_null(strstr(r.body.data, "class=\"admin-comment "));
  reply_free(&r);

  /* One article: its comments of every status, its comment state. */
  snprintf(path, sizeof path, "/admin/comments?article=%ld", seed_article_id());
  get("GET", path, cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  snprintf(want, sizeof want, "name=\"c%ld\"", mail); /* spam */
  assert_non_null(strstr(r.body.data, want));
  snprintf(want, sizeof want, "name=\"c%ld\"", other); /* pending */
  assert_non_null(strstr(r.body.data, want));
  assert_non_null(strstr(r.body.data, "value=\"follow\" checked"));
  reply_free(&r);
  get("GET", "/admin/comments?article=999999", cookie, NULL, &r);
  assert_int_equal(r.status, 404);
  reply_free(&r);

  /* Closing it there closes the public form, and is audited. */
  snprintf(object, sizeof object, "article:%ld", seed_article_id());
  int64_t closed = audit_rows("comments_close", object);
  char body[256];
  snprintf(body, sizeof body, "csrf=%s&article=%ld&state=closed", csrf,
           seed_article_id());
  request("POST", "/admin/comments/state", cookie, NULL, body, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  assert_true(eventually_contains(article_path, "التعليقات مغلقة"));
  assert_int_equal(audit_rows("comments_close", object), closed + 1);
  get("GET", path, cookie, NULL, &r);
  assert_non_null(strstr(r.body.data, "value=\"closed\" checked"));
  reply_free(&r);
  snprintf(body, sizeof body, "csrf=%s&article=%ld&state=follow", csrf,
           seed_article_id());
  request("POST", "/admin/comments/state", cookie, NULL, body, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  assert_true(eventually_contains(article_path, "name=\"t\""));
}

static void an_unknown_id_in_a_bulk_action_is_reported_not_a_failure(void **s) {
  (void)s;
  char cookie[256], csrf[128], loc[1024], path[1100];
  reply r;
  newsroom_user("skipper", "editor", cookie, sizeof cookie, csrf, sizeof csrf);
  in_english(cookie, csrf);
  long ids[2] = {post_comment("Real", "real@example.test", "Real one"),
                 99999999};
  assert_int_equal(
      act(cookie, csrf, "approve", ids, 2, "q=Real", loc, sizeof loc), 303);
  assert_non_null(strstr(loc, "done=approve&n=1&skipped=1"));
  snprintf(path, sizeof path, "%s", loc);
  get("GET", path, cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "1 comment approved."));
  assert_non_null(strstr(r.body.data, "1 selected comment was no longer"));
  reply_free(&r);
  assert_int_equal(status_of(ids[0]), 1);

  /* Nothing selected, or only a comment that is gone: said, never a 500. */
  assert_int_equal(act(cookie, csrf, "delete", NULL, 0, NULL, loc, sizeof loc),
                   303);
  assert_non_null(strstr(loc, "done=none"));
  assert_int_equal(
      act(cookie, csrf, "delete", &ids[1], 1, NULL, loc, sizeof loc), 303);
  assert_non_null(strstr(loc, "n=0&skipped=1"));
}

/* The fixture behind a trusted proxy (each login names its client), with
 * readers' comments let in at once and without a limit. */
static int setup_moderation(void **state) {
  int rc = setup(state);
  set_setting("trusted_proxies", "127.0.0.1");
  set_setting("comment_min_seconds", "0");
  set_setting("comment_rate_limit", "0");
  return rc;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          only_editors_and_administrators_see_the_queue_and_act_on_it),
      cmocka_unit_test(bulk_approval_shows_the_comments_on_the_public_article),
      cmocka_unit_test(deleting_writes_an_audit_row_and_status_changes_do_too),
      cmocka_unit_test(a_post_without_the_csrf_token_changes_nothing),
      cmocka_unit_test(search_and_the_article_view_find_the_right_comments),
      cmocka_unit_test(
          an_unknown_id_in_a_bulk_action_is_reported_not_a_failure),
  };
  return cmocka_run_group_tests(tests, setup_moderation, teardown);
}
