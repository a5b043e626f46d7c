// Package catalog is the personal-data catalogue of kluis: every column
// and every kind of stored file that can hold personal data is declared
// here once — whose data it is, its category, why it is kept and on what
// legal basis, how long (LEGAL.md R1–R7), who may see it, and whether it is
// sensitive enough to be encrypted with the subject's own key. Columns that
// hold no personal data are declared too, with the reason. A test compares
// the declarations with the live schema of both databases, so no column can
// escape access control, access reports or erasure unnoticed.
package catalog

import (
	"sort"
	"sync"

	"kluis/internal/kluis"
)

// Subject is whose personal data a field holds.
type Subject string

const (
	Candidate     Subject = "candidate"
	ClientContact Subject = "client-contact"
	Staff         Subject = "user"
)

// Category groups fields that share their rules (DESIGN.md).
type Category string

const (
	Identity   Category = "identity"
	Contact    Category = "contact"
	BSN        Category = "bsn"
	Photo      Category = "photo"
	IDDocument Category = "id-document"
	Financial  Category = "financial"
	Employment Category = "employment"
	Payroll    Category = "payroll"
	Documents  Category = "documents"
	Notes      Category = "notes"
	History    Category = "history"
	Account    Category = "account" // staff log-in data
)

// Basis is the legal ground of processing (GDPR art. 6(1)).
type Basis string

const (
	Contract           Basis = "contract"            // (b) the (pre-)contractual relationship
	LegalObligation    Basis = "legal-obligation"    // (c) a law requires it
	Consent            Basis = "consent"             // (a) the candidate agreed
	LegitimateInterest Basis = "legitimate-interest" // (f) weighed and recorded
)

// Purpose is why a field is processed.
type Purpose string

const (
	Mediation      Purpose = "mediation"       // finding work for the candidate
	EmploymentDuty Purpose = "employment"      // carrying out the employment contract
	PayrollAdmin   Purpose = "payroll"         // wage tax, pension and social security
	Identification Purpose = "identification"  // the legal duty to identify employees
	ClientRelation Purpose = "client-relation" // working with the client's staff
	StaffAccess    Purpose = "staff-access"    // giving staff access to kluis, securely
	Accountability Purpose = "accountability"  // proving compliance (art. 5(2), 19, 30)
)

// Rule is a retention rule of LEGAL.md §1, or one of kluis's own for the
// subjects the table does not cover.
type Rule string

const (
	R1 Rule = "R1" // never worked: 2 years after last activity (maximum)
	R2 Rule = "R2" // ID copy, not employed: 4 weeks (maximum)
	R3 Rule = "R3" // personnel file: 2 years after employment ended (maximum)
	R4 Rule = "R4" // employee's ID copy and payroll-tax form: 5 years from 1 January after leaving (minimum)
	R5 Rule = "R5" // payroll administration: 7 years from 1 January after the year (minimum)
	R6 Rule = "R6" // non-EEA worker's ID copy and permit: 5 years from 1 January after the work (minimum)
	R7 Rule = "R7" // access and audit logs: a setting, 2 years by default (maximum)
	// RAccount keeps a staff member's account while they work at the agency.
	RAccount Rule = "account"
	// RClientContact keeps a client's contact person while the agency works
	// with the client.
	RClientContact Rule = "client-contact"
)

// Access is what a role may do with a field.
type Access int

const (
	Hidden Access = iota // not shown, not exported, not searchable
	Masked               // shown through the field's mask only
	Read
	Write
)

func (a Access) String() string {
	return [...]string{"hidden", "masked", "read", "write"}[a]
}

// ParseAccess reads an access level as String writes it.
func ParseAccess(s string) (Access, bool) {
	for a := Hidden; a <= Write; a++ {
		if a.String() == s {
			return a, true
		}
	}
	return Hidden, false
}

// IsSecret reports whether a field is shown to no role at all by the
// catalogue (hashes, fingerprints): no agency setting can change that.
func IsSecret(f Field) bool {
	for _, a := range f.Access {
		if a != Hidden {
			return false
		}
	}
	return true
}

// Mask names how a masked value is shown.
type Mask string

const (
	NoMask    Mask = ""
	LastThree Mask = "last3" // BSN: ******782
	LastFour  Mask = "last4" // document numbers: *****8K21
	MaskIBAN  Mask = "iban"  // NL** **** **** **43 00
	MaskEmail Mask = "email" // j***@example.nl
	YearOnly  Mask = "year"  // dates of birth: 1990
)

// Source is where a field's value comes from (art. 14, 15(1)(g)).
type Source string

const (
	FromCandidate Source = "candidate"
	FromAgency    Source = "agency"
	FromClient    Source = "client"
	FromPayroll   Source = "payroll-engine"
	FromStaff     Source = "staff"
)

// Field is one column that holds personal data.
type Field struct {
	Table     string
	Column    string
	Subject   Subject
	Category  Category
	Label     kluis.Msg
	Purposes  []Purpose
	Basis     Basis
	Retention []Rule // the rules that govern it, in the order they apply
	Access    map[kluis.Role]Access
	Mask      Mask
	// Sensitive fields are to be stored encrypted with the subject's own
	// key, so that destroying the key erases every copy (crypto-shredding).
	Sensitive bool
	Source    Source
	// Recipients are the kinds of organisation it may be disclosed to.
	Recipients []string
	// Portable marks data the candidate supplied (art. 20).
	Portable bool
	// Optional fields are ones an agency may choose not to collect at all
	// (data minimisation, art. 5(1)(c)).
	Optional bool
	// Reveal are the roles that see the field masked but may ask to see it
	// in full, one value at a time, giving a reason that is logged.
	Reveal []kluis.Role
}

// Blob is a kind of stored file (a document kind) and its rules.
type Blob struct {
	Kind      string // a kluis.DocumentKinds value
	Category  Category
	Source    Source // who supplies a file of this kind (art. 15(1)(g))
	Label     kluis.Msg
	Purposes  []Purpose
	Basis     Basis
	Retention []Rule
	Access    map[kluis.Role]Access
	Sensitive bool
	Portable  bool
	Optional  bool
}

// NonPersonal is a column that holds no personal data, and why.
type NonPersonal struct {
	Table, Column, Why string
}

// Derived is a column the database computes from a catalogued field (a
// generated column, for an index): it holds the same personal data in
// another form and follows its source — written, emptied and erased with
// it by the database, never written by kluis, read only by the searches
// that compare with it. Its rules are those of its source.
type Derived struct {
	Table, Column string
	From          string // the source column, in the same table
	Why           string
}

// Catalog is the whole catalogue. It is built once and never changed.
type Catalog struct {
	fields      []Field
	blobs       []Blob
	nonPersonal []NonPersonal
	derived     []Derived
	byColumn    map[string]int
	nonByColumn map[string]int
	byKind      map[string]int
	automated   []AutomatedDecision
}

// New returns the catalogue. It is built once, on first use, and shared:
// it never changes, and what is worked out from it (the retention plan's
// groups, say) can be kept per catalogue.
func New() *Catalog { return built() }

var built = sync.OnceValue(build)

// build builds the catalogue.
func build() *Catalog {
	c := &Catalog{fields: withCandidateAccess(fields()), blobs: withCandidateBlobAccess(blobs()), nonPersonal: nonPersonal(),
		derived: derived(), byColumn: map[string]int{}, nonByColumn: map[string]int{}, byKind: map[string]int{}, automated: automatedDecisions()}
	for i, f := range c.fields {
		c.byColumn[f.Table+"."+f.Column] = i
	}
	for i, n := range c.nonPersonal {
		c.nonByColumn[n.Table+"."+n.Column] = i
	}
	for i, b := range c.blobs {
		c.byKind[b.Kind] = i
	}
	return c
}

// Fields returns every personal field, sorted by table and column.
func (c *Catalog) Fields() []Field {
	out := append([]Field(nil), c.fields...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Table != out[j].Table {
			return out[i].Table < out[j].Table
		}
		return out[i].Column < out[j].Column
	})
	return out
}

// Field returns the declaration of a personal column.
func (c *Catalog) Field(table, column string) (Field, bool) {
	i, ok := c.byColumn[table+"."+column]
	if !ok {
		return Field{}, false
	}
	return c.fields[i], true
}

// IsNonPersonal reports whether a column is declared to hold no personal data.
func (c *Catalog) IsNonPersonal(table, column string) bool {
	_, ok := c.nonByColumn[table+"."+column]
	return ok
}

// NonPersonal returns every column declared to hold no personal data.
func (c *Catalog) NonPersonal() []NonPersonal { return append([]NonPersonal(nil), c.nonPersonal...) }

// Derived returns the derived columns.
func (c *Catalog) Derived() []Derived { return append([]Derived(nil), c.derived...) }

// DerivedFrom returns the field a derived column is computed from.
func (c *Catalog) DerivedFrom(table, column string) (Field, bool) {
	for _, d := range c.derived {
		if d.Table == table && d.Column == column {
			return c.Field(d.Table, d.From)
		}
	}
	return Field{}, false
}

// Blobs returns the declarations of every kind of stored file.
func (c *Catalog) Blobs() []Blob { return append([]Blob(nil), c.blobs...) }

// Blob returns the declaration of a kind of stored file.
func (c *Catalog) Blob(kind string) (Blob, bool) {
	i, ok := c.byKind[kind]
	if !ok {
		return Blob{}, false
	}
	return c.blobs[i], true
}

// Collectable is a piece of candidate data an agency may choose not to
// collect at all: a column of the candidates table or a kind of file.
type Collectable struct {
	Key      string // the column, or the kind of file
	Label    kluis.Msg
	Column   string // "" for a kind of file
	BlobKind string // "" for a column
}

// Collectables lists the optional candidate data, columns first.
func (c *Catalog) Collectables() []Collectable {
	var out []Collectable
	for _, f := range c.fields {
		if f.Optional && f.Table == "candidates" {
			out = append(out, Collectable{Key: f.Column, Label: f.Label, Column: f.Column})
		}
	}
	for _, b := range c.blobs {
		if b.Optional {
			out = append(out, Collectable{Key: b.Kind, Label: b.Label, BlobKind: b.Kind})
		}
	}
	return out
}

// Collectable returns the optional item with the key.
func (c *Catalog) Collectable(key string) (Collectable, bool) {
	for _, x := range c.Collectables() {
		if x.Key == key {
			return x, true
		}
	}
	return Collectable{}, false
}

// AccessOf returns what role may do with a field; roles not named get
// Hidden, so a new role sees nothing until someone decides otherwise.
func (f Field) AccessOf(r kluis.Role) Access { return f.Access[r] }

// AccessOf returns what role may do with a kind of file.
func (b Blob) AccessOf(r kluis.Role) Access { return b.Access[r] }
