package kluis

import "time"

// PayrollRecord is one pay period of a worker, produced by the payroll engine
// and kept by kluis for the statutory term.
type PayrollRecord struct {
	TenantID    ID        `json:"-"`
	ID          ID        `json:"id"`
	CandidateID ID        `json:"candidate_id"`
	PlacementID ID        `json:"placement_id,omitempty"`
	Year        int       `json:"year"`
	Period      int       `json:"period"`
	GrossCents  int64     `json:"gross_cents"`
	NetCents    int64     `json:"net_cents"`
	DocumentID  ID        `json:"document_id,omitempty"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks the record; thisYear bounds the year.
func (r *PayrollRecord) Validate(thisYear int) error {
	p := Problems{}
	if r.CandidateID == 0 {
		p.required("candidate_id")
	}
	if r.Year < 1990 || r.Year > thisYear+1 {
		p.Add("year", "Kies een jaar tussen 1990 en volgend jaar.", "Choose a year between 1990 and next year.")
	}
	// Weeks (1–53) cover monthly (1–12) and four-weekly (1–13) periods too.
	if r.Period < 1 || r.Period > 53 {
		p.Add("period", "De periode ligt tussen 1 en 53.", "The period is between 1 and 53.")
	}
	if r.GrossCents < 0 || r.GrossCents > 100_000_000 {
		p.Add("gross_cents", "Het brutobedrag ligt tussen € 0 en € 1.000.000.", "The gross amount is between € 0 and € 1,000,000.")
	}
	if r.NetCents < 0 || r.NetCents > r.GrossCents {
		p.Add("net_cents", "Het nettobedrag ligt tussen € 0 en het brutobedrag.", "The net amount is between € 0 and the gross amount.")
	}
	return p.Err()
}
