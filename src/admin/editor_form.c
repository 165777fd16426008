/* editor_form.c: the article form: its fields from a POST, a saved
 * article, an autosave or a revision; checked and turned into the article
 * the store saves (Markdown to HTML, the import sanitizer, bylines, tags,
 * slug, the publication time). */
#include "admin/internal.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "arabic/arabic.h"
#include "core/core.h"
#include "import/import.h"

/* The fields, by name in the form, the autosave and the template. */
#define FIELD(name)                                                            \
  { #name, offsetof(admin_article_form, name) }
static const struct {
  const char *name;
  size_t off;
} fields[] = {
    FIELD(title),      FIELD(kicker),      FIELD(section),
    FIELD(authors),    FIELD(tags),        FIELD(summary),
    FIELD(body),       FIELD(body_format), FIELD(image_url),
    FIELD(slug),       FIELD(seo_title),   FIELD(seo_description),
    FIELD(publish_at), FIELD(comments),    FIELD(breaking),
    FIELD(featured),
};
#define NFIELDS (sizeof fields / sizeof *fields)

static const char **field(admin_article_form *f, size_t i) {
  return (const char **)((char *)f + fields[i].off);
}

static const char *const *cfield(const admin_article_form *f, size_t i) {
  return (const char *const *)((const char *)f + fields[i].off);
}

static void defaults(admin_article_form *f) {
  for (size_t i = 0; i < NFIELDS; i++)
    if (!*field(f, i))
      *field(f, i) = "";
  if (!*f->body_format)
    f->body_format = "html";
  if (!*f->comments)
    f->comments = "-1";
}

void admin_form_from_post(admin_req *r, admin_article_form *f) {
  memset(f, 0, sizeof *f);
  for (size_t i = 0; i < NFIELDS; i++)
    *field(f, i) = web_form_get(r->req->form, r->req->nform, fields[i].name);
  const char *rev = web_form_get(r->req->form, r->req->nform, "revision");
  if (!rev || nb_parse_i64(rev, strlen(rev), 0, INT64_MAX, &f->revision))
    f->revision = 0;
  defaults(f);
}

json_t *admin_form_json(const admin_article_form *f) {
  json_t *o = json_object();
  for (size_t i = 0; i < NFIELDS; i++)
    json_object_set_new(o, fields[i].name, json_string(*cfield(f, i)));
  json_object_set_new(o, "revision", json_integer(f->revision));
  return o;
}

int admin_form_from_json(admin_req *r, const char *text,
                         admin_article_form *f) {
  json_error_t jerr;
  json_t *o = json_loads(text, 0, &jerr);
  memset(f, 0, sizeof *f);
  if (!json_is_object(o)) {
    json_decref(o);
    return NB_EINVAL;
  }
  for (size_t i = 0; i < NFIELDS; i++) {
    const char *v = json_string_value(json_object_get(o, fields[i].name));
    *field(f, i) = v ? arena_strdup(r->a, v) : NULL;
  }
  f->revision = json_integer_value(json_object_get(o, "revision"));
  json_decref(o);
  defaults(f);
  return NB_OK;
}

/* "YYYY-MM-DDTHH:MM" of t in the site's zone, for a datetime-local input
 * (Latin digits whatever the locale). */
const char *admin_local_input(admin_req *r, int64_t t) {
  buf_t b = {0};
  const char *out = "";
  if (ar_date_format("en", r->site->tz, "yyyy-MM-dd'T'HH:mm", t, &b) == NB_OK)
    out = arena_strndup(r->a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return out ? out : "";
}

/* Names of the article's tags or bylines, joined with ", ". */
static const char *join_names(admin_req *r, const store_named *xs, size_t n) {
  buf_t b = {0};
  for (size_t i = 0; i < n; i++) {
    if (i)
      buf_puts(&b, "، ");
    buf_puts(&b, xs[i].name);
  }
  const char *s = arena_strndup(r->a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return s ? s : "";
}

void admin_form_from_edit(admin_req *r, const store_edit *e,
                          admin_article_form *f) {
  memset(f, 0, sizeof *f);
  f->title = e->a.title;
  f->kicker = e->kicker;
  f->section = arena_printf(r->a, "%lld", (long long)e->a.section_id);
  f->authors = e->author_names;
  f->tags = join_names(r, e->tags, e->n_tags);
  f->summary = e->a.summary;
  f->body = e->a.body_html;
  f->body_format = "html";
  f->image_url = e->a.image_url;
  f->slug = e->a.slug;
  f->seo_title = e->seo_title;
  f->seo_description = e->seo_description;
  f->publish_at = e->a.status == STORE_PUBLISHED
                      ? admin_local_input(r, e->a.published_at)
                      : "";
  f->comments = arena_printf(r->a, "%d", e->comments_state);
  f->breaking = e->breaking ? "1" : "";
  f->featured = e->featured ? "1" : "";
  f->revision = e->revision;
  defaults(f);
}

/* ---- from the form to the article ---- */

/* Splits a list typed as "a، b, c" into trimmed, non-empty names. */
static size_t split_names(admin_req *r, const char *s, const char **out,
                          size_t max) {
  size_t n = 0;
  while (*s && n <= max) {
    size_t k = strcspn(s, ",،");
    const char *end = s + k;
    while (s < end && (*s == ' ' || *s == '\t'))
      s++;
    const char *e = end;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
      e--;
    if (e > s)
      out[n++] = arena_strndup(r->a, s, (size_t)(e - s));
    s = *end == ',' ? end + 1 : *end ? end + strlen("،") : end;
  }
  return n;
}

static const char *slug_of(admin_req *r, const char *text) {
  buf_t b = {0};
  const char *s = NULL;
  if (ar_slug(text, strlen(text), AR_SLUG_MAX, &b) == NB_OK && b.len > 0)
    s = arena_strndup(r->a, b.data, b.len);
  buf_free(&b);
  return s;
}

static int markdown_to_html(const char *md, size_t n, buf_t *out) {
  cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
  if (!p)
    return NB_ENOMEM;
  static const char *const exts[] = {"table", "strikethrough", "autolink"};
  for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
    cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
    if (e)
      cmark_parser_attach_syntax_extension(p, e);
  }
  cmark_parser_feed(p, md, n);
  cmark_node *doc = cmark_parser_finish(p);
  /* Raw HTML passes here: the import sanitizer judges it next. */
  char *html = doc ? cmark_render_html(doc, CMARK_OPT_UNSAFE,
                                       cmark_parser_get_syntax_extensions(p))
                   : NULL;
  if (html)
    buf_puts(out, html);
  free(html);
  if (doc)
    cmark_node_free(doc);
  cmark_parser_free(p);
  return html && !out->oom ? NB_OK : NB_ENOMEM;
}

void admin_markdown_init(void) {
  cmark_gfm_core_extensions_ensure_registered();
}

/* The bylines: each name an author the site has; the writer's own name
 * may be new (their first byline). */
static const char *resolve_authors(admin_req *r, const char *text,
                                   store_edit *e) {
  const char *names[STORE_EDIT_MAX + 1];
  size_t n = split_names(r, text, names, STORE_EDIT_MAX);
  if (n > STORE_EDIT_MAX)
    return _("An article has at most 32 authors.");
  store_named *all;
  size_t nall;
  if (n && store_authors(r->st, r->a, &all, &nall) != NB_OK)
    return NULL; /* the caller sees no ids: a store failure */
  int64_t *ids = arena_alloc(r->a, (n ? n : 1) * sizeof *ids);
  if (!ids)
    return _("The server ran out of memory. Nothing was saved.");
  for (size_t i = 0; i < n; i++) {
    ids[i] = 0;
    for (size_t k = 0; k < nall && !ids[i]; k++)
      if (strcmp(all[k].name, names[i]) == 0)
        ids[i] = all[k].id;
    const char *slug = slug_of(r, names[i]);
    if (!ids[i] && strcmp(names[i], r->user.name) == 0 && slug &&
        store_author_ensure(r->st, names[i], slug, &ids[i]) != NB_OK)
      ids[i] = 0;
    if (!ids[i])
      return arena_printf(r->a,
                          _("There is no author named \"%s\". Check the "
                            "spelling, or ask an editor to add them."),
                          names[i]);
    for (size_t k = 0; k < i; k++)
      if (ids[k] == ids[i])
        return arena_printf(r->a, _("\"%s\" is named twice as an author."),
                            names[i]);
  }
  e->author_ids = ids;
  e->n_authors = n;
  return NULL;
}

static const char *resolve_tags(admin_req *r, const char *text, store_edit *e) {
  const char *names[STORE_EDIT_MAX + 1];
  size_t n = split_names(r, text, names, STORE_EDIT_MAX);
  if (n > STORE_EDIT_MAX)
    return _("An article has at most 32 tags.");
  int64_t *ids = arena_alloc(r->a, (n ? n : 1) * sizeof *ids);
  if (!ids)
    return _("The server ran out of memory. Nothing was saved.");
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const char *slug = slug_of(r, names[i]);
    int64_t id = 0;
    if (!slug)
      return arena_printf(r->a,
                          _("The tag \"%s\" has no letters to make "
                            "its address from."),
                          names[i]);
    int rc = store_tag_ensure(r->st, names[i], slug, &id);
    if (rc == NB_EEXIST || rc == NB_EINVAL)
      return arena_printf(r->a,
                          _("The tag \"%s\" cannot be made: another tag has "
                            "its address."),
                          names[i]);
    if (rc != NB_OK)
      return NULL;
    int dup = 0;
    for (size_t j = 0; j < k; j++)
      dup |= ids[j] == id;
    if (!dup)
      ids[k++] = id;
  }
  e->tag_ids = ids;
  e->n_tag_ids = k;
  return NULL;
}

static int blank(const char *s) {
  for (; *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
      return 0;
  return 1;
}

/* Text fields of one line: their most bytes. */
static const struct {
  size_t off, max;
  const char *label;
} line_limits[] = {
    {offsetof(admin_article_form, title), 1000, N_("The headline")},
    {offsetof(admin_article_form, kicker), 500, N_("The kicker")},
    {offsetof(admin_article_form, summary), 5000, N_("The summary")},
    {offsetof(admin_article_form, image_url), 2000, N_("The image address")},
    {offsetof(admin_article_form, slug), 400, N_("The address")},
    {offsetof(admin_article_form, seo_title), 1000, N_("The search title")},
    {offsetof(admin_article_form, seo_description), 2000,
     N_("The search description")},
    {offsetof(admin_article_form, authors), 4000, N_("The authors")},
    {offsetof(admin_article_form, tags), 4000, N_("The tags")},
};

const char *admin_form_check(admin_req *r, const admin_article_form *f,
                             store_edit *e, int *store_rc) {
  *store_rc = NB_OK;
  for (size_t i = 0; i < sizeof line_limits / sizeof *line_limits; i++) {
    const char *v =
        *(const char *const *)((const char *)f + line_limits[i].off);
    if (strlen(v) > line_limits[i].max)
      return arena_printf(r->a, _("%s is longer than %zu bytes."),
                          _(line_limits[i].label), line_limits[i].max);
  }
  if (blank(f->title))
    return _("An article needs a headline.");
  if (strlen(f->body) > ADMIN_BODY_MAX)
    return _("The text is longer than 1 MB. Split it into two articles, or "
             "shorten it.");
  int64_t section = 0;
  if (nb_parse_i64(f->section, strlen(f->section), 1, INT64_MAX, &section) !=
      NB_OK)
    return _("Choose the article's section.");
  store_section sec;
  int rc = store_section_by_id(r->st, r->a, section, &sec);
  if (rc == NB_ENOTFOUND)
    return _("That section no longer exists: choose another.");
  if (rc != NB_OK) {
    *store_rc = rc;
    return NULL;
  }
  if (*f->image_url && !nb_url_allowed(f->image_url, strlen(f->image_url)))
    return _("The image address must start with https:// (or http://).");
  int comments = 0;
  if (strcmp(f->comments, "-1") == 0)
    comments = -1;
  else if (strcmp(f->comments, "1") == 0)
    comments = 1;
  else if (strcmp(f->comments, "0") != 0)
    return _("Choose whether readers may comment.");

  buf_t html = {0}, clean = {0};
  if (strcmp(f->body_format, "markdown") == 0)
    rc = markdown_to_html(f->body, strlen(f->body), &html);
  else
    buf_puts(&html, f->body);
  if (rc == NB_OK && html.oom)
    rc = NB_ENOMEM;
  if (rc == NB_OK)
    rc = imp_html_sanitize(html.data ? html.data : "", html.len, &clean);
  if (rc == NB_OK && clean.oom)
    rc = NB_ENOMEM;
  const char *body =
      rc == NB_OK ? arena_strndup(r->a, clean.data ? clean.data : "", clean.len)
                  : NULL;
  buf_free(&html);
  buf_free(&clean);
  if (rc == NB_ETOOBIG)
    return _("The text is too long or nests too deep to keep.");
  if (rc == NB_EINVAL)
    return _("The text is not valid UTF-8. Paste it again as plain text.");
  if (rc != NB_OK || !body)
    return _("The server ran out of memory. Nothing was saved.");

  e->a.section_id = section;
  e->a.title = f->title;
  e->a.summary = f->summary;
  e->a.body_html = body;
  e->a.image_url = f->image_url;
  e->kicker = f->kicker;
  e->seo_title = f->seo_title;
  e->seo_description = f->seo_description;
  e->breaking = *f->breaking != '\0';
  e->featured = *f->featured != '\0';
  e->comments_state = comments;
  const char *slug =
      blank(f->slug) ? slug_of(r, f->title) : slug_of(r, f->slug);
  e->a.slug = slug ? slug : "article";

  const char *why = resolve_authors(r, f->authors, e);
  if (!why && !e->author_ids && *f->authors)
    *store_rc = NB_EIO;
  if (!why && !*store_rc) {
    why = resolve_tags(r, f->tags, e);
    if (!why && !e->tag_ids)
      *store_rc = NB_EIO;
  }
  return why;
}

/* A JSON array of strings joined with the Arabic comma. */
static const char *join_json(admin_req *r, json_t *arr) {
  buf_t b = {0};
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    if (i)
      buf_puts(&b, "، ");
    buf_puts(&b, json_string_value(v) ? json_string_value(v) : "");
  }
  const char *s = arena_strndup(r->a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return s ? s : "";
}

int admin_form_from_revision(admin_req *r, const char *text,
                             admin_article_form *f) {
  json_error_t jerr;
  json_t *o = json_loads(text, 0, &jerr);
  memset(f, 0, sizeof *f);
  if (!json_is_object(o)) {
    json_decref(o);
    return NB_EINVAL;
  }
#define STR(k)                                                                 \
  arena_strdup(r->a, json_string_value(json_object_get(o, k))                  \
                         ? json_string_value(json_object_get(o, k))            \
                         : "")
#define INT(k) json_integer_value(json_object_get(o, k))
  f->title = STR("title");
  f->kicker = STR("kicker");
  f->slug = STR("slug");
  f->summary = STR("summary");
  f->body = STR("body_html");
  f->image_url = STR("image_url");
  f->seo_title = STR("seo_title");
  f->seo_description = STR("seo_description");
  f->section = arena_printf(r->a, "%lld", (long long)INT("section_id"));
  f->comments = arena_printf(r->a, "%lld", (long long)INT("comments_state"));
  f->breaking = INT("breaking") ? "1" : "";
  f->featured = INT("featured") ? "1" : "";
  f->publish_at = INT("status") == STORE_PUBLISHED
                      ? admin_local_input(r, INT("published_at"))
                      : "";
  f->authors = join_json(r, json_object_get(o, "author_names"));
  f->tags = join_json(r, json_object_get(o, "tags"));
#undef STR
#undef INT
  json_decref(o);
  defaults(f);
  return NB_OK;
}
