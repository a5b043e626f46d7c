package kluis

import (
	"testing"
	"time"
)

var discovered = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func openBreach() *Breach {
	return &Breach{Title: "Laptop kwijt", DiscoveredAt: discovered, Facts: "In de trein laten liggen.", Status: "open"}
}

// TestTheClockRunsSeventyTwoHoursFromDiscovery reads the clock before, at
// and after the deadline with an injected time.
func TestTheClockRunsSeventyTwoHoursFromDiscovery(t *testing.T) {
	b := openBreach()
	deadline := discovered.Add(72 * time.Hour)
	for _, tc := range []struct {
		name          string
		now           time.Time
		overdue, soon bool
		left, late    time.Duration
	}{
		{"right after discovery", discovered, false, false, 72 * time.Hour, 0},
		{"two days later", discovered.Add(48 * time.Hour), false, false, 24 * time.Hour, 0},
		{"with less than a day left", discovered.Add(50 * time.Hour), false, true, 22 * time.Hour, 0},
		{"one second before the deadline", deadline.Add(-time.Second), false, true, time.Second, 0},
		{"at the deadline", deadline, true, false, 0, 0},
		{"an hour after the deadline", deadline.Add(time.Hour), true, false, 0, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := b.Clock(tc.now)
			if !c.Running || c.Overdue != tc.overdue || c.Soon != tc.soon || c.Left != tc.left || c.Late != tc.late || !c.Deadline.Equal(deadline) {
				t.Fatalf("%+v", c)
			}
		})
	}
}

// TestADecisionStopsTheClock: once decided, the clock stands still at
// the moment that counts, in time or not, whatever the time now.
func TestADecisionStopsTheClock(t *testing.T) {
	now := discovered.Add(70 * time.Hour)
	b := openBreach()
	b.Risk = "risk"
	reported := discovered.Add(71 * time.Hour)
	if err := b.Decide("report", &reported, "M-2026-1234", "", 7, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, later := range []time.Duration{0, 100 * time.Hour, 1000 * time.Hour} {
		c := b.Clock(now.Add(later))
		if c.Running || c.Overdue || c.Soon || c.Left != 0 || !c.InTime || !c.Reported || c.StoppedAt == nil || !c.StoppedAt.Equal(reported) {
			t.Fatalf("%v later: %+v", later, c)
		}
	}
	// Reported exactly at the deadline: in time.
	b = openBreach()
	at := b.Deadline()
	if err := b.Decide("report", &at, "M-1", "", 7, at); err != nil || !b.Clock(at.Add(time.Hour)).InTime {
		t.Fatalf("at the deadline: %v %+v", err, b.Clock(at))
	}
	// Decided not to report after the deadline: stopped, not in time.
	b = openBreach()
	late := b.Deadline().Add(3 * time.Hour)
	if err := b.Decide("no-report", nil, "", "Versleutelde laptop, sleutel niet gelekt.", 7, late); err != nil {
		t.Fatal(err)
	}
	if c := b.Clock(late.Add(time.Hour)); c.Running || c.Overdue || c.InTime || c.Reported || !c.StoppedAt.Equal(late) || b.Risk != "none" {
		t.Fatalf("late decision: %+v %s", c, b.Risk)
	}
	// It stands, unless new facts make it a report after all.
	if err := b.Decide("no-breach", nil, "", "Toch geen lek.", 7, late.Add(time.Hour)); ErrorCode(err) != EInvalid || !b.Clock(late).StoppedAt.Equal(late) {
		t.Fatalf("decided again: %v", err)
	}
	b.Risk = "risk"
	again := late.Add(2 * time.Hour)
	if err := b.Decide("report", &again, "M-2", "Nieuwe feiten: de sleutel lag bij de laptop.", 7, again); err != nil || !b.Clock(again).Reported {
		t.Fatalf("a report after all: %v", err)
	}
	if err := b.Decide("report", &again, "M-3", "", 7, again); ErrorCode(err) != EInvalid {
		t.Fatalf("reported twice: %v", err)
	}
}

func TestADecisionIsValidatedFieldByField(t *testing.T) {
	now := discovered.Add(80 * time.Hour)
	for _, tc := range []struct {
		name     string
		risk     string
		decision string
		at       *time.Time
		ref      string
		reason   string
		fields   []string
	}{
		{"no decision", "", "", nil, "", "", []string{"decision"}},
		{"an unknown decision", "", "maybe", nil, "", "", []string{"decision"}},
		{"a report without time and reference", "risk", "report", nil, "", "", []string{"ap_reported_at", "ap_reference"}},
		{"a late report without the reason", "risk", "report", ptr(discovered.Add(75 * time.Hour)), "M-1", "", []string{"decision_reason"}},
		{"a report in the future", "risk", "report", ptr(now.Add(time.Hour)), "M-1", "", []string{"ap_reported_at"}},
		{"a report before the discovery", "risk", "report", ptr(discovered.Add(-time.Hour)), "M-1", "", []string{"ap_reported_at"}},
		{"not reporting without the reason", "", "no-report", nil, "", "", []string{"decision_reason"}},
		{"not reporting a risk", "high", "no-report", nil, "", "Geen zin", []string{"decision"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := openBreach()
			b.Risk = tc.risk
			err := b.Decide(tc.decision, tc.at, tc.ref, tc.reason, 7, now)
			e, ok := err.(*Error)
			if !ok || e.Code != EInvalid || len(e.Fields) != len(tc.fields) {
				t.Fatalf("%v", err)
			}
			for _, f := range tc.fields {
				if e.Fields[f].NL == "" || e.Fields[f].EN == "" {
					t.Errorf("no message for %s: %v", f, err)
				}
			}
			if b.Decided() {
				t.Fatal("a refused decision was recorded")
			}
		})
	}
}

func TestABreachClosesOnlyOnceDecided(t *testing.T) {
	b := openBreach()
	b.Risk = "high"
	if err := b.Close(discovered); ErrorCode(err) != EInvalid {
		t.Fatalf("closed undecided: %v", err)
	}
	at := discovered.Add(time.Hour)
	if err := b.Decide("report", &at, "M-9", "", 1, at); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(at); ErrorCode(err) != EInvalid {
		t.Fatalf("closed a high risk without the art. 34 decision: %v", err)
	}
	b.InformDecision = "inform"
	if err := b.Close(at); err != nil || !b.Closed() {
		t.Fatalf("%v", err)
	}
	if err := b.Close(at); ErrorCode(err) != EConflict {
		t.Fatalf("closed twice: %v", err)
	}
}

func TestABreachIsValidated(t *testing.T) {
	b := &Breach{DiscoveredAt: discovered.Add(time.Hour), Categories: []string{"bsn", "shoe-size"}, AffectedCount: -1,
		InformDecision: "exception", Risk: "extreme"}
	err := b.Validate(discovered)
	e, ok := err.(*Error)
	if !ok {
		t.Fatal(err)
	}
	for _, f := range []string{"title", "discovered_at", "facts", "categories", "affected_count", "inform_reason", "risk"} {
		if _, ok := e.Fields[f]; !ok {
			t.Errorf("no error on %s: %v", f, err)
		}
	}
	ok2 := &Breach{Title: " Mail verkeerd ", DiscoveredAt: discovered, Facts: "Lijst gemaild", Categories: []string{"contact", "contact", "account"}}
	if err := ok2.Validate(discovered); err != nil || ok2.Title != "Mail verkeerd" || len(ok2.Categories) != 2 {
		t.Fatalf("%v %+v", err, ok2)
	}
}

func ptr(t time.Time) *time.Time { return &t }
