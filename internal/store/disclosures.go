package store

import (
	"context"
	"database/sql"

	"kluis/internal/kluis"
)

var disclosures = &table[kluis.Disclosure]{
	name: "disclosures", kind: "disclosure",
	columns: []string{"candidate_id", "recipient_kind", "client_id", "recipient", "categories", "purpose",
		"disclosed_at", "user_id", "created_at"},
	values: func(d *kluis.Disclosure) []any {
		return []any{d.CandidateID, d.RecipientKind, nullID(d.ClientID), d.Recipient, strList(d.Categories), d.Purpose,
			d.DisclosedAt, nullID(d.UserID), d.CreatedAt}
	},
	targets: func(d *kluis.Disclosure) []any {
		return []any{&d.TenantID, &d.ID, &d.CandidateID, &d.RecipientKind, (*nullID)(&d.ClientID), &d.Recipient,
			(*strList)(&d.Categories), &d.Purpose, &d.DisclosedAt, (*nullID)(&d.UserID), &d.CreatedAt}
	},
	key: func(d *kluis.Disclosure) (*kluis.ID, *kluis.ID) { return &d.TenantID, &d.ID },
}

// DisclosureFilter narrows the disclosure register.
type DisclosureFilter struct {
	CandidateID kluis.ID
	ClientID    kluis.ID
	Page        kluis.Page
}

// ListDisclosures returns register entries, newest first.
func (db *DB) ListDisclosures(ctx context.Context, a kluis.Actor, f DisclosureFilter) ([]kluis.Disclosure, int, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, disclosures, a)
	if f.CandidateID != 0 {
		w.add("candidate_id = ?", f.CandidateID)
	}
	if f.ClientID != 0 {
		w.add("client_id = ?", f.ClientID)
	}
	var out []kluis.Disclosure
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		out, total, err = disclosures.list(ctx, db, tx, w, "disclosed_at DESC, id DESC", f.Page)
		return err
	})
	return out, total, err
}

// Disclosure returns one register entry.
func (db *DB) Disclosure(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Disclosure, error) {
	return getOne(ctx, db, disclosures, a, id)
}

// CreateDisclosure records that an organisation received a candidate's data.
// Entries are never edited or deleted one by one: the register is the proof
// of who must be told of a rectification, erasure or restriction (art. 19).
func (db *DB) CreateDisclosure(ctx context.Context, a kluis.Actor, d *kluis.Disclosure) error {
	d.TenantID, d.UserID = a.TenantID, a.UserID
	if err := d.Validate(db.now()); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		return db.insertDisclosure(ctx, tx, d)
	})
}

func (db *DB) insertDisclosure(ctx context.Context, tx *writeTx, d *kluis.Disclosure) error {
	p := kluis.Problems{}
	if err := checkRef(ctx, tx, candidates, d.TenantID, d.CandidateID, p, "candidate_id"); err != nil {
		return err
	}
	if d.ClientID != 0 {
		c, err := clients.get(ctx, db, tx, d.TenantID, d.ClientID)
		switch {
		case kluis.ErrorCode(err) == kluis.ENotFound:
			p.Add("client_id", "Bestaat niet (meer).", "Does not exist (any more).")
		case err != nil:
			return err
		case d.Recipient == "":
			d.Recipient = c.Name
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	d.ID, d.CreatedAt = db.ids.Next(), db.now()
	return disclosures.insert(ctx, db, tx, d)
}
