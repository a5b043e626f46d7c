package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

func TestACellThatASpreadsheetWouldRunGetsAnApostrophe(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+31 6 1234": "'+31 6 1234", "-5": "-5", "-2+3": "'-2+3", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"Sanne": "Sanne", "": "", "1=1": "1=1", "'=x": "'=x",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestANameInTheDocumentsZipIsSafeAndUnique(t *testing.T) {
	used := map[string]bool{}
	for i, tc := range []struct{ name, want string }{
		{"../../etc/passwd", "001-cv-passwd"},
		{"C:\\Users\\x\\CV Sanne (1).PDF", "002-cv-CV_Sanne_1.pdf"},
		{"", "003-cv-document"},
		{"rapport.pdf", "004-cv-rapport.pdf"},
		{"café\x00 <b>.pdf", "005-cv-café_b.pdf"},
	} {
		if got := ZipName(i+1, kluis.Document{Kind: "cv", FileName: tc.name}, used); got != tc.want {
			t.Errorf("ZipName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	used = map[string]bool{}
	a, b := ZipName(1, kluis.Document{Kind: "cv", FileName: "x.pdf"}, used), ZipName(1, kluis.Document{Kind: "cv", FileName: "X.pdf"}, used)
	if a == b || strings.EqualFold(a, b) {
		t.Errorf("two names are the same: %q, %q", a, b)
	}
}

// richCard is a candidate with data of every kind, moments documents and
// payroll in the numbers given.
func richCard(moments, docs, payYears int) *RecordCard {
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	c := &kluis.Candidate{ID: 42, Initials: "S.J.", FirstName: "Sanne", Prefix: "van", LastName: "Dijkstra", DateOfBirth: "1990-05-17",
		Nationality: "Nederlandse", Email: "sanne@example.nl", Phone: "06-12345678", Street: "Oudegracht", HouseNumber: "12",
		HouseNumberAddition: "bis", Postcode: "3511 AB", City: "Utrecht", Country: "Nederland", BSN: "249566758", IBAN: "NL91ABNA0417164300",
		IDDocumentType: "passport", IDDocumentNumber: "NXC4R8K21", IDDocumentExpiry: "2031-01-01", IDRecordedOn: "2026-11-02",
		Functions: []string{"Orderpicker", "Heftruckchauffeur"}, Availability: "fulltime", Status: "working", RegisteredOn: "2025-03-04", Source: "walk-in"}
	rc := &RecordCard{Controller: catalog.Controller{Name: "Testbureau", DPOEmail: "fg@testbureau.example"}, Generated: at, Candidate: c}
	for i := range moments {
		rc.Moments = append(rc.Moments, kluis.ContactMoment{ID: int64(i + 1), Kind: "phone", At: at.Add(-time.Duration(i) * time.Hour), Note: fmt.Sprintf("Gebeld over rooster %d", i)})
	}
	for i := range docs {
		rc.Documents = append(rc.Documents, kluis.Document{ID: int64(i + 1), Kind: "cv", FileName: fmt.Sprintf("cv-%d.pdf", i), Size: 20480, CreatedAt: at})
	}
	rc.Placements = []Placement{{Placement: kluis.Placement{Function: "Teler", StartDate: "2026-11-02", EndDate: "2027-05-01", HourlyWageCents: 1600, ContractKind: "phase-a"}, ClientName: "Kwekerij Oost"}}
	for y := range payYears {
		for p := 1; p <= 12; p++ {
			rc.Payroll = append(rc.Payroll, kluis.PayrollRecord{Year: 2020 + y, Period: p, GrossCents: 245000, NetCents: 187512})
		}
	}
	rc.Disclosures = []kluis.Disclosure{{RecipientKind: "client", Recipient: "Kwekerij Oost", Categories: []string{"identity"}, Purpose: "Voorstel voor de functie", DisclosedAt: at}}
	rc.Consents = []kluis.Consent{{Channel: "email", Wording: "Bewaren tot eind 2027 voor nieuwe vacatures", GivenOn: "2026-01-01", ValidUntil: "2027-12-31"}}
	rc.Requests = []kluis.Request{{Kind: "access", ReceivedOn: "2026-11-27", DueOn: "2026-12-27", Status: "received", Outcome: "Stamkaart gestuurd"}}
	rc.Moments = append(rc.Moments, kluis.ContactMoment{ID: 900, Kind: "privacy-statement-sent", At: at.Add(-48 * time.Hour), StatementVersion: 3})
	rc.Holds = []kluis.LegalHold{{Kind: "tax-audit", Reason: "Boekenonderzoek 2026-0417", StartDate: "2026-10-01"}}
	rc.Restrictions = []kluis.Restriction{{Ground: "accuracy", StartedOn: "2026-11-20", Note: "Adres betwist door de kandidaat"}}
	return rc
}

// TestTheRecordCardHoldsEveryCataloguedFieldAndTheArticle15Items reads the
// PDF back: every field of the candidate the catalogue declares (but the
// secret fingerprint), with its value, every record's values, and the
// eight items a–h of art. 15(1).
func TestTheRecordCardHoldsEveryCataloguedFieldAndTheArticle15Items(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal("pdftotext (poppler-utils) is not installed, and in CI the record card's text must be checked")
		}
		t.Skip("pdftotext (poppler-utils) is not installed; CI installs it")
	}
	cat := catalog.New()
	rc := richCard(2, 2, 1)
	var buf bytes.Buffer
	if err := rc.PDF(&buf, "nl", cat, time.UTC); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "s.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, f := range cat.Fields() {
		if f.Table == "candidates" && !catalog.IsSecret(f) && !strings.Contains(text, f.Label.NL) {
			t.Errorf("the PDF lacks the field %s.%s (%q)", f.Table, f.Column, f.Label.NL)
		}
	}
	for _, want := range []string{"S.J.", "Sanne", "Dijkstra", "17-05-1990", "Nederlandse", "sanne@example.nl", "06-12345678", "Oudegracht", "bis",
		"3511 AB", "Utrecht", "249566758", "NL91ABNA0417164300", "NXC4R8K21", "01-01-2031", "02-11-2026", "Orderpicker, Heftruckchauffeur",
		"04-03-2025", "Gebeld over rooster 1", "cv-1.pdf", "Kwekerij Oost", "Teler", "€ 16,00", "€ 2.450,00", "€ 1.875,12",
		"Voorstel voor de functie", "Bewaren tot eind 2027 voor nieuwe vacatures", "Stamkaart gestuurd", "27-12-2026",
		"a. Waarvoor, en op welke grond", "b. Welke soorten gegevens", "c. Aan wie ze verstrekt kunnen worden", "d. Hoe lang", "e. Uw rechten",
		"f. Klagen", "Autoriteit Persoonsgegevens", "g. Waar de gegevens vandaan komen", "h. Geautomatiseerde besluiten",
		// The hold, the restriction (the banner and the list) and the
		// privacy statement sent, with its version.
		"Wettelijke bewaarplicht", "Belastingcontrole", "Boekenonderzoek 2026-0417", "01-10-2026",
		"Verwerking beperkt (art. 18 AVG)", "(a) Juistheid betwist", "Adres betwist door de kandidaat", "20-11-2026",
		"Privacyverklaring verstuurd (versie 3)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	// Items b, g and h follow the catalogue: its kinds of the candidate's
	// data, where each comes from, and what it declares of automated
	// decisions.
	flat := func(m kluis.Msg) string { return strings.Join(strings.Fields(m.NL), " ") }
	_, items, _ := strings.Cut(text, "b. Welke soorten gegevens")
	for _, c := range cat.CategoriesOf(catalog.Candidate) {
		if !strings.Contains(items, flat(catalog.CategoryLabel(c))) {
			t.Errorf("item b lacks %s", c)
		}
	}
	_, sources, _ := strings.Cut(items, "g. Waar de gegevens vandaan komen")
	for _, sc := range cat.SourcesOf(catalog.Candidate) {
		if !strings.Contains(sources, flat(catalog.SourceLabel(sc.Source))) {
			t.Errorf("item g lacks the source %s", sc.Source)
		}
	}
	if !strings.Contains(sources, "Van uzelf (hoe u bij ons kwam: ") || !strings.Contains(sources, "Uit de salarisverwerking: Salarisgegevens") {
		t.Errorf("item g: %s", sources)
	}
	if len(cat.AutomatedDecisions()) != 0 || !strings.Contains(sources, flat(catalog.NoAutomatedDecisions)) {
		t.Errorf("item h does not say what the catalogue declares: %s", sources)
	}
}

// TestItemHTellsOfEachAutomatedDecisionTheCatalogueDeclares: none, or each
// with its logic and consequences and the right to a person's review.
func TestItemHTellsOfEachAutomatedDecisionTheCatalogueDeclares(t *testing.T) {
	if got := automatedDecisionLines(nil, "en"); len(got) != 1 || got[0] != catalog.NoAutomatedDecisions.EN {
		t.Errorf("none declared: %q", got)
	}
	got := automatedDecisionLines([]catalog.AutomatedDecision{{Purpose: catalog.Mediation,
		Logic:        kluis.Msg{NL: "Een score op functie en afstand.", EN: "A score on function and distance."},
		Significance: kluis.Msg{NL: "Onder de 50 krijgt u geen voorstel.", EN: "Below 50 you get no proposal."}}}, "en")
	if len(got) != 2 || !strings.Contains(got[0], "A score on function and distance. Below 50 you get no proposal.") ||
		!strings.Contains(got[0], catalog.PurposeLabel(catalog.Mediation).EN) || !strings.Contains(got[1], "art. 22(3)") {
		t.Errorf("one declared: %q", got)
	}
}

// TestTheCSVHasTheJSONsKeysAndSafeCells: one file per section, the JSON's
// keys as headers.
func TestTheCSVHasTheJSONsKeysAndSafeCells(t *testing.T) {
	rc := richCard(1, 1, 1)
	rc.Moments[0].Note = "@cmd|' /C calc'!A0"
	var names []string
	for _, tb := range rc.Tables() {
		names = append(names, tb.Name)
	}
	if got := strings.Join(names, ","); got != "generated,controller,candidate,contact_moments,documents,placements,payroll_records,disclosures,consents,legal_holds,requests,retention" {
		t.Fatalf("sections: %s", got)
	}
	var b bytes.Buffer
	tb := rc.Tables()[3]
	if err := tb.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "\ufeffid,candidate_id,kind,at,user_id,note,") || !strings.Contains(b.String(), `'@cmd|`) {
		t.Fatalf("the contact moments: %q", b.String())
	}
}

// BenchmarkRecordCardPDF is the record card of a candidate with 1,000
// contact moments, 50 documents and 7 years of monthly pay slips.
func BenchmarkRecordCardPDF(b *testing.B) {
	cat := catalog.New()
	rc := richCard(1000, 50, 7)
	for b.Loop() {
		if err := rc.PDF(io.Discard, "nl", cat, time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordCardJSON is the same record card as JSON.
func BenchmarkRecordCardJSON(b *testing.B) {
	rc := richCard(1000, 50, 7)
	for b.Loop() {
		if err := rc.JSON(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
