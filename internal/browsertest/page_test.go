package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

func TestKeyboardUsersCanReachTheSearch(t *testing.T) {
	b := start(t)
	c, typed := searchableCandidate(t, b.k)
	b.logIn(kluis.RoleRecruiter)
	b.open("/candidates", `#f-q`)

	// The first Tab on a fresh page lands on the skip link, which shows.
	b.do("press Tab", chromedp.KeyEvent("\t"), waitFocus("a.skip[href='#main']"), chromedp.WaitVisible(chromedp.CSS("a.skip")))
	// Enter on it moves the focus past the menu, to the main content.
	b.do("press Enter on the skip link", chromedp.KeyEvent("\r"), waitFocus("main#main"))

	// From there the search field is a few Tabs away (past the button for
	// a new candidate), and Enter in it searches.
	reached := false
	for i := 0; i < 3 && !reached; i++ {
		b.do("press Tab", chromedp.KeyEvent("\t"))
		reached = b.focused() == "input#f-q"
	}
	if !reached {
		t.Fatalf("three Tabs after the skip link the focus is on %s, not on the name search", b.focused())
	}
	b.do("type a name and press Enter",
		chromedp.KeyEvent(typed),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#results a[href="/candidates/%d"]`, c.ID))),
	)
	_, want, err := b.k.DB.ListCandidates(context.Background(), b.k.Actor(kluis.RoleRecruiter),
		store.CandidateFilter{Query: typed, Page: kluis.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	b.do("read the count of results", waitResultCount(want))
}

func TestTheCSPHoldsNoInlineScript(t *testing.T) {
	b := start(t)

	// The policy as sent: scripts from kluis itself only, no inline code.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := b.k.Get(ctx, "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy: %q, want script-src 'self' and nothing unsafe", csp)
	}

	// Every kind of page loads without a CSP complaint, with htmx running.
	c, typed := searchableCandidate(t, b.k)
	b.open("/login", "#f-email")
	b.do("wait for htmx on the log-in page", htmxLoaded())
	b.logIn(kluis.RoleRecruiter)
	b.do("wait for htmx on the start page", htmxLoaded())
	b.open("/candidates", "#f-q")
	b.do("search with htmx",
		htmxLoaded(),
		chromedp.SendKeys(chromedp.ID("f-q"), typed),
		chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#results a[href="/candidates/%d"]`, c.ID))),
	)
	b.open(fmt.Sprintf("/candidates/%d", c.ID), "#tabpanel")
	b.do("switch tabs with htmx",
		htmxLoaded(),
		chromedp.WaitVisible(chromedp.ID("h-person")),
		chromedp.Click(chromedp.CSS(`ul.tabs a[href$="/history"]`)),
		// The Personalia panel is swapped out for the Historie panel.
		chromedp.WaitNotPresent(chromedp.ID("h-person")),
		chromedp.WaitReady(chromedp.CSS("#tabpanel")),
	)
	b.open("/candidates/new", "#f-last_name")
	b.do("wait for htmx on the new-candidate form", htmxLoaded())

	if bad := b.console.matching("Content Security Policy", "Content-Security-Policy"); len(bad) > 0 {
		t.Errorf("the pages broke their own CSP:\n  %s", strings.Join(bad, "\n  "))
	}
	if bad := b.console.matching("exception:"); len(bad) > 0 {
		t.Errorf("the pages threw:\n  %s", strings.Join(bad, "\n  "))
	}

	// And the check above can see a violation: an inline script that a
	// page would get injected is refused and reported.
	b.do("inject an inline script", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.createElement("script");
		s.textContent = "window.kluisInjected = true";
		document.head.appendChild(s);
	})()`))
	wctx, wcancel := context.WithTimeout(b.ctx, WaitTimeout)
	defer wcancel()
	if _, err := b.console.waitFor(wctx, "Content Security Policy"); err != nil {
		t.Errorf("no CSP violation was reported for an injected inline script: %v\nconsole: %q", err, b.console.all())
	}
	if ran := run(b, "read what the inline script set", chromedp.Evaluate[bool](`window.kluisInjected === true`)); ran {
		t.Error("an injected inline script ran")
	}
}

// htmxLoaded waits until htmx (a deferred script) has run on the page.
func htmxLoaded() Action {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`typeof htmx === "object" && typeof htmx.version === "string"`,
			chromedp.WithPollingTimeout(WaitTimeout))(ctx, t)
		if err != nil {
			return fmt.Errorf("htmx is not loaded: %w", err)
		}
		return nil
	})
}
