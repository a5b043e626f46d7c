package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestCellsThatASpreadsheetWouldRunAreDefused(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")", "+31 6 1234": "'+31 6 1234", "-2+3": "'-2+3", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "-12": "-12", "Inzage": "Inzage", "": "", "12": "12",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func sampleTable() Table {
	return Table{Title: "Verzoekenlog", Subtitle: "Stand van 29-11-2026", Columns: []Column{{Header: "Soort"}, {Header: "Dagen", Number: true}},
		Rows: [][]string{{"Inzage (art. 15)", "12"}, {"=cmd|' /C calc'!A0", "3"}}}
}

// TestTheCSVAndTheWorkbookHoldEveryCell reads both back.
func TestTheCSVAndTheWorkbookHoldEveryCell(t *testing.T) {
	tab := sampleTable()
	var c bytes.Buffer
	if err := tab.CSV(&c); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][1] != "Dagen" || recs[1][0] != "Inzage (art. 15)" || recs[2][0] != "'=cmd|' /C calc'!A0" {
		t.Fatalf("CSV: %q", recs)
	}
	var x bytes.Buffer
	if err := tab.XLSX(&x); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "Verzoekenlog" || rows[3][1] != "Dagen" || rows[4][0] != "Inzage (art. 15)" || rows[5][0] != "'=cmd|' /C calc'!A0" {
		t.Fatalf("XLSX: %q", rows)
	}
	if typ, _ := f.GetCellType(f.GetSheetName(0), "B5"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("the days are not a number: %v", typ)
	}
	var p bytes.Buffer
	if err := tab.PDF(&p, "nl", "Testbureau", fixed); err != nil || !bytes.HasPrefix(p.Bytes(), []byte("%PDF-")) {
		t.Fatalf("PDF: %v", err)
	}
}

var fixed = mustTime("2026-11-29T10:00:00Z")

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
