/* Tests for the store (store.h) on SQLite: each test opens a real SQLite
 * file in a fresh temporary directory, as the server and the CLI do. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "search/search.h"
#include "store/sqlite/fts5.h"
#include "store/store.h"

extern const struct nb_embed store_migrations[];
extern const size_t store_migrations_count;

typedef struct {
  char dir[256];
  char path[300];
  store *s;
  arena_t a;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  const char *tmp = getenv("TMPDIR");
  char err[256];

  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "%s/naba-store-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->path, sizeof f->path, "%s/naba.db", f->dir);
  assert_int_equal(store_open(f->path, 0, &f->s, err, sizeof err), NB_OK);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  struct dirent *e;
  char p[600];
  DIR *d;

  store_close(f->s);
  arena_free(&f->a);
  d = opendir(f->dir);
  while (d && (e = readdir(d))) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
      unlink(p);
    }
  }
  if (d)
    closedir(d);
  rmdir(f->dir);
  free(f);
  return 0;
}

/* ---- helpers ---- */

/* One integer from SQL run on a separate raw connection. */
static int64_t sql_i64(const char *path, const char *sql) {
  sqlite3 *db;
  sqlite3_stmt *st;
  int64_t v;

  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

static void sql_exec(const char *path, const char *sql) {
  sqlite3 *db;

  assert_int_equal(sqlite3_open_v2(path, &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                   NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

static int64_t section(store *s, const char *name, const char *slug) {
  int64_t id = 0;
  int created;

  assert_int_equal(store_section_ensure(s, name, slug, &id, &created), NB_OK);
  assert_true(id > 0);
  return id;
}

static int64_t author(store *s, const char *name, const char *slug) {
  int64_t id = 0;

  assert_int_equal(store_author_ensure(s, name, slug, &id), NB_OK);
  assert_true(id > 0);
  return id;
}

static store_article article(int64_t section_id, const char *title,
                             int64_t published_at) {
  store_article a = {0};

  a.section_id = section_id;
  a.title = title;
  a.slug = "slug";
  a.summary = "ملخص";
  a.body_html = "<p>نص</p>";
  a.image_url = "";
  a.status = STORE_PUBLISHED;
  a.published_at = published_at;
  return a;
}

static int64_t save(store *s, store_article *a, const char *key) {
  assert_int_equal(store_article_save(s, a, key, NULL), NB_OK);
  assert_true(a->id > 0);
  return a->id;
}

static int64_t head(store *s) {
  int64_t h = -1;

  assert_int_equal(store_changes_head(s, &h), NB_OK);
  return h;
}

static int64_t count(store *s, int64_t section_id) {
  int64_t n = -1;

  assert_int_equal(store_articles_count(s, section_id, &n), NB_OK);
  return n;
}

/* The tags recorded after `after`, joined with spaces in id order. */
static const char *tags_since(fixture *f, int64_t after) {
  const char **tags;
  size_t n, i;
  int64_t last;
  static char out[1024];

  assert_int_equal(
      store_changes_since(f->s, &f->a, after, 100, &tags, &n, &last), NB_OK);
  out[0] = '\0';
  for (i = 0; i < n; i++) {
    if (i)
      strncat(out, " ", sizeof out - strlen(out) - 1);
    strncat(out, tags[i], sizeof out - strlen(out) - 1);
  }
  return out;
}

/* ---- opening and migrations ---- */

/* The number of the newest migration: numbers need not be contiguous (a
 * part of a release may land before an earlier-numbered one). */
static int64_t latest_migration(void) {
  const char *name = store_migrations[store_migrations_count - 1].name;
  const char *base = strrchr(name, '/');
  return strtoll(base ? base + 1 : name, NULL, 10);
}

static void opening_a_new_file_applies_every_migration_once(void **state) {
  fixture *f = *state;

  assert_true(store_migrations_count >= 1);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM schema_version"),
                   (int64_t)store_migrations_count);
  assert_int_equal(sql_i64(f->path, "SELECT min(version) FROM schema_version"),
                   1);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM sqlite_schema WHERE "
                                    "type = 'table' AND name IN ('sections', "
                                    "'authors', 'articles', 'settings', "
                                    "'changes')"),
                   5);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM pragma_journal_mode "
                                    "WHERE journal_mode = 'wal'"),
                   1);
}

static void reopening_does_not_reapply_migrations(void **state) {
  fixture *f = *state;
  int64_t before = sql_i64(f->path, "SELECT sum(applied_at) FROM "
                                    "schema_version");
  int64_t id = section(f->s, "سياسة", "سياسة");
  store_section sec;
  char err[256];

  store_close(f->s);
  f->s = NULL;
  assert_int_equal(store_open(f->path, 0, &f->s, err, sizeof err), NB_OK);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM schema_version"),
                   (int64_t)store_migrations_count);
  assert_int_equal(
      sql_i64(f->path, "SELECT sum(applied_at) FROM schema_version"), before);
  assert_int_equal(store_section_by_id(f->s, &f->a, id, &sec), NB_OK);
  assert_string_equal(sec.name, "سياسة");
}

static void
failed_migration_is_rolled_back_and_named_in_the_error(void **state) {
  fixture *f = *state;
  char path[400], err[256];
  store *s = NULL;

  /* A table in the way makes 001 fail half-way through. */
  snprintf(path, sizeof path, "%s/clash.db", f->dir);
  sql_exec(path, "CREATE TABLE changes (x)");
  assert_int_equal(store_open(path, 0, &s, err, sizeof err), NB_EIO);
  assert_null(s);
  assert_non_null(strstr(err, "migration 001_init.sql: "));
  assert_non_null(strstr(err, "changes"));
  assert_int_equal(sql_i64(path, "SELECT count(*) FROM sqlite_schema WHERE "
                                 "name IN ('schema_version', 'sections')"),
                   0);
}

static void database_from_a_newer_program_is_refused(void **state) {
  fixture *f = *state;
  char err[256];

  store_close(f->s);
  f->s = NULL;
  sql_exec(f->path, "INSERT INTO schema_version VALUES (999, "
                    "'999_future.sql', 0)");
  assert_int_equal(store_open(f->path, 0, &f->s, err, sizeof err), NB_EINVAL);
  assert_null(f->s);
  assert_non_null(strstr(err, "newer"));
}

static void readonly_open_of_missing_schema_is_refused(void **state) {
  fixture *f = *state;
  char path[400], err[256];
  store *s = NULL;
  FILE *fp;

  snprintf(path, sizeof path, "%s/missing.db", f->dir);
  assert_int_not_equal(store_open(path, 1, &s, err, sizeof err), NB_OK);
  assert_null(s);
  assert_non_null(strstr(err, "missing.db"));
  assert_int_not_equal(access(path, F_OK), 0); /* not created */

  snprintf(path, sizeof path, "%s/empty.db", f->dir);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fclose(fp);
  assert_int_equal(store_open(path, 1, &s, err, sizeof err), NB_EINVAL);
  assert_null(s);
  assert_non_null(strstr(err, "no naba schema"));
}

static void readonly_open_reads_but_refuses_writes(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "رياضة", "رياضة");
  store_article a = article(sec, "خبر", 0);
  store *ro = NULL;
  char err[256];
  int64_t id;

  save(f->s, &a, NULL);
  assert_int_equal(store_open(f->path, 1, &ro, err, sizeof err), NB_OK);
  assert_int_equal(count(ro, 0), 1);
  id = 0;
  assert_int_not_equal(store_section_ensure(ro, "جديد", "جديد", &id, NULL),
                       NB_OK);
  assert_int_equal(count(f->s, 0), 1);
  store_close(ro);
}

/* ---- sections and authors ---- */

static void section_ensure_returns_same_id_for_same_name(void **state) {
  fixture *f = *state;
  int64_t a = 0, b = 0, c = 0;
  int created = -1;
  store_section *list, one;
  size_t n;

  assert_int_equal(store_section_ensure(f->s, "سياسة", "سياسة", &a, &created),
                   NB_OK);
  assert_int_equal(created, 1);
  assert_int_equal(
      store_section_ensure(f->s, "اقتصاد", "economy", &b, &created), NB_OK);
  assert_int_equal(created, 1);
  assert_int_equal(store_section_ensure(f->s, "سياسة", "other", &c, &created),
                   NB_OK);
  assert_int_equal(created, 0);
  assert_int_equal(c, a);

  assert_int_equal(store_sections(f->s, &f->a, &list, &n), NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, a); /* placed in the menu in creation order */
  assert_int_equal(list[1].id, b);
  assert_true(list[0].position < list[1].position);
  assert_string_equal(list[1].name, "اقتصاد");

  assert_int_equal(store_section_by_slug(f->s, &f->a, "economy", &one), NB_OK);
  assert_int_equal(one.id, b);
  assert_int_equal(store_section_by_slug(f->s, &f->a, "other", &one),
                   NB_ENOTFOUND);
  assert_int_equal(store_section_by_id(f->s, &f->a, 9999, &one), NB_ENOTFOUND);
}

static void section_with_a_taken_slug_is_refused(void **state) {
  fixture *f = *state;
  int64_t id = 0;

  section(f->s, "سياسة", "politics");
  assert_int_equal(
      store_section_ensure(f->s, "سياسة دولية", "politics", &id, NULL),
      NB_EEXIST);
  assert_int_equal(store_section_ensure(f->s, "", "empty", &id, NULL),
                   NB_EINVAL);
}

/* ---- the newsroom's sections and tags ---- */

static int64_t section_save(store *s, int64_t id, const char *name,
                            const char *slug, int64_t parent, int *rc) {
  store_section in = {.id = id,
                      .name = name,
                      .slug = slug,
                      .parent_id = parent,
                      .position = 1,
                      .description = "وصف"};
  int64_t out = 0;
  *rc = store_section_save(s, 0, &in, &out);
  return out;
}

static void section_save_adds_edits_and_refuses_taken_names(void **state) {
  fixture *f = *state;
  int rc;
  int64_t h = head(f->s);
  int64_t a = section_save(f->s, 0, "سياسة", "politics", 0, &rc);
  assert_int_equal(rc, NB_OK);
  assert_true(a > 0);
  char want[128];
  snprintf(want, sizeof want, "section:%lld sections home feeds site",
           (long long)a);
  assert_string_equal(tags_since(f, h), want);
  store_section got;
  assert_int_equal(store_section_by_id(f->s, &f->a, a, &got), NB_OK);
  assert_string_equal(got.description, "وصف");
  int64_t b = section_save(f->s, 0, "اقتصاد", "economy", a, &rc);
  assert_int_equal(rc, NB_OK);
  /* A taken name or slug, by another section: refused, saying which. */
  section_save(f->s, 0, "سياسة", "other", 0, &rc);
  assert_int_equal(rc, NB_EEXIST);
  assert_non_null(strstr(store_errmsg(f->s), "name"));
  section_save(f->s, b, "اقتصاد", "politics", a, &rc);
  assert_int_equal(rc, NB_EEXIST);
  assert_non_null(strstr(store_errmsg(f->s), "slug"));
  /* Its own name again is no clash. */
  section_save(f->s, b, "اقتصاد", "economy-2", a, &rc);
  assert_int_equal(rc, NB_OK);
  section_save(f->s, 9999, "x", "x", 0, &rc);
  assert_int_equal(rc, NB_ENOTFOUND);
  section_save(f->s, 0, "", "empty", 0, &rc);
  assert_int_equal(rc, NB_EINVAL);
  /* Each write audited (actor 0: the command line). */
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM audit_log WHERE action = 'section_add'"
           " AND object = 'section:%lld'",
           (long long)a);
  assert_int_equal(sql_i64(f->path, sql), 1);
}

static void a_section_parent_cycle_is_refused(void **state) {
  fixture *f = *state;
  int rc;
  int64_t a = section_save(f->s, 0, "أ", "a", 0, &rc);
  int64_t b = section_save(f->s, 0, "ب", "b", a, &rc);
  int64_t c = section_save(f->s, 0, "ج", "c", b, &rc);
  assert_int_equal(rc, NB_OK);
  section_save(f->s, a, "أ", "a", c, &rc); /* a under its grandchild */
  assert_int_equal(rc, NB_EINVAL);
  assert_non_null(strstr(store_errmsg(f->s), "cycle"));
  section_save(f->s, a, "أ", "a", a, &rc); /* under itself */
  assert_int_equal(rc, NB_EINVAL);
  assert_int_equal(store_section_set_parent(f->s, b, c), NB_EINVAL);
  section_save(f->s, c, "ج", "c", 424242, &rc); /* a missing parent */
  assert_int_equal(rc, NB_EINVAL);
  section_save(f->s, c, "ج", "c", a, &rc); /* up the tree is fine */
  assert_int_equal(rc, NB_OK);
}

static void a_section_with_articles_is_not_deleted(void **state) {
  fixture *f = *state;
  int rc;
  int64_t a = section_save(f->s, 0, "أ", "a", 0, &rc);
  int64_t b = section_save(f->s, 0, "ب", "b", a, &rc);
  int64_t c = section_save(f->s, 0, "ج", "c", b, &rc);
  store_article x = article(b, "خبر", 1000), y = article(b, "خبر آخر", 1001);
  save(f->s, &x, "x");
  save(f->s, &y, "y");
  int64_t n = -1;
  assert_int_equal(store_section_delete(f->s, 0, b, &n), NB_EINVAL);
  assert_int_equal(n, 2);
  assert_non_null(strstr(store_errmsg(f->s), "2 articles"));
  store_section got;
  assert_int_equal(store_section_by_id(f->s, &f->a, b, &got), NB_OK);
  /* Emptied (its articles moved): deleted, its child moves up to its
   * parent. */
  x.section_id = y.section_id = a;
  save(f->s, &x, "x");
  save(f->s, &y, "y");
  assert_int_equal(store_section_delete(f->s, 0, b, &n), NB_OK);
  assert_int_equal(n, 0);
  assert_int_equal(store_section_by_id(f->s, &f->a, b, &got), NB_ENOTFOUND);
  assert_int_equal(store_section_by_id(f->s, &f->a, c, &got), NB_OK);
  assert_int_equal(got.parent_id, a);
  assert_int_equal(store_section_delete(f->s, 0, b, &n), NB_ENOTFOUND);
}

static void
tags_are_counted_renamed_and_deleted_with_their_links(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "politics"), t1 = 0, t2 = 0;
  assert_int_equal(store_tag_ensure(f->s, "المغرب", "morocco", &t1), NB_OK);
  assert_int_equal(store_tag_ensure(f->s, "الانتخابات", "elections", &t2),
                   NB_OK);
  store_article x = article(sec, "خبر", 1000);
  save(f->s, &x, "x");
  int64_t ids[] = {t1, t2};
  assert_int_equal(store_article_tags_set(f->s, x.id, ids, 2), NB_OK);
  store_tag_count *ts;
  size_t n;
  int64_t total = 0;
  assert_int_equal(store_tags_counted(f->s, &f->a, 0, 1, &ts, &n, &total),
                   NB_OK);
  assert_int_equal(total, 2);
  assert_int_equal(n, 1); /* paged */
  assert_int_equal(ts[0].articles, 1);
  assert_int_equal(store_tag_update(f->s, 0, t1, "الانتخابات", "morocco"),
                   NB_EEXIST);
  assert_int_equal(store_tag_update(f->s, 0, t1, "المملكة", "kingdom"), NB_OK);
  store_named got;
  assert_int_equal(store_tag_by_id(f->s, &f->a, t1, &got), NB_OK);
  assert_string_equal(got.slug, "kingdom");
  int64_t h = head(f->s);
  assert_int_equal(store_tag_delete(f->s, 0, t2), NB_OK);
  char want[128];
  snprintf(want, sizeof want, "article:%lld tag:%lld feeds", (long long)x.id,
           (long long)t2);
  assert_string_equal(tags_since(f, h), want);
  assert_int_equal(store_tag_by_id(f->s, &f->a, t2, &got), NB_ENOTFOUND);
  store_named *left;
  assert_int_equal(store_article_tags(f->s, &f->a, x.id, &left, &n), NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(store_tag_delete(f->s, 0, t2), NB_ENOTFOUND);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM audit_log WHERE"
                                    " action IN ('tag_edit', 'tag_delete')"),
                   2);
}

static void author_ensure_returns_same_id_for_same_name(void **state) {
  fixture *f = *state;
  int64_t a = author(f->s, "هيئة التحرير", "editors");

  assert_int_equal(author(f->s, "هيئة التحرير", "editors"), a);
  assert_int_not_equal(author(f->s, "كاتب", "writer"), a);
}

/* ---- articles ---- */

static void
article_saved_twice_with_same_source_key_stays_one_row(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "العنوان الأول", 0), got;
  int created = -1;

  assert_int_equal(store_article_save(f->s, &a, "wxr:42", &created), NB_OK);
  assert_int_equal(created, 1);
  int64_t id = a.id;

  a = article(sec, "العنوان المصحح", 0); /* id 0, as an import would */
  assert_int_equal(store_article_save(f->s, &a, "wxr:42", &created), NB_OK);
  assert_int_equal(created, 0);
  assert_int_equal(a.id, id);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM articles"), 1);
  assert_int_equal(store_article_by_id(f->s, &f->a, id, &got), NB_OK);
  assert_string_equal(got.title, "العنوان المصحح");

  a = article(sec, "آخر", 0);
  assert_int_equal(store_article_save(f->s, &a, "wxr:43", &created), NB_OK);
  assert_int_equal(created, 1);
  assert_int_not_equal(a.id, id);
}

static void saving_by_id_updates_and_unknown_id_is_not_found(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "قبل", 0), got;
  int created = -1;

  int64_t id = save(f->s, &a, NULL);
  a.title = "بعد";
  assert_int_equal(store_article_save(f->s, &a, NULL, &created), NB_OK);
  assert_int_equal(created, 0);
  assert_int_equal(a.id, id);
  assert_int_equal(store_article_by_id(f->s, &f->a, id, &got), NB_OK);
  assert_string_equal(got.title, "بعد");

  a.id = 12345;
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_ENOTFOUND);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM articles"), 1);
}

static void published_at_zero_keeps_the_original_date_on_update(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  int64_t then = nb_now() - 86400 * 30, now = nb_now();
  store_article a = article(sec, "خبر", then), got;

  save(f->s, &a, "k");
  a = article(sec, "خبر معدل", 0);
  save(f->s, &a, "k");
  assert_int_equal(a.published_at, then);
  assert_true(a.updated_at >= now);
  assert_int_equal(store_article_by_id(f->s, &f->a, a.id, &got), NB_OK);
  assert_int_equal(got.published_at, then);
  assert_true(got.updated_at >= now);

  /* A new article without a date is published now. */
  a = article(sec, "جديد", 0);
  save(f->s, &a, NULL);
  assert_true(a.published_at >= now && a.published_at <= nb_now());
}

static void scheduled_article_is_not_listed_before_its_time(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article later = article(sec, "لاحقا", nb_now() + 3600);
  store_article draft = article(sec, "مسودة", nb_now() - 60);
  store_article now = article(sec, "الآن", nb_now() - 60), got, *list;
  size_t n;

  draft.status = STORE_DRAFT;
  save(f->s, &later, NULL);
  save(f->s, &draft, NULL);
  save(f->s, &now, NULL);
  assert_int_equal(store_articles_latest(f->s, &f->a, 0, 0, 10, &list, &n),
                   NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(list[0].id, now.id);
  assert_int_equal(count(f->s, 0), 1);
  assert_int_equal(count(f->s, sec), 1);
  assert_int_equal(store_article_by_id(f->s, &f->a, later.id, &got),
                   NB_ENOTFOUND);
  assert_int_equal(store_article_by_id(f->s, &f->a, draft.id, &got),
                   NB_ENOTFOUND);
}

static void latest_lists_newest_first_and_pages_with_offset(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "politics");
  int64_t by = author(f->s, "مراسل", "reporter");
  int64_t t = nb_now() - 1000, ids[5];
  store_article a, *list;
  size_t n;
  int i;

  for (i = 0; i < 5; i++) {
    a = article(sec, "خبر", t + i);
    a.author_id = i == 4 ? by : 0;
    ids[i] = save(f->s, &a, NULL);
  }
  assert_int_equal(store_articles_latest(f->s, &f->a, 0, 0, 2, &list, &n),
                   NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, ids[4]);
  assert_int_equal(list[1].id, ids[3]);
  assert_null(list[0].body_html);
  assert_string_equal(list[0].section_name, "سياسة");
  assert_string_equal(list[0].section_slug, "politics");
  assert_string_equal(list[0].author_name, "مراسل");
  assert_int_equal(list[0].author_id, by);
  assert_string_equal(list[1].author_name, "");
  assert_int_equal(list[1].author_id, 0);
  assert_string_equal(list[1].summary, "ملخص");

  assert_int_equal(store_articles_latest(f->s, &f->a, 0, 2, 2, &list, &n),
                   NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, ids[2]);
  assert_int_equal(list[1].id, ids[1]);
  assert_int_equal(store_articles_latest(f->s, &f->a, 0, 4, 2, &list, &n),
                   NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(list[0].id, ids[0]);
  assert_int_equal(store_articles_latest(f->s, &f->a, 0, 10, 2, &list, &n),
                   NB_OK);
  assert_int_equal(n, 0);
  assert_int_equal(store_articles_latest(f->s, &f->a, 0, -1, 2, &list, &n),
                   NB_EINVAL);
}

static void same_time_articles_page_without_repeats(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  int64_t t = nb_now() - 10, seen[40];
  store_article a, *list;
  size_t n, i, j;

  /* Imports give many articles the same second: paging must still visit
   * each exactly once (newest id first). */
  for (i = 0; i < 40; i++) {
    a = article(sec, "خبر", t);
    save(f->s, &a, NULL);
  }
  for (i = 0; i < 40; i += 7) {
    assert_int_equal(
        store_articles_latest(f->s, &f->a, 0, (int64_t)i, 7, &list, &n), NB_OK);
    for (j = 0; j < n; j++)
      seen[i + j] = list[j].id;
  }
  for (i = 1; i < 40; i++)
    assert_true(seen[i] < seen[i - 1]);
}

static void long_lists_grow_past_their_first_allocation(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a, *list;
  size_t n;
  int i;

  assert_int_equal(store_begin(f->s), NB_OK);
  for (i = 0; i < 100; i++) {
    a = article(sec, "خبر", nb_now() - 1000 + i);
    save(f->s, &a, NULL);
  }
  assert_int_equal(store_commit(f->s), NB_OK);
  assert_int_equal(store_articles_latest(f->s, &f->a, 0, 0, 1000, &list, &n),
                   NB_OK);
  assert_int_equal(n, 100);
  for (i = 1; i < 100; i++)
    assert_true(list[i].published_at < list[i - 1].published_at);
}

static void count_matches_list_per_section(void **state) {
  fixture *f = *state;
  int64_t pol = section(f->s, "سياسة", "politics");
  int64_t eco = section(f->s, "اقتصاد", "economy");
  store_article a, *list;
  size_t n, i;
  int k;

  for (k = 0; k < 7; k++) {
    a = article(k % 3 ? pol : eco, "خبر", nb_now() - 100 + k);
    save(f->s, &a, NULL);
  }
  assert_int_equal(count(f->s, 0), 7);
  assert_int_equal(count(f->s, pol), 4);
  assert_int_equal(count(f->s, eco), 3);
  assert_int_equal(count(f->s, 9999), 0);
  assert_int_equal(store_articles_latest(f->s, &f->a, eco, 0, 100, &list, &n),
                   NB_OK);
  assert_int_equal(n, 3);
  for (i = 0; i < n; i++)
    assert_int_equal(list[i].section_id, eco);
  assert_int_equal(store_articles_latest(f->s, &f->a, pol, 0, 100, &list, &n),
                   NB_OK);
  assert_int_equal(n, 4);
}

/* A UTC time written as text, for readable tests. */
static int64_t at(const char *s) {
  int64_t t = 0;

  assert_int_equal(nb_time_parse(s, &t), NB_OK);
  return t;
}

/* Saves a published article at time t, updated at u (0: t). */
static int64_t save_at(store *s, int64_t sec, const char *title, int64_t t,
                       int64_t u, int status) {
  store_article a = article(sec, title, t);

  a.updated_at = u ? u : t;
  a.status = status;
  return save(s, &a, NULL);
}

static void
months_group_visible_articles_by_utc_month_newest_first(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "politics");
  int64_t now = at("2022-01-15T12:00Z");
  store_month *m;
  size_t n;

  save_at(f->s, sec, "أول الشهر", at("2021-11-01T00:00Z"), 0, 1);
  save_at(f->s, sec, "آخر الشهر", at("2021-11-30T23:59:59Z"),
          at("2021-12-20T10:00Z"), 1);
  save_at(f->s, sec, "ديسمبر", at("2021-12-01T00:00Z"), 0, 1);
  /* Neither a draft nor an article scheduled after `now` makes a month. */
  save_at(f->s, sec, "مسودة", at("2021-10-10T10:00Z"), 0, STORE_DRAFT);
  save_at(f->s, sec, "مجدول", at("2022-02-01T10:00Z"), 0, 1);
  save_at(f->s, sec, "مجدول اليوم", at("2022-01-15T12:00:01Z"), 0, 1);

  assert_int_equal(store_article_months(f->s, &f->a, now, &m, &n), NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(m[0].year, 2021);
  assert_int_equal(m[0].month, 12);
  assert_int_equal(m[0].count, 1);
  assert_int_equal(m[0].lastmod, at("2021-12-01T00:00Z"));
  assert_int_equal(m[1].year, 2021);
  assert_int_equal(m[1].month, 11);
  assert_int_equal(m[1].count, 2);
  /* The newest update, here of an article older than the other. */
  assert_int_equal(m[1].lastmod, at("2021-12-20T10:00Z"));

  /* Once the scheduled ones are due, their months appear. */
  assert_int_equal(
      store_article_months(f->s, &f->a, at("2022-03-01T00:00Z"), &m, &n),
      NB_OK);
  assert_int_equal(n, 4);
  assert_int_equal(m[0].month, 2);
  assert_int_equal(m[1].month, 1);
  assert_int_equal(m[1].year, 2022);

  /* No visible article: no month. */
  assert_int_equal(
      store_article_months(f->s, &f->a, at("2000-01-01T00:00Z"), &m, &n),
      NB_OK);
  assert_int_equal(n, 0);
}

static void articles_between_page_newest_first_inside_the_range(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "politics");
  int64_t nov = at("2021-11-01T00:00Z"), dec = at("2021-12-01T00:00Z");
  int64_t now = at("2021-11-20T00:00Z"), ids[5], last, next;
  store_article *list;
  size_t n;
  int i;

  save_at(f->s, sec, "أكتوبر", nov - 1, 0, 1);
  for (i = 0; i < 5; i++)
    ids[i] = save_at(f->s, sec, "نونبر", nov + i * 3600, 0, 1);
  save_at(f->s, sec, "مسودة", nov + 10, 0, STORE_DRAFT);
  save_at(f->s, sec, "بعد الآن", now + 1, 0, 1);
  last = save_at(f->s, sec, "الآن", now, 0, 1);
  next = save_at(f->s, sec, "ديسمبر", dec, 0, 1);

  assert_int_equal(
      store_articles_between(f->s, &f->a, nov, dec, now, 0, 2, &list, &n),
      NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, last);
  assert_int_equal(list[1].id, ids[4]);
  assert_null(list[0].body_html);
  assert_string_equal(list[0].section_slug, "politics");
  assert_string_equal(list[0].title, "الآن");
  assert_int_equal(
      store_articles_between(f->s, &f->a, nov, dec, now, 2, 2, &list, &n),
      NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, ids[3]);
  assert_int_equal(list[1].id, ids[2]);
  assert_int_equal(
      store_articles_between(f->s, &f->a, nov, dec, now, 4, 2, &list, &n),
      NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, ids[1]);
  assert_int_equal(list[1].id, ids[0]);
  assert_int_equal(
      store_articles_between(f->s, &f->a, nov, dec, now, 6, 2, &list, &n),
      NB_OK);
  assert_int_equal(n, 0);

  /* The start is in the range, the end is not. */
  assert_int_equal(store_articles_between(f->s, &f->a, dec, dec + 86400,
                                          dec + 60, 0, 10, &list, &n),
                   NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(list[0].id, next);
  assert_int_equal(
      store_articles_between(f->s, &f->a, nov, dec, now, -1, 2, &list, &n),
      NB_EINVAL);
}

static void article_by_id_has_body_and_byline(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "politics");
  store_article a = article(sec, "خبر", 0), got;

  a.author_id = author(f->s, "مراسل", "reporter");
  a.image_url = "https://example.ma/a.jpg";
  save(f->s, &a, NULL);
  assert_int_equal(store_article_by_id(f->s, &f->a, a.id, &got), NB_OK);
  assert_string_equal(got.body_html, "<p>نص</p>");
  assert_string_equal(got.author_name, "مراسل");
  assert_string_equal(got.image_url, "https://example.ma/a.jpg");
  assert_int_equal(got.status, STORE_PUBLISHED);
  assert_int_equal(store_article_by_id(f->s, &f->a, a.id + 1, &got),
                   NB_ENOTFOUND);
}

static void invalid_articles_are_refused_and_leave_nothing(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  int64_t h = head(f->s);
  store_article a;

  a = article(sec, "", 0);
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_EINVAL);
  a = article(sec, "\xd8", 0); /* truncated UTF-8 */
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_EINVAL);
  a = article(sec, "خبر", 0);
  a.body_html = NULL; /* as list queries return: must not erase a body */
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_EINVAL);
  a = article(9999, "خبر", 0); /* no such section */
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_EINVAL);
  assert_non_null(strstr(store_errmsg(f->s), "FOREIGN KEY"));
  a = article(sec, "خبر", 0);
  a.author_id = 9999;
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_EINVAL);
  a = article(sec, "خبر", 0);
  a.status = 7;
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_EINVAL);
  assert_int_equal(a.id, 0);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM articles"), 0);
  assert_int_equal(head(f->s), h);
}

static void strings_with_quotes_and_arabic_round_trip(void **state) {
  fixture *f = *state;
  const char *evil =
      "'); DROP TABLE articles; -- \"إسرائيل\" ‏«نبأ»";
  int64_t sec = section(f->s, "سياسة'--", "سياسة\"");
  store_article a = article(sec, evil, 0), got;
  store_section s;
  const char *v;

  a.slug = "مدار-21";
  a.summary = "a\\b%_'\"";
  a.body_html = "<p dir=\"rtl\">اترك تعليقاً</p>";
  save(f->s, &a, evil);
  assert_int_equal(store_article_by_id(f->s, &f->a, a.id, &got), NB_OK);
  assert_string_equal(got.title, evil);
  assert_string_equal(got.slug, "مدار-21");
  assert_string_equal(got.summary, "a\\b%_'\"");
  assert_string_equal(got.body_html, "<p dir=\"rtl\">اترك تعليقاً</p>");
  assert_string_equal(got.section_name, "سياسة'--");
  assert_int_equal(store_section_by_slug(f->s, &f->a, "سياسة\"", &s), NB_OK);
  assert_int_equal(s.id, sec);
  assert_int_equal(store_setting_set(f->s, evil, evil), NB_OK);
  assert_int_equal(store_setting_get(f->s, &f->a, evil, &v), NB_OK);
  assert_string_equal(v, evil);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM articles"), 1);
}

/* ---- change log ---- */

static void saving_an_article_records_its_change_tags(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  int64_t by = author(f->s, "مراسل", "reporter");
  int64_t h = head(f->s);
  store_article a = article(sec, "خبر", 0);
  char want[256];

  a.author_id = by;
  save(f->s, &a, NULL);
  snprintf(want, sizeof want,
           "article:%lld section:%lld author:%lld home feeds", (long long)a.id,
           (long long)sec, (long long)by);
  assert_string_equal(tags_since(f, h), want);
  assert_true(head(f->s) > h);
}

static void creating_a_section_records_sections_and_home(void **state) {
  fixture *f = *state;
  int64_t h = head(f->s);

  section(f->s, "سياسة", "سياسة");
  assert_string_equal(tags_since(f, h), "sections home");
  h = head(f->s);
  section(f->s, "سياسة", "سياسة"); /* already there: nothing changed */
  assert_string_equal(tags_since(f, h), "");
}

static void moving_an_article_records_both_sections(void **state) {
  fixture *f = *state;
  int64_t pol = section(f->s, "سياسة", "politics");
  int64_t eco = section(f->s, "اقتصاد", "economy");
  int64_t r1 = author(f->s, "مراسل", "r1");
  int64_t r2 = author(f->s, "مراسلة", "r2");
  store_article a = article(pol, "خبر", 0);
  char want[256];
  int64_t h;

  a.author_id = r1;
  save(f->s, &a, NULL);
  h = head(f->s);
  a.section_id = eco;
  a.author_id = r2;
  save(f->s, &a, NULL);
  snprintf(want, sizeof want,
           "article:%lld section:%lld section:%lld author:%lld author:%lld "
           "home feeds",
           (long long)a.id, (long long)eco, (long long)pol, (long long)r2,
           (long long)r1);
  assert_string_equal(tags_since(f, h), want);
}

static void changes_since_pages_with_max_and_last(void **state) {
  fixture *f = *state;
  int64_t h = head(f->s), last;
  const char **tags;
  size_t n;

  section(f->s, "أ", "a"); /* sections home */
  section(f->s, "ب", "b"); /* sections home */
  assert_int_equal(store_changes_since(f->s, &f->a, h, 3, &tags, &n, &last),
                   NB_OK);
  assert_int_equal(n, 3);
  assert_int_equal(last, h + 3);
  assert_int_equal(store_changes_since(f->s, &f->a, last, 3, &tags, &n, &last),
                   NB_OK);
  assert_int_equal(n, 1);
  assert_string_equal(tags[0], "home");
  assert_int_equal(last, head(f->s));
  assert_int_equal(store_changes_since(f->s, &f->a, last, 3, &tags, &n, &last),
                   NB_OK);
  assert_int_equal(n, 0);
  assert_int_equal(last, head(f->s));
}

static void trimmed_changes_are_reported_as_everything(void **state) {
  fixture *f = *state;
  int64_t h = head(f->s), last;
  const char **tags;
  size_t n;
  int i;

  /* A poller that fell more than the kept 10,000 tags behind cannot know
   * what changed: it is told "*" and resumes from the head. */
  assert_int_equal(store_begin(f->s), NB_OK);
  for (i = 0; i < 10050; i++)
    assert_int_equal(store_setting_set(f->s, "n", i % 2 ? "1" : "0"), NB_OK);
  assert_int_equal(store_commit(f->s), NB_OK);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM changes"), 10000);
  assert_int_equal(store_changes_since(f->s, &f->a, h, 100, &tags, &n, &last),
                   NB_OK);
  assert_int_equal(n, 1);
  assert_string_equal(tags[0], "*");
  assert_int_equal(last, head(f->s));
  assert_int_equal(
      store_changes_since(f->s, &f->a, last, 100, &tags, &n, &last), NB_OK);
  assert_int_equal(n, 0);
}

static void settings_round_trip_and_unset(void **state) {
  fixture *f = *state;
  int64_t h = head(f->s);
  const char *v = "x";
  store_kv *all;
  size_t n;

  assert_int_equal(store_setting_get(f->s, &f->a, "site_name", &v), NB_OK);
  assert_null(v);
  assert_int_equal(store_setting_set(f->s, "site_name", "مدار21"), NB_OK);
  assert_int_equal(store_setting_set(f->s, "locale", "ar-MA"), NB_OK);
  assert_int_equal(store_setting_set(f->s, "site_name", "نبأ"), NB_OK);
  assert_int_equal(store_setting_set(f->s, "empty", ""), NB_OK);
  assert_int_equal(store_setting_get(f->s, &f->a, "site_name", &v), NB_OK);
  assert_string_equal(v, "نبأ");
  assert_int_equal(store_setting_get(f->s, &f->a, "empty", &v), NB_OK);
  assert_string_equal(v, "");
  assert_int_equal(store_settings_all(f->s, &f->a, &all, &n), NB_OK);
  assert_int_equal(n, 3);
  assert_string_equal(all[0].key, "empty");
  assert_string_equal(all[1].key, "locale");
  assert_string_equal(all[1].value, "ar-MA");
  assert_string_equal(all[2].key, "site_name");

  assert_int_equal(store_setting_unset(f->s, "site_name"), NB_OK);
  assert_int_equal(store_setting_get(f->s, &f->a, "site_name", &v), NB_OK);
  assert_null(v);
  assert_int_equal(store_setting_unset(f->s, "never-set"), NB_OK);
  assert_string_equal(tags_since(f, h), "site site site site site");
  assert_int_equal(store_setting_set(f->s, "k", NULL), NB_EINVAL);
  assert_int_equal(store_setting_set(f->s, "", "v"), NB_EINVAL);
}

static void changes_from_another_connection_are_seen_by_data_version_and_since(
    void **state) {
  fixture *f = *state;
  store *reader = NULL;
  int64_t v1, v2, v3, h, last, sec;
  const char **tags;
  char err[256];
  size_t n;

  assert_int_equal(store_open(f->path, 0, &reader, err, sizeof err), NB_OK);
  assert_int_equal(store_data_version(reader, &v1), NB_OK);
  assert_int_equal(store_changes_head(reader, &h), NB_OK);
  assert_int_equal(store_data_version(reader, &v2), NB_OK);
  assert_int_equal(v2, v1); /* nothing committed elsewhere */

  sec = section(f->s, "سياسة", "سياسة");
  assert_int_equal(store_data_version(reader, &v3), NB_OK);
  assert_int_not_equal(v3, v1);
  assert_int_equal(store_changes_since(reader, &f->a, h, 10, &tags, &n, &last),
                   NB_OK);
  assert_int_equal(n, 2);
  assert_string_equal(tags[0], "sections");
  assert_string_equal(tags[1], "home");
  assert_int_equal(count(reader, sec), 0);
  store_close(reader);
}

/* ---- comments ---- */

/* A published article to comment on, in a section of its own name. */
static int64_t commentable(store *s, const char *title) {
  int64_t sec = section(s, title, title);
  store_article a = article(sec, title, nb_now() - 60);

  return save(s, &a, NULL);
}

static store_comment comment(int64_t article_id, const char *body, int status,
                             int64_t created_at) {
  store_comment c = {0};

  c.article_id = article_id;
  c.author_name = "سارة";
  c.author_email = "sara@example.ma";
  c.author_url = "";
  c.body = body;
  c.status = status;
  c.created_at = created_at;
  c.avatar_key = "a1b2";
  c.client = "203.0.113.5";
  return c;
}

/* Adds c with its body as the content key; it must be new. */
static int64_t add(store *s, store_comment *c) {
  int created = -1;

  assert_int_equal(store_comment_add(s, c, c->body, &created), NB_OK);
  assert_int_equal(created, 1);
  assert_true(c->id > 0);
  return c->id;
}

static int64_t parent_of(fixture *f, int64_t id) {
  store_comment c;

  assert_int_equal(store_comment_by_id(f->s, &f->a, id, &c), NB_OK);
  return c.parent_id;
}

static void
comment_added_twice_with_same_content_key_is_one_comment(void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر"), other = commentable(f->s, "آخر");
  int64_t before = nb_now();
  store_comment c = comment(art, "تعليق", STORE_COMMENT_PENDING, 0), again;
  int created = -1;

  assert_int_equal(store_comment_add(f->s, &c, "key-1", &created), NB_OK);
  assert_int_equal(created, 1);
  assert_true(c.id > 0);
  assert_true(c.created_at >= before && c.created_at <= nb_now());

  /* The form sent again: the caller would now approve it, but the first
   * comment stands and its status is what the reader is told. */
  again = comment(art, "تعليق", STORE_COMMENT_APPROVED, 0);
  assert_int_equal(store_comment_add(f->s, &again, "key-1", &created), NB_OK);
  assert_int_equal(created, 0);
  assert_int_equal(again.id, c.id);
  assert_int_equal(again.status, STORE_COMMENT_PENDING);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM comments"), 1);

  /* The key is per article, and another key is another comment. */
  again = comment(other, "تعليق", STORE_COMMENT_PENDING, 0);
  assert_int_equal(store_comment_add(f->s, &again, "key-1", &created), NB_OK);
  assert_int_equal(created, 1);
  assert_int_not_equal(again.id, c.id);
  again = comment(art, "تعليق", STORE_COMMENT_PENDING, 1234);
  assert_int_equal(store_comment_add(f->s, &again, "key-2", NULL), NB_OK);
  assert_int_equal(again.created_at, 1234);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM comments"), 3);
}

/* A guarded post: a nonce lets one comment in, the client's limit holds,
 * and the same form again is its first comment whatever the guard says. */
static void guarded_post_takes_a_nonce_once_and_keeps_the_limit(void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر");
  int64_t now = nb_now();
  store_comment_guard g = {.nonce = "n1",
                           .nonce_expires = now + 3600,
                           .limit = 2,
                           .since = now - 600};
  store_comment c = comment(art, "أول", STORE_COMMENT_PENDING, 0);
  int outcome = -1, created = -1;

  assert_int_equal(store_comment_post(f->s, &c, "k1", &g, &outcome, &created),
                   NB_OK);
  assert_int_equal(outcome, STORE_POST_ADDED);
  assert_int_equal(created, 1);
  int64_t first = c.id;

  /* The nonce again, other text: nothing. The same text: the first. */
  c = comment(art, "ثان", STORE_COMMENT_PENDING, 0);
  assert_int_equal(store_comment_post(f->s, &c, "k2", &g, &outcome, &created),
                   NB_OK);
  assert_int_equal(outcome, STORE_POST_USED);
  assert_int_equal(created, 0);
  c = comment(art, "أول", STORE_COMMENT_PENDING, 0);
  assert_int_equal(store_comment_post(f->s, &c, "k1", &g, &outcome, &created),
                   NB_OK);
  assert_int_equal(outcome, STORE_POST_ADDED);
  assert_int_equal(created, 0);
  assert_int_equal(c.id, first);

  /* Limit 2: the second comment is in, the third is not. */
  g.nonce = "n2";
  c = comment(art, "ثان", STORE_COMMENT_PENDING, 0);
  assert_int_equal(store_comment_post(f->s, &c, "k2", &g, &outcome, &created),
                   NB_OK);
  assert_int_equal(outcome, STORE_POST_ADDED);
  g.nonce = "n3";
  c = comment(art, "ثالث", STORE_COMMENT_PENDING, 0);
  assert_int_equal(store_comment_post(f->s, &c, "k3", &g, &outcome, &created),
                   NB_OK);
  assert_int_equal(outcome, STORE_POST_LIMITED);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM comments"), 2);
  /* Refused, n3 was not spent; another client is not held back. */
  c = comment(art, "ثالث", STORE_COMMENT_PENDING, 0);
  c.client = "198.51.100.1";
  assert_int_equal(store_comment_post(f->s, &c, "k3", &g, &outcome, &created),
                   NB_OK);
  assert_int_equal(outcome, STORE_POST_ADDED);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM comment_nonces"), 3);

  /* Expired nonces go with the next post. */
  g = (store_comment_guard){.nonce = "n4", .nonce_expires = now + 3600};
  sql_exec(f->path,
           "UPDATE comment_nonces SET expires_at = 1 WHERE nonce = 'n1'");
  c = comment(art, "رابع", STORE_COMMENT_PENDING, 0);
  assert_int_equal(store_comment_post(f->s, &c, "k4", &g, &outcome, &created),
                   NB_OK);
  assert_int_equal(
      sql_i64(f->path,
              "SELECT count(*) FROM comment_nonces WHERE nonce = 'n1'"),
      0);
}

static void pending_comment_records_no_tag_but_approved_one_does(void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر"), h = head(f->s);
  store_comment c = comment(art, "بانتظار المراجعة", STORE_COMMENT_PENDING, 0);
  char want[64];

  add(f->s, &c);
  c = comment(art, "إعلان", STORE_COMMENT_SPAM, 0);
  add(f->s, &c);
  assert_string_equal(tags_since(f, h), "");

  c = comment(art, "موافق عليه", STORE_COMMENT_APPROVED, 0);
  add(f->s, &c);
  snprintf(want, sizeof want, "comments:%lld", (long long)art);
  assert_string_equal(tags_since(f, h), want);

  /* Sent again: nothing changed, nothing recorded. */
  h = head(f->s);
  c = comment(art, "موافق عليه", STORE_COMMENT_APPROVED, 0);
  assert_int_equal(store_comment_add(f->s, &c, c.body, NULL), NB_OK);
  assert_string_equal(tags_since(f, h), "");
}

static void reply_to_a_comment_of_another_article_is_refused(void **state) {
  fixture *f = *state;
  int64_t a1 = commentable(f->s, "أول"), a2 = commentable(f->s, "ثان");
  store_comment top = comment(a1, "أصل", STORE_COMMENT_APPROVED, 0), reply;
  int64_t h;
  int created = -1;

  add(f->s, &top);
  h = head(f->s);
  reply = comment(a2, "رد", STORE_COMMENT_APPROVED, 0);
  reply.parent_id = top.id;
  assert_int_equal(store_comment_add(f->s, &reply, "r", &created), NB_EINVAL);
  assert_int_equal(created, 0);
  assert_int_equal(reply.id, 0);
  reply.article_id = a1;
  reply.parent_id = top.id + 100; /* no such comment */
  assert_int_equal(store_comment_add(f->s, &reply, "r", NULL), NB_EINVAL);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM comments"), 1);
  assert_string_equal(tags_since(f, h), "");

  reply.parent_id = top.id;
  add(f->s, &reply);
  assert_int_equal(parent_of(f, reply.id), top.id);
  assert_int_equal(parent_of(f, top.id), 0);
}

static void invalid_comments_are_refused_and_leave_nothing(void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر"), h = head(f->s);
  store_comment c;

  c = comment(art, "", STORE_COMMENT_APPROVED, 0);
  assert_int_equal(store_comment_add(f->s, &c, "k", NULL), NB_EINVAL);
  c = comment(art, "نص", STORE_COMMENT_APPROVED, 0);
  assert_int_equal(store_comment_add(f->s, &c, "", NULL), NB_EINVAL);
  assert_int_equal(store_comment_add(f->s, &c, NULL, NULL), NB_EINVAL);
  c.author_name = "";
  assert_int_equal(store_comment_add(f->s, &c, "k", NULL), NB_EINVAL);
  c = comment(art, "نص", STORE_COMMENT_APPROVED, 0);
  c.author_email = NULL;
  assert_int_equal(store_comment_add(f->s, &c, "k", NULL), NB_EINVAL);
  c = comment(art, "\xd8", STORE_COMMENT_APPROVED, 0); /* truncated UTF-8 */
  assert_int_equal(store_comment_add(f->s, &c, "k", NULL), NB_EINVAL);
  c = comment(art, "نص", STORE_COMMENT_APPROVED, 0);
  c.author_url = "http://\xff";
  assert_int_equal(store_comment_add(f->s, &c, "k", NULL), NB_EINVAL);
  c = comment(art, "نص", 7, 0);
  assert_int_equal(store_comment_add(f->s, &c, "k", NULL), NB_EINVAL);
  c = comment(art + 100, "نص", STORE_COMMENT_APPROVED, 0); /* no article */
  assert_int_equal(store_comment_add(f->s, &c, "k", NULL), NB_EINVAL);
  assert_non_null(strstr(store_errmsg(f->s), "FOREIGN KEY"));
  assert_int_equal(c.id, 0);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM comments"), 0);
  assert_int_equal(head(f->s), h);
}

static void comment_in_a_rolled_back_transaction_leaves_no_comment_and_no_tag(
    void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر"), h = head(f->s);
  store_comment c = comment(art, "نص", STORE_COMMENT_APPROVED, 0);

  assert_int_equal(store_begin(f->s), NB_OK);
  add(f->s, &c);
  assert_int_equal(store_rollback(f->s), NB_OK);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM comments"), 0);
  assert_int_equal(head(f->s), h);
}

static void
public_thread_shows_approved_and_only_the_given_pending_ids_without_email(
    void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر"), other = commentable(f->s, "آخر");
  store_comment c, *list;
  int64_t first, mine, theirs, spam, same_time, last, pending[3];
  size_t n;

  c = comment(art, "الأول", STORE_COMMENT_APPROVED, 100);
  c.author_url = "https://example.ma/سارة";
  first = add(f->s, &c);
  c = comment(art, "تعليقي", STORE_COMMENT_PENDING, 150);
  mine = add(f->s, &c);
  c = comment(art, "تعليق غيري", STORE_COMMENT_PENDING, 160);
  theirs = add(f->s, &c);
  c = comment(art, "رابط مريب", STORE_COMMENT_SPAM, 170);
  spam = add(f->s, &c);
  c = comment(art, "الأخير", STORE_COMMENT_APPROVED, 200);
  last = add(f->s, &c);
  c = comment(art, "في الوقت نفسه", STORE_COMMENT_APPROVED, 100);
  same_time = add(f->s, &c);
  c = comment(other, "على خبر آخر", STORE_COMMENT_APPROVED, 120);
  add(f->s, &c);

  /* A reader's cookie names their own pending comment, a spam one and one
   * that does not exist: only the pending one is shown. */
  pending[0] = mine;
  pending[1] = spam;
  pending[2] = 99999;
  assert_int_equal(
      store_comments_for_article(f->s, &f->a, art, pending, 3, &list, &n),
      NB_OK);
  assert_int_equal(n, 4);
  assert_int_equal(list[0].id, first); /* same time: by id */
  assert_int_equal(list[1].id, same_time);
  assert_int_equal(list[2].id, mine);
  assert_int_equal(list[3].id, last);
  assert_int_equal(list[2].status, STORE_COMMENT_PENDING);
  assert_string_equal(list[0].author_name, "سارة");
  assert_string_equal(list[0].author_url, "https://example.ma/سارة");
  assert_string_equal(list[0].body, "الأول");
  assert_string_equal(list[0].avatar_key, "a1b2");
  assert_int_equal(list[0].created_at, 100);
  assert_int_equal(list[0].article_id, art);
  assert_int_equal(list[0].parent_id, 0);
  for (size_t i = 0; i < n; i++) {
    assert_int_not_equal(list[i].id, theirs);
    assert_int_not_equal(list[i].id, spam);
    assert_null(list[i].author_email);
    assert_null(list[i].article_title);
  }

  assert_int_equal(
      store_comments_for_article(f->s, &f->a, art, NULL, 0, &list, &n), NB_OK);
  assert_int_equal(n, 3);
  assert_int_equal(list[2].id, last);
  assert_int_equal(
      store_comments_for_article(f->s, &f->a, 99999, NULL, 0, &list, &n),
      NB_OK);
  assert_int_equal(n, 0);
}

static void moderation_list_is_newest_first_with_email_and_title(void **state) {
  fixture *f = *state;
  int64_t a1 = commentable(f->s, "أول"), a2 = commentable(f->s, "ثان");
  store_comment c, *list, one;
  int64_t p1, p2, ok1, spam2;
  size_t n;

  c = comment(a1, "بانتظار ١", STORE_COMMENT_PENDING, 100);
  p1 = add(f->s, &c);
  c = comment(a1, "مقبول", STORE_COMMENT_APPROVED, 200);
  ok1 = add(f->s, &c);
  c = comment(a2, "بانتظار ٢", STORE_COMMENT_PENDING, 300);
  c.author_email = "Reader@Example.MA";
  p2 = add(f->s, &c);
  c = comment(a2, "إعلان", STORE_COMMENT_SPAM, 400);
  spam2 = add(f->s, &c);

  assert_int_equal(
      store_comments_list(f->s, &f->a, STORE_COMMENT_PENDING, 0, 50, &list, &n),
      NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, p2);
  assert_int_equal(list[1].id, p1);
  assert_string_equal(list[0].author_email, "Reader@Example.MA");
  assert_string_equal(list[0].article_title, "ثان");
  assert_string_equal(list[1].article_title, "أول");
  assert_string_equal(list[0].client, "203.0.113.5");

  assert_int_equal(store_comments_list(f->s, &f->a, -1, 0, 50, &list, &n),
                   NB_OK);
  assert_int_equal(n, 4);
  assert_int_equal(list[0].id, spam2);
  assert_int_equal(list[3].id, p1);
  assert_int_equal(store_comments_list(f->s, &f->a, -1, 0, 2, &list, &n),
                   NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[1].id, p2);
  assert_int_equal(store_comments_list(f->s, &f->a, -1, a1, 50, &list, &n),
                   NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, ok1);
  assert_int_equal(
      store_comments_list(f->s, &f->a, STORE_COMMENT_SPAM, a1, 50, &list, &n),
      NB_OK);
  assert_int_equal(n, 0);
  assert_int_equal(
      store_comments_list(f->s, &f->a, STORE_COMMENT_SPAM, a2, 50, &list, &n),
      NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(list[0].id, spam2);
  assert_int_equal(store_comments_list(f->s, &f->a, 5, 0, 50, &list, &n),
                   NB_EINVAL);
  assert_int_equal(store_comments_list(f->s, &f->a, -1, 0, -1, &list, &n),
                   NB_EINVAL);

  assert_int_equal(store_comment_by_id(f->s, &f->a, p2, &one), NB_OK);
  assert_string_equal(one.author_email, "Reader@Example.MA");
  assert_string_equal(one.article_title, "ثان");
  assert_string_equal(one.body, "بانتظار ٢");
  assert_int_equal(one.status, STORE_COMMENT_PENDING);
  assert_int_equal(store_comment_by_id(f->s, &f->a, 99999, &one), NB_ENOTFOUND);
}

static void
moderation_search_finds_name_email_and_text_with_wildcards_as_themselves(
    void **state) {
  fixture *f = *state;
  int64_t a1 = commentable(f->s, "أول"), a2 = commentable(f->s, "ثان");
  store_comment c, *list;
  int64_t byname, byemail, bytext, percent, old;
  size_t n;
  store_comment_filter q = {.status = -1, .limit = 50};

  c = comment(a1, "رأي عادي", STORE_COMMENT_PENDING, 100);
  c.author_name = "Karim Benali";
  c.author_email = "k@example.ma";
  byname = add(f->s, &c);
  c = comment(a2, "تعليق آخر", STORE_COMMENT_APPROVED, 200);
  c.author_email = "BENALI.fan@example.ma";
  byemail = add(f->s, &c);
  c = comment(a2, "يذكر بنعلي في النص", STORE_COMMENT_SPAM, 300);
  bytext = add(f->s, &c);
  c = comment(a1, "خصم 100% اليوم", STORE_COMMENT_SPAM, 400);
  percent = add(f->s, &c);
  c = comment(a1, "قديم", STORE_COMMENT_PENDING, 50);
  old = add(f->s, &c);

  /* ASCII in any case, in the name or the e-mail; newest first. */
  q.q = "benali";
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, byemail);
  assert_int_equal(list[1].id, byname);
  assert_string_equal(list[0].author_email, "BENALI.fan@example.ma");
  assert_string_equal(list[0].article_title, "ثان");
  q.q = "بنعلي";
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(list[0].id, bytext);
  /* A "%" is a percent sign, not every comment; "_" one underscore. */
  q.q = "0%";
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(list[0].id, percent);
  q.q = "%";
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_OK);
  assert_int_equal(n, 1);
  q.q = "_";
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_OK);
  assert_int_equal(n, 0);

  /* Filters combine: a status, an article, and paging by the last one. */
  q.q = "";
  q.status = STORE_COMMENT_PENDING;
  q.article_id = a1;
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, byname);
  assert_int_equal(list[1].id, old);
  q.limit = 1;
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_OK);
  assert_int_equal(n, 1);
  q.before_id = list[0].id;
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(list[0].id, old);
  q.before_id = old;
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_OK);
  assert_int_equal(n, 0);

  int64_t counts[3];
  assert_int_equal(store_comment_status_counts(f->s, 1000, counts), NB_OK);
  assert_int_equal(counts[STORE_COMMENT_PENDING], 2);
  assert_int_equal(counts[STORE_COMMENT_APPROVED], 1);
  assert_int_equal(counts[STORE_COMMENT_SPAM], 2);
  assert_int_equal(store_comment_status_counts(f->s, 1, counts), NB_OK);
  assert_int_equal(counts[STORE_COMMENT_PENDING], 2); /* "1+" */
  assert_int_equal(counts[STORE_COMMENT_APPROVED], 1);

  char longq[STORE_COMMENT_QUERY_MAX + 2];
  memset(longq, 'a', sizeof longq - 1);
  longq[sizeof longq - 1] = '\0';
  q = (store_comment_filter){.status = -1, .limit = 50, .q = longq};
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_EINVAL);
  q = (store_comment_filter){.status = 7, .limit = 50};
  assert_int_equal(store_comments_find(f->s, &f->a, &q, &list, &n), NB_EINVAL);
}

static void
approving_and_spamming_record_the_article_comments_tag(void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر"), h;
  store_comment c = comment(art, "نص", STORE_COMMENT_PENDING, 0), got;
  char want[64];

  add(f->s, &c);
  snprintf(want, sizeof want, "comments:%lld", (long long)art);

  h = head(f->s);
  assert_int_equal(store_comment_set_status(f->s, c.id, STORE_COMMENT_APPROVED),
                   NB_OK);
  assert_string_equal(tags_since(f, h), want);
  assert_int_equal(store_comment_by_id(f->s, &f->a, c.id, &got), NB_OK);
  assert_int_equal(got.status, STORE_COMMENT_APPROVED);

  h = head(f->s);
  assert_int_equal(store_comment_set_status(f->s, c.id, STORE_COMMENT_APPROVED),
                   NB_OK);
  assert_string_equal(tags_since(f, h), ""); /* already approved */
  assert_int_equal(store_comment_set_status(f->s, c.id, STORE_COMMENT_SPAM),
                   NB_OK);
  assert_string_equal(tags_since(f, h), want);

  /* Spam back to pending: no public page shows either. */
  h = head(f->s);
  assert_int_equal(store_comment_set_status(f->s, c.id, STORE_COMMENT_PENDING),
                   NB_OK);
  assert_string_equal(tags_since(f, h), "");
  assert_int_equal(store_comment_by_id(f->s, &f->a, c.id, &got), NB_OK);
  assert_int_equal(got.status, STORE_COMMENT_PENDING);

  assert_int_equal(store_comment_set_status(f->s, c.id, 3), NB_EINVAL);
  assert_int_equal(
      store_comment_set_status(f->s, c.id + 100, STORE_COMMENT_APPROVED),
      NB_ENOTFOUND);
  assert_string_equal(tags_since(f, h), "");
}

static void
deleting_a_comment_keeps_its_replies_under_its_parent(void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر"), top, mid, r1, r2, h;
  store_comment c, *list;
  char want[64];
  size_t n;

  c = comment(art, "أصل", STORE_COMMENT_APPROVED, 100);
  top = add(f->s, &c);
  c = comment(art, "رد", STORE_COMMENT_APPROVED, 200);
  c.parent_id = top;
  mid = add(f->s, &c);
  c = comment(art, "رد على الرد ١", STORE_COMMENT_APPROVED, 300);
  c.parent_id = mid;
  r1 = add(f->s, &c);
  c = comment(art, "رد على الرد ٢", STORE_COMMENT_PENDING, 400);
  c.parent_id = mid;
  r2 = add(f->s, &c);
  snprintf(want, sizeof want, "comments:%lld", (long long)art);

  h = head(f->s);
  assert_int_equal(store_comment_delete(f->s, mid), NB_OK);
  assert_string_equal(tags_since(f, h), want);
  assert_int_equal(parent_of(f, r1), top);
  assert_int_equal(parent_of(f, r2), top);
  assert_int_equal(store_comment_delete(f->s, mid), NB_ENOTFOUND);

  assert_int_equal(store_comment_delete(f->s, top), NB_OK);
  assert_int_equal(parent_of(f, r1), 0);
  assert_int_equal(parent_of(f, r2), 0);
  assert_int_equal(
      store_comments_for_article(f->s, &f->a, art, &r2, 1, &list, &n), NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(list[0].id, r1);
  assert_int_equal(list[1].id, r2);
}

static void
deleting_a_hidden_comment_records_a_tag_only_if_it_moves_an_approved_reply(
    void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر"), h;
  store_comment c, a, b;
  char want[64];

  snprintf(want, sizeof want, "comments:%lld", (long long)art);
  c = comment(art, "بانتظار", STORE_COMMENT_PENDING, 0);
  add(f->s, &c);
  h = head(f->s);
  assert_int_equal(store_comment_delete(f->s, c.id), NB_OK);
  assert_string_equal(tags_since(f, h), "");

  c = comment(art, "مزعج", STORE_COMMENT_SPAM, 0);
  add(f->s, &c);
  a = comment(art, "رد بانتظار", STORE_COMMENT_PENDING, 0);
  a.parent_id = c.id;
  add(f->s, &a);
  h = head(f->s);
  assert_int_equal(store_comment_delete(f->s, c.id), NB_OK);
  assert_string_equal(tags_since(f, h), "");

  c = comment(art, "مزعج آخر", STORE_COMMENT_SPAM, 0);
  add(f->s, &c);
  b = comment(art, "رد مقبول", STORE_COMMENT_APPROVED, 0);
  b.parent_id = c.id;
  add(f->s, &b);
  h = head(f->s);
  assert_int_equal(store_comment_delete(f->s, c.id), NB_OK);
  assert_string_equal(tags_since(f, h), want); /* b is now top level */
  assert_int_equal(parent_of(f, b.id), 0);
}

static void
counts_cover_only_approved_comments_and_missing_ids_are_zero(void **state) {
  fixture *f = *state;
  int64_t a1 = commentable(f->s, "أول"), a2 = commentable(f->s, "ثان");
  int64_t ids[4], counts[4] = {-1, -1, -1, -1};
  store_comment c;

  c = comment(a1, "١", STORE_COMMENT_APPROVED, 0);
  add(f->s, &c);
  c = comment(a1, "٢", STORE_COMMENT_APPROVED, 0);
  add(f->s, &c);
  c = comment(a1, "٣", STORE_COMMENT_PENDING, 0);
  add(f->s, &c);
  c = comment(a2, "٤", STORE_COMMENT_SPAM, 0);
  add(f->s, &c);

  ids[0] = a1;
  ids[1] = a2;
  ids[2] = 99999;
  ids[3] = a1; /* a list may name an article twice */
  assert_int_equal(store_comment_counts(f->s, ids, 4, counts), NB_OK);
  assert_int_equal(counts[0], 2);
  assert_int_equal(counts[1], 0);
  assert_int_equal(counts[2], 0);
  assert_int_equal(counts[3], 2);
  assert_int_equal(store_comment_counts(f->s, NULL, 0, NULL), NB_OK);
}

static void known_commenter_needs_an_approved_comment_with_same_name_and_email(
    void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر");
  store_comment c = comment(art, "نص", STORE_COMMENT_PENDING, 0);
  int known = -1;

  c.author_name = "Sara B";
  c.author_email = "Sara@Example.MA";
  add(f->s, &c);
  assert_int_equal(
      store_commenter_known(f->s, "Sara B", "Sara@Example.MA", &known), NB_OK);
  assert_int_equal(known, 0); /* still pending */

  assert_int_equal(store_comment_set_status(f->s, c.id, STORE_COMMENT_APPROVED),
                   NB_OK);
  assert_int_equal(
      store_commenter_known(f->s, "sara b", "sara@example.ma", &known), NB_OK);
  assert_int_equal(known, 1);
  assert_int_equal(
      store_commenter_known(f->s, "Sara", "sara@example.ma", &known), NB_OK);
  assert_int_equal(known, 0);
  assert_int_equal(
      store_commenter_known(f->s, "Sara B", "sara@example.com", &known), NB_OK);
  assert_int_equal(known, 0);

  /* Arabic names have no case: they match exactly. */
  c = comment(art, "نص آخر", STORE_COMMENT_APPROVED, 0);
  add(f->s, &c);
  assert_int_equal(
      store_commenter_known(f->s, "سارة", "SARA@example.ma", &known), NB_OK);
  assert_int_equal(known, 1);
  assert_int_equal(
      store_commenter_known(f->s, "ساره", "sara@example.ma", &known), NB_OK);
  assert_int_equal(known, 0);

  /* The same comment spammed later no longer vouches for its author. */
  assert_int_equal(store_comment_set_status(f->s, c.id, STORE_COMMENT_SPAM),
                   NB_OK);
  assert_int_equal(
      store_commenter_known(f->s, "سارة", "sara@example.ma", &known), NB_OK);
  assert_int_equal(known, 0);
}

static void
rate_counter_counts_comments_from_a_client_since_a_time(void **state) {
  fixture *f = *state;
  int64_t art = commentable(f->s, "خبر"), n = -1;
  store_comment c;

  c = comment(art, "١", STORE_COMMENT_APPROVED, 1000);
  add(f->s, &c);
  c = comment(art, "٢", STORE_COMMENT_PENDING, 1100);
  add(f->s, &c);
  c = comment(art, "٣", STORE_COMMENT_SPAM, 1200);
  add(f->s, &c);
  c = comment(art, "٤", STORE_COMMENT_PENDING, 1150);
  c.client = "2001:db8::1";
  add(f->s, &c);

  assert_int_equal(store_comments_from_client(f->s, "203.0.113.5", 1100, &n),
                   NB_OK);
  assert_int_equal(n, 2); /* any status; from the given time on */
  assert_int_equal(store_comments_from_client(f->s, "203.0.113.5", 0, &n),
                   NB_OK);
  assert_int_equal(n, 3);
  assert_int_equal(store_comments_from_client(f->s, "203.0.113.5", 1201, &n),
                   NB_OK);
  assert_int_equal(n, 0);
  assert_int_equal(store_comments_from_client(f->s, "2001:db8::1", 0, &n),
                   NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(store_comments_from_client(f->s, "198.51.100.1", 0, &n),
                   NB_OK);
  assert_int_equal(n, 0);
}

static void
comments_state_round_trips_and_missing_article_is_not_found(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة"), h;
  store_article a = article(sec, "خبر", 0), draft = article(sec, "مسودة", 0);
  int st = 7;
  char want[64];

  save(f->s, &a, "wxr:1");
  draft.status = STORE_DRAFT;
  save(f->s, &draft, NULL);
  assert_int_equal(store_article_comments_get(f->s, a.id, &st), NB_OK);
  assert_int_equal(st, -1); /* follows the site setting */

  h = head(f->s);
  assert_int_equal(store_article_comments_set(f->s, a.id, 1), NB_OK);
  snprintf(want, sizeof want, "article:%lld", (long long)a.id);
  assert_string_equal(tags_since(f, h), want);
  assert_int_equal(store_article_comments_get(f->s, a.id, &st), NB_OK);
  assert_int_equal(st, 1);

  /* Importing the article again keeps the editor's choice. */
  a = article(sec, "خبر معدل", 0);
  save(f->s, &a, "wxr:1");
  assert_int_equal(store_article_comments_get(f->s, a.id, &st), NB_OK);
  assert_int_equal(st, 1);

  assert_int_equal(store_article_comments_set(f->s, draft.id, 0), NB_OK);
  assert_int_equal(store_article_comments_get(f->s, draft.id, &st), NB_OK);
  assert_int_equal(st, 0);
  assert_int_equal(store_article_comments_set(f->s, a.id, -1), NB_OK);
  assert_int_equal(store_article_comments_get(f->s, a.id, &st), NB_OK);
  assert_int_equal(st, -1);

  h = head(f->s);
  assert_int_equal(store_article_comments_set(f->s, a.id, 2), NB_EINVAL);
  assert_int_equal(store_article_comments_set(f->s, 99999, 1), NB_ENOTFOUND);
  assert_int_equal(store_article_comments_get(f->s, 99999, &st), NB_ENOTFOUND);
  assert_string_equal(tags_since(f, h), "");
}

static void migration_002_applies_on_a_database_made_by_001(void **state) {
  fixture *f = *state;
  char path[400], err[256];
  store *s = NULL;
  store_comment c;
  int st = 7;
  sqlite3 *db;

  /* A database as a program that knew only 001 left it, with an article. */
  assert_true(store_migrations_count >= 2);
  assert_string_equal(store_migrations[0].name, "001_init.sql");
  assert_string_equal(store_migrations[1].name, "002_comments.sql");
  snprintf(path, sizeof path, "%s/old.db", f->dir);
  assert_int_equal(sqlite3_open_v2(path, &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                   NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, store_migrations[0].data, NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db,
                   "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
                   " name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;"
                   "INSERT INTO schema_version VALUES (1, '001_init.sql', 1);"
                   "INSERT INTO sections VALUES (1, 'سياسة', 'politics', 1);"
                   "INSERT INTO articles (id, section_id, title, slug, status,"
                   " published_at, updated_at, created_at) VALUES"
                   " (7, 1, 'خبر قديم', 'old', 1, 1, 1, 1);",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);

  assert_int_equal(store_open(path, 0, &s, err, sizeof err), NB_OK);
  assert_int_equal(sql_i64(path, "SELECT count(*) FROM schema_version"),
                   (int64_t)store_migrations_count);
  assert_int_equal(sql_i64(path, "SELECT max(version) FROM schema_version"),
                   latest_migration());
  assert_int_equal(sql_i64(path, "SELECT count(*) FROM sqlite_schema WHERE "
                                 "type = 'table' AND name = 'comments'"),
                   1);
  assert_int_equal(sql_i64(path, "SELECT count(*) FROM pragma_table_info("
                                 "'articles') WHERE name = 'comments_state'"),
                   1);
  assert_int_equal(store_article_comments_get(s, 7, &st), NB_OK);
  assert_int_equal(st, -1);
  c = comment(7, "تعليق على خبر قديم", STORE_COMMENT_APPROVED, 0);
  add(s, &c);
  store_close(s);

  /* A fresh database gets both, and the new invariants hold. */
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM schema_version"),
                   (int64_t)store_migrations_count);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM pragma_table_info("
                                    "'articles') WHERE name = "
                                    "'comments_state'"),
                   1);
  assert_int_equal(
      sql_i64(path, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

/* ---- transactions ---- */

static void rollback_leaves_no_article_and_no_change(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  int64_t h = head(f->s);
  store_article a = article(sec, "خبر", 0);

  assert_int_equal(store_begin(f->s), NB_OK);
  save(f->s, &a, "k1");
  section(f->s, "اقتصاد", "economy");
  assert_int_equal(store_rollback(f->s), NB_OK);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM articles"), 0);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM sections"), 1);
  assert_int_equal(head(f->s), h);
  assert_string_equal(tags_since(f, h), "");

  a = article(sec, "خبر", 0);
  assert_int_equal(store_begin(f->s), NB_OK);
  save(f->s, &a, "k1");
  assert_int_equal(store_commit(f->s), NB_OK);
  assert_int_equal(count(f->s, 0), 1);
  assert_int_equal(store_rollback(f->s), NB_EINVAL); /* none open */
}

static void
failed_write_inside_a_transaction_keeps_earlier_writes(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  int64_t h = head(f->s);
  store_article a = article(sec, "خبر", 0), bad = article(9999, "خبر", 0);

  assert_int_equal(store_begin(f->s), NB_OK);
  save(f->s, &a, "k1");
  assert_int_equal(store_article_save(f->s, &bad, "k2", NULL), NB_EINVAL);
  assert_int_equal(store_commit(f->s), NB_OK);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM articles"), 1);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM changes WHERE tag "
                                    "= 'section:9999'"),
                   0);
  assert_true(head(f->s) > h);
}

static void nested_transactions_roll_back_only_the_inner_one(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "أول", 0), b = article(sec, "ثان", 0);

  assert_int_equal(store_begin(f->s), NB_OK);
  save(f->s, &a, NULL);
  assert_int_equal(store_begin(f->s), NB_OK);
  save(f->s, &b, NULL);
  assert_int_equal(store_rollback(f->s), NB_OK);
  assert_int_equal(store_commit(f->s), NB_OK);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM articles"), 1);
  assert_int_equal(store_commit(f->s), NB_EINVAL); /* none open */
}

static void readers_see_a_transaction_only_once_committed(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store *other = NULL;
  char err[256];
  store_article a = article(sec, "خبر", 0);

  assert_int_equal(store_open(f->path, 0, &other, err, sizeof err), NB_OK);
  assert_int_equal(store_begin(f->s), NB_OK);
  assert_int_equal(count(other, 0), 0);
  save(f->s, &a, NULL);
  assert_int_equal(count(other, 0), 0); /* not committed yet */
  assert_int_equal(store_commit(f->s), NB_OK);
  assert_int_equal(count(other, 0), 1);
  store_close(other);
}

/* ---- search ---- */

/* SQL on a separate raw connection that can open the search index. */
static void sql_exec_fts(const char *path, const char *sql) {
  sqlite3 *db;

  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                   SQLITE_OK);
  assert_int_equal(store_fts5_register(db), NB_OK);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

/* What a reader typing q finds: the ids, best first, as "3 1 2"; *hits
 * (may be NULL) gets the hits themselves, *total the total. */
static const char *search_ids(fixture *f, const char *q, int64_t section_id,
                              int64_t offset, int64_t limit, store_hit **hits,
                              int64_t *total) {
  static char out[256];
  search_query sq;
  store_hit *h = NULL;
  size_t n = 0;
  int64_t t = -1;

  out[0] = '\0';
  assert_int_equal(search_parse(q, strlen(q), &f->a, &sq), NB_OK);
  assert_true(sq.nterms > 0);
  assert_int_equal(
      store_search(f->s, &f->a, &sq, section_id, offset, limit, &h, &n, &t),
      NB_OK);
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(out);
    snprintf(out + len, sizeof out - len, "%s%lld", i ? " " : "",
             (long long)h[i].article.id);
    assert_null(h[i].article.body_html);
    assert_non_null(h[i].title_html);
    assert_non_null(h[i].snippet_html);
  }
  if (hits)
    *hits = h;
  if (total)
    *total = t;
  return out;
}

static const char *find(fixture *f, const char *q) {
  return search_ids(f, q, 0, 0, 20, NULL, NULL);
}

/* Articles that fill the index with other words, so that bm25 finds the
 * searched ones rare enough to weigh them. */
static void filler(fixture *f, int64_t sec, int n) {
  for (int i = 0; i < n; i++) {
    store_article a = article(sec, "خبر عادي", 1000 + i);
    a.body_html = "<p>نص عادي عن أمور أخرى</p>";
    save(f->s, &a, NULL);
  }
}

static void saved_articles_are_found_by_variant_spellings(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "الحكومة الإسرائيلية تعلن موقفها", 0);
  store_article b = article(sec, "تقرير", 0);
  store_hit *hits;
  const char *ids;
  int64_t total;
  int i;

  b.body_html = "<p>قالت مصادر إن <b>إسرائيل</b> رفضت.</p>";
  save(f->s, &a, NULL);
  save(f->s, &b, NULL);
  filler(f, sec, 5);
  /* Which comes first depends on lengths: the exact form in a body, or
   * a variant in a title. */
  ids = search_ids(f, "اسرائيل", 0, 0, 20, &hits, &total);
  assert_true(strcmp(ids, "1 2") == 0 || strcmp(ids, "2 1") == 0);
  assert_int_equal(total, 2);
  i = hits[0].article.id == 1 ? 0 : 1;
  assert_string_equal(hits[i].title_html,
                      "الحكومة <mark>الإسرائيلية</mark> تعلن موقفها");
  assert_non_null(strstr(hits[1 - i].snippet_html, "<mark>إسرائيل</mark>"));
  assert_true(hits[0].score > 0);
  assert_string_equal(hits[0].article.section_name, "سياسة");
  ids = find(f, "الاسرائيليه");
  assert_true(strcmp(ids, "1 2") == 0 || strcmp(ids, "2 1") == 0);
  assert_string_equal(find(f, "إسرائيل -الحكومة"), "2");
  assert_string_equal(find(f, "حكومه"), "1");

  /* An edit replaces the indexed words. */
  a.title = "عنوان جديد";
  save(f->s, &a, NULL);
  assert_string_equal(find(f, "الحكومة"), "");
  assert_string_equal(find(f, "جديد"), "1");
  assert_int_equal(
      sql_i64(f->path, "SELECT count(*) FROM articles_fts_docsize"), 7);
}

static void title_matches_rank_above_body_only_matches(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "اقتصاد", "economy");
  store_article body_only = article(sec, "خبر اليوم", 5000);
  store_article in_title = article(sec, "المغرب اليوم", 1000);

  /* The body-only one is newer: relevance comes first. */
  body_only.body_html = "<p>المغرب نص نص</p>";
  in_title.body_html = "<p>نص نص نص</p>";
  save(f->s, &body_only, NULL);
  save(f->s, &in_title, NULL);
  filler(f, sec, 6);
  assert_string_equal(find(f, "المغرب"), "2 1");
}

static void exact_forms_rank_above_stem_only_matches(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "رياضة", "sport");
  store_article exact = article(sec, "المنتخب المغربي يفوز", 1000);
  store_article stem = article(sec, "منتخب المغرب يفوز", 5000);

  /* Same length, same place; the stem-only one is newer. */
  save(f->s, &exact, NULL);
  save(f->s, &stem, NULL);
  filler(f, sec, 6);
  assert_string_equal(find(f, "المغربي"), "1 2");
  assert_string_equal(find(f, "المغرب"), "2 1");
}

static void equally_relevant_articles_come_newest_first(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "اقتصاد", "economy");
  store_article old = article(sec, "ميناء طنجة المتوسط", 1000);
  store_article mid = article(sec, "ميناء طنجة المتوسط", 3000);
  store_article new = article(sec, "ميناء طنجة المتوسط", 5000);
  store_hit *hits;
  int64_t total;

  save(f->s, &old, NULL);
  save(f->s, &new, NULL);
  save(f->s, &mid, NULL);
  filler(f, sec, 6);
  assert_string_equal(find(f, "طنجة"), "2 3 1");
  /* Pages follow the same order, and the total counts all. */
  assert_string_equal(search_ids(f, "طنجة", 0, 1, 1, &hits, &total), "3");
  assert_int_equal(total, 3);
  assert_string_equal(search_ids(f, "طنجة", 0, 2, 5, &hits, &total), "1");
  assert_int_equal(total, 3);
  assert_string_equal(search_ids(f, "طنجة", 0, 9, 5, &hits, &total), "");
  assert_int_equal(total, 3);
  assert_string_equal(search_ids(f, "طنجة", 0, 0, 0, &hits, &total), "");
  assert_int_equal(total, 3);
}

static void drafts_and_scheduled_articles_are_not_found(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article draft = article(sec, "مسودة عن الانتخابات", 0);
  store_article later = article(sec, "الانتخابات غدا", nb_now() + 3600);
  int64_t total;

  draft.status = STORE_DRAFT;
  save(f->s, &draft, NULL);
  save(f->s, &later, NULL);
  filler(f, sec, 3);
  assert_string_equal(search_ids(f, "الانتخابات", 0, 0, 20, NULL, &total), "");
  assert_int_equal(total, 0);
  /* Indexed all along: publishing is enough. */
  draft.status = STORE_PUBLISHED;
  save(f->s, &draft, NULL);
  assert_string_equal(search_ids(f, "الانتخابات", 0, 0, 20, NULL, &total), "1");
  assert_int_equal(total, 1);
}

static void search_in_a_section_finds_only_its_articles(void **state) {
  fixture *f = *state;
  int64_t pol = section(f->s, "سياسة", "سياسة");
  int64_t eco = section(f->s, "اقتصاد", "economy");
  store_article a = article(pol, "ميزانية الدولة", 1000);
  store_article b = article(eco, "ميزانية الشركات", 2000);
  int64_t total;

  save(f->s, &a, NULL);
  save(f->s, &b, NULL);
  filler(f, pol, 3);
  assert_string_equal(find(f, "ميزانية"), "2 1");
  assert_string_equal(search_ids(f, "ميزانية", eco, 0, 20, NULL, &total), "2");
  assert_int_equal(total, 1);
  assert_string_equal(search_ids(f, "ميزانية", pol, 0, 20, NULL, &total), "1");
}

static void phrases_with_stop_words_match_only_adjacent_words(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "زيارة وزير الدفاع في إسرائيل", 0);
  store_article b = article(sec, "وزير الدفاع يزور الرباط", 0);
  store_hit *hits;

  b.body_html = "<p>قال في بيان إن إسرائيل شريك</p>";
  save(f->s, &a, NULL);
  save(f->s, &b, NULL);
  filler(f, sec, 3);
  /* Both hold every word; only the first has them side by side. */
  assert_string_equal(
      search_ids(f, "\"الدفاع في إسرائيل\"", 0, 0, 20, &hits, NULL), "1");
  assert_string_equal(hits[0].title_html,
                      "زيارة وزير <mark>الدفاع في إسرائيل</mark>");
  assert_string_equal(find(f, "\"في إسرائيل\""), "1");
  assert_string_equal(find(f, "\"إسرائيل في\""), "");
  assert_string_equal(find(f, "\"في بيان\""), "2");
  /* Across the end of the title and the start of the body: no phrase. */
  assert_string_equal(find(f, "\"الرباط قال\""), "");
  /* Excluded the same way. */
  assert_string_equal(find(f, "الدفاع -\"في إسرائيل\""), "2");
}

static void snippet_marks_matches_and_escapes_body_text(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "عنوان <b>\"مهم\"</b> & خطير", 0);
  store_hit *hits;

  a.body_html = "<p>قبل &lt;script&gt;alert(1)&lt;/script&gt; البرلمان "
                "<i>بعد</i></p><p>ثم</p>";
  save(f->s, &a, NULL);
  filler(f, sec, 3);
  assert_string_equal(search_ids(f, "البرلمان", 0, 0, 20, &hits, NULL), "1");
  assert_string_equal(hits[0].snippet_html,
                      "قبل &lt;script&gt;alert(1)&lt;/script&gt; "
                      "<mark>البرلمان</mark> بعد\nثم");
  assert_null(strstr(hits[0].snippet_html, "<script"));
  assert_string_equal(hits[0].title_html,
                      "عنوان &lt;b&gt;&quot;مهم&quot;&lt;/b&gt; &amp; خطير");
  assert_string_equal(search_ids(f, "مهم", 0, 0, 20, &hits, NULL), "1");
  assert_string_equal(hits[0].title_html,
                      "عنوان &lt;b&gt;&quot;<mark>مهم</mark>&quot;&lt;/b&gt; "
                      "&amp; خطير");
}

static void bad_match_expression_is_refused_not_fatal(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "خبر", 0);
  store_hit *hits = NULL;
  size_t n = 9;
  int64_t total = 9;

  search_alt alt = {"\"unbalanced", SEARCH_EXACT, 0};
  search_term term = {.typed = "x", .alts = &alt, .nalts = 1};
  search_query bad = {.terms = &term, .nterms = 1, .nwords = 1, .nalts = 1};

  save(f->s, &a, NULL);
  assert_int_equal(store_search(f->s, &f->a, &bad, 0, 0, 20, &hits, &n, &total),
                   NB_EINVAL);
  assert_int_equal(n, 0);
  assert_int_equal(total, 0);
  alt.phrase = "AND OR";
  assert_int_equal(store_search(f->s, &f->a, &bad, 0, 0, 20, &hits, &n, &total),
                   NB_EINVAL);
  /* A bad exclusion fails in the walk, the same way. */
  alt.phrase = "\"x\"";
  bad.exclude = "(\"unbalanced)";
  assert_int_equal(store_search(f->s, &f->a, &bad, 0, 0, 20, &hits, &n, &total),
                   NB_EINVAL);
  bad.exclude = NULL;
  bad.nterms = 0;
  assert_int_equal(store_search(f->s, &f->a, &bad, 0, 0, 20, &hits, &n, &total),
                   NB_EINVAL);
  assert_int_equal(store_search(f->s, &f->a, NULL, 0, 0, 20, &hits, &n, &total),
                   NB_EINVAL);
  bad.nterms = 1;
  assert_int_equal(
      store_search(f->s, &f->a, &bad, 0, -1, 20, &hits, &n, &total), NB_EINVAL);
  /* The connection is still fine. */
  assert_string_equal(find(f, "خبر"), "1");
}

static void reindex_restores_a_lost_or_dropped_index(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "المجلس البلدي", 0);
  store_hit *hits;
  search_query sq;
  int64_t n = -1, total;
  size_t nh;
  char err[256];

  save(f->s, &a, NULL);
  filler(f, sec, 3);
  assert_string_equal(find(f, "المجلس"), "1");

  sql_exec_fts(f->path, "DELETE FROM articles_fts");
  assert_string_equal(find(f, "المجلس"), "");
  assert_int_equal(store_reindex(f->s, &n), NB_OK);
  assert_int_equal(n, 4);
  assert_string_equal(find(f, "المجلس"), "1");

  /* Dropped by hand: searching fails cleanly until the reindex. */
  sql_exec_fts(f->path, "DROP TABLE articles_fts");
  assert_int_equal(search_parse("المجلس", strlen("المجلس"), &f->a, &sq), NB_OK);
  assert_int_not_equal(
      store_search(f->s, &f->a, &sq, 0, 0, 20, &hits, &nh, &total), NB_OK);
  assert_int_equal(store_reindex(f->s, &n), NB_OK);
  assert_int_equal(n, 4);
  assert_string_equal(find(f, "المجلس"), "1");
  /* Saves after a reindex still index. */
  a.title = "المجلس البلدي يجتمع";
  save(f->s, &a, NULL);
  assert_string_equal(find(f, "يجتمع"), "1");

  /* Opening fills an index that lacks articles. */
  store_close(f->s);
  f->s = NULL;
  sql_exec_fts(f->path, "DELETE FROM articles_fts WHERE rowid = 1");
  assert_int_equal(store_open(f->path, 0, &f->s, err, sizeof err), NB_OK);
  assert_string_equal(find(f, "يجتمع"), "1");

  /* Inside the caller's transaction, a reindex is undone with it. */
  assert_int_equal(store_begin(f->s), NB_OK);
  assert_int_equal(store_reindex(f->s, &n), NB_OK);
  assert_int_equal(store_rollback(f->s), NB_OK);
  assert_string_equal(find(f, "يجتمع"), "1");
}

static void
a_bare_prefix_letter_goes_unless_the_word_is_commoner(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "مجتمع", "مجتمع");
  store_article a = article(sec, "ارتفاع عدد المواليد هذا العام", 0);
  store_article b = article(sec, "وزير الصحة يزور المستشفى", 0);
  store_article c = article(sec, "الزير الفخاري في متحف الرباط", 0);
  store_article d = article(sec, "وزير النقل في طنجة", 0);

  save(f->s, &a, NULL);
  save(f->s, &b, NULL);
  save(f->s, &c, NULL);
  save(f->s, &d, NULL);
  filler(f, sec, 3);
  /* بمواليد, ومواليد are in no article; مواليد is, as المواليد. */
  assert_string_equal(find(f, "بمواليد"), "1");
  assert_string_equal(find(f, "ومواليد"), "1");
  assert_string_equal(find(f, "وللمواليد"), "1");
  /* وزير is commoner than زير: its و stays, and the jar (زير) is not
   * found; nor does زير find a minister (ووزير, with a و put back, would
   * be rarer than زير; وزير is not). */
  assert_string_equal(find(f, "وزير"), "4 2");
  assert_string_equal(find(f, "زير"), "3");
  /* Neither the word nor the rest is known: nothing, no error. */
  assert_string_equal(find(f, "بمخطوطات"), "");
}

static void tags_and_lists_follow_articles(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "اقتصاد", "economy");
  int64_t by = author(f->s, "سلمى", "salma");
  int64_t energy, wind, n;
  store_article a = article(sec, "محطة رياح", 1000);
  store_article b = article(sec, "ميناء طنجة", 2000);
  store_article later = article(sec, "غدا", nb_now() + 3600);
  store_article *xs;
  store_named who, *tags;
  size_t nx, nt;

  a.author_id = by;
  save(f->s, &a, NULL);
  save(f->s, &b, NULL);
  save(f->s, &later, NULL);
  assert_int_equal(store_tag_ensure(f->s, "طاقة", "طاقة", &energy), NB_OK);
  assert_int_equal(store_tag_ensure(f->s, "رياح", "wind", &wind), NB_OK);
  int64_t again;
  assert_int_equal(store_tag_ensure(f->s, "طاقة", "x", &again), NB_OK);
  assert_int_equal(again, energy);
  int64_t h = head(f->s);
  int64_t both[2] = {wind, energy};
  assert_int_equal(store_article_tags_set(f->s, a.id, both, 2), NB_OK);
  int64_t one[1] = {energy};
  assert_int_equal(store_article_tags_set(f->s, later.id, one, 1), NB_OK);
  char want[200];
  snprintf(want, sizeof want,
           "tag:%lld tag:%lld article:%lld feeds tag:%lld article:%lld feeds",
           (long long)wind, (long long)energy, (long long)a.id,
           (long long)energy, (long long)later.id);
  assert_string_equal(tags_since(f, h), want);

  /* By name, with slugs. */
  assert_int_equal(store_article_tags(f->s, &f->a, a.id, &tags, &nt), NB_OK);
  assert_int_equal(nt, 2);
  assert_string_equal(tags[0].name, "رياح");
  assert_string_equal(tags[0].slug, "wind");
  assert_string_equal(tags[1].name, "طاقة");

  /* A tag's list: the scheduled article is not there yet. */
  assert_int_equal(
      store_list_articles(f->s, &f->a, STORE_LIST_TAG, energy, 0, 10, &xs, &nx),
      NB_OK);
  assert_int_equal(nx, 1);
  assert_int_equal(xs[0].id, a.id);
  assert_non_null(xs[0].body_html);
  assert_string_equal(xs[0].author_slug, "salma");
  assert_int_equal(store_list_count(f->s, STORE_LIST_TAG, energy, &n), NB_OK);
  assert_int_equal(n, 1);
  /* An author's, the site's (newest first, paged). */
  assert_int_equal(store_list_count(f->s, STORE_LIST_AUTHOR, by, &n), NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(
      store_list_articles(f->s, &f->a, STORE_LIST_SITE, 0, 1, 10, &xs, &nx),
      NB_OK);
  assert_int_equal(nx, 1);
  assert_int_equal(xs[0].id, a.id);
  assert_int_equal(store_list_articles(f->s, &f->a, 9, 0, 0, 10, &xs, &nx),
                   NB_EINVAL);

  /* Untagging drops it from the tag, and records the tag it left. */
  h = head(f->s);
  assert_int_equal(store_article_tags_set(f->s, a.id, NULL, 0), NB_OK);
  snprintf(want, sizeof want, "tag:%lld tag:%lld article:%lld feeds",
           (long long)energy, (long long)wind, (long long)a.id);
  assert_string_equal(tags_since(f, h), want);
  assert_int_equal(store_list_count(f->s, STORE_LIST_TAG, energy, &n), NB_OK);
  assert_int_equal(n, 0);

  assert_int_equal(store_author_by_slug(f->s, &f->a, "salma", &who), NB_OK);
  assert_string_equal(who.name, "سلمى");
  assert_int_equal(store_tag_by_slug(f->s, &f->a, "wind", &who), NB_OK);
  assert_int_equal(who.id, wind);
  assert_int_equal(store_tag_by_slug(f->s, &f->a, "none", &who), NB_ENOTFOUND);
}

static void index_segments_merge_into_one_and_keep_every_article(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  int64_t segments, largest, pages, n;
  int untidy = 0, more = 1, steps = 0;

  /* Each save commits a segment of its own; FTS5 merges them only once
   * four pile up on a tier. */
  filler(f, sec, 6);
  store_article a = article(sec, "المجلس البلدي يجتمع", 0);
  save(f->s, &a, NULL);
  assert_int_equal(store_search_layout(f->s, &segments, &largest, &pages),
                   NB_OK);
  assert_true(segments > 1);
  assert_true(largest < pages);
  assert_int_equal(store_search_untidy(f->s, &untidy), NB_OK);
  assert_int_equal(untidy, 1);

  while (more) {
    assert_int_equal(store_search_merge(f->s, 1, &more), NB_OK);
    assert_true(++steps < 1000);
  }
  assert_true(steps > 1); /* one page per step: it took several */
  assert_int_equal(store_search_layout(f->s, &segments, &largest, &pages),
                   NB_OK);
  assert_int_equal(segments, 1);
  assert_int_equal(largest, pages);
  assert_int_equal(store_search_untidy(f->s, &untidy), NB_OK);
  assert_int_equal(untidy, 0);
  assert_string_equal(find(f, "المجلس"), "7");
  assert_string_equal(find(f, "عادي"), "6 5 4 3 2 1");
  assert_int_equal(store_search_merge(f->s, 0, &more), NB_EINVAL);

  /* A reindex leaves one segment too. */
  save(f->s, &a, NULL);
  assert_int_equal(store_reindex(f->s, &n), NB_OK);
  assert_int_equal(store_search_layout(f->s, &segments, &largest, &pages),
                   NB_OK);
  assert_int_equal(segments, 1);
  assert_string_equal(find(f, "يجتمع"), "7");
}

static void
search_index_is_filled_when_003_applies_to_old_articles(void **state) {
  fixture *f = *state;
  char path[400], err[256];
  fixture old = *f;
  sqlite3 *db;

  /* A database as a program that knew only 001 and 002 left it. */
  assert_true(store_migrations_count >= 3);
  assert_string_equal(store_migrations[2].name, "003_search.sql");
  snprintf(path, sizeof path, "%s/old.db", f->dir);
  assert_int_equal(sqlite3_open_v2(path, &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                   NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, store_migrations[0].data, NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, store_migrations[1].data, NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db,
                   "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
                   " name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;"
                   "INSERT INTO schema_version VALUES (1, '001_init.sql', 1),"
                   " (2, '002_comments.sql', 1);"
                   "INSERT INTO sections VALUES (1, 'سياسة', 'politics', 1);"
                   "INSERT INTO articles (id, section_id, title, slug,"
                   " body_html, status, published_at, updated_at, created_at)"
                   " VALUES (7, 1, 'خبر قديم', 'old',"
                   " '<p>زيارة <em>الوزير</em> إلى الرباط</p>', 1, 1, 1, 1),"
                   " (8, 1, 'خبر آخر', 'other', '<p>نص</p>', 1, 2, 2, 2),"
                   " (9, 1, 'خبر ثالث', 'third', '<p>نص</p>', 1, 3, 3, 3);",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);

  old.s = NULL;
  old.a = (arena_t){0};
  assert_int_equal(store_open(path, 0, &old.s, err, sizeof err), NB_OK);
  assert_int_equal(sql_i64(path, "SELECT count(*) FROM articles_fts_docsize"),
                   3);
  assert_string_equal(find(&old, "بالرباط"), "7");
  store_close(old.s);
  arena_free(&old.a);
}

/* ---- draft states (migration 009) ---- */

/* The draft state of article id as the export reads it. */
static const char *draft_state_of(fixture *f, int64_t id) {
  store_article *xs;
  size_t n = 0;

  assert_int_equal(store_articles_after(f->s, &f->a, id - 1, 1, &xs, &n),
                   NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(xs[0].id, id);
  assert_non_null(xs[0].draft_state);
  return xs[0].draft_state;
}

static void
a_drafts_state_is_read_back_and_replaced_by_every_update(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "خبر ينتظر المراجعة", 0);
  store_article b = article(sec, "مسودة عادية", 0);
  store_article pub;

  a.status = STORE_DRAFT;
  a.draft_state = STORE_DRAFT_PENDING;
  save(f->s, &a, "wxr:x#1");
  b.status = STORE_DRAFT;
  save(f->s, &b, NULL); /* draft_state NULL: an ordinary draft */
  assert_string_equal(draft_state_of(f, a.id), "pending");
  assert_string_equal(draft_state_of(f, b.id), "");

  /* An update writes the state it is given: kept when given again,
   * changed, and cleared by NULL or "". */
  a.id = 0;
  save(f->s, &a, "wxr:x#1");
  assert_string_equal(draft_state_of(f, a.id), "pending");
  a.draft_state = STORE_DRAFT_PRIVATE;
  save(f->s, &a, NULL);
  assert_string_equal(draft_state_of(f, a.id), "private");
  a.draft_state = NULL;
  save(f->s, &a, NULL);
  assert_string_equal(draft_state_of(f, a.id), "");
  a.draft_state = STORE_DRAFT_PENDING;
  save(f->s, &a, NULL);
  a.draft_state = "";
  save(f->s, &a, NULL);
  assert_string_equal(draft_state_of(f, a.id), "");

  /* Published, it has none, and reads for readers say so. */
  a.status = STORE_PUBLISHED;
  save(f->s, &a, NULL);
  assert_string_equal(draft_state_of(f, a.id), "");
  assert_int_equal(store_article_by_id(f->s, &f->a, a.id, &pub), NB_OK);
  assert_string_equal(pub.draft_state, "");
}

/* The newsroom sees every article, newest first, drafts with their state,
 * a page at a time. */
static void the_newsroom_list_holds_drafts_and_pages_back(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "منشور", 0);
  store_article b = article(sec, "مسودة للمراجعة", 0);
  store_article c = article(sec, "مجدول", 0);
  store_article *xs;
  size_t n = 0;

  save(f->s, &a, NULL);
  b.status = STORE_DRAFT;
  b.draft_state = STORE_DRAFT_PENDING;
  save(f->s, &b, NULL);
  c.published_at = 4102444800; /* 2100: not visible yet */
  save(f->s, &c, NULL);
  assert_int_equal(store_articles_newsroom(f->s, &f->a, 0, 2, &xs, &n), NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(xs[0].id, c.id);
  assert_int_equal(xs[1].id, b.id);
  assert_int_equal(xs[1].status, STORE_DRAFT);
  assert_string_equal(xs[1].draft_state, "pending");
  assert_null(xs[1].body_html);
  assert_int_equal(store_articles_newsroom(f->s, &f->a, b.id, 2, &xs, &n),
                   NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(xs[0].id, a.id);
  assert_string_equal(xs[0].draft_state, "");
}

static void
a_published_article_with_a_draft_state_is_refused_and_nothing_written(
    void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "سياسة", "سياسة");
  store_article a = article(sec, "خبر", 0);
  int64_t h = head(f->s);

  a.draft_state = STORE_DRAFT_PENDING; /* status is STORE_PUBLISHED */
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_EINVAL);
  assert_non_null(strstr(store_errmsg(f->s), "draft_state"));
  a.draft_state = STORE_DRAFT_PRIVATE;
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_EINVAL);
  a.status = STORE_DRAFT;
  a.draft_state = "review"; /* no such state */
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_EINVAL);
  assert_int_equal(a.id, 0);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM articles"), 0);
  assert_string_equal(tags_since(f, h), "");

  /* Publishing a pending draft without clearing its state is refused and
   * leaves it pending; the schema refuses it to any other writer too. */
  a.draft_state = STORE_DRAFT_PENDING;
  save(f->s, &a, NULL);
  a.status = STORE_PUBLISHED;
  assert_int_equal(store_article_save(f->s, &a, NULL, NULL), NB_EINVAL);
  assert_string_equal(draft_state_of(f, a.id), "pending");
  assert_int_equal(
      sql_i64(f->path, "SELECT count(*) FROM articles WHERE status = 0"), 1);
  sqlite3 *db;
  assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL),
                   SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db, "UPDATE articles SET status = 1", NULL, NULL, NULL),
      SQLITE_CONSTRAINT);
  assert_int_equal(sqlite3_exec(db,
                                "UPDATE articles SET status = 0,"
                                " draft_state = 'later'",
                                NULL, NULL, NULL),
                   SQLITE_CONSTRAINT);
  sqlite3_close(db);
}

static void
migrations_009_and_010_apply_to_a_database_made_by_008(void **state) {
  fixture *f = *state;
  char path[400], err[256];
  fixture old = *f;
  store_page *pages;
  size_t n = 0;
  sqlite3 *db;

  /* A database as a program that knew 001 to 008 left it. */
  assert_true(store_migrations_count >= 10);
  assert_string_equal(store_migrations[7].name, "008_pages.sql");
  assert_string_equal(store_migrations[8].name, "009_draft_state.sql");
  assert_string_equal(store_migrations[9].name, "010_page_menu.sql");
  snprintf(path, sizeof path, "%s/old.db", f->dir);
  assert_int_equal(sqlite3_open_v2(path, &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                   NULL),
                   SQLITE_OK);
  assert_int_equal(store_fts5_register(db), NB_OK);
  assert_int_equal(
      sqlite3_exec(db,
                   "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
                   " name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
                   NULL, NULL, NULL),
      SQLITE_OK);
  for (size_t i = 0; i < 8; i++) {
    char sql[128];
    assert_int_equal(
        sqlite3_exec(db, store_migrations[i].data, NULL, NULL, NULL),
        SQLITE_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO schema_version VALUES (%zu, '%s', 1)", i + 1,
             store_migrations[i].name);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  }
  assert_int_equal(
      sqlite3_exec(db,
                   "INSERT INTO sections (id, name, slug, position) VALUES"
                   " (1, 'سياسة', 'politics', 1);"
                   "INSERT INTO articles (id, section_id, title, slug, status,"
                   " published_at, updated_at, created_at) VALUES"
                   " (7, 1, 'خبر', 'news', 1, 1, 1, 1),"
                   " (8, 1, 'مسودة', 'draft', 0, 2, 2, 2);"
                   "INSERT INTO pages (id, parent_id, title, slug, status,"
                   " menu_order, updated_at, created_at) VALUES"
                   " (1, NULL, 'من نحن', 'about', 1, 2, 1, 1),"
                   " (2, NULL, 'اتصل بنا', 'contact', 1, 1, 1, 1),"
                   " (3, 1, 'فريق التحرير', 'team', 1, 0, 1, 1);",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);

  old.s = NULL;
  old.a = (arena_t){0};
  assert_int_equal(store_open(path, 0, &old.s, err, sizeof err), NB_OK);
  assert_int_equal(sql_i64(path, "SELECT max(version) FROM schema_version"),
                   latest_migration());
  /* Every article there before is an ordinary draft or published. */
  assert_string_equal(draft_state_of(&old, 7), "");
  assert_string_equal(draft_state_of(&old, 8), "");
  assert_int_equal(
      sql_i64(path, "SELECT count(*) FROM articles WHERE draft_state = ''"), 2);
  /* The menu reads its index. */
  assert_int_equal(sql_i64(path, "SELECT count(*) FROM sqlite_schema WHERE"
                                 " type = 'index' AND name ="
                                 " 'pages_by_parent'"),
                   1);
  assert_int_equal(store_pages_under(old.s, &old.a, 0, 20, &pages, &n), NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(pages[0].id, 2);
  assert_int_equal(pages[1].id, 1);
  store_close(old.s);
  arena_free(&old.a);
}

/* ---- static pages ---- */

static int64_t page_save(fixture *f, int64_t id, const char *title,
                         const char *slug, int status, int64_t menu_order,
                         const char *body) {
  store_page p = {.id = id,
                  .title = title,
                  .slug = slug,
                  .body_html = body,
                  .status = status,
                  .menu_order = menu_order};

  assert_int_equal(store_page_save(f->s, &p, NULL, NULL), NB_OK);
  assert_true(p.id > 0);
  return p.id;
}

/* A page keeps its draft state as an article does (migration 011); the
 * export reads it back; a published page with one is refused. */
static void a_pages_draft_state_is_kept_and_read_back(void **state) {
  fixture *f = *state;
  store_page p = {.title = "من نحن",
                  .slug = "about",
                  .body_html = "<p>نص</p>",
                  .status = STORE_PUBLISHED,
                  .draft_state = STORE_DRAFT_PENDING};
  assert_int_equal(store_page_save(f->s, &p, NULL, NULL), NB_EINVAL);
  assert_non_null(strstr(store_errmsg(f->s), "draft_state"));
  p.status = STORE_DRAFT;
  assert_int_equal(store_page_save(f->s, &p, NULL, NULL), NB_OK);
  arena_t a = {0};
  store_page *ps;
  size_t n;
  assert_int_equal(store_pages_after(f->s, &a, 0, 10, &ps, &n), NB_OK);
  assert_int_equal(n, 1);
  assert_string_equal(ps[0].draft_state, "pending");
  arena_free(&a);
  /* an update without one clears it */
  p.draft_state = NULL;
  assert_int_equal(store_page_save(f->s, &p, NULL, NULL), NB_OK);
  assert_int_equal(store_pages_after(f->s, &a, 0, 10, &ps, &n), NB_OK);
  assert_string_equal(ps[0].draft_state, "");
  arena_free(&a);
}

/* The ids of the published pages under parent, in order: "3 1 2". */
static const char *pages_under(fixture *f, int64_t parent, int64_t limit) {
  static char out[256];
  store_page *ps;
  size_t n = 0;

  assert_int_equal(store_pages_under(f->s, &f->a, parent, limit, &ps, &n),
                   NB_OK);
  out[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(out);
    snprintf(out + len, sizeof out - len, "%s%lld", i ? " " : "",
             (long long)ps[i].id);
    assert_null(ps[i].body_html); /* lists do not read bodies */
    assert_int_equal(ps[i].status, STORE_PUBLISHED);
    assert_int_equal(ps[i].parent_id, parent);
  }
  return out;
}

static void
menu_lists_published_top_level_pages_by_order_then_title(void **state) {
  fixture *f = *state;
  char want[64];
  int64_t about = page_save(f, 0, "من نحن", "about", STORE_PUBLISHED, 2, "");
  int64_t contact =
      page_save(f, 0, "اتصل بنا", "contact", STORE_PUBLISHED, 1, "");
  int64_t ads = page_save(f, 0, "إعلانات", "ads", STORE_PUBLISHED, 1, "");
  int64_t draft = page_save(f, 0, "شروط", "terms", STORE_DRAFT, 0, "");
  int64_t team =
      page_save(f, 0, "فريق التحرير", "team", STORE_PUBLISHED, 0, "");
  int64_t jobs = page_save(f, 0, "وظائف", "jobs", STORE_PUBLISHED, 5, "");

  assert_int_equal(store_page_set_parent(f->s, team, about), NB_OK);
  assert_int_equal(store_page_set_parent(f->s, jobs, about), NB_OK);
  assert_int_equal(store_page_set_parent(f->s, draft, about), NB_OK);
  /* Order 1 before 2; at the same order, by title (إعلانات < اتصل بنا). */
  snprintf(want, sizeof want, "%lld %lld %lld", (long long)ads,
           (long long)contact, (long long)about);
  assert_string_equal(pages_under(f, 0, 20), want);
  snprintf(want, sizeof want, "%lld %lld", (long long)ads, (long long)contact);
  assert_string_equal(pages_under(f, 0, 2), want);
  /* A page's published children, in the same order; the draft is not. */
  snprintf(want, sizeof want, "%lld %lld", (long long)team, (long long)jobs);
  assert_string_equal(pages_under(f, about, 20), want);
  assert_string_equal(pages_under(f, contact, 20), "");
  /* Back to the top level. */
  assert_int_equal(store_page_set_parent(f->s, jobs, 0), NB_OK);
  snprintf(want, sizeof want, "%lld %lld %lld %lld", (long long)ads,
           (long long)contact, (long long)about, (long long)jobs);
  assert_string_equal(pages_under(f, 0, 20), want);
}

static void
page_saves_record_the_menu_only_when_its_entry_changes(void **state) {
  fixture *f = *state;
  char want[64];
  int64_t h = head(f->s);
  int64_t about = page_save(f, 0, "من نحن", "about", STORE_PUBLISHED, 1, "");

  /* A new published page is in the menu. */
  snprintf(want, sizeof want, "page:%lld pages", (long long)about);
  assert_string_equal(tags_since(f, h), want);
  /* Its text is on its own page only; its title is in the menu. */
  h = head(f->s);
  page_save(f, about, "من نحن", "about", STORE_PUBLISHED, 1, "<p>نص</p>");
  snprintf(want, sizeof want, "page:%lld", (long long)about);
  assert_string_equal(tags_since(f, h), want);
  h = head(f->s);
  page_save(f, about, "عن الموقع", "about", STORE_PUBLISHED, 1, "<p>نص</p>");
  snprintf(want, sizeof want, "page:%lld pages", (long long)about);
  assert_string_equal(tags_since(f, h), want);
  h = head(f->s);
  page_save(f, about, "عن الموقع", "about", STORE_PUBLISHED, 3, "<p>نص</p>");
  assert_string_equal(tags_since(f, h), want);

  /* A draft is in no menu until it is published. */
  h = head(f->s);
  int64_t team = page_save(f, 0, "الفريق", "team", STORE_DRAFT, 0, "");
  page_save(f, team, "فريق التحرير", "team", STORE_DRAFT, 0, "");
  snprintf(want, sizeof want, "page:%lld page:%lld", (long long)team,
           (long long)team);
  assert_string_equal(tags_since(f, h), want);
  h = head(f->s);
  assert_int_equal(store_page_set_parent(f->s, team, about), NB_OK);
  snprintf(want, sizeof want, "page:%lld", (long long)team);
  assert_string_equal(tags_since(f, h), want);
  /* A child's entry is in its parent's list: "page:<parent>". */
  h = head(f->s);
  page_save(f, team, "فريق التحرير", "team", STORE_PUBLISHED, 0, "");
  snprintf(want, sizeof want, "page:%lld page:%lld", (long long)team,
           (long long)about);
  assert_string_equal(tags_since(f, h), want);
  h = head(f->s);
  page_save(f, team, "فريق التحرير", "team", STORE_DRAFT, 0, "");
  assert_string_equal(tags_since(f, h), want);
  page_save(f, team, "فريق التحرير", "team", STORE_PUBLISHED, 0, "");

  /* Moving a published page leaves one list for another. */
  h = head(f->s);
  assert_int_equal(store_page_set_parent(f->s, team, 0), NB_OK);
  snprintf(want, sizeof want, "page:%lld page:%lld pages", (long long)team,
           (long long)about);
  assert_string_equal(tags_since(f, h), want);
  h = head(f->s);
  assert_int_equal(store_page_set_parent(f->s, team, 0), NB_OK);
  assert_string_equal(tags_since(f, h), ""); /* already there */

  /* Unknown pages are not found and write nothing. */
  store_page p = {.id = 9999, .title = "x", .slug = "x"};
  assert_int_equal(store_page_save(f->s, &p, NULL, NULL), NB_ENOTFOUND);
  assert_int_equal(store_page_set_parent(f->s, 9999, about), NB_ENOTFOUND);
  assert_int_equal(store_page_set_parent(f->s, about, about), NB_EINVAL);
  p = (store_page){.title = NULL, .slug = "y"};
  assert_int_equal(store_page_save(f->s, &p, NULL, NULL), NB_EINVAL);
  assert_string_equal(tags_since(f, h), "");
}

/* ---- backup ---- */

/* dir/name into out. */
static const char *in_dir(fixture *f, const char *name, char *out, size_t n) {
  snprintf(out, n, "%s/%s", f->dir, name);
  return out;
}

static int exists(const char *path) {
  return access(path, F_OK) == 0;
}

/* Articles and comments, published, in a store. */
static void some_articles_with_comments(store *s, int n) {
  char title[32];

  for (int i = 0; i < n; i++) {
    snprintf(title, sizeof title, "خبر %d", i);
    int64_t art = commentable(s, title);
    store_comment c = comment(art, title, STORE_COMMENT_APPROVED, 0);
    add(s, &c);
  }
}

static void
backup_opens_as_a_store_with_the_same_articles_and_comments(void **state) {
  fixture *f = *state;
  char copy[400], tmp[420], err[256];
  store *b = NULL;
  struct stat st;
  int64_t n = -1;

  some_articles_with_comments(f->s, 5);
  in_dir(f, "copy.db", copy, sizeof copy);
  assert_int_equal(store_backup(f->s, copy, NULL, NULL), NB_OK);
  snprintf(tmp, sizeof tmp, "%s.tmp", copy);
  assert_false(exists(tmp));

  /* One self-contained file, whole, that only its owner can read. */
  assert_int_equal(sql_i64(copy, "SELECT count(*) FROM pragma_journal_mode "
                                 "WHERE journal_mode = 'delete'"),
                   1);
  assert_int_equal(sql_i64(copy, "SELECT count(*) FROM pragma_integrity_check"
                                 " WHERE integrity_check = 'ok'"),
                   1);
  assert_int_equal(stat(copy, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);

  assert_int_equal(store_open(copy, 1, &b, err, sizeof err), NB_OK);
  assert_int_equal(store_articles_count(b, 0, &n), NB_OK);
  assert_int_equal(n, 5);
  assert_int_equal(n, count(f->s, 0));
  assert_int_equal(sql_i64(copy, "SELECT count(*) FROM comments"), 5);
  assert_int_equal(sql_i64(copy, "SELECT count(*) FROM comments"),
                   sql_i64(f->path, "SELECT count(*) FROM comments"));
  store_close(b);
}

static void backup_over_an_existing_file_replaces_it(void **state) {
  fixture *f = *state;
  char copy[400], p[420];
  FILE *fp;

  in_dir(f, "copy.db", copy, sizeof copy);
  fp = fopen(copy, "w");
  assert_non_null(fp);
  fputs("yesterday's backup", fp);
  fclose(fp);
  /* Left by a backup that was killed: removed, never replayed. */
  snprintf(p, sizeof p, "%s.tmp", copy);
  sql_exec(p, "CREATE TABLE junk (x)");
  snprintf(p, sizeof p, "%s.tmp-journal", copy);
  fp = fopen(p, "w");
  assert_non_null(fp);
  fputs("not a journal", fp);
  fclose(fp);

  some_articles_with_comments(f->s, 2);
  assert_int_equal(store_backup(f->s, copy, NULL, NULL), NB_OK);
  assert_int_equal(sql_i64(copy, "SELECT count(*) FROM articles"), 2);
  assert_int_equal(sql_i64(copy, "SELECT count(*) FROM sqlite_schema WHERE "
                                 "name = 'junk'"),
                   0);
  some_articles_with_comments(f->s, 1);
  assert_int_equal(store_backup(f->s, copy, NULL, NULL), NB_OK);
  assert_int_equal(sql_i64(copy, "SELECT count(*) FROM articles"), 3);
  snprintf(p, sizeof p, "%s.tmp", copy);
  assert_false(exists(p));
  snprintf(p, sizeof p, "%s.tmp-journal", copy);
  assert_false(exists(p));
}

static void
backup_to_a_folder_or_an_unwritable_path_fails_and_leaves_no_tmp(void **state) {
  fixture *f = *state;
  char p[400], tmp[420];
  FILE *fp;

  some_articles_with_comments(f->s, 1);
  assert_int_equal(store_backup(f->s, f->dir, NULL, NULL), NB_EINVAL);
  assert_non_null(strstr(store_errmsg(f->s), "is a directory"));
  snprintf(tmp, sizeof tmp, "%s.tmp", f->dir);
  assert_false(exists(tmp));

  /* No such folder, and a file where a folder should be. */
  in_dir(f, "missing/copy.db", p, sizeof p);
  assert_int_equal(store_backup(f->s, p, NULL, NULL), NB_EIO);
  assert_non_null(strstr(store_errmsg(f->s), "copy.db.tmp: "));
  in_dir(f, "naba.db/copy.db", p, sizeof p);
  assert_int_equal(store_backup(f->s, p, NULL, NULL), NB_EIO);
  assert_non_null(strstr(store_errmsg(f->s), "Not a directory"));

  /* The database itself, and a database in use. */
  assert_int_equal(store_backup(f->s, f->path, NULL, NULL), NB_EINVAL);
  assert_non_null(strstr(store_errmsg(f->s), "being backed up"));
  in_dir(f, "other.db-wal", p, sizeof p);
  fp = fopen(p, "w");
  assert_non_null(fp);
  fclose(fp);
  in_dir(f, "other.db", p, sizeof p);
  assert_int_equal(store_backup(f->s, p, NULL, NULL), NB_EINVAL);
  assert_non_null(strstr(store_errmsg(f->s), "other.db-wal: exists"));
  assert_false(exists(p));
  snprintf(tmp, sizeof tmp, "%s.tmp", p);
  assert_false(exists(tmp));

  /* The store is still usable. */
  some_articles_with_comments(f->s, 1);
  assert_int_equal(count(f->s, 0), 2);
}

typedef struct {
  int calls;
  int last_remaining;
  int total;
  int stop_at;     /* return 1 on this call (1-based); 0: never */
  store *writer;   /* when set, saves an article on every call */
  int64_t section; /* of those articles */
} progress_log;

static int log_progress(void *ctx, int remaining, int total) {
  progress_log *l = ctx;

  /* Never restarted: the pages left only go down. */
  assert_true(total > 0);
  assert_true(remaining >= 0 && remaining < total);
  if (l->calls > 0) {
    assert_int_equal(total, l->total);
    assert_true(remaining < l->last_remaining);
  }
  l->calls++;
  l->last_remaining = remaining;
  l->total = total;
  if (l->writer) {
    store_article a = article(l->section, "كتب أثناء النسخ", nb_now() - 60);
    save(l->writer, &a, NULL);
  }
  return l->calls == l->stop_at;
}

static void progress_is_told_and_stopping_it_leaves_no_file(void **state) {
  fixture *f = *state;
  char copy[400], tmp[420];
  progress_log l = {0};
  FILE *fp;

  some_articles_with_comments(f->s, 3);
  in_dir(f, "copy.db", copy, sizeof copy);
  snprintf(tmp, sizeof tmp, "%s.tmp", copy);
  assert_int_equal(store_backup(f->s, copy, log_progress, &l), NB_OK);
  assert_true(l.calls >= 1);
  assert_int_equal(l.last_remaining, 0);
  assert_int_equal(l.total, sql_i64(copy, "PRAGMA page_count"));

  /* Stopped: the earlier copy stays as it was, and no .tmp is left. */
  fp = fopen(copy, "w");
  assert_non_null(fp);
  fputs("keep me", fp);
  fclose(fp);
  l = (progress_log){.stop_at = 1};
  assert_int_equal(store_backup(f->s, copy, log_progress, &l), NB_EINVAL);
  assert_int_equal(l.calls, 1);
  assert_string_equal(store_errmsg(f->s), "backup cancelled");
  assert_false(exists(tmp));
  fp = fopen(copy, "r");
  assert_non_null(fp);
  char got[16] = "";
  assert_non_null(fgets(got, sizeof got, fp));
  fclose(fp);
  assert_string_equal(got, "keep me");
  unlink(copy);
  l = (progress_log){.stop_at = 1};
  assert_int_equal(store_backup(f->s, copy, log_progress, &l), NB_EINVAL);
  assert_false(exists(copy));
  assert_false(exists(tmp));
}

static void
writes_during_a_backup_neither_restart_it_nor_get_into_the_copy(void **state) {
  fixture *f = *state;
  char copy[400], err[256];
  progress_log l = {0};
  int64_t before;

  /* Four megabytes: several steps of 256 pages. */
  sql_exec(f->path, "CREATE TABLE filler (x);"
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
                    " FROM n WHERE i < 1000)"
                    " INSERT INTO filler SELECT randomblob(4000) FROM n");
  some_articles_with_comments(f->s, 2);
  before = count(f->s, 0);
  /* Another connection, as the server's would be, writes between steps. */
  assert_int_equal(store_open(f->path, 0, &l.writer, err, sizeof err), NB_OK);
  l.section = section(l.writer, "عاجل", "عاجل");
  in_dir(f, "copy.db", copy, sizeof copy);
  assert_int_equal(store_backup(f->s, copy, log_progress, &l), NB_OK);
  store_close(l.writer);

  assert_true(l.calls >= 4);
  assert_int_equal(l.calls, (l.total + 255) / 256);
  /* The copy is the database as it was when the backup began. */
  assert_int_equal(sql_i64(copy, "SELECT count(*) FROM articles"), before);
  assert_int_equal(count(f->s, 0), before + l.calls);
  assert_int_equal(sql_i64(copy, "SELECT count(*) FROM pragma_integrity_check"
                                 " WHERE integrity_check = 'ok'"),
                   1);
}

/* ---- newsroom accounts, sessions, audit log ---- */

#define HASH "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA"

static store_user new_user(const char *name, const char *email, int role) {
  store_user u = {0};

  u.name = name;
  u.email = email;
  u.role = role;
  u.password_hash = HASH;
  u.lang = "ar";
  return u;
}

static int64_t user(store *s, const char *name, const char *email, int role) {
  store_user u = new_user(name, email, role);
  int64_t id = 0;

  assert_int_equal(store_user_add(s, &u, &id), NB_OK);
  assert_true(id > 0);
  return id;
}

static int64_t users_count(store *s) {
  int64_t n = -1;

  assert_int_equal(store_user_count(s, &n), NB_OK);
  return n;
}

/* 1 when the session is live: its user is returned. */
static int live(fixture *f, const char *token_hash, int64_t now) {
  store_user u;
  int rc = store_session_user(f->s, &f->a, token_hash, now, &u);

  assert_true(rc == NB_OK || rc == NB_ENOTFOUND);
  return rc == NB_OK;
}

static void users_are_unique_by_name_and_email_in_any_ascii_case(void **state) {
  fixture *f = *state;
  int64_t h = head(f->s), id = 0, a;
  store_user u = new_user("Huda", "huda@example.test", STORE_ROLE_EDITOR);
  store_user got;

  u.lang = "en";
  u.must_change = 1;
  assert_int_equal(store_user_add(f->s, &u, &a), NB_OK);
  assert_string_equal(tags_since(f, h), "users");
  assert_int_equal(store_user_get(f->s, &f->a, a, &got), NB_OK);
  assert_string_equal(got.name, "Huda");
  assert_string_equal(got.email, "huda@example.test");
  assert_int_equal(got.role, STORE_ROLE_EDITOR);
  assert_string_equal(got.password_hash, HASH);
  assert_string_equal(got.lang, "en");
  assert_int_equal(got.must_change, 1);
  assert_int_equal(got.disabled, 0);
  assert_true(got.created_at > 0);
  assert_int_equal(got.failed_logins, 0);

  /* The same name or e-mail in another ASCII case is taken; the message
   * says which. */
  u = new_user("HUDA", "other@example.test", STORE_ROLE_AUTHOR);
  assert_int_equal(store_user_add(f->s, &u, &id), NB_EEXIST);
  assert_non_null(strstr(store_errmsg(f->s), "name"));
  u = new_user("huda2", "Huda@Example.TEST", STORE_ROLE_AUTHOR);
  assert_int_equal(store_user_add(f->s, &u, &id), NB_EEXIST);
  assert_non_null(strstr(store_errmsg(f->s), "e-mail"));
  assert_int_equal(id, 0);
  assert_int_equal(users_count(f->s), 1);

  /* Arabic names, sorted by name in the list; lang defaults to Arabic. */
  u = new_user("هدى", "huda.ar@example.test", STORE_ROLE_CONTRIBUTOR);
  u.lang = NULL;
  assert_int_equal(store_user_add(f->s, &u, &id), NB_OK);
  user(f->s, "amal", "amal@example.test", STORE_ROLE_ADMINISTRATOR);
  store_user *all;
  size_t n;
  assert_int_equal(store_users(f->s, &f->a, &all, &n), NB_OK);
  assert_int_equal(n, 3);
  assert_string_equal(all[0].name, "amal");
  assert_string_equal(all[1].name, "Huda");
  assert_string_equal(all[2].name, "هدى");
  assert_string_equal(all[2].lang, "ar");
  assert_int_equal(users_count(f->s), 3);
}

static void invalid_users_are_refused_and_leave_nothing(void **state) {
  fixture *f = *state;
  char long_name[66], long_email[256];
  int64_t id = 0, h = head(f->s);
  store_user u;

  memset(long_name, 'n', 65);
  long_name[65] = '\0';
  memset(long_email, 'e', 255);
  long_email[255] = '\0';
  long_email[100] = '@';
  const struct {
    const char *name, *email;
    int role;
    const char *lang, *hash;
  } bad[] = {
      {"", "a@b.c", 1, "ar", HASH},
      {NULL, "a@b.c", 1, "ar", HASH},
      {long_name, "a@b.c", 1, "ar", HASH},
      {"tab\there", "a@b.c", 1, "ar", HASH},
      {"esc\x1b[31m", "a@b.c", 1, "ar", HASH},
      {"c1\xc2\x85", "a@b.c", 1, "ar", HASH},
      {"bad\xff", "a@b.c", 1, "ar", HASH},
      {"at@name", "a@b.c", 1, "ar", HASH},
      {"n", "ab", 1, "ar", HASH},
      {"n", "no-at", 1, "ar", HASH},
      {"n", "two@@x", 1, "ar", HASH},
      {"n", "@bc", 1, "ar", HASH},
      {"n", "ab@", 1, "ar", HASH},
      {"n", "a b@c", 1, "ar", HASH},
      {"n", long_email, 1, "ar", HASH},
      {"n", NULL, 1, "ar", HASH},
      {"n", "a@b.c", 0, "ar", HASH},
      {"n", "a@b.c", 5, "ar", HASH},
      {"n", "a@b.c", 1, "fr", HASH},
      {"n", "a@b.c", 1, "ar", ""},
      {"n", "a@b.c", 1, "ar", NULL},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    u = new_user(bad[i].name, bad[i].email, bad[i].role);
    u.lang = bad[i].lang;
    u.password_hash = bad[i].hash;
    if (store_user_add(f->s, &u, &id) != NB_EINVAL)
      fail_msg("case %zu was not refused as invalid", i);
    assert_true(store_errmsg(f->s)[0] != '\0');
  }
  assert_int_equal(id, 0);
  assert_int_equal(users_count(f->s), 0);
  assert_string_equal(tags_since(f, h), "");
  /* The limits themselves pass: 64 bytes, 3 and 254 bytes. */
  long_name[64] = '\0';
  long_email[254] = '\0';
  user(f->s, long_name, long_email, STORE_ROLE_AUTHOR);
  user(f->s, "x", "a@b", STORE_ROLE_AUTHOR);
}

static void a_user_is_found_by_name_or_email_in_any_case(void **state) {
  fixture *f = *state;
  int64_t id = user(f->s, "Samir", "samir@example.test", STORE_ROLE_AUTHOR);
  int64_t other = user(f->s, "سمير", "s2@example.test", STORE_ROLE_EDITOR);
  store_user u;

  assert_int_equal(store_user_by_login(f->s, &f->a, "samir", &u), NB_OK);
  assert_int_equal(u.id, id);
  assert_int_equal(store_user_by_login(f->s, &f->a, "SAMIR@example.TEST", &u),
                   NB_OK);
  assert_int_equal(u.id, id);
  assert_string_equal(u.email, "samir@example.test");
  assert_int_equal(store_user_by_login(f->s, &f->a, "سمير", &u), NB_OK);
  assert_int_equal(u.id, other);
  assert_int_equal(store_user_by_login(f->s, &f->a, "samira", &u),
                   NB_ENOTFOUND);
  assert_int_equal(store_user_by_login(f->s, &f->a, "", &u), NB_ENOTFOUND);
  assert_int_equal(store_user_get(f->s, &f->a, other + 100, &u), NB_ENOTFOUND);
}

static void role_and_lang_changes_are_checked_and_recorded(void **state) {
  fixture *f = *state;
  int64_t id = user(f->s, "rana", "rana@example.test", STORE_ROLE_CONTRIBUTOR);
  int64_t h = head(f->s);
  store_user u;

  assert_int_equal(store_user_set_role(f->s, id, STORE_ROLE_ADMINISTRATOR),
                   NB_OK);
  assert_int_equal(store_user_set_lang(f->s, id, "en"), NB_OK);
  assert_string_equal(tags_since(f, h), "users users");
  assert_int_equal(store_user_get(f->s, &f->a, id, &u), NB_OK);
  assert_int_equal(u.role, STORE_ROLE_ADMINISTRATOR);
  assert_string_equal(u.lang, "en");

  h = head(f->s);
  assert_int_equal(store_user_set_role(f->s, id, 0), NB_EINVAL);
  assert_int_equal(store_user_set_role(f->s, id, 5), NB_EINVAL);
  assert_int_equal(store_user_set_lang(f->s, id, "fr"), NB_EINVAL);
  assert_int_equal(store_user_set_lang(f->s, id, NULL), NB_EINVAL);
  assert_int_equal(store_user_set_role(f->s, id + 1, 2), NB_ENOTFOUND);
  assert_int_equal(store_user_set_lang(f->s, id + 1, "ar"), NB_ENOTFOUND);
  assert_int_equal(store_user_set_disabled(f->s, id + 1, 1), NB_ENOTFOUND);
  assert_int_equal(store_user_set_password(f->s, id + 1, HASH, 0, NULL),
                   NB_ENOTFOUND);
  assert_string_equal(tags_since(f, h), "");
  assert_int_equal(store_user_get(f->s, &f->a, id, &u), NB_OK);
  assert_int_equal(u.role, STORE_ROLE_ADMINISTRATOR);
  assert_string_equal(u.lang, "en");
}

static void
sessions_live_until_they_expire_and_expired_ones_are_swept(void **state) {
  fixture *f = *state;
  int64_t id = user(f->s, "nour", "nour@example.test", STORE_ROLE_AUTHOR);
  store_user u;

  assert_int_equal(store_session_add(f->s, "t1", id, 1000, 2000), NB_OK);
  assert_int_equal(store_session_user(f->s, &f->a, "t1", 1999, &u), NB_OK);
  assert_int_equal(u.id, id);
  assert_string_equal(u.name, "nour");
  assert_false(live(f, "t1", 2000)); /* expired at its time */
  assert_false(live(f, "nope", 1500));
  /* The same token twice, a missing user, and no lifetime are refused. */
  assert_int_equal(store_session_add(f->s, "t1", id, 1000, 2000), NB_EEXIST);
  assert_int_equal(store_session_add(f->s, "t9", id + 1, 1000, 2000),
                   NB_ENOTFOUND);
  assert_int_equal(store_session_add(f->s, "t9", id, 1000, 1000), NB_EINVAL);
  assert_int_equal(store_session_add(f->s, "", id, 1000, 2000), NB_EINVAL);

  /* A session added after t1 expired sweeps it away. */
  assert_int_equal(store_session_add(f->s, "t2", id, 1500, 9000), NB_OK);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM sessions"), 2);
  assert_int_equal(store_session_add(f->s, "t3", id, 2500, 9000), NB_OK);
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM sessions"), 2);
  assert_int_equal(
      sql_i64(f->path, "SELECT count(*) FROM sessions WHERE token_hash='t1'"),
      0);

  /* Logging out ends one session; doing it twice is no error. */
  assert_int_equal(store_session_end(f->s, "t2"), NB_OK);
  assert_int_equal(store_session_end(f->s, "t2"), NB_OK);
  assert_false(live(f, "t2", 3000));
  assert_true(live(f, "t3", 3000));
}

/* Someone must be able to manage the accounts: the last active
 * administrator can be neither demoted nor disabled; with another, both. */
static void the_last_administrator_stays_one(void **state) {
  fixture *f = *state;
  int64_t a =
      user(f->s, "amina", "amina@example.test", STORE_ROLE_ADMINISTRATOR);
  store_user u;

  assert_int_equal(store_user_set_role(f->s, a, STORE_ROLE_EDITOR), NB_EINVAL);
  assert_non_null(strstr(store_errmsg(f->s), "last administrator"));
  assert_int_equal(store_user_set_disabled(f->s, a, 1), NB_EINVAL);
  assert_int_equal(store_user_get(f->s, &f->a, a, &u), NB_OK);
  assert_int_equal(u.role, STORE_ROLE_ADMINISTRATOR);
  assert_int_equal(u.disabled, 0);
  /* A disabled administrator does not count. */
  int64_t b = user(f->s, "badr", "badr@example.test", STORE_ROLE_ADMINISTRATOR);
  assert_int_equal(store_user_set_disabled(f->s, b, 1), NB_OK);
  assert_int_equal(store_user_set_disabled(f->s, a, 1), NB_EINVAL);
  assert_int_equal(store_user_set_disabled(f->s, b, 0), NB_OK);
  assert_int_equal(store_user_set_role(f->s, a, STORE_ROLE_EDITOR), NB_OK);
  assert_int_equal(store_user_set_role(f->s, b, STORE_ROLE_AUTHOR), NB_EINVAL);
}

static void
disabling_a_user_ends_their_sessions_and_refuses_new_ones(void **state) {
  fixture *f = *state;
  int64_t id = user(f->s, "laila", "laila@example.test", STORE_ROLE_EDITOR);
  int64_t other = user(f->s, "omar", "omar@example.test", STORE_ROLE_EDITOR);
  int64_t h;
  store_user u;

  assert_int_equal(store_session_add(f->s, "a1", id, 100, 1000), NB_OK);
  assert_int_equal(store_session_add(f->s, "a2", id, 100, 1000), NB_OK);
  assert_int_equal(store_session_add(f->s, "b1", other, 100, 1000), NB_OK);
  h = head(f->s);
  assert_int_equal(store_user_set_disabled(f->s, id, 1), NB_OK);
  assert_string_equal(tags_since(f, h), "users");
  assert_false(live(f, "a1", 200));
  assert_false(live(f, "a2", 200));
  assert_true(live(f, "b1", 200));
  assert_int_equal(
      sql_i64(f->path, "SELECT count(*) FROM sessions WHERE user_id = 1"), 0);
  assert_int_equal(store_session_add(f->s, "a3", id, 100, 1000), NB_ENOTFOUND);
  assert_int_equal(store_user_get(f->s, &f->a, id, &u), NB_OK);
  assert_int_equal(u.disabled, 1);

  /* Enabled again, the user logs in anew; old sessions stay ended. */
  assert_int_equal(store_user_set_disabled(f->s, id, 0), NB_OK);
  assert_false(live(f, "a1", 200));
  assert_int_equal(store_session_add(f->s, "a3", id, 100, 1000), NB_OK);
  assert_true(live(f, "a3", 200));

  /* A user disabled behind a session's back (another writer) is not
   * returned either. */
  sql_exec(f->path, "UPDATE users SET disabled = 1 WHERE id = 1");
  assert_false(live(f, "a3", 200));
}

static void a_new_password_ends_every_session_but_the_kept_one(void **state) {
  fixture *f = *state;
  int64_t id = user(f->s, "karim", "karim@example.test", STORE_ROLE_AUTHOR);
  int64_t other = user(f->s, "zaid", "zaid@example.test", STORE_ROLE_AUTHOR);
  store_user u;

  assert_int_equal(store_session_add(f->s, "k1", id, 100, 1000), NB_OK);
  assert_int_equal(store_session_add(f->s, "k2", id, 100, 1000), NB_OK);
  assert_int_equal(store_session_add(f->s, "k3", id, 100, 1000), NB_OK);
  assert_int_equal(store_session_add(f->s, "z1", other, 100, 1000), NB_OK);
  assert_int_equal(store_user_login_failed(f->s, id, 150), NB_OK);

  /* Changed by the user in session k2: the others end, k2 stays. */
  assert_int_equal(store_user_set_password(f->s, id, "$new1", 0, "k2"), NB_OK);
  assert_false(live(f, "k1", 200));
  assert_true(live(f, "k2", 200));
  assert_false(live(f, "k3", 200));
  assert_true(live(f, "z1", 200));
  assert_int_equal(store_user_get(f->s, &f->a, id, &u), NB_OK);
  assert_string_equal(u.password_hash, "$new1");
  assert_int_equal(u.must_change, 0);
  assert_int_equal(u.failed_logins, 0);

  /* Reset by an administrator: a one-time password, every session ends. */
  assert_int_equal(store_user_set_password(f->s, id, "$new2", 1, NULL), NB_OK);
  assert_false(live(f, "k2", 200));
  assert_true(live(f, "z1", 200));
  assert_int_equal(store_user_get(f->s, &f->a, id, &u), NB_OK);
  assert_string_equal(u.password_hash, "$new2");
  assert_int_equal(u.must_change, 1);

  assert_int_equal(store_user_set_password(f->s, id, "", 0, NULL), NB_EINVAL);
  assert_int_equal(store_user_set_password(f->s, id, NULL, 0, NULL), NB_EINVAL);

  /* "Log out everywhere else", and everywhere. */
  assert_int_equal(store_session_add(f->s, "k4", id, 100, 1000), NB_OK);
  assert_int_equal(store_session_add(f->s, "k5", id, 100, 1000), NB_OK);
  assert_int_equal(store_sessions_end_user(f->s, id, "k5"), NB_OK);
  assert_false(live(f, "k4", 200));
  assert_true(live(f, "k5", 200));
  assert_int_equal(store_sessions_end_user(f->s, id, NULL), NB_OK);
  assert_false(live(f, "k5", 200));
  assert_true(live(f, "z1", 200));
}

static void failed_logins_count_up_and_a_success_resets_them(void **state) {
  fixture *f = *state;
  int64_t id = user(f->s, "dina", "dina@example.test", STORE_ROLE_AUTHOR);
  int64_t h = head(f->s);
  store_user u;

  assert_int_equal(store_user_login_failed(f->s, id, 500), NB_OK);
  assert_int_equal(store_user_login_failed(f->s, id, 510), NB_OK);
  assert_int_equal(store_user_get(f->s, &f->a, id, &u), NB_OK);
  assert_int_equal(u.failed_logins, 2);
  assert_int_equal(u.last_failed_at, 510);

  /* A success without a rehash keeps the hash. */
  assert_int_equal(store_user_login_ok(f->s, id, NULL), NB_OK);
  assert_int_equal(store_user_get(f->s, &f->a, id, &u), NB_OK);
  assert_int_equal(u.failed_logins, 0);
  assert_string_equal(u.password_hash, HASH);

  /* With one, the new hash replaces the old. */
  assert_int_equal(store_user_login_failed(f->s, id, 600), NB_OK);
  assert_int_equal(store_user_login_ok(f->s, id, "$rehashed"), NB_OK);
  assert_int_equal(store_user_get(f->s, &f->a, id, &u), NB_OK);
  assert_int_equal(u.failed_logins, 0);
  assert_string_equal(u.password_hash, "$rehashed");
  assert_int_equal(store_user_login_ok(f->s, id, ""), NB_EINVAL);
  assert_int_equal(store_user_login_failed(f->s, id + 1, 1), NB_ENOTFOUND);
  assert_int_equal(store_user_login_ok(f->s, id + 1, NULL), NB_ENOTFOUND);
  assert_string_equal(tags_since(f, h), ""); /* bookkeeping, not content */
}

static void audit_log_lists_newest_first_in_pages_with_names(void **state) {
  fixture *f = *state;
  int64_t id = user(f->s, "majd", "majd@example.test", STORE_ROLE_EDITOR);
  store_audit_entry *e;
  size_t n;
  char obj[32];

  for (int i = 1; i <= 5; i++) {
    snprintf(obj, sizeof obj, "article:%d", i);
    assert_int_equal(store_audit_add(f->s, i % 2 ? id : 0, "publish", obj,
                                     i == 5 ? "«نص»" : NULL),
                     NB_OK);
  }
  assert_int_equal(store_audit_list(f->s, &f->a, 0, 2, &e, &n), NB_OK);
  assert_int_equal(n, 2);
  assert_string_equal(e[0].object, "article:5");
  assert_string_equal(e[0].detail, "«نص»");
  assert_int_equal(e[0].user_id, id);
  assert_string_equal(e[0].user_name, "majd");
  assert_string_equal(e[0].action, "publish");
  assert_true(e[0].at > 0);
  assert_string_equal(e[1].object, "article:4");
  assert_int_equal(e[1].user_id, 0); /* the command line */
  assert_string_equal(e[1].user_name, "");
  assert_string_equal(e[1].detail, "");

  /* The next page starts below the last id seen. */
  assert_int_equal(store_audit_list(f->s, &f->a, e[1].id, 10, &e, &n), NB_OK);
  assert_int_equal(n, 3);
  assert_string_equal(e[0].object, "article:3");
  assert_string_equal(e[2].object, "article:1");
  assert_int_equal(store_audit_list(f->s, &f->a, e[2].id, 10, &e, &n), NB_OK);
  assert_int_equal(n, 0);

  assert_int_equal(store_audit_add(f->s, 0, "", "x", NULL), NB_EINVAL);
  assert_int_equal(store_audit_add(f->s, 0, NULL, "x", NULL), NB_EINVAL);
  assert_int_equal(store_audit_add(f->s, 0, "role", "\xff", NULL), NB_EINVAL);
  assert_int_equal(store_audit_add(f->s, id + 9, "role", "user:1", NULL),
                   NB_EINVAL); /* no such user */
  assert_int_equal(sql_i64(f->path, "SELECT count(*) FROM audit_log"), 5);
}

static void
migration_013_makes_imported_users_accounts_without_a_password(void **state) {
  fixture *f = *state;
  char path[400], err[256];
  fixture old = *f;
  store_user u;
  const char *email;
  sqlite3 *db;

  /* A database as a program that knew 001 to 012 left it, with users of
   * a WordPress import that differ only in case or share an e-mail. */
  assert_true(store_migrations_count >= 13);
  assert_string_equal(store_migrations[12].name, "013_accounts.sql");
  snprintf(path, sizeof path, "%s/old.db", f->dir);
  assert_int_equal(sqlite3_open_v2(path, &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                   NULL),
                   SQLITE_OK);
  assert_int_equal(store_fts5_register(db), NB_OK);
  assert_int_equal(
      sqlite3_exec(db,
                   "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
                   " name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
                   NULL, NULL, NULL),
      SQLITE_OK);
  for (size_t i = 0; i < 12; i++) {
    char sql[128];
    assert_int_equal(
        sqlite3_exec(db, store_migrations[i].data, NULL, NULL, NULL),
        SQLITE_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO schema_version VALUES (%zu, '%s', 1)", i + 1,
             store_migrations[i].name);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  }
  assert_int_equal(
      sqlite3_exec(db,
                   "INSERT INTO authors (id, name, slug) VALUES"
                   " (3, 'سارة', 'sara');"
                   "INSERT INTO users (id, login, email, author_id,"
                   " created_at) VALUES"
                   " (1, 'sara', 'sara@example.test', 3, 5),"
                   " (2, 'Sara', 'other@example.test', NULL, 6),"
                   " (3, 'noemail', '', NULL, 7),"
                   " (4, 'copy', 'SARA@example.test', NULL, 8);",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);

  old.s = NULL;
  old.a = (arena_t){0};
  assert_int_equal(store_open(path, 0, &old.s, err, sizeof err), NB_OK);
  assert_int_equal(sql_i64(path, "SELECT max(version) FROM schema_version"),
                   latest_migration());
  assert_int_equal(store_user_by_login(old.s, &old.a, "sara", &u), NB_OK);
  assert_int_equal(u.id, 1);
  assert_string_equal(u.password_hash, ""); /* none: cannot log in yet */
  assert_int_equal(u.role, STORE_ROLE_AUTHOR);
  assert_int_equal(u.must_change, 1);
  assert_int_equal(u.created_at, 5);
  assert_int_equal(store_user_by_login(old.s, &old.a, "Sara-2", &u), NB_OK);
  assert_int_equal(u.id, 2);
  assert_int_equal(store_user_by_login(old.s, &old.a, "noemail", &u), NB_OK);
  assert_string_equal(u.email, "");
  assert_int_equal(store_user_by_login(old.s, &old.a, "copy", &u), NB_OK);
  assert_string_equal(u.email, "");
  /* The export still finds the byline's address. */
  assert_int_equal(store_author_email(old.s, &old.a, 3, &email), NB_OK);
  assert_string_equal(email, "sara@example.test");
  store_close(old.s);
  arena_free(&old.a);
}

static void
imported_authors_become_accounts_that_keep_real_ones_intact(void **state) {
  fixture *f = *state;
  int64_t by = author(f->s, "Rami", "rami");
  int64_t id = user(f->s, "rami", "rami@newsroom.test", STORE_ROLE_EDITOR);
  store_user u;

  /* An import names an existing account: it gets the byline, keeps its
   * address, role and password. */
  assert_int_equal(store_user_ensure(f->s, "Rami", "rami@wp.test", by), NB_OK);
  assert_int_equal(store_user_get(f->s, &f->a, id, &u), NB_OK);
  assert_string_equal(u.email, "rami@newsroom.test");
  assert_int_equal(u.role, STORE_ROLE_EDITOR);
  assert_string_equal(u.password_hash, HASH);
  assert_int_equal(sql_i64(f->path, "SELECT author_id FROM users"), by);

  /* A new one has no password; an address that is another user's or not
   * one is left out; a second import updates the first. */
  assert_int_equal(store_user_ensure(f->s, "wpuser", "RAMI@newsroom.test", 0),
                   NB_OK);
  assert_int_equal(store_user_by_login(f->s, &f->a, "wpuser", &u), NB_OK);
  assert_string_equal(u.email, "");
  assert_string_equal(u.password_hash, "");
  assert_int_equal(u.role, STORE_ROLE_AUTHOR);
  assert_int_equal(store_user_ensure(f->s, "wpuser", "not-an-address", 0),
                   NB_OK);
  assert_int_equal(store_user_by_login(f->s, &f->a, "wpuser", &u), NB_OK);
  assert_string_equal(u.email, "");
  assert_int_equal(store_user_ensure(f->s, "WPUSER", "wp@wp.test", 0), NB_OK);
  assert_int_equal(store_user_by_login(f->s, &f->a, "wp@wp.test", &u), NB_OK);
  assert_string_equal(u.name, "wpuser");
  assert_int_equal(users_count(f->s), 2);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

/* ---- the newsroom's editor ---- */

static store_edit edit_of(int64_t sec, const char *title, const char *slug,
                          const char *body) {
  store_edit e = {0};

  e.a.section_id = sec;
  e.a.title = title;
  e.a.slug = slug;
  e.a.summary = "";
  e.a.body_html = body;
  e.a.image_url = "";
  e.a.status = STORE_DRAFT;
  e.comments_state = -1;
  return e;
}

static void
an_edit_save_is_a_revision_and_a_stale_one_is_refused(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "أخبار", "news");
  int64_t u = user(f->s, "huda", "huda@newsroom.test", STORE_ROLE_AUTHOR);
  int64_t u2 = user(f->s, "sami", "sami@newsroom.test", STORE_ROLE_EDITOR);
  int64_t a1 = author(f->s, "هدى", "huda"), a2 = author(f->s, "سامي", "sami");
  int64_t authors[] = {a2, a1}, tag = 0;
  assert_int_equal(store_tag_ensure(f->s, "اقتصاد", "economy", &tag), NB_OK);
  store_edit e = edit_of(sec, "عنوان", "unwan", "<p dir=\"rtl\">نص</p>");
  e.kicker = "عاجل";
  e.breaking = 1;
  e.author_ids = authors;
  e.n_authors = 2;
  e.tag_ids = &tag;
  e.n_tag_ids = 1;
  int rc = store_edit_save(f->s, &f->a, &e, 0, u);
  if (rc != NB_OK)
    print_message("%s\n", store_errmsg(f->s));
  assert_int_equal(rc, NB_OK);
  assert_true(e.a.id > 0);
  assert_int_equal(e.revision, 1);

  store_edit got;
  assert_int_equal(store_edit_get(f->s, &f->a, e.a.id, &got), NB_OK);
  assert_string_equal(got.a.title, "عنوان");
  assert_string_equal(got.kicker, "عاجل");
  assert_int_equal(got.breaking, 1);
  assert_int_equal(got.created_by, u);
  assert_int_equal(got.revision, 1);
  assert_int_equal(got.n_authors, 2);
  assert_int_equal(got.author_ids[0], a2); /* the order kept */
  assert_int_equal(got.a.author_id, a2);
  assert_string_equal(got.author_names, "سامي، هدى");
  assert_int_equal(got.n_tags, 1);
  assert_string_equal(got.tags[0].name, "اقتصاد");

  /* Two saves from revision 1: the first wins, the second is refused and
   * changes nothing. */
  store_edit mine = got, theirs = got;
  mine.a.title = "عنوان أول";
  theirs.a.title = "عنوان ثان";
  mine.tag_ids = theirs.tag_ids = NULL;
  assert_int_equal(store_edit_save(f->s, &f->a, &mine, 1, u), NB_OK);
  assert_int_equal(mine.revision, 2);
  assert_int_equal(store_edit_save(f->s, &f->a, &theirs, 1, u2), NB_ECONFLICT);
  assert_int_equal(store_edit_get(f->s, &f->a, e.a.id, &got), NB_OK);
  assert_string_equal(got.a.title, "عنوان أول");
  assert_int_equal(got.revision, 2);
  assert_int_equal(got.n_tags, 0);

  store_revision *rs;
  size_t n;
  assert_int_equal(store_revisions(f->s, &f->a, e.a.id, 10, &rs, &n), NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(rs[0].revision, 2);
  assert_string_equal(rs[0].user_name, "huda");
  store_revision r;
  assert_int_equal(store_revision_get(f->s, &f->a, e.a.id, 1, &r), NB_OK);
  assert_non_null(strstr(r.fields, "\"title\":\"عنوان\""));
  assert_non_null(strstr(r.fields, "\"tags\":[\"اقتصاد\"]"));
  assert_non_null(strstr(r.fields, "\"author_names\":[\"سامي\",\"هدى\"]"));
  assert_int_equal(store_revision_get(f->s, &f->a, e.a.id, 3, &r),
                   NB_ENOTFOUND);
}

static void
an_edit_slug_taken_gets_a_suffix_and_a_trashed_one_is_a_draft(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "أخبار", "news");
  int64_t u = user(f->s, "huda", "huda@newsroom.test", STORE_ROLE_AUTHOR);
  store_edit a = edit_of(sec, "أ", "same", "<p>1</p>");
  store_edit b = edit_of(sec, "ب", "same", "<p>2</p>");
  store_edit c = edit_of(sec, "ج", "same", "<p>3</p>");
  assert_int_equal(store_edit_save(f->s, &f->a, &a, 0, u), NB_OK);
  assert_int_equal(store_edit_save(f->s, &f->a, &b, 0, u), NB_OK);
  assert_int_equal(store_edit_save(f->s, &f->a, &c, 0, u), NB_OK);
  assert_string_equal(a.a.slug, "same");
  assert_string_equal(b.a.slug, "same-2");
  assert_string_equal(c.a.slug, "same-3");
  /* Saving an article again keeps its own slug. */
  assert_int_equal(store_edit_save(f->s, &f->a, &b, b.revision, u), NB_OK);
  assert_string_equal(b.a.slug, "same-2");

  b.trashed_at = 100;
  b.a.status = STORE_PUBLISHED;
  assert_int_equal(store_edit_save(f->s, &f->a, &b, b.revision, u), NB_EINVAL);
  b.a.status = STORE_DRAFT;
  assert_int_equal(store_edit_save(f->s, &f->a, &b, b.revision, u), NB_OK);

  store_newsroom_item *xs;
  size_t n;
  assert_int_equal(store_newsroom_list(f->s, &f->a, STORE_NEWSROOM_TRASH, 0,
                                       nb_now(), 0, 10, &xs, &n),
                   NB_OK);
  assert_int_equal(n, 1);
  assert_int_equal(xs[0].a.id, b.a.id);
  assert_int_equal(store_newsroom_list(f->s, &f->a, STORE_NEWSROOM_ALL, 0,
                                       nb_now(), 0, 10, &xs, &n),
                   NB_OK);
  assert_int_equal(n, 2);
  assert_int_equal(xs[0].a.id, c.a.id);
}

static void the_newsroom_list_sorts_articles_by_state(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "أخبار", "news"), now = nb_now();
  int64_t u = user(f->s, "huda", "huda@newsroom.test", STORE_ROLE_AUTHOR);
  int64_t v = user(f->s, "sami", "sami@newsroom.test", STORE_ROLE_AUTHOR);
  store_edit draft = edit_of(sec, "مسودة", "d", "<p>1</p>");
  store_edit sub = edit_of(sec, "مقدمة", "s", "<p>2</p>");
  store_edit later = edit_of(sec, "لاحقا", "l", "<p>3</p>");
  store_edit pub = edit_of(sec, "منشور", "p", "<p>4</p>");
  sub.a.draft_state = STORE_DRAFT_PENDING;
  later.a.status = pub.a.status = STORE_PUBLISHED;
  later.a.published_at = now + 3600;
  pub.a.published_at = now - 60;
  assert_int_equal(store_edit_save(f->s, &f->a, &draft, 0, u), NB_OK);
  assert_int_equal(store_edit_save(f->s, &f->a, &sub, 0, v), NB_OK);
  assert_int_equal(store_edit_save(f->s, &f->a, &later, 0, u), NB_OK);
  assert_int_equal(store_edit_save(f->s, &f->a, &pub, 0, u), NB_OK);
  struct {
    int state;
    int64_t by, want;
    size_t n;
  } cases[] = {
      {STORE_NEWSROOM_DRAFTS, 0, draft.a.id, 1},
      {STORE_NEWSROOM_SUBMITTED, 0, sub.a.id, 1},
      {STORE_NEWSROOM_SCHEDULED, 0, later.a.id, 1},
      {STORE_NEWSROOM_PUBLISHED, 0, pub.a.id, 1},
      {STORE_NEWSROOM_ALL, v, sub.a.id, 1},
      {STORE_NEWSROOM_ALL, 0, pub.a.id, 4},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    store_newsroom_item *xs;
    size_t n;
    assert_int_equal(store_newsroom_list(f->s, &f->a, cases[i].state,
                                         cases[i].by, now, 0, 10, &xs, &n),
                     NB_OK);
    assert_int_equal(n, cases[i].n);
    assert_int_equal(xs[0].a.id, cases[i].want);
  }
}

static void autosaves_keep_one_slot_and_a_save_drops_it(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "أخبار", "news");
  int64_t u = user(f->s, "huda", "huda@newsroom.test", STORE_ROLE_AUTHOR);
  store_autosave as = {.base_revision = 0, .at = 10, .fields = "{\"t\":1}"};
  assert_int_equal(store_autosave_put(f->s, u, 0, &as), NB_OK);
  as.at = 20;
  as.fields = "{\"t\":2}";
  assert_int_equal(store_autosave_put(f->s, u, 0, &as), NB_OK);
  store_autosave got;
  assert_int_equal(store_autosave_get(f->s, &f->a, u, 0, &got), NB_OK);
  assert_int_equal(got.at, 20);
  assert_string_equal(got.fields, "{\"t\":2}");
  /* The first save of a new article takes the place of its autosave. */
  store_edit e = edit_of(sec, "أ", "a", "<p>1</p>");
  assert_int_equal(store_edit_save(f->s, &f->a, &e, 0, u), NB_OK);
  assert_int_equal(store_autosave_get(f->s, &f->a, u, 0, &got), NB_ENOTFOUND);
  assert_int_equal(store_autosave_put(f->s, u, e.a.id, &as), NB_OK);
  assert_int_equal(store_autosave_drop(f->s, u, e.a.id), NB_OK);
  assert_int_equal(store_autosave_get(f->s, &f->a, u, e.a.id, &got),
                   NB_ENOTFOUND);
  as.fields = "\xff";
  assert_int_equal(store_autosave_put(f->s, u, 0, &as), NB_EINVAL);
}

static void
an_edit_lock_is_refused_while_held_and_taking_it_over_is_told(void **state) {
  fixture *f = *state;
  int64_t sec = section(f->s, "أخبار", "news");
  int64_t u = user(f->s, "huda", "huda@newsroom.test", STORE_ROLE_AUTHOR);
  int64_t v = user(f->s, "sami", "sami@newsroom.test", STORE_ROLE_EDITOR);
  store_edit e = edit_of(sec, "أ", "a", "<p>1</p>");
  assert_int_equal(store_edit_save(f->s, &f->a, &e, 0, u), NB_OK);
  store_lock l;
  assert_int_equal(store_lock_take(f->s, &f->a, e.a.id, u, 1000, 150, 0, &l),
                   NB_OK);
  assert_int_equal(l.user_id, u);
  assert_int_equal(l.expires_at, 1150);
  assert_int_equal(store_lock_take(f->s, &f->a, e.a.id, v, 1100, 150, 0, &l),
                   NB_EEXIST);
  assert_int_equal(l.user_id, u);
  assert_string_equal(l.user_name, "huda");
  assert_int_equal(store_lock_take(f->s, &f->a, e.a.id, v, 1100, 150, 1, &l),
                   NB_OK);
  assert_int_equal(l.user_id, v);
  assert_int_equal(l.taken_from, u);
  assert_int_equal(l.taken_at, 1100);
  /* Huda's renewal is refused and names who took it from her. */
  assert_int_equal(store_lock_take(f->s, &f->a, e.a.id, u, 1110, 150, 0, &l),
                   NB_EEXIST);
  assert_int_equal(l.user_id, v);
  assert_int_equal(l.taken_from, u);
  assert_string_equal(l.taken_from_name, "huda");
  /* Expired, it is anyone's, with no takeover to tell. */
  assert_int_equal(store_lock_take(f->s, &f->a, e.a.id, u, 2000, 150, 0, &l),
                   NB_OK);
  assert_int_equal(l.user_id, u);
  assert_int_equal(l.taken_from, 0);
  assert_int_equal(store_lock_release(f->s, e.a.id, u), NB_OK);
  assert_int_equal(store_lock_get(f->s, &f->a, e.a.id, &l), NB_ENOTFOUND);
  assert_int_equal(store_lock_take(f->s, &f->a, 999999, u, 1, 150, 0, &l),
                   NB_ENOTFOUND);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      T(opening_a_new_file_applies_every_migration_once),
      T(reopening_does_not_reapply_migrations),
      T(failed_migration_is_rolled_back_and_named_in_the_error),
      T(database_from_a_newer_program_is_refused),
      T(readonly_open_of_missing_schema_is_refused),
      T(readonly_open_reads_but_refuses_writes),
      T(section_ensure_returns_same_id_for_same_name),
      T(section_with_a_taken_slug_is_refused),
      T(section_save_adds_edits_and_refuses_taken_names),
      T(a_section_parent_cycle_is_refused),
      T(a_section_with_articles_is_not_deleted),
      T(tags_are_counted_renamed_and_deleted_with_their_links),
      T(author_ensure_returns_same_id_for_same_name),
      T(article_saved_twice_with_same_source_key_stays_one_row),
      T(saving_by_id_updates_and_unknown_id_is_not_found),
      T(published_at_zero_keeps_the_original_date_on_update),
      T(scheduled_article_is_not_listed_before_its_time),
      T(latest_lists_newest_first_and_pages_with_offset),
      T(same_time_articles_page_without_repeats),
      T(long_lists_grow_past_their_first_allocation),
      T(count_matches_list_per_section),
      T(months_group_visible_articles_by_utc_month_newest_first),
      T(articles_between_page_newest_first_inside_the_range),
      T(article_by_id_has_body_and_byline),
      T(invalid_articles_are_refused_and_leave_nothing),
      T(strings_with_quotes_and_arabic_round_trip),
      T(saving_an_article_records_its_change_tags),
      T(creating_a_section_records_sections_and_home),
      T(moving_an_article_records_both_sections),
      T(changes_since_pages_with_max_and_last),
      T(trimmed_changes_are_reported_as_everything),
      T(settings_round_trip_and_unset),
      T(changes_from_another_connection_are_seen_by_data_version_and_since),
      T(rollback_leaves_no_article_and_no_change),
      T(failed_write_inside_a_transaction_keeps_earlier_writes),
      T(nested_transactions_roll_back_only_the_inner_one),
      T(readers_see_a_transaction_only_once_committed),
      T(comment_added_twice_with_same_content_key_is_one_comment),
      T(guarded_post_takes_a_nonce_once_and_keeps_the_limit),
      T(pending_comment_records_no_tag_but_approved_one_does),
      T(reply_to_a_comment_of_another_article_is_refused),
      T(invalid_comments_are_refused_and_leave_nothing),
      T(comment_in_a_rolled_back_transaction_leaves_no_comment_and_no_tag),
      T(public_thread_shows_approved_and_only_the_given_pending_ids_without_email),
      T(moderation_list_is_newest_first_with_email_and_title),
      T(moderation_search_finds_name_email_and_text_with_wildcards_as_themselves),
      T(approving_and_spamming_record_the_article_comments_tag),
      T(deleting_a_comment_keeps_its_replies_under_its_parent),
      T(deleting_a_hidden_comment_records_a_tag_only_if_it_moves_an_approved_reply),
      T(counts_cover_only_approved_comments_and_missing_ids_are_zero),
      T(known_commenter_needs_an_approved_comment_with_same_name_and_email),
      T(rate_counter_counts_comments_from_a_client_since_a_time),
      T(comments_state_round_trips_and_missing_article_is_not_found),
      T(migration_002_applies_on_a_database_made_by_001),
      T(saved_articles_are_found_by_variant_spellings),
      T(title_matches_rank_above_body_only_matches),
      T(equally_relevant_articles_come_newest_first),
      T(exact_forms_rank_above_stem_only_matches),
      T(drafts_and_scheduled_articles_are_not_found),
      T(search_in_a_section_finds_only_its_articles),
      T(snippet_marks_matches_and_escapes_body_text),
      T(phrases_with_stop_words_match_only_adjacent_words),
      T(bad_match_expression_is_refused_not_fatal),
      T(reindex_restores_a_lost_or_dropped_index),
      T(index_segments_merge_into_one_and_keep_every_article),
      T(tags_and_lists_follow_articles),
      T(a_bare_prefix_letter_goes_unless_the_word_is_commoner),
      T(search_index_is_filled_when_003_applies_to_old_articles),
      T(backup_opens_as_a_store_with_the_same_articles_and_comments),
      T(backup_over_an_existing_file_replaces_it),
      T(backup_to_a_folder_or_an_unwritable_path_fails_and_leaves_no_tmp),
      T(progress_is_told_and_stopping_it_leaves_no_file),
      T(writes_during_a_backup_neither_restart_it_nor_get_into_the_copy),
      T(a_drafts_state_is_read_back_and_replaced_by_every_update),
      T(a_published_article_with_a_draft_state_is_refused_and_nothing_written),
      T(the_newsroom_list_holds_drafts_and_pages_back),
      T(a_pages_draft_state_is_kept_and_read_back),
      T(migrations_009_and_010_apply_to_a_database_made_by_008),
      T(menu_lists_published_top_level_pages_by_order_then_title),
      T(page_saves_record_the_menu_only_when_its_entry_changes),
      T(users_are_unique_by_name_and_email_in_any_ascii_case),
      T(invalid_users_are_refused_and_leave_nothing),
      T(a_user_is_found_by_name_or_email_in_any_case),
      T(role_and_lang_changes_are_checked_and_recorded),
      T(sessions_live_until_they_expire_and_expired_ones_are_swept),
      T(the_last_administrator_stays_one),
      T(disabling_a_user_ends_their_sessions_and_refuses_new_ones),
      T(a_new_password_ends_every_session_but_the_kept_one),
      T(failed_logins_count_up_and_a_success_resets_them),
      T(audit_log_lists_newest_first_in_pages_with_names),
      T(migration_013_makes_imported_users_accounts_without_a_password),
      T(imported_authors_become_accounts_that_keep_real_ones_intact),
      T(an_edit_save_is_a_revision_and_a_stale_one_is_refused),
      T(an_edit_slug_taken_gets_a_suffix_and_a_trashed_one_is_a_draft),
      T(the_newsroom_list_sorts_articles_by_state),
      T(autosaves_keep_one_slot_and_a_save_drops_it),
      T(an_edit_lock_is_refused_while_held_and_taking_it_over_is_told),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
