package importer

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"kluis/internal/kluis"
)

// Format is how a file is encoded.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// DetectFormat tells a file's format from its first bytes, and from its
// name where the bytes do not decide. An XLSX file is a ZIP archive, so
// its content is trusted over a name ending in .csv; an old .xls workbook
// (or a password-protected one, which Excel stores the same way) is refused.
func DetectFormat(name string, head []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return XLSX, nil
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0")):
		return "", kluis.Errorf(kluis.EUnsupported,
			"Dit is een oud Excel-bestand (.xls) of een bestand met een wachtwoord; sla het op als .xlsx zonder wachtwoord of als CSV.",
			"This is an old Excel file (.xls) or a password-protected one; save it as .xlsx without a password or as CSV.")
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return XLSX, nil
	}
	// Anything else is read as text: exports of other systems carry
	// every extension from .csv to .txt to none.
	return CSV, nil
}

// sheet is a file's cells as read, before they mean anything.
type sheet struct {
	header     []string
	headerLine int
	rows       []row
	date1904   bool // XLSX: serial dates count from 1904 (old Mac workbooks)
}

// row is one non-empty record of a file.
type row struct {
	line  int      // 1-based line of the file (CSV) or row of the sheet (XLSX)
	cells []string // the text of each cell, as the user sees it
	raw   []string // XLSX only: the stored value, a serial number for dates
}

// errTooManyRows stops reading a file as soon as it passes the row limit.
var errTooManyRows = errors.New("too many rows")

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readCSV reads a CSV file. A problem (with the line it was found on) is
// returned with the rows read before it; errTooManyRows when the file has
// more than maxRows records.
func readCSV(data []byte, maxRows int) (*sheet, *Problem, error) {
	s := &sheet{}
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		return s, &Problem{Message: kluis.Msg{
			NL: "Dit bestand is UTF-16 (\"Unicode-tekst\"); sla het op als \"CSV UTF-8\".",
			EN: "This file is UTF-16 (\"Unicode text\"); save it as \"CSV UTF-8\".",
		}}, nil
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		// Excel's plain "CSV" on Windows is Windows-1252, not UTF-8; the
		// names of Zoë and André would otherwise be refused as invalid text.
		data = fromWindows1252(data)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = separator(data)
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return s, nil, nil
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return s, &Problem{Line: line, Message: kluis.Msg{
				NL: "Deze regel is geen geldige CSV (let op aanhalingstekens); het bestand is vanaf hier niet gelezen.",
				EN: "This line is not valid CSV (mind the quotes); the file was not read from here on.",
			}}, nil
		}
		line, _ := r.FieldPos(0)
		if s.header == nil {
			s.header, s.headerLine = rec, line
			continue
		}
		if blank(rec) {
			continue
		}
		if len(s.rows) == maxRows {
			return s, nil, errTooManyRows
		}
		s.rows = append(s.rows, row{line: line, cells: rec})
	}
}

// separator picks the separator of a CSV file from its header line: Dutch
// Excel writes ";" because "," is the decimal mark, others write "," or a
// tab. Only characters outside quotes count.
func separator(data []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(data) {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if !quoted && (r == '\n' || r == '\r') {
			break
		}
		if !quoted && (r == ';' || r == ',' || r == '\t') {
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// cp1252 maps the bytes 0x80–0x9F of Windows-1252 to their characters;
// the other bytes are Latin-1. Unassigned bytes become U+FFFD.
var cp1252 = [32]rune{
	'€', '\ufffd', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\ufffd', 'Ž', '\ufffd',
	'\ufffd', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\ufffd', 'ž', 'Ÿ',
}

func fromWindows1252(data []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xa0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.Bytes()
}

// xlsxMemoryLimit bounds what one workbook may unpack to. excelize writes a
// worksheet bigger than its XML limit to a temporary file; the limit equals
// the total so personal data never lands on disk outside kluis's control.
const xlsxMemoryLimit = 512 << 20

// readXLSX reads the first worksheet of a workbook. It keeps each cell both
// as shown (for text: what the user sees, e.g. a phone number formatted
// with its leading zero) and as stored (for dates and numbers: the serial
// number or digits, whatever the display format).
func readXLSX(data []byte, maxRows int) (*sheet, *Problem, error) {
	s := &sheet{}
	unreadable := &Problem{Message: kluis.Msg{
		NL: "Dit Excel-bestand is niet te lezen; sla het opnieuw op als .xlsx (zonder wachtwoord) of als CSV.",
		EN: "This Excel file cannot be read; save it again as .xlsx (without a password) or as CSV.",
	}}
	// A ZIP archive says in its directory what each part unpacks to: a
	// workbook that would unpack to more than the limit (a "zip bomb") is
	// refused before anything is unpacked. A part that unpacks to more than
	// it declared stops the ZIP reader at the declared size.
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return s, unreadable, nil
	}
	var unpacked uint64
	for _, part := range z.File {
		unpacked += part.UncompressedSize64
		if unpacked > xlsxMemoryLimit || part.UncompressedSize64 > xlsxMemoryLimit {
			mb := strconv.Itoa(xlsxMemoryLimit >> 20)
			return s, &Problem{Message: kluis.Msg{
				NL: "Dit Excel-bestand pakt uit tot meer dan " + mb + " MB; zo groot kan een werkblad met kandidaten niet zijn. Sla het opnieuw op als .xlsx of als CSV, of splits het.",
				EN: "This Excel file unpacks to more than " + mb + " MB; a sheet of candidates cannot be that large. Save it again as .xlsx or as CSV, or split it.",
			}}, nil
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: xlsxMemoryLimit, UnzipXMLSizeLimit: xlsxMemoryLimit,
	})
	if err != nil {
		return s, unreadable, nil
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return s, unreadable, nil
	}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		s.date1904 = *props.Date1904
	}
	shown, err := f.Rows(sheets[0])
	if err != nil {
		return s, unreadable, nil
	}
	defer shown.Close()
	stored, err := f.Rows(sheets[0])
	if err != nil {
		return s, unreadable, nil
	}
	defer stored.Close()
	// Both iterators walk the same sheet row by row, every row number
	// included (empty rows too), so the count is the sheet's row number.
	line := 0
	for shown.Next() {
		line++
		stored.Next()
		cells, err1 := shown.Columns()
		raw, err2 := stored.Columns(excelize.Options{RawCellValue: true})
		if err1 != nil || err2 != nil {
			p := *unreadable
			p.Line = line
			return s, &p, nil
		}
		if s.header == nil {
			if blank(cells) {
				continue
			}
			s.header, s.headerLine = cells, line
			continue
		}
		if blank(cells) && blank(raw) {
			continue
		}
		if len(s.rows) == maxRows {
			return s, nil, errTooManyRows
		}
		s.rows = append(s.rows, row{line: line, cells: cells, raw: raw})
	}
	if shown.Error() != nil {
		return s, unreadable, nil
	}
	return s, nil, nil
}

// excelSerial reads a stored XLSX number as a date-time serial: days since
// 1899-12-30 (or 1904-01-01), with the time of day as the fraction. The
// result is the wall-clock time written in the cell, in UTC fields.
func excelSerial(raw string, date1904 bool) (time.Time, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	// 2958465 is 9999-12-31, the last day Excel knows.
	if err != nil || f < 1 || f > 2958465 {
		return time.Time{}, false
	}
	t, err := excelize.ExcelDateToTime(f, date1904)
	if err != nil {
		return time.Time{}, false
	}
	return t.Round(time.Second), true
}
