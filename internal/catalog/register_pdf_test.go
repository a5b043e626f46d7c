package catalog_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kluis/internal/catalog"
)

var drawnUp = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// pdfPages renders the register and returns the text of each page, as
// pdftotext -layout reads it.
func pdfPages(t *testing.T, lang string, c catalog.Controller) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is not installed (Debian: apt-get install poppler-utils), so the PDF register cannot be checked")
	}
	var b bytes.Buffer
	if err := catalog.New().Register().PDF(&b, lang, c, drawnUp); err != nil {
		t.Fatalf("PDF: %v", err)
	}
	file := filepath.Join(t.TempDir(), "register.pdf")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
}

// onOneLine reports whether a line of text holds label and then value: a
// label/value pair as the reader sees it.
func onOneLine(text, label, value string) bool {
	for _, l := range strings.Split(text, "\n") {
		if i := strings.Index(l, label); i >= 0 && strings.Contains(l[i+len(label):], value) {
			return true
		}
	}
	return false
}

// words joins text with single spaces, so wrapped lines read as one.
func words(text string) string { return strings.Join(strings.Fields(text), " ") }

func TestThePDFRegisterHoldsWhatTheMarkdownOneHolds(t *testing.T) {
	c := catalog.Controller{Name: "De Brug & Zn <b>", Address: "Stationsstraat 1, 5301 AB Zaltbommel", KvK: "12345678",
		DPOName: "Fien de Graaf", DPOEmail: "fg@debrug.example", DPOPhone: "0418 123 456"}
	pages := pdfPages(t, "nl", c)
	text := strings.Join(pages, "\n")
	all := words(text)
	for _, want := range []string{"Register van verwerkingsactiviteiten", "Opgesteld op 14-03-2026 uit de persoonsgegevenscatalogus van kluis (AVG art. 30).",
		"Loon-, pensioen- en premieadministratie", "Burgerservicenummer", "Wettelijke plicht", "R5: salarisadministratie", "Pensioenfonds", "Beveiligingsmaatregelen"} {
		if !strings.Contains(all, want) {
			t.Errorf("the Dutch register lacks %q", want)
		}
	}
	for _, pair := range [][2]string{{"Verwerkingsverantwoordelijke", "De Brug & Zn <b>"}, {"Adres", "Stationsstraat 1, 5301 AB Zaltbommel"},
		{"KvK-nummer", "12345678"}, {"Functionaris", "Fien de Graaf, fg@debrug.example, 0418 123 456"}, {"Doorgifte buiten de EER", "geen"}} {
		if !onOneLine(text, pair[0], pair[1]) {
			t.Errorf("no line reads %q … %q", pair[0], pair[1])
		}
	}
	reg := catalog.New().Register()
	for _, a := range reg.Activities {
		for _, want := range []string{catalog.PurposeLabel(a.Purpose).NL, catalog.BasisLabel(a.Bases[0]).NL, catalog.CategoryLabel(a.Categories[0]).NL,
			catalog.RuleLabel(a.Rules[len(a.Rules)-1]).NL} {
			if !strings.Contains(all, want) {
				t.Errorf("activity %s: the register lacks %q", a.Purpose, want)
			}
		}
	}
	for _, m := range catalog.SecurityMeasures {
		if !strings.Contains(all, "• "+m.NL) {
			t.Errorf("the register lacks the measure %q", m.NL)
		}
	}
	for i, p := range pages {
		if !strings.Contains(p, fmt.Sprintf("Pagina %d van %d", i+1, len(pages))) || !strings.Contains(p, "De Brug & Zn <b> · Register van verwerkingsactiviteiten") {
			t.Errorf("page %d lacks its footer:\n%s", i+1, p)
		}
	}
}

func TestTheEnglishPDFRegisterIsEnglishAndSaysWhenNoOfficerIsAppointed(t *testing.T) {
	pages := pdfPages(t, "en", catalog.Controller{Name: "X"})
	text := strings.Join(pages, "\n")
	for _, want := range []string{"Record of processing activities", "Generated on 14 March 2026", "Payroll, pension and social-security administration",
		"Security measures", fmt.Sprintf("Page 1 of %d", len(pages))} {
		if !strings.Contains(words(text), want) {
			t.Errorf("the English register lacks %q", want)
		}
	}
	if !onOneLine(text, "Data protection officer", "none appointed") || !onOneLine(text, "Controller", "X") {
		t.Errorf("the controller block is wrong:\n%s", pages[0])
	}
	if strings.Contains(text, "Wettelijke") || strings.Contains(text, "Pagina") {
		t.Errorf("the English register speaks Dutch:\n%s", text)
	}
}

func TestThePDFRegisterIsTheSameForTheSameDay(t *testing.T) {
	render := func() []byte {
		var b bytes.Buffer
		if err := catalog.New().Register().PDF(&b, "nl", catalog.Controller{Name: "De Brug"}, drawnUp); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if !bytes.Equal(render(), render()) {
		t.Error("two renderings of the same register differ")
	}
}
