// Package vault keeps each data subject's own encryption key, wrapped by a
// master key, apart from the data, so that destroying the key makes every
// copy of the subject's encrypted data unreadable (crypto-shredding).
//
// The sensitive categories of a subject (BSN, IBAN, ID document, photo,
// documents, free-text notes) are sealed with the subject's key: short
// values with SubjectKey.Seal, files with SubjectKey.EncryptWriter. Erasure
// calls Vault.Destroy, after which every copy of that data — in backups,
// replicas, old pages of the data database — is noise.
//
// Where the keys live: a SQLite file of their own (never the data file: a
// restored data backup must not bring the keys back), or the schema
// kluis_keys of a PostgreSQL database, the data's or another. Each subject
// key is stored wrapped (AES-256-GCM) under a master key that is kept
// outside every database, in a file only its owner can read.
//
// What a Destroy leaves behind: on SQLite nothing in the files —
// secure_delete overwrites the deleted row, and the write-ahead log is
// checkpointed and truncated (what the file system or an SSD keeps of
// freed blocks is below SQLite, and is why the wrapping matters). PostgreSQL has no secure delete: the wrapped key stays in dead
// row versions until VACUUM reuses their space, in the server's WAL and in
// backups of the keys database. It is useless without the master key, and
// is made useless for good by rotating the master (Rotate) and retiring
// the old one; a retention schedule that shreds keys should rotate the
// master periodically for that reason.
//
// Caching: a process keeps up to Options.Cache unwrapped keys for at most
// Options.TTL. A Destroy in the same process takes effect at once; a
// Destroy by another process (another kluis serve behind the same load
// balancer) takes effect here within the TTL.
//
// Rotation: start every process with the new master as the current one and
// the old one added with AddMasterKey (the order does not matter while
// both are known), run Rotate, check with KeysByMaster that no key is left
// under the old master, then retire the old master file.
package vault

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"kluis/internal/litefile"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Options tune a Vault; the zero value is the production setting.
type Options struct {
	// Cache is how many unwrapped keys are kept in memory, least recently
	// used out first: 0 means 10,000, a negative number turns caching off.
	Cache int
	// TTL is how long an unwrapped key is kept at most: 0 means one
	// minute. It bounds how long a key shredded by another process can
	// still be used by this one.
	TTL time.Duration
	// Clock tells the time (tests inject one); nil is time.Now.
	Clock func() time.Time
}

const (
	defaultCache = 10_000
	defaultTTL   = time.Minute
)

// Vault is the store of subject keys. It is safe for concurrent use, and
// several processes may share one keys database.
type Vault struct {
	pg    bool
	w, r  *sql.DB // SQLite: one writer connection and a reader pool; PostgreSQL: one pool
	clock func() time.Time
	cache *keyCache
	// Table names, schema-qualified on PostgreSQL.
	keysT, shreddedT, schemaT string

	mu      sync.RWMutex
	current *MasterKey            // wraps new keys
	masters map[string]*MasterKey // by ID: every master keys may be wrapped under
}

// Open connects to the keys database dsn: "postgres://…" or
// "postgresql://…" selects PostgreSQL (keys in schema kluis_keys, created
// if missing, which needs the CREATE privilege on the database), anything
// else is the path of a SQLite file of its own (created if missing, with
// mode 0600). master wraps new keys; older masters are added with
// AddMasterKey.
func Open(ctx context.Context, dsn string, master *MasterKey, opt Options) (*Vault, error) {
	if master == nil || master.wrap == nil {
		return nil, errors.New("vault: open needs a master key (LoadMasterKey)")
	}
	if opt.Cache == 0 {
		opt.Cache = defaultCache
	}
	if opt.TTL <= 0 {
		opt.TTL = defaultTTL
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	v := &Vault{clock: opt.Clock, cache: newKeyCache(max(opt.Cache, 0), opt.TTL, opt.Clock),
		current: master, masters: map[string]*MasterKey{master.ID: master}}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		v.pg = true
		v.keysT, v.shreddedT, v.schemaT = "kluis_keys.subject_keys", "kluis_keys.shredded", "kluis_keys.vault_schema"
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("vault: open postgres: %w", err)
		}
		p.SetMaxOpenConns(10)
		p.SetMaxIdleConns(10)
		p.SetConnMaxIdleTime(5 * time.Minute)
		v.w, v.r = p, p
	} else {
		v.keysT, v.shreddedT, v.schemaT = "subject_keys", "shredded", "vault_schema"
		if err := v.openSQLite(ctx, dsn); err != nil {
			return nil, err
		}
	}
	if err := v.w.PingContext(ctx); err != nil {
		v.Close()
		return nil, fmt.Errorf("vault: connect to keys database: %w", err)
	}
	if err := v.migrate(ctx); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

func (v *Vault) openSQLite(ctx context.Context, dsn string) error {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
	if path == "" {
		return errors.New("vault: no keys database given")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("vault: create keys database directory: %w", err)
	}
	// Create the file owner-only before SQLite does: SQLite gives its -wal
	// and -shm files the database file's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) // #nosec G304 -- the key store file the operator configures
	if err != nil {
		return fmt.Errorf("vault: create keys database: %w", err)
	}
	f.Close()
	if err := litefile.UseWAL(ctx, path, 10*time.Second); err != nil {
		return fmt.Errorf("vault: open sqlite: write-ahead log: %w", err)
	}
	q := litefile.URI(path) + "?_time_format=sqlite" +
		"&_pragma=busy_timeout(10000)" +
		// secure_delete overwrites deleted rows with zeros, so a
		// destroyed key leaves no bytes in the file.
		"&_pragma=secure_delete(1)" +
		// A WAL reset truncates the file, so frames that held a destroyed
		// key do not linger in it.
		"&_pragma=journal_size_limit(0)" +
		// FULL, not NORMAL: a key lost to a power cut after its commit
		// would make data already sealed under it unreadable for good,
		// and a destroyed key must not come back.
		"&_pragma=synchronous(FULL)"
	w, err := sql.Open("sqlite", q+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("vault: open sqlite: %w", err)
	}
	// One writer: SQLite takes one at a time, and queueing them in Go
	// avoids busy errors.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", q+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("vault: open sqlite: %w", err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	r.SetConnMaxIdleTime(0)
	v.w, v.r = w, r
	return nil
}

// Close closes the database connections and forgets the cached keys.
func (v *Vault) Close() error {
	v.cache.clear()
	err := v.w.Close()
	if v.r != v.w {
		err = errors.Join(err, v.r.Close())
	}
	return err
}

// AddMasterKey makes keys wrapped under m readable, for a rotation from m
// (or to m) under way in this or another process. New keys stay wrapped
// under the master Open was given.
func (v *Vault) AddMasterKey(m *MasterKey) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.masters[m.ID]; !ok {
		v.masters[m.ID] = m
	}
}

func (v *Vault) currentMaster() *MasterKey {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.current
}

func (v *Vault) master(id string) *MasterKey {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.masters[id]
}

// now is the clock's time in UTC at microsecond precision, what
// PostgreSQL keeps.
func (v *Vault) now() time.Time { return v.clock().UTC().Truncate(time.Microsecond) }

// update runs fn in one write transaction. On PostgreSQL it is READ
// COMMITTED whatever the server's default, which Create and Destroy rely
// on (each statement sees what committed before it).
func (v *Vault) update(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var opt *sql.TxOptions
	if v.pg {
		opt = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	tx, err := v.w.BeginTx(ctx, opt)
	if err != nil {
		return fmt.Errorf("vault: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("vault: commit: %w", err)
	}
	return nil
}

// newWrappedKey makes a random subject key and returns it wrapped under m;
// the raw key does not outlive the call.
func newWrappedKey(m *MasterKey, tenant, subject int64) ([]byte, error) {
	raw := make([]byte, subjectKeySize)
	defer clear(raw)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	return m.wrapKey(tenant, subject, raw)
}

func shreddedError(tenant, subject int64) error {
	return fmt.Errorf("%w: subject %d of tenant %d", ErrShredded, subject, tenant)
}

// Create gives the subject a new random key. A subject that has one keeps
// it (Create is idempotent); a subject whose key was destroyed gets none
// (ErrShredded), since data sealed afresh for an erased subject would
// undo the erasure.
func (v *Vault) Create(ctx context.Context, tenant, subject int64) error {
	m := v.currentMaster()
	wrapped, err := newWrappedKey(m, tenant, subject)
	if err != nil {
		return err
	}
	return v.update(ctx, func(tx *sql.Tx) error {
		// Insert first, then look for a tombstone: see Destroy for why
		// this order makes a racing Create and Destroy safe.
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+v.keysT+" (tenant_id, subject_id, master_id, wrapped, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, subject_id) DO NOTHING", // #nosec G202 -- the key store's table name is fixed at Open; values are parameters
			tenant, subject, m.ID, wrapped, v.now()); err != nil {
			return fmt.Errorf("vault: create key: %w", err)
		}
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM "+v.shreddedT+" WHERE tenant_id = $1 AND subject_id = $2", tenant, subject).Scan(&one)
		switch {
		case err == nil:
			return shreddedError(tenant, subject)
		case errors.Is(err, sql.ErrNoRows):
			return nil
		default:
			return fmt.Errorf("vault: create key: %w", err)
		}
	})
}

// createRowsPerStatement keeps a multi-row INSERT at 2,500 parameters, far
// below both databases' limits.
const createRowsPerStatement = 500

// CreateMany gives each subject of a bulk load a key, in one transaction
// with multi-row INSERTs. Subjects that have a key keep it. If any subject
// was shredded nothing is created and the error is ErrShredded: a bulk
// load that brings back an erased person is a mistake to stop at.
func (v *Vault) CreateMany(ctx context.Context, tenant int64, subjects []int64) error {
	subjects = slices.Compact(slices.Sorted(slices.Values(subjects)))
	if len(subjects) == 0 {
		return nil
	}
	m := v.currentMaster()
	now := v.now()
	args := make([]any, 0, 5*len(subjects))
	for _, s := range subjects {
		wrapped, err := newWrappedKey(m, tenant, s)
		if err != nil {
			return err
		}
		args = append(args, tenant, s, m.ID, wrapped, now)
	}
	return v.update(ctx, func(tx *sql.Tx) error {
		var full *sql.Stmt
		for len(args) > 0 {
			n := min(createRowsPerStatement, len(args)/5)
			var err error
			if n == createRowsPerStatement {
				if full == nil {
					if full, err = tx.PrepareContext(ctx, v.insertKeysSQL(n)); err != nil {
						return fmt.Errorf("vault: create keys: %w", err)
					}
					defer full.Close()
				}
				_, err = full.ExecContext(ctx, args[:5*n]...)
			} else {
				_, err = tx.ExecContext(ctx, v.insertKeysSQL(n), args[:5*n]...)
			}
			if err != nil {
				return fmt.Errorf("vault: create keys: %w", err)
			}
			args = args[5*n:]
		}
		// A key next to a tombstone can only be one inserted just now.
		var shredded int64
		err := tx.QueryRowContext(ctx, "SELECT s.subject_id FROM "+v.shreddedT+" s JOIN "+v.keysT+
			" k ON k.tenant_id = s.tenant_id AND k.subject_id = s.subject_id WHERE s.tenant_id = $1 LIMIT 1", tenant).Scan(&shredded)
		switch {
		case err == nil:
			return shreddedError(tenant, shredded)
		case errors.Is(err, sql.ErrNoRows):
			return nil
		default:
			return fmt.Errorf("vault: create keys: %w", err)
		}
	})
}

func (v *Vault) insertKeysSQL(rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + v.keysT + " (tenant_id, subject_id, master_id, wrapped, created_at) VALUES ")
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		if v.pg {
			p := 5*i + 1
			b.WriteString("($" + strconv.Itoa(p) + ", $" + strconv.Itoa(p+1) + ", $" + strconv.Itoa(p+2) + ", $" + strconv.Itoa(p+3) + ", $" + strconv.Itoa(p+4) + ")")
		} else {
			// modernc's SQLite looks numbered parameters up by name,
			// which makes a long statement quadratic; "?" binds by
			// position.
			b.WriteString("(?, ?, ?, ?, ?)")
		}
	}
	b.WriteString(" ON CONFLICT (tenant_id, subject_id) DO NOTHING")
	return b.String()
}

// Key returns the subject's key: ErrShredded when it was destroyed,
// ErrNoKey when it was never created, ErrDecrypt when it is wrapped under a
// master this vault does not know or was tampered with.
func (v *Vault) Key(ctx context.Context, tenant, subject int64) (*SubjectKey, error) {
	id := subjectID{tenant, subject}
	if k := v.cache.get(id); k != nil {
		return k, nil
	}
	gen, loaded := v.cache.generation(), v.clock()
	var masterID string
	var wrapped []byte
	err := v.r.QueryRowContext(ctx, "SELECT master_id, wrapped FROM "+v.keysT+" WHERE tenant_id = $1 AND subject_id = $2", tenant, subject).
		Scan(&masterID, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		var one int
		err = v.r.QueryRowContext(ctx, "SELECT 1 FROM "+v.shreddedT+" WHERE tenant_id = $1 AND subject_id = $2", tenant, subject).Scan(&one)
		switch {
		case err == nil:
			return nil, shreddedError(tenant, subject)
		case errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("%w: subject %d of tenant %d", ErrNoKey, subject, tenant)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("vault: read key: %w", err)
	}
	m := v.master(masterID)
	if m == nil {
		return nil, fmt.Errorf("%w: the key of subject %d of tenant %d is wrapped under master key %s, which this process was not given (AddMasterKey)",
			ErrDecrypt, subject, tenant, masterID)
	}
	raw, err := m.unwrapKey(tenant, subject, wrapped)
	if err != nil {
		return nil, err
	}
	k, err := newSubjectKey(raw)
	clear(raw)
	if err != nil {
		return nil, err
	}
	v.cache.put(id, k, loaded, gen)
	return k, nil
}

// Destroy shreds the subject's key: it deletes the wrapped key, leaves a
// tombstone (no key material, only that and when) so that the key is not
// created again, and evicts it from this process's cache. Destroying a
// subject twice, or one that never had a key, is not an error.
func (v *Vault) Destroy(ctx context.Context, tenant, subject int64) error {
	return v.DestroyMany(ctx, tenant, []int64{subject})
}

// destroyChunk is how many subjects' keys DestroyMany shreds with one set
// of statements (4 + 1 parameters each, well under both databases' limits).
const destroyChunk = 500

// DestroyMany shreds the keys of many subjects of one tenant in one
// transaction, as Destroy does one: the clean-up erases thousands at a
// time, and one commit (and on SQLite one checkpoint) for all of them is
// what makes that fast.
func (v *Vault) DestroyMany(ctx context.Context, tenant int64, subjects []int64) error {
	if len(subjects) == 0 {
		return nil
	}
	now := v.now()
	// In order, so that two of them lock the same keys in the same order.
	sorted := slices.Clone(subjects)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	err := v.update(ctx, func(tx *sql.Tx) error {
		for len(sorted) > 0 {
			chunk := sorted[:min(len(sorted), destroyChunk)]
			sorted = sorted[len(chunk):]
			// On PostgreSQL a DELETE does not see, and does not wait
			// for, a key another transaction is inserting, which could
			// then commit after the tombstone check of its Create and
			// outlive this Destroy. An INSERT of the same primary key
			// does wait for it, so a placeholder row goes in first; the
			// DELETE then removes whichever row is there. A Create that
			// starts later waits for this transaction in its INSERT and
			// then finds the tombstone. (SQLite has one writer at a
			// time: there is no race there.) Three statements for a
			// chunk of subjects, not three for each: on PostgreSQL
			// every statement is a round trip.
			// rows writes one row per subject: the subject is $from+i,
			// the other columns are in row.
			rows := func(row string, from int) (string, []any) {
				parts := make([]string, len(chunk))
				args := make([]any, len(chunk))
				for i, subject := range chunk {
					parts[i] = strings.Replace(row, "$S", "$"+strconv.Itoa(from+i), 1)
					args[i] = subject
				}
				return strings.Join(parts, ", "), args
			}
			keyRows, subjects := rows("($1, $S, '', $2, $3)", 4)
			if _, err := tx.ExecContext(ctx, "INSERT INTO "+v.keysT+" (tenant_id, subject_id, master_id, wrapped, created_at) VALUES "+keyRows+" ON CONFLICT (tenant_id, subject_id) DO NOTHING", // #nosec G202 -- the key store's table name is fixed at Open; values are parameters
				append([]any{tenant, []byte{0}, now}, subjects...)...); err != nil {
				return fmt.Errorf("vault: destroy keys: %w", err)
			}
			in, _ := rows("$S", 2)
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+v.keysT+" WHERE tenant_id = $1 AND subject_id IN ("+in+")", // #nosec G202 -- the key store's table name is fixed at Open; values are parameters
				append([]any{tenant}, subjects...)...); err != nil {
				return fmt.Errorf("vault: destroy keys: %w", err)
			}
			tombstones, _ := rows("($1, $S, $2)", 3)
			if _, err := tx.ExecContext(ctx, "INSERT INTO "+v.shreddedT+" (tenant_id, subject_id, shredded_at) VALUES "+tombstones+" ON CONFLICT (tenant_id, subject_id) DO NOTHING", // #nosec G202 -- the key store's table name is fixed at Open; values are parameters
				append([]any{tenant, now}, subjects...)...); err != nil {
				return fmt.Errorf("vault: record shredding: %w", err)
			}
		}
		return nil
	})
	// After the commit, so that a Key reading the row before it cannot
	// cache the key after the eviction (see keyCache.gen).
	for _, subject := range subjects {
		v.cache.evict(subjectID{tenant, subject})
	}
	if err != nil {
		return err
	}
	if !v.pg {
		v.truncateWAL(ctx)
	}
	return nil
}

// truncateWAL copies the write-ahead log into the database file and
// empties it: secure_delete zeroed the destroyed row in the page, but the
// log still holds the frames that wrote the key. It is best effort: a
// reader that holds the log open makes the checkpoint partial, and then
// the log is emptied at its next reset (journal_size_limit is 0), as soon
// as the readers let go. The shred itself has committed either way.
func (v *Vault) truncateWAL(ctx context.Context) {
	var busy, logFrames, checkpointed int
	_ = v.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
}

// EachShredded calls fn with the subjects of a tenant whose keys were
// shredded, in order, a thousand at a time: the record, apart from the
// data, of who was erased — a restored data backup cannot bring them back.
func (v *Vault) EachShredded(ctx context.Context, tenant int64, fn func(subjects []int64) error) error {
	var after int64 = -1 << 63
	for {
		rows, err := v.r.QueryContext(ctx, "SELECT subject_id FROM "+v.shreddedT+" WHERE tenant_id = $1 AND subject_id > $2 ORDER BY subject_id LIMIT 1000", tenant, after) // #nosec G202 -- the key store's table name is fixed at Open; values are parameters
		if err != nil {
			return fmt.Errorf("vault: shredded subjects: %w", err)
		}
		var page []int64
		for rows.Next() {
			var s int64
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return err
			}
			page = append(page, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1]
	}
}

// Count returns how many subjects have a key and how many were shredded.
func (v *Vault) Count(ctx context.Context) (keys, shredded int, err error) {
	if err := v.r.QueryRowContext(ctx, "SELECT count(*) FROM "+v.keysT).Scan(&keys); err != nil {
		return 0, 0, fmt.Errorf("vault: count keys: %w", err)
	}
	if err := v.r.QueryRowContext(ctx, "SELECT count(*) FROM "+v.shreddedT).Scan(&shredded); err != nil {
		return 0, 0, fmt.Errorf("vault: count shredded: %w", err)
	}
	return keys, shredded, nil
}

// KeysByMaster counts the keys wrapped under each master, by master ID: an
// old master may be retired once it has no keys left.
func (v *Vault) KeysByMaster(ctx context.Context) (map[string]int, error) {
	rows, err := v.r.QueryContext(ctx, "SELECT master_id, count(*) FROM "+v.keysT+" GROUP BY master_id") // #nosec G202 -- the key store's table name is fixed at Open
	if err != nil {
		return nil, fmt.Errorf("vault: count keys by master: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		counts[id] = n
	}
	return counts, rows.Err()
}
