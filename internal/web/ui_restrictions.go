package web

import (
	"net/http"
	"strconv"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/report"
	"kluis/internal/store"
)

// Restriction (art. 18), rectification (art. 16) and the notices to
// recipients (art. 19) in the staff UI: a banner on every screen of a
// restricted candidate, the restriction panel on their AVG tab, the
// privacy officer's list of restrictions and the page of one (inform,
// decide an objection, lift), and on a request's page the steps of its
// kind — restrict, rectify, notify the recipients, tell the candidate.

func (s *Server) restrictionRoutes() []route {
	return []route{
		{"GET", "/restrictions", session, s.restrictionsPage},
		{"GET", "/restrictions/{id}", session, s.restrictionPage},
		{"POST", "/restrictions/{id}/inform", session, s.restrictionStepForm("inform")},
		{"POST", "/restrictions/{id}/decide", session, s.restrictionStepForm("decide")},
		{"POST", "/restrictions/{id}/lift", session, s.restrictionStepForm("lift")},
		{"POST", "/candidates/{id}/restrict", session, s.candidateRestrict},
		{"POST", "/requests/{id}/restrict", session, s.requestRightsForm("restrict")},
		{"POST", "/requests/{id}/notify", session, s.requestRightsForm("notify")},
		{"POST", "/requests/{id}/tell", session, s.requestRightsForm("tell")},
		{"GET", "/requests/{id}/rectify", session, s.rectifyPage},
		{"POST", "/requests/{id}/rectify", session, s.rectifySave},
	}
}

// The closed lists of restriction, for templates.
func (Base) RestrictionGroundChoices() kluis.Choices { return kluis.RestrictionGrounds }
func (Base) OverrideReasonChoices() kluis.Choices    { return kluis.OverrideReasons }
func (Base) InformChoices() kluis.Choices            { return kluis.InformMethods }
func (Base) ObjectionOutcomeChoices() kluis.Choices  { return kluis.ObjectionOutcomes }
func (Base) NoticeChannelChoices() kluis.Choices     { return kluis.NoticeChannels }
func (Base) NoticeSubjectChoices() kluis.Choices     { return kluis.NoticeSubjects }

// RequestGroundChoices are the grounds a restriction request may ask for:
// (d) belongs to an objection.
func (Base) RequestGroundChoices() kluis.Choices { return kluis.RestrictionGrounds[:3] }

// restrictionRow is a restriction with its candidate's name ("" once
// erased).
type restrictionRow struct {
	kluis.Restriction
	CandidateName string
}

func (s *Server) restrictionRows(r *http.Request, xs []kluis.Restriction) []restrictionRow {
	ctx, a := r.Context(), actorFrom(r.Context())
	names := map[kluis.ID]string{}
	out := make([]restrictionRow, len(xs))
	for i, x := range xs {
		name, ok := names[x.CandidateID]
		if !ok {
			if c, err := s.db.Candidate(ctx, a, x.CandidateID); err == nil {
				name = c.Name()
			}
			names[x.CandidateID] = name
		}
		out[i] = restrictionRow{Restriction: x, CandidateName: name}
	}
	return out
}

// restrictionsView is the privacy officer's list of restrictions.
type restrictionsView struct {
	Base
	Items  []restrictionRow
	Total  int
	Lifted bool
}

func (s *Server) restrictionsPage(w http.ResponseWriter, r *http.Request) error {
	if err := handlerOnly(r); err != nil {
		return err
	}
	v := &restrictionsView{Base: s.baseFor(r, "requests", "restrictions.title"), Lifted: r.URL.Query().Get("lifted") == "true"}
	f := store.RestrictionFilter{Active: !v.Lifted, Lifted: v.Lifted, Page: kluis.Page{Limit: kluis.MaxPageSize}}
	xs, total, err := s.db.Restrictions(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	v.Items, v.Total = s.restrictionRows(r, xs), total
	return s.render(w, r, http.StatusOK, "restrictions", "", v)
}

// restrictionView is one restriction with its steps.
type restrictionView struct {
	Base
	X          restrictionRow
	By         map[kluis.ID]string
	Overrides  []store.ProcessingOverride
	NoticeSent bool
	Inform     *Form
	Decide     *Form
	Lift       *Form
}

// CanLift reports whether the lift form is offered.
func (v *restrictionView) CanLift() bool {
	return v.X.Active() && v.X.InformedOn != "" && (v.X.InformedHow != "email" || v.NoticeSent) && (v.X.Ground != "objection" || v.X.Outcome != "")
}

func (s *Server) restrictionPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadRestrictionView(r, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "restriction", "", v)
}

func (s *Server) loadRestrictionView(r *http.Request, failed map[string]*Form) (*restrictionView, error) {
	if err := handlerOnly(r); err != nil {
		return nil, err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "restriction")
	if err != nil {
		return nil, err
	}
	x, err := s.db.Restriction(ctx, a, id)
	if err != nil {
		return nil, err
	}
	v := &restrictionView{Base: s.baseFor(r, "requests", "restriction.title"), X: s.restrictionRows(r, []kluis.Restriction{*x})[0]}
	if v.By, err = s.staffNames(r); err != nil {
		return nil, err
	}
	if v.Overrides, err = s.db.ProcessingOverrides(ctx, a, id); err != nil {
		return nil, err
	}
	if x.NoticeID != 0 {
		ms, _, err := s.db.OutboxMessages(ctx, a, x.CandidateID, kluis.Page{Limit: kluis.MaxPageSize})
		if err != nil && kluis.ErrorCode(err) != kluis.ENotFound {
			return nil, err
		}
		for _, m := range ms {
			if m.ID == x.NoticeID && m.State == store.OutboxSent {
				v.NoticeSent = true
			}
		}
	}
	form := func(step string) *Form {
		if f := failed[step]; f != nil {
			return f
		}
		f := newForm(v.Lang)
		f.Values["version"] = formatID(x.Version)
		f.Values["lang"] = v.Lang
		return f
	}
	v.Inform, v.Decide, v.Lift = form("inform"), form("decide"), form("lift")
	return v, nil
}

// restrictionStepForm handles one step on a restriction's page.
func (s *Server) restrictionStepForm(step string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := handlerOnly(r); err != nil {
			return err
		}
		ctx, a := r.Context(), actorFrom(r.Context())
		id, err := pathID(r, "restriction")
		if err != nil {
			return err
		}
		if err := parseForm(r, 0); err != nil {
			return err
		}
		f := formFrom(r, s.baseFor(r, "", "").Lang, "version", "informed_how", "informed_on", "lang", "outcome")
		version := f.Int64("version")
		if !f.HasErrors() {
			switch step {
			case "inform":
				if f.Values["informed_how"] == "email" {
					_, err = s.db.SendRestrictionNotice(ctx, a, id, version, noticeLang(f.Values["lang"], r))
				} else {
					_, err = s.db.InformRestriction(ctx, a, id, version, f.Values["informed_how"], kluis.Date(f.Values["informed_on"]))
				}
			case "decide":
				_, err = s.db.DecideObjection(ctx, a, id, version, f.Values["outcome"])
			case "lift":
				_, err = s.db.LiftRestriction(ctx, a, id, version)
			}
			if err == nil {
				return seeOther(w, r, "/restrictions/"+formatID(id), "restriction."+step+".done")
			}
			if err := f.Fail(err); err != nil {
				return err
			}
		}
		v, err := s.loadRestrictionView(r, map[string]*Form{step: f})
		if err != nil {
			return err
		}
		f.Values["version"] = formatID(v.X.Version)
		return s.render(w, r, http.StatusUnprocessableEntity, "restriction", "", v)
	}
}

// restrictionPanel is the restriction part of a candidate's AVG tab.
type restrictionPanel struct {
	Items    []restrictionRow
	CanPlace bool
	Form     *Form
}

// loadRestrictionPanel fills the panel of the AVG tab: every restriction
// of the candidate for the privacy officer, with the form to place one.
func (s *Server) loadRestrictionPanel(r *http.Request, cand kluis.ID, failed *Form) (*restrictionPanel, error) {
	a := actorFrom(r.Context())
	if !mayHandleRequests(a.Role) {
		return nil, nil
	}
	xs, _, err := s.db.Restrictions(r.Context(), a, store.RestrictionFilter{CandidateID: cand, Page: kluis.Page{Limit: kluis.MaxPageSize}})
	if err != nil {
		return nil, err
	}
	p := &restrictionPanel{Items: s.restrictionRows(r, xs), CanPlace: true, Form: failed}
	if p.Form == nil {
		p.Form = newForm(s.baseFor(r, "", "").Lang)
	}
	return p, nil
}

// candidateRestrict places a restriction from the AVG tab.
func (s *Server) candidateRestrict(w http.ResponseWriter, r *http.Request) error {
	if err := handlerOnly(r); err != nil {
		return err
	}
	c, err := s.pathCandidate(r)
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, s.baseFor(r, "", "").Lang, "ground", "note", "started_on")
	x := &kluis.Restriction{CandidateID: c.ID, Ground: f.Values["ground"], Note: f.Values["note"], StartedOn: kluis.Date(f.Values["started_on"])}
	err = s.db.Restrict(r.Context(), actorFrom(r.Context()), x)
	if err == nil {
		return seeOther(w, r, "/restrictions/"+formatID(x.ID), "restriction.placed")
	}
	if err := f.Fail(err); err != nil {
		return err
	}
	v, err := s.candidatePage(r, "privacy")
	if err != nil {
		return err
	}
	if err := s.loadPrivacy(r, v); err != nil {
		return err
	}
	if t, ok := v.TabData.(*privacyTab); ok {
		if t.Restrictions, err = s.loadRestrictionPanel(r, c.ID, f); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "candidate", "", v)
}

// requestRights is what a request's page shows of its kind's handling:
// the restriction it placed, what it rectified, its recipients and notices.
type requestRights struct {
	Restriction    *kluis.Restriction
	RestrictForm   *Form
	Rectifications []rectificationRow
	About          string // what recipients are told: rectification, erasure or restriction
	Recipients     []store.Recipient
	ToCandidate    []kluis.RecipientNotice
	CanNotify      bool
	NotifyForm     *Form
	TellForm       *Form
	Lang           string
}

type rectificationRow struct {
	kluis.Rectification
	Labels []string
}

// Unnotified reports whether a recipient has not been told yet.
func (rr *requestRights) Unnotified() bool {
	for _, r := range rr.Recipients {
		if !r.Notified(rr.About) {
			return true
		}
	}
	return false
}

// loadRequestRights loads the handling of a request of kind restriction,
// objection, rectification or erasure; failed holds the refused form.
func (s *Server) loadRequestRights(r *http.Request, q *kluis.Request, lang string, failed map[string]*Form) (*requestRights, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	rr := &requestRights{About: kluis.NoticeAbout(q.Kind), Lang: lang}
	form := func(step string) *Form {
		if f := failed[step]; f != nil {
			return f
		}
		f := newForm(lang)
		f.Values["version"] = formatID(q.Version)
		f.Values["notify_lang"], f.Values["channel"] = lang, "email"
		f.Values["tell_lang"], f.Values["tell_channel"] = lang, "email"
		return f
	}
	rr.RestrictForm, rr.NotifyForm, rr.TellForm = form("restrict"), form("notify"), form("tell")
	var err error
	if rr.Restriction, err = s.db.RequestRestriction(ctx, a, q.ID); err != nil {
		return nil, err
	}
	if rr.Restriction != nil && rr.Restriction.Outcome == "upheld" {
		rr.About = "erasure"
		if failed["notify"] == nil {
			rr.NotifyForm.Values["about"] = "erasure"
		}
	}
	if q.Kind == "rectification" {
		recs, err := s.db.Rectifications(ctx, a, q.ID)
		if err != nil {
			return nil, err
		}
		cat := catalog.New()
		for _, rec := range recs {
			row := rectificationRow{Rectification: rec}
			for _, f := range rec.Fields {
				label := f
				if d, ok := cat.Field("candidates", f); ok {
					label = d.Label.In(lang)
				}
				row.Labels = append(row.Labels, label)
			}
			rr.Rectifications = append(rr.Rectifications, row)
		}
	}
	if rr.About == "" {
		return rr, nil
	}
	rs, err := s.db.Recipients(ctx, a, q.CandidateID, q.ID)
	switch {
	case kluis.ErrorCode(err) == kluis.ENotFound:
	case err != nil:
		return nil, err
	default:
		rr.Recipients = rs
	}
	ns, err := s.db.RequestNotices(ctx, a, q.ID)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		if n.ToCandidate {
			rr.ToCandidate = append(rr.ToCandidate, n)
		}
	}
	rr.CanNotify = q.Verified() && (!q.Closed() || (q.Kind != "erasure" && q.ErasureID == 0)) && rs != nil
	return rr, nil
}

// requestRightsForm handles a step of a request's handling: restrict,
// notify the recipients, tell the candidate.
func (s *Server) requestRightsForm(step string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := handlerOnly(r); err != nil {
			return err
		}
		ctx, a := r.Context(), actorFrom(r.Context())
		id, err := pathID(r, "request")
		if err != nil {
			return err
		}
		if err := parseForm(r, 0); err != nil {
			return err
		}
		f := formFrom(r, s.baseFor(r, "", "").Lang, "version", "ground", "note", "started_on", "channel", "sent_on", "notify_lang", "about",
			"tell_channel", "tell_sent_on", "tell_lang")
		if !f.HasErrors() {
			switch step {
			case "restrict":
				_, err = s.db.RestrictForRequest(ctx, a, id, f.Int64("version"),
					&kluis.Restriction{Ground: f.Values["ground"], Note: f.Values["note"], StartedOn: kluis.Date(f.Values["started_on"])})
			case "notify":
				_, err = s.db.NotifyRecipients(ctx, a, id, store.NoticeOrder{Recipients: r.PostForm["recipient"], Channel: f.Values["channel"],
					SentOn: kluis.Date(f.Values["sent_on"]), Lang: noticeLang(f.Values["notify_lang"], r), About: f.Values["about"]})
				if err != nil {
					// The language has its own name: the letter form on
					// the same page has a field lang (f-lang) already.
					err = renamed(err, map[string]string{"lang": "notify_lang"})
				}
			case "tell":
				_, err = s.db.TellCandidate(ctx, a, id, f.Values["tell_channel"], kluis.Date(f.Values["tell_sent_on"]), noticeLang(f.Values["tell_lang"], r))
				if err != nil {
					// The store names the fields of the API's body.
					err = renamed(err, map[string]string{"channel": "tell_channel", "sent_on": "tell_sent_on"})
				}
			}
			if err == nil {
				return seeOther(w, r, "/requests/"+formatID(id), "request."+step+".done")
			}
			if err := f.Fail(err); err != nil {
				return err
			}
		}
		v, err := s.loadRequestView(r, map[string]*Form{step: f})
		if err != nil {
			return err
		}
		f.Values["version"] = formatID(v.Q.Version)
		return s.render(w, r, http.StatusUnprocessableEntity, "request", "", v)
	}
}

// rectifyPage is the candidate's form, to correct on a rectification
// request, with the supplementary statement.
func (s *Server) rectifyPage(w http.ResponseWriter, r *http.Request) error {
	v, _, err := s.rectifyView(r, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "candidate_form", "", v)
}

// rectifyView loads the rectification form of a request; f is a posted
// form (nil: the stored candidate).
func (s *Server) rectifyView(r *http.Request, f *Form) (*candidateFormView, *kluis.Candidate, error) {
	if err := handlerOnly(r); err != nil {
		return nil, nil, err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "request")
	if err != nil {
		return nil, nil, err
	}
	q, err := s.db.Request(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	if q.Kind != "rectification" {
		return nil, nil, kluis.NotFound("request")
	}
	c, err := s.db.Candidate(ctx, a, q.CandidateID)
	if err != nil {
		return nil, nil, err
	}
	shown, err := s.shownCandidate(r, c)
	if err != nil {
		return nil, nil, err
	}
	lang := s.baseFor(r, "", "").Lang
	if f == nil {
		f = formOfCandidate(lang, c)
		f.Values["request_version"] = formatID(q.Version)
	}
	s.lockFieldsBelow(ctx, f, a.Role, shown, c, catalog.Read)
	v, err := s.candidateFormView(r, f, shown)
	if err != nil {
		return nil, nil, err
	}
	v.Action, v.Rectify, v.Cancel = "/requests/"+formatID(q.ID)+"/rectify", true, "/requests/"+formatID(q.ID)
	v.Title = text(lang, "rectify.title")
	if v.Limits, err = s.db.ActiveRestrictions(ctx, a, c.ID); err != nil {
		return nil, nil, err
	}
	return &v, c, nil
}

func (s *Server) rectifySave(w http.ResponseWriter, r *http.Request) error {
	if err := handlerOnly(r); err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	id, err := pathID(r, "request")
	if err != nil {
		return err
	}
	f := formFrom(r, s.baseFor(r, "", "").Lang, append(append([]string{}, candidateFields...), "statement", "request_version")...)
	v, c, err := s.rectifyView(r, f)
	if err != nil {
		return err
	}
	candidateOfForm(f, c)
	if !f.HasErrors() {
		_, _, err := s.db.RectifyForRequest(r.Context(), actorFrom(r.Context()), id, f.Int64("request_version"),
			store.Rectify{Candidate: c, Version: f.Int64("version"), Statement: f.Values["statement"]})
		if err == nil {
			return seeOther(w, r, "/requests/"+strconv.FormatInt(id, 10), "request.rectify.done")
		}
		if err := f.Fail(err); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "candidate_form", "", v)
}

// recordCardRights adds to a record card the candidate's restrictions,
// supplementary statements and the notices of their requests.
func (s *Server) recordCardRights(r *http.Request, rc *report.RecordCard) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	id := rc.Candidate.ID
	var err error
	if rc.Restrictions, err = allPages(func(p kluis.Page) ([]kluis.Restriction, int, error) {
		return s.db.Restrictions(ctx, a, store.RestrictionFilter{CandidateID: id, Page: p})
	}); err != nil {
		return err
	}
	if rc.Statements, err = s.db.SupplementaryStatements(ctx, a, id); err != nil {
		return err
	}
	for _, q := range rc.Requests {
		ns, err := s.db.RequestNotices(ctx, a, q.ID)
		if err != nil {
			return err
		}
		rc.Notices = append(rc.Notices, ns...)
	}
	return nil
}

// renamed moves the field errors of err to the form's names of them.
func renamed(err error, names map[string]string) error {
	ke, ok := err.(*kluis.Error)
	if !ok || len(ke.Fields) == 0 {
		return err
	}
	out := *ke
	out.Fields = map[string]kluis.Msg{}
	for k, m := range ke.Fields {
		if n, ok := names[k]; ok {
			k = n
		}
		out.Fields[k] = m
	}
	return &out
}
