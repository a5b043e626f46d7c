package vault

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"time"

	"kluis/internal/kluis"
	"kluis/internal/testdb"
)

// dialect names the database a keys store is on.
type dialect string

const (
	sqliteStore   dialect = "sqlite"
	postgresStore dialect = "postgres"
)

// keyStore is one fresh keys database for a test.
type keyStore struct {
	dialect dialect
	dsn     string
	dir     string
}

// eachStore runs fn on a fresh SQLite keys file and, when
// KLUIS_TEST_POSTGRES is set, on a fresh PostgreSQL database (skipped with
// a reason otherwise, and a failure under CI, as storetest decides).
func eachStore(t *testing.T, fn func(t *testing.T, s keyStore)) {
	t.Helper()
	for _, d := range []dialect{sqliteStore, postgresStore} {
		t.Run(string(d), func(t *testing.T) { fn(t, newKeyStore(t, d)) })
	}
}

func newKeyStore(t testing.TB, d dialect) keyStore {
	t.Helper()
	dir := t.TempDir()
	if d == sqliteStore {
		// Its own file, as in production: DATA/keys.db beside the data.
		return keyStore{dialect: d, dsn: filepath.Join(dir, "keys.db"), dir: dir}
	}
	return keyStore{dialect: d, dsn: testdb.Postgres(t), dir: dir}
}

// open opens a vault on the store with master as current and others known.
func (s keyStore) open(t testing.TB, opt Options, master *MasterKey, others ...*MasterKey) *Vault {
	t.Helper()
	v, err := Open(context.Background(), s.dsn, master, opt)
	if err != nil {
		t.Fatalf("open vault: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	for _, m := range others {
		v.AddMasterKey(m)
	}
	return v
}

func newTestMaster(t testing.TB) *MasterKey {
	t.Helper()
	raw := make([]byte, masterKeySize)
	rand.Read(raw)
	m, err := newMasterKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newTestSubjectKey(t testing.TB) *SubjectKey {
	t.Helper()
	raw := make([]byte, subjectKeySize)
	rand.Read(raw)
	k, err := newSubjectKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newTestClock() *kluis.FixedClock {
	return &kluis.FixedClock{T: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)}
}

func mustCreate(t testing.TB, v *Vault, tenant, subject int64) {
	t.Helper()
	if err := v.Create(context.Background(), tenant, subject); err != nil {
		t.Fatalf("create key %d/%d: %v", tenant, subject, err)
	}
}

func mustKey(t testing.TB, v *Vault, tenant, subject int64) *SubjectKey {
	t.Helper()
	k, err := v.Key(context.Background(), tenant, subject)
	if err != nil {
		t.Fatalf("key %d/%d: %v", tenant, subject, err)
	}
	return k
}

func mustSeal(t testing.TB, k *SubjectKey, plaintext, aad string) string {
	t.Helper()
	s, err := k.Seal(plaintext, aad)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wrappedOf reads a subject's wrapped key straight from the table.
func wrappedOf(t testing.TB, v *Vault, tenant, subject int64) []byte {
	t.Helper()
	var w []byte
	if err := v.w.QueryRowContext(context.Background(), "SELECT wrapped FROM "+v.keysT+" WHERE tenant_id = $1 AND subject_id = $2", tenant, subject).Scan(&w); err != nil {
		t.Fatalf("read wrapped key %d/%d: %v", tenant, subject, err)
	}
	return w
}
