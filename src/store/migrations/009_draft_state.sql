-- 009_draft_state: what kind of draft an article is. WordPress's "pending"
-- (written, awaiting an editor's review) and "private" (kept for the
-- newsroom) posts are not public, so they are drafts (status 0) like any
-- other, but an import and an export must keep which they were. '' is an
-- ordinary draft, and every published article: the CHECK refuses a
-- published article with a draft state (the store says so first, in
-- article_check(), with a clearer message). Visibility is still status
-- alone; no read for readers looks at this column.
ALTER TABLE articles ADD COLUMN draft_state TEXT NOT NULL DEFAULT ''
  CHECK (draft_state IN ('', 'pending', 'private')
         AND (draft_state = '' OR status = 0));
