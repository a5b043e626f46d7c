package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"kluis/internal/store/storetest"
)

// TestATokenNeedsScopesAndCanBeRevoked: `kluis token create` refuses to
// make a token without scopes or with an unknown one, makes one with the
// scopes given, and `kluis token revoke` ends it.
func TestATokenNeedsScopesAndCanBeRevoked(t *testing.T) {
	e := storetest.Open(t, storetest.Dialects()[0])
	ctx := context.Background()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		base := []string{"--data", e.Dir, "--db", e.DSN, "--tenant", "test-bureau", "--user", "recruiter@test.kluis.test"}
		code := Main(ctx, append(append([]string{"token"}, args...), base...), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, out, msg := run("create"); code == 0 || out != "" || !strings.Contains(msg, "scope") {
		t.Fatalf("without scopes: %d %q %q", code, out, msg)
	}
	if code, _, msg := run("create", "--scopes", "candidates:delete"); code == 0 || !strings.Contains(msg, "candidates:delete") {
		t.Fatalf("an unknown scope: %d %q", code, msg)
	}
	code, out, msg := run("create", "--name", "rapport", "--scopes", "placements:read, candidates:read")
	if code != 0 || !strings.HasPrefix(out, "kluis_") || !strings.Contains(msg, "candidates:read,placements:read") {
		t.Fatalf("create: %d %q %q", code, out, msg)
	}
	a, err := e.DB.Authenticate(ctx, strings.TrimSpace(out))
	if err != nil || a.Scopes != "candidates:read,placements:read" {
		t.Fatalf("the token: %+v %v", a, err)
	}
	if code, _, msg := run("revoke", "--name", "rapport"); code != 0 {
		t.Fatalf("revoke: %q", msg)
	}
	if _, err := e.DB.Authenticate(ctx, strings.TrimSpace(out)); err == nil {
		t.Fatal("the revoked token still works")
	}
}
