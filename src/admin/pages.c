/* pages.c: the newsroom's pages: the dashboard with every article, and
 * the choice of interface language. */
#include "admin/internal.h"

#include <string.h>

#include "core/core.h"

/* Where an article is in its life, as the list shows it. */
static const char *status_of(const store_article *x, int64_t now) {
  if (x->status == STORE_PUBLISHED)
    return x->published_at > now ? _("Scheduled") : _("Published");
  if (x->draft_state && strcmp(x->draft_state, STORE_DRAFT_PENDING) == 0)
    return _("Awaiting review");
  if (x->draft_state && strcmp(x->draft_state, STORE_DRAFT_PRIVATE) == 0)
    return _("Private");
  return _("Draft");
}

void admin_dashboard(admin_req *r) {
  int64_t before = 0;
  const char *b = web_query(r->req, "before");
  if (b && nb_parse_i64(b, strlen(b), 1, INT64_MAX, &before) != NB_OK)
    before = 0;
  store_article *xs;
  size_t n;
  int rc =
      store_articles_newsroom(r->st, r->a, before, ADMIN_LIST_PAGE, &xs, &n);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_articles_newsroom");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(xs[i].id));
    json_object_set_new(o, "title", json_string(xs[i].title));
    json_object_set_new(o, "section", json_string(xs[i].section_name));
    json_object_set_new(o, "status", json_string(status_of(&xs[i], r->now)));
    json_object_set_new(o, "date",
                        json_string(admin_date(r, xs[i].published_at)));
    json_array_append_new(list, o);
  }
  json_t *d = json_object();
  json_object_set_new(d, "articles", list);
  json_object_set_new(d, "has_articles", json_boolean(n > 0));
  if (n == ADMIN_LIST_PAGE)
    json_object_set_new(d, "older",
                        json_string(arena_printf(r->a, "/admin?before=%lld",
                                                 (long long)xs[n - 1].id)));
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
