package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"kluis/internal/auth"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The user's own two-factor log-in: set it up with an authenticator app
// (the secret as a QR code and as text, confirmed with a first code), get
// new recovery codes, or turn it off where the role allows.

// totpIssuer is the name authenticator apps show above the code.
const totpIssuer = "kluis"

// totpView is the page of the user's two-factor log-in.
type totpView struct {
	Base
	// Gated: the user must set it up before anything else; the page has
	// no menu then, only the way out.
	Gated     bool
	Account   *store.Account
	Required  bool
	CodesLeft int
	// The set-up under way, if any: the secret as text (in groups of
	// four) and as a QR code.
	Pending   bool
	Secret    string
	QR        template.URL
	Form      *Form    // the first code
	OffForm   *Form    // the password, to turn it off
	RenewForm *Form    // a code, for new recovery codes
	Codes     []string // new recovery codes, shown once
}

func (s *Server) totpView(r *http.Request) (*totpView, error) {
	ctx := r.Context()
	acc := accountFrom(ctx)
	v := &totpView{Base: s.baseFor(r, "settings", "totp.title"), Account: acc, Required: s.requiresTwoFactor(ctx, acc.TenantID, acc.Role)}
	v.Gated = s.gateOf(ctx, acc) == gateTOTP
	if v.Gated {
		v.User = nil // no menu: nothing else can be reached yet
	}
	v.Form, v.OffForm, v.RenewForm = newForm(v.Lang), newForm(v.Lang), newForm(v.Lang)
	if acc.HasTOTP() {
		n, err := s.db.RecoveryCodesLeft(ctx, acc.TenantID, acc.ID)
		if err != nil {
			return nil, err
		}
		v.CodesLeft = n
	}
	secret, err := s.db.PendingTOTP(ctx, acc.TenantID, acc.ID)
	if err != nil {
		return nil, err
	}
	if secret != "" {
		png, err := auth.TOTPQRCode(totpIssuer, acc.Email, secret, 240)
		if err != nil {
			return nil, err
		}
		v.Pending, v.Secret = true, groupsOf4(secret)
		// A data: URL is what the Content-Security-Policy allows for
		// images besides kluis itself; the PNG is made here, so the
		// secret goes to no other server.
		v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)) // #nosec G203 -- a data: URL of a PNG made here, base64-encoded
	}
	return v, nil
}

// groupsOf4 writes a secret in groups of four characters, to read and type.
func groupsOf4(s string) string {
	var parts []string
	for len(s) > 4 {
		parts, s = append(parts, s[:4]), s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.totpView(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "totp", "", v)
}

// totpSetup starts a set-up: a new secret, shown on the page it redirects
// to. A set-up under way is replaced.
func (s *Server) totpSetup(w http.ResponseWriter, r *http.Request) error {
	acc := accountFrom(r.Context())
	if _, err := s.db.StartTOTPSetup(r.Context(), acc.TenantID, acc.ID); err != nil {
		return err
	}
	redirect(w, r, "/settings/2fa#setup")
	return nil
}

// totpConfirm takes the first code of the app: right, and two-factor
// log-in is on; the recovery codes are shown, this once.
func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r, 0); err != nil {
		return err
	}
	acc := accountFrom(r.Context())
	f := formFrom(r, acc.Language, "code")
	codes, err := s.db.ConfirmTOTP(r.Context(), actorFrom(r.Context()), auth.NormalizeCode(f.Values["code"]))
	if err == nil {
		s.log.InfoContext(r.Context(), "two-step verification set up", "request_id", requestID(r.Context()), "tenant_id", acc.TenantID, "user_id", acc.ID)
		return s.showRecoveryCodes(w, r, codes, "totp.done")
	}
	if err := f.Fail(err); err != nil {
		return err
	}
	v, err := s.totpView(r)
	if err != nil {
		return err
	}
	f.Values["code"] = "" // a code is good for 30 seconds: typing it again is the way
	v.Form = f
	return s.render(w, r, http.StatusUnprocessableEntity, "totp", "", v)
}

// showRecoveryCodes shows new recovery codes: the only time they are seen.
func (s *Server) showRecoveryCodes(w http.ResponseWriter, r *http.Request, codes []string, titleKey string) error {
	v := &totpView{Base: s.baseFor(r, "settings", titleKey), Codes: codes, Account: accountFrom(r.Context())}
	return s.render(w, r, http.StatusOK, "totp_codes", "", v)
}

// totpRenew replaces the recovery codes, after a current code from the app.
func (s *Server) totpRenew(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r, 0); err != nil {
		return err
	}
	ctx := r.Context()
	acc := accountFrom(ctx)
	f := formFrom(r, acc.Language, "renew_code")
	ok, err := s.db.CheckTOTP(ctx, acc.TenantID, acc.ID, auth.NormalizeCode(f.Values["renew_code"]))
	if err != nil {
		return err
	}
	if ok {
		codes, err := s.db.RenewRecoveryCodes(ctx, actorFrom(ctx))
		if err != nil {
			return err
		}
		s.log.InfoContext(ctx, "new recovery codes", "request_id", requestID(ctx), "tenant_id", acc.TenantID, "user_id", acc.ID)
		return s.showRecoveryCodes(w, r, codes, "totp.renewed")
	}
	f.Errors["renew_code"] = text(acc.Language, "totp.code.wrong")
	f.Values["renew_code"] = ""
	v, err := s.totpView(r)
	if err != nil {
		return err
	}
	v.RenewForm = f
	return s.render(w, r, http.StatusUnprocessableEntity, "totp", "", v)
}

// totpOff turns two-factor log-in off, for a role that does not require
// it, after the user's password.
func (s *Server) totpOff(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r, 0); err != nil {
		return err
	}
	ctx := r.Context()
	acc := accountFrom(ctx)
	if s.requiresTwoFactor(ctx, acc.TenantID, acc.Role) {
		return kluis.Errorf(kluis.EForbidden, "Uw rol vereist tweestapsverificatie: die kan niet uit.",
			"Your role requires two-step verification: it cannot be turned off.")
	}
	f := newForm(acc.Language)
	ok, err := s.checkOwnPassword(r, acc, r.PostForm.Get("off_password"))
	if err != nil {
		return err
	}
	if ok {
		if err := s.db.DisableTOTP(ctx, actorFrom(ctx)); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "two-step verification turned off", "request_id", requestID(ctx), "tenant_id", acc.TenantID, "user_id", acc.ID)
		return seeOther(w, r, "/settings/2fa", "totp.off.done")
	}
	f.Errors["off_password"] = text(acc.Language, "password.current.wrong")
	v, err := s.totpView(r)
	if err != nil {
		return err
	}
	v.OffForm = f
	return s.render(w, r, http.StatusUnprocessableEntity, "totp", "", v)
}

// checkOwnPassword checks the password of the logged-in user, where a page
// asks for it before a change that matters. A wrong one counts as a failed
// log-in, so that a session left open cannot be used to guess the
// password; while the account is locked none is accepted.
func (s *Server) checkOwnPassword(r *http.Request, acc *store.Account, pw string) (bool, error) {
	if acc.LockedAt(s.clock.Now()) || len(pw) > 1000 || acc.PasswordHash == "" {
		return false, nil
	}
	ok, err := auth.VerifyPassword(acc.PasswordHash, pw)
	if err != nil || ok {
		return ok, err
	}
	if locked, err := s.db.LoginFailed(r.Context(), acc.TenantID, acc.ID); err != nil {
		return false, err
	} else if locked {
		s.log.WarnContext(r.Context(), "account locked after failed log-ins", "request_id", requestID(r.Context()),
			"tenant_id", acc.TenantID, "user_id", acc.ID)
	}
	return false, nil
}

// Email is the user's e-mail address, for the page without menu.
func (v *totpView) Email() string { return v.Account.Email }

// TOTPSinceText is when two-factor log-in was set up, for the page.
func (v *totpView) TOTPSinceText() string {
	if v.Account == nil || v.Account.TOTPSince == nil {
		return ""
	}
	return formatTime(*v.Account.TOTPSince)
}
