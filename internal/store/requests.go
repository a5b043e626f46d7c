package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"sync"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// The request register: candidates' requests to exercise their rights
// (LEGAL.md §3). Every step is one audited write with an optimistic
// version. A request belongs to its candidate for branch scope, but it is
// not one of the candidate's childTables: it is the proof of how the
// right was honoured and outlives the candidate's erasure, which empties
// its free texts (eraseRequestTexts).

var requests = &table[kluis.Request]{
	name: "requests", kind: "request",
	columns: []string{"candidate_id", "kind", "received_on", "channel", "description", "verified_how", "verified_on", "verified_by",
		"handler_id", "status", "due_on", "extension_reason", "extended_on", "notice_sent_on", "outcome", "closed_on", "erasure_id",
		"residue_hits", "user_id", "version", "created_at"},
	values: func(q *kluis.Request) []any {
		return []any{q.CandidateID, q.Kind, q.ReceivedOn, q.Channel, q.Description, q.VerifiedHow, q.VerifiedOn, nullID(q.VerifiedBy),
			nullID(q.HandlerID), q.Status, q.DueOn, q.ExtensionReason, q.ExtendedOn, q.NoticeSentOn, q.Outcome, q.ClosedOn, nullID(q.ErasureID),
			optionalInt{&q.ResidueHits}, nullID(q.UserID), q.Version, q.CreatedAt}
	},
	targets: func(q *kluis.Request) []any {
		return []any{&q.TenantID, &q.ID, &q.CandidateID, &q.Kind, &q.ReceivedOn, &q.Channel, &q.Description, &q.VerifiedHow, &q.VerifiedOn,
			(*nullID)(&q.VerifiedBy), (*nullID)(&q.HandlerID), &q.Status, &q.DueOn, &q.ExtensionReason, &q.ExtendedOn, &q.NoticeSentOn,
			&q.Outcome, &q.ClosedOn, (*nullID)(&q.ErasureID), optionalInt{&q.ResidueHits}, (*nullID)(&q.UserID), &q.Version, &q.CreatedAt}
	},
	version: func(q *kluis.Request) *int64 { return &q.Version },
	key:     func(q *kluis.Request) (*kluis.ID, *kluis.ID) { return &q.TenantID, &q.ID },
}

// optionalInt stores a nil *int as NULL.
type optionalInt struct{ p **int }

func (n optionalInt) Value() (driver.Value, error) {
	if *n.p == nil {
		return nil, nil
	}
	return int64(**n.p), nil
}

func (n optionalInt) Scan(src any) error {
	var v sql.NullInt64
	if err := v.Scan(src); err != nil {
		return err
	}
	*n.p = nil
	if v.Valid {
		x := int(v.Int64)
		*n.p = &x
	}
	return nil
}

// RequestFilter narrows the register.
type RequestFilter struct {
	Status      string
	Kind        string
	CandidateID kluis.ID
	// Open leaves out closed requests; Overdue keeps only open ones past
	// their due date, NotOverdue all others (closed, or within their
	// deadline); DueBy keeps open ones due on or before the day.
	Open       bool
	Overdue    bool
	NotOverdue bool
	DueBy      kluis.Date
	Page       kluis.Page
}

// Requests lists the register, the earliest due first, and counts all
// that match. Requests of a candidate erased altogether stay listed for
// actors without a branch (the privacy officer).
func (db *DB) Requests(ctx context.Context, a kluis.Actor, f RequestFilter) ([]kluis.Request, int, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, requests, a)
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.CandidateID != 0 {
		w.add("candidate_id = ?", f.CandidateID)
	}
	if f.Open || f.Overdue || f.DueBy != "" {
		w.add("closed_on IS NULL")
	}
	if f.Overdue {
		w.add("due_on < ?", db.today())
	}
	if f.NotOverdue {
		w.add("(closed_on IS NOT NULL OR due_on >= ?)", db.today())
	}
	if f.DueBy != "" {
		w.add("due_on <= ?", f.DueBy)
	}
	var out []kluis.Request
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		out, total, err = requests.list(ctx, db, tx, w, "CASE WHEN closed_on IS NULL THEN 0 ELSE 1 END, due_on, id", f.Page)
		return err
	})
	return out, total, err
}

// Request returns one request.
func (db *DB) Request(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Request, error) {
	return getOne(ctx, db, requests, a, id)
}

// CreateRequest registers a request received from a candidate, by the
// actor: received, due one month later.
func (db *DB) CreateRequest(ctx context.Context, a kluis.Actor, q *kluis.Request) error {
	q.TenantID, q.UserID = a.TenantID, a.UserID
	if err := q.Validate(db.today()); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		p := kluis.Problems{}
		if err := checkRef(ctx, tx, candidates, q.TenantID, q.CandidateID, p, "candidate_id"); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		q.ID, q.Version, q.CreatedAt = db.ids.Next(), 1, db.now()
		return requests.insert(ctx, db, tx, q)
	})
}

// changeRequest applies change to the stored request of version (0: any
// version) and writes it back; a stale version is a conflict.
func (db *DB) changeRequest(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, change func(q *kluis.Request) error) (*kluis.Request, error) {
	var q *kluis.Request
	err := db.write(ctx, a, func(tx *writeTx) (err error) {
		if q, err = requests.get(ctx, db, tx, a.TenantID, id); err != nil {
			return err
		}
		if err := inScope(ctx, tx, requests, a, q); err != nil {
			return kluis.NotFound(requests.kind)
		}
		if version != 0 && version != q.Version {
			return kluis.StaleVersion(requests.kind)
		}
		expected := q.Version
		if err := change(q); err != nil {
			return err
		}
		return requests.update(ctx, db, tx, q, expected)
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// VerifyRequest records how and when (on, "" is today) the requester's
// identity was checked, by the actor.
func (db *DB) VerifyRequest(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, how string, on kluis.Date) (*kluis.Request, error) {
	return db.changeRequest(ctx, a, id, version, func(q *kluis.Request) error {
		return q.Verify(how, on, a.UserID, db.today())
	})
}

// AssignRequest makes a staff member of the agency the request's handler.
func (db *DB) AssignRequest(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, handler kluis.ID) (*kluis.Request, error) {
	if handler != 0 {
		us, err := db.Users(ctx, a.TenantID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(us, func(u kluis.User) bool { return u.ID == handler }) {
			p := kluis.Problems{}
			p.Add("handler_id", "Deze gebruiker bestaat niet.", "This user does not exist.")
			return nil, p.Err()
		}
	}
	return db.changeRequest(ctx, a, id, version, func(q *kluis.Request) error { return q.Assign(handler) })
}

// ExtendRequest extends the deadline by two months (art. 12(3)).
func (db *DB) ExtendRequest(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, reason string, notice kluis.Date) (*kluis.Request, error) {
	return db.changeRequest(ctx, a, id, version, func(q *kluis.Request) error { return q.Extend(reason, notice, db.today()) })
}

// CloseRequest closes a request as done or refused, with its outcome.
// An erasure request is done only through EraseForRequest.
func (db *DB) CloseRequest(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, status, outcome string) (*kluis.Request, error) {
	return db.changeRequest(ctx, a, id, version, func(q *kluis.Request) error {
		if q.Kind == "erasure" && status == "done" && q.ErasureID == 0 {
			p := kluis.Problems{}
			p.Add("status", "Een verzoek om vergetelheid is afgehandeld als er gewist is: gebruik de knop Wissen.",
				"An erasure request is done once the data are erased: use the Erase button.")
			return p.Err()
		}
		if status == "done" {
			// A restriction, objection or rectification request is done
			// once kluis did what it asks (restrictions.go, recipients.go).
			if err := db.handled(ctx, a, q); err != nil {
				return err
			}
		}
		return q.Close(status, outcome, db.today())
	})
}

// EraseForRequest honours a verified erasure request: it erases the
// candidate as art. 17 asks (everything no legal minimum or hold keeps),
// checks for residue, and closes the request as done with the erasure's
// id, the residue check's result and an outcome that lists what was kept
// and why. An unverified or closed request erases nothing.
func (db *DB) EraseForRequest(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) (*kluis.Request, *kluis.Erasure, error) {
	q, err := db.Request(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	if version != 0 && version != q.Version {
		return nil, nil, kluis.StaleVersion(requests.kind)
	}
	if err := db.readyToErase(ctx, a, q); err != nil {
		return nil, nil, err
	}
	recs, err := db.Erase(ctx, a, []kluis.ID{q.CandidateID}, EraseOptions{Reason: "request", RequestID: id, Verify: true})
	if err != nil {
		return nil, nil, err
	}
	var e *kluis.Erasure
	if len(recs) > 0 {
		// The stored record carries the residue check's result.
		if e, err = db.ErasureRecord(ctx, a, recs[0].ID); err != nil {
			return nil, nil, err
		}
	}
	q, err = db.changeRequest(ctx, a, id, 0, func(q *kluis.Request) error {
		if e != nil {
			q.ErasureID, q.ResidueHits = e.ID, e.ResidueHits
		}
		return q.Close("done", ErasureOutcome(e), db.today())
	})
	return q, e, err
}

// ErasureOutcome is the outcome of an erasure request, from its erasure
// record (nil: nothing could be erased): what was erased and kept, by
// category and rule, in Dutch and English. It holds no personal data.
func ErasureOutcome(e *kluis.Erasure) string {
	if e == nil {
		return "Niets gewist: alle gegevens worden nog vastgehouden door een wettelijke bewaartermijn of een bewaarplicht.\n" +
			"Nothing erased: all data are still held by a legal retention term or a legal hold."
	}
	var b strings.Builder
	if e.Complete {
		b.WriteString("Alle gegevens van de kandidaat zijn gewist. / All of the candidate's data were erased.\n")
	} else {
		b.WriteString("Gewist wat geen wettelijke minimumtermijn of bewaarplicht vasthoudt. / Erased what no legal minimum or hold keeps.\n")
	}
	fmt.Fprintf(&b, "Wisbewijs / Erasure record: %d", e.ID)
	if e.ResidueHits != nil {
		fmt.Fprintf(&b, "; restcontrole / residue check: %d", *e.ResidueHits)
	}
	b.WriteString(".\n")
	if len(e.Kept) > 0 {
		b.WriteString("Bewaard, beperkt tot de salarisadministratie en de privacyfunctionaris (art. 17(3)(b), (e)) / Kept, restricted (art. 17(3)(b), (e)):\n")
	}
	for _, k := range e.Kept {
		cat, rule := catalog.CategoryLabel(catalog.Category(k.Category)), catalog.RuleLabel(catalog.Rule(k.Rule))
		fmt.Fprintf(&b, "- %s — %s", orKey(cat.NL, k.Category), orKey(rule.NL, k.Rule))
		if k.Held {
			b.WriteString(" (bewaarplicht / legal hold)")
		}
		if k.Until != "" {
			fmt.Fprintf(&b, ", tot / until %s", k.Until)
		}
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String())
}

func orKey(label, key string) string {
	if label == "" {
		return key
	}
	return label
}

// eraseRequestTexts empties, inside an erasure, the free texts of the
// candidate's requests whose catalogue group the erasure erases (all of
// them when the candidate goes altogether). The requests themselves stay:
// kind, dates, status and the erasure id are the proof (art. 5(2), 12).
// requestFields are the catalogued columns of requests, worked out once.
var requestFields = sync.OnceValue(func() []catalog.Field {
	var out []catalog.Field
	for _, f := range catalog.New().Fields() {
		if f.Table == requests.name {
			out = append(out, f)
		}
	}
	return out
})

func eraseRequestTexts(ctx context.Context, tx *writeTx, tenant, cand kluis.ID, due []string, complete bool) error {
	var cols []string
	for _, f := range requestFields() {
		for _, d := range due {
			if complete || d == f.Table+"."+f.Column {
				cols = append(cols, f.Column)
				break
			}
		}
		if complete && len(due) == 0 {
			cols = append(cols, f.Column)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE requests SET "+emptied(requests.name, cols)+" WHERE tenant_id = $1 AND candidate_id = $2", tenant, cand); err != nil {
		return fmt.Errorf("erase request texts: %w", err)
	}
	return nil
}
