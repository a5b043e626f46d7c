package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"time"

	"kluis/internal/chart"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// mayViewDashboard reports whether a role has the privacy dashboard: the
// privacy officer for the agency, the branch manager for their branch.
func mayViewDashboard(r kluis.Role) bool { return r == kluis.RolePrivacy || r == kluis.RoleManager }

// MayViewDashboard links the dashboard from the start page.
func (b Base) MayViewDashboard() bool { return b.User != nil && mayViewDashboard(b.User.Role) }

func (s *Server) dashboardRoutes() []route {
	return []route{
		{"GET", "/dashboard", session, s.dashboardPage},
		{"GET", "/consent-requests", session, s.consentRequestsPage},
	}
}

// dashPanel is one chart of the dashboard with what it says and the list
// behind it.
type dashPanel struct {
	ID     string // the section's id, also the ids' prefix of its charts
	Title  string
	Intro  string
	Charts []chart.Chart
	More   string // the list behind the panel, "" when the viewer has none
	// Note is a line under the chart: when it was worked out, or that it
	// follows.
	Note string
}

// dashboardView is the dashboard: the panels in order, and the open
// requests with their deadlines for whoever handles them.
type dashboardView struct {
	Base
	Panels   []dashPanel
	Requests requestsView
	// Breaches are the data breaches not yet decided, with their 72-hour
	// clocks (the privacy officer only).
	Breaches *breachesView
	Branch   bool // the figures are of the viewer's branch only
}

// monthLabel writes "2026-11" as "nov 2026" (Dutch) or "Nov 2026".
func monthLabel(lang, month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	if lang == "en" {
		return t.Format("Jan 2006")
	}
	return dutchMonths[t.Month()-1] + " " + t.Format("2006")
}

var dutchMonths = [12]string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}

// monthTicks are short labels of months along an axis: the month, with
// the year at the first one and at each January ("nov '26", "dec", "jan '27").
func monthTicks(lang string, months []string, first int) []string {
	out := make([]string, first, first+len(months))
	for i, m := range months {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			out = append(out, m)
			continue
		}
		l := dutchMonths[t.Month()-1]
		if lang == "en" {
			l = t.Format("Jan")
		}
		if i == 0 || t.Month() == time.January {
			l += t.Format(" '06")
		}
		out = append(out, l)
	}
	return out
}

// chartOf starts a chart with what every chart of the dashboard shares.
func chartOf(b Base, id, title string, kind chart.Kind, labelHead string) chart.Chart {
	return chart.Chart{ID: id, Title: title, Kind: kind, LabelHead: labelHead, TableSummary: b.T("dash.figures")}
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.dashboard(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "dashboard", "", v)
}

// dashboard gathers the panels the viewer may see, in their scope.
func (s *Server) dashboard(r *http.Request) (*dashboardView, error) {
	a := actorFrom(r.Context())
	if !mayViewDashboard(a.Role) {
		return nil, errNoAccess
	}
	v := &dashboardView{Base: s.baseFor(r, "dashboard", "dash.title"), Branch: a.Branch != 0}
	now := s.clock.Now()
	first := monthsFrom(kluis.DateOf(now.AddDate(0, -(forecastMonths-1), 0)), forecastMonths)
	for _, build := range []func() (*dashPanel, error){
		func() (*dashPanel, error) { return s.expiryPanel(r, v.Base), nil },
		func() (*dashPanel, error) { return s.requestPanel(r, v) },
		func() (*dashPanel, error) { return s.consentPanel(r, v.Base, first) },
		func() (*dashPanel, error) { return s.cleanupPanel(r, v.Base, first) },
		func() (*dashPanel, error) { return s.statementPanel(r, v.Base) },
		func() (*dashPanel, error) { return s.accessPanel(r, v.Base) },
		func() (*dashPanel, error) { return s.breachPanel(r, v) },
	} {
		p, err := build()
		if err != nil {
			return nil, err
		}
		if p != nil {
			v.Panels = append(v.Panels, *p)
		}
	}
	return v, nil
}

// breachPanel: the data breaches whose decision to report to the AP is
// still open, with the 72-hour clock of each (the privacy officer only).
func (s *Server) breachPanel(r *http.Request, v *dashboardView) (*dashPanel, error) {
	if !s.mayKeepBreaches(r) {
		return nil, nil
	}
	b, err := s.openBreachesView(r, v.Base)
	if err != nil {
		return nil, err
	}
	v.Breaches = b
	return &dashPanel{ID: "breaches", Title: v.T("dash.breaches"), Intro: v.T("dash.breaches.intro"), More: "/breaches"}, nil
}

// expiryPanel: the candidates whose data fall due for removal per month,
// the next twelve, by category of data.
func (s *Server) expiryPanel(r *http.Request, b Base) *dashPanel {
	a := actorFrom(r.Context())
	p := &dashPanel{ID: "expiry", Title: b.T("dash.expiry"), Intro: b.T("dash.expiry.intro")}
	f := s.forecast(r.Context(), a.TenantID)
	if f == nil {
		p.Note = b.T("dash.expiry.pending")
		return p
	}
	buckets, seen := f.For(a.Branch)
	labels := []string{b.T("dash.expiry.now")}
	for _, m := range f.Months {
		labels = append(labels, monthLabel(b.Lang, m))
	}
	c := chartOf(b, "chart-expiry", p.Title, chart.Stacked, b.T("dash.month"))
	c.Labels, c.TotalHead = labels, b.T("dash.total")
	c.Ticks = monthTicks(b.Lang, f.Months, 1)
	c.Ticks[0] = labels[0]
	for _, cat := range kluis.DataCategories {
		vals := make([]int, len(buckets))
		any := false
		for i, m := range buckets {
			vals[i] = m[cat.Value]
			any = any || vals[i] > 0
		}
		if !any {
			continue
		}
		ser := chart.Series{Name: cat.Label.In(b.Lang), Values: vals}
		// Each part of a bar links to the candidates with data of its
		// category due then: as many as it counts (the list is the
		// privacy officer's). A candidate counts once per category, so
		// the bar as a whole has no one list.
		if mayCleanUp(a.Role) {
			ser.Links = []string{"/cleanup?" + url.Values{"category": {cat.Value}, "due_by": {string(f.Today)}}.Encode()}
			for _, m := range f.Months {
				ser.Links = append(ser.Links, "/cleanup?"+url.Values{"category": {cat.Value}, "due_from": {m + "-01"}, "due_by": {string(lastDayOf(m))}}.Encode())
			}
		}
		c.Series = append(c.Series, ser)
	}
	c.Desc = b.T("dash.expiry.desc") + " " + b.T("dash.total") + ": " + strconv.Itoa(c.Total()) + "."
	p.Charts = []chart.Chart{c}
	p.Note = b.T("dash.expiry.at") + " " + formatTime(f.At) + " · " + strconv.Itoa(seen) + " " + b.T("dash.expiry.seen")
	if mayCleanUp(a.Role) {
		p.More = "/cleanup"
	}
	return p
}

// requestOpen are the states of an open request, in the order of the chart.
var requestOpen = []string{"received", "verified", "in-progress", "extended"}

// requestPanel: the requests by kind and state, the overdue ones apart in
// red, and the open ones with their deadlines.
func (s *Server) requestPanel(r *http.Request, v *dashboardView) (*dashPanel, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	b := v.Base
	tallies, err := s.db.RequestTallies(ctx, a)
	if err != nil {
		return nil, err
	}
	p := &dashPanel{ID: "requests", Title: b.T("dash.requests"), Intro: b.T("dash.requests.intro")}
	keys := append(append([]string{}, requestOpen...), "overdue", "done", "refused")
	idx := map[string]int{}
	c := chartOf(b, "chart-requests", p.Title, chart.Stacked, b.T("request.kind"))
	c.TotalHead = b.T("dash.total")
	for i, k := range keys {
		idx[k] = i
		name := b.T("dash.overdue")
		if k != "overdue" {
			name = kluis.RequestStatuses.Label(k, b.Lang)
		}
		ser := chart.Series{Name: name, Values: make([]int, len(kluis.RequestKinds)), Alert: k == "overdue"}
		// Each part links to exactly its requests: an open state leaves
		// out the overdue ones, which have their own part.
		if mayHandleRequests(a.Role) {
			for _, kind := range kluis.RequestKinds {
				q := url.Values{"kind": {kind.Value}}
				switch {
				case k == "overdue":
					q.Set("overdue", "true")
				case slices.Contains(requestOpen, k):
					q.Set("status", k)
					q.Set("overdue", "false")
				default:
					q.Set("status", k)
				}
				ser.Links = append(ser.Links, "/requests?"+q.Encode())
			}
		}
		c.Series = append(c.Series, ser)
	}
	kind := map[string]int{}
	for i, k := range kluis.RequestKinds {
		kind[k.Value] = i
		c.Labels = append(c.Labels, k.Label.In(b.Lang))
		if mayHandleRequests(a.Role) {
			c.Links = append(c.Links, "/requests?kind="+k.Value)
		}
	}
	overdue := 0
	for _, t := range tallies {
		ki, ok := kind[t.Kind]
		if !ok {
			continue
		}
		key := t.Status
		if t.Overdue {
			key = "overdue"
			overdue += t.N
		}
		if si, ok := idx[key]; ok {
			c.Series[si].Values[ki] += t.N
		}
	}
	c.Desc = b.T("dash.requests.desc") + " " + b.T("dash.total") + ": " + strconv.Itoa(c.Total()) + ", " + b.T("dash.overdue") + ": " + strconv.Itoa(overdue) + "."
	p.Charts = []chart.Chart{c}
	if mayHandleRequests(a.Role) {
		p.More = "/requests"
		open, n, err := s.db.Requests(ctx, a, store.RequestFilter{Open: true, Page: kluis.Page{Limit: 10}})
		if err != nil {
			return nil, err
		}
		v.Requests = requestsView{Base: b, Items: s.requestRows(r, open), Total: n}
	}
	return p, nil
}

// consentPanel: the requests for consent to keep data longer, per month
// sent, by answer.
func (s *Server) consentPanel(r *http.Request, b Base, months []string) (*dashPanel, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	tallies, err := s.db.ConsentRequestTallies(ctx, a, kluis.Date(months[0]+"-01"))
	if err != nil {
		return nil, err
	}
	p := &dashPanel{ID: "consent", Title: b.T("dash.consent"), Intro: b.T("dash.consent.intro")}
	answers := []string{"agreed", "declined", ""}
	c := chartOf(b, "chart-consent", p.Title, chart.Stacked, b.T("dash.month"))
	c.TotalHead, c.Ticks = b.T("dash.consent.sent"), monthTicks(b.Lang, months, 0)
	for _, ans := range answers {
		ser := chart.Series{Name: b.T("dash.consent." + orKey(ans)), Values: make([]int, len(months))}
		for _, m := range months {
			ser.Links = append(ser.Links, consentRequestsLink(m, orKey(ans)))
		}
		c.Series = append(c.Series, ser)
	}
	pos := map[string]int{}
	for i, m := range months {
		pos[m] = i
		c.Labels = append(c.Labels, monthLabel(b.Lang, m))
		c.Links = append(c.Links, consentRequestsLink(m, ""))
	}
	p.More = "/consent-requests"
	for _, t := range tallies {
		i, ok := pos[t.Month]
		if !ok {
			continue
		}
		for j, ans := range answers {
			if ans == t.Key {
				c.Series[j].Values[i] += t.N
			}
		}
	}
	c.Desc = b.T("dash.consent.desc") + " " + b.T("dash.consent.sent") + ": " + strconv.Itoa(c.Total()) + "."
	p.Charts = []chart.Chart{c}
	return p, nil
}

func orKey(answer string) string {
	if answer == "" {
		return "open"
	}
	return answer
}

// cleanupPanel: the clean-up runs per month, with the candidates they
// erased altogether and in part, and the categories they erased. The
// clean-up is the privacy officer's, for the whole agency.
func (s *Server) cleanupPanel(r *http.Request, b Base, months []string) (*dashPanel, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayCleanUp(a.Role) {
		return nil, nil
	}
	from := kluis.Date(months[0] + "-01")
	tallies, err := s.db.CleanupTallies(ctx, a, from)
	if err != nil {
		return nil, err
	}
	cats, err := s.db.ErasedCategories(ctx, a, from.Time())
	if err != nil {
		return nil, err
	}
	p := &dashPanel{ID: "cleanup", Title: b.T("dash.cleanup"), Intro: b.T("dash.cleanup.intro"), More: "/cleanup"}
	runs := chartOf(b, "chart-cleanup", p.Title, chart.Lines, b.T("dash.month"))
	runs.TotalHead, runs.Ticks = b.T("dash.total"), monthTicks(b.Lang, months, 0)
	runs.Series = []chart.Series{{Name: b.T("dash.cleanup.complete"), Values: make([]int, len(months))}, {Name: b.T("dash.cleanup.partial"), Values: make([]int, len(months))}}
	pos := map[string]int{}
	for i, m := range months {
		pos[m] = i
		runs.Labels = append(runs.Labels, monthLabel(b.Lang, m))
		// The erasure records of the month's runs, all or by outcome.
		runs.Links = append(runs.Links, "/erasures?"+url.Values{"run_month": {m}}.Encode())
		runs.Series[0].Links = append(runs.Series[0].Links, "/erasures?"+url.Values{"run_month": {m}, "outcome": {"complete"}}.Encode())
		runs.Series[1].Links = append(runs.Series[1].Links, "/erasures?"+url.Values{"run_month": {m}, "outcome": {"partial"}}.Encode())
	}
	for _, t := range tallies {
		if i, ok := pos[t.Month]; ok {
			if t.Key == "complete" {
				runs.Series[0].Values[i] += t.N
			} else {
				runs.Series[1].Values[i] += t.N
			}
		}
	}
	runs.Desc = b.T("dash.cleanup.desc") + " " + b.T("dash.total") + ": " + strconv.Itoa(runs.Total()) + "."
	byCat := chartOf(b, "chart-erased", b.T("dash.erased"), chart.Bars, b.T("dash.category"))
	byCat.Series = []chart.Series{{Name: b.T("dash.erased.candidates")}}
	for _, c := range kluis.DataCategories {
		byCat.Labels = append(byCat.Labels, c.Label.In(b.Lang))
		byCat.Series[0].Values = append(byCat.Series[0].Values, cats[c.Value])
		byCat.Links = append(byCat.Links, "/erasures?"+url.Values{"cleanup": {"true"}, "erased_from": {string(from)}, "category": {c.Value}}.Encode())
	}
	byCat.Desc = b.T("dash.erased.desc")
	p.Charts = []chart.Chart{runs, byCat}
	return p, nil
}

// statementPanel: the active candidates per state, with and without a
// record of the current privacy statement.
func (s *Server) statementPanel(r *http.Request, b Base) (*dashPanel, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	tallies, version, err := s.db.StatementTallies(ctx, a)
	if err != nil {
		return nil, err
	}
	p := &dashPanel{ID: "statement", Title: b.T("dash.statement"), Intro: b.T("dash.statement.intro")}
	if mayPublishStatement(a.Role) {
		p.More = "/privacy-statement"
	}
	if version == 0 {
		p.Note = b.T("dash.statement.none")
		return p, nil
	}
	c := chartOf(b, "chart-statement", p.Title, chart.Stacked, b.T("dash.status"))
	c.TotalHead = b.T("dash.total")
	c.Series = []chart.Series{{Name: b.T("dash.statement.informed")}, {Name: b.T("dash.statement.notinformed")}}
	by := map[string]store.StatementTally{}
	for _, t := range tallies {
		by[t.Status] = t
	}
	notInformed := 0
	for _, st := range []string{"registered", "available", "working"} {
		t := by[st]
		c.Labels = append(c.Labels, kluis.CandidateStatuses.Label(st, b.Lang))
		c.Series[0].Values = append(c.Series[0].Values, t.Active-t.NotInformed)
		c.Series[1].Values = append(c.Series[1].Values, t.NotInformed)
		notInformed += t.NotInformed
		// The not informed of each state are listed on the privacy
		// statement's page (the privacy officer's); the informed are in
		// no list of their own.
		if p.More != "" {
			c.Series[1].Links = append(c.Series[1].Links, p.More+"?"+url.Values{"status": {st}}.Encode())
		}
	}
	c.Desc = b.T("dash.statement.desc") + " " + b.T("dash.statement.notinformed") + ": " + strconv.Itoa(notInformed) + "."
	p.Charts = []chart.Chart{c}
	p.Note = b.T("dash.statement.version") + " " + strconv.Itoa(version)
	return p, nil
}

// dashOutlierRows is how many staff members the access chart shows at most
// besides those with unusual access.
const dashOutlierRows = 10

// accessPanel: per staff member, the candidates viewed, the values
// revealed and the BSNs among them in the last seven days (from the start
// of the day a week ago); unusual access (see unusual) in red.
// Reviewing access is the privacy officer's.
func (s *Server) accessPanel(r *http.Request, b Base) (*dashPanel, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayReadAudit(a.Role) {
		return nil, nil
	}
	since := accessSince(s.clock.Now())
	counts, err := s.db.AccessCounts(ctx, a, since)
	if err != nil {
		return nil, err
	}
	us, err := s.db.Users(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	names := map[kluis.ID]string{}
	for _, u := range us {
		names[u.ID] = u.Name
		if u.Name == "" {
			names[u.ID] = "#" + formatID(u.ID)
		}
	}
	p := &dashPanel{ID: "access", Title: b.T("dash.access"), Intro: b.T("dash.access.intro"), More: "/audit"}
	c := chartOf(b, "chart-access", p.Title, chart.Bars, b.T("dash.user"))
	c.Series = []chart.Series{{Name: b.T("dash.access.candidates")}, {Name: b.T("dash.access.reveals")}, {Name: b.T("dash.access.bsn")}}
	rows := unusual(counts)
	// The most active first (AccessCounts' order); the unusual always.
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Unusual && !rows[j].Unusual })
	flagged := 0
	from := kluis.DateOf(since.In(amsterdam))
	for i, row := range rows {
		if i >= dashOutlierRows && !row.Unusual {
			break
		}
		c.Labels = append(c.Labels, names[row.UserID])
		c.Series[0].Values = append(c.Series[0].Values, row.Candidates)
		c.Series[1].Values = append(c.Series[1].Values, row.Reveals)
		c.Series[2].Values = append(c.Series[2].Values, row.BSNReveals)
		c.Alerts = append(c.Alerts, row.Unusual)
		// The staff member's log of the week; the reveals, and the BSN
		// reveals, each to exactly theirs.
		q := url.Values{"user_id": {formatID(row.UserID)}, "from": {string(from)}}
		c.Links = append(c.Links, "/audit?"+q.Encode())
		q.Set("action", "reveal")
		c.Series[1].Links = append(c.Series[1].Links, "/audit?"+q.Encode())
		q.Set("field", "bsn")
		c.Series[2].Links = append(c.Series[2].Links, "/audit?"+q.Encode())
		if row.Unusual {
			flagged++
		}
	}
	c.Desc = b.T("dash.access.desc") + " " + b.T("dash.access.flagged") + ": " + strconv.Itoa(flagged) + "."
	p.Charts = []chart.Chart{c}
	p.Note = b.T("dash.access.rule")
	return p, nil
}
