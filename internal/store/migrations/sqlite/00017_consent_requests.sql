-- Requests to a candidate for consent to keep their data longer (R1 and
-- R3), sent by e-mail some days before the data expire, with a personal
-- link: a random token of which only the hash is kept, valid until the
-- data expire, usable once. The answer is kept here and in the
-- candidate's history; no answer means the data expire on schedule.

-- +goose Up
CREATE TABLE consent_requests (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    token_hash   TEXT NOT NULL,
    data_expires DATE NOT NULL,
    sent_on      DATE NOT NULL,
    reminded_on  DATE,
    link_expires TIMESTAMP NOT NULL,
    answer       TEXT NOT NULL DEFAULT '',
    answered_at  TIMESTAMP,
    consent_id   INTEGER,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX consent_requests_token ON consent_requests (token_hash);
CREATE INDEX consent_requests_candidate ON consent_requests (tenant_id, candidate_id);

ALTER TABLE tenant_settings ADD COLUMN consent_notice_days INTEGER NOT NULL DEFAULT 30;

-- +goose Down
ALTER TABLE tenant_settings DROP COLUMN consent_notice_days;
DROP TABLE consent_requests;
