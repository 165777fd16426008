/* sitemaps.c: sitemap.xml (an index of monthly article sitemaps and one of
 * sections), sitemap-news.xml for Google News, and robots.txt. */
#include "site/internal.h"

int site_sitemap(store *st, arena_t *a, const site_conf *c, const char *path,
                 web_response *res) {
  (void)st, (void)a, (void)c, (void)path, (void)res;
  return 0;
}
