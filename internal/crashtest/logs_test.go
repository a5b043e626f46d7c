package crashtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"kluis/internal/mail/mailtest"
)

// TestServeLogsNoPersonalDataNorSecrets runs `kluis serve` as a process, at
// log level debug, with its secrets in files (master key, metrics token,
// SMTP password), through a scenario that touches what logs most: a
// candidate created and edited with BSN, IBAN, phone and street, a search
// by name, bad input holding the BSN, a reveal, an import of candidates
// with their e-mail addresses and IBANs, the privacy statement e-mailed to
// one candidate and, as a job, to all, a clean-up run, failed log-ins with
// a candidate's e-mail address and /metrics. The process's whole log
// (stdout and stderr) then holds none of the candidates' names, e-mail
// addresses, phone numbers, BSNs or IBANs, and none of the secrets.
func TestServeLogsNoPersonalDataNorSecrets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs kluis serve through a scenario: not with -short")
	}
	secret := func() string {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	smtpPassword, metricsToken := "Smtp-"+secret(), "Metrics-"+secret()
	r := &rig{t: t, dir: t.TempDir(),
		mail: mailtest.Start(t, "--smtp-auth-file", mailtest.AuthFile(t, "kluis", smtpPassword), "--smtp-auth-allow-insecure")}
	file := func(name, content string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(content+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r.prepare(30)
	privacy := r.token("privacy")
	admin := r.token("admin")
	payroll := r.token("payroll")
	manager := r.token("manager")
	r.args = []string{"--log-level", "debug", "--metrics-token-file", file("metrics-token", metricsToken),
		"--smtp-user", "kluis", "--smtp-password-file", file("smtp-password", smtpPassword)}
	r.start()

	// The people of the scenario: what none of the log may hold.
	personal := []string{"Wervelwind", "Sterremans", "anouk.wervelwind@example.nl", "0612345678", "+31612345678", "111222333",
		"NL91ABNA0417164300", "Kastanjelaan", "Zonnebloemsma", "zonnebloemsma@example.nl", "NL20INGB0001234567", "Hazelaarstraat"}

	var branches struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	r.call(admin, "GET", "/api/v1/branches", nil, &branches)
	if len(branches.Items) == 0 {
		t.Fatal("no branches")
	}
	var cand struct {
		ID      int64 `json:"id"`
		Version int64 `json:"version"`
	}
	// The branch manager registers at their own branch, which the others refuse.
	for _, br := range branches.Items {
		if r.call(manager, "POST", "/api/v1/candidates", map[string]any{"branch_id": br.ID, "first_name": "Anouk", "last_name": "Wervelwind",
			"email": "anouk.wervelwind@example.nl", "phone": "0612345678", "street": "Kastanjelaan 4", "city": "Utrecht"}, &cand) == http.StatusCreated {
			break
		}
	}
	if cand.ID == 0 {
		t.Fatal("the manager could register the candidate at no branch")
	}
	id := strconv.FormatInt(cand.ID, 10)
	if code := r.call(manager, "PATCH", "/api/v1/candidates/"+id, map[string]any{"version": cand.Version, "last_name": "Sterremans"}, &cand); code != http.StatusOK {
		t.Fatalf("edit: %d", code)
	}
	// A BSN is taken once the candidate is placed as a temporary worker.
	var clients struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	r.call(manager, "GET", "/api/v1/clients?limit=1", nil, &clients)
	if len(clients.Items) == 0 {
		t.Fatal("no clients")
	}
	if code := r.call(manager, "POST", "/api/v1/placements", map[string]any{"candidate_id": cand.ID, "client_id": clients.Items[0].ID,
		"function": "Orderpicker", "start_date": time.Now().Format("2006-01-02"), "hourly_wage_cents": 1600}, nil); code != http.StatusCreated {
		t.Fatalf("placement: %d", code)
	}
	r.call(payroll, "GET", "/api/v1/candidates/"+id, nil, &cand)
	if code := r.call(payroll, "PATCH", "/api/v1/candidates/"+id, map[string]any{"version": cand.Version, "bsn": "111222333",
		"iban": "NL91ABNA0417164300"}, &cand); code != http.StatusOK {
		t.Fatalf("edit the BSN and IBAN: %d", code)
	}
	// Bad input that holds the BSN and the name.
	if code := r.call(payroll, "PATCH", "/api/v1/candidates/"+id, map[string]any{"version": cand.Version, "iban": "Sterremans 111222333",
		"bsn": "111222333x"}, nil); code != http.StatusBadRequest {
		t.Errorf("bad input: %d", code)
	}
	r.call(manager, "POST", "/api/v1/candidates/search", map[string]any{"query": "Sterremans"}, nil)
	r.call(manager, "POST", "/api/v1/candidates/search", map[string]any{"query": "anouk.wervelwind@example.nl"}, nil)
	// The manager sees the BSN masked and may reveal it.
	if code := r.call(manager, "POST", "/api/v1/candidates/"+id+"/reveal", map[string]any{"fields": []string{"bsn"}, "reason": "identity-check"}, nil); code != http.StatusOK {
		t.Errorf("reveal: %d", code)
	}
	r.call(payroll, "GET", "/api/v1/candidates/"+id, nil, nil)

	// An import, as a file named after a candidate.
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, _ := w.CreateFormFile("candidates", "Zonnebloemsma.csv")
	fmt.Fprintf(part, "external_id;branch;first_name;last_name;email;iban;street;city\nZB-1;Utrecht;Jet;Zonnebloemsma;zonnebloemsma@example.nl;NL20INGB0001234567;Hazelaarstraat 9;Utrecht\n")
	_ = w.Close()
	req, _ := http.NewRequest("POST", r.base+"/api/v1/imports", &b)
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if res, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"written":true`) || !strings.Contains(string(body), `"problems":[]`) {
			t.Errorf("import: %d %s", res.StatusCode, body)
		}
	}

	// Mail: to one candidate, then to all as a job.
	if code := r.call(privacy, "POST", "/api/v1/privacy-statements", map[string]any{
		"text_nl": "# Privacyverklaring\n\nWij bewaren uw gegevens zorgvuldig.", "text_en": "# Privacy statement\n\nWe keep your data with care."}, nil); code >= 300 {
		t.Fatalf("publish the statement: %d", code)
	}
	if code := r.call(privacy, "POST", "/api/v1/candidates/"+id+"/privacy-statement/send", map[string]any{}, nil); code >= 300 {
		t.Errorf("send the statement: %d", code)
	}
	var job struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
	}
	if code := r.call(privacy, "POST", "/api/v1/privacy-statement-sends", map[string]any{}, &job); code >= 300 {
		t.Errorf("start sending: %d", code)
	}
	deadline := time.Now().Add(60 * time.Second)
	for job.State != "done" && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		r.call(privacy, "GET", "/api/v1/privacy-statement-sends/"+strconv.FormatInt(job.ID, 10), nil, &job)
	}
	for time.Now().Before(deadline) && r.count("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')") > 0 {
		time.Sleep(100 * time.Millisecond)
	}
	if n := r.count("SELECT count(*) FROM outbox WHERE state = 'sent'"); n < 2 {
		t.Errorf("%d e-mails sent: the SMTP log-in was not exercised", n)
	}
	if code := r.call(privacy, "POST", "/api/v1/cleanup/runs", map[string]any{"all_due": true}, nil); code >= 300 && code != http.StatusConflict {
		t.Errorf("clean-up: %d", code)
	}

	// Failed log-ins that name a candidate's address, and the metrics.
	for range 3 {
		res, err := http.PostForm(r.base+"/login", url.Values{"email": {"anouk.wervelwind@example.nl"}, "password": {"111222333"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	mreq, _ := http.NewRequest("GET", r.base+"/metrics", nil)
	mreq.Header.Set("Authorization", "Bearer "+metricsToken)
	res, err := http.DefaultClient.Do(mreq)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("/metrics: %d", res.StatusCode)
	}
	time.Sleep(300 * time.Millisecond) // the access log and the jobs write asynchronously
	r.stop()

	log, err := os.ReadFile(r.log.Name())
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{`"msg":"e-mail sent"`, `"msg":"log-in failed"`, `"msg":"clean-up started"`, `"route":"POST /api/v1/imports"`,
		`"route":"POST /api/v1/candidates/{id}/reveal"`, `"route":"POST /api/v1/candidates/search"`, `"status":400`} {
		if !strings.Contains(string(log), msg) {
			t.Errorf("the log has no %s: the scenario did not run as meant", msg)
		}
	}
	key, err := os.ReadFile(r.key)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"the master key": strings.TrimSpace(string(key)), "the metrics token": metricsToken, "the SMTP password": smtpPassword,
		"the privacy officer's API token": privacy, "the administrator's API token": admin, "the payroll clerk's API token": payroll, "the manager's API token": manager}
	for what, s := range secrets {
		if s == "" {
			t.Fatalf("%s is empty", what)
		}
		if strings.Contains(string(log), s) {
			t.Errorf("the log holds %s", what)
		}
	}
	for _, s := range append(personal, "Anouk") {
		if strings.Contains(string(log), s) {
			t.Errorf("the log holds %q", s)
		}
		if strings.Contains(string(metrics), s) {
			t.Errorf("/metrics holds %q", s)
		}
	}
	var lines int
	for _, line := range strings.Split(string(log), "\n") {
		if json.Valid([]byte(line)) || strings.Contains(line, "level=") {
			lines++
		}
	}
	t.Logf("%d log lines, %d bytes, searched for %d personal values and %d secrets", lines, len(log), len(personal)+1, len(secrets))
}
