package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"kluis/internal/auth"
	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

func runTenant(ctx context.Context, e *env, args []string) error {
	if err := verb(e, args, "Usage: kluis tenant add --slug SLUG --name NAME --branch NAME [--city CITY]\n       kluis tenant list", "add", "list"); err != nil {
		return err
	}
	f := newFlags(e, "tenant "+args[0], "tenant "+args[0]+" [flags]")
	st := storageFlags(f, "kluis-data")
	slug := f.String("slug", "", "short name of the agency: 3–40 lower-case letters, digits, hyphens")
	name := f.String("name", "", "the agency's name")
	branch := f.String("branch", "", "name of its first branch (vestiging)")
	city := f.String("city", "", "city of the first branch")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	db, err := st.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer st.close(db)
	if err := prepareSchema(ctx, e, db); err != nil {
		return err
	}
	if args[0] == "list" {
		ts, err := db.Tenants(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			fmt.Fprintf(e.stdout, "%s\t%s\n", t.Slug, t.Name)
		}
		return nil
	}
	t, b, err := db.CreateTenant(ctx, *slug, *name, *branch, *city)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added agency %s (id %d) with branch %d\n", t.Slug, t.ID, b.ID)
	return nil
}

const userUsage = `Usage: kluis user add --tenant SLUG --email EMAIL --role ROLE [--name NAME] [--branch NAME] [--password-stdin]
       kluis user list --tenant SLUG
       kluis user reset-password --tenant SLUG --email EMAIL
       kluis user reset-2fa --tenant SLUG --email EMAIL
       kluis user unlock --tenant SLUG --email EMAIL
       kluis user logout --tenant SLUG --email EMAIL`

func runUser(ctx context.Context, e *env, args []string) error {
	if err := verb(e, args, userUsage, "add", "list", "reset-password", "reset-2fa", "unlock", "logout"); err != nil {
		return err
	}
	if args[0] == "add" {
		return runUserAdd(ctx, e, args[1:])
	}
	f := newFlags(e, "user "+args[0], "user "+args[0]+" [flags]")
	st := storageFlags(f, "kluis-data")
	tenant := tenantFlag(f)
	email := new(string)
	if args[0] != "list" {
		email = f.String("email", "", "the user's e-mail address (their login)")
	}
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	db, t, err := st.openTenant(ctx, e, *tenant, false)
	if err != nil {
		return err
	}
	defer st.close(db)
	if args[0] == "list" {
		return listUsers(ctx, e, db, t)
	}
	u, err := db.AccountByEmail(ctx, t.ID, *email)
	if err != nil {
		return err
	}
	// The operator at the command line acts as kluis itself: the audit
	// log names no user for it.
	operator := kluis.Actor{TenantID: t.ID}
	switch args[0] {
	case "reset-password":
		password, err := auth.NewOneTimePassword()
		if err != nil {
			return err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		if err := db.ResetPassword(ctx, operator, u.ID, u.Version, hash); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "user %d: sessions ended; the password below works for one log-in, after which they choose their own\n", u.ID)
		// Shown once, to the operator who passes it on; never logged.
		fmt.Fprintf(e.stdout, "one-time password (shown once): %s\n", password)
	case "reset-2fa":
		if err := db.ResetTOTP(ctx, operator, u.ID, u.Version); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %d: two-step verification and recovery codes removed, sessions ended\n", u.ID)
	case "unlock":
		if err := db.Unlock(ctx, operator, u.ID, u.Version); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %d: unlocked\n", u.ID)
	case "logout":
		if err := db.EndUserSessions(ctx, t.ID, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %d: logged out everywhere\n", u.ID)
	}
	return nil
}

// listUsers prints the agency's users with the state of their log-in, for
// the operator.
func listUsers(ctx context.Context, e *env, db *store.DB, t *kluis.Tenant) error {
	us, err := db.Accounts(ctx, t.ID)
	if err != nil {
		return err
	}
	cat := catalog.New()
	now := e.clock.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tE-MAIL\tROLE\t2FA\tSTATE\tLAST LOG-IN")
	for _, u := range us {
		twoFA := "off"
		switch {
		case u.Role == kluis.RoleIntegration:
			twoFA = "n/a (token)"
		case u.HasTOTP():
			twoFA = "on"
		case cat.RequiresTwoFactor(u.Role):
			twoFA = "REQUIRED, not set up"
		}
		state := "active"
		switch {
		case u.LockedAt(now):
			state = "locked until " + u.LockedUntil.UTC().Format(time.RFC3339)
		case u.MustChangePassword:
			state = "must choose a password"
		}
		last := "-"
		if u.LastLoginAt != nil {
			last = u.LastLoginAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Role, twoFA, state, last)
	}
	return tw.Flush()
}

func runUserAdd(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "user add", "user add [flags]")
	st := storageFlags(f, "kluis-data")
	tenant := tenantFlag(f)
	email := f.String("email", "", "the user's e-mail address (their login)")
	name := f.String("name", "", "the user's name")
	branch := f.String("branch", "", "the name of the user's branch (vestiging), if any")
	roles := make([]string, len(kluis.Roles))
	for i, r := range kluis.Roles {
		roles[i] = string(r)
	}
	role := f.String("role", "", "one of: "+strings.Join(roles, ", "))
	pwStdin := f.Bool("password-stdin", false, "read the password from standard input instead of generating a one-time one")
	if err := f.parse(args); err != nil {
		return err
	}
	db, t, err := st.openTenant(ctx, e, *tenant, false)
	if err != nil {
		return err
	}
	defer st.close(db)
	var branchID kluis.ID
	if *branch != "" {
		bs, err := db.Branches(ctx, kluis.Actor{TenantID: t.ID})
		if err != nil {
			return err
		}
		for _, b := range bs {
			if strings.EqualFold(b.Name, *branch) {
				branchID = b.ID
			}
		}
		if branchID == 0 {
			return fmt.Errorf("the agency has no branch %q", *branch)
		}
	}
	password, generated := "", false
	if kluis.Role(*role) == kluis.RoleIntegration {
		// An integration signs in with an API token (kluis token create).
	} else if *pwStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
		if err := auth.CheckPasswordStrength(password); err != nil {
			return err
		}
	} else {
		if password, err = auth.NewOneTimePassword(); err != nil {
			return err
		}
		generated = true
	}
	hash := ""
	if password != "" {
		if hash, err = auth.HashPassword(password); err != nil {
			return err
		}
	}
	// A generated password is one the operator passes on: the user
	// chooses their own at the first log-in.
	u := &store.Account{User: kluis.User{Email: *email, Name: *name, Role: kluis.Role(*role), BranchID: branchID, PasswordHash: hash},
		MustChangePassword: generated}
	if err := db.CreateOperatorAccount(ctx, t.ID, u); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added user %d with role %s to %s\n", u.ID, u.Role, t.Slug)
	if generated {
		// Shown once, to the operator who creates the account; never logged.
		fmt.Fprintf(e.stdout, "one-time password (shown once): %s\n", password)
	}
	if catalog.New().RequiresTwoFactor(u.Role) {
		fmt.Fprintln(e.stdout, "this role requires two-step verification: the user sets it up at the first log-in")
	}
	return nil
}

func runToken(ctx context.Context, e *env, args []string) error {
	if err := verb(e, args, "Usage: kluis token create --tenant SLUG --user EMAIL --scopes SCOPES [--name NAME] [--ttl 8760h]\n"+
		"       kluis token revoke --tenant SLUG --user EMAIL --name NAME\n"+
		"Scopes: "+strings.Join(kluis.TokenScopes, ", ")+", or * for everything the user's role allows.", "create", "revoke"); err != nil {
		return err
	}
	f := newFlags(e, "token "+args[0], "token "+args[0]+" [flags]")
	st := storageFlags(f, "kluis-data")
	tenant := tenantFlag(f)
	email := f.String("user", "", "e-mail address of the user the token acts for")
	name := f.String("name", "api", "what the token is for, e.g. the payroll system's name")
	ttl := f.Duration("ttl", 365*24*time.Hour, "how long the token is valid (0 = until revoked)")
	scopes := f.String("scopes", "", "what the token may do, comma-separated: "+strings.Join(kluis.TokenScopes, ", ")+"; or * for everything the user's role allows")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if args[0] == "create" {
		if _, err := kluis.ParseScopes(*scopes); err != nil {
			return err
		}
	}
	db, t, err := st.openTenant(ctx, e, *tenant, false)
	if err != nil {
		return err
	}
	defer st.close(db)
	u, err := db.UserByEmail(ctx, t.ID, *email)
	if err != nil {
		return err
	}
	if args[0] == "revoke" {
		if err := db.DeleteTokens(ctx, t.ID, u.ID, *name); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "tokens named %q of user %d revoked\n", *name, u.ID)
		return nil
	}
	secret, tok, err := db.CreateScopedToken(ctx, t.ID, u.ID, *name, *ttl, *scopes)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "token %d created for user %d with scopes %s; it is shown once, store it safely:\n", tok.ID, u.ID, tok.Scopes)
	fmt.Fprintln(e.stdout, secret)
	return nil
}

// actorFor returns the actor a command acts as: a staff user of the tenant.
func actorFor(ctx context.Context, db *store.DB, tenant kluis.ID, email string) (kluis.Actor, error) {
	u, err := db.UserByEmail(ctx, tenant, email)
	if err != nil {
		return kluis.Actor{}, err
	}
	return kluis.Actor{TenantID: tenant, UserID: u.ID, Role: u.Role}, nil
}

// verb checks the first argument of a command with verbs (tenant add).
func verb(e *env, args []string, usage string, verbs ...string) error {
	if len(args) > 0 {
		for _, v := range verbs {
			if args[0] == v {
				return nil
			}
		}
	}
	fmt.Fprintln(e.stderr, usage)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		return flag.ErrHelp
	}
	return errors.New("say one of: " + strings.Join(verbs, ", "))
}
