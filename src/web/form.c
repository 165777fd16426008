/* form.c: application/x-www-form-urlencoded bodies, decoded and validated.
 *
 * A form body is untrusted input; it is checked here once (escapes, NUL
 * bytes, UTF-8, limits) so handlers only ever see well-formed strings. */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#define SHOWN_NAME 40 /* bytes of a field name quoted in an error */

/* Writes `field "<raw name>": <why>` into err. The raw (undecoded) name is
 * quoted, with anything but printable ASCII shown as '?', so the reason
 * stays one line of plain text whatever the client sent. */
static void field_error(char *err, size_t errlen, const char *name, size_t n,
                        const char *why) {
  char shown[SHOWN_NAME + 4];
  size_t k = 0;
  for (; k < n && k < SHOWN_NAME; k++) {
    char c = name[k];
    shown[k] = (c >= ' ' && c < 0x7f && c != '"' && c != '\\') ? c : '?';
  }
  if (k < n) {
    memcpy(shown + k, "...", 3);
    k += 3;
  }
  shown[k] = '\0';
  if (err && errlen)
    snprintf(err, errlen, "field \"%s\": %s", shown, why);
}

static int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes s[0..n) ('+' is a space, %XX a byte) into an arena string.
 * Returns NULL and sets *why when the result would be unusable. */
/* Bytes that are not UTF-8 become U+FFFD (3 bytes for each 1): a copy
 * in the arena, or NULL when out of memory. */
static char *repair(arena_t *a, const char *s, size_t n, size_t *len) {
  char *out = arena_alloc(a, 3 * n + 1);
  size_t k = 0;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t m = utf8_decode(s + i, n - i, &cp);
    if (m == 0) {
      memcpy(out + k, "\xEF\xBF\xBD", 3);
      k += 3;
      i++;
    } else {
      memcpy(out + k, s + i, m);
      k += m;
      i += m;
    }
  }
  out[k] = '\0';
  *len = k;
  return out;
}

static char *decode(arena_t *a, const char *s, size_t n, size_t *len,
                    const char **why, int *repaired) {
  char *out = arena_alloc(a, n + 1);
  size_t k = 0;
  if (!out) {
    *why = NULL; /* out of memory */
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (n - i < 3 || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) {
        *why = "bad percent escape";
        return NULL;
      }
      c = (char)(hex(s[i + 1]) << 4 | hex(s[i + 2]));
      i += 2;
    }
    if (c == '\0') {
      *why = "NUL byte";
      return NULL;
    }
    out[k++] = c;
  }
  out[k] = '\0';
  if (!utf8_valid(out, k)) {
    if (repaired && (*repaired = 1) && (out = repair(a, out, k, len)) != NULL)
      return out;
    *why = out ? "not valid UTF-8" : NULL;
    return NULL;
  }
  *len = k;
  return out;
}

/* Decodes one non-empty "name=value" into f[*nf] unless its name is empty
 * or already there. *seen counts named fields, repeats included, since the
 * limit bounds the work a body causes. */
static int add_field(const char *field, size_t flen, arena_t *a, web_field *f,
                     size_t *nf, size_t *seen, int *repaired, char *err,
                     size_t errlen) {
  const char *eq = memchr(field, '=', flen);
  size_t rawname = eq ? (size_t)(eq - field) : flen;
  const char *rawval = eq ? eq + 1 : field + flen;
  size_t rawvlen = eq ? flen - rawname - 1 : 0;
  const char *why = NULL;
  size_t nlen, vlen;
  char *name, *value;
  char toolong[64];

  if (!(name = decode(a, field, rawname, &nlen, &why, NULL)))
    goto fail;
  if (nlen == 0)
    return NB_OK;
  if (nlen > WEB_FORM_MAX_NAME) {
    snprintf(toolong, sizeof toolong, "name longer than %d bytes",
             WEB_FORM_MAX_NAME);
    why = toolong;
    goto fail;
  }
  if (++*seen > WEB_FORM_MAX_FIELDS) {
    if (err && errlen)
      snprintf(err, errlen, "more than %d fields", WEB_FORM_MAX_FIELDS);
    return NB_ETOOBIG;
  }
  if (!(value = decode(a, rawval, rawvlen, &vlen, &why, repaired)))
    goto fail;
  if (web_form_get(f, *nf, name))
    return NB_OK; /* the first value of a repeated name wins */
  f[*nf].name = name;
  f[*nf].value = value;
  f[*nf].len = vlen;
  ++*nf;
  return NB_OK;

fail:
  if (!why) {
    if (err && errlen)
      snprintf(err, errlen, "out of memory");
    return NB_ENOMEM;
  }
  field_error(err, errlen, field, rawname, why);
  return NB_EINVAL;
}

static int parse(const char *body, size_t n, arena_t *a, web_field **out,
                 size_t *nout, int *repaired, char *err, size_t errlen) {
  /* Only first values are kept and named fields are capped, so this many
   * slots always suffice. */
  web_field *f = arena_alloc(a, WEB_FORM_MAX_FIELDS * sizeof *f);
  size_t nf = 0, seen = 0, i = 0;
  int rc = f ? NB_OK : NB_ENOMEM;

  if (!f && err && errlen)
    snprintf(err, errlen, "out of memory");
  while (rc == NB_OK && i < n) {
    const char *amp = memchr(body + i, '&', n - i);
    size_t flen = amp ? (size_t)(amp - (body + i)) : n - i;
    if (flen > 0) /* "a=1&&b=2" has an empty field */
      rc = add_field(body + i, flen, a, f, &nf, &seen, repaired, err, errlen);
    i += flen + 1;
  }
  if (rc == NB_OK) {
    *out = f;
    *nout = nf;
  }
  return rc;
}

int web_form_parse(const char *body, size_t n, arena_t *a, web_field **out,
                   size_t *nout, char *err, size_t errlen) {
  return parse(body, n, a, out, nout, NULL, err, errlen);
}

int web_form_parse_repair(const char *body, size_t n, arena_t *a,
                          web_field **out, size_t *nout, int *repaired,
                          char *err, size_t errlen) {
  *repaired = 0;
  return parse(body, n, a, out, nout, repaired, err, errlen);
}

const char *web_form_get(const web_field *f, size_t n, const char *name) {
  if (!name)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (strcmp(f[i].name, name) == 0)
      return f[i].value;
  return NULL;
}
