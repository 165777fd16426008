/* headers.c: the security headers, built in one place for every response
 * web sends (cached pages, assets, personal pages, redirects and the
 * errors web answers itself), so no path can leave them out. */
#include "web/internal.h"

#include <string.h>

/* frame-src lists exactly the players the importer keeps in articles
 * (src/import/sanitize_allow.c): embedded videos play, nothing else can
 * be framed. frame-ancestors stops other sites framing ours. */
#define CSP_HEAD "default-src 'self'; img-src 'self' https: data:; "
#define CSP_TAIL                                                               \
  "object-src 'none'; "                                                        \
  "frame-src https://www.youtube.com https://www.youtube-nocookie.com "        \
  "https://player.vimeo.com; "                                                 \
  "frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
const char web_csp[] = CSP_HEAD "script-src 'none'; " CSP_TAIL;
/* A page that runs the site's own scripts (the newsroom's editor): files
 * from this origin only, never inline code nor eval. */
const char web_csp_scripts[] = CSP_HEAD "script-src 'self'; " CSP_TAIL;

size_t web_add_header(struct MHD_Response *r, const char *name,
                      const char *value) {
  MHD_add_response_header(r, name, value);
  /* libmicrohttpd copies both strings into a header record of its own. */
  return strlen(name) + strlen(value) + 2 + WEB_HEADER_OVERHEAD;
}

size_t web_security_headers(struct MHD_Response *r, const char *ctype) {
  return web_security_headers_scripts(r, ctype, 0);
}

size_t web_security_headers_scripts(struct MHD_Response *r, const char *ctype,
                                    int scripts) {
  size_t n = web_add_header(r, "X-Content-Type-Options", "nosniff");
  n += web_add_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
  if (ctype && strncmp(ctype, "text/html", 9) == 0)
    n += web_add_header(r, "Content-Security-Policy",
                        scripts ? web_csp_scripts : web_csp);
  return n;
}
