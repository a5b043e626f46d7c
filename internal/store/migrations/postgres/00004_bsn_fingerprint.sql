-- A keyed hash of the BSN, so that payroll finds a second candidate with
-- the same BSN without the BSN being a readable search key.

-- +goose Up
ALTER TABLE candidates ADD COLUMN bsn_fingerprint TEXT NOT NULL DEFAULT '';
CREATE INDEX candidates_bsn_fingerprint ON candidates (tenant_id, bsn_fingerprint) WHERE bsn_fingerprint <> '';

-- +goose Down
DROP INDEX candidates_bsn_fingerprint;
ALTER TABLE candidates DROP COLUMN bsn_fingerprint;
