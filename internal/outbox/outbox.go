// Package outbox sends the e-mail that kluis writes to its outbox table
// (store.OutboxMessage): a worker claims what is due, sends it through the
// SMTP server, and records delivery, a retry with back-off, or the final
// failure.
//
// Delivery is at least once, never silently lost, and recognisably the
// same message when it happens twice: a message is claimed (state
// "sending" with a lease) before it is sent. Should kluis die after the
// SMTP server accepted a message but before the delivery was recorded,
// the lease runs out and the message is sent again — with the Message-ID
// fixed when it was written, so the receiving side can de-duplicate it by
// that header. In a normal run each message is sent exactly once.
//
// Logs and the recorded errors hold ids, the kind of message, an error
// class and the SMTP reply code: never an address, a name or a subject.
package outbox

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/mail"
	"kluis/internal/store"
)

// Backoff is the wait after each failed attempt: after the last one a
// message has finally failed (six attempts in all, over some nine hours).
var Backoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// Interval is how often kluis serve looks for e-mail that is due.
const Interval = 15 * time.Second

// Defaults of Worker.Batch and Worker.Lease. The lease covers a whole
// batch sent one after the other, each within mail.SendTimeout.
const (
	DefaultBatch = 10
	DefaultLease = 10 * time.Minute
)

// Sender sends one message and returns its Message-ID (*mail.Sender).
type Sender interface {
	Send(ctx context.Context, m mail.Message) (string, error)
}

// Worker sends what is due in the outbox.
type Worker struct {
	DB     *store.DB
	Sender Sender
	Clock  kluis.Clock   // nil: the system's
	Log    *slog.Logger  // nil: no log
	Batch  int           // messages claimed at once; 0: DefaultBatch
	Lease  time.Duration // how long a claim lasts; 0: DefaultLease. More than Batch × mail.SendTimeout.
}

// Once claims one batch of due messages and sends them. sent counts the
// deliveries, failed the attempts that failed (to be retried or given up).
// When ctx ends mid-batch it stops; what it had claimed and not finished
// is sent again when the lease ends.
func (w *Worker) Once(ctx context.Context) (sent, failed int, err error) {
	batch, lease := w.Batch, w.Lease
	if batch <= 0 {
		batch = DefaultBatch
	}
	if lease <= 0 {
		lease = DefaultLease
	}
	msgs, err := w.DB.ClaimMail(ctx, batch, lease)
	if err != nil {
		return 0, 0, err
	}
	for _, m := range msgs {
		if err := ctx.Err(); err != nil {
			return sent, failed, err
		}
		log := w.logger().With("outbox", strconv.FormatInt(int64(m.ID), 10), "tenant", strconv.FormatInt(int64(m.TenantID), 10),
			"kind", m.Kind, "attempt", m.Attempts)
		_, serr := w.Sender.Send(ctx, mail.Message{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, MessageID: m.MessageID})
		// Whatever happens from here is recorded even when kluis is
		// stopping: a delivery not recorded is a delivery repeated.
		rctx := context.WithoutCancel(ctx)
		now := w.now()
		if serr == nil {
			if err := w.DB.MailSent(rctx, m.TenantID, m.ID, now); err != nil {
				return sent, failed, err
			}
			log.Info("e-mail sent")
			sent++
			continue
		}
		if ctx.Err() != nil {
			// Stopped mid-send: whether the server took it is unknown; the
			// lease decides, and a repeat carries the same Message-ID.
			return sent, failed, ctx.Err()
		}
		failed++
		reason, permanent := Classify(serr)
		if permanent || m.Attempts > len(Backoff) {
			if err := w.DB.MailFailed(rctx, m.TenantID, m.ID, reason, nil); err != nil {
				return sent, failed, err
			}
			log.Warn("e-mail not sent: given up", "error", reason, "permanent", permanent)
			continue
		}
		retry := now.Add(Backoff[max(m.Attempts, 1)-1])
		if err := w.DB.MailFailed(rctx, m.TenantID, m.ID, reason, &retry); err != nil {
			return sent, failed, err
		}
		log.Info("e-mail not sent: will retry", "error", reason, "retry_at", retry.UTC().Format(time.RFC3339))
	}
	return sent, failed, nil
}

// Run sends what is due every interval until ctx ends; a full batch is
// followed at once by the next.
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	for {
		sent, failed, err := w.Once(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			w.logger().Error("outbox", "error", err)
		}
		batch := w.Batch
		if batch <= 0 {
			batch = DefaultBatch
		}
		if err == nil && sent+failed >= batch {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

func (w *Worker) now() time.Time {
	if w.Clock == nil {
		return kluis.SystemClock{}.Now()
	}
	return w.Clock.Now()
}

func (w *Worker) logger() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// Classify names a failure to send without personal data — "smtp 550",
// "invalid message", "timeout", "connection" — and says whether it is
// permanent: the server refused the message for good (a 5xx reply), or no
// server would take it. Anything else (a 4xx reply, a network or TLS
// failure, a time-out) is worth another try.
func Classify(err error) (reason string, permanent bool) {
	if kluis.ErrorCode(err) == kluis.EInvalid {
		return "invalid message", true
	}
	var me *mail.Error
	if errors.As(err, &me) {
		if code := me.Code(); code > 0 {
			return "smtp " + strconv.Itoa(code), code >= 500 && !me.Temporary()
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout", false
	}
	return "connection", false
}
