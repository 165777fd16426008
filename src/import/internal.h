/* import/internal.h: what the files of import/ share, not for other
 * modules: page.c (saved pages) and wxr_import.c (WordPress exports). */
#ifndef NABA_IMPORT_INTERNAL_H
#define NABA_IMPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

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

#endif
