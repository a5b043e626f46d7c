package pdf_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"kluis/internal/pdf"
)

var created = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// sample is a document with every kind of block, a table of 200 rows and
// text that a careless renderer would mangle.
func sample(lang string) *pdf.Doc {
	d := pdf.New(pdf.Options{Title: "Stamkaart van Zoë Ĳzerman", Subtitle: "Uitzendbureau De Brug & Zn <b>",
		Lang: lang, Footer: "De Brug & Zn · vertrouwelijk", Created: created})
	d.H1("Persoonsgegevens")
	d.Para("Café Noël in Łódź betaalt € 1.250,00 per week; de kandidaat heet Ömer Ağaoğlu. " +
		"Ingevoerde tekst zoals <script>alert(1)</script> en **vet** wordt letterlijk afgedrukt. 😀")
	d.KeyValues([][2]string{{"Naam", "Zoë Ĳzerman"}, {"Woonplaats", "Zaltbommel"}, {"Opmerking", strings.Repeat("lange waarde die afbreekt ", 12)}})
	d.H2("Afspraken")
	d.Bullets([]string{"Eerste afspraak", "Tweede afspraak met een tekst die zo lang is dat hij over meer dan één regel moet doorlopen in het document"})
	d.Small("Dit is een grijze voetnoot.")
	rows := make([][]string, 200)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("Rij %03d", i+1), "Plaatsing bij opdrachtgever", fmt.Sprintf("€ %d,00", 100+i)}
	}
	d.Table([]pdf.Column{{Header: "Nummer", Width: 1}, {Header: "Omschrijving", Width: 3}, {Header: "Bedrag", Width: 1, Align: "R"}}, rows)
	return d
}

func render(t *testing.T, d *pdf.Doc) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := d.Write(&b); err != nil {
		t.Fatalf("write: %v", err)
	}
	return b.Bytes()
}

// pages runs pdftotext -layout on a PDF and returns the text of each page.
func pages(t *testing.T, doc []byte) []string {
	t.Helper()
	bin := poppler(t, "pdftotext")
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
}

func poppler(t *testing.T, tool string) string {
	t.Helper()
	bin, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s is not installed (Debian: apt-get install poppler-utils), so the PDF cannot be checked", tool)
	}
	return bin
}

func TestADocumentReadsBackAsTypedWithNumberedPages(t *testing.T) {
	pp := pages(t, render(t, sample("nl")))
	if len(pp) < 4 {
		t.Fatalf("200 rows fit on %d pages", len(pp))
	}
	all := strings.Join(pp, "\n")
	for _, want := range []string{"Stamkaart van Zoë Ĳzerman", "Uitzendbureau De Brug & Zn <b>", "Persoonsgegevens",
		"Café Noël in Łódź betaalt € 1.250,00 per week", "Ömer Ağaoğlu", "<script>alert(1)</script> en **vet**",
		"Woonplaats", "Zaltbommel", "• Tweede afspraak", "Dit is een grijze voetnoot.", "Rij 001", "Rij 200", "€ 299,00"} {
		if !strings.Contains(all, want) {
			t.Errorf("the text lacks %q", want)
		}
	}
	header := regexp.MustCompile(`Nummer\s+Omschrijving\s+Bedrag`)
	for i, p := range pp {
		if want := fmt.Sprintf("Pagina %d van %d", i+1, len(pp)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
		if !strings.Contains(p, "De Brug & Zn · vertrouwelijk") {
			t.Errorf("page %d lacks the footer text", i+1)
		}
		if i > 0 && !header.MatchString(p) {
			t.Errorf("page %d does not repeat the table header:\n%s", i+1, p)
		}
	}
	// Every row is there once: none lost or doubled at a page break.
	if n := len(regexp.MustCompile(`Rij \d{3}`).FindAllString(all, -1)); n != 200 {
		t.Errorf("%d rows, want 200", n)
	}
}

func TestAnEnglishDocumentNumbersItsPagesInEnglish(t *testing.T) {
	pp := pages(t, render(t, sample("en")))
	if want := fmt.Sprintf("Page 2 of %d", len(pp)); !strings.Contains(pp[1], want) {
		t.Errorf("page 2 lacks %q:\n%s", want, pp[1])
	}
}

func TestTheFileCarriesTitleCreatorAndTheGivenCreationDate(t *testing.T) {
	bin := poppler(t, "pdfinfo")
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, render(t, sample("nl")), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-isodates", file).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	for _, want := range []string{"Stamkaart van Zoë Ĳzerman", "kluis", "2026-03-14T09:30:00", "A4"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, out)
		}
	}
}

func TestTheSameInputAndTimeGiveTheSameBytes(t *testing.T) {
	a, b := render(t, sample("nl")), render(t, sample("nl"))
	if !bytes.Equal(a, b) {
		t.Fatalf("two renderings differ (%d and %d bytes)", len(a), len(b))
	}
}

func TestAWordWiderThanItsCellIsCutAcrossLines(t *testing.T) {
	word := strings.Repeat("abcdefghij", 600)
	done := make(chan []byte, 1)
	go func() {
		d := pdf.New(pdf.Options{Title: "Lang woord", Created: created})
		d.Table([]pdf.Column{{Header: "Code", Width: 1}, {Header: "Omschrijving", Width: 4}}, [][]string{{"ID-1", word}})
		d.Para(word)
		// Sixty columns leave less room than the cell padding: one rune a line.
		cols := make([]pdf.Column, 60)
		row := make([]string, 60)
		for i := range cols {
			cols[i], row[i] = pdf.Column{Header: "k", Width: 1}, "xyz"
		}
		d.Table(cols, [][]string{row})
		var b bytes.Buffer
		if err := d.Write(&b); err != nil {
			t.Errorf("write: %v", err)
		}
		done <- b.Bytes()
	}()
	var doc []byte
	select {
	case doc = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("laying out a long word did not finish")
	}
	// The word comes back whole, from the table and from the paragraph, in
	// pieces no wider than the page.
	letters := 0
	for _, line := range strings.Split(strings.Join(pages(t, doc), "\n"), "\n") {
		s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "ID-1"))
		if s != "" && strings.Trim(s, "abcdefghij") == "" {
			letters += len(s)
			if len(s) > 100 {
				t.Errorf("a line of %d letters is wider than the page", len(s))
			}
		}
	}
	if letters != 2*len(word) {
		t.Errorf("%d letters of the long word printed, want %d", letters, 2*len(word))
	}
}

func TestARowWithTheWrongNumberOfCellsFailsTheWrite(t *testing.T) {
	d := pdf.New(pdf.Options{Title: "Fout"})
	d.Table([]pdf.Column{{Header: "A"}, {Header: "B"}}, [][]string{{"1", "2"}, {"3"}})
	if err := d.Write(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "row 2 has 1 cells for 2 columns") {
		t.Errorf("err = %v", err)
	}
}

func TestADocumentIsWrittenOnce(t *testing.T) {
	d := pdf.New(pdf.Options{Title: "Eenmaal"})
	if err := d.Write(&bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(&bytes.Buffer{}); err == nil {
		t.Error("a second Write succeeded")
	}
}
