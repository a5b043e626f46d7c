package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/retention"
)

// Consent renewal: some days before data of a candidate expire under R1
// or R3 (the agency's setting, default 30), kluis e-mails them a personal
// link to agree or decline that the data are kept longer; after 14 days
// without an answer it reminds them once. The link is a random 256-bit
// token; only its hash is stored, so the database cannot be used to answer
// for anyone. It works until the data expire, and once.

// ConsentPortalPath is where a consent link points, below kluis's public
// address; the token follows it.
const ConsentPortalPath = "/portaal/toestemming/"

// ConsentRenewals are what one round of consent renewal did.
type ConsentRenewals struct{ Sent, Reminded int }

// SendConsentRequests asks the agency's candidates whose R1 or R3 data
// expire within the notice period for consent, and reminds those who did
// not answer the first request, writing each e-mail to the outbox in the
// transaction that records the request. linkBase is kluis's public
// address (https://kluis.example.nl); without it nothing is sent, since
// the link could not be followed.
func (db *DB) SendConsentRequests(ctx context.Context, tenant kluis.ID, linkBase string) (ConsentRenewals, error) {
	var done ConsentRenewals
	set, err := db.Settings(ctx, tenant)
	if err != nil || set.ConsentNoticeDays == 0 || linkBase == "" {
		return done, err
	}
	a := kluis.Actor{TenantID: tenant}
	today := db.today()
	horizon := kluis.DateOf(today.Time().AddDate(0, 0, set.ConsentNoticeDays))
	terms, cat := retention.For(set), catalog.New()
	due := map[kluis.ID]kluis.Date{}
	err = db.EachRetentionFacts(ctx, a, func(c CandidateFacts) error {
		if d := renewable(retention.Plan(cat, c.Facts, terms, today), today, horizon); d != "" {
			due[c.ID] = d
		}
		return nil
	})
	if err != nil {
		return done, err
	}
	agency, err := db.tenantName(ctx, tenant)
	if err != nil {
		return done, err
	}
	for id, expires := range due {
		sent, err := db.askConsent(ctx, a, id, expires, agency, linkBase)
		if err != nil {
			return done, err
		}
		switch sent {
		case "sent":
			done.Sent++
		case "reminded":
			done.Reminded++
		}
	}
	return done, nil
}

// renewable returns the day the first group kept by R1 or R3 (and no
// legal minimum or hold) expires, when that lies after today and no later
// than horizon; "" otherwise.
func renewable(plan []retention.Item, today, horizon kluis.Date) kluis.Date {
	var first kluis.Date
	for _, it := range plan {
		if it.Erased || it.Held || it.Minimum || it.Expires == "" || (it.Rule != catalog.R1 && it.Rule != catalog.R3) {
			continue
		}
		if it.Expires > today && it.Expires <= horizon && (first == "" || it.Expires < first) {
			first = it.Expires
		}
	}
	return first
}

func (db *DB) tenantName(ctx context.Context, tenant kluis.ID) (string, error) {
	var name string
	if err := db.r.QueryRowContext(ctx, "SELECT name FROM tenants WHERE id = $1", tenant).Scan(&name); err != nil {
		return "", fmt.Errorf("agency name: %w", err)
	}
	return name, nil
}

// askConsent sends the first request or the reminder to one candidate,
// as due; it returns "sent", "reminded" or "" (nothing to do).
func (db *DB) askConsent(ctx context.Context, a kluis.Actor, cand kluis.ID, expires kluis.Date, agency, linkBase string) (string, error) {
	c, err := db.Candidate(ctx, a, cand)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if c.Email == "" || c.Restricted != "" {
		return "", nil // no address to ask, or nothing left to extend
	}
	token, hash, err := newConsentToken()
	if err != nil {
		return "", err
	}
	now := db.now()
	linkExpires := expires.Time() // the link works until the data go
	var did string
	err = db.write(ctx, a, func(tx *writeTx) error {
		var id kluis.ID
		var sentOn, reminded kluis.Date
		err := tx.QueryRowContext(ctx, `SELECT id, sent_on, reminded_on FROM consent_requests WHERE tenant_id = $1 AND candidate_id = $2 AND data_expires = $3`,
			a.TenantID, cand, expires).Scan(&id, &sentOn, &reminded)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			id, did = db.ids.Next(), "sent"
			if _, err := tx.ExecContext(ctx, `INSERT INTO consent_requests (tenant_id, id, candidate_id, token_hash, data_expires, sent_on, link_expires, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.TenantID, id, cand, hash, expires, db.today(), linkExpires, now); err != nil {
				return fmt.Errorf("consent request: %w", err)
			}
		case err != nil:
			return fmt.Errorf("consent request: %w", err)
		default:
			// Answered, reminded already, or not yet 14 days ago: nothing.
			var answer string
			if err := tx.QueryRowContext(ctx, "SELECT answer FROM consent_requests WHERE tenant_id = $1 AND id = $2", a.TenantID, id).Scan(&answer); err != nil {
				return err
			}
			if answer != "" || reminded != "" || now.Sub(sentOn.Time()) < kluis.ConsentReminderAfter {
				return nil
			}
			// The reminder carries a new link; the first one stops working.
			did = "reminded"
			if _, err := tx.ExecContext(ctx, "UPDATE consent_requests SET token_hash = $3, reminded_on = $4 WHERE tenant_id = $1 AND id = $2",
				a.TenantID, id, hash, db.today()); err != nil {
				return fmt.Errorf("consent reminder: %w", err)
			}
		}
		link := strings.TrimRight(linkBase, "/") + ConsentPortalPath + token
		subject, text, htm := consentMail(c, agency, expires, link, did == "reminded")
		if err := db.enqueueMail(ctx, tx, &OutboxMessage{TenantID: a.TenantID, CandidateID: cand, Kind: "consent-renewal",
			To: c.Email, Subject: subject, Text: text, HTML: htm}); err != nil {
			return err
		}
		note := "Per e-mail gevraagd of de gegevens langer bewaard mogen worden (ze vervallen op " + string(expires) + ")."
		if did == "reminded" {
			note = "Herinnering gestuurd: mogen de gegevens langer bewaard worden (ze vervallen op " + string(expires) + ")?"
		}
		return db.insertContactMoment(ctx, tx, &kluis.ContactMoment{TenantID: a.TenantID, CandidateID: cand, Kind: "consent-requested", At: now, Note: note})
	})
	if err != nil {
		return "", err
	}
	return did, nil
}

// newConsentToken returns a random token for a link and the hash kept of it.
func newConsentToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashConsentToken(token), nil
}

func hashConsentToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// consentMail writes the request in the candidate's language, or in Dutch
// and then English where it is not known.
func consentMail(c *kluis.Candidate, agency string, expires kluis.Date, link string, reminder bool) (subject, text, htm string) {
	nlSubject, enSubject := "Mogen wij uw gegevens langer bewaren?", "May we keep your data longer?"
	if reminder {
		nlSubject, enSubject = "Herinnering: "+nlSubject, "Reminder: "+enSubject
	}
	name := c.FirstName
	if name == "" {
		name = c.Name()
	}
	nl := fmt.Sprintf("Beste %s,\n\n%s bewaart uw gegevens om u werk aan te bieden. Zonder uw toestemming verwijderen wij ze op %s, zoals de wet vraagt.\n\n"+
		"Wilt u dat wij ze twee jaar langer bewaren? Geef uw antwoord (ja of nee) via deze persoonlijke link, die werkt tot %s en één keer:\n%s\n\n"+
		"Geeft u geen antwoord, dan verwijderen wij uw gegevens op %s. U kunt een toestemming altijd weer intrekken.\n\nMet vriendelijke groet,\n%s\n",
		name, agency, expires, expires, link, expires, agency)
	en := fmt.Sprintf("Dear %s,\n\n%s keeps your data to offer you work. Without your consent we delete them on %s, as the law requires.\n\n"+
		"Would you like us to keep them for two more years? Answer (yes or no) through this personal link, which works until %s, once:\n%s\n\n"+
		"If you do not answer, we delete your data on %s. You can always withdraw a consent.\n\nKind regards,\n%s\n",
		name, agency, expires, expires, link, expires, agency)
	var parts []string
	switch c.Language {
	case "nl":
		subject, parts = nlSubject, []string{nl}
	case "en":
		subject, parts = enSubject, []string{en}
	default:
		subject, parts = nlSubject+" / "+enSubject, []string{nl, en}
	}
	text = strings.Join(parts, "\n---\n\n")
	e := html.EscapeString
	para := func(s string) string {
		var b strings.Builder
		for _, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
			b.WriteString("<p>" + strings.ReplaceAll(e(p), "\n", "<br>") + "</p>\n")
		}
		return strings.Replace(b.String(), e(link), `<a href="`+e(link)+`">`+e(link)+`</a>`, 1)
	}
	htm = "<!doctype html><html><body>"
	for i, p := range parts {
		if i > 0 {
			htm += "<hr>"
		}
		htm += para(p)
	}
	return subject, text, htm + "</body></html>"
}

// ConsentLink is what the portal shows of a consent request behind a link:
// nothing personal, only the agency and the day.
type ConsentLink struct {
	Agency      string
	AgencySlug  string // for the link to the agency's privacy statement
	DataExpires kluis.Date
	Answer      string // "" while it can be answered
	Expired     bool
}

// consentRequestByToken finds the request a link names.
func (db *DB) consentRequestByToken(ctx context.Context, q querier, token string) (*kluis.ConsentRequest, error) {
	r, err := scanConsentRequest(q.QueryRowContext(ctx, "SELECT "+consentRequestColumns+" FROM consent_requests WHERE token_hash = $1", hashConsentToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kluis.Errorf(kluis.ENotFound, "Deze link is onbekend of vervangen door een nieuwere; gebruik de link uit de laatste e-mail.",
			"This link is unknown or was replaced by a newer one; use the link in the latest e-mail.")
	}
	if err != nil {
		return nil, fmt.Errorf("consent request: %w", err)
	}
	return r, nil
}

const consentRequestColumns = "tenant_id, id, candidate_id, data_expires, sent_on, reminded_on, link_expires, answer, answered_at, consent_id, created_at"

func scanConsentRequest(row interface{ Scan(...any) error }) (*kluis.ConsentRequest, error) {
	r := &kluis.ConsentRequest{}
	var answered *time.Time
	if err := row.Scan(&r.TenantID, &r.ID, &r.CandidateID, &r.DataExpires, &r.SentOn, &r.RemindedOn, &r.LinkExpires, &r.Answer,
		&nullTime{&answered}, (*nullID)(&r.ConsentID), &r.CreatedAt); err != nil {
		return nil, err
	}
	r.AnsweredAt = answered
	return r, nil
}

// ConsentLinkInfo tells the portal what a link is about.
func (db *DB) ConsentLinkInfo(ctx context.Context, token string) (*ConsentLink, error) {
	// The link is all there is to go on: the agency is what it finds.
	rd, _, done, err := db.reader(ctx, acrossAgencies())
	if err != nil {
		return nil, err
	}
	defer done()
	r, err := db.consentRequestByToken(ctx, rd, token)
	if err != nil {
		return nil, err
	}
	var agency, slug string
	if err := rd.QueryRowContext(ctx, "SELECT name, slug FROM tenants WHERE id = $1", r.TenantID).Scan(&agency, &slug); err != nil {
		return nil, fmt.Errorf("agency: %w", err)
	}
	return &ConsentLink{Agency: agency, AgencySlug: slug, DataExpires: r.DataExpires, Answer: r.Answer, Expired: !db.now().Before(r.LinkExpires)}, nil
}

// AnswerConsentRequest records the candidate's answer through their link:
// agreed, a consent for two more years (channel portal) with its contact
// moment; declined, a contact moment. A link answers once, and not after
// the data expired.
func (db *DB) AnswerConsentRequest(ctx context.Context, token string, agree bool) (*kluis.ConsentRequest, error) {
	var out *kluis.ConsentRequest
	var tenant kluis.ID
	err := db.readOne(ctx, acrossAgencies(), func(rd querier) error {
		r, err := db.consentRequestByToken(ctx, rd, token)
		if err == nil {
			tenant = r.TenantID
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// The answer is the candidate's own: should their processing have been
	// restricted (art. 18) since they were asked, it is recorded as
	// processing with their consent (restrictions.go).
	ctx = WithOverride(ctx, kluis.Override{Reason: "consent", Note: "Antwoord van de kandidaat via het portaal / The candidate's answer through the portal"})
	err = db.write(ctx, kluis.Actor{TenantID: tenant}, func(tx *writeTx) error {
		r, err := db.consentRequestByToken(ctx, tx, token)
		if err != nil {
			return err
		}
		if err := db.answerConsent(ctx, tx, r, agree); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// answerConsent records an answer to the request r inside tx: a link
// answers once, and not after the data expired.
func (db *DB) answerConsent(ctx context.Context, tx *writeTx, r *kluis.ConsentRequest, agree bool) error {
	now := db.now()
	switch {
	case r.Answer != "":
		return kluis.Errorf(kluis.EConflict, "U hebt deze vraag al beantwoord. Dank u.", "You have answered this question already. Thank you.")
	case !now.Before(r.LinkExpires):
		return kluis.Errorf(kluis.EConflict, "Deze link is verlopen: de termijn waarvoor hij gold is voorbij.", "This link has expired: the term it was for has passed.")
	}
	restricted, err := candidateRestriction(ctx, tx, r.TenantID, r.CandidateID)
	if err != nil {
		return err
	}
	if restricted != "" {
		return errRestricted()
	}
	r.Answer, r.AnsweredAt = "declined", &now
	if agree {
		today := db.today()
		c := &kluis.Consent{CandidateID: r.CandidateID, Channel: "portal", Wording: kluis.ConsentRenewalWording, GivenOn: today,
			ValidUntil: kluis.DateOf(today.Time().AddDate(kluis.ConsentMaxYears, 0, 0))}
		if err := db.createConsent(ctx, tx, c); err != nil {
			return err
		}
		r.Answer, r.ConsentID = "agreed", c.ID
	} else if err := db.insertContactMoment(ctx, tx, &kluis.ContactMoment{TenantID: r.TenantID, CandidateID: r.CandidateID, Kind: "consent-declined", At: now,
		Note: "De kandidaat wil niet dat de gegevens langer worden bewaard; ze vervallen op " + string(r.DataExpires) + "."}); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE consent_requests SET answer = $3, answered_at = $4, consent_id = $5 WHERE tenant_id = $1 AND id = $2",
		r.TenantID, r.ID, r.Answer, now, nullID(r.ConsentID)); err != nil {
		return fmt.Errorf("answer consent request: %w", err)
	}
	return nil
}

// ConsentRequests lists a candidate's consent requests, newest first.
func (db *DB) ConsentRequests(ctx context.Context, a kluis.Actor, cand kluis.ID) ([]kluis.ConsentRequest, error) {
	if _, err := db.Candidate(ctx, a, cand); err != nil {
		return nil, err
	}
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, "SELECT "+consentRequestColumns+" FROM consent_requests WHERE tenant_id = $1 AND candidate_id = $2 ORDER BY created_at DESC, id DESC",
		a.TenantID, cand)
	if err != nil {
		return nil, fmt.Errorf("consent requests: %w", err)
	}
	defer rows.Close()
	var out []kluis.ConsentRequest
	for rows.Next() {
		r, err := scanConsentRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}
