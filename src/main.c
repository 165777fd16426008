/* main.c: the naba command line: its options, then the command (cli/). */
#include <assert.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>

#include "cli/cli.h"

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
    "common cli_options:\n"
    "  --db PATH              database file (env NABA_DB; default naba.db)\n"
    "                         env NABA_LOCALEDIR: folder of the interface "
    "text catalogs\n"
    "  -h, --help             this help\n"
    "  --version              print the version\n";

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
    return cli_fail("%s %s is out of range: %s", flag, v, range);
  if (rc != NB_OK)
    return cli_fail("%s needs a number, got \"%s\"", flag, v ? v : "");
  *out = (int)n;
  return 0;
}

#define PORT_RANGE "1 to 65535, or 0 for any free port"

/* Parses flags anywhere after the command; the rest are positional. */
static int parse_options(int argc, char **argv, int from, cli_options *o) {
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
    return cli_fail("out of memory");
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
          return cli_fail("%s needs a value", a);
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
      return cli_fail("unknown option %s (see naba --help)", a);
    o->args[o->nargs++] = argv[i];
  }
  return 0;
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
  cli_options o = {0};
  int rc = parse_options(argc, argv, 2, &o);
  if (rc == 0) {
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0 && i18n_rc != NB_OK)
      rc = cli_fail("interface text catalogs not usable in %s: %s", localedir,
                    nb_strerror(i18n_rc));
    else if (strcmp(cmd, "serve") == 0)
      rc = cli_serve(&o);
    else if (strcmp(cmd, "init") == 0)
      rc = cli_init(&o);
    else if (strcmp(cmd, "import") == 0)
      rc = cli_import(&o);
    else if (strcmp(cmd, "settings") == 0)
      rc = cli_settings(&o);
    else if (strcmp(cmd, "comments") == 0)
      rc = cli_comments(&o);
    else if (strcmp(cmd, "user") == 0)
      rc = cli_user(&o);
    else if (strcmp(cmd, "reindex") == 0)
      rc = cli_reindex(&o);
    else if (strcmp(cmd, "backup") == 0)
      rc = cli_backup(&o);
    else if (strcmp(cmd, "export") == 0)
      rc = cli_export(&o);
    else if (strcmp(cmd, "media") == 0)
      rc = cli_media(&o);
    else
      rc = cli_fail("unknown command \"%s\" (see naba --help)", cmd);
  }
  free(o.args);
  return rc;
}
