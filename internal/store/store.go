// Package store keeps kluis's records in SQLite or PostgreSQL. Each public
// method is one service call: it validates, runs in one transaction and
// returns domain errors; lowercase helpers take the transaction.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"kluis/internal/blob"
	"kluis/internal/kluis"
	"kluis/internal/litefile"
	"kluis/internal/vault"
)

// Dialect names the database kind behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is kluis's storage. With SQLite it holds one writer connection and a
// pool of readers (SQLite allows one writer at a time; queuing writers in Go
// avoids busy errors). With PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	w       *sql.DB
	r       *sql.DB
	// rc reads single statements outside a transaction; on SQLite with
	// statements prepared once per connection (pgx caches its own).
	rc    querier
	rs    *dbStmts
	ws    *dbStmts // SQLite: statements prepared on the writer connection
	clock kluis.Clock
	ids   *kluis.IDGen
	blobs blob.Store
	vault *vault.Vault
	// dsn is the PostgreSQL address, for the migrations' own connection.
	dsn *url.URL
	// stale is how long a background job may go without a sign of life
	// before another process takes it over; 0 means StaleHeartbeat.
	stale time.Duration
}

// SetStaleAfter sets how long a clean-up run or a sending of the privacy
// statement may go without a sign of life before it counts as abandoned
// and a starting process takes it over (default StaleHeartbeat). Shorter
// is only right where one process serves the database, as in tests that
// kill it on purpose.
func (db *DB) SetStaleAfter(d time.Duration) { db.stale = d }

// staleBefore is the moment before which a job's last sign of life means
// that its process is gone.
func (db *DB) staleBefore() time.Time {
	d := db.stale
	if d <= 0 {
		d = StaleHeartbeat
	}
	return db.now().Add(-d)
}

// Options are what a DB needs besides its address.
type Options struct {
	Clock kluis.Clock
	Blobs blob.Store
	// Vault holds the subjects' keys. Without one, the store still serves
	// everything that holds no sensitive data (agencies, users, tokens),
	// and refuses the rest.
	Vault *vault.Vault
}

// Open connects to dsn: "postgres://…" or "postgresql://…" selects
// PostgreSQL, anything else is a path to a SQLite file (created if missing).
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.Clock == nil {
		opt.Clock = kluis.SystemClock{}
	}
	db := &DB{clock: opt.Clock, ids: kluis.NewIDGen(opt.Clock), blobs: opt.Blobs, vault: opt.Vault}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db.Dialect = Postgres
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, errors.New("open postgres: the address is not a URL")
		}
		db.dsn = u
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		p.SetMaxOpenConns(20)
		p.SetMaxIdleConns(20)
		p.SetConnMaxIdleTime(5 * time.Minute)
		db.w, db.r = p, p
	} else {
		db.Dialect = SQLite
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		// Created readable by its owner only; SQLite gives its log files
		// the same mode.
		if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err != nil { // #nosec G304 -- the database file the operator configures
			return nil, fmt.Errorf("create database file: %w", err)
		} else {
			f.Close()
		}
		q := url.Values{}
		if err := litefile.UseWAL(ctx, path, 10*time.Second); err != nil {
			return nil, fmt.Errorf("open sqlite: write-ahead log: %w", err)
		}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		// Deleted and overwritten values are zeroed in the file, not left
		// in free pages where a copy of the file would still carry them.
		q.Add("_pragma", "secure_delete(1)")
		q.Set("_time_format", "sqlite")
		q.Set("_txlock", "immediate")
		w, err := sql.Open("sqlite", SQLiteURI(path)+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxIdleTime(0)
		q.Set("_txlock", "deferred")
		q.Add("_pragma", "query_only(1)")
		r, err := sql.Open("sqlite", SQLiteURI(path)+"?"+q.Encode())
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		r.SetMaxOpenConns(max(4, runtime.NumCPU()))
		r.SetConnMaxIdleTime(0)
		db.w, db.r = w, r
	}
	db.rc = db.r
	if db.Dialect == SQLite {
		db.rs = newDBStmts(db.r)
		db.rc = db.rs
		db.ws = newDBStmts(db.w)
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.Dialect, err)
	}
	return db, nil
}

// Close closes the connections.
func (db *DB) Close() error {
	if db.rs != nil {
		db.rs.close()
	}
	if db.ws != nil {
		db.ws.close()
	}
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Blobs returns the blob store documents are kept in.
func (db *DB) Blobs() blob.Store { return db.blobs }

// Ping checks the database answers, for readiness probes.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// now is the clock's time, in UTC at microsecond precision so that what is
// written compares equal with what PostgreSQL gives back.
// Now is the store's clock, for callers that act on its dates.
func (db *DB) Now() time.Time { return db.now() }

// Clock is the clock the store tells the time by.
func (db *DB) Clock() kluis.Clock { return db.clock }

func (db *DB) now() time.Time { return db.clock.Now().UTC().Truncate(time.Microsecond) }

func (db *DB) today() kluis.Date { return kluis.DateOf(db.clock.Now()) }

// tenancy is what a transaction may see and write on PostgreSQL, where
// row-level security holds every table with a tenant_id to it
// (migration 00034, docs/SECURITY.md): one agency's rows (forAgency), or every
// agency's (acrossAgencies). The zero value sees nothing. SQLite has no
// row-level security and ignores it.
type tenancy string

// forAgency is the tenancy of work for one agency: every call made for an
// actor, or for an agency a background job is busy with.
func forAgency(id kluis.ID) tenancy { return tenancy(strconv.FormatInt(id, 10)) }

// acrossAgencies is the tenancy of work that must see every agency's rows:
// the one way past the wall, so that each use can be found by its name and
// reviewed. Keep the list short; its callers, and why:
//
//   - the maintenance round (through agencyOrEvery(0): unfinished clean-up
//     runs and statement sendings, expired breaches) and ResumeErasures:
//     they find what is due in every agency, then work per agency;
//   - the outbox worker's ClaimMail: it takes the due mail of every agency;
//   - log-in and every look-up by a secret from a cookie, a header or a
//     link (sessions, log-in challenges, API tokens, SSO log-ins, portal
//     and consent links) and LoginCandidates (by e-mail): the agency is
//     what they look for;
//   - Figures (counts over all agencies, for /metrics);
//   - the residue scan of verify-erasure: a trace may be anywhere;
//   - DemoUsersExist: the published demo accounts in any agency;
//   - migrations (Migrate: a connection of their own, for the session).
func acrossAgencies() tenancy { return "all" }

// agencyOrEvery is the tenancy of the maintenance round's calls, which
// take one agency, or 0 for every agency.
func agencyOrEvery(tenant kluis.ID) tenancy {
	if tenant == 0 {
		return acrossAgencies()
	}
	return forAgency(tenant)
}

// setTenancy makes t the tenancy of the transaction tx on PostgreSQL: the
// first statement of every transaction. It is transaction-local, so a
// connection goes back to the pool carrying nothing.
func (db *DB) setTenancy(ctx context.Context, tx *sql.Tx, t tenancy) error {
	if db.Dialect != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT set_config('kluis.tenant', $1, true)", string(t)); err != nil {
		return fmt.Errorf("set tenancy: %w", err)
	}
	return nil
}

// update runs fn in a write transaction for t and commits when it returns
// nil.
func (db *DB) update(ctx context.Context, t tenancy, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(fmt.Errorf("begin: %w", err))
	}
	if err := db.setTenancy(ctx, tx, t); err != nil {
		_ = tx.Rollback()
		return classify(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return classify(err)
	}
	if err := tx.Commit(); err != nil {
		return classify(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// view runs fn in a read-only transaction for t, so that it sees one
// snapshot.
func (db *DB) view(ctx context.Context, t tenancy, fn func(tx *sql.Tx) error) error {
	if s := db.snapshotIn(ctx, t); s != nil {
		return classify(fn(s))
	}
	return db.readTx(ctx, t, &sql.TxOptions{ReadOnly: db.Dialect == Postgres}, fn)
}

// readTx runs fn in a transaction of the reader pool with opts, for t, and
// rolls it back after.
func (db *DB) readTx(ctx context.Context, t tenancy, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	tx, err := db.r.BeginTx(ctx, opts)
	if err != nil {
		return classify(fmt.Errorf("begin: %w", err))
	}
	defer tx.Rollback()
	if err := db.setTenancy(ctx, tx, t); err != nil {
		return classify(err)
	}
	return classify(fn(tx))
}

// snapshotKey marks a context that carries a Snapshot's transaction.
type snapshotKey struct{}

// snapshot is the read transaction of a Snapshot: its database and
// tenancy, so that only reads of the same agency in the same database join it.
type snapshot struct {
	db *DB
	t  tenancy
	tx *sql.Tx
}

// Snapshot runs fn with a context in which every read of a's agency
// through db — each store call that would begin a read transaction of its
// own, or read outside one — comes from one read-only transaction: fn sees
// one state of the database, and on PostgreSQL pays for the transaction
// and the agency's setting once instead of once per call. It is for work
// that gathers many things about one subject (a candidate's record card);
// fn must not use the context from other goroutines, and writes in it go
// their own way and are not seen by its reads.
func (db *DB) Snapshot(ctx context.Context, a kluis.Actor, fn func(ctx context.Context) error) error {
	t := forAgency(a.TenantID)
	if db.snapshotIn(ctx, t) != nil {
		return fn(ctx)
	}
	// PostgreSQL's transactions read committed by default: each statement
	// sees what was committed before it began. A snapshot is one state, so
	// it repeats its reads; SQLite's read transaction in WAL mode is one
	// state already.
	opts := &sql.TxOptions{}
	if db.Dialect == Postgres {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return db.readTx(ctx, t, opts, func(tx *sql.Tx) error {
		return fn(context.WithValue(ctx, snapshotKey{}, &snapshot{db: db, t: t, tx: tx}))
	})
}

// snapshotIn returns the transaction of the Snapshot ctx carries, if it is
// db's and for t.
func (db *DB) snapshotIn(ctx context.Context, t tenancy) *sql.Tx {
	s, _ := ctx.Value(snapshotKey{}).(*snapshot)
	if s == nil || s.db != db || s.t != t {
		return nil
	}
	return s.tx
}

// reader returns what reads outside a transaction go to, and done, to be
// called when they are over: on SQLite the reader pool (r) and its
// statements prepared once per connection (rc), as before; on PostgreSQL,
// both, a read-only transaction for t on a connection of its own, since
// the tenancy lives in a transaction. There a lone statement costs two
// round trips more (BEGIN with the setting, ROLLBACK); a function that
// reads several times reads them all from one transaction (and a
// Snapshot, many functions). db.r, db.rc and db.w are used
// directly only for what holds no agency's rows: the tenants table, the
// catalogue, SQLite's pragmas and backups.
func (db *DB) reader(ctx context.Context, t tenancy) (r, rc querier, done func(), err error) {
	if s := db.snapshotIn(ctx, t); s != nil {
		return s, s, func() {}, nil
	}
	if db.Dialect != Postgres {
		return db.r, db.rc, func() {}, nil
	}
	begin, err := beginReadSQL(t)
	if err != nil {
		return nil, nil, nil, err
	}
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return nil, nil, nil, classify(fmt.Errorf("connect: %w", err))
	}
	// The transaction and the agency's setting in one message, one round
	// trip instead of two (the simple protocol runs several statements;
	// database/sql's BeginTx sends BEGIN alone).
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		endRead(conn)
		return nil, nil, nil, classify(fmt.Errorf("begin: %w", err))
	}
	return conn, conn, func() { endRead(conn) }, nil
}

// beginReadSQL is what reader sends to begin a read-only transaction for
// t on PostgreSQL. The tenancy is written into the text, so it is checked
// to be what forAgency and acrossAgencies make: digits, or "all".
func beginReadSQL(t tenancy) (string, error) {
	if t != acrossAgencies() {
		if _, err := strconv.ParseUint(string(t), 10, 64); err != nil {
			return "", fmt.Errorf("begin: not a tenancy: %q", string(t))
		}
	}
	return "BEGIN READ ONLY; SELECT set_config('kluis.tenant', '" + string(t) + "', true)", nil
}

// endRead ends reader's transaction on conn and gives the connection back
// to the pool. database/sql does not know of the transaction, so a
// connection whose ROLLBACK fails (its context was cancelled mid-read, or
// the server went away) is closed instead of reused: the next reader
// would otherwise find the transaction, and the agency, of this one. (The
// pgx driver, too, closes a connection it finds in a transaction when it
// is taken from the pool again; this keeps the good ones.)
func endRead(conn *sql.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = conn.Close()
}

// BypassesRowSecurity reports whether the database role kluis connects as
// passes by row-level security: a superuser, or a role with BYPASSRLS, to
// whom PostgreSQL does not apply the tenant policies. SQLite has none.
func (db *DB) BypassesRowSecurity(ctx context.Context) (bool, error) {
	if db.Dialect != Postgres {
		return false, nil
	}
	var by bool
	err := db.r.QueryRowContext(ctx, "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&by)
	if err != nil {
		return false, fmt.Errorf("read the database role: %w", err)
	}
	return by, nil
}

// AutovacuumOff reports whether the PostgreSQL server kluis uses runs
// without autovacuum. Then nothing reclaims the space of deleted rows —
// an erased candidate's names stay in the table files until someone runs
// VACUUM — and no scan is index-only, so that every search counts its
// matches from the table (docs/OPERATIONS.md). SQLite has none: kluis
// runs it with secure_delete.
func (db *DB) AutovacuumOff(ctx context.Context) (bool, error) {
	if db.Dialect != Postgres {
		return false, nil
	}
	var on string
	if err := db.r.QueryRowContext(ctx, "SHOW autovacuum").Scan(&on); err != nil {
		return false, fmt.Errorf("read the autovacuum setting: %w", err)
	}
	return on == "off", nil
}

// readOne runs fn with a reader for t (see reader).
func (db *DB) readOne(ctx context.Context, t tenancy, fn func(rd querier) error) error {
	rd, _, done, err := db.reader(ctx, t)
	if err != nil {
		return err
	}
	defer done()
	return classify(fn(rd))
}

// writeOne runs fn with what a lone write outside a transaction runs on:
// SQLite's writer as before; on PostgreSQL a transaction for t.
func (db *DB) writeOne(ctx context.Context, t tenancy, fn func(q querier) error) error {
	if db.Dialect != Postgres {
		return classify(fn(db.w))
	}
	return db.update(ctx, t, func(tx *sql.Tx) error { return fn(tx) })
}

// classify turns driver errors into domain errors by their codes, never by
// their text. Errors that are already domain errors pass through.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ke *kluis.Error
	if errors.As(err, &ke) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &kluis.Error{Code: kluis.EConflict, Message: msgTaken, Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &kluis.Error{Code: kluis.EConflict, Message: msgInUse, Err: err}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &kluis.Error{Code: kluis.EConflict, Message: msgTaken, Err: err}
		case "23503":
			// An insert or update that refers to a row that is gone (a
			// candidate erased while a document was being added), or a
			// delete of a row that others still refer to.
			if strings.HasPrefix(pe.Message, "insert or update") {
				return &kluis.Error{Code: kluis.ENotFound, Message: msgGone, Err: err}
			}
			return &kluis.Error{Code: kluis.EConflict, Message: msgInUse, Err: err}
		case "22021", "22P05":
			// A NUL byte, or a character the database cannot store, in a
			// value a user sent: SQLite takes it, PostgreSQL refuses text
			// with it. The user's input, not kluis, is at fault.
			return &kluis.Error{Code: kluis.EInvalid, Message: msgBadText, Err: err}
		case "22001", "54000":
			// A value longer than its column or than an index entry can be.
			return &kluis.Error{Code: kluis.EInvalid, Message: msgTooLong, Err: err}
		}
	}
	return err
}

// Classify is classify for the callers outside the store that answer with
// an error a store call returned: the one place that maps errors to HTTP
// answers passes every error through it, so that a driver error the input
// caused is a 400 and not a 500, whichever store path returned it.
func Classify(err error) error { return classify(err) }

var (
	msgTaken   = kluis.Msg{NL: "Deze waarde is al in gebruik.", EN: "This value is already in use."}
	msgGone    = kluis.Msg{NL: "Waar dit bij hoort, bestaat niet (meer).", EN: "What this belongs to does not exist (any more)."}
	msgBadText = kluis.Msg{NL: "De invoer bevat een teken dat niet kan worden opgeslagen (zoals een nul-byte).",
		EN: "The input holds a character that cannot be stored (such as a NUL byte)."}
	msgTooLong = kluis.Msg{NL: "De invoer is te lang.", EN: "The input is too long."}
	msgInUse   = kluis.Msg{
		NL: "Dit kan niet: er zijn nog gegevens die ernaar verwijzen.",
		EN: "This is not possible: other records still refer to it.",
	}
)

// SQLiteURI turns a file path into a SQLite file: URI. The characters that
// mean something in a URI are escaped, so that a directory named like
// "uitzend#2" or "a?b" is opened as itself and not cut short.
func SQLiteURI(path string) string { return litefile.URI(path) }
