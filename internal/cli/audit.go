package cli

import (
	"context"
	"errors"
	"fmt"

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
	ts, err := db.Tenants(ctx)
	if err != nil {
		return err
	}
	var broken []error
	found := false
	for _, t := range ts {
		if *slug != "" && t.Slug != *slug {
			continue
		}
		found = true
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
	}
	if *slug != "" && !found {
		return fmt.Errorf("no agency %q", *slug)
	}
	if len(broken) > 0 {
		return fmt.Errorf("the audit log of %d agencies was tampered with", len(broken))
	}
	return nil
}
