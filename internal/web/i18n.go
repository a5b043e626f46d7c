package web

import (
	"strconv"
	"strings"
	"time"

	"kluis/internal/kluis"
)

// catalogue maps a message key to its Dutch and English text. Every text
// of the staff UI comes from one; a test checks that the templates use no
// key that is missing.
type catalogue map[string]kluis.Msg

// messages is the UI's message catalogue, merged once from the parts that
// each screen group keeps beside its handlers.
var messages = mergeCatalogues(coreMessages, candidateMessages, clientMessages, tabMessages, agencyMessages, auditMessages, cleanupMessages, authMessages, ssoMessages, retentionMessages, portalMessages, requestMessages, statementMessages, letterMessages, portalSelfMessages, dashboardMessages, breachMessages, restrictionMessages)

func mergeCatalogues(parts ...catalogue) catalogue {
	out := catalogue{}
	for _, p := range parts {
		for k, v := range p {
			if _, dup := out[k]; dup {
				panic("web: message key defined twice: " + k)
			}
			out[k] = v
		}
	}
	return out
}

// text returns the message for key in lang; an unknown key shows itself so
// that it is noticed (and the catalogue test fails).
func text(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	return m.In(lang)
}

var coreMessages = catalogue{
	"app.name":            {NL: "kluis", EN: "kluis"},
	"app.tagline":         {NL: "Personeelsadministratie met de AVG ingebouwd", EN: "Staffing back office with the GDPR built in"},
	"nav.main":            {NL: "Hoofdmenu", EN: "Main menu"},
	"nav.start":           {NL: "Start", EN: "Start"},
	"nav.candidates":      {NL: "Kandidaten", EN: "Candidates"},
	"nav.clients":         {NL: "Opdrachtgevers", EN: "Clients"},
	"nav.placements":      {NL: "Plaatsingen", EN: "Placements"},
	"nav.settings":        {NL: "Instellingen", EN: "Settings"},
	"nav.logout":          {NL: "Uitloggen", EN: "Log out"},
	"nav.skip":            {NL: "Naar de inhoud", EN: "Skip to content"},
	"login.title":         {NL: "Inloggen", EN: "Log in"},
	"login.email":         {NL: "E-mailadres", EN: "E-mail address"},
	"login.password":      {NL: "Wachtwoord", EN: "Password"},
	"login.tenant":        {NL: "Bureau (korte naam)", EN: "Agency (short name)"},
	"login.tenant.help":   {NL: "Alleen nodig als uw e-mailadres bij meer bureaus bekend is.", EN: "Only needed when your e-mail address is known at more than one agency."},
	"login.submit":        {NL: "Inloggen", EN: "Log in"},
	"login.toomany":       {NL: "Te veel mislukte inlogpogingen vanaf dit adres. Probeer het over tien minuten opnieuw, of log in met uw werkaccount.", EN: "Too many failed log-ins from this address. Try again in ten minutes, or log in with your work account."},
	"login.failed":        {NL: "Inloggen is niet gelukt. Controleer uw e-mailadres en wachtwoord; na te veel mislukte pogingen kan het pas later weer.", EN: "Logging in did not work. Check your e-mail address and password; after too many failed attempts, try again later."},
	"login.ambiguous":     {NL: "Uw e-mailadres is bij meer bureaus bekend: vul ook de korte naam van uw bureau in.", EN: "Your e-mail address is known at more than one agency: fill in your agency's short name as well."},
	"login.expired":       {NL: "U bent uitgelogd. Log opnieuw in.", EN: "You have been logged out. Please log in again."},
	"form.save":           {NL: "Opslaan", EN: "Save"},
	"form.cancel":         {NL: "Annuleren", EN: "Cancel"},
	"form.add":            {NL: "Toevoegen", EN: "Add"},
	"form.delete":         {NL: "Verwijderen", EN: "Delete"},
	"form.edit":           {NL: "Wijzigen", EN: "Edit"},
	"form.search":         {NL: "Zoeken", EN: "Search"},
	"form.choose":         {NL: "— kies —", EN: "— choose —"},
	"form.locked":         {NL: "niet door u te wijzigen", EN: "not yours to change"},
	"form.any":            {NL: "— geen keuze —", EN: "— none —"},
	"form.all":            {NL: "Alle", EN: "All"},
	"form.optional":       {NL: "optioneel", EN: "optional"},
	"form.required":       {NL: "verplicht", EN: "required"},
	"form.errors":         {NL: "Niet alle velden zijn goed ingevuld. Kijk bij de velden hieronder.", EN: "Some fields are not filled in correctly. See the fields below."},
	"form.number":         {NL: "Vul een geheel getal in.", EN: "Fill in a whole number."},
	"form.money":          {NL: "Vul een bedrag in, bijvoorbeeld 15,50.", EN: "Fill in an amount, for example 15.50."},
	"form.saved":          {NL: "Opgeslagen.", EN: "Saved."},
	"form.deleted":        {NL: "Verwijderd.", EN: "Deleted."},
	"form.stale":          {NL: "Iemand anders heeft dit intussen gewijzigd. Hieronder staan de nieuwste gegevens; voer uw wijziging opnieuw in.", EN: "Someone else changed this in the meantime. The latest data are below; enter your change again."},
	"form.confirm.delete": {NL: "Weet u zeker dat u dit wilt verwijderen?", EN: "Are you sure you want to delete this?"},
	"list.empty":          {NL: "Niets gevonden.", EN: "Nothing found."},
	"list.total":          {NL: "gevonden", EN: "found"},
	"list.more":           {NL: "meer dan", EN: "more than"},
	"list.narrow":         {NL: "verfijn de zoekopdracht", EN: "narrow the search"},
	"list.previous":       {NL: "Vorige", EN: "Previous"},
	"list.next":           {NL: "Volgende", EN: "Next"},
	"list.page":           {NL: "Pagina", EN: "Page"},
	"list.of":             {NL: "van", EN: "of"},
	"error.title":         {NL: "Er ging iets mis", EN: "Something went wrong"},
	"error.notfound":      {NL: "Deze pagina of dit gegeven bestaat niet (meer).", EN: "This page or record does not exist (any more)."},
	"error.request":       {NL: "Noem dit nummer als u contact opneemt:", EN: "Quote this number if you get in touch:"},
	"error.back":          {NL: "Terug naar de startpagina", EN: "Back to the start page"},
	"start.title":         {NL: "Vandaag", EN: "Today"},
	"start.welcome":       {NL: "Goedendag", EN: "Good day"},
	"start.new":           {NL: "nieuwe kandidaten deze week", EN: "new candidates this week"},
	"start.working":       {NL: "kandidaten aan het werk", EN: "candidates at work"},
	"start.candidates":    {NL: "kandidaten in totaal", EN: "candidates in all"},
	"start.tocandidates":  {NL: "Naar de kandidaten", EN: "To the candidates"},
	"start.toplacements":  {NL: "Naar de plaatsingen", EN: "To the placements"},
	"start.ending":        {NL: "Plaatsingen die de komende twee weken eindigen", EN: "Placements ending in the next two weeks"},
	"start.starting":      {NL: "Plaatsingen die de komende week beginnen", EN: "Placements starting in the next week"},
	"placement.candidate": {NL: "Kandidaat", EN: "Candidate"},
	"placement.client":    {NL: "Opdrachtgever", EN: "Client"},
	"placement.function":  {NL: "Functie", EN: "Function"},
	"placement.start":     {NL: "Begin", EN: "Start"},
	"placement.end":       {NL: "Einde", EN: "End"},
	"placement.wage":      {NL: "Uurloon", EN: "Hourly wage"},
	"placement.kind":      {NL: "Soort contract", EN: "Contract kind"},
	"nav.register":        {NL: "AVG-register", EN: "GDPR register"},
	"register.title":      {NL: "Register van verwerkingsactiviteiten", EN: "Record of processing activities"},
	"register.download":   {NL: "Downloaden (Markdown)", EN: "Download (Markdown)"},
	"register.pdf":        {NL: "Downloaden (PDF)", EN: "Download (PDF)"},
	"register.nodpo":      {NL: "niet aangesteld", EN: "none appointed"},
	"register.controller": {NL: "Verwerkingsverantwoordelijke", EN: "Controller"},
	"register.intro":      {NL: "Dit register (AVG art. 30) wordt opgesteld uit de persoonsgegevenscatalogus van kluis: elke kolom met persoonsgegevens staat daarin, met doel, grondslag, bewaartermijn en wie hem mag zien. Het kan dus niet afwijken van wat kluis werkelijk doet.", EN: "This record (GDPR art. 30) is generated from kluis's personal-data catalogue, in which every column holding personal data is declared with its purpose, basis, retention and who may see it. It cannot drift from what kluis really does."},
	"register.basis":      {NL: "Grondslag", EN: "Legal basis"},
	"register.subjects":   {NL: "Betrokkenen", EN: "Data subjects"},
	"register.categories": {NL: "Persoonsgegevens", EN: "Personal data"},
	"register.recipients": {NL: "Ontvangers", EN: "Recipients"},
	"register.transfers":  {NL: "Doorgifte buiten de EER", EN: "Transfers outside the EEA"},
	"register.retention":  {NL: "Bewaartermijnen", EN: "Retention"},
	"register.security":   {NL: "Beveiligingsmaatregelen", EN: "Security measures"},
	"register.none":       {NL: "geen", EN: "none"},
	"settings.title":      {NL: "Instellingen", EN: "Settings"},
	"settings.language":   {NL: "Taal", EN: "Language"},
	"settings.account":    {NL: "Uw account", EN: "Your account"},
	"settings.role":       {NL: "Rol", EN: "Role"},
	"settings.branches":   {NL: "Vestigingen", EN: "Branches"},
	"lang.nl":             {NL: "Nederlands", EN: "Dutch"},
	"lang.en":             {NL: "Engels", EN: "English"},
	"role.recruiter":      {NL: "Intercedent", EN: "Recruiter"},
	"role.payroll":        {NL: "Salarisadministratie", EN: "Payroll"},
	"role.manager":        {NL: "Vestigingsmanager", EN: "Branch manager"},
	"role.privacy":        {NL: "Privacy officer", EN: "Privacy officer"},
	"role.admin":          {NL: "Beheerder", EN: "Administrator"},
	"role.integration":    {NL: "Koppeling", EN: "Integration"},
}

// formatDate shows a date the Dutch way, dd-mm-jjjj, in both languages
// (the agency's staff read Dutch dates either way).
func formatDate(d kluis.Date) string {
	if d == "" {
		return "—"
	}
	s := string(d)
	if len(s) != 10 {
		return s
	}
	return s[8:10] + "-" + s[5:7] + "-" + s[0:4]
}

var amsterdam = func() *time.Location {
	l, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return l
}()

// formatTime shows a moment in Dutch time as dd-mm-jjjj uu:mm.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(amsterdam).Format("02-01-2006 15:04")
}

// formatMoney shows cents as € 1.234,56.
func formatMoney(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	euros := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range euros {
		if i > 0 && (len(euros)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	out := "€ " + b.String() + "," + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
	if neg {
		out = "€ -" + out[len("€ "):]
	}
	return out
}
