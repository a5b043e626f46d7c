package vault

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSubjectKeys(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s keyStore) {
		master := newTestMaster(t)

		t.Run("a key survives closing and reopening the vault", func(t *testing.T) {
			v, err := Open(ctx, s.dsn, master, Options{})
			if err != nil {
				t.Fatal(err)
			}
			mustCreate(t, v, 1, 10)
			sealed := mustSeal(t, mustKey(t, v, 1, 10), "123456782", "candidates.bsn/1/10")
			v.Close()
			v = s.open(t, Options{}, master)
			if got, err := mustKey(t, v, 1, 10).Open(sealed, "candidates.bsn/1/10"); err != nil || got != "123456782" {
				t.Errorf("after reopening: %q, %v", got, err)
			}
		})

		v := s.open(t, Options{}, master)

		t.Run("creating a key twice keeps the first", func(t *testing.T) {
			mustCreate(t, v, 1, 11)
			sealed := mustSeal(t, mustKey(t, v, 1, 11), "x", "a")
			mustCreate(t, v, 1, 11)
			fresh := s.open(t, Options{}, master) // no cache
			if _, err := mustKey(t, fresh, 1, 11).Open(sealed, "a"); err != nil {
				t.Errorf("the key changed: %v", err)
			}
		})
		t.Run("a subject never given a key has none", func(t *testing.T) {
			if _, err := v.Key(ctx, 1, 999); !errors.Is(err, ErrNoKey) {
				t.Errorf("error = %v, want ErrNoKey", err)
			}
		})
		t.Run("subjects of different tenants have different keys", func(t *testing.T) {
			mustCreate(t, v, 2, 11)
			sealed := mustSeal(t, mustKey(t, v, 1, 11), "x", "a")
			if _, err := mustKey(t, v, 2, 11).Open(sealed, "a"); !errors.Is(err, ErrDecrypt) {
				t.Errorf("tenant 2's key opened tenant 1's value: %v", err)
			}
		})
		t.Run("another master cannot unwrap the keys", func(t *testing.T) {
			other := s.open(t, Options{}, newTestMaster(t))
			if _, err := other.Key(ctx, 1, 11); !errors.Is(err, ErrDecrypt) {
				t.Errorf("error = %v, want ErrDecrypt", err)
			}
		})
		t.Run("a wrapped key copied onto another subject does not unwrap", func(t *testing.T) {
			mustCreate(t, v, 1, 12)
			if _, err := v.w.ExecContext(ctx, "UPDATE "+v.keysT+" SET wrapped = $1 WHERE tenant_id = 1 AND subject_id = 12", wrappedOf(t, v, 1, 11)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.open(t, Options{}, master).Key(ctx, 1, 12); !errors.Is(err, ErrDecrypt) {
				t.Errorf("error = %v, want ErrDecrypt", err)
			}
		})
		t.Run("a tampered wrapped key does not unwrap", func(t *testing.T) {
			mustCreate(t, v, 1, 13)
			w := wrappedOf(t, v, 1, 13)
			w[20] ^= 1
			if _, err := v.w.ExecContext(ctx, "UPDATE "+v.keysT+" SET wrapped = $1 WHERE tenant_id = 1 AND subject_id = 13", w); err != nil {
				t.Fatal(err)
			}
			if _, err := v.Key(ctx, 1, 13); !errors.Is(err, ErrDecrypt) {
				t.Errorf("error = %v, want ErrDecrypt", err)
			}
		})
		t.Run("a destroyed key is gone for good", func(t *testing.T) {
			mustCreate(t, v, 1, 20)
			sealed := mustSeal(t, mustKey(t, v, 1, 20), "NL91ABNA0417164300", "candidates.iban/1/20")
			if err := v.Destroy(ctx, 1, 20); err != nil {
				t.Fatal(err)
			}
			if _, err := v.Key(ctx, 1, 20); !errors.Is(err, ErrShredded) {
				t.Errorf("Key after Destroy: %v, want ErrShredded", err)
			}
			if err := v.Create(ctx, 1, 20); !errors.Is(err, ErrShredded) {
				t.Errorf("Create after Destroy: %v, want ErrShredded", err)
			}
			if _, err := s.open(t, Options{}, master).Key(ctx, 1, 20); !errors.Is(err, ErrShredded) {
				t.Errorf("Key in a fresh vault: %v, want ErrShredded", err)
			}
			if !IsSealed(sealed) {
				t.Error("the sealed value is not marked")
			}
		})
		t.Run("destroying twice is fine", func(t *testing.T) {
			mustCreate(t, v, 1, 21)
			for range 2 {
				if err := v.Destroy(ctx, 1, 21); err != nil {
					t.Fatal(err)
				}
			}
		})
		t.Run("destroying a subject that never had a key still refuses one later", func(t *testing.T) {
			if err := v.Destroy(ctx, 1, 22); err != nil {
				t.Fatal(err)
			}
			if err := v.Create(ctx, 1, 22); !errors.Is(err, ErrShredded) {
				t.Errorf("Create: %v, want ErrShredded", err)
			}
			if _, err := v.Key(ctx, 1, 22); !errors.Is(err, ErrShredded) {
				t.Errorf("Key: %v, want ErrShredded", err)
			}
		})
		t.Run("many keys destroyed at once are each gone, the others stay", func(t *testing.T) {
			// More than one chunk of DestroyMany, with duplicates, subjects
			// that never had a key and one destroyed before.
			var subjects []int64
			for s := int64(1000); s < 1000+destroyChunk+123; s++ {
				if s%7 != 0 {
					mustCreate(t, v, 2, s)
				}
				subjects = append(subjects, s)
			}
			subjects = append(subjects, 1003, 1004)
			mustCreate(t, v, 2, 999)
			mustCreate(t, v, 3, 1001) // another agency's subject of the same number
			if err := v.Destroy(ctx, 2, 1010); err != nil {
				t.Fatal(err)
			}
			if err := v.DestroyMany(ctx, 2, subjects); err != nil {
				t.Fatal(err)
			}
			fresh := s.open(t, Options{}, master)
			for _, sub := range subjects {
				if _, err := fresh.Key(ctx, 2, sub); !errors.Is(err, ErrShredded) {
					t.Fatalf("Key of %d: %v, want ErrShredded", sub, err)
				}
			}
			for _, k := range [][2]int64{{2, 999}, {3, 1001}} {
				if _, err := fresh.Key(ctx, k[0], k[1]); err != nil {
					t.Errorf("Key %v: %v", k, err)
				}
			}
			var left int
			if err := v.r.QueryRowContext(ctx, "SELECT count(*) FROM "+v.keysT+" WHERE tenant_id = 2 AND subject_id >= 1000").Scan(&left); err != nil || left != 0 {
				t.Errorf("%d wrapped keys left, %v", left, err)
			}
		})
		t.Run("a tombstone holds no key material", func(t *testing.T) {
			var cols []string
			q := "SELECT * FROM " + v.shreddedT + " LIMIT 1"
			rows, err := v.r.QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ = rows.Columns()
			rows.Close()
			if strings.Join(cols, ",") != "tenant_id,subject_id,shredded_at" {
				t.Errorf("shredded columns %v", cols)
			}
		})
		t.Run("bulk creation makes each key once and keeps existing ones", func(t *testing.T) {
			mustCreate(t, v, 3, 5)
			sealed := mustSeal(t, mustKey(t, v, 3, 5), "x", "a")
			subjects := []int64{}
			for i := range int64(1234) {
				subjects = append(subjects, i, i) // duplicates too
			}
			if err := v.CreateMany(ctx, 3, subjects); err != nil {
				t.Fatal(err)
			}
			fresh := s.open(t, Options{}, master)
			for _, sub := range []int64{0, 1, 499, 500, 501, 1000, 1233} {
				mustKey(t, fresh, 3, sub)
			}
			if _, err := mustKey(t, fresh, 3, 5).Open(sealed, "a"); err != nil {
				t.Errorf("an existing key was replaced: %v", err)
			}
			if err := v.CreateMany(ctx, 3, nil); err != nil {
				t.Errorf("empty bulk: %v", err)
			}
		})
		t.Run("bulk creation that includes a shredded subject creates nothing", func(t *testing.T) {
			if err := v.Destroy(ctx, 4, 7); err != nil {
				t.Fatal(err)
			}
			err := v.CreateMany(ctx, 4, []int64{1, 2, 7, 8})
			if !errors.Is(err, ErrShredded) || !strings.Contains(err.Error(), "subject 7 ") {
				t.Fatalf("error = %v, want ErrShredded naming subject 7", err)
			}
			if _, err := v.Key(ctx, 4, 1); !errors.Is(err, ErrNoKey) {
				t.Errorf("subject 1 got a key anyway: %v", err)
			}
		})
		t.Run("counts tell keys from shredded subjects", func(t *testing.T) {
			c := s.open(t, Options{}, master)
			mustCreate(t, c, 9, 1)
			mustCreate(t, c, 9, 2)
			keys, shredded, err := c.Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Destroy(ctx, 9, 1); err != nil {
				t.Fatal(err)
			}
			keys2, shredded2, err := c.Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if keys2 != keys-1 || shredded2 != shredded+1 {
				t.Errorf("before %d/%d, after %d/%d", keys, shredded, keys2, shredded2)
			}
		})
	})
}

// TestCreateAndDestroyRacing checks that a Destroy racing a Create of the
// same subject never leaves a key next to its tombstone: on PostgreSQL
// this rests on the order of statements (see Destroy), on SQLite on the
// single writer.
func TestCreateAndDestroyRacing(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s keyStore) {
		master := newTestMaster(t)
		a, b := s.open(t, Options{}, master), s.open(t, Options{}, master)
		const subjects = 150
		var wg sync.WaitGroup
		for i := range int64(subjects) {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if err := a.Create(ctx, 1, i); err != nil && !errors.Is(err, ErrShredded) {
					t.Error(err)
				}
			}()
			go func() {
				defer wg.Done()
				if err := b.Destroy(ctx, 1, i); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		var both int
		if err := a.r.QueryRowContext(ctx, "SELECT count(*) FROM "+a.keysT+" k JOIN "+a.shreddedT+
			" s ON s.tenant_id = k.tenant_id AND s.subject_id = k.subject_id").Scan(&both); err != nil {
			t.Fatal(err)
		}
		keys, shredded, _ := a.Count(ctx)
		if both != 0 || keys != 0 || shredded != subjects {
			t.Errorf("%d keys next to a tombstone; %d keys, %d shredded", both, keys, shredded)
		}
	})
}

// TestDestroyLeavesNoTraceInTheKeyFile reads the SQLite keys file as bytes:
// secure_delete must have overwritten every destroyed key, and the
// write-ahead log must hold none either.
func TestDestroyLeavesNoTraceInTheKeyFile(t *testing.T) {
	ctx := context.Background()
	s := newKeyStore(t, sqliteStore)
	v := s.open(t, Options{}, newTestMaster(t))
	var subjects []int64
	for i := range int64(300) {
		subjects = append(subjects, i)
	}
	if err := v.CreateMany(ctx, 1, subjects); err != nil {
		t.Fatal(err)
	}
	// Some churn, so that pages are split, rewritten and freed.
	for i := int64(300); i < 400; i++ {
		mustCreate(t, v, 1, i)
	}
	var destroyed, kept [][]byte
	for i := int64(0); i < 400; i++ {
		w := wrappedOf(t, v, 1, i)
		if i%3 == 0 {
			destroyed = append(destroyed, w)
			if err := v.Destroy(ctx, 1, i); err != nil {
				t.Fatal(err)
			}
		} else {
			kept = append(kept, w)
		}
	}
	// Another process's view: checkpoint as the brief of this test says,
	// though Destroy did so already.
	var busy, frames, done int
	if err := v.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done); err != nil || busy != 0 {
		t.Fatalf("checkpoint: busy %d, %v", busy, err)
	}
	var files []byte
	for _, name := range []string{"keys.db", "keys.db-wal", "keys.db-journal"} {
		b, err := os.ReadFile(filepath.Join(s.dir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		files = append(files, b...)
	}
	found := 0
	for _, w := range kept {
		if bytes.Contains(files, w) {
			found++
		}
	}
	if found != len(kept) {
		t.Fatalf("only %d of %d kept keys found: the test does not see the file", found, len(kept))
	}
	for i, w := range destroyed {
		// Any 16 bytes of it would be a trace.
		for at := 0; at+16 <= len(w); at += 8 {
			if bytes.Contains(files, w[at:at+16]) {
				t.Fatalf("destroyed key %d still in the file (bytes %d–%d)", i, at, at+16)
			}
		}
	}
}

func TestDestroyTruncatesTheWriteAheadLog(t *testing.T) {
	ctx := context.Background()
	s := newKeyStore(t, sqliteStore)
	v := s.open(t, Options{}, newTestMaster(t))
	mustCreate(t, v, 1, 1)
	if err := v.Destroy(ctx, 1, 1); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(s.dsn + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("write-ahead log holds %d bytes after Destroy", fi.Size())
	}
}

func TestRotation(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s keyStore) {
		old, next := newTestMaster(t), newTestMaster(t)
		v := s.open(t, Options{}, old)
		const n = 2500
		subjects := make([]int64, n)
		for i := range subjects {
			subjects[i] = int64(i)
		}
		if err := v.CreateMany(ctx, 1, subjects[:n/2]); err != nil {
			t.Fatal(err)
		}
		if err := v.CreateMany(ctx, 2, subjects[n/2:]); err != nil {
			t.Fatal(err)
		}
		sealed := mustSeal(t, mustKey(t, v, 2, n-1), "123456782", "bsn")

		t.Run("rotation re-wraps every key and reports progress per batch", func(t *testing.T) {
			var reports [][2]int
			if err := v.Rotate(ctx, next, func(done, total int) { reports = append(reports, [2]int{done, total}) }); err != nil {
				t.Fatal(err)
			}
			want := [][2]int{{1000, n}, {2000, n}, {2500, n}}
			if len(reports) != len(want) || reports[0] != want[0] || reports[2] != want[2] {
				t.Errorf("progress %v, want %v", reports, want)
			}
			byMaster, err := v.KeysByMaster(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(byMaster) != 1 || byMaster[next.ID] != n {
				t.Errorf("keys by master %v, want all %d under %s", byMaster, n, next.ID)
			}
		})
		t.Run("a vault with only the new master reads every key", func(t *testing.T) {
			only := s.open(t, Options{Cache: -1}, next)
			for tenant, subs := range map[int64][]int64{1: subjects[:n/2], 2: subjects[n/2:]} {
				for _, sub := range subs {
					if _, err := only.Key(ctx, tenant, sub); err != nil {
						t.Fatalf("key %d/%d: %v", tenant, sub, err)
					}
				}
			}
			if got, err := mustKey(t, only, 2, n-1).Open(sealed, "bsn"); err != nil || got != "123456782" {
				t.Errorf("data sealed before the rotation: %q, %v", got, err)
			}
		})
		t.Run("a vault with only the old master reads none", func(t *testing.T) {
			if _, err := s.open(t, Options{}, old).Key(ctx, 1, 0); !errors.Is(err, ErrDecrypt) {
				t.Errorf("error = %v, want ErrDecrypt", err)
			}
		})
		t.Run("after rotation new keys are wrapped under the new master", func(t *testing.T) {
			mustCreate(t, v, 3, 1)
			mustKey(t, s.open(t, Options{}, next), 3, 1)
		})
		t.Run("rotating again has nothing to do", func(t *testing.T) {
			calls := 0
			if err := v.Rotate(ctx, next, func(int, int) { calls++ }); err != nil || calls != 0 {
				t.Errorf("second rotation: %d reports, %v", calls, err)
			}
		})
	})
}

func TestInterruptedRotation(t *testing.T) {
	eachStore(t, func(t *testing.T, s keyStore) {
		old, next := newTestMaster(t), newTestMaster(t)
		v := s.open(t, Options{}, old)
		const n = 2500
		subjects := make([]int64, n)
		for i := range subjects {
			subjects[i] = int64(i)
		}
		if err := v.CreateMany(context.Background(), 1, subjects); err != nil {
			t.Fatal(err)
		}

		ctx, cancel := context.WithCancel(context.Background())
		err := v.Rotate(ctx, next, func(done, total int) { cancel() })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted rotation: %v, want context.Canceled", err)
		}
		byMaster, _ := v.KeysByMaster(context.Background())
		if byMaster[next.ID] != rotateBatch || byMaster[old.ID] != n-rotateBatch {
			t.Fatalf("keys by master %v after one batch", byMaster)
		}

		t.Run("a process that knows both masters reads every key mid-rotation", func(t *testing.T) {
			for _, both := range []*Vault{s.open(t, Options{Cache: -1}, old, next), s.open(t, Options{Cache: -1}, next, old)} {
				for _, sub := range subjects {
					if _, err := both.Key(context.Background(), 1, sub); err != nil {
						t.Fatalf("key %d: %v", sub, err)
					}
				}
			}
		})
		t.Run("a process that knows only one master fails on the others' keys", func(t *testing.T) {
			only := s.open(t, Options{}, next)
			if _, err := only.Key(context.Background(), 1, n-1); !errors.Is(err, ErrDecrypt) || !strings.Contains(err.Error(), old.ID) {
				t.Errorf("error = %v, want ErrDecrypt naming master %s", err, old.ID)
			}
		})
		t.Run("a shred mid-rotation stays a shred", func(t *testing.T) {
			if err := v.Destroy(context.Background(), 1, n-1); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("running the rotation again finishes it", func(t *testing.T) {
			var last [2]int
			resumed := s.open(t, Options{}, next, old)
			if err := resumed.Rotate(context.Background(), next, func(done, total int) { last = [2]int{done, total} }); err != nil {
				t.Fatal(err)
			}
			if last != [2]int{n - rotateBatch - 1, n - rotateBatch - 1} {
				t.Errorf("last progress %v", last)
			}
			byMaster, _ := v.KeysByMaster(context.Background())
			if len(byMaster) != 1 || byMaster[next.ID] != n-1 {
				t.Errorf("keys by master %v", byMaster)
			}
			only := s.open(t, Options{Cache: -1}, next)
			for _, sub := range subjects[:n-1] {
				if _, err := only.Key(context.Background(), 1, sub); err != nil {
					t.Fatalf("key %d: %v", sub, err)
				}
			}
			if _, err := only.Key(context.Background(), 1, n-1); !errors.Is(err, ErrShredded) {
				t.Errorf("the shredded key: %v", err)
			}
		})
	})
}

func TestKeyCache(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s keyStore) {
		master := newTestMaster(t)
		clock := newTestClock()
		here := s.open(t, Options{Clock: clock.Now, TTL: time.Minute}, master)
		elsewhere := s.open(t, Options{Clock: clock.Now}, master)

		t.Run("a shred by another process takes effect here within the TTL", func(t *testing.T) {
			mustCreate(t, here, 1, 1)
			mustKey(t, here, 1, 1) // cached now
			if err := elsewhere.Destroy(ctx, 1, 1); err != nil {
				t.Fatal(err)
			}
			clock.Advance(59 * time.Second)
			if _, err := here.Key(ctx, 1, 1); err != nil {
				t.Errorf("within the TTL the cached key is still used (as documented); got %v", err)
			}
			clock.Advance(time.Second)
			if _, err := here.Key(ctx, 1, 1); !errors.Is(err, ErrShredded) {
				t.Errorf("after the TTL: %v, want ErrShredded", err)
			}
		})
		t.Run("a shred in this process takes effect at once", func(t *testing.T) {
			mustCreate(t, here, 1, 2)
			mustKey(t, here, 1, 2)
			if err := here.Destroy(ctx, 1, 2); err != nil {
				t.Fatal(err)
			}
			if _, err := here.Key(ctx, 1, 2); !errors.Is(err, ErrShredded) {
				t.Errorf("error = %v, want ErrShredded", err)
			}
		})
		t.Run("the least recently used key leaves a full cache first", func(t *testing.T) {
			small := s.open(t, Options{Clock: clock.Now, Cache: 2}, master)
			for sub := int64(10); sub < 13; sub++ {
				mustCreate(t, small, 1, sub)
			}
			mustKey(t, small, 1, 10)
			mustKey(t, small, 1, 11)
			mustKey(t, small, 1, 10) // 11 is now the least recently used
			mustKey(t, small, 1, 12) // evicts 11
			if err := elsewhere.Destroy(ctx, 1, 11); err != nil {
				t.Fatal(err)
			}
			if err := elsewhere.Destroy(ctx, 1, 10); err != nil {
				t.Fatal(err)
			}
			if _, err := small.Key(ctx, 1, 11); !errors.Is(err, ErrShredded) {
				t.Errorf("evicted key 11: %v, want ErrShredded", err)
			}
			if _, err := small.Key(ctx, 1, 10); err != nil {
				t.Errorf("cached key 10: %v", err)
			}
		})
		t.Run("with the cache off every Key reads the database", func(t *testing.T) {
			off := s.open(t, Options{Clock: clock.Now, Cache: -1}, master)
			mustCreate(t, off, 1, 20)
			mustKey(t, off, 1, 20)
			if err := elsewhere.Destroy(ctx, 1, 20); err != nil {
				t.Fatal(err)
			}
			if _, err := off.Key(ctx, 1, 20); !errors.Is(err, ErrShredded) {
				t.Errorf("error = %v, want ErrShredded", err)
			}
		})
	})
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("a SQLite data file is refused as keys database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kluis.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE candidates (id INTEGER PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := Open(ctx, path, newTestMaster(t), Options{}); err == nil || !strings.Contains(err.Error(), "of their own") {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("a new SQLite keys file is readable by its owner only, with secure_delete on", func(t *testing.T) {
		s := newKeyStore(t, sqliteStore)
		v := s.open(t, Options{}, newTestMaster(t))
		fi, err := os.Stat(s.dsn)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %04o", fi.Mode().Perm())
		}
		for _, db := range []*sql.DB{v.w, v.r} {
			var on int
			if err := db.QueryRowContext(ctx, "PRAGMA secure_delete").Scan(&on); err != nil || on != 1 {
				t.Errorf("secure_delete = %d, %v", on, err)
			}
		}
	})
	eachStore(t, func(t *testing.T, s keyStore) {
		master := newTestMaster(t)
		t.Run("opening twice, and concurrently, migrates once", func(t *testing.T) {
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					v, err := Open(ctx, s.dsn, master, Options{})
					if err != nil {
						t.Error(err)
						return
					}
					v.Close()
				})
			}
			wg.Wait()
			v := s.open(t, Options{}, master)
			var versions int
			if err := v.r.QueryRowContext(ctx, "SELECT count(*) FROM "+v.schemaT).Scan(&versions); err != nil || versions != 1 {
				t.Errorf("%d version rows, %v", versions, err)
			}
		})
		t.Run("a keys database newer than this program is refused", func(t *testing.T) {
			v := s.open(t, Options{}, master)
			if _, err := v.w.ExecContext(ctx, "UPDATE "+v.schemaT+" SET version = 99"); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(ctx, s.dsn, master, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
				t.Errorf("error = %v", err)
			}
		})
	})
	t.Run("no master key, no vault", func(t *testing.T) {
		if _, err := Open(ctx, filepath.Join(t.TempDir(), "keys.db"), nil, Options{}); err == nil {
			t.Error("opened without a master key")
		}
	})
}
