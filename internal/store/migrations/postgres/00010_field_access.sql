-- The agency's own field permissions: where an administrator has set a
-- role's access to a catalogued field apart from the catalogue's default.
-- Kept with the settings, under their version.

-- +goose Up
ALTER TABLE tenant_settings ADD COLUMN field_access TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenant_settings DROP COLUMN field_access;
