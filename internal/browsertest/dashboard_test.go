package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
)

// TestThePrivacyOfficerSeesTheDashboardWithDemoData: from the start page
// the privacy officer opens the dashboard; every panel has its chart as an
// SVG image with an accessible name and its table, the overdue request is
// red, the recruiter who looked at many candidates is flagged, and a bar
// links to the list behind it.
func TestThePrivacyOfficerSeesTheDashboardWithDemoData(t *testing.T) {
	b := start(t)
	if err := AddPrivacyActivity(context.Background(), b.k); err != nil {
		t.Fatal(err)
	}
	b.logInWithCode(kluis.RolePrivacy)
	b.do("open the dashboard from the start page",
		chromedp.Click(chromedp.CSS(`#start-dashboard a[href="/dashboard"]`)),
		WaitText(`main h1`, "Privacy-dashboard"),
	)
	for _, id := range []string{"expiry", "requests", "consent", "cleanup", "statement", "access"} {
		n := run(b, "count the charts of "+id, chromedp.Evaluate[int](`document.querySelectorAll("#panel-`+id+` svg.chart[role=img] title").length`))
		tables := run(b, "count the tables of "+id, chromedp.Evaluate[int](`document.querySelectorAll("#panel-`+id+` table.chartdata").length`))
		if n == 0 || tables == 0 {
			t.Errorf("panel %s: %d chart titles, %d tables", id, n, tables)
		}
	}
	// The SVG is drawn with real figures, not an empty frame.
	bars := run(b, "count the bars of the expiry chart", chromedp.Evaluate[int](`document.querySelectorAll("#chart-expiry svg rect").length`))
	if bars == 0 {
		t.Error("the expiry chart has no bars")
	}
	late := run(b, "the overdue request", chromedp.Evaluate[string](`document.querySelector("#panel-requests tr.overdue") ? document.querySelector("#panel-requests tr.overdue").innerText : ""`))
	if !strings.Contains(late, "te laat") {
		t.Errorf("no overdue request in red: %q", late)
	}
	flagged := run(b, "the flagged staff member", chromedp.Evaluate[string](`document.querySelector("#chart-access-table tr.overdue th") ? document.querySelector("#chart-access-table tr.overdue th").textContent : ""`))
	if flagged != b.k.User(kluis.RolePayroll).Name {
		t.Errorf("flagged %q, want the payroll administrator", flagged)
	}
	b.do("follow a month of the expiry chart to the clean-up list",
		chromedp.Click(chromedp.CSS(`#chart-expiry summary`)),
		chromedp.Click(chromedp.CSS(`#chart-expiry-table tbody tr:nth-child(2) a`)),
		WaitText(`main h1`, "Opschonen"),
	)
	if loc := run(b, "where", chromedp.Location()); !strings.Contains(loc, "/cleanup?due_by=") {
		t.Errorf("the link went to %s", loc)
	}
	b.open("/dashboard", "#panel-access")
	if err := SaveScreenshot(b.ctx, t.TempDir()+"/dashboard.png"); err != nil {
		t.Error(err)
	}
}
