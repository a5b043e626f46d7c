package store

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"kluis/internal/testdb"
)

// TestAReadLeavesNoTransactionBehind: on PostgreSQL a lone read runs in a
// transaction that database/sql does not know of (BEGIN and the agency's
// setting in one message). Whether it ends normally or its context is
// cancelled in the middle of a statement, the connection goes back to the
// pool without the transaction or the agency — or is not reused at all —
// and the next read on the pool's one connection sees nothing of it.
func TestAReadLeavesNoTransactionBehind(t *testing.T) {
	db := openMigrated(t, testdb.Postgres(t))
	db.r.SetMaxOpenConns(1)
	ctx := context.Background()
	lone := func() (setting string, inTx bool) {
		t.Helper()
		var s sql.NullString
		if err := db.r.QueryRowContext(ctx, "SELECT current_setting('kluis.tenant', true)").Scan(&s); err != nil {
			t.Fatal(err)
		}
		// A write: refused in a read-only transaction left open.
		_, err := db.r.ExecContext(ctx, "CREATE TEMP TABLE IF NOT EXISTS reader_probe (i int)")
		return s.String, err != nil
	}

	// A read that ends normally.
	rd, _, done, err := db.reader(ctx, forAgency(7))
	if err != nil {
		t.Fatal(err)
	}
	var got string
	var pid, after int
	if err := rd.QueryRowContext(ctx, "SELECT current_setting('kluis.tenant'), pg_backend_pid()").Scan(&got, &pid); err != nil || got != "7" {
		t.Fatalf("in the read: %q %v", got, err)
	}
	done()
	if s, inTx := lone(); s != "" || inTx {
		t.Fatalf("after a read: setting %q, in a transaction %v", s, inTx)
	}
	// Ended cleanly, the connection is used again (the driver would close
	// one that it finds in a transaction, and a new one costs a log-in).
	if err := db.r.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&after); err != nil || after != pid {
		t.Fatalf("the read's connection (%d) was not used again (%d): %v", pid, after, err)
	}

	// A read whose context is cancelled while the server works.
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	rd, _, done, err = db.reader(cctx, forAgency(8))
	if err != nil {
		t.Fatal(err)
	}
	_, err = rd.ExecContext(cctx, "SELECT pg_sleep(5)")
	cancel()
	if err == nil {
		t.Fatal("the sleep was not cut short")
	}
	done()
	if s, inTx := lone(); s != "" || inTx {
		t.Fatalf("after a cancelled read: setting %q, in a transaction %v", s, inTx)
	}

	// Another agency's read after it sees its own setting only.
	rd, _, done, err = db.reader(ctx, forAgency(9))
	if err != nil {
		t.Fatal(err)
	}
	if err := rd.QueryRowContext(ctx, "SELECT current_setting('kluis.tenant')").Scan(&got); err != nil || got != "9" {
		t.Fatalf("the next read: %q %v", got, err)
	}
	done()

	// Only what forAgency and acrossAgencies make is written into the text.
	for _, bad := range []tenancy{"", "1'; DROP TABLE candidates; --", "12a", "alle"} {
		if _, err := beginReadSQL(bad); err == nil {
			t.Errorf("beginReadSQL(%q) accepted", bad)
		}
	}
	for _, good := range []tenancy{forAgency(376322457602365), acrossAgencies()} {
		if _, err := beginReadSQL(good); err != nil {
			t.Errorf("beginReadSQL(%q): %v", good, err)
		}
	}
}
