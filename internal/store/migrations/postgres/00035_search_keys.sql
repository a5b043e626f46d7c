-- Under row-level security (00034) a condition of the query's own that
-- calls a function PostgreSQL does not know to be leakproof — lower(),
-- LIKE — can no longer be an index condition: a search by name or place
-- read every candidate of the agency. The lower-case forms are now columns
-- of their own (generated, so they cannot drift from the names), and the
-- store compares them with =, ~>=~ and ~<~, which are leakproof: the
-- indexes serve them again, with the policy in force.
--
-- PostgreSQL only: SQLite has no row-level security and searches through
-- NOCASE indexes.

-- +goose Up
ALTER TABLE candidates
    ADD COLUMN last_name_key TEXT GENERATED ALWAYS AS (lower(last_name)) STORED,
    ADD COLUMN city_key TEXT GENERATED ALWAYS AS (lower(city)) STORED,
    ADD COLUMN email_key TEXT GENERATED ALWAYS AS (lower(email)) STORED;
DROP INDEX candidates_last_name;
DROP INDEX candidates_last_name_prefix;
DROP INDEX candidates_city_prefix;
DROP INDEX candidates_email;
DROP INDEX candidates_city_name;
CREATE INDEX candidates_last_name ON candidates (tenant_id, last_name_key, id) INCLUDE (restricted);
CREATE INDEX candidates_last_name_prefix ON candidates (tenant_id, last_name_key text_pattern_ops) INCLUDE (restricted);
CREATE INDEX candidates_city_prefix ON candidates (tenant_id, city_key text_pattern_ops) INCLUDE (restricted);
CREATE INDEX candidates_city_name ON candidates (tenant_id, city_key, last_name_key, id) INCLUDE (restricted);
CREATE INDEX candidates_email ON candidates (tenant_id, email_key);

-- +goose Down
DROP INDEX candidates_last_name;
DROP INDEX candidates_last_name_prefix;
DROP INDEX candidates_city_prefix;
DROP INDEX candidates_city_name;
DROP INDEX candidates_email;
ALTER TABLE candidates DROP COLUMN last_name_key, DROP COLUMN city_key, DROP COLUMN email_key;
CREATE INDEX candidates_last_name ON candidates (tenant_id, lower(last_name));
CREATE INDEX candidates_last_name_prefix ON candidates (tenant_id, lower(last_name) text_pattern_ops);
CREATE INDEX candidates_city_prefix ON candidates (tenant_id, lower(city) text_pattern_ops);
CREATE INDEX candidates_email ON candidates (tenant_id, lower(email));
CREATE INDEX candidates_city_name ON candidates (tenant_id, lower(city), lower(last_name), id) INCLUDE (restricted);
