/* Replays a fuzz harness without libFuzzer: every file of the corpus folder
 * given as argv[1], then FUZZ_ROUNDS deterministic mutations of them
 * (bit flips, truncations, splices, inserted bytes). Used by `make test` so
 * each harness runs under ASan and UBSan on every build. A missing, unreadable
 * or empty corpus fails: a replay of nothing would pass without testing. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define NABA_FUZZ_DRIVER
#include "fuzz.h"

#define FUZZ_ROUNDS 20000
#define FUZZ_MAX 65536

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

int main(int argc, char **argv) {
  char **inputs = NULL;
  size_t *lens = NULL, n = 0;
  uint8_t *m = NULL;
  int rc = 1;
  if (argc != 2) {
    fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
    return 1;
  }
  DIR *d = opendir(argv[1]);
  if (!d) {
    fprintf(stderr, "fuzz replay: cannot open corpus %s\n", argv[1]);
    return 1;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
    char *data;
    size_t len;
    if (nb_read_file(path, FUZZ_MAX, &data, &len) != NB_OK) {
      fprintf(stderr, "fuzz replay: cannot read %s\n", path);
      goto fail;
    }
    char **ni = realloc(inputs, (n + 1) * sizeof *inputs);
    if (ni)
      inputs = ni;
    size_t *nl = ni ? realloc(lens, (n + 1) * sizeof *lens) : NULL;
    if (!nl) {
      free(data);
      goto fail;
    }
    lens = nl;
    inputs[n] = data;
    lens[n++] = len;
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
  }
  if (n == 0) {
    fprintf(stderr, "fuzz replay: corpus %s is empty\n", argv[1]);
    goto fail;
  }
  if (!(m = malloc(FUZZ_MAX)))
    goto fail;
  for (int r = 0; r < FUZZ_ROUNDS; r++) {
    size_t i = next() % n, len = lens[i];
    memcpy(m, inputs[i], len);
    int edits = 1 + (int)(next() % 8);
    for (int k = 0; k < edits; k++) {
      switch (next() % 5) {
      case 0: /* flip a bit */
        if (len)
          m[next() % len] ^= (uint8_t)(1u << (next() % 8));
        break;
      case 1: /* truncate */
        if (len)
          len = next() % len;
        break;
      case 2: /* insert a random byte */
        if (len < FUZZ_MAX) {
          size_t at = len ? next() % len : 0;
          memmove(m + at + 1, m + at, len - at);
          m[at] = (uint8_t)next();
          len++;
        }
        break;
      case 3: { /* splice in part of another input */
        size_t j = next() % n;
        size_t take = lens[j] ? next() % lens[j] : 0;
        if (len + take <= FUZZ_MAX) {
          size_t at = len ? next() % len : 0;
          memmove(m + at + take, m + at, len - at);
          memcpy(m + at, inputs[j], take);
          len += take;
        }
        break;
      }
      default: /* duplicate a chunk */
        if (len && len * 2 <= FUZZ_MAX) {
          size_t at = next() % len, take = next() % (len - at + 1);
          memmove(m + at + take, m + at, len - at);
          len += take;
        }
      }
    }
    uint8_t *exact =
        malloc(len ? len : 1); /* exact size so ASan sees overreads */
    memcpy(exact, m, len);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
  }
  printf("fuzz replay: %zu corpus files, %d mutations, no crash\n", n,
         FUZZ_ROUNDS);
  rc = 0;
fail:
  closedir(d);
  for (size_t i = 0; i < n; i++)
    free(inputs[i]);
  free(inputs);
  free(lens);
  free(m);
  return rc;
}
