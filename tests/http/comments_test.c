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
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../shared.h"
#include "harness.h"

#define EMAIL "reader.secret@example.test"

static void cli(const char *cmd, const char *arg) {
  const char *args[] = {"comments", cmd, arg, "--db", db, NULL};
  assert_int_equal(naba(NULL, args), 0);
}

/* The form token of a page ("t" field), copied into out: the cached
 * page's own, shared by its readers. */
static void page_token(const char *path, char *out, size_t n) {
  reply r;
  get("GET", path, NULL, NULL, &r);
  const char *p = strstr(r.body.data, "name=\"t\" value=\"");
  assert_non_null(p);
  p += strlen("name=\"t\" value=\"");
  snprintf(out, n, "%.*s", (int)strcspn(p, "\""), p);
  reply_free(&r);
}

/* A reader's own token, as a browser gets it when the reader starts
 * writing: the naba_ct cookie of /comment-token, its value into out. */
static void token(char *out, size_t n) {
  reply r;
  char v[512];
  get("GET", "/comment-token", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_true(header(&r, "Set-Cookie", v, sizeof v));
  assert_int_equal(strncmp(v, "naba_ct=", 8), 0);
  snprintf(out, n, "%.*s", (int)strcspn(v + 8, ";"), v + 8);
  assert_true(header(&r, "Cache-Control", v, sizeof v));
  assert_non_null(strstr(v, "no-store"));
  reply_free(&r);
}

/* Posts a comment on the seed article with one extra header (or NULL);
 * the reply is left in r. */
static void post_with(const char *hdr, const char *name, const char *email,
                      const char *text, const char *extra_key,
                      const char *extra_val, reply *r) {
  char t[256];
  token(t, sizeof t);
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
  token(t, sizeof t);
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

/* Lines of `naba comments list all` that contain needle. */
static int listed(const char *needle) {
  buf_t out = {0};
  const char *args[] = {"comments", "list", "all", "--db", db, NULL};
  assert_int_equal(naba(&out, args), 0);
  int k = count(out.data ? out.data : "", needle);
  buf_free(&out);
  return k;
}

static size_t drop(char *p, size_t size, size_t n, void *ud) {
  (void)p, (void)ud;
  return size * n;
}

/* 40 posts at once from one client with a limit of 5: the count and the
 * insert are one transaction, so exactly 5 are stored and 35 refused. */
static void concurrent_posts_from_one_client_store_exactly_the_limit(void **s) {
  (void)s;
  enum { N = 40, LIMIT = 5 };
  set_setting("trusted_proxies", "127.0.0.1");
  set_setting("comment_rate_limit", "5");
  char *bodies[N];
  CURL *easy[N];
  CURLM *m = curl_multi_init();
  char url[1200];
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, article_path);
  struct curl_slist *h =
      curl_slist_append(NULL, "X-Forwarded-For: 198.51.100.77");
  for (int i = 0; i < N; i++) {
    char t[256], text[64];
    token(t, sizeof t);
    snprintf(text, sizeof text, "concurrent flood %d", i);
    bodies[i] = form("t", t, "author", "Flood", "email", "f@example.test",
                     "comment", text, NULL);
    easy[i] = curl_easy_init();
    curl_easy_setopt(easy[i], CURLOPT_URL, url);
    curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, bodies[i]);
    curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, drop);
    curl_multi_add_handle(m, easy[i]);
  }
  int running = 1;
  while (running) {
    assert_int_equal(curl_multi_perform(m, &running), CURLM_OK);
    if (running)
      assert_int_equal(curl_multi_poll(m, NULL, 0, 1000, NULL), CURLM_OK);
  }
  int stored = 0, refused = 0;
  for (int i = 0; i < N; i++) {
    long status = 0;
    curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
    stored += status == 303;
    refused += status == 429;
    curl_multi_remove_handle(m, easy[i]);
    curl_easy_cleanup(easy[i]);
    free(bodies[i]);
  }
  curl_multi_cleanup(m);
  curl_slist_free_all(h);
  assert_int_equal(stored, LIMIT);
  assert_int_equal(refused, N - LIMIT);
  assert_int_equal(listed("concurrent flood"), LIMIT);
  set_setting("comment_rate_limit", "0");
  set_setting("trusted_proxies", "");
}

/* A token lets one comment in. Sent again with other text it is refused,
 * the text kept; the same form sent again (a double click) is the first
 * comment, stored once. */
static void
a_replayed_token_is_refused_and_the_first_comment_stays_once(void **s) {
  (void)s;
  char t[256];
  token(t, sizeof t);
  reply r;
  char *body = form("t", t, "author", "Once", "email", EMAIL, "comment",
                    "First use of a token", NULL);
  request("POST", article_path, NULL, NULL, body, &r);
  assert_int_equal(r.status, 303);
  long id = location_id(&r);
  reply_free(&r);
  char *other = form("t", t, "author", "Once", "email", EMAIL, "comment",
                     "Replayed with other text", NULL);
  for (int i = 0; i < 3; i++) {
    request("POST", article_path, NULL, NULL, other, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body.data, "أُرسل تعليق بهذا النموذج من قبل"));
    assert_non_null(strstr(r.body.data, "Replayed with other text"));
    reply_free(&r);
  }
  free(other);
  request("POST", article_path, NULL, NULL, body, &r);
  assert_int_equal(r.status, 303);
  assert_int_equal(location_id(&r), id);
  reply_free(&r);
  free(body);
  assert_int_equal(listed("First use of a token"), 1);
  assert_int_equal(listed("Replayed with other text"), 0);
  /* The rule holds across a restart: the nonce is in the database. */
  assert_int_equal(stop_server(), 0);
  start_server(NULL);
  body = form("t", t, "author", "Once", "email", EMAIL, "comment",
              "Replayed after a restart", NULL);
  request("POST", article_path, NULL, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 422);
  reply_free(&r);
  assert_int_equal(listed("Replayed after a restart"), 0);
}

/* What the browser says of where a POST comes from decides: another
 * site's page is refused with a 403 in the site's design, the text kept. */
static void a_post_from_another_site_is_refused_with_403(void **s) {
  (void)s;
  const char *foreign[][2] = {
      {"Origin: https://evil.example", NULL},
      {"Sec-Fetch-Site: cross-site", NULL},
      {"Sec-Fetch-Site: cross-site", "Origin: null"},
      {"Sec-Fetch-Site: same-site", "Origin: https://blog.127.0.0.1"},
      {"Referer: https://evil.example/page", NULL},
  };
  for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
    char t[256], text[64];
    token(t, sizeof t);
    snprintf(text, sizeof text, "Forged from elsewhere %zu", i);
    char *body =
        form("t", t, "author", "Victim", "email", EMAIL, "comment", text, NULL);
    reply r;
    request("POST", article_path, foreign[i][0], foreign[i][1], body, &r);
    free(body);
    if (r.status != 403)
      fail_msg("%s %s: %ld", foreign[i][0], foreign[i][1] ? foreign[i][1] : "",
               r.status);
    assert_non_null(strstr(r.body.data, "أُرسل النموذج من موقع آخر"));
    assert_non_null(strstr(r.body.data, text));
    assert_non_null(strstr(r.body.data, "dir=\"rtl\""));
    reply_free(&r);
    assert_int_equal(listed(text), 0);
  }
  /* This site's own pages, as browsers say it. */
  char origin[64], referer[1200];
  snprintf(origin, sizeof origin, "Origin: http://127.0.0.1:%d", port);
  snprintf(referer, sizeof referer, "Referer: http://127.0.0.1:%d%s", port,
           article_path);
  const char *ours[][2] = {
      {"Sec-Fetch-Site: same-origin", origin},
      {origin, NULL},
      {referer, NULL},
  };
  for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++) {
    char t[256], text[64];
    token(t, sizeof t);
    snprintf(text, sizeof text, "Sent from this site %zu", i);
    char *body =
        form("t", t, "author", "Reader", "email", EMAIL, "comment", text, NULL);
    reply r;
    request("POST", article_path, ours[i][0], ours[i][1], body, &r);
    free(body);
    assert_int_equal(r.status, 303);
    reply_free(&r);
  }
}

/* A reader's token signed with the site's secret (keyed BLAKE2b, as
 * web/sign.c does), issued at `at`. */
static void signed_token(long long at, char *out, size_t n) {
  /* The secret is in no command's output: read from the database. */
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(
      sqlite3_prepare_v2(h, "SELECT value FROM settings WHERE key = 'secret'",
                         -1, &st, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  const char *hex = (const char *)sqlite3_column_text(st, 0);
  unsigned char key[32], mac[crypto_generichash_BYTES];
  size_t k = 0;
  assert_int_equal(
      sodium_hex2bin(key, sizeof key, hex, strlen(hex), NULL, &k, NULL), 0);
  assert_int_equal(k, sizeof key);
  sqlite3_finalize(st);
  sqlite3_close(h);
  char payload[96], b64[64];
  snprintf(payload, sizeof payload, "n:%lld:%032x", at, 0x5eed);
  crypto_generichash(mac, sizeof mac, (const unsigned char *)payload,
                     strlen(payload), key, sizeof key);
  sodium_bin2base64(b64, sizeof b64, mac, sizeof mac,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  snprintf(out, n, "%s.%s", payload, b64);
}

/* A token older than comment_token_minutes is refused with a clear
 * message and a fresh form of the reader's own, the text kept in it. */
static void
a_token_older_than_its_window_is_refused_and_the_text_kept(void **s) {
  (void)s;
  char t[256];
  signed_token((long long)time(NULL) - 61 * 60, t, sizeof t);
  char *body = form("t", t, "author", "Slow", "email", EMAIL, "comment",
                    "Written over a long lunch", NULL);
  reply r;
  request("POST", article_path, NULL, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "انتهت صلاحية النموذج"));
  assert_non_null(strstr(r.body.data, "Written over a long lunch"));
  assert_non_null(strstr(r.body.data, "name=\"t\" value=\"n:"));
  assert_null(strstr(r.body.data, t));
  reply_free(&r);
  /* Within the window it is good. */
  signed_token((long long)time(NULL) - 59 * 60, t, sizeof t);
  body = form("t", t, "author", "Slow", "email", EMAIL, "comment",
              "Written over a short lunch", NULL);
  request("POST", article_path, NULL, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  reply_free(&r);
}

/* "n:<time>:..." of the reader's token in a page's form, into out. */
static int form_token_of(const reply *r, char *out, size_t n) {
  const char *p = strstr(r->body.data, "name=\"t\" value=\"");
  if (!p)
    return 0;
  p += strlen("name=\"t\" value=\"");
  snprintf(out, n, "%.*s", (int)strcspn(p, "\""), p);
  return 1;
}

/* comment_min_seconds counts from when the token the reader sends was
 * issued to them: the cached page's token, however old, lets nothing in
 * by itself; it gets a confirmation with the reader's own token, which
 * is then as young as that. */
static void
min_seconds_count_from_the_readers_token_not_the_cached_page(void **s) {
  (void)s;
  set_setting("comment_min_seconds", "1");
  char t[256] = "", again[256] = "";
  /* The cached page, as every reader gets it, once older than 1 s (the
   * cache drops it once more when the server sees the setting change).
   * (This was a for loop whose test read t before anything was written to
   * it: when the stack held a 0 there, it never ran and posted "".) */
  int tries = 0;
  do {
    page_token(article_path, t, sizeof t);
    long long made = atoll(strchr(t, ':') + 1);
    struct timespec tick = {0, 50 * 1000 * 1000};
    while ((long long)time(NULL) < made + 2)
      nanosleep(&tick, NULL);
    page_token(article_path, again, sizeof again);
  } while (strcmp(again, t) != 0 && ++tries < 5);
  assert_string_equal(again, t);
  assert_true(strchr(t, ':') != NULL);
  char *body = form("t", t, "author", "Cached", "email", EMAIL, "comment",
                    "Sent with the cached page token", NULL);
  reply r;
  request("POST", article_path, NULL, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 422);
  if (!strstr(r.body.data, "خطوة أخيرة لحماية التعليقات")) {
    /* It failed once on a loaded machine: say which refusal it was. */
    const char *e = strstr(r.body.data, "class=\"form-error\"");
    fail_msg("another refusal to token %s at %lld: %.300s", t,
             (long long)time(NULL), e ? e : r.body.data);
  }
  assert_non_null(strstr(r.body.data, "Sent with the cached page token"));
  assert_true(form_token_of(&r, t, sizeof t));
  assert_int_equal(strncmp(t, "n:", 2), 0);
  reply_free(&r);
  assert_int_equal(listed("Sent with the cached page"), 0);
  /* The confirmation's token was issued just now. */
  set_setting("comment_min_seconds", "60");
  body = form("t", t, "author", "Cached", "email", EMAIL, "comment",
              "Sent with the cached page token", NULL);
  request("POST", article_path, NULL, NULL, body, &r);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, "أُرسل التعليق بسرعة"));
  reply_free(&r);
  /* And once it is old enough, the comment is in: no script needed. */
  set_setting("comment_min_seconds", "0");
  request("POST", article_path, NULL, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  assert_int_equal(listed("Sent with the cached page"), 1);
}

/* The article page stays in the cache: it carries the page's token only,
 * never a reader's. */
static void the_article_page_stays_cached_with_no_readers_token(void **s) {
  (void)s;
  reply r;
  get("GET", article_path, "X-Naba-Fault: alloc:1000000000", NULL, &r);
  assert_int_equal(r.status, 200);
  char v[64];
  assert_true(header(&r, "X-Naba-Cacheable", v, sizeof v));
  assert_string_equal(v, "1");
  assert_null(strstr(r.body.data, "value=\"n:"));
  reply_free(&r);
}

int main(void) {
  /* Every case needs it: skip them all, before allocating anything. */
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  assert_true(sodium_init() >= 0);
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
      cmocka_unit_test(
          concurrent_posts_from_one_client_store_exactly_the_limit),
      cmocka_unit_test(
          a_replayed_token_is_refused_and_the_first_comment_stays_once),
      cmocka_unit_test(a_post_from_another_site_is_refused_with_403),
      cmocka_unit_test(
          a_token_older_than_its_window_is_refused_and_the_text_kept),
      cmocka_unit_test(
          min_seconds_count_from_the_readers_token_not_the_cached_page),
      cmocka_unit_test(the_article_page_stays_cached_with_no_readers_token),
  };
  int rc = cmocka_run_group_tests(tests, comments_setup, teardown);
  curl_global_cleanup();
  return rc;
}
