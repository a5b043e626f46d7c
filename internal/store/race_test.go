package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
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
