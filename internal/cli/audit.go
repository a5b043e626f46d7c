package cli

import (
	"context"
	"errors"
	"fmt"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// runAudit is `kluis audit verify`: it recomputes the hash chain of every
// agency's access and audit log (or one agency's) and fails on the first
// entry that was changed, removed or inserted.
func runAudit(ctx context.Context, e *env, args []string) error {
	if err := verb(e, args, "Usage: kluis audit verify [--tenant SLUG]", "verify"); err != nil {
		return err
	}
	f := newFlags(e, "audit verify", "audit verify [flags]")
	st := storageFlags(f, "kluis-data")
	slug := tenantFlag(f)
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
	var broken []error
	err = eachTenant(ctx, db, *slug, func(t kluis.Tenant) error {
		n, err := db.VerifyAudit(ctx, t.ID)
		var p store.ChainProblem
		switch {
		case errors.As(err, &p):
			fmt.Fprintf(e.stdout, "%s: BROKEN at entry %d: %s\n", t.Slug, p.Seq, p.Why)
			broken = append(broken, err)
		case err != nil:
			return err
		default:
			fmt.Fprintf(e.stdout, "%s: %d entries, chain unbroken\n", t.Slug, n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(broken) > 0 {
		return fmt.Errorf("the audit log of %d agencies was tampered with", len(broken))
	}
	return nil
}

// eachTenant calls fn for every agency, or only for the one named slug
// (an error when there is none).
func eachTenant(ctx context.Context, db *store.DB, slug string, fn func(kluis.Tenant) error) error {
	ts, err := db.Tenants(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, t := range ts {
		if slug != "" && t.Slug != slug {
			continue
		}
		found = true
		if err := fn(t); err != nil {
			return err
		}
	}
	if slug != "" && !found {
		return fmt.Errorf("no agency %q", slug)
	}
	return nil
}
