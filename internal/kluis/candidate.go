package kluis

import (
	"strings"
	"time"
)

// Candidate is a person registered with the agency: the data subject whose
// data kluis exists to protect.
type Candidate struct {
	TenantID            ID     `json:"-"`
	ID                  ID     `json:"id"`
	BranchID            ID     `json:"branch_id"`
	Status              string `json:"status"`
	Initials            string `json:"initials"`
	FirstName           string `json:"first_name"`
	Prefix              string `json:"prefix"`
	LastName            string `json:"last_name"`
	DateOfBirth         Date   `json:"date_of_birth"`
	Nationality         string `json:"nationality"`
	Email               string `json:"email"`
	Phone               string `json:"phone"`
	Street              string `json:"street"`
	HouseNumber         string `json:"house_number"`
	HouseNumberAddition string `json:"house_number_addition"`
	Postcode            string `json:"postcode"`
	City                string `json:"city"`
	Country             string `json:"country"`
	BSN                 string `json:"bsn"`
	// BSNFingerprint is a keyed hash of the BSN, kept by the store to find
	// duplicates; never shown or exported.
	BSNFingerprint   string `json:"-"`
	IBAN             string `json:"iban"`
	IDDocumentType   string `json:"id_document_type"`
	IDDocumentNumber string `json:"id_document_number"`
	IDDocumentExpiry Date   `json:"id_document_expiry"`
	// IDRecordedOn is the day the document number was recorded: the start
	// of the 4-week term of a candidate who is not employed (R2). Set by
	// the store.
	IDRecordedOn Date     `json:"id_recorded_on"`
	Functions    []string `json:"functions"`
	Availability string   `json:"availability"`
	RegisteredOn Date     `json:"registered_on"`
	Source       string   `json:"source"`
	// Language is the language the candidate reads e-mail in (a
	// CandidateLanguages value), "" when not known.
	Language string `json:"language"`
	// Restricted is set by kluis, never by a form: RestrictedLegalMinimum
	// once a staged erasure left only what a law still requires.
	Restricted string    `json:"restricted,omitempty"`
	Version    int64     `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// CandidateStatuses are the states a candidate moves through.
var CandidateStatuses = Choices{
	{"registered", Msg{"Ingeschreven", "Registered"}},
	{"available", Msg{"Beschikbaar", "Available"}},
	{"working", Msg{"Aan het werk", "Working"}},
	{"inactive", Msg{"Niet actief", "Inactive"}},
	{"left", Msg{"Uit dienst", "Left"}},
}

// CandidateSources say where a candidate came from (art. 15(1)(g)).
var CandidateSources = Choices{
	{"walk-in", Msg{"Binnengelopen", "Walk-in"}},
	{"website", Msg{"Website", "Website"}},
	{"portal", Msg{"Zelf ingeschreven in het portaal", "Checked in through the portal"}},
	{"job-board", Msg{"Vacaturesite", "Job board"}},
	{"referral", Msg{"Via via", "Referral"}},
	{"import", Msg{"Overgenomen uit vorig systeem", "Imported from a previous system"}},
	{"other", Msg{"Anders", "Other"}},
}

// IDDocumentTypes are the identity documents an agency may copy.
var IDDocumentTypes = Choices{
	{"passport", Msg{"Paspoort", "Passport"}},
	{"id-card", Msg{"Identiteitskaart", "Identity card"}},
	{"residence-permit", Msg{"Verblijfsdocument", "Residence permit"}},
	{"driving-licence", Msg{"Rijbewijs", "Driving licence"}},
}

// Availabilities say how much a candidate wants to work.
// CandidateLanguages are the languages kluis writes to candidates in.
var CandidateLanguages = Choices{
	{"nl", Msg{"Nederlands", "Dutch"}},
	{"en", Msg{"Engels", "English"}},
}

var Availabilities = Choices{
	{"fulltime", Msg{"Voltijd", "Full time"}},
	{"parttime", Msg{"Deeltijd", "Part time"}},
	{"weekends", Msg{"Weekenden", "Weekends"}},
	{"on-call", Msg{"Oproep", "On call"}},
	{"none", Msg{"Niet beschikbaar", "Not available"}},
}

// Name returns the display name: first name, prefix and last name.
func (c *Candidate) Name() string {
	return joinNonEmpty(" ", c.FirstName, c.Prefix, c.LastName)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// Validate normalises the candidate in place and reports every field that is
// wrong. today bounds dates of birth.
func (c *Candidate) Validate(today Date) error {
	p := Problems{}
	if c.Status == "" {
		c.Status = "registered"
	}
	p.choice("status", c.Status, CandidateStatuses, true)
	if c.BranchID == 0 {
		p.required("branch_id")
	}
	p.line("initials", &c.Initials, 20, false)
	p.line("first_name", &c.FirstName, 100, false)
	p.line("prefix", &c.Prefix, 20, false)
	p.line("last_name", &c.LastName, 100, true)
	p.date("date_of_birth", &c.DateOfBirth, false)
	if c.DateOfBirth != "" {
		if c.DateOfBirth > today {
			p.Add("date_of_birth", "Een geboortedatum kan niet in de toekomst liggen.", "A date of birth cannot be in the future.")
		} else if c.DateOfBirth < "1900-01-01" {
			p.Add("date_of_birth", "Deze geboortedatum is te ver in het verleden.", "This date of birth is too far in the past.")
		}
	}
	c.Nationality = strings.ToUpper(strings.TrimSpace(c.Nationality))
	if c.Nationality != "" && !isAlpha2(c.Nationality) {
		p.Add("nationality", "Gebruik de landcode van twee letters, bijvoorbeeld NL.", "Use the two-letter country code, for example NL.")
	}
	p.email("email", &c.Email, false)
	p.phone("phone", &c.Phone)
	p.line("street", &c.Street, 100, false)
	p.line("house_number", &c.HouseNumber, 10, false)
	p.line("house_number_addition", &c.HouseNumberAddition, 10, false)
	p.line("city", &c.City, 100, false)
	c.Country = strings.ToUpper(strings.TrimSpace(c.Country))
	if c.Country == "" {
		c.Country = "NL"
	}
	if !isAlpha2(c.Country) {
		p.Add("country", "Gebruik de landcode van twee letters, bijvoorbeeld NL.", "Use the two-letter country code, for example NL.")
	}
	validPostcode(p, "postcode", &c.Postcode, c.Country)
	if c.BSN != "" {
		if s, ok := NormalizeBSN(c.BSN); ok {
			c.BSN = s
		} else {
			p.Add("bsn", "Dit is geen geldig BSN (elfproef).", "This is not a valid BSN (eleven test).")
		}
	}
	if c.IBAN != "" {
		if s, ok := NormalizeIBAN(c.IBAN); ok {
			c.IBAN = s
		} else {
			p.Add("iban", "Dit is geen geldig IBAN.", "This is not a valid IBAN.")
		}
	}
	p.choice("id_document_type", c.IDDocumentType, IDDocumentTypes, false)
	p.line("id_document_number", &c.IDDocumentNumber, 30, false)
	p.date("id_document_expiry", &c.IDDocumentExpiry, false)
	if c.IDDocumentNumber != "" && c.IDDocumentType == "" {
		p.Add("id_document_type", "Kies het soort identiteitsbewijs bij het documentnummer.", "Choose the kind of identity document for the document number.")
	}
	if len(c.Functions) > 20 {
		p.Add("functions", "Hooguit 20 functies.", "At most 20 functions.")
	}
	fs := []string{}
	for _, f := range c.Functions {
		s, ok := CleanLine(f, 60)
		if !ok || strings.Contains(s, ";") {
			p.Add("functions", "Een functie is één regel van hooguit 60 tekens, zonder puntkomma.", "A function is one line of at most 60 characters, without semicolons.")
			continue
		}
		if s != "" {
			fs = append(fs, s)
		}
	}
	c.Functions = fs
	p.choice("availability", c.Availability, Availabilities, false)
	p.date("registered_on", &c.RegisteredOn, false)
	if c.RegisteredOn == "" {
		c.RegisteredOn = today
	}
	if c.RegisteredOn > today {
		p.Add("registered_on", "De inschrijfdatum kan niet in de toekomst liggen.", "The registration date cannot be in the future.")
	}
	if c.Source == "" {
		c.Source = "other"
	}
	p.choice("source", c.Source, CandidateSources, true)
	p.choice("language", c.Language, CandidateLanguages, false)
	return p.Err()
}

func validPostcode(p Problems, field string, v *string, country string) {
	if *v == "" {
		return
	}
	if country == "NL" {
		s, ok := NormalizePostcode(*v)
		if !ok {
			p.Add(field, "Geen geldige postcode; gebruik 1234 AB.", "Not a valid Dutch postcode; use 1234 AB.")
			return
		}
		*v = s
		return
	}
	p.line(field, v, 12, false)
}

func isAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
