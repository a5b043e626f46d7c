-- Erasure with proof. A candidate whose data have reached the end of their
-- term, or who asked to be forgotten, is erased in stages: what no law
-- requires any more goes, what R4–R6 still require stays, restricted
-- (candidates.restricted), until that goes too and the candidate is gone.
-- Every erasure leaves a record without personal data: the candidate's
-- pseudonymous id, the groups erased and kept with their rules, when, by
-- whom, why. The record also makes an erasure resumable: the contents of
-- documents still to remove (erasure_blobs) and the subject key still to
-- destroy (key_shredded_at) are finished by whoever finds them first.
-- The clean-up runs in the background (cleanup_runs), one item a
-- candidate, so that a run killed halfway goes on where it stopped.

-- +goose Up
ALTER TABLE candidates ADD COLUMN restricted TEXT NOT NULL DEFAULT '';
ALTER TABLE candidates ADD COLUMN erased_groups TEXT NOT NULL DEFAULT '';
-- Few candidates are restricted: lists of the staff leave them out
-- through this small index.
CREATE INDEX candidates_restricted ON candidates (tenant_id, id) WHERE restricted <> '';

CREATE TABLE erasures (
    tenant_id       BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    candidate_id    BIGINT NOT NULL,
    complete        BOOLEAN NOT NULL,
    reason          TEXT NOT NULL,
    request_id      BIGINT,
    run_id          BIGINT,
    erased          TEXT NOT NULL,
    kept            TEXT NOT NULL,
    rows_erased     BIGINT NOT NULL,
    files_erased    BIGINT NOT NULL,
    user_id         BIGINT,
    erased_at       TIMESTAMPTZ NOT NULL,
    files_pending   BIGINT NOT NULL,
    key_shredded_at TIMESTAMPTZ,
    verified_at     TIMESTAMPTZ,
    residue_hits    BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX erasures_candidate ON erasures (tenant_id, candidate_id);
CREATE INDEX erasures_unfinished ON erasures (files_pending, key_shredded_at);

CREATE TABLE erasure_files (
    tenant_id  BIGINT NOT NULL,
    erasure_id BIGINT NOT NULL,
    blob_key   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, erasure_id, blob_key)
);

CREATE TABLE cleanup_runs (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    user_id      BIGINT,
    state        TEXT NOT NULL,
    nightly      BOOLEAN NOT NULL,
    run_date     DATE NOT NULL,
    total        BIGINT NOT NULL DEFAULT 0,
    done         BIGINT NOT NULL DEFAULT 0,
    complete     BIGINT NOT NULL DEFAULT 0,
    partial      BIGINT NOT NULL DEFAULT 0,
    skipped      BIGINT NOT NULL DEFAULT 0,
    failed       BIGINT NOT NULL DEFAULT 0,
    verified     BIGINT NOT NULL DEFAULT 0,
    residue      BIGINT NOT NULL DEFAULT 0,
    report       TEXT NOT NULL DEFAULT '',
    started_at   TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cleanup_runs_state ON cleanup_runs (state);

CREATE TABLE cleanup_run_items (
    tenant_id    BIGINT NOT NULL,
    run_id       BIGINT NOT NULL,
    candidate_id BIGINT NOT NULL,
    state        TEXT NOT NULL,
    erasure_id   BIGINT,
    PRIMARY KEY (tenant_id, run_id, candidate_id)
);

ALTER TABLE tenant_settings ADD COLUMN cleanup_nightly BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tenant_settings ADD COLUMN cleanup_grace_days BIGINT NOT NULL DEFAULT 7;
ALTER TABLE tenant_settings ADD COLUMN cleanup_verify_sample BIGINT NOT NULL DEFAULT 10;

-- +goose Down
ALTER TABLE tenant_settings DROP COLUMN cleanup_verify_sample;
ALTER TABLE tenant_settings DROP COLUMN cleanup_grace_days;
ALTER TABLE tenant_settings DROP COLUMN cleanup_nightly;
DROP TABLE cleanup_run_items;
DROP TABLE cleanup_runs;
DROP TABLE erasure_files;
DROP TABLE erasures;
DROP INDEX candidates_restricted;
ALTER TABLE candidates DROP COLUMN erased_groups;
ALTER TABLE candidates DROP COLUMN restricted;
