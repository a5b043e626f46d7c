package store

import (
	"context"
	"database/sql"
	"sync"

	"kluis/internal/kluis"
)

// dbStmts runs queries outside a transaction with statements prepared
// once per connection, so the database parses each query once instead of on
// every call. Only the queries kluis itself writes go through it (their
// number is bounded by the code); past maxStmts new ones run unprepared.
type dbStmts struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
	// wishes are queries a transaction ran unprepared, to be prepared when
	// the connection is free again (the writer: see writeTx.prepared).
	wishes map[string]bool
}

const maxStmts = 256

func newDBStmts(db *sql.DB) *dbStmts {
	return &dbStmts{db: db, m: map[string]*sql.Stmt{}, wishes: map[string]bool{}}
}

// cached returns the prepared statement of query, or nil after noting the
// wish to prepare it: SQLite's writer is a single connection, which a
// transaction holds, so preparing on it must wait for the commit.
func (c *dbStmts) cached(query string) *sql.Stmt {
	c.mu.RLock()
	s := c.m[query]
	n := len(c.m) + len(c.wishes)
	c.mu.RUnlock()
	if s == nil && n < maxStmts {
		c.mu.Lock()
		c.wishes[query] = true
		c.mu.Unlock()
	}
	return s
}

// grantWishes prepares the queries wished for, once the connection is free.
func (c *dbStmts) grantWishes(ctx context.Context) {
	c.mu.Lock()
	var qs []string
	for q := range c.wishes {
		qs = append(qs, q)
		delete(c.wishes, q)
	}
	c.mu.Unlock()
	for _, q := range qs {
		c.stmt(ctx, q)
	}
}

func (c *dbStmts) stmt(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	s := c.m[query]
	n := len(c.m)
	c.mu.RUnlock()
	if s != nil || n >= maxStmts {
		return s
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared query reports the error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[query]; old != nil {
		s.Close()
		return old
	}
	c.m[query] = s
	return s
}

func (c *dbStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

func (c *dbStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

func (c *dbStmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, query, args...)
}

// close closes the prepared statements.
func (c *dbStmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.m {
		s.Close()
		delete(c.m, q)
	}
}

// getOne reads one record by id for an actor: on SQLite a single statement
// needs no transaction; on PostgreSQL it runs in the reader's, which
// carries the agency (see reader). A record outside the actor's branch is
// not found.
func getOne[T any](ctx context.Context, db *DB, t *table[T], a kluis.Actor, id kluis.ID) (*T, error) {
	_, rdp, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	rec, err := t.get(ctx, db, rdp, a.TenantID, id)
	if err == nil {
		err = inScope(ctx, rdp, t, a, rec)
	}
	if err == nil {
		err = visible(ctx, rdp, t, a, rec)
	}
	if err != nil {
		return nil, classify(err)
	}
	return rec, nil
}
