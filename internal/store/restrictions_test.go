package store_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// The tests of art. 18 (restriction), art. 16 (rectification) and art. 19
// (notices to recipients).

func manager(e *storetest.Env) kluis.Actor {
	return kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RoleManager, Branch: e.Branch.ID}
}

func mustRestrict(t *testing.T, e *storetest.Env, cand kluis.ID, ground string) *kluis.Restriction {
	t.Helper()
	x := &kluis.Restriction{CandidateID: cand, Ground: ground, Note: "De kandidaat betwist het adres"}
	if err := e.DB.Restrict(ctx, privacyOfficer(e), x); err != nil {
		t.Fatal(err)
	}
	return x
}

// mustBeRestricted fails unless err is the art. 18 refusal.
func mustBeRestricted(t *testing.T, what string, err error) {
	t.Helper()
	if code(err) != kluis.EConflict || err == nil || !strings.Contains(err.Error(), "art. 18") {
		t.Errorf("%s of a restricted candidate: %v", what, err)
	}
}

// TestARestrictedCandidateIsOnlyStored: while a restriction lasts, no path
// of the store uses, changes or deletes the candidate's data, yet the
// candidate stays visible to who saw them, and their rights go on.
func TestARestrictedCandidateIsOnlyStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po, pay, rec := privacyOfficer(e), payrollClerk(e), e.Actor
		c, docs := richCandidate(t, e, "Beperkt", true)
		client := e.MustCreateClient(t, "Kwekerij Noord")
		other := e.MustCreateCandidate(t, "Vrij")
		// Held before the restriction: a nationality the agency will stop
		// collecting, and an ID copy of someone not employed (R2).
		reg := e.MustCreateCandidate(t, "Nietwerkend")
		for _, id := range []kluis.ID{c.ID, reg.ID} {
			cur, _ := e.DB.Candidate(ctx, pay, id)
			cur.Nationality = "NL"
			if id == reg.ID {
				cur.IDDocumentType, cur.IDDocumentNumber, cur.IDDocumentExpiry = "id-card", "IR5527HK1", "2031-03-01"
			}
			if err := e.DB.UpdateCandidate(ctx, pay, cur, cur.Version); err != nil {
				t.Fatal(err)
			}
		}
		idCopy := &kluis.Document{CandidateID: reg.ID, Kind: "id-copy", FileName: "id.pdf"}
		if err := e.DB.CreateDocument(ctx, rec, idCopy, bytes.NewReader(idPDF)); err != nil {
			t.Fatal(err)
		}
		m := &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", At: storetest.Start.Add(-2 * time.Hour), Note: "Gebeld"}
		if err := e.DB.CreateContactMoment(ctx, rec, m); err != nil {
			t.Fatal(err)
		}
		pls, _, _ := e.DB.ListPlacements(ctx, rec, store.PlacementFilter{CandidateID: c.ID})
		prs, _, _ := e.DB.ListPayrollRecords(ctx, pay, store.PayrollFilter{CandidateID: c.ID})
		if len(pls) != 1 || len(prs) != 1 {
			t.Fatalf("setup: %d placements, %d payroll records", len(pls), len(prs))
		}
		mustPublish(t, e, "# Privacy", "# Privacy")

		x := mustRestrict(t, e, c.ID, "accuracy")
		mustRestrict(t, e, reg.ID, "unlawful")
		if x.StartedOn != "2026-11-29" || !x.Active() || x.Version != 1 {
			t.Fatalf("the restriction: %+v", x)
		}

		// Still visible to who saw them, with every record.
		for _, a := range []kluis.Actor{rec, pay, po, manager(e)} {
			if _, err := e.DB.Candidate(ctx, a, c.ID); err != nil {
				t.Errorf("%s no longer sees the candidate: %v", a.Role, err)
			}
		}
		// No change, through any write of the store.
		cur, _ := e.DB.Candidate(ctx, pay, c.ID)
		cur.City = "Zeist"
		mustBeRestricted(t, "an edit", e.DB.UpdateCandidate(ctx, rec, cur, cur.Version))
		mustBeRestricted(t, "a payroll edit of the candidate", e.DB.UpdateCandidate(ctx, pay, cur, cur.Version))
		mustBeRestricted(t, "a contact moment", e.DB.CreateContactMoment(ctx, rec, &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", At: storetest.Start, Note: "x"}))
		m.Note = "Anders"
		mustBeRestricted(t, "a contact moment's edit", e.DB.UpdateContactMoment(ctx, rec, m, m.Version))
		mustBeRestricted(t, "a contact moment's deletion", e.DB.DeleteContactMoment(ctx, rec, m.ID, m.Version))
		mustBeRestricted(t, "an upload", e.DB.CreateDocument(ctx, rec, &kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: "cv2.pdf"}, bytes.NewReader(idPDF)))
		mustBeRestricted(t, "a document's deletion", e.DB.DeleteDocument(ctx, rec, docs[0].ID))
		mustBeRestricted(t, "a new placement", e.DB.CreatePlacement(ctx, rec, &kluis.Placement{CandidateID: c.ID, ClientID: client.ID, Function: "Snijder", StartDate: "2026-12-01", HourlyWageCents: 1500}))
		pl := pls[0]
		pl.Function = "Teamleider"
		mustBeRestricted(t, "a placement's edit", e.DB.UpdatePlacement(ctx, rec, &pl, pl.Version))
		mustBeRestricted(t, "a placement's deletion", e.DB.DeletePlacement(ctx, rec, pl.ID, pl.Version))
		pr := prs[0]
		pr.GrossCents++
		mustBeRestricted(t, "a payroll record's edit", e.DB.UpdatePayrollRecord(ctx, pay, &pr, pr.Version))
		mustBeRestricted(t, "a payroll record", e.DB.CreatePayrollRecord(ctx, pay, &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: pl.ID, Year: 2026, Period: 7, GrossCents: 1, NetCents: 1}))
		mustBeRestricted(t, "a payroll record's deletion", e.DB.DeletePayrollRecord(ctx, pay, pr.ID, pr.Version))
		mustBeRestricted(t, "a consent", e.DB.CreateConsent(ctx, po, &kluis.Consent{CandidateID: c.ID, Channel: "email", Wording: "Ja", GivenOn: "2026-11-29", ValidUntil: "2027-11-29"}))
		// No disclosure: no CV to a client.
		mustBeRestricted(t, "a disclosure", e.DB.CreateDisclosure(ctx, rec, &kluis.Disclosure{CandidateID: c.ID, RecipientKind: "client", ClientID: client.ID, Categories: []string{"documents"}, Purpose: "mediation"}))
		_, err := e.DB.DiscloseDocument(ctx, rec, docs[0].ID, client.ID, "mediation")
		mustBeRestricted(t, "a CV to a client", err)
		// The bulk loader adds no history to them.
		err = e.DB.BulkLoad(ctx, rec, func(b *store.Bulk) error {
			return b.AddContactMoment(&kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", At: storetest.Start, Note: "Bulk"})
		})
		mustBeRestricted(t, "a bulk-loaded contact moment", err)
		// No mail.
		mustBeRestricted(t, "an e-mail", e.DB.EnqueueMail(ctx, po, &store.OutboxMessage{CandidateID: c.ID, Kind: "vacancy", To: c.Email, Subject: "Werk", Text: "Werk"}))
		_, err = e.DB.SendPrivacyStatement(ctx, po, c.ID, "nl")
		mustBeRestricted(t, "the privacy statement", err)
		_, err = e.DB.RecordStatementShown(ctx, rec, c.ID, "desk")
		mustBeRestricted(t, "the statement shown", err)
		_, notInformed, _, err := e.DB.NotInformedCandidates(ctx, po, kluis.Page{})
		if err != nil || notInformed != 1 { // only Vrij
			t.Errorf("not informed: %d, %v", notInformed, err)
		}
		job, err := e.DB.StartStatementSend(ctx, po)
		if err != nil || job.Total != 1 {
			t.Errorf("the statement's sending: %+v, %v", job, err)
		}
		// No deletion.
		mustBeRestricted(t, "a deletion", e.DB.DeleteCandidate(ctx, po, c.ID, 0))
		_, err = e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{Reason: "request"})
		if code(err) != kluis.EConflict {
			t.Errorf("an erasure on request: %v", err)
		}
		// Not used for matching: left out of the list and searches unless
		// the privacy officer asks.
		list := func(a kluis.Actor, f store.CandidateFilter) []kluis.ID {
			t.Helper()
			cs, n, err := e.DB.ListCandidates(ctx, a, f)
			if err != nil || n != len(cs) {
				t.Fatalf("list %+v: %d, %v", f, n, err)
			}
			var ids []kluis.ID
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			return ids
		}
		if got := list(rec, store.CandidateFilter{}); len(got) != 1 || got[0] != other.ID {
			t.Errorf("the default list: %v", got)
		}
		if got := list(rec, store.CandidateFilter{Query: "Beperkt"}); len(got) != 0 {
			t.Errorf("a search found the restricted candidate: %v", got)
		}
		if got := list(po, store.CandidateFilter{Restricted: "only"}); len(got) != 2 {
			t.Errorf("the privacy officer's filter: %v", got)
		}
		if got := list(po, store.CandidateFilter{Restricted: "include"}); len(got) != 3 {
			t.Errorf("everyone: %v", got)
		}
		if _, _, err := e.DB.ListCandidates(ctx, rec, store.CandidateFilter{Restricted: "only"}); code(err) != kluis.EInvalid {
			t.Errorf("a recruiter's filter on restricted candidates: %v", err)
		}
		// The rights go on: a request, a legal hold.
		mustRequest(t, e, po, c.ID, "access", "Inzage")
		if err := e.DB.CreateLegalHold(ctx, po, &kluis.LegalHold{CandidateID: c.ID, Kind: "dispute", Reason: "Zaak 12", StartDate: "2026-11-29"}); err != nil {
			t.Errorf("a legal hold: %v", err)
		}

		// The clean-up, R2 and minimisation pass them by, long after every
		// term ended; consent renewal asks nobody restricted.
		off := &kluis.Settings{NotCollected: map[string]kluis.Date{"nationality": ""}}
		if err := e.DB.SaveSettings(ctx, po, off, 0); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(29 * 24 * time.Hour)
		got, err := e.DB.PurgeExpiredIDCopies(ctx, e.Tenant.ID)
		if err != nil || got.Documents+got.Candidates != 0 {
			t.Errorf("R2 removed from a restricted candidate: %+v %v", got, err)
		}
		if n, err := e.DB.PurgeNotCollected(ctx, e.Tenant.ID); err != nil || n["nationality"] != 0 {
			t.Errorf("minimisation removed from a restricted candidate: %v %v", n, err)
		}
		if got, _ := e.DB.Candidate(ctx, po, reg.ID); got.IDDocumentNumber == "" || got.Nationality != "NL" {
			t.Errorf("after the purges: %+v", got)
		}
		if got, err := e.DB.SendConsentRequests(ctx, e.Tenant.ID, "https://kluis.example.nl"); err != nil || got.Sent != 0 {
			// (R1 of Vrij ends in 2028; nobody is due yet either way.)
			t.Errorf("consent renewal: %+v %v", got, err)
		}
		advanceTo(e, "2040-01-01")
		if got, err := e.DB.SendConsentRequests(ctx, e.Tenant.ID, "https://kluis.example.nl"); err != nil {
			t.Error(err)
		} else {
			for _, id := range []kluis.ID{c.ID, reg.ID} {
				if ms, _, _ := e.DB.OutboxMessages(ctx, po, id, kluis.Page{}); len(ms) != 0 {
					t.Errorf("consent renewal mailed a restricted candidate (%+v): %+v", got, ms)
				}
			}
		}
		recs, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID, reg.ID, other.ID}, store.EraseOptions{})
		if err != nil || len(recs) != 1 || recs[0].CandidateID != other.ID {
			t.Errorf("the clean-up: %+v %v", recs, err)
		}
		f, err := e.DB.RetentionFacts(ctx, po, c.ID)
		if err != nil || len(f.Holds) != 2 {
			t.Errorf("the restriction is no hold of the plan: %+v %v", f.Holds, err)
		}
		for _, id := range []kluis.ID{c.ID, reg.ID} {
			if left := rowsOf(t, e, id); left["candidates"] != 1 {
				t.Errorf("candidate %d: %v", id, left)
			}
		}
		if _, err := e.DB.Document(ctx, po, idCopy.ID); err != nil {
			t.Errorf("the ID copy: %v", err)
		}
	})
}

// TestProcessingAnywayIsRecordedWithTheWrite: an override goes with one
// write, from a role that may judge it, with a reason from the closed list
// and a note, and is recorded in that write's transaction.
func TestProcessingAnywayIsRecordedWithTheWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po, mgr := privacyOfficer(e), manager(e)
		c := e.MustCreateCandidate(t, "Toch")
		x := mustRestrict(t, e, c.ID, "legal-claim")
		cur, _ := e.DB.Candidate(ctx, po, c.ID)
		cur.City = "Zeist"
		over := store.WithOverride(ctx, kluis.Override{Reason: "legal-claim", Note: "Dossier voor de rechter bijgewerkt"})
		if err := e.DB.UpdateCandidate(over, e.Actor, cur, cur.Version); code(err) != kluis.EForbidden {
			t.Errorf("a recruiter processed anyway: %v", err)
		}
		bad := store.WithOverride(ctx, kluis.Override{Reason: "convenience", Note: ""})
		if f := fields(e.DB.UpdateCandidate(bad, mgr, cur, cur.Version)); f["override_reason"].EN == "" || f["override_note"].EN == "" {
			t.Errorf("a bad override: %v", f)
		}
		if err := e.DB.UpdateCandidate(over, mgr, cur, cur.Version); err != nil {
			t.Fatalf("processing anyway: %v", err)
		}
		// The override went with that write only.
		cur.City = "Houten"
		mustBeRestricted(t, "the next edit", e.DB.UpdateCandidate(ctx, mgr, cur, cur.Version))
		m := &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", At: storetest.Start, Note: "Advocaat gebeld"}
		if err := e.DB.CreateContactMoment(store.WithOverride(ctx, kluis.Override{Reason: "consent", Note: "Kandidaat vroeg het"}), po, m); err != nil {
			t.Fatal(err)
		}
		os, err := e.DB.ProcessingOverrides(ctx, po, x.ID)
		if err != nil || len(os) != 2 || os[0].Entity != "contact_moments" || os[1].Entity != "candidates" || os[1].Reason != "legal-claim" ||
			os[1].Note != "Dossier voor de rechter bijgewerkt" || os[1].At.IsZero() {
			t.Fatalf("the overrides: %+v %v", os, err)
		}
		es, _, _ := e.DB.AuditLog(ctx, po, store.AuditFilter{CandidateID: c.ID, Action: "override"})
		if len(es) != 2 || es[0].Entity != "restrictions" || es[0].EntityID != x.ID {
			t.Errorf("the audit entries: %+v", es)
		}
		// Without a restriction an override records nothing.
		free := e.MustCreateCandidate(t, "Vrij")
		free.City = "Zeist"
		if err := e.DB.UpdateCandidate(over, mgr, free, free.Version); err != nil {
			t.Fatal(err)
		}
		if es, _, _ := e.DB.AuditLog(ctx, po, store.AuditFilter{CandidateID: free.ID, Action: "override"}); len(es) != 0 {
			t.Errorf("an override of an unrestricted candidate: %+v", es)
		}
	})
}

// TestARestrictionIsLiftedOnlyAfterTheCandidateWasInformed: by letter or
// phone, recorded; or by an e-mail kluis sends, once it has left the
// outbox.
func TestARestrictionIsLiftedOnlyAfterTheCandidateWasInformed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c := e.MustCreateCandidate(t, "Opheffen")
		x := mustRestrict(t, e, c.ID, "accuracy")
		if _, err := e.DB.LiftRestriction(ctx, po, x.ID, 1); fields(err)["informed_how"].EN == "" {
			t.Fatalf("lifted without informing: %v", err)
		}
		if _, err := e.DB.InformRestriction(ctx, po, x.ID, 1, "letter", "2026-12-01"); fields(err)["informed_on"].EN == "" {
			t.Fatalf("informed in the future: %v", err)
		}
		y, err := e.DB.SendRestrictionNotice(ctx, po, x.ID, 1, "en")
		if err != nil || y.InformedHow != "email" || y.NoticeID == 0 || y.Version != 2 {
			t.Fatalf("the notice: %+v %v", y, err)
		}
		ms, _, _ := e.DB.OutboxMessages(ctx, po, c.ID, kluis.Page{})
		if len(ms) != 1 || ms[0].Kind != "restriction-lift-notice" || ms[0].To != c.Email || !strings.Contains(ms[0].Text, "lift this restriction") ||
			!strings.Contains(ms[0].Text, "(a) Accuracy contested") {
			t.Fatalf("the message: %+v", ms)
		}
		if _, err := e.DB.LiftRestriction(ctx, po, x.ID, 2); fields(err)["informed_how"].EN == "" {
			t.Fatalf("lifted before the notice was sent: %v", err)
		}
		if err := e.DB.MailSent(ctx, e.Tenant.ID, y.NoticeID, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.LiftRestriction(ctx, po, x.ID, 1); code(err) != kluis.EConflict {
			t.Fatalf("a stale lift: %v", err)
		}
		z, err := e.DB.LiftRestriction(ctx, po, x.ID, 2)
		if err != nil || z.LiftedOn != "2026-11-29" || z.Active() {
			t.Fatalf("lift: %+v %v", z, err)
		}
		if _, err := e.DB.LiftRestriction(ctx, po, x.ID, 0); code(err) != kluis.EConflict {
			t.Fatalf("lifted twice: %v", err)
		}
		// Processing goes on as before.
		cur, _ := e.DB.Candidate(ctx, e.Actor, c.ID)
		cur.City = "Zeist"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, cur, cur.Version); err != nil {
			t.Fatal(err)
		}
		// Another, informed by phone.
		w := mustRestrict(t, e, c.ID, "unlawful")
		if _, err := e.DB.InformRestriction(ctx, po, w.ID, 1, "phone", ""); err != nil {
			t.Fatal(err)
		}
		if w, err = e.DB.LiftRestriction(ctx, po, w.ID, 2); err != nil || w.InformedHow != "phone" {
			t.Fatalf("%+v %v", w, err)
		}
		all, n, err := e.DB.Restrictions(ctx, po, store.RestrictionFilter{CandidateID: c.ID})
		if err != nil || n != 2 || len(all) != 2 {
			t.Fatalf("the list: %d %v", n, err)
		}
		if act, _ := e.DB.ActiveRestrictions(ctx, e.Actor, c.ID); len(act) != 0 {
			t.Fatalf("still active: %+v", act)
		}
	})
}

// TestAnObjectionRestrictsWhileItIsAssessed: an objection places ground
// (d); its outcome is recorded; upheld, the candidate is erased once the
// restriction is lifted after informing them.
func TestAnObjectionRestrictsWhileItIsAssessed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c, _ := richCandidate(t, e, "Bezwaar", false)
		q := mustRequest(t, e, po, c.ID, "objection", "Bezwaar tegen matching")
		if _, err := e.DB.RestrictForRequest(ctx, po, q.ID, 1, &kluis.Restriction{Note: "Bezwaar"}); fields(err)["verified_how"].EN == "" {
			t.Fatalf("restricted before the identity check: %v", err)
		}
		if _, err := e.DB.VerifyRequest(ctx, po, q.ID, 1, "known-email", ""); err != nil {
			t.Fatal(err)
		}
		q, err := e.DB.RestrictForRequest(ctx, po, q.ID, 2, &kluis.Restriction{Ground: "accuracy", Note: "Bezwaar wordt beoordeeld"})
		if err != nil || q.Status != "in-progress" {
			t.Fatalf("restrict: %+v %v", q, err)
		}
		x, err := e.DB.RequestRestriction(ctx, po, q.ID)
		if err != nil || x == nil || x.Ground != "objection" || x.RequestID != q.ID {
			t.Fatalf("the restriction: %+v %v", x, err)
		}
		if _, err := e.DB.RestrictForRequest(ctx, po, q.ID, 0, &kluis.Restriction{}); code(err) != kluis.EConflict {
			t.Fatalf("restricted twice: %v", err)
		}
		if _, err := e.DB.CloseRequest(ctx, po, q.ID, 0, "done", "Klaar"); fields(err)["status"].EN == "" {
			t.Fatalf("done without an outcome: %v", err)
		}
		if _, _, err := e.DB.EraseForRequest(ctx, po, q.ID, 0); fields(err)["outcome"].EN == "" {
			t.Fatalf("erased before the objection was upheld: %v", err)
		}
		if x, err = e.DB.DecideObjection(ctx, po, x.ID, x.Version, "upheld"); err != nil || x.Outcome != "upheld" || x.DecidedOn == "" {
			t.Fatalf("decide: %+v %v", x, err)
		}
		if _, _, err := e.DB.EraseForRequest(ctx, po, q.ID, 0); code(err) != kluis.EConflict || !strings.Contains(err.Error(), "art. 18") {
			t.Fatalf("erased while restricted: %v", err)
		}
		if x, err = e.DB.InformRestriction(ctx, po, x.ID, 0, "letter", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.LiftRestriction(ctx, po, x.ID, 0); err != nil {
			t.Fatal(err)
		}
		known := store.IdentifiersOf(c, nil)
		q, rec, err := e.DB.EraseForRequest(ctx, po, q.ID, 0)
		if err != nil || rec == nil || !rec.Complete || q.Status != "done" {
			t.Fatalf("the erasure after the objection: %+v %+v %v", q, rec, err)
		}
		// The restriction stays as the proof, without its note.
		kept, err := e.DB.Restriction(ctx, po, x.ID)
		if err != nil || kept.Note != "" || kept.Outcome != "upheld" || kept.LiftedOn == "" {
			t.Fatalf("the kept restriction: %+v %v", kept, err)
		}
		hits, err := e.DB.ScanResidue(ctx, known, store.ResidueOptions{RawFiles: e.DB.Dialect == store.SQLite})
		if err != nil || len(hits) != 0 {
			t.Fatalf("residue: %+v %v", hits, err)
		}
	})
}

// TestARectificationCorrectsTheDataAndTellsTheRecipients: the correction
// goes through the candidate's validated, versioned update; the request
// records the field names; a supplementary statement is kept with the
// candidate; every recipient is told, of what they received only.
func TestARectificationCorrectsTheDataAndTellsTheRecipients(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c, docs := richCandidate(t, e, "Fout", true)
		client := e.MustCreateClient(t, "Tuinderij West")
		client.Email = "hr@tuinderij-west.nl"
		if err := e.DB.UpdateClient(ctx, e.Actor, client, client.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.DiscloseDocument(ctx, e.Actor, docs[0].ID, client.ID, "mediation"); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.CreateDisclosure(ctx, e.Actor, &kluis.Disclosure{CandidateID: c.ID, RecipientKind: "uwv", Recipient: "UWV", Categories: []string{"identity"}, Purpose: "Uitkering"}); err != nil {
			t.Fatal(err)
		}
		q := mustRequest(t, e, po, c.ID, "rectification", "Achternaam is verkeerd gespeld")
		if _, err := e.DB.VerifyRequest(ctx, po, q.ID, 1, "id-document-shown", ""); err != nil {
			t.Fatal(err)
		}
		// Ground (a) while the accuracy is checked: the correction is the
		// candidate's own wish and goes through, recorded as consent.
		x := mustRestrict(t, e, c.ID, "accuracy")
		cur, _ := e.DB.Candidate(ctx, po, c.ID)
		base := cur.Version
		cur.LastName, cur.IBAN = "Foudt", "NL20INGB0001234567"
		bad := *cur
		bad.Email = "geen-adres"
		if _, _, err := e.DB.RectifyForRequest(ctx, po, q.ID, 2, store.Rectify{Candidate: &bad, Version: base}); fields(err)["email"].EN == "" {
			t.Fatalf("an invalid correction: %v", err)
		}
		if _, _, err := e.DB.RectifyForRequest(ctx, po, q.ID, 2, store.Rectify{Candidate: cur, Version: base - 1}); code(err) != kluis.EConflict {
			t.Fatalf("a stale correction: %v", err)
		}
		q, r, err := e.DB.RectifyForRequest(ctx, po, q.ID, 2, store.Rectify{Candidate: cur, Version: base, Statement: "Mijn naam is Foudt, met dt."})
		if err != nil || strings.Join(r.Fields, ",") != "last_name,iban" || r.StatementID == 0 || q.Status != "in-progress" {
			t.Fatalf("rectify: %+v %+v %v", q, r, err)
		}
		if got, _ := e.DB.Candidate(ctx, po, c.ID); got.LastName != "Foudt" || got.Version != base+1 {
			t.Fatalf("the corrected candidate: %+v", got)
		}
		ss, err := e.DB.SupplementaryStatements(ctx, e.Actor, c.ID)
		if err != nil || len(ss) != 1 || ss[0].Body != "Mijn naam is Foudt, met dt." {
			t.Fatalf("the statement: %+v %v", ss, err)
		}
		es, _, _ := e.DB.AuditLog(ctx, po, store.AuditFilter{CandidateID: c.ID, Action: "rectify"})
		if len(es) != 1 || strings.Join(es[0].Fields, ",") != "last_name,iban" {
			t.Fatalf("the audit names the fields: %+v", es)
		}
		if os, _ := e.DB.ProcessingOverrides(ctx, po, x.ID); len(os) != 1 || os[0].Reason != "consent" {
			t.Fatalf("the rectification as processing anyway: %+v", os)
		}
		// The recipients, from the disclosure register.
		rs, err := e.DB.Recipients(ctx, po, c.ID, q.ID)
		if err != nil || len(rs) != 2 || rs[0].Name != "Tuinderij West" || rs[0].Email != client.Email || rs[1].Name != "UWV" {
			t.Fatalf("recipients: %+v %v", rs, err)
		}
		if _, err := e.DB.NotifyRecipients(ctx, po, q.ID, store.NoticeOrder{Channel: "email", Lang: "nl"}); fields(err)["recipients"].EN == "" {
			t.Fatalf("an e-mail to a recipient without an address: %v", err)
		}
		ns, err := e.DB.NotifyRecipients(ctx, po, q.ID, store.NoticeOrder{Recipients: []string{rs[0].Key}, Channel: "email", Lang: "nl"})
		if err != nil || len(ns) != 1 || ns[0].OutboxID == 0 || ns[0].About != "rectification" {
			t.Fatalf("notify by e-mail: %+v %v", ns, err)
		}
		if _, err := e.DB.NotifyRecipients(ctx, po, q.ID, store.NoticeOrder{Channel: "letter", SentOn: "2026-11-29"}); err != nil {
			t.Fatal(err)
		}
		ms, _, _ := e.DB.OutboxMessages(ctx, po, c.ID, kluis.Page{})
		if len(ms) != 1 || ms[0].To != client.Email || ms[0].Kind != "recipient-notice" || !strings.Contains(ms[0].Text, "Achternaam: Foudt") ||
			strings.Contains(ms[0].Text, "NL20INGB0001234567") {
			t.Fatalf("the notice tells the new name and nothing the client never had: %+v", ms)
		}
		// The candidate is told which organisations were.
		n, err := e.DB.TellCandidate(ctx, po, q.ID, "email", "", "en")
		if err != nil || !n.ToCandidate {
			t.Fatalf("tell: %+v %v", n, err)
		}
		ms, _, _ = e.DB.OutboxMessages(ctx, po, c.ID, kluis.Page{})
		if len(ms) != 2 || ms[0].To != "foudt@example.nl" && ms[0].To != c.Email || !strings.Contains(ms[0].Text, "Tuinderij West") || !strings.Contains(ms[0].Text, "UWV") {
			t.Fatalf("the candidate's notice: %+v", ms[0])
		}
		all, err := e.DB.RequestNotices(ctx, po, q.ID)
		if err != nil || len(all) != 3 || all[1].State != "sent" || all[0].State != "pending" {
			t.Fatalf("the notices: %+v %v", all, err)
		}
		if done, err := e.DB.CloseRequest(ctx, po, q.ID, 0, "done", "Naam gecorrigeerd"); err != nil || done.Status != "done" {
			t.Fatalf("close: %+v %v", done, err)
		}
	})
}

// TestAnErasureWaitsForItsNoticesAndLeavesNothingBehind: every recipient
// is told before the erasure, the erasure waits until the notices have
// left the outbox, and afterwards no table, blob or file holds anything of
// the candidate — the notices keep only the organisation.
func TestAnErasureWaitsForItsNoticesAndLeavesNothingBehind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c, docs := richCandidate(t, e, "Weg", false)
		client := e.MustCreateClient(t, "Bloemenveiling")
		client.Email = "privacy@bloemenveiling.nl"
		if err := e.DB.UpdateClient(ctx, e.Actor, client, client.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.DiscloseDocument(ctx, e.Actor, docs[0].ID, client.ID, "mediation"); err != nil {
			t.Fatal(err)
		}
		q := mustRequest(t, e, po, c.ID, "erasure", "Wil weg")
		if _, err := e.DB.VerifyRequest(ctx, po, q.ID, 1, "known-email", ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.DB.EraseForRequest(ctx, po, q.ID, 0); code(err) != kluis.EInvalid || !strings.Contains(fields(err)["recipients"].EN, "Bloemenveiling") {
			t.Fatalf("erased before the recipients were told: %v", err)
		}
		ns, err := e.DB.NotifyRecipients(ctx, po, q.ID, store.NoticeOrder{Channel: "email", Lang: "en"})
		if err != nil || len(ns) != 1 {
			t.Fatalf("notify: %+v %v", ns, err)
		}
		told, err := e.DB.TellCandidate(ctx, po, q.ID, "email", "", "nl")
		if err != nil {
			t.Fatal(err)
		}
		ms, _, _ := e.DB.OutboxMessages(ctx, po, c.ID, kluis.Page{})
		if len(ms) != 2 || !strings.Contains(ms[1].Text, "Sanne Weg (born 1990-05-17)") || !strings.Contains(ms[1].Text, "erase") {
			t.Fatalf("the notice names the candidate so the client can find them: %+v", ms)
		}
		if _, _, err := e.DB.EraseForRequest(ctx, po, q.ID, 0); fields(err)["recipients"].EN == "" {
			t.Fatalf("erased while its notices wait in the outbox: %v", err)
		}
		known := store.IdentifiersOf(c, docs)
		for _, id := range []kluis.ID{ns[0].OutboxID, told.OutboxID} {
			if err := e.DB.MailSent(ctx, e.Tenant.ID, id, e.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		q, rec, err := e.DB.EraseForRequest(ctx, po, q.ID, 0)
		if err != nil || rec == nil || !rec.Complete || q.ResidueHits == nil || *q.ResidueHits != 0 {
			t.Fatalf("erase: %+v %+v %v", q, rec, err)
		}
		hits, err := e.DB.ScanResidue(ctx, known, store.ResidueOptions{RawFiles: e.DB.Dialect == store.SQLite})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			t.Errorf("residue: %s (%s)", h.Place, h.Kind)
		}
		all, err := e.DB.RequestNotices(ctx, po, q.ID)
		if err != nil || len(all) != 2 || all[0].Recipient != "Bloemenveiling" || !all[1].ToCandidate {
			t.Fatalf("the notices after the erasure: %+v %v", all, err)
		}
		if _, err := e.DB.NotifyRecipients(ctx, po, q.ID, store.NoticeOrder{Channel: "letter"}); code(err) != kluis.EConflict {
			t.Fatalf("a notice after the erasure: %v", err)
		}
	})
}

// TestACandidateRestrictedSinceTheyWereAskedStillAnswers: the answer to a
// consent request is the candidate's own consent, recorded as processing
// anyway for that reason.
func TestACandidateRestrictedSinceTheyWereAskedStillAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c, _ := richCandidate(t, e, "Gevraagd", false)
		advanceTo(e, "2028-10-30")
		if got, err := e.DB.SendConsentRequests(ctx, e.Tenant.ID, "https://kluis.example.nl"); err != nil || got.Sent != 1 {
			t.Fatalf("asked: %+v %v", got, err)
		}
		ms, _, _ := e.DB.OutboxMessages(ctx, po, c.ID, kluis.Page{})
		x := mustRestrict(t, e, c.ID, "legal-claim")
		if _, err := e.DB.AnswerConsentRequest(ctx, linkToken(t, ms[0].Text), true); err != nil {
			t.Fatalf("the answer of a restricted candidate: %v", err)
		}
		os, err := e.DB.ProcessingOverrides(ctx, po, x.ID)
		if err != nil || len(os) != 1 || os[0].Reason != "consent" || os[0].UserID != 0 {
			t.Fatalf("the answer as processing anyway: %+v %v", os, err)
		}
	})
}
