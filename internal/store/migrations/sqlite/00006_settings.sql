-- An agency's own settings: its details as the controller (the processing
-- register and the privacy statement name them) and the optional candidate
-- data it has chosen not to collect. One row per agency, edited with a
-- version against lost updates.

-- +goose Up
CREATE TABLE tenant_settings (
    tenant_id     INTEGER NOT NULL PRIMARY KEY REFERENCES tenants (id),
    address       TEXT NOT NULL DEFAULT '',
    kvk_number    TEXT NOT NULL DEFAULT '',
    dpo_name      TEXT NOT NULL DEFAULT '',
    dpo_email     TEXT NOT NULL DEFAULT '',
    dpo_phone     TEXT NOT NULL DEFAULT '',
    not_collected TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    updated_by    INTEGER
);

-- +goose Down
DROP TABLE tenant_settings;
