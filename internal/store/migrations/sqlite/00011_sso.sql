-- Single sign-on with OpenID Connect. Per agency: its identity provider
-- (issuer URL), the client id kluis has there and the client secret, sealed
-- with the agency's own key in the key store; whether SSO is on, and
-- whether staff may still log in with a password next to it (an
-- administrator always may). The SSO log-ins under way: one row per browser
-- sent to the identity provider, found by the hash of the secret in its
-- cookie, used once, for ten minutes, with the page to go to after it and
-- the language of the log-in page. And on each session whether the
-- identity provider reported a second factor, which then counts as
-- kluis's own.

-- +goose Up
CREATE TABLE tenant_sso (
    tenant_id      INTEGER NOT NULL PRIMARY KEY REFERENCES tenants (id),
    enabled        BOOLEAN NOT NULL DEFAULT FALSE,
    issuer_url     TEXT NOT NULL DEFAULT '',
    client_id      TEXT NOT NULL DEFAULT '',
    client_secret  TEXT NOT NULL DEFAULT '',
    password_login BOOLEAN NOT NULL DEFAULT TRUE,
    version        INTEGER NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    updated_by     INTEGER
);

CREATE TABLE sso_logins (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    id         INTEGER NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    next_path  TEXT NOT NULL DEFAULT '/',
    lang       TEXT NOT NULL DEFAULT 'nl',
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sso_logins_expiry ON sso_logins (expires_at);

ALTER TABLE sessions ADD COLUMN idp_mfa BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE sessions DROP COLUMN idp_mfa;
DROP TABLE sso_logins;
DROP TABLE tenant_sso;
