package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
)

// results is results.json: the runs of every database and size measured so
// far (a run replaces an earlier one of the same database and size).
type results struct {
	Generated      time.Time       `json:"generated"`
	Command        string          `json:"command"` // of the latest invocation
	Seconds        float64         `json:"seconds"` // wall time of the latest invocation
	Machine        machine         `json:"machine"`
	Settings       settings        `json:"settings"`
	Runs           []*runResult    `json:"runs"`
	NotYetMeasured []laterScenario `json:"not_yet_measured"`
}

type machine struct {
	CPU        string  `json:"cpu"`
	Cores      int     `json:"cores"`
	MemoryGiB  float64 `json:"memory_gib"`
	Kernel     string  `json:"kernel"`
	Go         string  `json:"go"`
	SQLite     string  `json:"sqlite,omitempty"`
	SQLiteGo   string  `json:"sqlite_driver,omitempty"`
	Postgres   string  `json:"postgres,omitempty"`
	PostgresGo string  `json:"postgres_driver,omitempty"`
}

type settings struct {
	DurationS      float64   `json:"step_seconds"`
	WarmupS        float64   `json:"warmup_seconds"`
	Loads          []float64 `json:"loads_rps"`
	Concurrency    int       `json:"max_clients"`
	MaxInflight    int       `json:"max_inflight"`
	SearchRate     float64   `json:"search_rps"`
	SearchS        float64   `json:"search_step_seconds"`
	Reps           int       `json:"read_reps"`
	StartupReps    int       `json:"startup_reps"`
	RequestTimeout float64   `json:"request_timeout_seconds"`
	Seed           int64     `json:"seed"`
}

type runResult struct {
	DB           string            `json:"db"`
	Size         int               `json:"size"`
	MeasuredAt   time.Time         `json:"measured_at"`
	Command      string            `json:"command"`
	Kluis        string            `json:"kluis"`          // the source measured: VCS revision of the kluis build
	LoadAvgStart float64           `json:"load_avg_start"` // 1-minute load average of the machine
	LoadAvgEnd   float64           `json:"load_avg_end"`
	DBVersion    string            `json:"db_version"`
	Dataset      datasetInfo       `json:"dataset"`
	Startup      startupInfo       `json:"startup"`
	Memory       memoryInfo        `json:"memory"`
	Read         []step            `json:"read"`
	Search       []searchStep      `json:"search"`
	Plans        map[string]string `json:"plans"`
	Profile      *profileInfo      `json:"profile,omitempty"`
	Later        map[string]any    `json:"later,omitempty"` // results of laterScenarios, once they exist
	Settings     *settings         `json:"settings,omitempty"`
}

type datasetInfo struct {
	Candidates        int     `json:"candidates"` // generated and hand-made
	Reused            bool    `json:"reused"`
	GeneratedOn       string  `json:"generated_on"`
	GenerationSeconds float64 `json:"generation_seconds"`
	Bytes             int64   `json:"bytes"`
	MB                float64 `json:"mb"`
}

type startupInfo struct {
	KluisMS     []float64 `json:"kluis_ms"`
	BareMS      []float64 `json:"bare_ms"`
	KluisMedian float64   `json:"kluis_median_ms"`
	BareMedian  float64   `json:"bare_median_ms"`
}

type memoryInfo struct {
	KluisIdleMB float64 `json:"kluis_idle_mb"`
	BareIdleMB  float64 `json:"bare_idle_mb"`
	KluisLoadMB float64 `json:"kluis_max_load_mb"` // largest VmRSS sampled during the max-throughput step
	BareLoadMB  float64 `json:"bare_max_load_mb"`
	KluisPeakMB float64 `json:"kluis_peak_mb"` // VmHWM after all steps
	BarePeakMB  float64 `json:"bare_peak_mb"`
}

type searchStep struct {
	Kind string `json:"kind"` // "name" (last-name prefix) or "city"
	step
}

type profileInfo struct {
	StartupFile  string     `json:"startup_file"`
	Inits        []initCost `json:"startup_inits"` // the first is the total of all packages
	StartupAlloc []hotShare `json:"startup_alloc"`
	ReadFile     string     `json:"read_file"`
	Read         []hotShare `json:"read"`
	SearchFile   string     `json:"search_file"`
	Search       []hotShare `json:"search"`
}

type hotShare struct {
	Label string  `json:"label"`
	Pct   float64 `json:"cum_pct"` // share of the process's CPU samples
}

func loadResults(path string, fresh bool) *results {
	res := &results{}
	if fresh {
		return res
	}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, res); err != nil {
			logf("ignoring %s: %v", path, err)
			res = &results{}
		}
	}
	return res
}

// put adds run, replacing an earlier run of the same database and size.
func (res *results) put(run *runResult) {
	res.Runs = slices.DeleteFunc(res.Runs, func(r *runResult) bool { return r.DB == run.DB && r.Size == run.Size })
	res.Runs = append(res.Runs, run)
	slices.SortFunc(res.Runs, func(a, b *runResult) int {
		if c := cmp.Compare(dbOrder(a.DB), dbOrder(b.DB)); c != 0 {
			return c
		}
		return cmp.Compare(a.Size, b.Size)
	})
}

func dbOrder(db string) int {
	if db == "sqlite" {
		return 0
	}
	return 1
}

// write writes results.json, the plots and the doc's results section.
func (res *results) write(cfg *config) error {
	if !cfg.reportOnly {
		res.Generated = time.Now().UTC().Truncate(time.Second)
	}
	res.Command = cfg.command
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.out, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	for _, run := range res.Runs {
		svg := latencySVG(run)
		if err := os.WriteFile(filepath.Join(cfg.out, plotName(run)), []byte(svg), 0o644); err != nil {
			return err
		}
	}
	if cfg.doc == "" {
		return nil
	}
	rel, err := filepath.Rel(filepath.Dir(cfg.doc), cfg.out)
	if err != nil {
		rel = cfg.out
	}
	return replaceResults(cfg.doc, res.markdown(filepath.ToSlash(rel)))
}

func plotName(run *runResult) string { return fmt.Sprintf("latency-%s-%d.svg", run.DB, run.Size) }

const (
	startMarker = "<!-- results:start -->"
	endMarker   = "<!-- results:end -->"
)

// replaceResults puts section between the markers of the doc, creating the
// doc (or the markers, at its end) if missing; the text around them is left
// as it is.
func replaceResults(path, section string) error {
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := string(b)
	block := startMarker + "\n" + section + "\n" + endMarker
	i, j := strings.Index(doc, startMarker), strings.Index(doc, endMarker)
	switch {
	case i >= 0 && j > i:
		doc = doc[:i] + block + doc[j+len(endMarker):]
	case doc == "":
		doc = "# Performance\n\n" + block + "\n"
	default:
		doc = strings.TrimRight(doc, "\n") + "\n\n" + block + "\n"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}

func settingsOf(cfg *config) settings {
	return settings{DurationS: cfg.duration.Seconds(), WarmupS: cfg.warmup.Seconds(), Loads: cfg.loads,
		Concurrency: cfg.concurrency, MaxInflight: cfg.maxInflight, SearchRate: cfg.searchRate, SearchS: cfg.searchDur.Seconds(), Reps: cfg.reps,
		StartupReps: cfg.startupReps, RequestTimeout: cfg.requestLimit.Seconds(), Seed: cfg.seed}
}

func machineInfo() machine {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fs := strings.Fields(sc.Text()); len(fs) >= 2 && fs[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(fs[1], 64)
				m.MemoryGiB = round(kb/(1<<20), 1)
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			switch dep.Path {
			case "modernc.org/sqlite":
				m.SQLiteGo = dep.Path + " " + dep.Version
			case "github.com/jackc/pgx/v5":
				m.PostgresGo = dep.Path + " " + dep.Version
			}
		}
	}
	return m
}

// loadAvg is the machine's 1-minute load average: how busy the shared
// machine was around a run.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	fs := strings.Fields(string(b))
	if len(fs) == 0 {
		return 0
	}
	x, _ := strconv.ParseFloat(fs[0], 64)
	return x
}

// hotPatterns are the parts of kluis's request path whose share of CPU
// time the profile summary reports: the largest cumulative share among the
// functions whose name contains the pattern.
var hotPatterns = []struct{ label, pattern string }{
	{"HTTP server, everything (net/http conn.serve)", "net/http.(*conn).serve"},
	{"kluis middleware and handlers (web.Server.ServeHTTP)", "kluis/internal/web.(*Server).ServeHTTP"},
	{"token check (store.Authenticate: SHA-256 + a JOIN)", "kluis/internal/store.(*DB).Authenticate"},
	{"candidate read (store.Candidate, in its transaction)", "kluis/internal/store.(*DB).Candidate"},
	{"subject key (vault.Key: a query and an unwrap, unless cached)", "kluis/internal/vault.(*Vault).Key"},
	{"opening sealed columns (store table.open)", "kluis/internal/store.(*table[…]).open"},
	{"AES-GCM (crypto/internal/fips140/aes)", "crypto/internal/fips140/aes"},
	{"field projection by role (access.Projector.Project)", "kluis/internal/access.(*Projector).Project"},
	{"personal-data catalogue lookups (catalog.Catalog.Fields)", "kluis/internal/catalog.(*Catalog).Fields"},
	{"JSON decoding (encoding/json.Unmarshal)", "encoding/json.Unmarshal"},
	{"search (store.ListCandidates: count(*) + page)", "kluis/internal/store.(*DB).ListCandidates"},
	{"begin read transaction (sql.DB.BeginTx)", "database/sql.(*DB).BeginTx"},
	{"end read transaction (sql.Tx.Rollback)", "database/sql.(*Tx).Rollback"},
	{"access log (log/slog)", "log/slog.(*Logger).log"},
	{"JSON, all (encoding/json)", "encoding/json."},
	{"request id (crypto/rand)", "kluis/internal/web.newRequestID"},
	{"cross-origin check (http.CrossOriginProtection)", "net/http.(*CrossOriginProtection)"},
	{"SQLite engine (modernc.org/sqlite/lib)", "modernc.org/sqlite/lib."},
	{"PostgreSQL driver (pgx)", "github.com/jackc/pgx/v5"},
	{"garbage collector (runtime.gcBgMarkWorker)", "runtime.gcBgMarkWorker"},
	{"SQL compilation in SQLite (sqlite3RunParser; statements are not prepared once)", "modernc.org/sqlite/lib._sqlite3RunParser"},
	{"system calls", "Syscall"},
}

// startupPatterns are the parts of kluis's start-up the profile summary
// reports.
var startupPatterns = []struct{ label, pattern string }{
	{"package initialisers (runtime.doInit)", "runtime.doInit1"},
	{"argon2id hash of the dummy password (web package init)", "golang.org/x/crypto/argon2.IDKey"},
	{"page templates (web.parsePages)", "kluis/internal/web.parsePages"},
	{"open the database (store.Open)", "kluis/internal/store.Open"},
	{"schema check (cli.prepareSchema)", "kluis/internal/cli.prepareSchema"},
}

// hotSpots reads `go tool pprof -top -cum` output: for each pattern, the
// largest cumulative share of a function whose name contains it.
func hotSpots(cumTop string, patterns []struct{ label, pattern string }) []hotShare {
	best := map[string]float64{}
	for _, line := range strings.Split(cumTop, "\n") {
		fs := strings.Fields(line)
		if len(fs) < 6 || !strings.HasSuffix(fs[4], "%") {
			continue
		}
		pct, err := strconv.ParseFloat(strings.TrimSuffix(fs[4], "%"), 64)
		if err != nil {
			continue
		}
		name := strings.Join(fs[5:], " ")
		for _, h := range patterns {
			if matches(name, h.pattern) && pct > best[h.label] {
				best[h.label] = pct
			}
		}
	}
	var out []hotShare
	for _, h := range patterns {
		if v, ok := best[h.label]; ok {
			out = append(out, hotShare{Label: h.label, Pct: v})
		}
	}
	return out
}

// matches reports whether name contains the parts of pattern separated by
// "…", in order.
func matches(name, pattern string) bool {
	for _, part := range strings.Split(pattern, "…") {
		i := strings.Index(name, part)
		if i < 0 {
			return false
		}
		name = name[i+len(part):]
	}
	return true
}
