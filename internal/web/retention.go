package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/retention"
)

// retentionBody is a candidate's retention plan as the API gives it.
type retentionBody struct {
	CandidateID kluis.ID        `json:"candidate_id"`
	Today       kluis.Date      `json:"today"`
	Items       []retentionItem `json:"items"`
}

// retentionItem is one group of the candidate's data: what, until when,
// and why.
type retentionItem struct {
	Category string     `json:"category"`
	Fields   []string   `json:"fields"`
	Rule     string     `json:"rule"`
	Rules    []string   `json:"rules"`
	Expires  kluis.Date `json:"expires"`
	Why      string     `json:"why"`
	Minimum  bool       `json:"minimum"`
	Held     bool       `json:"held"`
}

// retentionPlan works out the plan of a candidate the caller may see.
func (s *Server) retentionPlan(ctx context.Context, cand kluis.ID) ([]retention.Item, kluis.Date, error) {
	f, err := s.db.RetentionFacts(ctx, actorFrom(ctx), cand)
	if err != nil {
		return nil, "", err
	}
	set, err := s.settings(ctx)
	if err != nil {
		return nil, "", err
	}
	today := kluis.DateOf(s.clock.Now())
	return retention.Plan(s.catalog, f, retention.For(set), today), today, nil
}

// candidateRetention is GET /api/v1/candidates/{id}/retention.
func (s *Server) candidateRetention(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	if !s.projector(r.Context()).CanSee(actorFrom(r.Context()).Role, "candidates") {
		return errNoAccess
	}
	items, today, err := s.retentionPlan(r.Context(), id)
	if err != nil {
		return err
	}
	out := retentionBody{CandidateID: id, Today: today, Items: []retentionItem{}}
	l := lang(r)
	for _, it := range items {
		ri := retentionItem{Category: string(it.Category), Fields: it.Fields, Rule: string(it.Rule), Expires: it.Expires,
			Why: it.Why.In(l), Minimum: it.Minimum, Held: it.Held, Rules: []string{}}
		for _, x := range it.Rules {
			ri.Rules = append(ri.Rules, string(x))
		}
		out.Items = append(out.Items, ri)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// retentionRow is one line of the plan on the AVG tab.
type retentionRow struct {
	Category string
	Fields   []string
	Expires  kluis.Date
	Why      string
	Minimum  bool
	Held     bool
	Due      bool // the day has come: the clean-up removes it
}

// retentionRows puts the plan in the viewer's words, soonest first.
func (s *Server) retentionRows(items []retention.Item, today kluis.Date, lang string) []retentionRow {
	var out []retentionRow
	for _, it := range items {
		row := retentionRow{Category: catalog.CategoryLabel(it.Category).In(lang), Expires: it.Expires, Why: it.Why.In(lang),
			Minimum: it.Minimum, Held: it.Held, Due: it.Expires != "" && it.Expires <= today}
		for _, f := range it.Fields {
			if kind, ok := strings.CutPrefix(f, "document:"); ok {
				if b, ok := s.catalog.Blob(kind); ok {
					row.Fields = append(row.Fields, b.Label.In(lang))
				}
				continue
			}
			table, column, _ := strings.Cut(f, ".")
			if fl, ok := s.catalog.Field(table, column); ok {
				row.Fields = append(row.Fields, fl.Label.In(lang))
			}
		}
		out = append(out, row)
	}
	// Soonest first; what cannot expire yet last.
	slices.SortStableFunc(out, func(a, b retentionRow) int {
		switch {
		case a.Expires == b.Expires:
			return 0
		case a.Expires == "":
			return 1
		case b.Expires == "":
			return -1
		}
		return strings.Compare(string(a.Expires), string(b.Expires))
	})
	return out
}
