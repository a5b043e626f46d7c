package cli

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

// TestCleanupPlanCountsWhatIsDue: a candidate who never worked and was last
// in touch over two years ago is due under R1; one registered today is not.
func TestCleanupPlanCountsWhatIsDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		old := &kluis.Candidate{BranchID: e.Branch.ID, LastName: "Oud", RegisteredOn: "2024-01-02"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, old); err != nil {
			t.Fatal(err)
		}
		e.MustCreateCandidate(t, "Nieuw")
		var out, errb bytes.Buffer
		env := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, clock: &kluis.FixedClock{T: storetest.Start.Add(time.Hour)}}
		if err := runCleanup(ctx, env, []string{"plan", "--data", e.Dir, "--db", e.DSN, "--list"}); err != nil {
			t.Fatalf("%v: %s", err, errb.String())
		}
		s := out.String()
		if !strings.Contains(s, "test-bureau: 2 candidates, 1 with data due for removal on 2026-11-29") || !strings.Contains(s, "R1") ||
			!strings.Contains(s, "candidate "+strconv.FormatInt(old.ID, 10)) || strings.Contains(s, "Oud") {
			t.Fatalf("the plan:\n%s", s)
		}
	})
}
