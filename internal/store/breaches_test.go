package store_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// mustReportBreach reports a breach discovered ago before the store's now.
func mustReportBreach(t *testing.T, e *storetest.Env, a kluis.Actor, title string, ago time.Duration) *kluis.Breach {
	t.Helper()
	b := &kluis.Breach{Title: title, DiscoveredAt: e.Clock.Now().Add(-ago), Facts: "Een lijst met adressen is naar de verkeerde ontvanger gemaild.",
		Categories: []string{"identity", "contact"}, AffectedCount: 3}
	if err := e.DB.ReportBreach(ctx, a, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// privacyUser adds a privacy officer with an e-mail address, to be told
// of reported breaches.
func privacyUser(t *testing.T, e *storetest.Env) kluis.Actor {
	t.Helper()
	u := &kluis.User{Email: "privacy@test.kluis.test", Name: "Petra Privacy", Role: kluis.RolePrivacy}
	if err := e.DB.CreateUser(ctx, e.Tenant.ID, u); err != nil {
		t.Fatal(err)
	}
	return kluis.Actor{TenantID: e.Tenant.ID, UserID: u.ID, Role: kluis.RolePrivacy}
}

// TestABreachIsReportedByStaffAndKeptByThePrivacyOfficer walks a breach
// from a recruiter's report through the assessment, the decision and the
// closing; every step is versioned and audited, and only the privacy
// officer reads the register.
func TestABreachIsReportedByStaffAndKeptByThePrivacyOfficer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyUser(t, e)
		b := mustReportBreach(t, e, e.Actor, "Adreslijst verkeerd gemaild", 2*time.Hour)
		if b.Status != "open" || b.ReportedBy != e.Actor.UserID || b.Version != 1 || b.Decided() {
			t.Fatalf("reported: %+v", b)
		}
		// The privacy officer hears of it by e-mail, by number only.
		ms, _, err := e.DB.OutboxMessages(ctx, po, 0, kluis.Page{})
		if err != nil || len(ms) != 1 || ms[0].Kind != "breach-reported" || ms[0].To != "privacy@test.kluis.test" ||
			!strings.Contains(ms[0].Text, "nummer") || strings.Contains(ms[0].Text, "Adreslijst") {
			t.Fatalf("the privacy officer's mail: %+v %v", ms, err)
		}
		if _, err := e.DB.Breach(ctx, e.Actor, b.ID); kluis.ErrorCode(err) != kluis.EForbidden {
			t.Fatalf("a recruiter reads the register: %v", err)
		}
		if err := e.DB.ReportBreach(ctx, kluis.Actor{TenantID: e.Tenant.ID, Role: kluis.RoleIntegration}, &kluis.Breach{}); kluis.ErrorCode(err) != kluis.EForbidden {
			t.Fatalf("an integration reported a breach: %v", err)
		}
		edit := *b
		edit.Effects, edit.Measures, edit.Risk = "Mogelijk misbruik van adressen.", "Ontvanger gevraagd de mail te verwijderen.", "risk"
		if _, err := e.DB.UpdateBreach(ctx, po, b.ID, 7, &edit); kluis.ErrorCode(err) != kluis.EConflict {
			t.Fatalf("a stale edit: %v", err)
		}
		got, err := e.DB.UpdateBreach(ctx, po, b.ID, 1, &edit)
		if err != nil || got.Version != 2 || got.Risk != "risk" || got.Measures != edit.Measures {
			t.Fatalf("edited: %+v %v", got, err)
		}
		if _, err := e.DB.CloseBreach(ctx, po, b.ID, 2); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("closed before the decision: %v", err)
		}
		if _, err := e.DB.DecideBreach(ctx, po, b.ID, 2, "no-report", nil, "", "Geen zin"); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("not reporting a risk: %v", err)
		}
		at := e.Clock.Now().Add(-time.Hour)
		got, err = e.DB.DecideBreach(ctx, po, b.ID, 2, "report", &at, "M-2026-0042", "")
		if err != nil || got.Decision != "report" || got.DecidedBy != po.UserID || !got.Clock(e.Clock.Now()).InTime {
			t.Fatalf("decided: %+v %v", got, err)
		}
		got, err = e.DB.CloseBreach(ctx, po, b.ID, 3)
		if err != nil || !got.Closed() || got.ClosedAt == nil {
			t.Fatalf("closed: %+v %v", got, err)
		}
		if _, err := e.DB.UpdateBreach(ctx, po, b.ID, 4, &edit); kluis.ErrorCode(err) != kluis.EConflict {
			t.Fatalf("a closed breach edited: %v", err)
		}
		read, err := e.DB.Breach(ctx, po, b.ID)
		if err != nil || read.APReference != "M-2026-0042" || read.APReportedAt == nil || !read.APReportedAt.Equal(at.Truncate(time.Second)) ||
			len(read.Categories) != 2 || !read.DiscoveredAt.Equal(b.DiscoveredAt) {
			t.Fatalf("read back: %+v %v", read, err)
		}
		es, _, err := e.DB.AuditLog(ctx, po, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range es {
			if x.Entity == "breaches" && x.EntityID == b.ID {
				n++
			}
		}
		if n != 4 {
			t.Fatalf("%d audited steps, want 4 (report, edit, decision, closing)", n)
		}
	})
}

// TestTheOpenBreachesCarryTheirClock: the store's function for the start
// page and the dashboard lists the undecided breaches, the earliest
// deadline first, with their clocks at the store's (injected) time.
func TestTheOpenBreachesCarryTheirClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		late := mustReportBreach(t, e, e.Actor, "Laptop gestolen", 80*time.Hour)
		soon := mustReportBreach(t, e, e.Actor, "USB-stick kwijt", 60*time.Hour)
		fresh := mustReportBreach(t, e, e.Actor, "Phishing", time.Hour)
		decided := mustReportBreach(t, e, e.Actor, "Mail aan verkeerde", 10*time.Hour)
		if _, err := e.DB.DecideBreach(ctx, po, decided.ID, 1, "no-breach", nil, "", "Versleuteld bestand, geen sleutel gedeeld."); err != nil {
			t.Fatal(err)
		}
		open, n, err := e.DB.OpenBreaches(ctx, po, 10)
		if err != nil || n != 3 || len(open) != 3 {
			t.Fatalf("%d open: %v", n, err)
		}
		if open[0].ID != late.ID || !open[0].Clock.Overdue || open[0].Clock.Late != 8*time.Hour {
			t.Fatalf("the overdue one first: %+v", open[0].Clock)
		}
		if open[1].ID != soon.ID || !open[1].Clock.Soon || open[1].Clock.Left != 12*time.Hour {
			t.Fatalf("then the one due within a day: %+v", open[1].Clock)
		}
		if open[2].ID != fresh.ID || open[2].Clock.Soon || open[2].Clock.Overdue || open[2].Clock.Left != 71*time.Hour {
			t.Fatalf("then the fresh one: %+v", open[2].Clock)
		}
		// Eight hours on, the one due within a day has run out too.
		e.Clock.Advance(12 * time.Hour)
		open, _, _ = e.DB.OpenBreaches(ctx, po, 10)
		if !open[1].Clock.Overdue || open[1].Clock.Late != 0 {
			t.Fatalf("at its deadline: %+v", open[1].Clock)
		}
		all, total, err := e.DB.Breaches(ctx, po, store.BreachFilter{})
		if err != nil || total != 4 || all[3].ID != decided.ID {
			t.Fatalf("the decided one last: %v %v", total, err)
		}
	})
}

// TestTheCandidatesConcernedAreLinkedAndTold: linking by id in bulk,
// telling by e-mail through the outbox and by letter, each with a contact
// moment in the candidate's history; nobody is told twice.
func TestTheCandidatesConcernedAreLinkedAndTold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		b := mustReportBreach(t, e, e.Actor, "Adreslijst verkeerd gemaild", time.Hour)
		var ids []kluis.ID
		for _, name := range []string{"Eerste", "Tweede", "Derde", "Vierde"} {
			ids = append(ids, e.MustCreateCandidate(t, name).ID)
		}
		noMail := &kluis.Candidate{BranchID: e.Branch.ID, FirstName: "Zonder", LastName: "Mail", Source: "walk-in"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, noMail); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.LinkBreachCandidates(ctx, po, b.ID, []kluis.ID{ids[0], 999999}); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("an unknown id: %v", err)
		}
		if _, err := e.DB.LinkBreachCandidates(ctx, e.Actor, b.ID, ids); kluis.ErrorCode(err) != kluis.EForbidden {
			t.Fatalf("a recruiter linked candidates: %v", err)
		}
		n, err := e.DB.LinkBreachCandidates(ctx, po, b.ID, append(ids, noMail.ID, ids[0]))
		if err != nil || n != 5 {
			t.Fatalf("linked %d: %v", n, err)
		}
		if n, err := e.DB.LinkBreachCandidates(ctx, po, b.ID, ids[:2]); err != nil || n != 0 {
			t.Fatalf("linked again %d: %v", n, err)
		}
		got, _ := e.DB.Breach(ctx, po, b.ID)
		if got.AffectedCount != 5 {
			t.Fatalf("the number concerned grows with the links: %d", got.AffectedCount)
		}
		if err := e.DB.UnlinkBreachCandidate(ctx, po, b.ID, ids[3]); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.RecordBreachLetters(ctx, po, b.ID, nil, "2026-11-01", "nl", "Er is een lijst verloren.", plainLetter); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("a letter before the discovery: %v", err)
		}
		if _, err := e.DB.RecordBreachLetters(ctx, po, b.ID, nil, "2026-12-01", "nl", "Er is een lijst verloren.", plainLetter); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("a letter in the future: %v", err)
		}
		if _, err := e.DB.RecordBreachLetters(ctx, po, b.ID, nil, "", "de", " ", plainLetter); kluis.ErrorCode(err) != kluis.EInvalid ||
			!strings.Contains(err.Error(), "lang") || !strings.Contains(err.Error(), "message") {
			t.Fatalf("a letter without a language and a message: %v", err)
		}
		res, err := e.DB.RecordBreachLetters(ctx, po, b.ID, []kluis.ID{ids[0]}, "", "nl", "Er is een lijst verloren.", plainLetter)
		if err != nil || res.Informed != 1 {
			t.Fatalf("letter: %+v %v", res, err)
		}
		// The letter is kept with the breach, sealed, and opens for the
		// privacy officer with the candidate's name and address.
		letters, err := e.DB.BreachLetters(ctx, po, b.ID)
		if err != nil || len(letters) != 1 || letters[0].CandidateID != ids[0] || letters[0].Lang != "nl" {
			t.Fatalf("the letters kept: %+v %v", letters, err)
		}
		c0, _ := e.DB.Candidate(ctx, po, ids[0])
		_, content, err := e.DB.OpenBreachLetter(ctx, po, b.ID, letters[0].ID)
		if err != nil || !strings.Contains(string(content), c0.Name()) || !strings.Contains(string(content), "Er is een lijst verloren.") || !strings.Contains(string(content), c0.City) {
			t.Fatalf("the letter: %q %v", content, err)
		}
		if stored, err := e.DB.StoredBreachLetter(ctx, e.Tenant.ID, letters[0].ID); err != nil || len(stored) == 0 || bytes.Contains(stored, []byte(c0.LastName)) {
			t.Fatalf("the letter is stored in the clear (%v)", err)
		}
		if _, err := e.DB.NotifyBreachByEmail(ctx, po, b.ID, nil, "fr", ""); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("a bad notice: %v", err)
		}
		res, err = e.DB.NotifyBreachByEmail(ctx, po, b.ID, nil, "nl", "Op 28 november is een lijst met uw adres naar een verkeerde ontvanger gestuurd.")
		if err != nil || res.Informed != 2 || res.Skipped != 1 {
			t.Fatalf("e-mail: %+v %v", res, err)
		}
		if res, err := e.DB.NotifyBreachByEmail(ctx, po, b.ID, nil, "en", "Again."); err != nil || res.Informed != 0 {
			t.Fatalf("told twice: %+v %v", res, err)
		}
		if err := e.DB.UnlinkBreachCandidate(ctx, po, b.ID, ids[1]); kluis.ErrorCode(err) != kluis.EConflict {
			t.Fatalf("a told candidate unlinked: %v", err)
		}
		links, total, err := e.DB.BreachCandidates(ctx, po, b.ID, kluis.Page{Limit: -1})
		if err != nil || total != 4 {
			t.Fatalf("links: %d %v", total, err)
		}
		via := map[kluis.ID]string{}
		for _, l := range links {
			via[l.CandidateID] = l.InformedVia
		}
		if via[ids[0]] != "letter" || via[ids[1]] != "email" || via[ids[2]] != "email" || via[noMail.ID] != "" {
			t.Fatalf("informed: %v", via)
		}
		ms, _, err := e.DB.OutboxMessages(ctx, po, ids[1], kluis.Page{})
		if err != nil || len(ms) != 1 || ms[0].Kind != "breach-notice" || !strings.Contains(ms[0].Text, "Beste Sanne Tweede") ||
			!strings.Contains(ms[0].Text, "verkeerde ontvanger") || !strings.Contains(ms[0].Text, "Autoriteit Persoonsgegevens") {
			t.Fatalf("the e-mail: %+v %v", ms, err)
		}
		for _, c := range ids[:3] {
			hs, _, err := e.DB.ListContactMoments(ctx, po, store.ContactMomentFilter{CandidateID: c, Kind: "breach-notice"})
			if err != nil || len(hs) != 1 || !strings.Contains(hs[0].Note, "Datalek") {
				t.Fatalf("the history of %d: %+v %v", c, hs, err)
			}
		}
		got, _ = e.DB.Breach(ctx, po, b.ID)
		if got.InformDecision != "inform" || !strings.Contains(got.NoticeText, "verkeerde ontvanger") {
			t.Fatalf("the notice on the breach: %+v", got)
		}
	})
}

// TestAnErasedCandidateStaysLinkedWithoutATrace: the link outlives the
// candidate's erasure by pseudonymous id; their name, written in the
// facts against the advice, is redacted; the residue scan finds nothing.
func TestAnErasedCandidateStaysLinkedWithoutATrace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c := &kluis.Candidate{BranchID: e.Branch.ID, FirstName: "Wilhelmina", LastName: "Zwanenburg", City: "Utrecht",
			Email: "w.zwanenburg@voorbeeld.nl", Phone: "06-98765432", Source: "walk-in"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, c); err != nil {
			t.Fatal(err)
		}
		b := &kluis.Breach{Title: "Cv van Zwanenburg gemaild", DiscoveredAt: e.Clock.Now().Add(-time.Hour),
			Facts: "Het cv van Wilhelmina Zwanenburg (w.zwanenburg@voorbeeld.nl) ging naar de verkeerde klant.", Categories: []string{"documents"}}
		if err := e.DB.ReportBreach(ctx, e.Actor, b); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.LinkBreachCandidates(ctx, po, b.ID, []kluis.ID{c.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.RecordBreachLetters(ctx, po, b.ID, nil, "", "nl", "Er is een lijst verloren.", plainLetter); err != nil {
			t.Fatal(err)
		}
		full, err := e.DB.Candidate(ctx, po, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids := store.IdentifiersOf(full, nil)
		if _, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{Reason: "request", Verify: true}); err != nil {
			t.Fatal(err)
		}
		hits, err := e.DB.ScanResidue(ctx, ids, store.ResidueOptions{Tenant: e.Tenant.ID})
		if err != nil || len(hits) != 0 {
			t.Fatalf("residue after the erasure: %+v %v", hits, err)
		}
		got, err := e.DB.Breach(ctx, po, b.ID)
		if err != nil || strings.Contains(got.Facts, "Zwanenburg") || !strings.Contains(got.Facts, "[gewist]") || got.Title != "Cv van [gewist] gemaild" {
			t.Fatalf("the breach after the erasure: %+v %v", got, err)
		}
		links, _, err := e.DB.BreachCandidates(ctx, po, b.ID, kluis.Page{})
		if err != nil || len(links) != 1 || links[0].CandidateID != c.ID || links[0].InformedVia != "letter" {
			t.Fatalf("the link after the erasure: %+v %v", links, err)
		}
		// The letter's content is gone; its row stays as the proof.
		letters, err := e.DB.BreachLetters(ctx, po, b.ID)
		if err != nil || len(letters) != 1 || letters[0].ErasedAt == nil || letters[0].SHA256 == "" {
			t.Fatalf("the letter after the erasure: %+v %v", letters, err)
		}
		if _, _, err := e.DB.OpenBreachLetter(ctx, po, b.ID, letters[0].ID); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Fatalf("the erased letter opens: %v", err)
		}
		// Telling again skips the erased candidate.
		if res, err := e.DB.RecordBreachLetters(ctx, po, b.ID, nil, "", "nl", "Er is een lijst verloren.", plainLetter); err != nil || res.Informed != 0 {
			t.Fatalf("%+v %v", res, err)
		}
	})
}

// TestTheRegisterKeepsABreachFiveYearsAfterItIsClosed (catalogue rule
// "breach"): an open breach stays however old.
func TestTheRegisterKeepsABreachFiveYearsAfterItIsClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		closed := mustReportBreach(t, e, e.Actor, "Oud lek", time.Hour)
		open := mustReportBreach(t, e, e.Actor, "Nooit besloten", time.Hour)
		c := e.MustCreateCandidate(t, "Oud")
		if _, err := e.DB.LinkBreachCandidates(ctx, po, closed.ID, []kluis.ID{c.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.DecideBreach(ctx, po, closed.ID, 0, "no-report", nil, "", "Versleuteld."); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.CloseBreach(ctx, po, closed.ID, 0); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(5 * 365 * 24 * time.Hour) // a day short of five years (2028 is a leap year)
		if n, err := e.DB.DeleteExpiredBreaches(ctx, e.Tenant.ID); err != nil || n != 0 {
			t.Fatalf("deleted %d before its time: %v", n, err)
		}
		e.Clock.Advance(48 * time.Hour)
		if n, err := e.DB.DeleteExpiredBreaches(ctx, 0); err != nil || n != 1 {
			t.Fatalf("deleted %d: %v", n, err)
		}
		if _, err := e.DB.Breach(ctx, po, closed.ID); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Fatalf("still there: %v", err)
		}
		if _, err := e.DB.Breach(ctx, po, open.ID); err != nil {
			t.Fatalf("an open breach went: %v", err)
		}
		var links int
		if err := storetest.Raw(t, e).QueryRow("SELECT count(*) FROM breach_candidates").Scan(&links); err != nil || links != 0 {
			t.Fatalf("%d links left: %v", links, err)
		}
	})
}

// plainLetter is a breach letter as plain text: the store keeps whatever
// the web layer lays out.
func plainLetter(b *kluis.Breach, c *kluis.Candidate, day kluis.Date) ([]byte, error) {
	return []byte("Brief over datalek " + strconv.FormatInt(b.ID, 10) + " aan " + c.Name() + ", " + c.Street + " " + c.City + ", " + string(day) + ": " + b.NoticeText), nil
}
