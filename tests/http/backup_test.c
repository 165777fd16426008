/* HTTP and CLI tests of naba backup: a copy of the live database taken
 * while the server keeps serving and readers keep commenting and the
 * newsroom keeps importing, that is whole, self-contained, holds what was
 * there when it began, and serves the site on its own (see harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../shared.h"
#include "harness.h"

#define FIRST_COMMENT "First comment, posted before the backup"

/* What the writer process did, shared with the test. */
typedef struct {
  volatile int stop;
  volatile int homes; /* home pages requested */
  volatile int bad;   /* answers that were not 200 (303 for a post) */
  volatile int comments;
  volatile int imports;
} activity;

static activity *act;

/* One integer from SQL on the file at path, opened read-only. */
static int64_t file_i64(const char *path, const char *sql) {
  sqlite3 *d;
  sqlite3_stmt *st;
  int64_t v = -1;
  assert_int_equal(sqlite3_open_v2(path, &d, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(d);
  return v;
}

/* The first row of a pragma, as text, into out. */
static void file_text(const char *path, const char *sql, char *out, size_t n) {
  sqlite3 *d;
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open_v2(path, &d, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(d);
}

/* Posts a comment on the seed article; the status of the answer. */
static long post_comment(const char *text) {
  reply r;
  char t[256];
  comment_token(t, sizeof t);
  char *e_t = curl_easy_escape(NULL, t, 0),
       *e_c = curl_easy_escape(NULL, text, 0);
  char body[1024];
  snprintf(body, sizeof body,
           "t=%s&author=Reader&email=reader%%40example.test&url=&comment=%s",
           e_t, e_c);
  curl_free(e_t);
  curl_free(e_c);
  request("POST", article_path, NULL, NULL, body, &r);
  long status = r.status;
  reply_free(&r);
  return status;
}

/* The writer: until told to stop, reads the home page, comments, and
 * every fourth round imports an article from another process (the CLI). */
static void writer(void) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  for (int i = 0; !act->stop; i++) {
    reply r;
    get("GET", "/", NULL, NULL, &r);
    if (r.status != 200)
      act->bad++;
    act->homes++;
    reply_free(&r);
    char text[128];
    snprintf(text, sizeof text, "Comment number %d during the backup", i);
    if (post_comment(text) != 303)
      act->bad++;
    act->comments++;
    if (i % 4 == 0) {
      char name[32], page[256];
      snprintf(name, sizeof name, "w%d.txt", i);
      snprintf(page, sizeof page,
               "Sport\n\nImported during the backup %d\n\n"
               "Imported during the backup %d\n\nIts paragraph.\n",
               i, i);
      if (import_text(name, page, NULL, NULL) != 0)
        act->bad++;
      act->imports++;
    }
  }
  _exit(0);
}

static int backup_setup(void **state) {
  int rc = setup(state);
  set_setting("comment_min_seconds", "0");
  set_setting("comment_rate_limit", "0");
  /* Years of data, in short: 16 MB, so the copy takes many steps. */
  sqlite3 *d;
  assert_int_equal(sqlite3_open(db, &d), SQLITE_OK);
  sqlite3_busy_timeout(d, 5000);
  assert_int_equal(
      sqlite3_exec(d,
                   "CREATE TABLE filler (x);"
                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
                   " FROM n WHERE i < 4000)"
                   " INSERT INTO filler SELECT randomblob(4000) FROM n",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(d);
  act = mmap(NULL, sizeof *act, PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  assert_true(act != MAP_FAILED);
  return rc;
}

static int backup_teardown(void **state) {
  munmap(act, sizeof *act);
  return teardown(state);
}

static void
backup_while_the_site_is_busy_is_whole_and_serves_the_site(void **s) {
  (void)s;
  char copy[sizeof db], tmp[sizeof db + 8], mode[32], check[64];
  snprintf(copy, sizeof copy, "%s/backup.db", dir);
  snprintf(tmp, sizeof tmp, "%s.tmp", copy);
  assert_int_equal(post_comment(FIRST_COMMENT), 303);
  int64_t before = file_i64(db, "SELECT count(*) FROM articles");

  pid_t pid = fork();
  if (pid == 0)
    writer();
  while (act->comments < 1)
    usleep(1000);
  /* Three backups in a row, each while the writer writes. */
  int during = 0;
  buf_t out = {0};
  for (int i = 0; i < 3; i++) {
    int writes = act->comments + act->imports;
    buf_reset(&out);
    const char *args[] = {"backup", copy, "--db", db, NULL};
    int rc = naba(&out, args);
    buf_putc(&out, '\0');
    if (rc != 0)
      fprintf(stderr, "naba backup: %s\n", out.data);
    assert_int_equal(rc, 0);
    during += act->comments + act->imports - writes;
  }
  act->stop = 1;
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* The site answered all along, and wrote while the copies were made. */
  assert_int_equal(act->bad, 0);
  assert_true(act->homes > 0);
  assert_true(during > 0);
  /* Not on a terminal: no progress line, just the summary. */
  assert_null(strchr(out.data, '\r'));
  assert_non_null(strstr(out.data, "backup: "));
  assert_non_null(strstr(out.data, " pages ("));
  assert_non_null(strstr(out.data, " MB) written to "));
  assert_non_null(strstr(out.data, copy));
  assert_non_null(strstr(out.data, ", integrity ok"));
  buf_free(&out);

  /* Whole, one self-contained file, nothing left beside it. */
  file_text(copy, "PRAGMA integrity_check", check, sizeof check);
  assert_string_equal(check, "ok");
  file_text(copy, "PRAGMA journal_mode", mode, sizeof mode);
  assert_string_equal(mode, "delete");
  assert_int_not_equal(access(tmp, F_OK), 0);
  assert_true(file_i64(copy, "SELECT count(*) FROM articles") >= before);
  assert_int_equal(file_i64(copy, "SELECT count(*) FROM filler"), 4000);

  /* The CLI reads it: the comment posted before the backup is there. */
  buf_t list = {0};
  const char *ls[] = {"comments", "list", "all", "--db", copy, NULL};
  assert_int_equal(naba(&list, ls), 0);
  buf_putc(&list, '\0');
  assert_non_null(strstr(list.data, FIRST_COMMENT));
  buf_free(&list);

  /* And a server started on the copy serves the site. */
  char live[sizeof db];
  pid_t live_pid = server_pid;
  int live_port = port;
  memcpy(live, db, sizeof db);
  snprintf(db, sizeof db, "%s", copy);
  start_server(NULL);
  expect_status("GET", "/", 200);
  expect_status("GET", article_path, 200);
  assert_int_equal(stop_server(), 0);
  memcpy(db, live, sizeof db);
  server_pid = live_pid;
  port = live_port;
  expect_status("GET", "/", 200);
}

static void backup_refuses_a_folder_and_a_missing_database(void **s) {
  (void)s;
  buf_t out = {0};
  const char *to_dir[] = {"backup", dir, "--db", db, NULL};
  assert_int_equal(naba(&out, to_dir), 1);
  buf_putc(&out, '\0');
  assert_non_null(strstr(out.data, "is a directory"));
  buf_free(&out);

  /* A mistyped --db is not created and backed up empty. */
  char missing[400], copy[400];
  snprintf(missing, sizeof missing, "%s/typo.db", dir);
  snprintf(copy, sizeof copy, "%s/typo-backup.db", dir);
  const char *typo[] = {"backup", copy, "--db", missing, NULL};
  assert_int_equal(naba(NULL, typo), 1);
  assert_int_not_equal(access(missing, F_OK), 0);
  assert_int_not_equal(access(copy, F_OK), 0);

  const char *none[] = {"backup", "--db", db, NULL};
  assert_int_equal(naba(NULL, none), 2);
}

int main(void) {
  /* Every case needs it: skip them all, before allocating anything. */
  if (shared_missing(SEED))
    return SHARED_SKIP_STATUS;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          backup_while_the_site_is_busy_is_whole_and_serves_the_site),
      cmocka_unit_test(backup_refuses_a_folder_and_a_missing_database),
  };
  int rc = cmocka_run_group_tests(tests, backup_setup, backup_teardown);
  curl_global_cleanup();
  return rc;
}
