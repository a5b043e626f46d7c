package store_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// TestARestrictedCandidatesFilesDoNotLeaveKluis: a document's content and
// any other export of a restricted candidate (art. 18) are refused by the
// store, whoever asks — except processing anyway with its reason
// recorded, the answer to the candidate's own verified, open access or
// portability request, and the candidate themselves in the portal.
func TestARestrictedCandidatesFilesDoNotLeaveKluis(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po, mgr := privacyOfficer(e), manager(e)
		c, docs := richCandidate(t, e, "Stil", false)
		open := func(ctx2 context.Context, a kluis.Actor) error {
			_, rc, err := e.DB.OpenDocument(ctx2, a, docs[0].ID)
			if err == nil {
				b, _ := io.ReadAll(rc)
				rc.Close()
				if !strings.Contains(string(b), "CV van Stil") {
					t.Errorf("the content: %q", b)
				}
			}
			return err
		}
		if err := open(ctx, e.Actor); err != nil {
			t.Fatalf("before the restriction: %v", err)
		}
		x := mustRestrict(t, e, c.ID, "accuracy")
		for _, a := range []kluis.Actor{e.Actor, mgr, po} {
			mustBeRestricted(t, "opening a document as "+string(a.Role), open(ctx, a))
			_, err := e.DB.MayExport(ctx, a, c.ID, "portability")
			mustBeRestricted(t, "a portability export as "+string(a.Role), err)
		}

		// Processing anyway: only the privacy officer or the manager, and
		// recorded with what was exported.
		over := store.WithOverride(ctx, kluis.Override{Reason: "legal-claim", Note: "CV voor de advocaat"})
		if err := open(over, e.Actor); code(err) != kluis.EForbidden {
			t.Errorf("a recruiter exported anyway: %v", err)
		}
		if err := open(over, mgr); err != nil {
			t.Fatalf("exporting anyway: %v", err)
		}
		os, err := e.DB.ProcessingOverrides(ctx, po, x.ID)
		if err != nil || len(os) != 1 || os[0].Entity != "export:documents" || os[0].Reason != "legal-claim" {
			t.Fatalf("the override of the export: %+v %v", os, err)
		}
		// A cleared context opens the files of one archive without
		// recording the override again.
		cleared, err := e.DB.MayExport(over, mgr, c.ID, "documents")
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := open(cleared, mgr); err != nil {
				t.Fatal(err)
			}
		}
		if os, _ := e.DB.ProcessingOverrides(ctx, po, x.ID); len(os) != 2 {
			t.Errorf("%d overrides for one export and one archive, want 2", len(os))
		}
		// …but not another candidate's.
		other, otherDocs := richCandidate(t, e, "Ander", false)
		mustRestrict(t, e, other.ID, "accuracy")
		if _, _, err := e.DB.OpenDocument(cleared, e.Actor, otherDocs[0].ID); code(err) != kluis.EForbidden {
			t.Errorf("a context cleared for one candidate opened another's: %v", err)
		}

		// The answer to the candidate's own request.
		access := mustRequest(t, e, po, c.ID, "access", "Inzage")
		answering := store.AnsweringRequest(ctx, access.ID)
		if f := fields(open(answering, po)); f["request"].EN == "" {
			t.Errorf("an unverified request answered: %v", f)
		}
		if _, err := e.DB.VerifyRequest(ctx, po, access.ID, 1, "known-email", ""); err != nil {
			t.Fatal(err)
		}
		if err := open(answering, po); err != nil {
			t.Fatalf("answering the candidate's access request: %v", err)
		}
		if err := open(answering, e.Actor); code(err) != kluis.EConflict {
			t.Errorf("a recruiter answered a request: %v", err)
		}
		erasure := mustRequest(t, e, po, c.ID, "erasure", "Weg")
		if _, err := e.DB.VerifyRequest(ctx, po, erasure.ID, 1, "known-email", ""); err != nil {
			t.Fatal(err)
		}
		if f := fields(open(store.AnsweringRequest(ctx, erasure.ID), po)); f["request"].EN == "" {
			t.Errorf("an erasure request answered with an export: %v", f)
		}
		if _, _, err := e.DB.OpenDocument(answering, po, otherDocs[0].ID); fields(err)["request"].EN == "" {
			t.Errorf("another candidate's request opened their documents: %v", err)
		}
		if f := fields(open(store.AnsweringRequest(ctx, 999999), po)); f["request"].EN == "" {
			t.Errorf("a request that does not exist: %v", f)
		}
		if os, _ := e.DB.ProcessingOverrides(ctx, po, x.ID); len(os) != 2 {
			t.Errorf("an answer recorded as processing anyway: %+v", os)
		}

		// The candidate in the portal: their own files, nobody else's.
		s := &store.PortalSession{TenantID: e.Tenant.ID, CandidateID: c.ID}
		if err := open(s.Exercising(ctx), s.Actor()); err != nil {
			t.Errorf("the candidate's own file in the portal: %v", err)
		}
		if _, _, err := e.DB.OpenDocument(s.Exercising(ctx), s.Actor(), otherDocs[0].ID); code(err) != kluis.EConflict {
			t.Errorf("a portal session opened another candidate's file: %v", err)
		}
	})
}
