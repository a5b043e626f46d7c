-- A search by e-mail address looks the whole address up.

-- +goose Up
CREATE INDEX candidates_email ON candidates (tenant_id, lower(email));

-- +goose Down
DROP INDEX candidates_email;
