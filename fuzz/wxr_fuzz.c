/* Fuzz harness for the WordPress export reader: whatever the bytes, the
 * read ends (with a reason when it fails), hands over only UTF-8 strings
 * that are never NULL, and stays within its limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"

#include "fuzz.h"

static void check(int ok) {
  if (!ok)
    abort();
}

static void text(const char *s) {
  check(s != NULL && utf8_valid(s, strlen(s)));
}

static int on_site(void *ctx, const imp_wxr_site *s) {
  (void)ctx;
  text(s->wxr_version ? s->wxr_version : "");
  return NB_OK;
}

static int on_author(void *ctx, const imp_wxr_author *a) {
  (void)ctx;
  text(a->login);
  text(a->email);
  text(a->display_name);
  return NB_OK;
}

static int on_term(void *ctx, const imp_wxr_term *t) {
  (void)ctx;
  text(t->taxonomy);
  text(t->slug);
  text(t->name);
  text(t->parent);
  return NB_OK;
}

static int on_item(void *ctx, const imp_wxr_item *i) {
  int *items = ctx;
  text(i->title);
  text(i->content);
  text(i->status);
  text(i->type);
  text(i->date_gmt);
  for (size_t k = 0; k < i->nterms; k++)
    text(i->terms[k].name);
  for (size_t k = 0; k < i->ncomments; k++) {
    text(i->comments[k].content);
    text(i->comments[k].approved);
  }
  /* every 7th item stops the read, as an importer's error would */
  return ++*items % 7 ? NB_OK : NB_EIO;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int items = 0;
  char err[300] = "";
  imp_wxr_handler h = {&items, on_site, on_author, on_term, on_item};
  int rc = imp_wxr_read_memory((const char *)data, size, &h, err, sizeof err);
  check(rc == NB_OK || rc == NB_EINVAL || rc == NB_ETOOBIG || rc == NB_EIO ||
        rc == NB_ENOMEM);
  check(rc == NB_OK || err[0] != '\0'); /* a failure always says why */
  return 0;
}
