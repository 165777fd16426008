/* users.c: the newsroom's accounts and its audit log, for administrators:
 * the list, adding a user, a role, disabling and enabling, a new one-time
 * password; each change audited with the same actions as `naba user`. */
#include "admin/internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

/* The roles as the form and the audit log name them, by STORE_ROLE_*. */
static const char *const role_keys[] = {"", "contributor", "author", "editor",
                                        "administrator"};

static int role_of(const char *s) {
  for (int i = STORE_ROLE_CONTRIBUTOR; s && i <= STORE_ROLE_ADMINISTRATOR; i++)
    if (strcmp(s, role_keys[i]) == 0)
      return i;
  return 0;
}

static const char *field(admin_req *r, const char *name) {
  const char *v = web_form_get(r->req->form, r->req->nform, name);
  return v ? v : "";
}

static int64_t id_of(const char *v) {
  int64_t id = 0;
  if (!v || nb_parse_i64(v, strlen(v), 1, INT64_MAX, &id) != NB_OK)
    return 0;
  return id;
}

/* The role choices of a select, role selected. */
static json_t *roles_json(int role) {
  json_t *a = json_array();
  for (int i = STORE_ROLE_CONTRIBUTOR; i <= STORE_ROLE_ADMINISTRATOR; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "value", json_string(role_keys[i]));
    json_object_set_new(o, "label", json_string(admin_role_name(i)));
    json_object_set_new(o, "selected", json_boolean(i == role));
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *langs_json(const char *lang) {
  static const char *const codes[][2] = {{"ar", "العربية"}, {"en", "English"}};
  json_t *a = json_array();
  for (size_t i = 0; i < 2; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(codes[i][0]));
    json_object_set_new(o, "name", json_string(codes[i][1]));
    json_object_set_new(o, "selected",
                        json_boolean(strcmp(lang, codes[i][0]) == 0));
    json_array_append_new(a, o);
  }
  return a;
}

/* What the last POST did, from its redirect's query. */
static const admin_done user_done[] = {
    {"role", N_("The role was changed.")},
    {"disable", N_("The account was disabled: its sessions have ended.")},
    {"enable", N_("The account was enabled.")},
};

/* Renders the users page with status; d (taken) may already hold an
 * error, a one-time password and what the add form had. */
static void users_page(admin_req *r, int status, json_t *d) {
  store_user *us = NULL;
  size_t n = 0;
  int rc = store_users(r->st, r->a, &us, &n);
  if (rc != NB_OK) {
    json_decref(d);
    admin_unavailable(r, rc, "store_users");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(us[i].id));
    json_object_set_new(o, "name", json_string(us[i].name));
    json_object_set_new(o, "email", json_string(us[i].email));
    json_object_set_new(o, "role", json_string(admin_role_name(us[i].role)));
    json_object_set_new(o, "roles", roles_json(us[i].role));
    json_object_set_new(o, "disabled", json_boolean(us[i].disabled));
    json_object_set_new(
        o, "state", json_string(us[i].disabled ? _("Disabled") : _("Active")));
    json_object_set_new(
        o, "lang",
        json_string(strcmp(us[i].lang, "en") == 0 ? "English" : "العربية"));
    json_object_set_new(o, "lang_code", json_string(us[i].lang));
    json_object_set_new(o, "self", json_boolean(us[i].id == r->user.id));
    json_array_append_new(list, o);
  }
  json_object_set_new(d, "users", list);
  if (!json_object_get(d, "form")) {
    json_t *f = json_object();
    json_object_set_new(f, "roles", roles_json(STORE_ROLE_CONTRIBUTOR));
    json_object_set_new(f, "langs", langs_json("ar"));
    json_object_set_new(d, "form", f);
  }
  const char *notice =
      admin_done_notice(r, user_done, sizeof user_done / sizeof *user_done);
  if (notice && !json_object_get(d, "notice"))
    json_object_set_new(d, "notice", json_string(notice));
  admin_render(r, status, "users", d);
}

void admin_users(admin_req *r) {
  if (!admin_can(r, ADMIN_USERS)) {
    admin_forbidden(r);
    return;
  }
  users_page(r, 200, json_object());
}

/* Commits a change begun with store_begin() when rc is NB_OK, else rolls
 * it back; the result. */
static int tx_end(store *st, int rc) {
  if (rc == NB_OK)
    return store_commit(st);
  store_rollback(st);
  return rc;
}

/* The add form again, with what was typed and why it was refused. */
static void add_refused(admin_req *r, const char *why) {
  json_t *d = json_object(), *f = json_object();
  const char *lang = field(r, "lang");
  json_object_set_new(f, "name", json_string(field(r, "name")));
  json_object_set_new(f, "email", json_string(field(r, "email")));
  json_object_set_new(f, "roles", roles_json(role_of(field(r, "role"))));
  json_object_set_new(f, "langs", langs_json(lang));
  json_object_set_new(d, "form", f);
  json_object_set_new(d, "add_error", json_string(why));
  users_page(r, 422, d);
}

/* The page with the one-time password of user name, shown this once: the
 * answer to the POST itself, never a URL. */
static void show_onetime(admin_req *r, const char *name, const char *pw,
                         const char *notice) {
  json_t *d = json_object(), *o = json_object();
  json_object_set_new(o, "name", json_string(name));
  json_object_set_new(o, "password", json_string(pw));
  json_object_set_new(d, "onetime", o);
  json_object_set_new(d, "notice", json_string(notice));
  users_page(r, 200, d);
}

static void add_post(admin_req *r) {
  const char *name = field(r, "name"), *email = field(r, "email"),
             *lang = field(r, "lang");
  int role = role_of(field(r, "role"));
  if (!*name || !*email) {
    add_refused(r, _("A new account needs a name and an e-mail address."));
    return;
  }
  if (!role || (strcmp(lang, "ar") != 0 && strcmp(lang, "en") != 0)) {
    add_refused(r, _("Choose a role and a language from the lists."));
    return;
  }
  char pw[ADMIN_ONETIME_CHARS + 1], hash[ADMIN_HASH_BYTES];
  admin_password_onetime(pw);
  int rc = admin_password_hash(pw, hash);
  store_user u = {.name = name,
                  .email = email,
                  .role = role,
                  .lang = lang,
                  .password_hash = hash,
                  .must_change = 1};
  int64_t id = 0;
  if (rc == NB_OK && (rc = store_begin(r->st)) == NB_OK) {
    rc = store_user_add(r->st, &u, &id);
    if (rc == NB_OK)
      rc = store_audit_add(r->st, r->user.id, "user_add",
                           arena_printf(r->a, "user:%lld", (long long)id),
                           arena_printf(r->a, "role %s", role_keys[role]));
    rc = tx_end(r->st, rc);
  }
  if (rc == NB_EEXIST) {
    add_refused(r, _("That name or e-mail address already has an account."));
  } else if (rc == NB_EINVAL) {
    add_refused(r, _("That name or e-mail address cannot be used. A name has "
                     "1 to 64 characters and no \"@\"; an e-mail address "
                     "has one \"@\" and no spaces."));
  } else if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_user_add");
  } else {
    show_onetime(r, name, pw,
                 _("The account was added. Give its holder this one-time "
                   "password; they choose their own when they first log "
                   "in."));
  }
  sodium_memzero(pw, sizeof pw);
}

/* A change refused: the page with why, status 422. */
static void refused(admin_req *r, const char *why) {
  json_t *d = json_object();
  json_object_set_new(d, "error", json_string(why));
  users_page(r, 422, d);
}

void admin_users_post(admin_req *r) {
  if (!admin_can(r, ADMIN_USERS)) {
    admin_forbidden(r);
    return;
  }
  const char *action = field(r, "action");
  if (strcmp(action, "add") == 0) {
    add_post(r);
    return;
  }
  store_user u;
  int64_t id = id_of(field(r, "user"));
  int rc = id ? store_user_get(r->st, r->a, id, &u) : NB_ENOTFOUND;
  if (rc == NB_ENOTFOUND) {
    json_t *d = json_object();
    json_object_set_new(
        d, "message", json_string(_("There is no such page in the newsroom.")));
    admin_render(r, 404, "error", d);
    return;
  }
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_user_get");
    return;
  }
  const char *object = arena_printf(r->a, "user:%lld", (long long)id);
  if (strcmp(action, "passwd") == 0) {
    char pw[ADMIN_ONETIME_CHARS + 1], hash[ADMIN_HASH_BYTES];
    admin_password_onetime(pw);
    rc = admin_password_hash(pw, hash);
    if (rc == NB_OK && (rc = store_begin(r->st)) == NB_OK) {
      /* Every session of the user ends: whoever had the old password. */
      rc = store_user_set_password(r->st, id, hash, 1, NULL);
      if (rc == NB_OK)
        rc = store_audit_add(r->st, r->user.id, "passwd", object,
                             "one-time password");
      rc = tx_end(r->st, rc);
    }
    if (rc != NB_OK)
      admin_unavailable(r, rc, "store_user_set_password");
    else
      show_onetime(r, u.name, pw,
                   _("A new one-time password was given: the account's "
                     "sessions have ended."));
    sodium_memzero(pw, sizeof pw);
    return;
  }
  int role = 0, disable = strcmp(action, "disable") == 0;
  const char *detail = "";
  if (strcmp(action, "role") == 0) {
    if (!(role = role_of(field(r, "role")))) {
      refused(r, _("Choose a role and a language from the lists."));
      return;
    }
    detail = arena_printf(r->a, "%s -> %s",
                          u.role >= 1 && u.role <= 4 ? role_keys[u.role] : "?",
                          role_keys[role]);
  } else if (!disable && strcmp(action, "enable") != 0) {
    admin_redirect(r, "/admin/users");
    return;
  }
  if (disable && id == r->user.id) {
    refused(r, _("You cannot disable your own account: another "
                 "administrator can."));
    return;
  }
  if ((rc = store_begin(r->st)) == NB_OK) {
    rc = role ? store_user_set_role(r->st, id, role)
              : store_user_set_disabled(r->st, id, disable);
    if (rc == NB_OK)
      rc = store_audit_add(r->st, r->user.id, action, object, detail);
    rc = tx_end(r->st, rc);
  }
  if (rc == NB_EINVAL && strstr(store_errmsg(r->st), "last administrator")) {
    refused(r, _("The last administrator cannot be demoted or disabled: make "
                 "someone else an administrator first."));
    return;
  }
  if (rc != NB_OK) {
    admin_unavailable(r, rc, action);
    return;
  }
  admin_redirect(r, arena_printf(r->a, "/admin/users?done=%s", action));
}

void admin_audit(admin_req *r) {
  if (!admin_can(r, ADMIN_AUDIT)) {
    admin_forbidden(r);
    return;
  }
  int64_t before = id_of(web_query(r->req, "before"));
  store_audit_entry *es = NULL;
  size_t n = 0;
  int rc = store_audit_list(r->st, r->a, before, ADMIN_AUDIT_PAGE, &es, &n);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_audit_list");
    return;
  }
  json_t *d = json_object(), *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "date", json_string(admin_date(r, es[i].at)));
    json_object_set_new(
        o, "who",
        json_string(es[i].user_id ? es[i].user_name : _("command line")));
    json_object_set_new(o, "action", json_string(es[i].action));
    json_object_set_new(o, "object", json_string(es[i].object));
    json_object_set_new(o, "detail", json_string(es[i].detail));
    json_array_append_new(list, o);
  }
  json_object_set_new(d, "entries", list);
  json_object_set_new(d, "has_entries", json_boolean(n > 0));
  if (n == ADMIN_AUDIT_PAGE)
    json_object_set_new(
        d, "older",
        json_string(arena_printf(r->a, "/admin/audit?before=%lld",
                                 (long long)es[n - 1].id)));
  admin_render(r, 200, "audit", d);
}
