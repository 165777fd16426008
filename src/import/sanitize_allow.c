/* import/sanitize_allow.c: the sanitizer's allow-list (import.h lists it):
 * which elements are kept, unwrapped or removed with their content, which
 * attributes and URLs a kept one keeps, and the classes of the output's
 * elements that the content rules of sanitize_tree.c and the paragraphs of
 * sanitize_write.c follow. */
#include <gumbo.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "import/internal.h"

/* ---------------------------------------------------------- tag classes */

int imp_html_is_void(GumboTag t) {
  return t == GUMBO_TAG_BR || t == GUMBO_TAG_HR || t == GUMBO_TAG_IMG ||
         t == GUMBO_TAG_IFRAME;
}

/* Elements whose start tag closes an open p: never inside a p. */
int imp_html_closes_p(GumboTag t) {
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
int imp_html_is_block(GumboTag t) {
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
    return imp_html_closes_p(t);
  }
}

/* Elements that break lines when shown: unwrapped, they still end a
 * paragraph (a BREAK in the output tree). */
int imp_html_breaks_line(GumboTag t) {
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
    return imp_html_is_block(t);
  }
}

/* ------------------------------------------------------- URLs, escaping */

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
  return url_kind(u, n) == URL_OTHER_SITE && u[0] != '/' && u[0] != '\\' &&
         nb_url_allowed(u, n);
}

/* What a link may lead to: the one URL rule (core), or an address to
 * write to. */
static int link_ok(const char *u, size_t n, int kind) {
  return kind != URL_BAD &&
         (nb_url_allowed(u, n) || (n > 7 && strncasecmp(u, "mailto:", 7) == 0 &&
                                   !memchr(u, ' ', n) && !memchr(u, '\\', n)));
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
void imp_html_escape(buf_t *b, const char *s, size_t n) {
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
  imp_html_escape(b, v, n);
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

/* ------------------------------------------------------------- elements */

/* a: kept with a safe href (unwrapped without one), its title, and
 * rel="nofollow noopener" when it leads to another site. */
static int judge_link(const GumboElement *e, buf_t *out, buf_t *url) {
  const char *href = attr(e, "href");
  if (!href)
    return IMP_HTML_UNWRAP;
  url_clean(url, href);
  int k = url_kind(url->data, url->len);
  if (!link_ok(url->data, url->len, k))
    return IMP_HTML_UNWRAP;
  put_attr(out, "href", url->data, url->len);
  put_text_attr(out, e, "title");
  if (k == URL_OTHER_SITE)
    buf_puts(out, " rel=\"nofollow noopener\"");
  return IMP_HTML_KEEP;
}

/* img: only from http(s); removed without one. */
static int judge_image(const GumboElement *e, buf_t *out, buf_t *url) {
  const char *src = attr(e, "src");
  if (!src)
    return IMP_HTML_DROP;
  url_clean(url, src);
  if (!is_http(url->data, url->len))
    return IMP_HTML_DROP;
  put_attr(out, "src", url->data, url->len);
  put_text_attr(out, e, "alt");
  put_number(out, e, "width");
  put_number(out, e, "height");
  return IMP_HTML_KEEP;
}

/* iframe: only the players of YouTube and Vimeo, loaded lazily. */
static int judge_iframe(const GumboElement *e, buf_t *out, buf_t *url) {
  const char *src = attr(e, "src");
  if (!src)
    return IMP_HTML_DROP;
  url_clean(url, src);
  if (!iframe_ok(url->data, url->len) || !nb_url_allowed(url->data, url->len))
    return IMP_HTML_DROP;
  put_attr(out, "src", url->data, url->len);
  put_number(out, e, "width");
  put_number(out, e, "height");
  put_text_attr(out, e, "title");
  buf_puts(out, " loading=\"lazy\"");
  return IMP_HTML_KEEP;
}

static int judge(const GumboElement *e, buf_t *out, buf_t *url) {
  if (e->tag_namespace != GUMBO_NAMESPACE_HTML)
    return IMP_HTML_DROP;
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
    return IMP_HTML_DROP;
  case GUMBO_TAG_A:
    return judge_link(e, out, url);
  case GUMBO_TAG_IMG:
    return judge_image(e, out, url);
  case GUMBO_TAG_IFRAME:
    return judge_iframe(e, out, url);
  case GUMBO_TAG_TD:
  case GUMBO_TAG_TH:
    put_number(out, e, "colspan");
    put_number(out, e, "rowspan");
    return IMP_HTML_KEEP;
  case GUMBO_TAG_OL:
    put_number(out, e, "start");
    return IMP_HTML_KEEP;
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
    return IMP_HTML_KEEP;
  default:
    return IMP_HTML_UNWRAP;
  }
}

/* The text direction a writer set on an element (the newsroom's editor
 * marks each paragraph rtl or ltr): kept when it is one of the three
 * values, in any case. */
static void put_dir(buf_t *b, const GumboElement *e) {
  static const char *const dirs[] = {"rtl", "ltr", "auto"};
  const char *v = attr(e, "dir");
  for (size_t i = 0; v && i < sizeof dirs / sizeof *dirs; i++)
    if (strcasecmp(v, dirs[i]) == 0) {
      put_attr(b, "dir", dirs[i], strlen(dirs[i]));
      return;
    }
}

int imp_html_judge(const GumboElement *e, buf_t *out, buf_t *url) {
  int verdict = judge(e, out, url);
  if (verdict == IMP_HTML_KEEP)
    put_dir(out, e);
  return verdict;
}
