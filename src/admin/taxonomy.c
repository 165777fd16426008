/* taxonomy.c: the sections and tags of the newsroom, for editors and
 * administrators: sections as a tree (add, edit, delete when empty), tags
 * with their article counts (rename, new slug, delete). Every change is
 * audited by the store in its own transaction. */
#include "admin/internal.h"

#include <stdio.h>
#include <string.h>

#include "arabic/arabic.h"
#include "core/core.h"

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

static void not_found(admin_req *r) {
  json_t *d = json_object();
  json_object_set_new(d, "message",
                      json_string(_("There is no such page in the newsroom.")));
  admin_render(r, 404, "error", d);
}

/* The slug typed, else one made from the name (ar_slug), in r's arena;
 * "" when neither gives one. */
static const char *slug_or_suggest(admin_req *r, const char *slug,
                                   const char *name) {
  if (*slug)
    return slug;
  buf_t b = {0};
  const char *out = "";
  if (ar_slug(name, strlen(name), AR_SLUG_MAX, &b) == NB_OK && b.data)
    out = arena_strdup(r->a, b.data);
  buf_free(&b);
  return out ? out : "";
}

/* ---- sections ---- */

/* The sections in tree order (each after its parent, siblings by
 * position): appends the children of parent at depth to list. seen guards
 * against a cycle already in the database (the store refuses new ones). */
static void tree(admin_req *r, const store_section *ss, size_t n,
                 int64_t parent, int depth, unsigned char *seen, json_t *list) {
  for (size_t i = 0; i < n; i++) {
    if (ss[i].parent_id != parent || seen[i])
      continue;
    seen[i] = 1;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ss[i].id));
    json_object_set_new(o, "name", json_string(ss[i].name));
    json_object_set_new(o, "slug", json_string(ss[i].slug));
    json_object_set_new(o, "position", json_integer(ss[i].position));
    json_object_set_new(o, "description", json_string(ss[i].description));
    json_object_set_new(o, "depth", json_integer(depth));
    /* The indent (admin.css: up to 4 levels deep; no style attribute,
     * which the CSP forbids), and a dash per level for screen readers. */
    json_object_set_new(o, "indent", json_integer(depth < 4 ? depth : 4));
    json_object_set_new(o, "dashes",
                        json_string(arena_printf(r->a, "%.*s", depth * 2,
                                                 "— — — — — — — — — — ")));
    json_array_append_new(list, o);
    tree(r, ss, n, ss[i].id, depth + 1, seen, list);
  }
}

/* The parent choices of the form: none, then every section but self. */
static json_t *parents_json(const store_section *ss, size_t n, int64_t self,
                            int64_t selected) {
  json_t *a = json_array(), *none = json_object();
  json_object_set_new(none, "id", json_integer(0));
  json_object_set_new(none, "name", json_string(_("None (top level)")));
  json_object_set_new(none, "selected", json_boolean(selected == 0));
  json_array_append_new(a, none);
  for (size_t i = 0; i < n; i++) {
    if (ss[i].id == self)
      continue;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ss[i].id));
    json_object_set_new(o, "name", json_string(ss[i].name));
    json_object_set_new(o, "selected", json_boolean(ss[i].id == selected));
    json_array_append_new(a, o);
  }
  return a;
}

static const admin_done section_done[] = {
    {"add", N_("The section was added.")},
    {"edit", N_("The section was saved.")},
    {"delete", N_("The section was deleted.")},
};
static const admin_done tag_done[] = {
    {"edit", N_("The tag was saved.")},
    {"delete", N_("The tag was deleted; its articles stay.")},
};

/* The form's fields: from f (a section) or as typed. */
static json_t *section_form(const store_section *ss, size_t n,
                            const store_section *f, const char *position,
                            const char *error) {
  json_t *o = json_object();
  json_object_set_new(o, "id", json_integer(f->id));
  json_object_set_new(o, "edit", json_boolean(f->id > 0));
  json_object_set_new(o, "name", json_string(f->name ? f->name : ""));
  json_object_set_new(o, "slug", json_string(f->slug ? f->slug : ""));
  json_object_set_new(o, "position", json_string(position));
  json_object_set_new(o, "description",
                      json_string(f->description ? f->description : ""));
  json_object_set_new(o, "parents", parents_json(ss, n, f->id, f->parent_id));
  if (error)
    json_object_set_new(o, "form_error", json_string(error));
  return o;
}

/* Renders the sections page with status; form (may be NULL: an empty add
 * form) as typed and why it was refused. */
static void sections_page(admin_req *r, int status, const store_section *form,
                          const char *position, const char *error,
                          const char *list_error) {
  store_section *ss = NULL;
  size_t n = 0;
  int rc = store_sections(r->st, r->a, &ss, &n);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_sections");
    return;
  }
  json_t *d = json_object(), *list = json_array();
  unsigned char *seen = n ? arena_alloc(r->a, n) : NULL;
  if (n && !seen) {
    json_decref(d);
    json_decref(list);
    admin_unavailable(r, NB_ENOMEM, "sections");
    return;
  }
  if (seen)
    memset(seen, 0, n);
  tree(r, ss, n, 0, 0, seen, list);
  /* Sections whose parent is missing or in a cycle: still listed. */
  for (size_t i = 0; i < n; i++)
    if (!seen[i])
      tree(r, ss, n, ss[i].parent_id, 0, seen, list);
  json_object_set_new(d, "sections", list);
  json_object_set_new(d, "has_sections", json_boolean(n > 0));
  store_section empty = {.position = (int64_t)n + 1};
  const store_section *f = form ? form : &empty;
  const char *pos =
      position ? position : arena_printf(r->a, "%lld", (long long)f->position);
  json_object_set_new(d, "form", section_form(ss, n, f, pos, error));
  if (list_error)
    json_object_set_new(d, "error", json_string(list_error));
  const char *notice = admin_done_notice(
      r, section_done, sizeof section_done / sizeof *section_done);
  if (notice)
    json_object_set_new(d, "notice", json_string(notice));
  admin_render(r, status, "sections", d);
}

void admin_sections(admin_req *r) {
  if (!admin_can(r, ADMIN_SECTIONS)) {
    admin_forbidden(r);
    return;
  }
  sections_page(r, 200, NULL, NULL, NULL, NULL);
}

void admin_section_edit(admin_req *r, const char *id_text) {
  if (!admin_can(r, ADMIN_SECTIONS)) {
    admin_forbidden(r);
    return;
  }
  store_section sec;
  int64_t id = id_of(id_text);
  int rc = id ? store_section_by_id(r->st, r->a, id, &sec) : NB_ENOTFOUND;
  if (rc == NB_ENOTFOUND) {
    not_found(r);
    return;
  }
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_section_by_id");
    return;
  }
  sections_page(r, 200, &sec, NULL, NULL, NULL);
}

/* Why the store refused a section, for its form. */
static const char *section_refusal(admin_req *r, int rc) {
  const char *msg = store_errmsg(r->st);
  if (rc == NB_EEXIST)
    return strstr(msg, "slug")
               ? _("Another section already has this slug: choose another.")
               : _("Another section already has this name: choose another.");
  if (strstr(msg, "cycle"))
    return _("A section cannot be placed under itself or under one of its "
             "own subsections.");
  if (strstr(msg, "parent"))
    return _("Choose the parent section from the list.");
  return _("A section needs a name and a slug, each of at most a few "
           "hundred characters, without control characters.");
}

static void section_save_post(admin_req *r, int64_t id) {
  const char *name = field(r, "name"), *pos = field(r, "position");
  store_section in = {.id = id,
                      .name = name,
                      .slug = slug_or_suggest(r, field(r, "slug"), name),
                      .parent_id = id_of(field(r, "parent")),
                      .description = field(r, "description")};
  const char *typed_slug = field(r, "slug");
  if (*pos &&
      nb_parse_i64(pos, strlen(pos), 0, 1000000, &in.position) != NB_OK) {
    store_section shown = in;
    shown.slug = typed_slug;
    sections_page(r, 422, &shown, pos,
                  _("The position is a whole number from 0 to 1000000."), NULL);
    return;
  }
  if (!*pos) {
    /* Empty: after the others (an edit keeps its place). */
    store_section *ss = NULL, old;
    size_t n = 0;
    int rc = id ? store_section_by_id(r->st, r->a, id, &old)
                : store_sections(r->st, r->a, &ss, &n);
    if (rc == NB_OK)
      in.position = id ? old.position : (int64_t)n + 1;
  }
  if (!*name) {
    store_section shown = in;
    shown.slug = typed_slug;
    sections_page(r, 422, &shown, pos, _("A section needs a name."), NULL);
    return;
  }
  int64_t saved = 0;
  int rc = store_section_save(r->st, r->user.id, &in, &saved);
  if (rc == NB_ENOTFOUND) {
    not_found(r);
    return;
  }
  if (rc == NB_EEXIST || rc == NB_EINVAL) {
    store_section shown = in;
    shown.slug = typed_slug;
    sections_page(r, 422, &shown, pos, section_refusal(r, rc), NULL);
    return;
  }
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_section_save");
    return;
  }
  admin_redirect(r,
                 id ? "/admin/sections?done=edit" : "/admin/sections?done=add");
}

void admin_sections_post(admin_req *r) {
  if (!admin_can(r, ADMIN_SECTIONS)) {
    admin_forbidden(r);
    return;
  }
  const char *action = field(r, "action");
  int64_t id = id_of(field(r, "section"));
  if (strcmp(action, "add") == 0) {
    section_save_post(r, 0);
    return;
  }
  if (!id) {
    not_found(r);
    return;
  }
  if (strcmp(action, "edit") == 0) {
    section_save_post(r, id);
    return;
  }
  if (strcmp(action, "delete") != 0) {
    admin_redirect(r, "/admin/sections");
    return;
  }
  int64_t articles = 0;
  int rc = store_section_delete(r->st, r->user.id, id, &articles);
  if (rc == NB_ENOTFOUND) {
    not_found(r);
    return;
  }
  if (rc == NB_EINVAL && articles > 0) {
    sections_page(
        r, 422, NULL, NULL, NULL,
        arena_printf(r->a,
                     nb_ngettext("This section has %lld article: move it to "
                                 "another section before deleting this one.",
                                 "This section has %lld articles: move them "
                                 "to another section before deleting this "
                                 "one.",
                                 (unsigned long)articles),
                     (long long)articles));
    return;
  }
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_section_delete");
    return;
  }
  admin_redirect(r, "/admin/sections?done=delete");
}

/* ---- tags ---- */

/* The typed fields and the refusal of the tag form being answered. */
typedef struct {
  int64_t id;
  const char *name, *slug, *error;
} tag_typed;

static void tags_page(admin_req *r, int status, const tag_typed *typed,
                      const char *error) {
  int64_t page = 1, total = 0;
  const char *p = web_query(r->req, "page");
  if (p && nb_parse_i64(p, strlen(p), 1, INT64_MAX / ADMIN_TAGS_PAGE, &page) !=
               NB_OK)
    page = 1;
  store_tag_count *ts = NULL;
  size_t n = 0;
  int rc = store_tags_counted(r->st, r->a, (page - 1) * ADMIN_TAGS_PAGE,
                              ADMIN_TAGS_PAGE, &ts, &n, &total);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_tags_counted");
    return;
  }
  json_t *d = json_object(), *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    int mine = typed && typed->id == ts[i].id;
    json_object_set_new(o, "id", json_integer(ts[i].id));
    json_object_set_new(o, "label", json_string(ts[i].name));
    json_object_set_new(o, "name",
                        json_string(mine ? typed->name : ts[i].name));
    json_object_set_new(o, "slug",
                        json_string(mine ? typed->slug : ts[i].slug));
    json_object_set_new(o, "articles", json_integer(ts[i].articles));
    if (mine && typed->error)
      json_object_set_new(o, "row_error", json_string(typed->error));
    json_array_append_new(list, o);
  }
  json_object_set_new(d, "tags", list);
  json_object_set_new(d, "has_tags", json_boolean(n > 0));
  json_object_set_new(d, "page", json_integer(page));
  if (page > 1)
    json_object_set_new(d, "prev",
                        json_string(arena_printf(r->a, "/admin/tags?page=%lld",
                                                 (long long)page - 1)));
  if (page * ADMIN_TAGS_PAGE < total)
    json_object_set_new(d, "next",
                        json_string(arena_printf(r->a, "/admin/tags?page=%lld",
                                                 (long long)page + 1)));
  if (error)
    json_object_set_new(d, "error", json_string(error));
  const char *notice =
      admin_done_notice(r, tag_done, sizeof tag_done / sizeof *tag_done);
  if (notice)
    json_object_set_new(d, "notice", json_string(notice));
  admin_render(r, status, "tags", d);
}

void admin_tags(admin_req *r) {
  if (!admin_can(r, ADMIN_TAGS)) {
    admin_forbidden(r);
    return;
  }
  tags_page(r, 200, NULL, NULL);
}

void admin_tags_post(admin_req *r) {
  if (!admin_can(r, ADMIN_TAGS)) {
    admin_forbidden(r);
    return;
  }
  const char *action = field(r, "action");
  int64_t id = id_of(field(r, "tag"));
  int64_t page = id_of(field(r, "page"));
  const char *back = arena_printf(
      r->a, "/admin/tags?page=%lld&done=%s", (long long)(page ? page : 1),
      strcmp(action, "delete") == 0 ? "delete" : "edit");
  int rc;
  if (!id) {
    not_found(r);
    return;
  }
  if (strcmp(action, "delete") == 0) {
    rc = store_tag_delete(r->st, r->user.id, id);
  } else if (strcmp(action, "edit") == 0) {
    const char *name = field(r, "name");
    const char *slug = slug_or_suggest(r, field(r, "slug"), name);
    rc = store_tag_update(r->st, r->user.id, id, name, slug);
    if (rc == NB_EEXIST || rc == NB_EINVAL) {
      const char *msg = store_errmsg(r->st);
      tag_typed t = {
          id, name, field(r, "slug"),
          rc == NB_EINVAL ? _("A tag needs a name and a slug.")
          : strstr(msg, "slug")
              ? _("Another tag already has this slug: choose another.")
              : _("Another tag already has this name: choose "
                  "another.")};
      tags_page(r, 422, &t, NULL);
      return;
    }
  } else {
    admin_redirect(r, "/admin/tags");
    return;
  }
  if (rc == NB_ENOTFOUND) {
    not_found(r);
    return;
  }
  if (rc != NB_OK) {
    admin_unavailable(r, rc, action);
    return;
  }
  admin_redirect(r, back);
}
