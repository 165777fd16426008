-- 001_init: sections, authors, articles, site settings and the change log.
-- Every table is STRICT so a value of the wrong type is refused, not coerced.
-- Times are Unix seconds, UTC.

CREATE TABLE sections (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (name <> ''),
  slug TEXT NOT NULL UNIQUE CHECK (slug <> ''),
  position INTEGER NOT NULL
) STRICT;

CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (name <> ''),
  slug TEXT NOT NULL UNIQUE CHECK (slug <> '')
) STRICT;

-- status: 0 draft, 1 published. A published article with published_at in
-- the future is scheduled: readers see it from that time on.
-- source_key identifies where an imported article came from, so importing
-- the same file again updates it instead of adding a copy.
CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  section_id INTEGER NOT NULL REFERENCES sections (id),
  author_id INTEGER REFERENCES authors (id),
  title TEXT NOT NULL CHECK (title <> ''),
  slug TEXT NOT NULL CHECK (slug <> ''),
  summary TEXT NOT NULL DEFAULT '',
  body_html TEXT NOT NULL DEFAULT '',
  image_url TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL CHECK (status IN (0, 1)),
  published_at INTEGER NOT NULL CHECK (published_at >= 0),
  updated_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  source_key TEXT UNIQUE CHECK (source_key <> '')
) STRICT;

-- Newest first, with id as the tie-break so paging is stable; the id in the
-- index lets one index scan serve the whole ORDER BY.
CREATE INDEX articles_by_date ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_by_section
  ON articles (section_id, status, published_at DESC, id DESC);
-- Foreign key checks on authors, and author pages.
CREATE INDEX articles_by_author ON articles (author_id);

CREATE TABLE settings (
  key TEXT PRIMARY KEY CHECK (key <> ''),
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Cache tags touched by each write ("article:42", "home", ...). AUTOINCREMENT
-- so ids are never reused after the oldest rows are trimmed: pollers compare
-- ids.
CREATE TABLE changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tag TEXT NOT NULL CHECK (tag <> ''),
  at INTEGER NOT NULL
) STRICT;
