package store_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

var pngFile = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

func TestSettingsAreSavedWithAVersionAndValidatedFieldByField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s, err := e.DB.Settings(ctx, e.Tenant.ID)
		if err != nil || s.Version != 0 || !s.Collects("photo") {
			t.Fatalf("defaults: %+v %v", s, err)
		}
		bad := &kluis.Settings{KvK: "12", DPOEmail: "geen-adres", NotCollected: map[string]kluis.Date{"bsn": ""}}
		err = e.DB.SaveSettings(ctx, e.Actor, bad, 0)
		f := fields(err)
		for _, want := range []string{"kvk_number", "dpo_email", "not_collected"} {
			if _, ok := f[want]; !ok {
				t.Errorf("no error for %s: %v", want, err)
			}
		}
		good := &kluis.Settings{Address: "Stationsplein 1, Utrecht", KvK: "1234 5678", DPOName: "A. de Vries", DPOEmail: "fg@bureau.example",
			NotCollected: map[string]kluis.Date{"nationality": ""}}
		if err := e.DB.SaveSettings(ctx, e.Actor, good, 0); err != nil {
			t.Fatal(err)
		}
		got, _ := e.DB.Settings(ctx, e.Tenant.ID)
		if got.Version != 1 || got.KvK != "12345678" || got.DPOEmail != "fg@bureau.example" || got.NotCollected["nationality"] != "2026-11-29" ||
			got.UpdatedBy != e.Actor.UserID {
			t.Fatalf("read back %+v", got)
		}
		// A second editor with the old version loses nothing of the first.
		if err := e.DB.SaveSettings(ctx, e.Actor, &kluis.Settings{Address: "elders"}, 0); code(err) != kluis.EConflict {
			t.Fatalf("stale save: %v", err)
		}
		// The day an item was switched off stays when other settings change.
		e.Clock.Advance(48 * time.Hour)
		got.DPOPhone = "030 123 4567"
		if err := e.DB.SaveSettings(ctx, e.Actor, got, 1); err != nil {
			t.Fatal(err)
		}
		again, _ := e.DB.Settings(ctx, e.Tenant.ID)
		if again.NotCollected["nationality"] != "2026-11-29" || again.DPOPhone != "+31301234567" || again.Version != 2 {
			t.Fatalf("after second save: %+v", again)
		}
	})
}

func TestDataTheAgencyDoesNotCollectIsRefusedAndRemovedAfterTheGrace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		held := e.MustCreateCandidate(t, "Bakker")
		held.Nationality = "NL"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, held, 1); err != nil {
			t.Fatal(err)
		}
		photo := &kluis.Document{CandidateID: held.ID, Kind: "photo", FileName: "pasfoto.png"}
		if err := e.DB.CreateDocument(ctx, e.Actor, photo, bytes.NewReader(pngFile)); err != nil {
			t.Fatal(err)
		}
		off := &kluis.Settings{NotCollected: map[string]kluis.Date{"nationality": "", "phone": "", "photo": ""}}
		if err := e.DB.SaveSettings(ctx, e.Actor, off, 0); err != nil {
			t.Fatal(err)
		}
		// New values are refused, field by field, and nothing is written.
		c := &kluis.Candidate{BranchID: e.Branch.ID, LastName: "Visser", Nationality: "BE", Phone: "0612345678", City: "Zeist"}
		err := e.DB.CreateCandidate(ctx, e.Actor, c)
		if f := fields(err); f["nationality"].EN == "" || f["phone"].EN == "" || f["city"].EN != "" {
			t.Fatalf("create with uncollected data: %v", err)
		}
		if _, n, _ := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{}); n != 1 {
			t.Fatalf("%d candidates after a refused create", n)
		}
		err = e.DB.CreateDocument(ctx, e.Actor, &kluis.Document{CandidateID: held.ID, Kind: "photo", FileName: "b.png"}, bytes.NewReader(pngFile))
		if f := fields(err); f["kind"].NL == "" {
			t.Fatalf("photo upload: %v", err)
		}
		// A value held from before may stay unchanged while other fields
		// change; changing it is refused.
		cur, _ := e.DB.Candidate(ctx, e.Actor, held.ID)
		cur.City = "Houten"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, cur, cur.Version); err != nil {
			t.Fatalf("edit beside a held value: %v", err)
		}
		cur.Nationality = "DE"
		if f := fields(e.DB.UpdateCandidate(ctx, e.Actor, cur, cur.Version)); f["nationality"].EN == "" {
			t.Fatal("a held value was changed")
		}
		counts, err := e.DB.HeldNotCollected(ctx, e.Tenant.ID)
		if err != nil || counts["nationality"] != 1 || counts["phone"] != 1 || counts["photo"] != 1 {
			t.Fatalf("held: %v %v", counts, err)
		}
		// Within the grace nothing is removed; on its last day, everything is.
		if day := off.RemovalDay("photo"); day != "2026-12-06" {
			t.Fatalf("removal day %s", day)
		}
		e.Clock.Advance(kluis.MinimisationGrace - 24*time.Hour)
		if n, err := e.DB.PurgeNotCollected(ctx, e.Tenant.ID); err != nil || len(n) != 0 {
			t.Fatalf("purge within the grace: %v %v", n, err)
		}
		e.Clock.Advance(24 * time.Hour)
		n, err := e.DB.PurgeNotCollected(ctx, e.Tenant.ID)
		if err != nil || n["nationality"] != 1 || n["phone"] != 1 || n["photo"] != 1 {
			t.Fatalf("purge: %v %v", n, err)
		}
		after, _ := e.DB.Candidate(ctx, e.Actor, held.ID)
		if after.Nationality != "" || after.Phone != "" || after.City != "Houten" || after.Version <= cur.Version {
			t.Fatalf("after purge: %+v", after)
		}
		if _, err := e.DB.Document(ctx, e.Actor, photo.ID); code(err) != kluis.ENotFound {
			t.Fatalf("photo row: %v", err)
		}
		files := 0
		_ = filepath.Walk(filepath.Join(e.Dir, "blobs"), func(_ string, info os.FileInfo, _ error) error {
			if info != nil && !info.IsDir() {
				files++
			}
			return nil
		})
		if files != 0 {
			t.Fatalf("%d blob files left after the photo was removed", files)
		}
		counts, _ = e.DB.HeldNotCollected(ctx, e.Tenant.ID)
		if counts["nationality"]+counts["phone"]+counts["photo"] != 0 {
			t.Fatalf("still held: %v", counts)
		}
	})
}

// Every optional column of the catalogue is one the store knows how to
// check and remove.
func TestTheStoreKnowsEveryOptionalColumn(t *testing.T) {
	var cols []string
	for _, c := range catalog.New().Collectables() {
		if c.Column != "" {
			cols = append(cols, c.Column)
		}
	}
	sort.Strings(cols)
	got := store.OptionalColumns()
	if len(got) != len(cols) {
		t.Fatalf("catalogue %v, store %v", cols, got)
	}
	for i := range cols {
		if cols[i] != got[i] {
			t.Fatalf("catalogue %v, store %v", cols, got)
		}
	}
}

func TestFieldPermissionsAreValidatedVersionedAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		err := e.DB.SaveFieldAccess(ctx, e.Actor, map[string]string{
			"candidates.bsn_fingerprint/payroll": "read",   // a secret
			"candidates.nope/payroll":            "read",   // no such field
			"candidates.city/janitor":            "read",   // no such role
			"candidates.city/payroll":            "masked", // no mask
			"candidates.email/payroll":           "peek",   // no such level
		}, 0)
		if f := fields(err); len(f) != 5 {
			t.Fatalf("field errors: %v", err)
		}
		// The agency's details stay when the permissions change, and the
		// other way round.
		if err := e.DB.SaveSettings(ctx, e.Actor, &kluis.Settings{DPOEmail: "fg@bureau.example"}, 0); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.SaveFieldAccess(ctx, e.Actor, map[string]string{"candidates.bsn/recruiter": "read"}, 1); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.SaveFieldAccess(ctx, e.Actor, map[string]string{}, 1); code(err) != kluis.EConflict {
			t.Fatalf("a stale save: %v", err)
		}
		if err := e.DB.SaveSettings(ctx, e.Actor, &kluis.Settings{DPOEmail: "privacy@bureau.example"}, 2); err != nil {
			t.Fatal(err)
		}
		s, _ := e.DB.Settings(ctx, e.Tenant.ID)
		if s.DPOEmail != "privacy@bureau.example" || s.FieldAccess["candidates.bsn/recruiter"] != "read" || s.Version != 3 {
			t.Fatalf("settings %+v", s)
		}
		log, _, _ := e.DB.AuditLog(ctx, e.Actor, store.AuditFilter{Action: "settings"})
		found := false
		for _, x := range log {
			if slices.Contains(x.Fields, "field_access:candidates.bsn/recruiter") {
				found = true
			}
		}
		if !found {
			t.Fatalf("the permission change is not in the log: %+v", log)
		}
	})
}
