/* newsroom.c: naba user, init, comments and settings: the newsroom from a
 * shell. */
#include <sodium.h>
#include <string.h>
#include <stdio.h>

#include "admin/admin.h"

#include "cli/cli.h"

/* ---- newsroom accounts ---- */

/* By store_role. */
static const char *const role_names[] = {"", "contributor", "author", "editor",
                                         "administrator"};

static int role_by_name(const char *name) {
  for (int r = STORE_ROLE_CONTRIBUTOR; r <= STORE_ROLE_ADMINISTRATOR; r++)
    if (name && strcmp(name, role_names[r]) == 0)
      return r;
  return 0;
}

/* A new one-time password and its hash; the caller shows pw once, after
 * the commit, and stores only the hash. */
static int new_onetime(char pw[ADMIN_ONETIME_CHARS + 1],
                       char hash[ADMIN_HASH_BYTES]) {
  admin_password_onetime(pw);
  return admin_password_hash(pw, hash);
}

static void print_onetime(char pw[ADMIN_ONETIME_CHARS + 1]) {
  printf("one-time password: %s (must be changed at first login)\n", pw);
  sodium_memzero(pw, ADMIN_ONETIME_CHARS + 1);
}

/* The audit entry of a change to user id by the command line (user 0),
 * in the change's transaction. */
static int audit(store *st, const char *action, int64_t id,
                 const char *detail) {
  char object[32];
  snprintf(object, sizeof object, "user:%lld", (long long)id);
  return store_audit_add(st, 0, action, object, detail);
}

/* Commits the store_begin() of a change and its audit entry when rc is
 * NB_OK, else rolls both back; returns the result. */
static int tx_end(store *st, int rc) {
  if (rc == NB_OK)
    return store_commit(st);
  store_rollback(st);
  return rc;
}

/* Adds u with a one-time password, inside the caller's transaction; pw
 * gets the password, to print once committed. */
static int user_insert(store *st, store_user *u, int64_t *id,
                       char pw[ADMIN_ONETIME_CHARS + 1]) {
  char hash[ADMIN_HASH_BYTES], detail[64];
  int rc = new_onetime(pw, hash);
  u->password_hash = hash;
  u->must_change = 1;
  snprintf(detail, sizeof detail, "role %s", role_names[u->role]);
  if (rc == NB_OK)
    rc = store_user_add(st, u, id);
  if (rc == NB_OK)
    rc = audit(st, "user_add", *id, detail);
  u->password_hash = NULL;
  return rc;
}

static int user_add(store *st, store_user *u) {
  char pw[ADMIN_ONETIME_CHARS + 1];
  int64_t id = 0;
  int rc = store_begin(st);
  if (rc == NB_OK)
    rc = tx_end(st, user_insert(st, u, &id, pw));
  if (rc != NB_OK)
    return cli_fail("cannot add %s: %s", u->name,
                    rc == NB_ENOMEM ? "out of memory" : store_errmsg(st));
  printf("user %s added (id %lld, %s)\n", u->name, (long long)id,
         role_names[u->role]);
  print_onetime(pw);
  return 0;
}

/* The administrator of a database that has no user yet: admin@ the
 * site's own domain when its URL has one, else admin@localhost. */
static int init_admin(store *st) {
  arena_t a = {0};
  char email[300] = "admin@localhost", pw[ADMIN_ONETIME_CHARS + 1];
  const char *url = cli_setting(st, &a, "site_url"), *host = strstr(url, "://");
  host = host ? host + 3 : url;
  if (strncmp(host, "www.", 4) == 0)
    host += 4;
  size_t n = strcspn(host, ":/?#");
  if (n > 0 && n < 250 && memchr(host, '.', n) &&
      strspn(host, "0123456789.") < n)
    snprintf(email, sizeof email, "admin@%.*s", (int)n, host);
  arena_free(&a);
  store_user u = {.name = "admin",
                  .email = email,
                  .role = STORE_ROLE_ADMINISTRATOR,
                  .lang = "ar"};
  int64_t users = 0, id = 0;
  /* Counted inside the write: two inits at once make one administrator. */
  int rc = store_begin(st);
  if (rc == NB_OK)
    rc = store_user_count(st, &users);
  if (rc == NB_OK && users > 0) {
    store_rollback(st);
    return 0; /* the newsroom has its people: nothing to say about them */
  }
  if (rc == NB_OK)
    rc = user_insert(st, &u, &id, pw);
  if ((rc = tx_end(st, rc)) != NB_OK)
    return cli_fail("cannot add the administrator: %s",
                    rc == NB_ENOMEM ? "out of memory" : store_errmsg(st));
  printf("administrator: admin <%s>\n", email);
  print_onetime(pw);
  return 0;
}

/* One line of `naba user list`. Names and addresses may come from an
 * import: escaped like comments. */
static void print_user(const store_user *u) {
  buf_t b = {0};
  buf_printf(&b, "%lld\t", (long long)u->id);
  buf_log_escape(&b, u->name, strlen(u->name));
  buf_putc(&b, '\t');
  buf_log_escape(&b, u->email, strlen(u->email));
  buf_printf(&b, "\t%s\t%s%s\t%s\n",
             u->role >= 1 && u->role <= 4 ? role_names[u->role] : "?",
             u->disabled ? "disabled" : "active",
             !u->password_hash[0] ? ", no password"
             : u->must_change     ? ", one-time password"
                                  : "",
             u->lang);
  if (b.data)
    fwrite(b.data, 1, b.len, stdout);
  buf_free(&b);
}

int cli_user(const cli_options *o) {
  const char *sub = o->nargs > 0 ? o->args[0] : "";
  int nargs = strcmp(sub, "list") == 0   ? 1
              : strcmp(sub, "role") == 0 ? 3
              : strcmp(sub, "add") == 0 || strcmp(sub, "disable") == 0 ||
                      strcmp(sub, "enable") == 0 || strcmp(sub, "passwd") == 0
                  ? 2
                  : 0;
  if (nargs == 0 || o->nargs != nargs)
    return cli_fail("usage: naba user add NAME --email E --role ROLE "
                    "[--lang ar|en] | list | role NAME ROLE | "
                    "disable|enable|passwd NAME\n"
                    "      ROLE: administrator, editor, author or contributor");
  int role = role_by_name(strcmp(sub, "role") == 0 ? o->args[2] : o->role);
  if ((strcmp(sub, "role") == 0 || strcmp(sub, "add") == 0) && !role)
    return cli_fail("role: administrator, editor, author or contributor, not "
                    "\"%s\"",
                    strcmp(sub, "role") == 0 ? o->args[2]
                    : o->role                ? o->role
                                             : "");
  if (strcmp(sub, "add") == 0 && !o->email)
    return cli_fail("user add: --email is required");
  store *st;
  if (cli_open_store(o, &st))
    return 1;
  arena_t a = {0};
  store_user u;
  int rc = 0, r;
  if (strcmp(sub, "add") == 0) {
    u = (store_user){.name = o->args[1],
                     .email = o->email,
                     .role = role,
                     .lang = o->lang ? o->lang : "ar"};
    rc = user_add(st, &u);
  } else if (strcmp(sub, "list") == 0) {
    store_user *all;
    size_t n = 0;
    if (store_users(st, &a, &all, &n) != NB_OK)
      rc = cli_fail("cannot list users: %s", store_errmsg(st));
    for (size_t i = 0; i < n; i++)
      print_user(&all[i]);
  } else if ((r = store_user_by_login(st, &a, o->args[1], &u)) != NB_OK) {
    rc = r == NB_ENOTFOUND ? cli_fail("no user \"%s\"", o->args[1])
                           : cli_fail("%s", store_errmsg(st));
  } else if (strcmp(sub, "passwd") == 0) {
    char pw[ADMIN_ONETIME_CHARS + 1], hash[ADMIN_HASH_BYTES];
    r = new_onetime(pw, hash);
    if (r == NB_OK && (r = store_begin(st)) == NB_OK) {
      r = store_user_set_password(st, u.id, hash, 1, NULL);
      if (r == NB_OK)
        r = audit(st, "passwd", u.id, "one-time password");
      r = tx_end(st, r);
    }
    if (r != NB_OK)
      rc = cli_fail("cannot set the password: %s",
                    r == NB_ENOMEM ? "out of memory" : store_errmsg(st));
    else
      print_onetime(pw); /* every session of the user has ended */
  } else {
    char detail[64] = "";
    int disable = strcmp(sub, "disable") == 0;
    if (strcmp(sub, "role") == 0)
      snprintf(detail, sizeof detail, "%s -> %s",
               u.role >= 1 && u.role <= 4 ? role_names[u.role] : "?",
               role_names[role]);
    r = store_begin(st);
    if (r == NB_OK) {
      r = strcmp(sub, "role") == 0 ? store_user_set_role(st, u.id, role)
                                   : store_user_set_disabled(st, u.id, disable);
      if (r == NB_OK)
        r = audit(st, sub, u.id, detail);
      r = tx_end(st, r);
    }
    if (r != NB_OK)
      rc = cli_fail("cannot change %s: %s", u.name, store_errmsg(st));
  }
  arena_free(&a);
  store_close(st);
  return rc;
}

/* Creates the database; the administrator when it has no user. */
int cli_init(const cli_options *o) {
  store *st;
  if (cli_open_store(o, &st))
    return 1;
  printf("database %s is ready\n", o->db);
  int rc = o->demo ? cli_load_demo(st) : 0;
  if (rc == 0)
    rc = init_admin(st);
  store_close(st);
  return rc;
}

/* ---- comments ---- */

static const char *status_names[] = {"pending", "approved", "spam"};

/* One line of `naba comments list`. Names, addresses and text are the
 * readers': escaped, they cannot reorder the moderator's lines (U+202E),
 * forge one (a line break or a tab) or drive the terminal (ESC). */
static void print_comment(const store_comment *c) {
  char when[32];
  nb_time_iso(c->created_at, when);
  size_t first = strcspn(c->body, "\r\n");
  size_t shown = first > 80 ? 80 : first;
  while (shown > 0 && shown < first &&
         ((unsigned char)c->body[shown] & 0xc0) == 0x80)
    shown--; /* cut between characters, not inside one */
  buf_t b = {0};
  buf_printf(&b, "%lld\t%s\t%s\tarticle %lld\t", (long long)c->id,
             status_names[c->status], when, (long long)c->article_id);
  buf_log_escape(&b, c->author_name, strlen(c->author_name));
  buf_puts(&b, " <");
  if (c->author_email)
    buf_log_escape(&b, c->author_email, strlen(c->author_email));
  buf_puts(&b, ">\t");
  buf_log_escape(&b, c->client, strlen(c->client));
  buf_putc(&b, '\t');
  buf_log_escape(&b, c->body, shown);
  buf_puts(&b, first > 80 || c->body[first] ? "…\n" : "\n");
  if (b.data)
    fwrite(b.data, 1, b.len, stdout);
  buf_free(&b);
}

int cli_comments(const cli_options *o) {
  const char *sub = o->nargs > 0 ? o->args[0] : "";
  store *st;
  int rc = 0;
  if (strcmp(sub, "list") == 0) {
    int status = STORE_COMMENT_PENDING;
    for (int i = 1; i < o->nargs; i++) {
      int found = 0;
      for (int k = 0; k < 3; k++)
        if (strcmp(o->args[i], status_names[k]) == 0)
          status = k, found = 1;
      if (strcmp(o->args[i], "all") == 0)
        status = -1, found = 1;
      if (!found)
        return cli_fail(
            "comments list: pending, approved, spam or all, not \"%s\"",
            o->args[i]);
    }
    if (cli_open_store(o, &st))
      return 1;
    arena_t a = {0};
    store_comment *cs;
    size_t n = 0;
    if (store_comments_list(st, &a, status, 0, 1000, &cs, &n) != NB_OK)
      rc = cli_fail("cannot list comments: %s", store_errmsg(st));
    for (size_t i = 0; i < n; i++)
      print_comment(&cs[i]);
    arena_free(&a);
    store_close(st);
    return rc;
  }
  int status = strcmp(sub, "approve") == 0   ? STORE_COMMENT_APPROVED
               : strcmp(sub, "spam") == 0    ? STORE_COMMENT_SPAM
               : strcmp(sub, "pending") == 0 ? STORE_COMMENT_PENDING
               : strcmp(sub, "delete") == 0  ? -1
                                             : -2;
  int open_state = strcmp(sub, "open") == 0     ? 0
                   : strcmp(sub, "close") == 0  ? 1
                   : strcmp(sub, "follow") == 0 ? -1
                                                : -2;
  if ((status == -2 && open_state == -2) || o->nargs < 2)
    return cli_fail(
        "usage: naba comments list [pending|approved|spam|all] | "
        "approve|spam|pending|delete ID... | open|close|follow ARTICLE...");
  if (cli_open_store(o, &st))
    return 1;
  for (int i = 1; i < o->nargs; i++) {
    int64_t id;
    const char *v = o->args[i];
    if (nb_parse_i64(v, strlen(v), 1, INT64_MAX, &id) != NB_OK) {
      rc = cli_fail("not an id: \"%s\"", v);
      continue;
    }
    int r = open_state != -2 ? store_article_comments_set(st, id, open_state)
            : status == -1   ? store_comment_delete(st, id)
                             : store_comment_set_status(st, id, status);
    if (r == NB_ENOTFOUND)
      rc = cli_fail("%s %s: no such id",
                    open_state != -2 ? "article" : "comment", v);
    else if (r != NB_OK)
      rc = cli_fail("%s: %s", v, store_errmsg(st));
  }
  store_close(st);
  return rc;
}

/* ---- settings ---- */

/* Sets key (value non-NULL) or goes back to its default, with the audit
 * entry of the command line (user 0), as the newsroom does. */
static int setting_write(store *st, const char *key, const char *value) {
  char object[96];
  snprintf(object, sizeof object, "setting:%s", key);
  int rc = store_begin(st);
  if (rc != NB_OK)
    return rc;
  rc = value ? store_setting_set(st, key, value) : store_setting_unset(st, key);
  if (rc == NB_OK)
    rc = store_audit_add(st, 0, value ? "setting_set" : "setting_unset", object,
                         value ? value : "");
  return tx_end(st, rc);
}

int cli_settings(const cli_options *o) {
  const char *sub = o->nargs > 0 ? o->args[0] : "";
  store *st;
  int rc = 0;
  char err[512];
  if (strcmp(sub, "list") != 0 && strcmp(sub, "get") != 0 &&
      strcmp(sub, "set") != 0 && strcmp(sub, "unset") != 0)
    return cli_fail(
        "usage: naba settings list | get KEY | set KEY VALUE | unset KEY");
  if ((strcmp(sub, "get") == 0 || strcmp(sub, "unset") == 0) && o->nargs != 2)
    return cli_fail("usage: naba settings %s KEY", sub);
  if (strcmp(sub, "set") == 0 && o->nargs != 3)
    return cli_fail("usage: naba settings set KEY VALUE");
  if (o->nargs > 1 && !store_setting_find(o->args[1]))
    return cli_fail("unknown setting \"%s\" (see: naba settings list)",
                    o->args[1]);
  if (cli_open_store(o, &st))
    return 1;
  arena_t a = {0};
  if (strcmp(sub, "list") == 0) {
    size_t n;
    const store_setting_def *defs = store_setting_defs(&n);
    for (size_t i = 0; i < n; i++) {
      const char *v = NULL;
      store_setting_get(st, &a, defs[i].key, &v);
      printf("%-18s %s%s\n%-18s   %s\n", defs[i].key, v ? v : defs[i].fallback,
             v ? "" : "  (default)", "", defs[i].help);
    }
  } else if (strcmp(sub, "get") == 0) {
    const char *v = NULL;
    store_setting_get(st, &a, o->args[1], &v);
    printf("%s\n", v ? v : store_setting_find(o->args[1])->fallback);
  } else if (strcmp(sub, "set") == 0) {
    if (store_setting_check(o->args[1], o->args[2], err, sizeof err) != NB_OK)
      rc = cli_fail("%s", err);
    else if (setting_write(st, o->args[1], o->args[2]) != NB_OK)
      rc = cli_fail("cannot save: %s", store_errmsg(st));
  } else if (setting_write(st, o->args[1], NULL) != NB_OK) {
    rc = cli_fail("cannot save: %s", store_errmsg(st));
  }
  arena_free(&a);
  store_close(st);
  return rc;
}
