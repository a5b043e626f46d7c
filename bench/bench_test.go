package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These test the harness's own arithmetic and text handling; the harness
// itself is run with `go run ./bench` (it needs minutes and PostgreSQL).

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 90: 90 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := percentile(ds, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if got := percentile(nil, 99); got != 0 {
		t.Errorf("p99 of nothing = %v", got)
	}
}

func TestSummarizeCountsOnlyAnswers(t *testing.T) {
	st := summarize("x", []sample{
		{lat: time.Millisecond, ok: true, done: true},
		{lat: 3 * time.Millisecond, ok: true, done: true},
		{done: true, err: "HTTP 500"},
		{}, // never sent
	}, time.Second)
	if st.Sent != 3 || st.OK != 2 || st.Errors != 1 || st.FirstError != "HTTP 500" || st.AchievedRPS != 2 || st.Max != 3 {
		t.Errorf("summary = %+v", st)
	}
}

func TestReplaceResultsKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "P.md")
	doc := "# P\n\nintro\n\n" + startMarker + "\nold\n" + endMarker + "\n\ncommentary\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := replaceResults(path, "new"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := "# P\n\nintro\n\n" + startMarker + "\nnew\n" + endMarker + "\n\ncommentary\n"
	if string(b) != want {
		t.Errorf("got\n%s\nwant\n%s", b, want)
	}
}

func TestHotSpots(t *testing.T) {
	top := `      flat  flat%   sum%        cum   cum%
         0     0%     0%      0.50s 50.00%  kluis/internal/store.(*DB).Authenticate
     0.10s 10.00% 10.00%      0.20s 20.00%  internal/runtime/syscall/linux.Syscall6
`
	if !matches("kluis/internal/store.(*table[go.shape.struct { A int }]).open", "kluis/internal/store.(*table[…]).open") || matches("x.open", "kluis/internal/store.(*table[…]).open") {
		t.Error("matches")
	}
	got := hotSpots(top, hotPatterns)
	if len(got) != 2 || got[0].Pct != 50 || !strings.HasPrefix(got[0].Label, "token check") || got[1].Pct != 20 {
		t.Errorf("hot spots = %+v", got)
	}
}

func TestLabels(t *testing.T) {
	for n, want := range map[int]string{10000: "10k", 100000: "100k", 1000000: "1M", 2040: "2040"} {
		if got := sizeLabel(n); got != want {
			t.Errorf("sizeLabel(%d) = %q, want %q", n, got, want)
		}
	}
	if got := num(12345.6); got != "12,346" {
		t.Errorf("num = %q", got)
	}
	if got := firstRunes("ëlma", 3); got != "ëlm" {
		t.Errorf("firstRunes = %q", got)
	}
	if err := checkLoopbackURL("postgres://postgres@10.0.0.5:5432/x"); err == nil {
		t.Error("a private address passed as loopback")
	}
}

func TestSVGIsWellFormed(t *testing.T) {
	run := &runResult{DB: "sqlite", Size: 10000, Read: []step{
		{Target: "kluis", Mode: "rate", OfferedRPS: 250, OK: 10, P50: 1, P99: 3},
		{Target: "bare", Mode: "rate", OfferedRPS: 250, OK: 10, P50: 0.5, P99: 1},
		{Target: "kluis", Mode: "max", AchievedRPS: 3000, OK: 10, P50: 5, P99: 20},
	}}
	svg := latencySVG(run)
	if !strings.HasPrefix(svg, "<svg") || !strings.HasSuffix(strings.TrimSpace(svg), "</svg>") || strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
		t.Errorf("bad SVG:\n%s", svg)
	}
}

func TestParseInitTrace(t *testing.T) {
	log := "init kluis/internal/web @10 ms, 741 ms clock, 67157800 bytes, 107 allocs\n{\"level\":\"INFO\"}\ninit modernc.org/libc @5.9 ms, 0.21 ms clock, 2440 bytes, 29 allocs\n"
	got := parseInitTrace(log)
	if len(got) != 2 || got[0].Package != "kluis/internal/web" || got[0].ClockMS != 741 || got[0].MB != 64 {
		t.Fatalf("parsed %+v", got)
	}
	m := medianInits(map[string][]initCost{"a": {{"a", 1, 0}, {"a", 3, 0}, {"a", 2, 0}}, "b": {{"b", 10, 5}}}, 1)
	if len(m) != 2 || m[0].ClockMS != 12 || m[1].Package != "b" {
		t.Fatalf("medians %+v", m)
	}
}

// The later scenarios' results are read back from results.json as generic
// maps; their tables must come out the same as from the typed values.
func TestLaterMarkdownAfterJSON(t *testing.T) {
	run := &runResult{DB: "sqlite", Size: 10000, Later: map[string]any{
		"retention-plan": &planResult{Candidates: 10040, Due: 5181, KluisSeconds: 2, BareSeconds: 0.1, KluisPerSec: 5020, BarePerSec: 100400, CLISeconds: 2.5},
		"erasure":        &eraseResult{Due: 5181, Erased: 5181, Complete: 3544, Partial: 1637, KluisSeconds: 10, VerifySeconds: 2, BareSeconds: 2.5, KluisPerSec: 648, BarePerSec: 2072},
	}}
	render := func(res *results) string {
		var b strings.Builder
		res.laterMarkdown(func(format string, args ...any) { fmt.Fprintf(&b, format, args...) })
		return b.String()
	}
	typed := render(&results{Runs: []*runResult{run}})
	for _, want := range []string{"| sqlite 10k | 10,040 | 5181 (52 %) | 2.0 | 0.10 | ×20 | 5020 | 100,400 | 199 s | (❌) |", "| sqlite 10k | 5181 of 5181 due | 3544 / 1637 | 10 (0; 2.0) | 2.5 | ×3.2 | 648 | 2072 | ❌ |"} {
		if !strings.Contains(typed, want) {
			t.Errorf("tables lack %q:\n%s", want, typed)
		}
	}
	b, err := json.Marshal(run)
	if err != nil {
		t.Fatal(err)
	}
	var back runResult
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := render(&results{Runs: []*runResult{&back}}); got != typed {
		t.Errorf("after JSON:\n%s\nbefore:\n%s", got, typed)
	}
}

// TestTheStamkaartIsJudgedByItsP50AndReadBackFromResults: the goals and the
// table of the stamkaart, from a result as results.json gives it back.
func TestTheStamkaartIsJudgedByItsP50AndReadBackFromResults(t *testing.T) {
	in := &cardResult{RatePerS: cardRate, Bytes: map[string]int{"kluis-pdf": 150 << 10}, Steps: []step{
		{Target: "kluis-json", OK: 24, P50: 25, P99: 40}, {Target: "bare-json", OK: 24, P50: 10, P99: 20},
		{Target: "kluis-pdf", OK: 24, P50: 90, P99: 180}, {Target: "bare-pdf", OK: 24, P50: 120, P99: 200}}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	r := &runResult{DB: "sqlite", Size: 10000, Later: map[string]any{"stamkaart": generic}}
	gs := goals(r)
	if len(gs) != len(goalNames) {
		t.Fatalf("%d goals for %d names", len(gs), len(goalNames))
	}
	pdf, js := gs[len(gs)-2], gs[len(gs)-1]
	if !pdf.met || js.met || !strings.HasPrefix(pdf.text, "90 ms") || !strings.HasPrefix(js.text, "25 ms") {
		t.Errorf("PDF %+v, JSON %+v", pdf, js)
	}
	var doc strings.Builder
	(&results{Runs: []*runResult{r}}).cardMarkdown(func(f string, args ...any) { fmt.Fprintf(&doc, f, args...) })
	if !strings.Contains(doc.String(), "| 25 / 40 | 10 / 20 | ×2.5 | 90 / 180 | 120 / 200 | ×0.80 |") || !strings.Contains(doc.String(), "PDF ✅ JSON ❌") {
		t.Errorf("the table:\n%s", doc.String())
	}
	if gs := goals(&runResult{}); gs[len(gs)-1].text != "not measured" {
		t.Errorf("without the scenario: %+v", gs[len(gs)-1])
	}
}
