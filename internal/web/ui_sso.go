package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// ssoRoutes are the routes of single sign-on: the log-in through the
// agency's identity provider (oidc.go) and the administrator's set-up
// page. The API's are in the route table: GET and PUT /api/v1/sso.
func (s *Server) ssoRoutes() []route {
	return []route{
		{"GET", "/login/oidc", page, s.ssoStart},
		{"GET", "/login/oidc/callback", page, s.ssoCallback},
		{"GET", "/settings/sso", session, s.ssoPage},
		{"POST", "/settings/sso", session, s.ssoSave},
	}
}

// maySetSSO reports whether a role sets up single sign-on: the
// administrator, who manages the log-ins.
func maySetSSO(r kluis.Role) bool { return r == kluis.RoleAdmin }

// MaySetSSO puts the set-up on the settings page of those who may.
func (b Base) MaySetSSO() bool { return b.User != nil && maySetSSO(b.User.Role) }

// ssoBody is the agency's single sign-on as the API shows it: the client
// secret never, only whether one is stored.
type ssoBody struct {
	Enabled         bool       `json:"enabled"`
	IssuerURL       string     `json:"issuer_url"`
	ClientID        string     `json:"client_id"`
	ClientSecretSet bool       `json:"client_secret_set"`
	PasswordLogin   bool       `json:"password_login"`
	RedirectURL     string     `json:"redirect_url"`
	LoginURL        string     `json:"login_url"`
	Version         int64      `json:"version"`
	UpdatedAt       *time.Time `json:"updated_at"`
}

// ssoInput is a change of the set-up: the whole of it, with the version
// it is based on. An empty or absent client_secret keeps the stored one.
type ssoInput struct {
	Enabled       *bool  `json:"enabled"`
	IssuerURL     string `json:"issuer_url"`
	ClientID      string `json:"client_id"`
	ClientSecret  string `json:"client_secret"`
	PasswordLogin *bool  `json:"password_login"`
	Version       *int64 `json:"version"`
}

// ssoOut is the set-up of the caller's agency with the addresses the
// administrator registers at the provider and gives to the staff.
func (s *Server) ssoOut(r *http.Request) (*ssoBody, error) {
	ctx := r.Context()
	a := actorFrom(ctx)
	sso, err := s.db.SSO(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	t, err := s.db.TenantByID(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	out := &ssoBody{Enabled: sso.Enabled, IssuerURL: sso.IssuerURL, ClientID: sso.ClientID, ClientSecretSet: sso.SecretSet,
		PasswordLogin: sso.PasswordLogin, RedirectURL: s.callbackURL(r), Version: sso.Version}
	out.LoginURL = strings.TrimSuffix(out.RedirectURL, "/oidc/callback") + "?" + url.Values{"tenant": {t.Slug}}.Encode()
	if sso.Version > 0 {
		out.UpdatedAt = &sso.UpdatedAt
	}
	return out, nil
}

func (s *Server) getSSO(w http.ResponseWriter, r *http.Request) error {
	if !maySetSSO(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	out, err := s.ssoOut(r)
	if err != nil {
		return err
	}
	return writeRecord(w, http.StatusOK, out, out.Version)
}

func (s *Server) putSSO(w http.ResponseWriter, r *http.Request) error {
	if !maySetSSO(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	var in ssoInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := kluis.Problems{}
	if in.Enabled == nil {
		p.Add("enabled", "Geef aan of inloggen met werkaccount aan staat (true of false).", "Say whether log-in with work account is on (true or false).")
	}
	if in.PasswordLogin == nil {
		p.Add("password_login", "Geef aan of medewerkers ook met een wachtwoord mogen inloggen (true of false).",
			"Say whether staff may also log in with a password (true or false).")
	}
	if in.Version == nil || *in.Version < 0 {
		p.Add("version", "Geef de versie mee waarop de wijziging is gebaseerd (0 als er nog niets is ingesteld).",
			"Give the version the change is based on (0 when nothing is set up yet).")
	}
	if err := p.Err(); err != nil {
		return err
	}
	c := store.SSOChange{Enabled: *in.Enabled, IssuerURL: in.IssuerURL, ClientID: in.ClientID, ClientSecret: in.ClientSecret,
		PasswordLogin: *in.PasswordLogin}
	if err := s.saveSSO(r.Context(), c, *in.Version); err != nil {
		return err
	}
	return s.getSSO(w, r)
}

// saveSSO checks a change field by field; with SSO on, it asks the
// provider for its discovery document, so that a wrong address is said at
// once rather than at the staff's next log-in; then it stores the change.
func (s *Server) saveSSO(ctx context.Context, c store.SSOChange, version int64) error {
	a := actorFrom(ctx)
	cur, err := s.db.SSO(ctx, a.TenantID)
	if err != nil {
		return err
	}
	check := c
	if err := store.CheckSSO(&check, cur.SecretSet); err != nil {
		return err
	}
	if check.Enabled && (check.IssuerURL != cur.IssuerURL || !cur.Enabled) {
		if _, err := discover(ctx, check.IssuerURL); err != nil {
			s.log.InfoContext(ctx, "sso: no discovery document at the issuer", "request_id", requestID(ctx), "tenant_id", a.TenantID)
			m := messages["sso.idp.unreachable"]
			p := kluis.Problems{}
			p.Add("issuer_url", m.NL, m.EN)
			return p.Err()
		}
	}
	saved, err := s.db.SaveSSO(ctx, a, c, version)
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "sso settings changed", "request_id", requestID(ctx), "tenant_id", a.TenantID, "user_id", a.UserID,
		"version", saved.Version, "enabled", saved.Enabled, "password_login", saved.PasswordLogin)
	return nil
}

// ssoView is the administrator's set-up page.
type ssoView struct {
	Base
	Form          *Form
	Enabled       bool
	PasswordLogin bool
	SSO           *ssoBody
	// SecretHelp is the help under the secret: whether one is stored.
	SecretHelp string
	Updated    time.Time
}

var ssoFields = []string{"issuer_url", "client_id", "version"}

func (s *Server) ssoView(r *http.Request, f *Form) (*ssoView, error) {
	if !maySetSSO(actorFrom(r.Context()).Role) {
		return nil, errNoAccess
	}
	v := &ssoView{Base: s.baseFor(r, "settings", "sso.title"), Form: f}
	out, err := s.ssoOut(r)
	if err != nil {
		return nil, err
	}
	v.SSO, v.SecretHelp = out, "sso.secret.unset"
	if out.ClientSecretSet {
		v.SecretHelp = "sso.secret.set"
	}
	if out.UpdatedAt != nil {
		v.Updated = *out.UpdatedAt
	}
	if f != nil && f.Stale {
		// Someone saved in between: the next save, on purpose, replaces it.
		f.Values["version"] = strconv.FormatInt(out.Version, 10)
	}
	if v.Form == nil {
		v.Form = newForm(v.Lang)
		v.Form.Values["issuer_url"], v.Form.Values["client_id"] = out.IssuerURL, out.ClientID
		v.Form.Values["version"] = strconv.FormatInt(out.Version, 10)
		v.Enabled, v.PasswordLogin = out.Enabled, out.PasswordLogin
	}
	// A secret never comes back in a page.
	v.Form.Values["client_secret"] = ""
	return v, nil
}

func (s *Server) ssoPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.ssoView(r, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "sso", "", v)
}

func (s *Server) ssoSave(w http.ResponseWriter, r *http.Request) error {
	if !maySetSSO(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, userFrom(r.Context()).Language, ssoFields...)
	secret := strings.TrimSpace(r.PostForm.Get("client_secret"))
	enabled, passwords := r.PostForm.Get("enabled") != "", r.PostForm.Get("password_login") != ""
	version := f.Int64("version")
	if !f.HasErrors() {
		err := s.saveSSO(r.Context(), store.SSOChange{Enabled: enabled, IssuerURL: f.Values["issuer_url"], ClientID: f.Values["client_id"],
			ClientSecret: secret, PasswordLogin: passwords}, version)
		if err == nil {
			return seeOther(w, r, "/settings/sso", "sso.saved")
		}
		if err := f.Fail(err); err != nil {
			return err
		}
	}
	if secret != "" && f.Errors["client_secret"] == "" {
		f.Errors["client_secret"] = text(f.Lang, "sso.secret.retype")
	}
	v, err := s.ssoView(r, f)
	if err != nil {
		return err
	}
	v.Enabled, v.PasswordLogin = enabled, passwords
	return s.render(w, r, http.StatusUnprocessableEntity, "sso", "", v)
}
