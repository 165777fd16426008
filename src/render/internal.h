/* render/internal.h: the compiled form of a template, shared by the
 * compiler (compile.c), the set (set.c) and the renderer (render.c). Not a
 * header for other modules: render.h is. */
#ifndef NABA_RENDER_INTERNAL_H
#define NABA_RENDER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "render/render.h"

/* ---- compiled form ---- */

enum {
  N_TEXT,
  N_VAR,      /* {{name}}: escaped */
  N_RAW,      /* {{{name}}} or {{&name}} */
  N_SECTION,  /* {{#name}} */
  N_INVERTED, /* {{^name}} */
  N_PARTIAL,  /* {{>name}} */
  N_PARENT,   /* {{<name}}: children are its argument blocks only */
  N_BLOCK,    /* {{$name}}: children are the default content */
};

enum {
  NF_INDENT = 1, /* starts a source line: write the indentation first */
  NF_SITE = 2,   /* partial, parent or block standing alone on its line:
                    expanded with its indentation (ioff, ilen) added */
};

typedef struct {
  uint8_t type, flags;
  uint16_t nparts;     /* dotted name parts; 0 means "." */
  uint32_t end;        /* containers: index just past the last descendant */
  uint32_t off, len;   /* text, or the tag name, in the template's source */
  uint32_t ioff, ilen; /* indentation, in the template's source */
  uint32_t aux;        /* first name part index, or the hash of a name */
} node;

typedef struct tpl {
  char *name;
  size_t namelen;
  uint32_t hash;
  const char *src;
  node *nodes;
  uint32_t nnodes;
  const char **parts; /* NUL-terminated name parts for jansson look-ups */
  arena_t arena;      /* owns everything above except the struct itself */
} tpl;

struct tpl_set {
  tpl **slots; /* open addressing, linear probing; cap is a power of 2 */
  size_t cap, count;
};

/* FNV-1a of s[0..n): how the set and parent and partial nodes find a
 * template by name. */
uint32_t tpl_hash_name(const char *s, size_t n);

/* Grows the array *p of *cap elements of `size` bytes to hold at least
 * `need`. NB_OK, or NB_ENOMEM with *p and *cap unchanged. */
int tpl_grow(void **p, size_t *cap, size_t need, size_t size);

/* Compiles src[0..n) (a copy is kept) into a template named `name`; on
 * NB_OK *out is new and the caller frees it with tpl_free(). On a syntax
 * error returns NB_EINVAL (NB_ETOOBIG for nesting over TPL_MAX_DEPTH) and
 * writes "name:line: message" into err. */
int tpl_compile(const char *name, const char *src, size_t n, char *err,
                size_t errlen, tpl **out);

/* Frees t and all it owns; NULL is a no-op. */
void tpl_free(tpl *t);

/* The template called name[0..n) in set (h is tpl_hash_name() of the
 * name), or NULL. The set keeps it. */
const tpl *tpl_find(const tpl_set *set, const char *name, size_t n, uint32_t h);

#endif
