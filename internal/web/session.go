package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"kluis/internal/auth"
	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The cookies of the staff UI. The session cookie opens the pages; the
// log-in cookie only the page that asks for the code, between a correct
// password and a correct code (the half-logged-in state, kept on the
// server for a few minutes and used once).
const (
	sessionCookie = "kluis_session"
	loginCookie   = "kluis_login"
)

type userKey struct{}

func userFrom(ctx context.Context) *kluis.User {
	u, _ := ctx.Value(userKey{}).(*kluis.User)
	return u
}

type accountKey struct{}

// accountFrom returns the logged-in user with the state of their log-in.
func accountFrom(ctx context.Context) *store.Account {
	a, _ := ctx.Value(accountKey{}).(*store.Account)
	return a
}

// A gate is what a logged-in user must do before anything else.
type gate string

const (
	gateNone     gate = ""
	gatePassword gate = "password" // choose a password of their own
	gateTOTP     gate = "totp"     // set up two-factor log-in
)

// gatePages are where each gate sends the user, and the only routes it
// lets through.
var gatePages = map[gate]struct {
	to     string
	routes []string
}{
	gatePassword: {"/settings/password", []string{"GET /settings/password", "POST /settings/password"}},
	gateTOTP:     {"/settings/2fa", []string{"GET /settings/2fa", "POST /settings/2fa/setup", "POST /settings/2fa/confirm"}},
}

// gateOf says what a user must do first: replace a password an
// administrator gave them, then set up two-factor log-in if their role
// requires it — unless the session began with a second factor at the
// agency's identity provider (single sign-on), which stands for kluis's own.
func (s *Server) gateOf(ctx context.Context, a *store.Account) gate {
	switch {
	case a.MustChangePassword:
		return gatePassword
	case !a.HasTOTP() && s.requiresTwoFactor(ctx, a.TenantID, a.Role) && !s.secondFactorAtIdP(ctx):
		return gateTOTP
	}
	return gateNone
}

// requiresTwoFactor reports whether a role must log in with a second
// factor: as the catalogue derives it (catalog.RequiresTwoFactor), and also
// when the agency's own field permissions let the role see a BSN, IBAN or
// identity document in full. When the agency's settings cannot be read it
// answers yes.
func (s *Server) requiresTwoFactor(ctx context.Context, tenant kluis.ID, r kluis.Role) bool {
	if s.catalog.RequiresTwoFactor(r) {
		return true
	}
	e, err := s.settingsCache.get(ctx, tenant)
	if err != nil {
		return true
	}
	for _, f := range s.catalog.IdentifierFields() {
		if e.proj.Access(r, f.Table, f.Column) >= catalog.Read {
			return true
		}
	}
	for _, b := range s.catalog.IdentifierBlobs() {
		if e.proj.CanSeeBlob(r, b.Kind) {
			return true
		}
	}
	return false
}

// loggedIn admits requests with a live session; others go to the log-in
// page (htmx requests by a redirect header, so the whole page changes). A
// user with a gate reaches only the gate's pages.
func (s *Server) loggedIn(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			s.toLogin(w, r)
			return nil
		}
		acc, err := s.db.SessionAccount(r.Context(), c.Value)
		if kluis.ErrorCode(err) == kluis.EUnauthorized {
			s.clearCookie(w, r, sessionCookie, "/")
			s.toLogin(w, r)
			return nil
		}
		if err != nil {
			return err
		}
		ctx := context.WithValue(r.Context(), sessionSecretKey{}, c.Value)
		if g := s.gateOf(ctx, acc); g != gateNone && !slices.Contains(gatePages[g].routes, r.Pattern) {
			redirect(w, r, gatePages[g].to)
			return nil
		}
		u := &acc.User
		ctx = context.WithValue(ctx, userKey{}, u)
		ctx = context.WithValue(ctx, accountKey{}, acc)
		ctx = context.WithValue(ctx, actorKey{}, kluis.ActorFor(u))
		r = r.WithContext(ctx)
		// Errors are rendered here, with the user known, so that the error
		// page speaks their language and carries the menu.
		if err := h(w, r); err != nil {
			s.uiError(w, r, err)
		}
		return nil
	}
}

// redirect sends the browser to a page with a GET, and an htmx request
// by its header so that the whole page changes.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		// The path holds ids only; the query is left out as it may not.
		target += "?next=" + url.QueryEscape(r.URL.Path)
	}
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext keeps a post-log-in redirect on this site.
//
// Browsers drop tabs and line breaks from a URL and read a backslash as a
// slash, so "/\t/evil.example" and "/\\evil.example" lead to another site:
// any control character or backslash makes the address unsafe.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') ||
		strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	return next
}

type loginView struct {
	Base
	Email      string
	Tenant     string
	AskTenant  bool
	Next       string
	ErrorKey   string
	FieldError map[string]string
	// SSO is the button to log in with the agency's work account, when
	// the agency of the page (Tenant, or the only one) has single sign-on.
	SSO *ssoOffer
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	v := loginView{Base: s.baseFor(r, "", "login.title"), Next: safeNext(r.URL.Query().Get("next"))}
	// /login?tenant=… is the log-in page of one agency: its SSO button,
	// and its users' passwords.
	if t := strings.TrimSpace(r.URL.Query().Get("tenant")); len(t) <= 40 {
		v.Tenant = t
	}
	switch r.URL.Query().Get("expired") {
	case "1":
		v.ErrorKey = "login.expired"
	case "code":
		v.ErrorKey = "login.code.expired"
	}
	return s.renderLogin(w, r, http.StatusOK, v)
}

// newDummyHash makes the hash a log-in for an unknown address is verified
// against, so that it takes as long as one with a wrong password. It is
// made at the first such log-in, not at start-up: argon2id takes 64 MiB.
func newDummyHash() func() string {
	return sync.OnceValue(func() string {
		h, err := auth.HashPassword("kluis: no such user")
		if err != nil {
			panic(err)
		}
		return h
	})
}

// login checks the e-mail address and password. Every way it can fail —
// no such user, a wrong password, a locked account — takes an argon2id
// verification and gives the same answer, which says that the user may
// try again later: nothing tells whether an account exists or is locked.
// Five failures in a row lock an account for a while (auth.LockDuration).
// The limit on failed staff log-ins per client address: beyond
// loginThrottleMax failures within loginThrottleWindow, whatever the
// accounts, the address gets 429 until the window has passed. Each
// account has its own lock-out too (store.LoginFailed); this stops trying
// one password on many accounts. Behind a reverse proxy all staff share
// the proxy's address, as in the portal: the limit is set well above what
// an office mistypes.
const (
	loginThrottleWindow = 10 * time.Minute
	loginThrottleMax    = 30
)

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	v := loginView{Base: s.baseFor(r, "", "login.title"), Email: strings.TrimSpace(r.PostForm.Get("email")),
		Tenant: strings.TrimSpace(r.PostForm.Get("tenant")), Next: safeNext(r.PostForm.Get("next"))}
	password := r.PostForm.Get("password")
	ip := clientIP(r)
	if s.loginThrottle.full(ip, s.clock.Now()) {
		// Password spraying: many accounts tried from one address, each
		// below its own lock-out. Nothing is checked until the window
		// has passed; the address is not logged (ids only).
		s.log.WarnContext(r.Context(), "log-in refused: too many failed log-ins from one address", "request_id", requestID(r.Context()))
		w.Header().Set("Retry-After", strconv.Itoa(int(loginThrottleWindow.Seconds())))
		v.ErrorKey = "login.toomany"
		return s.renderLogin(w, r, http.StatusTooManyRequests, v)
	}
	if len(v.Email) > 254 || len(password) > 1000 || len(v.Tenant) > 40 {
		v.ErrorKey, v.Tenant = "login.failed", ""
		return s.renderLogin(w, r, http.StatusBadRequest, v)
	}
	accounts, tenants, err := s.db.LoginCandidates(r.Context(), v.Email)
	if err != nil {
		return err
	}
	var match *store.Account
	var slug string
	if v.Tenant != "" {
		for i := range accounts {
			if tenants[i].Slug == v.Tenant {
				match, slug = &accounts[i], tenants[i].Slug
			}
		}
	} else if len(accounts) == 1 {
		match, slug = &accounts[0], tenants[0].Slug
	} else if len(accounts) > 1 {
		v.AskTenant, v.ErrorKey = true, "login.ambiguous"
		return s.renderLogin(w, r, http.StatusBadRequest, v)
	}
	usable := match != nil && match.PasswordHash != "" && match.Role != kluis.RoleIntegration
	locked := usable && match.LockedAt(s.clock.Now())
	hash := s.dummyHash()
	if usable && !locked {
		hash = match.PasswordHash
	}
	ok, err := auth.VerifyPassword(hash, password)
	if err != nil || !ok || !usable || locked {
		s.loginThrottle.hit(ip, s.clock.Now())
		attrs := []any{"request_id", requestID(r.Context())}
		if usable {
			attrs = append(attrs, "tenant_id", match.TenantID, "user_id", match.ID, "locked", locked)
			if !locked {
				nowLocked, err := s.db.LoginFailed(r.Context(), match.TenantID, match.ID)
				if err != nil {
					return err
				}
				if nowLocked {
					s.log.WarnContext(r.Context(), "account locked after failed log-ins", "request_id", requestID(r.Context()),
						"tenant_id", match.TenantID, "user_id", match.ID)
				}
			}
		}
		s.log.InfoContext(r.Context(), "log-in failed", attrs...)
		v.ErrorKey, v.AskTenant = "login.failed", v.Tenant != ""
		return s.renderLogin(w, r, http.StatusUnauthorized, v)
	}
	// An agency that logs in with its work accounts only: the password is
	// right, but not the way in (administrators excepted).
	if refused, err := s.passwordRefused(w, r, match, slug, v); refused || err != nil {
		return err
	}
	if match.HasTOTP() {
		s.log.InfoContext(r.Context(), "log-in: password right, code asked", "request_id", requestID(r.Context()),
			"tenant_id", match.TenantID, "user_id", match.ID)
		return s.askCode(w, r, match, v.Next)
	}
	return s.startSession(w, r, match, v.Next)
}

// askCode puts a user whose first factor was right in the half-logged-in
// state and sends them to the page that asks for the code.
func (s *Server) askCode(w http.ResponseWriter, r *http.Request, a *store.Account, next string) error {
	secret, err := s.db.CreateLoginChallenge(r.Context(), a.TenantID, a.ID)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: secret, Path: "/login", HttpOnly: true, // #nosec G124 -- Secure is set behind TLS by secureCookies; HttpOnly and SameSite are set
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r), MaxAge: int(store.LoginChallengeTTL.Seconds())})
	to := "/login/code"
	if next != "/" {
		to += "?next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// startSession ends a successful log-in: a new session, a fresh cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, a *store.Account, next string) error {
	secret, err := s.db.CompleteLogin(r.Context(), a.TenantID, a.ID)
	if err != nil {
		return err
	}
	return s.openSession(w, r, a, secret, next, "password")
}

// openSession gives the browser the cookie of a session just begun and
// sends it on to next. method (and what follows it, for the log) says how
// the user logged in.
func (s *Server) openSession(w http.ResponseWriter, r *http.Request, a *store.Account, secret, next, method string, attrs ...any) error {
	// A fresh session id at every log-in: a session id planted before it
	// is worth nothing after.
	s.clearCookie(w, r, sessionCookie, "/")
	s.clearCookie(w, r, loginCookie, "/login")
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, // #nosec G124 -- Secure is set behind TLS by secureCookies; HttpOnly and SameSite are set
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r), MaxAge: int(store.SessionMaxAge.Seconds())})
	s.log.InfoContext(r.Context(), "log-in", append([]any{"request_id", requestID(r.Context()), "tenant_id", a.TenantID, "user_id", a.ID,
		"method", method}, attrs...)...)
	http.Redirect(w, r, next, http.StatusSeeOther) // #nosec G710 -- next passed safeNext (FuzzSafeNext)
	return nil
}

// loginCodeView is the second step of a log-in: the code from the app, or
// a recovery code.
type loginCodeView struct {
	Base
	Next  string
	Error string
}

// challenge returns the account of the half-finished log-in of the
// request; without one the user is sent back to the log-in page.
func (s *Server) challenge(w http.ResponseWriter, r *http.Request) (*store.Account, string, bool, error) {
	c, err := r.Cookie(loginCookie)
	if err != nil {
		http.Redirect(w, r, "/login?expired=code", http.StatusSeeOther)
		return nil, "", false, nil
	}
	a, err := s.db.LoginChallengeAccount(r.Context(), c.Value)
	if kluis.ErrorCode(err) == kluis.EUnauthorized {
		s.clearCookie(w, r, loginCookie, "/login")
		http.Redirect(w, r, "/login?expired=code", http.StatusSeeOther)
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, err
	}
	return a, c.Value, true, nil
}

func (s *Server) loginCodePage(w http.ResponseWriter, r *http.Request) error {
	a, _, ok, err := s.challenge(w, r)
	if !ok || err != nil {
		return err
	}
	v := loginCodeView{Base: s.baseFor(r, "", "login.code.title"), Next: safeNext(r.URL.Query().Get("next"))}
	v.Lang, v.Title = a.Language, text(a.Language, "login.code.title")
	return s.render(w, r, http.StatusOK, "login_code", "", v)
}

// loginCode checks the code of the second step. A wrong code counts as a
// failed log-in; when it locks the account, the half-finished log-in ends
// and the user is back at the log-in page, with its one answer.
func (s *Server) loginCode(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	a, secret, ok, err := s.challenge(w, r)
	if !ok || err != nil {
		return err
	}
	ctx := r.Context()
	v := loginCodeView{Base: s.baseFor(r, "", "login.code.title"), Next: safeNext(r.PostForm.Get("next"))}
	v.Lang, v.Title = a.Language, text(a.Language, "login.code.title")
	code := auth.NormalizeCode(r.PostForm.Get("code"))
	if a.LockedAt(s.clock.Now()) {
		return s.loginRefused(w, r, a, secret)
	}
	var passed, recovery bool
	switch {
	case len(code) > 40:
	case auth.IsTOTPCode(code):
		passed, err = s.db.CheckTOTP(ctx, a.TenantID, a.ID, code)
	case auth.IsRecoveryCode(code):
		passed, err = s.db.UseRecoveryCode(ctx, a.TenantID, a.ID, code)
		recovery = passed
	}
	if err != nil {
		return err
	}
	if !passed {
		locked, err := s.db.LoginFailed(ctx, a.TenantID, a.ID)
		if err != nil {
			return err
		}
		if locked {
			s.log.WarnContext(ctx, "account locked after failed log-ins", "request_id", requestID(ctx), "tenant_id", a.TenantID, "user_id", a.ID)
			return s.loginRefused(w, r, a, secret)
		}
		s.log.InfoContext(ctx, "log-in: wrong code", "request_id", requestID(ctx), "tenant_id", a.TenantID, "user_id", a.ID)
		v.Error = v.T("login.code.wrong")
		return s.render(w, r, http.StatusUnauthorized, "login_code", "", v)
	}
	// Of two requests with one half-finished log-in, one goes on.
	if ended, err := s.db.EndLoginChallenge(ctx, secret); err != nil {
		return err
	} else if !ended {
		http.Redirect(w, r, "/login?expired=code", http.StatusSeeOther)
		return nil
	}
	next := v.Next
	if recovery {
		s.log.InfoContext(ctx, "log-in with a recovery code", "request_id", requestID(ctx), "tenant_id", a.TenantID, "user_id", a.ID)
		next = "/settings/2fa?flash=totp.recovery.used"
	}
	return s.startSession(w, r, a, next)
}

// loginRefused ends a half-finished log-in of a locked account and answers
// as the log-in page does for every failure.
func (s *Server) loginRefused(w http.ResponseWriter, r *http.Request, a *store.Account, secret string) error {
	if _, err := s.db.EndLoginChallenge(r.Context(), secret); err != nil {
		return err
	}
	s.clearCookie(w, r, loginCookie, "/login")
	v := loginView{Base: s.baseFor(r, "", "login.title"), Email: a.Email, Next: "/", ErrorKey: "login.failed"}
	return s.renderLogin(w, r, http.StatusUnauthorized, v)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.db.EndSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearCookie(w, r, sessionCookie, "/")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	s.clearCookie(w, r, sessionCookie, "/")
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, HttpOnly: true, // #nosec G124 -- Secure is set behind TLS by secureCookies; HttpOnly and SameSite are set
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r), MaxAge: -1})
}

// secureCookies is true behind TLS, directly or at a proxy that says so.
func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}
