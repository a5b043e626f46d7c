package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kluis/internal/importer"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

var ctx = context.Background()

func csvFile(kind importer.Kind, name, content string) importer.File {
	return importer.File{Kind: kind, Name: name, Body: strings.NewReader(content)}
}

// xlsxFile writes rows to the first sheet of a new workbook; a time.Time
// becomes a real Excel date cell.
func xlsxFile(t *testing.T, kind importer.Kind, name string, rows ...[]any) importer.File {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
		for j, v := range r {
			if _, ok := v.(time.Time); ok {
				c, _ := excelize.CoordinatesToCellName(j+1, i+1)
				_ = f.SetCellStyle("Sheet1", c, c, dateStyle)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return importer.File{Kind: kind, Name: name, Body: &buf}
}

const (
	clientsCSV = "external_id,branch,name,kvk_number,city\n" +
		"R1,Utrecht,Kas Westland,12345678,Naaldwijk\n" +
		"R2,utrecht,Distributiecentrum Oost,87654321,Nieuwegein\n"
	placementsCSV = "candidate_external_id,client_external_id,function,start_date,end_date,hourly_wage_cents,contract_kind\n" +
		"K1,R1,Orderpicker,01-02-2024,,1450,Fase A\n" +
		"K2,R2,Teler,2024-03-01,2024-06-30,1525,\n"
	momentsCSV = "candidate_external_id,kind,at,note\n" +
		"K1,Telefoon,05-03-2024 14:30,\"Gebeld over\nbeschikbaarheid\"\n" +
		"K2,email,2024-03-06,Bevestiging\n"
)

func candidatesXLSX(t *testing.T) importer.File {
	return xlsxFile(t, importer.Candidates, "kandidaten.xlsx",
		[]any{"external_id", "branch", "first_name", "last_name", "date_of_birth", "phone", "postcode", "functions", "availability"},
		[]any{"K1", "Utrecht", "Sanne", "Jansen", time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), "'0612345678", "3511ab", "Orderpicker | Heftruckchauffeur", "Voltijd"},
		[]any{"K2", "", "Piet", "de Boer", "17-05-1985"},
	)
}

// goodSet is a set of four files, on purpose not in dependency order.
func goodSet(t *testing.T) []importer.File {
	return []importer.File{
		csvFile(importer.ContactMoments, "historie.csv", momentsCSV),
		csvFile(importer.Placements, "plaatsingen.csv", placementsCSV),
		candidatesXLSX(t),
		csvFile(importer.Clients, "relaties.csv", clientsCSV),
	}
}

func run(t *testing.T, e *storetest.Env, opt importer.Options, files ...importer.File) *importer.Report {
	t.Helper()
	rep, err := importer.Run(ctx, e.DB, e.Actor, files, opt)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return rep
}

func counts(t *testing.T, e *storetest.Env) [4]int {
	t.Helper()
	_, cl, _ := e.DB.ListClients(ctx, e.Actor, store.ClientFilter{})
	_, ca, _ := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{})
	_, pl, _ := e.DB.ListPlacements(ctx, e.Actor, store.PlacementFilter{})
	_, cm, _ := e.DB.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{})
	return [4]int{cl, ca, pl, cm}
}

// onlyProblem fails unless the report holds exactly one problem, there.
func onlyProblem(t *testing.T, rep *importer.Report, file string, line int, field string) importer.Problem {
	t.Helper()
	ps := rep.Problems()
	if len(ps) != 1 || ps[0].File != file || ps[0].Line != line || ps[0].Field != field {
		t.Fatalf("want one problem in %s line %d field %q, got %+v", file, line, field, ps)
	}
	if ps[0].Message.NL == "" || ps[0].Message.EN == "" {
		t.Fatalf("problem without both messages: %+v", ps[0])
	}
	return ps[0]
}

// noValues fails when any of the values appears in the report: a report is
// logged and shown, and must carry no personal data.
func noValues(t *testing.T, rep *importer.Report, values ...string) {
	t.Helper()
	b, _ := json.Marshal(rep)
	for _, v := range values {
		if bytes.Contains(b, []byte(v)) {
			t.Fatalf("the report contains the value %q: %s", v, b)
		}
	}
}

func TestAGoodSetIsImportedWholeOnBothDatabases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		var calls, last, total int
		rep := run(t, e, importer.Options{Progress: func(d, n int) {
			if d < last {
				t.Errorf("progress went back from %d to %d", last, d)
			}
			calls, last, total = calls+1, d, n
		}}, goodSet(t)...)
		if !rep.OK() || !rep.Written || rep.Err() != nil {
			t.Fatalf("report %+v", rep)
		}
		if got := counts(t, e); got != [4]int{2, 2, 2, 2} {
			t.Fatalf("stored clients, candidates, placements, moments: %v", got)
		}
		if rep.Files[2].Rows != 2 || rep.Files[2].Format != importer.XLSX || rep.Files[0].Kind != importer.ContactMoments {
			t.Fatalf("file reports %+v", rep.Files)
		}
		if calls == 0 || last != total || total != 16 {
			t.Fatalf("progress: %d calls, last %d of %d", calls, last, total)
		}

		cands, _, _ := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{Query: "jansen"})
		if len(cands) != 1 {
			t.Fatalf("Jansen: %+v", cands)
		}
		c := cands[0]
		if c.DateOfBirth != "1990-05-17" || c.Phone != "+31612345678" || c.Postcode != "3511 AB" || c.Source != "import" ||
			c.Availability != "fulltime" || len(c.Functions) != 2 || c.Functions[1] != "Heftruckchauffeur" || c.BranchID != e.Branch.ID {
			t.Fatalf("candidate read from XLSX: %+v", c)
		}
		pls, _, _ := e.DB.ListPlacements(ctx, e.Actor, store.PlacementFilter{CandidateID: c.ID})
		if len(pls) != 1 || pls[0].StartDate != "2024-02-01" || pls[0].HourlyWageCents != 1450 || pls[0].ContractKind != "phase-a" {
			t.Fatalf("placement of Jansen: %+v", pls)
		}
		cl, _ := e.DB.Client(ctx, e.Actor, pls[0].ClientID)
		if cl.Name != "Kas Westland" {
			t.Fatalf("Jansen placed at %q", cl.Name)
		}
		ms, _, _ := e.DB.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{CandidateID: c.ID})
		if len(ms) != 1 || ms[0].Kind != "phone" || ms[0].Note != "Gebeld over\nbeschikbaarheid" || ms[0].UserID != e.Actor.UserID ||
			!ms[0].At.Equal(time.Date(2024, 3, 5, 13, 30, 0, 0, time.UTC)) {
			t.Fatalf("history of Jansen: %+v", ms)
		}
	})
}

func TestOneBadRowInTheThirdFileWritesNothingAtAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		files := goodSet(t)
		files[1] = csvFile(importer.Placements, "plaatsingen.csv", placementsCSV+"K1,R2,Inpakker,2024-08-01,2024-07-01,1400,\n")
		rep := run(t, e, importer.Options{}, files...)
		p := onlyProblem(t, rep, "plaatsingen.csv", 4, "end_date")
		if p.Column != "end_date" || rep.Written || kluis.ErrorCode(rep.Err()) != kluis.EInvalid {
			t.Fatalf("problem %+v, written %v, err %v", p, rep.Written, rep.Err())
		}
		if got := counts(t, e); got != [4]int{} {
			t.Fatalf("a set with a bad row left %v records", got)
		}
	})
}

func TestADryRunChecksEverythingAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		rep := run(t, e, importer.Options{DryRun: true}, goodSet(t)...)
		if !rep.OK() || rep.Written || !rep.DryRun {
			t.Fatalf("dry run of a good set: %+v", rep)
		}
		if got := counts(t, e); got != [4]int{} {
			t.Fatalf("a dry run stored %v records", got)
		}
		files := goodSet(t)
		files[3] = csvFile(importer.Clients, "relaties.csv", clientsCSV+"R3,Utrecht,Bouw BV,1234,Zeist\n")
		rep = run(t, e, importer.Options{DryRun: true}, files...)
		onlyProblem(t, rep, "relaties.csv", 4, "kvk_number")
	})
}

func TestASemicolonCSVWithABOMAndWindowsLineEndingsIsRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		content := "\ufeffexternal_id;last_name;city;email\r\n" +
			"K1;Jansen;Utrecht;sanne@example.nl\r\n" +
			"K2;\"de Boer; jr.\";Zeist;\r\n"
		rep := run(t, e, importer.Options{}, csvFile(importer.Candidates, "kandidaten.csv", content))
		if !rep.OK() || !rep.Written || rep.Files[0].Rows != 2 {
			t.Fatalf("report %+v", rep)
		}
		cs, _, _ := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{Query: "de boer"})
		if len(cs) != 1 || cs[0].LastName != "de Boer; jr." || cs[0].City != "Zeist" {
			t.Fatalf("read %+v", cs)
		}
		rep = run(t, e, importer.Options{}, csvFile(importer.Candidates, "kandidaten.csv", content+"K3;Smit;Utrecht;geen-adres\r\n"))
		onlyProblem(t, rep, "kandidaten.csv", 4, "email")
		noValues(t, rep, "geen-adres", "Smit")
	})
}

func TestDutchColumnNamesAreAccepted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		content := "Extern ID;Vestiging;Voornaam;Tussenvoegsel;Achternaam;Geboortedatum;Postcode;Woonplaats;Telefoon;E-mail;Beschikbaarheid\n" +
			"123;Utrecht;Jan;van;Dijk;03-04-1980;1234 ab;Amersfoort;'06-87654321;jan@Example.NL;Deeltijd\n"
		rep := run(t, e, importer.Options{}, csvFile("", "export.csv", content))
		if !rep.OK() || rep.Files[0].Kind != importer.Candidates {
			t.Fatalf("report %+v", rep)
		}
		cs, _, _ := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{})
		if len(cs) != 1 {
			t.Fatalf("%d candidates", len(cs))
		}
		c := cs[0]
		if c.FirstName != "Jan" || c.Prefix != "van" || c.LastName != "Dijk" || c.DateOfBirth != "1980-04-03" || c.Postcode != "1234 AB" ||
			c.City != "Amersfoort" || c.Phone != "+31687654321" || c.Email != "jan@example.nl" || c.Availability != "parttime" {
			t.Fatalf("read %+v", c)
		}
		content = "Extern ID;Achternaam;Geboortedatum\n124;Visser;31-02-1980\n"
		rep = run(t, e, importer.Options{}, csvFile(importer.Candidates, "export.csv", content))
		if p := onlyProblem(t, rep, "export.csv", 2, "date_of_birth"); p.Column != "Geboortedatum" {
			t.Fatalf("the column is named as in the file: %+v", p)
		}
	})
}

func TestAnUnknownColumnIsRefusedByName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		rep := run(t, e, importer.Options{}, csvFile(importer.Candidates, "k.csv", "external_id,last_name,schoenmaat\nK1,Jansen,43\n"))
		p := onlyProblem(t, rep, "k.csv", 1, "")
		if p.Column != "schoenmaat" || !strings.Contains(p.Message.NL, "schoenmaat") || !strings.Contains(p.Message.EN, "schoenmaat") {
			t.Fatalf("problem %+v", p)
		}
		if got := counts(t, e); got != [4]int{} {
			t.Fatalf("stored %v", got)
		}
		// Without any known column the first line is probably a record, and
		// none of it may be quoted.
		rep = run(t, e, importer.Options{}, csvFile(importer.Candidates, "k.csv", "K1,Jansen,sanne@example.nl\n"))
		onlyProblem(t, rep, "k.csv", 1, "")
		noValues(t, rep, "Jansen", "sanne")
	})
}

func TestABSNColumnIsRefusedAndItsValuesAppearNowhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		rep := run(t, e, importer.Options{}, csvFile(importer.Candidates, "k.csv", "external_id,last_name,BSN\nK1,Jansen,111222333\n"))
		p := onlyProblem(t, rep, "k.csv", 1, "bsn")
		if !strings.Contains(p.Message.NL, "BSN wordt niet geïmporteerd: leg het vast na de plaatsing") || !strings.Contains(p.Message.EN, "not imported") {
			t.Fatalf("message %+v", p.Message)
		}
		noValues(t, rep, "111222333")
		if got := counts(t, e); got != [4]int{} {
			t.Fatalf("stored %v", got)
		}
	})
}

func TestAPlacementOfAnUnknownCandidateIsReportedAtItsLine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		files := goodSet(t)
		files[1] = csvFile(importer.Placements, "plaatsingen.csv", strings.Replace(placementsCSV, "K2,R2", "K9,R2", 1))
		rep := run(t, e, importer.Options{}, files...)
		p := onlyProblem(t, rep, "plaatsingen.csv", 3, "candidate_external_id")
		if !strings.Contains(p.Message.EN, "same set") {
			t.Fatalf("message %+v", p.Message)
		}
		// Placements alone cannot refer to anything.
		rep = run(t, e, importer.Options{}, csvFile(importer.Placements, "p.csv", placementsCSV))
		if n := len(rep.Problems()); n != 4 || rep.Written {
			t.Fatalf("placements without their candidates and clients: %+v", rep.Problems())
		}
		if got := counts(t, e); got != [4]int{} {
			t.Fatalf("stored %v", got)
		}
	})
}

func TestQuotedFieldsWithLineBreaksKeepTheLineNumbersRight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		moments := "candidate_external_id,kind,at,note\n" +
			"K1,phone,2024-03-05 09:00,\"Eerste regel\r\ntweede regel, met komma\n\"\"derde\"\" regel\"\n" +
			"K2,fax,2024-03-05 10:00,kort\n"
		files := []importer.File{candidatesXLSX(t), csvFile(importer.ContactMoments, "historie.csv", moments)}
		rep := run(t, e, importer.Options{}, files...)
		onlyProblem(t, rep, "historie.csv", 5, "kind")

		files = []importer.File{candidatesXLSX(t), csvFile(importer.ContactMoments, "historie.csv", strings.Replace(moments, "fax", "email", 1))}
		rep = run(t, e, importer.Options{}, files...)
		if !rep.Written {
			t.Fatalf("report %+v", rep.Problems())
		}
		ms, _, _ := e.DB.ListContactMoments(ctx, e.Actor, store.ContactMomentFilter{Kind: "phone"})
		if len(ms) != 1 || ms[0].Note != "Eerste regel\ntweede regel, met komma\n\"derde\" regel" {
			t.Fatalf("note %q", ms[0].Note)
		}
	})
}

func TestXLSXProblemsAreAtTheSheetRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := xlsxFile(t, "", "k.xlsx",
			[]any{"Extern ID", "Achternaam", "Geboortedatum", "E-mail"},
			[]any{"K1", "Jansen", time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), "sanne@example.nl"},
			[]any{},
			[]any{"K2", "Bakker", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), "bakker@example.nl"},
		)
		rep := run(t, e, importer.Options{}, f)
		onlyProblem(t, rep, "k.xlsx", 4, "date_of_birth")
		if rep.Files[0].Kind != importer.Candidates || rep.Files[0].Rows != 2 {
			t.Fatalf("file report %+v", rep.Files[0])
		}
	})
}

func TestFilesOverTheLimitsAreRefused(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	content := "external_id,last_name\nK1,Jansen\nK2,Bakker\nK3,Smit\n"
	_, err := importer.Run(ctx, e.DB, e.Actor, []importer.File{csvFile(importer.Candidates, "k.csv", content)}, importer.Options{MaxRows: 2})
	if kluis.ErrorCode(err) != kluis.ETooLarge || !strings.Contains(err.Error(), "more than 2 rows") {
		t.Fatalf("too many rows: %v", err)
	}
	_, err = importer.Run(ctx, e.DB, e.Actor, []importer.File{csvFile(importer.Candidates, "k.csv", content)}, importer.Options{MaxFileSize: 20})
	if kluis.ErrorCode(err) != kluis.ETooLarge {
		t.Fatalf("too large: %v", err)
	}
	if got := counts(t, e); got != [4]int{} {
		t.Fatalf("stored %v", got)
	}
}

func TestAWindows1252FileKeepsItsAccents(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	content := "external_id;first_name;last_name\nK1;Zo\xeb;Andr\xe9\n"
	rep := run(t, e, importer.Options{}, csvFile(importer.Candidates, "k.csv", content))
	cs, _, _ := e.DB.ListCandidates(ctx, e.Actor, store.CandidateFilter{})
	if !rep.Written || len(cs) != 1 || cs[0].FirstName != "Zoë" || cs[0].LastName != "André" {
		t.Fatalf("report %+v, read %+v", rep.Problems(), cs)
	}
}

func TestTheKindIsDetectedOnlyWhenTheHeaderLeavesNoDoubt(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	files := []importer.File{
		csvFile("", "a.csv", clientsCSV),
		csvFile("", "b.csv", "external_id,last_name\nK1,Jansen\n"),
		csvFile("", "c.csv", placementsCSV),
		csvFile("", "d.csv", "candidate_external_id,note\nK1,x\n"),
	}
	rep := run(t, e, importer.Options{DryRun: true}, files...)
	want := []importer.Kind{importer.Clients, importer.Candidates, importer.Placements, ""}
	for i, k := range want {
		if rep.Files[i].Kind != k {
			t.Errorf("file %d: kind %q, want %q", i, rep.Files[i].Kind, k)
		}
	}
	onlyProblem(t, rep, "d.csv", 1, "")
}

func TestABranchMustBeNamedWhenTheAgencyHasMoreThanOne(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	if _, err := e.DB.CreateBranch(ctx, e.Actor, "Zeist", "Zeist"); err != nil {
		t.Fatal(err)
	}
	rep := run(t, e, importer.Options{}, csvFile(importer.Candidates, "k.csv", "external_id,branch,last_name\nK1,,Jansen\nK2,Amsterdam,Smit\nK3,zeist,Bakker\n"))
	ps := rep.Problems()
	if len(ps) != 2 || ps[0].Line != 2 || ps[0].Field != "branch" || ps[1].Line != 3 || ps[1].Field != "branch" {
		t.Fatalf("problems %+v", ps)
	}
	noValues(t, rep, "Amsterdam")
}

func TestDuplicateExternalIDsAreReported(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	rep := run(t, e, importer.Options{}, csvFile(importer.Candidates, "k.csv", "external_id,last_name\nK1,Jansen\n'K1,Bakker\nK1,Smit\n"))
	p := onlyProblem(t, rep, "k.csv", 4, "external_id")
	if !strings.Contains(p.Message.EN, "line 2") {
		t.Fatalf("message %+v", p.Message)
	}
}
