package web

import (
	"net/http"
	"sort"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (s *Server) privacyRoutes() []route {
	return []route{
		{"GET", "/candidates/{id}/privacy", session, s.candidateTab("privacy", s.loadPrivacy)},
		{"POST", "/candidates/{id}/privacy/disclosures", session, s.privacyDisclose},
	}
}

// privacyTab is the data of the GDPR tab: for now the disclosure register
// of the candidate and the form that records a disclosure by hand.
type privacyTab struct {
	Form       *Form
	Clients    []Option
	Categories []checkOption
	Items      []disclosureRow
	Total      int
	// Kept is what kluis keeps about a candidate and why, by category,
	// read from the catalogue.
	Kept []keptRow
	// Retention is what will be removed when, and why.
	Retention []retentionRow
	tabFlash
}

// keptRow is one category of a candidate's data with its fields, bases
// and retention rules.
type keptRow struct {
	Category string
	Fields   []string
	Bases    []string
	Rules    []string
}

// keptRows groups the catalogue's candidate fields and document kinds by
// category, in the viewer's language.
func (s *Server) keptRows(lang string) []keptRow {
	type acc struct {
		fields       []string
		bases, rules map[string]bool
	}
	order := []catalog.Category{}
	by := map[catalog.Category]*acc{}
	add := func(c catalog.Category, field string, b catalog.Basis, rules []catalog.Rule) {
		a := by[c]
		if a == nil {
			a = &acc{bases: map[string]bool{}, rules: map[string]bool{}}
			by[c] = a
			order = append(order, c)
		}
		a.fields = append(a.fields, field)
		a.bases[catalog.BasisLabel(b).In(lang)] = true
		for _, r := range rules {
			a.rules[catalog.RuleLabel(r).In(lang)] = true
		}
	}
	for _, f := range s.catalog.Fields() {
		if f.Subject == catalog.Candidate {
			add(f.Category, f.Label.In(lang), f.Basis, f.Retention)
		}
	}
	for _, b := range s.catalog.Blobs() {
		add(b.Category, b.Label.In(lang), b.Basis, b.Retention)
	}
	out := make([]keptRow, 0, len(order))
	for _, c := range order {
		a := by[c]
		out = append(out, keptRow{Category: catalog.CategoryLabel(c).In(lang), Fields: a.fields, Bases: sortedSet(a.bases), Rules: sortedSet(a.rules)})
	}
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Limited reports that not every disclosure is listed.
func (t *privacyTab) Limited() bool { return t.Total > len(t.Items) }

// disclosureRow is a register entry with the name of who recorded it.
type disclosureRow struct {
	kluis.Disclosure
	UserName string
}

// checkOption is one checkbox of a group.
type checkOption struct {
	Value, Label string
	Checked      bool
}

func (s *Server) loadPrivacy(r *http.Request, v *candidatePageView) error {
	f := newForm(v.Lang)
	f.Values["recipient_kind"] = "client"
	return s.fillPrivacy(r, v, f, nil)
}

// fillPrivacy loads the tab; checked are the categories ticked in f.
func (s *Server) fillPrivacy(r *http.Request, v *candidatePageView, f *Form, checked []string) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	items, total, err := s.db.ListDisclosures(ctx, a, store.DisclosureFilter{CandidateID: v.C.ID, Page: kluis.Page{Limit: tabListLimit}})
	if err != nil {
		return err
	}
	names, err := s.tabUserNames(ctx, a)
	if err != nil {
		return err
	}
	t := &privacyTab{Form: f, Total: total, Kept: s.keptRows(v.Lang)}
	plan, today, err := s.retentionPlan(ctx, v.C.ID)
	if err != nil {
		return err
	}
	t.Retention = s.retentionRows(plan, today, v.Lang)
	if t.Clients, _, err = s.tabClientOptions(r); err != nil {
		return err
	}
	on := map[string]bool{}
	for _, c := range checked {
		on[c] = true
	}
	for _, c := range kluis.DataCategories {
		t.Categories = append(t.Categories, checkOption{Value: c.Value, Label: c.Label.In(v.Lang), Checked: on[c.Value]})
	}
	for _, d := range items {
		t.Items = append(t.Items, disclosureRow{Disclosure: d, UserName: tabUserName(names, d.UserID)})
	}
	v.TabData = t
	return nil
}

// privacyDisclose records by hand that an organisation received data of
// the candidate (a phone call to the UWV, a CV handed over in person).
func (s *Server) privacyDisclose(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "privacy")
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, v.Lang, "recipient_kind", "client_id", "recipient", "purpose")
	checked := r.PostForm["categories"]
	if len(checked) > len(kluis.DataCategories) {
		checked = checked[:len(kluis.DataCategories)]
	}
	d := &kluis.Disclosure{CandidateID: v.C.ID, RecipientKind: f.Values["recipient_kind"], Recipient: f.Values["recipient"],
		Categories: append([]string(nil), checked...), Purpose: f.Values["purpose"]}
	if d.RecipientKind == "client" {
		// The client's own name is the recipient.
		d.ClientID, d.Recipient = f.Int64("client_id"), ""
	}
	var rename map[string]string
	if d.RecipientKind == "client" {
		rename = map[string]string{"recipient": "client_id"}
	}
	if f.HasErrors() {
		if err := tabFail(f, d.Validate(s.clock.Now()), rename); err != nil {
			return err
		}
	} else {
		err := s.db.CreateDisclosure(r.Context(), actorFrom(r.Context()), d)
		if err == nil {
			return s.tabChanged(w, r, v, "privacy.added", func() error {
				return s.loadPrivacy(r, v)
			})
		}
		if err := tabFail(f, err, rename); err != nil {
			return err
		}
	}
	if err := s.fillPrivacy(r, v, f, checked); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}
