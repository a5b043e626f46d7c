package store_test

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kluis/internal/blob"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// sensitiveCandidate makes a worker with every sensitive field filled.
func sensitiveCandidate(t *testing.T, e *storetest.Env) (*kluis.Candidate, []string) {
	t.Helper()
	c := e.MustCreateCandidate(t, "Oosterhuis")
	cl := e.MustCreateClient(t, "Glastuinbouw Zuid")
	e.MustCreatePlacement(t, c.ID, cl.ID, "2026-11-02")
	c, _ = e.DB.Candidate(ctx, e.Actor, c.ID)
	c.BSN, c.IBAN, c.IDDocumentType, c.IDDocumentNumber = "249566758", "NL91ABNA0417164300", "passport", "NXC4R8K21"
	if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	note := "Vertelde over zijn rugklachten bij het tillen"
	if err := e.DB.CreateContactMoment(ctx, e.Actor, &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: note}); err != nil {
		t.Fatal(err)
	}
	pdf := "%PDF-1.4\nPaspoort van Oosterhuis, nummer NXC4R8K21\n%%EOF\n"
	if err := e.DB.CreateDocument(ctx, e.Actor, &kluis.Document{CandidateID: c.ID, Kind: "id-copy", FileName: "id.pdf"}, strings.NewReader(pdf)); err != nil {
		t.Fatal(err)
	}
	return c, []string{"249566758", "NL91ABNA0417164300", "NXC4R8K21", note, "Paspoort van Oosterhuis"}
}

// rawBytes reads every file under dir: the database, its log, the stored
// documents — what a backup or a stolen disk would hold.
func rawBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var all bytes.Buffer
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), "keys.db") || d.Name() == "master.key" {
			return err
		}
		b, err := os.ReadFile(p)
		all.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all.Bytes()
}

func TestSensitiveFieldsAreUnreadableInTheRawFiles(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	c, secrets := sensitiveCandidate(t, e)
	raw := rawBytes(t, e.Dir)
	if !bytes.Contains(raw, []byte("Oosterhuis")) {
		t.Fatal("the raw files do not even hold the (not sensitive) last name: the test reads the wrong files")
	}
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("%q stands in the raw database or document files", s)
		}
	}
	// Through the store they read as they were written.
	got, err := e.DB.Candidate(ctx, e.Actor, c.ID)
	if err != nil || got.BSN != "249566758" || got.IBAN != "NL91ABNA0417164300" || got.IDDocumentNumber != "NXC4R8K21" {
		t.Fatalf("read back %+v %v", got, err)
	}
	docs, _, _ := e.DB.ListDocuments(ctx, e.Actor, store.DocumentFilter{CandidateID: c.ID})
	_, rc, err := e.DB.OpenDocument(ctx, e.Actor, docs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	content, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !strings.Contains(string(content), "Paspoort van Oosterhuis") || docs[0].Size != int64(len(content)) {
		t.Fatalf("document read back: %q (size %d) %v", content, docs[0].Size, err)
	}
}

// TestShreddingAKeyMakesEveryCopyUnreadable keeps a copy of the data as a
// backup would, deletes the candidate, and opens the copy: nothing of the
// sensitive data can be read any more, neither rows nor documents.
func TestShreddingAKeyMakesEveryCopyUnreadable(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	c, _ := sensitiveCandidate(t, e)
	backup := filepath.Join(t.TempDir(), "backup")
	if err := os.CopyFS(backup, os.DirFS(e.Dir)); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.DeleteCandidate(ctx, e.Actor, c.ID, 0); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.NewDir(filepath.Join(backup, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(ctx, filepath.Join(backup, "kluis.db"), store.Options{Clock: e.Clock, Blobs: blobs, Vault: e.Vault})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if _, err := restored.Candidate(ctx, e.Actor, c.ID); err == nil {
		t.Fatal("the candidate's sensitive fields can still be read from a backup after their key was destroyed")
	}
	moments, _, err := restored.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{CandidateID: c.ID})
	if err == nil {
		t.Fatalf("the notes can still be read from a backup: %+v", moments)
	}
	docs, _, err := restored.ListDocuments(ctx, e.Actor, store.DocumentFilter{CandidateID: c.ID})
	if err != nil || len(docs) != 1 {
		t.Fatalf("the backup's document row: %v %v", docs, err)
	}
	if _, _, err := restored.OpenDocument(ctx, e.Actor, docs[0].ID); err == nil {
		t.Fatal("the ID copy can still be read from a backup")
	}
}

func TestACandidateWhoseSaveFailsLeavesNoKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		keys, _, _ := e.Vault.Count(ctx)
		bad := &kluis.Candidate{BranchID: 4242, LastName: "Nergens"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, bad); err == nil {
			t.Fatal("a candidate in an unknown branch was saved")
		}
		after, _, _ := e.Vault.Count(ctx)
		if after != keys {
			t.Fatalf("%d keys before, %d after a failed save", keys, after)
		}
	})
}
