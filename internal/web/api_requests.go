package web

import (
	"net/http"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The request register in the API: candidates' requests to exercise their
// rights (LEGAL.md §3). Only the privacy officer handles them; a token
// needs candidates:read or candidates:write, as for the candidate's other
// records.

// mayHandleRequests reports whether a role keeps the request register.
func mayHandleRequests(r kluis.Role) bool { return r == kluis.RolePrivacy }

// yesNo is the closed list of a boolean query parameter.
var yesNo = kluis.Choices{{Value: "true"}, {Value: "false"}}

// requestVerification is the body of POST /api/v1/requests/{id}/verify.
type requestVerification struct {
	Version     int64      `json:"version"`
	VerifiedHow string     `json:"verified_how"`
	VerifiedOn  kluis.Date `json:"verified_on"`
}

// requestExtension is the body of POST /api/v1/requests/{id}/extend.
type requestExtension struct {
	Version         int64      `json:"version"`
	ExtensionReason string     `json:"extension_reason"`
	NoticeSentOn    kluis.Date `json:"notice_sent_on"`
}

// requestClosing is the body of POST /api/v1/requests/{id}/close.
type requestClosing struct {
	Version int64  `json:"version"`
	Status  string `json:"status"`
	Outcome string `json:"outcome"`
}

// requestErasure is the body of POST /api/v1/requests/{id}/erase.
type requestErasure struct {
	Version int64 `json:"version"`
}

// apiRequests is GET /api/v1/requests.
func (s *Server) apiRequests(w http.ResponseWriter, r *http.Request) error {
	if !mayHandleRequests(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	q := newQuery(r)
	f := store.RequestFilter{Status: q.choice("status", kluis.RequestStatuses), Kind: q.choice("kind", kluis.RequestKinds),
		CandidateID: q.id("candidate_id"), DueBy: q.date("due_by"), Page: q.page()}
	overdue := q.choice("overdue", yesNo)
	f.Overdue, f.NotOverdue = overdue == "true", overdue == "false"
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.Requests(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "requests", items, total, f.Page)
}

// apiRequest is GET /api/v1/requests/{id}.
func (s *Server) apiRequest(w http.ResponseWriter, r *http.Request) error {
	if !mayHandleRequests(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	id, err := pathID(r, "request")
	if err != nil {
		return err
	}
	q, err := s.db.Request(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "requests", q, q.Version)
}

// apiCreateRequest is POST /api/v1/requests.
func (s *Server) apiCreateRequest(w http.ResponseWriter, r *http.Request) error {
	if !mayHandleRequests(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	body, err := readJSON(w, r)
	if err != nil {
		return err
	}
	q := &kluis.Request{}
	if err := decodeInto(body, q); err != nil {
		return err
	}
	if err := s.db.CreateRequest(r.Context(), actorFrom(r.Context()), q); err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusCreated, "requests", q, q.Version)
}

// requestStep reads the id and the body of a step on a request.
func (s *Server) requestStep(w http.ResponseWriter, r *http.Request, body any) (kluis.ID, error) {
	if !mayHandleRequests(actorFrom(r.Context()).Role) {
		return 0, errNoAccess
	}
	id, err := pathID(r, "request")
	if err != nil {
		return 0, err
	}
	return id, readOptionalJSON(w, r, body)
}

// apiVerifyRequest is POST /api/v1/requests/{id}/verify.
func (s *Server) apiVerifyRequest(w http.ResponseWriter, r *http.Request) error {
	var in requestVerification
	id, err := s.requestStep(w, r, &in)
	if err != nil {
		return err
	}
	q, err := s.db.VerifyRequest(r.Context(), actorFrom(r.Context()), id, in.Version, in.VerifiedHow, in.VerifiedOn)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "requests", q, q.Version)
}

// apiExtendRequest is POST /api/v1/requests/{id}/extend.
func (s *Server) apiExtendRequest(w http.ResponseWriter, r *http.Request) error {
	var in requestExtension
	id, err := s.requestStep(w, r, &in)
	if err != nil {
		return err
	}
	q, err := s.db.ExtendRequest(r.Context(), actorFrom(r.Context()), id, in.Version, in.ExtensionReason, in.NoticeSentOn)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "requests", q, q.Version)
}

// apiCloseRequest is POST /api/v1/requests/{id}/close.
func (s *Server) apiCloseRequest(w http.ResponseWriter, r *http.Request) error {
	var in requestClosing
	id, err := s.requestStep(w, r, &in)
	if err != nil {
		return err
	}
	q, err := s.db.CloseRequest(r.Context(), actorFrom(r.Context()), id, in.Version, in.Status, in.Outcome)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "requests", q, q.Version)
}

// apiEraseForRequest is POST /api/v1/requests/{id}/erase: it erases the
// candidate of a verified erasure request and closes the request.
func (s *Server) apiEraseForRequest(w http.ResponseWriter, r *http.Request) error {
	var in requestErasure
	id, err := s.requestStep(w, r, &in)
	if err != nil {
		return err
	}
	q, _, err := s.db.EraseForRequest(r.Context(), actorFrom(r.Context()), id, in.Version)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "requests", q, q.Version)
}
