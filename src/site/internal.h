/* site/internal.h: what the files of site/ share, not for other modules.
 *
 * site.c has the routes, view models and the watcher; feeds.c the RSS,
 * Atom and JSON feeds; sitemaps.c sitemap.xml, the Google News sitemap
 * and robots.txt. */
#ifndef NABA_SITE_INTERNAL_H
#define NABA_SITE_INTERNAL_H

#include <jansson.h>

#include "core/core.h"
#include "site/site.h"
#include "store/store.h"
#include "web/web.h"

/* The settings a render needs, read once per rendered page. */
typedef struct {
  const char *name, *description, *url, *logo, *locale, *tz, *breaking;
  int64_t per_page;
  int feed_full;      /* feed_content is "full" */
  int64_t feed_items; /* articles per feed */
  json_t *follow;
  int has_follow;
  /* comments */
  const char *moderation, *blocked, *proxies;
  int64_t depth, close_days, min_seconds, rate_limit, max_length, max_links;
} site_conf;

/* Reads every setting once (defaults for unset ones) into c; strings are
 * the arena's. */
void site_conf_load(store *st, arena_t *a, site_conf *c);

/* Paths (no scheme or host), percent-encoded: /{section}/{id}-{slug} and
 * /{section}/. Prefix site_conf.url for absolute URLs. */
const char *site_article_path(arena_t *a, const store_article *x);
const char *site_section_path(arena_t *a, const char *slug);
const char *site_page_path(arena_t *a, const char *slug); /* /pages/{slug} */

/* The feeds: answers and returns 1 when seg[0..n) names a feed
 * (/feed, /{section}/feed, /tag/{slug}/feed, /author/{slug}/feed, each
 * also with /atom and /json); 0 leaves the request to the caller. */
int site_feed(store *st, arena_t *a, const site_conf *c, const char **seg,
              int n, int trailing, web_response *res);

/* sitemap.xml, its parts, sitemap-news.xml and robots.txt: answers and
 * returns 1 when path is one of them; 0 leaves the request to the caller. */
int site_sitemap(store *st, arena_t *a, const site_conf *c, const char *path,
                 web_response *res);

#endif
