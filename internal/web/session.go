package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"kluis/internal/auth"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

const sessionCookie = "kluis_session"

type userKey struct{}

func userFrom(ctx context.Context) *kluis.User {
	u, _ := ctx.Value(userKey{}).(*kluis.User)
	return u
}

// loggedIn admits requests with a live session; others go to the log-in
// page (htmx requests by a redirect header, so the whole page changes).
func (s *Server) loggedIn(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			s.toLogin(w, r)
			return nil
		}
		u, err := s.db.SessionUser(r.Context(), c.Value)
		if kluis.ErrorCode(err) == kluis.EUnauthorized {
			s.clearSessionCookie(w, r)
			s.toLogin(w, r)
			return nil
		}
		if err != nil {
			return err
		}
		ctx := context.WithValue(r.Context(), userKey{}, u)
		ctx = context.WithValue(ctx, actorKey{}, kluis.Actor{TenantID: u.TenantID, UserID: u.ID, Role: u.Role})
		r = r.WithContext(ctx)
		// Errors are rendered here, with the user known, so that the error
		// page speaks their language and carries the menu.
		if err := h(w, r); err != nil {
			s.uiError(w, r, err)
		}
		return nil
	}
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
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
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
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	v := loginView{Base: s.baseFor(r, "", "login.title"), Next: safeNext(r.URL.Query().Get("next"))}
	if r.URL.Query().Get("expired") == "1" {
		v.ErrorKey = "login.expired"
	}
	return s.render(w, r, http.StatusOK, "login", "", v)
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

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	v := loginView{Base: s.baseFor(r, "", "login.title"), Email: strings.TrimSpace(r.PostForm.Get("email")),
		Tenant: strings.TrimSpace(r.PostForm.Get("tenant")), Next: safeNext(r.PostForm.Get("next"))}
	password := r.PostForm.Get("password")
	if len(v.Email) > 254 || len(password) > 1000 || len(v.Tenant) > 40 {
		v.ErrorKey = "login.failed"
		return s.render(w, r, http.StatusBadRequest, "login", "", v)
	}
	users, tenants, err := s.db.LoginCandidates(r.Context(), v.Email)
	if err != nil {
		return err
	}
	var match *kluis.User
	if v.Tenant != "" {
		for i := range users {
			if tenants[i].Slug == v.Tenant {
				match = &users[i]
			}
		}
	} else if len(users) == 1 {
		match = &users[0]
	} else if len(users) > 1 {
		v.AskTenant, v.ErrorKey = true, "login.ambiguous"
		return s.render(w, r, http.StatusBadRequest, "login", "", v)
	}
	hash := s.dummyHash()
	if match != nil && match.PasswordHash != "" {
		hash = match.PasswordHash
	}
	ok, err := auth.VerifyPassword(hash, password)
	if err != nil || !ok || match == nil || match.PasswordHash == "" || match.Role == kluis.RoleIntegration {
		s.log.InfoContext(r.Context(), "log-in failed", "request_id", requestID(r.Context()))
		v.ErrorKey, v.AskTenant = "login.failed", v.Tenant != ""
		return s.render(w, r, http.StatusUnauthorized, "login", "", v)
	}
	secret, err := s.db.CreateSession(r.Context(), match.TenantID, match.ID)
	if err != nil {
		return err
	}
	// A fresh session id at every log-in: a session id planted before it
	// is worth nothing after.
	s.clearSessionCookie(w, r)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r), MaxAge: int(store.SessionMaxAge.Seconds())})
	s.log.InfoContext(r.Context(), "log-in", "request_id", requestID(r.Context()), "tenant_id", match.TenantID, "user_id", match.ID)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.db.EndSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r), MaxAge: -1})
}

// secureCookies is true behind TLS, directly or at a proxy that says so.
func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}
