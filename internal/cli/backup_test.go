package cli

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
	e := openWithDocuments(t, store.SQLite)
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

// TestABackupWhileKluisWritesIsConsistent: a backup taken while candidates
// are being registered (each a row and its access-log entry in one
// transaction) is the database at one moment: it passes SQLite's integrity
// and foreign-key checks, its audit chain verifies, every candidate in it
// has its log entry and no entry lacks its candidate; and the writes went
// on without an error while it was taken.
func TestABackupWhileKluisWritesIsConsistent(t *testing.T) {
	ctx := context.Background()
	e := openWithDocuments(t, store.SQLite)
	stop := make(chan struct{})
	written := make(chan int)
	go func() {
		n := 0
		defer func() { written <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			c := &kluis.Candidate{BranchID: e.Branch.ID, FirstName: "Schrijf", LastName: "Tijdens" + strconv.Itoa(n), Source: "walk-in"}
			if err := e.DB.CreateCandidate(ctx, e.Actor, c); err != nil {
				t.Errorf("a write during the backup: %v", err)
				return
			}
			n++
		}
	}()
	live := storetest.Raw(t, e)
	count := func() int {
		var n int
		if err := live.QueryRow("SELECT count(*) FROM candidates").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor := func(n int) {
		deadline := time.Now().Add(time.Minute)
		for count() < n {
			if time.Now().After(deadline) {
				t.Fatalf("the writes stopped below %d candidates", n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	// Some writes before, the backup amid them, some after.
	waitFor(20)
	var out, errb bytes.Buffer
	env := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, clock: e.Clock}
	bk := filepath.Join(t.TempDir(), "backup")
	if err := runBackup(ctx, env, []string{"--data", e.Dir, "--out", bk}); err != nil {
		t.Fatalf("backup: %v: %s", err, errb.String())
	}
	waitFor(count() + 20)
	close(stop)
	total := <-written
	raw, err := sql.Open("sqlite", store.SQLiteURI(filepath.Join(bk, "kluis.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var check string
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity check of the backup: %q %v", check, err)
	}
	rows, err := raw.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Error("the backup has rows whose foreign keys point nowhere")
	}
	rows.Close()
	var cands, logged, orphans int
	if err := raw.QueryRow("SELECT count(*) FROM candidates").Scan(&cands); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("SELECT count(DISTINCT entity_id) FROM audit_log WHERE entity = 'candidates' AND action = 'create'").Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT count(*) FROM candidates c WHERE NOT EXISTS
		(SELECT 1 FROM audit_log l WHERE l.entity = 'candidates' AND l.action = 'create' AND l.entity_id = c.id)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if cands < 20 || cands >= total || logged != cands || orphans != 0 {
		t.Errorf("the backup holds %d candidates and %d create entries (%d candidates without one); %d were written in all", cands, logged, orphans, total)
	}
	db, err := store.Open(ctx, filepath.Join(bk, "kluis.db"), store.Options{Clock: e.Clock, Vault: e.Vault})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.VerifyAudit(ctx, e.Tenant.ID); err != nil || n == 0 {
		t.Errorf("the backup's audit chain: %d entries, %v", n, err)
	}
	t.Logf("%d candidates written, %d of them in the backup", total, cands)
}

// openWithDocuments opens a test store whose documents lie where kluis
// keeps them, DATA/documents (the test store keeps them in DATA/blobs), so
// that backup and restore find them.
func openWithDocuments(t *testing.T, d store.Dialect) *storetest.Env {
	t.Helper()
	e := storetest.Open(t, d)
	if err := os.Rename(filepath.Join(e.Dir, "blobs"), filepath.Join(e.Dir, "documents")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("documents", filepath.Join(e.Dir, "blobs")); err != nil {
		t.Fatal(err)
	}
	return e
}
