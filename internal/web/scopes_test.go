package web

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// Every API route needs a scope a token can be given (or none, for the
// branches), so no route is out of reach of a scoped token by mistake.
func TestEveryAPIRouteNeedsAKnownScope(t *testing.T) {
	u := newClientUIEnv(t)
	for _, rt := range u.web.routes() {
		if rt.guard != token {
			continue
		}
		scope := routeScope(rt)
		if scope == "" && rt.pattern != "/api/v1/branches" {
			t.Errorf("%s %s needs no scope", rt.method, rt.pattern)
		}
		if scope != "" && !slices.Contains(kluis.TokenScopes, scope) {
			t.Errorf("%s %s needs %q, which no token can be given", rt.method, rt.pattern, scope)
		}
	}
}

// TestAScopedTokenDoesOnlyWhatItsScopesSay: a payroll user's token limited
// to reading candidates reads candidates, and may not change them nor read
// payroll records, although the user's role may.
func TestAScopedTokenDoesOnlyWhatItsScopesSay(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Jansen")
	payroll := u.user(t, "Pien", kluis.RolePayroll)
	secret, tok, err := u.DB.CreateScopedToken(ctx, u.Tenant.ID, payroll.ID, "rapportage", 0, "candidates:read")
	if err != nil || tok.Scopes != "candidates:read" {
		t.Fatalf("token %+v, %v", tok, err)
	}
	call := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, u.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("WWW-Authenticate") + " " + string(b)
	}
	path := "/api/v1/candidates/" + idText(c.ID)
	if code, body := call("GET", path, ""); code != http.StatusOK {
		t.Fatalf("read: %d %s", code, body)
	}
	if code, _ := call("POST", "/api/v1/candidates/search", `{"query":"jan"}`); code != http.StatusOK {
		t.Errorf("search: %d", code)
	}
	if code, body := call("PATCH", path, `{"city":"Houten","version":1}`); code != http.StatusForbidden || !strings.Contains(body, "candidates:write") {
		t.Errorf("write: %d %s", code, body)
	}
	if code, _ := call("GET", "/api/v1/payroll-records", ""); code != http.StatusForbidden {
		t.Errorf("payroll: %d", code)
	}
	if got, _ := u.DB.Candidate(ctx, u.Actor, c.ID); got.City != "Utrecht" {
		t.Error("the read-only token changed the candidate")
	}
	if _, _, err := u.DB.CreateScopedToken(ctx, u.Tenant.ID, payroll.ID, "x", 0, "candidates:delete"); kluis.ErrorCode(err) != kluis.EInvalid {
		t.Errorf("an unknown scope: %v", err)
	}
}

func TestWriteScopeImpliesRead(t *testing.T) {
	a := kluis.Actor{Scopes: "payroll:write"}
	if !a.Allows("payroll:read") || a.Allows("candidates:read") || !(kluis.Actor{}).Allows("audit:read") {
		t.Fatal("scopes do not combine as documented")
	}
}
