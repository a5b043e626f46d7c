// Package kluis holds the domain of kluis: the records a staffing agency
// keeps, the rules their fields must satisfy, and the error codes every
// other package speaks. It depends on nothing but the standard library.
package kluis

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"
)

// ID identifies a record within its tenant. IDs are time-ordered (good for
// index locality) and stay below 2^53, so JavaScript clients read them exactly.
type ID = int64

// IDGen hands out IDs: 41 bits of milliseconds since 2024 and a 12-bit
// counter that starts at a random value, so two processes writing to one
// PostgreSQL database are unlikely to collide (and a collision is a
// primary-key error, never a silent overwrite).
type IDGen struct {
	mu   sync.Mutex
	last int64
	seq  int64
	now  func() time.Time
}

var idEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// NewIDGen returns a generator reading time from clock.
func NewIDGen(clock Clock) *IDGen {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &IDGen{seq: int64(binary.LittleEndian.Uint64(b[:]) & 0xfff), now: clock.Now}
}

// Next returns a new ID, larger than every ID this generator gave before.
func (g *IDGen) Next() ID {
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := g.now().Sub(idEpoch).Milliseconds()
	if ms < g.last {
		ms = g.last
	}
	if ms == g.last {
		g.seq = (g.seq + 1) & 0xfff
		if g.seq == 0 {
			ms++
		}
	}
	g.last = ms
	return ms<<12 | g.seq
}

// Clock tells the time; tests inject a fixed one.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock in UTC.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FixedClock is a settable clock for tests.
type FixedClock struct {
	mu sync.Mutex
	T  time.Time
}

func (c *FixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.T }

// Advance moves the clock forward.
func (c *FixedClock) Advance(d time.Duration) { c.mu.Lock(); c.T = c.T.Add(d); c.mu.Unlock() }

// Date is a calendar date without time zone, "2006-01-02"; "" means unknown.
// It is stored as text in SQLite and as DATE in PostgreSQL.
type Date string

const dateLayout = "2006-01-02"

// ParseDate accepts "2006-01-02" and the Dutch "02-01-2006". Year 0 is
// refused: PostgreSQL has no such year and would fail the query.
func ParseDate(s string) (Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	for _, layout := range []string{dateLayout, "02-01-2006", "2-1-2006"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1 {
			return Date(t.Format(dateLayout)), true
		}
	}
	return "", false
}

// DateOf returns the date of t in UTC.
func DateOf(t time.Time) Date { return Date(t.UTC().Format(dateLayout)) }

// Time returns the date as midnight UTC.
func (d Date) Time() time.Time {
	t, _ := time.Parse(dateLayout, string(d))
	return t
}

// IsZero reports an unknown date.
func (d Date) IsZero() bool { return d == "" }

// Value stores an unknown date as NULL.
func (d Date) Value() (driver.Value, error) {
	if d == "" {
		return nil, nil
	}
	return string(d), nil
}

// Scan reads a DATE (PostgreSQL gives time.Time) or text (SQLite).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = ""
	case time.Time:
		*d = Date(v.Format(dateLayout))
	case string:
		*d = Date(firstN(v, 10))
	case []byte:
		*d = Date(firstN(string(v), 10))
	default:
		return fmt.Errorf("kluis.Date: cannot scan %T", src)
	}
	return nil
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Role is what a user does in the agency; it decides what they may see.
type Role string

const (
	RoleRecruiter   Role = "recruiter"
	RolePayroll     Role = "payroll"
	RoleManager     Role = "manager"
	RolePrivacy     Role = "privacy"
	RoleAdmin       Role = "admin"
	RoleIntegration Role = "integration"
	// RoleCandidate is a candidate logged in to the portal, reading their
	// own data. It is no staff role: it is not in Roles, no user has it,
	// and the store limits it to the one candidate of its session.
	RoleCandidate Role = "candidate"
)

// Roles lists the staff roles in the order screens show them.
var Roles = []Role{RoleRecruiter, RolePayroll, RoleManager, RolePrivacy, RoleAdmin, RoleIntegration}

// Valid reports a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Actor is who performs a service call: always within one tenant.
type Actor struct {
	TenantID ID
	UserID   ID
	Role     Role
	// Branch, when not 0, limits the actor to the candidates of one branch
	// and what belongs to them (see BranchBound).
	Branch ID
	// Scopes are an API token's scopes (comma-separated, or "*"); empty
	// for a log-in session.
	Scopes string
}

// BranchBound reports whether a role works for its own branch only: the
// recruiter and the branch manager. Payroll, the privacy officer, the
// administrator and integrations span the agency.
func BranchBound(r Role) bool { return r == RoleRecruiter || r == RoleManager }

// ActorFor returns the actor of a user: branch-bound roles are limited to
// the user's branch.
func ActorFor(u *User) Actor {
	a := Actor{TenantID: u.TenantID, UserID: u.ID, Role: u.Role}
	if BranchBound(u.Role) {
		a.Branch = u.BranchID
	}
	return a
}

// OutOfScope is the answer to a record outside the actor's branch: to them
// it does not exist, as a record of another agency does not.
func OutOfScope(kind string) *Error { return NotFound(kind) }

// Tenant is an agency: everything in kluis belongs to exactly one.
type Tenant struct {
	ID        ID        `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Branch is a vestiging of the agency.
type Branch struct {
	TenantID ID     `json:"-"`
	ID       ID     `json:"id"`
	Name     string `json:"name"`
	City     string `json:"city"`
}

// User is a member of the agency's staff (or an integration).
type User struct {
	TenantID     ID        `json:"-"`
	ID           ID        `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	BranchID     ID        `json:"branch_id,omitempty"`
	Language     string    `json:"language"` // "nl" or "en": the language of the web interface
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Token is an API bearer token; only its hash is stored.
type Token struct {
	TenantID   ID         `json:"-"`
	ID         ID         `json:"id"`
	UserID     ID         `json:"user_id"`
	Name       string     `json:"name"`
	Hash       []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	Scopes     string     `json:"scopes"`
}

// Page asks for one page of a list.
type Page struct {
	Limit  int
	Offset int
}

// MaxPageSize bounds every list so no request reads a whole table.
const MaxPageSize = 200

// Normalize applies the defaults and bounds of a page request.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if p.Limit > MaxPageSize {
		p.Limit = MaxPageSize
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	return p
}
