/* login.c: logging in and out, the limits on guessing, and changing one's
 * password. */
#include "admin/internal.h"

#include <string.h>

#include "core/core.h"

/* Where to go after logging in: an admin path only, never another site. */
static const char *next_path(admin_req *r) {
  const char *n = web_form_get(r->req->form, r->req->nform, "next");
  if (!n)
    n = web_query(r->req, "next");
  if (!n || !admin_path(n) || strstr(n, "//") || strstr(n, "/..") ||
      strchr(n, '\\'))
    return "/admin";
  return n;
}

/* The login form; keep (may be NULL): an article form's fields, as JSON,
 * carried through the login into the user's autosave; next: where to go
 * after (NULL: from the request). */
static void login_form(admin_req *r, int status, const char *error,
                       const char *name, const char *keep, const char *next) {
  json_t *d = json_object();
  if (keep)
    json_object_set_new(d, "keep", json_string(keep));
  if (error)
    json_object_set_new(d, "error", json_string(error));
  json_object_set_new(d, "name", json_string(name ? name : ""));
  json_object_set_new(d, "next", json_string(next ? next : next_path(r)));
  int en = strcmp(nb_lang(), "en") == 0;
  json_object_set_new(d, "other_lang", json_string(en ? "ar" : "en"));
  json_object_set_new(d, "other_lang_name",
                      json_string(en ? "العربية" : "English"));
  admin_render(r, status, "login", d);
}

void admin_login_form(admin_req *r, int status, const char *error,
                      const char *name) {
  login_form(r, status, error, name, NULL, NULL);
}

/* The article of an editor path: /admin/articles/ID... (0: new). */
static int64_t article_of(const char *path) {
  const char *p = path + strlen("/admin/articles/");
  int64_t id = 0;
  if (strncmp(path, "/admin/articles/", 16) != 0 ||
      nb_parse_i64(p, strcspn(p, "/?"), 1, INT64_MAX, &id) != NB_OK)
    return 0;
  return id;
}

void admin_login_keep(admin_req *r) {
  admin_article_form f;
  admin_form_from_post(r, &f);
  json_t *o = admin_form_json(&f);
  char *keep = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  int64_t id = article_of(r->req->path);
  const char *next =
      id ? arena_printf(r->a, "/admin/articles/%lld?autosave=1", (long long)id)
         : "/admin/articles/new?autosave=1";
  login_form(r, 401,
             _("Your session has ended. Log in again: what you wrote is kept "
               "and opens again in the editor."),
             NULL, keep, next);
  admin_json_free(keep);
}

/* After a login: the article form carried through it becomes the user's
 * autosave of that article, which the editor then opens. */
static int keep_text(admin_req *r, int64_t user_id) {
  const char *keep = web_form_get(r->req->form, r->req->nform, "keep");
  admin_article_form f;
  if (!keep || admin_form_from_json(r, keep, &f) != NB_OK)
    return NB_OK; /* nothing to keep, or not a form's: dropped */
  store_autosave as = {
      .base_revision = f.revision, .at = r->now, .fields = keep};
  return store_autosave_put(r->st, user_id, article_of(next_path(r)), &as);
}

/* 1 when the address made too many attempts this minute (then counts this
 * one too, so a flood stays refused). */
static int client_over(admin *ad, const char *addr, int64_t now) {
  uint64_t h = 1469598103934665603ull;
  for (const char *p = addr; *p; p++)
    h = (h ^ (unsigned char)*p) * 1099511628211ull;
  pthread_mutex_lock(&ad->lock);
  admin_client *c = &ad->clients[h % ADMIN_LOGIN_CLIENTS];
  if (strcmp(c->addr, addr) != 0 || c->minute != now / 60) {
    snprintf(c->addr, sizeof c->addr, "%s", addr);
    c->minute = now / 60;
    c->count = 0;
  }
  int over = ++c->count > ADMIN_LOGINS_PER_MINUTE;
  pthread_mutex_unlock(&ad->lock);
  return over;
}

/* Seconds the account must still wait before its next attempt. */
static int64_t account_wait(const store_user *u, int64_t now) {
  if (u->failed_logins < ADMIN_LOGIN_FREE_FAILURES)
    return 0;
  int64_t k = u->failed_logins - ADMIN_LOGIN_FREE_FAILURES;
  int64_t wait = k >= 10 ? ADMIN_LOGIN_MAX_WAIT : (int64_t)1 << k;
  if (wait > ADMIN_LOGIN_MAX_WAIT)
    wait = ADMIN_LOGIN_MAX_WAIT;
  int64_t left = u->last_failed_at + wait - now;
  return left > 0 ? left : 0;
}

static void too_many(admin_req *r, int64_t seconds, const char *name) {
  login_form(
      r, 429,
      arena_printf(
          r->a,
          nb_ngettext("Too many attempts. Wait %lld second, then try again.",
                      "Too many attempts. Wait %lld seconds, then try again.",
                      (unsigned long)seconds),
          (long long)seconds),
      name, web_form_get(r->req->form, r->req->nform, "keep"), NULL);
  r->res->retry_after = (int)seconds;
}

void admin_login_post(admin_req *r) {
  const char *why;
  const char *name = web_form_get(r->req->form, r->req->nform, "name");
  const char *pw = web_form_get(r->req->form, r->req->nform, "password");
  if (!web_from_our_pages(r->req, r->site->url, &why)) {
    admin_login_form(r, 403,
                     _("This form was not sent from the newsroom's own page."),
                     NULL);
    return;
  }
  if (!name || !*name || !pw || !*pw) {
    login_form(r, 422, _("Write your name and your password."), name,
               web_form_get(r->req->form, r->req->nform, "keep"), NULL);
    return;
  }
  if (client_over(r->ad, r->site->client, r->now)) {
    too_many(r, 60 - r->now % 60, name);
    return;
  }
  store_user u;
  int rc = store_user_by_login(r->st, r->a, name, &u);
  if (rc != NB_OK && rc != NB_ENOTFOUND) {
    admin_unavailable(r, rc, "store_user_by_login");
    return;
  }
  int64_t wait = rc == NB_OK ? account_wait(&u, r->now) : 0;
  if (wait > 0) {
    too_many(r, wait, name);
    return;
  }
  /* A missing user, a disabled one and a wrong password take as long
   * and say the same: the form tells no one which names exist. */
  int rehash = 0;
  int ok = admin_password_verify(rc == NB_OK ? u.password_hash : NULL, pw,
                                 &rehash) == NB_OK &&
           rc == NB_OK && !u.disabled;
  if (!ok) {
    if (rc == NB_OK &&
        (rc = store_user_login_failed(r->st, u.id, r->now)) != NB_OK) {
      admin_unavailable(r, rc, "store_user_login_failed");
      return;
    }
    {
      login_form(r, 401, _("The name or the password is wrong."), name,
                 web_form_get(r->req->form, r->req->nform, "keep"), NULL);
      return;
    }
  }
  char fresh[ADMIN_HASH_BYTES];
  const char *new_hash = NULL;
  if (rehash && admin_password_hash(pw, fresh) == NB_OK)
    new_hash = fresh;
  rc = store_user_login_ok(r->st, u.id, new_hash);
  /* A new token at every login; a session this browser had ends. */
  if (rc == NB_OK && r->in)
    rc = store_session_end(r->st, r->token_hash);
  if (rc == NB_OK)
    rc = admin_session_start(r, u.id);
  if (rc == NB_OK)
    rc = keep_text(r, u.id);
  if (rc == NB_OK)
    rc = store_audit_add(r->st, u.id, "login",
                         arena_printf(r->a, "user:%lld", (long long)u.id),
                         r->site->client);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "login");
    return;
  }
  admin_redirect(r, u.must_change ? "/admin/password" : next_path(r));
}

void admin_logout_post(admin_req *r, int everywhere) {
  int rc =
      everywhere ? store_sessions_end_user(r->st, r->user.id, NULL) : NB_OK;
  if (rc == NB_OK)
    rc = admin_session_end(r);
  if (rc == NB_OK && everywhere)
    rc = store_audit_add(r->st, r->user.id, "logout-everywhere",
                         arena_printf(r->a, "user:%lld", (long long)r->user.id),
                         "");
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "logout");
    return;
  }
  admin_redirect(r, "/admin/login");
}

void admin_password_form(admin_req *r, int status, const char *error) {
  json_t *d = json_object();
  if (error)
    json_object_set_new(d, "error", json_string(error));
  json_object_set_new(d, "must_change", json_boolean(r->user.must_change));
  admin_render(r, status, "password", d);
}

void admin_password_post(admin_req *r) {
  const web_field *f = r->req->form;
  size_t n = r->req->nform;
  const char *cur = web_form_get(f, n, "current");
  const char *pw = web_form_get(f, n, "new");
  const char *again = web_form_get(f, n, "again");
  char err[256];
  int rehash;
  if (!cur || !pw || !again) {
    admin_password_form(r, 422, _("Fill in the three fields."));
    return;
  }
  if (admin_password_verify(r->user.password_hash, cur, &rehash) != NB_OK) {
    admin_password_form(r, 422, _("The current password is wrong."));
    return;
  }
  if (strcmp(pw, again) != 0) {
    admin_password_form(r, 422, _("The two new passwords are not the same."));
    return;
  }
  if (strcmp(pw, cur) == 0) {
    admin_password_form(
        r, 422, _("The new password must differ from the current one."));
    return;
  }
  if (admin_password_check(pw, r->user.name, r->user.email, err, sizeof err) !=
      NB_OK) {
    admin_password_form(r, 422, arena_strdup(r->a, err));
    return;
  }
  char hash[ADMIN_HASH_BYTES];
  int rc = admin_password_hash(pw, hash);
  /* Every other session ends: whoever knew the old password is out. */
  if (rc == NB_OK)
    rc = store_user_set_password(r->st, r->user.id, hash, 0, r->token_hash);
  if (rc == NB_OK)
    rc = store_audit_add(r->st, r->user.id, "password",
                         arena_printf(r->a, "user:%lld", (long long)r->user.id),
                         "");
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_user_set_password");
    return;
  }
  admin_redirect(r, "/admin?done=password");
}
