package crashtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kluis/internal/testdb"
)

// soakDuration is how long the soak test loads kluis: 20 s in `go test
// ./...`, longer with KLUIS_SOAK=10m (docs/SECURITY.md).
func soakDuration(t *testing.T) time.Duration {
	if v := os.Getenv("KLUIS_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("KLUIS_SOAK=%q: %v", v, err)
		}
		return d
	}
	return 20 * time.Second
}

// procStats reads the resident set size (KiB) and the number of open files
// of a process.
func procStats(pid int) (rssKiB, files int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rssKiB, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return rssKiB, len(fds), err
}

// TestASoakOfMixedWorkLeaksNothing loads kluis serve on loopback with a
// mix of reads, searches, edits and uploads by eight clients at once for
// soakDuration. Every answer is what the request deserves (a conflict
// only where two edits of one candidate crossed), and neither the memory
// nor the open files of the process grow once it is warm. The p99 of each
// kind of request is reported.
func TestASoakOfMixedWorkLeaksNothing(t *testing.T) {
	soak(t, nil)
}

// TestASoakOnPostgreSQLLeaksNothing is the soak with kluis on PostgreSQL
// (KLUIS_TEST_POSTGRES), its pool of connections included in the open
// files that must not grow.
func TestASoakOnPostgreSQLLeaksNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("loads kluis for a while: not with -short")
	}
	dsn := testdb.Postgres(t)
	soak(t, []string{"--db", dsn})
}

func soak(t *testing.T, db []string) {
	if testing.Short() {
		t.Skip("loads kluis for a while: not with -short")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the server's memory and open files")
	}
	dur := soakDuration(t)
	r := &rig{t: t, dir: t.TempDir(), rnd: rand.New(rand.NewPCG(1, 2)), args: db}
	r.prepare(2000)
	// A recruiter: the candidates of one branch, to read, find, edit and
	// give documents.
	token := r.token("recruiter")
	r.start()
	defer r.stop()

	var ids []string
	for offset := 0; len(ids) < 2000; offset += 200 {
		var page struct {
			Items []struct {
				ID json.Number `json:"id"`
			} `json:"items"`
		}
		r.call(token, "GET", fmt.Sprintf("/api/v1/candidates?limit=200&offset=%d", offset), nil, &page)
		if len(page.Items) == 0 {
			break
		}
		for _, it := range page.Items {
			ids = append(ids, it.ID.String())
		}
	}
	if len(ids) < 500 {
		t.Fatalf("%d candidates", len(ids))
	}
	client := &http.Client{Timeout: 30 * time.Second}
	do := func(method, path, ctype string, body []byte) (int, []byte, error) {
		req, _ := http.NewRequest(method, r.base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		res, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res.StatusCode, b, err
	}

	type sample struct {
		kind string
		d    time.Duration
	}
	var (
		mu      sync.Mutex
		samples []sample
		errs    []string
		counts  = map[string]int{}
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) < 20 {
			errs = append(errs, fmt.Sprintf(format, args...))
		}
	}
	cities := []string{"Utrecht", "Rotterdam", "Houten", "Amersfoort", "Zeist"}
	names := []string{"jan", "bak", "vis", "de ", "smi", "mul"}
	op := func(rng *rand.Rand) {
		id := ids[rng.IntN(len(ids))]
		start := time.Now()
		kind := ""
		switch n := rng.IntN(100); {
		case n < 55:
			kind = "read"
			if code, b, err := do("GET", "/api/v1/candidates/"+id, "", nil); err != nil || code != 200 {
				fail("read %s: %d %v %.200s", id, code, err, b)
			}
		case n < 80:
			kind = "search"
			body := fmt.Sprintf(`{"query": %q}`, names[rng.IntN(len(names))])
			if rng.IntN(2) == 0 {
				body = fmt.Sprintf(`{"city": %q}`, cities[rng.IntN(len(cities))])
			}
			if code, b, err := do("POST", "/api/v1/candidates/search", "application/json", []byte(body)); err != nil || code != 200 {
				fail("search %s: %d %v %.200s", body, code, err, b)
			}
		case n < 95:
			kind = "edit"
			code, b, err := do("GET", "/api/v1/candidates/"+id, "", nil)
			if err != nil || code != 200 {
				fail("read for edit %s: %d %v", id, code, err)
				break
			}
			var c struct {
				Version int64 `json:"version"`
			}
			_ = json.Unmarshal(b, &c)
			patch := fmt.Sprintf(`{"version": %d, "availability": %q}`, c.Version, []string{"fulltime", "parttime"}[rng.IntN(2)])
			code, b, err = do("PATCH", "/api/v1/candidates/"+id, "application/json", []byte(patch))
			// Two clients may edit the same candidate at once: the later
			// one is told so (409) and loses nothing of the other's.
			if err != nil || (code != 200 && code != 409) {
				fail("edit %s: %d %v %.200s", id, code, err, b)
			}
		default:
			kind = "upload"
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			_ = w.WriteField("candidate_id", id)
			_ = w.WriteField("kind", "cv")
			part, _ := w.CreateFormFile("file", "cv.pdf")
			fmt.Fprintf(part, "%%PDF-1.4\n%% cv %d\n%%%%EOF\n", rng.Int64())
			_ = w.Close()
			code, b, err := do("POST", "/api/v1/documents", w.FormDataContentType(), buf.Bytes())
			// A candidate the demo erased or restricted refuses uploads
			// with a clear answer, never a 500.
			if err != nil || (code != 201 && code != 400 && code != 404 && code != 409) {
				fail("upload %s: %d %v %.200s", id, code, err, b)
			}
		}
		mu.Lock()
		samples = append(samples, sample{kind, time.Since(start)})
		counts[kind]++
		mu.Unlock()
	}

	pid := r.cmd.Process.Pid
	// Warm up, then take the baseline of memory and open files.
	warmEnd := time.Now().Add(min(dur/4, 5*time.Second))
	var wg sync.WaitGroup
	run := func(until time.Time, seed uint64) {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(seed, 7))
		for time.Now().Before(until) {
			op(rng)
		}
	}
	for i := range 8 {
		wg.Add(1)
		go run(warmEnd, uint64(i))
	}
	wg.Wait()
	baseRSS, baseFiles, err := procStats(pid)
	if err != nil {
		t.Fatal(err)
	}
	samples = samples[:0]
	end := time.Now().Add(dur)
	for i := range 8 {
		wg.Add(1)
		go run(end, uint64(100+i))
	}
	maxRSS, maxFiles := baseRSS, baseFiles
	for time.Now().Before(end) {
		time.Sleep(500 * time.Millisecond)
		rss, files, err := procStats(pid)
		if err != nil {
			t.Fatal(err)
		}
		maxRSS, maxFiles = max(maxRSS, rss), max(maxFiles, files)
	}
	wg.Wait()
	time.Sleep(time.Second) // idle connections settle
	endRSS, endFiles, err := procStats(pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Error(e)
	}
	by := map[string][]time.Duration{}
	for _, s := range samples {
		by[s.kind] = append(by[s.kind], s.d)
	}
	var report []string
	for _, kind := range []string{"read", "search", "edit", "upload"} {
		ds := by[kind]
		if len(ds) == 0 {
			t.Errorf("no %s requests", kind)
			continue
		}
		slices.Sort(ds)
		p := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
		report = append(report, fmt.Sprintf("%s ×%d p50 %v p99 %v", kind, len(ds), p(0.5).Round(time.Microsecond*100), p(0.99).Round(time.Microsecond*100)))
	}
	t.Logf("%v of 8 clients: %s", dur, strings.Join(report, "; "))
	t.Logf("RSS %d → max %d → end %d KiB; open files %d → max %d → end %d", baseRSS, maxRSS, endRSS, baseFiles, maxFiles, endFiles)
	// The heap may settle higher once, but not keep growing: the end is
	// at most half again the warm start (plus 32 MiB for a busy GC cycle).
	if endRSS > baseRSS*3/2+32*1024 {
		t.Errorf("memory grew from %d to %d KiB", baseRSS, endRSS)
	}
	// Files: the database, its log, the listener, at most a connection
	// per client and the pool's connections; nothing accumulates.
	if endFiles > baseFiles+16 {
		t.Errorf("open files grew from %d to %d", baseFiles, endFiles)
	}
}
