package web

import (
	"net/http"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// startView is the start page: what needs attention today.
type startView struct {
	Base
	Today          kluis.Date
	Ending         []placementRow // placements ending within two weeks
	EndingTotal    int
	Starting       []placementRow // placements starting within a week
	StartingTotal  int
	NewCandidates  int // registered in the last seven days
	WorkingNow     int
	Candidates     int
	RecentContacts []kluis.ContactMoment
	// The privacy officer's requests: those past their deadline (in red)
	// and those due within a week.
	Requests bool
	Overdue  requestsView
	DueSoon  requestsView
	// The privacy officer's breaches whose 72-hour clock runs.
	Breaches *breachesView
}

// placementRow is a placement with the names a list shows beside it.
type placementRow struct {
	kluis.Placement
	CandidateName string
	ClientName    string
	// Restricted: the candidate's processing is restricted (art. 18).
	Restricted bool
}

func (s *Server) start(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	now := s.clock.Now()
	today := kluis.DateOf(now)
	v := startView{Base: s.baseFor(r, "start", "start.title"), Today: today}
	page := kluis.Page{Limit: 10}
	ending, n, err := s.db.ListPlacements(ctx, a, store.PlacementFilter{EndsFrom: today, EndsTo: kluis.DateOf(now.AddDate(0, 0, 14)), Sort: "end_date", Page: page})
	if err != nil {
		return err
	}
	v.EndingTotal = n
	if v.Ending, err = s.placementRows(r, ending); err != nil {
		return err
	}
	starting, n, err := s.db.ListPlacements(ctx, a, store.PlacementFilter{StartsFrom: today, StartsTo: kluis.DateOf(now.AddDate(0, 0, 7)), Sort: "start_date", Page: page})
	if err != nil {
		return err
	}
	v.StartingTotal = n
	if v.Starting, err = s.placementRows(r, starting); err != nil {
		return err
	}
	if _, v.NewCandidates, err = s.db.ListCandidates(ctx, a, store.CandidateFilter{RegisteredFrom: kluis.DateOf(now.Add(-7 * 24 * time.Hour)), Page: kluis.Page{Limit: 1}}); err != nil {
		return err
	}
	if _, v.WorkingNow, err = s.db.ListPlacements(ctx, a, store.PlacementFilter{ActiveOn: today, Page: kluis.Page{Limit: 1}}); err != nil {
		return err
	}
	if _, v.Candidates, err = s.db.ListCandidates(ctx, a, store.CandidateFilter{Page: kluis.Page{Limit: 1}}); err != nil {
		return err
	}
	if mayHandleRequests(a.Role) {
		v.Requests = true
		v.Overdue.Base, v.DueSoon.Base = v.Base, v.Base
		over, n, err := s.db.Requests(ctx, a, store.RequestFilter{Overdue: true, Page: page})
		if err != nil {
			return err
		}
		v.Overdue.Items, v.Overdue.Total = s.requestRows(r, over), n
		soon, _, err := s.db.Requests(ctx, a, store.RequestFilter{DueBy: kluis.DateOf(now.AddDate(0, 0, 7)), Page: kluis.Page{Limit: 50}})
		if err != nil {
			return err
		}
		for _, q := range s.requestRows(r, soon) {
			if q.DueSoon {
				v.DueSoon.Items = append(v.DueSoon.Items, q)
			}
		}
		v.DueSoon.Total = len(v.DueSoon.Items)
	}
	if s.mayKeepBreaches(r) {
		if v.Breaches, err = s.openBreachesView(r, v.Base); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, "start", "", v)
}

// placementRows adds the candidate's and the client's names to placements.
func (s *Server) placementRows(r *http.Request, ps []kluis.Placement) ([]placementRow, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	// Whoever may see no candidate data (the administrator) sees the
	// placements without the candidates' names.
	showNames := s.projector(r.Context()).CanSee(a.Role, "candidates")
	out := make([]placementRow, len(ps))
	names := map[kluis.ID]string{}
	clients := map[kluis.ID]string{}
	for i, p := range ps {
		out[i].Placement = p
		if _, ok := names[p.CandidateID]; !ok && !showNames {
			names[p.CandidateID] = "—"
		} else if !ok {
			c, err := s.db.Candidate(ctx, a, p.CandidateID)
			if err != nil {
				return nil, err
			}
			names[p.CandidateID] = c.Name()
		}
		if _, ok := clients[p.ClientID]; !ok {
			c, err := s.db.Client(ctx, a, p.ClientID)
			if err != nil {
				return nil, err
			}
			clients[p.ClientID] = c.Name
		}
		out[i].CandidateName, out[i].ClientName = names[p.CandidateID], clients[p.ClientID]
	}
	// Art. 18: a list that names a restricted candidate says so.
	ids := make([]kluis.ID, len(ps))
	for i, p := range ps {
		ids[i] = p.CandidateID
	}
	restricted, err := s.db.RestrictedAmong(ctx, a.TenantID, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Restricted = restricted[out[i].CandidateID]
	}
	return out, nil
}
