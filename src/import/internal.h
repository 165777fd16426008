/* import/internal.h: what the files of import/ share, not for other
 * modules: saved pages (page*.c), the HTML sanitizer (sanitize*.c) and the
 * import of WordPress exports (wxr_import.c, wxr_items.c, wxr_queue.c). */
#ifndef NABA_IMPORT_INTERNAL_H
#define NABA_IMPORT_INTERNAL_H

#include <gumbo.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "import/import.h"
#include "store/store.h"

/* ---- saved pages: page.c parses, page_save.c saves ---- */

/* Writes the message into err[0..errlen) (when err is not NULL) and
 * returns rc. */
int imp_failf(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Space, and the invisible characters saved pages carry at line ends. */
int imp_is_blank(uint32_t c);

/* Start of the code point *c that ends s[0..n), n > 0, s valid UTF-8. */
size_t imp_last_cp(const char *s, size_t n, uint32_t *c);

/* Narrows s[*b..*e) to drop blanks at both ends. */
void imp_trim(const char *s, size_t *b, size_t *e);

/* Ends as a paragraph does and a headline does not: a full stop (not ".."
 * or "..."), a comma, colon or semicolon. */
int imp_ends_like_paragraph(const char *s, size_t n);

/* ---- shared by saved pages and WordPress exports ---- */

enum { IMP_NAMED_SECTION, IMP_NAMED_AUTHOR, IMP_NAMED_TAG };

/* Finds or creates the section, author or tag called name. Its slug is
 * ar_slug's of slug_hint (or of name when slug_hint is NULL or ""), or a
 * fallback when that leaves nothing ("section-1", "author", "tag-1");
 * while another row holds the slug, or a section slug is a path the site
 * answers itself, "-2", "-3", ... is added. */
int imp_ensure_named(store *s, int kind, const char *name,
                     const char *slug_hint, int64_t *id);

/* Appends the first paragraph s[0..n), cut to about 200 characters at a
 * word boundary with "…" when longer. */
void imp_summary_of(const char *s, size_t n, buf_t *out);

/* Appends html[0..n) with WordPress's own shortcodes ([caption], [embed],
 * [audio], [video], [gallery], [playlist]) made into HTML or removed
 * (shortcode.c says how); the sanitizer runs it first. */
void imp_shortcodes(const char *html, size_t n, buf_t *out);

/* The images [gallery] shortcodes of a post show: WordPress attachment
 * IDs from their ids="...", at most IMP_GALLERY_MAX, and whether one has
 * none (it shows the images attached to the post). */
#define IMP_GALLERY_MAX 200
typedef struct {
  int64_t ids[IMP_GALLERY_MAX];
  size_t n;
  int attached;
} imp_galleries;
void imp_shortcode_galleries(const char *html, size_t n, imp_galleries *g);

/* ---- importing a WordPress export: wxr_import.c (the batches and the
 * finish), wxr_items.c (what each thing becomes), wxr_queue.c (the
 * reading thread) ---- */

/* WordPress slugs and what they became (a site has tens to thousands of
 * terms: a list is enough). */
typedef struct {
  char *slug; /* the WordPress slug, as in the file */
  int64_t id;
} imp_slug_id;

typedef struct {
  imp_slug_id *v;
  size_t n, cap;
} imp_slug_map;

/* An imported article or page and a WordPress ID to resolve at the end:
 * its featured image, or its parent page. */
typedef struct {
  int64_t article_id, thumbnail;
} imp_wxr_pending;

/* One import's state; used by the writing thread only. */
typedef struct {
  store *s;
  const imp_wxr_opts *o;
  imp_wxr_report *r;
  char *err;
  size_t errlen;
  int in_tx;
  int64_t in_batch;
  char *base; /* base_blog_url: source keys and old link paths */
  imp_slug_map authors, sections, tags, parents; /* parents: section -> slug */
  imp_wxr_pending *thumbs;
  size_t nthumbs, cap_thumbs;
  imp_wxr_pending *parents_of_pages; /* (page id, its parent's WordPress id) */
  size_t nparents, cap_parents;
  /* (article id, attachment's WordPress id; 0: the article's own) */
  imp_wxr_pending *gallery_images;
  size_t ngallery, cap_gallery;
  /* (attachment's WordPress id, its post's) when the post came later */
  imp_wxr_pending *orphans;
  size_t norphans, cap_orphans;
  imp_wxr_report committed; /* *r at the last commit */
  int64_t slice_start;      /* when the open transaction began (us) */
  int64_t utc_offset;       /* the site's, in seconds: see wxr_items.c */
  unsigned char key[32];    /* the site secret: avatars */
  int have_key;
} imp_wxr_importer;

/* Writes the message into im->err unless it already holds one (the first
 * error says why) and returns rc. */
int imp_wxr_fail(imp_wxr_importer *im, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds a copy of slug; NB_ENOMEM. imp_slug_map_get() gives 0 for a slug
 * not there; imp_slug_map_free() frees the copies and the list. */
int imp_slug_map_put(imp_slug_map *m, const char *slug, int64_t id);
int64_t imp_slug_map_get(const imp_slug_map *m, const char *slug);
void imp_slug_map_free(imp_slug_map *m);

/* Appends (id, wp_id) to a list resolved once the file is read. */
int imp_wxr_remember(imp_wxr_pending **v, size_t *n, size_t *cap, int64_t id,
                     int64_t wp_id);

/* Begins the first batch, or counts an item and commits the batch once it
 * holds o->batch items (reporting progress) and begins the next. */
int imp_wxr_batch_step(imp_wxr_importer *im);

/* Counts url[0..n) (HTML-escaped when escaped) in the report if it is an
 * http: image, and names it among the first ones. */
void imp_wxr_note_image(imp_wxr_importer *im, const char *url, size_t n,
                        int escaped);
/* The same for each <img src> of sanitized HTML. */
void imp_wxr_note_images(imp_wxr_importer *im, const char *html, size_t n);

/* What the export's site, authors, terms and items become (wxr_items.c).
 * An item's body comes sanitized from the reading thread: body, with
 * html_rc saying how that went, and g its galleries (or NULL). */
int imp_wxr_on_site(imp_wxr_importer *im, const imp_wxr_site *s);
int imp_wxr_on_author(imp_wxr_importer *im, const imp_wxr_author *a);
int imp_wxr_on_term(imp_wxr_importer *im, const imp_wxr_term *t);
int imp_wxr_on_item(imp_wxr_importer *im, const imp_wxr_item *it,
                    const buf_t *body, int html_rc, const imp_galleries *g);

/* Whether the reading thread sanitizes the item's HTML for the writer. */
int imp_wxr_has_body(const imp_wxr_item *it);

/* Reads path on a thread of its own and writes what it gives with the
 * imp_wxr_on_* functions on the calling one (wxr_queue.c). On the writer's
 * error the reader is stopped; on the reader's, why says it. */
int imp_wxr_read_and_write(imp_wxr_importer *im, const char *path, char *why,
                           size_t whylen);

/* ---- the HTML sanitizer (sanitize.c says how its passes work) ---- */

/* HTML's whitespace, as its tokenizer knows it. */
static inline int imp_html_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static inline int imp_html_heading(GumboTag t) {
  return t >= GUMBO_TAG_H1 && t <= GUMBO_TAG_H6;
}

/* Pass 1 (sanitize_prep.c): appends to out what gumbo will parse instead
 * of s[0..n): what is removed anyway dropped, every element closed with an
 * explicit end tag, nesting and attributes bounded. On allocation failure
 * out->oom is set. */
void imp_html_prep(const char *s, size_t n, buf_t *out);

/* The output tree: what the sanitizer keeps, as it will be written. */
enum { IMP_HTML_ELEM, IMP_HTML_TEXT, IMP_HTML_BREAK };

typedef struct imp_html_node imp_html_node;
struct imp_html_node {
  imp_html_node *parent, *first, *last, *next;
  const GumboNode *src; /* the element it was made from */
  const char *s;        /* text, or the attributes as written */
  size_t n;
  GumboTag tag;
  int depth;
  unsigned char kind, has_block;
};

/* The allow-list (sanitize_allow.c). What to do with an element: removed
 * with its content, unwrapped (content kept), or kept; for a kept one its
 * attributes, escaped, go into out (url is scratch space). */
enum { IMP_HTML_DROP, IMP_HTML_UNWRAP, IMP_HTML_KEEP };
int imp_html_judge(const GumboElement *e, buf_t *out, buf_t *url);

/* Classes of the output's elements: void (no content, no end tag; an
 * iframe is written empty), closing an open p (so never inside one),
 * block (ends a paragraph), breaking lines when shown (unwrapped, it still
 * ends a paragraph). */
int imp_html_is_void(GumboTag t);
int imp_html_closes_p(GumboTag t);
int imp_html_is_block(GumboTag t);
int imp_html_breaks_line(GumboTag t);

/* Appends s[0..n) HTML-escaped, as the parser reads it back (see
 * sanitize_allow.c), so that sanitizing the output gives it again. */
void imp_html_escape(buf_t *b, const char *s, size_t n);

/* Pass 2 (sanitize_tree.c): makes *top the root of the output tree of the
 * children of gumbo's root, its nodes allocated from a (they point into
 * gumbo's tree, which must outlive them). NB_OK or NB_ENOMEM. */
int imp_html_tree(const GumboNode *root, arena_t *a, imp_html_node *top);

/* Pass 3 (sanitize_write.c): appends the tree under root to out, top-level
 * inline content in paragraphs (wpautop). NB_OK or NB_ENOMEM. */
int imp_html_write(const imp_html_node *root, buf_t *out);

#endif
