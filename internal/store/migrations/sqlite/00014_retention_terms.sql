-- The agency's own maximum terms for R1 (candidates who never worked) and
-- R3 (the personnel file), in months; 0 is the legal 24.

-- +goose Up
ALTER TABLE tenant_settings ADD COLUMN r1_months INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenant_settings ADD COLUMN r3_months INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tenant_settings DROP COLUMN r3_months;
ALTER TABLE tenant_settings DROP COLUMN r1_months;
