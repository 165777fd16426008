/* render/render.c: a compiled template and a JSON context made into
 * output.
 *
 * Rendering walks the flat node array compile.c emits. The context stack,
 * the indentation of standalone partials and the block overrides of
 * parent tags live in linked lists on the C stack, so a render allocates
 * nothing but output and never writes to the set: many threads may render
 * one set at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/internal.h"

/* Sections plus expansions nested at render time. Each level costs one C
 * stack frame; this keeps the worst case far from any thread's stack size. */
#define RENDER_MAX_NEST 1024
/* Section iterations plus expansions in one render. A template such as
 * {{#a}}{{>self}}{{>self}}{{/a}} stays under every depth limit yet would
 * run for 2^64 steps; a real page needs a few thousand. */
#define RENDER_MAX_STEPS (1L << 22)

/* ---- rendering ---- */

typedef struct ctx {
  const json_t *v;
  const struct ctx *up;
} ctx;

typedef struct ind {
  const char *s;
  size_t n;
  const struct ind *up;
} ind;

typedef struct frame { /* a parent tag being expanded, with its arguments */
  const tpl *t;
  const node *parent;
  const struct frame *up;
} frame;

typedef struct {
  const tpl_set *set;
  buf_t *out;
  size_t start;
  const ctx *ctx;
  const ind *ind;
  const frame *frames;
  int depth, nest;
  long steps;
} rstate;

static void put_ind(buf_t *out, const ind *i) {
  if (!i)
    return;
  put_ind(out, i->up);
  buf_append(out, i->s, i->n);
}

/* Indentation goes where a source line starts, unless the output is
 * mid-line there (a block expanded after other text on its line). */
static void indent(rstate *s) {
  buf_t *out = s->out;
  if (!s->ind || (out->len > s->start && out->data[out->len - 1] != '\n'))
    return;
  put_ind(out, s->ind);
}

static const json_t *lookup(const rstate *s, const tpl *t, const node *nd) {
  if (nd->nparts == 0)
    return s->ctx ? s->ctx->v : NULL;
  const char *const *parts = t->parts + nd->aux;
  const json_t *v = NULL;
  for (const ctx *c = s->ctx; c && !v; c = c->up)
    if (json_is_object(c->v))
      v = json_object_get(c->v, parts[0]);
  for (uint16_t i = 1; v && i < nd->nparts; i++)
    v = json_is_object(v) ? json_object_get(v, parts[i]) : NULL;
  return v;
}

static int falsey(const json_t *v) {
  if (!v)
    return 1;
  switch (json_typeof(v)) {
  case JSON_NULL:
  case JSON_FALSE:
    return 1;
  case JSON_STRING:
    return json_string_length(v) == 0;
  case JSON_ARRAY:
    return json_array_size(v) == 0;
  default:
    return 0;
  }
}

static void put_value(buf_t *out, const json_t *v, int escape) {
  char b[40];
  int n;
  switch (v ? json_typeof(v) : JSON_NULL) {
  case JSON_STRING:
    if (escape)
      buf_html_escape_z(out, json_string_value(v), json_string_length(v));
    else
      buf_append(out, json_string_value(v), json_string_length(v));
    return;
  case JSON_INTEGER:
    n = snprintf(b, sizeof b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    break;
  case JSON_REAL: {
    /* Shortest form that reads back the same: 1.21, not 1.2100000000000000 */
    double d = json_real_value(v);
    n = snprintf(b, sizeof b, "%.15g", d);
    if (strtod(b, NULL) != d)
      n = snprintf(b, sizeof b, "%.16g", d);
    if (strtod(b, NULL) != d)
      n = snprintf(b, sizeof b, "%.17g", d);
    for (char *p = b; *p; p++)
      if (*p == ',') /* a locale's decimal comma */
        *p = '.';
    break;
  }
  case JSON_TRUE:
    buf_append(out, "true", 4);
    return;
  case JSON_FALSE:
    buf_append(out, "false", 5);
    return;
  default: /* null, objects and arrays print nothing */
    return;
  }
  if (n > 0)
    buf_append(out, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

static int render(rstate *s, const tpl *t, const node *b, const node *e);

/* Renders [b, e) of t with `i` as the indentation. */
static int expand(rstate *s, const tpl *t, const node *b, const node *e,
                  const ind *i) {
  if (s->depth >= TPL_MAX_DEPTH)
    return NB_ETOOBIG;
  const ind *saved = s->ind;
  s->ind = i;
  s->depth++;
  int rc = render(s, t, b, e);
  s->depth--;
  s->ind = saved;
  return rc;
}

/* The argument overriding block `nd`: the outermost parent wins. */
static const node *find_arg(const rstate *s, const tpl *t, const node *nd,
                            const tpl **at) {
  const node *found = NULL;
  const char *name = t->src + nd->off;
  for (const frame *f = s->frames; f; f = f->up) {
    const node *end = f->t->nodes + f->parent->end;
    for (const node *a = f->parent + 1; a < end; a = f->t->nodes + a->end)
      if (a->aux == nd->aux && a->len == nd->len &&
          !memcmp(f->t->src + a->off, name, nd->len)) {
        found = a;
        *at = f->t;
        break;
      }
  }
  return found;
}

static int render(rstate *s, const tpl *t, const node *b, const node *e) {
  int rc = NB_OK;
  if (s->out->oom)
    return NB_ENOMEM;
  if (s->nest >= RENDER_MAX_NEST || ++s->steps > RENDER_MAX_STEPS)
    return NB_ETOOBIG;
  s->nest++;
  const node *base = t->nodes;
  for (const node *nd = b; rc == NB_OK && nd < e; nd++) {
    if (nd->flags & NF_INDENT)
      indent(s);
    switch (nd->type) {
    case N_TEXT:
      buf_append(s->out, t->src + nd->off, nd->len);
      break;
    case N_VAR:
    case N_RAW:
      put_value(s->out, lookup(s, t, nd), nd->type == N_VAR);
      break;
    case N_SECTION:
    case N_INVERTED: {
      const json_t *v = lookup(s, t, nd);
      const node *cb = nd + 1, *ce = base + nd->end;
      if (nd->type == N_INVERTED) {
        if (falsey(v))
          rc = render(s, t, cb, ce);
      } else if (!falsey(v)) {
        size_t n = json_is_array(v) ? json_array_size(v) : 1;
        for (size_t i = 0; rc == NB_OK && i < n; i++) {
          ctx c = {json_is_array(v) ? json_array_get(v, i) : v, s->ctx};
          s->ctx = &c;
          rc = render(s, t, cb, ce);
          s->ctx = c.up;
        }
      }
      nd = ce - 1;
      break;
    }
    case N_PARTIAL:
    case N_PARENT: {
      const tpl *p = tpl_find(s->set, t->src + nd->off, nd->len, nd->aux);
      ind here = {t->src + nd->ioff, nd->ilen, s->ind};
      const ind *i = !(nd->flags & NF_SITE) ? NULL : nd->ilen ? &here : s->ind;
      if (nd->type == N_PARENT) {
        frame f = {t, nd, s->frames};
        s->frames = &f;
        if (p)
          rc = expand(s, p, p->nodes, p->nodes + p->nnodes, i);
        s->frames = f.up;
        nd = base + nd->end - 1;
      } else if (p) {
        rc = expand(s, p, p->nodes, p->nodes + p->nnodes, i);
      }
      break;
    }
    case N_BLOCK: {
      const tpl *at = t;
      const node *a = find_arg(s, t, nd, &at);
      const node *cb = a ? a + 1 : nd + 1;
      const node *ce = a ? at->nodes + a->end : base + nd->end;
      ind here = {t->src + nd->ioff, nd->ilen, s->ind};
      rc = expand(s, at, cb, ce,
                  (nd->flags & NF_SITE) && nd->ilen ? &here : s->ind);
      nd = base + nd->end - 1;
      break;
    }
    }
  }
  s->nest--;
  return rc;
}

int tpl_render(const tpl_set *set, const char *name, const json_t *ctx_json,
               buf_t *out) {
  if (!set || !name || !out)
    return NB_EINVAL;
  if (out->oom)
    return NB_ENOMEM;
  size_t n = strlen(name);
  const tpl *t = tpl_find(set, name, n, tpl_hash_name(name, n));
  if (!t)
    return NB_ENOTFOUND;
  ctx root = {ctx_json, NULL};
  rstate s = {.set = set,
              .out = out,
              .start = out->len,
              .ctx = ctx_json ? &root : NULL};
  int rc = render(&s, t, t->nodes, t->nodes + t->nnodes);
  if (rc == NB_OK && out->oom)
    rc = NB_ENOMEM;
  if (rc != NB_OK && out->data) {
    /* No half pages: the caller gets its buffer back as it gave it. */
    out->len = s.start;
    out->data[out->len] = '\0';
  }
  return rc;
}
