/* pages.c: the home page, the lists of a section, a tag or an author, the
 * static pages, and the WordPress links that lead to them. */
#include "site/internal.h"

#include <string.h>

#define HOME_LATEST 10
#define HOME_BLOCK 4
/* A page's list of its children. */
#define PAGE_CHILDREN 100

/* ---- home ---- */

/* A block per top-level section (as the menu) with its latest articles
 * but the top story, which already heads the page; into blocks. */
static int home_blocks(site_req *r, int64_t top_id, buf_t *tags,
                       json_t *blocks) {
  store_section *secs;
  size_t ns = 0;
  int rc = SITE_CALL(r, store_sections, r->st, r->a, &secs, &ns);
  for (size_t i = 0; rc == NB_OK && i < ns; i++) {
    store_article *xs;
    size_t nx = 0;
    json_t *cards = NULL;
    if (secs[i].parent_id)
      continue;
    rc = SITE_CALL(r, store_articles_latest, r->st, r->a, secs[i].id, 0,
                   HOME_BLOCK, &xs, &nx);
    if (rc == NB_OK)
      rc = view_cards(r, xs, nx, top_id, tags, &cards);
    if (rc != NB_OK || json_array_size(cards) == 0) {
      if (cards)
        view_decref(cards);
      continue;
    }
    json_t *b = json_object();
    json_object_set_new(
        b, "section",
        view_section(r->a, secs[i].id, secs[i].name, secs[i].slug));
    json_object_set_new(b, "articles", cards);
    json_array_append_new(blocks, b);
  }
  return rc;
}

int site_home(site_req *r) {
  json_t *d = NULL, *cards = NULL;
  buf_t tags = {0};
  store_article *latest;
  size_t n = 0;
  int64_t top_id = 0;
  int rc = view_page(r, "home", r->c->name, "/", 0, &d);
  if (rc == NB_OK)
    rc = SITE_CALL(r, store_articles_latest, r->st, r->a, 0, 0, HOME_LATEST + 1,
                   &latest, &n);
  if (rc == NB_OK && n > 0) {
    top_id = latest[0].id;
    rc = view_cards(r, latest, n, 0, &tags, &cards);
  }
  if (cards) {
    json_object_set(d, "top", json_array_get(cards, 0));
    json_array_remove(cards, 0);
    json_object_set_new(d, "latest", cards);
    json_object_set_new(d, "has_latest", json_boolean(n > 1));
  }
  json_t *blocks = json_array();
  if (d)
    json_object_set_new(d, "blocks", blocks);
  if (rc == NB_OK)
    rc = home_blocks(r, top_id, &tags, blocks);
  if (rc != NB_OK) {
    buf_free(&tags);
    if (d)
      view_decref(d);
    else
      view_decref(blocks);
    return rc;
  }
  view_render(r, "home", d);
  r->res->tags = view_tags(r->a, "home " SHELL_TAGS, &tags);
  return NB_OK;
}

/* ---- lists: a section, a tag, an author ---- */

/* A section's parent { name, url } (absent at the top level) and its
 * subsections [ { name, url } ], into o. */
static int section_family(site_req *r, int64_t id, json_t *o) {
  store_section *secs;
  size_t n = 0;
  int rc = SITE_CALL(r, store_sections, r->st, r->a, &secs, &n);
  if (rc != NB_OK)
    return rc;
  json_t *children = json_array();
  for (size_t i = 0; i < n; i++) {
    if (secs[i].parent_id == id)
      json_array_append_new(
          children, view_section(r->a, secs[i].id, secs[i].name, secs[i].slug));
    for (size_t k = 0; secs[i].id == id && secs[i].parent_id && k < n; k++)
      if (secs[k].id == secs[i].parent_id)
        json_object_set_new(
            o, "parent",
            view_section(r->a, secs[k].id, secs[k].name, secs[k].slug));
  }
  json_object_set_new(o, "has_children",
                      json_boolean(json_array_size(children) > 0));
  json_object_set_new(o, "children", children);
  return NB_OK;
}

/* What a list page shows: a section, an author's or a tag's articles. */
typedef struct {
  int kind; /* STORE_LIST_SECTION, _AUTHOR or _TAG */
  int64_t id;
  const char *name, *slug;
  const char *base;        /* its path, ending in "/" */
  const char *description; /* a section's own; NULL or "": the site's */
} list_of;

/* { page, pages, prev, next } of a list's page. */
static json_t *pagination(arena_t *a, const char *base, int64_t page,
                          int64_t pages) {
  json_t *p = json_object();
  json_object_set_new(p, "page", json_integer(page));
  json_object_set_new(p, "pages", json_integer(pages));
  view_str(p, "prev",
           page == 1 ? ""
           : page == 2
               ? base
               : arena_printf(a, "%spage/%lld", base, (long long)page - 1));
  view_str(p, "next",
           page == pages
               ? ""
               : arena_printf(a, "%spage/%lld", base, (long long)page + 1));
  return p;
}

/* The list's own object (section) and its page's data around it. */
static int list_head(site_req *r, const list_of *l, int64_t page,
                     json_t **out) {
  arena_t *a = r->a;
  const site_conf *c = r->c;
  int is_section = l->kind == STORE_LIST_SECTION;
  const char *canon =
      page == 1 ? l->base
                : arena_printf(a, "%spage/%lld", l->base, (long long)page);
  const char *title = page == 1
                          ? arena_printf(a, "%s - %s", l->name, c->name)
                          /* TRANSLATORS: list, page number, site name. */
                          : arena_printf(a, _("%s - Page %lld - %s"), l->name,
                                         (long long)page, c->name);
  json_t *d = NULL;
  int rc = view_page(r, "section", title, canon, is_section ? l->id : 0, &d);
  if (rc != NB_OK)
    return rc;
  if (l->description && *l->description) /* the meta description */
    view_str(json_object_get(d, "page"), "description", l->description);
  json_t *sec = json_object();
  json_object_set_new(d, "section", sec);
  view_str(sec, "name", l->name);
  view_str(sec, "url", l->base);
  json_object_set_new(sec, "accent", json_integer(is_section ? l->id % 8 : 0));
  json_object_set_new(sec, "is_author",
                      json_boolean(l->kind == STORE_LIST_AUTHOR));
  json_object_set_new(sec, "is_tag", json_boolean(l->kind == STORE_LIST_TAG));
  if (is_section)
    rc = section_family(r, l->id, sec);
  else /* the page's own feeds, beside the site's */
    view_feed_links(a, c, json_object_get(json_object_get(d, "page"), "feeds"),
                    l->base, l->name);
  if (rc != NB_OK) {
    view_decref(d);
    return rc;
  }
  *out = d;
  return NB_OK;
}

static int list_page(site_req *r, const list_of *l, int64_t page) {
  const site_conf *c = r->c;
  int is_section = l->kind == STORE_LIST_SECTION;
  int64_t total = 0, offset = (page - 1) * c->per_page;
  int rc = SITE_CALL(r, store_list_count, r->st, l->kind, l->id, &total);
  if (rc != NB_OK)
    return rc;
  int64_t pages = total ? (total + c->per_page - 1) / c->per_page : 1;
  if (page > pages)
    return NB_ENOTFOUND;
  json_t *d = NULL, *cards = NULL;
  store_article *xs;
  size_t n = 0;
  buf_t tags = {0};
  rc = list_head(r, l, page, &d);
  if (rc == NB_OK)
    rc = is_section ? SITE_CALL(r, store_articles_latest, r->st, r->a, l->id,
                                offset, c->per_page, &xs, &n)
                    : SITE_CALL(r, store_list_articles, r->st, r->a, l->kind,
                                l->id, offset, c->per_page, &xs, &n);
  if (rc == NB_OK)
    rc = view_cards(r, xs, n, 0, &tags, &cards);
  if (rc != NB_OK) {
    buf_free(&tags);
    if (d)
      view_decref(d);
    return rc;
  }
  json_object_set_new(d, "articles", cards);
  if (pages > 1)
    json_object_set_new(d, "pagination",
                        pagination(r->a, l->base, page, pages));
  view_render(r, "section", d);
  /* An author's page changes with their articles ("author:ID"); a tag's
   * with any article's title or summary ("feeds", which every save
   * records) and with tagging ("tag:ID"). */
  const char *fixed =
      is_section
          ? arena_printf(r->a, "section:%lld " SHELL_TAGS, (long long)l->id)
      : l->kind == STORE_LIST_AUTHOR
          ? arena_printf(r->a, "author:%lld " SHELL_TAGS, (long long)l->id)
          : arena_printf(r->a, "tag:%lld feeds " SHELL_TAGS, (long long)l->id);
  r->res->tags = view_tags(r->a, fixed, &tags);
  return NB_OK;
}

int site_section(site_req *r, const store_section *sec, int64_t page) {
  list_of l = {STORE_LIST_SECTION,
               sec->id,
               sec->name,
               sec->slug,
               site_section_path(r->a, sec->slug),
               sec->description};
  return list_page(r, &l, page);
}

int site_author_or_tag(site_req *r, const char **seg, int n, int trailing) {
  if (n < 2 || n > 4 || n == 3 ||
      (strcmp(seg[0], "author") != 0 && strcmp(seg[0], "tag") != 0))
    return NB_ENOTFOUND;
  int tag = seg[0][0] == 't';
  store_named who;
  int rc = tag ? SITE_CALL(r, store_tag_by_slug, r->st, r->a, seg[1], &who)
               : SITE_CALL(r, store_author_by_slug, r->st, r->a, seg[1], &who);
  if (rc != NB_OK)
    return rc;
  int64_t page = 1;
  if (n == 4 &&
      (strcmp(seg[2], "page") != 0 ||
       nb_parse_i64(seg[3], strlen(seg[3]), 2, 1000000, &page) != NB_OK))
    return NB_ENOTFOUND;
  buf_t b = {0};
  buf_printf(&b, "/%s/", seg[0]);
  buf_url_encode(&b, who.slug, strlen(who.slug));
  buf_putc(&b, '/');
  list_of l = {
      tag ? STORE_LIST_TAG : STORE_LIST_AUTHOR, who.id, who.name, who.slug,
      arena_strndup(r->a, b.data, b.len),       NULL};
  buf_free(&b);
  if (!l.base)
    return site_check(r, NB_ENOMEM, "arena_strndup");
  if (n == 2 && !trailing) {
    site_redirect(r->res, l.base);
    return NB_OK;
  }
  return list_page(r, &l, page);
}

/* ---- static pages ---- */

/* The page's own object: title, text, its parent and its children. */
static int static_page_json(site_req *r, const store_page *p, json_t **out) {
  store_page parent, *kids;
  size_t nk = 0;
  int has_parent = 0;
  int rc = NB_OK;
  if (p->parent_id) {
    /* A parent no longer published is simply not linked. */
    rc = store_page_by_id(r->st, r->a, p->parent_id, &parent);
    has_parent = rc == NB_OK;
    if (rc == NB_ENOTFOUND)
      rc = NB_OK;
    site_check(r, rc, "store_page_by_id");
  }
  if (rc == NB_OK)
    rc = SITE_CALL(r, store_pages_under, r->st, r->a, p->id, PAGE_CHILDREN,
                   &kids, &nk);
  if (rc != NB_OK)
    return rc;
  json_t *o = json_object();
  view_str(o, "title", p->title);
  view_str(o, "body_html", p->body_html);
  json_object_set_new(o, "updated", view_date(r->c, p->updated_at, 0));
  if (has_parent)
    json_object_set_new(o, "parent", view_page_link(r->a, &parent));
  json_t *children = json_array();
  for (size_t i = 0; i < nk; i++)
    json_array_append_new(children, view_page_link(r->a, &kids[i]));
  json_object_set_new(o, "children", children);
  json_object_set_new(o, "has_children", json_boolean(nk > 0));
  *out = o;
  return NB_OK;
}

int site_static_page(site_req *r, const char **seg, int n) {
  store_page p;
  json_t *d = NULL, *o = NULL;
  if (n != 2 || strcmp(seg[0], "pages") != 0)
    return NB_ENOTFOUND;
  int rc = SITE_CALL(r, store_page_by_slug, r->st, r->a, seg[1], &p);
  if (rc != NB_OK)
    return rc;
  const char *path = site_page_path(r->a, p.slug);
  rc = view_page(r, "page", p.title, path, 0, &d);
  if (rc == NB_OK)
    rc = static_page_json(r, &p, &o);
  if (rc != NB_OK) {
    if (d)
      view_decref(d);
    return rc;
  }
  json_t *menu = json_object_get(json_object_get(d, "site"), "pages");
  for (size_t i = 0; i < json_array_size(menu); i++) {
    json_t *m = json_array_get(menu, i);
    /* No "url" when its string could not be allocated (a 503 follows). */
    const char *url = json_string_value(json_object_get(m, "url"));
    if (url && strcmp(url, path) == 0)
      json_object_set_new(m, "current", json_true());
  }
  json_object_set_new(d, "static_page", o);
  view_render(r, "page", d);
  /* Its children's saves record "page:<its id>"; its parent's save (a new
   * title, unpublished) records "page:<parent id>". */
  r->res->tags =
      p.parent_id
          ? arena_printf(r->a, "page:%lld page:%lld " SHELL_TAGS,
                         (long long)p.id, (long long)p.parent_id)
          : arena_printf(r->a, "page:%lld " SHELL_TAGS, (long long)p.id);
  return NB_OK;
}

/* ---- links of a site imported from WordPress ---- */

/* rc, with NB_ENOTFOUND as NB_OK and *found 0. */
static int found_or_not(int rc, int *found) {
  *found = rc == NB_OK;
  return rc == NB_ENOTFOUND ? NB_OK : rc;
}

/* Links of a site imported from WordPress answer 301 to the article's URL:
 * /?p=ID before anything else (n == 0), an old permalink path only when
 * nothing of naba's answered it (after a 404: a section or an article of
 * the same path wins, and a link never points at itself). */
int site_old_link(site_req *r, int n) {
  const char *p = n == 0 ? web_query(r->req, "p") : NULL;
  int64_t wp = 0, id = 0, page = 0;
  int article = 0, pg_found = 0;
  int rc = NB_OK;
  if (p && nb_parse_i64(p, strlen(p), 1, INT64_MAX, &wp) == NB_OK) {
    rc = found_or_not(SITE_CALL(r, store_wp_post_article, r->st, wp, &id),
                      &article);
    if (rc == NB_OK && !article)
      rc = found_or_not(SITE_CALL(r, store_wp_page, r->st, wp, &page),
                        &pg_found);
  } else if (n != 0) {
    rc = found_or_not(
        SITE_CALL(r, store_redirect_get, r->st, r->req->path, &id), &article);
    if (rc == NB_OK && !article)
      rc = found_or_not(
          SITE_CALL(r, store_page_redirect_get, r->st, r->req->path, &page),
          &pg_found);
  }
  if (rc != NB_OK)
    return rc;
  if (pg_found) {
    store_page pg;
    rc = found_or_not(SITE_CALL(r, store_page_by_id, r->st, r->a, page, &pg),
                      &pg_found);
    if (rc == NB_OK && pg_found)
      site_redirect(r->res, site_page_path(r->a, pg.slug));
    return rc != NB_OK ? rc : pg_found ? NB_OK : NB_ENOTFOUND;
  }
  if (!article)
    return NB_ENOTFOUND;
  store_article x;
  rc = SITE_CALL(r, store_article_by_id, r->st, r->a, id, &x);
  if (rc == NB_OK)
    site_redirect(r->res, site_article_path(r->a, &x));
  return rc;
}
