-- A search by place gives that place's candidates in order of name, and
-- counts them, from one index: (place, name, id), which also carries the
-- restricted column that every search of staff filters on. The index on
-- the place alone gives way to it; the text_pattern_ops index stays for
-- searches by the start of a place name.

-- +goose Up
DROP INDEX candidates_city;
CREATE INDEX candidates_city_name ON candidates (tenant_id, lower(city), lower(last_name), id) INCLUDE (restricted);

-- +goose Down
DROP INDEX candidates_city_name;
CREATE INDEX candidates_city ON candidates (tenant_id, lower(city));
