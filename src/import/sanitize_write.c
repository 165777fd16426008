/* import/sanitize_write.c: the sanitizer's third pass (sanitize.c has all
 * three): the output tree serialized. Top-level inline content is put in
 * paragraphs (WordPress's wpautop, done on the tree so the result is known
 * exactly): a blank line starts a new paragraph, a single newline becomes
 * <br>; inside inline elements of such a paragraph a newline becomes <br>
 * (a blank line two); text in pre or in any block is left alone. */
#include <gumbo.h>
#include <stddef.h>
#include <string.h>

#include "import/internal.h"

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
    imp_html_escape(w->out, s, (size_t)(b - s));
    buf_puts(w->out, "&#91;");
    n -= (size_t)(b - s) + 1;
    s = b + 1;
  }
  imp_html_escape(w->out, s, n);
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

static void start_tag(writer *w, const imp_html_node *x) {
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

static void end_tag(writer *w, const imp_html_node *x, int autop) {
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
static void write_node(writer *w, const imp_html_node *top, int autop) {
  const imp_html_node *x = top;
  for (;;) {
    if (x->kind == IMP_HTML_ELEM) {
      if (autop && (w->ws.len || w->nl))
        flush_ws(w, x->tag == GUMBO_TAG_BR);
      start_tag(w, x);
      if (!imp_html_is_void(x->tag) || x->tag == GUMBO_TAG_IFRAME) {
        if (x->first) {
          x = x->first;
          continue;
        }
        end_tag(w, x, autop);
      }
    } else if (x->kind == IMP_HTML_TEXT) {
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
    if (imp_html_space(s[i])) {
      /* a CR (from "&#13;") reads back as a newline */
      buf_putc(&w->ws, s[i] == '\r' ? '\n' : s[i]);
      w->nl += s[i] == '\n' || s[i] == '\r';
      i++;
      continue;
    }
    size_t j = i;
    while (j < n && !imp_html_space(s[j]))
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

static void write_all(writer *w, const imp_html_node *root) {
  for (const imp_html_node *x = root->first; x; x = x->next) {
    if (x->kind == IMP_HTML_TEXT) {
      autop_text(w, x->s, x->n, 1);
    } else if (x->kind == IMP_HTML_BREAK) {
      top_boundary(w);
    } else if (imp_html_is_block(x->tag) || x->has_block) {
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

int imp_html_write(const imp_html_node *root, buf_t *out) {
  writer w = {.out = out};
  write_all(&w, root);
  int rc = out->oom || w.ws.oom ? NB_ENOMEM : NB_OK;
  buf_free(&w.ws);
  return rc;
}
