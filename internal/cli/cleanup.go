package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"kluis/internal/catalog"
	"kluis/internal/cleanup"
	"kluis/internal/kluis"
	"kluis/internal/retention"
	"kluis/internal/store"
)

// runCleanup is `kluis cleanup`: per agency, what data have reached the
// end of their retention term. `plan` (or --dry-run) shows it and changes
// nothing; `apply` (or --apply) erases it, as a clean-up run with a
// progress bar, after finishing whatever a crash left unfinished. Output
// names candidates by id only.
func runCleanup(ctx context.Context, e *env, args []string) error {
	const usage = "Usage: kluis cleanup plan|apply [--tenant SLUG] [--list] [--candidate ID]…  (or: kluis cleanup --dry-run | --apply)"
	if len(args) > 0 {
		switch args[0] {
		case "--dry-run", "-dry-run":
			args = append([]string{"plan"}, args[1:]...)
		case "--apply", "-apply":
			args = append([]string{"apply"}, args[1:]...)
		}
	}
	if err := verb(e, args, usage, "plan", "apply"); err != nil {
		return err
	}
	apply := args[0] == "apply"
	f := newFlags(e, "cleanup "+args[0], "cleanup "+args[0]+" [flags]")
	st := storageFlags(f, "kluis-data")
	slug := tenantFlag(f)
	list := f.Bool("list", false, "also list the ids of the candidates with data due, and what is due")
	var only idFlags
	f.Var(&only, "candidate", "erase only this candidate (by id; repeatable); default: every candidate with data due")
	f.Bool("dry-run", false, "show what is due; change nothing (the default of plan)")
	f.Bool("apply", false, "erase what is due (the same as the verb apply)")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	db, err := st.open(ctx, e, apply)
	if err != nil {
		return err
	}
	defer st.close(db)
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	if apply {
		return applyCleanup(ctx, e, db, *slug, only)
	}
	cat := catalog.New()
	today := kluis.DateOf(e.clock.Now())
	return eachTenant(ctx, db, *slug, func(t kluis.Tenant) error {
		total, withDue := 0, 0
		byRule := map[catalog.Rule]int{}
		set, err := db.Settings(ctx, t.ID)
		if err != nil {
			return err
		}
		terms := retention.For(set)
		err = db.EachRetentionFacts(ctx, kluis.Actor{TenantID: t.ID}, func(c store.CandidateFacts) error {
			total++
			due := retention.Due(retention.Plan(cat, c.Facts, terms, today), today)
			if len(due) == 0 {
				return nil
			}
			withDue++
			seen := map[catalog.Rule]bool{}
			var what []string
			for _, it := range due {
				if !seen[it.Rule] {
					seen[it.Rule] = true
					byRule[it.Rule]++
				}
				what = append(what, string(it.Category)+" ("+string(it.Rule)+" since "+string(it.Expires)+")")
			}
			if *list {
				fmt.Fprintf(e.stdout, "%s\tcandidate %d\t%v\n", t.Slug, c.ID, what)
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %d candidates, %d with data due for removal on %s\n", t.Slug, total, withDue, today)
		rules := make([]string, 0, len(byRule))
		for r := range byRule {
			rules = append(rules, string(r))
		}
		sort.Strings(rules)
		for _, r := range rules {
			fmt.Fprintf(e.stdout, "  %-3s %6d candidates  %s\n", r, byRule[catalog.Rule(r)], catalog.RuleLabel(catalog.Rule(r)).EN)
		}
		return nil
	})
}

// applyCleanup erases what is due, agency by agency, as clean-up runs.
func applyCleanup(ctx context.Context, e *env, db *store.DB, slug string, only idFlags) error {
	r := &cleanup.Runner{DB: db, Progress: func(run *store.CleanupRun) { progressBar(e.stderr, run) }}
	// What a crash left: files and keys of committed erasures, and runs
	// that stopped giving signs of life.
	if n, err := r.Resume(ctx, 0, true); err != nil {
		return err
	} else if n > 0 {
		fmt.Fprintf(e.stdout, "finished %d clean-up runs a crash had interrupted\n", n)
	}
	return eachTenant(ctx, db, slug, func(t kluis.Tenant) error {
		a := kluis.Actor{TenantID: t.ID}
		var ids []kluis.ID
		if len(only) > 0 {
			ids = []kluis.ID(only)
		}
		run, err := db.StartCleanupRun(ctx, a, ids, false)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: clean-up run %d, %d candidates with data due\n", t.Slug, run.ID, run.Total)
		if err := r.Run(ctx, a, run); err != nil {
			return err
		}
		fmt.Fprintln(e.stderr)
		fmt.Fprintf(e.stdout, "%s: run %d %s: %d candidates erased completely, %d in part (the rest kept by law, restricted), %d skipped, %d failed\n",
			t.Slug, run.ID, run.State, run.Complete, run.Partial, run.Skipped, run.Failed)
		if run.Verified > 0 {
			fmt.Fprintf(e.stdout, "  residue check of %d erased candidates: %d places still held an identifier\n", run.Verified, run.Residue)
		}
		groups := make([]string, 0, len(run.Report.Erased))
		for g := range run.Report.Erased {
			groups = append(groups, g)
		}
		sort.Strings(groups)
		for _, g := range groups {
			fmt.Fprintf(e.stdout, "  %-24s %6d candidates\n", g, run.Report.Erased[g])
		}
		for _, msg := range run.Report.Errors {
			fmt.Fprintf(e.stdout, "  failed: candidate %s\n", msg)
		}
		if run.Failed > 0 {
			return fmt.Errorf("%d candidates could not be erased; run `kluis cleanup apply` again to retry them", run.Failed)
		}
		return nil
	})
}

// progressBar draws a run's progress on one line of w.
func progressBar(w io.Writer, run *store.CleanupRun) {
	const width = 30
	filled := width
	if run.Total > 0 {
		filled = width * run.Done / run.Total
	}
	fmt.Fprintf(w, "\r[%s%s] %d/%d candidates", strings.Repeat("#", filled), strings.Repeat("-", width-filled), run.Done, run.Total)
}

// idFlags is a repeatable flag of ids.
type idFlags []kluis.ID

func (f *idFlags) String() string { return fmt.Sprint([]kluis.ID(*f)) }

func (f *idFlags) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("not a candidate id: %q", s)
	}
	*f = append(*f, kluis.ID(n))
	return nil
}
