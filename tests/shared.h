/* shared.h: tests that read ../shared (the seed page, WordPress's theme
 * unit test export, the mustache spec), in a clone that has none.
 *
 * Such a test does not pass: a case calls SHARED_OR_SKIP(path) first and
 * is skipped with a line "skip: …" saying what is missing; main() ends
 * with SHARED_EXIT(rc), which turns "no failures, but something skipped"
 * into exit status 77, meson's SKIP. tests/run.sh lists the skips at the
 * end. Include after cmocka.h. */
#ifndef NABA_TESTS_SHARED_H
#define NABA_TESTS_SHARED_H

#include <stdio.h>
#include <unistd.h>

#define SHARED_SKIP_STATUS 77 /* meson: the test was skipped */

static int shared_skipped; /* cases skipped for want of ../shared */

/* 1 when path is missing; says so once per path on stdout. */
static inline int shared_missing(const char *path) {
  if (access(path, R_OK) == 0)
    return 0;
  printf("skip: needs %s, which is missing (the ../shared folder is not "
         "beside this clone)\n",
         path);
  fflush(stdout);
  shared_skipped++;
  return 1;
}

#define SHARED_OR_SKIP(path)                                                   \
  do {                                                                         \
    if (shared_missing(path))                                                  \
      skip();                                                                  \
  } while (0)

#define SHARED_EXIT(rc)                                                        \
  ((rc) != 0 ? (rc) : shared_skipped ? SHARED_SKIP_STATUS : 0)

#endif
