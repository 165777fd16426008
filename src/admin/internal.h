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
 *   editor.c    the article editor: save, workflow, autosave, lock,
 *               revisions
 *   editor_form.c  the article form: its fields, checked, to an article
 *   diff.c      what differs between two versions of an article
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
/* An edit lock lasts this long unless renewed (the editor's page renews
 * it every minute): a closed tab frees the article within it. */
#define ADMIN_LOCK_SECONDS 150
/* Revisions listed on an article's history page. */
#define ADMIN_REVISIONS_PAGE 100
/* The editor's bundle is read up to this size (it is about 400 KB). */
#define ADMIN_EDITOR_MAX (4 << 20)
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
  char *js; /* editor.js or NULL (not built): /admin/editor.js?v=js_version */
  size_t js_len;
  char js_version[17];
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
  /* The form had bytes that are not UTF-8, now U+FFFD (an article form's:
   * shown back, not saved). */
  int form_repaired;
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
 * "css" are added here; site.editor_js is the editor's URL, null when it
 * was not built) as the answer, with status. */
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
/* What the last POST did, from the "done" key its redirect carried: the
 * sentence (an N_() text, given translated) of the matching key in
 * table[0..n), or NULL. */
typedef struct {
  const char *done, *notice;
} admin_done;
const char *admin_done_notice(admin_req *r, const admin_done *table, size_t n);

/* ---- roles.c ---- */
/* What a user may do in the newsroom; each a column of the table in
 * roles.c. */
typedef enum {
  ADMIN_WRITE,       /* write articles of one's own, save them as drafts,
                        submit them for review */
  ADMIN_PUBLISH,     /* publish, schedule, unpublish, trash and restore
                        the articles one may edit */
  ADMIN_EDIT_OTHERS, /* edit everyone's articles, published ones too */
  ADMIN_MODERATE,    /* the comment queue: approve, spam, delete, close */
  ADMIN_USERS,       /* the accounts: add, role, disable, one-time password */
  ADMIN_AUDIT,       /* read the audit log */
  ADMIN_SECTIONS,    /* sections: add, edit, delete */
  ADMIN_TAGS,        /* tags: rename, new slug, delete */
  ADMIN_SETTINGS,    /* the site's settings */
  ADMIN_ACTIONS
} admin_action;
/* 1 when r's user (logged in) may do what. */
int admin_can(const admin_req *r, admin_action what);
/* 1 when r's user may edit the article created by created_by (0:
 * imported) in this status: their own (a contributor's only while it is
 * not published), or anyone's with ADMIN_EDIT_OTHERS. */
int admin_may_edit(const admin_req *r, int64_t created_by, int status);

/* ---- editor_form.c ---- */
/* The article form as typed: every field a string ("" for none), so a
 * refused save shows it back unchanged. breaking and featured are "1" or
 * ""; comments "-1", "0" or "1"; publish_at "YYYY-MM-DDTHH:MM" in the
 * site's zone or ""; body_format "html" or "markdown". */
typedef struct {
  const char *title, *kicker, *section, *authors, *tags, *summary, *body,
      *body_format, *image_url, *slug, *seo_title, *seo_description,
      *publish_at, *comments, *breaking, *featured;
  int64_t revision; /* the revision the writer started from */
} admin_article_form;
void admin_form_from_post(admin_req *r, admin_article_form *f);
void admin_form_from_edit(admin_req *r, const store_edit *e,
                          admin_article_form *f);
/* The fields as a JSON object (an autosave); the caller frees it. */
json_t *admin_form_json(const admin_article_form *f);
/* From admin_form_json()'s text, strings in r's arena. NB_EINVAL if it is
 * not such an object. */
int admin_form_from_json(admin_req *r, const char *text, admin_article_form *f);
/* From a revision's fields (store_revision.fields). */
int admin_form_from_revision(admin_req *r, const char *fields,
                             admin_article_form *f);
/* Checks f and fills e's content (not its workflow state): NULL when it
 * may be saved, else why not, in the interface language. A store failure
 * returns NULL with *store_rc set. Tags new to the site are created. */
const char *admin_form_check(admin_req *r, const admin_article_form *f,
                             store_edit *e, int *store_rc);
/* "YYYY-MM-DDTHH:MM" of t in the site's zone. */
const char *admin_local_input(admin_req *r, int64_t t);
void admin_markdown_init(void); /* once, before threads */

/* ---- diff.c ---- */
void admin_diff_init(void); /* once, before threads */
/* The fields that differ from old to new, each {label, old, new} or, for
 * the text, {label, lines: [{add|del|same: true, html}]} (html: the
 * paragraph's text, entities kept). section_*: the sections' names. */
json_t *admin_diff(admin_req *r, const admin_article_form *old,
                   const admin_article_form *new, const char *section_old,
                   const char *section_new);

/* ---- editor.c ---- */
/* Every path under /admin/articles/: the editor and its forms. */
void admin_articles(admin_req *r, int post);
/* Where an article is in its life, in the interface language. */
const char *admin_article_state(const store_article *x, int64_t trashed_at,
                                int64_t unpublished_at, int64_t now);
/* 1 when the request is the editor script's (autosave, lock renewal),
 * which reads JSON; admin_json_notice answers it {"notice": ...}. */
int admin_wants_json(const admin_req *r);
void admin_json_notice(admin_req *r, int status, const char *notice);
/* Frees json_dumps()'s text with jansson's allocator. */
void admin_json_free(void *p);

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
/* A POST of the article form after the session ended: the login form,
 * carrying what was typed (401); the login then keeps it as the user's
 * autosave of the article and opens it in the editor. */
void admin_login_keep(admin_req *r);
void admin_logout_post(admin_req *r, int everywhere);
void admin_password_form(admin_req *r, int status, const char *error);
void admin_password_post(admin_req *r);

/* ---- pages.c ---- */
void admin_dashboard(admin_req *r);
void admin_lang_post(admin_req *r);

#endif
