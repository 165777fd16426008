/* wxr_export.c: the site as a WordPress export (WXR 1.2), so a site can
 * leave naba as easily as it came: WordPress's importer reads it, and so
 * does `naba import wxr`. Written with libxml2's xmlTextWriter (escaping,
 * encoding), articles a page at a time, to FILE.tmp renamed into place
 * once whole. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xmlwriter.h>

#include "import/import.h"

#define WP_NS "http://wordpress.org/export/1.2/"
#define PAGE 200 /* articles read at a time */

typedef struct {
  xmlTextWriterPtr w;
  int bad; /* a libxml2 write failed */
} writer;

static void el(writer *x, const char *name, const char *text) {
  if (xmlTextWriterWriteElement(x->w, (const xmlChar *)name,
                                (const xmlChar *)(text ? text : "")) < 0)
    x->bad = 1;
}

static void el_i64(writer *x, const char *name, int64_t v) {
  char b[32];
  snprintf(b, sizeof b, "%lld", (long long)v);
  el(x, name, b);
}

static void start(writer *x, const char *name) {
  if (xmlTextWriterStartElement(x->w, (const xmlChar *)name) < 0)
    x->bad = 1;
}

static void end(writer *x) {
  if (xmlTextWriterEndElement(x->w) < 0)
    x->bad = 1;
}

static void attr(writer *x, const char *name, const char *v) {
  if (xmlTextWriterWriteAttribute(x->w, (const xmlChar *)name,
                                  (const xmlChar *)v) < 0)
    x->bad = 1;
}

/* "2021-11-24 08:00:00" (UTC); the RFC 822 pubDate is nb_time_http()'s. */
static void wp_time(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

static int comments(store *s, writer *x, const store_article *art,
                    imp_wxr_export_report *r) {
  arena_t a = {0};
  store_comment *cs;
  size_t n = 0;
  int rc = store_comments_list(s, &a, -1, art->id, INT64_MAX, &cs, &n);
  for (size_t i = n; rc == NB_OK && i-- > 0;) { /* oldest first */
    const store_comment *c = &cs[i];
    char when[32];
    wp_time(c->created_at, when);
    start(x, "wp:comment");
    el_i64(x, "wp:comment_id", c->id);
    el(x, "wp:comment_author", c->author_name);
    el(x, "wp:comment_author_email", c->author_email);
    el(x, "wp:comment_author_url", c->author_url);
    el(x, "wp:comment_author_IP", c->client);
    el(x, "wp:comment_date", when);
    el(x, "wp:comment_date_gmt", when);
    el(x, "wp:comment_content", c->body);
    el(x, "wp:comment_approved",
       c->status == STORE_COMMENT_APPROVED ? "1"
       : c->status == STORE_COMMENT_SPAM   ? "spam"
                                           : "0");
    el(x, "wp:comment_type", "comment");
    el_i64(x, "wp:comment_parent", c->parent_id);
    el(x, "wp:comment_user_id", "0");
    end(x);
    r->comments++;
  }
  arena_free(&a);
  return rc;
}

/* WordPress's post_status: a draft awaiting review stays "pending", one
 * kept private "private"; a published article not yet due is "future". */
static const char *post_status(int status, int64_t published_at,
                               const char *draft_state, int64_t now) {
  const char *ds = draft_state ? draft_state : "";
  if (status == STORE_PUBLISHED)
    return published_at > now ? "future" : "publish";
  if (strcmp(ds, STORE_DRAFT_PENDING) == 0)
    return "pending";
  if (strcmp(ds, STORE_DRAFT_PRIVATE) == 0)
    return "private";
  return "draft";
}

static int item(store *s, writer *x, const imp_wxr_site *site,
                const store_article *art, int64_t now,
                imp_wxr_export_report *r) {
  arena_t a = {0};
  char when[32], rfc[40];
  buf_t link = {0};
  store_named *tags;
  size_t nt = 0;
  int rc = store_article_tags(s, &a, art->id, &tags, &nt);

  buf_puts(&link, site->link);
  buf_putc(&link, '/');
  buf_url_encode(&link, art->section_slug, strlen(art->section_slug));
  buf_printf(&link, "/%lld-", (long long)art->id);
  buf_url_encode(&link, art->slug, strlen(art->slug));
  wp_time(art->published_at, when);
  nb_time_http(art->published_at, rfc);
  start(x, "item");
  el(x, "title", art->title);
  el(x, "link", link.data);
  el(x, "pubDate", rfc);
  el(x, "dc:creator", art->author_slug);
  start(x, "guid");
  attr(x, "isPermaLink", "false");
  if (xmlTextWriterWriteFormatString(x->w, "%s/?p=%lld", site->link,
                                     (long long)art->id) < 0)
    x->bad = 1;
  end(x);
  el(x, "description", "");
  el(x, "content:encoded", art->body_html);
  el(x, "excerpt:encoded", art->summary);
  el_i64(x, "wp:post_id", art->id);
  el(x, "wp:post_date", when);
  el(x, "wp:post_date_gmt", when);
  el(x, "wp:comment_status", "open");
  el(x, "wp:ping_status", "closed");
  el(x, "wp:post_name", art->slug);
  el(x, "wp:status",
     post_status(art->status, art->published_at, art->draft_state, now));
  el(x, "wp:post_parent", "0");
  el(x, "wp:menu_order", "0");
  el(x, "wp:post_type", "post");
  el(x, "wp:post_password", "");
  el_i64(x, "wp:is_sticky", art->sticky);
  start(x, "category");
  attr(x, "domain", "category");
  attr(x, "nicename", art->section_slug);
  if (xmlTextWriterWriteString(x->w, (const xmlChar *)art->section_name) < 0)
    x->bad = 1;
  end(x);
  for (size_t k = 0; rc == NB_OK && k < nt; k++) {
    start(x, "category");
    attr(x, "domain", "post_tag");
    attr(x, "nicename", tags[k].slug);
    if (xmlTextWriterWriteString(x->w, (const xmlChar *)tags[k].name) < 0)
      x->bad = 1;
    end(x);
  }
  if (art->image_url[0]) {
    /* the lead image, as WordPress keeps it: a meta with its URL (there
     * is no attachment item for media naba does not hold) */
    start(x, "wp:postmeta");
    el(x, "wp:meta_key", "_naba_image_url");
    el(x, "wp:meta_value", art->image_url);
    end(x);
  }
  if (rc == NB_OK)
    rc = comments(s, x, art, r);
  end(x);
  r->posts++;
  buf_free(&link);
  arena_free(&a);
  return rc;
}

static void page_item(writer *x, const imp_wxr_site *site, const store_page *p,
                      imp_wxr_export_report *r) {
  char when[32], rfc[40];
  buf_t link = {0};
  buf_printf(&link, "%s/pages/", site->link);
  buf_url_encode(&link, p->slug, strlen(p->slug));
  wp_time(p->updated_at, when);
  nb_time_http(p->updated_at, rfc);
  start(x, "item");
  el(x, "title", p->title);
  el(x, "link", link.data);
  el(x, "pubDate", rfc);
  el(x, "dc:creator", "");
  el(x, "content:encoded", p->body_html);
  el(x, "excerpt:encoded", "");
  /* page ids live beside article ids: kept apart in WordPress's one
   * numbering by an offset no article reaches */
  el_i64(x, "wp:post_id", IMP_WXR_PAGE_ID_BASE + p->id);
  el(x, "wp:post_date", when);
  el(x, "wp:post_date_gmt", when);
  el(x, "wp:post_name", p->slug);
  el(x, "wp:status", post_status(p->status, 0, p->draft_state, 0));
  el_i64(x, "wp:post_parent",
         p->parent_id ? IMP_WXR_PAGE_ID_BASE + p->parent_id : 0);
  el_i64(x, "wp:menu_order", p->menu_order);
  el(x, "wp:post_type", "page");
  end(x);
  r->pages++;
  buf_free(&link);
}

static int channel(store *s, writer *x, const imp_wxr_site *site,
                   imp_wxr_export_report *r) {
  arena_t a = {0};
  store_named *list;
  store_section *secs;
  size_t n = 0;
  int rc;

  el(x, "title", site->title);
  el(x, "link", site->link);
  el(x, "description", site->description);
  el(x, "language", "ar");
  el(x, "wp:wxr_version", "1.2");
  el(x, "wp:base_site_url", site->link);
  el(x, "wp:base_blog_url", site->link);
  rc = store_authors(s, &a, &list, &n);
  for (size_t i = 0; rc == NB_OK && i < n; i++) {
    const char *email = "";
    rc = store_author_email(s, &a, list[i].id, &email);
    start(x, "wp:author");
    el_i64(x, "wp:author_id", list[i].id);
    el(x, "wp:author_login", list[i].slug);
    el(x, "wp:author_email", email);
    el(x, "wp:author_display_name", list[i].name);
    el(x, "wp:author_first_name", "");
    el(x, "wp:author_last_name", "");
    end(x);
    r->authors++;
  }
  if (rc == NB_OK)
    rc = store_sections(s, &a, &secs, &n);
  for (size_t i = 0; rc == NB_OK && i < n; i++) {
    const char *parent = "";
    for (size_t k = 0; k < n; k++)
      if (secs[k].id == secs[i].parent_id)
        parent = secs[k].slug;
    start(x, "wp:category");
    el_i64(x, "wp:term_id", secs[i].id);
    el(x, "wp:category_nicename", secs[i].slug);
    el(x, "wp:category_parent", parent);
    el(x, "wp:cat_name", secs[i].name);
    end(x);
    r->sections++;
  }
  if (rc == NB_OK)
    rc = store_tags(s, &a, &list, &n);
  for (size_t i = 0; rc == NB_OK && i < n; i++) {
    start(x, "wp:tag");
    el_i64(x, "wp:term_id", list[i].id);
    el(x, "wp:tag_slug", list[i].slug);
    el(x, "wp:tag_name", list[i].name);
    end(x);
    r->tags++;
  }
  arena_free(&a);
  return rc;
}

int imp_wxr_export(store *s, const char *path, const imp_wxr_site *site,
                   imp_wxr_export_report *r, char *err, size_t errlen) {
  char tmp[4200];
  writer x = {0};
  int rc = NB_OK, to_stdout = strcmp(path, "-") == 0;
  int64_t now = nb_now();

  memset(r, 0, sizeof *r);
  if (err && errlen)
    err[0] = '\0';
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    snprintf(err, errlen, "path too long");
    return NB_EINVAL;
  }
  if (to_stdout) {
    xmlOutputBufferPtr out = xmlOutputBufferCreateFile(stdout, NULL);
    x.w = out ? xmlNewTextWriter(out) : NULL;
  } else {
    x.w = xmlNewTextWriterFilename(tmp, 0);
  }
  if (!x.w) {
    snprintf(err, errlen, "cannot write %s", to_stdout ? "to stdout" : tmp);
    return NB_EIO;
  }
  xmlTextWriterSetIndent(x.w, 1);
  if (xmlTextWriterStartDocument(x.w, "1.0", "UTF-8", NULL) < 0)
    x.bad = 1;
  start(&x, "rss");
  attr(&x, "version", "2.0");
  attr(&x, "xmlns:excerpt", "http://wordpress.org/export/1.2/excerpt/");
  attr(&x, "xmlns:content", "http://purl.org/rss/1.0/modules/content/");
  attr(&x, "xmlns:wfw", "http://wellformedweb.org/CommentAPI/");
  attr(&x, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
  attr(&x, "xmlns:wp", WP_NS);
  start(&x, "channel");
  /* One read transaction: the file is the site at one moment. */
  rc = store_read_begin(s);
  if (rc == NB_OK)
    rc = channel(s, &x, site, r);
  for (int64_t after = 0; rc == NB_OK && !x.bad;) {
    arena_t a = {0};
    store_article *arts;
    size_t n = 0;
    rc = store_articles_after(s, &a, after, PAGE, &arts, &n);
    for (size_t i = 0; rc == NB_OK && i < n; i++)
      rc = item(s, &x, site, &arts[i], now, r);
    after = n ? arts[n - 1].id : after;
    arena_free(&a);
    if (n < PAGE)
      break;
  }
  for (int64_t after = 0; rc == NB_OK && !x.bad;) {
    arena_t a = {0};
    store_page *pages;
    size_t n = 0;
    rc = store_pages_after(s, &a, after, PAGE, &pages, &n);
    for (size_t i = 0; rc == NB_OK && i < n; i++)
      page_item(&x, site, &pages[i], r);
    after = n ? pages[n - 1].id : after;
    arena_free(&a);
    if (n < PAGE)
      break;
  }
  store_read_end(s);
  end(&x); /* channel */
  end(&x); /* rss */
  if (xmlTextWriterEndDocument(x.w) < 0)
    x.bad = 1;
  xmlFreeTextWriter(x.w);
  if (rc == NB_OK && x.bad)
    rc = NB_EIO;
  if (rc != NB_OK) {
    if (!err[0])
      snprintf(err, errlen, "%s: %s", to_stdout ? "stdout" : tmp,
               x.bad ? "write failed" : store_errmsg(s));
    if (!to_stdout)
      unlink(tmp);
    return rc;
  }
  if (!to_stdout && rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot rename %s to %s", tmp, path);
    unlink(tmp);
    return NB_EIO;
  }
  return NB_OK;
}
