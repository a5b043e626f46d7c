package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"kluis/internal/mail"
	"kluis/internal/outbox"
	"kluis/internal/store"
	"kluis/internal/web"
)

func runServe(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "serve", "serve [flags]\n\n"+
		"E-mail is written to the outbox and sent through the SMTP server given with --smtp-host and the\n"+
		"other --smtp-* flags (as for `kluis mail test`). Without --smtp-host it stays in the outbox,\n"+
		"unsent, until kluis is started with one; kluis warns about that once, at start.")
	st := storageFlags(f, "kluis-data")
	smtp := mailFlags(f)
	addr := f.string("addr", "127.0.0.1:8080", "address to listen on")
	logLevel := f.string("log-level", "info", "log level: debug, info, warn, error")
	demo := f.Bool("demo", false, "allow the demo users (with their published password) to exist")
	every := f.Duration("maintenance-interval", time.Hour, "how often to do the scheduled work: remove what is due, run the nightly clean-up, ask candidates for consent")
	stale := f.Duration("stale-after", 0, "how long work claimed by a kluis process that died waits before another takes it over: clean-up runs and sendings of the privacy statement (default 2m without a sign of life) and e-mail being sent (default 10m, the outbox lease); only shorter where one process serves the database, as in crash tests")
	metricsTokenFile := f.string("metrics-token-file", "", "file holding the bearer token that /metrics asks for; without it /metrics is not served")
	publicURL := f.string("public-url", "", "the address candidates reach kluis at (https://kluis.mijnbureau.nl), for the links in e-mail to them; without it no such e-mail is sent")
	if err := f.parse(args); err != nil {
		return err
	}
	db, err := st.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.close(db)
	if err := prepareSchema(ctx, e, db); err != nil {
		return err
	}
	if !*demo {
		if has, err := db.DemoUsersExist(ctx); err != nil {
			return err
		} else if has {
			return errors.New("this database holds the demo users, whose password is published: remove them, or start with --demo for a demonstration")
		}
	}
	if *stale != 0 && *stale < time.Second {
		return errors.New("--stale-after must be at least 1s")
	}
	db.SetStaleAfter(*stale)
	if *every < time.Minute {
		return errors.New("--maintenance-interval must be at least 1m")
	}
	log := newLogger(e.stderr, *logLevel)
	warnDatabase(ctx, db, log)
	if err := startOutbox(ctx, e, db, smtp, log, *stale); err != nil {
		return err
	}
	if *publicURL != "" && !strings.HasPrefix(*publicURL, "https://") && !strings.HasPrefix(*publicURL, "http://127.0.0.1") && !strings.HasPrefix(*publicURL, "http://localhost") {
		return errors.New("--public-url must start with https:// (http:// only for 127.0.0.1 or localhost)")
	}
	var opts []func(*web.Server)
	if *metricsTokenFile != "" {
		token, err := readSecretFile(*metricsTokenFile)
		if err != nil {
			return fmt.Errorf("read the metrics token from %s (--metrics-token-file): %w", *metricsTokenFile, err)
		}
		opts = append(opts, func(s *web.Server) { s.EnableMetrics(token) })
	}
	go maintain(ctx, db, log, *every, *publicURL)
	return serve(ctx, e, db, *addr, *publicURL, log, nil, opts...)
}

// warnDatabase says once at start-up what in the database's setup undoes
// a promise of kluis's (docs/OPERATIONS.md): a PostgreSQL role that row-level
// security does not hold (a superuser, or BYPASSRLS), so that the second
// wall between agencies is not there; and a server without autovacuum, on
// which the space of erased rows is never reclaimed and the searches read
// the table for their counts. SQLite has neither.
func warnDatabase(ctx context.Context, db *store.DB, log *slog.Logger) {
	for _, c := range []struct {
		check              func(context.Context) (bool, error)
		unchecked, warning string
	}{
		{db.BypassesRowSecurity, "could not check whether the database role bypasses row-level security",
			"the database role is a superuser or has BYPASSRLS: row-level security does not separate the agencies; connect as an ordinary role that owns the tables (docs/OPERATIONS.md)"},
		{db.AutovacuumOff, "could not read the database server's autovacuum setting",
			"autovacuum is off on the database server: the rows of erased candidates stay in the table files until VACUUM runs, and searches slow down; turn it on, or run VACUUM (ANALYZE) after every clean-up (docs/OPERATIONS.md)"},
	} {
		switch bad, err := c.check(ctx); {
		case err != nil:
			log.Warn(c.unchecked, "err", err)
		case bad:
			log.Warn(c.warning)
		}
	}
}

// readSecretFile reads a secret from a file, so that it stays out of the
// process list, the shell history and the environment. It must be at least
// 16 characters: a short token can be guessed.
func readSecretFile(name string) (string, error) {
	b, err := os.ReadFile(name) // #nosec G304 -- the operator names the file on the command line
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(b))
	if len(s) < 16 {
		return "", errors.New("the token must be at least 16 characters")
	}
	return s, nil
}

// startOutbox starts sending the outbox's e-mail when an SMTP server is
// configured; without one, it says once that e-mail stays unsent.
func startOutbox(ctx context.Context, e *env, db *store.DB, smtp *mailSettings, log *slog.Logger, lease time.Duration) error {
	if !smtp.configured() {
		log.Warn("no SMTP server configured (--smtp-host): e-mail stays in the outbox, unsent")
		return nil
	}
	cfg, err := smtp.config()
	if err != nil {
		return err
	}
	sender, err := mail.NewSender(cfg)
	if err != nil {
		return err
	}
	w := &outbox.Worker{DB: db, Sender: sender, Clock: e.clock, Log: log, Lease: lease}
	go w.Run(ctx, outbox.Interval)
	log.Info("sending e-mail from the outbox", "smtp", cfg.String())
	return nil
}

// prepareSchema migrates an empty database and refuses one whose schema is
// behind or ahead of this binary: applying migrations to a database in use
// is an operator's decision (`kluis migrate`), made after a backup.
func prepareSchema(ctx context.Context, e *env, db *store.DB) error {
	s, err := db.Schema(ctx)
	if err != nil {
		return err
	}
	if s.Current == 0 {
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "kluis: created the database schema (%d migrations)\n", n)
		return nil
	}
	return db.CheckSchema(ctx)
}

// serve runs the HTTP server until ctx ends, then drains requests for up
// to 15 seconds. ready, if set, receives the bound address. publicURL is
// where candidates reach kluis, for the candidate portal's links; opts
// set up the handler further (/metrics).
func serve(ctx context.Context, e *env, db *store.DB, addr, publicURL string, log *slog.Logger, ready func(net.Addr), opts ...func(*web.Server)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	handler, err := web.New(db, log, e.clock)
	if err != nil {
		return err
	}
	handler.PublicURL = publicURL
	for _, o := range opts {
		o(handler)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of up to 20 MB on slow lines
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("kluis listening", "addr", ln.Addr().String(), "database", string(db.Dialect))
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("kluis shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	// The views of the last moments go to the access log before the
	// database closes.
	handler.Close()
	if err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	log.Info("kluis stopped")
	return nil
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "migrate", "migrate [flags]")
	st := storageFlags(f, "kluis-data")
	if err := f.parse(args); err != nil {
		return err
	}
	db, err := st.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer st.close(db)
	before, err := db.Schema(ctx)
	if err != nil {
		return err
	}
	if before.Current > before.Target {
		return db.CheckSchema(ctx)
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema version %d → %d (%d migrations applied)\n", before.Current, before.Target, n)
	return nil
}
