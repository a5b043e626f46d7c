package outbox_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/mail"
	"kluis/internal/mail/mailtest"
	"kluis/internal/outbox"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

var ctx = context.Background()

const from = "privacy@bureau.example.nl"

// mailpitSender sends through a mailpit on this machine.
func mailpitSender(t *testing.T, srv *mailtest.Server) *mail.Sender {
	t.Helper()
	s, err := mail.NewSender(mail.Config{Host: srv.Host, Port: srv.SMTPPort, From: from, TLS: mail.TLSNone, HelloName: "kluis.test"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// deadSender sends to a loopback port where nothing listens: every send
// fails as a network failure does.
func deadSender(t *testing.T) *mail.Sender {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s, err := mail.NewSender(mail.Config{Host: "127.0.0.1", Port: port, From: from, TLS: mail.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// senderFunc adapts a function to outbox.Sender.
type senderFunc func(context.Context, mail.Message) (string, error)

func (f senderFunc) Send(ctx context.Context, m mail.Message) (string, error) { return f(ctx, m) }

func worker(e *storetest.Env, s outbox.Sender, log *bytes.Buffer) *outbox.Worker {
	return &outbox.Worker{DB: e.DB, Sender: s, Clock: e.Clock, Log: slog.New(slog.NewTextHandler(log, nil)), Batch: 10, Lease: 10 * time.Minute}
}

func enqueue(t *testing.T, e *storetest.Env, to string) (*kluis.Candidate, *store.OutboxMessage) {
	t.Helper()
	c := e.MustCreateCandidate(t, "Dijkstra")
	m := &store.OutboxMessage{CandidateID: c.ID, Kind: "consent-renewal", To: to, Subject: "Mogen we uw gegevens langer bewaren?",
		Text: "Beste Sanne Dijkstra,\n\nUw toestemming loopt af.\n", HTML: "<p>Beste Sanne Dijkstra,</p><p>Uw toestemming loopt af.</p>"}
	if err := e.DB.EnqueueMail(ctx, e.Actor, m); err != nil {
		t.Fatal(err)
	}
	return c, m
}

func stored(t *testing.T, e *storetest.Env, cand kluis.ID) store.OutboxMessage {
	t.Helper()
	ms, n, err := e.DB.OutboxMessages(ctx, e.Actor, cand, kluis.Page{})
	if err != nil || n != 1 {
		t.Fatalf("the candidate's outbox: %+v %d %v", ms, n, err)
	}
	return ms[0]
}

// wantMessageID is the Message-ID the SMTP server sees for a stored one:
// the sender's domain is added.
func wantMessageID(m *store.OutboxMessage) string {
	return strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">") + "@bureau.example.nl"
}

// deliveries counts what mailpit received with the Message-ID.
func deliveries(srv *mailtest.Server, id string) int {
	n := 0
	for _, m := range srv.Messages() {
		if m.MessageID == id {
			n++
		}
	}
	return n
}

// noPersonalData checks that the log names no address, name or subject.
func noPersonalData(t *testing.T, log string) {
	t.Helper()
	for _, s := range []string{"example.nl", "Dijkstra", "Sanne", "bewaren"} {
		if strings.Contains(log, s) {
			t.Errorf("the log holds %q:\n%s", s, log)
		}
	}
}

// TestAMessageIsDeliveredOnce: the worker sends a due message through a
// real SMTP server with its fixed Message-ID, records the delivery and
// empties the message; a next round sends nothing.
func TestAMessageIsDeliveredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		srv := mailtest.Start(t)
		var log bytes.Buffer
		w := worker(e, mailpitSender(t, srv), &log)
		c, m := enqueue(t, e, "sanne.dijkstra@example.nl")

		sent, failed, err := w.Once(ctx)
		if err != nil || sent != 1 || failed != 0 {
			t.Fatalf("once: sent %d, failed %d, %v", sent, failed, err)
		}
		got := srv.WaitMessage(wantMessageID(m))
		if got.Subject != m.Subject || !strings.Contains(got.Text, "Uw toestemming loopt af.") || !strings.Contains(got.HTML, "<p>Beste Sanne Dijkstra,</p>") ||
			len(got.To) != 1 || got.To[0].Address != "sanne.dijkstra@example.nl" || got.From.Address != from {
			t.Fatalf("received: %+v", got)
		}
		if sent, failed, err := w.Once(ctx); err != nil || sent+failed != 0 {
			t.Fatalf("a second round: sent %d, failed %d, %v", sent, failed, err)
		}
		if n := deliveries(srv, wantMessageID(m)); n != 1 {
			t.Fatalf("%d deliveries, want exactly 1", n)
		}
		s := stored(t, e, c.ID)
		if s.State != store.OutboxSent || s.SentAt == nil || !s.SentAt.Equal(e.Clock.Now()) || s.To != "" || s.Subject != "" || s.Text != "" ||
			s.HTML != "" || s.Attempts != 1 || s.MessageID != m.MessageID {
			t.Fatalf("the proof of delivery: %+v", s)
		}
		noPersonalData(t, log.String())
	})
}

// TestATemporaryFailureIsRetriedAfterTheBackoff: the first attempt finds
// no server; the message waits a minute, and is then delivered.
func TestATemporaryFailureIsRetriedAfterTheBackoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		srv := mailtest.Start(t)
		dead, live := deadSender(t), mailpitSender(t, srv)
		var calls atomic.Int32
		flaky := senderFunc(func(ctx context.Context, m mail.Message) (string, error) {
			if calls.Add(1) == 1 {
				return dead.Send(ctx, m)
			}
			return live.Send(ctx, m)
		})
		var log bytes.Buffer
		w := worker(e, flaky, &log)
		c, m := enqueue(t, e, "sanne.dijkstra@example.nl")

		if sent, failed, err := w.Once(ctx); err != nil || sent != 0 || failed != 1 {
			t.Fatalf("the first attempt: sent %d, failed %d, %v", sent, failed, err)
		}
		s := stored(t, e, c.ID)
		if s.State != store.OutboxPending || !s.NextAttempt.Equal(e.Clock.Now().Add(time.Minute)) || s.LastError != "connection" || s.To == "" {
			t.Fatalf("after a temporary failure: %+v", s)
		}
		e.Clock.Advance(59 * time.Second)
		if sent, failed, _ := w.Once(ctx); sent+failed != 0 {
			t.Fatal("retried before the back-off ended")
		}
		e.Clock.Advance(time.Second)
		if sent, failed, err := w.Once(ctx); err != nil || sent != 1 || failed != 0 {
			t.Fatalf("the retry: sent %d, failed %d, %v", sent, failed, err)
		}
		srv.WaitMessage(wantMessageID(m))
		if s := stored(t, e, c.ID); s.State != store.OutboxSent || s.Attempts != 2 || s.LastError != "" {
			t.Fatalf("after the retry: %+v", s)
		}
		noPersonalData(t, log.String())
	})
}

// TestAMessageFailsFinallyAfterTheSchedule: a server that cannot be
// reached is tried six times — after 1 min, 5 min, 30 min, 2 h and 6 h —
// and then the message has failed, its contents emptied.
func TestAMessageFailsFinallyAfterTheSchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		var log bytes.Buffer
		w := worker(e, deadSender(t), &log)
		c, m := enqueue(t, e, "sanne.dijkstra@example.nl")
		for i, wait := range append([]time.Duration{0}, outbox.Backoff...) {
			e.Clock.Advance(wait)
			if sent, failed, err := w.Once(ctx); err != nil || sent != 0 || failed != 1 {
				t.Fatalf("attempt %d: sent %d, failed %d, %v", i+1, sent, failed, err)
			}
			if s := stored(t, e, c.ID); i < len(outbox.Backoff) && (s.State != store.OutboxPending || s.To == "") {
				t.Fatalf("after attempt %d: %+v", i+1, s)
			}
		}
		s := stored(t, e, c.ID)
		if s.State != store.OutboxFailed || s.Attempts != 6 || s.LastError != "connection" || s.To != "" || s.Subject != "" || s.Text != "" ||
			s.HTML != "" || s.SentAt != nil || s.MessageID != m.MessageID {
			t.Fatalf("after the last attempt: %+v", s)
		}
		e.Clock.Advance(24 * time.Hour)
		if sent, failed, _ := w.Once(ctx); sent+failed != 0 {
			t.Fatal("a failed message was tried again")
		}
		noPersonalData(t, log.String())
	})
}

// TestARefusalFailsAtOnce: a server that refuses the recipient for good
// (550) is not asked again.
func TestARefusalFailsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		srv := mailtest.Start(t, "--smtp-allowed-recipients", `@bureau\.example\.nl$`)
		var log bytes.Buffer
		w := worker(e, mailpitSender(t, srv), &log)
		c, _ := enqueue(t, e, "sanne.dijkstra@example.nl")
		if sent, failed, err := w.Once(ctx); err != nil || sent != 0 || failed != 1 {
			t.Fatalf("once: sent %d, failed %d, %v", sent, failed, err)
		}
		s := stored(t, e, c.ID)
		if s.State != store.OutboxFailed || s.Attempts != 1 || !strings.HasPrefix(s.LastError, "smtp 5") || s.To != "" {
			t.Fatalf("after a refusal: %+v", s)
		}
		if len(srv.Messages()) != 0 {
			t.Fatal("mailpit took the refused message")
		}
		noPersonalData(t, log.String())
	})
}

// TestAResendAfterACrashCarriesTheSameMessageID: kluis dies after the
// SMTP server accepted a message and before it recorded that. When the
// lease has run out, the next worker sends the message again — with the
// same Message-ID, so the receiver can tell it is the same message — and
// records it; after that, it is not sent a third time.
func TestAResendAfterACrashCarriesTheSameMessageID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		srv := mailtest.Start(t)
		live := mailpitSender(t, srv)
		type crash struct{}
		dies := senderFunc(func(ctx context.Context, m mail.Message) (string, error) {
			if _, err := live.Send(ctx, m); err != nil {
				return "", err
			}
			panic(crash{}) // the process ends here: nothing after the send runs
		})
		var log bytes.Buffer
		c, m := enqueue(t, e, "sanne.dijkstra@example.nl")
		func() {
			defer func() {
				if r := recover(); r != (crash{}) {
					t.Fatalf("the first worker did not crash as planned: %v", r)
				}
			}()
			_, _, _ = worker(e, dies, &log).Once(ctx)
		}()
		srv.WaitMessage(wantMessageID(m))
		if s := stored(t, e, c.ID); s.State != store.OutboxSending {
			t.Fatalf("after the crash: %+v", s)
		}

		restarted := worker(e, live, &log)
		if sent, failed, _ := restarted.Once(ctx); sent+failed != 0 {
			t.Fatal("sent again while the crashed worker's lease lasted")
		}
		e.Clock.Advance(10*time.Minute + time.Second)
		if sent, failed, err := restarted.Once(ctx); err != nil || sent != 1 || failed != 0 {
			t.Fatalf("after the lease: sent %d, failed %d, %v", sent, failed, err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for deliveries(srv, wantMessageID(m)) < 2 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := deliveries(srv, wantMessageID(m)); n != 2 {
			t.Fatalf("%d deliveries with Message-ID %s, want 2", n, wantMessageID(m))
		}
		for _, got := range srv.Messages() {
			h := srv.Headers(got.ID)
			if ids := h["Message-Id"]; len(ids) != 1 || ids[0] != "<"+wantMessageID(m)+">" {
				t.Errorf("Message-ID header %v", h["Message-Id"])
			}
		}
		e.Clock.Advance(time.Hour)
		if sent, failed, _ := restarted.Once(ctx); sent+failed != 0 {
			t.Fatal("sent a third time")
		}
		if s := stored(t, e, c.ID); s.State != store.OutboxSent || s.Attempts != 2 || s.To != "" {
			t.Fatalf("after the resend: %+v", s)
		}
		noPersonalData(t, log.String())
	})
}
