package store_test

import (
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// linkToken takes the token out of the link in an e-mail.
func linkToken(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(text, store.ConsentPortalPath)
	if i < 0 {
		t.Fatalf("no link in %q", text)
	}
	tok := text[i+len(store.ConsentPortalPath):]
	if j := strings.IndexAny(tok, "\n <\""); j >= 0 {
		tok = tok[:j]
	}
	return tok
}

func TestCandidatesAreAskedForConsentBeforeTheirDataExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		// Registered on 2026-11-29: R1 ends on 2028-11-29; the agency asks
		// 30 days before.
		c, _ := richCandidate(t, e, "Dekker", false)
		noMail := &kluis.Candidate{BranchID: e.Branch.ID, LastName: "Zondermail", Source: "walk-in"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, noMail); err != nil {
			t.Fatal(err)
		}
		const base = "https://kluis.example.nl"
		advanceTo(e, "2028-10-29")
		if got, err := e.DB.SendConsentRequests(ctx, e.Tenant.ID, base); err != nil || got.Sent != 0 {
			t.Fatalf("asked 31 days ahead: %+v, %v", got, err)
		}
		advanceTo(e, "2028-10-30")
		got, err := e.DB.SendConsentRequests(ctx, e.Tenant.ID, base)
		if err != nil || got.Sent != 1 || got.Reminded != 0 {
			t.Fatalf("the first round: %+v, %v", got, err)
		}
		// Nothing twice.
		if got, _ := e.DB.SendConsentRequests(ctx, e.Tenant.ID, base); got.Sent+got.Reminded != 0 {
			t.Fatalf("asked twice: %+v", got)
		}
		msgs, _, err := e.DB.OutboxMessages(ctx, po, c.ID, kluis.Page{})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("the outbox: %+v, %v", msgs, err)
		}
		m := msgs[0]
		if m.To != c.Email || m.Kind != "consent-renewal" || !strings.Contains(m.Text, "2028-11-29") || !strings.Contains(m.Text, base+store.ConsentPortalPath) ||
			!strings.Contains(m.HTML, "<a href=") || !strings.Contains(m.Text, "Testbureau") {
			t.Errorf("the message: %+v", m)
		}
		first := linkToken(t, m.Text)
		// After 14 days without an answer, one reminder with a new link.
		advanceTo(e, "2028-11-13")
		if got, _ := e.DB.SendConsentRequests(ctx, e.Tenant.ID, base); got.Reminded != 1 {
			t.Fatalf("no reminder: %+v", got)
		}
		if got, _ := e.DB.SendConsentRequests(ctx, e.Tenant.ID, base); got.Sent+got.Reminded != 0 {
			t.Fatalf("reminded twice: %+v", got)
		}
		msgs, _, _ = e.DB.OutboxMessages(ctx, po, c.ID, kluis.Page{})
		if len(msgs) != 2 {
			t.Fatalf("%d messages", len(msgs))
		}
		var second string
		for _, m := range msgs {
			if strings.HasPrefix(m.Subject, "Herinnering") {
				second = linkToken(t, m.Text)
			}
		}
		if _, err := e.DB.AnswerConsentRequest(ctx, first, true); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Errorf("the replaced link still works: %v", err)
		}
		if _, err := e.DB.AnswerConsentRequest(ctx, second+"x", true); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Errorf("a forged link works: %v", err)
		}
		info, err := e.DB.ConsentLinkInfo(ctx, second)
		if err != nil || info.Agency != "Testbureau" || info.DataExpires != "2028-11-29" || info.Answer != "" || info.Expired {
			t.Fatalf("the link: %+v, %v", info, err)
		}
		r, err := e.DB.AnswerConsentRequest(ctx, second, true)
		if err != nil || r.Answer != "agreed" || r.ConsentID == 0 {
			t.Fatalf("the answer: %+v, %v", r, err)
		}
		if _, err := e.DB.AnswerConsentRequest(ctx, second, false); kluis.ErrorCode(err) != kluis.EConflict {
			t.Errorf("a link answered twice: %v", err)
		}
		// The consent extends R1: nothing is due on 2028-11-30.
		advanceTo(e, "2028-11-30")
		if got, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{}); err != nil || len(got) != 0 {
			t.Errorf("erased despite the consent: %+v, %v", got, err)
		}
		reqs, err := e.DB.ConsentRequests(ctx, po, c.ID)
		if err != nil || len(reqs) != 1 || reqs[0].RemindedOn != "2028-11-13" || reqs[0].Answer != "agreed" {
			t.Errorf("the requests: %+v, %v", reqs, err)
		}
	})
}

func TestADeclinedOrUnansweredRequestLetsTheDataExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		no, _ := richCandidate(t, e, "Nee", false)
		silent, _ := richCandidate(t, e, "Stil", false)
		advanceTo(e, "2028-11-01")
		if got, err := e.DB.SendConsentRequests(ctx, e.Tenant.ID, "https://k.example.nl"); err != nil || got.Sent != 2 {
			t.Fatalf("%+v, %v", got, err)
		}
		msgs, _, _ := e.DB.OutboxMessages(ctx, po, no.ID, kluis.Page{})
		r, err := e.DB.AnswerConsentRequest(ctx, linkToken(t, msgs[0].Text), false)
		if err != nil || r.Answer != "declined" {
			t.Fatalf("declined: %+v, %v", r, err)
		}
		smsgs, _, _ := e.DB.OutboxMessages(ctx, po, silent.ID, kluis.Page{})
		late := linkToken(t, smsgs[0].Text)
		advanceTo(e, "2028-11-29")
		if _, err := e.DB.AnswerConsentRequest(ctx, late, true); kluis.ErrorCode(err) != kluis.EConflict {
			t.Errorf("an answer after the data expired: %v", err)
		}
		got, err := e.DB.Erase(ctx, po, []kluis.ID{no.ID, silent.ID}, store.EraseOptions{})
		if err != nil || len(got) != 2 {
			t.Fatalf("both expire on schedule: %+v, %v", got, err)
		}
		if left := rowsOf(t, e, no.ID); len(left) != 0 {
			t.Errorf("left: %v", left)
		}
		_ = time.Second
	})
}
