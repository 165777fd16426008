/* admin.c: the newsroom's entry: its templates and stylesheet, from a path
 * to a page, and the text every page shows. */
#include "admin/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "arabic/arabic.h"
#include "core/core.h"

int admin_open(const char *dir, admin **out, char *err, size_t errlen) {
  admin_markdown_init();
  admin_diff_init();
  admin *ad = calloc(1, sizeof *ad);
  if (!ad || !(ad->tpl = tpl_set_new())) {
    free(ad);
    snprintf(err, errlen, "out of memory");
    return NB_ENOMEM;
  }
  pthread_mutex_init(&ad->lock, NULL);
  int rc = tpl_set_load_dir(ad->tpl, dir, err, errlen);
  static const char *required[] = {
      "base",  "login",  "dashboard", "password", "error", "comments", "users",
      "audit", "editor", "revisions", "sections", "tags",  "settings"};
  for (size_t i = 0; rc == NB_OK && i < sizeof required / sizeof *required; i++)
    if (!tpl_has(ad->tpl, required[i])) {
      snprintf(err, errlen, "%s has no %s.mustache", dir, required[i]);
      rc = NB_EINVAL;
    }
  char path[4096];
  snprintf(path, sizeof path, "%s/admin.css", dir);
  if (rc == NB_OK &&
      (rc = nb_read_file(path, 1 << 20, &ad->css, &ad->css_len)) != NB_OK)
    snprintf(err, errlen, "cannot read %s: %s", path, nb_strerror(rc));
  /* The editor is built from npm (make editor), not kept in git: without
   * it the article form is a plain textarea, which works as well. */
  snprintf(path, sizeof path, "%s/editor.js", dir);
  if (rc == NB_OK) {
    int jrc = nb_read_file(path, ADMIN_EDITOR_MAX, &ad->js, &ad->js_len);
    if (jrc == NB_ENOMEM)
      rc = jrc;
    else if (jrc != NB_OK)
      nb_log("warn",
             "admin: no editor (%s: %s); articles are edited as "
             "plain text (make editor builds it)",
             path, nb_strerror(jrc));
  }
  if (rc != NB_OK) {
    admin_close(ad);
    return rc;
  }
  /* The stylesheet's URL names its content: browsers keep it for a year
   * and a new naba's changes reach them at once. The editor's too. */
  snprintf(ad->css_version, sizeof ad->css_version, "%016llx",
           (unsigned long long)XXH3_64bits(ad->css, ad->css_len));
  if (ad->js)
    snprintf(ad->js_version, sizeof ad->js_version, "%016llx",
             (unsigned long long)XXH3_64bits(ad->js, ad->js_len));
  *out = ad;
  return NB_OK;
}

void admin_close(admin *ad) {
  if (!ad)
    return;
  tpl_set_free(ad->tpl);
  free(ad->css);
  free(ad->js);
  pthread_mutex_destroy(&ad->lock);
  free(ad);
}

int admin_path(const char *path) {
  return strncmp(path, "/admin", 6) == 0 && (path[6] == '\0' || path[6] == '/');
}

/* ---- the interface's text ----
 * Templates hold no words: they show t.KEY, the translation of the msgid
 * here in the reader's language (gettext needs the text in C to find it). */
static const char *const text[][2] = {
    {"newsroom", N_("Newsroom")},
    {"skip", N_("Skip to the content")},
    {"login_title", N_("Log in to the newsroom")},
    {"login_name", N_("Name or e-mail address")},
    {"password", N_("Password")},
    {"login_button", N_("Log in")},
    {"signed_in_as", N_("Signed in as")},
    {"logout", N_("Log out")},
    {"logout_all", N_("Log out everywhere")},
    {"logout_all_help",
     N_("Ends your sessions on every device, this one included.")},
    {"change_password", N_("Change password")},
    {"current_password", N_("Current password")},
    {"new_password", N_("New password")},
    {"repeat_password", N_("The new password again")},
    {"password_rules",
     N_("At least 8 characters. A phrase of several words is easy to "
        "remember and hard to guess; common passwords are refused.")},
    {"save_password", N_("Save the new password")},
    {"must_change",
     N_("Your password was given to you once: choose your own before you go "
        "on.")},
    {"articles", N_("Articles")},
    {"no_articles", N_("No articles yet.")},
    {"col_title", N_("Headline")},
    {"col_section", N_("Section")},
    {"col_status", N_("Status")},
    {"col_date", N_("Date")},
    {"older", N_("Older articles")},
    {"view", N_("View")},
    {"language", N_("Interface language")},
    {"save", N_("Save")},
    {"public_site", N_("The site")},
    {"error_title", N_("Something went wrong")},
    {"comments", N_("Comments")},
    {"comment_views", N_("Comments to show")},
    {"search_comments", N_("Search names, e-mail addresses and text")},
    {"search", N_("Search")},
    {"no_comments", N_("No comments here.")},
    {"select", N_("Select")},
    {"on_article", N_("On")},
    {"from_address", N_("From the address")},
    {"with_selected", N_("With the selected comments")},
    {"approve", N_("Approve")},
    {"mark_spam", N_("Mark as spam")},
    {"to_pending", N_("Back to pending")},
    {"delete", N_("Delete for good")},
    {"older_comments", N_("Older comments")},
    {"article_comments", N_("This article's comments")},
    {"all_comments_of", N_("All comments on this article")},
    {"comment_state", N_("Comments on this article")},
    {"users", N_("Users")},
    {"audit", N_("Audit log")},
    {"col_name", N_("Name")},
    {"col_email", N_("E-mail address")},
    {"col_role", N_("Role")},
    {"col_state", N_("State")},
    {"col_lang", N_("Language")},
    {"col_manage", N_("Manage")},
    {"add_user", N_("Add a user")},
    {"name", N_("Name")},
    {"email", N_("E-mail address")},
    {"role", N_("Role")},
    {"lang", N_("Language")},
    {"add", N_("Add")},
    {"change_role", N_("Change the role")},
    {"new_role_of", N_("New role of")},
    {"disable", N_("Disable")},
    {"enable", N_("Enable")},
    {"new_onetime", N_("New one-time password")},
    {"you", N_("you")},
    {"onetime_of", N_("One-time password of")},
    {"onetime_once",
     N_("Shown this once: copy it now and give it to its holder in "
        "person or over a safe channel.")},
    {"col_when", N_("When")},
    {"col_who", N_("Who")},
    {"col_action", N_("Action")},
    {"col_object", N_("Object")},
    {"col_detail", N_("Detail")},
    {"no_audit", N_("Nothing has been recorded yet.")},
    {"older_audit", N_("Older entries")},
    {"new_article", N_("New article")},
    {"edit_article", N_("Edit the article")},
    {"lock_title", N_("Someone else is editing")},
    {"take_over", N_("Take over editing")},
    {"autosave_title", N_("Autosaved text")},
    {"autosave_offer",
     N_("You have text kept by autosave that is newer than the saved "
        "article, from")},
    {"autosave_load", N_("Open the autosaved text")},
    {"autosave_discard", N_("Discard it")},
    {"diff_title", N_("What differs: their version, then yours")},
    {"kicker", N_("Kicker (the line above the headline)")},
    {"headline", N_("Headline")},
    {"summary", N_("Summary")},
    {"body_format", N_("The text is written in")},
    {"body", N_("Text")},
    {"publishing", N_("Publishing")},
    {"publish_at", N_("Publication time")},
    {"publish_at_help",
     N_("In the site's time zone. Empty: now. A time to come schedules the "
        "article: it appears on its own at that minute.")},
    {"save_article", N_("Save")},
    {"submit_review", N_("Submit for review")},
    {"publish", N_("Publish")},
    {"schedule", N_("Schedule")},
    {"unpublish", N_("Unpublish")},
    {"restore", N_("Restore from the trash")},
    {"trash", N_("Move to the trash")},
    {"revisions", N_("Revisions")},
    {"placement", N_("Section, bylines and tags")},
    {"authors", N_("Authors")},
    {"authors_help", N_("Names as the site knows them, separated by commas.")},
    {"tags", N_("Tags")},
    {"tags_help", N_("Separated by commas; new ones are created.")},
    {"image_url", N_("Lead image (address)")},
    {"breaking", N_("Breaking news")},
    {"featured", N_("Featured")},
    {"seo", N_("Address and search engines")},
    {"art_slug", N_("Address (slug)")},
    {"art_slug_help",
     N_("Empty: made from the headline. Old addresses keep working.")},
    {"seo_title", N_("Title for search engines")},
    {"seo_description", N_("Description for search engines")},
    {"back_to_editor", N_("Back to the article")},
    {"revision", N_("Revision")},
    {"compare_a", N_("From")},
    {"compare_b", N_("To")},
    {"current", N_("current")},
    {"restore_revision", N_("Restore this revision")},
    {"compare", N_("Show the differences")},
    {"diff_between", N_("Differences between revisions")},
    {"no_difference", N_("These revisions are the same.")},
    {"state_tabs", N_("Articles to show")},
    {"mine", N_("Only mine")},
    {"edit", N_("Edit")},
    {"preview", N_("Preview")},
    {"choose_section", N_("Choose a section")},
    {"preview_help",
     N_("A private link: whoever has it sees the article as it is saved "
        "now, before it is published.")},
    {"sections", N_("Sections")},
    {"settings", N_("Settings")},
    {"add_section", N_("Add a section")},
    {"edit_section", N_("Edit the section")},
    {"slug", N_("Slug (in the address)")},
    {"slug_help", N_("Leave it empty to make one from the name.")},
    {"parent", N_("Parent section")},
    {"position", N_("Position in the menu")},
    {"description", N_("Description")},
    {"description_help",
     N_("One or two sentences: search engines show them under the "
        "section's link.")},
    {"col_slug", N_("Slug")},
    {"col_position", N_("Position")},
    {"col_articles", N_("Articles")},
    {"delete_section", N_("Delete")},
    {"no_sections", N_("No sections yet.")},
    {"cancel", N_("Cancel")},
    {"no_tags", N_("No tags yet.")},
    {"rename", N_("Save")},
    {"tag_name_of", N_("Name of the tag")},
    {"tag_slug_of", N_("Slug of the tag")},
    {"newer_tags", N_("Previous tags")},
    {"more_tags", N_("More tags")},
    {"save_settings", N_("Save changes")},
    {"settings_help",
     N_("Only the fields you change are saved. An emptied field goes back "
        "to its default where the setting has one.")},
    {"default_value", N_("Default:")},
};

static json_t *texts(void) {
  json_t *t = json_object();
  for (size_t i = 0; i < sizeof text / sizeof *text; i++)
    json_object_set_new(t, text[i][0], json_string(_(text[i][1])));
  return t;
}

const char *admin_role_name(int role) {
  static const char *const names[] = {N_("Contributor"), N_("Author"),
                                      N_("Editor"), N_("Administrator")};
  return role >= STORE_ROLE_CONTRIBUTOR && role <= STORE_ROLE_ADMINISTRATOR
             ? _(names[role - 1])
             : "?";
}

const char *admin_done_notice(admin_req *r, const admin_done *table, size_t n) {
  const char *done = web_query(r->req, "done");
  for (size_t i = 0; done && i < n; i++)
    if (strcmp(done, table[i].done) == 0)
      return _(table[i].notice);
  return NULL;
}

void admin_render(admin_req *r, int status, const char *tpl, json_t *data) {
  web_response *res = r->res;
  json_t *site = json_object();
  json_object_set_new(site, "name", json_string(r->site->name));
  json_object_set_new(site, "lang", json_string(nb_lang()));
  json_object_set_new(site, "dir", json_string(nb_lang_dir()));
  json_object_set_new(site, "public_css",
                      r->site->css ? json_string(r->site->css) : json_null());
  json_object_set_new(site, "css",
                      json_string(arena_printf(r->a, "/admin/admin.css?v=%s",
                                               r->ad->css_version)));
  json_object_set_new(
      site, "editor_js",
      r->ad->js ? json_string(arena_printf(r->a, "/admin/editor.js?v=%s",
                                           r->ad->js_version))
                : json_null());
  json_object_set_new(data, "site", site);
  json_object_set_new(data, "t", texts());
  if (r->in) {
    json_t *u = json_object();
    json_object_set_new(u, "name", json_string(r->user.name));
    json_object_set_new(u, "role", json_string(admin_role_name(r->user.role)));
    json_object_set_new(data, "user", u);
    json_object_set_new(data, "csrf", json_string(r->csrf));
    json_t *can = json_object();
    json_object_set_new(can, "moderate",
                        json_boolean(admin_can(r, ADMIN_MODERATE)));
    json_object_set_new(can, "users", json_boolean(admin_can(r, ADMIN_USERS)));
    json_object_set_new(can, "audit", json_boolean(admin_can(r, ADMIN_AUDIT)));
    json_object_set_new(can, "write", json_boolean(admin_can(r, ADMIN_WRITE)));
    json_object_set_new(can, "publish",
                        json_boolean(admin_can(r, ADMIN_PUBLISH)));
    json_object_set_new(can, "sections",
                        json_boolean(admin_can(r, ADMIN_SECTIONS)));
    json_object_set_new(can, "tags", json_boolean(admin_can(r, ADMIN_TAGS)));
    json_object_set_new(can, "settings",
                        json_boolean(admin_can(r, ADMIN_SETTINGS)));
    json_object_set_new(data, "can", can);
  }
  buf_reset(&res->body);
  res->status = status;
  res->content_type = ADMIN_HTML;
  res->personal = 1;
  res->scripts = 1; /* the editor, the newsroom's one script */
  if (tpl_render(r->ad->tpl, tpl, data, &res->body) != NB_OK || res->body.oom) {
    buf_reset(&res->body);
    res->status = 500;
    buf_puts(&res->body, "<!doctype html><title>500</title>500");
  }
}

const char *admin_date(admin_req *r, int64_t t) {
  buf_t b = {0};
  const char *out = "";
  /* The comma of the site's script: "،" in Arabic. */
  const char *pattern = strncmp(r->site->locale, "ar", 2) == 0
                            ? "d MMMM y، HH:mm"
                            : "d MMMM y, HH:mm";
  if (ar_date_format(r->site->locale, r->site->tz, pattern, t, &b) == NB_OK)
    out = arena_strdup(r->a, b.data ? b.data : "");
  buf_free(&b);
  return out;
}

void admin_redirect(admin_req *r, const char *path) {
  r->res->status = 303;
  r->res->location = path;
  r->res->personal = 1;
}

void admin_forbidden(admin_req *r) {
  json_t *d = json_object();
  json_object_set_new(
      d, "message",
      json_string(_("Your role in the newsroom does not allow this. Someone "
                    "whose role does can do it for you.")));
  admin_render(r, 403, "error", d);
}

void admin_unavailable(admin_req *r, int rc, const char *what) {
  nb_log("error", "admin: %s failed (%s): %s", what, nb_strerror(rc),
         r->st ? store_errmsg(r->st) : "no database");
  r->in = 0; /* show nothing of the session on the error page */
  json_t *d = json_object();
  json_object_set_new(d, "message",
                      json_string(_("The newsroom cannot reach its database "
                                    "right now. Nothing was changed; please "
                                    "try again shortly.")));
  admin_render(r, 503, "error", d);
  r->res->retry_after = 30;
}

/* The stylesheet and the editor, the files the newsroom serves: kept a
 * year by the browser under the name of their content. */
static void serve_asset(admin_req *r, const char *data, size_t len,
                        const char *version, const char *type) {
  web_response *res = r->res;
  const char *v = web_query(r->req, "v");
  buf_append(&res->body, data, len);
  res->content_type = type;
  if (v && strcmp(v, version) == 0)
    res->tags = "admin-assets";
  else
    res->personal = 1; /* an old or missing version: never kept */
}

static void serve_css(admin_req *r) {
  serve_asset(r, r->ad->css, r->ad->css_len, r->ad->css_version,
              "text/css; charset=utf-8");
}

/* Not built: 404, and the article form stays a textarea. */
static void serve_js(admin_req *r) {
  if (!r->ad->js) {
    r->res->status = 404;
    r->res->content_type = "text/plain; charset=utf-8";
    r->res->personal = 1;
    buf_puts(&r->res->body, "no editor in this naba\n");
    return;
  }
  serve_asset(r, r->ad->js, r->ad->js_len, r->ad->js_version,
              "text/javascript; charset=utf-8");
}

/* GET: the pages; POST: the forms. Every state change is a POST with this
 * session's CSRF token. */
static void route(admin_req *r) {
  const char *p = r->req->path;
  int post = strcmp(r->req->method, "POST") == 0;
  if (!post && strcmp(p, "/admin/admin.css") == 0) {
    serve_css(r);
    return;
  }
  if (!post && strcmp(p, "/admin/editor.js") == 0) {
    serve_js(r);
    return;
  }
  int rc = admin_session_load(r);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "session");
    return;
  }
  if (r->in)
    nb_lang_set(r->user.lang);
  else if (web_query(r->req, "lang") &&
           strcmp(web_query(r->req, "lang"), "en") == 0)
    nb_lang_set("en");

  if (strcmp(p, "/admin/login") == 0) {
    if (post) {
      admin_login_post(r);
      return;
    }
    if (r->in) {
      admin_redirect(r, "/admin");
      return;
    }
    {
      admin_login_form(r, 200, NULL, NULL);
      return;
    }
  }
  if (!r->in && admin_wants_json(r)) {
    admin_json_notice(r, 401,
                      _("Your session has ended: log in again in another tab, "
                        "then save. Your text is still here."));
    return;
  }
  /* An article form with bytes that are not UTF-8 is shown back with
   * them as U+FFFD, never refused whole: its text is not lost. */
  if (post && r->req->form_rc != NB_OK && r->req->form_repaired &&
      strncmp(p, "/admin/articles/", 16) == 0) {
    r->req->form = r->req->form_repaired;
    r->req->nform = r->req->nform_repaired;
    r->form_repaired = 1;
  }
  if (!r->in && post && strncmp(p, "/admin/articles/", 16) == 0) {
    admin_login_keep(r); /* the session ended while an article was open */
    return;
  }
  if (!r->in) {
    if (post) /* the session ended while a form was open */
    {
      admin_login_form(
          r, 401, _("Your session has ended. Log in again to go on."), NULL);
      return;
    }
    buf_t next = {0};
    buf_puts(&next, "/admin/login?next=");
    buf_url_encode(&next, p, strlen(p));
    const char *to = arena_strdup(r->a, next.data ? next.data : "/admin/login");
    buf_free(&next);
    {
      admin_redirect(r, to);
      return;
    }
  }
  if (post && !admin_csrf_ok(r) && admin_wants_json(r)) {
    admin_json_notice(r, 403,
                      _("This page is out of date: reload it to go on. Your "
                        "text is kept in the form."));
    return;
  }
  if (post && !admin_csrf_ok(r)) {
    json_t *d = json_object();
    json_object_set_new(d, "message",
                        json_string(_("This form was not sent from the "
                                      "newsroom's own page, so nothing was "
                                      "done. Go back, reload and try again.")));
    {
      admin_render(r, 403, "error", d);
      return;
    }
  }
  if (strcmp(p, "/admin/logout") == 0 && post) {
    admin_logout_post(r, 0);
    return;
  }
  if (strcmp(p, "/admin/logout-everywhere") == 0 && post) {
    admin_logout_post(r, 1);
    return;
  }
  if (strcmp(p, "/admin/password") == 0) {
    if (post)
      admin_password_post(r);
    else
      admin_password_form(r, 200, NULL);
    return;
  }
  /* A one-time password is changed before anything else. */
  if (r->user.must_change) {
    admin_redirect(r, "/admin/password");
    return;
  }
  if (strcmp(p, "/admin/lang") == 0 && post) {
    admin_lang_post(r);
    return;
  }
  if (strncmp(p, "/admin/articles/", 16) == 0) {
    admin_articles(r, post);
    return;
  }
  if (strcmp(p, "/admin/comments") == 0) {
    if (post)
      admin_comments_post(r);
    else
      admin_comments(r);
    return;
  }
  if (strcmp(p, "/admin/comments/state") == 0 && post) {
    admin_comments_state_post(r);
    return;
  }
  if (strcmp(p, "/admin/users") == 0) {
    if (post)
      admin_users_post(r);
    else
      admin_users(r);
    return;
  }
  if (strcmp(p, "/admin/sections") == 0) {
    if (post)
      admin_sections_post(r);
    else
      admin_sections(r);
    return;
  }
  if (strncmp(p, "/admin/sections/", 16) == 0 && !post) {
    admin_section_edit(r, p + 16);
    return;
  }
  if (strcmp(p, "/admin/tags") == 0) {
    if (post)
      admin_tags_post(r);
    else
      admin_tags(r);
    return;
  }
  if (strcmp(p, "/admin/settings") == 0) {
    if (post)
      admin_settings_post(r);
    else
      admin_settings(r);
    return;
  }
  if (strcmp(p, "/admin/audit") == 0 && !post) {
    admin_audit(r);
    return;
  }
  if ((strcmp(p, "/admin") == 0 || strcmp(p, "/admin/") == 0) && !post) {
    admin_dashboard(r);
    return;
  }
  json_t *d = json_object();
  json_object_set_new(d, "message",
                      json_string(_("There is no such page in the newsroom.")));
  admin_render(r, post ? 405 : 404, "error", d);
}

void admin_handle(admin *ad, const admin_site *site, store *st,
                  web_request *req, web_response *res) {
  admin_req r = {.ad = ad,
                 .site = site,
                 .st = st,
                 .a = req->arena,
                 .req = req,
                 .res = res,
                 .now = nb_now()};
  if (!st) {
    admin_unavailable(&r, NB_EIO, "store_open");
    return;
  }
  route(&r);
  res->personal |= res->tags == NULL;
}
