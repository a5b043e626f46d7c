package store_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

const ssoSecret = "Zq8~kluis.test-client-secret_4711"

func goodSSO() store.SSOChange {
	return store.SSOChange{Enabled: true, IssuerURL: "https://login.microsoftonline.com/8f0e1c2d-3b4a-4c5d-9e8f-7a6b5c4d3e2f/v2.0",
		ClientID: "0c4a1f7e-5b2d-4e8a-9c3f-6d1b2a3c4d5e", ClientSecret: ssoSecret, PasswordLogin: true}
}

func TestTheSSOSetUpIsCheckedFieldByField(t *testing.T) {
	for _, tc := range []struct {
		name      string
		change    func(c *store.SSOChange)
		secretSet bool
		want      []string
	}{
		{"a good set-up", func(c *store.SSOChange) {}, false, nil},
		{"off, empty", func(c *store.SSOChange) { *c = store.SSOChange{} }, false, nil},
		{"on needs all three", func(c *store.SSOChange) { *c = store.SSOChange{Enabled: true} }, false, []string{"client_id", "client_secret", "issuer_url"}},
		{"a stored secret may stay", func(c *store.SSOChange) { c.ClientSecret = "" }, true, nil},
		{"plain http elsewhere than this machine", func(c *store.SSOChange) { c.IssuerURL = "http://idp.example.nl" }, false, []string{"issuer_url"}},
		{"plain http on this machine", func(c *store.SSOChange) { c.IssuerURL = "http://127.0.0.1:5556/dex" }, false, nil},
		{"not an address", func(c *store.SSOChange) { c.IssuerURL = "login.microsoftonline.com" }, false, []string{"issuer_url"}},
		{"a query", func(c *store.SSOChange) { c.IssuerURL = "https://idp.example.nl/?tenant=1" }, false, []string{"issuer_url"}},
		{"a user name", func(c *store.SSOChange) { c.IssuerURL = "https://admin@idp.example.nl" }, false, []string{"issuer_url"}},
		{"too long", func(c *store.SSOChange) { c.IssuerURL = "https://idp.example.nl/" + strings.Repeat("a", 300) }, false, []string{"issuer_url"}},
		{"a client id with a space", func(c *store.SSOChange) { c.ClientID = "kluis app" }, false, []string{"client_id"}},
		{"a secret with a line break", func(c *store.SSOChange) { c.ClientSecret = "abc\ndef" }, false, []string{"client_secret"}},
		{"a secret without a client id", func(c *store.SSOChange) { c.Enabled, c.ClientID, c.IssuerURL = false, "", "" }, false, []string{"client_secret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := goodSSO()
			tc.change(&c)
			got := mapKeys(fields(store.CheckSSO(&c, tc.secretSet)))
			if !slices.Equal(got, tc.want) {
				t.Errorf("fields in error %v, want %v", got, tc.want)
			}
		})
	}
}

func mapKeys(m map[string]kluis.Msg) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestTheSSOSetUpIsVersionedAuditedAndKeepsItsSecret(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		admin := mustAdmin(t, e)
		if s, err := e.DB.SSO(ctx, e.Tenant.ID); err != nil || s.Enabled || !s.PasswordLogin || s.Version != 0 || s.SecretSet {
			t.Fatalf("before any set-up: %+v, %v", s, err)
		}
		// A refused change writes nothing.
		bad := goodSSO()
		bad.ClientID = "two words"
		if _, err := e.DB.SaveSSO(ctx, admin, bad, 0); code(err) != kluis.EInvalid {
			t.Fatalf("a bad client id: %v", err)
		}
		if s, _ := e.DB.SSO(ctx, e.Tenant.ID); s.Version != 0 {
			t.Fatal("a refused change was saved")
		}
		saved, err := e.DB.SaveSSO(ctx, admin, goodSSO(), 0)
		if err != nil || saved.Version != 1 || !saved.SecretSet || !saved.Enabled {
			t.Fatalf("save: %+v, %v", saved, err)
		}
		if got, err := e.DB.SSOClientSecret(ctx, e.Tenant.ID); err != nil || got != ssoSecret {
			t.Fatalf("the secret read back: %q, %v", got, err)
		}
		// An empty secret keeps the stored one; the version guards.
		keep := goodSSO()
		keep.ClientSecret, keep.PasswordLogin = "", false
		if _, err := e.DB.SaveSSO(ctx, admin, keep, 0); code(err) != kluis.EConflict {
			t.Fatalf("a change on an old version: %v", err)
		}
		if s, err := e.DB.SaveSSO(ctx, admin, keep, 1); err != nil || s.Version != 2 || s.PasswordLogin || !s.SecretSet {
			t.Fatalf("keep the secret: %+v, %v", s, err)
		}
		if got, _ := e.DB.SSOClientSecret(ctx, e.Tenant.ID); got != ssoSecret {
			t.Fatalf("the secret after a change without one: %q", got)
		}
		s, _ := e.DB.SSO(ctx, e.Tenant.ID)
		for role, want := range map[kluis.Role]bool{kluis.RoleRecruiter: false, kluis.RolePayroll: false, kluis.RoleAdmin: true} {
			if s.PasswordAllowed(role) != want {
				t.Errorf("with passwords off, %s may log in with one: %v", role, !want)
			}
		}
		// Without a client id no secret is kept.
		if s, err := e.DB.SaveSSO(ctx, admin, store.SSOChange{PasswordLogin: true}, 2); err != nil || s.SecretSet {
			t.Fatalf("cleared: %+v, %v", s, err)
		}
		// The audit log names the columns changed, never a value.
		entries, _, err := e.DB.AuditLog(ctx, admin, store.AuditFilter{Action: "settings", Page: kluis.Page{Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, en := range entries {
			if en.Entity == "tenant_sso" {
				got = append(got, strings.Join(en.Fields, ","))
			}
		}
		slices.Sort(got)
		want := []string{"enabled,issuer_url,client_id,client_secret", "password_login", "enabled,issuer_url,client_id,client_secret,password_login"}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("audit entries %q, want %q", got, want)
		}
	})
}

func TestTheSSOClientSecretIsUnreadableInTheRawFile(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	admin := mustAdmin(t, e)
	if _, err := e.DB.SaveSSO(ctx, admin, goodSSO(), 0); err != nil {
		t.Fatal(err)
	}
	if raw := rawBytes(t, e.Dir); len(raw) < 10_000 || bytes.Contains(raw, []byte(ssoSecret)) {
		t.Fatalf("the client secret is readable in the raw database (%d bytes read)", len(raw))
	}
	// Sealed to its agency: copied to another agency's row, it does not open.
	other, _, err := e.DB.CreateTenant(ctx, "ander-bureau", "Ander Bureau", "Zwolle", "Zwolle")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.SaveSSO(ctx, kluis.Actor{TenantID: other.ID, Role: kluis.RoleAdmin}, store.SSOChange{IssuerURL: "https://accounts.google.com", ClientID: "x", ClientSecret: "y", PasswordLogin: true}, 0); err != nil {
		t.Fatal(err)
	}
	db := storetest.Raw(t, e)
	if _, err := db.Exec("UPDATE tenant_sso SET client_secret = (SELECT client_secret FROM tenant_sso WHERE tenant_id = $1) WHERE tenant_id = $2", e.Tenant.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := e.DB.SSOClientSecret(ctx, other.ID); err == nil || got != "" {
		t.Errorf("a secret copied to another agency opened there: %q, %v", got, err)
	}
}

func TestAnSSOLogInUnderWayIsTakenOnceWithinTenMinutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		secret, err := e.DB.StartSSOLogin(ctx, e.Tenant.ID, "/clients", "en")
		if err != nil {
			t.Fatal(err)
		}
		l, err := e.DB.TakeSSOLogin(ctx, secret)
		if err != nil || l.TenantID != e.Tenant.ID || l.Slug != e.Tenant.Slug || l.Next != "/clients" || l.Lang != "en" {
			t.Fatalf("taken: %+v, %v", l, err)
		}
		if _, err := e.DB.TakeSSOLogin(ctx, secret); code(err) != kluis.EUnauthorized {
			t.Fatalf("taken twice: %v", err)
		}
		if _, err := e.DB.TakeSSOLogin(ctx, "not-a-secret"); code(err) != kluis.EUnauthorized {
			t.Fatalf("an unknown secret: %v", err)
		}
		late, err := e.DB.StartSSOLogin(ctx, e.Tenant.ID, "/", "nl")
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(store.SSOLoginTTL)
		if _, err := e.DB.TakeSSOLogin(ctx, late); code(err) != kluis.EUnauthorized {
			t.Fatalf("taken after ten minutes: %v", err)
		}
		// Log-ins that ran out go when the next one starts.
		if _, err := e.DB.StartSSOLogin(ctx, e.Tenant.ID, "/", "nl"); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(store.SSOLoginTTL + time.Second)
		if _, err := e.DB.StartSSOLogin(ctx, e.Tenant.ID, "/", "nl"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := storetest.Raw(t, e).QueryRow("SELECT count(*) FROM sso_logins").Scan(&n); err != nil || n != 1 {
			t.Errorf("%d log-ins under way after the clean-up (%v), want 1", n, err)
		}
	})
}

func TestAnSSOLogInStartsASessionAsAPasswordDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		admin := mustAdmin(t, e)
		rec := mustAccount(t, e, admin, "lotte", kluis.RoleRecruiter)
		if _, err := e.DB.LoginFailed(ctx, e.Tenant.ID, rec.ID); err != nil {
			t.Fatal(err)
		}
		// The administrator's one-time password: unused, it lapses at the
		// first SSO log-in.
		if err := e.DB.ResetPassword(ctx, admin, rec.ID, rec.Version, "argon2id-hash-of-a-one-time-password"); err != nil {
			t.Fatal(err)
		}
		a, _ := e.DB.Account(ctx, e.Tenant.ID, rec.ID)
		secret, err := e.DB.CompleteSSOLogin(ctx, a, false)
		if err != nil {
			t.Fatal(err)
		}
		after, _ := e.DB.Account(ctx, e.Tenant.ID, rec.ID)
		if after.FailedLogins != 0 || after.LastLoginAt == nil || after.MustChangePassword || after.PasswordHash != "" || after.Version != a.Version+1 {
			t.Errorf("after the SSO log-in: %+v", after)
		}
		if s, err := e.DB.SessionAccount(ctx, secret); err != nil || s.ID != rec.ID {
			t.Fatalf("the session: %v, %v", s, err)
		}
		if mfa, err := e.DB.SessionIdPMFA(ctx, secret); err != nil || mfa {
			t.Errorf("a session without the provider's second factor says %v, %v", mfa, err)
		}
		with, err := e.DB.CompleteSSOLogin(ctx, after, true)
		if err != nil {
			t.Fatal(err)
		}
		if mfa, err := e.DB.SessionIdPMFA(ctx, with); err != nil || !mfa {
			t.Errorf("a session with the provider's second factor says %v, %v", mfa, err)
		}
		// An administrator keeps a password: theirs does not lapse.
		boss := mustAccount(t, e, admin, "baas", kluis.RoleAdmin)
		if err := e.DB.ResetPassword(ctx, admin, boss.ID, boss.Version, "argon2id-hash-of-a-one-time-password"); err != nil {
			t.Fatal(err)
		}
		b, _ := e.DB.Account(ctx, e.Tenant.ID, boss.ID)
		if _, err := e.DB.CompleteSSOLogin(ctx, b, true); err != nil {
			t.Fatal(err)
		}
		if b2, _ := e.DB.Account(ctx, e.Tenant.ID, boss.ID); !b2.MustChangePassword || b2.PasswordHash == "" {
			t.Errorf("the administrator's one-time password lapsed: %+v", b2)
		}
		// Each log-in is an entry of the audit log, as with a password.
		entries, _, err := e.DB.AuditLog(ctx, admin, store.AuditFilter{Action: "login", Page: kluis.Page{Limit: 10}})
		if err != nil || len(entries) != 3 {
			t.Fatalf("%d log-in entries (%v), want 3", len(entries), err)
		}
		if entries[0].UserID != boss.ID || entries[0].Entity != "users" || entries[0].EntityID != boss.ID {
			t.Errorf("the last log-in entry: %+v", entries[0])
		}
		if _, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTheLogInPageFindsItsAgency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		if tn, s, err := e.DB.LoginSSO(ctx, ""); err != nil || tn.ID != e.Tenant.ID || s.Enabled {
			t.Fatalf("the only agency: %v %v %v", tn, s, err)
		}
		if _, _, err := e.DB.LoginSSO(ctx, "geen-bureau"); code(err) != kluis.ENotFound {
			t.Fatalf("an unknown agency: %v", err)
		}
		if _, _, err := e.DB.CreateTenant(ctx, "ander-bureau", "Ander Bureau", "Zwolle", "Zwolle"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.DB.LoginSSO(ctx, ""); code(err) != kluis.ENotFound {
			t.Fatalf("two agencies and no short name: %v", err)
		}
		if tn, _, err := e.DB.LoginSSO(ctx, "Ander-Bureau"); err != nil || tn.Slug != "ander-bureau" {
			t.Fatalf("by short name: %v %v", tn, err)
		}
	})
}
