/* render/compile.c: the Mustache compiler, from source to nodes.
 *
 * A template is compiled in four passes over its source: lex it into tokens
 * (text is split after each newline so a "line" is a run of tokens), match
 * the section tags, decide which tags stand alone on their lines and which
 * whitespace goes with them, then emit a flat pre-order array of nodes where
 * a container's children follow it up to its `end` index.
 *
 * Indentation follows the spec by marking, at compile time, every node that
 * starts a non-empty source line (NF_INDENT); at render time the current
 * indentation is written there if the output is at the start of a line.
 * Blocks ({{$name}}) are re-indented as the inheritance spec asks: the
 * block's intrinsic indentation is stripped from its lines when compiled and
 * the indentation of the place where it is expanded is added back. */
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/internal.h"

#define DELIM_MAX 16

uint32_t tpl_hash_name(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

/* ---- compiler ---- */

enum {
  TK_TEXT,
  TK_VAR,
  TK_RAW,
  TK_SECTION,
  TK_INVERTED,
  TK_CLOSE,
  TK_COMMENT,
  TK_DELIM,
  TK_PARTIAL,
  TK_PARENT,
  TK_BLOCK,
};

enum {
  TF_REMOVED = 1,  /* whitespace of a standalone line: not emitted */
  TF_SA = 2,       /* tag stands alone (see mark_standalone) */
  TF_ARG = 4,      /* block directly inside a parent: an argument */
  TF_PENDING = 8,  /* block whose intrinsic indentation is the next line's */
  TF_LEADIND = 16, /* block site indented by the whitespace before it */
  TF_CL = 32,      /* only whitespace before the tag on its line */
  TF_CR = 64,      /* only whitespace and a line end after it */
};

typedef struct {
  uint8_t type, flags;
  uint32_t off, len; /* text, or the trimmed tag name */
  uint32_t tag_off;  /* where the tag's opening delimiter starts */
  uint32_t line;     /* source line, for messages */
  uint32_t group;    /* index of the line the token sits on */
  uint32_t match;    /* open <-> close */
} token;

typedef struct {
  uint32_t tok, node;
  uint8_t kind, pending, site;
  uint32_t ioff, ilen; /* intrinsic indentation of a block */
} open_entry;

typedef struct {
  const char *name, *src;
  size_t n;
  char *err;
  size_t errlen;
  token *tok;
  size_t ntok, tokcap;
  node *nodes;
  size_t nnodes, nodecap;
  const char **parts;
  size_t nparts, partcap;
  arena_t *arena;
  size_t line_pos; /* incremental line counting while lexing */
  uint32_t line_no;
  int last_text; /* index of a text node that may be extended, or -1 */
  int bol;       /* the next node emitted starts a source line */
  uint32_t strip, lw_off, lw_len; /* dedent and indentation of this line */
  open_entry st[TPL_MAX_DEPTH];
  int sp;
} compiler;

static int fail(compiler *c, int rc, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(compiler *c, int rc, uint32_t line, const char *fmt, ...) {
  if (c->err && c->errlen) {
    int k = snprintf(c->err, c->errlen, "%s:%u: ", c->name, (unsigned)line);
    if (k >= 0 && (size_t)k < c->errlen) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
      va_end(ap);
    }
  }
  return rc;
}

int tpl_grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return NB_OK;
  size_t ncap = *cap ? *cap * 2 : 64;
  while (ncap < need)
    ncap *= 2;
  void *q = realloc(*p, ncap * size);
  if (!q)
    return NB_ENOMEM;
  *p = q;
  *cap = ncap;
  return NB_OK;
}

static uint32_t line_at(compiler *c, size_t off) {
  while (c->line_pos < off) {
    const char *nl = memchr(c->src + c->line_pos, '\n', off - c->line_pos);
    if (!nl) {
      c->line_pos = off;
      break;
    }
    c->line_no++;
    c->line_pos = (size_t)(nl - c->src) + 1;
  }
  return c->line_no;
}

static int is_blank(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int push_token(compiler *c, const token *t) {
  if (tpl_grow((void **)&c->tok, &c->tokcap, c->ntok + 1, sizeof *c->tok))
    return NB_ENOMEM;
  c->tok[c->ntok++] = *t;
  return NB_OK;
}

/* Text [a, b) as tokens that end just after each newline. */
static int push_text(compiler *c, size_t a, size_t b) {
  while (a < b) {
    const char *nl = memchr(c->src + a, '\n', b - a);
    size_t e = nl ? (size_t)(nl - c->src) + 1 : b;
    token t = {.type = TK_TEXT, .off = (uint32_t)a, .len = (uint32_t)(e - a)};
    if (push_token(c, &t))
      return NB_ENOMEM;
    a = e;
  }
  return NB_OK;
}

/* Finds `pre` (if not NUL) followed by the closing delimiter, from p on;
 * returns the offset of the match or SIZE_MAX. */
static size_t find_close(const compiler *c, size_t p, char pre,
                         const char *ctag, size_t clen) {
  char needle[DELIM_MAX + 1];
  size_t nlen = 0;
  if (pre)
    needle[nlen++] = pre;
  memcpy(needle + nlen, ctag, clen);
  nlen += clen;
  if (p > c->n)
    return SIZE_MAX;
  const char *q = memmem(c->src + p, c->n - p, needle, nlen);
  return q ? (size_t)(q - c->src) : SIZE_MAX;
}

/* Parses "<% %>" of a set-delimiter tag. */
static int parse_delims(const char *s, size_t n, char *otag, size_t *olen,
                        char *ctag, size_t *clen) {
  size_t i = 0, a, b;
  while (i < n && is_blank(s[i]))
    i++;
  a = i;
  while (i < n && !is_blank(s[i]) && s[i] != '=')
    i++;
  size_t al = i - a;
  while (i < n && is_blank(s[i]))
    i++;
  b = i;
  while (i < n && !is_blank(s[i]) && s[i] != '=')
    i++;
  size_t bl = i - b;
  while (i < n && is_blank(s[i]))
    i++;
  if (i != n || al == 0 || bl == 0 || al >= DELIM_MAX || bl >= DELIM_MAX)
    return NB_EINVAL;
  memcpy(otag, s + a, al);
  *olen = al;
  memcpy(ctag, s + b, bl);
  *clen = bl;
  return NB_OK;
}

static int check_name(compiler *c, const token *t) {
  const char *s = c->src + t->off;
  if (t->len == 0)
    return fail(c, NB_EINVAL, t->line, "empty tag");
  for (uint32_t i = 0; i < t->len; i++)
    if (is_blank(s[i]))
      return fail(c, NB_EINVAL, t->line, "space inside tag name '%.*s'",
                  (int)t->len, s);
  if (t->type == TK_VAR || t->type == TK_RAW || t->type == TK_SECTION ||
      t->type == TK_INVERTED) {
    if (t->len == 1 && s[0] == '.')
      return NB_OK;
    size_t parts = 1;
    for (uint32_t i = 0; i < t->len; i++) {
      if (s[i] != '.')
        continue;
      parts++;
      if (i == 0 || i + 1 == t->len || s[i + 1] == '.')
        return fail(c, NB_EINVAL, t->line, "bad dotted name '%.*s'",
                    (int)t->len, s);
    }
    if (parts > UINT16_MAX)
      return fail(c, NB_ETOOBIG, t->line, "name with too many parts");
  }
  return NB_OK;
}

/* Pass 1: tokens, with set-delimiter tags applied as they come. */
static int lex(compiler *c) {
  char otag[DELIM_MAX] = "{{", ctag[DELIM_MAX] = "}}";
  size_t olen = 2, clen = 2, pos = 0;
  while (pos < c->n) {
    const char *o = memmem(c->src + pos, c->n - pos, otag, olen);
    size_t start = o ? (size_t)(o - c->src) : c->n;
    if (push_text(c, pos, start))
      return NB_ENOMEM;
    if (!o)
      break;
    token t = {.tag_off = (uint32_t)start, .line = line_at(c, start)};
    size_t p = start + olen, q, a, b, end;
    char sig = p < c->n ? c->src[p] : '\0';
    if (sig == '=') {
      q = find_close(c, p + 1, '=', ctag, clen);
      if (q == SIZE_MAX)
        return fail(c, NB_EINVAL, t.line, "unclosed set-delimiter tag");
      end = q + 1 + clen; /* before clen changes to the new delimiter's */
      if (parse_delims(c->src + p + 1, q - p - 1, otag, &olen, ctag, &clen))
        return fail(c, NB_EINVAL, t.line, "bad set-delimiter tag");
      t.type = TK_DELIM;
      a = b = p;
    } else if (sig == '{') {
      q = find_close(c, p + 1, '}', ctag, clen);
      if (q == SIZE_MAX)
        return fail(c, NB_EINVAL, t.line, "unclosed tag");
      t.type = TK_RAW;
      a = p + 1;
      b = q;
      end = q + 1 + clen;
    } else {
      a = p + 1; /* past the sigil, if there is one */
      switch (sig) {
      case '!':
        t.type = TK_COMMENT;
        break;
      case '#':
        t.type = TK_SECTION;
        break;
      case '^':
        t.type = TK_INVERTED;
        break;
      case '/':
        t.type = TK_CLOSE;
        break;
      case '>':
        t.type = TK_PARTIAL;
        break;
      case '<':
        t.type = TK_PARENT;
        break;
      case '$':
        t.type = TK_BLOCK;
        break;
      case '&':
        t.type = TK_RAW;
        break;
      default:
        t.type = TK_VAR;
        a = p;
      }
      /* From after the sigil: with ">" as the closing delimiter, "{{>}}"
       * is an empty partial tag, not a variable named ">". */
      q = find_close(c, a, '\0', ctag, clen);
      if (q == SIZE_MAX)
        return fail(c, NB_EINVAL, t.line, "unclosed tag");
      end = q + clen;
      b = q;
    }
    while (a < b && is_blank(c->src[a]))
      a++;
    while (b > a && is_blank(c->src[b - 1]))
      b--;
    t.off = (uint32_t)a;
    t.len = (uint32_t)(b - a);
    if (t.type != TK_COMMENT && t.type != TK_DELIM) {
      int rc = check_name(c, &t);
      if (rc)
        return rc;
    }
    if (push_token(c, &t))
      return NB_ENOMEM;
    pos = end;
  }
  return NB_OK;
}

static int is_open(uint8_t type) {
  return type == TK_SECTION || type == TK_INVERTED || type == TK_PARENT ||
         type == TK_BLOCK;
}

/* Pass 2: pairs every opening tag with its closing tag. */
static int match_sections(compiler *c) {
  uint32_t st[TPL_MAX_DEPTH];
  int sp = 0;
  for (size_t k = 0; k < c->ntok; k++) {
    token *t = &c->tok[k];
    if (is_open(t->type)) {
      if (sp == TPL_MAX_DEPTH)
        return fail(c, NB_ETOOBIG, t->line, "sections nested deeper than %d",
                    TPL_MAX_DEPTH);
      if (t->type == TK_BLOCK && sp && c->tok[st[sp - 1]].type == TK_PARENT)
        t->flags |= TF_ARG;
      st[sp++] = (uint32_t)k;
    } else if (t->type == TK_CLOSE) {
      if (sp == 0)
        return fail(c, NB_EINVAL, t->line,
                    "closing tag '%.*s' without a section", (int)t->len,
                    c->src + t->off);
      token *o = &c->tok[st[--sp]];
      if (o->len != t->len || memcmp(c->src + o->off, c->src + t->off, t->len))
        return fail(
            c, NB_EINVAL, t->line,
            "closing tag '%.*s' does not match '%.*s' opened on line %u",
            (int)t->len, c->src + t->off, (int)o->len, c->src + o->off,
            (unsigned)o->line);
      t->match = st[sp];
      o->match = (uint32_t)k;
    }
  }
  if (sp) {
    token *o = &c->tok[st[sp - 1]];
    return fail(c, NB_EINVAL, o->line, "unclosed section '%.*s'", (int)o->len,
                c->src + o->off);
  }
  return NB_OK;
}

static int ws_text(const compiler *c, const token *t, int eol_ok) {
  if (t->type != TK_TEXT)
    return 0;
  const char *s = c->src + t->off;
  uint32_t i = 0;
  while (i < t->len && (s[i] == ' ' || s[i] == '\t'))
    i++;
  if (i == t->len)
    return 1;
  if (!eol_ok)
    return 0;
  if (s[i] == '\r')
    i++;
  return i + 1 == t->len && s[i] == '\n';
}

static int same_line(const compiler *c, size_t a, size_t b) {
  return a < c->ntok && b < c->ntok && c->tok[a].group == c->tok[b].group;
}

static void remove_left(compiler *c, size_t k) {
  if (k > 0 && same_line(c, k - 1, k) && c->tok[k - 1].type == TK_TEXT)
    c->tok[k - 1].flags |= TF_REMOVED;
}

static void remove_right(compiler *c, size_t k) {
  if (same_line(c, k + 1, k) && c->tok[k + 1].type == TK_TEXT)
    c->tok[k + 1].flags |= TF_REMOVED;
}

static void remove_line(compiler *c, size_t k) {
  c->tok[k].flags |= TF_SA;
  remove_left(c, k);
  remove_right(c, k);
}

/* Pass 3: standalone tags. A tag alone on its line (bar whitespace) takes
 * the whole line with it. Parent and block tags also pair up: an element
 * whose opening tag starts a line and whose closing tag ends one stands
 * alone as a whole (spec ~inheritance "Standalone parent/block"). */
static void mark_standalone(compiler *c) {
  uint32_t g = 0;
  for (size_t k = 0; k < c->ntok; k++) {
    token *t = &c->tok[k];
    t->group = g;
    if (t->type == TK_TEXT && c->src[t->off + t->len - 1] == '\n')
      g++;
  }
  for (size_t k = 0; k < c->ntok; k++)
    if (k == 0 || !same_line(c, k - 1, k) ||
        ((c->tok[k - 1].flags & TF_CL) && ws_text(c, &c->tok[k - 1], 0)))
      c->tok[k].flags |= TF_CL;
  for (size_t k = c->ntok; k-- > 0;)
    if (!same_line(c, k + 1, k) ||
        ((c->tok[k + 1].flags & TF_CR) && ws_text(c, &c->tok[k + 1], 1)))
      c->tok[k].flags |= TF_CR;

  for (size_t k = 0; k < c->ntok; k++) {
    token *t = &c->tok[k];
    int cl = !!(t->flags & TF_CL), cr = !!(t->flags & TF_CR);
    switch (t->type) {
    case TK_SECTION:
    case TK_INVERTED:
    case TK_COMMENT:
    case TK_DELIM:
    case TK_PARTIAL:
      if (cl && cr)
        remove_line(c, k);
      break;
    case TK_CLOSE: {
      uint8_t ot = c->tok[t->match].type;
      if ((ot == TK_SECTION || ot == TK_INVERTED) && cl && cr)
        remove_line(c, k);
      break;
    }
    case TK_PARENT: {
      token *e = &c->tok[t->match];
      if (cl && (e->flags & TF_CR)) {
        t->flags |= TF_SA;
        remove_left(c, k);
        e->flags |= TF_SA;
        remove_right(c, t->match);
      } else if ((e->flags & TF_CL) && (e->flags & TF_CR)) {
        remove_line(c, t->match);
      }
      break;
    }
    case TK_BLOCK: {
      token *e = &c->tok[t->match];
      if (t->flags & TF_ARG) {
        /* Around an argument's tags is parent text, ignored anyway; only
         * the content's side of each tag counts. An indented closing tag
         * alone on its line leaves no trailing spaces in the content. */
        if (cr) {
          t->flags |= TF_SA | TF_PENDING;
          remove_right(c, k);
        }
        if (e->flags & TF_CL)
          remove_left(c, t->match);
        break;
      }
      int pair = cl && (e->flags & TF_CR);
      if (cl && cr) {
        remove_line(c, k);
        if (pair)
          t->flags |= TF_PENDING;
      } else if (pair) {
        t->flags |= TF_SA | TF_LEADIND;
        remove_left(c, k);
      }
      if ((e->flags & TF_CL) && (e->flags & TF_CR))
        remove_line(c, t->match);
      break;
    }
    default:
      break;
    }
  }
}

/* At the first token of a line: how much of its leading whitespace the
 * enclosing blocks' intrinsic indentation strips, and what is left. */
static void line_start(compiler *c, size_t k) {
  const token *t = &c->tok[k];
  uint32_t off0 = t->type == TK_TEXT ? t->off : t->tag_off, w = 0, strip = 0;
  if (t->type == TK_TEXT)
    while (w < t->len && (c->src[off0 + w] == ' ' || c->src[off0 + w] == '\t'))
      w++;
  for (int i = 0; i < c->sp; i++) {
    open_entry *e = &c->st[i];
    if (e->kind != TK_BLOCK)
      continue;
    if (e->pending) {
      e->pending = 0;
      e->ioff = off0 + strip;
      e->ilen = w - strip;
      if (e->site) {
        c->nodes[e->node].ioff = e->ioff;
        c->nodes[e->node].ilen = e->ilen;
      }
      strip = w;
    } else if (e->ilen && w - strip >= e->ilen &&
               memcmp(c->src + off0 + strip, c->src + e->ioff, e->ilen) == 0) {
      strip += e->ilen;
    }
  }
  c->strip = strip;
  c->lw_off = off0 + strip;
  c->lw_len = w - strip;
}

static node *new_node(compiler *c, uint8_t type, uint8_t flags,
                      const token *t) {
  if (tpl_grow((void **)&c->nodes, &c->nodecap, c->nnodes + 1,
               sizeof *c->nodes))
    return NULL;
  node *nd = &c->nodes[c->nnodes++];
  memset(nd, 0, sizeof *nd);
  nd->type = type;
  nd->flags = flags;
  if (t) {
    nd->off = t->off;
    nd->len = t->len;
  }
  c->last_text = -1;
  return nd;
}

static int emit_text(compiler *c, uint32_t off, uint32_t len, uint8_t flags) {
  if (c->last_text >= 0 && !flags) {
    node *p = &c->nodes[c->last_text];
    if (p->off + p->len == off) {
      p->len += len;
      return NB_OK;
    }
  }
  node *nd = new_node(c, N_TEXT, flags, NULL);
  if (!nd)
    return NB_ENOMEM;
  nd->off = off;
  nd->len = len;
  c->last_text = (int)(c->nnodes - 1);
  return NB_OK;
}

/* Splits a dotted name into NUL-terminated parts for json_object_get. */
static int add_parts(compiler *c, node *nd) {
  const char *s = c->src + nd->off;
  if (nd->len == 1 && s[0] == '.')
    return NB_OK;
  nd->aux = (uint32_t)c->nparts;
  uint32_t a = 0;
  for (uint32_t i = 0; i <= nd->len; i++) {
    if (i < nd->len && s[i] != '.')
      continue;
    if (tpl_grow((void **)&c->parts, &c->partcap, c->nparts + 1,
                 sizeof *c->parts))
      return NB_ENOMEM;
    const char *p = arena_strndup(c->arena, s + a, i - a);
    if (!p)
      return NB_ENOMEM;
    c->parts[c->nparts++] = p;
    nd->nparts++;
    a = i + 1;
  }
  return NB_OK;
}

/* Opens the container just emitted. match_sections() bounded the depth. */
static void push_open(compiler *c, size_t k, uint8_t kind) {
  assert(c->sp < TPL_MAX_DEPTH);
  open_entry *e = &c->st[c->sp++];
  memset(e, 0, sizeof *e);
  e->tok = (uint32_t)k;
  e->node = (uint32_t)(c->nnodes - 1);
  e->kind = kind;
}

/* The emitters of pass 4, one per kind of token. Each clears c->bol once
 * it has emitted something that is not at the start of a source line. */

static int emit_text_token(compiler *c, const token *t, int first) {
  uint32_t off = t->off, len = t->len;
  if (first) {
    off += c->strip;
    len -= c->strip;
  }
  if (!len)
    return NB_OK;
  const char *s = c->src + off;
  int nl = s[0] == '\n' || (len > 1 && s[0] == '\r' && s[1] == '\n');
  if (emit_text(c, off, len, c->bol && !nl ? NF_INDENT : 0))
    return NB_ENOMEM;
  c->bol = s[len - 1] == '\n';
  return NB_OK;
}

static int emit_var(compiler *c, const token *t) {
  node *nd =
      new_node(c, t->type == TK_VAR ? N_VAR : N_RAW, c->bol ? NF_INDENT : 0, t);
  if (!nd || add_parts(c, nd))
    return NB_ENOMEM;
  c->bol = 0;
  return NB_OK;
}

static int emit_section(compiler *c, size_t k) {
  const token *t = &c->tok[k];
  int sa = !!(t->flags & TF_SA);
  node *nd = new_node(c, t->type == TK_SECTION ? N_SECTION : N_INVERTED,
                      !sa && c->bol ? NF_INDENT : 0, t);
  if (!nd || add_parts(c, nd))
    return NB_ENOMEM;
  push_open(c, k, t->type);
  if (!sa)
    c->bol = 0;
  return NB_OK;
}

/* A partial or a parent: both name a template expanded in place. */
static int emit_include(compiler *c, size_t k) {
  const token *t = &c->tok[k];
  int sa = !!(t->flags & TF_SA);
  node *nd = new_node(c, t->type == TK_PARTIAL ? N_PARTIAL : N_PARENT,
                      sa       ? NF_SITE
                      : c->bol ? NF_INDENT
                               : 0,
                      t);
  if (!nd)
    return NB_ENOMEM;
  nd->aux = tpl_hash_name(c->src + t->off, t->len);
  if (sa) {
    nd->ioff = c->lw_off;
    nd->ilen = c->lw_len;
  } else {
    c->bol = 0;
  }
  if (t->type == TK_PARENT)
    push_open(c, k, TK_PARENT);
  return NB_OK;
}

static int emit_block(compiler *c, size_t k) {
  const token *t = &c->tok[k];
  int sa = !!(t->flags & TF_SA), arg = !!(t->flags & TF_ARG);
  uint8_t fl = 0;
  if (!arg)
    fl = sa || (t->flags & TF_PENDING) ? NF_SITE : c->bol ? NF_INDENT : 0;
  node *nd = new_node(c, N_BLOCK, fl, t);
  if (!nd)
    return NB_ENOMEM;
  push_open(c, k, TK_BLOCK);
  nd->aux = tpl_hash_name(c->src + t->off, t->len);
  if (t->flags & TF_LEADIND) {
    nd->ioff = c->lw_off;
    nd->ilen = c->lw_len;
  }
  open_entry *e = &c->st[c->sp - 1];
  e->pending = !!(t->flags & TF_PENDING);
  e->site = !arg && e->pending;
  c->bol = 1; /* a block's content is a template of its own */
  return NB_OK;
}

static void emit_close(compiler *c, const token *t) {
  open_entry *e = &c->st[--c->sp];
  c->nodes[e->node].end = (uint32_t)c->nnodes;
  c->last_text = -1;
  if (e->kind == TK_PARENT && !(t->flags & TF_SA))
    c->bol = 0;
}

/* Token k, not removed; `first`: it starts its source line. */
static int emit_token(compiler *c, size_t k, int first) {
  const token *t = &c->tok[k];
  switch (t->type) {
  case TK_TEXT:
    return emit_text_token(c, t, first);
  case TK_VAR:
  case TK_RAW:
    return emit_var(c, t);
  case TK_SECTION:
  case TK_INVERTED:
    return emit_section(c, k);
  case TK_PARTIAL:
  case TK_PARENT:
    return emit_include(c, k);
  case TK_BLOCK:
    return emit_block(c, k);
  case TK_CLOSE:
    emit_close(c, t);
    return NB_OK;
  default: /* comments and set-delimiter tags leave nothing */
    return NB_OK;
  }
}

/* Pass 4: nodes. */
static int emit_nodes(compiler *c) {
  c->bol = 1;
  c->last_text = -1;
  for (size_t k = 0; k < c->ntok; k++) {
    const token *t = &c->tok[k];
    int first = k == 0 || !same_line(c, k - 1, k);
    if (first)
      line_start(c, k);
    if (c->sp && c->st[c->sp - 1].kind == TK_PARENT) {
      /* Inside a parent only argument blocks count; the rest is skipped. */
      if (t->type == TK_SECTION || t->type == TK_INVERTED ||
          t->type == TK_PARENT) {
        k = t->match;
        continue;
      }
      if (t->type != TK_BLOCK && t->type != TK_CLOSE)
        continue;
    }
    if (t->flags & TF_REMOVED) {
      if (c->src[t->off + t->len - 1] == '\n')
        c->bol = 1;
      continue;
    }
    int rc = emit_token(c, k, first);
    if (rc)
      return rc;
  }
  return NB_OK;
}

void tpl_free(tpl *t) {
  if (!t)
    return;
  arena_free(&t->arena);
  free(t);
}

int tpl_compile(const char *name, const char *src, size_t n, char *err,
                size_t errlen, tpl **out) {
  int rc = NB_ENOMEM;
  tpl *t = calloc(1, sizeof *t);
  compiler c = {
      .name = name, .n = n, .err = err, .errlen = errlen, .line_no = 1};
  if (!t)
    goto fail;
  t->namelen = strlen(name);
  t->hash = tpl_hash_name(name, t->namelen);
  t->name = arena_strndup(&t->arena, name, t->namelen);
  char *copy = arena_alloc(&t->arena, n + 1);
  if (!t->name || !copy)
    goto fail;
  if (n)
    memcpy(copy, src, n);
  copy[n] = '\0';
  t->src = c.src = copy;
  c.arena = &t->arena;
  if ((rc = lex(&c)) || (rc = match_sections(&c)))
    goto fail;
  mark_standalone(&c);
  if ((rc = emit_nodes(&c)))
    goto fail;
  rc = NB_ENOMEM;
  t->nnodes = (uint32_t)c.nnodes;
  /* Never NULL, even when empty: render() does pointer arithmetic on it. */
  t->nodes = arena_alloc(&t->arena, (c.nnodes ? c.nnodes : 1) * sizeof(node));
  if (!t->nodes)
    goto fail;
  if (c.nnodes)
    memcpy(t->nodes, c.nodes, c.nnodes * sizeof *t->nodes);
  if (c.nparts) {
    t->parts = arena_alloc(&t->arena, c.nparts * sizeof *t->parts);
    if (!t->parts)
      goto fail;
    memcpy(t->parts, c.parts, c.nparts * sizeof *t->parts);
  }
  rc = NB_OK;
  *out = t;
  t = NULL;
fail:
  if (rc == NB_ENOMEM && err && errlen)
    snprintf(err, errlen, "%s: out of memory", name);
  free(c.tok);
  free(c.nodes);
  free(c.parts);
  tpl_free(t);
  return rc;
}
