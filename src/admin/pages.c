/* pages.c: the newsroom's pages: the dashboard with every article, and
 * the choice of interface language. */
#include "admin/internal.h"

#include <string.h>

#include "core/core.h"

/* The list's tabs: the state and its name in the query. */
static const struct {
  const char *key, *label;
  int state;
} tabs[] = {
    {"all", N_("All"), STORE_NEWSROOM_ALL},
    {"drafts", N_("Drafts"), STORE_NEWSROOM_DRAFTS},
    {"submitted", N_("Awaiting review"), STORE_NEWSROOM_SUBMITTED},
    {"scheduled", N_("Scheduled"), STORE_NEWSROOM_SCHEDULED},
    {"published", N_("Published"), STORE_NEWSROOM_PUBLISHED},
    {"trash", N_("Trash"), STORE_NEWSROOM_TRASH},
};

void admin_dashboard(admin_req *r) {
  int64_t before = 0;
  const char *b = web_query(r->req, "before");
  if (b && nb_parse_i64(b, strlen(b), 1, INT64_MAX, &before) != NB_OK)
    before = 0;
  const char *show = web_query(r->req, "show");
  size_t tab = 0;
  for (size_t i = 0; show && i < sizeof tabs / sizeof *tabs; i++)
    if (strcmp(show, tabs[i].key) == 0)
      tab = i;
  const char *m = web_query(r->req, "mine");
  int mine = m && strcmp(m, "1") == 0;
  store_newsroom_item *xs;
  size_t n;
  int rc =
      store_newsroom_list(r->st, r->a, tabs[tab].state, mine ? r->user.id : 0,
                          r->now, before, ADMIN_LIST_PAGE, &xs, &n);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_newsroom_list");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    const store_article *x = &xs[i].a;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(x->id));
    json_object_set_new(o, "title", json_string(x->title));
    json_object_set_new(o, "section", json_string(x->section_name));
    json_object_set_new(
        o, "status",
        json_string(admin_article_state(x, xs[i].trashed_at,
                                        xs[i].unpublished_at, r->now)));
    json_object_set_new(o, "date", json_string(admin_date(r, x->published_at)));
    if (admin_may_edit(r, xs[i].created_by, x->status))
      json_object_set_new(o, "edit_url",
                          json_string(arena_printf(r->a, "/admin/articles/%lld",
                                                   (long long)x->id)));
    if (x->status == STORE_PUBLISHED && x->published_at <= r->now &&
        r->site->article_path)
      json_object_set_new(o, "public_url",
                          json_string(r->site->article_path(r->a, x)));
    json_array_append_new(list, o);
  }
  json_t *d = json_object();
  json_t *tl = json_array();
  for (size_t i = 0; i < sizeof tabs / sizeof *tabs; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(tabs[i].key));
    json_object_set_new(o, "label", json_string(_(tabs[i].label)));
    json_object_set_new(o, "current", json_boolean(i == tab));
    json_object_set_new(
        o, "url",
        json_string(arena_printf(r->a, "/admin?show=%s%s", tabs[i].key,
                                 mine ? "&mine=1" : "")));
    json_array_append_new(tl, o);
  }
  json_object_set_new(d, "tabs", tl);
  json_object_set_new(d, "mine", json_boolean(mine));
  json_object_set_new(
      d, "mine_url",
      json_string(arena_printf(r->a, "/admin?show=%s%s", tabs[tab].key,
                               mine ? "" : "&mine=1")));
  json_object_set_new(d, "articles", list);
  json_object_set_new(d, "has_articles", json_boolean(n > 0));
  if (n == ADMIN_LIST_PAGE && tabs[tab].state != STORE_NEWSROOM_SCHEDULED)
    json_object_set_new(d, "older",
                        json_string(arena_printf(
                            r->a, "/admin?show=%s%s&before=%lld", tabs[tab].key,
                            mine ? "&mine=1" : "", (long long)xs[n - 1].a.id)));
  const char *done = web_query(r->req, "done");
  if (done && strcmp(done, "password") == 0)
    json_object_set_new(d, "notice",
                        json_string(_("Your new password is saved. Your "
                                      "other sessions have ended.")));
  json_t *langs = json_array();
  static const char *const codes[][2] = {{"ar", "العربية"}, {"en", "English"}};
  for (size_t i = 0; i < 2; i++) {
    json_t *l = json_object();
    json_object_set_new(l, "code", json_string(codes[i][0]));
    json_object_set_new(l, "name", json_string(codes[i][1]));
    json_object_set_new(l, "selected",
                        json_boolean(strcmp(r->user.lang, codes[i][0]) == 0));
    json_array_append_new(langs, l);
  }
  json_object_set_new(d, "langs", langs);
  admin_render(r, 200, "dashboard", d);
}

void admin_lang_post(admin_req *r) {
  const char *lang = web_form_get(r->req->form, r->req->nform, "lang");
  if (!lang || (strcmp(lang, "ar") != 0 && strcmp(lang, "en") != 0)) {
    admin_redirect(r, "/admin");
    return;
  }
  int rc = store_user_set_lang(r->st, r->user.id, lang);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_user_set_lang");
    return;
  }
  admin_redirect(r, "/admin");
}
