/* Fuzz harness for imp_html_sanitize: imported post bodies are shown to
 * every reader, so whatever the bytes, the output must be valid UTF-8 with
 * no script, no event handler, no URL that runs code and nothing nested
 * deeper than the limit, and sanitizing it again must give the same bytes.
 * The output is checked by parsing it again with gumbo (as a browser
 * would), not by trusting the sanitizer's own view of it. */
#include <gumbo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/import.h"

#include "fuzz.h"

static void fail(const char *why, const buf_t *out) {
  fprintf(stderr, "sanitize_fuzz: %s\noutput: %s\n", why,
          out->data ? out->data : "");
  abort();
}

/* 1 if an href or src value could run code: after what browsers ignore
 * (spaces and controls around, tabs and line breaks inside), a scheme
 * other than http, https or mailto. */
static int runs_code(const char *v) {
  char u[64];
  size_t k = 0;
  while (*v && (unsigned char)*v <= 0x20)
    v++;
  for (; *v && k + 1 < sizeof u; v++)
    if (*v != '\t' && *v != '\n' && *v != '\r')
      u[k++] = *v;
  u[k] = '\0';
  size_t colon = strcspn(u, ":/?#");
  if (u[colon] != ':')
    return 0;
  return !(colon == 4 && strncasecmp(u, "http", 4) == 0) &&
         !(colon == 5 && strncasecmp(u, "https", 5) == 0) &&
         !(colon == 6 && strncasecmp(u, "mailto", 6) == 0);
}

static int allowed(GumboTag t) {
  static const GumboTag ok[] = {
      GUMBO_TAG_P,          GUMBO_TAG_BR,         GUMBO_TAG_H2,
      GUMBO_TAG_H3,         GUMBO_TAG_H4,         GUMBO_TAG_H5,
      GUMBO_TAG_H6,         GUMBO_TAG_STRONG,     GUMBO_TAG_B,
      GUMBO_TAG_EM,         GUMBO_TAG_I,          GUMBO_TAG_U,
      GUMBO_TAG_S,          GUMBO_TAG_DEL,        GUMBO_TAG_INS,
      GUMBO_TAG_MARK,       GUMBO_TAG_SMALL,      GUMBO_TAG_SUB,
      GUMBO_TAG_SUP,        GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_Q,
      GUMBO_TAG_CITE,       GUMBO_TAG_ABBR,       GUMBO_TAG_CODE,
      GUMBO_TAG_PRE,        GUMBO_TAG_KBD,        GUMBO_TAG_UL,
      GUMBO_TAG_OL,         GUMBO_TAG_LI,         GUMBO_TAG_DL,
      GUMBO_TAG_DT,         GUMBO_TAG_DD,         GUMBO_TAG_HR,
      GUMBO_TAG_A,          GUMBO_TAG_IMG,        GUMBO_TAG_FIGURE,
      GUMBO_TAG_FIGCAPTION, GUMBO_TAG_TABLE,      GUMBO_TAG_CAPTION,
      GUMBO_TAG_THEAD,      GUMBO_TAG_TBODY,      GUMBO_TAG_TFOOT,
      GUMBO_TAG_TR,         GUMBO_TAG_TH,         GUMBO_TAG_TD,
      GUMBO_TAG_IFRAME,
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    if (ok[i] == t)
      return 1;
  return 0;
}

/* Walks the re-parsed output without recursion, checking every element. */
static void check_tree(GumboOutput *g, const buf_t *out) {
  const GumboNode *stack[128];
  unsigned next[128];
  size_t n = 1;
  stack[0] = g->root;
  next[0] = 0;
  while (n) {
    const GumboVector *ch = &stack[n - 1]->v.element.children;
    if (next[n - 1] == ch->length) {
      n--;
      continue;
    }
    const GumboNode *c = ch->data[next[n - 1]++];
    if (c->type == GUMBO_NODE_COMMENT)
      fail("a comment", out);
    if (c->type != GUMBO_NODE_ELEMENT && c->type != GUMBO_NODE_TEMPLATE)
      continue;
    const GumboElement *e = &c->v.element;
    if (c->type == GUMBO_NODE_TEMPLATE || !allowed(e->tag) ||
        e->tag_namespace != GUMBO_NAMESPACE_HTML)
      fail("an element not on the allow-list", out);
    for (unsigned i = 0; i < e->attributes.length; i++) {
      const GumboAttribute *a = e->attributes.data[i];
      if (strncasecmp(a->name, "on", 2) == 0)
        fail("an on* attribute", out);
      if ((strcmp(a->name, "href") == 0 || strcmp(a->name, "src") == 0) &&
          runs_code(a->value))
        fail("a URL with a scheme that runs code", out);
    }
    if (e->tag == GUMBO_TAG_BR || e->tag == GUMBO_TAG_HR ||
        e->tag == GUMBO_TAG_IMG || e->tag == GUMBO_TAG_IFRAME)
      continue;   /* leaves: they nest nothing */
    if (n == 101) /* the html root, then at most 100 levels */
      fail("nested deeper than 100", out);
    stack[n] = c;
    next[n++] = 0;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  buf_t out = {0}, again = {0};
  int rc = imp_html_sanitize(s, size, &out);
  if (!utf8_valid(s, size)) {
    if (rc != NB_EINVAL || out.len)
      fail("invalid UTF-8 accepted", &out);
    return 0;
  }
  if (rc != NB_OK) {
    if ((rc != NB_ETOOBIG && rc != NB_ENOMEM) || out.len)
      fail("an unexpected error", &out);
    return 0;
  }
  const char *o = out.data ? out.data : "";
  if (!utf8_valid(o, out.len))
    fail("output not UTF-8", &out);
  if (memmem(o, out.len, "<script", 7) || strcasestr(o, "<script"))
    fail("<script in the output", &out);
  GumboOptions opt = kGumboDefaultOptions;
  opt.fragment_context = GUMBO_TAG_BODY;
  opt.max_errors = 0;
  GumboOutput *g = gumbo_parse_with_options(&opt, o, out.len);
  check_tree(g, &out);
  gumbo_destroy_output(&opt, g);
  if (imp_html_sanitize(o, out.len, &again) != NB_OK || again.len != out.len ||
      memcmp(again.data ? again.data : "", o, out.len) != 0) {
    fprintf(stderr, "again: %s\n", again.data ? again.data : "");
    fail("not idempotent", &out);
  }
  buf_free(&out);
  buf_free(&again);
  return 0;
}
