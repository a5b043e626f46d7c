package web

import (
	"net/http"

	"kluis/internal/store"
)

func (s *Server) listPayrollRecords(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.PayrollFilter{CandidateID: q.id("candidate_id"), Year: q.int("year", 1990, 2999), Page: q.page()}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.ListPayrollRecords(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "payroll_records", items, total, f.Page)
}
