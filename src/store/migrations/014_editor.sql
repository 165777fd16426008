-- 014_editor: what the newsroom's article editor keeps (issue 13): the
-- fields it edits beyond 001's, who made an article, its state in the
-- workflow, every saved revision, one autosave slot per user and article,
-- and the edit lock. Plain SQL that PostgreSQL takes too.

-- kicker: the line above the headline. seo_title/seo_description: what
-- search engines show, '' for the headline and summary. created_by: the
-- account that wrote it (NULL: imported), whose "own" article it is for
-- authors and contributors. revision: counts saves; every save must name
-- the one it started from (a stale one is refused). trashed_at: in the
-- trash since then (0: not), never public. unpublished_at: taken off the
-- site then (0: never or published again); a draft that was public.
ALTER TABLE articles ADD COLUMN kicker TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN seo_title TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN seo_description TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN breaking INTEGER NOT NULL DEFAULT 0
  CHECK (breaking IN (0, 1));
ALTER TABLE articles ADD COLUMN featured INTEGER NOT NULL DEFAULT 0
  CHECK (featured IN (0, 1));
ALTER TABLE articles ADD COLUMN created_by INTEGER REFERENCES users (id);
ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 0
  CHECK (revision >= 0);
ALTER TABLE articles ADD COLUMN trashed_at INTEGER NOT NULL DEFAULT 0
  CHECK (trashed_at = 0 OR status = 0);
ALTER TABLE articles ADD COLUMN unpublished_at INTEGER NOT NULL DEFAULT 0;

-- Slugs are unique among articles (the editor gives a collision a suffix);
-- an index, not a constraint, as imported sites may hold duplicates.
CREATE INDEX articles_by_slug ON articles (slug);
-- The newsroom's list by state, newest first.
CREATE INDEX articles_by_trash ON articles (trashed_at, id DESC);
CREATE INDEX articles_by_state ON articles (status, trashed_at, id DESC);
CREATE INDEX articles_by_creator ON articles (created_by, id DESC);

-- Bylines: one or more authors in order. articles.author_id stays the
-- first one, which lists and author pages read.
CREATE TABLE article_authors (
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  author_id INTEGER NOT NULL REFERENCES authors (id),
  position INTEGER NOT NULL,
  PRIMARY KEY (article_id, author_id)
) STRICT;
CREATE INDEX article_authors_by_author ON article_authors (author_id);
INSERT INTO article_authors (article_id, author_id, position)
  SELECT id, author_id, 0 FROM articles WHERE author_id IS NOT NULL;

-- Every save of an article, whole, as the JSON object the store writes
-- from the saved row (store_article_edit_save): who, when, what.
CREATE TABLE article_revisions (
  id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  revision INTEGER NOT NULL,
  user_id INTEGER REFERENCES users (id),
  at INTEGER NOT NULL,
  fields TEXT NOT NULL,
  UNIQUE (article_id, revision)
) STRICT;

-- What a user typed, kept every 30 s until they save: one slot per user
-- and article (article_id 0: a new article not saved yet). fields is the
-- form as sent, a JSON object; base_revision what it started from.
CREATE TABLE autosaves (
  user_id INTEGER NOT NULL REFERENCES users (id),
  article_id INTEGER NOT NULL,
  base_revision INTEGER NOT NULL,
  at INTEGER NOT NULL,
  fields TEXT NOT NULL,
  PRIMARY KEY (user_id, article_id)
) STRICT;

-- Who is editing an article, until expires_at (renewed while the page is
-- open). taken_from: the holder whose lock was taken over, told on their
-- next save, autosave or renewal.
CREATE TABLE edit_locks (
  article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users (id),
  expires_at INTEGER NOT NULL,
  taken_from INTEGER REFERENCES users (id),
  taken_at INTEGER NOT NULL DEFAULT 0
) STRICT;
