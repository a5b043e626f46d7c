// Package demo generates the deterministic Dutch demo data set of kluis: an
// agency with two branches, a user for every role, clients, and candidates
// in every state that matters for the GDPR's retention rules — registered
// and never placed, working, and left one, three, six and eight years ago —
// with their documents, payroll records, history and disclosures. On
// request it adds any number of generated candidates for load tests.
//
// Everything is written through the store's public methods, so the data
// set is validated exactly as user input is.
package demo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"kluis/internal/auth"
	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The demo agency.
const (
	Slug = "demo"
	Name = "Demo Uitzendbureau"
)

// DefaultPassword is the password of the demo users when Options.Password
// is empty. It is public knowledge, which is why serve refuses to run with
// demo users outside a demo (store.DemoUsersExist).
const DefaultPassword = "kluis-demo"

// TOTPSecret is the two-factor secret of the demo users whose role requires
// two-factor log-in (payroll, the privacy officer, the administrator): a
// person trying the demo adds it to an authenticator app, or computes the
// code with `oathtool --totp -b`. It is as public as the password.
const TOTPSecret = "KLUISDEMOKLUISDEMOKLUISDEMOKLUIS"

// Options say what Seed makes.
type Options struct {
	// Candidates is the number of generated candidates added to the
	// hand-made set (0: the hand-made set only).
	Candidates int
	// Seed drives every random choice: the same seed on the same day gives
	// the same data set.
	Seed int64
	// Progress, if set, is called as the generated candidates are written.
	Progress func(done, total int)
	// Password is the staff users' password; empty means DefaultPassword.
	Password string
	// BaseURL is kluis's public address, where the links in the demo's
	// e-mails (the consent requests) point; empty means DefaultBaseURL.
	BaseURL string
}

// DefaultBaseURL is the address `kluis demo` listens on by default.
const DefaultBaseURL = "http://127.0.0.1:8080"

// Result is the demo agency and the people who log in to it.
type Result struct {
	Tenant   *kluis.Tenant
	Branches []kluis.Branch // by name
	Users    []kluis.User   // in the order of kluis.Roles
	// Created is false when the agency was there already and Seed left it
	// as it was.
	Created bool
}

// staff are the demo users: one per role, by name and branch (0 Utrecht,
// 1 Rotterdam, -1 none). The integration user gets no password: an
// integration signs in with an API token, never through the login form.
var staff = []struct {
	role   kluis.Role
	name   string
	branch int
}{
	{kluis.RoleRecruiter, "Lotte Verbeek", 0},
	{kluis.RolePayroll, "Marco de Ruiter", -1},
	{kluis.RoleManager, "Karin Dijkstra", 1},
	{kluis.RolePrivacy, "Ingrid Timmermans", -1},
	{kluis.RoleAdmin, "Wouter Hoekstra", -1},
	{kluis.RoleIntegration, "Salariskoppeling", -1},
}

// UserEmail returns the e-mail address of the demo user with role r.
func UserEmail(r kluis.Role) string { return string(r) + "@" + store.DemoDomain }

// Seed creates the demo agency unless one exists, in which case it returns
// that one and changes nothing — but that a demo user whose role requires
// two-factor log-in and has none (a data set made before it existed, or
// reset in the demo) gets TOTPSecret again, so that what `kluis demo`
// prints lets one log in. Its "today" is the store's clock at the moment
// the agency is made.
//
// Seed is not one transaction: if it fails halfway, the agency it leaves is
// incomplete and a later Seed will not repair it. Start again from a fresh
// database.
func Seed(ctx context.Context, db *store.DB, opt Options) (*Result, error) {
	if t, err := db.TenantBySlug(ctx, Slug); err == nil {
		return existing(ctx, db, t)
	} else if kluis.ErrorCode(err) != kluis.ENotFound {
		return nil, fmt.Errorf("demo: look for the demo agency: %w", err)
	}
	if opt.Password == "" {
		opt.Password = DefaultPassword
	}
	if opt.Candidates < 0 {
		return nil, fmt.Errorf("demo: %d candidates asked for", opt.Candidates)
	}
	// Hash first: it takes the most time of the small set, and a failure
	// here leaves no half-made agency.
	hashes, err := hashAll(opt.Password, len(staff)-1)
	if err != nil {
		return nil, err
	}
	tenant, utrecht, err := db.CreateTenant(ctx, Slug, Name, "Utrecht", "Utrecht")
	if kluis.ErrorCode(err) == kluis.EConflict {
		// Another Seed made it just now.
		if t, err := db.TenantBySlug(ctx, Slug); err == nil {
			return existing(ctx, db, t)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("demo: create the agency: %w", err)
	}
	admin := kluis.Actor{TenantID: tenant.ID, Role: kluis.RoleAdmin}
	rotterdam, err := db.CreateBranch(ctx, admin, "Rotterdam", "Rotterdam")
	if err != nil {
		return nil, fmt.Errorf("demo: create the Rotterdam branch: %w", err)
	}
	branches := []*kluis.Branch{utrecht, rotterdam}
	res := &Result{Tenant: tenant, Created: true}
	cat := catalog.New()
	for _, s := range staff {
		u := &kluis.User{Email: UserEmail(s.role), Name: s.name, Role: s.role}
		if s.branch >= 0 {
			u.BranchID = branches[s.branch].ID
		}
		if s.role != kluis.RoleIntegration {
			u.PasswordHash, hashes = hashes[0], hashes[1:]
		}
		if err := db.CreateUser(ctx, tenant.ID, u); err != nil {
			return nil, fmt.Errorf("demo: create user %s: %w", u.Email, err)
		}
		if cat.RequiresTwoFactor(u.Role) {
			if err := db.SetTOTPSecret(ctx, tenant.ID, u.ID, TOTPSecret); err != nil {
				return nil, fmt.Errorf("demo: two-factor log-in of %s: %w", u.Email, err)
			}
		}
		res.Users = append(res.Users, *u)
	}
	res.Branches = []kluis.Branch{*rotterdam, *utrecht}
	// The agency as the controller, with a role address for its officer.
	privacy := actorOf(tenant, res.Users, kluis.RolePrivacy)
	// The rest stays at kluis's defaults (a verified sample of every
	// clean-up run, the consent notice a month ahead, …).
	set, err := db.Settings(ctx, tenant.ID)
	if err != nil {
		return nil, fmt.Errorf("demo: settings: %w", err)
	}
	set.Address, set.KvK = "Catharijnesingel 12, 3511 GB Utrecht", "90012345"
	set.DPOName, set.DPOEmail, set.DPOPhone = "Ingrid Timmermans", "privacy@demo-uitzendbureau.example", "030 234 5678"
	if err := db.SaveSettings(ctx, privacy, set, 0); err != nil {
		return nil, fmt.Errorf("demo: settings: %w", err)
	}

	ids := newUniques(opt.Seed)
	a := &agency{
		db:       db,
		tenant:   tenant,
		branches: branches,
		// Each branch's history is written by its own staff member.
		actors:  []kluis.Actor{actorOf(tenant, res.Users, kluis.RoleRecruiter), actorOf(tenant, res.Users, kluis.RoleManager)},
		payroll: actorOf(tenant, res.Users, kluis.RolePayroll),
	}
	if err := a.createClients(ctx, newGen(opt.Seed, 0x636c6e74, tenant.CreatedAt, ids)); err != nil { // "clnt"
		return nil, err
	}
	if err := a.createHandMade(ctx, newGen(opt.Seed, 0x68616e64, tenant.CreatedAt, ids)); err != nil { // "hand"
		return nil, err
	}
	if err := a.createPrivacyOfficersDesk(ctx, newGen(opt.Seed, 0x6465736b, tenant.CreatedAt, ids), privacy, res.Users, cmp.Or(opt.BaseURL, DefaultBaseURL)); err != nil { // "desk"
		return nil, err
	}
	if opt.Candidates > 0 {
		if err := a.generate(ctx, newGen(opt.Seed, 0x7363616c, tenant.CreatedAt, ids), opt.Candidates, opt.Progress); err != nil { // "scal"
			return nil, err
		}
	}
	return res, nil
}

func existing(ctx context.Context, db *store.DB, t *kluis.Tenant) (*Result, error) {
	a := kluis.Actor{TenantID: t.ID, Role: kluis.RoleAdmin}
	bs, err := db.Branches(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("demo: read branches: %w", err)
	}
	accounts, err := db.Accounts(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("demo: read users: %w", err)
	}
	cat := catalog.New()
	var us []kluis.User
	for _, acc := range accounts {
		if !acc.HasTOTP() && cat.RequiresTwoFactor(acc.Role) && strings.HasSuffix(acc.Email, "@"+store.DemoDomain) {
			if err := db.SetTOTPSecret(ctx, t.ID, acc.ID, TOTPSecret); err != nil {
				return nil, fmt.Errorf("demo: two-factor log-in of user %d: %w", acc.ID, err)
			}
		}
		us = append(us, acc.User)
	}
	slices.SortStableFunc(us, func(x, y kluis.User) int {
		return slices.Index(kluis.Roles, x.Role) - slices.Index(kluis.Roles, y.Role)
	})
	return &Result{Tenant: t, Branches: bs, Users: us}, nil
}

// hashAll hashes the password once per user, each with its own salt, two
// at a time: argon2id is built to take a while and most of the memory it
// can get.
func hashAll(pw string, n int) ([]string, error) {
	out := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i := range out {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = auth.HashPassword(pw)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("demo: hash password: %w", err)
		}
	}
	return out, nil
}

func actorOf(t *kluis.Tenant, users []kluis.User, r kluis.Role) kluis.Actor {
	for _, u := range users {
		if u.Role == r {
			return kluis.Actor{TenantID: t.ID, UserID: u.ID, Role: r}
		}
	}
	return kluis.Actor{TenantID: t.ID, Role: r}
}

// agency is the demo agency while it is being filled.
type agency struct {
	db       *store.DB
	tenant   *kluis.Tenant
	branches []*kluis.Branch // Utrecht, Rotterdam
	actors   []kluis.Actor   // who records history, per branch
	payroll  kluis.Actor
	clients  []demoClient
}

type demoClient struct {
	*kluis.Client
	branch int
}
