package kluis

import "time"

// RestrictedLegalMinimum is the state of a candidate of whom a staged
// erasure left only what R4–R6 still require (name, date of birth, BSN,
// ID copy, payroll records): it is kept for payroll and the privacy officer
// to read, nobody changes it, and the rest of the agency no longer sees it.
const RestrictedLegalMinimum = "legal-minimum"

// ErasureReasons say why a candidate's data were erased.
var ErasureReasons = Choices{
	{"retention", Msg{"Bewaartermijn verstreken", "Retention term ended"}},
	{"request", Msg{"Verzoek van de kandidaat (art. 17 AVG)", "The candidate's request (art. 17 GDPR)"}},
	{"restored", Msg{"Opnieuw gewist: een teruggezette back-up bracht de gegevens terug", "Erased again: a restored backup brought the data back"}},
}

// ErasedGroup is a group of a candidate's data that an erasure removed: a
// catalogue category, the rules its fields follow, and the fields and kinds
// of file (by name, never by value).
type ErasedGroup struct {
	Category string   `json:"category"`
	Rule     string   `json:"rule"` // the rule whose end let it go
	Fields   []string `json:"fields"`
}

// KeptGroup is a group an erasure left, and why: the rule that still
// requires it and the day it may go ("" while that cannot be known yet).
type KeptGroup struct {
	Category string   `json:"category"`
	Rule     string   `json:"rule"`
	Until    Date     `json:"until,omitempty"`
	Held     bool     `json:"held,omitempty"` // a legal hold keeps it
	Fields   []string `json:"fields"`
}

// Erasure is the proof of one erasure: it holds no personal data, only the
// candidate's pseudonymous id and what was erased and kept, by rule.
type Erasure struct {
	TenantID      ID            `json:"-"`
	ID            ID            `json:"id"`
	CandidateID   ID            `json:"candidate_id"`
	Complete      bool          `json:"complete"` // the candidate is gone
	Reason        string        `json:"reason"`   // an ErasureReasons value
	RequestID     ID            `json:"request_id,omitempty"`
	RunID         ID            `json:"run_id,omitempty"`
	Erased        []ErasedGroup `json:"erased"`
	Kept          []KeptGroup   `json:"kept"`
	Rows          int           `json:"rows_erased"`
	Files         int           `json:"files_erased"`
	UserID        ID            `json:"user_id,omitempty"`
	At            time.Time     `json:"erased_at"`
	FilesPending  int           `json:"files_pending"`
	KeyShreddedAt *time.Time    `json:"key_shredded_at,omitempty"`
	VerifiedAt    *time.Time    `json:"verified_at,omitempty"`
	ResidueHits   *int          `json:"residue_hits,omitempty"`
}

// CleanupStates are the states of a clean-up run.
var CleanupStates = Choices{
	{"running", Msg{"Bezig", "Running"}},
	{"done", Msg{"Klaar", "Done"}},
	{"failed", Msg{"Klaar, met fouten", "Done, with errors"}},
}
