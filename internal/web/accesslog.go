package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"kluis/internal/access"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// accessLog writes what staff viewed, downloaded and revealed to the audit
// chain. Views happen on every read; writing each in a transaction of its
// own would make every read a write, so entries are gathered and written
// together every flushEvery, or sooner when many wait. A crash can lose the
// views of that last moment; changes are never lost this way, they are
// audited in the transaction that makes them.
type accessLog struct {
	db    *store.DB
	log   *slog.Logger
	mu    sync.Mutex
	batch []kluis.AuditEntry
	kick  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

const (
	flushEvery = 250 * time.Millisecond
	flushAt    = 500 // entries waiting that make a write start at once
)

func newAccessLog(db *store.DB, log *slog.Logger) *accessLog {
	l := &accessLog{db: db, log: log, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go l.run()
	return l
}

// add queues an entry; when too many wait it holds the caller until they
// are written, so a flood of reads slows down rather than losing entries.
func (l *accessLog) add(e kluis.AuditEntry) {
	l.mu.Lock()
	l.batch = append(l.batch, e)
	n := len(l.batch)
	l.mu.Unlock()
	if n >= flushAt {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
	if n >= 4*flushAt {
		l.Flush()
	}
}

func (l *accessLog) run() {
	defer close(l.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			l.Flush()
			return
		case <-t.C:
		case <-l.kick:
		}
		l.Flush()
	}
}

// Flush writes what waits, per agency.
func (l *accessLog) Flush() {
	l.mu.Lock()
	batch := l.batch
	l.batch = nil
	l.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	by := map[kluis.ID][]kluis.AuditEntry{}
	var order []kluis.ID
	for _, e := range batch {
		if _, ok := by[e.TenantID]; !ok {
			order = append(order, e.TenantID)
		}
		by[e.TenantID] = append(by[e.TenantID], e)
	}
	for _, t := range order {
		if err := l.db.LogAccess(context.Background(), t, by[t]); err != nil {
			// The entries stay in the log's memory for the next try.
			l.log.Error("write access log", "tenant", t, "entries", len(by[t]), "err", err)
			l.mu.Lock()
			l.batch = append(by[t], l.batch...)
			l.mu.Unlock()
		}
	}
}

// Close writes what waits and stops.
func (l *accessLog) Close() {
	l.once.Do(func() { close(l.stop) })
	<-l.done
}

// logAccess records that the caller viewed, downloaded or revealed fields
// of a record of a candidate.
func (s *Server) logAccess(ctx context.Context, action, entity string, id, candidate kluis.ID, fields []string, reason string) {
	a := actorFrom(ctx)
	s.access.add(kluis.AuditEntry{At: s.clock.Now(), TenantID: a.TenantID, UserID: a.UserID, Role: a.Role, Action: action, Entity: entity,
		EntityID: id, CandidateID: candidate, Fields: fields, Reason: reason, RequestID: requestID(ctx)})
}

// Close writes the access log entries that wait; call it after the HTTP
// server has stopped.
func (s *Server) Close() { s.access.Close() }

// viewed logs what the caller saw of a record that belongs to a candidate:
// the candidate, or a record with a candidate_id. Other records (clients,
// their contact persons) are not candidate data and are not logged.
func (s *Server) viewed(ctx context.Context, table string, id kluis.ID, v access.View) {
	candidate := kluis.ID(0)
	if table == "candidates" {
		candidate = id
	} else if c, ok := v["candidate_id"].(kluis.ID); ok {
		candidate = c
	}
	if candidate == 0 {
		return
	}
	s.logAccess(ctx, "view", table, id, candidate, s.projector(ctx).Shown(actorFrom(ctx).Role, table, v), "")
}
