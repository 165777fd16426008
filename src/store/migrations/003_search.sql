-- 003_search: the full-text index of articles (title and body text), with
-- the "naba" tokenizer of search/ (registered on every connection before
-- migrations run). rowid is the article id. It keeps its own copy of the
-- text, which highlight() and snippet() read; the body is stored as plain
-- text (search_text_from_html), so the index cannot be filled from SQL:
-- store_open() fills it after this migration, and store_reindex() drops
-- and recreates it with the same statement (FTS_CREATE in store/sqlite.c;
-- change both together). Drafts and scheduled articles are indexed too;
-- searches join articles to show only what readers may see.
CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, tokenize = 'naba');

-- Searches check every match for readers' visibility (and the section).
-- Read from the articles table, status and published_at sit behind the
-- body, in its overflow pages: ten times slower than this index, which
-- store/sqlite.c names (INDEXED BY) as the planner prefers the rowid.
CREATE INDEX articles_visibility
  ON articles (id, status, published_at, section_id);
