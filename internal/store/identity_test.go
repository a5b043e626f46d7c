package store_test

import (
	"bytes"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

var idPDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// TestTheBSNAndIDRulesFollowTheKindOfWork covers LEGAL.md §2: the BSN only
// for someone employed, never for a registered candidate or a
// self-employed worker; no ID document kept of a self-employed worker.
func TestTheBSNAndIDRulesFollowTheKindOfWork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		client := e.MustCreateClient(t, "Bouwbedrijf Noord")
		zzp := e.MustCreateCandidate(t, "Smit")
		pl := &kluis.Placement{CandidateID: zzp.ID, ClientID: client.ID, Function: "Timmerman", StartDate: "2026-12-01",
			HourlyWageCents: 4500, ContractKind: kluis.SelfEmployed}
		if err := e.DB.CreatePlacement(ctx, e.Actor, pl); err != nil {
			t.Fatal(err)
		}
		c, _ := e.DB.Candidate(ctx, e.Actor, zzp.ID)
		c.BSN = "111222333"
		if f := fields(e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version)); f["bsn"].EN == "" {
			t.Error("a BSN was accepted for a self-employed worker")
		}
		c.BSN, c.IDDocumentType, c.IDDocumentNumber = "", "passport", "NXC4R8K21"
		if f := fields(e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version)); f["id_document_number"].EN == "" {
			t.Error("an ID document number was accepted for a self-employed worker")
		}
		err := e.DB.CreateDocument(ctx, e.Actor, &kluis.Document{CandidateID: zzp.ID, Kind: "id-copy", FileName: "id.pdf"}, bytes.NewReader(idPDF))
		if f := fields(err); f["kind"].EN == "" {
			t.Errorf("an ID copy of a self-employed worker was stored: %v", err)
		}
		// A CV of the same worker is fine.
		if err := e.DB.CreateDocument(ctx, e.Actor, &kluis.Document{CandidateID: zzp.ID, Kind: "cv", FileName: "cv.pdf"}, bytes.NewReader(idPDF)); err != nil {
			t.Fatal(err)
		}

		// Once employed as well, both are allowed.
		e.MustCreatePlacement(t, zzp.ID, client.ID, "2027-01-04")
		c, _ = e.DB.Candidate(ctx, e.Actor, zzp.ID)
		c.BSN, c.IDDocumentType, c.IDDocumentNumber = "111222333", "passport", "NXC4R8K21"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.DB.Candidate(ctx, e.Actor, zzp.ID); got.IDRecordedOn != "2026-11-29" {
			t.Fatalf("the document number is dated %q", got.IDRecordedOn)
		}
	})
}

// TestAnIDCopyOfSomeoneNotEmployedGoesAfterFourWeeks: R2 removes the copy
// and the document data of a registered candidate 28 days after they were
// made, and keeps those of an employee (R4).
func TestAnIDCopyOfSomeoneNotEmployedGoesAfterFourWeeks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		client := e.MustCreateClient(t, "Kwekerij Oost")
		reg := e.MustCreateCandidate(t, "Mulder")
		emp := e.MustCreateCandidate(t, "Dekker")
		e.MustCreatePlacement(t, emp.ID, client.ID, "2026-12-07")
		var copies []*kluis.Document
		for _, id := range []kluis.ID{reg.ID, emp.ID} {
			c, _ := e.DB.Candidate(ctx, e.Actor, id)
			c.IDDocumentType, c.IDDocumentNumber, c.IDDocumentExpiry = "id-card", "IR5527HK1", "2031-03-01"
			if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
				t.Fatal(err)
			}
			d := &kluis.Document{CandidateID: id, Kind: "id-copy", FileName: "id.pdf"}
			if err := e.DB.CreateDocument(ctx, e.Actor, d, bytes.NewReader(idPDF)); err != nil {
				t.Fatal(err)
			}
			copies = append(copies, d)
		}
		// An edit of something else does not restart the four weeks.
		e.Clock.Advance(10 * 24 * time.Hour)
		c, _ := e.DB.Candidate(ctx, e.Actor, reg.ID)
		c.City = "Zeist"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(17 * 24 * time.Hour) // day 27
		if got, err := e.DB.PurgeExpiredIDCopies(ctx, e.Tenant.ID); err != nil || got.Documents+got.Candidates != 0 {
			t.Fatalf("within four weeks: %+v %v", got, err)
		}
		e.Clock.Advance(24 * time.Hour) // day 28
		got, err := e.DB.PurgeExpiredIDCopies(ctx, e.Tenant.ID)
		if err != nil || got.Documents != 1 || got.Candidates != 1 {
			t.Fatalf("after four weeks: %+v %v", got, err)
		}
		after, _ := e.DB.Candidate(ctx, e.Actor, reg.ID)
		if after.IDDocumentNumber != "" || after.IDDocumentType != "" || after.IDDocumentExpiry != "" || after.IDRecordedOn != "" || after.City != "Zeist" {
			t.Fatalf("the registered candidate after R2: %+v", after)
		}
		if _, err := e.DB.Document(ctx, e.Actor, copies[0].ID); code(err) != kluis.ENotFound {
			t.Fatalf("the expired copy: %v", err)
		}
		kept, _ := e.DB.Candidate(ctx, e.Actor, emp.ID)
		if kept.IDDocumentNumber != "IR5527HK1" {
			t.Fatalf("the employee's ID data went: %+v", kept)
		}
		if _, err := e.DB.Document(ctx, e.Actor, copies[1].ID); err != nil {
			t.Fatalf("the employee's ID copy went: %v", err)
		}
	})
}
