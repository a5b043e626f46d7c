package kluis

import "time"

// IDCopyTerm is how long an ID copy of a candidate who is not employed may
// be kept (LEGAL.md R2): 4 weeks from the day it was made. It ends early
// when the candidate starts working; then R4 applies.
const IDCopyTerm = 28 * 24 * time.Hour

// SelfEmployed is the contract kind of a self-employed worker (zzp), who is
// not employed by the agency.
const SelfEmployed = "self-employed"

// Employment sums up a candidate's placements for the BSN and ID rules.
type Employment struct {
	Employee     int // placements as a temporary worker employed by the agency
	SelfEmployed int // placements as a self-employed worker
}

// IsEmployee reports whether the candidate is (or is to be) employed by the
// agency: then the BSN may be recorded and the ID copy is kept (R4).
func (e Employment) IsEmployee() bool { return e.Employee > 0 }

// OnlySelfEmployed reports whether every placement is as a self-employed
// worker: then no ID copy may be kept at all (LEGAL.md §2.5).
func (e Employment) OnlySelfEmployed() bool { return e.Employee == 0 && e.SelfEmployed > 0 }

// IDCopyExpiry is the day an ID copy made on made expires under R2, or ""
// when the candidate is employed and R2 does not apply.
func (e Employment) IDCopyExpiry(made Date) Date {
	if e.IsEmployee() || made == "" {
		return ""
	}
	return DateOf(made.Time().Add(IDCopyTerm))
}

// CheckIdentity applies the BSN and ID rules that depend on the candidate's
// placements (UAVG art. 46; LEGAL.md §2). newID says whether the document
// number is new or changed by this write.
func CheckIdentity(p Problems, c *Candidate, e Employment, newID bool) {
	if c.BSN != "" && !e.IsEmployee() {
		p.Add("bsn", "Een BSN mag pas worden vastgelegd als de kandidaat in dienst komt: een plaatsing als uitzendkracht, niet als zelfstandige.",
			"A BSN may only be recorded once the candidate is employed: a placement as a temporary worker, not as self-employed.")
	}
	if newID && c.IDDocumentNumber != "" && e.OnlySelfEmployed() {
		p.Add("id_document_number", "Van een zelfstandige (zzp'er) wordt geen identiteitsbewijs bewaard.",
			"No identity document is kept of a self-employed worker.")
	}
}

// ErrIDCopySelfEmployed refuses an ID copy of a self-employed worker.
func ErrIDCopySelfEmployed(p Problems) {
	p.Add("kind", "Van een zelfstandige (zzp'er) wordt geen kopie van het identiteitsbewijs bewaard.",
		"No copy of an identity document is kept of a self-employed worker.")
}
