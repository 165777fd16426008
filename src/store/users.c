/* store/users.c: the newsroom's accounts, their login sessions and the
 * audit log. Passwords arrive hashed (admin/password.c): nothing here sees
 * one. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "store/internal.h"

#define USER_COLS                                                              \
  "u.id, u.name, coalesce(u.email, ''), u.role, "                              \
  "coalesce(u.password_hash, ''), u.must_change, "                             \
  "u.disabled, u.lang, u.created_at, u.failed_logins, u.last_failed_at"

static void read_user(store_q *q, arena_t *a, store_user *out) {
  out->id = q_col_i64(q, 0);
  out->name = q_col_str(q, a, 1);
  out->email = q_col_str(q, a, 2);
  out->role = q_col_int(q, 3);
  out->password_hash = q_col_str(q, a, 4);
  out->must_change = q_col_int(q, 5);
  out->disabled = q_col_int(q, 6);
  out->lang = q_col_str(q, a, 7);
  out->created_at = q_col_i64(q, 8);
  out->failed_logins = q_col_i64(q, 9);
  out->last_failed_at = q_col_i64(q, 10);
}

/* ---- validation ---- */

/* 1 when s has a control character: C0, DEL or C1 (U+0080-U+009F, which
 * UTF-8 writes as C2 80-9F). s is valid UTF-8. */
static int has_control(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f ||
        (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
      return 1;
  return 0;
}

/* A name has no "@", so a login with one is an e-mail address and one
 * without is a name: the two never match different users. */
static int check_name(store *s, const char *name) {
  size_t n = name ? strlen(name) : 0;

  if (n < 1 || n > 64)
    return store_err(s, NB_EINVAL, "name must be 1 to 64 bytes");
  if (!utf8_valid(name, n) || has_control(name))
    return store_err(s, NB_EINVAL,
                     "name must be UTF-8 without control characters");
  if (strchr(name, '@'))
    return store_err(s, NB_EINVAL, "name must not contain \"@\"");
  return NB_OK;
}

static int check_email(store *s, const char *email) {
  size_t n = email ? strlen(email) : 0;
  const char *at = email ? strchr(email, '@') : NULL;

  if (n < 3 || n > 254)
    return store_err(s, NB_EINVAL, "e-mail must be 3 to 254 bytes");
  if (!utf8_valid(email, n) || has_control(email) || strchr(email, ' '))
    return store_err(s, NB_EINVAL,
                     "e-mail must be UTF-8 without spaces or controls");
  if (!at || at == email || !at[1] || strchr(at + 1, '@'))
    return store_err(s, NB_EINVAL,
                     "e-mail must have one \"@\" with text either side");
  return NB_OK;
}

static int check_role(store *s, int role) {
  if (role < STORE_ROLE_CONTRIBUTOR || role > STORE_ROLE_ADMINISTRATOR)
    return store_err(s, NB_EINVAL, "role must be 1 to 4");
  return NB_OK;
}

static int check_lang(store *s, const char *lang) {
  if (!lang || (strcmp(lang, "ar") != 0 && strcmp(lang, "en") != 0))
    return store_err(s, NB_EINVAL, "lang must be \"ar\" or \"en\"");
  return NB_OK;
}

static int check_hash(store *s, const char *hash) {
  if (!hash || !*hash)
    return store_err(s, NB_EINVAL, "password hash is required");
  return store_check_text(s, hash, "password hash");
}

/* Records "users" and trims the log: every change to an account. */
static int users_changed(store *s) {
  int rc = store_change(s, "users");

  if (rc == NB_OK)
    rc = store_changes_trim(s);
  return rc;
}

/* One UPDATE of a user (?1 the id), in its own write: NB_ENOTFOUND when no
 * user has the id; records "users". */
static int user_update(store *s, store_q *q) {
  int rc;

  q_step(q);
  if (q_changes(q) == 0)
    q_err(q, NB_ENOTFOUND, "no user with this id");
  rc = q_done(q);
  if (rc == NB_OK)
    rc = users_changed(s);
  return rc;
}

/* ---- users ---- */

/* Which of the name and e-mail is taken, for a message better than the
 * unique index's; inside the insert's transaction, so it cannot race. */
static int user_taken(store *s, const store_user *u) {
  store_q q;
  int name = 0, found;

  q_open(&q, s,
         "SELECT lower(name) = lower(?1) FROM users"
         " WHERE lower(name) = lower(?1) OR lower(email) = lower(?2)"
         " ORDER BY 1 DESC LIMIT 1");
  q_text(&q, 1, u->name);
  q_text(&q, 2, u->email);
  found = q_step(&q);
  if (found)
    name = q_col_int(&q, 0);
  if (q_done(&q) != NB_OK || !found)
    return q.rc;
  return store_err(s, NB_EEXIST,
                   name ? "a user has this name" : "a user has this e-mail");
}

static int user_insert(store *s, const store_user *u, int64_t *id) {
  store_q q;
  int rc = user_taken(s, u);

  if (rc != NB_OK)
    return rc;
  q_open(&q, s,
         "INSERT INTO users (name, email, role, password_hash, must_change,"
         " disabled, lang, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
         " RETURNING id");
  q_text(&q, 1, u->name);
  q_text(&q, 2, u->email);
  q_i64(&q, 3, u->role);
  q_text(&q, 4, u->password_hash);
  q_i64(&q, 5, u->must_change != 0);
  q_i64(&q, 6, u->disabled != 0);
  q_text(&q, 7, u->lang ? u->lang : "ar");
  q_i64(&q, 8, nb_now());
  if (q_step(&q))
    *id = q_col_i64(&q, 0);
  rc = q_done(&q);
  return rc == NB_OK ? users_changed(s) : rc;
}

int store_user_add(store *s, const store_user *u, int64_t *id) {
  int64_t made = 0;
  int rc = check_name(s, u->name);

  if (rc == NB_OK)
    rc = check_email(s, u->email);
  if (rc == NB_OK)
    rc = check_role(s, u->role);
  if (rc == NB_OK && u->lang)
    rc = check_lang(s, u->lang);
  if (rc == NB_OK)
    rc = check_hash(s, u->password_hash);
  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  rc = store_w_end(s, user_insert(s, u, &made));
  /* Like store_article_save(): the caller sees the id once committed. */
  if (rc == NB_OK)
    *id = made;
  return rc;
}

int store_user_get(store *s, arena_t *a, int64_t id, store_user *out) {
  store_q q;

  q_open(&q, s, "SELECT " USER_COLS " FROM users u WHERE u.id = ?1");
  q_i64(&q, 1, id);
  if (q_step(&q))
    read_user(&q, a, out);
  else
    q_err(&q, NB_ENOTFOUND, "no user with this id");
  return q_done(&q);
}

int store_user_by_login(store *s, arena_t *a, const char *name_or_email,
                        store_user *out) {
  store_q q;

  assert(name_or_email);
  /* Names have no "@" (check_name), so the two never disagree. */
  q_open(&q, s,
         strchr(name_or_email, '@') ? "SELECT " USER_COLS " FROM users u"
                                      " WHERE lower(u.email) = lower(?1)"
                                    : "SELECT " USER_COLS " FROM users u"
                                      " WHERE lower(u.name) = lower(?1)");
  q_text(&q, 1, name_or_email);
  if (q_step(&q))
    read_user(&q, a, out);
  else
    q_err(&q, NB_ENOTFOUND, "no user with this name or e-mail");
  return q_done(&q);
}

int store_users(store *s, arena_t *a, store_user **out, size_t *n) {
  store_user *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;
  int rc;

  q_open(&q, s,
         "SELECT " USER_COLS " FROM users u ORDER BY lower(u.name), u.id");
  while (q_step(&q) && (items = q_grow(&q, a, items, &cap, len, sizeof *items)))
    read_user(&q, a, &items[len++]);
  rc = q_done(&q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}

int store_user_count(store *s, int64_t *n) {
  store_q q;

  *n = 0;
  q_open(&q, s, "SELECT count(*) FROM users");
  if (q_step(&q))
    *n = q_col_i64(&q, 0);
  return q_done(&q);
}

/* Refuses to take away the last active administrator: no one could then
 * manage the accounts from the newsroom. Run inside the write. */
static int not_last_admin(store *s, int64_t id) {
  store_q q;
  q_open(&q, s,
         "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1 AND role = 4"
         " AND disabled = 0) AND NOT EXISTS (SELECT 1 FROM users"
         " WHERE id <> ?1 AND role = 4 AND disabled = 0)");
  q_i64(&q, 1, id);
  int last = q_step(&q) ? q_col_int(&q, 0) : 0;
  int rc = q_done(&q);
  if (rc == NB_OK && last)
    rc = store_err(s, NB_EINVAL,
                   "the last administrator: make another one first");
  return rc;
}

int store_user_set_role(store *s, int64_t id, int role) {
  store_q q;
  int rc = check_role(s, role);

  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  if (role != STORE_ROLE_ADMINISTRATOR && (rc = not_last_admin(s, id)) != NB_OK)
    return store_w_end(s, rc);
  q_open(&q, s, "UPDATE users SET role = ?2 WHERE id = ?1");
  q_i64(&q, 1, id);
  q_i64(&q, 2, role);
  return store_w_end(s, user_update(s, &q));
}

int store_user_set_lang(store *s, int64_t id, const char *lang) {
  store_q q;
  int rc = check_lang(s, lang);

  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  q_open(&q, s, "UPDATE users SET lang = ?2 WHERE id = ?1");
  q_i64(&q, 1, id);
  q_text(&q, 2, lang);
  return store_w_end(s, user_update(s, &q));
}

/* Deletes the sessions of user id but keep (NULL: all). */
static int sessions_delete(store *s, int64_t id, const char *keep) {
  store_q q;

  q_open(&q, s,
         "DELETE FROM sessions WHERE user_id = ?1"
         " AND (?2 IS NULL OR token_hash <> ?2)");
  q_i64(&q, 1, id);
  q_text(&q, 2, keep);
  q_step(&q);
  return q_done(&q);
}

int store_user_set_disabled(store *s, int64_t id, int disabled) {
  store_q q;
  int rc = store_w_begin(s);

  if (rc != NB_OK)
    return rc;
  if (disabled && (rc = not_last_admin(s, id)) != NB_OK)
    return store_w_end(s, rc);
  q_open(&q, s, "UPDATE users SET disabled = ?2 WHERE id = ?1");
  q_i64(&q, 1, id);
  q_i64(&q, 2, disabled != 0);
  rc = user_update(s, &q);
  if (rc == NB_OK && disabled)
    rc = sessions_delete(s, id, NULL);
  return store_w_end(s, rc);
}

int store_user_set_password(store *s, int64_t id, const char *hash,
                            int must_change, const char *keep) {
  store_q q;
  int rc = check_hash(s, hash);

  if (rc == NB_OK)
    rc = store_check_text(s, keep, "session to keep");
  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  /* The failures were guesses at the old password: a new one starts
   * without their delay. */
  q_open(&q, s,
         "UPDATE users SET password_hash = ?2, must_change = ?3,"
         " failed_logins = 0 WHERE id = ?1");
  q_i64(&q, 1, id);
  q_text(&q, 2, hash);
  q_i64(&q, 3, must_change != 0);
  rc = user_update(s, &q);
  if (rc == NB_OK)
    rc = sessions_delete(s, id, keep);
  return store_w_end(s, rc);
}

/* Login bookkeeping: one statement each, no change tag (nothing anyone
 * reads from a cache depends on it). */
static int login_write(store_q *q) {
  q_step(q);
  if (q_changes(q) == 0)
    q_err(q, NB_ENOTFOUND, "no user with this id");
  return q_done(q);
}

int store_user_login_failed(store *s, int64_t id, int64_t now) {
  store_q q;

  q_open(&q, s,
         "UPDATE users SET failed_logins = failed_logins + 1,"
         " last_failed_at = ?2 WHERE id = ?1");
  q_i64(&q, 1, id);
  q_i64(&q, 2, now);
  return login_write(&q);
}

int store_user_login_ok(store *s, int64_t id, const char *rehash) {
  store_q q;

  if (rehash && check_hash(s, rehash) != NB_OK)
    return NB_EINVAL;
  q_open(&q, s,
         "UPDATE users SET failed_logins = 0,"
         " password_hash = coalesce(?2, password_hash) WHERE id = ?1");
  q_i64(&q, 1, id);
  q_text(&q, 2, rehash);
  return login_write(&q);
}

/* ---- sessions ---- */

static int session_insert(store *s, const char *token_hash, int64_t user_id,
                          int64_t now, int64_t expires_at) {
  store_q q;

  /* Expired sessions go as new ones come: the table holds only live ones
   * and a few dead since the last login. */
  q_open(&q, s, "DELETE FROM sessions WHERE expires_at <= ?1");
  q_i64(&q, 1, now);
  q_step(&q);
  if (q_done(&q) != NB_OK)
    return q.rc;
  /* A disabled user has no sessions: none is added for one. */
  q_open(&q, s,
         "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
         " SELECT ?1, id, ?3, ?4 FROM users WHERE id = ?2 AND disabled = 0");
  q_text(&q, 1, token_hash);
  q_i64(&q, 2, user_id);
  q_i64(&q, 3, now);
  q_i64(&q, 4, expires_at);
  q_step(&q);
  if (q_changes(&q) == 0)
    q_err(&q, NB_ENOTFOUND, "no user with this id, or disabled");
  return q_done(&q);
}

int store_session_add(store *s, const char *token_hash, int64_t user_id,
                      int64_t now, int64_t expires_at) {
  int rc = NB_OK;

  if (!token_hash || !*token_hash)
    rc = store_err(s, NB_EINVAL, "token hash is required");
  if (rc == NB_OK)
    rc = store_check_text(s, token_hash, "token hash");
  if (rc == NB_OK && expires_at <= now)
    rc = store_err(s, NB_EINVAL, "session expires before it starts");
  if (rc == NB_OK)
    rc = store_w_begin(s);
  if (rc != NB_OK)
    return rc;
  return store_w_end(s,
                     session_insert(s, token_hash, user_id, now, expires_at));
}

int store_session_user(store *s, arena_t *a, const char *token_hash,
                       int64_t now, store_user *out) {
  store_q q;

  assert(token_hash);
  q_open(&q, s,
         "SELECT " USER_COLS " FROM sessions x JOIN users u ON u.id = x.user_id"
         " WHERE x.token_hash = ?1 AND x.expires_at > ?2 AND u.disabled = 0");
  q_text(&q, 1, token_hash);
  q_i64(&q, 2, now);
  if (q_step(&q))
    read_user(&q, a, out);
  else
    q_err(&q, NB_ENOTFOUND, "no live session with this token");
  return q_done(&q);
}

int store_session_end(store *s, const char *token_hash) {
  store_q q;

  assert(token_hash);
  q_open(&q, s, "DELETE FROM sessions WHERE token_hash = ?1");
  q_text(&q, 1, token_hash);
  q_step(&q);
  return q_done(&q);
}

int store_sessions_end_user(store *s, int64_t user_id, const char *keep) {
  int rc = store_check_text(s, keep, "session to keep");

  return rc == NB_OK ? sessions_delete(s, user_id, keep) : rc;
}

/* ---- audit log ---- */

int store_audit_add(store *s, int64_t user_id, const char *action,
                    const char *object, const char *detail) {
  store_q q;
  int rc = NB_OK;

  if (!action || !*action)
    rc = store_err(s, NB_EINVAL, "audit action is required");
  if (rc == NB_OK)
    rc = store_check_text(s, action, "audit action");
  if (rc == NB_OK)
    rc = store_check_text(s, object, "audit object");
  if (rc == NB_OK)
    rc = store_check_text(s, detail, "audit detail");
  if (rc != NB_OK)
    return rc;
  q_open(&q, s,
         "INSERT INTO audit_log (at, user_id, action, object, detail)"
         " VALUES (?1, ?2, ?3, ?4, ?5)");
  q_i64(&q, 1, nb_now());
  q_id(&q, 2, user_id); /* 0: NULL, the command line */
  q_text(&q, 3, action);
  q_text(&q, 4, object ? object : "");
  q_text(&q, 5, detail ? detail : "");
  q_step(&q);
  return q_done(&q);
}

int store_audit_list(store *s, arena_t *a, int64_t before_id, size_t limit,
                     store_audit_entry **out, size_t *n) {
  store_audit_entry *items = NULL;
  size_t cap = 0, len = 0;
  store_q q;
  int rc;

  *out = NULL;
  *n = 0;
  if (before_id < 0)
    return store_err(s, NB_EINVAL, "negative audit id");
  q_open(&q, s,
         "SELECT l.id, l.at, coalesce(l.user_id, 0), coalesce(u.name, ''),"
         " l.action, l.object, l.detail FROM audit_log l"
         " LEFT JOIN users u ON u.id = l.user_id"
         " WHERE l.id < ?1 ORDER BY l.id DESC LIMIT ?2");
  q_i64(&q, 1, before_id > 0 ? before_id : INT64_MAX);
  q_i64(&q, 2, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
  while (q_step(&q) &&
         (items = q_grow(&q, a, items, &cap, len, sizeof *items))) {
    store_audit_entry *e = &items[len++];
    e->id = q_col_i64(&q, 0);
    e->at = q_col_i64(&q, 1);
    e->user_id = q_col_i64(&q, 2);
    e->user_name = q_col_str(&q, a, 3);
    e->action = q_col_str(&q, a, 4);
    e->object = q_col_str(&q, a, 5);
    e->detail = q_col_str(&q, a, 6);
  }
  rc = q_done(&q);
  *out = rc == NB_OK ? items : NULL;
  *n = rc == NB_OK ? len : 0;
  return rc;
}
