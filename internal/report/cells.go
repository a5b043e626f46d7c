package report

import (
	"encoding/csv"
	"io"
	"regexp"
)

// SafeCell makes text safe to put in a cell of a CSV or XLSX export. A
// spreadsheet takes a cell that starts with = + - or @ (or a tab or a
// carriage return before one of those) as a formula, and a formula in an
// export can run commands or send the sheet's data elsewhere when a member
// of staff opens it (CSV or formula injection). Such a cell gets a leading
// apostrophe, which spreadsheets show as text. A plain number ("-12.50",
// "+31612345678") cannot be a formula and is left alone.
//
// Every export of kluis in CSV or XLSX writes its cells through SafeCell
// (or CSVWriter, which does it).
func SafeCell(s string) string {
	if s == "" || plainNumber.MatchString(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+([.,][0-9]+)?$`)

// CSVWriter writes an export as CSV that spreadsheets open safely: UTF-8
// with a byte-order mark (so that Excel reads accents right) and every cell
// through SafeCell.
type CSVWriter struct {
	w   *csv.Writer
	bom bool
	out io.Writer
}

// NewCSVWriter returns a CSVWriter on w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w), out: w} }

// Write writes one row.
func (c *CSVWriter) Write(row []string) error {
	if !c.bom {
		if _, err := io.WriteString(c.out, "\ufeff"); err != nil {
			return err
		}
		c.bom = true
	}
	safe := make([]string, len(row))
	for i, v := range row {
		safe[i] = SafeCell(v)
	}
	return c.w.Write(safe)
}

// Flush writes what is buffered and returns the first error of any Write.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
