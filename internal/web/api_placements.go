package web

import (
	"net/http"

	"kluis/internal/store"
)

func (s *Server) listPlacements(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.PlacementFilter{CandidateID: q.id("candidate_id"), ClientID: q.id("client_id"), ActiveOn: q.date("active_on"),
		Sort: q.str("sort"), Page: q.page()}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.ListPlacements(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "placements", items, total, f.Page)
}
