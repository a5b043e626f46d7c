package web

import (
	"net/http"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (s *Server) listContactMoments(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.ContactMomentFilter{CandidateID: q.id("candidate_id"), Kind: q.choice("kind", kluis.ContactKinds), Page: q.page()}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.ListContactMoments(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "contact_moments", items, total, f.Page)
}
