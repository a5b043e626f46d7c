package store

import (
	"context"
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
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return IDCopiesRemoved{}, err
	}
	defer done()
	var out IDCopiesRemoved
	cutoff := db.now().Add(-kluis.IDCopyTerm)
	// What is due is found on a reader first: the search reads many rows
	// at a large agency, and a write transaction would hold up every
	// other write meanwhile. The write then touches only those rows, and
	// checks each again.
	// A candidate whose processing is restricted (art. 18) keeps them
	// until the restriction is lifted: their data are not deleted.
	docCond := "tenant_id = $1 AND kind = 'id-copy' AND created_at <= $2 AND " + fmt.Sprintf(notEmployed, "documents", "candidate_id") +
		" AND " + notProcessingRestricted("documents", "candidate_id")
	candCond := "tenant_id = $1 AND id_recorded_on <= $2 AND " + fmt.Sprintf(notEmployed, "candidates", "id") +
		" AND " + notProcessingRestricted("candidates", "id")
	docs, err := queryIDs(ctx, rd, "SELECT id FROM documents WHERE "+docCond, tenant, cutoff)
	if err != nil {
		return out, fmt.Errorf("ID copies due: %w", err)
	}
	cands, err := queryIDs(ctx, rd, "SELECT id FROM candidates WHERE "+candCond, tenant, kluis.DateOf(cutoff))
	if err != nil {
		return out, fmt.Errorf("ID data due: %w", err)
	}
	done()
	const chunk = 500
	for len(docs) > 0 || len(cands) > 0 {
		d, c := docs[:min(len(docs), chunk)], cands[:min(len(cands), chunk)]
		docs, cands = docs[len(d):], cands[len(c):]
		var keys []string
		// kluis itself removes: the entries name no user.
		err := db.write(ctx, kluis.Actor{TenantID: tenant}, func(tx *writeTx) error {
			if len(d) > 0 {
				args := []any{tenant, cutoff}
				for _, id := range d {
					args = append(args, id)
				}
				var err error
				if keys, err = removeDocuments(ctx, tx, docCond+" AND id IN ("+placeholders(3, len(d))+")", "R2", args...); err != nil {
					return err
				}
				out.Documents += len(keys)
			}
			if len(c) == 0 {
				return nil
			}
			args := []any{tenant, kluis.DateOf(cutoff), db.now()}
			for _, id := range c {
				args = append(args, id)
			}
			ids, err := queryIDs(ctx, tx, `UPDATE candidates SET id_document_type = '', id_document_number = '', id_document_expiry = NULL,
				id_recorded_on = NULL, version = version + 1, updated_at = $3
				WHERE `+candCond+" AND id IN ("+placeholders(4, len(c))+") RETURNING id", args...)
			for _, id := range ids {
				tx.record(kluis.AuditEntry{Action: "remove", Entity: "candidates", EntityID: id, CandidateID: id, Reason: "R2",
					Fields: []string{"id_document_type", "id_document_number", "id_document_expiry", "id_recorded_on"}})
			}
			out.Candidates += len(ids)
			return err
		})
		if err != nil {
			return IDCopiesRemoved{}, err
		}
		if err := db.deleteBlobs(ctx, keys); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Employment counts a candidate's placements by kind of contract, for the
// BSN and ID rules and the R2 term shown to staff.
func (db *DB) Employment(ctx context.Context, a kluis.Actor, cand kluis.ID) (kluis.Employment, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return kluis.Employment{}, err
	}
	defer done()
	return employmentOf(ctx, rd, a.TenantID, cand)
}

// queryIDs runs a query (or a statement ending in RETURNING id) whose
// rows are ids, and collects them.
func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]kluis.ID, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kluis.ID
	for rows.Next() {
		var id kluis.ID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// removeDocuments deletes the document rows that cond selects (its
// arguments args), records each removal with reason, and returns the keys
// of their contents, to be deleted once the transaction commits.
func removeDocuments(ctx context.Context, tx *writeTx, cond, reason string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, candidate_id, blob_key FROM documents WHERE "+cond, args...)
	if err != nil {
		return nil, err
	}
	var keys []string
	var entries []kluis.AuditEntry
	for rows.Next() {
		e := kluis.AuditEntry{Action: "remove", Entity: "documents", Reason: reason}
		var key string
		if err := rows.Scan(&e.EntityID, &e.CandidateID, &key); err != nil {
			rows.Close()
			return nil, err
		}
		entries, keys = append(entries, e), append(keys, key)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM documents WHERE "+cond, args...); err != nil {
		return nil, err
	}
	for _, e := range entries {
		tx.record(e)
	}
	return keys, nil
}
