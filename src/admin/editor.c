/* editor.c: the article editor at /admin/articles: writing and saving
 * (every save a revision, a stale one refused with the differences), the
 * workflow (draft, submitted, scheduled or published, unpublished, trash),
 * autosaves, the edit lock, and the history of revisions. */
#include "admin/internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "arabic/arabic.h"
#include "core/core.h"

/* What a save does to an article's state, by the button pressed. */
typedef enum {
  DO_SAVE,
  DO_SUBMIT,
  DO_PUBLISH,
  DO_SCHEDULE,
  DO_UNPUBLISH,
  DO_TRASH,
  DO_RESTORE
} save_action;

static const char *const action_names[] = {
    "save", "submit", "publish", "schedule", "unpublish", "trash", "restore"};

static save_action action_of(const char *s) {
  for (size_t i = 0; s && i < sizeof action_names / sizeof *action_names; i++)
    if (strcmp(s, action_names[i]) == 0)
      return (save_action)i;
  return DO_SAVE;
}

/* Where an article is in its life. */
const char *admin_article_state(const store_article *x, int64_t trashed_at,
                                int64_t unpublished_at, int64_t now) {
  if (trashed_at)
    return _("In the trash");
  if (x->status == STORE_PUBLISHED)
    return x->published_at > now ? _("Scheduled") : _("Published");
  if (x->draft_state && strcmp(x->draft_state, STORE_DRAFT_PENDING) == 0)
    return _("Awaiting review");
  if (x->draft_state && strcmp(x->draft_state, STORE_DRAFT_PRIVATE) == 0)
    return _("Private");
  if (unpublished_at)
    return _("Unpublished");
  return _("Draft");
}

static const char *lang_dir(const char *locale) {
  static const char *const rtl[] = {"ar", "fa", "he", "ur", "ps", "ckb"};
  for (size_t i = 0; i < sizeof rtl / sizeof *rtl; i++) {
    size_t n = strlen(rtl[i]);
    if (strncmp(locale, rtl[i], n) == 0 &&
        (locale[n] == '\0' || locale[n] == '-' || locale[n] == '_'))
      return "rtl";
  }
  return "ltr";
}

/* The words the editor's script shows, in the interface language. */
static const char *editor_text(admin_req *r) {
  static const char *const words[][2] = {
      {"bold", N_("Bold")},
      {"italic", N_("Italic")},
      {"h2", N_("Heading")},
      {"h3", N_("Subheading")},
      {"bullet", N_("Bulleted list")},
      {"ordered", N_("Numbered list")},
      {"quote", N_("Quotation")},
      {"link", N_("Link")},
      {"link_prompt", N_("The link's address (https://…)")},
      {"unlink", N_("Remove the link")},
      {"undo", N_("Undo")},
      {"redo", N_("Redo")},
      {"toolbar", N_("Text formatting")},
      {"autosaved", N_("Kept a copy at")},
      {"autosave_failed",
       N_("Could not keep a copy just now; your text is still here.")},
      {"rtl", N_("Right to left")},
      {"ltr", N_("Left to right")},
  };
  json_t *o = json_object();
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    json_object_set_new(o, words[i][0], json_string(_(words[i][1])));
  /* Escaped '/', so "</script>" cannot end the element it sits in. */
  char *s = json_dumps(o, JSON_COMPACT | JSON_ESCAPE_SLASH);
  json_decref(o);
  const char *out = s ? arena_strdup(r->a, s) : "{}";
  admin_json_free(s);
  return out ? out : "{}";
}

/* Frees what jansson allocated (json_dumps): the site may give it
 * allocation functions of its own. */
void admin_json_free(void *p) {
  json_free_t f = NULL;
  json_get_alloc_funcs(NULL, &f);
  if (p)
    (f ? f : free)(p);
}

/* The lock as the page tells it: who holds it, and whether they took it
 * from this user. NULL when it is this user's or nobody's. */
static json_t *lock_view(admin_req *r, const store_lock *l) {
  if (!l->user_id || l->user_id == r->user.id || l->expires_at <= r->now)
    return NULL;
  json_t *o = json_object();
  json_object_set_new(o, "holder", json_string(l->user_name));
  const char *msg =
      l->taken_from == r->user.id
          ? arena_printf(r->a,
                         _("%s took over editing this article from you at "
                           "%s. Your text is kept here and in your autosave; "
                           "it was not saved."),
                         l->user_name, admin_date(r, l->taken_at))
          : arena_printf(r->a,
                         _("%s is editing this article now. Saving is "
                           "possible once they close it, or if you take "
                           "over (they will be told)."),
                         l->user_name);
  json_object_set_new(o, "message", json_string(msg));
  return o;
}

typedef struct {
  const store_edit *saved; /* NULL: a new article */
  const admin_article_form *f;
  const char *error, *notice;
  json_t *diff;                /* taken */
  json_t *lock;                /* taken */
  const store_autosave *offer; /* an autosave newer than the saved text */
} editor_view;

static json_t *form_view(admin_req *r, const admin_article_form *f) {
  json_t *o = admin_form_json(f);
  json_object_set_new(o, "breaking_on", json_boolean(*f->breaking));
  json_object_set_new(o, "featured_on", json_boolean(*f->featured));
  json_object_set_new(o, "markdown",
                      json_boolean(strcmp(f->body_format, "markdown") == 0));
  json_t *opts = json_array();
  static const char *const comments[][2] = {
      {"-1", N_("As the site's setting says")},
      {"0", N_("Open")},
      {"1", N_("Closed")}};
  for (size_t i = 0; i < 3; i++) {
    json_t *x = json_object();
    json_object_set_new(x, "value", json_string(comments[i][0]));
    json_object_set_new(x, "label", json_string(_(comments[i][1])));
    json_object_set_new(x, "selected",
                        json_boolean(strcmp(f->comments, comments[i][0]) == 0));
    json_array_append_new(opts, x);
  }
  json_object_set_new(o, "comment_options", opts);
  (void)r;
  return o;
}

static void render_editor(admin_req *r, int status, const editor_view *v) {
  const store_edit *e = v->saved;
  json_t *d = json_object();
  int64_t id = e ? e->a.id : 0;
  const char *base =
      id ? arena_printf(r->a, "/admin/articles/%lld", (long long)id)
         : "/admin/articles/new";
  json_object_set_new(d, "id", id ? json_integer(id) : json_null());
  json_object_set_new(d, "action_url", json_string(base));
  json_object_set_new(d, "autosave_url",
                      json_string(arena_printf(r->a, "%s/autosave", base)));
  if (id) {
    json_object_set_new(d, "lock_url",
                        json_string(arena_printf(r->a, "%s/lock", base)));
    json_object_set_new(d, "revisions_url",
                        json_string(arena_printf(r->a, "%s/revisions", base)));
  }
  json_object_set_new(d, "dir", json_string(lang_dir(r->site->locale)));
  json_object_set_new(d, "revision", json_integer(v->f->revision));
  json_object_set_new(d, "f", form_view(r, v->f));
  json_object_set_new(d, "editor_text", json_string(editor_text(r)));

  store_section *secs;
  size_t nsec;
  int rc = store_sections(r->st, r->a, &secs, &nsec);
  if (rc != NB_OK) {
    json_decref(d);
    json_decref(v->diff);
    json_decref(v->lock);
    admin_unavailable(r, rc, "store_sections");
    return;
  }
  json_t *sections = json_array();
  for (size_t i = 0; i < nsec; i++) {
    json_t *x = json_object();
    const char *sid = arena_printf(r->a, "%lld", (long long)secs[i].id);
    json_object_set_new(x, "id", json_string(sid));
    json_object_set_new(x, "name", json_string(secs[i].name));
    /* A new article starts in the first section of the menu. */
    json_object_set_new(x, "selected",
                        json_boolean(strcmp(v->f->section, sid) == 0 ||
                                     (i == 0 && !*v->f->section)));
    json_array_append_new(sections, x);
  }
  json_object_set_new(d, "sections", sections);

  int trashed = e && e->trashed_at;
  int published = e && e->a.status == STORE_PUBLISHED;
  int publish = admin_can(r, ADMIN_PUBLISH) && !trashed;
  json_t *b = json_object();
  json_object_set_new(b, "save", json_boolean(!trashed));
  json_object_set_new(
      b, "submit",
      json_boolean(!trashed && !published &&
                   !(e && e->a.draft_state &&
                     strcmp(e->a.draft_state, STORE_DRAFT_PENDING) == 0)));
  json_object_set_new(b, "publish", json_boolean(publish));
  json_object_set_new(b, "schedule", json_boolean(publish));
  json_object_set_new(b, "unpublish", json_boolean(publish && published));
  json_object_set_new(b, "trash", json_boolean(publish && e));
  json_object_set_new(b, "restore",
                      json_boolean(trashed && admin_can(r, ADMIN_PUBLISH)));
  json_object_set_new(d, "buttons", b);
  if (e) {
    json_object_set_new(d, "state",
                        json_string(admin_article_state(
                            &e->a, e->trashed_at, e->unpublished_at, r->now)));
    if (published && e->a.published_at <= r->now && r->site->article_path)
      json_object_set_new(d, "public_url",
                          json_string(r->site->article_path(r->a, &e->a)));
    json_object_set_new(
        d, "preview_url",
        json_string(admin_preview_path(r->a, r->site->key, e->a.id)));
    if (e->a.status == STORE_PUBLISHED && e->a.published_at > r->now)
      json_object_set_new(d, "scheduled_for",
                          json_string(admin_date(r, e->a.published_at)));
  } else {
    json_object_set_new(d, "state", json_string(_("New article")));
  }
  if (v->error)
    json_object_set_new(d, "error", json_string(v->error));
  if (v->notice)
    json_object_set_new(d, "notice", json_string(v->notice));
  if (v->diff) {
    json_object_set_new(d, "has_diff", json_boolean(json_array_size(v->diff)));
    json_object_set_new(d, "diff", v->diff);
  }
  if (v->lock)
    json_object_set_new(d, "lock", v->lock);
  if (v->offer) {
    json_t *o = json_object();
    json_object_set_new(o, "when", json_string(admin_date(r, v->offer->at)));
    json_object_set_new(o, "load_url",
                        json_string(arena_printf(r->a, "%s?autosave=1", base)));
    json_object_set_new(o, "discard_url",
                        json_string(arena_printf(r->a, "%s/discard", base)));
    json_object_set_new(d, "offer", o);
  }
  admin_render(r, status, "editor", d);
}

/* ---- loading ---- */

/* The article of path id, if this user may edit it; answers the request
 * itself (404, 403, 503) and returns 0 when not. */
static int load(admin_req *r, int64_t id, store_edit *e) {
  int rc = store_edit_get(r->st, r->a, id, e);
  if (rc == NB_ENOTFOUND) {
    json_t *d = json_object();
    json_object_set_new(
        d, "message",
        json_string(_("There is no such article in the newsroom.")));
    admin_render(r, 404, "error", d);
    return 0;
  }
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_edit_get");
    return 0;
  }
  if (!admin_may_edit(r, e->created_by, e->a.status)) {
    admin_forbidden(r);
    return 0;
  }
  return 1;
}

/* GET /admin/articles/new and /admin/articles/ID: the form, with the
 * saved text (or the autosave when asked), the lock taken when free. */
static void editor_page(admin_req *r, int64_t id) {
  store_edit e;
  admin_article_form f;
  store_autosave as;
  const char *notice = NULL;
  if (!id && !admin_can(r, ADMIN_WRITE)) {
    admin_forbidden(r);
    return;
  }
  if (id && !load(r, id, &e))
    return;
  int rc = store_autosave_get(r->st, r->a, r->user.id, id, &as);
  if (rc != NB_OK && rc != NB_ENOTFOUND) {
    admin_unavailable(r, rc, "store_autosave_get");
    return;
  }
  int have_autosave = rc == NB_OK && (!id || as.at >= e.a.updated_at);
  const char *want = web_query(r->req, "autosave");
  if (have_autosave && want && strcmp(want, "1") == 0 &&
      admin_form_from_json(r, as.fields, &f) == NB_OK) {
    notice = _("Your autosaved text is in the form below. Save it to keep "
               "it.");
    have_autosave = 0;
  } else if (id) {
    admin_form_from_edit(r, &e, &f);
  } else {
    memset(&f, 0, sizeof f);
    admin_form_from_json(r, "{}", &f);
    f.authors = r->user.name;
  }
  const char *saved = web_query(r->req, "saved");
  if (!notice && saved)
    notice = strcmp(saved, "publish") == 0    ? _("Published.")
             : strcmp(saved, "schedule") == 0 ? _("Scheduled.")
             : strcmp(saved, "unpublish") == 0
                 ? _("Taken off the site: it is a draft again.")
             : strcmp(saved, "trash") == 0   ? _("Moved to the trash.")
             : strcmp(saved, "restore") == 0 ? _("Restored from the trash.")
             : strcmp(saved, "submit") == 0
                 ? _("Submitted for review: an editor will publish it.")
                 : _("Saved.");
  json_t *lock = NULL;
  if (id) {
    /* Opening an article to edit takes its lock when nobody else holds
     * it: who is editing shows to the others at once, as in WordPress.
     * Taking it from someone is a POST. */
    store_lock l;
    rc = store_lock_take(r->st, r->a, id, r->user.id, r->now,
                         ADMIN_LOCK_SECONDS, 0, &l);
    if (rc != NB_OK && rc != NB_EEXIST) {
      admin_unavailable(r, rc, "store_lock_take");
      return;
    }
    lock = lock_view(r, &l);
  }
  editor_view v = {.saved = id ? &e : NULL,
                   .f = &f,
                   .notice = notice,
                   .lock = lock,
                   .offer = have_autosave ? &as : NULL};
  render_editor(r, 200, &v);
}

/* ---- saving ---- */

static const char *audit_name(save_action a) {
  static const char *const names[] = {[DO_PUBLISH] = "article_publish",
                                      [DO_SCHEDULE] = "article_schedule",
                                      [DO_UNPUBLISH] = "article_unpublish",
                                      [DO_TRASH] = "article_trash",
                                      [DO_RESTORE] = "article_restore"};
  return a < sizeof names / sizeof *names ? names[a] : NULL;
}

/* Sets e's workflow state from what it was (saved, NULL for new) and the
 * button. NULL when it may be, else why not. */
static const char *apply_action(admin_req *r, save_action act,
                                const store_edit *saved,
                                const admin_article_form *f, store_edit *e) {
  int64_t at = 0;
  int has_time = *f->publish_at != '\0';
  if (has_time && ar_local_time(r->site->tz, f->publish_at, &at) != NB_OK)
    return _("The publication time is not a date and time that exists. "
             "Write it as the field shows.");
  e->a.status = saved ? saved->a.status : STORE_DRAFT;
  e->a.draft_state = saved ? saved->a.draft_state : "";
  e->a.published_at = saved ? saved->a.published_at : 0;
  e->trashed_at = saved ? saved->trashed_at : 0;
  e->unpublished_at = saved ? saved->unpublished_at : 0;
  switch (act) {
  case DO_SAVE:
    /* A published article keeps its state; a new time reschedules it. */
    if (e->a.status == STORE_PUBLISHED && has_time) {
      if (!admin_can(r, ADMIN_PUBLISH))
        return _("Only an author, an editor or an administrator can change "
                 "when an article is published.");
      e->a.published_at = at;
    }
    break;
  case DO_SUBMIT:
    e->a.status = STORE_DRAFT;
    e->a.draft_state = STORE_DRAFT_PENDING;
    break;
  case DO_SCHEDULE:
    if (!has_time || at <= r->now)
      return _("To schedule an article, give a publication time in the "
               "future.");
    /* fall through */
  case DO_PUBLISH:
    e->a.status = STORE_PUBLISHED;
    e->a.draft_state = "";
    e->trashed_at = e->unpublished_at = 0;
    e->a.published_at = has_time ? at
                        : saved && saved->a.status == STORE_PUBLISHED &&
                                saved->a.published_at <= r->now
                            ? saved->a.published_at
                            : r->now;
    break;
  case DO_UNPUBLISH:
    e->a.status = STORE_DRAFT;
    e->a.draft_state = "";
    e->unpublished_at = r->now;
    break;
  case DO_TRASH:
    e->a.status = STORE_DRAFT;
    e->a.draft_state = "";
    e->trashed_at = r->now;
    break;
  case DO_RESTORE:
    e->trashed_at = 0;
    break;
  }
  return NULL;
}

static void save_post(admin_req *r, int64_t id) {
  store_edit saved, e;
  admin_article_form f;
  save_action act =
      action_of(web_form_get(r->req->form, r->req->nform, "action"));
  if (id && !load(r, id, &saved))
    return;
  if (!id && !admin_can(r, ADMIN_WRITE)) {
    admin_forbidden(r);
    return;
  }
  if (act != DO_SAVE && act != DO_SUBMIT && !admin_can(r, ADMIN_PUBLISH)) {
    admin_forbidden(r);
    return;
  }
  admin_form_from_post(r, &f);
  editor_view v = {.saved = id ? &saved : NULL, .f = &f};
  if (r->form_repaired) {
    v.error = _("Not saved: the text had bytes that are not UTF-8 (pasted "
                "from an old program?). They show as \xEF\xBF\xBD below: "
                "check those places, then save.");
    render_editor(r, 422, &v);
    return;
  }
  memset(&e, 0, sizeof e);
  int src = NB_OK;
  const char *why = admin_form_check(r, &f, &e, &src);
  if (!why && src == NB_OK)
    why = apply_action(r, act, id ? &saved : NULL, &f, &e);
  if (src != NB_OK) {
    admin_unavailable(r, src, "admin_form_check");
    return;
  }
  if (why) {
    v.error = why;
    render_editor(r, 422, &v);
    return;
  }
  e.a.id = id;
  int rc = store_begin(r->st);
  store_lock l = {0};
  if (rc == NB_OK && id)
    rc = store_lock_take(r->st, r->a, id, r->user.id, r->now,
                         ADMIN_LOCK_SECONDS, 0, &l);
  if (rc == NB_OK)
    rc = store_edit_save(r->st, r->a, &e, f.revision, r->user.id);
  const char *what = audit_name(act);
  if (rc == NB_OK && what)
    rc = store_audit_add(r->st, r->user.id, what,
                         arena_printf(r->a, "article:%lld", (long long)e.a.id),
                         e.a.title);
  if (rc == NB_OK)
    rc = store_commit(r->st);
  else
    store_rollback(r->st);

  if (rc == NB_EEXIST) { /* someone else holds the lock */
    v.lock = lock_view(r, &l);
    v.error = _("Not saved: someone else is editing this article.");
    render_editor(r, 409, &v);
    return;
  }
  if (rc == NB_ECONFLICT) {
    /* Saved meanwhile by someone else: show what they changed against
     * what was typed, and let the next save be on their revision. */
    store_edit now;
    admin_article_form theirs, mine = f;
    rc = store_edit_get(r->st, r->a, id, &now);
    if (rc != NB_OK) {
      admin_unavailable(r, rc, "store_edit_get");
      return;
    }
    admin_form_from_edit(r, &now, &theirs);
    mine.body = e.a.body_html;
    mine.slug = e.a.slug;
    store_section s1, s2;
    int64_t sec = e.a.section_id;
    const char *n1 =
        store_section_by_id(r->st, r->a, now.a.section_id, &s1) == NB_OK
            ? s1.name
            : theirs.section;
    const char *n2 = store_section_by_id(r->st, r->a, sec, &s2) == NB_OK
                         ? s2.name
                         : f.section;
    v.diff = admin_diff(r, &theirs, &mine, n1, n2);
    v.saved = &now;
    f.revision = now.revision;
    store_revision *last;
    size_t nlast = 0;
    if (store_revisions(r->st, r->a, id, 1, &last, &nlast) != NB_OK)
      nlast = 0;
    v.error = arena_printf(
        r->a,
        _("Not saved: %s saved this article at %s, after you opened it. "
          "Your text is kept below; the differences from theirs are listed. "
          "Saving again now replaces their version with yours."),
        nlast && last[0].user_name[0] ? last[0].user_name : _("someone"),
        admin_date(r, now.a.updated_at));
    render_editor(r, 409, &v);
    return;
  }
  if (rc != NB_OK) {
    if (rc == NB_EINVAL) {
      v.error = _("The article could not be saved as it is. Check the "
                  "fields and try again.");
      nb_log("warn", "admin: save refused: %s", store_errmsg(r->st));
      render_editor(r, 422, &v);
      return;
    }
    admin_unavailable(r, rc, "store_edit_save");
    return;
  }
  admin_redirect(r, arena_printf(r->a, "/admin/articles/%lld?saved=%s",
                                 (long long)e.a.id, action_names[act]));
}

/* ---- the script's requests: JSON answers ---- */

static void json_reply(admin_req *r, int status, json_t *o) {
  char *s = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  buf_reset(&r->res->body);
  buf_puts(&r->res->body, s ? s : "{}");
  admin_json_free(s);
  r->res->status = status;
  r->res->content_type = "application/json";
  r->res->personal = 1;
}

void admin_json_notice(admin_req *r, int status, const char *notice) {
  json_t *o = json_object();
  json_object_set_new(o, "notice", json_string(notice));
  json_reply(r, status, o);
}

/* 1 when the answer should be JSON: the editor's script asked. */
int admin_wants_json(const admin_req *r) {
  const char *p = r->req->path;
  size_t n = strlen(p);
  return (n > 9 && strcmp(p + n - 9, "/autosave") == 0) ||
         (n > 5 && strcmp(p + n - 5, "/lock") == 0 &&
          web_header(r->req, "Accept") &&
          strstr(web_header(r->req, "Accept"), "application/json"));
}

/* POST .../autosave: the form as typed into the user's slot. Kept even
 * when someone else holds the lock (nothing typed is lost); then 409
 * says so. */
static void autosave_post(admin_req *r, int64_t id) {
  store_edit e;
  if (id) {
    int rc = store_edit_get(r->st, r->a, id, &e);
    if (rc == NB_ENOTFOUND) {
      admin_json_notice(r, 404, _("There is no such article in the newsroom."));
      return;
    }
    if (rc != NB_OK) {
      admin_json_notice(r, 503,
                        _("Could not keep a copy just now; your "
                          "text is still here."));
      return;
    }
    if (!admin_may_edit(r, e.created_by, e.a.status)) {
      admin_json_notice(r, 403,
                        _("Your role in the newsroom does not allow "
                          "this."));
      return;
    }
  } else if (!admin_can(r, ADMIN_WRITE)) {
    admin_json_notice(r, 403,
                      _("Your role in the newsroom does not allow "
                        "this."));
    return;
  }
  admin_article_form f;
  admin_form_from_post(r, &f);
  json_t *o = admin_form_json(&f);
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  store_autosave as = {
      .base_revision = f.revision, .at = r->now, .fields = text};
  int rc = text ? store_autosave_put(r->st, r->user.id, id, &as) : NB_ENOMEM;
  admin_json_free(text);
  store_lock l = {0};
  if (rc == NB_OK && id)
    rc = store_lock_take(r->st, r->a, id, r->user.id, r->now,
                         ADMIN_LOCK_SECONDS, 0, &l);
  if (rc == NB_EEXIST) {
    json_t *lv = lock_view(r, &l);
    admin_json_notice(
        r, 409, lv ? json_string_value(json_object_get(lv, "message")) : "");
    json_decref(lv);
    return;
  }
  if (rc != NB_OK) {
    nb_log("error", "admin: autosave failed (%s): %s", nb_strerror(rc),
           store_errmsg(r->st));
    admin_json_notice(r, rc == NB_ETOOBIG ? 413 : 503,
                      _("Could not keep a copy just now; your text is still "
                        "here."));
    return;
  }
  json_t *reply = json_object();
  json_object_set_new(reply, "saved", json_string(admin_date(r, r->now)));
  json_object_set_new(reply, "notice", json_null());
  json_reply(r, 200, reply);
}

/* POST .../lock: renews the lock, or takes it over (take_over=1, the
 * button on the page; the other editor is told on their next save). */
static void lock_post(admin_req *r, int64_t id) {
  store_edit e;
  int json = admin_wants_json(r);
  if (!load(r, id, &e))
    return;
  const char *t = web_form_get(r->req->form, r->req->nform, "take_over");
  int take = t && strcmp(t, "1") == 0;
  store_lock l = {0};
  int rc = store_lock_take(r->st, r->a, id, r->user.id, r->now,
                           ADMIN_LOCK_SECONDS, take, &l);
  if (rc != NB_OK && rc != NB_EEXIST) {
    if (json)
      admin_json_notice(r, 503,
                        _("The newsroom cannot reach its database "
                          "right now."));
    else
      admin_unavailable(r, rc, "store_lock_take");
    return;
  }
  if (rc == NB_OK && take)
    rc = store_audit_add(r->st, r->user.id, "article_takeover",
                         arena_printf(r->a, "article:%lld", (long long)id),
                         e.a.title);
  (void)rc;
  if (!json) {
    admin_redirect(r,
                   arena_printf(r->a, "/admin/articles/%lld", (long long)id));
    return;
  }
  json_t *lv = lock_view(r, &l);
  json_t *o = json_object();
  json_object_set_new(o, "holder", json_string(l.user_name ? l.user_name : ""));
  json_object_set_new(o, "mine", json_boolean(lv == NULL));
  json_object_set_new(o, "notice",
                      lv ? json_incref(json_object_get(lv, "message"))
                         : json_null());
  json_decref(lv);
  json_reply(r, 200, o);
}

/* POST .../discard: drops the user's autosave of the article. */
static void discard_post(admin_req *r, int64_t id) {
  int rc = store_autosave_drop(r->st, r->user.id, id);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_autosave_drop");
    return;
  }
  admin_redirect(r,
                 id ? arena_printf(r->a, "/admin/articles/%lld", (long long)id)
                    : "/admin/articles/new");
}

/* ---- revisions ---- */

static int revision_form(admin_req *r, int64_t id, int64_t rev,
                         admin_article_form *f, const char **section) {
  store_revision x;
  int rc = store_revision_get(r->st, r->a, id, rev, &x);
  if (rc == NB_OK && admin_form_from_revision(r, x.fields, f) != NB_OK)
    rc = NB_EIO;
  if (rc == NB_OK) {
    store_section s;
    int64_t sid = 0;
    nb_parse_i64(f->section, strlen(f->section), 0, INT64_MAX, &sid);
    *section = store_section_by_id(r->st, r->a, sid, &s) == NB_OK ? s.name
                                                                  : f->section;
  }
  return rc;
}

/* GET .../revisions[?a=N&b=M]: who saved when; the differences between
 * two (by default the newest and the one before). */
static void revisions_page(admin_req *r, int64_t id) {
  store_edit e;
  if (!load(r, id, &e))
    return;
  store_revision *rs;
  size_t n;
  int rc = store_revisions(r->st, r->a, id, ADMIN_REVISIONS_PAGE, &rs, &n);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_revisions");
    return;
  }
  int64_t a = n > 1 ? rs[1].revision : 0, b = n ? rs[0].revision : 0;
  const char *qa = web_query(r->req, "a"), *qb = web_query(r->req, "b");
  if (qa)
    nb_parse_i64(qa, strlen(qa), 1, INT64_MAX, &a);
  if (qb)
    nb_parse_i64(qb, strlen(qb), 1, INT64_MAX, &b);
  json_t *d = json_object();
  json_object_set_new(d, "title", json_string(e.a.title));
  json_object_set_new(
      d, "edit_url",
      json_string(arena_printf(r->a, "/admin/articles/%lld", (long long)id)));
  json_object_set_new(
      d, "restore_url",
      json_string(
          arena_printf(r->a, "/admin/articles/%lld/restore", (long long)id)));
  json_object_set_new(d, "current", json_integer(e.revision));
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *x = json_object();
    json_object_set_new(x, "revision", json_integer(rs[i].revision));
    json_object_set_new(
        x, "who",
        json_string(rs[i].user_name[0] ? rs[i].user_name : _("command line")));
    json_object_set_new(x, "when", json_string(admin_date(r, rs[i].at)));
    json_object_set_new(x, "is_a", json_boolean(rs[i].revision == a));
    json_object_set_new(x, "is_b", json_boolean(rs[i].revision == b));
    json_object_set_new(x, "current",
                        json_boolean(rs[i].revision == e.revision));
    json_array_append_new(list, x);
  }
  json_object_set_new(d, "revisions", list);
  if (a && b && a != b) {
    admin_article_form fa, fb;
    const char *sa = "", *sb = "";
    rc = revision_form(r, id, a, &fa, &sa);
    if (rc == NB_OK)
      rc = revision_form(r, id, b, &fb, &sb);
    if (rc == NB_OK) {
      json_t *diff = admin_diff(r, &fa, &fb, sa, sb);
      json_object_set_new(d, "compared", json_true());
      json_object_set_new(d, "has_diff", json_boolean(json_array_size(diff)));
      json_object_set_new(d, "diff", diff);
      json_object_set_new(d, "a", json_integer(a));
      json_object_set_new(d, "b", json_integer(b));
    } else if (rc != NB_ENOTFOUND) {
      json_decref(d);
      admin_unavailable(r, rc, "store_revision_get");
      return;
    }
  }
  admin_render(r, 200, "revisions", d);
}

/* POST .../restore (revision=N): the revision's content becomes the
 * article's next revision; its workflow state stays as it is now. */
static void restore_post(admin_req *r, int64_t id) {
  store_edit saved, e;
  if (!load(r, id, &saved))
    return;
  const char *q = web_form_get(r->req->form, r->req->nform, "revision");
  int64_t rev = 0;
  admin_article_form f;
  const char *sec;
  int rc = q ? nb_parse_i64(q, strlen(q), 1, INT64_MAX, &rev) : NB_EINVAL;
  if (rc == NB_OK)
    rc = revision_form(r, id, rev, &f, &sec);
  if (rc == NB_EINVAL || rc == NB_ENOTFOUND) {
    json_t *d = json_object();
    json_object_set_new(d, "message",
                        json_string(_("There is no such revision.")));
    admin_render(r, 404, "error", d);
    return;
  }
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_revision_get");
    return;
  }
  f.publish_at = ""; /* the time stays as it is now */
  memset(&e, 0, sizeof e);
  int src = NB_OK;
  const char *why = admin_form_check(r, &f, &e, &src);
  if (!why && src == NB_OK)
    why = apply_action(r, DO_SAVE, &saved, &f, &e);
  if (src != NB_OK) {
    admin_unavailable(r, src, "admin_form_check");
    return;
  }
  if (why) { /* e.g. its section is gone: the editor shows it to fix */
    f.revision = saved.revision;
    editor_view v = {.saved = &saved, .f = &f, .error = why};
    render_editor(r, 422, &v);
    return;
  }
  e.a.id = id;
  rc = store_begin(r->st);
  if (rc == NB_OK)
    rc = store_edit_save(r->st, r->a, &e, saved.revision, r->user.id);
  if (rc == NB_OK)
    rc = store_audit_add(r->st, r->user.id, "article_revision_restore",
                         arena_printf(r->a, "article:%lld", (long long)id),
                         arena_printf(r->a, "%lld", (long long)rev));
  if (rc == NB_OK)
    rc = store_commit(r->st);
  else
    store_rollback(r->st);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_edit_save");
    return;
  }
  admin_redirect(
      r, arena_printf(r->a, "/admin/articles/%lld?saved=save", (long long)id));
}

/* ---- routing ---- */

void admin_articles(admin_req *r, int post) {
  const char *p = r->req->path + strlen("/admin/articles/");
  int64_t id = 0;
  size_t k = strcspn(p, "/");
  if (!(k == 3 && strncmp(p, "new", 3) == 0) &&
      nb_parse_i64(p, k, 1, INT64_MAX, &id) != NB_OK) {
    json_t *d = json_object();
    json_object_set_new(
        d, "message", json_string(_("There is no such page in the newsroom.")));
    admin_render(r, 404, "error", d);
    return;
  }
  const char *rest = p + k;
  if (!*rest && !post)
    editor_page(r, id);
  else if (!*rest)
    save_post(r, id);
  else if (strcmp(rest, "/autosave") == 0 && post)
    autosave_post(r, id);
  else if (strcmp(rest, "/discard") == 0 && post)
    discard_post(r, id);
  else if (id && strcmp(rest, "/lock") == 0 && post)
    lock_post(r, id);
  else if (id && strcmp(rest, "/revisions") == 0 && !post)
    revisions_page(r, id);
  else if (id && strcmp(rest, "/restore") == 0 && post)
    restore_post(r, id);
  else {
    json_t *d = json_object();
    json_object_set_new(
        d, "message", json_string(_("There is no such page in the newsroom.")));
    admin_render(r, post ? 405 : 404, "error", d);
  }
}

/* ---- private preview links ---- */

const char *admin_preview_path(arena_t *a, const unsigned char *key,
                               int64_t id) {
  buf_t tok = {0}, path = {0};
  char payload[40];
  snprintf(payload, sizeof payload, "preview:%lld", (long long)id);
  web_sign(key, payload, &tok);
  buf_puts(&path, "/preview/");
  buf_url_encode(&path, tok.data ? tok.data : "", tok.len);
  const char *out =
      tok.oom || path.oom ? NULL : arena_strndup(a, path.data, path.len);
  buf_free(&tok);
  buf_free(&path);
  return out;
}

int64_t admin_preview_id(arena_t *a, const unsigned char *key,
                         const char *token) {
  const char *p = web_verify(key, token, a);
  int64_t id = 0;
  if (!p || strncmp(p, "preview:", 8) != 0 ||
      nb_parse_i64(p + 8, strlen(p + 8), 1, INT64_MAX, &id) != NB_OK)
    return 0;
  return id;
}
