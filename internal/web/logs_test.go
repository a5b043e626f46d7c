package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// TestNoPersonalDataInTheLogs runs a candidate's whole life through the
// HTTP server with every log line captured (debug level, JSON): register,
// view, search, edit, place, add BSN and IBAN, upload a document named
// after them, reveal the BSN, make the record card, send bad input that
// holds their data, register an erasure request and erase. Then it looks
// for each of their identifiers in the log and in every error answer: zero
// hits. The log does show that the scenario ran (request lines by route),
// so that the test cannot pass by logging nothing.
func TestNoPersonalDataInTheLogs(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { testNoPersonalDataInTheLogs(t, d) })
	}
}

func testNoPersonalDataInTheLogs(t *testing.T, d store.Dialect) {
	e := storetest.Open(t, d)
	logs := &syncBuffer{}
	h, err := New(e.DB, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u := &clientUIEnv{Env: e, srv: srv, web: h, browser: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}

	const (
		first, last = "Quirijntje", "Zwartkruisvelde"
		email       = "quirijntje.zwartkruis@voorbeeld.nl"
		phone       = "0687654321"
		bsn         = "249566758"
		iban        = "NL91ABNA0417164300"
		street      = "Kromme Nieuwegracht"
	)
	identifiers := []string{first, last, email, "zwartkruis", bsn, iban, "+31687654321", phone, street}

	recruiter := u.token(t, e.Actor.UserID, "*")
	payrollUser := u.user(t, "Pien", kluis.RolePayroll)
	payroll := u.token(t, payrollUser.ID, "*")
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "*")
	manager := u.user(t, "Mila", kluis.RoleManager)
	mt := u.token(t, manager.ID, "*")

	var answers []string
	call := func(secret, method, path, body string, out any) int {
		t.Helper()
		code, resp := u.apiCall(t, secret, method, path, body, out)
		if code >= 400 {
			answers = append(answers, resp)
		}
		if code >= 500 {
			t.Fatalf("%s %s: %d %s", method, path, code, resp)
		}
		return code
	}
	var c kluis.Candidate
	if code := call(recruiter, "POST", "/api/v1/candidates", `{"branch_id":`+idText(e.Branch.ID)+`,"first_name":"`+first+`","last_name":"`+last+
		`","email":"`+email+`","phone":"`+phone+`","street":"`+street+`","house_number":"7","postcode":"3512 HE","city":"Utrecht","date_of_birth":"1991-04-02"}`, &c); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	cand := "/api/v1/candidates/" + idText(c.ID)
	call(recruiter, "GET", cand, "", &c)
	call(recruiter, "POST", "/api/v1/candidates/search", `{"query":"`+last+`"}`, nil)
	call(recruiter, "GET", "/api/v1/candidates?q="+url.QueryEscape(last)+"&email="+url.QueryEscape(email), "", nil)
	// Bad input that holds the candidate's data: the answers name fields.
	call(recruiter, "PATCH", cand, `{"version":`+idText(c.Version)+`,"email":"`+last+`@","phone":"`+last+`"}`, nil)
	call(recruiter, "PATCH", cand, `{"version":99,"last_name":"`+last+`-Anders"}`, nil)
	call(recruiter, "POST", "/api/v1/candidates", `{"first_name":"`+first+`","bsn":"`+bsn+`","schoenmaat":44}`, nil)
	call(recruiter, "PATCH", cand, `{"version":`+idText(c.Version)+`,"city":"Zeist"}`, &c)
	cl := e.MustCreateClient(t, "Kwekerij Log")
	e.MustCreatePlacement(t, c.ID, cl.ID, "2026-11-02")
	call(payroll, "GET", cand, "", &c)
	call(payroll, "PATCH", cand, `{"version":`+idText(c.Version)+`,"bsn":"`+bsn+`","iban":"`+iban+`"}`, &c)
	call(payroll, "PATCH", cand, `{"version":`+idText(c.Version)+`,"iban":"`+iban+`X"}`, nil)
	if code, body := u.upload(t, recruiter, c.ID, "cv", "CV "+first+" "+last+" "+bsn+".pdf", []byte("%PDF-1.4\n"+email+"\n%%EOF\n")); code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	call(mt, "POST", cand+"/reveal", `{"fields":["bsn"],"reason":"identity-check"}`, nil)
	call(po, "GET", cand+"/record-card", "", nil)
	call(recruiter, "GET", "/api/v1/contact-moments?candidate_id="+idText(c.ID), "", nil)

	// The staff UI: the candidate's pages, a search and a reveal.
	cookie := u.session(t, manager.ID)
	u.get(t, cookie, "/candidates/"+idText(c.ID)).expect(t, http.StatusOK)
	u.get(t, cookie, "/candidates?q="+url.QueryEscape(last))
	u.post(t, cookie, "/candidates/search", url.Values{"q": {last}})
	u.post(t, cookie, "/candidates/"+idText(c.ID)+"/reveal", url.Values{"field": {"bsn"}, "reason": {"identity-check"}})
	u.post(t, cookie, "/candidates/"+idText(c.ID)+"/edit", url.Values{"version": {"1"}, "last_name": {last}, "email": {email + "@@"}})

	var q kluis.Request
	if code := call(po, "POST", "/api/v1/requests", `{"candidate_id":`+idText(c.ID)+`,"kind":"erasure","channel":"email","description":"`+first+` `+last+` wil gewist worden"}`, &q); code != http.StatusCreated {
		t.Fatalf("request: %d", code)
	}
	rq := "/api/v1/requests/" + idText(q.ID)
	call(po, "POST", rq+"/verify", `{"version":1,"verified_how":"id-document-shown"}`, &q)
	if code := call(po, "POST", rq+"/erase", `{"version":`+idText(q.Version)+`}`, &q); code != http.StatusOK {
		t.Fatalf("erase: %d", code)
	}
	call(po, "GET", cand, "", nil)
	h.access.Flush()
	h.Wait()

	log := logs.String()
	for _, rt := range []string{"POST /api/v1/candidates", "PATCH /api/v1/candidates/{id}", "POST /api/v1/documents", "POST /api/v1/requests/{id}/erase",
		"POST /candidates/search", "POST /candidates/{id}/reveal"} {
		if !strings.Contains(log, `"route":"`+rt+`"`) {
			t.Errorf("no log line for %s: the scenario did not run as meant\n%s", rt, log)
		}
	}
	lowerLog := strings.ToLower(log)
	for _, id := range identifiers {
		if i := strings.Index(lowerLog, strings.ToLower(id)); i >= 0 {
			t.Errorf("the log holds %q: …%s…", id, log[max(0, i-200):min(len(log), i+100)])
		}
		for _, a := range answers {
			if strings.Contains(strings.ToLower(a), strings.ToLower(id)) {
				t.Errorf("an error answer holds %q: %s", id, a)
			}
		}
	}
	if len(answers) < 4 {
		t.Fatalf("only %d error answers: the bad input was not sent", len(answers))
	}
	// Every line is JSON with a request id, so lines can be traced.
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %s", line)
		}
	}
}
