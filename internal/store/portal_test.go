package store_test

import (
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

const portalBase = "https://kluis.example.nl"

// portalToken takes the token out of the link in a portal e-mail.
func portalToken(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(text, store.PortalLinkPath)
	if i < 0 {
		t.Fatalf("no portal link in %q", text)
	}
	tok := text[i+len(store.PortalLinkPath):]
	if j := strings.IndexAny(tok, "\n <\""); j >= 0 {
		tok = tok[:j]
	}
	return tok
}

// lastPortalMail returns the newest outbox message of a candidate.
func lastPortalMail(t *testing.T, e *storetest.Env, cand kluis.ID) store.OutboxMessage {
	t.Helper()
	msgs, _, err := e.DB.OutboxMessages(ctx, privacyOfficer(e), cand, kluis.Page{})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no mail for %d: %v", cand, err)
	}
	newest := msgs[0]
	for _, m := range msgs {
		if m.ID > newest.ID {
			newest = m
		}
	}
	return newest
}

func publishStatement(t *testing.T, e *storetest.Env) int {
	t.Helper()
	s := &kluis.PrivacyStatement{TextNL: kluis.DefaultStatement("nl"), TextEN: kluis.DefaultStatement("en")}
	if err := e.DB.PublishPrivacyStatement(ctx, privacyOfficer(e), s); err != nil {
		t.Fatal(err)
	}
	return s.Version
}

func checkIn(t *testing.T, e *storetest.Env, last, email string, version int) kluis.ID {
	t.Helper()
	id, err := e.DB.PortalCheckIn(ctx, e.Tenant.ID, &store.CheckIn{
		Candidate:        kluis.Candidate{FirstName: "Noor", LastName: last, Email: email, City: "Utrecht", BSN: "111222333", IBAN: "NL91ABNA0417164300"},
		StatementVersion: version, Accepted: true}, portalBase)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestACheckInRegistersTheCandidateWithTheProofOfInformingInOneGo: the
// candidate, their check-in, the statement shown (version, channel
// check-in) and the confirmation mail; never a BSN or IBAN from the form.
func TestACheckInRegistersTheCandidateWithTheProofOfInformingInOneGo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		v := publishStatement(t, e)
		po := privacyOfficer(e)
		// Refused: not accepted, an old version, no address, no public URL.
		for name, in := range map[string]*store.CheckIn{
			"not accepted": {Candidate: kluis.Candidate{LastName: "Vos", Email: "vos@example.nl"}, StatementVersion: v},
			"old version":  {Candidate: kluis.Candidate{LastName: "Vos", Email: "vos@example.nl"}, StatementVersion: v - 1, Accepted: true},
			"no address":   {Candidate: kluis.Candidate{LastName: "Vos"}, StatementVersion: v, Accepted: true},
		} {
			_, err := e.DB.PortalCheckIn(ctx, e.Tenant.ID, in, portalBase)
			if kluis.ErrorCode(err) != kluis.EInvalid {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := e.DB.PortalCheckIn(ctx, e.Tenant.ID, &store.CheckIn{Candidate: kluis.Candidate{LastName: "Vos", Email: "vos@example.nl"},
			StatementVersion: v, Accepted: true}, ""); kluis.ErrorCode(err) != kluis.EConflict {
			t.Errorf("without a public URL: %v", err)
		}
		if n := countRows(t, e, "candidates"); n != 0 {
			t.Fatalf("a refused check-in left %d candidates", n)
		}

		id := checkIn(t, e, "Vos", "Noor.Vos@Example.nl", v)
		c, err := e.DB.Candidate(ctx, po, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.BSN != "" || c.IBAN != "" || c.Source != "portal" || c.Status != "registered" || c.BranchID != e.Branch.ID {
			t.Errorf("the candidate: %+v", c)
		}
		ms, _, err := e.DB.ListContactMoments(ctx, po, store.ContactMomentFilter{CandidateID: id})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]kluis.ContactMoment{}
		for _, m := range ms {
			kinds[m.Kind] = m
		}
		if _, ok := kinds["check-in"]; !ok {
			t.Error("no check-in moment")
		}
		if s, ok := kinds["privacy-statement-shown"]; !ok || s.StatementVersion != v || !strings.Contains(s.Note, "bij de inschrijving") {
			t.Errorf("the statement shown: %+v", s)
		}
		m := lastPortalMail(t, e, id)
		if m.Kind != "portal-verify" || m.To != c.Email || !strings.Contains(m.Text, portalBase+store.PortalLinkPath) {
			t.Errorf("the mail: %+v", m)
		}

		// The same address again creates nobody; the unconfirmed
		// candidate gets a new confirmation link.
		if again := checkIn(t, e, "Anders", "noor.vos@example.nl", v); again != 0 {
			t.Errorf("a second candidate for a known address: %d", again)
		}
		if n := countRows(t, e, "candidates"); n != 1 {
			t.Errorf("%d candidates", n)
		}
		if m2 := lastPortalMail(t, e, id); m2.ID == m.ID || m2.Kind != "portal-verify" {
			t.Errorf("no new confirmation link: %+v", m2)
		}
	})
}

// TestPortalLinksAreSingleUseExpireAndAreStoredAsHashesOnly.
func TestPortalLinksAreSingleUseExpireAndAreStoredAsHashesOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		v := publishStatement(t, e)
		id := checkIn(t, e, "Bakker", "bakker@example.nl", v)
		token := portalToken(t, lastPortalMail(t, e, id).Text)
		if len(token) < 43 {
			t.Fatalf("a token of %d characters", len(token))
		}
		// Only the hash is stored: the token is in no column of the table.
		raw := storetest.Raw(t, e)
		var hashes int
		if err := raw.QueryRow("SELECT COUNT(*) FROM portal_tokens WHERE token_hash = $1 OR token_hash LIKE $2", token, "%"+token[:20]+"%").Scan(&hashes); err != nil {
			t.Fatal(err)
		}
		if hashes != 0 {
			t.Fatal("the token is stored as it is")
		}
		if info, err := e.DB.PortalLink(ctx, token); err != nil || !info.Verify || info.Agency != "Testbureau" {
			t.Fatalf("the link: %+v, %v", info, err)
		}
		// A log-in link is only for a confirmed address: nothing yet but
		// a new confirmation link.
		s, err := e.DB.UsePortalLink(ctx, token)
		if err != nil || s.CandidateID != id || s.TenantID != e.Tenant.ID || s.Secret == "" {
			t.Fatalf("use: %+v, %v", s, err)
		}
		if _, err := e.DB.UsePortalLink(ctx, token); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Errorf("a link used twice: %v", err)
		}
		if _, err := e.DB.PortalLink(ctx, token); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Errorf("a used link still shown: %v", err)
		}
		got, err := e.DB.PortalSessionOf(ctx, s.Secret)
		if err != nil || got.CandidateID != id {
			t.Fatalf("the session: %+v, %v", got, err)
		}
		// The session's secret is not a link.
		if _, err := e.DB.UsePortalLink(ctx, s.Secret); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Errorf("a session used as a link: %v", err)
		}
		// Confirmed now: a log-in link is mailed; unknown addresses get
		// nothing, and the call says the same.
		before := countRows(t, e, "outbox")
		if err := e.DB.RequestPortalLink(ctx, e.Tenant.ID, "onbekend@example.nl", "nl", portalBase); err != nil {
			t.Fatal(err)
		}
		if countRows(t, e, "outbox") != before {
			t.Error("mail for an unknown address")
		}
		if err := e.DB.RequestPortalLink(ctx, e.Tenant.ID, "BAKKER@example.nl", "en", portalBase); err != nil {
			t.Fatal(err)
		}
		login := lastPortalMail(t, e, id)
		if login.Kind != "portal-login" || !strings.Contains(login.Subject, "log in") {
			t.Fatalf("the log-in mail: %+v", login)
		}
		if err := e.DB.RequestPortalLink(ctx, e.Tenant.ID, "geen adres", "nl", portalBase); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Errorf("a malformed address: %v", err)
		}
		// A log-in link expires after 30 minutes.
		loginToken := portalToken(t, login.Text)
		e.Clock.Advance(store.PortalLoginTTL + time.Second)
		if _, err := e.DB.UsePortalLink(ctx, loginToken); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Errorf("an expired link: %v", err)
		}
		// So does the session.
		if _, err := e.DB.PortalSessionOf(ctx, s.Secret); kluis.ErrorCode(err) != kluis.EUnauthorized {
			t.Errorf("an expired session: %v", err)
		}
		// At most PortalLinksPerHour links an hour to one candidate.
		for range store.PortalLinksPerHour + 2 {
			if err := e.DB.RequestPortalLink(ctx, e.Tenant.ID, "bakker@example.nl", "nl", portalBase); err != nil {
				t.Fatal(err)
			}
		}
		var recent int
		if err := raw.QueryRow("SELECT COUNT(*) FROM portal_tokens WHERE candidate_id = $1 AND purpose IN ('verify', 'login') AND created_at > $2", id, e.Clock.Now().Add(-time.Hour)).Scan(&recent); err != nil {
			t.Fatal(err)
		}
		if recent != store.PortalLinksPerHour {
			t.Errorf("%d links within the hour", recent)
		}
		// A changed address is no longer confirmed: the old links stop.
		newer := portalToken(t, lastPortalMail(t, e, id).Text)
		c, _ := e.DB.Candidate(ctx, e.Actor, id)
		c.Email = "nieuw@example.nl"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.UsePortalLink(ctx, newer); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Errorf("a link to an old address: %v", err)
		}
		// The new address is confirmed by a new confirmation link, never
		// by a log-in link.
		e.Clock.Advance(2 * time.Hour)
		if err := e.DB.RequestPortalLink(ctx, e.Tenant.ID, "nieuw@example.nl", "nl", portalBase); err != nil {
			t.Fatal(err)
		}
		if m := lastPortalMail(t, e, id); m.To != "nieuw@example.nl" || m.Kind != "portal-verify" {
			t.Errorf("a log-in link to an unconfirmed address: %+v", m)
		}
	})
}

func TestAPortalRequestIsRegisteredVerifiedAndOnceAKind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		v := publishStatement(t, e)
		id := checkIn(t, e, "Jansen", "jansen@example.nl", v)
		s, err := e.DB.UsePortalLink(ctx, portalToken(t, lastPortalMail(t, e, id).Text))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.CreatePortalRequest(ctx, s, "", ""); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Errorf("no kind: %v", err)
		}
		q, err := e.DB.CreatePortalRequest(ctx, s, "rectification", "Mijn woonplaats is Amersfoort.")
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.DB.Request(ctx, privacyOfficer(e), q.ID)
		if err != nil || got.Channel != "portal" || got.VerifiedHow != "portal-login" || got.Status != "verified" || got.CandidateID != id {
			t.Errorf("the request: %+v, %v", got, err)
		}
		if _, err := e.DB.CreatePortalRequest(ctx, s, "rectification", "nog eens"); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Errorf("a second open request of a kind: %v", err)
		}
		if err := e.DB.EndPortalSession(ctx, s.Secret); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.PortalSessionOf(ctx, s.Secret); kluis.ErrorCode(err) != kluis.EUnauthorized {
			t.Errorf("a session after log-out: %v", err)
		}
	})
}

// TestAnErasureTakesThePortalTokensAlong: the candidate's links and
// sessions go with their data, and no session outlives them.
func TestAnErasureTakesThePortalTokensAlong(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		v := publishStatement(t, e)
		id := checkIn(t, e, "Wisman", "wisman@example.nl", v)
		s, err := e.DB.UsePortalLink(ctx, portalToken(t, lastPortalMail(t, e, id).Text))
		if err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, e, "portal_tokens"); n != 2 {
			t.Fatalf("%d tokens", n)
		}
		got, err := e.DB.Erase(ctx, privacyOfficer(e), []kluis.ID{id}, store.EraseOptions{Reason: "request", Verify: true})
		if err != nil || len(got) != 1 || !got[0].Complete || got[0].ResidueHits == nil || *got[0].ResidueHits != 0 {
			t.Fatalf("the erasure: %+v, %v", got, err)
		}
		if n := countRows(t, e, "portal_tokens"); n != 0 {
			t.Errorf("%d tokens left after the erasure", n)
		}
		if _, err := e.DB.PortalSessionOf(ctx, s.Secret); kluis.ErrorCode(err) != kluis.EUnauthorized {
			t.Errorf("a session of an erased candidate: %v", err)
		}
	})
}

// countRows counts the rows of a table, read past the store.
func countRows(t *testing.T, e *storetest.Env, table string) int {
	t.Helper()
	var n int
	if err := storetest.Raw(t, e).QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestARestrictedCandidateStillUsesThePortal: art. 18 restricts the
// processing of the candidate's data, never their rights. A restricted
// candidate gets their log-in link, logs in, reads their data, downloads
// them and files a request — each recorded in their history — while the
// agency's own mail to them (an invitation) is still refused, and a
// visitor's answer says nothing about whether an address is known.
func TestARestrictedCandidateStillUsesThePortal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		v := publishStatement(t, e)
		id := checkIn(t, e, "Beperkt", "beperkt@example.nl", v)
		if _, err := e.DB.UsePortalLink(ctx, portalToken(t, lastPortalMail(t, e, id).Text)); err != nil {
			t.Fatal(err)
		}
		mustRestrict(t, e, id, "accuracy")
		moments := func() int {
			ms, err := e.DB.AllContactMoments(ctx, privacyOfficer(e), id)
			if err != nil {
				t.Fatal(err)
			}
			return len(ms)
		}
		before := moments()

		if err := e.DB.RequestPortalLink(ctx, e.Tenant.ID, "beperkt@example.nl", "nl", portalBase); err != nil {
			t.Fatalf("a restricted candidate asks for a link: %v", err)
		}
		login := lastPortalMail(t, e, id)
		if login.Kind != "portal-login" {
			t.Fatalf("no log-in link for a restricted candidate: %+v", login)
		}
		if err := e.DB.RequestPortalLink(ctx, e.Tenant.ID, "niemand@example.nl", "nl", portalBase); err != nil {
			t.Fatalf("an unknown address answers differently: %v", err)
		}
		s, err := e.DB.UsePortalLink(ctx, portalToken(t, login.Text))
		if err != nil || s.CandidateID != id {
			t.Fatalf("log-in of a restricted candidate: %+v, %v", s, err)
		}
		if _, err := e.DB.PortalSessionOf(ctx, s.Secret); err != nil {
			t.Fatalf("the session: %v", err)
		}
		if c, err := e.DB.Candidate(ctx, s.Actor(), id); err != nil || c.LastName != "Beperkt" {
			t.Fatalf("their own data: %+v, %v", c, err)
		}
		if err := e.DB.RecordPortalDownload(ctx, s, "pdf"); err != nil {
			t.Fatalf("a download of their own card: %v", err)
		}
		q, err := e.DB.CreatePortalRequest(ctx, s, "access", "Welke gegevens hebt u?")
		if err != nil || q.CandidateID != id || q.Channel != "portal" {
			t.Fatalf("a request of a restricted candidate: %+v, %v", q, err)
		}
		if n := moments(); n != before+2 {
			t.Errorf("%d history entries for the download and the request, want 2", n-before)
		}
		// The agency's own use stays refused: an invitation is no right
		// the candidate exercised.
		mustBeRestricted(t, "an invitation to the portal", e.DB.InvitePortal(ctx, privacyOfficer(e), id, "nl", portalBase))
		// And so is a write as the candidate outside their rights.
		c, err := e.DB.Candidate(ctx, e.Actor, id)
		if err != nil {
			t.Fatal(err)
		}
		c.City = "Zwolle"
		mustBeRestricted(t, "a change", e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version))
	})
}
