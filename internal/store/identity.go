package store

import (
	"context"
	"database/sql"
	"fmt"

	"kluis/internal/kluis"
)

// notEmployed is the condition, on a row with tenant_id and candidate_id
// (or id, for candidates), that the candidate has no placement as an
// employee: R2 then limits their ID copy to 4 weeks.
const notEmployed = `NOT EXISTS (SELECT 1 FROM placements p WHERE p.tenant_id = %[1]s.tenant_id AND p.candidate_id = %[1]s.%[2]s AND p.contract_kind <> '` + kluis.SelfEmployed + `')`

// IDCopiesRemoved says what PurgeExpiredIDCopies removed.
type IDCopiesRemoved struct {
	Documents  int // ID copies (files) deleted
	Candidates int // candidates whose identity document data were emptied
}

// PurgeExpiredIDCopies removes what R2 no longer allows: the ID copies of
// candidates who are not employed, 4 weeks after they were made, and the
// identity document data (kind, number, expiry) recorded for them 4 weeks
// ago or longer. A candidate who has a placement as an employee keeps
// them: R4 applies instead.
func (db *DB) PurgeExpiredIDCopies(ctx context.Context, tenant kluis.ID) (IDCopiesRemoved, error) {
	var out IDCopiesRemoved
	cutoff := db.now().Add(-kluis.IDCopyTerm)
	var keys []string
	err := db.update(ctx, func(tx *sql.Tx) error {
		var err error
		cond := "tenant_id = $1 AND kind = 'id-copy' AND created_at <= $2 AND " + fmt.Sprintf(notEmployed, "documents", "candidate_id")
		if keys, err = blobKeys(ctx, tx, "SELECT blob_key FROM documents WHERE "+cond, tenant, cutoff); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM documents WHERE "+cond, tenant, cutoff); err != nil {
			return err
		}
		out.Documents = len(keys)
		res, err := tx.ExecContext(ctx, `UPDATE candidates SET id_document_type = '', id_document_number = '', id_document_expiry = NULL,
			id_recorded_on = NULL, version = version + 1, updated_at = $3
			WHERE tenant_id = $1 AND id_recorded_on <= $2 AND `+fmt.Sprintf(notEmployed, "candidates", "id"),
			tenant, kluis.DateOf(cutoff), db.now())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		out.Candidates = int(n)
		return err
	})
	if err != nil {
		return IDCopiesRemoved{}, err
	}
	return out, db.deleteBlobs(ctx, keys)
}

// Employment counts a candidate's placements by kind of contract, for the
// BSN and ID rules and the R2 term shown to staff.
func (db *DB) Employment(ctx context.Context, a kluis.Actor, cand kluis.ID) (kluis.Employment, error) {
	return employmentOf(ctx, db.r, a.TenantID, cand)
}
