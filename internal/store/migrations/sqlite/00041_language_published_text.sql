-- The language a candidate reads kluis's e-mail in: "nl", "en", or ""
-- when it is not known. The portal records the language of the check-in;
-- staff may set it on the candidate's form. A privacy statement sent to a
-- candidate whose language is not known goes in Dutch and then English.
--
-- A privacy statement as it was published: its Markdown with the
-- placeholders filled from the catalogue and the agency's details of that
-- moment (filled_nl, filled_en), so that an old version reads as the
-- candidates saw it, not as today's catalogue would fill it. Versions
-- published before this migration have none ('') and are still filled
-- when shown.

-- +goose Up
ALTER TABLE candidates ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE privacy_statements ADD COLUMN filled_nl TEXT NOT NULL DEFAULT '';
ALTER TABLE privacy_statements ADD COLUMN filled_en TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE privacy_statements DROP COLUMN filled_en;
ALTER TABLE privacy_statements DROP COLUMN filled_nl;
ALTER TABLE candidates DROP COLUMN language;
