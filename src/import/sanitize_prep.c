/* import/sanitize_prep.c: the sanitizer's first pass (sanitize.c has all
 * three): the bytes read once, the way the HTML tokenizer does, and a
 * tamer copy handed to gumbo. gumbo 0.10.1 takes time quadratic in the
 * nesting depth and in the attributes of one tag, clones unclosed
 * formatting elements into every later block, frees its tree recursively
 * and aborts on its own asserts; so prep drops what is removed anyway,
 * closes every element it sees closed, implicitly or not, with an explicit
 * end tag, keeps at most PREP_DEPTH elements open and PREP_ATTRS
 * attributes per tag. Its own stack of open elements follows the parser's
 * rules for the usual implied ends (p, li, dd/dt, table cells and rows,
 * headings, a), so real posts pass unchanged. */
#include <gumbo.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/internal.h"

#define PREP_DEPTH 256 /* elements prep lets be open at once */
#define PREP_ATTRS 64  /* attributes prep keeps on one tag */

static int is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

enum {
  F_VOID = 1 << 0,    /* never open: no content, no end tag */
  F_CLOSEP = 1 << 1,  /* its start tag closes an open p */
  F_SPECIAL = 1 << 2, /* "special" to the parser (ends the li/dd/dt search) */
  F_SCOPE = 1 << 3,   /* boundary of the parser's default scope */
  F_RAW = 1 << 4,     /* raw text: dropped here with its content */
  F_SKIP = 1 << 5,    /* dropped here with its content */
  F_DROP = 1 << 6,    /* document structure: the tag alone is ignored */
  F_REMOVE = 1 << 7,  /* removed with its content (sanitize_tree.c) */
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
  while (j < n && !imp_html_space(s[j]) && s[j] != '/' && s[j] != '>')
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
      if (imp_html_space(c))
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
      if (imp_html_space(c))
        st = AFTER;
      else if (c == '/')
        st = SOLIDUS;
      else if (c == '=')
        st = BEFORE_VAL;
      else if (c == '>')
        goto done;
      break;
    case BEFORE_VAL:
      if (imp_html_space(c))
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
      if (imp_html_space(c))
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
  return imp_html_space(c) || c == '/' || c == '>';
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
        (imp_html_space(s[i + 7]) || s[i + 7] == '/' || s[i + 7] == '>')) {
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
    if (p->nopen && imp_html_heading(p->open[p->nopen - 1].tag))
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
void imp_html_prep(const char *s, size_t n, buf_t *out) {
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
