package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"kluis/internal/kluis"
)

// span is a time before today: years, months and days. Negative months lie
// ahead (a fixed-term placement that has not ended yet).
type span struct{ y, m, d int }

func (g *gen) before(s span) time.Time { return g.ago(s.y, s.m, s.d) }

// job is a placement of a hand-made candidate.
type job struct {
	client   int // index in clientSpecs
	function string
	start    span
	end      span // zero: still working
	wage     int64
	kind     string
}

func (j job) ongoing() bool { return j.end == span{} }

// person is one hand-made candidate and their story.
type person struct {
	first, prefix, last string
	nationality         string // empty: NL
	branch              int    // 0 Utrecht, 1 Rotterdam
	city                string
	functions           []string
	registered          span
	lastActive          span // last contact besides the registration; zero: none
	jobs                []job
	consent             span // when they agreed to a longer retention; zero: never
	idCopy, photo, noCV bool
	cvSent              int // 1 + index of a client the CV goes to today; 0: none
	source              string
}

// handMade is the small data set every demo has: a few people in each state
// the retention rules (LEGAL.md §1) tell apart, relative to today.
var handMade = []person{
	// Registered, never placed, recently active: R1 (two years from the last
	// activity) still runs. A fresh ID copy is within R2's four weeks.
	{first: "Sanne", prefix: "de", last: "Vries", city: "Utrecht", functions: []string{"Administratief medewerker", "Receptionist"},
		registered: span{0, 0, 3}, idCopy: true, photo: true, source: "walk-in"},
	{first: "Daan", last: "Bakker", city: "IJsselstein", functions: []string{"Orderpicker", "Heftruckchauffeur"},
		registered: span{0, 0, 12}, lastActive: span{0, 0, 2}, cvSent: 1, source: "website"},
	{first: "Emma", last: "Jansen", city: "Nieuwegein", functions: []string{"Klantenservicemedewerker"},
		registered: span{0, 1, 5}, lastActive: span{0, 0, 9}, idCopy: true, source: "job-board"},
	{first: "Yusuf", last: "Yılmaz", branch: 1, city: "Rotterdam", functions: []string{"Heftruckchauffeur", "Reachtruckchauffeur"},
		registered: span{0, 2, 0}, lastActive: span{0, 0, 20}, cvSent: 5, source: "referral"},
	{first: "Lotte", prefix: "van den", last: "Berg", city: "Zeist", functions: []string{"Zorgassistent", "Helpende zorg en welzijn"},
		registered: span{0, 6, 0}, lastActive: span{0, 0, 20}, source: "website"},
	{first: "Kacper", last: "Nowak", nationality: "PL", branch: 1, city: "Schiedam", functions: []string{"Orderpicker", "Inpakker"},
		registered: span{0, 4, 0}, lastActive: span{0, 1, 2}, cvSent: 8, source: "job-board"},
	{first: "Fleur", last: "Smit", city: "Amersfoort", functions: []string{"Kassamedewerker", "Bediening"},
		registered: span{1, 2, 0}, lastActive: span{0, 3, 0}, source: "walk-in"},
	{first: "Noah", prefix: "El", last: "Amrani", branch: 1, city: "Rotterdam", functions: []string{"Bezorger"},
		registered: span{1, 8, 0}, lastActive: span{1, 6, 0}, source: "website"},

	// Registered, never placed, silent for more than two years: R1 has
	// expired and the clean-up should find them — except Anouk, whose
	// consent keeps her data longer.
	{first: "Bas", last: "Mulder", city: "Utrecht", functions: []string{"Magazijnmedewerker"},
		registered: span{3, 2, 0}, lastActive: span{3, 0, 10}, idCopy: true, source: "walk-in"},
	{first: "Iris", prefix: "de", last: "Jong", city: "Houten", functions: []string{"Receptionist"},
		registered: span{3, 1, 0}, lastActive: span{3, 0, 0}, source: "website"},
	{first: "Mohamed", last: "Bouzid", branch: 1, city: "Rotterdam", functions: []string{"Productiemedewerker"},
		registered: span{3, 6, 0}, lastActive: span{3, 3, 0}, source: "walk-in"},
	{first: "Femke", last: "Visser", branch: 1, city: "Capelle aan den IJssel", functions: []string{"Administratief medewerker"},
		registered: span{4, 0, 0}, lastActive: span{3, 1, 0}, noCV: true, source: "job-board"},
	{first: "Anouk", last: "Hendriks", city: "Utrecht", functions: []string{"Kok", "Afwasser"},
		registered: span{3, 5, 0}, lastActive: span{2, 11, 0}, consent: span{1, 0, 0}, source: "referral"},
	{first: "Ruben", prefix: "de", last: "Graaf", branch: 1, city: "Gouda", functions: []string{"Timmerman", "Opperman"},
		registered: span{2, 2, 0}, lastActive: span{2, 1, 0}, source: "website"},

	// Registered, never placed, last active nearly two years ago: R1 runs
	// out within the month, so the agency asks them for consent to keep
	// their data longer (the privacy officer's desk: one agrees, one
	// declines, two have not answered yet).
	{first: "Wouter", last: "Claassen", city: "Utrecht", functions: []string{"Magazijnmedewerker"},
		registered: span{2, 3, 0}, lastActive: span{1, 11, 12}, source: "website"},
	{first: "Esra", last: "Demir", branch: 1, city: "Rotterdam", functions: []string{"Klantenservicemedewerker"},
		registered: span{2, 4, 0}, lastActive: span{1, 11, 8}, source: "job-board"},
	{first: "Bram", prefix: "van", last: "Rijn", city: "Houten", functions: []string{"Schilder"},
		registered: span{2, 2, 0}, lastActive: span{1, 11, 15}, source: "walk-in"},
	{first: "Naomi", last: "Pinas", branch: 1, city: "Spijkenisse", functions: []string{"Receptionist"},
		registered: span{2, 5, 0}, lastActive: span{1, 11, 4}, source: "referral"},

	// Working now: the personnel file is kept, R3 has not started.
	{first: "Jeroen", prefix: "van", last: "Dijk", city: "Utrecht", functions: []string{"Heftruckchauffeur"},
		registered: span{4, 4, 0}, jobs: []job{{0, "Heftruckchauffeur", span{4, 3, 0}, span{}, 1725, "phase-c"}}, photo: true, source: "walk-in"},
	{first: "Sophie", last: "Meijer", city: "Nieuwegein", functions: []string{"Administratief medewerker"},
		registered: span{0, 6, 0}, jobs: []job{{1, "Administratief medewerker", span{0, 5, 0}, span{}, 1650, "phase-a"}}, source: "website"},
	{first: "Thijs", prefix: "de", last: "Boer", branch: 1, city: "Vlaardingen", functions: []string{"Orderpicker", "Reachtruckchauffeur"},
		registered: span{2, 1, 0}, jobs: []job{{4, "Reachtruckchauffeur", span{2, 0, 0}, span{}, 1610, "phase-b"}}, source: "job-board"},
	{first: "Julia", last: "Peters", city: "Houten", functions: []string{"Productiemedewerker"},
		registered: span{1, 4, 0}, jobs: []job{{2, "Productiemedewerker", span{1, 3, 0}, span{}, 1480, "phase-a"}}, source: "walk-in"},
	{first: "Piotr", last: "Kowalski", nationality: "PL", branch: 1, city: "Naaldwijk", functions: []string{"Kasmedewerker", "Orderpicker"},
		registered: span{2, 0, 0}, jobs: []job{
			{4, "Orderpicker", span{1, 11, 0}, span{1, 3, 0}, 1480, "phase-a"},
			{7, "Kasmedewerker", span{1, 2, 0}, span{}, 1520, "phase-a"},
		}, source: "job-board"},
	{first: "Fatima", last: "Benali", nationality: "MA", branch: 1, city: "Schiedam", functions: []string{"Schoonmaker"},
		registered: span{0, 10, 0}, jobs: []job{{6, "Schoonmaker", span{0, 9, 0}, span{}, 1460, "phase-a"}}, source: "referral"},
	{first: "Lars", last: "Koster", city: "Utrecht", functions: []string{"Magazijnmedewerker"},
		registered: span{0, 1, 0}, jobs: []job{{0, "Magazijnmedewerker", span{0, 0, 20}, span{}, 1450, "phase-a"}}, source: "walk-in"},
	{first: "Mila", last: "Vermeulen", city: "Zeist", functions: []string{"Zorgassistent"},
		registered: span{3, 1, 0}, jobs: []job{{5, "Zorgassistent", span{3, 0, 0}, span{0, 0, -10}, 1790, "phase-b"}}, source: "website"},
	{first: "Stijn", prefix: "van", last: "Leeuwen", branch: 1, city: "Barendrecht", functions: []string{"Vrachtwagenchauffeur C/E"},
		registered: span{1, 1, 0}, jobs: []job{{4, "Vrachtwagenchauffeur C/E", span{1, 0, 0}, span{}, 1890, "phase-a"}}, source: "referral"},
	{first: "Elif", last: "Kaya", branch: 1, city: "Schiedam", functions: []string{"Klantenservicemedewerker"},
		registered: span{0, 4, 0}, jobs: []job{{5, "Receptionist", span{0, 3, 0}, span{}, 1560, "phase-a"}}, source: "website"},

	// Left about a year ago: R3 (two years from the end of employment) runs.
	{first: "Tom", last: "Willems", city: "Utrecht", functions: []string{"Orderpicker"},
		registered: span{3, 2, 0}, jobs: []job{{0, "Orderpicker", span{3, 0, 0}, span{1, 0, 5}, 1520, "phase-b"}}, source: "walk-in"},
	{first: "Eva", last: "Dekker", city: "Amersfoort", functions: []string{"Opperman", "Timmerman"},
		registered: span{1, 9, 0}, jobs: []job{{3, "Timmerman", span{1, 8, 0}, span{1, 1, 0}, 1750, "phase-a"}},
		consent: span{1, 0, 20}, source: "job-board"},
	{first: "Mehmet", last: "Öztürk", branch: 1, city: "Rotterdam", functions: []string{"Productiemedewerker"},
		registered: span{2, 7, 0}, jobs: []job{{4, "Productiemedewerker", span{2, 6, 0}, span{1, 0, 20}, 1490, "phase-a"}}, source: "referral"},
	{first: "Roos", prefix: "van der", last: "Linden", branch: 1, city: "Delft", functions: []string{"Helpende zorg en welzijn"},
		registered: span{1, 7, 0}, jobs: []job{{5, "Helpende zorg en welzijn", span{1, 6, 0}, span{1, 2, 0}, 1610, "phase-a"}}, source: "website"},

	// Left about three years ago: R3 has expired; the ID copy and the
	// payroll-tax form (R4, five years) and payroll (R5, seven) remain.
	{first: "Kevin", prefix: "de", last: "Wit", city: "Utrecht", functions: []string{"Heftruckchauffeur"},
		registered: span{5, 1, 0}, jobs: []job{{0, "Heftruckchauffeur", span{5, 0, 0}, span{3, 0, 10}, 1690, "phase-b"}}, source: "walk-in"},
	{first: "Laura", last: "Brouwer", branch: 1, city: "Rotterdam", functions: []string{"Administratief medewerker"},
		registered: span{4, 1, 0}, jobs: []job{{5, "Administratief medewerker", span{4, 0, 0}, span{3, 2, 0}, 1580, "phase-b"}}, source: "website"},
	{first: "Andrzej", last: "Wiśniewski", nationality: "PL", branch: 1, city: "Dordrecht", functions: []string{"Kasmedewerker"},
		registered: span{3, 9, 0}, jobs: []job{{7, "Kasmedewerker", span{3, 8, 0}, span{3, 1, 0}, 1440, "phase-a"}}, source: "job-board"},
	{first: "Nina", last: "Bos", city: "Houten", functions: []string{"Productiemedewerker"},
		registered: span{3, 7, 0}, jobs: []job{{2, "Productiemedewerker", span{3, 6, 0}, span{3, 0, 20}, 1420, "phase-a"}}, source: "walk-in"},

	// Left about six years ago: R4 has expired too; payroll (R5) remains.
	{first: "Sander", last: "Vos", city: "Utrecht", functions: []string{"Vrachtwagenchauffeur C/E"},
		registered: span{8, 1, 0}, jobs: []job{{3, "Vrachtwagenchauffeur C/E", span{8, 0, 0}, span{6, 0, 15}, 1850, "phase-b"}}, source: "import"},
	{first: "Marloes", last: "Kok", branch: 1, city: "Vlaardingen", functions: []string{"Schoonmaker"},
		registered: span{7, 1, 0}, jobs: []job{{6, "Schoonmaker", span{7, 0, 0}, span{6, 3, 0}, 1390, "phase-a"}}, source: "import"},
	{first: "Ahmed", last: "Haddou", branch: 1, city: "Rotterdam", functions: []string{"Orderpicker"},
		registered: span{6, 10, 0}, jobs: []job{{4, "Orderpicker", span{6, 9, 0}, span{6, 1, 0}, 1360, "phase-a"}}, source: "import"},
	{first: "Chantal", last: "Groen", city: "Woerden", functions: []string{"Kassamedewerker"},
		registered: span{7, 6, 0}, jobs: []job{{2, "Verkoopmedewerker bakkerij", span{7, 5, 0}, span{6, 1, 10}, 1370, "phase-b"}}, source: "import"},

	// Left about eight years ago: even the payroll minimum (R5) has run
	// out; nothing of them may remain.
	{first: "Peter", last: "Janssen", city: "Utrecht", functions: []string{"Magazijnmedewerker"},
		registered: span{10, 1, 0}, jobs: []job{{0, "Magazijnmedewerker", span{10, 0, 0}, span{8, 0, 10}, 1580, "phase-b"}}, source: "import"},
	{first: "Linda", last: "Schouten", branch: 1, city: "Rotterdam", functions: []string{"Receptionist"},
		registered: span{9, 7, 0}, jobs: []job{{5, "Receptionist", span{9, 6, 0}, span{8, 4, 0}, 1450, "phase-a"}}, source: "import"},
	{first: "Hans", prefix: "van der", last: "Meer", city: "Amersfoort", functions: []string{"Timmerman"},
		registered: span{12, 1, 0}, jobs: []job{{3, "Timmerman", span{12, 0, 0}, span{8, 1, 0}, 1900, "phase-c"}}, source: "import"},

	// Left five years ago and registered again this month: old payroll
	// under R5 next to a fresh registration under R1.
	{first: "Zoë", last: "Maas", city: "Maarssen", functions: []string{"Bediening", "Kok"},
		registered: span{6, 0, 0}, lastActive: span{0, 0, 14}, jobs: []job{{2, "Bediening", span{5, 11, 0}, span{5, 0, 0}, 1380, "phase-a"}}, source: "walk-in"},
}

// state is what the retention rules see in a person: working now, never
// placed, or the whole years since the last placement ended.
func (p person) state(g *gen) (working bool, neverWorked bool, yearsLeft int) {
	if len(p.jobs) == 0 {
		return false, true, 0
	}
	var last time.Time
	for _, j := range p.jobs {
		if g.runs(j) {
			return true, false, 0
		}
		if e := g.before(j.end); e.After(last) {
			last = e
		}
	}
	return false, false, yearsBetween(last, g.today)
}

// runs reports whether j has not ended before today.
func (g *gen) runs(j job) bool { return j.ongoing() || !g.before(j.end).Before(g.today) }

func yearsBetween(from, to time.Time) int {
	n := to.Year() - from.Year()
	if to.YearDay() < from.YearDay() {
		n--
	}
	return n
}

func (a *agency) createHandMade(ctx context.Context, g *gen) error {
	if a.db.Blobs() == nil {
		return fmt.Errorf("demo: the store has no blob store for the demo's documents")
	}
	for i, p := range handMade {
		if _, err := a.createPerson(ctx, g, i, p); err != nil {
			return fmt.Errorf("demo: %s %s: %w", p.first, p.last, err)
		}
	}
	return nil
}

// personFiles are a hand-made candidate's uploads, by kind.
type personFiles struct {
	cv *kluis.Document
}

func (a *agency) createPerson(ctx context.Context, g *gen, i int, p person) (*kluis.Candidate, error) {
	actor := a.actors[p.branch]
	pl := placeOf(p.branch, p.city)
	nat := p.nationality
	if nat == "" {
		nat = "NL"
	}
	street := g.pick(streets)
	house, addition := g.houseNumber()
	registered := g.before(p.registered)
	domain := "example.nl"
	if i%3 == 2 {
		domain = "example.com"
	}
	c := &kluis.Candidate{
		BranchID: a.branches[p.branch].ID, Status: "registered",
		Initials: g.initials(p.first), FirstName: p.first, Prefix: p.prefix, LastName: p.last,
		DateOfBirth: date(g.ago(g.between(19, 58), 0, g.r.IntN(365))), Nationality: nat,
		Email: emailLocal(p.first, p.prefix+p.last) + "@" + domain, Phone: g.newMobile(),
		Street: street, HouseNumber: house, HouseNumberAddition: addition, Postcode: g.postcode(pl), City: p.city,
		Functions: p.functions, Availability: g.pick([]string{"fulltime", "parttime", "fulltime", "weekends", "on-call"}),
		RegisteredOn: date(registered), Source: p.source,
	}
	if err := a.db.CreateCandidate(ctx, actor, c); err != nil {
		return nil, err
	}
	note := func(kind string, day time.Time, text string) error {
		m := &kluis.ContactMoment{CandidateID: c.ID, Kind: kind, At: g.at(day), Note: text}
		return a.db.CreateContactMoment(ctx, actor, m)
	}
	if err := note("check-in", registered, "Ingeschreven bij vestiging "+a.branches[p.branch].Name+"."); err != nil {
		return nil, err
	}
	// A paper statement from before kluis proves no version: kluis
	// records the proof itself when it shows the current one (desk.go).
	if err := note("other", registered, "Papieren privacyverklaring van vóór kluis meegegeven."); err != nil {
		return nil, err
	}
	files := personFiles{}
	if !p.noCV {
		d, err := a.upload(ctx, actor, c, "cv", "CV "+c.Name()+".pdf", pdfDocument("Curriculum vitae",
			c.Name(), c.Street+" "+c.HouseNumber+c.HouseNumberAddition, c.Postcode+" "+c.City, c.Phone+" · "+c.Email, "",
			"Gewenste functies: "+joinComma(p.functions), "Werkervaring: "+g.pick([]string{"3 jaar", "5 jaar", "1 jaar", "10 jaar"})+" als "+p.functions[0]+".",
			"Opleiding: "+g.pick([]string{"MBO niveau 2", "MBO niveau 3", "VMBO", "HAVO", "MBO niveau 4"})+"."))
		if err != nil {
			return nil, err
		}
		files.cv = d
	}
	if p.photo {
		if _, err := a.upload(ctx, actor, c, "photo", "pasfoto.png", pngImage(false, uint8(g.r.IntN(256)))); err != nil { // #nosec G115 -- IntN(256) fits a byte
			return nil, err
		}
	}
	if p.idCopy || len(p.jobs) > 0 {
		if _, err := a.upload(ctx, actor, c, "id-copy", "kopie-id.png", pngImage(true, uint8(g.r.IntN(256)))); err != nil { // #nosec G115 -- IntN(256) fits a byte
			return nil, err
		}
		c.IDDocumentType = "id-card"
		switch {
		case !eea[nat]:
			c.IDDocumentType = "residence-permit"
		case nat != "NL" || g.chance(0.3):
			c.IDDocumentType = "passport"
		}
		c.IDDocumentNumber = g.idDocumentNumber()
		c.IDDocumentExpiry = date(g.today.AddDate(g.between(1, 9), g.between(0, 11), 0))
	}

	// History between the registration and the last activity.
	if p.lastActive != (span{}) {
		last := g.before(p.lastActive)
		for k := g.between(0, 2); k > 0; k-- {
			kind := g.pick([]string{"phone", "phone", "email", "visit"})
			if err := note(kind, g.dayBetween(registered, last), g.pick(contactNotes[kind])); err != nil {
				return nil, err
			}
		}
		kind := g.pick([]string{"phone", "email"})
		if err := note(kind, last, g.pick(contactNotes[kind])); err != nil {
			return nil, err
		}
	}
	if p.consent != (span{}) {
		day := g.before(p.consent)
		until := day.AddDate(2, 0, 0)
		if err := note("consent", day, "Toestemming om de gegevens langer te bewaren voor toekomstige vacatures, tot "+
			until.Format("02-01-2006")+". Kanaal: e-mail. Tekst: toestemmingsverzoek versie 2 (\"Mogen wij uw gegevens "+
			"nog twee jaar bewaren?\"). De kandidaat kan de toestemming altijd intrekken."); err != nil {
			return nil, err
		}
	}

	var pls []*kluis.Placement
	for _, j := range p.jobs {
		pl, err := a.place(ctx, g, c, actor, j, files)
		if err != nil {
			return nil, err
		}
		pls = append(pls, pl)
	}
	if len(p.jobs) > 0 {
		if err := a.hire(ctx, g, c, actor, p); err != nil {
			return nil, err
		}
		for k, j := range p.jobs {
			if err := a.pay(ctx, g, c, j, pls[k]); err != nil {
				return nil, err
			}
		}
	} else {
		c.Status = "available"
		switch {
		case registered.After(g.ago(0, 2, 0)):
			c.Status = "registered"
		case p.lastActive != (span{}) && g.before(p.lastActive).Before(g.ago(1, 0, 0)):
			c.Status, c.Availability = "inactive", "none"
		}
		if err := a.db.UpdateCandidate(ctx, actor, c, c.Version); err != nil {
			return nil, err
		}
	}
	if p.cvSent > 0 && files.cv != nil {
		cl := a.clients[p.cvSent-1]
		if _, err := a.db.DiscloseDocument(ctx, actor, files.cv.ID, cl.ID, "Voorgesteld voor een vacature als "+p.functions[0]+"."); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func joinComma(list []string) string {
	s := ""
	for i, x := range list {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}

// hire records what follows from employment once the candidate has a
// placement: BSN, IBAN and identity document (refused before, UAVG art. 46),
// the payroll-tax form, and the recipients their payroll data go to.
func (a *agency) hire(ctx context.Context, g *gen, c *kluis.Candidate, actor kluis.Actor, p person) error {
	first, working := g.before(p.jobs[0].start), false
	var lastEnd time.Time
	for _, j := range p.jobs {
		if g.runs(j) {
			working = true
		} else if e := g.before(j.end); e.After(lastEnd) {
			lastEnd = e
		}
	}
	c.BSN, c.IBAN = g.ids.newBSN(), g.newIBAN()
	c.Status = "left"
	if working {
		c.Status = "working"
	} else {
		c.Availability = "none"
	}
	if p.lastActive != (span{}) && g.before(p.lastActive).After(lastEnd) {
		c.Status, c.Availability = "available", "parttime"
	}
	if err := a.db.UpdateCandidate(ctx, actor, c, c.Version); err != nil {
		return err
	}
	if _, err := a.upload(ctx, a.payroll, c, "payroll-tax-form", "loonbelastingverklaring.pdf", pdfDocument("Opgaaf gegevens voor de loonheffingen",
		"Naam: "+c.Name(), "Geboortedatum: "+c.DateOfBirth.Time().Format("02-01-2006"), "BSN: "+c.BSN,
		"Adres: "+c.Street+" "+c.HouseNumber+c.HouseNumberAddition+", "+c.Postcode+" "+c.City,
		"Loonheffingskorting toepassen: ja, met ingang van "+first.Format("02-01-2006")+".",
		"Datum en handtekening: "+first.Format("02-01-2006"))); err != nil {
		return err
	}
	if c.Nationality != "" && !eea[c.Nationality] {
		if _, err := a.upload(ctx, a.payroll, c, "work-permit", "tewerkstellingsvergunning.pdf", pdfDocument("Verblijfsdocument met aantekening arbeid",
			"Naam: "+c.Name(), "Nationaliteit: "+c.Nationality, "Arbeid vrij toegestaan; TWV niet vereist.",
			"Geldig tot: "+c.IDDocumentExpiry.Time().Format("02-01-2006"))); err != nil {
			return err
		}
	}
	disclose := func(kind, recipient, purpose string, day time.Time, cats ...string) error {
		return a.db.CreateDisclosure(ctx, a.payroll, &kluis.Disclosure{CandidateID: c.ID, RecipientKind: kind, Recipient: recipient,
			Categories: cats, Purpose: purpose, DisclosedAt: g.at(day)})
	}
	if err := disclose("payroll-provider", "Loonverwerking Midden B.V.", "Salarisadministratie en aangifte loonheffingen.",
		first, "identity", "bsn", "financial", "employment", "payroll"); err != nil {
		return err
	}
	// The sector pension scheme starts after eight weeks of work.
	if pension := first.AddDate(0, 0, 8*7); pension.Before(g.today) && (working || lastEnd.After(pension)) {
		if err := disclose("pension-fund", "Stichting Pensioenfonds voor Personeelsdiensten (StiPP)", "Deelname aan de pensioenregeling voor uitzendkrachten.",
			pension, "identity", "bsn", "employment", "payroll"); err != nil {
			return err
		}
	}
	if p.first == "Tom" {
		if err := disclose("uwv", "UWV", "Ziekmelding Ziektewet na het einde van het dienstverband (alleen de verwachte hersteldatum).",
			lastEnd.AddDate(0, 0, 3), "identity", "bsn", "employment"); err != nil {
			return err
		}
	}
	return nil
}

// place records one placement with what goes with it: the CV sent to the
// client first, the contract and the history.
func (a *agency) place(ctx context.Context, g *gen, c *kluis.Candidate, actor kluis.Actor, j job, files personFiles) (*kluis.Placement, error) {
	cl := a.clients[j.client]
	start := g.before(j.start)
	note := func(kind string, day time.Time, text string) error {
		return a.db.CreateContactMoment(ctx, actor, &kluis.ContactMoment{CandidateID: c.ID, Kind: kind, At: g.at(day), Note: text})
	}
	proposed := start.AddDate(0, 0, -g.between(5, 20))
	if files.cv != nil {
		// DiscloseDocument dates a disclosure today; this one happened
		// before the placement, so it is recorded as it would have been then.
		if err := a.db.CreateDisclosure(ctx, actor, &kluis.Disclosure{CandidateID: c.ID, RecipientKind: "client", ClientID: cl.ID,
			Categories: []string{"identity", "contact", "documents"}, Purpose: "Voorgesteld voor de functie " + j.function + ".",
			DisclosedAt: g.at(proposed)}); err != nil {
			return nil, err
		}
		if err := note("cv-sent", proposed, "CV verstuurd naar "+cl.Name+" voor de functie "+j.function+"."); err != nil {
			return nil, err
		}
	}
	if err := note("phone", start.AddDate(0, 0, -2), "Plaatsing bij "+cl.Name+" als "+j.function+" besproken; start op "+start.Format("02-01-2006")+"."); err != nil {
		return nil, err
	}
	pl := &kluis.Placement{CandidateID: c.ID, ClientID: cl.ID, Function: j.function, StartDate: date(start),
		HourlyWageCents: wageIn(j.wage, start.Year(), g.today.Year()), ContractKind: j.kind}
	if !j.ongoing() {
		pl.EndDate = date(g.before(j.end))
	}
	if err := a.db.CreatePlacement(ctx, actor, pl); err != nil {
		return nil, err
	}
	if _, err := a.upload(ctx, a.payroll, c, "contract", "uitzendovereenkomst.pdf", pdfDocument("Uitzendovereenkomst ("+kindName(j.kind)+")",
		"Uitzendbureau: "+Name, "Uitzendkracht: "+c.Name()+", geboren "+c.DateOfBirth.Time().Format("02-01-2006"),
		"Opdrachtgever: "+cl.Name, "Functie: "+j.function, "Ingangsdatum: "+start.Format("02-01-2006"),
		"Einddatum: "+orOpen(pl.EndDate), "Uurloon: "+euro(pl.HourlyWageCents)+" bruto", "Cao: ABU-cao voor uitzendkrachten.")); err != nil {
		return nil, err
	}
	if !j.ongoing() {
		if e := g.before(j.end); e.Before(g.today) {
			if err := note("visit", e, "Einde plaatsing bij "+cl.Name+"; eindgesprek gevoerd."); err != nil {
				return nil, err
			}
		}
	}
	return pl, nil
}

// pay records a payroll record for every month of a placement, with pay
// slips for the last three and annual statements for its last years. It
// runs after hire, as pay slips and statements carry the IBAN and BSN.
func (a *agency) pay(ctx context.Context, g *gen, c *kluis.Candidate, j job, pl *kluis.Placement) error {
	cl := a.clients[j.client]
	start := g.before(j.start)
	end := g.today.AddDate(0, -1, 0) // payroll runs to the last full month
	if !j.ongoing() && g.before(j.end).Before(end) {
		end = g.before(j.end)
	}

	periods := months(start, end)
	if !start.Before(end) {
		periods = nil
	}
	yearGross := map[int][2]int64{}
	for k, ym := range periods {
		gross, net := g.monthlyPay(wageIn(j.wage, ym[0], g.today.Year()))
		r := &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: pl.ID, Year: ym[0], Period: ym[1], GrossCents: gross, NetCents: net}
		if k >= len(periods)-3 {
			slip, err := a.upload(ctx, a.payroll, c, "pay-slip", fmt.Sprintf("loonstrook-%d-%02d.pdf", ym[0], ym[1]), pdfDocument(
				fmt.Sprintf("Loonstrook periode %02d-%d", ym[1], ym[0]),
				"Werkgever: "+Name, "Werknemer: "+c.Name(), "Opdrachtgever: "+cl.Name, "Functie: "+j.function,
				"Uurloon: "+euro(wageIn(j.wage, ym[0], g.today.Year())), "Brutoloon: "+euro(gross), "Nettoloon: "+euro(net),
				"Uitbetaald op rekening "+maskIBAN(c.IBAN)+"."))
			if err != nil {
				return err
			}
			r.DocumentID = slip.ID
		}
		if err := a.db.CreatePayrollRecord(ctx, a.payroll, r); err != nil {
			return err
		}
		t := yearGross[ym[0]]
		yearGross[ym[0]] = [2]int64{t[0] + gross, t[1] + net}
	}
	// Annual statements for the last three finished years of the placement.
	for y := g.today.Year() - 1; y >= g.today.Year()-12; y-- {
		t, ok := yearGross[y]
		if !ok || y < end.Year()-2 {
			continue
		}
		if _, err := a.upload(ctx, a.payroll, c, "annual-statement", fmt.Sprintf("jaaropgaaf-%d.pdf", y), pdfDocument(
			fmt.Sprintf("Jaaropgaaf %d", y), "Werkgever: "+Name, "Werknemer: "+c.Name(), "BSN: "+c.BSN,
			"Loon voor de loonheffingen: "+euro(t[0]), "Uitbetaald netto: "+euro(t[1]))); err != nil {
			return err
		}
	}
	return nil
}

// upload stores a generated file as a document of the candidate.
func (a *agency) upload(ctx context.Context, actor kluis.Actor, c *kluis.Candidate, kind, name string, content []byte) (*kluis.Document, error) {
	d := &kluis.Document{CandidateID: c.ID, Kind: kind, FileName: name}
	if err := a.db.CreateDocument(ctx, actor, d, bytes.NewReader(content)); err != nil {
		return nil, fmt.Errorf("upload %s: %w", kind, err)
	}
	return d, nil
}

func kindName(kind string) string {
	for _, k := range kluis.ContractKinds {
		if k.Value == kind {
			return k.Label.NL
		}
	}
	return kind
}

func orOpen(d kluis.Date) string {
	if d == "" {
		return "onbepaald"
	}
	return d.Time().Format("02-01-2006")
}

// euro formats cents the Dutch way: € 1.234,56.
func euro(cents int64) string {
	whole, frac := cents/100, cents%100
	s := fmt.Sprint(whole)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return fmt.Sprintf("€ %s,%02d", s, frac)
}

// maskIBAN shows only the last four digits, as a pay slip should.
func maskIBAN(iban string) string {
	if len(iban) < 4 {
		return iban
	}
	return "NL** **** **** **" + iban[len(iban)-4:]
}
