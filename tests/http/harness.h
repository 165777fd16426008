/* harness.h: what the HTTP tests share: a fresh database with the seed
 * page imported, the real naba server started on a free port, and a
 * libcurl client. */
#ifndef NABA_HTTP_HARNESS_H
#define NABA_HTTP_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/core.h"

#define SEED NABA_SHARED_DIR "/seed/000_0de736a0633809fe.txt"
#define SEED_TITLE                                                             \
  "\xd8\xa7\xd9\x84\xd8\xa3\xd9\x88\xd9\x84\xd9\x89 "                          \
  "\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa7.."
#define SECTION_SLUG_ENC "%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9" /* سياسة */

extern char dir[256], db[300]; /* the fixture's folder and database */
extern pid_t server_pid;
extern int port;
extern char article_path[1024]; /* the seed article, canonical, encoded */

typedef struct {
  long status;
  buf_t body;
  buf_t headers;
} reply;

/* Runs naba with args (NULL-terminated); its exit status, output in out. */
int naba(buf_t *out, const char *const *args);
/* naba settings set key value on the fixture's database; fails the test
 * with naba's output when it refuses. */
void set_setting(const char *key, const char *value);
void start_server(const char *theme); /* NULL: the default theme */
/* The same with more arguments for naba serve (NULL-terminated, or
 * NULL). */
void start_server_with(const char *theme, const char *const *extra);
int stop_server(void); /* SIGTERM; the exit status */

/* One request; hdr1, hdr2 and body may be NULL. A body is sent as a form
 * (application/x-www-form-urlencoded). */
void request(const char *method, const char *path, const char *hdr1,
             const char *hdr2, const char *body, reply *r);
void get(const char *method, const char *path, const char *hdr1,
         const char *hdr2, reply *r);
void reply_free(reply *r);
int header(const reply *r, const char *name, char *out, size_t n);
void expect_status(const char *method, const char *path, long status);
int count(const char *hay, const char *needle);
/* Raw bytes on a new connection; the answer's status or 0. */
int raw(const char *req, size_t n);
int raw_str(const char *req);
/* A reader's own comment form token, as a browser gets it when the reader
 * begins to write (the naba_ct cookie of GET /comment-token), into out;
 * "" when the server gave none. */
void comment_token(char *out, size_t n);
/* Polls until the page contains needle (up to 2 s). */
int eventually_contains(const char *path, const char *needle);
/* The size of the server's stderr so far (dir/server.log), and a poll
 * for needle in what it writes after that offset (up to 5 s). */
long server_log_size(void);
int eventually_logged(long from, const char *needle);
/* Writes text to dir/name and imports it with one option or NULLs. */
int import_text(const char *name, const char *text, const char *opt,
                const char *val);
void append(const char *path, const char *text);

/* ---- raw sockets, for what curl cannot send ----
 * A connection to the server from address from (NULL: any; all of 127/8
 * is loopback on Linux, so "127.0.0.2" is another client), or -1. */
int raw_connect(const char *from);
/* Sends all n bytes: 0, or -1 once the server has closed. */
int raw_send(int fd, const char *data, size_t n);
/* Reads what the server sends into out (may be NULL) until it closes the
 * connection (1) or timeout_ms pass (0). */
int raw_read_all(int fd, buf_t *out, int timeout_ms);
/* 1 if the server has closed the connection, waiting up to timeout_ms for
 * something to happen on it; data waiting to be read is not a close. */
int raw_closed(int fd, int timeout_ms);
/* The status codes of the responses in b, in order (up to max kept);
 * returns how many responses there are. */
int raw_statuses(const buf_t *b, int *statuses, int max);

/* ---- forms and the newsroom ---- */
/* A urlencoded body from name/value pairs (NULL-terminated); free it. */
char *form(const char *first, ...);
/* The CSRF token of a newsroom page's forms, into out. */
void csrf_of(const reply *r, char *out, size_t n);
/* The password newsroom_user's users choose (Arabic: a passphrase). */
#define GOOD_PASSWORD "قهوة الصباح في الرباط"
/* `naba user add NAME --role ROLE`, logged in from a client address of
 * its own (behind trusted_proxies), its one-time password changed to
 * GOOD_PASSWORD: the session's "Cookie: ..." header and CSRF token. */
void newsroom_user(const char *name, const char *role, char *cookie, size_t n,
                   char *csrf, size_t cn);

/* ---- the fixture's database, read and written beside the server ---- */
/* The first column of the first row of sql (-1 for no row). */
int64_t sql_i64(const char *sql);
/* The same as text; the caller frees it. Fails the test for no row. */
char *sql_text(const char *sql);
/* Runs sql (several statements allowed); fails the test on an error. */
void sql_exec(const char *sql);

/* cmocka group fixture: fresh database, seed imported, server started. */
int setup(void **state);
int teardown(void **state);

#endif
