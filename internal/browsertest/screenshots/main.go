// Command screenshots takes the screenshots of the staff UI that
// docs/UI.md shows. It starts kluis on 127.0.0.1 over a new SQLite database
// with the demo data set (in a temporary directory, removed afterwards),
// drives Debian's Chromium as the demo recruiter (and the privacy officer
// and the administrator, with the demo's two-step code) and writes one PNG
// per screen, the log-in page with single sign-on last:
//
//	go run ./internal/browsertest/screenshots -out docs/screenshots
//
// It also warns about what a reader of the pictures should not see: texts
// that look like untranslated message keys, and console errors.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"kluis/internal/auth"
	"kluis/internal/browsertest"
	"kluis/internal/demo"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

func main() {
	out := flag.String("out", "docs/screenshots", "directory to write the PNG files to")
	timeout := flag.Duration("timeout", 3*time.Minute, "give up after this long")
	flag.Parse()
	if err := run(*out, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

// shot is one screenshot: where to go, what to wait for, what to do first.
type shot struct {
	file  string
	path  string // navigate here first ("" stays on the current page)
	ready string // CSS selector of an element to wait for
	steps []browsertest.Action
	// optional shots are of screens still being built: a 404 skips them.
	optional bool
}

func run(out string, timeout time.Duration) error {
	chromium, err := browsertest.FindChromium()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	tmp, err := os.MkdirTemp("", "kluis-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	k, err := browsertest.Start(ctx, filepath.Join(tmp, "data"))
	if err != nil {
		return fmt.Errorf("start kluis: %w", err)
	}
	defer k.Close()

	cand, client, err := showcase(ctx, k)
	if err != nil {
		return err
	}
	console := &consoleLog{}
	tab, stop, err := browsertest.NewBrowser(ctx, chromium, filepath.Join(tmp, "profile"), chromedp.WithListener(console.listen))
	if err != nil {
		return err
	}
	defer stop()

	recruiter := k.User(kluis.RoleRecruiter)
	// The code the demo's authenticator app shows at the server's time,
	// which stands still.
	code, err := auth.TOTPCode(demo.TOTPSecret, k.Clock.Now())
	if err != nil {
		return err
	}
	candPath := fmt.Sprintf("/candidates/%d", cand.ID)
	typed := strings.ToLower(string([]rune(cand.LastName)[:1]))
	var breachPath string
	shots := []shot{
		{file: "login.png", path: "/login", ready: "#f-email"},
		{file: "start.png", ready: "header.top", steps: []browsertest.Action{
			browsertest.LogIn(k.URL, recruiter.Email, demo.DefaultPassword), browsertest.LoggedIn(),
		}},
		{file: "candidates-search.png", path: "/candidates", ready: "#results", steps: []browsertest.Action{
			chromedp.SendKeys(chromedp.ID("f-q"), typed),
			chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#results a[href="%s"]`, candPath))),
		}},
		{file: "candidate-personal.png", path: candPath, ready: "#tabpanel #h-person"},
		{file: "candidate-history.png", path: candPath + "/history", ready: "#tabpanel #h-history"},
		{file: "candidate-documents.png", path: candPath + "/documents", ready: "#tabpanel #h-docs"},
		{file: "candidate-placements.png", path: candPath + "/placements", ready: "#tabpanel"},
		{file: "candidate-payroll.png", path: candPath + "/payroll", ready: "#tabpanel"},
		{file: "candidate-privacy.png", path: candPath + "/privacy", ready: "#tabpanel"},
		{file: "candidate-new-error.png", path: "/candidates/new", ready: "#e-postcode", steps: []browsertest.Action{
			chromedp.WaitVisible(chromedp.ID("f-last_name")),
			chromedp.SendKeys(chromedp.ID("f-first_name"), "Fenna"),
			chromedp.SendKeys(chromedp.ID("f-last_name"), "Brouwersma"),
			chromedp.SendKeys(chromedp.ID("f-postcode"), "12"),
			chromedp.Click(chromedp.CSS(`main form button[type=submit].primary`)),
		}},
		{file: "clients.png", path: "/clients", ready: "#results"},
		{file: "client.png", path: fmt.Sprintf("/clients/%d", client), ready: "main h1"},
		{file: "placements.png", path: "/placements", ready: "main h1"},
		{file: "register.png", path: "/register", ready: "main h1", optional: true},
		{file: "settings.png", path: "/settings", ready: "main h1"},
		{file: "breach-report.png", path: "/breaches/report", ready: "#f-title"},
		// The set-up of two-step verification, with the demo's published
		// secret rather than a random one, so that the picture stays the
		// same from one run to the next.
		{file: "totp-setup.png", path: "/settings/2fa", ready: "#totp-secret", steps: []browsertest.Action{
			chromedp.Click(chromedp.CSS(`form[action="/settings/2fa/setup"] button`)),
			chromedp.WaitVisible(chromedp.ID("totp-secret")),
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				return k.DB.SetPendingTOTP(ctx, k.Demo.Tenant.ID, recruiter.ID, demo.TOTPSecret)
			}),
			chromedp.Navigate(k.URL + "/settings/2fa"),
		}},
		// The privacy officer's role requires two-step verification: the
		// code after the password.
		{file: "login-code.png", ready: "#f-code", steps: []browsertest.Action{
			chromedp.Click(chromedp.CSS(`header.top form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.ID("f-email")),
			browsertest.LogIn(k.URL, k.User(kluis.RolePrivacy).Email, demo.DefaultPassword),
		}},
		{file: "settings-agency.png", ready: "#h-minimise", steps: []browsertest.Action{
			chromedp.SendKeys(chromedp.ID("f-code"), code),
			chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), browsertest.LoggedIn(),
			chromedp.Navigate(k.URL + "/settings/agency"),
		}},
		{file: "audit.png", path: "/audit", ready: "#h-log"},
		{file: "cleanup.png", path: "/cleanup", ready: "#h-due-sum"},
		{file: "cleanup-preview.png", ready: "#cleanup-one", steps: []browsertest.Action{
			chromedp.Click(chromedp.CSS(`main a[href^="/cleanup/candidates/"]`)),
		}},
		{file: "cleanup-confirm.png", path: "/cleanup", ready: "#cleanup-confirm", steps: []browsertest.Action{
			chromedp.WaitVisible(chromedp.CSS(`main input[name=candidate]`)),
			chromedp.Click(chromedp.CSS(`main input[name=candidate]`)),
			chromedp.Click(chromedp.ID("cleanup-selected")),
		}},
		{file: "cleanup-run.png", ready: "#run-erasures", steps: []browsertest.Action{
			chromedp.Click(chromedp.ID("cleanup-confirm")),
			chromedp.WaitVisible(chromedp.ID("run-bar")),
		}},
		{file: "erasure.png", ready: "main h1", steps: []browsertest.Action{
			chromedp.Click(chromedp.ID("run-erasures")),
			chromedp.WaitVisible(chromedp.CSS(`table#erasures a`)),
			chromedp.Click(chromedp.CSS(`table#erasures a`)),
			chromedp.WaitVisible(chromedp.CSS(`main h2`)),
		}},
		{file: "privacy-statement.png", path: "/privacy-statement", ready: "#current-statement", steps: []browsertest.Action{
			chromedp.WaitVisible(chromedp.ID("publish-button")),
			chromedp.Click(chromedp.ID("publish-button")),
		}},
		// The privacy dashboard of the demo: its requests, consent
		// requests, clean-up run and access log.
		{file: "dashboard.png", path: "/dashboard", ready: "#panel-access svg.chart"},
		{file: "reports.png", path: "/reports", ready: "#table-requests"},
		// The breach register, with one breach past its 72 hours and one
		// whose clock still runs.
		{file: "breaches-start.png", ready: "#breach-banner", steps: []browsertest.Action{
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				id, err := showcaseBreaches(ctx, k)
				breachPath = fmt.Sprintf("/breaches/%d", id)
				return err
			}),
			chromedp.Navigate(k.URL + "/"),
		}},
		{file: "breaches.png", path: "/breaches", ready: "main table"},
		{file: "breach.png", ready: "#breach-clock", steps: []browsertest.Action{
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := chromedp.Navigate(k.URL+breachPath)(ctx, t)
				return err
			}),
		}},
		{file: "users.png", ready: "main table", steps: []browsertest.Action{
			chromedp.Click(chromedp.CSS(`header.top form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.ID("f-email")),
			browsertest.LogIn(k.URL, k.User(kluis.RoleAdmin).Email, demo.DefaultPassword),
			chromedp.WaitVisible(chromedp.ID("f-code")),
			chromedp.SendKeys(chromedp.ID("f-code"), code),
			chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), browsertest.LoggedIn(),
			chromedp.Navigate(k.URL + "/users"),
		}},
		{file: "permissions.png", path: "/settings/permissions", ready: "main table"},
		// Single sign-on as an agency on Microsoft Entra ID has it (set in
		// the store: saving on the page would ask the provider, which is not
		// on this machine). The test server's address, with its random port,
		// is shown as the address of a real installation, so that the
		// picture stays the same from one run to the next.
		{file: "settings-sso.png", ready: "#h-register", steps: []browsertest.Action{
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := k.DB.SaveSSO(ctx, k.Actor(kluis.RoleAdmin), store.SSOChange{Enabled: true,
					IssuerURL: "https://login.microsoftonline.com/8f0e1c2d-3b4a-4c5d-9e8f-7a6b5c4d3e2f/v2.0",
					ClientID:  "0c4a1f7e-5b2d-4e8a-9c3f-6d1b2a3c4d5e", ClientSecret: "voorbeeld-geheim", PasswordLogin: true}, 0)
				return err
			}),
			chromedp.Navigate(k.URL + "/settings/sso"),
			chromedp.WaitVisible(chromedp.ID("h-register")),
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelectorAll("main code").forEach(c => {
				c.textContent = c.textContent.replace(%q, "https://kluis.uwbureau.nl"); })`, k.URL)),
		}},
		{file: "login-sso.png", ready: "#sso-login", steps: []browsertest.Action{
			chromedp.Click(chromedp.CSS(`header.top form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.ID("f-email")),
		}},
	}

	var warnings []string
	for _, s := range shots {
		var steps []browsertest.Action
		if s.optional {
			res, err := chromedp.Run(tab, chromedp.NavigateResponse(k.URL+s.path))
			if err != nil {
				return fmt.Errorf("%s: %w", s.file, err)
			}
			if res.Status == 404 {
				fmt.Fprintf(os.Stderr, "screenshots: %s skipped: %s is not there yet\n", s.file, s.path)
				continue
			}
		} else if s.path != "" {
			steps = append(steps, chromedp.Navigate(k.URL+s.path))
		}
		steps = append(steps, s.steps...)
		steps = append(steps, chromedp.WaitVisible(chromedp.CSS(s.ready)), settled())
		sctx, scancel := context.WithTimeout(tab, 30*time.Second)
		err := chromedp.Do(sctx, steps...)
		if err == nil {
			err = browsertest.SaveScreenshot(sctx, filepath.Join(out, s.file))
		}
		var text string
		if err == nil {
			text, err = chromedp.Run(sctx, chromedp.Evaluate[string](`document.body.innerText`))
		}
		scancel()
		if err != nil {
			return fmt.Errorf("%s: %w", s.file, err)
		}
		fmt.Println(filepath.Join(out, s.file))
		for _, key := range rawKeys(text) {
			warnings = append(warnings, fmt.Sprintf("%s: shows %q, which looks like an untranslated message key", s.file, key))
		}
		for _, m := range console.take() {
			warnings = append(warnings, fmt.Sprintf("%s: console: %s", s.file, m))
		}
	}
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	return nil
}

// settled waits until the page has loaded, its fonts are ready and htmx runs.
func settled() browsertest.Action {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`document.readyState === "complete" && typeof htmx === "object"`,
			chromedp.WithPollingTimeout(browsertest.WaitTimeout))(ctx, t)
		if err != nil {
			return fmt.Errorf("the page did not settle: %w", err)
		}
		_, err = chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(() => true)`, func(p *runtime.EvaluateParams) {
			p.AwaitPromise = new(true)
		})(ctx, t)
		return err
	})
}

// showcase picks the demo candidate the recruiter sees with the fullest
// file (history, documents and placements), and a client of theirs.
func showcase(ctx context.Context, k *browsertest.Kluis) (kluis.Candidate, kluis.ID, error) {
	a := k.Actor(kluis.RoleRecruiter)
	cs, _, err := k.DB.ListCandidates(ctx, a, store.CandidateFilter{Page: kluis.Page{Limit: kluis.MaxPageSize}})
	if err != nil {
		return kluis.Candidate{}, 0, err
	}
	type scored struct {
		c      kluis.Candidate
		score  int
		client kluis.ID
	}
	var best *scored
	for _, c := range cs {
		if c.LastName == "" {
			continue
		}
		_, nm, err := k.DB.ListContactMoments(ctx, a, store.ContactMomentFilter{CandidateID: c.ID, Page: kluis.Page{Limit: 1}})
		if err != nil {
			return kluis.Candidate{}, 0, err
		}
		_, nd, err := k.DB.ListDocuments(ctx, a, store.DocumentFilter{CandidateID: c.ID, Page: kluis.Page{Limit: 1}})
		if err != nil {
			return kluis.Candidate{}, 0, err
		}
		ps, np, err := k.DB.ListPlacements(ctx, a, store.PlacementFilter{CandidateID: c.ID, Page: kluis.Page{Limit: 1}})
		if err != nil {
			return kluis.Candidate{}, 0, err
		}
		// Something in every tab first, then the most of it (up to a
		// screenful of history).
		score := 0
		for _, n := range []int{nm, nd, np} {
			if n > 0 {
				score += 1000
			}
		}
		score += min(nm, 12) + nd*3 + np*3
		if best == nil || score > best.score {
			best = &scored{c: c, score: score}
			if len(ps) > 0 {
				best.client = ps[0].ClientID
			}
		}
	}
	if best == nil {
		return kluis.Candidate{}, 0, errors.New("the demo set has no candidate to show")
	}
	if best.client == 0 {
		cl, _, err := k.DB.ListPlacements(ctx, a, store.PlacementFilter{Page: kluis.Page{Limit: 1}})
		if err != nil || len(cl) == 0 {
			return kluis.Candidate{}, 0, fmt.Errorf("no placement to take a client from: %v", err)
		}
		best.client = cl[0].ClientID
	}
	return best.c, best.client, nil
}

// keyPattern matches words shaped like the UI's message keys ("tab.history",
// "documents.size"): lower-case parts joined by dots, with no @ or file
// extension around them.
var keyPattern = regexp.MustCompile(`(?:^|[\s(>"'])([a-z]+(?:\.[a-z_]+)+)(?:$|[\s)<:"',])`)

var notKeys = []string{"kluis.test", "demo.kluis.test"}

func rawKeys(text string) []string {
	var out []string
	for _, m := range keyPattern.FindAllStringSubmatch(text, -1) {
		k := m[1]
		if slices.Contains(notKeys, k) || strings.HasSuffix(k, ".pdf") || strings.HasSuffix(k, ".png") ||
			strings.HasSuffix(k, ".jpg") || strings.HasSuffix(k, ".docx") || strings.HasSuffix(k, ".nl") {
			continue
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// consoleLog gathers the console errors and warnings of the tab.
type consoleLog struct {
	mu   sync.Mutex
	msgs []string
}

func (c *consoleLog) listen(ev any) {
	var m string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError && e.Type != runtime.ConsoleAPICalledTypeWarning {
			return
		}
		var parts []string
		for _, a := range e.Args {
			parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
		}
		m = string(e.Type) + ": " + strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		m = "exception: " + e.ExceptionDetails.Text
	case *log.EventEntryAdded:
		if e.Entry.Level != log.EntryLevelError && e.Entry.Level != log.EntryLevelWarning {
			return
		}
		if e.Entry.Source == log.EntrySourceNetwork && strings.Contains(e.Entry.Text, "422") {
			return // a form with mistakes answers 422: expected
		}
		m = fmt.Sprintf("%s (%s): %s %s", e.Entry.Level, e.Entry.Source, e.Entry.Text, e.Entry.URL)
	default:
		return
	}
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

// take returns the messages gathered since the last call.
func (c *consoleLog) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.msgs
	c.msgs = nil
	return out
}

// showcaseBreaches registers two breaches for the pictures of the
// register: one reported by a recruiter three and a half days ago and not
// decided yet (its clock red), and one of this morning with candidates
// linked and told by e-mail. It returns the first.
func showcaseBreaches(ctx context.Context, k *browsertest.Kluis) (kluis.ID, error) {
	po := k.Actor(kluis.RolePrivacy)
	late := &kluis.Breach{Title: "Laptop van de vestiging kwijt in de trein", DiscoveredAt: k.Clock.Now().Add(-84 * time.Hour),
		Facts:      "De laptop van de vestiging Utrecht is vrijdag in de intercity naar Amersfoort blijven liggen. NS gevonden voorwerpen heeft hem niet.",
		Categories: []string{"identity", "contact", "documents"}, AffectedCount: 120,
		Effects:  "De schijf is versleuteld, maar het wachtwoord stond op een briefje in de tas.",
		Measures: "Wachtwoorden van de medewerker gewijzigd; laptop op afstand gewist zodra hij online komt."}
	if err := k.DB.ReportBreach(ctx, k.Actor(kluis.RoleRecruiter), late); err != nil {
		return 0, err
	}
	fresh := &kluis.Breach{Title: "Cv's naar de verkeerde opdrachtgever gemaild", DiscoveredAt: k.Clock.Now().Add(-5 * time.Hour),
		Facts: "Een voorstel met drie cv's ging naar Kwekerij West in plaats van Kwekerij Oost.", Categories: []string{"identity", "contact", "employment"},
		Measures: "Kwekerij West heeft schriftelijk bevestigd de mail te hebben verwijderd.", Risk: "risk"}
	if err := k.DB.ReportBreach(ctx, po, fresh); err != nil {
		return 0, err
	}
	cs, _, err := k.DB.ListCandidates(ctx, po, store.CandidateFilter{Page: kluis.Page{Limit: 20}})
	if err != nil {
		return 0, err
	}
	var ids []kluis.ID
	for _, c := range cs {
		if c.LastName != "" && c.Email != "" && c.Restricted == "" && len(ids) < 3 {
			ids = append(ids, c.ID)
		}
	}
	if _, err := k.DB.LinkBreachCandidates(ctx, po, late.ID, ids); err != nil {
		return 0, err
	}
	if _, err := k.DB.LinkBreachCandidates(ctx, po, fresh.ID, ids); err != nil {
		return 0, err
	}
	if _, err := k.DB.NotifyBreachByEmail(ctx, po, fresh.ID, nil, "nl", "Uw cv is per ongeluk naar een andere opdrachtgever gestuurd. Die heeft de mail verwijderd."); err != nil {
		return 0, err
	}
	return late.ID, nil
}
