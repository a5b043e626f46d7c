-- The request register: every request of a candidate to exercise a right
-- (LEGAL.md §3) with its receipt, identity check, handler, deadline,
-- extension, outcome and, for an erasure request, the erasure it led to.
-- A request is the proof of how the right was honoured: it has no foreign
-- key to the candidate, so that it outlives the candidate's erasure, which
-- empties its free texts (description, extension_reason, outcome) and
-- keeps the kind, dates and status, naming the candidate only by their
-- pseudonymous id, like an erasure record.

-- +goose Up
CREATE TABLE requests (
    tenant_id        INTEGER NOT NULL,
    id               INTEGER NOT NULL,
    candidate_id     INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    received_on      DATE NOT NULL,
    channel          TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    verified_how     TEXT NOT NULL DEFAULT '',
    verified_on      DATE,
    verified_by      INTEGER,
    handler_id       INTEGER,
    status           TEXT NOT NULL,
    due_on           DATE NOT NULL,
    extension_reason TEXT NOT NULL DEFAULT '',
    extended_on      DATE,
    notice_sent_on   DATE,
    outcome          TEXT NOT NULL DEFAULT '',
    closed_on        DATE,
    erasure_id       INTEGER,
    residue_hits     INTEGER,
    user_id          INTEGER,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX requests_candidate ON requests (tenant_id, candidate_id);
-- The start page's question: which open requests are (nearly) due?
CREATE INDEX requests_open_due ON requests (tenant_id, due_on) WHERE closed_on IS NULL;

-- +goose Down
DROP TABLE requests;
