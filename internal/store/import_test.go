package store_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

func importSet(e *storetest.Env) *store.ImportSet {
	at := time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC)
	return &store.ImportSet{
		Clients: []kluis.Client{{BranchID: e.Branch.ID, Name: "Kas Westland", KvKNumber: "12345678"}},
		Candidates: []kluis.Candidate{
			{BranchID: e.Branch.ID, LastName: "Jansen", Phone: "06-12345678", Source: "import"},
			{BranchID: e.Branch.ID, LastName: "de Boer", Postcode: "3511ab"},
		},
		Placements: []store.ImportPlacement{
			{Placement: kluis.Placement{Function: "Teler", StartDate: "01-02-2024", HourlyWageCents: 1450}, Candidate: 1, Client: 0},
		},
		ContactMoments: []store.ImportContactMoment{
			{ContactMoment: kluis.ContactMoment{Kind: "phone", At: at, Note: "Gebeld over\nbeschikbaarheid"}, Candidate: 0},
		},
	}
}

func counts(t *testing.T, e *storetest.Env) [4]int {
	t.Helper()
	_, cl, err1 := e.DB.ListClients(ctx, e.Actor, store.ClientFilter{})
	_, ca, err2 := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{})
	_, pl, err3 := e.DB.ListPlacements(ctx, e.Actor, store.PlacementFilter{})
	_, cm, err4 := e.DB.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{})
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		t.Fatal(err)
	}
	return [4]int{cl, ca, pl, cm}
}

func TestAnImportSetIsStoredWholeWithItsReferencesResolved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		set := importSet(e)
		var calls, last int
		set.Progress = func(done, total int) { calls, last = calls+1, done*100/total }
		if err := e.DB.ImportSet(ctx, e.Actor, set); err != nil {
			t.Fatal(err)
		}
		if got := counts(t, e); got != [4]int{1, 2, 1, 1} {
			t.Fatalf("stored clients, candidates, placements, moments: %v", got)
		}
		if calls != 5 || last != 100 {
			t.Fatalf("progress called %d times, last at %d%%", calls, last)
		}
		pl, err := e.DB.Placement(ctx, e.Actor, set.Placements[0].Placement.ID)
		if err != nil {
			t.Fatal(err)
		}
		if pl.CandidateID != set.Candidates[1].ID || pl.ClientID != set.Clients[0].ID || pl.StartDate != "2024-02-01" || pl.Version != 1 {
			t.Fatalf("placement %+v", pl)
		}
		m, err := e.DB.ContactMoment(ctx, e.Actor, set.ContactMoments[0].ContactMoment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !m.At.Equal(time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC)) || m.UserID != e.Actor.UserID ||
			m.CandidateID != set.Candidates[0].ID || !m.CreatedAt.Equal(storetest.Start) {
			t.Fatalf("contact moment %+v", m)
		}
		c, err := e.DB.Candidate(ctx, e.Actor, set.Candidates[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Postcode != "3511 AB" || c.Source != "other" || c.RegisteredOn != "2026-11-29" {
			t.Fatalf("candidate not normalised like a created one: %+v", c)
		}
	})
}

func TestAnImportSetThatFailsHalfwayLeavesNothingBehind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		set := importSet(e)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		// Stopping after the placement is written makes the last insert
		// fail inside the transaction, after four rows went in.
		set.Progress = func(done, total int) {
			if done == 4 {
				cancel()
			}
		}
		if err := e.DB.ImportSet(cctx, e.Actor, set); err == nil {
			t.Fatal("an import cancelled halfway succeeded")
		}
		if got := counts(t, e); got != [4]int{} {
			t.Fatalf("a failed import left %v records", got)
		}
	})
}

func TestAnImportSetWithABadRecordIsRefusedNamingTheRecordAndField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		set := importSet(e)
		set.Candidates[1].Email = "geen-adres"
		set.Candidates[1].BSN = "111222333"
		set.Clients[0].BranchID = 424242
		set.ContactMoments[0].Candidate = 7
		err := e.DB.ImportSet(ctx, e.Actor, set)
		var ps store.ImportProblems
		if code(err) != kluis.EInvalid || !errors.As(err, &ps) {
			t.Fatalf("got %v", err)
		}
		want := map[string]bool{"candidates/1/email": false, "candidates/1/bsn": false, "contact_moments/0/candidate_id": false}
		for _, p := range ps {
			key := p.Records + "/" + strconv.Itoa(p.Index) + "/" + p.Field
			if _, ok := want[key]; ok {
				want[key] = p.Message.NL != "" && p.Message.EN != ""
			}
		}
		for k, seen := range want {
			if !seen {
				t.Errorf("no problem %s in %v", k, ps)
			}
		}
		if got := counts(t, e); got != [4]int{} {
			t.Fatalf("a refused import left %v records", got)
		}

		// The dry run sees what the field checks cannot: the unknown branch.
		set = importSet(e)
		set.Clients[0].BranchID = 424242
		err = e.DB.CheckImportSet(ctx, e.Actor, set)
		if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Records != store.ImportClients || ps[0].Field != "branch_id" {
			t.Fatalf("unknown branch: %v", err)
		}
		if err := e.DB.ImportSet(ctx, e.Actor, set); fields(err)["clients[0].branch_id"].NL == "" {
			t.Fatalf("unknown branch on import: %v", err)
		}
	})
}

func TestCheckingAnImportSetWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		if err := e.DB.CheckImportSet(ctx, e.Actor, importSet(e)); err != nil {
			t.Fatal(err)
		}
		if got := counts(t, e); got != [4]int{} {
			t.Fatalf("a dry run stored %v records", got)
		}
	})
}
