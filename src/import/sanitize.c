/* import/sanitize.c: the allow-list HTML sanitizer for imported post bodies.
 *
 * Three passes, none of them recursive:
 *
 * 1. prep() reads the bytes once, the way the HTML tokenizer does, and hands
 *    gumbo a tamer copy. gumbo 0.10.1 takes time quadratic in the nesting
 *    depth and in the attributes of one tag, clones unclosed formatting
 *    elements into every later block (gigabytes from 100 kB), frees its tree
 *    recursively and aborts on its own asserts; so prep drops what is removed
 *    anyway (comments, script, style, svg, math, template, select, ...),
 *    closes every element it sees closed, implicitly or not, with an explicit
 *    end tag, keeps at most PREP_DEPTH elements open and PREP_ATTRS
 *    attributes per tag. Its own stack of open elements follows the parser's
 *    rules for the usual implied ends (p, li, dd/dt, table cells and rows,
 *    headings, a), so real posts pass unchanged.
 * 2. gumbo parses that as the children of <body>, every allocation going
 *    through a tracked allocator with a memory bound (exceeding it jumps out
 *    and the whole parse is freed at once). build() walks the tree with an
 *    explicit stack and keeps what the allow-list allows in a small output
 *    tree, applying the content rules that make the output parse back to the
 *    same tree (no block in a p, li only in ul/ol, table parts only in their
 *    parents, no a in an a, no heading directly in a heading, depth at most
 *    OUT_DEPTH), which is what makes sanitizing idempotent.
 * 3. write() serializes that tree. Top-level inline content is put in
 *    paragraphs (WordPress's wpautop, done on the tree so the result is known
 *    exactly): a blank line starts a new paragraph, a single newline becomes
 *    <br>; inside inline elements of such a paragraph a newline becomes <br>
 *    (a blank line two); text in pre or in any block is left alone. */
#include <gumbo.h>
#include <limits.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/import.h"
#include "import/internal.h"

#define PREP_DEPTH 256 /* elements prep lets be open at once */
#define PREP_ATTRS 64  /* attributes prep keeps on one tag */
#define OUT_DEPTH 100  /* deepest nesting of the output */
/* gumbo's memory bound: above what real posts need (up to about 31 bytes
 * per byte of HTML for dense lists and tables, 52 for 4 MB of bare <p>),
 * far below what its clone explosion would take (gigabytes). */
#define GUMBO_MEM_BASE (64u << 20)
#define GUMBO_MEM_PER_BYTE 48

static int is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_heading(GumboTag t) {
  return t >= GUMBO_TAG_H1 && t <= GUMBO_TAG_H6;
}

/* ------------------------------------------------------------------ prep */

enum {
  F_VOID = 1 << 0,    /* never open: no content, no end tag */
  F_CLOSEP = 1 << 1,  /* its start tag closes an open p */
  F_SPECIAL = 1 << 2, /* "special" to the parser (ends the li/dd/dt search) */
  F_SCOPE = 1 << 3,   /* boundary of the parser's default scope */
  F_RAW = 1 << 4,     /* raw text: dropped here with its content */
  F_SKIP = 1 << 5,    /* dropped here with its content */
  F_DROP = 1 << 6,    /* document structure: the tag alone is ignored */
  F_REMOVE = 1 << 7,  /* removed with its content by build() */
  F_TPART = 1 << 8,   /* table part: only inside a table */
};

static unsigned tag_flags(GumboTag t) {
  switch (t) {
  case GUMBO_TAG_AREA:
  case GUMBO_TAG_BASE:
  case GUMBO_TAG_BASEFONT:
  case GUMBO_TAG_BGSOUND:
  case GUMBO_TAG_BR:
  case GUMBO_TAG_EMBED:
  case GUMBO_TAG_IMG:
  case GUMBO_TAG_INPUT:
  case GUMBO_TAG_KEYGEN:
  case GUMBO_TAG_LINK:
  case GUMBO_TAG_META:
  case GUMBO_TAG_PARAM:
  case GUMBO_TAG_SOURCE:
  case GUMBO_TAG_TRACK:
  case GUMBO_TAG_WBR:
    return F_VOID | F_SPECIAL;
  case GUMBO_TAG_IMAGE:
  case GUMBO_TAG_MENUITEM:
    return F_VOID;
  case GUMBO_TAG_COL:
    return F_VOID | F_SPECIAL | F_TPART;
  case GUMBO_TAG_HR:
    return F_VOID | F_SPECIAL | F_CLOSEP;
  case GUMBO_TAG_ADDRESS:
  case GUMBO_TAG_ARTICLE:
  case GUMBO_TAG_ASIDE:
  case GUMBO_TAG_BLOCKQUOTE:
  case GUMBO_TAG_CENTER:
  case GUMBO_TAG_DETAILS:
  case GUMBO_TAG_DIR:
  case GUMBO_TAG_DIV:
  case GUMBO_TAG_DL:
  case GUMBO_TAG_FIELDSET:
  case GUMBO_TAG_FIGCAPTION:
  case GUMBO_TAG_FIGURE:
  case GUMBO_TAG_FOOTER:
  case GUMBO_TAG_HEADER:
  case GUMBO_TAG_HGROUP:
  case GUMBO_TAG_MAIN:
  case GUMBO_TAG_MENU:
  case GUMBO_TAG_NAV:
  case GUMBO_TAG_OL:
  case GUMBO_TAG_P:
  case GUMBO_TAG_SECTION:
  case GUMBO_TAG_SUMMARY:
  case GUMBO_TAG_UL:
  case GUMBO_TAG_H1:
  case GUMBO_TAG_H2:
  case GUMBO_TAG_H3:
  case GUMBO_TAG_H4:
  case GUMBO_TAG_H5:
  case GUMBO_TAG_H6:
  case GUMBO_TAG_PRE:
  case GUMBO_TAG_LISTING:
  case GUMBO_TAG_LI:
  case GUMBO_TAG_DD:
  case GUMBO_TAG_DT:
    return F_CLOSEP | F_SPECIAL;
  case GUMBO_TAG_FORM:
    return F_CLOSEP | F_SPECIAL | F_REMOVE;
  case GUMBO_TAG_TABLE:
    return F_CLOSEP | F_SPECIAL | F_SCOPE;
  case GUMBO_TAG_CAPTION:
  case GUMBO_TAG_TD:
  case GUMBO_TAG_TH:
    return F_SPECIAL | F_SCOPE | F_TPART;
  case GUMBO_TAG_COLGROUP:
  case GUMBO_TAG_TBODY:
  case GUMBO_TAG_TFOOT:
  case GUMBO_TAG_THEAD:
  case GUMBO_TAG_TR:
    return F_SPECIAL | F_TPART;
  case GUMBO_TAG_APPLET:
  case GUMBO_TAG_OBJECT:
    return F_SPECIAL | F_SCOPE | F_REMOVE;
  case GUMBO_TAG_MARQUEE:
    return F_SPECIAL | F_SCOPE;
  case GUMBO_TAG_BUTTON:
  case GUMBO_TAG_NOSCRIPT:
    return F_SPECIAL | F_REMOVE;
  case GUMBO_TAG_SCRIPT:
  case GUMBO_TAG_STYLE:
  case GUMBO_TAG_TITLE:
  case GUMBO_TAG_TEXTAREA:
  case GUMBO_TAG_NOEMBED:
  case GUMBO_TAG_NOFRAMES:
    return F_RAW | F_SPECIAL;
  case GUMBO_TAG_XMP:
    return F_RAW | F_SPECIAL | F_CLOSEP;
  case GUMBO_TAG_SVG:
  case GUMBO_TAG_MATH:
    return F_SKIP;
  case GUMBO_TAG_SELECT:
  case GUMBO_TAG_TEMPLATE:
    return F_SKIP | F_SPECIAL;
  case GUMBO_TAG_HTML:
  case GUMBO_TAG_HEAD:
  case GUMBO_TAG_BODY:
  case GUMBO_TAG_FRAMESET:
  case GUMBO_TAG_FRAME:
  case GUMBO_TAG_ISINDEX:
    return F_DROP | F_SPECIAL;
  default:
    return 0;
  }
}

typedef struct {
  GumboTag tag;
  const char *name; /* as written: unknown tags match by name */
  size_t len;
  size_t lt;   /* offset of its '<' */
  size_t cut;  /* offset of the first attribute past PREP_ATTRS, or 0 */
  size_t stop; /* offset just past its '>' */
} tag_tok;

typedef struct {
  GumboTag tag;
  const char *name;
  size_t len;
} open_el;

typedef struct {
  const char *s;
  size_t n;
  buf_t *out;
  open_el open[PREP_DEPTH];
  size_t nopen;
  open_el skip; /* element being dropped with its content */
  size_t skip_depth;
} prep_t;

/* Reads the tag at s[i] ('<' then a letter, or "</" then a letter) the way
 * the tokenizer does, quoted attribute values included. 0 when the input
 * ends inside it: the tokenizer drops such a tag. */
static int scan_tag(const char *s, size_t n, size_t i, int end, tag_tok *t) {
  enum { BEFORE, NAME, AFTER, BEFORE_VAL, DQ, SQ, UNQ, AFTER_Q, SOLIDUS };
  size_t j = i + (end ? 2 : 1), attrs = 0;
  t->lt = i;
  t->cut = 0;
  t->name = s + j;
  while (j < n && !is_ws(s[j]) && s[j] != '/' && s[j] != '>')
    j++;
  t->len = (size_t)(s + j - t->name);
  t->tag = t->len < UINT_MAX ? gumbo_tagn_enum(t->name, (unsigned)t->len)
                             : GUMBO_TAG_UNKNOWN;
  int st = BEFORE;
  while (j < n) {
    char c = s[j];
    switch (st) {
    case BEFORE:
    case AFTER:
      if (is_ws(c))
        break;
      if (c == '/') {
        st = SOLIDUS;
        break;
      }
      if (c == '>')
        goto done;
      if (c == '=' && st == AFTER) {
        st = BEFORE_VAL;
        break;
      }
      if (++attrs == PREP_ATTRS + 1)
        t->cut = j;
      st = NAME;
      break;
    case NAME:
      if (is_ws(c))
        st = AFTER;
      else if (c == '/')
        st = SOLIDUS;
      else if (c == '=')
        st = BEFORE_VAL;
      else if (c == '>')
        goto done;
      break;
    case BEFORE_VAL:
      if (is_ws(c))
        break;
      if (c == '"')
        st = DQ;
      else if (c == '\'')
        st = SQ;
      else if (c == '>')
        goto done;
      else
        st = UNQ;
      break;
    case DQ:
      if (c == '"')
        st = AFTER_Q;
      break;
    case SQ:
      if (c == '\'')
        st = AFTER_Q;
      break;
    case UNQ:
      if (is_ws(c))
        st = BEFORE;
      else if (c == '>')
        goto done;
      break;
    case AFTER_Q:
    case SOLIDUS:
      if (c == '>')
        goto done;
      if (st == AFTER_Q && c == '/') {
        st = SOLIDUS;
        break;
      }
      st = BEFORE; /* reconsumed */
      continue;
    }
    j++;
  }
  return 0;
done:
  t->stop = j + 1;
  return 1;
}

/* 1 if s[i..n) starts with lit (lower case), ASCII case-insensitively. */
static int ci_at(const char *s, size_t n, size_t i, const char *lit) {
  size_t k = strlen(lit);
  return n - i >= k && strncasecmp(s + i, lit, k) == 0;
}

/* 1 if s[i..n) is "</name" followed by what ends a tag name. */
static int end_tag_at(const char *s, size_t n, size_t i, const char *name) {
  size_t k = strlen(name);
  if (n - i < k + 3 || s[i] != '<' || s[i + 1] != '/' ||
      strncasecmp(s + i + 2, name, k) != 0)
    return 0;
  char c = s[i + 2 + k];
  return is_ws(c) || c == '/' || c == '>';
}

/* Offset just past the end tag that closes the raw text element name whose
 * content starts at i (n if none). Script data follows the tokenizer's
 * escaped and double-escaped states, so "<!--<script></script>-->" does not
 * end it early. */
static size_t skip_raw(const char *s, size_t n, size_t i, const char *name) {
  enum { DATA, ESC, DESC } st = DATA;
  int script = strcmp(name, "script") == 0;
  while (i < n) {
    if (script && st != DATA && ci_at(s, n, i, "-->")) {
      st = DATA;
      i += 3;
      continue;
    }
    if (s[i] != '<') {
      i++;
      continue;
    }
    if (st != DESC && end_tag_at(s, n, i, name)) {
      tag_tok t;
      return scan_tag(s, n, i, 1, &t) ? t.stop : n;
    }
    if (script && st == DATA && ci_at(s, n, i, "<!--")) {
      st = ESC;
      i += 2; /* the dashes may also start "-->" */
      continue;
    }
    if (script && st != DATA && ci_at(s, n, i + 1, "script") && n - i > 7 &&
        (is_ws(s[i + 7]) || s[i + 7] == '/' || s[i + 7] == '>')) {
      st = DESC;
      i += 7;
      continue;
    }
    if (script && st == DESC && end_tag_at(s, n, i, "script")) {
      st = ESC;
      i += 8;
      continue;
    }
    i++;
  }
  return n;
}

/* Offset just past a comment whose "<!--" ends at i. */
static size_t skip_comment(const char *s, size_t n, size_t i) {
  if (i < n && s[i] == '>')
    return i + 1; /* <!--> */
  if (n - i >= 2 && s[i] == '-' && s[i + 1] == '>')
    return i + 2; /* <!---> */
  for (; n - i >= 3; i++) {
    if (s[i] != '-' || s[i + 1] != '-')
      continue;
    if (s[i + 2] == '>')
      return i + 3;
    if (n - i >= 4 && s[i + 2] == '!' && s[i + 3] == '>')
      return i + 4;
  }
  return n;
}

/* Offset just past a bogus comment (doctype, <?...>, </1...>) from i. */
static size_t skip_bogus(const char *s, size_t n, size_t i) {
  const char *gt = i < n ? memchr(s + i, '>', n - i) : NULL;
  return gt ? (size_t)(gt - s) + 1 : n;
}

static int same_el(const open_el *e, GumboTag tag, const char *name,
                   size_t len) {
  if (e->tag != tag)
    return 0;
  return tag != GUMBO_TAG_UNKNOWN ||
         (e->len == len && strncasecmp(e->name, name, len) == 0);
}

enum { SC_DEFAULT, SC_BUTTON, SC_LIST, SC_MARKER, SC_TABLE };

/* 1 if e ends the search of the given kind of scope, as in the parser. */
static int stops(const open_el *e, int kind) {
  GumboTag t = e->tag;
  switch (kind) {
  case SC_BUTTON:
    if (t == GUMBO_TAG_BUTTON)
      return 1;
    /* fall through */
  case SC_DEFAULT:
    return (tag_flags(t) & F_SCOPE) != 0;
  case SC_LIST:
    return (tag_flags(t) & F_SPECIAL) && t != GUMBO_TAG_ADDRESS &&
           t != GUMBO_TAG_DIV && t != GUMBO_TAG_P;
  case SC_MARKER:
    return t == GUMBO_TAG_TD || t == GUMBO_TAG_TH || t == GUMBO_TAG_CAPTION ||
           t == GUMBO_TAG_APPLET || t == GUMBO_TAG_OBJECT ||
           t == GUMBO_TAG_MARQUEE || t == GUMBO_TAG_TEMPLATE;
  default:
    return t == GUMBO_TAG_TABLE || t == GUMBO_TAG_TEMPLATE;
  }
}

/* Index of the innermost open element matching, or -1 if a scope boundary
 * of the given kind comes first. */
static long find_open(const prep_t *p, GumboTag tag, const char *name,
                      size_t len, int kind) {
  for (size_t i = p->nopen; i-- > 0;) {
    if (same_el(&p->open[i], tag, name, len))
      return (long)i;
    if (stops(&p->open[i], kind))
      return -1;
  }
  return -1;
}

/* Index of the innermost open element with one of the tags (up to 4). */
static long find_any(const prep_t *p, const GumboTag *tags, size_t ntags) {
  for (size_t i = p->nopen; i-- > 0;)
    for (size_t k = 0; k < ntags; k++)
      if (p->open[i].tag == tags[k])
        return (long)i;
  return -1;
}

/* Closes open elements down to index k, each with an explicit end tag so
 * gumbo closes exactly what prep counts as closed. */
static void pop_to(prep_t *p, long k) {
  if (k < 0)
    return;
  while (p->nopen > (size_t)k) {
    const open_el *e = &p->open[--p->nopen];
    buf_puts(p->out, "</");
    if (e->tag == GUMBO_TAG_UNKNOWN)
      buf_append(p->out, e->name, e->len);
    else
      buf_puts(p->out, gumbo_normalized_tagname(e->tag));
    buf_putc(p->out, '>');
  }
}

static void close_p(prep_t *p) {
  pop_to(p, find_open(p, GUMBO_TAG_P, NULL, 0, SC_BUTTON));
}

static void emit_tag(prep_t *p, const tag_tok *t) {
  if (t->cut) {
    buf_append(p->out, p->s + t->lt, t->cut - t->lt);
    buf_putc(p->out, '>');
  } else {
    buf_append(p->out, p->s + t->lt, t->stop - t->lt);
  }
}

static void start_skip(prep_t *p, const tag_tok *t) {
  p->skip = (open_el){t->tag, t->name, t->len};
  p->skip_depth = 1;
}

static void on_start(prep_t *p, const tag_tok *t) {
  unsigned f = tag_flags(t->tag);
  if (p->skip_depth) {
    if (same_el(&p->skip, t->tag, t->name, t->len)) {
      if (t->tag == GUMBO_TAG_SELECT)
        p->skip_depth = 0; /* <select> in a select ends it */
      else
        p->skip_depth++;
    }
    return;
  }
  if (f & F_DROP)
    return;
  if (f & F_SKIP) {
    start_skip(p, t);
    return;
  }
  if (f & F_CLOSEP)
    close_p(p);
  switch (t->tag) {
  case GUMBO_TAG_LI:
    pop_to(p, find_open(p, GUMBO_TAG_LI, NULL, 0, SC_LIST));
    break;
  case GUMBO_TAG_DD:
  case GUMBO_TAG_DT: {
    long k = find_open(p, GUMBO_TAG_DD, NULL, 0, SC_LIST);
    long k2 = find_open(p, GUMBO_TAG_DT, NULL, 0, SC_LIST);
    pop_to(p, k > k2 ? k : k2);
    break;
  }
  case GUMBO_TAG_H1:
  case GUMBO_TAG_H2:
  case GUMBO_TAG_H3:
  case GUMBO_TAG_H4:
  case GUMBO_TAG_H5:
  case GUMBO_TAG_H6:
    if (p->nopen && is_heading(p->open[p->nopen - 1].tag))
      pop_to(p, (long)p->nopen - 1);
    break;
  case GUMBO_TAG_A:
    pop_to(p, find_open(p, GUMBO_TAG_A, NULL, 0, SC_MARKER));
    break;
  case GUMBO_TAG_TD:
  case GUMBO_TAG_TH: {
    static const GumboTag in[] = {GUMBO_TAG_TR, GUMBO_TAG_TBODY,
                                  GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT,
                                  GUMBO_TAG_TABLE};
    long k = find_any(p, in, 5);
    if (k < 0)
      return; /* the parser ignores table parts outside a table */
    pop_to(p, k + 1);
    break;
  }
  case GUMBO_TAG_TR: {
    static const GumboTag in[] = {GUMBO_TAG_TBODY, GUMBO_TAG_THEAD,
                                  GUMBO_TAG_TFOOT, GUMBO_TAG_TABLE};
    long k = find_any(p, in, 4);
    if (k < 0)
      return;
    pop_to(p, k + 1);
    break;
  }
  default:
    if (f & F_TPART) {
      static const GumboTag in[] = {GUMBO_TAG_TABLE};
      long k = find_any(p, in, 1);
      if (k < 0)
        return;
      if (!(f & F_VOID))
        pop_to(p, k + 1);
    }
  }
  if (f & F_VOID) {
    emit_tag(p, t);
    return;
  }
  if (p->nopen == PREP_DEPTH) {
    /* Too deep: the tag is dropped and its content kept, unless the
     * element is one removed with its content. */
    if (f & F_REMOVE)
      start_skip(p, t);
    return;
  }
  p->open[p->nopen++] = (open_el){t->tag, t->name, t->len};
  emit_tag(p, t);
}

static void on_end(prep_t *p, const tag_tok *t) {
  unsigned f = tag_flags(t->tag);
  int kind = (f & F_TPART) || t->tag == GUMBO_TAG_TABLE ? SC_TABLE : SC_DEFAULT;
  long k = find_open(p, t->tag, t->name, t->len, kind);
  if (p->skip_depth) {
    if (same_el(&p->skip, t->tag, t->name, t->len)) {
      p->skip_depth--;
      return;
    }
    /* The end of an open ancestor also ends the skipped element. */
    if (k < 0)
      return;
    p->skip_depth = 0;
  }
  if (f & (F_VOID | F_DROP))
    return;
  pop_to(p, k);
}

static void prep_text(prep_t *p, size_t from, size_t to) {
  if (!p->skip_depth && to > from)
    buf_append(p->out, p->s + from, to - from);
}

/* Writes into out what gumbo will parse instead of s[0..n). */
static void prep(const char *s, size_t n, buf_t *out) {
  prep_t *p = calloc(1, sizeof *p);
  if (!p) {
    out->oom = 1;
    return;
  }
  p->s = s;
  p->n = n;
  p->out = out;
  size_t i = 0;
  while (i < n && !out->oom) {
    const char *lt = memchr(s + i, '<', n - i);
    if (!lt) {
      prep_text(p, i, n);
      break;
    }
    prep_text(p, i, (size_t)(lt - s));
    i = (size_t)(lt - s);
    char c = i + 1 < n ? s[i + 1] : 0;
    char c2 = i + 2 < n ? s[i + 2] : 0;
    tag_tok t;
    if (c == '!') {
      i = c2 == '-' && i + 3 < n && s[i + 3] == '-' ? skip_comment(s, n, i + 4)
                                                    : skip_bogus(s, n, i + 2);
    } else if (c == '?') {
      i = skip_bogus(s, n, i + 2);
    } else if (c == '/' && is_alpha(c2)) {
      if (!scan_tag(s, n, i, 1, &t))
        break;
      on_end(p, &t);
      i = t.stop;
    } else if (c == '/' && c2 == '>') {
      i += 3;
    } else if (c == '/' && i + 2 < n) {
      i = skip_bogus(s, n, i + 2);
    } else if (is_alpha(c)) {
      if (!scan_tag(s, n, i, 0, &t))
        break;
      i = t.stop;
      unsigned f = tag_flags(t.tag);
      if ((f & F_RAW) || t.tag == GUMBO_TAG_IFRAME) {
        /* An iframe's content is never shown: gumbo gets it empty. */
        int keep = t.tag == GUMBO_TAG_IFRAME && !p->skip_depth;
        if (keep)
          emit_tag(p, &t);
        i = skip_raw(s, n, i, gumbo_normalized_tagname(t.tag));
        if (keep)
          buf_puts(out, "</iframe>");
      } else if (t.tag == GUMBO_TAG_PLAINTEXT) {
        if (!p->skip_depth) {
          close_p(p);
          buf_html_escape(out, s + i, n - i);
        }
        break;
      } else {
        on_start(p, &t);
      }
    } else {
      prep_text(p, i, i + 1); /* a '<' that starts no tag */
      i++;
    }
  }
  free(p);
}

/* ------------------------------------------------- gumbo, memory-bounded */

/* Every block gumbo allocates, in one list, so a parse can be freed without
 * gumbo's recursive destroy and abandoned half way. */
typedef union blk {
  struct {
    union blk *prev, *next;
    size_t size;
  } h;
  max_align_t align;
} blk;

typedef struct {
  jmp_buf jb;
  blk *head;
  size_t used, limit;
  int err;
} galloc;

static void *g_alloc(void *ud, size_t n) {
  galloc *g = ud;
  if (n > g->limit - g->used) {
    g->err = NB_ETOOBIG;
    longjmp(g->jb, 1);
  }
  blk *b = malloc(sizeof *b + n);
  if (!b) {
    g->err = NB_ENOMEM;
    longjmp(g->jb, 1);
  }
  b->h.size = n;
  b->h.prev = NULL;
  b->h.next = g->head;
  if (g->head)
    g->head->h.prev = b;
  g->head = b;
  g->used += n;
  return b + 1;
}

static void g_free(void *ud, void *ptr) {
  galloc *g = ud;
  if (!ptr)
    return;
  blk *b = (blk *)ptr - 1;
  if (b->h.prev)
    b->h.prev->h.next = b->h.next;
  else
    g->head = b->h.next;
  if (b->h.next)
    b->h.next->h.prev = b->h.prev;
  g->used -= b->h.size;
  free(b);
}

static void g_free_all(galloc *g) {
  while (g->head) {
    blk *b = g->head;
    g->head = b->h.next;
    free(b);
  }
  g->used = 0;
}

/* NULL with g->err set when the parse ran out of memory or over its bound;
 * what it had allocated is still in g's list. */
static GumboOutput *parse_bounded(galloc *g, const GumboOptions *o,
                                  const char *s, size_t n) {
  if (setjmp(g->jb))
    return NULL;
  return gumbo_parse_with_options(o, s, n);
}

/* ----------------------------------------------------------- output tree */

enum { O_ELEM, O_TEXT, O_BREAK };

typedef struct onode onode;
struct onode {
  onode *parent, *first, *last, *next;
  const GumboNode *src; /* the element it was made from */
  const char *s;        /* text, or the attributes as written */
  size_t n;
  GumboTag tag;
  int depth;
  unsigned char kind, has_block;
};

typedef struct {
  arena_t *a;
  onode root;
  onode *cur;
  buf_t tmp, url;
  int oom;
} builder;

static int is_void_out(GumboTag t) {
  return t == GUMBO_TAG_BR || t == GUMBO_TAG_HR || t == GUMBO_TAG_IMG ||
         t == GUMBO_TAG_IFRAME;
}

/* Elements whose start tag closes an open p: never inside a p. */
static int closes_p(GumboTag t) {
  switch (t) {
  case GUMBO_TAG_P:
  case GUMBO_TAG_H1:
  case GUMBO_TAG_H2:
  case GUMBO_TAG_H3:
  case GUMBO_TAG_H4:
  case GUMBO_TAG_H5:
  case GUMBO_TAG_H6:
  case GUMBO_TAG_BLOCKQUOTE:
  case GUMBO_TAG_PRE:
  case GUMBO_TAG_UL:
  case GUMBO_TAG_OL:
  case GUMBO_TAG_DL:
  case GUMBO_TAG_LI:
  case GUMBO_TAG_DT:
  case GUMBO_TAG_DD:
  case GUMBO_TAG_FIGURE:
  case GUMBO_TAG_FIGCAPTION:
  case GUMBO_TAG_TABLE:
  case GUMBO_TAG_HR:
    return 1;
  default:
    return 0;
  }
}

/* Block elements of the output: they end a paragraph. */
static int is_block(GumboTag t) {
  switch (t) {
  case GUMBO_TAG_CAPTION:
  case GUMBO_TAG_THEAD:
  case GUMBO_TAG_TBODY:
  case GUMBO_TAG_TFOOT:
  case GUMBO_TAG_TR:
  case GUMBO_TAG_TD:
  case GUMBO_TAG_TH:
    return 1;
  default:
    return closes_p(t);
  }
}

/* Elements that break lines when shown: unwrapped, they still end a
 * paragraph (a BREAK in the output tree). */
static int breaks_line(GumboTag t) {
  switch (t) {
  case GUMBO_TAG_ADDRESS:
  case GUMBO_TAG_ARTICLE:
  case GUMBO_TAG_ASIDE:
  case GUMBO_TAG_CENTER:
  case GUMBO_TAG_DETAILS:
  case GUMBO_TAG_DIR:
  case GUMBO_TAG_DIV:
  case GUMBO_TAG_FIELDSET:
  case GUMBO_TAG_FOOTER:
  case GUMBO_TAG_HEADER:
  case GUMBO_TAG_HGROUP:
  case GUMBO_TAG_LEGEND:
  case GUMBO_TAG_LISTING:
  case GUMBO_TAG_MAIN:
  case GUMBO_TAG_MENU:
  case GUMBO_TAG_NAV:
  case GUMBO_TAG_SECTION:
  case GUMBO_TAG_SUMMARY:
    return 1;
  default:
    return is_block(t);
  }
}

static onode *append(builder *b, int kind) {
  onode *x = arena_alloc(b->a, sizeof *x);
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
  const onode *last = b->cur->last;
  if (last && last->kind != O_BREAK)
    append(b, O_BREAK);
}

/* Copies v, without the C0 controls and spaces around it and the tabs and
 * line breaks in it (browsers ignore those: "java\tscript:"), into b->tmp. */
static void url_clean(buf_t *t, const char *v) {
  size_t n = strlen(v);
  while (n && (unsigned char)v[n - 1] <= 0x20)
    n--;
  while (n && (unsigned char)v[0] <= 0x20)
    v++, n--;
  buf_reset(t);
  for (size_t i = 0; i < n; i++)
    if (v[i] != '\t' && v[i] != '\n' && v[i] != '\r')
      buf_putc(t, v[i]);
}

enum { URL_BAD, URL_LOCAL, URL_SITE, URL_OTHER_SITE };

/* Kind of a cleaned URL: an http(s) or scheme-relative URL is another
 * site (the sanitizer does not know the site's own host), mailto a local
 * link, a relative path or #fragment local; any other scheme is bad, and
 * so is anything with a ':' before its first '/', '?' or '#' that is not
 * one of those schemes. */
static int url_kind(const char *u, size_t n) {
  if (n == 0)
    return URL_BAD;
  size_t k = strcspn(u, ":/?#");
  if (k < n && u[k] == ':') {
    if ((k == 4 && strncasecmp(u, "http", 4) == 0) ||
        (k == 5 && strncasecmp(u, "https", 5) == 0))
      return URL_OTHER_SITE;
    if (k == 6 && strncasecmp(u, "mailto", 6) == 0)
      return URL_LOCAL;
    return URL_BAD;
  }
  if (n >= 2 && (u[0] == '/' || u[0] == '\\') && (u[1] == '/' || u[1] == '\\'))
    return URL_OTHER_SITE;
  return URL_LOCAL;
}

static int is_http(const char *u, size_t n) {
  return url_kind(u, n) == URL_OTHER_SITE && u[0] != '/' && u[0] != '\\';
}

static int starts(const char *s, size_t n, const char *prefix) {
  size_t k = strlen(prefix);
  return n >= k && memcmp(s, prefix, k) == 0;
}

static int iframe_ok(const char *u, size_t n) {
  return starts(u, n, "https://www.youtube.com/embed/") ||
         starts(u, n, "https://www.youtube-nocookie.com/embed/") ||
         starts(u, n, "https://player.vimeo.com/video/");
}

/* Appends s[0..n) HTML-escaped, as the parser would read it back: a CR
 * (from "&#13;") as a newline, and what it replaces when it comes raw
 * (controls from "&#1;", noncharacters) as U+FFFD, so that sanitizing the
 * output gives it again. */
static void escape(buf_t *b, const char *s, size_t n) {
  size_t run = 0, i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    uint32_t cp = c;
    size_t k = 1;
    if (c >= 0x80 && (k = utf8_decode(s + i, n - i, &cp)) == 0) {
      k = 1;
      cp = 0xFFFD + 1; /* not UTF-8 (gumbo never gives that): replaced */
    }
    int bad = (cp >= 0x1 && cp <= 0x8) || cp == 0xB ||
              (cp >= 0xE && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F) ||
              (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFF) == 0xFFFE ||
              (cp & 0xFFFF) == 0xFFFF || cp == 0xFFFD + 1 || cp == 0;
    if (!bad && cp != '\r') {
      i += k;
      continue;
    }
    buf_html_escape(b, s + run, i - run);
    buf_puts(b, cp == '\r' ? "\n" : "\xEF\xBF\xBD");
    i += k;
    run = i;
  }
  buf_html_escape(b, s + run, n - run);
}

static const char *attr(const GumboElement *e, const char *name) {
  const GumboAttribute *a = gumbo_get_attribute(&e->attributes, name);
  return a ? a->value : NULL;
}

static void put_attr(buf_t *b, const char *name, const char *v, size_t n) {
  buf_putc(b, ' ');
  buf_puts(b, name);
  buf_puts(b, "=\"");
  escape(b, v, n);
  buf_putc(b, '"');
}

/* name="digits" when the element has it as 1 to 9 ASCII digits. */
static void put_number(buf_t *b, const GumboElement *e, const char *name) {
  const char *v = attr(e, name);
  size_t n = v ? strlen(v) : 0;
  if (n == 0 || n > 9 || strspn(v, "0123456789") != n)
    return;
  put_attr(b, name, v, n);
}

static void put_text_attr(buf_t *b, const GumboElement *e, const char *name) {
  const char *v = attr(e, name);
  if (v)
    put_attr(b, name, v, strlen(v));
}

enum { DROP, UNWRAP, KEEP };

/* What to do with an element: removed with its content, unwrapped (content
 * kept), or kept; for a kept one its attributes go into out. */
static int judge(const GumboElement *e, buf_t *out, buf_t *url) {
  if (e->tag_namespace != GUMBO_NAMESPACE_HTML)
    return DROP;
  switch (e->tag) {
  case GUMBO_TAG_SCRIPT:
  case GUMBO_TAG_STYLE:
  case GUMBO_TAG_NOSCRIPT:
  case GUMBO_TAG_TEMPLATE:
  case GUMBO_TAG_OBJECT:
  case GUMBO_TAG_EMBED:
  case GUMBO_TAG_APPLET:
  case GUMBO_TAG_FORM:
  case GUMBO_TAG_INPUT:
  case GUMBO_TAG_BUTTON:
  case GUMBO_TAG_SELECT:
  case GUMBO_TAG_TEXTAREA:
  case GUMBO_TAG_SVG:
  case GUMBO_TAG_MATH:
  case GUMBO_TAG_HEAD:
  case GUMBO_TAG_TITLE:
  case GUMBO_TAG_META:
  case GUMBO_TAG_LINK:
  case GUMBO_TAG_BASE:
  case GUMBO_TAG_FRAME:
  case GUMBO_TAG_FRAMESET:
  case GUMBO_TAG_NOEMBED:
  case GUMBO_TAG_NOFRAMES:
  case GUMBO_TAG_XMP:
    return DROP;
  case GUMBO_TAG_A: {
    const char *href = attr(e, "href");
    if (!href)
      return UNWRAP;
    url_clean(url, href);
    int k = url_kind(url->data, url->len);
    if (k == URL_BAD)
      return UNWRAP;
    put_attr(out, "href", url->data, url->len);
    put_text_attr(out, e, "title");
    if (k == URL_OTHER_SITE)
      buf_puts(out, " rel=\"nofollow noopener\"");
    return KEEP;
  }
  case GUMBO_TAG_IMG: {
    const char *src = attr(e, "src");
    if (!src)
      return DROP;
    url_clean(url, src);
    if (!is_http(url->data, url->len))
      return DROP;
    put_attr(out, "src", url->data, url->len);
    put_text_attr(out, e, "alt");
    put_number(out, e, "width");
    put_number(out, e, "height");
    return KEEP;
  }
  case GUMBO_TAG_IFRAME: {
    const char *src = attr(e, "src");
    if (!src)
      return DROP;
    url_clean(url, src);
    if (!iframe_ok(url->data, url->len))
      return DROP;
    put_attr(out, "src", url->data, url->len);
    put_number(out, e, "width");
    put_number(out, e, "height");
    put_text_attr(out, e, "title");
    buf_puts(out, " loading=\"lazy\"");
    return KEEP;
  }
  case GUMBO_TAG_TD:
  case GUMBO_TAG_TH:
    put_number(out, e, "colspan");
    put_number(out, e, "rowspan");
    return KEEP;
  case GUMBO_TAG_OL:
    put_number(out, e, "start");
    return KEEP;
  case GUMBO_TAG_P:
  case GUMBO_TAG_BR:
  case GUMBO_TAG_H1:
  case GUMBO_TAG_H2:
  case GUMBO_TAG_H3:
  case GUMBO_TAG_H4:
  case GUMBO_TAG_H5:
  case GUMBO_TAG_H6:
  case GUMBO_TAG_STRONG:
  case GUMBO_TAG_B:
  case GUMBO_TAG_EM:
  case GUMBO_TAG_I:
  case GUMBO_TAG_U:
  case GUMBO_TAG_S:
  case GUMBO_TAG_DEL:
  case GUMBO_TAG_INS:
  case GUMBO_TAG_MARK:
  case GUMBO_TAG_SMALL:
  case GUMBO_TAG_SUB:
  case GUMBO_TAG_SUP:
  case GUMBO_TAG_BLOCKQUOTE:
  case GUMBO_TAG_Q:
  case GUMBO_TAG_CITE:
  case GUMBO_TAG_ABBR:
  case GUMBO_TAG_CODE:
  case GUMBO_TAG_PRE:
  case GUMBO_TAG_KBD:
  case GUMBO_TAG_UL:
  case GUMBO_TAG_LI:
  case GUMBO_TAG_DL:
  case GUMBO_TAG_DT:
  case GUMBO_TAG_DD:
  case GUMBO_TAG_HR:
  case GUMBO_TAG_FIGURE:
  case GUMBO_TAG_FIGCAPTION:
  case GUMBO_TAG_TABLE:
  case GUMBO_TAG_CAPTION:
  case GUMBO_TAG_THEAD:
  case GUMBO_TAG_TBODY:
  case GUMBO_TAG_TFOOT:
  case GUMBO_TAG_TR:
    return KEEP;
  default:
    return UNWRAP;
  }
}

/* 1 if an element t may go at the cursor so that the output parses back to
 * the same tree; sets its depth. */
static int fits(const builder *b, GumboTag t, int *depth) {
  const onode *c = b->cur, *x;
  /* A top-level inline element counts the paragraph autop may put it in. */
  int d = c == &b->root && !is_block(t) ? 2 : c->depth + 1;
  if (!is_void_out(t) && d + (t == GUMBO_TAG_TABLE ? 3 : 0) > OUT_DEPTH)
    return 0;
  if (closes_p(t))
    for (x = c; x != &b->root; x = x->parent) {
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
    if (is_heading(c->tag))
      return 0;
    break;
  case GUMBO_TAG_A:
    for (x = c; x != &b->root; x = x->parent) {
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
  int verdict = judge(e, &b->tmp, &b->url);
  if (b->url.oom || b->tmp.oom)
    b->oom = 1;
  GumboTag t = e->tag == GUMBO_TAG_H1 ? GUMBO_TAG_H2 : e->tag;
  int depth = 0;
  if (verdict == KEEP && !fits(b, t, &depth))
    verdict = is_void_out(t) ? DROP : UNWRAP;
  if (verdict == DROP || b->oom)
    return 0;
  if (verdict == UNWRAP) {
    if (breaks_line(t))
      add_break(b);
    return 1;
  }
  onode *x = append(b, O_ELEM);
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
  if (is_block(t))
    for (onode *p = b->cur; p != &b->root && !p->has_block; p = p->parent)
      p->has_block = 1;
  if (is_void_out(t))
    return 0;
  b->cur = x;
  return 1;
}

static void leave(builder *b, const GumboNode *g) {
  if (b->cur->src == g)
    b->cur = b->cur->parent;
  else if (breaks_line(g->v.element.tag))
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
      onode *x = n ? append(b, O_TEXT) : NULL;
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

/* ---------------------------------------------------------------- write */

typedef struct {
  buf_t *out;
  int pre_start; /* just wrote <pre>: a newline right after is doubled */
  int in_pre;
  int last_br; /* the last thing written was <br> */
  /* whitespace not yet written, and how many newlines it holds */
  buf_t ws;
  int nl;
  /* top level */
  int p_open, any;
} writer;

static void put(writer *w, const char *s, size_t n) {
  w->pre_start = 0;
  buf_append(w->out, s, n);
}

static void put_escaped(writer *w, const char *s, size_t n) {
  if (w->pre_start && n && s[0] == '\n')
    buf_putc(w->out, '\n'); /* the parser drops a newline right after <pre> */
  w->pre_start = 0;
  /* '[' as a reference: the output holds no shortcode (shortcode.c), so
   * sanitizing it again gives the same bytes. */
  for (const char *b; n && (b = memchr(s, '[', n));) {
    escape(w->out, s, (size_t)(b - s));
    buf_puts(w->out, "&#91;");
    n -= (size_t)(b - s) + 1;
    s = b + 1;
  }
  escape(w->out, s, n);
}

/* Writes pending whitespace inside an autop paragraph: newlines become
 * <br> (two for a blank line), none next to a <br> already there. */
static void flush_ws(writer *w, int next_is_br) {
  if (w->nl && !w->last_br && !next_is_br)
    put(w, w->nl > 1 ? "<br><br>\n" : "<br>\n", w->nl > 1 ? 9 : 5);
  else if (w->nl)
    put(w, "\n", 1);
  else
    put(w, w->ws.data, w->ws.len);
  buf_reset(&w->ws);
  w->nl = 0;
}

/* Text with autop: whitespace is held back until what follows is known. */
static void autop_text(writer *w, const char *s, size_t n, int top);

static void start_tag(writer *w, const onode *x) {
  const char *name = gumbo_normalized_tagname(x->tag);
  put(w, "<", 1);
  put(w, name, strlen(name));
  if (x->n)
    put(w, x->s, x->n);
  put(w, ">", 1);
  w->last_br = x->tag == GUMBO_TAG_BR;
  if (x->tag == GUMBO_TAG_PRE) {
    w->pre_start = 1;
    w->in_pre++;
  }
}

static void end_tag(writer *w, const onode *x, int autop) {
  const char *name = gumbo_normalized_tagname(x->tag);
  if (autop && (w->ws.len || w->nl))
    flush_ws(w, 0);
  put(w, "</", 2);
  put(w, name, strlen(name));
  put(w, ">", 1);
  if (x->tag == GUMBO_TAG_PRE)
    w->in_pre--;
}

/* Writes the subtree at top; autop: it is inline content of a paragraph. */
static void write_node(writer *w, const onode *top, int autop) {
  const onode *x = top;
  for (;;) {
    if (x->kind == O_ELEM) {
      if (autop && (w->ws.len || w->nl))
        flush_ws(w, x->tag == GUMBO_TAG_BR);
      start_tag(w, x);
      if (!is_void_out(x->tag) || x->tag == GUMBO_TAG_IFRAME) {
        if (x->first) {
          x = x->first;
          continue;
        }
        end_tag(w, x, autop);
      }
    } else if (x->kind == O_TEXT) {
      if (autop)
        autop_text(w, x->s, x->n, 0);
      else
        put_escaped(w, x->s, x->n);
    } else if (x->next) { /* a BREAK: a line break where a block was */
      if (autop)
        autop_text(w, "\n", 1, 0);
      else if (!w->in_pre)
        put(w, "\n", 1);
    }
    while (x != top && !x->next) {
      x = x->parent;
      end_tag(w, x, autop);
    }
    if (x == top)
      break;
    x = x->next;
  }
}

static void top_sep(writer *w) {
  if (w->any)
    put(w, "\n", 1);
  w->any = 1;
}

/* At the top level, before inline content: opens a paragraph, or writes
 * the whitespace held back inside the open one (a blank line ends it). */
static void top_content(writer *w, int next_is_br) {
  if (!w->p_open) {
    top_sep(w);
    put(w, "<p>", 3);
    w->p_open = 1;
    w->last_br = 0;
    buf_reset(&w->ws);
    w->nl = 0;
  } else if (w->nl > 1) {
    put(w, "</p>\n<p>", 8);
    w->last_br = 0;
    buf_reset(&w->ws);
    w->nl = 0;
  } else if (w->ws.len) {
    flush_ws(w, next_is_br);
  }
}

static void top_boundary(writer *w) {
  if (w->p_open)
    put(w, "</p>", 4);
  w->p_open = 0;
  buf_reset(&w->ws);
  w->nl = 0;
}

static void autop_text(writer *w, const char *s, size_t n, int top) {
  size_t i = 0;
  while (i < n) {
    if (is_ws(s[i])) {
      /* a CR (from "&#13;") reads back as a newline */
      buf_putc(&w->ws, s[i] == '\r' ? '\n' : s[i]);
      w->nl += s[i] == '\n' || s[i] == '\r';
      i++;
      continue;
    }
    size_t j = i;
    while (j < n && !is_ws(s[j]))
      j++;
    if (top)
      top_content(w, 0);
    else if (w->ws.len)
      flush_ws(w, 0);
    put_escaped(w, s + i, j - i);
    w->last_br = 0;
    i = j;
  }
}

static void write_all(writer *w, const onode *root) {
  for (const onode *x = root->first; x; x = x->next) {
    if (x->kind == O_TEXT) {
      autop_text(w, x->s, x->n, 1);
    } else if (x->kind == O_BREAK) {
      top_boundary(w);
    } else if (is_block(x->tag) || x->has_block) {
      top_boundary(w);
      top_sep(w);
      write_node(w, x, 0);
    } else {
      top_content(w, x->tag == GUMBO_TAG_BR);
      write_node(w, x, 1);
    }
  }
  top_boundary(w);
}

/* ------------------------------------------------------------------ API */

int imp_html_sanitize(const char *html, size_t n, buf_t *out) {
  if (n > IMP_HTML_MAX)
    return NB_ETOOBIG;
  if (!utf8_valid(html, n))
    return NB_EINVAL;
  size_t start = out->len;
  int rc = NB_OK;
  buf_t codes = {0}, src = {0};
  arena_t a = {0};
  builder b = {.a = &a};
  writer w = {.out = out};
  galloc g = {.limit = GUMBO_MEM_BASE + (size_t)GUMBO_MEM_PER_BYTE * n};

  imp_shortcodes(html, n, &codes);
  if (!codes.oom)
    prep(codes.data ? codes.data : "", codes.len, &src);
  if (codes.oom || src.oom) {
    rc = NB_ENOMEM;
    goto done;
  }
  GumboOptions o = kGumboDefaultOptions;
  o.allocator = g_alloc;
  o.deallocator = g_free;
  o.userdata = &g;
  o.max_errors = 0;
  o.fragment_context = GUMBO_TAG_BODY;
  o.fragment_namespace = GUMBO_NAMESPACE_HTML;
  GumboOutput *parsed =
      parse_bounded(&g, &o, src.data ? src.data : "", src.len);
  if (!parsed) {
    rc = g.err;
    goto done;
  }
  b.root.tag = GUMBO_TAG_LAST;
  b.cur = &b.root;
  rc = build(&b, parsed->root);
  if (rc == NB_OK)
    write_all(&w, &b.root);
  if (rc == NB_OK && (out->oom || w.ws.oom))
    rc = NB_ENOMEM;
done:
  g_free_all(&g);
  arena_free(&a);
  buf_free(&b.tmp);
  buf_free(&b.url);
  buf_free(&w.ws);
  buf_free(&src);
  buf_free(&codes);
  if (rc != NB_OK && out->data && !out->oom) {
    out->len = start;
    out->data[start] = '\0';
  }
  return rc;
}
