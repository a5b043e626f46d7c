package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// Restriction of processing (art. 18 GDPR). While a candidate has an
// active restriction (kluis.Restriction, table restrictions), their data
// are only stored:
//
//   - no change: every audited write of the candidate or their records
//     (insert, update, delete through table[T]) asks mayProcess, as does the
//     bulk loader for the history it adds to existing candidates;
//   - no deletion: the retention plan counts the restriction as a legal
//     hold (fillFacts), so the clean-up finds nothing due; an erasure on
//     request, or of one candidate, is refused (eraseOne); the removals
//     kluis makes itself — R2 (PurgeExpiredIDCopies) and minimisation
//     (PurgeNotCollected) — leave the candidate out;
//   - no use: the candidate list leaves them out unless asked for
//     (CandidateFilter.Restricted), mailings leave them out (the privacy
//     statement's sending, consent renewal), and the outbox refuses a
//     message to them (enqueueMail) except the notices of their rights.
//
// Processing anyway (art. 18(2)) is one write carrying an override
// (WithOverride): the reason from a closed list and a note, recorded in
// restriction_overrides and the audit log in the transaction of the write
// itself, once per candidate — so an override can never outlive the write
// it was given for, nor a write happen without its override recorded.
//
// The records of the rights themselves are never refused: a restricted
// candidate keeps their rights (rightsTables), and what they do in the
// portal is the exercise of those rights (exercisingRights): the link they
// ask for, its use, the downloads of their own data and their requests,
// each with its record in their history.

// rightsTables are the tables of the records of the candidate's rights:
// they may be written for a restricted candidate (both kinds of
// restriction).
var rightsTables = map[string]bool{
	"restrictions": true, "supplementary_statements": true, "rectifications": true, "recipient_notices": true,
}

var restrictions = &table[kluis.Restriction]{
	name: "restrictions", kind: "restriction",
	columns: []string{"candidate_id", "ground", "started_on", "note", "request_id", "user_id", "outcome", "decided_on",
		"informed_on", "informed_how", "informed_by", "notice_id", "lifted_on", "lifted_by", "version", "created_at"},
	values: func(x *kluis.Restriction) []any {
		return []any{x.CandidateID, x.Ground, x.StartedOn, x.Note, nullID(x.RequestID), nullID(x.UserID), x.Outcome, x.DecidedOn,
			x.InformedOn, x.InformedHow, nullID(x.InformedBy), nullID(x.NoticeID), x.LiftedOn, nullID(x.LiftedBy), x.Version, x.CreatedAt}
	},
	targets: func(x *kluis.Restriction) []any {
		return []any{&x.TenantID, &x.ID, &x.CandidateID, &x.Ground, &x.StartedOn, &x.Note, (*nullID)(&x.RequestID), (*nullID)(&x.UserID),
			&x.Outcome, &x.DecidedOn, &x.InformedOn, &x.InformedHow, (*nullID)(&x.InformedBy), (*nullID)(&x.NoticeID), &x.LiftedOn,
			(*nullID)(&x.LiftedBy), &x.Version, &x.CreatedAt}
	},
	version: func(x *kluis.Restriction) *int64 { return &x.Version },
	key:     func(x *kluis.Restriction) (*kluis.ID, *kluis.ID) { return &x.TenantID, &x.ID },
}

type overrideKey struct{}

// WithOverride lets the writes made with ctx process a restricted
// candidate's data anyway (art. 18(2)), for the reason of o. Give it to one
// write: each write records it.
func WithOverride(ctx context.Context, o kluis.Override) context.Context {
	return context.WithValue(ctx, overrideKey{}, o)
}

func overrideFrom(ctx context.Context) (kluis.Override, bool) {
	o, ok := ctx.Value(overrideKey{}).(kluis.Override)
	return o, ok
}

type rightsKey struct{}

// exercisingRights marks the writes made with ctx as the candidate's own
// exercise of their rights in the portal (art. 18 restricts processing,
// never the rights of art. 15-22): mayProcess lets them through without
// an override. Only the store's portal functions set it, for the actor
// kluis acting for the candidate (portalActor).
func exercisingRights(ctx context.Context) context.Context {
	return context.WithValue(ctx, rightsKey{}, true)
}

// activeRestrictionSQL selects, with $1 the agency and $2 the candidate,
// the candidate's active art. 18 restriction.
const activeRestrictionSQL = "SELECT id FROM restrictions WHERE tenant_id = $1 AND candidate_id = $2 AND lifted_on IS NULL ORDER BY id LIMIT 1"

// notProcessingRestricted is the condition, on a query of candidates
// aliased alias, that leaves out candidates with an active restriction.
func notProcessingRestricted(alias, id string) string {
	return "NOT EXISTS (SELECT 1 FROM restrictions r WHERE r.tenant_id = " + alias + ".tenant_id AND r.candidate_id = " + alias + "." + id +
		" AND r.lifted_on IS NULL)"
}

// activeRestrictedIDs is the condition that column is (op "IN") or is not
// (op "NOT IN") the id of a candidate with an active restriction, with one
// placeholder for the agency.
func activeRestrictedIDs(column, op string) string {
	return column + " " + op + " (SELECT r.candidate_id FROM restrictions r WHERE r.tenant_id = ? AND r.lifted_on IS NULL)"
}

// anyProcessingRestricted reports whether the agency has a candidate with
// an active restriction.
func (db *DB) anyProcessingRestricted(ctx context.Context, tenant kluis.ID) (bool, error) {
	_, rdp, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return false, err
	}
	defer done()
	var one int
	err = rdp.QueryRowContext(ctx, "SELECT 1 FROM restrictions WHERE tenant_id = $1 AND lifted_on IS NULL LIMIT 1", tenant).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("restrictions: %w", err)
	}
	return true, nil
}

// activeRestriction returns the id of the candidate's active restriction,
// 0 when there is none.
func activeRestriction(ctx context.Context, q querier, tenant, cand kluis.ID) (kluis.ID, error) {
	var id kluis.ID
	err := q.QueryRowContext(ctx, activeRestrictionSQL, tenant, cand).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("restriction of candidate: %w", err)
	}
	return id, nil
}

// ProcessingRestricted reports whether the candidate's processing is
// restricted (art. 18) now: for the callers that use a candidate's data
// outside the store (exports), which must refuse them too.
func (db *DB) ProcessingRestricted(ctx context.Context, a kluis.Actor, cand kluis.ID) (bool, error) {
	_, rdp, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return false, err
	}
	defer done()
	id, err := activeRestriction(ctx, rdp, a.TenantID, cand)
	return id != 0, err
}

// mayProcess refuses a write of a candidate's data (entity: the table)
// while their processing is restricted, unless the write carries an
// override, which it then records — once per candidate and transaction.
func (w *writeTx) mayProcess(ctx context.Context, cand kluis.ID, entity string) error {
	if cand == 0 {
		return nil
	}
	if w.overridden[cand] {
		return nil
	}
	if rights, _ := ctx.Value(rightsKey{}).(bool); rights && w.actor.Role == kluis.RoleCandidate {
		return nil
	}
	if err := w.lockCandidate(ctx, cand, " FOR NO KEY UPDATE"); err != nil {
		return err
	}
	rid, err := activeRestriction(ctx, w, w.actor.TenantID, cand)
	if err != nil || rid == 0 {
		return err
	}
	o, ok := overrideFrom(ctx)
	if !ok {
		return kluis.ErrProcessingRestricted()
	}
	// kluis itself (no role) carries an override only where the candidate
	// acts: their answer through the portal.
	if w.actor.Role != "" && !kluis.MayProcessAnyway(w.actor.Role) {
		return kluis.Errorf(kluis.EForbidden, "Alleen de privacyfunctionaris of de vestigingsmanager kan de gegevens van een beperkte kandidaat toch verwerken.",
			"Only the privacy officer or the branch manager can process a restricted candidate's data anyway.")
	}
	if err := o.Validate(); err != nil {
		return err
	}
	id := w.db.ids.Next()
	if _, err := w.ExecContext(ctx, `INSERT INTO restriction_overrides (tenant_id, id, restriction_id, candidate_id, reason, note, entity, user_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, w.actor.TenantID, id, rid, cand, o.Reason, o.Note, entity, nullID(w.actor.UserID), w.db.now()); err != nil {
		return fmt.Errorf("record processing anyway: %w", err)
	}
	w.record(kluis.AuditEntry{Action: "override", Entity: "restrictions", EntityID: rid, CandidateID: cand, Fields: []string{entity}, Reason: o.Reason})
	if w.overridden == nil {
		w.overridden = map[kluis.ID]bool{}
	}
	w.overridden[cand] = true
	return nil
}

// lockCandidate locks the candidate's row until the transaction ends, on
// PostgreSQL, with lock " FOR NO KEY UPDATE" (a write of their data) or
// " FOR UPDATE" (a restriction). Under read committed a write could
// otherwise find no restriction, be overtaken by one that commits, and
// commit after it: a row made while the candidate's processing was
// restricted. With the lock, a write checks either before the restriction
// (which then waits for it to commit) or after the restriction committed,
// with a new snapshot that sees it. The writes of one candidate take turns:
// a shared lock (FOR KEY SHARE) would let a steady stream of them keep a
// restriction waiting without end, as PostgreSQL queues only the lockers
// that must wait. A foreign key's check (FOR KEY SHARE) does not wait for
// it. SQLite runs one write at a time. A row that does not exist (yet)
// locks nothing.
func (w *writeTx) lockCandidate(ctx context.Context, cand kluis.ID, lock string) error {
	if have := w.locked[cand]; w.db.Dialect != Postgres || have == lock || have == " FOR UPDATE" {
		return nil
	}
	var one int
	err := w.QueryRowContext(ctx, "SELECT 1 FROM candidates WHERE tenant_id = $1 AND id = $2"+lock, w.actor.TenantID, cand).Scan(&one)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("lock candidate: %w", err)
	}
	if w.locked == nil {
		w.locked = map[kluis.ID]string{}
	}
	w.locked[cand] = lock
	return nil
}

// ProcessingOverride is one write that processed a restricted candidate's
// data anyway.
type ProcessingOverride struct {
	ID            kluis.ID  `json:"id"`
	RestrictionID kluis.ID  `json:"restriction_id"`
	CandidateID   kluis.ID  `json:"candidate_id"`
	Reason        string    `json:"reason"`
	Note          string    `json:"note"`
	Entity        string    `json:"entity"`
	UserID        kluis.ID  `json:"user_id,omitempty"`
	At            time.Time `json:"at"`
}

// ProcessingOverrides lists the writes that processed the data of the
// candidate of a restriction anyway while it lasted, newest first.
func (db *DB) ProcessingOverrides(ctx context.Context, a kluis.Actor, restriction kluis.ID) ([]ProcessingOverride, error) {
	if _, err := db.Restriction(ctx, a, restriction); err != nil {
		return nil, err
	}
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, `SELECT id, restriction_id, candidate_id, reason, note, entity, user_id, at FROM restriction_overrides
		WHERE tenant_id = $1 AND restriction_id = $2 ORDER BY at DESC, id DESC`, a.TenantID, restriction)
	if err != nil {
		return nil, fmt.Errorf("overrides: %w", err)
	}
	defer rows.Close()
	out := []ProcessingOverride{}
	for rows.Next() {
		var o ProcessingOverride
		var at *time.Time
		if err := rows.Scan(&o.ID, &o.RestrictionID, &o.CandidateID, &o.Reason, &o.Note, &o.Entity, (*nullID)(&o.UserID), nullTime{&at}); err != nil {
			return nil, err
		}
		if at != nil {
			o.At = *at
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// RestrictionFilter narrows the list of restrictions.
type RestrictionFilter struct {
	CandidateID kluis.ID
	// Active keeps the restrictions that last; Lifted those lifted.
	Active bool
	Lifted bool
	Page   kluis.Page
}

// Restrictions lists restrictions, those that last first, the newest first.
func (db *DB) Restrictions(ctx context.Context, a kluis.Actor, f RestrictionFilter) ([]kluis.Restriction, int, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, restrictions, a)
	if f.CandidateID != 0 {
		w.add("candidate_id = ?", f.CandidateID)
	}
	if f.Active {
		w.add("lifted_on IS NULL")
	}
	if f.Lifted {
		w.add("lifted_on IS NOT NULL")
	}
	var out []kluis.Restriction
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		out, total, err = restrictions.list(ctx, db, tx, w, "CASE WHEN lifted_on IS NULL THEN 0 ELSE 1 END, started_on DESC, id DESC", f.Page)
		return err
	})
	return out, total, err
}

// ActiveRestrictions returns the restrictions of a candidate that last, for
// the banner every screen of them shows. Whoever sees the candidate sees
// these.
func (db *DB) ActiveRestrictions(ctx context.Context, a kluis.Actor, cand kluis.ID) ([]kluis.Restriction, error) {
	out, _, err := db.Restrictions(ctx, kluis.Actor{TenantID: a.TenantID, Branch: a.Branch, Role: kluis.RolePrivacy},
		RestrictionFilter{CandidateID: cand, Active: true, Page: kluis.Page{Limit: kluis.MaxPageSize}})
	return out, err
}

// RestrictedAmong returns which of the candidates have an active
// restriction, for the badges of lists.
func (db *DB) RestrictedAmong(ctx context.Context, tenant kluis.ID, ids []kluis.ID) (map[kluis.ID]bool, error) {
	_, rdp, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return nil, err
	}
	defer done()
	out := map[kluis.ID]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{tenant}
	for _, id := range ids {
		args = append(args, id)
	}
	got, err := queryIDs(ctx, rdp, "SELECT DISTINCT candidate_id FROM restrictions WHERE tenant_id = $1 AND lifted_on IS NULL AND candidate_id IN ("+
		placeholders(2, len(ids))+")", args...)
	for _, id := range got {
		out[id] = true
	}
	return out, err
}

// Restriction returns one restriction.
func (db *DB) Restriction(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Restriction, error) {
	return getOne(ctx, db, restrictions, a, id)
}

// Restrict places a restriction of processing on a candidate, by the actor
// (the privacy officer): not tied to a request, as when the agency
// restricts on its own finding (ground b) or a court asks (ground c).
func (db *DB) Restrict(ctx context.Context, a kluis.Actor, x *kluis.Restriction) error {
	x.TenantID, x.UserID, x.RequestID = a.TenantID, a.UserID, 0
	if err := x.Validate(db.today()); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error { return db.insertRestriction(ctx, tx, x) })
}

func (db *DB) insertRestriction(ctx context.Context, tx *writeTx, x *kluis.Restriction) error {
	p := kluis.Problems{}
	if err := checkRef(ctx, tx, candidates, x.TenantID, x.CandidateID, p, "candidate_id"); err != nil {
		return err
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := visibleCandidate(ctx, tx, tx.actor, x.CandidateID); err != nil {
		return err
	}
	// The writes of the candidate's data that checked before this one
	// commit first; those after it wait and then see it (mayProcess).
	if err := tx.lockCandidate(ctx, x.CandidateID, " FOR UPDATE"); err != nil {
		return err
	}
	x.ID, x.Version, x.CreatedAt = db.ids.Next(), 1, db.now()
	return restrictions.insert(ctx, db, tx, x)
}

// RestrictForRequest places the restriction a verified restriction request
// asks for (ground a, b or c), or the restriction on ground (d) an
// objection request places while the objection is assessed. The request
// moves on to in progress; one request places one restriction.
func (db *DB) RestrictForRequest(ctx context.Context, a kluis.Actor, reqID kluis.ID, version int64, x *kluis.Restriction) (*kluis.Request, error) {
	var out *kluis.Request
	err := db.write(ctx, a, func(tx *writeTx) error {
		q, err := db.openRequest(ctx, tx, reqID, version)
		if err != nil {
			return err
		}
		p := kluis.Problems{}
		switch q.Kind {
		case "objection":
			x.Ground = "objection"
		case "restriction":
			if x.Ground == "objection" {
				p.Add("ground", "Grond (d) hoort bij een bezwaar: registreer een verzoek van de soort bezwaar.", "Ground (d) belongs to an objection: register a request of the kind objection.")
			}
		default:
			p.Add("kind", "Alleen een verzoek om beperking of een bezwaar beperkt de verwerking.", "Only a restriction request or an objection restricts processing.")
		}
		if err := p.Err(); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM restrictions WHERE tenant_id = $1 AND request_id = $2", a.TenantID, q.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return kluis.Errorf(kluis.EConflict, "Dit verzoek heeft de verwerking al beperkt.", "This request restricted processing already.")
		}
		x.TenantID, x.UserID, x.CandidateID, x.RequestID = a.TenantID, a.UserID, q.CandidateID, q.ID
		if err := x.Validate(db.today()); err != nil {
			return err
		}
		if err := db.insertRestriction(ctx, tx, x); err != nil {
			return err
		}
		expected := q.Version
		if q.Status == "verified" {
			q.Status = "in-progress"
		}
		if err := requests.update(ctx, db, tx, q, expected); err != nil {
			return err
		}
		out = q
		return nil
	})
	return out, err
}

// openRequest reads a request inside tx for a step that handles it: in
// the actor's scope, of version (0: any), open and verified.
func (db *DB) openRequest(ctx context.Context, tx *writeTx, id kluis.ID, version int64) (*kluis.Request, error) {
	q, err := requests.get(ctx, db, tx, tx.actor.TenantID, id)
	if err != nil {
		return nil, err
	}
	if err := inScope(ctx, tx, requests, tx.actor, q); err != nil {
		return nil, kluis.NotFound(requests.kind)
	}
	if version != 0 && version != q.Version {
		return nil, kluis.StaleVersion(requests.kind)
	}
	if q.Closed() {
		return nil, kluis.Errorf(kluis.EConflict, "Dit verzoek is al afgesloten.", "This request is closed already.")
	}
	if !q.Verified() {
		p := kluis.Problems{}
		p.Add("verified_how", "Controleer eerst de identiteit van de aanvrager.", "Verify the requester's identity first.")
		return nil, p.Err()
	}
	return q, nil
}

// RequestRestriction returns the restriction a request placed, nil when
// it placed none.
func (db *DB) RequestRestriction(ctx context.Context, a kluis.Actor, reqID kluis.ID) (*kluis.Restriction, error) {
	_, rdp, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	var id kluis.ID
	err = rdp.QueryRowContext(ctx, "SELECT id FROM restrictions WHERE tenant_id = $1 AND request_id = $2", a.TenantID, reqID).Scan(&id)
	done()
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("restriction of request: %w", err)
	}
	return db.Restriction(ctx, a, id)
}

// changeRestriction applies change to the stored restriction of version
// (0: any version) inside one audited write.
func (db *DB) changeRestriction(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, change func(tx *writeTx, x *kluis.Restriction) error) (*kluis.Restriction, error) {
	var x *kluis.Restriction
	err := db.write(ctx, a, func(tx *writeTx) (err error) {
		if x, err = restrictions.get(ctx, db, tx, a.TenantID, id); err != nil {
			return err
		}
		if err := inScope(ctx, tx, restrictions, a, x); err != nil {
			return kluis.NotFound(restrictions.kind)
		}
		if version != 0 && version != x.Version {
			return kluis.StaleVersion(restrictions.kind)
		}
		expected := x.Version
		if err := change(tx, x); err != nil {
			return err
		}
		return restrictions.update(ctx, db, tx, x, expected)
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// InformRestriction records that the candidate was told, by letter or
// phone, on day on ("" is today), that the restriction will be lifted. An
// e-mail goes through SendRestrictionNotice.
func (db *DB) InformRestriction(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, how string, on kluis.Date) (*kluis.Restriction, error) {
	if how == "email" {
		p := kluis.Problems{}
		p.Add("informed_how", "Een e-mail verstuurt kluis zelf: gebruik Bericht versturen.", "kluis sends an e-mail itself: use Send the notice.")
		return nil, p.Err()
	}
	return db.changeRestriction(ctx, a, id, version, func(_ *writeTx, x *kluis.Restriction) error {
		return x.Inform(how, on, a.UserID, db.today())
	})
}

// SendRestrictionNotice e-mails the candidate, through the outbox in lang
// ("nl" or "en"), that the restriction will be lifted, and records it as
// how they were informed: message and record commit together. The
// restriction can be lifted once the message has left the outbox.
func (db *DB) SendRestrictionNotice(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, lang string) (*kluis.Restriction, error) {
	agency, err := db.tenantName(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	return db.changeRestriction(ctx, a, id, version, func(tx *writeTx, x *kluis.Restriction) error {
		if err := x.Inform("email", "", a.UserID, db.today()); err != nil {
			return err
		}
		c, err := candidates.get(ctx, db, tx, a.TenantID, x.CandidateID)
		if err != nil {
			return err
		}
		if c.Email == "" {
			p := kluis.Problems{}
			p.Add("informed_how", "Van deze kandidaat is geen e-mailadres bekend; informeer per brief of telefoon.",
				"No e-mail address of this candidate is known; inform them by letter or phone.")
			return p.Err()
		}
		subject, body := liftNotice(lang, c, x, agency)
		m := &OutboxMessage{CandidateID: c.ID, Kind: "restriction-lift-notice", To: c.Email, Subject: subject, Text: body}
		if err := db.enqueueMail(ctx, tx, m); err != nil {
			return err
		}
		x.NoticeID = m.ID
		return nil
	})
}

// DecideObjection records the outcome of the objection a ground (d)
// restriction waits for: upheld (processing for that purpose stops; the
// objection request can then erase, once the restriction is lifted) or
// rejected (the restriction is lifted after the candidate is informed).
func (db *DB) DecideObjection(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, outcome string) (*kluis.Restriction, error) {
	return db.changeRestriction(ctx, a, id, version, func(_ *writeTx, x *kluis.Restriction) error {
		return x.Decide(outcome, db.today())
	})
}

// LiftRestriction lifts a restriction once the candidate was informed
// (and the notice e-mail, if that is how, has been sent).
func (db *DB) LiftRestriction(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) (*kluis.Restriction, error) {
	return db.changeRestriction(ctx, a, id, version, func(tx *writeTx, x *kluis.Restriction) error {
		sent := false
		if x.NoticeID != 0 {
			var state string
			err := tx.QueryRowContext(ctx, "SELECT state FROM outbox WHERE tenant_id = $1 AND id = $2", a.TenantID, x.NoticeID).Scan(&state)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			sent = state == OutboxSent
		}
		return x.Lift(a.UserID, sent, db.today())
	})
}

// liftNotice is the e-mail that tells a candidate their restriction will
// be lifted (art. 18(3)).
func liftNotice(lang string, c *kluis.Candidate, x *kluis.Restriction, agency string) (subject, body string) {
	ground := kluis.RestrictionGrounds.Label(x.Ground, lang)
	if lang == "en" {
		subject = "The restriction of the processing of your data will be lifted"
		body = "Dear " + c.Name() + ",\n\n" +
			"Since " + string(x.StartedOn) + " we have only stored your personal data and not otherwise processed them (art. 18 GDPR), on the ground: " + ground + ".\n\n"
		switch x.Outcome {
		case "rejected":
			body += "We have assessed your objection and found compelling legitimate grounds for the processing that prevail. "
		case "upheld":
			body += "We have assessed your objection and upheld it: we stop the processing you objected to, and will erase your data as far as no law requires us to keep them. "
		}
		body += "We hereby inform you that we will lift this restriction. After that we process your data again as our privacy statement describes.\n\n" +
			"If you disagree, please let us know; you may also complain to the Autoriteit Persoonsgegevens.\n\nKind regards,\n" + agency + "\n"
		return subject, body
	}
	subject = "De beperking van de verwerking van uw gegevens wordt opgeheven"
	body = "Beste " + c.Name() + ",\n\n" +
		"Sinds " + string(x.StartedOn) + " bewaren wij uw persoonsgegevens alleen en verwerken wij ze verder niet (art. 18 AVG), op grond van: " + ground + ".\n\n"
	switch x.Outcome {
	case "rejected":
		body += "Wij hebben uw bezwaar beoordeeld en zwaarwegende gerechtvaardigde gronden voor de verwerking gevonden die voorgaan. "
	case "upheld":
		body += "Wij hebben uw bezwaar beoordeeld en gegrond verklaard: wij stoppen de verwerking waartegen u bezwaar maakte, en wissen uw gegevens voor zover geen wet ons verplicht ze te bewaren. "
	}
	body += "Hierbij laten wij u weten dat wij deze beperking opheffen. Daarna verwerken wij uw gegevens weer zoals onze privacyverklaring beschrijft.\n\n" +
		"Bent u het hier niet mee eens, laat het ons weten; u kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens.\n\nMet vriendelijke groet,\n" + agency + "\n"
	return subject, body
}

// restrictionFields are the catalogued columns of the tables that outlive
// a candidate as proof of their rights (restrictions and overrides), worked
// out once.
var restrictionFields = sync.OnceValue(func() []catalog.Field {
	var out []catalog.Field
	for _, f := range catalog.New().Fields() {
		if f.Table == "restrictions" || f.Table == "restriction_overrides" {
			out = append(out, f)
		}
	}
	return out
})

// eraseRestrictionTexts empties, inside an erasure, the notes of the
// candidate's restrictions and overrides whose catalogue group the erasure
// erases (all when the candidate goes altogether), as eraseRequestTexts
// does for requests: the rows stay as the proof.
func eraseRestrictionTexts(ctx context.Context, tx *writeTx, tenant, cand kluis.ID, due []string, complete bool) error {
	cols := map[string][]string{}
	for _, f := range restrictionFields() {
		hit := complete
		for _, d := range due {
			if d == f.Table+"."+f.Column {
				hit = true
			}
		}
		if hit {
			cols[f.Table] = append(cols[f.Table], f.Column)
		}
	}
	for _, t := range []string{"restrictions", "restriction_overrides"} {
		if len(cols[t]) == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE "+t+" SET "+emptied(t, cols[t])+" WHERE tenant_id = $1 AND candidate_id = $2", tenant, cand); err != nil {
			return fmt.Errorf("erase %s texts: %w", t, err)
		}
	}
	return nil
}

// processingRestrictedIn returns which candidates of ids have an active
// restriction, inside a transaction.
func processingRestrictedIn(ctx context.Context, q querier, tenant kluis.ID, ids []kluis.ID) ([]kluis.ID, error) {
	var out []kluis.ID
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := []any{tenant}
		for _, id := range chunk {
			args = append(args, id)
		}
		got, err := queryIDs(ctx, q, "SELECT DISTINCT candidate_id FROM restrictions WHERE tenant_id = $1 AND lifted_on IS NULL AND candidate_id IN ("+
			placeholders(2, len(chunk))+")", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// restrictedNames joins candidate ids for a message.
func restrictedNames(ids []kluis.ID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}

// rightsMail are the kinds of outbox message that serve the candidate's
// own rights: they go to a restricted candidate too.
var rightsMail = map[string]bool{"restriction-lift-notice": true, "recipient-notice": true, "recipients-told": true}

// errEraseRestricted is the answer to an erasure of a candidate whose
// processing is restricted.
func errEraseRestricted() error {
	m := kluis.Msg{NL: "De verwerking van deze kandidaat is beperkt (art. 18 AVG): de gegevens worden bewaard en niet gewist. Hef de beperking eerst op, nadat de kandidaat is geïnformeerd.",
		EN: "Processing of this candidate is restricted (art. 18 GDPR): the data are kept, not erased. Lift the restriction first, after informing the candidate."}
	return &kluis.Error{Code: kluis.EConflict, Message: m, Fields: map[string]kluis.Msg{"restriction": m}}
}

// readyToErase reports why a request cannot erase yet: an erasure request
// as kluis.Request.ReadyToErase says, or an objection that was not upheld
// or whose restriction still lasts; a candidate whose processing is
// restricted; recipients not yet notified (recipients.go).
func (db *DB) readyToErase(ctx context.Context, a kluis.Actor, q *kluis.Request) error {
	if q.Kind == "objection" && !q.Closed() && q.Verified() {
		x, err := db.RequestRestriction(ctx, a, q.ID)
		if err != nil {
			return err
		}
		if x == nil || x.Outcome != "upheld" {
			p := kluis.Problems{}
			p.Add("outcome", "Een bezwaar leidt pas tot wissing als het gegrond is verklaard.", "An objection leads to erasure only once it is upheld.")
			return p.Err()
		}
	} else if err := q.ReadyToErase(); err != nil {
		return err
	}
	_, rdp, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return err
	}
	defer done()
	if rid, err := activeRestriction(ctx, rdp, a.TenantID, q.CandidateID); err != nil {
		return err
	} else if rid != 0 {
		return errEraseRestricted()
	}
	done()
	return db.checkErasureNotices(ctx, a, q)
}

// handled refuses to close a request as done before kluis did what it
// asks: a restriction request placed its restriction, an objection has its
// outcome, a rectification request corrected something.
func (db *DB) handled(ctx context.Context, a kluis.Actor, q *kluis.Request) error {
	p := kluis.Problems{}
	switch q.Kind {
	case "restriction", "objection":
		x, err := db.RequestRestriction(ctx, a, q.ID)
		if err != nil {
			return err
		}
		switch {
		case x == nil:
			p.Add("status", "Beperk eerst de verwerking met de knop hierboven.", "Restrict processing first with the button above.")
		case q.Kind == "objection" && x.Outcome == "":
			p.Add("status", "Leg eerst de uitkomst van het bezwaar vast.", "Record the outcome of the objection first.")
		}
	case "rectification":
		_, rdp, done, err := db.reader(ctx, forAgency(a.TenantID))
		if err != nil {
			return err
		}
		var n int
		err = rdp.QueryRowContext(ctx, "SELECT count(*) FROM rectifications WHERE tenant_id = $1 AND request_id = $2", a.TenantID, q.ID).Scan(&n)
		done()
		if err != nil {
			return err
		}
		if n == 0 {
			p.Add("status", "Corrigeer eerst de gegevens of voeg een aanvullende verklaring toe.", "Correct the data or add a supplementary statement first.")
		}
	}
	return p.Err()
}
