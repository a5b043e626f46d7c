package store_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// bulkCandidate is a valid candidate for bulk tests; i makes it unique.
func bulkCandidate(e *storetest.Env, i int) *kluis.Candidate {
	return &kluis.Candidate{BranchID: e.Branch.ID, FirstName: "Bram", LastName: fmt.Sprintf("Bulk%05d", i),
		Email: fmt.Sprintf("bram.bulk%d@example.nl", i), Phone: "06-12345678", Postcode: "3511ab", City: "Utrecht",
		DateOfBirth: "1995-03-04", RegisteredOn: "2024-06-01", Functions: []string{"Orderpicker"}, Source: "import"}
}

func TestABulkLoadWritesEverythingValidatedInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		cl := e.MustCreateClient(t, "Distributiecentrum Oost")
		const n = store.BulkBatch + 1
		var commits []int
		var first *kluis.Candidate
		var firstPlacement *kluis.Placement
		err := e.DB.BulkLoad(ctx, e.Actor, func(b *store.Bulk) error {
			b.OnCommit(func(done int) { commits = append(commits, done) })
			for i := 0; i < n; i++ {
				c := bulkCandidate(e, i)
				var pls []*kluis.Placement
				if i%2 == 0 {
					c.BSN, c.IBAN, c.Status = testBSN(i), "nl91 abna 0417 1643 00", "working"
					pls = append(pls, &kluis.Placement{ClientID: cl.ID, Function: "Orderpicker", StartDate: "2025-01-06", HourlyWageCents: 1450})
				}
				if err := b.AddCandidate(c, pls...); err != nil {
					return err
				}
				if i == 0 {
					first, firstPlacement = c, pls[0]
				}
				if i < 2000 {
					for k, kind := range []string{"check-in", "visit", "phone"} {
						m := &kluis.ContactMoment{CandidateID: c.ID, Kind: kind, At: storetest.Start.Add(-time.Duration(k+1) * time.Hour), Note: "Bulk"}
						if err := b.AddContactMoment(m); err != nil {
							return err
						}
					}
				}
				if i < 2000 && len(pls) > 0 {
					for period := 1; period <= 3; period++ {
						r := &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: pls[0].ID, Year: 2025, Period: period, GrossCents: 240000, NetCents: 190000}
						if err := b.AddPayrollRecord(r); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(commits) != 2 || commits[0] != store.BulkBatch || commits[1] != n {
			t.Fatalf("commits after %v candidates; want %d and %d", commits, store.BulkBatch, n)
		}
		for _, tc := range []struct {
			what string
			list func() (int, error)
			want int
		}{
			{"candidates", func() (int, error) {
				_, total, err := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{})
				return total, err
			}, n},
			{"working candidates", func() (int, error) {
				_, total, err := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{Status: "working"})
				return total, err
			}, (n + 1) / 2},
			{"placements", func() (int, error) {
				_, total, err := e.DB.ListPlacements(ctx, e.Actor, store.PlacementFilter{ClientID: cl.ID})
				return total, err
			}, (n + 1) / 2},
			{"contact moments", func() (int, error) {
				_, total, err := e.DB.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{})
				return total, err
			}, 2000 * 3},
			{"payroll records", func() (int, error) {
				_, total, err := e.DB.ListPayrollRecords(ctx, e.Actor, store.PayrollFilter{Year: 2025})
				return total, err
			}, 1000 * 3},
		} {
			if got, err := tc.list(); err != nil || got != tc.want {
				t.Errorf("%s: %d (%v), want %d", tc.what, got, err, tc.want)
			}
		}
		got, err := e.DB.Candidate(ctx, e.Actor, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1 || !got.CreatedAt.Equal(storetest.Start) || got.Phone != "+31612345678" || got.Postcode != "3511 AB" ||
			got.BSN != testBSN(0) || got.IBAN != "NL91ABNA0417164300" || got.RegisteredOn != "2024-06-01" || got.Functions[0] != "Orderpicker" {
			t.Fatalf("read back %+v", got)
		}
		pl, err := e.DB.Placement(ctx, e.Actor, firstPlacement.ID)
		if err != nil || pl.CandidateID != first.ID || pl.ContractKind != "phase-a" || pl.Version != 1 {
			t.Fatalf("placement read back %+v %v", pl, err)
		}
		moments, _, _ := e.DB.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{CandidateID: first.ID})
		if len(moments) != 3 || moments[0].UserID != e.Actor.UserID || moments[0].Kind != "check-in" {
			t.Fatalf("history read back %+v", moments)
		}
		// The normal path can go on from what the bulk path wrote.
		got.City = "Houten"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, got, got.Version); err != nil {
			t.Fatal(err)
		}
	})
}

func TestABulkLoadRefusesWhatTheNormalPathRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		cl := e.MustCreateClient(t, "Kas Westland")
		err := e.DB.BulkLoad(ctx, e.Actor, func(b *store.Bulk) error {
			good := bulkCandidate(e, 1)
			if err := b.AddCandidate(good); err != nil {
				return err
			}
			bad := bulkCandidate(e, 2)
			bad.Postcode, bad.Email = "12", "geen-adres"
			if err := b.AddCandidate(bad); code(err) != kluis.EInvalid || fields(err)["postcode"].NL == "" || fields(err)["email"].NL == "" {
				t.Errorf("invalid candidate: %v", err)
			}
			withBSN := bulkCandidate(e, 3)
			withBSN.BSN = "111222333"
			if err := b.AddCandidate(withBSN); fields(err)["bsn"].NL == "" {
				t.Errorf("BSN without a placement: %v", err)
			}
			elsewhere := bulkCandidate(e, 4)
			elsewhere.BranchID = 424242
			if err := b.AddCandidate(elsewhere); fields(err)["branch_id"].NL == "" {
				t.Errorf("unknown branch: %v", err)
			}
			badPlacement := bulkCandidate(e, 5)
			badPlacement.BSN = "111222333"
			pl := &kluis.Placement{ClientID: cl.ID, Function: "", StartDate: "2025-01-06"}
			if err := b.AddCandidate(badPlacement, pl); fields(err)["function"].NL == "" {
				t.Errorf("a candidate with an invalid placement: %v", err)
			}
			future := &kluis.ContactMoment{CandidateID: good.ID, Kind: "phone", At: storetest.Start.Add(time.Hour)}
			if err := b.AddContactMoment(future); fields(err)["at"].NL == "" {
				t.Errorf("contact moment in the future: %v", err)
			}
			if err := b.AddPayrollRecord(&kluis.PayrollRecord{CandidateID: good.ID, Year: 2025, Period: 60, GrossCents: 1, NetCents: 2}); fields(err)["period"].NL == "" {
				t.Errorf("bad payroll record: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, total, _ := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{}); total != 1 {
			t.Fatalf("%d candidates after one good and four refused; want 1", total)
		}
	})
}

func TestABulkBatchWithAMissingReferenceIsNotWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		err := e.DB.BulkLoad(ctx, e.Actor, func(b *store.Bulk) error {
			c := bulkCandidate(e, 1)
			if err := b.AddCandidate(c); err != nil {
				return err
			}
			return b.AddPlacement(&kluis.Placement{CandidateID: c.ID, ClientID: 424242, Function: "Orderpicker", StartDate: "2025-01-06"})
		})
		// PostgreSQL tells a reference to a missing row (not found) from a
		// row still referred to; SQLite's foreign key error does not.
		if c := code(err); c != kluis.ENotFound && !(c == kluis.EConflict && e.DB.Dialect == store.SQLite) {
			t.Fatalf("placement at a client that does not exist: %v", err)
		}
		if _, total, _ := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{}); total != 0 {
			t.Fatalf("%d candidates of a failed batch were written", total)
		}
	})
}

// testBSN returns the i-th of a series of distinct BSNs that pass the
// elfproef.
func testBSN(i int) string {
	for n := 10000000 + i*11; ; n++ {
		s := strconv.Itoa(n)
		sum := 0
		for j := 0; j < 8; j++ {
			sum += (9 - j) * int(s[j]-'0')
		}
		if d := sum % 11; d < 10 {
			if bsn, ok := kluis.NormalizeBSN(s + strconv.Itoa(d)); ok {
				return bsn
			}
		}
	}
}
