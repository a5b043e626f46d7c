package store_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// TestALetterThatNamesTheCandidateGoesWithTheirErasure: a sealed letter is
// stored encrypted and read back whole; a complete erasure empties it and
// keeps the row as proof, while the erasure letter, which names nobody,
// stays readable; the residue scan finds nothing of the candidate.
func TestALetterThatNamesTheCandidateGoesWithTheirErasure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c := e.MustCreateCandidate(t, "Briefschrijver")
		ids := store.IdentifiersOf(c, nil)
		q := mustRequest(t, e, po, c.ID, "erasure", "Wil gewist worden")
		named := []byte("%PDF-1.4 Beste Sanne Briefschrijver, briefschrijver@example.nl")
		l := &kluis.RequestLetter{RequestID: q.ID, Kind: "extension", Lang: "nl", Sealed: true}
		if err := e.DB.SaveLetter(ctx, po, l, named); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.SaveLetter(ctx, po, &kluis.RequestLetter{RequestID: q.ID, Kind: "postcard", Lang: "fr"}, nil); kluis.ErrorCode(err) != kluis.EInvalid ||
			fields(err)["kind"].EN == "" || fields(err)["lang"].EN == "" {
			t.Fatalf("a bad letter: %v", err)
		}
		raw := storetest.Raw(t, e)
		var stored []byte
		if err := raw.QueryRow("SELECT content FROM request_letters WHERE id = $1", l.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(stored), "Briefschrijver") {
			t.Fatal("a sealed letter is stored in plain text")
		}
		if _, body, err := e.DB.OpenLetter(ctx, po, q.ID, l.ID); err != nil || string(body) != string(named) {
			t.Fatalf("read back: %q, %v", body, err)
		}
		if _, err := e.DB.VerifyRequest(ctx, po, q.ID, 0, "known-email", ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.DB.EraseForRequest(ctx, po, q.ID, 0); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.SaveLetter(ctx, po, &kluis.RequestLetter{RequestID: q.ID, Kind: "refusal", Lang: "nl", Sealed: true}, named); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Fatalf("a sealed letter for an erased candidate: %v", err)
		}
		plain := []byte("%PDF-1.4 Geachte heer, mevrouw, verzoek " + strconv.FormatInt(q.ID, 10))
		if err := e.DB.SaveLetter(ctx, po, &kluis.RequestLetter{RequestID: q.ID, Kind: "erasure", Lang: "nl"}, plain); err != nil {
			t.Fatal(err)
		}
		ls, err := e.DB.Letters(ctx, po, q.ID)
		if err != nil || len(ls) != 2 || ls[0].ErasedAt == nil || ls[0].SHA256 == "" || ls[1].ErasedAt != nil {
			t.Fatalf("the letters after the erasure: %+v, %v", ls, err)
		}
		if _, _, err := e.DB.OpenLetter(ctx, po, q.ID, l.ID); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Fatalf("the erased letter opens: %v", err)
		}
		if _, body, err := e.DB.OpenLetter(ctx, po, q.ID, ls[1].ID); err != nil || string(body) != string(plain) {
			t.Fatalf("the erasure letter: %q, %v", body, err)
		}
		hits, err := e.DB.ScanResidue(ctx, ids, store.ResidueOptions{Tenant: e.Tenant.ID})
		if err != nil || len(hits) != 0 {
			t.Fatalf("residue after the erasure: %+v, %v", hits, err)
		}
	})
}

// TestRequestsAreRemindedOnceBeforeTheirDueDateAndOnceWhenOverdue: the
// handler, or every privacy officer while there is none, gets one e-mail
// N days before the due date and one when it is overdue; running again
// sends nothing; an extension (a new due date) is reminded again; a
// closed request never.
func TestRequestsAreRemindedOnceBeforeTheirDueDateAndOnceWhenOverdue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c := e.MustCreateCandidate(t, "Herinnerd")
		officer := &kluis.User{Email: "fg@bureau.example", Name: "F. G.", Role: kluis.RolePrivacy, Language: "en"}
		if err := e.DB.CreateUser(ctx, e.Tenant.ID, officer); err != nil {
			t.Fatal(err)
		}
		q := mustRequest(t, e, po, c.ID, "access", "Inzage")
		closed := mustRequest(t, e, po, c.ID, "objection", "Bezwaar")
		if _, err := e.DB.CloseRequest(ctx, po, closed.ID, 0, "refused", "Kennelijk ongegrond"); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.SetRequestReminderDays(ctx, po, 29); kluis.ErrorCode(err) != kluis.EInvalid {
			t.Fatalf("29 days: %v", err)
		}
		if err := e.DB.SetRequestReminderDays(ctx, po, 5); err != nil {
			t.Fatal(err)
		}
		if n, err := e.DB.RequestReminderDays(ctx, e.Tenant.ID); err != nil || n != 5 {
			t.Fatalf("the setting: %d, %v", n, err)
		}
		mails := func() []store.OutboxMessage {
			t.Helper()
			ms, _, err := e.DB.OutboxMessages(ctx, po, 0, kluis.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var out []store.OutboxMessage
			for _, m := range ms {
				if strings.HasPrefix(m.Kind, "request-") {
					out = append(out, m)
				}
			}
			return out
		}
		round := func(want store.RequestReminders) {
			t.Helper()
			got, err := e.DB.SendRequestReminders(ctx, e.Tenant.ID, "https://kluis.example.nl")
			if err != nil || got != want {
				t.Fatalf("a round: %+v, %v; want %+v", got, err, want)
			}
		}
		round(store.RequestReminders{}) // due in a month: nothing yet
		e.Clock.Advance(26 * 24 * time.Hour)
		round(store.RequestReminders{DueSoon: 1})
		round(store.RequestReminders{})
		ms := mails()
		if len(ms) != 1 || ms[0].Kind != "request-due-soon" || ms[0].To != "fg@bureau.example" || !strings.Contains(ms[0].Subject, "must be answered by") || !strings.Contains(ms[0].Text, "/requests/"+strconv.FormatInt(q.ID, 10)) ||
			strings.Contains(ms[0].Text, "Herinnerd") || strings.Contains(ms[0].Subject, "Herinnerd") {
			t.Fatalf("the reminder: %+v", ms)
		}
		e.Clock.Advance(5 * 24 * time.Hour)
		round(store.RequestReminders{Overdue: 1})
		round(store.RequestReminders{})
		if ms := mails(); len(ms) != 2 || ms[0].Kind != "request-overdue" {
			t.Fatalf("the overdue reminder: %+v", ms)
		}
		if err := e.DB.SetRequestReminderDays(ctx, po, 0); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(24 * time.Hour)
		round(store.RequestReminders{})
	})
}
