/* site.c: opening and closing the site, its store connection per server
 * thread, and the watcher thread that turns store changes into cache
 * invalidations and keeps the search index merged. */
#include "site/internal.h"
#include "site/site.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#define WATCH_INTERVAL_MS 100
/* The search index is merged into one segment in the background (see
 * store_search_untidy()): looked at every TIDY_CHECK_S seconds once no
 * article was written for TIDY_QUIET_S, then one step of TIDY_STEP_PAGES
 * pages (4 MB, tens of milliseconds) per watcher tick, so an editor's save
 * waits at most one step. */
#define TIDY_CHECK_S 60
#define TIDY_QUIET_S 10
#define TIDY_STEP_PAGES 1024

/* ---- per thread: a store connection and the menus ---- */

typedef struct {
  store *st;
  /* The sections and pages every page's menus list, read again only when
   * the watcher saw them change (s->menus_gen): a tenth of an uncached
   * render was these two queries. */
  uint64_t menus_gen;
  int menus_ok;
  arena_t menus;
  site_menus m;
  site_conf_memo conf;
} per_thread;

static void close_conn(void *p) {
  per_thread *t = p;
  store_close(t->st);
  arena_free(&t->menus);
  site_conf_memo_free(&t->conf);
  free(t);
}

static per_thread *thread_get(site *s, char *err, size_t errlen) {
  per_thread *t = pthread_getspecific(s->conn_key);
  if (t)
    return t;
  t = calloc(1, sizeof *t);
  if (!t) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  /* Read-write: comments are written from the server threads. */
  if (store_open(s->db_path, 0, &t->st, err, errlen) != NB_OK ||
      pthread_setspecific(s->conn_key, t) != 0) {
    store_close(t->st);
    free(t);
    return NULL;
  }
  return t;
}

int site_conn(site *s, store **out, char *err, size_t errlen) {
  per_thread *t = thread_get(s, err, errlen);
  if (!t)
    return NB_EIO;
  *out = t->st;
  return NB_OK;
}

int site_conf_get(site *s, store *st, arena_t *a, site_conf *c) {
  per_thread *t = pthread_getspecific(s->conn_key);
  return site_conf_load_memo(st, a, t ? &t->conf : NULL, c);
}

int site_menus_get(site_req *r, const site_menus **out) {
  per_thread *t = pthread_getspecific(r->s->conn_key);
  /* Read before the queries: a change after them bumps it again. */
  uint64_t gen = atomic_load(&r->s->menus_gen);
  if (t && t->menus_ok && t->menus_gen == gen) {
    *out = &t->m;
    return NB_OK;
  }
  arena_t *a = t ? &t->menus : r->a;
  if (t) {
    t->menus_ok = 0;
    arena_free(a);
  }
  site_menus m = {0};
  int rc = SITE_CALL(r, store_sections, r->st, a, &m.secs, &m.nsecs);
  if (rc == NB_OK)
    rc = SITE_CALL(r, store_pages_under, r->st, a, 0, SITE_MENU_PAGES, &m.pgs,
                   &m.npgs);
  if (rc != NB_OK)
    return rc;
  if (!t) {
    site_menus *copy = arena_alloc(r->a, sizeof *copy);
    if (!copy)
      return site_check(r, NB_ENOMEM, "site_menus_get");
    *copy = m;
    *out = copy;
    return NB_OK;
  }
  t->m = m;
  t->menus_gen = gen;
  t->menus_ok = 1;
  *out = &t->m;
  return NB_OK;
}

/* The tags whose change the menus show; 1 when the settings changed. */
static int note_change(site *s, const char *tag) {
  if (strcmp(tag, "*") == 0 || strcmp(tag, "sections") == 0 ||
      strcmp(tag, "pages") == 0)
    atomic_fetch_add(&s->menus_gen, 1);
  return strcmp(tag, "*") == 0 || strcmp(tag, "site") == 0;
}

/* Hands web the 429 and 503 it answers itself in the theme's design, made
 * here, off the threads that answer readers, whenever the theme or the
 * settings change. */
static void give_error_pages(site *s, store *st) {
  web_server *w = atomic_load(&s->web);
  if (!w)
    return;
  nb_lang_set(NB_LANG_DEFAULT);
  static const int statuses[] = {429, 503};
  arena_t a = {0};
  site_conf c;
  view_begin(&a); /* jansson's values from the arena, as in a request */
  site_conf_load(st, &a, &c); /* on an error, the defaults */
  for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
    buf_t b = {0};
    site_error_page(s, &a, &c, statuses[i], &b);
    web_server_set_error_page(w, statuses[i], b.oom ? NULL : b.data,
                              b.oom ? 0 : b.len);
    buf_free(&b);
  }
  view_end();
  arena_free(&a);
}

/* The site's secret key (forms, cookies, avatars), made on first start and
 * kept in the database so that every process and node shares it. */
static int site_secret(store *st, unsigned char key[WEB_KEY_BYTES]) {
  arena_t a = {0};
  const char *hex = NULL;
  size_t n = 0;
  int rc = store_setting_get(st, &a, "secret", &hex);
  if (rc == NB_OK && hex &&
      sodium_hex2bin(key, WEB_KEY_BYTES, hex, strlen(hex), NULL, &n, NULL) ==
          0 &&
      n == WEB_KEY_BYTES) {
    arena_free(&a);
    return NB_OK;
  }
  arena_free(&a);
  char fresh[2 * WEB_KEY_BYTES + 1];
  randombytes_buf(key, WEB_KEY_BYTES);
  sodium_bin2hex(fresh, sizeof fresh, key, WEB_KEY_BYTES);
  rc = store_setting_set(st, "secret", fresh);
  sodium_memzero(fresh, sizeof fresh);
  return rc;
}

int site_open(const site_config *cfg, site **out, char *err, size_t errlen) {
  json_set_alloc_funcs(view_alloc, view_release);
  site *s = calloc(1, sizeof *s);
  if (!s)
    return NB_ENOMEM;
  int rc = NB_ENOMEM;
  s->db_path = strdup(cfg->db_path);
  s->theme_dir = strdup(cfg->theme_dir);
  if (!s->db_path || !s->theme_dir ||
      pthread_key_create(&s->conn_key, close_conn) != 0) {
    free(s->db_path);
    s->db_path = NULL; /* no key to delete */
    goto fail;
  }
  store *st;
  /* Migrate once here; server threads then open connections of their own
   * (site_conn()), as a store serves only the thread that opened it. */
  rc = store_open(cfg->db_path, 0, &st, err, errlen);
  if (rc != NB_OK)
    goto fail;
  rc = site_secret(st, s->key);
  store_close(st);
  if (rc != NB_OK) {
    snprintf(err, errlen, "cannot read or make the site secret");
    goto fail;
  }
  theme *t;
  rc = theme_load(cfg->theme_dir, &t, err, errlen);
  if (rc != NB_OK)
    goto fail;
  atomic_store(&s->theme, t);
  if (cfg->admin_dir &&
      (rc = admin_open(cfg->admin_dir, &s->admin, err, errlen)) != NB_OK)
    goto fail;
  *out = s;
  return NB_OK;
fail:
  site_close(s);
  return rc;
}

/* The watcher's search index upkeep: whether to merge, then a step per
 * tick on a connection of its own that can write. */
typedef struct {
  int64_t checked, last_write, steps;
  store *w; /* open while merging */
} tidy;

static void tidy_tick(site *s, store *st, tidy *t, int64_t now) {
  int untidy = 0, more = 0;
  char err[256];

  if (!t->w) {
    if (now - t->checked < TIDY_CHECK_S || now - t->last_write < TIDY_QUIET_S)
      return;
    t->checked = now;
    if (store_search_untidy(st, &untidy) != NB_OK || !untidy)
      return;
    if (store_open(s->db_path, 0, &t->w, err, sizeof err) != NB_OK) {
      nb_log("error", "cannot open the database to merge the index: %s", err);
      return;
    }
    t->steps = 0;
  }
  int rc = store_search_merge(t->w, TIDY_STEP_PAGES, &more);
  t->steps++;
  if (rc != NB_OK)
    nb_log("error", "search index merge: %s", store_errmsg(t->w));
  if (rc != NB_OK || !more) {
    if (rc == NB_OK)
      nb_log("info", "search index merged into one segment in %lld steps",
             (long long)t->steps);
    store_close(t->w);
    t->w = NULL;
  }
}

static void *watch_loop(void *arg) {
  site *s = arg;
  store *st = NULL;
  char err[256];
  int64_t version = -1, last = 0;
  tidy t = {0};
  if (store_open(s->db_path, 1, &st, err, sizeof err) != NB_OK) {
    nb_log("error", "cache watcher cannot open the database: %s", err);
    return NULL;
  }
  store_changes_head(st, &last);
  int64_t due_checked = nb_now();
  const theme *seen = NULL;
  int settings_changed = 0;
  while (!s->stop) {
    const theme *th = atomic_load(&s->theme);
    if (th != seen || settings_changed) {
      give_error_pages(s, st);
      seen = th;
      settings_changed = 0;
    }
    usleep(WATCH_INTERVAL_MS * 1000);
    int64_t now = nb_now();
    tidy_tick(s, st, &t, now);
    if (now != due_checked) {
      /* Scheduled articles appear without a write: drop what lists them. */
      arena_t a = {0};
      const char **tags;
      size_t n = 0;
      if (store_due_tags(st, &a, due_checked, now, &tags, &n) == NB_OK) {
        for (size_t i = 0; i < n; i++)
          web_cache_invalidate(s->web, tags[i]);
        due_checked = now;
      }
      arena_free(&a);
    }
    int64_t v;
    if (store_data_version(st, &v) != NB_OK || v == version)
      continue;
    version = v;
    for (;;) {
      arena_t a = {0};
      const char **tags;
      size_t n = 0;
      int64_t upto = last;
      if (store_changes_since(st, &a, last, 512, &tags, &n, &upto) != NB_OK) {
        arena_free(&a);
        break;
      }
      for (size_t i = 0; i < n; i++) {
        settings_changed |= note_change(s, tags[i]);
        web_cache_invalidate(s->web, tags[i]);
      }
      if (n > 0)
        t.last_write = now;
      last = upto;
      arena_free(&a);
      if (n < 512)
        break;
    }
  }
  store_close(t.w);
  store_close(st);
  return NULL;
}

int site_watch(site *s, web_server *w) {
  atomic_store(&s->web, w);
  if (pthread_create(&s->watcher, NULL, watch_loop, s) != 0)
    return NB_ENOMEM;
  s->watching = 1;
  return NB_OK;
}

void site_unwatch(site *s) {
  if (s && s->watching) {
    s->stop = 1;
    pthread_join(s->watcher, NULL);
    s->watching = 0;
  }
}

void site_close(site *s) {
  if (!s)
    return;
  site_unwatch(s);
  if (s->db_path)
    pthread_key_delete(s->conn_key);
  sodium_memzero(s->key, sizeof s->key);
  theme_free(atomic_load(&s->theme));
  admin_close(s->admin);
  free(s->db_path);
  free(s->theme_dir);
  free(s);
}
