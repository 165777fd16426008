/* wxr.c: a WordPress export (WXR 1.0 to 1.2) read as a stream.
 *
 * libxml2's xmlReader walks the file node by node, so memory stays the size
 * of one item (a post and its comments) whatever the size of the export.
 * Each author, term and item is handed to the caller as soon as it ends,
 * from an arena emptied after the call. The reader is safe with hostile
 * files: no network, no external entities, no DTD at all (WordPress never
 * writes one; refusing it stops entity expansion tricks), libxml2's size
 * limits kept, and a field over its own limit stops the read with a clear
 * message. Elements are recognised by namespace, not by prefix. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "import/import.h"

#define FIELD_MAX (4 * 1024 * 1024) /* bytes of one element's text */
/* libxml2 compares each attribute of a start tag with those before it
 * (quadratic: 200,000 cost minutes) before the reader sees the element,
 * so the bytes are counted on their way in and such a tag never reaches
 * the parser. WordPress writes at most a dozen, all namespaces. */
#define ATTRS_MAX 256
#define DEPTH_MAX 64                    /* WordPress nests 5 deep */
#define ELEMENTS_MAX INT64_C(100000000) /* a 100,000-post export: ~10M */
#define ITEM_TERMS_MAX 10000
#define ITEM_COMMENTS_MAX 1000000

/* What the byte scan (scan()) is in. */
enum { S_TEXT, S_LT, S_BANG, S_COMMENT, S_CDATA, S_PI, S_DECL, S_END, S_TAG };

typedef struct {
  int state;
  char quote;         /* in a tag, inside "..." or '...' */
  unsigned char last; /* the byte before, in a tag */
  unsigned char bang; /* the byte after "<!" */
  size_t match;       /* of "--" or "[CDATA[" after "<!" */
  unsigned tail;      /* the last bytes, for "-->", "]]>", "?>" */
  int64_t line, tag_line, attrs, depth, elements;
} scanner;

/* Parser options: recover nothing, fetch nothing, expand nothing, and
 * libxml2's own size and depth limits kept (no XML_PARSE_HUGE). */
#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOBLANKS)

/* Namespaces, by the start of their URI (versions differ after it). */
enum { NS_NONE, NS_WP, NS_CONTENT, NS_EXCERPT, NS_DC, NS_OTHER };

typedef struct {
  xmlTextReaderPtr r;
  const imp_wxr_handler *h;
  arena_t a;   /* the current author, term or item */
  arena_t top; /* the channel's fields, for the whole read */
  imp_wxr_site site;
  int site_sent, stopped;
  int at; /* the last move: 1 on a node, 0 at the end, -1 on an error */
  char *err;
  size_t errlen;
  int rc;
  FILE *f;         /* the file, or */
  const char *mem; /* the export in memory */
  size_t mem_n, mem_at;
  scanner sc;
} reader;

static int ns_of(xmlTextReaderPtr r) {
  const char *uri = (const char *)xmlTextReaderConstNamespaceUri(r);
  if (!uri)
    return NS_NONE;
  const char *p = strstr(uri, "://");
  p = p ? p + 3 : uri;
  if (strncmp(p, "wordpress.org/export/", 21) == 0)
    return strstr(p + 21, "excerpt") ? NS_EXCERPT : NS_WP;
  if (strcmp(p, "purl.org/rss/1.0/modules/content/") == 0)
    return NS_CONTENT;
  if (strcmp(p, "purl.org/dc/elements/1.1/") == 0)
    return NS_DC;
  return NS_OTHER;
}

/* Moves to the next node (move) or past the current element (skip),
 * remembering where that left the reader: xmlTextReaderReadState() says
 * EOF as soon as the parser has read the file's last bytes, while nodes
 * it made from them are still to come. */
static int move(reader *rd) {
  return rd->at = xmlTextReaderRead(rd->r);
}

static int skip(reader *rd) {
  return rd->at = xmlTextReaderNext(rd->r);
}

/* The current element is ns:name. */
static int is(xmlTextReaderPtr r, int ns, const char *name) {
  const char *local = (const char *)xmlTextReaderConstLocalName(r);
  return local && strcmp(local, name) == 0 && ns_of(r) == ns;
}

static int fail(reader *rd, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(reader *rd, int rc, const char *fmt, ...) {
  if (rd->rc != NB_OK)
    return rd->rc; /* the first error is the one that tells */
  va_list ap;
  int line = rd->r ? xmlTextReaderGetParserLineNumber(rd->r) : 0;
  char msg[400];
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (rd->err && rd->errlen)
    snprintf(rd->err, rd->errlen, "line %d: %s", line, msg);
  rd->rc = rc;
  return rc;
}

/* libxml2's own errors (not well-formed, bad encoding, truncated). */
static void on_xml_error(void *arg, const char *msg,
                         xmlParserSeverities severity,
                         xmlTextReaderLocatorPtr loc) {
  reader *rd = arg;
  (void)loc;
  if (severity != XML_PARSER_SEVERITY_ERROR &&
      severity != XML_PARSER_SEVERITY_VALIDITY_ERROR)
    return;
  size_t n = strlen(msg);
  while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
    n--;
  fail(rd, NB_EINVAL, "not a well-formed XML file: %.*s", (int)n, msg);
}

/* The text of the current element (its text and CDATA, children's
 * included), from the arena; moves past the element. "" when empty. */
static const char *text(reader *rd, arena_t *a) {
  xmlChar *s = xmlTextReaderReadString(rd->r);
  const char *out;
  size_t n = s ? strlen((const char *)s) : 0;
  if (n > FIELD_MAX) {
    xmlFree(s);
    fail(rd, NB_ETOOBIG, "an element's text is over %d bytes", FIELD_MAX);
    return "";
  }
  /* libxml2 2.9 lets an overlong sequence (0xC0 0xB9) through as UTF-8:
   * nothing that is not UTF-8 goes further than here. */
  if (s && !utf8_valid((const char *)s, n)) {
    xmlFree(s);
    fail(rd, NB_EINVAL, "text that is not UTF-8");
    return "";
  }
  out = arena_strndup(a, s ? (const char *)s : "", n);
  xmlFree(s);
  if (!out)
    fail(rd, NB_ENOMEM, "out of memory");
  if (skip(rd) < 0)
    fail(rd, NB_EINVAL, "the file ends inside an element");
  return out ? out : "";
}

static int64_t number(const char *s) {
  int64_t v = 0;
  size_t n = strlen(s), b = 0;
  while (b < n && (s[b] == ' ' || s[b] == '\n' || s[b] == '\t'))
    b++;
  while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
    n--;
  if (nb_parse_i64(s + b, n - b, 0, INT64_MAX, &v) != NB_OK)
    return 0;
  return v;
}

/* Reads the children of the current element (a container) with fn, which
 * handles one child element and must move past it (text() does); other
 * nodes are skipped. Returns when the container ends. */
typedef void (*child_fn)(reader *rd, void *out);

static void children(reader *rd, child_fn fn, void *out) {
  int depth = xmlTextReaderDepth(rd->r);
  if (xmlTextReaderIsEmptyElement(rd->r)) {
    move(rd);
    return;
  }
  int ret = move(rd);
  while (ret == 1 && rd->rc == NB_OK) {
    int type = xmlTextReaderNodeType(rd->r);
    int d = xmlTextReaderDepth(rd->r);
    if (d <= depth) { /* the container's end */
      move(rd);
      return;
    }
    if (type == XML_READER_TYPE_ELEMENT && d == depth + 1) {
      fn(rd, out);
      ret = 1;
      continue;
    }
    ret = move(rd);
  }
  if (ret < 0)
    fail(rd, NB_EINVAL, "the file ends inside an element");
}

/* ---- the channel ---- */

static void author_child(reader *rd, void *out) {
  imp_wxr_author *au = out;
  xmlTextReaderPtr r = rd->r;
  const char **to = is(r, NS_WP, "author_login")          ? &au->login
                    : is(r, NS_WP, "author_email")        ? &au->email
                    : is(r, NS_WP, "author_display_name") ? &au->display_name
                    : is(r, NS_WP, "author_first_name")   ? &au->first_name
                    : is(r, NS_WP, "author_last_name")    ? &au->last_name
                                                          : NULL;
  if (to)
    *to = text(rd, &rd->a);
  else if (is(r, NS_WP, "author_id"))
    au->id = number(text(rd, &rd->a));
  else
    skip(rd);
}

static void term_child(reader *rd, void *out) {
  imp_wxr_term *t = out;
  xmlTextReaderPtr r = rd->r;
  const char **to =
      is(r, NS_WP, "category_nicename") || is(r, NS_WP, "tag_slug") ||
              is(r, NS_WP, "term_slug")
          ? &t->slug
      : is(r, NS_WP, "cat_name") || is(r, NS_WP, "tag_name") ||
              is(r, NS_WP, "term_name")
          ? &t->name
      : is(r, NS_WP, "category_parent") || is(r, NS_WP, "term_parent")
          ? &t->parent
      : is(r, NS_WP, "category_description") ||
              is(r, NS_WP, "tag_description") ||
              is(r, NS_WP, "term_description")
          ? &t->description
      : is(r, NS_WP, "term_taxonomy") ? &t->taxonomy
                                      : NULL;
  if (to)
    *to = text(rd, &rd->a);
  else if (is(r, NS_WP, "term_id"))
    t->term_id = number(text(rd, &rd->a));
  else
    skip(rd);
}

/* The site's fields come first; it is handed over before anything else. */
static void send_site(reader *rd) {
  if (rd->site_sent || rd->rc != NB_OK)
    return;
  rd->site_sent = 1;
  imp_wxr_site *st = &rd->site;
  const char **f[] = {&st->title,        &st->link,        &st->description,
                      &st->language,     &st->wxr_version, &st->base_site_url,
                      &st->base_blog_url};
  for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
    if (!*f[k])
      *f[k] = ""; /* as every string the handler gets */
  int cb = rd->h->site ? rd->h->site(rd->h->ctx, &rd->site) : NB_OK;
  if (cb != NB_OK)
    fail(rd, cb, "stopped by the importer");
}

/* ---- items ---- */

typedef struct {
  imp_wxr_item it;
  size_t cap_terms, cap_comments;
  const char *meta_key, *meta_value;
} item_build;

static void comment_child(reader *rd, void *out) {
  imp_wxr_comment *c = out;
  xmlTextReaderPtr r = rd->r;
  const char **to = is(r, NS_WP, "comment_author")         ? &c->author
                    : is(r, NS_WP, "comment_author_email") ? &c->email
                    : is(r, NS_WP, "comment_author_url")   ? &c->url
                    : is(r, NS_WP, "comment_author_IP")    ? &c->ip
                    : is(r, NS_WP, "comment_date")         ? &c->date
                    : is(r, NS_WP, "comment_date_gmt")     ? &c->date_gmt
                    : is(r, NS_WP, "comment_content")      ? &c->content
                    : is(r, NS_WP, "comment_approved")     ? &c->approved
                    : is(r, NS_WP, "comment_type")         ? &c->type
                                                           : NULL;
  if (to)
    *to = text(rd, &rd->a);
  else if (is(r, NS_WP, "comment_id"))
    c->id = number(text(rd, &rd->a));
  else if (is(r, NS_WP, "comment_parent"))
    c->parent = number(text(rd, &rd->a));
  else if (is(r, NS_WP, "comment_user_id"))
    c->user_id = number(text(rd, &rd->a));
  else
    skip(rd);
}

static void meta_child(reader *rd, void *out) {
  item_build *b = out;
  if (is(rd->r, NS_WP, "meta_key"))
    b->meta_key = text(rd, &rd->a);
  else if (is(rd->r, NS_WP, "meta_value"))
    b->meta_value = text(rd, &rd->a);
  else
    skip(rd);
}

static void *grow_array(reader *rd, void *p, size_t *cap, size_t n, size_t size,
                        size_t max, const char *what) {
  if (n < *cap)
    return p;
  if (n >= max) {
    fail(rd, NB_ETOOBIG, "an item has more than %zu %s", max, what);
    return NULL;
  }
  size_t ncap = *cap ? *cap * 2 : 8;
  void *q = arena_alloc(&rd->a, ncap * size);
  if (!q) {
    fail(rd, NB_ENOMEM, "out of memory");
    return NULL;
  }
  if (n)
    memcpy(q, p, n * size);
  *cap = ncap;
  return q;
}

static void item_child(reader *rd, void *out) {
  item_build *b = out;
  imp_wxr_item *it = &b->it;
  xmlTextReaderPtr r = rd->r;
  const char **to = is(r, NS_NONE, "title")          ? &it->title
                    : is(r, NS_NONE, "link")         ? &it->link
                    : is(r, NS_NONE, "guid")         ? &it->guid
                    : is(r, NS_NONE, "pubDate")      ? &it->pub_date
                    : is(r, NS_DC, "creator")        ? &it->creator
                    : is(r, NS_CONTENT, "encoded")   ? &it->content
                    : is(r, NS_EXCERPT, "encoded")   ? &it->excerpt
                    : is(r, NS_WP, "post_date")      ? &it->date
                    : is(r, NS_WP, "post_date_gmt")  ? &it->date_gmt
                    : is(r, NS_WP, "post_name")      ? &it->slug
                    : is(r, NS_WP, "status")         ? &it->status
                    : is(r, NS_WP, "post_type")      ? &it->type
                    : is(r, NS_WP, "post_password")  ? &it->password
                    : is(r, NS_WP, "attachment_url") ? &it->attachment_url
                    : is(r, NS_WP, "comment_status") ? &it->comment_status
                                                     : NULL;
  if (to) {
    *to = text(rd, &rd->a);
  } else if (is(r, NS_WP, "post_id")) {
    it->id = number(text(rd, &rd->a));
  } else if (is(r, NS_WP, "post_parent")) {
    it->parent = number(text(rd, &rd->a));
  } else if (is(r, NS_WP, "menu_order")) {
    it->menu_order = number(text(rd, &rd->a));
  } else if (is(r, NS_WP, "is_sticky")) {
    it->sticky = number(text(rd, &rd->a)) != 0;
  } else if (is(r, NS_NONE, "category")) {
    xmlChar *domain = xmlTextReaderGetAttribute(r, (const xmlChar *)"domain");
    xmlChar *nice = xmlTextReaderGetAttribute(r, (const xmlChar *)"nicename");
    imp_wxr_term t = {0};
    t.taxonomy = arena_strdup(&rd->a, domain ? (const char *)domain : "");
    t.slug = arena_strdup(&rd->a, nice ? (const char *)nice : "");
    xmlFree(domain);
    xmlFree(nice);
    t.name = text(rd, &rd->a);
    if (!t.taxonomy || !t.slug) {
      fail(rd, NB_ENOMEM, "out of memory");
      return;
    }
    it->terms = grow_array(rd, it->terms, &b->cap_terms, it->nterms,
                           sizeof *it->terms, ITEM_TERMS_MAX, "categories");
    if (it->terms)
      it->terms[it->nterms++] = t;
  } else if (is(r, NS_WP, "comment")) {
    imp_wxr_comment c = {0};
    children(rd, comment_child, &c);
    it->comments =
        grow_array(rd, it->comments, &b->cap_comments, it->ncomments,
                   sizeof *it->comments, ITEM_COMMENTS_MAX, "comments");
    if (it->comments)
      it->comments[it->ncomments++] = c;
  } else if (is(r, NS_WP, "postmeta")) {
    b->meta_key = b->meta_value = NULL;
    children(rd, meta_child, b);
    if (b->meta_key && b->meta_value &&
        strcmp(b->meta_key, "_thumbnail_id") == 0)
      it->thumbnail_id = number(b->meta_value);
    if (b->meta_key && b->meta_value &&
        strcmp(b->meta_key, "_naba_image_url") == 0)
      it->image_url = b->meta_value; /* written by imp_wxr_export() */
  } else {
    skip(rd);
  }
}

/* Empty strings for what the item did not say, so callers need no NULL
 * checks. */
static void item_defaults(imp_wxr_item *it) {
  const char **fields[] = {
      &it->title,    &it->link,           &it->guid,           &it->pub_date,
      &it->creator,  &it->content,        &it->excerpt,        &it->date,
      &it->date_gmt, &it->slug,           &it->status,         &it->type,
      &it->password, &it->attachment_url, &it->comment_status, &it->image_url};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (!*fields[i])
      *fields[i] = "";
  for (size_t i = 0; i < it->nterms; i++) {
    imp_wxr_term *t = &it->terms[i];
    const char **tf[] = {&t->taxonomy, &t->slug, &t->name, &t->parent,
                         &t->description};
    for (size_t k = 0; k < sizeof tf / sizeof tf[0]; k++)
      if (!*tf[k])
        *tf[k] = "";
  }
  for (size_t i = 0; i < it->ncomments; i++) {
    imp_wxr_comment *c = &it->comments[i];
    const char **cf[] = {&c->author,  &c->email,    &c->url,
                         &c->ip,      &c->date,     &c->date_gmt,
                         &c->content, &c->approved, &c->type};
    for (size_t k = 0; k < sizeof cf / sizeof cf[0]; k++)
      if (!*cf[k])
        *cf[k] = "";
  }
}

static void site_child(reader *rd) {
  xmlTextReaderPtr r = rd->r;
  imp_wxr_site *s = &rd->site;
  const char **to = is(r, NS_NONE, "title")         ? &s->title
                    : is(r, NS_NONE, "link")        ? &s->link
                    : is(r, NS_NONE, "description") ? &s->description
                    : is(r, NS_NONE, "language")    ? &s->language
                    : is(r, NS_WP, "wxr_version")   ? &s->wxr_version
                    : is(r, NS_WP, "base_site_url") ? &s->base_site_url
                    : is(r, NS_WP, "base_blog_url") ? &s->base_blog_url
                                                    : NULL;
  if (to) {
    *to = text(rd, &rd->top);
    return;
  }
  if (is(r, NS_WP, "author")) {
    send_site(rd);
    imp_wxr_author au = {0};
    children(rd, author_child, &au);
    const char **f[] = {&au.login, &au.email, &au.display_name, &au.first_name,
                        &au.last_name};
    for (size_t i = 0; i < 5; i++)
      if (!*f[i])
        *f[i] = "";
    int cb = rd->rc == NB_OK && rd->h->author ? rd->h->author(rd->h->ctx, &au)
                                              : NB_OK;
    if (cb != NB_OK)
      fail(rd, cb, "stopped by the importer");
  } else if (is(r, NS_WP, "category") || is(r, NS_WP, "tag") ||
             is(r, NS_WP, "term")) {
    send_site(rd);
    imp_wxr_term t = {0};
    t.taxonomy = is(r, NS_WP, "category") ? "category"
                 : is(r, NS_WP, "tag")    ? "post_tag"
                                          : NULL;
    children(rd, term_child, &t);
    const char **f[] = {&t.slug, &t.name, &t.parent, &t.description,
                        &t.taxonomy};
    for (size_t i = 0; i < 5; i++)
      if (!*f[i])
        *f[i] = "";
    int cb =
        rd->rc == NB_OK && rd->h->term ? rd->h->term(rd->h->ctx, &t) : NB_OK;
    if (cb != NB_OK)
      fail(rd, cb, "stopped by the importer");
  } else if (is(r, NS_NONE, "item")) {
    send_site(rd);
    item_build b = {0};
    children(rd, item_child, &b);
    item_defaults(&b.it);
    int cb =
        rd->rc == NB_OK && rd->h->item ? rd->h->item(rd->h->ctx, &b.it) : NB_OK;
    if (cb != NB_OK)
      fail(rd, cb, "stopped by the importer");
  } else {
    skip(rd);
  }
  arena_free(&rd->a);
}

/* ---- the bytes on their way to libxml2 ---- */

/* Refuses the export at the scanner's line, before the parser sees it:
 * libxml2 is handed an I/O error, whose message this one precedes. */
static int refuse(reader *rd, int64_t line, const char *why, int64_t limit) {
  if (rd->rc == NB_OK) {
    if (rd->err && rd->errlen)
      snprintf(rd->err, rd->errlen, "line %lld: %s (at most %lld)",
               (long long)line, why, (long long)limit);
    rd->rc = NB_ETOOBIG;
  }
  return -1;
}

/* Follows s[0..n) through markup: start tags (their attributes counted
 * by their '=' outside quotes), end tags, comments, CDATA sections,
 * processing instructions and declarations. 0, or -1 once a limit is
 * passed. */
static int scan(reader *rd, const char *s, size_t n) {
  scanner *sc = &rd->sc;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    sc->line += c == '\n';
    sc->tail = (sc->tail << 8 | c) & 0xffffff;
    switch (sc->state) {
    case S_TEXT:
      if (c == '<') {
        sc->state = S_LT;
        sc->tag_line = sc->line;
      }
      break;
    case S_LT:
      sc->state = c == '!'   ? S_BANG
                  : c == '?' ? S_PI
                  : c == '/' ? S_END
                             : S_TAG;
      sc->match = 0;
      sc->tail = 0;
      if (sc->state == S_TAG) {
        sc->attrs = 0;
        sc->quote = 0;
        sc->last = c;
        if (++sc->elements > ELEMENTS_MAX)
          return refuse(rd, sc->tag_line, "too many elements", ELEMENTS_MAX);
      }
      break;
    case S_BANG: { /* "<!--", "<![CDATA[", or a declaration */
      static const char cdata[] = "[CDATA[";
      if (sc->match == 0)
        sc->bang = c;
      if (sc->bang == '-' && c == '-') {
        if (++sc->match == 2)
          sc->state = S_COMMENT;
      } else if (sc->bang == '[' && c == (unsigned char)cdata[sc->match]) {
        if (++sc->match == 7)
          sc->state = S_CDATA;
      } else {
        sc->state = c == '>' ? S_TEXT : S_DECL;
      }
      sc->tail = 0; /* "<!-->" does not end the comment it starts */
      break;
    }
    case S_COMMENT:
      if ((sc->tail & 0xffffff) == ('-' << 16 | '-' << 8 | '>'))
        sc->state = S_TEXT;
      break;
    case S_CDATA:
      if ((sc->tail & 0xffffff) == (']' << 16 | ']' << 8 | '>'))
        sc->state = S_TEXT;
      break;
    case S_PI:
      if ((sc->tail & 0xffff) == ('?' << 8 | '>'))
        sc->state = S_TEXT;
      break;
    case S_DECL:
      if (c == '>')
        sc->state = S_TEXT;
      break;
    case S_END:
      if (c == '>') {
        sc->state = S_TEXT;
        sc->depth -= sc->depth > 0;
      }
      break;
    default: /* S_TAG */
      if (sc->quote) {
        if (c == (unsigned char)sc->quote)
          sc->quote = 0;
      } else if (c == '"' || c == '\'') {
        sc->quote = (char)c;
      } else if (c == '=' && ++sc->attrs > ATTRS_MAX) {
        return refuse(rd, sc->tag_line, "an element with too many attributes",
                      ATTRS_MAX);
      } else if (c == '>') {
        sc->state = S_TEXT;
        if (sc->last != '/' && ++sc->depth > DEPTH_MAX)
          return refuse(rd, sc->tag_line, "elements nested too deep",
                        DEPTH_MAX);
      }
      if (!sc->quote && c != ' ' && c != '\t' && c != '\n' && c != '\r')
        sc->last = c;
      break;
    }
  }
  return 0;
}

/* libxml2's input: the file or the memory, scanned on the way. */
static int feed(void *ctx, char *buf, int len) {
  reader *rd = ctx;
  size_t n;
  if (rd->rc != NB_OK || len <= 0)
    return -1;
  if (rd->f) {
    n = fread(buf, 1, (size_t)len, rd->f);
    if (n == 0 && ferror(rd->f))
      return -1;
  } else {
    n = rd->mem_n - rd->mem_at < (size_t)len ? rd->mem_n - rd->mem_at
                                             : (size_t)len;
    if (n)
      memcpy(buf, rd->mem + rd->mem_at, n);
    rd->mem_at += n;
  }
  return scan(rd, buf, n) < 0 ? -1 : (int)n;
}

static int feed_close(void *ctx) {
  (void)ctx; /* the file is closed by its opener */
  return 0;
}

static xmlTextReaderPtr open_reader(reader *rd, const char *url) {
  rd->sc.line = 1;
  return xmlReaderForIO(feed, feed_close, rd, url, NULL, XML_OPTS);
}

/* No file or URL is ever fetched for the parser. */
static xmlParserInputPtr no_entities(const char *url, const char *id,
                                     xmlParserCtxtPtr ctx) {
  (void)url;
  (void)id;
  (void)ctx;
  return NULL;
}

static int read_all(reader *rd) {
  xmlTextReaderPtr r = rd->r;
  int in_channel = 0, saw_rss = 0;

  xmlTextReaderSetErrorHandler(r, on_xml_error, rd);
  int ret = move(rd);
  while (rd->rc == NB_OK && ret == 1) {
    int type = xmlTextReaderNodeType(r);
    if (type == XML_READER_TYPE_DOCUMENT_TYPE)
      return fail(rd, NB_EINVAL,
                  "a DOCTYPE (WordPress never writes one; it could expand "
                  "entities without end)");
    if (type == XML_READER_TYPE_ELEMENT) {
      int depth = xmlTextReaderDepth(r);
      if (depth == 0 && !is(r, NS_NONE, "rss"))
        return fail(rd, NB_EINVAL,
                    "not a WordPress export: the root element is not <rss>");
      saw_rss |= depth == 0;
      in_channel |= depth == 1 && is(r, NS_NONE, "channel");
      if (depth == 2 && in_channel) {
        site_child(rd); /* reads past the element */
        ret = rd->at;
        continue;
      }
    }
    ret = move(rd);
  }
  if (rd->rc != NB_OK)
    return rd->rc;
  if (ret < 0)
    return fail(rd, NB_EINVAL, "not a well-formed XML file");
  if (!saw_rss || !in_channel)
    return fail(rd, NB_EINVAL, "not a WordPress export: no <rss><channel>");
  if (!rd->site.wxr_version || !rd->site.wxr_version[0])
    return fail(rd, NB_EINVAL,
                "not a WordPress export: no <wp:wxr_version> in the channel");
  send_site(rd);
  return rd->rc;
}

static int run(reader *rd) {
  int rc;
  xmlExternalEntityLoader old = xmlGetExternalEntityLoader();
  xmlSetExternalEntityLoader(no_entities);
  rc = rd->r ? read_all(rd) : fail(rd, NB_EIO, "cannot open the file");
  xmlSetExternalEntityLoader(old);
  if (rd->r)
    xmlFreeTextReader(rd->r);
  arena_free(&rd->a);
  arena_free(&rd->top);
  return rc;
}

int imp_wxr_read(const char *path, const imp_wxr_handler *h, char *err,
                 size_t errlen) {
  reader rd = {.h = h, .err = err, .errlen = errlen, .rc = NB_OK};
  if (err && errlen)
    err[0] = '\0';
  rd.f = fopen(path, "rb");
  if (!rd.f)
    return fail(&rd, NB_EIO, "cannot open the file");
  rd.r = open_reader(&rd, path);
  int rc = run(&rd);
  fclose(rd.f);
  return rc;
}

int imp_wxr_read_memory(const char *data, size_t n, const imp_wxr_handler *h,
                        char *err, size_t errlen) {
  reader rd = {.h = h, .err = err, .errlen = errlen, .rc = NB_OK};
  if (err && errlen)
    err[0] = '\0';
  if (n > INT32_MAX)
    return fail(&rd, NB_ETOOBIG, "the export is too large to read in memory");
  rd.mem = data;
  rd.mem_n = n;
  rd.r = open_reader(&rd, "export.xml");
  return run(&rd);
}
