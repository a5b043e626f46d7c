package store

import (
	"context"
	"database/sql"

	"kluis/internal/kluis"
)

var payrollRecords = &table[kluis.PayrollRecord]{
	name: "payroll_records", kind: "payroll record",
	columns: []string{"candidate_id", "placement_id", "year", "period", "gross_cents", "net_cents", "document_id",
		"version", "created_at", "updated_at"},
	values: func(r *kluis.PayrollRecord) []any {
		return []any{r.CandidateID, nullID(r.PlacementID), r.Year, r.Period, r.GrossCents, r.NetCents, nullID(r.DocumentID),
			r.Version, r.CreatedAt, r.UpdatedAt}
	},
	targets: func(r *kluis.PayrollRecord) []any {
		return []any{&r.TenantID, &r.ID, &r.CandidateID, (*nullID)(&r.PlacementID), &r.Year, &r.Period, &r.GrossCents, &r.NetCents,
			(*nullID)(&r.DocumentID), &r.Version, &r.CreatedAt, &r.UpdatedAt}
	},
	version: func(r *kluis.PayrollRecord) *int64 { return &r.Version },
	key:     func(r *kluis.PayrollRecord) (*kluis.ID, *kluis.ID) { return &r.TenantID, &r.ID },
}

// PayrollFilter narrows the payroll list.
type PayrollFilter struct {
	CandidateID kluis.ID
	Year        int
	Page        kluis.Page
}

// ListPayrollRecords returns payroll records, newest period first.
func (db *DB) ListPayrollRecords(ctx context.Context, a kluis.Actor, f PayrollFilter) ([]kluis.PayrollRecord, int, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, payrollRecords, a)
	if f.CandidateID != 0 {
		w.add("candidate_id = ?", f.CandidateID)
	}
	if f.Year != 0 {
		w.add("year = ?", f.Year)
	}
	var out []kluis.PayrollRecord
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		out, total, err = payrollRecords.list(ctx, db, tx, w, "year DESC, period DESC, id DESC", f.Page)
		return err
	})
	return out, total, err
}

// PayrollRecord returns one payroll record.
func (db *DB) PayrollRecord(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.PayrollRecord, error) {
	return getOne(ctx, db, payrollRecords, a, id)
}

// checkPayroll makes sure the placement and the pay-slip document belong to
// the same candidate as the record.
func (db *DB) checkPayroll(ctx context.Context, tx querier, r *kluis.PayrollRecord) error {
	p := kluis.Problems{}
	if err := checkRef(ctx, tx, candidates, r.TenantID, r.CandidateID, p, "candidate_id"); err != nil {
		return err
	}
	if r.PlacementID != 0 {
		pl, err := placements.get(ctx, db, tx, r.TenantID, r.PlacementID)
		if kluis.ErrorCode(err) == kluis.ENotFound || (err == nil && pl.CandidateID != r.CandidateID) {
			p.Add("placement_id", "Deze plaatsing hoort niet bij deze kandidaat.", "This placement does not belong to this candidate.")
		} else if err != nil {
			return err
		}
	}
	if r.DocumentID != 0 {
		d, err := documents.get(ctx, db, tx, r.TenantID, r.DocumentID)
		if kluis.ErrorCode(err) == kluis.ENotFound || (err == nil && d.CandidateID != r.CandidateID) {
			p.Add("document_id", "Dit document hoort niet bij deze kandidaat.", "This document does not belong to this candidate.")
		} else if err != nil {
			return err
		} else if d.Kind != "pay-slip" && d.Kind != "annual-statement" {
			p.Add("document_id", "Kies een loonstrook of jaaropgaaf.", "Choose a pay slip or annual statement.")
		}
	}
	return p.Err()
}

// CreatePayrollRecord stores a pay period.
func (db *DB) CreatePayrollRecord(ctx context.Context, a kluis.Actor, r *kluis.PayrollRecord) error {
	r.TenantID = a.TenantID
	if err := r.Validate(db.now().Year()); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := db.checkPayroll(ctx, tx, r); err != nil {
			return err
		}
		now := db.now()
		r.ID, r.Version, r.CreatedAt, r.UpdatedAt = db.ids.Next(), 1, now, now
		return payrollRecords.insert(ctx, db, tx, r)
	})
}

// UpdatePayrollRecord saves r if version is still the stored one.
func (db *DB) UpdatePayrollRecord(ctx context.Context, a kluis.Actor, r *kluis.PayrollRecord, version int64) error {
	r.TenantID = a.TenantID
	if err := r.Validate(db.now().Year()); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := db.checkPayroll(ctx, tx, r); err != nil {
			return err
		}
		r.UpdatedAt = db.now()
		return payrollRecords.update(ctx, db, tx, r, version)
	})
}

// DeletePayrollRecord removes a payroll record.
func (db *DB) DeletePayrollRecord(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) error {
	return db.write(ctx, a, func(tx *writeTx) error { return payrollRecords.delete(ctx, tx, a.TenantID, id, version) })
}
