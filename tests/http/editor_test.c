/* HTTP tests of the newsroom's article editor (/admin/articles): each
 * role x each action as a table, every cell asserted; a stale save refused
 * with the text kept and the differences shown; the edit lock and its
 * takeover told to the other editor; autosave offered back; revisions
 * listed, compared and restored; a refused save keeping every field; CSRF;
 * the body through Markdown and the sanitizer; scheduled publishing, also
 * across a restart; unpublishing removing the article from every page.
 * Against the real server (see harness.h), the database read with SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../shared.h"
#include "harness.h"

typedef struct {
  char cookie[512], csrf[128];
} who;

static int has(const char *path, const char *needle);
static double appears(const char *path, const char *needle, double timeout_s);

static void in_english(const who *u) {
  reply r;
  char *body = form("csrf", u->csrf, "lang", "en", NULL);
  request("POST", "/admin/lang", u->cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  reply_free(&r);
}

static who user(const char *name, const char *role) {
  who u;
  newsroom_user(name, role, u.cookie, sizeof u.cookie, u.csrf, sizeof u.csrf);
  in_english(&u);
  return u;
}

static char section_id[32];

static const char *section(void) {
  if (!section_id[0])
    snprintf(section_id, sizeof section_id, "%lld",
             (long long)sql_i64("SELECT min(id) FROM sections"));
  return section_id;
}

static int64_t revision_of(int64_t id) {
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT revision FROM articles WHERE id = %lld",
           (long long)id);
  return sql_i64(sql);
}

/* POSTs the article form (title and body, the section, the button) to
 * path; more pairs after action (NULL-terminated). */
static void post_article(const who *u, const char *path, const char *title,
                         const char *body_text, const char *action,
                         int64_t revision, reply *r, ...) {
  char rev[32];
  snprintf(rev, sizeof rev, "%lld", (long long)revision);
  buf_t b = {0};
  char *base = form("csrf", u->csrf, "revision", rev, "title", title, "section",
                    section(), "body", body_text, "action", action, NULL);
  buf_puts(&b, base);
  free(base);
  va_list ap;
  va_start(ap, r);
  for (const char *k = va_arg(ap, const char *); k;
       k = va_arg(ap, const char *)) {
    const char *v = va_arg(ap, const char *);
    char *e = curl_easy_escape(NULL, v, 0);
    buf_printf(&b, "&%s=%s", k, e);
    curl_free(e);
  }
  va_end(ap);
  request("POST", path, u->cookie, NULL, b.data, r);
  buf_free(&b);
}

/* A new article by u: its id (the redirect names it). */
static int64_t new_article(const who *u, const char *title,
                           const char *action) {
  reply r;
  post_article(u, "/admin/articles/new", title, "<p>نص المقال</p>", action, 0,
               &r, NULL);
  assert_int_equal(r.status, 303);
  char loc[256];
  assert_true(header(&r, "Location", loc, sizeof loc));
  reply_free(&r);
  const char *p = strstr(loc, "/admin/articles/");
  assert_non_null(p);
  return strtoll(p + strlen("/admin/articles/"), NULL, 10);
}

static const char *path_of(int64_t id, const char *rest) {
  static char p[8][128];
  static int k;
  k = (k + 1) % 8;
  snprintf(p[k], sizeof p[k], "/admin/articles/%lld%s", (long long)id, rest);
  return p[k];
}

/* ---- the role table ---- */

enum { CONTRIB, AUTHOR, EDITOR, ADMIN, ROLES };
static const char *const role_names[ROLES] = {"contributor", "author", "editor",
                                              "administrator"};

/* Each action a user may try, the status each role gets: 303 done, 403
 * refused. Own: an article of the user's own; other: someone else's. */
typedef enum {
  NEW_PAGE,
  SAVE_OWN,
  SUBMIT_OWN,
  PUBLISH_OWN,
  SCHEDULE_OWN,
  UNPUBLISH_OWN,
  TRASH_OWN,
  RESTORE_OWN,
  EDIT_OTHERS_PAGE,
  SAVE_OTHERS,
  PUBLISH_OTHERS,
  EDIT_OWN_PUBLISHED,
  REVISIONS_OWN,
  ACTIONS
} action;
static const struct {
  const char *name;
  long status[ROLES];
} table[ACTIONS] = {
    [NEW_PAGE] = {"open a new article", {200, 200, 200, 200}},
    [SAVE_OWN] = {"save an own draft", {303, 303, 303, 303}},
    [SUBMIT_OWN] = {"submit an own draft", {303, 303, 303, 303}},
    [PUBLISH_OWN] = {"publish an own draft", {403, 303, 303, 303}},
    [SCHEDULE_OWN] = {"schedule an own draft", {403, 303, 303, 303}},
    [UNPUBLISH_OWN] = {"unpublish an own article", {403, 303, 303, 303}},
    [TRASH_OWN] = {"trash an own article", {403, 303, 303, 303}},
    [RESTORE_OWN] = {"restore an own article", {403, 303, 303, 303}},
    [EDIT_OTHERS_PAGE] = {"open another's draft", {403, 403, 200, 200}},
    [SAVE_OTHERS] = {"save another's draft", {403, 403, 303, 303}},
    [PUBLISH_OTHERS] = {"publish another's draft", {403, 403, 303, 303}},
    [EDIT_OWN_PUBLISHED] = {"edit an own published article",
                            {403, 200, 200, 200}},
    [REVISIONS_OWN] = {"see an own article's revisions", {200, 200, 200, 200}},
};

/* Runs "UPDATE ... WHERE <col> = <id>" (what is given ends before the
 * id). */
static void set_sql(const char *head, int64_t id) {
  sqlite3 *h;
  char sql[256];
  snprintf(sql, sizeof sql, "%s%lld", head, (long long)id);
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  sqlite3_busy_timeout(h, 5000);
  assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(h);
}

/* One cell: what role r gets for action a (other: someone else's draft). */
static long try(const who *u, action a, int64_t other) {
  reply r;
  long status;
  char when[32];
  snprintf(when, sizeof when, "2031-05-01T10:00");
  /* The last role's cell left its lock on the other article. */
  set_sql("DELETE FROM edit_locks WHERE article_id = ", other);
  if (a == NEW_PAGE || a == EDIT_OTHERS_PAGE) {
    get("GET", a == NEW_PAGE ? "/admin/articles/new" : path_of(other, ""),
        u->cookie, NULL, &r);
    status = r.status;
    reply_free(&r);
    return status;
  }
  if (a == SAVE_OTHERS || a == PUBLISH_OTHERS) {
    post_article(u, path_of(other, ""), "مقال زميل", "<p>نص</p>",
                 a == SAVE_OTHERS ? "save" : "publish", revision_of(other), &r,
                 NULL);
    status = r.status;
    reply_free(&r);
    return status;
  }
  /* Own articles: made as drafts by this user (the store, for the states
   * a contributor cannot reach). */
  int64_t id = new_article(u, "مقالي", "save");
  if (a == UNPUBLISH_OWN || a == EDIT_OWN_PUBLISHED)
    set_sql("UPDATE articles SET status = 1, published_at = 1000"
            " WHERE id = ",
            id);
  if (a == RESTORE_OWN)
    set_sql("UPDATE articles SET trashed_at = 1000 WHERE id = ", id);
  if (a == EDIT_OWN_PUBLISHED || a == REVISIONS_OWN) {
    get("GET", path_of(id, a == REVISIONS_OWN ? "/revisions" : ""), u->cookie,
        NULL, &r);
    status = r.status;
    reply_free(&r);
    return status;
  }
  static const char *const button[ACTIONS] = {
      [SAVE_OWN] = "save",           [SUBMIT_OWN] = "submit",
      [PUBLISH_OWN] = "publish",     [SCHEDULE_OWN] = "schedule",
      [UNPUBLISH_OWN] = "unpublish", [TRASH_OWN] = "trash",
      [RESTORE_OWN] = "restore"};
  post_article(u, path_of(id, ""), "مقالي", "<p>نص</p>", button[a],
               revision_of(id), &r, "publish_at", a == SCHEDULE_OWN ? when : "",
               NULL);
  status = r.status;
  reply_free(&r);
  return status;
}

static void each_role_may_do_what_the_role_table_says(void **state) {
  (void)state;
  who w = user("writer", "administrator");
  int64_t other = new_article(&w, "مقال زميل", "save");
  for (int role = 0; role < ROLES; role++) {
    char name[32];
    snprintf(name, sizeof name, "r%d", role);
    who u = user(name, role_names[role]);
    for (int a = 0; a < ACTIONS; a++) {
      long got = try(&u, (action)a, other);
      if (got != table[a].status[role])
        fail_msg("%s: %s got %ld, want %ld", role_names[role], table[a].name,
                 got, table[a].status[role]);
    }
  }
  /* What the cells did: a contributor's submission awaits review, an
   * author's scheduled article waits for its time. */
  assert_true(sql_i64("SELECT count(*) FROM articles WHERE draft_state ="
                      " 'pending' AND created_by = (SELECT id FROM users"
                      " WHERE name = 'r0')") >= 1);
  assert_int_equal(sql_i64("SELECT count(*) FROM articles WHERE status = 1"
                           " AND created_by = (SELECT id FROM users WHERE"
                           " name = 'r0') AND published_at > 1000"),
                   0);
  assert_true(sql_i64("SELECT count(*) FROM audit_log WHERE action ="
                      " 'article_schedule'") >= 3);
}

/* ---- never overwrite a colleague ---- */

static void
a_save_on_a_stale_revision_is_refused_and_the_text_kept(void **state) {
  (void)state;
  who a = user("amal", "editor"), b = user("badr", "editor");
  int64_t id = new_article(&a, "العنوان الأول", "save");
  int64_t rev = revision_of(id);
  reply r;
  /* Badr opened it at the same revision; Amal saves first (her lock). */
  post_article(&a, path_of(id, ""), "عنوان أمل", "<p>فقرة أمل</p>", "save", rev,
               &r, NULL);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  /* Amal leaves the article (her lock lapses) so Badr's save meets only
   * the stale revision. */
  set_sql("DELETE FROM edit_locks WHERE article_id = ", id);
  post_article(&b, path_of(id, ""), "عنوان بدر", "<p>فقرة بدر الجديدة</p>",
               "save", rev, &r, NULL);
  assert_int_equal(r.status, 409);
  assert_non_null(strstr(r.body.data, "amal saved this article"));
  /* Every field as typed, the differences from Amal's. */
  assert_non_null(strstr(r.body.data, "value=\"عنوان بدر\""));
  assert_non_null(strstr(r.body.data, "فقرة بدر الجديدة"));
  assert_non_null(strstr(r.body.data, "<del>فقرة أمل</del>"));
  assert_non_null(strstr(r.body.data, "<ins>فقرة بدر الجديدة</ins>"));
  char want[64];
  snprintf(want, sizeof want, "name=\"revision\" value=\"%lld\"",
           (long long)rev + 1);
  assert_non_null(strstr(r.body.data, want)); /* the next save is on hers */
  reply_free(&r);
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT title FROM articles WHERE id = %lld",
           (long long)id);
  char *t = sql_text(sql);
  assert_string_equal(t, "عنوان أمل");
  free(t);
  /* Saving again, knowingly, on her revision. */
  post_article(&b, path_of(id, ""), "عنوان بدر", "<p>فقرة بدر الجديدة</p>",
               "save", rev + 1, &r, NULL);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  t = sql_text(sql);
  assert_string_equal(t, "عنوان بدر");
  free(t);
}

static void
taking_over_the_lock_tells_the_other_editor_and_loses_nothing(void **state) {
  (void)state;
  who a = user("hind", "editor"), b = user("yusuf", "editor");
  int64_t id = new_article(&a, "خبر هند", "save");
  reply r;
  get("GET", path_of(id, ""), a.cookie, NULL, &r); /* Hind edits it */
  assert_int_equal(r.status, 200);
  reply_free(&r);
  get("GET", path_of(id, ""), b.cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "hind is editing this article now"));
  reply_free(&r);
  post_article(&b, path_of(id, ""), "خبر يوسف", "<p>يوسف</p>", "save",
               revision_of(id), &r, NULL);
  assert_int_equal(r.status, 409);
  assert_non_null(strstr(r.body.data, "value=\"خبر يوسف\""));
  reply_free(&r);

  char *body = form("csrf", b.csrf, "take_over", "1", NULL);
  request("POST", path_of(id, "/lock"), b.cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  /* Hind's next autosave is kept, and tells her. */
  char rev[32];
  snprintf(rev, sizeof rev, "%lld", (long long)revision_of(id));
  body = form("csrf", a.csrf, "revision", rev, "title", "خبر هند المعدل",
              "section", section(), "body", "<p>فقرة لم تحفظ بعد</p>", NULL);
  request("POST", path_of(id, "/autosave"), a.cookie,
          "Accept: application/json", body, &r);
  free(body);
  assert_int_equal(r.status, 409);
  assert_non_null(strstr(r.body.data, "yusuf took over editing"));
  reply_free(&r);
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT fields FROM autosaves WHERE article_id = %lld AND user_id"
           " = (SELECT id FROM users WHERE name = 'hind')",
           (long long)id);
  char *f = sql_text(sql);
  assert_non_null(strstr(f, "فقرة لم تحفظ بعد"));
  free(f);
  /* And her save is refused with her text kept. */
  post_article(&a, path_of(id, ""), "خبر هند المعدل", "<p>فقرة لم تحفظ بعد</p>",
               "save", revision_of(id), &r, NULL);
  assert_int_equal(r.status, 409);
  assert_non_null(strstr(r.body.data, "yusuf took over editing"));
  assert_non_null(strstr(r.body.data, "فقرة لم تحفظ بعد"));
  reply_free(&r);
  assert_int_equal(sql_i64("SELECT count(*) FROM audit_log WHERE action ="
                           " 'article_takeover'"),
                   1);
  /* Her autosave is offered back when she opens the article again. */
  set_sql("DELETE FROM edit_locks WHERE article_id = ", id);
  get("GET", path_of(id, ""), a.cookie, NULL, &r);
  assert_non_null(strstr(r.body.data, "Open the autosaved text"));
  reply_free(&r);
  get("GET", path_of(id, "?autosave=1"), a.cookie, NULL, &r);
  assert_non_null(strstr(r.body.data, "value=\"خبر هند المعدل\""));
  assert_non_null(strstr(r.body.data, "فقرة لم تحفظ بعد"));
  reply_free(&r);
}

static void revisions_are_listed_compared_and_restored(void **state) {
  (void)state;
  who a = user("salma", "author");
  int64_t id = new_article(&a, "الصيغة الأولى", "save");
  reply r;
  post_article(&a, path_of(id, ""), "الصيغة الثانية", "<p>نص ثان</p>", "save",
               revision_of(id), &r, NULL);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  get("GET", path_of(id, "/revisions?a=1&b=2"), a.cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "الصيغة الأولى"));
  assert_non_null(strstr(r.body.data, "<ins>نص ثان</ins>"));
  assert_int_equal(count(r.body.data, "<td><bdi>salma</bdi></td>"), 2);
  reply_free(&r);
  char *body = form("csrf", a.csrf, "revision", "1", NULL);
  request("POST", path_of(id, "/restore"), a.cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT title || '|' || body_html || '|' || revision FROM articles"
           " WHERE id = %lld",
           (long long)id);
  char *t = sql_text(sql);
  assert_string_equal(t, "الصيغة الأولى|<p>نص المقال</p>|3");
  free(t);
  assert_int_equal(sql_i64("SELECT count(*) FROM audit_log WHERE action ="
                           " 'article_revision_restore'"),
                   1);
}

/* ---- what a save refuses, and keeps ---- */

static void a_refused_save_shows_every_field_as_typed(void **state) {
  (void)state;
  who a = user("nour", "author");
  reply r;
  post_article(&a, "/admin/articles/new", "   ", "<p>فقرة لا تضيع</p>", "save",
               0, &r, "kicker", "سطر فوق العنوان", "tags", "اقتصاد، طاقة",
               "summary", "ملخص", "seo_title", "عنوان للبحث", NULL);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "An article needs a headline."));
  assert_non_null(strstr(r.body.data, "فقرة لا تضيع"));
  assert_non_null(strstr(r.body.data, "value=\"سطر فوق العنوان\""));
  assert_non_null(strstr(r.body.data, "value=\"اقتصاد، طاقة\""));
  assert_non_null(strstr(r.body.data, "value=\"عنوان للبحث\""));
  reply_free(&r);
  post_article(&a, "/admin/articles/new", "عنوان", "<p>x</p>", "schedule", 0,
               &r, "publish_at", "2026-02-30T10:00", NULL);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "not a date and time that exists"));
  reply_free(&r);
  post_article(&a, "/admin/articles/new", "عنوان", "<p>x</p>", "save", 0, &r,
               "authors", "كاتب لا يوجد", NULL);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "There is no author named"));
  reply_free(&r);
  /* Bytes that are not UTF-8: shown back as U+FFFD, not refused whole. */
  post_article(&a, "/admin/articles/new", "عنوان\xff", "<p>فقرة\xfe سليمة</p>",
               "save", 0, &r, "kicker", "سطر", NULL);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "not UTF-8"));
  assert_non_null(strstr(r.body.data, "value=\"عنوان\xEF\xBF\xBD\""));
  assert_non_null(strstr(r.body.data, "فقرة\xEF\xBF\xBD سليمة"));
  assert_non_null(strstr(r.body.data, "value=\"سطر\""));
  reply_free(&r);
  /* Over the limit: refused, the fields back. */
  size_t big = 1024 * 1024 + 10;
  char *text = malloc(big + 1);
  memset(text, 'a', big);
  text[big] = '\0';
  post_article(&a, "/admin/articles/new", "عنوان طويل", text, "save", 0, &r,
               NULL);
  free(text);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "longer than 1 MB"));
  assert_non_null(strstr(r.body.data, "value=\"عنوان طويل\""));
  reply_free(&r);
  assert_int_equal(sql_i64("SELECT count(*) FROM articles WHERE created_by ="
                           " (SELECT id FROM users WHERE name = 'nour')"),
                   0);
}

static void a_save_without_its_csrf_token_changes_nothing(void **state) {
  (void)state;
  who a = user("rim", "author");
  int64_t id = new_article(&a, "قبل", "save");
  who forged = a;
  strcpy(forged.csrf, "0000");
  reply r;
  post_article(&forged, path_of(id, ""), "بعد", "<p>x</p>", "publish",
               revision_of(id), &r, NULL);
  assert_int_equal(r.status, 403);
  reply_free(&r);
  char sql[128];
  snprintf(sql, sizeof sql,
           "SELECT title || status FROM articles WHERE id = %lld",
           (long long)id);
  char *t = sql_text(sql);
  assert_string_equal(t, "قبل0");
  free(t);
}

static void the_body_goes_through_markdown_and_the_sanitizer(void **state) {
  (void)state;
  who a = user("zaid", "author");
  reply r;
  post_article(&a, "/admin/articles/new", "ماركداون",
               "## عنوان فرعي\n\nنص **عريض** مع Apple 2026.\n\n"
               "<script>alert(1)</script>",
               "save", 0, &r, "body_format", "markdown", NULL);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  char *t = sql_text("SELECT body_html FROM articles WHERE title ="
                     " 'ماركداون'");
  assert_non_null(strstr(t, "<h2>عنوان فرعي</h2>"));
  assert_non_null(strstr(t, "<strong>عريض</strong>"));
  assert_null(strstr(t, "script"));
  free(t);
  post_article(&a, "/admin/articles/new", "اتجاه",
               "<p dir=\"rtl\">أعلنت Apple اليوم 2026</p><p dir=\"ltr\" "
               "onclick=\"x()\">Hello</p>",
               "save", 0, &r, NULL);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  t = sql_text("SELECT body_html FROM articles WHERE title = 'اتجاه'");
  assert_string_equal(t, "<p dir=\"rtl\">أعلنت Apple اليوم 2026</p>\n"
                         "<p dir=\"ltr\">Hello</p>");
  free(t);
  /* Slugs are unique: the same headline gets a suffix. */
  new_article(&a, "خبر مكرر", "save");
  new_article(&a, "خبر مكرر", "save");
  assert_int_equal(sql_i64("SELECT count(DISTINCT slug) FROM articles WHERE"
                           " title = 'خبر مكرر'"),
                   2);
}

/* The value of the hidden field name in a page, its entities undone. */
static char *hidden(const char *page, const char *name) {
  char pat[96];
  snprintf(pat, sizeof pat, "name=\"%s\" value=\"", name);
  const char *p = strstr(page, pat);
  assert_non_null(p);
  p += strlen(pat);
  size_t n = strcspn(p, "\"");
  char *out = malloc(n + 1), *o = out;
  static const char *const ents[][2] = {{"&quot;", "\""}, {"&amp;", "&"},
                                        {"&lt;", "<"},    {"&gt;", ">"},
                                        {"&#39;", "'"},   {"&#x27;", "'"}};
  for (size_t i = 0; i < n;) {
    size_t k = 0;
    for (; k < sizeof ents / sizeof *ents; k++)
      if (strncmp(p + i, ents[k][0], strlen(ents[k][0])) == 0)
        break;
    if (k < sizeof ents / sizeof *ents) {
      *o++ = ents[k][1][0];
      i += strlen(ents[k][0]);
    } else
      *o++ = p[i++];
  }
  *o = '\0';
  return out;
}

static void an_expired_session_keeps_the_text_through_the_login(void **state) {
  (void)state;
  who a = user("samir", "author");
  int64_t id = new_article(&a, "قبل انتهاء الجلسة", "save");
  set_sql("UPDATE sessions SET expires_at = 1 WHERE user_id = ",
          sql_i64("SELECT id FROM users WHERE name = 'samir'"));
  reply r;
  post_article(&a, path_of(id, ""), "عنوان كتب بعد انتهاء الجلسة",
               "<p>فقرة طويلة لا يجوز أن تضيع</p>", "save", revision_of(id), &r,
               NULL);
  assert_int_equal(r.status, 401);
  assert_non_null(strstr(r.body.data, "name=\"password\""));
  char *keep = hidden(r.body.data, "keep");
  char *next = hidden(r.body.data, "next");
  reply_free(&r);
  assert_non_null(strstr(keep, "فقرة طويلة لا يجوز أن تضيع"));
  char *body = form("name", "samir", "password", GOOD_PASSWORD, "next", next,
                    "keep", keep, NULL);
  request("POST", "/admin/login", "X-Forwarded-For: 10.8.0.1", NULL, body, &r);
  free(body);
  free(keep);
  assert_int_equal(r.status, 303);
  char loc[256], cookie[600], v[512];
  assert_true(header(&r, "Location", loc, sizeof loc));
  assert_string_equal(loc, next);
  free(next);
  assert_true(header(&r, "Set-Cookie", v, sizeof v));
  snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)strcspn(v, ";"), v);
  reply_free(&r);
  get("GET", loc, cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "value=\"عنوان كتب بعد انتهاء الجلسة\""));
  assert_non_null(strstr(r.body.data, "فقرة طويلة لا يجوز أن تضيع"));
  reply_free(&r);
}

static void a_draft_is_seen_at_its_private_preview_link_only(void **state) {
  (void)state;
  who a = user("ward", "contributor");
  int64_t id = new_article(&a, "مسودة للمعاينة", "save");
  reply r;
  get("GET", path_of(id, ""), a.cookie, NULL, &r);
  const char *p = strstr(r.body.data, "href=\"/preview/");
  assert_non_null(p);
  p += strlen("href=\"");
  char link[512];
  snprintf(link, sizeof link, "%.*s", (int)strcspn(p, "\""), p);
  reply_free(&r);
  get("GET", link, NULL, NULL, &r); /* no session needed: the link is it */
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "مسودة للمعاينة"));
  assert_non_null(strstr(r.body.data, "noindex"));
  char cc[128] = "";
  assert_true(header(&r, "Cache-Control", cc, sizeof cc));
  assert_null(strstr(cc, "public"));
  reply_free(&r);
  /* Another id under the same signature, or a changed one: nothing. */
  char forged[512];
  snprintf(forged, sizeof forged, "%s", link);
  forged[strlen(forged) - 1] ^= 1;
  get("GET", forged, NULL, NULL, &r);
  assert_int_equal(r.status, 404);
  reply_free(&r);
  assert_false(has("/", "مسودة للمعاينة"));
}

static void
the_public_page_shows_kicker_bylines_and_search_title(void **state) {
  (void)state;
  who a = user("fadi", "editor");
  who b = user("hala", "author");
  /* Both writers get a byline by saving once under their own name. */
  reply r;
  post_article(&b, "/admin/articles/new", "مقال هالة", "<p>نص</p>", "save", 0,
               &r, "authors", "hala", NULL);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  post_article(&a, "/admin/articles/new", "عنوان الصفحة العامة",
               "<p>نص عام</p>", "publish", 0, &r, "kicker", "سطر علوي",
               "authors", "fadi، hala", "seo_title", "عنوان لمحركات البحث",
               "seo_description", "وصف لمحركات البحث", "breaking", "1", NULL);
  assert_int_equal(r.status, 303);
  char loc[256];
  assert_true(header(&r, "Location", loc, sizeof loc));
  reply_free(&r);
  get("GET", loc, a.cookie, NULL, &r);
  const char *v = strstr(r.body.data, "class=\"admin-view\" href=\"");
  assert_non_null(v);
  v += strlen("class=\"admin-view\" href=\"");
  char pub[512];
  snprintf(pub, sizeof pub, "%.*s", (int)strcspn(v, "\""), v);
  reply_free(&r);
  assert_true(appears(pub, "سطر علوي", 5));
  get("GET", pub, NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "<title>عنوان لمحركات البحث -"));
  assert_non_null(strstr(r.body.data, "content=\"وصف لمحركات البحث\""));
  assert_non_null(strstr(r.body.data, "class=\"breaking\""));
  assert_non_null(strstr(r.body.data, ">fadi</bdi></a>، <a"));
  assert_non_null(strstr(r.body.data, ">hala</bdi>"));
  reply_free(&r);
}

/* ---- saves at the same moment, and a kill -9 ---- */

typedef struct {
  const who *u;
  int64_t id, rev;
  const char *title;
  long status;
} racer;

static void *race(void *arg) {
  racer *x = arg;
  reply r;
  post_article(x->u, path_of(x->id, ""), x->title, "<p>سباق</p>", "save",
               x->rev, &r, NULL);
  x->status = r.status;
  reply_free(&r);
  return NULL;
}

static void two_saves_at_once_never_interleave(void **state) {
  (void)state;
  who a = user("omar", "editor"), b = user("sara", "editor");
  int64_t id = new_article(&a, "سباق الحفظ", "save");
  for (int round = 0; round < 5; round++) {
    set_sql("DELETE FROM edit_locks WHERE article_id = ", id);
    int64_t rev = revision_of(id);
    racer x = {&a, id, rev, "نسخة عمر", 0}, y = {&b, id, rev, "نسخة سارة", 0};
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, race, &x), 0);
    assert_int_equal(pthread_create(&t2, NULL, race, &y), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    /* One wins; the other is refused (stale, or the winner's lock). */
    assert_true((x.status == 303 && y.status == 409) ||
                (x.status == 409 && y.status == 303));
    assert_int_equal(revision_of(id), rev + 1);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT title FROM articles WHERE id = %lld",
             (long long)id);
    char *t = sql_text(sql);
    assert_string_equal(t, x.status == 303 ? "نسخة عمر" : "نسخة سارة");
    free(t);
  }
}

static void a_save_answered_survives_a_kill_9(void **state) {
  (void)state;
  who a = user("adel", "author");
  int64_t id = new_article(&a, "قبل القتل", "save");
  reply r;
  post_article(&a, path_of(id, ""), "بعد الحفظ مباشرة", "<p>محفوظ</p>", "save",
               revision_of(id), &r, NULL);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  kill(server_pid, SIGKILL);
  waitpid(server_pid, NULL, 0);
  server_pid = 0;
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT title || '|' || revision || '|' || (SELECT count(*) FROM"
           " article_revisions WHERE article_id = %lld) FROM articles WHERE"
           " id = %lld",
           (long long)id, (long long)id);
  char *t = sql_text(sql);
  assert_string_equal(t, "بعد الحفظ مباشرة|2|2");
  free(t);
  start_server(NULL);
}

/* ---- scheduling and unpublishing ---- */

/* "YYYY-MM-DDTHH:MM:SS" of t in the site's zone (UTC in this fixture). */
static void local_text(time_t t, char *out, size_t n) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Polls path until it has needle (up to timeout_s); the time it did, or
 * 0. */
static double appears(const char *path, const char *needle, double timeout_s) {
  double end = now_s() + timeout_s;
  while (now_s() < end) {
    reply r;
    get("GET", path, NULL, NULL, &r);
    int has = r.status == 200 && r.body.data && strstr(r.body.data, needle);
    reply_free(&r);
    if (has)
      return now_s();
    usleep(20 * 1000);
  }
  return 0;
}

/* Polls path until it lacks needle (up to 5 s): 1 when it did. The
 * watcher drops cached pages within its interval of a write. */
static int disappears(const char *path, const char *needle) {
  double end = now_s() + 5;
  while (now_s() < end) {
    reply r;
    get("GET", path, NULL, NULL, &r);
    int gone = !r.body.data || !strstr(r.body.data, needle);
    reply_free(&r);
    if (gone)
      return 1;
    usleep(20 * 1000);
  }
  return 0;
}

static int has(const char *path, const char *needle) {
  reply r;
  get("GET", path, NULL, NULL, &r);
  int yes = r.body.data && strstr(r.body.data, needle);
  reply_free(&r);
  return yes;
}

static void a_scheduled_article_appears_at_its_time_everywhere(void **state) {
  (void)state;
  who a = user("layla", "author");
  char when[32];
  time_t at = time(NULL) + 3;
  local_text(at, when, sizeof when);
  reply r;
  post_article(&a, "/admin/articles/new", "خبر مجدول للساعة", "<p>مجدول</p>",
               "schedule", 0, &r, "publish_at", when, NULL);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  /* Cached before its time, the home page and the feed must drop it. */
  assert_false(has("/", "خبر مجدول للساعة"));
  assert_false(has("/feed", "خبر مجدول للساعة"));
  double seen = appears("/", "خبر مجدول للساعة", 15);
  assert_true(seen > 0);
  assert_true(seen >= (double)at);
  print_message("scheduled article on the home page %.3f s after its time\n",
                seen - (double)at);
  assert_true(appears("/feed", "خبر مجدول للساعة", 5));
  assert_true(appears("/sitemap-news.xml", "خبر مجدول للساعة", 5));
}

static void
a_time_passed_while_the_server_was_down_publishes_at_start(void **state) {
  (void)state;
  who a = user("karim", "editor");
  char when[32];
  time_t at = time(NULL) + 2;
  local_text(at, when, sizeof when);
  reply r;
  post_article(&a, "/admin/articles/new", "خبر أثناء التوقف", "<p>نص</p>",
               "schedule", 0, &r, "publish_at", when, NULL);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  assert_false(has("/", "خبر أثناء التوقف"));
  assert_int_equal(stop_server(), 0);
  while (time(NULL) <= at) /* the scheduled second passes while down */
    usleep(50 * 1000);
  start_server(NULL);
  /* The first page after the start has it: no timer had to fire. */
  assert_true(has("/", "خبر أثناء التوقف"));
  assert_int_equal(
      sql_i64("SELECT count(*) FROM articles WHERE title = 'خبر أثناء التوقف'"),
      1);
}

static void unpublishing_takes_the_article_off_every_page(void **state) {
  (void)state;
  who a = user("mona", "editor");
  int64_t id = new_article(&a, "خبر سيسحب", "publish");
  char loc[512] = "";
  reply r;
  get("GET", path_of(id, ""), a.cookie, NULL, &r);
  const char *v = strstr(r.body.data, "class=\"admin-view\" href=\"");
  assert_non_null(v);
  v = strstr(v, "href=\"") + 6;
  snprintf(loc, sizeof loc, "%.*s", (int)strcspn(v, "\""), v);
  reply_free(&r);
  const char *pages[] = {"/", "/feed", "/feed/atom", "/sitemap-news.xml", loc};
  for (size_t i = 0; i < sizeof pages / sizeof *pages; i++)
    if (!appears(pages[i], "خبر سيسحب", 5))
      fail_msg("%s lacks the published article", pages[i]);
  post_article(&a, path_of(id, ""), "خبر سيسحب", "<p>نص المقال</p>",
               "unpublish", revision_of(id), &r, NULL);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  for (size_t i = 0; i < sizeof pages / sizeof *pages; i++)
    if (!disappears(pages[i], "خبر سيسحب"))
      fail_msg("%s still shows the unpublished article", pages[i]);
  get("GET", loc, NULL, NULL, &r);
  assert_int_equal(r.status, 404);
  reply_free(&r);
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM audit_log WHERE action = 'article_unpublish'"
           " AND object = 'article:%lld'",
           (long long)id);
  assert_int_equal(sql_i64(sql), 1);
  get("GET", "/admin?show=drafts", a.cookie, NULL, &r);
  assert_non_null(strstr(r.body.data, "Unpublished"));
  reply_free(&r);
}

static int setup_editor(void **state) {
  int rc = setup(state);
  set_setting("trusted_proxies", "127.0.0.1");
  return rc;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_role_may_do_what_the_role_table_says),
      cmocka_unit_test(a_save_on_a_stale_revision_is_refused_and_the_text_kept),
      cmocka_unit_test(
          taking_over_the_lock_tells_the_other_editor_and_loses_nothing),
      cmocka_unit_test(revisions_are_listed_compared_and_restored),
      cmocka_unit_test(a_refused_save_shows_every_field_as_typed),
      cmocka_unit_test(a_save_without_its_csrf_token_changes_nothing),
      cmocka_unit_test(the_body_goes_through_markdown_and_the_sanitizer),
      cmocka_unit_test(two_saves_at_once_never_interleave),
      cmocka_unit_test(a_save_answered_survives_a_kill_9),
      cmocka_unit_test(an_expired_session_keeps_the_text_through_the_login),
      cmocka_unit_test(a_draft_is_seen_at_its_private_preview_link_only),
      cmocka_unit_test(the_public_page_shows_kicker_bylines_and_search_title),
      cmocka_unit_test(a_scheduled_article_appears_at_its_time_everywhere),
      cmocka_unit_test(
          a_time_passed_while_the_server_was_down_publishes_at_start),
      cmocka_unit_test(unpublishing_takes_the_article_off_every_page),
  };
  return cmocka_run_group_tests(tests, setup_editor, teardown);
}
