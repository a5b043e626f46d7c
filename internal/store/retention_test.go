package store_test

import (
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

func TestRetentionFactsComeFromTheCandidatesHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Jansen")
		e.Clock.Advance(48 * time.Hour)
		m := &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", At: storetest.Start.Add(47 * time.Hour)}
		if err := e.DB.CreateContactMoment(ctx, e.Actor, m); err != nil {
			t.Fatal(err)
		}
		cl := e.MustCreateClient(t, "Kwekerij")
		p := e.MustCreatePlacement(t, c.ID, cl.ID, "2026-11-02")
		if err := e.DB.CreatePayrollRecord(ctx, e.Actor, &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: p.ID, Year: 2026, Period: 11, GrossCents: 1000, NetCents: 800}); err != nil {
			t.Fatal(err)
		}
		f, err := e.DB.RetentionFacts(ctx, e.Actor, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Registered != "2026-11-29" || f.LastActivity != "2026-12-01" || len(f.Placements) != 1 || f.Placements[0].Start != "2026-11-02" ||
			f.Placements[0].End != "" || len(f.PayrollYears) != 1 || f.PayrollYears[0] != 2026 {
			t.Fatalf("facts %+v", f)
		}
	})
}
