// Package cli is kluis's command line: it parses subcommands and their
// configuration, wires the store, the blob store and the web server
// together, and runs them. It is the one place where dependencies are made.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"kluis/internal/blob"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// env carries the process's streams and the clock into a command.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	clock          kluis.Clock
}

type command struct {
	name  string
	short string
	run   func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server (staff UI, API)", runServe},
		{"demo", "create the demo data set and serve it", runDemo},
		{"migrate", "bring the database schema up to date", runMigrate},
		{"import", "import candidates, clients, placements and contact moments from CSV or XLSX", runImport},
		{"tenant", "add or list agencies (tenant add, tenant list)", runTenant},
		{"user", "add a staff user (user add)", runUser},
		{"token", "create an API token for a user (token create)", runToken},
	}
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, clock: kluis.SystemClock{}}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, e, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			if err != nil {
				fmt.Fprintln(stderr, "kluis "+c.name+": "+userMessage(err))
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "kluis: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "kluis — back-office software for staffing agencies, with the GDPR built in.")
	fmt.Fprintln(w, "\nUsage: kluis COMMAND [flags]   (kluis COMMAND --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w, "\nEvery flag can also be set with an environment variable KLUIS_<FLAG>, e.g. KLUIS_DB, KLUIS_ADDR.")
}

// userMessage prints a domain error with its field problems in English
// (the command line speaks English; the UI speaks Dutch first).
func userMessage(err error) string {
	var e *kluis.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := e.Message.EN
	if msg == "" {
		msg = string(e.Code)
	}
	var fields []string
	for f, m := range e.Fields {
		fields = append(fields, f+": "+m.EN)
	}
	sort.Strings(fields)
	if len(fields) > 0 {
		msg += "\n  " + strings.Join(fields, "\n  ")
	}
	return msg
}

// flags is a flag set whose defaults can come from KLUIS_* variables.
type flags struct {
	*flag.FlagSet
	e *env
}

func newFlags(e *env, name, synopsis string) *flags {
	fs := flag.NewFlagSet("kluis "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: kluis %s\n\nFlags (each also as KLUIS_<NAME> in the environment):\n", synopsis)
		fs.PrintDefaults()
	}
	return &flags{FlagSet: fs, e: e}
}

func envName(flagName string) string {
	return "KLUIS_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f *flags) string(name, def, usage string) *string {
	if v, ok := os.LookupEnv(envName(name)); ok {
		def = v
	}
	return f.String(name, def, usage)
}

// parse parses args; flags given on the command line beat the environment.
func (f *flags) parse(args []string) error {
	return f.Parse(args)
}

// storage holds the flags every command that opens the database shares.
type storage struct {
	data *string
	db   *string
}

func storageFlags(f *flags, defaultData string) *storage {
	return &storage{
		data: f.string("data", defaultData, "data directory: the SQLite file and the document store live here"),
		db:   f.string("db", "", "database: a postgres://… URL, or a SQLite file (default DATA/kluis.db)"),
	}
}

// open opens the database and the blob store. It never prints the database
// URL, which may hold a password.
func (s *storage) open(ctx context.Context, e *env) (*store.DB, error) {
	if err := os.MkdirAll(*s.data, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	blobs, err := blob.NewDir(filepath.Join(*s.data, "documents"))
	if err != nil {
		return nil, fmt.Errorf("open document store: %w", err)
	}
	dsn := *s.db
	if dsn == "" {
		dsn = filepath.Join(*s.data, "kluis.db")
	}
	db, err := store.Open(ctx, dsn, store.Options{Clock: e.clock, Blobs: blobs})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// openTenant opens a database whose schema is current and finds the agency
// named by slug (or the only one).
func (s *storage) openTenant(ctx context.Context, e *env, slug string) (*store.DB, *kluis.Tenant, error) {
	db, err := s.open(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	t, err := findTenant(ctx, db, slug)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, t, nil
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func tenantFlag(f *flags) *string {
	return f.string("tenant", "", "the agency's short name (slug), as given to `kluis tenant add`")
}

func findTenant(ctx context.Context, db *store.DB, slug string) (*kluis.Tenant, error) {
	if slug == "" {
		ts, err := db.Tenants(ctx)
		if err != nil {
			return nil, err
		}
		if len(ts) == 1 {
			return &ts[0], nil
		}
		return nil, errors.New("name the agency with --tenant (see `kluis tenant list`)")
	}
	return db.TenantBySlug(ctx, slug)
}
