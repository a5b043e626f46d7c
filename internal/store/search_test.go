package store_test

import (
	"context"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// TestAPlaceIsFoundWholeOrByItsStart: a whole place name, in any case,
// finds that place only; anything else is the start of place names. The
// count can stop early: the total then says "more than".
func TestAPlaceIsFoundWholeOrByItsStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		for i, city := range []string{"Utrecht", "utrecht", "Utrechtse Heuvelrug", "Amsterdam", "Utrecht"} {
			c := &kluis.Candidate{BranchID: e.Branch.ID, LastName: []string{"Visser", "Bakker", "Jansen", "Smit", "Aalders"}[i], City: city}
			if err := e.DB.CreateCandidate(ctx, e.Actor, c); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			city  string
			upTo  int
			names []string
			total int
		}{
			{"UTRECHT", 0, []string{"Aalders", "Bakker", "Visser"}, 3},
			{" utrecht ", 0, []string{"Aalders", "Bakker", "Visser"}, 3},
			{"utr", 0, []string{"Aalders", "Bakker", "Jansen", "Visser"}, 4},
			{"Utrechtse Heuvelrug", 0, []string{"Jansen"}, 1},
			{"amster", 0, []string{"Smit"}, 1},
			{"Zwolle", 0, nil, 0},
			{"utrecht", 2, []string{"Aalders", "Bakker", "Visser"}, 3},
			{"utrecht", 1, []string{"Aalders", "Bakker", "Visser"}, 2},
			{"utr", 2, []string{"Aalders", "Bakker", "Jansen", "Visser"}, 3},
		} {
			got, total, err := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{City: tc.city, CountUpTo: tc.upTo})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range got {
				names = append(names, c.LastName)
			}
			if total != tc.total || len(names) != len(tc.names) {
				t.Errorf("%q (count up to %d): %v, total %d; want %v, %d", tc.city, tc.upTo, names, total, tc.names, tc.total)
				continue
			}
			for i := range names {
				if names[i] != tc.names[i] {
					t.Errorf("%q: %v, want %v", tc.city, names, tc.names)
					break
				}
			}
		}
	})
}
