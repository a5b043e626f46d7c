package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// The data breach register (GDPR art. 33 and 34). Any staff member reports
// a suspected breach; the privacy officer describes it, decides whether it
// is reported to the AP (within 72 hours of discovery), links the
// candidates concerned by id and tells them — by letter, recorded, or by
// e-mail through the outbox — each with a contact moment in their history,
// in the transaction that writes the message. Every step is one audited
// write; edits carry an optimistic version.

var breaches = &table[kluis.Breach]{
	name: "breaches", kind: "breach",
	columns: []string{"title", "discovered_at", "facts", "categories", "affected_count", "effects", "measures", "risk", "decision",
		"decision_reason", "decided_at", "decided_by", "ap_reported_at", "ap_reference", "inform_decision", "inform_reason", "notice_text",
		"status", "closed_at", "reported_by", "version", "created_at"},
	values: func(b *kluis.Breach) []any {
		return []any{b.Title, b.DiscoveredAt.UTC(), b.Facts, strList(b.Categories), b.AffectedCount, b.Effects, b.Measures, b.Risk, b.Decision,
			b.DecisionReason, breachTimeValue(b.DecidedAt), nullID(b.DecidedBy), breachTimeValue(b.APReportedAt), b.APReference, b.InformDecision, b.InformReason,
			b.NoticeText, b.Status, breachTimeValue(b.ClosedAt), nullID(b.ReportedBy), b.Version, b.CreatedAt}
	},
	targets: func(b *kluis.Breach) []any {
		return []any{&b.TenantID, &b.ID, &b.Title, &b.DiscoveredAt, &b.Facts, (*strList)(&b.Categories), &b.AffectedCount, &b.Effects, &b.Measures,
			&b.Risk, &b.Decision, &b.DecisionReason, nullTime{&b.DecidedAt}, (*nullID)(&b.DecidedBy), nullTime{&b.APReportedAt}, &b.APReference,
			&b.InformDecision, &b.InformReason, &b.NoticeText, &b.Status, nullTime{&b.ClosedAt}, (*nullID)(&b.ReportedBy), &b.Version, &b.CreatedAt}
	},
	version: func(b *kluis.Breach) *int64 { return &b.Version },
	key:     func(b *kluis.Breach) (*kluis.ID, *kluis.ID) { return &b.TenantID, &b.ID },
}

// breachTimeValue stores a time as UTC at microsecond precision, nil as NULL.
func breachTimeValue(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

// MayKeepBreaches reports whether a role keeps the breach register.
func MayKeepBreaches(r kluis.Role) bool { return r == kluis.RolePrivacy }

// MayReportBreach reports whether a role may report a suspected breach:
// every member of staff (an integration is no person who notices one).
func MayReportBreach(r kluis.Role) bool { return r.Valid() && r != kluis.RoleIntegration }

func errBreachRole() error {
	return kluis.Errorf(kluis.EForbidden, "Alleen de privacyfunctionaris houdt het datalekregister bij.", "Only the privacy officer keeps the data breach register.")
}

// BreachFilter narrows the register.
type BreachFilter struct {
	Status string
	// Undecided keeps the breaches without a decision on reporting: the
	// ones whose 72-hour clock runs.
	Undecided bool
	Page      kluis.Page
}

// Breaches lists the register — undecided ones first, the earliest
// deadline first; then the newest — and counts all that match.
func (db *DB) Breaches(ctx context.Context, a kluis.Actor, f BreachFilter) ([]kluis.Breach, int, error) {
	if !MayKeepBreaches(a.Role) {
		return nil, 0, errBreachRole()
	}
	w := tenantWhere(a.TenantID)
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Undecided {
		w.add("decision = ''")
	}
	var out []kluis.Breach
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		out, total, err = breaches.list(ctx, db, tx, w, "CASE WHEN decision = '' THEN 0 ELSE 1 END, CASE WHEN decision = '' THEN discovered_at END, discovered_at DESC, id DESC", f.Page)
		return err
	})
	return out, total, err
}

// OpenBreach is an undecided breach with its 72-hour clock, for the
// privacy officer's start page and dashboard.
type OpenBreach struct {
	kluis.Breach
	Clock  kluis.BreachClock
	Linked int
}

// OpenBreaches returns the breaches whose 72-hour clock still runs (no
// decision on reporting yet), the earliest deadline first, with their
// clocks at the store's now, and how many there are.
func (db *DB) OpenBreaches(ctx context.Context, a kluis.Actor, limit int) ([]OpenBreach, int, error) {
	bs, total, err := db.Breaches(ctx, a, BreachFilter{Undecided: true, Page: kluis.Page{Limit: limit}})
	if err != nil {
		return nil, 0, err
	}
	counts, err := db.BreachLinkCounts(ctx, a, bs)
	if err != nil {
		return nil, 0, err
	}
	now := db.now()
	out := make([]OpenBreach, len(bs))
	for i := range bs {
		out[i] = OpenBreach{Breach: bs[i], Clock: bs[i].Clock(now), Linked: counts[bs[i].ID].Linked}
	}
	return out, total, nil
}

// BreachLinkCount is how many candidates are linked to a breach, and how many of
// them were told.
type BreachLinkCount struct{ Linked, Informed int }

// BreachLinkCounts counts the linked and informed candidates of breaches.
func (db *DB) BreachLinkCounts(ctx context.Context, a kluis.Actor, bs []kluis.Breach) (map[kluis.ID]BreachLinkCount, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	out := map[kluis.ID]BreachLinkCount{}
	if len(bs) == 0 {
		return out, nil
	}
	args := []any{a.TenantID}
	var marks []string
	for _, b := range bs {
		args = append(args, b.ID)
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}
	rows, err := rd.QueryContext(ctx, `SELECT breach_id, count(*), count(informed_at) FROM breach_candidates
		WHERE tenant_id = $1 AND breach_id IN (`+strings.Join(marks, ", ")+`) GROUP BY breach_id`, args...) // #nosec G202 -- numbered placeholders only; values are parameters
	if err != nil {
		return nil, fmt.Errorf("breach links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id kluis.ID
		var c BreachLinkCount
		if err := rows.Scan(&id, &c.Linked, &c.Informed); err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, rows.Err()
}

// Breach returns one breach.
func (db *DB) Breach(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Breach, error) {
	if !MayKeepBreaches(a.Role) {
		return nil, errBreachRole()
	}
	return getOne(ctx, db, breaches, a, id)
}

// ReportBreach registers a (suspected) breach, reported by the actor: open,
// undecided, its clock running from its discovery. The privacy officers
// of the agency are told by e-mail, in the same transaction; the message
// names the breach by number only.
func (db *DB) ReportBreach(ctx context.Context, a kluis.Actor, b *kluis.Breach) error {
	if !MayReportBreach(a.Role) {
		return kluis.Errorf(kluis.EForbidden, "Een datalek melden kan alleen een medewerker.", "Only a member of staff can report a breach.")
	}
	if err := b.Validate(db.now()); err != nil {
		return err
	}
	b.TenantID, b.ReportedBy, b.Status = a.TenantID, a.UserID, "open"
	b.Decision, b.DecisionReason, b.DecidedAt, b.DecidedBy, b.APReportedAt, b.APReference = "", "", nil, 0, nil, ""
	b.NoticeText, b.ClosedAt = "", nil
	us, err := db.Users(ctx, a.TenantID)
	if err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		b.ID, b.Version, b.CreatedAt = db.ids.Next(), 1, db.now()
		if err := breaches.insert(ctx, db, tx, b); err != nil {
			return err
		}
		for _, u := range us {
			if u.Role != kluis.RolePrivacy || u.ID == a.UserID || u.Email == "" {
				continue
			}
			subject, body := breachReportedMail(b, u.Language)
			if err := db.enqueueMail(ctx, tx, &OutboxMessage{Kind: "breach-reported", To: u.Email, Subject: subject, Text: body}); err != nil {
				return err
			}
		}
		return nil
	})
}

// breachReportedMail tells a privacy officer a breach was reported: by
// number and time only, so the mail holds no personal data.
func breachReportedMail(b *kluis.Breach, lang string) (subject, body string) {
	t := func(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(lang) }
	n := strconv.FormatInt(b.ID, 10)
	deadline := b.Deadline().In(breachZone).Format("02-01-2006 15:04")
	subject = t("Datalek gemeld in kluis (nummer "+n+")", "Data breach reported in kluis (number "+n+")")
	body = t("Een medewerker heeft in kluis een (mogelijk) datalek gemeld, nummer "+n+".\n\nAls het gemeld moet worden bij de Autoriteit Persoonsgegevens, dan uiterlijk "+deadline+" (72 uur na de ontdekking).\nOpen kluis, Datalekken, om het te beoordelen.\n",
		"A member of staff reported a (possible) data breach in kluis, number "+n+".\n\nIf it must be reported to the Autoriteit Persoonsgegevens, then by "+deadline+" (72 hours after discovery), Amsterdam time.\nOpen kluis, Data breaches, to assess it.\n")
	return subject, body
}

// breachZone is the time zone the agency's texts are written in.
var breachZone = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Amsterdam"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

// changeBreach applies change to the stored breach of version (0: any
// version) and writes it back; a stale version is a conflict, a closed
// breach cannot change.
func (db *DB) changeBreach(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, change func(tx *writeTx, b *kluis.Breach) error) (*kluis.Breach, error) {
	if !MayKeepBreaches(a.Role) {
		return nil, errBreachRole()
	}
	var b *kluis.Breach
	err := db.write(ctx, a, func(tx *writeTx) (err error) {
		if b, err = breaches.get(ctx, db, tx, a.TenantID, id); err != nil {
			return err
		}
		if version != 0 && version != b.Version {
			return kluis.StaleVersion(breaches.kind)
		}
		expected := b.Version
		if err := change(tx, b); err != nil {
			return err
		}
		return breaches.update(ctx, db, tx, b, expected)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// UpdateBreach saves the description and assessment of a breach (its
// title, discovery, facts, categories, number concerned, effects,
// measures, risk and the decision of art. 34) from in, if version is
// still current. The decision of art. 33 and the closing are steps of
// their own.
func (db *DB) UpdateBreach(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, in *kluis.Breach) (*kluis.Breach, error) {
	return db.changeBreach(ctx, a, id, version, func(tx *writeTx, b *kluis.Breach) error {
		if b.Closed() {
			return kluis.Errorf(kluis.EConflict, "Dit datalek is al afgesloten.", "This breach is closed already.")
		}
		b.Title, b.DiscoveredAt, b.Facts, b.Categories, b.AffectedCount = in.Title, in.DiscoveredAt, in.Facts, in.Categories, in.AffectedCount
		b.Effects, b.Measures, b.Risk, b.InformDecision, b.InformReason = in.Effects, in.Measures, in.Risk, in.InformDecision, in.InformReason
		if err := b.Validate(db.now()); err != nil {
			return err
		}
		linked, err := breachLinked(ctx, tx, b.TenantID, b.ID)
		if err != nil {
			return err
		}
		if b.AffectedCount < linked {
			p := kluis.Problems{}
			p.Add("affected_count", "Er zijn al "+strconv.Itoa(linked)+" kandidaten gekoppeld: het aantal is minstens zo groot.",
				strconv.Itoa(linked)+" candidates are linked already: the number is at least as large.")
			return p.Err()
		}
		return nil
	})
}

// DecideBreach records the decision of art. 33 (see kluis.Breach.Decide).
func (db *DB) DecideBreach(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, decision string, reportedAt *time.Time, reference, reason string) (*kluis.Breach, error) {
	return db.changeBreach(ctx, a, id, version, func(_ *writeTx, b *kluis.Breach) error {
		return b.Decide(decision, reportedAt, reference, reason, a.UserID, db.now())
	})
}

// CloseBreach closes a decided breach.
func (db *DB) CloseBreach(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) (*kluis.Breach, error) {
	return db.changeBreach(ctx, a, id, version, func(_ *writeTx, b *kluis.Breach) error { return b.Close(db.now()) })
}

func breachLinked(ctx context.Context, q querier, tenant, breach kluis.ID) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM breach_candidates WHERE tenant_id = $1 AND breach_id = $2", tenant, breach).Scan(&n); err != nil {
		return 0, fmt.Errorf("breach links: %w", err)
	}
	return n, nil
}

// ParseCandidateIDs reads candidate numbers as people paste them: separated by
// spaces, commas, semicolons or line breaks. A word that is no number is a
// field error on field, naming at most a few of them.
func ParseCandidateIDs(s, field string) ([]kluis.ID, error) {
	var out []kluis.ID
	var bad []string
	seen := map[kluis.ID]bool{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		id, err := strconv.ParseInt(w, 10, 64)
		if err != nil || id <= 0 {
			if len(bad) < 5 {
				bad = append(bad, strconv.Quote(shortWord(w, 20)))
			}
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(bad) > 0 {
		p := kluis.Problems{}
		p.Add(field, "Dit zijn geen kandidaatnummers: "+strings.Join(bad, ", ")+".", "These are no candidate numbers: "+strings.Join(bad, ", ")+".")
		return nil, p.Err()
	}
	return out, nil
}

func shortWord(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// LinkBreachCandidates links candidates of the agency, by id, to a breach
// and returns how many were linked anew (already linked ones are left as
// they are). An id that is no candidate of the agency refuses the whole
// call. The number concerned grows to at least the number linked.
func (db *DB) LinkBreachCandidates(ctx context.Context, a kluis.Actor, id kluis.ID, ids []kluis.ID) (int, error) {
	p := kluis.Problems{}
	switch {
	case len(ids) == 0:
		p.Add("candidate_ids", "Geef minstens één kandidaatnummer.", "Give at least one candidate number.")
	case len(ids) > kluis.BreachLinkMax:
		p.Add("candidate_ids", "Hooguit "+strconv.Itoa(kluis.BreachLinkMax)+" kandidaten tegelijk.", "At most "+strconv.Itoa(kluis.BreachLinkMax)+" candidates at a time.")
	}
	if err := p.Err(); err != nil {
		return 0, err
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var added int
	_, err := db.changeBreach(ctx, a, id, 0, func(tx *writeTx, b *kluis.Breach) error {
		if b.Closed() {
			return kluis.Errorf(kluis.EConflict, "Dit datalek is al afgesloten.", "This breach is closed already.")
		}
		known, err := knownCandidates(ctx, tx.Tx, a.TenantID, ids)
		if err != nil {
			return err
		}
		var unknown []string
		for _, c := range ids {
			if !known[c] && len(unknown) < 10 {
				unknown = append(unknown, strconv.FormatInt(c, 10))
			}
		}
		if len(unknown) > 0 {
			p.Add("candidate_ids", "Deze nummers zijn geen kandidaten van het bureau: "+strings.Join(unknown, ", ")+".",
				"These numbers are no candidates of the agency: "+strings.Join(unknown, ", ")+".")
			return p.Err()
		}
		now := db.now()
		for chunk := range slices.Chunk(ids, 200) {
			args := []any{a.TenantID, b.ID, now, nullID(a.UserID)}
			vals := make([]string, len(chunk))
			for i, c := range chunk {
				args = append(args, c)
				vals[i] = "($1, $2, $" + strconv.Itoa(len(args)) + ", $3, $4)"
			}
			// Unprepared: the statement differs with the number of rows.
			rows, err := tx.Tx.QueryContext(ctx, "INSERT INTO breach_candidates (tenant_id, breach_id, candidate_id, added_at, added_by) VALUES "+ // #nosec G202 -- numbered placeholders only; values are parameters
				strings.Join(vals, ", ")+" ON CONFLICT DO NOTHING RETURNING candidate_id", args...)
			if err != nil {
				return fmt.Errorf("link breach candidates: %w", err)
			}
			for rows.Next() {
				var c kluis.ID
				if err := rows.Scan(&c); err != nil {
					rows.Close()
					return err
				}
				added++
				tx.record(kluis.AuditEntry{Action: "create", Entity: "breach_candidates", EntityID: b.ID, CandidateID: c})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		linked, err := breachLinked(ctx, tx, a.TenantID, b.ID)
		if err != nil {
			return err
		}
		b.AffectedCount = max(b.AffectedCount, linked)
		return nil
	})
	return added, err
}

// knownCandidates reports which of ids are candidates of the agency.
func knownCandidates(ctx context.Context, q querier, tenant kluis.ID, ids []kluis.ID) (map[kluis.ID]bool, error) {
	out := map[kluis.ID]bool{}
	for chunk := range slices.Chunk(ids, 500) {
		args := []any{tenant}
		marks := make([]string, len(chunk))
		for i, c := range chunk {
			args = append(args, c)
			marks[i] = "$" + strconv.Itoa(len(args))
		}
		found, err := queryIDs(ctx, q, "SELECT id FROM candidates WHERE tenant_id = $1 AND id IN ("+strings.Join(marks, ", ")+")", args...)
		if err != nil {
			return nil, fmt.Errorf("candidates: %w", err)
		}
		for _, c := range found {
			out[c] = true
		}
	}
	return out, nil
}

// UnlinkBreachCandidate removes a candidate linked by mistake; one who was
// told of the breach stays linked, as the proof of it.
func (db *DB) UnlinkBreachCandidate(ctx context.Context, a kluis.Actor, id, cand kluis.ID) error {
	_, err := db.changeBreach(ctx, a, id, 0, func(tx *writeTx, b *kluis.Breach) error {
		if b.Closed() {
			return kluis.Errorf(kluis.EConflict, "Dit datalek is al afgesloten.", "This breach is closed already.")
		}
		var informed *time.Time
		err := tx.QueryRowContext(ctx, "SELECT informed_at FROM breach_candidates WHERE tenant_id = $1 AND breach_id = $2 AND candidate_id = $3",
			a.TenantID, b.ID, cand).Scan(nullTime{&informed})
		if errors.Is(err, sql.ErrNoRows) {
			return kluis.NotFound("candidate")
		}
		if err != nil {
			return fmt.Errorf("unlink breach candidate: %w", err)
		}
		if informed != nil {
			return kluis.Errorf(kluis.EConflict, "Deze kandidaat is al over het datalek geïnformeerd en blijft gekoppeld.",
				"This candidate was told of the breach already and stays linked.")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM breach_candidates WHERE tenant_id = $1 AND breach_id = $2 AND candidate_id = $3", a.TenantID, b.ID, cand); err != nil {
			return fmt.Errorf("unlink breach candidate: %w", err)
		}
		tx.record(kluis.AuditEntry{Action: "delete", Entity: "breach_candidates", EntityID: b.ID, CandidateID: cand})
		return nil
	})
	return err
}

// BreachCandidates lists the candidates linked to a breach, by id, one
// page at a time (kluis.Page{Limit: -1}: all of them), and counts them.
func (db *DB) BreachCandidates(ctx context.Context, a kluis.Actor, id kluis.ID, page kluis.Page) ([]kluis.BreachCandidate, int, error) {
	if _, err := db.Breach(ctx, a, id); err != nil {
		return nil, 0, err
	}
	limit := ""
	if page.Limit >= 0 {
		page = page.Normalize()
		limit = fmt.Sprintf(" LIMIT %d OFFSET %d", page.Limit, page.Offset)
	}
	var out []kluis.BreachCandidate
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM breach_candidates WHERE tenant_id = $1 AND breach_id = $2", a.TenantID, id).Scan(&total); err != nil {
			return fmt.Errorf("breach candidates: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT tenant_id, breach_id, candidate_id, added_at, added_by, informed_via, informed_at FROM breach_candidates
			WHERE tenant_id = $1 AND breach_id = $2 ORDER BY candidate_id`+limit, a.TenantID, id)
		if err != nil {
			return fmt.Errorf("breach candidates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var l kluis.BreachCandidate
			if err := rows.Scan(&l.TenantID, &l.BreachID, &l.CandidateID, &l.AddedAt, (*nullID)(&l.AddedBy), &l.InformedVia, nullTime{&l.InformedAt}); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if out == nil {
		out = []kluis.BreachCandidate{}
	}
	return out, total, err
}

// BreachNoticeResult says how many candidates were told of a breach, and how
// many could not be: erased since, restricted to what the law requires,
// or without an e-mail address.
type BreachNoticeResult struct {
	Informed int `json:"informed"`
	Skipped  int `json:"skipped"`
}

// breachNoticeBatch is how many candidates one transaction tells.
const breachNoticeBatch = 100

// NotifyBreachByEmail e-mails the candidates linked to a breach and not
// yet told (or only those of cands, when given), in lang, with the
// privacy officer's message about what happened, its likely consequences
// and the measures taken (art. 34(2)), wrapped in kluis's template with the
// data protection officer's contact and the right to complain to the AP.
// Each e-mail is written to the outbox with its contact moment and the
// mark on the link in one transaction, breachNoticeBatch candidates to a
// transaction; one sent again finds the candidate told and skips them.
func (db *DB) NotifyBreachByEmail(ctx context.Context, a kluis.Actor, id kluis.ID, cands []kluis.ID, lang, message string) (BreachNoticeResult, error) {
	p := kluis.Problems{}
	message = checkNotice(p, lang, message)
	if err := p.Err(); err != nil {
		return BreachNoticeResult{}, err
	}
	c, err := db.StatementController(ctx, a.TenantID)
	if err != nil {
		return BreachNoticeResult{}, err
	}
	first := func(tx *writeTx, b *kluis.Breach) {
		b.NoticeText = message
		if b.InformDecision == "" {
			b.InformDecision = "inform"
		}
	}
	return db.notify(ctx, a, id, cands, func(tx *writeTx, b *kluis.Breach, t breachNoticeTarget) (bool, error) {
		if t.email == "" {
			return false, nil
		}
		subject, text, htm := breachNoticeMail(c, lang, t.name, message)
		if err := db.enqueueMail(ctx, tx, &OutboxMessage{CandidateID: t.id, Kind: "breach-notice", To: t.email, Subject: subject, Text: text, HTML: htm}); err != nil {
			return false, err
		}
		note := "Datalek " + strconv.FormatInt(b.ID, 10) + ": per e-mail geïnformeerd (art. 34 AVG, " + lang + ")."
		return true, db.recordBreachNotice(ctx, tx, b, t.id, "email", db.now().Truncate(time.Second), note)
	}, first)
}

// breachNoticeTarget is a linked candidate still to tell, as the store reads
// them inside the transaction that tells them.
type breachNoticeTarget struct {
	id                kluis.ID
	name, email, rest string
	exists            bool
	// to is the candidate's name and postal address, what a letter needs
	// (none of it sealed: nothing is opened for it).
	to kluis.Candidate
}

// notify tells the linked candidates not yet told, batch by batch; tell
// returns false for one it cannot reach. first, when set, changes the
// breach in the first batch's transaction.
func (db *DB) notify(ctx context.Context, a kluis.Actor, id kluis.ID, only []kluis.ID, tell func(*writeTx, *kluis.Breach, breachNoticeTarget) (bool, error),
	first func(*writeTx, *kluis.Breach)) (BreachNoticeResult, error) {
	var res BreachNoticeResult
	if _, err := db.Breach(ctx, a, id); err != nil {
		return res, err
	}
	if only != nil {
		p := kluis.Problems{}
		if len(only) == 0 {
			p.Add("candidate_ids", "Kies minstens één kandidaat.", "Choose at least one candidate.")
			return res, p.Err()
		}
	}
	after := kluis.ID(0)
	for {
		var n int
		_, err := db.changeBreach(ctx, a, id, 0, func(tx *writeTx, b *kluis.Breach) error {
			targets, err := breachNoticeTargets(ctx, tx, a.TenantID, b.ID, after, only)
			if err != nil {
				return err
			}
			n = len(targets)
			told := 0
			for _, t := range targets {
				after = t.id
				if !t.exists || t.rest != "" {
					res.Skipped++
					continue
				}
				ok, err := tell(tx, b, t)
				if err != nil {
					return err
				}
				if ok {
					told++
				} else {
					res.Skipped++
				}
			}
			if told == 0 {
				return errNoNotice // nothing written: no new version
			}
			res.Informed += told
			if first != nil {
				first(tx, b)
				first = nil
			}
			return nil
		})
		if err != nil && !errors.Is(err, errNoNotice) {
			return res, err
		}
		if n < breachNoticeBatch {
			break
		}
	}
	return res, nil
}

var errNoNotice = errors.New("nothing to do")

// breachNoticeTargets reads up to breachNoticeBatch linked candidates not yet told,
// after the id after, with what telling them needs.
func breachNoticeTargets(ctx context.Context, tx *writeTx, tenant, breach, after kluis.ID, only []kluis.ID) ([]breachNoticeTarget, error) {
	args := []any{tenant, breach, after}
	cond := ""
	if only != nil {
		var marks []string
		for _, c := range only {
			args = append(args, c)
			marks = append(marks, "$"+strconv.Itoa(len(args)))
		}
		cond = " AND l.candidate_id IN (" + strings.Join(marks, ", ") + ")"
	}
	q := querier(tx)
	if only != nil {
		q = tx.Tx // unprepared: the statement differs with the list
	}
	rows, err := q.QueryContext(ctx, `SELECT l.candidate_id, c.id, COALESCE(c.first_name, ''), COALESCE(c.prefix, ''), COALESCE(c.last_name, ''),
		COALESCE(c.email, ''), COALESCE(c.restricted, ''),
		COALESCE(c.street, ''), COALESCE(c.house_number, ''), COALESCE(c.house_number_addition, ''), COALESCE(c.postcode, ''),
		COALESCE(c.city, ''), COALESCE(c.country, '')
		FROM breach_candidates l LEFT JOIN candidates c ON c.tenant_id = l.tenant_id AND c.id = l.candidate_id
		WHERE l.tenant_id = $1 AND l.breach_id = $2 AND l.informed_at IS NULL AND l.candidate_id > $3`+cond+`
		ORDER BY l.candidate_id LIMIT `+strconv.Itoa(breachNoticeBatch), args...)
	if err != nil {
		return nil, fmt.Errorf("breach notice: %w", err)
	}
	defer rows.Close()
	var out []breachNoticeTarget
	for rows.Next() {
		var t breachNoticeTarget
		var cid sql.NullInt64
		c := &t.to
		if err := rows.Scan(&t.id, &cid, &c.FirstName, &c.Prefix, &c.LastName, &t.email, &t.rest,
			&c.Street, &c.HouseNumber, &c.HouseNumberAddition, &c.Postcode, &c.City, &c.Country); err != nil {
			return nil, err
		}
		t.exists = cid.Valid
		c.TenantID, c.ID = tenant, t.id
		t.name = c.Name()
		out = append(out, t)
	}
	return out, rows.Err()
}

// recordBreachNotice marks the link as told and writes the contact moment.
func (db *DB) recordBreachNotice(ctx context.Context, tx *writeTx, b *kluis.Breach, cand kluis.ID, via string, at time.Time, note string) error {
	if _, err := tx.ExecContext(ctx, "UPDATE breach_candidates SET informed_via = $4, informed_at = $5 WHERE tenant_id = $1 AND breach_id = $2 AND candidate_id = $3",
		b.TenantID, b.ID, cand, via, at.UTC().Truncate(time.Microsecond)); err != nil {
		return fmt.Errorf("breach notice: %w", err)
	}
	tx.record(kluis.AuditEntry{Action: "update", Entity: "breach_candidates", EntityID: b.ID, CandidateID: cand, Fields: []string{"informed_via", "informed_at"}})
	m := &kluis.ContactMoment{TenantID: b.TenantID, CandidateID: cand, Kind: "breach-notice", At: at, UserID: tx.actor.UserID, Note: note}
	return db.insertContactMoment(ctx, tx, m)
}

// breachNoticeMail is the e-mail of art. 34 in lang: the message of the
// privacy officer, the contact of the data protection officer (or the
// agency) and the right to complain to the AP.
func breachNoticeMail(c catalog.Controller, lang, name, message string) (subject, text, htm string) {
	t := func(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(lang) }
	subject = t("Belangrijk: een datalek bij "+c.Name+" dat uw gegevens betreft", "Important: a data breach at "+c.Name+" concerning your data")
	greet := t("Beste "+name+",", "Dear "+name+",")
	intro := t("Wij moeten u laten weten dat er bij "+c.Name+" een datalek is geweest waarbij uw persoonsgegevens betrokken zijn (artikel 34 AVG).",
		"We must let you know that "+c.Name+" had a data breach involving your personal data (article 34 GDPR).")
	contact := c.DPO()
	if contact == "" {
		contact = c.Name
	}
	ask := t("Met vragen kunt u terecht bij "+contact+".", "With questions, please contact "+contact+".")
	ap := t("U kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).",
		"You may also complain to the Dutch data protection authority, the Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).")
	regards := t("Met vriendelijke groet,", "Kind regards,")
	text = greet + "\n\n" + intro + "\n\n" + message + "\n\n" + ask + "\n" + ap + "\n\n" + regards + "\n" + c.Name + "\n"
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="` + lang + `"><body>`)
	for _, para := range []string{greet, intro} {
		b.WriteString("<p>" + html.EscapeString(para) + "</p>\n")
	}
	for _, para := range strings.Split(message, "\n\n") {
		b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(para), "\n", "<br>") + "</p>\n")
	}
	b.WriteString("<p>" + html.EscapeString(ask) + "<br>" + html.EscapeString(ap) + "</p>\n<p>" + html.EscapeString(regards) + "<br>" + html.EscapeString(c.Name) + "</p></body></html>")
	return subject, text, b.String()
}

// redactBreachTexts removes, inside a candidate's erasure, their name,
// e-mail address and phone number from the texts of the breaches they
// are linked to — should someone have written them there. The links stay:
// by pseudonymous id they prove the candidate was concerned and told.
func (db *DB) redactBreachTexts(ctx context.Context, tx *writeTx, tenant, cand kluis.ID) error {
	// Most candidates are in no breach: one indexed look-up for them.
	bs, err := queryIDs(ctx, tx, "SELECT breach_id FROM breach_candidates WHERE tenant_id = $1 AND candidate_id = $2", tenant, cand)
	if err != nil {
		return fmt.Errorf("redact breaches: %w", err)
	}
	if len(bs) == 0 {
		return nil
	}
	var first, prefix, last, email, phone string
	err = tx.QueryRowContext(ctx, "SELECT first_name, prefix, last_name, email, phone FROM candidates WHERE tenant_id = $1 AND id = $2", tenant, cand).
		Scan(&first, &prefix, &last, &email, &phone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("redact breaches: %w", err)
	}
	ids := IdentifiersOf(&kluis.Candidate{FirstName: first, Prefix: prefix, LastName: last, Email: email, Phone: phone}, nil)
	if len(ids) == 0 {
		return nil
	}
	// The longest first: the full name before its parts.
	slices.SortFunc(ids, func(x, y Identifier) int { return len(y.Value) - len(x.Value) })
	for _, id := range bs {
		b, err := breaches.get(ctx, db, tx, tenant, id)
		if err != nil {
			return err
		}
		var changed []string
		for _, f := range []struct {
			col string
			p   *string
		}{{"title", &b.Title}, {"facts", &b.Facts}, {"effects", &b.Effects}, {"measures", &b.Measures}, {"decision_reason", &b.DecisionReason},
			{"inform_reason", &b.InformReason}, {"notice_text", &b.NoticeText}} {
			v := *f.p
			for _, x := range ids {
				v = redactFold(v, x.Value, "[gewist]")
			}
			if v != *f.p {
				*f.p = v
				changed = append(changed, f.col)
			}
		}
		if len(changed) == 0 {
			continue
		}
		set := make([]string, len(changed))
		args := []any{tenant, id}
		for i, c := range changed {
			args = append(args, breachText(b, c))
			set[i] = c + " = $" + strconv.Itoa(len(args))
		}
		if _, err := tx.Tx.ExecContext(ctx, "UPDATE breaches SET "+strings.Join(set, ", ")+" WHERE tenant_id = $1 AND id = $2", args...); err != nil { // #nosec G202 -- column names from the catalogue-declared list of breach texts; values are parameters
			return fmt.Errorf("redact breaches: %w", err)
		}
		tx.record(kluis.AuditEntry{Action: "erase", Entity: "breaches", EntityID: id, Fields: changed})
	}
	return nil
}

func breachText(b *kluis.Breach, col string) string {
	switch col {
	case "title":
		return b.Title
	case "facts":
		return b.Facts
	case "effects":
		return b.Effects
	case "measures":
		return b.Measures
	case "decision_reason":
		return b.DecisionReason
	case "inform_reason":
		return b.InformReason
	}
	return b.NoticeText
}

// redactFold replaces every occurrence of old in s, compared without
// regard to case, by repl.
func redactFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	return regexp.MustCompile("(?i)"+regexp.QuoteMeta(old)).ReplaceAllLiteralString(s, repl)
}

// DeleteExpiredBreaches deletes the breaches of an agency (every agency
// for 0) closed more than BreachRetentionYears ago, with their links
// (catalogue rule "breach"), and returns how many.
func (db *DB) DeleteExpiredBreaches(ctx context.Context, tenant kluis.ID) (int, error) {
	rd, _, done, err := db.reader(ctx, agencyOrEvery(tenant))
	if err != nil {
		return 0, err
	}
	defer done()
	before := db.now().AddDate(-catalog.BreachRetentionYears, 0, 0)
	cond, args := "status = 'closed' AND closed_at < $1", []any{before}
	if tenant != 0 {
		cond += " AND tenant_id = $2"
		args = append(args, tenant)
	}
	rows, err := rd.QueryContext(ctx, "SELECT tenant_id, id FROM breaches WHERE "+cond, args...) // #nosec G202 -- a constant condition; values are parameters
	if err != nil {
		return 0, fmt.Errorf("expired breaches: %w", err)
	}
	type key struct{ tenant, id kluis.ID }
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.tenant, &k.id); err != nil {
			rows.Close()
			return 0, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	done()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, k := range keys {
		err := db.write(ctx, kluis.Actor{TenantID: k.tenant}, func(tx *writeTx) error {
			if _, err := tx.ExecContext(ctx, "DELETE FROM breach_letters WHERE tenant_id = $1 AND breach_id = $2", k.tenant, k.id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM breach_candidates WHERE tenant_id = $1 AND breach_id = $2", k.tenant, k.id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM breaches WHERE tenant_id = $1 AND id = $2", k.tenant, k.id); err != nil {
				return err
			}
			tx.record(kluis.AuditEntry{Action: "delete", Entity: "breaches", EntityID: k.id, Reason: "retention"})
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("delete expired breach: %w", err)
		}
	}
	return len(keys), nil
}
