/* Fuzz harness for buf_text_html: readers' comments are shown to everyone,
 * so whatever they type the output may hold no markup but the tags
 * buf_text_html makes itself, and its link count must be the one the link
 * limit was checked with. Also buf_xml_escape (feeds and sitemaps): from
 * any bytes, valid UTF-8 with only characters XML 1.0 allows and no markup.
 * And buf_json_string (JSON-LD in a <script>): jansson reads the literal
 * back as the same text, and it holds no '<' that could end the script. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/core.h"

#include "fuzz.h"

static int starts(const char *p, const char *end, const char *prefix) {
  size_t k = strlen(prefix);
  return (size_t)(end - p) >= k && memcmp(p, prefix, k) == 0;
}

static void xml_check(const char *s, size_t size) {
  buf_t x = {0};
  buf_xml_escape(&x, s, size);
  if (x.oom || !utf8_valid(x.data ? x.data : "", x.len))
    abort();
  for (size_t i = 0; i < x.len;) {
    uint32_t cp;
    size_t k = utf8_decode(x.data + i, x.len - i, &cp);
    int allowed = cp == 0x9 || cp == 0xA || cp == 0xD ||
                  (cp >= 0x20 && cp <= 0xD7FF) ||
                  (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
    if (k == 0 || !allowed || cp == '<' || cp == '>' || cp == '"' || cp == '\'')
      abort();
    i += k;
  }
  buf_free(&x);
}

/* buf_html_escape_z (the templates' variables) writes exactly what
 * buf_html_escape does, NUL bytes inside the text included. */
static void html_check(const char *s, size_t size) {
  char *z = malloc(size + 1);
  if (!z)
    return;
  memcpy(z, s, size);
  z[size] = '\0';
  buf_t a = {0}, b = {0};
  buf_html_escape(&a, z, size);
  buf_html_escape_z(&b, z, size);
  if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
    abort();
  buf_free(&a);
  buf_free(&b);
  free(z);
}

static void json_check(const char *s, size_t size) {
  char *z = strndup(s, size); /* the text up to a NUL, as the store keeps it */
  if (!z)
    return;
  buf_t j = {0};
  buf_json_string(&j, z);
  if (j.oom || memchr(j.data, '<', j.len))
    abort();
  json_error_t err;
  json_t *v = json_loadb(j.data, j.len, JSON_DECODE_ANY, &err);
  if (!v || !json_is_string(v) || strcmp(json_string_value(v), z) != 0)
    abort();
  json_decref(v);
  buf_free(&j);
  free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  xml_check(s, size);
  html_check(s, size);
  if (!utf8_valid(s, size))
    return 0; /* comments are checked as UTF-8 before they get here */
  json_check(s, size);
  buf_t b = {0};
  buf_puts(&b, "x"); /* buf_text_html appends: what was there must stay */
  size_t links = buf_text_html(&b, s, size), anchors = 0;
  if (b.oom || b.data[0] != 'x')
    abort();
  /* Scanned by length: a NUL in the text (valid UTF-8) is kept, and must
   * not hide what comes after it. */
  const char *end = b.data + b.len;
  for (const char *p = b.data; (p = memchr(p, '<', (size_t)(end - p))) != NULL;
       p++) {
    if (starts(p, end, "<a href=\"")) {
      /* The escaped href ends at the first quote, then our attributes. */
      const char *h = p + 9, *q = memchr(h, '"', (size_t)(end - h));
      if (!q || memchr(h, '<', (size_t)(q - h)) ||
          memchr(h, '>', (size_t)(q - h)) ||
          !starts(q, end, "\" rel=\"nofollow ugc\">"))
        abort();
      anchors++;
    } else if (!starts(p, end, "<br>") && !starts(p, end, "</p>") &&
               !starts(p, end, "<p>") && !starts(p, end, "</a>")) {
      abort();
    }
  }
  if (links != anchors || links != text_count_links(s, size))
    abort();
  buf_free(&b);
  return 0;
}
