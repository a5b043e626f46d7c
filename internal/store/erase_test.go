package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kluis/internal/blob"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
	"kluis/internal/vault"
)

// The tests of erasure follow a candidate through the states LEGAL.md
// knows — never worked, working, left long ago, with consent, under a
// legal hold — and check, in the database itself, what is left.

var (
	privacyOfficer = func(e *storetest.Env) kluis.Actor {
		return kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RolePrivacy}
	}
	payrollClerk = func(e *storetest.Env) kluis.Actor {
		return kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RolePayroll}
	}
)

// candidateTables are every table that holds rows of a candidate.
var candidateTables = []string{"candidates", "placements", "contact_moments", "documents", "payroll_records", "disclosures", "consents", "legal_holds"}

// rowsOf counts a candidate's rows per table, read past the store.
func rowsOf(t *testing.T, e *storetest.Env, cand kluis.ID) map[string]int {
	t.Helper()
	raw := storetest.Raw(t, e)
	out := map[string]int{}
	for _, tb := range candidateTables {
		col := "candidate_id"
		if tb == "candidates" {
			col = "id"
		}
		var n int
		if err := raw.QueryRow("SELECT count(*) FROM "+tb+" WHERE tenant_id = $1 AND "+col+" = $2", e.Tenant.ID, cand).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			out[tb] = n
		}
	}
	return out
}

// phones numbers the test candidates' phones.
var phones int

// richCandidate registers a candidate with history, a CV and, when worked
// is set, an employment from January to June 2026 with BSN, IBAN, pay slip
// and payroll record.
func richCandidate(t *testing.T, e *storetest.Env, name string, worked bool) (c *kluis.Candidate, docs []kluis.Document) {
	t.Helper()
	// Each has a phone number of their own: the residue checks look for it.
	phones++
	c = &kluis.Candidate{BranchID: e.Branch.ID, FirstName: "Sanne", LastName: name, City: "Utrecht",
		Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.nl", Phone: fmt.Sprintf("06-%08d", 31415900+phones),
		Postcode: "3511 AB", DateOfBirth: "1990-05-17", Functions: []string{"Orderpicker"}, Source: "walk-in"}
	if err := e.DB.CreateCandidate(ctx, e.Actor, c); err != nil {
		t.Fatal(err)
	}
	m := &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", At: storetest.Start.Add(-time.Hour), Note: "Belde over werk in de kassen"}
	if err := e.DB.CreateContactMoment(ctx, e.Actor, m); err != nil {
		t.Fatal(err)
	}
	cv := kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: "cv-" + name + ".pdf"}
	if err := e.DB.CreateDocument(ctx, e.Actor, &cv, strings.NewReader("%PDF-1.4\nCV van "+name+"\n%%EOF\n")); err != nil {
		t.Fatal(err)
	}
	docs = append(docs, cv)
	if !worked {
		return c, docs
	}
	cl := e.MustCreateClient(t, fmt.Sprintf("Kwekerij %d", c.ID%997))
	p := &kluis.Placement{CandidateID: c.ID, ClientID: cl.ID, Function: "Orderpicker", StartDate: "2026-01-05", EndDate: "2026-06-30", HourlyWageCents: 1450}
	if err := e.DB.CreatePlacement(ctx, e.Actor, p); err != nil {
		t.Fatal(err)
	}
	pay := payrollClerk(e)
	cur, err := e.DB.Candidate(ctx, pay, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	cur.BSN, cur.IBAN = bsnFor(c.ID), "NL91ABNA0417164300"
	if err := e.DB.UpdateCandidate(ctx, pay, cur, cur.Version); err != nil {
		t.Fatal(err)
	}
	slip := kluis.Document{CandidateID: c.ID, Kind: "pay-slip", FileName: "loonstrook-2026-06.pdf"}
	if err := e.DB.CreateDocument(ctx, pay, &slip, strings.NewReader("%PDF-1.4\nLoonstrook juni van "+name+"\n%%EOF\n")); err != nil {
		t.Fatal(err)
	}
	docs = append(docs, slip)
	if err := e.DB.CreatePayrollRecord(ctx, pay, &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: p.ID, Year: 2026, Period: 6,
		GrossCents: 250000, NetCents: 190000, DocumentID: slip.ID}); err != nil {
		t.Fatal(err)
	}
	return c, docs
}

// bsnFor makes a BSN that passes the elfproef from a number: one of its
// own for each test candidate.
func bsnFor(n kluis.ID) string {
	for seed := int64(n) % 90_000_000; ; seed++ {
		d := fmt.Sprintf("%08d", 10_000_000+seed%89_999_999)
		sum := 0
		for i, r := range d {
			sum += (9 - i) * int(r-'0')
		}
		if last := sum % 11; last < 10 {
			return d + string(rune('0'+last))
		}
	}
}

// advanceTo moves the test clock to day d, 09:00.
func advanceTo(e *storetest.Env, d kluis.Date) {
	e.Clock.T = d.Time().Add(9 * time.Hour)
}

// mustBeGone checks that nothing of a candidate is left: no row in any
// table, no document contents, no key.
func mustBeGone(t *testing.T, e *storetest.Env, cand kluis.ID, keys []string) {
	t.Helper()
	if left := rowsOf(t, e, cand); len(left) > 0 {
		t.Errorf("rows left of candidate %d: %v", cand, left)
	}
	bs, err := blob.NewDir(e.Dir + "/blobs")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if ok, err := bs.Exists(ctx, k); err != nil || ok {
			t.Errorf("document contents %s still stored (err %v)", k, err)
		}
	}
	if _, err := e.Vault.Key(ctx, e.Tenant.ID, cand); !errors.Is(err, vault.ErrShredded) {
		t.Errorf("the key of candidate %d was not shredded: %v", cand, err)
	}
}

func blobKeysOf(t *testing.T, e *storetest.Env, cand kluis.ID) []string {
	t.Helper()
	rows, err := storetest.Raw(t, e).Query("SELECT blob_key FROM documents WHERE tenant_id = $1 AND candidate_id = $2 ORDER BY kind", e.Tenant.ID, cand)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

func TestACandidateWhoNeverWorkedIsGoneTwoYearsAfterTheLastActivity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c, _ := richCandidate(t, e, "Oosterhuis", false)
		keys := blobKeysOf(t, e, c.ID)
		po := privacyOfficer(e)

		advanceTo(e, "2028-11-28") // one day short of R1's 24 months
		if got, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{}); err != nil || len(got) != 0 {
			t.Fatalf("erased before the term ended: %+v, %v", got, err)
		}
		advanceTo(e, "2028-11-30")
		known := store.IdentifiersOf(c, nil)
		got, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{Verify: true})
		if err != nil || len(got) != 1 {
			t.Fatalf("erase: %+v, %v", got, err)
		}
		rec := got[0]
		if rec.ResidueHits == nil || *rec.ResidueHits != 0 || rec.VerifiedAt == nil {
			t.Errorf("the erasure's own scan: %v hits", rec.ResidueHits)
		}
		// Nothing in any table, blob or the database files themselves
		// (secure_delete, and the log checkpointed after the erasure).
		hits, err := e.DB.ScanResidue(ctx, known, store.ResidueOptions{RawFiles: e.DB.Dialect == store.SQLite})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			t.Errorf("residue: %s (%s)", h.Place, h.Kind)
		}
		if !rec.Complete || len(rec.Kept) != 0 || rec.Reason != "retention" || rec.Files != 1 || rec.FilesPending != 0 || rec.KeyShreddedAt == nil {
			t.Errorf("record %+v", rec)
		}
		mustBeGone(t, e, c.ID, keys)
		// The record proves it, and holds no personal data: its JSON
		// names categories and fields, never values.
		stored, err := e.DB.ErasureRecord(ctx, po, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.CandidateID != c.ID || !stored.Complete || len(stored.Erased) == 0 {
			t.Errorf("stored record %+v", stored)
		}
		var erased, kept string
		if err := storetest.Raw(t, e).QueryRow("SELECT erased || kept FROM erasures WHERE id = $1", rec.ID).Scan(&erased); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"Oosterhuis", "Sanne", "oosterhuis@example.nl", "Utrecht", "06-12345678"} {
			if strings.Contains(erased+kept, v) {
				t.Errorf("the erasure record holds %q", v)
			}
		}
		if _, err := e.DB.Candidate(ctx, po, c.ID); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Errorf("the candidate can still be read: %v", err)
		}
		if n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil || n == 0 {
			t.Errorf("audit chain after erasure: %d, %v", n, err)
		}
	})
}

func TestALeaverIsErasedInStagesAndRestrictedToWhatTheLawRequires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c, docs := richCandidate(t, e, "Verbeek", true)
		po, pay := privacyOfficer(e), payrollClerk(e)

		// R3: the personnel file goes 24 months after the work ended
		// (30 June 2026); R4 (5 years) and R5 (7 years from 1 January
		// 2027) still require name, date of birth, BSN and payroll.
		advanceTo(e, "2028-06-29")
		if got, _ := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{}); len(got) != 0 {
			t.Fatalf("erased on the last day of R3: %+v", got)
		}
		advanceTo(e, "2028-06-30")
		got, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{})
		if err != nil || len(got) != 1 {
			t.Fatalf("erase: %+v, %v", got, err)
		}
		rec := got[0]
		if rec.Complete || len(rec.Kept) == 0 || rec.KeyShreddedAt != nil {
			t.Fatalf("a staged erasure: %+v", rec)
		}
		for _, k := range rec.Kept {
			if k.Rule != "R4" && k.Rule != "R5" && k.Rule != "R6" {
				t.Errorf("kept %s by %s: only legal minimums may keep data now", k.Category, k.Rule)
			}
		}
		left := rowsOf(t, e, c.ID)
		want := map[string]int{"candidates": 1, "placements": 1, "documents": 1, "payroll_records": 1}
		for tb, n := range want {
			if left[tb] != n {
				t.Errorf("%s: %d rows left, want %d (all: %v)", tb, left[tb], n, left)
			}
		}
		if left["contact_moments"] != 0 {
			t.Errorf("contact moments outlived R3: %v", left)
		}
		bs, _ := blob.NewDir(e.Dir + "/blobs")
		if ok, _ := bs.Exists(ctx, blobKeysOfKind(t, e, c.ID, "pay-slip")); !ok {
			t.Error("the pay slip (R5) was erased")
		}
		_ = docs
		// Payroll still reads what is kept; the e-mail address and phone
		// (R1/R3 only) are gone; name, date of birth, BSN stay.
		kept, err := e.DB.Candidate(ctx, pay, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if kept.Email != "" || kept.Phone != "" || len(kept.Functions) != 0 || kept.LastName != "Verbeek" || kept.BSN != bsnFor(c.ID) ||
			kept.DateOfBirth != "1990-05-17" || kept.Restricted != kluis.RestrictedLegalMinimum {
			t.Errorf("kept %+v", kept)
		}
		// Nobody changes it, and the recruiter no longer sees it.
		kept.City = "Zeist"
		if err := e.DB.UpdateCandidate(ctx, pay, kept, kept.Version); kluis.ErrorCode(err) != kluis.EConflict {
			t.Errorf("a restricted candidate was changed: %v", err)
		}
		if err := e.DB.CreateContactMoment(ctx, e.Actor, &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", At: e.Clock.Now()}); err == nil {
			t.Error("a contact moment was added to a restricted candidate")
		}
		if _, err := e.DB.Candidate(ctx, e.Actor, c.ID); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Errorf("the recruiter still sees the restricted candidate: %v", err)
		}
		list, _, err := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.ID == c.ID {
				t.Error("the recruiter's list shows the restricted candidate")
			}
		}
		// Run again, nothing is touched twice.
		if again, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{}); err != nil || len(again) != 0 {
			t.Errorf("a second run erased again: %+v, %v", again, err)
		}
		// When R4 and R5 end too (1 January 2034), the candidate is gone.
		keys := blobKeysOf(t, e, c.ID)
		advanceTo(e, "2034-01-01")
		got, err = e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{})
		if err != nil || len(got) != 1 || !got[0].Complete {
			t.Fatalf("final erasure: %+v, %v", got, err)
		}
		mustBeGone(t, e, c.ID, keys)
		hits, err := e.DB.ScanResidue(ctx, store.IdentifiersOf(kept, nil), store.ResidueOptions{RawFiles: e.DB.Dialect == store.SQLite})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			t.Errorf("residue: %s (%s)", h.Place, h.Kind)
		}
		all, total, err := e.DB.Erasures(ctx, po, store.ErasureFilter{CandidateID: c.ID})
		if err != nil || total != 2 || len(all) != 2 {
			t.Errorf("the candidate's erasure records: %d, %v", total, err)
		}
	})
}

func blobKeysOfKind(t *testing.T, e *storetest.Env, cand kluis.ID, kind string) string {
	t.Helper()
	var k string
	if err := storetest.Raw(t, e).QueryRow("SELECT blob_key FROM documents WHERE tenant_id = $1 AND candidate_id = $2 AND kind = $3",
		e.Tenant.ID, cand, kind).Scan(&k); err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return k
}

func TestConsentAHoldAndWorkKeepData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		// The agency keeps candidates who never worked 12 months (R1);
		// one of them consents to 24.
		set, err := e.DB.Settings(ctx, e.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		set.R1Months = 12
		if err := e.DB.SaveSettings(ctx, kluis.Actor{TenantID: e.Tenant.ID, Role: kluis.RoleAdmin}, set, set.Version); err != nil {
			t.Fatal(err)
		}
		consenting, _ := richCandidate(t, e, "Bakker", false)
		if err := e.DB.CreateConsent(ctx, e.Actor, &kluis.Consent{CandidateID: consenting.ID, Channel: "phone", Wording: "v1",
			GivenOn: "2026-11-29", ValidUntil: "2028-11-29"}); err != nil {
			t.Fatal(err)
		}
		held, _ := richCandidate(t, e, "De Vries", false)
		hold := &kluis.LegalHold{CandidateID: held.ID, Kind: "dispute", Reason: "zaak 2026-17", StartDate: "2026-11-29"}
		if err := e.DB.CreateLegalHold(ctx, e.Actor, hold); err != nil {
			t.Fatal(err)
		}
		working, _ := richCandidate(t, e, "Smit", false)
		cl := e.MustCreateClient(t, "Veiling")
		e.MustCreatePlacement(t, working.ID, cl.ID, "2026-11-02")
		ids := []kluis.ID{consenting.ID, held.ID, working.ID}

		advanceTo(e, "2028-01-15") // past R1 for a candidate without consent
		if got, err := e.DB.Erase(ctx, po, ids, store.EraseOptions{}); err != nil || len(got) != 0 {
			t.Fatalf("erased what consent, a hold or work keeps: %+v, %v", got, err)
		}
		advanceTo(e, "2028-11-29") // the consent has ended
		got, err := e.DB.Erase(ctx, po, ids, store.EraseOptions{})
		if err != nil || len(got) != 1 || got[0].CandidateID != consenting.ID || !got[0].Complete {
			t.Fatalf("after the consent: %+v, %v", got, err)
		}
		advanceTo(e, "2040-01-01")
		if got, err := e.DB.Erase(ctx, po, ids[1:], store.EraseOptions{}); err != nil || len(got) != 0 {
			t.Fatalf("erased under a hold or while working: %+v, %v", got, err)
		}
		if left := rowsOf(t, e, held.ID); left["legal_holds"] != 1 || left["candidates"] != 1 {
			t.Errorf("the held candidate: %v", left)
		}
		// The hold ends; the next run erases.
		if _, err := e.DB.EndLegalHold(ctx, po, hold.ID, "2040-01-01"); err != nil {
			t.Fatal(err)
		}
		advanceTo(e, "2040-01-02")
		if got, err := e.DB.Erase(ctx, po, []kluis.ID{held.ID}, store.EraseOptions{}); err != nil || len(got) != 1 || !got[0].Complete {
			t.Fatalf("after the hold: %+v, %v", got, err)
		}
	})
}

func TestARequestToBeForgottenErasesAllButTheLegalMinimum(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		newcomer, _ := richCandidate(t, e, "Meijer", false)
		leaver, _ := richCandidate(t, e, "Visser", true)
		advanceTo(e, "2026-12-01")
		got, err := e.DB.Erase(ctx, po, []kluis.ID{newcomer.ID, leaver.ID}, store.EraseOptions{Reason: "request", RequestID: 42})
		if err != nil || len(got) != 2 {
			t.Fatalf("erase on request: %+v, %v", got, err)
		}
		if !got[0].Complete || got[0].RequestID != 42 || got[0].Reason != "request" {
			t.Errorf("the newcomer: %+v", got[0])
		}
		if got[1].Complete {
			t.Errorf("the leaver's payroll data went, though R4/R5 require them: %+v", got[1])
		}
		left := rowsOf(t, e, leaver.ID)
		if left["payroll_records"] != 1 || left["contact_moments"] != 0 {
			t.Errorf("the leaver after the request: %v", left)
		}
		preview, err := e.DB.PreviewErasure(ctx, po, leaver.ID, store.EraseOptions{Reason: "request"})
		if err != nil || preview != nil {
			t.Errorf("after the request nothing more can go yet: %+v, %v", preview, err)
		}
	})
}

// flakyBlobs fails every Delete while fail is set: a crash between the
// commit of an erasure and the removal of the files.
type flakyBlobs struct {
	blob.Store
	fail atomic.Bool
}

func (f *flakyBlobs) Delete(ctx context.Context, key string) error {
	if f.fail.Load() {
		return errors.New("disk gone")
	}
	return f.Store.Delete(ctx, key)
}

func (f *flakyBlobs) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	return f.Store.Put(ctx, key, r)
}

func TestAnErasureInterruptedAfterItsCommitIsFinishedByTheNextRun(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			var flaky *flakyBlobs
			e := storetest.OpenWith(t, d, func(o *store.Options) {
				flaky = &flakyBlobs{Store: o.Blobs}
				o.Blobs = flaky
			})
			po := privacyOfficer(e)
			c, _ := richCandidate(t, e, "Mulder", false)
			keys := blobKeysOf(t, e, c.ID)
			advanceTo(e, "2029-01-01")
			flaky.fail.Store(true)
			if _, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{}); err == nil {
				t.Fatal("the erasure did not report the failed file removal")
			}
			// The rows are gone with the record, in one transaction; the
			// file and the key are still to do, and the record says so.
			if left := rowsOf(t, e, c.ID); len(left) != 0 {
				t.Fatalf("rows left: %v", left)
			}
			recs, _, err := e.DB.Erasures(ctx, po, store.ErasureFilter{CandidateID: c.ID})
			if err != nil || len(recs) != 1 || recs[0].FilesPending != 1 || recs[0].KeyShreddedAt != nil {
				t.Fatalf("the unfinished record: %+v, %v", recs, err)
			}
			flaky.fail.Store(false)
			n, err := e.DB.ResumeErasures(ctx)
			if err != nil || n != 1 {
				t.Fatalf("resume: %d, %v", n, err)
			}
			mustBeGone(t, e, c.ID, keys)
			if n, err := e.DB.ResumeErasures(ctx); err != nil || n != 0 {
				t.Errorf("a second resume did something: %d, %v", n, err)
			}
			if again, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{}); kluis.ErrorCode(err) != kluis.ENotFound || len(again) != 0 {
				t.Errorf("erasing the erased: %+v, %v", again, err)
			}
		})
	}
}

// TestARestoredBackupDoesNotBringAnErasedCandidateBack: back up the data
// (SQLite VACUUM INTO, as `kluis backup` does), erase a candidate on
// request, put the backup back. The candidate's sealed data cannot be read
// (the key store, apart from the data, was not restored), and kluis erases
// them again from the key store's record of who was shredded.
func TestARestoredBackupDoesNotBringAnErasedCandidateBack(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	po := privacyOfficer(e)
	c, _ := richCandidate(t, e, "Terugkeer", true)
	other := e.MustCreateCandidate(t, "Blijver")
	backup := e.Dir + "/backup.db"
	if _, err := storetest.Raw(t, e).Exec("VACUUM INTO '" + backup + "'"); err != nil {
		t.Fatal(err)
	}
	if got, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{Reason: "request"}); err != nil || len(got) != 1 {
		t.Fatalf("erase: %+v, %v", got, err)
	}
	// A staged erasure (the leaver's payroll data stay): forget them
	// altogether, as if the minimums had ended, for the restore to matter.
	advanceTo(e, "2034-01-02")
	if got, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{Reason: "request"}); err != nil || len(got) != 1 || !got[0].Complete {
		t.Fatalf("erase completely: %+v, %v", got, err)
	}
	// The restore: the data file is replaced by the backup.
	if err := e.DB.Close(); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(e.DSN + suffix)
	}
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.DSN, b, 0o600); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.NewDir(e.Dir + "/blobs")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, e.DSN, store.Options{Clock: e.Clock, Blobs: blobs, Vault: e.Vault})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	back, err := db.Candidate(ctx, po, c.ID)
	if err == nil {
		t.Fatalf("the erased candidate's data can be read after the restore: %+v", back.BSN)
	}
	n, err := db.ResumeErasures(ctx)
	if err != nil || n != 1 {
		t.Fatalf("reapplied %d erasures: %v", n, err)
	}
	e.DB = db
	if left := rowsOf(t, e, c.ID); len(left) != 0 {
		t.Errorf("left after the reapplied erasure: %v", left)
	}
	if _, err := db.Candidate(ctx, po, other.ID); err != nil {
		t.Errorf("the other candidate: %v", err)
	}
	recs, _, err := db.Erasures(ctx, po, store.ErasureFilter{CandidateID: c.ID})
	if err != nil || len(recs) != 1 || recs[0].Reason != "restored" {
		t.Errorf("the record of the reapplied erasure: %+v, %v", recs, err)
	}
	if n, err := db.ResumeErasures(ctx); err != nil || n != 0 {
		t.Errorf("reapplied again: %d, %v", n, err)
	}
}

// TestNoResidueAfterErasureInEveryState erases a candidate in each state
// LEGAL.md knows, on request (art. 17) and by the clean-up, and looks for
// what was erased in every table, every blob and — on SQLite — the raw
// database file and its log: nothing may be found. What a minimum or a
// hold keeps must still be there.
func TestNoResidueAfterErasureInEveryState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		type state struct {
			name    string
			make    func(name string) *kluis.Candidate
			when    kluis.Date // the day of the erasure
			reason  string
			gone    bool // the candidate goes altogether
			nothing bool // nothing may be erased (a hold)
		}
		plain := func(name string) *kluis.Candidate { c, _ := richCandidate(t, e, name, false); return c }
		worker := func(name string) *kluis.Candidate { c, _ := richCandidate(t, e, name, true); return c }
		working := func(name string) *kluis.Candidate {
			c, _ := richCandidate(t, e, name, false)
			cl := e.MustCreateClient(t, fmt.Sprintf("Werkgever %d", c.ID%997))
			e.MustCreatePlacement(t, c.ID, cl.ID, "2026-11-02")
			return c
		}
		consenting := func(name string) *kluis.Candidate {
			c, _ := richCandidate(t, e, name, false)
			if err := e.DB.CreateConsent(ctx, e.Actor, &kluis.Consent{CandidateID: c.ID, Channel: "phone", Wording: "v1",
				GivenOn: "2026-11-29", ValidUntil: "2028-11-29"}); err != nil {
				t.Fatal(err)
			}
			return c
		}
		held := func(name string) *kluis.Candidate {
			c, _ := richCandidate(t, e, name, false)
			if err := e.DB.CreateLegalHold(ctx, e.Actor, &kluis.LegalHold{CandidateID: c.ID, Kind: "dispute", Reason: "zaak 17", StartDate: "2026-11-29"}); err != nil {
				t.Fatal(err)
			}
			return c
		}
		for i, s := range []state{
			{name: "never worked, on request", make: plain, when: "2026-12-01", reason: "request", gone: true},
			{name: "never worked, term ended", make: plain, when: "2028-11-30", reason: "retention", gone: true},
			{name: "with consent, after it", make: consenting, when: "2028-11-30", reason: "retention", gone: true},
			{name: "with consent, on request", make: consenting, when: "2027-01-01", reason: "request", gone: true},
			{name: "working, on request", make: working, when: "2026-12-01", reason: "request"},
			{name: "left long ago, R3 ended", make: worker, when: "2028-07-01", reason: "retention"},
			{name: "left long ago, everything ended", make: worker, when: "2034-01-02", reason: "retention", gone: true},
			{name: "under a legal hold, on request", make: held, when: "2026-12-01", reason: "request", nothing: true},
		} {
			t.Run(s.name, func(t *testing.T) {
				e.Clock.T = storetest.Start
				c := s.make(fmt.Sprintf("Toestand%c", 'A'+i))
				cur, err := e.DB.Candidate(ctx, po, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				advanceTo(e, s.when)
				got, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{Reason: s.reason, Verify: true})
				if err != nil {
					t.Fatal(err)
				}
				if s.nothing {
					if len(got) != 0 {
						t.Fatalf("erased under a hold: %+v", got)
					}
					if left := rowsOf(t, e, c.ID); left["legal_holds"] != 1 || left["candidates"] != 1 || left["contact_moments"] == 0 {
						t.Errorf("the hold did not keep the data: %v", left)
					}
					return
				}
				if len(got) != 1 || got[0].Complete != s.gone {
					t.Fatalf("erasure %+v", got)
				}
				if got[0].ResidueHits == nil {
					t.Fatal("the erasure did not check itself")
				}
				if *got[0].ResidueHits != 0 {
					t.Errorf("the erasure's own check found %d places", *got[0].ResidueHits)
				}
				// What was erased: everything, or (staged) the e-mail
				// address and phone number; the name stays with payroll.
				ids := []store.Identifier{{Kind: "email", Value: cur.Email}}
				if s.gone {
					ids = append(ids, store.Identifier{Kind: "name", Value: cur.Name()})
				}
				hits, err := e.DB.ScanResidue(ctx, ids, store.ResidueOptions{RawFiles: e.DB.Dialect == store.SQLite})
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range hits {
					t.Errorf("residue of %s: %s", h.Kind, h.Place)
				}
				if !s.gone {
					kept, err := e.DB.Candidate(ctx, payrollClerk(e), c.ID)
					if err != nil || kept.LastName != cur.LastName || kept.Email != "" {
						t.Errorf("what a minimum keeps: %+v, %v", kept, err)
					}
				}
			})
		}
	})
}
