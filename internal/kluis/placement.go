package kluis

import "time"

// Placement is a candidate working at a client. A candidate with a placement
// has "worked" for the agency, which changes how long data may be kept.
type Placement struct {
	TenantID        ID        `json:"-"`
	ID              ID        `json:"id"`
	CandidateID     ID        `json:"candidate_id"`
	ClientID        ID        `json:"client_id"`
	Function        string    `json:"function"`
	StartDate       Date      `json:"start_date"`
	EndDate         Date      `json:"end_date"`
	HourlyWageCents int64     `json:"hourly_wage_cents"`
	ContractKind    string    `json:"contract_kind"`
	Version         int64     `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// ContractKinds are the phases of the ABU/NBBU collective agreements.
var ContractKinds = Choices{
	{"phase-a", Msg{"Fase A", "Phase A"}},
	{"phase-b", Msg{"Fase B", "Phase B"}},
	{"phase-c", Msg{"Fase C", "Phase C"}},
	{"self-employed", Msg{"Zelfstandige (zzp)", "Self-employed"}},
	{"other", Msg{"Anders", "Other"}},
}

// Validate normalises the placement in place.
func (pl *Placement) Validate() error {
	p := Problems{}
	if pl.CandidateID == 0 {
		p.required("candidate_id")
	}
	if pl.ClientID == 0 {
		p.required("client_id")
	}
	p.line("function", &pl.Function, 100, true)
	p.date("start_date", &pl.StartDate, true)
	p.date("end_date", &pl.EndDate, false)
	if pl.EndDate != "" && pl.StartDate != "" && pl.EndDate < pl.StartDate {
		p.Add("end_date", "De einddatum ligt voor de begindatum.", "The end date is before the start date.")
	}
	if pl.HourlyWageCents < 0 || pl.HourlyWageCents > 100000 {
		p.Add("hourly_wage_cents", "Het uurloon moet tussen € 0 en € 1.000 liggen.", "The hourly wage must be between € 0 and € 1,000.")
	}
	if pl.ContractKind == "" {
		pl.ContractKind = "phase-a"
	}
	p.choice("contract_kind", pl.ContractKind, ContractKinds, true)
	return p.Err()
}

// ActiveOn reports whether the placement runs on day d.
func (pl *Placement) ActiveOn(d Date) bool {
	return pl.StartDate <= d && (pl.EndDate == "" || pl.EndDate >= d)
}
