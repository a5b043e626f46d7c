package vault

import (
	"context"
	"testing"
)

// eachStoreB runs a benchmark on each database the suite runs on.
func eachStoreB(b *testing.B, fn func(b *testing.B, s keyStore)) {
	for _, d := range []dialect{sqliteStore, postgresStore} {
		b.Run(string(d), func(b *testing.B) { fn(b, newKeyStore(b, d)) })
	}
}

func BenchmarkKey(b *testing.B) {
	ctx := context.Background()
	eachStoreB(b, func(b *testing.B, s keyStore) {
		master := newTestMaster(b)
		const n = 1000
		subjects := make([]int64, n)
		for i := range subjects {
			subjects[i] = int64(i)
		}
		setup := s.open(b, Options{}, master)
		if err := setup.CreateMany(ctx, 1, subjects); err != nil {
			b.Fatal(err)
		}
		for _, bc := range []struct {
			name  string
			cache int
		}{{"cached", 0}, {"uncached", -1}} {
			b.Run(bc.name, func(b *testing.B) {
				v := s.open(b, Options{Cache: bc.cache}, master)
				i := 0
				for b.Loop() {
					if _, err := v.Key(ctx, 1, int64(i%n)); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	})
}

func BenchmarkCreateMany10000(b *testing.B) {
	ctx := context.Background()
	eachStoreB(b, func(b *testing.B, s keyStore) {
		v := s.open(b, Options{}, newTestMaster(b))
		subjects := make([]int64, 10_000)
		for i := range subjects {
			subjects[i] = int64(i)
		}
		tenant := int64(0)
		for b.Loop() {
			tenant++ // fresh subjects each time: existing ones are skipped
			if err := v.CreateMany(ctx, tenant, subjects); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/10_000, "µs/key")
	})
}

func BenchmarkDestroy(b *testing.B) {
	ctx := context.Background()
	eachStoreB(b, func(b *testing.B, s keyStore) {
		v := s.open(b, Options{}, newTestMaster(b))
		subjects := make([]int64, 20_000)
		for i := range subjects {
			subjects[i] = int64(i)
		}
		if err := v.CreateMany(ctx, 1, subjects); err != nil {
			b.Fatal(err)
		}
		i := int64(0)
		for b.Loop() {
			if err := v.Destroy(ctx, 1, i); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
