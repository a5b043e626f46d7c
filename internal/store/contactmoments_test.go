package store_test

import (
	"fmt"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// TestAllContactMomentsAreThePagesOfTheListInOne: the record card's one
// query gives what the pages of the list give, opened, for more moments
// than a page holds, and none of another candidate's.
func TestAllContactMomentsAreThePagesOfTheListInOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c, other := e.MustCreateCandidate(t, "Verhoeven"), e.MustCreateCandidate(t, "Jansen")
		n := kluis.MaxPageSize + 20
		for i := range n {
			// Every other moment at the same time: the order's last term counts.
			m := &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", At: storetest.Start.Add(-time.Duration(i/2) * time.Hour), Note: fmt.Sprintf("Gebeld %d", i)}
			if err := e.DB.CreateContactMoment(ctx, e.Actor, m); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.DB.CreateContactMoment(ctx, e.Actor, &kluis.ContactMoment{CandidateID: other.ID, Kind: "phone", Note: "Ander"}); err != nil {
			t.Fatal(err)
		}
		var pages []kluis.ContactMoment
		for off := 0; ; off += kluis.MaxPageSize {
			items, total, err := e.DB.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{CandidateID: c.ID, Page: kluis.Page{Limit: kluis.MaxPageSize, Offset: off}})
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, items...)
			if off+kluis.MaxPageSize >= total {
				break
			}
		}
		all, err := e.DB.AllContactMoments(ctx, e.Actor, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < n || len(all) != len(pages) {
			t.Fatalf("%d moments in one, %d in pages; want at least %d", len(all), len(pages), n)
		}
		for i := range all {
			if all[i].ID != pages[i].ID || all[i].Note != pages[i].Note || all[i].CandidateID != c.ID {
				t.Fatalf("moment %d: %+v in one, %+v in pages", i, all[i], pages[i])
			}
		}
	})
}
