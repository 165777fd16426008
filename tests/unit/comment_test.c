/* Unit tests of comment_check(): every rule a posted comment must pass,
 * each with a case that passes only while the rule is there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "site/internal.h"

#define NOW 1700000000

static arena_t arena;

/* A comment that passes every rule, sent 60 s after its form was made. */
static comment_input good(void) {
  return (comment_input){.author = "Reader",
                         .email = "reader@example.com",
                         .url = "",
                         .comment = "A fair point, well made.",
                         .honeypot = "",
                         .token_at = NOW - 60,
                         .token_once = 1,
                         .now = NOW};
}

static const comment_rules rules = {.min_seconds = 3,
                                    .token_max_age = 7 * 86400,
                                    .max_length = 100,
                                    .max_links = 2,
                                    .blocked = "casino, cheap pills"};

static int check(const comment_input *in, comment_verdict *v) {
  return comment_check(in, &rules, &arena, v);
}

static int teardown(void **state) {
  (void)state;
  arena_free(&arena);
  return 0;
}

static void a_good_comment_is_accepted_and_not_spam(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  assert_int_equal(check(&in, &v), NB_OK);
  assert_false(v.spam);
  assert_null(v.err_form);
  assert_null(v.err_author);
  assert_null(v.err_email);
  assert_null(v.err_url);
  assert_null(v.err_comment);
}

static void a_comment_without_name_is_refused(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.author = "";
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_author);
  in.author = NULL;
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_author);
  assert_null(v.err_email);
}

static void a_comment_without_email_is_refused(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.email = "";
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_email);
  assert_null(v.err_author);
}

static void a_comment_without_text_is_refused(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.comment = "";
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_comment);
}

static void every_refused_field_is_reported_at_once(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.author = in.email = in.comment = "";
  in.url = "ftp://x.org";
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_author);
  assert_non_null(v.err_email);
  assert_non_null(v.err_url);
  assert_non_null(v.err_comment);
}

static void a_name_over_100_characters_is_refused(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  char name[2 * 101 + 1] = "";
  for (int i = 0; i < 100; i++)
    strcat(name, "\xd8\xb9"); /* ع: 100 characters, 200 bytes */
  in.author = name;
  assert_int_equal(check(&in, &v), NB_OK);
  strcat(name, "\xd8\xb9");
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_author);
}

static void a_name_with_control_characters_is_refused(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.author = "Re\x1b[31mader";
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_author);
  in.author = "Two\nlines";
  assert_int_equal(check(&in, &v), NB_EINVAL);
}

static void malformed_emails_are_refused(void **s) {
  (void)s;
  static const char *bad[] = {"reader",
                              "@example.com",
                              "reader@",
                              "reader@example",
                              "reader@.com",
                              "reader@example.",
                              "a@b@example.com",
                              "read er@example.com",
                              "<r>@example.com",
                              "r,s@example.com",
                              "r;s@example.com",
                              "\"r\"@example.com",
                              NULL};
  for (int i = 0; bad[i]; i++) {
    comment_input in = good();
    comment_verdict v;
    in.email = bad[i];
    if (check(&in, &v) != NB_EINVAL || !v.err_email)
      fail_msg("%s was accepted", bad[i]);
  }
}

static void an_email_over_254_bytes_is_refused(void **s) {
  (void)s;
  char e[300];
  memset(e, 'a', sizeof e);
  memcpy(e + 254 - 12, "@example.com", 13); /* 254 bytes */
  comment_input in = good();
  comment_verdict v;
  in.email = e;
  assert_int_equal(check(&in, &v), NB_OK);
  memset(e, 'a', sizeof e);
  memcpy(e + 255 - 12, "@example.com", 13); /* 255 */
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_email);
}

static void urls_are_http_or_https_only(void **s) {
  (void)s;
  static const char *bad[] = {
      "javascript://x.org/%0aalert(1)", "ftp://example.com", "data://text/html",
      "http://", "http://a", "http://exa mple.com", "http://example.com/\x01",
      /* the one URL rule: no "//host" (stored as
       * "http:////host"), no backslash */
      "//evil.example/", "https:\\\\evil.example", "http://x.org/\\evil", NULL};
  for (int i = 0; bad[i]; i++) {
    comment_input in = good();
    comment_verdict v;
    in.url = bad[i];
    if (check(&in, &v) != NB_EINVAL || !v.err_url)
      fail_msg("%s was accepted", bad[i]);
  }
  comment_input in = good();
  comment_verdict v;
  in.url = "https://example.com/me";
  assert_int_equal(check(&in, &v), NB_OK);
  assert_string_equal(v.url, "https://example.com/me");
}

static void a_url_without_scheme_is_stored_as_http(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.url = "example.com";
  assert_int_equal(check(&in, &v), NB_OK);
  assert_string_equal(v.url, "http://example.com");
  in.url = "";
  assert_int_equal(check(&in, &v), NB_OK);
  assert_string_equal(v.url, "");
}

static void a_url_over_200_bytes_is_refused(void **s) {
  (void)s;
  char u[256] = "http://example.com/";
  size_t n = strlen(u);
  memset(u + n, 'a', 200 - n);
  u[200] = '\0';
  comment_input in = good();
  comment_verdict v;
  in.url = u;
  assert_int_equal(check(&in, &v), NB_OK);
  u[200] = 'a';
  u[201] = '\0';
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_url);
}

static void a_text_over_the_length_limit_is_refused(void **s) {
  (void)s;
  char t[2 * 101 + 1] = "";
  for (int i = 0; i < 100; i++)
    strcat(t, "\xd8\xb9"); /* counted in characters, not bytes */
  comment_input in = good();
  comment_verdict v;
  in.comment = t;
  assert_int_equal(check(&in, &v), NB_OK);
  strcat(t, "\xd8\xb9");
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(strstr(v.err_comment, "100"));
}

static void a_text_with_too_many_links_is_refused(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.comment = "see https://a.example and https://b.example";
  assert_int_equal(check(&in, &v), NB_OK);
  in.comment = "see https://a.example, https://b.example, https://c.example";
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(strstr(v.err_comment, "2"));
}

static void a_text_may_have_lines_but_no_other_control_characters(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.comment = "first line\r\nsecond\tline";
  assert_int_equal(check(&in, &v), NB_OK);
  in.comment = "bell\x07";
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_comment);
  in.comment = "delete\x7f";
  assert_int_equal(check(&in, &v), NB_EINVAL);
}

static void a_form_sent_too_soon_is_refused(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.token_at = NOW - 2;
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_form);
  in.token_at = NOW - 3;
  assert_int_equal(check(&in, &v), NB_OK);
}

static void a_form_without_a_valid_token_is_refused(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.token_at = 0;
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_form);
  /* Only the form is refused: nothing said about the fields. */
  assert_null(v.err_author);
}

static void
a_cached_page_token_is_not_the_readers_own_and_is_refused(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.token_once = 0;
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_form);
  assert_null(v.err_comment);
}

static void a_form_older_than_its_token_allows_is_refused(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.token_at = NOW - 7 * 86400;
  assert_int_equal(check(&in, &v), NB_OK);
  in.token_at = NOW - 7 * 86400 - 1;
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_non_null(v.err_form);
}

static void a_filled_honeypot_makes_it_spam(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.honeypot = "http://spam.example";
  assert_int_equal(check(&in, &v), NB_OK);
  assert_true(v.spam);
  in.honeypot = NULL;
  assert_int_equal(check(&in, &v), NB_OK);
  assert_false(v.spam);
}

static void a_blocked_word_in_any_field_makes_it_spam(void **s) {
  (void)s;
  const char **fields[] = {NULL, NULL, NULL, NULL};
  for (int i = 0; i < 4; i++) {
    comment_input in = good();
    comment_verdict v;
    fields[0] = &in.author;
    fields[1] = &in.email;
    fields[2] = &in.url;
    fields[3] = &in.comment;
    *fields[i] = i == 1   ? "win@CASINO.example"
                 : i == 2 ? "https://casino.example"
                          : "Best Casino";
    assert_int_equal(check(&in, &v), NB_OK);
    if (!v.spam)
      fail_msg("a blocked word in field %d was not caught", i);
  }
  comment_input in = good();
  comment_verdict v;
  in.comment = "buy cheap pills now"; /* a phrase, after a comma and space */
  assert_int_equal(check(&in, &v), NB_OK);
  assert_true(v.spam);
  in.comment = "cheap, pills";
  assert_int_equal(check(&in, &v), NB_OK);
  assert_false(v.spam);
}

/* The reasons come from po/<lang>.po (the build's catalogs): Arabic by
 * default, with the number in the form its language gives it. */
static void
refusals_are_in_arabic_and_in_english_for_an_english_reader(void **s) {
  (void)s;
  comment_input in = good();
  comment_verdict v;
  in.author = "";
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_string_equal(v.err_author, "الاسم مطلوب.");
  char name[2 * 101 + 1] = "";
  for (int i = 0; i < 101; i++)
    strcat(name, "\xd8\xb9");
  in.author = name;
  assert_int_equal(check(&in, &v), NB_EINVAL);
  /* A hundred takes the singular. */
  assert_non_null(strstr(v.err_author, "(100 حرف على الأكثر)."));

  assert_int_equal(nb_lang_set("en"), NB_OK);
  in.author = "";
  assert_int_equal(check(&in, &v), NB_EINVAL);
  assert_string_equal(v.err_author, "A name is required.");
  comment_rules one = rules;
  one.max_links = 1;
  in = good();
  in.comment = "see https://a.example and https://b.example";
  assert_int_equal(comment_check(&in, &one, &arena, &v), NB_EINVAL);
  assert_string_equal(v.err_comment,
                      "The comment has too many links (at most 1 link).");
  assert_int_equal(nb_lang_set("ar"), NB_OK);
}

int main(void) {
  /* As a server started from a bare shell: the catalogs decide. */
  setenv("LC_ALL", "C", 1);
  if (nb_i18n_init(NABA_BUILD_LOCALEDIR) != NB_OK) {
    fprintf(stderr, "no catalogs in %s\n", NABA_BUILD_LOCALEDIR);
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_good_comment_is_accepted_and_not_spam),
      cmocka_unit_test(a_comment_without_name_is_refused),
      cmocka_unit_test(a_comment_without_email_is_refused),
      cmocka_unit_test(a_comment_without_text_is_refused),
      cmocka_unit_test(every_refused_field_is_reported_at_once),
      cmocka_unit_test(a_name_over_100_characters_is_refused),
      cmocka_unit_test(a_name_with_control_characters_is_refused),
      cmocka_unit_test(malformed_emails_are_refused),
      cmocka_unit_test(an_email_over_254_bytes_is_refused),
      cmocka_unit_test(urls_are_http_or_https_only),
      cmocka_unit_test(a_url_without_scheme_is_stored_as_http),
      cmocka_unit_test(a_url_over_200_bytes_is_refused),
      cmocka_unit_test(a_text_over_the_length_limit_is_refused),
      cmocka_unit_test(a_text_with_too_many_links_is_refused),
      cmocka_unit_test(a_text_may_have_lines_but_no_other_control_characters),
      cmocka_unit_test(a_form_sent_too_soon_is_refused),
      cmocka_unit_test(a_form_without_a_valid_token_is_refused),
      cmocka_unit_test(a_form_older_than_its_token_allows_is_refused),
      cmocka_unit_test(
          a_cached_page_token_is_not_the_readers_own_and_is_refused),
      cmocka_unit_test(a_filled_honeypot_makes_it_spam),
      cmocka_unit_test(a_blocked_word_in_any_field_makes_it_spam),
      cmocka_unit_test(
          refusals_are_in_arabic_and_in_english_for_an_english_reader),
  };
  return cmocka_run_group_tests(tests, NULL, teardown);
}
