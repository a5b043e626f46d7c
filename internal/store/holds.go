package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"kluis/internal/kluis"
)

var legalHolds = &table[kluis.LegalHold]{
	name: "legal_holds", kind: "legal hold",
	columns: []string{"candidate_id", "kind", "reason", "start_date", "end_date", "user_id", "ended_by", "version", "created_at"},
	values: func(h *kluis.LegalHold) []any {
		return []any{h.CandidateID, h.Kind, h.Reason, h.StartDate, h.EndDate, nullID(h.UserID), nullID(h.EndedBy), h.Version, h.CreatedAt}
	},
	targets: func(h *kluis.LegalHold) []any {
		return []any{&h.TenantID, &h.ID, &h.CandidateID, &h.Kind, &h.Reason, &h.StartDate, &h.EndDate, (*nullID)(&h.UserID),
			(*nullID)(&h.EndedBy), &h.Version, &h.CreatedAt}
	},
	version: func(h *kluis.LegalHold) *int64 { return &h.Version },
	key:     func(h *kluis.LegalHold) (*kluis.ID, *kluis.ID) { return &h.TenantID, &h.ID },
}

var consents = &table[kluis.Consent]{
	name: "consents", kind: "consent",
	columns: []string{"candidate_id", "channel", "wording", "given_on", "valid_until", "withdrawn_on", "contact_moment_id",
		"user_id", "withdrawn_by", "version", "created_at"},
	values: func(c *kluis.Consent) []any {
		return []any{c.CandidateID, c.Channel, c.Wording, c.GivenOn, c.ValidUntil, c.WithdrawnOn, nullID(c.ContactMomentID),
			nullID(c.UserID), nullID(c.WithdrawnBy), c.Version, c.CreatedAt}
	},
	targets: func(c *kluis.Consent) []any {
		return []any{&c.TenantID, &c.ID, &c.CandidateID, &c.Channel, &c.Wording, &c.GivenOn, &c.ValidUntil, &c.WithdrawnOn,
			(*nullID)(&c.ContactMomentID), (*nullID)(&c.UserID), (*nullID)(&c.WithdrawnBy), &c.Version, &c.CreatedAt}
	},
	version: func(c *kluis.Consent) *int64 { return &c.Version },
	key:     func(c *kluis.Consent) (*kluis.ID, *kluis.ID) { return &c.TenantID, &c.ID },
}

// visibleCandidate checks that the candidate exists in the actor's agency
// and, for an actor with a branch, in that branch: a list of another
// branch's candidate is "not found", not empty.
func visibleCandidate(ctx context.Context, q querier, a kluis.Actor, cand kluis.ID) error {
	var branch kluis.ID
	err := q.QueryRowContext(ctx, "SELECT branch_id FROM candidates WHERE tenant_id = $1 AND id = $2", a.TenantID, cand).Scan(&branch)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && a.Branch != 0 && branch != a.Branch) {
		return kluis.NotFound("candidate")
	}
	if err != nil {
		return fmt.Errorf("candidate %d: %w", cand, err)
	}
	return nil
}

// ListLegalHolds returns the legal holds of a candidate, newest first:
// those that last and those that ended.
func (db *DB) ListLegalHolds(ctx context.Context, a kluis.Actor, cand kluis.ID, page kluis.Page) ([]kluis.LegalHold, int, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, legalHolds, a)
	w.add("candidate_id = ?", cand)
	var out []kluis.LegalHold
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		if err := visibleCandidate(ctx, tx, a, cand); err != nil {
			return err
		}
		out, total, err = legalHolds.list(ctx, db, tx, w, "start_date DESC, id DESC", page)
		return err
	})
	return out, total, err
}

// LegalHold returns one legal hold.
func (db *DB) LegalHold(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.LegalHold, error) {
	return getOne(ctx, db, legalHolds, a, id)
}

// CreateLegalHold records a legal hold on a candidate's data, by the actor.
func (db *DB) CreateLegalHold(ctx context.Context, a kluis.Actor, h *kluis.LegalHold) error {
	h.TenantID, h.UserID, h.EndedBy = a.TenantID, a.UserID, 0
	if err := h.Validate(kluis.DateOf(db.now())); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		p := kluis.Problems{}
		if err := checkRef(ctx, tx, candidates, h.TenantID, h.CandidateID, p, "candidate_id"); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		h.ID, h.Version, h.CreatedAt = db.ids.Next(), 1, db.now()
		return legalHolds.insert(ctx, db, tx, h)
	})
}

// EndLegalHold lifts a legal hold on day end ("" is today). A hold is
// never deleted: the record of it is the proof of why data were kept.
func (db *DB) EndLegalHold(ctx context.Context, a kluis.Actor, id kluis.ID, end kluis.Date) (*kluis.LegalHold, error) {
	var h *kluis.LegalHold
	err := db.write(ctx, a, func(tx *writeTx) (err error) {
		if h, err = legalHolds.get(ctx, db, tx, a.TenantID, id); err != nil {
			return err
		}
		if err := inScope(ctx, tx, legalHolds, a, h); err != nil {
			return kluis.NotFound(legalHolds.kind)
		}
		if err := h.End(end, kluis.DateOf(db.now())); err != nil {
			return err
		}
		h.EndedBy = a.UserID
		return legalHolds.update(ctx, db, tx, h, h.Version)
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// ListConsents returns the consents of a candidate, newest first: standing
// and withdrawn ones.
func (db *DB) ListConsents(ctx context.Context, a kluis.Actor, cand kluis.ID, page kluis.Page) ([]kluis.Consent, int, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, consents, a)
	w.add("candidate_id = ?", cand)
	var out []kluis.Consent
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		if err := visibleCandidate(ctx, tx, a, cand); err != nil {
			return err
		}
		out, total, err = consents.list(ctx, db, tx, w, "given_on DESC, id DESC", page)
		return err
	})
	return out, total, err
}

// Consent returns one consent.
func (db *DB) Consent(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Consent, error) {
	return getOne(ctx, db, consents, a, id)
}

// CreateConsent records a candidate's consent to keep their data longer,
// by the actor, together with a contact moment of kind "consent" in the
// candidate's history: both or neither.
func (db *DB) CreateConsent(ctx context.Context, a kluis.Actor, c *kluis.Consent) error {
	return db.write(ctx, a, func(tx *writeTx) error { return db.createConsent(ctx, tx, c) })
}

// createConsent is CreateConsent inside an open transaction (the answer to
// a consent request records both at once).
func (db *DB) createConsent(ctx context.Context, tx *writeTx, c *kluis.Consent) error {
	a := tx.actor
	now := db.now()
	today := kluis.DateOf(now)
	c.TenantID, c.UserID, c.WithdrawnBy, c.ContactMomentID = a.TenantID, a.UserID, 0, 0
	if err := c.Validate(today); err != nil {
		return err
	}
	at := c.GivenOn.Time()
	if c.GivenOn == today {
		at = now
	}
	channel := c.Channel
	for _, ch := range kluis.ConsentChannels {
		if ch.Value == c.Channel {
			channel = ch.Label.NL
		}
	}
	m := &kluis.ContactMoment{TenantID: a.TenantID, UserID: a.UserID, CandidateID: c.CandidateID, Kind: "consent", At: at,
		Note: "Toestemming om gegevens langer te bewaren, tot " + string(c.ValidUntil) + " (via " + channel + "). Tekst: " + c.Wording}
	if err := m.Validate(now); err != nil {
		return err
	}
	if err := db.insertContactMoment(ctx, tx, m); err != nil {
		return err
	}
	c.ContactMomentID = m.ID
	c.ID, c.Version, c.CreatedAt = db.ids.Next(), 1, db.now()
	return consents.insert(ctx, db, tx, c)
}

// WithdrawConsent records that the candidate withdrew a consent on day on
// ("" is today); from that day it extends nothing.
func (db *DB) WithdrawConsent(ctx context.Context, a kluis.Actor, id kluis.ID, on kluis.Date) (*kluis.Consent, error) {
	var c *kluis.Consent
	err := db.write(ctx, a, func(tx *writeTx) (err error) {
		if c, err = consents.get(ctx, db, tx, a.TenantID, id); err != nil {
			return err
		}
		if err := inScope(ctx, tx, consents, a, c); err != nil {
			return kluis.NotFound(consents.kind)
		}
		if err := c.Withdraw(on, kluis.DateOf(db.now())); err != nil {
			return err
		}
		c.WithdrawnBy = a.UserID
		return consents.update(ctx, db, tx, c, c.Version)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
