package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"kluis/internal/kluis"
)

// Sending a new version of the privacy statement to every active
// candidate with an e-mail address, in the background: a job with one item
// a candidate, written when it starts, as a clean-up run is. Each item is
// marked in the transaction that writes the candidate's e-mail and contact
// moment, and only while it is still pending, so a job killed halfway goes
// on where it stopped and nobody gets the same version twice.

// StatementSend is one such job: its state and progress, without
// personal data.
type StatementSend struct {
	TenantID    kluis.ID   `json:"-"`
	ID          kluis.ID   `json:"id"`
	Version     int        `json:"version"`
	UserID      kluis.ID   `json:"user_id,omitempty"`
	State       string     `json:"state"` // running, done
	Total       int        `json:"total"`
	Done        int        `json:"done"`
	Sent        int        `json:"sent"`
	Skipped     int        `json:"skipped"` // informed meanwhile, no address any more, or restricted
	Failed      int        `json:"failed"`
	StartedAt   time.Time  `json:"started_at"`
	HeartbeatAt time.Time  `json:"heartbeat_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

// StartStatementSend starts a job that sends the current version to every
// active, unrestricted candidate with an e-mail address who has no record
// of it yet.
func (db *DB) StartStatementSend(ctx context.Context, a kluis.Actor) (*StatementSend, error) {
	s, err := db.PrivacyStatement(ctx, a.TenantID, 0)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return nil, kluis.Errorf(kluis.EConflict, "Er is nog geen privacyverklaring gepubliceerd.", "No privacy statement has been published yet.")
	}
	if err != nil {
		return nil, err
	}
	now := db.now()
	job := &StatementSend{TenantID: a.TenantID, ID: db.ids.Next(), Version: s.Version, UserID: a.UserID, State: "running", StartedAt: now, HeartbeatAt: now}
	err = db.write(ctx, a, func(tx *writeTx) error {
		args := []any{a.TenantID, s.Version}
		cond := notInformedWhere + " AND c.email <> ''"
		if a.Branch != 0 {
			args = append(args, a.Branch)
			cond += " AND c.branch_id = $3"
		}
		rows, err := tx.QueryContext(ctx, "SELECT c.id FROM candidates c WHERE "+cond+" ORDER BY c.id", args...)
		if err != nil {
			return fmt.Errorf("start sending: %w", err)
		}
		var ids []kluis.ID
		for rows.Next() {
			var id kluis.ID
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		job.Total = len(ids)
		if _, err := tx.ExecContext(ctx, `INSERT INTO statement_sends (tenant_id, id, version, user_id, state, total, started_at, heartbeat_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, job.TenantID, job.ID, job.Version, nullID(job.UserID), job.State, job.Total, now, now); err != nil {
			return fmt.Errorf("start sending: %w", err)
		}
		if err := insertPendingItems(ctx, tx, "statement_send_items", "send_id", job.TenantID, job.ID, ids); err != nil {
			return fmt.Errorf("start sending: %w", err)
		}
		tx.record(kluis.AuditEntry{Action: "create", Entity: "statement_sends", EntityID: job.ID})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return job, nil
}

const statementSendColumns = "tenant_id, id, version, user_id, state, total, done, sent, skipped, failed, started_at, heartbeat_at, finished_at"

func scanStatementSend(r interface{ Scan(...any) error }) (*StatementSend, error) {
	j := &StatementSend{}
	var finished *time.Time
	if err := r.Scan(&j.TenantID, &j.ID, &j.Version, (*nullID)(&j.UserID), &j.State, &j.Total, &j.Done, &j.Sent, &j.Skipped, &j.Failed,
		&j.StartedAt, &j.HeartbeatAt, &nullTime{&finished}); err != nil {
		return nil, err
	}
	j.FinishedAt = finished
	return j, nil
}

// StatementSend returns one job.
func (db *DB) StatementSend(ctx context.Context, a kluis.Actor, id kluis.ID) (*StatementSend, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	j, err := scanStatementSend(rd.QueryRowContext(ctx, "SELECT "+statementSendColumns+" FROM statement_sends WHERE tenant_id = $1 AND id = $2", a.TenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kluis.NotFound("statement send")
	}
	if err != nil {
		return nil, fmt.Errorf("statement send: %w", err)
	}
	return j, nil
}

// StatementSends lists the agency's jobs, newest first (at most 20).
func (db *DB) StatementSends(ctx context.Context, a kluis.Actor) ([]StatementSend, error) {
	return db.statementSends(ctx, forAgency(a.TenantID), "tenant_id = $1 ORDER BY started_at DESC, id DESC LIMIT 20", a.TenantID)
}

// UnfinishedStatementSends are the jobs still running (of one agency, or
// every agency for 0), whose process gave no sign of life for a while when
// staleOnly.
func (db *DB) UnfinishedStatementSends(ctx context.Context, tenant kluis.ID, staleOnly bool) ([]StatementSend, error) {
	cond, args := "state = 'running'", []any{}
	if tenant != 0 {
		args = append(args, tenant)
		cond += fmt.Sprintf(" AND tenant_id = $%d", len(args))
	}
	if staleOnly {
		args = append(args, db.staleBefore())
		cond += fmt.Sprintf(" AND heartbeat_at < $%d", len(args))
	}
	return db.statementSends(ctx, agencyOrEvery(tenant), cond+" ORDER BY started_at", args...)
}

func (db *DB) statementSends(ctx context.Context, t tenancy, where string, args ...any) ([]StatementSend, error) {
	rd, _, done, err := db.reader(ctx, t)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, "SELECT "+statementSendColumns+" FROM statement_sends WHERE "+where, args...) // #nosec G202 -- a constant column list and a WHERE of placeholders; values are parameters
	if err != nil {
		return nil, fmt.Errorf("statement sends: %w", err)
	}
	defer rows.Close()
	var out []StatementSend
	for rows.Next() {
		j, err := scanStatementSend(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *j)
	}
	return out, rows.Err()
}

// DefaultSendBatch is how many candidates a job handles between two
// progress reports.
const DefaultSendBatch = 100

// RunStatementSend does the work of a job until every item is handled or
// ctx ends, in batches of batch (0: DefaultSendBatch); progress, when set,
// hears of each batch. The actor is the one who started it.
func (db *DB) RunStatementSend(ctx context.Context, a kluis.Actor, job *StatementSend, batch int, progress func(*StatementSend)) error {
	if batch <= 0 {
		batch = DefaultSendBatch
	}
	s, err := db.PrivacyStatement(ctx, a.TenantID, job.Version)
	if err != nil {
		return err
	}
	c, err := db.StatementController(ctx, a.TenantID)
	if err != nil {
		return err
	}
	// The same text for everyone, in each candidate's language (both
	// where it is not known): rendered once.
	r := renderBoth(s, c)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ids, err := db.pendingStatementItems(ctx, a.TenantID, job.ID, batch)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			if err := db.sendOne(ctx, a, job, id, r); err != nil {
				return err
			}
		}
		if err := db.saveSendProgress(ctx, job, false); err != nil {
			return err
		}
		if progress != nil {
			progress(job)
		}
	}
	if err := db.saveSendProgress(ctx, job, true); err != nil {
		return err
	}
	if progress != nil {
		progress(job)
	}
	return nil
}

// sendOne sends the job's version to one candidate: the e-mail, the
// contact moment and the item's state commit together. An item that is no
// longer pending (another process did it) is left alone; a candidate who
// can no longer be sent to is skipped.
func (db *DB) sendOne(ctx context.Context, a kluis.Actor, job *StatementSend, cand kluis.ID, r statementTexts) error {
	err := db.write(ctx, a, func(tx *writeTx) error {
		var informed int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contact_moments m WHERE m.tenant_id = $1 AND m.candidate_id = $2 AND m.statement_version = $3
			AND `+informedBy, a.TenantID, cand, job.Version).Scan(&informed); err != nil {
			return fmt.Errorf("statement send: %w", err)
		}
		if informed > 0 {
			return markSendItem(ctx, tx, job, cand, "skipped")
		}
		if _, err := db.sendStatement(ctx, tx, cand, r, ""); err != nil {
			switch kluis.ErrorCode(err) {
			case kluis.EInvalid, kluis.EConflict, kluis.ENotFound:
				return errSkip // no address any more, restricted, or gone from the branch
			}
			return err
		}
		return markSendItem(ctx, tx, job, cand, "sent")
	})
	if errors.Is(err, errSkip) {
		// The send was rolled back; the skip is recorded on its own.
		return db.write(ctx, a, func(tx *writeTx) error { return markSendItem(ctx, tx, job, cand, "skipped") })
	}
	if errors.Is(err, errNotPending) {
		return nil
	}
	return err
}

var (
	errSkip       = errors.New("skip")
	errNotPending = errors.New("not pending")
)

// markSendItem moves a pending item to state; an item that is no longer
// pending makes the transaction roll back, so nothing is sent twice.
func markSendItem(ctx context.Context, tx *writeTx, job *StatementSend, cand kluis.ID, state string) error {
	res, err := tx.ExecContext(ctx, "UPDATE statement_send_items SET state = $4 WHERE tenant_id = $1 AND send_id = $2 AND candidate_id = $3 AND state = 'pending'",
		job.TenantID, job.ID, cand, state)
	if err != nil {
		return fmt.Errorf("statement send item: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errNotPending
	}
	return nil
}

// pendingStatementItems returns up to n candidates of a job still to do.
func (db *DB) pendingStatementItems(ctx context.Context, tenant, job kluis.ID, n int) ([]kluis.ID, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return nil, err
	}
	defer done()
	return pendingItems(ctx, rd, "statement_send_items", "send_id", tenant, job, n)
}

// saveSendProgress counts the items and writes the counts and a sign of
// life; finished ends the job.
func (db *DB) saveSendProgress(ctx context.Context, job *StatementSend, finished bool) error {
	ctx = context.WithoutCancel(ctx)
	rd, _, done, err := db.reader(ctx, forAgency(job.TenantID))
	if err != nil {
		return err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, "SELECT state, count(*) FROM statement_send_items WHERE tenant_id = $1 AND send_id = $2 GROUP BY state", job.TenantID, job.ID)
	if err != nil {
		return fmt.Errorf("statement send progress: %w", err)
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
	done()
	job.Sent, job.Skipped, job.Failed = by["sent"], by["skipped"], by["failed"]
	job.Done = job.Sent + job.Skipped + job.Failed
	now := db.now()
	job.HeartbeatAt = now
	if finished {
		job.State, job.FinishedAt = "done", &now
	}
	return db.update(ctx, forAgency(job.TenantID), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE statement_sends SET state = $3, done = $4, sent = $5, skipped = $6, failed = $7, heartbeat_at = $8, finished_at = $9
			WHERE tenant_id = $1 AND id = $2`, job.TenantID, job.ID, job.State, job.Done, job.Sent, job.Skipped, job.Failed, now, job.FinishedAt)
		if err != nil {
			return fmt.Errorf("statement send progress: %w", err)
		}
		return nil
	})
}

// ResumeStatementSends finishes the jobs whose process stopped giving
// signs of life (every running job when staleOnly is false), across
// agencies, as the privacy officer who started them.
func (db *DB) ResumeStatementSends(ctx context.Context, staleOnly bool) (int, error) {
	jobs, err := db.UnfinishedStatementSends(ctx, 0, staleOnly)
	if err != nil {
		return 0, err
	}
	for i := range jobs {
		j := &jobs[i]
		a := kluis.Actor{TenantID: j.TenantID, UserID: j.UserID, Role: kluis.RolePrivacy}
		if err := db.RunStatementSend(ctx, a, j, 0, nil); err != nil {
			return i, err
		}
	}
	return len(jobs), nil
}
