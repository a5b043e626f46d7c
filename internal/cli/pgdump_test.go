package cli

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kluis/internal/blob"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/testdb"
)

// TestThePgDumpProcedureKeepsAnErasedCandidateErased follows the PostgreSQL
// backup of docs/OPERATIONS.md to the letter: pg_dump of the data (the key
// schema apart) and a copy of the documents, then an erasure, then
// pg_restore --clean and the documents copied back. The erased candidate's
// row is back, but their key is not, so their document is unreadable; and
// once kluis serve starts, it erases them again while the other candidate
// and their document stay.
func TestThePgDumpProcedureKeepsAnErasedCandidateErased(t *testing.T) {
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("CI must have %s", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	ctx := context.Background()
	e := openWithDocuments(t, store.Postgres)
	gone := e.MustCreateCandidate(t, "Vertrokken")
	stays := e.MustCreateCandidate(t, "Blijver")
	var docs []kluis.ID
	for _, c := range []*kluis.Candidate{gone, stays} {
		d := &kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: "cv.pdf"}
		if err := e.DB.CreateDocument(ctx, e.Actor, d, strings.NewReader("%PDF-1.4\nCV van "+c.LastName+"\n%%EOF\n")); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d.ID)
	}
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "PGOPTIONS=-c kluis.tenant=all")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	// The backup, as OPERATIONS.md says: the data while kluis serves, the
	// key schema apart (not in this backup), then the documents.
	bk := t.TempDir()
	dump := filepath.Join(bk, "kluis.dump")
	run("pg_dump", "--enable-row-security", "--format=custom", "--exclude-schema=kluis_keys", "--file", dump, "--dbname", e.DSN)
	if _, err := copyTree(filepath.Join(e.Dir, "documents"), filepath.Join(bk, "documents"), false); err != nil {
		t.Fatal(err)
	}

	po := kluis.Actor{TenantID: e.Tenant.ID, Role: kluis.RolePrivacy}
	if got, err := e.DB.Erase(ctx, po, []kluis.ID{gone.ID}, store.EraseOptions{Reason: "request"}); err != nil || len(got) != 1 || !got[0].Complete {
		t.Fatalf("erase: %+v, %v", got, err)
	}
	e.DB.Close() // kluis is stopped for a restore

	run("pg_restore", "--clean", "--dbname", e.DSN, dump)
	if _, err := copyTree(filepath.Join(bk, "documents"), filepath.Join(e.Dir, "documents"), true); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", testdb.AcrossAgencies(e.DSN))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	count := func() int {
		var n int
		if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM candidates WHERE id = $1", gone.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count() != 1 {
		t.Fatal("the restore did not bring the erased candidate's row back: the test proves nothing")
	}
	// Back, but unreadable: their key is not in the data backup.
	blobs, err := blob.NewDir(filepath.Join(e.Dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, e.DSN, store.Options{Clock: e.Clock, Blobs: blobs, Vault: e.Vault})
	if err != nil {
		t.Fatal(err)
	}
	if _, rc, err := db.OpenDocument(ctx, po, docs[0]); err == nil {
		b, _ := io.ReadAll(rc)
		rc.Close()
		t.Errorf("the erased candidate's CV can be opened from the restored backup: %q", b)
	}
	if _, err := e.Vault.Key(ctx, e.Tenant.ID, gone.ID); err == nil {
		t.Error("the erased candidate's key is back")
	}
	if _, err := e.Vault.Key(ctx, e.Tenant.ID, stays.ID); err != nil {
		t.Errorf("the other candidate's key: %v", err)
	}
	db.Close()

	// kluis serve starts and erases them again.
	sctx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	// Main writes its log to errb until it returns; it is read after.
	var out, errb bytes.Buffer
	go func() {
		done <- Main(sctx, []string{"serve", "--db", e.DSN, "--data", e.Dir, "--master-key-file", filepath.Join(e.Dir, "master.key"),
			"--addr", "127.0.0.1:0"}, strings.NewReader(""), &out, &errb)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for count() != 0 && time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("kluis serve stopped with %d", code)
		case <-time.After(100 * time.Millisecond):
		}
	}
	stop()
	<-done
	if count() != 0 {
		t.Fatal("kluis serve did not erase the candidate the restore brought back")
	}
	db, err = store.Open(ctx, e.DSN, store.Options{Clock: e.Clock, Blobs: blobs, Vault: e.Vault})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Candidate(ctx, po, gone.ID); kluis.ErrorCode(err) != kluis.ENotFound {
		t.Errorf("the erased candidate: %v", err)
	}
	if c, err := db.Candidate(ctx, po, stays.ID); err != nil || c.LastName != "Blijver" {
		t.Errorf("the other candidate: %+v, %v", c, err)
	}
	if _, rc, err := db.OpenDocument(ctx, po, docs[1]); err != nil {
		t.Errorf("the other candidate's CV: %v", err)
	} else {
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Contains(b, []byte("Blijver")) {
			t.Errorf("the other candidate's CV reads %q", b)
		}
	}
}
