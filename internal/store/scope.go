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
	restrictedWhere(w, t, a)
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

// Restriction: of a candidate whose staged erasure left only what a law
// still requires (kluis.RestrictedLegalMinimum), payroll and the privacy
// officer read what is left, nobody changes it (only the erasure that
// removes the rest), and to everyone else the candidate and their records
// do not exist.

// seesRestricted reports whether the actor may read a restricted
// candidate: payroll, the privacy officer, and kluis itself.
func seesRestricted(a kluis.Actor) bool {
	return a.Role == "" || a.Role == kluis.RolePayroll || a.Role == kluis.RolePrivacy
}

// restrictedWhere leaves restricted candidates, and their records, out of
// a query of table for an actor who may not see them.
func restrictedWhere[T any](w *where, t *table[T], a kluis.Actor) {
	if seesRestricted(a) || !scoped(t) {
		return
	}
	if t.name == "candidates" {
		w.add("restricted = ?", "")
		return
	}
	w.add("candidate_id NOT IN (SELECT c.id FROM candidates c WHERE c.tenant_id = "+t.name+".tenant_id AND c.restricted <> ?)", "")
}

// candidateRestriction returns the restriction of a candidate, "" when
// there is none or no such candidate.
func candidateRestriction(ctx context.Context, q querier, tenant, cand kluis.ID) (string, error) {
	var r string
	err := q.QueryRowContext(ctx, "SELECT restricted FROM candidates WHERE tenant_id = $1 AND id = $2", tenant, cand).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("restriction of candidate: %w", err)
	}
	return r, nil
}

// errRestricted is the answer to a change of a restricted candidate.
func errRestricted() error {
	return kluis.Errorf(kluis.EConflict, "Van deze kandidaat wordt alleen nog bewaard wat de wet voorschrijft; het kan niet meer worden gewijzigd.",
		"Only what the law requires is still kept of this candidate; it can no longer be changed.")
}

// notRestricted refuses a change of a record of table that belongs to a
// restricted candidate (or is one: rec is then the stored candidate).
func notRestricted[T any](ctx context.Context, q querier, t *table[T], tenant kluis.ID, rec *T) error {
	// A legal hold may still be placed and ended: a tax audit concerns
	// exactly what is kept. A request may still be registered and
	// handled: a restricted candidate keeps their rights, and the erasure
	// request that restricted them is closed after the erasure.
	// The records of the rights themselves (restrictions.go) likewise.
	if !scoped(t) || t.name == "legal_holds" || t.name == "requests" || rightsTables[t.name] {
		return nil
	}
	if c, ok := any(rec).(*kluis.Candidate); ok {
		if c.Restricted != "" {
			return errRestricted()
		}
	} else if r, err := candidateRestriction(ctx, q, tenant, t.ownerOf(rec)); err != nil {
		return err
	} else if r != "" {
		return errRestricted()
	}
	// An art. 18 restriction: the data are only stored (restrictions.go).
	if w, ok := q.(*writeTx); ok {
		return w.mayProcess(ctx, t.ownerOf(rec), t.name)
	}
	return nil
}

// visible checks that the actor may read a record of table: a restricted
// candidate, and their records, only payroll and the privacy officer.
func visible[T any](ctx context.Context, q querier, t *table[T], a kluis.Actor, rec *T) error {
	if seesRestricted(a) || !scoped(t) {
		return nil
	}
	var r string
	if c, ok := any(rec).(*kluis.Candidate); ok {
		r = c.Restricted
	} else {
		var err error
		if r, err = candidateRestriction(ctx, q, a.TenantID, t.ownerOf(rec)); err != nil {
			return err
		}
	}
	if r != "" {
		return kluis.NotFound(t.kind)
	}
	return nil
}
