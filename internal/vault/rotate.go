package vault

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// rotateBatch is how many keys one transaction of a rotation re-wraps:
// small enough that a transaction is short and other writers (a Create,
// a Destroy) get their turn between batches, large enough that a million
// keys take a thousand commits, not a million.
const rotateBatch = 1000

// Rotate re-wraps every key under next, batch by batch, each batch one
// transaction, reporting progress after each (progress may be nil). From
// its start this vault wraps new keys under next. Other processes keep
// reading throughout, provided they know both masters (AddMasterKey): a row
// records the master it is wrapped under. An interrupted rotation (a
// cancelled ctx) leaves every key readable under one of the two and is
// finished by running Rotate again, which skips the keys already under
// next; so does a second run after all processes have switched, for keys
// created meanwhile by a process still wrapping under the old master.
func (v *Vault) Rotate(ctx context.Context, next *MasterKey, progress func(done, total int)) error {
	if next == nil || next.wrap == nil {
		return errors.New("vault: rotate needs the next master key")
	}
	v.mu.Lock()
	if known, ok := v.masters[next.ID]; ok {
		next = known
	} else {
		v.masters[next.ID] = next
	}
	v.current = next
	v.mu.Unlock()

	var total int
	if err := v.r.QueryRowContext(ctx, "SELECT count(*) FROM "+v.keysT+" WHERE master_id <> $1", next.ID).Scan(&total); err != nil {
		return fmt.Errorf("vault: rotate: count keys: %w", err)
	}
	type row struct {
		tenant, subject int64
		master          string
		wrapped         []byte
	}
	// Walk the primary key: each batch starts after the last key of the
	// one before, so a batch costs the same at the end as at the start.
	var after subjectID
	started := false
	done := 0
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("vault: rotate: stopped after %d of %d keys: %w", done, total, err)
		}
		n := 0
		err := v.update(ctx, func(tx *sql.Tx) error {
			query, args := "SELECT tenant_id, subject_id, master_id, wrapped FROM "+v.keysT+ // #nosec G202 -- the key store's table name is fixed at Open; values are parameters
				" WHERE master_id <> $1 ORDER BY tenant_id, subject_id LIMIT $2", []any{next.ID, rotateBatch}
			if started {
				query, args = "SELECT tenant_id, subject_id, master_id, wrapped FROM "+v.keysT+
					" WHERE master_id <> $1 AND (tenant_id > $2 OR (tenant_id = $2 AND subject_id > $3))"+
					" ORDER BY tenant_id, subject_id LIMIT $4", []any{next.ID, after.tenant, after.subject, rotateBatch}
			}
			rows, err := tx.QueryContext(ctx, query, args...)
			if err != nil {
				return err
			}
			// Read the batch to the end before writing: a connection
			// answers one statement at a time.
			var batch []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.tenant, &r.subject, &r.master, &r.wrapped); err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, r)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
			if len(batch) == 0 {
				return nil
			}
			stmt, err := tx.PrepareContext(ctx, "UPDATE "+v.keysT+" SET master_id = $1, wrapped = $2 WHERE tenant_id = $3 AND subject_id = $4 AND master_id = $5") // #nosec G202 -- the key store's table name is fixed at Open; values are parameters
			if err != nil {
				return err
			}
			defer stmt.Close()
			for _, r := range batch {
				m := v.master(r.master)
				if m == nil {
					return fmt.Errorf("%w: the key of subject %d of tenant %d is wrapped under master key %s, which this process was not given (AddMasterKey)",
						ErrDecrypt, r.subject, r.tenant, r.master)
				}
				raw, err := m.unwrapKey(r.tenant, r.subject, r.wrapped)
				if err != nil {
					return err
				}
				wrapped, err := next.wrapKey(r.tenant, r.subject, raw)
				clear(raw)
				if err != nil {
					return err
				}
				// Only if the row is still what was read: a key
				// destroyed meanwhile must not come back.
				if _, err := stmt.ExecContext(ctx, next.ID, wrapped, r.tenant, r.subject, r.master); err != nil {
					return err
				}
			}
			last := batch[len(batch)-1]
			after, started = subjectID{last.tenant, last.subject}, true
			n = len(batch)
			return nil
		})
		if err != nil {
			return fmt.Errorf("vault: rotate: stopped after %d of %d keys: %w", done, total, err)
		}
		if n == 0 {
			return nil
		}
		done += n
		if progress != nil {
			progress(done, max(total, done))
		}
		if n < rotateBatch {
			return nil
		}
	}
}
