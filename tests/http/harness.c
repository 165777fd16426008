/* harness.c: the HTTP tests' fixture and client (see harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <sqlite3.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"

#include "harness.h"

char dir[256], db[300];
pid_t server_pid;
int port;
char article_path[1024]; /* canonical, percent-encoded */

/* ---- running naba ---- */

/* Runs naba with args, returns its exit status; output into out. */
int naba(buf_t *out, const char *const *args) {
  /* execv takes char *const[]: copies, made before fork, not casts. */
  char *argv[32] = {strdup(NABA_BIN)};
  int argc = 1;
  for (; args[argc - 1] && argc < 31; argc++)
    argv[argc] = strdup(args[argc - 1]);
  int fds[2];
  if (pipe(fds) != 0) {
    for (int i = 0; i < argc; i++)
      free(argv[i]);
    return -1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    execv(NABA_BIN, argv);
    _exit(127);
  }
  for (int i = 0; i < argc; i++)
    free(argv[i]);
  close(fds[1]);
  char chunk[4096];
  ssize_t k;
  while ((k = read(fds[0], chunk, sizeof chunk)) > 0)
    if (out)
      buf_append(out, chunk, (size_t)k);
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void set_setting(const char *key, const char *value) {
  const char *args[] = {"settings", "set", key, value, "--db", db, NULL};
  buf_t out = {0};
  int rc = naba(&out, args);
  if (rc != 0)
    fail_msg("naba settings set %s %s: %d: %s", key, value, rc, out.data);
  buf_free(&out);
}

void start_server(const char *theme) {
  start_server_with(theme, NULL);
}

/* Starts naba serve on the fixture database, with theme (NULL: the
 * default one) and extra arguments (NULL-terminated, or NULL). */
void start_server_with(const char *theme, const char *const *extra) {
  /* execv takes char *const[]: copies, made before fork, not casts. */
  char *argv[40];
  int argc = 0;
  const char *base[] = {NABA_BIN,
                        "serve",
                        "--port",
                        "0",
                        "--db",
                        db,
                        "--access-log",
                        "-",
                        "--threads",
                        "2",
                        theme ? "--theme" : NULL,
                        theme};
  for (size_t i = 0; i < sizeof base / sizeof base[0] && base[i]; i++)
    argv[argc++] = strdup(base[i]);
  for (int i = 0; extra && extra[i] && argc < 39; i++)
    argv[argc++] = strdup(extra[i]);
  argv[argc] = NULL;
  int fds[2], errs[2];
  assert_int_equal(pipe(fds), 0);
  assert_int_equal(pipe(errs), 0);
  server_pid = fork();
  if (server_pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a crashed test */
    dup2(fds[1], 1);
    dup2(errs[1], 2);
    close(fds[0]);
    close(errs[0]);
    execv(NABA_BIN, argv);
    _exit(127);
  }
  for (int i = 0; i < argc; i++)
    free(argv[i]);
  close(fds[1]);
  close(errs[1]);
  /* The server's stderr goes on to ours (sanitizer reports stay in the
   * test's log) and into dir/server.log, for eventually_logged(). */
  if (fork() == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    close(fds[0]);
    char path[300], chunk[4096];
    snprintf(path, sizeof path, "%s/server.log", dir);
    FILE *log = fopen(path, "a");
    ssize_t k;
    while ((k = read(errs[0], chunk, sizeof chunk)) > 0) {
      if (write(2, chunk, (size_t)k) < 0)
        break;
      if (log) {
        fwrite(chunk, 1, (size_t)k, log);
        fflush(log);
      }
    }
    _exit(0);
  }
  close(errs[0]);
  /* The first line says where it listens; the rest (the access log) goes
   * to dir/access.log, read so the pipe never fills. */
  char line[512];
  size_t n = 0;
  while (n < sizeof line - 1 && read(fds[0], line + n, 1) == 1 &&
         line[n] != '\n')
    n++;
  line[n] = '\0';
  char *p = strstr(line, "127.0.0.1:");
  assert_non_null(p);
  port = atoi(p + 10);
  assert_true(port > 0);
  if (fork() == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    char path[300], chunk[4096];
    snprintf(path, sizeof path, "%s/access.log", dir);
    FILE *log = fopen(path, "a");
    ssize_t k;
    while ((k = read(fds[0], chunk, sizeof chunk)) > 0)
      if (log) {
        fwrite(chunk, 1, (size_t)k, log);
        fflush(log);
      }
    if (log)
      fclose(log);
    _exit(0);
  }
  close(fds[0]);
}

int stop_server(void) {
  int status = -1;
  if (server_pid > 0) {
    kill(server_pid, SIGTERM);
    waitpid(server_pid, &status, 0);
    server_pid = 0;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- HTTP client ---- */

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
  buf_append(ud, p, size * n);
  return size * n;
}

void request(const char *method, const char *path, const char *hdr1,
             const char *hdr2, const char *body, reply *r) {
  memset(r, 0, sizeof *r);
  CURL *c = curl_easy_init();
  char url[8192];
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
  struct curl_slist *h = NULL;
  if (hdr1)
    h = curl_slist_append(h, hdr1);
  if (hdr2)
    h = curl_slist_append(h, hdr2);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  if (body)
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  if (strcmp(method, "HEAD") == 0)
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  else if (strcmp(method, "GET") != 0)
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  assert_int_equal(curl_easy_perform(c), CURLE_OK);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
  curl_easy_cleanup(c);
  curl_slist_free_all(h);
  buf_putc(&r->body, '\0');
  r->body.len--;
  buf_putc(&r->headers, '\0');
}

void get(const char *method, const char *path, const char *hdr1,
         const char *hdr2, reply *r) {
  request(method, path, hdr1, hdr2, NULL, r);
}

void reply_free(reply *r) {
  buf_free(&r->body);
  buf_free(&r->headers);
}

/* Value of a response header (case-insensitive name), copied into out. */
int header(const reply *r, const char *name, char *out, size_t n) {
  size_t nl = strlen(name);
  for (const char *p = r->headers.data; p && *p;) {
    const char *e = strstr(p, "\r\n");
    if (!e)
      break;
    if ((size_t)(e - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
      const char *v = p + nl + 1;
      while (*v == ' ')
        v++;
      snprintf(out, n, "%.*s", (int)(e - v), v);
      return 1;
    }
    p = e + 2;
  }
  return 0;
}

void expect_status(const char *method, const char *path, long status) {
  reply r;
  get(method, path, NULL, NULL, &r);
  assert_int_equal(r.status, status);
  reply_free(&r);
}

int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
    n++;
  return n;
}

/* ---- fixture: a fresh database with the seed imported, a server ---- */

int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/naba-http-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(db, sizeof db, "%s/naba.db", dir);
  /* naba serve's port lock files go with the fixture, not into /tmp. */
  setenv("XDG_RUNTIME_DIR", dir, 1);
  buf_t out = {0};
  const char *args[] = {
      "import",   "page",     "--db", db,  "--date", "2021-11-24T08:00Z",
      "--author", "Reporter", SEED,   NULL};
  int rc = naba(&out, args);
  if (rc != 0)
    fprintf(stderr, "import failed: %s\n", out.data);
  assert_int_equal(rc, 0);
  /* "…: imported article 1: …" */
  assert_non_null(strstr(out.data, "imported article 1"));
  buf_free(&out);
  start_server(NULL);
  reply r;
  get("GET", "/1", NULL, NULL, &r);
  assert_int_equal(r.status, 301);
  assert_true(header(&r, "Location", article_path, sizeof article_path));
  reply_free(&r);
  return 0;
}

int teardown(void **state) {
  (void)state;
  int rc = stop_server();
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    return -1;
  return rc == 0 ? 0 : -1;
}

/* Sends raw bytes, returns the status code of the answer or 0 if the
 * connection closed without one. */
int raw(const char *req, size_t n) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  size_t off = 0;
  while (off < n) {
    ssize_t k = send(fd, req + off, n - off, MSG_NOSIGNAL);
    if (k <= 0)
      break;
    off += (size_t)k;
  }
  shutdown(fd, SHUT_WR);
  char resp[64] = "";
  ssize_t k = recv(fd, resp, sizeof resp - 1, 0);
  close(fd);
  int code = 0;
  if (k > 12 && strncmp(resp, "HTTP/1.", 7) == 0)
    code = atoi(resp + 9);
  return code;
}

int raw_str(const char *req) {
  return raw(req, strlen(req));
}

void comment_token(char *out, size_t n) {
  reply r;
  char v[512] = "";
  get("GET", "/comment-token", NULL, NULL, &r);
  if (r.status != 200 || !header(&r, "Set-Cookie", v, sizeof v) ||
      strncmp(v, "naba_ct=", 8) != 0)
    v[0] = '\0';
  snprintf(out, n, "%.*s", v[0] ? (int)strcspn(v + 8, ";") : 0,
           v[0] ? v + 8 : "");
  reply_free(&r);
}

/* Polls until the page contains `needle` (the cache watcher runs every
 * 100 ms) or two seconds pass. */
int eventually_contains(const char *path, const char *needle) {
  for (int i = 0; i < 40; i++) {
    reply r;
    get("GET", path, NULL, NULL, &r);
    int ok = strstr(r.body.data, needle) != NULL;
    reply_free(&r);
    if (ok)
      return 1;
    usleep(50000);
  }
  return 0;
}

long server_log_size(void) {
  char path[300];
  snprintf(path, sizeof path, "%s/server.log", dir);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  return n;
}

/* Polls dir/server.log past offset `from` for needle, for up to 5 s: the
 * server logs once it has handled a signal, at a time of its choosing. */
int eventually_logged(long from, const char *needle) {
  char path[300];
  snprintf(path, sizeof path, "%s/server.log", dir);
  int64_t deadline = nb_now_us() + 5000000;
  do {
    char *data;
    size_t n;
    if (nb_read_file(path, 1 << 24, &data, &n) == NB_OK) {
      int found = (size_t)from <= n && strstr(data + from, needle) != NULL;
      free(data);
      if (found)
        return 1;
    }
    usleep(10000);
  } while (nb_now_us() < deadline);
  return 0;
}

/* Writes text to dir/name and imports it, with one option (e.g. "--date",
 * value) or NULLs. Returns naba's exit status. */
int import_text(const char *name, const char *text, const char *opt,
                const char *val) {
  char page[400];
  snprintf(page, sizeof page, "%s/%s", dir, name);
  FILE *f = fopen(page, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  const char *args[] = {"import", "page", "--db", db, page, opt, val, NULL};
  return naba(NULL, args);
}

void append(const char *path, const char *text) {
  FILE *f = fopen(path, "a");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* ---- raw sockets ---- */

int raw_connect(const char *from) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (from) {
    struct sockaddr_in b = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, from, &b.sin_addr) != 1 ||
        bind(fd, (struct sockaddr *)&b, sizeof b) != 0) {
      close(fd);
      return -1;
    }
  }
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int raw_send(int fd, const char *data, size_t n) {
  size_t off = 0;
  while (off < n) {
    ssize_t k = send(fd, data + off, n - off, MSG_NOSIGNAL);
    if (k <= 0)
      return -1;
    off += (size_t)k;
  }
  return 0;
}

int raw_read_all(int fd, buf_t *out, int timeout_ms) {
  int64_t deadline = nb_now_us() + (int64_t)timeout_ms * 1000;
  for (;;) {
    int64_t left = (deadline - nb_now_us()) / 1000;
    if (left <= 0)
      return 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int k = poll(&p, 1, (int)left);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return 0;
    char chunk[4096];
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0)
      return 1; /* closed (or reset) */
    if (out)
      buf_append(out, chunk, (size_t)n);
  }
}

int raw_closed(int fd, int timeout_ms) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  if (poll(&p, 1, timeout_ms) <= 0)
    return 0;
  char c;
  ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

int raw_statuses(const buf_t *b, int *statuses, int max) {
  int n = 0;
  for (size_t i = 0; b->data && i + 12 <= b->len; i++) {
    if ((i == 0 || b->data[i - 1] == '\n' || b->data[i - 1] == '>') &&
        memcmp(b->data + i, "HTTP/1.1 ", 9) == 0) {
      if (n < max)
        statuses[n] = atoi(b->data + i + 9);
      n++;
    }
  }
  return n;
}

/* A urlencoded body from name/value pairs (NULL-terminated). */
char *form(const char *first, ...) {
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

/* The CSRF token of a page's forms. */
void csrf_of(const reply *r, char *out, size_t n) {
  const char *p = strstr(r->body.data, "name=\"csrf\" value=\"");
  assert_non_null(p);
  p += strlen("name=\"csrf\" value=\"");
  snprintf(out, n, "%.*s", (int)strcspn(p, "\""), p);
}

/* A user of role who has chosen GOOD_PASSWORD, logged in: the session's
 * Cookie header and CSRF token. */
void newsroom_user(const char *name, const char *role, char *cookie, size_t n,
                   char *csrf, size_t cn) {
  static int clients;
  char pw[64], email[128], h[96], v[512], t[128];
  reply r;
  buf_t out = {0};
  snprintf(email, sizeof email, "%s@example.org", name);
  const char *args[] = {"user",   "add", name,   "--email", email,
                        "--role", role,  "--db", db,        NULL};
  assert_int_equal(naba(&out, args), 0);
  const char *p = strstr(out.data, "one-time password: ");
  assert_non_null(p);
  p += strlen("one-time password: ");
  snprintf(pw, sizeof pw, "%.*s", (int)strcspn(p, " \n"), p);
  buf_free(&out);

  char *body = form("name", name, "password", pw, NULL);
  clients++;
  snprintf(h, sizeof h, "X-Forwarded-For: 10.9.%d.%d", clients / 250,
           clients % 250 + 1);
  request("POST", "/admin/login", h, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  assert_true(header(&r, "Set-Cookie", v, sizeof v));
  snprintf(cookie, n, "Cookie: %.*s", (int)strcspn(v, ";"), v);
  reply_free(&r);
  get("GET", "/admin/password", cookie, NULL, &r);
  csrf_of(&r, t, sizeof t);
  reply_free(&r);
  body = form("csrf", t, "current", pw, "new", GOOD_PASSWORD, "again",
              GOOD_PASSWORD, NULL);
  request("POST", "/admin/password", cookie, NULL, body, &r);
  free(body);
  assert_int_equal(r.status, 303);
  reply_free(&r);
  get("GET", "/admin", cookie, NULL, &r);
  assert_int_equal(r.status, 200);
  csrf_of(&r, csrf, cn);
  reply_free(&r);
}

/* ---- the fixture's database ---- */

static sqlite3 *db_open(void) {
  sqlite3 *h;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  sqlite3_busy_timeout(h, 5000);
  return h;
}

int64_t sql_i64(const char *sql) {
  sqlite3 *h = db_open();
  sqlite3_stmt *st;
  int64_t v = -1;
  assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

char *sql_text(const char *sql) {
  sqlite3 *h = db_open();
  sqlite3_stmt *st;
  char *v = NULL;
  assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(h);
  assert_non_null(v);
  return v;
}

void sql_exec(const char *sql) {
  sqlite3 *h = db_open();
  char *err = NULL;
  int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK)
    fprintf(stderr, "%s: %s\n", sql, err ? err : "?");
  sqlite3_free(err);
  sqlite3_close(h);
  assert_int_equal(rc, SQLITE_OK);
}
