/* import/wxr_import.c: a WordPress export into the store.
 *
 * imp_wxr_read() streams the file; each author becomes an author (and a
 * user without a password), each category a section (nested ones keep
 * their parent), each tag a tag, each post an article with its tags,
 * sticky flag, comments (threaded; pingbacks and trackbacks skipped),
 * WordPress ID and old permalink, each attachment a kept URL. Items are
 * written in transactions of at most o->batch items and about SLICE_US of
 * work, with a pause between them in which a waiting writer (a reader's
 * comment on the running site) takes the lock: a failure undoes the
 * batch it happened in and nothing after it, so no article is ever half
 * written.
 * Running the same export again updates what it wrote (source keys).
 * The file is read, and the HTML sanitized, on a second thread
 * (wxr_queue.c); everything is written from the calling thread, as
 * wxr_items.c says for each thing, in the batches and the finish here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "import/import.h"
#include "import/internal.h"

#define DEFAULT_BATCH 500
#define SLICE_US 100000 /* of writing per transaction */
/* Between transactions: other writers wait for the lock trying again
 * every millisecond (store/sqlite/db.c), so this lets one or two in. */
#define PAUSE_NS 3000000

int imp_wxr_fail(imp_wxr_importer *im, int rc, const char *fmt, ...) {
  va_list ap;
  if (im->err && im->errlen && !im->err[0]) {
    va_start(ap, fmt);
    vsnprintf(im->err, im->errlen, fmt, ap);
    va_end(ap);
  }
  return rc;
}

/* ---- small maps (a site has tens to thousands of terms) ---- */

int imp_slug_map_put(imp_slug_map *m, const char *slug, int64_t id) {
  if (m->n == m->cap) {
    size_t ncap = m->cap ? m->cap * 2 : 32;
    imp_slug_id *v = realloc(m->v, ncap * sizeof *v);
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

int64_t imp_slug_map_get(const imp_slug_map *m, const char *slug) {
  for (size_t i = m->n; i-- > 0;)
    if (strcmp(m->v[i].slug, slug) == 0)
      return m->v[i].id;
  return 0;
}

void imp_slug_map_free(imp_slug_map *m) {
  for (size_t i = 0; i < m->n; i++)
    free(m->v[i].slug);
  free(m->v);
}

/* Appends (id, wp_id) to a list resolved once the file is read. */
int imp_wxr_remember(imp_wxr_pending **v, size_t *n, size_t *cap, int64_t id,
                     int64_t wp_id) {
  if (*n == *cap) {
    size_t ncap = *cap ? *cap * 2 : 64;
    imp_wxr_pending *t = realloc(*v, ncap * sizeof *t);
    if (!t)
      return NB_ENOMEM;
    *v = t;
    *cap = ncap;
  }
  (*v)[(*n)++] = (imp_wxr_pending){id, wp_id};
  return NB_OK;
}

/* ---- batches ---- */

/* Commits the open transaction (o->batch items, or SLICE_US of work),
 * remembers what the database now holds of the run, pauses so that a
 * waiting writer takes the lock, and begins the next one. */
static int next_batch(imp_wxr_importer *im) {
  int rc = store_commit(im->s);
  im->in_tx = 0;
  if (rc != NB_OK)
    return rc;
  im->r->batches++;
  im->committed = *im->r;
  if (im->o->progress)
    im->o->progress(im->o->ctx, im->r);
  struct timespec pause = {0, PAUSE_NS};
  nanosleep(&pause, NULL);
  return imp_wxr_batch_step(im);
}

/* A dry run never commits: its one transaction is rolled back. */
static int slice_over(const imp_wxr_importer *im) {
  return im->in_tx && !im->o->dry_run &&
         nb_now_us() - im->slice_start >= SLICE_US;
}

int imp_wxr_batch_step(imp_wxr_importer *im) {
  int rc = NB_OK;
  if (!im->in_tx) {
    rc = store_begin(im->s);
    im->in_tx = rc == NB_OK;
    im->in_batch = 0;
    im->slice_start = nb_now_us();
    return rc;
  }
  if ((++im->in_batch >= (im->o->batch > 0 ? im->o->batch : DEFAULT_BATCH) &&
       !im->o->dry_run) ||
      slice_over(im))
    rc = next_batch(im);
  return rc;
}

/* The end's long loops yield as the items do. */
static int yield(imp_wxr_importer *im) {
  return slice_over(im) ? next_batch(im) : NB_OK;
}

/* ---- http: images, for the report ---- */

void imp_wxr_note_image(imp_wxr_importer *im, const char *url, size_t n,
                        int escaped) {
  imp_wxr_report *r = im->r;
  char one[IMP_URL_LISTED_MAX];
  size_t k = 0;
  if (n < 7 || strncasecmp(url, "http://", 7) != 0)
    return;
  r->http_images++;
  for (size_t i = 0; i < n && k + 1 < sizeof one; i++) {
    one[k++] = url[i];
    if (escaped && strncmp(url + i, "&amp;", 5) == 0)
      i += 4; /* the sanitizer's escape of '&' */
  }
  one[k] = '\0';
  for (size_t i = 0; i < r->nhttp_listed; i++)
    if (strcmp(r->http_listed[i], one) == 0)
      return;
  if (r->nhttp_listed < IMP_HTTP_IMAGES_LISTED)
    memcpy(r->http_listed[r->nhttp_listed++], one, k + 1);
}

void imp_wxr_note_images(imp_wxr_importer *im, const char *html, size_t n) {
  const char *p = html, *end = html + n;
  while ((p = memmem(p, (size_t)(end - p), "<img ", 5)) != NULL) {
    const char *gt = memchr(p, '>', (size_t)(end - p));
    const char *src = memmem(p, (size_t)((gt ? gt : end) - p), " src=\"", 6);
    p += 5;
    if (!src)
      continue;
    src += 6;
    const char *q = memchr(src, '"', (size_t)(end - src));
    if (q)
      imp_wxr_note_image(im, src, (size_t)(q - src), 1);
  }
}

/* ---- after the file ---- */

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
static int add_gallery(imp_wxr_importer *im, size_t *i) {
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
      if (image_url(urls[k]) && nb_url_allowed(urls[k], strlen(urls[k]))) {
        buf_puts(&html, html.len ? "" : "<figure>");
        imp_wxr_note_image(im, urls[k], strlen(urls[k]), 0);
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
static int finish(imp_wxr_importer *im) {
  int rc = NB_OK;
  for (size_t i = 0; rc == NB_OK && i < im->parents.n; i++) {
    int64_t parent = imp_slug_map_get(&im->sections, im->parents.v[i].slug);
    if (parent && parent != im->parents.v[i].id)
      rc = store_section_set_parent(im->s, im->parents.v[i].id, parent);
  }
  for (size_t i = 0; rc == NB_OK && i < im->nthumbs; i++) {
    arena_t a = {0};
    const char *url = NULL;
    if (store_attachment_url(im->s, &a, im->thumbs[i].thumbnail, &url) ==
            NB_OK &&
        url && nb_url_allowed(url, strlen(url))) {
      rc = store_article_set_image(im->s, im->thumbs[i].article_id, url);
      imp_wxr_note_image(im, url, strlen(url), 0);
    }
    arena_free(&a);
    if (rc == NB_OK)
      rc = yield(im);
  }
  for (size_t i = 0; rc == NB_OK && i < im->norphans; i++) {
    int64_t article = 0;
    if (store_wp_post_article(im->s, im->orphans[i].thumbnail, &article) ==
            NB_OK &&
        article)
      rc = store_attachment_link(im->s, im->orphans[i].article_id, article);
    if (rc == NB_OK)
      rc = yield(im);
  }
  for (size_t i = 0; rc == NB_OK && i < im->ngallery;) {
    rc = add_gallery(im, &i);
    if (rc == NB_OK)
      rc = yield(im);
  }
  for (size_t i = 0; rc == NB_OK && i < im->nparents; i++) {
    int64_t parent = 0;
    if (store_wp_page(im->s, im->parents_of_pages[i].thumbnail, &parent) ==
            NB_OK &&
        parent != im->parents_of_pages[i].article_id)
      rc = store_page_set_parent(im->s, im->parents_of_pages[i].article_id,
                                 parent);
  }
  if (rc != NB_OK)
    imp_wxr_fail(im, rc, "finishing: %s", store_errmsg(im->s));
  return rc;
}

/* The site's secret, which keys comment avatars; made as site.c makes it
 * when the database has none yet. */
static int load_key(imp_wxr_importer *im) {
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

/* ---- the import ---- */

int imp_wxr_import(store *s, const char *path, const imp_wxr_opts *o,
                   imp_wxr_report *r, char *err, size_t errlen) {
  static const imp_wxr_opts none = {0};
  imp_wxr_importer im = {
      .s = s, .o = o ? o : &none, .r = r, .err = err, .errlen = errlen};
  memset(r, 0, sizeof *r);
  if (err && errlen)
    err[0] = '\0';
  int rc = load_key(&im);
  if (rc != NB_OK)
    return imp_wxr_fail(&im, rc, "cannot read the site secret: %s",
                        store_errmsg(s));
  char why[400] = "";
  rc = imp_wxr_read_and_write(&im, path, why, sizeof why);
  if (rc == NB_OK)
    rc = finish(&im);
  if (rc != NB_OK && why[0] && !(err && err[0]))
    imp_wxr_fail(&im, rc, "%s", why);
  if (im.in_tx) {
    int end =
        rc == NB_OK && !im.o->dry_run ? store_commit(s) : store_rollback(s);
    r->batches += rc == NB_OK && !im.o->dry_run && end == NB_OK;
    if (rc == NB_OK && end != NB_OK)
      rc = imp_wxr_fail(&im, end, "cannot commit: %s", store_errmsg(s));
  }
  if (rc == NB_OK && im.o->progress)
    im.o->progress(im.o->ctx, r);
  if (rc != NB_OK)
    *r = im.committed; /* what the database holds of this run */
  free(im.base);
  imp_slug_map_free(&im.authors);
  imp_slug_map_free(&im.sections);
  imp_slug_map_free(&im.tags);
  imp_slug_map_free(&im.parents);
  free(im.thumbs);
  free(im.parents_of_pages);
  free(im.gallery_images);
  free(im.orphans);
  return rc;
}
