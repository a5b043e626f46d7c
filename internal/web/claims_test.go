package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
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

// zeros is an endless stream of a byte, to send large bodies without
// holding them.
type zeros byte

func (z zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(z)
	}
	return len(p), nil
}

// TestTheUploadLimitsHoldOverHTTP: an import of more than 50 MB and an
// upload past the ceiling of every request body (51 MB) are refused over
// HTTP with 413 and a message, the server stops reading, and nothing is
// stored; an import just under the limit is read (and its rows judged).
func TestTheUploadLimitsHoldOverHTTP(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	admin := u.user(t, "Aart", kluis.RoleAdmin)
	secret, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, admin.ID, "limits", 0)
	if err != nil {
		t.Fatal(err)
	}
	recruiter, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, u.Actor.UserID, "limits", 0)
	if err != nil {
		t.Fatal(err)
	}
	c := u.MustCreateCandidate(t, "Groot")
	multipartOf := func(field, name, head string, size int64, extra map[string]string) (io.Reader, string) {
		boundary := "kluisgrens"
		var pre strings.Builder
		for k, v := range extra {
			pre.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n")
		}
		pre.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + name + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + head)
		body := io.MultiReader(strings.NewReader(pre.String()), io.LimitReader(zeros('a'), size-int64(len(head))), strings.NewReader("\r\n--"+boundary+"--\r\n"))
		return body, "multipart/form-data; boundary=" + boundary
	}
	post := func(tok, path string, body io.Reader, ctype string) (int, string) {
		req, _ := http.NewRequest("POST", u.srv.URL+path, body)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", ctype)
		res, err := u.browser.Do(req)
		if err != nil {
			// The server may close the connection once it has refused.
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	body, ctype := multipartOf("candidates", "groot.csv", "external_id;last_name\n", 50<<20+1, nil)
	if code, b := post(secret, "/api/v1/imports", body, ctype); code != http.StatusRequestEntityTooLarge || !strings.Contains(b, "te groot") {
		t.Errorf("an import of 50 MB and a byte: %d %.300s", code, b)
	}
	body, ctype = multipartOf("file", "groot.pdf", "%PDF-1.4\n", maxRequestBody+1, map[string]string{"candidate_id": idText(c.ID), "kind": "cv"})
	if code, b := post(recruiter, "/api/v1/documents", body, ctype); code != http.StatusRequestEntityTooLarge {
		t.Errorf("an upload past the ceiling of every body: %d %.300s", code, b)
	}
	if ds, n, err := u.DB.ListDocuments(ctx, u.Actor, store.DocumentFilter{CandidateID: c.ID}); err != nil || n != 0 {
		t.Errorf("%d documents stored (%v, %v)", n, ds, err)
	}
	// Just under the import limit: read whole, each row judged (here a
	// row of 'a's that names no candidate's fields).
	body, ctype = multipartOf("candidates", "bijna.csv", "external_id;last_name\n", 50<<20-4096, nil)
	if code, b := post(secret, "/api/v1/imports?dry_run=true", body, ctype); code >= 500 || code == http.StatusRequestEntityTooLarge {
		t.Errorf("an import just under 50 MB: %d %.300s", code, b)
	}
	if _, n, err := u.DB.ListCandidates(ctx, u.Actor, store.CandidateFilter{}); err != nil || n != 1 {
		t.Errorf("%d candidates after the refused imports (%v)", n, err)
	}
}
