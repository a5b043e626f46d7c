package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestABreachIsReportedAndHandledThroughTheAPI: any member of staff
// reports; only the privacy officer reads and keeps the register; every
// wrong field is named, never a 500; edits carry the version.
func TestABreachIsReportedAndHandledThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Lekkerkerk")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "breaches:write")
	reader := u.token(t, officer.ID, "breaches:read")
	recruiter := u.token(t, u.Actor.UserID, "*")
	robot := u.user(t, "Koppeling", kluis.RoleIntegration)
	integration := u.token(t, robot.ID, "*")
	discovered := u.Clock.Now().Add(-2 * time.Hour).Format(time.RFC3339)

	code, body := u.apiCall(t, recruiter, "POST", "/api/v1/breaches", `{"categories":["shoe-size"],"affected_count":-2,"discovered_at":"2030-01-01T00:00:00Z"}`, nil)
	if code != http.StatusBadRequest {
		t.Fatalf("bad report: %d %s", code, body)
	}
	for _, f := range []string{`"title"`, `"facts"`, `"categories"`, `"affected_count"`, `"discovered_at"`} {
		if !strings.Contains(body, f) {
			t.Errorf("the error names no %s: %s", f, body)
		}
	}
	if code, _ := u.apiCall(t, recruiter, "POST", "/api/v1/breaches", `{"title":"x","decision":"report"}`, nil); code != http.StatusBadRequest {
		t.Fatalf("a reporter decided: %d", code)
	}
	if code, _ := u.apiCall(t, integration, "POST", "/api/v1/breaches", `{"title":"Lek","facts":"Lek","discovered_at":"`+discovered+`"}`, nil); code != http.StatusForbidden {
		t.Fatalf("an integration reported a breach: %d", code)
	}
	var got map[string]any
	code, body = u.apiCall(t, recruiter, "POST", "/api/v1/breaches",
		`{"title":"Adreslijst naar verkeerde klant","facts":"Per ongeluk de hele lijst gemaild.","discovered_at":"`+discovered+`","categories":["contact"]}`, &got)
	if code != http.StatusCreated || got["id"] == nil || got["status"] != "open" || strings.Contains(body, "Adreslijst") {
		t.Fatalf("reported (the reporter sees no texts): %d %s", code, body)
	}
	id := "/api/v1/breaches/" + idText(int64(got["id"].(float64)))
	if code, _ := u.apiCall(t, recruiter, "GET", id, "", nil); code != http.StatusForbidden {
		t.Fatalf("a recruiter read the register: %d", code)
	}
	if code, _ := u.apiCall(t, reader, "POST", id+"/close", `{}`, nil); code != http.StatusForbidden {
		t.Fatalf("a read-only token closed: %d", code)
	}
	var b kluis.Breach
	if code, body := u.apiCall(t, reader, "GET", id, "", &b); code != http.StatusOK || b.Title != "Adreslijst naar verkeerde klant" || b.Version != 1 {
		t.Fatalf("read: %d %s", code, body)
	}
	var l listBody[kluis.Breach]
	if code, body := u.apiCall(t, reader, "GET", "/api/v1/breaches?undecided=true", "", &l); code != http.StatusOK || l.Total != 1 {
		t.Fatalf("list: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, reader, "GET", "/api/v1/breaches?status=lost", "", nil); code != http.StatusBadRequest {
		t.Fatalf("a bad filter: %d", code)
	}
	if code, _ := u.apiCall(t, po, "PATCH", id, `{"version":9,"risk":"high"}`, nil); code != http.StatusConflict {
		t.Fatalf("a stale edit: %d", code)
	}
	if code, body := u.apiCall(t, po, "PATCH", id, `{"version":1,"risk":"high","inform_decision":"not-required"}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "inform_decision") {
		t.Fatalf("not telling with a high risk: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "PATCH", id, `{"version":1,"risk":"high","measures":"Klant gevraagd te verwijderen."}`, &b); code != http.StatusOK || b.Risk != "high" || b.Version != 2 {
		t.Fatalf("edit: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/decide", `{"decision":"report"}`, nil); code != http.StatusBadRequest ||
		!strings.Contains(body, "ap_reported_at") || !strings.Contains(body, "ap_reference") {
		t.Fatalf("a report without time and reference: %d %s", code, body)
	}
	at := u.Clock.Now().Add(-time.Hour).Format(time.RFC3339)
	if code, body := u.apiCall(t, po, "POST", id+"/decide", `{"version":2,"decision":"report","ap_reported_at":"`+at+`","ap_reference":"M-2026-77"}`, &b); code != http.StatusOK ||
		b.Decision != "report" || b.APReference != "M-2026-77" {
		t.Fatalf("decide: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/candidates", `{"candidate_ids":[`+idText(c.ID)+`,424242]}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "424242") {
		t.Fatalf("an unknown candidate linked: %d %s", code, body)
	}
	var lr breachLinkResult
	if code, body := u.apiCall(t, po, "POST", id+"/candidates", `{"candidate_ids":[`+idText(c.ID)+`]}`, &lr); code != http.StatusOK || lr.Added != 1 || lr.Total != 1 {
		t.Fatalf("link: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "POST", id+"/notices", `{"channel":"pigeon"}`, nil); code != http.StatusBadRequest {
		t.Fatalf("a bad channel: %d", code)
	}
	var res store.BreachNoticeResult
	if code, body := u.apiCall(t, po, "POST", id+"/notices", `{"channel":"email","lang":"en","message":"A list with your address went to the wrong client."}`, &res); code != http.StatusOK || res.Informed != 1 {
		t.Fatalf("notice: %d %s", code, body)
	}
	var links listBody[kluis.BreachCandidate]
	if code, body := u.apiCall(t, reader, "GET", id+"/candidates", "", &links); code != http.StatusOK || links.Total != 1 || links.Items[0].InformedVia != "email" {
		t.Fatalf("links: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "DELETE", id+"/candidates/"+idText(c.ID), "", nil); code != http.StatusConflict {
		t.Fatalf("a told candidate unlinked: %d", code)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/close", `{}`, &b); code != http.StatusOK || b.Status != "closed" {
		t.Fatalf("close: %d %s", code, body)
	}
}

// TestTheSeventyTwoHourClockShowsEverywhere: a recruiter reports on the
// simple form; the privacy officer sees the clock on the start page, the
// register and the breach's page; past 72 hours it is red; a decision
// stops it.
func TestTheSeventyTwoHourClockShowsEverywhere(t *testing.T) {
	u := newClientUIEnv(t)
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.session(t, officer.ID)
	recruiter := u.session(t, u.Actor.UserID)

	form := u.get(t, recruiter, "/breaches/report").expect(t, http.StatusOK)
	if !form.has("nl", "breaches.report.intro") || !strings.Contains(form.body, `href="/breaches/report"`) {
		t.Fatal("the recruiter has no report form in the menu")
	}
	bad := u.post(t, recruiter, "/breaches/report", url.Values{"discovered_at": {"gisteren"}, "facts": {"Telefoon kwijt"}, "categories": {"contact", "shoe-size"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="e-title"`) || !strings.Contains(bad.body, `id="e-discovered_at"`) ||
		!strings.Contains(bad.body, `id="e-categories"`) || !strings.Contains(bad.body, "Telefoon kwijt") {
		t.Fatalf("a refused report: %d %s", bad.status, bad.body)
	}
	ok := u.post(t, recruiter, "/breaches/report", url.Values{"title": {"Telefoon kwijt"}, "discovered_at": {"2026-11-29T09:00"},
		"facts": {"Zakelijke telefoon met de app kwijtgeraakt in de trein."}, "categories": {"contact", "identity"}, "affected_count": {"40"}})
	if ok.status != http.StatusSeeOther || !strings.HasPrefix(ok.location, "/breaches/report?done=") {
		t.Fatalf("report: %d %s %s", ok.status, ok.location, ok.body)
	}
	thanks := u.get(t, recruiter, ok.location)
	if !strings.Contains(thanks.body, `id="breach-reported"`) {
		t.Fatal("no thanks")
	}
	if p := u.get(t, recruiter, "/breaches"); p.status != http.StatusForbidden {
		t.Fatalf("a recruiter sees the register: %d", p.status)
	}
	bs, _, err := u.DB.Breaches(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}, store.BreachFilter{})
	if err != nil || len(bs) != 1 || !bs[0].DiscoveredAt.Equal(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("stored (09:00 in Amsterdam is 08:00 UTC): %+v %v", bs, err)
	}
	path := "/breaches/" + idText(bs[0].ID)

	// One hour after discovery (the test clock stands at 09:00 UTC).
	start := u.get(t, po, "/")
	if !strings.Contains(start.body, `id="breach-banner"`) || !strings.Contains(start.body, "nog 71 u 0 min om te melden") ||
		strings.Contains(start.body, `data-clock="overdue"`) {
		t.Fatalf("the start page's banner:\n%s", start.body)
	}
	page := u.get(t, po, path).expect(t, http.StatusOK)
	if !strings.Contains(page.body, `data-clock="running"`) || !strings.Contains(page.body, "02-12-2026 09:00") {
		t.Fatalf("the breach's clock:\n%s", page.body)
	}
	// Past the 72 hours: red everywhere.
	u.Clock.Advance(72 * time.Hour)
	po = u.session(t, officer.ID) // the old session timed out meanwhile
	for _, p := range []string{"/", "/breaches", path} {
		body := u.get(t, po, p).body
		if !strings.Contains(body, `data-clock="overdue"`) || !strings.Contains(body, "1 u 0 min te laat") || !strings.Contains(body, `late"`) {
			t.Fatalf("%s shows no overdue clock:\n%s", p, body)
		}
	}
	if l := u.get(t, po, "/breaches"); !strings.Contains(l.body, `id="breaches-overdue"`) {
		t.Fatal("the register has no overdue alert")
	}
	// A late report needs the reason of the delay, next to the field.
	late := u.post(t, po, path+"/decide", url.Values{"version": {"1"}, "decision": {"report"}, "ap_reported_at": {"2026-12-02T10:00"}, "ap_reference": {"M-2026-9"}})
	if late.status != http.StatusUnprocessableEntity || !strings.Contains(late.body, `id="e-decision_reason"`) {
		t.Fatalf("a late report without the reason: %d", late.status)
	}
	done := u.post(t, po, path+"/decide", url.Values{"version": {"1"}, "decision": {"report"}, "ap_reported_at": {"2026-12-02T10:00"}, "ap_reference": {"M-2026-9"},
		"decision_reason": {"Pas na het weekend gemeld door de medewerker."}})
	if done.status != http.StatusSeeOther {
		t.Fatalf("decide: %d %s", done.status, done.body)
	}
	u.Clock.Advance(100 * time.Hour)
	po = u.session(t, officer.ID)
	page = u.get(t, po, path)
	if !strings.Contains(page.body, `data-clock="stopped"`) || !strings.Contains(page.body, "gemeld bij de AP op 02-12-2026 10:00, na de 72 uur") || !strings.Contains(page.body, "M-2026-9") {
		t.Fatalf("the stopped clock:\n%s", page.body)
	}
	if start := u.get(t, po, "/"); strings.Contains(start.body, `id="breach-banner"`) {
		t.Fatal("a decided breach still on the start page")
	}
}

// TestTheBreachExportsHoldWhatTheScreenShows reads the PDFs back with
// pdftotext and parses the CSVs; a cell that looks like a formula is
// defused.
func TestTheBreachExportsHoldWhatTheScreenShows(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Exportmans")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.session(t, officer.ID)
	a := kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}
	// Before the first breach: the register's CSV has its heading.
	empty := u.get(t, po, "/breaches/register.csv").expect(t, http.StatusOK)
	if head, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(empty.body, "\ufeff"))).ReadAll(); err != nil || len(head) != 1 || head[0][0] != "Nummer" || len(head[0]) < 20 {
		t.Fatalf("the empty register's CSV: %q %v", head, err)
	}
	b := &kluis.Breach{Title: "=HYPERLINK(\"http://evil.example\")", DiscoveredAt: u.Clock.Now().Add(-80 * time.Hour),
		Facts: "Een USB-stick met een export is verloren.", Categories: []string{"contact", "bsn"}, AffectedCount: 12, Measures: "+31 gebeld"}
	if err := u.DB.ReportBreach(t.Context(), a, b); err != nil {
		t.Fatal(err)
	}
	if _, err := u.DB.LinkBreachCandidates(t.Context(), a, b.ID, []kluis.ID{c.ID}); err != nil {
		t.Fatal(err)
	}
	page := u.get(t, po, "/breaches/"+idText(b.ID)).expect(t, http.StatusOK)
	for _, want := range []string{"Een USB-stick met een export is verloren.", "Sanne Exportmans", "8 u 0 min te laat", "BSN"} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("the page lacks %q", want)
		}
	}

	one := u.get(t, po, "/breaches/"+idText(b.ID)+"/breach.csv").expect(t, http.StatusOK)
	// The rows of facts have two cells, the candidates' four.
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(one.body, "\ufeff")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	kv := map[string]string{}
	for _, row := range rows {
		if len(row) == 2 {
			kv[row[0]] = row[1]
		}
	}
	if kv["Korte omschrijving"] != `'=HYPERLINK("http://evil.example")` || kv["Genomen maatregelen"] != "'+31 gebeld" ||
		kv["Klok van 72 uur"] != "72 uur verstreken — 8 u 0 min te laat" || kv["Soorten gegevens"] != "Contactgegevens, BSN" || kv["Aantal betrokken kandidaten"] != "12" {
		t.Fatalf("the breach's CSV: %v", kv)
	}
	last := rows[len(rows)-1]
	if last[0] != idText(c.ID) || last[1] != "Sanne Exportmans" {
		t.Fatalf("the candidate row: %v", last)
	}

	reg := u.get(t, po, "/breaches/register.csv").expect(t, http.StatusOK)
	rr := csv.NewReader(strings.NewReader(strings.TrimPrefix(reg.body, "\ufeff")))
	all, err := rr.ReadAll()
	if err != nil || len(all) != 2 || all[0][0] != "Nummer" || all[1][0] != idText(b.ID) || all[1][1] != `'=HYPERLINK("http://evil.example")` {
		t.Fatalf("the register's CSV: %v %v", all, err)
	}

	needPDFText(t)
	for path, wants := range map[string][]string{
		"/breaches/" + idText(b.ID) + "/breach.pdf": {"Een USB-stick met een export is verloren.", "Sanne Exportmans", "8 u 0 min te laat", idText(c.ID), "Contactgegevens, BSN"},
		"/breaches/register.pdf":                    {"Datalekregister", "Een USB-stick met een export is verloren.", "8 u 0 min te laat", "Pagina 1 van"},
	} {
		pdf := u.get(t, po, path).expect(t, http.StatusOK)
		if !bytes.HasPrefix([]byte(pdf.body), []byte("%PDF-")) {
			t.Fatalf("%s is no PDF", path)
		}
		file := filepath.Join(t.TempDir(), "x.pdf")
		if err := os.WriteFile(file, []byte(pdf.body), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, want := range wants {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q:\n%s", path, want, text)
			}
		}
	}
	// The download of the file that names the candidate is logged.
	u.web.access.Flush()
	log, _, _ := u.DB.AuditLog(t.Context(), a, store.AuditFilter{CandidateID: c.ID, Action: "download"})
	if len(log) == 0 || log[0].Entity != "breaches" {
		t.Fatalf("the export is not logged: %+v", log)
	}
}

// TestCandidatesAreLinkedAndToldFromTheBreachPage: by number, by search
// (a POST: no name in the URL), then told by e-mail, each with a contact
// moment in their history.
func TestCandidatesAreLinkedAndToldFromTheBreachPage(t *testing.T) {
	u := newClientUIEnv(t)
	c1 := u.MustCreateCandidate(t, "Zoekbaar")
	c2 := u.MustCreateCandidate(t, "Nummertje")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.session(t, officer.ID)
	a := kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}
	b := &kluis.Breach{Title: "Mail aan verkeerde", DiscoveredAt: u.Clock.Now().Add(-time.Hour), Facts: "Lijst gemaild."}
	if err := u.DB.ReportBreach(t.Context(), a, b); err != nil {
		t.Fatal(err)
	}
	path := "/breaches/" + idText(b.ID)
	if p := u.post(t, po, path+"/link", url.Values{"candidate_ids": {idText(c2.ID) + ", twee"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, `id="e-candidate_ids"`) {
		t.Fatalf("a bad number: %d", p.status)
	}
	if p := u.post(t, po, path+"/link", url.Values{"candidate_ids": {idText(c2.ID)}}); p.status != http.StatusSeeOther {
		t.Fatalf("link by number: %d %s", p.status, p.body)
	}
	found := u.post(t, po, path+"/search", url.Values{"q": {"Zoekbaar"}})
	if found.status != http.StatusOK || !strings.Contains(found.body, `id="pick-`+idText(c1.ID)+`"`) {
		t.Fatalf("search: %d", found.status)
	}
	if p := u.post(t, po, path+"/link", url.Values{"pick": {idText(c1.ID)}}); p.status != http.StatusSeeOther {
		t.Fatalf("link found: %d %s", p.status, p.body)
	}
	if p := u.post(t, po, path+"/email", url.Values{"lang": {"nl"}, "message": {""}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="e-message"`) {
		t.Fatalf("an empty message: %d", p.status)
	}
	sent := u.post(t, po, path+"/email", url.Values{"lang": {"nl"}, "message": {"Uw adres is per ongeluk naar een andere klant gestuurd."}})
	if sent.status != http.StatusSeeOther || !strings.Contains(sent.location, "n=2") {
		t.Fatalf("e-mail: %d %s", sent.status, sent.location)
	}
	page := u.get(t, po, sent.location)
	if !strings.Contains(page.body, `id="breach-counted"`) || strings.Count(page.body, ">E-mail<") != 2 {
		t.Fatalf("the page after telling:\n%s", page.body)
	}
	hist := u.get(t, po, "/candidates/"+idText(c1.ID)+"/history")
	if !strings.Contains(hist.body, "Bericht over een datalek") {
		t.Fatal("the candidate's history lacks the notice")
	}
}
