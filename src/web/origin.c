/* origin.c: whether a POST was sent from one of the site's own pages. */
#include "web/internal.h"

#include <string.h>
#include <strings.h>

/* The origin ("scheme://host[:port]") that url starts with, an arena
 * string; "" when url has none. */
static const char *origin_of(arena_t *a, const char *url) {
  const char *p = url ? strstr(url, "://") : NULL;
  if (!p || p == url)
    return "";
  size_t n = (size_t)(p + 3 - url) + strcspn(p + 3, "/?#");
  return arena_strndup(a, url, n);
}

/* 1 when origin o is this site's: its configured address, or the host the
 * browser sent the request to (the Host header; a browser sets both, so a
 * page elsewhere cannot make them agree). */
static int our_origin(const web_request *req, const char *site_url,
                      const char *o) {
  const char *host = web_header(req, "Host");
  const char *auth = strstr(o, "://");
  if (!*o)
    return 0;
  if (strcasecmp(o, origin_of(req->arena, site_url)) == 0)
    return 1;
  return host && auth && auth[3] && strcasecmp(auth + 3, host) == 0;
}

/* Whether a POST comes from a page of this site, by what the browser says
 * of where it was sent from: Fetch Metadata (Sec-Fetch-Site) when present,
 * else Origin, else Referer's origin. "none" is the reader's own action (a
 * bookmark, the address bar), never another page's. A request with none
 * of the three is let through: every browser that forges on a victim's
 * behalf today sends Origin with a POST, and what sends nothing is an old
 * browser with a privacy tool stripping Referer, or a script posting on
 * its own behalf, which the token and the rate limit govern. *why names
 * the header that refused. */
int web_from_our_pages(const web_request *req, const char *site_url,
                       const char **why) {
  const char *sfs = web_header(req, "Sec-Fetch-Site");
  const char *o = web_header(req, "Origin");
  const char *ref = web_header(req, "Referer");
  *why = NULL;
  if (sfs && (strcmp(sfs, "same-origin") == 0 || strcmp(sfs, "none") == 0))
    return 1;
  if (sfs && strcmp(sfs, "cross-site") == 0) {
    *why = "Sec-Fetch-Site";
    return 0;
  }
  /* same-site (another host of the same domain) is another site to us:
   * Origin decides. */
  if (o) {
    *why = "Origin";
    return our_origin(req, site_url, o);
  }
  if (ref) {
    *why = "Referer";
    return our_origin(req, site_url, origin_of(req->arena, ref));
  }
  return 1;
}
