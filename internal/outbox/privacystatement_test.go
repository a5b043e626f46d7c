package outbox_test

import (
	"bytes"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/mail/mailtest"
	"kluis/internal/store/storetest"
)

// TestTheSentPrivacyStatementArrives: a statement e-mailed to a
// candidate is delivered through a real SMTP server, rendered in the
// candidate's language as text and HTML, with the catalogue's tables
// filled in and no markup from the text let through.
func TestTheSentPrivacyStatementArrives(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		srv := mailtest.Start(t)
		var log bytes.Buffer
		w := worker(e, mailpitSender(t, srv), &log)
		po := kluis.Actor{TenantID: e.Tenant.ID, UserID: e.Actor.UserID, Role: kluis.RolePrivacy}
		st := &kluis.PrivacyStatement{TextNL: kluis.DefaultStatement("nl") + "\n<img src=x onerror=alert(1)>", TextEN: kluis.DefaultStatement("en")}
		if err := e.DB.PublishPrivacyStatement(ctx, po, st); err != nil {
			t.Fatal(err)
		}
		c := e.MustCreateCandidate(t, "Dijkstra")
		if _, err := e.DB.SendPrivacyStatement(ctx, po, c.ID, "nl"); err != nil {
			t.Fatal(err)
		}
		m := stored(t, e, c.ID)
		if sent, failed, err := w.Once(ctx); err != nil || sent != 1 || failed != 0 {
			t.Fatalf("once: sent %d, failed %d, %v", sent, failed, err)
		}
		got := srv.WaitMessage(wantMessageID(&m))
		if got.Subject != "Privacyverklaring van Testbureau (versie 1)" || len(got.To) != 1 || got.To[0].Address != c.Email {
			t.Fatalf("received: %+v", got)
		}
		for _, want := range []string{"Beste Sanne Dijkstra,", "Bemiddeling naar werk", "Burgerservicenummer", "Inzage"} {
			if !strings.Contains(got.Text, want) || !strings.Contains(got.HTML, want) {
				t.Errorf("%q is missing from the text or the HTML", want)
			}
		}
		if !strings.Contains(got.HTML, "<h1>Privacyverklaring</h1>") || strings.Contains(got.HTML, "<img") || strings.Contains(got.Text, "{{") {
			t.Errorf("the HTML: %s", got.HTML)
		}
		noPersonalData(t, log.String())
	})
}
