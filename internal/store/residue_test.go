package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// cvText is the content of the erased candidate's CV.
const cvText = "Curriculum vitae\nWilhelmina Zwanenburg\nOrderpicker sinds 2019\n"

// mustCreateErasable registers a worker with distinctive values in every
// identifying field, a CV and a contact moment, and returns them with the
// identifiers IdentifiersOf takes from them.
func mustCreateErasable(t *testing.T, e *storetest.Env) (*kluis.Candidate, []store.Identifier) {
	t.Helper()
	c := &kluis.Candidate{BranchID: e.Branch.ID, FirstName: "Wilhelmina", LastName: "Zwanenburg", City: "Utrecht",
		Email: "W.Zwanenburg@voorbeeld.nl", Phone: "06-98765432", Source: "walk-in"}
	if err := e.DB.CreateCandidate(ctx, e.Actor, c); err != nil {
		t.Fatal(err)
	}
	cl := e.MustCreateClient(t, "Glastuinbouw Zuid")
	e.MustCreatePlacement(t, c.ID, cl.ID, "2026-11-02")
	c, _ = e.DB.Candidate(ctx, e.Actor, c.ID)
	c.BSN, c.IBAN, c.IDDocumentType, c.IDDocumentNumber = "249566758", "NL91ABNA0417164300", "passport", "NXC4R8K21"
	if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	note := "Belde terug over de rijbewijscursus van Zwanenburg"
	if err := e.DB.CreateContactMoment(ctx, e.Actor, &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: note}); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.CreateDocument(ctx, e.Actor, &kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: "cv-zwanenburg.txt"}, strings.NewReader(cvText)); err != nil {
		t.Fatal(err)
	}
	c, _ = e.DB.Candidate(ctx, e.Actor, c.ID)
	docs, _, err := e.DB.ListDocuments(ctx, e.Actor, store.DocumentFilter{CandidateID: c.ID})
	if err != nil || len(docs) != 1 {
		t.Fatalf("documents %v %v", docs, err)
	}
	return c, store.IdentifiersOf(c, docs)
}

// places returns, per identifier kind, the places it was found.
func places(hits []store.Hit) map[string][]string {
	out := map[string][]string{}
	for _, h := range hits {
		out[h.Kind] = append(out[h.Kind], h.Place)
	}
	return out
}

func hasPlace(ps []string, prefix string) bool {
	for _, p := range ps {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// assertNoValues fails when a hit's place repeats an identifier: the report
// must say where, never what.
func assertNoValues(t *testing.T, hits []store.Hit, ids []store.Identifier) {
	t.Helper()
	for _, h := range hits {
		for _, id := range ids {
			if strings.Contains(strings.ToLower(h.Place), strings.ToLower(id.Value)) {
				t.Errorf("the place %q repeats identifier %s", h.Place, id.Kind)
			}
		}
	}
}

func TestTheResidueScanFindsACandidateUntilTheyAreDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c, ids := mustCreateErasable(t, e)
		kinds := map[string]bool{}
		for _, id := range ids {
			kinds[id.Kind] = true
		}
		for _, k := range []string{"name", "email", "phone", "bsn", "iban", "document-number", "file-hash"} {
			if !kinds[k] {
				t.Fatalf("IdentifiersOf gave no %s: %+v", k, ids)
			}
		}

		hits, err := e.DB.ScanResidue(ctx, ids, store.ResidueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		assertNoValues(t, hits, ids)
		got := places(hits)
		row := fmt.Sprintf(", row %d", c.ID)
		for _, want := range []struct{ kind, place string }{
			{"name", "table candidates, column first_name" + row},
			{"name", "table candidates, column last_name" + row},
			{"name", "table documents, column file_name"},
			{"email", "table candidates, column email" + row},
			// Stored as +31698765432: found through the national number.
			{"phone", "table candidates, column phone" + row},
			{"file-hash", "table documents, column sha256"},
		} {
			if !hasPlace(got[want.kind], want.place) {
				t.Errorf("no %s hit at %q; hits: %v", want.kind, want.place, hits)
			}
		}
		// Sealed columns and documents hold ciphertext: the plaintext is
		// not in them, which is what makes shredding the key enough.
		for _, k := range []string{"bsn", "iban", "document-number"} {
			if len(got[k]) > 0 {
				t.Errorf("the sealed %s was found in plain text at %v", k, got[k])
			}
		}
		for _, h := range hits {
			if strings.HasPrefix(h.Place, "table contact_moments") || strings.HasPrefix(h.Place, "blob ") {
				t.Errorf("found in a sealed note or document: %+v", h)
			}
		}

		if err := e.DB.DeleteCandidate(ctx, e.Actor, c.ID, c.Version); err != nil {
			t.Fatal(err)
		}
		hits, err = e.DB.ScanResidue(ctx, ids, store.ResidueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) > 0 {
			t.Errorf("after the delete, left behind: %v", hits)
		}
	})
}

// TestTheRawDatabaseFileHoldsNothingAfterADeleteAndACheckpoint reads the
// SQLite file and its log byte by byte: secure_delete zeroes what was
// deleted, and a checkpoint empties the log of the old page images.
func TestTheRawDatabaseFileHoldsNothingAfterADeleteAndACheckpoint(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	c, ids := mustCreateErasable(t, e)
	raw := store.ResidueOptions{RawFiles: true}
	hits, err := e.DB.ScanResidue(ctx, ids, raw)
	if err != nil {
		t.Fatal(err)
	}
	assertNoValues(t, hits, ids)
	if !hasPlace(places(hits)["name"], "database file "+e.DSN) {
		t.Fatalf("the raw scan does not even find the (not sealed) name in the database file: %v", hits)
	}
	for _, k := range []string{"bsn", "iban", "document-number"} {
		if ps := places(hits)[k]; len(ps) > 0 {
			t.Errorf("the sealed %s stands in plain text in %v", k, ps)
		}
	}

	if err := e.DB.DeleteCandidate(ctx, e.Actor, c.ID, c.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := storetest.Raw(t, e).ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	hits, err = e.DB.ScanResidue(ctx, ids, raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) > 0 {
		t.Errorf("after the delete and a checkpoint, the raw files still hold: %v", hits)
	}
}

// TestTheResidueScanReadsEveryBlob: a plain copy of the CV, stored outside
// kluis's sealing, is found by its hash and by the name in it, also when the
// name straddles two of the chunks the scan reads.
func TestTheResidueScanReadsEveryBlob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		_, ids := mustCreateErasable(t, e)
		if _, err := e.DB.Blobs().Put(ctx, "stray/plain-cv", strings.NewReader(cvText)); err != nil {
			t.Fatal(err)
		}
		for _, at := range []int{256<<10 - 4, 256<<10 - 9, 512<<10 - 1} {
			big := strings.Repeat("x", at) + "ZWANENBURG" + strings.Repeat("y", 1000)
			if _, err := e.DB.Blobs().Put(ctx, fmt.Sprintf("stray/big-%d", at), strings.NewReader(big)); err != nil {
				t.Fatal(err)
			}
		}
		hits, err := e.DB.ScanResidue(ctx, ids, store.ResidueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := places(hits)
		if !hasPlace(got["file-hash"], "blob stray/plain-cv (its sha256)") || !hasPlace(got["name"], "blob stray/plain-cv") {
			t.Errorf("the plain copy is not found: %v", hits)
		}
		n := 0
		for _, p := range got["name"] {
			if strings.HasPrefix(p, "blob stray/big-") {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%d of the 3 names across chunk boundaries found, each once: %v", n, got["name"])
		}
	})
}

func TestTheResidueScanReadsLogFilesLineByLine(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	ids := []store.Identifier{{"email", "W.Zwanenburg@voorbeeld.nl"}, {"phone", "06-98765432"}, {"iban", "NL91ABNA0417164300"}, {"bsn", "2495.66.758"}}
	log := filepath.Join(t.TempDir(), "kluis.log")
	lines := []string{
		`{"msg":"start"}`,
		`{"msg":"login","user":7}`,
		`{"msg":"mail sent","to":"w.zwanenburg@VOORBEELD.nl"}`,
		`{"msg":"import row","phone":"+31 6 98765432","phone2":"0698765432"}`,
		`{"msg":"payroll","iban":"nl91 abna 0417 1643 00"}`,
		`{"msg":"lookup","bsn":"249566758"}`,
	}
	if err := os.WriteFile(log, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hits, err := e.DB.ScanResidue(ctx, ids, store.ResidueOptions{LogFiles: []string{log}})
	if err != nil {
		t.Fatal(err)
	}
	assertNoValues(t, hits, ids)
	want := []store.Hit{
		{Identifier: 0, Kind: "email", Place: "log " + log + ", line 3"},
		{Identifier: 1, Kind: "phone", Place: "log " + log + ", line 4"},
		{Identifier: 2, Kind: "iban", Place: "log " + log + ", line 5"},
		{Identifier: 3, Kind: "bsn", Place: "log " + log + ", line 6"},
	}
	if fmt.Sprint(hits) != fmt.Sprint(want) {
		t.Errorf("hits\n%v\nwant\n%v", hits, want)
	}
}

func TestIdentifiersOfLeavesOutShortValuesAndDuplicates(t *testing.T) {
	c := &kluis.Candidate{FirstName: "Ann", Prefix: "de", LastName: "Vries", Email: "vries@x.nl", Phone: "+31612345678"}
	content := sha256.Sum256([]byte("cv"))
	h := hex.EncodeToString(content[:])
	got := store.IdentifiersOf(c, []kluis.Document{{SHA256: h}, {SHA256: h}})
	want := []store.Identifier{{"name", "Vries"}, {"name", "Ann de Vries"}, {"email", "vries@x.nl"}, {"phone", "+31612345678"}, {"file-hash", h}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestTheResidueScanRefusesIdentifiersThatWouldMatchEverywhere(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	for _, ids := range [][]store.Identifier{{{"name", "Li"}}, {{"name", "  "}}, {{"nickname", "Zwanenburg"}}} {
		_, err := e.DB.ScanResidue(ctx, ids, store.ResidueOptions{})
		if err == nil {
			t.Errorf("%v accepted", ids)
		} else if strings.Contains(err.Error(), ids[0].Value) && strings.TrimSpace(ids[0].Value) != "" {
			t.Errorf("the error %q repeats the value", err)
		}
	}
}
