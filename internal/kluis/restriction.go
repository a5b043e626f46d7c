package kluis

import (
	"strconv"
	"strings"
	"time"
)

// Restriction is a restriction of processing under art. 18 GDPR: while it
// lasts, the candidate's data are only stored — not used, changed or
// deleted — except with a recorded reason of art. 18(2) (Override). It is
// lifted only after the candidate was informed (art. 18(3)).
//
// It is not the restriction of Candidate.Restricted (RestrictedLegalMinimum),
// which a staged erasure leaves and which hides the candidate from most
// staff: an art. 18 restriction keeps the candidate visible to whoever saw
// them, with a banner.
type Restriction struct {
	TenantID    ID     `json:"-"`
	ID          ID     `json:"id"`
	CandidateID ID     `json:"candidate_id"`
	Ground      string `json:"ground"`
	StartedOn   Date   `json:"started_on"`
	// Note is why, in short: personal data, emptied by an erasure.
	Note      string `json:"note"`
	RequestID ID     `json:"request_id,omitempty"`
	UserID    ID     `json:"user_id,omitempty"`
	// Outcome of the objection a ground (d) restriction waits for.
	Outcome   string `json:"outcome"`
	DecidedOn Date   `json:"decided_on"`
	// The candidate informed before the lifting (art. 18(3)): when, how,
	// by whom; NoticeID is the outbox message of an e-mail.
	InformedOn  Date      `json:"informed_on"`
	InformedHow string    `json:"informed_how"`
	InformedBy  ID        `json:"informed_by,omitempty"`
	NoticeID    ID        `json:"notice_id,omitempty"`
	LiftedOn    Date      `json:"lifted_on"`
	LiftedBy    ID        `json:"lifted_by,omitempty"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
}

// RestrictionGrounds are the grounds of art. 18(1).
var RestrictionGrounds = Choices{
	{"accuracy", Msg{"(a) Juistheid betwist", "(a) Accuracy contested"}},
	{"unlawful", Msg{"(b) Onrechtmatig, maar de kandidaat wil geen wissing", "(b) Unlawful, but the candidate opposes erasure"}},
	{"legal-claim", Msg{"(c) Nodig voor een rechtsvordering van de kandidaat", "(c) Needed by the candidate for a legal claim"}},
	{"objection", Msg{"(d) Bezwaar in behandeling", "(d) Objection pending"}},
}

// OverrideReasons are the grounds of art. 18(2) on which a restricted
// candidate's data may be processed anyway.
var OverrideReasons = Choices{
	{"consent", Msg{"Toestemming van de kandidaat", "Consent of the candidate"}},
	{"legal-claim", Msg{"Instelling, uitoefening of onderbouwing van een rechtsvordering", "Establishment, exercise or defence of a legal claim"}},
	{"protect-others", Msg{"Bescherming van de rechten van een ander", "Protection of the rights of another person"}},
	{"public-interest", Msg{"Gewichtige redenen van algemeen belang", "Important reasons of public interest"}},
}

// InformMethods are how a candidate may be informed of a lifting.
var InformMethods = Choices{
	{"email", Msg{"E-mail (via kluis)", "E-mail (through kluis)"}},
	{"letter", Msg{"Brief", "Letter"}},
	{"phone", Msg{"Telefoon", "Phone"}},
}

// ObjectionOutcomes are the outcomes of an objection (art. 21).
var ObjectionOutcomes = Choices{
	{"upheld", Msg{"Gegrond: de verwerking voor dat doel stopt (wissing volgt)", "Upheld: processing for that purpose stops (erasure follows)"}},
	{"rejected", Msg{"Ongegrond: dwingende gerechtvaardigde gronden gaan voor", "Rejected: compelling legitimate grounds prevail"}},
}

// Restriction texts and their limits.
const (
	RestrictionNoteMax = 1000
	OverrideNoteMax    = 500
)

// Active reports whether the restriction still lasts.
func (x *Restriction) Active() bool { return x.LiftedOn == "" }

// Validate normalises a new restriction in place: it starts on StartedOn
// ("" is today), never in the future.
func (x *Restriction) Validate(today Date) error {
	p := Problems{}
	if x.CandidateID == 0 {
		p.required("candidate_id")
	}
	p.choice("ground", x.Ground, RestrictionGrounds, true)
	p.text("note", &x.Note, RestrictionNoteMax)
	p.date("started_on", &x.StartedOn, false)
	if _, bad := p["started_on"]; !bad {
		if x.StartedOn == "" {
			x.StartedOn = today
		}
		if x.StartedOn > today {
			p.Add("started_on", "Een beperking kan niet in de toekomst beginnen.", "A restriction cannot start in the future.")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	x.Outcome, x.DecidedOn = "", ""
	x.InformedOn, x.InformedHow, x.InformedBy, x.NoticeID, x.LiftedOn, x.LiftedBy = "", "", 0, 0, "", 0
	return nil
}

func errLifted() error {
	return Errorf(EConflict, "Deze beperking is al opgeheven.", "This restriction was lifted already.")
}

// Inform records that the candidate was told, on day on ("" is today), how,
// by user, that the restriction will be lifted.
func (x *Restriction) Inform(how string, on Date, by ID, today Date) error {
	if !x.Active() {
		return errLifted()
	}
	p := Problems{}
	p.choice("informed_how", how, InformMethods, true)
	p.date("informed_on", &on, false)
	if _, bad := p["informed_on"]; !bad {
		if on == "" {
			on = today
		}
		switch {
		case on > today:
			p.Add("informed_on", "Dat kan niet in de toekomst liggen.", "That cannot be in the future.")
		case on < x.StartedOn:
			p.Add("informed_on", "Dat ligt voor het begin van de beperking.", "That is before the restriction started.")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	x.InformedHow, x.InformedOn, x.InformedBy = how, on, by
	return nil
}

// Decide records the outcome of the objection a ground (d) restriction
// waits for.
func (x *Restriction) Decide(outcome string, today Date) error {
	if !x.Active() {
		return errLifted()
	}
	p := Problems{}
	if x.Ground != "objection" {
		p.Add("outcome", "Alleen een beperking wegens bezwaar (grond d) krijgt een uitkomst.", "Only a restriction for an objection (ground d) gets an outcome.")
	} else if x.Outcome != "" {
		p.Add("outcome", "De uitkomst is al vastgelegd.", "The outcome is recorded already.")
	}
	p.choice("outcome", outcome, ObjectionOutcomes, true)
	if err := p.Err(); err != nil {
		return err
	}
	x.Outcome, x.DecidedOn = outcome, today
	return nil
}

// Lift lifts the restriction, by user: only once the candidate was
// informed (art. 18(3)), and a restriction for an objection only once its
// outcome is recorded. sent reports whether the notice e-mail, when that
// is how the candidate was informed, has left the outbox.
func (x *Restriction) Lift(by ID, sent bool, today Date) error {
	if !x.Active() {
		return errLifted()
	}
	p := Problems{}
	switch {
	case x.InformedOn == "":
		p.Add("informed_how", "Informeer de kandidaat eerst dat de beperking wordt opgeheven (art. 18 lid 3 AVG).",
			"Inform the candidate first that the restriction will be lifted (art. 18(3) GDPR).")
	case x.InformedHow == "email" && !sent:
		p.Add("informed_how", "Het bericht aan de kandidaat is nog niet verstuurd; hef de beperking op zodra het verstuurd is.",
			"The notice to the candidate has not been sent yet; lift the restriction once it has.")
	case x.Ground == "objection" && x.Outcome == "":
		p.Add("outcome", "Leg eerst de uitkomst van het bezwaar vast.", "Record the outcome of the objection first.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	x.LiftedOn, x.LiftedBy = today, by
	return nil
}

// Override is processing anyway of a restricted candidate's data (art.
// 18(2)): the reason from OverrideReasons and a note. A write that carries
// one is recorded with it.
type Override struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// Validate checks the override in place.
func (o *Override) Validate() error {
	p := Problems{}
	p.choice("override_reason", o.Reason, OverrideReasons, true)
	p.line("override_note", &o.Note, OverrideNoteMax, true)
	return p.Err()
}

// MayProcessAnyway reports whether a role may process a restricted
// candidate's data anyway, with a recorded reason: the privacy officer and
// the branch manager, who answer for that judgement.
func MayProcessAnyway(r Role) bool { return r == RolePrivacy || r == RoleManager }

// ErrProcessingRestricted is the answer to a use, change or deletion of a
// candidate whose processing is restricted (art. 18).
func ErrProcessingRestricted() *Error {
	m := Msg{"De verwerking van de gegevens van deze kandidaat is beperkt (art. 18 AVG): ze worden alleen bewaard. Niet gebruiken, wijzigen of wissen, tenzij met een vastgelegde reden van art. 18 lid 2.",
		"Processing of this candidate's data is restricted (art. 18 GDPR): they are only stored. They cannot be used, changed or erased, except with a recorded reason of art. 18(2)."}
	return &Error{Code: EConflict, Message: m, Fields: map[string]Msg{"restriction": m}}
}

// SupplementaryStatement is what a candidate adds to their data (art. 16):
// kept with them, shown with their data and in the record card.
type SupplementaryStatement struct {
	TenantID    ID        `json:"-"`
	ID          ID        `json:"id"`
	CandidateID ID        `json:"candidate_id"`
	RequestID   ID        `json:"request_id,omitempty"`
	Body        string    `json:"body"`
	UserID      ID        `json:"user_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// SupplementaryStatementMax bounds a statement.
const SupplementaryStatementMax = 4000

// Rectification is what a rectification request changed: the names of the
// fields (never their values) and the statement it added.
type Rectification struct {
	TenantID    ID        `json:"-"`
	ID          ID        `json:"id"`
	RequestID   ID        `json:"request_id"`
	CandidateID ID        `json:"candidate_id"`
	Fields      []string  `json:"fields"`
	StatementID ID        `json:"statement_id,omitempty"`
	UserID      ID        `json:"user_id,omitempty"`
	At          time.Time `json:"at"`
}

// RecipientNotice is a notice of a rectification, erasure or restriction
// to an organisation that received the candidate's data (art. 19), or to
// the candidate of the organisations that were told (ToCandidate).
type RecipientNotice struct {
	TenantID    ID     `json:"-"`
	ID          ID     `json:"id"`
	RequestID   ID     `json:"request_id"`
	CandidateID ID     `json:"candidate_id"`
	ToCandidate bool   `json:"to_candidate"`
	ClientID    ID     `json:"client_id,omitempty"`
	Recipient   string `json:"recipient"`
	About       string `json:"about"`
	Channel     string `json:"channel"`
	OutboxID    ID     `json:"outbox_id,omitempty"`
	// SentOn is when a letter was sent, or when the e-mail left the outbox.
	SentOn    Date      `json:"sent_on"`
	UserID    ID        `json:"user_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// State is the outbox's state of an e-mail (pending, sending, sent,
	// failed), "sent" for a letter; filled by the store.
	State string `json:"state"`
}

// NoticeChannels are how a recipient is told.
var NoticeChannels = Choices{
	{"email", Msg{"E-mail (via kluis)", "E-mail (through kluis)"}},
	{"letter", Msg{"Brief (verstuurd buiten kluis)", "Letter (sent outside kluis)"}},
}

// NoticeSubjects are what a recipient is told of: the request kinds that
// art. 19 names.
var NoticeSubjects = Choices{
	{"rectification", Msg{"Rectificatie", "Rectification"}},
	{"erasure", Msg{"Wissing", "Erasure"}},
	{"restriction", Msg{"Beperking", "Restriction"}},
}

// NoticeAbout is what the notices of a request of kind tell recipients:
// an objection's restriction is a restriction; "" when the kind needs no
// notices.
func NoticeAbout(kind string) string {
	switch kind {
	case "rectification", "erasure", "restriction":
		return kind
	case "objection":
		return "restriction"
	}
	return ""
}

// RecipientKey names a recipient in the disclosure register: a client by
// its id, another organisation by its name.
func RecipientKey(client ID, recipient string) string {
	if client != 0 {
		return "client:" + strconv.FormatInt(client, 10)
	}
	return "name:" + strings.ToLower(strings.TrimSpace(recipient))
}
