/* HTTP tests: start the real `naba serve` on a free port with a fresh
 * database, import the seed page from ../shared, and talk to it with
 * libcurl (and a raw socket for malformed requests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"

#define SEED NABA_SHARED_DIR "/seed/000_0de736a0633809fe.txt"
#define SEED_TITLE                                                             \
  "\xd8\xa7\xd9\x84\xd8\xa3\xd9\x88\xd9\x84\xd9\x89 "                          \
  "\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa7.."
#define SECTION_SLUG_ENC "%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9" /* سياسة */

static char dir[256], db[300];
static pid_t server_pid;
static int port;
static char article_path[1024]; /* canonical, percent-encoded */

/* ---- running naba ---- */

/* Runs naba with args, returns its exit status; output into out. */
static int naba(buf_t *out, const char *const *args) {
  int fds[2];
  if (pipe(fds) != 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    const char *argv[32] = {NABA_BIN};
    int i = 0;
    for (; args[i] && i < 30; i++)
      argv[i + 1] = args[i];
    argv[i + 1] = NULL;
    execv(NABA_BIN, (char *const *)argv);
    _exit(127);
  }
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

/* Starts naba serve on the fixture database, with theme (NULL: the
 * default one). */
static void start_server(const char *theme) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  server_pid = fork();
  if (server_pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a crashed test */
    dup2(fds[1], 1);
    close(fds[0]);
    if (theme)
      execl(NABA_BIN, NABA_BIN, "serve", "--port", "0", "--db", db,
            "--access-log", "-", "--threads", "2", "--theme", theme,
            (char *)NULL);
    else
      execl(NABA_BIN, NABA_BIN, "serve", "--port", "0", "--db", db,
            "--access-log", "-", "--threads", "2", (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  /* The first line says where it listens; the rest (access log) is read
   * away so the pipe never fills. */
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
    char sink[4096];
    while (read(fds[0], sink, sizeof sink) > 0)
      ;
    _exit(0);
  }
  close(fds[0]);
}

static int stop_server(void) {
  int status = -1;
  if (server_pid > 0) {
    kill(server_pid, SIGTERM);
    waitpid(server_pid, &status, 0);
    server_pid = 0;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- HTTP client ---- */

typedef struct {
  long status;
  buf_t body;
  buf_t headers;
} reply;

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
  buf_append(ud, p, size * n);
  return size * n;
}

static void get(const char *method, const char *path, const char *hdr1,
                const char *hdr2, reply *r) {
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

static void reply_free(reply *r) {
  buf_free(&r->body);
  buf_free(&r->headers);
}

/* Value of a response header (case-insensitive name), copied into out. */
static int header(const reply *r, const char *name, char *out, size_t n) {
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

static void expect_status(const char *method, const char *path, long status) {
  reply r;
  get(method, path, NULL, NULL, &r);
  assert_int_equal(r.status, status);
  reply_free(&r);
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
    n++;
  return n;
}

/* ---- fixture: a fresh database with the seed imported, a server ---- */

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/naba-http-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(db, sizeof db, "%s/naba.db", dir);
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

static int teardown(void **state) {
  (void)state;
  int rc = stop_server();
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    return -1;
  return rc == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void seed_article_shows_headline_once_breadcrumb_and_body(void **s) {
  (void)s;
  reply r;
  get("GET", article_path, NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  const char *b = r.body.data;
  assert_non_null(strstr(b, "lang=\"ar\""));
  assert_non_null(strstr(b, "dir=\"rtl\""));
  assert_int_equal(count(b, "<h1"), 1);
  const char *h1 = strstr(b, "<h1");
  assert_non_null(strstr(h1, SEED_TITLE));
  assert_true(strstr(h1, SEED_TITLE) < strstr(h1, "</h1>"));
  const char *title = strstr(b, "<title>");
  assert_non_null(title);
  assert_true(strstr(title, SEED_TITLE) < strstr(title, "</title>"));
  /* Breadcrumb: a link to the section page. */
  assert_non_null(strstr(b, "href=\"/" SECTION_SLUG_ENC "/\""));
  /* Every body paragraph of the seed is in the page, in order; none of
   * the comment form's or follow lines that come after them is. The seed
   * is read from ../shared: non-empty lines are section, headline twice,
   * nine paragraphs, then the trailer. */
  char *seed;
  size_t n;
  assert_int_equal(nb_read_file(SEED, 1 << 20, &seed, &n), NB_OK);
  int line = 0;
  const char *last = strstr(b, "<h1");
  for (char *save = NULL, *l = strtok_r(seed, "\n", &save); l;
       l = strtok_r(NULL, "\n", &save)) {
    if (strspn(l, " \r") == strlen(l))
      continue;
    l[strcspn(l, "\r")] = '\0';
    line++;
    if (line >= 4 && line <= 12) {
      const char *at = strstr(last, l);
      if (!at)
        fail_msg("paragraph %d of the seed is missing", line - 3);
      last = at;
    } else if (line > 12) {
      assert_null(strstr(b, l));
    }
  }
  assert_true(line > 12);
  free(seed);
  /* Date in ar-MA: نونبر 2021 */
  assert_non_null(strstr(b, "\xd9\x86\xd9\x88\xd9\x86\xd8\xa8\xd8\xb1 2021"));
  reply_free(&r);
}

static void article_carries_canonical_share_metadata_and_jsonld(void **s) {
  (void)s;
  reply r;
  get("GET", article_path, NULL, NULL, &r);
  const char *b = r.body.data;
  char want[1200];
  snprintf(want, sizeof want,
           "<link rel=\"canonical\" href=\"http://127.0.0.1:8080%s\"",
           article_path);
  assert_non_null(strstr(b, want));
  assert_non_null(strstr(b, "property=\"og:title\""));
  assert_non_null(strstr(b, "property=\"og:url\""));
  assert_non_null(strstr(b, "name=\"twitter:card\""));
  assert_non_null(strstr(b, "application/ld+json"));
  assert_non_null(strstr(b, "\"@type\":\"NewsArticle\""));
  assert_non_null(strstr(b, "\"@type\":\"BreadcrumbList\""));
  assert_non_null(strstr(b, "\"datePublished\":\"2021-11-24T08:00:00+00:00\""));
  /* WhatsApp share: percent-encoded title and URL. */
  assert_non_null(strstr(b, "https://wa.me/?text=%D8%A7%D9%84%D8%A3"));
  assert_non_null(strstr(b, "%20http%3A%2F%2F127.0.0.1%3A8080%2F"));
  reply_free(&r);
}

static void wrong_slug_or_section_redirects_to_canonical(void **s) {
  (void)s;
  const char *paths[] = {"/1",
                         "/1-old-slug",
                         "/" SECTION_SLUG_ENC "/1",
                         "/" SECTION_SLUG_ENC "/1-wrong",
                         "/other-section/1-x",
                         NULL};
  for (int i = 0; paths[i]; i++) {
    reply r;
    char loc[1024] = "";
    get("GET", paths[i], NULL, NULL, &r);
    assert_int_equal(r.status, 301);
    assert_true(header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, article_path);
    reply_free(&r);
  }
  expect_status("GET", "/999-nothing", 404);
}

static void canonical_slug_is_cut_at_a_word_boundary(void **s) {
  (void)s;
  /* /سياسة/1-<slug>: the slug part is at most 200 encoded bytes and ends
   * with a whole word of the headline. */
  const char *slug = strchr(article_path + 1, '/') + 1;
  slug = strchr(slug, '-') + 1;
  assert_true(strlen(slug) <= 200);
  assert_true(strlen(slug) > 30);
  /* A cut word would leave a partial UTF-8 sequence or a trailing "-". */
  assert_true(slug[strlen(slug) - 1] != '-');
}

static void etag_revalidation_answers_304(void **s) {
  (void)s;
  reply r, r2;
  char etag[128], lm[64], hdr[200];
  get("GET", article_path, NULL, NULL, &r);
  assert_true(header(&r, "ETag", etag, sizeof etag));
  assert_true(header(&r, "Last-Modified", lm, sizeof lm));
  char cc[128];
  assert_true(header(&r, "Cache-Control", cc, sizeof cc));
  snprintf(hdr, sizeof hdr, "If-None-Match: %s", etag);
  get("GET", article_path, hdr, NULL, &r2);
  assert_int_equal(r2.status, 304);
  assert_int_equal(r2.body.len, 0);
  reply_free(&r2);
  snprintf(hdr, sizeof hdr, "If-None-Match: \"not-it\"");
  get("GET", article_path, hdr, NULL, &r2);
  assert_int_equal(r2.status, 200);
  reply_free(&r2);
  reply_free(&r);
}

static void gzip_and_brotli_are_sent_when_asked(void **s) {
  (void)s;
  reply plain, gz, br;
  char enc[64], vary[64];
  get("GET", article_path, NULL, NULL, &plain);
  assert_false(header(&plain, "Content-Encoding", enc, sizeof enc));
  get("GET", article_path, "Accept-Encoding: gzip", NULL, &gz);
  assert_true(header(&gz, "Content-Encoding", enc, sizeof enc));
  assert_string_equal(enc, "gzip");
  assert_true(header(&gz, "Vary", vary, sizeof vary));
  assert_true(gz.body.len < plain.body.len / 2);
  get("GET", article_path, "Accept-Encoding: gzip, br", NULL, &br);
  assert_true(header(&br, "Content-Encoding", enc, sizeof enc));
  assert_string_equal(enc, "br");
  assert_true(br.body.len < gz.body.len);
  reply_free(&plain);
  reply_free(&gz);
  reply_free(&br);
}

static void head_has_headers_and_no_body(void **s) {
  (void)s;
  reply g, h;
  char lg[32], lh[32];
  get("GET", "/", NULL, NULL, &g);
  get("HEAD", "/", NULL, NULL, &h);
  assert_int_equal(h.status, 200);
  assert_int_equal(h.body.len, 0);
  assert_true(header(&h, "Content-Length", lh, sizeof lh));
  snprintf(lg, sizeof lg, "%zu", g.body.len);
  assert_string_equal(lh, lg);
  reply_free(&g);
  reply_free(&h);
}

static void unknown_paths_get_the_designed_404(void **s) {
  (void)s;
  const char *paths[] = {"/no-such-section/", "/a/b/c/d/e", "/x//y",
                         "/" SECTION_SLUG_ENC "/page/99", NULL};
  for (int i = 0; paths[i]; i++) {
    reply r;
    get("GET", paths[i], NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body.data, "dir=\"rtl\""));
    reply_free(&r);
  }
}

static void static_paths_cannot_leave_the_asset_folder(void **s) {
  (void)s;
  const char *paths[] = {"/static/../../../../etc/passwd",
                         "/static/%2e%2e/%2e%2e/etc/passwd",
                         "/static/..%2f..%2fmeson.build",
                         "/static/style.css",
                         "/static/",
                         NULL};
  for (int i = 0; paths[i]; i++) {
    reply r;
    get("GET", paths[i], NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_null(strstr(r.body.data, "root:"));
    reply_free(&r);
  }
  /* The stylesheet the page links is served, immutable. */
  reply page, css;
  get("GET", "/", NULL, NULL, &page);
  const char *p = strstr(page.body.data, "/static/style.");
  assert_non_null(p);
  char url[256];
  snprintf(url, sizeof url, "%.*s", (int)strcspn(p, "\""), p);
  get("GET", url, NULL, NULL, &css);
  assert_int_equal(css.status, 200);
  char cc[128];
  assert_true(header(&css, "Cache-Control", cc, sizeof cc));
  assert_non_null(strstr(cc, "immutable"));
  reply_free(&page);
  reply_free(&css);
}

/* Sends raw bytes, returns the status code of the answer or 0 if the
 * connection closed without one. */
static int raw(const char *req, size_t n) {
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

static int raw_str(const char *req) {
  return raw(req, strlen(req));
}

static void malformed_and_oversized_requests_get_4xx_and_never_crash(void **s) {
  (void)s;
  int code = raw_str("GARBAGE\r\n\r\n");
  assert_true(code == 0 || (code >= 400 && code < 500));
  code = raw_str("GET / HTTP/9.9\r\n\r\n");
  assert_true(code == 0 || (code >= 400 && code < 600));
  /* A header block over the limit. */
  buf_t big = {0};
  buf_puts(&big, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
  for (int i = 0; i < 40000; i++)
    buf_putc(&big, 'a');
  buf_puts(&big, "\r\n\r\n");
  code = raw(big.data, big.len);
  assert_true(code == 431 || code == 413 || code == 400);
  buf_free(&big);
  /* A path over the limit. */
  buf_t path = {0};
  buf_puts(&path, "/");
  for (int i = 0; i < 3000; i++)
    buf_putc(&path, 'a');
  reply r;
  get("GET", path.data, NULL, NULL, &r);
  assert_true(r.status == 414 || r.status == 431);
  reply_free(&r);
  buf_free(&path);
  /* A body announced over the limit. */
  code =
      raw_str("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n");
  assert_true(code == 413 || code == 0);
  /* Invalid UTF-8 in the path. */
  expect_status("GET", "/%ff%fe", 400);
  /* Other methods. */
  expect_status("DELETE", "/", 405);
  /* Still serving. */
  expect_status("GET", "/", 200);
}

static void importing_the_same_page_again_keeps_one_article(void **s) {
  (void)s;
  buf_t out = {0};
  const char *args[] = {"import", "page", "--db", db, SEED, NULL};
  assert_int_equal(naba(&out, args), 0);
  assert_non_null(strstr(out.data, "updated article 1"));
  buf_free(&out);
  expect_status("GET", "/2", 404);
}

static void refused_file_says_why_and_writes_nothing(void **s) {
  (void)s;
  char bad[400];
  snprintf(bad, sizeof bad, "%s/bad.txt", dir);
  FILE *f = fopen(bad, "wb");
  fwrite("\x00\x01\x02binary", 1, 9, f);
  fclose(f);
  buf_t out = {0};
  const char *args[] = {"import", "page", "--db", db, bad, NULL};
  assert_int_not_equal(naba(&out, args), 0);
  assert_non_null(strstr(out.data, "refused"));
  buf_free(&out);
}

/* Polls until the page contains `needle` (the cache watcher runs every
 * 100 ms) or two seconds pass. */
static int eventually_contains(const char *path, const char *needle) {
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

static void settings_change_shows_on_cached_pages_at_once(void **s) {
  (void)s;
  reply r;
  get("GET", article_path, NULL, NULL, &r); /* now cached */
  reply_free(&r);
  const char *set[] = {"settings", "set", "site_name", "Test Site 42",
                       "--db",     db,    NULL};
  assert_int_equal(naba(NULL, set), 0);
  assert_true(eventually_contains(article_path, "Test Site 42"));
  assert_true(eventually_contains("/", "Test Site 42"));
  const char *bad[] = {"settings", "set", "timezone", "Mars/Olympus",
                       "--db",     db,    NULL};
  buf_t out = {0};
  assert_int_not_equal(naba(&out, bad), 0);
  assert_non_null(strstr(out.data, "timezone"));
  buf_free(&out);
  /* ar-EG: Egyptian month name and Arabic-Indic digits. */
  const char *eg[] = {"settings", "set", "locale", "ar-EG", "--db", db, NULL};
  assert_int_equal(naba(NULL, eg), 0);
  assert_true(eventually_contains(article_path,
                                  "\xd9\x86\xd9\x88\xd9\x81\xd9\x85\xd8\xa8"
                                  "\xd8\xb1")); /* نوفمبر */
  const char *back[] = {"settings", "unset", "locale", "--db", db, NULL};
  assert_int_equal(naba(NULL, back), 0);
}

/* Writes text to dir/name and imports it, with one option (e.g. "--date",
 * value) or NULLs. Returns naba's exit status. */
static int import_text(const char *name, const char *text, const char *opt,
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

static void import_shows_on_the_cached_home_page(void **s) {
  (void)s;
  reply r;
  get("GET", "/", NULL, NULL, &r);
  reply_free(&r);
  assert_int_equal(
      import_text("new.txt",
                  "\xd8\xab\xd9\x82\xd8\xa7\xd9\x81\xd8\xa9\n\n" /* ثقافة */
                  "Headline of a brand new test article\n\n"
                  "Headline of a brand new test article\n\n"
                  "First paragraph of the new article, long enough.\n\n"
                  "Second paragraph of the new article.\n",
                  NULL, NULL),
      0);
  assert_true(eventually_contains("/", "Headline of a brand new test article"));
}

static void section_pages_paginate(void **s) {
  (void)s;
  /* Six articles in one section with per_page 5: two pages. */
  const char *pp[] = {"settings", "set", "per_page", "5", "--db", db, NULL};
  assert_int_equal(naba(NULL, pp), 0);
  for (int i = 0; i < 6; i++) {
    char name[32], text[200];
    snprintf(name, sizeof name, "p%d.txt", i);
    snprintf(text, sizeof text,
             "Sport\n\nMatch report number %d\n\nMatch report number %d\n\n"
             "Paragraph of report %d.\n",
             i, i, i);
    assert_int_equal(import_text(name, text, NULL, NULL), 0);
  }
  assert_true(eventually_contains("/sport/", "/sport/page/2"));
  expect_status("GET", "/sport/page/2", 200);
  expect_status("GET", "/sport/page/1", 301);
  expect_status("GET", "/sport", 301);
  expect_status("GET", "/sport/page/3", 404);
}

static void scheduled_article_appears_on_cached_pages_when_due(void **s) {
  (void)s;
  reply r;
  get("GET", "/", NULL, NULL, &r); /* cached before the article is due */
  reply_free(&r);
  char date[40];
  nb_time_iso(nb_now() + 2, date);
  assert_int_equal(import_text("later.txt",
                               "Culture\n\nA scheduled headline for later\n\n"
                               "A scheduled headline for later\n\n"
                               "Its only paragraph.\n",
                               "--date", date),
                   0);
  get("GET", "/", NULL, NULL, &r);
  assert_null(strstr(r.body.data, "A scheduled headline for later"));
  reply_free(&r);
  for (int i = 0; i < 30; i++) {
    usleep(200000);
    get("GET", "/", NULL, NULL, &r);
    int shown = strstr(r.body.data, "A scheduled headline for later") != NULL;
    reply_free(&r);
    if (shown)
      return;
  }
  fail_msg("the scheduled article never appeared on the home page");
}

static void append(const char *path, const char *text) {
  FILE *f = fopen(path, "a");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void sighup_reloads_the_theme_and_keeps_it_when_broken(void **s) {
  (void)s;
  char theme[400], cmd[1000], home[500];
  snprintf(theme, sizeof theme, "%s/theme", dir);
  snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", NABA_THEME_DIR, theme);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(stop_server(), 0);
  start_server(theme);
  assert_true(eventually_contains("/", "</html>"));
  snprintf(home, sizeof home, "%s/home.mustache", theme);
  append(home, "<!-- reloaded-marker -->\n");
  kill(server_pid, SIGHUP);
  assert_true(eventually_contains("/", "reloaded-marker"));
  /* A broken template: the running theme keeps serving. */
  append(home, "{{#unclosed}}\n");
  kill(server_pid, SIGHUP);
  usleep(300000);
  reply r;
  get("GET", "/", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body.data, "reloaded-marker"));
  reply_free(&r);
  assert_int_equal(stop_server(), 0);
  start_server(NULL);
}

static void sigterm_stops_the_server_cleanly(void **s) {
  (void)s;
  assert_int_equal(stop_server(), 0);
  start_server(NULL); /* for teardown */
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(seed_article_shows_headline_once_breadcrumb_and_body),
      cmocka_unit_test(article_carries_canonical_share_metadata_and_jsonld),
      cmocka_unit_test(wrong_slug_or_section_redirects_to_canonical),
      cmocka_unit_test(canonical_slug_is_cut_at_a_word_boundary),
      cmocka_unit_test(etag_revalidation_answers_304),
      cmocka_unit_test(gzip_and_brotli_are_sent_when_asked),
      cmocka_unit_test(head_has_headers_and_no_body),
      cmocka_unit_test(unknown_paths_get_the_designed_404),
      cmocka_unit_test(static_paths_cannot_leave_the_asset_folder),
      cmocka_unit_test(
          malformed_and_oversized_requests_get_4xx_and_never_crash),
      cmocka_unit_test(importing_the_same_page_again_keeps_one_article),
      cmocka_unit_test(refused_file_says_why_and_writes_nothing),
      cmocka_unit_test(settings_change_shows_on_cached_pages_at_once),
      cmocka_unit_test(import_shows_on_the_cached_home_page),
      cmocka_unit_test(section_pages_paginate),
      cmocka_unit_test(scheduled_article_appears_on_cached_pages_when_due),
      cmocka_unit_test(sighup_reloads_the_theme_and_keeps_it_when_broken),
      cmocka_unit_test(sigterm_stops_the_server_cleanly),
  };
  int rc = cmocka_run_group_tests(tests, setup, teardown);
  curl_global_cleanup();
  return rc;
}
