-- The day a candidate's identity document number was recorded: an ID copy
-- of a candidate who is not employed may be kept 4 weeks from then (R2).
-- Numbers recorded before this migration count from the migration's day.

-- +goose Up
ALTER TABLE candidates ADD COLUMN id_recorded_on DATE;
UPDATE candidates SET id_recorded_on = CURRENT_DATE WHERE id_document_number <> '';

-- +goose Down
ALTER TABLE candidates DROP COLUMN id_recorded_on;
