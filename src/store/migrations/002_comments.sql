-- 002_comments: readers' comments, and the per-article override of the
-- site's comment closing. No BEGIN/COMMIT: store_open() runs every pending
-- migration in one transaction.

-- status: 0 pending, 1 approved, 2 spam. parent_id NULL is a top-level
-- comment; a parent belongs to the same article (checked by the store, which
-- also moves replies up before deleting their parent, so the reference never
-- dangles). content_key identifies the content (article, e-mail, text): a
-- resubmitted form finds the first comment instead of adding a copy.
-- author_email is kept for moderation and avatars only, never shown.
CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  parent_id INTEGER REFERENCES comments (id),
  author_name TEXT NOT NULL CHECK (author_name <> ''),
  author_email TEXT NOT NULL CHECK (author_email <> ''),
  author_url TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL CHECK (body <> ''),
  status INTEGER NOT NULL CHECK (status IN (0, 1, 2)),
  created_at INTEGER NOT NULL CHECK (created_at >= 0),
  avatar_key TEXT NOT NULL DEFAULT '',
  client TEXT NOT NULL DEFAULT '',
  content_key TEXT NOT NULL CHECK (content_key <> ''),
  UNIQUE (article_id, content_key)
) STRICT;

-- An article's thread, oldest first; also serves the foreign key from
-- articles (ON DELETE CASCADE) and the approved counts of a list page.
CREATE INDEX comments_by_article
  ON comments (article_id, status, created_at, id);
-- The moderation queue, newest first.
CREATE INDEX comments_by_status ON comments (status, created_at DESC, id DESC);
-- The rate limit: comments from one client since a time.
CREATE INDEX comments_by_client ON comments (client, created_at);
-- Returning readers. lower() folds ASCII only: enough for e-mail addresses,
-- and names then match exactly except for ASCII case.
CREATE INDEX comments_by_email ON comments (lower(author_email));
-- Moving replies up when their parent is deleted, and the foreign key check
-- that comes with the delete, without scanning the table.
CREATE INDEX comments_by_parent ON comments (parent_id);

-- -1 follows the site setting, 0 open, 1 closed.
ALTER TABLE articles ADD COLUMN comments_state INTEGER NOT NULL DEFAULT -1
  CHECK (comments_state IN (-1, 0, 1));
