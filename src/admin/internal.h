/* admin/internal.h: what the files of admin/ share, not for other modules.
 *
 *   password.c  hashing and checking passwords
 *   admin.c     admin_open, admin_handle: from a path to a page, rendering
 *   session.c   session cookies, CSRF tokens, who is logged in
 *   login.c     logging in and out, the login limits, changing a password
 *   pages.c     the newsroom's pages (the dashboard, the interface language)
 *   roles.c     who may do what: the role x action table
 *   comments.c  moderating readers' comments
 *   users.c     the accounts and the audit log, for administrators
 *   taxonomy.c  sections and tags, for editors and administrators
 *   settings.c  the site's settings, for administrators
 */
#ifndef NABA_ADMIN_INTERNAL_H
#define NABA_ADMIN_INTERNAL_H

#include <jansson.h>
#include <pthread.h>

#include "admin/admin.h"
#include "render/render.h"
#include "store/store.h"
#include "web/web.h"

#define ADMIN_HTML "text/html; charset=utf-8"
/* A session lasts this long from login; then its holder logs in again
 * (what they were writing is kept in the refused form). */
#define ADMIN_SESSION_SECONDS (7 * 24 * 3600)
/* Login attempts one client address may make in a minute (429 over). */
#define ADMIN_LOGINS_PER_MINUTE 10
#define ADMIN_LOGIN_CLIENTS 256 /* addresses the limit remembers */
/* An account's failed attempts before each next one must wait: 1 s, then
 * twice as long each time, at most ADMIN_LOGIN_MAX_WAIT. Never a lockout:
 * the owner gets in once the wait is over. */
#define ADMIN_LOGIN_FREE_FAILURES 3
#define ADMIN_LOGIN_MAX_WAIT 600
/* Articles on a page of the newsroom's list, comments on a page of the
 * moderation queue (at most WEB_FORM_MAX_FIELDS - 8: each is a checkbox
 * of the one form). */
#define ADMIN_LIST_PAGE 50
#define ADMIN_COMMENTS_PAGE 50
/* Entries on a page of the audit log. */
#define ADMIN_AUDIT_PAGE 50
/* Tags on a page of the newsroom's tag list. */
#define ADMIN_TAGS_PAGE 100
/* Counts on the queue's tabs stop here ("1000+"). */
#define ADMIN_COUNT_CAP 1000

typedef struct {
  char addr[64];
  int64_t minute; /* the minute the count is for */
  int count;
} admin_client;

struct admin {
  tpl_set *tpl;
  char *css; /* admin.css, served at /admin/admin.css?v=css_version */
  size_t css_len;
  char css_version[17];
  pthread_mutex_t lock; /* guards clients */
  admin_client clients[ADMIN_LOGIN_CLIENTS];
};

/* One request to the newsroom. */
typedef struct {
  admin *ad;
  const admin_site *site;
  store *st;
  arena_t *a;
  web_request *req;
  web_response *res;
  int64_t now;
  /* Set by admin_session_load for a logged-in request. */
  int in;
  store_user user;
  const char *token_hash; /* of the session's cookie */
  const char *csrf;       /* the token every form of this session carries */
} admin_req;

/* ---- session.c ---- */
/* The session cookie's name: "__Host-naba_session" on an https site
 * (which needs Secure), else "naba_session". */
const char *admin_cookie_name(const admin_req *r);
/* Finds the request's session: r->in, r->user, r->token_hash, r->csrf.
 * NB_OK also when there is none; an error only when the store failed. */
int admin_session_load(admin_req *r);
/* A new session for user id: its Set-Cookie goes into r->res. */
int admin_session_start(admin_req *r, int64_t user_id);
/* Ends the request's session (the store row and the cookie). */
int admin_session_end(admin_req *r);
/* 1 when the posted form carries this session's CSRF token and came from
 * one of the site's pages. */
int admin_csrf_ok(admin_req *r);

/* ---- admin.c ---- */
/* Renders template tpl with data (its "t", "site", "user", "csrf" and
 * "css" are added here) as the answer, with status. */
void admin_render(admin_req *r, int status, const char *tpl, json_t *data);
/* 303 to path (an admin path). */
void admin_redirect(admin_req *r, const char *path);
/* The role's name in the interface language. */
const char *admin_role_name(int role);
/* A store or memory failure: a 503 page, nothing else shown. */
void admin_unavailable(admin_req *r, int rc, const char *what);

/* An answer for a request its user may not make: 403, the error page. */
void admin_forbidden(admin_req *r);
/* The date and time t in the site's locale and time zone, in r's arena. */
const char *admin_date(admin_req *r, int64_t t);

/* ---- roles.c ---- */
/* What a user may do in the newsroom; each a column of the table in
 * roles.c. */
typedef enum {
  ADMIN_MODERATE, /* the comment queue: approve, spam, delete, close */
  ADMIN_USERS,    /* the accounts: add, role, disable, one-time password */
  ADMIN_AUDIT,    /* read the audit log */
  ADMIN_SECTIONS, /* sections: add, edit, delete */
  ADMIN_TAGS,     /* tags: rename, new slug, delete */
  ADMIN_SETTINGS, /* the site's settings */
  ADMIN_ACTIONS
} admin_action;
/* 1 when r's user (logged in) may do what. */
int admin_can(const admin_req *r, admin_action what);

/* ---- comments.c ---- */
void admin_comments(admin_req *r);            /* GET /admin/comments */
void admin_comments_post(admin_req *r);       /* POST /admin/comments */
void admin_comments_state_post(admin_req *r); /* POST .../comments/state */

/* ---- users.c ---- */
void admin_users(admin_req *r);      /* GET /admin/users */
void admin_users_post(admin_req *r); /* POST /admin/users */
void admin_audit(admin_req *r);      /* GET /admin/audit */

/* ---- taxonomy.c ---- */
void admin_sections(admin_req *r);      /* GET /admin/sections */
void admin_sections_post(admin_req *r); /* POST /admin/sections */
/* GET /admin/sections/ID: the list with section ID in the form. */
void admin_section_edit(admin_req *r, const char *id);
void admin_tags(admin_req *r);      /* GET /admin/tags */
void admin_tags_post(admin_req *r); /* POST /admin/tags */

/* ---- settings.c ---- */
void admin_settings(admin_req *r);      /* GET /admin/settings */
void admin_settings_post(admin_req *r); /* POST /admin/settings */

/* ---- login.c ---- */
void admin_login_form(admin_req *r, int status, const char *error,
                      const char *name);
void admin_login_post(admin_req *r);
void admin_logout_post(admin_req *r, int everywhere);
void admin_password_form(admin_req *r, int status, const char *error);
void admin_password_post(admin_req *r);

/* ---- pages.c ---- */
void admin_dashboard(admin_req *r);
void admin_lang_post(admin_req *r);

#endif
