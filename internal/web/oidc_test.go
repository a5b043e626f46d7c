package web

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"kluis/internal/auth"
	"kluis/internal/kluis"
	"kluis/internal/oidctest"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

const (
	ssoClientID     = "kluis-test-client"
	ssoClientSecret = "geheim~van-de_client.4711"
)

// ssoEnv is a running kluis whose agency logs in with a loopback OpenID
// Connect provider, with the server's log kept.
type ssoEnv struct {
	*clientUIEnv
	idp   *oidctest.Provider
	log   *syncBuffer
	admin kluis.Actor
}

func newSSOEnv(t *testing.T, e *storetest.Env) *ssoEnv {
	t.Helper()
	log := &syncBuffer{}
	h, err := New(e.DB, slog.New(slog.NewJSONHandler(log, nil)), e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	idp, err := oidctest.New(ssoClientID, ssoClientSecret, e.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	x := &ssoEnv{clientUIEnv: &clientUIEnv{Env: e, srv: srv, web: h, browser: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}, idp: idp, log: log}
	admin := x.user(t, "Beheer", kluis.RoleAdmin)
	x.admin = kluis.ActorFor(admin)
	x.admin.TenantID = e.Tenant.ID
	x.setSSO(t, true)
	return x
}

// setSSO sets the agency up with the test provider.
func (x *ssoEnv) setSSO(t *testing.T, passwords bool) {
	t.Helper()
	cur, err := x.DB.SSO(context.Background(), x.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.DB.SaveSSO(context.Background(), x.admin, store.SSOChange{Enabled: true, IssuerURL: x.idp.URL, ClientID: ssoClientID,
		ClientSecret: ssoClientSecret, PasswordLogin: passwords}, cur.Version); err != nil {
		t.Fatal(err)
	}
}

// start asks kluis to log in with the work account, as the button does.
func (x *ssoEnv) start(t *testing.T) answer {
	t.Helper()
	a := x.send(t, "GET", "/login/oidc?tenant="+x.Tenant.Slug+"&next=%2Fclients", nil, nil).expect(t, http.StatusSeeOther)
	if !strings.HasPrefix(a.location, x.idp.URL+"/authorize?") || a.cookies[ssoCookie] == nil {
		t.Fatalf("the start of an SSO log-in: to %q, cookies %v", a.location, a.cookies)
	}
	return a
}

// atProvider follows the browser to the provider, where who signs in, and
// returns where the provider sends it back to: kluis's callback, as a path.
func (x *ssoEnv) atProvider(t *testing.T, authorize string, who oidctest.Identity) string {
	t.Helper()
	x.idp.Next(who)
	res, err := x.browser.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(back, x.srv.URL+"/login/oidc/callback?") {
		t.Fatalf("the provider answered %d to %q", res.StatusCode, back)
	}
	return strings.TrimPrefix(back, x.srv.URL)
}

// logIn goes the whole way: the button, the provider, the callback.
func (x *ssoEnv) logIn(t *testing.T, who oidctest.Identity) answer {
	t.Helper()
	start := x.start(t)
	back := x.atProvider(t, start.location, who)
	return x.send(t, "GET", back, nil, map[string]string{ssoCookie: start.cookies[ssoCookie].Value})
}

// noSession fails when an answer starts a session.
func noSession(t *testing.T, a answer) {
	t.Helper()
	if c := a.cookies[sessionCookie]; c != nil && c.Value != "" {
		t.Errorf("a session began: %+v", c)
	}
}

// clean fails when the server log holds an e-mail address or a value of
// the log-in's secrets.
func (x *ssoEnv) clean(t *testing.T, values ...string) {
	t.Helper()
	log := x.log.String()
	if strings.Contains(log, "@") {
		t.Errorf("the server log holds an e-mail address:\n%s", log)
	}
	for _, v := range values {
		if v != "" && strings.Contains(log, v) {
			t.Errorf("the server log holds %q", v)
		}
	}
}

func TestAUserLogsInWithTheirWorkAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		x := newSSOEnv(t, e)
		ctx := context.Background()
		lotte := x.user(t, "Lotte", kluis.RoleRecruiter)

		// The log-in page of the only agency offers the button.
		page := x.send(t, "GET", "/login", nil, nil).expect(t, http.StatusOK)
		if !page.has("nl", "login.sso.button") || !strings.Contains(page.body, `href="/login/oidc?tenant=test-bureau"`) {
			t.Fatalf("the log-in page:\n%s", page.body)
		}

		// To the provider: the code flow with PKCE, state and nonce, and a
		// cookie of its own that reaches only the SSO log-in.
		start := x.start(t)
		q, _ := url.Parse(start.location)
		want := url.Values{"client_id": {ssoClientID}, "response_type": {"code"}, "scope": {"openid email"},
			"code_challenge_method": {"S256"}, "redirect_uri": {x.srv.URL + "/login/oidc/callback"}}
		for k, v := range want {
			if got := q.Query().Get(k); got != v[0] {
				t.Errorf("the authorization asks %s=%q, want %q", k, got, v[0])
			}
		}
		for _, k := range []string{"state", "nonce", "code_challenge"} {
			if len(q.Query().Get(k)) < 40 {
				t.Errorf("the authorization's %s is %q", k, q.Query().Get(k))
			}
		}
		c := start.cookies[ssoCookie]
		if c.Path != "/login/oidc" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge != int(store.SSOLoginTTL.Seconds()) {
			t.Errorf("the SSO cookie: %+v", c)
		}

		// Back with the code: the user by their verified address (in other
		// letters), a session, the page asked for.
		back := x.atProvider(t, start.location, oidctest.Identity{Email: "LOTTE@test.kluis.test", EmailVerified: true})
		done := x.send(t, "GET", back, nil, map[string]string{ssoCookie: c.Value}).expect(t, http.StatusSeeOther)
		if done.location != "/clients" || done.cookies[sessionCookie] == nil || done.cookies[sessionCookie].Value == "" {
			t.Fatalf("after the callback: to %q, cookies %v", done.location, done.cookies)
		}
		if gone := done.cookies[ssoCookie]; gone == nil || gone.MaxAge >= 0 {
			t.Error("the SSO cookie is not cleared")
		}
		x.get(t, done.cookies[sessionCookie].Value, "/clients").expect(t, http.StatusOK)
		if a, _ := x.DB.Account(ctx, x.Tenant.ID, lotte.ID); a.LastLoginAt == nil {
			t.Error("the log-in is not noted on the account")
		}
		entries, _, err := x.DB.AuditLog(ctx, x.admin, store.AuditFilter{Action: "login", UserID: lotte.ID, Page: kluis.Page{Limit: 5}})
		if err != nil || len(entries) != 1 {
			t.Errorf("%d log-in entries in the audit log (%v), want 1", len(entries), err)
		}
		if !strings.Contains(x.log.String(), `"method":"oidc"`) {
			t.Errorf("the log-in is not in the server log:\n%s", x.log.String())
		}

		// The same answer of the provider again: refused, nothing redeemed.
		replay := x.send(t, "GET", back, nil, map[string]string{ssoCookie: c.Value}).expect(t, http.StatusBadRequest)
		noSession(t, replay)
		if !replay.has("nl", "login.sso.expired") || x.idp.Exchanges() != 1 {
			t.Errorf("a replayed state: %d exchanges\n%s", x.idp.Exchanges(), replay.body)
		}
		cb, _ := url.Parse(back)
		x.clean(t, cb.Query().Get("code"), cb.Query().Get("state"), c.Value)

		// Microsoft Entra ID sends no email_verified for a work account, but
		// xms_edov when the app registration asks for it.
		entra := x.logIn(t, oidctest.Identity{Email: lotte.Email, NoEmailVerified: true, DomainOwnerVerified: true})
		if entra.status != http.StatusSeeOther || entra.location != "/clients" {
			t.Errorf("a log-in through Entra ID: %d to %q\n%s", entra.status, entra.location, entra.body)
		}
	})
}

func TestAnSSOLogInIsRefusedWhenAnythingIsWrong(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		x := newSSOEnv(t, e)
		ctx := context.Background()
		x.user(t, "Lotte", kluis.RoleRecruiter)
		locked := x.user(t, "Bram", kluis.RoleRecruiter)
		for range auth.LockAfter {
			if _, err := x.DB.LoginFailed(ctx, x.Tenant.ID, locked.ID); err != nil {
				t.Fatal(err)
			}
		}
		koppeling := &kluis.User{Email: "koppeling@test.kluis.test", Role: kluis.RoleIntegration}
		if err := x.DB.CreateUser(ctx, x.Tenant.ID, koppeling); err != nil {
			t.Fatal(err)
		}
		otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		lotte := oidctest.Identity{Email: "lotte@test.kluis.test", EmailVerified: true}
		with := func(f func(*oidctest.Identity)) oidctest.Identity { id := lotte; f(&id); return id }
		for _, tc := range []struct {
			name   string
			who    oidctest.Identity
			tamper func(back string, cookie string) (string, map[string]string)
			status int
			key    string
			reason string
			// again is the answer to the browser that started the log-in
			// coming back afterwards: refused, unless the refused request
			// was not its own.
			again int
		}{
			{name: "a wrong state", who: lotte, status: http.StatusBadRequest, key: "login.sso.expired", reason: "state",
				tamper: func(back, cookie string) (string, map[string]string) {
					u, _ := url.Parse(back)
					q := u.Query()
					q.Set("state", "not-the-state-kluis-sent")
					u.RawQuery = q.Encode()
					return u.String(), map[string]string{ssoCookie: cookie}
				}},
			{name: "another browser (no cookie)", who: lotte, status: http.StatusBadRequest, key: "login.sso.expired", reason: "state",
				tamper: func(back, _ string) (string, map[string]string) { return back, nil }, again: http.StatusSeeOther},
			{name: "a wrong nonce", who: with(func(i *oidctest.Identity) { i.Nonce = "another-nonce" }), status: http.StatusUnauthorized,
				key: "login.sso.failed", reason: "nonce"},
			{name: "an expired token", who: with(func(i *oidctest.Identity) { i.Lifetime = -time.Minute }), status: http.StatusUnauthorized,
				key: "login.sso.failed", reason: "token-expired"},
			{name: "a token for another application", who: with(func(i *oidctest.Identity) { i.Audience = "another-application" }),
				status: http.StatusUnauthorized, key: "login.sso.failed", reason: "token-invalid"},
			{name: "a token of another issuer", who: with(func(i *oidctest.Identity) { i.Issuer = "https://idp.example.nl" }),
				status: http.StatusUnauthorized, key: "login.sso.failed", reason: "token-invalid"},
			{name: "a token signed with another key", who: with(func(i *oidctest.Identity) { i.SignWith = otherKey }),
				status: http.StatusUnauthorized, key: "login.sso.failed", reason: "token-invalid"},
			{name: "an unverified e-mail address", who: with(func(i *oidctest.Identity) { i.EmailVerified = false }),
				status: http.StatusUnauthorized, key: "login.sso.unverified", reason: "email-unverified"},
			{name: "neither email_verified nor xms_edov", who: with(func(i *oidctest.Identity) { i.EmailVerified, i.NoEmailVerified = false, true }),
				status: http.StatusUnauthorized, key: "login.sso.unverified", reason: "email-unverified"},
			{name: "an unknown e-mail address", who: with(func(i *oidctest.Identity) { i.Email = "onbekend@test.kluis.test" }),
				status: http.StatusUnauthorized, key: "login.sso.unknown", reason: "unknown-email"},
			{name: "a log-in denied at the provider", who: with(func(i *oidctest.Identity) { i.Deny = true }),
				status: http.StatusUnauthorized, key: "login.sso.failed", reason: "idp-error"},
			{name: "a locked account", who: with(func(i *oidctest.Identity) { i.Email = locked.Email }),
				status: http.StatusUnauthorized, key: "login.sso.refused", reason: "locked"},
			{name: "an integration", who: with(func(i *oidctest.Identity) { i.Email = koppeling.Email }),
				status: http.StatusUnauthorized, key: "login.sso.refused", reason: "no-interactive-log-in"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := len(x.log.String())
				start := x.start(t)
				back := x.atProvider(t, start.location, tc.who)
				cookies := map[string]string{ssoCookie: start.cookies[ssoCookie].Value}
				if tc.tamper != nil {
					back, cookies = tc.tamper(back, cookies[ssoCookie])
				}
				a := x.send(t, "GET", back, nil, cookies).expect(t, tc.status)
				noSession(t, a)
				if !a.has("nl", tc.key) {
					t.Errorf("the page does not say %s:\n%s", tc.key, a.body)
				}
				if !strings.Contains(x.log.String()[before:], `"reason":"`+tc.reason+`"`) {
					t.Errorf("the log does not give the reason %s:\n%s", tc.reason, x.log.String()[before:])
				}
				// Nothing of this log-in can be used again; a request without
				// its cookie could not use it up.
				if tc.again == 0 {
					tc.again = http.StatusBadRequest
				}
				if again := x.send(t, "GET", back, nil, map[string]string{ssoCookie: start.cookies[ssoCookie].Value}); again.status != tc.again {
					t.Errorf("the browser that started the log-in, again: %d, want %d", again.status, tc.again)
				}
			})
		}
		x.clean(t)
		// The refusals are in English for a log-in that began in English.
		start := x.send(t, "GET", "/login/oidc?tenant="+x.Tenant.Slug+"&lang=en", nil, nil).expect(t, http.StatusSeeOther)
		back := x.atProvider(t, start.location, with(func(i *oidctest.Identity) { i.Email = "onbekend@test.kluis.test" }))
		if a := x.send(t, "GET", back, nil, map[string]string{ssoCookie: start.cookies[ssoCookie].Value}); !a.has("en", "login.sso.unknown") {
			t.Errorf("the English refusal:\n%s", a.body)
		}
	})
}

func TestTheProvidersSecondFactorStandsForKluissOwn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		x := newSSOEnv(t, e)
		ctx := context.Background()
		pien := &kluis.User{Email: "pien@test.kluis.test", Name: "Pien", Role: kluis.RolePayroll, BranchID: x.Branch.ID}
		if err := x.DB.CreateUser(ctx, x.Tenant.ID, pien); err != nil {
			t.Fatal(err)
		}
		secret := mustSetUpTOTP(t, x.DB, x.Tenant.ID, pien.ID)
		// The administrator gave her a one-time password she never used:
		// it lapses with her first SSO log-in, also on the way through the
		// code, and she is not asked to replace it.
		acc, _ := x.DB.Account(ctx, x.Tenant.ID, pien.ID)
		if err := x.DB.ResetPassword(ctx, x.admin, pien.ID, acc.Version, "argon2id-hash-van-een-eenmalig-wachtwoord"); err != nil {
			t.Fatal(err)
		}
		who := func(amr ...string) oidctest.Identity {
			return oidctest.Identity{Email: pien.Email, EmailVerified: true, AMR: amr}
		}

		// One factor at the provider: payroll gives kluis's code, as after a
		// password, and there is no session until then.
		for _, amr := range [][]string{nil, {"pwd"}, {"otp"}} {
			half := x.logIn(t, who(amr...)).expect(t, http.StatusSeeOther)
			noSession(t, half)
			if half.location != "/login/code?next=%2Fclients" || half.cookies[loginCookie] == nil {
				t.Fatalf("amr %v: to %q, cookies %v", amr, half.location, half.cookies)
			}
			x.Clock.Advance(30 * time.Second) // a code works once
			code, _ := auth.TOTPCode(secret, x.Clock.Now())
			ok := x.send(t, "POST", "/login/code", url.Values{"code": {code}, "next": {"/clients"}},
				map[string]string{loginCookie: half.cookies[loginCookie].Value}).expect(t, http.StatusSeeOther)
			if ok.location != "/clients" || ok.cookies[sessionCookie] == nil {
				t.Fatalf("amr %v, after the code: to %q", amr, ok.location)
			}
			x.get(t, ok.cookies[sessionCookie].Value, "/clients").expect(t, http.StatusOK)
		}
		if a, _ := x.DB.Account(ctx, x.Tenant.ID, pien.ID); a.MustChangePassword || a.PasswordHash != "" {
			t.Errorf("the unused one-time password did not lapse: %+v", a)
		}
		// More than one factor at the provider: no code.
		for _, amr := range [][]string{{"pwd", "mfa"}, {"mfa"}, {"pwd", "otp"}, {"hwk", "pin"}} {
			in := x.logIn(t, who(amr...)).expect(t, http.StatusSeeOther)
			if in.location != "/clients" || in.cookies[sessionCookie] == nil {
				t.Fatalf("amr %v: to %q, cookies %v", amr, in.location, in.cookies)
			}
			x.get(t, in.cookies[sessionCookie].Value, "/clients").expect(t, http.StatusOK)
		}

		// A payroll user without kluis's two-step verification: with the
		// provider's second factor they work; without it they set kluis's
		// up before anything else.
		sam := &kluis.User{Email: "sam@test.kluis.test", Name: "Sam", Role: kluis.RolePayroll, BranchID: x.Branch.ID}
		if err := x.DB.CreateUser(ctx, x.Tenant.ID, sam); err != nil {
			t.Fatal(err)
		}
		in := x.logIn(t, oidctest.Identity{Email: sam.Email, EmailVerified: true, AMR: []string{"mfa"}}).expect(t, http.StatusSeeOther)
		x.get(t, in.cookies[sessionCookie].Value, "/clients").expect(t, http.StatusOK)
		in = x.logIn(t, oidctest.Identity{Email: sam.Email, EmailVerified: true, AMR: []string{"pwd"}}).expect(t, http.StatusSeeOther)
		if gated := x.get(t, in.cookies[sessionCookie].Value, "/clients"); gated.status != http.StatusSeeOther || gated.location != "/settings/2fa" {
			t.Errorf("one factor, no kluis code set up: %d to %q", gated.status, gated.location)
		}
	})
}

func TestSecondFactorReadsTheAuthenticationMethods(t *testing.T) {
	for _, tc := range []struct {
		amr  []string
		want bool
	}{
		{nil, false}, {[]string{"pwd"}, false}, {[]string{"otp"}, false}, {[]string{"pwd", "pwd"}, false},
		{[]string{"pwd", "kba"}, false}, {[]string{"mfa"}, true}, {[]string{"pwd", "mfa"}, true},
		{[]string{"pwd", "otp"}, true}, {[]string{"hwk", "pin"}, true}, {[]string{"swk", "face"}, true},
	} {
		if got := secondFactor(tc.amr); got != tc.want {
			t.Errorf("amr %v: second factor %v, want %v", tc.amr, got, tc.want)
		}
	}
	var c ssoClaims
	if err := json.Unmarshal([]byte(`{"email_verified":"true","amr":"mfa"}`), &c); err != nil || !c.verified() || c.AMR != nil {
		t.Errorf("claims of an off-spec provider: %+v, %v", c, err)
	}
}

func TestAVerifiedAddressIsEmailVerifiedOrEntrasDomainOwnerVerified(t *testing.T) {
	for _, tc := range []struct {
		claims string
		want   bool
	}{
		{`{}`, false},
		{`{"email_verified":true}`, true},
		{`{"email_verified":false}`, false},
		{`{"email_verified":"false"}`, false},
		{`{"email_verified":null}`, false},
		{`{"xms_edov":true}`, true},
		{`{"xms_edov":"1"}`, true},
		{`{"xms_edov":false}`, false},
		{`{"email_verified":false,"xms_edov":true}`, false},
	} {
		var c ssoClaims
		if err := json.Unmarshal([]byte(tc.claims), &c); err != nil {
			t.Fatal(err)
		}
		if c.verified() != tc.want {
			t.Errorf("%s: verified %v, want %v", tc.claims, !tc.want, tc.want)
		}
	}
}

func TestPasswordsCanBeSwitchedOffExceptForAdministrators(t *testing.T) {
	x := newSSOEnv(t, storetest.Open(t, store.SQLite))
	lotte := x.user(t, "Lotte", kluis.RoleRecruiter)
	x.withPassword(t, lotte, testPW)
	admin := x.user(t, "Baas", kluis.RoleAdmin)
	x.withPassword(t, admin, testPW)

	// Passwords allowed next to SSO: the password works.
	x.logIn(t, oidctest.Identity{Email: lotte.Email, EmailVerified: true}).expect(t, http.StatusSeeOther)
	if a := x.clientUIEnv.logIn(t, lotte.Email, testPW); a.status != http.StatusSeeOther || a.location != "/clients" {
		t.Fatalf("a password next to SSO: %d to %q", a.status, a.location)
	}

	x.setSSO(t, false)
	page := x.send(t, "GET", "/login", nil, nil).expect(t, http.StatusOK)
	if !page.has("nl", "login.sso.adminsonly") || !page.has("nl", "login.sso.adminform") {
		t.Errorf("the log-in page with passwords off:\n%s", page.body)
	}
	// The right password of a recruiter is no way in; it says so.
	refused := x.clientUIEnv.logIn(t, lotte.Email, testPW).expect(t, http.StatusForbidden)
	noSession(t, refused)
	if !refused.has("nl", "login.sso.only") || !strings.Contains(refused.body, `id="sso-login"`) {
		t.Errorf("a password with passwords off:\n%s", refused.body)
	}
	// A wrong one gets the one answer of every failure, and counts.
	x.clientUIEnv.logIn(t, lotte.Email, "niet het wachtwoord van lotte").expect(t, http.StatusUnauthorized)
	if a, _ := x.DB.Account(context.Background(), x.Tenant.ID, lotte.ID); a.FailedLogins != 1 {
		t.Errorf("%d failures counted, want 1", a.FailedLogins)
	}
	// The administrator keeps a way in with a password (and the code).
	if a := x.clientUIEnv.logIn(t, admin.Email, testPW); a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/login/code") {
		t.Errorf("the administrator's password: %d to %q", a.status, a.location)
	}
	// SSO still works.
	if a := x.logIn(t, oidctest.Identity{Email: lotte.Email, EmailVerified: true}); a.location != "/clients" {
		t.Errorf("SSO with passwords off: %d to %q", a.status, a.location)
	}
}

func TestTheLogInPageOffersSSOOnlyForItsAgency(t *testing.T) {
	x := newSSOEnv(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	other, _, err := x.DB.CreateTenant(ctx, "ander-bureau", "Ander Bureau", "Zwolle", "Zwolle")
	if err != nil {
		t.Fatal(err)
	}
	// Two agencies: the bare page cannot know which; the agency's own can.
	if p := x.get(t, "", "/login"); p.has("nl", "login.sso.button") {
		t.Error("the bare log-in page of two agencies offers SSO")
	}
	p := x.get(t, "", "/login?tenant=test-bureau&next=%2Fclients")
	if !strings.Contains(p.body, `href="/login/oidc?next=%2Fclients&amp;tenant=test-bureau"`) || !strings.Contains(p.body, `name="tenant" value="test-bureau"`) {
		t.Errorf("the agency's log-in page:\n%s", p.body)
	}
	if p := x.get(t, "", "/login?tenant=ander-bureau"); p.has("nl", "login.sso.button") {
		t.Error("an agency without SSO is offered it")
	}
	// Starting it there anyway is refused without a trip to a provider.
	if a := x.get(t, "", "/login/oidc?tenant=ander-bureau"); a.status != http.StatusNotFound || !a.has("nl", "login.sso.unavailable") {
		t.Errorf("SSO of an agency without it: %d", a.status)
	}
	// Switched off, the button goes.
	if _, err := x.DB.SaveSSO(ctx, x.admin, store.SSOChange{IssuerURL: x.idp.URL, ClientID: ssoClientID, PasswordLogin: true}, 1); err != nil {
		t.Fatal(err)
	}
	if p := x.get(t, "", "/login?tenant=test-bureau"); p.has("nl", "login.sso.button") {
		t.Error("SSO switched off is still offered")
	}
	// A user of the other agency with the same address is not this one's.
	if err := x.DB.CreateUser(ctx, other.ID, &kluis.User{Email: "wim@test.kluis.test", Name: "Wim", Role: kluis.RoleRecruiter}); err != nil {
		t.Fatal(err)
	}
	x.setSSO(t, true)
	if a := x.logIn(t, oidctest.Identity{Email: "wim@test.kluis.test", EmailVerified: true}); a.status != http.StatusUnauthorized || !a.has("nl", "login.sso.unknown") {
		t.Errorf("a user of another agency: %d", a.status)
	}
}

func TestTheAdministratorSetsUpSSO(t *testing.T) {
	x := newSSOEnv(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	// Start from nothing.
	if _, err := x.DB.SaveSSO(ctx, x.admin, store.SSOChange{PasswordLogin: true}, 1); err != nil {
		t.Fatal(err)
	}
	admin := x.session(t, x.admin.UserID)
	recruiter := x.session(t, x.user(t, "Lotte", kluis.RoleRecruiter).ID)
	if p := x.get(t, admin, "/settings"); !strings.Contains(p.body, `href="/settings/sso"`) {
		t.Error("the settings page does not link the administrator to SSO")
	}
	if p := x.get(t, recruiter, "/settings"); strings.Contains(p.body, `href="/settings/sso"`) {
		t.Error("a recruiter is offered the SSO set-up")
	}
	x.get(t, recruiter, "/settings/sso").expect(t, http.StatusForbidden)
	x.post(t, recruiter, "/settings/sso", url.Values{"version": {"2"}}).expect(t, http.StatusForbidden)

	page := x.get(t, admin, "/settings/sso").expect(t, http.StatusOK)
	if !strings.Contains(page.body, x.srv.URL+"/login/oidc/callback") || !page.has("nl", "sso.secret.unset") ||
		!strings.Contains(page.body, x.srv.URL+"/login?tenant=test-bureau") {
		t.Fatalf("the SSO page:\n%s", page.body)
	}
	form := func(issuer, client, secret string) url.Values {
		return url.Values{"enabled": {"on"}, "issuer_url": {issuer}, "client_id": {client}, "client_secret": {secret},
			"password_login": {"on"}, "version": {"2"}}
	}
	// Every wrong field is said at its field; the typed secret does not
	// come back; nothing is saved.
	bad := x.post(t, admin, "/settings/sso", form("http://idp.example.nl", "twee woorden", ssoClientSecret)).expect(t, http.StatusUnprocessableEntity)
	for _, f := range []string{"issuer_url", "client_id", "client_secret"} {
		if clientFieldError(bad.body, f) == "" {
			t.Errorf("no error at %s:\n%s", f, bad.body)
		}
	}
	if strings.Contains(bad.body, ssoClientSecret) || !strings.Contains(bad.body, `value="twee woorden"`) {
		t.Error("the refused form shows the secret, or lost what was typed")
	}
	missing := x.post(t, admin, "/settings/sso", url.Values{"enabled": {"on"}, "version": {"2"}}).expect(t, http.StatusUnprocessableEntity)
	for _, f := range []string{"issuer_url", "client_id", "client_secret"} {
		if clientFieldError(missing.body, f) == "" {
			t.Errorf("SSO on without %s: no error", f)
		}
	}
	// An address where no provider answers is said at once.
	nowhere := x.post(t, admin, "/settings/sso", form(x.idp.URL+"/geen-provider", ssoClientID, ssoClientSecret)).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(nowhere.body, "issuer_url") != text("nl", "sso.idp.unreachable") {
		t.Errorf("no provider at the address:\n%s", nowhere.body)
	}
	if s, _ := x.DB.SSO(ctx, x.Tenant.ID); s.Version != 2 || s.Enabled {
		t.Fatalf("a refused form saved: %+v", s)
	}

	saved := x.post(t, admin, "/settings/sso", form(x.idp.URL, ssoClientID, ssoClientSecret)).expect(t, http.StatusSeeOther)
	if saved.location != "/settings/sso?flash=sso.saved" {
		t.Fatalf("after saving: to %q", saved.location)
	}
	page = x.get(t, admin, "/settings/sso").expect(t, http.StatusOK)
	if strings.Contains(page.body, ssoClientSecret) || !page.has("nl", "sso.secret.set") || !strings.Contains(page.body, `value="`+x.idp.URL+`"`) {
		t.Errorf("the saved set-up:\n%s", page.body)
	}
	if got, _ := x.DB.SSOClientSecret(ctx, x.Tenant.ID); got != ssoClientSecret {
		t.Error("the secret was not stored")
	}
	// A second administrator on the older page is told, and saves nothing.
	stale := x.post(t, admin, "/settings/sso", form(x.idp.URL, "ander-id", "")).expect(t, http.StatusUnprocessableEntity)
	if !stale.has("nl", "form.stale") {
		t.Errorf("a stale save:\n%s", stale.body)
	}
	if s, _ := x.DB.SSO(ctx, x.Tenant.ID); s.ClientID != ssoClientID || s.Version != 3 {
		t.Errorf("a stale save changed the set-up: %+v", s)
	}
	// And the staff can log in with it.
	x.user(t, "Joost", kluis.RoleRecruiter)
	if a := x.logIn(t, oidctest.Identity{Email: "joost@test.kluis.test", EmailVerified: true}); a.location != "/clients" {
		t.Errorf("a log-in after the set-up: %d to %q", a.status, a.location)
	}
	x.clean(t, ssoClientSecret)
}

func TestTheSSOAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		x := newSSOEnv(t, e)
		ctx := context.Background()
		token := func(id kluis.ID) string {
			secret, _, err := x.DB.CreateToken(ctx, x.Tenant.ID, id, "sso-test", 0)
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		admin, recruiter := token(x.admin.UserID), token(x.user(t, "Lotte", kluis.RoleRecruiter).ID)
		call := func(tok, method, body string) (int, map[string]any, string) {
			t.Helper()
			req, _ := http.NewRequest(method, x.srv.URL+"/api/v1/sso", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			var out map[string]any
			_ = json.Unmarshal(raw, &out)
			return res.StatusCode, out, string(raw)
		}
		code, got, raw := call(admin, "GET", "")
		if code != http.StatusOK || got["enabled"] != true || got["client_secret_set"] != true || got["version"] != float64(1) ||
			got["redirect_url"] != x.srv.URL+"/login/oidc/callback" || strings.Contains(raw, ssoClientSecret) {
			t.Fatalf("GET: %d %s", code, raw)
		}
		if code, _, _ := call(recruiter, "GET", ""); code != http.StatusForbidden {
			t.Errorf("a recruiter reads the set-up: %d", code)
		}
		if code, _, _ := call(recruiter, "PUT", `{"enabled":false,"password_login":true,"version":1}`); code != http.StatusForbidden {
			t.Errorf("a recruiter changes the set-up: %d", code)
		}
		fieldsOf := func(body map[string]any) []string {
			var out []string
			for k := range obj(obj(body["error"])["fields"]) {
				out = append(out, k)
			}
			return out
		}
		for _, tc := range []struct {
			body   string
			status int
			fields []string
		}{
			{`{}`, http.StatusBadRequest, []string{"enabled", "password_login", "version"}},
			{`{"enabled":true,"issuer_url":"ftp://idp.example.nl","client_id":"a b","password_login":true,"version":1}`, http.StatusBadRequest, []string{"client_id", "issuer_url"}},
			{`{"enabled":true,"issuer_url":"` + x.idp.URL + `/elders","client_id":"x","password_login":true,"version":1}`, http.StatusBadRequest, []string{"issuer_url"}},
			{`{"enabled":true,"password_login":true,"version":1,"hostname":"x"}`, http.StatusBadRequest, nil},
			{`{"enabled":false,"password_login":true,"version":0}`, http.StatusConflict, nil},
		} {
			code, body, raw := call(admin, "PUT", tc.body)
			if code != tc.status {
				t.Errorf("PUT %s: %d, want %d: %s", tc.body, code, tc.status, raw)
				continue
			}
			got := fieldsOf(body)
			if tc.fields != nil && strings.Join(slices.Sorted(slices.Values(got)), ",") != strings.Join(tc.fields, ",") {
				t.Errorf("PUT %s: fields %v, want %v", tc.body, got, tc.fields)
			}
		}
		code, got, raw = call(admin, "PUT", `{"enabled":true,"issuer_url":"`+x.idp.URL+`","client_id":"`+ssoClientID+`","client_secret":"nieuw-geheim","password_login":false,"version":1}`)
		if code != http.StatusOK || got["version"] != float64(2) || got["password_login"] != false || strings.Contains(raw, "nieuw-geheim") {
			t.Fatalf("PUT: %d %s", code, raw)
		}
		if s, _ := x.DB.SSOClientSecret(ctx, x.Tenant.ID); s != "nieuw-geheim" {
			t.Error("the new secret was not stored")
		}
	})
}
