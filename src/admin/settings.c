/* settings.c: the site's settings in the newsroom, for administrators:
 * every setting `naba settings` knows (store_setting_defs), with its help,
 * its value and a field. Saving checks every changed field with
 * store_setting_check (the CLI's check and message) and writes them all or
 * none, each with its audit row, in one transaction. */
#include "admin/internal.h"

#include <string.h>

#include "core/core.h"

/* What one field of the form has: as typed, and why it was refused. */
typedef struct {
  const char *typed; /* NULL: the stored or default value */
  const char *error;
} setting_field;

/* Renders the page with status; fields (may be NULL) as typed. */
static void settings_page(admin_req *r, int status, const setting_field *fields,
                          int refused) {
  size_t n;
  const store_setting_def *defs = store_setting_defs(&n);
  store_kv *kv = NULL;
  size_t nkv = 0;
  int rc = store_settings_all(r->st, r->a, &kv, &nkv);
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_settings_all");
    return;
  }
  json_t *d = json_object(), *list = json_array();
  for (size_t i = 0; i < n; i++) {
    const char *v = defs[i].fallback;
    for (size_t k = 0; k < nkv; k++)
      if (strcmp(kv[k].key, defs[i].key) == 0)
        v = kv[k].value;
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(defs[i].key));
    json_object_set_new(o, "help", json_string(_(defs[i].help)));
    json_object_set_new(
        o, "value",
        json_string(fields && fields[i].typed ? fields[i].typed : v));
    json_object_set_new(o, "fallback", json_string(defs[i].fallback));
    json_object_set_new(o, "has_fallback",
                        json_boolean(defs[i].fallback[0] != '\0'));
    if (fields && fields[i].error)
      json_object_set_new(o, "field_error", json_string(fields[i].error));
    json_array_append_new(list, o);
  }
  json_object_set_new(d, "settings", list);
  if (refused)
    json_object_set_new(
        d, "error",
        json_string(_("Nothing was saved: correct the fields marked below.")));
  const char *done = web_query(r->req, "done");
  if (!refused && done)
    json_object_set_new(d, "notice",
                        json_string(strcmp(done, "0") == 0
                                        ? _("Nothing was changed.")
                                        : _("The settings were saved.")));
  admin_render(r, status, "settings", d);
}

void admin_settings(admin_req *r) {
  if (!admin_can(r, ADMIN_SETTINGS)) {
    admin_forbidden(r);
    return;
  }
  settings_page(r, 200, NULL, 0);
}

/* What saving a field does. */
enum { KEEP, SET, UNSET };

void admin_settings_post(admin_req *r) {
  if (!admin_can(r, ADMIN_SETTINGS)) {
    admin_forbidden(r);
    return;
  }
  size_t n;
  const store_setting_def *defs = store_setting_defs(&n);
  setting_field *fields = arena_alloc(r->a, n * sizeof *fields);
  unsigned char *todo = arena_alloc(r->a, n);
  if (!fields || !todo) {
    admin_unavailable(r, NB_ENOMEM, "settings");
    return;
  }
  int refused = 0, changes = 0, rc = NB_OK;
  for (size_t i = 0; rc == NB_OK && i < n; i++) {
    const char *typed = web_form_get(r->req->form, r->req->nform, defs[i].key);
    const char *now = NULL;
    fields[i] = (setting_field){typed, NULL};
    todo[i] = KEEP;
    if (!typed) /* not in the form: left as it is */
      continue;
    if ((rc = store_setting_get(r->st, r->a, defs[i].key, &now)) != NB_OK)
      break;
    const char *shown = now ? now : defs[i].fallback;
    if (strcmp(typed, shown) == 0)
      continue;
    if (now && (strcmp(typed, defs[i].fallback) == 0 ||
                (!*typed && *defs[i].fallback))) {
      todo[i] = UNSET; /* the default again */
    } else if (!*typed && *defs[i].fallback) {
      continue; /* emptied, and the default is what it has */
    } else {
      char err[512];
      if (store_setting_check(defs[i].key, typed, err, sizeof err) != NB_OK) {
        fields[i].error = arena_strdup(r->a, err);
        refused = 1;
        continue;
      }
      todo[i] = SET;
    }
    changes++;
  }
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_setting_get");
    return;
  }
  if (refused) {
    settings_page(r, 422, fields, 1);
    return;
  }
  if (!changes) {
    admin_redirect(r, "/admin/settings?done=0");
    return;
  }
  /* All or none, each with its audit row, as one change. */
  if ((rc = store_begin(r->st)) == NB_OK) {
    for (size_t i = 0; rc == NB_OK && i < n; i++) {
      const char *key = defs[i].key;
      if (todo[i] == SET) {
        rc = store_setting_set(r->st, key, fields[i].typed);
        if (rc == NB_OK)
          rc = store_audit_add(r->st, r->user.id, "setting_set",
                               arena_printf(r->a, "setting:%s", key),
                               fields[i].typed);
      } else if (todo[i] == UNSET) {
        rc = store_setting_unset(r->st, key);
        if (rc == NB_OK)
          rc = store_audit_add(r->st, r->user.id, "setting_unset",
                               arena_printf(r->a, "setting:%s", key), "");
      }
    }
    if (rc == NB_OK)
      rc = store_commit(r->st);
    else
      store_rollback(r->st);
  }
  if (rc != NB_OK) {
    admin_unavailable(r, rc, "store_setting_set");
    return;
  }
  admin_redirect(r, "/admin/settings?done=1");
}
