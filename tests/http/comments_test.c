/* HTTP tests of comments: the reader's form, refusals that keep the text,
 * moderation, threads, spam defences and durability, against the real
 * server (see harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../shared.h"
#include "harness.h"

#define EMAIL "reader.secret@example.test"

static void cli(const char *cmd, const char *arg) {
  const char *args[] = {"comments", cmd, arg, "--db", db, NULL};
  assert_int_equal(naba(NULL, args), 0);
}

/* The signed form token of a page ("t" field), copied into out. */
static void token(const char *path, char *out, size_t n) {
  reply r;
  get("GET", path, NULL, NULL, &r);
  const char *p = strstr(r.body.data, "name=\"t\" value=\"");
  assert_non_null(p);
  p += strlen("name=\"t\" value=\"");
  snprintf(out, n, "%.*s", (int)strcspn(p, "\""), p);
  reply_free(&r);
}

/* A urlencoded body from name/value pairs (NULL-terminated). */
static char *form(const char *first, ...) {
  buf_t b = {0};
  va_list ap;
  va_start(ap, first);
  for (const char *k = first; k; k = va_arg(ap, const char *)) {
    const char *v = va_arg(ap, const char *);
    char *e = curl_easy_escape(NULL, v, 0);
    buf_printf(&b, "%s%s=%s", b.len ? "&" : "", k, e);
    curl_free(e);
  }
  va_end(ap);
  return buf_take(&b, NULL);
}

/* Posts a comment on the seed article with one extra header (or NULL);
 * the reply is left in r. */
static void post_with(const char *hdr, const char *name, const char *email,
                      const char *text, const char *extra_key,
                      const char *extra_val, reply *r) {
  char t[256];
  token(article_path, t, sizeof t);
  char *body =
      form("t", t, "author", name, "email", email, "url", "", "comment", text,
           extra_key ? extra_key : "x", extra_val ? extra_val : "", NULL);
  request("POST", article_path, hdr, NULL, body, r);
  free(body);
}

static void post(const char *name, const char *email, const char *text,
                 const char *extra_key, const char *extra_val, reply *r) {
  post_with(NULL, name, email, text, extra_key, extra_val, r);
}

/* "naba_pending=…" from a reply's Set-Cookie, as a Cookie header. */
static int pending_cookie(const reply *r, char *out, size_t n) {
  char v[512];
  if (!header(r, "Set-Cookie", v, sizeof v))
    return 0;
  snprintf(out, n, "Cookie: %.*s", (int)strcspn(v, ";"), v);
  return 1;
}

/* The comment id at the end of a 303's Location ("…#comment-12"). */
static long location_id(const reply *r) {
  char loc[2048];
  assert_true(header(r, "Location", loc, sizeof loc));
  const char *p = strstr(loc, "#comment-");
  assert_non_null(p);
  return atol(p + 9);
}

static int comments_setup(void **state) {
  int rc = setup(state);
  set_setting("comment_min_seconds", "0");
  set_setting("comment_rate_limit", "0");
  return rc;
}

static void comment_without_email_is_refused_and_text_is_kept(void **s) {
  (void)s;
  reply r;
  post("Amina", "", "نص طويل كتبته بعناية <b>ولن يضيع</b>", NULL, NULL, &r);
  assert_int_equal(r.status, 422);
  /* The message next to the field, the text back in the textarea
   * (escaped), and the page is not cacheable. */
  assert_non_null(strstr(r.body.data, "البريد الإلكتروني مطلوب"));
  assert_non_null(strstr(r.body.data, "&lt;b&gt;ولن يضيع&lt;/b&gt;"));
  assert_non_null(strstr(r.body.data, "value=\"Amina\""));
  char cc[64];
  assert_true(header(&r, "Cache-Control", cc, sizeof cc));
  assert_non_null(strstr(cc, "no-store"));
  reply_free(&r);
}

static void posted_comment_is_pending_and_shown_only_to_its_author(void **s) {
  (void)s;
  reply r, mine, theirs;
  post("Youssef", EMAIL, "Pending comment body 1", NULL, NULL, &r);
  assert_int_equal(r.status, 303);
  long id = location_id(&r);
  char cookie[700];
  assert_true(pending_cookie(&r, cookie, sizeof cookie));
  reply_free(&r);
  get("GET", article_path, cookie, NULL, &mine);
  assert_non_null(strstr(mine.body.data, "Pending comment body 1"));
  char anchor[64], cc[64];
  snprintf(anchor, sizeof anchor, "id=\"comment-%ld\"", id);
  assert_non_null(strstr(mine.body.data, anchor));
  assert_true(header(&mine, "Cache-Control", cc, sizeof cc));
  assert_non_null(strstr(cc, "private"));
  get("GET", article_path, NULL, NULL, &theirs);
  assert_null(strstr(theirs.body.data, "Pending comment body 1"));
  /* A forged cookie shows nothing. */
  reply forged;
  get("GET", article_path, "Cookie: naba_pending=p:1-2-3.AAAA", NULL, &forged);
  assert_null(strstr(forged.body.data, "Pending comment body 1"));
  reply_free(&forged);
  reply_free(&mine);
  reply_free(&theirs);
}

static void same_form_posted_twice_is_one_comment(void **s) {
  (void)s;
  reply a, b;
  post("Double", EMAIL, "Clicked twice by accident", NULL, NULL, &a);
  post("Double", EMAIL, "Clicked twice by accident", NULL, NULL, &b);
  assert_int_equal(a.status, 303);
  assert_int_equal(b.status, 303);
  assert_int_equal(location_id(&a), location_id(&b));
  reply_free(&a);
  reply_free(&b);
}

static void approved_comment_appears_with_count_and_plain_text(void **s) {
  (void)s;
  reply r;
  post("Salma", EMAIL,
       "Line one <script>alert(1)</script>\nhttps://example.org/page.", NULL,
       NULL, &r);
  char id[32];
  snprintf(id, sizeof id, "%ld", location_id(&r));
  reply_free(&r);
  reply home;
  get("GET", "/", NULL, NULL, &home); /* cache the home page */
  reply_free(&home);
  cli("approve", id);
  assert_true(eventually_contains(article_path, "Line one &lt;script&gt;"));
  get("GET", article_path, NULL, NULL, &r);
  assert_null(strstr(r.body.data, "<script>alert"));
  assert_non_null(strstr(r.body.data, "<br>"));
  assert_non_null(strstr(r.body.data, "href=\"https://example.org/page\" "
                                      "rel=\"nofollow ugc\""));
  reply_free(&r);
  /* The cached home page now counts it. */
  assert_true(eventually_contains("/", "card-comments"));
}

static void reply_nests_under_its_parent_and_depth_is_limited(void **s) {
  (void)s;
  set_setting("comment_depth", "2");
  reply r;
  post("Parent", EMAIL, "Top level for replies", NULL, NULL, &r);
  char parent[32], child[32], grandchild[32];
  snprintf(parent, sizeof parent, "%ld", location_id(&r));
  reply_free(&r);
  cli("approve", parent);
  post("Child", EMAIL, "A reply one level down", "parent", parent, &r);
  snprintf(child, sizeof child, "%ld", location_id(&r));
  reply_free(&r);
  cli("approve", child);
  post("Grandchild", EMAIL, "A reply beyond the depth", "parent", child, &r);
  snprintf(grandchild, sizeof grandchild, "%ld", location_id(&r));
  reply_free(&r);
  cli("approve", grandchild);
  assert_true(eventually_contains(article_path, "A reply beyond the depth"));
  get("GET", article_path, NULL, NULL, &r);
  /* child sits inside parent's <ol class="children">, grandchild beside
   * child (depth 2), and child has no reply link. */
  const char *p = strstr(r.body.data, "Top level for replies");
  const char *c = strstr(r.body.data, "A reply one level down");
  const char *g = strstr(r.body.data, "A reply beyond the depth");
  assert_true(p && c && g && p < c && c < g);
  const char *children = strstr(p, "class=\"children\"");
  assert_true(children && children < c);
  char reply_link[64];
  snprintf(reply_link, sizeof reply_link, "/reply/%s#respond", child);
  assert_null(strstr(r.body.data, reply_link));
  snprintf(reply_link, sizeof reply_link, "/reply/%s#respond", parent);
  assert_non_null(strstr(r.body.data, reply_link));
  reply_free(&r);
  set_setting("comment_depth", "3");
}

static void honeypot_and_blocked_words_send_comments_to_spam(void **s) {
  (void)s;
  reply r;
  post("Bot", "bot@example.test", "Buy cheap things now", "homepage",
       "http://spam.example", &r);
  assert_int_equal(r.status, 303); /* a robot learns nothing */
  reply_free(&r);
  set_setting("comment_blocked_words", "casino, lottery");
  post("Gambler", "g@example.test", "Visit our CASINO today", NULL, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  buf_t out = {0};
  const char *args[] = {"comments", "list", "spam", "--db", db, NULL};
  assert_int_equal(naba(&out, args), 0);
  assert_non_null(strstr(out.data, "Buy cheap things now"));
  assert_non_null(strstr(out.data, "Visit our CASINO today"));
  buf_free(&out);
  set_setting("comment_blocked_words", "");
}

static void limits_on_links_length_and_fields_are_explained(void **s) {
  (void)s;
  reply r;
  post("Linker", EMAIL,
       "https://a.example/ https://b.example/ https://c.example/", NULL, NULL,
       &r);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "روابط كثيرة"));
  reply_free(&r);
  set_setting("comment_max_length", "100");
  char text[300];
  memset(text, 'x', sizeof text - 1);
  text[sizeof text - 1] = '\0';
  post("Long", EMAIL, text, NULL, NULL, &r);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, text)); /* kept */
  reply_free(&r);
  set_setting("comment_max_length", "5000");
  post("Bad mail", "not-an-address", "Some words", NULL, NULL, &r);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "لا يبدو بريدًا"));
  reply_free(&r);
}

static void forged_token_and_fast_forms_are_refused_and_kept(void **s) {
  (void)s;
  reply r;
  char *body = form("t", "1:1.forged", "author", "Eve", "email", EMAIL,
                    "comment", "Text of a forged form", NULL);
  request("POST", article_path, NULL, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "Text of a forged form"));
  reply_free(&r);
  set_setting("comment_min_seconds", "60");
  post("Quick", EMAIL, "Typed impossibly fast", NULL, NULL, &r);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "Typed impossibly fast"));
  reply_free(&r);
  set_setting("comment_min_seconds", "0");
}

static void invalid_utf8_is_refused_with_a_message(void **s) {
  (void)s;
  reply r;
  request("POST", article_path, NULL, NULL,
          "author=x&email=a%40b.cd&comment=%FF%FE", &r);
  assert_int_equal(r.status, 400);
  assert_non_null(strstr(r.body.data, "UTF-8"));
  reply_free(&r);
}

static void rate_limit_counts_clients_behind_a_trusted_proxy(void **s) {
  (void)s;
  /* Behind a trusted proxy the forwarded address is the client: earlier
   * tests' comments from 127.0.0.1 do not count against these readers. */
  set_setting("trusted_proxies", "127.0.0.1");
  set_setting("comment_rate_limit", "2");
  const char *a = "X-Forwarded-For: 198.51.100.7";
  reply r;
  post_with(a, "Rate", EMAIL, "rate one", NULL, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  post_with(a, "Rate", EMAIL, "rate two", NULL, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  post_with(a, "Rate", EMAIL, "rate three", NULL, NULL, &r);
  assert_int_equal(r.status, 429);
  assert_non_null(strstr(r.body.data, "rate three"));
  reply_free(&r);
  /* Another reader behind the same proxy is not held back. */
  post_with("X-Forwarded-For: 203.0.113.9", "Other", "o@example.test",
            "from another reader", NULL, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  /* An untrusted peer cannot pick its address with the header. */
  set_setting("trusted_proxies", "");
  post_with("X-Forwarded-For: 192.0.2.1", "Liar", "l@example.test",
            "pretends to be elsewhere", NULL, NULL, &r);
  assert_int_equal(r.status, 429);
  reply_free(&r);
  set_setting("comment_rate_limit", "0");
}

/* Behind a trusted proxy, only an address in X-Forwarded-For is a client:
 * text a client wrote there is not stored. And the moderator's list
 * escapes what readers typed: U+202E in a name cannot reorder the line. */
static void forwarded_text_is_no_client_and_the_list_is_escaped(void **s) {
  (void)s;
  set_setting("trusted_proxies", "127.0.0.1");
  reply r;
  post_with("X-Forwarded-For: \x1b[31mnot-an-address",
            "Ali\xe2\x80\xae"
            "evil",
            "bidi@example.test", "forwarded text", NULL, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  set_setting("trusted_proxies", "");
  buf_t out = {0};
  const char *args[] = {"comments", "list", "all", "--db", db, NULL};
  assert_int_equal(naba(&out, args), 0);
  const char *line = strstr(out.data, "Ali");
  assert_non_null(line);
  assert_null(strstr(out.data, "\xe2\x80\xae"));
  assert_null(strstr(out.data, "not-an-address"));
  assert_null(strchr(out.data, '\x1b'));
  assert_non_null(strstr(line,
                         "Ali\\u{202e}evil <bidi@example.test>\t127.0.0.1\t"
                         "forwarded text"));
  buf_free(&out);
}

static void closed_article_shows_no_form_and_keeps_a_late_text(void **s) {
  (void)s;
  reply r;
  char t[256];
  token(article_path, t, sizeof t);
  cli("close", "1");
  assert_true(eventually_contains(article_path, "التعليقات مغلقة"));
  char *body = form("t", t, "author", "Late", "email", EMAIL, "comment",
                    "Written before it closed", NULL);
  request("POST", article_path, NULL, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 403);
  assert_non_null(strstr(r.body.data, "Written before it closed"));
  reply_free(&r);
  cli("follow", "1"); /* back to the site's rule */
  assert_true(eventually_contains(article_path, "name=\"t\""));
}

static void comments_close_days_after_publication(void **s) {
  (void)s;
  /* The seed article is from 2021: one day later its comments closed. */
  set_setting("comments_close_days", "1");
  assert_true(eventually_contains(article_path, "التعليقات مغلقة"));
  set_setting("comments_close_days", "0");
  assert_true(eventually_contains(article_path, "name=\"t\""));
}

static void known_reader_skips_moderation_when_the_site_says_so(void **s) {
  (void)s;
  reply r;
  post("Returning Reader", "returning@example.test", "First, moderated", NULL,
       NULL, &r);
  char id[32];
  snprintf(id, sizeof id, "%ld", location_id(&r));
  reply_free(&r);
  cli("approve", id);
  set_setting("comment_moderation", "known");
  post("Returning Reader", "RETURNING@example.test",
       "Second, published at once", NULL, NULL, &r);
  assert_int_equal(r.status, 303);
  char cookie[700];
  assert_false(pending_cookie(&r, cookie, sizeof cookie));
  reply_free(&r);
  assert_true(eventually_contains(article_path, "Second, published at once"));
  /* Someone else with the same name but another e-mail still waits. */
  post("Returning Reader", "impostor@example.test", "Impostor text", NULL, NULL,
       &r);
  assert_true(pending_cookie(&r, cookie, sizeof cookie));
  reply_free(&r);
  set_setting("comment_moderation", "all");
}

static void email_appears_on_no_public_page(void **s) {
  (void)s;
  reply r;
  post("Visible", EMAIL, "Approved so pages show it", NULL, NULL, &r);
  char id[32];
  snprintf(id, sizeof id, "%ld", location_id(&r));
  reply_free(&r);
  cli("approve", id);
  assert_true(eventually_contains(article_path, "Approved so pages show it"));
  char reply_path[1200];
  snprintf(reply_path, sizeof reply_path, "%s/reply/%s", article_path, id);
  const char *pages[] = {"/",        article_path, "/" SECTION_SLUG_ENC "/",
                         reply_path, "/1",         "/nothing-here",
                         NULL};
  for (int i = 0; pages[i]; i++) {
    get("GET", pages[i], NULL, NULL, &r);
    assert_null(strstr(r.body.data, EMAIL));
    assert_null(strstr(r.body.data, "reader.secret"));
    reply_free(&r);
  }
}

static void acknowledged_comment_survives_kill_9(void **s) {
  (void)s;
  reply r;
  post("Durable", EMAIL, "Written just before the crash", NULL, NULL, &r);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  kill(server_pid, SIGKILL);
  waitpid(server_pid, NULL, 0);
  server_pid = 0;
  start_server(NULL);
  buf_t out = {0};
  const char *args[] = {"comments", "list", "all", "--db", db, NULL};
  assert_int_equal(naba(&out, args), 0);
  assert_non_null(strstr(out.data, "Written just before the crash"));
  buf_free(&out);
}

int main(void) {
  /* Every case needs it: skip them all, before allocating anything. */
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(comment_without_email_is_refused_and_text_is_kept),
      cmocka_unit_test(posted_comment_is_pending_and_shown_only_to_its_author),
      cmocka_unit_test(same_form_posted_twice_is_one_comment),
      cmocka_unit_test(approved_comment_appears_with_count_and_plain_text),
      cmocka_unit_test(reply_nests_under_its_parent_and_depth_is_limited),
      cmocka_unit_test(honeypot_and_blocked_words_send_comments_to_spam),
      cmocka_unit_test(limits_on_links_length_and_fields_are_explained),
      cmocka_unit_test(forged_token_and_fast_forms_are_refused_and_kept),
      cmocka_unit_test(invalid_utf8_is_refused_with_a_message),
      cmocka_unit_test(rate_limit_counts_clients_behind_a_trusted_proxy),
      cmocka_unit_test(forwarded_text_is_no_client_and_the_list_is_escaped),
      cmocka_unit_test(closed_article_shows_no_form_and_keeps_a_late_text),
      cmocka_unit_test(comments_close_days_after_publication),
      cmocka_unit_test(known_reader_skips_moderation_when_the_site_says_so),
      cmocka_unit_test(email_appears_on_no_public_page),
      cmocka_unit_test(acknowledged_comment_survives_kill_9),
  };
  int rc = cmocka_run_group_tests(tests, comments_setup, teardown);
  curl_global_cleanup();
  return rc;
}
