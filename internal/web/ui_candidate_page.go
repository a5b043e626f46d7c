package web

import (
	"encoding/json"
	"net/http"

	"kluis/internal/kluis"
)

// candidatePageView is the candidate page: the person at the top, the
// tabs, and the data of the open tab.
type candidatePageView struct {
	Base
	C          *kluis.Candidate
	BranchName string
	Tab        string
	Tabs       []tabLink
	// TabData holds the open tab's own view (historyTab, documentsTab, …).
	TabData any
	// NoAccess is set when the viewer's role may see nothing of the tab.
	NoAccess bool
	// Restricted: only the legal minimum of the candidate is kept, and
	// nothing of them can be changed; the page offers no changes.
	Restricted bool
	// Limits are the candidate's restrictions of processing (art. 18)
	// that last: a banner on every tab (ui_restrictions.go).
	Limits []kluis.Restriction
}

// tabTables are the tables whose records each tab shows.
var tabTables = map[string]string{
	"personal": "candidates", "history": "contact_moments", "documents": "documents",
	"placements": "placements", "payroll": "payroll_records", "privacy": "disclosures",
}

type tabLink struct {
	Key, Path, Label string
	Current          bool
}

// candidateTabs are the tabs of the candidate page, in order.
var candidateTabs = []struct{ key, path string }{
	{"personal", ""},
	{"history", "/history"},
	{"documents", "/documents"},
	{"placements", "/placements"},
	{"payroll", "/payroll"},
	{"privacy", "/privacy"},
}

// candidateTab serves one tab of the candidate page: the whole page to a
// browser, only the tab panel to htmx when the user switches tabs.
func (s *Server) candidateTab(tab string, load func(r *http.Request, v *candidatePageView) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := s.candidatePage(r, tab)
		if err != nil {
			return err
		}
		if !s.projector(r.Context()).CanSee(actorFrom(r.Context()).Role, tabTables[tab]) {
			v.NoAccess = true
			return s.render(w, r, http.StatusOK, "candidate", "tabpanel", v)
		}
		if load != nil {
			if err := load(r, v); err != nil {
				return err
			}
		}
		// The tab shows the candidate's records of its table: the access
		// log names the fields the viewer sees in full there.
		table := tabTables[tab]
		entity := v.C.ID
		if table != "candidates" {
			entity = 0
		}
		s.logAccess(r.Context(), "view", table, entity, v.C.ID, s.projector(r.Context()).Readable(actorFrom(r.Context()).Role, table), "")
		return s.render(w, r, http.StatusOK, "candidate", "tabpanel", v)
	}
}

// candidatePage loads the candidate of the path and the page around a tab.
func (s *Server) candidatePage(r *http.Request, tab string) (*candidatePageView, error) {
	c, err := s.pathCandidate(r)
	if err != nil {
		return nil, err
	}
	restricted := c.Restricted == kluis.RestrictedLegalMinimum
	if c, err = s.shownCandidate(r, c); err != nil {
		return nil, err
	}
	v := &candidatePageView{Base: s.baseFor(r, "candidates", "nav.candidates"), C: c, Tab: tab, Restricted: restricted}
	v.Title = c.Name()
	if v.Limits, err = s.db.ActiveRestrictions(r.Context(), actorFrom(r.Context()), c.ID); err != nil {
		return nil, err
	}
	bs, err := s.db.Branches(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		if b.ID == c.BranchID {
			v.BranchName = b.Name
		}
	}
	base := "/candidates/" + itoa(c.ID)
	for _, t := range candidateTabs {
		v.Tabs = append(v.Tabs, tabLink{Key: t.key, Path: base + t.path, Label: text(v.Lang, "tab."+t.key), Current: t.key == tab})
	}
	return v, nil
}

// renderTab re-renders the open tab after a change made in it (adding a
// contact moment, uploading a document): the panel to htmx, the page else.
func (s *Server) renderTab(w http.ResponseWriter, r *http.Request, code int, v *candidatePageView) error {
	return s.render(w, r, code, "candidate", "tabpanel", v)
}

func itoa(id kluis.ID) string { return formatID(id) }

// shownCandidate is the candidate as the viewer may see them: the
// catalogue's projection, with hidden fields empty and masked ones masked.
// A role that may see no candidate data gets 403.
func (s *Server) shownCandidate(r *http.Request, c *kluis.Candidate) (*kluis.Candidate, error) {
	role := actorFrom(r.Context()).Role
	if !s.projector(r.Context()).CanSee(role, "candidates") {
		return nil, errNoAccess
	}
	v, err := s.projector(r.Context()).Project(role, "candidates", c)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	shown := &kluis.Candidate{}
	if err := json.Unmarshal(b, shown); err != nil {
		return nil, err
	}
	shown.TenantID, shown.ID = c.TenantID, c.ID
	return shown, nil
}

// personalTab is what the personal tab shows beyond the candidate's fields.
type personalTab struct {
	// IDExpiry is when R2 removes the identity document data of a
	// candidate who is not employed; "" when it does not apply.
	IDExpiry kluis.Date
	// CanReveal names the masked fields the viewer may ask to see.
	CanReveal map[string]bool
	// Revealed holds values shown in full on request, this once.
	Revealed    map[string]string
	RevealError bool
	Reasons     kluis.Choices
	// Statements are the candidate's supplementary statements (art. 16).
	Statements []kluis.SupplementaryStatement
	candidate  kluis.ID
	lang       string
}

// revealForm is the little form beside a masked value.
type revealForm struct {
	Candidate kluis.ID
	Field     string
	Lang      string
	Reasons   []Option
	Error     bool
}

// RevealFor returns the reveal form of a field, or nil when the viewer may
// not reveal it.
func (t *personalTab) RevealFor(field string) *revealForm {
	if !t.CanReveal[field] || t.Revealed[field] != "" {
		return nil
	}
	f := &revealForm{Candidate: t.candidate, Field: field, Lang: t.lang, Error: t.RevealError}
	for _, c := range t.Reasons {
		f.Reasons = append(f.Reasons, Option{Value: c.Value, Label: c.Label.In(t.lang)})
	}
	return f
}

func (s *Server) loadPersonal(r *http.Request, v *candidatePageView) error {
	t := &personalTab{CanReveal: map[string]bool{}, Reasons: kluis.RevealReasons, candidate: v.C.ID, lang: v.Lang}
	role := actorFrom(r.Context()).Role
	for _, f := range []string{"bsn", "iban", "id_document_number"} {
		t.CanReveal[f] = s.projector(r.Context()).CanReveal(role, "candidates", f)
	}
	if v.C.IDRecordedOn != "" {
		emp, err := s.db.Employment(r.Context(), actorFrom(r.Context()), v.C.ID)
		if err != nil {
			return err
		}
		t.IDExpiry = emp.IDCopyExpiry(v.C.IDRecordedOn)
	}
	if s.projector(r.Context()).CanSee(role, "supplementary_statements") {
		ss, err := s.db.SupplementaryStatements(r.Context(), actorFrom(r.Context()), v.C.ID)
		if err != nil {
			return err
		}
		t.Statements = ss
	}
	v.TabData = t
	return nil
}
