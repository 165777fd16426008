/* import/wxr_items.c: what each thing a WordPress export holds becomes
 * (wxr_import.c says what becomes what): the site, authors, terms, and
 * items: posts with their comments, pages, attachments. Called from the
 * writing thread only (wxr_queue.c), inside the batch's transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "arabic/arabic.h"
#include "import/import.h"
#include "import/internal.h"
#include "search/search.h"

#define UNTITLED "بلا عنوان"

/* ---- text ---- */

/* WordPress slugs of Arabic words are percent-encoded ("%d8%a7..."). */
static void percent_decode(const char *s, buf_t *out) {
  for (size_t i = 0; s[i]; i++) {
    unsigned v;
    if (s[i] == '%' && sscanf(s + i + 1, "%2x", &v) == 1 &&
        strchr("0123456789abcdefABCDEF", s[i + 1]) &&
        strchr("0123456789abcdefABCDEF", s[i + 2])) {
      buf_putc(out, (char)v);
      i += 2;
    } else {
      buf_putc(out, s[i]);
    }
  }
}

/* "2008-09-02 10:30:00" as UTC; 0 for WordPress's "0000-00-00 00:00:00"
 * (drafts) or anything else. */
static int64_t wp_date(const char *d) {
  struct tm tm = {0};
  if (sscanf(d, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
             &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6 ||
      tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t t = timegm(&tm);
  return t > 0 ? (int64_t)t : 0;
}

/* RFC 822 pubDate with its offset ("Tue, 02 Sep 2008 10:30:00 +0000"). */
static int64_t rfc822_date(const char *d) {
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  char mon[4] = "";
  int sign = 1, off = 0;
  char zone[8] = "";
  struct tm tm = {0};
  const char *p = strchr(d, ',');
  if (sscanf(p ? p + 1 : d, "%d %3s %d %d:%d:%d %7s", &tm.tm_mday, mon,
             &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, zone) < 6)
    return 0;
  const char *m = strstr(months, mon);
  if (!m || mon[0] == '\0' || tm.tm_year < 1970)
    return 0;
  tm.tm_mon = (int)(m - months) / 3;
  tm.tm_year -= 1900;
  if ((zone[0] == '+' || zone[0] == '-') && strlen(zone) == 5) {
    sign = zone[0] == '-' ? -1 : 1;
    off = ((zone[1] - '0') * 10 + (zone[2] - '0')) * 3600 +
          ((zone[3] - '0') * 10 + (zone[4] - '0')) * 60;
  }
  time_t t = timegm(&tm);
  return t > 0 ? (int64_t)t - sign * off : 0;
}

/* The post's publication time: the UTC field, else the RFC 822 one with
 * its offset, else the local one taken as UTC. */
/* When an item was published: its _gmt date; else its pubDate (which has
 * an offset); else its local date less the site's offset from UTC, as the
 * items that have both dates show it (WordPress leaves drafts' _gmt date
 * empty). The offset seen last is used: it moves with summer time. */
static int64_t post_time(imp_wxr_importer *im, const imp_wxr_item *it) {
  int64_t gmt = wp_date(it->date_gmt), local = wp_date(it->date);
  if (gmt && local && local - gmt >= -14 * 3600 && local - gmt <= 14 * 3600)
    im->utc_offset = local - gmt;
  if (gmt)
    return gmt;
  int64_t t = rfc822_date(it->pub_date);
  return t ? t : local ? local - im->utc_offset : 0;
}

/* The path of an old link on the exported site ("/2008/09/02/slug/"),
 * percent-decoded as the server sees requests; "" when it is not a link
 * of that site or has no path. */
static void old_path(const imp_wxr_importer *im, const char *link, buf_t *out) {
  const char *p = link;
  size_t nb = im->base ? strlen(im->base) : 0;
  if (nb && strncmp(link, im->base, nb) == 0)
    p = link + nb;
  else if ((p = strstr(link, "://")) != NULL)
    p = strchr(p + 3, '/');
  if (!p || *p != '/')
    return;
  const char *q = strpbrk(p, "?#");
  size_t n = q ? (size_t)(q - p) : strlen(p);
  if (n < 2)
    return; /* "/?p=ID" links are answered from wp_posts, not as "/" */
  buf_t raw = {0};
  buf_append(&raw, p, n);
  percent_decode(raw.data ? raw.data : "", out);
  buf_free(&raw);
}

/* ---- callbacks ---- */

int imp_wxr_on_site(imp_wxr_importer *im, const imp_wxr_site *s) {
  const char *b = s->base_blog_url[0] ? s->base_blog_url : s->link;
  size_t n = strlen(b);
  while (n > 0 && b[n - 1] == '/')
    n--;
  im->base = strndup(b, n);
  if (!im->base)
    return NB_ENOMEM;
  return imp_wxr_batch_step(im);
}

int imp_wxr_on_author(imp_wxr_importer *im, const imp_wxr_author *a) {
  const char *name = a->display_name[0] ? a->display_name : a->login;
  int64_t id = 0;
  if (!a->login[0] || !name[0])
    return NB_OK;
  int rc = imp_ensure_named(im->s, IMP_NAMED_AUTHOR, name, a->login, &id);
  if (rc == NB_OK)
    rc = store_user_ensure(im->s, a->login, a->email, id);
  if (rc == NB_OK)
    rc = imp_slug_map_put(&im->authors, a->login, id);
  if (rc != NB_OK)
    return imp_wxr_fail(im, rc, "author %s: %s", a->login, store_errmsg(im->s));
  im->r->authors++;
  return NB_OK;
}

/* The section (category) or tag of a WordPress slug, made when first
 * seen; map remembers it, *made counts the new ones. */
static int term_for(imp_wxr_importer *im, int kind, imp_slug_map *map,
                    int64_t *made, const char *slug, const char *name,
                    int64_t *id) {
  buf_t dec = {0};
  *id = imp_slug_map_get(map, slug);
  if (*id)
    return NB_OK;
  percent_decode(slug, &dec);
  int rc = imp_ensure_named(im->s, kind, name[0] ? name : slug, dec.data, id);
  buf_free(&dec);
  if (rc == NB_OK)
    rc = imp_slug_map_put(map, slug, *id);
  if (rc == NB_OK)
    ++*made;
  return rc;
}

static int section_for(imp_wxr_importer *im, const char *slug, const char *name,
                       int64_t *id) {
  return term_for(im, IMP_NAMED_SECTION, &im->sections, &im->r->sections, slug,
                  name, id);
}

static int tag_for(imp_wxr_importer *im, const char *slug, const char *name,
                   int64_t *id) {
  return term_for(im, IMP_NAMED_TAG, &im->tags, &im->r->tags, slug, name, id);
}

int imp_wxr_on_term(imp_wxr_importer *im, const imp_wxr_term *t) {
  int64_t id;
  int rc = NB_OK;
  if (!t->slug[0] && !t->name[0])
    return NB_OK;
  const char *slug = t->slug[0] ? t->slug : t->name;
  if (strcmp(t->taxonomy, "category") == 0) {
    rc = section_for(im, slug, t->name, &id);
    /* the parent may come later: linked at the end */
    if (rc == NB_OK && t->parent[0])
      rc = imp_slug_map_put(&im->parents, t->parent, id);
  } else if (strcmp(t->taxonomy, "post_tag") == 0) {
    rc = tag_for(im, slug, t->name, &id);
  }
  if (rc != NB_OK)
    return imp_wxr_fail(im, rc, "term %s: %s", slug, store_errmsg(im->s));
  return NB_OK;
}

static void avatar_key(imp_wxr_importer *im, const char *email, char out[33]) {
  unsigned char h[16];
  buf_t l = {0};
  for (const char *p = email; *p; p++)
    buf_putc(&l, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
  crypto_generichash(h, sizeof h, (const unsigned char *)(l.data ? l.data : ""),
                     l.len, im->have_key ? im->key : NULL,
                     im->have_key ? sizeof im->key : 0);
  sodium_bin2hex(out, 33, h, sizeof h);
  buf_free(&l);
}

static int import_comments(imp_wxr_importer *im, const imp_wxr_item *it,
                           int64_t article_id) {
  size_t n = it->ncomments;
  int64_t *ids = calloc(n ? n : 1, sizeof *ids); /* naba id, 0: not yet */
  char *done = calloc(n ? n : 1, 1);
  int rc = ids && done ? NB_OK : NB_ENOMEM, progress = 1;
  /* Parents first: passes until nothing more can go in; a reply whose
   * parent is missing goes in at the top level. */
  for (int last = 0; rc == NB_OK && progress;) {
    progress = 0;
    for (size_t i = 0; rc == NB_OK && i < n; i++) {
      const imp_wxr_comment *c = &it->comments[i];
      if (done[i])
        continue;
      if (strcmp(c->type, "pingback") == 0 ||
          strcmp(c->type, "trackback") == 0 ||
          strcmp(c->approved, "trash") == 0 || !c->content[0]) {
        done[i] = 1;
        im->r->comments_skipped++;
        continue;
      }
      int64_t parent = 0;
      if (c->parent) {
        size_t k = 0;
        while (k < n && it->comments[k].id != c->parent)
          k++;
        if (k < n && !done[k] && !last)
          continue; /* its parent first */
        parent = k < n ? ids[k] : 0;
      }
      buf_t body = {0};
      search_text_from_html(c->content, strlen(c->content), &body);
      char key[48], avatar[33];
      snprintf(key, sizeof key, "wxr:%lld", (long long)c->id);
      avatar_key(im, c->email, avatar);
      int64_t when = wp_date(c->date_gmt), local = wp_date(c->date);
      store_comment m = {
          .article_id = article_id,
          .parent_id = parent,
          .author_name = c->author[0] ? c->author : "—",
          .author_email = c->email,
          .author_url = nb_url_or_empty(c->url),
          .body = body.data ? body.data : "",
          .status = strcmp(c->approved, "1") == 0      ? STORE_COMMENT_APPROVED
                    : strcmp(c->approved, "spam") == 0 ? STORE_COMMENT_SPAM
                                                       : STORE_COMMENT_PENDING,
          .created_at = when    ? when
                        : local ? local - im->utc_offset
                                : 0,
          .avatar_key = avatar,
          .client = c->ip,
      };
      int created = 0;
      if (!body.len)
        im->r->comments_skipped++;
      else if ((rc = store_comment_add(im->s, &m, key, &created)) == NB_OK)
        im->r->comments++;
      buf_free(&body);
      ids[i] = m.id;
      done[i] = 1;
      progress = 1;
    }
    if (!progress && !last) {
      last = 1; /* what is left has parents that never came */
      progress = 1;
    }
  }
  free(ids);
  free(done);
  return rc;
}

/* The naba slug of a post or page (from its WordPress slug, else its
 * title, else "<kind>-ID") and its source key; returns the title shown. */
static const char *item_names(const imp_wxr_importer *im,
                              const imp_wxr_item *it, const char *kind,
                              buf_t *slug, char *key, size_t keylen) {
  buf_t path = {0};
  const char *title = it->title[0] ? it->title : UNTITLED;
  percent_decode(it->slug, &path);
  if (ar_slug(path.len ? path.data : title, path.len ? path.len : strlen(title),
              AR_SLUG_MAX, slug) != NB_OK) {
    buf_reset(slug);
    buf_printf(slug, "%s-%lld", kind, (long long)it->id);
  }
  buf_free(&path);
  snprintf(key, keylen, "wxr:%.500s#%lld", im->base ? im->base : "",
           (long long)it->id);
  return title;
}

/* A gallery's images, added to the article at the end (wxr_import.c), when
 * its attachments are known. */
static int remember_gallery(imp_wxr_importer *im, int64_t article_id,
                            const imp_galleries *g) {
  int rc = NB_OK;
  for (size_t i = 0; rc == NB_OK && g && i < g->n; i++)
    rc = imp_wxr_remember(&im->gallery_images, &im->ngallery, &im->cap_gallery,
                          article_id, g->ids[i]);
  if (rc == NB_OK && g && g->attached)
    rc = imp_wxr_remember(&im->gallery_images, &im->ngallery, &im->cap_gallery,
                          article_id, 0);
  return rc;
}

/* What kind of draft a post or page is: naba has no passwords for
 * readers, so one behind a password is private. */
static const char *draft_state_of(const imp_wxr_item *it) {
  if (it->password[0] || strcmp(it->status, "private") == 0)
    return STORE_DRAFT_PRIVATE;
  return strcmp(it->status, "pending") == 0 ? STORE_DRAFT_PENDING : NULL;
}

/* The first category is the section; more categories and the tags
 * become tags (tag_ids has room for one per term). */
static int post_terms(imp_wxr_importer *im, const imp_wxr_item *it,
                      int64_t *section_id, int64_t *tag_ids, size_t *ntags) {
  int rc = NB_OK;
  for (size_t i = 0; rc == NB_OK && i < it->nterms; i++) {
    const imp_wxr_term *t = &it->terms[i];
    const char *tslug = t->slug[0] ? t->slug : t->name;
    int64_t id;
    if (strcmp(t->taxonomy, "category") == 0 && !*section_id)
      rc = section_for(im, tslug, t->name, section_id);
    else if (strcmp(t->taxonomy, "category") == 0 ||
             strcmp(t->taxonomy, "post_tag") == 0) {
      rc = tag_for(im, tslug, t->name, &id);
      if (rc == NB_OK)
        tag_ids[(*ntags)++] = id;
    }
  }
  if (rc == NB_OK && !*section_id)
    rc = section_for(im, "uncategorized", "غير مصنف", section_id);
  return rc;
}

/* The post's summary: the first paragraph of its excerpt, else of its
 * body, as text (text is scratch space). */
static void post_summary(const imp_wxr_item *it, const buf_t *body, buf_t *text,
                         buf_t *summary) {
  search_text_from_html(it->excerpt[0] ? it->excerpt
                                       : (body->data ? body->data : ""),
                        it->excerpt[0] ? strlen(it->excerpt) : body->len, text);
  const char *nl = text->data ? strchr(text->data, '\n') : NULL;
  imp_summary_of(text->data ? text->data : "",
                 nl ? (size_t)(nl - text->data) : text->len, summary);
}

/* What a saved post brings besides its text: its tags, sticky flag,
 * WordPress ID, old link and comments, and what is resolved at the end
 * (its lead image and galleries). */
static int post_links(imp_wxr_importer *im, const imp_wxr_item *it, int64_t id,
                      const int64_t *tag_ids, size_t ntags,
                      const imp_galleries *g) {
  store *s = im->s;
  buf_t path = {0};
  int rc = store_article_tags_set(s, id, tag_ids, ntags);
  if (rc == NB_OK && it->sticky)
    rc = store_article_set_sticky(s, id, 1);
  if (rc == NB_OK)
    rc = store_wp_post_set(s, it->id, id);
  old_path(im, it->link, &path);
  if (rc == NB_OK && path.oom)
    rc = NB_ENOMEM;
  if (rc == NB_OK && path.len > 0) {
    rc = store_redirect_set(s, path.data, id);
    im->r->redirects += rc == NB_OK;
  }
  if (rc == NB_OK)
    rc = import_comments(im, it, id);
  if (rc == NB_OK && it->thumbnail_id > 0)
    rc = imp_wxr_remember(&im->thumbs, &im->nthumbs, &im->cap_thumbs, id,
                          it->thumbnail_id);
  if (rc == NB_OK)
    rc = remember_gallery(im, id, g);
  buf_free(&path);
  return rc;
}

/* body: the post's HTML sanitized (by the reading thread); html_rc: how
 * that went; g: its galleries, or NULL. */
static int import_post(imp_wxr_importer *im, const imp_wxr_item *it,
                       const buf_t *body, int html_rc, const imp_galleries *g) {
  store *s = im->s;
  buf_t summary = {0}, text = {0}, slug = {0};
  char key[600];
  int64_t section_id = 0, author_id = 0;
  int64_t *tag_ids = calloc(it->nterms + 1, sizeof *tag_ids);
  size_t ntags = 0;
  int rc = tag_ids ? NB_OK : NB_ENOMEM, created = 0;

  if (rc == NB_OK)
    rc = post_terms(im, it, &section_id, tag_ids, &ntags);
  author_id = imp_slug_map_get(&im->authors, it->creator);

  if (rc == NB_OK && html_rc == NB_ENOMEM)
    rc = NB_ENOMEM; /* the machine's failure, not the post's: stop */
  if (rc == NB_OK && html_rc != NB_OK) {
    /* a body over the size limit or not UTF-8: counted, the import goes on */
    free(tag_ids);
    im->r->skipped_html++;
    return NB_OK;
  }
  post_summary(it, body, &text, &summary);
  const char *title = item_names(im, it, "post", &slug, key, sizeof key);
  int64_t when = post_time(im, it);
  store_article art = {
      .section_id = section_id,
      .author_id = author_id,
      .title = title,
      .slug = slug.data,
      .summary = summary.data ? summary.data : "",
      .body_html = body->data ? body->data : "",
      .image_url = nb_url_or_empty(it->image_url),
      .published_at = when,
      .updated_at = when,
      .status = !it->password[0] && (strcmp(it->status, "publish") == 0 ||
                                     strcmp(it->status, "future") == 0)
                    ? STORE_PUBLISHED
                    : STORE_DRAFT,
      .draft_state = draft_state_of(it),
  };
  im->r->password_protected += it->password[0] != 0;
  if (rc == NB_OK && (summary.oom || slug.oom || text.oom))
    rc = NB_ENOMEM;
  if (rc == NB_OK)
    rc = store_article_save(s, &art, key, &created);
  if (rc == NB_OK) {
    imp_wxr_note_images(im, art.body_html, strlen(art.body_html));
    imp_wxr_note_image(im, art.image_url, strlen(art.image_url), 0);
  }
  if (rc == NB_OK)
    rc = post_links(im, it, art.id, tag_ids, ntags, g);
  if (rc == NB_OK) {
    im->r->posts++;
    im->r->created += created;
    im->r->updated += !created;
  } else {
    imp_wxr_fail(im, rc, "post %lld (\"%.80s\"): %s", (long long)it->id, title,
                 store_errmsg(s));
  }
  buf_free(&summary);
  buf_free(&text);
  buf_free(&slug);
  free(tag_ids);
  return rc;
}

/* A WordPress page: a static page at /pages/{slug}; a slug another page
 * holds (WordPress allows it under another parent) gets "-2", "-3"... */
static int import_page(imp_wxr_importer *im, const imp_wxr_item *it,
                       const buf_t *body, int html_rc) {
  buf_t slug = {0}, path = {0}, base = {0};
  char key[600];
  int rc;
  if (html_rc == NB_ENOMEM)
    return NB_ENOMEM; /* the machine's failure, not the page's: stop */
  if (html_rc != NB_OK) {
    im->r->skipped_html++;
    return NB_OK;
  }
  const char *title = item_names(im, it, "page", &base, key, sizeof key);
  store_page pg = {0};
  int created = 0;
  rc = NB_EEXIST;
  for (int k = 1; rc == NB_EEXIST && k <= 100; k++) {
    buf_reset(&slug);
    buf_append(&slug, base.data, base.len);
    if (k > 1)
      buf_printf(&slug, "-%d", k);
    pg = (store_page){.title = title,
                      .slug = slug.data,
                      .body_html = body->data ? body->data : "",
                      .status =
                          strcmp(it->status, "publish") == 0 && !it->password[0]
                              ? STORE_PUBLISHED
                              : STORE_DRAFT,
                      .draft_state = draft_state_of(it),
                      .menu_order = it->menu_order,
                      .updated_at = post_time(im, it)};
    rc = slug.oom ? NB_ENOMEM : store_page_save(im->s, &pg, key, &created);
  }
  if (rc == NB_OK) {
    imp_wxr_note_images(im, pg.body_html, strlen(pg.body_html));
    rc = store_wp_page_set(im->s, it->id, pg.id);
  }
  /* the parent may come later in the file: linked at the end */
  if (rc == NB_OK && it->parent > 0)
    rc = imp_wxr_remember(&im->parents_of_pages, &im->nparents,
                          &im->cap_parents, pg.id, it->parent);
  old_path(im, it->link, &path);
  if (rc == NB_OK && path.len > 0)
    rc = store_page_redirect_set(im->s, path.data, pg.id);
  if (rc == NB_OK) {
    im->r->password_protected += it->password[0] != 0;
    im->r->pages++;
    im->r->comments_skipped += (int64_t)it->ncomments;
  } else {
    imp_wxr_fail(im, rc, "page %lld (\"%.80s\"): %s", (long long)it->id, title,
                 store_errmsg(im->s));
  }
  buf_free(&slug);
  buf_free(&path);
  buf_free(&base);
  return rc;
}

/* Posts and pages in the trash or never saved are not imported. */
static int thrown_away(const imp_wxr_item *it) {
  return strcmp(it->status, "trash") == 0 ||
         strcmp(it->status, "auto-draft") == 0;
}

/* Whether the reading thread sanitizes the item's HTML for the writer. */
int imp_wxr_has_body(const imp_wxr_item *it) {
  return (strcmp(it->type, "post") == 0 || strcmp(it->type, "page") == 0) &&
         !thrown_away(it);
}

int imp_wxr_on_item(imp_wxr_importer *im, const imp_wxr_item *it,
                    const buf_t *body, int html_rc, const imp_galleries *g) {
  unsigned long failures = nb_alloc_failures();
  int rc = NB_OK;
  if (strcmp(it->type, "attachment") == 0 &&
      nb_url_allowed(it->attachment_url, strlen(it->attachment_url))) {
    int64_t parent = 0;
    if (it->parent)
      store_wp_post_article(im->s, it->parent, &parent);
    rc = store_attachment_set(im->s, it->id, it->attachment_url, it->title,
                              parent);
    if (rc == NB_OK && it->parent && !parent)
      rc = imp_wxr_remember(&im->orphans, &im->norphans, &im->cap_orphans,
                            it->id, it->parent);
    im->r->attachments += rc == NB_OK;
    if (rc != NB_OK)
      return imp_wxr_fail(im, rc, "attachment %lld: %s", (long long)it->id,
                          store_errmsg(im->s));
  } else if (!imp_wxr_has_body(it)) {
    im->r->skipped++;
  } else if (strcmp(it->type, "post") == 0) {
    rc = import_post(im, it, body, html_rc, g);
  } else {
    rc = import_page(im, it, body, html_rc);
  }
  /* An allocation that failed where no code could say so (a buffer's oom
   * flag left unread) left the item with a hole: its batch is undone. */
  if (rc == NB_OK && nb_alloc_failures() != failures)
    rc = imp_wxr_fail(im, NB_ENOMEM, "item %lld: out of memory",
                      (long long)it->id);
  if (rc == NB_OK)
    rc = imp_wxr_batch_step(im);
  return rc;
}
