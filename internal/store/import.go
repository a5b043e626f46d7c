package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"kluis/internal/kluis"
)

// ImportSet is everything an agency brings over from its previous system in
// one go. Records refer to each other by their index in the set, because
// none of them has an id before the set is stored; ImportSet assigns ids,
// versions and timestamps as the Create methods do and writes the records
// back into the slices, so the caller can read the new ids afterwards.
type ImportSet struct {
	Clients        []kluis.Client
	Candidates     []kluis.Candidate
	Placements     []ImportPlacement
	ContactMoments []ImportContactMoment

	// Progress, when set, is told after each record written how many of
	// how many are done. It runs inside the write transaction: keep it cheap.
	Progress func(done, total int)
}

// ImportPlacement is a placement whose candidate and client are records of
// the same set; the IDs inside Placement are ignored and overwritten.
type ImportPlacement struct {
	Placement kluis.Placement
	Candidate int // index in ImportSet.Candidates
	Client    int // index in ImportSet.Clients
}

// ImportContactMoment is a history entry of a candidate of the same set.
// Its At is kept as given (the contact happened in the past system); its
// user becomes the actor who imports, since the old system's users do not
// exist in kluis.
type ImportContactMoment struct {
	ContactMoment kluis.ContactMoment
	Candidate     int // index in ImportSet.Candidates
}

// The record kinds of ImportProblem.Records: the table each slice fills.
const (
	ImportClients        = "clients"
	ImportCandidates     = "candidates"
	ImportPlacements     = "placements"
	ImportContactMoments = "contact_moments"
)

// ImportProblem is one wrong field of one record of an ImportSet, so that
// the caller can point at the line of the file the record came from.
type ImportProblem struct {
	Records string // ImportClients, ImportCandidates, …
	Index   int    // in that slice of the set
	Field   string // the domain field, as in kluis's Problems
	Message kluis.Msg
}

// ImportProblems lists every wrong field of a set. It is the Err of the
// EInvalid error ImportSet and CheckImportSet return, to be found with
// errors.As; it holds field names and messages, never values.
type ImportProblems []ImportProblem

func (ps ImportProblems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i == 10 {
			b.WriteString(fmt.Sprintf("; and %d more", len(ps)-i))
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Records + "[" + strconv.Itoa(p.Index) + "]." + p.Field + ": " + p.Message.EN)
	}
	return b.String()
}

// maxImportErrorFields bounds the Fields of the returned error: a screen or
// a JSON answer needs the first mistakes, not a hundred thousand of them
// (the full list stays in ImportProblems).
const maxImportErrorFields = 100

func (ps ImportProblems) err() error {
	if len(ps) == 0 {
		return nil
	}
	fields := map[string]kluis.Msg{}
	for _, p := range ps {
		if len(fields) == maxImportErrorFields {
			break
		}
		fields[p.Records+"["+strconv.Itoa(p.Index)+"]."+p.Field] = p.Message
	}
	return &kluis.Error{Code: kluis.EInvalid, Fields: fields, Err: ps, Message: kluis.Msg{
		NL: "Niet alle gegevens van de import zijn goed; er is niets opgeslagen.",
		EN: "Not all records of the import are correct; nothing was stored.",
	}}
}

func (ps *ImportProblems) addAll(records string, index int, err error) error {
	if err == nil {
		return nil
	}
	e, ok := err.(*kluis.Error)
	if !ok || e.Code != kluis.EInvalid {
		return err
	}
	names := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		*ps = append(*ps, ImportProblem{Records: records, Index: index, Field: f, Message: e.Fields[f]})
	}
	return nil
}

// CheckImportSet validates and normalises every record of the set and
// checks its references, exactly as ImportSet does, and writes nothing:
// the dry run of an import.
func (db *DB) CheckImportSet(ctx context.Context, a kluis.Actor, set *ImportSet) error {
	ps, err := db.validateImportSet(a, set)
	if err != nil {
		return err
	}
	err = db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error {
		more, err := checkImportBranches(ctx, tx, a.TenantID, set)
		ps = append(ps, more...)
		return err
	})
	if err != nil {
		return err
	}
	return ps.err()
}

// ImportSet stores the whole set in one write transaction, or nothing at
// all: an agency that switches systems must not end up with half its
// candidates and no way to tell which. A candidate may not bring a BSN
// (none of them has a placement yet when it is stored; LEGAL.md §2.2).
func (db *DB) ImportSet(ctx context.Context, a kluis.Actor, set *ImportSet) error {
	// Validation runs before the transaction so that the single SQLite
	// writer is held only for the inserts.
	if ps, err := db.validateImportSet(a, set); err != nil {
		return err
	} else if len(ps) > 0 {
		return ps.err()
	}
	total := len(set.Clients) + len(set.Candidates) + len(set.Placements) + len(set.ContactMoments)
	// Every candidate gets their key before the data are written, so that
	// their sensitive fields can be sealed; if the import fails, the keys
	// are destroyed again.
	ids := make([]kluis.ID, len(set.Candidates))
	for i := range set.Candidates {
		ids[i] = db.ids.Next()
		set.Candidates[i].ID = ids[i]
	}
	if len(ids) > 0 {
		if db.vault == nil {
			return errNoVault
		}
		if err := db.vault.CreateMany(ctx, a.TenantID, ids); err != nil {
			return err
		}
	}
	err := db.update(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error {
		if ps, err := checkImportBranches(ctx, tx, a.TenantID, set); err != nil {
			return err
		} else if len(ps) > 0 {
			return ps.err()
		}
		q := &stmtCache{tx: tx, stmts: map[string]*sql.Stmt{}}
		defer q.close()
		now := db.now()
		done := 0
		step := func() {
			done++
			if set.Progress != nil {
				set.Progress(done, total)
			}
		}
		for i := range set.Clients {
			c := &set.Clients[i]
			c.ID, c.Version, c.CreatedAt, c.UpdatedAt = db.ids.Next(), 1, now, now
			if err := clients.insert(ctx, db, q, c); err != nil {
				return err
			}
			step()
		}
		for i := range set.Candidates {
			c := &set.Candidates[i]
			c.Version, c.CreatedAt, c.UpdatedAt = 1, now, now
			if err := candidates.insert(ctx, db, q, c); err != nil {
				return err
			}
			step()
		}
		for i := range set.Placements {
			ip := &set.Placements[i]
			pl := &ip.Placement
			pl.CandidateID, pl.ClientID = set.Candidates[ip.Candidate].ID, set.Clients[ip.Client].ID
			pl.ID, pl.Version, pl.CreatedAt, pl.UpdatedAt = db.ids.Next(), 1, now, now
			if err := placements.insert(ctx, db, q, pl); err != nil {
				return err
			}
			step()
		}
		for i := range set.ContactMoments {
			im := &set.ContactMoments[i]
			m := &im.ContactMoment
			m.CandidateID = set.Candidates[im.Candidate].ID
			m.ID, m.Version, m.CreatedAt = db.ids.Next(), 1, now
			if err := contactMoments.insert(ctx, db, q, m); err != nil {
				return err
			}
			step()
		}
		return nil
	})
	if err != nil {
		for _, id := range ids {
			_ = db.shred(ctx, a.TenantID, id)
		}
		for i := range set.Candidates {
			set.Candidates[i].ID = 0
		}
	}
	return err
}

// validateImportSet runs each record's Validate and the set's own rules,
// and collects every problem instead of stopping at the first.
func (db *DB) validateImportSet(a kluis.Actor, set *ImportSet) (ImportProblems, error) {
	var ps ImportProblems
	today, now := db.today(), db.now()
	for i := range set.Clients {
		c := &set.Clients[i]
		c.TenantID = a.TenantID
		if err := ps.addAll(ImportClients, i, c.Validate()); err != nil {
			return nil, err
		}
	}
	for i := range set.Candidates {
		c := &set.Candidates[i]
		c.TenantID = a.TenantID
		p := kluis.Problems{}
		if c.BSN != "" {
			p.Add("bsn", "Een BSN mag pas worden vastgelegd als de kandidaat een plaatsing heeft.",
				"A BSN may only be recorded once the candidate has a placement.")
		}
		if err := ps.addAll(ImportCandidates, i, merge(p, c.Validate(today))); err != nil {
			return nil, err
		}
	}
	for i := range set.Placements {
		ip := &set.Placements[i]
		pl := &ip.Placement
		pl.TenantID = a.TenantID
		p := kluis.Problems{}
		// Validate wants non-zero ids; the real ones exist only once the
		// candidate and client are inserted, so a stand-in is used here.
		pl.CandidateID, pl.ClientID = 0, 0
		if inRange(ip.Candidate, len(set.Candidates)) {
			pl.CandidateID = -1
		} else {
			p.Add("candidate_id", "Verwijst naar een kandidaat die niet in de import zit.", "Refers to a candidate that is not in the import.")
		}
		if inRange(ip.Client, len(set.Clients)) {
			pl.ClientID = -1
		} else {
			p.Add("client_id", "Verwijst naar een opdrachtgever die niet in de import zit.", "Refers to a client that is not in the import.")
		}
		err := pl.Validate()
		pl.CandidateID, pl.ClientID = 0, 0
		if err := ps.addAll(ImportPlacements, i, merge(p, err)); err != nil {
			return nil, err
		}
	}
	for i := range set.ContactMoments {
		im := &set.ContactMoments[i]
		m := &im.ContactMoment
		m.TenantID, m.UserID, m.CandidateID = a.TenantID, a.UserID, 0
		p := kluis.Problems{}
		if inRange(im.Candidate, len(set.Candidates)) {
			m.CandidateID = -1
		} else {
			p.Add("candidate_id", "Verwijst naar een kandidaat die niet in de import zit.", "Refers to a candidate that is not in the import.")
		}
		err := m.Validate(now)
		m.CandidateID = 0
		if err := ps.addAll(ImportContactMoments, i, merge(p, err)); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

func inRange(i, n int) bool { return i >= 0 && i < n }

// merge adds the field problems of a Validate error to p; p's own problems
// win, being the more precise ones.
func merge(p kluis.Problems, err error) error {
	if err == nil {
		return p.Err()
	}
	e, ok := err.(*kluis.Error)
	if !ok || e.Code != kluis.EInvalid {
		return err
	}
	for f, m := range e.Fields {
		if _, ok := p[f]; !ok {
			p[f] = m
		}
	}
	return p.Err()
}

// checkImportBranches makes sure every branch the set names exists in the
// tenant. Inside ImportSet it runs in the write transaction, so a branch
// removed since the dry run is caught before anything is written.
func checkImportBranches(ctx context.Context, tx *sql.Tx, tenant kluis.ID, set *ImportSet) (ImportProblems, error) {
	known := map[kluis.ID]bool{}
	exists := func(id kluis.ID) (bool, error) {
		ok, seen := known[id]
		if seen {
			return ok, nil
		}
		ok, err := branches.exists(ctx, tx, tenant, id)
		known[id] = ok
		return ok, err
	}
	var ps ImportProblems
	missing := kluis.Msg{NL: "Deze vestiging bestaat niet.", EN: "This branch does not exist."}
	for i := range set.Clients {
		if ok, err := exists(set.Clients[i].BranchID); err != nil {
			return nil, err
		} else if !ok {
			ps = append(ps, ImportProblem{Records: ImportClients, Index: i, Field: "branch_id", Message: missing})
		}
	}
	for i := range set.Candidates {
		if ok, err := exists(set.Candidates[i].BranchID); err != nil {
			return nil, err
		} else if !ok {
			ps = append(ps, ImportProblem{Records: ImportCandidates, Index: i, Field: "branch_id", Message: missing})
		}
	}
	return ps, nil
}

// stmtCache prepares each distinct statement once per transaction: an
// import repeats the same INSERT up to hundreds of thousands of times, and
// re-preparing it for every row is most of the work on SQLite.
type stmtCache struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, ok := c.stmts[query]
	if !ok {
		var err error
		if st, err = c.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		c.stmts[query] = st
	}
	return st.ExecContext(ctx, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.tx.QueryContext(ctx, query, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.tx.QueryRowContext(ctx, query, args...)
}

func (c *stmtCache) close() {
	for _, st := range c.stmts {
		_ = st.Close()
	}
}
