package web

import (
	"net/http"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The request register in the staff UI, for the privacy officer: the list
// with its filters (overdue in red), registering a request, and one
// request with its steps as forms — verify the identity, assign, extend,
// handle (the record card for access, the erasure for erasure), close.

func (s *Server) requestRoutes() []route {
	return []route{
		{"GET", "/requests", session, s.requestsPage},
		{"GET", "/requests/new", session, s.requestNew},
		{"POST", "/requests/new", session, s.requestCreate},
		{"GET", "/requests/{id}", session, s.requestPage},
		{"POST", "/requests/{id}/verify", session, s.requestStepForm("verify")},
		{"POST", "/requests/{id}/assign", session, s.requestStepForm("assign")},
		{"POST", "/requests/{id}/extend", session, s.requestStepForm("extend")},
		{"POST", "/requests/{id}/close", session, s.requestStepForm("close")},
		{"POST", "/requests/{id}/erase", session, s.requestStepForm("erase")},
		{"POST", "/requests/{id}/letters", session, s.letterCreate},
		{"GET", "/requests/{id}/letters/{letter}", session, s.sendLetter},
		{"POST", "/requests/{id}/answer", session, s.answerForm},
		{"POST", "/requests/reminders", session, s.reminderForm},
	}
}

// MayHandleRequests shows the menu item "Verzoeken".
func (b Base) MayHandleRequests() bool { return b.User != nil && mayHandleRequests(b.User.Role) }

// MayProcessAnyway shows the forms that process a restricted candidate's
// data anyway (art. 18(2)).
func (b Base) MayProcessAnyway() bool { return b.User != nil && kluis.MayProcessAnyway(b.User.Role) }

// The closed lists of the register, for templates.
func (Base) RequestKindChoices() kluis.Choices   { return kluis.RequestKinds }
func (Base) RequestStatusChoices() kluis.Choices { return kluis.RequestStatuses }
func (Base) RequestChannelChoices() kluis.Choices {
	return kluis.RequestChannels
}
func (Base) VerificationChoices() kluis.Choices { return kluis.VerificationMethods }

// requestRow is a request with the candidate's name ("" once erased) and
// whether it is late or nearly due.
type requestRow struct {
	kluis.Request
	CandidateName string
	Overdue       bool
	DueSoon       bool
	// Restricted: the candidate's processing is restricted (art. 18).
	Restricted bool
}

// requestRows adds names and deadline marks to requests.
func (s *Server) requestRows(r *http.Request, qs []kluis.Request) []requestRow {
	ctx, a := r.Context(), actorFrom(r.Context())
	today := kluis.DateOf(s.clock.Now())
	names := map[kluis.ID]string{}
	out := make([]requestRow, len(qs))
	for i, q := range qs {
		name, ok := names[q.CandidateID]
		if !ok {
			if c, err := s.db.Candidate(ctx, a, q.CandidateID); err == nil {
				name = c.Name()
			}
			names[q.CandidateID] = name
		}
		out[i] = requestRow{Request: q, CandidateName: name, Overdue: q.Overdue(today), DueSoon: q.DueWithin(today, 7)}
	}
	ids := make([]kluis.ID, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	if restricted, err := s.db.RestrictedAmong(ctx, a.TenantID, ids); err == nil {
		for i := range out {
			out[i].Restricted = restricted[out[i].CandidateID]
		}
	}
	return out
}

// requestsView is the register.
type requestsView struct {
	Base
	Form    *Form
	Items   []requestRow
	Total   int
	Overdue int
	// Reminders is the setting of the reminders before a due date
	// (letters.go).
	Reminders *Form
}

const requestsLimit = 100

func (s *Server) requestsPage(w http.ResponseWriter, r *http.Request) error {
	return s.requestsPageWith(w, r, nil)
}

// requestsPageWith renders the register; reminders is the refused form of
// the reminders' setting, nil for none.
func (s *Server) requestsPageWith(w http.ResponseWriter, r *http.Request, reminders *Form) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayHandleRequests(a.Role) {
		return errNoAccess
	}
	v := &requestsView{Base: s.baseFor(r, "requests", "requests.title"), Reminders: reminders}
	if reminders == nil {
		var err error
		if v.Reminders, err = s.remindersForm(r, v.Lang); err != nil {
			return err
		}
	}
	v.Form = formFromQuery(r, v.Lang, "status", "kind", "candidate_id", "overdue")
	f := store.RequestFilter{Status: v.Form.Values["status"], Kind: v.Form.Values["kind"], Overdue: v.Form.Values["overdue"] == "true",
		NotOverdue: v.Form.Values["overdue"] == "false", CandidateID: v.Form.Int64("candidate_id"), Page: kluis.Page{Limit: requestsLimit}}
	if o := v.Form.Values["overdue"]; o != "" && !yesNo.Has(o) {
		v.Form.Errors["overdue"] = text(v.Lang, "requests.badfilter")
	}
	if f.Status != "" && !kluis.RequestStatuses.Has(f.Status) {
		v.Form.Errors["status"] = text(v.Lang, "requests.badfilter")
	}
	if f.Kind != "" && !kluis.RequestKinds.Has(f.Kind) {
		v.Form.Errors["kind"] = text(v.Lang, "requests.badfilter")
	}
	if f.CandidateID < 0 {
		v.Form.Errors["candidate_id"] = text(v.Lang, "erasures.badid")
	}
	if v.Form.HasErrors() {
		return s.render(w, r, http.StatusUnprocessableEntity, "requests", "", v)
	}
	items, total, err := s.db.Requests(ctx, a, f)
	if err != nil {
		return err
	}
	if _, v.Overdue, err = s.db.Requests(ctx, a, store.RequestFilter{Overdue: true, Page: kluis.Page{Limit: 1}}); err != nil {
		return err
	}
	v.Items, v.Total = s.requestRows(r, items), total
	status := http.StatusOK
	if reminders != nil {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "requests", "", v)
}

// requestFormView is the form that registers a request.
type requestFormView struct {
	Base
	Form *Form
}

func (s *Server) requestNew(w http.ResponseWriter, r *http.Request) error {
	if !mayHandleRequests(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	v := &requestFormView{Base: s.baseFor(r, "requests", "requests.new")}
	v.Form = formFromQuery(r, v.Lang, "candidate_id")
	v.Form.Values["received_on"] = string(kluis.DateOf(s.clock.Now()))
	return s.render(w, r, http.StatusOK, "request_form", "", v)
}

func (s *Server) requestCreate(w http.ResponseWriter, r *http.Request) error {
	if !mayHandleRequests(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	v := &requestFormView{Base: s.baseFor(r, "requests", "requests.new")}
	v.Form = formFrom(r, v.Lang, "candidate_id", "kind", "channel", "received_on", "description")
	q := &kluis.Request{CandidateID: v.Form.Int64("candidate_id"), Kind: v.Form.Values["kind"], Channel: v.Form.Values["channel"],
		ReceivedOn: kluis.Date(v.Form.Values["received_on"]), Description: v.Form.Values["description"]}
	if !v.Form.HasErrors() {
		err := s.db.CreateRequest(r.Context(), actorFrom(r.Context()), q)
		if err == nil {
			return seeOther(w, r, "/requests/"+formatID(q.ID), "requests.created")
		}
		if err := v.Form.Fail(err); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "request_form", "", v)
}

// requestView is one request with its steps.
type requestView struct {
	Base
	Q             requestRow
	VerifiedBy    string
	Handler       string
	Handlers      []Option
	Verify        *Form
	Assign        *Form
	Extend        *Form
	Close         *Form
	EraseForm     *Form
	Closings      kluis.Choices
	FirstMonthEnd kluis.Date
	Today         kluis.Date
	// The erasure preview of a verified, open erasure request.
	Preview  bool
	Due      bool
	Complete bool
	Erased   []groupRow
	Kept     []groupRow
	// The letters kept with the request (letters.go).
	Letters *requestLetters
	// Rights is the handling of a restriction, objection, rectification
	// or erasure request (ui_restrictions.go).
	Rights *requestRights
}

// CanExtend reports whether the extension form is shown.
func (v *requestView) CanExtend() bool {
	return !v.Q.Closed() && v.Q.ExtendedOn == "" && v.Today <= v.FirstMonthEnd
}

func (s *Server) requestPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadRequestView(r, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "request", "", v)
}

// loadRequestView loads a request's page; failed is the step form that
// was refused (kept as typed), nil for none.
func (s *Server) loadRequestView(r *http.Request, failed map[string]*Form) (*requestView, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayHandleRequests(a.Role) {
		return nil, errNoAccess
	}
	id, err := pathID(r, "request")
	if err != nil {
		return nil, err
	}
	q, err := s.db.Request(ctx, a, id)
	if err != nil {
		return nil, err
	}
	v := &requestView{Base: s.baseFor(r, "requests", "request.title"), Closings: kluis.RequestClosings,
		FirstMonthEnd: kluis.RequestDue(q.ReceivedOn)}
	v.Today = kluis.DateOf(s.clock.Now())
	v.Q = s.requestRows(r, []kluis.Request{*q})[0]
	names, err := s.staffNames(r)
	if err != nil {
		return nil, err
	}
	v.VerifiedBy, v.Handler = names[q.VerifiedBy], names[q.HandlerID]
	us, err := s.db.Users(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		if u.Role == kluis.RolePrivacy {
			v.Handlers = append(v.Handlers, Option{Value: formatID(u.ID), Label: names[u.ID]})
		}
	}
	form := func(step string) *Form {
		if f := failed[step]; f != nil {
			return f
		}
		f := newForm(v.Lang)
		f.Values["version"] = formatID(q.Version)
		return f
	}
	v.Verify, v.Assign, v.Extend, v.Close, v.EraseForm = form("verify"), form("assign"), form("extend"), form("close"), form("erase")
	if failed["assign"] == nil && q.HandlerID != 0 {
		v.Assign.Values["handler_id"] = formatID(q.HandlerID)
	}
	if v.Letters, err = s.loadLetters(r, q, v.Lang, v.Q.CandidateName != "", failed["letter"]); err != nil {
		return nil, err
	}
	if v.Rights, err = s.loadRequestRights(r, q, v.Lang, failed); err != nil {
		return nil, err
	}
	if (q.Kind == "erasure" || (q.Kind == "objection" && v.Rights.Restriction != nil && v.Rights.Restriction.Outcome == "upheld" && !v.Rights.Restriction.Active())) &&
		q.Verified() && !q.Closed() && v.Q.CandidateName != "" {
		p, err := s.preview(ctx, q.CandidateID, "request")
		if err != nil {
			return nil, err
		}
		v.Preview, v.Due, v.Complete = true, p.Due, p.Complete
		v.Erased, v.Kept = s.erasedRows(p.Erased, v.Lang), s.keptGroupRows(p.Kept, v.Lang)
	}
	return v, nil
}

// requestStepForm handles the form of one step on a request's page.
func (s *Server) requestStepForm(step string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, a := r.Context(), actorFrom(r.Context())
		if !mayHandleRequests(a.Role) {
			return errNoAccess
		}
		id, err := pathID(r, "request")
		if err != nil {
			return err
		}
		if err := parseForm(r, 0); err != nil {
			return err
		}
		f := formFrom(r, s.baseFor(r, "", "").Lang, "version", "verified_how", "verified_on", "handler_id", "extension_reason", "notice_sent_on",
			"status", "outcome")
		version := f.Int64("version")
		flash := "request." + step + ".done"
		if !f.HasErrors() {
			switch step {
			case "verify":
				_, err = s.db.VerifyRequest(ctx, a, id, version, f.Values["verified_how"], kluis.Date(f.Values["verified_on"]))
			case "assign":
				_, err = s.db.AssignRequest(ctx, a, id, version, f.Int64("handler_id"))
			case "extend":
				_, err = s.db.ExtendRequest(ctx, a, id, version, f.Values["extension_reason"], kluis.Date(f.Values["notice_sent_on"]))
			case "close":
				_, err = s.db.CloseRequest(ctx, a, id, version, f.Values["status"], f.Values["outcome"])
			case "erase":
				_, _, err = s.db.EraseForRequest(ctx, a, id, version)
			}
			if err == nil {
				return seeOther(w, r, "/requests/"+formatID(id), flash)
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
