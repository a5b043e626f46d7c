package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

// TestMaintenanceRemovesWhatIsDueAndLogsOnlyCounts runs the scheduled work
// as `kluis serve` does, after the grace of a switched-off item.
func TestMaintenanceRemovesWhatIsDueAndLogsOnlyCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		c := e.MustCreateCandidate(t, "Jansen")
		c.Nationality = "NL"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.SaveSettings(ctx, e.Actor, &kluis.Settings{NotCollected: map[string]kluis.Date{"nationality": ""}}, 0); err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		if err := maintainOnce(ctx, e.DB, newLogger(&logs, "info"), "", nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.DB.Candidate(ctx, e.Actor, c.ID); got.Nationality != "NL" {
			t.Fatal("removed within the grace")
		}
		e.Clock.Advance(kluis.MinimisationGrace)
		if err := maintainOnce(ctx, e.DB, newLogger(&logs, "info"), "", nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.DB.Candidate(ctx, e.Actor, c.ID); got.Nationality != "" {
			t.Fatal("not removed after the grace")
		}
		if !strings.Contains(logs.String(), `"item":"nationality","count":1`) || strings.Contains(logs.String(), "Jansen") {
			t.Fatalf("the log:\n%s", logs.String())
		}
		// The loop stops with its context.
		loopCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { maintain(loopCtx, e.DB, newLogger(&logs, "info"), time.Hour, ""); close(done) }()
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the maintenance loop did not stop")
		}
	})
}

// TestTheDaysWorkIsDoneOnceADay: asking for consent walks every
// candidate's plan, so the hourly rounds do it on the first round of a
// day only, per agency; without a memory (a single round) it is done.
func TestTheDaysWorkIsDoneOnceADay(t *testing.T) {
	d := daily{}
	if !d.due(1, "2026-11-29") || d.due(1, "2026-11-29") || !d.due(2, "2026-11-29") || !d.due(1, "2026-11-30") {
		t.Errorf("once a day per agency: %v", d)
	}
	var none daily
	for round := range 2 {
		if !none.due(1, "2026-11-29") {
			t.Errorf("without a memory, round %d skipped", round)
		}
	}
}

// TestMaintenanceRemindsTheHandlerOfARequestOnce: the scheduled work
// e-mails the privacy officer about a request 7 days before its due date,
// once however often it runs, and logs counts only.
func TestMaintenanceRemindsTheHandlerOfARequestOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		po := kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RolePrivacy}
		if err := e.DB.CreateUser(ctx, e.Tenant.ID, &kluis.User{Email: "fg@bureau.example", Name: "F. G.", Role: kluis.RolePrivacy}); err != nil {
			t.Fatal(err)
		}
		c := e.MustCreateCandidate(t, "Jansen")
		if err := e.DB.CreateRequest(ctx, po, &kluis.Request{CandidateID: c.ID, Kind: "access", Channel: "email"}); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(24 * 24 * time.Hour)
		var logs bytes.Buffer
		for range 2 {
			if err := maintainOnce(ctx, e.DB, newLogger(&logs, "info"), "https://kluis.example.nl", nil); err != nil {
				t.Fatal(err)
			}
		}
		if n := strings.Count(logs.String(), `"due_soon":1`); n != 1 || strings.Contains(logs.String(), "Jansen") {
			t.Fatalf("the log:\n%s", logs.String())
		}
	})
}
