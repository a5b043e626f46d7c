package browsertest

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kluis/internal/auth"
	"kluis/internal/demo"
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

// logInWithCode logs in as the demo user with role r, whose role requires
// two-factor log-in: the password, then the code the demo's authenticator
// app would show at the server's time.
func (b *browser) logInWithCode(r kluis.Role) kluis.User {
	b.t.Helper()
	u := b.k.User(r)
	code, err := auth.TOTPCode(demo.TOTPSecret, b.k.Clock.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	b.do("log in as "+u.Email+" with a code",
		LogIn(b.k.URL, u.Email, testPassword),
		chromedp.WaitVisible(chromedp.ID("f-code")),
		chromedp.SendKeys(chromedp.ID("f-code"), code),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		LoggedIn(),
	)
	return u
}

func TestPayrollLogsInWithTheCodeFromTheApp(t *testing.T) {
	b := start(t)
	u := b.k.User(kluis.RolePayroll)

	// The right password leads to the code, and to nothing else yet.
	b.do("log in with the password",
		LogIn(b.k.URL, u.Email, testPassword),
		chromedp.WaitVisible(chromedp.ID("f-code")),
	)
	if n := run(b, "look for the top bar", chromedp.Evaluate[int](`document.querySelectorAll("header.top").length`)); n != 0 {
		t.Error("the code page shows the signed-in top bar")
	}
	b.do("try to open the candidates before the code",
		chromedp.Navigate(b.url("/candidates")),
		chromedp.WaitVisible(chromedp.ID("f-password")),
	)
	if loc, _ := url.Parse(run(b, "read the address", chromedp.Location())); loc.Path != "/login" {
		t.Errorf("before the code, /candidates led to %s, want the log-in page", loc)
	}

	// Back to the code page: the half-finished log-in is still there. A
	// wrong code is refused and says so.
	b.do("give a wrong code",
		chromedp.Navigate(b.url("/login/code")),
		chromedp.WaitVisible(chromedp.ID("f-code")),
		chromedp.SendKeys(chromedp.ID("f-code"), "000000"),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .alert[role=alert]`)),
		WaitText(`main .alert[role=alert]`, "klopt niet"),
	)
	code, err := auth.TOTPCode(demo.TOTPSecret, b.k.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.do("give the code the app shows",
		Clear("#f-code"),
		chromedp.SendKeys(chromedp.ID("f-code"), code),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		LoggedIn(),
		WaitText(`header.top .who .user`, u.Name),
	)
	if n := run(b, "look for the users in the menu", chromedp.Evaluate[int](`document.querySelectorAll('header.top nav a[href="/users"]').length`)); n != 0 {
		t.Error("payroll is offered the user management")
	}

	// The same code does not work twice, not even in a new log-in.
	b.do("log out and in again with the same code",
		chromedp.Click(chromedp.CSS(`header.top form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("f-email")),
		LogIn(b.k.URL, u.Email, testPassword),
		chromedp.WaitVisible(chromedp.ID("f-code")),
		chromedp.SendKeys(chromedp.ID("f-code"), code),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		WaitText(`main .alert[role=alert]`, "al gebruikt"),
	)
	// Half a minute later, the app's next code.
	b.k.Clock.Advance(30 * time.Second)
	next, _ := auth.TOTPCode(demo.TOTPSecret, b.k.Clock.Now())
	b.do("give the next code",
		Clear("#f-code"),
		chromedp.SendKeys(chromedp.ID("f-code"), next),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		LoggedIn(),
	)
}

func TestARecruiterSetsUpTwoStepVerificationWithTheQRCode(t *testing.T) {
	b := start(t)
	u := b.logIn(kluis.RoleRecruiter)
	b.do("open the set-up from the settings",
		chromedp.Navigate(b.url("/settings")),
		chromedp.Click(chromedp.CSS(`main a[href="/settings/2fa"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/settings/2fa/setup"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/settings/2fa/setup"] button`)),
		chromedp.WaitVisible(chromedp.ID("totp-secret")),
	)
	// The QR code is a PNG made by the server, inline: the CSP lets it
	// load, and it is drawn.
	if w := run(b, "measure the QR code", chromedp.Evaluate[int](`(() => { const i = document.querySelector("#setup .qr img"); return i && i.complete ? i.naturalWidth : 0; })()`)); w != 240 {
		t.Errorf("the QR code is %d pixels wide, want 240 (not loaded?)", w)
	}
	if msgs := b.console.matching("Content Security Policy", "Refused"); len(msgs) > 0 {
		t.Errorf("the set-up page breaks the CSP: %v", msgs)
	}
	secret := strings.ReplaceAll(run(b, "read the secret", chromedp.Text(chromedp.ID("totp-secret"))), " ", "")
	code, err := auth.TOTPCode(secret, b.k.Clock.Now())
	if err != nil {
		t.Fatalf("the secret shown (%q) is not one an app can use: %v", secret, err)
	}
	b.do("confirm with the app's first code",
		chromedp.SendKeys(chromedp.ID("f-code"), code),
		chromedp.Click(chromedp.CSS(`form[action="/settings/2fa/confirm"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("recovery-codes")),
	)
	if n := run(b, "count the recovery codes", chromedp.Evaluate[int](`document.querySelectorAll("#recovery-codes li").length`)); n != auth.RecoveryCodes {
		t.Errorf("%d recovery codes shown, want %d", n, auth.RecoveryCodes)
	}
	// From now on the log-in asks for the code.
	b.k.Clock.Advance(30 * time.Second)
	next, _ := auth.TOTPCode(secret, b.k.Clock.Now())
	b.do("log out and in again, with a code",
		chromedp.Click(chromedp.CSS(`header.top form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("f-email")),
		LogIn(b.k.URL, u.Email, testPassword),
		chromedp.WaitVisible(chromedp.ID("f-code")),
		chromedp.SendKeys(chromedp.ID("f-code"), next),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		LoggedIn(),
	)
}
