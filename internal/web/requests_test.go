package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// TestAnErasureRequestIsWalkedThroughTheAPI: received → verified → erased
// → closed. The candidate is gone; the request stays with its outcome and
// without any personal data. Nothing is erased before the identity check,
// and only the privacy officer keeps the register.
func TestAnErasureRequestIsWalkedThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Vergeetmij")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "candidates:write")
	reader := u.token(t, officer.ID, "candidates:read")
	recruiter := u.token(t, u.Actor.UserID, "*")
	cand := idText(c.ID)

	// Field-by-field 400s, in the caller's language, never a 500.
	code, body := u.apiCall(t, po, "POST", "/api/v1/requests", `{"kind":"wish","channel":"pigeon","received_on":"2026-13-01"}`, nil)
	if code != http.StatusBadRequest || !strings.Contains(body, `"kind"`) || !strings.Contains(body, `"channel"`) ||
		!strings.Contains(body, `"received_on"`) || !strings.Contains(body, `"candidate_id"`) {
		t.Fatalf("bad request: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "POST", "/api/v1/requests", `{"kind":"erasure","channel":"email","shoe_size":44}`, nil); code != http.StatusBadRequest {
		t.Fatalf("unknown field: %d", code)
	}
	if code, _ := u.apiCall(t, recruiter, "POST", "/api/v1/requests", `{"candidate_id":`+cand+`,"kind":"erasure","channel":"email"}`, nil); code != http.StatusForbidden {
		t.Fatalf("a recruiter registered a request: %d", code)
	}
	if code, _ := u.apiCall(t, reader, "POST", "/api/v1/requests", `{"candidate_id":`+cand+`,"kind":"erasure","channel":"email"}`, nil); code != http.StatusForbidden {
		t.Fatalf("a read-only token registered a request: %d", code)
	}

	var q kluis.Request
	code, body = u.apiCall(t, po, "POST", "/api/v1/requests",
		`{"candidate_id":`+cand+`,"kind":"erasure","channel":"letter","description":"Sanne Vergeetmij wil uit het bestand"}`, &q)
	if code != http.StatusCreated || q.Status != "received" || q.DueOn != "2026-12-29" {
		t.Fatalf("registered: %d %s", code, body)
	}
	id := "/api/v1/requests/" + idText(q.ID)
	if code, body := u.apiCall(t, po, "POST", id+"/erase", `{}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "verified_how") {
		t.Fatalf("erased before the identity check: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "POST", id+"/verify", `{"verified_how":"shown-a-photo"}`, nil); code != http.StatusBadRequest {
		t.Fatalf("an unknown verification: %d", code)
	}
	if code, _ := u.apiCall(t, po, "POST", id+"/verify", `{"version":7,"verified_how":"id-document-shown"}`, nil); code != http.StatusConflict {
		t.Fatalf("a stale version: %d", code)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/verify", `{"version":1,"verified_how":"id-document-shown"}`, &q); code != http.StatusOK || q.Status != "verified" {
		t.Fatalf("verify: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/extend", `{"extension_reason":"Archief"}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "notice_sent_on") {
		t.Fatalf("an extension without notice: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/erase", `{"version":2}`, &q); code != http.StatusOK {
		t.Fatalf("erase: %d %s", code, body)
	}
	if q.Status != "done" || q.ErasureID == 0 || q.ResidueHits == nil || *q.ResidueHits != 0 || q.ClosedOn == "" || q.Outcome == "" {
		t.Fatalf("the request after the erasure: %+v", q)
	}
	if code, _ := u.apiCall(t, po, "GET", "/api/v1/candidates/"+cand, "", nil); code != http.StatusNotFound {
		t.Fatalf("the candidate is still there: %d", code)
	}
	var kept kluis.Request
	code, body = u.apiCall(t, reader, "GET", id, "", &kept)
	if code != http.StatusOK || kept.Description != "" || strings.Contains(body, "Vergeetmij") || kept.Outcome != q.Outcome || kept.Kind != "erasure" {
		t.Fatalf("the kept request: %d %s", code, body)
	}
	var e kluis.Erasure
	if code, body := u.apiCall(t, po, "GET", "/api/v1/erasures/"+idText(q.ErasureID), "", &e); code != http.StatusOK || e.RequestID != q.ID {
		t.Fatalf("the erasure record: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "POST", id+"/close", `{"status":"refused","outcome":"x"}`, nil); code != http.StatusConflict {
		t.Fatalf("a closed request closed again: %d", code)
	}
	if code, _ := u.apiCall(t, recruiter, "GET", id, "", nil); code != http.StatusForbidden {
		t.Fatalf("a recruiter read the register: %d", code)
	}
}

// TestAnAccessRequestIsAnsweredWithTheRecordCard: once verified, the
// record card is produced and the request closed as done.
func TestAnAccessRequestIsAnsweredWithTheRecordCard(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Inzage")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "*")
	var q kluis.Request
	if code, body := u.apiCall(t, po, "POST", "/api/v1/requests", `{"candidate_id":`+idText(c.ID)+`,"kind":"access","channel":"email","received_on":"31-10-2026"}`, &q); code != http.StatusCreated {
		t.Fatalf("%d %s", code, body)
	}
	if q.DueOn != "2026-11-30" {
		t.Fatalf("due %s", q.DueOn)
	}
	id := "/api/v1/requests/" + idText(q.ID)
	if code, _ := u.apiCall(t, po, "POST", id+"/close", `{"status":"done","outcome":"Stamkaart gestuurd"}`, nil); code != http.StatusBadRequest {
		t.Fatalf("done before the identity check: %d", code)
	}
	if code, _ := u.apiCall(t, po, "POST", id+"/erase", ``, nil); code != http.StatusBadRequest {
		t.Fatalf("an access request erased: %d", code)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/verify", `{"verified_how":"known-email","verified_on":"2026-11-02"}`, &q); code != http.StatusOK || q.VerifiedOn != "2026-11-02" {
		t.Fatalf("%d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "GET", "/api/v1/candidates/"+idText(c.ID)+"/record-card", "", nil); code != http.StatusOK || !strings.Contains(body, "Inzage") {
		t.Fatalf("record card: %d %.200s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/close", `{"status":"done","outcome":"Stamkaart gestuurd"}`, &q); code != http.StatusOK || q.Status != "done" {
		t.Fatalf("%d %s", code, body)
	}
	var l listBody[kluis.Request]
	if code, body := u.apiCall(t, po, "GET", "/api/v1/requests?kind=access&candidate_id="+idText(c.ID), "", &l); code != http.StatusOK || l.Total != 1 {
		t.Fatalf("%d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "GET", "/api/v1/requests?overdue=maybe", "", nil); code != http.StatusBadRequest {
		t.Fatalf("a bad filter: %d", code)
	}
	_ = context.Background()
}

// TestAPortabilityRequestIsWalkedThroughTheAPI: registered, verified,
// answered in one call with the export of art. 20 — the cover letter, the
// data the candidate supplied as JSON and as CSV, and the documents they
// handed in — and closed. What the agency recorded itself or keeps by
// law (the BSN, the status, a contract) is not in it.
func TestAPortabilityRequestIsWalkedThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Meeneem")
	// A BSN is kept only of someone who works through the agency.
	u.MustCreatePlacement(t, c.ID, u.MustCreateClient(t, "Kwekerij Oost").ID, "2026-11-02")
	c, _ = u.DB.Candidate(ctx, u.Actor, c.ID)
	c.BSN, c.City = "249566758", "Amersfoort"
	if err := u.DB.UpdateCandidate(ctx, u.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	cv := []byte("%PDF-1.4\nCV van Meeneem\n%%EOF\n")
	for _, d := range []*kluis.Document{{CandidateID: c.ID, Kind: "cv", FileName: "cv.pdf"}, {CandidateID: c.ID, Kind: "contract", FileName: "contract.pdf"}} {
		if err := u.DB.CreateDocument(ctx, u.Actor, d, strings.NewReader(string(cv))); err != nil {
			t.Fatal(err)
		}
	}
	po := u.token(t, u.user(t, "Petra", kluis.RolePrivacy).ID, "*")
	var q kluis.Request
	if code, body := u.apiCall(t, po, "POST", "/api/v1/requests", `{"candidate_id":`+idText(c.ID)+`,"kind":"portability","channel":"letter"}`, &q); code != http.StatusCreated {
		t.Fatalf("register: %d %s", code, body)
	}
	path := "/api/v1/requests/" + idText(q.ID)
	if code, body := u.fetch(t, po, "POST", path+"/answer", `{}`); code != http.StatusBadRequest || !strings.Contains(string(body), "verified_how") {
		t.Fatalf("answered before the identity check: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", path+"/verify", `{"verified_how":"id-document-shown"}`, &q); code != http.StatusOK {
		t.Fatalf("verify: %d %s", code, body)
	}
	code, pkg := u.fetch(t, po, "POST", path+"/answer", `{"lang":"en"}`)
	if code != http.StatusOK {
		t.Fatalf("answer: %d %s", code, pkg)
	}
	files := unzip(t, pkg)
	cand := idText(c.ID)
	want := []string{"antwoord-verzoek-" + idText(q.ID) + ".pdf", "overdraagbaar-" + cand + ".json", "overdraagbaar-" + cand + "-csv.zip",
		"documents/manifest.json", "documents/001-cv-cv.pdf"}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("the package holds %v, want %v", names, want)
	}
	if files["documents/001-cv-cv.pdf"] != string(cv) {
		t.Error("the CV in the package is not the file as kept")
	}
	var port struct {
		Candidate map[string]any
		Documents []struct {
			Kind     string `json:"kind"`
			FileName string `json:"file_name"`
		}
	}
	if err := json.Unmarshal([]byte(files["overdraagbaar-"+cand+".json"]), &port); err != nil {
		t.Fatal(err)
	}
	if port.Candidate["last_name"] != "Meeneem" || port.Candidate["city"] != "Amersfoort" || port.Candidate["bsn"] != nil ||
		port.Candidate["status"] != nil || len(port.Documents) != 1 || port.Documents[0].FileName != "cv.pdf" {
		t.Errorf("the JSON export: %s", files["overdraagbaar-"+cand+".json"])
	}
	csvs := unzip(t, []byte(files["overdraagbaar-"+cand+"-csv.zip"]))
	if !strings.Contains(csvs["candidate.csv"], "last_name") || !strings.Contains(csvs["candidate.csv"], "Meeneem") ||
		strings.Contains(csvs["candidate.csv"], "249566758") || strings.Contains(csvs["candidate.csv"], "registered_on") {
		t.Errorf("the CSV export: %v", csvs)
	}
	var man struct{ Files []struct{ Kind string } }
	if err := json.Unmarshal([]byte(files["documents/manifest.json"]), &man); err != nil || len(man.Files) != 1 || man.Files[0].Kind != "cv" {
		t.Errorf("the manifest: %v %s", err, files["documents/manifest.json"])
	}
	cover := pdfText(t, []byte(files["antwoord-verzoek-"+idText(q.ID)+".pdf"]))
	for _, s := range []string{"Your request for data portability", "article 20", "overdraagbaar-" + cand + ".json", "1 documents"} {
		if !strings.Contains(cover, s) {
			t.Errorf("the cover letter lacks %q: %s", s, cover)
		}
	}
	if strings.Contains(cover, "record card") {
		t.Errorf("the cover letter speaks of a record card it does not enclose: %s", cover)
	}
	// Only the cover letter is kept with the request: there is no card.
	var letters struct{ Items []kluis.RequestLetter }
	if code, body := u.apiCall(t, po, "GET", path+"/letters", "", &letters); code != http.StatusOK || len(letters.Items) != 1 || letters.Items[0].Kind != "access-answer" {
		t.Fatalf("the letters kept: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", path+"/close", `{"status":"done","outcome":"Export gestuurd"}`, &q); code != http.StatusOK || q.Status != "done" {
		t.Fatalf("close: %d %s", code, body)
	}
	if code, _ := u.fetch(t, po, "POST", path+"/answer", `{}`); code != http.StatusConflict {
		t.Errorf("a closed request answered again: %d", code)
	}
}

// TestARequestIsExtendedWithItsReasonAndTheNotice: within the first month
// the privacy officer extends a request by two further months — the
// reason and the day the candidate was told recorded, the new due date
// two months after the first — and writes the notice to the candidate
// (art. 12(3)), kept with the request; through the API and on the
// request's page.
func TestARequestIsExtendedWithItsReasonAndTheNotice(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Verlengd")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "*")

	// The API: received 31 October, due 30 November; extended to 30 January.
	var q kluis.Request
	if code, body := u.apiCall(t, po, "POST", "/api/v1/requests", `{"candidate_id":`+idText(c.ID)+`,"kind":"access","channel":"email","received_on":"2026-10-31"}`, &q); code != http.StatusCreated || q.DueOn != "2026-11-30" {
		t.Fatalf("register: %d %s", code, body)
	}
	path := "/api/v1/requests/" + idText(q.ID)
	if code, body := u.apiCall(t, po, "POST", path+"/extend", `{"version":1,"extension_reason":"Archief op een andere vestiging","notice_sent_on":"2026-11-28"}`, &q); code != http.StatusOK {
		t.Fatalf("extend: %d %s", code, body)
	}
	if q.Status != "extended" || q.DueOn != "2027-01-30" || q.ExtensionReason != "Archief op een andere vestiging" || q.NoticeSentOn != "2026-11-28" ||
		q.ExtendedOn != kluis.DateOf(u.Clock.Now()) || q.Version != 2 {
		t.Fatalf("the extended request: %+v", q)
	}
	if code, body := u.apiCall(t, po, "POST", path+"/extend", `{"version":2,"extension_reason":"Nog eens","notice_sent_on":"2026-11-28"}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "once only") {
		t.Errorf("extended twice: %d %s", code, body)
	}
	var l kluis.RequestLetter
	if code, body := u.apiCall(t, po, "POST", path+"/letters", `{"kind":"extension","lang":"en"}`, &l); code != http.StatusCreated || l.Kind != "extension" || !l.Sealed {
		t.Fatalf("the notice: %d %s", code, body)
	}
	code, notice := u.fetch(t, po, "GET", path+"/letters/"+idText(l.ID), "")
	if code != http.StatusOK {
		t.Fatalf("the notice's PDF: %d", code)
	}
	text := pdfText(t, notice)
	for _, want := range []string{"We need more time for your request", "Archief op een andere vestiging", "30 November 2026", "30 January 2027", "article 12(3)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the notice lacks %q: %s", want, text)
		}
	}
	var due listBody[kluis.Request]
	if code, body := u.apiCall(t, po, "GET", "/api/v1/requests?overdue=true", "", &due); code != http.StatusOK || due.Total != 0 {
		t.Errorf("an extended request counted as overdue: %d %s", code, body)
	}

	// The UI: received 15 November, due 15 December; extended to 15 February.
	ps := u.session(t, officer.ID)
	q2 := &kluis.Request{CandidateID: c.ID, Kind: "erasure", Channel: "letter", ReceivedOn: "2026-11-15"}
	if err := u.DB.CreateRequest(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}, q2); err != nil {
		t.Fatal(err)
	}
	page := "/requests/" + idText(q2.ID)
	u.get(t, ps, page).expect(t, http.StatusOK)
	bad := u.post(t, ps, page+"/extend", url.Values{"version": {"1"}, "notice_sent_on": {"2026-12-01"}})
	bad.expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(bad.body, "extension_reason") == "" || clientFieldError(bad.body, "notice_sent_on") == "" {
		t.Fatalf("an extension without a reason, told in the future:\n%s", bad.body)
	}
	if got, _ := u.DB.Request(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}, q2.ID); got.Status == "extended" {
		t.Fatal("a refused extension changed the request")
	}
	u.post(t, ps, page+"/extend", url.Values{"version": {"1"}, "extension_reason": {"Veel documenten"}, "notice_sent_on": {"2026-11-29"}}).expect(t, http.StatusSeeOther)
	shown := u.get(t, ps, page).expect(t, http.StatusOK)
	if !strings.Contains(shown.body, "Veel documenten") || !strings.Contains(shown.body, "15-02-2027") || strings.Contains(shown.body, `id="request-extend"`) {
		t.Errorf("the request's page after the extension:\n%s", shown.body)
	}
	u.post(t, ps, page+"/letters", url.Values{"kind": {"extension"}, "lang": {"nl"}}).expect(t, http.StatusSeeOther)
	ls, err := u.DB.Letters(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}, q2.ID)
	if err != nil || len(ls) != 1 || ls[0].Kind != "extension" {
		t.Fatalf("the notice kept: %+v %v", ls, err)
	}
	code, notice = u.fetch(t, po, "GET", "/api/v1/requests/"+idText(q2.ID)+"/letters/"+idText(ls[0].ID), "")
	if text := pdfText(t, notice); code != http.StatusOK || !strings.Contains(text, "Veel documenten") || !strings.Contains(text, "15 februari 2027") {
		t.Errorf("the notice from the UI: %d %s", code, text)
	}
}
