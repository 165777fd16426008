/* cli.c: what the commands share: messages and opening the database. */
#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"

int cli_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("naba: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 2;
}

int cli_open_store(const cli_options *o, store **st) {
  char err[512];
  if (store_open(o->db, 0, st, err, sizeof err) != NB_OK)
    return cli_fail("cannot open %s: %s", o->db, err);
  return 0;
}

const char *cli_setting(store *st, arena_t *a, const char *key) {
  const char *v = NULL;
  if (store_setting_get(st, a, key, &v) != NB_OK || !v)
    v = store_setting_find(key)->fallback;
  return v;
}
