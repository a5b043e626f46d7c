-- A search by place gives that place's candidates in order of name, and
-- counts them, from one index: (place, name, id), which also holds the
-- restricted column that every search of staff filters on, so that the
-- count never reads the table. The index on the place alone gives way to
-- it; the name index gets id and restricted as well, for the same reasons.

-- +goose Up
DROP INDEX candidates_city;
CREATE INDEX candidates_city_name ON candidates (tenant_id, city COLLATE NOCASE, last_name COLLATE NOCASE, id, restricted);
DROP INDEX candidates_last_name;
CREATE INDEX candidates_last_name ON candidates (tenant_id, last_name COLLATE NOCASE, id, restricted);

-- +goose Down
DROP INDEX candidates_city_name;
CREATE INDEX candidates_city ON candidates (tenant_id, city COLLATE NOCASE);
DROP INDEX candidates_last_name;
CREATE INDEX candidates_last_name ON candidates (tenant_id, last_name COLLATE NOCASE);
