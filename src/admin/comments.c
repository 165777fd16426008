/* comments.c: moderating readers' comments: the queue (pending, spam,
 * approved), one article's comments, a search, bulk actions and whether
 * an article takes comments. The same store calls as `naba comments`. */
#include "admin/internal.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"

/* The queue's form: a checkbox per comment, and its own fields. */
_Static_assert(ADMIN_COMMENTS_PAGE + 8 <= WEB_FORM_MAX_FIELDS,
               "a page of the queue must fit in one form");

/* The statuses as the URL names them, by STORE_COMMENT_* ("all": -1). */
static const char *const status_names[] = {"pending", "approved", "spam"};

/* Which comments a page shows: from the query of a GET, or the hidden
 * fields of the form that posts back to it. */
typedef struct {
  int status; /* STORE_COMMENT_*, -1: all */
  int64_t article, before;
  const char *q; /* "" for none */
} view;

static const char *param(admin_req *r, int post, const char *name) {
  return post ? web_form_get(r->req->form, r->req->nform, name)
              : web_query(r->req, name);
}

static int64_t id_param(admin_req *r, int post, const char *name) {
  const char *v = param(r, post, name);
  int64_t id = 0;
  if (v && nb_parse_i64(v, strlen(v), 1, INT64_MAX, &id) != NB_OK)
    id = 0;
  return id;
}

static view view_of(admin_req *r, int post) {
  view v = {.status = STORE_COMMENT_PENDING,
            .article = id_param(r, post, "article"),
            .before = id_param(r, post, "before"),
            .q = param(r, post, "q")};
  if (!v.q)
    v.q = "";
  /* One article's comments and a search look at every status, unless
   * one is asked for. */
  if (v.article > 0 || *v.q)
    v.status = -1;
  const char *s = param(r, post, "status");
  for (int i = 0; s && i < 3; i++)
    if (strcmp(s, status_names[i]) == 0)
      v.status = i;
  if (s && strcmp(s, "all") == 0)
    v.status = -1;
  return v;
}

/* The page's URL for v (before included when with_before), in r's arena;
 * extra ("&done=...") is appended. */
static const char *view_url(admin_req *r, const view *v, int with_before,
                            const char *extra) {
  buf_t b = {0};
  buf_printf(&b, "/admin/comments?status=%s",
             v->status < 0 ? "all" : status_names[v->status]);
  if (v->article > 0)
    buf_printf(&b, "&article=%lld", (long long)v->article);
  if (*v->q) {
    buf_puts(&b, "&q=");
    buf_url_encode(&b, v->q, strlen(v->q));
  }
  if (with_before && v->before > 0)
    buf_printf(&b, "&before=%lld", (long long)v->before);
  if (extra)
    buf_puts(&b, extra);
  const char *out = arena_strdup(r->a, b.data && !b.oom ? b.data : "");
  buf_free(&b);
  return *out ? out : "/admin/comments";
}

static const char *status_word(int status) {
  switch (status) {
  case STORE_COMMENT_APPROVED:
    return _("Approved");
  case STORE_COMMENT_SPAM:
    return _("Spam");
  default:
    return _("Pending");
  }
}

/* What the last POST did, from its redirect's query: "3 comments
 * approved." and the ids that were not there. */
static void notice_of(admin_req *r, json_t *d) {
  const char *done = web_query(r->req, "done");
  int64_t n = id_param(r, 0, "n"), skipped = id_param(r, 0, "skipped");
  unsigned long un = (unsigned long)n;
  long long ln = (long long)n;
  const char *msg = NULL;
  if (!done)
    return;
  /* Each its own call: the format must reach the compiler's check. */
  if (strcmp(done, "approve") == 0)
    msg = arena_printf(
        r->a,
        nb_ngettext("%lld comment approved.", "%lld comments approved.", un),
        ln);
  else if (strcmp(done, "spam") == 0)
    msg = arena_printf(r->a,
                       nb_ngettext("%lld comment marked as spam.",
                                   "%lld comments marked as spam.", un),
                       ln);
  else if (strcmp(done, "pending") == 0)
    msg = arena_printf(r->a,
                       nb_ngettext("%lld comment back to pending.",
                                   "%lld comments back to pending.", un),
                       ln);
  else if (strcmp(done, "delete") == 0)
    msg = arena_printf(
        r->a,
        nb_ngettext("%lld comment deleted.", "%lld comments deleted.", un), ln);
  else if (strcmp(done, "state") == 0)
    msg = _("Saved: the article's comments follow the new state.");
  else if (strcmp(done, "none") == 0)
    msg = _("No comment was selected: nothing was changed.");
  if (msg)
    json_object_set_new(d, "notice", json_string(msg));
  if (skipped > 0)
    json_object_set_new(
        d, "skipped",
        json_string(arena_printf(
            r->a,
            nb_ngettext("%lld selected comment was no longer there and was "
                        "skipped.",
                        "%lld selected comments were no longer there and "
                        "were skipped.",
                        (unsigned long)skipped),
            (long long)skipped)));
}

/* The queue's tabs, each with its count (over ADMIN_COUNT_CAP: "1000+"). */
static json_t *tabs_of(admin_req *r, const view *v, const int64_t counts[3]) {
  static const int order[] = {STORE_COMMENT_PENDING, STORE_COMMENT_SPAM,
                              STORE_COMMENT_APPROVED};
  json_t *tabs = json_array();
  for (int i = 0; i < 3; i++) {
    int st = order[i];
    view t = {.status = st, .q = ""};
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(status_word(st)));
    json_object_set_new(o, "url", json_string(view_url(r, &t, 0, NULL)));
    json_object_set_new(
        o, "count",
        json_string(counts[st] > ADMIN_COUNT_CAP
                        ? arena_printf(r->a, "%d+", ADMIN_COUNT_CAP)
                        : arena_printf(r->a, "%lld", (long long)counts[st])));
    json_object_set_new(o, "current",
                        json_boolean(v->status == st && !v->article && !*v->q));
    json_array_append_new(tabs, o);
  }
  return tabs;
}

static json_t *comment_json(admin_req *r, const store_comment *c) {
  json_t *o = json_object();
  store_article x = {.id = c->article_id,
                     .slug = c->article_slug,
                     .section_slug = c->section_slug};
  json_object_set_new(o, "id", json_integer(c->id));
  json_object_set_new(o, "name", json_string(c->author_name));
  json_object_set_new(o, "email", json_string(c->author_email));
  json_object_set_new(o, "client", json_string(c->client));
  json_object_set_new(o, "date", json_string(admin_date(r, c->created_at)));
  json_object_set_new(o, "article_title", json_string(c->article_title));
  json_object_set_new(o, "article_url",
                      json_string(r->site->article_path
                                      ? r->site->article_path(r->a, &x)
                                      : "/"));
  json_object_set_new(
      o, "article_comments",
      json_string(arena_printf(r->a, "/admin/comments?article=%lld",
                               (long long)c->article_id)));
  json_object_set_new(o, "body", json_string(c->body));
  json_object_set_new(o, "state", json_string(status_word(c->status)));
  json_object_set_new(
      o, "state_class",
      json_string(
          status_names[c->status >= 0 && c->status < 3 ? c->status : 0]));
  return o;
}

/* The article view's state form: which of follow, open, closed is on. */
static json_t *states_of(int state) {
  static const struct {
    int state;
    const char *value, *key;
  } states[] = {{-1, "follow", N_("Follow the site's setting")},
                {0, "open", N_("Open")},
                {1, "closed", N_("Closed")}};
  json_t *a = json_array();
  for (size_t i = 0; i < 3; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "value", json_string(states[i].value));
    json_object_set_new(o, "label", json_string(_(states[i].key)));
    json_object_set_new(o, "checked", json_boolean(states[i].state == state));
    json_array_append_new(a, o);
  }
  return a;
}

void admin_comments(admin_req *r) {
  if (!admin_can(r, ADMIN_MODERATE)) {
    admin_forbidden(r);
    return;
  }
  view v = view_of(r, 0);
  json_t *d = json_object();
  store_comment *cs = NULL;
  size_t n = 0;
  int64_t counts[3];
  int rc = store_comment_status_counts(r->st, ADMIN_COUNT_CAP, counts);
  if (rc != NB_OK) {
    json_decref(d);
    admin_unavailable(r, rc, "store_comment_status_counts");
    return;
  }
  if (v.article > 0) {
    int state;
    store_article x;
    rc = store_article_comments_get(r->st, v.article, &state);
    if (rc == NB_ENOTFOUND) {
      json_object_set_new(
          d, "message",
          json_string(_("There is no such page in the newsroom.")));
      admin_render(r, 404, "error", d);
      return;
    }
    if (rc != NB_OK) {
      json_decref(d);
      admin_unavailable(r, rc, "store_article_comments_get");
      return;
    }
    json_t *art = json_object();
    json_object_set_new(art, "id", json_integer(v.article));
    json_object_set_new(art, "states", states_of(state));
    /* Published articles have a headline and a page; a draft's comments
     * are shown under its number. */
    rc = store_article_by_id(r->st, r->a, v.article, &x);
    if (rc == NB_OK) {
      json_object_set_new(art, "title", json_string(x.title));
      if (r->site->article_path)
        json_object_set_new(art, "url",
                            json_string(r->site->article_path(r->a, &x)));
    } else if (rc == NB_ENOTFOUND) {
      json_object_set_new(
          art, "title",
          json_string(arena_printf(r->a, "#%lld", (long long)v.article)));
    } else {
      json_decref(art);
      json_decref(d);
      admin_unavailable(r, rc, "store_article_by_id");
      return;
    }
    json_object_set_new(d, "article", art);
  }
  if (strlen(v.q) > STORE_COMMENT_QUERY_MAX) {
    json_object_set_new(
        d, "error",
        json_string(arena_printf(r->a,
                                 _("The search is too long (at most %d "
                                   "bytes)."),
                                 STORE_COMMENT_QUERY_MAX)));
  } else {
    store_comment_filter f = {.status = v.status,
                              .article_id = v.article,
                              .before_id = v.before,
                              .q = v.q,
                              .limit = ADMIN_COMMENTS_PAGE};
    rc = store_comments_find(r->st, r->a, &f, &cs, &n);
    if (rc != NB_OK) {
      json_decref(d);
      admin_unavailable(r, rc, "store_comments_find");
      return;
    }
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(list, comment_json(r, &cs[i]));
  json_object_set_new(d, "comments", list);
  json_object_set_new(d, "has_comments", json_boolean(n > 0));
  json_object_set_new(d, "tabs", tabs_of(r, &v, counts));
  json_object_set_new(d, "q", json_string(v.q));
  json_object_set_new(
      d, "status", json_string(v.status < 0 ? "all" : status_names[v.status]));
  if (v.article > 0)
    json_object_set_new(d, "article_id", json_integer(v.article));
  if (v.before > 0)
    json_object_set_new(d, "before", json_integer(v.before));
  if (n == ADMIN_COMMENTS_PAGE) {
    view older = v;
    older.before = cs[n - 1].id;
    json_object_set_new(d, "older", json_string(view_url(r, &older, 1, NULL)));
  }
  notice_of(r, d);
  admin_render(r, 200, "comments", d);
}

/* A checkbox's field ("c12") names the comment it selects; 0 for any
 * other field. */
static int64_t selected_id(const web_field *f) {
  int64_t id = 0;
  if (f->name[0] != 'c' || nb_parse_i64(f->name + 1, strlen(f->name + 1), 1,
                                        INT64_MAX, &id) != NB_OK)
    return 0;
  return id;
}

void admin_comments_post(admin_req *r) {
  static const struct {
    const char *name, *audit;
    int status; /* -1: delete */
  } actions[] = {{"approve", "comment_approve", STORE_COMMENT_APPROVED},
                 {"spam", "comment_spam", STORE_COMMENT_SPAM},
                 {"pending", "comment_pending", STORE_COMMENT_PENDING},
                 {"delete", "comment_delete", -1}};
  if (!admin_can(r, ADMIN_MODERATE)) {
    admin_forbidden(r);
    return;
  }
  view v = view_of(r, 1);
  const char *what = web_form_get(r->req->form, r->req->nform, "action");
  size_t act = sizeof actions / sizeof *actions;
  for (size_t i = 0; what && i < sizeof actions / sizeof *actions; i++)
    if (strcmp(what, actions[i].name) == 0)
      act = i;
  int64_t done = 0, skipped = 0;
  for (size_t i = 0;
       act < sizeof actions / sizeof *actions && i < r->req->nform; i++) {
    int64_t id = selected_id(&r->req->form[i]);
    if (id == 0)
      continue;
    int rc = actions[act].status < 0
                 ? store_comment_delete(r->st, id)
                 : store_comment_set_status(r->st, id, actions[act].status);
    if (rc == NB_ENOTFOUND) {
      skipped++;
      continue;
    }
    if (rc == NB_OK)
      rc = store_audit_add(r->st, r->user.id, actions[act].audit,
                           arena_printf(r->a, "comment:%lld", (long long)id),
                           NULL);
    if (rc != NB_OK) {
      admin_unavailable(r, rc, actions[act].audit);
      return;
    }
    done++;
  }
  const char *extra = done + skipped == 0
                          ? "&done=none"
                          : arena_printf(r->a, "&done=%s&n=%lld&skipped=%lld",
                                         actions[act].name, (long long)done,
                                         (long long)skipped);
  admin_redirect(r, view_url(r, &v, 1, extra));
}

void admin_comments_state_post(admin_req *r) {
  static const struct {
    const char *name, *audit;
    int state;
  } states[] = {{"follow", "comments_follow", -1},
                {"open", "comments_open", 0},
                {"closed", "comments_close", 1}};
  if (!admin_can(r, ADMIN_MODERATE)) {
    admin_forbidden(r);
    return;
  }
  int64_t article = id_param(r, 1, "article");
  const char *want = web_form_get(r->req->form, r->req->nform, "state");
  size_t k = 3;
  for (size_t i = 0; want && i < 3; i++)
    if (strcmp(want, states[i].name) == 0)
      k = i;
  view v = {.status = -1, .article = article, .q = ""};
  if (article == 0 || k == 3) {
    admin_redirect(r, article ? view_url(r, &v, 0, NULL) : "/admin/comments");
    return;
  }
  const char *object = arena_printf(r->a, "article:%lld", (long long)article);
  int rc = store_article_comments_set(r->st, article, states[k].state);
  if (rc == NB_ENOTFOUND) {
    json_t *d = json_object();
    json_object_set_new(
        d, "message", json_string(_("There is no such page in the newsroom.")));
    admin_render(r, 404, "error", d);
    return;
  }
  if (rc == NB_OK)
    rc = store_audit_add(r->st, r->user.id, states[k].audit, object, NULL);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_article_comments_set");
    return;
  }
  admin_redirect(r, view_url(r, &v, 0, "&done=state"));
}
