package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/demo"
	"kluis/internal/kluis"
	"kluis/internal/vault"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "demo", "demo [flags]\n\n"+
		"Creates the demo data set in the data directory (or reuses it) and serves it.\n"+
		"Its users' password is published: never use a demo data set for real data.")
	st := storageFlags(f, "kluis-demo")
	addr := f.string("addr", "127.0.0.1:8080", "address to listen on")
	n := f.Int("candidates", 0, "generated candidates to add to the hand-made set, e.g. 1000000 for benchmarks (only when the data set is created)")
	seed := f.Int64("seed", 1, "seed of the generator: the same seed on the same day gives the same data")
	doServe := f.Bool("serve", true, "serve the data set after creating it")
	logLevel := f.string("log-level", "warn", "log level of the server: debug, info, warn, error")
	if err := f.parse(args); err != nil {
		return err
	}
	if *n < 0 || *n > 10_000_000 {
		return fmt.Errorf("--candidates must be between 0 and 10000000")
	}
	// A demo keeps its master key in its data directory, for convenience;
	// a real installation keeps it apart (see `kluis keys init`).
	if *st.master == "" {
		if err := os.MkdirAll(*st.data, 0o700); err != nil {
			return err
		}
		path := filepath.Join(*st.data, "master.key")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if _, err := vault.WriteMasterKey(path); err != nil {
				return err
			}
		}
		*st.master = path
	}
	db, err := st.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.close(db)
	if err := prepareSchema(ctx, e, db); err != nil {
		return err
	}
	start := time.Now()
	last := -1
	res, err := demo.Seed(ctx, db, demo.Options{Candidates: *n, Seed: *seed, BaseURL: "http://" + *addr, Progress: func(done, total int) {
		if pct := done * 100 / max(total, 1); pct != last {
			last = pct
			fmt.Fprintf(e.stderr, "\rgenerating candidates: %3d%% (%d of %d)", pct, done, total)
		}
	}})
	if last >= 0 {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	if res.Created {
		fmt.Fprintf(e.stderr, "created the demo data set in %s in %s\n", *st.data, time.Since(start).Round(time.Millisecond))
	} else if *n > 0 {
		fmt.Fprintf(e.stderr, "the demo data set in %s exists already; --candidates applies only when it is created (remove the directory to start anew)\n", *st.data)
	}
	var recruiter kluis.User
	for _, u := range res.Users {
		if u.Role == kluis.RoleRecruiter {
			recruiter = u
		}
	}
	if err := db.DeleteTokens(ctx, res.Tenant.ID, recruiter.ID, "demo"); err != nil {
		return err
	}
	token, _, err := db.CreateToken(ctx, res.Tenant.ID, recruiter.ID, "demo", 7*24*time.Hour)
	if err != nil {
		return err
	}
	if !*doServe {
		return nil
	}
	log := newLogger(e.stderr, *logLevel)
	// The demo's own address is where candidates' links point (the
	// e-mail stays in the outbox unless an SMTP server is configured).
	go maintain(ctx, db, log, time.Hour, "http://"+*addr)
	return serve(ctx, e, db, *addr, "http://"+*addr, log, func(a net.Addr) {
		fmt.Fprintf(e.stdout, "\nkluis demo: http://%s\n\nLog in with password %q as:\n", a, demo.DefaultPassword)
		cat := catalog.New()
		for _, u := range res.Users {
			if u.Role == kluis.RoleIntegration {
				continue
			}
			if cat.RequiresTwoFactor(u.Role) {
				fmt.Fprintf(e.stdout, "  %-28s %-10s + the code of the two-step key below\n", u.Email, u.Role)
			} else {
				fmt.Fprintf(e.stdout, "  %-28s %s\n", u.Email, u.Role)
			}
		}
		fmt.Fprintf(e.stdout, "\nTwo-step verification key of the demo (add it to an authenticator app, time-based, 6 digits;\n"+
			"or compute the code with: oathtool --totp -b %s):\n  %s\n", demo.TOTPSecret, demo.TOTPSecret)
		fmt.Fprintf(e.stdout, "\nAPI (as the recruiter, valid 7 days):\n  curl -H 'Authorization: Bearer %s' http://%s/api/v1/candidates\n\nStop with Ctrl-C.\n", token, a)
	})
}
