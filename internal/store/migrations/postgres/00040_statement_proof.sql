-- The proof that a candidate was informed of the privacy statement: a
-- contact moment "privacy-statement-shown" or "-sent", written only by kluis
-- when it shows or sends the statement, and never changed or removed by
-- anyone after (only the erasure of the candidate takes it away). The
-- channel it went through has its own column (before, only the Dutch note
-- named it). A sent statement names its outbox message, and delivery
-- follows that message: "pending" while it waits, "sent" once the SMTP
-- server took it, "failed" when the outbox gave up on it — a failed
-- sending proves nothing, and the candidate counts as not informed.

-- +goose Up
ALTER TABLE contact_moments ADD COLUMN statement_channel TEXT NOT NULL DEFAULT '';
ALTER TABLE contact_moments ADD COLUMN outbox_id BIGINT;
ALTER TABLE contact_moments ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
CREATE INDEX contact_moments_outbox ON contact_moments (tenant_id, outbox_id) WHERE outbox_id IS NOT NULL;
UPDATE contact_moments SET statement_channel = 'email' WHERE kind = 'privacy-statement-sent';
UPDATE contact_moments SET statement_channel = CASE
        WHEN note LIKE '%kanaal: bij de inschrijving%' THEN 'check-in'
        WHEN note LIKE '%kanaal: in het portaal%' THEN 'portal'
        ELSE 'desk' END
    WHERE kind = 'privacy-statement-shown';
-- The privacy officer's list of the e-mail the outbox gave up on.
CREATE INDEX outbox_failed ON outbox (tenant_id, created_at) WHERE state = 'failed';

-- +goose Down
DROP INDEX outbox_failed;
DROP INDEX contact_moments_outbox;
ALTER TABLE contact_moments DROP COLUMN delivery;
ALTER TABLE contact_moments DROP COLUMN outbox_id;
ALTER TABLE contact_moments DROP COLUMN statement_channel;
