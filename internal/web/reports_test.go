package web

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kluis/internal/kluis"
	"kluis/internal/retention"
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
// the file's cells may carry the apostrophe that defuses a formula, and a
// workbook's rows end at their last filled cell (excelize's GetRows).
func sameCells(screen, file [][]string) bool {
	if len(screen) != len(file) {
		return false
	}
	for i := range screen {
		for len(file[i]) < len(screen[i]) && screen[i][len(file[i])] == "" {
			file[i] = append(file[i], "")
		}
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

// TestTheReportsFiguresAgreeWithTheDatabase: the request log's response
// times and verdicts, worked out here from the dates in the requests
// table; the retention overview's figures per category, from each
// candidate's retention plan read one at a time; and the breach register's
// rows, from the breaches table.
func TestTheReportsFiguresAgreeWithTheDatabase(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			d := newDashEnv(t, dialect)
			d.seed(t)
			u := newClientUIEnvOn(t, d.Env, io.Discard)
			page := u.get(t, u.session(t, d.officer.ID), "/reports").expect(t, http.StatusOK).body
			today := kluis.DateOf(d.Clock.Now())
			day := func(s string) time.Time {
				v, err := time.Parse("2006-01-02", s[:10])
				if err != nil {
					t.Fatal(err)
				}
				return v
			}

			// The request log: days taken and whether in time.
			rows, err := d.raw.Query("SELECT id, received_on, due_on, closed_on FROM requests WHERE tenant_id = $1", d.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][2]string{}
			for rows.Next() {
				var id kluis.ID
				var received, due string
				var closed sql.NullString
				if err := rows.Scan(&id, &received, &due, &closed); err != nil {
					t.Fatal(err)
				}
				end, verdict := string(today), "reports.requests.open"
				switch {
				case closed.Valid && closed.String[:10] <= due[:10]:
					end, verdict = closed.String, "reports.requests.ontime"
				case closed.Valid:
					end, verdict = closed.String, "reports.requests.late"
				case due[:10] < string(today):
					verdict = "dash.overdue"
				}
				want[idText(id)] = [2]string{strconv.Itoa(int(day(end).Sub(day(received)).Hours() / 24)), text("nl", verdict)}
			}
			rows.Close()
			log := screenTable(t, page, "requests")
			got := map[string][2]string{}
			for _, row := range log[1:] {
				got[row[0]] = [2]string{row[len(row)-2], row[len(row)-1]}
			}
			if len(want) == 0 || len(got) != len(want) {
				t.Fatalf("the request log has %d requests, the database %d", len(got), len(want))
			}
			for id, w := range want {
				if got[id] != w {
					t.Errorf("request %s: the log says %v, the database %v", id, got[id], w)
				}
			}

			// The retention overview, per category: candidates holding
			// data of it, due now, due within three and twelve months
			// (a candidate once per month).
			set, err := d.DB.Settings(t.Context(), d.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			months := monthsFrom(today, forecastMonths)
			counts := map[string]*[4]int{}
			for _, c := range d.everyone {
				f, err := d.DB.RetentionFacts(t.Context(), kluis.Actor{TenantID: d.Tenant.ID, Role: kluis.RolePrivacy}, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for _, it := range retention.Plan(d.web.catalog, f, retention.For(set), today) {
					if it.Erased {
						continue
					}
					label := kluis.DataCategories.Label(string(it.Category), "nl")
					if counts[label] == nil {
						counts[label] = &[4]int{}
					}
					mark := func(col int, key string) {
						if !seen[key] {
							seen[key] = true
							counts[label][col]++
						}
					}
					mark(0, label)
					switch i := slices.Index(months, string(it.Expires)[:min(7, len(it.Expires))]); {
					case it.Expires == "":
					case it.Expires <= today:
						mark(1, label+"/now")
					case i >= 0:
						if i < 3 {
							mark(2, label+"/"+months[i])
						}
						mark(3, label+"/year/"+months[i])
					}
				}
			}
			overview := screenTable(t, page, "retention")
			for _, row := range overview[1:] {
				w := counts[row[0]]
				if w == nil {
					w = &[4]int{}
				}
				for col := 0; col < 4; col++ {
					if row[2+col] != strconv.Itoa(w[col]) {
						t.Errorf("retention overview, %s, column %d: %s, the plans %d", row[0], 2+col, row[2+col], w[col])
					}
				}
			}

			// The breach register: a row per breach, its number, title and
			// the number of candidates concerned.
			reg := screenTable(t, page, "breaches")
			brows, err := d.raw.Query("SELECT id, title, affected_count FROM breaches WHERE tenant_id = $1", d.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for brows.Next() {
				var id kluis.ID
				var title string
				var affected int
				if err := brows.Scan(&id, &title, &affected); err != nil {
					t.Fatal(err)
				}
				n++
				if !slices.ContainsFunc(reg[1:], func(r []string) bool {
					return r[0] == idText(id) && r[1] == title && r[7] == strconv.Itoa(affected)
				}) {
					t.Errorf("breach %d (%q, %d) is not in the register's report: %q", id, title, affected, reg)
				}
			}
			brows.Close()
			if n == 0 || len(reg)-1 != n {
				t.Errorf("the register's report has %d rows, the database %d breaches", len(reg)-1, n)
			}
		})
	}
}

// TestTheReportsDoNotWaitForTheRetentionOverview: while the forecast the
// retention overview needs is still being worked out, /reports shows the
// other reports and says the overview follows; its file is refused with
// the same message (409), not made half.
func TestTheReportsDoNotWaitForTheRetentionOverview(t *testing.T) {
	u := newClientUIEnv(t)
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	ps := u.session(t, officer.ID)
	fs := u.web.forecasts
	fs.mu.Lock()
	fs.by[u.Tenant.ID] = &forecastSlot{running: make(chan struct{})} // a forecast that does not end
	fs.mu.Unlock()
	page := u.get(t, ps, "/reports").expect(t, http.StatusOK)
	if !page.has("nl", "reports.retention.pending") || strings.Contains(page.body, `href="/reports/retention.csv"`) {
		t.Fatalf("the overview does not say it follows, or offers its files:\n%s", page.body)
	}
	for _, name := range []string{"register", "requests", "breaches"} {
		if !strings.Contains(page.body, `id="report-`+name+`"`) || !strings.Contains(page.body, `href="/reports/`+name+`.xlsx"`) {
			t.Errorf("the %s report is missing while the overview is worked out", name)
		}
	}
	u.get(t, ps, "/reports/retention.csv").expect(t, http.StatusConflict)
}
