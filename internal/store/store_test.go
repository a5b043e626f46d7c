package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

var ctx = context.Background()

func code(err error) kluis.Code {
	if err == nil {
		return ""
	}
	return kluis.ErrorCode(err)
}

func fields(err error) map[string]kluis.Msg {
	if e, ok := err.(*kluis.Error); ok {
		return e.Fields
	}
	return nil
}

func TestACandidateIsCreatedReadUpdatedAndDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Jansen")
		got, err := e.DB.Candidate(ctx, e.Actor, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.LastName != "Jansen" || got.Phone != "+31612345678" || got.DateOfBirth != "1990-05-17" || got.Version != 1 ||
			len(got.Functions) != 1 || got.Functions[0] != "Orderpicker" || !got.CreatedAt.Equal(storetest.Start) || got.RegisteredOn != "2026-11-29" {
			t.Fatalf("read back %+v", got)
		}
		got.City = "Amersfoort"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, got, 1); err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 {
			t.Fatalf("version %d after update", got.Version)
		}
		again, _ := e.DB.Candidate(ctx, e.Actor, c.ID)
		if again.City != "Amersfoort" || again.Version != 2 {
			t.Fatalf("update not stored: %+v", again)
		}
		if err := e.DB.DeleteCandidate(ctx, e.Actor, c.ID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.Candidate(ctx, e.Actor, c.ID); code(err) != kluis.ENotFound {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestAStaleEditIsAConflictAndChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Bakker")
		first, _ := e.DB.Candidate(ctx, e.Actor, c.ID)
		second, _ := e.DB.Candidate(ctx, e.Actor, c.ID)
		first.City = "Zeist"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, first, 1); err != nil {
			t.Fatal(err)
		}
		second.City = "Houten"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, second, 1); code(err) != kluis.EConflict {
			t.Fatalf("stale update: %v", err)
		}
		now, _ := e.DB.Candidate(ctx, e.Actor, c.ID)
		if now.City != "Zeist" || now.Version != 2 {
			t.Fatalf("stale update changed data: %+v", now)
		}
		if err := e.DB.DeleteCandidate(ctx, e.Actor, c.ID, 1); code(err) != kluis.EConflict {
			t.Fatalf("stale delete: %v", err)
		}
	})
}

func TestParallelEditsOfOneCandidateLoseNoUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Visser")
		const workers = 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, conflicts := 0, 0
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				mine := *c
				mine.Initials = strings.Repeat("A", i+1)
				err := e.DB.UpdateCandidate(ctx, e.Actor, &mine, 1)
				mu.Lock()
				defer mu.Unlock()
				switch code(err) {
				case "":
					ok++
				case kluis.EConflict:
					conflicts++
				default:
					t.Errorf("worker %d: %v", i, err)
				}
			}(i)
		}
		wg.Wait()
		if ok != 1 || conflicts != workers-1 {
			t.Fatalf("%d succeeded, %d conflicts; want 1 and %d", ok, conflicts, workers-1)
		}
	})
}

func TestBadInputIsRejectedWholeWithFieldErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := &kluis.Candidate{BranchID: e.Branch.ID, LastName: "Smit", Postcode: "99", Email: "geen-adres"}
		err := e.DB.CreateCandidate(ctx, e.Actor, c)
		if code(err) != kluis.EInvalid || fields(err)["postcode"].NL == "" || fields(err)["email"].EN == "" {
			t.Fatalf("got %v", err)
		}
		list, total, err := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{})
		if err != nil || total != 0 || len(list) != 0 {
			t.Fatalf("a rejected write left %d candidates (%v)", total, err)
		}
		c = &kluis.Candidate{BranchID: 424242, LastName: "Smit"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, c); fields(err)["branch_id"].NL == "" {
			t.Fatalf("unknown branch: %v", err)
		}
	})
}

func TestABSNIsRefusedUntilTheCandidateHasAPlacement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := &kluis.Candidate{BranchID: e.Branch.ID, LastName: "de Vries", BSN: "111222333"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, c); fields(err)["bsn"].NL == "" {
			t.Fatalf("BSN at registration accepted: %v", err)
		}
		c = e.MustCreateCandidate(t, "de Vries")
		c.BSN = "111222333"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); fields(err)["bsn"].NL == "" {
			t.Fatalf("BSN without placement accepted: %v", err)
		}
		cl := e.MustCreateClient(t, "Distributiecentrum Oost")
		e.MustCreatePlacement(t, c.ID, cl.ID, "2026-12-01")
		c, _ = e.DB.Candidate(ctx, e.Actor, c.ID)
		c.BSN = "111222333"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
			t.Fatalf("BSN with placement refused: %v", err)
		}
	})
}

func TestTheListFiltersSortsPagesAndStaysInItsTenant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		for _, n := range []string{"Jansen", "Janssen", "de Boer", "Bakker", "Jong"} {
			e.MustCreateCandidate(t, n)
		}
		list, total, err := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{Query: "jan"})
		if err != nil || total != 2 || len(list) != 2 || list[0].LastName != "Jansen" {
			t.Fatalf("query: %d %v %v", total, list, err)
		}
		list, total, _ = e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{Sort: "-last_name", Page: kluis.Page{Limit: 2, Offset: 1}})
		if total != 5 || len(list) != 2 || list[0].LastName != "Janssen" || list[1].LastName != "Jansen" {
			t.Fatalf("page: %d %+v", total, list)
		}
		if _, _, err := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{Sort: "bsn"}); fields(err)["sort"].NL == "" {
			t.Fatalf("sort on an unknown field: %v", err)
		}
		if _, _, err := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{Query: "%_\\"}); err != nil {
			t.Fatalf("wildcards in a query: %v", err)
		}
		other, _, err := e.DB.CreateTenant(ctx, "ander-bureau", "Ander bureau", "Den Haag", "Den Haag")
		if err != nil {
			t.Fatal(err)
		}
		stranger := kluis.Actor{TenantID: other.ID, Role: kluis.RoleRecruiter}
		if _, total, _ := e.DB.ListCandidates(ctx, stranger, store.CandidateFilter{}); total != 0 {
			t.Fatalf("another tenant sees %d candidates", total)
		}
		if _, err := e.DB.Candidate(ctx, stranger, list[0].ID); code(err) != kluis.ENotFound {
			t.Fatalf("another tenant reads a candidate: %v", err)
		}
	})
}

func TestDocumentsAreCheckedByContentAndGoWithTheirCandidate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Mulder")
		pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
		d := &kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: "../../cv mulder.pdf"}
		if err := e.DB.CreateDocument(ctx, e.Actor, d, bytes.NewReader(pdf)); err != nil {
			t.Fatal(err)
		}
		if d.ContentType != "application/pdf" || d.Size != int64(len(pdf)) || strings.Contains(d.FileName, "/") {
			t.Fatalf("stored %+v", d)
		}
		exe := &kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: "cv.pdf"}
		if err := e.DB.CreateDocument(ctx, e.Actor, exe, bytes.NewReader([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff"))); code(err) != kluis.EUnsupported {
			t.Fatalf("a program named cv.pdf: %v", err)
		}
		keys := 0
		_ = e.DB.Blobs().List(ctx, func(string) error { keys++; return nil })
		if keys != 1 {
			t.Fatalf("%d blobs after one good and one bad upload", keys)
		}
		cl := e.MustCreateClient(t, "Bouwbedrijf West")
		disc, err := e.DB.DiscloseDocument(ctx, e.Actor, d.ID, cl.ID, "Voorstellen voor vacature orderpicker")
		if err != nil || disc.Recipient != "Bouwbedrijf West" {
			t.Fatalf("disclose: %+v %v", disc, err)
		}
		moments, _, _ := e.DB.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{CandidateID: c.ID})
		if len(moments) != 1 || moments[0].Kind != "cv-sent" {
			t.Fatalf("history after sending the CV: %+v", moments)
		}
		if err := e.DB.DeleteClient(ctx, e.Actor, cl.ID, 0); code(err) != kluis.EConflict {
			t.Fatalf("deleting a client with disclosures: %v", err)
		}
		if err := e.DB.DeleteCandidate(ctx, e.Actor, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		keys = 0
		_ = e.DB.Blobs().List(ctx, func(string) error { keys++; return nil })
		if keys != 0 {
			t.Fatalf("%d blobs left after deleting the candidate", keys)
		}
		if _, total, _ := e.DB.ListDisclosures(ctx, e.Actor, store.DisclosureFilter{}); total != 0 {
			t.Fatalf("%d disclosures left after deleting the candidate", total)
		}
	})
}

func TestPayrollRecordsReferOnlyToTheirOwnCandidate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		a := e.MustCreateCandidate(t, "Peters")
		b := e.MustCreateCandidate(t, "Hendriks")
		cl := e.MustCreateClient(t, "Kas Westland")
		pa := e.MustCreatePlacement(t, a.ID, cl.ID, "2025-03-01")
		slip := &kluis.Document{CandidateID: b.ID, Kind: "pay-slip", FileName: "strook.pdf"}
		if err := e.DB.CreateDocument(ctx, e.Actor, slip, strings.NewReader("%PDF-1.4\n%%EOF\n")); err != nil {
			t.Fatal(err)
		}
		r := &kluis.PayrollRecord{CandidateID: a.ID, PlacementID: pa.ID, Year: 2025, Period: 4, GrossCents: 250000, NetCents: 190000, DocumentID: slip.ID}
		if err := e.DB.CreatePayrollRecord(ctx, e.Actor, r); fields(err)["document_id"].NL == "" {
			t.Fatalf("pay slip of another candidate accepted: %v", err)
		}
		r.DocumentID = 0
		if err := e.DB.CreatePayrollRecord(ctx, e.Actor, r); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.DeletePlacement(ctx, e.Actor, pa.ID, 0); code(err) != kluis.EConflict {
			t.Fatalf("deleting a placement with payroll records: %v", err)
		}
		bad := &kluis.PayrollRecord{CandidateID: a.ID, Year: 2025, Period: 60, GrossCents: 100, NetCents: 200}
		err := e.DB.CreatePayrollRecord(ctx, e.Actor, bad)
		if fields(err)["period"].NL == "" || fields(err)["net_cents"].NL == "" {
			t.Fatalf("bad payroll record: %v", err)
		}
	})
}

func TestTheSchemaVersionIsChecked(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d, t.TempDir())
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "kluis migrate") {
				t.Fatalf("an empty database passed the check: %v", err)
			}
			if n, err := db.Migrate(ctx); err != nil || n == 0 {
				t.Fatalf("migrate: %d %v", n, err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestASecondCandidateWithTheSameBSNIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		cl := e.MustCreateClient(t, "Metaalbewerking Oost")
		var ids []kluis.ID
		for _, name := range []string{"Bosman", "Bosmans"} {
			c := e.MustCreateCandidate(t, name)
			e.MustCreatePlacement(t, c.ID, cl.ID, "2026-10-01")
			ids = append(ids, c.ID)
		}
		first, _ := e.DB.Candidate(ctx, e.Actor, ids[0])
		first.BSN = "123456782"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, first, first.Version); err != nil {
			t.Fatal(err)
		}
		// Saving the first again with its own BSN is no duplicate.
		if err := e.DB.UpdateCandidate(ctx, e.Actor, first, first.Version); err != nil {
			t.Fatalf("resaving: %v", err)
		}
		second, _ := e.DB.Candidate(ctx, e.Actor, ids[1])
		second.BSN = "123456782"
		err := e.DB.UpdateCandidate(ctx, e.Actor, second, second.Version)
		if !strings.Contains(fields(err)["bsn"].EN, "another candidate") {
			t.Fatalf("a duplicate BSN: %v", err)
		}
		if fp := first.BSNFingerprint; len(fp) != 64 || strings.Contains(fp, "123456782") {
			t.Fatalf("fingerprint %q", fp)
		}
	})
}

// TestADataDirectoryMayHoldURICharacters: a data directory named with #, ?
// or % is opened as itself, not cut short where a URI would end.
func TestADataDirectoryMayHoldURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bureau #2?a=%41")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "kluis.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
}

// TestASnapshotReadsOneStateOfOneAgency: the reads in a Snapshot see the
// database as it was when it began, writes in it go through, and an
// other agency's reads in its context are not joined to it.
func TestASnapshotReadsOneStateOfOneAgency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Voor")
		other, branch, err := e.DB.CreateTenant(ctx, "ander", "Ander Bureau", "Zwolle", "Zwolle")
		if err != nil {
			t.Fatal(err)
		}
		oa := kluis.Actor{TenantID: other.ID, Role: kluis.RoleRecruiter}
		oc := &kluis.Candidate{BranchID: branch.ID, FirstName: "Ank", LastName: "Elders", City: "Zwolle", Email: "ank@example.nl"}
		if err := e.DB.CreateCandidate(ctx, oa, oc); err != nil {
			t.Fatal(err)
		}
		err = e.DB.Snapshot(ctx, e.Actor, func(sctx context.Context) error {
			got, err := e.DB.Candidate(sctx, e.Actor, c.ID)
			if err != nil {
				return err
			}
			if got.LastName != "Voor" {
				t.Fatalf("in the snapshot: %q", got.LastName)
			}
			// A change made outside, after the snapshot began…
			got.LastName = "Na"
			if err := e.DB.UpdateCandidate(ctx, e.Actor, got, got.Version); err != nil {
				return err
			}
			if err := e.DB.CreateContactMoment(ctx, e.Actor, &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: "later"}); err != nil {
				return err
			}
			// …is not seen by the snapshot's reads,
			again, err := e.DB.Candidate(sctx, e.Actor, c.ID)
			if err != nil {
				return err
			}
			if again.LastName != "Voor" {
				t.Errorf("the snapshot sees a later change: %q", again.LastName)
			}
			ms, err := e.DB.AllContactMoments(sctx, e.Actor, c.ID)
			if err != nil {
				return err
			}
			if len(ms) != 0 {
				t.Errorf("the snapshot sees a later contact moment: %d", len(ms))
			}
			// while a read outside it is.
			if now, err := e.DB.Candidate(ctx, e.Actor, c.ID); err != nil || now.LastName != "Na" {
				t.Errorf("outside the snapshot: %+v %v", now, err)
			}
			// A write in its context goes through.
			again.LastName = "Daarna"
			if err := e.DB.UpdateCandidate(sctx, e.Actor, again, again.Version+1); err != nil {
				t.Errorf("a write in the snapshot's context: %v", err)
			}
			// The other agency reads its own candidate, not through
			// this agency's snapshot.
			if got, err := e.DB.Candidate(sctx, oa, oc.ID); err != nil || got.LastName != "Elders" {
				t.Errorf("the other agency in the snapshot's context: %+v %v", got, err)
			}
			if _, err := e.DB.Candidate(sctx, e.Actor, oc.ID); code(err) != kluis.ENotFound {
				t.Errorf("the other agency's candidate through the snapshot: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.DB.Candidate(ctx, e.Actor, c.ID); err != nil || got.LastName != "Daarna" {
			t.Fatalf("after the snapshot: %+v %v", got, err)
		}
	})
}

// TestTheAutovacuumSettingIsRead: serve warns when the PostgreSQL server
// runs without autovacuum (the rows of erased candidates would stay in the
// table files); the answer is the server's own setting, and SQLite has
// none to miss.
func TestTheAutovacuumSettingIsRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		off, err := e.DB.AutovacuumOff(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if e.DB.Dialect != store.Postgres {
			if off {
				t.Error("SQLite reported as running without autovacuum")
			}
			return
		}
		db, err := sql.Open("pgx", e.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var setting string
		if err := db.QueryRowContext(ctx, "SELECT setting FROM pg_settings WHERE name = 'autovacuum'").Scan(&setting); err != nil {
			t.Fatal(err)
		}
		if off != (setting == "off") {
			t.Errorf("AutovacuumOff %v, the server's setting %q", off, setting)
		}
		t.Logf("autovacuum on this server: %s", setting)
	})
}
