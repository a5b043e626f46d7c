package web

import (
	"context"
	"net/http"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/retention"
	"kluis/internal/store"
)

// mayCleanUp reports whether a role sees what is due for removal across the
// agency: the privacy officer.
func mayCleanUp(r kluis.Role) bool { return r == kluis.RolePrivacy }

func (s *Server) cleanupRoutes() []route {
	return []route{
		{"GET", "/cleanup", session, s.cleanupPage},
		{"POST", "/cleanup/runs", session, s.startCleanupForm},
		{"GET", "/cleanup/runs/{id}", session, s.cleanupRunPage},
		{"GET", "/cleanup/candidates/{id}", session, s.cleanupCandidatePage},
		{"GET", "/erasures", session, s.erasuresPage},
		{"GET", "/erasures/{id}", session, s.erasurePage},
	}
}

// dueCandidate is a candidate with data whose term has ended.
type dueCandidate struct {
	ID       kluis.ID         `json:"candidate_id"`
	BranchID kluis.ID         `json:"branch_id"`
	Since    kluis.Date       `json:"since"` // the earliest day something became due
	Due      []retentionItem  `json:"due"`
	items    []retention.Item // for the page
}

// dueFilter narrows the list of what is due: a branch, a candidate's
// state, and the day by which it is due (today when empty; a later day
// looks ahead, an earlier one shows what is overdue since); From keeps
// what falls due on or after a day (a month of the dashboard's forecast),
// Category what is of one category of data.
type dueFilter struct {
	Branch   kluis.ID
	Status   string
	By       kluis.Date
	From     kluis.Date
	Category string
}

// maxLookAhead is how far ahead the list of what is due may look.
const maxLookAhead = 366

// checkDueFilter validates a filter's state and day.
func checkDueFilter(f dueFilter, today kluis.Date, p kluis.Problems) {
	if f.Status != "" && !kluis.CandidateStatuses.Has(f.Status) {
		p.Add("status", "Kies een bestaande status.", "Choose an existing state.")
	}
	if f.By != "" && f.By > kluis.DateOf(today.Time().AddDate(0, 0, maxLookAhead)) {
		p.Add("due_by", "Hooguit een jaar vooruit.", "At most a year ahead.")
	}
	if f.Category != "" && !kluis.DataCategories.Has(f.Category) {
		p.Add("category", "Kies een bestaande categorie.", "Choose an existing category.")
	}
}

// within keeps the items of what is due that the filter's first day and
// category keep.
func (f dueFilter) within(due []retention.Item) []retention.Item {
	if f.From == "" && f.Category == "" {
		return due
	}
	var out []retention.Item
	for _, it := range due {
		if (f.From == "" || it.Expires >= f.From) && (f.Category == "" || string(it.Category) == f.Category) {
			out = append(out, it)
		}
	}
	return out
}

// dueList works out what is due for every candidate the caller may see,
// as the filter says: the candidates with something due (at most limit of
// them, from offset), how many there are, how many candidates were looked
// at, and per rule how many candidates it makes due.
func (s *Server) dueList(ctx context.Context, f dueFilter, lang string, limit, offset int) ([]dueCandidate, int, int, map[catalog.Rule]int, error) {
	a := actorFrom(ctx)
	today := kluis.DateOf(s.clock.Now())
	branch, by := f.Branch, f.By
	if by == "" {
		by = today
	}
	set, err := s.settings(ctx)
	if err != nil {
		return nil, 0, 0, nil, err
	}
	terms := retention.For(set)
	var out []dueCandidate
	total, seen := 0, 0
	byRule := map[catalog.Rule]int{}
	err = s.db.EachRetentionFacts(ctx, a, func(c store.CandidateFacts) error {
		if (branch != 0 && c.BranchID != branch) || (f.Status != "" && c.Status != f.Status) {
			return nil
		}
		seen++
		due := f.within(retention.Due(retention.Plan(s.catalog, c.Facts, terms, today), by))
		if len(due) == 0 {
			return nil
		}
		total++
		counted := map[catalog.Rule]bool{}
		for _, it := range due {
			if !counted[it.Rule] {
				counted[it.Rule] = true
				byRule[it.Rule]++
			}
		}
		if total <= offset || len(out) >= limit {
			return nil
		}
		d := dueCandidate{ID: c.ID, BranchID: c.BranchID, items: due, Due: []retentionItem{}}
		for _, it := range due {
			if d.Since == "" || it.Expires < d.Since {
				d.Since = it.Expires
			}
			ri := retentionItem{Category: string(it.Category), Fields: it.Fields, Rule: string(it.Rule), Expires: it.Expires,
				Why: it.Why.In(lang), Minimum: it.Minimum, Held: it.Held, Rules: []string{}}
			for _, x := range it.Rules {
				ri.Rules = append(ri.Rules, string(x))
			}
			d.Due = append(d.Due, ri)
		}
		out = append(out, d)
		return nil
	})
	return out, total, seen, byRule, err
}

// cleanupView is the privacy officer's list of what is due for removal.
type cleanupView struct {
	Base
	Form     *Form
	Branches []Option
	Items    []cleanupRow
	Total    int
	Seen     int
	Rules    []ruleCount
	Limit    int
	Runs     []runRow
	Statuses kluis.Choices
	// Categories are the categories of data to filter by.
	Categories kluis.Choices
}

// runRow is a recent clean-up run in the list.
type runRow struct {
	store.CleanupRun
	State string
}

type cleanupRow struct {
	ID         kluis.ID
	Name       string
	BranchName string
	Since      kluis.Date
	Due        []retentionRow
}

type ruleCount struct {
	Label string
	Count int
}

const cleanupLimit = 200

func (s *Server) cleanupPage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayCleanUp(a.Role) {
		return errNoAccess
	}
	v := &cleanupView{Base: s.baseFor(r, "cleanup", "cleanup.title"), Limit: cleanupLimit}
	v.Form = formFromQuery(r, v.Lang, "branch_id", "status", "due_by", "due_from", "category")
	v.Statuses, v.Categories = kluis.CandidateStatuses, kluis.DataCategories
	bs, err := s.db.Branches(ctx, a)
	if err != nil {
		return err
	}
	v.Branches = branchOptions(bs)
	names := map[kluis.ID]string{}
	for _, b := range bs {
		names[b.ID] = b.Name
	}
	branch := v.Form.Int64("branch_id")
	if branch != 0 && names[branch] == "" {
		v.Form.Errors["branch_id"] = text(v.Lang, "cleanup.badbranch")
	}
	filter := dueFilter{Branch: branch, Status: v.Form.Values["status"], Category: v.Form.Values["category"]}
	for field, day := range map[string]*kluis.Date{"due_by": &filter.By, "due_from": &filter.From} {
		if d := v.Form.Values[field]; d != "" {
			if parsed, ok := kluis.ParseDate(d); ok {
				*day = parsed
			} else {
				v.Form.Errors[field] = text(v.Lang, "cleanup.baddate")
			}
		}
	}
	p := kluis.Problems{}
	checkDueFilter(filter, kluis.DateOf(s.clock.Now()), p)
	for field, m := range p {
		v.Form.Errors[field] = m.In(v.Lang)
	}
	code := http.StatusOK
	if v.Form.HasErrors() {
		code = http.StatusUnprocessableEntity
		return s.render(w, r, code, "cleanup", "", v)
	}
	items, total, seen, byRule, err := s.dueList(ctx, filter, v.Lang, cleanupLimit, 0)
	if err != nil {
		return err
	}
	v.Total, v.Seen = total, seen
	runs, _, err := s.db.CleanupRuns(ctx, a, kluis.Page{Limit: 10})
	if err != nil {
		return err
	}
	for _, run := range runs {
		v.Runs = append(v.Runs, runRow{CleanupRun: run, State: kluis.CleanupStates.Label(run.State, v.Lang)})
	}
	for _, rule := range []catalog.Rule{catalog.R1, catalog.R2, catalog.R3, catalog.R4, catalog.R5, catalog.R6} {
		if n := byRule[rule]; n > 0 {
			v.Rules = append(v.Rules, ruleCount{Label: catalog.RuleLabel(rule).In(v.Lang), Count: n})
		}
	}
	today := kluis.DateOf(s.clock.Now())
	for _, d := range items {
		c, err := s.db.Candidate(ctx, a, d.ID)
		if err != nil {
			return err
		}
		v.Items = append(v.Items, cleanupRow{ID: d.ID, Name: c.Name(), BranchName: names[d.BranchID], Since: d.Since,
			Due: s.retentionRows(d.items, today, v.Lang)})
	}
	return s.render(w, r, code, "cleanup", "", v)
}

// dueBody is the API's list of what is due.
type dueBody struct {
	Items    []dueCandidate `json:"items"`
	Total    int            `json:"total"`
	Examined int            `json:"examined"`
	Limit    int            `json:"limit"`
	Offset   int            `json:"offset"`
}

// listDue is GET /api/v1/retention/due, for the privacy officer.
func (s *Server) listDue(w http.ResponseWriter, r *http.Request) error {
	if !mayCleanUp(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	q := newQuery(r)
	f := dueFilter{Branch: q.id("branch_id"), Status: q.choice("status", kluis.CandidateStatuses), By: q.date("due_by"),
		From: q.date("due_from"), Category: q.choice("category", kluis.DataCategories)}
	page := q.page().Normalize()
	checkDueFilter(f, kluis.DateOf(s.clock.Now()), q.p)
	if err := q.err(); err != nil {
		return err
	}
	items, total, seen, _, err := s.dueList(r.Context(), f, lang(r), page.Limit, page.Offset)
	if err != nil {
		return err
	}
	if items == nil {
		items = []dueCandidate{}
	}
	writeJSON(w, http.StatusOK, dueBody{Items: items, Total: total, Examined: seen, Limit: page.Limit, Offset: page.Offset})
	return nil
}
