package web

import (
	"context"
	"sync"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/retention"
	"kluis/internal/store"
)

// The dashboard's chart of data expiring per month needs the retention
// plan of every candidate: about 40 seconds for a million on SQLite
// (docs/PERFORMANCE.md), far too long for a page view, and the plan is
// worked out in Go from each candidate's facts (placements, payroll
// years, consents, holds), which SQL alone cannot repeat without a second
// copy of the rules. So the forecast is worked out per agency in the
// background and kept with the moment it was made: a page shows the last
// one (and when it was made) and starts a new one once it is older than
// forecastFresh. Only the first view of an agency waits, for at most
// forecastWait; a large agency's dashboard then says the figures follow.

const (
	forecastFresh  = 15 * time.Minute
	forecastWait   = 3 * time.Second
	forecastMonths = 12
	// forecastLimit stops a forecast that runs away (a very slow disk).
	forecastLimit = 15 * time.Minute
)

// forecast counts, per branch, bucket and category of data, the
// candidates whose data of that category become due for removal: bucket 0
// is what is due already, bucket i (1…12) what falls due in the i-th month
// from this one on.
type forecast struct {
	At     time.Time  // when it was worked out
	Today  kluis.Date // the day it was worked out for
	Months []string   // "2026-11", … the months of buckets 1…12
	counts map[kluis.ID]*[forecastMonths + 1]map[string]int
	Seen   map[kluis.ID]int // candidates looked at, per branch
	// holding counts, per branch and category, the candidates of whom
	// data of that category are kept (not erased yet).
	holding map[kluis.ID]map[string]int
}

// Holding sums, per category, the candidates with data of it kept, over
// the branches an actor sees.
func (f *forecast) Holding(branch kluis.ID) map[string]int {
	out := map[string]int{}
	for b, m := range f.holding {
		if branch != 0 && b != branch {
			continue
		}
		for cat, n := range m {
			out[cat] += n
		}
	}
	return out
}

// For sums the branches an actor sees: every branch, or only theirs.
func (f *forecast) For(branch kluis.ID) (buckets [forecastMonths + 1]map[string]int, seen int) {
	for i := range buckets {
		buckets[i] = map[string]int{}
	}
	for b, bs := range f.counts {
		if branch != 0 && b != branch {
			continue
		}
		seen += f.Seen[b]
		for i, m := range bs {
			for cat, n := range m {
				buckets[i][cat] += n
			}
		}
	}
	return buckets, seen
}

// monthsFrom returns the n months from the month of today on, as "2006-01".
func monthsFrom(today kluis.Date, n int) []string {
	t := today.Time()
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]string, n)
	for i := range out {
		out[i] = first.AddDate(0, i, 0).Format("2006-01")
	}
	return out
}

// lastDayOf returns the last day of a month "2006-01".
func lastDayOf(month string) kluis.Date {
	t, _ := time.Parse("2006-01", month)
	return kluis.DateOf(t.AddDate(0, 1, -1))
}

// bucketOf returns the bucket of a day something expires on; -1 beyond.
func bucketOf(expires, today kluis.Date, months []string) int {
	if expires <= today {
		return 0
	}
	m := string(expires)[:7]
	for i, x := range months {
		if x == m {
			return i + 1
		}
	}
	return -1
}

// makeForecast works out the forecast of an agency from every candidate's
// retention plan, the same plan the clean-up list uses.
func makeForecast(ctx context.Context, db *store.DB, s *Server, tenant kluis.ID) (*forecast, error) {
	a := kluis.Actor{TenantID: tenant, Role: kluis.RolePrivacy}
	set, err := s.settingsCache.get(ctx, tenant)
	if err != nil {
		return nil, err
	}
	terms := retention.For(set.s)
	now := s.clock.Now()
	today := kluis.DateOf(now)
	f := &forecast{At: now, Today: today, Months: monthsFrom(today, forecastMonths),
		counts: map[kluis.ID]*[forecastMonths + 1]map[string]int{}, Seen: map[kluis.ID]int{}, holding: map[kluis.ID]map[string]int{}}
	err = db.EachRetentionFacts(ctx, a, func(c store.CandidateFacts) error {
		bs := f.counts[c.BranchID]
		if bs == nil {
			bs = &[forecastMonths + 1]map[string]int{}
			for i := range bs {
				bs[i] = map[string]int{}
			}
			f.counts[c.BranchID] = bs
			f.holding[c.BranchID] = map[string]int{}
		}
		held := map[string]bool{}
		f.Seen[c.BranchID]++
		// A candidate counts once per bucket and category, however many of
		// its groups of that category fall due then.
		type seen struct {
			bucket   int
			category string
		}
		var counted map[seen]bool
		for _, it := range retention.Plan(s.catalog, c.Facts, terms, today) {
			if it.Erased {
				continue
			}
			if !held[string(it.Category)] {
				held[string(it.Category)] = true
				f.holding[c.BranchID][string(it.Category)]++
			}
			if it.Expires == "" {
				continue
			}
			b := bucketOf(it.Expires, today, f.Months)
			if b < 0 {
				continue
			}
			key := seen{b, string(it.Category)}
			if counted == nil {
				counted = map[seen]bool{}
			}
			if counted[key] {
				continue
			}
			counted[key] = true
			bs[b][string(it.Category)]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// forecasts keeps the last forecast of each agency and the one being made.
type forecasts struct {
	mu sync.Mutex
	by map[kluis.ID]*forecastSlot
}

type forecastSlot struct {
	last    *forecast
	running chan struct{} // closed when the forecast being made is done; nil when none is
}

// get returns the agency's forecast: the last one, starting a new one in
// the background when it is stale, or — when there is none yet — the one it
// starts, if it is done within forecastWait (nil otherwise: it follows).
func (s *Server) forecast(ctx context.Context, tenant kluis.ID) *forecast {
	fs := s.forecasts
	fs.mu.Lock()
	slot := fs.by[tenant]
	if slot == nil {
		slot = &forecastSlot{}
		fs.by[tenant] = slot
	}
	now := s.clock.Now()
	stale := slot.last == nil || now.Sub(slot.last.At) > forecastFresh || slot.last.Today != kluis.DateOf(now)
	if stale && slot.running == nil {
		done := make(chan struct{})
		slot.running = done
		s.background.Add(1)
		go func() { // #nosec G118 -- the forecast outlives the view that started it (it serves the next ones); bounded by forecastLimit, waited for at shutdown
			defer s.background.Done()
			defer close(done)
			bg, cancel := context.WithTimeout(context.Background(), forecastLimit)
			defer cancel()
			f, err := makeForecast(bg, s.db, s, tenant)
			fs.mu.Lock()
			defer fs.mu.Unlock()
			slot.running = nil
			if err != nil {
				s.log.Error("dashboard forecast", "tenant", tenant, "err", err)
				return
			}
			slot.last = f
		}()
	}
	last, running := slot.last, slot.running
	fs.mu.Unlock()
	if last != nil || running == nil {
		return last
	}
	select {
	case <-running:
	case <-time.After(forecastWait):
	case <-ctx.Done():
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return slot.last
}
