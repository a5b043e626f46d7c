-- The agency's privacy statement, in versions numbered 1, 2, … per agency:
-- Markdown in Dutch and English, published by the privacy officer. A
-- published version is never changed; a newer one replaces it as the
-- current one, and the old ones stay readable. The tables of purposes,
-- data, terms and recipients are not stored: placeholders in the text are
-- filled from the catalogue when the statement is shown.
--
-- The proof of informing is a contact moment ("privacy-statement-shown" or
-- "-sent") that names the version in statement_version.
--
-- Sending a new version to every active candidate is a job with one item a
-- candidate, like a clean-up run: each item is marked done in the
-- transaction that writes the candidate's e-mail and contact moment, so a
-- job killed halfway goes on where it stopped and sends nothing twice.

-- +goose Up
CREATE TABLE privacy_statements (
    tenant_id    BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    text_nl      TEXT NOT NULL,
    text_en      TEXT NOT NULL,
    published_by BIGINT,
    published_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, version)
);

ALTER TABLE contact_moments ADD COLUMN statement_version BIGINT;
CREATE INDEX contact_moments_statement ON contact_moments (tenant_id, statement_version, candidate_id) WHERE statement_version IS NOT NULL;

CREATE TABLE statement_sends (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    user_id      BIGINT,
    state        TEXT NOT NULL,
    total        BIGINT NOT NULL DEFAULT 0,
    done         BIGINT NOT NULL DEFAULT 0,
    sent         BIGINT NOT NULL DEFAULT 0,
    skipped      BIGINT NOT NULL DEFAULT 0,
    failed       BIGINT NOT NULL DEFAULT 0,
    started_at   TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE statement_send_items (
    tenant_id    BIGINT NOT NULL,
    send_id      BIGINT NOT NULL,
    candidate_id BIGINT NOT NULL,
    state        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, send_id, candidate_id),
    FOREIGN KEY (tenant_id, send_id) REFERENCES statement_sends (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX statement_send_items_pending ON statement_send_items (tenant_id, send_id, state);

-- +goose Down
DROP TABLE statement_send_items;
DROP TABLE statement_sends;
DROP INDEX contact_moments_statement;
ALTER TABLE contact_moments DROP COLUMN statement_version;
DROP TABLE privacy_statements;
