package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"kluis/internal/kluis"
)

var tenantSlug = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)

// CreateTenant adds an agency with its first branch.
func (db *DB) CreateTenant(ctx context.Context, slug, name, branchName, branchCity string) (*kluis.Tenant, *kluis.Branch, error) {
	p := kluis.Problems{}
	slug = strings.ToLower(strings.TrimSpace(slug))
	if !tenantSlug.MatchString(slug) {
		p.Add("slug", "Gebruik 3 tot 40 kleine letters, cijfers of streepjes.", "Use 3 to 40 lower-case letters, digits or hyphens.")
	}
	if name, _ = kluis.CleanLine(name, 200); name == "" {
		p.Add("name", "Dit veld is verplicht.", "This field is required.")
	}
	if branchName, _ = kluis.CleanLine(branchName, 100); branchName == "" {
		p.Add("branch", "Dit veld is verplicht.", "This field is required.")
	}
	branchCity, _ = kluis.CleanLine(branchCity, 100)
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	t := &kluis.Tenant{ID: db.ids.Next(), Slug: slug, Name: name, CreatedAt: db.now()}
	b := &kluis.Branch{TenantID: t.ID, ID: db.ids.Next(), Name: branchName, City: branchCity}
	err := db.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO tenants (id, slug, name, created_at) VALUES ($1, $2, $3, $4)", t.ID, t.Slug, t.Name, t.CreatedAt); err != nil {
			return err
		}
		return branches.insert(ctx, db, tx, b)
	})
	return t, b, err
}

// TenantBySlug finds an agency by its short name.
func (db *DB) TenantBySlug(ctx context.Context, slug string) (*kluis.Tenant, error) {
	t := &kluis.Tenant{}
	err := db.r.QueryRowContext(ctx, "SELECT id, slug, name, created_at FROM tenants WHERE slug = $1", slug).Scan(&t.ID, &t.Slug, &t.Name, &t.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kluis.NotFound("tenant")
	}
	return t, err
}

// Tenants lists every agency on this installation.
func (db *DB) Tenants(ctx context.Context) ([]kluis.Tenant, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id, slug, name, created_at FROM tenants ORDER BY slug")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kluis.Tenant
	for rows.Next() {
		var t kluis.Tenant
		if err := rows.Scan(&t.ID, &t.Slug, &t.Name, &t.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

var branches = &table[kluis.Branch]{
	name: "branches", kind: "branch",
	columns: []string{"name", "city"},
	values:  func(b *kluis.Branch) []any { return []any{b.Name, b.City} },
	targets: func(b *kluis.Branch) []any { return []any{&b.TenantID, &b.ID, &b.Name, &b.City} },
	key:     func(b *kluis.Branch) (*kluis.ID, *kluis.ID) { return &b.TenantID, &b.ID },
}

// CreateBranch adds a branch to the actor's agency.
func (db *DB) CreateBranch(ctx context.Context, a kluis.Actor, name, city string) (*kluis.Branch, error) {
	p := kluis.Problems{}
	if name, _ = kluis.CleanLine(name, 100); name == "" {
		p.Add("name", "Dit veld is verplicht.", "This field is required.")
	}
	city, _ = kluis.CleanLine(city, 100)
	if err := p.Err(); err != nil {
		return nil, err
	}
	b := &kluis.Branch{TenantID: a.TenantID, ID: db.ids.Next(), Name: name, City: city}
	return b, db.update(ctx, func(tx *sql.Tx) error { return branches.insert(ctx, db, tx, b) })
}

// Branches lists the agency's branches by name.
func (db *DB) Branches(ctx context.Context, a kluis.Actor) ([]kluis.Branch, error) {
	var out []kluis.Branch
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		out, _, err = branches.list(ctx, db, tx, tenantWhere(a.TenantID), "name, id", kluis.Page{Limit: kluis.MaxPageSize})
		return err
	})
	return out, err
}

var users = &table[kluis.User]{
	name: "users", kind: "user",
	columns: []string{"email", "name", "role", "branch_id", "language", "password_hash", "created_at"},
	values: func(u *kluis.User) []any {
		return []any{u.Email, u.Name, u.Role, nullID(u.BranchID), u.Language, u.PasswordHash, u.CreatedAt}
	},
	targets: func(u *kluis.User) []any {
		return []any{&u.TenantID, &u.ID, &u.Email, &u.Name, &u.Role, (*nullID)(&u.BranchID), &u.Language, &u.PasswordHash, &u.CreatedAt}
	},
	key: func(u *kluis.User) (*kluis.ID, *kluis.ID) { return &u.TenantID, &u.ID },
}

// CreateUser adds a staff member. passwordHash is made by the caller
// (argon2id); an empty hash means the user cannot log in with a password.
func (db *DB) CreateUser(ctx context.Context, tenant kluis.ID, u *kluis.User) error {
	p := kluis.Problems{}
	if e, ok := kluis.NormalizeEmail(u.Email); ok {
		u.Email = strings.ToLower(e)
	} else {
		p.Add("email", "Geen geldig e-mailadres.", "Not a valid e-mail address.")
	}
	if !u.Role.Valid() {
		p.Add("role", "Onbekende rol.", "Unknown role.")
	}
	u.Name, _ = kluis.CleanLine(u.Name, 200)
	if u.Language == "" {
		u.Language = "nl"
	}
	if u.Language != "nl" && u.Language != "en" {
		p.Add("language", "Kies nl of en.", "Choose nl or en.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	u.TenantID, u.ID, u.CreatedAt = tenant, db.ids.Next(), db.now()
	return db.update(ctx, func(tx *sql.Tx) error {
		if u.BranchID != 0 {
			if ok, err := branches.exists(ctx, tx, tenant, u.BranchID); err != nil {
				return err
			} else if !ok {
				p.Add("branch_id", "Deze vestiging bestaat niet.", "This branch does not exist.")
				return p.Err()
			}
		}
		return users.insert(ctx, db, tx, u)
	})
}

// UserByEmail finds a user of the tenant.
func (db *DB) UserByEmail(ctx context.Context, tenant kluis.ID, email string) (*kluis.User, error) {
	var out []kluis.User
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		w := tenantWhere(tenant)
		w.add("email = ?", strings.ToLower(strings.TrimSpace(email)))
		out, _, err = users.list(ctx, db, tx, w, "id", kluis.Page{Limit: 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, kluis.NotFound("user")
	}
	return &out[0], nil
}

// Users lists the tenant's users.
func (db *DB) Users(ctx context.Context, tenant kluis.ID) ([]kluis.User, error) {
	var out []kluis.User
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		out, _, err = users.list(ctx, db, tx, tenantWhere(tenant), "email", kluis.Page{Limit: kluis.MaxPageSize})
		return err
	})
	return out, err
}

// SetPassword replaces a user's password hash.
func (db *DB) SetPassword(ctx context.Context, tenant, user kluis.ID, hash string) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1 WHERE tenant_id = $2 AND id = $3", hash, tenant, user)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kluis.NotFound("user")
		}
		return nil
	})
}

// DemoUsersExist reports whether any tenant has a user of the demo data set;
// serve refuses to run in production with their well-known password.
func (db *DB) DemoUsersExist(ctx context.Context) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE email LIKE $1", "%@"+DemoDomain).Scan(&n)
	return n > 0, err
}

// DemoDomain is the e-mail domain of the demo users.
const DemoDomain = "demo.kluis.test"

// tokenPrefix marks kluis tokens so secret scanners can find leaked ones.
const tokenPrefix = "kluis_"

func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateToken makes an API token for a user and returns its secret, which
// is shown once and stored only as a hash.
func (db *DB) CreateToken(ctx context.Context, tenant, user kluis.ID, name string, ttl time.Duration) (string, *kluis.Token, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	name, _ = kluis.CleanLine(name, 100)
	t := &kluis.Token{TenantID: tenant, ID: db.ids.Next(), UserID: user, Name: name, Hash: hashToken(secret), CreatedAt: db.now()}
	if ttl > 0 {
		exp := t.CreatedAt.Add(ttl)
		t.ExpiresAt = &exp
	}
	err := db.update(ctx, func(tx *sql.Tx) error {
		if ok, err := users.exists(ctx, tx, tenant, user); err != nil {
			return err
		} else if !ok {
			return kluis.NotFound("user")
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO api_tokens (tenant_id, id, user_id, name, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			t.TenantID, t.ID, t.UserID, t.Name, t.Hash, t.CreatedAt, t.ExpiresAt)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// DeleteTokens removes the tokens of a user that carry the given name.
func (db *DB) DeleteTokens(ctx context.Context, tenant, user kluis.ID, name string) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM api_tokens WHERE tenant_id = $1 AND user_id = $2 AND name = $3", tenant, user, name)
		return err
	})
}

// Authenticate resolves a bearer token to the actor it speaks for.
func (db *DB) Authenticate(ctx context.Context, secret string) (kluis.Actor, error) {
	unauth := kluis.Errorf(kluis.EUnauthorized, "Log in met een geldig token.", "Authenticate with a valid token.")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return kluis.Actor{}, unauth
	}
	var a kluis.Actor
	var tokenID kluis.ID
	var expires *time.Time
	err := db.r.QueryRowContext(ctx, `SELECT t.tenant_id, t.id, t.user_id, u.role, t.expires_at
		FROM api_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
		WHERE t.hash = $1`, hashToken(secret)).Scan(&a.TenantID, &tokenID, &a.UserID, &a.Role, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return kluis.Actor{}, unauth
	}
	if err != nil {
		return kluis.Actor{}, fmt.Errorf("authenticate: %w", err)
	}
	if expires != nil && !db.now().Before(*expires) {
		return kluis.Actor{}, unauth
	}
	return a, nil
}
