package browsertest

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
)

// chartTable is a chart's table as the page shows it: per row label, per
// column head, the figure.
type chartTable map[string]map[string]int

// readChart reads the table of a chart from the page.
func readChart(b *browser, id string) chartTable {
	b.t.Helper()
	return run(b, "read the table of "+id, chromedp.Evaluate[chartTable](`(() => {
		const t = document.getElementById("`+id+`-table"), out = {};
		if (!t) return out;
		const heads = [...t.querySelectorAll("thead th")].map(h => h.textContent.trim());
		for (const tr of t.querySelectorAll("tbody tr")) {
			const row = {};
			tr.querySelectorAll("td").forEach((td, i) => { row[heads[i+1]] = parseInt(td.textContent, 10); });
			out[tr.querySelector("th").textContent.trim()] = row;
		}
		return out;
	})()`))
}

// column sums a column of the table over its rows.
func (t chartTable) column(head string) int {
	n := 0
	for _, row := range t {
		n += row[head]
	}
	return n
}

// weekAgo is the start of the day a week ago in the Netherlands, where
// the dashboard's week of the access log begins.
func weekAgo(now time.Time) time.Time {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	d := now.In(ams).AddDate(0, 0, -7)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, ams).UTC()
}

// demoSQL opens the demo's database for the test's own counts.
func demoSQL(t *testing.T, k *Kluis) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(k.Dir, "kluis.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestThePrivacyOfficerSeesTheDashboardWithDemoData: from the start page
// the privacy officer opens the dashboard of the demo as `kluis demo`
// makes it; every panel has its chart as an SVG image with an accessible
// name and its table, and the figures are those the test counts in the
// database itself: the requests and the overdue one, the consent requests
// by answer, the candidates the clean-up run erased and the categories,
// the candidates without the current privacy statement, and the payroll
// administrator flagged for the BSNs revealed.
func TestThePrivacyOfficerSeesTheDashboardWithDemoData(t *testing.T) {
	b := start(t)
	db := demoSQL(t, b.k)
	tenant := b.k.Demo.Tenant.ID
	today := kluis.DateOf(b.k.Clock.Now())
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
	if bars := run(b, "count the bars of the expiry chart", chromedp.Evaluate[int](`document.querySelectorAll("#chart-expiry svg rect").length`)); bars == 0 {
		t.Error("the expiry chart has no bars")
	}

	// Requests: all of them, and the one past its deadline in red.
	req := readChart(b, "chart-requests")
	if got, want := req.column("Totaal"), count(t, db, "SELECT count(*) FROM requests WHERE tenant_id = ?", tenant); got != want || want < 5 {
		t.Errorf("requests: the chart has %d, the database %d", got, want)
	}
	if got, want := req.column("Te laat (open)"), count(t, db, "SELECT count(*) FROM requests WHERE tenant_id = ? AND closed_on IS NULL AND due_on < ?", tenant, today); got != want || want != 1 {
		t.Errorf("overdue requests: the chart has %d, the database %d", got, want)
	}
	if got, want := req.column("Verlengd"), count(t, db, "SELECT count(*) FROM requests WHERE tenant_id = ? AND status = 'extended' AND due_on >= ?", tenant, today); got != want || want != 1 {
		t.Errorf("extended requests: the chart has %d, the database %d", got, want)
	}
	late := run(b, "the overdue request", chromedp.Evaluate[string](`document.querySelector("#panel-requests tr.overdue") ? document.querySelector("#panel-requests tr.overdue").innerText : ""`))
	if !strings.Contains(late, "te laat") {
		t.Errorf("no overdue request in red: %q", late)
	}

	// Consent requests by answer.
	cons := readChart(b, "chart-consent")
	for head, answer := range map[string]string{"Akkoord": "agreed", "Geweigerd": "declined", "Geen antwoord": ""} {
		if got, want := cons.column(head), count(t, db, "SELECT count(*) FROM consent_requests WHERE tenant_id = ? AND answer = ?", tenant, answer); got != want || want == 0 {
			t.Errorf("consent requests %q: the chart has %d, the database %d", head, got, want)
		}
	}

	// The clean-up run: candidates erased altogether, and per category.
	clean := readChart(b, "chart-cleanup")
	if got, want := clean.column("Helemaal gewist"), count(t, db, "SELECT count(*) FROM erasures WHERE tenant_id = ? AND run_id IS NOT NULL AND complete", tenant); got != want || want == 0 {
		t.Errorf("erased altogether: the chart has %d, the database %d", got, want)
	}
	byCat := map[string]int{}
	rows, err := db.Query("SELECT erased FROM erasures WHERE tenant_id = ? AND run_id IS NOT NULL", tenant)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var raw string
		var groups []kluis.ErasedGroup
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &groups); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, g := range groups {
			if !seen[g.Category] {
				seen[g.Category] = true
				byCat[kluis.DataCategories.Label(g.Category, "nl")]++
			}
		}
	}
	rows.Close()
	erased := readChart(b, "chart-erased")
	for label, row := range erased {
		for _, n := range row {
			if n != byCat[label] {
				t.Errorf("erased %s: the chart has %d, the database %d", label, n, byCat[label])
			}
		}
	}
	if len(byCat) == 0 {
		t.Error("the demo's clean-up run erased nothing")
	}

	// Candidates without a record of the current privacy statement.
	stm := readChart(b, "chart-statement")
	notInformed := count(t, db, `SELECT count(*) FROM candidates c WHERE c.tenant_id = ? AND c.status IN ('registered', 'available', 'working') AND c.restricted = ''
		AND NOT EXISTS (SELECT 1 FROM contact_moments m WHERE m.tenant_id = c.tenant_id AND m.candidate_id = c.id
			AND m.kind IN ('privacy-statement-shown', 'privacy-statement-sent')
			AND m.statement_version = (SELECT max(version) FROM privacy_statements s WHERE s.tenant_id = c.tenant_id))`, tenant)
	if got := stm.column("Niet geïnformeerd"); got != notInformed || notInformed == 0 {
		t.Errorf("not informed: the chart has %d, the database %d", got, notInformed)
	}

	// The access log: the payroll administrator's BSN reveals, flagged.
	payroll := b.k.User(kluis.RolePayroll)
	acc := readChart(b, "chart-access")
	bsn := 0
	rows, err = db.Query("SELECT fields FROM audit_log WHERE tenant_id = ? AND user_id = ? AND action = 'reveal' AND at >= ?", tenant, payroll.ID, weekAgo(b.k.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var fields string
		if err := rows.Scan(&fields); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(strings.Split(fields, ","), "bsn") {
			bsn++
		}
	}
	rows.Close()
	if got := acc[payroll.Name]["Waarvan BSN's"]; got != bsn || bsn < 10 {
		t.Errorf("BSNs revealed by the payroll administrator: the chart has %d, the database %d", got, bsn)
	}
	flagged := run(b, "the flagged staff member", chromedp.Evaluate[string](`document.querySelector("#chart-access-table tr.overdue th") ? document.querySelector("#chart-access-table tr.overdue th").textContent : ""`))
	if flagged != payroll.Name {
		t.Errorf("flagged %q, want the payroll administrator", flagged)
	}

	// A part of a bar leads to exactly its list: the overdue request.
	b.do("follow the overdue part of the requests chart",
		chromedp.Click(chromedp.CSS(`#chart-requests summary`)),
		chromedp.Click(chromedp.CSS(`#chart-requests-table td.late a`)),
		WaitText(`main h1`, "Verzoeken"),
	)
	if n := run(b, "the count of the list", chromedp.Evaluate[string](`document.querySelector("#h-requests small").textContent`)); n != "(1)" {
		t.Errorf("the overdue part leads to a list of %s", n)
	}
	b.open("/dashboard", "#panel-access")
	if err := SaveScreenshot(b.ctx, t.TempDir()+"/dashboard.png"); err != nil {
		t.Error(err)
	}
}

// TestTheBranchManagerSeesTheirBranchAndEveryLinkOpens: the branch
// manager's dashboard has the charts of their branch — the expiry, the
// requests, the consent requests and the privacy statement — and no chart
// of the privacy officer's (the clean-up, the access log); the lists
// behind the expiry, request and statement charts are the privacy
// officer's, so those charts link nowhere, and every link the manager's
// dashboard has opens (none is refused). The consent requests are those
// of the manager's branch, as the test counts them.
func TestTheBranchManagerSeesTheirBranchAndEveryLinkOpens(t *testing.T) {
	b := start(t)
	db := demoSQL(t, b.k)
	mgr := b.logIn(kluis.RoleManager)
	b.open("/dashboard", "#panel-consent svg.chart")
	panels := run(b, "the panels", chromedp.Evaluate[[]string](`[...document.querySelectorAll("main section[id^=panel-]")].map(s => s.id)`))
	for _, id := range []string{"panel-expiry", "panel-requests", "panel-consent", "panel-statement"} {
		if !slices.Contains(panels, id) {
			t.Errorf("no %s: %v", id, panels)
		}
	}
	for _, id := range []string{"panel-cleanup", "panel-access", "panel-breaches"} {
		if slices.Contains(panels, id) {
			t.Errorf("the manager has %s", id)
		}
	}
	for _, id := range []string{"expiry", "requests", "statement"} {
		if n := run(b, "links of "+id, chromedp.Evaluate[int](`document.querySelectorAll("#panel-`+id+` a").length`)); n != 0 {
			t.Errorf("the %s panel has %d links to the privacy officer's lists", id, n)
		}
	}
	statuses := run(b, "open every link of the dashboard", chromedp.Evaluate[map[string]int](`(async () => {
		const out = {};
		for (const a of document.querySelectorAll("main a[href^='/']")) {
			const href = a.getAttribute("href");
			if (!(href in out)) out[href] = (await fetch(href, {credentials: "same-origin"})).status;
		}
		return out;
	})()`, chromedp.EvalAwaitPromise))
	consentLinks := 0
	for href, code := range statuses {
		if code != 200 {
			t.Errorf("%s: %d", href, code)
		}
		if strings.HasPrefix(href, "/consent-requests") {
			consentLinks++
		}
	}
	if consentLinks == 0 {
		t.Errorf("no link to the consent requests: %v", statuses)
	}
	cons := readChart(b, "chart-consent")
	want := count(t, db, `SELECT count(*) FROM consent_requests r JOIN candidates c ON c.tenant_id = r.tenant_id AND c.id = r.candidate_id
		WHERE r.tenant_id = ? AND c.branch_id = ?`, b.k.Demo.Tenant.ID, mgr.BranchID)
	if got := cons.column("Akkoord") + cons.column("Geweigerd") + cons.column("Geen antwoord"); got != want || want == 0 {
		t.Errorf("consent requests of the branch: the chart has %d, the database %d", got, want)
	}
}
