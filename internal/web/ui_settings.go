package web

import (
	"net/http"

	"kluis/internal/kluis"
)

func (s *Server) settingsRoutes() []route {
	return []route{
		{"GET", "/settings", session, s.settingsPage},
		{"POST", "/settings/language", session, s.settingsLanguage},
		{"POST", "/settings/logout-all", session, s.settingsLogoutAll},
		{"POST", "/settings/branches", session, s.settingsAddBranch},
	}
}

// settingsView is the settings page: the user's own account and language,
// the sessions, and the agency's branches.
type settingsView struct {
	Base
	BranchName   string
	LangForm     *Form
	Languages    []Option
	Branches     []kluis.Branch
	CanAddBranch bool
	BranchForm   *Form
}

// mayAddBranches reports whether a role manages the agency's branches.
func mayAddBranches(r kluis.Role) bool { return r == kluis.RoleManager || r == kluis.RoleAdmin }

func (s *Server) settingsView(r *http.Request) (*settingsView, error) {
	u := userFrom(r.Context())
	v := &settingsView{Base: s.baseFor(r, "settings", "settings.title"), CanAddBranch: mayAddBranches(u.Role)}
	v.LangForm, v.BranchForm = newForm(v.Lang), newForm(v.Lang)
	v.LangForm.Values["language"] = u.Language
	// Each language is offered in its own name.
	v.Languages = []Option{{Value: "nl", Label: text("nl", "lang.nl")}, {Value: "en", Label: text("en", "lang.en")}}
	bs, err := s.db.Branches(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	v.Branches = bs
	for _, b := range bs {
		if b.ID == u.BranchID {
			v.BranchName = b.Name
		}
	}
	return v, nil
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.settingsView(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "settings", "", v)
}

func (s *Server) settingsLanguage(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r, 0); err != nil {
		return err
	}
	u := userFrom(r.Context())
	f := formFrom(r, u.Language, "language")
	err := s.db.SetLanguage(r.Context(), u.TenantID, u.ID, f.Values["language"])
	if err == nil {
		// The next page is read with the user as stored: in the new language.
		return seeOther(w, r, "/settings", "form.saved")
	}
	if err := f.Fail(err); err != nil {
		return err
	}
	v, err := s.settingsView(r)
	if err != nil {
		return err
	}
	v.LangForm = f
	return s.render(w, r, http.StatusUnprocessableEntity, "settings", "", v)
}

// settingsLogoutAll ends every session of the user, this one included.
func (s *Server) settingsLogoutAll(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	if err := s.db.EndUserSessions(r.Context(), u.TenantID, u.ID); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "log-out everywhere", "request_id", requestID(r.Context()), "tenant_id", u.TenantID, "user_id", u.ID)
	s.clearSessionCookie(w, r)
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", "/login")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) settingsAddBranch(w http.ResponseWriter, r *http.Request) error {
	if !mayAddBranches(userFrom(r.Context()).Role) {
		return kluis.Errorf(kluis.EForbidden, "Alleen een vestigingsmanager of een beheerder kan vestigingen toevoegen.",
			"Only a branch manager or an administrator can add branches.")
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	v, err := s.settingsView(r)
	if err != nil {
		return err
	}
	f := formFrom(r, v.Lang, "name", "city")
	// The store shortens nothing but drops a line that is too long; say so.
	for _, k := range []string{"name", "city"} {
		if _, ok := kluis.CleanLine(f.Values[k], 100); !ok {
			f.Errors[k] = v.T("search.toolong")
		}
	}
	if !f.HasErrors() {
		_, err = s.db.CreateBranch(r.Context(), actorFrom(r.Context()), f.Values["name"], f.Values["city"])
		if err == nil {
			return seeOther(w, r, "/settings", "form.saved")
		}
		if err := f.Fail(err); err != nil {
			return err
		}
	}
	v.BranchForm = f
	return s.render(w, r, http.StatusUnprocessableEntity, "settings", "", v)
}
