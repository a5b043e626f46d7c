package importer

import (
	"context"
	"strconv"
	"strings"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// source is where a record of the set came from.
type source struct {
	file *loadedFile
	line int
}

// ref is a record of the set an external id names.
type ref struct {
	index int
	src   source
}

// builder turns rows into the store's ImportSet and remembers, for every
// record, the line it came from.
type builder struct {
	set          store.ImportSet
	branchByName map[string]kluis.ID
	onlyBranch   kluis.ID
	clientIDs    map[string]ref
	candidateIDs map[string]ref
	judge        map[Kind]bool // references to this kind can be called unknown
	srcs         map[string][]source
}

func newBuilder(branches []kluis.Branch, files []*loadedFile) *builder {
	b := &builder{branchByName: map[string]kluis.ID{}, clientIDs: map[string]ref{}, candidateIDs: map[string]ref{},
		judge: map[Kind]bool{Clients: true, Candidates: true}, srcs: map[string][]source{}}
	for _, br := range branches {
		b.branchByName[strings.ToLower(strings.TrimSpace(br.Name))] = br.ID
	}
	if len(branches) == 1 {
		b.onlyBranch = branches[0].ID
	}
	// A reference into a file that could not be read to the end (or whose
	// kind is unknown) may well be fine: calling it unknown would bury the
	// one real problem under a line for every placement.
	for _, lf := range files {
		if lf.kind == "" {
			b.judge[Clients], b.judge[Candidates] = false, false
		} else if !lf.complete {
			b.judge[lf.kind] = false
		}
	}
	return b
}

// add reads the rows of one file into the set.
func (b *builder) add(ctx context.Context, lf *loadedFile, p *progress) error {
	for i, r := range lf.sheet.rows {
		if i%1000 == 999 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if lf.usable {
			c := lf.cells(r)
			switch lf.kind {
			case Clients:
				b.client(c)
			case Candidates:
				b.candidate(c)
			case Placements:
				b.placement(c)
			case ContactMoments:
				b.contactMoment(c)
			}
		}
		p.step()
	}
	return nil
}

// cells is one row laid out by column.
type cells struct {
	lf   *loadedFile
	line int
	text []string // per layout column
	raw  []string // per layout column; nil for CSV
}

func (lf *loadedFile) cells(r row) *cells {
	n := len(layouts[lf.kind])
	c := &cells{lf: lf, line: r.line, text: make([]string, n)}
	if r.raw != nil {
		c.raw = make([]string, n)
	}
	for i, v := range r.cells {
		j := -1
		if i < len(lf.header.cols) {
			j = lf.header.cols[i]
		}
		if j >= 0 {
			c.text[j] = v
			continue
		}
		// A cell under an unknown column was reported with the header; one
		// under no column at all is a value kluis would silently drop.
		if strings.TrimSpace(v) != "" && (i >= len(lf.sheet.header) || headerKey(lf.sheet.header[i]) == "") {
			c.problem("", kluis.Msg{
				NL: "Deze regel heeft een waarde in een kolom zonder kolomnaam.",
				EN: "This line has a value in a column without a name.",
			})
		}
	}
	for i, v := range r.raw {
		if i < len(lf.header.cols) && lf.header.cols[i] >= 0 {
			c.raw[lf.header.cols[i]] = v
		}
	}
	return c
}

func (c *cells) problem(field string, m kluis.Msg) {
	c.lf.problem(Problem{Line: c.line, Field: field, Message: m})
}

func (c *cells) required(field string) {
	c.problem(field, kluis.Msg{NL: "Dit veld is verplicht.", EN: "This field is required."})
}

// str returns a text cell. A leading apostrophe before a number is Excel's
// way to keep "'0612345678" text; it is dropped there and only there, since
// Dutch names such as "'t Hart" start with one too.
func (c *cells) str(name string) string {
	s := strings.TrimSpace(c.text[columnIndex[c.lf.kind][name]])
	if len(s) > 1 && s[0] == '\'' && (s[1] == '+' || s[1] >= '0' && s[1] <= '9') {
		s = s[1:]
	}
	return s
}

// date returns a date cell for Validate to parse; an XLSX date cell (a
// serial number whatever its display format) is turned into yyyy-mm-dd.
func (c *cells) date(name string) kluis.Date {
	j := columnIndex[c.lf.kind][name]
	if c.raw != nil {
		if t, ok := excelSerial(c.raw[j], c.lf.sheet.date1904); ok {
			return kluis.Date(t.Format("2006-01-02"))
		}
	}
	return kluis.Date(c.str(name))
}

// Layouts of a moment written as text; without a zone they are local time.
var momentLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04",
	"02-01-2006 15:04:05", "02-01-2006 15:04", "2-1-2006 15:04:05", "2-1-2006 15:04",
}

// moment returns a date-time cell; a date alone is midnight.
func (c *cells) moment(name string) time.Time {
	j := columnIndex[c.lf.kind][name]
	loc := c.lf.loc
	if c.raw != nil {
		if t, ok := excelSerial(c.raw[j], c.lf.sheet.date1904); ok {
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
		}
	}
	s := c.str(name)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	for _, layout := range momentLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t
		}
	}
	if d, ok := kluis.ParseDate(s); ok {
		t := d.Time()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	c.problem(name, kluis.Msg{
		NL: "Geen geldig tijdstip; gebruik dd-mm-jjjj uu:mm of jjjj-mm-dd uu:mm.",
		EN: "Not a valid time; use dd-mm-yyyy hh:mm or yyyy-mm-dd hh:mm.",
	})
	return time.Time{}
}

// integer returns a whole-number cell, 0 when empty.
func (c *cells) integer(name string) int64 {
	j := columnIndex[c.lf.kind][name]
	s := c.str(name)
	if c.raw != nil && strings.TrimSpace(c.raw[j]) != "" {
		s = strings.TrimSpace(c.raw[j])
	}
	if s == "" {
		return 0
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	// XLSX stores every number as a decimal; 1450 may come as "1450.0".
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		return int64(f)
	}
	c.problem(name, kluis.Msg{NL: "Geen geheel getal.", EN: "Not a whole number."})
	return 0
}

// branch resolves the branch column by name. An agency with one branch
// may leave it out.
func (b *builder) branch(c *cells) kluis.ID {
	name := c.str("branch")
	if name == "" {
		if b.onlyBranch == 0 {
			c.problem("branch", kluis.Msg{
				NL: "Vul de vestiging in; deze organisatie heeft meer dan één vestiging.",
				EN: "Fill in the branch; this agency has more than one.",
			})
		}
		return b.onlyBranch
	}
	id, ok := b.branchByName[strings.ToLower(name)]
	if !ok {
		c.problem("branch", kluis.Msg{
			NL: "Onbekende vestiging; gebruik de naam van een vestiging zoals die in kluis staat.",
			EN: "Unknown branch; use the name of a branch as it is in kluis.",
		})
	}
	return id
}

// register records the external id of a client or candidate at index.
func (b *builder) register(ids map[string]ref, c *cells, index int) {
	ext, ok := kluis.CleanLine(c.str("external_id"), 100)
	switch {
	case !ok:
		c.problem("external_id", kluis.Msg{NL: "Gebruik hooguit 100 tekens op één regel.", EN: "Use at most 100 characters on one line."})
	case ext == "":
		c.required("external_id")
	default:
		if prev, dup := ids[ext]; dup {
			where := "regel " + strconv.Itoa(prev.src.line)
			whereEN := "line " + strconv.Itoa(prev.src.line)
			if prev.src.file != c.lf {
				where += " van " + quote(prev.src.file.Name)
				whereEN += " of " + quote(prev.src.file.Name)
			}
			c.problem("external_id", kluis.Msg{NL: "Dit external_id komt al voor op " + where + ".", EN: "This external_id is already used on " + whereEN + "."})
			return
		}
		ids[ext] = ref{index: index, src: source{c.lf, c.line}}
	}
}

// resolve finds the record an external id column refers to; -1 if none.
func (b *builder) resolve(ids map[string]ref, c *cells, field string, kind Kind) int {
	ext := c.str(field)
	if ext == "" {
		c.required(field)
		return -1
	}
	if r, ok := ids[ext]; ok {
		return r.index
	}
	if b.judge[kind] {
		what, whatEN := "kandidaat", "candidate"
		if kind == Clients {
			what, whatEN = "opdrachtgever", "client"
		}
		c.problem(field, kluis.Msg{
			NL: "Geen " + what + " met dit external_id in de import. Importeer de " + what + " in dezelfde set.",
			EN: "No " + whatEN + " with this external_id in the import. Import the " + whatEN + " in the same set.",
		})
	}
	return -1
}

func (b *builder) client(c *cells) {
	b.register(b.clientIDs, c, len(b.set.Clients))
	b.set.Clients = append(b.set.Clients, kluis.Client{
		BranchID:    b.branch(c),
		Name:        c.str("name"),
		KvKNumber:   c.str("kvk_number"),
		Street:      c.str("street"),
		HouseNumber: c.str("house_number"),
		Postcode:    c.str("postcode"),
		City:        c.str("city"),
		Country:     strings.ToUpper(c.str("country")),
		Email:       c.str("email"),
		Phone:       c.str("phone"),
	})
	b.srcs[store.ImportClients] = append(b.srcs[store.ImportClients], source{c.lf, c.line})
}

func (b *builder) candidate(c *cells) {
	b.register(b.candidateIDs, c, len(b.set.Candidates))
	var functions []string
	for _, f := range strings.Split(c.str("functions"), "|") {
		if f = strings.TrimSpace(f); f != "" {
			functions = append(functions, f)
		}
	}
	origin := choice(c.str("source"), kluis.CandidateSources)
	if origin == "" {
		origin = "import" // the previous system is where kluis got them from (art. 14(2)(f))
	}
	b.set.Candidates = append(b.set.Candidates, kluis.Candidate{
		BranchID:            b.branch(c),
		Status:              choice(c.str("status"), kluis.CandidateStatuses),
		Initials:            c.str("initials"),
		FirstName:           c.str("first_name"),
		Prefix:              c.str("prefix"),
		LastName:            c.str("last_name"),
		DateOfBirth:         c.date("date_of_birth"),
		Nationality:         c.str("nationality"),
		Email:               c.str("email"),
		Phone:               c.str("phone"),
		Street:              c.str("street"),
		HouseNumber:         c.str("house_number"),
		HouseNumberAddition: c.str("house_number_addition"),
		Postcode:            c.str("postcode"),
		City:                c.str("city"),
		Country:             c.str("country"),
		IBAN:                c.str("iban"),
		IDDocumentType:      choice(c.str("id_document_type"), kluis.IDDocumentTypes),
		IDDocumentNumber:    c.str("id_document_number"),
		IDDocumentExpiry:    c.date("id_document_expiry"),
		Functions:           functions,
		Availability:        choice(c.str("availability"), kluis.Availabilities),
		RegisteredOn:        c.date("registered_on"),
		Source:              origin,
	})
	b.srcs[store.ImportCandidates] = append(b.srcs[store.ImportCandidates], source{c.lf, c.line})
}

func (b *builder) placement(c *cells) {
	b.set.Placements = append(b.set.Placements, store.ImportPlacement{
		Candidate: b.resolve(b.candidateIDs, c, "candidate_external_id", Candidates),
		Client:    b.resolve(b.clientIDs, c, "client_external_id", Clients),
		Placement: kluis.Placement{
			Function:        c.str("function"),
			StartDate:       c.date("start_date"),
			EndDate:         c.date("end_date"),
			HourlyWageCents: c.integer("hourly_wage_cents"),
			ContractKind:    choice(c.str("contract_kind"), kluis.ContractKinds),
		},
	})
	b.srcs[store.ImportPlacements] = append(b.srcs[store.ImportPlacements], source{c.lf, c.line})
}

func (b *builder) contactMoment(c *cells) {
	at := c.moment("at")
	if at.IsZero() && c.str("at") == "" {
		// Validate would take an empty time as "now": wrong for history.
		c.required("at")
	}
	b.set.ContactMoments = append(b.set.ContactMoments, store.ImportContactMoment{
		Candidate: b.resolve(b.candidateIDs, c, "candidate_external_id", Candidates),
		ContactMoment: kluis.ContactMoment{
			Kind: choice(c.str("kind"), kluis.ContactKinds),
			At:   at,
			Note: c.text[columnIndex[ContactMoments]["note"]],
		},
	})
	b.srcs[store.ImportContactMoments] = append(b.srcs[store.ImportContactMoments], source{c.lf, c.line})
}

// storeFields maps the domain's field names onto the layout's columns
// where the two differ.
var storeFields = map[string]string{"branch_id": "branch"}

// storeProblems puts the store's findings at the lines their records came
// from. References are the importer's own business: it reported them (or
// knowingly did not) when it resolved the external ids.
func (b *builder) storeProblems(ps store.ImportProblems) {
	for _, p := range ps {
		if p.Field == "candidate_id" || p.Field == "client_id" {
			continue
		}
		srcs := b.srcs[p.Records]
		if p.Index < 0 || p.Index >= len(srcs) {
			continue
		}
		field := p.Field
		if f, ok := storeFields[field]; ok {
			field = f
		}
		src := srcs[p.Index]
		src.file.problem(Problem{Line: src.line, Field: field, Message: p.Message})
	}
}
