package store

import (
	"context"
	"fmt"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/retention"
)

// RetentionFacts gathers what the retention plan of a candidate depends on:
// the candidate's registration, last activity, placements, payroll years, ID
// copies, legal holds and consents to keep longer. Of the consents only the
// latest end of those not withdrawn counts: a withdrawn consent extends
// nothing from the day it was withdrawn.
func (db *DB) RetentionFacts(ctx context.Context, a kluis.Actor, cand kluis.ID) (retention.Facts, error) {
	c, err := db.Candidate(ctx, a, cand)
	if err != nil {
		return retention.Facts{}, err
	}
	f := retention.Facts{Registered: c.RegisteredOn, LastActivity: c.RegisteredOn, Nationality: c.Nationality, IDRecordedOn: c.IDRecordedOn}
	var last *time.Time
	if err := db.rc.QueryRowContext(ctx, "SELECT max(at) FROM contact_moments WHERE tenant_id = $1 AND candidate_id = $2", a.TenantID, cand).
		Scan(&nullTime{&last}); err != nil {
		return f, err
	}
	if last != nil {
		f.LastActivity = max(f.LastActivity, kluis.DateOf(*last))
	}
	rows, err := db.rc.QueryContext(ctx, "SELECT start_date, end_date, contract_kind FROM placements WHERE tenant_id = $1 AND candidate_id = $2", a.TenantID, cand)
	if err != nil {
		return f, err
	}
	for rows.Next() {
		var p retention.Placement
		var kind string
		if err := rows.Scan(&p.Start, &p.End, &kind); err != nil {
			rows.Close()
			return f, err
		}
		p.SelfEmployed = kind == kluis.SelfEmployed
		f.Placements = append(f.Placements, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	rows, err = db.rc.QueryContext(ctx, "SELECT DISTINCT year FROM payroll_records WHERE tenant_id = $1 AND candidate_id = $2", a.TenantID, cand)
	if err != nil {
		return f, err
	}
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			rows.Close()
			return f, err
		}
		f.PayrollYears = append(f.PayrollYears, y)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	if err := db.rc.QueryRowContext(ctx, "SELECT max(valid_until) FROM consents WHERE tenant_id = $1 AND candidate_id = $2 AND (withdrawn_on IS NULL OR withdrawn_on > $3)",
		a.TenantID, cand, kluis.DateOf(db.now())).Scan(&f.ConsentUntil); err != nil {
		return f, fmt.Errorf("consents of candidate %d: %w", cand, err)
	}
	rows, err = db.rc.QueryContext(ctx, "SELECT kind, end_date FROM legal_holds WHERE tenant_id = $1 AND candidate_id = $2", a.TenantID, cand)
	if err != nil {
		return f, fmt.Errorf("legal holds of candidate %d: %w", cand, err)
	}
	for rows.Next() {
		var h retention.Hold
		if err := rows.Scan(&h.Reason, &h.Until); err != nil {
			rows.Close()
			return f, err
		}
		f.Holds = append(f.Holds, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	rows, err = db.rc.QueryContext(ctx, "SELECT created_at FROM documents WHERE tenant_id = $1 AND candidate_id = $2 AND kind = 'id-copy'", a.TenantID, cand)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return f, err
		}
		f.IDCopies = append(f.IDCopies, kluis.DateOf(at))
	}
	return f, rows.Err()
}

// nullTime scans a nullable timestamp (SQLite's max() of none is NULL,
// and may come as text).
type nullTime struct{ t **time.Time }

func (n nullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.t = nil
	case time.Time:
		*n.t = &v
	case string:
		t, err := parseSQLiteTime(v)
		if err != nil {
			return err
		}
		*n.t = &t
	case []byte:
		t, err := parseSQLiteTime(string(v))
		if err != nil {
			return err
		}
		*n.t = &t
	}
	return nil
}

func parseSQLiteTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &time.ParseError{Value: s, Message: ": not a time kluis writes"}
}
