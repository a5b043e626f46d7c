package store

import (
	"context"
	"database/sql"

	"kluis/internal/kluis"
)

var clients = &table[kluis.Client]{
	name: "clients", kind: "client",
	columns: []string{"branch_id", "name", "kvk_number", "street", "house_number", "postcode", "city", "country",
		"email", "phone", "version", "created_at", "updated_at"},
	values: func(c *kluis.Client) []any {
		return []any{c.BranchID, c.Name, c.KvKNumber, c.Street, c.HouseNumber, c.Postcode, c.City, c.Country,
			c.Email, c.Phone, c.Version, c.CreatedAt, c.UpdatedAt}
	},
	targets: func(c *kluis.Client) []any {
		return []any{&c.TenantID, &c.ID, &c.BranchID, &c.Name, &c.KvKNumber, &c.Street, &c.HouseNumber, &c.Postcode, &c.City, &c.Country,
			&c.Email, &c.Phone, &c.Version, &c.CreatedAt, &c.UpdatedAt}
	},
	version: func(c *kluis.Client) *int64 { return &c.Version },
	key:     func(c *kluis.Client) (*kluis.ID, *kluis.ID) { return &c.TenantID, &c.ID },
}

// ClientFilter narrows the client list.
type ClientFilter struct {
	Query    string // part of the name, or the KvK number
	City     string
	BranchID kluis.ID
	Sort     string
	Page     kluis.Page
}

var clientSorts = map[string]string{"name": "lower(name)", "city": "lower(city)", "created_at": "created_at"}

// ListClients returns a page of clients and the total.
func (db *DB) ListClients(ctx context.Context, a kluis.Actor, f ClientFilter) ([]kluis.Client, int, error) {
	order, err := orderBy(f.Sort, clientSorts, "lower(name), id")
	if err != nil {
		return nil, 0, err
	}
	w := tenantWhere(a.TenantID)
	if f.Query != "" {
		w.add(`(lower(name) LIKE ? ESCAPE '\' OR kvk_number = ?)`, likePattern(f.Query, false), f.Query)
	}
	if f.City != "" {
		w.add(`lower(city) LIKE ? ESCAPE '\'`, likePattern(f.City, true))
	}
	if f.BranchID != 0 {
		w.add("branch_id = ?", f.BranchID)
	}
	var out []kluis.Client
	var total int
	err = db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error {
		out, total, err = clients.list(ctx, db, tx, w, order, f.Page)
		return err
	})
	return out, total, err
}

// Client returns one client.
func (db *DB) Client(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Client, error) {
	return getOne(ctx, db, clients, a, id)
}

// CreateClient adds a client.
func (db *DB) CreateClient(ctx context.Context, a kluis.Actor, c *kluis.Client) error {
	c.TenantID = a.TenantID
	if err := c.Validate(); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := checkBranch(ctx, tx, a.TenantID, c.BranchID); err != nil {
			return err
		}
		now := db.now()
		c.ID, c.Version, c.CreatedAt, c.UpdatedAt = db.ids.Next(), 1, now, now
		return clients.insert(ctx, db, tx, c)
	})
}

// UpdateClient saves c if version is still the stored one.
func (db *DB) UpdateClient(ctx context.Context, a kluis.Actor, c *kluis.Client, version int64) error {
	c.TenantID = a.TenantID
	if err := c.Validate(); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := checkBranch(ctx, tx, a.TenantID, c.BranchID); err != nil {
			return err
		}
		c.UpdatedAt = db.now()
		return clients.update(ctx, db, tx, c, version)
	})
}

// DeleteClient removes a client and its contact persons; a client with
// placements or disclosures stays (they are the candidates' history).
func (db *DB) DeleteClient(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) error {
	return db.write(ctx, a, func(tx *writeTx) error { return clients.delete(ctx, tx, a.TenantID, id, version) })
}

func checkBranch(ctx context.Context, tx querier, tenant, branch kluis.ID) error {
	ok, err := branches.exists(ctx, tx, tenant, branch)
	if err != nil {
		return err
	}
	if !ok {
		p := kluis.Problems{}
		p.Add("branch_id", "Deze vestiging bestaat niet.", "This branch does not exist.")
		return p.Err()
	}
	return nil
}

// checkRef turns a reference to a record that does not exist in the tenant
// into a field error.
func checkRef[T any](ctx context.Context, tx querier, t *table[T], tenant, id kluis.ID, p kluis.Problems, field string) error {
	if id == 0 {
		return nil
	}
	ok, err := t.exists(ctx, tx, tenant, id)
	if err != nil {
		return err
	}
	if !ok {
		p.Add(field, "Bestaat niet (meer).", "Does not exist (any more).")
	}
	return nil
}

var clientContacts = &table[kluis.ClientContact]{
	name: "client_contacts", kind: "client contact",
	columns: []string{"client_id", "name", "job_title", "email", "phone", "version", "created_at", "updated_at"},
	values: func(c *kluis.ClientContact) []any {
		return []any{c.ClientID, c.Name, c.JobTitle, c.Email, c.Phone, c.Version, c.CreatedAt, c.UpdatedAt}
	},
	targets: func(c *kluis.ClientContact) []any {
		return []any{&c.TenantID, &c.ID, &c.ClientID, &c.Name, &c.JobTitle, &c.Email, &c.Phone, &c.Version, &c.CreatedAt, &c.UpdatedAt}
	},
	version: func(c *kluis.ClientContact) *int64 { return &c.Version },
	key:     func(c *kluis.ClientContact) (*kluis.ID, *kluis.ID) { return &c.TenantID, &c.ID },
}

// ClientContacts lists the contact persons of a client.
func (db *DB) ClientContacts(ctx context.Context, a kluis.Actor, client kluis.ID, page kluis.Page) ([]kluis.ClientContact, int, error) {
	w := tenantWhere(a.TenantID)
	w.add("client_id = ?", client)
	var out []kluis.ClientContact
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		if ok, err := clients.exists(ctx, tx, a.TenantID, client); err != nil {
			return err
		} else if !ok {
			return kluis.NotFound("client")
		}
		out, total, err = clientContacts.list(ctx, db, tx, w, "lower(name), id", page)
		return err
	})
	return out, total, err
}

// ClientContact returns one contact person.
func (db *DB) ClientContact(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.ClientContact, error) {
	return getOne(ctx, db, clientContacts, a, id)
}

// CreateClientContact adds a contact person to a client.
func (db *DB) CreateClientContact(ctx context.Context, a kluis.Actor, c *kluis.ClientContact) error {
	c.TenantID = a.TenantID
	if err := c.Validate(); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		p := kluis.Problems{}
		if err := checkRef(ctx, tx, clients, a.TenantID, c.ClientID, p, "client_id"); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := db.now()
		c.ID, c.Version, c.CreatedAt, c.UpdatedAt = db.ids.Next(), 1, now, now
		return clientContacts.insert(ctx, db, tx, c)
	})
}

// UpdateClientContact saves c if version is still the stored one.
func (db *DB) UpdateClientContact(ctx context.Context, a kluis.Actor, c *kluis.ClientContact, version int64) error {
	c.TenantID = a.TenantID
	if err := c.Validate(); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		p := kluis.Problems{}
		if err := checkRef(ctx, tx, clients, a.TenantID, c.ClientID, p, "client_id"); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		c.UpdatedAt = db.now()
		return clientContacts.update(ctx, db, tx, c, version)
	})
}

// DeleteClientContact removes a contact person.
func (db *DB) DeleteClientContact(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) error {
	return db.write(ctx, a, func(tx *writeTx) error { return clientContacts.delete(ctx, tx, a.TenantID, id, version) })
}
