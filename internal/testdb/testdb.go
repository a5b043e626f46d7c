// Package testdb makes fresh PostgreSQL databases for tests, when
// KLUIS_TEST_POSTGRES names a server, and says why not otherwise. It
// depends on no other kluis package, so every package's tests can use it.
//
// The databases are owned by, and connected to as, Role: an ordinary role
// (no superuser, no BYPASSRLS), as kluis should run in production, so that
// row-level security holds every test. KLUIS_TEST_POSTGRES itself may name
// a superuser: it is used only to create the role and the databases.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

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
	if err := ensureRole(ctx, admin); err != nil {
		admin.Close()
		t.Fatalf("create test role: %v", err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" OWNER "+Role); err != nil {
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
	u.User = url.User(Role)
	return u.String()
}

// Role is the role the test databases belong to and are used as.
const Role = "kluis_test"

// ensureRole creates Role if it is missing. Several test packages run at
// once, so two may try together: the loser's duplicate is success.
func ensureRole(ctx context.Context, admin *sql.DB) error {
	var exists bool
	if err := admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", Role).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err := admin.ExecContext(ctx, "CREATE ROLE "+Role+" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
	var pe *pgconn.PgError
	// 42710: duplicate_object; 23505: the unique index of pg_authid, when
	// two CREATE ROLEs race past each other's check.
	if errors.As(err, &pe) && (pe.Code == "42710" || pe.Code == "23505") {
		return nil
	}
	return err
}

// AcrossAgencies returns dsn with the row-level security setting
// kluis.tenant=all for the whole session: for tests that look at or tamper
// with the database past the store, as someone with the owner's access can.
func AcrossAgencies(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set("kluis.tenant", "all")
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}
