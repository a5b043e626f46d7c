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
	StatementVersion int `json:"statement_version,omitempty"`
	// StatementChannel is how the statement reached the candidate (a
	// StatementChannels value) on such a moment; "" otherwise.
	StatementChannel string `json:"statement_channel,omitempty"`
	// OutboxID is the e-mail that carries a sent statement, and Delivery
	// how it went: DeliveryPending, DeliverySent or DeliveryFailed.
	OutboxID  ID        `json:"outbox_id,omitempty"`
	Delivery  string    `json:"delivery,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

// The delivery of a sent statement: its e-mail waits in the outbox, was
// taken by the SMTP server, or was finally given up on.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// Deliveries name the delivery of a sent statement.
var Deliveries = Choices{
	{DeliveryPending, Msg{"wacht op verzending", "waiting to be sent"}},
	{DeliverySent, Msg{"afgeleverd bij de mailserver", "delivered to the mail server"}},
	{DeliveryFailed, Msg{"niet afgeleverd", "not delivered"}},
}

// IsStatementProof reports the kinds of contact moment that prove a
// candidate was informed of the privacy statement. Only kluis writes
// them, when it shows or sends the statement; no one changes or removes
// them after.
func IsStatementProof(kind string) bool {
	return kind == "privacy-statement-shown" || kind == "privacy-statement-sent"
}

// ErrStatementProof refuses a change to the proof of informing.
func ErrStatementProof() error {
	p := Problems{}
	p.Add("kind", "Dit contactmoment is het bewijs dat de kandidaat over de privacyverklaring is geïnformeerd: het kan niet worden gewijzigd of verwijderd.",
		"This contact moment is the proof that the candidate was informed of the privacy statement: it cannot be changed or deleted.")
	return p.Err()
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
// It is the check of a moment staff record (or import): the proof of
// informing is refused, as only kluis itself writes that.
func (m *ContactMoment) Validate(now time.Time) error {
	p := Problems{}
	if m.CandidateID == 0 {
		p.required("candidate_id")
	}
	p.choice("kind", m.Kind, ContactKinds, true)
	if IsStatementProof(m.Kind) {
		p.Add("kind", "Dat de privacyverklaring is getoond of verstuurd legt kluis zelf vast, met de versie: gebruik daarvoor de knoppen bij Privacyverklaring.",
			"kluis itself records that the privacy statement was shown or sent, with its version: use the buttons under Privacy statement.")
	}
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
