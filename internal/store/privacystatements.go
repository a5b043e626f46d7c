package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"html"
	"strconv"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/markdown"
)

// The privacy statement (privacyverklaring) in versions, and the proof
// that a candidate was informed of one: a contact moment of kind
// "privacy-statement-shown" or "privacy-statement-sent" that names the
// version (contact_moments.statement_version). Sending writes the e-mail
// to the outbox and the contact moment in one transaction.

// PublishPrivacyStatement publishes s as the agency's next version, by the
// actor; it sets s's version, publisher and time, and keeps the texts as
// published: filled from the catalogue and the agency's details now, so
// that the version reads the same later. A published version is never
// changed.
func (db *DB) PublishPrivacyStatement(ctx context.Context, a kluis.Actor, s *kluis.PrivacyStatement) error {
	if err := s.Validate(); err != nil {
		return err
	}
	c, err := db.StatementController(ctx, a.TenantID)
	if err != nil {
		return err
	}
	reg := catalog.New().RegisterOf(catalog.Candidate)
	s.FilledNL, s.FilledEN = catalog.FillStatement(s.TextNL, "nl", reg, c), catalog.FillStatement(s.TextEN, "en", reg, c)
	s.TenantID, s.PublishedBy, s.PublishedAt = a.TenantID, a.UserID, db.now()
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM privacy_statements WHERE tenant_id = $1", a.TenantID).Scan(&s.Version); err != nil {
			return fmt.Errorf("privacy statement: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO privacy_statements (tenant_id, version, text_nl, text_en, published_by, published_at, filled_nl, filled_en)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.TenantID, s.Version, s.TextNL, s.TextEN, nullID(s.PublishedBy), s.PublishedAt, s.FilledNL, s.FilledEN); err != nil {
			// Two publishing at once: the second is told to look again.
			return classify(fmt.Errorf("publish privacy statement: %w", err))
		}
		tx.record(kluis.AuditEntry{Action: "create", Entity: "privacy_statements", EntityID: kluis.ID(s.Version)})
		return nil
	})
}

const statementColumns = "tenant_id, version, text_nl, text_en, published_by, published_at, filled_nl, filled_en"

func scanStatement(r interface{ Scan(...any) error }, s *kluis.PrivacyStatement) error {
	return r.Scan(&s.TenantID, &s.Version, &s.TextNL, &s.TextEN, (*nullID)(&s.PublishedBy), &s.PublishedAt, &s.FilledNL, &s.FilledEN)
}

// PrivacyStatements lists the agency's versions, newest (the current one)
// first.
func (db *DB) PrivacyStatements(ctx context.Context, tenant kluis.ID) ([]kluis.PrivacyStatement, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, "SELECT "+statementColumns+" FROM privacy_statements WHERE tenant_id = $1 ORDER BY version DESC", tenant)
	if err != nil {
		return nil, fmt.Errorf("privacy statements: %w", err)
	}
	defer rows.Close()
	var out []kluis.PrivacyStatement
	for rows.Next() {
		var s kluis.PrivacyStatement
		if err := scanStatement(rows, &s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PrivacyStatement returns one version; version 0 is the current one.
func (db *DB) PrivacyStatement(ctx context.Context, tenant kluis.ID, version int) (*kluis.PrivacyStatement, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return nil, err
	}
	defer done()
	return privacyStatement(ctx, rd, tenant, version)
}

func privacyStatement(ctx context.Context, q querier, tenant kluis.ID, version int) (*kluis.PrivacyStatement, error) {
	s := &kluis.PrivacyStatement{}
	var err error
	if version == 0 {
		err = scanStatement(q.QueryRowContext(ctx, "SELECT "+statementColumns+" FROM privacy_statements WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1", tenant), s)
	} else {
		err = scanStatement(q.QueryRowContext(ctx, "SELECT "+statementColumns+" FROM privacy_statements WHERE tenant_id = $1 AND version = $2", tenant, version), s)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kluis.NotFound("privacy statement")
	}
	if err != nil {
		return nil, fmt.Errorf("privacy statement: %w", err)
	}
	return s, nil
}

// RenderedStatement is a version in one language with its placeholders
// filled: as Markdown, as safe HTML and as plain text.
type RenderedStatement struct {
	Statement *kluis.PrivacyStatement
	Lang      string
	Markdown  string
	HTML      string
	Text      string
	Agency    string
}

// StatementController is the agency as the statement names it: its name
// and the details from its settings.
func (db *DB) StatementController(ctx context.Context, tenant kluis.ID) (catalog.Controller, error) {
	name, err := db.tenantName(ctx, tenant)
	if err != nil {
		return catalog.Controller{}, err
	}
	set, err := db.Settings(ctx, tenant)
	if err != nil {
		return catalog.Controller{}, err
	}
	return catalog.Controller{Name: name, Address: set.Address, KvK: set.KvK, DPOName: set.DPOName, DPOEmail: set.DPOEmail, DPOPhone: set.DPOPhone}, nil
}

// RenderStatement is a version in lang ("en", else Dutch): as it was
// published, or — a preview, or a version from before kluis kept the
// published text — with its placeholders filled now from the catalogue
// and the controller.
func RenderStatement(s *kluis.PrivacyStatement, lang string, c catalog.Controller, cat *catalog.Catalog) *RenderedStatement {
	if lang != "en" {
		lang = "nl"
	}
	md := s.Filled(lang)
	if md == "" {
		md = catalog.FillStatement(s.Text(lang), lang, cat.RegisterOf(catalog.Candidate), c)
	}
	return &RenderedStatement{Statement: s, Lang: lang, Markdown: md, HTML: markdown.HTML(md), Text: markdown.Text(md), Agency: c.Name}
}

// RenderPrivacyStatement renders a version (0: the current one) of the
// agency's statement in lang.
func (db *DB) RenderPrivacyStatement(ctx context.Context, tenant kluis.ID, version int, lang string) (*RenderedStatement, error) {
	s, err := db.PrivacyStatement(ctx, tenant, version)
	if err != nil {
		return nil, err
	}
	c, err := db.StatementController(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return RenderStatement(s, lang, c, catalog.New()), nil
}

// RecordStatementShown records that the actor showed the current version
// to a candidate, through channel (a kluis.StatementChannels value; ""
// is the desk).
func (db *DB) RecordStatementShown(ctx context.Context, a kluis.Actor, cand kluis.ID, channel string) (*kluis.ContactMoment, error) {
	if channel == "" {
		channel = "desk"
	}
	p := kluis.Problems{}
	if channel == "email" || !kluis.StatementChannels.Has(channel) {
		p.Add("channel", "Kies hoe de verklaring is getoond.", "Choose how the statement was shown.")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var m *kluis.ContactMoment
	err := db.write(ctx, a, func(tx *writeTx) error {
		s, err := db.informable(ctx, tx, a, cand)
		if err != nil {
			return err
		}
		m = &kluis.ContactMoment{TenantID: a.TenantID, CandidateID: cand, Kind: "privacy-statement-shown", At: db.now().Truncate(time.Second), UserID: a.UserID,
			StatementVersion: s.Version, StatementChannel: channel, Note: statementNote(s.Version, channel)}
		return db.insertContactMoment(ctx, tx, m)
	})
	return m, err
}

// statementNote says in the history what happened, in Dutch as the other
// notes kluis writes.
func statementNote(version int, channel string) string {
	return "Privacyverklaring versie " + strconv.Itoa(version) + "; kanaal: " + kluis.StatementChannels.Label(channel, "nl") + "."
}

// informable checks that the candidate may be informed by the actor, and
// returns the current version.
func (db *DB) informable(ctx context.Context, tx *writeTx, a kluis.Actor, cand kluis.ID) (*kluis.PrivacyStatement, error) {
	if err := visibleCandidate(ctx, tx, a, cand); err != nil {
		return nil, err
	}
	restricted, err := candidateRestriction(ctx, tx, a.TenantID, cand)
	if err != nil {
		return nil, err
	}
	if restricted != "" {
		return nil, errRestricted()
	}
	if err := tx.mayProcess(ctx, cand, "outbox"); err != nil {
		return nil, err
	}
	s, err := privacyStatement(ctx, tx, a.TenantID, 0)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return nil, kluis.Errorf(kluis.EConflict, "Er is nog geen privacyverklaring gepubliceerd.", "No privacy statement has been published yet.")
	}
	return s, err
}

// SendPrivacyStatement e-mails the current version to a candidate, in
// lang — "" is the candidate's own language, and Dutch followed by English
// when that is not known — and records it in their history: the outbox
// message and the contact moment are committed together or not at all.
func (db *DB) SendPrivacyStatement(ctx context.Context, a kluis.Actor, cand kluis.ID, lang string) (*kluis.ContactMoment, error) {
	p := kluis.Problems{}
	if lang != "" && !kluis.CandidateLanguages.Has(lang) {
		p.Add("lang", "Kies Nederlands (nl) of Engels (en), of laat het leeg voor de taal van de kandidaat.",
			"Choose Dutch (nl) or English (en), or leave it empty for the candidate's language.")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	c, err := db.StatementController(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	var m *kluis.ContactMoment
	err = db.write(ctx, a, func(tx *writeTx) error {
		var err error
		s, err := db.informable(ctx, tx, tx.actor, cand)
		if err != nil {
			return err
		}
		m, err = db.sendStatement(ctx, tx, cand, renderBoth(s, c), lang)
		return err
	})
	return m, err
}

// statementTexts is a version rendered in both languages.
type statementTexts struct{ nl, en *RenderedStatement }

func renderBoth(s *kluis.PrivacyStatement, c catalog.Controller) statementTexts {
	cat := catalog.New()
	return statementTexts{nl: RenderStatement(s, "nl", c, cat), en: RenderStatement(s, "en", c, cat)}
}

// sendStatement writes the e-mail with the rendered version and the
// contact moment inside tx: in lang, or "" in the candidate's language,
// or in both (Dutch, then English) when theirs is not known.
func (db *DB) sendStatement(ctx context.Context, tx *writeTx, cand kluis.ID, r statementTexts, lang string) (*kluis.ContactMoment, error) {
	a := tx.actor
	if _, err := db.informable(ctx, tx, a, cand); err != nil {
		return nil, err
	}
	var email, first, prefix, last, language string
	if err := tx.QueryRowContext(ctx, "SELECT email, first_name, prefix, last_name, language FROM candidates WHERE tenant_id = $1 AND id = $2", a.TenantID, cand).
		Scan(&email, &first, &prefix, &last, &language); err != nil {
		return nil, fmt.Errorf("candidate %d: %w", cand, err)
	}
	if lang == "" {
		lang = language
	}
	if email == "" {
		p := kluis.Problems{}
		p.Add("email", "Van deze kandidaat is geen e-mailadres bekend.", "No e-mail address of this candidate is known.")
		return nil, p.Err()
	}
	name := (&kluis.Candidate{FirstName: first, Prefix: prefix, LastName: last}).Name()
	var subject, text, htm string
	switch lang {
	case "nl":
		subject, text, htm = statementMail(r.nl, name)
	case "en":
		subject, text, htm = statementMail(r.en, name)
	default:
		subject, text, htm = bilingualStatementMail(r, name)
	}
	version := r.nl.Statement.Version
	mail := &OutboxMessage{CandidateID: cand, Kind: "privacy-statement", To: email, Subject: subject, Text: text, HTML: htm}
	if err := db.enqueueMail(ctx, tx, mail); err != nil {
		return nil, err
	}
	m := &kluis.ContactMoment{TenantID: a.TenantID, CandidateID: cand, Kind: "privacy-statement-sent", At: db.now().Truncate(time.Second), UserID: a.UserID,
		StatementVersion: version, StatementChannel: "email", OutboxID: mail.ID, Delivery: kluis.DeliveryPending,
		Note: statementNote(version, "email")}
	if err := db.insertContactMoment(ctx, tx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// statementMail is the e-mail that carries a statement, in its language.
func statementMail(r *RenderedStatement, name string) (subject, text, htm string) {
	subject, greet, intro := statementMailParts(r, name)
	text = greet + "\n\n" + intro + "\n\n" + r.Text + "\n"
	htm = `<!doctype html><html lang="` + r.Lang + `"><body><p>` + html.EscapeString(greet) + "</p>\n<p>" + html.EscapeString(intro) + "</p>\n" + r.HTML + "</body></html>"
	return subject, text, htm
}

// bilingualStatementMail carries the statement in Dutch and then in
// English, for a candidate whose language kluis does not know.
func bilingualStatementMail(r statementTexts, name string) (subject, text, htm string) {
	subNL, greetNL, introNL := statementMailParts(r.nl, name)
	subEN, greetEN, introEN := statementMailParts(r.en, name)
	subject = subNL + " / " + subEN
	const below = "(English version below.)"
	text = below + "\n\n" + greetNL + "\n\n" + introNL + "\n\n" + r.nl.Text + "\n\n----------\n\n" + greetEN + "\n\n" + introEN + "\n\n" + r.en.Text + "\n"
	htm = `<!doctype html><html lang="nl"><body><p lang="en">` + below + "</p>\n<p>" + html.EscapeString(greetNL) + "</p>\n<p>" + html.EscapeString(introNL) + "</p>\n" +
		r.nl.HTML + "\n<hr>\n<div lang=\"en\"><p>" + html.EscapeString(greetEN) + "</p>\n<p>" + html.EscapeString(introEN) + "</p>\n" + r.en.HTML + "</div></body></html>"
	return subject, text, htm
}

func statementMailParts(r *RenderedStatement, name string) (subject, greet, intro string) {
	t := func(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(r.Lang) }
	v := strconv.Itoa(r.Statement.Version)
	subject = t("Privacyverklaring van "+r.Agency+" (versie "+v+")", "Privacy statement of "+r.Agency+" (version "+v+")")
	greet = t("Beste "+name+",", "Dear "+name+",")
	intro = t("Hieronder leest u hoe "+r.Agency+" met uw persoonsgegevens omgaat.", "Below you can read how "+r.Agency+" handles your personal data.")
	return subject, greet, intro
}

// NotInformed is a candidate without a record of the current version.
type NotInformed struct {
	ID       kluis.ID `json:"id"`
	Name     string   `json:"name"`
	Status   string   `json:"status"`
	HasEmail bool     `json:"has_email"`
}

// activeStatuses are the candidates a statement is sent to.
const activeStatuses = "('registered', 'available', 'working')"

// NotInformedCandidates lists the active candidates the actor works with
// who have no record (shown or sent) of the current version, by id; it
// returns the current version (0 when none is published: nobody is then
// listed).
func (db *DB) NotInformedCandidates(ctx context.Context, a kluis.Actor, page kluis.Page) ([]NotInformed, int, int, error) {
	return db.NotInformedOfStatus(ctx, a, "", page)
}

// NotInformedOfStatus is NotInformedCandidates of one state of candidate
// ("" for every active one): the list behind a bar of the dashboard.
func (db *DB) NotInformedOfStatus(ctx context.Context, a kluis.Actor, status string, page kluis.Page) ([]NotInformed, int, int, error) {
	s, err := db.PrivacyStatement(ctx, a.TenantID, 0)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return nil, 0, 0, nil
	}
	if err != nil {
		return nil, 0, 0, err
	}
	args := []any{a.TenantID, s.Version}
	cond := notInformedWhere
	if a.Branch != 0 {
		args = append(args, a.Branch)
		cond += " AND c.branch_id = $" + strconv.Itoa(len(args))
	}
	if status != "" {
		args = append(args, status)
		cond += " AND c.status = $" + strconv.Itoa(len(args))
	}
	var total int
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, 0, 0, err
	}
	defer done()
	if err := rd.QueryRowContext(ctx, "SELECT count(*) FROM candidates c WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, 0, fmt.Errorf("not informed: %w", err)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = 25
	}
	rows, err := rd.QueryContext(ctx, fmt.Sprintf("SELECT c.id, c.first_name, c.prefix, c.last_name, c.status, c.email FROM candidates c WHERE %s ORDER BY c.id LIMIT %d OFFSET %d",
		cond, limit, max(page.Offset, 0)), args...)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("not informed: %w", err)
	}
	defer rows.Close()
	var out []NotInformed
	for rows.Next() {
		var c kluis.Candidate
		if err := rows.Scan(&c.ID, &c.FirstName, &c.Prefix, &c.LastName, &c.Status, &c.Email); err != nil {
			return nil, 0, 0, err
		}
		out = append(out, NotInformed{ID: c.ID, Name: c.Name(), Status: c.Status, HasEmail: c.Email != ""})
	}
	return out, total, s.Version, rows.Err()
}

// notInformedWhere selects, with $1 the agency and $2 the version, the
// active, unrestricted candidates without a record of the version.
const notInformedWhere = `c.tenant_id = $1 AND c.status IN ` + activeStatuses + ` AND c.restricted = '' AND NOT EXISTS (SELECT 1 FROM restrictions r
		WHERE r.tenant_id = c.tenant_id AND r.candidate_id = c.id AND r.lifted_on IS NULL)
	AND NOT EXISTS (SELECT 1 FROM contact_moments m WHERE m.tenant_id = c.tenant_id AND m.candidate_id = c.id AND m.statement_version = $2
		AND ` + informedBy + `)`

// informedBy holds for a contact moment m that proves its candidate was
// informed of m.statement_version: shown, or sent and not finally failed.
const informedBy = `m.kind IN ('privacy-statement-shown', 'privacy-statement-sent') AND m.delivery <> 'failed'`

// nullInt stores 0 as NULL.
type nullInt int

func (n nullInt) Value() (driver.Value, error) {
	if n == 0 {
		return nil, nil
	}
	return int64(n), nil
}

func (n *nullInt) Scan(src any) error {
	var v sql.NullInt64
	if err := v.Scan(src); err != nil {
		return err
	}
	*n = nullInt(v.Int64)
	return nil
}
