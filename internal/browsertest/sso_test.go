package browsertest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kluis/internal/auth"
	"kluis/internal/demo"
	"kluis/internal/kluis"
	"kluis/internal/oidctest"
	"kluis/internal/store"
)

// TestStaffLogInWithTheirWorkAccount sets the demo agency up with an
// OpenID Connect provider on a loopback port, clicks "Inloggen met uw
// werkaccount" and lands logged in; a payroll user whose provider showed one
// factor gives kluis's code after it.
func TestStaffLogInWithTheirWorkAccount(t *testing.T) {
	b := start(t)
	idp, err := oidctest.New("kluis-browsertest", "geheim-van-de-browsertest", b.k.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	if _, err := b.k.DB.SaveSSO(context.Background(), b.k.Actor(kluis.RoleAdmin), store.SSOChange{Enabled: true, IssuerURL: idp.URL,
		ClientID: "kluis-browsertest", ClientSecret: "geheim-van-de-browsertest", PasswordLogin: true}, 0); err != nil {
		t.Fatal(err)
	}

	u := b.k.User(kluis.RoleRecruiter)
	idp.Next(oidctest.Identity{Email: u.Email, EmailVerified: true, AMR: []string{"pwd"}})
	b.do("click the work-account button",
		chromedp.Navigate(b.url("/login")),
		WaitText("#sso-login", "Inloggen met uw werkaccount"),
		chromedp.Click(chromedp.ID("sso-login")),
		LoggedIn(),
		WaitText(`header.top .who .user`, u.Name),
	)
	if loc, err := url.Parse(run(b, "read the address", chromedp.Location())); err != nil || loc.Path != "/" {
		t.Errorf("after the log-in the browser is at %v, want the start page", loc)
	}
	if js := run(b, "read document.cookie", chromedp.Evaluate[string](`document.cookie`)); strings.Contains(js, "kluis_") {
		t.Errorf("a log-in cookie is readable from JavaScript: %q", js)
	}
	if idp.Exchanges() != 1 {
		t.Errorf("%d codes redeemed, want 1", idp.Exchanges())
	}

	// Payroll, with one factor at the provider: the code from the app next.
	p := b.k.User(kluis.RolePayroll)
	idp.Next(oidctest.Identity{Email: p.Email, EmailVerified: true, AMR: []string{"pwd"}})
	code, err := auth.TOTPCode(demo.TOTPSecret, b.k.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.do("log out, and in as payroll with the work account and the code",
		chromedp.Click(chromedp.CSS(`header.top form[action="/logout"] button`)),
		WaitText("#sso-login", "Inloggen met uw werkaccount"),
		chromedp.Click(chromedp.ID("sso-login")),
		chromedp.WaitVisible(chromedp.ID("f-code")),
		chromedp.SendKeys(chromedp.ID("f-code"), code),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		LoggedIn(),
		WaitText(`header.top .who .user`, p.Name),
	)
	if log := b.k.Log.String(); strings.Contains(log, u.Email) || strings.Contains(log, p.Email) {
		t.Error("the server log holds an e-mail address")
	}
}
