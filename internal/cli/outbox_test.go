package cli

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"kluis/internal/mail/mailtest"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// TestServeSendsTheOutboxThroughTheSMTPFlags: with --smtp-host (here from
// the environment, as `kluis mail test` reads it) kluis serve sends what
// is in the outbox; without, it warns once and leaves the e-mail there.
func TestServeSendsTheOutboxThroughTheSMTPFlags(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	c := e.MustCreateCandidate(t, "Hendriks")
	m := &store.OutboxMessage{CandidateID: c.ID, Kind: "consent-renewal", To: "hendriks@example.nl", Subject: "Toestemming", Text: "Tekst"}
	if err := e.DB.EnqueueMail(context.Background(), e.Actor, m); err != nil {
		t.Fatal(err)
	}
	env := &env{stdout: io.Discard, stderr: io.Discard, clock: e.Clock}
	start := func() (*bytes.Buffer, error) {
		f := newFlags(env, "serve", "serve")
		ms := mailFlags(f)
		if err := f.parse(nil); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		var logs bytes.Buffer
		return &logs, startOutbox(ctx, env, e.DB, ms, newLogger(&logs, "info"), 0)
	}

	t.Setenv("KLUIS_SMTP_HOST", "")
	logs, err := start()
	if err != nil || !strings.Contains(logs.String(), "e-mail stays in the outbox") {
		t.Fatalf("without an SMTP server: %v, log %q", err, logs.String())
	}

	srv := mailtest.Start(t)
	t.Setenv("KLUIS_SMTP_HOST", srv.Host)
	t.Setenv("KLUIS_SMTP_PORT", strconv.Itoa(srv.SMTPPort))
	t.Setenv("KLUIS_SMTP_FROM", "privacy@mijnbureau.example.nl")
	t.Setenv("KLUIS_SMTP_TLS", "none")
	if _, err := start(); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitMessage(strings.Trim(m.MessageID, "<>") + "@mijnbureau.example.nl")
	if got.Subject != "Toestemming" || len(got.To) != 1 || got.To[0].Address != "hendriks@example.nl" {
		t.Fatalf("received %+v", got)
	}

	// Settings an SMTP server would refuse stop kluis serve at start.
	t.Setenv("KLUIS_SMTP_TLS", "sometimes")
	if _, err := start(); err == nil {
		t.Fatal("bad SMTP settings were accepted")
	}
}
