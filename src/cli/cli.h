/* cli/cli.h: the naba command line's commands (src/main.c parses the
 * options and calls one). Each returns the process's exit status: 0 done,
 * 1 a failure of the system (database, disk), 2 a refused command.
 *
 *   cli.c       what the commands share: messages, opening the database
 *   serve.c     naba serve
 *   content.c   import, export, media, reindex, backup, the demo articles
 *   newsroom.c  user, init, comments, settings
 */
#ifndef NABA_CLI_H
#define NABA_CLI_H

#include "store/store.h"

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
} cli_options;

/* Prints "naba: " and the message to stderr; returns the exit status 2. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Opens o->db for writing, or says why not (then 1). */
int cli_open_store(const cli_options *o, store **st);
/* A setting's stored value, else its default (key must be one of
 * store_setting_defs). */
const char *cli_setting(store *st, arena_t *a, const char *key);

int cli_serve(const cli_options *o);
int cli_import(const cli_options *o);
int cli_export(const cli_options *o);
int cli_media(const cli_options *o);
int cli_reindex(const cli_options *o);
int cli_backup(const cli_options *o);
int cli_init(const cli_options *o);
int cli_user(const cli_options *o);
int cli_comments(const cli_options *o);
int cli_settings(const cli_options *o);
/* The demo articles into st when it has none (init --demo). */
int cli_load_demo(store *st);

#endif
