/* fault.c: the fault-injection points inside SQLite (test builds only).
 *
 * SQLite's own allocations and syncs are points too (core/fault.c): its
 * memory goes through a wrapper that fails when nb_fault(NB_FAULT_ALLOC)
 * says so, and every file it opens through a VFS whose xSync fails on
 * nb_fault(NB_FAULT_FSYNC), as SQLite's test VFS does. Installed once,
 * before the first connection, by store_fault_install(). */
#include "store/sqlite/engine.h"

#ifdef NABA_FAULT
#include <assert.h>
#include <pthread.h>
#include <string.h>

static sqlite3_mem_methods real_mem;

static void *fault_malloc(int n) {
  return nb_fault(NB_FAULT_ALLOC) ? NULL : real_mem.xMalloc(n);
}

static void *fault_realloc(void *p, int n) {
  return nb_fault(NB_FAULT_ALLOC) ? NULL : real_mem.xRealloc(p, n);
}

/* A file of the fault VFS: ours, then the real one right behind it. */
typedef struct {
  sqlite3_file base;
  sqlite3_file *real;
} fault_file;

static sqlite3_vfs *real_vfs;
static sqlite3_io_methods fault_io;

#define REAL(f) (((fault_file *)(f))->real)

static int f_close(sqlite3_file *f) {
  return REAL(f)->pMethods->xClose(REAL(f));
}
static int f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off) {
  return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
static int f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off) {
  return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 n) {
  return REAL(f)->pMethods->xTruncate(REAL(f), n);
}
static int f_sync(sqlite3_file *f, int flags) {
  if (nb_fault(NB_FAULT_FSYNC))
    return SQLITE_IOERR_FSYNC;
  return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *n) {
  return REAL(f)->pMethods->xFileSize(REAL(f), n);
}
static int f_lock(sqlite3_file *f, int l) {
  return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int f_unlock(sqlite3_file *f, int l) {
  return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int f_check(sqlite3_file *f, int *out) {
  return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int f_control(sqlite3_file *f, int op, void *arg) {
  return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int f_sector(sqlite3_file *f) {
  return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int f_chars(sqlite3_file *f) {
  return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int f_shm_map(sqlite3_file *f, int pg, int sz, int ext,
                     void volatile **p) {
  return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, p);
}
static int f_shm_lock(sqlite3_file *f, int off, int n, int flags) {
  return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void f_shm_barrier(sqlite3_file *f) {
  REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int f_shm_unmap(sqlite3_file *f, int del) {
  return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p) {
  return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) {
  return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file,
                  int flags, int *out_flags) {
  (void)vfs;
  fault_file *ff = (fault_file *)file;
  ff->real = (sqlite3_file *)(ff + 1);
  int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
  /* Whatever xOpen did, the real file is closed through its methods. */
  ff->base.pMethods = ff->real->pMethods ? &fault_io : NULL;
  return rc;
}

static sqlite3_vfs fault_vfs;

static void install(void) {
  /* SQLite takes an allocator only before it starts: after any connection
   * (a test's own, say) its allocations would quietly have no points. */
  int src = sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem);
  assert(src == SQLITE_OK);
  (void)src;
  sqlite3_mem_methods mem = real_mem;
  mem.xMalloc = fault_malloc;
  mem.xRealloc = fault_realloc;
  sqlite3_config(SQLITE_CONFIG_MALLOC, &mem);
  /* Initializing allocates: if that is the point that fails, SQLite
   * reports it at the open, and this run goes without the VFS. */
  if (sqlite3_initialize() != SQLITE_OK)
    return;
  real_vfs = sqlite3_vfs_find(NULL);
  if (!real_vfs)
    return;
  fault_vfs = *real_vfs;
  fault_vfs.zName = "naba-fault";
  fault_vfs.szOsFile = (int)sizeof(fault_file) + real_vfs->szOsFile;
  fault_vfs.xOpen = f_open;
  fault_io = (sqlite3_io_methods){
      3,        f_close,   f_read,     f_write,       f_truncate,  f_sync,
      f_size,   f_lock,    f_unlock,   f_check,       f_control,   f_sector,
      f_chars,  f_shm_map, f_shm_lock, f_shm_barrier, f_shm_unmap, f_fetch,
      f_unfetch};
  sqlite3_vfs_register(&fault_vfs, 1);
}

void store_fault_install(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, install);
}
#else
void store_fault_install(void) {}
#endif
