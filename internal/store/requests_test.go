package store_test

import (
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

func mustRequest(t *testing.T, e *storetest.Env, a kluis.Actor, cand kluis.ID, kind, desc string) *kluis.Request {
	t.Helper()
	q := &kluis.Request{CandidateID: cand, Kind: kind, Channel: "email", Description: desc}
	if err := e.DB.CreateRequest(ctx, a, q); err != nil {
		t.Fatal(err)
	}
	return q
}

// TestARequestIsRegisteredVerifiedExtendedAndClosed walks an access
// request through the register; every step is audited and versioned.
func TestARequestIsRegisteredVerifiedExtendedAndClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c := e.MustCreateCandidate(t, "Verzoeker")
		q := mustRequest(t, e, po, c.ID, "access", "Wil weten wat er over haar bewaard wordt")
		if q.Status != "received" || q.DueOn != "2026-12-29" || q.ReceivedOn != "2026-11-29" || q.Version != 1 {
			t.Fatalf("registered: %+v", q)
		}
		got, err := e.DB.Request(ctx, po, q.ID)
		if err != nil || got.Description != q.Description || got.ResidueHits != nil || got.VerifiedOn != "" {
			t.Fatalf("read back: %+v, %v", got, err)
		}
		if _, err := e.DB.VerifyRequest(ctx, po, q.ID, 1, "known-email", ""); err != nil {
			t.Fatal(err)
		}
		// A stale version is a conflict, never a silent overwrite.
		if _, err := e.DB.ExtendRequest(ctx, po, q.ID, 1, "Veel gegevens", "2026-11-29"); kluis.ErrorCode(err) != kluis.EConflict {
			t.Fatalf("stale extension: %v", err)
		}
		x, err := e.DB.ExtendRequest(ctx, po, q.ID, 2, "Veel gegevens", "2026-11-29")
		if err != nil {
			t.Fatal(err)
		}
		if x.DueOn != "2027-02-28" || x.Status != "extended" || x.Version != 3 {
			t.Fatalf("extended: %+v", x)
		}
		if _, err := e.DB.ExtendRequest(ctx, po, q.ID, 3, "Nog eens", "2026-11-29"); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("a second extension: %v", err)
		}
		done, err := e.DB.CloseRequest(ctx, po, q.ID, 3, "done", "Stamkaart gestuurd")
		if err != nil || done.Status != "done" || done.ClosedOn != "2026-11-29" {
			t.Fatalf("closed: %+v, %v", done, err)
		}
		es, _, err := e.DB.AuditLog(ctx, po, store.AuditFilter{CandidateID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range es {
			if x.Entity == "requests" {
				n++
			}
		}
		if n != 4 {
			t.Fatalf("%d audited steps of the request, want 4", n)
		}
	})
}

func TestAnExtensionIsOnlyPossibleWithinTheFirstMonth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c := e.MustCreateCandidate(t, "Laat")
		q := mustRequest(t, e, po, c.ID, "portability", "")
		e.Clock.Advance(31 * 24 * time.Hour) // 30 December: past the due date
		if _, err := e.DB.ExtendRequest(ctx, po, q.ID, 0, "Te laat bedacht", "2026-12-01"); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("extension after the first month: %v", err)
		}
		over, n, err := e.DB.Requests(ctx, po, store.RequestFilter{Overdue: true})
		if err != nil || n != 1 || over[0].ID != q.ID {
			t.Fatalf("overdue: %v %d %v", over, n, err)
		}
		if _, err := e.DB.ExtendRequest(ctx, po, q.ID, 0, "", ""); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("extension without reason: %v", err)
		}
	})
}

// TestAnUnverifiedErasureRequestErasesNothing, and a verified one erases
// the candidate, keeps the request as proof without its texts, and closes
// it with what was kept.
func TestAnUnverifiedErasureRequestErasesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c, _ := richCandidate(t, e, "Vergeetmij", false)
		q := mustRequest(t, e, po, c.ID, "erasure", "Sanne Vergeetmij wil vergeten worden")
		other := mustRequest(t, e, po, c.ID, "access", "Eerder: inzage voor Vergeetmij")
		if _, err := e.DB.CloseRequest(ctx, po, other.ID, 0, "refused", "Identiteit van Vergeetmij niet vastgesteld"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.DB.EraseForRequest(ctx, po, q.ID, 0); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("unverified erasure: %v", err)
		}
		if _, err := e.DB.CloseRequest(ctx, po, q.ID, 0, "done", "klaar"); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("an erasure request closed as done without erasing: %v", err)
		}
		if _, err := e.DB.Candidate(ctx, po, c.ID); err != nil {
			t.Fatalf("the candidate went before verification: %v", err)
		}
		if _, err := e.DB.VerifyRequest(ctx, po, q.ID, 0, "id-document-shown", ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.DB.EraseForRequest(ctx, po, q.ID, 1); kluis.ErrorCode(err) != kluis.EConflict {
			t.Fatalf("erasure on a stale version: %v", err)
		}
		done, rec, err := e.DB.EraseForRequest(ctx, po, q.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil || !rec.Complete || rec.RequestID != q.ID || rec.Reason != "request" {
			t.Fatalf("erasure record: %+v", rec)
		}
		if done.Status != "done" || done.ErasureID != rec.ID || done.ResidueHits == nil || *done.ResidueHits != 0 || done.Outcome == "" {
			t.Fatalf("closed request: %+v", done)
		}
		if _, err := e.DB.Candidate(ctx, po, c.ID); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Fatalf("the candidate is still there: %v", err)
		}
		if n := rowsOf(t, e, c.ID); len(n) != 0 {
			t.Fatalf("rows left: %v", n)
		}
		all, n, err := e.DB.Requests(ctx, po, store.RequestFilter{CandidateID: c.ID})
		if err != nil || n != 2 {
			t.Fatalf("the requests did not survive: %d %v", n, err)
		}
		for _, x := range all {
			if x.Description != "" || strings.Contains(x.Outcome, "Vergeetmij") || x.ExtensionReason != "" {
				t.Errorf("request %d keeps personal data: %+v", x.ID, x)
			}
			if x.Kind == "" || x.ReceivedOn == "" || x.DueOn == "" || !x.Closed() {
				t.Errorf("request %d lost its proof: %+v", x.ID, x)
			}
		}
	})
}

// TestAStagedErasureKeepsTheRequestAndWhatTheLawRequires: of a worker,
// the payroll years stay, restricted; the request is closed with them.
func TestAStagedErasureKeepsTheRequestAndWhatTheLawRequires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c, _ := richCandidate(t, e, "Werker", true)
		q := mustRequest(t, e, po, c.ID, "erasure", "Werker wil weg")
		if _, err := e.DB.VerifyRequest(ctx, po, q.ID, 0, "known-email", ""); err != nil {
			t.Fatal(err)
		}
		done, rec, err := e.DB.EraseForRequest(ctx, po, q.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil || rec.Complete || len(rec.Kept) == 0 {
			t.Fatalf("erasure: %+v", rec)
		}
		if done.Status != "done" || !strings.Contains(done.Outcome, "R5") && !strings.Contains(done.Outcome, "salaris") {
			t.Fatalf("outcome does not say what was kept: %q", done.Outcome)
		}
		if done.Description != "" {
			t.Fatalf("description kept: %q", done.Description)
		}
	})
}

func TestARequestOfAnotherBranchDoesNotExistToARecruiter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		rotterdam, err := e.DB.CreateBranch(ctx, kluis.Actor{TenantID: e.Tenant.ID, Role: kluis.RoleAdmin}, "Rotterdam", "Rotterdam")
		if err != nil {
			t.Fatal(err)
		}
		theirs := &kluis.Candidate{BranchID: rotterdam.ID, LastName: "Rotterdammer", City: "Rotterdam"}
		if err := e.DB.CreateCandidate(ctx, po, theirs); err != nil {
			t.Fatal(err)
		}
		q := mustRequest(t, e, po, theirs.ID, "access", "")
		rec := kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RoleRecruiter, Branch: e.Branch.ID}
		if _, err := e.DB.Request(ctx, rec, q.ID); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Fatalf("a recruiter reads another branch's request: %v", err)
		}
		if _, n, err := e.DB.Requests(ctx, rec, store.RequestFilter{}); err != nil || n != 0 {
			t.Fatalf("a recruiter lists %d requests of another branch (%v)", n, err)
		}
		if _, err := e.DB.VerifyRequest(ctx, rec, q.ID, 0, "known-email", ""); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Fatalf("a recruiter verified another branch's request: %v", err)
		}
		if err := e.DB.CreateRequest(ctx, rec, &kluis.Request{CandidateID: theirs.ID, Kind: "access", Channel: "email"}); err == nil {
			t.Fatal("a recruiter registered a request for another branch's candidate")
		}
		if _, n, err := e.DB.Requests(ctx, po, store.RequestFilter{Kind: "access", Status: "received"}); err != nil || n != 1 {
			t.Fatalf("the privacy officer lists %d (%v)", n, err)
		}
	})
}
