/* text.c: a reader's plain text turned into safe HTML.
 *
 * Comments arrive as plain UTF-8 and leave as HTML that holds only the tags
 * made here: <br>, </p><p> between paragraphs, and links to http(s) URLs.
 * Every byte of the text itself is escaped, so no markup from it survives. */
#include "core/core.h"

#include <string.h>

/* b may be NULL: then nothing is written and only links are counted, so
 * text_count_links makes exactly the decisions buf_text_html makes. */
static void put(buf_t *b, const char *s) {
  if (b)
    buf_puts(b, s);
}

static void put_escaped(buf_t *b, const char *s, size_t n) {
  if (b)
    buf_html_escape(b, s, n);
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static int is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

/* ASCII-only so the locale cannot change which schemes are links. */
static int prefix_nocase(const char *s, size_t n, const char *p) {
  size_t k = strlen(p);
  if (n < k)
    return 0;
  for (size_t i = 0; i < k; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if (c != p[i])
      return 0;
  }
  return 1;
}

/* Printable ASCII but space and the characters that cannot appear in a URL
 * and usually wrap one ("<https://…>", quotes); any non-ASCII byte (Arabic
 * written right after the URL) ends it too. */
static int is_url_char(char c) {
  return c > ' ' && c < 0x7f && c != '<' && c != '>' && c != '"';
}

/* If a link starts at s[i], sets *end just past it and returns 1. The
 * scheme must not be glued to a preceding ASCII word ("xhttp://"). */
static int link_at(const char *s, size_t n, size_t i, size_t *end) {
  size_t k;
  if (i > 0 && is_alnum(s[i - 1]))
    return 0;
  if (prefix_nocase(s + i, n - i, "http://"))
    k = 7;
  else if (prefix_nocase(s + i, n - i, "https://"))
    k = 8;
  else
    return 0;
  size_t body = i + k, e = body;
  /* Brackets are counted once so stripping stays linear. */
  size_t open[3] = {0}, close[3] = {0};
  static const char opens[] = "([{", closes[] = ")]}";
  for (; e < n && is_url_char(s[e]); e++) {
    const char *o = strchr(opens, s[e]), *c = strchr(closes, s[e]);
    if (o)
      open[o - opens]++;
    else if (c)
      close[c - closes]++;
  }
  /* Sentence punctuation after a URL is not part of it; a closing bracket
   * is, when the URL opened it (Wikipedia's "Foo_(bar)"). */
  while (e > body) {
    char c = s[e - 1];
    const char *cl = strchr(closes, c);
    if (cl) {
      size_t b = (size_t)(cl - closes);
      if (close[b] <= open[b])
        break;
      close[b]--;
    } else if (strchr(".,;:!?'\"", c) == NULL) {
      break;
    }
    e--;
  }
  if (e == body)
    return 0; /* a bare "http://" is not a link */
  *end = e;
  return 1;
}

/* One line without its line break: escaped text and links. */
static size_t put_line(buf_t *b, const char *s, size_t n) {
  size_t links = 0, done = 0, end;
  for (size_t i = 0; i < n; i++) {
    if ((s[i] != 'h' && s[i] != 'H') || !link_at(s, n, i, &end))
      continue;
    put_escaped(b, s + done, i - done);
    put(b, "<a href=\"");
    put_escaped(b, s + i, end - i);
    put(b, "\" rel=\"nofollow ugc\">");
    put_escaped(b, s + i, end - i);
    put(b, "</a>");
    links++;
    done = end;
    i = end - 1;
  }
  put_escaped(b, s + done, n - done);
  return links;
}

static size_t render(buf_t *b, const char *s, size_t n) {
  size_t links = 0, breaks = 0, i = 0;
  int started = 0;
  while (i < n) {
    size_t start = i;
    int blank = 1;
    for (; i < n && s[i] != '\n' && s[i] != '\r'; i++)
      if (!is_space(s[i]))
        blank = 0;
    size_t len = i - start;
    if (!blank) {
      /* Blank lines before the first and after the last line of text are
       * dropped because they are only written between two lines of text. */
      if (started)
        put(b, breaks >= 2 ? "</p>\n<p>" : "<br>\n");
      links += put_line(b, s + start, len);
      started = 1;
      breaks = 0;
    }
    if (i < n) {
      /* "\r\n", "\n" and a lone "\r" are each one line break. */
      if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
        i++;
      i++;
      breaks++;
    }
  }
  return links;
}

size_t buf_text_html(buf_t *b, const char *s, size_t n) {
  return render(b, s, n);
}

size_t text_count_links(const char *s, size_t n) {
  return render(NULL, s, n);
}
