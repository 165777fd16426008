/* import: bringing content from elsewhere into the store.
 *
 * Saved article pages: the text of a WordPress news article page (section
 * line, headline twice as page title and heading, body paragraphs, then the
 * comment form's strings and follow/share lines). The parser recognises that
 * structure, keeps the original text exactly, and refuses anything that is
 * not an article page with a message that says why. */
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

#endif
