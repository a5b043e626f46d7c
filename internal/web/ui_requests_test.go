package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestThePrivacyOfficerKeepsTheRequestRegisterInTheUI: registering with
// field errors next to the fields, verifying, closing; an overdue request
// is red on the start page and on the register; the candidate's AVG tab
// lists the requests; other roles get no register.
func TestThePrivacyOfficerKeepsTheRequestRegisterInTheUI(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Verzoeker")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.session(t, officer.ID)
	recruiter := u.session(t, u.Actor.UserID)

	if p := u.get(t, recruiter, "/requests"); p.status != http.StatusForbidden {
		t.Fatalf("a recruiter sees the register: %d", p.status)
	}
	if p := u.get(t, recruiter, "/"); strings.Contains(p.body, `href="/requests"`) {
		t.Fatal("a recruiter has the menu item")
	}
	page := u.get(t, po, "/requests/new?candidate_id="+idText(c.ID))
	if page.status != http.StatusOK || !strings.Contains(page.body, `value="`+idText(c.ID)+`"`) || !page.has("nl", "request.kind.help") {
		t.Fatalf("the form: %d", page.status)
	}
	bad := u.post(t, po, "/requests/new", url.Values{"candidate_id": {idText(c.ID)}, "kind": {"wish"}, "received_on": {"31-02-2026"},
		"description": {"Wil alles zien"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="e-kind"`) || !strings.Contains(bad.body, `id="e-channel"`) ||
		!strings.Contains(bad.body, `id="e-received_on"`) || !strings.Contains(bad.body, "Wil alles zien") {
		t.Fatalf("a refused form: %d %s", bad.status, bad.body)
	}
	ok := u.post(t, po, "/requests/new", url.Values{"candidate_id": {idText(c.ID)}, "kind": {"access"}, "channel": {"letter"},
		"received_on": {"2026-10-20"}, "description": {"Wil alles zien"}})
	if ok.status != http.StatusSeeOther || !strings.HasPrefix(ok.location, "/requests/") {
		t.Fatalf("register: %d %s", ok.status, ok.location)
	}
	path := strings.Split(ok.location, "?")[0]
	detail := u.get(t, po, path)
	if detail.status != http.StatusOK || !strings.Contains(detail.body, `class="late"`) || !strings.Contains(detail.body, `id="request-verify"`) ||
		strings.Contains(detail.body, "stamkaart.pdf") {
		t.Fatalf("the request: %d %s", detail.status, detail.body)
	}
	// Overdue: due 20 November, today is 29 November.
	start := u.get(t, po, "/")
	if !strings.Contains(start.body, `id="start-overdue" class="late"`) || !strings.Contains(start.body, `<tr class="overdue">`) {
		t.Fatalf("the start page shows no overdue request:\n%s", start.body)
	}
	if l := u.get(t, po, "/requests?overdue=true"); !strings.Contains(l.body, `id="requests-overdue"`) || !strings.Contains(l.body, path) {
		t.Fatalf("the register: %s", l.body)
	}
	if l := u.get(t, po, "/requests?kind=nonsense"); l.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad filter: %d", l.status)
	}
	// Closing as done before the identity check is refused next to the field.
	refused := u.post(t, po, path+"/close", url.Values{"version": {"1"}, "status": {"done"}, "outcome": {"Stamkaart gestuurd"}})
	if refused.status != http.StatusUnprocessableEntity || !strings.Contains(refused.body, `id="e-status"`) {
		t.Fatalf("done before verification: %d", refused.status)
	}
	if p := u.post(t, po, path+"/verify", url.Values{"version": {"1"}, "verified_how": {"id-document-shown"}}); p.status != http.StatusSeeOther {
		t.Fatalf("verify: %d %s", p.status, p.body)
	}
	detail = u.get(t, po, path)
	if !strings.Contains(detail.body, "/candidates/"+idText(c.ID)+"/stamkaart.pdf") {
		t.Fatal("a verified access request does not link the record card")
	}
	if p := u.post(t, po, path+"/assign", url.Values{"version": {"1"}, "handler_id": {idText(officer.ID)}}); p.status != http.StatusUnprocessableEntity ||
		!p.has("nl", "form.stale") {
		t.Fatalf("a stale form: %d", p.status)
	}
	if p := u.post(t, po, path+"/close", url.Values{"version": {"2"}, "status": {"done"}, "outcome": {"Stamkaart per post gestuurd"}}); p.status != http.StatusSeeOther {
		t.Fatalf("close: %d %s", p.status, p.body)
	}
	tab := u.get(t, po, "/candidates/"+idText(c.ID)+"/privacy")
	if !strings.Contains(tab.body, `href="`+path+`"`) || !strings.Contains(tab.body, "h-cand-requests") {
		t.Fatal("the AVG tab does not list the request")
	}
	qs, _, err := u.DB.Requests(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}, store.RequestFilter{CandidateID: c.ID})
	if err != nil || len(qs) != 1 || qs[0].Status != "done" || qs[0].Outcome != "Stamkaart per post gestuurd" {
		t.Fatalf("stored: %+v %v", qs, err)
	}
	// A request due within a week is on the reminder list.
	q := &kluis.Request{CandidateID: c.ID, Kind: "objection", Channel: "email", ReceivedOn: "2026-11-03"}
	if err := u.DB.CreateRequest(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}, q); err != nil {
		t.Fatal(err)
	}
	start = u.get(t, po, "/")
	if !strings.Contains(start.body, `href="/requests/`+idText(q.ID)+`"`) || !strings.Contains(start.body, "binnen 7 dagen") {
		t.Fatal("the reminder list does not show a request due on 3 December")
	}
}
