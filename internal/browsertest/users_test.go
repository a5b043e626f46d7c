package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
)

// acceptConfirms answers the confirmation the page asks (data-confirm)
// with OK, and keeps the question in the tab's session storage, which
// outlives the page.
func acceptConfirms() Action {
	return chromedp.Evaluate[chromedp.Void](`window.confirm = (m) => { sessionStorage.setItem("kluisConfirmed", m); return true; }`)
}

func TestTheAdministratorResetsAPassword(t *testing.T) {
	b := start(t)
	b.logInWithCode(kluis.RoleAdmin)
	rec := b.k.User(kluis.RoleRecruiter)

	// Gebruikers, in the menu, lists the users; the recruiter's page has
	// the reset.
	b.do("open the users",
		chromedp.Click(chromedp.CSS(`header.top nav a[href="/users"]`)),
		WaitText(`main h1`, "Gebruikers"),
		WaitText(`main table`, rec.Email),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`main table a[href="/users/%d"]`, rec.ID))),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/password"] button`)),
		acceptConfirms(),
		chromedp.Click(chromedp.CSS(`form[action$="/password"] button`)),
		chromedp.WaitVisible(chromedp.ID("one-time-password")),
	)
	asked := run(b, "read the confirmation asked", chromedp.Evaluate[string](`sessionStorage.getItem("kluisConfirmed") || ""`))
	if !strings.Contains(asked, "eenmalig wachtwoord") {
		t.Errorf("the reset asked %q, want a confirmation", asked)
	}
	password := strings.TrimSpace(run(b, "read the one-time password", chromedp.Text(chromedp.ID("one-time-password"))))
	if len(password) != 19 {
		t.Fatalf("the one-time password shown is %q", password)
	}
	acc, err := b.k.DB.Account(context.Background(), b.k.Demo.Tenant.ID, rec.ID)
	if err != nil || !acc.MustChangePassword {
		t.Fatalf("after the reset the recruiter need not choose a password: %+v %v", acc, err)
	}

	// The recruiter's old password no longer works; the one-time password
	// leads to the page to choose one's own, and nowhere else.
	b.do("log out; the recruiter logs in with the old password",
		chromedp.Click(chromedp.CSS(`header.top form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("f-email")),
		LogIn(b.k.URL, rec.Email, testPassword),
		WaitText(`main .alert[role=alert]`, "niet gelukt"),
	)
	const mine = "mijn eigen lange wachtwoord"
	b.do("log in with the one-time password",
		LogIn(b.k.URL, rec.Email, password),
		chromedp.WaitVisible(chromedp.ID("f-new")),
		chromedp.Navigate(b.url("/candidates")),
		chromedp.WaitVisible(chromedp.ID("f-new")),
	)
	if n := run(b, "look for the top bar", chromedp.Evaluate[int](`document.querySelectorAll("header.top").length`)); n != 0 {
		t.Error("the page to choose a password has the menu")
	}
	b.do("choose a password that is too short",
		chromedp.SendKeys(chromedp.ID("f-new"), "kort"),
		chromedp.SendKeys(chromedp.ID("f-repeat"), "kort"),
		chromedp.Click(chromedp.CSS(`main form[action="/settings/password"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("e-new")),
	)
	b.do("choose a good one",
		chromedp.SendKeys(chromedp.ID("f-new"), mine),
		chromedp.SendKeys(chromedp.ID("f-repeat"), mine),
		chromedp.Click(chromedp.CSS(`main form[action="/settings/password"] button[type=submit]`)),
		LoggedIn(),
		WaitText(`main .flash`, "gewijzigd"),
	)
	b.do("log out and in with the own password",
		chromedp.Click(chromedp.CSS(`header.top form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("f-email")),
		LogIn(b.k.URL, rec.Email, mine),
		LoggedIn(),
	)
}
