package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"kluis/internal/auth"
	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

// TestTheOperatorManagesUsersOnTheCommandLine adds a user with a one-time
// password, lists the users, and resets, unlocks and logs one out.
func TestTheOperatorManagesUsersOnTheCommandLine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		run := func(args ...string) (int, string, string) {
			t.Helper()
			var out, errb bytes.Buffer
			code := Main(ctx, append(args, "--data", e.Dir, "--db", e.DSN), strings.NewReader(""), &out, &errb)
			return code, out.String(), errb.String()
		}
		oneTime := regexp.MustCompile(`one-time password \(shown once\): (\S+)`)
		code, out, errs := run("user", "add", "--email", "pien@bureau.example", "--role", "payroll", "--name", "Pien", "--branch", "utrecht")
		m := oneTime.FindStringSubmatch(out)
		if code != 0 || m == nil || !strings.Contains(out, "requires two-step verification") {
			t.Fatalf("user add: exit %d\n%s%s", code, out, errs)
		}
		pien, err := e.DB.AccountByEmail(ctx, e.Tenant.ID, "pien@bureau.example")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := auth.VerifyPassword(pien.PasswordHash, m[1]); !ok || !pien.MustChangePassword || pien.BranchID != e.Branch.ID {
			t.Fatalf("the added user: %+v", pien)
		}
		if code, _, errs := run("user", "add", "--email", "x@bureau.example", "--role", "payroll", "--branch", "Zwolle"); code == 0 || !strings.Contains(errs, "no branch") {
			t.Errorf("an unknown branch: exit %d %s", code, errs)
		}

		// The command line tells the time by the wall clock.
		e.Clock.T = time.Now()
		for range auth.LockAfter {
			if _, err := e.DB.LoginFailed(ctx, e.Tenant.ID, pien.ID); err != nil {
				t.Fatal(err)
			}
		}
		code, out, _ = run("user", "list")
		if code != 0 || !regexp.MustCompile(`pien@bureau\.example\s+payroll\s+REQUIRED, not set up\s+locked until `+regexp.QuoteMeta(e.Clock.T.Add(15*time.Minute).UTC().Truncate(time.Second).Format(time.RFC3339))).MatchString(out) {
			t.Fatalf("user list: exit %d\n%s", code, out)
		}
		if code, out, _ := run("user", "unlock", "--email", "pien@bureau.example"); code != 0 || !strings.Contains(out, "unlocked") {
			t.Fatalf("unlock: %d %s", code, out)
		}
		if a, _ := e.DB.Account(ctx, e.Tenant.ID, pien.ID); a.LockedAt(e.Clock.Now()) {
			t.Fatal("still locked after unlock")
		}

		session, _ := e.DB.CreateSession(ctx, e.Tenant.ID, pien.ID)
		code, out, _ = run("user", "reset-password", "--email", "PIEN@bureau.example")
		m2 := oneTime.FindStringSubmatch(out)
		if code != 0 || m2 == nil || m2[1] == m[1] {
			t.Fatalf("reset-password: exit %d\n%s", code, out)
		}
		if a, _ := e.DB.Account(ctx, e.Tenant.ID, pien.ID); !a.MustChangePassword {
			t.Error("after reset-password the user need not choose their own")
		} else if ok, _ := auth.VerifyPassword(a.PasswordHash, m2[1]); !ok {
			t.Error("the printed password is not the user's")
		}
		if _, err := e.DB.SessionUser(ctx, session); kluis.ErrorCode(err) != kluis.EUnauthorized {
			t.Error("a session outlived reset-password")
		}

		pa := kluis.Actor{TenantID: e.Tenant.ID, UserID: pien.ID, Role: kluis.RolePayroll}
		secret, _ := e.DB.StartTOTPSetup(ctx, e.Tenant.ID, pien.ID)
		first, _ := auth.TOTPCode(secret, e.Clock.Now())
		if _, err := e.DB.ConfirmTOTP(ctx, pa, first); err != nil {
			t.Fatal(err)
		}
		if code, out, _ := run("user", "reset-2fa", "--email", "pien@bureau.example"); code != 0 || !strings.Contains(out, "removed") {
			t.Fatalf("reset-2fa: %d %s", code, out)
		}
		if a, _ := e.DB.Account(ctx, e.Tenant.ID, pien.ID); a.HasTOTP() {
			t.Error("two-step verification survived reset-2fa")
		}
		session, _ = e.DB.CreateSession(ctx, e.Tenant.ID, pien.ID)
		if code, _, _ := run("user", "logout", "--email", "pien@bureau.example"); code != 0 {
			t.Fatal("logout failed")
		}
		if _, err := e.DB.SessionUser(ctx, session); kluis.ErrorCode(err) != kluis.EUnauthorized {
			t.Error("a session outlived logout")
		}
		if code, _, errs := run("user", "unlock", "--email", "niemand@bureau.example"); code != 1 || !strings.Contains(errs, "Not found: user.") {
			t.Errorf("an unknown user: exit %d %s", code, errs)
		}
		if code, _, _ := run("user", "frobnicate"); code == 0 {
			t.Error("an unknown verb passed")
		}
	})
}
