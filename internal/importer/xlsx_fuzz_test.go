package importer

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kluis/internal/kluis"
)

// FuzzParseXLSX writes fuzzed cells into a real workbook — text cells, a
// number cell (dates are numbers in a workbook) and a cell with a formula —
// and sends it through the whole reading path short of the database, as
// FuzzParseCSV does for CSV. The header row is fuzzed too. Nothing may
// panic, and every problem must have a message in both languages. Raw
// bytes would mostly stop at the ZIP checksum; the workbook's own parser
// is what this reaches.
func FuzzParseXLSX(f *testing.F) {
	f.Add("external_id;last_name;date_of_birth;phone", "K1;Jansen;;0612345678", 33000.0, "=1+1")
	f.Add("external_id;last_name;bsn;iban", "K1;=cmd|' /C calc'!A0;111222333;NL91ABNA0417164300", -1.0, "")
	f.Add("candidate_external_id;kind;at;note", "K1;phone;2024-03-05 09:00;a\nb", 45000.5, "=NOW()")
	f.Add("candidate_external_id;client_external_id;function;start_date;hourly_wage_cents", "K1;R1;x;;abc", 1e308, "=A1")
	f.Add("external_id;name;;", "R1;Kas;;oops", 0.0, "=\"<script>\"")
	f.Add("\ufefflast_name;first_name;external_id", "\x00;\xff;K1", 2958466.0, "=SUM(")
	f.Fuzz(func(t *testing.T, head, cells string, number float64, formula string) {
		if len(head)+len(cells)+len(formula) > 4000 {
			return
		}
		wb := excelize.NewFile()
		defer wb.Close()
		put := func(row int, values []string) {
			for i, v := range values {
				name, _ := excelize.CoordinatesToCellName(i+1, row)
				// Values excelize itself refuses (too long, invalid
				// characters) are simply not written.
				_ = wb.SetCellStr("Sheet1", name, v)
			}
		}
		put(1, strings.Split(head, ";"))
		values := strings.Split(cells, ";")
		put(2, values)
		num, _ := excelize.CoordinatesToCellName(len(values)+1, 2)
		_ = wb.SetCellFloat("Sheet1", num, number, -1, 64)
		if formula != "" {
			fc, _ := excelize.CoordinatesToCellName(len(values)+2, 2)
			_ = wb.SetCellFormula("Sheet1", fc, formula)
		}
		var buf bytes.Buffer
		if err := wb.Write(&buf); err != nil {
			return
		}
		opt := Options{MaxRows: 1000, Location: time.UTC}.withDefaults()
		var rep FileReport
		lf, err := load(File{Name: "f.xlsx", Format: XLSX, Body: bytes.NewReader(buf.Bytes())}, opt, &rep)
		if err != nil {
			if kluis.ErrorCode(err) != kluis.ETooLarge {
				t.Fatalf("load: %v", err)
			}
			return
		}
		b := newBuilder([]kluis.Branch{{ID: 1, Name: "Utrecht"}}, []*loadedFile{lf})
		if err := b.add(context.Background(), lf, newProgress(nil, 0)); err != nil {
			t.Fatal(err)
		}
		lf.finish()
		for _, p := range rep.Problems {
			if p.Message.NL == "" || p.Message.EN == "" || p.Line < 0 {
				t.Fatalf("problem %+v", p)
			}
			if strings.Contains(p.Message.NL, "%!") {
				t.Fatalf("formatting slip in %q", p.Message.NL)
			}
		}
	})
}
