/* Tests for render/: the official Mustache spec files, read at run time from
 * the shared test data, and the behaviour naba's pages rely on (escaping,
 * limits, errors with line numbers, loading a theme folder, threads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../shared.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/render.h"

#define SPEC_DIR NABA_SHARED_DIR "/testdata/mustache-spec/"

/* Compiles `src` as "main" (and the NULL-terminated name/source pairs that
 * follow as partials), renders it against `json` and returns the output;
 * the caller frees it. Fails the test on any error. */
static char *render_with(const char *src, const char *json, ...) {
  tpl_set *set = tpl_set_new();
  assert_non_null(set);
  char err[256];
  va_list ap;
  va_start(ap, json);
  const char *pname;
  while ((pname = va_arg(ap, const char *)) != NULL) {
    const char *psrc = va_arg(ap, const char *);
    assert_int_equal(
        tpl_set_add(set, pname, psrc, strlen(psrc), err, sizeof err), NB_OK);
  }
  va_end(ap);
  int rc = tpl_set_add(set, "main", src, strlen(src), err, sizeof err);
  if (rc != NB_OK)
    fail_msg("compile: %s", err);
  json_error_t jerr;
  json_t *data = json_loads(json, JSON_DECODE_ANY, &jerr);
  assert_non_null(data);
  buf_t out = {0};
  assert_int_equal(tpl_render(set, "main", data, &out), NB_OK);
  json_decref(data);
  tpl_set_free(set);
  char *s = buf_take(&out, NULL);
  return s ? s : strdup("");
}

/* ---- the official spec ---- */

static int run_spec_file(const char *file, int *total, int *passed) {
  char path[512];
  snprintf(path, sizeof path, "%s%s.json", SPEC_DIR, file);
  json_error_t jerr;
  json_t *doc = json_load_file(path, 0, &jerr);
  if (!doc) {
    printf("%s: cannot load %s: %s\n", file, path, jerr.text);
    return 0;
  }
  json_t *tests = json_object_get(doc, "tests");
  size_t i, n = json_array_size(tests), ok = 0;
  json_t *tc;
  json_array_foreach(tests, i, tc) {
    const char *name = json_string_value(json_object_get(tc, "name"));
    json_t *tplv = json_object_get(tc, "template");
    const char *expected = json_string_value(json_object_get(tc, "expected"));
    tpl_set *set = tpl_set_new();
    char err[256] = "";
    int rc = NB_OK;
    const char *pname;
    json_t *psrc;
    json_object_foreach(json_object_get(tc, "partials"), pname, psrc) {
      if (rc == NB_OK)
        rc = tpl_set_add(set, pname, json_string_value(psrc),
                         json_string_length(psrc), err, sizeof err);
    }
    /* A name no spec partial uses, so partials cannot shadow it. */
    if (rc == NB_OK)
      rc = tpl_set_add(set, "spec test template", json_string_value(tplv),
                       json_string_length(tplv), err, sizeof err);
    buf_t out = {0};
    if (rc == NB_OK)
      rc = tpl_render(set, "spec test template", json_object_get(tc, "data"),
                      &out);
    const char *got = out.data ? out.data : "";
    if (rc == NB_OK && strcmp(got, expected) == 0) {
      ok++;
    } else {
      char *t = json_dumps(tplv, JSON_ENCODE_ANY);
      json_t *e = json_string(expected), *g = json_string(got);
      char *es = json_dumps(e, JSON_ENCODE_ANY),
           *gs = json_dumps(g, JSON_ENCODE_ANY);
      printf("  FAIL %s / %s (rc %d %s)\n    template %s\n    expected %s\n"
             "    got      %s\n",
             file, name, rc, err, t, es, gs);
      free(t);
      free(es);
      free(gs);
      json_decref(e);
      json_decref(g);
    }
    buf_free(&out);
    tpl_set_free(set);
  }
  printf("%s: %zu/%zu passed\n", file, ok, n);
  json_decref(doc);
  *total += (int)n;
  *passed += (int)ok;
  return n > 0;
}

static void every_official_spec_case_renders_as_expected(void **state) {
  SHARED_OR_SKIP(SPEC_DIR);
  (void)state;
  static const char *files[] = {"comments",    "delimiters", "interpolation",
                                "inverted",    "partials",   "sections",
                                "~inheritance"};
  int total = 0, passed = 0, loaded = 1;
  for (size_t i = 0; i < sizeof files / sizeof *files; i++)
    loaded &= run_spec_file(files[i], &total, &passed);
  printf("total: %d/%d passed\n", passed, total);
  assert_true(loaded);
  assert_true(total > 0);
  assert_int_equal(passed, total);
}

/* ---- our own behaviour ---- */

static void html_in_data_is_escaped_by_default(void **state) {
  (void)state;
  char *s = render_with(
      "<p>{{t}}</p>", "{\"t\": \"<b>\\\"Tom\\\" & 'Jerry'</b> مرحبا\"}", NULL);
  assert_string_equal(
      s,
      "<p>&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt; مرحبا</p>");
  free(s);
}

static void triple_mustache_is_raw(void **state) {
  (void)state;
  char *s =
      render_with("{{{h}}}|{{&h}}|{{ h }}", "{\"h\": \"<em>a&b</em>\"}", NULL);
  assert_string_equal(s,
                      "<em>a&b</em>|<em>a&b</em>|&lt;em&gt;a&amp;b&lt;/em&gt;");
  free(s);
}

static void numbers_booleans_and_null_print_as_expected(void **state) {
  (void)state;
  char *s = render_with("{{i}} {{r}} {{big}} {{t}} {{f}} [{{n}}] [{{o}}]",
                        "{\"i\": -42, \"r\": 1.21, \"big\": 0.1, \"t\": true,"
                        " \"f\": false, \"n\": null, \"o\": {\"a\": 1}}",
                        NULL);
  assert_string_equal(s, "-42 1.21 0.1 true false [] []");
  free(s);
}

static void missing_partial_renders_empty(void **state) {
  (void)state;
  char *s = render_with("[{{>nowhere}}]\n  {{>nowhere}}\nend", "{}", NULL);
  assert_string_equal(s, "[]\nend");
  free(s);
}

static void missing_template_is_not_found(void **state) {
  (void)state;
  tpl_set *set = tpl_set_new();
  buf_t out = {0};
  assert_int_equal(tpl_render(set, "nope", NULL, &out), NB_ENOTFOUND);
  assert_int_equal(tpl_has(set, "nope"), 0);
  buf_free(&out);
  tpl_set_free(set);
}

static void expect_error(const char *src, int want_rc, const char *want_err) {
  tpl_set *set = tpl_set_new();
  char err[256] = "";
  assert_int_equal(tpl_set_add(set, "page", src, strlen(src), err, sizeof err),
                   want_rc);
  assert_string_equal(err, want_err);
  assert_int_equal(tpl_has(set, "page"), 0);
  tpl_set_free(set);
}

static void unclosed_section_is_refused_with_line_number(void **state) {
  (void)state;
  expect_error("<ul>\n{{#items}}\n  <li>{{title}}</li>\n</ul>\n", NB_EINVAL,
               "page:2: unclosed section 'items'");
  expect_error("a\n{{#a}}\nb\n{{/b}}\n", NB_EINVAL,
               "page:4: closing tag 'b' does not match 'a' opened on line 2");
  expect_error("x\n\n{{/a}}", NB_EINVAL,
               "page:3: closing tag 'a' without a section");
  expect_error("one\ntwo {{name", NB_EINVAL, "page:2: unclosed tag");
  expect_error("{{=<% =}}", NB_EINVAL, "page:1: bad set-delimiter tag");
  expect_error("\n{{= a =}}", NB_EINVAL, "page:2: bad set-delimiter tag");
  /* With ">" as the closing delimiter, a partial tag needs a second one. */
  expect_error("{{=% >=}}%>", NB_EINVAL, "page:1: unclosed tag");
  expect_error("{{=% >=}}%>>", NB_EINVAL, "page:1: empty tag");
  expect_error("{{first name}}", NB_EINVAL,
               "page:1: space inside tag name 'first name'");
}

static void a_failed_compile_keeps_the_previous_template(void **state) {
  (void)state;
  tpl_set *set = tpl_set_new();
  char err[128];
  assert_int_equal(tpl_set_add(set, "t", "old", 3, err, sizeof err), NB_OK);
  assert_int_equal(tpl_set_add(set, "t", "{{#x}}", 6, err, sizeof err),
                   NB_EINVAL);
  buf_t out = {0};
  assert_int_equal(tpl_render(set, "t", NULL, &out), NB_OK);
  assert_string_equal(out.data, "old");
  assert_int_equal(tpl_set_add(set, "t", "new", 3, err, sizeof err), NB_OK);
  buf_reset(&out);
  assert_int_equal(tpl_render(set, "t", NULL, &out), NB_OK);
  assert_string_equal(out.data, "new");
  buf_free(&out);
  tpl_set_free(set);
}

static void recursive_partial_stops_at_depth_limit(void **state) {
  (void)state;
  tpl_set *set = tpl_set_new();
  char err[128];
  const char *self = "x{{>self}}";
  const char *parent = "{{<parent}}{{/parent}}";
  assert_int_equal(
      tpl_set_add(set, "self", self, strlen(self), err, sizeof err), NB_OK);
  assert_int_equal(
      tpl_set_add(set, "parent", parent, strlen(parent), err, sizeof err),
      NB_OK);
  buf_t out = {0};
  buf_puts(&out, "before");
  assert_int_equal(tpl_render(set, "self", NULL, &out), NB_ETOOBIG);
  assert_string_equal(out.data, "before"); /* no half page */
  assert_int_equal(tpl_render(set, "parent", NULL, &out), NB_ETOOBIG);
  assert_string_equal(out.data, "before");

  /* Recursion that ends is fine, at any width. */
  const char *node = "{{name}}({{#kids}}{{>node}}{{/kids}})";
  assert_int_equal(
      tpl_set_add(set, "node", node, strlen(node), err, sizeof err), NB_OK);
  /* Leaves say "kids": [], or {{#kids}} would find their parent's list. */
  json_t *tree = json_loads(
      "{\"name\":\"a\",\"kids\":[{\"name\":\"b\",\"kids\":[{\"name\":"
      "\"c\",\"kids\":[]}]},{\"name\":\"d\",\"kids\":[]}]}",
      0, NULL);
  buf_reset(&out);
  assert_int_equal(tpl_render(set, "node", tree, &out), NB_OK);
  assert_string_equal(out.data, "a(b(c())d())");
  json_decref(tree);
  buf_free(&out);
  tpl_set_free(set);
}

static void branching_recursion_is_stopped_quickly(void **state) {
  (void)state;
  /* Each level renders two copies of the next; the data ends it at depth
   * 40, under every depth limit, but only after 2^40 partials. */
  tpl_set *set = tpl_set_new();
  char err[128];
  const char *src = "{{#a}}{{>t}}{{>t}}{{/a}}";
  assert_int_equal(tpl_set_add(set, "t", src, strlen(src), err, sizeof err),
                   NB_OK);
  json_t *ctx = json_pack("{s:b}", "a", 0);
  for (int i = 0; i < 40; i++)
    ctx = json_pack("{s:o}", "a", ctx);
  buf_t out = {0};
  /* Refused by the step budget (without it this would not finish). */
  assert_int_equal(tpl_render(set, "t", ctx, &out), NB_ETOOBIG);
  json_decref(ctx);
  buf_free(&out);
  tpl_set_free(set);
}

static void template_over_size_limit_is_refused(void **state) {
  (void)state;
  size_t n = TPL_MAX_SIZE + 1;
  char *big = malloc(n);
  assert_non_null(big);
  memset(big, 'a', n);
  tpl_set *set = tpl_set_new();
  char err[128] = "";
  assert_int_equal(tpl_set_add(set, "big", big, n, err, sizeof err),
                   NB_ETOOBIG);
  assert_non_null(strstr(err, "big"));
  assert_int_equal(tpl_has(set, "big"), 0);
  assert_int_equal(tpl_set_add(set, "big", big, n - 1, err, sizeof err), NB_OK);
  assert_int_equal(tpl_has(set, "big"), 1);
  free(big);
  tpl_set_free(set);
}

static void sections_nested_deeper_than_limit_are_refused(void **state) {
  (void)state;
  buf_t src = {0};
  for (int i = 0; i < TPL_MAX_DEPTH; i++)
    buf_puts(&src, "{{#a}}");
  for (int i = 0; i < TPL_MAX_DEPTH; i++)
    buf_puts(&src, "{{/a}}");
  tpl_set *set = tpl_set_new();
  char err[128];
  assert_int_equal(tpl_set_add(set, "ok", src.data, src.len, err, sizeof err),
                   NB_OK);
  buf_reset(&src);
  for (int i = 0; i <= TPL_MAX_DEPTH; i++)
    buf_puts(&src, "{{#a}}\n");
  for (int i = 0; i <= TPL_MAX_DEPTH; i++)
    buf_puts(&src, "{{/a}}\n");
  assert_int_equal(tpl_set_add(set, "deep", src.data, src.len, err, sizeof err),
                   NB_ETOOBIG);
  assert_string_equal(err, "deep:65: sections nested deeper than 64");
  buf_free(&src);
  tpl_set_free(set);
}

static void write_file(const char *dir, const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void load_dir_names_templates_by_file_name(void **state) {
  (void)state;
  char dir[] = "/tmp/naba-render-XXXXXX";
  assert_non_null(mkdtemp(dir));
  write_file(dir, "article.mustache",
             "{{<layout}}{{$body}}<h1>{{title}}</h1>{{/body}}{{/layout}}\n");
  write_file(dir, "layout.mustache", "<main>\n  {{$body}}{{/body}}\n</main>\n");
  write_file(dir, "notes.txt", "{{#broken");
  tpl_set *set = tpl_set_new();
  char err[256] = "";
  assert_int_equal(tpl_set_load_dir(set, dir, err, sizeof err), NB_OK);
  assert_int_equal(tpl_has(set, "article"), 1);
  assert_int_equal(tpl_has(set, "layout"), 1);
  assert_int_equal(tpl_has(set, "article.mustache"), 0);
  assert_int_equal(tpl_has(set, "notes"), 0);
  json_t *ctx = json_pack("{s:s}", "title", "أخبار اليوم");
  buf_t out = {0};
  assert_int_equal(tpl_render(set, "article", ctx, &out), NB_OK);
  assert_string_equal(out.data, "<main>\n  <h1>أخبار اليوم</h1>\n</main>\n");

  /* A broken file is reported by its name and line. */
  write_file(dir, "broken.mustache", "ok\n{{/nothing}}\n");
  assert_int_equal(tpl_set_load_dir(set, dir, err, sizeof err), NB_EINVAL);
  assert_string_equal(err, "broken:2: closing tag 'nothing' without a section");

  char path[512];
  const char *files[] = {"article.mustache", "layout.mustache", "notes.txt",
                         "broken.mustache"};
  for (size_t i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  rmdir(dir);
  assert_int_equal(tpl_set_load_dir(set, dir, err, sizeof err), NB_EIO);
  json_decref(ctx);
  buf_free(&out);
  tpl_set_free(set);
}

static void empty_string_is_falsey(void **state) {
  (void)state;
  char *s = render_with(
      "{{#e}}shown{{/e}}{{^e}}empty{{/e}} {{#s}}[{{.}}]{{/s}} {{#z}}zero{{/z}}",
      "{\"e\": \"\", \"s\": \"x\", \"z\": 0}", NULL);
  assert_string_equal(s, "empty [x] zero");
  free(s);
}

static void layout_blocks_and_partials_keep_their_indentation(void **state) {
  (void)state;
  char *s = render_with(
      "{{<layout}}\n"
      "  {{$title}}{{name}}{{/title}}\n"
      "  {{$content}}\n"
      "    <ul>\n"
      "      {{#items}}\n"
      "      {{>item}}\n"
      "      {{/items}}\n"
      "    </ul>\n"
      "  {{/content}}\n"
      "{{/layout}}\n",
      "{\"name\": \"الرئيسية\", \"items\": [{\"t\": \"أ\"}, {\"t\": \"ب\"}]}",
      "layout",
      "<html>\n"
      "  <head><title>{{$title}}naba{{/title}}</title></head>\n"
      "  <body>\n"
      "    {{$content}}\n"
      "    {{/content}}\n"
      "  </body>\n"
      "</html>\n",
      "item", "<li>{{t}}</li>\n", NULL);
  assert_string_equal(s, "<html>\n"
                         "  <head><title>الرئيسية</title></head>\n"
                         "  <body>\n"
                         "    <ul>\n"
                         "      <li>أ</li>\n"
                         "      <li>ب</li>\n"
                         "    </ul>\n"
                         "  </body>\n"
                         "</html>\n");
  free(s);
}

/* ---- threads and speed ---- */

typedef struct {
  const tpl_set *set;
  const json_t *ctx;
  const char *want;
  int bad;
} job;

static void *render_many(void *arg) {
  job *j = arg;
  buf_t out = {0};
  for (int i = 0; i < 2000; i++) {
    buf_reset(&out);
    if (tpl_render(j->set, "page", j->ctx, &out) != NB_OK ||
        strcmp(out.data, j->want) != 0)
      j->bad++;
  }
  buf_free(&out);
  return NULL;
}

static const char *page_src =
    "{{<layout}}{{$main}}\n"
    "<section>\n"
    "  {{#articles}}\n"
    "  {{>card}}\n"
    "  {{/articles}}\n"
    "  {{^articles}}<p>لا توجد مقالات</p>{{/articles}}\n"
    "</section>\n"
    "{{/main}}{{/layout}}\n";
static const char *layout_src =
    "<!doctype html>\n<html lang=\"ar\" dir=\"rtl\">\n<head>\n"
    "  <meta charset=\"utf-8\">\n  <title>{{site.name}}</title>\n</head>\n"
    "<body>\n  <header><a href=\"/\">{{site.name}}</a></header>\n"
    "  <main>\n    {{$main}}\n    {{/main}}\n  </main>\n"
    "  <footer>{{site.footer}}</footer>\n</body>\n</html>\n";
static const char *card_src =
    "<article>\n  <h2><a href=\"/{{slug}}\">{{title}}</a></h2>\n"
    "  <time datetime=\"{{date}}\">{{date_ar}}</time>\n"
    "  <p>{{summary}}</p>\n"
    "  {{#tags}}<a class=\"tag\" href=\"/tag/{{.}}\">{{.}}</a> {{/tags}}\n"
    "</article>\n";

static tpl_set *page_set(json_t **ctx) {
  tpl_set *set = tpl_set_new();
  char err[256];
  assert_int_equal(
      tpl_set_add(set, "page", page_src, strlen(page_src), err, sizeof err),
      NB_OK);
  assert_int_equal(tpl_set_add(set, "layout", layout_src, strlen(layout_src),
                               err, sizeof err),
                   NB_OK);
  assert_int_equal(
      tpl_set_add(set, "card", card_src, strlen(card_src), err, sizeof err),
      NB_OK);
  json_t *arts = json_array();
  for (int i = 0; i < 20; i++)
    json_array_append_new(
        arts,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s,s,s]}", "slug", "خبر-عاجل",
                  "title", "عنوان <المقال> & \"الخبر\"", "date", "2021-11-24",
                  "date_ar", "٢٤ نوفمبر ٢٠٢١", "summary",
                  "نص الملخص الذي يصف المقال في سطرين أو ثلاثة أسطر.", "tags",
                  "سياسة", "اقتصاد", "رياضة"));
  *ctx = json_pack("{s:{s:s, s:s}, s:o}", "site", "name", "نبأ", "footer",
                   "© نبأ", "articles", arts);
  return set;
}

static void shared_set_renders_identically_from_many_threads(void **state) {
  (void)state;
  json_t *ctx;
  tpl_set *set = page_set(&ctx);
  buf_t want = {0};
  assert_int_equal(tpl_render(set, "page", ctx, &want), NB_OK);
  assert_non_null(strstr(want.data, "\n      <article>\n        <h2>"));
  job jobs[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (job){set, ctx, want.data, 0};
    assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(jobs[i].bad, 0);
  }
  buf_free(&want);
  json_decref(ctx);
  tpl_set_free(set);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_official_spec_case_renders_as_expected),
      cmocka_unit_test(html_in_data_is_escaped_by_default),
      cmocka_unit_test(triple_mustache_is_raw),
      cmocka_unit_test(numbers_booleans_and_null_print_as_expected),
      cmocka_unit_test(missing_partial_renders_empty),
      cmocka_unit_test(missing_template_is_not_found),
      cmocka_unit_test(unclosed_section_is_refused_with_line_number),
      cmocka_unit_test(a_failed_compile_keeps_the_previous_template),
      cmocka_unit_test(recursive_partial_stops_at_depth_limit),
      cmocka_unit_test(branching_recursion_is_stopped_quickly),
      cmocka_unit_test(template_over_size_limit_is_refused),
      cmocka_unit_test(sections_nested_deeper_than_limit_are_refused),
      cmocka_unit_test(load_dir_names_templates_by_file_name),
      cmocka_unit_test(empty_string_is_falsey),
      cmocka_unit_test(layout_blocks_and_partials_keep_their_indentation),
      cmocka_unit_test(shared_set_renders_identically_from_many_threads),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  return SHARED_EXIT(rc);
}
