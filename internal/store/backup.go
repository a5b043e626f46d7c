package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// BackupTo writes a consistent copy of a SQLite data database to path,
// while kluis serves (VACUUM INTO: one read transaction, so the copy is
// the database at one moment; the copy has no log beside it). The key
// store is not in it: keys live apart from the data, so that a restored
// data backup cannot make an erased candidate readable again. PostgreSQL
// is backed up with pg_dump (docs/OPERATIONS.md).
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return errors.New("on PostgreSQL, back up with pg_dump (see docs/OPERATIONS.md); kluis backup is for SQLite")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists already: a backup never overwrites one", path)
	}
	if strings.ContainsAny(path, "'\x00") {
		return fmt.Errorf("a backup path may not hold a quote: %q", path)
	}
	if _, err := db.w.ExecContext(ctx, "VACUUM INTO '"+path+"'"); err != nil { // #nosec G202 -- VACUUM INTO takes no parameter; the path is checked for quotes and NUL above
		return fmt.Errorf("back up: %w", err)
	}
	return os.Chmod(path, 0o600)
}
