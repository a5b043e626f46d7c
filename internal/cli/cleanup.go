package cli

import (
	"context"
	"fmt"
	"sort"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/retention"
	"kluis/internal/store"
)

// runCleanup is `kluis cleanup plan`: per agency, how many candidates have
// data whose retention term has ended, by the rule that ended it. It names
// candidates by id only (--list) and changes nothing.
func runCleanup(ctx context.Context, e *env, args []string) error {
	if err := verb(e, args, "Usage: kluis cleanup plan [--tenant SLUG] [--list]", "plan"); err != nil {
		return err
	}
	f := newFlags(e, "cleanup plan", "cleanup plan [flags]")
	st := storageFlags(f, "kluis-data")
	slug := tenantFlag(f)
	list := f.Bool("list", false, "also list the ids of the candidates with data due, and what is due")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	db, err := st.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer st.close(db)
	if err := db.CheckSchema(ctx); err != nil {
		return err
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
