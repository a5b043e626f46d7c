package store

import (
	"context"
	"database/sql"

	"kluis/internal/kluis"
)

var contactMoments = &table[kluis.ContactMoment]{
	name: "contact_moments", kind: "contact moment",
	columns: []string{"candidate_id", "kind", "at", "user_id", "note", "statement_version", "statement_channel", "outbox_id", "delivery", "version", "created_at"},
	values: func(m *kluis.ContactMoment) []any {
		return []any{m.CandidateID, m.Kind, m.At, nullID(m.UserID), m.Note, nullInt(m.StatementVersion), m.StatementChannel, nullID(m.OutboxID), m.Delivery,
			m.Version, m.CreatedAt}
	},
	targets: func(m *kluis.ContactMoment) []any {
		return []any{&m.TenantID, &m.ID, &m.CandidateID, &m.Kind, &m.At, (*nullID)(&m.UserID), &m.Note, (*nullInt)(&m.StatementVersion),
			&m.StatementChannel, (*nullID)(&m.OutboxID), &m.Delivery, &m.Version, &m.CreatedAt}
	},
	version: func(m *kluis.ContactMoment) *int64 { return &m.Version },
	key:     func(m *kluis.ContactMoment) (*kluis.ID, *kluis.ID) { return &m.TenantID, &m.ID },
	subject: func(m *kluis.ContactMoment) kluis.ID { return m.CandidateID },
}

// ContactMomentFilter narrows the history list.
type ContactMomentFilter struct {
	CandidateID kluis.ID
	Kind        string
	Page        kluis.Page
}

// ListContactMoments returns history entries, newest first.
func (db *DB) ListContactMoments(ctx context.Context, a kluis.Actor, f ContactMomentFilter) ([]kluis.ContactMoment, int, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, contactMoments, a)
	if f.CandidateID != 0 {
		w.add("candidate_id = ?", f.CandidateID)
	}
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	var out []kluis.ContactMoment
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		out, total, err = contactMoments.list(ctx, db, tx, w, "at DESC, id DESC", f.Page)
		return err
	})
	return out, total, err
}

// AllContactMoments returns every contact moment of a candidate the actor
// may see, newest first, in one query: the record card holds them all.
func (db *DB) AllContactMoments(ctx context.Context, a kluis.Actor, candidate kluis.ID) ([]kluis.ContactMoment, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, contactMoments, a)
	w.add("candidate_id = ?", candidate)
	var out []kluis.ContactMoment
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		out, err = contactMoments.all(ctx, db, tx, w, "at DESC, id DESC")
		return err
	})
	return out, err
}

// ContactMoment returns one history entry.
func (db *DB) ContactMoment(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.ContactMoment, error) {
	return getOne(ctx, db, contactMoments, a, id)
}

// CreateContactMoment records a contact with a candidate, by the actor.
// The proof of informing is refused (Validate): only showing or sending
// the statement itself records it (RecordStatementShown,
// SendPrivacyStatement, the portal's check-in).
func (db *DB) CreateContactMoment(ctx context.Context, a kluis.Actor, m *kluis.ContactMoment) error {
	m.TenantID, m.UserID, m.StatementVersion, m.StatementChannel, m.OutboxID, m.Delivery = a.TenantID, a.UserID, 0, "", 0, ""
	if err := m.Validate(db.now()); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		return db.insertContactMoment(ctx, tx, m)
	})
}

func (db *DB) insertContactMoment(ctx context.Context, tx *writeTx, m *kluis.ContactMoment) error {
	p := kluis.Problems{}
	if err := checkRef(ctx, tx, candidates, m.TenantID, m.CandidateID, p, "candidate_id"); err != nil {
		return err
	}
	if err := p.Err(); err != nil {
		return err
	}
	m.ID, m.Version, m.CreatedAt = db.ids.Next(), 1, db.now()
	return contactMoments.insert(ctx, db, tx, m)
}

// UpdateContactMoment corrects a history entry if version is still current.
// The candidate and the user who recorded it do not change; the proof of
// informing does not change at all, nor does another moment become one.
func (db *DB) UpdateContactMoment(ctx context.Context, a kluis.Actor, m *kluis.ContactMoment, version int64) error {
	m.TenantID = a.TenantID
	if err := m.Validate(db.now()); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		old, err := contactMoments.get(ctx, db, tx, a.TenantID, m.ID)
		if err != nil {
			return err
		}
		if kluis.IsStatementProof(old.Kind) {
			return kluis.ErrStatementProof()
		}
		m.CandidateID, m.UserID, m.CreatedAt = old.CandidateID, old.UserID, old.CreatedAt
		m.StatementVersion, m.StatementChannel, m.OutboxID, m.Delivery = old.StatementVersion, old.StatementChannel, old.OutboxID, old.Delivery
		return contactMoments.update(ctx, db, tx, m, version)
	})
}

// DeleteContactMoment removes a history entry; the proof of informing is
// never removed (only the candidate's erasure takes it away).
func (db *DB) DeleteContactMoment(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) error {
	return db.write(ctx, a, func(tx *writeTx) error {
		old, err := contactMoments.get(ctx, db, tx, a.TenantID, id)
		if err != nil {
			return err
		}
		if kluis.IsStatementProof(old.Kind) {
			return kluis.ErrStatementProof()
		}
		return contactMoments.delete(ctx, tx, a.TenantID, id, version)
	})
}
