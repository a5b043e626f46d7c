package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// Log-in with the agency's work accounts: OpenID Connect, the authorization
// code flow with PKCE, state and nonce. The log-in page links to
// /login/oidc?tenant=…; that records the log-in on the server (its secret
// in a cookie of its own, HttpOnly, SameSite=Lax, reaching only
// /login/oidc) and sends the browser to the identity provider. The state,
// the nonce and the PKCE verifier are all derived from that secret, so the
// database holds none of them, and only the browser that started a log-in
// can finish it, once: the callback takes the row away before it looks at
// anything else. go-oidc checks the ID token (signature, issuer, audience,
// expiry); kluis checks the nonce, a verified e-mail address, and matches
// it to a user of the agency. SSO never creates users or changes roles.

// ssoCookie holds the secret of a log-in under way at the identity provider.
const ssoCookie = "kluis_oidc"

// idpTimeout bounds every request to an identity provider.
const idpTimeout = 10 * time.Second

// idpContext makes go-oidc and oauth2 use a client with a time limit.
func idpContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, &http.Client{Timeout: idpTimeout})
}

// discover reads the identity provider's discovery document; go-oidc
// checks that it names issuer as its own.
func discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	return oidc.NewProvider(idpContext(ctx), issuer)
}

// ssoSecrets are what one log-in sends and expects back, each derived from
// the secret in the browser's cookie.
type ssoSecrets struct {
	state, nonce, verifier string
}

func deriveSSO(secret string) ssoSecrets {
	d := func(label string) string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte("kluis sso " + label))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	// The verifier is 43 characters of base64url: what RFC 7636 asks.
	return ssoSecrets{state: d("state"), nonce: d("nonce"), verifier: d("pkce")}
}

// callbackURL is where the identity provider sends the browser back: the
// address the administrator registers there.
func (s *Server) callbackURL(r *http.Request) string {
	scheme := "http"
	if s.secureCookies(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/login/oidc/callback"
}

// ssoOffer is the button "Inloggen met uw werkaccount" of the log-in page.
type ssoOffer struct {
	Slug, Next, Lang string
	// PasswordOff: the agency's staff log in with SSO only (administrators
	// keep their password).
	PasswordOff bool
}

// Link is the address the button goes to.
func (o *ssoOffer) Link() string {
	q := url.Values{"tenant": {o.Slug}}
	if o.Next != "/" {
		q.Set("next", o.Next)
	}
	if o.Lang == "en" {
		q.Set("lang", "en")
	}
	return "/login/oidc?" + q.Encode()
}

// ssoOfferFor returns the button for the agency the log-in page is for
// (the short name slug, or the installation's only agency), nil when that
// agency has no SSO. The page works without it, so a failure to read is
// logged and no button shown.
func (s *Server) ssoOfferFor(ctx context.Context, slug, next, lang string) *ssoOffer {
	t, sso, err := s.db.LoginSSO(ctx, slug)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return nil
	}
	if err != nil {
		s.log.ErrorContext(ctx, "read sso for the log-in page", "request_id", requestID(ctx), "err", err)
		return nil
	}
	if !sso.Enabled {
		return nil
	}
	return &ssoOffer{Slug: t.Slug, Next: next, Lang: lang, PasswordOff: !sso.PasswordLogin}
}

// renderLogin shows the log-in page with the agency's SSO button, if any.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, v loginView) error {
	v.SSO = s.ssoOfferFor(r.Context(), v.Tenant, v.Next, v.Lang)
	return s.render(w, r, status, "login", "", v)
}

// passwordRefused answers a right password of a user whose agency logs in
// with SSO only. It says so, which tells nothing to anyone without the
// password.
func (s *Server) passwordRefused(w http.ResponseWriter, r *http.Request, a *store.Account, slug string, v loginView) (bool, error) {
	ctx := r.Context()
	sso, err := s.db.SSO(ctx, a.TenantID)
	if err != nil {
		return true, err
	}
	if sso.PasswordAllowed(a.Role) {
		return false, nil
	}
	s.log.InfoContext(ctx, "log-in refused: the agency logs in with its work accounts", "request_id", requestID(ctx),
		"tenant_id", a.TenantID, "user_id", a.ID)
	v.ErrorKey, v.Tenant, v.AskTenant = "login.sso.only", slug, false
	return true, s.renderLogin(w, r, http.StatusForbidden, v)
}

// ssoStart sends the browser to the agency's identity provider.
func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	v := loginView{Base: s.baseFor(r, "", "login.title"), Next: safeNext(q.Get("next"))}
	slug := strings.TrimSpace(q.Get("tenant"))
	if len(slug) > 40 {
		slug = ""
	}
	t, sso, err := s.db.LoginSSO(ctx, slug)
	if err != nil && kluis.ErrorCode(err) != kluis.ENotFound {
		return err
	}
	if err != nil || !sso.Enabled {
		v.ErrorKey = "login.sso.unavailable"
		return s.renderLogin(w, r, http.StatusNotFound, v)
	}
	v.Tenant = t.Slug
	provider, err := discover(ctx, sso.IssuerURL)
	if err != nil {
		s.log.WarnContext(ctx, "sso: the identity provider did not answer", "request_id", requestID(ctx), "tenant_id", t.ID)
		v.ErrorKey = "login.sso.idpdown"
		return s.renderLogin(w, r, http.StatusServiceUnavailable, v)
	}
	secret, err := s.db.StartSSOLogin(ctx, t.ID, v.Next, v.Lang)
	if err != nil {
		return err
	}
	sec := deriveSSO(secret)
	conf := oauth2.Config{ClientID: sso.ClientID, Endpoint: provider.Endpoint(), RedirectURL: s.callbackURL(r),
		Scopes: []string{oidc.ScopeOpenID, "email"}}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: secret, Path: "/login/oidc", HttpOnly: true, // #nosec G124 -- Secure is set behind TLS by secureCookies; HttpOnly and SameSite are set
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r), MaxAge: int(store.SSOLoginTTL.Seconds())})
	s.log.InfoContext(ctx, "sso log-in started", "request_id", requestID(ctx), "tenant_id", t.ID)
	http.Redirect(w, r, conf.AuthCodeURL(sec.state, oidc.Nonce(sec.nonce), oauth2.S256ChallengeOption(sec.verifier)), http.StatusSeeOther)
	return nil
}

// ssoClaims are the claims of an ID token that kluis reads.
type ssoClaims struct {
	Email string `json:"email"`
	// EmailVerified is the standard claim; nil when the token has none.
	EmailVerified json.RawMessage `json:"email_verified"`
	// DomainOwnerVerified is Microsoft Entra ID's xms_edov: the address is
	// in a domain the agency's own tenant has verified. Entra sends no
	// email_verified for work accounts, so this stands in for it there.
	DomainOwnerVerified json.RawMessage `json:"xms_edov"`
	AMR                 amrList         `json:"amr"`
	AZP                 string          `json:"azp"`
}

// verified reports whether the provider vouches for the e-mail address:
// email_verified true, or, only where the token has no email_verified at
// all, Entra's xms_edov true. A false email_verified is never overruled.
func (c ssoClaims) verified() bool {
	if c.EmailVerified != nil {
		return isTrue(c.EmailVerified)
	}
	return isTrue(c.DomainOwnerVerified)
}

// isTrue reads a JSON true, also as some providers write it ("true", 1).
func isTrue(raw json.RawMessage) bool {
	switch string(raw) {
	case "true", `"true"`, "1", `"1"`:
		return true
	}
	return false
}

// amrList reads the authentication methods; a value that is not a list of
// strings counts as no method.
type amrList []string

func (l *amrList) UnmarshalJSON(data []byte) error {
	var out []string
	if json.Unmarshal(data, &out) != nil {
		out = nil
	}
	*l = out
	return nil
}

// secondFactor reports whether the authentication methods of an ID token
// (RFC 8176) show more than one factor: "mfa", or a one-time code or a
// key ("otp", "hwk", "swk") besides another method.
func secondFactor(amr []string) bool {
	methods := map[string]bool{}
	for _, m := range amr {
		if m == "mfa" {
			return true
		}
		if m != "" {
			methods[m] = true
		}
	}
	return len(methods) >= 2 && (methods["otp"] || methods["hwk"] || methods["swk"])
}

// ssoRefusal is why an SSO log-in is refused: the reason for the log (a
// code, never a value) and the message for the page.
type ssoRefusal struct {
	reason, key string
	status      int
}

var (
	refusedState      = ssoRefusal{"state", "login.sso.expired", http.StatusBadRequest}
	refusedIdP        = ssoRefusal{"idp-error", "login.sso.failed", http.StatusUnauthorized}
	refusedNoCode     = ssoRefusal{"no-code", "login.sso.failed", http.StatusBadRequest}
	refusedOff        = ssoRefusal{"sso-off", "login.sso.unavailable", http.StatusUnauthorized}
	refusedUnreached  = ssoRefusal{"idp-unreachable", "login.sso.idpdown", http.StatusServiceUnavailable}
	refusedExchange   = ssoRefusal{"code-exchange", "login.sso.failed", http.StatusUnauthorized}
	refusedNoIDToken  = ssoRefusal{"no-id-token", "login.sso.failed", http.StatusUnauthorized}
	refusedExpired    = ssoRefusal{"token-expired", "login.sso.failed", http.StatusUnauthorized}
	refusedToken      = ssoRefusal{"token-invalid", "login.sso.failed", http.StatusUnauthorized}
	refusedNonce      = ssoRefusal{"nonce", "login.sso.failed", http.StatusUnauthorized}
	refusedUnverified = ssoRefusal{"email-unverified", "login.sso.unverified", http.StatusUnauthorized}
	refusedUnknown    = ssoRefusal{"unknown-email", "login.sso.unknown", http.StatusUnauthorized}
	refusedLocked     = ssoRefusal{"locked", "login.sso.refused", http.StatusUnauthorized}
	refusedNoLogIn    = ssoRefusal{"no-interactive-log-in", "login.sso.refused", http.StatusUnauthorized}
)

// idpErrorCode is the shape of an OAuth error code (RFC 6749 §4.1.2.1):
// such a code is logged, anything else the provider sends is not.
var idpErrorCode = regexp.MustCompile(`^[a-z_]{1,40}$`)

// ssoCallback finishes a log-in at the identity provider: the browser
// comes back with the code and the state.
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	s.clearCookie(w, r, ssoCookie, "/login/oidc")
	v := loginView{Base: s.baseFor(r, "", "login.title"), Next: "/"}
	refuse := func(why ssoRefusal, attrs ...any) error {
		attrs = append([]any{"request_id", requestID(ctx), "reason", why.reason}, attrs...)
		s.log.InfoContext(ctx, "sso log-in refused", attrs...)
		v.ErrorKey = why.key
		return s.renderLogin(w, r, why.status, v)
	}

	// The log-in this browser started, taken away first: whatever happens
	// next, it is not used twice.
	c, err := r.Cookie(ssoCookie)
	if err != nil {
		return refuse(refusedState)
	}
	login, err := s.db.TakeSSOLogin(ctx, c.Value)
	if kluis.ErrorCode(err) == kluis.EUnauthorized {
		return refuse(refusedState)
	}
	if err != nil {
		return err
	}
	v.Next, v.Tenant, v.Lang, v.Title = login.Next, login.Slug, login.Lang, text(login.Lang, "login.title")
	tenant := login.TenantID
	sec := deriveSSO(c.Value)
	if !hmac.Equal([]byte(q.Get("state")), []byte(sec.state)) {
		return refuse(refusedState, "tenant_id", tenant)
	}
	if e := q.Get("error"); e != "" {
		if !idpErrorCode.MatchString(e) {
			e = "(not a code)"
		}
		return refuse(refusedIdP, "tenant_id", tenant, "idp_error", e)
	}
	code := q.Get("code")
	if code == "" || len(code) > 4096 {
		return refuse(refusedNoCode, "tenant_id", tenant)
	}
	sso, err := s.db.SSO(ctx, tenant)
	if err != nil {
		return err
	}
	if !sso.Enabled {
		return refuse(refusedOff, "tenant_id", tenant)
	}
	clientSecret, err := s.db.SSOClientSecret(ctx, tenant)
	if err != nil {
		return err
	}
	provider, err := discover(ctx, sso.IssuerURL)
	if err != nil {
		return refuse(refusedUnreached, "tenant_id", tenant)
	}
	conf := oauth2.Config{ClientID: sso.ClientID, ClientSecret: clientSecret, Endpoint: provider.Endpoint(),
		RedirectURL: s.callbackURL(r), Scopes: []string{oidc.ScopeOpenID, "email"}}
	tok, err := conf.Exchange(idpContext(ctx), code, oauth2.VerifierOption(sec.verifier))
	if err != nil {
		return refuse(refusedExchange, "tenant_id", tenant)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return refuse(refusedNoIDToken, "tenant_id", tenant)
	}
	idt, err := provider.VerifierContext(idpContext(ctx), &oidc.Config{ClientID: sso.ClientID, Now: s.clock.Now}).Verify(ctx, raw)
	if err != nil {
		if _, expired := errors.AsType[*oidc.TokenExpiredError](err); expired {
			return refuse(refusedExpired, "tenant_id", tenant)
		}
		return refuse(refusedToken, "tenant_id", tenant)
	}
	var claims ssoClaims
	if err := idt.Claims(&claims); err != nil {
		return refuse(refusedToken, "tenant_id", tenant)
	}
	// A token for several audiences must have been issued to kluis
	// (OpenID Connect Core §3.1.3.7).
	if len(idt.Audience) > 1 && claims.AZP != sso.ClientID {
		return refuse(refusedToken, "tenant_id", tenant)
	}
	if !hmac.Equal([]byte(idt.Nonce), []byte(sec.nonce)) {
		return refuse(refusedNonce, "tenant_id", tenant)
	}
	email, ok := kluis.NormalizeEmail(claims.Email)
	if !claims.verified() || !ok {
		return refuse(refusedUnverified, "tenant_id", tenant)
	}
	a, err := s.db.AccountByEmail(ctx, tenant, email)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return refuse(refusedUnknown, "tenant_id", tenant)
	}
	if err != nil {
		return err
	}
	if a.Role == kluis.RoleIntegration {
		return refuse(refusedNoLogIn, "tenant_id", tenant, "user_id", a.ID)
	}
	if a.LockedAt(s.clock.Now()) {
		return refuse(refusedLocked, "tenant_id", tenant, "user_id", a.ID)
	}
	mfa := secondFactor(claims.AMR)
	if !mfa && a.HasTOTP() {
		// The provider showed one factor: kluis asks its own second.
		s.log.InfoContext(ctx, "log-in: work account right, code asked", "request_id", requestID(ctx), "tenant_id", tenant, "user_id", a.ID)
		if err := s.db.LapseOneTimePassword(ctx, a); err != nil {
			return err
		}
		return s.askCode(w, r, a, login.Next)
	}
	secret, err := s.db.CompleteSSOLogin(ctx, a, mfa)
	if err != nil {
		return err
	}
	return s.openSession(w, r, a, secret, login.Next, "oidc", "idp_mfa", mfa)
}

// sessionSecretKey carries the secret of the request's session, for the
// gate that asks whether the session began with the provider's second
// factor.
type sessionSecretKey struct{}

// secondFactorAtIdP reports whether the request's session began with a
// second factor at the agency's identity provider. When that cannot be
// read it answers no, so that the gate stays shut.
func (s *Server) secondFactorAtIdP(ctx context.Context) bool {
	secret, _ := ctx.Value(sessionSecretKey{}).(string)
	mfa, err := s.db.SessionIdPMFA(ctx, secret)
	if err != nil {
		s.log.ErrorContext(ctx, "read the session's second factor", "request_id", requestID(ctx), "err", err)
		return false
	}
	return mfa
}
