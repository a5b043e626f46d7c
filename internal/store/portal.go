package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/vault"
)

// The candidate portal: a candidate checks themselves in, confirms their
// e-mail address by a link, logs in later by a single-use link mailed to
// that address, reads their own data and files requests. Every link and
// every portal session is a random 256-bit token of which only the hash is
// kept (portal_tokens); a link works once and for a short time. The
// address a link went to is kept as a keyed fingerprint: a used link
// whose fingerprint matches the candidate's current address is the proof
// that the address is theirs (verified) — change the address and the
// proof no longer holds.

// Where the portal's pages are, below kluis's public address.
const (
	PortalPath     = "/portaal/"
	PortalLinkPath = "/portaal/link/" // the token follows
)

// Lifetimes of the portal's tokens.
const (
	PortalVerifyTTL  = 7 * 24 * time.Hour // the confirmation link of a check-in
	PortalLoginTTL   = 30 * time.Minute   // a log-in link
	PortalSessionTTL = 30 * time.Minute   // a portal session, from its start: short, as it shows all of the candidate's data
	// PortalLinksPerHour bounds the links mailed to one candidate in an
	// hour, so that the form cannot be used to flood a mailbox.
	PortalLinksPerHour = 3
)

// Token purposes.
const (
	portalVerify  = "verify"
	portalLogin   = "login"
	portalSession = "session"
)

// portalActor is kluis acting for a candidate in the portal: the audit
// log names the role "candidate", and the candidate of each entry.
func portalActor(tenant kluis.ID) kluis.Actor {
	return kluis.Actor{TenantID: tenant, Role: kluis.RoleCandidate}
}

var errPortalUnavailable = kluis.Errorf(kluis.EConflict,
	"Het portaal kan nu geen e-mail versturen; probeer het later opnieuw of neem contact op met het bureau.",
	"The portal cannot send e-mail at the moment; try again later or contact the agency.")

// CheckIn is what a candidate fills in to check themselves in.
type CheckIn struct {
	Candidate kluis.Candidate
	// StatementVersion is the version of the privacy statement the page
	// showed; Accepted says the candidate accepted it.
	StatementVersion int
	Accepted         bool
	Lang             string // of the e-mail: "en", else Dutch
}

// PortalCheckIn registers a candidate who checks themselves in, with the
// proof that they read the privacy statement (a "privacy statement shown"
// contact moment with version and channel "check-in") and a "check-in"
// contact moment, and mails them a link to confirm their address: all in
// one transaction. A candidate can set only what a candidate may give at
// check-in — never a BSN, IBAN or identity document — and only what the
// agency collects. When the address belongs to a candidate of the agency
// already, nobody is created; that candidate is mailed a log-in link
// instead (or nothing, when they cannot log in). The caller answers the
// same either way, so the form tells nobody which addresses are known.
// It returns the new candidate's id, 0 when none was created.
func (db *DB) PortalCheckIn(ctx context.Context, tenant kluis.ID, in *CheckIn, linkBase string) (kluis.ID, error) {
	if linkBase == "" {
		return 0, errPortalUnavailable
	}
	today := db.today()
	c := in.Candidate
	// What only the agency records.
	c.TenantID, c.ID, c.Status, c.Source, c.RegisteredOn, c.Restricted = tenant, 0, "registered", "portal", today, ""
	c.BSN, c.BSNFingerprint, c.IBAN, c.IDDocumentType, c.IDDocumentNumber, c.IDDocumentExpiry, c.IDRecordedOn = "", "", "", "", "", "", ""
	// The language of the check-in is the one kluis writes to them in.
	c.Language = "nl"
	if in.Lang == "en" {
		c.Language = "en"
	}
	if c.BranchID == 0 {
		b, err := db.defaultBranch(ctx, tenant)
		if err != nil {
			return 0, err
		}
		c.BranchID = b
	}
	p := kluis.Problems{}
	if err := c.Validate(today); err != nil {
		var ke *kluis.Error
		if !errors.As(err, &ke) {
			return 0, err
		}
		for f, m := range ke.Fields {
			p[f] = m
		}
	}
	if c.Email == "" {
		p.Add("email", "Vul uw e-mailadres in: daar sturen wij de bevestiging heen.", "Fill in your e-mail address: we send the confirmation there.")
	}
	s, err := db.PrivacyStatement(ctx, tenant, 0)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return 0, kluis.Errorf(kluis.EConflict, "Inschrijven via het portaal kan nog niet: het bureau heeft nog geen privacyverklaring gepubliceerd.",
			"Checking in through the portal is not possible yet: the agency has not published a privacy statement.")
	}
	if err != nil {
		return 0, err
	}
	switch {
	case !in.Accepted:
		p.Add("accept", "U kunt zich alleen inschrijven als u de privacyverklaring hebt gelezen en aanvaardt.",
			"You can only check in once you have read and accept the privacy statement.")
	case in.StatementVersion != s.Version:
		p.Add("accept", "Intussen is er een nieuwe versie van de privacyverklaring; lees die en aanvaard hem opnieuw.",
			"A new version of the privacy statement was published meanwhile; read it and accept it again.")
	}
	if err := p.Err(); err != nil {
		return 0, err
	}
	agency, err := db.tenantName(ctx, tenant)
	if err != nil {
		return 0, err
	}
	fp, err := db.emailFingerprint(ctx, tenant, c.Email)
	if err != nil {
		return 0, err
	}
	var known []kluis.ID
	err = db.readOne(ctx, forAgency(tenant), func(rd querier) (err error) {
		known, err = db.candidatesByEmail(ctx, rd, tenant, c.Email)
		return err
	})
	if err != nil {
		return 0, err
	} else if len(known) > 0 {
		return 0, db.mailPortalLinks(ctx, tenant, known, c.Email, fp, agency, in.Lang, linkBase)
	}

	c.ID = db.ids.Next()
	if err := db.newSubjectKey(ctx, tenant, c.ID); err != nil {
		return 0, err
	}
	err = db.write(ctx, portalActor(tenant), func(tx *writeTx) error {
		if err := db.checkCandidate(ctx, tx, &c, false); err != nil {
			return err
		}
		now := db.now()
		c.Version, c.CreatedAt, c.UpdatedAt = 1, now, now
		if err := candidates.insert(ctx, db, tx, &c); err != nil {
			return err
		}
		at := now.Truncate(time.Second)
		if err := db.insertContactMoment(ctx, tx, &kluis.ContactMoment{TenantID: tenant, CandidateID: c.ID, Kind: "check-in", At: at,
			Note: "Zelf ingeschreven via het portaal."}); err != nil {
			return err
		}
		if err := db.insertContactMoment(ctx, tx, &kluis.ContactMoment{TenantID: tenant, CandidateID: c.ID, Kind: "privacy-statement-shown", At: at,
			StatementVersion: s.Version, StatementChannel: "check-in", Note: statementNote(s.Version, "check-in") + " Aanvaard door de kandidaat."}); err != nil {
			return err
		}
		return db.mailPortalLink(ctx, tx, c.ID, c.Email, fp, portalVerify, agency, in.Lang, linkBase)
	})
	if err != nil {
		_ = db.shred(ctx, tenant, c.ID)
		return 0, err
	}
	return c.ID, nil
}

// defaultBranch is the branch a candidate who does not choose one is
// registered with: the agency's first.
func (db *DB) defaultBranch(ctx context.Context, tenant kluis.ID) (kluis.ID, error) {
	var id kluis.ID
	err := db.readOne(ctx, forAgency(tenant), func(rd querier) error {
		return rd.QueryRowContext(ctx, "SELECT id FROM branches WHERE tenant_id = $1 ORDER BY id LIMIT 1", tenant).Scan(&id)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // Validate names the missing branch
	}
	if err != nil {
		return 0, fmt.Errorf("default branch: %w", err)
	}
	return id, nil
}

// emailFingerprint is the keyed hash of an address within an agency: as
// the BSN's, with the agency's own key, so that it cannot be matched
// against a list of addresses without that key.
func (db *DB) emailFingerprint(ctx context.Context, tenant kluis.ID, email string) (string, error) {
	if db.vault == nil {
		return "", errNoVault
	}
	k, err := db.vault.Key(ctx, tenant, tenantKeySubject)
	if errors.Is(err, vault.ErrNoKey) {
		if err := db.vault.Create(ctx, tenant, tenantKeySubject); err != nil {
			return "", err
		}
		k, err = db.vault.Key(ctx, tenant, tenantKeySubject)
	}
	if err != nil {
		return "", err
	}
	return k.Fingerprint("email:" + strings.ToLower(strings.TrimSpace(email))), nil
}

// candidatesByEmail returns the unrestricted candidates of the agency with
// the address.
func (db *DB) candidatesByEmail(ctx context.Context, q querier, tenant kluis.ID, email string) ([]kluis.ID, error) {
	rows, err := q.QueryContext(ctx, "SELECT id FROM candidates WHERE tenant_id = $1 AND "+db.emailKey()+" = $2 AND restricted = $3 ORDER BY id",
		tenant, strings.ToLower(strings.TrimSpace(email)), "")
	if err != nil {
		return nil, fmt.Errorf("candidates by e-mail: %w", err)
	}
	defer rows.Close()
	var out []kluis.ID
	for rows.Next() {
		var id kluis.ID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// RequestPortalLink mails a log-in link to the address, when it belongs to
// a candidate of the agency who confirmed it (and a new confirmation link
// to one who checked in and did not confirm yet). It says nothing about
// whether it did: the answer to the visitor is the same either way. A
// malformed address is a field error.
func (db *DB) RequestPortalLink(ctx context.Context, tenant kluis.ID, email, lang, linkBase string) error {
	p := kluis.Problems{}
	if strings.TrimSpace(email) == "" {
		p.Add("email", "Vul uw e-mailadres in.", "Fill in your e-mail address.")
	} else if e, ok := kluis.NormalizeEmail(email); !ok {
		p.Add("email", "Geen geldig e-mailadres.", "Not a valid e-mail address.")
	} else {
		email = e
	}
	if err := p.Err(); err != nil {
		return err
	}
	if linkBase == "" {
		return errPortalUnavailable
	}
	var known []kluis.ID
	err := db.readOne(ctx, forAgency(tenant), func(rd querier) (err error) {
		known, err = db.candidatesByEmail(ctx, rd, tenant, email)
		return err
	})
	if err != nil || len(known) == 0 {
		return err
	}
	agency, err := db.tenantName(ctx, tenant)
	if err != nil {
		return err
	}
	fp, err := db.emailFingerprint(ctx, tenant, email)
	if err != nil {
		return err
	}
	return db.mailPortalLinks(ctx, tenant, known, email, fp, agency, lang, linkBase)
}

// mailPortalLinks mails each candidate with the address (fingerprint fp)
// the link they may have: a log-in link when the address is confirmed, a
// new confirmation link when they checked in and never confirmed it,
// nothing otherwise (a candidate registered at the desk, whose address
// nobody confirmed) — and nothing past PortalLinksPerHour.
func (db *DB) mailPortalLinks(ctx context.Context, tenant kluis.ID, known []kluis.ID, email, fp, agency, lang, linkBase string) error {
	// The candidate asks for it: a restricted candidate (art. 18) gets
	// their link too, and the visitor's answer is the same either way.
	ctx = exercisingRights(ctx)
	return db.write(ctx, portalActor(tenant), func(tx *writeTx) error {
		for _, cand := range known {
			var verified, checkedIn, recent int
			if err := tx.QueryRowContext(ctx, `SELECT
				COUNT(CASE WHEN purpose IN ($3, $4) AND used_at IS NOT NULL AND email_fingerprint = $5 THEN 1 END),
				COUNT(CASE WHEN purpose = $3 THEN 1 END),
				COUNT(CASE WHEN purpose IN ($3, $4) AND created_at > $6 THEN 1 END)
				FROM portal_tokens WHERE tenant_id = $1 AND candidate_id = $2`,
				tenant, cand, portalVerify, portalLogin, fp, db.now().Add(-time.Hour)).Scan(&verified, &checkedIn, &recent); err != nil {
				return fmt.Errorf("portal link: %w", err)
			}
			purpose := portalLogin
			switch {
			case recent >= PortalLinksPerHour:
				continue
			case verified == 0 && checkedIn > 0:
				purpose = portalVerify
			case verified == 0:
				continue
			}
			if err := db.mailPortalLink(ctx, tx, cand, email, fp, purpose, agency, lang, linkBase); err != nil {
				return err
			}
		}
		return nil
	})
}

// mailPortalLink writes a new link of purpose for the candidate and the
// e-mail that carries it, inside tx. Expired tokens of the candidate go
// first, so that the table does not grow.
func (db *DB) mailPortalLink(ctx context.Context, tx *writeTx, cand kluis.ID, email, fp, purpose, agency, lang, linkBase string) error {
	ttl := PortalLoginTTL
	if purpose == portalVerify {
		ttl = PortalVerifyTTL
	}
	token, err := db.insertPortalToken(ctx, tx, cand, purpose, fp, ttl)
	if err != nil {
		return err
	}
	link := strings.TrimRight(linkBase, "/") + PortalLinkPath + token
	subject, text, htm := portalMail(purpose, agency, link, lang)
	return db.enqueueMail(ctx, tx, &OutboxMessage{CandidateID: cand, Kind: "portal-" + purpose, To: email, Subject: subject, Text: text, HTML: htm})
}

func (db *DB) insertPortalToken(ctx context.Context, tx *writeTx, cand kluis.ID, purpose, fp string, ttl time.Duration) (string, error) {
	tenant := tx.actor.TenantID
	now := db.now()
	// Sessions and unused links past their time go (links only after an
	// hour, as they count towards PortalLinksPerHour); used links stay,
	// as the proof of a confirmed address.
	if _, err := tx.ExecContext(ctx, `DELETE FROM portal_tokens WHERE tenant_id = $1 AND candidate_id = $2 AND expires_at <= $3
		AND (purpose = $4 OR (used_at IS NULL AND created_at <= $5))`,
		tenant, cand, now, portalSession, now.Add(-time.Hour)); err != nil {
		return "", fmt.Errorf("portal token: %w", err)
	}
	token, hash, err := newConsentToken()
	if err != nil {
		return "", err
	}
	id := db.ids.Next()
	if _, err := tx.ExecContext(ctx, `INSERT INTO portal_tokens (tenant_id, id, candidate_id, purpose, token_hash, email_fingerprint, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, tenant, id, cand, purpose, hash, fp, now.Add(ttl), now); err != nil {
		return "", fmt.Errorf("portal token: %w", err)
	}
	tx.record(kluis.AuditEntry{Action: "create", Entity: "portal_tokens", EntityID: id, CandidateID: cand, Fields: []string{"purpose", "expires_at"}})
	return token, nil
}

// portalMail writes a link's e-mail in the visitor's language.
func portalMail(purpose, agency, link, lang string) (subject, text, htm string) {
	t := func(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(lang) }
	var body string
	if purpose == portalVerify {
		subject = t("Bevestig uw inschrijving bij "+agency, "Confirm your check-in at "+agency)
		body = t("Welkom bij "+agency+". Bevestig uw e-mailadres met deze link; daarna ziet u in ons portaal welke gegevens wij van u hebben. De link werkt zeven dagen, één keer:",
			"Welcome to "+agency+". Confirm your e-mail address with this link; then you see in our portal which data we keep of you. The link works for seven days, once:")
	} else {
		subject = t("Uw link om in te loggen bij "+agency, "Your link to log in at "+agency)
		body = t("U vroeg om een link om in te loggen in het portaal van "+agency+". Hij werkt 30 minuten, één keer:",
			"You asked for a link to log in to the portal of "+agency+". It works for 30 minutes, once:")
	}
	foot := t("Hebt u hier niet om gevraagd? Dan kunt u dit bericht negeren; zonder de link kan niemand inloggen.",
		"Did you not ask for this? Then you can ignore this message; without the link nobody can log in.")
	text = body + "\n\n" + link + "\n\n" + foot + "\n\n" + agency + "\n"
	e := html.EscapeString
	htm = "<!doctype html><html><body><p>" + e(body) + "</p><p><a href=\"" + e(link) + "\">" + e(link) + "</a></p><p>" + e(foot) + "</p><p>" + e(agency) + "</p></body></html>"
	return subject, text, htm
}

// PortalLinkInfo is what the page behind a link may show before it is
// used: nothing personal.
type PortalLinkInfo struct {
	Agency     string
	AgencySlug string
	Verify     bool // a confirmation link (else a log-in link)
}

var errPortalLink = kluis.Errorf(kluis.ENotFound, "Deze link is onbekend, al gebruikt of verlopen. Vraag een nieuwe aan.",
	"This link is unknown, used already or expired. Ask for a new one.")

type portalToken struct {
	tenant, id, cand kluis.ID
	purpose, fp      string
	expires          time.Time
	used             bool
}

func (db *DB) portalTokenByHash(ctx context.Context, q querier, token string) (*portalToken, error) {
	if token == "" || len(token) > 100 {
		return nil, errPortalLink
	}
	t := &portalToken{}
	var used *time.Time
	err := q.QueryRowContext(ctx, "SELECT tenant_id, id, candidate_id, purpose, email_fingerprint, expires_at, used_at FROM portal_tokens WHERE token_hash = $1",
		hashConsentToken(token)).Scan(&t.tenant, &t.id, &t.cand, &t.purpose, &t.fp, &t.expires, &nullTime{&used})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errPortalLink
	}
	if err != nil {
		return nil, fmt.Errorf("portal token: %w", err)
	}
	t.used = used != nil
	return t, nil
}

// PortalLink tells the page behind a link what it is, while it works.
func (db *DB) PortalLink(ctx context.Context, token string) (*PortalLinkInfo, error) {
	// The link is all there is to go on: the agency is what it finds.
	rd, _, done, err := db.reader(ctx, acrossAgencies())
	if err != nil {
		return nil, err
	}
	defer done()
	t, err := db.portalTokenByHash(ctx, rd, token)
	if err != nil {
		return nil, err
	}
	if t.purpose == portalSession || t.used || !db.now().Before(t.expires) {
		return nil, errPortalLink
	}
	info := &PortalLinkInfo{Verify: t.purpose == portalVerify}
	if err := rd.QueryRowContext(ctx, "SELECT name, slug FROM tenants WHERE id = $1", t.tenant).Scan(&info.Agency, &info.AgencySlug); err != nil {
		return nil, fmt.Errorf("agency: %w", err)
	}
	return info, nil
}

// PortalSession is a candidate's session in the portal.
type PortalSession struct {
	Secret      string // for the cookie; only set when it starts
	TenantID    kluis.ID
	CandidateID kluis.ID
	Expires     time.Time
}

// Actor is the store's actor for the session's candidate.
func (s *PortalSession) Actor() kluis.Actor { return portalActor(s.TenantID) }

// UsePortalLink spends a link: once, before it expires, and only while
// the candidate's address is still the one it was sent to. It starts a
// portal session. A confirmation link is recorded in the candidate's
// history as the confirmation of their address.
func (db *DB) UsePortalLink(ctx context.Context, token string) (*PortalSession, error) {
	var t *portalToken
	err := db.readOne(ctx, acrossAgencies(), func(rd querier) (err error) {
		t, err = db.portalTokenByHash(ctx, rd, token)
		return err
	})
	if err != nil {
		return nil, err
	}
	if t.purpose == portalSession {
		return nil, errPortalLink
	}
	var out *PortalSession
	ctx = exercisingRights(ctx) // the candidate's own log-in (art. 18 never bars it)
	err = db.write(ctx, portalActor(t.tenant), func(tx *writeTx) error {
		now := db.now()
		res, err := tx.ExecContext(ctx, "UPDATE portal_tokens SET used_at = $1 WHERE tenant_id = $2 AND id = $3 AND used_at IS NULL AND expires_at > $1",
			now, t.tenant, t.id)
		if err != nil {
			return fmt.Errorf("use portal link: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errPortalLink // used, meanwhile too
		}
		var email, restricted string
		err = tx.QueryRowContext(ctx, "SELECT email, restricted FROM candidates WHERE tenant_id = $1 AND id = $2", t.tenant, t.cand).Scan(&email, &restricted)
		if errors.Is(err, sql.ErrNoRows) {
			return errPortalLink
		}
		if err != nil {
			return fmt.Errorf("use portal link: %w", err)
		}
		fp, err := db.emailFingerprint(ctx, t.tenant, email)
		if err != nil {
			return err
		}
		if restricted != "" || email == "" || fp != t.fp {
			return errPortalLink
		}
		tx.record(kluis.AuditEntry{Action: "update", Entity: "portal_tokens", EntityID: t.id, CandidateID: t.cand, Fields: []string{"used_at"}})
		if t.purpose == portalVerify {
			if err := db.insertContactMoment(ctx, tx, &kluis.ContactMoment{TenantID: t.tenant, CandidateID: t.cand, Kind: "portal",
				At: now.Truncate(time.Second), Note: "E-mailadres bevestigd met de link uit de bevestigingsmail."}); err != nil {
				return err
			}
		}
		secret, err := db.insertPortalToken(ctx, tx, t.cand, portalSession, t.fp, PortalSessionTTL)
		if err != nil {
			return err
		}
		out = &PortalSession{Secret: secret, TenantID: t.tenant, CandidateID: t.cand, Expires: now.Add(PortalSessionTTL)}
		return nil
	})
	if err != nil {
		// A link that cannot be used any more is spent all the same.
		if kluis.ErrorCode(err) == kluis.ENotFound {
			_ = db.update(ctx, forAgency(t.tenant), func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE portal_tokens SET used_at = $1 WHERE tenant_id = $2 AND id = $3 AND used_at IS NULL", db.now(), t.tenant, t.id)
				return err
			})
		}
		return nil, err
	}
	return out, nil
}

var errNoPortalSession = kluis.Errorf(kluis.EUnauthorized, "Log opnieuw in.", "Please log in again.")

// PortalSessionOf returns the live portal session of a cookie's secret.
func (db *DB) PortalSessionOf(ctx context.Context, secret string) (*PortalSession, error) {
	// The cookie is all there is to go on: the agency is what it finds.
	_, rdp, done, err := db.reader(ctx, acrossAgencies())
	if err != nil {
		return nil, err
	}
	defer done()
	t, err := db.portalTokenByHash(ctx, rdp, secret)
	if err != nil {
		return nil, errNoPortalSession
	}
	if t.purpose != portalSession || t.used || !db.now().Before(t.expires) {
		return nil, errNoPortalSession
	}
	var restricted string
	err = rdp.QueryRowContext(ctx, "SELECT restricted FROM candidates WHERE tenant_id = $1 AND id = $2", t.tenant, t.cand).Scan(&restricted)
	if errors.Is(err, sql.ErrNoRows) || restricted != "" {
		return nil, errNoPortalSession
	}
	if err != nil {
		return nil, fmt.Errorf("portal session: %w", err)
	}
	return &PortalSession{TenantID: t.tenant, CandidateID: t.cand, Expires: t.expires}, nil
}

// EndPortalSession logs a portal session out.
func (db *DB) EndPortalSession(ctx context.Context, secret string) error {
	return db.update(ctx, acrossAgencies(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM portal_tokens WHERE token_hash = $1 AND purpose = $2", hashConsentToken(secret), portalSession)
		return err
	})
}

// CreatePortalRequest files a request of the session's candidate in the
// request register: channel portal, the identity verified by the portal
// log-in, and a contact moment in their history, in one transaction. A
// second open request of the same kind is refused.
func (db *DB) CreatePortalRequest(ctx context.Context, s *PortalSession, kind, description string) (*kluis.Request, error) {
	today := db.today()
	q := &kluis.Request{TenantID: s.TenantID, CandidateID: s.CandidateID, Kind: kind, Channel: "portal", Description: description}
	if err := q.Validate(today); err != nil {
		return nil, err
	}
	if err := q.Verify("portal-login", today, 0, today); err != nil {
		return nil, err
	}
	ctx = exercisingRights(ctx) // a request is the exercise of a right
	err := db.write(ctx, s.Actor(), func(tx *writeTx) error {
		var open int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM requests WHERE tenant_id = $1 AND candidate_id = $2 AND kind = $3 AND closed_on IS NULL",
			s.TenantID, s.CandidateID, kind).Scan(&open); err != nil {
			return fmt.Errorf("portal request: %w", err)
		}
		if open > 0 {
			p := kluis.Problems{}
			p.Add("kind", "U hebt al een verzoek van deze soort in behandeling.", "You already have a request of this kind in progress.")
			return p.Err()
		}
		q.ID, q.Version, q.CreatedAt = db.ids.Next(), 1, db.now()
		if err := requests.insert(ctx, db, tx, q); err != nil {
			return err
		}
		return db.insertContactMoment(ctx, tx, &kluis.ContactMoment{TenantID: s.TenantID, CandidateID: s.CandidateID, Kind: "request",
			At: db.now().Truncate(time.Second), Note: "Verzoek ingediend via het portaal: " + kluis.RequestKinds.Label(kind, "nl") + "."})
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// portalDownloads are what a candidate downloads from the portal, with
// the note their history gets.
var portalDownloads = map[string]string{
	"pdf":              "Eigen stamkaart gedownload in het portaal (PDF).",
	"json":             "Eigen stamkaart gedownload in het portaal (JSON).",
	"csv":              "Eigen stamkaart gedownload in het portaal (CSV).",
	"documents":        "Eigen ingeleverde documenten gedownload in het portaal (ZIP).",
	"portability-json": "Overdraagbare gegevens (art. 20) gedownload in het portaal (JSON).",
	"portability-csv":  "Overdraagbare gegevens (art. 20) gedownload in het portaal (CSV).",
}

// RecordPortalDownload records in the candidate's history that they
// downloaded their data from the portal (what: a key of portalDownloads).
func (db *DB) RecordPortalDownload(ctx context.Context, s *PortalSession, what string) error {
	note, ok := portalDownloads[what]
	if !ok {
		return fmt.Errorf("store: portal download %q", what)
	}
	ctx = exercisingRights(ctx) // access to their own data (art. 15, 20)
	return db.write(ctx, s.Actor(), func(tx *writeTx) error {
		return db.insertContactMoment(ctx, tx, &kluis.ContactMoment{TenantID: s.TenantID, CandidateID: s.CandidateID, Kind: "portal",
			At: db.now().Truncate(time.Second), Note: note})
	})
}

// AnswerConsentInPortal records the session's candidate's answer to one of
// their consent requests, as the link in the e-mail would.
func (db *DB) AnswerConsentInPortal(ctx context.Context, s *PortalSession, id kluis.ID, agree bool) (*kluis.ConsentRequest, error) {
	var out *kluis.ConsentRequest
	err := db.write(ctx, s.Actor(), func(tx *writeTx) error {
		r, err := scanConsentRequest(tx.QueryRowContext(ctx, "SELECT "+consentRequestColumns+" FROM consent_requests WHERE tenant_id = $1 AND id = $2 AND candidate_id = $3",
			s.TenantID, id, s.CandidateID))
		if errors.Is(err, sql.ErrNoRows) {
			return kluis.NotFound("consent request")
		}
		if err != nil {
			return fmt.Errorf("consent request: %w", err)
		}
		if err := db.answerConsent(ctx, tx, r, agree); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// InvitePortal mails a candidate registered at the desk a link to confirm
// their address and enter the portal, by a staff member who works with
// them, and records it in their history. The link confirms the address
// only when the candidate follows it.
func (db *DB) InvitePortal(ctx context.Context, a kluis.Actor, cand kluis.ID, lang, linkBase string) error {
	if linkBase == "" {
		return errPortalUnavailable
	}
	var email string
	err := db.readOne(ctx, forAgency(a.TenantID), func(rd querier) error {
		if err := visibleCandidate(ctx, rd, a, cand); err != nil {
			return err
		}
		if err := rd.QueryRowContext(ctx, "SELECT email FROM candidates WHERE tenant_id = $1 AND id = $2", a.TenantID, cand).Scan(&email); err != nil {
			return fmt.Errorf("portal invitation: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if email == "" {
		p := kluis.Problems{}
		p.Add("email", "Van deze kandidaat is geen e-mailadres bekend.", "No e-mail address of this candidate is known.")
		return p.Err()
	}
	agency, err := db.tenantName(ctx, a.TenantID)
	if err != nil {
		return err
	}
	fp, err := db.emailFingerprint(ctx, a.TenantID, email)
	if err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		var recent int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM portal_tokens WHERE tenant_id = $1 AND candidate_id = $2 AND purpose IN ($3, $4) AND created_at > $5",
			a.TenantID, cand, portalVerify, portalLogin, db.now().Add(-time.Hour)).Scan(&recent); err != nil {
			return fmt.Errorf("portal invitation: %w", err)
		}
		if recent >= PortalLinksPerHour {
			return kluis.Errorf(kluis.EConflict, "Deze kandidaat heeft het afgelopen uur al genoeg links gekregen; probeer het later.",
				"This candidate has received enough links in the past hour; try again later.")
		}
		if err := db.mailPortalLink(ctx, tx, cand, email, fp, portalVerify, agency, lang, linkBase); err != nil {
			return err
		}
		return db.insertContactMoment(ctx, tx, &kluis.ContactMoment{TenantID: a.TenantID, CandidateID: cand, Kind: "portal", UserID: a.UserID,
			At: db.now().Truncate(time.Second), Note: "Per e-mail uitgenodigd voor het portaal."})
	})
}
