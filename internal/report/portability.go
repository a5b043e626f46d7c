package report

import (
	"encoding/json"
	"io"
	"reflect"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// Portability is the export of art. 20: only the data the candidate
// supplied, as the catalogue marks them (Field.Portable, Blob.Portable),
// in a machine-readable form. Data the agency, a client or payroll made,
// and data kept under a legal obligation (the BSN, the ID document
// number), are not in it; the access report (RecordCard) has those.
type Portability struct {
	Controller string    `json:"controller"`
	Generated  time.Time `json:"generated"`
	// Candidate holds the portable columns of the candidate, by column
	// name; a list (functions) stays a list.
	Candidate map[string]any `json:"candidate"`
	// Documents are the files the candidate handed in, of the kinds the
	// catalogue marks portable; the files themselves come in the
	// documents ZIP with portable=true.
	Documents []PortableDocument `json:"documents"`
}

// PortableDocument describes a file the candidate supplied.
type PortableDocument struct {
	ID          kluis.ID  `json:"id"`
	Kind        string    `json:"kind"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Received    time.Time `json:"received"`
}

// PortableFields are the catalogued candidate columns the candidate
// supplied, in the order of the registration form.
func PortableFields(cat *catalog.Catalog) []catalog.Field {
	var out []catalog.Field
	for _, col := range formOrder {
		if f, ok := cat.Field("candidates", col); ok && f.Portable && !catalog.IsSecret(f) {
			out = append(out, f)
		}
	}
	return out
}

// PortableKinds are the kinds of document the candidate supplied.
func PortableKinds(cat *catalog.Catalog) []string {
	var out []string
	for _, b := range cat.Blobs() {
		if b.Portable {
			out = append(out, b.Kind)
		}
	}
	return out
}

// NewPortability builds the export from a record card.
func NewPortability(rc *RecordCard, cat *catalog.Catalog) *Portability {
	p := &Portability{Controller: rc.Controller.Name, Generated: rc.Generated, Candidate: map[string]any{}, Documents: []PortableDocument{}}
	byKey := candidateByKey(rc.Candidate)
	for _, f := range PortableFields(cat) {
		if v, ok := byKey[f.Column]; ok {
			p.Candidate[f.Column] = v.Interface()
		}
	}
	kinds := map[string]bool{}
	for _, k := range PortableKinds(cat) {
		kinds[k] = true
	}
	for _, d := range rc.Documents {
		if kinds[d.Kind] {
			p.Documents = append(p.Documents, PortableDocument{ID: d.ID, Kind: d.Kind, FileName: d.FileName, ContentType: d.ContentType,
				Size: d.Size, SHA256: d.SHA256, Received: d.CreatedAt})
		}
	}
	return p
}

// candidateByKey maps a candidate's JSON keys (its column names) to
// their values.
func candidateByKey(c *kluis.Candidate) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		if key, ok := jsonKey(v.Type().Field(i)); ok {
			out[key] = v.Field(i)
		}
	}
	return out
}

// JSON writes the export as JSON.
func (p *Portability) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// Tables are the export as two tables: the candidate as one row with a
// column per portable field, and the documents.
func (p *Portability) Tables(cat *catalog.Catalog) []Section {
	cand := Section{Name: "candidate"}
	var row []string
	for _, f := range PortableFields(cat) {
		v, ok := p.Candidate[f.Column]
		if !ok {
			continue
		}
		cand.Header = append(cand.Header, f.Column)
		row = append(row, cell(reflect.ValueOf(v)))
	}
	cand.Rows = [][]string{row}
	return []Section{cand, tableOf("documents", p.Documents)}
}

// CSV writes the export as a ZIP of CSV files.
func (p *Portability) CSV(w io.Writer, cat *catalog.Catalog) error {
	return WriteCSVZip(w, p.Tables(cat), p.Generated)
}
