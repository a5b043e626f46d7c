package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/retention"
)

// Erasure: a candidate's data are erased group by group (a catalogue
// category and the rules its fields follow, see retention.Plan), when a
// group's term has ended (the clean-up) or when the candidate asks to be
// forgotten (art. 17: everything no legal minimum or hold keeps).
//
//   - When nothing of the candidate is to be kept any longer, the candidate
//     goes altogether: every row of theirs, every document's contents and
//     their subject key, so that every copy of their sealed data —
//     backups, old pages, replicas — is noise.
//   - Otherwise the erasure is staged: the erased columns are emptied,
//     rows of which nothing is kept are deleted, documents of the erased
//     kinds go with their contents, and the candidate is restricted
//     (kluis.RestrictedLegalMinimum) to what the law still requires.
//
// Every erasure, of one candidate, is one transaction with the record that
// proves it (kluis.Erasure, no personal data) and an audit entry. What
// lies outside the database — document contents and the key in the key
// store — follows after the commit; the record says what is still to do
// (files_pending, key_shredded_at), and ResumeErasures finishes it after a
// crash, so an erasure is never half done for good and nothing is touched
// twice.

// EraseOptions say why a candidate is erased.
type EraseOptions struct {
	// Reason is a kluis.ErasureReasons value: "retention" erases what is
	// due; "request" erases what no minimum or hold keeps.
	Reason    string
	RequestID kluis.ID
	RunID     kluis.ID
	// GraceDays: the clean-up erases groups whose term ended at least
	// this many days ago.
	GraceDays int
	// Verify: right after erasing, scan every table, blob and database
	// file for what was erased, with the identifiers gathered before, and
	// record the result on the erasure record.
	Verify bool
}

// erasedDate takes the place of a required date of an erased group
// (candidates.registered_on cannot be empty).
const erasedDate kluis.Date = "0001-01-01"

// erasePlan is what erasing one candidate does, worked out before any
// change: the groups to erase, those to keep, and whether the candidate
// goes altogether.
type erasePlan struct {
	due      []retention.Item
	complete bool
	// restrict: all that is kept is kept by a legal minimum (R4–R6) or a
	// hold, so the candidate is restricted to it. (An ID copy gone after
	// 4 weeks (R2) leaves a candidate as they were.)
	restrict bool
	rec      kluis.Erasure
}

// planErasure works out the erasure of a candidate with the given facts.
// It returns nil when nothing is to be erased.
func planErasure(cat *catalog.Catalog, f retention.Facts, t retention.Terms, today kluis.Date, opt EraseOptions) *erasePlan {
	plan := retention.Plan(cat, f, t, today)
	var due []retention.Item
	if opt.Reason == "request" {
		due = retention.Forgettable(plan, today)
	} else {
		due = retention.Due(plan, kluis.DateOf(today.Time().AddDate(0, 0, -opt.GraceDays)))
	}
	if len(due) == 0 {
		return nil
	}
	ep := &erasePlan{due: due, complete: retention.Complete(plan, due)}
	erased := map[string]bool{}
	for _, it := range due {
		erased[it.Key()] = true
		ep.rec.Erased = append(ep.rec.Erased, kluis.ErasedGroup{Category: string(it.Category), Rule: string(it.Rule), Fields: it.Fields})
	}
	ep.restrict = !ep.complete
	for _, it := range plan {
		if it.Erased || erased[it.Key()] {
			continue
		}
		if !it.Minimum && !it.Held {
			ep.restrict = false
		}
		ep.rec.Kept = append(ep.rec.Kept, kluis.KeptGroup{Category: string(it.Category), Rule: string(it.Rule), Until: it.Expires,
			Held: it.Held, Fields: it.Fields})
	}
	return ep
}

// PreviewErasure tells what erasing a candidate now would erase and keep,
// without doing it; nil when nothing would be erased.
func (db *DB) PreviewErasure(ctx context.Context, a kluis.Actor, cand kluis.ID, opt EraseOptions) (*kluis.Erasure, error) {
	f, err := db.RetentionFacts(ctx, a, cand)
	if err != nil {
		return nil, err
	}
	s, err := db.Settings(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	ep := planErasure(catalog.New(), f, retention.For(s), db.today(), withReason(opt))
	if ep == nil {
		return nil, nil
	}
	ep.rec.CandidateID, ep.rec.Complete, ep.rec.Reason = cand, ep.complete, withReason(opt).Reason
	return &ep.rec, nil
}

func withReason(opt EraseOptions) EraseOptions {
	if opt.Reason == "" {
		opt.Reason = "retention"
	}
	return opt
}

// Erase erases what is due of each of the candidates, each in its own
// transaction, and returns the records of the erasures done (candidates
// with nothing due are left out). Candidates the actor cannot see are
// not found — in a clean-up run (RunID set) they are skipped instead,
// since they may have been erased since the run began. What lies outside
// the database (document contents, the keys) is removed for all of them
// together at the end. An error names the candidate it happened to
// (*EraseError); the erasures before it stand.
func (db *DB) Erase(ctx context.Context, a kluis.Actor, ids []kluis.ID, opt EraseOptions) ([]kluis.Erasure, error) {
	opt = withReason(opt)
	if opt.Reason != "retention" && opt.Reason != "request" {
		return nil, fmt.Errorf("store: erasure reason %q", opt.Reason)
	}
	s, err := db.Settings(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	terms, cat := retention.For(s), catalog.New()
	var out []kluis.Erasure
	var files [][]string
	known := map[kluis.ID]*Known{}
	finish := func() error {
		err := db.finishErasures(ctx, a.TenantID, out, files)
		db.checkpoint(ctx)
		return err
	}
	// A clean-up run erases its candidates several to a transaction: one
	// commit instead of one each. Each candidate is still erased whole or
	// not at all — should one of them fail, the transaction is undone and
	// its candidates are erased one by one, to find the failure.
	if opt.RunID != 0 && !opt.Verify {
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), eraseTxBatch)]
			var recs []kluis.Erasure
			var keys [][]string
			err := db.write(ctx, a, func(tx *writeTx) error {
				recs, keys = recs[:0], keys[:0]
				erased, err := db.eraseBatch(ctx, tx, cat, terms, chunk, opt)
				if err != nil {
					return err
				}
				done := map[kluis.ID]kluis.ID{}
				var skipped []kluis.ID
				for _, id := range chunk {
					// Not found (erased since the run began, or out of
					// the actor's sight) or nothing due: skipped.
					e := erased[id]
					if e.rec == nil {
						skipped = append(skipped, id)
						continue
					}
					done[id] = e.rec.ID
					recs, keys = append(recs, *e.rec), append(keys, e.keys)
				}
				return markItems(ctx, tx, a.TenantID, opt.RunID, done, skipped)
			})
			if err != nil {
				break // one by one, below, from this chunk on
			}
			out, files = append(out, recs...), append(files, keys...)
			ids = ids[len(chunk):]
		}
	}
	for _, id := range ids {
		if opt.Verify {
			k, err := db.KnowBeforeErasure(ctx, a.TenantID, id)
			if err != nil && kluis.ErrorCode(err) != kluis.ENotFound {
				return out, errors.Join(&EraseError{Candidate: id, Err: err}, finish())
			}
			known[id] = k
		}
		var rec *kluis.Erasure
		var keys []string
		err := db.write(ctx, a, func(tx *writeTx) error {
			var err error
			if rec, keys, err = db.eraseOne(ctx, tx, cat, terms, id, opt); err != nil {
				return err
			}
			if opt.RunID == 0 {
				return nil
			}
			if rec == nil {
				return markItem(ctx, tx, a.TenantID, opt.RunID, id, "skipped", 0)
			}
			return markItem(ctx, tx, a.TenantID, opt.RunID, id, "done", rec.ID)
		})
		if err != nil && opt.RunID != 0 && kluis.ErrorCode(err) == kluis.ENotFound {
			if err := db.MarkCleanupItem(ctx, a.TenantID, opt.RunID, id, "skipped"); err != nil {
				return out, errors.Join(err, finish())
			}
			continue
		}
		if err != nil {
			return out, errors.Join(&EraseError{Candidate: id, Err: err}, finish())
		}
		if rec != nil {
			out, files = append(out, *rec), append(files, keys)
		}
	}
	if err := finish(); err != nil {
		return out, err
	}
	if opt.Verify && len(out) > 0 {
		if _, err := db.VerifyErasures(ctx, out, known); err != nil {
			return out, err
		}
	}
	return out, nil
}

// eraseTxBatch is how many candidates of a clean-up run share a
// transaction.
const eraseTxBatch = 50

// EraseError is the failure of one candidate's erasure.
type EraseError struct {
	Candidate kluis.ID
	Err       error
}

func (e *EraseError) Error() string { return fmt.Sprintf("erase candidate %d: %v", e.Candidate, e.Err) }
func (e *EraseError) Unwrap() error { return e.Err }

// childTables are the tables of a candidate's own records, in the order
// their rows are deleted (payroll records name documents and placements).
var childTables = []string{"portal_tokens", "payroll_records", "contact_moments", "consent_requests", "consents", "disclosures", "legal_holds", "placements", "documents", "outbox",
	"supplementary_statements"}

// probedTables are the tables an erasure may have to change rows of, besides
// the candidate's own: the childTables and those whose rows stay as proof
// with their texts emptied.
var probedTables = append(slices.Clone(childTables), "requests", "request_letters", "restrictions", "restriction_overrides", "breach_candidates", "breach_letters")

// presence says which probedTables hold rows of a candidate; nil means
// "not asked": every table may.
type presence map[string]bool

func (p presence) of(table string) bool { return p == nil || p[table] }

// add marks in p the tables that hold rows in q too.
func (p presence) add(q presence) {
	for t, ok := range q {
		p[t] = p[t] || ok
	}
}

// eraseOne erases one candidate inside tx; it returns the record (nil when
// nothing was due) and the keys of the document contents to delete.
func (db *DB) eraseOne(ctx context.Context, tx *writeTx, cat *catalog.Catalog, terms retention.Terms, id kluis.ID, opt EraseOptions) (*kluis.Erasure, []string, error) {
	tenant := tx.actor.TenantID
	w := tenantWhere(tenant)
	scopeWhere(w, candidates, tx.actor)
	w.add("id = ?", id)
	one := &CandidateFacts{ID: id}
	var erased, restricted string
	// On PostgreSQL the candidate's row is locked first: a document, a
	// contact moment or a change that another transaction is adding waits
	// for the erasure (its foreign key check shares the lock) and then
	// finds the candidate gone, and one that was committed before is seen
	// by every statement below. (SQLite runs one write at a time.)
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR UPDATE"
	}
	err := tx.QueryRowContext(ctx, "SELECT branch_id, registered_on, nationality, id_recorded_on, erased_groups, restricted FROM candidates"+w.sql()+lock, w.args...).
		Scan(&one.BranchID, &one.Facts.Registered, &one.Facts.Nationality, &one.Facts.IDRecordedOn, &erased, &restricted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, kluis.NotFound("candidate")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("erase: %w", err)
	}
	one.Facts.LastActivity, one.Facts.Erased = one.Facts.Registered, erasedGroups(erased)
	// Which tables hold rows of the candidate, asked once (after the lock
	// on PostgreSQL, so that no row can come in unseen): most candidates
	// have rows in a few of them, and a statement that finds nothing
	// costs as much to run as one that does.
	present, _, err := presentInBatch(ctx, tx, tenant, []kluis.ID{id})
	if err != nil {
		return nil, nil, err
	}
	has := present[id]
	// Art. 18: a restricted candidate's data are not deleted. The clean-up
	// passes them by; an erasure on request is refused until the
	// restriction is lifted (restrictions.go).
	if has.of("restrictions") {
		if rid, err := activeRestriction(ctx, tx, tenant, id); err != nil {
			return nil, nil, err
		} else if rid != 0 {
			if opt.Reason == "request" {
				return nil, nil, errEraseRestricted()
			}
			return nil, nil, nil
		}
	}
	if err := db.fillFacts(ctx, tx, tenant, []*CandidateFacts{one}, map[kluis.ID]*CandidateFacts{id: one}, has); err != nil {
		return nil, nil, err
	}
	ep := planErasure(cat, one.Facts, terms, db.today(), opt)
	if ep == nil {
		return nil, nil, nil
	}
	rec := db.newErasure(tx, ep, id, opt)
	var keys []string
	if ep.complete {
		if keys, err = db.deleteCandidate(ctx, tx, rec, has); err != nil {
			return nil, nil, err
		}
	} else {
		staged, err := db.eraseStaged(ctx, tx, ep, one.Facts.Erased, []*kluis.Erasure{rec}, has)
		if err != nil {
			return nil, nil, err
		}
		keys = staged[id]
	}
	if err := db.recordErasure(ctx, tx, ep, rec, has, keys, false); err != nil {
		return nil, nil, err
	}
	return rec, keys, nil
}

// newErasure starts the record of the erasure ep of candidate id.
func (db *DB) newErasure(tx *writeTx, ep *erasePlan, id kluis.ID, opt EraseOptions) *kluis.Erasure {
	rec := &ep.rec
	rec.TenantID, rec.ID, rec.CandidateID, rec.Complete = tx.actor.TenantID, db.ids.Next(), id, ep.complete
	rec.Reason, rec.RequestID, rec.RunID, rec.UserID, rec.At = opt.Reason, opt.RequestID, opt.RunID, tx.actor.UserID, db.now()
	return rec
}

// deleteCandidate deletes a candidate who goes altogether, with every row
// of theirs, and returns the keys of their documents' contents.
func (db *DB) deleteCandidate(ctx context.Context, tx *writeTx, rec *kluis.Erasure, has presence) ([]string, error) {
	// Hook of the breach register (breaches.go): the links stay, the
	// candidate's name goes from the breaches' texts.
	if has.of("breach_candidates") {
		if err := db.redactBreachTexts(ctx, tx, rec.TenantID, rec.CandidateID); err != nil {
			return nil, err
		}
	}
	return deleteCandidateRows(ctx, tx, rec, has)
}

// recordErasure does what follows the erasure of the candidate's own rows:
// the texts of the rows that stay as proof are emptied, and the erasure
// record and its audit entry are written.
//
// With later set, the record is not written: the caller writes the records
// of a batch together (insertErasures).
func (db *DB) recordErasure(ctx context.Context, tx *writeTx, ep *erasePlan, rec *kluis.Erasure, has presence, keys []string, later bool) error {
	tenant, id := rec.TenantID, rec.CandidateID
	// Hook of the request register (requests.go): requests are not
	// childTables — they outlive the candidate as proof — but their free
	// texts go with the catalogue group they belong to.
	var dueFields []string
	for _, it := range ep.due {
		dueFields = append(dueFields, it.Fields...)
	}
	if has.of("requests") {
		if err := eraseRequestTexts(ctx, tx, tenant, id, dueFields, ep.complete); err != nil {
			return err
		}
	}
	if has.of("request_letters") {
		if err := eraseLetters(ctx, tx, tenant, id, dueFields, ep.complete, rec.At); err != nil {
			return err
		}
	}
	if has.of("breach_letters") {
		if err := eraseBreachLetters(ctx, tx, tenant, id, dueFields, ep.complete, rec.At); err != nil {
			return err
		}
	}
	if has.of("restrictions") || has.of("restriction_overrides") {
		if err := eraseRestrictionTexts(ctx, tx, tenant, id, dueFields, ep.complete); err != nil {
			return err
		}
	}
	rec.Files, rec.FilesPending = len(keys), len(keys)
	if !later {
		if err := insertErasure(ctx, tx, rec, keys); err != nil {
			return err
		}
	}
	var cats []string
	for _, g := range rec.Erased {
		if !slices.Contains(cats, g.Category) {
			cats = append(cats, g.Category)
		}
	}
	tx.record(kluis.AuditEntry{Action: "erase", Entity: "candidates", EntityID: id, CandidateID: id, Fields: cats, Reason: rec.Reason})
	return nil
}

// deleteCandidateRows deletes every row of the candidate of rec, counting
// them on rec, and returns the keys of their documents' contents, to be
// deleted once the transaction commits.
func deleteCandidateRows(ctx context.Context, tx *writeTx, rec *kluis.Erasure, has presence) ([]string, error) {
	tenant, id := rec.TenantID, rec.CandidateID
	var keys []string
	if has.of("documents") {
		var err error
		if keys, err = blobKeys(ctx, tx, "SELECT blob_key FROM documents WHERE tenant_id = $1 AND candidate_id = $2", tenant, id); err != nil {
			return nil, err
		}
	}
	for _, t := range childTables {
		if !has.of(t) {
			continue
		}
		n, err := execCount(ctx, tx, "DELETE FROM "+t+" WHERE tenant_id = $1 AND candidate_id = $2", tenant, id)
		if err != nil {
			return nil, fmt.Errorf("erase %s: %w", t, err)
		}
		rec.Rows += n
	}
	if _, err := execCount(ctx, tx, "DELETE FROM candidates WHERE tenant_id = $1 AND id = $2", tenant, id); err != nil {
		return nil, fmt.Errorf("erase candidate: %w", err)
	}
	rec.Rows++
	return keys, nil
}

// eraseStaged erases the due groups of candidates of whom something is
// still kept, and restricts what is left: recs are the records of
// candidates whose erasures share one plan (ep, the plan of one of them,
// and before, the groups erased from them earlier), has says which tables
// hold rows of any of them. Each statement serves them all. It returns
// the keys of the document contents to delete, per candidate.
func (db *DB) eraseStaged(ctx context.Context, tx *writeTx, ep *erasePlan, before []string, recs []*kluis.Erasure, has presence) (map[kluis.ID][]string, error) {
	tenant := recs[0].TenantID
	byID := make(map[kluis.ID]*kluis.Erasure, len(recs))
	ids := make([]any, len(recs))
	for i, rec := range recs {
		byID[rec.CandidateID], ids[i] = rec, rec.CandidateID
	}
	// $1 is the agency, $2… the candidates; what else a statement needs
	// follows them.
	in := "candidate_id IN (" + placeholders(2, len(ids)) + ")"
	args := append([]any{tenant}, ids...)
	// Columns per table, and kinds of document, whose group is due.
	cols := map[string][]string{}
	var kinds []string
	for _, it := range ep.due {
		for _, f := range it.Fields {
			if kind, ok := strings.CutPrefix(f, "document:"); ok {
				kinds = append(kinds, kind)
				continue
			}
			table, col, _ := strings.Cut(f, ".")
			cols[table] = append(cols[table], col)
		}
	}
	// del deletes and counts each candidate's rows.
	del := func(what, query string, args []any) error {
		rows, err := tx.QueryContext(ctx, query+" RETURNING candidate_id", args...)
		if err != nil {
			return fmt.Errorf("erase %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id kluis.ID
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("erase %s: %w", what, err)
			}
			if rec := byID[id]; rec != nil {
				rec.Rows++
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("erase %s: %w", what, err)
		}
		return nil
	}
	// A table of whose columns nothing is kept loses the candidates' rows;
	// one of which some columns are kept has the others emptied.
	catalogued := candidateColumns()
	keys := map[kluis.ID][]string{}
	if has.of("documents") && (len(kinds) > 0 || len(cols["documents"]) == catalogued["documents"]) {
		where := " WHERE tenant_id = $1 AND " + in
		dargs := args
		if len(cols["documents"]) < catalogued["documents"] {
			dargs = slices.Clone(args)
			marks := make([]string, len(kinds))
			for i, k := range kinds {
				dargs = append(dargs, k)
				marks[i] = fmt.Sprintf("$%d", len(dargs))
			}
			where += " AND kind IN (" + strings.Join(marks, ", ") + ")"
		}
		rows, err := tx.QueryContext(ctx, "SELECT candidate_id, blob_key FROM documents"+where, dargs...)
		if err != nil {
			return nil, fmt.Errorf("erase documents: %w", err)
		}
		for rows.Next() {
			var id kluis.ID
			var k string
			if err := rows.Scan(&id, &k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("erase documents: %w", err)
			}
			keys[id] = append(keys[id], k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("erase documents: %w", err)
		}
		// Payroll records that name a document to be deleted lose the
		// reference (the records themselves follow their own rule).
		if has.of("payroll_records") {
			if _, err := tx.ExecContext(ctx, "UPDATE payroll_records SET document_id = NULL WHERE tenant_id = $1 AND "+in+" AND document_id IN (SELECT id FROM documents"+where+")", dargs...); err != nil {
				return nil, fmt.Errorf("erase documents: %w", err)
			}
		}
		if err := del("documents", "DELETE FROM documents"+where, dargs); err != nil {
			return nil, err
		}
	}
	for _, t := range childTables {
		if t == "documents" || len(cols[t]) == 0 || !has.of(t) {
			continue
		}
		if len(cols[t]) == catalogued[t] {
			if err := del(t, "DELETE FROM "+t+" WHERE tenant_id = $1 AND "+in, args); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE "+t+" SET "+emptied(t, cols[t])+" WHERE tenant_id = $1 AND "+in, args...); err != nil {
			return nil, fmt.Errorf("erase %s: %w", t, err)
		}
	}
	set := "version = version + 1"
	groups := append([]string(nil), before...)
	if ep.restrict {
		// Groups erased from a restricted candidate would be due again
		// by their rules (the placements that started R3 are kept):
		// they are remembered. (Other staged erasures empty what their
		// rule's term starts from, so it does not apply again.)
		set += ", restricted = '" + kluis.RestrictedLegalMinimum + "'"
		for _, it := range ep.due {
			groups = append(groups, it.Key())
		}
	}
	if c := cols["candidates"]; len(c) > 0 {
		if slices.Contains(c, "bsn") {
			c = append(c, "bsn_fingerprint")
		}
		set += ", " + emptied("candidates", c)
	}
	n := len(args)
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE candidates SET %s, erased_groups = $%d, updated_at = $%d WHERE tenant_id = $1 AND id IN (%s)", set, n+1, n+2, placeholders(2, len(ids))),
		append(slices.Clone(args), strings.Join(groups, ";"), db.now())...); err != nil {
		return nil, fmt.Errorf("erase candidate: %w", err)
	}
	return keys, nil
}

// stagedShape is what candidates whose staged erasures eraseStaged can do
// together share: the groups due, whether what is left is restricted, and
// the groups erased before.
func stagedShape(ep *erasePlan, before []string) string {
	var b strings.Builder
	for _, it := range ep.due {
		b.WriteString(it.Key())
		b.WriteByte('|')
	}
	fmt.Fprintf(&b, "%v|%s", ep.restrict, strings.Join(before, ";"))
	return b.String()
}

// candidateColumns counts, per table, the catalogued columns of a
// candidate's data; worked out once, as the catalogue never changes.
var candidateColumns = sync.OnceValue(func() map[string]int {
	out := map[string]int{}
	for _, f := range catalog.New().Fields() {
		if f.Subject == catalog.Candidate {
			out[f.Table]++
		}
	}
	return out
})

// emptied is the SET list that empties the columns of a table: text
// becomes ”, a date or number NULL, and the erased date where a date is
// required.
func emptied(table string, cols []string) string {
	var parts []string
	for _, c := range cols {
		switch table + "." + c {
		case "candidates.registered_on":
			parts = append(parts, c+" = '"+string(erasedDate)+"'")
		case "candidates.date_of_birth", "candidates.id_document_expiry", "candidates.id_recorded_on",
			"placements.start_date", "placements.end_date", "placements.hourly_wage_cents":
			parts = append(parts, c+" = NULL")
		default:
			parts = append(parts, c+" = ''")
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// execCount runs a statement and returns how many rows it changed.
func execCount(ctx context.Context, q querier, query string, args ...any) (int, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// erasedGroups reads candidates.erased_groups.
func erasedGroups(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// insertErasure writes the record of an erasure and the contents still to
// delete.
func insertErasure(ctx context.Context, tx *writeTx, rec *kluis.Erasure, keys []string) error {
	return insertErasures(ctx, tx, []*kluis.Erasure{rec}, [][]string{keys})
}

// insertErasures writes the records of erasures and the contents still to
// delete (keys[i] of recs[i]): two statements for all of them.
func insertErasures(ctx context.Context, tx *writeTx, recs []*kluis.Erasure, keys [][]string) error {
	if len(recs) == 0 {
		return nil
	}
	var rows, files []string
	var args, fileArgs []any
	for i, rec := range recs {
		erased, err := json.Marshal(rec.Erased)
		if err != nil {
			return err
		}
		kept, err := json.Marshal(rec.Kept)
		if err != nil {
			return err
		}
		if rec.Kept == nil {
			kept = []byte("[]")
		}
		rows = append(rows, "("+placeholders(len(args)+1, 14)+")")
		args = append(args, rec.TenantID, rec.ID, rec.CandidateID, rec.Complete, rec.Reason, nullID(rec.RequestID), nullID(rec.RunID), string(erased), string(kept),
			rec.Rows, rec.Files, nullID(rec.UserID), rec.At, len(keys[i]))
		for _, k := range keys[i] {
			files = append(files, "("+placeholders(len(fileArgs)+1, 3)+")")
			fileArgs = append(fileArgs, rec.TenantID, rec.ID, k)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO erasures (tenant_id, id, candidate_id, complete, reason, request_id, run_id, erased, kept,
		rows_erased, files_erased, user_id, erased_at, files_pending) VALUES `+strings.Join(rows, ", "), args...); err != nil {
		return fmt.Errorf("erasure record: %w", err)
	}
	// A few hundred files to a statement, well under the databases'
	// limits on parameters.
	for len(files) > 0 {
		n := min(len(files), 300)
		chunk := fileArgs[:3*n]
		q := make([]string, n)
		for i := range n {
			q[i] = "(" + placeholders(3*i+1, 3) + ")"
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO erasure_files (tenant_id, erasure_id, blob_key) VALUES "+strings.Join(q, ", "), chunk...); err != nil {
			return fmt.Errorf("erasure record: %w", err)
		}
		files, fileArgs = files[n:], fileArgs[3*n:]
	}
	return nil
}

// finishErasures does what lies outside the data database for erasures
// just committed (files[i] are the document contents of recs[i]): it
// deletes the contents, destroys the subject keys of candidates who are
// gone — all in one transaction of the key store — and notes both on the
// records. Run again, it does only what is left.
func (db *DB) finishErasures(ctx context.Context, tenant kluis.ID, recs []kluis.Erasure, files [][]string) error {
	ctx = context.WithoutCancel(ctx)
	var withFiles, complete []any
	var shred []int64
	var keys []string
	for i := range recs {
		if len(files[i]) > 0 {
			keys = append(keys, files[i]...)
			withFiles = append(withFiles, recs[i].ID)
		}
		if recs[i].Complete && recs[i].KeyShreddedAt == nil {
			shred = append(shred, int64(recs[i].CandidateID))
			complete = append(complete, recs[i].ID)
		}
	}
	if len(keys) > 0 {
		if err := db.deleteBlobs(ctx, keys); err != nil {
			return err
		}
	}
	if len(withFiles) > 0 {
		in := placeholders(2, len(withFiles))
		args := append([]any{tenant}, withFiles...)
		err := db.writeOne(ctx, forAgency(tenant), func(w querier) error {
			if _, err := w.ExecContext(ctx, "DELETE FROM erasure_files WHERE tenant_id = $1 AND erasure_id IN ("+in+")", args...); err != nil { // #nosec G202 -- in is a list of placeholders; values are parameters
				return err
			}
			_, err := w.ExecContext(ctx, "UPDATE erasures SET files_pending = 0 WHERE tenant_id = $1 AND id IN ("+in+")", args...) // #nosec G202 -- in is a list of placeholders; values are parameters
			return err
		})
		if err != nil {
			return fmt.Errorf("finish erasure: %w", err)
		}
	}
	if len(shred) > 0 {
		if db.vault == nil {
			return errNoVault
		}
		if err := db.vault.DestroyMany(ctx, int64(tenant), shred); err != nil {
			return err
		}
		now := db.now()
		args := append([]any{tenant, now}, complete...)
		err := db.writeOne(ctx, forAgency(tenant), func(w querier) error {
			_, err := w.ExecContext(ctx, "UPDATE erasures SET key_shredded_at = $2 WHERE tenant_id = $1 AND id IN ("+placeholders(3, len(complete))+")", args...) // #nosec G202 -- a list of placeholders; values are parameters
			return err
		})
		if err != nil {
			return fmt.Errorf("finish erasure: %w", err)
		}
	}
	now := db.now()
	for i := range recs {
		recs[i].FilesPending = 0
		if recs[i].Complete && recs[i].KeyShreddedAt == nil {
			recs[i].KeyShreddedAt = &now
		}
	}
	return nil
}

// ResumeErasures finishes every erasure a crash left unfinished (contents
// of documents not yet deleted, a key not yet destroyed), and erases again
// every candidate an erasure removed who is back — from a restored backup
// of the data. It returns how many erasures it finished or repeated.
func (db *DB) ResumeErasures(ctx context.Context) (int, error) {
	rd, _, done, err := db.reader(ctx, acrossAgencies())
	if err != nil {
		return 0, err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, `SELECT tenant_id, id, candidate_id, complete FROM erasures
		WHERE files_pending > 0 OR (complete AND key_shredded_at IS NULL) ORDER BY tenant_id, id`)
	if err != nil {
		return 0, fmt.Errorf("resume erasures: %w", err)
	}
	var open []kluis.Erasure
	for rows.Next() {
		var e kluis.Erasure
		if err := rows.Scan(&e.TenantID, &e.ID, &e.CandidateID, &e.Complete); err != nil {
			rows.Close()
			return 0, err
		}
		open = append(open, e)
	}
	rows.Close()
	done()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for i := range open {
		e := &open[i]
		var keys []string
		err := db.readOne(ctx, forAgency(e.TenantID), func(rd querier) (err error) {
			keys, err = blobKeys(ctx, rd, "SELECT blob_key FROM erasure_files WHERE tenant_id = $1 AND erasure_id = $2", e.TenantID, e.ID)
			return err
		})
		if err != nil {
			return n, err
		}
		if err := db.finishErasures(ctx, e.TenantID, []kluis.Erasure{*e}, [][]string{keys}); err != nil {
			return n, err
		}
		n++
	}
	back, err := db.reapplyErasures(ctx)
	return n + back, err
}

// reapplyErasures erases again every candidate whose key the key store
// says was shredded but whose rows the data database holds: a restored
// backup of the data brought them back. The key store is kept apart from
// the data, so its record of who was erased survives the restore; the
// sealed data of these candidates cannot be read, and their rows and
// documents go again, with a new erasure record.
func (db *DB) reapplyErasures(ctx context.Context) (int, error) {
	if db.vault == nil {
		return 0, nil
	}
	ts, err := db.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range ts {
		err := db.vault.EachShredded(ctx, int64(t.ID), func(subjects []int64) error {
			args := []any{t.ID}
			for _, s := range subjects {
				args = append(args, s)
			}
			var back []kluis.ID
			err := db.readOne(ctx, forAgency(t.ID), func(rd querier) (err error) {
				back, err = queryIDs(ctx, rd, "SELECT id FROM candidates WHERE tenant_id = $1 AND id IN ("+placeholders(2, len(subjects))+")", args...)
				return err
			})
			if err != nil {
				return err
			}
			for _, id := range back {
				if err := db.eraseRestored(ctx, t.ID, id); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("reapply erasures: %w", err)
		}
	}
	return n, nil
}

// eraseRestored erases a candidate a restore brought back: everything
// goes, with a record of reason "restored".
func (db *DB) eraseRestored(ctx context.Context, tenant, id kluis.ID) error {
	var keys []string
	rec := &kluis.Erasure{TenantID: tenant, ID: db.ids.Next(), CandidateID: id, Complete: true, Reason: "restored", At: db.now(),
		Erased: []kluis.ErasedGroup{{Category: "all", Rule: "restored", Fields: []string{"*"}}}}
	err := db.write(ctx, kluis.Actor{TenantID: tenant}, func(tx *writeTx) error {
		if err := db.redactBreachTexts(ctx, tx, tenant, id); err != nil {
			return err
		}
		var err error
		if keys, err = deleteCandidateRows(ctx, tx, rec, nil); err != nil {
			return err
		}
		// Hook of the request register: the requests stay, their texts go.
		if err := eraseRequestTexts(ctx, tx, tenant, id, nil, true); err != nil {
			return err
		}
		if err := eraseLetters(ctx, tx, tenant, id, nil, true, rec.At); err != nil {
			return err
		}
		if err := eraseRestrictionTexts(ctx, tx, tenant, id, nil, true); err != nil {
			return err
		}
		rec.Files, rec.FilesPending = len(keys), len(keys)
		if err := insertErasure(ctx, tx, rec, keys); err != nil {
			return err
		}
		tx.record(kluis.AuditEntry{Action: "erase", Entity: "candidates", EntityID: id, CandidateID: id, Reason: "restored"})
		return nil
	})
	if err != nil {
		return err
	}
	// The key is gone already; the contents of the documents, should a
	// restored document store have brought them back, go again.
	now := db.now()
	rec.KeyShreddedAt = &now
	err = db.writeOne(ctx, forAgency(tenant), func(w querier) error {
		_, err := w.ExecContext(ctx, "UPDATE erasures SET key_shredded_at = $3 WHERE tenant_id = $1 AND id = $2", tenant, rec.ID, now)
		return err
	})
	if err != nil {
		return err
	}
	return db.finishErasures(ctx, tenant, []kluis.Erasure{*rec}, [][]string{keys})
}

// erasureColumns is the SELECT list of an erasure record.
const erasureColumns = `tenant_id, id, candidate_id, complete, reason, request_id, run_id, erased, kept, rows_erased, files_erased,
	user_id, erased_at, files_pending, key_shredded_at, verified_at, residue_hits`

func scanErasure(r interface{ Scan(...any) error }) (kluis.Erasure, error) {
	var e kluis.Erasure
	var req, run, user sql.NullInt64
	var erased, kept string
	var shredded, verified *time.Time
	var hits sql.NullInt64
	if err := r.Scan(&e.TenantID, &e.ID, &e.CandidateID, &e.Complete, &e.Reason, &req, &run, &erased, &kept, &e.Rows, &e.Files,
		&user, &e.At, &e.FilesPending, &nullTime{&shredded}, &nullTime{&verified}, &hits); err != nil {
		return e, err
	}
	e.RequestID, e.RunID, e.UserID = kluis.ID(req.Int64), kluis.ID(run.Int64), kluis.ID(user.Int64)
	e.KeyShreddedAt, e.VerifiedAt = shredded, verified
	if hits.Valid {
		n := int(hits.Int64)
		e.ResidueHits = &n
	}
	if err := json.Unmarshal([]byte(erased), &e.Erased); err != nil {
		return e, fmt.Errorf("erasure %d: %w", e.ID, err)
	}
	if err := json.Unmarshal([]byte(kept), &e.Kept); err != nil {
		return e, fmt.Errorf("erasure %d: %w", e.ID, err)
	}
	return e, nil
}

// ErasureFilter narrows the list of erasure records: of a candidate, of a
// clean-up run, of the runs of a month ("2026-11"), by clean-up runs only,
// erased on or after a day, of a category of data, and with an outcome
// ("complete" or "partial").
type ErasureFilter struct {
	CandidateID kluis.ID
	RunID       kluis.ID
	RunMonth    string
	Cleanup     bool
	ErasedFrom  kluis.Date
	Category    string
	Outcome     string
	Page        kluis.Page
}

// Erasures lists the records of erasures, newest first, and counts all
// that match.
func (db *DB) Erasures(ctx context.Context, a kluis.Actor, f ErasureFilter) ([]kluis.Erasure, int, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, 0, err
	}
	defer done()
	w := tenantWhere(a.TenantID)
	if f.CandidateID != 0 {
		w.add("candidate_id = ?", f.CandidateID)
	}
	if f.RunID != 0 {
		w.add("run_id = ?", f.RunID)
	}
	if f.RunMonth != "" {
		first := kluis.Date(f.RunMonth + "-01")
		w.add("run_id IN (SELECT r.id FROM cleanup_runs r WHERE r.tenant_id = erasures.tenant_id AND r.run_date >= ? AND r.run_date < ?)",
			first, kluis.DateOf(first.Time().AddDate(0, 1, 0)))
	}
	if f.Cleanup {
		w.add("run_id IS NOT NULL")
	}
	if f.ErasedFrom != "" {
		w.add("erased_at >= ?", f.ErasedFrom.Time().UTC())
	}
	if f.Category != "" {
		// The erased groups are JSON written by kluis (ErasedCategories).
		w.add("erased LIKE ?", `%"category":"`+f.Category+`"%`)
	}
	switch f.Outcome {
	case "complete":
		w.add("complete")
	case "partial":
		w.add("NOT complete")
	}
	var total int
	if err := rd.QueryRowContext(ctx, "SELECT count(*) FROM erasures"+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("erasures: %w", err)
	}
	pg := f.Page.Normalize()
	limit, offset := pg.Limit, pg.Offset
	rows, err := rd.QueryContext(ctx, "SELECT "+erasureColumns+" FROM erasures"+w.sql()+ // #nosec G202 -- a constant column list and a WHERE of placeholders; values are parameters
		fmt.Sprintf(" ORDER BY erased_at DESC, id DESC LIMIT %d OFFSET %d", limit, offset), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("erasures: %w", err)
	}
	defer rows.Close()
	var out []kluis.Erasure
	for rows.Next() {
		e, err := scanErasure(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// ErasureRecord returns one erasure record.
func (db *DB) ErasureRecord(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Erasure, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	e, err := scanErasure(rd.QueryRowContext(ctx, "SELECT "+erasureColumns+" FROM erasures WHERE tenant_id = $1 AND id = $2", a.TenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kluis.NotFound("erasure")
	}
	if err != nil {
		return nil, fmt.Errorf("erasure: %w", err)
	}
	return &e, nil
}

// RecordVerification notes on an erasure record the result of the residue
// scan run after it: how many places still held an identifier.
func (db *DB) RecordVerification(ctx context.Context, tenant, erasure kluis.ID, hits int) error {
	err := db.writeOne(ctx, forAgency(tenant), func(w querier) error {
		_, err := w.ExecContext(ctx, "UPDATE erasures SET verified_at = $3, residue_hits = $4 WHERE tenant_id = $1 AND id = $2", tenant, erasure, db.now(), hits)
		return err
	})
	if err != nil {
		return fmt.Errorf("record verification: %w", err)
	}
	return nil
}
