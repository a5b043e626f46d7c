package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations
var migrations embed.FS

func (db *DB) provider() (*goose.Provider, error) { return db.providerOn(db.w) }

func (db *DB) providerOn(pool *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return nil, err
	}
	d := goose.DialectSQLite3
	if db.Dialect == Postgres {
		d = goose.DialectPostgres
	}
	return goose.NewProvider(d, pool, sub)
}

// SchemaState says how the database's schema compares with this binary's.
type SchemaState struct {
	Current int64 // version applied to the database; 0 when empty
	Target  int64 // newest migration embedded in this binary
}

// Schema reports the applied and the embedded schema version.
func (db *DB) Schema(ctx context.Context) (SchemaState, error) {
	p, err := db.provider()
	if err != nil {
		return SchemaState{}, err
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return SchemaState{}, fmt.Errorf("read schema version: %w", err)
	}
	var target int64
	for _, s := range p.ListSources() {
		target = max(target, s.Version)
	}
	return SchemaState{Current: cur, Target: target}, nil
}

// Migrate applies every pending migration and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	pool := db.w
	if db.Dialect == Postgres {
		// A migration that changes rows must see every agency's: its own
		// connections carry the tenancy for the whole session.
		q := db.dsn.Query()
		q.Set("kluis.tenant", string(acrossAgencies()))
		u := *db.dsn
		u.RawQuery = q.Encode()
		all, err := sql.Open("pgx", u.String())
		if err != nil {
			return 0, fmt.Errorf("migrate: open: %w", err)
		}
		defer all.Close()
		all.SetMaxOpenConns(1)
		pool = all
	}
	p, err := db.providerOn(pool)
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// CheckSchema refuses a database whose schema is behind or ahead of this
// binary, with a message that tells the operator what to do.
func (db *DB) CheckSchema(ctx context.Context) error {
	s, err := db.Schema(ctx)
	if err != nil {
		return err
	}
	switch {
	case s.Current < s.Target:
		return fmt.Errorf("the database schema is at version %d, this kluis needs version %d: run `kluis migrate` first (make a backup before)", s.Current, s.Target)
	case s.Current > s.Target:
		return fmt.Errorf("the database schema is at version %d, newer than this kluis knows (%d): run the kluis version that created it, or a newer one", s.Current, s.Target)
	}
	return nil
}
