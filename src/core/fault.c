/* fault.c: failures on demand, for the fault-injection tests.
 *
 * As SQLite's test harness does, a test arms one kind of failure point (an
 * allocation, a store call, an fsync) to fail at its Nth call from now,
 * then reads how many such calls the work passed and whether the Nth was
 * reached. Walking N = 1, 2, ... until a run ends without reaching N tries
 * every point in turn. Only builds configured with -Dfault=true (the test
 * build) have the points; elsewhere nb_fault() is the constant 0. */
#include "core/core.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[NB_FAULT_KINDS] = {"alloc", "store",
                                                       "fsync"};

/* One thread's armed point (a server request), and the process's (a
 * command run with NABA_FAULT, whose work may span threads). */
static _Thread_local struct {
  int kind; /* -1: not armed */
  long nth, calls;
  int hit;
} local = {-1, 0, 0, 0};

int nb_fault_parse(const char *spec, int *kind, long *nth) {
  const char *colon = spec ? strchr(spec, ':') : NULL;
  if (!colon)
    return NB_EINVAL;
  for (int k = 0; k < NB_FAULT_KINDS; k++) {
    size_t n = strlen(kind_names[k]);
    int64_t v;
    if ((size_t)(colon - spec) == n && memcmp(spec, kind_names[k], n) == 0 &&
        nb_parse_i64(colon + 1, strlen(colon + 1), 1, INT32_MAX, &v) == NB_OK) {
      *kind = k;
      *nth = (long)v;
      return NB_OK;
    }
  }
  return NB_EINVAL;
}

void nb_fault_arm(int kind, long nth) {
  local.kind = kind;
  local.nth = nth;
  local.calls = 0;
  local.hit = 0;
}

void nb_fault_disarm(long *calls, int *hit) {
  if (calls)
    *calls = local.calls;
  if (hit)
    *hit = local.hit;
  local.kind = -1;
}

#ifdef NABA_FAULT
static atomic_int global_kind = -1;
static atomic_long global_nth, global_calls;
static atomic_int global_hit;

static const char *fault_name(int kind) {
  return kind >= 0 && kind < NB_FAULT_KINDS ? kind_names[kind] : "none";
}

static void report_at_exit(void) {
  fprintf(stderr, "fault=%s nth=%ld calls=%ld hit=%d\n",
          fault_name(atomic_load(&global_kind)), atomic_load(&global_nth),
          atomic_load(&global_calls), atomic_load(&global_hit));
}

int nb_fault_from_env(void) {
  const char *spec = getenv("NABA_FAULT");
  int kind;
  long nth;
  if (!spec || !*spec)
    return NB_OK;
  if (nb_fault_parse(spec, &kind, &nth) != NB_OK)
    return NB_EINVAL;
  atomic_store(&global_nth, nth);
  atomic_store(&global_kind, kind);
  atexit(report_at_exit);
  return NB_OK;
}

int nb_fault(int kind) {
  if (local.kind == kind) {
    if (++local.calls != local.nth)
      return 0;
    local.hit = 1;
    return 1;
  }
  if (atomic_load_explicit(&global_kind, memory_order_relaxed) == kind &&
      atomic_fetch_add(&global_calls, 1) + 1 == atomic_load(&global_nth)) {
    atomic_store(&global_hit, 1);
    return 1;
  }
  return 0;
}
#else
int nb_fault_from_env(void) {
  return NB_OK; /* no points to arm */
}
#endif
