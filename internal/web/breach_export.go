package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"kluis/internal/kluis"
	"kluis/internal/pdf"
	"kluis/internal/report"
	"kluis/internal/store"
)

// The exports of the breach register: the whole register and one breach,
// as PDF (to show the AP) and as CSV (for a spreadsheet), in the viewer's
// language, with what the screen shows; and the register as a report of
// /reports (PDF, CSV, XLSX). Cells go through report.SafeCell (by
// report.CSVWriter), like every export of kluis.

// breachFacts is what both exports print of a breach, label and value, in
// the order of the breach's page.
func breachFacts(b breachRow, lang, reportedBy, decidedBy string) [][2]string {
	t := func(key string) string { return text(lang, key) }
	cats := make([]string, len(b.Categories))
	for i, c := range b.Categories {
		cats[i] = kluis.BreachCategories.Label(c, lang)
	}
	reported, decided, closed := "", "", ""
	if b.APReportedAt != nil {
		reported = formatTime(*b.APReportedAt)
	}
	if b.DecidedAt != nil {
		decided = formatTime(*b.DecidedAt)
	}
	if b.ClosedAt != nil {
		closed = formatTime(*b.ClosedAt)
	}
	return [][2]string{
		{t("breach.number"), strconv.FormatInt(b.ID, 10)},
		{t("breach.title.label"), b.Title},
		{t("breach.status"), kluis.BreachStatuses.Label(b.Status, lang)},
		{t("breach.discovered_at"), formatTime(b.DiscoveredAt)},
		{t("breach.deadline"), formatTime(b.Clock.Deadline)},
		{t("breach.clock"), b.ClockText()},
		{t("breach.reported_by"), reportedBy},
		{t("breach.facts"), b.Facts},
		{t("breach.categories"), strings.Join(cats, ", ")},
		{t("breach.affected_count"), strconv.Itoa(b.AffectedCount)},
		{t("breach.linked"), strconv.Itoa(b.Linked)},
		{t("breach.informed"), strconv.Itoa(b.Informed)},
		{t("breach.effects"), b.Effects},
		{t("breach.measures"), b.Measures},
		{t("breach.risk"), kluis.BreachRisks.Label(b.Risk, lang)},
		{t("breach.decision"), kluis.BreachDecisions.Label(b.Decision, lang)},
		{t("breach.decided_at"), decided},
		{t("breach.decided_by"), decidedBy},
		{t("breach.ap_reported_at"), reported},
		{t("breach.ap_reference"), b.APReference},
		{t("breach.decision_reason"), b.DecisionReason},
		{t("breach.inform_decision"), kluis.BreachInformDecisions.Label(b.InformDecision, lang)},
		{t("breach.inform_reason"), b.InformReason},
		{t("breach.notice_text"), b.NoticeText},
		{t("breach.closed_at"), closed},
	}
}

// sendBreachFile sends a finished export.
func sendBreachFile(w http.ResponseWriter, ctype, name string, body []byte) error {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(body) // #nosec G705 -- a file sent as an attachment with its own Content-Type (PDF, CSV or XLSX), never as HTML
	return err
}

// breachRegister reads the whole register, up to the largest page, with
// the names of the staff who reported and decided.
func (s *Server) breachRegister(r *http.Request, lang string) ([]breachRow, map[kluis.ID]string, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	var rows []breachRow
	for off := 0; ; off += kluis.MaxPageSize {
		bs, total, err := s.db.Breaches(ctx, a, store.BreachFilter{Page: kluis.Page{Limit: kluis.MaxPageSize, Offset: off}})
		if err != nil {
			return nil, nil, err
		}
		more, err := s.breachRows(r, lang, bs)
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, more...)
		if off+len(bs) >= total || len(bs) == 0 {
			break
		}
	}
	names, err := s.staffNames(r)
	return rows, names, err
}

// breachReportFacts are the facts of a breach the register's report
// shows, a column each, with their widths in the PDF.
var breachReportFacts = []struct {
	key   string
	width float64
}{
	{"breach.number", 1.6}, {"breach.title.label", 3}, {"breach.status", 1.4}, {"breach.discovered_at", 1.8},
	{"breach.deadline", 1.8}, {"breach.clock", 2.4}, {"breach.categories", 2.2}, {"breach.affected_count", 1.2},
	{"breach.informed", 1.2}, {"breach.risk", 1.6}, {"breach.decision", 1.8}, {"breach.ap_reported_at", 1.8},
	{"breach.ap_reference", 1.6}, {"breach.inform_decision", 1.8}, {"breach.closed_at", 1.8},
}

// breachRegisterTable is the breach register as a report (art. 33(5)):
// a row per breach with what the AP asks to see.
func (s *Server) breachRegisterTable(r *http.Request, lang string) (report.Table, error) {
	if !s.mayKeepBreaches(r) {
		return report.Table{}, errNoAccess
	}
	rows, names, err := s.breachRegister(r, lang)
	if err != nil {
		return report.Table{}, err
	}
	tab := report.Table{Title: text(lang, "breaches.title"), Subtitle: text(lang, "breaches.pdf.subtitle") + " " + formatTime(s.clock.Now())}
	for _, f := range breachReportFacts {
		tab.Columns = append(tab.Columns, report.Column{Header: text(lang, f.key), Width: f.width,
			Number: f.key == "breach.affected_count" || f.key == "breach.informed"})
	}
	for _, b := range rows {
		byLabel := map[string]string{}
		for _, f := range breachFacts(b, lang, names[b.ReportedBy], names[b.DecidedBy]) {
			byLabel[f[0]] = f[1]
		}
		row := make([]string, len(breachReportFacts))
		for i, f := range breachReportFacts {
			row[i] = byLabel[text(lang, f.key)]
		}
		tab.Rows = append(tab.Rows, row)
	}
	return tab, nil
}

// breachRegisterFile sends the whole register, every fact of every breach.
func (s *Server) breachRegisterFile(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !s.mayKeepBreaches(r) {
			return errNoAccess
		}
		lang := s.baseFor(r, "", "").Lang
		rows, names, err := s.breachRegister(r, lang)
		if err != nil {
			return err
		}
		name := text(lang, "breaches.file")
		if kind == "csv" {
			var buf bytes.Buffer
			cw := report.NewCSVWriter(&buf)
			// The heading also when the register is empty.
			var head []string
			for _, f := range breachFacts(breachRow{lang: lang}, lang, "", "") {
				head = append(head, f[0])
			}
			_ = cw.Write(head)
			for _, b := range rows {
				facts := breachFacts(b, lang, names[b.ReportedBy], names[b.DecidedBy])
				rec := make([]string, len(facts))
				for j, f := range facts {
					rec[j] = f[1]
				}
				_ = cw.Write(rec)
			}
			if err := cw.Flush(); err != nil {
				return err
			}
			return sendBreachFile(w, "text/csv; charset=utf-8", name+".csv", buf.Bytes())
		}
		c, err := s.controller(r)
		if err != nil {
			return err
		}
		now := s.clock.Now().In(amsterdam)
		d := pdf.New(pdf.Options{Title: text(lang, "breaches.title"), Subtitle: c.Name + " · " + text(lang, "breaches.pdf.subtitle") + " " + now.Format("02-01-2006 15:04"),
			Lang: lang, Footer: c.Name + " · " + text(lang, "breaches.title"), Created: now})
		if len(rows) == 0 {
			d.Para(text(lang, "breaches.none"))
		}
		for _, b := range rows {
			d.H2("#" + strconv.FormatInt(b.ID, 10) + " · " + b.Title)
			d.KeyValues(filledPairs(breachFacts(b, lang, names[b.ReportedBy], names[b.DecidedBy])[2:]))
		}
		var buf bytes.Buffer
		if err := d.Write(&buf); err != nil {
			return err
		}
		return sendBreachFile(w, "application/pdf", name+".pdf", buf.Bytes())
	}
}

// filledPairs leaves out the pairs without a value.
func filledPairs(pairs [][2]string) [][2]string {
	var out [][2]string
	for _, p := range pairs {
		if p[1] != "" {
			out = append(out, p)
		}
	}
	return out
}

// breachFile sends one breach with its candidates.
func (s *Server) breachFile(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, a := r.Context(), actorFrom(r.Context())
		v, err := s.loadBreachView(r, nil)
		if err != nil {
			return err
		}
		links, _, err := s.db.BreachCandidates(ctx, a, v.B.ID, kluis.Page{Limit: -1})
		if err != nil {
			return err
		}
		rows := s.breachLinkRows(r, links)
		// The file names the candidates: logged as a download of each.
		for _, l := range rows {
			if l.Name != "" {
				s.logAccess(ctx, "download", "breaches", v.B.ID, l.CandidateID, []string{"name"}, "")
			}
		}
		lang := v.Lang
		facts := breachFacts(v.B, lang, v.ReportedBy, v.DecidedBy)
		head := []string{text(lang, "breach.candidate_id"), text(lang, "breach.candidate"), text(lang, "breach.informed_via"), text(lang, "breach.informed_at")}
		cells := func(l breachLinkRow) []string {
			name, at := l.Name, ""
			if name == "" {
				name = text(lang, "request.erased")
			}
			if l.InformedAt != nil {
				at = formatTime(*l.InformedAt)
			}
			return []string{strconv.FormatInt(l.CandidateID, 10), name, kluis.BreachNoticeChannels.Label(l.InformedVia, lang), at}
		}
		name := text(lang, "breach.file") + "-" + strconv.FormatInt(v.B.ID, 10)
		if kind == "csv" {
			var buf bytes.Buffer
			cw := report.NewCSVWriter(&buf)
			for _, f := range facts {
				_ = cw.Write([]string{f[0], f[1]})
			}
			_ = cw.Write(nil)
			_ = cw.Write(head)
			for _, l := range rows {
				_ = cw.Write(cells(l))
			}
			if err := cw.Flush(); err != nil {
				return err
			}
			return sendBreachFile(w, "text/csv; charset=utf-8", name+".csv", buf.Bytes())
		}
		c, err := s.controller(r)
		if err != nil {
			return err
		}
		now := s.clock.Now().In(amsterdam)
		d := pdf.New(pdf.Options{Title: text(lang, "breach.title") + " #" + strconv.FormatInt(v.B.ID, 10) + " · " + v.B.Title,
			Subtitle: c.Name + " · " + text(lang, "breaches.pdf.subtitle") + " " + now.Format("02-01-2006 15:04"),
			Lang:     lang, Footer: c.Name + " · " + text(lang, "breaches.title"), Created: now})
		d.KeyValues(filledPairs(facts[2:]))
		d.H2(text(lang, "breach.candidates"))
		if len(rows) == 0 {
			d.Para(text(lang, "breach.nolinks"))
		} else {
			cols := []pdf.Column{{Header: head[0], Width: 3}, {Header: head[1], Width: 3.5}, {Header: head[2], Width: 2}, {Header: head[3], Width: 2.5}}
			var tab [][]string
			for _, l := range rows {
				tab = append(tab, cells(l))
			}
			d.Table(cols, tab)
		}
		var buf bytes.Buffer
		if err := d.Write(&buf); err != nil {
			return err
		}
		return sendBreachFile(w, "application/pdf", name+".pdf", buf.Bytes())
	}
}

// breachLetterWriter lays out the letters of art. 34 in lang for the
// agency of the request (report.BreachLetter).
func (s *Server) breachLetterWriter(r *http.Request, lang string) (store.BreachLetterWriter, error) {
	c, err := s.controller(r)
	if err != nil {
		return nil, err
	}
	return func(b *kluis.Breach, to *kluis.Candidate, day kluis.Date) ([]byte, error) {
		var buf bytes.Buffer
		if err := report.BreachLetter(&buf, c, report.AddresseeOf(to), b, lang, day, amsterdam); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}, nil
}

// breachLetterFile sends a letter kept with a breach, for the UI and the
// API; the download is logged, the letter naming its candidate.
func (s *Server) breachLetterFile(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !s.mayKeepBreaches(r) {
		return errNoAccess
	}
	id, err := pathID(r, "breach")
	if err != nil {
		return err
	}
	letter, err := strconv.ParseInt(r.PathValue("letter"), 10, 64)
	if err != nil || letter <= 0 {
		return kluis.NotFound("letter")
	}
	l, content, err := s.db.OpenBreachLetter(ctx, a, id, letter)
	if err != nil {
		return err
	}
	s.logAccess(ctx, "download", "breach_letters", l.ID, l.CandidateID, []string{"content"}, "")
	name := text(l.Lang, "breach.letter.file") + "-" + strconv.FormatInt(id, 10) + "-" + strconv.FormatInt(l.CandidateID, 10) + ".pdf"
	return sendBreachFile(w, "application/pdf", name, content)
}
