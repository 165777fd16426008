/* main.c: the naba command line: serve, init, import, settings, users,
 * backup. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/admin.h"
#include "core/core.h"
#include "import/import.h"
#include "site/site.h"
#include "store/store.h"
#include "web/web.h"

/* Demo articles (src/site/demo/NN-name.txt), embedded by tools/embed.py. */
extern const struct nb_embed naba_demo[];
extern const size_t naba_demo_count;

#define DEFAULT_DB "naba.db"
#define DEFAULT_PORT 8080

static const char usage[] =
    "naba " NABA_VERSION " — an Arabic-first news publishing platform\n"
    "\n"
    "usage: naba COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  serve                  serve the site over HTTP\n"
    "      --port N           port (env NABA_PORT; default 8080; 0 picks a "
    "free one)\n"
    "      --address A        IPv4 address to listen on (default 127.0.0.1)\n"
    "      --threads N        server threads (default: one per core)\n"
    "      --theme DIR        theme folder (env NABA_THEME)\n"
    "      --access-log F     access log file, - for stdout, off for none "
    "(default -)\n"
    "      --cache-mb N       page cache budget in MiB (default 64; 0 turns "
    "the cache off)\n"
    "      --share-port       start beside a naba serve already on this "
    "address and port\n"
    "                         (same database only: a restart without "
    "downtime);\n"
    "                         without it a second server refuses to start\n"
    "      --max-per-address N  connections one client address may hold "
    "(default 64;\n"
    "                         0: no limit, e.g. behind a proxy)\n"
    "      --header-timeout S seconds to send a request's headers, and idle "
    "between\n"
    "                         requests (default 10)\n"
    "      --slow-per-client N  searches one address may have waiting or "
    "running\n"
    "                         (default 4; over it: 429; 0: no limit)\n"
    "      --slow-queue N     searches waiting for a thread (default 64; over "
    "it: 503)\n"
    "                         SIGTERM/SIGINT stop after requests in flight; "
    "SIGHUP reloads the theme\n"
    "  init [--demo]          create the database; --demo adds demo articles "
    "if it has none;\n"
    "                         with no account yet, adds the administrator "
    "admin and prints\n"
    "                         its one-time password once\n"
    "  import page [--section S] [--author A] [--date D] [--tags T,U]\n"
    "              [--image URL] FILE...\n"
    "                         import saved article pages (text); D is "
    "YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM]\n"
    "  export wxr FILE.xml    write the site as a WordPress export (- for "
    "stdout)\n"
    "  import wxr [--dry-run] FILE.xml\n"
    "                         import a WordPress export: posts, categories, "
    "tags,\n"
    "                         authors, comments, attachments (by URL), old "
    "links\n"
    "  media list             media the site loads from elsewhere (imported "
    "attachments,\n"
    "                         images in articles and pages), one URL a line, "
    "to mirror\n"
    "  reindex                rebuild the search index from the articles\n"
    "  backup FILE            copy the database to FILE while the site keeps "
    "running\n"
    "                         (a checked, self-contained copy; FILE is "
    "replaced only if all went well)\n"
    "  comments list [pending|approved|spam|all]\n"
    "                         moderation queue (default: pending), newest "
    "first\n"
    "  comments approve|spam|pending|delete ID...\n"
    "                         moderate comments (shown on the site at once)\n"
    "  comments open|close|follow ARTICLE...\n"
    "                         open or close an article's comments, or follow "
    "comments_close_days\n"
    "  user add NAME --email E --role ROLE [--lang ar|en]\n"
    "                         add a newsroom account; prints its one-time "
    "password once\n"
    "                         ROLE: administrator, editor, author or "
    "contributor\n"
    "  user list              every account: id, name, e-mail, role, state, "
    "language\n"
    "  user role NAME ROLE    change an account's role\n"
    "  user disable|enable NAME\n"
    "                         stop an account (its sessions end) or let it "
    "in again\n"
    "  user passwd NAME       a new one-time password, printed once; ends "
    "the account's sessions\n"
    "  settings list          show every setting, its value and what it does\n"
    "  settings get KEY       print one setting's value\n"
    "  settings set KEY VALUE change a setting (shown on the site at once)\n"
    "  settings unset KEY     go back to the default\n"
    "\n"
    "common options:\n"
    "  --db PATH              database file (env NABA_DB; default naba.db)\n"
    "                         env NABA_LOCALEDIR: folder of the interface "
    "text catalogs\n"
    "  -h, --help             this help\n"
    "  --version              print the version\n";

typedef struct {
  const char *db;
  const char *theme;
  const char *address;
  const char *access_log;
  const char *section, *author, *date, *tags, *image;
  const char *email, *role, *lang; /* naba user add */
  int port;
  int threads;
  int cache_mb;
  int max_per_address, header_timeout, slow_per_client, slow_queue;
  int share_port;
  int demo;
  int dry_run;
  char **args; /* positional arguments after the command */
  int nargs;
} options;

/* Prints "naba: " and the message to stderr; returns the exit status 2. */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("naba: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 2;
}

/* Where the interface text catalogs are: $NABA_LOCALEDIR; else the build's
 * po/ when this is the binary in the build folder (tests, make run); else
 * the installed localedir. */
static const char *catalog_dir(void) {
  const char *env = getenv("NABA_LOCALEDIR");
  if (env && *env)
    return env;
  char exe[PATH_MAX], root[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0 && realpath(NABA_BUILD_ROOT, root)) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash && (size_t)(slash - exe) == strlen(root) &&
        memcmp(exe, root, strlen(root)) == 0)
      return NABA_BUILD_LOCALEDIR;
  }
  return NABA_LOCALEDIR;
}

/* A number for flag in [min, max]; range says that range to a reader
 * ("1 to 64"). */
static int parse_int(const char *flag, const char *v, int min, int max,
                     const char *range, int *out) {
  int64_t n;
  int rc = v ? nb_parse_i64(v, strlen(v), min, max, &n) : NB_EINVAL;
  if (rc == NB_ERANGE)
    return fail("%s %s is out of range: %s", flag, v, range);
  if (rc != NB_OK)
    return fail("%s needs a number, got \"%s\"", flag, v ? v : "");
  *out = (int)n;
  return 0;
}

#define PORT_RANGE "1 to 65535, or 0 for any free port"

/* Parses flags anywhere after the command; the rest are positional. */
static int parse_options(int argc, char **argv, int from, options *o) {
  const char *env;
  o->db = (env = getenv("NABA_DB")) && *env ? env : DEFAULT_DB;
  o->theme = (env = getenv("NABA_THEME")) && *env ? env : NABA_THEME_DIR;
  o->port = DEFAULT_PORT;
  o->access_log = "-";
  o->cache_mb = -1;
  o->max_per_address = o->header_timeout = o->slow_per_client = o->slow_queue =
      -1;
  if ((env = getenv("NABA_PORT")) && *env &&
      parse_int("NABA_PORT", env, 0, 65535, PORT_RANGE, &o->port))
    return 2;
  o->args = calloc((size_t)argc + 1, sizeof *o->args);
  if (!o->args)
    return fail("out of memory");
  const struct {
    const char *flag;
    const char **to;
  } strs[] = {{"--db", &o->db},           {"--theme", &o->theme},
              {"--address", &o->address}, {"--access-log", &o->access_log},
              {"--section", &o->section}, {"--author", &o->author},
              {"--date", &o->date},       {"--tags", &o->tags},
              {"--image", &o->image},     {"--email", &o->email},
              {"--role", &o->role},       {"--lang", &o->lang}};
  const struct {
    const char *flag;
    int *to, min, max;
    const char *range;
  } ints[] = {
      {"--port", &o->port, 0, 65535, PORT_RANGE},
      {"--threads", &o->threads, 1, 64, "1 to 64"},
      {"--cache-mb", &o->cache_mb, 0, 65536, "0 to 65536"},
      {"--max-per-address", &o->max_per_address, 0, 1000000, "0 to 1000000"},
      {"--header-timeout", &o->header_timeout, 1, 3600, "1 to 3600"},
      {"--slow-per-client", &o->slow_per_client, 0, 1000000, "0 to 1000000"},
      {"--slow-queue", &o->slow_queue, 1, 1000000, "1 to 1000000"}};
  for (int i = from; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int known = 0;
    if (strcmp(a, "--demo") == 0) {
      o->demo = known = 1;
      continue;
    }
    if (strcmp(a, "--share-port") == 0) {
      o->share_port = known = 1;
      continue;
    }
    if (strcmp(a, "--dry-run") == 0) {
      o->dry_run = known = 1;
      continue;
    }
    for (size_t k = 0; !known && k < sizeof strs / sizeof strs[0]; k++)
      if (strcmp(a, strs[k].flag) == 0) {
        if (!v)
          return fail("%s needs a value", a);
        *strs[k].to = argv[++i];
        known = 1;
      }
    for (size_t k = 0; !known && k < sizeof ints / sizeof ints[0]; k++)
      if (strcmp(a, ints[k].flag) == 0) {
        if (parse_int(a, v, ints[k].min, ints[k].max, ints[k].range,
                      ints[k].to))
          return 2;
        i++;
        known = 1;
      }
    if (known)
      continue;
    if (a[0] == '-' && a[1] == '-' && a[2] != '\0')
      return fail("unknown option %s (see naba --help)", a);
    o->args[o->nargs++] = argv[i];
  }
  return 0;
}

static int open_store(const options *o, store **st) {
  char err[512];
  if (store_open(o->db, 0, st, err, sizeof err) != NB_OK)
    return fail("cannot open %s: %s", o->db, err);
  return 0;
}

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
    return fail("cannot resolve %s: %s", db, strerror(errno));
  const char *dir = getenv("XDG_RUNTIME_DIR");
  if (!dir || !*dir)
    dir = "/tmp";
  snprintf(path, sizeof path, "%s/naba-serve-%s-%d.lock", dir, address, port);
  *fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (*fd < 0)
    return fail("cannot open the port lock %s: %s", path, strerror(errno));
  if (flock(*fd, LOCK_EX | LOCK_NB) == 0) {
    size_t n = strlen(real);
    if (ftruncate(*fd, 0) != 0 || pwrite(*fd, real, n, 0) != (ssize_t)n) {
      fail("cannot write the port lock %s: %s", path, strerror(errno));
      goto refuse;
    }
    flock(*fd, LOCK_SH); /* others with --share-port may join */
    return 0;
  }
  ssize_t n = pread(*fd, other, sizeof other - 1, 0);
  other[n > 0 ? n : 0] = '\0';
  if (!share) {
    fail("%s:%d is already served by another naba serve (database %s); "
         "stop it first, or add --share-port to start beside it with the "
         "same database (a restart without downtime)",
         address, port, other);
    goto refuse;
  }
  if (strcmp(other, real) != 0) {
    fail("--share-port: the naba serve on %s:%d uses another database (%s), "
         "not %s",
         address, port, other, real);
    goto refuse;
  }
  if (flock(*fd, LOCK_SH | LOCK_NB) != 0) {
    fail("cannot share the port lock %s: %s", path, strerror(errno));
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

static int cmd_serve(const options *o) {
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
    fail("cannot start: %s (set NABA_PASSWORDS, or run npm ci)", err);
    goto done;
  }
  if (site_open(&sc, &s, err, sizeof err) != NB_OK) {
    fail("cannot start: %s", err);
    goto done;
  }
  if (strcmp(o->access_log, "-") == 0) {
    log = stdout;
  } else if (strcmp(o->access_log, "off") != 0) {
    log = fopen(o->access_log, "a");
    if (!log) {
      fail("cannot open access log %s: %s", o->access_log, strerror(errno));
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
    fail("%s", err);
    goto done;
  }
  if (o->port == 0 &&
      port_lock(address, web_server_port(w), o->db, 0, &lock) != 0) {
    rc = 2;
    goto done;
  }
  if (site_watch(s, w) != NB_OK) {
    fail("cannot start the cache watcher");
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

/* ---- import ---- */

static int import_one(store *st, const char *path, const imp_page_opts *po) {
  char *data = NULL;
  size_t len;
  char err[256];
  int rc = nb_read_file(path, IMP_PAGE_MAX_SIZE, &data, &len);
  if (rc != NB_OK) {
    fprintf(stderr, "naba: %s: refused: %s\n", path,
            rc == NB_ETOOBIG ? "file over 4 MiB" : strerror(errno));
    return 1;
  }
  arena_t a = {0};
  imp_page p;
  int64_t id = 0;
  int created = 0;
  rc = imp_page_parse(data, len, &a, &p, err, sizeof err);
  if (rc == NB_OK)
    rc = imp_page_save(st, &p, po, &id, &created, err, sizeof err);
  if (rc == NB_OK)
    printf("%s: %s article %lld: %s\n", path, created ? "imported" : "updated",
           (long long)id, p.title);
  else
    fprintf(stderr, "naba: %s: refused: %s\n", path, err);
  arena_free(&a);
  free(data);
  return rc == NB_OK ? 0 : 1;
}

static void wxr_progress(void *ctx, const imp_wxr_report *r) {
  (void)ctx;
  if (isatty(2))
    fprintf(stderr, "\rimport wxr: %lld posts, %lld comments",
            (long long)r->posts, (long long)r->comments);
}

static void wxr_report(const imp_wxr_report *r, int dry_run) {
  if (isatty(2))
    fputc('\n', stderr);
  printf("%s%lld posts (%lld new, %lld updated), %lld comments, %lld "
         "authors, %lld sections, %lld tags, %lld attachments kept by URL, "
         "%lld old links redirected\n",
         dry_run ? "dry run, nothing written: " : "imported ",
         (long long)r->posts, (long long)r->created, (long long)r->updated,
         (long long)r->comments, (long long)r->authors, (long long)r->sections,
         (long long)r->tags, (long long)r->attachments,
         (long long)r->redirects);
  printf("and %lld static pages; skipped: %lld comments (pingbacks, "
         "trackbacks, trash, and those on pages), %lld posts or pages whose "
         "HTML could not be read, %lld other items (menus, revisions, "
         "trash)\n",
         (long long)r->pages, (long long)r->comments_skipped,
         (long long)r->skipped_html, (long long)r->skipped);
  if (r->password_protected)
    printf("%lld password-protected posts or pages kept as drafts, not "
           "shown (naba has no passwords for readers)\n",
           (long long)r->password_protected);
  if (r->http_images) {
    printf("%lld images load over http:, which the site's "
           "Content-Security-Policy blocks until they are fetched (naba "
           "media list); the first %zu:\n",
           (long long)r->http_images, r->nhttp_listed);
    for (size_t i = 0; i < r->nhttp_listed; i++) {
      buf_t line = {0};
      buf_log_escape(&line, r->http_listed[i], strlen(r->http_listed[i]));
      printf("  %s\n", line.data ? line.data : "");
      buf_free(&line);
    }
  }
}

static int cmd_import_wxr(const options *o) {
  if (o->nargs != 2)
    return fail("usage: naba import wxr [--dry-run] FILE.xml");
  store *st;
  if (open_store(o, &st))
    return 1;
  imp_wxr_opts wo = {.dry_run = o->dry_run, .progress = wxr_progress};
  imp_wxr_report r;
  char err[512];
  int rc = imp_wxr_import(st, o->args[1], &wo, &r, err, sizeof err);
  store_close(st);
  if (rc != NB_OK) {
    if (isatty(2))
      fputc('\n', stderr);
    fprintf(stderr, "naba: import wxr %s: %s\n", o->args[1], err);
    /* r counts the committed batches only: what the database holds */
    if (o->dry_run)
      fprintf(stderr, "naba: dry run, nothing was written\n");
    else
      fprintf(stderr,
              "naba: the failing batch was undone; the database holds what "
              "%lld earlier batches wrote: %lld posts (%lld new), %lld "
              "comments, %lld static pages; run the import again to go on\n",
              (long long)r.batches, (long long)r.posts, (long long)r.created,
              (long long)r.comments, (long long)r.pages);
    return 1;
  }
  wxr_report(&r, o->dry_run);
  return 0;
}

static int cmd_import(const options *o) {
  if (o->nargs >= 1 && strcmp(o->args[0], "wxr") == 0)
    return cmd_import_wxr(o);
  if (o->nargs < 1 || strcmp(o->args[0], "page") != 0)
    return fail("usage: naba import page [--section S] [--author A] [--date D] "
                "FILE...");
  if (o->nargs < 2)
    return fail("import page: give at least one FILE");
  imp_page_opts po = {.section = o->section,
                      .author = o->author,
                      .tags = o->tags,
                      .image = o->image};
  if (o->date && nb_time_parse(o->date, &po.date) != NB_OK)
    return fail("--date \"%s\" is not a date like 2021-11-24T08:00Z", o->date);
  store *st;
  if (open_store(o, &st))
    return 1;
  int bad = 0;
  for (int i = 1; i < o->nargs; i++)
    bad += import_one(st, o->args[i], &po);
  store_close(st);
  return bad ? 1 : 0;
}

/* ---- init ---- */

static int load_demo(store *st) {
  int64_t have = 0;
  if (store_articles_count(st, 0, &have) == NB_OK && have > 0) {
    printf("demo: the database already has %lld articles; nothing added\n",
           (long long)have);
    return 0;
  }
  int64_t now = nb_now();
  for (size_t i = 0; i < naba_demo_count; i++) {
    arena_t a = {0};
    imp_page p;
    char err[256];
    int64_t id;
    int created;
    /* Newest first in file order: one every few hours, back in time. */
    imp_page_opts po = {.author = "فريق نبأ",
                        .date = now - (int64_t)(i + 1) * 5 * 3600};
    int rc = imp_page_parse(naba_demo[i].data, naba_demo[i].len, &a, &p, err,
                            sizeof err);
    if (rc == NB_OK)
      rc = imp_page_save(st, &p, &po, &id, &created, err, sizeof err);
    arena_free(&a);
    if (rc != NB_OK)
      return fail("demo %s: %s", naba_demo[i].name, err);
  }
  printf("demo: %zu articles added\n", naba_demo_count);
  return 0;
}

/* ---- reindex ---- */

static int cmd_reindex(const options *o) {
  store *st;
  if (open_store(o, &st))
    return 1;
  int64_t n = 0;
  int rc = store_reindex(st, &n);
  if (rc == NB_OK)
    printf("search index rebuilt: %lld articles indexed\n", (long long)n);
  else
    fail("cannot rebuild the search index: %s", store_errmsg(st));
  store_close(st);
  return rc == NB_OK ? 0 : 1;
}

/* ---- backup ---- */

static volatile sig_atomic_t backup_stop;

static void on_backup_signal(int sig) {
  (void)sig;
  backup_stop = 1;
}

typedef struct {
  int tty;     /* show the percentage on stderr */
  int percent; /* last shown, -1 before the first */
  int total;   /* pages */
} backup_state;

static int backup_progress(void *ctx, int remaining, int total) {
  backup_state *b = ctx;
  int pct = total > 0 ? (int)((int64_t)(total - remaining) * 100 / total) : 100;
  b->total = total;
  if (b->tty && pct != b->percent) {
    fprintf(stderr, "\rbackup: %d%%%s", pct,
            remaining == 0 ? ", checking the copy" : "");
    b->percent = pct;
  }
  return backup_stop;
}

/* A setting's stored value, else its default. */
static const char *setting(store *st, arena_t *a, const char *key) {
  const char *v = NULL;
  if (store_setting_get(st, a, key, &v) != NB_OK || !v)
    v = store_setting_find(key)->fallback;
  return v;
}

static int cmd_export(const options *o) {
  if (o->nargs != 2 || strcmp(o->args[0], "wxr") != 0)
    return fail("usage: naba export wxr FILE.xml (- for standard output)");
  store *st;
  if (open_store(o, &st))
    return 1;
  arena_t a = {0};
  imp_wxr_site meta = {.title = setting(st, &a, "site_name"),
                       .link = setting(st, &a, "site_url"),
                       .description = setting(st, &a, "site_description")};
  imp_wxr_export_report r;
  char err[512];
  int rc = imp_wxr_export(st, o->args[1], &meta, &r, err, sizeof err);
  store_close(st);
  arena_free(&a);
  if (rc != NB_OK) {
    fprintf(stderr, "naba: export wxr: %s\n", err);
    return 1;
  }
  fprintf(stderr,
          "export wxr: %lld posts, %lld pages, %lld comments, %lld authors, "
          "%lld sections, %lld tags written to %s\n",
          (long long)r.posts, (long long)r.pages, (long long)r.comments,
          (long long)r.authors, (long long)r.sections, (long long)r.tags,
          strcmp(o->args[1], "-") == 0 ? "standard output" : o->args[1]);
  return 0;
}

static void print_url(void *ctx, const char *url) {
  fprintf(ctx, "%s\n", url);
}

static int cmd_media(const options *o) {
  if (o->nargs != 1 || strcmp(o->args[0], "list") != 0)
    return fail("usage: naba media list");
  store *st;
  if (open_store(o, &st))
    return 1;
  int rc = imp_media_urls(st, print_url, stdout);
  if (rc != NB_OK)
    fprintf(stderr, "naba: media list: %s\n", store_errmsg(st));
  store_close(st);
  return rc == NB_OK && fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_backup(const options *o) {
  char err[512];
  store *st;
  if (o->nargs != 1)
    return fail("usage: naba backup FILE [--db PATH]");
  /* Read-only: a mistyped --db is not created, and a database is never
   * migrated before its backup is taken. */
  if (store_open(o->db, 1, &st, err, sizeof err) != NB_OK) {
    fail("%s", err);
    return 1;
  }
  /* The first Ctrl-C stops at the next step and removes the partial copy;
   * a second one kills at once (the next backup removes what it left). */
  struct sigaction sa = {.sa_handler = on_backup_signal,
                         .sa_flags = SA_RESETHAND};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  backup_state b = {.tty = isatty(2), .percent = -1};
  int rc = store_backup(st, o->args[0], backup_progress, &b);
  if (b.percent >= 0)
    fputc('\n', stderr);
  struct stat sb;
  if (rc == NB_OK)
    printf("backup: %d pages (%.1f MB) written to %s, integrity ok\n", b.total,
           stat(o->args[0], &sb) == 0 ? (double)sb.st_size / 1e6 : 0.0,
           o->args[0]);
  else
    fail("backup failed: %s", store_errmsg(st));
  store_close(st);
  return rc == NB_OK ? 0 : 1;
}

/* ---- newsroom accounts ---- */

/* By store_role. */
static const char *const role_names[] = {"", "contributor", "author", "editor",
                                         "administrator"};

static int role_by_name(const char *name) {
  for (int r = STORE_ROLE_CONTRIBUTOR; r <= STORE_ROLE_ADMINISTRATOR; r++)
    if (name && strcmp(name, role_names[r]) == 0)
      return r;
  return 0;
}

/* A new one-time password and its hash; the caller shows pw once, after
 * the commit, and stores only the hash. */
static int new_onetime(char pw[ADMIN_ONETIME_CHARS + 1],
                       char hash[ADMIN_HASH_BYTES]) {
  admin_password_onetime(pw);
  return admin_password_hash(pw, hash);
}

static void print_onetime(char pw[ADMIN_ONETIME_CHARS + 1]) {
  printf("one-time password: %s (must be changed at first login)\n", pw);
  sodium_memzero(pw, ADMIN_ONETIME_CHARS + 1);
}

/* The audit entry of a change to user id by the command line (user 0),
 * in the change's transaction. */
static int audit(store *st, const char *action, int64_t id,
                 const char *detail) {
  char object[32];
  snprintf(object, sizeof object, "user:%lld", (long long)id);
  return store_audit_add(st, 0, action, object, detail);
}

/* Commits the store_begin() of a change and its audit entry when rc is
 * NB_OK, else rolls both back; returns the result. */
static int tx_end(store *st, int rc) {
  if (rc == NB_OK)
    return store_commit(st);
  store_rollback(st);
  return rc;
}

/* Adds u with a one-time password, inside the caller's transaction; pw
 * gets the password, to print once committed. */
static int user_insert(store *st, store_user *u, int64_t *id,
                       char pw[ADMIN_ONETIME_CHARS + 1]) {
  char hash[ADMIN_HASH_BYTES], detail[64];
  int rc = new_onetime(pw, hash);
  u->password_hash = hash;
  u->must_change = 1;
  snprintf(detail, sizeof detail, "role %s", role_names[u->role]);
  if (rc == NB_OK)
    rc = store_user_add(st, u, id);
  if (rc == NB_OK)
    rc = audit(st, "user_add", *id, detail);
  u->password_hash = NULL;
  return rc;
}

static int user_add(store *st, store_user *u) {
  char pw[ADMIN_ONETIME_CHARS + 1];
  int64_t id = 0;
  int rc = store_begin(st);
  if (rc == NB_OK)
    rc = tx_end(st, user_insert(st, u, &id, pw));
  if (rc != NB_OK)
    return fail("cannot add %s: %s", u->name,
                rc == NB_ENOMEM ? "out of memory" : store_errmsg(st));
  printf("user %s added (id %lld, %s)\n", u->name, (long long)id,
         role_names[u->role]);
  print_onetime(pw);
  return 0;
}

/* The administrator of a database that has no user yet: admin@ the
 * site's own domain when its URL has one, else admin@localhost. */
static int init_admin(store *st) {
  arena_t a = {0};
  char email[300] = "admin@localhost", pw[ADMIN_ONETIME_CHARS + 1];
  const char *url = setting(st, &a, "site_url"), *host = strstr(url, "://");
  host = host ? host + 3 : url;
  if (strncmp(host, "www.", 4) == 0)
    host += 4;
  size_t n = strcspn(host, ":/?#");
  if (n > 0 && n < 250 && memchr(host, '.', n) &&
      strspn(host, "0123456789.") < n)
    snprintf(email, sizeof email, "admin@%.*s", (int)n, host);
  arena_free(&a);
  store_user u = {.name = "admin",
                  .email = email,
                  .role = STORE_ROLE_ADMINISTRATOR,
                  .lang = "ar"};
  int64_t users = 0, id = 0;
  /* Counted inside the write: two inits at once make one administrator. */
  int rc = store_begin(st);
  if (rc == NB_OK)
    rc = store_user_count(st, &users);
  if (rc == NB_OK && users > 0) {
    store_rollback(st);
    return 0; /* the newsroom has its people: nothing to say about them */
  }
  if (rc == NB_OK)
    rc = user_insert(st, &u, &id, pw);
  if ((rc = tx_end(st, rc)) != NB_OK)
    return fail("cannot add the administrator: %s",
                rc == NB_ENOMEM ? "out of memory" : store_errmsg(st));
  printf("administrator: admin <%s>\n", email);
  print_onetime(pw);
  return 0;
}

/* One line of `naba user list`. Names and addresses may come from an
 * import: escaped like comments. */
static void print_user(const store_user *u) {
  buf_t b = {0};
  buf_printf(&b, "%lld\t", (long long)u->id);
  buf_log_escape(&b, u->name, strlen(u->name));
  buf_putc(&b, '\t');
  buf_log_escape(&b, u->email, strlen(u->email));
  buf_printf(&b, "\t%s\t%s%s\t%s\n",
             u->role >= 1 && u->role <= 4 ? role_names[u->role] : "?",
             u->disabled ? "disabled" : "active",
             !u->password_hash[0] ? ", no password"
             : u->must_change     ? ", one-time password"
                                  : "",
             u->lang);
  if (b.data)
    fwrite(b.data, 1, b.len, stdout);
  buf_free(&b);
}

static int cmd_user(const options *o) {
  const char *sub = o->nargs > 0 ? o->args[0] : "";
  int nargs = strcmp(sub, "list") == 0   ? 1
              : strcmp(sub, "role") == 0 ? 3
              : strcmp(sub, "add") == 0 || strcmp(sub, "disable") == 0 ||
                      strcmp(sub, "enable") == 0 || strcmp(sub, "passwd") == 0
                  ? 2
                  : 0;
  if (nargs == 0 || o->nargs != nargs)
    return fail("usage: naba user add NAME --email E --role ROLE "
                "[--lang ar|en] | list | role NAME ROLE | "
                "disable|enable|passwd NAME\n"
                "      ROLE: administrator, editor, author or contributor");
  int role = role_by_name(strcmp(sub, "role") == 0 ? o->args[2] : o->role);
  if ((strcmp(sub, "role") == 0 || strcmp(sub, "add") == 0) && !role)
    return fail("role: administrator, editor, author or contributor, not "
                "\"%s\"",
                strcmp(sub, "role") == 0 ? o->args[2]
                : o->role                ? o->role
                                         : "");
  if (strcmp(sub, "add") == 0 && !o->email)
    return fail("user add: --email is required");
  store *st;
  if (open_store(o, &st))
    return 1;
  arena_t a = {0};
  store_user u;
  int rc = 0, r;
  if (strcmp(sub, "add") == 0) {
    u = (store_user){.name = o->args[1],
                     .email = o->email,
                     .role = role,
                     .lang = o->lang ? o->lang : "ar"};
    rc = user_add(st, &u);
  } else if (strcmp(sub, "list") == 0) {
    store_user *all;
    size_t n = 0;
    if (store_users(st, &a, &all, &n) != NB_OK)
      rc = fail("cannot list users: %s", store_errmsg(st));
    for (size_t i = 0; i < n; i++)
      print_user(&all[i]);
  } else if ((r = store_user_by_login(st, &a, o->args[1], &u)) != NB_OK) {
    rc = r == NB_ENOTFOUND ? fail("no user \"%s\"", o->args[1])
                           : fail("%s", store_errmsg(st));
  } else if (strcmp(sub, "passwd") == 0) {
    char pw[ADMIN_ONETIME_CHARS + 1], hash[ADMIN_HASH_BYTES];
    r = new_onetime(pw, hash);
    if (r == NB_OK && (r = store_begin(st)) == NB_OK) {
      r = store_user_set_password(st, u.id, hash, 1, NULL);
      if (r == NB_OK)
        r = audit(st, "passwd", u.id, "one-time password");
      r = tx_end(st, r);
    }
    if (r != NB_OK)
      rc = fail("cannot set the password: %s",
                r == NB_ENOMEM ? "out of memory" : store_errmsg(st));
    else
      print_onetime(pw); /* every session of the user has ended */
  } else {
    char detail[64] = "";
    int disable = strcmp(sub, "disable") == 0;
    if (strcmp(sub, "role") == 0)
      snprintf(detail, sizeof detail, "%s -> %s",
               u.role >= 1 && u.role <= 4 ? role_names[u.role] : "?",
               role_names[role]);
    r = store_begin(st);
    if (r == NB_OK) {
      r = strcmp(sub, "role") == 0 ? store_user_set_role(st, u.id, role)
                                   : store_user_set_disabled(st, u.id, disable);
      if (r == NB_OK)
        r = audit(st, sub, u.id, detail);
      r = tx_end(st, r);
    }
    if (r != NB_OK)
      rc = fail("cannot change %s: %s", u.name, store_errmsg(st));
  }
  arena_free(&a);
  store_close(st);
  return rc;
}

/* Creates the database; the administrator when it has no user. */
static int cmd_init(const options *o) {
  store *st;
  if (open_store(o, &st))
    return 1;
  printf("database %s is ready\n", o->db);
  int rc = o->demo ? load_demo(st) : 0;
  if (rc == 0)
    rc = init_admin(st);
  store_close(st);
  return rc;
}

/* ---- comments ---- */

static const char *status_names[] = {"pending", "approved", "spam"};

/* One line of `naba comments list`. Names, addresses and text are the
 * readers': escaped, they cannot reorder the moderator's lines (U+202E),
 * forge one (a line break or a tab) or drive the terminal (ESC). */
static void print_comment(const store_comment *c) {
  char when[32];
  nb_time_iso(c->created_at, when);
  size_t first = strcspn(c->body, "\r\n");
  size_t shown = first > 80 ? 80 : first;
  while (shown > 0 && shown < first &&
         ((unsigned char)c->body[shown] & 0xc0) == 0x80)
    shown--; /* cut between characters, not inside one */
  buf_t b = {0};
  buf_printf(&b, "%lld\t%s\t%s\tarticle %lld\t", (long long)c->id,
             status_names[c->status], when, (long long)c->article_id);
  buf_log_escape(&b, c->author_name, strlen(c->author_name));
  buf_puts(&b, " <");
  if (c->author_email)
    buf_log_escape(&b, c->author_email, strlen(c->author_email));
  buf_puts(&b, ">\t");
  buf_log_escape(&b, c->client, strlen(c->client));
  buf_putc(&b, '\t');
  buf_log_escape(&b, c->body, shown);
  buf_puts(&b, first > 80 || c->body[first] ? "…\n" : "\n");
  if (b.data)
    fwrite(b.data, 1, b.len, stdout);
  buf_free(&b);
}

static int cmd_comments(const options *o) {
  const char *sub = o->nargs > 0 ? o->args[0] : "";
  store *st;
  int rc = 0;
  if (strcmp(sub, "list") == 0) {
    int status = STORE_COMMENT_PENDING;
    for (int i = 1; i < o->nargs; i++) {
      int found = 0;
      for (int k = 0; k < 3; k++)
        if (strcmp(o->args[i], status_names[k]) == 0)
          status = k, found = 1;
      if (strcmp(o->args[i], "all") == 0)
        status = -1, found = 1;
      if (!found)
        return fail("comments list: pending, approved, spam or all, not \"%s\"",
                    o->args[i]);
    }
    if (open_store(o, &st))
      return 1;
    arena_t a = {0};
    store_comment *cs;
    size_t n = 0;
    if (store_comments_list(st, &a, status, 0, 1000, &cs, &n) != NB_OK)
      rc = fail("cannot list comments: %s", store_errmsg(st));
    for (size_t i = 0; i < n; i++)
      print_comment(&cs[i]);
    arena_free(&a);
    store_close(st);
    return rc;
  }
  int status = strcmp(sub, "approve") == 0   ? STORE_COMMENT_APPROVED
               : strcmp(sub, "spam") == 0    ? STORE_COMMENT_SPAM
               : strcmp(sub, "pending") == 0 ? STORE_COMMENT_PENDING
               : strcmp(sub, "delete") == 0  ? -1
                                             : -2;
  int open_state = strcmp(sub, "open") == 0     ? 0
                   : strcmp(sub, "close") == 0  ? 1
                   : strcmp(sub, "follow") == 0 ? -1
                                                : -2;
  if ((status == -2 && open_state == -2) || o->nargs < 2)
    return fail(
        "usage: naba comments list [pending|approved|spam|all] | "
        "approve|spam|pending|delete ID... | open|close|follow ARTICLE...");
  if (open_store(o, &st))
    return 1;
  for (int i = 1; i < o->nargs; i++) {
    int64_t id;
    const char *v = o->args[i];
    if (nb_parse_i64(v, strlen(v), 1, INT64_MAX, &id) != NB_OK) {
      rc = fail("not an id: \"%s\"", v);
      continue;
    }
    int r = open_state != -2 ? store_article_comments_set(st, id, open_state)
            : status == -1   ? store_comment_delete(st, id)
                             : store_comment_set_status(st, id, status);
    if (r == NB_ENOTFOUND)
      rc = fail("%s %s: no such id", open_state != -2 ? "article" : "comment",
                v);
    else if (r != NB_OK)
      rc = fail("%s: %s", v, store_errmsg(st));
  }
  store_close(st);
  return rc;
}

/* ---- settings ---- */

/* Sets key (value non-NULL) or goes back to its default, with the audit
 * entry of the command line (user 0), as the newsroom does. */
static int setting_write(store *st, const char *key, const char *value) {
  char object[96];
  snprintf(object, sizeof object, "setting:%s", key);
  int rc = store_begin(st);
  if (rc != NB_OK)
    return rc;
  rc = value ? store_setting_set(st, key, value) : store_setting_unset(st, key);
  if (rc == NB_OK)
    rc = store_audit_add(st, 0, value ? "setting_set" : "setting_unset", object,
                         value ? value : "");
  return tx_end(st, rc);
}

static int cmd_settings(const options *o) {
  const char *sub = o->nargs > 0 ? o->args[0] : "";
  store *st;
  int rc = 0;
  char err[512];
  if (strcmp(sub, "list") != 0 && strcmp(sub, "get") != 0 &&
      strcmp(sub, "set") != 0 && strcmp(sub, "unset") != 0)
    return fail(
        "usage: naba settings list | get KEY | set KEY VALUE | unset KEY");
  if ((strcmp(sub, "get") == 0 || strcmp(sub, "unset") == 0) && o->nargs != 2)
    return fail("usage: naba settings %s KEY", sub);
  if (strcmp(sub, "set") == 0 && o->nargs != 3)
    return fail("usage: naba settings set KEY VALUE");
  if (o->nargs > 1 && !store_setting_find(o->args[1]))
    return fail("unknown setting \"%s\" (see: naba settings list)", o->args[1]);
  if (open_store(o, &st))
    return 1;
  arena_t a = {0};
  if (strcmp(sub, "list") == 0) {
    size_t n;
    const store_setting_def *defs = store_setting_defs(&n);
    for (size_t i = 0; i < n; i++) {
      const char *v = NULL;
      store_setting_get(st, &a, defs[i].key, &v);
      printf("%-18s %s%s\n%-18s   %s\n", defs[i].key, v ? v : defs[i].fallback,
             v ? "" : "  (default)", "", defs[i].help);
    }
  } else if (strcmp(sub, "get") == 0) {
    const char *v = NULL;
    store_setting_get(st, &a, o->args[1], &v);
    printf("%s\n", v ? v : store_setting_find(o->args[1])->fallback);
  } else if (strcmp(sub, "set") == 0) {
    if (store_setting_check(o->args[1], o->args[2], err, sizeof err) != NB_OK)
      rc = fail("%s", err);
    else if (setting_write(st, o->args[1], o->args[2]) != NB_OK)
      rc = fail("cannot save: %s", store_errmsg(st));
  } else if (setting_write(st, o->args[1], NULL) != NB_OK) {
    rc = fail("cannot save: %s", store_errmsg(st));
  }
  arena_free(&a);
  store_close(st);
  return rc;
}

int main(int argc, char **argv) {
  /* Before anything: the server, the importers and the cache hash and
   * sign with libsodium, from many threads. */
  assert(nb_one_thread());
  if (sodium_init() < 0) {
    fputs("naba: libsodium cannot start\n", stderr);
    return 1;
  }
  /* Test builds: NABA_FAULT=store:3 fails that point of this run. */
  if (nb_fault_from_env() != NB_OK) {
    fputs("naba: NABA_FAULT: expected KIND:N, KIND alloc, store or fsync\n",
          stderr);
    return 2;
  }
  if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    puts("naba " NABA_VERSION);
    return 0;
  }
  /* Before any thread. Operators' messages stay English; readers' and
   * editors' text needs the catalogs, so only serve insists on them. */
  const char *localedir = catalog_dir();
  int i18n_rc = nb_i18n_init(localedir);
  options o = {0};
  int rc = parse_options(argc, argv, 2, &o);
  if (rc == 0) {
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0 && i18n_rc != NB_OK)
      rc = fail("interface text catalogs not usable in %s: %s", localedir,
                nb_strerror(i18n_rc));
    else if (strcmp(cmd, "serve") == 0)
      rc = cmd_serve(&o);
    else if (strcmp(cmd, "init") == 0)
      rc = cmd_init(&o);
    else if (strcmp(cmd, "import") == 0)
      rc = cmd_import(&o);
    else if (strcmp(cmd, "settings") == 0)
      rc = cmd_settings(&o);
    else if (strcmp(cmd, "comments") == 0)
      rc = cmd_comments(&o);
    else if (strcmp(cmd, "user") == 0)
      rc = cmd_user(&o);
    else if (strcmp(cmd, "reindex") == 0)
      rc = cmd_reindex(&o);
    else if (strcmp(cmd, "backup") == 0)
      rc = cmd_backup(&o);
    else if (strcmp(cmd, "export") == 0)
      rc = cmd_export(&o);
    else if (strcmp(cmd, "media") == 0)
      rc = cmd_media(&o);
    else
      rc = fail("unknown command \"%s\" (see naba --help)", cmd);
  }
  free(o.args);
  return rc;
}
