/* media.c: the media a site still loads from elsewhere. An import keeps
 * WordPress's media at their URLs (nothing can be downloaded offline);
 * this lists them so that they can be mirrored before the old site goes:
 * the kept attachments, articles' lead images, every image of an article
 * or page body, and links into WordPress's uploads folder. Bodies are
 * read as the sanitizer writes them: src="..." and href="..." with the
 * URL HTML-escaped. */
#include <stdlib.h>
#include <string.h>

#include "import/import.h"

#define PAGE 200 /* articles or pages read at a time */

typedef struct {
  arena_t a; /* the URLs */
  const char **v;
  size_t n, cap;
  int oom;
} url_set;

static void add(url_set *u, const char *url, size_t n) {
  if (n == 0 || u->oom)
    return;
  if (u->n == u->cap) {
    size_t cap = u->cap ? 2 * u->cap : 256;
    const char **v = realloc(u->v, cap * sizeof *v);
    if (!v) {
      u->oom = 1;
      return;
    }
    u->v = v;
    u->cap = cap;
  }
  const char *c = arena_strndup(&u->a, url, n);
  if (!c)
    u->oom = 1;
  else
    u->v[u->n++] = c;
}

/* Adds the value of each attribute name="..." in html (with uploads_only,
 * those into WordPress's uploads folder), the sanitizer's escapes undone. */
static void add_attrs(url_set *u, const char *html, const char *name,
                      int uploads_only) {
  size_t k = strlen(name);
  buf_t url = {0};
  for (const char *p = strstr(html, name); p; p = strstr(p + k, name)) {
    if (p == html || p[-1] != ' ')
      continue;
    const char *v = p + k, *end = strchr(v, '"');
    if (!end)
      break;
    buf_reset(&url);
    for (const char *q = v; q < end; q++) {
      static const struct {
        const char *ref;
        char c;
      } refs[] = {{"&amp;", '&'},
                  {"&quot;", '"'},
                  {"&#39;", '\''},
                  {"&lt;", '<'},
                  {"&gt;", '>'}};
      size_t r = 0;
      while (*q == '&' && r < sizeof refs / sizeof refs[0] &&
             strncmp(q, refs[r].ref, strlen(refs[r].ref)) != 0)
        r++;
      if (*q == '&' && r < sizeof refs / sizeof refs[0]) {
        buf_putc(&url, refs[r].c);
        q += strlen(refs[r].ref) - 1;
      } else {
        buf_putc(&url, *q);
      }
    }
    if (url.oom)
      u->oom = 1;
    else if (url.len &&
             (!uploads_only || strstr(url.data, "/wp-content/uploads/")))
      add(u, url.data, url.len);
  }
  buf_free(&url);
}

static void add_body(url_set *u, const char *html) {
  add_attrs(u, html, "src=\"", 0);
  add_attrs(u, html, "href=\"", 1);
}

static int by_text(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int collect(store *s, url_set *u) {
  arena_t a = {0};
  const char **att;
  size_t n;
  int rc = store_attachment_urls(s, &a, 0, &att, &n);
  for (size_t i = 0; rc == NB_OK && i < n; i++)
    add(u, att[i], strlen(att[i]));
  arena_free(&a);
  for (int64_t after = 0; rc == NB_OK;) {
    store_article *arts;
    rc = store_articles_after(s, &a, after, PAGE, &arts, &n);
    for (size_t i = 0; rc == NB_OK && i < n; i++) {
      add(u, arts[i].image_url, strlen(arts[i].image_url));
      add_body(u, arts[i].body_html);
      after = arts[i].id;
    }
    arena_free(&a);
    if (rc != NB_OK || n < PAGE)
      break;
  }
  for (int64_t after = 0; rc == NB_OK;) {
    store_page *pages;
    rc = store_pages_after(s, &a, after, PAGE, &pages, &n);
    for (size_t i = 0; rc == NB_OK && i < n; i++) {
      add_body(u, pages[i].body_html);
      after = pages[i].id;
    }
    arena_free(&a);
    if (rc != NB_OK || n < PAGE)
      break;
  }
  return rc == NB_OK && u->oom ? NB_ENOMEM : rc;
}

int imp_media_urls(store *s, void (*fn)(void *ctx, const char *url),
                   void *ctx) {
  url_set u = {0};
  int rc = store_read_begin(s);
  if (rc == NB_OK) {
    rc = collect(s, &u);
    store_read_end(s);
  }
  if (rc == NB_OK) {
    qsort(u.v, u.n, sizeof *u.v, by_text);
    for (size_t i = 0; i < u.n; i++)
      if (i == 0 || strcmp(u.v[i], u.v[i - 1]) != 0)
        fn(ctx, u.v[i]);
  }
  free(u.v);
  arena_free(&u.a);
  return rc;
}
