/* site: the public web site. Routes, view models and page rendering on top
 * of store, render and arabic; served through web.
 *
 * Pages are rendered from the theme's Mustache templates with the data
 * described in docs/theme.md, and cached by web under tags that name what
 * they show. A watcher thread reads the store's change log and drops the
 * cached pages whose tags were touched, also by another process (the CLI). */
#ifndef NABA_SITE_H
#define NABA_SITE_H

#include <stddef.h>

#include "store/store.h"
#include "web/web.h"

typedef struct site site;

/* The cookie that lists a reader's comments awaiting moderation; requests
 * carrying it are rendered for that reader, not served from the cache. */
#define SITE_PENDING_COOKIE "naba_pending"

typedef struct {
  const char *db_path;
  const char *theme_dir; /* holds *.mustache and static/ */
  /* The newsroom's templates and stylesheet (themes/admin), served at
   * /admin; NULL: no newsroom (its paths are 404s). */
  const char *admin_dir;
} site_config;

/* Opens the database (migrating it), compiles the theme's templates and
 * loads its assets. Free with site_close(). */
int site_open(const site_config *cfg, site **out, char *err, size_t errlen);
void site_close(site *s);
const web_assets *site_assets(site *s);

/* Compiles the theme folder again (on SIGHUP): on success the new
 * templates and assets serve every page from now on and w's cache is
 * emptied; on failure the running theme stays and err says why. */
int site_reload(site *s, web_server *w, char *err, size_t errlen);

/* The web_handler for the public site; ctx is the site. */
void site_handle(void *ctx, web_request *req, web_response *res);

/* Starts the thread that turns store changes into cache invalidations;
 * site_unwatch() stops it, before the web server is stopped. */
int site_watch(site *s, web_server *w);
void site_unwatch(site *s);

#endif
