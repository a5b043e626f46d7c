-- The letters to the candidates concerned by a data breach (art. 34(2)),
-- kept with the breach: a PDF per candidate, in Dutch or English, with
-- what happened, the kinds of data, the privacy officer's account of the
-- likely consequences and the measures, and the data protection officer's
-- contact. A letter names the candidate: it is stored sealed with the
-- candidate's own key, so that erasing the candidate destroys it with the
-- key; an erasure empties its content (content NULL, erased_at set) and
-- keeps the row — language, date, size and fingerprint — as the proof that
-- it was sent. The letters go with their breach when the breach goes.

-- +goose Up
CREATE TABLE breach_letters (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    breach_id    INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    lang         TEXT NOT NULL,
    content      BLOB,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    erased_at    TIMESTAMP,
    user_id      INTEGER,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, breach_id) REFERENCES breaches (tenant_id, id)
);
CREATE INDEX breach_letters_breach ON breach_letters (tenant_id, breach_id, candidate_id);
CREATE INDEX breach_letters_candidate ON breach_letters (tenant_id, candidate_id);

-- +goose Down
DROP TABLE breach_letters;
