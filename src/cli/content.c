/* content.c: naba import, export, media, reindex and backup, and the demo
 * articles of init --demo. */
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <stdio.h>

#include "import/import.h"

#include "cli/cli.h"

/* Demo articles (src/site/demo/NN-name.txt), embedded by tools/embed.py. */
extern const struct nb_embed naba_demo[];
extern const size_t naba_demo_count;

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

/* After an import, the index as the server would leave it once quiet:
 * merged into one segment (store_search_untidy()), so that searches are
 * fast from the first one. The same small steps as the server's, each its
 * own transaction, so a running server's saves wait one step at most. */
static int tidy_index(store *st) {
  int untidy = 0, more = 1, rc = store_search_untidy(st, &untidy);
  while (rc == NB_OK && untidy && more)
    rc = store_search_merge(st, 1024, &more);
  if (rc == NB_OK && untidy)
    printf("search index merged into one segment\n");
  return rc;
}

static int cli_import_wxr(const cli_options *o) {
  if (o->nargs != 2)
    return cli_fail("usage: naba import wxr [--dry-run] FILE.xml");
  store *st;
  if (cli_open_store(o, &st))
    return 1;
  imp_wxr_opts wo = {.dry_run = o->dry_run, .progress = wxr_progress};
  imp_wxr_report r;
  char err[512];
  int rc = imp_wxr_import(st, o->args[1], &wo, &r, err, sizeof err);
  if (rc == NB_OK && !o->dry_run && tidy_index(st) != NB_OK)
    fprintf(stderr,
            "naba: the import is done, but merging the search index"
            " failed (the server merges it later): %s\n",
            store_errmsg(st));
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

int cli_import(const cli_options *o) {
  if (o->nargs >= 1 && strcmp(o->args[0], "wxr") == 0)
    return cli_import_wxr(o);
  if (o->nargs < 1 || strcmp(o->args[0], "page") != 0)
    return cli_fail(
        "usage: naba import page [--section S] [--author A] [--date D] "
        "FILE...");
  if (o->nargs < 2)
    return cli_fail("import page: give at least one FILE");
  imp_page_opts po = {.section = o->section,
                      .author = o->author,
                      .tags = o->tags,
                      .image = o->image};
  if (o->date && nb_time_parse(o->date, &po.date) != NB_OK)
    return cli_fail("--date \"%s\" is not a date like 2021-11-24T08:00Z",
                    o->date);
  store *st;
  if (cli_open_store(o, &st))
    return 1;
  int bad = 0;
  for (int i = 1; i < o->nargs; i++)
    bad += import_one(st, o->args[i], &po);
  store_close(st);
  return bad ? 1 : 0;
}

/* ---- init ---- */

int cli_load_demo(store *st) {
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
      return cli_fail("demo %s: %s", naba_demo[i].name, err);
  }
  printf("demo: %zu articles added\n", naba_demo_count);
  return 0;
}

/* ---- reindex ---- */

int cli_reindex(const cli_options *o) {
  store *st;
  if (cli_open_store(o, &st))
    return 1;
  int64_t n = 0;
  int rc = store_reindex(st, &n);
  if (rc == NB_OK)
    printf("search index rebuilt: %lld articles indexed\n", (long long)n);
  else
    cli_fail("cannot rebuild the search index: %s", store_errmsg(st));
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

int cli_export(const cli_options *o) {
  if (o->nargs != 2 || strcmp(o->args[0], "wxr") != 0)
    return cli_fail("usage: naba export wxr FILE.xml (- for standard output)");
  store *st;
  if (cli_open_store(o, &st))
    return 1;
  arena_t a = {0};
  imp_wxr_site meta = {.title = cli_setting(st, &a, "site_name"),
                       .link = cli_setting(st, &a, "site_url"),
                       .description = cli_setting(st, &a, "site_description")};
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

int cli_media(const cli_options *o) {
  if (o->nargs != 1 || strcmp(o->args[0], "list") != 0)
    return cli_fail("usage: naba media list");
  store *st;
  if (cli_open_store(o, &st))
    return 1;
  int rc = imp_media_urls(st, print_url, stdout);
  if (rc != NB_OK)
    fprintf(stderr, "naba: media list: %s\n", store_errmsg(st));
  store_close(st);
  return rc == NB_OK && fflush(stdout) == 0 ? 0 : 1;
}

int cli_backup(const cli_options *o) {
  char err[512];
  store *st;
  if (o->nargs != 1)
    return cli_fail("usage: naba backup FILE [--db PATH]");
  /* Read-only: a mistyped --db is not created, and a database is never
   * migrated before its backup is taken. */
  if (store_open(o->db, 1, &st, err, sizeof err) != NB_OK) {
    cli_fail("%s", err);
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
    cli_fail("backup failed: %s", store_errmsg(st));
  store_close(st);
  return rc == NB_OK ? 0 : 1;
}
