-- Name and place searches are prefix searches that ignore case. SQLite
-- uses an index for `column LIKE 'prefix%'` only when the index has the
-- NOCASE collation, so the expression indexes on lower() give way.

-- +goose Up
DROP INDEX candidates_last_name;
DROP INDEX candidates_city;
CREATE INDEX candidates_last_name ON candidates (tenant_id, last_name COLLATE NOCASE);
CREATE INDEX candidates_city ON candidates (tenant_id, city COLLATE NOCASE);

-- +goose Down
DROP INDEX candidates_last_name;
DROP INDEX candidates_city;
CREATE INDEX candidates_last_name ON candidates (tenant_id, lower(last_name));
CREATE INDEX candidates_city ON candidates (tenant_id, lower(city));
