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
    tenant_id    INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    text_nl      TEXT NOT NULL,
    text_en      TEXT NOT NULL,
    published_by INTEGER,
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, version)
);

ALTER TABLE contact_moments ADD COLUMN statement_version INTEGER;
CREATE INDEX contact_moments_statement ON contact_moments (tenant_id, statement_version, candidate_id) WHERE statement_version IS NOT NULL;

CREATE TABLE statement_sends (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    user_id      INTEGER,
    state        TEXT NOT NULL,
    total        INTEGER NOT NULL DEFAULT 0,
    done         INTEGER NOT NULL DEFAULT 0,
    sent         INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    started_at   TIMESTAMP NOT NULL,
    heartbeat_at TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE statement_send_items (
    tenant_id    INTEGER NOT NULL,
    send_id      INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
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
