/* Unit tests of import/page.c: saved article pages, parsed and saved.
 *
 * Fixtures are our own pages in tests/data/pages/; the seed page of the
 * project is read from NABA_SHARED_DIR at run time, never copied here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../shared.h"
#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arabic/arabic.h"
#include "import/import.h"

#define SEED NABA_SHARED_DIR "/seed/000_0de736a0633809fe.txt"
#define PAGES NABA_TESTDATA_DIR "/pages/"

/* Pages the parser accepts, for the checks that hold for all of them. */
static const char *const accepted[] = {
    SEED,
    PAGES "council_meeting.txt",
    PAGES "no_section.txt",
    PAGES "menus_before_headline.txt",
    PAGES "breadcrumb_before_headline.txt",
    PAGES "crlf.txt",
    PAGES "facebook_mid_body.txt",
    PAGES "no_repeat.txt",
    PAGES "no_repeat_no_section.txt",
};

static char *slurp(const char *path, size_t *n) {
  char *data = NULL;
  int rc = nb_read_file(path, IMP_PAGE_MAX_SIZE, &data, n);
  if (rc != NB_OK)
    fail_msg("cannot read %s: %s", path, nb_strerror(rc));
  return data;
}

typedef struct {
  char *text;
  size_t n;
  arena_t arena;
  imp_page page;
  char err[256];
  int rc;
} parsed;

static void parse_text(parsed *p, const char *text, size_t n) {
  memset(p, 0, sizeof *p);
  p->text = malloc(n ? n : 1); /* exact size, so ASan sees overreads */
  assert_non_null(p->text);
  memcpy(p->text, text, n);
  p->n = n;
  p->rc =
      imp_page_parse(p->text, n, &p->arena, &p->page, p->err, sizeof p->err);
}

static void parse_path(parsed *p, const char *path) {
  size_t n;
  char *data = slurp(path, &n);
  parse_text(p, data, n);
  free(data);
}

static void parsed_free(parsed *p) {
  arena_free(&p->arena);
  free(p->text);
}

static void expect_page(parsed *p, const char *path) {
  parse_path(p, path);
  if (p->rc != NB_OK)
    fail_msg("%s refused: %s", path, p->err);
}

/* needle in the parsed text from `from` on (the text has no final NUL). */
static const char *find(const parsed *p, const char *from, const char *needle) {
  return memmem(from, (size_t)(p->text + p->n - from), needle, strlen(needle));
}

static int contains(const char *s, const char *needle) {
  return strstr(s, needle) != NULL;
}

static int starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- the seed page ---- */

static void seed_page_gives_section_headline_once_and_paragraphs(void **st) {
  parsed p;
  (void)st;
  SHARED_OR_SKIP(SEED);
  expect_page(&p, SEED);
  assert_string_equal(p.page.section, "سياسة");
  /* the headline is the line the page gives twice, and only there */
  const char *first = find(&p, p.text, p.page.title);
  assert_non_null(first);
  const char *second = find(&p, first + 1, p.page.title);
  assert_non_null(second);
  assert_null(find(&p, second + 1, p.page.title));
  assert_int_equal(p.page.nparagraphs, 9);
  /* the body starts right after the heading */
  const char *body = find(&p, p.text, p.page.paragraphs[0]);
  assert_true(body > second);
  for (const char *c = second + strlen(p.page.title); c < body; c++)
    assert_true(*c == '\n' || *c == '\r' || *c == ' ');
  for (size_t i = 0; i < p.page.nparagraphs; i++) {
    const char *para = p.page.paragraphs[i];
    assert_string_not_equal(para, p.page.title);
    assert_false(contains(para, "اترك تعليقاً"));
    assert_false(contains(para, "لن يتم نشر"));
    assert_false(contains(para, "WhatsApp"));
    assert_false(contains(para, "Google News"));
  }
  parsed_free(&p);
}

static void kept_text_is_byte_identical_to_the_source(void **st) {
  (void)st;
  SHARED_OR_SKIP(SEED);
  for (size_t f = 0; f < sizeof accepted / sizeof accepted[0]; f++) {
    parsed p;
    expect_page(&p, accepted[f]);
    const char *kept[64];
    size_t nk = 0;
    kept[nk++] = p.page.title;
    if (p.page.section)
      kept[nk++] = p.page.section;
    for (size_t i = 0; i < p.page.nparagraphs && nk < 64; i++)
      kept[nk++] = p.page.paragraphs[i];
    for (size_t i = 0; i < nk; i++) {
      size_t len = strlen(kept[i]);
      assert_true(len > 0);
      if (!memmem(p.text, p.n, kept[i], len))
        fail_msg("%s: \"%s\" is not in the source", accepted[f], kept[i]);
      assert_null(strchr(kept[i], '\r'));
      assert_null(strchr(kept[i], '\n'));
      assert_true(utf8_valid(kept[i], len));
    }
    parsed_free(&p);
  }

  /* inside a line nothing changes: double spaces, tanween, tatweel */
  parsed p;
  expect_page(&p, PAGES "crlf.txt");
  assert_true(contains(p.page.paragraphs[0], "،  إذ"));
  assert_true(contains(p.page.paragraphs[0], "ارتفاعًا ملحوظًا"));
  assert_true(contains(p.page.paragraphs[1], "المـدن"));
  parsed_free(&p);
}

/* ---- structure ---- */

static void council_page_stops_at_the_comment_form(void **st) {
  parsed p;
  (void)st;
  expect_page(&p, PAGES "council_meeting.txt");
  assert_string_equal(p.page.section, "محليات");
  assert_string_equal(
      p.page.title,
      "مجلس بلدية وادي الزيتون يقر ميزانية جديدة لتأهيل الحدائق العامة");
  assert_int_equal(p.page.nparagraphs, 5);
  assert_true(starts_with(p.page.paragraphs[0], "صادق المجلس البلدي"));
  assert_true(starts_with(p.page.paragraphs[4], "ورحبت جمعيات الأحياء"));
  parsed_free(&p);
}

static void page_without_section_line_has_no_section(void **st) {
  parsed p;
  (void)st;
  expect_page(&p, PAGES "no_section.txt");
  assert_null(p.page.section);
  assert_string_equal(p.page.title,
                      "نبأ تطلق منصة مفتوحة لنشر الأخبار باللغة العربية");
  assert_int_equal(p.page.nparagraphs, 3);
  assert_true(starts_with(p.page.paragraphs[2], "ويقول أعضاء الفريق"));
  parsed_free(&p);
}

static void menus_and_breadcrumbs_before_the_headline_are_ignored(void **st) {
  parsed p;
  (void)st;
  expect_page(&p, PAGES "menus_before_headline.txt");
  /* the site name is printed twice too; the section and a date follow */
  assert_string_equal(p.page.section, "رياضة");
  assert_string_equal(
      p.page.title,
      "نادي الواحة يفوز على ضيفه بهدفين نظيفين ويعتلي صدارة الدوري");
  assert_int_equal(p.page.nparagraphs, 3);
  assert_true(starts_with(p.page.paragraphs[0], "حقق نادي الواحة"));
  parsed_free(&p);
}

static void breadcrumb_right_before_the_headline_names_the_section(void **st) {
  parsed p;
  (void)st;
  expect_page(&p, PAGES "breadcrumb_before_headline.txt");
  assert_string_equal(p.page.section, "تكنولوجيا");
  assert_string_equal(p.page.title,
                      "تطبيق جديد يساعد المزارعين على توقع الأمطار");
  assert_int_equal(p.page.nparagraphs, 2);
  parsed_free(&p);
}

static void crlf_line_ends_and_marks_at_line_ends_are_trimmed(void **st) {
  parsed p;
  (void)st;
  expect_page(&p, PAGES "crlf.txt");
  /* the two copies of the headline differ only by RLM and NBSP at the ends */
  assert_string_equal(p.page.section, "اقتصاد");
  assert_string_equal(p.page.title,
                      "ارتفاع أسعار الخضر في أسواق المدينة مع بداية الشتاء");
  assert_int_equal(p.page.nparagraphs, 3);
  assert_true(starts_with(p.page.paragraphs[0], "سجلت أسواق"));
  assert_true(starts_with(p.page.paragraphs[1], "ويرجع التجار"));
  assert_true(starts_with(p.page.paragraphs[2], "وطالبت جمعية"));
  const char *last = p.page.paragraphs[2];
  assert_int_equal(last[strlen(last) - 1], '.');
  last = p.page.paragraphs[0];
  assert_int_equal(last[strlen(last) - 1], '.');
  parsed_free(&p);
}

static void facebook_in_the_body_stays_and_trailing_share_lines_go(void **st) {
  parsed p;
  (void)st;
  expect_page(&p, PAGES "facebook_mid_body.txt");
  assert_string_equal(p.page.section, "ثقافة");
  assert_int_equal(p.page.nparagraphs, 4);
  assert_true(contains(p.page.paragraphs[1], "فيسبوك"));
  /* the last paragraph names Facebook too, and is a sentence: it stays */
  assert_true(starts_with(p.page.paragraphs[3], "وسيبث حفل الافتتاح"));
  parsed_free(&p);
}

static void headline_without_repetition_follows_the_section_line(void **st) {
  parsed p;
  (void)st;
  expect_page(&p, PAGES "no_repeat.txt");
  assert_string_equal(p.page.section, "علوم");
  assert_string_equal(p.page.title,
                      "باحثون شباب يصممون جهازا بسيطا لقياس جودة مياه الآبار");
  assert_int_equal(p.page.nparagraphs, 2);
  parsed_free(&p);
}

static void
headline_without_repetition_or_section_is_the_first_line(void **st) {
  parsed p;
  (void)st;
  expect_page(&p, PAGES "no_repeat_no_section.txt");
  assert_null(p.page.section);
  assert_string_equal(p.page.title, "مكتبة جديدة لأطفال الحي");
  /* "شارك المقال" and the row of networks at the end are not body */
  assert_int_equal(p.page.nparagraphs, 2);
  assert_true(starts_with(p.page.paragraphs[1], "وتستقبل المكتبة"));
  parsed_free(&p);
}

static void
page_title_with_site_name_then_heading_gives_the_heading(void **st) {
  static const char text[] =
      "رياضة\n"
      "فوز كبير لفريق الحي في الدورة الرمضانية - نبأ\n"
      "فوز كبير لفريق الحي في الدورة الرمضانية\n"
      "فاز فريق الحي بخمسة أهداف في المباراة النهائية.\n";
  parsed p;
  (void)st;
  parse_text(&p, text, sizeof text - 1);
  assert_int_equal(p.rc, NB_OK);
  assert_string_equal(p.page.section, "رياضة");
  assert_string_equal(p.page.title, "فوز كبير لفريق الحي في الدورة الرمضانية");
  assert_int_equal(p.page.nparagraphs, 1);
  parsed_free(&p);
}

static void comment_form_in_english_ends_the_body_too(void **st) {
  static const char text[] = "ثقافة\n"
                             "معرض للكتاب المستعمل في ساحة البلدية\n"
                             "معرض للكتاب المستعمل في ساحة البلدية\n"
                             "ينظم شباب الحي معرضا للكتاب المستعمل.\n"
                             "Leave a Reply\n"
                             "Your email address will not be published.\n"
                             "Post Comment\n";
  parsed p;
  (void)st;
  parse_text(&p, text, sizeof text - 1);
  assert_int_equal(p.rc, NB_OK);
  assert_int_equal(p.page.nparagraphs, 1);
  parsed_free(&p);
}

static void comment_count_beside_the_headline_is_passed_over(void **st) {
  static const char text[] = "اقتصاد\n"
                             "افتتاح سوق أسبوعي جديد للفلاحين\n"
                             "افتتاح سوق أسبوعي جديد للفلاحين\n"
                             "٣ تعليقات\n"
                             "افتتح السوق صباح الجمعة بحضور عشرات الباعة.\n"
                             "ويفتح السوق أبوابه كل جمعة حتى الظهر.\n"
                             "التعليقات\n"
                             "سعيد\n"
                             "خبر جميل، نتمنى سوقا مثله في حينا.\n";
  parsed p;
  (void)st;
  parse_text(&p, text, sizeof text - 1);
  assert_int_equal(p.rc, NB_OK);
  assert_int_equal(p.page.nparagraphs, 2);
  assert_true(starts_with(p.page.paragraphs[0], "افتتح السوق"));
  parsed_free(&p);
}

/* ---- refusals ---- */

static void expect_refusal(parsed *p, int rc, const char *err) {
  assert_int_equal(p->rc, rc);
  assert_string_equal(p->err, err);
  assert_null(p->page.title);
  assert_null(p->page.section);
  assert_null(p->page.paragraphs);
  assert_int_equal(p->page.nparagraphs, 0);
  parsed_free(p);
}

static void empty_file_is_refused(void **st) {
  parsed p;
  (void)st;
  parse_path(&p, PAGES "empty.txt");
  expect_refusal(&p, NB_EINVAL, "empty file");
}

static void whitespace_only_file_is_refused_as_empty(void **st) {
  parsed p;
  (void)st;
  parse_path(&p, PAGES "whitespace_only.txt");
  expect_refusal(&p, NB_EINVAL, "empty file");
}

static void file_with_nul_bytes_is_refused_as_binary(void **st) {
  parsed p;
  (void)st;
  parse_path(&p, PAGES "binary_nul.bin");
  expect_refusal(&p, NB_EINVAL, "binary file, not a saved page");
}

static void file_of_mostly_control_bytes_is_refused_as_binary(void **st) {
  static const char text[] = "\x01\x02\x03\x1b[0m\x7f\x04\x05\x06\n\x07";
  parsed p;
  (void)st;
  parse_text(&p, text, sizeof text - 1);
  expect_refusal(&p, NB_EINVAL, "binary file, not a saved page");
}

static void invalid_utf8_is_refused_with_its_byte_offset(void **st) {
  parsed p;
  (void)st;
  parse_path(&p, PAGES "invalid_utf8.txt");
  expect_refusal(&p, NB_EINVAL, "not UTF-8 at byte 23");
  /* a sequence cut at the end of the file */
  parse_text(&p, "\xd8\xb3\xd9", 3);
  expect_refusal(&p, NB_EINVAL, "not UTF-8 at byte 2");
}

static void page_with_only_a_headline_is_refused(void **st) {
  parsed p;
  (void)st;
  parse_path(&p, PAGES "only_headline.txt");
  expect_refusal(&p, NB_EINVAL, "no body paragraphs after the headline");
}

static void one_giant_paragraph_has_no_headline(void **st) {
  parsed p;
  (void)st;
  parse_path(&p, PAGES "one_giant_line.txt");
  expect_refusal(&p, NB_EINVAL, "no headline found");
}

static void line_over_64_kib_is_refused(void **st) {
  static const char head[] = "سياسة\nعنوان الخبر\n";
  size_t n = sizeof head - 1 + 65537 + 1;
  char *text = malloc(n);
  parsed p;
  (void)st;
  assert_non_null(text);
  memcpy(text, head, sizeof head - 1);
  memset(text + sizeof head - 1, 'a', 65537);
  text[n - 1] = '\n';
  parse_text(&p, text, n);
  expect_refusal(&p, NB_ETOOBIG, "line 3 is longer than 64 KiB");
  /* exactly 64 KiB is a line like any other */
  parse_text(&p, text, n - 2);
  assert_int_not_equal(p.rc, NB_ETOOBIG);
  parsed_free(&p);
  free(text);
}

static void file_over_the_size_limit_is_refused(void **st) {
  size_t n = IMP_PAGE_MAX_SIZE + 1;
  char *text = malloc(n);
  parsed p;
  (void)st;
  assert_non_null(text);
  memset(text, '\n', n);
  parse_text(&p, text, n);
  assert_int_equal(p.rc, NB_ETOOBIG);
  assert_true(contains(p.err, "over the limit"));
  parsed_free(&p);
  free(text);
}

static void control_character_in_a_kept_line_is_refused(void **st) {
  static const char bad[] = "سياسة\nعنوان الخبر\nعنوان الخبر\n"
                            "فقرة أولى\x0bفيها فاصل عمودي.\n";
  static const char ok[] = "سياسة\nعنوان الخبر\nعنوان الخبر\n"
                           "فقرة أولى بلا فاصل.\nاترك تعليقاً\n\x0b\n";
  parsed p;
  (void)st;
  parse_text(&p, bad, sizeof bad - 1);
  expect_refusal(&p, NB_EINVAL, "control character 0x0B on line 4");
  static const char bad_section[] = "سيا\x01سة\nعنوان الخبر\nعنوان الخبر\n"
                                    "فقرة أولى.\n";
  parse_text(&p, bad_section, sizeof bad_section - 1);
  expect_refusal(&p, NB_EINVAL, "control character 0x01 on line 1");
  /* in a line that is dropped it does not matter */
  parse_text(&p, ok, sizeof ok - 1);
  assert_int_equal(p.rc, NB_OK);
  assert_int_equal(p.page.nparagraphs, 1);
  parsed_free(&p);
}

static void short_or_missing_error_buffer_is_safe(void **st) {
  arena_t a = {0};
  imp_page page;
  char err[6];
  (void)st;
  assert_int_equal(imp_page_parse("", 0, &a, &page, NULL, 0), NB_EINVAL);
  assert_int_equal(imp_page_parse("x\x00", 2, &a, &page, err, sizeof err),
                   NB_EINVAL);
  assert_string_equal(err, "binar");
  arena_free(&a);
}

/* ---- saving ---- */

typedef struct {
  char dir[64];
  char path[96];
  store *s;
} db;

static int db_open(void **state) {
  db *d = calloc(1, sizeof *d);
  char err[256];
  if (!d)
    return -1;
  snprintf(d->dir, sizeof d->dir, "/tmp/naba-import-XXXXXX");
  if (!mkdtemp(d->dir))
    return -1;
  snprintf(d->path, sizeof d->path, "%s/naba.db", d->dir);
  if (store_open(d->path, 0, &d->s, err, sizeof err) != NB_OK) {
    fprintf(stderr, "store_open: %s\n", err);
    return -1;
  }
  *state = d;
  return 0;
}

static int db_close(void **state) {
  db *d = *state;
  char p[128];
  store_close(d->s);
  static const char *const tails[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s%s", d->path, tails[i]);
    unlink(p);
  }
  rmdir(d->dir);
  free(d);
  return 0;
}

static int64_t save_path(store *s, const char *path, const imp_page_opts *o,
                         int *created) {
  parsed p;
  int64_t id = 0;
  char err[256];
  expect_page(&p, path);
  int rc = imp_page_save(s, &p.page, o, &id, created, err, sizeof err);
  if (rc != NB_OK)
    fail_msg("save %s: %s", path, err);
  parsed_free(&p);
  return id;
}

static int64_t article_count(store *s) {
  int64_t n = -1;
  assert_int_equal(store_articles_count(s, 0, &n), NB_OK);
  return n;
}

static size_t section_count(store *s) {
  arena_t a = {0};
  store_section *list;
  size_t n = 0;
  assert_int_equal(store_sections(s, &a, &list, &n), NB_OK);
  arena_free(&a);
  return n;
}

static void same_file_imported_twice_is_one_article(void **state) {
  db *d = *state;
  arena_t a = {0};
  store_article art;
  int created = -1;
  int64_t id1 = save_path(d->s, PAGES "council_meeting.txt", NULL, &created);
  assert_true(id1 > 0);
  assert_int_equal(created, 1);
  int64_t id2 = save_path(d->s, PAGES "council_meeting.txt", NULL, &created);
  assert_int_equal(id2, id1);
  assert_int_equal(created, 0);
  assert_int_equal(article_count(d->s), 1);
  assert_int_equal(section_count(d->s), 1);

  assert_int_equal(store_article_by_id(d->s, &a, id1, &art), NB_OK);
  assert_string_equal(
      art.title,
      "مجلس بلدية وادي الزيتون يقر ميزانية جديدة لتأهيل الحدائق العامة");
  assert_string_equal(art.section_name, "محليات");
  assert_int_equal(art.status, STORE_PUBLISHED);
  assert_true(art.published_at > 0);
  assert_true(starts_with(art.body_html, "<p>صادق المجلس البلدي"));
  assert_true(contains(art.body_html, "</p>\n<p>وقالت رئيسة المجلس"));
  assert_false(contains(art.body_html, "اترك تعليقاً"));
  buf_t slug = {0};
  assert_int_equal(ar_slug(art.title, strlen(art.title), AR_SLUG_MAX, &slug),
                   NB_OK);
  assert_string_equal(art.slug, slug.data);
  buf_free(&slug);
  arena_free(&a);

  /* another page is another article */
  int64_t id3 = save_path(d->s, PAGES "no_repeat.txt", NULL, &created);
  assert_int_equal(created, 1);
  assert_int_not_equal(id3, id1);
  assert_int_equal(article_count(d->s), 2);
}

static void tags_image_and_reserved_slugs(void **state) {
  db *d = *state;
  arena_t a = {0};
  store_article art;
  store_named *tags;
  store_section sec;
  size_t n;
  int created;
  imp_page_opts o = {.section = "feed",
                     .tags = " طاقة , Energy,, طاقة ",
                     .image = "https://example.org/a.jpg"};
  int64_t id = save_path(d->s, PAGES "council_meeting.txt", &o, &created);
  assert_int_equal(store_article_by_id(d->s, &a, id, &art), NB_OK);
  assert_string_equal(art.image_url, "https://example.org/a.jpg");
  /* /feed is the site's feed: the section gets another slug. */
  assert_int_equal(store_section_by_id(d->s, &a, art.section_id, &sec), NB_OK);
  assert_string_equal(sec.slug, "feed-2");
  assert_int_equal(store_article_tags(d->s, &a, id, &tags, &n), NB_OK);
  assert_int_equal(n, 2); /* blanks trimmed, empty and repeated ones once */
  assert_string_equal(tags[0].name, "Energy");
  assert_string_equal(tags[0].slug, "energy");
  assert_string_equal(tags[1].name, "طاقة");
  /* Without tags, a re-import leaves them; with, it replaces them. */
  o.tags = NULL;
  save_path(d->s, PAGES "council_meeting.txt", &o, &created);
  assert_int_equal(store_article_tags(d->s, &a, id, &tags, &n), NB_OK);
  assert_int_equal(n, 2);
  o.tags = "Energy";
  save_path(d->s, PAGES "council_meeting.txt", &o, &created);
  assert_int_equal(store_article_tags(d->s, &a, id, &tags, &n), NB_OK);
  assert_int_equal(n, 1);
  /* A bad image URL is refused with the reason. */
  parsed p;
  char err[256];
  int64_t got;
  o.image = "javascript:alert(1)";
  expect_page(&p, PAGES "council_meeting.txt");
  assert_int_equal(
      imp_page_save(d->s, &p.page, &o, &got, &created, err, sizeof err),
      NB_EINVAL);
  assert_non_null(strstr(err, "image"));
  parsed_free(&p);
  arena_free(&a);
}

static void section_option_overrides_the_page(void **state) {
  db *d = *state;
  arena_t a = {0};
  store_article art;
  imp_page_opts o = {.section = "  أخبار المدن "};
  int created;
  int64_t id = save_path(d->s, PAGES "council_meeting.txt", &o, &created);
  assert_int_equal(store_article_by_id(d->s, &a, id, &art), NB_OK);
  assert_string_equal(art.section_name, "أخبار المدن");
  assert_int_equal(section_count(d->s), 1); /* the page's own was not made */

  /* imported again without the option, the article goes to the page's */
  assert_int_equal(save_path(d->s, PAGES "council_meeting.txt", NULL, &created),
                   id);
  assert_int_equal(store_article_by_id(d->s, &a, id, &art), NB_OK);
  assert_string_equal(art.section_name, "محليات");
  assert_int_equal(article_count(d->s), 1);
  arena_free(&a);
}

static void page_without_section_goes_to_the_default_section(void **state) {
  db *d = *state;
  arena_t a = {0};
  store_article art;
  int created;
  int64_t id = save_path(d->s, PAGES "no_section.txt", NULL, &created);
  assert_int_equal(store_article_by_id(d->s, &a, id, &art), NB_OK);
  assert_string_equal(art.section_name, "عام");
  arena_free(&a);
}

static void refused_file_writes_nothing(void **state) {
  static const char *const refused[] = {
      "empty.txt",        "whitespace_only.txt", "binary_nul.bin",
      "invalid_utf8.txt", "only_headline.txt",   "one_giant_line.txt",
  };
  db *d = *state;
  char err[256];
  int64_t id = 0;
  int created = 0;
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    char path[512];
    parsed p;
    snprintf(path, sizeof path, PAGES "%s", refused[i]);
    parse_path(&p, path);
    assert_int_not_equal(p.rc, NB_OK);
    /* what a careless caller might still hand over is refused too */
    assert_int_equal(
        imp_page_save(d->s, &p.page, NULL, &id, &created, err, sizeof err),
        NB_EINVAL);
    parsed_free(&p);
  }

  /* a good page with a bad option: refused before anything is written */
  parsed p;
  expect_page(&p, PAGES "council_meeting.txt");
  imp_page_opts o = {.section = "\xff\xfe"};
  assert_int_equal(
      imp_page_save(d->s, &p.page, &o, &id, &created, err, sizeof err),
      NB_EINVAL);
  assert_string_equal(err, "section is not UTF-8");
  o = (imp_page_opts){.date = -5};
  assert_int_equal(
      imp_page_save(d->s, &p.page, &o, &id, &created, err, sizeof err),
      NB_EINVAL);
  parsed_free(&p);

  assert_int_equal(article_count(d->s), 0);
  assert_int_equal(section_count(d->s), 0);
}

static void
body_is_escaped_paragraphs_and_summary_is_cut_at_a_word(void **state) {
  db *d = *state;
  buf_t longp = {0};
  for (int i = 0; i < 40; i++)
    buf_puts(&longp, i ? " كلمة" : "كلمة");
  const char *paras[] = {longp.data, "أ < ب & \"ج\" 'د'"};
  imp_page page = {.title = "اختبار", .paragraphs = paras, .nparagraphs = 2};
  arena_t a = {0};
  store_article art;
  int64_t id;
  int created;
  char err[256];
  assert_int_equal(
      imp_page_save(d->s, &page, NULL, &id, &created, err, sizeof err), NB_OK);
  assert_int_equal(store_article_by_id(d->s, &a, id, &art), NB_OK);
  const char *escaped = "<p>أ &lt; ب &amp; &quot;ج&quot; &#39;د&#39;</p>";
  assert_true(contains(art.body_html, "</p>\n"));
  assert_string_equal(strstr(art.body_html, "</p>\n") + 5, escaped);

  /* 40 words of 4 letters: 199 characters, so whole; 60 are cut */
  assert_string_equal(art.summary, longp.data);
  for (int i = 40; i < 60; i++)
    buf_puts(&longp, " كلمة");
  paras[0] = longp.data;
  assert_int_equal(
      imp_page_save(d->s, &page, NULL, &id, &created, err, sizeof err), NB_OK);
  assert_int_equal(created, 1); /* other text, other article */
  assert_int_equal(store_article_by_id(d->s, &a, id, &art), NB_OK);
  size_t sl = strlen(art.summary);
  assert_true(sl > 3 && strcmp(art.summary + sl - 3, "…") == 0);
  assert_true(utf8_count(art.summary, sl) <= 201);
  assert_true(utf8_count(art.summary, sl) >= 150);
  assert_memory_equal(art.summary, longp.data, sl - 3);
  assert_int_equal(longp.data[sl - 3], ' '); /* cut where a word ends */
  buf_free(&longp);
  arena_free(&a);
}

static void author_and_date_options_set_byline_and_date(void **state) {
  db *d = *state;
  arena_t a = {0};
  store_article art;
  imp_page_opts o = {.author = "ليلى المنصوري", .date = 1700000000};
  int created;
  int64_t id = save_path(d->s, PAGES "facebook_mid_body.txt", &o, &created);
  assert_int_equal(store_article_by_id(d->s, &a, id, &art), NB_OK);
  assert_string_equal(art.author_name, "ليلى المنصوري");
  assert_int_equal(art.published_at, 1700000000);
  /* imported again without a date, the article keeps its date */
  assert_int_equal(
      save_path(d->s, PAGES "facebook_mid_body.txt", NULL, &created), id);
  assert_int_equal(store_article_by_id(d->s, &a, id, &art), NB_OK);
  assert_int_equal(art.published_at, 1700000000);
  arena_free(&a);
}

int main(void) {
  if (sodium_init() < 0) /* once, as main() does in naba */
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(seed_page_gives_section_headline_once_and_paragraphs),
      cmocka_unit_test(kept_text_is_byte_identical_to_the_source),
      cmocka_unit_test(council_page_stops_at_the_comment_form),
      cmocka_unit_test(page_without_section_line_has_no_section),
      cmocka_unit_test(menus_and_breadcrumbs_before_the_headline_are_ignored),
      cmocka_unit_test(breadcrumb_right_before_the_headline_names_the_section),
      cmocka_unit_test(crlf_line_ends_and_marks_at_line_ends_are_trimmed),
      cmocka_unit_test(facebook_in_the_body_stays_and_trailing_share_lines_go),
      cmocka_unit_test(headline_without_repetition_follows_the_section_line),
      cmocka_unit_test(
          headline_without_repetition_or_section_is_the_first_line),
      cmocka_unit_test(
          page_title_with_site_name_then_heading_gives_the_heading),
      cmocka_unit_test(comment_form_in_english_ends_the_body_too),
      cmocka_unit_test(comment_count_beside_the_headline_is_passed_over),
      cmocka_unit_test(empty_file_is_refused),
      cmocka_unit_test(whitespace_only_file_is_refused_as_empty),
      cmocka_unit_test(file_with_nul_bytes_is_refused_as_binary),
      cmocka_unit_test(file_of_mostly_control_bytes_is_refused_as_binary),
      cmocka_unit_test(invalid_utf8_is_refused_with_its_byte_offset),
      cmocka_unit_test(page_with_only_a_headline_is_refused),
      cmocka_unit_test(one_giant_paragraph_has_no_headline),
      cmocka_unit_test(line_over_64_kib_is_refused),
      cmocka_unit_test(file_over_the_size_limit_is_refused),
      cmocka_unit_test(control_character_in_a_kept_line_is_refused),
      cmocka_unit_test(short_or_missing_error_buffer_is_safe),
      cmocka_unit_test_setup_teardown(same_file_imported_twice_is_one_article,
                                      db_open, db_close),
      cmocka_unit_test_setup_teardown(section_option_overrides_the_page,
                                      db_open, db_close),
      cmocka_unit_test_setup_teardown(tags_image_and_reserved_slugs, db_open,
                                      db_close),
      cmocka_unit_test_setup_teardown(
          page_without_section_goes_to_the_default_section, db_open, db_close),
      cmocka_unit_test_setup_teardown(refused_file_writes_nothing, db_open,
                                      db_close),
      cmocka_unit_test_setup_teardown(
          body_is_escaped_paragraphs_and_summary_is_cut_at_a_word, db_open,
          db_close),
      cmocka_unit_test_setup_teardown(
          author_and_date_options_set_byline_and_date, db_open, db_close),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  return SHARED_EXIT(rc);
}
