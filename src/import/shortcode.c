/* shortcode.c: WordPress's own shortcodes in imported posts, made into
 * the HTML they stand for before the sanitizer parses the post. Left as
 * they are, every captioned image of a classic-editor post would show
 * "[caption id=...]" around it.
 *   [caption ...] (and [wp_caption ...]) around <img> or <a><img></a> and
 *     the caption text, or with the older caption="..." attribute
 *     -> <figure>image<figcaption>text</figcaption></figure>
 *   [embed]URL[/embed] -> a YouTube or Vimeo player, else a link
 *   [audio ...], [video ...] -> a link to the file (src, mp3, mp4, ...)
 *   [gallery ...] -> removed here; imp_shortcode_galleries() says which
 *     images it showed, and the importer adds them at the end of the
 *     post once the attachments are known
 *   [playlist ...] -> removed: it lists the site's media
 * Only text outside tags is read; any other bracketed text (plugins'
 * shortcodes, brackets writers type) stays as it is. An opening shortcode
 * whose closing one never comes is taken as self-closing; stray closing
 * ones go. The sanitizer writes every '[' of text as "&#91;", so its
 * output holds no shortcode and sanitizing it again changes nothing. */
#include <stdio.h>
#include <string.h>

#include "import/import.h"
#include "import/internal.h"

#define NAME_MAX_LEN 16 /* longest name looked at ("wp_caption") */
#define OPEN_MAX 4096   /* bytes of an opening shortcode, brackets included */

enum { SC_CAPTION, SC_EMBED, SC_AUDIO, SC_VIDEO, SC_GALLERY, SC_REMOVE };

static const struct {
  const char *name;
  int kind;
} codes[] = {
    {"caption", SC_CAPTION}, {"wp_caption", SC_CAPTION},
    {"embed", SC_EMBED},     {"audio", SC_AUDIO},
    {"video", SC_VIDEO},     {"gallery", SC_GALLERY},
    {"playlist", SC_REMOVE},
};
#define NCODES (sizeof codes / sizeof codes[0])

typedef struct {
  const char *s;
  size_t n;
  buf_t *out;
  imp_galleries *g; /* NULL, or where the galleries' images are noted */
  /* per code: where its next "[/name]" starts at or after the scan, n
   * when there is none; searched again only once the scan passes it, so
   * the whole pass stays linear. */
  size_t next_close[NCODES], searched_from[NCODES];
} scan;

static int is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || c == '_';
}

/* The code named at s[i] (just after '[' or "[/"), or -1. */
static int code_at(const scan *sc, size_t i, size_t *len) {
  size_t k = 0;
  while (i + k < sc->n && k <= NAME_MAX_LEN && is_name_char(sc->s[i + k]))
    k++;
  if (k == 0 || k > NAME_MAX_LEN || i + k >= sc->n)
    return -1;
  char end = sc->s[i + k];
  if (end != ']' && end != ' ' && end != '\t' && end != '\n' && end != '/')
    return -1;
  for (size_t c = 0; c < NCODES; c++)
    if (strlen(codes[c].name) == k &&
        memcmp(codes[c].name, sc->s + i, k) == 0) {
      *len = k;
      return (int)c;
    }
  return -1;
}

/* Where "[/name]" of code c starts at or after from, or sc->n. */
static size_t closer(scan *sc, int c, size_t from) {
  if (sc->searched_from[c] <= from && sc->next_close[c] >= from)
    return sc->next_close[c];
  char pat[NAME_MAX_LEN + 4];
  size_t np = (size_t)snprintf(pat, sizeof pat, "[/%s]", codes[c].name);
  const char *hit = memmem(sc->s + from, sc->n - from, pat, np);
  sc->searched_from[c] = from;
  sc->next_close[c] = hit ? (size_t)(hit - sc->s) : sc->n;
  return sc->next_close[c];
}

/* The value of attribute name in the opening shortcode a[0..n), quoted
 * with " or ' or bare; NULL if absent. */
static const char *attr_of(const char *a, size_t n, const char *name,
                           size_t *len) {
  size_t k = strlen(name);
  for (size_t i = 0; i + k < n; i++) {
    if ((i > 0 && a[i - 1] != ' ' && a[i - 1] != '\t' && a[i - 1] != '\n') ||
        memcmp(a + i, name, k) != 0 || a[i + k] != '=')
      continue;
    size_t v = i + k + 1, e;
    char q = v < n && (a[v] == '"' || a[v] == '\'') ? a[v++] : 0;
    for (e = v; e < n && (q ? a[e] != q : a[e] != ' ' && a[e] != ']'); e++)
      ;
    *len = e - v;
    return a + v;
  }
  return NULL;
}

/* A link to url, as a paragraph of its own. */
static void link(buf_t *out, const char *url, size_t n) {
  buf_puts(out, "<p><a href=\"");
  buf_html_escape(out, url, n);
  buf_puts(out, "\">");
  buf_html_escape(out, url, n);
  buf_puts(out, "</a></p>");
}

static int id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* The video id after prefix p in u[0..n), made of chars ok accepts. */
static size_t video_id(const char *u, size_t n, const char *p, int digits,
                       const char **id) {
  const char *at = memmem(u, n, p, strlen(p));
  if (!at)
    return 0;
  size_t i = (size_t)(at - u) + strlen(p), k = 0;
  while (i + k < n &&
         (digits ? u[i + k] >= '0' && u[i + k] <= '9' : id_char(u[i + k])))
    k++;
  *id = u + i;
  return k >= 6 && k <= 20 ? k : 0;
}

static void embed(buf_t *out, const char *u, size_t n) {
  while (n && (*u == ' ' || *u == '\n' || *u == '\t'))
    u++, n--;
  while (n && (u[n - 1] == ' ' || u[n - 1] == '\n' || u[n - 1] == '\t'))
    n--;
  const char *id;
  size_t k;
  if ((k = video_id(u, n, "youtube.com/watch?v=", 0, &id)) ||
      (k = video_id(u, n, "youtu.be/", 0, &id)) ||
      (k = video_id(u, n, "youtube.com/embed/", 0, &id)))
    buf_printf(out,
               "<iframe src=\"https://www.youtube.com/embed/%.*s\""
               " title=\"YouTube\"></iframe>",
               (int)k, id);
  else if ((k = video_id(u, n, "vimeo.com/", 1, &id)))
    buf_printf(out,
               "<iframe src=\"https://player.vimeo.com/video/%.*s\""
               " title=\"Vimeo\"></iframe>",
               (int)k, id);
  else if (n)
    link(out, u, n);
}

/* The image (<img>, or <a><img></a>) at the start of c[0..n), after
 * blanks: its length from c, 0 if there is none. */
static size_t image_part(const char *c, size_t n) {
  size_t i = 0;
  while (i < n && (c[i] == ' ' || c[i] == '\n' || c[i] == '\t'))
    i++;
  int linked = n - i > 3 && memcmp(c + i, "<a ", 3) == 0;
  if (linked) {
    const char *gt = memchr(c + i, '>', n - i);
    if (!gt)
      return 0;
    i = (size_t)(gt - c) + 1;
    while (i < n && (c[i] == ' ' || c[i] == '\n' || c[i] == '\t'))
      i++;
  }
  if (n - i < 5 || memcmp(c + i, "<img ", 5) != 0)
    return 0;
  const char *gt = memchr(c + i, '>', n - i);
  if (!gt)
    return 0;
  i = (size_t)(gt - c) + 1;
  if (linked) {
    const char *end = memmem(c + i, n - i, "</a>", 4);
    if (!end)
      return 0;
    i = (size_t)(end - c) + 4;
  }
  return i;
}

static void caption(buf_t *out, const char *a, size_t na, const char *c,
                    size_t n) {
  /* caption="...": the content is the image; else the image, then text */
  size_t nt = 0, media = n;
  const char *text = attr_of(a, na, "caption", &nt);
  if (!text) {
    media = image_part(c, n);
    text = c + media;
    nt = n - media;
  }
  buf_puts(out, "<figure>");
  buf_append(out, c, media);
  if (nt) {
    buf_puts(out, "<figcaption>");
    buf_append(out, text, nt);
    buf_puts(out, "</figcaption>");
  }
  buf_puts(out, "</figure>");
}

static void media(buf_t *out, const char *a, size_t na) {
  static const char *const keys[] = {"src", "mp3", "m4a", "ogg",  "wav",
                                     "wma", "mp4", "m4v", "webm", "ogv",
                                     "wmv", "flv", "mov"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    size_t n;
    const char *v = attr_of(a, na, keys[i], &n);
    if (v && n) {
      link(out, v, n);
      return;
    }
  }
}

/* Notes the images of a gallery: its ids="1,2,3", or without ids the
 * images attached to the post. */
static void gallery(imp_galleries *g, const char *a, size_t na) {
  size_t n;
  const char *ids = attr_of(a, na, "ids", &n);
  if (!ids) {
    g->attached = 1;
    return;
  }
  for (size_t i = 0; i < n && g->n < IMP_GALLERY_MAX;) {
    int64_t v = 0;
    size_t d = 0;
    while (i + d < n && ids[i + d] >= '0' && ids[i + d] <= '9' && d < 18)
      v = v * 10 + (ids[i + d++] - '0');
    if (v > 0)
      g->ids[g->n++] = v;
    i += d ? d : 1;
  }
}

/* Handles the shortcode whose '[' is at s[i]; returns where the scan goes
 * on, or i when there is none to handle there. */
static size_t shortcode(scan *sc, size_t i) {
  size_t len, k = i + 1;
  int closing = k < sc->n && sc->s[k] == '/';
  int c = code_at(sc, k + closing, &len);
  if (c < 0)
    return i;
  size_t lim = sc->n - i < OPEN_MAX ? sc->n : i + OPEN_MAX;
  const char *end = memchr(sc->s + i, ']', lim - i);
  if (!end)
    return i;
  size_t after = (size_t)(end - sc->s) + 1;
  if (closing)
    return after; /* a stray closing shortcode: dropped */
  const char *a = sc->s + k + len;
  size_t na = (size_t)(end - a);
  /* How far its closing shortcode may be: gallery and playlist never
   * have one, a URL or a player's fallback text is short. */
  size_t reach = codes[c].kind == SC_CAPTION ? IMP_HTML_MAX
                 : codes[c].kind == SC_GALLERY || codes[c].kind == SC_REMOVE
                     ? 0
                     : OPEN_MAX;
  size_t close = reach ? closer(sc, c, after) : sc->n;
  if (close < sc->n && close - after > reach)
    close = sc->n;
  const char *body = sc->s + after;
  size_t nb = close < sc->n ? close - after : 0;
  size_t next = close < sc->n ? close + strlen(codes[c].name) + 3 : after;
  switch (codes[c].kind) {
  case SC_CAPTION:
    caption(sc->out, a, na, body, nb);
    break;
  case SC_EMBED:
    embed(sc->out, body, nb);
    break;
  case SC_AUDIO:
  case SC_VIDEO:
    media(sc->out, a, na);
    break;
  case SC_GALLERY:
    if (sc->g)
      gallery(sc->g, a, na);
    break;
  default:
    break;
  }
  return next;
}

static void run(const char *s, size_t n, buf_t *out, imp_galleries *g) {
  scan sc = {.s = s, .n = n, .out = out, .g = g};
  size_t i = 0, run = 0;
  while (i < n) {
    if (s[i] == '<') { /* a tag or comment: not text */
      const char *gt = n - i > 3 && memcmp(s + i, "<!--", 4) == 0
                           ? memmem(s + i, n - i, "-->", 3)
                           : memchr(s + i, '>', n - i);
      i = gt ? (size_t)(gt - s) + 1 : n;
      continue;
    }
    if (s[i] != '[') {
      i++;
      continue;
    }
    buf_append(out, s + run, i - run);
    run = i;
    size_t next = shortcode(&sc, i); /* writes what stands for s[i..next) */
    if (next == i) {
      i++;
      continue;
    }
    run = i = next;
  }
  buf_append(out, s + run, n - run);
}

void imp_shortcodes(const char *s, size_t n, buf_t *out) {
  run(s, n, out, NULL);
}

void imp_shortcode_galleries(const char *html, size_t n, imp_galleries *g) {
  buf_t scratch = {0};
  memset(g, 0, sizeof *g);
  run(html, n, &scratch, g);
  buf_free(&scratch);
}
