package web

import (
	"net/http"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// Legal holds and consents to keep longer: both belong to a candidate, so
// a token needs candidates:read or candidates:write for them; what a role
// may do with them is the catalogue's (legal_holds, consents).

// holdFields and consentFields are what recording one writes: a role must
// be allowed to write them all.
var (
	holdFields    = []string{"kind", "reason", "start_date", "end_date"}
	consentFields = []string{"channel", "wording", "given_on", "valid_until"}
)

// holdEnd is the body of POST /api/v1/holds/{id}/end; an empty end date
// (or no body) is today.
type holdEnd struct {
	EndDate kluis.Date `json:"end_date"`
}

// consentWithdrawal is the body of POST /api/v1/consents/{id}/withdraw; an
// empty date (or no body) is today.
type consentWithdrawal struct {
	WithdrawnOn kluis.Date `json:"withdrawn_on"`
}

// mayWrite reports whether role may write every one of fields of table.
func (s *Server) mayWrite(r *http.Request, table string, fields []string) bool {
	role := actorFrom(r.Context()).Role
	for _, f := range fields {
		if s.projector(r.Context()).Access(role, table, f) != catalog.Write {
			return false
		}
	}
	return true
}

// writeOne answers with one record as the caller may see it.
func (s *Server) writeOne(w http.ResponseWriter, r *http.Request, code int, table string, rec any, version int64) error {
	v, err := s.projector(r.Context()).Project(actorFrom(r.Context()).Role, table, rec)
	if err != nil {
		return err
	}
	return writeRecord(w, code, v, version)
}

// readOptionalJSON decodes a body onto dst when there is one.
func readOptionalJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := readJSON(w, r)
	if err != nil || len(body) == 0 {
		return err
	}
	return decodeInto(body, dst)
}

// candidateOfPath checks the body's candidate against the path's.
func candidateOfPath(inBody *kluis.ID, path kluis.ID) error {
	if *inBody != 0 && *inBody != path {
		p := kluis.Problems{}
		p.Add("candidate_id", "Hoort bij een andere kandidaat dan het adres.", "Names another candidate than the path.")
		return p.Err()
	}
	*inBody = path
	return nil
}

// listHolds is GET /api/v1/candidates/{id}/holds.
func (s *Server) listHolds(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	page := kluis.Page{Limit: kluis.MaxPageSize}
	items, total, err := s.db.ListLegalHolds(r.Context(), actorFrom(r.Context()), id, page)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "legal_holds", items, total, page)
}

// createHold is POST /api/v1/candidates/{id}/holds.
func (s *Server) createHold(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	if !s.mayWrite(r, "legal_holds", holdFields) {
		return errNoAccess
	}
	body, err := readJSON(w, r)
	if err != nil {
		return err
	}
	h := &kluis.LegalHold{}
	if err := decodeInto(body, h); err != nil {
		return err
	}
	if err := candidateOfPath(&h.CandidateID, id); err != nil {
		return err
	}
	if err := s.db.CreateLegalHold(r.Context(), actorFrom(r.Context()), h); err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusCreated, "legal_holds", h, h.Version)
}

// endHold is POST /api/v1/holds/{id}/end.
func (s *Server) endHold(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "legal hold")
	if err != nil {
		return err
	}
	if !s.mayWrite(r, "legal_holds", []string{"end_date"}) {
		return errNoAccess
	}
	var in holdEnd
	if err := readOptionalJSON(w, r, &in); err != nil {
		return err
	}
	h, err := s.db.EndLegalHold(r.Context(), actorFrom(r.Context()), id, in.EndDate)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "legal_holds", h, h.Version)
}

// listConsents is GET /api/v1/candidates/{id}/consents.
func (s *Server) listConsents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	page := kluis.Page{Limit: kluis.MaxPageSize}
	items, total, err := s.db.ListConsents(r.Context(), actorFrom(r.Context()), id, page)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "consents", items, total, page)
}

// createConsent is POST /api/v1/candidates/{id}/consents.
func (s *Server) createConsent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	if !s.mayWrite(r, "consents", consentFields) {
		return errNoAccess
	}
	body, err := readJSON(w, r)
	if err != nil {
		return err
	}
	c := &kluis.Consent{}
	if err := decodeInto(body, c); err != nil {
		return err
	}
	if err := candidateOfPath(&c.CandidateID, id); err != nil {
		return err
	}
	if err := s.db.CreateConsent(r.Context(), actorFrom(r.Context()), c); err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusCreated, "consents", c, c.Version)
}

// withdrawConsent is POST /api/v1/consents/{id}/withdraw.
func (s *Server) withdrawConsent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "consent")
	if err != nil {
		return err
	}
	if !s.mayWrite(r, "consents", []string{"withdrawn_on"}) {
		return errNoAccess
	}
	var in consentWithdrawal
	if err := readOptionalJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.db.WithdrawConsent(r.Context(), actorFrom(r.Context()), id, in.WithdrawnOn)
	if err != nil {
		return err
	}
	return s.writeOne(w, r, http.StatusOK, "consents", c, c.Version)
}
