-- Legal holds, which stop every retention expiry of a candidate's data
-- while they last, and consents to keep data longer (R1 and R3 only), with
-- their proof. Neither is ever deleted on its own: a hold is ended, a
-- consent withdrawn; both go with the candidate.

-- +goose Up
CREATE TABLE legal_holds (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    candidate_id BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    start_date   DATE NOT NULL,
    end_date     DATE,
    user_id      BIGINT,
    ended_by     BIGINT,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX legal_holds_candidate ON legal_holds (tenant_id, candidate_id);

-- contact_moment_id names the history entry made with the consent; it is
-- no foreign key, so that correcting the history never loses the proof.
CREATE TABLE consents (
    tenant_id         BIGINT NOT NULL,
    id                BIGINT NOT NULL,
    candidate_id      BIGINT NOT NULL,
    channel           TEXT NOT NULL,
    wording           TEXT NOT NULL,
    given_on          DATE NOT NULL,
    valid_until       DATE NOT NULL,
    withdrawn_on      DATE,
    contact_moment_id BIGINT,
    user_id           BIGINT,
    withdrawn_by      BIGINT,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX consents_candidate ON consents (tenant_id, candidate_id);

-- +goose Down
DROP TABLE consents;
DROP TABLE legal_holds;
