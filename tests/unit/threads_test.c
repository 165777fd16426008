/* Tests for the threading rules the contracts write down and debug builds
 * assert: a store is used only by the thread that opened it, and so is its
 * search tokenizer; interface text is set up before any thread starts;
 * SQLite's fault points go in before SQLite starts (test builds).
 *
 * A rule broken must abort, so each case runs the breaking code in a child
 * process and checks that it died of SIGABRT with the assertion's text on
 * its stderr. The parent itself never opens a store or touches SQLite, so
 * every child starts from the same state whatever ran before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "store/sqlite/fts5.h"
#include "store/store.h"

/* Release builds (NDEBUG) compile the assertions out: nothing to see. */
#ifdef NDEBUG
#define NEEDS_ASSERT() skip()
#else
#define NEEDS_ASSERT() ((void)0)
#endif

/* Runs fn(arg) in a child process; *status is its wait status, err what
 * it wrote to stderr (cut at errlen - 1 bytes). */
static void run_in_child(void (*fn)(void *), void *arg, int *status, char *err,
                         size_t errlen) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    fn(arg);
    _exit(0);
  }
  close(fds[1]);
  size_t n = 0;
  char chunk[512];
  ssize_t k;
  /* Read to the end, keeping the start: a child blocked on a full pipe
   * would never exit. */
  while ((k = read(fds[0], chunk, sizeof chunk)) > 0) {
    size_t keep = (size_t)k < errlen - 1 - n ? (size_t)k : errlen - 1 - n;
    memcpy(err + n, chunk, keep);
    n += keep;
  }
  err[n] = '\0';
  close(fds[0]);
  assert_int_equal(waitpid(pid, status, 0), pid);
}

/* Whether fn(arg) aborts on the assert() whose text contains want. */
static void assert_aborts(void (*fn)(void *), void *arg, const char *want) {
  int status = 0;
  char err[4096];
  run_in_child(fn, arg, &status, err, sizeof err);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT ||
      !strstr(err, "Assertion") || !strstr(err, want))
    fail_msg("wanted an abort on \"%s\"; the child %s %d, stderr:\n%s", want,
             WIFSIGNALED(status) ? "died of signal" : "exited with",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), err);
}

/* Whether fn(arg) runs to its end without a word on stderr. */
static void assert_runs(void (*fn)(void *), void *arg) {
  int status = 0;
  char err[4096];
  run_in_child(fn, arg, &status, err, sizeof err);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || err[0])
    fail_msg("the child %s %d, stderr:\n%s",
             WIFSIGNALED(status) ? "died of signal" : "exited with",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), err);
}

/* Runs fn(arg) on a second thread and waits for it. */
static void on_second_thread(void *(*fn)(void *), void *arg) {
  pthread_t t;
  if (pthread_create(&t, NULL, fn, arg) != 0)
    _exit(3);
  pthread_join(t, NULL);
}

static store *open_memory_store(void) {
  store *s = NULL;
  char err[256];
  if (store_open(":memory:", 0, &s, err, sizeof err) != NB_OK)
    _exit(2); /* not the abort the test waits for */
  return s;
}

static void *read_a_setting(void *arg) {
  arena_t a = {0};
  const char *value = NULL;
  store_setting_get(arg, &a, "site_name", &value);
  arena_free(&a);
  return NULL;
}

static void *close_store(void *arg) {
  store_close(arg);
  return NULL;
}

/* ---- a store, on its own thread only ---- */

static void open_then_read_on_a_second_thread(void *unused) {
  (void)unused;
  on_second_thread(read_a_setting, open_memory_store());
}

static void a_store_used_from_a_second_thread_aborts(void **state) {
  (void)state;
  NEEDS_ASSERT();
  assert_aborts(open_then_read_on_a_second_thread, NULL, "sq_owned(");
}

static void open_then_close_on_a_second_thread(void *unused) {
  (void)unused;
  on_second_thread(close_store, open_memory_store());
}

static void a_store_closed_from_a_second_thread_aborts(void **state) {
  (void)state;
  NEEDS_ASSERT();
  assert_aborts(open_then_close_on_a_second_thread, NULL, "sq_owned(");
}

/* What a server thread does: a store of its own, opened, used and closed
 * there, while the main thread has none. */
static void *own_store(void *unused) {
  (void)unused;
  store *s = open_memory_store();
  read_a_setting(s);
  store_close(s);
  return NULL;
}

static void store_per_thread(void *unused) {
  (void)unused;
  on_second_thread(own_store, NULL);
  on_second_thread(own_store, NULL);
}

static void a_store_opened_on_a_thread_serves_that_thread(void **state) {
  (void)state;
  assert_runs(store_per_thread, NULL);
}

/* ---- the search tokenizer, on its connection's thread only ---- */

/* A connection SQLite itself lets any thread use (the default, serialized
 * mode), so only the tokenizer's own assertion can stop the second one. */
static void *insert_a_row(void *db) {
  sqlite3_exec(db, "INSERT INTO t (body) VALUES ('كتب الطالب الدرس')", NULL,
               NULL, NULL);
  return NULL;
}

static void index_on_two_threads(void *unused) {
  (void)unused;
  sqlite3 *db = NULL;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
      store_fts5_register(db) != NB_OK ||
      sqlite3_exec(db,
                   "CREATE VIRTUAL TABLE t USING fts5(body,"
                   " tokenize = 'naba')",
                   NULL, NULL, NULL) != SQLITE_OK)
    _exit(2);
  insert_a_row(db);
  on_second_thread(insert_a_row, db);
}

static void the_tokenizer_used_from_a_second_thread_aborts(void **state) {
  (void)state;
  NEEDS_ASSERT();
  assert_aborts(index_on_two_threads, NULL, "tok->owner");
}

/* ---- interface text, before any thread ---- */

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  int started, stop;
} waiter;

static void *wait_for_stop(void *arg) {
  waiter *w = arg;
  pthread_mutex_lock(&w->lock);
  w->started = 1;
  pthread_cond_broadcast(&w->changed);
  while (!w->stop)
    pthread_cond_wait(&w->changed, &w->lock);
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

/* Starts a thread that runs until waiter_stop(). */
static void waiter_start(waiter *w, pthread_t *t) {
  *w = (waiter){PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
  assert_int_equal(pthread_create(t, NULL, wait_for_stop, w), 0);
  pthread_mutex_lock(&w->lock);
  while (!w->started)
    pthread_cond_wait(&w->changed, &w->lock);
  pthread_mutex_unlock(&w->lock);
}

static void waiter_stop(waiter *w, pthread_t t) {
  pthread_mutex_lock(&w->lock);
  w->stop = 1;
  pthread_cond_broadcast(&w->changed);
  pthread_mutex_unlock(&w->lock);
  pthread_join(t, NULL);
}

static void a_second_thread_is_seen_while_it_runs_and_not_after(void **state) {
  (void)state;
  waiter w;
  pthread_t t;
  assert_true(nb_one_thread());
  waiter_start(&w, &t);
  assert_false(nb_one_thread());
  waiter_stop(&w, t);
  assert_true(nb_one_thread());
}

static void i18n_init_beside_a_thread(void *unused) {
  (void)unused;
  waiter w;
  pthread_t t;
  waiter_start(&w, &t);
  nb_i18n_init("/nonexistent/naba/locale");
}

static void
interface_text_set_up_while_another_thread_runs_aborts(void **state) {
  (void)state;
  NEEDS_ASSERT();
  assert_aborts(i18n_init_beside_a_thread, NULL, "nb_one_thread()");
}

/* ---- fault points, before SQLite starts ---- */

static void sqlite_then_store(void *unused) {
  (void)unused;
  if (sqlite3_initialize() != SQLITE_OK)
    _exit(2);
  open_memory_store();
}

static void
a_fault_build_aborts_when_sqlite_started_before_the_first_store(void **state) {
  (void)state;
#ifndef NABA_FAULT
  skip(); /* no fault points to install */
#endif
  NEEDS_ASSERT();
  assert_aborts(sqlite_then_store, NULL, "src == SQLITE_OK");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_store_used_from_a_second_thread_aborts),
      cmocka_unit_test(a_store_closed_from_a_second_thread_aborts),
      cmocka_unit_test(a_store_opened_on_a_thread_serves_that_thread),
      cmocka_unit_test(the_tokenizer_used_from_a_second_thread_aborts),
      cmocka_unit_test(a_second_thread_is_seen_while_it_runs_and_not_after),
      cmocka_unit_test(interface_text_set_up_while_another_thread_runs_aborts),
      cmocka_unit_test(
          a_fault_build_aborts_when_sqlite_started_before_the_first_store),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
