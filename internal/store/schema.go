package store

import (
	"context"
	"fmt"
)

// Column is one column of the live schema.
type Column struct {
	Table, Name string
}

// Columns reads every column of kluis's tables from the database itself
// (not from the migrations), for the catalogue's completeness check.
// The migration bookkeeping table is left out.
func (db *DB) Columns(ctx context.Context) ([]Column, error) {
	var out []Column
	if db.Dialect == Postgres {
		rows, err := db.r.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name <> 'goose_db_version' ORDER BY table_name, ordinal_position`)
		if err != nil {
			return nil, fmt.Errorf("read columns: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c Column
			if err := rows.Scan(&c.Table, &c.Name); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, rows.Err()
	}
	rows, err := db.r.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version' ORDER BY m.name, p.cid`)
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Table, &c.Name); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
