/* import/page_save.c: a parsed saved page (page.c) written into the store,
 * in one transaction under a key made from its text, so importing the same
 * file twice leaves one article. A page that names no section (and no
 * --section) goes to DEFAULT_SECTION, "عام". Also the summary and the
 * named things (sections, authors, tags) the WordPress import shares. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arabic/arabic.h"
#include "import/import.h"
#include "import/internal.h"

#define SUMMARY_CHARS 200
#define OPTION_MAX_BYTES 200
/* The section of a page that names none (Arabic for "general"). */
#define DEFAULT_SECTION "عام"

void imp_summary_of(const char *s, size_t n, buf_t *out) {
  size_t i = 0, chars = 0, space = 0;
  uint32_t c;
  if (utf8_count(s, n) <= SUMMARY_CHARS) {
    buf_append(out, s, n);
    return;
  }
  while (i < n && chars <= SUMMARY_CHARS) {
    size_t k = utf8_decode(s + i, n - i, &c);
    if (k == 0)
      break;
    if (imp_is_blank(c))
      space = i;
    if (chars < SUMMARY_CHARS)
      i += k;
    chars++;
  }
  size_t cut = space > 0 ? space : i;
  /* no dangling comma, colon or dash before the ellipsis */
  while (cut > 0) {
    size_t at = imp_last_cp(s, cut, &c);
    if (!imp_is_blank(c) && !imp_ends_like_paragraph(s + at, cut - at) &&
        c != '-' && c != 0x2013 && c != 0x2014)
      break;
    cut = at;
  }
  if (cut == 0) /* only punctuation before the first space */
    cut = i;
  buf_append(out, s, cut);
  buf_puts(out, "…");
}

/* Key of the text: "page:" and 32 hex digits of a 16-byte BLAKE2b of the
 * title and paragraphs, each after a newline (lines hold none, so the
 * joining is unambiguous). */
static void source_key(const imp_page *p, char out[5 + 33]) {
  crypto_generichash_state st;
  unsigned char h[16];
  crypto_generichash_init(&st, NULL, 0, sizeof h);
  crypto_generichash_update(&st, (const unsigned char *)p->title,
                            strlen(p->title));
  for (size_t i = 0; i < p->nparagraphs; i++) {
    crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
    crypto_generichash_update(&st, (const unsigned char *)p->paragraphs[i],
                              strlen(p->paragraphs[i]));
  }
  crypto_generichash_final(&st, h, sizeof h);
  memcpy(out, "page:", 5);
  sodium_bin2hex(out + 5, 33, h, sizeof h);
}

/* An option's text without surrounding blanks, copied into a; NULL when not
 * given or blank. */
static int option_text(const char *v, const char *what, arena_t *a,
                       const char **out, char *err, size_t errlen) {
  *out = NULL;
  if (!v)
    return NB_OK;
  size_t n = strlen(v), b = 0, e = n;
  if (!utf8_valid(v, n))
    return imp_failf(err, errlen, NB_EINVAL, "%s is not UTF-8", what);
  imp_trim(v, &b, &e);
  if (e - b > OPTION_MAX_BYTES)
    return imp_failf(err, errlen, NB_EINVAL, "%s is longer than %d bytes", what,
                     OPTION_MAX_BYTES);
  for (size_t i = b; i < e; i++)
    if ((unsigned char)v[i] < 0x20 || v[i] == 0x7F)
      return imp_failf(err, errlen, NB_EINVAL, "%s has a control character",
                       what);
  if (e > b && !(*out = arena_strndup(a, v + b, e - b)))
    return imp_failf(err, errlen, NB_ENOMEM, "out of memory");
  return NB_OK;
}

/* First path segments the site answers before looking for a section
 * (site.c's handle()): a section cannot take them as its slug. */
static int reserved_slug(const char *slug) {
  static const char *const taken[] = {"feed",    "tag",         "author",
                                      "search",  "search.json", "static",
                                      "healthz", "robots.txt",  "pages"};
  for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++)
    if (strcmp(slug, taken[i]) == 0)
      return 1;
  return strncmp(slug, "sitemap", 7) == 0;
}

int imp_ensure_named(store *s, int kind, const char *name,
                     const char *slug_hint, int64_t *id) {
  static const char *const fallback[] = {"section", "author", "tag"};
  buf_t base = {0}, slug = {0};
  int rc = NB_EEXIST, made, numbered = 0;
  int is_section = kind == IMP_NAMED_SECTION;
  const char *from = slug_hint && slug_hint[0] ? slug_hint : name;
  if (ar_slug(from, strlen(from), AR_SLUG_MAX, &base) != NB_OK) {
    buf_reset(&base);
    buf_puts(&base, fallback[kind]);
    numbered = kind != IMP_NAMED_AUTHOR;
  }
  for (int k = 1; rc == NB_EEXIST && k <= 100; k++) {
    buf_reset(&slug);
    buf_append(&slug, base.data, base.len);
    if (k > 1 || numbered)
      buf_printf(&slug, "-%d", k);
    if (slug.oom || base.oom)
      rc = NB_ENOMEM;
    else if (is_section && reserved_slug(slug.data))
      rc = NB_EEXIST;
    else if (is_section)
      rc = store_section_ensure(s, name, slug.data, id, &made);
    else if (kind == IMP_NAMED_AUTHOR)
      rc = store_author_ensure(s, name, slug.data, id);
    else
      rc = store_tag_ensure(s, name, slug.data, id);
  }
  buf_free(&base);
  buf_free(&slug);
  return rc;
}

static int check_page(const imp_page *p, char *err, size_t errlen) {
  if (!p || !p->title || !p->title[0] ||
      !utf8_valid(p->title, strlen(p->title)))
    return imp_failf(err, errlen, NB_EINVAL, "page has no headline");
  if (p->nparagraphs == 0 || !p->paragraphs)
    return imp_failf(err, errlen, NB_EINVAL, "page has no body paragraphs");
  for (size_t i = 0; i < p->nparagraphs; i++)
    if (!p->paragraphs[i] || !p->paragraphs[i][0] ||
        !utf8_valid(p->paragraphs[i], strlen(p->paragraphs[i])))
      return imp_failf(err, errlen, NB_EINVAL,
                       "paragraph %zu is empty or not UTF-8", i + 1);
  if (p->section && !utf8_valid(p->section, strlen(p->section)))
    return imp_failf(err, errlen, NB_EINVAL, "section is not UTF-8");
  return NB_OK;
}

/* The options given, checked: section, author and lead image without
 * surrounding blanks, NULL when not given. */
static int read_options(const imp_page_opts *o, arena_t *a,
                        const char **section, const char **author,
                        const char **image, char *err, size_t errlen) {
  int rc;
  if ((rc = option_text(o->section, "section", a, section, err, errlen)) !=
          NB_OK ||
      (rc = option_text(o->author, "author", a, author, err, errlen)) != NB_OK)
    return rc;
  if (o->date < 0)
    return imp_failf(err, errlen, NB_EINVAL, "date is before 1970");
  if ((rc = option_text(o->image, "image", a, image, err, errlen)) != NB_OK)
    return rc;
  /* the URL rule, and no path: the image is on another site */
  if (*image &&
      (!nb_url_allowed(*image, strlen(*image)) || strchr("/?#", (*image)[0])))
    return imp_failf(err, errlen, NB_EINVAL, "image must be an http(s) URL");
  return NB_OK;
}

/* The article's body: each paragraph escaped in a p of its own. */
static void body_of(const imp_page *p, buf_t *body) {
  for (size_t i = 0; i < p->nparagraphs; i++) {
    buf_puts(body, i ? "\n<p>" : "<p>");
    buf_html_escape(body, p->paragraphs[i], strlen(p->paragraphs[i]));
    buf_puts(body, "</p>");
  }
}

/* The article's slug: its headline's, or "article" when that gives none. */
static void slug_of(const char *title, buf_t *slug) {
  buf_reset(slug);
  if (ar_slug(title, strlen(title), AR_SLUG_MAX, slug) != NB_OK) {
    buf_reset(slug);
    buf_puts(slug, "article");
  }
}

/* Tags: comma-separated, blanks around each ignored; a re-import sets
 * them again (without --tags, they are left as they were). */
static int save_tags(store *s, int64_t article_id, const char *tags, arena_t *a,
                     char *err, size_t errlen) {
  int64_t tag_ids[IMP_TAGS_MAX];
  size_t ntags = 0;
  int rc = NB_OK;
  const char *t = tags;
  while (rc == NB_OK && *t) {
    const char *comma = strchr(t, ',');
    size_t len = comma ? (size_t)(comma - t) : strlen(t);
    const char *name = NULL;
    char *piece = arena_strndup(a, t, len);
    rc = piece ? option_text(piece, "tag", a, &name, err, errlen) : NB_ENOMEM;
    if (rc == NB_OK && name && ntags == IMP_TAGS_MAX)
      rc = imp_failf(err, errlen, NB_EINVAL, "more than %d tags", IMP_TAGS_MAX);
    else if (rc == NB_OK && name)
      rc = imp_ensure_named(s, IMP_NAMED_TAG, name, NULL, &tag_ids[ntags++]);
    t += len + (comma ? 1 : 0);
  }
  if (rc == NB_OK)
    rc = store_article_tags_set(s, article_id, tag_ids, ntags);
  return rc;
}

int imp_page_save(store *s, const imp_page *p, const imp_page_opts *o,
                  int64_t *id, int *created, char *err, size_t errlen) {
  static const imp_page_opts none = {0};
  arena_t a = {0};
  buf_t slug = {0}, body = {0}, summary = {0};
  const char *section = NULL, *author = NULL, *image = NULL;
  const char *what = "article";
  char key[5 + 33];
  int64_t section_id = 0, author_id = 0;
  int began = 0, made = 0, rc;
  store_article art = {.image_url = "", .status = STORE_PUBLISHED};

  assert(s);
  if (!o)
    o = &none;
  if ((rc = check_page(p, err, errlen)) != NB_OK ||
      (rc = read_options(o, &a, &section, &author, &image, err, errlen)) !=
          NB_OK)
    goto done;
  if (image)
    art.image_url = image;
  if (!section)
    section = p->section && p->section[0] ? p->section : DEFAULT_SECTION;

  body_of(p, &body);
  imp_summary_of(p->paragraphs[0], strlen(p->paragraphs[0]), &summary);
  source_key(p, key);
  if (body.oom || summary.oom) {
    rc = imp_failf(err, errlen, NB_ENOMEM, "out of memory");
    goto done;
  }

  if ((rc = store_begin(s)) != NB_OK) {
    what = "transaction";
    goto store_failed;
  }
  began = 1;

  what = "section";
  if ((rc = imp_ensure_named(s, IMP_NAMED_SECTION, section, NULL,
                             &section_id)) != NB_OK)
    goto store_failed;

  if (author) {
    what = "author";
    if ((rc = imp_ensure_named(s, IMP_NAMED_AUTHOR, author, NULL,
                               &author_id)) != NB_OK)
      goto store_failed;
  }

  what = "article";
  slug_of(p->title, &slug);
  if (slug.oom) {
    rc = NB_ENOMEM;
    goto store_failed;
  }
  art.section_id = section_id;
  art.author_id = author_id;
  art.title = p->title;
  art.slug = slug.data;
  art.summary = summary.data;
  art.body_html = body.data;
  art.published_at = o->date;
  art.updated_at = o->date;
  if ((rc = store_article_save(s, &art, key, &made)) != NB_OK)
    goto store_failed;

  if (o->tags) {
    what = "tags";
    if ((rc = save_tags(s, art.id, o->tags, &a, err, errlen)) != NB_OK)
      goto store_failed;
  }

  /* a failed commit ends the transaction itself */
  what = "transaction";
  began = 0;
  if ((rc = store_commit(s)) != NB_OK)
    goto store_failed;
  if (id)
    *id = art.id;
  if (created)
    *created = made;
  goto done;

store_failed:
  imp_failf(err, errlen, rc, "cannot save the %s: %s (%s)", what,
            nb_strerror(rc), store_errmsg(s));
done:
  if (began)
    store_rollback(s);
  buf_free(&slug);
  buf_free(&body);
  buf_free(&summary);
  arena_free(&a);
  return rc;
}
