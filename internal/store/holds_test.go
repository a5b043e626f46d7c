package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/retention"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// planOf is the candidate's retention plan as the AVG tab shows it, from
// the real store.
func planOf(t *testing.T, e *storetest.Env, cand kluis.ID) map[catalog.Category]retention.Item {
	t.Helper()
	f, err := e.DB.RetentionFacts(ctx, e.Actor, cand)
	if err != nil {
		t.Fatal(err)
	}
	out := map[catalog.Category]retention.Item{}
	for _, it := range retention.Plan(catalog.New(), f, retention.DefaultTerms, kluis.DateOf(e.Clock.Now())) {
		if prev, ok := out[it.Category]; !ok || prev.Expires != "" && (it.Expires == "" || it.Expires > prev.Expires) {
			out[it.Category] = it
		}
	}
	return out
}

// withIDData gives a candidate an identity document, so that R2 applies.
func withIDData(t *testing.T, e *storetest.Env, id kluis.ID) {
	t.Helper()
	c, _ := e.DB.Candidate(ctx, e.Actor, id)
	c.IDDocumentType, c.IDDocumentNumber, c.IDDocumentExpiry = "id-card", "IR5527HK1", "2031-03-01"
	if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
}

func auditedFields(t *testing.T, e *storetest.Env, cand kluis.ID, action, entity string) []string {
	t.Helper()
	es, _, err := e.DB.AuditLog(ctx, e.Actor, store.AuditFilter{CandidateID: cand, Action: action})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range es {
		if x.Entity == entity {
			return x.Fields
		}
	}
	return nil
}

// TestALegalHoldStopsEveryExpiryUntilItEnds: a candidate who never worked
// loses their data two years after registering (R1) and their ID data
// after four weeks (R2); a dispute stops both while it lasts. The hold
// cannot be deleted, only ended, and each step is audited.
func TestALegalHoldStopsEveryExpiryUntilItEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Bakker")
		withIDData(t, e, c.ID)

		bad := &kluis.LegalHold{CandidateID: c.ID, Kind: "feud", StartDate: "2027-01-01", EndDate: "2026-01-01"}
		err := e.DB.CreateLegalHold(ctx, e.Actor, bad)
		var ke *kluis.Error
		if !errors.As(err, &ke) || ke.Fields["kind"].NL == "" || ke.Fields["reason"].NL == "" || ke.Fields["start_date"].NL == "" {
			t.Fatalf("a bad hold: %v", err)
		}
		if _, n, _ := e.DB.ListLegalHolds(ctx, e.Actor, c.ID, kluis.Page{}); n != 0 {
			t.Fatalf("a refused hold was stored")
		}

		h := &kluis.LegalHold{CandidateID: c.ID, Kind: "dispute", Reason: "Zaak 2026/114"}
		if err := e.DB.CreateLegalHold(ctx, e.Actor, h); err != nil {
			t.Fatal(err)
		}
		if h.StartDate != "2026-11-29" || h.UserID != e.Actor.UserID || h.EndDate != "" {
			t.Fatalf("the hold as stored: %+v", h)
		}
		if got := auditedFields(t, e, c.ID, "create", "legal_holds"); !strings.Contains(strings.Join(got, ","), "kind") {
			t.Errorf("the hold's creation is audited with fields %v", got)
		}

		e.Clock.Advance(3 * 365 * 24 * time.Hour) // 2029-11-28: R1 and R2 have both run out
		plan := planOf(t, e, c.ID)
		for _, cat := range []catalog.Category{catalog.Contact, catalog.IDDocument} {
			if it := plan[cat]; !it.Held || it.Expires != "" {
				t.Errorf("%s under a hold: %+v", cat, it)
			}
		}

		ended, err := e.DB.EndLegalHold(ctx, e.Actor, h.ID, "")
		if err != nil || ended.EndDate != "2029-11-28" || ended.EndedBy != e.Actor.UserID {
			t.Fatalf("end: %+v %v", ended, err)
		}
		if got := strings.Join(auditedFields(t, e, c.ID, "update", "legal_holds"), ","); got != "end_date,ended_by" {
			t.Errorf("the end is audited with fields %q", got)
		}
		if _, err := e.DB.EndLegalHold(ctx, e.Actor, h.ID, ""); code(err) != kluis.EInvalid {
			t.Errorf("ending an ended hold: %v", err)
		}
		e.Clock.Advance(24 * time.Hour)
		plan = planOf(t, e, c.ID)
		if it := plan[catalog.Contact]; it.Held || it.Expires != "2028-11-29" || it.Rule != catalog.R1 {
			t.Errorf("contact details after the hold: %+v", it)
		}
		if it := plan[catalog.IDDocument]; it.Held || it.Expires != "2026-12-27" || it.Rule != catalog.R2 {
			t.Errorf("ID data after the hold: %+v", it)
		}
		hs, n, err := e.DB.ListLegalHolds(ctx, e.Actor, c.ID, kluis.Page{})
		if err != nil || n != 1 || hs[0].EndDate != "2029-11-28" {
			t.Fatalf("the ended hold is kept: %+v %v", hs, err)
		}
	})
}

// TestAConsentExtendsR1ButNotR2: a candidate who agrees to be kept longer
// keeps their registration data until the consent ends, but not their ID
// data; the consent is also a contact moment in their history, and a
// withdrawn consent extends nothing.
func TestAConsentExtendsR1ButNotR2(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Visser")
		e.Clock.Advance(365 * 24 * time.Hour) // 2027-11-29
		withIDData(t, e, c.ID)

		bad := &kluis.Consent{CandidateID: c.ID, Channel: "pigeon", Wording: "", GivenOn: "2027-01-04", ValidUntil: "2030-01-01"}
		err := e.DB.CreateConsent(ctx, e.Actor, bad)
		var ke *kluis.Error
		if !errors.As(err, &ke) || len(ke.Fields) != 3 || ke.Fields["channel"].NL == "" || ke.Fields["wording"].NL == "" ||
			!strings.Contains(ke.Fields["valid_until"].NL, "2029-11-29") {
			t.Fatalf("a bad consent: %v", err)
		}
		if _, n, _ := e.DB.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{CandidateID: c.ID}); n != 0 {
			t.Fatal("a refused consent left a contact moment")
		}

		k := &kluis.Consent{CandidateID: c.ID, Channel: "email", Wording: "Toestemmingstekst v2 (2027)", GivenOn: "2027-01-04", ValidUntil: "2029-11-29"}
		if err := e.DB.CreateConsent(ctx, e.Actor, k); err != nil {
			t.Fatal(err)
		}
		ms, _, err := e.DB.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{CandidateID: c.ID, Kind: "consent"})
		if err != nil || len(ms) != 1 || ms[0].ID != k.ContactMomentID || kluis.DateOf(ms[0].At) != "2027-01-04" ||
			!strings.Contains(ms[0].Note, "2029-11-29") || !strings.Contains(ms[0].Note, "Toestemmingstekst v2") {
			t.Fatalf("the consent's contact moment: %+v %v", ms, err)
		}
		if got := auditedFields(t, e, c.ID, "create", "consents"); !strings.Contains(strings.Join(got, ","), "valid_until") {
			t.Errorf("the consent's creation is audited with fields %v", got)
		}

		plan := planOf(t, e, c.ID)
		if it := plan[catalog.Contact]; it.Expires != "2029-11-29" || it.Rule != catalog.R1 || !strings.Contains(it.Why.EN, "consent") {
			t.Errorf("contact details with a consent: %+v", it)
		}
		if it := plan[catalog.IDDocument]; it.Expires != "2027-12-27" || it.Rule != catalog.R2 {
			t.Errorf("the consent extended the ID data: %+v", it)
		}

		w, err := e.DB.WithdrawConsent(ctx, e.Actor, k.ID, "")
		if err != nil || w.WithdrawnOn != "2027-11-29" || w.WithdrawnBy != e.Actor.UserID {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		if _, err := e.DB.WithdrawConsent(ctx, e.Actor, k.ID, ""); code(err) != kluis.EInvalid {
			t.Errorf("withdrawing twice: %v", err)
		}
		// Back to two years after the last activity: the consent's contact
		// moment.
		if it := planOf(t, e, c.ID)[catalog.Contact]; it.Expires != "2029-01-04" || strings.Contains(it.Why.EN, "consent") {
			t.Errorf("contact details after the withdrawal: %+v", it)
		}
		if f, _ := e.DB.RetentionFacts(ctx, e.Actor, c.ID); f.ConsentUntil != "" {
			t.Errorf("a withdrawn consent still counts: %+v", f)
		}
	})
}

// TestHoldsAndConsentsStayInTheirBranch: to a recruiter of another branch
// the candidate's holds and consents do not exist.
func TestHoldsAndConsentsStayInTheirBranch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		agency := kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RolePrivacy}
		rotterdam, err := e.DB.CreateBranch(ctx, kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RolePayroll}, "Rotterdam", "Rotterdam")
		if err != nil {
			t.Fatal(err)
		}
		c := e.MustCreateCandidate(t, "Utrechter")
		h := &kluis.LegalHold{CandidateID: c.ID, Kind: "tax-audit", Reason: "Boekenonderzoek 2026"}
		if err := e.DB.CreateLegalHold(ctx, agency, h); err != nil {
			t.Fatal(err)
		}
		k := &kluis.Consent{CandidateID: c.ID, Channel: "phone", Wording: "Mondeling, tekst v1", ValidUntil: "2027-06-01"}
		if err := e.DB.CreateConsent(ctx, agency, k); err != nil {
			t.Fatal(err)
		}
		other := kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RoleManager, Branch: rotterdam.ID}
		if _, _, err := e.DB.ListLegalHolds(ctx, other, c.ID, kluis.Page{}); code(err) != kluis.ENotFound {
			t.Errorf("list holds of another branch: %v", err)
		}
		if _, _, err := e.DB.ListConsents(ctx, other, c.ID, kluis.Page{}); code(err) != kluis.ENotFound {
			t.Errorf("list consents of another branch: %v", err)
		}
		if _, err := e.DB.LegalHold(ctx, other, h.ID); code(err) != kluis.ENotFound {
			t.Errorf("read a hold of another branch: %v", err)
		}
		if err := e.DB.CreateLegalHold(ctx, other, &kluis.LegalHold{CandidateID: c.ID, Kind: "dispute", Reason: "x"}); code(err) != kluis.ENotFound {
			t.Errorf("a hold on another branch's candidate: %v", err)
		}
		if err := e.DB.CreateConsent(ctx, other, &kluis.Consent{CandidateID: c.ID, Channel: "email", Wording: "v1", ValidUntil: "2027-06-01"}); code(err) != kluis.ENotFound {
			t.Errorf("a consent for another branch's candidate: %v", err)
		}
		if _, err := e.DB.EndLegalHold(ctx, other, h.ID, ""); code(err) != kluis.ENotFound {
			t.Errorf("ending a hold of another branch: %v", err)
		}
		if _, err := e.DB.WithdrawConsent(ctx, other, k.ID, ""); code(err) != kluis.ENotFound {
			t.Errorf("withdrawing a consent of another branch: %v", err)
		}
		if got, _ := e.DB.LegalHold(ctx, agency, h.ID); got.EndDate != "" {
			t.Error("another branch ended the hold")
		}
		mine := kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RoleManager, Branch: e.Branch.ID}
		if hs, n, err := e.DB.ListLegalHolds(ctx, mine, c.ID, kluis.Page{}); err != nil || n != 1 || hs[0].ID != h.ID {
			t.Errorf("the own branch's holds: %d %v", n, err)
		}
	})
}
