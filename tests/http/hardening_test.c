/* HTTP tests of the limits that keep one client from taking the server
 * from everyone else (docs/security.md): connections per address, the
 * deadline for headers, message framing (smuggling), query arguments, a
 * second server on the port, and searches kept off the threads that send
 * cached pages. Raw sockets where curl cannot send the attack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "web/web.h"

#define PER_ADDRESS 16
#define SLOW_PER_CLIENT 2
#define SLOW_QUEUE 6

static int hardening_setup(void **state) {
  static const char *const limits[] = {"--max-per-address",
                                       "16",
                                       "--header-timeout",
                                       "1",
                                       "--slow-per-client",
                                       "2",
                                       "--slow-queue",
                                       "6",
                                       NULL};
  int rc = setup(state);
  stop_server();
  start_server_with(NULL, limits);
  return rc;
}

/* Sends a whole request on a new connection and reads until the server
 * closes it or 5 s pass; the statuses of what came back. */
static int exchange(const char *from, const char *req, buf_t *out,
                    int *statuses, int max, int *closed) {
  int fd = raw_connect(from);
  assert_true(fd >= 0);
  raw_send(fd, req, strlen(req));
  *closed = raw_read_all(fd, out, 5000);
  close(fd);
  return raw_statuses(out, statuses, max);
}

static void
a_flood_from_one_address_is_held_to_its_limit_and_others_are_answered(
    void **s) {
  (void)s;
  enum { N = 200 };
  int fds[N];
  long from = server_log_size();
  for (int i = 0; i < N; i++) {
    fds[i] = raw_connect("127.0.0.1");
    assert_true(fds[i] >= 0);
    raw_send(fds[i], "GET / HTTP/1.1\r\nHost: x\r\n", 25);
  }
  /* Another address is answered while the flood holds its connections. */
  buf_t b = {0};
  int st[4], closed;
  int n = exchange("127.0.0.2",
                   "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b,
                   st, 4, &closed);
  assert_int_equal(n, 1);
  assert_int_equal(st[0], 200);
  buf_free(&b);
  assert_true(eventually_logged(from, "limit hit: connections per address"));
  /* All but PER_ADDRESS were turned away: the server closed them. */
  int gone = 0;
  int64_t deadline = nb_now_us() + 5000000;
  while (gone < N - PER_ADDRESS && nb_now_us() < deadline) {
    gone = 0;
    for (int i = 0; i < N; i++)
      gone += raw_closed(fds[i], 0);
    if (gone < N - PER_ADDRESS)
      raw_closed(fds[0], 50); /* wait for something to happen */
  }
  assert_true(gone >= N - PER_ADDRESS);
  for (int i = 0; i < N; i++)
    close(fds[i]);
  /* The server counts the closes in its own time: wait until this address
   * is answered again, for the tests after this one. */
  int answered = 0;
  deadline = nb_now_us() + 5000000;
  while (!answered && nb_now_us() < deadline) {
    buf_t a = {0};
    n = exchange(NULL, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                 &a, st, 4, &closed);
    answered = n == 1 && st[0] == 200;
    buf_free(&a);
  }
  assert_true(answered);
}

static void headers_trickled_past_the_deadline_are_cut_off(void **s) {
  (void)s;
  long from = server_log_size();
  int fd = raw_connect(NULL);
  assert_true(fd >= 0);
  assert_int_equal(raw_send(fd, "GET / HTTP/1.1\r\n", 16), 0);
  /* A header line every 200 ms, each of which renewed libmicrohttpd's
   * idle timeout: the 1 s deadline counts from the request line. */
  int closed = 0;
  int64_t deadline = nb_now_us() + 10000000;
  while (!closed && nb_now_us() < deadline) {
    closed = raw_closed(fd, 200);
    if (!closed)
      raw_send(fd, "X-Trickle: 1\r\n", 14);
  }
  close(fd);
  assert_true(closed);
  assert_true(eventually_logged(from, "time to send a request's headers"));
}

/* Each request is followed by a second one that a front proxy reading
 * another length would take as part of the body. */
static void ambiguous_lengths_are_refused_and_the_connection_closed(void **s) {
  (void)s;
  static const char *const reqs[] = {
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      "Content-Length: 40\r\n\r\nhelloGET /smuggled HTTP/1.1\r\nHost: "
      "x\r\n\r\n",
      "POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 40\r\n\r\n"
      "helloGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
      "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
      "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
      NULL};
  long from = server_log_size();
  for (int i = 0; reqs[i]; i++) {
    buf_t b = {0};
    int st[4], closed;
    int n = exchange(NULL, reqs[i], &b, st, 4, &closed);
    /* libmicrohttpd refuses "5, 40" itself, sending its status line
     * twice: every status a 400, none for the smuggled request. */
    int other = n < 1 || n > 4;
    for (int k = 0; k < n && k < 4; k++)
      other |= st[k] != 400;
    if (other || !closed)
      fail_msg("request %d: %d answers, first %d, closed %d", i, n,
               n ? st[0] : 0, closed);
    buf_free(&b);
  }
  assert_true(eventually_logged(from, "limit hit: ambiguous message length"));
}

static void the_same_length_said_twice_is_one_length(void **s) {
  (void)s;
  buf_t b = {0};
  int st[4], closed;
  int n = exchange(NULL,
                   "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                   "Content-Length: 5\r\n\r\nhello"
                   "GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                   "\r\n",
                   &b, st, 4, &closed);
  assert_int_equal(n, 2);
  assert_int_equal(st[0], 200);
  assert_int_equal(st[1], 404);
  buf_free(&b);
}

static void many_query_arguments_are_answered_414_at_once(void **s) {
  (void)s;
  buf_t req = {0};
  buf_puts(&req, "GET /search?q=x");
  for (int i = 0; i < 500; i++)
    buf_printf(&req, "&a%d=1", i);
  buf_puts(&req, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  long from = server_log_size();
  buf_t b = {0};
  int st[4], closed;
  int n = exchange(NULL, req.data, &b, st, 4, &closed);
  assert_true(closed);
  assert_int_equal(n, 1);
  assert_int_equal(st[0], 414);
  assert_true(eventually_logged(from, "limit hit: query arguments"));
  buf_free(&b);
  buf_free(&req);
  /* Up to the limit is a page as usual. */
  buf_puts(&req, "/search?q=x");
  for (int i = 1; i < WEB_MAX_QUERY_ARGS; i++)
    buf_printf(&req, "&a%d=1", i);
  expect_status("GET", req.data, 200);
  buf_free(&req);
}

/* Runs naba serve with args until it says it serves (then stops it: 1)
 * or exits (0; its status in *status); its output in out. */
static int serve_starts(const char *const *args, buf_t *out, int *status) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  char *argv[16] = {strdup(NABA_BIN), strdup("serve")};
  int argc = 2;
  for (int i = 0; args[i] && argc < 15; i++)
    argv[argc++] = strdup(args[i]);
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    execv(NABA_BIN, argv);
    _exit(127);
  }
  for (int i = 0; i < argc; i++)
    free(argv[i]);
  close(fds[1]);
  int started = 0;
  int64_t deadline = nb_now_us() + 30000000;
  while (!started && nb_now_us() < deadline) {
    struct pollfd p = {.fd = fds[0], .events = POLLIN};
    if (poll(&p, 1, 1000) <= 0)
      continue;
    char chunk[1024];
    ssize_t k = read(fds[0], chunk, sizeof chunk);
    if (k <= 0)
      break;
    buf_append(out, chunk, (size_t)k);
    buf_putc(out, '\0');
    out->len--;
    started = strstr(out->data, "serving http") != NULL;
  }
  if (started)
    kill(pid, SIGTERM);
  close(fds[0]);
  int ws;
  waitpid(pid, &ws, 0);
  *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
  return started;
}

static void
a_second_server_on_the_port_starts_only_to_share_the_database(void **s) {
  (void)s;
  char p[16], other[320];
  snprintf(p, sizeof p, "%d", port);
  snprintf(other, sizeof other, "%s/other.db", dir);
  const char *init[] = {"init", "--db", other, NULL};
  assert_int_equal(naba(NULL, init), 0);
  buf_t out = {0};
  int status;

  const char *plain[] = {"--port", p, "--db", db, "--access-log", "off", NULL};
  if (serve_starts(plain, &out, &status))
    fail_msg("a second server started on port %s: %s", p, out.data);
  assert_int_not_equal(status, 0);
  assert_non_null(strstr(out.data, "--share-port"));
  buf_free(&out);

  const char *elsewhere[] = {"--port",       p,     "--db",         other,
                             "--access-log", "off", "--share-port", NULL};
  if (serve_starts(elsewhere, &out, &status))
    fail_msg("a server of another database shared port %s: %s", p, out.data);
  assert_int_not_equal(status, 0);
  assert_non_null(strstr(out.data, "another database"));
  buf_free(&out);

  const char *shared[] = {"--port",       p,     "--db",         db,
                          "--access-log", "off", "--share-port", NULL};
  if (!serve_starts(shared, &out, &status))
    fail_msg("--share-port with the same database refused: %s", out.data);
  buf_free(&out);
  expect_status("GET", "/", 200);
}

/* Reads what has arrived on fd without waiting; 1 once it is closed. */
static int drain(int fd, buf_t *b) {
  return raw_read_all(fd, b, 1) || raw_closed(fd, 0);
}

static void a_search_flood_leaves_cached_pages_answered(void **s) {
  (void)s;
  expect_status("GET", "/", 200);
  expect_status("GET", "/", 200); /* now cached */
  enum { N = 12 };
  int fds[N], done[N] = {0};
  buf_t bufs[N];
  long from = server_log_size();
  /* From 12 addresses, each under its own limit; 2 run at a time, 6 wait,
   * the rest are turned away (503). */
  for (int i = 0; i < N; i++) {
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.%d", 10 + i);
    memset(&bufs[i], 0, sizeof bufs[i]);
    fds[i] = raw_connect(addr);
    assert_true(fds[i] >= 0);
    const char *req = "GET /search?q=x HTTP/1.1\r\nHost: x\r\n"
                      "X-Naba-Delay: 1000\r\nConnection: close\r\n\r\n";
    assert_int_equal(raw_send(fds[i], req, strlen(req)), 0);
  }
  int cached_before = 0, searched = 0, finished = 0, busy = 0;
  int64_t deadline = nb_now_us() + 60000000;
  while (finished < N && nb_now_us() < deadline) {
    reply r;
    get("GET", "/", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    if (!searched)
      cached_before++;
    for (int i = 0; i < N; i++) {
      if (done[i] || !drain(fds[i], &bufs[i]))
        continue;
      done[i] = 1;
      finished++;
      int st[2];
      assert_int_equal(raw_statuses(&bufs[i], st, 2), 1);
      if (st[0] == 200)
        searched = 1;
      if (st[0] == 503) {
        busy++;
        assert_non_null(strstr(bufs[i].data, "Retry-After:"));
      }
    }
  }
  for (int i = 0; i < N; i++) {
    close(fds[i]);
    buf_free(&bufs[i]);
  }
  assert_int_equal(finished, N);
  /* The cached page answered while the searches held their threads. */
  if (cached_before < 3)
    fail_msg("%d cached answers before the first search ended", cached_before);
  /* 6 wait; up to 2 more once the workers took theirs, which may be
   * before or after the last ones came. */
  assert_in_range(busy, N - SLOW_QUEUE - 2, N - SLOW_QUEUE);
  assert_true(eventually_logged(from, "limit hit: slow requests queued"));
}

static void an_address_over_its_search_limit_gets_429(void **s) {
  (void)s;
  enum { N = SLOW_PER_CLIENT + 2 };
  int fds[N];
  long from = server_log_size();
  for (int i = 0; i < N; i++) {
    fds[i] = raw_connect("127.0.0.3");
    assert_true(fds[i] >= 0);
    const char *req = "GET /search?q=x HTTP/1.1\r\nHost: x\r\n"
                      "X-Naba-Delay: 500\r\nConnection: close\r\n\r\n";
    assert_int_equal(raw_send(fds[i], req, strlen(req)), 0);
  }
  int ok = 0, limited = 0;
  for (int i = 0; i < N; i++) {
    buf_t b = {0};
    assert_true(raw_read_all(fds[i], &b, 10000));
    close(fds[i]);
    int st[2];
    assert_int_equal(raw_statuses(&b, st, 2), 1);
    if (st[0] == 200)
      ok++;
    if (st[0] == 429) {
      limited++;
      assert_non_null(strstr(b.data, "Retry-After:"));
      assert_non_null(strstr(b.data, "Cache-Control: no-store"));
      /* In the site's design: its stylesheet, header and the error
       * template, in Arabic, right to left. */
      assert_non_null(strstr(b.data, "dir=\"rtl\""));
      assert_non_null(strstr(b.data, "/static/style."));
      assert_non_null(
          strstr(b.data, "<p class=\"code\" aria-hidden=\"true\">429"));
      assert_non_null(strstr(b.data, "<h1>طلبات كثيرة</h1>"));
    }
    buf_free(&b);
  }
  assert_int_equal(ok, SLOW_PER_CLIENT);
  assert_int_equal(limited, N - SLOW_PER_CLIENT);
  assert_true(eventually_logged(from, "limit hit: slow requests per address"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      /* First: the flood's connections are cut off by the deadline too,
       * and its line is logged once in 10 s. */
      cmocka_unit_test(headers_trickled_past_the_deadline_are_cut_off),
      cmocka_unit_test(
          a_flood_from_one_address_is_held_to_its_limit_and_others_are_answered),
      cmocka_unit_test(ambiguous_lengths_are_refused_and_the_connection_closed),
      cmocka_unit_test(the_same_length_said_twice_is_one_length),
      cmocka_unit_test(many_query_arguments_are_answered_414_at_once),
      cmocka_unit_test(
          a_second_server_on_the_port_starts_only_to_share_the_database),
      cmocka_unit_test(a_search_flood_leaves_cached_pages_answered),
      cmocka_unit_test(an_address_over_its_search_limit_gets_429),
  };
  return cmocka_run_group_tests(tests, hardening_setup, teardown);
}
