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

// TestCleanupApplyErasesWhatIsDue: `kluis cleanup --apply` erases the
// candidate whose term ended, reports by group without names, and a
// second run finds nothing.
func TestCleanupApplyErasesWhatIsDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		old := &kluis.Candidate{BranchID: e.Branch.ID, LastName: "Oud", RegisteredOn: "2024-01-02", Email: "oud@example.nl"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, old); err != nil {
			t.Fatal(err)
		}
		young := e.MustCreateCandidate(t, "Nieuw")
		var out, errb bytes.Buffer
		env := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, clock: &kluis.FixedClock{T: storetest.Start.Add(time.Hour)}}
		args := []string{"--apply", "--data", e.Dir, "--db", e.DSN, "--master-key-file", e.Dir + "/master.key"}
		if err := runCleanup(ctx, env, args); err != nil {
			t.Fatalf("%v: %s", err, errb.String())
		}
		s := out.String()
		if !strings.Contains(s, "1 candidates with data due") || !strings.Contains(s, "1 candidates erased completely, 0 in part") ||
			!strings.Contains(s, "identity R1") || strings.Contains(s, "Oud") || strings.Contains(s, "oud@") {
			t.Fatalf("the run:\n%s", s)
		}
		if !strings.Contains(errb.String(), "1/1 candidates") {
			t.Errorf("no progress bar: %q", errb.String())
		}
		po := kluis.Actor{TenantID: e.Tenant.ID, Role: kluis.RolePrivacy}
		if _, err := e.DB.Candidate(ctx, po, old.ID); kluis.ErrorCode(err) != kluis.ENotFound {
			t.Errorf("the due candidate is still there: %v", err)
		}
		if _, err := e.DB.Candidate(ctx, po, young.ID); err != nil {
			t.Errorf("the young candidate: %v", err)
		}
		out.Reset()
		if err := runCleanup(ctx, env, args); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "0 candidates with data due") {
			t.Errorf("a second run:\n%s", out.String())
		}
	})
}
