/* diff.c: what differs between two versions of an article, field by
 * field, the text paragraph by paragraph (libgit2's diff of two texts:
 * the sanitizer writes one block a line). */
#include "admin/internal.h"

#include <git2.h>
#include <string.h>

#include "core/core.h"

void admin_diff_init(void) {
  git_libgit2_init();
}

/* A line of sanitized HTML as the text a reader sees: the tags go, the
 * entities stay (the result is shown as HTML, and has no '<' or '>'). */
static const char *line_text(arena_t *a, const char *s, size_t n) {
  buf_t b = {0};
  int in_tag = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '<')
      in_tag = 1;
    else if (c == '>' && in_tag)
      in_tag = 0;
    else if (!in_tag && c != '\n' && c != '>')
      buf_putc(&b, c);
  }
  const char *t = arena_strndup(a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return t ? t : "";
}

typedef struct {
  arena_t *a;
  json_t *lines;
} diff_out;

static int on_line(const git_diff_delta *d, const git_diff_hunk *h,
                   const git_diff_line *l, void *payload) {
  (void)d;
  (void)h;
  diff_out *o = payload;
  const char *kind = l->origin == GIT_DIFF_LINE_ADDITION   ? "add"
                     : l->origin == GIT_DIFF_LINE_DELETION ? "del"
                     : l->origin == GIT_DIFF_LINE_CONTEXT  ? "same"
                                                           : NULL;
  if (!kind)
    return 0; /* "no newline at end of file" and the like */
  json_t *x = json_object();
  json_object_set_new(x, kind, json_true());
  json_object_set_new(x, "html",
                      json_string(line_text(o->a, l->content, l->content_len)));
  json_array_append_new(o->lines, x);
  return 0;
}

/* The paragraphs of old and new that differ, with one of context. */
static json_t *text_diff(arena_t *a, const char *old, const char *new) {
  diff_out o = {a, json_array()};
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.context_lines = 1;
  opts.flags |= GIT_DIFF_FORCE_TEXT;
  if (git_diff_buffers(old, strlen(old), NULL, new, strlen(new), NULL, &opts,
                       NULL, NULL, NULL, on_line, &o) != 0) {
    json_decref(o.lines);
    return NULL;
  }
  return o.lines;
}

static const struct {
  size_t off;
  const char *label;
} labels[] = {
    {offsetof(admin_article_form, title), N_("Headline")},
    {offsetof(admin_article_form, kicker), N_("Kicker")},
    {offsetof(admin_article_form, section), N_("Section")},
    {offsetof(admin_article_form, authors), N_("Authors")},
    {offsetof(admin_article_form, tags), N_("Tags")},
    {offsetof(admin_article_form, summary), N_("Summary")},
    {offsetof(admin_article_form, image_url), N_("Lead image")},
    {offsetof(admin_article_form, slug), N_("Address (slug)")},
    {offsetof(admin_article_form, seo_title), N_("Title for search engines")},
    {offsetof(admin_article_form, seo_description),
     N_("Description for search engines")},
    {offsetof(admin_article_form, publish_at), N_("Publication time")},
    {offsetof(admin_article_form, comments), N_("Comments")},
    {offsetof(admin_article_form, breaking), N_("Breaking news")},
    {offsetof(admin_article_form, featured), N_("Featured")},
};

static const char *get(const admin_article_form *f, size_t off) {
  return *(const char *const *)((const char *)f + off);
}

json_t *admin_diff(admin_req *r, const admin_article_form *old,
                   const admin_article_form *new, const char *section_old,
                   const char *section_new) {
  json_t *out = json_array();
  for (size_t i = 0; i < sizeof labels / sizeof *labels; i++) {
    const char *a = get(old, labels[i].off), *b = get(new, labels[i].off);
    if (strcmp(a, b) == 0)
      continue;
    if (labels[i].off == offsetof(admin_article_form, section)) {
      a = section_old;
      b = section_new;
    }
    json_t *x = json_object();
    json_object_set_new(x, "label", json_string(_(labels[i].label)));
    json_object_set_new(x, "old", json_string(a));
    json_object_set_new(x, "new", json_string(b));
    json_array_append_new(out, x);
  }
  if (strcmp(old->body, new->body) != 0) {
    json_t *lines = text_diff(r->a, old->body, new->body);
    json_t *x = json_object();
    json_object_set_new(x, "label", json_string(_("Text")));
    json_object_set_new(x, "is_text", json_true());
    json_object_set_new(x, "lines", lines ? lines : json_array());
    json_array_append_new(out, x);
  }
  return out;
}
