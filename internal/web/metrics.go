package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"kluis/internal/importer"
	"kluis/internal/kluis"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency
// histogram: from a cached page to a large upload.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// requestMetrics counts requests by route pattern — never the path, which
// holds ids and would make a series per record — and by status class.
type requestMetrics struct {
	mu      sync.Mutex
	started time.Time
	count   map[requestKey]uint64
	latency map[routeKey]*histogram
}

type routeKey struct{ method, route string }

type requestKey struct {
	routeKey
	class string // "2xx", "4xx", …
}

type histogram struct {
	buckets []uint64 // per bound in latencyBuckets, not cumulative
	sum     float64
	count   uint64
}

func newRequestMetrics(now time.Time) *requestMetrics {
	return &requestMetrics{started: now, count: map[requestKey]uint64{}, latency: map[routeKey]*histogram{}}
}

// observe records one request. pattern is the route that served it ("" for
// none): a method the client made up or a path kluis does not serve is
// counted under "unmatched", so clients cannot add series at will.
func (m *requestMetrics) observe(pattern string, status int, d time.Duration) {
	rk := routeKey{"-", "unmatched"}
	if method, route, ok := strings.Cut(pattern, " "); ok {
		rk = routeKey{method, route}
	} else if pattern != "" {
		rk.route = pattern
	}
	class := strconv.Itoa(status/100) + "xx"
	m.mu.Lock()
	defer m.mu.Unlock()
	m.count[requestKey{rk, class}]++
	h := m.latency[rk]
	if h == nil {
		h = &histogram{buckets: make([]uint64, len(latencyBuckets))}
		m.latency[rk] = h
	}
	s := d.Seconds()
	for i, b := range latencyBuckets {
		if s <= b {
			h.buckets[i]++
			break
		}
	}
	h.sum += s
	h.count++
}

var (
	errNotFound     = kluis.Errorf(kluis.ENotFound, "Deze pagina bestaat niet.", "This page does not exist.")
	errMetricsToken = kluis.Errorf(kluis.EUnauthorized, "Geef het token voor de meetgegevens.", "Give the metrics token.")
)

// EnableMetrics serves GET /metrics to callers that send token as a bearer
// token. Without a call (or with an empty token) /metrics is not served:
// the figures say how busy the agency is and are no one else's business.
func (s *Server) EnableMetrics(token string) { s.metricsToken = token }

// serveMetrics writes the figures in the Prometheus text format (0.0.4).
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	if s.metricsToken == "" {
		return errNotFound
	}
	const prefix = "Bearer "
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, prefix) || subtle.ConstantTimeCompare([]byte(auth[len(prefix):]), []byte(s.metricsToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kluis metrics"`)
		return errMetricsToken
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	var b strings.Builder
	s.metrics.write(&b, s.clock.Now())
	if err := s.writeJobMetrics(ctx, &b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, err := io.WriteString(w, b.String())
	return err
}

func (m *requestMetrics) write(b *strings.Builder, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b.WriteString("# HELP kluis_http_requests_total HTTP requests served, by route pattern and status class.\n")
	b.WriteString("# TYPE kluis_http_requests_total counter\n")
	keys := make([]requestKey, 0, len(m.count))
	for k := range m.count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		if a.route != c.route {
			return a.route < c.route
		}
		if a.method != c.method {
			return a.method < c.method
		}
		return a.class < c.class
	})
	for _, k := range keys {
		fmt.Fprintf(b, "kluis_http_requests_total{method=%s,route=%s,status=%s} %d\n", label(k.method), label(k.route), label(k.class), m.count[k])
	}
	b.WriteString("# HELP kluis_http_request_duration_seconds Time to answer an HTTP request, by route pattern.\n")
	b.WriteString("# TYPE kluis_http_request_duration_seconds histogram\n")
	routes := make([]routeKey, 0, len(m.latency))
	for k := range m.latency {
		routes = append(routes, k)
	}
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].route != routes[j].route {
			return routes[i].route < routes[j].route
		}
		return routes[i].method < routes[j].method
	})
	for _, k := range routes {
		h := m.latency[k]
		ls := "method=" + label(k.method) + ",route=" + label(k.route)
		var cum uint64
		for i, bound := range latencyBuckets {
			cum += h.buckets[i]
			fmt.Fprintf(b, "kluis_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", ls, strconv.FormatFloat(bound, 'f', -1, 64), cum)
		}
		fmt.Fprintf(b, "kluis_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", ls, h.count)
		fmt.Fprintf(b, "kluis_http_request_duration_seconds_sum{%s} %s\n", ls, strconv.FormatFloat(h.sum, 'f', -1, 64))
		fmt.Fprintf(b, "kluis_http_request_duration_seconds_count{%s} %d\n", ls, h.count)
	}
	gauge(b, "kluis_uptime_seconds", "Seconds since this process started serving.", now.Sub(m.started).Seconds())
	gauge(b, "kluis_goroutines", "Goroutines of this process.", float64(runtime.NumGoroutine()))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge(b, "kluis_heap_bytes", "Bytes of allocated heap objects.", float64(ms.HeapAlloc))
}

// writeJobMetrics adds the background work, read from the database: it is
// shared by every kluis process on it, so each reports the same figures.
func (s *Server) writeJobMetrics(ctx context.Context, b *strings.Builder) error {
	f, err := s.db.Figures(ctx)
	if err != nil {
		return err
	}
	b.WriteString("# HELP kluis_outbox_messages E-mail in the outbox, by state.\n# TYPE kluis_outbox_messages gauge\n")
	for _, state := range statesOf(f.Outbox, "pending", "sending", "sent", "failed") {
		fmt.Fprintf(b, "kluis_outbox_messages{state=%s} %d\n", label(state), f.Outbox[state])
	}
	age := 0.0
	if !f.OldestPending.IsZero() {
		age = max(0, s.clock.Now().Sub(f.OldestPending).Seconds())
	}
	gauge(b, "kluis_outbox_oldest_pending_seconds", "Age of the oldest e-mail waiting to be sent; 0 when none waits.", age)
	b.WriteString("# HELP kluis_cleanup_runs Clean-up runs, by state.\n# TYPE kluis_cleanup_runs gauge\n")
	for _, state := range statesOf(f.CleanupRuns, "running", "done", "failed") {
		fmt.Fprintf(b, "kluis_cleanup_runs{state=%s} %d\n", label(state), f.CleanupRuns[state])
	}
	b.WriteString("# HELP kluis_statement_sends Jobs that e-mail the privacy statement to every candidate, by state.\n# TYPE kluis_statement_sends gauge\n")
	for _, state := range statesOf(f.StatementSends, "running", "done") {
		fmt.Fprintf(b, "kluis_statement_sends{state=%s} %d\n", label(state), f.StatementSends[state])
	}
	b.WriteString("# HELP kluis_statement_send_candidates What those jobs did with each candidate, added up: sent, skipped (no address, restricted, had it) or failed.\n# TYPE kluis_statement_send_candidates gauge\n")
	for _, result := range []string{"sent", "skipped", "failed"} {
		fmt.Fprintf(b, "kluis_statement_send_candidates{result=%s} %d\n", label(result), f.StatementMessages[result])
	}
	s.imports.write(b)
	b.WriteString("# HELP kluis_erasures Erasure records, by whether the erasure was complete or kept what a law requires.\n# TYPE kluis_erasures gauge\n")
	fmt.Fprintf(b, "kluis_erasures{complete=\"true\"} %d\n", f.ErasuresComplete)
	fmt.Fprintf(b, "kluis_erasures{complete=\"false\"} %d\n", f.Erasures-f.ErasuresComplete)
	return nil
}

// statesOf lists the known states first, so that they are always
// reported (0 included), then any other state the database holds.
func statesOf(m map[string]int, known ...string) []string {
	out := append([]string{}, known...)
	var rest []string
	for k := range m {
		if !strings.Contains(" "+strings.Join(known, " ")+" ", " "+k+" ") {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func gauge(b *strings.Builder, name, help string, v float64) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, strconv.FormatFloat(v, 'f', -1, 64))
}

// label quotes a label value as the text format wants it.
func label(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v) + `"`
}

// importMetrics counts the imports this process ran through the API, by
// outcome, and the rows the written ones stored. An import with `kluis
// import` runs in a process of its own and is not counted here.
type importMetrics struct {
	mu   sync.Mutex
	runs map[string]uint64
	rows uint64
}

// importOutcomes are the outcomes of an import, always reported.
var importOutcomes = []string{"written", "dry-run", "refused", "failed"}

// observe records one import: rep is nil when it failed outright.
func (m *importMetrics) observe(rep *importer.Report) {
	outcome, rows := "failed", 0
	switch {
	case rep == nil:
	case !rep.OK():
		outcome = "refused"
	case rep.Written:
		outcome = "written"
		for _, f := range rep.Files {
			rows += f.Rows
		}
	default:
		outcome = "dry-run"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.runs == nil {
		m.runs = map[string]uint64{}
	}
	m.runs[outcome]++
	m.rows += uint64(rows) // #nosec G115 -- a count of rows is never negative
}

func (m *importMetrics) write(b *strings.Builder) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b.WriteString("# HELP kluis_imports_total Imports through the API since this process started, by outcome: written, dry-run, refused (problems in the files), failed.\n# TYPE kluis_imports_total counter\n")
	for _, o := range importOutcomes {
		fmt.Fprintf(b, "kluis_imports_total{outcome=%s} %d\n", label(o), m.runs[o])
	}
	b.WriteString("# HELP kluis_import_rows_total Rows stored by the written imports since this process started.\n# TYPE kluis_import_rows_total counter\n")
	fmt.Fprintf(b, "kluis_import_rows_total %d\n", m.rows)
}
