package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kluis/internal/kluis"
	"kluis/internal/mail"
)

// The outbox: e-mail is written in the same transaction as the change that
// causes it (enqueueMail), so that a change and its message are committed
// together or not at all, and sent afterwards by a worker (internal/outbox)
// that claims messages with a lease (ClaimMail) and records the outcome
// (MailSent, MailFailed). A message's Message-ID is fixed when it is
// written: one sent again after a crash mid-send carries the same id. Once
// a message is sent or has finally failed, its address, subject and bodies
// are emptied in the same statement; the kind, candidate, Message-ID,
// state, attempts and times remain as the proof that it was sent.

// The states of an outbox message.
const (
	OutboxPending = "pending" // waiting for NextAttempt
	OutboxSending = "sending" // claimed by a worker until NextAttempt (its lease)
	OutboxSent    = "sent"
	OutboxFailed  = "failed" // finally: no more attempts
)

// OutboxMessage is one e-mail in the outbox.
type OutboxMessage struct {
	TenantID, ID, CandidateID kluis.ID // CandidateID 0 when the recipient is no candidate (staff)
	Kind                      string   // what it is, e.g. "consent-renewal"; no personal data
	To                        string   // recipient address
	Subject, Text, HTML       string
	State                     string // OutboxPending, OutboxSending, OutboxSent or OutboxFailed
	Attempts                  int    // sends begun so far
	// NextAttempt is when a pending message is due; while it is being
	// sent, when the sender's lease ends.
	NextAttempt time.Time
	// MessageID is fixed when the message is written, "<outbox.…>" without
	// a domain: the sender adds the domain of its From address (see
	// mail.Message.MessageID), so the id the SMTP server sees is the same
	// on every attempt.
	MessageID string
	SentAt    *time.Time
	LastError string // the error class and SMTP code only; no personal data
	CreatedAt time.Time
}

// maxKind bounds OutboxMessage.Kind.
const maxKind = 64

// validKind accepts lower-case words joined by hyphens: a kind names a
// kind of message, never a person.
func validKind(s string) bool {
	if s == "" || len(s) > maxKind || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// outboxColumns in the order of scanOutbox.
const outboxColumns = `tenant_id, id, candidate_id, kind, to_address, subject, body_text, body_html, state, attempts,
	next_attempt, message_id, sent_at, last_error, created_at`

func scanOutbox(s interface{ Scan(...any) error }, m *OutboxMessage) error {
	return s.Scan(&m.TenantID, &m.ID, (*nullID)(&m.CandidateID), &m.Kind, &m.To, &m.Subject, &m.Text, &m.HTML, &m.State,
		&m.Attempts, &m.NextAttempt, &m.MessageID, &m.SentAt, &m.LastError, &m.CreatedAt)
}

// EnqueueMail writes m to the outbox in a transaction of its own, audited
// as every other write.
func (db *DB) EnqueueMail(ctx context.Context, a kluis.Actor, m *OutboxMessage) error {
	return db.write(ctx, a, func(tx *writeTx) error { return db.enqueueMail(ctx, tx, m) })
}

// enqueueMail writes m inside an open write transaction, in the actor's
// agency: it is sent only when the change that causes it commits. It sets
// m's id, state, Message-ID and times; the message is due at once.
func (db *DB) enqueueMail(ctx context.Context, tx *writeTx, m *OutboxMessage) error {
	m.TenantID = tx.actor.TenantID
	p := kluis.Problems{}
	if !validKind(m.Kind) {
		p.Add("kind", "Onbekende soort bericht.", "Unknown kind of message.")
	}
	if err := (mail.Message{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML}).Validate(); err != nil {
		var ke *kluis.Error
		if !errors.As(err, &ke) {
			return err
		}
		for f, msg := range ke.Fields {
			p.Add(f, msg.NL, msg.EN)
		}
	}
	if err := checkRef(ctx, tx, candidates, m.TenantID, m.CandidateID, p, "candidate_id"); err != nil {
		return err
	}
	if err := p.Err(); err != nil {
		return err
	}
	if m.CandidateID != 0 {
		// Not to a candidate of another branch; and not to one restricted
		// to what the law requires (art. 18: their data are only kept).
		if err := visibleCandidate(ctx, tx, tx.actor, m.CandidateID); err != nil {
			return err
		}
		// The notices of the candidate's own rights still go
		// (restrictions.go, recipients.go).
		if !rightsMail[m.Kind] {
			if r, err := candidateRestriction(ctx, tx, m.TenantID, m.CandidateID); err != nil {
				return err
			} else if r != "" {
				return errRestricted()
			}
			// Nor to one whose processing is restricted (art. 18), except
			// with a recorded reason to process anyway.
			if err := tx.mayProcess(ctx, m.CandidateID, "outbox"); err != nil {
				return err
			}
		}
	}
	m.To, _ = kluis.NormalizeEmail(m.To)
	now := db.now()
	m.ID, m.State, m.Attempts, m.NextAttempt, m.SentAt, m.LastError, m.CreatedAt = db.ids.Next(), OutboxPending, 0, now, nil, "", now
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	// The id and a random part: unique across agencies and installations
	// that send from the same domain.
	m.MessageID = "<outbox." + strconv.FormatInt(int64(m.TenantID), 36) + "." + strconv.FormatInt(int64(m.ID), 36) + "." +
		hex.EncodeToString(rnd[:]) + ">"
	_, err := tx.ExecContext(ctx, "INSERT INTO outbox ("+outboxColumns+") VALUES ("+placeholders(1, 15)+")",
		m.TenantID, m.ID, nullID(m.CandidateID), m.Kind, m.To, m.Subject, m.Text, m.HTML, m.State, m.Attempts,
		m.NextAttempt, m.MessageID, nil, m.LastError, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert outbox: %w", err)
	}
	fields := []string{"kind", "to_address", "subject", "body_text"}
	if m.HTML != "" {
		fields = append(fields, "body_html")
	}
	tx.record(kluis.AuditEntry{Action: "create", Entity: "outbox", EntityID: m.ID, CandidateID: m.CandidateID, Fields: fields})
	return nil
}

// ClaimMail takes up to n messages that are due — pending with NextAttempt
// passed, or sending with an expired lease: a sender that crashed or hung
// mid-send — across all agencies, oldest first. It marks them sending
// with a lease until now+lease, counts the attempt, and returns them.
// On PostgreSQL, workers of several kluis processes skip each other's rows.
func (db *DB) ClaimMail(ctx context.Context, n int, lease time.Duration) ([]OutboxMessage, error) {
	if n <= 0 || lease <= 0 {
		return nil, errors.New("store: ClaimMail needs n > 0 and a lease")
	}
	now := db.now()
	var out []OutboxMessage
	err := db.update(ctx, acrossAgencies(), func(tx *sql.Tx) error {
		q := "SELECT tenant_id, id FROM outbox WHERE state IN ('pending', 'sending') AND next_attempt <= $1 ORDER BY next_attempt, id LIMIT $2"
		if db.Dialect == Postgres {
			q += " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.QueryContext(ctx, q, now, n)
		if err != nil {
			return fmt.Errorf("claim mail: %w", err)
		}
		type key struct{ tenant, id kluis.ID }
		var keys []key
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.tenant, &k.id); err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			var m OutboxMessage
			err := scanOutbox(tx.QueryRowContext(ctx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt = $3
				WHERE tenant_id = $1 AND id = $2 RETURNING `+outboxColumns, k.tenant, k.id, now.Add(lease)), &m)
			if err != nil {
				return fmt.Errorf("claim mail: %w", err)
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MailSent records that the SMTP server accepted the message at at, and
// empties its address, subject and bodies in the same statement. A
// message already recorded as sent stays as it is.
func (db *DB) MailSent(ctx context.Context, tenant, id kluis.ID, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	return db.finishMail(ctx, tenant, id, "state = 'sent', sent_at = $3, last_error = ''", []any{at}, []string{"state", "sent_at"}, kluis.DeliverySent)
}

// MailFailed records a failed attempt. With retryAt the message waits
// until then for the next; without, it has finally failed and its
// address, subject and bodies are emptied in the same statement. reason is
// the error class and SMTP code only: no address, no name. A message
// already sent stays sent.
func (db *DB) MailFailed(ctx context.Context, tenant, id kluis.ID, reason string, retryAt *time.Time) error {
	reason = oneLine(reason, 200)
	if retryAt != nil {
		return db.finishMail(ctx, tenant, id, "state = 'pending', next_attempt = $3, last_error = $4",
			[]any{retryAt.UTC().Truncate(time.Microsecond), reason}, nil, "")
	}
	return db.finishMail(ctx, tenant, id, "state = 'failed', last_error = $3", []any{reason}, []string{"state", "last_error"}, kluis.DeliveryFailed)
}

// emptiedMail is the SET list that removes a message's personal data.
const emptiedMail = "to_address = '', subject = '', body_text = '', body_html = ''"

// finishMail applies set to a message not yet sent or finally failed; an
// outcome (audited fields given) also empties the message and is audited
// on behalf of the system, and the contact moment that proves the message
// was sent (a privacy statement) takes its delivery.
func (db *DB) finishMail(ctx context.Context, tenant, id kluis.ID, set string, args []any, fields []string, delivery string) error {
	final := fields != nil
	if final {
		set += ", " + emptiedMail
	}
	return db.write(ctx, kluis.Actor{TenantID: tenant}, func(tx *writeTx) error {
		var cand kluis.ID
		err := tx.QueryRowContext(ctx, "UPDATE outbox SET "+set+" WHERE tenant_id = $1 AND id = $2 AND state IN ('pending', 'sending') RETURNING candidate_id",
			append([]any{tenant, id}, args...)...).Scan((*nullID)(&cand))
		if errors.Is(err, sql.ErrNoRows) {
			var state string
			err := tx.QueryRowContext(ctx, "SELECT state FROM outbox WHERE tenant_id = $1 AND id = $2", tenant, id).Scan(&state)
			if errors.Is(err, sql.ErrNoRows) {
				return kluis.NotFound("e-mail")
			}
			if err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
			return nil // already sent or failed: the first outcome stands
		}
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if final {
			tx.record(kluis.AuditEntry{Action: "update", Entity: "outbox", EntityID: id, CandidateID: cand,
				Fields: append(fields, "to_address", "subject", "body_text", "body_html")})
			return deliverMoment(ctx, tx, tenant, id, cand, delivery)
		}
		return nil
	})
}

// deliverMoment gives the contact moment that names outbox message id,
// if one does, the message's delivery: the proof of a sending says
// whether it arrived at the SMTP server.
func deliverMoment(ctx context.Context, tx *writeTx, tenant, id, cand kluis.ID, delivery string) error {
	var moment kluis.ID
	err := tx.QueryRowContext(ctx, "UPDATE contact_moments SET delivery = $3, version = version + 1 WHERE tenant_id = $1 AND outbox_id = $2 RETURNING id",
		tenant, id, delivery).Scan(&moment)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("outbox: delivery of contact moment: %w", err)
	}
	tx.record(kluis.AuditEntry{Action: "update", Entity: "contact_moments", EntityID: moment, CandidateID: cand, Fields: []string{"delivery"}})
	return nil
}

// OutboxMessages lists the messages of a candidate in the actor's agency,
// newest first, or with candidate 0 all of the agency's (of the actor's
// branch's candidates, for an actor with a branch), and the number of all.
func (db *DB) OutboxMessages(ctx context.Context, a kluis.Actor, candidate kluis.ID, page kluis.Page) ([]OutboxMessage, int, error) {
	return db.outboxMessages(ctx, a, candidate, "", page)
}

// FailedMail lists the agency's messages the outbox finally gave up on
// (of the actor's branch's candidates, for an actor with a branch),
// newest first, and the number of all: what remains of each is its kind,
// candidate, Message-ID, attempts, times and the error class with the
// SMTP code — never its address, subject or text.
func (db *DB) FailedMail(ctx context.Context, a kluis.Actor, page kluis.Page) ([]OutboxMessage, int, error) {
	return db.outboxMessages(ctx, a, 0, OutboxFailed, page)
}

func (db *DB) outboxMessages(ctx context.Context, a kluis.Actor, candidate kluis.ID, state string, page kluis.Page) ([]OutboxMessage, int, error) {
	w := tenantWhere(a.TenantID)
	if state != "" {
		w.add("state = ?", state)
	}
	if candidate != 0 {
		w.add("candidate_id = ?", candidate)
	} else if a.Branch != 0 {
		w.add("candidate_id IN (SELECT c.id FROM candidates c WHERE c.tenant_id = outbox.tenant_id AND c.branch_id = ?)", a.Branch)
	}
	page = page.Normalize()
	var out []OutboxMessage
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error {
		if candidate != 0 {
			if err := visibleCandidate(ctx, tx, a, candidate); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM outbox"+w.sql(), w.args...).Scan(&total); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		n := len(w.args)
		args := append(append([]any{}, w.args...), page.Limit, page.Offset)
		rows, err := tx.QueryContext(ctx, "SELECT "+outboxColumns+" FROM outbox"+w.sql()+" ORDER BY created_at DESC, id DESC LIMIT $"+ // #nosec G202 -- a constant column list and a WHERE of placeholders; values are parameters
			strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2), args...)
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var m OutboxMessage
			if err := scanOutbox(rows, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, total, err
}

// oneLine keeps the printable characters of s on one line, at most max
// bytes of them.
func oneLine(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			r = ' '
		}
		if b.Len()+utf8.RuneLen(r) > max {
			break
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
