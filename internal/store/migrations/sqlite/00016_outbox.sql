-- The outbox: e-mail written in the same transaction as the change that
-- causes it, and sent afterwards by a worker (internal/outbox). A message
-- waits as "pending" until next_attempt; while it is being sent it is
-- "sending" and next_attempt is the end of the sender's lease, after which
-- another worker may take it over (a crash mid-send). message_id is fixed
-- when the row is written, so that a message sent again after a crash
-- carries the same Message-ID. Once a message is sent or has finally
-- failed, its address, subject and bodies are emptied: what remains (kind,
-- candidate, Message-ID, state, attempts, times) is the proof that it was
-- sent, without its contents. A candidate's messages go with the
-- candidate; candidate_id is NULL for a message to a staff member.

-- +goose Up
CREATE TABLE outbox (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    candidate_id INTEGER,
    kind         TEXT NOT NULL,
    to_address   TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body_text    TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt TIMESTAMP NOT NULL,
    message_id   TEXT NOT NULL,
    sent_at      TIMESTAMP,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX outbox_candidate ON outbox (tenant_id, candidate_id);
-- The worker's question, across agencies: what is due?
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE state IN ('pending', 'sending');

-- +goose Down
DROP TABLE outbox;
