package web

import (
	"net/http"

	"kluis/internal/auth"
)

// passwordView is the page where users choose their own password: at will
// (with the current one), or because an administrator gave them a
// one-time password (then it is the only page they reach, without menu).
type passwordView struct {
	Base
	Gated bool
	Email string
	Form  *Form
}

func (s *Server) passwordView(r *http.Request, f *Form) *passwordView {
	acc := accountFrom(r.Context())
	v := &passwordView{Base: s.baseFor(r, "settings", "password.title"), Gated: s.gateOf(r.Context(), acc) == gatePassword, Email: acc.Email, Form: f}
	if v.Gated {
		v.User = nil
	}
	if v.Form == nil {
		v.Form = newForm(v.Lang)
	}
	return v
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "password", "", s.passwordView(r, nil))
}

// passwordChange sets the user's own password. Passwords typed are never
// sent back in the page, also not when something is wrong.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r, 0); err != nil {
		return err
	}
	ctx := r.Context()
	acc := accountFrom(ctx)
	f := newForm(acc.Language)
	current, next, repeat := r.PostForm.Get("current"), r.PostForm.Get("new"), r.PostForm.Get("repeat")
	gated := s.gateOf(r.Context(), acc) == gatePassword
	if !gated {
		// A one-time password was typed a moment ago to get here; any
		// other change needs the current password, so that a session left
		// open is not enough to take the account over.
		ok, err := s.checkOwnPassword(r, acc, current)
		if err != nil {
			return err
		}
		if !ok {
			f.Errors["current"] = text(f.Lang, "password.current.wrong")
		}
	}
	if err := auth.CheckPasswordStrength(next); err != nil {
		f.Errors["new"] = text(f.Lang, "password.new.weak")
	} else if same, _ := auth.VerifyPassword(acc.PasswordHash, next); same {
		f.Errors["new"] = text(f.Lang, "password.new.same")
	}
	if repeat != next {
		f.Errors["repeat"] = text(f.Lang, "password.repeat.differs")
	}
	if f.HasErrors() {
		return s.render(w, r, http.StatusUnprocessableEntity, "password", "", s.passwordView(r, f))
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	keep := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		keep = c.Value
	}
	if err := s.db.ChangePassword(ctx, actorFrom(ctx), hash, keep); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "password changed", "request_id", requestID(ctx), "tenant_id", acc.TenantID, "user_id", acc.ID)
	if gated {
		// On to the start page, or to the set-up of two-factor log-in
		// when the role requires it.
		after := *acc
		after.MustChangePassword = false
		if s.gateOf(r.Context(), &after) == gateTOTP {
			return seeOther(w, r, gatePages[gateTOTP].to, "password.changed")
		}
		return seeOther(w, r, "/", "password.changed")
	}
	return seeOther(w, r, "/settings", "password.changed")
}
