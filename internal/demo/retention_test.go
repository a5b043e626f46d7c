package demo_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"kluis/internal/demo"
	"kluis/internal/kluis"
	"kluis/internal/retention"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

func sortFacts(f *retention.Facts) {
	slices.SortFunc(f.Placements, func(a, b retention.Placement) int {
		if a.Start != b.Start {
			return map[bool]int{true: -1, false: 1}[a.Start < b.Start]
		}
		return map[bool]int{true: -1, false: 1}[a.End < b.End]
	})
	slices.Sort(f.PayrollYears)
	slices.Sort(f.IDCopies)
}

// TestTheRetentionFactsOfAllCandidatesAreThoseOfEach: gathered a thousand
// at a time, the facts of every candidate of the demo set (more than one
// batch) are those gathered for each alone, on both databases.
func TestTheRetentionFactsOfAllCandidatesAreThoseOfEach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		res, err := demo.Seed(ctx, e.DB, demo.Options{Candidates: 1100, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		// The privacy officer sees every candidate; a recruiter those of
		// one branch, whose ids interleave with the other branches'.
		for _, u := range res.Users {
			if u.Role != kluis.RolePrivacy && u.Role != kluis.RoleRecruiter {
				continue
			}
			a := kluis.ActorFor(&u)
			_, want, err := e.DB.ListCandidates(ctx, a, store.CandidateFilter{Page: kluis.Page{Limit: 1}})
			if err != nil {
				t.Fatal(err)
			}
			if n := factsAgree(t, e, a); n != want || n == 0 {
				t.Fatalf("%s: facts of %d candidates, sees %d", u.Role, n, want)
			}
		}
	})
}

// factsAgree checks the facts of every candidate the actor sees, gathered
// in batches, against those gathered one by one, and counts them.
func factsAgree(t *testing.T, e *storetest.Env, a kluis.Actor) int {
	ctx := context.Background()
	n := 0
	err := e.DB.EachRetentionFacts(ctx, a, func(c store.CandidateFacts) error {
		n++
		one, err := e.DB.RetentionFacts(ctx, a, c.ID)
		if err != nil {
			return err
		}
		got := c.Facts
		sortFacts(&got)
		sortFacts(&one)
		if !reflect.DeepEqual(normal(got), normal(one)) {
			t.Errorf("candidate %d:\nall:  %+v\neach: %+v", c.ID, got, one)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// normal makes empty and nil lists alike.
func normal(f retention.Facts) retention.Facts {
	if len(f.Placements) == 0 {
		f.Placements = nil
	}
	if len(f.PayrollYears) == 0 {
		f.PayrollYears = nil
	}
	if len(f.IDCopies) == 0 {
		f.IDCopies = nil
	}
	if len(f.Holds) == 0 {
		f.Holds = nil
	}
	return f
}
