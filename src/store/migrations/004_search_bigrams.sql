-- 004_search_bigrams: the tokenizer now also indexes each pair of adjacent
-- words one of which is a stop word (search/stop.c), so that a quoted
-- phrase with a stop word is found without checking positions in nearly
-- every article. Documents indexed before lack those terms: the index is
-- made empty here, and store_open() fills it again from the articles right
-- after the migrations, as it did after 003 (the statement is FTS_CREATE
-- in store/sqlite.c; change both together).
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, tokenize = 'naba');
