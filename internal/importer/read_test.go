package importer

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
)

func TestTheSeparatorIsTakenFromTheHeaderLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want rune
	}{
		{"a;b;c\n1,2;3", ';'},
		{"a,b,c\r\n1;2;3;4;5", ','},
		{"a\tb\n", '\t'},
		{"\"a;b\",c\n", ','},
		{"last_name\nJansen", ','},
	} {
		if got := separator([]byte(tc.in)); got != tc.want {
			t.Errorf("separator(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestALeadingApostropheIsDroppedOnlyBeforeANumber(t *testing.T) {
	lf := &loadedFile{kind: Candidates, header: header{cols: []int{0}}}
	for in, want := range map[string]string{
		"'0612345678": "0612345678",
		"'+31 6 1234": "+31 6 1234",
		"'t Hart":     "'t Hart",
		"'":           "'",
	} {
		c := lf.cells(row{cells: []string{in}})
		if got := c.str("external_id"); got != want {
			t.Errorf("str(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHeaderNamesAreFoldedBeforeTheyAreLookedUp(t *testing.T) {
	for in, want := range map[string]string{
		"E-mail":                  "e_mail",
		"  Candidate External ID": "candidate_external_id",
		"\ufeffKvK-nummer":        "kvk_nummer",
		"house_number__addition":  "house_number_addition",
	} {
		if got := headerKey(in); got != want {
			t.Errorf("headerKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDetectFormatTrustsTheContentOverTheName(t *testing.T) {
	if f, _ := DetectFormat("export.csv", []byte("PK\x03\x04rest")); f != XLSX {
		t.Errorf("a workbook named .csv: %q", f)
	}
	if f, _ := DetectFormat("export.xlsx", []byte("a,b")); f != XLSX {
		t.Errorf("a .xlsx name with unclear content: %q", f)
	}
	if f, _ := DetectFormat("export", []byte("a;b")); f != CSV {
		t.Errorf("no extension: %q", f)
	}
	if _, err := DetectFormat("oud.xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1")); kluis.ErrorCode(err) != kluis.EUnsupported {
		t.Errorf("an .xls workbook: %v", err)
	}
}

// TestTheDocsListEveryColumn keeps docs/IMPORT.md and the layouts in step.
func TestTheDocsListEveryColumn(t *testing.T) {
	doc, err := os.ReadFile("../../docs/IMPORT.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds {
		for _, name := range knownColumnNames(k) {
			if !bytes.Contains(doc, []byte("`"+name+"`")) {
				t.Errorf("docs/IMPORT.md does not mention column `%s` of %s", name, k)
			}
		}
	}
}

// FuzzParseCSV feeds anything to the whole reading path short of the
// database: it must never panic, and every problem must have a message.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("\ufeffexternal_id;last_name;date_of_birth\r\nK1;Jansen;17-05-1990\r\n"))
	f.Add([]byte("candidate_external_id,kind,at,note\nK1,phone,2024-03-05 09:00,\"a\nb\"\n"))
	f.Add([]byte("candidate_external_id,client_external_id,function,start_date,hourly_wage_cents\nK1,R1,x,2024-01-01,abc\n"))
	f.Add([]byte("external_id,name,,\nR1,Kas,,oops\n\"unterminated"))
	f.Add([]byte("bsn\n111222333\n"))
	f.Add([]byte("\xff\xfea\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		opt := Options{MaxRows: 1000, Location: time.UTC}.withDefaults()
		var rep FileReport
		lf, err := load(File{Name: "f.csv", Format: CSV, Body: bytes.NewReader(data)}, opt, &rep)
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
