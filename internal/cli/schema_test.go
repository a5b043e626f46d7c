package cli

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"kluis/internal/store"
	"kluis/internal/store/storetest"

	_ "modernc.org/sqlite"
)

// TestServeRefusesASchemaBehindOrAhead: kluis serve starts on the schema it
// knows only; behind, it says to run `kluis migrate`; ahead (a newer kluis
// migrated it), it says to run that version; and it changes nothing.
func TestServeRefusesASchemaBehindOrAhead(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	e.DB.Close()
	raw, err := sql.Open("sqlite", store.SQLiteURI(e.DSN))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var last int64
	if err := raw.QueryRow("SELECT max(version_id) FROM goose_db_version").Scan(&last); err != nil {
		t.Fatal(err)
	}
	serveOn := func() (int, string) {
		code, _, stderr := runMain(t, "serve", "--data", e.Dir, "--db", e.DSN, "--master-key-file", filepath.Join(e.Dir, "master.key"),
			"--keys", filepath.Join(e.Dir, "keys.db"), "--addr", "127.0.0.1:0")
		return code, stderr
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec("DELETE FROM goose_db_version WHERE version_id = ?", last)
	if code, stderr := serveOn(); code == 0 || !strings.Contains(stderr, "run `kluis migrate` first") {
		t.Errorf("a schema one migration behind: exit %d\n%s", code, stderr)
	}
	exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)", last)
	exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)", last+1)
	if code, stderr := serveOn(); code == 0 || !strings.Contains(stderr, "newer than this kluis knows") {
		t.Errorf("a schema one migration ahead: exit %d\n%s", code, stderr)
	}
	var n int64
	if err := raw.QueryRow("SELECT max(version_id) FROM goose_db_version").Scan(&n); err != nil || n != last+1 {
		t.Errorf("the refused start changed the schema version to %d (%v)", n, err)
	}
}
