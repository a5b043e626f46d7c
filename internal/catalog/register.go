package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"kluis/internal/kluis"
)

// The texts of the register, in both languages.
var (
	purposeLabels = map[Purpose]kluis.Msg{
		Mediation:      {NL: "Bemiddeling naar werk", EN: "Finding work for candidates"},
		EmploymentDuty: {NL: "Uitvoering van de uitzendovereenkomst", EN: "Carrying out the employment contract"},
		PayrollAdmin:   {NL: "Loon-, pensioen- en premieadministratie", EN: "Payroll, pension and social-security administration"},
		Identification: {NL: "Wettelijke identificatie van werknemers", EN: "Legal identification of employees"},
		ClientRelation: {NL: "Samenwerking met opdrachtgevers", EN: "Working with clients"},
		StaffAccess:    {NL: "Toegang van medewerkers tot kluis", EN: "Staff access to kluis"},
		Accountability: {NL: "Verantwoording (AVG art. 5 lid 2, 19, 30)", EN: "Accountability (GDPR art. 5(2), 19, 30)"},
	}
	basisLabels = map[Basis]kluis.Msg{
		Contract:           {NL: "Overeenkomst (art. 6 lid 1 b)", EN: "Contract (art. 6(1)(b))"},
		LegalObligation:    {NL: "Wettelijke plicht (art. 6 lid 1 c)", EN: "Legal obligation (art. 6(1)(c))"},
		Consent:            {NL: "Toestemming (art. 6 lid 1 a)", EN: "Consent (art. 6(1)(a))"},
		LegitimateInterest: {NL: "Gerechtvaardigd belang (art. 6 lid 1 f)", EN: "Legitimate interest (art. 6(1)(f))"},
	}
	subjectLabels = map[Subject]kluis.Msg{
		Candidate:     {NL: "Kandidaten en uitzendkrachten", EN: "Candidates and temporary workers"},
		ClientContact: {NL: "Contactpersonen van opdrachtgevers", EN: "Contact persons of clients"},
		Staff:         {NL: "Medewerkers van het uitzendbureau", EN: "Staff of the agency"},
	}
	categoryLabels = map[Category]kluis.Msg{
		Identity:   {NL: "Identiteit (naam, geboortedatum, nationaliteit)", EN: "Identity (name, date of birth, nationality)"},
		Contact:    {NL: "Contactgegevens en adres", EN: "Contact details and address"},
		BSN:        {NL: "Burgerservicenummer", EN: "Citizen service number (BSN)"},
		Photo:      {NL: "Pasfoto", EN: "Photo"},
		IDDocument: {NL: "Identiteitsbewijs en verblijfsdocumenten", EN: "Identity and residence documents"},
		Financial:  {NL: "Bankrekening", EN: "Bank account"},
		Employment: {NL: "Werk, beschikbaarheid en plaatsingen", EN: "Work, availability and placements"},
		Payroll:    {NL: "Salarisgegevens", EN: "Payroll data"},
		Documents:  {NL: "Documenten (cv, certificaten)", EN: "Documents (CV, certificates)"},
		Notes:      {NL: "Notities bij contactmomenten", EN: "Notes of contact moments"},
		History:    {NL: "Historie en verstrekkingen", EN: "History and disclosures"},
		Account:    {NL: "Inloggegevens en sessies", EN: "Log-in data and sessions"},
		Incident:   {NL: "Datalekken en beveiligingsincidenten", EN: "Data breaches and security incidents"},
	}
	ruleLabels = map[Rule]kluis.Msg{
		R1:             {NL: "R1: 2 jaar na de laatste activiteit, als de kandidaat nooit heeft gewerkt (maximum)", EN: "R1: 2 years after the last activity, if the candidate never worked (maximum)"},
		R2:             {NL: "R2: kopie ID van wie niet in dienst is: 4 weken (maximum)", EN: "R2: ID copy of someone not employed: 4 weeks (maximum)"},
		R3:             {NL: "R3: personeelsdossier: 2 jaar na het einde van het dienstverband (maximum)", EN: "R3: personnel file: 2 years after employment ended (maximum)"},
		R4:             {NL: "R4: kopie ID en loonbelastingverklaring van werknemers: 5 jaar na 1 januari na uitdiensttreding (minimum)", EN: "R4: employee's ID copy and payroll-tax form: 5 years from 1 January after leaving (minimum)"},
		R5:             {NL: "R5: salarisadministratie: 7 jaar na 1 januari na het betreffende jaar (minimum)", EN: "R5: payroll administration: 7 years from 1 January after the year concerned (minimum)"},
		R6:             {NL: "R6: kopie ID en werkvergunning van werknemers van buiten de EER: 5 jaar na 1 januari na het werk (minimum)", EN: "R6: ID copy and work permit of non-EEA workers: 5 years from 1 January after the work (minimum)"},
		R7:             {NL: "R7: toegangs- en auditlogs: 2 jaar (instelbaar)", EN: "R7: access and audit logs: 2 years (a setting)"},
		RAccount:       {NL: "Zolang de medewerker toegang heeft", EN: "As long as the staff member has access"},
		RClientContact: {NL: "Zolang met de opdrachtgever wordt samengewerkt", EN: "As long as the agency works with the client"},
		RBreach:        {NL: "Datalekregister: 5 jaar na het afsluiten van het datalek", EN: "Data breach register: 5 years after the breach is closed"},
	}
	sourceLabels = map[Source]kluis.Msg{
		FromCandidate: {NL: "Van uzelf", EN: "From you"},
		FromAgency:    {NL: "Van ons bureau, bij inschrijving, plaatsing en contact", EN: "From our agency, at registration, placement and contact"},
		FromStaff:     {NL: "Van onze medewerkers (notities en historie)", EN: "From our staff (notes and history)"},
		FromClient:    {NL: "Van opdrachtgevers", EN: "From clients"},
		FromPayroll:   {NL: "Uit de salarisverwerking", EN: "From payroll processing"},
	}
	recipientLabels = func() map[string]kluis.Msg {
		out := map[string]kluis.Msg{}
		for _, c := range kluis.RecipientKinds {
			out[c.Value] = c.Label
		}
		return out
	}()
)

// PurposeLabel, BasisLabel, SubjectLabel, CategoryLabel and RuleLabel give
// the words the register and the privacy statement use.
func PurposeLabel(p Purpose) kluis.Msg   { return purposeLabels[p] }
func BasisLabel(b Basis) kluis.Msg       { return basisLabels[b] }
func SubjectLabel(s Subject) kluis.Msg   { return subjectLabels[s] }
func CategoryLabel(c Category) kluis.Msg { return categoryLabels[c] }
func RuleLabel(r Rule) kluis.Msg         { return ruleLabels[r] }

// SourceLabel says where data of a source come from (art. 15(1)(g)).
func SourceLabel(s Source) kluis.Msg { return sourceLabels[s] }

// categoryOrder and sourceOrder are the orders in which a person is told
// of their kinds of data and their sources.
var (
	categoryOrder = []Category{Identity, Contact, BSN, Photo, IDDocument, Financial, Employment, Payroll, Documents, Notes, History, Account}
	sourceOrder   = []Source{FromCandidate, FromAgency, FromStaff, FromClient, FromPayroll}
)

// CategoriesOf are the kinds of personal data kept of subject — of its
// fields and, for a candidate, of the kinds of file — in a fixed order
// (art. 15(1)(b)).
func (c *Catalog) CategoriesOf(subject Subject) []Category {
	var out []Category
	for _, src := range c.SourcesOf(subject) {
		out = append(out, src.Categories...)
	}
	return sortedCategories(out)
}

// SourceCategories is a source and the kinds of data that come from it.
type SourceCategories struct {
	Source     Source
	Categories []Category
}

// SourcesOf says where the personal data of subject come from, each
// source with its kinds of data, as the fields and kinds of file declare
// (art. 14(2)(f), 15(1)(g)).
func (c *Catalog) SourcesOf(subject Subject) []SourceCategories {
	by := map[Source][]Category{}
	for _, f := range c.fields {
		if f.Subject == subject {
			by[f.Source] = append(by[f.Source], f.Category)
		}
	}
	if subject == Candidate {
		for _, b := range c.blobs {
			by[b.Source] = append(by[b.Source], b.Category)
		}
	}
	var out []SourceCategories
	for _, s := range sourceOrder {
		if len(by[s]) > 0 {
			out = append(out, SourceCategories{Source: s, Categories: sortedCategories(by[s])})
		}
	}
	return out
}

// sortedCategories is cs without repeats, in categoryOrder.
func sortedCategories(cs []Category) []Category {
	var out []Category
	for _, k := range categoryOrder {
		if slices.Contains(cs, k) {
			out = append(out, k)
		}
	}
	return out
}

// Register is the record of processing activities (GDPR art. 30), derived
// from the catalogue: one activity per purpose.
type Register struct {
	Activities []Activity
}

// Activity is one purpose with everything art. 30(1) asks about it.
type Activity struct {
	Purpose    Purpose
	Bases      []Basis
	Subjects   []Subject
	Categories []Category
	Recipients []string
	Rules      []Rule
	Fields     int // how many fields and kinds of file serve it
}

// Register derives the record of processing from the declarations.
func (c *Catalog) Register() Register { return c.RegisterOf("") }

// RegisterOf is the record of processing limited to the data of one kind
// of data subject ("" for all): what the privacy statement tells them.
func (c *Catalog) RegisterOf(subject Subject) Register {
	type acc struct {
		bases      map[Basis]bool
		subjects   map[Subject]bool
		categories map[Category]bool
		recipients map[string]bool
		rules      map[Rule]bool
		fields     int
	}
	by := map[Purpose]*acc{}
	get := func(p Purpose) *acc {
		if by[p] == nil {
			by[p] = &acc{map[Basis]bool{}, map[Subject]bool{}, map[Category]bool{}, map[string]bool{}, map[Rule]bool{}, 0}
		}
		return by[p]
	}
	for _, f := range c.fields {
		if subject != "" && f.Subject != subject {
			continue
		}
		for _, p := range f.Purposes {
			a := get(p)
			a.bases[f.Basis], a.subjects[f.Subject], a.categories[f.Category] = true, true, true
			for _, r := range f.Recipients {
				a.recipients[r] = true
			}
			for _, r := range f.Retention {
				a.rules[r] = true
			}
			a.fields++
		}
	}
	for _, b := range c.blobs {
		if subject != "" && subject != Candidate {
			continue
		}
		for _, p := range b.Purposes {
			a := get(p)
			a.bases[b.Basis], a.subjects[Candidate], a.categories[b.Category] = true, true, true
			for _, r := range b.Retention {
				a.rules[r] = true
			}
			a.fields++
		}
	}
	var reg Register
	for _, p := range []Purpose{Mediation, EmploymentDuty, PayrollAdmin, Identification, ClientRelation, StaffAccess, Accountability} {
		a := by[p]
		if a == nil {
			continue
		}
		reg.Activities = append(reg.Activities, Activity{Purpose: p, Bases: keys(a.bases), Subjects: keys(a.subjects),
			Categories: keys(a.categories), Recipients: keys(a.recipients), Rules: keys(a.rules), Fields: a.fields})
	}
	return reg
}

func keys[K ~string](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// SecurityMeasures are the measures kluis itself takes (art. 30(1)(g),
// art. 32). Only what the code does is listed here.
var SecurityMeasures = []kluis.Msg{
	{NL: "Wachtwoorden worden opgeslagen als argon2id-hash; API-tokens en sessies alleen als hash.", EN: "Passwords are stored as argon2id hashes; API tokens and sessions only as hashes."},
	{NL: "Sessies verlopen na 30 minuten zonder gebruik en na 12 uur; een beheerder of de medewerker zelf kan alle sessies beëindigen.", EN: "Sessions end after 30 idle minutes and after 12 hours; staff can end all their sessions."},
	{NL: "De webinterface weert cross-site requests en scripts van buiten (Content-Security-Policy); cookies zijn HttpOnly en SameSite.", EN: "The web interface refuses cross-site requests and outside scripts (Content-Security-Policy); cookies are HttpOnly and SameSite."},
	{NL: "Namen en andere persoonsgegevens staan niet in URL's en logs; logs bevatten alleen nummers.", EN: "Names and other personal data stay out of URLs and logs; logs hold only ids."},
	{NL: "Geüploade bestanden worden op inhoud gecontroleerd en alleen als download aangeboden.", EN: "Uploaded files are checked by content and only offered as downloads."},
	{NL: "Elke kolom met persoonsgegevens staat in deze catalogus; een test op het echte databaseschema bewaakt dat.", EN: "Every column with personal data is in this catalogue; a test on the real database schema guards it."},
	{NL: "Wie welk gegeven ziet of wijzigt, volgt per veld en per rol uit deze catalogus; de beheerder ziet geen kandidaatgegevens.", EN: "Who sees or changes which field follows, per field and per role, from this catalogue; the administrator sees no candidate data."},
	{NL: "BSN, IBAN, documentnummer, notities en documenten zijn versleuteld met een sleutel per kandidaat; bij wissen wordt die sleutel vernietigd, zodat ook kopieën in back-ups onleesbaar worden.", EN: "BSN, IBAN, document number, notes and documents are encrypted with a key per candidate; erasure destroys that key, so copies in backups become unreadable too."},
	{NL: "Wie BSN, IBAN of identiteitsbewijzen kan zien, en de beheerder, logt in met tweestapsverificatie (TOTP); na herhaald mislukken wordt een account tijdelijk geblokkeerd.", EN: "Whoever can see BSNs, IBANs or identity documents, and the administrator, logs in with two-step verification (TOTP); repeated failures lock an account for a while."},
	{NL: "Intercedenten en vestigingsmanagers werken alleen met de kandidaten van hun eigen vestiging.", EN: "Recruiters and branch managers work only with the candidates of their own branch."},
	{NL: "Elke inzage, elk getoond afgeschermd gegeven en elke wijziging staat in een toegangslog met een hashketen; een gewijzigde of verwijderde regel valt op.", EN: "Every view, every masked value shown and every change is in an access log with a hash chain; a changed or removed entry shows."},
}

// Controller is who the register is kept for (art. 30(1)(a)): the agency,
// and the contact of its data protection officer. Empty fields are left out.
type Controller struct {
	Name     string `json:"name"`
	Address  string `json:"address"`
	KvK      string `json:"kvk_number"`
	DPOName  string `json:"dpo_name"`
	DPOEmail string `json:"dpo_email"`
	DPOPhone string `json:"dpo_phone"`
}

// DPO joins the officer's contact details, or returns "" when none is set.
func (c Controller) DPO() string {
	var parts []string
	for _, s := range []string{c.DPOName, c.DPOEmail, c.DPOPhone} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// Markdown renders the register for the controller, in lang.
func (r Register) Markdown(lang string, c Controller) string {
	in := func(m kluis.Msg) string { return m.In(lang) }
	var b strings.Builder
	t := func(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(lang) }
	fmt.Fprintf(&b, "# %s\n\n", t("Register van verwerkingsactiviteiten", "Record of processing activities"))
	fmt.Fprintf(&b, "%s: **%s**  \n", t("Verwerkingsverantwoordelijke", "Controller"), mdEscape(c.Name))
	if c.Address != "" {
		fmt.Fprintf(&b, "%s: %s  \n", t("Adres", "Address"), mdEscape(c.Address))
	}
	if c.KvK != "" {
		fmt.Fprintf(&b, "%s: %s  \n", t("KvK-nummer", "Chamber of Commerce number"), mdEscape(c.KvK))
	}
	if d := c.DPO(); d != "" {
		fmt.Fprintf(&b, "%s: %s  \n", t("Functionaris gegevensbescherming", "Data protection officer"), mdEscape(d))
	} else {
		fmt.Fprintf(&b, "%s: %s  \n", t("Functionaris gegevensbescherming", "Data protection officer"), t("niet aangesteld", "none appointed"))
	}
	fmt.Fprintf(&b, "%s\n\n", t("Opgesteld uit de persoonsgegevenscatalogus van kluis (AVG art. 30).", "Generated from kluis's personal-data catalogue (GDPR art. 30)."))
	for _, a := range r.Activities {
		fmt.Fprintf(&b, "## %s\n\n", in(PurposeLabel(a.Purpose)))
		row := func(label string, items []string) {
			fmt.Fprintf(&b, "- **%s**: %s\n", label, strings.Join(items, "; "))
		}
		row(t("Grondslag", "Legal basis"), mapLabels(a.Bases, func(x Basis) string { return in(BasisLabel(x)) }))
		row(t("Betrokkenen", "Data subjects"), mapLabels(a.Subjects, func(x Subject) string { return in(SubjectLabel(x)) }))
		row(t("Gegevens", "Personal data"), mapLabels(a.Categories, func(x Category) string { return in(CategoryLabel(x)) }))
		if len(a.Recipients) > 0 {
			row(t("Ontvangers", "Recipients"), mapLabels(a.Recipients, func(x string) string { return in(recipientLabels[x]) }))
		} else {
			row(t("Ontvangers", "Recipients"), []string{t("geen", "none")})
		}
		row(t("Doorgifte buiten de EER", "Transfers outside the EEA"), []string{t("geen", "none")})
		row(t("Bewaartermijnen", "Retention"), mapLabels(a.Rules, func(x Rule) string { return in(RuleLabel(x)) }))
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "## %s\n\n", t("Beveiligingsmaatregelen", "Security measures"))
	for _, m := range SecurityMeasures {
		fmt.Fprintf(&b, "- %s\n", in(m))
	}
	return b.String()
}

func mapLabels[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `[`, `\[`, `]`, `\]`, "<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}
