/* compress.c: gzip and brotli encodings of a body, and the request-side
 * choices between them. */
#include "web/internal.h"

#include <brotli/encode.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

int web_gzip(const char *in, size_t n, char **out, size_t *outlen) {
  z_stream z;
  memset(&z, 0, sizeof z);
  /* 15 + 16: a gzip wrapper rather than raw zlib. */
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return NB_ENOMEM;
  size_t cap = deflateBound(&z, (uLong)n);
  char *p = malloc(cap ? cap : 1);
  if (!p) {
    deflateEnd(&z);
    return NB_ENOMEM;
  }
  z.next_in = (Bytef *)(uintptr_t)in;
  z.avail_in = (uInt)n;
  z.next_out = (Bytef *)p;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH);
  *outlen = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    free(p);
    return NB_EIO;
  }
  *out = p;
  return NB_OK;
}

int web_brotli(const char *in, size_t n, int quality, char **out,
               size_t *outlen) {
  size_t cap = BrotliEncoderMaxCompressedSize(n);
  if (cap == 0)
    cap = n + 1024;
  char *p = malloc(cap);
  if (!p)
    return NB_ENOMEM;
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT,
                             n, (const uint8_t *)in, &cap, (uint8_t *)p)) {
    free(p);
    return NB_EIO;
  }
  *out = p;
  *outlen = cap;
  return NB_OK;
}

/* q value of a token in an Accept-Encoding list, -1 when absent. */
static double token_q(const char *list, const char *token) {
  size_t tl = strlen(token);
  const char *p = list;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    const char *start = p;
    while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
      p++;
    size_t len = (size_t)(p - start);
    double q = 1.0;
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == ';') {
      const char *qs = strstr(p, "q=");
      const char *end = strchr(p, ',');
      if (qs && (!end || qs < end))
        q = strtod(qs + 2, NULL);
      p = end ? end : p + strlen(p);
    }
    if (len == tl && strncasecmp(start, token, tl) == 0)
      return q;
    while (*p && *p != ',')
      p++;
  }
  return -1;
}

int web_pick_encoding(const char *ae) {
  if (!ae)
    return WEB_ENC_IDENTITY;
  if (token_q(ae, "br") > 0)
    return WEB_ENC_BR;
  if (token_q(ae, "gzip") > 0)
    return WEB_ENC_GZIP;
  return WEB_ENC_IDENTITY;
}

int web_etag_matches(const char *inm, const char *etag) {
  size_t el = strlen(etag);
  const char *p = inm;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    if (*p == '*')
      return 1;
    if (p[0] == 'W' && p[1] == '/')
      p += 2;
    const char *start = p;
    if (*p == '"') {
      const char *end = strchr(p + 1, '"');
      if (!end)
        return 0;
      p = end + 1;
    } else {
      while (*p && *p != ',')
        p++;
    }
    if ((size_t)(p - start) == el && memcmp(start, etag, el) == 0)
      return 1;
    while (*p && *p != ',')
      p++;
  }
  return 0;
}

int web_is_compressible(const char *content_type) {
  return strncmp(content_type, "text/", 5) == 0 ||
         strstr(content_type, "json") != NULL ||
         strstr(content_type, "xml") != NULL ||
         strstr(content_type, "javascript") != NULL ||
         strstr(content_type, "svg") != NULL;
}
