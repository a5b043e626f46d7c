package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (u *clientUIEnv) metricsCall(t *testing.T, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u.srv.URL+"/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestMetricsAreForTheTokenHolderOnly: without a token configured there
// is no /metrics; with one, only a caller that sends it gets the figures.
func TestMetricsAreForTheTokenHolderOnly(t *testing.T) {
	u := newClientUIEnv(t)
	if code, _ := u.metricsCall(t, ""); code != http.StatusNotFound {
		t.Fatalf("/metrics without a configured token: %d", code)
	}
	u.web.EnableMetrics("geheim-meet-token")
	for _, auth := range []string{"", "Bearer ", "Bearer geheim", "Bearer geheim-meet-token-x", "Basic geheim-meet-token"} {
		if code, _ := u.metricsCall(t, auth); code != http.StatusUnauthorized {
			t.Errorf("%q: %d", auth, code)
		}
	}
	if code, body := u.metricsCall(t, "Bearer geheim-meet-token"); code != http.StatusOK || !strings.Contains(body, "kluis_http_requests_total") {
		t.Fatalf("with the token: %d %s", code, body)
	}
}

// TestMetricsCountRequestsByRoutePattern: requests are counted by the
// route's pattern and status class, never by path or query (which hold ids
// and search terms); the figures of the outbox come from the database; the
// output is valid Prometheus text.
func TestMetricsCountRequestsByRoutePattern(t *testing.T) {
	u := newClientUIEnv(t)
	u.web.EnableMetrics("t")
	c := u.MustCreateCandidate(t, "Meetlint")
	secret := u.token(t, u.Actor.UserID, "*")
	for i := 0; i < 3; i++ {
		u.apiCall(t, secret, "GET", "/api/v1/candidates/"+idText(c.ID), "", nil)
	}
	u.apiCall(t, secret, "GET", "/api/v1/candidates/999999", "", nil)
	u.apiCall(t, secret, "GET", "/api/v1/candidates?q=Meetlint", "", nil)
	u.apiCall(t, secret, "GET", "/geen/pagina/Meetlint", "", nil)
	req, _ := http.NewRequest("BREW", u.srv.URL+"/api/v1/candidates", nil)
	mustDo(t, http.DefaultClient, req)
	if err := u.DB.EnqueueMail(context.Background(), u.Actor, &store.OutboxMessage{CandidateID: c.ID, Kind: "test", To: "meetlint@example.nl", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	u.Clock.Advance(90e9)

	_, body := u.metricsCall(t, "Bearer t")
	for _, want := range []string{
		`kluis_http_requests_total{method="GET",route="/api/v1/candidates/{id}",status="2xx"} 3`,
		`kluis_http_requests_total{method="GET",route="/api/v1/candidates/{id}",status="4xx"} 1`,
		`kluis_http_requests_total{method="GET",route="/api/v1/candidates",status="2xx"} 1`,
		`kluis_http_request_duration_seconds_count{method="GET",route="/api/v1/candidates/{id}"} 4`,
		`kluis_http_request_duration_seconds_bucket{method="GET",route="/api/v1/candidates/{id}",le="+Inf"} 4`,
		`kluis_outbox_messages{state="pending"} 1`,
		`kluis_outbox_messages{state="failed"} 0`,
		`kluis_outbox_oldest_pending_seconds 90`,
		`kluis_cleanup_runs{state="running"} 0`,
		`kluis_erasures{complete="true"} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
	if !regexp.MustCompile(`kluis_http_requests_total\{method="-",route="unmatched",status="4xx"\} 2`).MatchString(body) {
		t.Errorf("unserved paths and made-up methods are not counted as unmatched:\n%s", body)
	}
	// Ids are looked for in the labels only: a number may turn up in a
	// sample's value.
	labels := strings.Join(regexp.MustCompile(`\{[^}]*\}`).FindAllString(body, -1), "\n")
	for _, id := range []string{"/" + idText(c.ID), "999999"} {
		if strings.Contains(labels, id) {
			t.Errorf("a label holds the id %q", id)
		}
	}
	for _, word := range []string{"meetlint", "brew", "geen"} {
		if strings.Contains(strings.ToLower(body), word) {
			t.Errorf("the metrics hold %q", word)
		}
	}
	checkPrometheusText(t, body)
}

// checkPrometheusText checks the text format line by line: comments of
// HELP and TYPE, and samples of a name, labels and a number; each family's
// TYPE comes before its samples, and histogram buckets only grow.
func checkPrometheusText(t *testing.T, body string) {
	t.Helper()
	sample := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+]+|\+Inf|NaN)$`)
	typed := map[string]bool{}
	last := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		if f := strings.Fields(line); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			typed[f[2]] = true
			continue
		}
		m := sample.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a sample: %q", line)
		}
		family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m[1], "_bucket"), "_sum"), "_count")
		if !typed[family] && !typed[m[1]] {
			t.Fatalf("a sample before its TYPE: %q", line)
		}
		if strings.HasSuffix(m[1], "_bucket") {
			series := line[:strings.Index(line, ",le=")]
			v, _ := strconv.ParseFloat(m[len(m)-1], 64)
			if v < last[series] {
				t.Fatalf("a bucket smaller than the one before: %q", line)
			}
			last[series] = v
		}
	}
}

// TestMetricsCountImportsAndStatementSendings: /metrics reports the
// imports through the API by outcome and the rows they stored, and the
// jobs that e-mail the privacy statement with what they did — counts
// only, no name, address or file name in them.
func TestMetricsCountImportsAndStatementSendings(t *testing.T) {
	p := newPortalEnv(t) // a published privacy statement
	p.web.EnableMetrics("t")
	admin := p.user(t, "Aart", kluis.RoleAdmin)
	at := p.token(t, admin.ID, "*")
	importCSV := func(query, csv string) int {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		part, _ := w.CreateFormFile("candidates", "Meetbestand.csv")
		_, _ = part.Write([]byte(csv))
		_ = w.Close()
		req, _ := http.NewRequest("POST", p.srv.URL+"/api/v1/imports"+query, &b)
		req.Header.Set("Authorization", "Bearer "+at)
		req.Header.Set("Content-Type", w.FormDataContentType())
		res := mustDo(t, p.browser, req)
		res.Body.Close()
		return res.StatusCode
	}
	good := "external_id;branch;first_name;last_name;email\nM-1;" + p.Branch.Name + ";Mees;Meetlat;mees.meetlat@example.nl\nM-2;" + p.Branch.Name + ";Mila;Meetlat;mila.meetlat@example.nl\n"
	if code := importCSV("?dry_run=true", good); code != http.StatusOK {
		t.Fatalf("dry run: %d", code)
	}
	if code := importCSV("", good); code != http.StatusOK {
		t.Fatalf("import: %d", code)
	}
	if code := importCSV("", "external_id;branch;last_name;date_of_birth\nM-3;"+p.Branch.Name+";Meetlat;gisteren\n"); code != http.StatusBadRequest {
		t.Fatalf("a refused import: %d", code)
	}
	po := p.token(t, p.user(t, "Fenna", kluis.RolePrivacy).ID, "*")
	if code, body := p.apiCall(t, po, "POST", "/api/v1/privacy-statement-sends", "", nil); code != http.StatusAccepted {
		t.Fatalf("start sending: %d %s", code, body)
	}
	deadline := time.Now().Add(30 * time.Second)
	var body string
	for {
		_, body = p.metricsCall(t, "Bearer t")
		if strings.Contains(body, `kluis_statement_sends{state="done"} 1`+"\n") || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, want := range []string{
		`kluis_imports_total{outcome="written"} 1`,
		`kluis_imports_total{outcome="dry-run"} 1`,
		`kluis_imports_total{outcome="refused"} 1`,
		`kluis_imports_total{outcome="failed"} 0`,
		`kluis_import_rows_total 2`,
		`kluis_statement_sends{state="done"} 1`,
		`kluis_statement_sends{state="running"} 0`,
		`kluis_statement_send_candidates{result="sent"} 2`,
		`kluis_statement_send_candidates{result="failed"} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
	for _, word := range []string{"meetlat", "mees", "meetbestand", "example.nl"} {
		if strings.Contains(strings.ToLower(body), word) {
			t.Errorf("the metrics hold %q", word)
		}
	}
	checkPrometheusText(t, body)
}
