-- Name and place searches are prefix searches on lower(column). With a
-- non-C collation PostgreSQL uses an index for LIKE 'prefix%' only with the
-- text_pattern_ops operator class; the plain expression indexes stay for
-- sorting.

-- +goose Up
CREATE INDEX candidates_last_name_prefix ON candidates (tenant_id, lower(last_name) text_pattern_ops);
CREATE INDEX candidates_city_prefix ON candidates (tenant_id, lower(city) text_pattern_ops);

-- +goose Down
DROP INDEX candidates_last_name_prefix;
DROP INDEX candidates_city_prefix;
