-- What each API token may do: a comma-separated list of scopes
-- (candidates:read, payroll:write, …), or * for everything its user's role
-- allows. Tokens made before scopes existed keep doing what they did.

-- +goose Up
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '*';

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN scopes;
