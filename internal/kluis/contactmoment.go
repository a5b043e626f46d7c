package kluis

import "time"

// ContactMoment is one entry of a candidate's history (historie).
type ContactMoment struct {
	TenantID    ID        `json:"-"`
	ID          ID        `json:"id"`
	CandidateID ID        `json:"candidate_id"`
	Kind        string    `json:"kind"`
	At          time.Time `json:"at"`
	UserID      ID        `json:"user_id,omitempty"`
	Note        string    `json:"note"`
	// StatementVersion is the version of the agency's privacy statement a
	// "privacy-statement-shown" or "-sent" moment records; 0 otherwise.
	// Only kluis sets it, when it shows or sends the statement.
	StatementVersion int       `json:"statement_version,omitempty"`
	Version          int64     `json:"version"`
	CreatedAt        time.Time `json:"created_at"`
}

// ContactKinds are the kinds of contact moment.
var ContactKinds = Choices{
	{"phone", Msg{"Telefoon", "Phone"}},
	{"email", Msg{"E-mail", "E-mail"}},
	{"visit", Msg{"Bezoek", "Visit"}},
	{"letter", Msg{"Brief", "Letter"}},
	{"check-in", Msg{"Inschrijving", "Check-in"}},
	{"portal", Msg{"Portaal", "Portal"}},
	{"privacy-statement-shown", Msg{"Privacyverklaring getoond", "Privacy statement shown"}},
	{"privacy-statement-sent", Msg{"Privacyverklaring verstuurd", "Privacy statement sent"}},
	{"consent", Msg{"Toestemming", "Consent"}},
	{"consent-requested", Msg{"Om toestemming gevraagd", "Consent requested"}},
	{"consent-declined", Msg{"Toestemming geweigerd", "Consent declined"}},
	{"request", Msg{"Verzoek", "Request"}},
	{"breach-notice", Msg{"Bericht over een datalek", "Data breach notice"}},
	{"cv-sent", Msg{"CV verstuurd", "CV sent"}},
	{"other", Msg{"Anders", "Other"}},
}

// Validate normalises the contact moment in place; now bounds its time.
func (m *ContactMoment) Validate(now time.Time) error {
	p := Problems{}
	if m.CandidateID == 0 {
		p.required("candidate_id")
	}
	p.choice("kind", m.Kind, ContactKinds, true)
	if m.At.IsZero() {
		m.At = now
	}
	m.At = m.At.UTC().Truncate(time.Second)
	if m.At.After(now.Add(5 * time.Minute)) {
		p.Add("at", "Een contactmoment kan niet in de toekomst liggen.", "A contact moment cannot be in the future.")
	}
	p.text("note", &m.Note, 10000)
	return p.Err()
}
