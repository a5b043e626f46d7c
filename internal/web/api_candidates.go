package web

import (
	"context"
	"net/http"
	"strings"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// listCandidates lists candidates by filters that identify nobody (status,
// branch); searching by name or place is a POST, so that names never end up
// in URLs, logs or browser history.
func (s *Server) listCandidates(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.CandidateFilter{
		Status:   q.choice("status", kluis.CandidateStatuses),
		BranchID: q.id("branch_id"),
		Sort:     q.str("sort"),
		Page:     q.page(),
		// Art. 18: left out unless the privacy officer asks.
		Restricted: q.choice("restricted", restrictedChoices),
		CountUpTo:  searchCountUpTo,
	}
	if err := q.err(); err != nil {
		return err
	}
	if err := s.searchProblems(r.Context(), f, map[string]string{"status": "status", "sort": "sort"}).Err(); err != nil {
		return err
	}
	items, total, err := s.db.ListCandidates(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	total, more := capped(total)
	return writeSearch(s, w, r, items, total, more, f.Page)
}

type candidateSearch struct {
	Query    string   `json:"query"`
	City     string   `json:"city"`
	Function string   `json:"function"`
	Status   string   `json:"status"`
	BranchID kluis.ID `json:"branch_id"`
	Sort     string   `json:"sort"`
	// Restricted: "only" or "include" the candidates whose processing is
	// restricted (art. 18); the privacy officer's only.
	Restricted string `json:"restricted"`
	Limit      int    `json:"limit"`
	Offset     int    `json:"offset"`
}

func (s *Server) searchCandidates(w http.ResponseWriter, r *http.Request) error {
	var in candidateSearch
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := kluis.Problems{}
	for field, v := range map[string]*string{"query": &in.Query, "city": &in.City, "function": &in.Function} {
		if s, ok := kluis.CleanLine(*v, 100); ok {
			*v = s
		} else {
			p.Add(field, "Gebruik hooguit 100 tekens op één regel.", "Use at most 100 characters on one line.")
		}
	}
	if in.Status != "" && !kluis.CandidateStatuses.Has(in.Status) {
		p.Add("status", "Onbekende status.", "Unknown status.")
	}
	// Searching on a field one may not see would reveal what it holds.
	for k, m := range s.searchProblems(r.Context(), store.CandidateFilter{Query: in.Query, City: in.City, Function: in.Function,
		Status: in.Status, Sort: in.Sort}, map[string]string{"query": "query", "city": "city", "function": "function", "status": "status", "sort": "sort"}) {
		p[k] = m
	}
	if in.Limit < 0 || in.Limit > kluis.MaxPageSize || in.Offset < 0 {
		p.Add("limit", "De limiet ligt tussen 1 en 200; de offset is niet negatief.", "The limit is between 1 and 200; the offset is not negative.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	f := store.CandidateFilter{Query: in.Query, City: in.City, Function: in.Function, Status: in.Status,
		BranchID: in.BranchID, Sort: in.Sort, Restricted: in.Restricted, Page: kluis.Page{Limit: in.Limit, Offset: in.Offset}.Normalize(), CountUpTo: searchCountUpTo}
	items, total, err := s.db.ListCandidates(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	total, more := capped(total)
	return writeSearch(s, w, r, items, total, more, f.Page)
}

// searchProblems refuses criteria and a sort on fields the caller may not
// see in full: a search on them would tell what they hold. The keys are
// the names of the search's own fields (query, city, function, sort).
func (s *Server) searchProblems(ctx context.Context, f store.CandidateFilter, names map[string]string) kluis.Problems {
	p := kluis.Problems{}
	proj, role := s.projector(ctx), actorFrom(ctx).Role
	hidden := func(column string) bool { return proj.Access(role, "candidates", column) < catalog.Read }
	refuse := func(field string) {
		p.Add(names[field], "U kunt niet zoeken of sorteren op een gegeven dat u niet (volledig) ziet.",
			"You cannot search or sort on a field you may not see in full.")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		column := "last_name"
		if strings.Contains(q, "@") {
			column = "email"
		}
		if hidden(column) {
			refuse("query")
		}
	}
	if f.City != "" && hidden("city") {
		refuse("city")
	}
	if f.Function != "" && hidden("functions") {
		refuse("function")
	}
	if f.Status != "" && hidden("status") {
		refuse("status")
	}
	if sortBy := strings.TrimPrefix(f.Sort, "-"); sortBy != "" && sortBy != "created_at" && hidden(sortBy) {
		refuse("sort")
	}
	return p
}
