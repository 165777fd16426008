/* search/html.c: the plain text of an article body, for the index.
 *
 * Bodies are sanitized HTML, but imports bring whatever WordPress held, so
 * this reads any bytes: a "<" that starts no tag is text, a tag never
 * closed is text, comments and script or style contents are dropped.
 * Inline tags vanish without a trace (a word split by <b> stays one word);
 * block tags end a line. Runs of white space become one space. The text is
 * what snippets show, so it stays readable. */
#include <assert.h>
#include <string.h>
#include <strings.h>

#include "search/search.h"

/* Tags that end a line, open or closed. */
static const char *const block_tags[] = {
    "address", "article", "aside",  "blockquote", "br",      "caption",
    "dd",      "details", "div",    "dl",         "dt",      "figcaption",
    "figure",  "footer",  "h1",     "h2",         "h3",      "h4",
    "h5",      "h6",      "header", "hr",         "li",      "main",
    "nav",     "ol",      "p",      "pre",        "section", "summary",
    "table",   "td",      "th",     "tr",         "ul"};

static const struct {
  const char *name;
  uint32_t cp;
} entities[] = {
    {"amp", '&'},       {"lt", '<'},       {"gt", '>'},
    {"quot", '"'},      {"apos", '\''},    {"nbsp", ' '},
    {"zwnj", 0x200C},   {"zwj", 0x200D},   {"lrm", 0x200E},
    {"rlm", 0x200F},    {"laquo", 0xAB},   {"raquo", 0xBB},
    {"ndash", 0x2013},  {"mdash", 0x2014}, {"lsquo", 0x2018},
    {"rsquo", 0x2019},  {"ldquo", 0x201C}, {"rdquo", 0x201D},
    {"hellip", 0x2026}, {"shy", 0} /* a hyphenation hint: nothing */};

struct text {
  buf_t *out;
  size_t base; /* out->len before the call: what was there stays */
  int space;   /* a space is owed before the next text */
};

static int is_ws(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

static int is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(unsigned char c) {
  return is_alpha(c) || (c >= '0' && c <= '9');
}

static char last(const struct text *t) {
  return t->out->len > t->base ? t->out->data[t->out->len - 1] : '\n';
}

static void put(struct text *t, const char *s, size_t n) {
  if (t->space && last(t) != '\n')
    buf_putc(t->out, ' ');
  t->space = 0;
  buf_append(t->out, s, n);
}

static void put_cp(struct text *t, uint32_t cp) {
  char u[4];

  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
    t->space = 1;
    return;
  }
  /* Control characters are no text (and \x01, \x02 mark highlights). */
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
    return;
  put(t, u, utf8_encode(cp, u));
}

static void newline(struct text *t) {
  t->space = 0;
  if (last(t) != '\n')
    buf_putc(t->out, '\n');
}

/* Finds needle (lowercase ASCII) in s[i..n) ignoring ASCII case. */
static size_t find_ci(const char *s, size_t n, size_t i, const char *needle) {
  size_t k = strlen(needle);

  for (; i + k <= n; i++) {
    if (strncasecmp(s + i, needle, k) == 0)
      return i;
  }
  return n;
}

/* The end of the tag that opens at h[i] (the index of its ">"), or n when
 * it has none. A ">" inside a quoted attribute value does not end it,
 * unless the quote never closes. */
static size_t tag_end(const char *h, size_t n, size_t i) {
  char quote = 0, prev = 0;
  size_t j;

  for (j = i + 1; j < n; j++) {
    char c = h[j];
    if (quote) {
      if (c == quote)
        quote = 0;
    } else if (c == '>') {
      return j;
    } else if ((c == '"' || c == '\'') && prev == '=') {
      quote = c;
    }
    if (!is_ws((unsigned char)c))
      prev = c;
  }
  /* Unbalanced quote: fall back to the first ">". */
  for (j = i + 1; j < n && h[j] != '>'; j++)
    ;
  return j;
}

static int name_is(const char *name, size_t n, const char *want) {
  return strlen(want) == n && strncasecmp(want, name, n) == 0;
}

static int is_block(const char *name, size_t n) {
  for (size_t k = 0; k < sizeof block_tags / sizeof *block_tags; k++) {
    if (name_is(name, n, block_tags[k]))
      return 1;
  }
  return 0;
}

/* Decodes the entity at h[i] (an "&") if it is one: returns its length and
 * sets *cp (0: decodes to nothing), or returns 0 for a plain "&". */
static size_t entity(const char *h, size_t n, size_t i, uint32_t *cp) {
  size_t j = i + 1, start, digits = 0;
  uint32_t v = 0;

  if (j < n && h[j] == '#') {
    int hex = j + 1 < n && (h[j + 1] == 'x' || h[j + 1] == 'X');
    j += hex ? 2 : 1;
    for (; j < n; j++, digits++) {
      unsigned char c = (unsigned char)h[j];
      unsigned d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (hex && c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        break;
      if (v <= 0x10FFFF) /* stays above the limit once there */
        v = v * (hex ? 16 : 10) + d;
    }
    if (digits == 0)
      return 0;
    if (j < n && h[j] == ';')
      j++;
    *cp = v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ? 0 : v;
    return j - i;
  }
  start = j;
  while (j < n && j - start < 8 && is_alnum((unsigned char)h[j]))
    j++;
  if (j == start || j >= n || h[j] != ';')
    return 0;
  for (size_t k = 0; k < sizeof entities / sizeof *entities; k++) {
    if (strlen(entities[k].name) == j - start &&
        memcmp(entities[k].name, h + start, j - start) == 0) {
      *cp = entities[k].cp;
      return j + 1 - i;
    }
  }
  return 0;
}

void search_text_from_html(const char *h, size_t n, buf_t *out) {
  struct text t = {out, out->len, 0};
  size_t i = 0, j, e, k;
  int closing, tags = 1; /* 0 once no ">" is left: "<" is text from there */
  uint32_t cp;

  assert(h || n == 0);
  while (i < n) {
    unsigned char c = (unsigned char)h[i];
    if (c == '<' && tags && i + 1 < n &&
        (is_alpha((unsigned char)h[i + 1]) || h[i + 1] == '/' ||
         h[i + 1] == '!' || h[i + 1] == '?')) {
      if (n - i >= 4 && memcmp(h + i, "<!--", 4) == 0) {
        e = find_ci(h, n, i + 4, "-->");
        i = e < n ? e + 3 : n;
        continue;
      }
      e = tag_end(h, n, i);
      if (e == n) { /* never closed: it was text */
        tags = 0;   /* and so is every later "<" (no scan per "<") */
        put(&t, "<", 1);
        i++;
        continue;
      }
      closing = h[i + 1] == '/';
      j = i + 1 + (size_t)closing;
      for (k = j; k < e && is_alnum((unsigned char)h[k]); k++)
        ;
      if (is_block(h + j, k - j))
        newline(&t);
      i = e + 1;
      /* Their contents are code, not text. */
      if (!closing &&
          (name_is(h + j, k - j, "script") || name_is(h + j, k - j, "style"))) {
        e = find_ci(h, n, i,
                    name_is(h + j, k - j, "script") ? "</script" : "</style");
        if (e < n)
          e = tag_end(h, n, e);
        i = e < n ? e + 1 : n;
      }
      continue;
    }
    if (c == '&' && (k = entity(h, n, i, &cp)) > 0) {
      if (cp)
        put_cp(&t, cp);
      i += k;
      continue;
    }
    if (is_ws(c)) {
      t.space = 1;
      i++;
      continue;
    }
    if (c < 0x20 || c == 0x7F) {
      i++;
      continue;
    }
    /* A run of ordinary bytes at once (C1 controls in UTF-8 are rare
     * enough to let through here; the tokenizer ignores them). */
    for (j = i + 1; j < n; j++) {
      unsigned char d = (unsigned char)h[j];
      if (d == '<' || d == '&' || is_ws(d) || d < 0x20 || d == 0x7F)
        break;
    }
    put(&t, h + i, j - i);
    i = j;
  }
  /* No white space at the end. */
  while (out->len > t.base &&
         (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == ' '))
    out->data[--out->len] = '\0';
}
