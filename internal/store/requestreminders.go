package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"kluis/internal/kluis"
)

// Reminders of requests that fall due: the scheduled work (kluis serve)
// e-mails an open request's handler — or, while it has none, every privacy
// officer — through the outbox some days before its due date (the
// agency's setting, default 7; 0 sends none) and once more when it is
// overdue. Each reminder is recorded in request_reminders by request,
// kind and due date in the transaction that writes its e-mail, so it goes
// once, also with several kluis processes; an extended request (a new due
// date) is reminded again. The e-mail names the request by its number and
// links to it; it holds no personal data of the candidate.

// DefaultRequestReminderDays is how many days before a request's due date
// its handler is reminded, until an agency chooses otherwise.
const DefaultRequestReminderDays = 7

// MaxRequestReminderDays bounds the setting: a request is due in a month.
const MaxRequestReminderDays = 28

// RequestReminderDays returns the agency's setting.
func (db *DB) RequestReminderDays(ctx context.Context, tenant kluis.ID) (int, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return 0, err
	}
	defer done()
	n := DefaultRequestReminderDays
	err = rd.QueryRowContext(ctx, "SELECT request_reminder_days FROM tenant_settings WHERE tenant_id = $1", tenant).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("request reminder days: %w", err)
	}
	return n, nil
}

// SetRequestReminderDays changes the agency's setting, audited.
func (db *DB) SetRequestReminderDays(ctx context.Context, a kluis.Actor, days int) error {
	if days < 0 || days > MaxRequestReminderDays {
		p := kluis.Problems{}
		p.Add("request_reminder_days", "Van 0 (geen herinnering) tot en met "+strconv.Itoa(MaxRequestReminderDays)+" dagen.",
			"From 0 (no reminder) to "+strconv.Itoa(MaxRequestReminderDays)+" days.")
		return p.Err()
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, "UPDATE tenant_settings SET request_reminder_days = $2 WHERE tenant_id = $1", a.TenantID, days)
		if err != nil {
			return fmt.Errorf("request reminder days: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			// An agency that never saved its settings gets its row now.
			if _, err := tx.ExecContext(ctx, "INSERT INTO tenant_settings (tenant_id, version, updated_at, updated_by, request_reminder_days) VALUES ($1, 1, $2, $3, $4)",
				a.TenantID, db.now(), nullID(a.UserID), days); err != nil {
				return fmt.Errorf("request reminder days: %w", err)
			}
		}
		tx.record(kluis.AuditEntry{Action: "settings", Entity: "tenant_settings", Fields: []string{"request_reminder_days"}})
		return nil
	})
}

// RequestReminders are what one round of reminders did.
type RequestReminders struct{ DueSoon, Overdue int }

// SendRequestReminders reminds the handlers of the agency's open requests
// that fall due within the setting's days or are overdue, each reminder
// once. requestBase is kluis's public address, for the link ("" leaves it
// out).
func (db *DB) SendRequestReminders(ctx context.Context, tenant kluis.ID, requestBase string) (RequestReminders, error) {
	var done RequestReminders
	days, err := db.RequestReminderDays(ctx, tenant)
	if err != nil || days == 0 {
		return done, err
	}
	a := kluis.Actor{TenantID: tenant}
	today := db.today()
	horizon := kluis.DateOf(today.Time().AddDate(0, 0, days))
	qs, err := allRequests(ctx, db, a, RequestFilter{DueBy: horizon})
	if err != nil || len(qs) == 0 {
		return done, err
	}
	staff, err := db.Users(ctx, tenant)
	if err != nil {
		return done, err
	}
	for _, q := range qs {
		kind := "due-soon"
		if q.Overdue(today) {
			kind = "overdue"
		}
		var to []kluis.User
		for _, u := range staff {
			if u.Email != "" && (u.ID == q.HandlerID || q.HandlerID == 0 && u.Role == kluis.RolePrivacy) {
				to = append(to, u)
			}
		}
		sent := false
		err := db.write(ctx, a, func(tx *writeTx) error {
			res, err := tx.ExecContext(ctx, "INSERT INTO request_reminders (tenant_id, request_id, kind, due_on, sent_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
				tenant, q.ID, kind, q.DueOn, db.now())
			if err != nil {
				return fmt.Errorf("request reminder: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return err // reminded already
			}
			for _, u := range to {
				subject, text := requestReminderMail(q, kind, u.Language, requestBase)
				if err := db.enqueueMail(ctx, tx, &OutboxMessage{Kind: "request-" + kind, To: u.Email, Subject: subject, Text: text}); err != nil {
					return err
				}
			}
			sent = true
			return nil
		})
		if err != nil {
			return done, err
		}
		switch {
		case sent && kind == "overdue":
			done.Overdue++
		case sent:
			done.DueSoon++
		}
	}
	return done, nil
}

// allRequests reads every page of the register that f selects.
func allRequests(ctx context.Context, db *DB, a kluis.Actor, f RequestFilter) ([]kluis.Request, error) {
	var out []kluis.Request
	for off := 0; ; off += kluis.MaxPageSize {
		f.Page = kluis.Page{Limit: kluis.MaxPageSize, Offset: off}
		items, total, err := db.Requests(ctx, a, f)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if off+kluis.MaxPageSize >= total || len(items) == 0 {
			return out, nil
		}
	}
}

// requestReminderMail is the reminder in the staff member's language: the
// request's number, kind and due date, and the link; never the candidate.
func requestReminderMail(q kluis.Request, kind, lang, base string) (subject, text string) {
	t := func(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(lang) }
	id := strconv.FormatInt(q.ID, 10)
	due := q.DueOn.Time().Format("02-01-2006")
	what := kluis.RequestKinds.Label(q.Kind, lang)
	if kind == "overdue" {
		subject = t("Verzoek "+id+" is te laat: de termijn verliep op "+due, "Request "+id+" is overdue: its term ended on "+due)
		text = t("Het verzoek "+id+" ("+what+") had uiterlijk op "+due+" beantwoord moeten zijn en staat nog open. Handel het zo snel mogelijk af, of leg vast waarom het later wordt.",
			"Request "+id+" ("+what+") had to be answered by "+due+" and is still open. Handle it as soon as possible, or record why it is late.")
	} else {
		subject = t("Verzoek "+id+" moet uiterlijk "+due+" beantwoord zijn", "Request "+id+" must be answered by "+due)
		text = t("Het verzoek "+id+" ("+what+") moet uiterlijk op "+due+" beantwoord zijn en staat nog open.",
			"Request "+id+" ("+what+") must be answered by "+due+" and is still open.")
	}
	if base != "" {
		text += "\n\n" + strings.TrimRight(base, "/") + "/requests/" + id
	}
	text += "\n\n" + t("Dit bericht stuurt kluis vanzelf; het noemt de kandidaat niet.", "kluis sends this message by itself; it does not name the candidate.")
	return subject, text
}
