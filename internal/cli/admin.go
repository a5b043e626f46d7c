package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"kluis/internal/auth"
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

func runUser(ctx context.Context, e *env, args []string) error {
	if err := verb(e, args, "Usage: kluis user add --tenant SLUG --email EMAIL --role ROLE [--name NAME] [--password-stdin]", "add"); err != nil {
		return err
	}
	f := newFlags(e, "user add", "user add [flags]")
	st := storageFlags(f, "kluis-data")
	tenant := tenantFlag(f)
	email := f.String("email", "", "the user's e-mail address (their login)")
	name := f.String("name", "", "the user's name")
	roles := make([]string, len(kluis.Roles))
	for i, r := range kluis.Roles {
		roles[i] = string(r)
	}
	role := f.String("role", "", "one of: "+strings.Join(roles, ", "))
	pwStdin := f.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	db, t, err := st.openTenant(ctx, e, *tenant, false)
	if err != nil {
		return err
	}
	defer st.close(db)
	password, generated := "", false
	if *pwStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
		if err := auth.CheckPasswordStrength(password); err != nil {
			return err
		}
	} else {
		var b [15]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		password, generated = base64.RawURLEncoding.EncodeToString(b[:]), true
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u := &kluis.User{Email: *email, Name: *name, Role: kluis.Role(*role), PasswordHash: hash}
	if err := db.CreateUser(ctx, t.ID, u); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added user %d with role %s to %s\n", u.ID, u.Role, t.Slug)
	if generated {
		// Shown once, to the operator who creates the account; never logged.
		fmt.Fprintf(e.stdout, "initial password (shown once): %s\n", password)
	}
	return nil
}

func runToken(ctx context.Context, e *env, args []string) error {
	if err := verb(e, args, "Usage: kluis token create --tenant SLUG --user EMAIL [--name NAME] [--ttl 8760h]", "create"); err != nil {
		return err
	}
	f := newFlags(e, "token create", "token create [flags]")
	st := storageFlags(f, "kluis-data")
	tenant := tenantFlag(f)
	email := f.String("user", "", "e-mail address of the user the token acts for")
	name := f.String("name", "api", "what the token is for, e.g. the payroll system's name")
	ttl := f.Duration("ttl", 365*24*time.Hour, "how long the token is valid (0 = until revoked)")
	if err := f.parse(args[1:]); err != nil {
		return err
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
	secret, tok, err := db.CreateToken(ctx, t.ID, u.ID, *name, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "token %d created for user %d; it is shown once, store it safely:\n", tok.ID, u.ID)
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
