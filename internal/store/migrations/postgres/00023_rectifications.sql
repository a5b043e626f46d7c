-- Rectification (art. 16 GDPR). A supplementary statement the candidate
-- adds to their data is the candidate's data: it goes with them
-- (childTables). A rectification is the record of what a rectification
-- request changed — the names of the fields, never their values, and the
-- statement it added — and outlives the candidate as the proof, like the
-- request it belongs to.

-- +goose Up
CREATE TABLE supplementary_statements (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    candidate_id BIGINT NOT NULL,
    request_id   BIGINT,
    body         TEXT NOT NULL,
    user_id      BIGINT,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX supplementary_statements_candidate ON supplementary_statements (tenant_id, candidate_id);

CREATE TABLE rectifications (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    request_id   BIGINT NOT NULL,
    candidate_id BIGINT NOT NULL,
    fields       TEXT NOT NULL DEFAULT '',
    statement_id BIGINT,
    user_id      BIGINT,
    at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX rectifications_request ON rectifications (tenant_id, request_id);

-- +goose Down
DROP TABLE rectifications;
DROP TABLE supplementary_statements;
