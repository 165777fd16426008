-- 007_wordpress: what an import from WordPress needs to keep old links
-- working and to update instead of duplicating when run again.
-- wp_posts: the WordPress post ID (?p=ID) of each imported article.
CREATE TABLE wp_posts (
  wp_id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL UNIQUE REFERENCES articles (id) ON DELETE CASCADE
) STRICT;

-- Old permalink paths ("/2021/11/24/slug/"), answered with a 301.
CREATE TABLE redirects (
  path TEXT PRIMARY KEY CHECK (path <> ''),
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX redirects_by_article ON redirects (article_id);

-- Media an import could not fetch (offline): kept with their URLs.
CREATE TABLE attachments (
  wp_id INTEGER PRIMARY KEY,
  url TEXT NOT NULL CHECK (url <> ''),
  title TEXT NOT NULL DEFAULT '',
  article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL
) STRICT;

-- Newsroom accounts. Imported ones have no password: they must set one.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL UNIQUE CHECK (login <> ''),
  email TEXT NOT NULL DEFAULT '',
  author_id INTEGER REFERENCES authors (id),
  password_hash TEXT,
  created_at INTEGER NOT NULL
) STRICT;

-- Nested categories, and WordPress's sticky posts.
ALTER TABLE sections ADD COLUMN parent_id INTEGER REFERENCES sections (id);
ALTER TABLE articles ADD COLUMN sticky INTEGER NOT NULL DEFAULT 0
  CHECK (sticky IN (0, 1));
