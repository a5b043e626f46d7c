package kluis

import (
	"strings"
	"time"
)

// Disclosure records that an organisation received a candidate's data: the
// register that art. 19 notices and art. 15(1)(c) answers are made from.
type Disclosure struct {
	TenantID      ID        `json:"-"`
	ID            ID        `json:"id"`
	CandidateID   ID        `json:"candidate_id"`
	RecipientKind string    `json:"recipient_kind"`
	ClientID      ID        `json:"client_id,omitempty"`
	Recipient     string    `json:"recipient"`
	Categories    []string  `json:"categories"`
	Purpose       string    `json:"purpose"`
	DisclosedAt   time.Time `json:"disclosed_at"`
	UserID        ID        `json:"user_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// RecipientKinds are the kinds of organisation data go to.
var RecipientKinds = Choices{
	{"client", Msg{"Opdrachtgever", "Client"}},
	{"payroll-provider", Msg{"Salarisverwerker", "Payroll provider"}},
	{"pension-fund", Msg{"Pensioenfonds", "Pension fund"}},
	{"uwv", Msg{"UWV", "UWV"}},
	{"tax-authority", Msg{"Belastingdienst", "Tax authority"}},
	{"company-doctor", Msg{"Bedrijfsarts / arbodienst", "Company doctor"}},
	{"other", Msg{"Anders", "Other"}},
}

// DataCategories are the categories of personal data (DESIGN.md); the
// catalogue assigns every field to one of them.
var DataCategories = Choices{
	{"identity", Msg{"Identiteit", "Identity"}},
	{"contact", Msg{"Contactgegevens", "Contact details"}},
	{"bsn", Msg{"BSN", "BSN"}},
	{"photo", Msg{"Pasfoto", "Photo"}},
	{"id-document", Msg{"Identiteitsbewijs", "Identity document"}},
	{"financial", Msg{"Financieel", "Financial"}},
	{"employment", Msg{"Werk en plaatsingen", "Employment"}},
	{"payroll", Msg{"Salaris", "Payroll"}},
	{"documents", Msg{"Documenten", "Documents"}},
	{"notes", Msg{"Notities", "Notes"}},
	{"history", Msg{"Historie", "History"}},
}

// Validate normalises the disclosure in place.
func (d *Disclosure) Validate(now time.Time) error {
	p := Problems{}
	if d.CandidateID == 0 {
		p.required("candidate_id")
	}
	p.choice("recipient_kind", d.RecipientKind, RecipientKinds, true)
	if d.RecipientKind == "client" && d.ClientID == 0 {
		p.Add("client_id", "Kies de opdrachtgever die de gegevens kreeg.", "Choose the client that received the data.")
	}
	p.line("recipient", &d.Recipient, 200, d.ClientID == 0)
	if len(d.Categories) == 0 {
		p.Add("categories", "Kies welke soorten gegevens zijn verstrekt.", "Choose which kinds of data were disclosed.")
	}
	seen := map[string]bool{}
	var cats []string
	for _, c := range d.Categories {
		c = strings.TrimSpace(c)
		if !DataCategories.Has(c) {
			p.Add("categories", "Onbekende soort gegevens: kies uit "+strings.Join(DataCategories.Values(), ", ")+".",
				"Unknown kind of data: choose from "+strings.Join(DataCategories.Values(), ", ")+".")
			continue
		}
		if !seen[c] {
			seen[c] = true
			cats = append(cats, c)
		}
	}
	d.Categories = cats
	p.line("purpose", &d.Purpose, 300, true)
	if d.DisclosedAt.IsZero() {
		d.DisclosedAt = now
	}
	d.DisclosedAt = d.DisclosedAt.UTC().Truncate(time.Second)
	if d.DisclosedAt.After(now.Add(5 * time.Minute)) {
		p.Add("disclosed_at", "Een verstrekking kan niet in de toekomst liggen.", "A disclosure cannot be in the future.")
	}
	return p.Err()
}
