-- A search by place gives that place's candidates in order of name, and
-- counts them, from one index: (place, name, id). The index on the place
-- alone gives way to it.

-- +goose Up
DROP INDEX candidates_city;
CREATE INDEX candidates_city_name ON candidates (tenant_id, city COLLATE NOCASE, last_name COLLATE NOCASE, id);

-- +goose Down
DROP INDEX candidates_city_name;
CREATE INDEX candidates_city ON candidates (tenant_id, city COLLATE NOCASE);
