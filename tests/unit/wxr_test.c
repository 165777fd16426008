/* Unit tests of the WordPress export reader: WordPress's own theme unit
 * test export (read from ../shared) gives every author, term, item and
 * comment with its fields; broken and hostile files stop with a reason.
 * And of naba's export, read back with the reader: post statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../shared.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/import.h"

#define THEME_DATA                                                             \
  NABA_SHARED_DIR "/testdata/wxr/themeunittestdata.wordpress.xml"

typedef struct {
  int sites, authors, categories, tags, other_terms;
  int posts, pages, attachments, menu_items, others;
  int publish, draft, future, private_, pending, inherit;
  int comments, pingbacks, approved, unapproved, replies, sticky;
  int thumbnails, item_categories, item_tags, with_parent_page;
  int blocks;
  char version[16], base[128], first_author[64], first_cat_parent[64];
  int64_t max_comments;
  int stop_after; /* items; 0: never */
} tally;

static int on_site(void *ctx, const imp_wxr_site *s) {
  tally *t = ctx;
  t->sites++;
  snprintf(t->version, sizeof t->version, "%s", s->wxr_version);
  snprintf(t->base, sizeof t->base, "%s", s->base_blog_url);
  return NB_OK;
}

static int on_author(void *ctx, const imp_wxr_author *a) {
  tally *t = ctx;
  if (t->authors++ == 0)
    snprintf(t->first_author, sizeof t->first_author, "%s|%s|%s", a->login,
             a->email, a->display_name);
  return NB_OK;
}

static int on_term(void *ctx, const imp_wxr_term *x) {
  tally *t = ctx;
  if (strcmp(x->taxonomy, "category") == 0) {
    if (x->parent[0] && !t->first_cat_parent[0])
      snprintf(t->first_cat_parent, sizeof t->first_cat_parent, "%s<%s",
               x->slug, x->parent);
    t->categories++;
  } else if (strcmp(x->taxonomy, "post_tag") == 0) {
    t->tags++;
  } else {
    t->other_terms++;
  }
  assert_non_null(x->name);
  return NB_OK;
}

static int on_item(void *ctx, const imp_wxr_item *i) {
  tally *t = ctx;
  const char *ty = i->type;
  t->posts += strcmp(ty, "post") == 0;
  t->pages += strcmp(ty, "page") == 0;
  t->attachments += strcmp(ty, "attachment") == 0;
  t->menu_items += strcmp(ty, "nav_menu_item") == 0;
  t->publish += strcmp(i->status, "publish") == 0;
  t->draft += strcmp(i->status, "draft") == 0;
  t->future += strcmp(i->status, "future") == 0;
  t->private_ += strcmp(i->status, "private") == 0;
  t->pending += strcmp(i->status, "pending") == 0;
  t->inherit += strcmp(i->status, "inherit") == 0;
  t->sticky += i->sticky;
  t->thumbnails += i->thumbnail_id > 0;
  t->with_parent_page += strcmp(ty, "page") == 0 && i->parent > 0;
  t->blocks += strstr(i->content, "<!-- wp:") != NULL;
  assert_true(i->id > 0);
  if (strcmp(ty, "attachment") == 0)
    assert_true(strncmp(i->attachment_url, "http", 4) == 0);
  for (size_t k = 0; k < i->nterms; k++) {
    t->item_categories += strcmp(i->terms[k].taxonomy, "category") == 0;
    t->item_tags += strcmp(i->terms[k].taxonomy, "post_tag") == 0;
    assert_true(i->terms[k].slug[0] != '\0');
  }
  if ((int64_t)i->ncomments > t->max_comments)
    t->max_comments = (int64_t)i->ncomments;
  for (size_t k = 0; k < i->ncomments; k++) {
    const imp_wxr_comment *c = &i->comments[k];
    t->comments++;
    t->pingbacks +=
        strcmp(c->type, "pingback") == 0 || strcmp(c->type, "trackback") == 0;
    t->approved += strcmp(c->approved, "1") == 0;
    t->unapproved += strcmp(c->approved, "0") == 0;
    t->replies += c->parent > 0;
    assert_true(c->id > 0);
  }
  if (t->stop_after &&
      t->posts + t->pages + t->attachments + t->menu_items >= t->stop_after)
    return NB_EEXIST;
  return NB_OK;
}

static imp_wxr_handler handler(tally *t) {
  imp_wxr_handler h = {t, on_site, on_author, on_term, on_item};
  return h;
}

static void theme_unit_test_export_is_read_whole(void **state) {
  tally t = {0};
  imp_wxr_handler h = handler(&t);
  char err[300];
  (void)state;
  SHARED_OR_SKIP(THEME_DATA);
  assert_int_equal(imp_wxr_read(THEME_DATA, &h, err, sizeof err), NB_OK);
  assert_int_equal(t.sites, 1);
  assert_string_equal(t.version, "1.2");
  assert_string_equal(t.base, "https://wpthemetestdata.wordpress.com");
  assert_int_equal(t.authors, 2);
  assert_string_equal(t.first_author,
                      "themedemos|themeshaperwp+demos@gmail.com|Theme Buster");
  /* the figures grep gives on the file */
  assert_int_equal(t.posts, 58);
  assert_int_equal(t.pages, 21);
  assert_int_equal(t.attachments, 37);
  assert_int_equal(t.menu_items, 70);
  assert_int_equal(t.draft, 1);
  assert_int_equal(t.future, 1);
  assert_int_equal(t.inherit, 37);
  assert_int_equal(t.comments, 33);
  assert_int_equal(t.pingbacks, 4);
  assert_int_equal(t.unapproved, 3);
  assert_true(t.replies > 0);
  assert_int_equal(t.sticky, 1);
  assert_true(t.categories > 10);
  assert_true(t.tags > 10);
  assert_true(t.first_cat_parent[0] != '\0'); /* nested categories */
  assert_true(t.item_categories > 0 && t.item_tags > 0);
  assert_true(t.thumbnails > 0);
  assert_true(t.with_parent_page > 0);
  /* post bodies come through as written, block-editor comments and all
   * (the importer sanitizes them) */
  assert_true(t.blocks > 0);
}

static void a_callback_can_stop_the_read(void **state) {
  tally t = {.stop_after = 3};
  imp_wxr_handler h = handler(&t);
  char err[300];
  (void)state;
  SHARED_OR_SKIP(THEME_DATA);
  assert_int_equal(imp_wxr_read(THEME_DATA, &h, err, sizeof err), NB_EEXIST);
  assert_non_null(strstr(err, "stopped"));
}

/* A minimal export around the given channel body. */
static int read_text(const char *body, char *err, size_t errlen, tally *t) {
  char doc[8192];
  snprintf(doc, sizeof doc,
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.0/\""
           " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
           "<channel><wp:wxr_version>1.0</wp:wxr_version>%s</channel></rss>",
           body);
  imp_wxr_handler h = handler(t);
  return imp_wxr_read_memory(doc, strlen(doc), &h, err, errlen);
}

/* Every item of a file reaches the handler, whatever the file's size and
 * layout: libxml2 reports the end of its input while the nodes made from
 * the last bytes are still to be read, and an earlier reader lost the
 * last items of files laid out one field a line. */
static void the_last_items_of_any_file_are_read(void **state) {
  char path[] = "/tmp/naba-wxr-XXXXXX";
  int fd = mkstemp(path);
  (void)state;
  assert_true(fd >= 0);
  close(fd);
  for (int layout = 0; layout < 2; layout++)
    for (int n = 1; n <= 40; n++)
      for (int pad = 0; pad < 600; pad += 97) {
        const char *nl = layout ? "\n" : "";
        buf_t b = {0};
        buf_printf(&b,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss "
                   "xmlns:wp=\"http://wordpress.org/export/1.2/\">%s"
                   "<channel>%s<title>t</title>%s<wp:wxr_version>1.2"
                   "</wp:wxr_version>%s",
                   nl, nl, nl, nl);
        for (int i = 1; i <= n; i++)
          buf_printf(&b,
                     "<item>%s<title>%*s</title>%s<wp:post_id>%d</wp:post_id>"
                     "%s<wp:post_type>post</wp:post_type>%s<wp:post_parent>0"
                     "</wp:post_parent>%s</item>%s",
                     nl, pad + 1, "x", nl, i, nl, nl, nl, nl);
        buf_printf(&b, "</channel>%s</rss>%s", nl, nl);
        assert_false(b.oom);
        tally t = {0};
        imp_wxr_handler h = handler(&t);
        char err[300];
        assert_int_equal(
            imp_wxr_read_memory(b.data, b.len, &h, err, sizeof err), NB_OK);
        if (t.posts != n)
          fail_msg("layout %d, %d items, %d bytes: %d read from memory", layout,
                   n, (int)b.len, t.posts);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(b.data, 1, b.len, f);
        fclose(f);
        t = (tally){0};
        h = handler(&t);
        assert_int_equal(imp_wxr_read(path, &h, err, sizeof err), NB_OK);
        if (t.posts != n)
          fail_msg("layout %d, %d items, %d bytes: %d read from a file", layout,
                   n, (int)b.len, t.posts);
        buf_free(&b);
      }
  unlink(path);
}

static void wxr_1_0_with_other_prefixes_is_read(void **state) {
  tally t = {0};
  char err[300];
  (void)state;
  /* The namespace counts, not the prefix WordPress happens to use. */
  assert_int_equal(
      read_text("<item xmlns:w=\"https://wordpress.org/export/1.2/\">"
                "<title>خبر</title><w:post_id>7</w:post_id>"
                "<w:post_type>post</w:post_type><w:status>publish</w:status>"
                "<content:encoded><![CDATA[<p>نص</p>]]></content:encoded>"
                "<w:comment><w:comment_id>1</w:comment_id>"
                "<w:comment_approved>1</w:comment_approved>"
                "<w:comment_content>تعليق</w:comment_content></w:comment>"
                "</item>",
                err, sizeof err, &t),
      NB_OK);
  assert_int_equal(t.posts, 1);
  assert_int_equal(t.comments, 1);
  assert_int_equal(t.approved, 1);
}

static void expect_refused(const char *doc, int rc, const char *why) {
  tally t = {0};
  imp_wxr_handler h = handler(&t);
  char err[300];
  assert_int_equal(imp_wxr_read_memory(doc, strlen(doc), &h, err, sizeof err),
                   rc);
  if (!strstr(err, why))
    fail_msg("error \"%s\" does not say \"%s\"", err, why);
  assert_true(strncmp(err, "line ", 5) == 0);
}

static void broken_and_hostile_files_are_refused(void **state) {
  (void)state;
  /* truncated in the middle of an item */
  expect_refused(
      "<?xml version=\"1.0\"?><rss><channel>"
      "<wp:wxr_version xmlns:wp=\"http://wordpress.org/export/1.2/\">"
      "1.2</wp:wxr_version><item><title>x",
      NB_EINVAL, "well-formed");
  /* billion laughs: any DTD is refused before an entity is expanded */
  expect_refused("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                 "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                 "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
                 "<rss><channel><title>&lol3;</title></channel></rss>",
                 NB_EINVAL, "DOCTYPE");
  /* an external entity (a local file, or a URL) is never fetched */
  expect_refused("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
                 "\"file:///etc/passwd\">]><rss><channel><title>&x;</title>"
                 "</channel></rss>",
                 NB_EINVAL, "DOCTYPE");
  /* declared UTF-8, written in Latin-1 */
  expect_refused("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><channel>"
                 "<title>caf\xe9</title></channel></rss>",
                 NB_EINVAL, "well-formed");
  /* an overlong sequence in CDATA, which libxml2 2.9 lets through (found
   * by the fuzzer): no text that is not UTF-8 reaches the importer */
  expect_refused("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss xmlns:wp="
                 "\"http://wordpress.org/export/1.2/\"><channel>"
                 "<wp:wxr_version>1.2</wp:wxr_version><wp:author>"
                 "<wp:author_display_name><![CDATA[\xc0\xb9x]]>"
                 "</wp:author_display_name></wp:author></channel></rss>",
                 NB_EINVAL, "not UTF-8");
  /* well-formed, not an export */
  expect_refused("<?xml version=\"1.0\"?><html><body/></html>", NB_EINVAL,
                 "root element");
  expect_refused("<?xml version=\"1.0\"?><rss><channel><title>blog</title>"
                 "</channel></rss>",
                 NB_EINVAL, "wxr_version");
  expect_refused("", NB_EINVAL, "");
  /* an element over the size limit */
  size_t big = 5 * 1024 * 1024;
  char *doc = malloc(big + 400);
  assert_non_null(doc);
  int k = snprintf(doc, 400,
                   "<?xml version=\"1.0\"?><rss xmlns:wp=\"http://wordpress."
                   "org/export/1.2/\"><channel><wp:wxr_version>1.2</"
                   "wp:wxr_version><item><title>");
  memset(doc + k, 'a', big);
  strcpy(doc + k + big, "</title></item></channel></rss>");
  expect_refused(doc, NB_ETOOBIG, "over");
  free(doc);
}

#define LIMIT_HEAD                                                             \
  "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/"      \
  "1.2/\">\n<channel><wp:wxr_version>1.2</wp:wxr_version>\n"

/* An export whose item on line 7 has a <title> with n attributes, after a
 * comment and a CDATA section that span lines and hold what looks like
 * markup. */
static char *many_attributes(size_t n) {
  buf_t b = {0};
  buf_puts(&b, LIMIT_HEAD "<!-- a\n<x a=1 b=2> -->"
                          "<item><wp:post_id>1</wp:post_id><wp:post_type>post</"
                          "wp:post_type><content:encoded "
                          "xmlns:content=\"c\"><![CDATA["
                          "\n<img a=\"1\" b=2 c=3>]]></content:encoded>\n"
                          "<title");
  for (size_t i = 0; i < n; i++)
    buf_printf(&b, " a%zu=\"%zu\"", i, i);
  buf_puts(&b, ">x</title></item></channel></rss>");
  assert_false(b.oom);
  return buf_take(&b, NULL);
}

/* libxml2 spends minutes on a start tag with 200,000 attributes before
 * the reader sees it: the bytes are counted on their way in, and such a
 * tag is refused with its line, from memory or from a file. */
static void
an_element_with_thousands_of_attributes_is_refused_at_its_line(void **state) {
  (void)state;
  static const size_t counts[] = {5000, 200000};
  for (size_t k = 0; k < 2; k++) {
    char *doc = many_attributes(counts[k]);
    expect_refused(doc, NB_ETOOBIG, "line 7: an element with too many");
    char path[] = "/tmp/naba-wxr-attrs-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
    close(fd);
    tally t = {0};
    imp_wxr_handler h = handler(&t);
    char err[300];
    assert_int_equal(imp_wxr_read(path, &h, err, sizeof err), NB_ETOOBIG);
    assert_non_null(strstr(err, "line 7: an element with too many attributes"));
    unlink(path);
    free(doc);
  }
  /* as many as WordPress writes, and '=' in values, comments and CDATA,
   * are no attributes */
  char *doc = many_attributes(200);
  tally t = {0};
  imp_wxr_handler h = handler(&t);
  char err[300];
  assert_int_equal(imp_wxr_read_memory(doc, strlen(doc), &h, err, sizeof err),
                   NB_OK);
  assert_int_equal(t.posts, 1);
  free(doc);
  buf_t b = {0};
  buf_puts(&b, LIMIT_HEAD "<item><wp:post_id>1</wp:post_id><title a=\"");
  for (int i = 0; i < 1000; i++)
    buf_puts(&b, "x='1' ");
  buf_puts(&b, "\">x</title><!--");
  for (int i = 0; i < 1000; i++)
    buf_puts(&b, " a=1");
  buf_puts(&b, "--></item></channel></rss>");
  assert_int_equal(imp_wxr_read_memory(b.data, b.len, &h, err, sizeof err),
                   NB_OK);
  buf_free(&b);
}

/* Elements nested deeper than any export are refused with the line of
 * the one too deep; empty elements do not nest. */
static void elements_nested_too_deep_are_refused_at_their_line(void **state) {
  (void)state;
  buf_t b = {0};
  buf_puts(&b, LIMIT_HEAD "<item>");
  for (int i = 0; i < 200; i++)
    buf_puts(&b, "<e/>");
  for (int i = 0; i < 100; i++)
    buf_puts(&b, i == 61 ? "\n<e>" : "<e>");
  assert_false(b.oom);
  expect_refused(b.data, NB_ETOOBIG, "line 5: elements nested too deep");
  buf_free(&b);
}

static void missing_file_is_an_io_error(void **state) {
  tally t = {0};
  imp_wxr_handler h = handler(&t);
  char err[300];
  (void)state;
  assert_int_equal(imp_wxr_read("/nonexistent/export.xml", &h, err, sizeof err),
                   NB_EIO);
  assert_non_null(strstr(err, "cannot open"));
}

/* ---- the export (wxr_export.c), read back with the reader ---- */

/* "title=status" of every post item, in file order. */
static int on_status(void *ctx, const imp_wxr_item *i) {
  char *out = ctx;
  size_t len = strlen(out);
  if (strcmp(i->type, "post") == 0)
    snprintf(out + len, 512 - len, "%s%s=%s", len ? " " : "", i->title,
             i->status);
  return NB_OK;
}

static void
drafts_pending_review_or_private_keep_their_status_in_the_export(void **state) {
  char dir[256], db[300], xml[300], err[300], statuses[512] = "";
  const char *tmp = getenv("TMPDIR");
  store *s = NULL;
  int64_t sec = 0;
  int created = 0;
  (void)state;

  snprintf(dir, sizeof dir, "%s/naba-wxr-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  assert_non_null(mkdtemp(dir));
  snprintf(db, sizeof db, "%s/naba.db", dir);
  snprintf(xml, sizeof xml, "%s/export.xml", dir);
  assert_int_equal(store_open(db, 0, &s, err, sizeof err), NB_OK);
  assert_int_equal(store_section_ensure(s, "news", "news", &sec, &created),
                   NB_OK);
  static const struct {
    const char *title;
    int status;
    const char *draft_state;
    int64_t published_at;
  } arts[] = {
      {"published", STORE_PUBLISHED, NULL, 1000},
      {"scheduled", STORE_PUBLISHED, "", INT64_C(4102444800)}, /* 2100 */
      {"draft", STORE_DRAFT, NULL, 1000},
      {"pending", STORE_DRAFT, STORE_DRAFT_PENDING, 1000},
      {"private", STORE_DRAFT, STORE_DRAFT_PRIVATE, 1000},
  };
  for (size_t i = 0; i < sizeof arts / sizeof arts[0]; i++) {
    store_article a = {.section_id = sec,
                       .title = arts[i].title,
                       .slug = arts[i].title,
                       .body_html = "<p>text</p>",
                       .status = arts[i].status,
                       .draft_state = arts[i].draft_state,
                       .published_at = arts[i].published_at};
    assert_int_equal(store_article_save(s, &a, NULL, NULL), NB_OK);
  }
  imp_wxr_site site = {.title = "naba", .link = "https://example.org"};
  imp_wxr_export_report r;
  assert_int_equal(imp_wxr_export(s, xml, &site, &r, err, sizeof err), NB_OK);
  assert_int_equal(r.posts, 5);
  store_close(s);

  imp_wxr_handler h = {statuses, NULL, NULL, NULL, on_status};
  assert_int_equal(imp_wxr_read(xml, &h, err, sizeof err), NB_OK);
  assert_string_equal(statuses, "published=publish scheduled=future draft=draft"
                                " pending=pending private=private");
  unlink(xml);
  unlink(db);
  snprintf(xml, sizeof xml, "%s/naba.db-wal", dir);
  unlink(xml);
  snprintf(xml, sizeof xml, "%s/naba.db-shm", dir);
  unlink(xml);
  assert_int_equal(rmdir(dir), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(theme_unit_test_export_is_read_whole),
      cmocka_unit_test(a_callback_can_stop_the_read),
      cmocka_unit_test(the_last_items_of_any_file_are_read),
      cmocka_unit_test(wxr_1_0_with_other_prefixes_is_read),
      cmocka_unit_test(broken_and_hostile_files_are_refused),
      cmocka_unit_test(missing_file_is_an_io_error),
      cmocka_unit_test(
          an_element_with_thousands_of_attributes_is_refused_at_its_line),
      cmocka_unit_test(elements_nested_too_deep_are_refused_at_their_line),
      cmocka_unit_test(
          drafts_pending_review_or_private_keep_their_status_in_the_export),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  return SHARED_EXIT(rc);
}
