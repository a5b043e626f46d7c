// Package report renders what kluis hands out about a person: the
// candidate's record card (stamkaart), the answer to an access request
// (GDPR art. 15), as a PDF and as JSON.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/pdf"
	"kluis/internal/retention"
)

// RecordCard is everything kluis keeps about one candidate, gathered for
// the candidate. Values are as the person producing it may see them: the
// privacy officer sees them whole.
type RecordCard struct {
	Controller  catalog.Controller    `json:"controller"`
	Generated   time.Time             `json:"generated"`
	Candidate   *kluis.Candidate      `json:"candidate"`
	Moments     []kluis.ContactMoment `json:"contact_moments"`
	Documents   []kluis.Document      `json:"documents"`
	Placements  []Placement           `json:"placements"`
	Payroll     []kluis.PayrollRecord `json:"payroll_records"`
	Disclosures []kluis.Disclosure    `json:"disclosures"`
	Consents    []kluis.Consent       `json:"consents"`
	Holds       []kluis.LegalHold     `json:"legal_holds"`
	Requests    []kluis.Request       `json:"requests"`
	Retention   []retention.Item      `json:"retention"`
	// The rights of art. 16, 18 and 19 (recordcard_rights.go).
	Restrictions []kluis.Restriction            `json:"restrictions"`
	Statements   []kluis.SupplementaryStatement `json:"supplementary_statements"`
	Notices      []kluis.RecipientNotice        `json:"recipient_notices"`
}

// Placement is a placement with the name of the client.
type Placement struct {
	kluis.Placement
	ClientName string `json:"client_name"`
}

// JSON writes the record card as JSON: the same content as the PDF.
func (rc *RecordCard) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rc)
}

// CompactJSON writes the same as JSON without the indentation, as every
// other answer of the API is written: for programs, where the indented
// file is for people (a card of a thousand contact moments spends a
// fifth of its time on the indentation).
func (rc *RecordCard) CompactJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(rc)
}

func money(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	euros := strconv.FormatInt(cents/100, 10)
	for i := len(euros) - 3; i > 0; i -= 3 {
		euros = euros[:i] + "." + euros[i:]
	}
	s := fmt.Sprintf("€ %s,%02d", euros, cents%100)
	if neg {
		s = "-" + s
	}
	return s
}

func day(d kluis.Date) string {
	if d == "" {
		return "—"
	}
	return d.Time().Format("02-01-2006")
}

// PDF writes the record card in lang: the candidate's data, their history,
// documents, placements, payroll records and disclosures, when each part
// will be removed, and the information art. 15(1)(a)–(h) requires, drawn
// from the catalogue.
func (rc *RecordCard) PDF(w io.Writer, lang string, cat *catalog.Catalog, loc *time.Location) error {
	t := func(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(lang) }
	// label is a column's name as the catalogue gives it, so that the
	// card names every field in the catalogue's words.
	label := func(table, column, nl, en string) string {
		if f, ok := cat.Field(table, column); ok {
			return f.Label.In(lang)
		}
		return t(nl, en)
	}
	c := rc.Candidate
	gen := rc.Generated.In(loc)
	d := pdf.New(pdf.Options{
		Title: t("Stamkaart", "Record card") + " — " + c.Name(),
		Subtitle: t("Alle gegevens die "+rc.Controller.Name+" over u bewaart (AVG art. 15), opgesteld op "+gen.Format("02-01-2006 15:04")+".",
			"All data "+rc.Controller.Name+" keeps about you (GDPR art. 15), drawn up on "+gen.Format("2 January 2006 15:04")+"."),
		Lang:    lang,
		Footer:  rc.Controller.Name + " · " + t("stamkaart van kandidaat ", "record card of candidate ") + strconv.FormatInt(c.ID, 10),
		Created: rc.Generated,
	})

	rc.restrictionBanner(d, t, lang)
	// Personal data, field by field, as the catalogue names them.
	d.H1(t("Uw gegevens", "Your data"))
	values := map[string]string{
		"initials": c.Initials, "first_name": c.FirstName, "prefix": c.Prefix, "last_name": c.LastName, "date_of_birth": day(c.DateOfBirth),
		"nationality": c.Nationality, "email": c.Email, "phone": c.Phone, "street": c.Street, "house_number": c.HouseNumber,
		"house_number_addition": c.HouseNumberAddition, "postcode": c.Postcode, "city": c.City, "country": c.Country,
		"bsn": c.BSN, "iban": c.IBAN, "id_document_type": c.IDDocumentType, "id_document_number": c.IDDocumentNumber,
		"id_document_expiry": day(c.IDDocumentExpiry), "id_recorded_on": day(c.IDRecordedOn), "functions": strings.Join(c.Functions, ", "),
		"availability": c.Availability, "status": c.Status, "registered_on": day(c.RegisteredOn), "source": c.Source,
	}
	choices := map[string]kluis.Choices{"id_document_type": kluis.IDDocumentTypes, "availability": kluis.Availabilities,
		"status": kluis.CandidateStatuses, "source": kluis.CandidateSources}
	// In the order of the registration form; a column the list does not
	// know yet follows at the end, so that nothing is left out.
	var fields []catalog.Field
	for _, col := range formOrder {
		if f, ok := cat.Field("candidates", col); ok {
			fields = append(fields, f)
		}
	}
	for _, f := range cat.Fields() {
		if f.Table == "candidates" && !slices.Contains(formOrder, f.Column) {
			fields = append(fields, f)
		}
	}
	var pairs [][2]string
	secret := false
	for _, f := range fields {
		if catalog.IsSecret(f) {
			secret = true
			continue
		}
		v := values[f.Column]
		if cs, ok := choices[f.Column]; ok && v != "" {
			v = cs.Label(v, lang)
		}
		if v == "" {
			v = "—"
		}
		pairs = append(pairs, [2]string{f.Label.In(lang), v})
	}
	d.KeyValues(pairs)
	if secret {
		d.Small(t("Daarnaast bewaart kluis een versleutelde vingerafdruk van uw BSN, alleen om te voorkomen dat u twee keer wordt ingeschreven; daaruit is uw BSN niet terug te halen.",
			"Besides, kluis keeps an encrypted fingerprint of your BSN, only to avoid registering you twice; your BSN cannot be recovered from it."))
	}

	rc.statementsSection(d, t)

	d.H1(t("Contactmomenten", "Contact moments"))
	if len(rc.Moments) == 0 {
		d.Para(t("Geen.", "None."))
	} else {
		var rows [][]string
		for _, m := range rc.Moments {
			kind := kluis.ContactKinds.Label(m.Kind, lang)
			if m.StatementVersion != 0 {
				kind += " (" + t("versie ", "version ") + strconv.Itoa(m.StatementVersion) + ")"
			}
			rows = append(rows, []string{m.At.In(loc).Format("02-01-2006 15:04"), kind, m.Note})
		}
		d.Table([]pdf.Column{{Header: t("Wanneer", "When"), Width: 1.2}, {Header: t("Soort", "Kind"), Width: 1.3}, {Header: t("Notitie", "Note"), Width: 4}}, rows)
	}

	d.H1(t("Documenten", "Documents"))
	if len(rc.Documents) == 0 {
		d.Para(t("Geen.", "None."))
	} else {
		var rows [][]string
		for _, doc := range rc.Documents {
			rows = append(rows, []string{kluis.DocumentKinds.Label(doc.Kind, lang), doc.FileName, strconv.FormatInt(doc.Size/1024+1, 10) + " kB",
				doc.CreatedAt.In(loc).Format("02-01-2006")})
		}
		d.Table([]pdf.Column{{Header: t("Soort", "Kind"), Width: 1.5}, {Header: t("Bestand", "File"), Width: 3}, {Header: t("Grootte", "Size"), Width: 0.8, Align: "R"},
			{Header: t("Ontvangen", "Received"), Width: 1}}, rows)
		d.Small(t("De bestanden zelf krijgt u apart, zoals ze bewaard zijn.", "You receive the files themselves separately, as they are kept."))
	}

	d.H1(t("Plaatsingen", "Placements"))
	if len(rc.Placements) == 0 {
		d.Para(t("Geen.", "None."))
	} else {
		var rows [][]string
		for _, p := range rc.Placements {
			rows = append(rows, []string{p.ClientName, p.Function, day(p.StartDate), day(p.EndDate), money(p.HourlyWageCents),
				kluis.ContractKinds.Label(p.ContractKind, lang)})
		}
		d.Table([]pdf.Column{{Header: t("Opdrachtgever", "Client"), Width: 2}, {Header: label("placements", "function", "Functie", "Function"), Width: 1.6},
			{Header: label("placements", "start_date", "Van", "From"), Width: 1.15}, {Header: label("placements", "end_date", "Tot", "To"), Width: 1.15},
			{Header: label("placements", "hourly_wage_cents", "Uurloon", "Hourly wage"), Width: 1, Align: "R"},
			{Header: label("placements", "contract_kind", "Contract", "Contract"), Width: 1.1}}, rows)
	}

	d.H1(t("Salaris", "Payroll"))
	if len(rc.Payroll) == 0 {
		d.Para(t("Geen.", "None."))
	} else {
		var rows [][]string
		for _, p := range rc.Payroll {
			rows = append(rows, []string{strconv.Itoa(p.Year), strconv.Itoa(p.Period), money(p.GrossCents), money(p.NetCents)})
		}
		d.Table([]pdf.Column{{Header: label("payroll_records", "year", "Jaar", "Year"), Width: 1}, {Header: label("payroll_records", "period", "Periode", "Period"), Width: 1},
			{Header: label("payroll_records", "gross_cents", "Bruto", "Gross"), Width: 1.5, Align: "R"},
			{Header: label("payroll_records", "net_cents", "Netto", "Net"), Width: 1.5, Align: "R"}}, rows)
	}

	d.H1(t("Aan wie uw gegevens zijn verstrekt", "To whom your data were given"))
	if len(rc.Disclosures) == 0 {
		d.Para(t("Aan niemand.", "To no one."))
	} else {
		var rows [][]string
		for _, ds := range rc.Disclosures {
			var cats []string
			for _, x := range ds.Categories {
				cats = append(cats, kluis.DataCategories.Label(x, lang))
			}
			rows = append(rows, []string{ds.DisclosedAt.In(loc).Format("02-01-2006"), ds.Recipient + " (" + kluis.RecipientKinds.Label(ds.RecipientKind, lang) + ")",
				strings.Join(cats, ", "), ds.Purpose})
		}
		d.Table([]pdf.Column{{Header: t("Wanneer", "When"), Width: 1}, {Header: t("Aan", "To"), Width: 2}, {Header: t("Welke gegevens", "Which data"), Width: 2},
			{Header: t("Waarvoor", "What for"), Width: 2}}, rows)
	}

	d.H1(t("Uw toestemming om langer te bewaren", "Your consent to keep data longer"))
	if len(rc.Consents) == 0 {
		d.Para(t("Niet gegeven.", "Not given."))
	} else {
		var rows [][]string
		for _, c := range rc.Consents {
			status := t("geldt tot ", "valid until ") + day(c.ValidUntil)
			if c.WithdrawnOn != "" {
				status = t("ingetrokken op ", "withdrawn on ") + day(c.WithdrawnOn)
			}
			rows = append(rows, []string{day(c.GivenOn), kluis.ConsentChannels.Label(c.Channel, lang), c.Wording, status})
		}
		d.Table([]pdf.Column{{Header: t("Gegeven", "Given"), Width: 1}, {Header: t("Hoe", "How"), Width: 1}, {Header: t("Waarmee u instemde", "What you agreed to"), Width: 3},
			{Header: t("Stand", "Status"), Width: 1.6}}, rows)
	}
	if len(rc.Holds) > 0 {
		d.H1(t("Wettelijke bewaarplicht", "Legal hold"))
		var rows [][]string
		for _, h := range rc.Holds {
			until := t("loopt", "lasting")
			if h.EndDate != "" {
				until = day(h.EndDate)
			}
			rows = append(rows, []string{kluis.HoldKinds.Label(h.Kind, lang), h.Reason, day(h.StartDate), until})
		}
		d.Table([]pdf.Column{{Header: t("Soort", "Kind"), Width: 1.5}, {Header: t("Kenmerk", "Reference"), Width: 2.5}, {Header: t("Vanaf", "From"), Width: 1},
			{Header: t("Tot", "Until"), Width: 1}}, rows)
		d.Small(t("Zolang een bewaarplicht loopt, worden de gegevens die zij betreft niet verwijderd.", "While a legal hold lasts, the data it covers are not removed."))
	}

	d.H1(t("Uw verzoeken", "Your requests"))
	if len(rc.Requests) == 0 {
		d.Para(t("Geen.", "None."))
	} else {
		var rows [][]string
		for _, q := range rc.Requests {
			state := kluis.RequestStatuses.Label(q.Status, lang)
			if q.ClosedOn != "" {
				state += " (" + day(q.ClosedOn) + ")"
			}
			rows = append(rows, []string{day(q.ReceivedOn), kluis.RequestKinds.Label(q.Kind, lang), day(q.DueOn), state, q.Outcome})
		}
		d.Table([]pdf.Column{{Header: t("Ontvangen", "Received"), Width: 1}, {Header: t("Soort", "Kind"), Width: 1.3}, {Header: t("Uiterlijk", "Due"), Width: 1},
			{Header: t("Stand", "Status"), Width: 1.3}, {Header: t("Uitkomst", "Outcome"), Width: 3}}, rows)
	}

	rc.rightsSection(d, t, lang)

	d.H1(t("Hoe lang uw gegevens worden bewaard", "How long your data are kept"))
	var rows [][]string
	for _, it := range rc.Retention {
		until := t("nog niet te bepalen", "not yet known")
		if it.Expires != "" {
			until = day(it.Expires)
		}
		var names []string
		for _, f := range it.Fields {
			if kind, ok := strings.CutPrefix(f, "document:"); ok {
				if b, ok := cat.Blob(kind); ok {
					names = append(names, b.Label.In(lang))
				}
			} else if table, column, _ := strings.Cut(f, "."); true {
				if fl, ok := cat.Field(table, column); ok && !catalog.IsSecret(fl) {
					names = append(names, fl.Label.In(lang))
				}
			}
		}
		rows = append(rows, []string{catalog.CategoryLabel(it.Category).In(lang) + ": " + strings.Join(names, ", "), until, it.Why.In(lang)})
	}
	d.Table([]pdf.Column{{Header: t("Gegevens", "Data"), Width: 3}, {Header: t("Tot", "Until"), Width: 1.1}, {Header: t("Waarom", "Why"), Width: 3}}, rows)

	// Art. 15(1)(a)–(h), from the catalogue.
	d.H1(t("Wat de wet u verder laat weten (AVG art. 15 lid 1)", "What the law further tells you (GDPR art. 15(1))"))
	reg := cat.Register()
	var purposes, recipients []string
	seenR := map[string]bool{}
	for _, a := range reg.Activities {
		if !slices.Contains(a.Subjects, catalog.Candidate) {
			continue
		}
		var bases []string
		for _, b := range a.Bases {
			bases = append(bases, catalog.BasisLabel(b).In(lang))
		}
		purposes = append(purposes, catalog.PurposeLabel(a.Purpose).In(lang)+" — "+strings.Join(bases, "; "))
		for _, r := range a.Recipients {
			if !seenR[r] {
				seenR[r] = true
				recipients = append(recipients, kluis.RecipientKinds.Label(r, lang))
			}
		}
	}
	d.H2(t("a. Waarvoor, en op welke grond", "a. What for, and on what basis"))
	d.Bullets(purposes)
	d.H2(t("b. Welke soorten gegevens", "b. Which kinds of data"))
	var cats []string
	for _, c := range cat.CategoriesOf(catalog.Candidate) {
		cats = append(cats, catalog.CategoryLabel(c).In(lang))
	}
	d.Para(strings.Join(cats, "; ") + ".")
	d.H2(t("c. Aan wie ze verstrekt kunnen worden", "c. To whom they may be given"))
	d.Para(strings.Join(recipients, ", ") + ". " + t("Niet aan landen buiten de Europese Economische Ruimte.", "Not to countries outside the European Economic Area."))
	d.H2(t("d. Hoe lang", "d. For how long"))
	d.Para(t("Zie hierboven, per soort gegevens, met de regel die de termijn bepaalt.", "See above, per kind of data, with the rule that sets the term."))
	d.H2(t("e. Uw rechten", "e. Your rights"))
	d.Bullets([]string{
		t("U kunt ons vragen onjuiste gegevens te verbeteren of aan te vullen (art. 16).", "You can ask us to correct or complete data that are wrong (art. 16)."),
		t("U kunt ons vragen uw gegevens te wissen (art. 17); wat de wet ons verplicht te bewaren, bewaren we afgeschermd tot de termijn voorbij is.", "You can ask us to erase your data (art. 17); what the law obliges us to keep, we keep locked away until its term ends."),
		t("U kunt ons vragen het gebruik van uw gegevens te beperken (art. 18) of bezwaar maken (art. 21).", "You can ask us to restrict the use of your data (art. 18), or object (art. 21)."),
		t("U kunt de gegevens die u zelf gaf in een gangbaar bestandsformaat krijgen (art. 20).", "You can have the data you gave us yourself in a common file format (art. 20)."),
	})
	d.H2(t("f. Klagen", "f. Complaints"))
	dpo := rc.Controller.DPO()
	if dpo == "" {
		dpo = rc.Controller.Name
	}
	d.Para(t("Heeft u een klacht over hoe wij met uw gegevens omgaan, neem dan contact op met "+dpo+". U kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).",
		"If you have a complaint about how we handle your data, contact "+dpo+". You can also lodge a complaint with the Dutch Data Protection Authority, the Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl)."))
	d.H2(t("g. Waar de gegevens vandaan komen", "g. Where the data come from"))
	d.Bullets(sourceLines(cat, c, lang))
	d.H2(t("h. Geautomatiseerde besluiten", "h. Automated decisions"))
	for _, p := range automatedDecisionLines(cat.AutomatedDecisions(), lang) {
		d.Para(p)
	}
	return d.Write(w)
}

// sourceLines say, as the catalogue declares, where each kind of the
// candidate's data comes from (art. 15(1)(g)); their own with how they
// came to the agency.
func sourceLines(cat *catalog.Catalog, c *kluis.Candidate, lang string) []string {
	var out []string
	for _, sc := range cat.SourcesOf(catalog.Candidate) {
		line := catalog.SourceLabel(sc.Source).In(lang)
		if sc.Source == catalog.FromCandidate && c.Source != "" {
			line += " (" + kluis.Msg{NL: "hoe u bij ons kwam: ", EN: "how you came to us: "}.In(lang) + kluis.CandidateSources.Label(c.Source, lang) + ")"
		}
		var cats []string
		for _, k := range sc.Categories {
			cats = append(cats, catalog.CategoryLabel(k).In(lang))
		}
		out = append(out, line+": "+strings.Join(cats, "; "))
	}
	return out
}

// automatedDecisionLines tell of the automated decisions the catalogue
// declares (art. 15(1)(h), 22): that there are none, or each with its
// logic and its consequences, and the right to a person's review.
func automatedDecisionLines(ds []catalog.AutomatedDecision, lang string) []string {
	if len(ds) == 0 {
		return []string{catalog.NoAutomatedDecisions.In(lang)}
	}
	var out []string
	for _, x := range ds {
		out = append(out, catalog.PurposeLabel(x.Purpose).In(lang)+": "+x.Logic.In(lang)+" "+x.Significance.In(lang))
	}
	return append(out, kluis.Msg{
		NL: "U kunt vragen dat een medewerker zo'n besluit opnieuw bekijkt, uw standpunt geven en het besluit aanvechten (art. 22 lid 3 AVG).",
		EN: "You can ask for a member of staff to review such a decision, give your point of view and contest the decision (art. 22(3) GDPR).",
	}.In(lang))
}

// formOrder is the order of the candidate's fields on the registration
// form, which the record card follows.
var formOrder = []string{"initials", "first_name", "prefix", "last_name", "date_of_birth", "nationality", "email", "phone", "street",
	"house_number", "house_number_addition", "postcode", "city", "country", "bsn", "iban", "id_document_type", "id_document_number",
	"id_document_expiry", "id_recorded_on", "functions", "availability", "status", "registered_on", "source"}
