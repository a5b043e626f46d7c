package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The clean-up in the staff UI: choosing candidates on /cleanup, the
// confirmation, the run with its progress, and per candidate what erasing
// would erase and keep. Starting always goes through a confirmation made
// by the server (not a browser dialog): the page says how many candidates
// will be erased and only its own form, with confirm=yes, starts the run.
// The preview of one candidate is that confirmation for them.

// cleanupConfirmView is the confirmation before a run starts.
type cleanupConfirmView struct {
	Base
	All    bool
	IDs    []kluis.ID
	Count  int
	Errors []string
}

// startCleanupForm is POST /cleanup/runs: without confirm=yes it asks for
// the confirmation, with it it starts the run and goes to its page.
func (s *Server) startCleanupForm(w http.ResponseWriter, r *http.Request) error {
	if !mayCleanUp(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	v := &cleanupConfirmView{Base: s.baseFor(r, "cleanup", "cleanup.confirm.title"), All: r.PostForm.Get("scope") == "all"}
	var ids []kluis.ID
	bad := false
	if !v.All {
		for _, x := range r.PostForm["candidate"] {
			id, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil || id <= 0 {
				bad = true
				continue
			}
			ids = append(ids, id)
		}
	}
	if bad {
		v.Errors = append(v.Errors, text(v.Lang, "cleanup.badids"))
		return s.render(w, r, http.StatusUnprocessableEntity, "cleanup_confirm", "", v)
	}
	if r.PostForm.Get("confirm") == "yes" {
		run, err := s.startCleanup(r.Context(), ids, v.All)
		if err == nil {
			return seeOther(w, r, "/cleanup/runs/"+formatID(run.ID), "")
		}
		if !v.failed(err) {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "cleanup_confirm", "", v)
	}
	checked, n, err := s.checkCleanup(r.Context(), ids, v.All)
	if err != nil {
		if !v.failed(err) {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "cleanup_confirm", "", v)
	}
	v.IDs, v.Count = checked, n
	return s.render(w, r, http.StatusOK, "cleanup_confirm", "", v)
}

// failed puts the field errors of err on the page; it reports false for
// any other error.
func (v *cleanupConfirmView) failed(err error) bool {
	f := newForm(v.Lang)
	if f.Fail(err) != nil || !f.HasErrors() {
		return false
	}
	for _, k := range sortedFormKeys(f.Errors) {
		v.Errors = append(v.Errors, f.Errors[k])
	}
	return true
}

func sortedFormKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// cleanupRunView is the page of one run.
type cleanupRunView struct {
	Base
	Run      *store.CleanupRun
	Running  bool
	State    string
	Groups   []ruleCount
	UserName string
}

func (s *Server) cleanupRunPage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayCleanUp(a.Role) {
		return errNoAccess
	}
	id, err := pathID(r, "clean-up run")
	if err != nil {
		return err
	}
	run, err := s.db.CleanupRun(ctx, a, id)
	if err != nil {
		return err
	}
	v := &cleanupRunView{Base: s.baseFor(r, "cleanup", "cleanup.run.title"), Run: run, Running: run.State == "running"}
	v.State = kluis.CleanupStates.Label(run.State, v.Lang)
	v.Groups = reportGroups(run.Report.Erased, v.Lang)
	names, err := s.staffNames(r)
	if err != nil {
		return err
	}
	v.UserName = names[run.UserID]
	return s.render(w, r, http.StatusOK, "cleanup_run", "run", v)
}

// reportGroups puts a run's counts per group ("category rule") in words.
func reportGroups(m map[string]int, lang string) []ruleCount {
	var out []ruleCount
	for _, k := range sortedKeysOf(m) {
		out = append(out, ruleCount{Label: groupLabel(k, lang), Count: m[k]})
	}
	return out
}

func sortedKeysOf(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// groupLabel names a group "category rule" in words.
func groupLabel(group, lang string) string {
	cat, rule, _ := strings.Cut(group, " ")
	return categoryName(cat, lang) + " — " + ruleName(rule, lang)
}

func categoryName(cat, lang string) string {
	if l := catalog.CategoryLabel(catalog.Category(cat)).In(lang); l != "" {
		return l
	}
	return cat
}

func ruleName(rule, lang string) string {
	if l := catalog.RuleLabel(catalog.Rule(rule)).In(lang); l != "" {
		return l
	}
	return rule
}

// staffNames maps the agency's users to their names, for "by whom".
func (s *Server) staffNames(r *http.Request) (map[kluis.ID]string, error) {
	us, err := s.db.Users(r.Context(), actorFrom(r.Context()).TenantID)
	if err != nil {
		return nil, err
	}
	out := map[kluis.ID]string{}
	for _, u := range us {
		out[u.ID] = u.Name
		if u.Name == "" {
			out[u.ID] = u.Email
		}
	}
	return out, nil
}

// groupRow is an erased or kept group on a page.
type groupRow struct {
	Category string
	Rule     string
	Fields   []string
	Until    kluis.Date
	Held     bool
}

// fieldLabels names the fields of a group ("table.column", "document:kind").
func (s *Server) fieldLabels(fields []string, lang string) []string {
	var out []string
	for _, f := range fields {
		if kind, ok := strings.CutPrefix(f, "document:"); ok {
			if b, ok := s.catalog.Blob(kind); ok {
				out = append(out, b.Label.In(lang))
				continue
			}
		} else {
			table, column, _ := strings.Cut(f, ".")
			if fl, ok := s.catalog.Field(table, column); ok {
				out = append(out, fl.Label.In(lang))
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

func (s *Server) erasedRows(gs []kluis.ErasedGroup, lang string) []groupRow {
	var out []groupRow
	for _, g := range gs {
		out = append(out, groupRow{Category: categoryName(g.Category, lang), Rule: ruleName(g.Rule, lang), Fields: s.fieldLabels(g.Fields, lang)})
	}
	return out
}

func (s *Server) keptGroupRows(gs []kluis.KeptGroup, lang string) []groupRow {
	var out []groupRow
	for _, g := range gs {
		out = append(out, groupRow{Category: categoryName(g.Category, lang), Rule: ruleName(g.Rule, lang), Fields: s.fieldLabels(g.Fields, lang),
			Until: g.Until, Held: g.Held})
	}
	return out
}

// cleanupCandidateView is what erasing one candidate now would do.
type cleanupCandidateView struct {
	Base
	ID       kluis.ID
	Name     string
	Due      bool
	Complete bool
	Erased   []groupRow
	Kept     []groupRow
	// Limits are the candidate's restrictions of processing (art. 18):
	// the banner, and why nothing is due while one lasts.
	Limits []kluis.Restriction
}

func (s *Server) cleanupCandidatePage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayCleanUp(a.Role) {
		return errNoAccess
	}
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	c, err := s.db.Candidate(ctx, a, id)
	if err != nil {
		return err
	}
	p, err := s.preview(ctx, id, "retention")
	if err != nil {
		return err
	}
	v := &cleanupCandidateView{Base: s.baseFor(r, "cleanup", "cleanup.preview.title"), ID: id, Name: c.Name(), Due: p.Due, Complete: p.Complete}
	v.Erased, v.Kept = s.erasedRows(p.Erased, v.Lang), s.keptGroupRows(p.Kept, v.Lang)
	if v.Limits, err = s.db.ActiveRestrictions(ctx, a, id); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "cleanup_candidate", "", v)
}

// erasuresView is the list of erasure records.
type erasuresView struct {
	Base
	Form  *Form
	Items []erasureRow
	Total int
	Limit int
	// The filters' choices.
	Categories, Outcomes kluis.Choices
}

type erasureRow struct {
	kluis.Erasure
	ReasonLabel string
	By          string
}

const erasuresLimit = 100

// erasureOutcomes are the outcomes an erasure record is filtered by.
var erasureOutcomes = kluis.Choices{{Value: "complete", Label: kluis.Msg{NL: "Helemaal gewist", EN: "Erased altogether"}},
	{Value: "partial", Label: kluis.Msg{NL: "Deels gewist", EN: "Erased in part"}}}

// erasureFilter reads the filters of the erasure records from a query, for
// the page and the API alike; what is wrong goes to q's problems.
func erasureFilter(q *query) store.ErasureFilter {
	f := store.ErasureFilter{RunID: q.id("run_id"), CandidateID: q.id("candidate_id"), Category: q.choice("category", kluis.DataCategories),
		Cleanup: q.choice("cleanup", yesNo) == "true", ErasedFrom: q.date("erased_from"), Outcome: q.choice("outcome", erasureOutcomes)}
	if m := q.str("run_month"); m != "" {
		if _, err := time.Parse("2006-01", m); err != nil || len(m) != 7 {
			q.p.Add("run_month", "Geef een maand als 2026-11.", "Give a month as 2026-11.")
		} else {
			f.RunMonth = m
		}
	}
	return f
}

func (s *Server) erasuresPage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayCleanUp(a.Role) {
		return errNoAccess
	}
	v := &erasuresView{Base: s.baseFor(r, "cleanup", "erasures.title"), Limit: erasuresLimit}
	v.Form = formFromQuery(r, v.Lang, "run_id", "candidate_id", "run_month", "cleanup", "erased_from", "category", "outcome")
	v.Categories, v.Outcomes = kluis.DataCategories, erasureOutcomes
	q := newQuery(r)
	f := erasureFilter(q)
	f.Page = kluis.Page{Limit: erasuresLimit}
	for field, m := range q.p {
		v.Form.Errors[field] = m.In(v.Lang)
	}
	if v.Form.HasErrors() {
		return s.render(w, r, http.StatusUnprocessableEntity, "erasures", "", v)
	}
	items, total, err := s.db.Erasures(ctx, a, f)
	if err != nil {
		return err
	}
	names, err := s.staffNames(r)
	if err != nil {
		return err
	}
	v.Total = total
	for _, e := range items {
		v.Items = append(v.Items, erasureRow{Erasure: e, ReasonLabel: kluis.ErasureReasons.Label(e.Reason, v.Lang), By: names[e.UserID]})
	}
	return s.render(w, r, http.StatusOK, "erasures", "", v)
}

// erasureView is one erasure record: the proof.
type erasureView struct {
	Base
	E           *kluis.Erasure
	ReasonLabel string
	By          string
	Erased      []groupRow
	Kept        []groupRow
}

func (s *Server) erasurePage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayCleanUp(a.Role) {
		return errNoAccess
	}
	id, err := pathID(r, "erasure")
	if err != nil {
		return err
	}
	e, err := s.db.ErasureRecord(ctx, a, id)
	if err != nil {
		return err
	}
	names, err := s.staffNames(r)
	if err != nil {
		return err
	}
	v := &erasureView{Base: s.baseFor(r, "cleanup", "erasure.title"), E: e, By: names[e.UserID]}
	v.ReasonLabel = kluis.ErasureReasons.Label(e.Reason, v.Lang)
	v.Erased, v.Kept = s.erasedRows(e.Erased, v.Lang), s.keptGroupRows(e.Kept, v.Lang)
	return s.render(w, r, http.StatusOK, "erasure", "", v)
}
