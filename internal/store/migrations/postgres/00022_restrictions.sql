-- Restriction of processing (art. 18 GDPR) on one of its four grounds, and
-- the record of every processing anyway (art. 18(2)). This is not the
-- restriction of candidates.restricted, which a staged erasure leaves: an
-- art. 18 restriction keeps the candidate visible to the staff who saw
-- them, but their data are only stored — not used, changed or deleted —
-- until it is lifted, which needs the candidate informed first
-- (informed_on, informed_how; an e-mail through the outbox names its
-- message in notice_id). An objection (art. 21) places a restriction on
-- ground (d) and records its outcome here. Like a request, a restriction
-- is the proof of how a right was honoured: no foreign key to the
-- candidate, so that it outlives an erasure, which empties its note.

-- +goose Up
CREATE TABLE restrictions (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    candidate_id BIGINT NOT NULL,
    ground       TEXT NOT NULL,
    started_on   DATE NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    request_id   BIGINT,
    user_id      BIGINT,
    outcome      TEXT NOT NULL DEFAULT '',
    decided_on   DATE,
    informed_on  DATE,
    informed_how TEXT NOT NULL DEFAULT '',
    informed_by  BIGINT,
    notice_id    BIGINT,
    lifted_on    DATE,
    lifted_by    BIGINT,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX restrictions_candidate ON restrictions (tenant_id, candidate_id);
-- Every write of a candidate's data asks: is the candidate restricted now?
CREATE INDEX restrictions_active ON restrictions (tenant_id, candidate_id) WHERE lifted_on IS NULL;
-- One restriction per request.
CREATE UNIQUE INDEX restrictions_request ON restrictions (tenant_id, request_id) WHERE request_id IS NOT NULL;

-- One row per write that processed a restricted candidate's data anyway:
-- the reason (a closed list of art. 18(2)), a note, what was written, by
-- whom, when — committed in the transaction of that write.
CREATE TABLE restriction_overrides (
    tenant_id      BIGINT NOT NULL,
    id             BIGINT NOT NULL,
    restriction_id BIGINT NOT NULL,
    candidate_id   BIGINT NOT NULL,
    reason         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    entity         TEXT NOT NULL,
    user_id        BIGINT,
    at             TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, restriction_id) REFERENCES restrictions (tenant_id, id)
);
CREATE INDEX restriction_overrides_restriction ON restriction_overrides (tenant_id, restriction_id);
CREATE INDEX restriction_overrides_candidate ON restriction_overrides (tenant_id, candidate_id);

-- +goose Down
DROP TABLE restriction_overrides;
DROP TABLE restrictions;
