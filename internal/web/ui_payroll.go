package web

import (
	"net/http"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (s *Server) payrollRoutes() []route {
	return []route{
		{"GET", "/candidates/{id}/payroll", session, s.candidateTab("payroll", s.loadPayroll)},
	}
}

// payrollTab is the data of the payroll tab: read-only, as the payroll
// engine delivers the records through the API.
type payrollTab struct {
	Years []payrollYear // newest year first
	Total int
	Shown int
}

// Limited reports that not every record is listed.
func (t *payrollTab) Limited() bool { return t.Total > t.Shown }

// payrollYear is one year of payroll records, newest period first, with
// its totals.
type payrollYear struct {
	Year       int
	Records    []kluis.PayrollRecord
	GrossCents int64
	NetCents   int64
}

func (s *Server) loadPayroll(r *http.Request, v *candidatePageView) error {
	items, total, err := s.db.ListPayrollRecords(r.Context(), actorFrom(r.Context()),
		store.PayrollFilter{CandidateID: v.C.ID, Page: kluis.Page{Limit: tabListLimit}})
	if err != nil {
		return err
	}
	t := &payrollTab{Total: total, Shown: len(items)}
	for _, p := range items {
		if n := len(t.Years); n == 0 || t.Years[n-1].Year != p.Year {
			t.Years = append(t.Years, payrollYear{Year: p.Year})
		}
		y := &t.Years[len(t.Years)-1]
		y.Records = append(y.Records, p)
		y.GrossCents += p.GrossCents
		y.NetCents += p.NetCents
	}
	v.TabData = t
	return nil
}
