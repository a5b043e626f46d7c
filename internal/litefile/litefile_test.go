package litefile

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestANewFileOpenedByManyAtOnceEndsInWAL(t *testing.T) {
	ctx := context.Background()
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "kluis.db")
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				if err := UseWAL(ctx, path, 10*time.Second); err != nil {
					t.Errorf("round %d: %v", round, err)
				}
			})
		}
		wg.Wait()
		db, err := sql.Open("sqlite", URI(path))
		if err != nil {
			t.Fatal(err)
		}
		var mode string
		if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("round %d: journal mode %q, %v", round, mode, err)
		}
		db.Close()
	}
}

func TestURIEscapesWhatAURIGivesAMeaning(t *testing.T) {
	if got := URI("/tmp/a?b#c%d.db"); got != "file:/tmp/a%3Fb%23c%25d.db" {
		t.Errorf("URI = %q", got)
	}
}
