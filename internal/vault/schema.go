package vault

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrations are the steps of the keys schema; its version is how many
// have run.
var migrations = []struct{ sqlite, postgres string }{{
	sqlite: `CREATE TABLE subject_keys (
	tenant_id  INTEGER NOT NULL,
	subject_id INTEGER NOT NULL,
	master_id  TEXT    NOT NULL,
	wrapped    BLOB    NOT NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (tenant_id, subject_id)
) WITHOUT ROWID;
CREATE TABLE shredded (
	tenant_id   INTEGER NOT NULL,
	subject_id  INTEGER NOT NULL,
	shredded_at TIMESTAMP NOT NULL,
	PRIMARY KEY (tenant_id, subject_id)
) WITHOUT ROWID;`,
	postgres: `CREATE TABLE kluis_keys.subject_keys (
	tenant_id  BIGINT NOT NULL,
	subject_id BIGINT NOT NULL,
	master_id  TEXT   NOT NULL,
	wrapped    BYTEA  NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, subject_id)
);
CREATE TABLE kluis_keys.shredded (
	tenant_id   BIGINT NOT NULL,
	subject_id  BIGINT NOT NULL,
	shredded_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, subject_id)
);`,
}}

// migrationLock is the PostgreSQL advisory lock that serialises vaults
// opening the same database at once ("kluisvlt" in ASCII).
const migrationLock = 0x6b6c7569_73766c74

// migrate brings the keys schema to the version this code knows. Two
// tables do not need goose: a version row and a list of steps suffice.
func (v *Vault) migrate(ctx context.Context) error {
	return v.update(ctx, func(tx *sql.Tx) error {
		if v.pg {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
				return fmt.Errorf("vault: lock keys schema: %w", err)
			}
			if _, err := tx.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS kluis_keys"); err != nil {
				return fmt.Errorf("vault: create schema kluis_keys: %w", err)
			}
		} else {
			var other string
			err := tx.QueryRowContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
				AND name NOT IN ('vault_schema', 'subject_keys', 'shredded') AND name NOT LIKE 'sqlite_%' LIMIT 1`).Scan(&other)
			if err == nil {
				return fmt.Errorf("vault: the keys database holds a table %q of something else: subject keys need a SQLite file of their own, apart from the data, so that a data backup never carries them", other)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("vault: read keys database: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+v.schemaT+" (version INTEGER NOT NULL)"); err != nil {
			return fmt.Errorf("vault: create schema version table: %w", err)
		}
		var version int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM "+v.schemaT).Scan(&version); err != nil {
			return fmt.Errorf("vault: read schema version: %w", err)
		}
		if version > len(migrations) {
			return fmt.Errorf("vault: the keys database has schema version %d, newer than this program's %d: upgrade kluis", version, len(migrations))
		}
		if version == len(migrations) {
			return nil
		}
		for _, m := range migrations[version:] {
			stmt := m.sqlite
			if v.pg {
				stmt = m.postgres
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("vault: migrate keys schema: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+v.schemaT); err != nil { // #nosec G202 -- the key store's table name is fixed at Open
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO "+v.schemaT+" (version) VALUES ($1)", len(migrations)) // #nosec G202 -- the key store's table name is fixed at Open; values are parameters
		return err
	})
}
