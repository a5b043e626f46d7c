package web

import (
	"context"
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

// apiCall sends a JSON request with a bearer token and decodes the answer
// into out (when given).
func (u *clientUIEnv) apiCall(t *testing.T, secret, method, path, body string, out any) (int, string) {
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

func (u *clientUIEnv) token(t *testing.T, user kluis.ID, scopes string) string {
	t.Helper()
	secret, _, err := u.DB.CreateScopedToken(context.Background(), u.Tenant.ID, user, "holds", 0, scopes)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// planItem is the group of the plan with the category's registration data.
func planItem(t *testing.T, u *clientUIEnv, secret string, cand kluis.ID, category string) retentionItem {
	t.Helper()
	var plan retentionBody
	if code, body := u.apiCall(t, secret, "GET", "/api/v1/candidates/"+idText(cand)+"/retention", "", &plan); code != http.StatusOK {
		t.Fatalf("plan: %d %s", code, body)
	}
	for _, it := range plan.Items {
		if it.Category == category && it.Rule != "R5" {
			return it
		}
	}
	t.Fatalf("no %s in the plan %+v", category, plan)
	return retentionItem{}
}

// TestALegalHoldIsRecordedAndEndedOnTheAVGTabAndThroughTheAPI: only the
// branch manager (or the privacy officer) records a hold; a refused form
// keeps what was typed and says what is wrong next to each field, in the
// user's language; while the hold lasts the plan lets nothing expire.
func TestALegalHoldIsRecordedAndEndedOnTheAVGTabAndThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Verhoeven")
	tab := "/candidates/" + idText(c.ID) + "/privacy"
	recruiter := u.session(t, u.Actor.UserID)
	page := u.get(t, recruiter, tab).expect(t, http.StatusOK)
	if !page.has("nl", "hold.title") || !page.has("nl", "hold.empty") || strings.Contains(page.body, `action="`+tab+`/holds"`) {
		t.Fatalf("the recruiter's AVG tab:\n%s", page.body)
	}
	u.post(t, recruiter, tab+"/holds", url.Values{"hold_kind": {"dispute"}, "hold_reason": {"Zaak 1"}}).expect(t, http.StatusForbidden)

	manager := &kluis.User{Email: "manager@test.kluis.test", Name: "Mirjam Manager", Role: kluis.RoleManager, BranchID: u.Branch.ID, Language: "en"}
	if err := u.DB.CreateUser(context.Background(), u.Tenant.ID, manager); err != nil {
		t.Fatal(err)
	}
	ms := u.session(t, manager.ID)
	bad := u.do(t, ms, "POST", tab+"/holds", url.Values{"hold_kind": {""}, "hold_reason": {""}, "hold_start": {"2027-01-01"}}, true).expect(t, http.StatusUnprocessableEntity)
	for _, want := range []string{`id="e-hold_kind"`, `id="e-hold_reason"`, `id="e-hold_start"`, "A legal hold cannot start in the future.", `value="2027-01-01"`} {
		if !strings.Contains(bad.body, want) {
			t.Errorf("the refused hold lacks %q", want)
		}
	}
	if _, n, _ := u.DB.ListLegalHolds(context.Background(), u.Actor, c.ID, kluis.Page{}); n != 0 {
		t.Fatal("a refused hold was stored")
	}
	ok := u.do(t, ms, "POST", tab+"/holds", url.Values{"hold_kind": {"court-case"}, "hold_reason": {"Rolnummer C/16/123"}, "hold_start": {"2026-11-29"}}, true).expect(t, http.StatusOK)
	if !ok.has("en", "hold.added") || !strings.Contains(ok.body, "Rolnummer C/16/123") || !ok.has("en", "retention.held") || !ok.has("en", "hold.end.submit") {
		t.Fatalf("the recorded hold:\n%s", ok.body)
	}

	secret := u.token(t, manager.ID, "candidates:write")
	if it := planItem(t, u, secret, c.ID, "contact"); !it.Held || it.Expires != "" {
		t.Errorf("contact details under a hold: %+v", it)
	}
	var holds struct{ Items []kluis.LegalHold }
	if code, body := u.apiCall(t, secret, "GET", "/api/v1/candidates/"+idText(c.ID)+"/holds", "", &holds); code != http.StatusOK || len(holds.Items) != 1 {
		t.Fatalf("list: %d %s", code, body)
	}
	h := holds.Items[0]
	if h.Kind != "court-case" || h.UserID != manager.ID || h.EndDate != "" {
		t.Fatalf("the hold through the API: %+v", h)
	}
	// The recruiter's token reads holds but may not end them.
	rs := u.token(t, u.Actor.UserID, "*")
	if code, _ := u.apiCall(t, rs, "POST", "/api/v1/holds/"+idText(h.ID)+"/end", "", nil); code != http.StatusForbidden {
		t.Errorf("a recruiter ended a hold: %d", code)
	}
	if code, body := u.apiCall(t, rs, "POST", "/api/v1/candidates/"+idText(c.ID)+"/holds", `{"kind":"dispute","reason":"x"}`, nil); code != http.StatusForbidden {
		t.Errorf("a recruiter recorded a hold: %d %s", code, body)
	}
	// A read-only token may not end one either.
	ro := u.token(t, manager.ID, "candidates:read")
	if code, body := u.apiCall(t, ro, "POST", "/api/v1/holds/"+idText(h.ID)+"/end", "", nil); code != http.StatusForbidden || !strings.Contains(body, "candidates:write") {
		t.Errorf("a read-only token ended a hold: %d %s", code, body)
	}
	var ended kluis.LegalHold
	if code, body := u.apiCall(t, secret, "POST", "/api/v1/holds/"+idText(h.ID)+"/end", `{"end_date":"28-11-2026"}`, &ended); code != http.StatusBadRequest || !strings.Contains(body, "before the start date") {
		t.Errorf("an end before the start: %d %s", code, body)
	}
	if code, body := u.apiCall(t, secret, "POST", "/api/v1/holds/"+idText(h.ID)+"/end", "", &ended); code != http.StatusOK || ended.EndDate != "2026-11-29" {
		t.Fatalf("end: %d %s", code, body)
	}
	if it := planItem(t, u, secret, c.ID, "contact"); it.Expires != "2028-11-29" {
		t.Errorf("contact details after the hold: %+v", it)
	}
	after := u.get(t, ms, tab).expect(t, http.StatusOK)
	if !strings.Contains(after.body, "Mirjam Manager") || strings.Contains(after.body, `/holds/`+idText(h.ID)+`/end"`) {
		t.Errorf("the ended hold on the tab:\n%s", after.body)
	}
}

// TestAConsentIsRecordedOnTheAVGTabAndExtendsTheRegistration: a recruiter
// records a consent; it appears in the history, extends R1 in the plan,
// and no longer counts once withdrawn through the API.
func TestAConsentIsRecordedOnTheAVGTabAndExtendsTheRegistration(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Smit")
	tab := "/candidates/" + idText(c.ID) + "/privacy"
	rs := u.session(t, u.Actor.UserID)
	bad := u.do(t, rs, "POST", tab+"/consents", url.Values{"consent_channel": {"pigeon"}, "consent_wording": {"v2"}, "consent_until": {"2029-11-30"}}, true).expect(t, http.StatusUnprocessableEntity)
	for _, want := range []string{`id="e-consent_channel"`, `id="e-consent_until"`, "Hooguit 2 jaar vooruit: uiterlijk 2028-11-29.", `value="v2"`} {
		if !strings.Contains(bad.body, want) {
			t.Errorf("the refused consent lacks %q", want)
		}
	}
	if _, n, _ := u.DB.ListContactMoments(ctx, u.Actor, store.ContactMomentFilter{CandidateID: c.ID}); n != 0 {
		t.Fatal("a refused consent left a contact moment")
	}
	ok := u.do(t, rs, "POST", tab+"/consents", url.Values{"consent_channel": {"portal"}, "consent_wording": {"Toestemmingstekst v2"},
		"consent_given": {"2026-11-29"}, "consent_until": {"2028-11-29"}}, true).expect(t, http.StatusOK)
	if !ok.has("nl", "consent.added") || !strings.Contains(ok.body, "Toestemmingstekst v2") || !strings.Contains(ok.body, "Portaal") {
		t.Fatalf("the recorded consent:\n%s", ok.body)
	}
	if ms, _, _ := u.DB.ListContactMoments(ctx, u.Actor, store.ContactMomentFilter{CandidateID: c.ID, Kind: "consent"}); len(ms) != 1 {
		t.Errorf("the consent is not in the history: %+v", ms)
	}

	secret := u.token(t, u.Actor.UserID, "candidates:write")
	var k kluis.Consent
	if code, body := u.apiCall(t, secret, "POST", "/api/v1/candidates/"+idText(c.ID)+"/consents",
		`{"channel":"email","wording":"Toestemmingstekst v3","valid_until":"2028-11-28","candidate_id":`+idText(c.ID+1)+`}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "candidate_id") {
		t.Errorf("a consent naming another candidate: %d %s", code, body)
	}
	if code, body := u.apiCall(t, secret, "POST", "/api/v1/candidates/"+idText(c.ID)+"/consents",
		`{"channel":"email","wording":"Toestemmingstekst v3","given_on":"2026-11-01","valid_until":"2028-11-28"}`, &k); code != http.StatusCreated || k.ContactMomentID == 0 {
		t.Fatalf("create: %d %s", code, body)
	}
	// The registration of someone who never worked ends two years after
	// their last activity: the consent given today, so 2028-11-29; consents
	// that end no later leave that as it is (the test below shows one that
	// ends later).
	if it := planItem(t, u, secret, c.ID, "contact"); it.Rule != "R1" || it.Expires != "2028-11-29" {
		t.Errorf("contact details: %+v", it)
	}
	var list struct {
		Items []kluis.Consent
		Total int
	}
	if code, body := u.apiCall(t, secret, "GET", "/api/v1/candidates/"+idText(c.ID)+"/consents", "", &list); code != http.StatusOK || list.Total != 2 {
		t.Fatalf("list: %d %s", code, body)
	}
	// Withdrawn consents, all of them, no longer count.
	var w kluis.Consent
	for _, x := range list.Items {
		if code, body := u.apiCall(t, secret, "POST", "/api/v1/consents/"+idText(x.ID)+"/withdraw", `{}`, &w); code != http.StatusOK || w.WithdrawnOn != "2026-11-29" {
			t.Fatalf("withdraw: %d %s", code, body)
		}
	}
	if code, body := u.apiCall(t, secret, "POST", "/api/v1/consents/"+idText(w.ID)+"/withdraw", "", nil); code != http.StatusBadRequest || !strings.Contains(body, "already withdrawn") {
		t.Errorf("withdrawing twice: %d %s", code, body)
	}
	if f, _ := u.DB.RetentionFacts(ctx, u.Actor, c.ID); f.ConsentUntil != "" {
		t.Errorf("withdrawn consents still count: %+v", f)
	}
	page := u.get(t, rs, tab).expect(t, http.StatusOK)
	if !page.has("nl", "consent.withdrawn") || strings.Contains(page.body, "/withdraw\"") {
		t.Errorf("the withdrawn consents on the tab:\n%s", page.body)
	}
}

// TestConsentExtendsTheRegistrationOnTheTab: a consent that runs longer
// than R1 moves the registration's end in the plan the tab shows.
func TestConsentExtendsTheRegistrationOnTheTab(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "de Graaf")
	u.Clock.Advance(200 * 24 * time.Hour) // 2027-06-17: R1 from registration ends 2028-11-29
	k := &kluis.Consent{CandidateID: c.ID, Channel: "letter", Wording: "Brief v1", GivenOn: "2026-12-01", ValidUntil: "2029-06-01"}
	if err := u.DB.CreateConsent(context.Background(), u.Actor, k); err != nil {
		t.Fatal(err)
	}
	page := u.get(t, u.session(t, u.Actor.UserID), "/candidates/"+idText(c.ID)+"/privacy").expect(t, http.StatusOK)
	if !strings.Contains(page.body, "01-06-2029") || !strings.Contains(page.body, "verlengd met toestemming van de kandidaat tot 2029-06-01") {
		t.Fatalf("the tab's plan with a consent:\n%s", page.body)
	}
}

// TestTheRetentionTextsSpeakBothLanguages: every text of the holds and
// consents has both (the tab test checks that the template uses only
// texts that exist).
func TestTheRetentionTextsSpeakBothLanguages(t *testing.T) {
	for k, m := range retentionMessages {
		if m.NL == "" || m.EN == "" {
			t.Errorf("%s: a language is missing", k)
		}
	}
}
