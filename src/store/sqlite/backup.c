/* store/sqlite/backup.c: store_backup(), a copy of the database made with
 * SQLite's online backup while the server keeps reading and writing it. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/sqlite/engine.h"
#include "store/sqlite/fts5.h"

/* The copy is a scratch file until renamed: no journal, and synced by us. */
#define COPY_PRAGMAS "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF"

/* Pages per sqlite3_backup_step(): a megabyte at 4 KiB pages, so progress
 * moves and a cancel is noticed quickly. */
#define BACKUP_STEP_PAGES 256
/* A step that finds a lock taken is retried every BACKUP_NAP_MS for up to
 * BACKUP_BUSY_MS before the backup gives up. */
#define BACKUP_NAP_MS 5
#define BACKUP_BUSY_MS 10000
/* Every this many steps (16 MB) the copy's written pages are sent to the
 * disk: left to one fsync at the end, gigabytes queue up in front of the
 * server's commits (400 ms stalls at 2 GB; 40 ms with this). */
#define BACKUP_FLUSH_STEPS 16

/* "what: why", ending in "..." when a long path did not fit. */
static int backup_err(store *s, int rc, const char *what, const char *why) {
  if (snprintf(s->err, sizeof s->err, "%s: %s", what, why) >=
      (int)sizeof s->err)
    memcpy(s->err + sizeof s->err - 4, "...", 4);
  return rc;
}

/* Removes the copy in progress and whatever SQLite left beside it. */
static void backup_remove(const char *tmp) {
  static const char *const side[] = {"", "-journal", "-wal", "-shm"};
  char p[PATH_MAX];
  size_t i;

  for (i = 0; i < sizeof side / sizeof side[0]; i++) {
    snprintf(p, sizeof p, "%s%s", tmp, side[i]);
    unlink(p);
  }
}

/* What the backup must not overwrite: a folder, the database itself, or a
 * database in use (its -wal or hot -journal would be replayed into the
 * copy once renamed next to it). */
static int backup_check_dest(store *s, const char *dest) {
  static const char *const side[] = {"-wal", "-journal"};
  const char *self = sqlite3_db_filename(s->db, "main");
  struct stat d, me;
  char p[PATH_MAX];
  size_t i;

  if (stat(dest, &d) == 0) {
    if (S_ISDIR(d.st_mode))
      return backup_err(s, NB_EINVAL, dest, "is a directory");
    if (self && *self && stat(self, &me) == 0 && d.st_dev == me.st_dev &&
        d.st_ino == me.st_ino)
      return backup_err(s, NB_EINVAL, dest, "is the database being backed up");
  }
  for (i = 0; i < sizeof side / sizeof side[0]; i++) {
    snprintf(p, sizeof p, "%s%s", dest, side[i]);
    if (access(p, F_OK) == 0)
      return backup_err(s, NB_EINVAL, p,
                        "exists: the file is a database in use");
  }
  return NB_OK;
}

/* Starts writing the file's dirty pages to the disk, without waiting
 * where the system allows. */
static void backup_flush(int fd) {
#ifdef SYNC_FILE_RANGE_WRITE
  sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
  fdatasync(fd);
#endif
}

/* Copies every page, each step from the snapshot the caller's read
 * transaction holds; fd is the copy's file. */
static int backup_copy(store *s, sqlite3 *dst, int fd,
                       int (*progress)(void *, int, int), void *ctx) {
  sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->db, "main");
  int src, waited = 0, stop = 0, steps = 0;

  if (!b)
    return backup_err(s, NB_EIO, "cannot start the backup",
                      sqlite3_errmsg(dst));
  do {
    src = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
    if (src == SQLITE_BUSY || src == SQLITE_LOCKED) {
      if (waited >= BACKUP_BUSY_MS)
        break;
      sqlite3_sleep(BACKUP_NAP_MS);
      waited += BACKUP_NAP_MS;
      src = SQLITE_OK;
      continue;
    }
    waited = 0;
    if (++steps % BACKUP_FLUSH_STEPS == 0)
      backup_flush(fd);
    if ((src == SQLITE_OK || src == SQLITE_DONE) && progress)
      stop = progress(ctx, sqlite3_backup_remaining(b),
                      sqlite3_backup_pagecount(b));
  } while (src == SQLITE_OK && !stop);
  sqlite3_backup_finish(b);
  if (stop)
    return store_err(s, NB_EINVAL, "backup cancelled");
  if (src != SQLITE_DONE)
    return backup_err(s, src == SQLITE_NOMEM ? NB_ENOMEM : NB_EIO,
                      "copying the pages failed", sqlite3_errstr(src));
  return NB_OK;
}

/* The first row's text of a pragma run on the copy, compared with want
 * (case-insensitively with nocase): 1 when it says that, 0 when not (*got
 * is then what it said, or NULL), or -1 when it failed to run. */
static int copy_says(store *s, sqlite3 *dst, const char *sql, const char *want,
                     int nocase, char *got, size_t ngot) {
  sqlite3_stmt *st = NULL;
  const char *p = NULL;
  int src = sq_prepare(s, dst, sql, -1, 0, &st, NULL), same = -1;

  if (src == SQLITE_OK && sq_step(s, st) == SQLITE_ROW) {
    p = (const char *)sqlite3_column_text(st, 0);
    same = p && (nocase ? sqlite3_stricmp(p, want) : strcmp(p, want)) == 0;
    snprintf(got, ngot, "%s", p ? p : "no answer");
  }
  sqlite3_finalize(st);
  return same;
}

/* Makes the finished copy a rollback-journal database and checks it. */
static int backup_check(store *s, sqlite3 *dst) {
  char got[sizeof s->err];
  int ok;

  ok = copy_says(s, dst, "PRAGMA journal_mode = DELETE", "delete", 1, got,
                 sizeof got);
  if (ok != 1)
    return backup_err(s, NB_EIO, "cannot set the copy's journal_mode=DELETE",
                      sqlite3_errmsg(dst));
  /* SQLite 3.44 and later also check FTS5 indexes, with the tokenizer. */
  if (store_fts5_register(dst) != NB_OK)
    return store_err(s, NB_EIO, "cannot register the search tokenizer");
  ok = copy_says(s, dst, "PRAGMA integrity_check", "ok", 0, got, sizeof got);
  if (ok != 1)
    return backup_err(s, NB_EIO, "integrity check of the copy failed",
                      ok < 0 ? sqlite3_errmsg(dst) : got);
  return NB_OK;
}

/* fsync()s the folder at path; 0 or -1 with errno. */
static int sync_dir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc, e;

  if (fd < 0)
    return -1;
  rc = nb_fault(NB_FAULT_FSYNC) ? (errno = EIO, -1) : fsync(fd);
  e = errno;
  close(fd);
  errno = e;
  return rc;
}

int store_backup(store *s, const char *dest,
                 int (*progress)(void *ctx, int remaining, int total),
                 void *ctx) {
  char tmp[PATH_MAX], dir[PATH_MAX];
  const char *slash;
  sqlite3 *dst = NULL;
  int rc, fd;

  assert(s && dest);
  if (s->depth > 0)
    return store_err(s, NB_EINVAL, "backup inside a transaction");
  if (!*dest || strlen(dest) + sizeof ".tmp-journal" > sizeof tmp)
    return store_err(s, NB_EINVAL, "backup file name empty or too long");
  rc = backup_check_dest(s, dest);
  if (rc != NB_OK)
    return rc;
  snprintf(tmp, sizeof tmp, "%s.tmp", dest);
  backup_remove(tmp); /* left by a backup that was killed */
  /* Kept open until SQLite has closed the file: closing any descriptor of
   * a file drops the POSIX locks SQLite holds on it. */
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return backup_err(s, NB_EIO, tmp, strerror(errno));

  if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE,
                      NULL) != SQLITE_OK) {
    rc = backup_err(s, NB_EIO, tmp, dst ? sqlite3_errmsg(dst) : "no memory");
    goto fail;
  }
  if (sq_exec(s, dst, COPY_PRAGMAS, sizeof COPY_PRAGMAS - 1, 1) != NB_OK) {
    rc = backup_err(s, NB_EIO, tmp, sqlite3_errmsg(dst));
    goto fail;
  }
  /* One read transaction for the whole copy: every step reads the same
   * snapshot, so other connections' writes neither block nor restart it
   * (outside a transaction, each step starts over after any write: a 2 GB
   * copy with a write every half second never ends). */
  rc = store_exec(s, "BEGIN; SELECT count(*) FROM sqlite_schema");
  if (rc == NB_OK)
    rc = backup_copy(s, dst, fd, progress, ctx);
  if (!sqlite3_get_autocommit(s->db))
    sq_exec(s, s->db, "ROLLBACK", 8, 1);
  if (rc == NB_OK)
    rc = backup_check(s, dst);
  if (rc != NB_OK)
    goto fail;
  if (sqlite3_close(dst) != SQLITE_OK) {
    rc = backup_err(s, NB_EIO, tmp, sqlite3_errmsg(dst));
    goto fail;
  }
  dst = NULL;
  if (nb_fault(NB_FAULT_FSYNC) ? (errno = EIO, 1) : fsync(fd) != 0) {
    rc = backup_err(s, NB_EIO, tmp, strerror(errno));
    goto fail;
  }
  close(fd);
  fd = -1;
  if (rename(tmp, dest) != 0) {
    rc = backup_err(s, NB_EIO, dest, strerror(errno));
    goto fail;
  }
  /* The rename is durable once the folder is synced. */
  slash = strrchr(dest, '/');
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - dest) : 1,
           slash ? (slash == dest ? "/" : dest) : ".");
  if (sync_dir(dir) != 0)
    return backup_err(s, NB_EIO, dir, strerror(errno));
  return NB_OK;
fail:
  sqlite3_close(dst);
  if (fd >= 0)
    close(fd);
  backup_remove(tmp);
  return rc;
}
