package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"kluis/internal/kluis"
)

// Branch scope: an actor with a Branch (a recruiter or branch manager) sees
// and changes only the candidates of that branch and the records that
// belong to them (placements, contact moments, documents, payroll records,
// disclosures). To them, anything else does not exist: reads answer "not
// found", lists leave it out, writes are refused as not found. Clients and
// their contact persons are shared by the branches of an agency.

// scoped reports whether table's records are limited by branch.
func scoped[T any](t *table[T]) bool {
	return t.name == "candidates" || slices.Contains(t.columns, "candidate_id")
}

// scopeCond is the condition, for a query of table, that keeps the
// actor's branch; "" when the actor or the table is not scoped. It uses the
// next placeholder of w.
func scopeWhere[T any](w *where, t *table[T], a kluis.Actor) {
	if a.Branch == 0 || !scoped(t) {
		return
	}
	if t.name == "candidates" {
		w.add("branch_id = ?", a.Branch)
		return
	}
	w.add("candidate_id IN (SELECT c.id FROM candidates c WHERE c.tenant_id = "+t.name+".tenant_id AND c.branch_id = ?)", a.Branch)
}

// candidateBranch returns the branch of a candidate, 0 when there is none.
func candidateBranch(ctx context.Context, q querier, tenant, cand kluis.ID) (kluis.ID, error) {
	var b kluis.ID
	err := q.QueryRowContext(ctx, "SELECT branch_id FROM candidates WHERE tenant_id = $1 AND id = $2", tenant, cand).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("branch of candidate: %w", err)
	}
	return b, nil
}

// inScope checks that a record of table, belonging to candidate owner (or
// being the candidate, in branch), lies within the actor's branch.
func inScope[T any](ctx context.Context, q querier, t *table[T], a kluis.Actor, rec *T) error {
	if a.Branch == 0 || !scoped(t) {
		return nil
	}
	var branch kluis.ID
	if c, ok := any(rec).(*kluis.Candidate); ok {
		branch = c.BranchID
	} else {
		var err error
		if branch, err = candidateBranch(ctx, q, a.TenantID, t.ownerOf(rec)); err != nil {
			return err
		}
	}
	if branch != a.Branch {
		return kluis.OutOfScope(t.kind)
	}
	return nil
}
