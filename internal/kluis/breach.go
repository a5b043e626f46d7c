package kluis

import (
	"slices"
	"strings"
	"time"
)

// Breach is one entry of the agency's data breach register (GDPR art. 33
// and 34): what happened, which data and how many candidates it concerns,
// what it may lead to, what was done about it, whether it was reported to
// the Autoriteit Persoonsgegevens (AP) — within 72 hours of discovery, or
// why not — and whether the candidates concerned were told. Any staff
// member may report a suspected breach; the privacy officer keeps the
// register. It is the agency's own accountability record (art. 33(5)):
// it names candidates only by id, in BreachCandidate.
type Breach struct {
	TenantID ID `json:"-"`
	ID       ID `json:"id"`
	// Title is a short name for the breach ("laptop lost on the train").
	Title string `json:"title"`
	// DiscoveredAt is when the agency became aware of it: the 72-hour
	// clock of art. 33(1) runs from here.
	DiscoveredAt time.Time `json:"discovered_at"`
	Facts        string    `json:"facts"`
	// Categories are the kinds of personal data involved
	// (BreachCategories, the catalogue's categories).
	Categories []string `json:"categories"`
	// AffectedCount is how many candidates it concerns: at least those
	// linked by id, more when not all are known yet (an estimate).
	AffectedCount int    `json:"affected_count"`
	Effects       string `json:"effects"`
	Measures      string `json:"measures"`
	Risk          string `json:"risk"`
	// The decision of art. 33: reported to the AP (when, under which
	// reference), or not, with the reason (art. 33(5)); a report after
	// the 72 hours needs the reason of the delay too (art. 33(1)).
	Decision       string     `json:"decision"`
	DecisionReason string     `json:"decision_reason"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	DecidedBy      ID         `json:"decided_by,omitempty"`
	APReportedAt   *time.Time `json:"ap_reported_at,omitempty"`
	APReference    string     `json:"ap_reference"`
	// Art. 34: whether the candidates concerned are told, and why not.
	InformDecision string `json:"inform_decision"`
	InformReason   string `json:"inform_reason"`
	// NoticeText is the message last sent to the candidates concerned.
	NoticeText string     `json:"notice_text"`
	Status     string     `json:"status"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	ReportedBy ID         `json:"reported_by,omitempty"`
	Version    int64      `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
}

// BreachCandidate links a candidate, by id, to a breach that concerns
// them, with how and when they were told of it (art. 34).
type BreachCandidate struct {
	TenantID    ID         `json:"-"`
	BreachID    ID         `json:"breach_id"`
	CandidateID ID         `json:"candidate_id"`
	AddedAt     time.Time  `json:"added_at"`
	AddedBy     ID         `json:"added_by,omitempty"`
	InformedVia string     `json:"informed_via"`
	InformedAt  *time.Time `json:"informed_at,omitempty"`
}

// BreachReportWindow is the time art. 33(1) gives to report a breach to
// the AP: 72 hours from discovery.
const BreachReportWindow = 72 * time.Hour

// Breach texts and their limits.
const (
	BreachTitleMax     = 200
	BreachTextMax      = 10000
	BreachReferenceMax = 100
	BreachAffectedMax  = 100_000_000
	// BreachLinkMax is how many candidates one call may link.
	BreachLinkMax = 5000
)

// BreachCategories are the kinds of personal data a breach may involve:
// the catalogue's categories of candidate data, and the staff's log-in
// data.
var BreachCategories = append(append(Choices{}, DataCategories...), Choice{"account", Msg{"Inloggegevens van medewerkers", "Staff log-in data"}})

// BreachRisks is the assessment of art. 33(1) and 34(1).
var BreachRisks = Choices{
	{"none", Msg{"Geen risico waarschijnlijk", "No risk likely"}},
	{"risk", Msg{"Risico", "A risk"}},
	{"high", Msg{"Hoog risico", "A high risk"}},
}

// BreachDecisions are the decisions of art. 33.
var BreachDecisions = Choices{
	{"report", Msg{"Gemeld bij de Autoriteit Persoonsgegevens", "Reported to the Dutch DPA (AP)"}},
	{"no-report", Msg{"Niet gemeld: geen risico waarschijnlijk", "Not reported: no risk likely"}},
	{"no-breach", Msg{"Geen datalek na onderzoek", "Not a personal data breach after all"}},
}

// BreachInformDecisions are the decisions of art. 34.
var BreachInformDecisions = Choices{
	{"inform", Msg{"Betrokkenen worden geïnformeerd", "The people concerned are told"}},
	{"not-required", Msg{"Niet nodig: geen hoog risico", "Not required: no high risk"}},
	{"exception", Msg{"Uitzondering van art. 34 lid 3 (met reden)", "An exception of art. 34(3) (with the reason)"}},
}

// BreachStatuses are the states of a breach.
var BreachStatuses = Choices{
	{"open", Msg{"Open", "Open"}},
	{"closed", Msg{"Afgesloten", "Closed"}},
}

// BreachNoticeChannels are how candidates are told of a breach.
var BreachNoticeChannels = Choices{
	{"letter", Msg{"Brief", "Letter"}},
	{"email", Msg{"E-mail", "E-mail"}},
}

// BreachClock is the state of the 72-hour clock at one moment.
type BreachClock struct {
	Deadline time.Time
	// Running: no decision yet. Overdue: running with the deadline
	// reached. Soon: running with less than a day left.
	Running, Overdue, Soon bool
	// Left is the time left while running (0 once overdue); Late how far
	// past the deadline an overdue clock is.
	Left, Late time.Duration
	// Once decided the clock stands still: StoppedAt is the moment that
	// counts (the report to the AP, or the decision not to report) and
	// InTime whether it lay within the 72 hours.
	StoppedAt *time.Time
	InTime    bool
	// Reported: the moment that stopped it is the report to the AP.
	Reported bool
}

// Deadline is 72 hours after discovery.
func (b *Breach) Deadline() time.Time { return b.DiscoveredAt.Add(BreachReportWindow) }

// Decided reports whether the decision of art. 33 is recorded.
func (b *Breach) Decided() bool { return b.Decision != "" }

// Closed reports whether the breach is closed.
func (b *Breach) Closed() bool { return b.Status == "closed" }

// Clock is the 72-hour clock at now. It runs until the decision is
// recorded; at the deadline itself it is overdue (no time is left), while
// a report made at that very moment is still in time.
func (b *Breach) Clock(now time.Time) BreachClock {
	c := BreachClock{Deadline: b.Deadline()}
	if b.Decided() {
		at := b.DecidedAt
		if b.Decision == "report" && b.APReportedAt != nil {
			at, c.Reported = b.APReportedAt, true
		}
		c.StoppedAt = at
		c.InTime = at != nil && !at.After(c.Deadline)
		return c
	}
	c.Running = true
	if now.Before(c.Deadline) {
		c.Left = c.Deadline.Sub(now)
		c.Soon = c.Left < 24*time.Hour
	} else {
		c.Overdue, c.Late = true, now.Sub(c.Deadline)
	}
	return c
}

// Validate normalises the breach's description in place (everything but
// the decisions, which have steps of their own); now bounds the discovery.
func (b *Breach) Validate(now time.Time) error {
	p := Problems{}
	p.line("title", &b.Title, BreachTitleMax, true)
	if b.DiscoveredAt.IsZero() {
		p.required("discovered_at")
	} else {
		b.DiscoveredAt = b.DiscoveredAt.UTC().Truncate(time.Second)
		if b.DiscoveredAt.After(now.Add(5 * time.Minute)) {
			p.Add("discovered_at", "Een datalek kan niet in de toekomst ontdekt zijn.", "A breach cannot have been discovered in the future.")
		}
	}
	p.text("facts", &b.Facts, BreachTextMax)
	if _, bad := p["facts"]; !bad && b.Facts == "" {
		p.required("facts")
	}
	var cats []string
	for _, c := range b.Categories {
		c = strings.TrimSpace(c)
		if !BreachCategories.Has(c) {
			p.Add("categories", "Onbekende soort gegevens: kies uit "+strings.Join(BreachCategories.Values(), ", ")+".",
				"Unknown kind of data: choose from "+strings.Join(BreachCategories.Values(), ", ")+".")
			continue
		}
		if !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	b.Categories = cats
	if b.Categories == nil {
		b.Categories = []string{}
	}
	if b.AffectedCount < 0 || b.AffectedCount > BreachAffectedMax {
		p.Add("affected_count", "Geef een aantal van 0 of meer.", "Give a number of 0 or more.")
	}
	p.text("effects", &b.Effects, BreachTextMax)
	p.text("measures", &b.Measures, BreachTextMax)
	p.choice("risk", b.Risk, BreachRisks, false)
	p.choice("inform_decision", b.InformDecision, BreachInformDecisions, false)
	p.text("inform_reason", &b.InformReason, BreachTextMax)
	if _, bad := p["inform_reason"]; !bad && b.InformDecision == "exception" && b.InformReason == "" {
		p.Add("inform_reason", "Geef aan welke uitzondering van art. 34 lid 3 geldt, en waarom.", "Say which exception of art. 34(3) applies, and why.")
	}
	if b.InformDecision == "not-required" && b.Risk == "high" {
		p.Add("inform_decision", "Bij een hoog risico moeten de betrokkenen worden geïnformeerd, tenzij een uitzondering geldt.",
			"With a high risk the people concerned must be told, unless an exception applies.")
	}
	return p.Err()
}

func errBreachClosed() error {
	return Errorf(EConflict, "Dit datalek is al afgesloten.", "This breach is closed already.")
}

// Decide records the decision of art. 33 at now, by user: reported to the
// AP at reportedAt under reference, or not reported (no risk likely, or no
// breach after all) for reason. A report after the 72 hours needs the
// reason of the delay. Once reported the decision stands; a decision not
// to report may still become a report when new facts come to light.
func (b *Breach) Decide(decision string, reportedAt *time.Time, reference, reason string, by ID, now time.Time) error {
	if b.Closed() {
		return errBreachClosed()
	}
	p := Problems{}
	if b.Decision == "report" {
		p.Add("decision", "Het datalek is al gemeld bij de AP.", "The breach was reported to the AP already.")
		return p.Err()
	}
	p.choice("decision", decision, BreachDecisions, true)
	if b.Decided() && decision != "report" {
		p.Add("decision", "Het besluit is al vastgelegd; alleen melden bij de AP kan nog.", "The decision is recorded already; only a report to the AP is still possible.")
	}
	p.text("decision_reason", &reason, BreachTextMax)
	p.line("ap_reference", &reference, BreachReferenceMax, false)
	switch decision {
	case "report":
		if reportedAt == nil || reportedAt.IsZero() {
			p.required("ap_reported_at")
		} else {
			t := reportedAt.UTC().Truncate(time.Second)
			reportedAt = &t
			switch {
			case t.After(now.Add(5 * time.Minute)):
				p.Add("ap_reported_at", "Een melding kan niet in de toekomst liggen.", "A report cannot be in the future.")
			case t.Before(b.DiscoveredAt):
				p.Add("ap_reported_at", "De melding ligt voor de ontdekking van het datalek.", "The report is before the breach was discovered.")
			case t.After(b.Deadline()):
				if _, bad := p["decision_reason"]; !bad && reason == "" {
					p.Add("decision_reason", "De melding is later dan 72 uur na de ontdekking: geef de reden van de vertraging (art. 33 lid 1).",
						"The report is later than 72 hours after discovery: give the reason for the delay (art. 33(1)).")
				}
			}
		}
		if _, bad := p["ap_reference"]; !bad && reference == "" {
			p.required("ap_reference")
		}
		if b.Risk == "none" {
			p.Add("decision", "De beoordeling zegt: geen risico. Pas de beoordeling aan als u toch meldt.",
				"The assessment says: no risk. Change the assessment if you report after all.")
		}
	case "no-report", "no-breach":
		if _, bad := p["decision_reason"]; !bad && reason == "" {
			p.Add("decision_reason", "Leg vast waarom niet wordt gemeld (art. 33 lid 5).", "Record why it is not reported (art. 33(5)).")
		}
		if decision == "no-report" && (b.Risk == "risk" || b.Risk == "high") {
			p.Add("decision", "De beoordeling zegt dat er een risico is: dan moet het datalek worden gemeld.",
				"The assessment says there is a risk: then the breach must be reported.")
		}
		reportedAt, reference = nil, ""
	}
	if err := p.Err(); err != nil {
		return err
	}
	at := now.UTC().Truncate(time.Second)
	b.Decision, b.DecisionReason, b.APReportedAt, b.APReference, b.DecidedAt, b.DecidedBy = decision, reason, reportedAt, reference, &at, by
	if decision == "no-report" && b.Risk == "" {
		b.Risk = "none"
	}
	return nil
}

// Close closes the breach: the decision of art. 33 is recorded, and with a
// high risk also whether the candidates are told.
func (b *Breach) Close(now time.Time) error {
	if b.Closed() {
		return errBreachClosed()
	}
	p := Problems{}
	if !b.Decided() {
		p.Add("decision", "Leg eerst vast of het datalek is gemeld bij de AP.", "Record first whether the breach was reported to the AP.")
	}
	if b.Risk == "high" && b.InformDecision == "" {
		p.Add("inform_decision", "Leg eerst vast of de betrokkenen worden geïnformeerd (art. 34).", "Record first whether the people concerned are told (art. 34).")
	}
	if err := p.Err(); err != nil {
		return err
	}
	at := now.UTC().Truncate(time.Second)
	b.Status, b.ClosedAt = "closed", &at
	return nil
}

// BreachLetter is the letter (a PDF) kluis wrote to a candidate concerned
// by a breach (art. 34(2)), kept with the breach. Its content names the
// candidate and is sealed with their key; an erasure empties it and keeps
// the row as the proof that it was sent.
type BreachLetter struct {
	TenantID    ID         `json:"-"`
	ID          ID         `json:"id"`
	BreachID    ID         `json:"breach_id"`
	CandidateID ID         `json:"candidate_id"`
	Lang        string     `json:"lang"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256"`
	ErasedAt    *time.Time `json:"erased_at,omitempty"`
	UserID      ID         `json:"user_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}
