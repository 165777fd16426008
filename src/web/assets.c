/* assets.c: static files (CSS, fonts, images) held in memory under
 * content-hashed names, so they can be cached forever by browsers. Only the
 * names loaded at start exist: a request path is looked up, never joined
 * to a folder, so no path can reach outside the asset folder. */
#include "web/internal.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#define ASSETS_MAX_FILES 512
#define ASSET_MAX_BYTES (8 * 1024 * 1024)

typedef struct {
  char *name; /* relative to the folder: "fonts/x.woff2" */
  char *url;  /* "/static/fonts/x.1a2b3c4d.woff2" */
  char *data;
  size_t len;
  web_entry *entry;
} asset;

struct web_assets {
  asset files[ASSETS_MAX_FILES];
  size_t n;
};

static const char *mime_of(const char *name) {
  static const struct {
    const char *ext, *type;
  } types[] = {
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
  };
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (strcmp(dot, types[i].ext) == 0)
      return types[i].type;
  return NULL;
}

static int load_dir(web_assets *a, const char *root, const char *rel, int depth,
                    char *err, size_t errlen) {
  char path[4096];
  snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
  DIR *d = opendir(path);
  if (!d) {
    snprintf(err, errlen, "cannot open asset folder %s", path);
    return NB_EIO;
  }
  struct dirent *de;
  int rc = NB_OK;
  while (rc == NB_OK && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    char sub[1024], full[4096];
    snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
    snprintf(full, sizeof full, "%s/%s", root, sub);
    struct stat st;
    if (lstat(full, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode)) {
      if (depth < 4)
        rc = load_dir(a, root, sub, depth + 1, err, errlen);
      continue;
    }
    if (!S_ISREG(st.st_mode) || !mime_of(sub))
      continue; /* symlinks and unknown types are never served */
    if (a->n == ASSETS_MAX_FILES) {
      snprintf(err, errlen, "more than %d assets", ASSETS_MAX_FILES);
      rc = NB_ETOOBIG;
      break;
    }
    asset *f = &a->files[a->n];
    rc = nb_read_file(full, ASSET_MAX_BYTES, &f->data, &f->len);
    if (rc != NB_OK) {
      snprintf(err, errlen, "cannot read asset %s: %s", full, nb_strerror(rc));
      break;
    }
    f->name = strdup(sub);
    a->n++;
    if (!f->name)
      rc = NB_ENOMEM;
  }
  closedir(d);
  return rc;
}

static void make_url(asset *f) {
  unsigned char h[8];
  char hex[17];
  crypto_generichash(h, sizeof h, (const unsigned char *)f->data, f->len, NULL,
                     0);
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  const char *dot = strrchr(f->name, '.');
  const char *slash = strrchr(f->name, '/');
  if (dot && slash && dot < slash)
    dot = NULL;
  size_t stem = dot ? (size_t)(dot - f->name) : strlen(f->name);
  buf_t b = {0};
  buf_printf(&b, "/static/%.*s.%s%s", (int)stem, f->name, hex, dot ? dot : "");
  f->url = buf_take(&b, NULL);
}

/* Rewrites url(name) references in a CSS file to hashed URLs. Names are
 * relative to the CSS file's folder. */
static int rewrite_css(web_assets *a, asset *css) {
  buf_t out = {0};
  const char *p = css->data, *end = css->data + css->len;
  const char *slash = strrchr(css->name, '/');
  size_t dirlen = slash ? (size_t)(slash - css->name) + 1 : 0;
  while (p < end) {
    const char *u = memmem(p, (size_t)(end - p), "url(", 4);
    if (!u) {
      buf_append(&out, p, (size_t)(end - p));
      break;
    }
    u += 4;
    buf_append(&out, p, (size_t)(u - p));
    const char *q = u;
    char quote = (*q == '"' || *q == '\'') ? *q++ : 0;
    const char *close = memchr(q, quote ? quote : ')', (size_t)(end - q));
    if (!close) {
      p = u;
      continue;
    }
    char want[1024];
    snprintf(want, sizeof want, "%.*s%.*s", (int)dirlen, css->name,
             (int)(close - q), q);
    const char *url = web_asset_url(a, want);
    if (url) {
      if (quote)
        buf_putc(&out, quote);
      buf_puts(&out, url);
      p = close;
    } else {
      p = u;
    }
  }
  if (out.oom) {
    buf_free(&out);
    return NB_ENOMEM;
  }
  free(css->data);
  css->data = buf_take(&out, &css->len);
  return NB_OK;
}

static int is_css(const asset *f) {
  size_t n = strlen(f->name);
  return n > 4 && strcmp(f->name + n - 4, ".css") == 0;
}

int web_assets_load(const char *dir, web_assets **out, char *err,
                    size_t errlen) {
  web_assets *a = calloc(1, sizeof *a);
  if (!a)
    return NB_ENOMEM;
  int rc = load_dir(a, dir, "", 0, err, errlen);
  /* Hash everything else first, then CSS, which names the others. */
  for (size_t i = 0; rc == NB_OK && i < a->n; i++)
    if (!is_css(&a->files[i]))
      make_url(&a->files[i]);
  for (size_t i = 0; rc == NB_OK && i < a->n; i++)
    if (is_css(&a->files[i]) && (rc = rewrite_css(a, &a->files[i])) == NB_OK)
      make_url(&a->files[i]);
  for (size_t i = 0; rc == NB_OK && i < a->n; i++) {
    asset *f = &a->files[i];
    if (!f->url) {
      rc = NB_ENOMEM;
      break;
    }
    char *copy = malloc(f->len ? f->len : 1);
    if (!copy) {
      rc = NB_ENOMEM;
      break;
    }
    memcpy(copy, f->data, f->len);
    f->entry = web_entry_new(f->url, 200, mime_of(f->name),
                             "public, max-age=31536000, immutable", copy,
                             f->len, nb_now(), NULL);
    if (!f->entry)
      rc = NB_ENOMEM;
  }
  if (rc != NB_OK) {
    if (rc == NB_ENOMEM)
      snprintf(err, errlen, "out of memory loading assets");
    web_assets_free(a);
    return rc;
  }
  *out = a;
  return NB_OK;
}

void web_assets_free(web_assets *a) {
  if (!a)
    return;
  for (size_t i = 0; i < a->n; i++) {
    free(a->files[i].name);
    free(a->files[i].url);
    free(a->files[i].data);
    web_entry_free(a->files[i].entry);
  }
  free(a);
}

const char *web_asset_url(const web_assets *a, const char *name) {
  for (size_t i = 0; a && i < a->n; i++)
    if (a->files[i].url && strcmp(a->files[i].name, name) == 0)
      return a->files[i].url;
  return NULL;
}

web_entry *web_assets_find(const web_assets *a, const char *path) {
  for (size_t i = 0; a && i < a->n; i++)
    if (a->files[i].url && strcmp(a->files[i].url, path) == 0)
      return a->files[i].entry;
  return NULL;
}
