package browsertest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
)

func TestARecruiterLogsInAndSeesTheStartPage(t *testing.T) {
	b := start(t)
	u := b.k.User(kluis.RoleRecruiter)

	// A wrong password: the log-in page again, with the error, and the
	// e-mail address still filled in.
	b.do("log in with a wrong password",
		LogIn(b.k.URL, u.Email, "not-the-password"),
		chromedp.WaitVisible(chromedp.CSS(`main .alert[role=alert]`)),
		WaitText(`main .alert[role=alert]`, "wachtwoord"),
	)
	if got := run(b, "read the e-mail field", chromedp.Value(chromedp.ID("f-email"))); got != u.Email {
		t.Errorf("after the failed log-in the e-mail field holds %q, want %q", got, u.Email)
	}
	if got := run(b, "read the password field", chromedp.Value(chromedp.ID("f-password"))); got != "" {
		t.Error("after the failed log-in the password field still holds the password")
	}
	if n := run(b, "look for the top bar", chromedp.Evaluate[int](`document.querySelectorAll("header.top").length`)); n != 0 {
		t.Error("the failed log-in shows the signed-in top bar")
	}

	// The right password: the start page, greeting the user by name.
	b.do("log in with the right password",
		LogIn(b.k.URL, u.Email, testPassword),
		LoggedIn(),
		WaitText(`main h1`, u.Name),
		WaitText(`header.top .who .user`, u.Name),
	)
	loc, err := url.Parse(run(b, "read the address", chromedp.Location()))
	if err != nil || loc.Path != "/" {
		t.Errorf("after the log-in the browser is at %v, want the start page /", loc)
	}
	if cur := run(b, "read the active menu item", chromedp.Evaluate[string](
		`document.querySelector('header.top nav a[aria-current="page"]')?.getAttribute("href") ?? ""`)); cur != "/" {
		t.Errorf("the menu marks %q as the current page, want the start page", cur)
	}
	// The session cookie is HttpOnly: the page's scripts cannot read it.
	if js := run(b, "read document.cookie", chromedp.Evaluate[string](`document.cookie`)); strings.Contains(js, "kluis_session") {
		t.Errorf("the session cookie is readable from JavaScript: %q", js)
	}
}
