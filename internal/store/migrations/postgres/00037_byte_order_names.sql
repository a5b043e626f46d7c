-- Names are sorted and searched by the start in the order of their bytes
-- (collation "C"), as SQLite does with its NOCASE indexes. A search by the
-- start of a name compared a byte range (~>=~, ~<~) that only an index of
-- text_pattern_ops serves, while the page was ordered by the database's
-- collation, which only the other index serves: PostgreSQL read every
-- match (tens of thousands for three letters at a million candidates) to
-- sort them for a page of 50. With one order for both, the index gives the
-- first 50 matches in order and stops. < and >= of collation "C" are
-- leakproof, so the index serves them under row-level security too. The
-- index of a place's candidates in order of name follows; a search by the
-- start of a place keeps its text_pattern_ops index (its page is ordered
-- by name, which no index of places can give).

-- +goose Up
DROP INDEX candidates_last_name;
DROP INDEX candidates_last_name_prefix;
DROP INDEX candidates_city_name;
CREATE INDEX candidates_last_name ON candidates (tenant_id, last_name_key COLLATE "C", id) INCLUDE (restricted);
CREATE INDEX candidates_city_name ON candidates (tenant_id, city_key, last_name_key COLLATE "C", id) INCLUDE (restricted);

-- +goose Down
DROP INDEX candidates_last_name;
DROP INDEX candidates_city_name;
CREATE INDEX candidates_last_name ON candidates (tenant_id, last_name_key, id) INCLUDE (restricted);
CREATE INDEX candidates_last_name_prefix ON candidates (tenant_id, last_name_key text_pattern_ops) INCLUDE (restricted);
CREATE INDEX candidates_city_name ON candidates (tenant_id, city_key, last_name_key, id) INCLUDE (restricted);
