package web

import (
	"math"
	"net/http"
	"time"

	"kluis/internal/access"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The data breach register in the API (GDPR art. 33 and 34). A token of
// any staff member with breaches:write may report a breach; only the
// privacy officer's reads and keeps the register and its exports. Every
// answer passes the catalogue's projection: a reporter gets back the
// breach's number and clock (the "clock" object), not its texts.

// breachReport is the body of POST /api/v1/breaches: the description a
// reporter gives.
type breachReport struct {
	Title         string    `json:"title"`
	DiscoveredAt  time.Time `json:"discovered_at"`
	Facts         string    `json:"facts"`
	Categories    []string  `json:"categories"`
	AffectedCount int       `json:"affected_count"`
	Effects       string    `json:"effects"`
	Measures      string    `json:"measures"`
}

// breachDecision is the body of POST /api/v1/breaches/{id}/decide.
type breachDecision struct {
	Version        int64      `json:"version"`
	Decision       string     `json:"decision"`
	APReportedAt   *time.Time `json:"ap_reported_at"`
	APReference    string     `json:"ap_reference"`
	DecisionReason string     `json:"decision_reason"`
}

// breachClosing is the body of POST /api/v1/breaches/{id}/close.
type breachClosing struct {
	Version int64 `json:"version"`
}

// breachLinks is the body of POST /api/v1/breaches/{id}/candidates.
type breachLinks struct {
	CandidateIDs []kluis.ID `json:"candidate_ids"`
}

// breachNotice is the body of POST /api/v1/breaches/{id}/notices: tell
// the linked candidates not yet told (or those of candidate_ids) by
// letter (kluis writes and keeps one each, in lang with message, dated
// sent_on) or by e-mail (in lang, with message).
type breachNotice struct {
	Channel      string     `json:"channel"`
	CandidateIDs []kluis.ID `json:"candidate_ids"`
	SentOn       kluis.Date `json:"sent_on"`
	Lang         string     `json:"lang"`
	Message      string     `json:"message"`
}

// breachLinkResult answers a linking.
type breachLinkResult struct {
	Added int `json:"added"`
	Total int `json:"total"`
}

func (s *Server) breachAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/breaches", token, s.apiBreaches},
		{"POST", "/api/v1/breaches", token, s.apiReportBreach},
		{"GET", "/api/v1/breaches/{id}", token, s.apiBreach},
		{"PATCH", "/api/v1/breaches/{id}", token, s.apiUpdateBreach},
		{"POST", "/api/v1/breaches/{id}/decide", token, s.apiDecideBreach},
		{"POST", "/api/v1/breaches/{id}/close", token, s.apiCloseBreach},
		{"GET", "/api/v1/breaches/{id}/candidates", token, s.apiBreachCandidates},
		{"POST", "/api/v1/breaches/{id}/candidates", token, s.apiLinkBreachCandidates},
		{"DELETE", "/api/v1/breaches/{id}/candidates/{candidate}", token, s.apiUnlinkBreachCandidate},
		{"POST", "/api/v1/breaches/{id}/notices", token, s.apiBreachNotices},
		{"GET", "/api/v1/breaches/export", token, s.apiBreachRegisterExport},
		{"GET", "/api/v1/breaches/{id}/export", token, s.apiBreachExport},
		{"GET", "/api/v1/reports/{file}", token, s.reportFile},
		{"GET", "/api/v1/breaches/{id}/letters", token, s.apiBreachLetters},
		{"GET", "/api/v1/breaches/{id}/letters/{letter}", token, s.breachLetterFile},
	}
}

// breachClockBody is the 72-hour clock of art. 33(1) in the API: the
// deadline, whether it still runs, the hours left or how late, and, once
// decided, the moment that stopped it and whether that was in time. It
// holds no personal data: every caller who gets the breach gets it, the
// reporter too.
type breachClockBody struct {
	Deadline  time.Time  `json:"deadline"`
	Running   bool       `json:"running"`
	Overdue   bool       `json:"overdue"`
	HoursLeft float64    `json:"hours_left"`
	HoursLate float64    `json:"hours_late"`
	Decided   bool       `json:"decided"`
	StoppedAt *time.Time `json:"stopped_at,omitempty"`
	InTime    bool       `json:"in_time"`
}

// hours is a duration in hours, to a tenth.
func hours(d time.Duration) float64 { return math.Round(d.Hours()*10) / 10 }

func clockBody(c kluis.BreachClock) breachClockBody {
	return breachClockBody{Deadline: c.Deadline, Running: c.Running, Overdue: c.Overdue, HoursLeft: hours(c.Left), HoursLate: hours(c.Late),
		Decided: !c.Running, StoppedAt: c.StoppedAt, InTime: c.InTime}
}

// withClock adds the clock to a projected breach.
func (s *Server) withClock(v access.View, b *kluis.Breach) access.View {
	if v != nil {
		v["clock"] = clockBody(b.Clock(s.clock.Now()))
	}
	return v
}

// breachExportFormats are the files a breach or the register comes as.
var breachExportFormats = kluis.Choices{{Value: "pdf"}, {Value: "csv"}}

// exportFormat reads the ?format= of an export: pdf when absent.
func exportFormat(r *http.Request) (string, error) {
	q := newQuery(r)
	f := q.choice("format", breachExportFormats)
	if f == "" {
		f = "pdf"
	}
	return f, q.err()
}

// apiBreachRegisterExport is GET /api/v1/breaches/export?format=: the
// whole register as the page's downloads have it.
func (s *Server) apiBreachRegisterExport(w http.ResponseWriter, r *http.Request) error {
	if !s.mayKeepBreaches(r) {
		return errNoAccess
	}
	f, err := exportFormat(r)
	if err != nil {
		return err
	}
	return s.breachRegisterFile(f)(w, r)
}

// apiBreachExport is GET /api/v1/breaches/{id}/export?format=: one breach
// with its candidates, as the breach's page has it.
func (s *Server) apiBreachExport(w http.ResponseWriter, r *http.Request) error {
	if !s.mayKeepBreaches(r) {
		return errNoAccess
	}
	f, err := exportFormat(r)
	if err != nil {
		return err
	}
	return s.breachFile(f)(w, r)
}

// apiBreaches is GET /api/v1/breaches.
func (s *Server) apiBreaches(w http.ResponseWriter, r *http.Request) error {
	if !store.MayKeepBreaches(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	q := newQuery(r)
	f := store.BreachFilter{Status: q.choice("status", kluis.BreachStatuses), Undecided: q.choice("undecided", yesNo) == "true", Page: q.page()}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.Breaches(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	views, err := projectList(s, r, "breaches", items)
	if err != nil {
		return err
	}
	for i := range views {
		views[i] = s.withClock(views[i], &items[i])
	}
	return writeList(w, views, total, f.Page)
}

// apiBreach is GET /api/v1/breaches/{id}.
func (s *Server) apiBreach(w http.ResponseWriter, r *http.Request) error {
	if !store.MayKeepBreaches(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	id, err := pathID(r, "breach")
	if err != nil {
		return err
	}
	b, err := s.db.Breach(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return s.writeBreach(w, r, http.StatusOK, b)
}

// writeBreach answers with a breach as the caller may see it.
func (s *Server) writeBreach(w http.ResponseWriter, r *http.Request, code int, b *kluis.Breach) error {
	if !s.projector(r.Context()).CanSee(actorFrom(r.Context()).Role, "breaches") && code == http.StatusOK {
		return errNoAccess
	}
	v, err := s.projector(r.Context()).Project(actorFrom(r.Context()).Role, "breaches", b)
	if err != nil {
		return err
	}
	return writeRecord(w, code, s.withClock(v, b), b.Version)
}

// apiReportBreach is POST /api/v1/breaches.
func (s *Server) apiReportBreach(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !store.MayReportBreach(a.Role) {
		return errNoAccess
	}
	var in breachReport
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	b := &kluis.Breach{Title: in.Title, DiscoveredAt: in.DiscoveredAt, Facts: in.Facts, Categories: in.Categories, AffectedCount: in.AffectedCount,
		Effects: in.Effects, Measures: in.Measures}
	if err := s.db.ReportBreach(r.Context(), a, b); err != nil {
		return err
	}
	return s.writeBreach(w, r, http.StatusCreated, b)
}

// apiUpdateBreach is PATCH /api/v1/breaches/{id}: the description and
// assessment, with the version it is based on.
func (s *Server) apiUpdateBreach(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !store.MayKeepBreaches(a.Role) {
		return errNoAccess
	}
	id, err := pathID(r, "breach")
	if err != nil {
		return err
	}
	cur, err := s.db.Breach(ctx, a, id)
	if err != nil {
		return err
	}
	// Only the description and the assessment change here.
	in := breachEdit{Title: cur.Title, DiscoveredAt: cur.DiscoveredAt, Facts: cur.Facts, Categories: cur.Categories, AffectedCount: cur.AffectedCount,
		Effects: cur.Effects, Measures: cur.Measures, Risk: cur.Risk, InformDecision: cur.InformDecision, InformReason: cur.InformReason}
	version, _, err := decodePatch(w, r, &in)
	if err != nil {
		return err
	}
	b, err := s.db.UpdateBreach(ctx, a, id, version, &kluis.Breach{Title: in.Title, DiscoveredAt: in.DiscoveredAt, Facts: in.Facts,
		Categories: in.Categories, AffectedCount: in.AffectedCount, Effects: in.Effects, Measures: in.Measures, Risk: in.Risk,
		InformDecision: in.InformDecision, InformReason: in.InformReason})
	if err != nil {
		return err
	}
	return s.writeBreach(w, r, http.StatusOK, b)
}

// breachEdit is the body of PATCH /api/v1/breaches/{id}.
type breachEdit struct {
	Title          string    `json:"title"`
	DiscoveredAt   time.Time `json:"discovered_at"`
	Facts          string    `json:"facts"`
	Categories     []string  `json:"categories"`
	AffectedCount  int       `json:"affected_count"`
	Effects        string    `json:"effects"`
	Measures       string    `json:"measures"`
	Risk           string    `json:"risk"`
	InformDecision string    `json:"inform_decision"`
	InformReason   string    `json:"inform_reason"`
}

// breachStep reads the id and the body of a step on a breach.
func (s *Server) breachStep(w http.ResponseWriter, r *http.Request, body any) (kluis.ID, error) {
	if !store.MayKeepBreaches(actorFrom(r.Context()).Role) {
		return 0, errNoAccess
	}
	id, err := pathID(r, "breach")
	if err != nil {
		return 0, err
	}
	return id, readOptionalJSON(w, r, body)
}

// apiDecideBreach is POST /api/v1/breaches/{id}/decide.
func (s *Server) apiDecideBreach(w http.ResponseWriter, r *http.Request) error {
	var in breachDecision
	id, err := s.breachStep(w, r, &in)
	if err != nil {
		return err
	}
	b, err := s.db.DecideBreach(r.Context(), actorFrom(r.Context()), id, in.Version, in.Decision, in.APReportedAt, in.APReference, in.DecisionReason)
	if err != nil {
		return err
	}
	return s.writeBreach(w, r, http.StatusOK, b)
}

// apiCloseBreach is POST /api/v1/breaches/{id}/close.
func (s *Server) apiCloseBreach(w http.ResponseWriter, r *http.Request) error {
	var in breachClosing
	id, err := s.breachStep(w, r, &in)
	if err != nil {
		return err
	}
	b, err := s.db.CloseBreach(r.Context(), actorFrom(r.Context()), id, in.Version)
	if err != nil {
		return err
	}
	return s.writeBreach(w, r, http.StatusOK, b)
}

// apiBreachCandidates is GET /api/v1/breaches/{id}/candidates: the links,
// by candidate id.
func (s *Server) apiBreachCandidates(w http.ResponseWriter, r *http.Request) error {
	if !store.MayKeepBreaches(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	id, err := pathID(r, "breach")
	if err != nil {
		return err
	}
	q := newQuery(r)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.BreachCandidates(r.Context(), actorFrom(r.Context()), id, page)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "breach_candidates", items, total, page)
}

// apiLinkBreachCandidates is POST /api/v1/breaches/{id}/candidates.
func (s *Server) apiLinkBreachCandidates(w http.ResponseWriter, r *http.Request) error {
	var in breachLinks
	id, err := s.breachStep(w, r, &in)
	if err != nil {
		return err
	}
	n, err := s.db.LinkBreachCandidates(r.Context(), actorFrom(r.Context()), id, in.CandidateIDs)
	if err != nil {
		return err
	}
	_, total, err := s.db.BreachCandidates(r.Context(), actorFrom(r.Context()), id, kluis.Page{Limit: 1})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, breachLinkResult{Added: n, Total: total})
	return nil
}

// apiUnlinkBreachCandidate is DELETE /api/v1/breaches/{id}/candidates/{candidate}.
func (s *Server) apiUnlinkBreachCandidate(w http.ResponseWriter, r *http.Request) error {
	if !store.MayKeepBreaches(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	id, err := pathID(r, "breach")
	if err != nil {
		return err
	}
	r.SetPathValue("id", r.PathValue("candidate"))
	cand, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	if err := s.db.UnlinkBreachCandidate(r.Context(), actorFrom(r.Context()), id, cand); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiBreachNotices is POST /api/v1/breaches/{id}/notices.
func (s *Server) apiBreachNotices(w http.ResponseWriter, r *http.Request) error {
	var in breachNotice
	id, err := s.breachStep(w, r, &in)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	var res store.BreachNoticeResult
	switch in.Channel {
	case "letter":
		if in.Lang == "" {
			in.Lang = "nl"
		}
		var write store.BreachLetterWriter
		if write, err = s.breachLetterWriter(r, in.Lang); err == nil {
			res, err = s.db.RecordBreachLetters(ctx, a, id, in.CandidateIDs, in.SentOn, in.Lang, in.Message, write)
		}
	case "email":
		if in.Lang == "" {
			in.Lang = "nl"
		}
		res, err = s.db.NotifyBreachByEmail(ctx, a, id, in.CandidateIDs, in.Lang, in.Message)
	default:
		p := kluis.Problems{}
		p.Add("channel", "Kies letter of email.", "Choose letter or email.")
		err = p.Err()
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// apiBreachLetters is GET /api/v1/breaches/{id}/letters: the letters kept
// with a breach — by candidate number, language, date, size and
// fingerprint; the letters themselves at .../letters/{letter}.
func (s *Server) apiBreachLetters(w http.ResponseWriter, r *http.Request) error {
	if !s.mayKeepBreaches(r) {
		return errNoAccess
	}
	id, err := pathID(r, "breach")
	if err != nil {
		return err
	}
	ls, err := s.db.BreachLetters(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	views, err := projectList(s, r, "breach_letters", ls)
	if err != nil {
		return err
	}
	return writeList(w, views, len(views), kluis.Page{Limit: len(views)})
}
