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
	"kluis/internal/vault"
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
		{"user", "staff users: add, list, reset-password, reset-2fa, unlock, logout", runUser},
		{"token", "create an API token for a user (token create)", runToken},
		{"keys", "the master key: create one (keys init) or re-wrap every subject key under a new one (keys rotate)", runKeys},
		{"mail", "check the SMTP settings by sending a test message (mail test)", runMail},
		{"audit", "prove that the access and audit log is unchanged (audit verify)", runAudit},
		{"cleanup", "what has reached the end of its retention term: show it (cleanup plan) or erase it (cleanup apply)", runCleanup},
		{"statement", "e-mail the current privacy statement to every active candidate who lacks it (statement send)", runStatement},
		{"backup", "copy the SQLite database (while serving) and the documents; never the keys", runBackup},
		{"restore", "put a backup in place and erase again whoever was erased after it", runRestore},
		{"verify-erasure", "look for what is left of an erased candidate: every table, blob, database file and log", runVerifyErasure},
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
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.short)
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
	data   *string
	db     *string
	keys   *string
	master *string
	prev   *string
	vault  *vault.Vault
}

func storageFlags(f *flags, defaultData string) *storage {
	return &storage{
		data:   f.string("data", defaultData, "data directory: the SQLite file and the document store live here"),
		db:     f.string("db", "", "database: a postgres://… URL, or a SQLite file (default DATA/kluis.db)"),
		keys:   f.string("keys", "", "key store of the subjects' keys: a postgres://… URL (schema kluis_keys) or a SQLite file (default DATA/keys.db with SQLite, the --db database with PostgreSQL)"),
		master: f.string("master-key-file", "", "file with the master key that wraps the subjects' keys (create one with `kluis keys init`); keep it apart from the data and its backups"),
		prev:   f.string("previous-master-key-file", "", "during a key rotation: the master key that is being replaced, so keys not yet re-wrapped stay readable"),
	}
}

// open opens the database and the document store, and the key store when
// the master key is given (required when needKeys). It never prints the
// database URL, which may hold a password.
func (s *storage) open(ctx context.Context, e *env, needKeys bool) (*store.DB, error) {
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
	if *s.master == "" && needKeys {
		return nil, errors.New("this command needs the master key: give --master-key-file (or KLUIS_MASTER_KEY_FILE); create one with `kluis keys init --out FILE`")
	}
	var keys *vault.Vault
	if *s.master != "" {
		var older []*vault.MasterKey
		if *s.prev != "" {
			m, err := vault.LoadMasterKey(*s.prev)
			if err != nil {
				return nil, err
			}
			older = append(older, m)
		}
		if keys, err = s.openVault(ctx, dsn, older); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, dsn, store.Options{Clock: e.clock, Blobs: blobs, Vault: keys})
	if err != nil {
		if keys != nil {
			keys.Close()
		}
		return nil, err
	}
	s.vault = keys
	return db, nil
}

// openVault opens the key store with the master key file (and any older
// master keys, during a rotation).
func (s *storage) openVault(ctx context.Context, dataDSN string, older []*vault.MasterKey) (*vault.Vault, error) {
	master, err := vault.LoadMasterKey(*s.master)
	if err != nil {
		return nil, err
	}
	keysDSN := *s.keys
	if keysDSN == "" {
		keysDSN = filepath.Join(*s.data, "keys.db")
		if strings.HasPrefix(dataDSN, "postgres://") || strings.HasPrefix(dataDSN, "postgresql://") {
			keysDSN = dataDSN
		}
	}
	v, err := vault.Open(ctx, keysDSN, master, vault.Options{})
	if err != nil {
		return nil, fmt.Errorf("open the key store: %w", err)
	}
	for _, m := range older {
		v.AddMasterKey(m)
	}
	return v, nil
}

// close closes what open opened.
func (s *storage) close(db *store.DB) {
	db.Close()
	if s.vault != nil {
		s.vault.Close()
	}
}

// openTenant opens a database whose schema is current and finds the agency
// named by slug (or the only one).
func (s *storage) openTenant(ctx context.Context, e *env, slug string, needKeys bool) (*store.DB, *kluis.Tenant, error) {
	db, err := s.open(ctx, e, needKeys)
	if err != nil {
		return nil, nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		s.close(db)
		return nil, nil, err
	}
	t, err := findTenant(ctx, db, slug)
	if err != nil {
		s.close(db)
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
