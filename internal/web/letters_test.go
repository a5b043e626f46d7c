package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// fetch does a GET or POST with a bearer token and returns the raw body.
func (u *clientUIEnv) fetch(t *testing.T, secret, method, path, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, u.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+secret)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// unzip reads an archive into name → content.
func unzip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		c, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(c)
	}
	return out
}

// needPDFText skips a test that reads a PDF's text when pdftotext is not
// installed — except in CI (CI=true), where that is a failure: there the
// text must be checked.
func needPDFText(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal("pdftotext (poppler-utils) is not installed, and in CI the PDFs' text must be checked")
		}
		t.Skip("pdftotext (poppler-utils) is not installed: the PDF's text cannot be checked; CI installs it")
	}
}

func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	needPDFText(t)
	file := filepath.Join(t.TempDir(), "x.pdf")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestAnAccessRequestIsAnsweredInOneStepAndEveryLetterIsKept: the privacy
// officer answers a verified access request with one call — cover letter,
// record card as PDF, JSON and CSV, the documents with a manifest — and the
// cover letter and record card stay with the request; the CSV is safe in a
// spreadsheet; the portability export holds only what the candidate gave;
// a recruiter gets none of it and sees only the documents of kinds they
// may see.
func TestAnAccessRequestIsAnsweredInOneStepAndEveryLetterIsKept(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Inzage")
	c.Street, c.HouseNumber = "Oudegracht", "12"
	if err := u.DB.UpdateCandidate(ctx, u.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	p := u.MustCreatePlacement(t, c.ID, u.MustCreateClient(t, "Kwekerij Oost").ID, "2026-11-02")
	pa := kluis.Actor{TenantID: u.Tenant.ID, UserID: u.user(t, "Pien", kluis.RolePayroll).ID, Role: kluis.RolePayroll}
	if err := u.DB.CreatePayrollRecord(ctx, pa, &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: p.ID, Year: 2026, Period: 11, GrossCents: 245000, NetCents: 187512}); err != nil {
		t.Fatal(err)
	}
	pdfDoc := []byte("%PDF-1.4\nCV van Sanne\n%%EOF\n")
	for _, d := range []*kluis.Document{{CandidateID: c.ID, Kind: "cv", FileName: "../../etc/cv Sanne.pdf"}, {CandidateID: c.ID, Kind: "cv", FileName: "../../etc/cv Sanne.pdf"},
		{CandidateID: c.ID, Kind: "contract", FileName: "contract.pdf"}} {
		if err := u.DB.CreateDocument(ctx, u.Actor, d, bytes.NewReader(pdfDoc)); err != nil {
			t.Fatal(err)
		}
	}
	if err := u.DB.CreateContactMoment(ctx, u.Actor, &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: "=HYPERLINK(\"http://evil\")"}); err != nil {
		t.Fatal(err)
	}
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "candidates:write")
	poAll := u.token(t, officer.ID, "*")
	recruiter := u.token(t, u.Actor.UserID, "*")
	var q kluis.Request
	if code, body := u.apiCall(t, po, "POST", "/api/v1/requests", `{"candidate_id":`+idText(c.ID)+`,"kind":"access","channel":"email"}`, &q); code != http.StatusCreated {
		t.Fatalf("register: %d %s", code, body)
	}
	path := "/api/v1/requests/" + idText(q.ID)
	if code, body := u.fetch(t, po, "POST", path+"/answer", `{}`); code != http.StatusBadRequest || !strings.Contains(string(body), "verified_how") {
		t.Fatalf("answered before the identity check: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "POST", path+"/verify", `{"verified_how":"known-email"}`, &q); code != http.StatusOK {
		t.Fatal("verify")
	}
	if code, _ := u.fetch(t, recruiter, "POST", path+"/answer", `{}`); code != http.StatusForbidden {
		t.Fatalf("a recruiter answered: %d", code)
	}
	if code, body := u.fetch(t, po, "POST", path+"/answer", `{"lang":"de"}`); code != http.StatusBadRequest || !strings.Contains(string(body), `"lang"`) {
		t.Fatalf("a bad language: %d %s", code, body)
	}
	code, body := u.fetch(t, po, "POST", path+"/answer", `{"lang":"en"}`)
	if code != http.StatusOK {
		t.Fatalf("answer: %d %s", code, body)
	}
	files := unzip(t, body)
	cand := idText(c.ID)
	for _, want := range []string{"antwoord-verzoek-" + idText(q.ID) + ".pdf", "stamkaart-" + cand + ".pdf", "stamkaart-" + cand + ".json",
		"stamkaart-" + cand + "-csv.zip", "documents/manifest.json", "documents/001-cv-cv_Sanne.pdf", "documents/002-cv-cv_Sanne.pdf", "documents/003-contract-contract.pdf"} {
		if _, ok := files[want]; !ok {
			t.Errorf("the answer lacks %s; it has %v", want, slices.Collect(mapKeys(files)))
		}
	}
	if files["documents/001-cv-cv_Sanne.pdf"] != string(pdfDoc) {
		t.Error("a document in the answer is not the file as kept")
	}
	var man struct {
		Files []struct {
			File     string `json:"file"`
			FileName string `json:"file_name"`
			SHA256   string `json:"sha256"`
		}
	}
	if err := json.Unmarshal([]byte(files["documents/manifest.json"]), &man); err != nil || len(man.Files) != 3 || man.Files[0].SHA256 == "" || man.Files[0].FileName != "cv Sanne.pdf" {
		t.Fatalf("the manifest: %v %s", err, files["documents/manifest.json"])
	}
	// The record card names every field the catalogue declares of a
	// candidate (in the retention table, if not with a value), but the
	// secret fingerprint.
	card := pdfText(t, []byte(files["stamkaart-"+cand+".pdf"]))
	for _, f := range u.web.catalog.Fields() {
		if f.Subject == catalog.Candidate && !catalog.IsSecret(f) && !strings.Contains(card, strings.Join(strings.Fields(f.Label.EN), " ")) {
			t.Errorf("the record card does not name %s.%s (%q)", f.Table, f.Column, f.Label.EN)
		}
	}
	csvs := unzip(t, []byte(files["stamkaart-"+cand+"-csv.zip"]))
	if !strings.Contains(csvs["candidate.csv"], "first_name") || !strings.Contains(csvs["candidate.csv"], "Oudegracht") ||
		!strings.Contains(csvs["contact_moments.csv"], `'=HYPERLINK(""http://evil"")`) {
		t.Fatalf("the CSV: %v", csvs)
	}
	var letters struct{ Items []kluis.RequestLetter }
	if code, body := u.apiCall(t, po, "GET", path+"/letters", "", &letters); code != http.StatusOK || len(letters.Items) != 2 ||
		letters.Items[0].Kind != "access-answer" || !letters.Items[0].Sealed || letters.Items[1].Kind != "record-card" {
		t.Fatalf("the letters kept: %d %s", code, body)
	}
	code, cover := u.fetch(t, po, "GET", path+"/letters/"+idText(letters.Items[0].ID), "")
	if code != http.StatusOK {
		t.Fatalf("the cover letter: %d", code)
	}
	text := pdfText(t, cover)
	for _, want := range []string{"Your request for access", "Sanne Inzage", "Oudegracht 12", "stamkaart-" + cand + ".json", "3 documents", "Autoriteit Persoonsgegevens"} {
		if !strings.Contains(text, want) {
			t.Errorf("the cover letter lacks %q: %s", want, text)
		}
	}
	// The portability export: only what the candidate supplied.
	var port struct {
		Candidate map[string]any
		Documents []struct{ Kind string }
	}
	code, pj := u.fetch(t, po, "GET", "/api/v1/candidates/"+cand+"/portability", "")
	if err := json.Unmarshal(pj, &port); code != http.StatusOK || err != nil || port.Candidate["first_name"] != "Sanne" || port.Candidate["bsn"] != nil ||
		port.Candidate["status"] != nil || len(port.Documents) != 2 || port.Documents[0].Kind != "cv" {
		t.Fatalf("the portability export: %d %s", code, pj)
	}
	code, pc := u.fetch(t, po, "GET", "/api/v1/candidates/"+cand+"/portability?format=csv", "")
	if pcsv := unzip(t, pc); code != http.StatusOK || !strings.Contains(pcsv["candidate.csv"], "first_name") || strings.Contains(pcsv["candidate.csv"], "registered_on") {
		t.Fatalf("the portability CSV: %d %v", code, pcsv)
	}
	if code, _ := u.fetch(t, recruiter, "GET", "/api/v1/candidates/"+cand+"/portability", ""); code != http.StatusForbidden {
		t.Fatalf("a recruiter made the portability export: %d", code)
	}
	code, pz := u.fetch(t, poAll, "GET", "/api/v1/candidates/"+cand+"/documents-archive?portable=true", "")
	if z := unzip(t, pz); code != http.StatusOK || len(z) != 3 {
		t.Fatalf("the portable documents: %d %v", code, slices.Collect(mapKeys(z)))
	}
	if code, _ := u.fetch(t, po, "GET", "/api/v1/candidates/"+cand+"/documents-archive", ""); code != http.StatusForbidden {
		t.Fatalf("a token without documents:read got the files: %d", code)
	}
	if code, _ := u.fetch(t, poAll, "GET", "/api/v1/candidates/"+cand+"/documents-archive?portable=maybe", ""); code != http.StatusBadRequest {
		t.Fatalf("a bad portable: %d", code)
	}
	code, rz := u.fetch(t, recruiter, "GET", "/api/v1/candidates/"+cand+"/documents-archive", "")
	if z := unzip(t, rz); code != http.StatusOK || len(z) != 4 {
		t.Fatalf("the recruiter's archive: %d %v", code, slices.Collect(mapKeys(z)))
	}
	// The letters in the staff UI: listed with a download; a bad letter
	// form is refused field by field.
	ps := u.session(t, officer.ID)
	page := u.get(t, ps, "/requests/"+idText(q.ID)).expect(t, http.StatusOK)
	if !strings.Contains(page.body, `id="letters-table"`) || !strings.Contains(page.body, "/letters/"+idText(letters.Items[0].ID)) {
		t.Fatalf("the request page does not list the letters:\n%s", page.body)
	}
	bad := u.post(t, ps, "/requests/"+idText(q.ID)+"/letters", url.Values{"kind": {"refusal"}, "lang": {"nl"}})
	bad.expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.body, "de kandidaat moet weten waarom") {
		t.Fatalf("a refusal without a reason:\n%s", bad.body)
	}
	u.post(t, ps, "/requests/"+idText(q.ID)+"/letters", url.Values{"kind": {"refusal"}, "lang": {"nl"}, "reason": {"Kennelijk ongegrond"}}).expect(t, http.StatusSeeOther)
	// The reminders' setting on the register's page.
	bad = u.post(t, ps, "/requests/reminders", url.Values{"request_reminder_days": {"veel"}})
	bad.expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.body, "Van 0 (geen herinnering) tot en met 28 dagen.") || !strings.Contains(bad.body, `value="veel"`) {
		t.Fatalf("a bad number of days:\n%s", bad.body)
	}
	u.post(t, ps, "/requests/reminders", url.Values{"request_reminder_days": {"3"}}).expect(t, http.StatusSeeOther)
	if n, err := u.DB.RequestReminderDays(ctx, u.Tenant.ID); err != nil || n != 3 {
		t.Fatalf("the setting: %d %v", n, err)
	}
	u.get(t, u.session(t, u.Actor.UserID), "/requests").expect(t, http.StatusForbidden)
	u.web.access.Flush()
	log, _, _ := u.DB.AuditLog(ctx, u.Actor, store.AuditFilter{CandidateID: c.ID, Action: "download", Page: kluis.Page{Limit: 50}})
	if len(log) < 4 {
		t.Fatalf("the downloads are not logged: %+v", log)
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestTheErasureLetterNamesNobodyAndTheOtherLettersGoWithTheCandidate: an
// extension notice names the candidate and is sealed; after the erasure
// its content is gone, the erasure letter lists what was erased and kept
// without any identifier, and the residue scan finds nothing.
func TestTheErasureLetterNamesNobodyAndTheOtherLettersGoWithTheCandidate(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Vergeetbrief")
	ids := store.IdentifiersOf(c, nil)
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "candidates:write")
	var q kluis.Request
	if code, body := u.apiCall(t, po, "POST", "/api/v1/requests", `{"candidate_id":`+idText(c.ID)+`,"kind":"erasure","channel":"email"}`, &q); code != http.StatusCreated {
		t.Fatalf("register: %d %s", code, body)
	}
	path := "/api/v1/requests/" + idText(q.ID)
	if code, body := u.apiCall(t, po, "POST", path+"/letters", `{"kind":"erasure"}`, nil); code != http.StatusBadRequest || !strings.Contains(body, `"kind"`) {
		t.Fatalf("an erasure letter before the erasure: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", path+"/letters", `{"kind":"novel","lang":"fr"}`, nil); code != http.StatusBadRequest || !strings.Contains(body, `"lang"`) {
		t.Fatalf("a bad letter: %d %s", code, body)
	}
	var ext kluis.RequestLetter
	if code, body := u.apiCall(t, po, "POST", path+"/letters", `{"kind":"extension","lang":"nl","reason":"Veel archief door te zoeken"}`, &ext); code != http.StatusCreated || !ext.Sealed {
		t.Fatalf("the extension notice: %d %s", code, body)
	}
	code, b := u.fetch(t, po, "GET", path+"/letters/"+idText(ext.ID), "")
	if text := pdfText(t, b); code != http.StatusOK || !strings.Contains(text, "Sanne Vergeetbrief") || !strings.Contains(text, "28 februari 2027") {
		t.Fatalf("the extension notice: %d %s", code, text)
	}
	u.apiCall(t, po, "POST", path+"/verify", `{"verified_how":"known-email"}`, nil)
	if code, body := u.apiCall(t, po, "POST", path+"/erase", `{}`, &q); code != http.StatusOK || q.Status != "done" {
		t.Fatalf("erase: %d %s", code, body)
	}
	var er kluis.RequestLetter
	if code, body := u.apiCall(t, po, "POST", path+"/letters", `{"kind":"erasure","lang":"en"}`, &er); code != http.StatusCreated || er.Sealed {
		t.Fatalf("the erasure letter: %d %s", code, body)
	}
	if code, _ := u.fetch(t, po, "GET", path+"/letters/"+idText(ext.ID), ""); code != http.StatusNotFound {
		t.Fatalf("the extension notice survived the erasure: %d", code)
	}
	code, b = u.fetch(t, po, "GET", path+"/letters/"+idText(er.ID), "")
	text := pdfText(t, b)
	if code != http.StatusOK || !strings.Contains(text, "All data we had about you were erased") || !strings.Contains(text, "erasure record "+idText(q.ErasureID)) {
		t.Fatalf("the erasure letter: %d %s", code, text)
	}
	for _, id := range []string{"Vergeetbrief", "vergeetbrief@example.nl", "Sanne"} {
		if strings.Contains(text, id) {
			t.Errorf("the erasure letter names the candidate (%s)", id)
		}
	}
	hits, err := u.DB.ScanResidue(ctx, ids, store.ResidueOptions{Tenant: u.Tenant.ID, RawFiles: true})
	if err != nil || len(hits) != 0 {
		t.Fatalf("residue: %+v %v", hits, err)
	}
}

// TestTheStagedErasureLetterSaysWhatWasKeptAndWhy: a candidate who worked
// through the agency asks to be erased; their payroll records and BSN stay
// under R5 (and an ID copy under R6 for a worker from outside the EEA). The
// letter lists what was erased and, in the table "Kept, and why", each
// kept kind of data with the rule that requires it and the day it may go
// — as the erasure record says — and names nobody.
func TestTheStagedErasureLetterSaysWhatWasKeptAndWhy(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Loonstrook")
	// They worked from January to June: the terms of R5 and R6 run from
	// 1 January 2027.
	p := &kluis.Placement{CandidateID: c.ID, ClientID: u.MustCreateClient(t, "Kwekerij Oost").ID, Function: "Orderpicker",
		StartDate: "2026-01-05", EndDate: "2026-06-30", HourlyWageCents: 1450}
	if err := u.DB.CreatePlacement(ctx, u.Actor, p); err != nil {
		t.Fatal(err)
	}
	c, _ = u.DB.Candidate(ctx, u.Actor, c.ID)
	c.BSN, c.Nationality = "249566758", "MA"
	c.IDDocumentType, c.IDDocumentNumber, c.IDDocumentExpiry = "passport", "XK1234567", "2030-01-01"
	if err := u.DB.UpdateCandidate(ctx, u.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	pa := kluis.Actor{TenantID: u.Tenant.ID, UserID: u.user(t, "Pien", kluis.RolePayroll).ID, Role: kluis.RolePayroll}
	if err := u.DB.CreatePayrollRecord(ctx, pa, &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: p.ID, Year: 2026, Period: 3, GrossCents: 245000, NetCents: 187512}); err != nil {
		t.Fatal(err)
	}
	if err := u.DB.CreateContactMoment(ctx, u.Actor, &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: "Wil weg"}); err != nil {
		t.Fatal(err)
	}
	po := u.token(t, u.user(t, "Fenna", kluis.RolePrivacy).ID, "*")
	var q kluis.Request
	if code, body := u.apiCall(t, po, "POST", "/api/v1/requests", `{"candidate_id":`+idText(c.ID)+`,"kind":"erasure","channel":"email"}`, &q); code != http.StatusCreated {
		t.Fatalf("register: %d %s", code, body)
	}
	path := "/api/v1/requests/" + idText(q.ID)
	u.apiCall(t, po, "POST", path+"/verify", `{"verified_how":"known-email"}`, nil)
	if code, body := u.apiCall(t, po, "POST", path+"/erase", `{}`, &q); code != http.StatusOK || q.Status != "done" {
		t.Fatalf("erase: %d %s", code, body)
	}
	e, err := u.DB.ErasureRecord(ctx, kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}, q.ErasureID)
	if err != nil || e.Complete {
		t.Fatalf("a staged erasure: %+v %v", e, err)
	}
	rules := map[string]bool{}
	for _, k := range e.Kept {
		rules[k.Rule] = true
	}
	if !rules["R5"] || !rules["R6"] {
		t.Fatalf("kept %+v; want payroll data under R5 and the ID copy data under R6", e.Kept)
	}
	// Seven years from 1 January after the year of the pay (R5), five
	// from 1 January after the work (R6).
	for _, k := range e.Kept {
		if want := map[string]kluis.Date{"R5": "2034-01-01", "R6": "2032-01-01"}[k.Rule]; want != "" && k.Until != want {
			t.Errorf("%s kept under %s until %s, want %s", k.Category, k.Rule, k.Until, want)
		}
	}
	var er kluis.RequestLetter
	if code, body := u.apiCall(t, po, "POST", path+"/letters", `{"kind":"erasure","lang":"en"}`, &er); code != http.StatusCreated {
		t.Fatalf("the erasure letter: %d %s", code, body)
	}
	code, b := u.fetch(t, po, "GET", path+"/letters/"+idText(er.ID), "")
	text := pdfText(t, b)
	if code != http.StatusOK || !strings.Contains(text, "we erased what the law does not oblige us to keep") {
		t.Fatalf("the letter: %d %s", code, text)
	}
	erased, kept, ok := strings.Cut(text, "Kept, and why")
	if !ok || !strings.Contains(erased, "Erased") || !strings.Contains(kept, "article 17(3)(b)") {
		t.Fatalf("the letter has no table of what was kept: %s", text)
	}
	flat := func(m kluis.Msg) string { return strings.Join(strings.Fields(m.EN), " ") }
	for _, g := range e.Erased {
		if l := flat(catalog.CategoryLabel(catalog.Category(g.Category))); !strings.Contains(erased, l) {
			t.Errorf("the letter does not list the erased %s (%q)", g.Category, l)
		}
	}
	for _, k := range e.Kept {
		if l := flat(catalog.CategoryLabel(catalog.Category(k.Category))); !strings.Contains(kept, l) {
			t.Errorf("the letter does not list the kept %s (%q)", k.Category, l)
		}
		if !strings.Contains(kept, k.Rule+":") {
			t.Errorf("the letter does not name %s for %s", k.Rule, k.Category)
		}
		if k.Until == "" || !strings.Contains(kept, k.Until.Time().Format("2 January 2006")) {
			t.Errorf("the letter does not say until when %s is kept (%s)", k.Category, k.Until)
		}
	}
	for _, id := range []string{"Loonstrook", "Sanne", "249566758", "XK1234567"} {
		if strings.Contains(text, id) {
			t.Errorf("the erasure letter names the candidate (%s)", id)
		}
	}
}
