package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The data breach register in the staff UI. Every member of staff has the
// simple form "Datalek melden"; the privacy officer keeps the register:
// the list with each breach's 72-hour clock (overdue in red), one breach
// with its steps as forms — describe and assess, decide on reporting to
// the AP, link the candidates concerned, tell them by letter or e-mail,
// close — and the exports as PDF and CSV.

func (s *Server) breachRoutes() []route {
	return []route{
		{"GET", "/breaches", session, s.breachesPage},
		{"GET", "/breaches/report", session, s.breachReportForm},
		{"POST", "/breaches/report", session, s.breachReport},
		{"GET", "/breaches/register.csv", session, s.breachRegisterFile("csv")},
		{"GET", "/breaches/register.pdf", session, s.breachRegisterFile("pdf")},
		{"GET", "/breaches/{id}", session, s.breachPage},
		{"GET", "/breaches/{id}/breach.csv", session, s.breachFile("csv")},
		{"GET", "/breaches/{id}/breach.pdf", session, s.breachFile("pdf")},
		{"POST", "/breaches/{id}/edit", session, s.breachStepForm("edit")},
		{"POST", "/breaches/{id}/decide", session, s.breachStepForm("decide")},
		{"POST", "/breaches/{id}/close", session, s.breachStepForm("close")},
		{"POST", "/breaches/{id}/link", session, s.breachStepForm("link")},
		{"POST", "/breaches/{id}/unlink", session, s.breachStepForm("unlink")},
		{"POST", "/breaches/{id}/letters", session, s.breachStepForm("letters")},
		{"GET", "/breaches/{id}/letters/{letter}", session, s.breachLetterFile},
		{"POST", "/breaches/{id}/email", session, s.breachStepForm("email")},
		{"POST", "/breaches/{id}/search", session, s.breachSearch},
	}
}

// mayKeepBreaches reports whether the viewer keeps the register: their
// role, and the catalogue (as the agency set it) lets them see its texts.
func (s *Server) mayKeepBreaches(r *http.Request) bool {
	a := actorFrom(r.Context())
	return store.MayKeepBreaches(a.Role) && s.projector(r.Context()).CanSee(a.Role, "breaches")
}

// MayKeepBreaches shows the menu item "Datalekken"; MayReportBreach the
// item "Datalek melden" to the rest of the staff.
func (b Base) MayKeepBreaches() bool { return b.User != nil && store.MayKeepBreaches(b.User.Role) }
func (b Base) MayReportBreach() bool { return b.User != nil && store.MayReportBreach(b.User.Role) }

// The closed lists of the register, for templates.
func (Base) BreachRiskChoices() kluis.Choices     { return kluis.BreachRisks }
func (Base) BreachDecisionChoices() kluis.Choices { return kluis.BreachDecisions }
func (Base) BreachInformChoices() kluis.Choices   { return kluis.BreachInformDecisions }
func (Base) BreachStatusChoices() kluis.Choices   { return kluis.BreachStatuses }
func (Base) BreachCategoryChoices() kluis.Choices { return kluis.BreachCategories }
func (Base) BreachNoticeChoices() kluis.Choices   { return kluis.BreachNoticeChannels }

// breachRow is a breach with its clock and its links, as lists show it.
type breachRow struct {
	kluis.Breach
	Clock    kluis.BreachClock
	Linked   int
	Informed int
	lang     string
}

// ClockText says where the 72-hour clock stands, in words.
func (b breachRow) ClockText() string { return clockText(b.Clock, b.lang) }

// clockText is the clock in words: the time left, how late, or the moment
// it stopped.
func clockText(c kluis.BreachClock, lang string) string {
	t := func(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(lang) }
	switch {
	case c.Overdue:
		return t("72 uur verstreken — "+clockSpan(c.Late, lang)+" te laat", "72 hours passed — "+clockSpan(c.Late, lang)+" late")
	case c.Running:
		return t("nog "+clockSpan(c.Left, lang)+" om te melden", clockSpan(c.Left, lang)+" left to report")
	case c.StoppedAt == nil:
		return ""
	}
	what := t("besloten op ", "decided on ")
	if c.Reported {
		what = t("gemeld bij de AP op ", "reported to the AP on ")
	}
	if c.InTime {
		return what + formatTime(*c.StoppedAt) + t(", binnen 72 uur", ", within 72 hours")
	}
	return what + formatTime(*c.StoppedAt) + t(", na de 72 uur", ", after the 72 hours")
}

// clockSpan is a span of hours and minutes: "13 u 20 min" / "13 h 20 min".
func clockSpan(d time.Duration, lang string) string {
	d = d.Truncate(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	unit := "u"
	if lang == "en" {
		unit = "h"
	}
	return fmt.Sprintf("%d %s %d min", h, unit, m)
}

// At is the time p points to, the zero time for none (shown as "—").
func (breachRow) At(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}

// InformedTime is when the candidate was told.
func (l breachLinkRow) InformedTime() time.Time { return breachRow{}.At(l.InformedAt) }

// LanguageChoices are the languages of a notice.
func (Base) LanguageChoices() kluis.Choices {
	return kluis.Choices{{Value: "nl", Label: kluis.Msg{NL: "Nederlands", EN: "Dutch"}}, {Value: "en", Label: kluis.Msg{NL: "Engels", EN: "English"}}}
}

// ClockClass is the CSS class of the clock: red when overdue.
func (b breachRow) ClockClass() string {
	switch {
	case b.Clock.Overdue:
		return "late"
	case b.Clock.Soon:
		return "soon"
	case b.Clock.StoppedAt != nil && !b.Clock.InTime:
		return "late"
	}
	return ""
}

// breachRows adds clocks and link counts to breaches.
func (s *Server) breachRows(r *http.Request, lang string, bs []kluis.Breach) ([]breachRow, error) {
	counts, err := s.db.BreachLinkCounts(r.Context(), actorFrom(r.Context()), bs)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := make([]breachRow, len(bs))
	for i, b := range bs {
		c := counts[b.ID]
		out[i] = breachRow{Breach: b, Clock: b.Clock(now), Linked: c.Linked, Informed: c.Informed, lang: lang}
	}
	return out, nil
}

// breachesView is the register.
type breachesView struct {
	Base
	Form    *Form
	Items   []breachRow
	Total   int
	Overdue int
}

const breachesLimit = 100

func (s *Server) breachesPage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !s.mayKeepBreaches(r) {
		return errNoAccess
	}
	v := &breachesView{Base: s.baseFor(r, "breaches", "breaches.title")}
	v.Form = formFromQuery(r, v.Lang, "status", "undecided")
	f := store.BreachFilter{Status: v.Form.Values["status"], Undecided: v.Form.Values["undecided"] == "true", Page: kluis.Page{Limit: breachesLimit}}
	if f.Status != "" && !kluis.BreachStatuses.Has(f.Status) {
		v.Form.Errors["status"] = text(v.Lang, "requests.badfilter")
		return s.render(w, r, http.StatusUnprocessableEntity, "breaches", "", v)
	}
	items, total, err := s.db.Breaches(ctx, a, f)
	if err != nil {
		return err
	}
	if v.Items, err = s.breachRows(r, v.Lang, items); err != nil {
		return err
	}
	v.Total = total
	open, _, err := s.db.OpenBreaches(ctx, a, kluis.MaxPageSize)
	if err != nil {
		return err
	}
	for _, o := range open {
		if o.Clock.Overdue {
			v.Overdue++
		}
	}
	return s.render(w, r, http.StatusOK, "breaches", "", v)
}

// breachReportView is the form "Datalek melden".
type breachReportView struct {
	Base
	Form       *Form
	Categories []checkOption
	Done       kluis.ID // the number of the breach just reported
}

// breachCategoryChecks are the categories as checkboxes, those of checked ticked.
func breachCategoryChecks(lang string, checked []string) []checkOption {
	on := map[string]bool{}
	for _, c := range checked {
		on[c] = true
	}
	var out []checkOption
	for _, c := range kluis.BreachCategories {
		out = append(out, checkOption{Value: c.Value, Label: c.Label.In(lang), Checked: on[c.Value]})
	}
	return out
}

func (s *Server) breachReportForm(w http.ResponseWriter, r *http.Request) error {
	if !store.MayReportBreach(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	v := &breachReportView{Base: s.baseFor(r, "breach-report", "breaches.report")}
	v.Form = newForm(v.Lang)
	v.Form.Values["discovered_at"] = s.clock.Now().In(amsterdam).Format("2006-01-02T15:04")
	v.Categories = breachCategoryChecks(v.Lang, nil)
	if id, err := strconv.ParseInt(r.URL.Query().Get("done"), 10, 64); err == nil && id > 0 {
		v.Done = id
	}
	return s.render(w, r, http.StatusOK, "breach_report", "", v)
}

// breachFormTime reads a datetime-local field, in Amsterdam time; a malformed
// one is a field error.
func breachFormTime(f *Form, name string) time.Time {
	t, ok := parseLocalTime(f.Values[name])
	if !ok {
		f.Errors[name] = text(f.Lang, "breach.badtime")
	}
	return t
}

// checkedBreachCategories reads the ticked categories, no more than there are.
func checkedBreachCategories(r *http.Request) []string {
	c := r.PostForm["categories"]
	if len(c) > len(kluis.BreachCategories) {
		c = c[:len(kluis.BreachCategories)]
	}
	return append([]string{}, c...)
}

func (s *Server) breachReport(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !store.MayReportBreach(a.Role) {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	v := &breachReportView{Base: s.baseFor(r, "breach-report", "breaches.report")}
	v.Form = formFrom(r, v.Lang, "title", "discovered_at", "facts", "affected_count", "measures")
	cats := checkedBreachCategories(r)
	v.Categories = breachCategoryChecks(v.Lang, cats)
	b := &kluis.Breach{Title: v.Form.Values["title"], DiscoveredAt: breachFormTime(v.Form, "discovered_at"), Facts: v.Form.Values["facts"],
		Categories: cats, AffectedCount: int(v.Form.Int64("affected_count")), Measures: v.Form.Values["measures"]}
	if !v.Form.HasErrors() {
		err := s.db.ReportBreach(r.Context(), a, b)
		if err == nil {
			if s.mayKeepBreaches(r) {
				return seeOther(w, r, "/breaches/"+formatID(b.ID), "breaches.reported")
			}
			return seeOther(w, r, "/breaches/report?done="+formatID(b.ID), "")
		}
		if err := v.Form.Fail(err); err != nil {
			return err
		}
	} else if err := b.Validate(s.clock.Now()); err != nil {
		// Report every field's problem at once, not only the unreadable time.
		for k, m := range err.(*kluis.Error).Fields {
			if _, ok := v.Form.Errors[k]; !ok && k != "discovered_at" {
				v.Form.Errors[k] = m.In(v.Lang)
			}
		}
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "breach_report", "", v)
}

// breachLinkRow is a linked candidate with their name ("" once erased).
type breachLinkRow struct {
	kluis.BreachCandidate
	Name string
}

// breachView is one breach with its steps.
type breachView struct {
	Base
	B          breachRow
	ReportedBy string
	DecidedBy  string
	Edit       *Form
	Decide     *Form
	Close      *Form
	Link       *Form
	Letters    *Form
	Email      *Form
	// Kept are the letters kluis wrote to the candidates, kept with the
	// breach (art. 34), to download.
	Kept       []kluis.BreachLetter
	Categories []checkOption
	Links      []breachLinkRow
	LinkTotal  int
	LinkOffset int
	Uninformed int
	// Found are the candidates a search on the page found, to link.
	Found     []kluis.Candidate
	Searched  bool
	Search    *Form
	LinkLimit int
	// Counted and Skipped report the last bulk step: how many were linked
	// or told, and how many could not be told.
	Counted, Skipped string
}

// CategoryLabels are the labels of the breach's categories.
func (v *breachView) CategoryLabels() []string {
	var out []string
	for _, c := range v.B.Categories {
		out = append(out, kluis.BreachCategories.Label(c, v.Lang))
	}
	return out
}

// ClockText and Deadline feed the page's clock.
func (v *breachView) DeadlineText() string { return formatTime(v.B.Clock.Deadline) }

const breachLinksLimit = 100

func (s *Server) breachPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadBreachView(r, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "breach", "", v)
}

// loadBreachView loads a breach's page; failed holds the step form that
// was refused (kept as typed).
func (s *Server) loadBreachView(r *http.Request, failed map[string]*Form) (*breachView, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !s.mayKeepBreaches(r) {
		return nil, errNoAccess
	}
	id, err := pathID(r, "breach")
	if err != nil {
		return nil, err
	}
	b, err := s.db.Breach(ctx, a, id)
	if err != nil {
		return nil, err
	}
	v := &breachView{Base: s.baseFor(r, "breaches", "breach.title"), LinkLimit: breachLinksLimit}
	rows, err := s.breachRows(r, v.Lang, []kluis.Breach{*b})
	if err != nil {
		return nil, err
	}
	v.B = rows[0]
	v.Uninformed = v.B.Linked - v.B.Informed
	names, err := s.staffNames(r)
	if err != nil {
		return nil, err
	}
	v.ReportedBy, v.DecidedBy = names[b.ReportedBy], names[b.DecidedBy]
	form := func(step string) *Form {
		if f := failed[step]; f != nil {
			return f
		}
		f := newForm(v.Lang)
		f.Values["version"] = formatID(b.Version)
		return f
	}
	v.Edit, v.Decide, v.Close, v.Link, v.Letters, v.Email = form("edit"), form("decide"), form("close"), form("link"), form("letters"), form("email")
	v.Search = form("search")
	if failed["edit"] == nil {
		e := v.Edit.Values
		e["title"], e["discovered_at"], e["facts"], e["affected_count"] = b.Title, b.DiscoveredAt.In(amsterdam).Format("2006-01-02T15:04"), b.Facts, strconv.Itoa(b.AffectedCount)
		e["effects"], e["measures"], e["risk"], e["inform_decision"], e["inform_reason"] = b.Effects, b.Measures, b.Risk, b.InformDecision, b.InformReason
		v.Categories = breachCategoryChecks(v.Lang, b.Categories)
	} else {
		v.Categories = breachCategoryChecks(v.Lang, r.PostForm["categories"])
	}
	if failed["email"] == nil {
		v.Email.Values["lang"] = "nl"
		v.Email.Values["message"] = b.NoticeText
	}
	if failed["letters"] == nil {
		v.Letters.Values["lang"] = "nl"
		v.Letters.Values["message"] = b.NoticeText
	}
	if v.Kept, err = s.db.BreachLetters(ctx, a, id); err != nil {
		return nil, err
	}
	q := formFromQuery(r, v.Lang, "offset", "n", "skipped")
	v.LinkOffset = max(0, int(q.Int64("offset")))
	if n := q.Int64("n"); n >= 0 && q.Values["n"] != "" && !q.HasErrors() {
		v.Counted, v.Skipped = strconv.FormatInt(n, 10), strconv.FormatInt(max(0, q.Int64("skipped")), 10)
	}
	links, total, err := s.db.BreachCandidates(ctx, a, id, kluis.Page{Limit: breachLinksLimit, Offset: v.LinkOffset})
	if err != nil {
		return nil, err
	}
	v.LinkTotal = total
	v.Links = s.breachLinkRows(r, links)
	return v, nil
}

// breachLinkRows adds the candidates' names to links, as far as the viewer may
// see them; an erased candidate has none.
func (s *Server) breachLinkRows(r *http.Request, links []kluis.BreachCandidate) []breachLinkRow {
	ctx, a := r.Context(), actorFrom(r.Context())
	showNames := s.projector(ctx).CanSee(a.Role, "candidates")
	out := make([]breachLinkRow, len(links))
	for i, l := range links {
		out[i].BreachCandidate = l
		if !showNames {
			continue
		}
		if c, err := s.db.Candidate(ctx, a, l.CandidateID); err == nil {
			out[i].Name = c.Name()
		}
	}
	return out
}

// breachStepForm handles the form of one step on a breach's page.
func (s *Server) breachStepForm(step string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, a := r.Context(), actorFrom(r.Context())
		if !s.mayKeepBreaches(r) {
			return errNoAccess
		}
		id, err := pathID(r, "breach")
		if err != nil {
			return err
		}
		if err := parseForm(r, 0); err != nil {
			return err
		}
		lang := s.baseFor(r, "", "").Lang
		f := formFrom(r, lang, "version", "title", "discovered_at", "facts", "affected_count", "effects", "measures", "risk",
			"inform_decision", "inform_reason", "decision", "ap_reported_at", "ap_reference", "decision_reason", "candidate_ids",
			"candidate_id", "sent_on", "lang", "message", "only")
		version := f.Int64("version")
		flash := "breach." + step + ".done"
		var res store.BreachNoticeResult
		if !f.HasErrors() {
			switch step {
			case "edit":
				in := &kluis.Breach{Title: f.Values["title"], DiscoveredAt: breachFormTime(f, "discovered_at"), Facts: f.Values["facts"],
					Categories: checkedBreachCategories(r), AffectedCount: int(f.Int64("affected_count")), Effects: f.Values["effects"],
					Measures: f.Values["measures"], Risk: f.Values["risk"], InformDecision: f.Values["inform_decision"], InformReason: f.Values["inform_reason"]}
				if !f.HasErrors() {
					_, err = s.db.UpdateBreach(ctx, a, id, version, in)
				}
			case "decide":
				var at *time.Time
				if t := breachFormTime(f, "ap_reported_at"); !t.IsZero() {
					at = &t
				}
				if !f.HasErrors() {
					_, err = s.db.DecideBreach(ctx, a, id, version, f.Values["decision"], at, f.Values["ap_reference"], f.Values["decision_reason"])
				}
			case "close":
				_, err = s.db.CloseBreach(ctx, a, id, version)
			case "link":
				var ids []kluis.ID
				if ids, err = store.ParseCandidateIDs(f.Values["candidate_ids"]+" "+joinPicks(r.PostForm["pick"]), "candidate_ids"); err == nil {
					var n int
					n, err = s.db.LinkBreachCandidates(ctx, a, id, ids)
					res.Informed = n
				}
			case "unlink":
				err = s.db.UnlinkBreachCandidate(ctx, a, id, f.Int64("candidate_id"))
			case "letters":
				var write store.BreachLetterWriter
				if write, err = s.breachLetterWriter(r, f.Values["lang"]); err == nil {
					res, err = s.db.RecordBreachLetters(ctx, a, id, nil, kluis.Date(f.Values["sent_on"]), f.Values["lang"], f.Values["message"], write)
				}
			case "email":
				res, err = s.db.NotifyBreachByEmail(ctx, a, id, nil, f.Values["lang"], f.Values["message"])
			}
			if err == nil && !f.HasErrors() {
				to := "/breaches/" + formatID(id)
				if step == "link" || step == "letters" || step == "email" {
					return seeOther(w, r, to+"?flash="+flash+"&n="+strconv.Itoa(res.Informed)+"&skipped="+strconv.Itoa(res.Skipped), "")
				}
				return seeOther(w, r, to, flash)
			}
			if err != nil {
				if err := f.Fail(err); err != nil {
					return err
				}
			}
		}
		v, err := s.loadBreachView(r, map[string]*Form{step: f})
		if err != nil {
			return err
		}
		f.Values["version"] = formatID(v.B.Version)
		return s.render(w, r, http.StatusUnprocessableEntity, "breach", "", v)
	}
}

func joinPicks(vs []string) string {
	out := ""
	for _, v := range vs {
		out += " " + v
	}
	return out
}

// breachSearch finds candidates by name on a breach's page, to link
// them: a POST, so that no name ends up in a URL or a log.
func (s *Server) breachSearch(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, s.baseFor(r, "", "").Lang, "q")
	v, err := s.loadBreachView(r, map[string]*Form{"search": f})
	if err != nil {
		return err
	}
	if !s.projector(ctx).CanSee(a.Role, "candidates") {
		return errNoAccess
	}
	if f.Values["q"] == "" {
		f.Errors["q"] = text(v.Lang, "breach.search.empty")
		return s.render(w, r, http.StatusUnprocessableEntity, "breach", "", v)
	}
	cs, _, err := s.db.ListCandidates(ctx, a, store.CandidateFilter{Query: f.Values["q"], Page: kluis.Page{Limit: 50}})
	if err != nil {
		return err
	}
	v.Found, v.Searched = cs, true
	return s.render(w, r, http.StatusOK, "breach", "", v)
}

// openBreachesView is the banner of the privacy officer's start page: the
// breaches whose 72-hour clock runs, the earliest deadline first.
func (s *Server) openBreachesView(r *http.Request, b Base) (*breachesView, error) {
	open, total, err := s.db.OpenBreaches(r.Context(), actorFrom(r.Context()), kluis.MaxPageSize)
	if err != nil {
		return nil, err
	}
	v := &breachesView{Base: b, Total: total}
	for i, o := range open {
		if i < 10 {
			v.Items = append(v.Items, breachRow{Breach: o.Breach, Clock: o.Clock, Linked: o.Linked, lang: b.Lang})
		}
		if o.Clock.Overdue {
			v.Overdue++
		}
	}
	return v, nil
}
