package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// Rectification (art. 16) and the notices to recipients (art. 19).
//
// A rectification request corrects the candidate's fields through the
// candidate's own validated, versioned update and/or adds a supplementary
// statement; the request keeps what changed as field names, never values
// (table rectifications and the audit log).
//
// Every organisation the disclosure register says received the
// candidate's data is told of a rectification, erasure or restriction, by
// e-mail through the outbox (to the client's address) or recorded as sent
// by letter (recipient_notices), and the candidate is told which were.
//
// An erasure and its notices: a notice names the candidate (name, date of
// birth) so that the organisation can find them, so it must be written and
// sent before the candidate is erased, and leave nothing behind. Kluis
// therefore (1) refuses an erasure on request while an organisation in the
// disclosure register has no erasure notice of the request — after the
// erasure, kluis knows neither who received the data nor the data — and
// (2) refuses it while a notice of the request still waits in the outbox.
// A sent (or finally failed) message has its address, subject and body
// emptied by the outbox; the erasure then deletes the candidate's outbox
// rows, and the notices keep only the organisation, the channel and the
// dates. The residue scan finds nothing of the candidate afterwards.

var supplementaryStatements = &table[kluis.SupplementaryStatement]{
	name: "supplementary_statements", kind: "statement",
	columns: []string{"candidate_id", "request_id", "body", "user_id", "created_at"},
	values: func(s *kluis.SupplementaryStatement) []any {
		return []any{s.CandidateID, nullID(s.RequestID), s.Body, nullID(s.UserID), s.CreatedAt}
	},
	targets: func(s *kluis.SupplementaryStatement) []any {
		return []any{&s.TenantID, &s.ID, &s.CandidateID, (*nullID)(&s.RequestID), &s.Body, (*nullID)(&s.UserID), &s.CreatedAt}
	},
	key: func(s *kluis.SupplementaryStatement) (*kluis.ID, *kluis.ID) { return &s.TenantID, &s.ID },
}

var rectifications = &table[kluis.Rectification]{
	name: "rectifications", kind: "rectification",
	columns: []string{"request_id", "candidate_id", "fields", "statement_id", "user_id", "at"},
	values: func(r *kluis.Rectification) []any {
		return []any{r.RequestID, r.CandidateID, strList(r.Fields), nullID(r.StatementID), nullID(r.UserID), r.At}
	},
	targets: func(r *kluis.Rectification) []any {
		return []any{&r.TenantID, &r.ID, &r.RequestID, &r.CandidateID, (*strList)(&r.Fields), (*nullID)(&r.StatementID), (*nullID)(&r.UserID), &r.At}
	},
	key: func(r *kluis.Rectification) (*kluis.ID, *kluis.ID) { return &r.TenantID, &r.ID },
}

var recipientNotices = &table[kluis.RecipientNotice]{
	name: "recipient_notices", kind: "notice",
	columns: []string{"request_id", "candidate_id", "to_candidate", "client_id", "recipient", "about", "channel", "outbox_id", "sent_on",
		"user_id", "created_at"},
	values: func(n *kluis.RecipientNotice) []any {
		return []any{n.RequestID, n.CandidateID, n.ToCandidate, nullID(n.ClientID), n.Recipient, n.About, n.Channel, nullID(n.OutboxID),
			n.SentOn, nullID(n.UserID), n.CreatedAt}
	},
	targets: func(n *kluis.RecipientNotice) []any {
		return []any{&n.TenantID, &n.ID, &n.RequestID, &n.CandidateID, &n.ToCandidate, (*nullID)(&n.ClientID), &n.Recipient, &n.About,
			&n.Channel, (*nullID)(&n.OutboxID), &n.SentOn, (*nullID)(&n.UserID), &n.CreatedAt}
	},
	key: func(n *kluis.RecipientNotice) (*kluis.ID, *kluis.ID) { return &n.TenantID, &n.ID },
}

// SupplementaryStatements lists the statements a candidate added to their
// data, newest first: whoever sees the candidate sees them.
func (db *DB) SupplementaryStatements(ctx context.Context, a kluis.Actor, cand kluis.ID) ([]kluis.SupplementaryStatement, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, supplementaryStatements, a)
	w.add("candidate_id = ?", cand)
	var out []kluis.SupplementaryStatement
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		if err := visibleCandidate(ctx, tx, a, cand); err != nil {
			return err
		}
		out, _, err = supplementaryStatements.list(ctx, db, tx, w, "created_at DESC, id DESC", kluis.Page{Limit: kluis.MaxPageSize})
		return err
	})
	return out, err
}

// Rectifications lists what a request rectified, oldest first.
func (db *DB) Rectifications(ctx context.Context, a kluis.Actor, reqID kluis.ID) ([]kluis.Rectification, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, rectifications, a)
	w.add("request_id = ?", reqID)
	var out []kluis.Rectification
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		out, _, err = rectifications.list(ctx, db, tx, w, "at, id", kluis.Page{Limit: kluis.MaxPageSize})
		return err
	})
	return out, err
}

// Rectify is what a rectification request changes: the candidate as
// corrected (nil: no field changes) with the version the correction is
// based on, and a supplementary statement ("" for none).
type Rectify struct {
	Candidate *kluis.Candidate
	Version   int64
	Statement string
}

// RectifyForRequest corrects the candidate of a verified rectification
// request and/or adds their supplementary statement, in one audited write:
// the candidate's update is the normal validated, versioned one, and the
// request records the names of the fields it changed. A candidate whose
// processing is restricted (ground a: accuracy contested) is corrected all
// the same: the rectification is the candidate's own wish, recorded as
// processing anyway with their consent.
func (db *DB) RectifyForRequest(ctx context.Context, a kluis.Actor, reqID, version int64, in Rectify) (*kluis.Request, *kluis.Rectification, error) {
	p := kluis.Problems{}
	statement, ok := kluis.CleanText(in.Statement, kluis.SupplementaryStatementMax)
	if !ok {
		p.Add("statement", fmt.Sprintf("Gebruik hooguit %d tekens.", kluis.SupplementaryStatementMax), fmt.Sprintf("Use at most %d characters.", kluis.SupplementaryStatementMax))
	}
	if in.Candidate == nil && statement == "" && ok {
		p.Add("statement", "Corrigeer een gegeven of voeg een aanvullende verklaring toe.", "Correct a field or add a supplementary statement.")
	}
	if in.Candidate != nil {
		in.Candidate.TenantID = a.TenantID
		if err := in.Candidate.Validate(db.today()); err != nil {
			if ke, isKE := err.(*kluis.Error); isKE && ke.Fields != nil {
				for f, m := range ke.Fields {
					p[f] = m
				}
			} else {
				return nil, nil, err
			}
		}
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	var q *kluis.Request
	rec := &kluis.Rectification{TenantID: a.TenantID, RequestID: reqID, UserID: a.UserID, At: db.now()}
	ctx = WithOverride(ctx, kluis.Override{Reason: "consent",
		Note: fmt.Sprintf("Rectificatie op verzoek van de kandidaat (verzoek %d) / Rectification at the candidate's request", reqID)})
	err := db.write(ctx, a, func(tx *writeTx) (err error) {
		if q, err = db.openRequest(ctx, tx, reqID, version); err != nil {
			return err
		}
		if q.Kind != "rectification" {
			p := kluis.Problems{}
			p.Add("kind", "Alleen een verzoek om rectificatie corrigeert gegevens.", "Only a rectification request corrects data.")
			return p.Err()
		}
		rec.CandidateID = q.CandidateID
		if c := in.Candidate; c != nil {
			if c.ID != q.CandidateID {
				return kluis.NotFound("candidate")
			}
			old, err := candidates.get(ctx, db, tx, a.TenantID, c.ID)
			if err != nil {
				return err
			}
			if err := db.checkCandidate(ctx, tx, c, true); err != nil {
				return err
			}
			c.UpdatedAt = db.now()
			if rec.Fields = changedColumns(candidates, old, c); len(rec.Fields) > 0 {
				if err := candidates.update(ctx, db, tx, c, in.Version); err != nil {
					return err
				}
			}
		}
		if statement != "" {
			s := &kluis.SupplementaryStatement{TenantID: a.TenantID, ID: db.ids.Next(), CandidateID: q.CandidateID, RequestID: q.ID, Body: statement,
				UserID: a.UserID, CreatedAt: db.now()}
			if err := supplementaryStatements.insert(ctx, db, tx, s); err != nil {
				return err
			}
			rec.StatementID = s.ID
		}
		if len(rec.Fields) == 0 && rec.StatementID == 0 {
			p := kluis.Problems{}
			p.Add("statement", "Er is niets veranderd: corrigeer een gegeven of voeg een aanvullende verklaring toe.",
				"Nothing changed: correct a field or add a supplementary statement.")
			return p.Err()
		}
		rec.ID = db.ids.Next()
		if err := rectifications.insert(ctx, db, tx, rec); err != nil {
			return err
		}
		// The request names what changed: field names, never values.
		tx.record(kluis.AuditEntry{Action: "rectify", Entity: "requests", EntityID: q.ID, CandidateID: q.CandidateID, Fields: rec.Fields})
		expected := q.Version
		if q.Status == "verified" {
			q.Status = "in-progress"
		}
		return requests.update(ctx, db, tx, q, expected)
	})
	if err != nil {
		return nil, nil, err
	}
	return q, rec, nil
}

// Recipient is an organisation that received a candidate's data, from
// the disclosure register, with the notices a request sent it.
type Recipient struct {
	Key        string    `json:"key"`
	ClientID   kluis.ID  `json:"client_id,omitempty"`
	Kind       string    `json:"recipient_kind"`
	Name       string    `json:"name"`
	Email      string    `json:"email,omitempty"` // the client's address, for an e-mail
	Categories []string  `json:"categories"`
	Last       time.Time `json:"last_disclosed_at"`
	// Notices are those of the request asked about.
	Notices []kluis.RecipientNotice `json:"notices"`
}

// Notified reports whether the recipient has a notice about about that
// was sent or is on its way (a failed e-mail does not count).
func (r *Recipient) Notified(about string) bool {
	for _, n := range r.Notices {
		if n.About == about && n.State != OutboxFailed {
			return true
		}
	}
	return false
}

// Recipients lists every organisation that received the candidate's data
// according to the disclosure register, with the notices of request reqID
// (0: none).
func (db *DB) Recipients(ctx context.Context, a kluis.Actor, cand, reqID kluis.ID) ([]Recipient, error) {
	var out []Recipient
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		if err := visibleCandidate(ctx, tx, a, cand); err != nil {
			return err
		}
		out, err = db.recipients(ctx, tx, a.TenantID, cand, reqID)
		return err
	})
	return out, err
}

func (db *DB) recipients(ctx context.Context, q querier, tenant, cand, reqID kluis.ID) ([]Recipient, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.recipient_kind, d.client_id, d.recipient, d.categories, d.disclosed_at, COALESCE(c.email, ''), COALESCE(c.name, '')
		FROM disclosures d LEFT JOIN clients c ON c.tenant_id = d.tenant_id AND c.id = d.client_id
		WHERE d.tenant_id = $1 AND d.candidate_id = $2 ORDER BY d.disclosed_at, d.id`, tenant, cand)
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	by := map[string]*Recipient{}
	var order []string
	for rows.Next() {
		var kind, name, email, clientName string
		var client kluis.ID
		var cats strList
		var at time.Time
		if err := rows.Scan(&kind, (*nullID)(&client), &name, &cats, &at, &email, &clientName); err != nil {
			rows.Close()
			return nil, err
		}
		if client != 0 && clientName != "" {
			name = clientName
		}
		key := kluis.RecipientKey(client, name)
		r := by[key]
		if r == nil {
			r = &Recipient{Key: key, ClientID: client, Kind: kind, Name: name, Email: email, Categories: []string{}, Notices: []kluis.RecipientNotice{}}
			by[key] = r
			order = append(order, key)
		}
		for _, c := range cats {
			if !slices.Contains(r.Categories, c) {
				r.Categories = append(r.Categories, c)
			}
		}
		r.Last = at
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if reqID != 0 {
		ns, err := requestNotices(ctx, q, tenant, reqID)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			if r := by[kluis.RecipientKey(n.ClientID, n.Recipient)]; r != nil && !n.ToCandidate {
				r.Notices = append(r.Notices, n)
			}
		}
	}
	out := make([]Recipient, 0, len(order))
	for _, k := range order {
		sort.Strings(by[k].Categories)
		out = append(out, *by[k])
	}
	return out, nil
}

// RequestNotices lists the notices of a request, oldest first, with the
// outbox's state of each e-mail.
func (db *DB) RequestNotices(ctx context.Context, a kluis.Actor, reqID kluis.ID) ([]kluis.RecipientNotice, error) {
	if _, err := db.Request(ctx, a, reqID); err != nil {
		return nil, err
	}
	_, rdp, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	return requestNotices(ctx, rdp, a.TenantID, reqID)
}

func requestNotices(ctx context.Context, q querier, tenant, reqID kluis.ID) ([]kluis.RecipientNotice, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+prefixed("n", recipientNotices.selectList())+`, COALESCE(o.state, ''), o.sent_at
		FROM recipient_notices n LEFT JOIN outbox o ON o.tenant_id = n.tenant_id AND o.id = n.outbox_id
		WHERE n.tenant_id = $1 AND n.request_id = $2 ORDER BY n.created_at, n.id`, tenant, reqID)
	if err != nil {
		return nil, fmt.Errorf("notices: %w", err)
	}
	defer rows.Close()
	out := []kluis.RecipientNotice{}
	for rows.Next() {
		var n kluis.RecipientNotice
		var sent *time.Time
		if err := rows.Scan(append(recipientNotices.targets(&n), &n.State, nullTime{&sent})...); err != nil {
			return nil, err
		}
		switch {
		case n.Channel == "letter":
			n.State = OutboxSent
		case n.State == "":
			// The message went with an erasure of the candidate, which
			// refuses while one waits: it was sent or failed before.
			n.State = "gone"
		case sent != nil && n.SentOn == "":
			n.SentOn = kluis.DateOf(*sent)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NoticeOrder says which recipients of a request to notify and how.
type NoticeOrder struct {
	// Recipients are Recipient keys; empty: every recipient that has no
	// notice of the request yet.
	Recipients []string `json:"recipients"`
	Channel    string   `json:"channel"`
	// SentOn is when the letter was sent ("" is today); not for e-mail.
	SentOn kluis.Date `json:"sent_on"`
	Lang   string     `json:"lang"`
	// About: what the notice tells; "" follows from the request. An
	// objection upheld may tell of the erasure that follows it.
	About string `json:"about"`
}

// noticeAbout works out, inside tx, what the notices of request q tell,
// and checks that there is something to tell.
func (db *DB) noticeAbout(ctx context.Context, tx *writeTx, q *kluis.Request, asked string) (string, *kluis.Restriction, error) {
	about := kluis.NoticeAbout(q.Kind)
	p := kluis.Problems{}
	if about == "" {
		p.Add("kind", "Alleen bij rectificatie, wissing, beperking of bezwaar worden ontvangers bericht (art. 19 AVG).",
			"Recipients are notified of a rectification, erasure, restriction or objection only (art. 19 GDPR).")
		return "", nil, p.Err()
	}
	var x *kluis.Restriction
	if q.Kind == "restriction" || q.Kind == "objection" {
		var id kluis.ID
		err := tx.QueryRowContext(ctx, "SELECT id FROM restrictions WHERE tenant_id = $1 AND request_id = $2", q.TenantID, q.ID).Scan(&id)
		if err == sql.ErrNoRows {
			p.Add("kind", "Beperk eerst de verwerking; daarna bericht u de ontvangers.", "Restrict processing first; then notify the recipients.")
			return "", nil, p.Err()
		}
		if err != nil {
			return "", nil, err
		}
		if x, err = restrictions.get(ctx, db, tx, q.TenantID, id); err != nil {
			return "", nil, err
		}
	}
	if asked != "" && asked != about {
		if q.Kind == "objection" && asked == "erasure" && x != nil && x.Outcome == "upheld" {
			about = asked
		} else {
			p.Add("about", "Dat past niet bij dit verzoek.", "That does not fit this request.")
			return "", nil, p.Err()
		}
	}
	if q.Kind == "rectification" {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM rectifications WHERE tenant_id = $1 AND request_id = $2", q.TenantID, q.ID).Scan(&n); err != nil {
			return "", nil, err
		}
		if n == 0 {
			p.Add("kind", "Corrigeer eerst de gegevens; daarna bericht u de ontvangers.", "Correct the data first; then notify the recipients.")
			return "", nil, p.Err()
		}
	}
	return about, x, nil
}

// NotifyRecipients tells the request's recipients of the rectification,
// erasure or restriction, by e-mail through the outbox (in order.Lang) or
// as recorded letters, one notice each, in one write. A recipient that has
// a notice of the request already (not a failed e-mail) is not told again.
func (db *DB) NotifyRecipients(ctx context.Context, a kluis.Actor, reqID kluis.ID, order NoticeOrder) ([]kluis.RecipientNotice, error) {
	p := kluis.Problems{}
	p2 := kluis.Problems{}
	if !kluis.NoticeChannels.Has(order.Channel) {
		p.Add("channel", "Kies e-mail of brief.", "Choose e-mail or letter.")
	}
	sentOn, perr := checkSentOn(order.Channel, order.SentOn, db.today())
	for k, v := range perr {
		p[k] = v
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	agency, err := db.tenantName(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	var out []kluis.RecipientNotice
	err = db.write(ctx, a, func(tx *writeTx) error {
		q, err := db.noticeRequest(ctx, tx, reqID)
		if err != nil {
			return err
		}
		about, x, err := db.noticeAbout(ctx, tx, q, order.About)
		if err != nil {
			return err
		}
		rs, err := db.recipients(ctx, tx, a.TenantID, q.CandidateID, q.ID)
		if err != nil {
			return err
		}
		c, err := candidates.get(ctx, db, tx, a.TenantID, q.CandidateID)
		if err != nil {
			return err
		}
		var fields []string
		if about == "rectification" {
			if fields, err = rectifiedFields(ctx, tx, a.TenantID, q.ID); err != nil {
				return err
			}
		}
		for _, r := range rs {
			if len(order.Recipients) > 0 && !slices.Contains(order.Recipients, r.Key) {
				continue
			}
			if r.Notified(about) {
				if len(order.Recipients) > 0 {
					p2.Add("recipients", r.Name+" is hierover al bericht.", r.Name+" was notified of this already.")
				}
				continue
			}
			n := &kluis.RecipientNotice{TenantID: a.TenantID, ID: db.ids.Next(), RequestID: q.ID, CandidateID: q.CandidateID, ClientID: r.ClientID,
				Recipient: r.Name, About: about, Channel: order.Channel, UserID: a.UserID, CreatedAt: db.now()}
			if order.Channel == "letter" {
				n.SentOn, n.State = sentOn, OutboxSent
			} else {
				if r.Email == "" {
					p2.Add("recipients", "Van "+r.Name+" is geen e-mailadres bekend: stuur een brief.", "No e-mail address of "+r.Name+" is known: send a letter.")
					continue
				}
				subject, body := recipientNotice(order.Lang, about, c, x, r, fields, agency)
				m := &OutboxMessage{CandidateID: c.ID, Kind: "recipient-notice", To: r.Email, Subject: subject, Text: body}
				if err := db.enqueueMail(ctx, tx, m); err != nil {
					return err
				}
				n.OutboxID, n.State = m.ID, OutboxPending
			}
			if err := recipientNotices.insert(ctx, db, tx, n); err != nil {
				return err
			}
			out = append(out, *n)
		}
		if err := p2.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return kluis.Errorf(kluis.EConflict, "Er is geen ontvanger (meer) om te berichten.", "There is no recipient (left) to notify.")
		}
		return nil
	})
	return out, err
}

// noticeRequest reads the request of a notice inside tx: verified, in the
// actor's scope; an erasure request only while it is open (after the
// erasure there is nothing left to tell with).
func (db *DB) noticeRequest(ctx context.Context, tx *writeTx, reqID kluis.ID) (*kluis.Request, error) {
	q, err := requests.get(ctx, db, tx, tx.actor.TenantID, reqID)
	if err != nil {
		return nil, err
	}
	if err := inScope(ctx, tx, requests, tx.actor, q); err != nil {
		return nil, kluis.NotFound(requests.kind)
	}
	if !q.Verified() {
		p := kluis.Problems{}
		p.Add("verified_how", "Controleer eerst de identiteit van de aanvrager.", "Verify the requester's identity first.")
		return nil, p.Err()
	}
	if q.Closed() && (q.Kind == "erasure" || q.ErasureID != 0) {
		return nil, kluis.Errorf(kluis.EConflict, "Na de wissing kan kluis niemand meer berichten: dat gebeurt ervoor.", "After the erasure kluis can notify nobody any more: that happens before it.")
	}
	return q, nil
}

func checkSentOn(channel string, on, today kluis.Date) (kluis.Date, kluis.Problems) {
	p := kluis.Problems{}
	if channel != "letter" {
		return "", p
	}
	if on == "" {
		return today, p
	}
	d, ok := kluis.ParseDate(string(on))
	switch {
	case !ok:
		p.Add("sent_on", "Geef een datum als 2026-01-31.", "Give a date like 2026-01-31.")
	case d > today:
		p.Add("sent_on", "Dat kan niet in de toekomst liggen.", "That cannot be in the future.")
	}
	return d, p
}

// TellCandidate tells the candidate of a request which organisations were
// notified, by e-mail through the outbox (in lang) or as a recorded letter.
func (db *DB) TellCandidate(ctx context.Context, a kluis.Actor, reqID kluis.ID, channel string, on kluis.Date, lang string) (*kluis.RecipientNotice, error) {
	p := kluis.Problems{}
	if !kluis.NoticeChannels.Has(channel) {
		p.Add("channel", "Kies e-mail of brief.", "Choose e-mail or letter.")
	}
	sentOn, perr := checkSentOn(channel, on, db.today())
	for k, v := range perr {
		p[k] = v
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	agency, err := db.tenantName(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	var out *kluis.RecipientNotice
	err = db.write(ctx, a, func(tx *writeTx) error {
		q, err := db.noticeRequest(ctx, tx, reqID)
		if err != nil {
			return err
		}
		about, _, err := db.noticeAbout(ctx, tx, q, "")
		if err != nil {
			return err
		}
		ns, err := requestNotices(ctx, tx, a.TenantID, q.ID)
		if err != nil {
			return err
		}
		var told []kluis.RecipientNotice
		for _, n := range ns {
			if !n.ToCandidate && n.State != OutboxFailed {
				told = append(told, n)
				about = n.About
			}
		}
		c, err := candidates.get(ctx, db, tx, a.TenantID, q.CandidateID)
		if err != nil {
			return err
		}
		n := &kluis.RecipientNotice{TenantID: a.TenantID, ID: db.ids.Next(), RequestID: q.ID, CandidateID: q.CandidateID, ToCandidate: true,
			About: about, Channel: channel, UserID: a.UserID, CreatedAt: db.now()}
		if channel == "letter" {
			n.SentOn, n.State = sentOn, OutboxSent
		} else {
			if c.Email == "" {
				p := kluis.Problems{}
				p.Add("channel", "Van deze kandidaat is geen e-mailadres bekend: stuur een brief.", "No e-mail address of this candidate is known: send a letter.")
				return p.Err()
			}
			subject, body := toldNotice(lang, about, c, told, agency)
			m := &OutboxMessage{CandidateID: c.ID, Kind: "recipients-told", To: c.Email, Subject: subject, Text: body}
			if err := db.enqueueMail(ctx, tx, m); err != nil {
				return err
			}
			n.OutboxID, n.State = m.ID, OutboxPending
		}
		if err := recipientNotices.insert(ctx, db, tx, n); err != nil {
			return err
		}
		out = n
		return nil
	})
	return out, err
}

// rectifiedFields are the columns of the candidate a request rectified.
func rectifiedFields(ctx context.Context, q querier, tenant, reqID kluis.ID) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT fields FROM rectifications WHERE tenant_id = $1 AND request_id = $2 ORDER BY at, id", tenant, reqID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var fs strList
		if err := rows.Scan(&fs); err != nil {
			return nil, err
		}
		for _, f := range fs {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out, rows.Err()
}

// checkErasureNotices refuses, inside an erasure request's handling, an
// erasure while an organisation in the disclosure register has no notice
// of it, or one of the request's notices still waits in the outbox: after
// the erasure they could not be told, and a waiting message would go with
// the candidate unsent.
func (db *DB) checkErasureNotices(ctx context.Context, a kluis.Actor, q *kluis.Request) error {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return err
	}
	defer done()
	rs, err := db.recipients(ctx, rd, a.TenantID, q.CandidateID, q.ID)
	if err != nil {
		return err
	}
	var missing []string
	for _, r := range rs {
		if !r.Notified("erasure") {
			missing = append(missing, r.Name)
		}
	}
	p := kluis.Problems{}
	if len(missing) > 0 {
		p.Add("recipients", "Bericht eerst elke ontvanger van de gegevens (art. 19 AVG); na de wissing kan dat niet meer. Nog niet bericht: "+strings.Join(missing, ", ")+".",
			"Notify every recipient of the data first (art. 19 GDPR); after the erasure that is no longer possible. Not notified yet: "+strings.Join(missing, ", ")+".")
		return p.Err()
	}
	var waiting int
	if err := rd.QueryRowContext(ctx, `SELECT count(*) FROM recipient_notices n JOIN outbox o ON o.tenant_id = n.tenant_id AND o.id = n.outbox_id
		WHERE n.tenant_id = $1 AND n.request_id = $2 AND o.state IN ('pending', 'sending')`, a.TenantID, q.ID).Scan(&waiting); err != nil {
		return fmt.Errorf("notices waiting: %w", err)
	}
	if waiting > 0 {
		p.Add("recipients", fmt.Sprintf("%d bericht(en) van dit verzoek wachten nog in de uitgaande post; er wordt gewist zodra ze verstuurd zijn.", waiting),
			fmt.Sprintf("%d notice(s) of this request still wait in the outbox; the erasure can go ahead once they are sent.", waiting))
		return p.Err()
	}
	return nil
}

// fieldValues are the candidate's fields as the API names them, for the
// new values a rectification notice gives.
func fieldValues(c *kluis.Candidate) map[string]string {
	b, _ := json.Marshal(c)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	out := map[string]string{}
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			out[k] = ""
		case string:
			out[k] = x
		case []any:
			var parts []string
			for _, e := range x {
				parts = append(parts, fmt.Sprint(e))
			}
			out[k] = strings.Join(parts, ", ")
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

// disclosedFields keeps the rectified fields of the categories a recipient
// received (a CV names the person and how to reach them): a notice tells no
// organisation what it never had.
func disclosedFields(fields, categories []string) []string {
	cat := catalog.New()
	has := func(c string) bool {
		return slices.Contains(categories, c) ||
			(slices.Contains(categories, "documents") && (c == string(catalog.Identity) || c == string(catalog.Contact)))
	}
	var out []string
	for _, f := range fields {
		if d, ok := cat.Field("candidates", f); ok && has(string(d.Category)) {
			out = append(out, f)
		}
	}
	return out
}

// recipientNotice is the e-mail to an organisation about a rectification,
// erasure or restriction of a candidate whose data it received.
func recipientNotice(lang, about string, c *kluis.Candidate, x *kluis.Restriction, r Recipient, fields []string, agency string) (subject, body string) {
	en := lang == "en"
	who := c.Name()
	if c.DateOfBirth != "" {
		if en {
			who += " (born " + string(c.DateOfBirth) + ")"
		} else {
			who += " (geboren " + string(c.DateOfBirth) + ")"
		}
	}
	got := r.Last.Format("2006-01-02")
	var b strings.Builder
	if en {
		b.WriteString("Dear " + r.Name + ",\n\n")
	} else {
		b.WriteString("Geachte " + r.Name + ",\n\n")
	}
	switch about {
	case "rectification":
		if en {
			subject = "Correction of personal data you received from " + agency
			b.WriteString("On " + got + " you received personal data of " + who + " from us. At their request we have corrected these data (art. 16 GDPR); we ask you to correct them too (art. 19 GDPR).\n\n")
		} else {
			subject = "Correctie van persoonsgegevens die u van " + agency + " ontving"
			b.WriteString("Op " + got + " ontving u van ons persoonsgegevens van " + who + ". Op hun verzoek hebben wij deze gegevens gecorrigeerd (art. 16 AVG); wij vragen u ze ook te corrigeren (art. 19 AVG).\n\n")
		}
		vals := fieldValues(c)
		shown := disclosedFields(fields, r.Categories)
		cat := catalog.New()
		if len(shown) == 0 {
			if en {
				b.WriteString("None of the data you received changed; no values follow.\n")
			} else {
				b.WriteString("Geen van de gegevens die u ontving is veranderd; er volgen geen waarden.\n")
			}
		} else if en {
			b.WriteString("Corrected:\n")
		} else {
			b.WriteString("Gecorrigeerd:\n")
		}
		for _, f := range shown {
			label := f
			if d, ok := cat.Field("candidates", f); ok {
				label = d.Label.In(lang)
			}
			b.WriteString("- " + label + ": " + vals[f] + "\n")
		}
	case "erasure":
		if en {
			subject = "Request to erase personal data you received from " + agency
			b.WriteString("On " + got + " you received personal data of " + who + " from us. They have asked us to erase their data (art. 17 GDPR), and we do so. We ask you to erase the data you received from us too (art. 19 GDPR): " +
				strings.Join(r.Categories, ", ") + ".\n")
		} else {
			subject = "Verzoek om persoonsgegevens te wissen die u van " + agency + " ontving"
			b.WriteString("Op " + got + " ontving u van ons persoonsgegevens van " + who + ". Zij hebben ons gevraagd hun gegevens te wissen (art. 17 AVG), en dat doen wij. Wij vragen u de gegevens die u van ons ontving ook te wissen (art. 19 AVG): " +
				strings.Join(r.Categories, ", ") + ".\n")
		}
	case "restriction":
		since := ""
		if x != nil {
			since = string(x.StartedOn)
		}
		if en {
			subject = "Restriction of the processing of personal data you received from " + agency
			b.WriteString("On " + got + " you received personal data of " + who + " from us. Since " + since + " their processing is restricted (art. 18 GDPR): the data may only be stored, not otherwise used. We ask you to restrict the processing of the data you received from us likewise (art. 19 GDPR), until we tell you the restriction is lifted.\n")
		} else {
			subject = "Beperking van de verwerking van persoonsgegevens die u van " + agency + " ontving"
			b.WriteString("Op " + got + " ontving u van ons persoonsgegevens van " + who + ". Sinds " + since + " is de verwerking ervan beperkt (art. 18 AVG): de gegevens mogen alleen worden bewaard, niet anders gebruikt. Wij vragen u de verwerking van de gegevens die u van ons ontving ook te beperken (art. 19 AVG), tot wij u laten weten dat de beperking is opgeheven.\n")
		}
	}
	if en {
		b.WriteString("\nKind regards,\n" + agency + "\n")
	} else {
		b.WriteString("\nMet vriendelijke groet,\n" + agency + "\n")
	}
	return subject, b.String()
}

// toldNotice is the e-mail that tells the candidate which organisations
// were notified.
func toldNotice(lang, about string, c *kluis.Candidate, told []kluis.RecipientNotice, agency string) (subject, body string) {
	en := lang == "en"
	what := kluis.NoticeSubjects.Label(about, lang)
	var b strings.Builder
	if en {
		subject = "Which organisations we told of your request"
		b.WriteString("Dear " + c.Name() + ",\n\nWe have told the organisations that received your data from us of the " + strings.ToLower(what) + " you asked for (art. 19 GDPR):\n")
	} else {
		subject = "Welke organisaties wij over uw verzoek hebben bericht"
		b.WriteString("Beste " + c.Name() + ",\n\nWij hebben de organisaties die uw gegevens van ons ontvingen bericht over de " + strings.ToLower(what) + " waarom u vroeg (art. 19 AVG):\n")
	}
	if len(told) == 0 {
		if en {
			b.WriteString("- none: no organisation received your data from us.\n")
		} else {
			b.WriteString("- geen: geen organisatie ontving uw gegevens van ons.\n")
		}
	}
	for _, n := range told {
		b.WriteString("- " + n.Recipient + " (" + kluis.NoticeChannels.Label(n.Channel, lang) + ")\n")
	}
	if en {
		b.WriteString("\nKind regards,\n" + agency + "\n")
	} else {
		b.WriteString("\nMet vriendelijke groet,\n" + agency + "\n")
	}
	return subject, b.String()
}
