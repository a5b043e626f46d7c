package main

// The retention plan and the erasure, measured in process: this program
// opens the data set with kluis's own store (internal/store), as `kluis
// cleanup plan` and `kluis cleanup apply` do, and times the same calls
// (store.DB.EachRetentionFacts + retention.Plan + retention.Due;
// store.DB.StartCleanupRun + cleanup.Runner.Run over store.DB.Erase) next
// to raw SQL doing the least the same answer needs, in the same run. The
// erasures work on copies of the data set, which stays reusable.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"kluis/internal/blob"
	"kluis/internal/catalog"
	"kluis/internal/cleanup"
	"kluis/internal/kluis"
	"kluis/internal/retention"
	"kluis/internal/store"
	"kluis/internal/vault"
)

// planReps is how often each side of the retention plan is timed
// (alternating); the fastest is reported.
const planReps = 3

// eraseTarget is how many due candidates the erasure scenario erases at
// most (all that are due when fewer are).
const eraseTarget = 100_000

// planResult is the retention-plan scenario of one data set.
type planResult struct {
	Today      string `json:"today"`
	Candidates int    `json:"candidates"`
	Due        int    `json:"due"` // candidates with data due today
	// Kluis: store.EachRetentionFacts + retention.Plan + retention.Due for
	// every candidate, in process; Bare: one raw SQL scan per table of the
	// same columns, grouped per candidate in a map. Best of Reps, alternating.
	KluisSeconds float64   `json:"kluis_seconds"`
	BareSeconds  float64   `json:"bare_seconds"`
	KluisAll     []float64 `json:"kluis_all_seconds"`
	BareAll      []float64 `json:"bare_all_seconds"`
	KluisPerSec  float64   `json:"kluis_candidates_per_s"`
	BarePerSec   float64   `json:"bare_candidates_per_s"`
	// CLISeconds is `kluis cleanup plan` from process start to exit (once).
	CLISeconds float64 `json:"cli_seconds"`
	CLIFirst   string  `json:"cli_first_line"`
	Profile    string  `json:"profile,omitempty"`
}

// eraseResult is the erasure scenario of one data set.
type eraseResult struct {
	Today    string `json:"today"`
	Due      int    `json:"due"`    // candidates with data due today
	Erased   int    `json:"erased"` // candidates handed to the clean-up run (and to the bare DELETEs)
	Complete int    `json:"complete"`
	Partial  int    `json:"partial"`
	Skipped  int    `json:"skipped"`
	Failed   int    `json:"failed"`
	Verified int    `json:"verified"`
	Residue  int    `json:"residue"`
	// KluisSeconds: StartCleanupRun with the ids + Runner.Run, all of it;
	// KluisEraseSeconds: until the last batch was reported (without the
	// final checkpoint and the verification of the sample).
	KluisSeconds      float64 `json:"kluis_seconds"`
	KluisEraseSeconds float64 `json:"kluis_erase_seconds"`
	// VerifySeconds: the verification of the sample (cleanup.Runner's
	// Verifying), a scan of the whole database whose cost grows with the
	// data set, not with the candidates erased; KluisPerSec leaves it out.
	VerifySeconds float64 `json:"kluis_verify_seconds"`
	StartSeconds  float64 `json:"kluis_start_run_seconds"`
	KluisPerSec   float64 `json:"kluis_candidates_per_s"`
	// Bare: DELETE of the same candidates' rows, child tables then
	// candidates, 200 candidates a transaction, on another copy.
	BareSeconds float64 `json:"bare_seconds"`
	BarePerSec  float64 `json:"bare_candidates_per_s"`
	BareRows    int64   `json:"bare_rows"`
	CopySeconds float64 `json:"copy_seconds"` // making the two copies (not counted)
	Profile     string  `json:"profile,omitempty"`
}

// openStore opens the data set (or a copy: dsn, blobs directory) with
// kluis's store, and the key store when keys is set.
func openStore(ctx context.Context, d *dataset, dsn, dataDir string, keys bool) (*store.DB, func(), error) {
	blobs, err := blob.NewDir(filepath.Join(dataDir, "documents"))
	if err != nil {
		return nil, nil, err
	}
	var v *vault.Vault
	if keys {
		m, err := vault.LoadMasterKey(filepath.Join(d.dir, "master.key"))
		if err != nil {
			return nil, nil, err
		}
		keysDSN := filepath.Join(dataDir, "keys.db")
		if d.db == "postgres" {
			keysDSN = dsn
		}
		if v, err = vault.Open(ctx, keysDSN, m, vault.Options{}); err != nil {
			return nil, nil, err
		}
	}
	db, err := store.Open(ctx, dsn, store.Options{Blobs: blobs, Vault: v})
	if err != nil {
		if v != nil {
			v.Close()
		}
		return nil, nil, err
	}
	return db, func() {
		db.Close()
		if v != nil {
			v.Close()
		}
		blobs.Close()
	}, nil
}

// duePlan runs kluis's retention plan over the whole data set and returns
// the ids of the candidates with data due today.
func duePlan(ctx context.Context, db *store.DB, tenant kluis.ID) (total int, due []kluis.ID, err error) {
	set, err := db.Settings(ctx, tenant)
	if err != nil {
		return 0, nil, err
	}
	terms, cat := retention.For(set), catalog.New()
	today := kluis.DateOf(db.Now())
	err = db.EachRetentionFacts(ctx, kluis.Actor{TenantID: tenant}, func(c store.CandidateFacts) error {
		total++
		if len(retention.Due(retention.Plan(cat, c.Facts, terms, today), today)) > 0 {
			due = append(due, c.ID)
		}
		return nil
	})
	return total, due, err
}

// bareFacts is what the raw SQL scan keeps of a candidate.
type bareFacts struct {
	branch, registered, nationality, idRecorded, erased any
	lastContact, consentUntil                           any
	placements, payrollYears, holds, idCopies           []any
}

// barePlanScan reads the same columns as EachRetentionFacts — the
// candidates, the last contact moment, placements, payroll years, ID
// copies, valid consents, holds — with one query per table over the whole
// tenant, grouped per candidate in a map. It returns the candidates seen.
func barePlanScan(ctx context.Context, db *sql.DB, tenant int64, today string) (int, error) {
	by := map[int64]*bareFacts{}
	scan := func(query string, args []any, row func(rows *sql.Rows) error) error {
		rows, err := db.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("%s: %w", query, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	t := []any{tenant}
	err := scan("SELECT id, branch_id, registered_on, nationality, id_recorded_on, erased_groups FROM candidates WHERE tenant_id = $1", t, func(r *sql.Rows) error {
		f := &bareFacts{}
		var id int64
		if err := r.Scan(&id, &f.branch, &f.registered, &f.nationality, &f.idRecorded, &f.erased); err != nil {
			return err
		}
		by[id] = f
		return nil
	})
	if err != nil {
		return 0, err
	}
	one := func(query string, args []any, set func(f *bareFacts, v any)) error {
		return scan(query, args, func(r *sql.Rows) error {
			var id int64
			var v any
			if err := r.Scan(&id, &v); err != nil {
				return err
			}
			if f := by[id]; f != nil {
				set(f, v)
			}
			return nil
		})
	}
	two := func(query string, set func(f *bareFacts, a, b any)) error {
		return scan(query, t, func(r *sql.Rows) error {
			var id int64
			var a, b any
			if err := r.Scan(&id, &a, &b); err != nil {
				return err
			}
			if f := by[id]; f != nil {
				set(f, a, b)
			}
			return nil
		})
	}
	for _, step := range []func() error{
		func() error {
			return one("SELECT candidate_id, max(at) FROM contact_moments WHERE tenant_id = $1 GROUP BY candidate_id", t,
				func(f *bareFacts, v any) { f.lastContact = v })
		},
		func() error {
			return scan("SELECT candidate_id, start_date, end_date, contract_kind FROM placements WHERE tenant_id = $1", t, func(r *sql.Rows) error {
				var id int64
				var s, e, k any
				if err := r.Scan(&id, &s, &e, &k); err != nil {
					return err
				}
				if f := by[id]; f != nil {
					f.placements = append(f.placements, s, e, k)
				}
				return nil
			})
		},
		func() error {
			return one("SELECT DISTINCT candidate_id, year FROM payroll_records WHERE tenant_id = $1", t,
				func(f *bareFacts, v any) { f.payrollYears = append(f.payrollYears, v) })
		},
		func() error {
			return one("SELECT candidate_id, max(valid_until) FROM consents WHERE tenant_id = $1 AND (withdrawn_on IS NULL OR withdrawn_on > $2) GROUP BY candidate_id",
				[]any{tenant, today}, func(f *bareFacts, v any) { f.consentUntil = v })
		},
		func() error {
			return two("SELECT candidate_id, kind, end_date FROM legal_holds WHERE tenant_id = $1",
				func(f *bareFacts, a, b any) { f.holds = append(f.holds, a, b) })
		},
		func() error {
			return one("SELECT candidate_id, created_at FROM documents WHERE tenant_id = $1 AND kind = 'id-copy'", t,
				func(f *bareFacts, v any) { f.idCopies = append(f.idCopies, v) })
		},
	} {
		if err := step(); err != nil {
			return 0, err
		}
	}
	return len(by), nil
}

// measureRetentionPlan times kluis's retention plan over the whole data
// set against the raw SQL scan of the same columns, alternating.
func measureRetentionPlan(r *runEnv) (any, error) {
	ctx, d := r.ctx, r.d
	logf("%s %d: retention plan ×%d, kluis and bare alternating", d.db, d.size, planReps)
	kdb, closeK, err := openStore(ctx, d, d.openDSNForKluis(), d.dir, false)
	if err != nil {
		return nil, err
	}
	defer closeK()
	bdb, err := openDB(d.openDSN)
	if err != nil {
		return nil, err
	}
	defer bdb.Close()
	res := &planResult{Today: string(kluis.DateOf(time.Now()))}
	tenant := kluis.ID(r.p.tenant)
	var cpu *os.File
	if r.cfg.profile {
		if cpu, err = startCPUProfile(filepath.Join(r.cfg.tmp, fmt.Sprintf("%s-%d-plan.cpu", d.db, d.size))); err != nil {
			return nil, err
		}
	}
	for i := range planReps * 2 {
		kluisTurn := i%4 == 0 || i%4 == 3 // ABBA
		runtime.GC()
		began := time.Now()
		if kluisTurn {
			total, due, err := duePlan(ctx, kdb, tenant)
			if err != nil {
				return nil, fmt.Errorf("kluis: %w", err)
			}
			res.KluisAll = append(res.KluisAll, round(time.Since(began).Seconds(), 3))
			res.Candidates, res.Due = total, len(due)
		} else {
			n, err := barePlanScan(ctx, bdb, r.p.tenant, res.Today)
			if err != nil {
				return nil, fmt.Errorf("bare: %w", err)
			}
			res.BareAll = append(res.BareAll, round(time.Since(began).Seconds(), 3))
			if n != r.p.candidates {
				return nil, fmt.Errorf("bare scan saw %d candidates, the data set has %d", n, r.p.candidates)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if cpu != nil {
		name, err := r.stopCPUProfile(cpu, "retention-plan", fmt.Sprintf("%d passes of kluis's retention plan and %d of the bare scan, in process (this program, kluis's store); the bare scans are the main.barePlanScan part", planReps, planReps))
		if err != nil {
			return nil, err
		}
		res.Profile = name
	}
	res.KluisSeconds, res.BareSeconds = minOf(res.KluisAll), minOf(res.BareAll)
	res.KluisPerSec = round(float64(res.Candidates)/res.KluisSeconds, 0)
	res.BarePerSec = round(float64(r.p.candidates)/res.BareSeconds, 0)

	// The command itself, once: process start, schema check, the same plan,
	// printing the counts.
	began := time.Now()
	out, err := runCmd(ctx, 10*time.Minute, d.dir, nil, r.kluisBin, append([]string{"cleanup", "plan"}, d.kluisArgs()...)...)
	if err != nil {
		return nil, fmt.Errorf("kluis cleanup plan: %w", err)
	}
	res.CLISeconds = round(time.Since(began).Seconds(), 3)
	res.CLIFirst, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	logf("%s %d: retention plan: kluis %.2f s, bare %.2f s, `kluis cleanup plan` %.2f s; %d of %d candidates due",
		d.db, d.size, res.KluisSeconds, res.BareSeconds, res.CLISeconds, res.Due, res.Candidates)
	return res, nil
}

// openDSNForKluis is what kluis's store opens: the PostgreSQL URL, or the
// SQLite file.
func (d *dataset) openDSNForKluis() string {
	if d.db == "postgres" {
		return d.dsn
	}
	return filepath.Join(d.dir, "kluis.db")
}

// dataCopy is a copy of a data set for a destructive scenario.
type dataCopy struct {
	dsn, dir string
	// kluisDSN is what kluis opens the copy as (PostgreSQL: benchRole).
	kluisDSN string
	drop     func()
}

// copyDataset copies the data set: the data directory (SQLite file, key
// store, documents) next to the original, on the same disk, and for
// PostgreSQL the database with CREATE DATABASE … TEMPLATE.
func (r *runEnv) copyDataset(tag string) (*dataCopy, error) {
	d := r.d
	c := &dataCopy{dir: filepath.Join(r.cfg.data, fmt.Sprintf("%s-%d-copy-%s", d.db, d.size, tag))}
	if err := os.RemoveAll(c.dir); err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(r.ctx, "cp", "-a", d.dir, c.dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("copy %s: %v: %s", d.dir, err, out)
	}
	c.dsn = filepath.Join(c.dir, "kluis.db")
	c.kluisDSN = c.dsn
	c.drop = func() { os.RemoveAll(c.dir) }
	if d.db == "postgres" {
		u, _ := url.Parse(d.dsn)
		from := strings.TrimPrefix(u.Path, "/")
		name := from + "_copy_" + tag
		if err := pgCopyDatabase(r.ctx, r.cfg.pgBase, from, name); err != nil {
			c.drop()
			return nil, err
		}
		c.dsn = pgURL(r.cfg.pgBase, name)
		c.kluisDSN = asRole(c.dsn)
		dir := c.dir
		c.drop = func() {
			os.RemoveAll(dir)
			pgDropDatabase(context.Background(), r.cfg.pgBase, name)
		}
	}
	return c, nil
}

// pgCopyDatabase makes name a copy of from; a moment of another session on
// from (autovacuum) is waited out.
func pgCopyDatabase(ctx context.Context, base, from, name string) error {
	if err := pgDropDatabase(ctx, base, name); err != nil {
		return err
	}
	db, err := pgAdmin(base)
	if err != nil {
		return err
	}
	defer db.Close()
	for attempt := 0; ; attempt++ {
		_, err = db.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+from+" STRATEGY FILE_COPY")
		if err == nil || attempt == 20 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("copy database %s: %w", from, err)
	}
	// The tables came with their owner; the database is the creator's.
	if _, err := db.ExecContext(ctx, "ALTER DATABASE "+name+" OWNER TO "+benchRole); err != nil {
		return fmt.Errorf("own the copy %s: %w", name, err)
	}
	return nil
}

func pgDropDatabase(ctx context.Context, base, name string) error {
	if !strings.HasPrefix(name, "kluis_bench_") || !strings.Contains(name, "_copy_") {
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
	return nil
}

// openWriter opens a copy for the bare DELETEs with the settings kluis's
// store writes with (on SQLite: WAL, synchronous NORMAL, secure_delete,
// one writer connection, immediate transactions).
func openWriter(d *dataset, dsn string) (*sql.DB, error) {
	if d.db == "postgres" {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		return db, nil
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_time_format", "sqlite")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", store.SQLiteURI(dsn)+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// bareTables are the tables of a candidate's rows, children first: the
// same as kluis deletes, in its order.
var bareTables = []string{"payroll_records", "contact_moments", "consents", "disclosures", "legal_holds", "placements", "documents", "candidates"}

// bareErase deletes the rows of ids, 200 candidates a transaction: one
// DELETE … IN (…) per table.
func bareErase(ctx context.Context, db *sql.DB, tenant int64, ids []kluis.ID) (int64, error) {
	var rows int64
	for len(ids) > 0 {
		n := min(len(ids), 200)
		args := []any{tenant}
		marks := make([]string, n)
		for i, id := range ids[:n] {
			args = append(args, int64(id))
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		in := strings.Join(marks, ", ")
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return rows, err
		}
		for _, t := range bareTables {
			col := "candidate_id"
			if t == "candidates" {
				col = "id"
			}
			res, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE tenant_id = $1 AND "+col+" IN ("+in+")", args...)
			if err != nil {
				tx.Rollback()
				return rows, fmt.Errorf("delete from %s: %w", t, err)
			}
			k, _ := res.RowsAffected()
			rows += k
		}
		if err := tx.Commit(); err != nil {
			return rows, err
		}
		ids = ids[n:]
	}
	return rows, nil
}

// measureErasure erases the candidates due today (at most eraseTarget) as
// one clean-up run with kluis, on a copy of the data set, and deletes the
// same candidates' rows with raw SQL on another copy.
func measureErasure(r *runEnv) (any, error) {
	ctx, d := r.ctx, r.d
	res := &eraseResult{Today: string(kluis.DateOf(time.Now()))}
	began := time.Now()
	logf("%s %d: erasure: copying the data set twice", d.db, d.size)
	kc, err := r.copyDataset("kluis")
	if err != nil {
		return nil, err
	}
	defer kc.drop()
	bc, err := r.copyDataset("bare")
	if err != nil {
		return nil, err
	}
	defer bc.drop()
	res.CopySeconds = round(time.Since(began).Seconds(), 1)

	kdb, closeK, err := openStore(ctx, d, kc.kluisDSN, kc.dir, true)
	if err != nil {
		return nil, err
	}
	defer closeK()
	tenant := kluis.ID(r.p.tenant)
	_, due, err := duePlan(ctx, kdb, tenant)
	if err != nil {
		return nil, err
	}
	res.Due = len(due)
	ids := due[:min(len(due), eraseTarget)]
	res.Erased = len(ids)
	if len(ids) == 0 {
		return nil, fmt.Errorf("no candidate is due for erasure on %s", res.Today)
	}

	// Bare and kluis in an order that alternates with the data set, so that
	// the slower half of a run does not always fall on the same one.
	bare := func() error {
		logf("%s %d: erasure: bare DELETE of %d candidates", d.db, d.size, len(ids))
		bdb, err := openWriter(d, bc.dsn)
		if err != nil {
			return err
		}
		defer bdb.Close()
		runtime.GC()
		t0 := time.Now()
		res.BareRows, err = bareErase(ctx, bdb, r.p.tenant, ids)
		if err != nil {
			return fmt.Errorf("bare erase: %w", err)
		}
		res.BareSeconds = round(time.Since(t0).Seconds(), 3)
		return nil
	}
	kl := func() error {
		logf("%s %d: erasure: kluis clean-up run of %d candidates", d.db, d.size, len(ids))
		var cpu *os.File
		if r.cfg.profile {
			cpu, err = startCPUProfile(filepath.Join(r.cfg.tmp, fmt.Sprintf("%s-%d-erasure.cpu", d.db, d.size)))
			if err != nil {
				return err
			}
		}
		runtime.GC()
		t0 := time.Now()
		a := kluis.Actor{TenantID: tenant}
		run, err := kdb.StartCleanupRun(ctx, a, ids, false)
		if err != nil {
			return err
		}
		res.StartSeconds = round(time.Since(t0).Seconds(), 3)
		var lastBatch time.Time
		runner := &cleanup.Runner{DB: kdb, Progress: func(run *store.CleanupRun) {
			if run.Done == run.Total && lastBatch.IsZero() {
				lastBatch = time.Now()
			}
		}}
		if err := runner.Run(ctx, a, run); err != nil {
			return fmt.Errorf("clean-up run: %w", err)
		}
		res.KluisSeconds = round(time.Since(t0).Seconds(), 3)
		res.VerifySeconds = round(runner.Verifying.Seconds(), 3)
		if !lastBatch.IsZero() {
			res.KluisEraseSeconds = round(lastBatch.Sub(t0).Seconds(), 3)
		}
		if cpu != nil {
			name, err := r.stopCPUProfile(cpu, "erasure", fmt.Sprintf("clean-up run of %d candidates in process (this program, kluis's store)", len(ids)))
			if err != nil {
				return err
			}
			res.Profile = name
		}
		res.Complete, res.Partial, res.Skipped, res.Failed = run.Complete, run.Partial, run.Skipped, run.Failed
		res.Verified, res.Residue = run.Verified, run.Residue
		return nil
	}
	order := []func() error{kl, bare}
	if d.size%2 == 1 || d.db == "postgres" {
		order = []func() error{bare, kl}
	}
	for _, f := range order {
		if err := f(); err != nil {
			return nil, err
		}
	}
	res.KluisPerSec = round(float64(res.Erased)/(res.KluisSeconds-res.VerifySeconds), 0)
	res.BarePerSec = round(float64(res.Erased)/res.BareSeconds, 0)
	logf("%s %d: erasure of %d: kluis %.1f s (%.0f/s; %d complete, %d partial; verification of the sample %.1f s), bare %.1f s (%.0f/s)", d.db, d.size, res.Erased,
		res.KluisSeconds, res.KluisPerSec, res.Complete, res.Partial, res.VerifySeconds, res.BareSeconds, res.BarePerSec)
	return res, nil
}

func minOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs[1:] {
		m = min(m, x)
	}
	return m
}

// startCPUProfile starts this process's CPU profile into path.
func startCPUProfile(path string) (*os.File, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// stopCPUProfile ends the profile started with f and writes its pprof -top
// (flat, then cumulative) to docs/perf/profile-DB-SIZE-what.txt.
func (r *runEnv) stopCPUProfile(f *os.File, what, about string) (string, error) {
	pprof.StopCPUProfile()
	f.Close()
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	top := func(args ...string) (string, error) {
		out, err := runCmd(r.ctx, 2*time.Minute, r.cfg.root, nil, "go", append(append([]string{"tool", "pprof", "-top"}, args...), self, f.Name())...)
		return string(out), err
	}
	flat, err := top("-nodecount=40")
	if err != nil {
		return "", err
	}
	cum, err := top("-cum", "-nodecount=70")
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("profile-%s-%d-%s.txt", r.d.db, r.d.size, what)
	text := fmt.Sprintf("Profile of the %s scenario (%s %d), taken by: %s\n%s\n\n", what, r.d.db, r.d.size, r.cfg.command, about) +
		flat + "\n--- by cumulative time ---\n" + cum
	return name, os.WriteFile(filepath.Join(r.cfg.out, name), []byte(text), 0o644)
}

// laterOf reads a scenario's result of a run back into its type (after
// results.json it is a generic map).
func laterOf[T any](r *runResult, name string) (*T, bool) {
	v, ok := r.Later[name]
	if !ok || v == nil {
		return nil, false
	}
	if t, ok := v.(*T); ok {
		return t, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	t := new(T)
	if json.Unmarshal(b, t) != nil {
		return nil, false
	}
	return t, true
}

// laterMarkdown writes the tables of the retention plan and the erasure.
func (res *results) laterMarkdown(w func(format string, args ...any)) {
	var plans, erasures bool
	for _, r := range res.Runs {
		_, p := laterOf[planResult](r, "retention-plan")
		_, e := laterOf[eraseResult](r, "erasure")
		plans, erasures = plans || p, erasures || e
	}
	if plans {
		w("### Retention plan: kluis (`EachRetentionFacts` + `retention.Plan` + `Due`, in process) vs. a raw SQL scan of the same columns\n\n")
		w("Goal: 1M candidates in ≤ 10 s, i.e. ≥ 100,000 candidates/s. Fastest of %d, kluis and bare alternating (all in results.json). `kluis cleanup plan` is the command, timed once from process start to exit.\n\n", planReps)
		w("| data set | candidates | due today | kluis s | bare s | kluis ÷ bare | kluis cand./s | bare cand./s | 1M at kluis's rate | goal | `kluis cleanup plan` s | profile |\n")
		w("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range res.Runs {
			p, ok := laterOf[planResult](r, "retention-plan")
			if !ok {
				continue
			}
			at1M := 1e6 / p.KluisPerSec
			mark := "✅"
			if at1M > 10 {
				mark = "❌"
			}
			if r.Size < 1_000_000 {
				mark = "(" + mark + ")"
			}
			prof := "—"
			if p.Profile != "" {
				prof = "[" + p.Profile + "](perf/" + p.Profile + ")"
			}
			w("| %s | %s | %s (%s) | %s | %s | ×%s | %s | %s | %s s | %s | %s | %s |\n", runLabel(r), num(float64(p.Candidates)), num(float64(p.Due)),
				pct(float64(p.Due), float64(p.Candidates)), num(p.KluisSeconds), num(p.BareSeconds), num(round(p.KluisSeconds/p.BareSeconds, 1)),
				num(p.KluisPerSec), num(p.BarePerSec), num(round(at1M, 1)), mark, num(p.CLISeconds), prof)
		}
		w("\n")
	}
	if erasures {
		w("### Erasure: a clean-up run of every candidate due today (kluis) vs. raw SQL `DELETE`s of the same candidates' rows\n\n")
		w("Goal: ≥ 2,000 candidates/s. kluis: `StartCleanupRun` with the candidates' ids, then `cleanup.Runner.Run` (the run's pending candidates taken 200 at a time, erased in transactions of 50 with their erasure records and audit entries; document contents and subject keys per 200; SQLite's log checkpointed; a sample verified after its batch), in process, on one copy of the data set. Bare: `DELETE … WHERE candidate_id IN (…)` per table, children first, 200 candidates a transaction, on another copy. \"kluis s\" is all of it; \"erase\" is kluis until its last batch, without the final checkpoint (the verification, which runs between batches, included); \"verify\" is the verification of the sample (every table, the database file and the documents searched for the sample's identifiers: its cost grows with the data set, not with the candidates erased). kluis cand./s and the ratio leave the verification out.\n\n")
		w("| data set | erased | complete / partial | kluis s (erase; verify) | bare s | kluis ÷ bare | kluis cand./s | bare cand./s | goal | verified (residue) | profile |\n")
		w("|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range res.Runs {
			e, ok := laterOf[eraseResult](r, "erasure")
			if !ok {
				continue
			}
			mark := "✅"
			if e.KluisPerSec < 2000 {
				mark = "❌"
			}
			prof := "—"
			if e.Profile != "" {
				prof = "[" + e.Profile + "](perf/" + e.Profile + ")"
			}
			verify := "—" // runs before the verification was timed apart
			if e.VerifySeconds > 0 {
				verify = num(e.VerifySeconds)
			}
			w("| %s | %s of %s due | %s / %s | %s (%s; %s) | %s | ×%s | %s | %s | %s | %d (%d) | %s |\n", runLabel(r), num(float64(e.Erased)), num(float64(e.Due)),
				num(float64(e.Complete)), num(float64(e.Partial)), num(e.KluisSeconds), num(e.KluisEraseSeconds), verify, num(e.BareSeconds),
				num(round((e.KluisSeconds-e.VerifySeconds)/e.BareSeconds, 1)), num(e.KluisPerSec), num(e.BarePerSec), mark, e.Verified, e.Residue, prof)
		}
		w("\n")
	}
}
