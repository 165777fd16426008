/* render/set.c: a set of compiled templates found by name, filled from
 * source or from a theme's directory. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "render/internal.h"

#define EXT ".mustache"

/* ---- the set ---- */

tpl_set *tpl_set_new(void) {
  tpl_set *set = calloc(1, sizeof *set);
  if (!set)
    return NULL;
  set->cap = 32;
  set->slots = calloc(set->cap, sizeof *set->slots);
  if (!set->slots) {
    free(set);
    return NULL;
  }
  return set;
}

void tpl_set_free(tpl_set *set) {
  if (!set)
    return;
  for (size_t i = 0; i < set->cap; i++)
    tpl_free(set->slots[i]);
  free(set->slots);
  free(set);
}

static size_t slot_of(const tpl_set *set, const char *name, size_t n,
                      uint32_t h) {
  size_t i = h & (set->cap - 1);
  for (;;) {
    const tpl *t = set->slots[i];
    if (!t || (t->hash == h && t->namelen == n && !memcmp(t->name, name, n)))
      return i;
    i = (i + 1) & (set->cap - 1);
  }
}

const tpl *tpl_find(const tpl_set *set, const char *name, size_t n,
                    uint32_t h) {
  return set->slots[slot_of(set, name, n, h)];
}

static int insert(tpl_set *set, tpl *t) {
  size_t i = slot_of(set, t->name, t->namelen, t->hash);
  if (set->slots[i]) {
    tpl_free(set->slots[i]);
    set->slots[i] = t;
    return NB_OK;
  }
  if ((set->count + 1) * 2 > set->cap) {
    size_t cap = set->cap * 2;
    tpl **slots = calloc(cap, sizeof *slots);
    if (!slots)
      return NB_ENOMEM;
    for (size_t j = 0; j < set->cap; j++) {
      tpl *u = set->slots[j];
      if (!u)
        continue;
      size_t s = u->hash & (cap - 1);
      while (slots[s])
        s = (s + 1) & (cap - 1);
      slots[s] = u;
    }
    free(set->slots);
    set->slots = slots;
    set->cap = cap;
    i = slot_of(set, t->name, t->namelen, t->hash);
  }
  set->slots[i] = t;
  set->count++;
  return NB_OK;
}

int tpl_set_add(tpl_set *set, const char *name, const char *src, size_t n,
                char *err, size_t errlen) {
  if (err && errlen)
    err[0] = '\0';
  if (!set || !name || !*name || (!src && n))
    return NB_EINVAL;
  if (n > TPL_MAX_SIZE) {
    if (err && errlen)
      snprintf(err, errlen, "%s: template of %zu bytes is over the %d limit",
               name, n, TPL_MAX_SIZE);
    return NB_ETOOBIG;
  }
  tpl *t = NULL;
  int rc = tpl_compile(name, src ? src : "", n, err, errlen, &t);
  if (rc == NB_OK && (rc = insert(set, t)) != NB_OK) {
    tpl_free(t);
    if (err && errlen)
      snprintf(err, errlen, "%s: out of memory", name);
  }
  return rc;
}

int tpl_has(const tpl_set *set, const char *name) {
  if (!set || !name)
    return 0;
  size_t n = strlen(name);
  return tpl_find(set, name, n, tpl_hash_name(name, n)) != NULL;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int tpl_set_load_dir(tpl_set *set, const char *dir, char *err, size_t errlen) {
  if (err && errlen)
    err[0] = '\0';
  if (!set || !dir)
    return NB_EINVAL;
  DIR *d = opendir(dir);
  if (!d) {
    if (err && errlen)
      snprintf(err, errlen, "%s: cannot open directory", dir);
    return NB_EIO;
  }
  char **names = NULL;
  size_t count = 0, cap = 0, elen = strlen(EXT);
  int rc = NB_OK;
  buf_t path = {0};
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    size_t len = strlen(de->d_name);
    if (de->d_name[0] == '.' || len <= elen ||
        memcmp(de->d_name + len - elen, EXT, elen) != 0)
      continue;
    if (tpl_grow((void **)&names, &cap, count + 1, sizeof *names) ||
        !(names[count] = strdup(de->d_name))) {
      rc = NB_ENOMEM;
      goto fail;
    }
    count++;
  }
  /* Sorted, so that which error is reported does not depend on readdir. */
  if (count)
    qsort(names, count, sizeof *names, cmp_str);
  for (size_t i = 0; rc == NB_OK && i < count; i++) {
    struct stat sb;
    char *data = NULL;
    size_t len = 0;
    buf_reset(&path);
    buf_printf(&path, "%s/%s", dir, names[i]);
    if (path.oom) {
      rc = NB_ENOMEM;
      break;
    }
    if (stat(path.data, &sb) != 0 || !S_ISREG(sb.st_mode))
      continue;
    rc = nb_read_file(path.data, TPL_MAX_SIZE, &data, &len);
    if (rc != NB_OK) {
      if (err && errlen)
        snprintf(err, errlen, "%s: %s", path.data,
                 rc == NB_ETOOBIG ? "over the template size limit"
                                  : "cannot read");
      break;
    }
    names[i][strlen(names[i]) - elen] = '\0';
    rc = tpl_set_add(set, names[i], data, len, err, errlen);
    free(data);
  }
fail:
  for (size_t i = 0; i < count; i++)
    free(names[i]);
  free(names);
  buf_free(&path);
  closedir(d);
  return rc;
}
