package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// errUnservable marks a data set that kluis cannot serve: it will not
// start on it, or does not answer the first read or search with 200.
var errUnservable = errors.New("kluis cannot serve this data set")

// runEnv is what a measurement of one data set has to work with.
type runEnv struct {
	ctx      context.Context
	cfg      *config
	d        *dataset
	p        *probe
	kluisBin string
	profBin  string // kluis with a CPU profile (bench/kluisprof); "" without -profile
	build    string // kluis's VCS revision, from its build info
	token    string
	self     string // this program, for the bare server
	kluis    *server
	bare     *server
}

// drive runs the whole benchmark and writes its results.
func drive(ctx context.Context, cfg *config) error {
	began := time.Now()
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	res := loadResults(filepath.Join(cfg.out, "results.json"), cfg.fresh)
	prev := res.Machine
	res.Machine = machineInfo()
	// Versions of databases this invocation does not use stay as measured.
	res.Machine.SQLite, res.Machine.Postgres = prev.SQLite, prev.Postgres
	res.Settings = settingsOf(cfg)
	res.NotYetMeasured = nil
	for _, sc := range laterScenarios {
		if sc.measure == nil {
			res.NotYetMeasured = append(res.NotYetMeasured, sc)
		}
	}

	// The schema the data sets must match, taken before the build: should a
	// migration be added meanwhile, the data sets are found stale next time
	// rather than taken for current.
	schema, err := sourceHash(cfg.root)
	if err != nil {
		return fmt.Errorf("hash kluis's migrations: %w", err)
	}
	logf("building kluis")
	kluisBin := filepath.Join(cfg.tmp, "kluis")
	if _, err := runCmd(ctx, 10*time.Minute, cfg.root, nil, "go", "build", "-o", kluisBin, "./cmd/kluis"); err != nil {
		return err
	}
	profBin := ""
	if cfg.profile {
		profBin = filepath.Join(cfg.tmp, "kluisprof")
		if _, err := runCmd(ctx, 10*time.Minute, cfg.root, nil, "go", "build", "-o", profBin, "./bench/kluisprof"); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	build := kluisBuild(kluisBin, cfg.root)
	logf("kluis %s", build)
	for _, db := range cfg.dbs {
		for _, size := range cfg.sizes {
			if err := ctx.Err(); err != nil {
				return err
			}
			var run *runResult
			// A data set made by an older kluis may be one this kluis cannot
			// serve although its schema is current (say, its rows are not
			// sealed the way this kluis expects): then it is made anew, once.
			for attempt := 0; ; attempt++ {
				d, err := prepareDataset(ctx, cfg, kluisBin, schema, db, size, attempt > 0)
				if err != nil {
					return fmt.Errorf("%s %d: data set: %w", db, size, err)
				}
				if cfg.prepareOnly {
					break
				}
				p, err := probeDataset(ctx, d, cfg.seed)
				if err != nil {
					return fmt.Errorf("%s %d: read the data set: %w", db, size, err)
				}
				if db == "sqlite" {
					res.Machine.SQLite = p.version
				} else {
					res.Machine.Postgres = p.version
				}
				r := &runEnv{ctx: ctx, cfg: cfg, d: d, p: p, kluisBin: kluisBin, profBin: profBin, self: self, build: build}
				run, err = r.measure()
				r.stopServers()
				if errors.Is(err, errUnservable) && d.reused && attempt == 0 && ctx.Err() == nil {
					logf("%s %d: %v; making the data set anew", db, size, err)
					continue
				}
				if err != nil {
					return fmt.Errorf("%s %d: %w", db, size, err)
				}
				break
			}
			if cfg.prepareOnly {
				continue
			}
			res.put(run)
			res.Seconds = round(time.Since(began).Seconds(), 0)
			// Written after every data set, so an interrupted run keeps what it measured.
			if err := res.write(cfg); err != nil {
				return err
			}
		}
	}
	if cfg.prepareOnly {
		logf("data sets ready in %s", time.Since(began).Round(time.Second))
		return nil
	}
	res.Seconds = round(time.Since(began).Seconds(), 0)
	if err := res.write(cfg); err != nil {
		return err
	}
	logf("done in %s; results in %s", time.Since(began).Round(time.Second), filepath.Join(cfg.out, "results.json"))
	return nil
}

func (r *runEnv) stopServers() {
	for _, s := range []*server{r.kluis, r.bare} {
		if s != nil {
			s.stop()
		}
	}
	r.kluis, r.bare = nil, nil
}

// startKluis starts `kluis serve` on a free port and waits for /readyz.
func (r *runEnv) startKluis(tag string) (*server, time.Duration, error) {
	return r.startKluisEnv(tag, nil)
}

// startKluisEnv starts the profiling build of kluis (bench/kluisprof) with
// env naming its profiles, or kluis itself if env is empty.
func (r *runEnv) startKluisEnv(tag string, env []string) (*server, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	bin := r.kluisBin
	if len(env) > 0 {
		bin = r.profBin
	}
	// The log level is kluis's default (info): one access-log line per
	// request, as in production, written to a file.
	args := append([]string{"serve", "--demo", "--addr", addr}, r.d.kluisArgs()...)
	logPath := filepath.Join(r.cfg.tmp, fmt.Sprintf("kluis-%s-%d-%s.log", r.d.db, r.d.size, tag))
	began := time.Now()
	s, err := startServer("kluis serve", bin, args, env, logPath, addr)
	if err != nil {
		return nil, 0, err
	}
	took, err := s.waitReady(r.ctx, began, "http://"+addr+"/readyz", nil, 60*time.Second)
	if err != nil {
		s.stop()
		return nil, 0, err
	}
	return s, took, nil
}

// startBare starts the bare server and waits for its first answer to a
// candidate read.
func (r *runEnv) startBare(tag string) (*server, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	args := []string{"bare-serve", "-db", r.d.openDSN, "-addr", addr, "-tenant", strconv.FormatInt(r.p.tenant, 10),
		"-font", filepath.Join(r.cfg.root, "internal", "pdf", "fonts", "DejaVuSans.ttf")}
	logPath := filepath.Join(r.cfg.tmp, fmt.Sprintf("bare-%s-%d-%s.log", r.d.db, r.d.size, tag))
	began := time.Now()
	s, err := startServer("bare server", r.self, args, nil, logPath, addr)
	if err != nil {
		return nil, 0, err
	}
	took, err := s.waitReady(r.ctx, began, "http://"+addr+"/candidates/"+strconv.FormatInt(r.p.ids[0], 10), nil, 60*time.Second)
	if err != nil {
		s.stop()
		return nil, 0, err
	}
	return s, took, nil
}

// Targets: the same question to kluis and to the bare server.

func (r *runEnv) randomID(rng *rand.Rand) string {
	return strconv.FormatInt(r.p.ids[rng.IntN(len(r.p.ids))], 10)
}

func (r *runEnv) kluisRead(s *server) *target {
	base := "http://" + s.addr + "/api/v1/candidates/"
	auth := "Bearer " + r.token
	return &target{name: "kluis", client: newClient(r.cfg.requestLimit), request: func(rng *rand.Rand) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, base+r.randomID(rng), nil)
		if err == nil {
			req.Header.Set("Authorization", auth)
		}
		return req, err
	}}
}

func (r *runEnv) bareRead(s *server) *target {
	base := "http://" + s.addr + "/candidates/"
	return &target{name: "bare", client: newClient(r.cfg.requestLimit), request: func(rng *rand.Rand) (*http.Request, error) {
		return http.NewRequest(http.MethodGet, base+r.randomID(rng), nil)
	}}
}

// searchTarget searches kluis (POST /api/v1/candidates/search) or the bare
// server by a random last-name prefix or city; the bare server counts all
// matches with count, as kluis does.
func (r *runEnv) searchTarget(name string, s *server, byCity, count bool) *target {
	path, auth := "/candidates/search", ""
	if name == "kluis" {
		path, auth = "/api/v1/candidates/search", "Bearer "+r.token
	}
	url := "http://" + s.addr + path
	return &target{name: name, client: newClient(r.cfg.requestLimit), request: func(rng *rand.Rand) (*http.Request, error) {
		body := map[string]any{}
		if byCity {
			body["city"] = r.p.cities[rng.IntN(len(r.p.cities))]
		} else {
			body["query"] = r.p.prefixes[rng.IntN(len(r.p.prefixes))]
		}
		if count {
			body["count"] = true
		}
		b, _ := json.Marshal(body)
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
		}
		return req, err
	}}
}

// check sends one request and fails unless it is answered with 200.
func check(t *target) error {
	req, err := t.request(rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return err
	}
	if ok, msg := do(t.client, req); !ok {
		return fmt.Errorf("%s does not answer %s %s: %s", t.name, req.Method, req.URL.Path, msg)
	}
	return nil
}

// pair runs the same step against two or more targets, in an order that
// alternates from step to step, so that a slow moment of the machine does
// not always fall on the same one.
func pair(i int, ts []*target, f func(t *target) step) []step {
	order := slices.Clone(ts)
	if i%2 == 1 {
		slices.Reverse(order)
	}
	out := make([]step, len(ts))
	for _, t := range order {
		st := f(t)
		out[slices.Index(ts, t)] = st
	}
	return out
}

// measure takes every figure of one data set.
func (r *runEnv) measure() (*runResult, error) {
	cfg, d, p := r.cfg, r.d, r.p
	set := settingsOf(cfg)
	run := &runResult{Settings: &set, DB: d.db, Size: d.size, MeasuredAt: time.Now().UTC().Truncate(time.Second), Command: cfg.command, Kluis: r.build,
		LoadAvgStart: loadAvg(), DBVersion: p.version,
		Dataset: datasetInfo{Candidates: p.candidates, Reused: d.reused, GenerationSeconds: d.marker.GenSeconds,
			GeneratedOn: d.marker.Created.Format(time.DateOnly), Bytes: p.bytes, MB: round(float64(p.bytes)/(1<<20), 1)}}

	out, err := runCmd(r.ctx, 2*time.Minute, d.dir, nil, r.kluisBin,
		append([]string{"token", "create", "--tenant", "demo", "--user", "integration@demo.kluis.test", "--name", "bench", "--ttl", "24h", "--scopes", "candidates:read"}, d.kluisArgs()...)...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errUnservable, err)
	}
	r.token = strings.TrimSpace(string(out))

	if run.Plans, err = queryPlans(r.ctx, d, p); err != nil {
		return nil, err
	}

	// Start-up, alternating kluis and bare; the last of each stays up.
	logf("%s %d: start-up ×%d", d.db, d.size, cfg.startupReps)
	for i := range cfg.startupReps {
		last := i == cfg.startupReps-1
		k, kt, err := r.startKluis("main")
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errUnservable, err)
		}
		b, bt, err := r.startBare("main")
		if err != nil {
			k.stop()
			return nil, err
		}
		run.Startup.KluisMS = append(run.Startup.KluisMS, ms(kt))
		run.Startup.BareMS = append(run.Startup.BareMS, ms(bt))
		if last {
			r.kluis, r.bare = k, b
		} else {
			k.stop()
			b.stop()
		}
	}
	run.Startup.KluisMedian, run.Startup.BareMedian = median(run.Startup.KluisMS), median(run.Startup.BareMS)

	time.Sleep(500 * time.Millisecond)
	run.Memory.KluisIdleMB = round(rssMB(r.kluis.pid(), "VmRSS"), 1)
	run.Memory.BareIdleMB = round(rssMB(r.bare.pid(), "VmRSS"), 1)

	reads := []*target{r.kluisRead(r.kluis), r.bareRead(r.bare)}
	for _, t := range reads {
		if err := check(t); err != nil {
			if t.name == "kluis" {
				err = fmt.Errorf("%w: %w", errUnservable, err)
			}
			return nil, err
		}
	}
	seed := uint64(cfg.seed)
	if cfg.warmup > 0 {
		logf("%s %d: warm-up", d.db, d.size)
		for _, t := range reads {
			closedLoop(r.ctx, t, 4, cfg.warmup, seed)
		}
	}
	// Each read step runs -reps times per server, the servers taking turns
	// in alternating order (ABBA…); the repetition with the lowest p99
	// (fixed rates) or the highest throughput (max) is reported, as the one
	// least disturbed by the other work on the machine. All are kept.
	for i, rate := range cfg.loads {
		logf("%s %d: read at %g req/s (×%d)", d.db, d.size, rate, cfg.reps)
		var reps [][]step
		for rep := range cfg.reps {
			reps = append(reps, pair(i+rep, reads, func(t *target) step {
				return openLoop(r.ctx, t, rate, cfg.duration, cfg.maxInflight, seed+uint64(i)+uint64(rep)<<8)
			}))
		}
		run.Read = append(run.Read, best(reps, func(a, b step) bool { return a.P99 < b.P99 })...)
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
	}
	logf("%s %d: read at max throughput (%d clients, ×%d)", d.db, d.size, cfg.concurrency, cfg.reps)
	pids := map[string]int{"kluis": r.kluis.pid(), "bare": r.bare.pid()}
	var reps [][]step
	for rep := range cfg.reps {
		reps = append(reps, pair(len(cfg.loads)+rep, reads, func(t *target) step {
			s := sampleRSS(pids[t.name])
			st := closedLoop(r.ctx, t, cfg.concurrency, cfg.duration, seed+99+uint64(rep)<<8)
			st.RSSMaxMB = round(s.stop(), 1)
			return st
		}))
	}
	maxSteps := best(reps, func(a, b step) bool { return a.AchievedRPS > b.AchievedRPS })
	for i := range maxSteps {
		for _, rs := range reps {
			maxSteps[i].RSSMaxMB = max(maxSteps[i].RSSMaxMB, rs[i].RSSMaxMB)
		}
	}
	run.Read = append(run.Read, maxSteps...)
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}

	for i, kind := range []string{"name", "city"} {
		byCity := kind == "city"
		ts := []*target{r.searchTarget("kluis", r.kluis, byCity, false), r.searchTarget("bare", r.bare, byCity, false),
			r.searchTarget("bare+count", r.bare, byCity, true)}
		for _, t := range ts {
			if err := check(t); err != nil {
				if t.name == "kluis" {
					err = fmt.Errorf("%w: %w", errUnservable, err)
				}
				return nil, err
			}
		}
		logf("%s %d: search by %s at %g req/s", d.db, d.size, kind, cfg.searchRate)
		for _, st := range pair(i, ts, func(t *target) step {
			return openLoop(r.ctx, t, cfg.searchRate, cfg.searchDur, cfg.maxInflight, seed+uint64(10+i))
		}) {
			run.Search = append(run.Search, searchStep{Kind: kind, step: st})
		}
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
	}
	run.Memory.KluisLoadMB = stepOf(run.Read, "kluis", "max").RSSMaxMB
	run.Memory.BareLoadMB = stepOf(run.Read, "bare", "max").RSSMaxMB
	run.Memory.KluisPeakMB = round(rssMB(r.kluis.pid(), "VmHWM"), 1)
	run.Memory.BarePeakMB = round(rssMB(r.bare.pid(), "VmHWM"), 1)
	r.stopServers()

	for _, sc := range laterScenarios {
		if sc.measure == nil {
			continue // the feature does not exist yet
		}
		v, err := sc.measure(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sc.Name, err)
		}
		if run.Later == nil {
			run.Later = map[string]any{}
		}
		run.Later[sc.Name] = v
	}

	if r.profBin != "" {
		prof, err := r.profile()
		if err != nil {
			return nil, fmt.Errorf("profile: %w", err)
		}
		run.Profile = prof
	}
	run.LoadAvgEnd = loadAvg()
	return run, nil
}

// profile runs the profiling build of kluis: through a few start-ups (CPU
// and allocations), under the max read load, and under name searches, and
// summarises where the time and memory went.
func (r *runEnv) profile() (*profileInfo, error) {
	cfg, d := r.cfg, r.d
	info := &profileInfo{}
	base := func(what string) string { return filepath.Join(cfg.tmp, fmt.Sprintf("%s-%d-%s", d.db, d.size, what)) }
	pprofTop := func(args ...string) (string, error) {
		out, err := runCmd(r.ctx, 2*time.Minute, cfg.root, nil, "go", append([]string{"tool", "pprof", "-top"}, args...)...)
		return string(out), err
	}
	header := func(what, extra string) string {
		return fmt.Sprintf("Profile of kluis serve (%s %d), %s, taken by: %s\n%s\n\n", d.db, d.size, what, cfg.command, extra)
	}

	// Start-up: merge the profiles of a few starts, each stopped once ready.
	// The CPU profiler starts in main, after the package initialisers, so
	// those are timed by the runtime itself (GODEBUG=inittrace=1).
	logf("%s %d: profile of kluis serve start-up", d.db, d.size)
	var cpus, heaps []string
	inits := map[string][]initCost{}
	for i := range cfg.startupReps {
		cpu, heap := base(fmt.Sprintf("startup%d.cpu", i)), base(fmt.Sprintf("startup%d.heap", i))
		k, _, err := r.startKluisEnv(fmt.Sprintf("prof-startup%d", i), []string{"KLUIS_BENCH_CPUPROFILE=" + cpu, "KLUIS_BENCH_HEAPPROFILE=" + heap, "GODEBUG=inittrace=1"})
		if err != nil {
			return nil, err
		}
		k.stop()
		cpus, heaps = append(cpus, cpu), append(heaps, heap)
		logText, _ := os.ReadFile(k.logPath)
		for _, c := range parseInitTrace(string(logText)) {
			inits[c.Package] = append(inits[c.Package], c)
		}
	}
	info.Inits = medianInits(inits, 6)
	cpuTop, err := pprofTop(append([]string{"-cum", "-nodecount=60", r.profBin}, cpus...)...)
	if err != nil {
		return nil, err
	}
	allocTop, err := pprofTop(append([]string{"-cum", "-nodecount=60", "-sample_index=alloc_space", r.profBin}, heaps...)...)
	if err != nil {
		return nil, err
	}
	info.StartupFile = fmt.Sprintf("profile-%s-%d-startup.txt", d.db, d.size)
	var it strings.Builder
	for _, c := range info.Inits {
		fmt.Fprintf(&it, "%-50s %8.1f ms %8.1f MB\n", c.Package, c.ClockMS, c.MB)
	}
	text := header("start-up", fmt.Sprintf("%d start-ups, each stopped as soon as /readyz answered 200.", cfg.startupReps)) +
		"--- package initialisers (GODEBUG=inittrace=1; median clock time and bytes allocated, largest first) ---\n" + it.String() +
		"\n--- CPU from main on (the profiler starts after the initialisers) ---\n" + cpuTop +
		"\n--- allocations from process start (alloc_space; start-up garbage stays resident until the Go runtime returns it) ---\n" + allocTop
	if err := os.WriteFile(filepath.Join(cfg.out, info.StartupFile), []byte(text), 0o644); err != nil {
		return nil, err
	}
	info.StartupAlloc = hotSpots(allocTop, startupPatterns)

	for _, what := range []string{"read", "search"} {
		logf("%s %d: CPU profile of kluis serve under %s load", d.db, d.size, what)
		file := base(what + ".cpu")
		k, _, err := r.startKluisEnv("prof-"+what, []string{"KLUIS_BENCH_CPUPROFILE=" + file})
		if err != nil {
			return nil, err
		}
		t := r.kluisRead(k)
		conc := cfg.concurrency
		if what == "search" {
			t, conc = r.searchTarget("kluis", k, false, false), 4
		}
		st := closedLoop(r.ctx, t, conc, cfg.duration, uint64(cfg.seed)+7)
		k.stop()
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
		top, err := pprofTop("-nodecount=40", r.profBin, file)
		if err != nil {
			return nil, err
		}
		cum, err := pprofTop("-cum", "-nodecount=400", r.profBin, file)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("profile-%s-%d-%s.txt", d.db, d.size, what)
		text := header(what+" load", fmt.Sprintf("%d clients in a closed loop for %s; %s req/s answered by kluisprof (kluis with the CPU profiler on). The profile spans the whole process, start-up included.", conc, cfg.duration, num(st.AchievedRPS))) +
			top + "\n--- by cumulative time ---\n" + firstLines(cum, 70)
		if err := os.WriteFile(filepath.Join(cfg.out, name), []byte(text), 0o644); err != nil {
			return nil, err
		}
		shares := hotSpots(cum, hotPatterns)
		if what == "read" {
			info.ReadFile, info.Read = name, shares
		} else {
			info.SearchFile, info.Search = name, shares
		}
	}
	return info, nil
}

// best picks, for each target, the repetition that better prefers, and
// notes the p99 and throughput of every repetition on it.
func best(reps [][]step, better func(a, b step) bool) []step {
	out := slices.Clone(reps[0])
	for i := range out {
		for _, rs := range reps[1:] {
			if better(rs[i], out[i]) {
				out[i] = rs[i]
			}
		}
		out[i].RepsP99, out[i].RepsRPS = nil, nil
		for _, rs := range reps {
			out[i].RepsP99 = append(out[i].RepsP99, rs[i].P99)
			out[i].RepsRPS = append(out[i].RepsRPS, rs[i].AchievedRPS)
		}
	}
	return out
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return round((s[len(s)/2-1]+s[len(s)/2])/2, 3)
}

func stepOf(steps []step, target, mode string) step {
	for _, s := range steps {
		if s.Target == target && s.Mode == mode {
			return s
		}
	}
	return step{}
}

// initCost is one package initialiser's cost, as GODEBUG=inittrace=1 prints it:
// "init kluis/internal/web @2.3 ms, 141 ms clock, 67119776 bytes, 952 allocs".
type initCost struct {
	Package string  `json:"package"`
	ClockMS float64 `json:"clock_ms"`
	MB      float64 `json:"mb"`
}

func parseInitTrace(log string) []initCost {
	var out []initCost
	for _, line := range strings.Split(log, "\n") {
		f := strings.Fields(line)
		// init PKG @T ms, C ms clock, B bytes, A allocs
		if len(f) < 11 || f[0] != "init" || f[6] != "clock," || f[8] != "bytes," {
			continue
		}
		c, err1 := strconv.ParseFloat(f[4], 64)
		b, err2 := strconv.ParseFloat(f[7], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, initCost{Package: f[1], ClockMS: c, MB: round(b/(1<<20), 1)})
	}
	return out
}

// medianInits returns the n initialisers with the largest median clock
// time, and their total as the first entry ("all packages").
func medianInits(by map[string][]initCost, n int) []initCost {
	var all []initCost
	total := initCost{Package: "all packages"}
	for pkg, cs := range by {
		var clocks, mbs []float64
		for _, c := range cs {
			clocks, mbs = append(clocks, c.ClockMS), append(mbs, c.MB)
		}
		c := initCost{Package: pkg, ClockMS: round(median(clocks), 1), MB: round(median(mbs), 1)}
		total.ClockMS += c.ClockMS
		total.MB += c.MB
		all = append(all, c)
	}
	slices.SortFunc(all, func(a, b initCost) int {
		if a.ClockMS != b.ClockMS {
			if a.ClockMS > b.ClockMS {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Package, b.Package)
	})
	total.ClockMS, total.MB = round(total.ClockMS, 1), round(total.MB, 1)
	return append([]initCost{total}, all[:min(n, len(all))]...)
}

// kluisBuild names the source kluis was built from: a hash of its sources
// (cmd/ and internal/, tests left out), and the VCS revision and time that
// go build stamps into a binary unless -buildvcs=false.
func kluisBuild(bin, root string) string {
	src := "sources " + treeHash(root, "cmd", "internal")
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		return src
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return src
	}
	out := src + ", revision " + rev[:min(len(rev), 12)]
	if at != "" {
		out += " of " + at
	}
	if modified == "true" {
		out += ", with uncommitted changes"
	}
	return out
}
