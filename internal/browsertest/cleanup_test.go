package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
)

// TestThePrivacyOfficerCleansUpADueCandidate: on Opschonen the privacy
// officer ticks the first candidate with data past its term, starts the
// clean-up, confirms on the page that says how many, watches the progress
// reach done without a page load, and opens the erasure record.
func TestThePrivacyOfficerCleansUpADueCandidate(t *testing.T) {
	b := start(t)
	b.logInWithCode(kluis.RolePrivacy)
	b.do("open the clean-up list",
		chromedp.Navigate(b.url("/cleanup")),
		WaitText(`main h1`, "Opschonen"),
		chromedp.WaitVisible(chromedp.CSS(`main input[name=candidate]`)),
	)
	picked := run(b, "read the first candidate", chromedp.Evaluate[string](`document.querySelector("main input[name=candidate]").value`))
	b.do("tick it and start",
		chromedp.Click(chromedp.CSS(`main input[name=candidate]`)),
		chromedp.Click(chromedp.ID("cleanup-selected")),
		chromedp.WaitVisible(chromedp.ID("cleanup-confirm")),
		WaitText(`#confirm-count`, "1"),
		chromedp.Click(chromedp.ID("cleanup-confirm")),
		chromedp.WaitVisible(chromedp.ID("run-bar")),
	)
	// The page was loaded once; the progress comes in place until done.
	run(b, "mark the page", chromedp.Evaluate[bool](`window.kluisSamePage = true`))
	b.do("wait for the run to be done",
		WaitText(`#run-state`, "Klaar"),
		chromedp.WaitVisible(chromedp.ID("run-erasures")),
	)
	if same := run(b, "check that the page did not reload", chromedp.Evaluate[bool](`window.kluisSamePage === true`)); !same {
		t.Error("the run's page reloaded to show the progress")
	}
	if done := run(b, "read the bar", chromedp.Evaluate[bool](`(() => { const p = document.getElementById("run-bar"); return p.value === p.max; })()`)); !done {
		t.Error("the progress bar is not full when the run is done")
	}
	b.do("open the run's erasure records and the first",
		chromedp.Click(chromedp.ID("run-erasures")),
		chromedp.WaitVisible(chromedp.CSS(`table#erasures a`)),
		WaitText(`table#erasures`, picked),
		chromedp.Click(chromedp.CSS(`table#erasures a`)),
		WaitText(`main h1`, "Bewijs van verwijdering"),
		WaitText(`main`, "Verwijderd"),
	)
	body := run(b, "read the record", chromedp.Text(chromedp.CSS(`main`)))
	if !strings.Contains(body, picked) || !strings.Contains(body, b.k.User(kluis.RolePrivacy).Name) {
		t.Errorf("the record does not name candidate %s and who erased:\n%s", picked, body)
	}
}
