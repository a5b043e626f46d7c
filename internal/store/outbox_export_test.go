package store

import (
	"context"

	"kluis/internal/kluis"
)

// EnqueueMailAndFail enqueues m in a write transaction that then fails
// with fail, as a change that causes a message and is refused would: for
// the tests of package store_test.
func (db *DB) EnqueueMailAndFail(ctx context.Context, a kluis.Actor, m *OutboxMessage, fail error) error {
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := db.enqueueMail(ctx, tx, m); err != nil {
			return err
		}
		return fail
	})
}
