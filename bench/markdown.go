package main

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// sizeLabel writes 10000 as 10k and 1000000 as 1M.
func sizeLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

func runLabel(r *runResult) string { return r.DB + " " + sizeLabel(r.Size) }

// num writes a figure with as many digits as are worth reading.
func num(x float64) string {
	switch ax := math.Abs(x); {
	case x == 0:
		return "0"
	case ax < 1:
		return fmt.Sprintf("%.2f", x)
	case ax < 10:
		return fmt.Sprintf("%.1f", x)
	case ax < 10000:
		return fmt.Sprintf("%.0f", x)
	default:
		s := fmt.Sprintf("%.0f", x)
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		return b.String()
	}
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return "×" + fmt.Sprintf("%.2f", a/b)
}

func pct(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f %%", 100*a/b)
}

func lat3(s step) string {
	if s.OK == 0 {
		return "–"
	}
	return num(s.P50) + " / " + num(s.P90) + " / " + num(s.P99)
}

func lat2(s step) string {
	if s.OK == 0 {
		return "–"
	}
	return num(s.P50) + " / " + num(s.P99)
}

// errs notes errors and dropped requests of a step.
func errs(s step) string {
	var parts []string
	if s.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d errors (%s)", s.Errors, strings.ReplaceAll(s.FirstError, "|", "/")))
	}
	if s.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d dropped", s.Dropped))
	}
	return strings.Join(parts, ", ")
}

func searchOf(r *runResult, kind, target string) step {
	for _, s := range r.Search {
		if s.Kind == kind && s.Target == target {
			return s.step
		}
	}
	return step{}
}

func readAt(r *runResult, target string, rate float64) (step, bool) {
	for _, s := range r.Read {
		if s.Target == target && s.Mode == "rate" && s.OfferedRPS == rate {
			return s, true
		}
	}
	return step{}, false
}

// goal is the verdict on one of the goals for one run.
type goal struct {
	met  bool
	at   bool // measured where the goal applies (e.g. at 1M), not only indicative
	text string
}

func (g goal) cell() string {
	mark := "❌"
	if g.met {
		mark = "✅"
	}
	if !g.at {
		mark = "(" + mark + ")"
	}
	return mark + " " + g.text
}

var goalNames = []string{
	"API read throughput ≥ 50 % of the bare handler's (max load)",
	"API read p99 ≤ 10 ms at 1,000 req/s",
	"search p99 ≤ 20 ms at 1M candidates (worst of name and city)",
	"RSS of kluis serve ≤ 200 MB at 1M candidates (peak, VmHWM)",
	"start-up (process start → /readyz 200) ≤ 1 s",
	"stamkaart PDF ≤ 100 ms (p50, through the API)",
	"stamkaart JSON ≤ 20 ms (p50, through the API)",
}

func goals(r *runResult) []goal {
	var out []goal
	km, bm := stepOf(r.Read, "kluis", "max"), stepOf(r.Read, "bare", "max")
	if bm.AchievedRPS > 0 {
		x := km.AchievedRPS / bm.AchievedRPS
		out = append(out, goal{met: x >= 0.5, at: true, text: fmt.Sprintf("%.0f %% (%+.0f pts): %s vs %s req/s",
			100*x, 100*x-50, num(km.AchievedRPS), num(bm.AchievedRPS))})
	} else {
		out = append(out, goal{text: "not measured"})
	}
	if k, ok := readAt(r, "kluis", 1000); ok && k.OK > 0 {
		b, _ := readAt(r, "bare", 1000)
		kept := k.AchievedRPS >= 0.95*1000
		text := fmt.Sprintf("%s ms (%s), bare %s ms", num(k.P99), margin(10-k.P99, "ms"), num(b.P99))
		if !kept {
			text += fmt.Sprintf("; only %s req/s answered", num(k.AchievedRPS))
		}
		out = append(out, goal{met: k.P99 <= 10 && kept, at: true, text: text})
	} else {
		out = append(out, goal{text: "not measured (no 1,000 req/s step)"})
	}
	worst := step{}
	worstKind := ""
	for _, kind := range []string{"name", "city"} {
		if s := searchOf(r, kind, "kluis"); s.OK > 0 && s.P99 >= worst.P99 {
			worst, worstKind = s, kind
		}
	}
	if worstKind != "" {
		b := searchOf(r, worstKind, "bare")
		out = append(out, goal{met: worst.P99 <= 20 && worst.Errors == 0, at: r.Size >= 1_000_000,
			text: fmt.Sprintf("%s ms by %s (%s), bare %s ms", num(worst.P99), worstKind, margin(20-worst.P99, "ms"), num(b.P99))})
	} else {
		out = append(out, goal{text: "not measured"})
	}
	out = append(out, goal{met: r.Memory.KluisPeakMB <= 200, at: r.Size >= 1_000_000,
		text: fmt.Sprintf("%s MB (%s), bare %s MB", num(r.Memory.KluisPeakMB), margin(200-r.Memory.KluisPeakMB, "MB"), num(r.Memory.BarePeakMB))})
	out = append(out, goal{met: r.Startup.KluisMedian <= 1000, at: true,
		text: fmt.Sprintf("%s ms (%s), bare %s ms", num(r.Startup.KluisMedian), margin(1000-r.Startup.KluisMedian, "ms"), num(r.Startup.BareMedian))})
	c, _ := laterOf[cardResult](r, "stamkaart")
	for _, g := range []struct {
		target, bare string
		limit        float64
	}{{"kluis-pdf", "bare-pdf", 100}, {"kluis-json", "bare-json", 20}} {
		if c == nil || c.step(g.target).OK == 0 {
			out = append(out, goal{text: "not measured"})
			continue
		}
		k, b := c.step(g.target), c.step(g.bare)
		out = append(out, goal{met: k.P50 <= g.limit && k.Errors == 0, at: true,
			text: fmt.Sprintf("%s ms (%s; p99 %s ms), bare %s ms", num(k.P50), margin(g.limit-k.P50, "ms"), num(k.P99), num(b.P50))})
	}
	return out
}

func margin(spare float64, unit string) string {
	if spare >= 0 {
		return num(spare) + " " + unit + " to spare"
	}
	return num(-spare) + " " + unit + " over"
}

// markdown is the results section of docs/PERFORMANCE.md; perf is the path
// of the plots relative to the doc.
func (res *results) markdown(perf string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m := res.Machine
	for _, r := range res.Runs { // the version each data set was measured on
		if r.DB == "sqlite" && r.DBVersion != "" {
			m.SQLite = r.DBVersion
		}
		if r.DB == "postgres" && r.DBVersion != "" {
			m.Postgres = r.DBVersion
		}
	}
	w("_Written by the benchmark harness (`bench/`); do not edit by hand between the markers._\n\n")
	w("Latest invocation: `%s`, %s, %s of wall time.\n\n", res.Command, res.Generated.Format("2006-01-02 15:04 MST"), time.Duration(res.Seconds*float64(time.Second)).Round(time.Second))
	var cmds []string
	byCmd := map[string][]string{}
	for _, r := range res.Runs {
		if _, ok := byCmd[r.Command]; !ok {
			cmds = append(cmds, r.Command)
		}
		byCmd[r.Command] = append(byCmd[r.Command], runLabel(r)+" at "+r.MeasuredAt.Format("15:04"))
	}
	w("Measured by:\n\n")
	for _, c := range cmds {
		w("- `%s`: %s\n", c, strings.Join(byCmd[c], ", "))
	}
	w("\n")
	w("**Machine:** %s, %d cores, %s GiB; %s; %s; SQLite %s (%s); PostgreSQL %s (%s), on the same machine.\n\n",
		m.CPU, m.Cores, num(m.MemoryGiB), m.Kernel, m.Go, orDash(m.SQLite), orDash(m.SQLiteGo), orDash(m.Postgres), orDash(m.PostgresGo))
	s := res.Settings
	w("**Settings:** read steps of %s s after a %s s warm-up: open loop at %s req/s, then a closed loop of %d clients for the maximum; each step %d× per server, kluis and bare taking turns in alternating order, and the repetition least disturbed by the rest of the machine reported (lowest p99; highest throughput for the maximum; all are in results.json). Searches: %s s at %s req/s. Start-up: median of %d. At most %d requests in flight, %s s per request. Latencies in milliseconds, from the moment a request was due (open loop) to the end of its answer. kluis runs with its default log level (one access-log line per request, to a file).\n\n",
		num(s.DurationS), num(s.WarmupS), joinNums(s.Loads), s.Concurrency, max(s.Reps, 1), num(s.SearchS), num(s.SearchRate), s.StartupReps, s.MaxInflight, num(s.RequestTimeout))

	var other []string
	for _, r := range res.Runs {
		if r.Settings != nil && !slices.Equal(r.Settings.Loads, s.Loads) || r.Settings != nil && (r.Settings.DurationS != s.DurationS ||
			r.Settings.Reps != s.Reps || r.Settings.SearchS != s.SearchS || r.Settings.SearchRate != s.SearchRate || r.Settings.Concurrency != s.Concurrency) {
			other = append(other, runLabel(r))
		}
	}
	if len(other) > 0 {
		w("*Measured with other settings (see results.json): %s.*\n\n", strings.Join(other, ", "))
	}
	if len(res.Runs) == 0 {
		w("No data set measured yet.\n")
		return b.String()
	}

	w("### Goals\n\n")
	w("✅ met, ❌ not met; in parentheses where the goal is set for 1M candidates and the data set is smaller (indicative only).\n\n")
	w("| goal |")
	for _, r := range res.Runs {
		w(" %s |", runLabel(r))
	}
	w("\n|---|")
	for range res.Runs {
		w("---|")
	}
	w("\n")
	gs := make([][]goal, len(res.Runs))
	for i, r := range res.Runs {
		gs[i] = goals(r)
	}
	for gi, name := range goalNames {
		w("| %s |", name)
		for i := range res.Runs {
			w(" %s |", gs[i][gi].cell())
		}
		w("\n")
	}

	w("\n### Ratios: kluis ÷ bare, same run\n\n")
	w("| data set | read throughput (max) | read p99 at 1,000 req/s | search p99 by name | search p99 by city | start-up | RSS at max load | measured | load avg. before → after | kluis |\n")
	w("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range res.Runs {
		km, bm := stepOf(r.Read, "kluis", "max"), stepOf(r.Read, "bare", "max")
		k1, _ := readAt(r, "kluis", 1000)
		b1, _ := readAt(r, "bare", 1000)
		w("| %s | %s | %s | %s | %s | %s | %s | %s | %s → %s | %s |\n", runLabel(r),
			pct(km.AchievedRPS, bm.AchievedRPS), ratio(k1.P99, b1.P99),
			ratio(searchOf(r, "name", "kluis").P99, searchOf(r, "name", "bare").P99),
			ratio(searchOf(r, "city", "kluis").P99, searchOf(r, "city", "bare").P99),
			ratio(r.Startup.KluisMedian, r.Startup.BareMedian), ratio(r.Memory.KluisLoadMB, r.Memory.BareLoadMB),
			r.MeasuredAt.Format("2006-01-02 15:04"), num(r.LoadAvgStart), num(r.LoadAvgEnd), orDash(r.Kluis))
	}

	w("\n### Read one candidate: `GET /api/v1/candidates/{id}` vs. the bare `GET /candidates/{id}`\n\n")
	w("Random ids drawn from the whole data set. req/s is answers (200) per second; latencies p50 / p90 / p99 in ms.\n")
	for _, r := range res.Runs {
		w("\n**%s** (%s candidates)\n\n", runLabel(r), num(float64(r.Dataset.Candidates)))
		w("| offered | kluis req/s | kluis p50 / p90 / p99 | bare req/s | bare p50 / p90 / p99 | p99 kluis ÷ bare | notes |\n")
		w("|---|---|---|---|---|---|---|\n")
		for _, k := range r.Read {
			if k.Target != "kluis" {
				continue
			}
			var bs step
			label := ""
			if k.Mode == "max" {
				bs = stepOf(r.Read, "bare", "max")
				label = fmt.Sprintf("max (%d clients)", k.Concurrency)
			} else {
				bs, _ = readAt(r, "bare", k.OfferedRPS)
				label = num(k.OfferedRPS) + " req/s"
			}
			var notes []string
			if e := errs(k); e != "" {
				notes = append(notes, "kluis: "+e)
			}
			if e := errs(bs); e != "" {
				notes = append(notes, "bare: "+e)
			}
			w("| %s | %s | %s | %s | %s | %s | %s |\n", label, num(k.AchievedRPS), lat3(k), num(bs.AchievedRPS), lat3(bs),
				ratio(k.P99, bs.P99), strings.Join(notes, "; "))
		}
		w("\n![p50 and p99 latency against offered load, kluis and bare, %s](%s/%s)\n", runLabel(r), perf, plotName(r))
	}

	w("\n### Search: `POST /api/v1/candidates/search` vs. the bare search\n\n")
	w("By a three-letter last-name prefix (`{\"query\": \"jan\"}`) or a city (`{\"city\": \"utrecht\"}`), drawn from the data set, at %s req/s, open loop. "+
		"The bare search is the one query the question needs, in the form the schema's indexes serve: SQLite `last_name LIKE 'jan%%'` (LIKE ignores ASCII case; the indexes are `COLLATE NOCASE`) ordered by `last_name COLLATE NOCASE, id`, PostgreSQL the generated lower-case column of migration 00035 as a range of bytes, `last_name_key COLLATE \"C\" >= 'jan' AND last_name_key COLLATE \"C\" < 'jan'` followed by U+10FFFF, the `LIKE 'jan%%'` confirming, ordered by `last_name_key COLLATE \"C\", id` (migration 00037) (a city: `city_key = 'utrecht'`), `LIMIT 50`. "+
		"*+ count* adds the `count(*)` of all matches that kluis runs for its `total`. p50 / p99 in ms.\n\n", num(s.SearchRate))
	w("| data set | by | kluis p50 / p99 | bare p50 / p99 | bare + count p50 / p99 | p99 kluis ÷ bare | kluis req/s | notes |\n")
	w("|---|---|---|---|---|---|---|---|\n")
	for _, r := range res.Runs {
		for _, kind := range []string{"name", "city"} {
			k, bs, bc := searchOf(r, kind, "kluis"), searchOf(r, kind, "bare"), searchOf(r, kind, "bare+count")
			var notes []string
			for _, x := range []step{k, bs, bc} {
				if e := errs(x); e != "" {
					notes = append(notes, x.Target+": "+e)
				}
			}
			w("| %s | %s | %s | %s | %s | %s | %s of %s | %s |\n", runLabel(r), kind, lat2(k), lat2(bs), lat2(bc),
				ratio(k.P99, bs.P99), num(k.AchievedRPS), num(k.OfferedRPS), strings.Join(notes, "; "))
		}
	}

	w("\n### Start-up, memory, data set\n\n")
	w("Start-up: from starting the process to the first 200 of `/readyz` (kluis) or of a candidate read (bare), median of the runs listed. RSS: VmRSS from /proc, idle right after start-up and the largest sample during the max-throughput step; peak is VmHWM after all steps. Generation: `kluis demo --candidates N --serve=false`, timed when the data set was made.\n\n")
	w("| data set | start-up kluis / bare ms | runs kluis; bare | RSS idle kluis / bare MB | RSS at max load kluis / bare MB | peak kluis / bare MB | generation s | database size MB | generated on |\n")
	w("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range res.Runs {
		w("| %s | %s / %s | %s; %s | %s / %s | %s / %s | %s / %s | %s | %s | %s |\n", runLabel(r),
			num(r.Startup.KluisMedian), num(r.Startup.BareMedian), joinNums(r.Startup.KluisMS), joinNums(r.Startup.BareMS),
			num(r.Memory.KluisIdleMB), num(r.Memory.BareIdleMB), num(r.Memory.KluisLoadMB), num(r.Memory.BareLoadMB),
			num(r.Memory.KluisPeakMB), num(r.Memory.BarePeakMB), num(r.Dataset.GenerationSeconds), num(r.Dataset.MB), r.Dataset.GeneratedOn)
	}

	var profiled []*runResult
	for _, r := range res.Runs {
		if r.Profile != nil {
			profiled = append(profiled, r)
		}
	}
	if len(profiled) > 0 {
		w("\n### Where kluis spends its CPU time and memory\n\n")
		w("From a build of kluis with a CPU profiler (`bench/kluisprof`, the same `cli.Main`). Shares are cumulative, so nested rows overlap. Full `pprof -top` output: ")
		var links []string
		for _, r := range profiled {
			links = append(links, fmt.Sprintf("%s [start-up](%s/%s), [read](%s/%s), [search](%s/%s)", runLabel(r),
				perf, r.Profile.StartupFile, perf, r.Profile.ReadFile, perf, r.Profile.SearchFile))
		}
		w("%s.\n\n", strings.Join(links, "; "))
		w("Under load: share of `kluis serve`'s CPU samples under the max read load and under name searches (4 clients).\n\n")
		w("| part |")
		for _, r := range profiled {
			w(" %s read | %s search |", runLabel(r), runLabel(r))
		}
		w("\n|---|")
		for range profiled {
			w("---|---|")
		}
		w("\n")
		for _, h := range hotPatterns {
			w("| %s |", h.label)
			for _, r := range profiled {
				w(" %s | %s |", share(r.Profile.Read, h.label), share(r.Profile.Search, h.label))
			}
			w("\n")
		}
		w("\nStart-up: the slowest package initialisers (Go runs them before `main`; `GODEBUG=inittrace=1`, median clock time and memory allocated), and the share of all bytes allocated from process start to the first 200 of `/readyz` (start-up garbage stays resident until the Go runtime returns it to the system, minutes later).\n\n")
		for _, r := range profiled {
			var parts []string
			for _, c := range r.Profile.Inits {
				parts = append(parts, fmt.Sprintf("%s %s ms, %s MB", c.Package, num(c.ClockMS), num(c.MB)))
			}
			var allocs []string
			for _, h := range r.Profile.StartupAlloc {
				allocs = append(allocs, fmt.Sprintf("%s %.0f %%", h.Label, h.Pct))
			}
			w("- **%s** (start-up %s ms): initialisers: %s. Allocated: %s.\n", runLabel(r), num(r.Startup.KluisMedian), strings.Join(parts, "; "), strings.Join(allocs, "; "))
		}
	}

	w("\n### Query plans of the bare searches\n\n")
	w("`EXPLAIN` (PostgreSQL) or `EXPLAIN QUERY PLAN` (SQLite) of the bare queries, for the first search term of the data set.\n\n")
	for _, r := range res.Runs {
		w("<details><summary>%s</summary>\n\n", runLabel(r))
		keys := make([]string, 0, len(r.Plans))
		for k := range r.Plans {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			w("%s:\n\n```\n%s\n```\n\n", k, r.Plans[k])
		}
		w("</details>\n\n")
	}

	res.laterMarkdown(w)
	res.cardMarkdown(w)

	if len(res.NotYetMeasured) > 0 {
		w("### Not yet measured\n\n")
	}
	for _, sc := range res.NotYetMeasured {
		w("- **%s** — %s. *%s.*\n", sc.Name, sc.What, sc.Status)
	}
	return strings.TrimRight(b.String(), "\n")
}

func share(hs []hotShare, label string) string {
	for _, h := range hs {
		if h.Label == label {
			return fmt.Sprintf("%.0f %%", h.Pct)
		}
	}
	return "–"
}

func joinNums(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = num(x)
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
