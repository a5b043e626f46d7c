// Package crashtest runs `kluis serve` as a process and attacks it: it
// kills it with SIGKILL at random moments while it erases, mails and
// imports, starts it again each time, and checks that the work is
// finished, nothing is done twice or half, no e-mail is lost or sent as a
// second message, and the database and its audit chain are intact; and
// it soaks it with mixed work and checks that nothing leaks. The server is
// this test binary run again as the kluis command (TestMain), so no
// separate build is needed.
package crashtest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"kluis/internal/cli"
	"kluis/internal/mail/mailtest"

	_ "modernc.org/sqlite"
)

const childEnv = "KLUIS_CRASHTEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// staleAfter is how long the killed server's jobs wait before the next one
// takes them over (serve --stale-after).
const staleAfter = time.Second

// rig is a data directory, the mail server and the server's process.
type rig struct {
	t      *testing.T
	dir    string
	key    string
	mail   *mailtest.Server
	log    *os.File
	cmd    *exec.Cmd
	base   string
	kills  int
	starts int
	rnd    *rand.Rand
	// smtpPort, when set, is where kluis sends its e-mail instead of the
	// mail server's own port: a relay in front of it (killmail_test.go).
	smtpPort int
	args     []string // more flags for serve (later ones win)
}

// prepare gives the rig its master key file and its log, and makes the
// demo data set with this many generated candidates beside the hand-made
// ones (in the database r.args name, if any).
func (r *rig) prepare(candidates int) {
	r.t.Helper()
	r.key = filepath.Join(r.dir, "master.key")
	log, err := os.Create(filepath.Join(r.t.TempDir(), "serve.log"))
	if err != nil {
		r.t.Fatal(err)
	}
	r.log = log
	args := []string{"demo", "--data", r.dir, "--serve=false"}
	if candidates > 0 {
		args = append(args, "--candidates", strconv.Itoa(candidates))
	}
	r.kluis(append(args, r.args...)...)
}

// token makes an API token with every scope for the demo user of a role
// ("privacy" is privacy@demo.kluis.test).
func (r *rig) token(role string) string {
	r.t.Helper()
	return strings.TrimSpace(r.kluis(append([]string{"token", "create", "--data", r.dir, "--master-key-file", r.key, "--tenant", "demo",
		"--user", role + "@demo.kluis.test", "--scopes", "*"}, r.args...)...))
}

func (r *rig) kluis(args ...string) string {
	r.t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("kluis %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start starts kluis serve and waits until it is ready.
func (r *rig) start() {
	r.t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(r.t))
	args := []string{"serve", "--data", r.dir, "--master-key-file", r.key, "--demo", "--addr", addr,
		"--stale-after", staleAfter.String(), "--log-level", "warn"}
	if r.mail != nil {
		port := r.mail.SMTPPort
		if r.smtpPort != 0 {
			port = r.smtpPort
		}
		args = append(args, "--smtp-host", r.mail.Host, "--smtp-port", strconv.Itoa(port), "--smtp-tls", "none",
			"--smtp-from", "privacy@demo.kluis.test")
	}
	args = append(args, r.args...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdout, cmd.Stderr = r.log, r.log
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.cmd, r.base = cmd, "http://"+addr
	r.starts++
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(r.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("kluis serve did not become ready (start %d); see %s", r.starts, r.log.Name())
}

// kill ends the server with SIGKILL: no clean-up of any kind runs.
func (r *rig) kill() {
	r.t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		r.t.Fatal(err)
	}
	_ = r.cmd.Wait()
	r.kills++
	// The dead process's jobs count as abandoned only after staleAfter.
	time.Sleep(staleAfter + 200*time.Millisecond)
}

// stop ends the server normally.
func (r *rig) stop() {
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = r.cmd.Process.Kill()
		<-done
	}
}

// call sends a JSON request with the token and decodes the answer into out.
func (r *rig) call(token, method, path string, body any, out any) int {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			r.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	if res.StatusCode >= 300 {
		r.t.Logf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	return res.StatusCode
}

// pause waits a random time of up to max before the next kill.
func (r *rig) pause(max time.Duration) {
	time.Sleep(time.Duration(r.rnd.Int64N(int64(max))))
}

func (r *rig) db() *sql.DB {
	r.t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(r.dir, "kluis.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		r.t.Fatal(err)
	}
	return db
}

func (r *rig) count(q string, args ...any) int {
	r.t.Helper()
	db := r.db()
	defer db.Close()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		r.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestKluisSurvivesBeingKilledWhileItWorks kills kluis serve at random
// moments during a clean-up of more than a thousand candidates, the
// sending of the privacy statement to every active candidate and bulk
// imports: at least 20 kills in all. After each restart the work goes on;
// at the end every due candidate was erased exactly once and completely,
// every e-mail was delivered once (a resend after a kill between sending
// and recording carries the same Message-ID), every import was stored
// whole or not at all, and the database and the audit chain check out.
func TestKluisSurvivesBeingKilledWhileItWorks(t *testing.T) {
	if testing.Short() {
		t.Skip("kills kluis some 25 times: not with -short")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := &rig{t: t, dir: t.TempDir(), mail: mailtest.Start(t, "--ignore-duplicate-ids", "--max", "100000"), rnd: rand.New(rand.NewPCG(seed, 1))}
	r.prepare(4000)
	privacy := r.token("privacy")
	admin := r.token("admin")

	t.Run("clean-up", func(t *testing.T) { r.t = t; cleanupUnderKills(r, privacy) })
	t.Run("privacy statement to all", func(t *testing.T) { r.t = t; mailingUnderKills(r, privacy) })
	t.Run("import", func(t *testing.T) { r.t = t; importUnderKills(r, admin) })
	r.t = t
	t.Logf("%d kills, %d starts", r.kills, r.starts)
	if t.Failed() {
		if b, err := os.ReadFile(r.log.Name()); err == nil {
			t.Logf("the servers' log:\n%s", b[max(0, len(b)-8000):])
		}
	}
	if r.kills < 20 {
		t.Errorf("only %d kills: the work was too quick to be interrupted often", r.kills)
	}

	var integrity string
	db := r.db()
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity check: %q %v", integrity, err)
	}
	db.Close()
	out := r.kluis("audit", "verify", "--data", r.dir, "--master-key-file", r.key)
	t.Logf("audit verify: %s", strings.TrimSpace(out))
}

// cleanupUnderKills starts a clean-up of everything that is due and kills
// the server until the run is done.
func cleanupUnderKills(r *rig, token string) {
	t := r.t
	r.start()
	var run struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
		Total int    `json:"total"`
	}
	if code := r.call(token, "POST", "/api/v1/cleanup/runs", map[string]any{"all_due": true}, &run); code >= 300 {
		t.Fatalf("start clean-up: %d", code)
	}
	if run.Total < 1000 {
		t.Fatalf("only %d candidates due", run.Total)
	}
	path := "/api/v1/cleanup/runs/" + strconv.FormatInt(run.ID, 10)
	// The run verifies its sample (a scan of the whole database) right
	// after the first batch; the first kill waits for that, so that the
	// test also shows the verification survives the kills after it.
	var verified struct {
		Verified int `json:"verified"`
	}
	for deadline := time.Now().Add(30 * time.Second); verified.Verified == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the run verified nothing in 30 s")
		}
		r.call(token, "GET", path, nil, &verified)
	}
	for kills := 0; ; kills++ {
		if kills < 12 {
			r.pause(400 * time.Millisecond)
			r.kill()
			r.start()
		} else {
			time.Sleep(200 * time.Millisecond)
		}
		r.call(token, "GET", path, nil, &run)
		if run.State != "running" {
			break
		}
		if kills > 600 {
			t.Fatalf("the run did not finish: %+v", run)
		}
	}
	r.stop()
	var full struct {
		State    string `json:"state"`
		Total    int    `json:"total"`
		Done     int    `json:"done"`
		Failed   int    `json:"failed"`
		Verified int    `json:"verified"`
		Residue  int    `json:"residue"`
	}
	r.start()
	r.call(token, "GET", path, nil, &full)
	r.stop()
	t.Logf("run: %+v", full)
	if full.State != "done" || full.Done != full.Total || full.Failed != 0 || full.Residue != 0 || full.Verified == 0 {
		t.Errorf("run after the kills: %+v", full)
	}
	// Every item done, each with one erasure; no erasure left with work
	// pending; a candidate erased completely has no row left anywhere.
	if n := r.count("SELECT count(*) FROM cleanup_run_items WHERE run_id = ? AND state <> 'done'", run.ID); n != 0 {
		t.Errorf("%d items not done", n)
	}
	if n := r.count(`SELECT count(*) FROM (SELECT candidate_id FROM erasures WHERE run_id = ? GROUP BY candidate_id HAVING count(*) > 1)`, run.ID); n != 0 {
		t.Errorf("%d candidates erased more than once", n)
	}
	if n := r.count("SELECT count(*) FROM erasures WHERE files_pending > 0 OR (complete AND key_shredded_at IS NULL)"); n != 0 {
		t.Errorf("%d erasures with work still pending", n)
	}
	erased := r.count("SELECT count(*) FROM erasures WHERE run_id = ?", run.ID)
	if erased == 0 || erased > full.Total {
		t.Errorf("%d erasures for %d items", erased, full.Total)
	}
	db := r.db()
	defer db.Close()
	rows, err := db.Query(`SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND p.name = 'candidate_id' AND m.name NOT IN ('erasures', 'cleanup_run_items', 'requests', 'audit_log')`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		tables = append(tables, s)
	}
	rows.Close()
	for _, tb := range tables {
		var n int
		q := "SELECT count(*) FROM " + tb + " WHERE candidate_id IN (SELECT candidate_id FROM erasures WHERE run_id = ? AND complete)"
		if err := db.QueryRow(q, run.ID).Scan(&n); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows of completely erased candidates", tb, n)
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM candidates WHERE id IN (SELECT candidate_id FROM erasures WHERE run_id = ? AND complete)", run.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d completely erased candidates still there (%v)", n, err)
	}
}

// mailingUnderKills sends the privacy statement to every active candidate
// and kills the server until the job is done and the outbox is empty.
func mailingUnderKills(r *rig, token string) {
	t := r.t
	r.start()
	if code := r.call(token, "POST", "/api/v1/privacy-statements", map[string]any{
		"text_nl": "# Privacyverklaring\n\nWij bewaren uw gegevens zorgvuldig.", "text_en": "# Privacy statement\n\nWe keep your data with care."}, nil); code >= 300 {
		t.Fatalf("publish the statement: %d", code)
	}
	var job struct {
		ID      int64  `json:"id"`
		State   string `json:"state"`
		Total   int    `json:"total"`
		Done    int    `json:"done"`
		Sent    int    `json:"sent"`
		Skipped int    `json:"skipped"`
		Failed  int    `json:"failed"`
	}
	if code := r.call(token, "POST", "/api/v1/privacy-statement-sends", map[string]any{}, &job); code >= 300 {
		t.Fatalf("start sending: %d", code)
	}
	if job.Total < 100 {
		t.Fatalf("only %d candidates to send to", job.Total)
	}
	path := "/api/v1/privacy-statement-sends/" + strconv.FormatInt(job.ID, 10)
	for kills := 0; ; kills++ {
		if kills < 10 {
			r.pause(700 * time.Millisecond)
			r.kill()
			r.start()
		} else {
			time.Sleep(500 * time.Millisecond)
		}
		r.call(token, "GET", path, nil, &job)
		if job.State != "running" && r.count("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')") == 0 {
			break
		}
		if kills > 600 {
			t.Fatalf("the sending did not finish: %+v", job)
		}
	}
	r.stop()
	// Nobody was lost on the way: every candidate of the job was done,
	// as sent, skipped or failed, and each one sent has one message.
	if job.State != "done" || job.Done != job.Total || job.Sent+job.Skipped+job.Failed != job.Total {
		t.Errorf("the job's counts do not add up: %+v", job)
	}
	for state, want := range map[string]int{"pending": 0, "sent": job.Sent, "skipped": job.Skipped, "failed": job.Failed} {
		if n := r.count("SELECT count(*) FROM statement_send_items WHERE send_id = ? AND state = ?", job.ID, state); n != want {
			t.Errorf("%d items %s, the job says %d", n, state, want)
		}
	}
	if n := r.count("SELECT count(*) FROM statement_send_items WHERE send_id = ?", job.ID); n != job.Total {
		t.Errorf("%d items, the job's total is %d", n, job.Total)
	}
	sent := r.count("SELECT count(*) FROM outbox WHERE kind = 'privacy-statement' AND state = 'sent'")
	if n := r.count("SELECT count(*) FROM outbox WHERE kind = 'privacy-statement'"); n != job.Sent || sent != job.Sent {
		t.Errorf("%d statement messages in the outbox, %d of them sent; the job sent %d", n, sent, job.Sent)
	}
	if n := r.count(`SELECT count(*) FROM statement_send_items i WHERE i.send_id = ? AND i.state = 'sent' AND NOT EXISTS
		(SELECT 1 FROM outbox o WHERE o.tenant_id = i.tenant_id AND o.candidate_id = i.candidate_id AND o.kind = 'privacy-statement' AND o.state = 'sent')`, job.ID); n != 0 {
		t.Errorf("%d candidates the job sent to have no sent message", n)
	}
	if failed := r.count("SELECT count(*) FROM outbox WHERE state = 'failed'"); failed != 0 {
		t.Errorf("%d messages failed", failed)
	}
	// The job recorded one message per candidate it sent to.
	if n := r.count("SELECT count(*) FROM (SELECT candidate_id FROM outbox WHERE kind = 'privacy-statement' GROUP BY candidate_id HAVING count(*) > 1)"); n != 0 {
		t.Errorf("%d candidates got more than one message in the outbox", n)
	}
	// The mail server keeps every message (mailpit keeps 500 unless told)
	// and drops one whose Message-ID it has seen, as
	// receivers may: a message kluis sent again after a kill between
	// sending and recording it shows once, because the resend carries
	// the same Message-ID. kluis adds the sender's domain to the outbox's
	// Message-ID.
	ids := map[string]int{}
	all := r.mail.AllMessages()
	for _, m := range all {
		local, _, _ := strings.Cut(m.MessageID, "@")
		ids[local]++
	}
	db := r.db()
	defer db.Close()
	rows, err := db.Query("SELECT message_id, attempts FROM outbox WHERE kind = 'privacy-statement'")
	if err != nil {
		t.Fatal(err)
	}
	missing, again := 0, 0
	for rows.Next() {
		var id string
		var attempts int
		_ = rows.Scan(&id, &attempts)
		if ids[strings.Trim(id, "<>")] != 1 {
			missing++
		}
		again += attempts - 1
	}
	rows.Close()
	t.Logf("%d messages sent, %d in the mailbox, %d sending attempts cut short by a kill and made again", sent, len(all), again)
	if missing != 0 {
		t.Errorf("%d messages recorded as sent are not in the mailbox exactly once", missing)
	}
	// The mailbox holds what kluis recorded as sent, of every kind (the
	// demo's own e-mails, such as its consent requests, go out too), and
	// nothing more.
	if allSent := r.count("SELECT count(*) FROM outbox WHERE state = 'sent'"); len(all) != allSent {
		t.Errorf("%d messages in the mailbox, %d sent", len(all), allSent)
	}
	// Every candidate the job sent to has the statement in the mailbox,
	// once (the outbox empties its copy of the address once a message is
	// sent; the candidate's address is in the candidates table).
	to := map[string]int{}
	for _, m := range all {
		if strings.HasPrefix(m.Subject, "Privacyverklaring") || strings.HasPrefix(m.Subject, "Privacy statement") {
			for _, a := range m.To {
				to[strings.ToLower(a.Address)]++
			}
		}
	}
	rows, err = db.Query(`SELECT lower(c.email) FROM statement_send_items i JOIN candidates c ON c.tenant_id = i.tenant_id AND c.id = i.candidate_id
		WHERE i.send_id = ? AND i.state = 'sent'`, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	intended, lost := 0, 0
	for rows.Next() {
		var email string
		_ = rows.Scan(&email)
		intended++
		if to[email] != 1 {
			lost++
		}
	}
	rows.Close()
	if intended != job.Sent || lost != 0 {
		t.Errorf("of %d intended recipients (the job sent %d), %d do not have the statement exactly once in the mailbox", intended, job.Sent, lost)
	}
}

// importUnderKills imports sets of new candidates while the server is
// killed at random moments: after each kill a set is in whole or not at
// all; one that is not is sent again.
func importUnderKills(r *rig, token string) {
	t := r.t
	const size = 4000
	var csv strings.Builder
	csv.WriteString("external_id;branch;first_name;last_name;email;city\n")
	for i := range size {
		fmt.Fprintf(&csv, "IMP-%d;Utrecht;Kees;Importeur%d;kees.importeur%d@example.nl;Utrecht\n", i, i, i)
	}
	before := r.count("SELECT count(*) FROM candidates")
	// At least 6 kills here, and as many more as the run needs for its 20
	// in all: the clean-up and the mailing may finish after fewer kills
	// than they aim at when the machine is quick.
	want := max(6, 20-r.kills)
	r.start()
	imported, kills, lost := 0, 0, 0
	for imported < 3 || kills < want {
		done := make(chan int, 1)
		go func() {
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			part, _ := w.CreateFormFile("candidates", "kandidaten.csv")
			_, _ = part.Write([]byte(csv.String()))
			_ = w.Close()
			req, _ := http.NewRequest("POST", r.base+"/api/v1/imports", &b)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", w.FormDataContentType())
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				done <- 0
				return
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("import: %d %s", res.StatusCode, body)
			}
			done <- res.StatusCode
		}()
		if kills < want {
			r.pause(1200 * time.Millisecond)
			r.kill()
			kills++
			<-done
			r.start()
		} else {
			<-done
		}
		now := r.count("SELECT count(*) FROM candidates")
		if (now-before)%size != 0 {
			t.Fatalf("after kill %d: %d candidates more, not a multiple of %d: an import was stored in part", kills, now-before, size)
		}
		if (now-before)/size == imported {
			lost++ // killed before the set was stored: sent again
		}
		imported = (now - before) / size
	}
	r.stop()
	t.Logf("%d sets imported whole across %d kills; %d attempts killed before they were stored, none stored in part", imported, kills, lost)
}
