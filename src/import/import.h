/* import: bringing content from elsewhere into the store.
 *
 * Saved article pages: the text of a WordPress news article page (section
 * line, headline twice as page title and heading, body paragraphs, then the
 * comment form's strings and follow/share lines). The parser recognises that
 * structure, keeps the original text exactly, and refuses anything that is
 * not an article page with a message that says why.
 *
 * The program calls sodium_init() once before using this module (naba's
 * main does; so do its tests and fuzz harnesses). */
#ifndef NABA_IMPORT_H
#define NABA_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

#define IMP_PAGE_MAX_SIZE (4 * 1024 * 1024) /* bytes per file */
#define IMP_TITLE_MAX 400                   /* bytes in a headline */

/* A parsed page; every string is allocated from the arena given to
 * imp_page_parse. */
typedef struct {
  const char *section; /* NULL when the page had no section line */
  const char *title;
  const char **paragraphs; /* in order, each one line of text */
  size_t nparagraphs;
} imp_page;

/* Parses text[0..n). On refusal returns NB_EINVAL (or NB_ETOOBIG) and writes
 * a one-line English reason into err ("not UTF-8 at byte 12", "empty file",
 * "binary file", "no headline found", "no body paragraphs"). */
int imp_page_parse(const char *text, size_t n, arena_t *a, imp_page *out,
                   char *err, size_t errlen);

/* Options of `naba import page`; NULL/0 fields mean "not given". */
typedef struct {
  const char *section; /* overrides the page's section */
  const char *author;  /* byline; default: none */
  int64_t date;        /* publication time (UTC); 0: now for new articles,
                          unchanged for re-imports */
  const char *tags;    /* comma-separated tag names; NULL: leave them */
  const char *image;   /* lead image URL (http or https); NULL: none */
} imp_page_opts;

#define IMP_TAGS_MAX 64 /* tags on one article */

/* Writes a parsed page into the store in one transaction: creates the
 * section (and author) if new, inserts the article or updates the one
 * imported earlier from the same text. Sets *id and *created. */
int imp_page_save(store *s, const imp_page *p, const imp_page_opts *o,
                  int64_t *id, int *created, char *err, size_t errlen);

/* ---- WordPress exports (WXR 1.0 to 1.2), read as a stream ----
 * imp_wxr_read() hands every author, term (category, tag, custom term) and
 * item (post, page, attachment, menu item...) to the handler as soon as it
 * is read. Strings are valid during the call only and never NULL ("" when
 * the file did not say). Dates are as written (WordPress's
 * "2008-09-02 10:30:00"); *_gmt ones are UTC. */
typedef struct {
  const char *title, *link, *description, *language;
  const char *wxr_version, *base_site_url, *base_blog_url;
} imp_wxr_site;

typedef struct {
  int64_t id;
  const char *login, *email, *display_name, *first_name, *last_name;
} imp_wxr_author;

/* A term: in the channel (wp:category, wp:tag, wp:term) or on an item
 * (<category domain="category|post_tag" nicename="slug">Name</category>).
 * taxonomy is "category", "post_tag", or another WordPress taxonomy;
 * parent is the parent category's slug, "" for none. */
typedef struct {
  int64_t term_id;
  const char *taxonomy, *slug, *name, *parent, *description;
} imp_wxr_term;

typedef struct {
  int64_t id, parent, user_id;
  const char *author, *email, *url, *ip, *date, *date_gmt, *content;
  const char *approved; /* "1", "0", "spam", "trash" */
  const char *type;     /* "" or "comment", "pingback", "trackback" */
} imp_wxr_comment;

typedef struct {
  int64_t id, parent, menu_order, thumbnail_id;
  int sticky;
  const char *title, *link, *guid, *pub_date, *creator, *content, *excerpt;
  const char *date, *date_gmt, *slug, *status, *type, *password;
  const char *attachment_url, *comment_status;
  const char *image_url; /* naba's own lead image meta, "" if none */
  imp_wxr_term *terms;   /* the item's categories and tags */
  size_t nterms;
  imp_wxr_comment *comments;
  size_t ncomments;
} imp_wxr_item;

/* Each callback may be NULL; one returning other than NB_OK stops the
 * read, which returns that code. site comes once, before the first author,
 * term or item (or at the end of a file without any). */
typedef struct {
  void *ctx;
  int (*site)(void *ctx, const imp_wxr_site *s);
  int (*author)(void *ctx, const imp_wxr_author *a);
  int (*term)(void *ctx, const imp_wxr_term *t);
  int (*item)(void *ctx, const imp_wxr_item *i);
} imp_wxr_handler;

/* Reads the export at path (or data[0..n)). NB_EINVAL with "line N: why"
 * in err for a file that is not well-formed XML (truncated, bad encoding),
 * has a DOCTYPE (no entity can be expanded or fetched), or is not a
 * WordPress export; NB_ETOOBIG, also with its line, for an element's text
 * over 4 MB, an item with too many comments or terms, and, counted on the
 * bytes before libxml2 parses them, a start tag with over 256 attributes,
 * elements nested over 64 deep or over 100,000,000 elements in all; NB_EIO
 * if the file cannot be opened. */
int imp_wxr_read(const char *path, const imp_wxr_handler *h, char *err,
                 size_t errlen);
int imp_wxr_read_memory(const char *data, size_t n, const imp_wxr_handler *h,
                        char *err, size_t errlen);

/* ---- HTML of imported posts (sanitize.c) ---- */
#define IMP_HTML_MAX (4 * 1024 * 1024) /* bytes of one post's HTML */

/* Appends to out the HTML fragment html[0..n) made safe to show as an
 * article body, parsed with gumbo as the content of <body>. Kept: p, br,
 * h2-h6 (h1 becomes h2), strong, b, em, i, u, s, del, ins, mark, small,
 * sub, sup, blockquote, q, cite, abbr, code, pre, kbd, ul, ol, li, dl, dt,
 * dd, hr, a, img, figure, figcaption, the table elements, and iframes of
 * YouTube and Vimeo players; removed with their content: script, style,
 * forms, svg, math, embedded objects and other iframes; every other tag is
 * dropped and its content kept. Attributes: a[href title], img[src alt
 * width height], td/th[colspan rowspan], ol[start], iframe[src width height
 * title], and on every kept element dir when it is rtl, ltr or auto (the
 * newsroom's editor sets it per paragraph); href only what core's
 * nb_url_allowed() allows (http(s) with a host, "/path", "?query",
 * "#fragment"; no "//host") or mailto, src only http(s) that it allows;
 * links to other sites get rel="nofollow noopener". Top-level text gets
 * paragraphs as WordPress's wpautop gives them (blank line: new paragraph,
 * newline: <br>). The output is well-formed, nests at most 100 deep, and
 * sanitizing it again gives the same bytes.
 * WordPress's own shortcodes go first: [caption] becomes a figure with
 * its figcaption, [embed] a YouTube or Vimeo player or a link, [audio] and
 * [video] a link to the file; [gallery] and [playlist] are removed; other
 * brackets stay as text, each '[' written "&#91;".
 * Returns NB_OK; NB_ETOOBIG over IMP_HTML_MAX (or, for hostile markup, over
 * the parser's memory bound); NB_EINVAL if not UTF-8; NB_ENOMEM. On error
 * out is left as it was. */
int imp_html_sanitize(const char *html, size_t n, buf_t *out);

/* ---- importing a WordPress export ---- */
#define IMP_HTTP_IMAGES_LISTED 10 /* http: images named in a report */
#define IMP_URL_LISTED_MAX 512    /* bytes of one, cut longer */
typedef struct {
  int64_t posts;    /* imported: created + updated */
  int64_t created;  /* new articles */
  int64_t updated;  /* articles imported before from the same export */
  int64_t comments; /* comments written (or found from an earlier run) */
  int64_t authors, sections, tags, attachments, redirects;
  int64_t comments_skipped; /* pingbacks, trackbacks, trash, empty */
  int64_t pages;            /* static pages (their comments are skipped) */
  int64_t skipped_html;     /* a body over the limit or not UTF-8 */
  /* posts and pages behind a WordPress password: kept as drafts (posts
   * private ones), as naba has no passwords for readers */
  int64_t password_protected;
  int64_t skipped; /* menu items, revisions, trashed posts... */
  /* Images of posts and pages (in bodies, galleries, lead images) loaded
   * over http:, which the site's Content-Security-Policy blocks until
   * they are fetched: how many, and the first distinct ones. */
  int64_t http_images;
  size_t nhttp_listed;
  char http_listed[IMP_HTTP_IMAGES_LISTED][IMP_URL_LISTED_MAX];
  int64_t batches; /* transactions committed */
} imp_wxr_report;

typedef struct {
  int dry_run; /* read and check everything, write nothing */
  /* items per transaction at most; 0: 500. A transaction also ends after
   * about 100 ms of writing, so that the site's writers (readers'
   * comments) never wait long for the lock. */
  int64_t batch;
  /* called after each committed batch and at the end; may be NULL */
  void (*progress)(void *ctx, const imp_wxr_report *r);
  void *ctx;
} imp_wxr_opts;

/* Writes the whole site (every article, draft or not, its section, tags
 * and comments; authors, sections, tags) as WXR 1.2 to path ("-": standard
 * output), through path.tmp renamed once whole. site gives the channel's
 * title, link (the site URL, no trailing /) and description. */
typedef struct {
  int64_t posts, pages, comments, authors, sections, tags;
} imp_wxr_export_report;
/* Pages are written with WordPress IDs this far above their own, so they
 * never share an ID with an article in the export. */
#define IMP_WXR_PAGE_ID_BASE INT64_C(1000000000)
int imp_wxr_export(store *s, const char *path, const imp_wxr_site *site,
                   imp_wxr_export_report *r, char *err, size_t errlen);

/* Calls fn with each URL of media the site loads from elsewhere, once
 * each, sorted: kept attachments, lead images, images in article and page
 * bodies, links into WordPress's "/wp-content/uploads/" (media.c). */
int imp_media_urls(store *s, void (*fn)(void *ctx, const char *url), void *ctx);

/* Imports the export at path (see wxr_import.c for what becomes what).
 * On failure err says where and why; the batch being written is undone,
 * earlier ones stay (a re-run updates them and goes on), and *r counts
 * what those committed batches wrote: what the database holds of this
 * run. */
int imp_wxr_import(store *s, const char *path, const imp_wxr_opts *o,
                   imp_wxr_report *r, char *err, size_t errlen);

#endif
