-- 012_comment_guards: what makes posting a comment safe against replays and
-- floods, kept in the database so the rules hold across restarts and, on
-- PostgreSQL later, across machines.

-- A form token's one-time nonce, recorded with the comment it let through
-- and kept until the token expires (then a replay fails on its date).
CREATE TABLE comment_nonces (
  nonce TEXT PRIMARY KEY CHECK (nonce <> ''),
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX comment_nonces_by_expiry ON comment_nonces (expires_at);

-- One row per client that posted lately. Writing it first in a post's
-- transaction takes the client's row lock: on PostgreSQL two posts from
-- one client then count and insert one after the other (SQLite's
-- BEGIN IMMEDIATE already serializes every writer).
CREATE TABLE comment_clients (
  client TEXT PRIMARY KEY,
  last_at INTEGER NOT NULL
) STRICT;
CREATE INDEX comment_clients_by_time ON comment_clients (last_at);
