/* HTTP tests of the newsroom's sections, tags and settings
 * (/admin/sections, /admin/tags, /admin/settings): who may do what as one
 * table, refusals that keep what was typed, a saved setting on the public
 * site at once, the CLI's check and message, audit rows, a section with
 * articles or a parent cycle refused, and a form without its CSRF token
 * doing nothing; against the real server (see harness.h), the database
 * read back with SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The interface in English, so the tests can read its sentences. */
static void in_english(const char *cookie, const char *csrf) {
  reply r;
  char *body = form("csrf", csrf, "lang", "en", NULL);
  request("POST", "/admin/lang", cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  reply_free(&r);
}

/* POST path with body (taken); the status, the reply in r. */
static long post(const char *path, const char *cookie, char *body, reply *r) {
  request("POST", path, cookie, NULL, body, r);
  free(body);
  return r->status;
}

static long post_status(const char *path, const char *cookie, char *body) {
  reply r;
  long status = post(path, cookie, body, &r);
  reply_free(&r);
  return status;
}

static long get_status(const char *path, const char *cookie) {
  reply r;
  get("GET", path, cookie, NULL, &r);
  long status = r.status;
  reply_free(&r);
  return status;
}

/* An id by SQL, as text for a form. */
static void id_text(const char *sql, char *out, size_t n) {
  int64_t id = sql_i64(sql);
  assert_true(id > 0);
  snprintf(out, n, "%lld", (long long)id);
}

/* ---- who may do what ---- */

enum {
  VIEW_SECTIONS,
  ADD_SECTION,
  EDIT_SECTION,
  DELETE_SECTION,
  VIEW_TAGS,
  RENAME_TAG,
  DELETE_TAG,
  VIEW_SETTINGS,
  SAVE_SETTINGS,
  ACTIONS
};

static void each_role_gets_the_expected_answer_to_each_action(void **s) {
  (void)s;
  static const char *const roles[] = {"contributor", "author", "editor",
                                      "administrator"};
  /* expected[role][action]: issue 13's roles. */
  static const long expected[4][ACTIONS] = {
      {403, 403, 403, 403, 403, 403, 403, 403, 403},
      {403, 403, 403, 403, 403, 403, 403, 403, 403},
      {200, 303, 303, 303, 200, 303, 303, 403, 403},
      {200, 303, 303, 303, 200, 303, 303, 200, 303},
  };
  for (size_t i = 0; i < 4; i++) {
    char cookie[512], csrf[128], name[64], sql[512], sec[32], tag[32],
        deltag[32], delsec[32];
    snprintf(name, sizeof name, "role-%s", roles[i]);
    newsroom_user(name, roles[i], cookie, sizeof cookie, csrf, sizeof csrf);
    /* What each role's changes work on: its own rows. */
    snprintf(sql, sizeof sql,
             "INSERT INTO sections (name, slug, position) VALUES"
             " ('edit-%s', 'edit-%s', 50), ('del-%s', 'del-%s', 51);"
             " INSERT INTO tags (name, slug) VALUES ('tag-%s', 'tag-%s'),"
             " ('deltag-%s', 'deltag-%s')",
             roles[i], roles[i], roles[i], roles[i], roles[i], roles[i],
             roles[i], roles[i]);
    sql_exec(sql);
    snprintf(sql, sizeof sql, "SELECT id FROM sections WHERE slug = 'edit-%s'",
             roles[i]);
    id_text(sql, sec, sizeof sec);
    snprintf(sql, sizeof sql, "SELECT id FROM sections WHERE slug = 'del-%s'",
             roles[i]);
    id_text(sql, delsec, sizeof delsec);
    snprintf(sql, sizeof sql, "SELECT id FROM tags WHERE slug = 'tag-%s'",
             roles[i]);
    id_text(sql, tag, sizeof tag);
    snprintf(sql, sizeof sql, "SELECT id FROM tags WHERE slug = 'deltag-%s'",
             roles[i]);
    id_text(sql, deltag, sizeof deltag);
    char added[64], renamed[64], setting[64];
    snprintf(added, sizeof added, "added-%s", roles[i]);
    snprintf(renamed, sizeof renamed, "renamed-%s", roles[i]);
    snprintf(setting, sizeof setting, "Breaking %s", roles[i]);

    long got[ACTIONS];
    got[VIEW_SECTIONS] = get_status("/admin/sections", cookie);
    got[ADD_SECTION] = post_status(
        "/admin/sections", cookie,
        form("csrf", csrf, "action", "add", "name", added, "slug", "", "parent",
             "0", "position", "", "description", "", NULL));
    got[EDIT_SECTION] =
        post_status("/admin/sections", cookie,
                    form("csrf", csrf, "action", "edit", "section", sec, "name",
                         renamed, "slug", renamed, "parent", "0", "position",
                         "7", "description", "d", NULL));
    got[DELETE_SECTION] = post_status(
        "/admin/sections", cookie,
        form("csrf", csrf, "action", "delete", "section", delsec, NULL));
    got[VIEW_TAGS] = get_status("/admin/tags", cookie);
    got[RENAME_TAG] =
        post_status("/admin/tags", cookie,
                    form("csrf", csrf, "action", "edit", "tag", tag, "name",
                         renamed, "slug", renamed, NULL));
    got[DELETE_TAG] = post_status(
        "/admin/tags", cookie,
        form("csrf", csrf, "action", "delete", "tag", deltag, NULL));
    got[VIEW_SETTINGS] = get_status("/admin/settings", cookie);
    got[SAVE_SETTINGS] =
        post_status("/admin/settings", cookie,
                    form("csrf", csrf, "breaking_news", setting, NULL));
    for (size_t k = 0; k < ACTIONS; k++) {
      if (got[k] != expected[i][k])
        fprintf(stderr, "%s, action %zu: %ld, expected %ld\n", roles[i], k,
                got[k], expected[i][k]);
      assert_int_equal(got[k], expected[i][k]);
    }
    /* What was allowed happened; what was not left no trace. */
    int may_edit = expected[i][ADD_SECTION] == 303;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sections WHERE name = '%s'",
             added);
    assert_int_equal(sql_i64(sql), may_edit);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sections WHERE id = %s",
             delsec);
    assert_int_equal(sql_i64(sql), !may_edit);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM tags WHERE name = '%s'",
             renamed);
    assert_int_equal(sql_i64(sql), may_edit);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM tags WHERE id = %s",
             deltag);
    assert_int_equal(sql_i64(sql), !may_edit);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM settings WHERE key = 'breaking_news'"
             " AND value = '%s'",
             setting);
    assert_int_equal(sql_i64(sql), expected[i][SAVE_SETTINGS] == 303);
  }
  set_setting("breaking_news", "");
}

/* ---- sections ---- */

static void a_refused_section_keeps_what_was_typed_and_says_why(void **s) {
  (void)s;
  char cookie[512], csrf[128];
  reply r;
  newsroom_user("typist", "editor", cookie, sizeof cookie, csrf, sizeof csrf);
  in_english(cookie, csrf);
  int64_t before = sql_i64("SELECT count(*) FROM sections");
  /* The seed's section is سياسة: its name is taken. */
  assert_int_equal(post("/admin/sections", cookie,
                        form("csrf", csrf, "action", "add", "name", "سياسة",
                             "slug", "my-typed-slug", "parent", "0", "position",
                             "12", "description", "وصف كتبته بيدي", NULL),
                        &r),
                   422);
  assert_non_null(strstr(r.body.data, "Another section already has this name"));
  assert_int_equal(count(r.body.data, "class=\"admin-error\""), 1);
  assert_non_null(strstr(r.body.data, "value=\"my-typed-slug\""));
  assert_non_null(strstr(r.body.data, "value=\"12\""));
  assert_non_null(strstr(r.body.data, "وصف كتبته بيدي"));
  reply_free(&r);
  assert_int_equal(post("/admin/sections", cookie,
                        form("csrf", csrf, "action", "add", "name",
                             "قسم بلا رقم", "slug", "", "parent", "0",
                             "position", "first", "description", "", NULL),
                        &r),
                   422);
  assert_non_null(strstr(r.body.data, "The position is a whole number"));
  assert_non_null(strstr(r.body.data, "قسم بلا رقم"));
  reply_free(&r);
  assert_int_equal(sql_i64("SELECT count(*) FROM sections"), before);
}

static void an_empty_slug_is_made_from_the_name(void **s) {
  (void)s;
  char cookie[512], csrf[128];
  newsroom_user("slugger", "editor", cookie, sizeof cookie, csrf, sizeof csrf);
  assert_int_equal(
      post_status("/admin/sections", cookie,
                  form("csrf", csrf, "action", "add", "name", "الرياضة الوطنية",
                       "slug", "", "parent", "0", "position", "", "description",
                       "", NULL)),
      303);
  assert_int_equal(sql_i64("SELECT count(*) FROM sections WHERE slug ="
                           " 'الرياضة-الوطنية'"),
                   1);
}

static void a_section_change_is_audited_and_its_description_shows(void **s) {
  (void)s;
  char cookie[512], csrf[128], id[32], sql[256];
  newsroom_user("describer", "editor", cookie, sizeof cookie, csrf,
                sizeof csrf);
  id_text("SELECT id FROM sections WHERE slug = 'سياسة'", id, sizeof id);
  assert_int_equal(
      post_status("/admin/sections", cookie,
                  form("csrf", csrf, "action", "edit", "section", id, "name",
                       "سياسة", "slug", "سياسة", "parent", "0", "position", "1",
                       "description", "أخبار السياسة كل يوم", NULL)),
      303);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM audit_log a JOIN users u ON u.id ="
           " a.user_id WHERE a.action = 'section_edit' AND a.object ="
           " 'section:%s' AND u.name = 'describer'",
           id);
  assert_int_equal(sql_i64(sql), 1);
  assert_true(eventually_contains(
      "/" SECTION_SLUG_ENC "/",
      "<meta name=\"description\" content=\"أخبار السياسة كل يوم\">"));
  reply r;
  get("GET", "/admin/audit", cookie, NULL, &r);
  assert_int_equal(r.status, 403); /* an editor does not read the log */
  reply_free(&r);
}

static void a_section_with_articles_cannot_be_deleted(void **s) {
  (void)s;
  char cookie[512], csrf[128], id[32];
  reply r;
  newsroom_user("deleter", "editor", cookie, sizeof cookie, csrf, sizeof csrf);
  in_english(cookie, csrf);
  id_text("SELECT id FROM sections WHERE slug = 'سياسة'", id, sizeof id);
  assert_int_equal(
      post("/admin/sections", cookie,
           form("csrf", csrf, "action", "delete", "section", id, NULL), &r),
      422);
  assert_non_null(strstr(r.body.data, "This section has 1 article"));
  assert_int_equal(count(r.body.data, "class=\"admin-error\""), 1);
  reply_free(&r);
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM sections WHERE id = %s", id);
  assert_int_equal(sql_i64(sql), 1);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM audit_log WHERE action = 'section_delete'"
           " AND object = 'section:%s'",
           id);
  assert_int_equal(sql_i64(sql), 0);
}

static void a_parent_cycle_is_refused(void **s) {
  (void)s;
  char cookie[512], csrf[128], a[32], b[32];
  reply r;
  newsroom_user("treeman", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  in_english(cookie, csrf);
  assert_int_equal(post_status("/admin/sections", cookie,
                               form("csrf", csrf, "action", "add", "name",
                                    "tree-a", "slug", "tree-a", "parent", "0",
                                    "position", "", "description", "", NULL)),
                   303);
  id_text("SELECT id FROM sections WHERE slug = 'tree-a'", a, sizeof a);
  assert_int_equal(post_status("/admin/sections", cookie,
                               form("csrf", csrf, "action", "add", "name",
                                    "tree-b", "slug", "tree-b", "parent", a,
                                    "position", "", "description", "", NULL)),
                   303);
  id_text("SELECT id FROM sections WHERE slug = 'tree-b'", b, sizeof b);
  assert_int_equal(post("/admin/sections", cookie,
                        form("csrf", csrf, "action", "edit", "section", a,
                             "name", "tree-a", "slug", "tree-a", "parent", b,
                             "position", "1", "description", "", NULL),
                        &r),
                   422);
  assert_non_null(strstr(r.body.data, "cannot be placed under itself"));
  reply_free(&r);
  char sql[128];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM sections WHERE id = %s AND parent_id IS NULL",
           a);
  assert_int_equal(sql_i64(sql), 1);
  /* The edit page shows the section in its form. */
  char path[64];
  snprintf(path, sizeof path, "/admin/sections/%s", b);
  get("GET", path, cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "value=\"tree-b\""));
  reply_free(&r);
  assert_int_equal(get_status("/admin/sections/999999", cookie), 404);
}

/* ---- settings ---- */

static void a_saved_setting_shows_on_the_public_site_at_once(void **s) {
  (void)s;
  char cookie[512], csrf[128];
  newsroom_user("owner", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  assert_int_equal(post_status("/admin/settings", cookie,
                               form("csrf", csrf, "site_name", "أنباء الصباح",
                                    "per_page", "12", NULL)),
                   303);
  assert_true(eventually_contains("/", "أنباء الصباح"));
  /* Only what changed was written, each with its audit row. */
  assert_int_equal(sql_i64("SELECT count(*) FROM audit_log a JOIN users u ON"
                           " u.id = a.user_id WHERE a.action = 'setting_set'"
                           " AND a.object = 'setting:site_name' AND a.detail"
                           " = 'أنباء الصباح' AND u.name = 'owner'"),
                   1);
  assert_int_equal(sql_i64("SELECT count(*) FROM settings WHERE key ="
                           " 'per_page'"),
                   0);
  /* The default again: the key is unset, and that is audited too. */
  assert_int_equal(post_status("/admin/settings", cookie,
                               form("csrf", csrf, "site_name", "", NULL)),
                   303);
  assert_int_equal(sql_i64("SELECT count(*) FROM settings WHERE key ="
                           " 'site_name'"),
                   0);
  assert_int_equal(sql_i64("SELECT count(*) FROM audit_log WHERE action ="
                           " 'setting_unset' AND object = 'setting:site_name'"),
                   1);
  /* The command line's changes are audited alike, by no user. */
  set_setting("logo_url", "https://example.org/logo.png");
  assert_int_equal(
      sql_i64("SELECT count(*) FROM audit_log WHERE action = 'setting_set'"
              " AND object = 'setting:logo_url' AND user_id IS NULL AND"
              " detail = 'https://example.org/logo.png'"),
      1);
  set_setting("logo_url", "");
}

static void an_invalid_setting_is_refused_with_the_cli_message(void **s) {
  (void)s;
  char cookie[512], csrf[128], msg[256];
  reply r;
  buf_t out = {0};
  const char *args[] = {"settings", "set", "per_page", "1000",
                        "--db",     db,    NULL};
  assert_int_not_equal(naba(&out, args), 0);
  const char *p = strstr(out.data, "per_page:");
  assert_non_null(p);
  snprintf(msg, sizeof msg, "%.*s", (int)strcspn(p, "\n"), p);
  buf_free(&out);

  newsroom_user("tuner", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  assert_int_equal(post("/admin/settings", cookie,
                        form("csrf", csrf, "per_page", "1000",
                             "site_description", "سطر جديد كتبته", NULL),
                        &r),
                   422);
  assert_non_null(strstr(r.body.data, msg));
  /* Every field as typed, none saved. */
  assert_non_null(strstr(r.body.data, "value=\"1000\""));
  /* The reason once, next to its field, and the page's one line. */
  assert_int_equal(count(r.body.data, "class=\"admin-error\""), 2);
  assert_non_null(strstr(r.body.data, "value=\"سطر جديد كتبته\""));
  reply_free(&r);
  assert_int_equal(sql_i64("SELECT count(*) FROM settings WHERE key IN"
                           " ('per_page', 'site_description')"),
                   0);
}

static void a_post_without_the_csrf_token_changes_nothing(void **s) {
  (void)s;
  char cookie[512], csrf[128], id[32];
  newsroom_user("guard", "administrator", cookie, sizeof cookie, csrf,
                sizeof csrf);
  int64_t sections = sql_i64("SELECT count(*) FROM sections");
  int64_t audit = sql_i64("SELECT count(*) FROM audit_log");
  assert_int_equal(
      post_status("/admin/settings", cookie, form("site_name", "مزور", NULL)),
      403);
  assert_int_equal(post_status("/admin/sections", cookie,
                               form("action", "add", "name", "مزور", "slug",
                                    "forged", NULL)),
                   403);
  id_text("SELECT id FROM sections WHERE slug = 'سياسة'", id, sizeof id);
  assert_int_equal(post_status("/admin/sections", cookie,
                               form("action", "delete", "section", id, NULL)),
                   403);
  sql_exec("INSERT INTO tags (name, slug) VALUES ('kept', 'kept')");
  id_text("SELECT id FROM tags WHERE slug = 'kept'", id, sizeof id);
  assert_int_equal(post_status("/admin/tags", cookie,
                               form("action", "delete", "tag", id, NULL)),
                   403);
  assert_int_equal(sql_i64("SELECT count(*) FROM settings WHERE value ="
                           " 'مزور'"),
                   0);
  assert_int_equal(sql_i64("SELECT count(*) FROM sections"), sections);
  assert_int_equal(sql_i64("SELECT count(*) FROM tags WHERE slug = 'kept'"), 1);
  assert_int_equal(sql_i64("SELECT count(*) FROM audit_log"), audit);
}

/* ---- tags ---- */

static void a_refused_tag_keeps_what_was_typed(void **s) {
  (void)s;
  char cookie[512], csrf[128], id[32];
  reply r;
  newsroom_user("tagger", "editor", cookie, sizeof cookie, csrf, sizeof csrf);
  in_english(cookie, csrf);
  sql_exec("INSERT INTO tags (name, slug) VALUES ('first-tag', 'first-tag'),"
           " ('second-tag', 'second-tag')");
  id_text("SELECT id FROM tags WHERE slug = 'second-tag'", id, sizeof id);
  assert_int_equal(post("/admin/tags", cookie,
                        form("csrf", csrf, "action", "edit", "tag", id, "name",
                             "typed-name", "slug", "first-tag", NULL),
                        &r),
                   422);
  assert_non_null(strstr(r.body.data, "Another tag already has this slug"));
  assert_int_equal(count(r.body.data, "class=\"admin-error\""), 1);
  assert_non_null(strstr(r.body.data, "value=\"typed-name\""));
  reply_free(&r);
  assert_int_equal(
      sql_i64("SELECT count(*) FROM tags WHERE name = 'second-tag'"), 1);
}

static int setup_taxonomy(void **state) {
  int rc = setup(state);
  set_setting("trusted_proxies", "127.0.0.1");
  return rc;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_role_gets_the_expected_answer_to_each_action),
      cmocka_unit_test(a_refused_section_keeps_what_was_typed_and_says_why),
      cmocka_unit_test(an_empty_slug_is_made_from_the_name),
      cmocka_unit_test(a_section_change_is_audited_and_its_description_shows),
      cmocka_unit_test(a_section_with_articles_cannot_be_deleted),
      cmocka_unit_test(a_parent_cycle_is_refused),
      cmocka_unit_test(a_saved_setting_shows_on_the_public_site_at_once),
      cmocka_unit_test(an_invalid_setting_is_refused_with_the_cli_message),
      cmocka_unit_test(a_post_without_the_csrf_token_changes_nothing),
      cmocka_unit_test(a_refused_tag_keeps_what_was_typed),
  };
  return cmocka_run_group_tests(tests, setup_taxonomy, teardown);
}
