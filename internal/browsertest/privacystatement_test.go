package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestThePrivacyOfficerPublishesTheStatementAndSendsItToACandidate: on
// Privacyverklaring (in the menu) the privacy officer previews and
// publishes the default text as version 1 and sees it rendered with the
// catalogue's tables; on a candidate's Historie tab they e-mail it, in
// place, and the timeline shows the contact moment with the version; the
// outbox holds the e-mail. Then the rest get it by the send-to-all job,
// whose progress comes in place until done; the public page shows the
// statement; no page breaks the CSP.
func TestThePrivacyOfficerPublishesTheStatementAndSendsItToACandidate(t *testing.T) {
	b := start(t)
	ctx := context.Background()
	po := b.k.Actor(kluis.RolePrivacy)
	var cand kluis.Candidate
	cs, _, err := b.k.DB.ListCandidates(ctx, po, store.CandidateFilter{Page: kluis.Page{Limit: kluis.MaxPageSize}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Email != "" && c.Restricted == "" {
			cand = c
			break
		}
	}
	if cand.ID == 0 {
		t.Fatal("no demo candidate with an e-mail address")
	}
	b.logInWithCode(kluis.RolePrivacy)
	// The demo agency published version 1 when it began; the officer
	// publishes the next.
	b.do("preview and publish the default text as the next version",
		chromedp.Click(chromedp.CSS(`header.top nav a[href="/privacy-statement"]`)),
		WaitText(`main h1`, "Privacyverklaring"),
		WaitText(`#current-version`, "1"),
		chromedp.Click(chromedp.ID("preview-button")),
		WaitText(`#preview`, "Bemiddeling naar werk"),
		WaitText(`#current-version`, "1"),
		chromedp.Click(chromedp.ID("publish-button")),
		WaitText(`#current-version`, "2"),
		WaitText(`#current-statement`, "Bemiddeling naar werk"),
		WaitText(`#current-statement`, "Burgerservicenummer"),
	)
	path := fmt.Sprintf("/candidates/%d/history", cand.ID)
	b.open(path, `#statement-send`)
	b.do("e-mail the statement in place",
		markPage(),
		chromedp.Click(chromedp.ID("statement-send")),
		WaitText(`#tabpanel .flash`, "verstuurd"),
		WaitText(`#timeline`, "Privacyverklaring verstuurd"),
		chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("cm-version-%d-2", cand.ID))),
	)
	if !b.samePage() {
		t.Error("sending came with a new page load, not in place")
	}
	msgs, _, err := b.k.DB.OutboxMessages(ctx, po, cand.ID, kluis.Page{})
	found := false
	for _, m := range msgs {
		found = found || m.Kind == "privacy-statement"
	}
	if err != nil || !found {
		t.Errorf("the outbox holds no statement for the candidate: %+v, %v", msgs, err)
	}

	b.do("send it to all the others",
		chromedp.Navigate(b.url("/privacy-statement")),
		chromedp.WaitVisible(chromedp.ID("send-all")),
		acceptConfirms(),
		chromedp.Click(chromedp.ID("send-all")),
		chromedp.WaitVisible(chromedp.ID("send-bar")),
		markPage(),
		WaitText(`#send-state`, "klaar"),
	)
	if !b.samePage() {
		t.Error("the job's page reloaded to show the progress")
	}
	if _, total, _, err := b.k.DB.NotInformedCandidates(ctx, po, kluis.Page{Limit: 1}); err != nil || total != 0 {
		// Only candidates without an address may be left.
		list, _, _, _ := b.k.DB.NotInformedCandidates(ctx, po, kluis.Page{Limit: kluis.MaxPageSize})
		for _, c := range list {
			if c.HasEmail {
				t.Errorf("candidate %d with an address was not informed", c.ID)
			}
		}
	}
	b.do("read the public page",
		chromedp.Navigate(b.url("/privacy/"+b.k.Demo.Tenant.Slug)),
		WaitText(`#statement h1`, "Privacyverklaring"),
		WaitText(`#statement`, "Burgerservicenummer"),
	)
	if bad := b.console.matching("Content Security Policy", "Content-Security-Policy", "exception:"); len(bad) > 0 {
		t.Errorf("the pages broke their CSP or threw:\n  %s", strings.Join(bad, "\n  "))
	}
}
