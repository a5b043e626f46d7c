package kluis

import "time"

// LegalHold stops every retention expiry of a candidate's data while it
// lasts (LEGAL.md §1): a dispute, a tax audit, a court case, or a
// restriction on ground (c) of art. 18. It is never deleted: it is ended,
// by setting its end date, and kept as proof of why data outlived their
// term.
type LegalHold struct {
	TenantID    ID     `json:"-"`
	ID          ID     `json:"id"`
	CandidateID ID     `json:"candidate_id"`
	Kind        string `json:"kind"`
	// Reason is a short reference (a case or file number, the authority):
	// no personal data are asked for.
	Reason    string    `json:"reason"`
	StartDate Date      `json:"start_date"`
	EndDate   Date      `json:"end_date"` // "" while it lasts
	UserID    ID        `json:"user_id,omitempty"`
	EndedBy   ID        `json:"ended_by,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

// HoldKinds are the reasons data may be kept past their term.
var HoldKinds = Choices{
	{"dispute", Msg{"Geschil", "Dispute"}},
	{"tax-audit", Msg{"Belastingcontrole", "Tax audit"}},
	{"court-case", Msg{"Rechtszaak", "Court case"}},
	{"restriction-c", Msg{"Beperking op grond (c): de kandidaat heeft de gegevens nodig voor een rechtsvordering",
		"Restriction on ground (c): the candidate needs the data for a legal claim"}},
}

// Lasts reports whether the hold still stops expiry on day d.
func (h *LegalHold) Lasts(d Date) bool { return h.EndDate == "" || h.EndDate >= d }

// Validate normalises a new hold in place; today bounds its start.
func (h *LegalHold) Validate(today Date) error {
	p := Problems{}
	if h.CandidateID == 0 {
		p.required("candidate_id")
	}
	p.choice("kind", h.Kind, HoldKinds, true)
	p.line("reason", &h.Reason, 200, true)
	p.date("start_date", &h.StartDate, false)
	if _, bad := p["start_date"]; !bad {
		if h.StartDate == "" {
			h.StartDate = today
		}
		if h.StartDate > today {
			p.Add("start_date", "Een bewaarplicht kan niet in de toekomst beginnen.", "A legal hold cannot start in the future.")
		}
	}
	p.date("end_date", &h.EndDate, false)
	if _, bad := p["end_date"]; !bad && h.EndDate != "" && h.EndDate < h.StartDate {
		p.Add("end_date", "De einddatum ligt voor de begindatum.", "The end date is before the start date.")
	}
	return p.Err()
}

// End sets the end date of a hold that lasts; end "" is today.
func (h *LegalHold) End(end, today Date) error {
	p := Problems{}
	p.date("end_date", &end, false)
	if _, bad := p["end_date"]; bad {
		return p.Err()
	}
	if end == "" {
		end = today
	}
	switch {
	case h.EndDate != "" && h.EndDate <= today:
		p.Add("end_date", "Deze bewaarplicht is al beëindigd op "+string(h.EndDate)+".", "This legal hold already ended on "+string(h.EndDate)+".")
	case end < h.StartDate:
		p.Add("end_date", "De einddatum ligt voor de begindatum.", "The end date is before the start date.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	h.EndDate = end
	return nil
}

// Consent is a candidate's consent to keep their data longer than R1 or R3
// allow (never R2, never the minimums: LEGAL.md §1), with its proof: when,
// through which channel, the wording agreed to, until when, and who
// recorded it. It is also a contact moment of kind "consent" in the
// candidate's history. A withdrawn consent extends nothing from the day it
// was withdrawn.
type Consent struct {
	TenantID    ID     `json:"-"`
	ID          ID     `json:"id"`
	CandidateID ID     `json:"candidate_id"`
	Channel     string `json:"channel"`
	// Wording is the version or text of what the candidate agreed to.
	Wording         string    `json:"wording"`
	GivenOn         Date      `json:"given_on"`
	ValidUntil      Date      `json:"valid_until"`
	WithdrawnOn     Date      `json:"withdrawn_on"` // "" while it stands
	ContactMomentID ID        `json:"contact_moment_id,omitempty"`
	UserID          ID        `json:"user_id,omitempty"`
	WithdrawnBy     ID        `json:"withdrawn_by,omitempty"`
	Version         int64     `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
}

// ConsentChannels are how a consent may have been given.
var ConsentChannels = Choices{
	{"email", Msg{"E-mail", "E-mail"}},
	{"phone", Msg{"Telefoon", "Phone"}},
	{"in-person", Msg{"Persoonlijk", "In person"}},
	{"portal", Msg{"Portaal", "Portal"}},
	{"letter", Msg{"Brief", "Letter"}},
}

// ConsentMaxYears is how far ahead of the day it is recorded a consent may
// run: a consent for longer is no longer specific (GDPR art. 4(11)), and
// the candidate can be asked again.
const ConsentMaxYears = 2

// Validate normalises a new consent in place; today bounds its dates.
func (c *Consent) Validate(today Date) error {
	p := Problems{}
	if c.CandidateID == 0 {
		p.required("candidate_id")
	}
	p.choice("channel", c.Channel, ConsentChannels, true)
	p.line("wording", &c.Wording, 300, true)
	p.date("given_on", &c.GivenOn, false)
	if _, bad := p["given_on"]; !bad {
		if c.GivenOn == "" {
			c.GivenOn = today
		}
		if c.GivenOn > today {
			p.Add("given_on", "Een toestemming kan niet in de toekomst gegeven zijn.", "A consent cannot have been given in the future.")
		}
	}
	p.date("valid_until", &c.ValidUntil, true)
	limit := DateOf(today.Time().AddDate(ConsentMaxYears, 0, 0))
	if _, bad := p["valid_until"]; !bad {
		switch {
		case c.ValidUntil <= today:
			p.Add("valid_until", "De einddatum moet na vandaag liggen.", "The end date must be after today.")
		case c.ValidUntil > limit:
			p.Add("valid_until", "Hooguit 2 jaar vooruit: uiterlijk "+string(limit)+".", "At most 2 years ahead: "+string(limit)+" at the latest.")
		}
	}
	if c.WithdrawnOn != "" {
		p.Add("withdrawn_on", "Een nieuwe toestemming is niet ingetrokken.", "A new consent is not withdrawn.")
	}
	return p.Err()
}

// Withdraw records that the candidate withdrew the consent on day on ("" is
// today).
func (c *Consent) Withdraw(on, today Date) error {
	p := Problems{}
	p.date("withdrawn_on", &on, false)
	if _, bad := p["withdrawn_on"]; bad {
		return p.Err()
	}
	if on == "" {
		on = today
	}
	switch {
	case c.WithdrawnOn != "":
		p.Add("withdrawn_on", "Deze toestemming is al ingetrokken op "+string(c.WithdrawnOn)+".", "This consent was already withdrawn on "+string(c.WithdrawnOn)+".")
	case on > today:
		p.Add("withdrawn_on", "Een intrekking kan niet in de toekomst liggen.", "A withdrawal cannot be in the future.")
	case on < c.GivenOn:
		p.Add("withdrawn_on", "De datum ligt voor de dag waarop de toestemming is gegeven.", "The date is before the day the consent was given.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	c.WithdrawnOn = on
	return nil
}

// Stands reports whether the consent still extends retention on day d.
func (c *Consent) Stands(d Date) bool { return c.WithdrawnOn == "" || c.WithdrawnOn > d }
