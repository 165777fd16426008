-- 015_sections: a section's description (the section page's meta
-- description), edited in the newsroom. parent_id came with 007; the store
-- refuses a parent that would make a cycle.
ALTER TABLE sections ADD COLUMN description TEXT NOT NULL DEFAULT '';
-- A section's children, for the cycle check and for moving them up when
-- their parent is deleted.
CREATE INDEX sections_by_parent ON sections (parent_id);
