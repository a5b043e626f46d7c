package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestACandidateReadsTheVersionTheyAcceptedAndAcceptsANewOne: the portal
// shows the candidate the version they accepted at check-in, as it was
// published — not as today's details would fill it —, and offers a newer
// current version to read and accept; accepting records it shown with
// channel "portal", once; a refusal says why and records nothing.
func TestACandidateReadsTheVersionTheyAcceptedAndAcceptsANewOne(t *testing.T) {
	p := newPortalEnv(t)
	ctx := context.Background()
	if page, _ := p.portal(t, nil, "POST", "/portaal/aanmelden/"+p.Tenant.Slug, checkInForm("Vos", "vos@example.nl")); page.status != http.StatusOK {
		t.Fatalf("check-in: %d\n%s", page.status, page.body)
	}
	me := p.candidateByEmail(t, "vos@example.nl")
	link, _ := p.mailedLink(t, me.ID)
	_, secret := p.portal(t, nil, "POST", strings.TrimPrefix(link, p.srv.URL), url.Values{})
	mine := &http.Cookie{Name: portalCookie, Value: secret}

	home, _ := p.portal(t, mine, "GET", "/portaal/gegevens", nil)
	home.expect(t, http.StatusOK)
	if !strings.Contains(home.body, `href="/portaal/verklaring/1"`) || strings.Contains(home.body, `id="statement-accept"`) {
		t.Fatalf("the home page with the current version accepted: %s", home.body)
	}
	// The agency's details change, and a version 2 is published.
	set, _ := p.DB.Settings(ctx, p.Tenant.ID)
	set.DPOName = "Nieuwe Functionaris"
	if err := p.DB.SaveSettings(ctx, p.Actor, set, set.Version); err != nil {
		t.Fatal(err)
	}
	if err := p.DB.PublishPrivacyStatement(ctx, p.po, &kluis.PrivacyStatement{TextNL: "# Versie twee\n\n{{fg}}", TextEN: "# Version two\n\n{{dpo}}"}); err != nil {
		t.Fatal(err)
	}
	old, _ := p.portal(t, mine, "GET", "/portaal/verklaring/1", nil)
	old.expect(t, http.StatusOK)
	if !strings.Contains(old.body, "Bemiddeling naar werk") || strings.Contains(old.body, "Nieuwe Functionaris") || strings.Count(old.body, "<h1") != 1 {
		t.Fatalf("version 1 as published: %s", old.body)
	}
	if none, _ := p.portal(t, mine, "GET", "/portaal/verklaring/9", nil); none.status != http.StatusNotFound {
		t.Errorf("an unknown version: %d", none.status)
	}
	home, _ = p.portal(t, mine, "GET", "/portaal/gegevens?lang=en", nil)
	if !strings.Contains(home.body, `id="statement-accept"`) || !strings.Contains(home.body, "Version two") || !strings.Contains(home.body, "Nieuwe Functionaris") {
		t.Fatalf("the new version offered: %s", home.body)
	}
	// Not ticked, or a version no longer current: refused, nothing recorded.
	for _, form := range []url.Values{{"statement_version": {"2"}}, {"statement_version": {"1"}, "accept": {"yes"}}} {
		page, _ := p.portal(t, mine, "POST", "/portaal/verklaring", form)
		if page.status != http.StatusUnprocessableEntity || !strings.Contains(page.body, `id="statement-error"`) {
			t.Errorf("%v: %d %s", form, page.status, page.body)
		}
	}
	for range 2 {
		page, _ := p.portal(t, mine, "POST", "/portaal/verklaring", url.Values{"statement_version": {"2"}, "accept": {"yes"}})
		if page.status != http.StatusSeeOther || !strings.HasPrefix(page.location, "/portaal/gegevens?flash=portal.statement.accepted") {
			t.Fatalf("accepting: %d %q", page.status, page.location)
		}
	}
	ms, _, err := p.DB.ListContactMoments(ctx, p.po, store.ContactMomentFilter{CandidateID: me.ID, Kind: "privacy-statement-shown"})
	if err != nil || len(ms) != 2 || ms[0].StatementVersion != 2 || ms[0].StatementChannel != "portal" || ms[1].StatementChannel != "check-in" {
		t.Fatalf("the proof: %+v, %v", ms, err)
	}
	home, _ = p.portal(t, mine, "GET", "/portaal/gegevens", nil)
	if !strings.Contains(home.body, `href="/portaal/verklaring/2"`) || strings.Contains(home.body, `id="statement-accept"`) {
		t.Fatalf("after accepting: %s", home.body)
	}
	if list, total, _, _ := p.DB.NotInformedCandidates(ctx, p.po, kluis.Page{}); total != 0 {
		t.Errorf("still not informed: %+v", list)
	}
}
