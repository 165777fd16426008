/* article.c: the article page: its text, structured data for search
 * engines, sharing links, related articles and its comments. */
#include "admin/admin.h"
#include "site/internal.h"

#include <string.h>

#define RELATED 4

/* ,"key":"value" (no comma for the first member of an object). */
static void ld_str(buf_t *b, const char *key, const char *value) {
  if (!value) { /* an arena_printf that ran out of memory */
    b->oom = 1;
    return;
  }
  if (b->len && b->data[b->len - 1] != '{')
    buf_putc(b, ',');
  buf_json_string(b, key);
  buf_putc(b, ':');
  buf_json_string(b, value);
}

/* schema.org NewsArticle and BreadcrumbList. Written straight as text:
 * jansson's dump took a sixth of an uncached article's CPU. */
static const char *jsonld(arena_t *a, const site_conf *c,
                          const store_article *x, const char *canonical,
                          const char *published, const char *modified) {
  buf_t b = {0};
  buf_puts(&b, "{\"@context\":\"https://schema.org\",\"@graph\":[{");
  ld_str(&b, "@type", "NewsArticle");
  ld_str(&b, "@id", arena_printf(a, "%s#article", canonical));
  ld_str(&b, "headline", x->title);
  ld_str(&b, "description", x->summary);
  ld_str(&b, "url", canonical);
  ld_str(&b, "mainEntityOfPage", canonical);
  ld_str(&b, "datePublished", published);
  ld_str(&b, "dateModified", modified);
  ld_str(&b, "inLanguage", "ar");
  ld_str(&b, "articleSection", x->section_name);
  const char *image = nb_url_or_empty(x->image_url),
             *logo = nb_url_or_empty(c->logo);
  if (image[0]) {
    buf_puts(&b, ",\"image\":[");
    buf_json_string(&b, image);
    buf_putc(&b, ']');
  }
  buf_puts(&b, ",\"author\":[{");
  ld_str(&b, "@type", x->author_name[0] ? "Person" : "Organization");
  ld_str(&b, "name", x->author_name[0] ? x->author_name : c->name);
  ld_str(&b, "url",
         x->author_slug[0] ? arena_printf(a, "%s/author/%s/", c->url,
                                          view_encode(a, x->author_slug))
                           : arena_printf(a, "%s/", c->url));
  buf_puts(&b, "}],\"publisher\":{");
  ld_str(&b, "@type", "NewsMediaOrganization");
  ld_str(&b, "name", c->name);
  ld_str(&b, "url", c->url);
  if (logo[0]) {
    buf_puts(&b, ",\"logo\":{");
    ld_str(&b, "@type", "ImageObject");
    ld_str(&b, "url", logo);
    buf_putc(&b, '}');
  }
  buf_puts(&b, "}},{");
  ld_str(&b, "@type", "BreadcrumbList");
  buf_puts(&b, ",\"itemListElement\":[");
  const char *names[3] = {c->name, x->section_name, x->title};
  const char *urls[3] = {
      arena_printf(a, "%s/", c->url),
      arena_printf(a, "%s%s", c->url, site_section_path(a, x->section_slug)),
      canonical};
  for (int i = 0; i < 3; i++) {
    buf_puts(&b, i ? ",{" : "{");
    ld_str(&b, "@type", "ListItem");
    buf_printf(&b, ",\"position\":%d", i + 1);
    ld_str(&b, "name", names[i]);
    ld_str(&b, "item", urls[i]);
    buf_putc(&b, '}');
  }
  buf_puts(&b, "]}]}");
  const char *r = b.oom ? NULL : arena_strndup(a, b.data, b.len);
  buf_free(&b);
  return r;
}

static json_t *share_json(arena_t *a, const char *title, const char *url) {
  const char *t = view_encode(a, title), *u = view_encode(a, url);
  const char *tu = view_encode(a, arena_printf(a, "%s %s", title, url));
  json_t *o = json_object();
  view_str(o, "whatsapp", arena_printf(a, "https://wa.me/?text=%s", tu));
  view_str(
      o, "facebook",
      arena_printf(a, "https://www.facebook.com/sharer/sharer.php?u=%s", u));
  view_str(o, "x",
           arena_printf(a, "https://x.com/intent/tweet?text=%s&url=%s", t, u));
  view_str(o, "telegram",
           arena_printf(a, "https://t.me/share/url?url=%s&text=%s", u, t));
  view_str(o, "email", arena_printf(a, "mailto:?subject=%s&body=%s", t, u));
  return o;
}

/* The article's own object, its JSON-LD and share links, into d. */
static void article_json(site_req *r, const store_article *x,
                         const char *canon_path, json_t *d) {
  arena_t *a = r->a;
  const site_conf *c = r->c;
  const char *canonical = arena_printf(a, "%s%s", c->url, canon_path);
  json_t *art = json_object();
  json_object_set_new(art, "id", json_integer(x->id));
  view_str(art, "title", x->title);
  view_str(art, "url", canon_path);
  view_str(art, "canonical", canonical);
  view_str(art, "summary", x->summary);
  /* URLs from the database pass the rule again: older imports wrote
   * some before it existed */
  view_str(art, "image", nb_url_or_empty(x->image_url));
  view_str(art, "body_html", x->body_html);
  view_str(art, "author", x->author_name);
  view_str(art, "kicker", x->kicker);
  view_str(art, "head_title",
           x->seo_title && x->seo_title[0] ? x->seo_title : x->title);
  json_object_set_new(art, "breaking", json_boolean(x->breaking));
  if (x->author_slug[0])
    view_str(art, "author_url",
             arena_printf(a, "/author/%s/", view_encode(a, x->author_slug)));
  json_object_set_new(
      art, "section",
      view_section(a, x->section_id, x->section_name, x->section_slug));
  json_t *pub = view_date(c, x->published_at, 1);
  json_t *upd = view_date(c, x->updated_at, 1);
  /* Shown as "updated" only when it was edited after an hour or more. */
  json_object_set_new(upd, "changed",
                      json_boolean(x->updated_at - x->published_at > 3600));
  const char *pub_iso = json_string_value(json_object_get(pub, "iso"));
  const char *upd_iso = json_string_value(json_object_get(upd, "iso"));
  view_str(art, "published_iso", pub_iso);
  const char *ld = jsonld(a, c, x, canonical, pub_iso ? pub_iso : "",
                          upd_iso ? upd_iso : "");
  json_object_set_new(art, "date", pub);
  json_object_set_new(art, "updated", upd);
  json_object_set_new(d, "article", art);
  json_object_set_new(d, "share", share_json(a, x->title, canonical));
  view_str(d, "jsonld", ld);
  const char *desc = x->seo_description && x->seo_description[0]
                         ? x->seo_description
                         : x->summary;
  if (desc[0])
    view_str(json_object_get(d, "page"), "description", desc);
}

/* Every byline when there is more than one: [{name, url}]. */
static int authors_json(site_req *r, const store_article *x, json_t *art) {
  store_named *as;
  size_t n;
  if (x->n_authors < 2)
    return NB_OK;
  int rc = SITE_CALL(r, store_article_authors, r->st, r->a, x->id, &as, &n);
  if (rc != NB_OK)
    return rc;
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    view_str(o, "name", as[i].name);
    view_str(o, "url",
             arena_printf(r->a, "/author/%s/", view_encode(r->a, as[i].slug)));
    json_object_set_new(o, "last", json_boolean(i + 1 == n));
    json_array_append_new(list, o);
  }
  json_object_set_new(art, "authors", list);
  json_object_set_new(art, "multi", json_boolean(n > 1));
  return NB_OK;
}

/* The latest articles of its section but itself, into d. */
static int related_json(site_req *r, const store_article *x, buf_t *tags,
                        json_t *d) {
  store_article *rel;
  size_t n = 0;
  json_t *related = NULL;
  int rc = SITE_CALL(r, store_articles_latest, r->st, r->a, x->section_id, 0,
                     RELATED + 1, &rel, &n);
  if (rc == NB_OK)
    rc = view_cards(r, rel, n, x->id, tags, &related);
  if (rc != NB_OK)
    return rc;
  json_object_set_new(d, "has_related", json_boolean(json_array_size(related)));
  json_object_set_new(d, "related", related);
  return NB_OK;
}

/* Answers a 301 to the canonical path when path is not it; returns 1 if
 * it did. */
static int to_canonical(site_req *r, const store_article *x, const char *path,
                        int64_t reply_to) {
  arena_t *a = r->a;
  const char *canon_path = site_article_path(a, x);
  /* Compare decoded forms: web hands over the percent-decoded path. */
  const char *want = arena_printf(a, "/%s/%lld-%s", x->section_slug,
                                  (long long)x->id, x->slug);
  if (reply_to)
    want = arena_printf(a, "%s/reply/%lld", want, (long long)reply_to);
  if (strcmp(path, want) == 0)
    return 0;
  site_redirect(r->res, reply_to ? arena_printf(a, "%s/reply/%lld#respond",
                                                canon_path, (long long)reply_to)
                                 : canon_path);
  return 1;
}

/* NB_OK when comment reply_to is one a reader may answer on article id:
 * there, and approved (the only ones with a reply link); NB_ENOTFOUND
 * else, so that /reply/<any number> is not a page of its own. */
static int reply_target(site_req *r, int64_t id, int64_t reply_to) {
  store_comment m;
  int rc = SITE_CALL(r, store_comment_by_id, r->st, r->a, reply_to, &m);
  if (rc == NB_OK && (m.article_id != id || m.status != STORE_COMMENT_APPROVED))
    rc = NB_ENOTFOUND;
  return rc;
}

/* The page of article x; preview: an unpublished state shown to whoever
 * has the private link (never cached, never indexed, no comments). */
static int article_page(site_req *r, const store_article *x, int64_t reply_to,
                        const comment_form *f, int preview) {
  arena_t *a = r->a;
  json_t *d = NULL;
  buf_t tags = {0};
  int personal = 0;
  int64_t closes_at = 0;
  const char *canon_path = site_article_path(a, x);
  const char *head = x->seo_title && x->seo_title[0] ? x->seo_title : x->title;
  int rc = view_page(r, "article", arena_printf(a, "%s - %s", head, r->c->name),
                     canon_path, x->section_id, &d);
  if (rc == NB_OK) {
    article_json(r, x, canon_path, d);
    rc = authors_json(r, x, json_object_get(d, "article"));
  }
  if (rc == NB_OK && !preview) {
    comment_form blank = {.parent = reply_to};
    rc = site_comments(r, x, canon_path, f ? f : &blank, d, &personal,
                       &closes_at);
  }
  if (rc == NB_OK)
    rc = related_json(r, x, &tags, d);
  if (rc != NB_OK) {
    buf_free(&tags);
    if (d)
      view_decref(d);
    return rc;
  }
  if (preview)
    json_object_set_new(d, "preview", json_true());
  view_render(r, "article", d);
  web_response *res = r->res;
  if (preview) {
    buf_free(&tags);
    res->personal = 1;
    res->tags = NULL;
    return NB_OK;
  }
  res->tags = view_tags(
      a,
      arena_printf(a, "article:%lld comments:%lld section:%lld " SHELL_TAGS,
                   (long long)x->id, (long long)x->id,
                   (long long)x->section_id),
      &tags);
  res->personal = personal;
  /* A reply form is the article page again: each comment's would be a
   * cached copy of it. */
  if (reply_to)
    res->tags = NULL;
  res->last_modified = x->updated_at;
  /* The form's token ages, and comments may close at a set time: let the
   * cached page be made again. */
  int64_t ttl = 86400;
  if (closes_at > nb_now() && closes_at - nb_now() < ttl)
    ttl = closes_at - nb_now();
  res->ttl = (int)ttl;
  return NB_OK;
}

int site_article(site_req *r, const char *path, int64_t id, int64_t reply_to,
                 const comment_form *f) {
  store_article x;
  int rc = SITE_CALL(r, store_article_by_id, r->st, r->a, id, &x);
  if (rc == NB_OK && reply_to)
    rc = reply_target(r, id, reply_to);
  if (rc != NB_OK)
    return rc;
  if (to_canonical(r, &x, path, reply_to))
    return NB_OK;
  return article_page(r, &x, reply_to, f, 0);
}

int site_preview(site_req *r, const char *token) {
  int64_t id = admin_preview_id(r->a, r->s->key, token);
  store_article x;
  if (!id)
    return NB_ENOTFOUND;
  int rc = SITE_CALL(r, store_article_any, r->st, r->a, id, &x);
  return rc == NB_OK ? article_page(r, &x, 0, NULL, 1) : rc;
}
