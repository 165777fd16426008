/* store: every query the product needs, in domain terms.
 *
 * This is the only module that speaks SQL, and this header names no engine
 * type: a file that includes it compiles without SQLite. The domain files
 * of store/ (articles.c, comments.c, pages.c, taxonomy.c, search.c,
 * settings.c, sources.c, changes.c) hold the queries; store/sqlite/
 * implements them on SQLite (WAL mode; one connection per thread, used by
 * that thread only; writes in transactions). Schema migrations are the
 * numbered files in store/migrations/, embedded in the binary and applied
 * at open inside one transaction, recorded in `schema_version`.
 *
 * Memory: every string or array a query returns is allocated from the arena
 * the caller passes and lives until the caller frees that arena.
 *
 * Change log: every write records, in the same transaction, the cache tags
 * it touched ("article:42", "section:7", "author:3", "home", "site") in a
 * `changes` table. A server polls store_changes_since() to invalidate its
 * page cache, also when the write came from another process (the CLI). */
#ifndef NABA_STORE_H
#define NABA_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

typedef struct store store;
/* A parsed search (search/search.h: search_parse()). */
typedef struct search_query search_query;

/* Opens (creating if needed) the database at path. With readonly == 0 the
 * schema is migrated to the newest version first. On failure returns a
 * negative code and writes a message into err. Free with store_close().
 * Only the calling thread may use the store, close included (a server
 * opens one per thread); debug builds abort on a call from another. */
int store_open(const char *path, int readonly, store **out, char *err,
               size_t errlen);
void store_close(store *s);
/* The last error message of this connection (for logs): the database's
 * own, or what the store refused. */
const char *store_errmsg(store *s);

/* Transactions around several writes (the import uses one per file).
 * Single write calls outside a transaction are their own transaction. */
int store_begin(store *s);
int store_commit(store *s);
int store_rollback(store *s);

/* ---- sections ---- */
typedef struct {
  int64_t id;
  const char *name;        /* as the newsroom wrote it, e.g. "سياسة" */
  const char *slug;        /* URL segment, UTF-8, not percent-encoded */
  int64_t position;        /* menu order */
  int64_t parent_id;       /* 0: top level */
  const char *description; /* the section page's meta description; "" */
} store_section;

int store_sections(store *s, arena_t *a, store_section **out, size_t *n);
int store_section_by_slug(store *s, arena_t *a, const char *slug,
                          store_section *out); /* NB_ENOTFOUND if none */
int store_section_by_id(store *s, arena_t *a, int64_t id, store_section *out);
/* Returns the id of the section with this name, creating it (with this slug,
 * placed last in the menu) if there is none. *created says which. */
int store_section_ensure(store *s, const char *name, const char *slug,
                         int64_t *id, int *created);
/* Adds (in->id 0; *id gets the new id) or updates (in->id) a section:
 * name, slug, parent_id, position, description (NULL: ""). Refusals:
 * NB_EINVAL for an empty name or slug, text over the store's limits, or a
 * parent that is missing, the section itself or one of its descendants
 * (store_errmsg says "cycle"); NB_EEXIST when another section has the name
 * (store_errmsg says "name") or the slug ("slug"); NB_ENOTFOUND for an
 * unknown in->id. Records "section:ID", "sections", "home", "feeds" and
 * "site" and an audit row (actor: a user id, 0 the command line; action
 * "section_add" or "section_edit") in the same transaction. */
int store_section_save(store *s, int64_t actor, const store_section *in,
                       int64_t *id);
/* Deletes a section that has no article; its children move up to its
 * parent. NB_EINVAL when articles are in it (*articles says how many,
 * store_errmsg says "articles"), NB_ENOTFOUND for an unknown id. Records
 * the same change tags as store_section_save and "section_delete" in the
 * audit log. articles may be NULL. */
int store_section_delete(store *s, int64_t actor, int64_t id,
                         int64_t *articles);

/* ---- authors and tags ---- */
typedef struct {
  int64_t id;
  const char *name;
  const char *slug; /* URL segment, UTF-8, not percent-encoded */
} store_named;

int store_author_ensure(store *s, const char *name, const char *slug,
                        int64_t *id);
int store_tag_ensure(store *s, const char *name, const char *slug, int64_t *id);
/* NB_ENOTFOUND if none. */
int store_author_by_slug(store *s, arena_t *a, const char *slug,
                         store_named *out);
int store_tag_by_slug(store *s, arena_t *a, const char *slug, store_named *out);

/* ---- articles ---- */
enum { STORE_DRAFT = 0, STORE_PUBLISHED = 1 };
#define STORE_DRAFT_PENDING "pending"
#define STORE_DRAFT_PRIVATE "private"

typedef struct {
  int64_t id;
  int64_t section_id;
  int64_t author_id; /* 0: no byline */
  const char *title;
  const char *slug;      /* UTF-8, not percent-encoded */
  const char *summary;   /* may be "" */
  const char *body_html; /* sanitized HTML; NULL in list queries */
  const char *image_url; /* may be "" */
  int64_t published_at;  /* Unix seconds, UTC */
  int64_t updated_at;
  int status; /* STORE_DRAFT or STORE_PUBLISHED */
  /* A draft's kind (migration 009): STORE_DRAFT_PENDING (awaiting an
   * editor's review), STORE_DRAFT_PRIVATE (kept for the newsroom), or
   * NULL or "" for an ordinary draft. A published article has none: saving
   * one with a draft state is refused (NB_EINVAL), as publishing ends the
   * review; clear it when publishing. Written by every save (NULL clears
   * it); read by store_articles_after() and store_articles_newsroom(), ""
   * in every other read (they return published articles only). */
  const char *draft_state;
  /* Joined for display; filled by reads, ignored by writes. */
  const char *section_name;
  const char *section_slug;
  const char *author_name; /* "" when no author */
  const char *author_slug; /* "" when no author */
  int sticky;              /* read by store_articles_after() only */
  /* The newsroom's fields (migration 014), read by store_article_by_id()
   * and store_article_any() only ("" and 0 elsewhere): the line above the
   * headline, what search engines show ("" for the title and summary),
   * the flags, and how many bylines it has (store_article_authors() lists
   * them when more than one). */
  const char *kicker, *seo_title, *seo_description;
  int breaking, featured;
  int n_authors;
} store_article;

/* Published articles only, unless noted. */
int store_article_by_id(store *s, arena_t *a, int64_t id, store_article *out);
/* The same in any state (draft, scheduled, in the trash): for previews. */
int store_article_any(store *s, arena_t *a, int64_t id, store_article *out);
/* An article's bylines in order (names and slugs). */
int store_article_authors(store *s, arena_t *a, int64_t article_id,
                          store_named **out, size_t *n);
/* Newest first. section_id 0 means every section. Lists leave body_html
 * NULL. */
int store_articles_latest(store *s, arena_t *a, int64_t section_id,
                          int64_t offset, int64_t limit, store_article **out,
                          size_t *n);
int store_articles_count(store *s, int64_t section_id, int64_t *n);

/* A calendar month (UTC) with articles readers see, for the sitemaps. */
typedef struct {
  int year, month; /* month 1-12 */
  int64_t count;   /* its visible articles */
  int64_t lastmod; /* their newest updated_at */
} store_month;

/* Months with articles visible at `now` (published, published_at <= now),
 * newest first; *out is the arena's, NULL when there is none. Reads every
 * visible article's row, through the index articles_by_date. */
int store_article_months(store *s, arena_t *a, int64_t now, store_month **out,
                         size_t *n);
/* Articles visible at `now` with from <= published_at < to, newest first
 * (published_at, then id), the page at offset, at most limit. Lists leave
 * body_html NULL. */
int store_articles_between(store *s, arena_t *a, int64_t from, int64_t to,
                           int64_t now, int64_t offset, int64_t limit,
                           store_article **out, size_t *n);

/* Inserts or updates an article. With source_key non-NULL, an article
 * previously saved with the same key is updated in place (so importing a
 * file twice keeps one article) and a->id is set to its id; otherwise
 * a->id == 0 inserts and a->id > 0 updates. *created (may be NULL) tells
 * whether a row was inserted. On update, fields are replaced (draft_state
 * too), except that published_at is kept when the given value is 0.
 * updated_at 0 means now (an import passes the original date, which is no
 * editorial update). Records the change tags ("article:ID", "section:ID"
 * old and new, "author:ID", "home"). */
int store_article_save(store *s, store_article *a, const char *source_key,
                       int *created);

/* The article's tags become exactly ids[0..n). Records "tag:ID" for every
 * tag it had or has, "article:ID" and "feeds". */
int store_article_tags_set(store *s, int64_t article_id, const int64_t *ids,
                           size_t n);
/* The article's tags, by name. */
int store_article_tags(store *s, arena_t *a, int64_t article_id,
                       store_named **out, size_t *n);

/* Lists of articles (feeds, author and tag pages): the whole site, or
 * one section, author or tag. */
enum {
  STORE_LIST_SITE = 0,
  STORE_LIST_SECTION = 1,
  STORE_LIST_AUTHOR = 2,
  STORE_LIST_TAG = 3,
};
/* Published articles of a list (id names the section, author or tag),
 * newest first, with their bodies. */
int store_list_articles(store *s, arena_t *a, int kind, int64_t id,
                        int64_t offset, int64_t limit, store_article **out,
                        size_t *n);
int store_list_count(store *s, int kind, int64_t id, int64_t *n);

/* ---- comments ----
 * A reader's comment on an article. The e-mail address is stored for
 * moderation and the keyed avatar only: no read used for public pages
 * returns it (author_email is NULL there). */
enum {
  STORE_COMMENT_PENDING = 0,
  STORE_COMMENT_APPROVED = 1,
  STORE_COMMENT_SPAM = 2,
};

typedef struct {
  int64_t id;
  int64_t article_id;
  int64_t parent_id; /* 0: top level */
  const char *author_name;
  const char *author_email; /* NULL in public reads */
  const char *author_url;   /* "" when none */
  const char *body;         /* plain text as typed, UTF-8 */
  int status;               /* STORE_COMMENT_* */
  int64_t created_at;
  const char *avatar_key; /* keyed hash of the e-mail (hex), for avatars */
  const char *client; /* IP it came from; "" in public reads and when unknown */
  /* Joined for moderation reads (NULL in public ones): */
  const char *article_title;
  const char *article_slug, *section_slug; /* for the article's URL */
} store_comment;

/* Inserts a comment. content_key identifies its content (article, e-mail,
 * text): a second insert with the same article and key adds nothing and
 * returns the first comment's id and status, with *created = 0 (a double
 * click or a resubmitted form is one comment). An approved comment records
 * "comments:<article id>"; a pending or spam one records no tag (no public
 * page changes). parent_id must be a comment of the same article, else
 * NB_EINVAL. */
int store_comment_add(store *s, store_comment *c, const char *content_key,
                      int *created);

/* Approved comments of an article, plus its pending ones whose ids are in
 * `pending` (the reader's own, shown only to them), oldest first. Public:
 * author_email is NULL. */
int store_comments_for_article(store *s, arena_t *a, int64_t article_id,
                               const int64_t *pending, size_t npending,
                               store_comment **out, size_t *n);

/* For moderation: comments with this status (-1: all), newest first,
 * article 0 = every article, at most limit; author_email and
 * article_title filled. */
int store_comments_list(store *s, arena_t *a, int status, int64_t article_id,
                        int64_t limit, store_comment **out, size_t *n);
int store_comment_by_id(store *s, arena_t *a, int64_t id, store_comment *out);

/* What the newsroom's queue shows (store_comments_find). */
#define STORE_COMMENT_QUERY_MAX 200 /* bytes of a search, at most */
typedef struct {
  int status;         /* STORE_COMMENT_*, or -1: every status */
  int64_t article_id; /* 0: every article */
  int64_t before_id;  /* 0: from the newest; else those after this one in
                         the order (none when it is gone) */
  const char *q;      /* NULL or "": no search; else found in the name, e-mail
                         or text, ASCII letters in any case, "%" and "_" as
                         themselves */
  int64_t limit;
} store_comment_filter;

/* For moderation: the comments f selects, newest first (created_at, then
 * id), author_email and article_title filled. NB_EINVAL for a status,
 * limit or id out of range or a q over STORE_COMMENT_QUERY_MAX bytes. */
int store_comments_find(store *s, arena_t *a, const store_comment_filter *f,
                        store_comment **out, size_t *n);
/* counts[STORE_COMMENT_*]: comments of each status, each counted up to
 * cap + 1 (more than cap: "cap+"), so the count stays cheap. */
int store_comment_status_counts(store *s, int64_t cap, int64_t counts[3]);

/* Changes a comment's status; deleting removes it (its replies move up to
 * its parent, so no reply is lost). Both record "comments:<article id>"
 * when the set of approved comments changes. NB_ENOTFOUND if no such id. */
int store_comment_set_status(store *s, int64_t id, int status);
int store_comment_delete(store *s, int64_t id);

/* Number of approved comments per article, for lists: fills counts[i] for
 * ids[i]. */
int store_comment_counts(store *s, const int64_t *ids, size_t n,
                         int64_t *counts);

/* 1 if a comment with this name and e-mail (compared case-insensitively)
 * was approved before: returning readers may skip moderation. */
int store_commenter_known(store *s, const char *name, const char *email,
                          int *known);

/* Comments from this client since a time (for moderation; the rate limit
 * itself is store_comment_post()'s, checked where it inserts). */
int store_comments_from_client(store *s, const char *client, int64_t since,
                               int64_t *n);

/* What a reader's post must pass besides its content, checked in the
 * transaction that inserts it. */
typedef struct {
  /* The form token's one-time nonce (NULL: none), recorded until
   * nonce_expires; a nonce already recorded lets nothing in. */
  const char *nonce;
  int64_t nonce_expires;
  /* At most limit comments from c->client with created_at >= since
   * (limit 0: no limit). */
  int64_t limit, since;
} store_comment_guard;

enum {
  STORE_POST_ADDED = 0,  /* inserted (or found: the same content again) */
  STORE_POST_USED = 1,   /* the nonce was used before: nothing written */
  STORE_POST_LIMITED = 2 /* the client is at its limit: nothing written */
};

/* store_comment_add() under a guard, atomically: the nonce, the client's
 * count and the insert are one write transaction, so N posts at once from
 * one client with limit L store at most L comments, and a nonce lets one
 * comment in. Its SQL holds on PostgreSQL too: the client's row in
 * comment_clients is written first, and its row lock orders two posts of
 * one client under READ COMMITTED (SQLite's BEGIN IMMEDIATE orders every
 * writer). A form sent again (same article and content key) finds its
 * first comment whatever its nonce, as store_comment_add() does, and the
 * limit does not count it. *outcome is a STORE_POST_*; *created as in
 * store_comment_add(). Also drops expired nonces and idle clients. */
int store_comment_post(store *s, store_comment *c, const char *content_key,
                       const store_comment_guard *g, int *outcome,
                       int *created);

/* Per-article override of comment closing: -1 follows the site setting,
 * 0 open, 1 closed. Records "article:<id>". */
int store_article_comments_set(store *s, int64_t article_id, int state);
int store_article_comments_get(store *s, int64_t article_id, int *state);

/* ---- search (FTS5 with the "naba" tokenizer of store/sqlite/fts5.c) ----
 * The index is written with every article save, in the same transaction. */
typedef struct {
  store_article article;    /* body_html NULL */
  const char *title_html;   /* title, HTML-escaped, matches in <mark> */
  const char *snippet_html; /* a passage of the body, same */
  double score;             /* naba_rank(): higher is more relevant */
  uint64_t missing;         /* bit i: query term i is not in the article */
} store_hit;

/* At most this many matches are ranked and counted. */
#define SEARCH_CANDIDATES 1000
/* Articles a search ranks at least, when there are as many. */
#define SEARCH_WANT 100
/* The walk of the articles holding every word ranks at most this many
 * matches, newest first; those missing words, half as many. */
#define SEARCH_WINDOW 1000
/* Phrases' weights are measured on the newest this many articles. */
#define SEARCH_SAMPLE 2000

/* Published articles matching a parsed query (search_parse()), in the
 * section when section_id > 0, ranked by naba_rank(): first by how many of
 * the query's terms they hold, then by BM25 (title weighing
 * SEARCH_TITLE_WEIGHT times the body, each word's alternatives weighted by
 * how rare they are among the newest SEARCH_SAMPLE articles and by their
 * tier), rounded to two decimals, then newest first. The articles holding
 * every term are all ranked (newest SEARCH_WINDOW when there are more);
 * when they are fewer than offset + limit + 1 or SEARCH_WANT, those
 * missing some words follow
 * (search/expr.c says how they are found). *total counts what was
 * ranked, SEARCH_CANDIDATES at most. NB_EINVAL for a MATCH expression FTS5
 * refuses. */
int store_search(store *s, arena_t *a, const search_query *q,
                 int64_t section_id, int64_t offset, int64_t limit,
                 store_hit **out, size_t *n, int64_t *total);

/* FTS5 keeps the index in segments, b-trees it merges as they pile up
 * (three or four per size tier); every search seeks each word in every
 * segment, so searches at 100,000 articles are three times faster on one
 * segment than on the eleven that saving them one by one leaves. */
int store_search_layout(store *s, int64_t *segments, int64_t *largest_pages,
                        int64_t *pages);
/* *untidy is 1 when merging is worth its cost: more than one segment, and
 * those besides the largest hold 1/SEARCH_MERGE_SHARE of the pages or
 * more. Merging rewrites the whole index, so it waits for the index to
 * grow that much: a twentieth, at most twenty rewrites of what was there. */
#define SEARCH_MERGE_SHARE 20
int store_search_untidy(store *s, int *untidy);
/* One step towards a single segment: about pages pages written (FTS5's
 * 'merge' with a negative count), in its own transaction, so a writer
 * waits at most one step. *more is 0 when there was nothing left to do. */
int store_search_merge(store *s, int64_t pages, int *more);
/* ---- what imports from WordPress keep (migration 007) ---- */
/* A section's parent (0: none); records "sections" when it changes. */
int store_section_set_parent(store *s, int64_t id, int64_t parent_id);
int store_article_set_sticky(store *s, int64_t id, int sticky);
/* The lead image; records "article:ID" and "feeds". */
int store_article_set_image(store *s, int64_t id, const char *url);
/* The WordPress post ID of an article (for ?p=ID links and re-imports). */
int store_wp_post_set(store *s, int64_t wp_id, int64_t article_id);
int store_wp_post_article(store *s, int64_t wp_id, int64_t *article_id);
/* An old permalink path ("/2021/11/24/slug/") answered with a 301. */
int store_redirect_set(store *s, const char *path, int64_t article_id);
int store_redirect_get(store *s, const char *path, int64_t *article_id);
/* Media kept by URL (article_id 0: none). */
int store_attachment_set(store *s, int64_t wp_id, const char *url,
                         const char *title, int64_t article_id);
int store_attachment_url(store *s, arena_t *a, int64_t wp_id, const char **url);
/* The URLs of the kept attachments of article_id (0: of every article),
 * in WordPress ID order. */
int store_attachment_urls(store *s, arena_t *a, int64_t article_id,
                          const char ***out, size_t *n);
/* Sets the article an attachment belongs to (its post came later). */
int store_attachment_link(store *s, int64_t wp_id, int64_t article_id);
/* Adds html (markup without text: the search index is not touched) at the
 * end of the article's body: an imported post's gallery. */
int store_article_append_html(store *s, int64_t id, const char *html);
/* A newsroom account by login, as an author without a password (an
 * administrator gives one: naba user passwd); one that has a password
 * keeps its e-mail address. */
int store_user_ensure(store *s, const char *login, const char *email,
                      int64_t author_id);

/* ---- static pages (migration 008) ----
 * About, contact, terms: not news, so in no section, list or feed. Every
 * page of the site lists the published top-level ones (its menu), and a
 * page its published children, by menu_order, then title.
 *
 * Change tags: "page:ID" for the page itself (its own URL, and its
 * children's pages, which link back to it); and, when a save or move
 * changes what a menu entry shows (being published, title, slug,
 * menu_order), "pages" for a top-level page (the menu on every page) or
 * "page:PARENT" for a child (its parent's list). A body edit of a
 * top-level page drops only the pages that show its body or link to it. */
typedef struct {
  int64_t id, parent_id;                /* parent 0: none */
  const char *title, *slug, *body_html; /* body_html NULL in lists */
  int status;                           /* STORE_DRAFT or STORE_PUBLISHED */
  int64_t menu_order, updated_at;
  /* as an article's (NULL or "": none); read by store_pages_after() only */
  const char *draft_state;
} store_page;
/* Inserts (p->id 0) or updates; with source_key, a page saved before with
 * the same key is updated and p->id set. parent_id is not written (see
 * store_page_set_parent()). NB_ENOTFOUND for an id no page has. */
int store_page_save(store *s, store_page *p, const char *source_key,
                    int *created);
/* Published pages only; NB_ENOTFOUND if none. */
int store_page_by_slug(store *s, arena_t *a, const char *slug, store_page *p);
int store_page_by_id(store *s, arena_t *a, int64_t id, store_page *p);
/* Published pages whose parent is parent_id (0: the top level, the
 * menu), by menu_order, then title, then slug; at most limit, body_html
 * NULL. Reads the index pages_by_parent only (migration 010). */
int store_pages_under(store *s, arena_t *a, int64_t parent_id, int64_t limit,
                      store_page **out, size_t *n);
/* Every page (drafts too) with id > after, in id order. */
int store_pages_after(store *s, arena_t *a, int64_t after, int64_t limit,
                      store_page **out, size_t *n);
/* Moves a page under parent_id (0: to the top level); NB_ENOTFOUND if no
 * page has id. Setting the parent it has already writes nothing. */
int store_page_set_parent(store *s, int64_t id, int64_t parent_id);
int store_wp_page_set(store *s, int64_t wp_id, int64_t page_id);
int store_wp_page(store *s, int64_t wp_id, int64_t *page_id);
int store_page_redirect_set(store *s, const char *path, int64_t page_id);
int store_page_redirect_get(store *s, const char *path, int64_t *page_id);

/* ---- export ---- */
/* Several reads that must see one moment of the database: a read
 * transaction (none when the caller has one open). */
int store_read_begin(store *s);
void store_read_end(store *s);
/* Every article (drafts and scheduled too) with id > after, in id order,
 * at most limit, with body, sticky flag and draft state: page through with
 * the last id. */
int store_articles_after(store *s, arena_t *a, int64_t after, int64_t limit,
                         store_article **out, size_t *n);
/* The newsroom's list: every article (drafts, scheduled, published), by
 * id newest first, ids below before (0: from the newest), at most limit;
 * no body; with the draft state. */
int store_articles_newsroom(store *s, arena_t *a, int64_t before, int64_t limit,
                            store_article **out, size_t *n);
/* ---- the newsroom's editor (editor.c) ----
 * An article as the editor sees it, in any state. Every save is a new
 * revision: it names the revision it started from, and a save on an older
 * one is refused (NB_ECONFLICT), so two people never overwrite each other
 * unseen. */
typedef struct {
  /* id (0: a new article), section_id, title, slug, summary, body_html
   * (sanitized), image_url, status, published_at (a future time on a
   * published article: scheduled), draft_state; author_id is filled by
   * reads (the first byline) and ignored by saves (author_ids below). */
  store_article a;
  const char *kicker, *seo_title, *seo_description; /* "" for none */
  int breaking, featured;                           /* 0 or 1 */
  int comments_state;        /* -1 the site's rule, 0 open, 1 closed */
  const int64_t *author_ids; /* bylines in order, at most STORE_EDIT_MAX */
  size_t n_authors;
  const int64_t *tag_ids; /* saves: the tags, at most STORE_EDIT_MAX */
  size_t n_tag_ids;
  store_named *tags; /* reads: the tags, by name */
  size_t n_tags;
  /* Filled by reads; ignored by saves but for trashed_at and
   * unpublished_at, which saves write (0: not in the trash; never taken
   * off the site, or published again). */
  int64_t created_by; /* the account that wrote it, 0: imported */
  int64_t created_at;
  int64_t revision;
  int64_t trashed_at, unpublished_at;
  const char *author_names; /* "A، B": read only */
} store_edit;
#define STORE_EDIT_MAX 32

/* The article with this id in any state; NB_ENOTFOUND if none. */
int store_edit_get(store *s, arena_t *a, int64_t id, store_edit *out);
/* Saves e as a new revision by user_id (an account): e->a.id 0 inserts
 * (created_by user_id), else base must be the article's revision now, or
 * NB_ECONFLICT and nothing changes. A slug another article has gets "-2",
 * "-3"... (e->a.slug is set to the one saved). Keeps the saved row as
 * revision e->revision (set here; the new slug and id come from a) with
 * who and when, drops user_id's
 * autosave of the article (and of a new one when inserting), records the
 * change tags of store_article_save() and the tags'. NB_EINVAL as
 * store_article_save(), for a trashed article that is published, and for
 * more than STORE_EDIT_MAX authors or tags. */
int store_edit_save(store *s, arena_t *a, store_edit *e, int64_t base,
                    int64_t user_id);

/* Revisions of an article, newest first (fields NULL). */
typedef struct {
  int64_t revision, at, user_id;
  const char *user_name; /* "" for none */
  const char *fields;    /* a JSON object: every field of the saved row */
} store_revision;
int store_revisions(store *s, arena_t *a, int64_t article_id, size_t limit,
                    store_revision **out, size_t *n);
/* One revision with its fields; NB_ENOTFOUND if none. */
int store_revision_get(store *s, arena_t *a, int64_t article_id,
                       int64_t revision, store_revision *out);

/* What a user typed, kept until their next save: one slot per user and
 * article (article_id 0: a new one). fields: the form as a JSON object,
 * at most 4 MiB. */
typedef struct {
  int64_t base_revision, at;
  const char *fields;
} store_autosave;
int store_autosave_put(store *s, int64_t user_id, int64_t article_id,
                       const store_autosave *as);
int store_autosave_get(store *s, arena_t *a, int64_t user_id,
                       int64_t article_id, store_autosave *out);
int store_autosave_drop(store *s, int64_t user_id, int64_t article_id);

/* Who edits an article. A lock lasts until expires_at, renewed while the
 * page is open; taken over, it remembers whom it was taken from. */
typedef struct {
  int64_t user_id;
  const char *user_name;
  int64_t expires_at;
  int64_t taken_from; /* 0: nobody */
  int64_t taken_at;
  const char *taken_from_name;
} store_lock;
/* Takes or renews the article's lock for user_id until now + ttl. When
 * another user holds it unexpired, NB_EEXIST with *holder filled, unless
 * take_over: then it becomes user_id's, taken_from the other. *holder
 * (may be NULL) is the lock as it stands after the call. */
int store_lock_take(store *s, arena_t *a, int64_t article_id, int64_t user_id,
                    int64_t now, int64_t ttl, int take_over,
                    store_lock *holder);
/* The lock as it stands (expired or not); NB_ENOTFOUND if none. */
int store_lock_get(store *s, arena_t *a, int64_t article_id, store_lock *out);
/* Ends user_id's lock of the article (none: NB_OK). */
int store_lock_release(store *s, int64_t article_id, int64_t user_id);

/* The newsroom's list by state, newest first by id, ids below before (0:
 * from the newest), at most limit, no body, draft state filled; by
 * created_by when not 0. Scheduled ones come soonest first. */
typedef enum {
  STORE_NEWSROOM_ALL,       /* everything but the trash */
  STORE_NEWSROOM_DRAFTS,    /* drafts, unpublished ones and private ones */
  STORE_NEWSROOM_SUBMITTED, /* drafts waiting for review */
  STORE_NEWSROOM_SCHEDULED, /* published with a time to come */
  STORE_NEWSROOM_PUBLISHED, /* public now */
  STORE_NEWSROOM_TRASH,
  STORE_NEWSROOM_STATES
} store_newsroom_state;
typedef struct {
  store_article a;
  int64_t created_by, revision, trashed_at, unpublished_at;
} store_newsroom_item;
int store_newsroom_list(store *s, arena_t *a, int state, int64_t created_by,
                        int64_t now, int64_t before, size_t limit,
                        store_newsroom_item **out, size_t *n);

int store_authors(store *s, arena_t *a, store_named **out, size_t *n);
int store_tags(store *s, arena_t *a, store_named **out, size_t *n);
/* A tag with the number of articles (any status) that carry it. */
typedef struct {
  int64_t id;
  const char *name, *slug;
  int64_t articles;
} store_tag_count;
/* Tags by name, at most limit after the first offset; *total counts them
 * all (may be NULL). */
int store_tags_counted(store *s, arena_t *a, int64_t offset, int64_t limit,
                       store_tag_count **out, size_t *n, int64_t *total);
int store_tag_by_id(store *s, arena_t *a, int64_t id,
                    store_named *out); /* NB_ENOTFOUND if none */
/* Renames a tag and sets its slug. NB_EINVAL for an empty name or slug,
 * NB_EEXIST when another tag has the name ("name") or slug ("slug"),
 * NB_ENOTFOUND for an unknown id. Records "tag:ID", every article of the
 * tag ("article:ID"), "feeds", and an audit row "tag_edit" by actor (0:
 * the command line), in one transaction. */
int store_tag_update(store *s, int64_t actor, int64_t id, const char *name,
                     const char *slug);
/* Deletes a tag and its links to articles (the articles stay), with the
 * same change tags and an audit row "tag_delete". NB_ENOTFOUND if none. */
int store_tag_delete(store *s, int64_t actor, int64_t id);
/* The e-mail of the author's user, "" when none. */
int store_author_email(store *s, arena_t *a, int64_t author_id,
                       const char **email);

/* Rebuilds the index from the articles table into one segment (naba
 * reindex). */
int store_reindex(store *s, int64_t *indexed);

/* ---- backup ---- */
/* Copies the database into the file dest (naba backup) while the server
 * keeps reading and writing it. The copy is the database as it was when
 * the backup began: every step reads one snapshot, which in WAL mode holds
 * up no writer, and writes made meanwhile (by any connection or process)
 * are not in it, nor do they restart the copy, so it ends however busy the
 * site is. Pages go over a megabyte at a time; after each step, progress
 * (may be NULL) is told how many pages remain of total, and a non-zero
 * return stops the backup (NB_EINVAL, "backup cancelled").
 *
 * The copy is written to dest.tmp (created readable by its owner only: it
 * holds commenters' e-mail addresses), set to journal_mode=DELETE so it is
 * one self-contained file, checked with PRAGMA integrity_check, synced and
 * renamed over dest, and the folder synced: dest is either what it was or
 * a whole, checked copy. On failure dest.tmp is removed and store_errmsg()
 * says what failed. NB_EINVAL for a dest that is a folder or this database
 * itself, that has a -wal or -journal file beside it (a database in use,
 * whose journal would be replayed into the copy), or inside store_begin(). */
int store_backup(store *s, const char *dest,
                 int (*progress)(void *ctx, int remaining, int total),
                 void *ctx);

/* ---- site settings: the ones naba knows, and their values ---- */
typedef struct {
  const char *key;
  const char *fallback; /* used while the key is unset */
  const char *help;     /* one line, English, marked N_(): _(help) translates */
} store_setting_def;

/* Every setting naba knows, in the order `naba settings list` shows; a
 * static table, *n its length. */
const store_setting_def *store_setting_defs(size_t *n);
/* NULL for a key naba does not know. */
const store_setting_def *store_setting_find(const char *key);
/* NB_OK if value is acceptable for key; else NB_EINVAL and a message in
 * err (English, as `naba settings set` prints it). Pure: no store. */
int store_setting_check(const char *key, const char *value, char *err,
                        size_t errlen);
/* Values: store_setting_set does not check (callers run
 * store_setting_check first); both record "site" when the table changes,
 * and join a transaction begun with store_begin() (an audit row beside). */
typedef struct {
  const char *key;
  const char *value;
} store_kv;

/* *value is NULL when the key was never set. */
int store_setting_get(store *s, arena_t *a, const char *key,
                      const char **value);
int store_setting_set(store *s, const char *key, const char *value);
int store_setting_unset(store *s, const char *key);
int store_settings_all(store *s, arena_t *a, store_kv **out, size_t *n);

/* ---- newsroom accounts (users.c) ----
 * People who log in at /admin. Names and e-mail addresses are unique
 * without regard to ASCII case. Passwords are never stored: only libsodium's
 * crypto_pwhash_str string (argon2id), made by admin/. Sessions are stored
 * as the hash of the cookie's token (hex), never the token. */
typedef enum {
  STORE_ROLE_CONTRIBUTOR = 1,  /* writes own drafts and submits them */
  STORE_ROLE_AUTHOR = 2,       /* writes and publishes own articles */
  STORE_ROLE_EDITOR = 3,       /* every article, sections, tags, comments */
  STORE_ROLE_ADMINISTRATOR = 4 /* everything: users, settings */
} store_role;

typedef struct {
  int64_t id;
  const char *name;  /* login name, 1-64 bytes of UTF-8, no controls, no "@" */
  const char *email; /* 3-254 bytes, one "@", no controls or spaces;
                        "" for none (imported) */
  int role;          /* store_role */
  /* crypto_pwhash_str's string; "" for none (imported from WordPress: no
   * login until given one) */
  const char *password_hash;
  int must_change;  /* a one-time password: change at next login */
  int disabled;     /* may not log in; has no sessions */
  const char *lang; /* interface language: "ar" or "en" */
  int64_t created_at;
  int64_t failed_logins;  /* failed attempts since the last success */
  int64_t last_failed_at; /* when the last one was (0: never) */
} store_user;

/* Adds u (id, created_at and the failure counts are ignored); *id gets
 * the new id. NB_EEXIST when the name or the e-mail is taken, NB_EINVAL
 * for a field out of its rules above (store_errmsg() says which). Records
 * the change tag "users". */
int store_user_add(store *s, const store_user *u, int64_t *id);
int store_user_get(store *s, arena_t *a, int64_t id, store_user *out);
/* By name or e-mail address, either in any ASCII case (with an "@" it is
 * an e-mail address: names have none). */
int store_user_by_login(store *s, arena_t *a, const char *name_or_email,
                        store_user *out); /* NB_ENOTFOUND if none */
int store_users(store *s, arena_t *a, store_user **out,
                size_t *n); /* by name */
int store_user_count(store *s, int64_t *n);
/* Demoting or disabling the last active administrator is refused
 * (NB_EINVAL): someone must be able to manage the accounts. */
int store_user_set_role(store *s, int64_t id, int role);
int store_user_set_lang(store *s, int64_t id, const char *lang);
/* Disabling also ends every session of the user, in one transaction. */
int store_user_set_disabled(store *s, int64_t id, int disabled);
/* A new password hash; the failed login count starts again from 0. Ends
 * the user's sessions but keep (a token hash; NULL ends them all) in the
 * same transaction. */
int store_user_set_password(store *s, int64_t id, const char *hash,
                            int must_change, const char *keep);
/* Login attempts: a failure counts up (failed_logins, last_failed_at); a
 * success resets the count and, when rehash is not NULL, stores it as the
 * new hash (the parameters changed since it was made). Unlike the other
 * writes to a user, these record no change tag. */
int store_user_login_failed(store *s, int64_t id, int64_t now);
int store_user_login_ok(store *s, int64_t id, const char *rehash);

/* ---- sessions ---- */
/* Deletes the sessions expired at now, then adds this one. NB_ENOTFOUND
 * when the user is missing or disabled, NB_EINVAL when expires_at <= now,
 * NB_EEXIST for a token hash already there. */
int store_session_add(store *s, const char *token_hash, int64_t user_id,
                      int64_t now, int64_t expires_at);
/* The user of a live session: not expired at now, user not disabled;
 * NB_ENOTFOUND otherwise. */
int store_session_user(store *s, arena_t *a, const char *token_hash,
                       int64_t now, store_user *out);
int store_session_end(store *s, const char *token_hash); /* NB_OK if none */
/* Ends every session of the user but keep (NULL: all). */
int store_sessions_end_user(store *s, int64_t user_id, const char *keep);

/* ---- audit log: who did what to what, and when ---- */
typedef struct {
  int64_t id, at, user_id; /* user_id 0: the command line */
  const char *user_name;   /* "" for the command line */
  const char *action;      /* "login", "publish", "role", "settings", ... */
  const char *object;      /* "article:42", "user:3", "setting:site_name" */
  const char *detail;      /* free text, may be "" */
} store_audit_entry;

/* action is required; object and detail may be NULL (""). A user_id
 * with no user is NB_EINVAL. */
int store_audit_add(store *s, int64_t user_id, const char *action,
                    const char *object, const char *detail);
/* Newest first, ids below before_id (0: from the newest), at most limit. */
int store_audit_list(store *s, arena_t *a, int64_t before_id, size_t limit,
                     store_audit_entry **out, size_t *n);

/* ---- change log for cache invalidation ---- */
/* Cheap check: returns a number that changes whenever another connection
 * (or process) committed a write (PRAGMA data_version). */
int store_data_version(store *s, int64_t *v);
/* Highest change id now (a poller starts from here). */
int store_changes_head(store *s, int64_t *head);
/* Tags recorded after change id `after`, oldest first, at most `max`;
 * *last is the id of the last one returned (or `after` when none). A
 * caller that fell behind the kept log gets the single tag "*": drop
 * everything. */
int store_changes_since(store *s, arena_t *a, int64_t after, size_t max,
                        const char ***tags, size_t *n, int64_t *last);

/* Tags of articles whose publication time fell in (after, upto]: they
 * became visible on their own, without a write, so the pages listing them
 * are stale ("article:ID", "section:ID", "author:ID", then "home" and
 * "feeds"). An article save records the same tags. */
int store_due_tags(store *s, arena_t *a, int64_t after, int64_t upto,
                   const char ***tags, size_t *n);

#endif
