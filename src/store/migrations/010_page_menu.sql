-- 010_page_menu: every page of the site lists the published top-level
-- static pages in its footer, and a static page its published children,
-- ordered by menu_order, then title (slug breaks ties: it is unique). This
-- index holds every column those lists read, so they read neither the
-- rows nor the bodies before status in them; it also serves the foreign
-- key's ON DELETE SET NULL of parent_id.
CREATE INDEX pages_by_parent
  ON pages (parent_id, status, menu_order, title, slug, updated_at);
