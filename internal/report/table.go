package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"kluis/internal/pdf"
)

// Table is a report of the privacy officer as rows of cells — the
// processing register, the retention overview, the request log — written
// the same way to the screen, a PDF, a CSV file and an XLSX workbook, so
// that each holds what the others hold.
type Table struct {
	Title    string
	Subtitle string
	Columns  []Column
	Rows     [][]string
}

// Column is a column of a table: its heading, its relative width in the
// PDF and whether its cells are numbers (right-aligned, and numbers in the
// workbook).
type Column struct {
	Header string
	Width  float64
	Number bool
}

// CSV writes the table as CSV: UTF-8 with a byte-order mark (so that Excel
// reads the accents), comma-separated, the headings first.
func (t Table) CSV(w io.Writer) error {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = SafeCell(c.Header)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range t.Rows {
		out := make([]string, len(r))
		for i, v := range r {
			out[i] = SafeCell(v)
		}
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := buf.WriteTo(w)
	return err
}

// XLSX writes the table as a workbook of one sheet: the title, the
// subtitle, the headings in bold, then the rows; number columns as numbers.
func (t Table) XLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col, row)
		return name
	}
	if err := f.SetCellStr(sheet, "A1", SafeCell(t.Title)); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, "A1", "A1", bold); err != nil {
		return err
	}
	if err := f.SetCellStr(sheet, "A2", SafeCell(t.Subtitle)); err != nil {
		return err
	}
	const first = 4
	mean := 0.0
	for _, c := range t.Columns {
		mean += max(c.Width, 1) / float64(len(t.Columns))
	}
	for i, c := range t.Columns {
		if err := f.SetCellStr(sheet, cell(i+1, first), SafeCell(c.Header)); err != nil {
			return err
		}
		// The widths are relative: an average column gets 20 characters.
		width := min(20*max(c.Width, 1)/mean, 80)
		if err := f.SetColWidth(sheet, colName(i+1), colName(i+1), width); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sheet, cell(1, first), cell(len(t.Columns), first), bold); err != nil {
		return err
	}
	for r, row := range t.Rows {
		for i, v := range row {
			at := cell(i+1, first+1+r)
			if i < len(t.Columns) && t.Columns[i].Number {
				if n, err := strconv.Atoi(v); err == nil {
					if err := f.SetCellInt(sheet, at, int64(n)); err != nil {
						return err
					}
					continue
				}
			}
			if err := f.SetCellStr(sheet, at, SafeCell(v)); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: first, TopLeftCell: cell(1, first+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return f.Write(w)
}

func colName(i int) string {
	name, _ := excelize.ColumnNumberToName(i)
	return name
}

// PDF writes the table as an A4 document with the kluis layout.
func (t Table) PDF(w io.Writer, lang, footer string, created time.Time) error {
	d := pdf.New(pdf.Options{Title: t.Title, Subtitle: t.Subtitle, Lang: lang, Footer: footer, Created: created})
	cols := make([]pdf.Column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = pdf.Column{Header: c.Header, Width: max(c.Width, 1)}
		if c.Number {
			cols[i].Align = "R"
		}
	}
	if len(t.Rows) == 0 {
		d.Para("—")
	} else {
		d.Table(cols, t.Rows)
	}
	if err := d.Write(w); err != nil {
		return fmt.Errorf("report %q: %w", t.Title, err)
	}
	return nil
}
