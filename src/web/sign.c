/* sign.c: signed tokens for cookies and forms, "payload.signature" with
 * HMAC-SHA-512-256 (libsodium's crypto_auth). */
#include "web/internal.h"

#include <sodium.h>
#include <string.h>

_Static_assert(WEB_KEY_BYTES == crypto_auth_KEYBYTES, "key size");

#define SIG_B64                                                                \
  sodium_base64_ENCODED_LEN(crypto_auth_BYTES,                                 \
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING)

void web_sign(const unsigned char key[WEB_KEY_BYTES], const char *payload,
              buf_t *out) {
  unsigned char mac[crypto_auth_BYTES];
  char b64[SIG_B64];
  crypto_auth(mac, (const unsigned char *)payload, strlen(payload), key);
  sodium_bin2base64(b64, sizeof b64, mac, sizeof mac,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  buf_puts(out, payload);
  buf_putc(out, '.');
  buf_puts(out, b64);
}

const char *web_verify(const unsigned char key[WEB_KEY_BYTES],
                       const char *token, arena_t *a) {
  const char *dot = token ? strrchr(token, '.') : NULL;
  if (!dot || strlen(dot + 1) != SIG_B64 - 1)
    return NULL;
  unsigned char mac[crypto_auth_BYTES];
  size_t n = 0;
  if (sodium_base642bin(mac, sizeof mac, dot + 1, strlen(dot + 1), NULL, &n,
                        NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      n != sizeof mac)
    return NULL;
  /* crypto_auth_verify compares in constant time. */
  if (crypto_auth_verify(mac, (const unsigned char *)token,
                         (size_t)(dot - token), key) != 0)
    return NULL;
  return arena_strndup(a, token, (size_t)(dot - token));
}
