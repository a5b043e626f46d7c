package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// Restriction (art. 18), rectification (art. 16) and the notices to
// recipients (art. 19) in the API. Only the privacy officer handles them;
// a token needs candidates:read or candidates:write, as for the request
// register.
//
// Processing a restricted candidate's data anyway (art. 18(2)) is one API
// call with the headers Kluis-Override-Reason (a value of
// kluis.OverrideReasons) and Kluis-Override-Note (the note, UTF-8,
// percent-encoded): the store records it with the write it allows, in the
// same transaction (withOverrideHeaders).

func (s *Server) restrictionAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/restrictions", token, s.apiRestrictions},
		{"POST", "/api/v1/restrictions", token, s.apiCreateRestriction},
		{"GET", "/api/v1/restrictions/{id}", token, s.apiRestriction},
		{"GET", "/api/v1/restrictions/{id}/overrides", token, s.apiRestrictionOverrides},
		{"POST", "/api/v1/restrictions/{id}/inform", token, s.apiInformRestriction},
		{"POST", "/api/v1/restrictions/{id}/decide", token, s.apiDecideObjection},
		{"POST", "/api/v1/restrictions/{id}/lift", token, s.apiLiftRestriction},
		{"POST", "/api/v1/requests/{id}/restrict", token, s.apiRestrictForRequest},
		{"POST", "/api/v1/requests/{id}/rectify", token, s.apiRectifyForRequest},
		{"GET", "/api/v1/requests/{id}/recipients", token, s.apiRequestRecipients},
		{"POST", "/api/v1/requests/{id}/notify", token, s.apiNotifyRecipients},
		{"POST", "/api/v1/requests/{id}/tell-candidate", token, s.apiTellCandidate},
		{"GET", "/api/v1/candidates/{id}/supplementary-statements", token, s.apiSupplementaryStatements},
	}
}

// withOverrideHeaders puts the override of art. 18(2) the request carries
// in its headers into ctx; a malformed one is a 400.
func withOverrideHeaders(r *http.Request) (context.Context, error) {
	reason := strings.TrimSpace(r.Header.Get("Kluis-Override-Reason"))
	if reason == "" {
		return r.Context(), nil
	}
	note, err := url.PathUnescape(r.Header.Get("Kluis-Override-Note"))
	if err != nil {
		p := kluis.Problems{}
		p.Add("override_note", "Geef de toelichting percent-gecodeerd (UTF-8).", "Give the note percent-encoded (UTF-8).")
		return nil, p.Err()
	}
	o := kluis.Override{Reason: reason, Note: note}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return store.WithOverride(r.Context(), o), nil
}

// restrictionBody is the body of POST /api/v1/restrictions and
// /api/v1/requests/{id}/restrict.
type restrictionBody struct {
	Version     int64      `json:"version"`
	CandidateID kluis.ID   `json:"candidate_id"`
	Ground      string     `json:"ground"`
	StartedOn   kluis.Date `json:"started_on"`
	Note        string     `json:"note"`
}

// informBody is the body of POST /api/v1/restrictions/{id}/inform: by
// e-mail kluis sends the notice itself, in lang.
type informBody struct {
	Version     int64      `json:"version"`
	InformedHow string     `json:"informed_how"`
	InformedOn  kluis.Date `json:"informed_on"`
	Lang        string     `json:"lang"`
}

type decideBody struct {
	Version int64  `json:"version"`
	Outcome string `json:"outcome"`
}

type versionBody struct {
	Version int64 `json:"version"`
}

// rectifyBody is the body of POST /api/v1/requests/{id}/rectify: the
// fields to correct (as in a PATCH of the candidate, with the candidate's
// version) and/or a supplementary statement.
type rectifyBody struct {
	Version          int64          `json:"version"`
	CandidateVersion int64          `json:"candidate_version"`
	Changes          map[string]any `json:"changes"`
	Statement        string         `json:"statement"`
}

type tellBody struct {
	Channel string     `json:"channel"`
	SentOn  kluis.Date `json:"sent_on"`
	Lang    string     `json:"lang"`
}

// recipientsAnswer is GET /api/v1/requests/{id}/recipients.
type recipientsAnswer struct {
	Recipients []store.Recipient       `json:"recipients"`
	Notices    []kluis.RecipientNotice `json:"notices"`
}

// handlerOnly refuses whoever does not keep the request register.
func handlerOnly(r *http.Request) error {
	if !mayHandleRequests(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	return nil
}

func (s *Server) apiRestrictions(w http.ResponseWriter, r *http.Request) error {
	if err := handlerOnly(r); err != nil {
		return err
	}
	q := newQuery(r)
	f := store.RestrictionFilter{CandidateID: q.id("candidate_id"), Page: q.page()}
	switch q.choice("state", restrictionStates) {
	case "active":
		f.Active = true
	case "lifted":
		f.Lifted = true
	}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.Restrictions(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "restrictions", items, total, f.Page)
}

func (s *Server) apiRestriction(w http.ResponseWriter, r *http.Request) error {
	if err := handlerOnly(r); err != nil {
		return err
	}
	id, err := pathID(r, "restriction")
	if err != nil {
		return err
	}
	x, err := s.db.Restriction(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "restrictions", x, x.Version)
}

func (s *Server) apiRestrictionOverrides(w http.ResponseWriter, r *http.Request) error {
	if err := handlerOnly(r); err != nil {
		return err
	}
	id, err := pathID(r, "restriction")
	if err != nil {
		return err
	}
	os, err := s.db.ProcessingOverrides(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeList(w, os, len(os), kluis.Page{Limit: kluis.MaxPageSize})
}

func (s *Server) apiCreateRestriction(w http.ResponseWriter, r *http.Request) error {
	if err := handlerOnly(r); err != nil {
		return err
	}
	var in restrictionBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	x := &kluis.Restriction{CandidateID: in.CandidateID, Ground: in.Ground, StartedOn: in.StartedOn, Note: in.Note}
	if err := s.db.Restrict(r.Context(), actorFrom(r.Context()), x); err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusCreated, "restrictions", x, x.Version)
}

// restrictionStep reads the id and body of a step on a restriction.
func restrictionStep(w http.ResponseWriter, r *http.Request, body any) (kluis.ID, error) {
	if err := handlerOnly(r); err != nil {
		return 0, err
	}
	id, err := pathID(r, "restriction")
	if err != nil {
		return 0, err
	}
	return id, readOptionalJSON(w, r, body)
}

func (s *Server) apiInformRestriction(w http.ResponseWriter, r *http.Request) error {
	var in informBody
	id, err := restrictionStep(w, r, &in)
	if err != nil {
		return err
	}
	var x *kluis.Restriction
	if in.InformedHow == "email" {
		x, err = s.db.SendRestrictionNotice(r.Context(), actorFrom(r.Context()), id, in.Version, noticeLang(in.Lang, r))
	} else {
		x, err = s.db.InformRestriction(r.Context(), actorFrom(r.Context()), id, in.Version, in.InformedHow, in.InformedOn)
	}
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "restrictions", x, x.Version)
}

func (s *Server) apiDecideObjection(w http.ResponseWriter, r *http.Request) error {
	var in decideBody
	id, err := restrictionStep(w, r, &in)
	if err != nil {
		return err
	}
	x, err := s.db.DecideObjection(r.Context(), actorFrom(r.Context()), id, in.Version, in.Outcome)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "restrictions", x, x.Version)
}

func (s *Server) apiLiftRestriction(w http.ResponseWriter, r *http.Request) error {
	var in versionBody
	id, err := restrictionStep(w, r, &in)
	if err != nil {
		return err
	}
	x, err := s.db.LiftRestriction(r.Context(), actorFrom(r.Context()), id, in.Version)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "restrictions", x, x.Version)
}

func (s *Server) apiRestrictForRequest(w http.ResponseWriter, r *http.Request) error {
	var in restrictionBody
	id, err := s.requestStep(w, r, &in)
	if err != nil {
		return err
	}
	x := &kluis.Restriction{Ground: in.Ground, StartedOn: in.StartedOn, Note: in.Note}
	q, err := s.db.RestrictForRequest(r.Context(), actorFrom(r.Context()), id, in.Version, x)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "requests", q, q.Version)
}

func (s *Server) apiRectifyForRequest(w http.ResponseWriter, r *http.Request) error {
	var in rectifyBody
	id, err := s.requestStep(w, r, &in)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	q, err := s.db.Request(ctx, a, id)
	if err != nil {
		return err
	}
	rect := store.Rectify{Statement: in.Statement, Version: in.CandidateVersion}
	if len(in.Changes) > 0 {
		c, err := s.db.Candidate(ctx, a, q.CandidateID)
		if err != nil {
			return err
		}
		// The changes are checked as a PATCH of the candidate is: field
		// by field against what the role may write.
		body, changed, err := patchBody(in.Changes)
		if err != nil {
			return err
		}
		if err := decodeInto(body, c); err != nil {
			return err
		}
		// A rectification corrects what the privacy officer reads in
		// full; masked or hidden fields are not theirs to correct.
		p := kluis.Problems{}
		for _, f := range changed {
			if s.projector(ctx).Access(a.Role, "candidates", f) < catalog.Read {
				p.Add(f, "U mag dit gegeven niet wijzigen.", "You may not change this field.")
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		rect.Candidate = c
		if rect.Version == 0 {
			p := kluis.Problems{}
			p.Add("candidate_version", "Geef de versie van de kandidaat waarop de correctie is gebaseerd.", "Give the candidate's version the correction is based on.")
			return p.Err()
		}
	}
	q, _, err = s.db.RectifyForRequest(ctx, a, id, in.Version, rect)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "requests", q, q.Version)
}

func (s *Server) apiRequestRecipients(w http.ResponseWriter, r *http.Request) error {
	if err := handlerOnly(r); err != nil {
		return err
	}
	id, err := pathID(r, "request")
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	q, err := s.db.Request(ctx, a, id)
	if err != nil {
		return err
	}
	out := recipientsAnswer{Recipients: []store.Recipient{}}
	if out.Notices, err = s.db.RequestNotices(ctx, a, id); err != nil {
		return err
	}
	rs, err := s.db.Recipients(ctx, a, q.CandidateID, id)
	switch {
	case kluis.ErrorCode(err) == kluis.ENotFound:
		// Erased: the notices are what is left.
	case err != nil:
		return err
	default:
		out.Recipients = rs
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiNotifyRecipients(w http.ResponseWriter, r *http.Request) error {
	var in store.NoticeOrder
	id, err := s.requestStep(w, r, &in)
	if err != nil {
		return err
	}
	in.Lang = noticeLang(in.Lang, r)
	ns, err := s.db.NotifyRecipients(r.Context(), actorFrom(r.Context()), id, in)
	if err != nil {
		return err
	}
	return writeList(w, ns, len(ns), kluis.Page{Limit: kluis.MaxPageSize})
}

func (s *Server) apiTellCandidate(w http.ResponseWriter, r *http.Request) error {
	var in tellBody
	id, err := s.requestStep(w, r, &in)
	if err != nil {
		return err
	}
	n, err := s.db.TellCandidate(r.Context(), actorFrom(r.Context()), id, in.Channel, in.SentOn, noticeLang(in.Lang, r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

func (s *Server) apiSupplementaryStatements(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	if !s.projector(ctx).CanSee(a.Role, "supplementary_statements") {
		return errNoAccess
	}
	ss, err := s.db.SupplementaryStatements(ctx, a, id)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "supplementary_statements", ss, len(ss), kluis.Page{Limit: kluis.MaxPageSize})
}

// noticeLang is the language of a notice: the one asked for, else the
// caller's.
func noticeLang(asked string, r *http.Request) string {
	if asked == "en" || asked == "nl" {
		return asked
	}
	return lang(r)
}

// patchBody turns the changes of a rectification into a JSON object to
// decode onto the candidate, without the read-only fields, and names the
// fields it changes.
func patchBody(changes map[string]any) ([]byte, []string, error) {
	clean := map[string]any{}
	var changed []string
	for k, v := range changes {
		switch k {
		case "id", "version", "created_at", "updated_at", "restricted":
			continue
		}
		clean[k] = v
		changed = append(changed, k)
	}
	b, err := json.Marshal(clean)
	return b, changed, err
}

// restrictedChoices are the values of the candidate list's filter on
// restricted candidates.
var restrictedChoices = kluis.Choices{
	{Value: "only", Label: kluis.Msg{NL: "Alleen beperkt (art. 18)", EN: "Only restricted (art. 18)"}},
	{Value: "include", Label: kluis.Msg{NL: "Ook beperkt (art. 18)", EN: "Also restricted (art. 18)"}},
}

// restrictionStates are the values of the restriction list's filter.
var restrictionStates = kluis.Choices{{Value: "active"}, {Value: "lifted"}}

// noticeLanguages are the languages of a notice: those of the letters.
var noticeLanguages = kluis.LetterLanguages
