package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// searchFields are the fields of the candidate search form. The form posts,
// so that the names and places searched for stay out of URLs and logs.
var searchFields = []string{"q", "city", "function", "status", "branch_id", "restricted", "offset"}

type candidateListView struct {
	Base
	Form       *Form
	Branches   []Option
	Items      []kluis.Candidate
	BranchName map[kluis.ID]string
	Total      int
	More       bool // more matches than Total: the count stopped there
	Offset     int
	Limit      int
	Searched   bool
	// RestrictedIDs are the listed candidates whose processing is
	// restricted (art. 18): the privacy officer's filter shows them, with
	// a badge.
	RestrictedIDs map[kluis.ID]bool
}

// MayFilterRestricted shows the filter on restricted candidates.
func (v candidateListView) MayFilterRestricted() bool {
	return v.User != nil && v.User.Role == kluis.RolePrivacy
}

// RestrictedChoices are the values of that filter.
func (candidateListView) RestrictedChoices() kluis.Choices { return restrictedChoices }

// From and To are the 1-based positions of the page's first and last row.
func (v candidateListView) From() int { return min(v.Offset+1, v.Total) }
func (v candidateListView) To() int   { return v.Offset + len(v.Items) }

// PrevOffset and NextOffset page through the results; -1 means none.
func (v candidateListView) PrevOffset() int {
	if v.Offset == 0 {
		return -1
	}
	return max(0, v.Offset-v.Limit)
}

func (v candidateListView) NextOffset() int {
	if v.Offset+len(v.Items) >= v.Total {
		return -1
	}
	return v.Offset + v.Limit
}

func (s *Server) candidateList(w http.ResponseWriter, r *http.Request) error {
	return s.candidateResults(w, r, newForm(s.baseFor(r, "", "").Lang), http.StatusOK)
}

func (s *Server) candidateSearch(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, s.baseFor(r, "", "").Lang, searchFields...)
	return s.candidateResults(w, r, f, http.StatusOK)
}

func (s *Server) candidateResults(w http.ResponseWriter, r *http.Request, f *Form, code int) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !s.projector(r.Context()).CanSee(a.Role, "candidates") {
		return errNoAccess
	}
	v := candidateListView{Base: s.baseFor(r, "candidates", "nav.candidates"), Form: f, Limit: 25}
	bs, err := s.db.Branches(ctx, a)
	if err != nil {
		return err
	}
	v.Branches = branchOptions(bs)
	v.BranchName = map[kluis.ID]string{}
	for _, b := range bs {
		v.BranchName[b.ID] = b.Name
	}
	v.Offset = int(f.Int64("offset"))
	if s.projector(ctx).Access(a.Role, "candidates", "functions") < catalog.Read {
		// Searching on what one may not see would reveal it.
		f.Off = map[string]bool{"function": true}
		f.Values["function"] = ""
	}
	filter := store.CandidateFilter{Query: f.Values["q"], City: f.Values["city"], Function: f.Values["function"],
		Status: f.Values["status"], BranchID: f.Int64("branch_id"), Page: kluis.Page{Limit: v.Limit, Offset: v.Offset}, CountUpTo: searchCountUpTo}
	if !v.MayFilterRestricted() {
		f.Values["restricted"] = ""
	}
	if filter.Restricted = f.Values["restricted"]; filter.Restricted != "" && !restrictedChoices.Has(filter.Restricted) {
		f.Errors["restricted"] = text(v.Lang, "search.badstatus")
	}
	for _, k := range []string{"q", "city", "function"} {
		if _, ok := kluis.CleanLine(f.Values[k], 100); !ok {
			f.Errors[k] = text(v.Lang, "search.toolong")
		}
	}
	if filter.Status != "" && !kluis.CandidateStatuses.Has(filter.Status) {
		f.Errors["status"] = text(v.Lang, "search.badstatus")
	}
	for k, m := range s.searchProblems(ctx, filter, map[string]string{"query": "q", "city": "city", "function": "function", "status": "status"}) {
		f.Errors[k] = m.In(v.Lang)
	}
	v.Searched = filter.Query != "" || filter.City != "" || filter.Function != "" || filter.Status != "" || filter.BranchID != 0 || filter.Restricted != ""
	if !f.HasErrors() {
		v.Items, v.Total, err = s.db.ListCandidates(ctx, a, filter)
		if err != nil {
			return err
		}
		v.Total, v.More = capped(v.Total)
		if filter.Restricted != "" {
			ids := make([]kluis.ID, len(v.Items))
			for i, c := range v.Items {
				ids[i] = c.ID
			}
			if v.RestrictedIDs, err = s.db.RestrictedAmong(ctx, a.TenantID, ids); err != nil {
				return err
			}
		}
	}
	return s.render(w, r, code, "candidates", "results", v)
}

// candidateFields are the fields of the candidate form, in form order.
var candidateFields = []string{"branch_id", "status", "initials", "first_name", "prefix", "last_name", "date_of_birth",
	"nationality", "email", "phone", "street", "house_number", "house_number_addition", "postcode", "city", "country",
	"bsn", "iban", "id_document_type", "id_document_number", "id_document_expiry", "functions", "availability",
	"registered_on", "source", "language", "version"}

type candidateFormView struct {
	Base
	Form      *Form
	Candidate *kluis.Candidate // nil for a new candidate
	Branches  []Option
	Statuses  kluis.Choices
	Sources   kluis.Choices
	IDTypes   kluis.Choices
	Avail     kluis.Choices
	Languages kluis.Choices
	// Limits are the candidate's restrictions of processing (art. 18):
	// the banner, and for who may process anyway, the override's fields.
	Limits []kluis.Restriction
	// A rectification (ui_restrictions.go) posts the form elsewhere, with
	// the supplementary statement.
	Action, Cancel string
	Rectify        bool
}

// MayOverride shows the fields of processing anyway (art. 18(2)).
func (v candidateFormView) MayOverride() bool {
	return len(v.Limits) > 0 && !v.Rectify && v.User != nil && kluis.MayProcessAnyway(v.User.Role)
}

func (s *Server) candidateFormView(r *http.Request, f *Form, c *kluis.Candidate) (candidateFormView, error) {
	titleKey := "candidate.new"
	if c != nil {
		titleKey = "candidate.edit"
	}
	v := candidateFormView{Base: s.baseFor(r, "candidates", titleKey), Form: f, Candidate: c,
		Statuses: kluis.CandidateStatuses, Sources: kluis.CandidateSources, IDTypes: kluis.IDDocumentTypes, Avail: kluis.Availabilities,
		Languages: kluis.CandidateLanguages}
	bs, err := s.db.Branches(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return v, err
	}
	v.Branches = branchOptions(bs)
	return v, nil
}

// formOfCandidate fills a form with a stored candidate.
func formOfCandidate(lang string, c *kluis.Candidate) *Form {
	f := newForm(lang)
	for k, v := range map[string]string{
		"branch_id": strconv.FormatInt(c.BranchID, 10), "status": c.Status, "initials": c.Initials, "first_name": c.FirstName,
		"prefix": c.Prefix, "last_name": c.LastName, "date_of_birth": string(c.DateOfBirth), "nationality": c.Nationality,
		"email": c.Email, "phone": c.Phone, "street": c.Street, "house_number": c.HouseNumber,
		"house_number_addition": c.HouseNumberAddition, "postcode": c.Postcode, "city": c.City, "country": c.Country,
		"bsn": c.BSN, "iban": c.IBAN, "id_document_type": c.IDDocumentType, "id_document_number": c.IDDocumentNumber,
		"id_document_expiry": string(c.IDDocumentExpiry), "functions": strings.Join(c.Functions, ", "),
		"availability": c.Availability, "registered_on": string(c.RegisteredOn), "source": c.Source, "language": c.Language,
		"version": strconv.FormatInt(c.Version, 10),
	} {
		f.Values[k] = v
	}
	return f
}

// lockCandidateFields marks the fields role may not change: they show what
// the role may see of shown, and their posted values are replaced by the
// stored ones of stored (nil for a new candidate: empty).
func (s *Server) lockCandidateFields(ctx context.Context, f *Form, role kluis.Role, shown, stored *kluis.Candidate) {
	s.lockFieldsBelow(ctx, f, role, shown, stored, catalog.Write)
}

// lockFieldsBelow locks the fields the role has less than need of: Write
// for an edit; Read for a rectification, which the privacy officer makes
// of whatever they can read in full (ui_restrictions.go).
func (s *Server) lockFieldsBelow(ctx context.Context, f *Form, role kluis.Role, shown, stored *kluis.Candidate, need catalog.Access) {
	var seen, real *Form
	if stored != nil {
		seen, real = formOfCandidate(f.Lang, shown), formOfCandidate(f.Lang, stored)
	}
	proj, set := s.projector(ctx), s.collecting(ctx)
	for _, name := range candidateFields {
		if !set.Collects(name) {
			// Not asked at all; a value held from before is sent back
			// unchanged until it is removed.
			if f.Off == nil {
				f.Off = map[string]bool{}
			}
			f.Off[name], f.Values[name] = true, ""
			if real != nil {
				f.Values[name] = real.Values[name]
			}
			continue
		}
		if name == "version" || proj.Access(role, "candidates", name) >= need {
			continue
		}
		if f.Locked == nil {
			f.Locked = map[string]string{}
		}
		f.Locked[name], f.Values[name] = "", ""
		if seen != nil {
			f.Locked[name], f.Values[name] = seen.Values[name], real.Values[name]
		}
	}
}

// candidateOfForm reads the posted form onto c.
func candidateOfForm(f *Form, c *kluis.Candidate) {
	v := f.Values
	c.BranchID = f.Int64("branch_id")
	c.Status, c.Initials, c.FirstName, c.Prefix, c.LastName = v["status"], v["initials"], v["first_name"], v["prefix"], v["last_name"]
	c.DateOfBirth, c.Nationality, c.Email, c.Phone = kluis.Date(v["date_of_birth"]), v["nationality"], v["email"], v["phone"]
	c.Street, c.HouseNumber, c.HouseNumberAddition = v["street"], v["house_number"], v["house_number_addition"]
	c.Postcode, c.City, c.Country, c.BSN, c.IBAN = v["postcode"], v["city"], v["country"], v["bsn"], v["iban"]
	c.IDDocumentType, c.IDDocumentNumber, c.IDDocumentExpiry = v["id_document_type"], v["id_document_number"], kluis.Date(v["id_document_expiry"])
	c.Functions = nil
	for _, fn := range strings.Split(v["functions"], ",") {
		if fn = strings.TrimSpace(fn); fn != "" {
			c.Functions = append(c.Functions, fn)
		}
	}
	c.Availability, c.RegisteredOn, c.Source, c.Language = v["availability"], kluis.Date(v["registered_on"]), v["source"], v["language"]
}

func (s *Server) candidateNew(w http.ResponseWriter, r *http.Request) error {
	if !s.projector(r.Context()).CanSee(actorFrom(r.Context()).Role, "candidates") {
		return errNoAccess
	}
	b := s.baseFor(r, "", "")
	f := newForm(b.Lang)
	if u := userFrom(r.Context()); u != nil && u.BranchID != 0 {
		f.Values["branch_id"] = strconv.FormatInt(u.BranchID, 10)
	}
	f.Values["country"], f.Values["status"], f.Values["source"] = "NL", "registered", "walk-in"
	s.lockCandidateFields(r.Context(), f, actorFrom(r.Context()).Role, nil, nil)
	v, err := s.candidateFormView(r, f, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "candidate_form", "", v)
}

func (s *Server) candidateCreate(w http.ResponseWriter, r *http.Request) error {
	if !s.projector(r.Context()).CanSee(actorFrom(r.Context()).Role, "candidates") {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, s.baseFor(r, "", "").Lang, candidateFields...)
	s.lockCandidateFields(r.Context(), f, actorFrom(r.Context()).Role, nil, nil)
	var c kluis.Candidate
	candidateOfForm(f, &c)
	if !f.HasErrors() {
		err := s.db.CreateCandidate(r.Context(), actorFrom(r.Context()), &c)
		if err == nil {
			return seeOther(w, r, "/candidates/"+strconv.FormatInt(c.ID, 10), "form.saved")
		}
		if err := f.Fail(err); err != nil {
			return err
		}
	}
	v, err := s.candidateFormView(r, f, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "candidate_form", "", v)
}

func (s *Server) candidateEdit(w http.ResponseWriter, r *http.Request) error {
	c, err := s.pathCandidate(r)
	if err != nil {
		return err
	}
	shown, err := s.shownCandidate(r, c)
	if err != nil {
		return err
	}
	f := formOfCandidate(s.baseFor(r, "", "").Lang, c)
	s.lockCandidateFields(r.Context(), f, actorFrom(r.Context()).Role, shown, c)
	v, err := s.candidateFormView(r, f, shown)
	if err != nil {
		return err
	}
	if v.Limits, err = s.db.ActiveRestrictions(r.Context(), actorFrom(r.Context()), c.ID); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "candidate_form", "", v)
}

func (s *Server) candidateUpdate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.pathCandidate(r)
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	shown, err := s.shownCandidate(r, c)
	if err != nil {
		return err
	}
	lang := s.baseFor(r, "", "").Lang
	role := actorFrom(r.Context()).Role
	f := formFrom(r, lang, append(append([]string{}, candidateFields...), "override_reason", "override_note")...)
	s.lockCandidateFields(r.Context(), f, role, shown, c)
	version := f.Int64("version")
	candidateOfForm(f, c)
	ctx := r.Context()
	if f.Values["override_reason"] != "" || f.Values["override_note"] != "" {
		// Processing a restricted candidate anyway (art. 18(2)): this one
		// save carries the reason, and the store records it with it.
		ctx = store.WithOverride(ctx, kluis.Override{Reason: f.Values["override_reason"], Note: f.Values["override_note"]})
	}
	if !f.HasErrors() {
		err := s.db.UpdateCandidate(ctx, actorFrom(r.Context()), c, version)
		if err == nil {
			return seeOther(w, r, "/candidates/"+strconv.FormatInt(c.ID, 10), "form.saved")
		}
		if err := f.Fail(err); err != nil {
			return err
		}
		if f.Stale {
			// Show what is stored now; the user's edit is lost only from
			// the form, never silently from the database.
			fresh, err := s.db.Candidate(r.Context(), actorFrom(r.Context()), c.ID)
			if err != nil {
				return err
			}
			f = formOfCandidate(lang, fresh)
			if shown, err = s.shownCandidate(r, fresh); err != nil {
				return err
			}
			s.lockCandidateFields(r.Context(), f, role, shown, fresh)
			f.Stale = true
		}
	}
	v, err := s.candidateFormView(r, f, shown)
	if err != nil {
		return err
	}
	if v.Limits, err = s.db.ActiveRestrictions(r.Context(), actorFrom(r.Context()), c.ID); err != nil {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "candidate_form", "", v)
}

func (s *Server) pathCandidate(r *http.Request) (*kluis.Candidate, error) {
	id, err := pathID(r, "candidate")
	if err != nil {
		return nil, err
	}
	return s.db.Candidate(r.Context(), actorFrom(r.Context()), id)
}

// seeOther ends a successful form post: a redirect (or, for htmx, a
// client-side one) to the record's page with a message key.
func seeOther(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		to += "?flash=" + url.QueryEscape(flash)
	}
	if r.Header.Get("HX-Request") == "true" {
		// A full navigation: the target page is a whole page with its menu.
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- to is a path kluis built from ids
	return nil
}
