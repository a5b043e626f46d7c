// Package litefile holds what the data store and the key store share about
// opening a SQLite file: its URI and switching it to write-ahead logging
// once, safely, when several processes open a new file at the same moment.
package litefile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// URI is the file: URI of path, with the characters a URI gives a meaning
// escaped, so that query parameters can be added to it.
func URI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
}

// UseWAL puts the file at path in write-ahead-log mode. The mode is kept in
// the file, so the connection pools need not set it; setting it there made
// a second process that opened a new file at the same moment fail, because
// SQLite answers a journal-mode change that meets another's lock with
// SQLITE_BUSY at once, without waiting. Here it is retried until wait has
// passed.
func UseWAL(ctx context.Context, path string, wait time.Duration) error {
	db, err := sql.Open("sqlite", URI(path)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	deadline := time.Now().Add(wait)
	pause := 5 * time.Millisecond
	for {
		var mode string
		err = db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		if err == nil && strings.EqualFold(mode, "wal") {
			return nil
		}
		if err == nil {
			err = fmt.Errorf("journal mode is %s, not wal", mode)
		}
		if !Busy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// Busy tells whether err is SQLite's "database is locked" (or a variant).
func Busy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
