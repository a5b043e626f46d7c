package web

import (
	"context"
	"net/http"
	"sort"

	"kluis/internal/kluis"
)

// revealRequest asks to see masked fields of a candidate in full.
type revealRequest struct {
	Fields []string `json:"fields"`
	Reason string   `json:"reason"`
}

// reveal checks a request to see masked values of candidate c, logs it
// (before anything is shown: no log, no value) and returns the values.
func (s *Server) reveal(ctx context.Context, c *kluis.Candidate, in revealRequest) (map[string]string, error) {
	a := actorFrom(ctx)
	p := kluis.Problems{}
	if !kluis.RevealReasons.Has(in.Reason) {
		p.Add("reason", "Kies waarom u dit gegeven wilt zien.", "Choose why you need to see this field.")
	}
	if len(in.Fields) == 0 {
		p.Add("fields", "Kies welk gegeven u wilt zien.", "Choose which field to see.")
	}
	values := map[string]string{"bsn": c.BSN, "iban": c.IBAN, "id_document_number": c.IDDocumentNumber}
	proj := s.projector(ctx)
	seen := map[string]bool{}
	for _, f := range in.Fields {
		if _, known := values[f]; !known || seen[f] {
			p.Add("fields", "Alleen bsn, iban en id_document_number kunnen worden getoond, elk één keer.",
				"Only bsn, iban and id_document_number can be revealed, each once.")
			continue
		}
		seen[f] = true
		if !proj.CanReveal(a.Role, "candidates", f) {
			return nil, errNoAccess
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	fields := append([]string(nil), in.Fields...)
	sort.Strings(fields)
	e := kluis.AuditEntry{UserID: a.UserID, Role: a.Role, Action: "reveal", Entity: "candidates", EntityID: c.ID,
		CandidateID: c.ID, Fields: fields, Reason: in.Reason, RequestID: requestID(ctx)}
	if err := s.db.LogAccess(ctx, a.TenantID, []kluis.AuditEntry{e}); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range fields {
		out[f] = values[f]
	}
	return out, nil
}

// revealCandidate is POST /api/v1/candidates/{id}/reveal.
func (s *Server) revealCandidate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.pathCandidate(r)
	if err != nil {
		return err
	}
	var in revealRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.reveal(r.Context(), c, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// revealTab is POST /candidates/{id}/reveal: the personal tab again, with
// the asked value shown in full, this once.
func (s *Server) revealTab(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r, 0); err != nil {
		return err
	}
	c, err := s.pathCandidate(r)
	if err != nil {
		return err
	}
	in := revealRequest{Fields: r.PostForm["field"], Reason: r.PostForm.Get("reason")}
	out, err := s.reveal(r.Context(), c, in)
	v, perr := s.candidatePage(r, "personal")
	if perr != nil {
		return perr
	}
	if lerr := s.loadPersonal(r, v); lerr != nil {
		return lerr
	}
	t := v.TabData.(*personalTab)
	if err != nil {
		if kluis.ErrorCode(err) != kluis.EInvalid {
			return err
		}
		t.RevealError = true
		return s.render(w, r, http.StatusUnprocessableEntity, "candidate", "tabpanel", v)
	}
	t.Revealed = out
	return s.render(w, r, http.StatusOK, "candidate", "tabpanel", v)
}
