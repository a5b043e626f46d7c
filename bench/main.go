// Command bench is kluis's benchmark harness. For each data set size and
// database it builds kluis, creates (or reuses) a generated data set, starts
// `kluis serve` and a bare baseline server — a minimal Go HTTP server in this
// program that answers the same reads with one SELECT each and nothing else —
// and drives both, side by side in the same run, with a built-in load
// generator on loopback. Every figure it reports is meant to be read as a
// ratio against the bare baseline measured in the same run: the machines it
// runs on are small, shared and noisy.
//
//	go run ./bench -sizes 10000,100000 -db sqlite,postgres -out docs/perf
//
// It writes docs/perf/results.json (merged with earlier runs by database and
// size), one latency plot per database and size (docs/perf/latency-DB-SIZE.svg)
// and the results section of docs/PERFORMANCE.md. See bench/README.md.
//
// `bench bare-serve …` is the bare baseline server itself; the driver starts
// it as a subprocess so that its memory and start-up can be measured like
// kluis's.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// config is everything the flags say.
type config struct {
	sizes        []int
	dbs          []string
	out          string
	doc          string
	data         string
	pgBase       string
	duration     time.Duration
	warmup       time.Duration
	loads        []float64
	concurrency  int
	maxInflight  int
	searchRate   float64
	searchDur    time.Duration
	reps         int
	startupReps  int
	profile      bool
	fresh        bool
	regen        bool
	seed         int64
	root         string // the module's root directory
	tmp          string // removed at the end
	command      string // the command line as given
	requestLimit time.Duration
	reportOnly   bool
	prepareOnly  bool
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare-serve" {
		os.Exit(bareMain(os.Args[2:]))
	}
	os.Exit(run())
}

func run() (code int) {
	cfg, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	if cfg.reportOnly {
		res := loadResults(filepath.Join(cfg.out, "results.json"), false)
		cfg.command = res.Command // the doc names the command that measured
		if err := res.write(cfg); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// Every subprocess goes, whatever happens: normal end, error, panic or signal.
	defer procs.killAll()
	defer func() {
		if p := recover(); p != nil {
			procs.killAll()
			panic(p)
		}
	}()

	cfg.tmp, err = os.MkdirTemp("", "kluis-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	defer os.RemoveAll(cfg.tmp)

	if err := drive(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./bench [flags]\n\nMeasures kluis against a bare baseline server, side by side. Flags:\n")
		fs.PrintDefaults()
	}
	cache, _ := os.UserCacheDir()
	if cache == "" {
		cache = os.TempDir()
	}
	sizes := fs.String("sizes", "10000,100000", "data set sizes (generated candidates), comma-separated; 1000000 is opt-in")
	dbs := fs.String("db", "sqlite,postgres", "databases: sqlite, postgres")
	out := fs.String("out", "docs/perf", "directory for results.json and the SVG plots")
	doc := fs.String("doc", "docs/PERFORMANCE.md", "Markdown file whose results section (between <!-- results:start --> and <!-- results:end -->) is rewritten; empty: none")
	data := fs.String("data", filepath.Join(cache, "kluis-bench"), "where the generated SQLite data sets (and PostgreSQL markers) are kept between runs")
	pg := fs.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server (loopback only); data sets go into databases kluis_bench_SIZE on it")
	dur := fs.Duration("duration", 5*time.Second, "length of each load step")
	warm := fs.Duration("warmup", 2*time.Second, "unrecorded warm-up of each server before its load steps")
	loads := fs.String("loads", "250,500,1000,2000", "fixed request rates (req/s) of the open-loop read steps; a closed-loop max-throughput step follows")
	conc := fs.Int("concurrency", 32, "clients of the closed-loop max-throughput step")
	inflight := fs.Int("max-inflight", 512, "open loop: requests in flight at most; a request due beyond that is counted as dropped")
	searchRate := fs.Float64("search-rate", 10, "fixed request rate (req/s) of the search steps")
	searchDur := fs.Duration("search-duration", 6*time.Second, "length of each search step")
	reps := fs.Int("reps", 2, "repetitions of each read step per server (alternating; the least disturbed one is reported)")
	startupReps := fs.Int("startup-reps", 3, "start-ups measured per server (the median is reported)")
	profile := fs.Bool("profile", true, "also take CPU profiles of kluis serve under the max read load and under search (a kluis built with a profiling wrapper, bench/kluisprof)")
	fresh := fs.Bool("fresh", false, "forget the runs in results.json instead of merging with them")
	regen := fs.Bool("regen", false, "generate the data sets anew even if they exist")
	seed := fs.Int64("seed", 1, "seed of the data set generator and of the request mix")
	reqLimit := fs.Duration("request-timeout", 10*time.Second, "time limit of one request")
	reportOnly := fs.Bool("report-only", false, "measure nothing: write the plots and the doc's results section again from results.json")
	prepareOnly := fs.Bool("prepare-only", false, "make (or check) the data sets, measure nothing, write no results")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg := &config{out: *out, doc: *doc, data: *data, pgBase: *pg, duration: *dur, warmup: *warm,
		concurrency: *conc, maxInflight: *inflight, searchRate: *searchRate, searchDur: *searchDur, reps: *reps, startupReps: *startupReps,
		profile: *profile, fresh: *fresh, regen: *regen, seed: *seed, requestLimit: *reqLimit, reportOnly: *reportOnly, prepareOnly: *prepareOnly}
	for _, s := range splitList(*sizes) {
		n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
		if err != nil || n < 1 || n > 10_000_000 {
			return nil, fmt.Errorf("-sizes: %q is not a size from 1 to 10000000", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	for _, d := range splitList(*dbs) {
		if d != "sqlite" && d != "postgres" {
			return nil, fmt.Errorf("-db: %q is neither sqlite nor postgres", d)
		}
		cfg.dbs = append(cfg.dbs, d)
	}
	for _, s := range splitList(*loads) {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil || r <= 0 || r > 100_000 {
			return nil, fmt.Errorf("-loads: %q is not a rate from 1 to 100000", s)
		}
		cfg.loads = append(cfg.loads, r)
	}
	switch {
	case len(cfg.sizes) == 0 || len(cfg.dbs) == 0:
		return nil, errors.New("name at least one size and one database")
	case cfg.duration < 500*time.Millisecond || cfg.duration > 10*time.Minute:
		return nil, errors.New("-duration must be between 500ms and 10m")
	case cfg.warmup < 0 || cfg.warmup > time.Minute:
		return nil, errors.New("-warmup must be between 0 and 1m")
	case cfg.concurrency < 1 || cfg.concurrency > 1024:
		return nil, errors.New("-concurrency must be between 1 and 1024")
	case cfg.maxInflight < 1 || cfg.maxInflight > 4096:
		return nil, errors.New("-max-inflight must be between 1 and 4096")
	case cfg.searchRate <= 0 || cfg.searchRate > 10_000:
		return nil, errors.New("-search-rate must be between 0 and 10000")
	case cfg.searchDur < 500*time.Millisecond || cfg.searchDur > 10*time.Minute:
		return nil, errors.New("-search-duration must be between 500ms and 10m")
	case cfg.reps < 1 || cfg.reps > 10:
		return nil, errors.New("-reps must be between 1 and 10")
	case cfg.startupReps < 1 || cfg.startupReps > 20:
		return nil, errors.New("-startup-reps must be between 1 and 20")
	case cfg.requestLimit < 100*time.Millisecond || cfg.requestLimit > time.Minute:
		return nil, errors.New("-request-timeout must be between 100ms and 1m")
	}
	if err := checkLoopbackURL(cfg.pgBase); err != nil {
		return nil, fmt.Errorf("-pg: %w", err)
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	cfg.root = root
	cfg.command = commandLine(args)
	return cfg, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// checkLoopbackURL refuses a database server that is not on this machine:
// the benchmark sends load to loopback addresses only.
func checkLoopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("want a postgres:// URL, got %q", u.Scheme)
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return nil
	}
	return fmt.Errorf("host %q is not a loopback address (127.0.0.1, localhost, ::1)", u.Hostname())
}

// moduleRoot finds the directory of kluis's go.mod, from the working
// directory upwards.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for range 64 {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(b)), "module kluis") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("run bench inside the kluis module (no go.mod of module kluis found above the working directory)")
}

// commandLine is how the run was asked for, as one would type it.
func commandLine(args []string) string {
	parts := []string{"go run ./bench"}
	for _, a := range args {
		if strings.ContainsAny(a, " \t'\"$&|;<>*?") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
