/* HTTP tests: the server's own error pages, and the site's refusals of a
 * comment, speak Arabic whatever locale the process was started in (the
 * catalogs come from the build's po/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/core.h"

#include "harness.h"
#include "../shared.h"

#define METHOD_AR "هذه الطريقة غير مسموح بها"
#define TOO_BIG_AR "حجم الطلب أكبر من المسموح به"
#define NAME_REQUIRED_AR "الاسم مطلوب."
#define NOT_PUBLISHED_AR "لم يُنشر تعليقك بعد"

/* Restarts the server with this environment (NULL: unset). */
static void restart_with(const char *lang, const char *lc_all,
                         const char *language) {
  assert_int_equal(stop_server(), 0);
  const char *names[] = {"LANG", "LC_ALL", "LANGUAGE"};
  const char *values[] = {lang, lc_all, language};
  for (int i = 0; i < 3; i++)
    if (values[i])
      setenv(names[i], values[i], 1);
    else
      unsetenv(names[i]);
  start_server(NULL);
}

/* Sends req on a new connection and reads the whole answer (headers and
 * Content-Length bytes of body) into out. */
static void exchange(const char *req, buf_t *out) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct timeval tv = {.tv_sec = 10}; /* a hung server fails, not hangs */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  size_t n = strlen(req);
  assert_int_equal(send(fd, req, n, MSG_NOSIGNAL), (ssize_t)n);
  char chunk[4096];
  ssize_t k;
  while ((k = recv(fd, chunk, sizeof chunk, 0)) > 0) {
    buf_append(out, chunk, (size_t)k);
    const char *end = strstr(out->data, "\r\n\r\n");
    const char *cl = strcasestr(out->data, "\r\nContent-Length:");
    if (end && cl && cl < end &&
        out->len >= (size_t)(end + 4 - out->data) + strtoul(cl + 17, NULL, 10))
      break;
  }
  close(fd);
  assert_non_null(out->data);
}

static void expect_arabic_error_pages(void) {
  reply r;
  get("DELETE", "/", NULL, NULL, &r);
  assert_int_equal(r.status, 405);
  assert_non_null(strstr(r.body.data, METHOD_AR));
  assert_non_null(strstr(r.body.data, "<html lang=\"ar\" dir=\"rtl\">"));
  assert_null(strstr(r.body.data, "not allowed"));
  reply_free(&r);

  buf_t b = {0};
  exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n",
           &b);
  assert_int_equal(strncmp(b.data, "HTTP/1.1 413", 12), 0);
  assert_non_null(strstr(b.data, TOO_BIG_AR));
  assert_null(strstr(b.data, "larger than"));
  buf_free(&b);
}

/* A comment without a name on the seed article: refused, in Arabic, from
 * the site (src/site), not the web layer. */
static void expect_arabic_comment_refusal(void) {
  const char *args[] = {"settings", "set", "comment_min_seconds", "0", "--db",
                        db,         NULL};
  assert_int_equal(naba(NULL, args), 0);
  reply r;
  char v[256];
  comment_token(v, sizeof v);
  assert_true(v[0]);
  char *t = curl_easy_escape(NULL, v, 0);
  assert_non_null(t);
  char body[1024];
  snprintf(body, sizeof body,
           "t=%s&author=&email=reader%%40example.test&url=&comment=hello", t);
  curl_free(t);
  request("POST", article_path, NULL, NULL, body, &r);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body.data, NAME_REQUIRED_AR));
  assert_non_null(strstr(r.body.data, NOT_PUBLISHED_AR));
  assert_null(strstr(r.body.data, "is required"));
  assert_null(strstr(r.body.data, "not been published"));
  reply_free(&r);
}

static void
error_pages_are_arabic_when_the_server_runs_in_the_c_locale(void **s) {
  (void)s;
  restart_with("C", "C", NULL);
  expect_arabic_error_pages();
}

static void
a_comment_refusal_is_arabic_when_the_server_runs_in_the_c_locale(void **s) {
  (void)s;
  restart_with("C", "C", NULL);
  expect_arabic_comment_refusal();
}

static void
error_pages_are_arabic_when_the_server_runs_in_an_english_locale(void **s) {
  (void)s;
  /* As an English desktop session sets it, LANGUAGE included. */
  restart_with("en_US.UTF-8", NULL, "en_US:en");
  expect_arabic_error_pages();
}

int main(void) {
  /* The fixture imports the seed page: without it, skip them all. */
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          error_pages_are_arabic_when_the_server_runs_in_the_c_locale),
      cmocka_unit_test(
          error_pages_are_arabic_when_the_server_runs_in_an_english_locale),
      cmocka_unit_test(
          a_comment_refusal_is_arabic_when_the_server_runs_in_the_c_locale),
  };
  int rc = cmocka_run_group_tests(tests, setup, teardown);
  curl_global_cleanup();
  return rc;
}
