-- An agency's own settings: its details as the controller (the processing
-- register and the privacy statement name them) and the optional candidate
-- data it has chosen not to collect. One row per agency, edited with a
-- version against lost updates.

-- +goose Up
CREATE TABLE tenant_settings (
    tenant_id     BIGINT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    address       TEXT NOT NULL DEFAULT '',
    kvk_number    TEXT NOT NULL DEFAULT '',
    dpo_name      TEXT NOT NULL DEFAULT '',
    dpo_email     TEXT NOT NULL DEFAULT '',
    dpo_phone     TEXT NOT NULL DEFAULT '',
    not_collected TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    updated_by    BIGINT
);

-- +goose Down
DROP TABLE tenant_settings;
