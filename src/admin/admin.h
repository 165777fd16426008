/* admin: the newsroom at /admin, and the accounts of the people in it.
 *
 * Passwords (password.c): argon2id through libsodium at OWASP's parameters
 * (t=2, 19 MiB), checked against a list of common passwords, never cut
 * short. Handlers (the other files) answer every path under /admin; their
 * pages are personal: never cached, never shown to anyone else. */
#ifndef NABA_ADMIN_H
#define NABA_ADMIN_H

#include <stddef.h>

#include "core/core.h"
#include "store/store.h"
#include "web/web.h"

/* ---- passwords ---- */
/* A POST to /admin may carry this much (web_config.large_post_bytes): an
 * article's body of ADMIN_BODY_MAX bytes, Arabic percent-encoded at three
 * bytes a byte, and its other fields. */
#define ADMIN_MAX_POST_BYTES (4 * 1024 * 1024)
#define ADMIN_BODY_MAX (1024 * 1024) /* bytes of an article's body */
#define ADMIN_PASSWORD_MIN 8         /* characters (code points), at least */
#define ADMIN_PASSWORD_MAX 1024      /* bytes: longer is refused, never cut */
#define ADMIN_HASH_BYTES 128         /* crypto_pwhash_STRBYTES, with its NUL */
#define ADMIN_ONETIME_CHARS 20       /* a one-time password's length */
/* Hashes at once in the process; others wait their turn, so a storm of
 * logins cannot take 19 MiB each. */
#define ADMIN_HASHES_AT_ONCE 2

/* Reads the common passwords, a JSON array of strings (npm's
 * @zxcvbn-ts/language-common ships one), from path; NULL takes
 * $NABA_PASSWORDS, else the build's copy. Once per process, before any
 * admin_password_check(); NB_EIO/NB_EINVAL with err saying why. */
int admin_passwords_load(const char *path, char *err, size_t errlen);

/* NB_OK when pw may be the password of the user called name (e-mail
 * email; either may be NULL); else NB_EINVAL or NB_ETOOBIG with the
 * reason in err, in the thread's interface language: shorter than
 * ADMIN_PASSWORD_MIN characters, longer than ADMIN_PASSWORD_MAX bytes,
 * not UTF-8, on the common list (in any ASCII case), or the name, the
 * e-mail or its part before the "@" (in any ASCII case). No rules on
 * kinds of characters. Before admin_passwords_load() every password is
 * refused. Thread-safe once the list is loaded. */
int admin_password_check(const char *pw, const char *name, const char *email,
                         char *err, size_t errlen);

/* out: the crypto_pwhash_str string of pw. NB_ENOMEM when the hash could
 * not get its memory, NB_ETOOBIG over ADMIN_PASSWORD_MAX bytes. Waits
 * its turn among ADMIN_HASHES_AT_ONCE; thread-safe. */
int admin_password_hash(const char *pw, char out[ADMIN_HASH_BYTES]);

/* NB_OK when pw is the password hash was made from, with *rehash (may be
 * NULL) set when the hash's parameters are not today's (store a new one);
 * NB_EINVAL when it is not. Takes as long either way: a hash that is no
 * argon2id string, or NULL (no such user, no password yet: "" in the
 * store), hashes pw anyway and is NB_EINVAL, so callers pass the user's
 * hash or NULL and a missing user answers as slowly as a wrong password.
 * Waits its turn among ADMIN_HASHES_AT_ONCE; thread-safe. */
int admin_password_verify(const char *hash, const char *pw, int *rehash);

/* A random one-time password of ADMIN_ONETIME_CHARS letters and digits
 * that cannot be mistaken for each other (no 0/O, 1/l/I). */
void admin_password_onetime(char out[ADMIN_ONETIME_CHARS + 1]);

/* The most hashes that ran at once in the process so far: never over
 * ADMIN_HASHES_AT_ONCE (tests and figures read it). */
int admin_hashes_peak(void);

/* ---- the newsroom's pages ---- */
typedef struct admin admin;

/* Compiles dir's templates (themes/admin: base, login, dashboard,
 * password) and reads its admin.css. Free with admin_close(). */
int admin_open(const char *dir, admin **out, char *err, size_t errlen);
void admin_close(admin *ad);

/* What the site tells the newsroom about itself, per request. */
typedef struct {
  const char *name;         /* site_name */
  const char *url;          /* site_url: https makes the cookie Secure */
  const char *locale, *tz;  /* dates as the site writes them */
  const char *css;          /* the public theme's stylesheet (its fonts and
                               design), or NULL */
  const char *client;       /* the client's address, behind a trusted
                               proxy the one it forwards */
  const unsigned char *key; /* the site's secret, WEB_KEY_BYTES */
  /* The public path of an article (its id, slug and section_slug are
   * read), percent-encoded, in arena a: the site's own, so links from the
   * newsroom are the pages readers see. */
  const char *(*article_path)(arena_t *a, const store_article *x);
} admin_site;

/* A private link to article id in whatever state it is in ("/preview/"
 * and a token signed with the site's key), percent-encoded, in a; and the
 * article of such a token (0 when it is not one). */
const char *admin_preview_path(arena_t *a, const unsigned char *key,
                               int64_t id);
int64_t admin_preview_id(arena_t *a, const unsigned char *key,
                         const char *token);

/* 1 when path is the newsroom's: "/admin" or under "/admin/". */
int admin_path(const char *path);
/* Answers a request for an admin path; st is this thread's store. Every
 * answer is personal (never cached); a store failure is a 503. */
void admin_handle(admin *ad, const admin_site *site, store *st,
                  web_request *req, web_response *res);

#endif
