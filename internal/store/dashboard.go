package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"kluis/internal/kluis"
)

// The privacy officer's dashboard counts; each is one aggregate query, in
// the actor's scope, and holds no personal data: kinds, states, months,
// categories and numbers.

// RequestTally is how many requests of a kind are in a state; Overdue
// ones are open and past their deadline.
type RequestTally struct {
	Kind, Status string
	Overdue      bool
	N            int
}

// RequestTallies counts the request register by kind, state and whether
// an open request is past its deadline, in the same scope as Requests.
func (db *DB) RequestTallies(ctx context.Context, a kluis.Actor) ([]RequestTally, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	w := tenantWhere(a.TenantID)
	scopeWhere(w, requests, a)
	w.args = append(w.args, db.today())
	late := "$" + strconv.Itoa(len(w.args))
	rows, err := rd.QueryContext(ctx, `SELECT kind, status, CASE WHEN closed_on IS NULL AND due_on < `+late+` THEN 1 ELSE 0 END, count(*)
		FROM requests`+w.sql()+` GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, w.args...) // #nosec G202 -- a WHERE of placeholders from the where builder; values are parameters
	if err != nil {
		return nil, fmt.Errorf("request tallies: %w", err)
	}
	defer rows.Close()
	var out []RequestTally
	for rows.Next() {
		var t RequestTally
		var late int
		if err := rows.Scan(&t.Kind, &t.Status, &late, &t.N); err != nil {
			return nil, err
		}
		t.Overdue = late == 1
		out = append(out, t)
	}
	return out, rows.Err()
}

// MonthTally is a count for a month ("2026-11") and a key: an answer, a
// kind of outcome.
type MonthTally struct {
	Month string
	Key   string
	N     int
}

// month is the SQL for the month ("2026-11") of a date or timestamp column.
func (db *DB) month(col string) string {
	if db.Dialect == Postgres {
		return "to_char(" + col + ", 'YYYY-MM')"
	}
	return "substr(CAST(" + col + " AS TEXT), 1, 7)"
}

// branchOfCandidate is the condition that keeps the rows of table alias t
// whose candidate is in the actor's branch, using placeholder n; "" for
// an actor without a branch.
func branchOfCandidate(t string, a kluis.Actor, w *where) {
	if a.Branch != 0 {
		w.add("candidate_id IN (SELECT c.id FROM candidates c WHERE c.tenant_id = "+t+".tenant_id AND c.branch_id = ?)", a.Branch)
	}
}

// ConsentRequestTallies counts the requests for consent to keep data
// longer sent from a day on, by the month they were sent and their answer
// ("agreed", "declined", "" while unanswered).
func (db *DB) ConsentRequestTallies(ctx context.Context, a kluis.Actor, from kluis.Date) ([]MonthTally, error) {
	w := tenantWhere(a.TenantID)
	w.add("sent_on >= ?", from)
	branchOfCandidate("consent_requests", a, w)
	return db.monthTallies(ctx, forAgency(a.TenantID), "SELECT "+db.month("sent_on")+", answer, count(*) FROM consent_requests"+w.sql()+" GROUP BY 1, 2 ORDER BY 1, 2", w.args)
}

// CleanupTallies counts, per month of the runs since a day, the candidates
// the clean-up erased altogether ("complete") and in part ("partial"). The
// clean-up is the agency's: the counts are not limited to a branch.
func (db *DB) CleanupTallies(ctx context.Context, a kluis.Actor, from kluis.Date) ([]MonthTally, error) {
	m := db.month("run_date")
	return db.monthTallies(ctx, forAgency(a.TenantID), `SELECT `+m+`, 'complete', COALESCE(SUM(complete), 0) FROM cleanup_runs WHERE tenant_id = $1 AND run_date >= $2 GROUP BY 1
		UNION ALL SELECT `+m+`, 'partial', COALESCE(SUM(partial), 0) FROM cleanup_runs WHERE tenant_id = $1 AND run_date >= $2 GROUP BY 1
		ORDER BY 1, 2`, []any{a.TenantID, from})
}

func (db *DB) monthTallies(ctx context.Context, t tenancy, query string, args []any) ([]MonthTally, error) {
	rd, _, done, err := db.reader(ctx, t)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("tallies: %w", err)
	}
	defer rows.Close()
	var out []MonthTally
	for rows.Next() {
		var t MonthTally
		if err := rows.Scan(&t.Month, &t.Key, &t.N); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ErasedCategories counts, per category of data, the erasures of clean-up
// runs since a moment that erased something of it: how many candidates
// lost that category to the clean-up.
func (db *DB) ErasedCategories(ctx context.Context, a kluis.Actor, since time.Time) (map[string]int, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	q := "SELECT count(*)"
	for _, c := range kluis.DataCategories {
		// The erased groups are JSON written by kluis: {"category":"bsn",…}.
		q += fmt.Sprintf(`, COALESCE(SUM(CASE WHEN erased LIKE '%%"category":"%s"%%' THEN 1 ELSE 0 END), 0)`, c.Value)
	}
	q += " FROM erasures WHERE tenant_id = $1 AND run_id IS NOT NULL AND erased_at >= $2"
	dest := make([]any, len(kluis.DataCategories)+1)
	ns := make([]int, len(dest))
	for i := range dest {
		dest[i] = &ns[i]
	}
	if err := rd.QueryRowContext(ctx, q, a.TenantID, since.UTC()).Scan(dest...); err != nil {
		return nil, fmt.Errorf("erased categories: %w", err)
	}
	out := map[string]int{}
	for i, c := range kluis.DataCategories {
		out[c.Value] = ns[i+1]
	}
	return out, nil
}

// StatementTally is, for a state of active candidates, how many there are
// and how many have no record of the current privacy statement.
type StatementTally struct {
	Status      string
	Active      int
	NotInformed int
}

// StatementTallies counts the active, unrestricted candidates the actor
// works with per state, and those among them NotInformedCandidates lists.
// It returns the current version, 0 (and nothing) when none is published.
func (db *DB) StatementTallies(ctx context.Context, a kluis.Actor) ([]StatementTally, int, error) {
	s, err := db.PrivacyStatement(ctx, a.TenantID, 0)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	args := []any{a.TenantID, s.Version}
	cond := `c.tenant_id = $1 AND c.status IN ` + activeStatuses + ` AND c.restricted = ''`
	if a.Branch != 0 {
		args = append(args, a.Branch)
		cond += " AND c.branch_id = $3"
	}
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, 0, err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, `SELECT c.status, count(*), COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM contact_moments m
			WHERE m.tenant_id = c.tenant_id AND m.candidate_id = c.id AND m.statement_version = $2
			AND `+informedBy+`) THEN 1 ELSE 0 END), 0)
		FROM candidates c WHERE `+cond+` GROUP BY c.status ORDER BY c.status`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("statement tallies: %w", err)
	}
	defer rows.Close()
	var out []StatementTally
	for rows.Next() {
		var t StatementTally
		if err := rows.Scan(&t.Status, &t.Active, &t.NotInformed); err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, s.Version, rows.Err()
}

// ConsentRequestFilter narrows the list of consent requests: sent from and
// before a day, with an answer ("agreed", "declined", "open" for none yet;
// "" for all).
type ConsentRequestFilter struct {
	SentFrom, SentBefore kluis.Date
	Answer               string
	Page                 kluis.Page
}

// ListConsentRequests lists the agency's consent requests the actor may
// see (their branch's), the latest sent first, and counts all that match.
func (db *DB) ListConsentRequests(ctx context.Context, a kluis.Actor, f ConsentRequestFilter) ([]kluis.ConsentRequest, int, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, 0, err
	}
	defer done()
	w := tenantWhere(a.TenantID)
	branchOfCandidate("consent_requests", a, w)
	if f.SentFrom != "" {
		w.add("sent_on >= ?", f.SentFrom)
	}
	if f.SentBefore != "" {
		w.add("sent_on < ?", f.SentBefore)
	}
	switch f.Answer {
	case "":
	case "open":
		w.add("answer = ?", "")
	default:
		w.add("answer = ?", f.Answer)
	}
	var total int
	if err := rd.QueryRowContext(ctx, "SELECT count(*) FROM consent_requests"+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("consent requests: %w", err)
	}
	p := f.Page.Normalize()
	rows, err := rd.QueryContext(ctx, "SELECT "+consentRequestColumns+" FROM consent_requests"+w.sql()+ // #nosec G202 -- a constant column list and a WHERE of placeholders; values are parameters
		fmt.Sprintf(" ORDER BY sent_on DESC, id DESC LIMIT %d OFFSET %d", p.Limit, p.Offset), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("consent requests: %w", err)
	}
	defer rows.Close()
	var out []kluis.ConsentRequest
	for rows.Next() {
		r, err := scanConsentRequest(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *r)
	}
	return out, total, rows.Err()
}
