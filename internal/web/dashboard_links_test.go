package web

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

// listTotals find the count a list page shows, per page.
var listTotals = map[string]*regexp.Regexp{
	"/requests":          regexp.MustCompile(`id="h-requests">[^<]*<small>\((\d+)\)`),
	"/consent-requests":  regexp.MustCompile(`id="consent-total"><span class="stat">(\d+)<`),
	"/erasures":          regexp.MustCompile(`<p class="muted">(\d+) `),
	"/cleanup":           regexp.MustCompile(`id="h-due-sum">(\d+) `),
	"/privacy-statement": regexp.MustCompile(`id="notinformed-total">(\d+)<`),
	"/audit":             regexp.MustCompile(`id="h-log" class="muted">(\d+) `),
}

// listAPIs are the API lists behind the pages, with the same filters.
var listAPIs = map[string]string{"/requests": "/api/v1/requests", "/erasures": "/api/v1/erasures", "/cleanup": "/api/v1/retention/due",
	"/privacy-statement": "/api/v1/privacy-statements/not-informed", "/audit": "/api/v1/audit-log"}

// TestEveryChartLinksToAListOfExactlyItsFigure: every part of a bar and
// every point of the dashboard with a figure links to a list, page and
// API alike, that counts exactly that figure; where a whole bar links,
// its list counts the bar's total.
func TestEveryChartLinksToAListOfExactlyItsFigure(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			d := newDashEnv(t, dialect)
			d.seed(t)
			u := newClientUIEnvOn(t, d.Env, io.Discard)
			ps := u.session(t, d.officer.ID)
			tok := u.token(t, d.officer.ID, "*")
			count := func(link string) int {
				t.Helper()
				path, query, _ := strings.Cut(link, "?")
				page := u.get(t, ps, link).expect(t, http.StatusOK)
				m := listTotals[path].FindStringSubmatch(page.body)
				if m == nil {
					t.Fatalf("%s shows no count", link)
				}
				n, _ := strconv.Atoi(m[1])
				if api := listAPIs[path]; api != "" {
					var body struct {
						Total int `json:"total"`
					}
					if code, answer := u.apiCall(t, tok, "GET", api+"?"+query, "", &body); code != http.StatusOK || body.Total != n {
						t.Errorf("%s: the page counts %d, the API %d (%d %s)", link, n, body.Total, code, answer)
					}
				}
				return n
			}
			po := d.view(t, d.officer)
			checked := map[string]int{}
			for _, p := range po.Panels {
				for _, c := range p.Charts {
					for i := range c.Labels {
						total := 0
						for s, ser := range c.Series {
							v := ser.Values[i]
							total += v
							if i < len(ser.Links) && v > 0 {
								checked[c.ID]++
								if n := count(ser.Links[i]); n != v {
									t.Errorf("%s, %s, %s: the chart has %d, its list %s %d", c.ID, c.Labels[i], c.Series[s].Name, v, ser.Links[i], n)
								}
							}
						}
						// A whole bar's list counts the bar, unless its
						// parts have lists of their own and the bar is
						// no sum (the access chart's grouped bars).
						if i < len(c.Links) && c.Links[i] != "" && total > 0 && (c.TotalHead != "" || len(c.Series) == 1) {
							checked[c.ID]++
							if n := count(c.Links[i]); n != total {
								t.Errorf("%s, %s: the chart has %d, its list %s %d", c.ID, c.Labels[i], total, c.Links[i], n)
							}
						}
					}
				}
			}
			for _, id := range []string{"chart-expiry", "chart-requests", "chart-consent", "chart-cleanup", "chart-erased", "chart-statement", "chart-access"} {
				if checked[id] == 0 {
					t.Errorf("%s: no figure with a link checked (%v)", id, checked)
				}
			}
		})
	}
}

// TestTheListsRefuseBadFiltersFieldByField: the filters the dashboard's
// links use, given wrong, are refused with the field named, in the API
// (400) and on the page (422); nothing is listed.
func TestTheListsRefuseBadFiltersFieldByField(t *testing.T) {
	u := newClientUIEnv(t)
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	tok, ps := u.token(t, officer.ID, "*"), u.session(t, officer.ID)
	for _, c := range []struct{ page, api, field string }{
		{"/requests?overdue=maybe", "/api/v1/requests?overdue=maybe", "overdue"},
		{"/cleanup?due_from=2027-02-31", "/api/v1/retention/due?due_from=2027-02-31", "due_from"},
		{"/cleanup?category=shoes", "/api/v1/retention/due?category=shoes", "category"},
		{"/erasures?run_month=2026-13", "/api/v1/erasures?run_month=2026-13", "run_month"},
		{"/erasures?outcome=gone", "/api/v1/erasures?outcome=gone", "outcome"},
		{"/erasures?category=shoes", "/api/v1/erasures?category=shoes", "category"},
		{"/erasures?erased_from=yesterday", "/api/v1/erasures?erased_from=yesterday", "erased_from"},
		{"/audit?field=name", "/api/v1/audit-log?field=name", "field"},
		{"", "/api/v1/privacy-statements/not-informed?status=left", "status"},
	} {
		if code, body := u.apiCall(t, tok, "GET", c.api, "", nil); code != http.StatusBadRequest || !strings.Contains(body, `"`+c.field+`"`) {
			t.Errorf("%s: %d %s", c.api, code, body)
		}
		if c.page != "" {
			u.get(t, ps, c.page).expect(t, http.StatusUnprocessableEntity)
		}
	}
}
