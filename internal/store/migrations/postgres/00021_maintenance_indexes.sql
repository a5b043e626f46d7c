-- The hourly removal of ID copies past 4 weeks (R2) looks for candidates
-- and documents by the day the copy was made; without these indexes it
-- read every candidate of the agency, once an hour.

-- +goose Up
CREATE INDEX candidates_id_recorded ON candidates (tenant_id, id_recorded_on) WHERE id_recorded_on IS NOT NULL;
CREATE INDEX documents_kind_created ON documents (tenant_id, kind, created_at);

-- +goose Down
DROP INDEX documents_kind_created;
DROP INDEX candidates_id_recorded;
