package cli

import (
	"context"
	"fmt"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// runStatement is `kluis statement send`: e-mail the agency's current
// privacy statement to every active candidate who has no record of it, as
// the job the privacy officer starts on Privacyverklaring, after finishing
// the jobs a crash left unfinished. Output holds counts only.
func runStatement(ctx context.Context, e *env, args []string) error {
	const usage = "Usage: kluis statement send [--tenant SLUG]"
	if err := verb(e, args, usage, "send"); err != nil {
		return err
	}
	f := newFlags(e, "statement send", "statement send [flags]")
	st := storageFlags(f, "kluis-data")
	slug := tenantFlag(f)
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	// The contact moments' notes are sealed with the candidates' keys.
	db, err := st.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.close(db)
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	if n, err := db.ResumeStatementSends(ctx, true); err != nil {
		return err
	} else if n > 0 {
		fmt.Fprintf(e.stdout, "finished %d sendings of the privacy statement a crash had interrupted\n", n)
	}
	return eachTenant(ctx, db, *slug, func(t kluis.Tenant) error {
		a := kluis.Actor{TenantID: t.ID}
		job, err := db.StartStatementSend(ctx, a)
		if err != nil {
			return fmt.Errorf("%s: %w", t.Slug, err)
		}
		fmt.Fprintf(e.stdout, "%s: sending version %d to %d candidates\n", t.Slug, job.Version, job.Total)
		if err := db.RunStatementSend(ctx, a, job, 0, func(j *store.StatementSend) {
			fmt.Fprintf(e.stderr, "\r%d/%d candidates", j.Done, j.Total)
		}); err != nil {
			return err
		}
		fmt.Fprintln(e.stderr)
		fmt.Fprintf(e.stdout, "%s: %d sent, %d skipped\n", t.Slug, job.Sent, job.Skipped)
		return nil
	})
}
