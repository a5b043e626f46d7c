package web

import (
	"net/http"

	"kluis/internal/store"
)

func (s *Server) listDisclosures(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.DisclosureFilter{CandidateID: q.id("candidate_id"), ClientID: q.id("client_id"), Page: q.page()}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.ListDisclosures(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "disclosures", items, total, f.Page)
}
