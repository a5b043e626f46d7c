-- payroll_records refers to placements and documents; without an index on
-- those references every deleted placement or document (an erasure) made
-- the database look through all of the agency's payroll records.

-- +goose Up
CREATE INDEX payroll_records_placement ON payroll_records (tenant_id, placement_id);
CREATE INDEX payroll_records_document ON payroll_records (tenant_id, document_id);

-- +goose Down
DROP INDEX payroll_records_document;
DROP INDEX payroll_records_placement;
