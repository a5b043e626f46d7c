package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
)

// TestTheFailedMailIsShownToThePrivacyOfficer: a privacy statement whose
// e-mail the outbox gives up on shows as not delivered on the candidate's
// history tab and in the API, the candidate is back among those not
// informed, and the privacy officer — only she — sees the message on the
// failed-mail page and in the API: ids, kind, attempts and the SMTP code,
// never the address or subject.
func TestTheFailedMailIsShownToThePrivacyOfficer(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	po := u.session(t, officer.ID)
	poToken := u.token(t, officer.ID, "*")
	recruiter := u.session(t, u.Actor.UserID)
	recToken := u.token(t, u.Actor.UserID, "*")
	c := u.MustCreateCandidate(t, "Onbereikbaar")
	poActor := kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}
	if err := u.DB.PublishPrivacyStatement(ctx, poActor, &kluis.PrivacyStatement{TextNL: "# V", TextEN: "# V"}); err != nil {
		t.Fatal(err)
	}
	sent, err := u.DB.SendPrivacyStatement(ctx, u.Actor, c.ID, "nl")
	if err != nil {
		t.Fatal(err)
	}
	if f := u.get(t, po, "/outbox/failed").expect(t, http.StatusOK); !strings.Contains(f.body, `id="failed-none"`) {
		t.Fatalf("before the failure: %s", f.body)
	}
	msgs, err := u.DB.ClaimMail(ctx, 10, time.Minute)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("claim: %+v, %v", msgs, err)
	}
	if err := u.DB.MailFailed(ctx, msgs[0].TenantID, msgs[0].ID, "smtp 550", nil); err != nil {
		t.Fatal(err)
	}

	tab := u.do(t, recruiter, "GET", "/candidates/"+idText(c.ID)+"/history", nil, false).expect(t, http.StatusOK)
	if !strings.Contains(tab.body, `id="cm-delivery-`+idText(sent.ID)+`">niet afgeleverd<`) {
		t.Errorf("the history tab: %s", tab.body)
	}
	var m map[string]any
	if code, body := u.apiCall(t, recToken, "GET", "/api/v1/contact-moments/"+idText(sent.ID), "", &m); code != http.StatusOK || m["delivery"] != "failed" {
		t.Errorf("the moment in the API: %d %s", code, body)
	}
	var ni notInformedList
	if code, body := u.apiCall(t, poToken, "GET", "/api/v1/privacy-statements/not-informed", "", &ni); code != http.StatusOK || ni.Total != 1 || ni.Items[0].ID != c.ID {
		t.Errorf("not informed: %d %s", code, body)
	}

	u.get(t, recruiter, "/outbox/failed").expect(t, http.StatusForbidden)
	if code, _ := u.apiCall(t, recToken, "GET", "/api/v1/outbox/failed", "", nil); code != http.StatusForbidden {
		t.Errorf("the API for a recruiter: %d", code)
	}
	page := u.get(t, po, "/outbox/failed").expect(t, http.StatusOK)
	if !strings.Contains(page.body, `id="failed-`+idText(msgs[0].ID)+`"`) || !strings.Contains(page.body, "smtp 550") ||
		!strings.Contains(page.body, `href="/candidates/`+idText(c.ID)+`/history"`) || strings.Contains(page.body, c.Email) {
		t.Errorf("the page: %s", page.body)
	}
	if !page.has("nl", "outbox.failed.title") {
		t.Errorf("the page's title: %s", page.body)
	}
	var list struct {
		Items []map[string]any
		Total int
	}
	code, body := u.apiCall(t, poToken, "GET", "/api/v1/outbox/failed", "", &list)
	if code != http.StatusOK || list.Total != 1 || len(list.Items) != 1 || strings.Contains(body, c.Email) || strings.Contains(body, "subject") {
		t.Fatalf("the API: %d %s", code, body)
	}
	if it := list.Items[0]; it["id"] != float64(msgs[0].ID) || it["candidate_id"] != float64(c.ID) || it["kind"] != "privacy-statement" ||
		it["last_error"] != "smtp 550" || it["attempts"] != float64(1) || it["message_id"] != msgs[0].MessageID {
		t.Errorf("the item: %v", it)
	}
	if code, body := u.apiCall(t, poToken, "GET", "/api/v1/outbox/failed?limit=x", "", nil); code != http.StatusBadRequest || !strings.Contains(body, `"limit"`) {
		t.Errorf("a bad limit: %d %s", code, body)
	}
}
