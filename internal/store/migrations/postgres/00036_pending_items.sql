-- The pending items of a background job, in the order they are taken. A
-- clean-up run or a sending of the privacy statement asks again and again
-- for the next batch of pending items; with only the primary key, each
-- batch stepped over every item done before it (a run of 100,000 erasures
-- spent 8 of its 60 seconds there, growing with the square of its size).
-- An index of the pending items alone starts at the next one; an item
-- leaves it when it is done.

-- +goose Up
CREATE INDEX cleanup_run_items_pending ON cleanup_run_items (tenant_id, run_id, candidate_id) WHERE state = 'pending';
DROP INDEX statement_send_items_pending;
CREATE INDEX statement_send_items_pending ON statement_send_items (tenant_id, send_id, candidate_id) WHERE state = 'pending';

-- +goose Down
DROP INDEX statement_send_items_pending;
CREATE INDEX statement_send_items_pending ON statement_send_items (tenant_id, send_id, state);
DROP INDEX cleanup_run_items_pending;
