/* roles.c: who may do what in the newsroom, as one table: a row per
 * action, a column per role (issue 13's roles). Handlers ask admin_can();
 * templates get the answers as flags (admin_render's "can"). */
#include "admin/internal.h"

#include <assert.h>

/* allowed[action][role - 1]: contributor, author, editor, administrator. */
static const unsigned char allowed[ADMIN_ACTIONS][4] = {
    [ADMIN_WRITE] = {1, 1, 1, 1},       [ADMIN_PUBLISH] = {0, 1, 1, 1},
    [ADMIN_EDIT_OTHERS] = {0, 0, 1, 1}, [ADMIN_MODERATE] = {0, 0, 1, 1},
    [ADMIN_USERS] = {0, 0, 0, 1},       [ADMIN_AUDIT] = {0, 0, 0, 1},
    [ADMIN_SECTIONS] = {0, 0, 1, 1},    [ADMIN_TAGS] = {0, 0, 1, 1},
    [ADMIN_SETTINGS] = {0, 0, 0, 1},
};

int admin_can(const admin_req *r, admin_action what) {
  assert(what >= 0 && what < ADMIN_ACTIONS);
  if (!r->in || r->user.disabled || r->user.role < STORE_ROLE_CONTRIBUTOR ||
      r->user.role > STORE_ROLE_ADMINISTRATOR)
    return 0;
  return allowed[what][r->user.role - 1];
}

int admin_may_edit(const admin_req *r, int64_t created_by, int status) {
  if (admin_can(r, ADMIN_EDIT_OTHERS))
    return 1;
  if (!admin_can(r, ADMIN_WRITE) || created_by != r->user.id)
    return 0;
  return admin_can(r, ADMIN_PUBLISH) || status != STORE_PUBLISHED;
}
