package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestAStaffMemberReportsABreachAndThePrivacyOfficerSeesTheClock: a
// recruiter reports a breach discovered three days ago on the form
// "Datalek melden"; the privacy officer finds it on the start page with
// its 72-hour clock in red, records that it was no breach after all,
// which stops the clock, and registers a new one whose clock runs.
func TestAStaffMemberReportsABreachAndThePrivacyOfficerSeesTheClock(t *testing.T) {
	b := start(t)
	b.logIn(kluis.RoleRecruiter)
	b.do("report a breach from the menu",
		chromedp.Click(chromedp.CSS(`nav a[href="/breaches/report"]`)),
		WaitText(`main h1`, "Datalek melden"),
		chromedp.SendKeys(chromedp.ID("f-title"), "Laptop kwijt in de trein"),
		chromedp.SetValue(chromedp.ID("f-discovered_at"), "2026-11-26T09:00"),
		chromedp.SendKeys(chromedp.ID("f-facts"), "De laptop van de vestiging is vrijdag in de trein blijven liggen."),
		chromedp.Click(chromedp.ID("cat-contact")),
		chromedp.Click(chromedp.ID("breach-save")),
		WaitText(`#breach-reported`, "Dank u"),
		chromedp.Click(chromedp.CSS(`header.top form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("f-email")),
	)
	b.logInWithCode(kluis.RolePrivacy)
	b.do("see the overdue clock on the start page and open the breach",
		WaitText(`#breach-banner`, "Laptop kwijt in de trein"),
		WaitText(`#breach-banner td.clock`, "1 u 0 min te laat"),
		chromedp.Click(chromedp.CSS(`#breach-banner td a`)),
		WaitText(`#breach-clock`, "72 uur verstreken — 1 u 0 min te laat"),
		WaitText(`#breach-deadline`, "29-11-2026 09:00"),
	)
	color := run(b, "read the clock's colour", chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#breach-clock")).color`))
	if color != "rgb(180, 35, 24)" {
		t.Errorf("the overdue clock is not red: %s", color)
	}
	b.do("decide that it was no breach",
		chromedp.SetValue(chromedp.ID("f-decision"), "no-breach"),
		chromedp.SendKeys(chromedp.ID("f-decision_reason"), "De laptop is versleuteld en teruggevonden bij gevonden voorwerpen."),
		chromedp.Click(chromedp.ID("breach-decide")),
		WaitText(`#breach-decision`, "Geen datalek na onderzoek"),
		WaitText(`#breach-clock`, "na de 72 uur"),
	)
	b.do("register a new breach: its clock runs",
		chromedp.Click(chromedp.CSS(`nav a[href="/breaches"]`)),
		WaitText(`main h1`, "Datalekregister"),
		chromedp.Click(chromedp.ID("breach-new")),
		chromedp.SendKeys(chromedp.ID("f-title"), "Mail met cv's aan verkeerde klant"),
		chromedp.SendKeys(chromedp.ID("f-facts"), "Drie cv's gingen naar de verkeerde opdrachtgever."),
		chromedp.Click(chromedp.ID("breach-save")),
		WaitText(`#breach-clock`, "nog 72 u 0 min om te melden"),
	)
	// The demo's own breach is there too.
	bs, _, err := b.k.DB.Breaches(context.Background(), b.k.Actor(kluis.RolePrivacy), store.BreachFilter{})
	if err != nil {
		t.Fatal(err)
	}
	decided := map[string]string{}
	for _, x := range bs {
		decided[x.Title] = x.Decision
	}
	if d, ok := decided["Mail met cv's aan verkeerde klant"]; !ok || d != "" {
		t.Errorf("the new breach: stored %v, decision %q", ok, d)
	}
	if d, ok := decided["Laptop kwijt in de trein"]; !ok || d != "no-breach" {
		t.Errorf("the reported breach: stored %v, decision %q", ok, d)
	}
}
