-- Letters to candidates about their requests, kept with the request
-- (issue 7: "every letter is kept with the request"): the answer to an
-- access request with the record card, the notice of an extension, a
-- refusal and the answer to an erasure request, as PDFs. A letter that
-- names the candidate is stored sealed with the candidate's own key
-- (sealed), so that erasing the candidate destroys it with the key;
-- an erasure erases its content (content NULL, erased_at set) and keeps
-- the row — kind, language, date, size and fingerprint — as the proof
-- that it was sent. The erasure letter names nobody and stays readable.
-- Reminders of requests that fall due are written to request_reminders,
-- once per request, kind and due date.

-- +goose Up
CREATE TABLE request_letters (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    request_id   BIGINT NOT NULL,
    candidate_id BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    lang         TEXT NOT NULL,
    content      BYTEA,
    sealed       BOOLEAN NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    erased_at    TIMESTAMPTZ,
    user_id      BIGINT,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id)
);
CREATE INDEX request_letters_request ON request_letters (tenant_id, request_id);
CREATE INDEX request_letters_candidate ON request_letters (tenant_id, candidate_id);

CREATE TABLE request_reminders (
    tenant_id  BIGINT NOT NULL,
    request_id BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    due_on     DATE NOT NULL,
    sent_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, request_id, kind, due_on),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id)
);

ALTER TABLE tenant_settings ADD COLUMN request_reminder_days BIGINT NOT NULL DEFAULT 7;

-- +goose Down
ALTER TABLE tenant_settings DROP COLUMN request_reminder_days;
DROP TABLE request_reminders;
DROP TABLE request_letters;
