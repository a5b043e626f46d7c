package store_test

import (
	"fmt"
	"slices"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// TestAClean-upBatchErasesAsOneByOneDoes erases twin candidates — the same
// data, other ids — once through a clean-up run's batches (one statement
// per table for a batch) and once one by one (the path of a request), and
// finds the same records and the same rows left, field by field.
func TestACleanupBatchErasesAsOneByOneDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		var batch, single []kluis.ID
		for i := range 7 {
			// Leavers (staged: payroll and BSN kept by law) and candidates
			// who never worked (complete), mixed in one batch.
			worked := i%3 != 0
			a, _ := richCandidate(t, e, fmt.Sprintf("Tweeling %d", i), worked)
			b, _ := richCandidate(t, e, fmt.Sprintf("Tweeling %d", i), worked)
			batch, single = append(batch, a.ID), append(single, b.ID)
		}
		// An id that is no candidate (erased since the run began) is
		// skipped, and one candidate whose term has not ended yet too.
		late, _ := richCandidate(t, e, "Nog niet", false)
		advanceTo(e, "2028-12-01")
		if err := e.DB.CreateContactMoment(ctx, e.Actor, &kluis.ContactMoment{CandidateID: late.ID, Kind: "phone", At: e.Clock.Now().AddDate(0, 0, -1)}); err != nil {
			t.Fatal(err)
		}
		run, err := e.DB.StartCleanupRun(ctx, po, append(slices.Clone(batch), 4242, late.ID), false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.DB.Erase(ctx, po, append(slices.Clone(batch), 4242, late.ID), store.EraseOptions{RunID: run.ID})
		if err != nil {
			t.Fatal(err)
		}
		want, err := e.DB.Erase(ctx, po, single, store.EraseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(batch) || len(want) != len(single) {
			t.Fatalf("%d erased in the batch, %d one by one; want %d each", len(got), len(want), len(batch))
		}
		if left := rowsOf(t, e, late.ID); left["contact_moments"] == 0 {
			t.Errorf("the candidate not yet due lost data: %v", left)
		}
		raw := storetest.Raw(t, e)
		row := func(id kluis.ID) string {
			var s string
			err := raw.QueryRow(`SELECT restricted || '|' || erased_groups || '|' || first_name || '|' || last_name || '|' || email || '|' || phone || '|' ||
				city || '|' || postcode || '|' || version FROM candidates WHERE tenant_id = $1 AND id = $2`, e.Tenant.ID, id).Scan(&s)
			if err != nil {
				return err.Error()
			}
			return s
		}
		for i := range batch {
			g, w := got[i], want[i]
			if g.CandidateID != batch[i] || w.CandidateID != single[i] {
				t.Fatalf("records out of order: %d/%d, %d/%d", g.CandidateID, batch[i], w.CandidateID, single[i])
			}
			if g.Complete != w.Complete || g.Rows != w.Rows || g.Files != w.Files || g.Reason != w.Reason ||
				fmt.Sprint(g.Erased) != fmt.Sprint(w.Erased) || fmt.Sprint(g.Kept) != fmt.Sprint(w.Kept) {
				t.Errorf("twin %d: batch %+v\none by one %+v", i, g, w)
			}
			if g.RunID != run.ID || w.RunID != 0 {
				t.Errorf("twin %d: run ids %d and %d", i, g.RunID, w.RunID)
			}
			if a, b := rowsOf(t, e, batch[i]), rowsOf(t, e, single[i]); fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("twin %d: rows left %v by the batch, %v one by one", i, a, b)
			}
			if a, b := row(batch[i]), row(single[i]); a != b {
				t.Errorf("twin %d: candidate row %q by the batch, %q one by one", i, a, b)
			}
		}
		states := map[string]int{}
		rows, err := raw.Query("SELECT state, erasure_id IS NOT NULL FROM cleanup_run_items WHERE tenant_id = $1 AND run_id = $2", e.Tenant.ID, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var state string
			var linked bool
			if err := rows.Scan(&state, &linked); err != nil {
				t.Fatal(err)
			}
			states[state]++
			if (state == "done") != linked {
				t.Errorf("item %s linked to an erasure: %v", state, linked)
			}
		}
		rows.Close()
		if states["done"] != len(batch) || states["skipped"] != 2 {
			t.Errorf("items: %v", states)
		}
	})
}

// TestACleanupBatchPassesARestrictedCandidateBy: a candidate whose
// processing became restricted (art. 18) after the clean-up run chose
// them keeps every row through the run's batches (the path of the nightly
// clean-up and `kluis cleanup apply`); their item is skipped, while the
// others of the same batch — a leaver whose term ended (staged) and a
// candidate who never worked (complete) — are erased. Lifted, they are
// erased by the next run.
func TestACleanupBatchPassesARestrictedCandidateBy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		kept, _ := richCandidate(t, e, "Beperkt Bewaard", true)
		leaver, _ := richCandidate(t, e, "Vertrokken", true)
		never, _ := richCandidate(t, e, "Nooit Gewerkt", false)
		advanceTo(e, "2028-12-01")
		ids := []kluis.ID{kept.ID, leaver.ID, never.ID}
		run, err := e.DB.StartCleanupRun(ctx, po, ids, false)
		if err != nil {
			t.Fatal(err)
		}
		before := rowsOf(t, e, kept.ID)
		x := mustRestrict(t, e, kept.ID, "legal-claim")
		got, err := e.DB.Erase(ctx, po, ids, store.EraseOptions{RunID: run.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].CandidateID != leaver.ID || got[1].CandidateID != never.ID || got[0].Complete || !got[1].Complete {
			t.Fatalf("the batch erased %+v; want the leaver (staged) and the one who never worked (complete)", got)
		}
		if after := rowsOf(t, e, kept.ID); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("the restricted candidate's rows: %v before, %v after the run", before, after)
		}
		var state string
		if err := storetest.Raw(t, e).QueryRow("SELECT state FROM cleanup_run_items WHERE tenant_id = $1 AND run_id = $2 AND candidate_id = $3",
			e.Tenant.ID, run.ID, kept.ID).Scan(&state); err != nil || state != "skipped" {
			t.Errorf("the restricted candidate's item: %q %v", state, err)
		}

		// Lifted, after informing them: the next run erases them.
		if _, err := e.DB.InformRestriction(ctx, po, x.ID, x.Version, "phone", kluis.DateOf(e.Clock.Now())); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.LiftRestriction(ctx, po, x.ID, x.Version+1); err != nil {
			t.Fatal(err)
		}
		next, err := e.DB.StartCleanupRun(ctx, po, []kluis.ID{kept.ID}, false)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.DB.Erase(ctx, po, []kluis.ID{kept.ID}, store.EraseOptions{RunID: next.ID}); err != nil || len(got) != 1 || got[0].CandidateID != kept.ID {
			t.Fatalf("after the lifting: %+v %v", got, err)
		}
	})
}
