/* session.c: who is logged in. The cookie holds 256 random bits; the store
 * keeps only their hash, so a copy of the database opens no session. Each
 * session's CSRF token is a MAC of that hash under the site's secret:
 * nothing more to store, and no page of another session can carry it. */
#include "admin/internal.h"

#include <sodium.h>
#include <string.h>

#define TOKEN_BYTES 32
#define TOKEN_B64                                                              \
  sodium_base64_ENCODED_LEN(TOKEN_BYTES,                                       \
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING)

static int https(const admin_req *r) {
  return strncmp(r->site->url, "https://", 8) == 0;
}

const char *admin_cookie_name(const admin_req *r) {
  return https(r) ? "__Host-naba_session" : "naba_session";
}

/* Hex of the token's hash, an arena string. */
static const char *token_hash(arena_t *a, const char *token) {
  unsigned char h[32];
  char hex[2 * sizeof h + 1];
  crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token),
                     NULL, 0);
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return arena_strdup(a, hex);
}

static const char *csrf_of(const admin_req *r, const char *hash) {
  unsigned char mac[32];
  char b64[TOKEN_B64];
  char msg[96];
  snprintf(msg, sizeof msg, "csrf:%s", hash);
  crypto_generichash(mac, sizeof mac, (const unsigned char *)msg, strlen(msg),
                     r->site->key, WEB_KEY_BYTES);
  sodium_bin2base64(b64, sizeof b64, mac, sizeof mac,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return arena_strdup(r->a, b64);
}

int admin_session_load(admin_req *r) {
  const char *token = web_cookie(r->req, admin_cookie_name(r));
  r->in = 0;
  if (!token || strlen(token) != TOKEN_B64 - 1)
    return NB_OK;
  const char *hash = token_hash(r->a, token);
  if (!hash)
    return NB_ENOMEM;
  int rc = store_session_user(r->st, r->a, hash, r->now, &r->user);
  if (rc == NB_ENOTFOUND)
    return NB_OK;
  if (rc != NB_OK)
    return rc;
  r->in = 1;
  r->token_hash = hash;
  r->csrf = csrf_of(r, hash);
  return r->csrf ? NB_OK : NB_ENOMEM;
}

static const char *cookie(admin_req *r, const char *value, int64_t max_age) {
  return arena_printf(r->a,
                      "%s=%s; Path=/; Max-Age=%lld; HttpOnly; "
                      "SameSite=Lax%s",
                      admin_cookie_name(r), value, (long long)max_age,
                      https(r) ? "; Secure" : "");
}

int admin_session_start(admin_req *r, int64_t user_id) {
  unsigned char raw[TOKEN_BYTES];
  char token[TOKEN_B64];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(token, sizeof token, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  const char *hash = token_hash(r->a, token);
  int rc = hash ? store_session_add(r->st, hash, user_id, r->now,
                                    r->now + ADMIN_SESSION_SECONDS)
                : NB_ENOMEM;
  if (rc == NB_OK)
    r->res->set_cookie = cookie(r, token, ADMIN_SESSION_SECONDS);
  sodium_memzero(token, sizeof token);
  return rc;
}

int admin_session_end(admin_req *r) {
  int rc = r->token_hash ? store_session_end(r->st, r->token_hash) : NB_OK;
  r->res->set_cookie = cookie(r, "", 0);
  return rc;
}

int admin_csrf_ok(admin_req *r) {
  const char *why;
  const char *sent = web_form_get(r->req->form, r->req->nform, "csrf");
  if (!r->csrf || !sent || strlen(sent) != strlen(r->csrf) ||
      sodium_memcmp(sent, r->csrf, strlen(sent)) != 0)
    return 0;
  return web_from_our_pages(r->req, r->site->url, &why);
}
