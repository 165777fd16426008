/* theme.c: the theme folder's templates and assets, loaded at start and
 * again on SIGHUP. */
#include "site/internal.h"

#include <stdio.h>
#include <stdlib.h>

void theme_free(theme *t) {
  while (t) {
    theme *older = t->older;
    tpl_set_free(t->tpl);
    web_assets_free(t->assets);
    free(t);
    t = older;
  }
}

int theme_load(const char *dir, theme **out, char *err, size_t errlen) {
  theme *t = calloc(1, sizeof *t);
  if (!t)
    return NB_ENOMEM;
  int rc = NB_ENOMEM;
  t->tpl = tpl_set_new();
  if (!t->tpl)
    goto fail;
  rc = tpl_set_load_dir(t->tpl, dir, err, errlen);
  if (rc != NB_OK)
    goto fail;
  /* "error" is not required: a theme without it gets routes.c's plain
   * error page. */
  static const char *required[] = {"base",    "home",      "section",
                                   "article", "not_found", "page"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (!tpl_has(t->tpl, required[i])) {
      snprintf(err, errlen, "theme %s has no %s.mustache", dir, required[i]);
      rc = NB_EINVAL;
      goto fail;
    }
  char path[4096];
  snprintf(path, sizeof path, "%s/static", dir);
  rc = web_assets_load(path, &t->assets, err, errlen);
  if (rc != NB_OK)
    goto fail;
  *out = t;
  return NB_OK;
fail:
  theme_free(t);
  return rc;
}

int site_reload(site *s, web_server *w, char *err, size_t errlen) {
  theme *t;
  int rc = theme_load(s->theme_dir, &t, err, errlen);
  if (rc != NB_OK)
    return rc; /* the running theme stays */
  t->older = atomic_load(&s->theme);
  atomic_store(&s->theme, t);
  if (w) {
    web_server_set_assets(w, t->assets);
    web_cache_invalidate(w, "*");
  }
  return NB_OK;
}

const web_assets *site_assets(site *s) {
  return atomic_load(&s->theme)->assets;
}
