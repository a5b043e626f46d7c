package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"kluis/internal/testdb"
)

// TestNameAndPlaceSearchesUseTheirIndexes guards the search against
// turning into a scan of every candidate (a million, at a large agency).
func TestNameAndPlaceSearchesUseTheirIndexes(t *testing.T) {
	ctx := context.Background()
	db := openMigrated(t, filepath.Join(t.TempDir(), "kluis.db"))
	for _, tc := range []struct {
		filter CandidateFilter
		exact  bool // the place exists as written
		index  string
	}{
		{CandidateFilter{Query: "jans"}, false, "candidates_last_name"},
		{CandidateFilter{City: "utr"}, false, "candidates_city_name"},
		{CandidateFilter{City: "utrecht"}, true, "candidates_city_name"},
		{CandidateFilter{Query: "Jan@Example.nl"}, false, "candidates_email"},
	} {
		w := tenantWhere(1)
		db.searchConditions(w, tc.filter, tc.exact)
		order := ""
		if tc.exact {
			// A place's candidates come in order of name from the index:
			// no sort of all of them.
			order = " ORDER BY " + candidateSorts[db.Dialect]["last_name"] + ", id LIMIT 50"
		}
		rows, err := db.r.QueryContext(ctx, "EXPLAIN QUERY PLAN SELECT id, email FROM candidates"+w.sql()+order, w.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := strings.Join(plan, "; ")
		if !strings.Contains(got, "INDEX "+tc.index+" ") {
			t.Errorf("%+v: plan %q does not use %s", tc.filter, got, tc.index)
		}
		if tc.exact && strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%+v: plan %q sorts", tc.filter, got)
		}
	}
}

// TestSearchesUseTheirIndexesUnderRowLevelSecurity is the same guard on
// PostgreSQL, as the ordinary role kluis connects as, with the agency's
// policy in force: a condition with lower() or LIKE would be a filter
// after the policy, not an index condition, and a search would read the
// whole agency.
func TestSearchesUseTheirIndexesUnderRowLevelSecurity(t *testing.T) {
	ctx := context.Background()
	db := openMigrated(t, testdb.Postgres(t))
	if by, err := db.BypassesRowSecurity(ctx); err != nil || by {
		t.Fatalf("the test role bypasses row-level security: %v, %v", by, err)
	}
	for _, tc := range []struct {
		filter CandidateFilter
		exact  bool
		cond   string // in the plan's Index Cond
		// ordered: the index gives the page in order of name, so that
		// PostgreSQL reads 50 matches, not all of them to sort them.
		ordered bool
	}{
		{CandidateFilter{Query: "jans"}, false, "last_name_key >= ", true},
		{CandidateFilter{City: "utr"}, false, "city_key ~>=~", false},
		{CandidateFilter{City: "utrecht"}, true, "city_key = ", true},
		{CandidateFilter{Query: "Jan@Example.nl"}, false, "email_key = ", false},
	} {
		w := tenantWhere(1)
		db.searchConditions(w, tc.filter, tc.exact)
		err := db.view(ctx, forAgency(1), func(tx *sql.Tx) error {
			// An empty table: without this the planner would rightly
			// read it whole.
			if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
			// In an empty table every index costs the same: the order is
			// asked for only where the index is to give it.
			order := ""
			if tc.ordered {
				order = " ORDER BY " + candidateSorts[db.Dialect]["last_name"] + ", id LIMIT 50"
			}
			rows, err := tx.QueryContext(ctx, "EXPLAIN SELECT id FROM candidates"+w.sql()+order, w.args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					return err
				}
				plan = append(plan, strings.TrimSpace(line))
			}
			got := strings.Join(plan, "; ")
			if !strings.Contains(got, "Index Cond: ") || !strings.Contains(got[strings.Index(got, "Index Cond: "):], tc.cond) {
				t.Errorf("%+v: the plan has no index condition %q: %s", tc.filter, tc.cond, got)
			}
			if tc.ordered && strings.Contains(got, "Sort") {
				t.Errorf("%+v: the plan sorts the matches: %s", tc.filter, got)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestTheNextPendingItemsComeFromTheirIndex guards a clean-up run and a
// sending of the privacy statement against stepping over every item done
// before each batch (a run's time growing with the square of its size):
// on both databases — PostgreSQL as the ordinary role, under the policy —
// the next batch is read from the index of the pending items, in order,
// without a sort.
func TestTheNextPendingItemsComeFromTheirIndex(t *testing.T) {
	ctx := context.Background()
	jobs := []struct{ table, column, index string }{
		{"cleanup_run_items", "run_id", "cleanup_run_items_pending"},
		{"statement_send_items", "send_id", "statement_send_items_pending"},
	}
	t.Run("sqlite", func(t *testing.T) {
		db := openMigrated(t, filepath.Join(t.TempDir(), "kluis.db"))
		for _, j := range jobs {
			got := explainLines(t, db.r, "EXPLAIN QUERY PLAN "+withIDs(pendingItemsSQL(j.table, j.column, 50)), 4)
			if !strings.Contains(got, "INDEX "+j.index+" ") || strings.Contains(got, "TEMP B-TREE") {
				t.Errorf("%s: plan %q does not take the items in order from %s", j.table, got, j.index)
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db := openMigrated(t, testdb.Postgres(t))
		for _, j := range jobs {
			err := db.view(ctx, forAgency(1), func(tx *sql.Tx) error {
				// An empty table: without this the planner would rightly
				// read it whole.
				if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
					return err
				}
				got := explainLines(t, tx, "EXPLAIN "+withIDs(pendingItemsSQL(j.table, j.column, 50)), 1)
				if !strings.Contains(got, "using "+j.index+" ") || strings.Contains(got, "Sort") {
					t.Errorf("%s: plan %q does not take the items in order from %s", j.table, got, j.index)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

// openMigrated opens the database at dsn with the schema of today, closed
// when the test ends.
func openMigrated(t *testing.T, dsn string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// withIDs puts numbers in place of the parameters $1 and $2 (the agency
// and the job), so that the plan is the one of a call.
func withIDs(query string) string {
	return strings.NewReplacer("$1", "1", "$2", "2").Replace(query)
}

// explainLines runs an EXPLAIN and joins the last of its cols columns.
func explainLines(t *testing.T, q querier, query string, cols int) string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		vals := make([]any, cols)
		var detail string
		for i := range vals {
			vals[i] = new(any)
		}
		vals[cols-1] = &detail
		if err := rows.Scan(vals...); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, strings.TrimSpace(detail))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}
