package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/retention"
)

// A clean-up run erases what is due of a list of candidates, in the
// background. Its items — one a candidate — are written when it starts;
// each item is marked done in the transaction of its erasure, so a run
// killed halfway goes on where it stopped and touches nothing twice.

// CleanupRun is one run of the clean-up: its state, its progress and its
// report, all without personal data.
type CleanupRun struct {
	TenantID    kluis.ID      `json:"-"`
	ID          kluis.ID      `json:"id"`
	UserID      kluis.ID      `json:"user_id,omitempty"`
	State       string        `json:"state"` // a kluis.CleanupStates value
	Nightly     bool          `json:"nightly"`
	Date        kluis.Date    `json:"run_date"`
	Total       int           `json:"total"`
	Done        int           `json:"done"` // items handled, in any way
	Complete    int           `json:"complete"`
	Partial     int           `json:"partial"`
	Skipped     int           `json:"skipped"` // nothing due any more, or gone
	Failed      int           `json:"failed"`
	Verified    int           `json:"verified"`
	Residue     int           `json:"residue"`
	Report      CleanupReport `json:"report"`
	StartedAt   time.Time     `json:"started_at"`
	HeartbeatAt time.Time     `json:"heartbeat_at"`
	FinishedAt  *time.Time    `json:"finished_at,omitempty"`
}

// CleanupReport is what a run erased, by group, and what went wrong, by
// candidate id: no personal data.
type CleanupReport struct {
	// Erased counts candidates per group erased: "category R3".
	Erased map[string]int `json:"erased"`
	// Errors are the ids of candidates whose erasure failed, with the
	// error's code.
	Errors []string `json:"errors,omitempty"`
}

// StaleHeartbeat is how long a running run may go without a sign of life
// before another process takes it over.
const StaleHeartbeat = 2 * time.Minute

// StartCleanupRun starts a run over ids, or, when ids is nil, over every
// candidate with data due (for a nightly run: due for longer than the
// agency's grace period). It writes the run and its items; cleanup.Runner
// does the work.
func (db *DB) StartCleanupRun(ctx context.Context, a kluis.Actor, ids []kluis.ID, nightly bool) (*CleanupRun, error) {
	set, err := db.Settings(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	if ids == nil {
		terms, cat := retention.For(set), catalog.New()
		today := db.today()
		cutoff := today
		if nightly {
			cutoff = kluis.DateOf(today.Time().AddDate(0, 0, -set.CleanupGraceDays))
		}
		err := db.EachRetentionFacts(ctx, a, func(c CandidateFacts) error {
			if len(retention.Due(retention.Plan(cat, c.Facts, terms, today), cutoff)) > 0 {
				ids = append(ids, c.ID)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	now := db.now()
	run := &CleanupRun{TenantID: a.TenantID, ID: db.ids.Next(), UserID: a.UserID, State: "running", Nightly: nightly, Date: db.today(),
		Total: len(ids), StartedAt: now, HeartbeatAt: now, Report: CleanupReport{Erased: map[string]int{}}}
	err = db.write(ctx, a, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cleanup_runs (tenant_id, id, user_id, state, nightly, run_date, total, started_at, heartbeat_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, run.TenantID, run.ID, nullID(run.UserID), run.State, run.Nightly, run.Date, run.Total, now, now); err != nil {
			return fmt.Errorf("start clean-up: %w", err)
		}
		if err := insertPendingItems(ctx, tx, "cleanup_run_items", "run_id", run.TenantID, run.ID, ids); err != nil {
			return fmt.Errorf("start clean-up: %w", err)
		}
		tx.record(kluis.AuditEntry{Action: "cleanup", Entity: "cleanup_runs", EntityID: run.ID})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if db.Dialect == Postgres && len(ids) >= analyzeItemsFrom {
		// The items were just written; until autovacuum analyses the
		// table, PostgreSQL plans with statistics from before them and
		// finds a batch's items by scanning all of the run's (tens of
		// milliseconds a batch at 5,000 items, growing with the run).
		if _, err := db.w.ExecContext(ctx, "ANALYZE cleanup_run_items"); err != nil {
			return nil, fmt.Errorf("start clean-up: analyse its items: %w", err)
		}
	}
	return run, nil
}

// analyzeItemsFrom is the size of a clean-up run from which its items'
// table is analysed when the run starts.
const analyzeItemsFrom = 1000

const cleanupRunColumns = `tenant_id, id, user_id, state, nightly, run_date, total, done, complete, partial, skipped, failed, verified, residue,
	report, started_at, heartbeat_at, finished_at`

func scanCleanupRun(r interface{ Scan(...any) error }) (*CleanupRun, error) {
	run := &CleanupRun{}
	var user sql.NullInt64
	var report string
	var finished *time.Time
	if err := r.Scan(&run.TenantID, &run.ID, &user, &run.State, &run.Nightly, &run.Date, &run.Total, &run.Done, &run.Complete, &run.Partial,
		&run.Skipped, &run.Failed, &run.Verified, &run.Residue, &report, &run.StartedAt, &run.HeartbeatAt, &nullTime{&finished}); err != nil {
		return nil, err
	}
	run.UserID, run.FinishedAt = kluis.ID(user.Int64), finished
	run.Report.Erased = map[string]int{}
	if report != "" {
		if err := json.Unmarshal([]byte(report), &run.Report); err != nil {
			return nil, fmt.Errorf("clean-up run %d: %w", run.ID, err)
		}
	}
	return run, nil
}

// CleanupRun returns one run.
func (db *DB) CleanupRun(ctx context.Context, a kluis.Actor, id kluis.ID) (*CleanupRun, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	run, err := scanCleanupRun(rd.QueryRowContext(ctx, "SELECT "+cleanupRunColumns+" FROM cleanup_runs WHERE tenant_id = $1 AND id = $2", a.TenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kluis.NotFound("clean-up run")
	}
	if err != nil {
		return nil, fmt.Errorf("clean-up run: %w", err)
	}
	return run, nil
}

// CleanupRuns lists the runs of an agency, newest first.
func (db *DB) CleanupRuns(ctx context.Context, a kluis.Actor, page kluis.Page) ([]CleanupRun, int, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, 0, err
	}
	defer done()
	var total int
	if err := rd.QueryRowContext(ctx, "SELECT count(*) FROM cleanup_runs WHERE tenant_id = $1", a.TenantID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("clean-up runs: %w", err)
	}
	pg := page.Normalize()
	rows, err := rd.QueryContext(ctx, "SELECT "+cleanupRunColumns+" FROM cleanup_runs WHERE tenant_id = $1"+ // #nosec G202 -- a constant column list; values are parameters
		fmt.Sprintf(" ORDER BY started_at DESC, id DESC LIMIT %d OFFSET %d", pg.Limit, pg.Offset), a.TenantID)
	if err != nil {
		return nil, 0, fmt.Errorf("clean-up runs: %w", err)
	}
	defer rows.Close()
	var out []CleanupRun
	for rows.Next() {
		run, err := scanCleanupRun(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *run)
	}
	return out, total, rows.Err()
}

// UnfinishedCleanupRuns returns the runs still running whose process has
// given no sign of life for StaleHeartbeat (or all running ones of the
// tenant, with stale false): a crash left them, and they are to be resumed.
func (db *DB) UnfinishedCleanupRuns(ctx context.Context, tenant kluis.ID, staleOnly bool) ([]CleanupRun, error) {
	rd, _, done, err := db.reader(ctx, agencyOrEvery(tenant))
	if err != nil {
		return nil, err
	}
	defer done()
	w := &where{}
	w.conds = append(w.conds, "state = 'running'")
	if tenant != 0 {
		w.add("tenant_id = ?", tenant)
	}
	if staleOnly {
		w.add("heartbeat_at < ?", db.staleBefore())
	}
	rows, err := rd.QueryContext(ctx, "SELECT "+cleanupRunColumns+" FROM cleanup_runs"+w.sql()+" ORDER BY started_at", w.args...) // #nosec G202 -- a constant column list and a WHERE of placeholders; values are parameters
	if err != nil {
		return nil, fmt.Errorf("unfinished clean-up runs: %w", err)
	}
	defer rows.Close()
	var out []CleanupRun
	for rows.Next() {
		run, err := scanCleanupRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *run)
	}
	return out, rows.Err()
}

// PendingCleanupItems returns up to n candidates of a run still to do.
func (db *DB) PendingCleanupItems(ctx context.Context, tenant, run kluis.ID, n int) ([]kluis.ID, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return nil, err
	}
	defer done()
	return pendingItems(ctx, rd, "cleanup_run_items", "run_id", tenant, run, n)
}

// Background jobs (clean-up runs, sending the privacy statement) write one
// item per candidate when they start, and take the pending ones in turns.

// insertPendingItems writes the items of a job, ids, as pending, 200 rows
// to a statement.
func insertPendingItems(ctx context.Context, tx *writeTx, table, jobColumn string, tenant, job kluis.ID, ids []kluis.ID) error {
	for len(ids) > 0 {
		n := min(len(ids), 200)
		vals := make([]string, n)
		args := []any{tenant, job}
		for i, id := range ids[:n] {
			args = append(args, id)
			vals[i] = fmt.Sprintf("($1, $2, $%d, 'pending')", len(args))
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+table+" (tenant_id, "+jobColumn+", candidate_id, state) VALUES "+strings.Join(vals, ", "), args...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// pendingItemsSQL asks for the next n pending items of a job ($1 the
// agency, $2 the job), from the partial index of the pending ones
// (migration 00036): the literal state = 'pending' is what lets the
// databases use it.
func pendingItemsSQL(table, jobColumn string, n int) string {
	return fmt.Sprintf("SELECT candidate_id FROM %s WHERE tenant_id = $1 AND %s = $2 AND state = 'pending' ORDER BY candidate_id LIMIT %d",
		table, jobColumn, n)
}

// pendingItems returns up to n candidates of a job still to do, in order.
func pendingItems(ctx context.Context, q querier, table, jobColumn string, tenant, job kluis.ID, n int) ([]kluis.ID, error) {
	ids, err := queryIDs(ctx, q, pendingItemsSQL(table, jobColumn, n), tenant, job)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	return ids, nil
}

// markItem sets the state of a run's item, inside the transaction of the
// work it records.
func markItem(ctx context.Context, q querier, tenant, run, cand kluis.ID, state string, erasure kluis.ID) error {
	_, err := q.ExecContext(ctx, "UPDATE cleanup_run_items SET state = $4, erasure_id = $5 WHERE tenant_id = $1 AND run_id = $2 AND candidate_id = $3",
		tenant, run, cand, state, nullID(erasure))
	if err != nil {
		return fmt.Errorf("clean-up item: %w", err)
	}
	return nil
}

// markItems records the items of a batch of a clean-up run: done, with
// their erasure (done maps candidate to erasure), or skipped. Two
// statements for the batch.
func markItems(ctx context.Context, q querier, tenant, run kluis.ID, done map[kluis.ID]kluis.ID, skipped []kluis.ID) error {
	if len(skipped) > 0 {
		args := append([]any{tenant, run}, anys(skipped)...)
		if _, err := q.ExecContext(ctx, "UPDATE cleanup_run_items SET state = 'skipped', erasure_id = NULL WHERE tenant_id = $1 AND run_id = $2 AND candidate_id IN ("+
			placeholders(3, len(skipped))+")", args...); err != nil {
			return fmt.Errorf("clean-up items: %w", err)
		}
	}
	if len(done) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(done))
	args := []any{tenant, run}
	var whens []string
	for _, id := range ids {
		args = append(args, id, done[id])
		whens = append(whens, fmt.Sprintf("WHEN $%d THEN CAST($%d AS BIGINT)", len(args)-1, len(args)))
	}
	in := make([]string, len(ids))
	for i := range ids {
		in[i] = fmt.Sprintf("$%d", 3+2*i)
	}
	if _, err := q.ExecContext(ctx, "UPDATE cleanup_run_items SET state = 'done', erasure_id = CASE candidate_id "+strings.Join(whens, " ")+
		" END WHERE tenant_id = $1 AND run_id = $2 AND candidate_id IN ("+strings.Join(in, ", ")+")", args...); err != nil {
		return fmt.Errorf("clean-up items: %w", err)
	}
	return nil
}

// MarkCleanupItem records that an item was skipped or failed.
func (db *DB) MarkCleanupItem(ctx context.Context, tenant, run, cand kluis.ID, state string) error {
	return db.writeOne(ctx, forAgency(tenant), func(w querier) error { return markItem(ctx, w, tenant, run, cand, state, 0) })
}

// SaveCleanupProgress writes a run's counters, report and sign of life,
// counted afresh from its items and erasure records; finished ends it.
func (db *DB) SaveCleanupProgress(ctx context.Context, run *CleanupRun, finished bool) error {
	ctx = context.WithoutCancel(ctx)
	if err := db.CountCleanupRun(ctx, run); err != nil {
		return err
	}
	return db.saveCleanupRun(ctx, run, finished)
}

// SaveCleanupCounts writes the counters the runner kept in memory since
// it last counted, and a sign of life: counting the run's items anew after
// every batch would grow with the square of the run's length.
func (db *DB) SaveCleanupCounts(ctx context.Context, run *CleanupRun) error {
	return db.saveCleanupRun(context.WithoutCancel(ctx), run, false)
}

// CountCleanupRun counts a run's progress afresh from its items and
// erasure records (so that a resumed run counts what its predecessor did).
func (db *DB) CountCleanupRun(ctx context.Context, run *CleanupRun) error {
	rd, _, done, err := db.reader(ctx, forAgency(run.TenantID))
	if err != nil {
		return err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, "SELECT state, count(*) FROM cleanup_run_items WHERE tenant_id = $1 AND run_id = $2 GROUP BY state", run.TenantID, run.ID)
	if err != nil {
		return fmt.Errorf("clean-up progress: %w", err)
	}
	by := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			rows.Close()
			return err
		}
		by[s] = n
	}
	rows.Close()
	run.Done = by["done"] + by["skipped"] + by["failed"]
	run.Skipped, run.Failed = by["skipped"], by["failed"]
	if err := rd.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN complete THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN complete THEN 0 ELSE 1 END), 0),
		COALESCE(SUM(CASE WHEN verified_at IS NULL THEN 0 ELSE 1 END), 0), COALESCE(SUM(residue_hits), 0)
		FROM erasures WHERE tenant_id = $1 AND run_id = $2`, run.TenantID, run.ID).Scan(&run.Complete, &run.Partial, &run.Verified, &run.Residue); err != nil {
		return fmt.Errorf("clean-up progress: %w", err)
	}
	return nil
}

// saveCleanupRun writes a run's counters and sign of life; finished ends
// it with its report.
func (db *DB) saveCleanupRun(ctx context.Context, run *CleanupRun, finished bool) error {
	if finished {
		if err := db.reportOf(ctx, run); err != nil {
			return err
		}
		run.State = "done"
		if run.Failed > 0 {
			run.State = "failed"
		}
		now := db.now()
		run.FinishedAt = &now
	}
	run.HeartbeatAt = db.now()
	report, err := json.Marshal(run.Report)
	if err != nil {
		return err
	}
	err = db.writeOne(ctx, forAgency(run.TenantID), func(w querier) error {
		_, err := w.ExecContext(ctx, `UPDATE cleanup_runs SET state = $3, done = $4, complete = $5, partial = $6, skipped = $7, failed = $8,
		verified = $9, residue = $10, report = $11, heartbeat_at = $12, finished_at = $13 WHERE tenant_id = $1 AND id = $2`,
			run.TenantID, run.ID, run.State, run.Done, run.Complete, run.Partial, run.Skipped, run.Failed, run.Verified, run.Residue,
			string(report), run.HeartbeatAt, run.FinishedAt)
		return err
	})
	if err != nil {
		return fmt.Errorf("clean-up progress: %w", err)
	}
	return nil
}

// reportOf counts, from the run's erasure records, the candidates erased
// per group ("category rule").
func (db *DB) reportOf(ctx context.Context, run *CleanupRun) error {
	rd, _, done, err := db.reader(ctx, forAgency(run.TenantID))
	if err != nil {
		return err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, "SELECT erased FROM erasures WHERE tenant_id = $1 AND run_id = $2", run.TenantID, run.ID)
	if err != nil {
		return fmt.Errorf("clean-up report: %w", err)
	}
	defer rows.Close()
	run.Report.Erased = map[string]int{}
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return err
		}
		var groups []kluis.ErasedGroup
		if err := json.Unmarshal([]byte(js), &groups); err != nil {
			return fmt.Errorf("clean-up report: %w", err)
		}
		seen := map[string]bool{}
		for _, g := range groups {
			k := g.Category + " " + g.Rule
			if !seen[k] {
				seen[k] = true
				run.Report.Erased[k]++
			}
		}
	}
	return rows.Err()
}
