package browsertest

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestARestrictionRequestIsWalkedThroughTheUI: the privacy officer
// registers a restriction request, verifies the identity and restricts
// processing; the candidate's page carries the banner; a recruiter's edit
// is refused saying why; the privacy officer informs the candidate and
// lifts the restriction, and the banner is gone.
func TestARestrictionRequestIsWalkedThroughTheUI(t *testing.T) {
	b := start(t)
	ctx := context.Background()
	rec := b.k.User(kluis.RoleRecruiter)
	cs, _, err := b.k.DB.ListCandidates(ctx, kluis.ActorFor(&rec), store.CandidateFilter{Page: kluis.Page{Limit: 50}})
	if err != nil {
		t.Fatal(err)
	}
	var c *kluis.Candidate
	for i := range cs {
		if cs[i].Restricted == "" && cs[i].LastName != "" {
			c = &cs[i]
			break
		}
	}
	if c == nil {
		t.Fatal("no candidate of the recruiter's branch")
	}
	cand := strconv.FormatInt(c.ID, 10)

	b.logInWithCode(kluis.RolePrivacy)
	b.do("register a restriction request",
		chromedp.Navigate(b.url("/requests/new?candidate_id="+cand)),
		WaitText(`main h1`, "Verzoek registreren"),
		chromedp.SetValue(chromedp.ID("f-kind"), "restriction"),
		chromedp.SetValue(chromedp.ID("f-channel"), "letter"),
		chromedp.SendKeys(chromedp.ID("f-description"), "Betwist de juistheid van het adres"),
		chromedp.Click(chromedp.ID("request-save")),
		WaitText(`#request-status`, "Ontvangen"),
	)
	b.do("verify the identity",
		chromedp.SetValue(chromedp.ID("f-verified_how"), "id-document-shown"),
		chromedp.Click(chromedp.ID("request-verify")),
		WaitText(`#request-status`, "Identiteit gecontroleerd"),
		chromedp.WaitVisible(chromedp.ID("request-restrict")),
	)
	b.do("restrict processing on ground (a)",
		chromedp.SetValue(chromedp.ID("f-ground"), "accuracy"),
		chromedp.SendKeys(chromedp.ID("f-note"), "Adres wordt gecontroleerd"),
		chromedp.Click(chromedp.ID("request-restrict")),
		WaitText(`#request-restriction`, "(a) Juistheid betwist"),
		WaitText(`#request-status`, "In behandeling"),
	)
	shot(b, "restriction-request")
	b.do("see the banner on the candidate's page",
		chromedp.Navigate(b.url("/candidates/"+cand)),
		WaitText(`#processing-restricted`, "Verwerking beperkt (art. 18 AVG)"),
		chromedp.Navigate(b.url("/candidates/"+cand+"/history")),
		WaitText(`#processing-restricted`, "(a) Juistheid betwist"),
		chromedp.Navigate(b.url("/candidates/"+cand+"/privacy")),
		chromedp.WaitVisible(chromedp.ID("restriction-panel")),
	)
	shot(b, "restriction-candidate")

	b.do("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("f-password")))
	b.logIn(kluis.RoleRecruiter)
	b.do("the recruiter tries to change the candidate",
		chromedp.Navigate(b.url("/candidates/"+cand)),
		chromedp.WaitVisible(chromedp.ID("processing-restricted")),
		chromedp.Navigate(b.url("/candidates/"+cand+"/edit")),
		chromedp.WaitVisible(chromedp.ID("f-city")),
		Clear("#f-city"),
		chromedp.SendKeys(chromedp.ID("f-city"), "Zeist"),
		chromedp.Click(chromedp.ID("candidate-save")),
		WaitText(`#restriction-refused`, "De verwerking van de gegevens van deze kandidaat is beperkt (art. 18 AVG)"),
	)
	shot(b, "restriction-edit-refused")
	if got, err := b.k.DB.Candidate(ctx, kluis.ActorFor(&rec), c.ID); err != nil || got.City == "Zeist" {
		t.Fatalf("the restricted candidate was changed: %+v %v", got, err)
	}
	b.do("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("f-password")))

	// A code is used once: the privacy officer's next one is a minute on.
	b.k.Clock.Advance(time.Minute)
	b.logInWithCode(kluis.RolePrivacy)
	b.do("open the restriction from the candidate's banner",
		chromedp.Navigate(b.url("/candidates/"+cand)),
		chromedp.Click(chromedp.CSS(`#processing-restricted a.restriction-link`)),
		WaitText(`main h1`, "Beperking van de verwerking"),
		chromedp.WaitVisible(chromedp.ID("restriction-lift-first")),
	)
	b.do("inform the candidate by phone",
		chromedp.SetValue(chromedp.ID("f-informed_how"), "phone"),
		chromedp.Click(chromedp.ID("restriction-inform")),
		WaitText(`#restriction-informed`, "Telefoon"),
	)
	shot(b, "restriction-page")
	b.do("lift the restriction",
		chromedp.Click(chromedp.ID("restriction-lift")),
		WaitText(`#restriction-state`, "opgeheven"),
	)
	b.do("the banner is gone",
		chromedp.Navigate(b.url("/candidates/"+cand)),
		chromedp.WaitVisible(chromedp.CSS(`#tabpanel`)),
	)
	if banners := run(b, "count the banners", chromedp.Evaluate[int](`document.querySelectorAll("#processing-restricted").length`)); banners != 0 {
		t.Fatal("the banner after the lifting")
	}
	xs, _, err := b.k.DB.Restrictions(ctx, b.k.Actor(kluis.RolePrivacy), store.RestrictionFilter{CandidateID: c.ID})
	if err != nil || len(xs) != 1 || xs[0].Active() || xs[0].InformedHow != "phone" {
		t.Fatalf("stored: %+v %v", xs, err)
	}
}

// shot saves a screenshot of the page when KLUIS_TEST_SHOTS names a
// directory, to look at; otherwise it does nothing.
func shot(b *browser, name string) {
	b.t.Helper()
	if dir := os.Getenv("KLUIS_TEST_SHOTS"); dir != "" {
		if err := SaveScreenshot(b.ctx, dir+"/"+name+".png"); err != nil {
			b.t.Logf("screenshot %s: %v", name, err)
		}
	}
}
