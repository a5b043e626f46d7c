package store

import (
	"context"
	"fmt"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/retention"
)

// RetentionFacts gathers what the retention plan of a candidate depends on:
// registration, last activity, placements, payroll years, ID copies,
// consents to keep longer and legal holds — with the same queries that
// EachRetentionFacts runs for a thousand candidates at a time.
func (db *DB) RetentionFacts(ctx context.Context, a kluis.Actor, cand kluis.ID) (retention.Facts, error) {
	c, err := db.Candidate(ctx, a, cand)
	if err != nil {
		return retention.Facts{}, err
	}
	one := &CandidateFacts{ID: c.ID, BranchID: c.BranchID, Facts: retention.Facts{Registered: c.RegisteredOn, LastActivity: c.RegisteredOn,
		Nationality: c.Nationality, IDRecordedOn: c.IDRecordedOn}}
	var erased string
	rd, rdp, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return retention.Facts{}, err
	}
	defer done()
	if err := rdp.QueryRowContext(ctx, "SELECT erased_groups FROM candidates WHERE tenant_id = $1 AND id = $2", a.TenantID, c.ID).Scan(&erased); err != nil {
		return retention.Facts{}, fmt.Errorf("erased groups: %w", err)
	}
	one.Facts.Erased = erasedGroups(erased)
	if err := db.fillFacts(ctx, rd, a.TenantID, []*CandidateFacts{one}, map[kluis.ID]*CandidateFacts{c.ID: one}, nil); err != nil {
		return retention.Facts{}, err
	}
	return one.Facts, nil
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
