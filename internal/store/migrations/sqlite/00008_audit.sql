-- The access and audit log: who viewed, revealed, created, changed or
-- removed what, when. Entries hold ids and field names, never values, so
-- they survive an erasure intact. Each agency's entries form a hash chain
-- (hash = SHA-256 of the previous hash and the entry), so that a changed,
-- removed or inserted entry is found by kluis audit verify. audit_heads
-- holds each chain's last entry; updating it serialises the appends.

-- +goose Up
CREATE TABLE audit_heads (
    tenant_id INTEGER NOT NULL PRIMARY KEY REFERENCES tenants (id),
    seq       INTEGER NOT NULL,
    hash      BLOB NOT NULL
);

CREATE TABLE audit_log (
    tenant_id    INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    at           TIMESTAMP NOT NULL,
    user_id      INTEGER,
    role         TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    entity       TEXT NOT NULL DEFAULT '',
    entity_id    INTEGER,
    candidate_id INTEGER,
    fields       TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    request_id   TEXT NOT NULL DEFAULT '',
    prev_hash    BLOB NOT NULL,
    hash         BLOB NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_log_candidate ON audit_log (tenant_id, candidate_id, seq);
CREATE INDEX audit_log_user ON audit_log (tenant_id, user_id, at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE audit_heads;
