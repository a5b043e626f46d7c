package browsertest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestThePrivacyOfficerRegistersVerifiesAndClosesARequest: from the menu
// item Verzoeken the privacy officer registers an access request, records
// the identity check, finds the record card linked, and closes the request
// with its outcome.
func TestThePrivacyOfficerRegistersVerifiesAndClosesARequest(t *testing.T) {
	b := start(t)
	cs, _, err := b.k.DB.ListCandidates(context.Background(), b.k.Actor(kluis.RolePrivacy), store.CandidateFilter{Page: kluis.Page{Limit: 1}})
	if err != nil || len(cs) == 0 {
		t.Fatalf("no candidate: %v", err)
	}
	cand := strconv.FormatInt(cs[0].ID, 10)
	b.logInWithCode(kluis.RolePrivacy)
	b.do("open the register from the menu",
		chromedp.Click(chromedp.CSS(`nav a[href="/requests"]`)),
		WaitText(`main h1`, "Verzoeken van kandidaten"),
		chromedp.Click(chromedp.ID("request-new")),
		WaitText(`main h1`, "Verzoek registreren"),
	)
	b.do("register an access request",
		chromedp.SendKeys(chromedp.ID("f-candidate_id"), cand),
		chromedp.SetValue(chromedp.ID("f-kind"), "access"),
		chromedp.SetValue(chromedp.ID("f-channel"), "email"),
		chromedp.SendKeys(chromedp.ID("f-description"), "Wil weten wat er bewaard wordt"),
		chromedp.Click(chromedp.ID("request-save")),
		WaitText(`#request-status`, "Ontvangen"),
		WaitText(`#request-due`, "29-12-2026"),
	)
	b.do("verify the identity",
		chromedp.SetValue(chromedp.ID("f-verified_how"), "known-email"),
		chromedp.Click(chromedp.ID("request-verify")),
		WaitText(`#request-status`, "Identiteit gecontroleerd"),
		chromedp.WaitVisible(chromedp.ID("request-card-pdf")),
	)
	b.do("close it as done",
		chromedp.SetValue(chromedp.ID("f-status"), "done"),
		chromedp.SendKeys(chromedp.ID("f-outcome"), "Stamkaart per e-mail gestuurd"),
		chromedp.Click(chromedp.ID("request-close")),
		WaitText(`#request-status`, "Afgehandeld"),
		WaitText(`#request-outcome`, "Stamkaart per e-mail gestuurd"),
	)
	qs, _, err := b.k.DB.Requests(context.Background(), b.k.Actor(kluis.RolePrivacy), store.RequestFilter{CandidateID: cs[0].ID})
	if err != nil || len(qs) != 1 || qs[0].Status != "done" || qs[0].VerifiedHow != "known-email" || !strings.Contains(qs[0].Outcome, "Stamkaart") {
		t.Fatalf("stored: %+v %v", qs, err)
	}
}
