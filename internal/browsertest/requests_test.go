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

// TestThePrivacyOfficerMakesALetterThatIsKeptWithTheRequest: on a verified
// access request's page the letters section offers the answer in one step;
// an extension notice is refused without a reason, field by field, then
// made in English and listed with its download.
func TestThePrivacyOfficerMakesALetterThatIsKeptWithTheRequest(t *testing.T) {
	b := start(t)
	ctx := context.Background()
	po := b.k.Actor(kluis.RolePrivacy)
	cs, _, err := b.k.DB.ListCandidates(ctx, po, store.CandidateFilter{Page: kluis.Page{Limit: 1}})
	if err != nil || len(cs) == 0 {
		t.Fatalf("no candidate: %v", err)
	}
	q := &kluis.Request{CandidateID: cs[0].ID, Kind: "access", Channel: "email"}
	if err := b.k.DB.CreateRequest(ctx, po, q); err != nil {
		t.Fatal(err)
	}
	if _, err := b.k.DB.VerifyRequest(ctx, po, q.ID, 0, "known-email", ""); err != nil {
		t.Fatal(err)
	}
	b.logInWithCode(kluis.RolePrivacy)
	b.open("/requests/"+strconv.FormatInt(q.ID, 10), "#request-letters")
	b.do("the answer in one step is offered",
		chromedp.WaitVisible(chromedp.ID("request-answer")),
		WaitText(`#request-letters`, "Nog geen brieven."),
	)
	b.do("an extension notice without a reason is refused",
		chromedp.SetValue(chromedp.ID("f-kind"), "extension"),
		chromedp.Click(chromedp.ID("letter-submit")),
		WaitText(`#request-letters`, "de kandidaat moet weten waarom"),
	)
	b.do("made in English with a reason, it is listed",
		chromedp.SetValue(chromedp.ID("f-kind"), "extension"),
		chromedp.SetValue(chromedp.ID("f-lang"), "en"),
		chromedp.SendKeys(chromedp.ID("f-reason"), "Uw gegevens staan in drie systemen."),
		chromedp.Click(chromedp.ID("letter-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#letters-table tr[data-kind="extension"] a.letter-download`)),
		WaitText(`#letters-table`, "Bericht van verlenging"),
		WaitText(`#letters-table`, "Engels"),
	)
	ls, err := b.k.DB.Letters(ctx, po, q.ID)
	if err != nil || len(ls) != 1 || ls[0].Kind != "extension" || ls[0].Lang != "en" || !ls[0].Sealed {
		t.Fatalf("kept: %+v %v", ls, err)
	}
}
