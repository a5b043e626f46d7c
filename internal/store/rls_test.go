package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// The second wall: on PostgreSQL, row-level security holds every table with
// a tenant_id to the agency the transaction names in kluis.tenant, whatever
// the query says (migration 00034, docs/SECURITY.md). These tests go past
// the store and prove the wall on its own. The tables are read from the
// catalogue, so that a table added later cannot be forgotten.

// TestTheTestsRunAsAnOrdinaryRole: a superuser, or a role with BYPASSRLS,
// passes every policy; the suite proves the wall only when it runs as a
// role that does not.
func TestTheTestsRunAsAnOrdinaryRole(t *testing.T) {
	e := storetest.Open(t, store.Postgres)
	raw := ownerConn(t, e)
	var super, bypass bool
	if err := raw.QueryRowContext(ctx, "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&super, &bypass); err != nil {
		t.Fatal(err)
	}
	if super || bypass {
		t.Fatalf("the tests connect as a role that passes row-level security (superuser %v, bypassrls %v)", super, bypass)
	}
	if by, err := e.DB.BypassesRowSecurity(ctx); err != nil || by {
		t.Fatalf("BypassesRowSecurity: %v, %v; want false", by, err)
	}
}

// TestEveryTableWithATenantHasItsPolicy: row-level security enabled and
// forced (kluis connects as the owner) and the tenant policy, on every
// table that has a tenant_id.
func TestEveryTableWithATenantHasItsPolicy(t *testing.T) {
	e := storetest.Open(t, store.Postgres)
	raw := ownerConn(t, e)
	tables := tenantTables(t, raw)
	if len(tables) < 40 {
		t.Fatalf("found only %d tables with a tenant_id: %v", len(tables), tables)
	}
	for _, tb := range tables {
		var enabled, forced bool
		if err := raw.QueryRowContext(ctx, `SELECT c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = $1`, tb).Scan(&enabled, &forced); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		var policies int
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM pg_policies WHERE schemaname = current_schema() AND tablename = $1
			AND policyname = 'tenant' AND cmd = 'ALL' AND qual IS NOT NULL AND with_check IS NOT NULL`, tb).Scan(&policies); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		if !enabled || !forced || policies != 1 {
			t.Errorf("%s: row-level security enabled %v, forced %v, tenant policies %d; want true, true, 1", tb, enabled, forced, policies)
		}
	}
}

// TestTheWallHoldsOnItsOwn: with two agencies that both have rows in every
// table, a transaction for agency A sees none of B's rows even when it asks
// for them by tenant_id, cannot write a row as B's or move one of A's to B,
// and a transaction that names no agency sees and writes nothing.
func TestTheWallHoldsOnItsOwn(t *testing.T) {
	e := storetest.Open(t, store.Postgres)
	b, _, err := e.DB.CreateTenant(ctx, "ander-bureau", "Ander bureau", "Rotterdam", "Rotterdam")
	if err != nil {
		t.Fatal(err)
	}
	fillThroughTheStore(t, e, e.Actor)
	su := superConn(t, e)
	tables := tenantTables(t, su)
	seedEveryTable(t, su, tables, e.Tenant.ID, b.ID)

	raw := ownerConn(t, e)
	for _, tb := range tables {
		t.Run(tb, func(t *testing.T) {
			inTx(t, raw, fmt.Sprint(e.Tenant.ID), func(tx *sql.Tx) {
				if n := count(t, tx, "SELECT count(*) FROM "+tb+" WHERE tenant_id = $1", b.ID); n != 0 {
					t.Errorf("agency A sees %d rows of agency B", n)
				}
				if n := count(t, tx, "SELECT count(*) FROM "+tb+" WHERE tenant_id <> $1", e.Tenant.ID); n != 0 {
					t.Errorf("agency A sees %d rows of other agencies", n)
				}
				if n := count(t, tx, "SELECT count(*) FROM "+tb+" WHERE tenant_id = $1", e.Tenant.ID); n == 0 {
					t.Errorf("agency A sees none of its own rows")
				}
			})
			inTx(t, raw, fmt.Sprint(e.Tenant.ID), func(tx *sql.Tx) {
				_, err := tx.ExecContext(ctx, "UPDATE "+tb+" SET tenant_id = $1 WHERE tenant_id = $2", b.ID, e.Tenant.ID)
				wantRefused(t, "moving a row of A to B", err)
			})
			inTx(t, raw, fmt.Sprint(e.Tenant.ID), func(tx *sql.Tx) {
				// A copy of one of A's rows, made B's.
				cols := columnsOf(t, tx, tb)
				sel := strings.ReplaceAll(","+strings.Join(cols, ",")+",", ",tenant_id,", ",$1::bigint,")
				_, err := tx.ExecContext(ctx, "INSERT INTO "+tb+" ("+strings.Join(cols, ", ")+") SELECT "+strings.Trim(sel, ",")+
					" FROM "+tb+" WHERE tenant_id = $2 LIMIT 1", b.ID, e.Tenant.ID)
				wantRefused(t, "inserting a row of B", err)
			})
			inTx(t, raw, fmt.Sprint(e.Tenant.ID), func(tx *sql.Tx) {
				res, err := tx.ExecContext(ctx, "DELETE FROM "+tb+" WHERE tenant_id = $1", b.ID)
				if err != nil {
					t.Fatal(err)
				}
				if n, _ := res.RowsAffected(); n != 0 {
					t.Errorf("agency A deleted %d rows of agency B", n)
				}
			})
			for _, unset := range []string{"", "-", "0", "1 OR true", "ALL"} {
				inTx(t, raw, unset, func(tx *sql.Tx) {
					if n := count(t, tx, "SELECT count(*) FROM "+tb); n != 0 {
						t.Errorf("with kluis.tenant %q, %d rows are visible", unset, n)
					}
					res, err := tx.ExecContext(ctx, "UPDATE "+tb+" SET tenant_id = tenant_id")
					if err != nil {
						t.Fatal(err)
					}
					if n, _ := res.RowsAffected(); n != 0 {
						t.Errorf("with kluis.tenant %q, %d rows were updated", unset, n)
					}
				})
			}
			// Without any setting at all, on a connection of its own.
			if n := count(t, raw, "SELECT count(*) FROM "+tb); n != 0 {
				t.Errorf("without kluis.tenant, %d rows are visible", n)
			}
			inTx(t, raw, "all", func(tx *sql.Tx) {
				if n := count(t, tx, "SELECT count(*) FROM "+tb+" WHERE tenant_id = $1", b.ID); n == 0 {
					t.Errorf("across agencies, none of B's rows is visible")
				}
			})
		})
	}
}

// fillThroughTheStore gives agency a rows in the tables its ordinary work
// fills; seedEveryTable does the rest.
func fillThroughTheStore(t *testing.T, e *storetest.Env, a kluis.Actor) {
	t.Helper()
	c := e.MustCreateCandidate(t, "Wandelaar")
	cl := e.MustCreateClient(t, "Haven BV")
	e.MustCreatePlacement(t, c.ID, cl.ID, "2026-12-01")
	if err := e.DB.CreateContactMoment(ctx, a, &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: "Gebeld."}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.CreateSession(ctx, a.TenantID, a.UserID); err != nil {
		t.Fatal(err)
	}
}

// seedEveryTable makes sure both agencies have a row in every table: a
// table without one gets a made-up row, written as a superuser with the
// foreign keys' triggers off (session_replication_role). The schema has
// no CHECK constraints, so any value of the column's type will do; values
// of a unique index that does not start with tenant_id are made unique.
func seedEveryTable(t *testing.T, su *sql.DB, tables []string, a, b kluis.ID) {
	t.Helper()
	conn, err := su.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET session_replication_role = replica"); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		for _, to := range []kluis.ID{a, b} {
			if count(t, conn, "SELECT count(*) FROM "+tb+" WHERE tenant_id = $1", to) > 0 {
				continue
			}
			rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, tb)
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			var args []any
			for rows.Next() {
				var name, typ string
				if err := rows.Scan(&name, &typ); err != nil {
					t.Fatal(err)
				}
				var v any
				switch {
				case name == "tenant_id":
					v = to
				case typ == "bigint" || typ == "integer":
					v = int64(to%100000) + 7
				case typ == "text":
					v = fmt.Sprintf("seed-%d", to)
				case typ == "bytea":
					v = []byte(fmt.Sprintf("seed-%d", to))
				case typ == "boolean":
					v = false
				case typ == "date":
					v = "2026-01-01"
				default: // timestamps
					v = storetest.Start
				}
				cols = append(cols, name)
				args = append(args, v)
			}
			rows.Close()
			marks := make([]string, len(cols))
			for i := range marks {
				marks[i] = fmt.Sprintf("$%d", i+1)
			}
			if _, err := conn.ExecContext(ctx, "INSERT INTO "+tb+" ("+strings.Join(cols, ", ")+") VALUES ("+strings.Join(marks, ", ")+")", args...); err != nil {
				t.Fatalf("seed %s: %v", tb, err)
			}
		}
	}
}

// tenantTables lists the tables of kluis's schema that have a tenant_id.
func tenantTables(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return texts(t, db, `SELECT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE' ORDER BY 1`)
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func columnsOf(t *testing.T, q queryer, table string) []string {
	t.Helper()
	return texts(t, q, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, table)
}

// texts is the one text column of the rows of a query.
func texts(t *testing.T, q queryer, query string, args ...any) []string {
	t.Helper()
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, q queryer, query string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// inTx runs fn in a transaction whose kluis.tenant is tenant, and rolls it
// back.
func inTx(t *testing.T, db *sql.DB, tenant string, fn func(tx *sql.Tx)) {
	t.Helper()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT set_config('kluis.tenant', $1, true)", tenant); err != nil {
		t.Fatal(err)
	}
	fn(tx)
}

// wantRefused wants the error of a write that breaks the policy:
// new row violates row-level security policy (42501).
func wantRefused(t *testing.T, what string, err error) {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Errorf("%s: got %v, want a row-level security violation", what, err)
	}
}

// ownerConn connects to the test database as the store does (the owner
// role), with no kluis.tenant.
func ownerConn(t *testing.T, e *storetest.Env) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", e.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// superConn connects to the test database as the role of
// KLUIS_TEST_POSTGRES, a superuser, whom row-level security passes by.
func superConn(t *testing.T, e *storetest.Env) *sql.DB {
	t.Helper()
	base, err := url.Parse(os.Getenv("KLUIS_TEST_POSTGRES"))
	if err != nil {
		t.Fatal(err)
	}
	own, err := url.Parse(e.DSN)
	if err != nil {
		t.Fatal(err)
	}
	base.Path = own.Path
	db, err := sql.Open("pgx", base.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var super bool
	if err := db.QueryRowContext(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil {
		t.Fatal(err)
	}
	if !super {
		t.Skip("KLUIS_TEST_POSTGRES names no superuser: the tables cannot be seeded past the wall")
	}
	return db
}
