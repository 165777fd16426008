/* serve.c: naba serve: the site over HTTP, until a signal stops it. */
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/file.h>
#include <stdlib.h>
#include <stdio.h>

#include "admin/admin.h"
#include "site/site.h"

#include "cli/cli.h"

/* ---- serve ---- */

/* One server per address and port. The daemons listen with SO_REUSEPORT,
 * so a second naba serve on a port in use would start and take half the
 * requests, perhaps from another database. Each server holds a shared
 * flock on a file named by address and port that records its database's
 * real path; a server starting tries for it exclusively first, which
 * fails while another runs: then it starts only with --share-port and the
 * same database. The lock goes with the process (*fd kept open). */
static int port_lock(const char *address, int port, const char *db, int share,
                     int *fd) {
  char real[PATH_MAX], other[PATH_MAX + 1] = "", path[PATH_MAX];
  if (!realpath(db, real))
    return cli_fail("cannot resolve %s: %s", db, strerror(errno));
  const char *dir = getenv("XDG_RUNTIME_DIR");
  if (!dir || !*dir)
    dir = "/tmp";
  snprintf(path, sizeof path, "%s/naba-serve-%s-%d.lock", dir, address, port);
  *fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (*fd < 0)
    return cli_fail("cannot open the port lock %s: %s", path, strerror(errno));
  if (flock(*fd, LOCK_EX | LOCK_NB) == 0) {
    size_t n = strlen(real);
    if (ftruncate(*fd, 0) != 0 || pwrite(*fd, real, n, 0) != (ssize_t)n) {
      cli_fail("cannot write the port lock %s: %s", path, strerror(errno));
      goto refuse;
    }
    flock(*fd, LOCK_SH); /* others with --share-port may join */
    return 0;
  }
  ssize_t n = pread(*fd, other, sizeof other - 1, 0);
  other[n > 0 ? n : 0] = '\0';
  if (!share) {
    cli_fail("%s:%d is already served by another naba serve (database %s); "
             "stop it first, or add --share-port to start beside it with the "
             "same database (a restart without downtime)",
             address, port, other);
    goto refuse;
  }
  if (strcmp(other, real) != 0) {
    cli_fail(
        "--share-port: the naba serve on %s:%d uses another database (%s), "
        "not %s",
        address, port, other, real);
    goto refuse;
  }
  if (flock(*fd, LOCK_SH | LOCK_NB) != 0) {
    cli_fail("cannot share the port lock %s: %s", path, strerror(errno));
    goto refuse;
  }
  return 0;
refuse:
  close(*fd);
  *fd = -1;
  return 2;
}

/* A limit flag for web_config: unset (-1) is web's default (0), 0 is no
 * limit (negative). */
static int serve_limit(int flag) {
  return flag < 0 ? 0 : flag == 0 ? -1 : flag;
}

int cli_serve(const cli_options *o) {
  char err[512];
  site *s = NULL;
  web_server *w = NULL;
  FILE *log = NULL;
  int rc = 1, lock = -1;
  const char *address = o->address ? o->address : "127.0.0.1";
  site_config sc = {
      .db_path = o->db, .theme_dir = o->theme, .admin_dir = NABA_ADMIN_DIR};
  /* New passwords are checked against it: refuse to start without. */
  if (admin_passwords_load(NULL, err, sizeof err) != NB_OK) {
    cli_fail("cannot start: %s (set NABA_PASSWORDS, or run npm ci)", err);
    goto done;
  }
  if (site_open(&sc, &s, err, sizeof err) != NB_OK) {
    cli_fail("cannot start: %s", err);
    goto done;
  }
  if (strcmp(o->access_log, "-") == 0) {
    log = stdout;
  } else if (strcmp(o->access_log, "off") != 0) {
    log = fopen(o->access_log, "a");
    if (!log) {
      cli_fail("cannot open access log %s: %s", o->access_log, strerror(errno));
      goto done;
    }
  }
  /* Block the stop signals before threads start so that only sigwait()
   * below sees them. */
  assert(nb_one_thread());
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  /* A port picked by the kernel is locked once known: no one else can be
   * on it. */
  if (o->port != 0 &&
      port_lock(address, o->port, o->db, o->share_port, &lock) != 0) {
    rc = 2;
    goto done;
  }
  static const char *const slow[] = {"/search", NULL};
  web_config wc = {
      .address = o->address,
      .slow_prefixes = slow,
      .max_per_address = serve_limit(o->max_per_address),
      .header_timeout_ms = o->header_timeout > 0 ? o->header_timeout * 1000 : 0,
      .slow_per_client = serve_limit(o->slow_per_client),
      .slow_queue = o->slow_queue > 0 ? o->slow_queue : 0,
      .bypass_cookie = SITE_PENDING_COOKIE,
      .bypass_arg = "p",
      .large_post_prefix = "/admin/",
      .large_post_bytes = ADMIN_MAX_POST_BYTES,
      .port = o->port,
      .threads = o->threads,
      .access_log = log,
      /* A budget of one byte keeps no page at all. */
      .cache_bytes = o->cache_mb < 0    ? 0
                     : o->cache_mb == 0 ? 1
                                        : (size_t)o->cache_mb << 20};
  if (web_server_start(&wc, site_handle, s, site_assets(s), &w, err,
                       sizeof err) != NB_OK) {
    cli_fail("%s", err);
    goto done;
  }
  if (o->port == 0 &&
      port_lock(address, web_server_port(w), o->db, 0, &lock) != 0) {
    rc = 2;
    goto done;
  }
  if (site_watch(s, w) != NB_OK) {
    cli_fail("cannot start the cache watcher");
    goto done;
  }
  printf("naba: serving http://%s:%d/ from %s\n",
         o->address ? o->address : "127.0.0.1", web_server_port(w), o->db);
  fflush(stdout);
  int sig;
  while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
    if (site_reload(s, w, err, sizeof err) == NB_OK)
      fprintf(stderr, "naba: SIGHUP, theme reloaded from %s\n", o->theme);
    else
      fprintf(stderr, "naba: SIGHUP, theme not reloaded: %s\n", err);
  }
  fprintf(stderr, "naba: %s, finishing requests in flight\n",
          sig == SIGTERM ? "SIGTERM" : "SIGINT");
  rc = 0;
done:
  site_unwatch(s);
  web_server_stop(w, 5000);
  site_close(s);
  if (log && log != stdout)
    fclose(log);
  if (lock >= 0)
    close(lock);
  return rc;
}
