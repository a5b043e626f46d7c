package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/report"
	"kluis/internal/retention"
	"kluis/internal/store"
)

// mayReport reports whether a role produces the accountability reports:
// the privacy officer.
func mayReport(r kluis.Role) bool { return r == kluis.RolePrivacy }

// MayReport links the reports from the dashboard.
func (b Base) MayReport() bool { return b.User != nil && mayReport(b.User.Role) }

func (s *Server) reportRoutes() []route {
	return []route{
		{"GET", "/reports", session, s.reportsPage},
		{"GET", "/reports/{file}", session, s.reportFile},
	}
}

// The reports, in the order of the page, and the formats each comes in.
var (
	reportNames   = []string{"register", "retention", "requests", "breaches"}
	reportFormats = []string{"pdf", "csv", "xlsx"}
)

// reportScreenRows is how many rows of a report the page shows; the files
// hold them all.
const reportScreenRows = 500

type reportSection struct {
	Name  string
	Table report.Table
	Shown int // rows on the page
	// Pending says the report is still being worked out (the retention
	// overview, from the dashboard's forecast): it follows.
	Pending string
}

type reportsView struct {
	Base
	Reports []reportSection
	Formats []reportFormat
}

// reportFormat is a kind of file a report comes as: its extension and
// what the link says.
type reportFormat struct{ Ext, Label string }

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request) error {
	if !mayReport(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	v := reportsView{Base: s.baseFor(r, "dashboard", "reports.title")}
	for _, f := range reportFormats {
		v.Formats = append(v.Formats, reportFormat{Ext: f, Label: strings.ToUpper(f)})
	}
	for _, name := range reportNames {
		t, err := s.reportTable(r, v.Lang, name)
		if name == "retention" && kluis.ErrorCode(err) == kluis.EConflict {
			// The forecast of a large agency takes a while: the other
			// reports do not wait for it.
			v.Reports = append(v.Reports, reportSection{Name: name, Table: report.Table{Title: v.T("reports.retention")}, Pending: v.T("reports.retention.pending")})
			continue
		}
		if err != nil {
			return err
		}
		v.Reports = append(v.Reports, reportSection{Name: name, Table: t, Shown: min(len(t.Rows), reportScreenRows)})
	}
	return s.render(w, r, http.StatusOK, "reports", "", v)
}

// ShownRows are the rows the page shows of a report.
func (r reportSection) ShownRows() [][]string { return r.Table.Rows[:r.Shown] }

// reportFile sends a report as /reports/<name>.<format>, made whole before
// the first byte goes out.
func (s *Server) reportFile(w http.ResponseWriter, r *http.Request) error {
	if !mayReport(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	name, format, _ := strings.Cut(r.PathValue("file"), ".")
	if !slices.Contains(reportNames, name) || !slices.Contains(reportFormats, format) {
		return kluis.NotFound("report")
	}
	b := s.baseFor(r, "", "")
	t, err := s.reportTable(r, b.Lang, name)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	ctype := ""
	switch format {
	case "csv":
		ctype, err = "text/csv; charset=utf-8", t.CSV(&buf)
	case "xlsx":
		ctype, err = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", t.XLSX(&buf)
	default:
		c, cerr := s.controller(r)
		if cerr != nil {
			return cerr
		}
		footer := t.Title
		if c.Name != "" {
			footer = c.Name + " · " + t.Title
		}
		ctype, err = "application/pdf", t.PDF(&buf, b.Lang, footer, s.clock.Now().In(amsterdam))
	}
	if err != nil {
		return err
	}
	file := b.T("reports.file."+name) + "-" + string(kluis.DateOf(s.clock.Now().In(amsterdam))) + "." + format
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err = w.Write(buf.Bytes())
	return err
}

// reportTable builds one report, the same for the page and every file.
func (s *Server) reportTable(r *http.Request, lang, name string) (report.Table, error) {
	switch name {
	case "register":
		return s.registerTable(r, lang)
	case "retention":
		return s.retentionTable(r, lang)
	case "breaches":
		return s.breachRegisterTable(r, lang)
	default:
		return s.requestLogTable(r, lang)
	}
}

// registerTable is the record of processing activities (art. 30), one row
// per purpose, from the catalogue as the register page and its PDF are.
func (s *Server) registerTable(r *http.Request, lang string) (report.Table, error) {
	c, err := s.controller(r)
	if err != nil {
		return report.Table{}, err
	}
	t := func(key string) string { return text(lang, key) }
	in := func(m kluis.Msg) string { return m.In(lang) }
	dpo := c.DPO()
	if dpo == "" {
		dpo = t("reports.none")
	}
	tab := report.Table{Title: t("reports.register"), Subtitle: t("reports.register.controller") + ": " + c.Name + " · " + t("reports.register.dpo") + ": " + dpo,
		Columns: []report.Column{{Header: t("reports.register.purpose"), Width: 2}, {Header: t("reports.register.basis"), Width: 2},
			{Header: t("reports.register.subjects"), Width: 1.5}, {Header: t("reports.register.categories"), Width: 2},
			{Header: t("reports.register.recipients"), Width: 2}, {Header: t("reports.register.transfers"), Width: 1}, {Header: t("reports.register.rules"), Width: 3}}}
	join := func(xs []string) string {
		if len(xs) == 0 {
			return t("reports.none")
		}
		return strings.Join(xs, "; ")
	}
	for _, a := range s.catalog.Register().Activities {
		var bases, subjects, cats, recips, rules []string
		for _, x := range a.Bases {
			bases = append(bases, in(catalog.BasisLabel(x)))
		}
		for _, x := range a.Subjects {
			subjects = append(subjects, in(catalog.SubjectLabel(x)))
		}
		for _, x := range a.Categories {
			cats = append(cats, in(catalog.CategoryLabel(x)))
		}
		for _, x := range a.Recipients {
			recips = append(recips, kluis.RecipientKinds.Label(x, lang))
		}
		for _, x := range a.Rules {
			rules = append(rules, in(catalog.RuleLabel(x)))
		}
		tab.Rows = append(tab.Rows, []string{in(catalog.PurposeLabel(a.Purpose)), join(bases), join(subjects), join(cats), join(recips), t("reports.none"), join(rules)})
	}
	return tab, nil
}

// termOf says an agency's term of a rule, with what it counts from.
func termOf(rule catalog.Rule, t retention.Terms, lang string) string {
	years := func(n int) string {
		if lang == "en" {
			return strconv.Itoa(n) + " years"
		}
		return strconv.Itoa(n) + " jaar"
	}
	months := func(n int) string {
		if n%12 == 0 {
			return years(n / 12)
		}
		if lang == "en" {
			return strconv.Itoa(n) + " months"
		}
		return strconv.Itoa(n) + " maanden"
	}
	m := map[catalog.Rule]kluis.Msg{
		catalog.R1: {NL: months(t.R1Months) + " na de laatste activiteit", EN: months(t.R1Months) + " after the last activity"},
		catalog.R2: {NL: strconv.Itoa(int(t.R2.Hours()/24/7)) + " weken na het maken van de kopie", EN: strconv.Itoa(int(t.R2.Hours()/24/7)) + " weeks after the copy was made"},
		catalog.R3: {NL: months(t.R3Months) + " na het einde van het werk", EN: months(t.R3Months) + " after the work ended"},
		catalog.R4: {NL: years(t.R4Years) + " na 1 januari na uitdiensttreding (minimum)", EN: years(t.R4Years) + " from 1 January after leaving (minimum)"},
		catalog.R5: {NL: years(t.R5Years) + " na 1 januari na het jaar (minimum)", EN: years(t.R5Years) + " from 1 January after the year (minimum)"},
		catalog.R6: {NL: years(t.R6Years) + " na 1 januari na het werk (minimum)", EN: years(t.R6Years) + " from 1 January after the work (minimum)"},
	}
	return m[rule].In(lang)
}

// retentionTable is the retention overview: per category of candidate
// data, its rules and terms, how many candidates have data of it, and how
// many are due now and in the coming months — the dashboard's forecast.
func (s *Server) retentionTable(r *http.Request, lang string) (report.Table, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	f := s.forecast(ctx, a.TenantID)
	if f == nil {
		return report.Table{}, kluis.Errorf(kluis.EConflict, text("nl", "dash.expiry.pending"), text("en", "dash.expiry.pending"))
	}
	set, err := s.settings(ctx)
	if err != nil {
		return report.Table{}, err
	}
	terms := retention.For(set)
	t := func(key string) string { return text(lang, key) }
	soon, year := lastDayOf(f.Months[2]), lastDayOf(f.Months[len(f.Months)-1])
	tab := report.Table{Title: t("reports.retention"), Subtitle: t("dash.expiry.at") + " " + formatTime(f.At),
		Columns: []report.Column{{Header: t("dash.category"), Width: 1.4}, {Header: t("reports.retention.rules"), Width: 3},
			{Header: t("reports.retention.candidates"), Width: 1.2, Number: true}, {Header: t("reports.retention.now"), Width: 1.2, Number: true},
			{Header: t("reports.retention.until") + " " + formatDate(soon), Width: 1.2, Number: true},
			{Header: t("reports.retention.until") + " " + formatDate(year), Width: 1.2, Number: true}}}
	rules := map[catalog.Category][]catalog.Rule{}
	add := func(c catalog.Category, rs []catalog.Rule) {
		for _, x := range rs {
			if !slices.Contains(rules[c], x) && x != catalog.R7 {
				rules[c] = append(rules[c], x)
			}
		}
	}
	for _, fl := range s.catalog.Fields() {
		if fl.Subject == catalog.Candidate {
			add(fl.Category, fl.Retention)
		}
	}
	for _, b := range s.catalog.Blobs() {
		add(b.Category, b.Retention)
	}
	buckets, _ := f.For(a.Branch)
	holding := f.Holding(a.Branch)
	for _, c := range kluis.DataCategories {
		rs, ok := rules[catalog.Category(c.Value)]
		if !ok {
			continue
		}
		slices.Sort(rs)
		var terms2 []string
		for _, x := range rs {
			if term := termOf(x, terms, lang); term != "" {
				terms2 = append(terms2, string(x)+": "+term)
			}
		}
		within := func(n int) int {
			sum := 0
			for i := 1; i <= n; i++ {
				sum += buckets[i][c.Value]
			}
			return sum
		}
		tab.Rows = append(tab.Rows, []string{c.Label.In(lang), strings.Join(terms2, "; "), strconv.Itoa(holding[c.Value]),
			strconv.Itoa(buckets[0][c.Value]), strconv.Itoa(within(3)), strconv.Itoa(within(forecastMonths))})
	}
	return tab, nil
}

// requestLogTable is the request register with its response times: when
// each request came in, when it was due and closed, how many days it took
// (so far, while open) and whether it was answered in time. Candidates
// are named by their number only.
func (s *Server) requestLogTable(r *http.Request, lang string) (report.Table, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	t := func(key string) string { return text(lang, key) }
	today := kluis.DateOf(s.clock.Now())
	tab := report.Table{Title: t("reports.requests"), Subtitle: t("reports.requests.sub") + " " + formatDate(today),
		// Widths in millimetres of the A4 page's 170: a date fits on one line.
		Columns: []report.Column{{Header: t("request.number"), Width: 12}, {Header: t("request.kind"), Width: 15}, {Header: t("request.candidate_id"), Width: 12},
			{Header: t("request.received_on"), Width: 19}, {Header: t("reports.requests.due"), Width: 19}, {Header: t("request.extension"), Width: 19},
			{Header: t("request.due_on"), Width: 19}, {Header: t("request.closed_on"), Width: 19}, {Header: t("request.status"), Width: 14},
			{Header: t("reports.requests.days"), Width: 8, Number: true}, {Header: t("reports.requests.intime"), Width: 14}}}
	for {
		qs, total, err := s.db.Requests(ctx, a, store.RequestFilter{Page: kluis.Page{Limit: kluis.MaxPageSize, Offset: len(tab.Rows)}})
		if err != nil {
			return report.Table{}, err
		}
		for _, q := range qs {
			end := q.ClosedOn
			if end == "" {
				end = today
			}
			days := int(end.Time().Sub(q.ReceivedOn.Time()).Hours() / 24)
			var verdict string
			switch {
			case q.Closed() && q.ClosedOn <= q.DueOn:
				verdict = t("reports.requests.ontime")
			case q.Closed():
				verdict = t("reports.requests.late")
			case q.Overdue(today):
				verdict = t("dash.overdue")
			default:
				verdict = t("reports.requests.open")
			}
			extended := ""
			if q.ExtendedOn != "" {
				extended = formatDate(q.ExtendedOn)
			}
			closed := ""
			if q.ClosedOn != "" {
				closed = formatDate(q.ClosedOn)
			}
			tab.Rows = append(tab.Rows, []string{formatID(q.ID), kluis.RequestKinds.Label(q.Kind, lang), formatID(q.CandidateID),
				formatDate(q.ReceivedOn), formatDate(kluis.RequestDue(q.ReceivedOn)), extended, formatDate(q.DueOn), closed,
				kluis.RequestStatuses.Label(q.Status, lang), strconv.Itoa(days), verdict})
		}
		if len(qs) == 0 || len(tab.Rows) >= total {
			return tab, nil
		}
	}
}
