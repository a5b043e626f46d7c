package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"kluis/internal/kluis"
)

// BulkBatch is how many candidates one transaction of a bulk load holds.
// Each batch is written and committed on its own, so memory stays flat
// however large the load, other writers get their turn between batches
// (SQLite has one writer), and progress can be reported per batch.
const BulkBatch = 5000

// bulkMaxRows bounds the rows buffered for one batch, for loads that add
// many history rows per candidate or none at all.
const bulkMaxRows = 50_000

// bulkMaxParams keeps one multi-row INSERT under the host-parameter limits
// of both databases (SQLite 32,766; PostgreSQL 65,535).
const bulkMaxParams = 16_000

// Bulk adds records in large numbers: for the demo data set and imports
// from a previous system. Every record is validated by its domain Validate
// method and gets its id, version and timestamps as the Create methods give
// them, but the rows are buffered and written per batch with multi-row
// INSERTs, one transaction per batch.
//
// What the bulk path does not check row by row, and the caller therefore
// guarantees, is what needs a look at other rows: that a referenced
// candidate, client, placement or document exists in the tenant, and that
// a payroll record's placement and document belong to its candidate. The
// databases' foreign keys still refuse a reference to a missing row, but
// only when the batch is written, as a conflict error for the whole batch
// rather than a field error. The branch of each candidate is checked, and a
// BSN is accepted only together with a placement, as CreateCandidate and
// UpdateCandidate require (UAVG art. 46).
//
// A Bulk is used by one goroutine, inside the function given to BulkLoad.
type Bulk struct {
	db       *DB
	ctx      context.Context
	actor    kluis.Actor
	branches map[kluis.ID]bool
	// In the order rows must be written: every table after the ones its
	// foreign keys point to.
	candidates     *bulkRows[kluis.Candidate]
	placements     *bulkRows[kluis.Placement]
	contactMoments *bulkRows[kluis.ContactMoment]
	payroll        *bulkRows[kluis.PayrollRecord]
	pending        int // candidates buffered
	written        int // candidates committed
	onCommit       func(candidates int)
}

// BulkLoad runs fn with a Bulk for the actor's tenant and writes what fn
// added. The load is not one transaction: batches committed before an error
// stay, so a failed load is repeated on a fresh database (or its tenant
// removed) rather than resumed.
func (db *DB) BulkLoad(ctx context.Context, a kluis.Actor, fn func(b *Bulk) error) error {
	b := &Bulk{db: db, ctx: ctx, actor: a, branches: map[kluis.ID]bool{},
		candidates:     newBulkRows(db, candidates),
		placements:     newBulkRows(db, placements),
		contactMoments: newBulkRows(db, contactMoments),
		payroll:        newBulkRows(db, payrollRecords),
	}
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, "SELECT id FROM branches WHERE tenant_id = $1", a.TenantID)
	if err != nil {
		return fmt.Errorf("bulk load: read branches: %w", err)
	}
	for rows.Next() {
		var id kluis.ID
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		b.branches[id] = true
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	if err := fn(b); err != nil {
		return err
	}
	return b.commit()
}

// OnCommit sets fn to be called after each committed batch with the number
// of candidates committed so far.
func (b *Bulk) OnCommit(fn func(candidates int)) { b.onCommit = fn }

// AddCandidate adds a candidate and, optionally, placements of them; the
// placements get the candidate's new id. A BSN is refused unless one of
// them employs the candidate, as the law requires (LEGAL.md §2.2).
func (b *Bulk) AddCandidate(c *kluis.Candidate, pls ...*kluis.Placement) error {
	if b.pending >= BulkBatch {
		if err := b.commit(); err != nil {
			return err
		}
	}
	c.TenantID = b.actor.TenantID
	err := c.Validate(b.db.today())
	p := kluis.Problems{}
	if e, ok := err.(*kluis.Error); ok {
		p = e.Fields
	} else if err != nil {
		return err
	}
	if c.BranchID != 0 && !b.branches[c.BranchID] {
		p.Add("branch_id", "Deze vestiging bestaat niet.", "This branch does not exist.")
	}
	emp := kluis.Employment{}
	for _, pl := range pls {
		if pl.ContractKind == kluis.SelfEmployed {
			emp.SelfEmployed++
		} else {
			emp.Employee++
		}
	}
	kluis.CheckIdentity(p, c, emp, true)
	c.IDRecordedOn = ""
	if c.IDDocumentNumber != "" {
		c.IDRecordedOn = b.db.today()
	}
	if err := p.Err(); err != nil {
		return err
	}
	c.BSNFingerprint = ""
	if c.BSN != "" {
		fp, err := b.db.bsnFingerprint(b.ctx, b.actor.TenantID, c.BSN)
		if err != nil {
			return err
		}
		c.BSNFingerprint = fp
	}
	now := b.db.now()
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = b.db.ids.Next(), 1, now, now
	for _, pl := range pls {
		// Validated before anything is buffered, so that a bad placement
		// leaves no candidate behind.
		pl.TenantID, pl.CandidateID = b.actor.TenantID, c.ID
		if err := pl.Validate(); err != nil {
			return err
		}
	}
	b.candidates.add(c)
	b.pending++
	for _, pl := range pls {
		b.addPlacement(pl)
	}
	return b.full()
}

// AddPlacement adds a placement of a candidate that exists or was added
// before, at a client that exists.
func (b *Bulk) AddPlacement(pl *kluis.Placement) error {
	pl.TenantID = b.actor.TenantID
	if err := pl.Validate(); err != nil {
		return err
	}
	b.addPlacement(pl)
	return b.full()
}

func (b *Bulk) addPlacement(pl *kluis.Placement) {
	now := b.db.now()
	pl.ID, pl.Version, pl.CreatedAt, pl.UpdatedAt = b.db.ids.Next(), 1, now, now
	b.placements.add(pl)
}

// AddContactMoment adds a history entry. Unlike CreateContactMoment it
// keeps a UserID that is set, because imported history was recorded by
// someone other than whoever imports it; without one it is the actor's.
func (b *Bulk) AddContactMoment(m *kluis.ContactMoment) error {
	m.TenantID = b.actor.TenantID
	if m.UserID == 0 {
		m.UserID = b.actor.UserID
	}
	now := b.db.now()
	if err := m.Validate(now); err != nil {
		return err
	}
	m.ID, m.Version, m.CreatedAt = b.db.ids.Next(), 1, now
	b.contactMoments.add(m)
	return b.full()
}

// AddPayrollRecord adds a pay period.
func (b *Bulk) AddPayrollRecord(r *kluis.PayrollRecord) error {
	r.TenantID = b.actor.TenantID
	now := b.db.now()
	if err := r.Validate(now.Year()); err != nil {
		return err
	}
	r.ID, r.Version, r.CreatedAt, r.UpdatedAt = b.db.ids.Next(), 1, now, now
	b.payroll.add(r)
	return b.full()
}

// full commits early when a batch holds many rows besides its candidates.
func (b *Bulk) full() error {
	if b.candidates.n+b.placements.n+b.contactMoments.n+b.payroll.n >= bulkMaxRows {
		return b.commit()
	}
	return nil
}

// commit writes everything buffered in one transaction.
func (b *Bulk) commit() error {
	all := []bulkWriter{b.candidates, b.placements, b.contactMoments, b.payroll}
	rows := 0
	for _, r := range all {
		rows += r.rows()
	}
	if rows == 0 {
		return nil
	}
	// The batch's candidates get their keys first, in one transaction of
	// the key store, so that their sensitive fields can be sealed.
	if n := len(b.candidates.recs); n > 0 {
		if b.db.vault == nil {
			return errNoVault
		}
		ids := make([]kluis.ID, n)
		for i, c := range b.candidates.recs {
			ids[i] = c.ID
		}
		if err := b.db.vault.CreateMany(b.ctx, b.actor.TenantID, ids); err != nil {
			return err
		}
	}
	err := b.db.update(b.ctx, forAgency(b.actor.TenantID), func(tx *sql.Tx) error {
		if err := b.checkRestricted(tx); err != nil {
			return err
		}
		for _, r := range all {
			if err := r.write(b.ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range all {
		r.reset()
	}
	b.written += b.pending
	b.pending = 0
	if b.onCommit != nil {
		b.onCommit(b.written)
	}
	return nil
}

// bulkWriter is the part of bulkRows that commit needs, whatever the table.
type bulkWriter interface {
	rows() int
	write(ctx context.Context, tx *sql.Tx) error
	reset()
}

// bulkRows buffers the rows of one table as one flat argument list.
type bulkRows[T any] struct {
	db      *DB
	t       *table[T]
	recs    []*T
	insert  string // up to VALUES
	anon    bool   // "?" placeholders instead of "$N"
	width   int
	perStmt int // rows per full INSERT
	args    []any
	n       int
}

func newBulkRows[T any](db *DB, t *table[T]) *bulkRows[T] {
	d := db.Dialect
	width := 2 + len(t.columns)
	return &bulkRows[T]{db: db, t: t, insert: "INSERT INTO " + t.name + " (" + t.selectList() + ") VALUES ", width: width,
		// modernc's SQLite looks up the name of every numbered parameter
		// in a list as long as the statement's, which makes a long INSERT
		// quadratic; anonymous ones it binds by position.
		anon:    d == SQLite,
		perStmt: min(500, bulkMaxParams/width)}
}

// add buffers a record; its values are made (and sealed) when the batch is
// written, after the batch's subject keys exist.
func (r *bulkRows[T]) add(rec *T) {
	r.recs = append(r.recs, rec)
	r.n++
}

func (r *bulkRows[T]) buildArgs(ctx context.Context) error {
	r.args = r.args[:0]
	for _, rec := range r.recs {
		tenant, id := r.t.key(rec)
		vals, err := r.t.row(ctx, r.db, rec)
		if err != nil {
			return err
		}
		r.args = append(r.args, *tenant, *id)
		r.args = append(r.args, vals...)
	}
	return nil
}

func (r *bulkRows[T]) rows() int { return r.n }

func (r *bulkRows[T]) reset() {
	clear(r.args) // lets the records' strings go
	clear(r.recs)
	r.args, r.recs, r.n = r.args[:0], r.recs[:0], 0
}

func (r *bulkRows[T]) insertSQL(rows int) string {
	var b strings.Builder
	b.WriteString(r.insert)
	anonRow := "(?" + strings.Repeat(", ?", r.width-1) + ")"
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		if r.anon {
			b.WriteString(anonRow)
		} else {
			b.WriteString("(" + placeholders(1+i*r.width, r.width) + ")")
		}
	}
	return b.String()
}

// write inserts the buffered rows: the full statements through one
// prepared statement, the rest in one more.
func (r *bulkRows[T]) write(ctx context.Context, tx *sql.Tx) error {
	if r.n == 0 {
		return nil
	}
	if err := r.buildArgs(ctx); err != nil {
		return err
	}
	done := 0
	if r.n >= r.perStmt {
		stmt, err := tx.PrepareContext(ctx, r.insertSQL(r.perStmt))
		if err != nil {
			return fmt.Errorf("prepare bulk insert into %s: %w", r.t.name, err)
		}
		defer stmt.Close()
		for ; r.n-done >= r.perStmt; done += r.perStmt {
			if _, err := stmt.ExecContext(ctx, r.args[done*r.width:(done+r.perStmt)*r.width]...); err != nil {
				return fmt.Errorf("bulk insert into %s: %w", r.t.name, err)
			}
		}
	}
	if rest := r.n - done; rest > 0 {
		if _, err := tx.ExecContext(ctx, r.insertSQL(rest), r.args[done*r.width:]...); err != nil {
			return fmt.Errorf("bulk insert into %s: %w", r.t.name, err)
		}
	}
	return nil
}

// checkRestricted refuses history added to existing candidates whose data
// may not change: restricted to the legal minimum, or whose processing is
// restricted (art. 18). Candidates of the batch itself are new.
func (b *Bulk) checkRestricted(tx *sql.Tx) error {
	fresh := map[kluis.ID]bool{}
	for _, c := range b.candidates.recs {
		fresh[c.ID] = true
	}
	seen := map[kluis.ID]bool{}
	var ids []kluis.ID
	add := func(id kluis.ID) {
		if !fresh[id] && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, p := range b.placements.recs {
		add(p.CandidateID)
	}
	for _, m := range b.contactMoments.recs {
		add(m.CandidateID)
	}
	for _, r := range b.payroll.recs {
		add(r.CandidateID)
	}
	if len(ids) == 0 {
		return nil
	}
	restricted, err := processingRestrictedIn(b.ctx, tx, b.actor.TenantID, ids)
	if err != nil {
		return err
	}
	if len(restricted) > 0 {
		return kluis.Errorf(kluis.EConflict, "De verwerking van kandidaat "+restrictedNames(restricted)+" is beperkt (art. 18 AVG): er kan niets aan worden toegevoegd.",
			"Processing of candidate "+restrictedNames(restricted)+" is restricted (art. 18 GDPR): nothing can be added.")
	}
	for _, id := range ids {
		if r, err := candidateRestriction(b.ctx, tx, b.actor.TenantID, id); err != nil {
			return err
		} else if r != "" {
			return errRestricted()
		}
	}
	return nil
}
