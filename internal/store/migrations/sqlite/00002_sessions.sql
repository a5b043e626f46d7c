-- Log-in sessions of staff, kept in the database so that several kluis
-- processes share them and an administrator can end them; and each user's
-- language for the web interface.

-- +goose Up
CREATE TABLE sessions (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'nl';

-- +goose Down
ALTER TABLE users DROP COLUMN language;
DROP TABLE sessions;
