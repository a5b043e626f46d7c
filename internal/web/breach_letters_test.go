package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestTheBreachLettersAreWrittenKeptAndRecorded: from the breach's page
// (the letters step) and through the API (channel "letter"), kluis writes
// each candidate concerned a letter of art. 34(2) — Dutch or English, the
// privacy officer's account of what happened, its consequences and the
// measures, the kinds of data, the data protection officer's contact —
// keeps it with the breach to download, and records it on the candidate's
// history; a letter without its text or language is refused by field and
// nothing is written; only the privacy officer gets the letters.
func TestTheBreachLettersAreWrittenKeptAndRecorded(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c1 := u.MustCreateCandidate(t, "Briefmans")
	c2 := u.MustCreateCandidate(t, "Letterink")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	ps, po := u.session(t, officer.ID), u.token(t, officer.ID, "*")
	recruiter := u.token(t, u.Actor.UserID, "*")
	a := kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}
	set, err := u.DB.Settings(ctx, u.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	set.DPOName, set.DPOEmail = "Ingrid Timmermans", "privacy@voorbeeld.nl"
	if err := u.DB.SaveSettings(ctx, a, set, 0); err != nil {
		t.Fatal(err)
	}
	u.srvSettingsChanged()
	b := &kluis.Breach{Title: "Adreslijst gemaild", DiscoveredAt: u.Clock.Now().Add(-20 * time.Hour), Facts: "Lijst naar een verkeerde klant.",
		Categories: []string{"contact", "bsn"}, Risk: "high"}
	if err := u.DB.ReportBreach(ctx, a, b); err != nil {
		t.Fatal(err)
	}
	if _, err := u.DB.LinkBreachCandidates(ctx, a, b.ID, []kluis.ID{c1.ID}); err != nil {
		t.Fatal(err)
	}
	path := "/breaches/" + idText(b.ID)
	const message = "Op 28 november is een lijst met uw naam en BSN naar een verkeerde klant gemaild. Die heeft de lijst verwijderd. Wees alert op post die om uw BSN vraagt."

	// The page: a letter without its text is refused, and nothing is written.
	if p := u.post(t, ps, path+"/letters", url.Values{"lang": {"nl"}, "message": {" "}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="e-message"`) {
		t.Fatalf("a letter without text: %d", p.status)
	}
	if ls, _ := u.DB.BreachLetters(ctx, a, b.ID); len(ls) != 0 {
		t.Fatalf("a refused step wrote %d letters", len(ls))
	}
	done := u.post(t, ps, path+"/letters", url.Values{"lang": {"nl"}, "message": {message}})
	if done.status != http.StatusSeeOther || !strings.Contains(done.location, "n=1") {
		t.Fatalf("the letters step: %d %s %s", done.status, done.location, done.body)
	}
	page := u.get(t, ps, done.location).expect(t, http.StatusOK)
	ls, err := u.DB.BreachLetters(ctx, a, b.ID)
	if err != nil || len(ls) != 1 || ls[0].CandidateID != c1.ID || ls[0].Lang != "nl" {
		t.Fatalf("the letters kept: %+v %v", ls, err)
	}
	link := path + "/letters/" + idText(ls[0].ID)
	if !strings.Contains(page.body, `id="breach-letters-kept"`) || !strings.Contains(page.body, `href="`+link+`"`) {
		t.Fatalf("the page does not offer the letter:\n%s", page.body)
	}
	file := u.get(t, ps, link).expect(t, http.StatusOK)
	if !strings.HasPrefix(file.body, "%PDF-") {
		t.Fatal("the letter is no PDF")
	}
	text := pdfText(t, []byte(file.body))
	for _, want := range []string{"Sanne Briefmans", c1.Street, "Wees alert op post die om uw BSN vraagt.", "Contactgegevens, BSN", "Ingrid Timmermans", "privacy@voorbeeld.nl",
		"Autoriteit Persoonsgegevens", "artikel 34"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter lacks %q:\n%s", want, text)
		}
	}
	hist := u.get(t, ps, "/candidates/"+idText(c1.ID)+"/history").expect(t, http.StatusOK)
	if !strings.Contains(hist.body, "Bericht over een datalek") || !strings.Contains(hist.body, "per brief") {
		t.Fatal("the letter is not in the candidate's history")
	}
	u.web.access.Flush()
	if log, _, _ := u.DB.AuditLog(ctx, a, store.AuditFilter{CandidateID: c1.ID, Action: "download"}); len(log) == 0 || log[0].Entity != "breach_letters" {
		t.Fatalf("the download is not logged: %+v", log)
	}

	// The API: channel "letter", in English, for the candidate linked now.
	if _, err := u.DB.LinkBreachCandidates(ctx, a, b.ID, []kluis.ID{c2.ID}); err != nil {
		t.Fatal(err)
	}
	api := "/api/v1" + path
	if code, body := u.apiCall(t, po, "POST", api+"/notices", `{"channel":"letter","lang":"fr","message":""}`, nil); code != http.StatusBadRequest ||
		!strings.Contains(body, `"lang"`) || !strings.Contains(body, `"message"`) {
		t.Fatalf("a bad letter: %d %s", code, body)
	}
	var res store.BreachNoticeResult
	if code, body := u.apiCall(t, po, "POST", api+"/notices", `{"channel":"letter","lang":"en","message":"A list with your name was e-mailed to the wrong client, who deleted it."}`, &res); code != http.StatusOK || res.Informed != 1 {
		t.Fatalf("letters through the API: %d %s", code, body)
	}
	var list struct {
		Items []kluis.BreachLetter `json:"items"`
		Total int                  `json:"total"`
	}
	if code, body := u.apiCall(t, po, "GET", api+"/letters", "", &list); code != http.StatusOK || list.Total != 2 || list.Items[1].CandidateID != c2.ID || list.Items[1].Lang != "en" {
		t.Fatalf("the letters in the API: %d %s", code, body)
	}
	code, pdf := u.fetch(t, po, "GET", api+"/letters/"+idText(list.Items[1].ID), "")
	if code != http.StatusOK || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("the English letter: %d", code)
	}
	if text := pdfText(t, pdf); !strings.Contains(text, "Dear Sanne Letterink") || !strings.Contains(text, "who deleted it.") {
		t.Errorf("the English letter:\n%s", text)
	}
	for _, p := range []string{api + "/letters", api + "/letters/" + idText(list.Items[1].ID)} {
		if code, _ := u.apiCall(t, recruiter, "GET", p, "", nil); code != http.StatusForbidden {
			t.Errorf("the recruiter gets %s: %d", p, code)
		}
	}
	if code, _ := u.apiCall(t, po, "GET", api+"/letters/999", "", nil); code != http.StatusNotFound {
		t.Errorf("a letter that is not there: %d", code)
	}
}
