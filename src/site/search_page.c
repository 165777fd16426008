/* search_page.c: /search?q= as a page and /search.json, from the same
 * results. A store error (a damaged index too) is an error, never "no
 * results". */
#include "site/internal.h"

#include <string.h>

#include "search/search.h"

#define SEARCH_PER_PAGE 10

static const char *search_url(arena_t *a, const char *q, int64_t page) {
  buf_t b = {0};
  buf_puts(&b, "/search?q=");
  buf_url_encode(&b, q, strlen(q));
  if (page > 1)
    buf_printf(&b, "&page=%lld", (long long)page);
  const char *r = arena_strdup(a, b.data ? b.data : "/search");
  buf_free(&b);
  return r;
}

/* The section a query names (section:slug, or by name: section:رياضة)
 * into *id; -1 for one that does not exist (it finds nothing). */
static int query_section(site_req *r, const char *name, int64_t *id) {
  store_section sec, *secs;
  size_t ns = 0;
  *id = -1;
  int rc = SITE_CALL(r, store_section_by_slug, r->st, r->a, name, &sec);
  if (rc == NB_OK)
    *id = sec.id;
  if (rc != NB_ENOTFOUND)
    return rc;
  rc = SITE_CALL(r, store_sections, r->st, r->a, &secs, &ns);
  for (size_t i = 0; rc == NB_OK && i < ns; i++)
    if (strcmp(secs[i].name, name) == 0)
      *id = secs[i].id;
  return rc;
}

/* Appends s without the quote marks a phrase is typed with. */
static void put_unquoted(buf_t *b, const char *s) {
  static const char *const marks[] = {"\"", "«", "»", "“", "”"};
  while (*s) {
    size_t k = 0;
    for (size_t m = 0; !k && m < sizeof marks / sizeof *marks; m++)
      if (strncmp(s, marks[m], strlen(marks[m])) == 0)
        k = strlen(marks[m]);
    if (!k)
      buf_putc(b, *s);
    s += k ? k : 1;
  }
}

static void suggest(arena_t *a, json_t *sugg, const buf_t *b) {
  const char *q = arena_strdup(a, b->data ? b->data : "");
  json_array_append_new(
      sugg, json_pack("{s:s,s:s}", "query", q, "url", search_url(a, q, 1)));
}

/* No results (every word is found nowhere, or a phrase is not): the
 * phrases' words unquoted, the query without its last term, then each
 * term alone. */
static json_t *suggestions(arena_t *a, const search_query *sq) {
  json_t *sugg = json_array();
  buf_t b = {0};
  int quoted = 0;
  for (size_t i = 0; i < sq->nterms; i++) {
    quoted |= sq->terms[i].phrase;
    if (i)
      buf_putc(&b, ' ');
    put_unquoted(&b, sq->terms[i].typed);
  }
  if (quoted)
    suggest(a, sugg, &b);
  if (sq->nterms >= 2) {
    buf_reset(&b);
    for (size_t i = 0; i + 1 < sq->nterms; i++)
      buf_printf(&b, "%s%s", i ? " " : "", sq->terms[i].typed);
    suggest(a, sugg, &b);
    for (size_t i = 0; i < sq->nterms && i < 3; i++) {
      buf_reset(&b);
      buf_puts(&b, sq->terms[i].typed);
      suggest(a, sugg, &b);
    }
  }
  buf_free(&b);
  return sugg;
}

/* The results of /search?q= as JSON values into *out, and the HTTP
 * status (404 past the last page): the page and /search.json share it. */
static int search_json(site_req *r, json_t **out, int *status) {
  arena_t *a = r->a;
  const char *q = web_query(r->req, "q");
  const char *pg = web_query(r->req, "page");
  int64_t page = 1, section_id = 0, total = 0;
  search_query sq = {0};
  store_hit *hits = NULL;
  size_t n = 0;
  if (!pg || nb_parse_i64(pg, strlen(pg), 1, 1000, &page) != NB_OK)
    page = 1;
  int rc = SITE_CALL(r, search_parse, q ? q : "", q ? strlen(q) : 0, a, &sq);
  if (rc == NB_OK && sq.section)
    rc = query_section(r, sq.section, &section_id);
  if (rc == NB_OK && sq.nterms && section_id >= 0)
    rc = SITE_CALL(r, store_search, r->st, a, &sq, section_id,
                   (page - 1) * SEARCH_PER_PAGE, SEARCH_PER_PAGE, &hits, &n,
                   &total);
  if (rc != NB_OK)
    return rc == NB_ENOTFOUND ? site_check(r, NB_EIO, "search") : rc;
  json_t *o = json_object();
  view_str(o, "query", sq.cleaned ? sq.cleaned : "");
  json_object_set_new(o, "page", json_integer(page));
  json_object_set_new(o, "empty", json_boolean(!q || !*q));
  json_object_set_new(o, "too_short", json_boolean(q && *q && !sq.nterms));
  json_t *results = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *h = view_card(a, r->c, &hits[i].article, 0);
    view_str(h, "title_html", hits[i].title_html);
    view_str(h, "snippet_html", hits[i].snippet_html);
    json_t *missing = json_array();
    for (size_t k = 0; k < sq.nterms; k++)
      if (hits[i].missing >> k & 1)
        json_array_append_new(missing, json_string(sq.terms[k].typed));
    json_object_set_new(h, "has_missing",
                        json_boolean(json_array_size(missing) > 0));
    json_object_set_new(h, "missing", missing);
    json_array_append_new(results, h);
  }
  json_object_set_new(o, "total", json_integer(total));
  json_object_set_new(o, "has_results", json_boolean(n > 0));
  json_object_set_new(o, "results", results);
  int64_t pages = (total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE;
  if (pages > 1) {
    json_t *p = json_object();
    json_object_set_new(p, "page", json_integer(page));
    json_object_set_new(p, "pages", json_integer(pages));
    view_str(p, "prev", page > 1 ? search_url(a, q, page - 1) : "");
    view_str(p, "next", page < pages ? search_url(a, q, page + 1) : "");
    json_object_set_new(o, "pagination", p);
  }
  json_t *sugg = n == 0 ? suggestions(a, &sq) : json_array();
  json_object_set_new(o, "has_suggestions",
                      json_boolean(json_array_size(sugg) > 0));
  json_object_set_new(o, "suggestions", sugg);
  *status = page > 1 && page > pages && total > 0 ? 404 : 200;
  *out = o;
  return NB_OK;
}

int site_search(site_req *r, int as_json) {
  json_t *o = NULL, *d = NULL;
  int status = 200;
  web_response *res = r->res;
  int rc = search_json(r, &o, &status);
  if (rc != NB_OK)
    return rc;
  if (as_json) {
    char *txt = json_dumps(o, JSON_COMPACT);
    view_decref(o);
    if (!txt)
      return site_check(r, NB_ENOMEM, "json_dumps");
    buf_puts(&res->body, txt);
    view_release(txt);
    res->content_type = "application/json; charset=utf-8";
    res->status = status;
    return NB_OK;
  }
  const char *q = json_string_value(json_object_get(o, "query"));
  const char *title;
  if (q && *q)
    /* TRANSLATORS: the words searched for, the site's name. */
    title = arena_printf(r->a, _("Search: %s - %s"), q, r->c->name);
  else
    /* TRANSLATORS: %s is the site's name. */
    title = arena_printf(r->a, _("Search - %s"), r->c->name);
  rc = view_page(r, "search", title, NULL, 0, &d);
  if (rc != NB_OK) {
    view_decref(o);
    return rc;
  }
  json_object_set_new(d, "search", o);
  view_render(r, "search", d);
  if (res->status != 500)
    res->status = status;
  res->tags = NULL; /* the query string varies: never cached by path */
  return NB_OK;
}
