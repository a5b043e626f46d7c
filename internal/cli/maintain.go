package cli

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"kluis/internal/cleanup"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// maintain runs the scheduled work of every agency at start and then every
// interval until ctx ends: removing the data an agency stopped collecting,
// the ID copies R2 no longer allows, access-log entries past R7, the
// requests for consent before data expire (with the public address for
// their links), reminders of candidates' requests that fall due, the
// nightly clean-up of agencies that chose it, breaches closed more than
// five years ago, and whatever erasure a crash
// left unfinished. Each step is idempotent, so
// several kluis processes on one database may run it at the same time, and
// a run cut short is finished by the next.
func maintain(ctx context.Context, db *store.DB, log *slog.Logger, every time.Duration, publicURL string) {
	days := daily{}
	for {
		if err := maintainOnce(ctx, db, log, publicURL, days); err != nil && ctx.Err() == nil {
			log.Error("maintenance", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// daily remembers, per agency, the day the work that is needed once a day
// was last done: asking for consent walks the retention plan of every
// candidate (some 40 s of CPU at a million), and the terms it looks at
// are counted in days.
type daily map[kluis.ID]kluis.Date

// due reports whether the day's work of tenant is still to do today, and
// notes it as done.
func (d daily) due(tenant kluis.ID, today kluis.Date) bool {
	if d == nil {
		return true
	}
	if d[tenant] == today {
		return false
	}
	d[tenant] = today
	return true
}

// maintainOnce does the scheduled work of every agency once (the day's
// work only on the first round of a day, when days is not nil). The log
// names agencies and counts, never a person.
func maintainOnce(ctx context.Context, db *store.DB, log *slog.Logger, publicURL string, days daily) error {
	ts, err := db.Tenants(ctx)
	if err != nil {
		return err
	}
	var errs []error
	// Erasures and clean-up runs a crash left unfinished are finished
	// first; a candidate a restored backup brought back is erased again.
	r := &cleanup.Runner{DB: db}
	if n, err := r.Resume(ctx, 0, true); err != nil {
		errs = append(errs, err)
	} else if n > 0 {
		log.Info("resumed interrupted clean-up runs", "runs", n)
	}
	if n, err := db.ResumeStatementSends(ctx, true); err != nil {
		errs = append(errs, err)
	} else if n > 0 {
		log.Info("resumed interrupted sending of the privacy statement", "jobs", n)
	}
	for _, t := range ts {
		if days.due(t.ID, kluis.DateOf(db.Now())) {
			if asked, err := db.SendConsentRequests(ctx, t.ID, publicURL); err != nil {
				delete(days, t.ID) // tried again next round
				errs = append(errs, err)
			} else if asked.Sent+asked.Reminded > 0 {
				log.Info("asked candidates for consent to keep their data longer", "tenant", t.ID, "sent", asked.Sent, "reminded", asked.Reminded)
			}
		}
		if reminded, err := db.SendRequestReminders(ctx, t.ID, publicURL); err != nil {
			errs = append(errs, err)
		} else if reminded.DueSoon+reminded.Overdue > 0 {
			log.Info("reminded handlers of requests that fall due", "tenant", t.ID, "due_soon", reminded.DueSoon, "overdue", reminded.Overdue)
		}
		if ran, err := r.Nightly(ctx, t.ID, db.Clock()); err != nil {
			errs = append(errs, err)
		} else if ran {
			log.Info("nightly clean-up done", "tenant", t.ID)
		}
		removed, err := db.PurgeNotCollected(ctx, t.ID)
		if err != nil {
			errs = append(errs, err)
		}
		for item, n := range removed {
			if n > 0 {
				log.Info("removed data no longer collected", "tenant", t.ID, "item", item, "count", n)
			}
		}
		ids, err := db.PurgeExpiredIDCopies(ctx, t.ID)
		if err != nil {
			errs = append(errs, err)
		}
		if ids.Documents+ids.Candidates > 0 {
			log.Info("removed ID copies past 4 weeks (R2)", "tenant", t.ID, "documents", ids.Documents, "candidates", ids.Candidates)
		}
		pruned, err := db.PruneAudit(ctx, t.ID, db.Now().Add(-store.AuditTerm))
		if err != nil {
			errs = append(errs, err)
		}
		if pruned > 0 {
			log.Info("removed access-log entries past 2 years (R7)", "tenant", t.ID, "entries", pruned)
		}
		if n, err := db.DeleteExpiredBreaches(ctx, t.ID); err != nil {
			errs = append(errs, err)
		} else if n > 0 {
			log.Info("removed data breaches closed more than 5 years ago", "tenant", t.ID, "breaches", n)
		}
	}
	return errors.Join(errs...)
}
