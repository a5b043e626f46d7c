package store

import (
	"context"

	"kluis/internal/kluis"
)

// StoredBreachLetter returns a breach letter's content as it is stored,
// for tests that check it is sealed.
func (db *DB) StoredBreachLetter(ctx context.Context, tenant, id kluis.ID) ([]byte, error) {
	var out []byte
	err := db.readOne(ctx, forAgency(tenant), func(rd querier) error {
		return rd.QueryRowContext(ctx, "SELECT content FROM breach_letters WHERE tenant_id = $1 AND id = $2", tenant, id).Scan(&out)
	})
	return out, err
}
