package kluis

import "time"

// Request is a candidate's request to exercise a right of LEGAL.md §3
// (access, rectification, erasure, restriction, objection, portability),
// as the privacy officer registers, verifies, handles and closes it. It is
// the proof of how the request was honoured and in time: it outlives an
// erasure of the candidate, but then without its free texts.
type Request struct {
	TenantID    ID     `json:"-"`
	ID          ID     `json:"id"`
	CandidateID ID     `json:"candidate_id"`
	Kind        string `json:"kind"`
	ReceivedOn  Date   `json:"received_on"`
	Channel     string `json:"channel"`
	// Description is what the candidate asked, in short: personal data.
	Description string `json:"description"`
	// The check of the requester's identity, required before anything is
	// disclosed or erased: how (a closed list), when, by whom.
	VerifiedHow string `json:"verified_how"`
	VerifiedOn  Date   `json:"verified_on"`
	VerifiedBy  ID     `json:"verified_by,omitempty"`
	HandlerID   ID     `json:"handler_id,omitempty"`
	Status      string `json:"status"`
	DueOn       Date   `json:"due_on"`
	// An extension (art. 12(3)): why, when, and when the candidate was told.
	ExtensionReason string `json:"extension_reason"`
	ExtendedOn      Date   `json:"extended_on"`
	NoticeSentOn    Date   `json:"notice_sent_on"`
	Outcome         string `json:"outcome"`
	ClosedOn        Date   `json:"closed_on"`
	// ErasureID is the erasure an erasure request led to; ResidueHits the
	// result of the residue check run right after it.
	ErasureID   ID        `json:"erasure_id,omitempty"`
	ResidueHits *int      `json:"residue_hits,omitempty"`
	UserID      ID        `json:"user_id,omitempty"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
}

// RequestKinds are the rights a candidate may invoke.
var RequestKinds = Choices{
	{"access", Msg{"Inzage (art. 15)", "Access (art. 15)"}},
	{"rectification", Msg{"Rectificatie (art. 16)", "Rectification (art. 16)"}},
	{"erasure", Msg{"Vergetelheid (art. 17)", "Erasure (art. 17)"}},
	{"restriction", Msg{"Beperking (art. 18)", "Restriction (art. 18)"}},
	{"objection", Msg{"Bezwaar (art. 21)", "Objection (art. 21)"}},
	{"portability", Msg{"Overdraagbaarheid (art. 20)", "Portability (art. 20)"}},
}

// RequestChannels are how a request may reach the agency.
var RequestChannels = Choices{
	{"email", Msg{"E-mail", "E-mail"}},
	{"letter", Msg{"Brief", "Letter"}},
	{"phone", Msg{"Telefoon", "Phone"}},
	{"in-person", Msg{"Persoonlijk", "In person"}},
	{"portal", Msg{"Portaal", "Portal"}},
}

// VerificationMethods are how the requester's identity may be checked. The
// list names the method, never the document or its number: no copy of an
// ID is made for a request.
var VerificationMethods = Choices{
	{"id-document-shown", Msg{"Identiteitsbewijs getoond (geen kopie gemaakt)", "ID document shown (no copy made)"}},
	{"known-email", Msg{"Vanaf het bekende e-mailadres", "From the known e-mail address"}},
	{"portal-login", Msg{"Ingelogd in het portaal", "Logged in to the portal"}},
	{"other", Msg{"Anders (zie de toelichting)", "Other (see the description)"}},
}

// RequestStatuses are the states of a request.
var RequestStatuses = Choices{
	{"received", Msg{"Ontvangen", "Received"}},
	{"verified", Msg{"Identiteit gecontroleerd", "Identity verified"}},
	{"in-progress", Msg{"In behandeling", "In progress"}},
	{"extended", Msg{"Verlengd", "Extended"}},
	{"done", Msg{"Afgehandeld", "Done"}},
	{"refused", Msg{"Geweigerd", "Refused"}},
}

// RequestClosings are the states that close a request.
var RequestClosings = Choices{
	{"done", Msg{"Afgehandeld", "Done"}},
	{"refused", Msg{"Geweigerd", "Refused"}},
}

// Request texts and their limits.
const (
	RequestDescriptionMax = 1000
	RequestReasonMax      = 500
	RequestOutcomeMax     = 4000
)

// AddMonths is the day n months after d: the same day number, or the last
// day of the month when it has no such day (31 January + 1 month is 28 or
// 29 February). This is how art. 12(3) periods are counted.
func AddMonths(d Date, n int) Date {
	t := d.Time()
	y, m, day := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return DateOf(first.AddDate(0, 0, min(day, last)-1))
}

// RequestDue is when a request received on d must be answered: one month.
func RequestDue(received Date) Date { return AddMonths(received, 1) }

// Closed reports whether the request is done or refused.
func (q *Request) Closed() bool { return q.Status == "done" || q.Status == "refused" }

// Verified reports whether the requester's identity was checked.
func (q *Request) Verified() bool { return q.VerifiedOn != "" }

// Overdue reports whether the request is open past its due date on today.
func (q *Request) Overdue(today Date) bool { return !q.Closed() && q.DueOn != "" && q.DueOn < today }

// DueWithin reports whether the open request falls due within days of
// today (and is not overdue yet).
func (q *Request) DueWithin(today Date, days int) bool {
	return !q.Closed() && q.DueOn >= today && q.DueOn <= DateOf(today.Time().AddDate(0, 0, days))
}

// Validate normalises a new request in place: it is received, not yet
// verified, and due one month after receipt.
func (q *Request) Validate(today Date) error {
	p := Problems{}
	if q.CandidateID == 0 {
		p.required("candidate_id")
	}
	p.choice("kind", q.Kind, RequestKinds, true)
	p.choice("channel", q.Channel, RequestChannels, true)
	p.text("description", &q.Description, RequestDescriptionMax)
	p.date("received_on", &q.ReceivedOn, false)
	if _, bad := p["received_on"]; !bad {
		if q.ReceivedOn == "" {
			q.ReceivedOn = today
		}
		if q.ReceivedOn > today {
			p.Add("received_on", "Een verzoek kan niet in de toekomst ontvangen zijn.", "A request cannot have been received in the future.")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	q.Status, q.DueOn = "received", RequestDue(q.ReceivedOn)
	q.VerifiedHow, q.VerifiedOn, q.VerifiedBy, q.HandlerID = "", "", 0, 0
	q.ExtensionReason, q.ExtendedOn, q.NoticeSentOn = "", "", ""
	q.Outcome, q.ClosedOn, q.ErasureID, q.ResidueHits = "", "", 0, nil
	return nil
}

func errClosed() error {
	return Errorf(EConflict, "Dit verzoek is al afgesloten.", "This request is closed already.")
}

// Verify records that the requester's identity was checked, how and on
// day on ("" is today), by user.
func (q *Request) Verify(how string, on Date, by ID, today Date) error {
	if q.Closed() {
		return errClosed()
	}
	p := Problems{}
	p.choice("verified_how", how, VerificationMethods, true)
	p.date("verified_on", &on, false)
	if _, bad := p["verified_on"]; !bad {
		if on == "" {
			on = today
		}
		switch {
		case on > today:
			p.Add("verified_on", "Een controle kan niet in de toekomst liggen.", "A check cannot be in the future.")
		case on < q.ReceivedOn:
			p.Add("verified_on", "De controle ligt voor de ontvangst van het verzoek.", "The check is before the request was received.")
		}
	}
	if q.Verified() {
		p.Add("verified_how", "De identiteit is al gecontroleerd op "+string(q.VerifiedOn)+".", "The identity was verified already on "+string(q.VerifiedOn)+".")
	}
	if err := p.Err(); err != nil {
		return err
	}
	q.VerifiedHow, q.VerifiedOn, q.VerifiedBy = how, on, by
	if q.Status == "received" {
		q.Status = "verified"
	}
	return nil
}

// Assign makes a staff member the handler of the request.
func (q *Request) Assign(handler ID) error {
	if q.Closed() {
		return errClosed()
	}
	if handler == 0 {
		p := Problems{}
		p.required("handler_id")
		return p.Err()
	}
	q.HandlerID = handler
	if q.Status == "verified" {
		q.Status = "in-progress"
	}
	return nil
}

// Extend extends the deadline by two further months (art. 12(3)): once,
// within the first month, with a reason, and only when the notice to the
// candidate is recorded (notice, "" is not allowed: the notice must have
// been sent).
func (q *Request) Extend(reason string, notice, today Date) error {
	if q.Closed() {
		return errClosed()
	}
	p := Problems{}
	first := RequestDue(q.ReceivedOn)
	switch {
	case q.ExtendedOn != "":
		p.Add("extension_reason", "Dit verzoek is al verlengd op "+string(q.ExtendedOn)+"; dat kan maar één keer.",
			"This request was extended already on "+string(q.ExtendedOn)+"; that is possible once only.")
	case today > first:
		p.Add("extension_reason", "Verlengen kan alleen binnen de eerste maand, tot en met "+string(first)+".",
			"An extension is only possible within the first month, up to and including "+string(first)+".")
	}
	p.line("extension_reason", &reason, RequestReasonMax, true)
	p.date("notice_sent_on", &notice, true)
	if _, bad := p["notice_sent_on"]; !bad {
		switch {
		case notice > today:
			p.Add("notice_sent_on", "Het bericht aan de kandidaat kan niet in de toekomst verstuurd zijn.", "The notice to the candidate cannot have been sent in the future.")
		case notice < q.ReceivedOn:
			p.Add("notice_sent_on", "Het bericht ligt voor de ontvangst van het verzoek.", "The notice is before the request was received.")
		case notice > first:
			p.Add("notice_sent_on", "De kandidaat moet binnen de eerste maand worden bericht, uiterlijk "+string(first)+".",
				"The candidate must be told within the first month, by "+string(first)+".")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	q.ExtensionReason, q.NoticeSentOn, q.ExtendedOn = reason, notice, today
	q.DueOn, q.Status = AddMonths(first, 2), "extended"
	return nil
}

// Close closes the request as done or refused, with its outcome. A request
// is only done once the requester's identity was verified; a refusal
// (manifestly unfounded, identity not established) needs no verification.
func (q *Request) Close(status, outcome string, today Date) error {
	if q.Closed() {
		return errClosed()
	}
	p := Problems{}
	switch status {
	case "done":
		if !q.Verified() {
			p.Add("status", "Controleer eerst de identiteit van de aanvrager.", "Verify the requester's identity first.")
		}
	default:
		p.choice("status", status, RequestClosings, true)
	}
	p.text("outcome", &outcome, RequestOutcomeMax)
	if _, bad := p["outcome"]; !bad && outcome == "" {
		p.required("outcome")
	}
	if err := p.Err(); err != nil {
		return err
	}
	q.Status, q.Outcome, q.ClosedOn = status, outcome, today
	return nil
}

// ReadyToErase reports, as a field error, why an erasure request cannot
// erase yet: it is not an erasure request, it is closed, or the
// requester's identity is not verified.
func (q *Request) ReadyToErase() error {
	if q.Closed() {
		return errClosed()
	}
	p := Problems{}
	switch {
	case q.Kind != "erasure":
		p.Add("kind", "Alleen een verzoek om vergetelheid wist gegevens.", "Only an erasure request erases data.")
	case !q.Verified():
		p.Add("verified_how", "Controleer eerst de identiteit van de aanvrager; pas daarna wordt er iets gewist.",
			"Verify the requester's identity first; nothing is erased before that.")
	}
	return p.Err()
}
