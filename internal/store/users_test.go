package store_test

import (
	"bytes"
	"encoding/base32"
	"slices"
	"strings"
	"testing"
	"time"

	"kluis/internal/auth"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// mustAccount adds a user with a role, as the administrator's screen does.
func mustAccount(t *testing.T, e *storetest.Env, admin kluis.Actor, name string, role kluis.Role) *store.Account {
	t.Helper()
	a := &store.Account{User: kluis.User{Name: name, Email: name + "@test.kluis.test", Role: role, BranchID: e.Branch.ID, PasswordHash: "x"}}
	if err := e.DB.CreateAccount(ctx, admin, a); err != nil {
		t.Fatalf("add %s: %v", name, err)
	}
	return a
}

func mustAdmin(t *testing.T, e *storetest.Env) kluis.Actor {
	t.Helper()
	u := &kluis.User{Email: "beheer@test.kluis.test", Name: "Beheer", Role: kluis.RoleAdmin}
	if err := e.DB.CreateUser(ctx, e.Tenant.ID, u); err != nil {
		t.Fatal(err)
	}
	return kluis.Actor{TenantID: e.Tenant.ID, UserID: u.ID, Role: kluis.RoleAdmin}
}

func account(t *testing.T, e *storetest.Env, id kluis.ID) *store.Account {
	t.Helper()
	a, err := e.DB.Account(ctx, e.Tenant.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestFailedLogInsLockTheAccountForLongerEachTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		id := e.Actor.UserID
		fail := func(want bool) {
			t.Helper()
			locked, err := e.DB.LoginFailed(ctx, e.Tenant.ID, id)
			if err != nil || locked != want {
				t.Fatalf("a failed log-in locked %v (%v), want %v", locked, err, want)
			}
		}
		for range auth.LockAfter - 1 {
			fail(false)
		}
		if a := account(t, e, id); a.FailedLogins != auth.LockAfter-1 || a.LockedAt(e.Clock.Now()) {
			t.Fatalf("after %d failures: %+v", auth.LockAfter-1, a)
		}
		fail(true)
		a := account(t, e, id)
		if !a.LockedAt(e.Clock.Now()) || !a.LockedUntil.Equal(e.Clock.Now().Add(15*time.Minute)) || a.FailedLogins != 0 || a.LockCount != 1 {
			t.Fatalf("after %d failures: locked until %v, %+v", auth.LockAfter, a.LockedUntil, a)
		}
		e.Clock.Advance(14 * time.Minute)
		if !account(t, e, id).LockedAt(e.Clock.Now()) {
			t.Fatal("the lock-out ended after 14 minutes")
		}
		e.Clock.Advance(time.Minute)
		if account(t, e, id).LockedAt(e.Clock.Now()) {
			t.Fatal("the lock-out did not end after 15 minutes")
		}
		// The next lock-out in a row lasts twice as long.
		for range auth.LockAfter - 1 {
			fail(false)
		}
		fail(true)
		if a := account(t, e, id); !a.LockedUntil.Equal(e.Clock.Now().Add(30*time.Minute)) || a.LockCount != 2 {
			t.Fatalf("second lock-out until %v, want 30 minutes", a.LockedUntil)
		}
		// A successful log-in (after the lock-out) resets it all.
		e.Clock.Advance(30 * time.Minute)
		fail(false)
		secret, err := e.DB.CompleteLogin(ctx, e.Tenant.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		a = account(t, e, id)
		if a.FailedLogins != 0 || a.LockCount != 0 || a.LockedUntil != nil || a.LastLoginAt == nil || !a.LastLoginAt.Equal(e.Clock.Now()) {
			t.Fatalf("after a log-in: %+v", a)
		}
		if u, err := e.DB.SessionUser(ctx, secret); err != nil || u.ID != id {
			t.Fatalf("the log-in's session: %v %v", u, err)
		}
		for range auth.LockAfter - 1 {
			fail(false)
		}
		fail(true)
		if a := account(t, e, id); !a.LockedUntil.Equal(e.Clock.Now().Add(15 * time.Minute)) {
			t.Fatalf("after a success the lock-out starts at 15 minutes again, not %v", a.LockedUntil.Sub(e.Clock.Now()))
		}
	})
}

// setUpTOTP sets up two-factor log-in for the actor and returns the secret.
func setUpTOTP(t *testing.T, e *storetest.Env, a kluis.Actor) (string, []string) {
	t.Helper()
	secret, err := e.DB.StartTOTPSetup(ctx, a.TenantID, a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(secret, e.Clock.Now())
	codes, err := e.DB.ConfirmTOTP(ctx, a, code)
	if err != nil {
		t.Fatal(err)
	}
	return secret, codes
}

func TestATOTPCodeIsAcceptedOnceNearItsTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		a := e.Actor
		secret, err := e.DB.StartTOTPSetup(ctx, a.TenantID, a.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if pending, err := e.DB.PendingTOTP(ctx, a.TenantID, a.UserID); err != nil || pending != secret {
			t.Fatalf("the pending secret: %q %v", pending, err)
		}
		now := e.Clock.Now()
		wrong, _ := auth.TOTPCode(secret, now.Add(-5*time.Minute))
		if _, err := e.DB.ConfirmTOTP(ctx, a, wrong); code(err) != kluis.EInvalid {
			t.Fatalf("a wrong first code: %v", err)
		}
		if account(t, e, a.UserID).HasTOTP() {
			t.Fatal("a wrong first code set two-factor log-in up")
		}
		first, _ := auth.TOTPCode(secret, now)
		codes, err := e.DB.ConfirmTOTP(ctx, a, first)
		if err != nil || len(codes) != auth.RecoveryCodes {
			t.Fatalf("confirm: %d codes, %v", len(codes), err)
		}
		if acc := account(t, e, a.UserID); !acc.HasTOTP() || !acc.TOTPSince.Equal(now) {
			t.Fatalf("after the set-up: %+v", acc)
		}
		if pending, _ := e.DB.PendingTOTP(ctx, a.TenantID, a.UserID); pending != "" {
			t.Error("the pending secret is still there")
		}
		check := func(c string, want bool, what string) {
			t.Helper()
			ok, err := e.DB.CheckTOTP(ctx, a.TenantID, a.UserID, c)
			if err != nil || ok != want {
				t.Errorf("%s: accepted %v (%v), want %v", what, ok, err, want)
			}
		}
		// The code that confirmed the set-up is used.
		check(first, false, "the confirming code again")
		e.Clock.Advance(30 * time.Second)
		next, _ := auth.TOTPCode(secret, e.Clock.Now())
		check(next, true, "the next code")
		check(next, false, "the same code a second time (replay)")
		e.Clock.Advance(30 * time.Second)
		check(next, false, "the previous code, after a later one was used")
		check("abcdef", false, "letters")
		e.Clock.Advance(10 * time.Minute)
		old, _ := auth.TOTPCode(secret, e.Clock.Now().Add(-2*time.Minute))
		check(old, false, "a code of two minutes ago")

		// Recovery codes: each works once, typed as one likes.
		if n, _ := e.DB.RecoveryCodesLeft(ctx, a.TenantID, a.UserID); n != auth.RecoveryCodes {
			t.Fatalf("%d recovery codes stored", n)
		}
		used := func(c string, want bool) {
			t.Helper()
			ok, err := e.DB.UseRecoveryCode(ctx, a.TenantID, a.UserID, c)
			if err != nil || ok != want {
				t.Errorf("recovery code %q: %v %v, want %v", c, ok, err, want)
			}
		}
		used(codes[0], true)
		used(codes[0], false)
		used(codes[1][:4]+" "+strings.ToLower(codes[1][5:]), true)
		used("2345-6789-ABCD-EFGH", false)
		if n, _ := e.DB.RecoveryCodesLeft(ctx, a.TenantID, a.UserID); n != auth.RecoveryCodes-2 {
			t.Errorf("%d recovery codes left, want %d", n, auth.RecoveryCodes-2)
		}
		renewed, err := e.DB.RenewRecoveryCodes(ctx, a)
		if err != nil || len(renewed) != auth.RecoveryCodes || slices.Contains(renewed, codes[2]) {
			t.Fatalf("renew: %v %v", renewed, err)
		}
		used(codes[2], false)
		used(renewed[0], true)

		// Turned off, no code works and the recovery codes are gone.
		if err := e.DB.DisableTOTP(ctx, a); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Minute)
		now2, _ := auth.TOTPCode(secret, e.Clock.Now())
		check(now2, false, "a code after turning it off")
		used(renewed[1], false)
	})
}

// TestTheTOTPSecretIsUnreadableInTheRawFile reads the database file and
// its log as a thief of the disk or of a backup would.
func TestTheTOTPSecretIsUnreadableInTheRawFile(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	secret, codes := setUpTOTP(t, e, e.Actor)
	pending, err := e.DB.StartTOTPSetup(ctx, e.Tenant.ID, e.Actor.UserID)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawBytes(t, e.Dir)
	if len(raw) < 10_000 {
		t.Fatalf("read only %d bytes: not the database", len(raw))
	}
	for _, s := range []string{secret, pending} {
		key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(s)) || bytes.Contains(raw, key) {
			t.Error("a TOTP secret is readable in the raw database")
		}
	}
	for _, c := range codes {
		if bytes.Contains(raw, []byte(c)) {
			t.Error("a recovery code is readable in the raw database")
		}
	}
	// Sealed to its place: the secret copied to another user's row does
	// not open there.
	other := &kluis.User{Email: "ander@test.kluis.test", Role: kluis.RolePayroll}
	if err := e.DB.CreateUser(ctx, e.Tenant.ID, other); err != nil {
		t.Fatal(err)
	}
	db := storetest.Raw(t, e)
	if _, err := db.Exec("UPDATE users SET totp_secret = (SELECT totp_secret FROM users WHERE id = $1), totp_since = $2 WHERE id = $3",
		e.Actor.UserID, e.Clock.Now(), other.ID); err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(secret, e.Clock.Now().Add(time.Minute))
	e.Clock.Advance(time.Minute)
	if ok, err := e.DB.CheckTOTP(ctx, e.Tenant.ID, other.ID, code); ok || err == nil {
		t.Errorf("a secret copied to another user opened there: %v %v", ok, err)
	}
}

func TestAHalfFinishedLogInIsNoSessionAndLivesFiveMinutesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		secret, err := e.DB.CreateLoginChallenge(ctx, e.Tenant.ID, e.Actor.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if a, err := e.DB.LoginChallengeAccount(ctx, secret); err != nil || a.ID != e.Actor.UserID {
			t.Fatalf("the challenge's account: %v %v", a, err)
		}
		if _, err := e.DB.SessionAccount(ctx, secret); code(err) != kluis.EUnauthorized {
			t.Fatalf("the challenge opens a session: %v", err)
		}
		// A new log-in replaces it.
		second, err := e.DB.CreateLoginChallenge(ctx, e.Tenant.ID, e.Actor.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.LoginChallengeAccount(ctx, secret); code(err) != kluis.EUnauthorized {
			t.Fatalf("the replaced challenge lives on: %v", err)
		}
		if ended, err := e.DB.EndLoginChallenge(ctx, second); !ended || err != nil {
			t.Fatalf("end: %v %v", ended, err)
		}
		if ended, _ := e.DB.EndLoginChallenge(ctx, second); ended {
			t.Fatal("a challenge ended twice")
		}
		third, _ := e.DB.CreateLoginChallenge(ctx, e.Tenant.ID, e.Actor.UserID)
		e.Clock.Advance(store.LoginChallengeTTL)
		if _, err := e.DB.LoginChallengeAccount(ctx, third); code(err) != kluis.EUnauthorized {
			t.Fatalf("a challenge after %s: %v", store.LoginChallengeTTL, err)
		}
		// A lock-out ends a half-finished log-in.
		fourth, _ := e.DB.CreateLoginChallenge(ctx, e.Tenant.ID, e.Actor.UserID)
		for range auth.LockAfter {
			if _, err := e.DB.LoginFailed(ctx, e.Tenant.ID, e.Actor.UserID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.DB.LoginChallengeAccount(ctx, fourth); code(err) != kluis.EUnauthorized {
			t.Fatalf("the challenge outlived the lock-out: %v", err)
		}
	})
}

func TestAdministratorsManageUsersWithoutLosingUpdates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		admin := mustAdmin(t, e)
		pien := mustAccount(t, e, admin, "pien", kluis.RolePayroll)
		if pien.Version != 1 || pien.MustChangePassword {
			t.Fatalf("new account %+v", pien)
		}

		// Every mistake at once, nothing saved.
		bad := &store.Account{User: kluis.User{Name: "", Email: "pien@test.kluis.test", Role: kluis.RoleIntegration, BranchID: 99}}
		err := e.DB.CreateAccount(ctx, admin, bad)
		var fields []string
		if ke, ok := err.(*kluis.Error); ok {
			for f := range ke.Fields {
				fields = append(fields, f)
			}
		}
		slices.Sort(fields)
		if !slices.Equal(fields, []string{"branch_id", "email", "name", "role"}) {
			t.Fatalf("a bad new user: fields %v (%v)", fields, err)
		}

		// Two administrators edit at once: the second is refused.
		edit := store.UserEdit{Name: "Pien de Vries", Email: "pien@test.kluis.test", Role: kluis.RolePayroll, BranchID: e.Branch.ID}
		if _, err := e.DB.UpdateUser(ctx, admin, pien.ID, 1, edit); err != nil {
			t.Fatal(err)
		}
		edit.Name = "Pien Jansen"
		if _, err := e.DB.UpdateUser(ctx, admin, pien.ID, 1, edit); code(err) != kluis.EConflict {
			t.Fatalf("a stale edit: %v", err)
		}
		if a := account(t, e, pien.ID); a.Name != "Pien de Vries" || a.Version != 2 {
			t.Fatalf("after the stale edit: %+v", a)
		}
		for _, action := range []func(v int64) error{
			func(v int64) error { return e.DB.ResetPassword(ctx, admin, pien.ID, v, "h") },
			func(v int64) error { return e.DB.ResetTOTP(ctx, admin, pien.ID, v) },
			func(v int64) error { return e.DB.Unlock(ctx, admin, pien.ID, v) },
		} {
			if err := action(1); code(err) != kluis.EConflict {
				t.Errorf("an action on a stale version: %v", err)
			}
		}
		// An e-mail address is one user's.
		edit.Email = "beheer@test.kluis.test"
		if _, err := e.DB.UpdateUser(ctx, admin, pien.ID, 2, edit); code(err) != kluis.EInvalid {
			t.Fatalf("taking another's e-mail address: %v", err)
		}

		// A reset password works once and ends the sessions.
		session, _ := e.DB.CreateSession(ctx, e.Tenant.ID, pien.ID)
		for range auth.LockAfter {
			_, _ = e.DB.LoginFailed(ctx, e.Tenant.ID, pien.ID)
		}
		if err := e.DB.ResetPassword(ctx, admin, pien.ID, 2, "new-hash"); err != nil {
			t.Fatal(err)
		}
		a := account(t, e, pien.ID)
		if !a.MustChangePassword || a.PasswordHash != "new-hash" || a.LockedUntil != nil || a.Version != 3 {
			t.Fatalf("after the reset: %+v", a)
		}
		if _, err := e.DB.SessionUser(ctx, session); code(err) != kluis.EUnauthorized {
			t.Fatal("a session outlived the password reset")
		}
		// The user chooses their own; their other sessions end, this one not.
		keep, _ := e.DB.CreateSession(ctx, e.Tenant.ID, pien.ID)
		other, _ := e.DB.CreateSession(ctx, e.Tenant.ID, pien.ID)
		pa := kluis.Actor{TenantID: e.Tenant.ID, UserID: pien.ID, Role: kluis.RolePayroll}
		if err := e.DB.ChangePassword(ctx, pa, "own-hash", keep); err != nil {
			t.Fatal(err)
		}
		if a := account(t, e, pien.ID); a.MustChangePassword || a.PasswordHash != "own-hash" {
			t.Fatalf("after choosing one: %+v", a)
		}
		if _, err := e.DB.SessionUser(ctx, keep); err != nil {
			t.Error("the session the password was changed in ended")
		}
		if _, err := e.DB.SessionUser(ctx, other); code(err) != kluis.EUnauthorized {
			t.Error("another session outlived the change of password")
		}

		// A reset of two-factor log-in removes it and the recovery codes.
		setUpTOTP(t, e, pa)
		v := account(t, e, pien.ID).Version
		if err := e.DB.ResetTOTP(ctx, admin, pien.ID, v); err != nil {
			t.Fatal(err)
		}
		if a := account(t, e, pien.ID); a.HasTOTP() {
			t.Fatal("two-factor log-in survived its reset")
		}
		if n, _ := e.DB.RecoveryCodesLeft(ctx, e.Tenant.ID, pien.ID); n != 0 {
			t.Errorf("%d recovery codes survived the reset", n)
		}

		// A change of role ends the sessions; the last administrator keeps
		// the role.
		s2, _ := e.DB.CreateSession(ctx, e.Tenant.ID, pien.ID)
		a = account(t, e, pien.ID)
		if _, err := e.DB.UpdateUser(ctx, admin, pien.ID, a.Version, store.UserEdit{Name: a.Name, Email: a.Email, Role: kluis.RoleRecruiter}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.SessionUser(ctx, s2); code(err) != kluis.EUnauthorized {
			t.Error("a session outlived the change of role")
		}
		me := account(t, e, admin.UserID)
		_, err = e.DB.UpdateUser(ctx, admin, admin.UserID, me.Version, store.UserEdit{Name: me.Name, Email: me.Email, Role: kluis.RoleRecruiter})
		if ke, ok := err.(*kluis.Error); !ok || ke.Fields["role"].EN == "" {
			t.Fatalf("the last administrator gave up the role: %v", err)
		}

		// Each change is in the audit log, by name of field only.
		entries, _, err := e.DB.AuditLog(ctx, admin, store.AuditFilter{UserID: admin.UserID, Page: kluis.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, en := range entries {
			if en.Entity == "users" && en.EntityID == pien.ID {
				got = append(got, en.Action+":"+en.Fields[0])
			}
		}
		for _, want := range []string{"create:email", "update:name", "update:password_hash", "update:totp_secret", "update:role"} {
			if !slices.Contains(got, want) {
				t.Errorf("the audit log lacks %s: %v", want, got)
			}
		}
	})
}
