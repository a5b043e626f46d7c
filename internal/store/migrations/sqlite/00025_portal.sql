-- The candidate portal: the secrets of its links and sessions. A
-- "verify" token is mailed at check-in, a "login" token on a request for
-- a log-in link; each is single use and short-lived. A "session" token is
-- the portal's own cookie, apart from the staff sessions. Only the hash of
-- a token is kept, never the token. email_fingerprint is a keyed hash
-- (the agency's key) of the address the link was sent to: a used token
-- whose fingerprint matches the candidate's current address is the proof
-- that the candidate controls it (a verified address).

-- +goose Up
CREATE TABLE portal_tokens (
    tenant_id         INTEGER NOT NULL,
    id                INTEGER NOT NULL,
    candidate_id      INTEGER NOT NULL,
    purpose           TEXT NOT NULL,
    token_hash        TEXT NOT NULL,
    email_fingerprint TEXT NOT NULL DEFAULT '',
    expires_at        TIMESTAMP NOT NULL,
    used_at           TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX portal_tokens_hash ON portal_tokens (token_hash);
CREATE INDEX portal_tokens_candidate ON portal_tokens (tenant_id, candidate_id, purpose);

-- +goose Down
DROP TABLE portal_tokens;
