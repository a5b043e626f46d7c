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
    tenant_id       INTEGER NOT NULL,
    id              INTEGER NOT NULL,
    candidate_id    INTEGER NOT NULL,
    complete        BOOLEAN NOT NULL,
    reason          TEXT NOT NULL,
    request_id      INTEGER,
    run_id          INTEGER,
    erased          TEXT NOT NULL,
    kept            TEXT NOT NULL,
    rows_erased     INTEGER NOT NULL,
    files_erased    INTEGER NOT NULL,
    user_id         INTEGER,
    erased_at       TIMESTAMP NOT NULL,
    files_pending   INTEGER NOT NULL,
    key_shredded_at TIMESTAMP,
    verified_at     TIMESTAMP,
    residue_hits    INTEGER,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX erasures_candidate ON erasures (tenant_id, candidate_id);
CREATE INDEX erasures_unfinished ON erasures (files_pending, key_shredded_at);

CREATE TABLE erasure_files (
    tenant_id  INTEGER NOT NULL,
    erasure_id INTEGER NOT NULL,
    blob_key   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, erasure_id, blob_key)
);

CREATE TABLE cleanup_runs (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    user_id      INTEGER,
    state        TEXT NOT NULL,
    nightly      BOOLEAN NOT NULL,
    run_date     DATE NOT NULL,
    total        INTEGER NOT NULL DEFAULT 0,
    done         INTEGER NOT NULL DEFAULT 0,
    complete     INTEGER NOT NULL DEFAULT 0,
    partial      INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    verified     INTEGER NOT NULL DEFAULT 0,
    residue      INTEGER NOT NULL DEFAULT 0,
    report       TEXT NOT NULL DEFAULT '',
    started_at   TIMESTAMP NOT NULL,
    heartbeat_at TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cleanup_runs_state ON cleanup_runs (state);

CREATE TABLE cleanup_run_items (
    tenant_id    INTEGER NOT NULL,
    run_id       INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    state        TEXT NOT NULL,
    erasure_id   INTEGER,
    PRIMARY KEY (tenant_id, run_id, candidate_id)
);

ALTER TABLE tenant_settings ADD COLUMN cleanup_nightly BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tenant_settings ADD COLUMN cleanup_grace_days INTEGER NOT NULL DEFAULT 7;
ALTER TABLE tenant_settings ADD COLUMN cleanup_verify_sample INTEGER NOT NULL DEFAULT 10;

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
