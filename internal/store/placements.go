package store

import (
	"context"
	"database/sql"

	"kluis/internal/kluis"
)

var placements = &table[kluis.Placement]{
	name: "placements", kind: "placement",
	columns: []string{"candidate_id", "client_id", "function", "start_date", "end_date", "hourly_wage_cents",
		"contract_kind", "version", "created_at", "updated_at"},
	values: func(p *kluis.Placement) []any {
		return []any{p.CandidateID, p.ClientID, p.Function, p.StartDate, p.EndDate, p.HourlyWageCents,
			p.ContractKind, p.Version, p.CreatedAt, p.UpdatedAt}
	},
	targets: func(p *kluis.Placement) []any {
		return []any{&p.TenantID, &p.ID, &p.CandidateID, &p.ClientID, &p.Function, &p.StartDate, &p.EndDate, &p.HourlyWageCents,
			&p.ContractKind, &p.Version, &p.CreatedAt, &p.UpdatedAt}
	},
	version: func(p *kluis.Placement) *int64 { return &p.Version },
	key:     func(p *kluis.Placement) (*kluis.ID, *kluis.ID) { return &p.TenantID, &p.ID },
}

// PlacementFilter narrows the placement list.
type PlacementFilter struct {
	CandidateID kluis.ID
	ClientID    kluis.ID
	ActiveOn    kluis.Date
	// StartsFrom–StartsTo and EndsFrom–EndsTo keep placements that start or
	// end in a period (both bounds inclusive; either may be left open).
	StartsFrom, StartsTo kluis.Date
	EndsFrom, EndsTo     kluis.Date
	Sort                 string
	Page                 kluis.Page
}

var placementSorts = map[string]string{"start_date": "start_date", "end_date": "end_date", "created_at": "created_at"}

// ListPlacements returns a page of placements and the total.
func (db *DB) ListPlacements(ctx context.Context, a kluis.Actor, f PlacementFilter) ([]kluis.Placement, int, error) {
	order, err := orderBy(f.Sort, placementSorts, "start_date DESC, id DESC")
	if err != nil {
		return nil, 0, err
	}
	w := tenantWhere(a.TenantID)
	scopeWhere(w, placements, a)
	if f.CandidateID != 0 {
		w.add("candidate_id = ?", f.CandidateID)
	}
	if f.ClientID != 0 {
		w.add("client_id = ?", f.ClientID)
	}
	if f.ActiveOn != "" {
		w.add("start_date <= ?", f.ActiveOn)
		w.add("(end_date IS NULL OR end_date >= ?)", f.ActiveOn)
	}
	for cond, d := range map[string]kluis.Date{"start_date >= ?": f.StartsFrom, "start_date <= ?": f.StartsTo,
		"end_date >= ?": f.EndsFrom, "end_date <= ?": f.EndsTo} {
		if d != "" {
			w.add(cond, d)
		}
	}
	var out []kluis.Placement
	var total int
	err = db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error {
		out, total, err = placements.list(ctx, db, tx, w, order, f.Page)
		return err
	})
	return out, total, err
}

// Placement returns one placement.
func (db *DB) Placement(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Placement, error) {
	return getOne(ctx, db, placements, a, id)
}

func (db *DB) checkPlacement(ctx context.Context, tx querier, pl *kluis.Placement) error {
	p := kluis.Problems{}
	if err := checkRef(ctx, tx, candidates, pl.TenantID, pl.CandidateID, p, "candidate_id"); err != nil {
		return err
	}
	if err := checkRef(ctx, tx, clients, pl.TenantID, pl.ClientID, p, "client_id"); err != nil {
		return err
	}
	return p.Err()
}

// CreatePlacement places a candidate at a client.
func (db *DB) CreatePlacement(ctx context.Context, a kluis.Actor, pl *kluis.Placement) error {
	pl.TenantID = a.TenantID
	if err := pl.Validate(); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := db.checkPlacement(ctx, tx, pl); err != nil {
			return err
		}
		now := db.now()
		pl.ID, pl.Version, pl.CreatedAt, pl.UpdatedAt = db.ids.Next(), 1, now, now
		return placements.insert(ctx, db, tx, pl)
	})
}

// UpdatePlacement saves pl if version is still the stored one.
func (db *DB) UpdatePlacement(ctx context.Context, a kluis.Actor, pl *kluis.Placement, version int64) error {
	pl.TenantID = a.TenantID
	if err := pl.Validate(); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := db.checkPlacement(ctx, tx, pl); err != nil {
			return err
		}
		pl.UpdatedAt = db.now()
		return placements.update(ctx, db, tx, pl, version)
	})
}

// DeletePlacement removes a placement that no payroll record refers to.
func (db *DB) DeletePlacement(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) error {
	return db.write(ctx, a, func(tx *writeTx) error { return placements.delete(ctx, tx, a.TenantID, id, version) })
}
