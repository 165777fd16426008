/* render: a Mustache template engine.
 *
 * Templates are compiled once (tpl_set_add / tpl_set_load_dir) into a tree
 * and rendered many times against a jansson JSON value as the context.
 * Implements the official spec: comments, set delimiters, interpolation
 * (HTML-escaped with {{ }}, raw with {{{ }}} and {{& }}), dotted names,
 * sections, inverted sections, partials (with standalone indentation) and
 * inheritance ({{< parent}} with {{$ block}}). Lambdas are not supported.
 *
 * Falsey values for sections: false, null, "" and empty arrays.
 * Limits: a template over TPL_MAX_SIZE bytes or nested deeper than
 * TPL_MAX_DEPTH is refused at compile time; partials nesting deeper than
 * TPL_MAX_DEPTH at render time, or a render over 4M steps (section
 * iterations and expansions), stops with NB_ETOOBIG; on any error the
 * output buffer is cut back to its length at the call. */
#ifndef NABA_RENDER_H
#define NABA_RENDER_H

#include <jansson.h>
#include <stddef.h>

#include "core/core.h"

#define TPL_MAX_SIZE (1024 * 1024)
#define TPL_MAX_DEPTH 64

typedef struct tpl_set tpl_set;

/* A new empty set; free with tpl_set_free(). NULL on out of memory. */
tpl_set *tpl_set_new(void);
void tpl_set_free(tpl_set *set);

/* Compiles src[0..n) under `name` (a partial is looked up by this name).
 * Replaces a template of the same name. On a syntax error returns NB_EINVAL
 * and writes "name:line: message" into err. */
int tpl_set_add(tpl_set *set, const char *name, const char *src, size_t n,
                char *err, size_t errlen);

/* Adds every "*.mustache" file of dir, named by its file name without the
 * extension ("article.mustache" -> "article"). */
int tpl_set_load_dir(tpl_set *set, const char *dir, char *err, size_t errlen);

/* 1 if a template of this name is in the set. */
int tpl_has(const tpl_set *set, const char *name);

/* Renders template `name` with ctx, appending to out. A missing partial
 * renders as empty (as the spec says). NB_ENOTFOUND if `name` itself is
 * missing. Safe to call from many threads on the same set. */
int tpl_render(const tpl_set *set, const char *name, const json_t *ctx,
               buf_t *out);

#endif
