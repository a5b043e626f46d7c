package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/retention"
)

// batchErasure is what eraseBatch did to one candidate of its batch.
type batchErasure struct {
	rec  *kluis.Erasure // nil: nothing was due, or the candidate is restricted
	keys []string       // contents of their deleted documents
}

// eraseBatch erases the candidates ids of a clean-up run inside tx, as
// eraseOne erases each, but with statements that serve the whole batch
// where they can: one read (and on PostgreSQL one lock) of the candidates,
// one question which tables hold their rows, one read of their retention
// facts, and one DELETE per table for all who go altogether. A candidate
// of whom something is kept (a staged erasure) and the texts of the rows
// that stay as proof are handled one by one, as eraseOne does. On
// PostgreSQL a statement is a round trip, and most of an erasure's time
// was spent waiting for them.
//
// Candidates the actor cannot see, or no longer there, are left out of
// the result. Any error undoes the whole batch (the caller erases its
// candidates one by one then, to find the one that fails).
func (db *DB) eraseBatch(ctx context.Context, tx *writeTx, cat *catalog.Catalog, terms retention.Terms, ids []kluis.ID, opt EraseOptions) (map[kluis.ID]batchErasure, error) {
	tenant := tx.actor.TenantID
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// The candidates, in order of id: on PostgreSQL their rows are locked
	// in that order (two batches never wait for each other in a circle),
	// and a row another transaction adds for one of them waits for the
	// erasure and then finds the candidate gone (see eraseOne).
	w := tenantWhere(tenant)
	scopeWhere(w, candidates, tx.actor)
	w.add("id IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+")", anys(ids)...)
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR UPDATE"
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, branch_id, registered_on, nationality, id_recorded_on, erased_groups FROM candidates"+w.sql()+" ORDER BY id"+lock, w.args...)
	if err != nil {
		return nil, fmt.Errorf("erase: %w", err)
	}
	var page []*CandidateFacts
	by := map[kluis.ID]*CandidateFacts{}
	for rows.Next() {
		c := &CandidateFacts{}
		var erased string
		if err := rows.Scan(&c.ID, &c.BranchID, &c.Facts.Registered, &c.Facts.Nationality, &c.Facts.IDRecordedOn, &erased); err != nil {
			rows.Close()
			return nil, fmt.Errorf("erase: %w", err)
		}
		c.Facts.LastActivity, c.Facts.Erased = c.Facts.Registered, erasedGroups(erased)
		page = append(page, c)
		by[c.ID] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("erase: %w", err)
	}
	out := map[kluis.ID]batchErasure{}
	if len(page) == 0 {
		return out, nil
	}
	found := make([]kluis.ID, len(page))
	for i, c := range page {
		found[i] = c.ID
	}
	has, anyHas, err := presentInBatch(ctx, tx, tenant, found)
	if err != nil {
		return nil, err
	}
	// Art. 18: a restricted candidate's data are not deleted; a clean-up
	// passes them by (eraseOne).
	var restricted []kluis.ID
	for _, id := range found {
		if has[id].of("restrictions") {
			if rid, err := activeRestriction(ctx, tx, tenant, id); err != nil {
				return nil, err
			} else if rid != 0 {
				restricted = append(restricted, id)
			}
		}
	}
	if err := db.fillFacts(ctx, tx, tenant, page, by, anyHas); err != nil {
		return nil, err
	}
	// Planned one by one; those who go altogether are deleted together.
	plans := map[kluis.ID]*erasePlan{}
	var whole []kluis.ID
	wholeHas := presence{}
	for _, c := range page {
		if slices.Contains(restricted, c.ID) {
			out[c.ID] = batchErasure{}
			continue
		}
		ep := planErasure(cat, c.Facts, terms, db.today(), opt)
		if ep == nil {
			out[c.ID] = batchErasure{}
			continue
		}
		plans[c.ID] = ep
		db.newErasure(tx, ep, c.ID, opt)
		if ep.complete {
			whole = append(whole, c.ID)
			wholeHas.add(has[c.ID])
		}
	}
	keys, err := db.deleteCandidates(ctx, tx, tenant, whole, has, wholeHas, plans)
	if err != nil {
		return nil, err
	}
	// Those of whom something is kept, together with those whose staged
	// erasure has the same shape.
	type shape struct {
		ep     *erasePlan
		before []string
		recs   []*kluis.Erasure
		has    presence
	}
	shapes := map[string]*shape{}
	var order []string
	for _, c := range page {
		ep := plans[c.ID]
		if ep == nil || ep.complete {
			continue
		}
		key := stagedShape(ep, c.Facts.Erased)
		sh := shapes[key]
		if sh == nil {
			sh = &shape{ep: ep, before: c.Facts.Erased, has: presence{}}
			shapes[key] = sh
			order = append(order, key)
		}
		sh.recs = append(sh.recs, &ep.rec)
		sh.has.add(has[c.ID])
	}
	for _, key := range order {
		sh := shapes[key]
		staged, err := db.eraseStaged(ctx, tx, sh.ep, sh.before, sh.recs, sh.has)
		if err != nil {
			return nil, err
		}
		maps.Copy(keys, staged)
	}
	var recs []*kluis.Erasure
	var files [][]string
	for _, c := range page {
		ep := plans[c.ID]
		if ep == nil {
			continue
		}
		rec := &ep.rec
		k := keys[c.ID]
		if err := db.recordErasure(ctx, tx, ep, rec, has[c.ID], k, true); err != nil {
			return nil, err
		}
		recs, files = append(recs, rec), append(files, k)
		out[c.ID] = batchErasure{rec: rec, keys: k}
	}
	if err := insertErasures(ctx, tx, recs, files); err != nil {
		return nil, err
	}
	return out, nil
}

// deleteCandidates deletes the candidates ids, who go altogether, with
// every row of theirs: one DELETE per table that holds rows of any of them
// (wholeHas), in the order of childTables. It counts each candidate's rows
// on their record in plans and returns the keys of their documents'
// contents.
func (db *DB) deleteCandidates(ctx context.Context, tx *writeTx, tenant kluis.ID, ids []kluis.ID, has map[kluis.ID]presence, wholeHas presence, plans map[kluis.ID]*erasePlan) (map[kluis.ID][]string, error) {
	keys := map[kluis.ID][]string{}
	if len(ids) == 0 {
		return keys, nil
	}
	// Hook of the breach register (breaches.go), before the names go.
	for _, id := range ids {
		if has[id].of("breach_candidates") {
			if err := db.redactBreachTexts(ctx, tx, tenant, id); err != nil {
				return nil, err
			}
		}
	}
	in := "candidate_id IN (" + placeholders(2, len(ids)) + ")"
	args := append([]any{tenant}, anys(ids)...)
	if wholeHas.of("documents") {
		rows, err := tx.QueryContext(ctx, "SELECT candidate_id, blob_key FROM documents WHERE tenant_id = $1 AND "+in, args...)
		if err != nil {
			return nil, fmt.Errorf("erase documents: %w", err)
		}
		for rows.Next() {
			var id kluis.ID
			var key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return nil, fmt.Errorf("erase documents: %w", err)
			}
			keys[id] = append(keys[id], key)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("erase documents: %w", err)
		}
	}
	// Each candidate's rows are counted from what each DELETE returns.
	for _, t := range childTables {
		if !wholeHas.of(t) {
			continue
		}
		rows, err := tx.QueryContext(ctx, "DELETE FROM "+t+" WHERE tenant_id = $1 AND "+in+" RETURNING candidate_id", args...)
		if err != nil {
			return nil, fmt.Errorf("erase %s: %w", t, err)
		}
		for rows.Next() {
			var id kluis.ID
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("erase %s: %w", t, err)
			}
			plans[id].rec.Rows++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("erase %s: %w", t, err)
		}
	}
	n, err := execCount(ctx, tx, "DELETE FROM candidates WHERE tenant_id = $1 AND id IN ("+placeholders(2, len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("erase candidates: %w", err)
	}
	if n != len(ids) {
		return nil, fmt.Errorf("erase candidates: %d of %d deleted", n, len(ids))
	}
	for _, id := range ids {
		plans[id].rec.Rows++
	}
	return keys, nil
}

// presentInBatch says, in one statement, which of probedTables hold rows of
// each of the candidates ids, and of any of them: an index range each
// (every one of those tables has an index that starts with (tenant_id,
// candidate_id)).
func presentInBatch(ctx context.Context, q querier, tenant kluis.ID, ids []kluis.ID) (map[kluis.ID]presence, presence, error) {
	rows, err := q.QueryContext(ctx, presentInBatchSQL(len(ids)), append([]any{tenant}, anys(ids)...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("erase: which tables hold the candidates' rows: %w", err)
	}
	defer rows.Close()
	has := make(map[kluis.ID]presence, len(ids))
	for _, id := range ids {
		has[id] = presence{}
	}
	anyHas := presence{}
	for rows.Next() {
		var t int
		var id kluis.ID
		if err := rows.Scan(&t, &id); err != nil {
			return nil, nil, fmt.Errorf("erase: which tables hold the candidates' rows: %w", err)
		}
		if p := has[id]; p != nil && t >= 0 && t < len(probedTables) {
			p[probedTables[t]] = true
			anyHas[probedTables[t]] = true
		}
	}
	return has, anyHas, rows.Err()
}

// presentInBatchSQL is the question of presentInBatch for n candidates:
// (number of the table in probedTables, candidate) for every table that
// holds a row of a candidate, each pair once.
var presentInBatchSQL = func() func(n int) string {
	var mu sync.Mutex
	made := map[int]string{}
	return func(n int) string {
		mu.Lock()
		defer mu.Unlock()
		if q, ok := made[n]; ok {
			return q
		}
		in := "candidate_id IN (" + placeholders(2, n) + ")"
		parts := make([]string, len(probedTables))
		for i, t := range probedTables {
			parts[i] = "SELECT DISTINCT " + strconv.Itoa(i) + ", candidate_id FROM " + t + " WHERE tenant_id = $1 AND " + in
		}
		q := strings.Join(parts, " UNION ALL ")
		made[n] = q
		return q
	}
}()

// anys is ids as statement arguments.
func anys(ids []kluis.ID) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
