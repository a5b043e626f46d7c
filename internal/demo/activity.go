package demo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kluis/internal/cleanup"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// cleanedUp are candidates the agency had on file whose every term ran
// out before the demo's today: the clean-up run of the privacy officer's
// desk erases them altogether, so the demo shows a finished run, its
// erasure records and the categories it erased.
var cleanedUp = []person{
	{first: "Gert", last: "Hofman", city: "Utrecht", functions: []string{"Magazijnmedewerker"},
		registered: span{4, 2, 0}, lastActive: span{3, 6, 0}, source: "walk-in"},
	{first: "Monique", last: "Prins", branch: 1, city: "Rotterdam", functions: []string{"Schoonmaker"},
		registered: span{3, 9, 0}, lastActive: span{3, 2, 0}, source: "website"},
	{first: "Henk", last: "Bosman", city: "Zeist", functions: []string{"Vrachtwagenchauffeur C/E"},
		registered: span{11, 1, 0}, jobs: []job{{3, "Vrachtwagenchauffeur C/E", span{11, 0, 0}, span{8, 6, 0}, 1700, "phase-b"}}, source: "import"},
}

// runCleanup creates the cleanedUp candidates and erases them with a real
// clean-up run, as the privacy officer would start it on the clean-up
// page.
func (a *agency) runCleanup(ctx context.Context, g *gen, privacy kluis.Actor) error {
	var ids []kluis.ID
	for i, p := range cleanedUp {
		c, err := a.createPerson(ctx, g, len(handMade)+i, p)
		if err != nil {
			return fmt.Errorf("demo: cleaned-up candidate %d: %w", i, err)
		}
		ids = append(ids, c.ID)
	}
	run, err := a.db.StartCleanupRun(ctx, privacy, ids, false)
	if err != nil {
		return fmt.Errorf("demo: start the clean-up run: %w", err)
	}
	if err := (&cleanup.Runner{DB: a.db}).Run(ctx, privacy, run); err != nil {
		return fmt.Errorf("demo: clean-up run: %w", err)
	}
	return nil
}

// deskRequest is a request of a candidate in the demo's register, and what
// became of it.
type deskRequest struct {
	kind    string
	days    int    // received this many days before today
	extend  bool   // verified and its deadline extended by two months
	close   string // "done" or "refused"; "" while open
	outcome string
}

// deskRequests cover the register's states: one past its deadline, one
// extended, open ones, and closed ones.
var deskRequests = []deskRequest{
	{kind: "access", days: 40},
	{kind: "access", days: 25, extend: true},
	{kind: "access", days: 62, close: "done", outcome: "Overzicht van de gegevens per e-mail verstuurd."},
	{kind: "erasure", days: 10},
	{kind: "rectification", days: 0},
	{kind: "objection", days: 36, close: "refused", outcome: "Geen verwerking op grond van een gerechtvaardigd belang; toegelicht per e-mail."},
}

// createRequests registers deskRequests for active candidates, each for
// another one.
func (a *agency) createRequests(ctx context.Context, privacy kluis.Actor, cands []kluis.Candidate) error {
	today := kluis.DateOf(a.db.Now())
	k := 0
	for _, r := range deskRequests {
		for k < len(cands) && (cands[k].Restricted != "" || cands[k].Status == "inactive") {
			k++
		}
		if k == len(cands) {
			return fmt.Errorf("demo: too few candidates for the requests")
		}
		received := kluis.DateOf(a.db.Now().AddDate(0, 0, -r.days))
		q := &kluis.Request{CandidateID: cands[k].ID, Kind: r.kind, Channel: "email", ReceivedOn: received}
		k++
		if err := a.db.CreateRequest(ctx, privacy, q); err != nil {
			return fmt.Errorf("demo: %s request: %w", r.kind, err)
		}
		if !r.extend && r.close == "" {
			continue
		}
		q, err := a.db.VerifyRequest(ctx, privacy, q.ID, q.Version, "known-email", received)
		if err != nil {
			return fmt.Errorf("demo: verify a request: %w", err)
		}
		if r.extend {
			if _, err := a.db.ExtendRequest(ctx, privacy, q.ID, q.Version, "Gegevens in het archief van de oude vestiging moeten worden opgezocht.", today); err != nil {
				return fmt.Errorf("demo: extend a request: %w", err)
			}
			continue
		}
		if _, err := a.db.CloseRequest(ctx, privacy, q.ID, q.Version, r.close, r.outcome); err != nil {
			return fmt.Errorf("demo: close a request: %w", err)
		}
	}
	return nil
}

// askConsent sends the consent requests that are due (the candidates
// whose R1 term runs out within the notice period) and answers two of
// them through the link in their e-mail, as the candidates would: the
// first agrees, the second declines, the others stay unanswered.
func (a *agency) askConsent(ctx context.Context, privacy kluis.Actor, linkBase string) error {
	if _, err := a.db.SendConsentRequests(ctx, a.tenant.ID, linkBase); err != nil {
		return fmt.Errorf("demo: consent requests: %w", err)
	}
	sent, _, err := a.db.ListConsentRequests(ctx, privacy, store.ConsentRequestFilter{})
	if err != nil {
		return fmt.Errorf("demo: consent requests: %w", err)
	}
	if len(sent) < 3 {
		return fmt.Errorf("demo: %d consent requests sent, want at least 3", len(sent))
	}
	// All were sent today, in no particular order: the candidates'
	// ids, given out in the order of the table, make the choice stable.
	slices.SortFunc(sent, func(x, y kluis.ConsentRequest) int { return cmp.Compare(x.CandidateID, y.CandidateID) })
	first, second := sent[0], sent[1]
	for _, ans := range []struct {
		cand  kluis.ID
		agree bool
	}{{first.CandidateID, true}, {second.CandidateID, false}} {
		msgs, _, err := a.db.OutboxMessages(ctx, privacy, ans.cand, kluis.Page{})
		if err != nil {
			return fmt.Errorf("demo: consent e-mail: %w", err)
		}
		token := ""
		for _, m := range msgs {
			if m.Kind == "consent-renewal" {
				token = consentToken(m.Text)
			}
		}
		if token == "" {
			return fmt.Errorf("demo: no consent link for candidate %d", ans.cand)
		}
		if _, err := a.db.AnswerConsentRequest(ctx, token, ans.agree); err != nil {
			return fmt.Errorf("demo: answer a consent request: %w", err)
		}
	}
	return nil
}

// consentToken takes the token out of the link in a consent e-mail.
func consentToken(text string) string {
	i := strings.Index(text, store.ConsentPortalPath)
	if i < 0 {
		return ""
	}
	tok := text[i+len(store.ConsentPortalPath):]
	if j := strings.IndexAny(tok, "\n\r <\""); j >= 0 {
		tok = tok[:j]
	}
	return tok
}

// logAccess writes the access log of the week before today: the staff
// viewing candidates' records as they work, the payroll administrator
// revealing far more BSNs than anyone (the outlier the dashboard flags),
// and a few IBAN and ID-number reveals besides.
func (a *agency) logAccess(ctx context.Context, users []kluis.User, cands []kluis.Candidate) error {
	now := a.db.Now()
	var withBSN []kluis.Candidate
	for _, c := range cands {
		if c.BSN != "" {
			withBSN = append(withBSN, c)
		}
	}
	if len(withBSN) == 0 {
		return fmt.Errorf("demo: no candidate with a BSN for the access log")
	}
	var entries []kluis.AuditEntry
	entry := func(u kluis.User, at time.Time, action string, c kluis.Candidate, fields []string, reason string) {
		entries = append(entries, kluis.AuditEntry{At: at, TenantID: a.tenant.ID, UserID: u.ID, Role: u.Role,
			Action: action, Entity: "candidates", EntityID: c.ID, CandidateID: c.ID, Fields: fields, Reason: reason})
	}
	for _, w := range []struct {
		role                kluis.Role
		views               int
		bsn, iban, idNumber int
	}{
		{kluis.RoleRecruiter, 35, 0, 0, 0},
		{kluis.RoleManager, 14, 0, 0, 1},
		{kluis.RolePayroll, 9, 24, 3, 0},
		{kluis.RolePrivacy, 11, 1, 0, 0},
	} {
		var u kluis.User
		for _, x := range users {
			if x.Role == w.role {
				u = x
			}
		}
		for i := 0; i < w.views && i < len(cands); i++ {
			entry(u, now.Add(-time.Duration(i%6*24+i%8)*time.Hour-time.Duration(i)*time.Minute), "view", cands[i], nil, "")
		}
		for i := 0; i < w.bsn; i++ {
			entry(u, now.Add(-time.Duration(20+i)*time.Hour), "reveal", withBSN[i%len(withBSN)], []string{"bsn"}, "Loonadministratie")
		}
		for i := 0; i < w.iban; i++ {
			entry(u, now.Add(-time.Duration(50+i)*time.Hour), "reveal", withBSN[i%len(withBSN)], []string{"iban"}, "Loonbetaling gecontroleerd")
		}
		for i := 0; i < w.idNumber; i++ {
			entry(u, now.Add(-time.Duration(30+i)*time.Hour), "reveal", withBSN[i%len(withBSN)], []string{"id_document_number"}, "Identiteit gecontroleerd")
		}
	}
	if err := a.db.LogAccess(ctx, a.tenant.ID, entries); err != nil {
		return fmt.Errorf("demo: access log: %w", err)
	}
	return nil
}
