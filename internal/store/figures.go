package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Figures are the installation's background work in numbers, for
// monitoring: counts over every agency, no agency or person named.
type Figures struct {
	// Outbox counts the e-mail in the outbox by state (OutboxPending, …).
	Outbox map[string]int
	// OldestPending is when the oldest message still waiting was written;
	// zero when none waits.
	OldestPending time.Time
	// CleanupRuns counts the clean-up runs by state.
	CleanupRuns map[string]int
	// Erasures counts the erasure records, complete or partial.
	Erasures, ErasuresComplete int
	// StatementSends counts the jobs that e-mail the privacy statement to
	// every candidate, by state; StatementMessages adds up what they did
	// with each candidate: sent, skipped or failed.
	StatementSends    map[string]int
	StatementMessages map[string]int
}

// Figures reads the current figures in one read transaction.
func (db *DB) Figures(ctx context.Context) (*Figures, error) {
	f := &Figures{Outbox: map[string]int{}, CleanupRuns: map[string]int{}, StatementSends: map[string]int{}, StatementMessages: map[string]int{}}
	err := db.view(ctx, acrossAgencies(), func(tx *sql.Tx) error {
		for _, q := range []struct {
			table string
			into  map[string]int
		}{{"outbox", f.Outbox}, {"cleanup_runs", f.CleanupRuns}, {"statement_sends", f.StatementSends}} {
			rows, err := tx.QueryContext(ctx, "SELECT state, count(*) FROM "+q.table+" GROUP BY state") // #nosec G202 -- q.table is one of three constants above
			if err != nil {
				return fmt.Errorf("figures of %s: %w", q.table, err)
			}
			for rows.Next() {
				var state string
				var n int
				if err := rows.Scan(&state, &n); err != nil {
					rows.Close()
					return err
				}
				q.into[state] = n
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, "SELECT created_at FROM outbox WHERE state = $1 ORDER BY created_at LIMIT 1", OutboxPending).Scan(&f.OldestPending)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("oldest pending mail: %w", err)
		}
		var complete sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT count(*), sum(CASE WHEN complete THEN 1 ELSE 0 END) FROM erasures").Scan(&f.Erasures, &complete); err != nil {
			return fmt.Errorf("figures of erasures: %w", err)
		}
		f.ErasuresComplete = int(complete.Int64)
		var sent, skipped, failed int
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(sum(sent), 0), coalesce(sum(skipped), 0), coalesce(sum(failed), 0) FROM statement_sends").Scan(&sent, &skipped, &failed); err != nil {
			return fmt.Errorf("figures of statement sendings: %w", err)
		}
		f.StatementMessages["sent"], f.StatementMessages["skipped"], f.StatementMessages["failed"] = sent, skipped, failed
		return nil
	})
	return f, err
}
