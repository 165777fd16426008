/* admin/password.c: newsroom passwords: argon2id hashes through
 * libsodium, the rules a new password must pass, one-time passwords.
 *
 * A hash takes 19 MiB for about 12 ms; the gate below lets
 * ADMIN_HASHES_AT_ONCE of them run at a time, so a storm of logins waits
 * instead of taking the memory. */
#include <assert.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"

/* OWASP's minimum for argon2id (t=2, 19 MiB, p=1; libsodium's is 1). */
#define OPSLIMIT 2
#define MEMLIMIT ((size_t)19 << 20)

_Static_assert(ADMIN_HASH_BYTES == crypto_pwhash_STRBYTES,
               "ADMIN_HASH_BYTES is libsodium's string size");

/* ---- the gate ---- */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_inside, gate_peak;

static void gate_enter(void) {
  pthread_mutex_lock(&gate_mu);
  while (gate_inside >= ADMIN_HASHES_AT_ONCE)
    pthread_cond_wait(&gate_cv, &gate_mu);
  gate_inside++;
  if (gate_inside > gate_peak)
    gate_peak = gate_inside;
  pthread_mutex_unlock(&gate_mu);
}

static void gate_leave(void) {
  pthread_mutex_lock(&gate_mu);
  assert(gate_inside > 0);
  gate_inside--;
  pthread_cond_signal(&gate_cv);
  pthread_mutex_unlock(&gate_mu);
}

int admin_hashes_peak(void) {
  int peak;

  pthread_mutex_lock(&gate_mu);
  peak = gate_peak;
  pthread_mutex_unlock(&gate_mu);
  return peak;
}

/* ---- hashing ---- */

/* pw's length, at most ADMIN_PASSWORD_MAX + 1: a longer one is refused
 * before anything hashes it. */
static size_t pw_len(const char *pw) {
  return strnlen(pw, ADMIN_PASSWORD_MAX + 1);
}

static int hash_gated(const char *pw, size_t n, char out[ADMIN_HASH_BYTES]) {
  int r;

  gate_enter();
  r = crypto_pwhash_str_alg(out, pw, n, OPSLIMIT, MEMLIMIT,
                            crypto_pwhash_ALG_ARGON2ID13);
  gate_leave();
  return r == 0 ? NB_OK : NB_ENOMEM;
}

int admin_password_hash(const char *pw, char out[ADMIN_HASH_BYTES]) {
  size_t n = pw_len(pw);

  if (n > ADMIN_PASSWORD_MAX)
    return NB_ETOOBIG;
  return hash_gated(pw, n, out);
}

int admin_password_verify(const char *hash, const char *pw, int *rehash) {
  static const char prefix[] = "$argon2id$";
  char dummy[ADMIN_HASH_BYTES];
  size_t n = pw ? pw_len(pw) : 0;
  int r;

  if (rehash)
    *rehash = 0;
  if (!hash || strncmp(hash, prefix, sizeof prefix - 1) != 0 ||
      strnlen(hash, ADMIN_HASH_BYTES) >= ADMIN_HASH_BYTES || !pw ||
      n > ADMIN_PASSWORD_MAX) {
    /* No hash to check against (no such user, no password yet): spend
     * the time a check takes, so the answer does not tell. */
    hash_gated(pw ? pw : "", n > ADMIN_PASSWORD_MAX ? 0 : n, dummy);
    sodium_memzero(dummy, sizeof dummy);
    return NB_EINVAL;
  }
  gate_enter();
  r = crypto_pwhash_str_verify(hash, pw, n);
  gate_leave();
  if (r != 0)
    return NB_EINVAL;
  if (rehash)
    *rehash = crypto_pwhash_str_needs_rehash(hash, OPSLIMIT, MEMLIMIT) != 0;
  return NB_OK;
}

void admin_password_onetime(char out[ADMIN_ONETIME_CHARS + 1]) {
  /* No 0/O/o, 1/l/I: read aloud or copied from a screen, none is taken
   * for another. */
  static const char alphabet[] = "23456789abcdefghijkmnpqrstuvwxyz"
                                 "ABCDEFGHJKLMNPQRSTUVWXYZ";

  for (size_t i = 0; i < ADMIN_ONETIME_CHARS; i++)
    out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
  out[ADMIN_ONETIME_CHARS] = '\0';
}

/* ---- the common list ---- */

/* Sorted, lowercased (ASCII) entries; the strings live in one block. */
static struct {
  char **items;
  char *text;
  size_t n;
} common;

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ascii_lower(char *s) {
  for (; *s; s++)
    if (*s >= 'A' && *s <= 'Z')
      *s = (char)(*s - 'A' + 'a');
}

int admin_passwords_load(const char *path, char *err, size_t errlen) {
  const char *env = getenv("NABA_PASSWORDS");
  json_error_t je;
  json_t *root, *v;
  size_t i, total = 0, at = 0;
  char **items = NULL, *text = NULL;

  if (!path)
    path = env && *env ? env : NABA_PASSWORDS_FILE;
  root = json_load_file(path, 0, &je);
  if (!root) {
    if (je.line > 0)
      snprintf(err, errlen, "common passwords %s: %s (line %d)", path, je.text,
               je.line);
    else
      snprintf(err, errlen, "common passwords: %s", je.text);
    return NB_EIO;
  }
  if (!json_is_array(root) || json_array_size(root) == 0) {
    snprintf(err, errlen, "common passwords %s: not a non-empty JSON array",
             path);
    json_decref(root);
    return NB_EINVAL;
  }
  json_array_foreach(root, i, v) {
    if (!json_is_string(v)) {
      snprintf(err, errlen, "common passwords %s: entry %zu is not a string",
               path, i);
      json_decref(root);
      return NB_EINVAL;
    }
    total += json_string_length(v) + 1;
  }
  items = malloc(json_array_size(root) * sizeof *items);
  text = malloc(total);
  if (!items || !text) {
    free(items);
    free(text);
    json_decref(root);
    snprintf(err, errlen, "common passwords: out of memory");
    return NB_ENOMEM;
  }
  json_array_foreach(root, i, v) {
    size_t len = json_string_length(v);
    items[i] = text + at;
    memcpy(text + at, json_string_value(v), len + 1);
    ascii_lower(items[i]);
    at += len + 1;
  }
  qsort(items, json_array_size(root), sizeof *items, cmp_str);
  free(common.items);
  free(common.text);
  common.items = items;
  common.text = text;
  common.n = json_array_size(root);
  json_decref(root);
  return NB_OK;
}

/* ---- the rules ---- */

/* 1 when a and b are equal but for ASCII case. */
static int same_ascii_case(const char *a, const char *b, size_t bn) {
  size_t i;

  for (i = 0; i < bn && a[i]; i++) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z')
      x = (char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = (char)(y - 'A' + 'a');
    if (x != y)
      return 0;
  }
  return i == bn && !a[i];
}

static int refuse(char *err, size_t errlen, int rc, const char *msg) {
  snprintf(err, errlen, "%s", msg);
  return rc;
}

int admin_password_check(const char *pw, const char *name, const char *email,
                         char *err, size_t errlen) {
  char low[ADMIN_PASSWORD_MAX + 1], *key = low;
  size_t n = pw ? pw_len(pw) : 0;
  const char *at = email ? strchr(email, '@') : NULL;

  if (n > ADMIN_PASSWORD_MAX)
    return refuse(err, errlen, NB_ETOOBIG,
                  _("The password is too long: at most 1024 bytes."));
  if (!pw || !utf8_valid(pw, n))
    return refuse(err, errlen, NB_EINVAL,
                  _("The password has bytes that are not text (UTF-8)."));
  if (utf8_count(pw, n) < ADMIN_PASSWORD_MIN) {
    snprintf(err, errlen,
             nb_ngettext("The password must have at least %d character.",
                         "The password must have at least %d characters.",
                         ADMIN_PASSWORD_MIN),
             ADMIN_PASSWORD_MIN);
    return NB_EINVAL;
  }
  if ((name && same_ascii_case(pw, name, strlen(name))) ||
      (email && same_ascii_case(pw, email, strlen(email))) ||
      (at && at > email && same_ascii_case(pw, email, (size_t)(at - email))))
    return refuse(err, errlen, NB_EINVAL,
                  _("The password must not be your name or e-mail address."));
  if (common.n == 0) /* admin_passwords_load() was not called: say no */
    return refuse(err, errlen, NB_EINVAL,
                  _("Passwords cannot be checked now; try again later."));
  memcpy(low, pw, n + 1);
  ascii_lower(low);
  if (bsearch(&key, common.items, common.n, sizeof *common.items, cmp_str))
    return refuse(err, errlen, NB_EINVAL,
                  _("This password is one of the most common ones; choose "
                    "another."));
  return NB_OK;
}
