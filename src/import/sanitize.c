/* import/sanitize.c: the allow-list HTML sanitizer for imported post bodies.
 *
 * Three passes, none of them recursive, each in a file of its own:
 *
 * 1. sanitize_prep.c reads the bytes once, the way the HTML tokenizer does,
 *    and hands gumbo a tamer copy: what is removed anyway dropped, every
 *    element closed explicitly, nesting and attributes bounded (gumbo 0.10.1
 *    is quadratic in both and clones unclosed formatting elements into every
 *    later block: gigabytes from 100 kB).
 * 2. gumbo parses that as the children of <body>, every allocation going
 *    through the tracked allocator below with a memory bound (exceeding it
 *    jumps out and the whole parse is freed at once). sanitize_tree.c walks
 *    the tree and keeps what the allow-list (sanitize_allow.c) allows in a
 *    small output tree, under the content rules that make sanitizing
 *    idempotent.
 * 3. sanitize_write.c serializes that tree, top-level inline content in
 *    paragraphs as WordPress's wpautop gives them. */
#include <gumbo.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdlib.h>

#include "import/import.h"
#include "import/internal.h"

/* gumbo's memory bound: above what real posts need (up to about 31 bytes
 * per byte of HTML for dense lists and tables, 52 for 4 MB of bare <p>),
 * far below what its clone explosion would take (gigabytes). */
#define GUMBO_MEM_BASE (64u << 20)
#define GUMBO_MEM_PER_BYTE 48

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
  imp_html_node root;
  galloc g = {.limit = GUMBO_MEM_BASE + (size_t)GUMBO_MEM_PER_BYTE * n};

  imp_shortcodes(html, n, &codes);
  if (!codes.oom)
    imp_html_prep(codes.data ? codes.data : "", codes.len, &src);
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
  rc = imp_html_tree(parsed->root, &a, &root);
  if (rc == NB_OK)
    rc = imp_html_write(&root, out);
done:
  g_free_all(&g);
  arena_free(&a);
  buf_free(&src);
  buf_free(&codes);
  if (rc != NB_OK && out->data && !out->oom) {
    out->len = start;
    out->data[start] = '\0';
  }
  return rc;
}
