-- 011_page_draft_state: what kind of draft a static page is, as 009 keeps
-- it for articles: WordPress's "pending" and "private" pages (and pages
-- behind a password, which naba shows to nobody) are drafts that an
-- import and an export keep apart. '' for ordinary drafts and every
-- published page.
ALTER TABLE pages ADD COLUMN draft_state TEXT NOT NULL DEFAULT ''
  CHECK (draft_state IN ('', 'pending', 'private')
         AND (draft_state = '' OR status = 0));
