/* comment_check.c: the rules a posted comment must pass, as one table in
 * the manner of kcgi's kvalid: each field with whether it is required and
 * its validator. Pure: no store, no clock, no settings read here; the
 * caller passes the time and the rules, so each rule has a unit test
 * (tests/unit/comment_test.c). The reasons are in the thread's language. */
#include "site/internal.h"

#include <stddef.h>
#include <string.h>

/* ---- the validators ---- */

static int has_control(const char *v, int allow_newlines) {
  for (; *v; v++) {
    unsigned char ch = (unsigned char)*v;
    if ((ch < 0x20 &&
         !(allow_newlines && (ch == '\n' || ch == '\r' || ch == '\t'))) ||
        ch == 0x7f)
      return 1;
  }
  return 0;
}

/* A validator: NULL when *v passes, else why not. It may rewrite *v into
 * the form that is stored. */
typedef const char *(*comment_validator)(const char **v,
                                         const comment_rules *rules,
                                         arena_t *a);

static const char *valid_name(const char **v, const comment_rules *rules,
                              arena_t *a) {
  (void)rules;
  if (utf8_count(*v, strlen(*v)) > COMMENT_NAME_MAX_CHARS || has_control(*v, 0))
    return arena_printf(a,
                        nb_ngettext("The name is too long or has characters "
                                    "that are not accepted (at most %d "
                                    "character).",
                                    "The name is too long or has characters "
                                    "that are not accepted (at most %d "
                                    "characters).",
                                    COMMENT_NAME_MAX_CHARS),
                        COMMENT_NAME_MAX_CHARS);
  return NULL;
}

static const char *valid_email(const char **v, const comment_rules *rules,
                               arena_t *a) {
  (void)rules, (void)a;
  const char *bad = _("This address does not look like a valid email address.");
  const char *e = *v, *at = strchr(e, '@');
  if (!at || at == e || strchr(at + 1, '@') ||
      strlen(e) > COMMENT_EMAIL_MAX_BYTES)
    return bad;
  const char *dot = strrchr(at, '.');
  if (!dot || dot == at + 1 || dot[1] == '\0')
    return bad;
  for (const char *p = e; *p; p++)
    if ((unsigned char)*p <= ' ' || strchr("<>\",;", *p))
      return bad;
  return NULL;
}

/* http or https only, with a host; "example.com" is taken as http. */
static const char *valid_url(const char **v, const comment_rules *rules,
                             arena_t *a) {
  (void)rules;
  const char *u = *v;
  if (!strstr(u, "://"))
    u = arena_printf(a, "http://%s", u);
  if (!u)
    return _("The website address is not valid; leave it empty if you have "
             "no website.");
  *v = u;
  if ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) ||
      strlen(u) > COMMENT_URL_MAX_BYTES || strchr(u, ' ') ||
      has_control(u, 0) || strlen(strstr(u, "://") + 3) < 3 ||
      !nb_url_allowed(u, strlen(u)))
    return _("The website address is not valid; leave it empty if you have "
             "no website.");
  return NULL;
}

static const char *valid_text(const char **v, const comment_rules *rules,
                              arena_t *a) {
  size_t n = strlen(*v);
  if ((int64_t)utf8_count(*v, n) > rules->max_length)
    return arena_printf(
        a,
        nb_ngettext("The comment is longer than allowed (at most %lld "
                    "character).",
                    "The comment is longer than allowed (at most %lld "
                    "characters).",
                    (unsigned long)rules->max_length),
        (long long)rules->max_length);
  if ((int64_t)text_count_links(*v, n) > rules->max_links)
    return arena_printf(
        a,
        nb_ngettext("The comment has too many links (at most %lld link).",
                    "The comment has too many links (at most %lld links).",
                    (unsigned long)rules->max_links),
        (long long)rules->max_links);
  if (has_control(*v, 1))
    return _("The comment has control characters that are not accepted.");
  return NULL;
}

/* ---- the table ---- */

static const struct {
  size_t value;         /* offsetof the field in comment_input */
  size_t error;         /* offsetof its message in comment_verdict */
  const char *required; /* the message when empty, N_(); NULL: optional */
  comment_validator valid;
} fields[] = {
    {offsetof(comment_input, author), offsetof(comment_verdict, err_author),
     N_("A name is required."), valid_name},
    {offsetof(comment_input, email), offsetof(comment_verdict, err_email),
     N_("An email address is required; it will not be published."),
     valid_email},
    {offsetof(comment_input, url), offsetof(comment_verdict, err_url), NULL,
     valid_url},
    {offsetof(comment_input, comment), offsetof(comment_verdict, err_comment),
     N_("Write your comment before sending it."), valid_text},
};

/* ---- spam ---- */

/* ASCII lower-case copy, for comparisons that must not care about case. */
static char *lower(arena_t *a, const char *v) {
  char *r = arena_strdup(a, v ? v : "");
  for (char *p = r; p && *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  return r;
}

static int is_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* 1 if any comma- or line-separated entry of list occurs in one of the
 * texts, whatever the case of ASCII letters. */
static int blocked(arena_t *a, const char *list, const char *const *texts,
                   size_t n) {
  char *l = lower(a, list);
  if (!l)
    return 0;
  for (char *save = NULL, *w = strtok_r(l, ",\n", &save); w;
       w = strtok_r(NULL, ",\n", &save)) {
    while (is_space(*w))
      w++;
    size_t k = strlen(w);
    while (k && is_space(w[k - 1]))
      w[--k] = '\0';
    if (!*w)
      continue;
    for (size_t i = 0; i < n; i++) {
      const char *t = lower(a, texts[i]);
      if (t && strstr(t, w))
        return 1;
    }
  }
  return 0;
}

/* ---- the check ---- */

int comment_check(const comment_input *in, const comment_rules *rules,
                  arena_t *a, comment_verdict *out) {
  memset(out, 0, sizeof *out);
  out->url = in->url ? in->url : "";
  /* The signed token: right article, not too old, issued to this reader
   * (one-time), old enough. A refusal here says only that: the reader
   * sends the same text again with the fresh token of the answer. */
  if (in->token_at <= 0 || in->now - in->token_at > rules->token_max_age) {
    out->err_form = _("The form has expired. Your text is kept: send it "
                      "again now.");
    return NB_EINVAL;
  }
  if (!in->token_once) {
    out->err_form = _("One more step to protect comments from robots: check "
                      "your text below, then send it again.");
    return NB_EINVAL;
  }
  if (in->now - in->token_at < rules->min_seconds) {
    out->err_form = _("The comment was sent too quickly. Wait a moment, then "
                      "send it again; your text is kept.");
    return NB_EINVAL;
  }
  comment_input v = *in;
  int refused = 0;
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    const char **value = (const char **)((char *)&v + fields[i].value);
    const char **error = (const char **)((char *)out + fields[i].error);
    if (!*value)
      *value = "";
    if (!**value)
      *error = fields[i].required ? _(fields[i].required) : NULL;
    else
      *error = fields[i].valid(value, rules, a);
    refused |= *error != NULL;
  }
  out->url = v.url;
  if (refused)
    return NB_EINVAL;
  const char *texts[] = {v.author, v.email, v.url, v.comment};
  out->spam = (in->honeypot && *in->honeypot) ||
              blocked(a, rules->blocked, texts, sizeof texts / sizeof *texts);
  return NB_OK;
}
