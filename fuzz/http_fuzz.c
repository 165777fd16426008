/* Fuzz harness for the request headers web parses itself (libmicrohttpd
 * parses the request line and header framing): If-None-Match lists and
 * Accept-Encoding negotiation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/internal.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0'; /* headers arrive NUL-terminated from libmicrohttpd */
  int enc = web_pick_encoding(s);
  if (enc < WEB_ENC_IDENTITY || enc > WEB_ENC_BR)
    abort();
  /* The input is both an If-None-Match value and an ETag to find. */
  (void)web_etag_matches(s, "\"0123456789abcdef01234567\"");
  if (size > 0 && strlen(s) == size && s[0] == '"' && size < 64 &&
      !strchr(s, ',') && memchr(s + 1, '"', size - 1) == s + size - 1 &&
      !web_etag_matches(s, s))
    abort(); /* a single quoted tag always matches itself */
  free(s);
  return 0;
}
