package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

func mustEnqueue(t *testing.T, e *storetest.Env, cand kluis.ID, to string) *store.OutboxMessage {
	t.Helper()
	m := &store.OutboxMessage{CandidateID: cand, Kind: "consent-renewal", To: to, Subject: "Mogen we uw gegevens bewaren?",
		Text: "Beste Sanne, uw toestemming loopt af.", HTML: "<p>Beste Sanne, uw toestemming loopt af.</p>"}
	if err := e.DB.EnqueueMail(ctx, e.Actor, m); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return m
}

// outboxRows counts a candidate's rows in the outbox, past the store.
func outboxRows(t *testing.T, e *storetest.Env, cand kluis.ID) int {
	t.Helper()
	var n int
	if err := storetest.Raw(t, e).QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE tenant_id = $1 AND candidate_id = $2",
		e.Tenant.ID, cand).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func outboxMessage(t *testing.T, e *storetest.Env, cand, id kluis.ID) store.OutboxMessage {
	t.Helper()
	ms, _, err := e.DB.OutboxMessages(ctx, e.Actor, cand, kluis.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("message %d not in the outbox", id)
	return store.OutboxMessage{}
}

// TestAMessageIsWrittenOnlyWithTheChangeThatCausesIt: a message enqueued
// in a transaction that fails is not in the outbox; one enqueued in a
// transaction that commits is, pending, due at once, with a fixed
// Message-ID, and its creation is audited without its contents.
func TestAMessageIsWrittenOnlyWithTheChangeThatCausesIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Jansen")
		refused := errors.New("the change is refused")
		m := &store.OutboxMessage{CandidateID: c.ID, Kind: "consent-renewal", To: "jansen@example.nl", Subject: "Onderwerp", Text: "Tekst"}
		if err := e.DB.EnqueueMailAndFail(ctx, e.Actor, m, refused); !errors.Is(err, refused) {
			t.Fatalf("want the change's error, got %v", err)
		}
		if n := outboxRows(t, e, c.ID); n != 0 {
			t.Fatalf("a rolled-back message is in the outbox (%d rows)", n)
		}
		if due, err := e.DB.ClaimMail(ctx, 10, time.Minute); err != nil || len(due) != 0 {
			t.Fatalf("claimed after a rollback: %+v %v", due, err)
		}

		m = mustEnqueue(t, e, c.ID, " Jansen@Example.nl ")
		got := outboxMessage(t, e, c.ID, m.ID)
		if got.State != store.OutboxPending || got.Attempts != 0 || !got.NextAttempt.Equal(e.Clock.Now()) || got.To != "Jansen@example.nl" ||
			!strings.HasPrefix(got.MessageID, "<outbox.") || got.MessageID != m.MessageID || got.SentAt != nil || got.Kind != "consent-renewal" {
			t.Fatalf("the message as stored: %+v", got)
		}
		if f := auditedFields(t, e, c.ID, "create", "outbox"); !strings.Contains(strings.Join(f, ","), "to_address") {
			t.Errorf("the creation is audited with fields %v", f)
		}
		entries, _, _ := e.DB.AuditLog(ctx, e.Actor, store.AuditFilter{CandidateID: c.ID})
		for _, x := range entries {
			if strings.Contains(strings.Join(x.Fields, ",")+x.Reason, "jansen@") {
				t.Errorf("the audit log holds the address: %+v", x)
			}
		}
	})
}

// TestAMessageThatCannotBeSentIsRefusedWithTheChange: the outbox takes no
// message that no SMTP server would, nor one for another agency's
// candidate.
func TestAMessageThatCannotBeSentIsRefusedWithTheChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Smit")
		for name, m := range map[string]store.OutboxMessage{
			"no kind":              {CandidateID: c.ID, To: "a@example.nl", Subject: "S", Text: "T"},
			"a kind with a name":   {CandidateID: c.ID, Kind: "Mail voor Smit", To: "a@example.nl", Subject: "S", Text: "T"},
			"two recipients":       {CandidateID: c.ID, Kind: "k", To: "a@example.nl, b@example.nl", Subject: "S", Text: "T"},
			"header injection":     {CandidateID: c.ID, Kind: "k", To: "a@example.nl", Subject: "S\r\nBcc: x@example.org", Text: "T"},
			"no text":              {CandidateID: c.ID, Kind: "k", To: "a@example.nl", Subject: "S"},
			"an unknown candidate": {CandidateID: c.ID + 999, Kind: "k", To: "a@example.nl", Subject: "S", Text: "T"},
		} {
			if err := e.DB.EnqueueMail(ctx, e.Actor, &m); kluis.ErrorCode(err) != kluis.EInvalid {
				t.Errorf("%s: want invalid input, got %v", name, err)
			}
		}
		if n := outboxRows(t, e, c.ID); n != 0 {
			t.Fatalf("%d refused messages stored", n)
		}
		// A message to staff names no candidate.
		staff := &store.OutboxMessage{Kind: "password-reset", To: "recruiter@test.kluis.test", Subject: "S", Text: "T"}
		if err := e.DB.EnqueueMail(ctx, e.Actor, staff); err != nil {
			t.Fatal(err)
		}
		if all, n, err := e.DB.OutboxMessages(ctx, e.Actor, 0, kluis.Page{}); err != nil || n != 1 || all[0].CandidateID != 0 {
			t.Fatalf("the agency's outbox: %+v %d %v", all, n, err)
		}
	})
}

// TestTheOutboxClaimsLeasesRetriesAndFails follows messages through the
// states: a claim takes what is due and leases it; nobody else takes it
// while the lease lasts; after a crash (the lease expired) it is taken
// again with the same Message-ID; a temporary failure waits for its
// retry; a final failure and a delivery empty the address, subject and
// bodies, and keep the proof.
func TestTheOutboxClaimsLeasesRetriesAndFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "de Vries")
		a := mustEnqueue(t, e, c.ID, "devries@example.nl")
		e.Clock.Advance(time.Second)
		b := mustEnqueue(t, e, c.ID, "devries@example.nl")

		got, err := e.DB.ClaimMail(ctx, 1, 5*time.Minute)
		if err != nil || len(got) != 1 || got[0].ID != a.ID || got[0].State != store.OutboxSending || got[0].Attempts != 1 ||
			got[0].To != "devries@example.nl" || got[0].Text == "" || got[0].MessageID != a.MessageID {
			t.Fatalf("the first claim takes the oldest: %+v %v", got, err)
		}
		if got, _ := e.DB.ClaimMail(ctx, 10, 5*time.Minute); len(got) != 1 || got[0].ID != b.ID {
			t.Fatalf("the second claim takes only the other: %+v", got)
		}
		if got, _ := e.DB.ClaimMail(ctx, 10, 5*time.Minute); len(got) != 0 {
			t.Fatalf("a leased message was claimed again: %+v", got)
		}

		// The sender of a died mid-send: after the lease, a is taken again,
		// with the same Message-ID; its attempts count the crash.
		e.Clock.Advance(5*time.Minute + time.Second)
		again, err := e.DB.ClaimMail(ctx, 10, 3*time.Hour)
		if err != nil || len(again) != 2 || again[0].ID != a.ID || again[0].MessageID != a.MessageID || again[0].Attempts != 2 {
			t.Fatalf("after the lease expired: %+v %v", again, err)
		}

		// b fails for now: it waits until its retry.
		retry := e.Clock.Now().Add(time.Hour)
		if err := e.DB.MailFailed(ctx, e.Tenant.ID, b.ID, "smtp 421", &retry); err != nil {
			t.Fatal(err)
		}
		if got := outboxMessage(t, e, c.ID, b.ID); got.State != store.OutboxPending || !got.NextAttempt.Equal(retry) ||
			got.LastError != "smtp 421" || got.To == "" {
			t.Fatalf("after a temporary failure: %+v", got)
		}
		e.Clock.Advance(59 * time.Minute)
		if got, _ := e.DB.ClaimMail(ctx, 10, time.Minute); len(got) != 0 {
			t.Fatalf("claimed before its retry: %+v", got)
		}
		e.Clock.Advance(time.Minute)
		if got, _ := e.DB.ClaimMail(ctx, 10, time.Minute); len(got) != 1 || got[0].ID != b.ID || got[0].Attempts != 3 {
			t.Fatalf("claimed at its retry: %+v", got)
		}
		// ... and then finally: its contents go.
		if err := e.DB.MailFailed(ctx, e.Tenant.ID, b.ID, "smtp 550\nto devries@example.nl", nil); err != nil {
			t.Fatal(err)
		}
		fb := outboxMessage(t, e, c.ID, b.ID)
		if fb.State != store.OutboxFailed || fb.To != "" || fb.Subject != "" || fb.Text != "" || fb.HTML != "" || fb.SentAt != nil ||
			fb.Kind != "consent-renewal" || fb.MessageID != b.MessageID || strings.ContainsAny(fb.LastError, "\r\n") {
			t.Fatalf("after the final failure: %+v", fb)
		}

		// a is delivered: its contents go, the proof stays.
		at := e.Clock.Now()
		if err := e.DB.MailSent(ctx, e.Tenant.ID, a.ID, at); err != nil {
			t.Fatal(err)
		}
		sa := outboxMessage(t, e, c.ID, a.ID)
		if sa.State != store.OutboxSent || sa.SentAt == nil || !sa.SentAt.Equal(at) || sa.To != "" || sa.Subject != "" || sa.Text != "" ||
			sa.HTML != "" || sa.MessageID != a.MessageID || sa.Attempts != 2 || sa.Kind != "consent-renewal" {
			t.Fatalf("after delivery: %+v", sa)
		}
		var left int
		if err := storetest.Raw(t, e).QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE tenant_id = $1
			AND (to_address <> '' OR subject <> '' OR body_text <> '' OR body_html <> '')`, e.Tenant.ID).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d messages still hold personal data (%v)", left, err)
		}
		// An outcome is recorded once: a late second report changes nothing.
		if err := e.DB.MailFailed(ctx, e.Tenant.ID, a.ID, "smtp 451", nil); err != nil {
			t.Fatal(err)
		}
		if got := outboxMessage(t, e, c.ID, a.ID); got.State != store.OutboxSent {
			t.Fatalf("a sent message was marked failed: %+v", got)
		}
		if err := e.DB.MailSent(ctx, e.Tenant.ID, 424242, at); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Fatalf("an unknown message: %v", err)
		}
		if f := auditedFields(t, e, c.ID, "update", "outbox"); !strings.Contains(strings.Join(f, ","), "to_address") {
			t.Errorf("the outcome is audited with fields %v", f)
		}
		if got, _ := e.DB.ClaimMail(ctx, 10, time.Minute); len(got) != 0 {
			t.Fatalf("a finished message was claimed: %+v", got)
		}
	})
}

// TestErasingACandidateRemovesTheirMessages: when a candidate is erased,
// their messages go with them — waiting or sent.
func TestErasingACandidateRemovesTheirMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := e.MustCreateCandidate(t, "Mulder")
		other := e.MustCreateCandidate(t, "Visser")
		sent := mustEnqueue(t, e, c.ID, "mulder@example.nl")
		mustEnqueue(t, e, c.ID, "mulder@example.nl")
		mustEnqueue(t, e, other.ID, "visser@example.nl")
		if _, err := e.DB.ClaimMail(ctx, 1, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.MailSent(ctx, e.Tenant.ID, sent.ID, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		po := kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RolePrivacy}
		recs, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{Reason: "request"})
		if err != nil || len(recs) != 1 {
			t.Fatalf("erase: %+v %v", recs, err)
		}
		if n := outboxRows(t, e, c.ID); n != 0 {
			t.Errorf("%d messages of the erased candidate left", n)
		}
		if n := outboxRows(t, e, other.ID); n != 1 {
			t.Errorf("another candidate's messages: %d, want 1", n)
		}
	})
}

// TestAStagedErasureRemovesTheMessages: a leaver whose personnel file
// (R3) has ended keeps what payroll law requires, and no message; and is
// sent none any more.
func TestAStagedErasureRemovesTheMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c, _ := richCandidate(t, e, "Bos", true)
		mustEnqueue(t, e, c.ID, "bos@example.nl")
		advanceTo(e, "2028-06-30")
		recs, err := e.DB.Erase(ctx, privacyOfficer(e), []kluis.ID{c.ID}, store.EraseOptions{})
		if err != nil || len(recs) != 1 || recs[0].Complete {
			t.Fatalf("a staged erasure: %+v %v", recs, err)
		}
		if n := outboxRows(t, e, c.ID); n != 0 {
			t.Errorf("%d messages outlived R3", n)
		}
		// Restricted to what the law requires, the candidate gets no mail.
		m := &store.OutboxMessage{CandidateID: c.ID, Kind: "consent-renewal", To: "bos@example.nl", Subject: "S", Text: "T"}
		if err := e.DB.EnqueueMail(ctx, privacyOfficer(e), m); kluis.ErrorCode(err) != kluis.EConflict {
			t.Errorf("a message to a restricted candidate: %v", err)
		}
	})
}

// TestTheFiguresCountTheOutboxAcrossAgencies: what /metrics reports.
func TestTheFiguresCountTheOutboxAcrossAgencies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		f, err := e.DB.Figures(ctx)
		if err != nil || len(f.Outbox) != 0 || !f.OldestPending.IsZero() || f.Erasures != 0 {
			t.Fatalf("an empty installation: %+v, %v", f, err)
		}
		c := e.MustCreateCandidate(t, "Teller")
		for i := 0; i < 2; i++ {
			if err := e.DB.EnqueueMail(ctx, e.Actor, &store.OutboxMessage{CandidateID: c.ID, Kind: "test", To: "a@example.nl", Subject: "s", Text: "t"}); err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(time.Minute)
		}
		f, err = e.DB.Figures(ctx)
		if err != nil || f.Outbox[store.OutboxPending] != 2 || !f.OldestPending.Equal(storetest.Start) {
			t.Fatalf("two pending messages: %+v, %v", f, err)
		}
	})
}
