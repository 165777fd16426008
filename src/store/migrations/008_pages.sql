-- 008_pages: static pages (about, contact, terms...), apart from the news:
-- they are in no section, list, feed or sitemap of articles. Imported
-- WordPress pages keep their ID (?p=ID) and old paths, as posts do.
CREATE TABLE pages (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES pages (id) ON DELETE SET NULL,
  title TEXT NOT NULL CHECK (title <> ''),
  slug TEXT NOT NULL UNIQUE CHECK (slug <> ''),
  body_html TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL CHECK (status IN (0, 1)),
  menu_order INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  source_key TEXT UNIQUE CHECK (source_key <> '')
) STRICT;

CREATE TABLE wp_pages (
  wp_id INTEGER PRIMARY KEY,
  page_id INTEGER NOT NULL UNIQUE REFERENCES pages (id) ON DELETE CASCADE
) STRICT;

CREATE TABLE page_redirects (
  path TEXT PRIMARY KEY CHECK (path <> ''),
  page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
