/* wxr_import.c: a WordPress export into the store.
 *
 * imp_wxr_read() streams the file; each author becomes an author (and a
 * user without a password), each category a section (nested ones keep
 * their parent), each tag a tag, each post an article with its tags,
 * sticky flag, comments (threaded; pingbacks and trackbacks skipped),
 * WordPress ID and old permalink, each attachment a kept URL. Items are
 * written in transactions of o->batch: a failure undoes the batch it
 * happened in and nothing after it, so no article is ever half written.
 * Running the same export again updates what it wrote (source keys).
 * The file is read, and the HTML sanitized, on a second thread (see "two
 * threads" below); everything is written from the calling thread. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "arabic/arabic.h"
#include "import/import.h"
#include "import/internal.h"
#include "search/search.h"

#define DEFAULT_BATCH 500
#define UNTITLED "بلا عنوان"

typedef struct {
  char *slug; /* the WordPress slug, as in the file */
  int64_t id;
} slug_id;

typedef struct {
  slug_id *v;
  size_t n, cap;
} slug_map;

/* An imported article or page and a WordPress ID to resolve at the end:
 * its featured image, or its parent page. */
typedef struct {
  int64_t article_id, thumbnail;
} thumb;

typedef struct {
  store *s;
  const imp_wxr_opts *o;
  imp_wxr_report *r;
  char *err;
  size_t errlen;
  int in_tx;
  int64_t in_batch;
  char *base; /* base_blog_url: source keys and old link paths */
  slug_map authors, sections, tags, parents; /* parents: section -> slug */
  thumb *thumbs;
  size_t nthumbs, cap_thumbs;
  thumb *parents_of_pages; /* (page id, its parent's WordPress id) */
  size_t nparents, cap_parents;
  /* (article id, attachment's WordPress id; 0: the article's own) */
  thumb *gallery_images;
  size_t ngallery, cap_gallery;
  /* (attachment's WordPress id, its post's) when the post came later */
  thumb *orphans;
  size_t norphans, cap_orphans;
  int64_t utc_offset;    /* the site's, in seconds: see post_time() */
  unsigned char key[32]; /* the site secret: avatars */
  int have_key;
} importer;

static int failf(importer *im, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int failf(importer *im, int rc, const char *fmt, ...) {
  va_list ap;
  if (im->err && im->errlen && !im->err[0]) {
    va_start(ap, fmt);
    vsnprintf(im->err, im->errlen, fmt, ap);
    va_end(ap);
  }
  return rc;
}

/* ---- small maps (a site has tens to thousands of terms) ---- */

static int map_put(slug_map *m, const char *slug, int64_t id) {
  if (m->n == m->cap) {
    size_t ncap = m->cap ? m->cap * 2 : 32;
    slug_id *v = realloc(m->v, ncap * sizeof *v);
    if (!v)
      return NB_ENOMEM;
    m->v = v;
    m->cap = ncap;
  }
  m->v[m->n].slug = strdup(slug);
  if (!m->v[m->n].slug)
    return NB_ENOMEM;
  m->v[m->n++].id = id;
  return NB_OK;
}

static int64_t map_get(const slug_map *m, const char *slug) {
  for (size_t i = m->n; i-- > 0;)
    if (strcmp(m->v[i].slug, slug) == 0)
      return m->v[i].id;
  return 0;
}

static void map_free(slug_map *m) {
  for (size_t i = 0; i < m->n; i++)
    free(m->v[i].slug);
  free(m->v);
}

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
static int64_t post_time(importer *im, const imp_wxr_item *it) {
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
static void old_path(const importer *im, const char *link, buf_t *out) {
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

/* Appends (id, wp_id) to a list resolved once the file is read. */
static int remember(thumb **v, size_t *n, size_t *cap, int64_t id,
                    int64_t wp_id) {
  if (*n == *cap) {
    size_t ncap = *cap ? *cap * 2 : 64;
    thumb *t = realloc(*v, ncap * sizeof *t);
    if (!t)
      return NB_ENOMEM;
    *v = t;
    *cap = ncap;
  }
  (*v)[(*n)++] = (thumb){id, wp_id};
  return NB_OK;
}

/* ---- batches ---- */

static int batch_step(importer *im) {
  int rc = NB_OK;
  if (!im->in_tx) {
    rc = store_begin(im->s);
    im->in_tx = rc == NB_OK;
    im->in_batch = 0;
    return rc;
  }
  if (++im->in_batch >= (im->o->batch > 0 ? im->o->batch : DEFAULT_BATCH) &&
      !im->o->dry_run) {
    rc = store_commit(im->s);
    im->in_tx = 0;
    if (rc == NB_OK && im->o->progress)
      im->o->progress(im->o->ctx, im->r);
    if (rc == NB_OK)
      rc = batch_step(im);
  }
  return rc;
}

/* ---- callbacks ---- */

static int on_site(void *ctx, const imp_wxr_site *s) {
  importer *im = ctx;
  const char *b = s->base_blog_url[0] ? s->base_blog_url : s->link;
  size_t n = strlen(b);
  while (n > 0 && b[n - 1] == '/')
    n--;
  im->base = strndup(b, n);
  if (!im->base)
    return NB_ENOMEM;
  return batch_step(im);
}

static int on_author(void *ctx, const imp_wxr_author *a) {
  importer *im = ctx;
  const char *name = a->display_name[0] ? a->display_name : a->login;
  int64_t id = 0;
  if (!a->login[0] || !name[0])
    return NB_OK;
  int rc = imp_ensure_named(im->s, IMP_NAMED_AUTHOR, name, a->login, &id);
  if (rc == NB_OK)
    rc = store_user_ensure(im->s, a->login, a->email, id);
  if (rc == NB_OK)
    rc = map_put(&im->authors, a->login, id);
  if (rc != NB_OK)
    return failf(im, rc, "author %s: %s", a->login, store_errmsg(im->s));
  im->r->authors++;
  return NB_OK;
}

/* The section (category) or tag of a WordPress slug, made when first
 * seen; map remembers it, *made counts the new ones. */
static int term_for(importer *im, int kind, slug_map *map, int64_t *made,
                    const char *slug, const char *name, int64_t *id) {
  buf_t dec = {0};
  *id = map_get(map, slug);
  if (*id)
    return NB_OK;
  percent_decode(slug, &dec);
  int rc = imp_ensure_named(im->s, kind, name[0] ? name : slug, dec.data, id);
  buf_free(&dec);
  if (rc == NB_OK)
    rc = map_put(map, slug, *id);
  if (rc == NB_OK)
    ++*made;
  return rc;
}

static int section_for(importer *im, const char *slug, const char *name,
                       int64_t *id) {
  return term_for(im, IMP_NAMED_SECTION, &im->sections, &im->r->sections, slug,
                  name, id);
}

static int tag_for(importer *im, const char *slug, const char *name,
                   int64_t *id) {
  return term_for(im, IMP_NAMED_TAG, &im->tags, &im->r->tags, slug, name, id);
}

static int on_term(void *ctx, const imp_wxr_term *t) {
  importer *im = ctx;
  int64_t id;
  int rc = NB_OK;
  if (!t->slug[0] && !t->name[0])
    return NB_OK;
  const char *slug = t->slug[0] ? t->slug : t->name;
  if (strcmp(t->taxonomy, "category") == 0) {
    rc = section_for(im, slug, t->name, &id);
    /* the parent may come later: linked at the end */
    if (rc == NB_OK && t->parent[0])
      rc = map_put(&im->parents, t->parent, id);
  } else if (strcmp(t->taxonomy, "post_tag") == 0) {
    rc = tag_for(im, slug, t->name, &id);
  }
  if (rc != NB_OK)
    return failf(im, rc, "term %s: %s", slug, store_errmsg(im->s));
  return NB_OK;
}

static void avatar_key(importer *im, const char *email, char out[33]) {
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

static int import_comments(importer *im, const imp_wxr_item *it,
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
          .author_url = c->url,
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
static const char *item_names(const importer *im, const imp_wxr_item *it,
                              const char *kind, buf_t *slug, char *key,
                              size_t keylen) {
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

/* A gallery's images, added to the article at the end (finish()), when
 * its attachments are known. */
static int remember_gallery(importer *im, int64_t article_id,
                            const imp_galleries *g) {
  int rc = NB_OK;
  for (size_t i = 0; rc == NB_OK && g && i < g->n; i++)
    rc = remember(&im->gallery_images, &im->ngallery, &im->cap_gallery,
                  article_id, g->ids[i]);
  if (rc == NB_OK && g && g->attached)
    rc = remember(&im->gallery_images, &im->ngallery, &im->cap_gallery,
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

/* body: the post's HTML sanitized (by the reading thread); html_rc: how
 * that went; g: its galleries, or NULL. */
static int import_post(importer *im, const imp_wxr_item *it, const buf_t *body,
                       int html_rc, const imp_galleries *g) {
  store *s = im->s;
  buf_t summary = {0}, text = {0}, slug = {0}, path = {0};
  char key[600];
  int64_t section_id = 0, author_id = 0;
  int64_t *tag_ids = calloc(it->nterms + 1, sizeof *tag_ids);
  size_t ntags = 0;
  int rc = tag_ids ? NB_OK : NB_ENOMEM, created = 0;

  /* The first category is the section; more categories and the tags
   * become tags. */
  for (size_t i = 0; rc == NB_OK && i < it->nterms; i++) {
    const imp_wxr_term *t = &it->terms[i];
    const char *tslug = t->slug[0] ? t->slug : t->name;
    int64_t id;
    if (strcmp(t->taxonomy, "category") == 0 && !section_id)
      rc = section_for(im, tslug, t->name, &section_id);
    else if (strcmp(t->taxonomy, "category") == 0 ||
             strcmp(t->taxonomy, "post_tag") == 0) {
      rc = tag_for(im, tslug, t->name, &id);
      if (rc == NB_OK)
        tag_ids[ntags++] = id;
    }
  }
  if (rc == NB_OK && !section_id)
    rc = section_for(im, "uncategorized", "غير مصنف", &section_id);
  author_id = map_get(&im->authors, it->creator);

  if (rc == NB_OK && html_rc == NB_ENOMEM)
    rc = NB_ENOMEM; /* the machine's failure, not the post's: stop */
  if (rc == NB_OK && html_rc != NB_OK) {
    /* a body over the size limit or not UTF-8: counted, the import goes on */
    free(tag_ids);
    im->r->skipped_html++;
    return NB_OK;
  }
  search_text_from_html(
      it->excerpt[0] ? it->excerpt : (body->data ? body->data : ""),
      it->excerpt[0] ? strlen(it->excerpt) : body->len, &text);
  const char *nl = text.data ? strchr(text.data, '\n') : NULL;
  imp_summary_of(text.data ? text.data : "",
                 nl ? (size_t)(nl - text.data) : text.len, &summary);
  const char *title = item_names(im, it, "post", &slug, key, sizeof key);
  int64_t when = post_time(im, it);
  store_article art = {
      .section_id = section_id,
      .author_id = author_id,
      .title = title,
      .slug = slug.data,
      .summary = summary.data ? summary.data : "",
      .body_html = body->data ? body->data : "",
      .image_url = strncmp(it->image_url, "http", 4) == 0 ? it->image_url : "",
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
  if (rc == NB_OK)
    rc = store_article_tags_set(s, art.id, tag_ids, ntags);
  if (rc == NB_OK && it->sticky)
    rc = store_article_set_sticky(s, art.id, 1);
  if (rc == NB_OK)
    rc = store_wp_post_set(s, it->id, art.id);
  old_path(im, it->link, &path);
  if (rc == NB_OK && path.oom)
    rc = NB_ENOMEM;
  if (rc == NB_OK && path.len > 0) {
    rc = store_redirect_set(s, path.data, art.id);
    im->r->redirects += rc == NB_OK;
  }
  if (rc == NB_OK)
    rc = import_comments(im, it, art.id);
  if (rc == NB_OK && it->thumbnail_id > 0)
    rc = remember(&im->thumbs, &im->nthumbs, &im->cap_thumbs, art.id,
                  it->thumbnail_id);
  if (rc == NB_OK)
    rc = remember_gallery(im, art.id, g);
  if (rc == NB_OK) {
    im->r->posts++;
    im->r->created += created;
    im->r->updated += !created;
  } else {
    failf(im, rc, "post %lld (\"%.80s\"): %s", (long long)it->id, title,
          store_errmsg(s));
  }
  buf_free(&summary);
  buf_free(&text);
  buf_free(&slug);
  buf_free(&path);
  free(tag_ids);
  return rc;
}

/* A WordPress page: a static page at /pages/{slug}; a slug another page
 * holds (WordPress allows it under another parent) gets "-2", "-3"... */
static int import_page(importer *im, const imp_wxr_item *it, const buf_t *body,
                       int html_rc) {
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
  if (rc == NB_OK)
    rc = store_wp_page_set(im->s, it->id, pg.id);
  /* the parent may come later in the file: linked at the end */
  if (rc == NB_OK && it->parent > 0)
    rc = remember(&im->parents_of_pages, &im->nparents, &im->cap_parents, pg.id,
                  it->parent);
  old_path(im, it->link, &path);
  if (rc == NB_OK && path.len > 0)
    rc = store_page_redirect_set(im->s, path.data, pg.id);
  if (rc == NB_OK) {
    im->r->password_protected += it->password[0] != 0;
    im->r->pages++;
    im->r->comments_skipped += (int64_t)it->ncomments;
  } else {
    failf(im, rc, "page %lld (\"%.80s\"): %s", (long long)it->id, title,
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
static int has_body(const imp_wxr_item *it) {
  return (strcmp(it->type, "post") == 0 || strcmp(it->type, "page") == 0) &&
         !thrown_away(it);
}

static int on_item(importer *im, const imp_wxr_item *it, const buf_t *body,
                   int html_rc, const imp_galleries *g) {
  unsigned long failures = nb_alloc_failures();
  int rc = NB_OK;
  if (strcmp(it->type, "attachment") == 0 && it->attachment_url[0]) {
    int64_t parent = 0;
    if (it->parent)
      store_wp_post_article(im->s, it->parent, &parent);
    rc = store_attachment_set(im->s, it->id, it->attachment_url, it->title,
                              parent);
    if (rc == NB_OK && it->parent && !parent)
      rc = remember(&im->orphans, &im->norphans, &im->cap_orphans, it->id,
                    it->parent);
    im->r->attachments += rc == NB_OK;
    if (rc != NB_OK)
      return failf(im, rc, "attachment %lld: %s", (long long)it->id,
                   store_errmsg(im->s));
  } else if (!has_body(it)) {
    im->r->skipped++;
  } else if (strcmp(it->type, "post") == 0) {
    rc = import_post(im, it, body, html_rc, g);
  } else {
    rc = import_page(im, it, body, html_rc);
  }
  /* An allocation that failed where no code could say so (a buffer's oom
   * flag left unread) left the item with a hole: its batch is undone. */
  if (rc == NB_OK && nb_alloc_failures() != failures)
    rc = failf(im, NB_ENOMEM, "item %lld: out of memory", (long long)it->id);
  if (rc == NB_OK)
    rc = batch_step(im);
  return rc;
}

/* Whether url is an http(s) image file (not a PDF or a sound). */
static int image_url(const char *url) {
  static const char *const ext[] = {".jpg", ".jpeg", ".png", ".gif", ".webp"};
  size_t n = strcspn(url, "?#");
  if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
    return 0;
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
    size_t k = strlen(ext[i]);
    if (n > k && strncasecmp(url + n - k, ext[i], k) == 0)
      return 1;
  }
  return 0;
}

/* Adds to the end of an article the images of its galleries: the run of
 * gallery_images from *i that names the same article. */
static int add_gallery(importer *im, size_t *i) {
  int64_t article = im->gallery_images[*i].article_id;
  arena_t a = {0};
  buf_t html = {0};
  int rc = NB_OK;
  for (; *i < im->ngallery && im->gallery_images[*i].article_id == article;
       ++*i) {
    const char **urls = NULL, *one = NULL;
    size_t n = 0;
    int64_t wp_id = im->gallery_images[*i].thumbnail;
    if (wp_id == 0)
      store_attachment_urls(im->s, &a, article, &urls, &n);
    else if (store_attachment_url(im->s, &a, wp_id, &one) == NB_OK && one)
      urls = &one, n = 1;
    for (size_t k = 0; k < n; k++)
      if (image_url(urls[k])) {
        buf_puts(&html, html.len ? "" : "<figure>");
        buf_puts(&html, "<img src=\"");
        buf_html_escape(&html, urls[k], strlen(urls[k]));
        buf_puts(&html, "\" alt=\"\">");
      }
  }
  if (html.len) {
    buf_puts(&html, "</figure>");
    rc = html.oom ? NB_ENOMEM
                  : store_article_append_html(im->s, article, html.data);
  }
  buf_free(&html);
  arena_free(&a);
  return rc;
}

/* After the file: parents of sections and the lead images, which may come
 * after the items that name them. */
static int finish(importer *im) {
  int rc = NB_OK;
  for (size_t i = 0; rc == NB_OK && i < im->parents.n; i++) {
    int64_t parent = map_get(&im->sections, im->parents.v[i].slug);
    if (parent && parent != im->parents.v[i].id)
      rc = store_section_set_parent(im->s, im->parents.v[i].id, parent);
  }
  for (size_t i = 0; rc == NB_OK && i < im->nthumbs; i++) {
    arena_t a = {0};
    const char *url = NULL;
    if (store_attachment_url(im->s, &a, im->thumbs[i].thumbnail, &url) ==
            NB_OK &&
        url)
      rc = store_article_set_image(im->s, im->thumbs[i].article_id, url);
    arena_free(&a);
  }
  for (size_t i = 0; rc == NB_OK && i < im->norphans; i++) {
    int64_t article = 0;
    if (store_wp_post_article(im->s, im->orphans[i].thumbnail, &article) ==
            NB_OK &&
        article)
      rc = store_attachment_link(im->s, im->orphans[i].article_id, article);
  }
  for (size_t i = 0; rc == NB_OK && i < im->ngallery;)
    rc = add_gallery(im, &i);
  for (size_t i = 0; rc == NB_OK && i < im->nparents; i++) {
    int64_t parent = 0;
    if (store_wp_page(im->s, im->parents_of_pages[i].thumbnail, &parent) ==
            NB_OK &&
        parent != im->parents_of_pages[i].article_id)
      rc = store_page_set_parent(im->s, im->parents_of_pages[i].article_id,
                                 parent);
  }
  if (rc != NB_OK)
    failf(im, rc, "finishing: %s", store_errmsg(im->s));
  return rc;
}

/* The site's secret, which keys comment avatars; made as site.c makes it
 * when the database has none yet. */
static int load_key(importer *im) {
  arena_t a = {0};
  const char *hex = NULL;
  size_t n = 0;
  int rc = store_setting_get(im->s, &a, "secret", &hex);
  if (rc == NB_OK && hex &&
      sodium_hex2bin(im->key, sizeof im->key, hex, strlen(hex), NULL, &n,
                     NULL) == 0 &&
      n == sizeof im->key) {
    im->have_key = 1;
  } else if (rc == NB_OK) {
    char fresh[2 * sizeof im->key + 1];
    randombytes_buf(im->key, sizeof im->key);
    sodium_bin2hex(fresh, sizeof fresh, im->key, sizeof im->key);
    rc = store_setting_set(im->s, "secret", fresh);
    im->have_key = rc == NB_OK;
  }
  arena_free(&a);
  return rc;
}

/* ---- two threads ----
 * A thread of its own reads the file (libxml2) and sanitizes each post's
 * and page's HTML (gumbo), while this one writes: on two cores the
 * reading, about a fifth of an import's time, no longer adds to the
 * writing. What is read travels as jobs, in the file's order, through a
 * queue of at most QUEUE_JOBS jobs and QUEUE_BYTES bytes (one job goes
 * through whatever its size), so memory stays bounded. */

#define QUEUE_JOBS 64
#define QUEUE_BYTES (32u << 20)

enum { J_SITE, J_AUTHOR, J_TERM, J_ITEM };

typedef struct job job;
struct job {
  job *next;
  int kind;
  arena_t a; /* the strings and arrays below */
  size_t bytes;
  union { /* as kind says */
    imp_wxr_site site;
    imp_wxr_author author;
    imp_wxr_term term;
    imp_wxr_item item; /* content "" when body holds it sanitized */
  };
  buf_t body;
  int html_rc;
  imp_galleries *galleries; /* a post's [gallery] images, or NULL */
  int oom;
};

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  job *head, *tail;
  size_t jobs, bytes;
  int done;         /* the reader has finished: read_rc, why */
  int stop;         /* the writer gave up: the reader stops */
  const char *path; /* the file */
  int read_rc;
  char why[400];
} queue;

/* Copies of the reader's strings, which live during its callback only;
 * out of memory, "" and j->oom. */
static const char *keep(job *j, const char *s) {
  size_t n = strlen(s);
  char *c = arena_strndup(&j->a, s, n);
  j->bytes += n + 1;
  j->oom |= !c;
  return c ? c : "";
}

static job *job_new(int kind) {
  job *j = calloc(1, sizeof *j);
  if (j)
    j->kind = kind;
  return j;
}

static void job_free(job *j) {
  arena_free(&j->a);
  buf_free(&j->body);
  free(j);
}

/* Hands j to the writer; waits while the queue is full. NB_EIO (never
 * reported: the writer's own error is) when the writer has stopped. */
static int push(queue *q, job *j) {
  size_t bytes = j->bytes + j->body.len;
  if (j->oom || j->body.oom) {
    job_free(j);
    return NB_ENOMEM;
  }
  pthread_mutex_lock(&q->lock);
  while (!q->stop && q->head &&
         (q->jobs >= QUEUE_JOBS || q->bytes + bytes > QUEUE_BYTES))
    pthread_cond_wait(&q->changed, &q->lock);
  int stopped = q->stop;
  if (!stopped) {
    if (q->tail)
      q->tail->next = j;
    else
      q->head = j;
    q->tail = j;
    q->jobs++;
    q->bytes += bytes;
    pthread_cond_broadcast(&q->changed);
  }
  pthread_mutex_unlock(&q->lock);
  if (stopped)
    job_free(j);
  return stopped ? NB_EIO : NB_OK;
}

/* The next job, or NULL once the reader is done and the queue empty. */
static job *pop(queue *q) {
  pthread_mutex_lock(&q->lock);
  while (!q->head && !q->done)
    pthread_cond_wait(&q->changed, &q->lock);
  job *j = q->head;
  if (j) {
    q->head = j->next;
    if (!q->head)
      q->tail = NULL;
    q->jobs--;
    q->bytes -= j->bytes + j->body.len;
    pthread_cond_broadcast(&q->changed);
  }
  pthread_mutex_unlock(&q->lock);
  return j;
}

static int read_site(void *ctx, const imp_wxr_site *s) {
  job *j = job_new(J_SITE);
  if (!j)
    return NB_ENOMEM;
  j->site = (imp_wxr_site){keep(j, s->title),        keep(j, s->link),
                           keep(j, s->description),  keep(j, s->language),
                           keep(j, s->wxr_version),  keep(j, s->base_site_url),
                           keep(j, s->base_blog_url)};
  return push(ctx, j);
}

static int read_author(void *ctx, const imp_wxr_author *a) {
  job *j = job_new(J_AUTHOR);
  if (!j)
    return NB_ENOMEM;
  j->author = (imp_wxr_author){a->id,
                               keep(j, a->login),
                               keep(j, a->email),
                               keep(j, a->display_name),
                               keep(j, a->first_name),
                               keep(j, a->last_name)};
  return push(ctx, j);
}

static imp_wxr_term keep_term(job *j, const imp_wxr_term *t) {
  return (imp_wxr_term){t->term_id,         keep(j, t->taxonomy),
                        keep(j, t->slug),   keep(j, t->name),
                        keep(j, t->parent), keep(j, t->description)};
}

static int read_term(void *ctx, const imp_wxr_term *t) {
  job *j = job_new(J_TERM);
  if (!j)
    return NB_ENOMEM;
  j->term = keep_term(j, t);
  return push(ctx, j);
}

static int read_item(void *ctx, const imp_wxr_item *it) {
  job *j = job_new(J_ITEM);
  if (!j)
    return NB_ENOMEM;
  imp_wxr_item *c = &j->item;
  *c = *it;
  c->content = ""; /* the body goes sanitized; other items need none */
  size_t nc = strlen(it->content);
  if (has_body(it))
    j->html_rc = imp_html_sanitize(it->content, nc, &j->body);
  if (has_body(it) && memmem(it->content, nc, "[gallery", 8)) {
    imp_galleries g;
    imp_shortcode_galleries(it->content, nc, &g);
    if ((g.n || g.attached) &&
        (j->galleries = arena_alloc(&j->a, sizeof g)) != NULL)
      *j->galleries = g;
    j->oom |= !j->galleries && (g.n || g.attached);
  }
  c->title = keep(j, it->title);
  c->link = keep(j, it->link);
  c->guid = keep(j, it->guid);
  c->pub_date = keep(j, it->pub_date);
  c->creator = keep(j, it->creator);
  c->excerpt = keep(j, it->excerpt);
  c->date = keep(j, it->date);
  c->date_gmt = keep(j, it->date_gmt);
  c->slug = keep(j, it->slug);
  c->status = keep(j, it->status);
  c->type = keep(j, it->type);
  c->password = keep(j, it->password);
  c->attachment_url = keep(j, it->attachment_url);
  c->comment_status = keep(j, it->comment_status);
  c->image_url = keep(j, it->image_url);
  c->terms = arena_alloc(&j->a, (it->nterms + 1) * sizeof *c->terms);
  c->comments = arena_alloc(&j->a, (it->ncomments + 1) * sizeof *c->comments);
  if (!c->terms || !c->comments) {
    job_free(j);
    return NB_ENOMEM;
  }
  for (size_t i = 0; i < it->nterms; i++)
    c->terms[i] = keep_term(j, &it->terms[i]);
  for (size_t i = 0; i < it->ncomments; i++) {
    const imp_wxr_comment *m = &it->comments[i];
    c->comments[i] = (imp_wxr_comment){m->id,
                                       m->parent,
                                       m->user_id,
                                       keep(j, m->author),
                                       keep(j, m->email),
                                       keep(j, m->url),
                                       keep(j, m->ip),
                                       keep(j, m->date),
                                       keep(j, m->date_gmt),
                                       keep(j, m->content),
                                       keep(j, m->approved),
                                       keep(j, m->type)};
  }
  return push(ctx, j);
}

static void *reader(void *arg) {
  queue *q = arg;
  imp_wxr_handler h = {q, read_site, read_author, read_term, read_item};
  char why[sizeof q->why] = "";
  int rc = imp_wxr_read(q->path, &h, why, sizeof why);
  pthread_mutex_lock(&q->lock);
  q->read_rc = rc;
  memcpy(q->why, why, sizeof why);
  q->done = 1;
  pthread_cond_broadcast(&q->changed);
  pthread_mutex_unlock(&q->lock);
  return NULL;
}

static int write_job(importer *im, const job *j) {
  switch (j->kind) {
  case J_SITE:
    return on_site(im, &j->site);
  case J_AUTHOR:
    return on_author(im, &j->author);
  case J_TERM:
    return on_term(im, &j->term);
  default:
    return on_item(im, &j->item, &j->body, j->html_rc, j->galleries);
  }
}

/* Reads path on the reading thread and writes what it gives here. On the
 * writer's error the reader is stopped; on the reader's, why says it. */
static int read_and_write(importer *im, const char *path, char *why,
                          size_t whylen) {
  queue q = {.path = path};
  pthread_t t;
  int rc = NB_OK;
  job *j;

  pthread_mutex_init(&q.lock, NULL);
  pthread_cond_init(&q.changed, NULL);
  if (pthread_create(&t, NULL, reader, &q) != 0) {
    rc = NB_ENOMEM;
    snprintf(why, whylen, "cannot start the reading thread");
    goto out;
  }
  while (rc == NB_OK && (j = pop(&q))) {
    rc = write_job(im, j);
    job_free(j);
  }
  if (rc != NB_OK) {
    pthread_mutex_lock(&q.lock);
    q.stop = 1;
    pthread_cond_broadcast(&q.changed);
    pthread_mutex_unlock(&q.lock);
  }
  pthread_join(t, NULL);
  while ((j = q.head)) {
    q.head = j->next;
    job_free(j);
  }
  if (rc == NB_OK && q.read_rc != NB_OK) {
    rc = q.read_rc;
    snprintf(why, whylen, "%s", q.why);
  }
out:
  pthread_cond_destroy(&q.changed);
  pthread_mutex_destroy(&q.lock);
  return rc;
}

int imp_wxr_import(store *s, const char *path, const imp_wxr_opts *o,
                   imp_wxr_report *r, char *err, size_t errlen) {
  static const imp_wxr_opts none = {0};
  importer im = {
      .s = s, .o = o ? o : &none, .r = r, .err = err, .errlen = errlen};
  memset(r, 0, sizeof *r);
  if (err && errlen)
    err[0] = '\0';
  int rc = load_key(&im);
  if (rc != NB_OK)
    return failf(&im, rc, "cannot read the site secret: %s", store_errmsg(s));
  char why[400] = "";
  rc = read_and_write(&im, path, why, sizeof why);
  if (rc == NB_OK)
    rc = finish(&im);
  if (rc != NB_OK && why[0] && !(err && err[0]))
    failf(&im, rc, "%s", why);
  if (im.in_tx) {
    int end =
        rc == NB_OK && !im.o->dry_run ? store_commit(s) : store_rollback(s);
    if (rc == NB_OK && end != NB_OK)
      rc = failf(&im, end, "cannot commit: %s", store_errmsg(s));
  }
  if (rc == NB_OK && im.o->progress)
    im.o->progress(im.o->ctx, r);
  free(im.base);
  map_free(&im.authors);
  map_free(&im.sections);
  map_free(&im.tags);
  map_free(&im.parents);
  free(im.thumbs);
  free(im.parents_of_pages);
  free(im.gallery_images);
  free(im.orphans);
  return rc;
}
