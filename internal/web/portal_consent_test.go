package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestACandidateAnswersTheRequestForConsentThroughTheirLink: the e-mail's
// link opens a page without log-in that names the agency and the day, not
// the candidate; "yes" records a consent (and "no" nothing but the
// answer); a link answers once; a wrong link says so; the log does not
// hold the token.
func TestACandidateAnswersTheRequestForConsentThroughTheirLink(t *testing.T) {
	u := newClientUIEnv(t)
	var logs bytes.Buffer
	h, err := New(u.DB, slog.New(slog.NewTextHandler(&logs, nil)), u.Clock)
	if err != nil {
		t.Fatal(err)
	}
	u.srv.Config.Handler = h
	ctx := context.Background()
	po := kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}
	// R1 of both ends on 2026-12-15, within the 30 days' notice.
	yes := &kluis.Candidate{BranchID: u.Branch.ID, FirstName: "Jolien", LastName: "Akkoord", Email: "jolien@example.nl", RegisteredOn: "2024-12-15"}
	no := &kluis.Candidate{BranchID: u.Branch.ID, FirstName: "Bram", LastName: "Weigeraar", Email: "bram@example.nl", RegisteredOn: "2024-12-15"}
	for _, c := range []*kluis.Candidate{yes, no} {
		if err := u.DB.CreateCandidate(ctx, u.Actor, c); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := u.DB.SendConsentRequests(ctx, u.Tenant.ID, u.srv.URL); err != nil || got.Sent != 2 {
		t.Fatalf("requests: %+v, %v", got, err)
	}
	link := func(c *kluis.Candidate) string {
		msgs, _, err := u.DB.OutboxMessages(ctx, po, c.ID, kluis.Page{})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("outbox: %v", err)
		}
		i := strings.Index(msgs[0].Text, store.ConsentPortalPath)
		return strings.Fields(msgs[0].Text[i:])[0]
	}
	yesLink, noLink := link(yes), link(no)

	page := u.get(t, "", yesLink).expect(t, http.StatusOK)
	if !strings.Contains(page.body, "Testbureau") || !strings.Contains(page.body, "2026-12-15") || strings.Contains(page.body, "Jolien") ||
		strings.Contains(page.body, "Akkoord") || !page.has("nl", "portal.consent.yes") {
		t.Fatalf("the page:\n%s", page.body)
	}
	if p := u.get(t, "", yesLink+"?lang=en").expect(t, http.StatusOK); !p.has("en", "portal.consent.submit") {
		t.Error("no English page")
	}
	// No choice: said, nothing recorded.
	u.post(t, "", yesLink, url.Values{}).expect(t, http.StatusUnprocessableEntity)
	if p := u.post(t, "", yesLink, url.Values{"answer": {"yes"}}).expect(t, http.StatusOK); !p.has("nl", "portal.consent.thanks.yes") {
		t.Fatalf("after yes:\n%s", p.body)
	}
	if p := u.post(t, "", yesLink, url.Values{"answer": {"no"}}).expect(t, http.StatusConflict); !strings.Contains(p.body, "al beantwoord") {
		t.Fatalf("a second answer:\n%s", p.body)
	}
	u.post(t, "", noLink, url.Values{"answer": {"no"}}).expect(t, http.StatusOK)
	u.get(t, "", store.ConsentPortalPath+"verzonnen").expect(t, http.StatusNotFound)

	consents, _, err := u.DB.ListConsents(ctx, po, yes.ID, kluis.Page{})
	if err != nil || len(consents) != 1 || consents[0].Channel != "portal" || consents[0].Wording != kluis.ConsentRenewalWording {
		t.Errorf("the consent of yes: %+v, %v", consents, err)
	}
	if cs, _, _ := u.DB.ListConsents(ctx, po, no.ID, kluis.Page{}); len(cs) != 0 {
		t.Errorf("a consent for no: %+v", cs)
	}
	token := strings.TrimPrefix(yesLink, store.ConsentPortalPath)
	if len(token) < 40 {
		t.Fatalf("token %q", token)
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), "jolien") {
		t.Errorf("the log holds the token or the address:\n%s", logs.String())
	}
}
