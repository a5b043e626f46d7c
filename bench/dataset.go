package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// dataset is one generated data set: a SQLite file or a PostgreSQL database.
type dataset struct {
	db      string // "sqlite" or "postgres"
	size    int
	dir     string // kluis's data directory (SQLite file, documents, marker)
	dsn     string // what kluis gets as --db ("" for SQLite: DIR/kluis.db)
	openDSN string // what the bare server and this program open
	marker  marker
	reused  bool
}

// marker records a finished data set; without it a data set is incomplete
// and made anew.
type marker struct {
	Size       int       `json:"size"`
	Seed       int64     `json:"seed"`
	Created    time.Time `json:"created"`
	GenSeconds float64   `json:"generation_seconds"`
	// Source is a hash of kluis's migrations: when they change, the data
	// set is brought up to date with `kluis migrate`, as an agency's
	// database is on an upgrade (and made anew only if that fails).
	Source string `json:"source"`
	// Migrations records each such upgrade.
	Migrations []migration `json:"migrations,omitempty"`
}

// migration is one `kluis migrate` of a finished data set.
type migration struct {
	At      time.Time `json:"at"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Seconds float64   `json:"seconds"`
}

func (d *dataset) markerPath() string { return filepath.Join(d.dir, "bench-marker.json") }

// kluisArgs are the flags that point a kluis command at the data set, and
// at the master key `kluis demo` keeps in its data directory (kluis seals
// sensitive columns with per-subject keys wrapped under it).
func (d *dataset) kluisArgs() []string {
	args := []string{"--data", d.dir}
	if d.dsn != "" {
		args = append(args, "--db", d.dsn)
	}
	if key := filepath.Join(d.dir, "master.key"); fileExists(key) {
		args = append(args, "--master-key-file", key)
	}
	return args
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// sourceHash hashes what a generated data set must match: kluis's schema.
// (A data set that kluis cannot serve for another reason is found out by
// its first requests, and made anew then.)
func sourceHash(root string) (string, error) {
	return hashDirs(root, "internal/store/migrations")
}

// treeHash hashes the files under dirs (tests left out), or says why not.
func treeHash(root string, dirs ...string) string {
	h, err := hashDirs(root, dirs...)
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return h
}

func hashDirs(root string, dirs ...string) (string, error) {
	h := sha256.New()
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			fmt.Fprintf(h, "%s %d\n", rel, len(b))
			h.Write(b)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// pgURL returns the -pg server URL with another database name.
func pgURL(base, dbname string) string {
	u, _ := url.Parse(base)
	u.Path = "/" + dbname
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// prepareDataset finds the data set of db and size made for the schema whose
// hash is src, or makes it (always with force) with `kluis demo --candidates
// N --serve=false`, timing it.
func prepareDataset(ctx context.Context, cfg *config, kluisBin, src, db string, size int, force bool) (*dataset, error) {
	d, err := makeDataset(ctx, cfg, kluisBin, src, db, size, force)
	if err != nil || db != "postgres" {
		return d, err
	}
	return d, pgVacuum(ctx, d)
}

// pgVacuum vacuums and analyses a PostgreSQL data set before it is
// measured, as autovacuum does on a server with its default settings: it
// sets the visibility map, without which no scan is index-only — every
// count of a search would read each match's row from the table. The
// harness does it itself because autovacuum may be off on a development
// server (it is on the machine of docs/PERFORMANCE.md); on a set that was
// vacuumed before it takes seconds.
func pgVacuum(ctx context.Context, d *dataset) error {
	began := time.Now()
	sdb, err := openDB(d.openDSN)
	if err != nil {
		return err
	}
	defer sdb.Close()
	var auto string
	if err := sdb.QueryRowContext(ctx, "SHOW autovacuum").Scan(&auto); err != nil {
		return fmt.Errorf("show autovacuum: %w", err)
	}
	if _, err := sdb.ExecContext(ctx, "VACUUM (ANALYZE)"); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	logf("%s %d: vacuumed and analysed in %.1f s (the server's autovacuum is %s)", d.db, d.size, time.Since(began).Seconds(), auto)
	return nil
}

// makeDataset reuses, upgrades or generates the data set of db and size.
func makeDataset(ctx context.Context, cfg *config, kluisBin, src, db string, size int, force bool) (*dataset, error) {
	d := &dataset{db: db, size: size, dir: filepath.Join(cfg.data, fmt.Sprintf("%s-%d", db, size))}
	pgName := fmt.Sprintf("kluis_bench_%d", size)
	if db == "postgres" {
		// kluis connects as an ordinary role that owns the tables, as an
		// agency's installation should (docs/OPERATIONS.md): row-level
		// security applies to it. The bare server and the harness's own
		// checks connect as the server's administrator, who passes it.
		d.dsn = asRole(pgURL(cfg.pgBase, pgName))
		d.openDSN = pgURL(cfg.pgBase, pgName)
	} else {
		d.openDSN = filepath.Join(d.dir, "kluis.db")
	}
	// Reuse a finished data set made from the same sources.
	if b, err := os.ReadFile(d.markerPath()); err == nil && !cfg.regen && !force {
		var m marker
		if json.Unmarshal(b, &m) == nil && m.Size == size && m.Seed == cfg.seed && m.Source == src {
			ok := true
			if db == "postgres" {
				ok, err = pgDatabaseExists(ctx, cfg.pgBase, pgName)
				if err != nil {
					return nil, err
				}
			} else if _, err := os.Stat(d.openDSN); err != nil {
				ok = false
			}
			if ok && db == "postgres" {
				err = pgOwnTo(ctx, cfg.pgBase, pgName)
			}
			if err != nil {
				return nil, err
			}
			if ok {
				d.marker, d.reused = m, true
				logf("%s %d: reusing the data set in %s (generated in %.1f s on %s)", db, size, d.where(), m.GenSeconds, m.Created.Format(time.DateOnly))
				return d, nil
			}
		}
		// Made by an older schema: upgrade it as an agency's database is
		// upgraded. Generating 1M candidates anew takes ten minutes.
		if json.Unmarshal(b, &m) == nil && m.Size == size && m.Seed == cfg.seed && m.Source != src {
			if db == "postgres" {
				if err := pgOwnTo(ctx, cfg.pgBase, pgName); err != nil {
					return nil, err
				}
			}
			if err := d.migrate(ctx, kluisBin, m, src); err != nil {
				logf("%s %d: kluis migrate failed (%v); making the data set anew", db, size, err)
			} else {
				d.reused = true
				return d, nil
			}
		}
	}
	// Make it anew: remove what is there, then generate.
	logf("%s %d: generating the data set in %s", db, size, d.where())
	if err := os.RemoveAll(d.dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return nil, err
	}
	if db == "postgres" {
		if err := pgRecreateDatabase(ctx, cfg.pgBase, pgName); err != nil {
			return nil, err
		}
	}
	limit := 10*time.Minute + time.Duration(size/1000)*time.Second // generous: ~4 min at 1M on 2 cores
	args := append([]string{"demo", "--candidates", strconv.Itoa(size), "--serve=false", "--seed", strconv.FormatInt(cfg.seed, 10)}, d.kluisArgs()...)
	start := time.Now()
	if _, err := runCmd(ctx, limit, d.dir, os.Stderr, kluisBin, args...); err != nil {
		return nil, err
	}
	gen := time.Since(start)
	// A PostgreSQL data set is analysed (and vacuumed) by pgVacuum, after.
	d.marker = marker{Size: size, Seed: cfg.seed, Created: time.Now().UTC(), GenSeconds: round(gen.Seconds(), 1), Source: src}
	b, _ := json.MarshalIndent(d.marker, "", "  ")
	if err := os.WriteFile(d.markerPath(), b, 0o600); err != nil {
		return nil, err
	}
	logf("%s %d: generated in %.1f s", db, size, gen.Seconds())
	return d, nil
}

// migrate runs `kluis migrate` on the finished data set m and records it in
// the marker.
func (d *dataset) migrate(ctx context.Context, kluisBin string, m marker, src string) error {
	if d.db == "sqlite" && !fileExists(d.openDSN) {
		return errors.New("no database file")
	}
	logf("%s %d: the migrations changed since the data set was made; kluis migrate", d.db, d.size)
	start := time.Now()
	if _, err := runCmd(ctx, 30*time.Minute, d.dir, os.Stderr, kluisBin, append([]string{"migrate"}, d.kluisArgs()...)...); err != nil {
		return err
	}
	took := time.Since(start)
	m.Migrations = append(m.Migrations, migration{At: time.Now().UTC(), From: m.Source, To: src, Seconds: round(took.Seconds(), 1)})
	m.Source = src
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(d.markerPath(), b, 0o600); err != nil {
		return err
	}
	d.marker = m
	logf("%s %d: migrated in %.1f s", d.db, d.size, took.Seconds())
	return nil
}

func (d *dataset) where() string {
	if d.db == "postgres" {
		u, _ := url.Parse(d.dsn)
		return "database " + strings.TrimPrefix(u.Path, "/")
	}
	return d.dir
}

func pgAdmin(base string) (*sql.DB, error) {
	db, err := openDB(base)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

func pgDatabaseExists(ctx context.Context, base, name string) (bool, error) {
	db, err := pgAdmin(base)
	if err != nil {
		return false, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		return false, fmt.Errorf("postgres at %s: %w", redact(base), err)
	}
	return n > 0, nil
}

func pgRecreateDatabase(ctx context.Context, base, name string) error {
	if !strings.HasPrefix(name, "kluis_bench_") {
		return fmt.Errorf("refusing to drop database %q", name)
	}
	db, err := pgAdmin(base)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	if err := pgEnsureRole(ctx, db); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" OWNER "+benchRole); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// benchRole is the role kluis connects as: LOGIN, neither superuser nor
// BYPASSRLS, the owner of the data sets' tables (trust authentication on
// loopback, as the harness's server is set up).
const benchRole = "kluis_bench"

// asRole is the PostgreSQL URL dsn with benchRole as its user.
func asRole(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.User = url.User(benchRole)
	return u.String()
}

// pgEnsureRole creates benchRole if it is missing.
func pgEnsureRole(ctx context.Context, admin *sql.DB) error {
	_, err := admin.ExecContext(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+benchRole+`') THEN
			CREATE ROLE `+benchRole+` LOGIN NOSUPERUSER NOBYPASSRLS;
		END IF;
	END $$`)
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		return fmt.Errorf("create role %s: %w", benchRole, err)
	}
	return nil
}

// pgOwnTo makes benchRole the owner of database name and of everything of
// kluis's in it, so that kluis runs under row-level security (a data set
// made by an earlier harness belonged to the administrator). Owning
// nothing else, the role may do no more than kluis needs.
func pgOwnTo(ctx context.Context, base, name string) error {
	admin, err := pgAdmin(base)
	if err != nil {
		return err
	}
	defer admin.Close()
	if err := pgEnsureRole(ctx, admin); err != nil {
		return err
	}
	if _, err := admin.ExecContext(ctx, "ALTER DATABASE "+name+" OWNER TO "+benchRole); err != nil {
		return fmt.Errorf("own database %s: %w", name, err)
	}
	db, err := openDB(pgURL(base, name))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `DO $$ DECLARE r record; BEGIN
		FOR r IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('public', 'kluis_keys') AND tableowner <> '`+benchRole+`' LOOP
			EXECUTE format('ALTER TABLE %I.%I OWNER TO `+benchRole+`', r.schemaname, r.tablename);
		END LOOP;
		FOR r IN SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args FROM pg_proc p
				JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' LOOP
			EXECUTE format('ALTER FUNCTION public.%I(%s) OWNER TO `+benchRole+`', r.proname, r.args);
		END LOOP;
		IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'kluis_keys') THEN
			ALTER SCHEMA kluis_keys OWNER TO `+benchRole+`;
		END IF;
	END $$`)
	if err != nil {
		return fmt.Errorf("own the tables of %s: %w", name, err)
	}
	return nil
}

// redact hides a password in a database URL.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(database URL)"
	}
	return u.Redacted()
}

// probe is what the driver learns from the data set itself: the tenant, all
// candidate ids (requests draw from them), search terms, sizes, versions.
type probe struct {
	tenant     int64
	ids        []int64
	prefixes   []string // last-name prefixes of three letters
	cities     []string
	candidates int
	bytes      int64
	version    string
}

func probeDataset(ctx context.Context, d *dataset, seed int64) (*probe, error) {
	db, err := openDB(d.openDSN)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	p := &probe{}
	if err := db.QueryRowContext(ctx, "SELECT id FROM tenants WHERE slug = 'demo'").Scan(&p.tenant); err != nil {
		return nil, fmt.Errorf("find the demo tenant: %w", err)
	}
	rows, err := db.QueryContext(ctx, "SELECT id FROM candidates WHERE tenant_id = $1", p.tenant)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		p.ids = append(p.ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(p.ids) == 0 {
		return nil, errors.New("the data set has no candidates")
	}
	p.candidates = len(p.ids)
	slices.Sort(p.ids)
	// Search terms from 200 random candidates: what a recruiter would type.
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	seenP, seenC := map[string]bool{}, map[string]bool{}
	for range 200 {
		id := p.ids[rng.IntN(len(p.ids))]
		var last, city string
		if err := db.QueryRowContext(ctx, "SELECT last_name, city FROM candidates WHERE tenant_id = $1 AND id = $2", p.tenant, id).Scan(&last, &city); err != nil {
			return nil, err
		}
		if pre := firstRunes(strings.ToLower(last), 3); pre != "" && !seenP[pre] {
			seenP[pre] = true
			p.prefixes = append(p.prefixes, pre)
		}
		if c := strings.ToLower(city); c != "" && !seenC[c] {
			seenC[c] = true
			p.cities = append(p.cities, c)
		}
	}
	if d.db == "postgres" {
		err = db.QueryRowContext(ctx, "SELECT pg_database_size(current_database()), current_setting('server_version')").Scan(&p.bytes, &p.version)
		if err != nil {
			return nil, err
		}
	} else {
		// The data and, since kluis seals columns with per-subject keys,
		// the key store next to it.
		for _, f := range []string{"kluis.db", "keys.db"} {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if st, err := os.Stat(filepath.Join(d.dir, f+suffix)); err == nil {
					p.bytes += st.Size()
				}
			}
		}
		if err := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&p.version); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) < 2 {
		return ""
	}
	return string(r[:min(n, len(r))])
}

// queryPlans asks the database how it runs the bare searches: the plans
// show whether the schema's indexes serve the question at all.
func queryPlans(ctx context.Context, d *dataset, p *probe) (map[string]string, error) {
	db, err := openDB(d.openDSN)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	sqlite := d.db == "sqlite"
	name := bareSearchArgs(sqlite, false, p.tenant, p.prefixes[0])
	city := bareSearchArgs(sqlite, true, p.tenant, p.cities[0])
	nl, nc := bareSearchSQL(sqlite, false)
	cl, cc := bareSearchSQL(sqlite, true)
	plans := map[string]string{}
	for _, q := range []struct {
		key  string
		sql  string
		args []any
	}{
		{"1 name, page", nl, name},
		{"2 name, count(*)", nc, name},
		{"3 city, page", cl, city},
		{"4 city, count(*)", cc, city},
	} {
		plan, err := explain(ctx, db, d.db, q.sql, q.args)
		if err != nil {
			return nil, fmt.Errorf("explain %s: %w", q.key, err)
		}
		plans[q.key] = "-- " + strings.ReplaceAll(q.sql, candidateColumns, "…") + "\n-- with " + fmt.Sprintf("%q", q.args[1:]) + "\n" + plan
	}
	return plans, nil
}

func explain(ctx context.Context, db *sql.DB, kind, query string, args []any) (string, error) {
	prefix := "EXPLAIN "
	if kind == "sqlite" {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.QueryContext(ctx, prefix+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		last := vals[len(vals)-1]
		switch v := last.(type) {
		case []byte:
			lines = append(lines, string(v))
		default:
			lines = append(lines, fmt.Sprint(v))
		}
	}
	return strings.Join(lines, "\n"), rows.Err()
}
