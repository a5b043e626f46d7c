package store_test

import (
	"bytes"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// TestARecruiterWorksWithTheCandidatesOfTheirOwnBranch: the candidates of
// another branch, and everything of theirs, do not exist to a recruiter;
// payroll, which spans the agency, sees both.
func TestARecruiterWorksWithTheCandidatesOfTheirOwnBranch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		agency := kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RolePayroll}
		rotterdam, err := e.DB.CreateBranch(ctx, agency, "Rotterdam", "Rotterdam")
		if err != nil {
			t.Fatal(err)
		}
		mine := e.MustCreateCandidate(t, "Utrechter")
		theirs := &kluis.Candidate{BranchID: rotterdam.ID, LastName: "Rotterdammer", City: "Rotterdam"}
		if err := e.DB.CreateCandidate(ctx, agency, theirs); err != nil {
			t.Fatal(err)
		}
		client := e.MustCreateClient(t, "Haven BV")
		pl := &kluis.Placement{CandidateID: theirs.ID, ClientID: client.ID, Function: "Sjorder", StartDate: "2026-12-01", HourlyWageCents: 1500}
		if err := e.DB.CreatePlacement(ctx, agency, pl); err != nil {
			t.Fatal(err)
		}
		m := &kluis.ContactMoment{CandidateID: theirs.ID, Kind: "phone", Note: "Gebeld."}
		if err := e.DB.CreateContactMoment(ctx, agency, m); err != nil {
			t.Fatal(err)
		}
		doc := &kluis.Document{CandidateID: theirs.ID, Kind: "cv", FileName: "cv.pdf"}
		if err := e.DB.CreateDocument(ctx, agency, doc, bytes.NewReader(idPDF)); err != nil {
			t.Fatal(err)
		}

		rec := kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RoleRecruiter, Branch: e.Branch.ID}
		if _, err := e.DB.Candidate(ctx, rec, theirs.ID); code(err) != kluis.ENotFound {
			t.Errorf("read of another branch's candidate: %v", err)
		}
		if _, err := e.DB.Candidate(ctx, rec, mine.ID); err != nil {
			t.Errorf("read of an own candidate: %v", err)
		}
		if cs, n, _ := e.DB.ListCandidates(ctx, rec, store.CandidateFilter{}); n != 1 || cs[0].ID != mine.ID {
			t.Errorf("the recruiter's list holds %d candidates", n)
		}
		if _, n, _ := e.DB.ListCandidates(ctx, agency, store.CandidateFilter{}); n != 2 {
			t.Errorf("payroll's list holds %d candidates, want both", n)
		}
		if _, err := e.DB.Placement(ctx, rec, pl.ID); code(err) != kluis.ENotFound {
			t.Errorf("read of another branch's placement: %v", err)
		}
		if _, n, _ := e.DB.ListPlacements(ctx, rec, store.PlacementFilter{}); n != 0 {
			t.Errorf("the recruiter sees %d placements of another branch", n)
		}
		if _, n, _ := e.DB.ListContactMoments(ctx, rec, store.ContactMomentFilter{CandidateID: theirs.ID}); n != 0 {
			t.Errorf("the recruiter sees %d contact moments of another branch", n)
		}
		if _, _, err := e.DB.OpenDocument(ctx, rec, doc.ID); code(err) != kluis.ENotFound {
			t.Errorf("download from another branch: %v", err)
		}

		// Writes: nothing of another branch changes, nothing moves to it.
		cur, _ := e.DB.Candidate(ctx, agency, theirs.ID)
		cur.City = "Schiedam"
		if err := e.DB.UpdateCandidate(ctx, rec, cur, cur.Version); code(err) != kluis.ENotFound {
			t.Errorf("update of another branch's candidate: %v", err)
		}
		if err := e.DB.DeleteCandidate(ctx, rec, theirs.ID, cur.Version); code(err) != kluis.ENotFound {
			t.Errorf("delete of another branch's candidate: %v", err)
		}
		if err := e.DB.CreateContactMoment(ctx, rec, &kluis.ContactMoment{CandidateID: theirs.ID, Kind: "phone"}); code(err) != kluis.ENotFound {
			t.Errorf("a contact moment for another branch's candidate: %v", err)
		}
		if err := e.DB.DeleteContactMoment(ctx, rec, m.ID, m.Version); code(err) != kluis.ENotFound {
			t.Errorf("delete of another branch's contact moment: %v", err)
		}
		moved, _ := e.DB.Candidate(ctx, rec, mine.ID)
		moved.BranchID = rotterdam.ID
		if f := fields(e.DB.UpdateCandidate(ctx, rec, moved, moved.Version)); f["branch_id"].EN == "" {
			t.Error("a recruiter moved a candidate to another branch")
		}
		elsewhere := &kluis.Candidate{BranchID: rotterdam.ID, LastName: "Elders"}
		if f := fields(e.DB.CreateCandidate(ctx, rec, elsewhere)); f["branch_id"].EN == "" {
			t.Error("a recruiter registered a candidate at another branch")
		}
		if got, _ := e.DB.Candidate(ctx, agency, theirs.ID); got.City != "Rotterdam" || got.Version != 1 {
			t.Errorf("another branch's candidate changed: %+v", got)
		}
	})
}
