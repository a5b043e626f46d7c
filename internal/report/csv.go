package report

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// The record card and the portability export as CSV: one file per section
// in a ZIP, each with a header row of the same keys the JSON uses, so a
// spreadsheet and a program read the same thing. Nested values (a
// retention item's fields, an erasure's groups) are JSON text in their
// cell; lists of words are joined with "; ".

// Section is one section of the record card as rows of text under a header.
type Section struct {
	Name   string // the file name without .csv: the JSON key of the section
	Header []string
	Rows   [][]string
}

// WriteCSV writes one table as CSV (RFC 4180, CRLF line ends, UTF-8 with a
// byte-order mark so that Excel reads the accents right).
func (t Section) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	row := make([]string, len(t.Header))
	for _, r := range t.Rows {
		for i := range row {
			row[i] = ""
			if i < len(r) {
				row[i] = SafeCell(r[i])
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCSVZip writes tables as name.csv files in a ZIP, with the time
// modified set to at.
func WriteCSVZip(w io.Writer, tables []Section, at time.Time) error {
	zw := zip.NewWriter(w)
	for _, t := range tables {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: t.Name + ".csv", Method: zip.Deflate, Modified: at})
		if err != nil {
			return err
		}
		if err := t.WriteCSV(f); err != nil {
			return err
		}
	}
	return zw.Close()
}

// tableOf turns a slice of records into a table whose columns are their
// JSON keys, in the order of the struct's fields.
func tableOf[T any](name string, items []T) Section {
	t := Section{Name: name, Header: jsonKeys(reflect.TypeFor[T]())}
	for i := range items {
		t.Rows = append(t.Rows, jsonCells(reflect.ValueOf(&items[i]).Elem()))
	}
	return t
}

// jsonKeys lists the JSON keys of a struct type, embedded structs inline.
func jsonKeys(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonKeys(f.Type)...)
			continue
		}
		if key, ok := jsonKey(f); ok {
			out = append(out, key)
		}
	}
	return out
}

func jsonKey(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, true
}

// jsonCells renders a struct's fields as jsonKeys lists them.
func jsonCells(v reflect.Value) []string {
	var out []string
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonCells(v.Field(i))...)
			continue
		}
		if _, ok := jsonKey(f); ok {
			out = append(out, cell(v.Field(i)))
		}
	}
	return out
}

var timeType = reflect.TypeFor[time.Time]()

// cell renders one value as text: times in RFC 3339, lists of words
// joined, anything nested as JSON.
func cell(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			parts := make([]string, v.Len())
			for i := range parts {
				parts[i] = v.Index(i).String()
			}
			return strings.Join(parts, "; ")
		}
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return fmt.Sprint(v.Interface())
	}
	if s := string(b); s != "null" && s != "[]" {
		return s
	}
	return ""
}

// Tables are the record card's sections, as the JSON has them: the
// controller and the candidate as one row each, every list as a table.
func (rc *RecordCard) Tables() []Section {
	gen := Section{Name: "generated", Header: []string{"generated"}, Rows: [][]string{{rc.Generated.Format(time.RFC3339)}}}
	out := []Section{gen, tableOf("controller", oneOf(&rc.Controller))}
	if rc.Candidate != nil {
		out = append(out, tableOf("candidate", oneOf(rc.Candidate)))
	}
	return append(out,
		tableOf("contact_moments", rc.Moments),
		tableOf("documents", rc.Documents),
		tableOf("placements", rc.Placements),
		tableOf("payroll_records", rc.Payroll),
		tableOf("disclosures", rc.Disclosures),
		tableOf("consents", rc.Consents),
		tableOf("legal_holds", rc.Holds),
		tableOf("requests", rc.Requests),
		tableOf("retention", rc.Retention),
	)
}

func oneOf[T any](p *T) []T { return []T{*p} }

// CSV writes the record card as a ZIP of CSV files, one per section.
func (rc *RecordCard) CSV(w io.Writer) error { return WriteCSVZip(w, rc.Tables(), rc.Generated) }
