/* import/sanitize_tree.c: the sanitizer's second pass (sanitize.c has all
 * three): gumbo's tree walked with an explicit stack, what the allow-list
 * allows kept in a small output tree, under the content rules that make
 * the output parse back to the same tree (no block in a p, li only in
 * ul/ol, table parts only in their parents, no a in an a, no heading
 * directly in a heading, depth at most OUT_DEPTH): what makes sanitizing
 * idempotent. */
#include <gumbo.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "import/internal.h"

#define OUT_DEPTH 100 /* deepest nesting of the output */

typedef struct {
  arena_t *a;
  imp_html_node *root;
  imp_html_node *cur;
  buf_t tmp, url;
  int oom;
} builder;

static imp_html_node *append(builder *b, int kind) {
  imp_html_node *x = arena_alloc(b->a, sizeof *x);
  if (!x) {
    b->oom = 1;
    return NULL;
  }
  memset(x, 0, sizeof *x);
  x->kind = (unsigned char)kind;
  x->parent = b->cur;
  if (b->cur->last)
    b->cur->last->next = x;
  else
    b->cur->first = x;
  b->cur->last = x;
  return x;
}

static void add_break(builder *b) {
  const imp_html_node *last = b->cur->last;
  if (last && last->kind != IMP_HTML_BREAK)
    append(b, IMP_HTML_BREAK);
}

/* 1 if an element t may go at the cursor so that the output parses back to
 * the same tree; sets its depth. */
static int fits(const builder *b, GumboTag t, int *depth) {
  const imp_html_node *c = b->cur, *x;
  /* A top-level inline element counts the paragraph autop may put it in. */
  int d = c == b->root && !imp_html_is_block(t) ? 2 : c->depth + 1;
  if (!imp_html_is_void(t) && d + (t == GUMBO_TAG_TABLE ? 3 : 0) > OUT_DEPTH)
    return 0;
  if (imp_html_closes_p(t))
    for (x = c; x != b->root; x = x->parent) {
      if (x->tag == GUMBO_TAG_P)
        return 0;
      if (x->tag == GUMBO_TAG_TD || x->tag == GUMBO_TAG_TH ||
          x->tag == GUMBO_TAG_CAPTION)
        break;
    }
  switch (t) {
  case GUMBO_TAG_H2:
  case GUMBO_TAG_H3:
  case GUMBO_TAG_H4:
  case GUMBO_TAG_H5:
  case GUMBO_TAG_H6:
    if (imp_html_heading(c->tag))
      return 0;
    break;
  case GUMBO_TAG_A:
    for (x = c; x != b->root; x = x->parent) {
      if (x->tag == GUMBO_TAG_A)
        return 0;
      if (x->tag == GUMBO_TAG_TD || x->tag == GUMBO_TAG_TH ||
          x->tag == GUMBO_TAG_CAPTION)
        break;
    }
    break;
  case GUMBO_TAG_LI:
    if (c->tag != GUMBO_TAG_UL && c->tag != GUMBO_TAG_OL)
      return 0;
    break;
  case GUMBO_TAG_DT:
  case GUMBO_TAG_DD:
    if (c->tag != GUMBO_TAG_DL)
      return 0;
    break;
  case GUMBO_TAG_FIGCAPTION:
    if (c->tag != GUMBO_TAG_FIGURE)
      return 0;
    break;
  case GUMBO_TAG_CAPTION:
  case GUMBO_TAG_THEAD:
  case GUMBO_TAG_TBODY:
  case GUMBO_TAG_TFOOT:
    if (c->tag != GUMBO_TAG_TABLE)
      return 0;
    break;
  case GUMBO_TAG_TR:
    if (c->tag != GUMBO_TAG_THEAD && c->tag != GUMBO_TAG_TBODY &&
        c->tag != GUMBO_TAG_TFOOT)
      return 0;
    break;
  case GUMBO_TAG_TD:
  case GUMBO_TAG_TH:
    if (c->tag != GUMBO_TAG_TR)
      return 0;
    break;
  default:
    break;
  }
  *depth = d;
  return 1;
}

/* Called when the walk reaches element g; 1 to go into its children. */
static int enter(builder *b, const GumboNode *g) {
  if (g->type != GUMBO_NODE_ELEMENT)
    return 0; /* template contents */
  const GumboElement *e = &g->v.element;
  buf_reset(&b->tmp);
  int verdict = imp_html_judge(e, &b->tmp, &b->url);
  if (b->url.oom || b->tmp.oom)
    b->oom = 1;
  GumboTag t = e->tag == GUMBO_TAG_H1 ? GUMBO_TAG_H2 : e->tag;
  int depth = 0;
  if (verdict == IMP_HTML_KEEP && !fits(b, t, &depth))
    verdict = imp_html_is_void(t) ? IMP_HTML_DROP : IMP_HTML_UNWRAP;
  if (verdict == IMP_HTML_DROP || b->oom)
    return 0;
  if (verdict == IMP_HTML_UNWRAP) {
    if (imp_html_breaks_line(t))
      add_break(b);
    return 1;
  }
  imp_html_node *x = append(b, IMP_HTML_ELEM);
  if (!x)
    return 0;
  x->src = g;
  x->tag = t;
  x->depth = depth;
  if (b->tmp.len) {
    x->s = arena_strndup(b->a, b->tmp.data, b->tmp.len);
    x->n = b->tmp.len;
    if (!x->s)
      b->oom = 1;
  }
  if (imp_html_is_block(t))
    for (imp_html_node *p = b->cur; p != b->root && !p->has_block;
         p = p->parent)
      p->has_block = 1;
  if (imp_html_is_void(t))
    return 0;
  b->cur = x;
  return 1;
}

static void leave(builder *b, const GumboNode *g) {
  if (b->cur->src == g)
    b->cur = b->cur->parent;
  else if (imp_html_breaks_line(g->v.element.tag))
    add_break(b);
}

typedef struct {
  const GumboNode *g;
  unsigned i;
} frame;

/* Builds the output tree from the children of gumbo's root, depth first
 * with a stack on the heap. */
static int build(builder *b, const GumboNode *root) {
  size_t nf = 1, cap = 64;
  frame *f = malloc(cap * sizeof *f);
  if (!f)
    return NB_ENOMEM;
  f[0] = (frame){root, 0};
  while (nf && !b->oom) {
    frame *top = &f[nf - 1];
    const GumboVector *ch = &top->g->v.element.children;
    if (top->i == ch->length) {
      if (nf > 1)
        leave(b, top->g);
      nf--;
      continue;
    }
    const GumboNode *c = ch->data[top->i++];
    if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE ||
        c->type == GUMBO_NODE_CDATA) {
      size_t n = strlen(c->v.text.text);
      imp_html_node *x = n ? append(b, IMP_HTML_TEXT) : NULL;
      if (x) {
        x->s = c->v.text.text;
        x->n = n;
      }
      continue;
    }
    if ((c->type != GUMBO_NODE_ELEMENT && c->type != GUMBO_NODE_TEMPLATE) ||
        !enter(b, c))
      continue;
    if (nf == cap) {
      frame *g = realloc(f, 2 * cap * sizeof *f);
      if (!g) {
        b->oom = 1;
        break;
      }
      f = g;
      cap *= 2;
    }
    f[nf++] = (frame){c, 0};
  }
  free(f);
  return b->oom ? NB_ENOMEM : NB_OK;
}

int imp_html_tree(const GumboNode *root, arena_t *a, imp_html_node *top) {
  builder b = {.a = a, .root = top, .cur = top};
  *top = (imp_html_node){.tag = GUMBO_TAG_LAST};
  int rc = build(&b, root);
  buf_free(&b.tmp);
  buf_free(&b.url);
  return rc;
}
