-- 013_accounts: the newsroom's people, their login sessions, and the audit
-- log of what they did (issue 13). Plain SQL that PostgreSQL takes too, but
-- for the rebuild of users.

-- 007 made users for the WordPress import: a login, maybe an e-mail, the
-- byline (author_id), no password. They become accounts here, as authors
-- with no password (no login until `naba user passwd` gives them one).
-- SQLite cannot change a table's constraints, so the table is rebuilt
-- (PostgreSQL would ALTER it). A user is never deleted, only disabled:
-- articles and the audit log keep pointing at them. email NULL: none
-- (imported); NULLs never collide in the unique index. password_hash is
-- libsodium's crypto_pwhash_str string (argon2id), NULL for none; a
-- one-time password sets must_change. failed_logins and last_failed_at
-- make the growing delay between failed logins (no hard lockout).
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (name <> ''),
  email TEXT CHECK (email <> ''),
  role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 4),
  password_hash TEXT CHECK (password_hash <> ''),
  must_change INTEGER NOT NULL DEFAULT 0 CHECK (must_change IN (0, 1)),
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  lang TEXT NOT NULL DEFAULT 'ar' CHECK (lang IN ('ar', 'en')),
  author_id INTEGER REFERENCES authors (id),
  created_at INTEGER NOT NULL CHECK (created_at >= 0),
  failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  last_failed_at INTEGER NOT NULL DEFAULT 0
) STRICT;
-- 007's logins were unique with case: a later one that differs only in
-- case gets its id appended, a later copy of an e-mail loses it.
INSERT INTO accounts (id, name, email, role, password_hash, must_change,
                      author_id, created_at)
SELECT u.id,
       CASE WHEN EXISTS (SELECT 1 FROM users o WHERE o.id < u.id
                         AND lower(o.login) = lower(u.login))
            THEN u.login || '-' || u.id ELSE u.login END,
       CASE WHEN u.email = '' OR EXISTS (SELECT 1 FROM users o
                         WHERE o.id < u.id AND lower(o.email) = lower(u.email))
            THEN NULL ELSE u.email END,
       2, u.password_hash, 1, u.author_id, u.created_at
FROM users u;
DROP TABLE users;
ALTER TABLE accounts RENAME TO users;
-- Logins by name or e-mail in any case; lower() folds ASCII only, which is
-- what store.h promises (Arabic has no case).
CREATE UNIQUE INDEX users_by_name ON users (lower(name));
CREATE UNIQUE INDEX users_by_email ON users (lower(email));
-- An author's e-mail for the WordPress export.
CREATE INDEX users_by_author ON users (author_id);

-- A login session: the hash of the cookie's token, never the token, so a
-- copy of the database logs no one in. Ended by deleting the row (logout,
-- password change, disabling); expired rows are deleted as new ones come.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY CHECK (token_hash <> ''),
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
-- "Log out everywhere" and the foreign key; the sweep of expired rows.
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Who did what to what, and when; newest first by id (the primary key, so
-- no other index). user_id NULL is the command line. Users are never
-- deleted, so the reference needs no index for deletes.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  user_id INTEGER REFERENCES users (id),
  action TEXT NOT NULL CHECK (action <> ''),
  object TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''
) STRICT;
