-- The language a candidate reads kluis's e-mail in: "nl", "en", or ""
-- when it is not known. The portal records the language of the check-in;
-- staff may set it on the candidate's form. A privacy statement sent to a
-- candidate whose language is not known goes in Dutch and then English.

-- +goose Up
ALTER TABLE candidates ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE candidates DROP COLUMN language;
