// Package storetest opens fresh kluis databases for tests: a SQLite file in a
// temporary directory always, and a new PostgreSQL database when
// KLUIS_TEST_POSTGRES names a server.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kluis/internal/blob"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// Start is the time every test clock starts at.
var Start = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)

// Env is one opened, migrated test database with its clock and an agency.
type Env struct {
	DB     *store.DB
	Clock  *kluis.FixedClock
	Tenant *kluis.Tenant
	Branch *kluis.Branch
	Actor  kluis.Actor // a recruiter of Tenant
	DSN    string
	Dir    string // data directory (blobs, SQLite file)
}

// Dialects returns the databases the suite runs on here. Without
// KLUIS_TEST_POSTGRES the PostgreSQL run is skipped with a visible reason.
func Dialects() []store.Dialect {
	return []store.Dialect{store.SQLite, store.Postgres}
}

// Each runs fn once per database, as subtests named after the dialect.
func Each(t *testing.T, fn func(t *testing.T, e *Env)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// DSN returns a fresh, empty database of dialect d for t, dropped after the
// test; it skips t for PostgreSQL when KLUIS_TEST_POSTGRES is unset.
func DSN(t testing.TB, d store.Dialect, dir string) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(dir, "kluis.db")
	}
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

// Open returns a migrated database of dialect d with one agency, one branch
// and a recruiter.
func Open(t testing.TB, d store.Dialect) *Env {
	t.Helper()
	dir := t.TempDir()
	dsn := DSN(t, d, dir)
	blobs, err := blob.NewDir(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	clock := &kluis.FixedClock{T: Start}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{Clock: clock, Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tenant, branch, err := db.CreateTenant(ctx, "test-bureau", "Testbureau", "Utrecht", "Utrecht")
	if err != nil {
		t.Fatal(err)
	}
	u := &kluis.User{Email: "recruiter@test.kluis.test", Name: "Test Recruiter", Role: kluis.RoleRecruiter, BranchID: branch.ID}
	if err := db.CreateUser(ctx, tenant.ID, u); err != nil {
		t.Fatal(err)
	}
	return &Env{DB: db, Clock: clock, Tenant: tenant, Branch: branch, DSN: dsn, Dir: dir,
		Actor: kluis.Actor{TenantID: tenant.ID, UserID: u.ID, Role: kluis.RoleRecruiter}}
}

// MustCreateCandidate registers a valid candidate with the given last name.
func (e *Env) MustCreateCandidate(t testing.TB, lastName string) *kluis.Candidate {
	t.Helper()
	c := &kluis.Candidate{BranchID: e.Branch.ID, FirstName: "Sanne", LastName: lastName, City: "Utrecht",
		Email: strings.ReplaceAll(strings.ToLower(lastName), " ", ".") + "@example.nl", Phone: "06-12345678", Postcode: "3511 AB", DateOfBirth: "1990-05-17",
		Functions: []string{"Orderpicker"}, Source: "walk-in"}
	if err := e.DB.CreateCandidate(context.Background(), e.Actor, c); err != nil {
		t.Fatalf("create candidate: %v", err)
	}
	return c
}

// MustCreateClient adds a valid client.
func (e *Env) MustCreateClient(t testing.TB, name string) *kluis.Client {
	t.Helper()
	c := &kluis.Client{BranchID: e.Branch.ID, Name: name, KvKNumber: "12345678", City: "Nieuwegein"}
	if err := e.DB.CreateClient(context.Background(), e.Actor, c); err != nil {
		t.Fatalf("create client: %v", err)
	}
	return c
}

// MustCreatePlacement places a candidate at a client from start on.
func (e *Env) MustCreatePlacement(t testing.TB, cand, client kluis.ID, start kluis.Date) *kluis.Placement {
	t.Helper()
	p := &kluis.Placement{CandidateID: cand, ClientID: client, Function: "Orderpicker", StartDate: start, HourlyWageCents: 1450}
	if err := e.DB.CreatePlacement(context.Background(), e.Actor, p); err != nil {
		t.Fatalf("create placement: %v", err)
	}
	return p
}
