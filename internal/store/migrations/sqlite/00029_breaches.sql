-- The data breach register (GDPR art. 33 and 34): every breach with its
-- discovery (the 72-hour clock runs from discovered_at), facts, categories
-- of data, number of candidates concerned, effects, measures, the decision
-- whether to report it to the Autoriteit Persoonsgegevens, and whether the
-- candidates were told. It is the agency's own accountability record: kept
-- five years after it is closed (catalogue rule "breach"). Candidates are
-- linked by id only (breach_candidates), with no foreign key: a link
-- outlives the candidate's erasure as the pseudonymous proof that they
-- were concerned and told; the erasure redacts their name, e-mail address
-- and phone number from the breach's texts.

-- +goose Up
CREATE TABLE breaches (
    tenant_id       INTEGER NOT NULL,
    id              INTEGER NOT NULL,
    title           TEXT NOT NULL,
    discovered_at   TIMESTAMP NOT NULL,
    facts           TEXT NOT NULL DEFAULT '',
    categories      TEXT NOT NULL DEFAULT '',
    affected_count  INTEGER NOT NULL DEFAULT 0,
    effects         TEXT NOT NULL DEFAULT '',
    measures        TEXT NOT NULL DEFAULT '',
    risk            TEXT NOT NULL DEFAULT '',
    decision        TEXT NOT NULL DEFAULT '',
    decision_reason TEXT NOT NULL DEFAULT '',
    decided_at      TIMESTAMP,
    decided_by      INTEGER,
    ap_reported_at  TIMESTAMP,
    ap_reference    TEXT NOT NULL DEFAULT '',
    inform_decision TEXT NOT NULL DEFAULT '',
    inform_reason   TEXT NOT NULL DEFAULT '',
    notice_text     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    closed_at       TIMESTAMP,
    reported_by     INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- The privacy officer's question: which breaches still wait for a decision?
CREATE INDEX breaches_undecided ON breaches (tenant_id, discovered_at) WHERE decision = '';

CREATE TABLE breach_candidates (
    tenant_id    INTEGER NOT NULL,
    breach_id    INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    added_at     TIMESTAMP NOT NULL,
    added_by     INTEGER,
    informed_via TEXT NOT NULL DEFAULT '',
    informed_at  TIMESTAMP,
    PRIMARY KEY (tenant_id, breach_id, candidate_id),
    FOREIGN KEY (tenant_id, breach_id) REFERENCES breaches (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX breach_candidates_candidate ON breach_candidates (tenant_id, candidate_id);

-- +goose Down
DROP TABLE breach_candidates;
DROP TABLE breaches;
