package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"kluis/internal/kluis"
)

// TestARevokedTokenStopsWorkingWithinTheCacheTime: the token cache trusts a
// token for tokenTTL; after that, a revoked token is refused.
func TestARevokedTokenStopsWorkingWithinTheCacheTime(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	secret, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, u.Actor.UserID, "kort", 0)
	if err != nil {
		t.Fatal(err)
	}
	get := func() int {
		req, _ := http.NewRequest("GET", u.srv.URL+"/api/v1/branches", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := get(); code != http.StatusOK {
		t.Fatalf("a fresh token: %d", code)
	}
	if err := u.DB.DeleteTokens(ctx, u.Tenant.ID, u.Actor.UserID, "kort"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(tokenTTL + 100*time.Millisecond)
	if code := get(); code != http.StatusUnauthorized {
		t.Fatalf("a token revoked %s ago: %d", tokenTTL, code)
	}
	// An unknown token is never remembered.
	var c tokenCache
	calls := 0
	look := func(context.Context, string) (kluis.Actor, error) {
		calls++
		return kluis.Actor{}, kluis.Errorf(kluis.EUnauthorized, "nee", "no")
	}
	for i := 0; i < 3; i++ {
		_, _ = c.authenticate(ctx, "kluis_nope", look)
	}
	if calls != 3 {
		t.Fatalf("a refused token was cached: %d look-ups for 3 tries", calls)
	}
}
