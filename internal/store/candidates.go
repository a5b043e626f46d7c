package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"kluis/internal/kluis"
)

var candidates = &table[kluis.Candidate]{
	name: "candidates", kind: "candidate",
	columns: []string{"branch_id", "status", "initials", "first_name", "prefix", "last_name", "date_of_birth",
		"nationality", "email", "phone", "street", "house_number", "house_number_addition", "postcode", "city",
		"country", "bsn", "bsn_fingerprint", "iban", "id_document_type", "id_document_number", "id_document_expiry", "id_recorded_on", "functions",
		"availability", "registered_on", "source", "language", "restricted", "version", "created_at", "updated_at"},
	values: func(c *kluis.Candidate) []any {
		return []any{c.BranchID, c.Status, c.Initials, c.FirstName, c.Prefix, c.LastName, c.DateOfBirth,
			c.Nationality, c.Email, c.Phone, c.Street, c.HouseNumber, c.HouseNumberAddition, c.Postcode, c.City,
			c.Country, c.BSN, c.BSNFingerprint, c.IBAN, c.IDDocumentType, c.IDDocumentNumber, c.IDDocumentExpiry, c.IDRecordedOn, strList(c.Functions),
			c.Availability, c.RegisteredOn, c.Source, c.Language, c.Restricted, c.Version, c.CreatedAt, c.UpdatedAt}
	},
	targets: func(c *kluis.Candidate) []any {
		return []any{&c.TenantID, &c.ID, &c.BranchID, &c.Status, &c.Initials, &c.FirstName, &c.Prefix, &c.LastName, &c.DateOfBirth,
			&c.Nationality, &c.Email, &c.Phone, &c.Street, &c.HouseNumber, &c.HouseNumberAddition, &c.Postcode, &c.City,
			&c.Country, &c.BSN, &c.BSNFingerprint, &c.IBAN, &c.IDDocumentType, &c.IDDocumentNumber, &c.IDDocumentExpiry, &c.IDRecordedOn, (*strList)(&c.Functions),
			&c.Availability, &c.RegisteredOn, &c.Source, &c.Language, &c.Restricted, &c.Version, &c.CreatedAt, &c.UpdatedAt}
	},
	version: func(c *kluis.Candidate) *int64 { return &c.Version },
	key:     func(c *kluis.Candidate) (*kluis.ID, *kluis.ID) { return &c.TenantID, &c.ID },
	subject: func(c *kluis.Candidate) kluis.ID { return c.ID },
}

// CandidateFilter narrows the candidate list.
type CandidateFilter struct {
	Query    string // start of the last name, or part of the e-mail address
	City     string
	Function string
	Status   string
	BranchID kluis.ID
	// RegisteredFrom keeps candidates registered on or after the date.
	RegisteredFrom kluis.Date
	// CountUpTo, when above 0, stops counting the matches there: the total
	// is then at most CountUpTo+1, which means "more than CountUpTo". A
	// search that matches a quarter of a million candidates needs its
	// first page, not a count of all of them.
	CountUpTo int
	// Restricted: "" leaves out the candidates whose processing is
	// restricted (art. 18: their data are not used, so not searched for
	// matching); "only" lists only them, "include" everyone. Only the
	// privacy officer (and kluis) may ask for them.
	Restricted string
	Sort       string // last_name, registered_on, created_at, city; "-" for descending
	Page       kluis.Page
}

// candidateSorts are the sortable fields, per database: SQLite sorts and
// searches names through NOCASE indexes, PostgreSQL through their
// lower-case key columns in the order of their bytes (collation "C",
// migration 00037): both in the same order, and on PostgreSQL the order of
// the index that a search by the start of a name reads its range from.
var candidateSorts = map[Dialect]map[string]string{
	SQLite: {
		"last_name":     "last_name COLLATE NOCASE",
		"registered_on": "registered_on",
		"created_at":    "created_at",
		"city":          "city COLLATE NOCASE",
	},
	Postgres: {
		"last_name":     `last_name_key COLLATE "C"`,
		"registered_on": "registered_on",
		"created_at":    "created_at",
		"city":          "city_key",
	},
}

// caselessKey is what a search compares a column as, caselessly: on
// SQLite the column (its NOCASE collation), on PostgreSQL its lower-case
// form in a generated column of its own (migration 00035), since lower()
// in a condition keeps the index from serving it under row-level security.
func (db *DB) caselessKey(column string) string {
	if db.Dialect == SQLite {
		return column
	}
	return column + "_key"
}

// emailKey is what an address is looked up as: an index on lower(email)
// on SQLite, the generated column on PostgreSQL (see caselessKey).
func (db *DB) emailKey() string {
	if db.Dialect == SQLite {
		return "lower(email)"
	}
	return "email_key"
}

// caselessArg is the placeholder an equality with caselessKey(column)
// compares to: SQLite compares with the column's NOCASE collation.
func (db *DB) caselessArg() string {
	if db.Dialect == SQLite {
		return "? COLLATE NOCASE"
	}
	return "?"
}

// addPrefix adds to w the condition that column starts with prefix,
// caselessly. On PostgreSQL the start is also given as a range of bytes,
// with leakproof operators, so that an index finds it with the policy of
// row-level security in force; the LIKE then only confirms. A last name's
// range is compared in collation "C" (>=, <), the order of the name index
// that also gives the page in order (migration 00037); a place's with the
// pattern operators (~>=~, ~<~) of its text_pattern_ops index, since the
// page of a place is ordered by name, not by place.
func (db *DB) addPrefix(w *where, column, prefix string) {
	key := db.caselessKey(column)
	if db.Dialect == Postgres {
		lo := strings.ToLower(prefix)
		ge, lt := ` COLLATE "C" >= ?`, ` COLLATE "C" < ?`
		if column != "last_name" {
			ge, lt = " ~>=~ ?", " ~<~ ?"
		}
		w.add(key+ge, lo)
		w.add(key+lt, lo+"\U0010FFFF")
	}
	w.add(key+` LIKE ? ESCAPE '\'`, likePattern(prefix, true))
}

// cityExists reports whether some candidate of the agency lives in city,
// written in any case.
func (db *DB) cityExists(ctx context.Context, tenant kluis.ID, city string) (bool, error) {
	_, rdp, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return false, err
	}
	defer done()
	q := "SELECT 1 FROM candidates WHERE tenant_id = $1 AND city = $2 COLLATE NOCASE LIMIT 1"
	if db.Dialect != SQLite {
		q = "SELECT 1 FROM candidates WHERE tenant_id = $1 AND city_key = $2 LIMIT 1"
	}
	var one int
	err = rdp.QueryRowContext(ctx, q, tenant, strings.ToLower(strings.TrimSpace(city))).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up a place: %w", err)
	}
	return true, nil
}

// searchConditions adds the conditions of a search by name, address or
// place to w; exactCity: the place exists as written.
func (db *DB) searchConditions(w *where, f CandidateFilter, exactCity bool) {
	if f.Query != "" {
		// An address is looked up whole; anything else is the start of a
		// last name. (One OR of the two would keep either index from
		// being used.)
		if q := strings.ToLower(strings.TrimSpace(f.Query)); strings.Contains(q, "@") {
			w.add(db.emailKey()+" = ?", q)
		} else {
			db.addPrefix(w, "last_name", q)
		}
	}
	switch {
	case f.City == "":
	case exactCity:
		w.add(db.caselessKey("city")+" = "+db.caselessArg(), strings.ToLower(strings.TrimSpace(f.City)))
	default:
		db.addPrefix(w, "city", strings.TrimSpace(f.City))
	}
}

// ListCandidates returns a page of the tenant's candidates and the total.
func (db *DB) ListCandidates(ctx context.Context, a kluis.Actor, f CandidateFilter) ([]kluis.Candidate, int, error) {
	sorts := candidateSorts[db.Dialect]
	order, err := orderBy(f.Sort, sorts, sorts["last_name"]+", id")
	if err != nil {
		return nil, 0, err
	}
	w := tenantWhere(a.TenantID)
	scopeWhere(w, candidates, a)
	exact := false
	if f.City != "" {
		// A whole place name is looked up as that place, through the index
		// that also gives its candidates in order of name; anything else is
		// the start of a place name.
		var err error
		if exact, err = db.cityExists(ctx, a.TenantID, f.City); err != nil {
			return nil, 0, err
		}
	}
	db.searchConditions(w, f, exact)
	if f.Function != "" {
		w.add(`lower(functions) LIKE ? ESCAPE '\'`, likePattern(f.Function, false))
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.BranchID != 0 {
		w.add("branch_id = ?", f.BranchID)
	}
	if f.RegisteredFrom != "" {
		w.add("registered_on >= ?", f.RegisteredFrom)
	}
	switch f.Restricted {
	case "":
		// Most agencies have no restriction most of the time: then the
		// list needs no condition at all; otherwise the restricted are
		// looked up once (an uncorrelated subquery), not per row.
		if any, err := db.anyProcessingRestricted(ctx, a.TenantID); err != nil {
			return nil, 0, err
		} else if any {
			w.add(activeRestrictedIDs("candidates.id", "NOT IN"), a.TenantID)
		}
	case "only", "include":
		if a.Role != "" && a.Role != kluis.RolePrivacy {
			p := kluis.Problems{}
			p.Add("restricted", "Alleen de privacyfunctionaris zoekt kandidaten van wie de verwerking is beperkt.",
				"Only the privacy officer looks for candidates whose processing is restricted.")
			return nil, 0, p.Err()
		}
		if f.Restricted == "only" {
			w.add(activeRestrictedIDs("candidates.id", "IN"), a.TenantID)
		}
	default:
		p := kluis.Problems{}
		p.Add("restricted", "Kies only of include.", "Choose only or include.")
		return nil, 0, p.Err()
	}
	var out []kluis.Candidate
	var total int
	err = db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error {
		out, total, err = candidates.listCounting(ctx, db, tx, w, order, f.Page, f.CountUpTo)
		return err
	})
	return out, total, err
}

// Candidate returns one candidate.
func (db *DB) Candidate(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Candidate, error) {
	return getOne(ctx, db, candidates, a, id)
}

// CreateCandidate registers a candidate.
func (db *DB) CreateCandidate(ctx context.Context, a kluis.Actor, c *kluis.Candidate) error {
	c.TenantID, c.Restricted = a.TenantID, ""
	if err := c.Validate(db.today()); err != nil {
		return err
	}
	// The key comes first: the candidate's sensitive fields are sealed
	// with it. Should the insert fail, the unused key is destroyed again.
	c.ID = db.ids.Next()
	if err := db.newSubjectKey(ctx, a.TenantID, c.ID); err != nil {
		return err
	}
	err := db.write(ctx, a, func(tx *writeTx) error {
		if err := db.checkCandidate(ctx, tx, c, false); err != nil {
			return err
		}
		now := db.now()
		c.Version, c.CreatedAt, c.UpdatedAt = 1, now, now
		return candidates.insert(ctx, db, tx, c)
	})
	if err != nil {
		_ = db.shred(ctx, a.TenantID, c.ID)
		c.ID = 0
	}
	return err
}

// UpdateCandidate saves c if version is still the stored one.
func (db *DB) UpdateCandidate(ctx context.Context, a kluis.Actor, c *kluis.Candidate, version int64) error {
	c.TenantID = a.TenantID
	if err := c.Validate(db.today()); err != nil {
		return err
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := db.checkCandidate(ctx, tx, c, true); err != nil {
			return err
		}
		c.UpdatedAt = db.now()
		return candidates.update(ctx, db, tx, c, version)
	})
}

// checkCandidate applies the rules that need the database: the branch must
// exist, optional data the agency does not collect is refused, a BSN may only
// be stored once the candidate is employed (UAVG art. 46; LEGAL.md §2.2),
// and no ID document of a self-employed worker is kept. It also dates the
// document number, for R2.
func (db *DB) checkCandidate(ctx context.Context, tx querier, c *kluis.Candidate, existing bool) error {
	p := kluis.Problems{}
	if ok, err := branches.exists(ctx, tx, c.TenantID, c.BranchID); err != nil {
		return err
	} else if !ok {
		p.Add("branch_id", "Deze vestiging bestaat niet.", "This branch does not exist.")
	}
	var old *kluis.Candidate
	if existing {
		var err error
		if old, err = candidates.get(ctx, db, tx, c.TenantID, c.ID); err != nil {
			return err
		}
		c.Restricted = old.Restricted // kluis sets it, never a form
	}
	// A recruiter or branch manager works with the candidates of their own
	// branch: one of another branch does not exist to them, and they
	// cannot register a candidate elsewhere or move one away.
	if w, ok := tx.(*writeTx); ok && w.actor.Branch != 0 {
		if old != nil && old.BranchID != w.actor.Branch {
			return kluis.OutOfScope("candidate")
		}
		if c.BranchID != w.actor.Branch {
			p.Add("branch_id", "U kunt alleen kandidaten van uw eigen vestiging vastleggen.", "You can only keep candidates of your own branch.")
		}
	}
	if err := db.checkCollected(ctx, tx, c, old, p); err != nil {
		return err
	}
	c.BSNFingerprint = ""
	if c.BSN != "" {
		fp, err := db.bsnFingerprint(ctx, c.TenantID, c.BSN)
		if err != nil {
			return err
		}
		c.BSNFingerprint = fp
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM candidates WHERE tenant_id = $1 AND bsn_fingerprint = $2 AND id <> $3",
			c.TenantID, fp, c.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			p.Add("bsn", "Dit BSN is al vastgelegd bij een andere kandidaat. Zoek die kandidaat op in plaats van een tweede te maken.",
				"This BSN is recorded for another candidate already. Look that candidate up instead of making a second one.")
		}
	}
	emp := kluis.Employment{}
	if existing {
		var err error
		if emp, err = employmentOf(ctx, tx, c.TenantID, c.ID); err != nil {
			return err
		}
	}
	newID := old == nil || old.IDDocumentNumber != c.IDDocumentNumber
	kluis.CheckIdentity(p, c, emp, newID)
	switch {
	case c.IDDocumentNumber == "":
		c.IDRecordedOn = ""
	case newID:
		c.IDRecordedOn = db.today()
	default:
		c.IDRecordedOn = old.IDRecordedOn
	}
	return p.Err()
}

// employmentOf counts a candidate's placements by kind of contract.
func employmentOf(ctx context.Context, q querier, tenant, cand kluis.ID) (kluis.Employment, error) {
	var e kluis.Employment
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN contract_kind = $3 THEN 0 ELSE 1 END), 0),
		COALESCE(SUM(CASE WHEN contract_kind = $3 THEN 1 ELSE 0 END), 0)
		FROM placements WHERE tenant_id = $1 AND candidate_id = $2`, tenant, cand, kluis.SelfEmployed).Scan(&e.Employee, &e.SelfEmployed)
	return e, err
}

// DeleteCandidate removes a candidate with everything that belongs to them,
// rows and document contents. (Erasure with proof and legal minimums is the
// privacy officer's work; this is the plain delete.)
func (db *DB) DeleteCandidate(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) error {
	var keys []string
	err := db.write(ctx, a, func(tx *writeTx) error {
		var err error
		if keys, err = blobKeys(ctx, tx, "SELECT blob_key FROM documents WHERE tenant_id = $1 AND candidate_id = $2", a.TenantID, id); err != nil {
			return err
		}
		return candidates.delete(ctx, tx, a.TenantID, id, version)
	})
	if err != nil {
		return err
	}
	// The rows are gone; destroying the key makes every copy of the
	// sealed data and the documents unreadable, backups included; the
	// checkpoint takes the old pages out of SQLite's log.
	defer db.checkpoint(ctx)
	return errors.Join(db.shred(ctx, a.TenantID, id), db.deleteBlobs(ctx, keys))
}
