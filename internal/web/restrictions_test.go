package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// apiCallWith is apiCall with extra headers.
func (u *clientUIEnv) apiCallWith(t *testing.T, secret, method, path, body string, headers map[string]string, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, u.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Accept-Language", "en")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return res.StatusCode, string(b)
}

// restrictedRefusal reports whether an answer is the art. 18 refusal.
func restrictedRefusal(code int, body string) bool {
	return code == http.StatusConflict && strings.Contains(body, `"restriction"`) && strings.Contains(body, "art. 18")
}

// rightsFixture is a candidate who worked, whose CV went to a client with
// an e-mail address, and the tokens of the roles that deal with them.
type rightsFixture struct {
	c                    *kluis.Candidate
	client               *kluis.Client
	cv                   kluis.ID
	po, rec, mgr, reader string
}

func newRightsFixture(t *testing.T, u *clientUIEnv, name string, worked bool) rightsFixture {
	t.Helper()
	f := rightsFixture{c: u.MustCreateCandidate(t, name), client: u.MustCreateClient(t, "Kwekerij Oost")}
	f.client.Email = "hr@kwekerij.nl"
	if err := u.DB.UpdateClient(t.Context(), u.Actor, f.client, f.client.Version); err != nil {
		t.Fatal(err)
	}
	if worked {
		u.MustCreatePlacement(t, f.c.ID, f.client.ID, "2026-10-01")
	}
	cv := &kluis.Document{CandidateID: f.c.ID, Kind: "cv", FileName: "cv.pdf"}
	if err := u.DB.CreateDocument(t.Context(), u.Actor, cv, strings.NewReader("%PDF-1.4\nCV van "+name+"\n%%EOF\n")); err != nil {
		t.Fatal(err)
	}
	f.cv = cv.ID
	if _, err := u.DB.DiscloseDocument(t.Context(), u.Actor, cv.ID, f.client.ID, "mediation"); err != nil {
		t.Fatal(err)
	}
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	boss := u.user(t, "Bram", kluis.RoleManager)
	f.po, f.rec, f.mgr = u.token(t, officer.ID, "*"), u.token(t, u.Actor.UserID, "*"), u.token(t, boss.ID, "*")
	f.reader = u.token(t, officer.ID, "candidates:read")
	return f
}

// registerVerified registers a verified request of kind for the fixture's
// candidate and returns its path.
func registerVerified(t *testing.T, u *clientUIEnv, f rightsFixture, kind string) (string, kluis.Request) {
	t.Helper()
	var q kluis.Request
	if code, body := u.apiCall(t, f.po, "POST", "/api/v1/requests", `{"candidate_id":`+idText(f.c.ID)+`,"kind":"`+kind+`","channel":"email"}`, &q); code != http.StatusCreated {
		t.Fatalf("register: %d %s", code, body)
	}
	path := "/api/v1/requests/" + idText(q.ID)
	if code, body := u.apiCall(t, f.po, "POST", path+"/verify", `{"version":1,"verified_how":"known-email"}`, &q); code != http.StatusOK {
		t.Fatalf("verify: %d %s", code, body)
	}
	return path, q
}

// TestARestrictionRequestIsWalkedThroughTheAPI: restrict, refuse every use
// and change, process anyway once with a recorded reason, notify the
// recipients, inform the candidate by e-mail, and lift once that is sent.
func TestARestrictionRequestIsWalkedThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	f := newRightsFixture(t, u, "Beperkt", true)
	cand := "/api/v1/candidates/" + idText(f.c.ID)
	path, q := registerVerified(t, u, f, "restriction")

	if code, body := u.apiCall(t, f.rec, "POST", path+"/restrict", `{"ground":"accuracy"}`, nil); code != http.StatusForbidden {
		t.Fatalf("a recruiter restricted: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/restrict", `{"ground":"objection"}`, nil); code != http.StatusBadRequest || !strings.Contains(body, `"ground"`) {
		t.Fatalf("ground (d) on a restriction request: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/restrict", `{"version":2,"ground":"accuracy","note":"Adres betwist"}`, &q); code != http.StatusOK || q.Status != "in-progress" {
		t.Fatalf("restrict: %d %s", code, body)
	}
	var xs listBody[kluis.Restriction]
	if code, body := u.apiCall(t, f.reader, "GET", "/api/v1/restrictions?state=active&candidate_id="+idText(f.c.ID), "", &xs); code != http.StatusOK || xs.Total != 1 ||
		xs.Items[0].Ground != "accuracy" || xs.Items[0].RequestID != q.ID || xs.Items[0].Note != "Adres betwist" {
		t.Fatalf("the restrictions: %d %s", code, body)
	}
	x := xs.Items[0]
	rpath := "/api/v1/restrictions/" + idText(x.ID)

	// Still visible; but not changed, placed, disclosed, mailed or listed.
	var got kluis.Candidate
	if code, _ := u.apiCall(t, f.rec, "GET", cand, "", &got); code != http.StatusOK {
		t.Fatalf("the recruiter no longer sees the candidate: %d", code)
	}
	if code, body := u.apiCall(t, f.rec, "PATCH", cand, `{"version":`+idText(got.Version)+`,"city":"Zeist"}`, nil); !restrictedRefusal(code, body) {
		t.Errorf("an edit: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.rec, "POST", "/api/v1/placements", `{"candidate_id":`+idText(f.c.ID)+`,"client_id":`+idText(f.client.ID)+`,"function":"Snijder","start_date":"2026-12-01","hourly_wage_cents":1500}`, nil); !restrictedRefusal(code, body) {
		t.Errorf("a placement: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.rec, "POST", "/api/v1/contact-moments", `{"candidate_id":`+idText(f.c.ID)+`,"kind":"phone","note":"Gebeld"}`, nil); !restrictedRefusal(code, body) {
		t.Errorf("a contact moment: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.rec, "POST", "/api/v1/documents/"+idText(f.cv)+"/disclosures", `{"client_id":`+idText(f.client.ID)+`,"purpose":"mediation"}`, nil); !restrictedRefusal(code, body) {
		t.Errorf("a CV to a client: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.rec, "DELETE", "/api/v1/documents/"+idText(f.cv), "", nil); !restrictedRefusal(code, body) {
		t.Errorf("a document's deletion: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "DELETE", cand, "", nil); code != http.StatusForbidden && !restrictedRefusal(code, body) {
		t.Errorf("a deletion: %d %s", code, body)
	}
	var l listBody[kluis.Candidate]
	if code, body := u.apiCall(t, f.rec, "GET", "/api/v1/candidates", "", &l); code != http.StatusOK || l.Total != 0 {
		t.Errorf("the list shows the restricted candidate: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.rec, "POST", "/api/v1/candidates/search", `{"query":"Beperkt"}`, &l); code != http.StatusOK || l.Total != 0 {
		t.Errorf("the search finds the restricted candidate: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.rec, "GET", "/api/v1/candidates?restricted=only", "", nil); code != http.StatusBadRequest {
		t.Errorf("a recruiter's filter: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "GET", "/api/v1/candidates?restricted=only", "", &l); code != http.StatusOK || l.Total != 1 {
		t.Errorf("the privacy officer's filter: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", "/api/v1/candidates/search", `{"query":"Beperkt","restricted":"include"}`, &l); code != http.StatusOK || l.Total != 1 {
		t.Errorf("the privacy officer's search: %d %s", code, body)
	}

	// Processing anyway: one call, with a reason, by a role that judges it.
	override := map[string]string{"Kluis-Override-Reason": "legal-claim", "Kluis-Override-Note": url.PathEscape("Dossier bijgewerkt voor de rechter")}
	if code, body := u.apiCallWith(t, f.rec, "PATCH", cand, `{"version":`+idText(got.Version)+`,"city":"Zeist"}`, override, nil); code != http.StatusForbidden {
		t.Errorf("a recruiter processed anyway: %d %s", code, body)
	}
	if code, body := u.apiCallWith(t, f.mgr, "PATCH", cand, `{"version":`+idText(got.Version)+`,"city":"Zeist"}`,
		map[string]string{"Kluis-Override-Reason": "because"}, nil); code != http.StatusBadRequest || !strings.Contains(body, "override_reason") {
		t.Errorf("a bad reason: %d %s", code, body)
	}
	if code, body := u.apiCallWith(t, f.mgr, "PATCH", cand, `{"version":`+idText(got.Version)+`,"city":"Zeist"}`, override, &got); code != http.StatusOK || got.City != "Zeist" {
		t.Fatalf("processing anyway: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.mgr, "PATCH", cand, `{"version":`+idText(got.Version)+`,"city":"Houten"}`, nil); !restrictedRefusal(code, body) {
		t.Errorf("the override outlived its call: %d %s", code, body)
	}
	var os listBody[store.ProcessingOverride]
	if code, body := u.apiCall(t, f.reader, "GET", rpath+"/overrides", "", &os); code != http.StatusOK || os.Total != 1 || os.Items[0].Note != "Dossier bijgewerkt voor de rechter" {
		t.Fatalf("the overrides: %d %s", code, body)
	}

	// The recipients are told of the restriction; the candidate of them.
	var rs recipientsAnswer
	if code, body := u.apiCall(t, f.reader, "GET", path+"/recipients", "", &rs); code != http.StatusOK || len(rs.Recipients) != 1 || rs.Recipients[0].Email != "hr@kwekerij.nl" {
		t.Fatalf("recipients: %d %s", code, body)
	}
	var ns listBody[kluis.RecipientNotice]
	if code, body := u.apiCall(t, f.po, "POST", path+"/notify", `{"channel":"email","lang":"en"}`, &ns); code != http.StatusOK || ns.Total != 1 || ns.Items[0].About != "restriction" {
		t.Fatalf("notify: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/notify", `{"channel":"letter"}`, nil); code != http.StatusConflict {
		t.Fatalf("notified twice: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/tell-candidate", `{"channel":"letter","sent_on":"2026-11-29"}`, nil); code != http.StatusOK {
		t.Fatalf("tell: %d %s", code, body)
	}
	ms, _, _ := u.DB.OutboxMessages(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}, f.c.ID, kluis.Page{})
	if len(ms) != 1 || ms[0].To != "hr@kwekerij.nl" || !strings.Contains(ms[0].Text, "restricted (art. 18 GDPR)") {
		t.Fatalf("the notice to the client: %+v", ms)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/close", `{"status":"done","outcome":"Verwerking beperkt; opdrachtgever bericht"}`, &q); code != http.StatusOK {
		t.Fatalf("close: %d %s", code, body)
	}

	// Lifting: only after informing; by e-mail once it left the outbox.
	if code, body := u.apiCall(t, f.po, "POST", rpath+"/lift", `{}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "informed_how") {
		t.Fatalf("lifted before informing: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", rpath+"/inform", `{"version":1,"informed_how":"email","lang":"nl"}`, &x); code != http.StatusOK || x.NoticeID == 0 {
		t.Fatalf("inform: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", rpath+"/lift", `{"version":2}`, nil); code != http.StatusBadRequest {
		t.Fatalf("lifted before the notice was sent: %d %s", code, body)
	}
	if err := u.DB.MailSent(t.Context(), u.Tenant.ID, x.NoticeID, u.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if code, body := u.apiCall(t, f.po, "POST", rpath+"/lift", `{"version":2}`, &x); code != http.StatusOK || x.LiftedOn == "" {
		t.Fatalf("lift: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.rec, "PATCH", cand, `{"version":`+idText(got.Version)+`,"city":"Houten"}`, nil); code != http.StatusOK {
		t.Fatalf("an edit after the lifting: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.rec, "GET", "/api/v1/restrictions", "", nil); code != http.StatusForbidden {
		t.Fatalf("a recruiter read the restrictions: %d %s", code, body)
	}
}

// TestAnObjectionIsWalkedThroughTheAPI: ground (d) while it is assessed,
// the outcome recorded, the candidate informed by letter, lifted, closed.
func TestAnObjectionIsWalkedThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	f := newRightsFixture(t, u, "Bezwaar", true)
	path, q := registerVerified(t, u, f, "objection")
	if code, body := u.apiCall(t, f.po, "POST", path+"/restrict", `{"note":"Bezwaar tegen profilering"}`, &q); code != http.StatusOK {
		t.Fatalf("restrict: %d %s", code, body)
	}
	var xs listBody[kluis.Restriction]
	u.apiCall(t, f.po, "GET", "/api/v1/restrictions?candidate_id="+idText(f.c.ID), "", &xs)
	if xs.Total != 1 || xs.Items[0].Ground != "objection" {
		t.Fatalf("the restriction: %+v", xs)
	}
	rpath := "/api/v1/restrictions/" + idText(xs.Items[0].ID)
	if code, body := u.apiCall(t, f.po, "POST", path+"/close", `{"status":"done","outcome":"x"}`, nil); code != http.StatusBadRequest {
		t.Fatalf("closed before the outcome: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", rpath+"/decide", `{"outcome":"maybe"}`, nil); code != http.StatusBadRequest {
		t.Fatalf("a bad outcome: %d %s", code, body)
	}
	var x kluis.Restriction
	if code, body := u.apiCall(t, f.po, "POST", rpath+"/decide", `{"outcome":"rejected"}`, &x); code != http.StatusOK || x.Outcome != "rejected" {
		t.Fatalf("decide: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/erase", `{}`, nil); code != http.StatusBadRequest {
		t.Fatalf("a rejected objection erased: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", rpath+"/inform", `{"informed_how":"letter"}`, &x); code != http.StatusOK || x.InformedHow != "letter" {
		t.Fatalf("inform: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", rpath+"/lift", `{}`, &x); code != http.StatusOK {
		t.Fatalf("lift: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/close", `{"status":"done","outcome":"Bezwaar ongegrond; beperking opgeheven"}`, &q); code != http.StatusOK || q.Status != "done" {
		t.Fatalf("close: %d %s", code, body)
	}
}

// TestARectificationWithRecipientNoticesIsWalkedThroughTheAPI: the fields
// corrected through the validated, versioned update, the statement added,
// the recipients told the new values of what they received, the candidate
// told which were; the audit names fields, never values.
func TestARectificationWithRecipientNoticesIsWalkedThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	f := newRightsFixture(t, u, "Fout", true)
	path, q := registerVerified(t, u, f, "rectification")
	if code, body := u.apiCall(t, f.po, "POST", path+"/notify", `{"channel":"letter"}`, nil); code != http.StatusBadRequest {
		t.Fatalf("notified before the correction: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/rectify", `{"changes":{"last_name":"Foudt"}}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "candidate_version") {
		t.Fatalf("without the candidate's version: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/rectify", `{"candidate_version":1,"changes":{"email":"nope"}}`, nil); code != http.StatusBadRequest || !strings.Contains(body, `"email"`) {
		t.Fatalf("an invalid correction: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/rectify", `{"candidate_version":1,"changes":{"shoe_size":44}}`, nil); code != http.StatusBadRequest {
		t.Fatalf("an unknown field: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/rectify", `{"version":2,"candidate_version":1,"changes":{"last_name":"Foudt","city":"Zeist"},"statement":"Ik heet Foudt."}`, &q); code != http.StatusOK || q.Status != "in-progress" {
		t.Fatalf("rectify: %d %s", code, body)
	}
	var got kluis.Candidate
	u.apiCall(t, f.rec, "GET", "/api/v1/candidates/"+idText(f.c.ID), "", &got)
	if got.LastName != "Foudt" || got.City != "Zeist" || got.Version != 2 {
		t.Fatalf("the corrected candidate: %+v", got)
	}
	var ss listBody[kluis.SupplementaryStatement]
	if code, body := u.apiCall(t, f.rec, "GET", "/api/v1/candidates/"+idText(f.c.ID)+"/supplementary-statements", "", &ss); code != http.StatusOK || ss.Total != 1 || ss.Items[0].Body != "Ik heet Foudt." {
		t.Fatalf("the statement: %d %s", code, body)
	}
	es, _, _ := u.DB.AuditLog(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}, store.AuditFilter{CandidateID: f.c.ID, Action: "rectify"})
	if len(es) != 1 || strings.Join(es[0].Fields, ",") != "last_name,city" {
		t.Fatalf("the audit of the rectification: %+v", es)
	}
	var ns listBody[kluis.RecipientNotice]
	if code, body := u.apiCall(t, f.po, "POST", path+"/notify", `{"channel":"email","lang":"nl"}`, &ns); code != http.StatusOK || ns.Total != 1 {
		t.Fatalf("notify: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/tell-candidate", `{"channel":"email","lang":"en"}`, nil); code != http.StatusOK {
		t.Fatalf("tell: %d %s", code, body)
	}
	ms, _, _ := u.DB.OutboxMessages(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}, f.c.ID, kluis.Page{})
	if len(ms) != 2 || !strings.Contains(ms[1].Text, "Achternaam: Foudt") || !strings.Contains(ms[1].Text, "Woonplaats: Zeist") ||
		ms[0].To != got.Email || !strings.Contains(ms[0].Text, "Kwekerij Oost") {
		t.Fatalf("the notices: %+v", ms)
	}
	var rs recipientsAnswer
	if code, body := u.apiCall(t, f.reader, "GET", path+"/recipients", "", &rs); code != http.StatusOK || len(rs.Notices) != 2 || len(rs.Recipients[0].Notices) != 1 {
		t.Fatalf("recipients: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/close", `{"status":"done","outcome":"Naam gecorrigeerd"}`, &q); code != http.StatusOK {
		t.Fatalf("close: %d %s", code, body)
	}
}

// TestAnErasureWithRecipientNoticesIsWalkedThroughTheAPI: no erasure
// before every recipient is told and the notices have left the outbox;
// afterwards nothing of the candidate is anywhere, the notices remain.
func TestAnErasureWithRecipientNoticesIsWalkedThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	f := newRightsFixture(t, u, "Vergeten", false)
	path, q := registerVerified(t, u, f, "erasure")
	if code, body := u.apiCall(t, f.po, "POST", path+"/erase", `{}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "Kwekerij Oost") {
		t.Fatalf("erased before the recipients were told: %d %s", code, body)
	}
	var ns listBody[kluis.RecipientNotice]
	if code, body := u.apiCall(t, f.po, "POST", path+"/notify", `{"channel":"email","lang":"nl"}`, &ns); code != http.StatusOK || ns.Items[0].About != "erasure" {
		t.Fatalf("notify: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/erase", `{}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "outbox") {
		t.Fatalf("erased while a notice waits: %d %s", code, body)
	}
	c, _ := u.DB.Candidate(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}, f.c.ID)
	known := store.IdentifiersOf(c, nil)
	if err := u.DB.MailSent(t.Context(), u.Tenant.ID, ns.Items[0].OutboxID, u.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if code, body := u.apiCall(t, f.po, "POST", path+"/erase", `{}`, &q); code != http.StatusOK || q.Status != "done" || q.ResidueHits == nil || *q.ResidueHits != 0 {
		t.Fatalf("erase: %d %s", code, body)
	}
	hits, err := u.DB.ScanResidue(t.Context(), known, store.ResidueOptions{RawFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		t.Errorf("residue: %s", h.Place)
	}
	var rs recipientsAnswer
	if code, body := u.apiCall(t, f.reader, "GET", path+"/recipients", "", &rs); code != http.StatusOK || len(rs.Notices) != 1 || rs.Notices[0].Recipient != "Kwekerij Oost" ||
		strings.Contains(body, "Vergeten@") || len(rs.Recipients) != 0 {
		t.Fatalf("after the erasure: %d %s", code, body)
	}
}

// TestARestrictedCandidateIsNeitherMailedNorCleanedUpThroughTheAPI: the
// statement's bulk sending and a single sending pass them by, the clean-up
// finds nothing due, and the erasure preview keeps everything.
func TestARestrictedCandidateIsNeitherMailedNorCleanedUpThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	f := newRightsFixture(t, u, "Bewaard", false)
	other := u.MustCreateCandidate(t, "Gewoon")
	if err := u.DB.Restrict(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}, &kluis.Restriction{CandidateID: f.c.ID, Ground: "unlawful"}); err != nil {
		t.Fatal(err)
	}
	if code, body := u.apiCall(t, f.po, "POST", "/api/v1/privacy-statements", `{"text_nl":"# NL","text_en":"# EN"}`, nil); code != http.StatusCreated {
		t.Fatalf("publish: %d %s", code, body)
	}
	var ni struct {
		Total int `json:"total"`
		Items []struct {
			ID kluis.ID `json:"id"`
		} `json:"items"`
	}
	if code, body := u.apiCall(t, f.po, "GET", "/api/v1/privacy-statements/not-informed", "", &ni); code != http.StatusOK || ni.Total != 1 || ni.Items[0].ID != other.ID {
		t.Fatalf("not informed: %d %s", code, body)
	}
	var job store.StatementSend
	if code, body := u.apiCall(t, f.po, "POST", "/api/v1/privacy-statement-sends", "", &job); code != http.StatusAccepted && code != http.StatusCreated || job.Total != 1 {
		t.Fatalf("the bulk sending: %d %s", code, body)
	}
	// The sending runs in the background: it must be done before the
	// clock moves, or its contact moment is dated years later and makes
	// the other candidate active again.
	u.web.Wait()
	if code, body := u.apiCall(t, f.po, "POST", "/api/v1/candidates/"+idText(f.c.ID)+"/privacy-statement/send", `{}`, nil); !restrictedRefusal(code, body) {
		t.Fatalf("a single sending: %d %s", code, body)
	}
	// Years later, everyone else's data are due; theirs are kept. The
	// bulk sending runs in the background: it must be done first, or the
	// contact moment it records for the other candidate falls after the
	// clock's jump and keeps them from being due.
	u.web.Wait()
	u.Clock.Advance(10 * 365 * 24 * time.Hour)
	var due struct {
		Items []struct {
			CandidateID kluis.ID `json:"candidate_id"`
		} `json:"items"`
	}
	if code, body := u.apiCall(t, f.po, "GET", "/api/v1/retention/due", "", &due); code != http.StatusOK || len(due.Items) != 1 || due.Items[0].CandidateID != other.ID {
		t.Fatalf("due: %d %s", code, body)
	}
	if code, body := u.apiCall(t, f.po, "GET", "/api/v1/candidates/"+idText(f.c.ID)+"/erasure-preview?reason=request", "", nil); code != http.StatusOK || strings.Contains(body, `"due":true`) {
		t.Fatalf("the preview: %d %s", code, body)
	}
}
