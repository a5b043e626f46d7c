package web

import (
	"net/http"
	"strconv"

	"kluis/internal/auth"
	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// loginSecurityRoutes are the routes of log-in security: the second step
// of a log-in, the user's own password and two-factor log-in, and the
// administrator's management of the users.
func (s *Server) loginSecurityRoutes() []route {
	return []route{
		{"GET", "/login/code", page, s.loginCodePage},
		{"POST", "/login/code", page, s.loginCode},
		{"GET", "/settings/password", session, s.passwordPage},
		{"POST", "/settings/password", session, s.passwordChange},
		{"GET", "/settings/2fa", session, s.totpPage},
		{"POST", "/settings/2fa/setup", session, s.totpSetup},
		{"POST", "/settings/2fa/confirm", session, s.totpConfirm},
		{"POST", "/settings/2fa/recovery", session, s.totpRenew},
		{"POST", "/settings/2fa/off", session, s.totpOff},
		{"GET", "/users", session, s.userList},
		{"POST", "/users", session, s.userAdd},
		{"GET", "/users/{id}", session, s.userPage},
		{"POST", "/users/{id}", session, s.userEdit},
		{"POST", "/users/{id}/password", session, s.userResetPassword},
		{"POST", "/users/{id}/2fa-reset", session, s.userResetTOTP},
		{"POST", "/users/{id}/unlock", session, s.userUnlock},
		{"POST", "/users/{id}/logout", session, s.userLogout},
	}
}

// userManagers are the roles that manage the staff's accounts: those the
// catalogue lets change the roles of staff (users.role). Computed once; it
// never changes.
var userManagers = func() map[kluis.Role]bool {
	cat, out := catalog.New(), map[kluis.Role]bool{}
	for _, r := range kluis.Roles {
		out[r] = cat.ManagesStaff(r)
	}
	return out
}()

func mayManageUsers(r kluis.Role) bool { return userManagers[r] }

// MayManageUsers puts the user management in the menu of those who may.
func (b Base) MayManageUsers() bool { return b.User != nil && mayManageUsers(b.User.Role) }

var errNotUserManager = kluis.Errorf(kluis.EForbidden, "Alleen een beheerder beheert de gebruikers.", "Only an administrator manages the users.")

// userRow is one user as the administrator sees them.
type userRow struct {
	store.Account
	BranchName  string
	Required    bool // their role requires two-factor log-in
	Locked      bool
	Integration bool // signs in with an API token; managed on the command line
	lang        string
}

// T returns the text for key in the viewer's language, for the partials
// that show a row's state.
func (row userRow) T(key string) string { return text(row.lang, key) }

// usersView is the list of the agency's users with the form to add one.
type usersView struct {
	Base
	Rows     []userRow
	Form     *Form
	Roles    []Option
	Branches []Option
}

var userFields = []string{"name", "email", "role", "branch_id"}

func (s *Server) userRows(r *http.Request, accounts []store.Account) ([]userRow, []kluis.Branch, error) {
	bs, err := s.db.Branches(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, nil, err
	}
	names := map[kluis.ID]string{}
	for _, b := range bs {
		names[b.ID] = b.Name
	}
	now := s.clock.Now()
	rows := make([]userRow, len(accounts))
	for i, a := range accounts {
		rows[i] = userRow{Account: a, BranchName: names[a.BranchID], Required: s.requiresTwoFactor(r.Context(), a.TenantID, a.Role),
			Locked: a.LockedAt(now), Integration: a.Role == kluis.RoleIntegration, lang: userFrom(r.Context()).Language}
	}
	return rows, bs, nil
}

// staffRoleOptions are the roles an administrator gives: all but the
// integration's.
func staffRoleOptions(lang string) []Option {
	var out []Option
	for _, r := range kluis.Roles {
		if r != kluis.RoleIntegration {
			out = append(out, Option{Value: string(r), Label: text(lang, "role."+string(r))})
		}
	}
	return out
}

func (s *Server) usersView(r *http.Request, f *Form) (*usersView, error) {
	if !mayManageUsers(actorFrom(r.Context()).Role) {
		return nil, errNotUserManager
	}
	v := &usersView{Base: s.baseFor(r, "users", "users.title"), Form: f}
	accounts, err := s.db.Accounts(r.Context(), actorFrom(r.Context()).TenantID)
	if err != nil {
		return nil, err
	}
	rows, bs, err := s.userRows(r, accounts)
	if err != nil {
		return nil, err
	}
	v.Rows, v.Roles, v.Branches = rows, staffRoleOptions(v.Lang), branchOptions(bs)
	if v.Form == nil {
		v.Form = newForm(v.Lang)
	}
	return v, nil
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	v, err := s.usersView(r, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "users", "", v)
}

// readUserForm reads the fields of a user as typed; a malformed branch is
// a field error, and nothing is saved while any field has one.
func readUserForm(r *http.Request, lang string) (*Form, store.UserEdit) {
	f := formFrom(r, lang, append(userFields, "version")...)
	e := store.UserEdit{Name: f.Values["name"], Email: f.Values["email"], Role: kluis.Role(f.Values["role"]), BranchID: f.Int64("branch_id")}
	if len(f.Values["email"]) > 254 {
		f.Errors["email"] = text(lang, "users.email.toolong")
	}
	return f, e
}

// userAdd adds a user with a one-time password, shown once, here.
func (s *Server) userAdd(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := actorFrom(ctx)
	if !mayManageUsers(a.Role) {
		return errNotUserManager
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f, e := readUserForm(r, userFrom(ctx).Language)
	if !f.HasErrors() {
		password, hash, err := oneTimePassword()
		if err != nil {
			return err
		}
		acc := &store.Account{User: kluis.User{Name: e.Name, Email: e.Email, Role: e.Role, BranchID: e.BranchID, PasswordHash: hash},
			MustChangePassword: true}
		err = s.db.CreateAccount(ctx, a, acc)
		if err == nil {
			s.log.InfoContext(ctx, "user added", "request_id", requestID(ctx), "tenant_id", a.TenantID, "user_id", acc.ID, "by", a.UserID)
			return s.showOneTimePassword(w, r, acc, password, "users.added")
		}
		if err := f.Fail(err); err != nil {
			return err
		}
	}
	v, err := s.usersView(r, f)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "users", "", v)
}

func oneTimePassword() (password, hash string, err error) {
	if password, err = auth.NewOneTimePassword(); err != nil {
		return "", "", err
	}
	hash, err = auth.HashPassword(password)
	return password, hash, err
}

// secretView shows a one-time password, once: the page is the answer to
// the POST that made it, and no copy is kept.
type secretView struct {
	Base
	Subject  *store.Account
	Password string
	Message  string
}

func (s *Server) showOneTimePassword(w http.ResponseWriter, r *http.Request, subject *store.Account, password, titleKey string) error {
	v := &secretView{Base: s.baseFor(r, "users", titleKey), Subject: subject, Password: password}
	return s.render(w, r, http.StatusOK, "user_secret", "", v)
}

// userView is one user's page: their data, the form to change them, and
// the administrator's actions.
type userView struct {
	Base
	Row      userRow
	Form     *Form
	Roles    []Option
	Branches []Option
	// Stale says an action was refused because the account changed since
	// the page was loaded; the page shows it as it is now.
	Stale bool
}

func (s *Server) userID(r *http.Request) (kluis.ID, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kluis.NotFound("user")
	}
	return id, nil
}

func (s *Server) userView(r *http.Request, f *Form) (*userView, error) {
	a := actorFrom(r.Context())
	if !mayManageUsers(a.Role) {
		return nil, errNotUserManager
	}
	id, err := s.userID(r)
	if err != nil {
		return nil, err
	}
	acc, err := s.db.Account(r.Context(), a.TenantID, id)
	if err != nil {
		return nil, err
	}
	rows, bs, err := s.userRows(r, []store.Account{*acc})
	if err != nil {
		return nil, err
	}
	v := &userView{Base: s.baseFor(r, "users", "users.user"), Row: rows[0], Form: f,
		Roles: staffRoleOptions(userFrom(r.Context()).Language), Branches: branchOptions(bs)}
	v.Title = acc.Name
	if v.Form == nil {
		v.Form = newForm(v.Lang)
		v.Form.Values = map[string]string{"name": acc.Name, "email": acc.Email, "role": string(acc.Role), "branch_id": "",
			"version": strconv.FormatInt(acc.Version, 10)}
		if acc.BranchID != 0 {
			v.Form.Values["branch_id"] = formatID(acc.BranchID)
		}
	} else if v.Form.Stale {
		// What was typed stays; the next save, on purpose, replaces what
		// the other person saved.
		v.Form.Values["version"] = strconv.FormatInt(acc.Version, 10)
	}
	return v, nil
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.userView(r, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "user", "", v)
}

// userEdit changes a user's name, e-mail address, role and branch.
func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := actorFrom(ctx)
	if !mayManageUsers(a.Role) {
		return errNotUserManager
	}
	id, err := s.userID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f, e := readUserForm(r, userFrom(ctx).Language)
	version := f.Int64("version")
	if !f.HasErrors() {
		_, err := s.db.UpdateUser(ctx, a, id, version, e)
		if err == nil {
			s.log.InfoContext(ctx, "user changed", "request_id", requestID(ctx), "tenant_id", a.TenantID, "user_id", id, "by", a.UserID)
			return seeOther(w, r, "/users/"+formatID(id), "form.saved")
		}
		if err := f.Fail(err); err != nil {
			return err
		}
	}
	v, err := s.userView(r, f)
	if err != nil {
		return err
	}
	status := http.StatusUnprocessableEntity
	if f.Stale {
		status = http.StatusConflict
	}
	return s.render(w, r, status, "user", "", v)
}

// userAction runs one of the administrator's actions on a user, based on
// the version of the account the page showed. A stale version shows the
// page again as it is now, and nothing is done.
func (s *Server) userAction(w http.ResponseWriter, r *http.Request, what string,
	act func(a kluis.Actor, id kluis.ID, version int64) error, done func(id kluis.ID) error) error {
	ctx := r.Context()
	a := actorFrom(ctx)
	if !mayManageUsers(a.Role) {
		return errNotUserManager
	}
	id, err := s.userID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	err = act(a, id, version)
	if kluis.ErrorCode(err) == kluis.EConflict {
		v, verr := s.userView(r, nil)
		if verr != nil {
			return verr
		}
		v.Stale = true
		return s.render(w, r, http.StatusConflict, "user", "", v)
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, what, "request_id", requestID(ctx), "tenant_id", a.TenantID, "user_id", id, "by", a.UserID)
	return done(id)
}

// userResetPassword gives the user a one-time password, shown once; they
// choose their own at the next log-in, and their sessions end.
func (s *Server) userResetPassword(w http.ResponseWriter, r *http.Request) error {
	var password string
	return s.userAction(w, r, "password reset by an administrator",
		func(a kluis.Actor, id kluis.ID, version int64) error {
			pw, hash, err := oneTimePassword()
			if err != nil {
				return err
			}
			password = pw
			return s.db.ResetPassword(r.Context(), a, id, version, hash)
		},
		func(id kluis.ID) error {
			acc, err := s.db.Account(r.Context(), actorFrom(r.Context()).TenantID, id)
			if err != nil {
				return err
			}
			return s.showOneTimePassword(w, r, acc, password, "users.password.reset")
		})
}

func (s *Server) userResetTOTP(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, "two-step verification reset by an administrator",
		func(a kluis.Actor, id kluis.ID, version int64) error {
			return s.db.ResetTOTP(r.Context(), a, id, version)
		},
		func(id kluis.ID) error { return s.afterUserAction(w, r, id, "users.totp.reset.done") })
}

func (s *Server) userUnlock(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, "account unlocked by an administrator",
		func(a kluis.Actor, id kluis.ID, version int64) error { return s.db.Unlock(r.Context(), a, id, version) },
		func(id kluis.ID) error { return seeOther(w, r, "/users/"+formatID(id), "users.unlock.done") })
}

// userLogout ends every session of the user. It changes nothing of the
// account itself, so any version will do.
func (s *Server) userLogout(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, "logged out everywhere by an administrator",
		func(a kluis.Actor, id kluis.ID, _ int64) error {
			if _, err := s.db.Account(r.Context(), a.TenantID, id); err != nil {
				return err
			}
			return s.db.EndUserSessions(r.Context(), a.TenantID, id)
		},
		func(id kluis.ID) error { return s.afterUserAction(w, r, id, "users.logout.done") })
}

// afterUserAction goes back to the user's page, or, when administrators
// ended their own sessions, to the log-in.
func (s *Server) afterUserAction(w http.ResponseWriter, r *http.Request, id kluis.ID, flash string) error {
	if id == actorFrom(r.Context()).UserID {
		s.clearSessionCookie(w, r)
		redirect(w, r, "/login")
		return nil
	}
	return seeOther(w, r, "/users/"+formatID(id), flash)
}

// LastLogin is when the user last logged in, for the pages.
func (row userRow) LastLogin() string {
	if row.LastLoginAt == nil {
		return ""
	}
	return formatTime(*row.LastLoginAt)
}

// LockedUntilText is until when the account is locked.
func (row userRow) LockedUntilText() string {
	if row.LockedUntil == nil {
		return ""
	}
	return formatTime(*row.LockedUntil)
}

// TOTPSinceText is since when two-factor log-in is on.
func (row userRow) TOTPSinceText() string {
	if row.TOTPSince == nil {
		return ""
	}
	return formatTime(*row.TOTPSince)
}
