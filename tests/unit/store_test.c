/* Tests for store/sqlite.c: each test opens a real SQLite file in a fresh
 * temporary directory, as the server and the CLI do. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"

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
  snprintf(want, sizeof want, "article:%lld section:%lld author:%lld home",
           (long long)a.id, (long long)sec, (long long)by);
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
           "home",
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

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

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
      T(author_ensure_returns_same_id_for_same_name),
      T(article_saved_twice_with_same_source_key_stays_one_row),
      T(saving_by_id_updates_and_unknown_id_is_not_found),
      T(published_at_zero_keeps_the_original_date_on_update),
      T(scheduled_article_is_not_listed_before_its_time),
      T(latest_lists_newest_first_and_pages_with_offset),
      T(same_time_articles_page_without_repeats),
      T(long_lists_grow_past_their_first_allocation),
      T(count_matches_list_per_section),
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
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
