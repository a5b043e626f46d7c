-- Notices to recipients (art. 19 GDPR): every organisation the disclosure
-- register says received a candidate's data is told of a rectification,
-- erasure or restriction — by e-mail through the outbox (outbox_id; the
-- message's contents go once it is sent) or recorded as sent by letter —
-- and the candidate is told which were (to_candidate). A notice names the
-- organisation, never the candidate's data, and outlives the candidate as
-- the proof, like the request it belongs to.

-- +goose Up
CREATE TABLE recipient_notices (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    request_id   INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    to_candidate BOOLEAN NOT NULL DEFAULT FALSE,
    client_id    INTEGER,
    recipient    TEXT NOT NULL DEFAULT '',
    about        TEXT NOT NULL,
    channel      TEXT NOT NULL,
    outbox_id    INTEGER,
    sent_on      DATE,
    user_id      INTEGER,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX recipient_notices_request ON recipient_notices (tenant_id, request_id);

-- +goose Down
DROP TABLE recipient_notices;
