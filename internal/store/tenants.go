package store

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

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
	err := db.update(ctx, forAgency(t.ID), func(tx *sql.Tx) error {
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
	return b, db.update(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error { return branches.insert(ctx, db, tx, b) })
}

// Branches lists the agency's branches by name.
func (db *DB) Branches(ctx context.Context, a kluis.Actor) ([]kluis.Branch, error) {
	var out []kluis.Branch
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		out, _, err = branches.list(ctx, db, tx, tenantWhere(a.TenantID), "name, id", kluis.Page{Limit: kluis.MaxPageSize})
		return err
	})
	return out, err
}
