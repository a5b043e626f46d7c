-- Log-in security of staff: an edit counter on users against lost updates
-- by two administrators; a password an administrator set, to be replaced
-- at the next log-in; two-factor log-in with TOTP (the secret sealed with
-- the agency's key, the last time step used so that no code works twice,
-- one-time recovery codes stored as hashes); the lock-out after failed
-- log-ins; and the half-logged-in state between a correct password and the
-- code, which is no session and reaches no page.

-- +goose Up
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_since TIMESTAMP;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN lock_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMP;
ALTER TABLE users ADD COLUMN last_login_at TIMESTAMP;

CREATE TABLE recovery_codes (
    tenant_id  INTEGER NOT NULL,
    id         INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    code_hash  BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_id, code_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE login_challenges (
    tenant_id  INTEGER NOT NULL,
    id         INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX login_challenges_user ON login_challenges (tenant_id, user_id);

-- +goose Down
DROP TABLE login_challenges;
DROP TABLE recovery_codes;
ALTER TABLE users DROP COLUMN last_login_at;
ALTER TABLE users DROP COLUMN locked_until;
ALTER TABLE users DROP COLUMN lock_count;
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_since;
ALTER TABLE users DROP COLUMN totp_pending;
ALTER TABLE users DROP COLUMN totp_secret;
ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE users DROP COLUMN version;
