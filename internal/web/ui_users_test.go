package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"kluis/internal/auth"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// mustSetUpTOTP gives a user two-factor log-in, as a provisioned account
// has it, and returns the secret.
func mustSetUpTOTP(t testing.TB, db *store.DB, tenant, user kluis.ID) string {
	t.Helper()
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetTOTPSecret(context.Background(), tenant, user, secret); err != nil {
		t.Fatal(err)
	}
	return secret
}

// withPassword gives a user a password to log in with.
func (u *clientUIEnv) withPassword(t *testing.T, usr *kluis.User, pw string) {
	t.Helper()
	h, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.DB.SetPassword(context.Background(), u.Tenant.ID, usr.ID, h); err != nil {
		t.Fatal(err)
	}
}

// answer is a response with its cookies.
type answer struct {
	clientUIPage
	cookies map[string]*http.Cookie
}

// send makes a request with the given cookies (name=value) and returns the
// answer without following a redirect.
func (u *clientUIEnv) send(t *testing.T, method, path string, form url.Values, cookies map[string]string) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := u.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{clientUIPage: clientUIPage{status: res.StatusCode, body: string(b), location: res.Header.Get("Location")},
		cookies: map[string]*http.Cookie{}}
	for _, c := range res.Cookies() {
		a.cookies[c.Name] = c
	}
	return a
}

func (a answer) expect(t *testing.T, status int) answer {
	t.Helper()
	a.clientUIPage.expect(t, status)
	return a
}

func (u *clientUIEnv) logIn(t *testing.T, email, pw string) answer {
	t.Helper()
	return u.send(t, "POST", "/login", url.Values{"email": {email}, "password": {pw}, "next": {"/clients"}}, nil)
}

const testPW = "een lange zin als wachtwoord"

// sessionRoutes are the staff UI's routes behind a session, with their
// path parameters filled in.
func (u *clientUIEnv) sessionRoutes() [][2]string {
	var out [][2]string
	for _, rt := range u.web.routes() {
		if rt.guard != session {
			continue
		}
		path := strings.NewReplacer("{id}", "1", "{did}", "1", "{contact}", "1", "{$}", "").Replace(rt.pattern)
		out = append(out, [2]string{rt.method, path})
	}
	return out
}

func TestTheHalfLoggedInStateReachesNoPage(t *testing.T) {
	u := newClientUIEnv(t)
	pien := u.user(t, "Pien", kluis.RolePayroll)
	u.withPassword(t, pien, testPW)
	secret := mustSetUpTOTP(t, u.DB, u.Tenant.ID, pien.ID)

	first := u.logIn(t, pien.Email, testPW).expect(t, http.StatusSeeOther)
	if first.location != "/login/code?next=%2Fclients" {
		t.Fatalf("after the password: to %q", first.location)
	}
	if _, ok := first.cookies[sessionCookie]; ok && first.cookies[sessionCookie].Value != "" {
		t.Fatal("a session cookie is set before the code")
	}
	half := first.cookies[loginCookie]
	if half == nil || half.Path != "/login" || !half.HttpOnly || half.MaxAge != int(store.LoginChallengeTTL.Seconds()) {
		t.Fatalf("the log-in cookie: %+v", half)
	}
	// The half-logged-in secret opens no page, whatever cookie carries it.
	for _, rt := range u.sessionRoutes() {
		for _, name := range []string{sessionCookie, loginCookie} {
			a := u.send(t, rt[0], rt[1], url.Values{"version": {"1"}}, map[string]string{name: half.Value})
			if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/login") {
				t.Errorf("%s %s with the half-logged-in secret as %s: %d to %q", rt[0], rt[1], name, a.status, a.location)
			}
		}
	}

	// The code page; a wrong code is said to be wrong, and counts.
	cookie := map[string]string{loginCookie: half.Value}
	page := u.send(t, "GET", "/login/code?next=%2Fclients", nil, cookie).expect(t, http.StatusOK)
	if !strings.Contains(page.body, `name="code"`) || !strings.Contains(page.body, `autocomplete="one-time-code"`) || strings.Contains(page.body, `header class="top"`) {
		t.Fatalf("the code page:\n%s", page.body)
	}
	bad := u.send(t, "POST", "/login/code", url.Values{"code": {"000000"}, "next": {"/clients"}}, cookie).expect(t, http.StatusUnauthorized)
	if !bad.has("nl", "login.code.wrong") {
		t.Fatalf("a wrong code:\n%s", bad.body)
	}
	if a, _ := u.DB.Account(context.Background(), u.Tenant.ID, pien.ID); a.FailedLogins != 1 {
		t.Fatalf("a wrong code counted %d failures", a.FailedLogins)
	}
	// The right code: a session, the page asked for, the failures forgotten.
	code, _ := auth.TOTPCode(secret, u.Clock.Now())
	ok := u.send(t, "POST", "/login/code", url.Values{"code": {code[:3] + " " + code[3:]}, "next": {"/clients"}}, cookie).expect(t, http.StatusSeeOther)
	if ok.location != "/clients" || ok.cookies[sessionCookie] == nil || ok.cookies[sessionCookie].Value == "" {
		t.Fatalf("after the code: to %q, cookies %v", ok.location, ok.cookies)
	}
	if c := ok.cookies[loginCookie]; c == nil || c.MaxAge >= 0 {
		t.Error("the log-in cookie is not cleared after the code")
	}
	u.get(t, ok.cookies[sessionCookie].Value, "/clients").expect(t, http.StatusOK)
	if a, _ := u.DB.Account(context.Background(), u.Tenant.ID, pien.ID); a.FailedLogins != 0 || a.LastLoginAt == nil {
		t.Errorf("after the log-in: %+v", a)
	}
	// The half-logged-in state was used up; and the code cannot be used
	// again, not even in a new log-in within its 30 seconds.
	u.send(t, "POST", "/login/code", url.Values{"code": {code}}, cookie).expect(t, http.StatusSeeOther)
	again := u.logIn(t, pien.Email, testPW).expect(t, http.StatusSeeOther)
	replay := u.send(t, "POST", "/login/code", url.Values{"code": {code}}, map[string]string{loginCookie: again.cookies[loginCookie].Value})
	if replay.status != http.StatusUnauthorized || replay.cookies[sessionCookie] != nil {
		t.Fatalf("a replayed code: %d", replay.status)
	}
	// After five minutes the half-logged-in state is gone.
	u.Clock.Advance(store.LoginChallengeTTL)
	late, _ := auth.TOTPCode(secret, u.Clock.Now())
	gone := u.send(t, "POST", "/login/code", url.Values{"code": {late}}, map[string]string{loginCookie: again.cookies[loginCookie].Value})
	if gone.status != http.StatusSeeOther || gone.location != "/login?expired=code" {
		t.Fatalf("a code after %s: %d to %q", store.LoginChallengeTTL, gone.status, gone.location)
	}
}

func TestALockedAccountAnswersAsAWrongPasswordDoes(t *testing.T) {
	u := newClientUIEnv(t)
	sam := u.user(t, "Sam", kluis.RoleRecruiter)
	u.withPassword(t, sam, testPW)
	unknown := u.logIn(t, "niemand@test.kluis.test", testPW).expect(t, http.StatusUnauthorized)
	message := text("nl", "login.failed")
	if !strings.Contains(unknown.body, html.EscapeString(message)) {
		t.Fatalf("an unknown address:\n%s", unknown.body)
	}
	for i := range auth.LockAfter {
		if p := u.logIn(t, sam.Email, "fout wachtwoord "+string(rune('a'+i))); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i+1, p.status)
		}
	}
	// Locked: the right password gets the very answer a wrong one and an
	// unknown address get.
	locked := u.logIn(t, sam.Email, testPW).expect(t, http.StatusUnauthorized)
	if locked.cookies[sessionCookie] != nil || locked.cookies[loginCookie] != nil {
		t.Fatal("a locked account got a cookie")
	}
	strip := regexp.MustCompile(`value="[^"]*"`)
	if strip.ReplaceAllString(locked.body, "") != strip.ReplaceAllString(unknown.body, "") {
		t.Error("the answer for a locked account differs from the one for an unknown address")
	}
	u.Clock.Advance(15 * time.Minute)
	u.logIn(t, sam.Email, testPW).expect(t, http.StatusSeeOther)
}

func TestARoleThatRequiresTwoFactorSetsItUpBeforeAnythingElse(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	// A payroll user without two-factor log-in (made on the command line).
	pien := &kluis.User{Email: "pien@test.kluis.test", Name: "Pien", Role: kluis.RolePayroll}
	if err := u.DB.CreateUser(ctx, u.Tenant.ID, pien); err != nil {
		t.Fatal(err)
	}
	u.withPassword(t, pien, testPW)
	in := u.logIn(t, pien.Email, testPW).expect(t, http.StatusSeeOther)
	me := in.cookies[sessionCookie].Value
	for _, rt := range u.sessionRoutes() {
		if strings.HasPrefix(rt[1], "/settings/2fa") && rt[1] != "/settings/2fa/recovery" && rt[1] != "/settings/2fa/off" {
			continue
		}
		a := u.send(t, rt[0], rt[1], url.Values{"version": {"1"}}, map[string]string{sessionCookie: me})
		if a.status != http.StatusSeeOther || a.location != "/settings/2fa" {
			t.Errorf("%s %s before the set-up: %d to %q", rt[0], rt[1], a.status, a.location)
		}
	}
	page := u.get(t, me, "/settings/2fa").expect(t, http.StatusOK)
	if strings.Contains(page.body, `header class="top"`) || !page.has("nl", "totp.required") || !strings.Contains(page.body, `action="/logout"`) {
		t.Fatalf("the set-up page of a gated user:\n%s", page.body)
	}
	u.post(t, me, "/settings/2fa/setup", url.Values{}).expect(t, http.StatusSeeOther)
	page = u.get(t, me, "/settings/2fa").expect(t, http.StatusOK)
	secret, err := u.DB.PendingTOTP(ctx, u.Tenant.ID, pien.ID)
	if err != nil || secret == "" {
		t.Fatal(err)
	}
	if !strings.Contains(page.body, `src="data:image/png;base64,`) || !strings.Contains(page.body, groupsOf4(secret)) {
		t.Fatalf("the set-up shows no QR code or no secret:\n%s", page.body)
	}
	bad := u.post(t, me, "/settings/2fa/confirm", url.Values{"code": {"12345"}}).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(bad.body, "code") == "" {
		t.Fatalf("a wrong first code:\n%s", bad.body)
	}
	u.get(t, me, "/").expect(t, http.StatusSeeOther)
	code, _ := auth.TOTPCode(secret, u.Clock.Now())
	done := u.post(t, me, "/settings/2fa/confirm", url.Values{"code": {code}}).expect(t, http.StatusOK)
	codes := regexp.MustCompile(`<li><code>([2-9A-Z-]{19})</code></li>`).FindAllStringSubmatch(done.body, -1)
	if len(codes) != auth.RecoveryCodes {
		t.Fatalf("%d recovery codes shown:\n%s", len(codes), done.body)
	}
	u.get(t, me, "/").expect(t, http.StatusOK)
	// Required: it cannot be turned off.
	u.post(t, me, "/settings/2fa/off", url.Values{"off_password": {testPW}}).expect(t, http.StatusForbidden)
	// A recovery code logs in once, instead of the app's code.
	in = u.logIn(t, pien.Email, testPW).expect(t, http.StatusSeeOther)
	half := map[string]string{loginCookie: in.cookies[loginCookie].Value}
	rec := u.send(t, "POST", "/login/code", url.Values{"code": {strings.ToLower(codes[0][1])}}, half).expect(t, http.StatusSeeOther)
	if rec.location != "/settings/2fa?flash=totp.recovery.used" {
		t.Fatalf("after a recovery code: to %q", rec.location)
	}
	in = u.logIn(t, pien.Email, testPW).expect(t, http.StatusSeeOther)
	u.send(t, "POST", "/login/code", url.Values{"code": {codes[0][1]}}, map[string]string{loginCookie: in.cookies[loginCookie].Value}).
		expect(t, http.StatusUnauthorized)
}

func TestAnOptionalRoleTurnsTwoFactorOnAndOffWithItsPassword(t *testing.T) {
	u := newClientUIEnv(t)
	sam := u.user(t, "Sam", kluis.RoleRecruiter)
	u.withPassword(t, sam, testPW)
	me := u.session(t, sam.ID)
	u.get(t, "", "/settings/2fa").expect(t, http.StatusSeeOther)
	page := u.get(t, me, "/settings/2fa").expect(t, http.StatusOK)
	if page.has("nl", "totp.required") || !strings.Contains(page.body, `header class="top"`) {
		t.Fatal("the recruiter is told two-factor log-in is required, or has no menu")
	}
	u.post(t, me, "/settings/2fa/setup", nil).expect(t, http.StatusSeeOther)
	secret, _ := u.DB.PendingTOTP(context.Background(), u.Tenant.ID, sam.ID)
	code, _ := auth.TOTPCode(secret, u.Clock.Now())
	u.post(t, me, "/settings/2fa/confirm", url.Values{"code": {code}}).expect(t, http.StatusOK)
	// New recovery codes need a fresh code.
	u.post(t, me, "/settings/2fa/recovery", url.Values{"renew_code": {code}}).expect(t, http.StatusUnprocessableEntity)
	u.Clock.Advance(30 * time.Second)
	fresh, _ := auth.TOTPCode(secret, u.Clock.Now())
	u.post(t, me, "/settings/2fa/recovery", url.Values{"renew_code": {fresh}}).expect(t, http.StatusOK)
	wrong := u.post(t, me, "/settings/2fa/off", url.Values{"off_password": {"niet mijn wachtwoord"}}).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(wrong.body, "off_password") == "" || strings.Contains(wrong.body, "niet mijn wachtwoord") {
		t.Fatalf("a wrong password to turn it off:\n%s", wrong.body)
	}
	u.post(t, me, "/settings/2fa/off", url.Values{"off_password": {testPW}}).expect(t, http.StatusSeeOther)
	if a, _ := u.DB.Account(context.Background(), u.Tenant.ID, sam.ID); a.HasTOTP() {
		t.Fatal("two-factor log-in is still on")
	}
}

func TestOnlyTheAdministratorManagesUsers(t *testing.T) {
	u := newClientUIEnv(t)
	target := u.user(t, "Sam", kluis.RoleRecruiter)
	for _, r := range []kluis.Role{kluis.RoleRecruiter, kluis.RolePayroll, kluis.RoleManager, kluis.RolePrivacy} {
		me := u.session(t, u.user(t, "x-"+string(r), r).ID)
		for _, path := range []string{"/users", "/users/" + idText(target.ID)} {
			u.get(t, me, path).expect(t, http.StatusForbidden)
		}
		for _, path := range []string{"/users", "/users/" + idText(target.ID), "/users/" + idText(target.ID) + "/password",
			"/users/" + idText(target.ID) + "/2fa-reset", "/users/" + idText(target.ID) + "/unlock", "/users/" + idText(target.ID) + "/logout"} {
			u.post(t, me, path, url.Values{"version": {"1"}, "name": {"X"}, "email": {"x@test.kluis.test"}, "role": {"admin"}}).expect(t, http.StatusForbidden)
		}
		if body := u.get(t, me, "/settings").expect(t, http.StatusOK).body; strings.Contains(body, `href="/users"`) {
			t.Errorf("%s has the users in the menu", r)
		}
	}
	if a, _ := u.DB.Account(context.Background(), u.Tenant.ID, target.ID); a.Version != 1 || a.Role != kluis.RoleRecruiter {
		t.Errorf("the refused requests changed the user: %+v", a)
	}
	admin := u.session(t, u.user(t, "Beheer", kluis.RoleAdmin).ID)
	list := u.get(t, admin, "/users").expect(t, http.StatusOK)
	if !strings.Contains(list.body, `href="/users" aria-current="page"`) || !strings.Contains(list.body, "sam@test.kluis.test") {
		t.Fatalf("the administrator's list:\n%s", list.body)
	}
	u.get(t, admin, "/users/999").expect(t, http.StatusNotFound)
	u.get(t, admin, "/users/abc").expect(t, http.StatusNotFound)
}

func TestAddingAUserChecksEachFieldAndShowsTheOneTimePasswordOnce(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	adminUser := u.user(t, "Beheer", kluis.RoleAdmin)
	admin := u.session(t, adminUser.ID)
	form := url.Values{"name": {"Pien de Vries"}, "email": {"pien@"}, "role": {""}, "branch_id": {"12x"}}
	bad := u.post(t, admin, "/users", form).expect(t, http.StatusUnprocessableEntity)
	if got := clientFieldError(bad.body, "branch_id"); got != text("nl", "form.number") {
		t.Errorf("a malformed branch: %q", got)
	}
	form.Set("branch_id", idText(u.Branch.ID))
	bad = u.post(t, admin, "/users", form).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(bad.body, "email") != "Geen geldig e-mailadres." || clientFieldError(bad.body, "role") != "Kies een rol." {
		t.Errorf("the field errors: email %q, role %q", clientFieldError(bad.body, "email"), clientFieldError(bad.body, "role"))
	}
	if !strings.Contains(bad.body, `value="Pien de Vries"`) || !strings.Contains(bad.body, `value="pien@"`) {
		t.Error("what was typed is lost")
	}
	if !bad.has("nl", "form.errors") {
		t.Error("no summary of the mistakes")
	}
	// In English for an administrator who reads English.
	if err := u.DB.SetLanguage(ctx, u.Tenant.ID, adminUser.ID, "en"); err != nil {
		t.Fatal(err)
	}
	en := u.post(t, admin, "/users", form).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(en.body, "email") != "Not a valid e-mail address." {
		t.Errorf("the English error: %q", clientFieldError(en.body, "email"))
	}
	if err := u.DB.SetLanguage(ctx, u.Tenant.ID, adminUser.ID, "nl"); err != nil {
		t.Fatal(err)
	}
	users, _ := u.DB.Accounts(ctx, u.Tenant.ID)
	form.Set("email", "Pien@Bureau.example")
	form.Set("role", "payroll")
	added := u.post(t, admin, "/users", form).expect(t, http.StatusOK)
	m := regexp.MustCompile(`<code id="one-time-password">([^<]+)</code>`).FindStringSubmatch(added.body)
	if m == nil {
		t.Fatalf("no one-time password shown:\n%s", added.body)
	}
	after, _ := u.DB.Accounts(ctx, u.Tenant.ID)
	if len(after) != len(users)+1 {
		t.Fatalf("%d users, want %d", len(after), len(users)+1)
	}
	pien, err := u.DB.AccountByEmail(ctx, u.Tenant.ID, "pien@bureau.example")
	if err != nil || !pien.MustChangePassword || pien.Role != kluis.RolePayroll {
		t.Fatalf("the new user: %+v %v", pien, err)
	}
	if ok, _ := auth.VerifyPassword(pien.PasswordHash, m[1]); !ok {
		t.Error("the password shown is not the user's")
	}
	// The same address again is refused at the field.
	again := u.post(t, admin, "/users", form).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(again.body, "email") == "" {
		t.Error("a second user with the same e-mail address")
	}
	// The list shows the new user as one who must choose a password and
	// set up two-factor log-in.
	list := u.get(t, admin, "/users").expect(t, http.StatusOK)
	if !list.has("nl", "users.mustchange") || !list.has("nl", "users.totp.missing") {
		t.Errorf("the list does not show the new user's state:\n%s", list.body)
	}

	// With the one-time password Pien reaches only the page to choose her
	// own; then the set-up of two-factor log-in, which her role requires.
	in := u.logIn(t, "pien@bureau.example", m[1]).expect(t, http.StatusSeeOther)
	me := in.cookies[sessionCookie].Value
	u.get(t, me, "/clients").expect(t, http.StatusSeeOther)
	if p := u.get(t, me, "/settings/2fa"); p.location != "/settings/password" {
		t.Errorf("the gate lets the one-time password reach %q", p.location)
	}
	short := u.post(t, me, "/settings/password", url.Values{"new": {"kort"}, "repeat": {"anders"}}).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(short.body, "new") == "" || clientFieldError(short.body, "repeat") == "" || strings.Contains(short.body, "kort") {
		t.Errorf("a short, unrepeated password:\n%s", short.body)
	}
	same := u.post(t, me, "/settings/password", url.Values{"new": {m[1]}, "repeat": {m[1]}}).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(same.body, "new") != text("nl", "password.new.same") {
		t.Errorf("keeping the one-time password: %q", clientFieldError(same.body, "new"))
	}
	done := u.post(t, me, "/settings/password", url.Values{"new": {testPW}, "repeat": {testPW}}).expect(t, http.StatusSeeOther)
	if done.location != "/settings/2fa?flash=password.changed" {
		t.Errorf("after choosing a password: to %q", done.location)
	}
}

func TestAdministratorsDoNotOverwriteEachOther(t *testing.T) {
	u := newClientUIEnv(t)
	admin := u.session(t, u.user(t, "Beheer", kluis.RoleAdmin).ID)
	sam := u.user(t, "Sam", kluis.RoleRecruiter)
	path := "/users/" + idText(sam.ID)
	page := u.get(t, admin, path).expect(t, http.StatusOK)
	if !strings.Contains(page.body, `name="version" value="1"`) {
		t.Fatalf("the edit form carries no version:\n%s", page.body)
	}
	form := url.Values{"version": {"1"}, "name": {"Sam Jansen"}, "email": {sam.Email}, "role": {"manager"}, "branch_id": {idText(u.Branch.ID)}}
	u.post(t, admin, path, form).expect(t, http.StatusSeeOther)
	// The second administrator saves on the page loaded before.
	form.Set("name", "Samuel")
	stale := u.post(t, admin, path, form).expect(t, http.StatusConflict)
	if !stale.has("nl", "form.stale") || !strings.Contains(stale.body, `value="Samuel"`) || !strings.Contains(stale.body, `name="version" value="2"`) {
		t.Fatalf("a stale edit:\n%s", stale.body)
	}
	if a, _ := u.DB.Account(context.Background(), u.Tenant.ID, sam.ID); a.Name != "Sam Jansen" || a.Role != kluis.RoleManager {
		t.Fatalf("the stale edit was saved: %+v", a)
	}
	// Actions on a stale page do nothing either.
	for _, action := range []string{"/password", "/2fa-reset", "/unlock"} {
		p := u.post(t, admin, path+action, url.Values{"version": {"1"}}).expect(t, http.StatusConflict)
		if !p.has("nl", "users.stale") || strings.Contains(p.body, "one-time-password") {
			t.Errorf("%s on a stale page:\n%s", action, p.body)
		}
	}
	if a, _ := u.DB.Account(context.Background(), u.Tenant.ID, sam.ID); a.Version != 2 || a.MustChangePassword {
		t.Fatalf("a stale action changed the user: %+v", a)
	}
	bad := u.post(t, admin, path, url.Values{"version": {"2"}, "name": {""}, "email": {"sam@"}, "role": {"nobody"}}).expect(t, http.StatusUnprocessableEntity)
	for _, f := range []string{"name", "email", "role"} {
		if clientFieldError(bad.body, f) == "" {
			t.Errorf("no error at %s", f)
		}
	}
	u.post(t, admin, path, url.Values{"version": {"x"}}).expect(t, http.StatusUnprocessableEntity)
	u.post(t, admin, path+"/unlock", url.Values{"version": {"x"}}).expect(t, http.StatusBadRequest)
}

// syncBuffer is a server log a test may read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// withLog serves u's database again, with the server's log kept.
func (u *clientUIEnv) withLog(t *testing.T) *syncBuffer {
	t.Helper()
	log := &syncBuffer{}
	h, err := New(u.DB, slog.New(slog.NewJSONHandler(log, nil)), u.Clock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u.srv, u.web = srv, h
	return log
}

func TestTheAdministratorResetsUnlocksAndLogsOut(t *testing.T) {
	u := newClientUIEnv(t)
	log := u.withLog(t)
	ctx := context.Background()
	admin := u.session(t, u.user(t, "Beheer", kluis.RoleAdmin).ID)
	pien := u.user(t, "Pien", kluis.RolePayroll)
	path := "/users/" + idText(pien.ID)
	theirs := u.session(t, pien.ID)
	for range auth.LockAfter {
		if _, err := u.DB.LoginFailed(ctx, u.Tenant.ID, pien.ID); err != nil {
			t.Fatal(err)
		}
	}
	page := u.get(t, admin, path).expect(t, http.StatusOK)
	if !page.has("nl", "users.locked") || !strings.Contains(page.body, `action="`+path+`/unlock"`) || !strings.Contains(page.body, `action="`+path+`/2fa-reset"`) {
		t.Fatalf("the page of a locked user with two-factor log-in:\n%s", page.body)
	}
	version := func() url.Values {
		a, err := u.DB.Account(ctx, u.Tenant.ID, pien.ID)
		if err != nil {
			t.Fatal(err)
		}
		return url.Values{"version": {idText(a.Version)}}
	}
	u.post(t, admin, path+"/unlock", version()).expect(t, http.StatusSeeOther)
	if a, _ := u.DB.Account(ctx, u.Tenant.ID, pien.ID); a.LockedUntil != nil {
		t.Fatal("still locked")
	}
	u.get(t, theirs, "/").expect(t, http.StatusOK)
	u.post(t, admin, path+"/logout", version()).expect(t, http.StatusSeeOther)
	u.get(t, theirs, "/").expect(t, http.StatusSeeOther)
	u.post(t, admin, path+"/2fa-reset", version()).expect(t, http.StatusSeeOther)
	if a, _ := u.DB.Account(ctx, u.Tenant.ID, pien.ID); a.HasTOTP() {
		t.Fatalf("after the reset: %+v", a)
	}
	reset := u.post(t, admin, path+"/password", version()).expect(t, http.StatusOK)
	m := regexp.MustCompile(`<code id="one-time-password">([^<]+)</code>`).FindStringSubmatch(reset.body)
	if m == nil || auth.CheckPasswordStrength(m[1]) != nil {
		t.Fatalf("the reset shows no usable password:\n%s", reset.body)
	}
	if a, _ := u.DB.Account(ctx, u.Tenant.ID, pien.ID); !a.MustChangePassword {
		t.Fatal("the user need not choose a new password")
	}
	// Nothing of it in the server's log but ids.
	logged := log.String()
	if !strings.Contains(logged, "password reset by an administrator") {
		t.Fatalf("the reset is not in the server log:\n%s", logged)
	}
	if strings.Contains(logged, m[1]) || strings.Contains(logged, pien.Email) || strings.Contains(logged, pien.Name) {
		t.Error("the server log holds the password or the e-mail address")
	}
}

// TestTheLogInSecurityPagesAreWellFormedAndTranslated renders each page in
// both languages: one h1, no inline style or script, scoped table headers,
// no message key left untranslated; and every key named is in the catalogue.
func TestTheLogInSecurityPagesAreWellFormedAndTranslated(t *testing.T) {
	u := newClientUIEnv(t)
	sam := u.user(t, "Sam", kluis.RoleRecruiter)
	keyLike := regexp.MustCompile(`>\s*(users|totp|password|login|gate)\.[a-z_.]+\s*<`)
	for _, lang := range []string{"nl", "en"} {
		usr := u.user(t, "Beheer-"+lang, kluis.RoleAdmin)
		if err := u.DB.SetLanguage(context.Background(), u.Tenant.ID, usr.ID, lang); err != nil {
			t.Fatal(err)
		}
		me := u.session(t, usr.ID)
		u.post(t, me, "/settings/2fa/setup", nil).expect(t, http.StatusSeeOther)
		for _, path := range []string{"/users", "/users/" + idText(sam.ID), "/users/" + idText(usr.ID), "/settings/2fa", "/settings/password", "/settings"} {
			p := u.get(t, me, path).expect(t, http.StatusOK)
			if n := strings.Count(p.body, "<h1"); n != 1 {
				t.Errorf("%s %s: %d h1 elements", lang, path, n)
			}
			if strings.Contains(p.body, "style=") || regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).MatchString(p.body) {
				t.Errorf("%s %s: inline style or script", lang, path)
			}
			if strings.Count(p.body, "<th>")+strings.Count(p.body, "<th ") != strings.Count(p.body, `<th scope="col"`)+strings.Count(p.body, `<th scope="row"`) {
				t.Errorf("%s %s: a table header without scope", lang, path)
			}
			if m := keyLike.FindString(p.body); m != "" {
				t.Errorf("%s %s: untranslated key %s", lang, path, m)
			}
			for _, m := range regexp.MustCompile(`id="([^"]+)"`).FindAllStringSubmatch(p.body, -1) {
				if strings.Count(p.body, `id="`+m[1]+`"`) > 1 {
					t.Errorf("%s %s: id %q used twice", lang, path, m[1])
				}
			}
		}
	}
	quoted := regexp.MustCompile(`"([a-z]+(?:\.[a-z0-9_]+)+)"`)
	check := func(where, src string) {
		for _, m := range quoted.FindAllStringSubmatch(src, -1) {
			k := m[1]
			if strings.HasSuffix(k, ".html") || strings.Contains(k, "kluis.") {
				continue
			}
			if msg, ok := messages[k]; !ok || msg.NL == "" || msg.EN == "" {
				t.Errorf("%s: key %q is not in the catalogue in both languages", where, k)
			}
		}
	}
	for _, n := range []string{"templates/login_code.html", "templates/totp.html", "templates/totp_codes.html", "templates/password.html",
		"templates/users.html", "templates/user.html", "templates/user_secret.html", "templates/partials/users.html", "templates/partials/account.html"} {
		b, err := fs.ReadFile(assets, n)
		if err != nil {
			t.Fatal(err)
		}
		check(n, string(b))
	}
	for _, n := range []string{"ui_users.go", "ui_totp.go", "ui_password.go", "session.go"} {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"((?:users|totp|password|login|gate|nav|form)\.[a-z0-9_.]+)"`).FindAllStringSubmatch(string(b), -1) {
			check(n, `"`+m[1]+`"`)
		}
	}
	for k, m := range authMessages {
		if m.NL == "" || m.EN == "" {
			t.Errorf("%s: a language is missing", k)
		}
	}
}

// TestPasswordSprayingFromOneAddressIsStopped: failed log-ins from one
// address count together, whatever the accounts (one password tried on
// many accounts stays below each account's own lock-out). Past the limit
// the address gets 429 with a message saying why — even with a right
// password, which is then not looked at — until the window has passed;
// another address logs in meanwhile, and successful log-ins do not count.
func TestPasswordSprayingFromOneAddressIsStopped(t *testing.T) {
	u := newClientUIEnv(t)
	sam := u.user(t, "Sam", kluis.RoleRecruiter)
	u.withPassword(t, sam, testPW)
	for range 3 {
		u.logIn(t, sam.Email, testPW).expect(t, http.StatusSeeOther)
	}
	for i := range loginThrottleMax {
		// Each account once: no account reaches its own lock-out.
		u.logIn(t, fmt.Sprintf("medewerker%d@test.kluis.test", i), "Zomer2026!").expect(t, http.StatusUnauthorized)
	}
	stopped := u.logIn(t, sam.Email, testPW)
	if stopped.status != http.StatusTooManyRequests || stopped.cookies[sessionCookie] != nil || stopped.cookies[loginCookie] != nil {
		t.Fatalf("log-in %d from one address: %d, cookies %v", loginThrottleMax+1, stopped.status, stopped.cookies)
	}
	if !strings.Contains(stopped.body, html.EscapeString(text("nl", "login.toomany"))) {
		t.Errorf("the refusal does not say why:\n%s", stopped.body)
	}
	// Another address is not held up.
	r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"email": {sam.Email}, "password": {testPW}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://example.com")
	r.RemoteAddr = "192.0.2.7:40000"
	w := httptest.NewRecorder()
	u.web.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Errorf("a log-in from another address: %d\n%s", w.Code, w.Body)
	}
	// The account itself was never locked: after the window it logs in.
	u.Clock.Advance(loginThrottleWindow)
	u.logIn(t, sam.Email, testPW).expect(t, http.StatusSeeOther)
}
