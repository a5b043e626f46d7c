package web

import (
	"net/http"
	"slices"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (s *Server) placementRoutes() []route {
	return []route{
		{"GET", "/placements", session, s.placementList},
	}
}

// placementPeriods are the choices of the placement filter: active today,
// starting or ending within from–to, or every placement.
var placementPeriods = []string{"active", "starting", "ending", "all"}

// placementFilterFields are the fields of the placement filter. It holds
// no personal data (a period, a client id), so it is a GET form.
var placementFilterFields = []string{"period", "from", "to", "client_id", "offset"}

// placementPeriodDays is how far ahead "starting" and "ending" look when
// the user gives no end of the period.
const placementPeriodDays = 30

type placementListView struct {
	Base
	Form    *Form
	Periods []Option
	Clients []Option
	Today   kluis.Date
	Rows    []placementRow
	Total   int
	Pager   urlPager
}

// Dated reports whether the chosen period uses the from and to dates.
func (v placementListView) Dated() bool {
	p := v.Form.Values["period"]
	return p == "starting" || p == "ending"
}

// PeriodFrom and PeriodTo are the bounds of a dated period.
func (v placementListView) PeriodFrom() kluis.Date { return kluis.Date(v.Form.Values["from"]) }
func (v placementListView) PeriodTo() kluis.Date   { return kluis.Date(v.Form.Values["to"]) }

func (s *Server) placementList(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	now := s.clock.Now()
	v := placementListView{Base: s.baseFor(r, "placements", "nav.placements"), Today: kluis.DateOf(now)}
	f := formFromQuery(r, v.Lang, placementFilterFields...)
	v.Form = f
	for _, p := range placementPeriods {
		v.Periods = append(v.Periods, Option{Value: p, Label: v.T("placements.period." + p)})
	}
	if f.Values["period"] == "" {
		f.Values["period"] = "active"
	}
	period := f.Values["period"]
	if !slices.Contains(placementPeriods, period) {
		f.Errors["period"] = v.T("placements.badperiod")
	}
	filter := store.PlacementFilter{ClientID: f.Int64("client_id"), Page: kluis.Page{Limit: uiPageSize, Offset: offsetOf(f)}}
	// The dates: as typed when wrong, else normalised, and filled in for a
	// period that needs them.
	var from, to kluis.Date
	for _, k := range []string{"from", "to"} {
		d, ok := kluis.ParseDate(f.Values[k])
		if !ok {
			f.Errors[k] = v.T("placements.baddate")
			continue
		}
		f.Values[k] = string(d)
		if k == "from" {
			from = d
		} else {
			to = d
		}
	}
	if v.Dated() && !f.HasErrors() {
		if from == "" {
			from = v.Today
		}
		if to == "" {
			to = kluis.DateOf(from.Time().AddDate(0, 0, placementPeriodDays))
		}
		f.Values["from"], f.Values["to"] = string(from), string(to)
		if to < from {
			f.Errors["to"] = v.T("placements.badrange")
		}
	}
	switch period {
	case "active":
		filter.ActiveOn = v.Today
	case "starting":
		filter.StartsFrom, filter.StartsTo, filter.Sort = from, to, "start_date"
	case "ending":
		filter.EndsFrom, filter.EndsTo, filter.Sort = from, to, "end_date"
	}
	if err := s.placementClientOptions(r, &v, filter.ClientID); err != nil {
		return err
	}
	code := http.StatusOK
	if f.HasErrors() {
		code = http.StatusUnprocessableEntity
	} else {
		ps, total, err := s.db.ListPlacements(ctx, a, filter)
		if err != nil {
			return err
		}
		if v.Rows, err = s.placementRows(r, ps); err != nil {
			return err
		}
		v.Total = total
		q := r.URL.Query()
		q.Set("period", period)
		if v.Dated() {
			q.Set("from", string(from))
			q.Set("to", string(to))
		} else {
			q.Del("from")
			q.Del("to")
		}
		v.Pager = newURLPager("/placements", q, filter.Page.Offset, len(ps), total)
	}
	return s.render(w, r, code, "placements", "placements-results", v)
}

// placementClientOptions fills the client choice of the filter: the
// agency's clients by name (at most a page of MaxPageSize), and the chosen
// one even when it is not among them.
func (s *Server) placementClientOptions(r *http.Request, v *placementListView, chosen kluis.ID) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	cs, _, err := s.db.ListClients(ctx, a, store.ClientFilter{Sort: "name", Page: kluis.Page{Limit: kluis.MaxPageSize}})
	if err != nil {
		return err
	}
	found := chosen == 0
	for _, c := range cs {
		v.Clients = append(v.Clients, Option{Value: formatID(c.ID), Label: c.Name})
		found = found || c.ID == chosen
	}
	if !found {
		c, err := s.db.Client(ctx, a, chosen)
		switch {
		case kluis.ErrorCode(err) == kluis.ENotFound:
			v.Form.Errors["client_id"] = v.T("placements.badclient")
		case err != nil:
			return err
		default:
			v.Clients = append(v.Clients, Option{Value: formatID(c.ID), Label: c.Name})
		}
	}
	return nil
}
