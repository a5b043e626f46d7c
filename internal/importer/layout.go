package importer

import (
	"sort"
	"strings"

	"kluis/internal/kluis"
)

// Kind is what one file holds: one kind of record per file.
type Kind string

const (
	Clients        Kind = "clients"
	Candidates     Kind = "candidates"
	Placements     Kind = "placements"
	ContactMoments Kind = "contact-moments"
)

// Kinds lists the kinds in the order a set is processed: each kind refers
// only to kinds before it.
var Kinds = []Kind{Clients, Candidates, Placements, ContactMoments}

var kindNames = map[string]Kind{
	"clients": Clients, "client": Clients, "opdrachtgevers": Clients, "opdrachtgever": Clients, "relaties": Clients,
	"candidates": Candidates, "candidate": Candidates, "kandidaten": Candidates, "kandidaat": Candidates,
	"placements": Placements, "placement": Placements, "plaatsingen": Placements, "plaatsing": Placements,
	"contact-moments": ContactMoments, "contact-moment": ContactMoments, "contactmoments": ContactMoments,
	"contactmomenten": ContactMoments, "contactmoment": ContactMoments, "historie": ContactMoments,
}

// ParseKind reads a kind as a user names it on the command line or in a
// form, in English or Dutch ("kandidaten", "opdrachtgevers", …).
func ParseKind(s string) (Kind, error) {
	if k, ok := kindNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return k, nil
	}
	return "", kluis.Errorf(kluis.EInvalid,
		"Onbekend soort bestand; kies clients, candidates, placements of contact-moments.",
		"Unknown kind of file; choose clients, candidates, placements or contact-moments.")
}

func (k Kind) order() int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// valueType says how a cell is read into its field.
type valueType int

const (
	textValue     valueType = iota
	dateValue               // a calendar date; in XLSX also a date cell
	dateTimeValue           // a moment; in XLSX also a date-time cell
	integerValue            // whole number
	listValue               // values separated by "|"
)

// Column is one column of a kind's layout.
type Column struct {
	Name     string   // the English name: the JSON field name of the domain type
	Aliases  []string // Dutch names accepted in its place
	Required bool     // the column must be there (and its cells filled)
	typ      valueType
}

func col(name string, required bool, typ valueType, aliases ...string) Column {
	return Column{Name: name, Aliases: aliases, Required: required, typ: typ}
}

// The layouts. Each column name is the JSON field name of the domain type,
// except where a reference replaces an id: branch (by name) for branch_id,
// and candidate_external_id / client_external_id for the ids of records in
// the same set.
var layouts = map[Kind][]Column{
	Clients: {
		col("external_id", true, textValue, "extern_id", "externe_id", "extern_nummer", "relatienummer"),
		col("branch", false, textValue, "vestiging"),
		col("name", true, textValue, "naam", "bedrijfsnaam"),
		col("kvk_number", false, textValue, "kvk_nummer", "kvk"),
		col("street", false, textValue, "straat"),
		col("house_number", false, textValue, "huisnummer"),
		col("postcode", false, textValue),
		col("city", false, textValue, "plaats", "vestigingsplaats"),
		col("country", false, textValue, "land"),
		col("email", false, textValue, "e-mail", "e-mailadres", "emailadres"),
		col("phone", false, textValue, "telefoon", "telefoonnummer"),
	},
	Candidates: {
		col("external_id", true, textValue, "extern_id", "externe_id", "extern_nummer", "kandidaatnummer"),
		col("branch", false, textValue, "vestiging"),
		col("initials", false, textValue, "voorletters"),
		col("first_name", false, textValue, "voornaam", "roepnaam"),
		col("prefix", false, textValue, "tussenvoegsel", "tussenvoegsels"),
		col("last_name", true, textValue, "achternaam"),
		col("date_of_birth", false, dateValue, "geboortedatum"),
		col("nationality", false, textValue, "nationaliteit"),
		col("email", false, textValue, "e-mail", "e-mailadres", "emailadres"),
		col("phone", false, textValue, "telefoon", "telefoonnummer", "mobiel"),
		col("street", false, textValue, "straat"),
		col("house_number", false, textValue, "huisnummer"),
		col("house_number_addition", false, textValue, "toevoeging", "huisnummertoevoeging"),
		col("postcode", false, textValue),
		col("city", false, textValue, "woonplaats", "plaats"),
		col("country", false, textValue, "land"),
		col("iban", false, textValue, "rekeningnummer"),
		col("id_document_type", false, textValue, "soort_legitimatie", "legitimatiebewijs"),
		col("id_document_number", false, textValue, "documentnummer", "legitimatienummer"),
		col("id_document_expiry", false, dateValue, "geldig_tot", "vervaldatum_legitimatie"),
		col("functions", false, listValue, "functies"),
		col("availability", false, textValue, "beschikbaarheid"),
		col("registered_on", false, dateValue, "inschrijfdatum", "ingeschreven_op"),
		col("source", false, textValue, "bron", "herkomst"),
		col("status", false, textValue),
	},
	Placements: {
		col("external_id", false, textValue, "extern_id", "externe_id", "extern_nummer", "plaatsingsnummer"),
		col("candidate_external_id", true, textValue, "kandidaat_extern_id", "kandidaat_externe_id", "kandidaatnummer"),
		col("client_external_id", true, textValue, "opdrachtgever_extern_id", "opdrachtgever_externe_id", "relatienummer"),
		col("function", true, textValue, "functie"),
		col("start_date", true, dateValue, "begindatum", "startdatum"),
		col("end_date", false, dateValue, "einddatum"),
		col("hourly_wage_cents", false, integerValue, "uurloon_in_centen", "uurloon_centen"),
		col("contract_kind", false, textValue, "fase", "contractsoort"),
	},
	ContactMoments: {
		col("external_id", false, textValue, "extern_id", "externe_id", "extern_nummer"),
		col("candidate_external_id", true, textValue, "kandidaat_extern_id", "kandidaat_externe_id", "kandidaatnummer"),
		col("kind", true, textValue, "soort"),
		col("at", true, dateTimeValue, "tijdstip", "datum"),
		col("note", false, textValue, "notitie", "opmerking", "omschrijving"),
	},
}

// refusedColumns are columns kluis knows and will not import. The BSN may
// only be recorded once a candidate has a placement (UAVG art. 46, LEGAL.md
// §2.2), which an imported candidate does not have when it is stored; it is
// entered after the import, by payroll, for those who work.
var refusedColumns = map[string]string{"bsn": "bsn", "burgerservicenummer": "bsn", "sofinummer": "bsn", "sofi_nummer": "bsn"}

var msgBSNRefused = kluis.Msg{
	NL: "BSN wordt niet geïmporteerd: leg het vast na de plaatsing. Haal deze kolom uit het bestand.",
	EN: "The BSN is not imported: record it after the placement. Remove this column from the file.",
}

// Columns returns the layout of a kind, for templates and help texts.
func Columns(k Kind) []Column {
	return append([]Column(nil), layouts[k]...)
}

// headerKey folds a header cell to the form the layouts use: lower case,
// words joined by "_", so "E-mail", "e_mail" and "Candidate External ID"
// all find their column.
func headerKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	var b strings.Builder
	sep := false
	for _, r := range s {
		switch r {
		case ' ', '-', '.', '/', '_', '\u00a0', '\t':
			sep = b.Len() > 0
			continue
		}
		if sep {
			b.WriteByte('_')
			sep = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lookup finds the column of a kind a header key names.
func lookup(k Kind, key string) (int, bool) {
	for i, c := range layouts[k] {
		if headerKey(c.Name) == key {
			return i, true
		}
		for _, a := range c.Aliases {
			if headerKey(a) == key {
				return i, true
			}
		}
	}
	return 0, false
}

// header is a file's header row mapped onto its kind's layout.
type header struct {
	cols     []int    // per cell of the header row: index in the layout, or -1
	names    []string // the header cell as written, per layout column ("" if absent)
	complete bool     // every required column is there, once
	problems []Problem
}

// mapHeader maps the header row of a file; problems have line 1.
func mapHeader(k Kind, cells []string) header {
	layout := layouts[k]
	h := header{cols: make([]int, len(cells)), names: make([]string, len(layout)), complete: true}
	headerProblem := func(field, column string, m kluis.Msg) {
		h.problems = append(h.problems, Problem{Line: 1, Field: field, Column: column, Message: m})
	}
	for i, cell := range cells {
		h.cols[i] = -1
		key := headerKey(cell)
		if key == "" {
			continue // an unnamed column is allowed as long as it stays empty
		}
		if f, ok := refusedColumns[key]; ok {
			headerProblem(f, strings.TrimSpace(cell), msgBSNRefused)
			continue
		}
		j, ok := lookup(k, key)
		if !ok {
			headerProblem("", strings.TrimSpace(cell), kluis.Msg{
				NL: "Onbekende kolom " + quote(cell) + "; de kolommen staan in docs/IMPORT.md.",
				EN: "Unknown column " + quote(cell) + "; the columns are listed in docs/IMPORT.md.",
			})
			continue
		}
		if h.names[j] != "" {
			headerProblem(layout[j].Name, strings.TrimSpace(cell), kluis.Msg{
				NL: "Kolom " + layout[j].Name + " staat twee keer in het bestand.",
				EN: "Column " + layout[j].Name + " appears twice in the file.",
			})
			h.complete = false
			continue
		}
		h.cols[i], h.names[j] = j, strings.TrimSpace(cell)
	}
	known := 0
	for _, j := range h.cols {
		if j >= 0 {
			known++
		}
	}
	if known == 0 {
		// Not one known column: most likely the file has no header row and
		// this is a record, so none of its cells may appear in a message.
		h.problems = []Problem{{Line: 1, Message: kluis.Msg{
			NL: "De eerste regel moet de kolomnamen bevatten; geen ervan is bekend. De kolommen staan in docs/IMPORT.md.",
			EN: "The first line must hold the column names; none of them is known. The columns are listed in docs/IMPORT.md.",
		}}}
		h.complete = false
		return h
	}
	for j, c := range layout {
		if c.Required && h.names[j] == "" {
			headerProblem(c.Name, "", kluis.Msg{
				NL: "De verplichte kolom " + c.Name + " ontbreekt.",
				EN: "The required column " + c.Name + " is missing.",
			})
			h.complete = false
		}
	}
	return h
}

// quote shows a header cell in a message. Header cells are column names,
// not personal data, but they are cut short so a data row taken for a
// header cannot spill much into a log.
func quote(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return `"` + s + `"`
}

// DetectKind tells the kind of a file from its header row: the one kind
// whose layout knows every column and whose required columns are all
// there. It fails when no kind or more than one fits.
func DetectKind(headerCells []string) (Kind, error) {
	var fits []Kind
	for _, k := range Kinds {
		h := mapHeader(k, headerCells)
		unknown := false
		for _, p := range h.problems {
			if p.Field == "" {
				unknown = true
			}
		}
		if !unknown && h.complete {
			fits = append(fits, k)
		}
	}
	if len(fits) == 1 {
		return fits[0], nil
	}
	return "", kluis.Errorf(kluis.EInvalid,
		"Uit de kolomnamen is niet af te leiden wat dit bestand bevat; geef het soort op (clients, candidates, placements of contact-moments).",
		"The column names do not tell what this file holds; name its kind (clients, candidates, placements or contact-moments).")
}

// choice maps a value given as a label ("Voltijd", "Full time") or in other
// capitals onto the value of a closed list; anything else is returned as
// given, for Validate to refuse.
func choice(v string, cs kluis.Choices) string {
	v = strings.TrimSpace(v)
	if v == "" || cs.Has(v) {
		return v
	}
	for _, c := range cs {
		if strings.EqualFold(v, c.Value) || strings.EqualFold(v, c.Label.NL) || strings.EqualFold(v, c.Label.EN) {
			return c.Value
		}
	}
	return v
}

// knownColumnNames lists every header a kind accepts, for the docs test.
func knownColumnNames(k Kind) []string {
	var out []string
	for _, c := range layouts[k] {
		out = append(out, c.Name)
		out = append(out, c.Aliases...)
	}
	sort.Strings(out)
	return out
}
