package web

import (
	"net/http"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (s *Server) candidatePlacementRoutes() []route {
	return []route{
		{"GET", "/candidates/{id}/placements", session, s.candidateTab("placements", s.loadCandidatePlacements)},
		{"POST", "/candidates/{id}/placements", session, s.candidatePlacementAdd},
		{"POST", "/candidates/{id}/placements/{pid}/end", session, s.candidatePlacementEnd},
	}
}

// candPlacementFields are the fields of the form that adds a placement.
var candPlacementFields = []string{"client_id", "function", "start_date", "end_date", "hourly_wage", "contract_kind"}

// candPlacementsTab is the data of the candidate's placements tab.
type candPlacementsTab struct {
	Form    *Form // adds a placement
	Clients []Option
	Items   []candPlacementRow
	Total   int
	// EndForm is the "end" form that was posted, for its stale notice.
	EndForm *Form
	tabFlash
}

// Limited reports that not every placement is listed.
func (t *candPlacementsTab) Limited() bool { return t.Total > len(t.Items) }

// candPlacementRow is a placement with its client's name and its "end" form.
type candPlacementRow struct {
	kluis.Placement
	ClientName string
	CanEnd     bool   // running or still to come: it can be given an end date
	EndValue   string // the end date in the "end" form
	EndError   string
}

func (s *Server) loadCandidatePlacements(r *http.Request, v *candidatePageView) error {
	f := newForm(v.Lang)
	f.Values["contract_kind"] = "phase-a"
	return s.fillCandidatePlacements(r, v, f, 0, nil)
}

// fillCandidatePlacements loads the tab; endFor, when not 0, is the
// placement whose "end" form ef was posted and refused.
func (s *Server) fillCandidatePlacements(r *http.Request, v *candidatePageView, f *Form, endFor kluis.ID, ef *Form) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	items, total, err := s.db.ListPlacements(ctx, a, store.PlacementFilter{CandidateID: v.C.ID, Page: kluis.Page{Limit: tabListLimit}})
	if err != nil {
		return err
	}
	opts, names, err := s.tabClientOptions(r)
	if err != nil {
		return err
	}
	today := kluis.DateOf(s.clock.Now())
	t := &candPlacementsTab{Form: f, Clients: opts, Total: total, EndForm: ef}
	for _, p := range items {
		name, ok := names[p.ClientID]
		if !ok {
			// Beyond the first clients by name: look it up.
			c, err := s.db.Client(ctx, a, p.ClientID)
			if err != nil {
				return err
			}
			name, names[p.ClientID] = c.Name, c.Name
		}
		row := candPlacementRow{Placement: p, ClientName: name, CanEnd: p.EndDate == "" || p.EndDate >= today, EndValue: string(p.EndDate)}
		if p.ID == endFor && ef != nil && !ef.Stale {
			row.CanEnd, row.EndValue, row.EndError = true, ef.Values["end_date"], ef.Errors["end_date"]
		}
		t.Items = append(t.Items, row)
	}
	v.TabData = t
	return nil
}

// tabClientOptions lists the first clients by name for a select, with a
// map of their names.
func (s *Server) tabClientOptions(r *http.Request) ([]Option, map[kluis.ID]string, error) {
	cs, _, err := s.db.ListClients(r.Context(), actorFrom(r.Context()), store.ClientFilter{Sort: "name", Page: kluis.Page{Limit: tabListLimit}})
	if err != nil {
		return nil, nil, err
	}
	opts := make([]Option, len(cs))
	names := make(map[kluis.ID]string, len(cs))
	for i, c := range cs {
		label := c.Name
		if c.City != "" {
			label += " (" + c.City + ")"
		}
		opts[i] = Option{Value: formatID(c.ID), Label: label}
		names[c.ID] = c.Name
	}
	return opts, names, nil
}

// candidatePlacementAdd places the candidate at a client.
func (s *Server) candidatePlacementAdd(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "placements")
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, v.Lang, candPlacementFields...)
	p := &kluis.Placement{CandidateID: v.C.ID, ClientID: f.Int64("client_id"), Function: f.Values["function"],
		StartDate: kluis.Date(f.Values["start_date"]), EndDate: kluis.Date(f.Values["end_date"]),
		HourlyWageCents: f.Cents("hourly_wage"), ContractKind: f.Values["contract_kind"]}
	rename := map[string]string{"hourly_wage_cents": "hourly_wage"}
	if f.HasErrors() {
		// Show the other fields' mistakes at the same time.
		if err := tabFail(f, p.Validate(), rename); err != nil {
			return err
		}
	} else {
		err := s.db.CreatePlacement(r.Context(), actorFrom(r.Context()), p)
		if err == nil {
			return s.tabChanged(w, r, v, "candplacement.added", func() error {
				return s.loadCandidatePlacements(r, v)
			})
		}
		if err := tabFail(f, err, rename); err != nil {
			return err
		}
	}
	if err := s.fillCandidatePlacements(r, v, f, 0, nil); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}

// candidatePlacementEnd gives a placement its end date, if nobody changed
// the placement since the page was loaded.
func (s *Server) candidatePlacementEnd(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "placements")
	if err != nil {
		return err
	}
	pid, err := tabPathID(r, "pid", "placement")
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	p, err := s.db.Placement(ctx, a, pid)
	if err != nil {
		return err
	}
	if p.CandidateID != v.C.ID {
		return kluis.NotFound("placement")
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	ef := formFrom(r, v.Lang, "end_date", "version")
	version := ef.Int64("version")
	if ef.Values["end_date"] == "" {
		ef.Errors["end_date"] = text(v.Lang, "candplacement.end.required")
	}
	if !ef.HasErrors() {
		p.EndDate = kluis.Date(ef.Values["end_date"])
		err := s.db.UpdatePlacement(ctx, a, p, version)
		if err == nil {
			return s.tabChanged(w, r, v, "candplacement.ended", func() error {
				return s.loadCandidatePlacements(r, v)
			})
		}
		if err := tabFail(ef, err, nil); err != nil {
			return err
		}
	}
	f := newForm(v.Lang)
	f.Values["contract_kind"] = "phase-a"
	if err := s.fillCandidatePlacements(r, v, f, pid, ef); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}
