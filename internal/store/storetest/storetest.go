// Package storetest opens fresh kluis databases for tests: a SQLite file in a
// temporary directory always, and a new PostgreSQL database when
// KLUIS_TEST_POSTGRES names a server.
package storetest

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kluis/internal/blob"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/testdb"
	"kluis/internal/vault"
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
	Vault  *vault.Vault
}

// OpenVault opens a key store for a test database: a SQLite file of its
// own beside a SQLite database, the kluis_keys schema of the same database
// on PostgreSQL; the master key is a file in dir.
func OpenVault(t testing.TB, d store.Dialect, dir, dsn string) *vault.Vault {
	t.Helper()
	master, err := vault.WriteMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	keysDSN := dsn
	if d == store.SQLite {
		keysDSN = filepath.Join(dir, "keys.db")
	}
	v, err := vault.Open(context.Background(), keysDSN, master, vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
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
	return testdb.Postgres(t)
}

// Open returns a migrated database of dialect d with one agency, one branch
// and a recruiter.
func Open(t testing.TB, d store.Dialect) *Env {
	t.Helper()
	return OpenWith(t, d, nil)
}

// OpenWith is Open with options changed by opt first (a test's own blob
// store, say).
func OpenWith(t testing.TB, d store.Dialect, opt func(*store.Options)) *Env {
	t.Helper()
	dir := t.TempDir()
	dsn := DSN(t, d, dir)
	blobs, err := blob.NewDir(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	clock := &kluis.FixedClock{T: Start}
	ctx := context.Background()
	keys := OpenVault(t, d, dir, dsn)
	o := store.Options{Clock: clock, Blobs: blobs, Vault: keys}
	if opt != nil {
		opt(&o)
	}
	db, err := store.Open(ctx, dsn, o)
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
	return &Env{DB: db, Clock: clock, Tenant: tenant, Branch: branch, DSN: dsn, Dir: dir, Vault: keys,
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

// Raw opens the test database directly, past the store, as someone with
// access to the database server or file would: for tests that tamper.
func Raw(t testing.TB, e *Env) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", testdb.AcrossAgencies(e.DSN)
	if e.DB.Dialect == store.SQLite {
		driver, dsn = "sqlite", store.SQLiteURI(e.DSN)+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
