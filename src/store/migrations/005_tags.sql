-- 005_tags: tags on articles (imported from WordPress, set by the newsroom),
-- for tag feeds and pages. Removing an article removes its tag links.
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (name <> ''),
  slug TEXT NOT NULL UNIQUE CHECK (slug <> '')
) STRICT;

CREATE TABLE article_tags (
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags (id),
  PRIMARY KEY (article_id, tag_id)
) STRICT, WITHOUT ROWID;

-- A tag's articles, for its feed.
CREATE INDEX article_tags_by_tag ON article_tags (tag_id, article_id);
-- An author's articles, newest first, for the author's feed.
CREATE INDEX articles_by_author_date
  ON articles (author_id, status, published_at DESC, id DESC);
