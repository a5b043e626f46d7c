package store

import (
	"context"
	"slices"
	"strings"

	"kluis/internal/kluis"
)

// Known is what identifies a candidate, gathered before an erasure: after
// it kluis no longer knows these values, so a scan for what is left has
// to be given them. It lives in memory only.
type Known struct {
	ids      []Identifier
	hashKind map[string]string // document sha256 → kind of document
}

// KnowBeforeErasure gathers the identifiers of a candidate.
func (db *DB) KnowBeforeErasure(ctx context.Context, tenant, cand kluis.ID) (*Known, error) {
	a := kluis.Actor{TenantID: tenant}
	c, err := db.Candidate(ctx, a, cand)
	if err != nil {
		return nil, err
	}
	docs, _, err := db.ListDocuments(ctx, a, DocumentFilter{CandidateID: cand, Page: kluis.Page{Limit: kluis.MaxPageSize}})
	if err != nil {
		return nil, err
	}
	k := &Known{ids: IdentifiersOf(c, docs), hashKind: map[string]string{}}
	for _, d := range docs {
		k.hashKind[strings.ToLower(d.SHA256)] = d.Kind
	}
	return k, nil
}

// identifierField is the catalogued field an identifier of a kind comes
// from; a staged erasure is verified for the identifiers it erased.
var identifierField = map[string]string{
	"name": "candidates.last_name", "email": "candidates.email", "phone": "candidates.phone", "bsn": "candidates.bsn",
	"iban": "candidates.iban", "document-number": "candidates.id_document_number",
}

// erased returns the identifiers an erasure removed. A first or a last
// name alone is left out: other candidates share it, and a hit on it
// proves nothing; the full name stays in.
func (k *Known) erased(rec *kluis.Erasure) []Identifier {
	var fields []string
	for _, g := range rec.Erased {
		fields = append(fields, g.Fields...)
	}
	var out []Identifier
	for _, id := range k.ids {
		if id.Kind == "name" && !strings.Contains(strings.TrimSpace(id.Value), " ") {
			continue
		}
		if rec.Complete {
			out = append(out, id)
			continue
		}
		field := identifierField[id.Kind]
		if id.Kind == "file-hash" {
			field = "document:" + k.hashKind[strings.ToLower(id.Value)]
		}
		if slices.Contains(fields, field) {
			out = append(out, id)
		}
	}
	return out
}

// VerifyErasures looks, in one scan of every table, blob and (on SQLite)
// the database files, for what each erasure erased, and records on each
// record how many places still held any of it. It returns the total.
func (db *DB) VerifyErasures(ctx context.Context, recs []kluis.Erasure, known map[kluis.ID]*Known) (int, error) {
	var all []Identifier
	owner := map[int]int{} // index into all → index into recs
	for i := range recs {
		k := known[recs[i].CandidateID]
		if k == nil {
			continue
		}
		for _, id := range k.erased(&recs[i]) {
			owner[len(all)] = i
			all = append(all, id)
		}
	}
	hits := make([]int, len(recs))
	if len(all) > 0 {
		db.checkpoint(ctx)
		found, err := db.ScanResidue(ctx, all, ResidueOptions{RawFiles: db.Dialect == SQLite})
		if err != nil {
			return 0, err
		}
		for _, h := range found {
			hits[owner[h.Identifier]]++
		}
	}
	total := 0
	for i := range recs {
		if known[recs[i].CandidateID] == nil {
			continue
		}
		if err := db.RecordVerification(ctx, recs[i].TenantID, recs[i].ID, hits[i]); err != nil {
			return total, err
		}
		n, now := hits[i], db.now()
		recs[i].ResidueHits, recs[i].VerifiedAt = &n, &now
		total += n
	}
	return total, nil
}

// checkpoint copies SQLite's write-ahead log into the database file and
// empties it: the log still holds the pages an erasure overwrote, in
// plain text where the data were not sealed. It is best effort — a reader
// holding the log open makes it partial — and a no-op on PostgreSQL, whose
// dead rows VACUUM reclaims (docs/OPERATIONS.md).
func (db *DB) checkpoint(ctx context.Context) {
	if db.Dialect != SQLite {
		return
	}
	var busy, logFrames, done int
	_ = db.w.QueryRowContext(context.WithoutCancel(ctx), "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done)
}

// Checkpoint is checkpoint for the clean-up, which runs it when a run ends.
func (db *DB) Checkpoint(ctx context.Context) { db.checkpoint(ctx) }
