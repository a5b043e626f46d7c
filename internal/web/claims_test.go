package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// TestTheSessionCookieIsSecureBehindATLSProxy: behind a reverse proxy that
// ends TLS and says so with X-Forwarded-Proto: https (docs/OPERATIONS.md),
// the session cookie is Secure; over plain HTTP on loopback it is not, or
// a browser would not send it back. Both are HttpOnly and SameSite.
func TestTheSessionCookieIsSecureBehindATLSProxy(t *testing.T) {
	u := newClientUIEnv(t)
	sam := u.user(t, "Sam", kluis.RoleRecruiter)
	u.withPassword(t, sam, testPW)
	for _, tc := range []struct {
		proto  string
		secure bool
	}{{"https", true}, {"", false}, {"http", false}} {
		r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"email": {sam.Email}, "password": {testPW}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		w := httptest.NewRecorder()
		u.web.ServeHTTP(w, r)
		var session *http.Cookie
		for _, c := range w.Result().Cookies() {
			if c.Name == sessionCookie {
				session = c
			}
		}
		if w.Code != http.StatusSeeOther || session == nil {
			t.Fatalf("log-in with X-Forwarded-Proto %q: %d, no session cookie", tc.proto, w.Code)
		}
		if session.Secure != tc.secure || !session.HttpOnly || session.SameSite == http.SameSiteNoneMode || session.SameSite == 0 {
			t.Errorf("X-Forwarded-Proto %q: Secure %v HttpOnly %v SameSite %v", tc.proto, session.Secure, session.HttpOnly, session.SameSite)
		}
	}
}

// TestEveryStateChangingRouteRefusesACrossSiteRequest walks the route table:
// every route that is not a GET, sent from another site (as a browser
// marks it: Sec-Fetch-Site cross-site, the other site's Origin) with a
// valid session of the agency's administrator, is refused with 403 before
// its handler runs — nothing lands in the access log.
func TestEveryStateChangingRouteRefusesACrossSiteRequest(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	admin := u.user(t, "Aart", kluis.RoleAdmin)
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	m := seedMatrixAgency(t, u.DB, kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}, u.Branch.ID, matrixBSN)
	cookies := []string{u.session(t, admin.ID), u.session(t, officer.ID)}
	secret, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, officer.ID, "csrf", 0)
	if err != nil {
		t.Fatal(err)
	}
	u.web.access.Flush()
	before, err := u.DB.VerifyAudit(ctx, u.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	walked := 0
	for _, rt := range u.web.routes() {
		if rt.method == "GET" || rt.method == "HEAD" {
			continue
		}
		for _, cookie := range cookies {
			req, _ := http.NewRequest(rt.method, u.srv.URL+m.path(rt.pattern), strings.NewReader("version=1"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Origin", "https://evil.example")
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
			req.AddCookie(&http.Cookie{Name: portalCookie, Value: cookie})
			if rt.guard == token {
				req.Header.Set("Authorization", "Bearer "+secret)
			}
			res, err := u.browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			walked++
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s from another site: %d", rt.method, rt.pattern, res.StatusCode)
			}
		}
	}
	if walked < 150 {
		t.Fatalf("only %d requests: the route table was not walked", walked)
	}
	u.web.access.Flush()
	if after, err := u.DB.VerifyAudit(ctx, u.Tenant.ID); err != nil || after != before {
		t.Errorf("the access log went from %d to %d entries (%v): a cross-site request reached a handler", before, after, err)
	}
}
