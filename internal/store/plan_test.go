package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestNameAndPlaceSearchesUseTheirIndexes guards the search against
// turning into a scan of every candidate (a million, at a large agency).
func TestNameAndPlaceSearchesUseTheirIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "kluis.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
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
		if q := tc.filter.Query; strings.Contains(q, "@") {
			w.add("lower(email) = ?", strings.ToLower(q))
		} else if q != "" {
			w.add(db.caseless("last_name")+` LIKE ? ESCAPE '\'`, likePattern(q, true))
		}
		if tc.filter.City != "" && tc.exact {
			w.add(db.caseless("city")+" = "+db.caselessArg(), tc.filter.City)
		} else if tc.filter.City != "" {
			w.add(db.caseless("city")+` LIKE ? ESCAPE '\'`, likePattern(tc.filter.City, true))
		}
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
