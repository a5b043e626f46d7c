package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// target is one server under load and the way to ask it something.
type target struct {
	name   string // "kluis", "bare", "bare+count"
	client *http.Client
	// request makes the next request; rng belongs to the caller.
	request func(rng *rand.Rand) (*http.Request, error)
}

// newClient returns an HTTP client of its own (its own connection pool) for
// one target, on loopback.
func newClient(limit time.Duration) *http.Client {
	return &http.Client{
		Timeout: limit,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
			MaxIdleConns:        4096,
			MaxIdleConnsPerHost: 4096,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
	}
}

// sample is one request's outcome.
type sample struct {
	lat  time.Duration // from the moment it was due (open loop) or sent (closed loop) to the end of the body
	lag  time.Duration // how late the generator sent it (open loop)
	ok   bool
	done bool
	err  string
}

// step is the outcome of one load step against one target.
type step struct {
	Target      string  `json:"target"`
	Mode        string  `json:"mode"` // "rate": open loop at a fixed rate; "max": closed loop
	OfferedRPS  float64 `json:"offered_rps,omitempty"`
	Concurrency int     `json:"concurrency,omitempty"`
	Seconds     float64 `json:"seconds"`
	Sent        int     `json:"sent"`
	OK          int     `json:"ok"`
	Errors      int     `json:"errors"`
	Dropped     int     `json:"dropped,omitempty"` // due while max-inflight requests were outstanding: not sent
	AchievedRPS float64 `json:"achieved_rps"`      // successful answers per second
	P50         float64 `json:"p50_ms"`
	P90         float64 `json:"p90_ms"`
	P99         float64 `json:"p99_ms"`
	Max         float64 `json:"max_ms"`
	LagP99      float64 `json:"generator_lag_p99_ms,omitempty"`
	RSSMaxMB    float64 `json:"rss_max_mb,omitempty"`
	FirstError  string  `json:"first_error,omitempty"`
	// Of every repetition of the step, when it was repeated (the figures
	// above are of the best one).
	RepsP99 []float64 `json:"reps_p99_ms,omitempty"`
	RepsRPS []float64 `json:"reps_achieved_rps,omitempty"`
}

// do sends one request and reads the whole answer.
func do(c *http.Client, req *http.Request) (bool, string) {
	resp, err := c.Do(req)
	if err != nil {
		return false, err.Error()
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return false, err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	return true, ""
}

// openLoop sends requests at a fixed rate for dur, whatever the answers
// take (open loop), with at most maxInflight outstanding. Latency counts
// from the moment a request was due, so a server that falls behind is not
// flattered by a generator that waits for it (coordinated omission).
func openLoop(ctx context.Context, t *target, rate float64, dur time.Duration, maxInflight int, seed uint64) step {
	n := int(math.Round(rate * dur.Seconds()))
	interval := time.Duration(float64(time.Second) / rate)
	samples := make([]sample, n)
	sem := make(chan struct{}, maxInflight)
	rng := rand.New(rand.NewPCG(seed, 0x6b6c756973))
	var wg sync.WaitGroup
	start := time.Now().Add(5 * time.Millisecond)
	dropped := 0
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		default:
			dropped++
			continue
		}
		req, err := t.request(rng)
		if err != nil {
			<-sem
			samples[i] = sample{done: true, err: err.Error()}
			continue
		}
		wg.Add(1)
		go func(i int, due time.Time, req *http.Request) {
			defer wg.Done()
			defer func() { <-sem }()
			sent := time.Now()
			ok, msg := do(t.client, req.WithContext(ctx))
			samples[i] = sample{lat: time.Since(due), lag: sent.Sub(due), ok: ok, done: true, err: msg}
		}(i, due, req)
	}
	wg.Wait()
	st := summarize(t.name, samples, dur)
	st.Mode, st.OfferedRPS, st.Dropped = "rate", rate, dropped
	return st
}

// closedLoop runs c clients that each send the next request as soon as the
// last one is answered, for dur: the server's maximum throughput.
func closedLoop(ctx context.Context, t *target, c int, dur time.Duration, seed uint64) step {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	per := make([][]sample, c)
	var wg sync.WaitGroup
	begin := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)+1))
			out := make([]sample, 0, 4096)
			for ctx.Err() == nil {
				req, err := t.request(rng)
				if err != nil {
					out = append(out, sample{done: true, err: err.Error()})
					break
				}
				sent := time.Now()
				ok, msg := do(t.client, req.WithContext(ctx))
				if ctx.Err() != nil && !ok {
					break // cut off by the end of the step: not the server's error
				}
				out = append(out, sample{lat: time.Since(sent), ok: ok, done: true, err: msg})
			}
			per[w] = out
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(begin)
	st := summarize(t.name, slices.Concat(per...), elapsed)
	st.Mode, st.Concurrency = "max", c
	return st
}

func summarize(name string, samples []sample, dur time.Duration) step {
	st := step{Target: name, Seconds: round(dur.Seconds(), 2)}
	var lats, lags []time.Duration
	for _, s := range samples {
		if !s.done {
			continue
		}
		st.Sent++
		if s.ok {
			st.OK++
			lats = append(lats, s.lat)
			lags = append(lags, s.lag)
		} else {
			st.Errors++
			if st.FirstError == "" {
				st.FirstError = s.err
			}
		}
	}
	st.AchievedRPS = round(float64(st.OK)/dur.Seconds(), 1)
	slices.Sort(lats)
	slices.Sort(lags)
	st.P50, st.P90, st.P99 = ms(percentile(lats, 50)), ms(percentile(lats, 90)), ms(percentile(lats, 99))
	if len(lats) > 0 {
		st.Max = ms(lats[len(lats)-1])
	}
	st.LagP99 = ms(percentile(lags, 99))
	return st
}

// percentile returns the p-th percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 3) }

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
