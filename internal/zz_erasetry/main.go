// Throwaway: runs the bench's erasure on a copy of a data set with a CPU profile.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"kluis/internal/blob"
	"kluis/internal/catalog"
	"kluis/internal/cleanup"
	"kluis/internal/kluis"
	"kluis/internal/retention"
	"kluis/internal/store"
	"kluis/internal/vault"
)

func main() {
	dir := flag.String("dir", "", "data dir copy")
	n := flag.Int("n", 5000, "max")
	tid := flag.Int64("tenant", 0, "")
	dsn := flag.String("db", "", "postgres dsn (else the SQLite file in dir)")
	prof := flag.String("prof", "/tmp/erase.cpu", "")
	flag.Parse()
	ctx := context.Background()
	blobs, err := blob.NewDir(filepath.Join(*dir, "documents"))
	check(err)
	m, err := vault.LoadMasterKey(filepath.Join(*dir, "master.key"))
	check(err)
	keys, data := filepath.Join(*dir, "keys.db"), filepath.Join(*dir, "kluis.db")
	if *dsn != "" {
		keys, data = *dsn, *dsn
	}
	v, err := vault.Open(ctx, keys, m, vault.Options{})
	check(err)
	db, err := store.Open(ctx, data, store.Options{Blobs: blobs, Vault: v})
	check(err)
	tenant := kluis.ID(*tid)
	set, err := db.Settings(ctx, tenant)
	check(err)
	terms, cat := retention.For(set), catalog.New()
	today := kluis.DateOf(db.Now())
	var due []kluis.ID
	check(db.EachRetentionFacts(ctx, kluis.Actor{TenantID: tenant}, func(c store.CandidateFacts) error {
		if len(retention.Due(retention.Plan(cat, c.Facts, terms, today), today)) > 0 {
			due = append(due, c.ID)
		}
		return nil
	}))
	ids := due[:min(len(due), *n)]
	f, _ := os.Create(*prof)
	pprof.StartCPUProfile(f)
	t0 := time.Now()
	a := kluis.Actor{TenantID: tenant}
	run, err := db.StartCleanupRun(ctx, a, ids, false)
	check(err)
	check((&cleanup.Runner{DB: db}).Run(ctx, a, run))
	el := time.Since(t0)
	pprof.StopCPUProfile()
	fmt.Printf("%d erased in %.2fs: %.0f/s (complete %d partial %d)\n", len(ids), el.Seconds(), float64(len(ids))/el.Seconds(), run.Complete, run.Partial)
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
