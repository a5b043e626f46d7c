// Package testdb makes fresh PostgreSQL databases for tests, when
// KLUIS_TEST_POSTGRES names a server, and says why not otherwise. It
// depends on no other kluis package, so every package's tests can use it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Postgres returns the address of a new, empty database, dropped after the
// test. Without KLUIS_TEST_POSTGRES it skips t with the reason, except in
// CI, where a skipped PostgreSQL test is a failure.
func Postgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv("KLUIS_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the PostgreSQL tests: set KLUIS_TEST_POSTGRES")
		}
		t.Skip("PostgreSQL tests skipped: set KLUIS_TEST_POSTGRES=postgres://user@host:5432/postgres?sslmode=disable to run them")
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	name := "kluis_test_" + hex.EncodeToString(rnd[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", redact(base), err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse KLUIS_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}
