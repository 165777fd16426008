/* Fuzz harness for the WordPress importer (reading thread, sanitizer and
 * writes into a real SQLite store): whatever the bytes, the import ends,
 * says why when it fails, and a second import of the same bytes creates
 * nothing new (it updates what the first wrote: never a duplicate). The
 * store lives in /dev/shm when there is one, so commits cost no disk. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#include "import/import.h"

#include "fuzz.h"

static store *db;
static char dir[64], file[96];

static void check(int ok) {
  if (!ok)
    abort();
}

static void cleanup(void) {
  char path[128];
  store_close(db);
  unlink(file);
  for (size_t i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/naba.db%s", dir,
             (const char *[]){"", "-wal", "-shm"}[i]);
    unlink(path);
  }
  rmdir(dir);
}

static void open_store(void) {
  char path[128], err[256];
  snprintf(dir, sizeof dir, "%s/naba-wxr-fuzz-XXXXXX",
           access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
  check(sodium_init() >= 0); /* once, as main() does in naba */
  check(mkdtemp(dir) != NULL);
  snprintf(path, sizeof path, "%s/naba.db", dir);
  snprintf(file, sizeof file, "%s/export.xml", dir);
  check(store_open(path, 0, &db, err, sizeof err) == NB_OK);
  atexit(cleanup);
}

static int import(const uint8_t *data, size_t size, imp_wxr_report *r) {
  char err[512] = "";
  FILE *f = fopen(file, "wb");
  check(f != NULL);
  check(fwrite(data, 1, size, f) == size);
  check(fclose(f) == 0);
  int rc = imp_wxr_import(db, file, NULL, r, err, sizeof err);
  check(rc == NB_OK || err[0] != '\0'); /* a failure says why */
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  imp_wxr_report first, again;
  if (!db)
    open_store();
  if (import(data, size, &first) != NB_OK)
    return 0;
  check(import(data, size, &again) == NB_OK);
  check(again.created == 0 && again.posts == first.posts);
  check(again.pages == first.pages && again.comments == first.comments);
  return 0;
}
