package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"kluis/internal/blob"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
	"kluis/internal/vault"
)

// TestManyParallelEditsOfOneCandidateLoseNothing: twenty editors change
// one candidate at the same time, each its own piece of it, reading again
// and retrying when the version moved on (as the UI and the API tell
// their users to). Every change is there at the end, and the version
// counts them all: no update was lost.
func TestManyParallelEditsOfOneCandidateLoseNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := &kluis.Candidate{BranchID: e.Branch.ID, LastName: "Parallel", City: "Utrecht"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, c); err != nil {
			t.Fatal(err)
		}
		const editors = 20
		var wg sync.WaitGroup
		conflicts := make([]int, editors)
		for i := range editors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				function := fmt.Sprintf("Functie %02d", i)
				for try := 0; try < 200; try++ {
					cur, err := e.DB.Candidate(ctx, e.Actor, c.ID)
					if err != nil {
						t.Error(err)
						return
					}
					cur.Functions = append(cur.Functions, function)
					err = e.DB.UpdateCandidate(ctx, e.Actor, cur, cur.Version)
					if err == nil {
						return
					}
					if kluis.ErrorCode(err) != kluis.EConflict {
						t.Errorf("editor %d: %v", i, err)
						return
					}
					conflicts[i]++
				}
				t.Errorf("editor %d never got through", i)
			}()
		}
		wg.Wait()
		got, err := e.DB.Candidate(ctx, e.Actor, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range conflicts {
			n += x
		}
		if len(got.Functions) != editors || got.Version != c.Version+editors {
			t.Errorf("after %d parallel edits (%d conflicts retried): version %d, functions %v", editors, n, got.Version, got.Functions)
		}
	})
}

// TestAnErasureRacingAnEditOrAnUploadLeavesNothing: while a candidate is
// erased completely, a recruiter saves a change and uploads a document.
// Whatever order the database puts them in, the candidate does not come
// back, no row of theirs is left, and no file lies in the blob store
// without the row that refers to it.
func TestAnErasureRacingAnEditOrAnUploadLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		var cands []*kluis.Candidate
		for i := range 8 {
			c, _ := richCandidate(t, e, fmt.Sprintf("Racer %c", 'A'+i), false)
			cands = append(cands, c)
		}
		advanceTo(e, "2028-11-30") // R1 ended for all of them
		for _, c := range cands {
			var wg sync.WaitGroup
			wg.Add(3)
			go func() {
				defer wg.Done()
				if _, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{}); err != nil {
					t.Errorf("erase %d: %v", c.ID, err)
				}
			}()
			go func() {
				defer wg.Done()
				cur := *c
				cur.City = "Zeist"
				err := e.DB.UpdateCandidate(ctx, e.Actor, &cur, c.Version)
				if err != nil && kluis.ErrorCode(err) != kluis.ENotFound && kluis.ErrorCode(err) != kluis.EConflict && kluis.ErrorCode(err) != kluis.EInvalid {
					t.Errorf("edit %d: %v", c.ID, err)
				}
			}()
			go func() {
				defer wg.Done()
				d := kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: "nieuw-cv.pdf"}
				err := e.DB.CreateDocument(ctx, e.Actor, &d, strings.NewReader("%PDF-1.4\nNieuw cv\n%%EOF\n"))
				if err != nil && kluis.ErrorCode(err) != kluis.ENotFound && kluis.ErrorCode(err) != kluis.EInvalid {
					t.Errorf("upload %d: %v", c.ID, err)
				}
			}()
			wg.Wait()
			// An upload or edit that came after the erasure was refused;
			// one that came before was erased with the rest. If the edit
			// came first, the erasure still erased: the edit was no
			// activity that extends R1 (contact moments are).
			if _, err := e.DB.Candidate(ctx, po, c.ID); kluis.ErrorCode(err) != kluis.ENotFound {
				t.Errorf("candidate %d after the race: %v", c.ID, err)
			}
			if keys := blobKeysOf(t, e, c.ID); len(keys) != 0 {
				t.Errorf("candidate %d: documents %v left", c.ID, keys)
			}
		}
		// Every file in the blob store belongs to a document row, and the
		// erased candidates' keys stay shredded (an upload after the
		// erasure did not make a new one).
		rows := map[string]bool{}
		res, err := storetest.Raw(t, e).Query("SELECT blob_key FROM documents")
		if err != nil {
			t.Fatal(err)
		}
		for res.Next() {
			var k string
			if err := res.Scan(&k); err != nil {
				t.Fatal(err)
			}
			rows[k] = true
		}
		res.Close()
		for _, c := range cands {
			if _, err := e.Vault.Key(ctx, e.Tenant.ID, c.ID); !errors.Is(err, vault.ErrShredded) {
				t.Errorf("the key of candidate %d: %v", c.ID, err)
			}
		}
		bs, err := blob.NewDir(e.Dir + "/blobs")
		if err != nil {
			t.Fatal(err)
		}
		err = bs.List(ctx, func(key string) error {
			if !rows[key] {
				t.Errorf("blob %s has no document", key)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestARestrictionRacingPlacementsLetNoWriteThrough: while twelve
// recruiters keep placing a candidate, noting contact moments and
// uploading documents, the privacy officer restricts the candidate's
// processing (art. 18). The audit log's sequence is the order in which
// the writes committed (each takes the agency's chain head until it
// commits), so it tells which came after the restriction:
//   - no placement, contact moment or document of the candidate was
//     committed after the restriction (none carried an override);
//   - a write that began after the restriction was placed was refused;
//   - every write that was accepted is there, whole, and every refused
//     one left nothing behind (no row, no file).
func TestARestrictionRacingPlacementsLetNoWriteThrough(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		client := e.MustCreateClient(t, "Kwekerij Race")
		raw := storetest.Raw(t, e)
		const writers, rounds = 12, 5
		refusedTotal := 0
		for round := range rounds {
			c := e.MustCreateCandidate(t, fmt.Sprintf("Beperkt %d", round))
			var (
				wg         sync.WaitGroup
				mu         sync.Mutex
				accepted   = map[string]map[kluis.ID]bool{"placements": {}, "contact_moments": {}, "documents": {}}
				refused    int
				restricted atomic.Bool
				started    = make(chan struct{}, writers*100)
			)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// At least 40 writes each, and on until the restriction
					// is placed: every recruiter then tries once more.
					for n := 0; n < 40 || !restricted.Load(); n++ {
						if n == 5000 {
							t.Errorf("writer %d: the restriction never came", i)
							return
						}
						after := restricted.Load()
						var id kluis.ID
						var table string
						var err error
						switch (i + n) % 3 {
						case 0:
							p := &kluis.Placement{CandidateID: c.ID, ClientID: client.ID, Function: "Orderpicker", StartDate: "2026-12-07", HourlyWageCents: 1450}
							err, id, table = e.DB.CreatePlacement(ctx, e.Actor, p), p.ID, "placements"
						case 1:
							m := &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: fmt.Sprintf("Gebeld %d.%d", i, n)}
							err, id, table = e.DB.CreateContactMoment(ctx, e.Actor, m), m.ID, "contact_moments"
						default:
							d := &kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: fmt.Sprintf("cv-%d-%d.pdf", i, n)}
							err, id, table = e.DB.CreateDocument(ctx, e.Actor, d, strings.NewReader("%PDF-1.4\nCV\n%%EOF\n")), d.ID, "documents"
						}
						started <- struct{}{}
						switch {
						case err == nil && after:
							t.Errorf("a %s begun after the restriction was accepted", table)
							return
						case err == nil:
							mu.Lock()
							accepted[table][id] = true
							mu.Unlock()
						case code(err) == kluis.EConflict && strings.Contains(err.Error(), "art. 18"):
							mu.Lock()
							refused++
							mu.Unlock()
							if after {
								return // refused once it was placed: this recruiter stops
							}
						default:
							t.Errorf("writer %d: %v", i, err)
							return
						}
					}
				}()
			}
			// The restriction comes while the writes go on: after a few
			// have been made, not at a fixed time.
			for range writers / 2 {
				<-started
			}
			x := &kluis.Restriction{CandidateID: c.ID, Ground: "accuracy", Note: "De kandidaat betwist de gegevens"}
			if err := e.DB.Restrict(ctx, po, x); err != nil {
				t.Fatal(err)
			}
			restricted.Store(true)
			wg.Wait()
			refusedTotal += refused

			var at int64
			if err := raw.QueryRow("SELECT seq FROM audit_log WHERE tenant_id = $1 AND entity = 'restrictions' AND entity_id = $2 AND action = 'create'",
				e.Tenant.ID, x.ID).Scan(&at); err != nil {
				t.Fatal(err)
			}
			for table, ids := range accepted {
				rows, err := raw.Query("SELECT r.id, a.seq FROM "+table+" r LEFT JOIN audit_log a ON a.tenant_id = r.tenant_id AND a.entity = '"+table+
					"' AND a.entity_id = r.id AND a.action = 'create' WHERE r.tenant_id = $1 AND r.candidate_id = $2", e.Tenant.ID, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var id kluis.ID
					var seq *int64
					if err := rows.Scan(&id, &seq); err != nil {
						t.Fatal(err)
					}
					n++
					switch {
					case !ids[id]:
						t.Errorf("round %d: %s %d is there, but its write was refused", round, table, id)
					case seq == nil:
						t.Errorf("round %d: %s %d has no entry in the log", round, table, id)
					case *seq > at:
						t.Errorf("round %d: %s %d was committed after the restriction (log entry %d > %d)", round, table, id, *seq, at)
					}
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				rows.Close()
				if n != len(ids) {
					t.Errorf("round %d: %d %s accepted, %d there", round, len(ids), table, n)
				}
			}
			if len(accepted["placements"])+len(accepted["contact_moments"])+len(accepted["documents"]) == 0 || refused == 0 {
				t.Errorf("round %d: %d placements, %d contact moments, %d documents accepted, %d refused: the writes did not race the restriction",
					round, len(accepted["placements"]), len(accepted["contact_moments"]), len(accepted["documents"]), refused)
			}
		}
		// Every file in the blob store belongs to a document row: a refused
		// upload took its file away again.
		rows := map[string]bool{}
		res, err := raw.Query("SELECT blob_key FROM documents")
		if err != nil {
			t.Fatal(err)
		}
		for res.Next() {
			var k string
			if err := res.Scan(&k); err != nil {
				t.Fatal(err)
			}
			rows[k] = true
		}
		res.Close()
		bs, err := blob.NewDir(e.Dir + "/blobs")
		if err != nil {
			t.Fatal(err)
		}
		if err := bs.List(ctx, func(key string) error {
			if !rows[key] {
				t.Errorf("blob %s has no document", key)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		t.Logf("%d rounds of %d writers: %d writes refused", rounds, writers, refusedTotal)
	})
}
