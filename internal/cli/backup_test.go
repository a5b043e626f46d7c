package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kluis/internal/blob"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// TestABackupRestoredAfterAnErasureDoesNotBringTheCandidateBack: back up
// while the store is open, erase a candidate, restore the backup. The
// other candidate and their documents are back; the erased one is erased
// again, documents included.
func TestABackupRestoredAfterAnErasureDoesNotBringTheCandidateBack(t *testing.T) {
	ctx := context.Background()
	e := storetest.Open(t, store.SQLite)
	// kluis keeps documents in DATA/documents; the test store in DATA/blobs.
	if err := os.Rename(filepath.Join(e.Dir, "blobs"), filepath.Join(e.Dir, "documents")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("documents", filepath.Join(e.Dir, "blobs")); err != nil {
		t.Fatal(err)
	}
	gone := e.MustCreateCandidate(t, "Vertrokken")
	stays := e.MustCreateCandidate(t, "Blijver")
	var keys []string
	for _, c := range []*kluis.Candidate{gone, stays} {
		d := &kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: "cv.pdf"}
		if err := e.DB.CreateDocument(ctx, e.Actor, d, strings.NewReader("%PDF-1.4\nCV van "+c.LastName+"\n%%EOF\n")); err != nil {
			t.Fatal(err)
		}
		var k string
		if err := storetest.Raw(t, e).QueryRow("SELECT blob_key FROM documents WHERE id = $1", d.ID).Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	var out, errb bytes.Buffer
	env := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, clock: e.Clock}
	bk := filepath.Join(t.TempDir(), "backup")
	if err := runBackup(ctx, env, []string{"--data", e.Dir, "--out", bk}); err != nil {
		t.Fatalf("backup: %v: %s", err, errb.String())
	}
	if !strings.Contains(out.String(), "2 document files") {
		t.Errorf("backup: %s", out.String())
	}
	if err := runBackup(ctx, env, []string{"--data", e.Dir, "--out", bk}); err == nil {
		t.Error("a backup overwrote another")
	}
	po := kluis.Actor{TenantID: e.Tenant.ID, Role: kluis.RolePrivacy}
	if got, err := e.DB.Erase(ctx, po, []kluis.ID{gone.ID}, store.EraseOptions{Reason: "request"}); err != nil || len(got) != 1 || !got[0].Complete {
		t.Fatalf("erase: %+v, %v", got, err)
	}
	e.DB.Close() // kluis is stopped for a restore
	out.Reset()
	args := []string{"--data", e.Dir, "--from", bk, "--master-key-file", filepath.Join(e.Dir, "master.key")}
	if err := runRestore(ctx, env, args); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("a restore over a database without --force: %v", err)
	}
	if err := runRestore(ctx, env, append(args, "--force")); err != nil {
		t.Fatalf("restore: %v: %s", err, errb.String())
	}
	if !strings.Contains(out.String(), "erased again 1 candidates") {
		t.Errorf("restore: %s", out.String())
	}
	blobs, err := blob.NewDir(filepath.Join(e.Dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, e.DSN, store.Options{Clock: e.Clock, Blobs: blobs, Vault: e.Vault})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Candidate(ctx, po, gone.ID); kluis.ErrorCode(err) != kluis.ENotFound {
		t.Errorf("the erased candidate is back: %v", err)
	}
	if c, err := db.Candidate(ctx, po, stays.ID); err != nil || c.LastName != "Blijver" {
		t.Errorf("the other candidate: %+v, %v", c, err)
	}
	if ok, _ := blobs.Exists(ctx, keys[0]); ok {
		t.Error("the erased candidate's CV is back")
	}
	if ok, _ := blobs.Exists(ctx, keys[1]); !ok {
		t.Error("the other candidate's CV was not restored")
	}
}
