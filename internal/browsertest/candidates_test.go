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

// searchableCandidate picks, from the database, a demo candidate the
// recruiter may see whose last name is plain ASCII letters (so that any
// database folds its case alike), and the start of that name to type.
func searchableCandidate(t *testing.T, k *Kluis) (kluis.Candidate, string) {
	t.Helper()
	a := k.Actor(kluis.RoleRecruiter)
	cs, _, err := k.DB.ListCandidates(context.Background(), a, store.CandidateFilter{Sort: "-registered_on", Page: kluis.Page{Limit: kluis.MaxPageSize}})
	if err != nil {
		t.Fatalf("list the demo candidates: %v", err)
	}
	for _, c := range cs {
		if len(c.LastName) < 6 || !asciiLetters(c.LastName) {
			continue
		}
		return c, strings.ToLower(c.LastName[:5])
	}
	t.Fatalf("none of the %d demo candidates has a plain last name of six letters or more", len(cs))
	return kluis.Candidate{}, ""
}

// waitResultCount waits until the heading of the search results starts with
// the count n ("3 gevonden").
func waitResultCount(n int) Action {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.PollFunction[bool](`(n) => {
			const h = document.querySelector("#h-results");
			return !!h && h.innerText.trim().split(/\s+/)[0] === String(n);
		}`, chromedp.WithPollingArgs(n), chromedp.WithPollingTimeout(WaitTimeout), chromedp.WithPollingMutation())(ctx, t)
		if err != nil {
			got, _ := chromedp.Evaluate[string](`document.querySelector("#h-results")?.innerText ?? "(no results heading)"`)(ctx, t)
			return fmt.Errorf("waiting for %d results: %w (the heading says %q)", n, err, got)
		}
		return nil
	})
}

func asciiLetters(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

func TestARecruiterFindsACandidateByName(t *testing.T) {
	b := start(t)
	c, typed := searchableCandidate(t, b.k)
	_, want, err := b.k.DB.ListCandidates(context.Background(), b.k.Actor(kluis.RoleRecruiter),
		store.CandidateFilter{Query: typed, Page: kluis.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	b.logIn(kluis.RoleRecruiter)

	b.open("/candidates", `form[role=search] #f-q`)
	link := fmt.Sprintf(`#results a[href="/candidates/%d"]`, c.ID)
	b.do("search for "+typed,
		chromedp.SendKeys(chromedp.ID("f-q"), typed),
		chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`)),
		// The count of the results is that of the database for the same
		// search, and every name shown starts with what was typed.
		waitResultCount(want),
		chromedp.WaitVisible(chromedp.CSS(link)),
	)
	names := run(b, "read the names found", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#results tbody tr td:first-child a")].map(a => a.textContent.trim())`))
	if len(names) == 0 {
		t.Fatal("the results show no names")
	}
	for _, n := range names {
		if !strings.HasPrefix(strings.ToLower(n), typed) {
			t.Errorf("the search for %q shows %q", typed, n)
		}
	}
	// The search was posted: the name typed is in neither the address nor
	// the server's log.
	if loc := run(b, "read the address", chromedp.Location()); strings.Contains(strings.ToLower(loc), typed) {
		t.Errorf("the address %s holds the name searched for", loc)
	}
	if strings.Contains(strings.ToLower(b.k.Log.String()), typed) {
		t.Errorf("the server log holds the name searched for (%q)", typed)
	}

	// Open the candidate: the candidate page with its tabs, Personalia open.
	b.do("open the candidate found",
		chromedp.Click(chromedp.CSS(link)),
		chromedp.WaitVisible(chromedp.CSS(`.person h1`)),
		WaitText(`.person h1`, c.LastName),
		chromedp.WaitVisible(chromedp.CSS(`#tabpanel`)),
	)
	tabs := run(b, "read the tabs", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("ul.tabs a")].map(a => a.getAttribute("href"))`))
	base := fmt.Sprintf("/candidates/%d", c.ID)
	wantTabs := []string{base, base + "/history", base + "/documents", base + "/placements", base + "/payroll", base + "/privacy"}
	if strings.Join(tabs, " ") != strings.Join(wantTabs, " ") {
		t.Errorf("the tabs link to %v, want %v", tabs, wantTabs)
	}
	current := run(b, "read the open tab", chromedp.Evaluate[string](
		`document.querySelector('ul.tabs a[aria-current="page"]')?.getAttribute("href") ?? ""`))
	if current != base {
		t.Errorf("the tab marked open is %q, want Personalia (%s)", current, base)
	}
	b.do("read the personal details", WaitText(`#tabpanel`, c.LastName))

	// Another tab comes in place, with its own address, and is marked open.
	b.do("open the Historie tab",
		markPage(),
		chromedp.Click(chromedp.CSS(`ul.tabs a[href$="/history"]`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.tabs a[href$="/history"][aria-current="page"]`)),
		chromedp.WaitVisible(chromedp.ID("h-history")),
	)
	if n := run(b, "count the open tabs", chromedp.Evaluate[int](`document.querySelectorAll('ul.tabs a[aria-current="page"]').length`)); n != 1 {
		t.Errorf("%d tabs are marked open, want 1", n)
	}
	if loc := run(b, "read the address", chromedp.Location()); !strings.HasSuffix(loc, base+"/history") {
		t.Errorf("after switching tabs the address is %s, want …%s/history", loc, base)
	}
	if !b.samePage() {
		t.Error("switching tabs loaded a whole page; it should swap the tab in place")
	}
}

func TestACandidateIsCreatedAfterCorrectingAValidationError(t *testing.T) {
	b := start(t)
	b.logIn(kluis.RoleRecruiter)
	const lastName = "Brouwersma"

	b.open("/candidates/new", `#f-last_name`)
	b.do("fill in a last name and a postcode that is too short, and save",
		chromedp.SendKeys(chromedp.ID("f-first_name"), "Fenna"),
		chromedp.SendKeys(chromedp.ID("f-last_name"), lastName),
		chromedp.SendKeys(chromedp.ID("f-postcode"), "12"),
		chromedp.Click(chromedp.CSS(`main form button[type=submit].primary`)),
		chromedp.WaitVisible(chromedp.ID("e-postcode")),
	)
	if msg := run(b, "read the postcode's error", chromedp.Text(chromedp.ID("e-postcode"))); strings.TrimSpace(msg) == "" {
		t.Error("the postcode's error message is empty")
	}
	if inv := run(b, "read aria-invalid", chromedp.Evaluate[string](`document.getElementById("f-postcode").getAttribute("aria-invalid") ?? ""`)); inv != "true" {
		t.Errorf("the postcode field has aria-invalid=%q, want true", inv)
	}
	if got := run(b, "read the last name", chromedp.Value(chromedp.ID("f-last_name"))); got != lastName {
		t.Errorf("after the error the last name field holds %q, want %q as typed", got, lastName)
	}
	if n := run(b, "count the fields in error", chromedp.Evaluate[int](`document.querySelectorAll("[aria-invalid=true]").length`)); n != 1 {
		t.Errorf("%d fields are marked wrong, want only the postcode", n)
	}

	b.do("correct the postcode and save",
		Clear("#f-postcode"),
		chromedp.SendKeys(chromedp.ID("f-postcode"), "3511ab"),
		chromedp.Click(chromedp.CSS(`main form button[type=submit].primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.person h1`)),
		WaitText(`.person h1`, lastName),
		// Saved as the store writes a postcode.
		WaitText(`#tabpanel`, "3511 AB"),
	)
	cs, n, err := b.k.DB.ListCandidates(context.Background(), b.k.Actor(kluis.RoleRecruiter),
		store.CandidateFilter{Query: strings.ToLower(lastName), Page: kluis.Page{Limit: 5}})
	if err != nil || n != 1 || cs[0].FirstName != "Fenna" || cs[0].Postcode != "3511 AB" {
		t.Errorf("the database holds %d candidates named %s (%+v, %v), want the one saved", n, lastName, cs, err)
	}
}
