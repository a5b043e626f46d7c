package cleanup_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"kluis/internal/cleanup"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

var ctx = context.Background()

// agency fills a test agency: n candidates who never worked and registered
// on Start (due for R1 from 2028-11-29), and one who is still working.
func agency(t *testing.T, e *storetest.Env, n int) (due []kluis.ID, working kluis.ID) {
	t.Helper()
	for i := 0; i < n; i++ {
		// Each has an e-mail address, a phone number and a CV of their
		// own: the residue check looks for them after the erasure.
		c := &kluis.Candidate{BranchID: e.Branch.ID, FirstName: "Sanne", LastName: fmt.Sprintf("Kandidaat%03d", i),
			Email: fmt.Sprintf("kandidaat%03d@example.nl", i), Phone: fmt.Sprintf("06-12345%03d", i), Source: "walk-in"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, c); err != nil {
			t.Fatal(err)
		}
		doc := &kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: "cv.pdf"}
		if err := e.DB.CreateDocument(ctx, e.Actor, doc, strings.NewReader(fmt.Sprintf("%%PDF-1.4\ncv %d\n%%%%EOF\n", i))); err != nil {
			t.Fatal(err)
		}
		due = append(due, c.ID)
	}
	w := e.MustCreateCandidate(t, "Werkend")
	cl := e.MustCreateClient(t, "Kas")
	e.MustCreatePlacement(t, w.ID, cl.ID, "2026-11-02")
	return due, w.ID
}

func officer(e *storetest.Env) kluis.Actor {
	return kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RolePrivacy}
}

func TestARunErasesEverythingDueAndVerifiesASample(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		due, working := agency(t, e, 25)
		e.Clock.T = time.Date(2028, 12, 1, 9, 0, 0, 0, time.UTC)
		a := officer(e)
		run, err := e.DB.StartCleanupRun(ctx, a, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if run.Total != len(due) {
			t.Fatalf("the run covers %d candidates, want %d", run.Total, len(due))
		}
		var reports int
		r := &cleanup.Runner{DB: e.DB, Batch: 10, Progress: func(*store.CleanupRun) { reports++ }}
		if err := r.Run(ctx, a, run); err != nil {
			t.Fatal(err)
		}
		got, err := e.DB.CleanupRun(ctx, a, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != "done" || got.Done != 25 || got.Complete != 25 || got.Partial != 0 || got.Failed != 0 ||
			got.Verified != store.DefaultCleanupVerifySample || got.Residue != 0 || got.FinishedAt == nil {
			t.Errorf("the run: %+v", got)
		}
		if got.Report.Erased["documents R1"] != 25 || got.Report.Erased["identity R1"] != 25 {
			t.Errorf("the report: %+v", got.Report)
		}
		if reports < 3 {
			t.Errorf("%d progress reports for 3 batches", reports)
		}
		for _, id := range due {
			if _, err := e.DB.Candidate(ctx, a, id); kluis.ErrorCode(err) != kluis.ENotFound {
				t.Fatalf("candidate %d survived the run: %v", id, err)
			}
		}
		if _, err := e.DB.Candidate(ctx, a, working); err != nil {
			t.Errorf("the working candidate: %v", err)
		}
		recs, total, err := e.DB.Erasures(ctx, a, store.ErasureFilter{RunID: run.ID})
		if err != nil || total != 25 || len(recs) != 25 {
			t.Errorf("erasure records of the run: %d, %v", total, err)
		}
		// A second run finds nothing due.
		again, err := e.DB.StartCleanupRun(ctx, a, nil, false)
		if err != nil || again.Total != 0 {
			t.Errorf("a second run: %+v, %v", again, err)
		}
	})
}

func TestARunKilledHalfwayIsFinishedByTheNextProcessAndTouchesNothingTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		due, _ := agency(t, e, 12)
		e.Clock.T = time.Date(2028, 12, 1, 9, 0, 0, 0, time.UTC)
		a := officer(e)
		run, err := e.DB.StartCleanupRun(ctx, a, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		// The process dies after the first batch of 5.
		killed, kill := context.WithCancel(ctx)
		r := &cleanup.Runner{DB: e.DB, Batch: 5, Progress: func(*store.CleanupRun) { kill() }}
		if err := r.Run(killed, a, run); !errors.Is(err, context.Canceled) {
			t.Fatalf("the killed run: %v", err)
		}
		mid, _ := e.DB.CleanupRun(ctx, a, run.ID)
		if mid.State != "running" || mid.Done != 5 {
			t.Fatalf("after the kill: %+v", mid)
		}
		// A running run with a fresh heartbeat belongs to a live process:
		// it is left alone.
		next := &cleanup.Runner{DB: e.DB, Batch: 5}
		if n, err := next.Resume(ctx, e.Tenant.ID, true); err != nil || n != 0 {
			t.Fatalf("resumed a live run: %d, %v", n, err)
		}
		e.Clock.Advance(store.StaleHeartbeat + time.Second)
		if n, err := next.Resume(ctx, e.Tenant.ID, true); err != nil || n != 1 {
			t.Fatalf("resume: %d, %v", n, err)
		}
		done, _ := e.DB.CleanupRun(ctx, a, run.ID)
		if done.State != "done" || done.Done != 12 || done.Complete != 12 || done.Skipped != 0 {
			t.Errorf("the resumed run: %+v", done)
		}
		// One erasure record each: nothing was erased twice.
		_, total, err := e.DB.Erasures(ctx, a, store.ErasureFilter{RunID: run.ID})
		if err != nil || total != len(due) {
			t.Errorf("%d erasure records for %d candidates (%v)", total, len(due), err)
		}
	})
}

func TestTheNightlyRunHonoursTheSettingTheGraceAndRunsOnceADay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		due, _ := agency(t, e, 3)
		r := &cleanup.Runner{DB: e.DB}
		// Due since 2028-11-29; the grace is 7 days.
		e.Clock.T = time.Date(2028, 12, 3, 3, 0, 0, 0, time.UTC)
		if ran, err := r.Nightly(ctx, e.Tenant.ID, e.Clock); err != nil || ran {
			t.Fatalf("ran without the setting: %v, %v", ran, err)
		}
		set, err := e.DB.Settings(ctx, e.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		set.CleanupNightly = true
		if err := e.DB.SaveSettings(ctx, kluis.Actor{TenantID: e.Tenant.ID, Role: kluis.RoleAdmin}, set, set.Version); err != nil {
			t.Fatal(err)
		}
		if ran, err := r.Nightly(ctx, e.Tenant.ID, e.Clock); err != nil || !ran {
			t.Fatalf("the nightly run: %v, %v", ran, err)
		}
		a := officer(e)
		if _, err := e.DB.Candidate(ctx, a, due[0]); err != nil {
			t.Errorf("erased within the grace period: %v", err)
		}
		if ran, _ := r.Nightly(ctx, e.Tenant.ID, e.Clock); ran {
			t.Error("a second nightly run on one day")
		}
		e.Clock.T = time.Date(2028, 12, 7, 1, 0, 0, 0, time.UTC)
		if ran, _ := r.Nightly(ctx, e.Tenant.ID, e.Clock); ran {
			t.Error("ran before 02:00")
		}
		e.Clock.T = time.Date(2028, 12, 7, 2, 30, 0, 0, time.UTC)
		if ran, err := r.Nightly(ctx, e.Tenant.ID, e.Clock); err != nil || !ran {
			t.Fatalf("the next night: %v, %v", ran, err)
		}
		for _, id := range due {
			if _, err := e.DB.Candidate(ctx, a, id); kluis.ErrorCode(err) != kluis.ENotFound {
				t.Errorf("candidate %d not erased after the grace period: %v", id, err)
			}
		}
	})
}
