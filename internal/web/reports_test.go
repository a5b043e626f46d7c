package web

import (
	"bytes"
	"encoding/csv"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

// screenTable reads the cells of a report's table on the page.
func screenTable(t *testing.T, body, name string) [][]string {
	t.Helper()
	i := strings.Index(body, `id="table-`+name+`"`)
	if i < 0 {
		t.Fatalf("no table %s on the page", name)
	}
	table := body[i:]
	table = table[:strings.Index(table, "</table>")]
	cell := regexp.MustCompile(`<t[hd][^>]*>(.*?)</t[hd]>`)
	var out [][]string
	for _, tr := range strings.Split(table, "<tr>")[1:] {
		var row []string
		for _, m := range cell.FindAllStringSubmatch(tr, -1) {
			row = append(row, html.UnescapeString(m[1]))
		}
		out = append(out, row)
	}
	return out
}

// TestTheReportsFilesHoldWhatTheScreenShows: the processing register, the
// retention overview and the request log, on the page and as CSV, XLSX and
// PDF, cell for cell; only the privacy officer has them.
func TestTheReportsFilesHoldWhatTheScreenShows(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			d := newDashEnv(t, dialect)
			d.seed(t)
			srv := httptest.NewServer(d.web)
			t.Cleanup(srv.Close)
			get := func(u *kluis.User, path string) (int, string) {
				t.Helper()
				secret, err := d.DB.CreateSession(t.Context(), d.Tenant.ID, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				req, _ := http.NewRequest("GET", srv.URL+path, nil)
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b)
			}
			if code, _ := get(d.manager, "/reports"); code != http.StatusForbidden {
				t.Errorf("a manager gets the reports: %d", code)
			}
			if code, _ := get(d.manager, "/reports/requests.csv"); code != http.StatusForbidden {
				t.Errorf("a manager gets the request log: %d", code)
			}
			if code, _ := get(d.officer, "/reports/nothing.csv"); code != http.StatusNotFound {
				t.Errorf("an unknown report: %d", code)
			}
			if code, _ := get(d.officer, "/reports/requests.exe"); code != http.StatusNotFound {
				t.Errorf("an unknown format: %d", code)
			}
			code, page := get(d.officer, "/reports")
			if code != http.StatusOK {
				t.Fatalf("the page: %d", code)
			}
			for _, name := range reportNames {
				screen := screenTable(t, page, name)
				if len(screen) < 2 {
					t.Fatalf("%s: %d rows on the screen", name, len(screen))
				}
				_, c := get(d.officer, "/reports/"+name+".csv")
				recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c, "\ufeff"))).ReadAll()
				if err != nil {
					t.Fatalf("%s.csv: %v", name, err)
				}
				if !sameCells(screen, recs) {
					t.Errorf("%s.csv differs from the screen:\n%q\n%q", name, recs, screen)
				}
				_, x := get(d.officer, "/reports/"+name+".xlsx")
				f, err := excelize.OpenReader(bytes.NewReader([]byte(x)))
				if err != nil {
					t.Fatalf("%s.xlsx: %v", name, err)
				}
				rows, err := f.GetRows(f.GetSheetName(0))
				if err != nil {
					t.Fatal(err)
				}
				if !sameCells(screen, rows[3:]) {
					t.Errorf("%s.xlsx differs from the screen:\n%q\n%q", name, rows[3:], screen)
				}
				code, p := get(d.officer, "/reports/"+name+".pdf")
				if code != http.StatusOK || !strings.HasPrefix(p, "%PDF-") {
					t.Fatalf("%s.pdf: %d", name, code)
				}
				if _, err := exec.LookPath("pdftotext"); err != nil {
					continue
				}
				file := filepath.Join(t.TempDir(), name+".pdf")
				if err := os.WriteFile(file, []byte(p), 0o600); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command("pdftotext", "-raw", file, "-").Output()
				if err != nil {
					t.Fatal(err)
				}
				text := strings.Join(strings.Fields(string(out)), "")
				for _, row := range screen[1:] {
					// Cells wrap in the PDF's columns: read in the order the text
					// was written (-raw), compare without spaces, and only the
					// short cells, which do not break across lines.
					for _, cell := range row {
						if len(cell) < 12 && !strings.Contains(text, strings.Join(strings.Fields(cell), "")) {
							t.Errorf("%s.pdf lacks %q", name, cell)
						}
					}
				}
			}
			// The request log names candidates by number only, and says
			// which requests were answered late.
			log := screenTable(t, page, "requests")
			for _, c := range d.everyone {
				if strings.Contains(page, c.LastName) {
					t.Errorf("the reports name candidate %d", c.ID)
				}
			}
			late := 0
			for _, row := range log[1:] {
				if row[len(row)-1] == text("nl", "dash.overdue") {
					late++
				}
			}
			if late != 2 {
				t.Errorf("%d overdue requests in the log, want 2: %q", late, log)
			}
		})
	}
}

// sameCells compares a table on the screen with one read from a file:
// the file's cells may carry the apostrophe that defuses a formula.
func sameCells(screen, file [][]string) bool {
	if len(screen) != len(file) {
		return false
	}
	for i := range screen {
		if len(screen[i]) != len(file[i]) {
			return false
		}
		for j := range screen[i] {
			if screen[i][j] != file[i][j] && "'"+screen[i][j] != file[i][j] {
				return false
			}
		}
	}
	return true
}
