package web

import (
	"net/http"
	"sort"
	"strconv"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (s *Server) privacyRoutes() []route {
	return []route{
		{"GET", "/candidates/{id}/privacy", session, s.candidateTab("privacy", s.loadPrivacy)},
		{"POST", "/candidates/{id}/privacy/disclosures", session, s.privacyDisclose},
		{"POST", "/candidates/{id}/privacy/holds", session, s.privacyHold},
		{"POST", "/candidates/{id}/privacy/holds/{hold}/end", session, s.privacyEndHold},
		{"POST", "/candidates/{id}/privacy/consents", session, s.privacyConsent},
		{"POST", "/candidates/{id}/privacy/consents/{consent}/withdraw", session, s.privacyWithdrawConsent},
	}
}

// privacyTab is the data of the GDPR tab: the retention plan, the legal
// holds and consents that change it, what is kept and why, and the
// disclosure register of the candidate with the form that records a
// disclosure by hand.
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
	// Holds and consents, when the viewer may see them; the forms when
	// they may record them.
	retentionRecords
	tabFlash
	// Requests are the candidate's requests, for the privacy officer.
	Requests *requestsView
	// Restrictions of processing (art. 18), for the privacy officer.
	Restrictions *restrictionPanel
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
	return s.fillPrivacy(r, v, nil, nil, retentionForms{})
}

// fillPrivacy loads the tab; f is the disclosure form (nil for an empty
// one), checked are the categories ticked in it, rf the hold and consent
// forms as posted.
func (s *Server) fillPrivacy(r *http.Request, v *candidatePageView, f *Form, checked []string, rf retentionForms) error {
	if f == nil {
		f = newForm(v.Lang)
		f.Values["recipient_kind"] = "client"
	}
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
	if t.retentionRecords, err = s.loadRetentionRecords(r, v, names, today, rf); err != nil {
		return err
	}
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
	if mayHandleRequests(a.Role) {
		qs, n, err := s.db.Requests(ctx, a, store.RequestFilter{CandidateID: v.C.ID, Page: kluis.Page{Limit: tabListLimit}})
		if err != nil {
			return err
		}
		t.Requests = &requestsView{Base: v.Base, Items: s.requestRows(r, qs), Total: n}
	}
	if t.Restrictions, err = s.loadRestrictionPanel(r, v.C.ID, nil); err != nil {
		return err
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
	if err := s.fillPrivacy(r, v, f, checked, retentionForms{}); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}

// retentionRecords are the legal holds and consents on the AVG tab: the
// lists when the viewer may see them, the forms when they may record them.
type retentionRecords struct {
	ShowHolds, CanHold       bool
	Holds                    []holdRow
	HoldForm                 *Form
	HoldKinds                kluis.Choices
	ShowConsents, CanConsent bool
	Consents                 []consentRow
	ConsentForm              *Form
	ConsentChannels          kluis.Choices
	ConsentLimit             kluis.Date // the latest end a consent may have
}

// holdRow is a legal hold as the tab lists it, with the end form of one
// that lasts.
type holdRow struct {
	ID                 kluis.ID
	Kind, Reason       string
	Start, End         kluis.Date
	Lasts              bool // it can still be ended
	By, EndedBy        string
	EndValue, EndError string
}

// consentRow is a consent as the tab lists it, with the withdrawal form of
// one that stands.
type consentRow struct {
	ID                           kluis.ID
	Channel, Wording             string
	Given, Until, Withdrawn      kluis.Date
	Stands                       bool
	By                           string
	WithdrawValue, WithdrawError string
}

// retentionForms are the hold and consent forms as posted, and the row
// whose end or withdrawal was refused, with its value and error.
type retentionForms struct {
	hold, consent                *Form
	endHold, withdraw            kluis.ID
	endValue, endError           string
	withdrawValue, withdrawError string
}

// The form fields of the hold and consent forms carry a prefix (the tab
// has more forms); the domain's field names map onto them.
var (
	holdRename    = map[string]string{"kind": "hold_kind", "reason": "hold_reason", "start_date": "hold_start", "end_date": "hold_end"}
	consentRename = map[string]string{"channel": "consent_channel", "wording": "consent_wording", "given_on": "consent_given", "valid_until": "consent_until"}
)

// loadRetentionRecords fills the holds and consents of the tab.
func (s *Server) loadRetentionRecords(r *http.Request, v *candidatePageView, names map[kluis.ID]string, today kluis.Date, rf retentionForms) (retentionRecords, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	proj := s.projector(ctx)
	out := retentionRecords{HoldKinds: kluis.HoldKinds, ConsentChannels: kluis.ConsentChannels,
		ConsentLimit: kluis.DateOf(today.Time().AddDate(kluis.ConsentMaxYears, 0, 0)),
		HoldForm:     rf.hold, ConsentForm: rf.consent}
	if out.HoldForm == nil {
		out.HoldForm = newForm(v.Lang)
		out.HoldForm.Values["hold_start"] = string(today)
	}
	if out.ConsentForm == nil {
		out.ConsentForm = newForm(v.Lang)
		out.ConsentForm.Values["consent_given"] = string(today)
	}
	if out.ShowHolds = proj.CanSee(a.Role, "legal_holds"); out.ShowHolds {
		out.CanHold = s.mayWrite(r, "legal_holds", holdFields)
		hs, _, err := s.db.ListLegalHolds(ctx, a, v.C.ID, kluis.Page{Limit: kluis.MaxPageSize})
		if err != nil {
			return out, err
		}
		for _, h := range hs {
			row := holdRow{ID: h.ID, Kind: kluis.HoldKinds.Label(h.Kind, v.Lang), Reason: h.Reason, Start: h.StartDate, End: h.EndDate,
				Lasts: h.EndDate == "" || h.EndDate > today, By: tabUserName(names, h.UserID), EndValue: string(today)}
			if h.EndedBy != 0 {
				row.EndedBy = tabUserName(names, h.EndedBy)
			}
			if h.ID == rf.endHold {
				row.EndValue, row.EndError = rf.endValue, rf.endError
			}
			out.Holds = append(out.Holds, row)
		}
	}
	if out.ShowConsents = proj.CanSee(a.Role, "consents"); out.ShowConsents {
		out.CanConsent = s.mayWrite(r, "consents", consentFields)
		cs, _, err := s.db.ListConsents(ctx, a, v.C.ID, kluis.Page{Limit: kluis.MaxPageSize})
		if err != nil {
			return out, err
		}
		for _, c := range cs {
			row := consentRow{ID: c.ID, Channel: kluis.ConsentChannels.Label(c.Channel, v.Lang), Wording: c.Wording, Given: c.GivenOn,
				Until: c.ValidUntil, Withdrawn: c.WithdrawnOn, Stands: c.WithdrawnOn == "", By: tabUserName(names, c.UserID), WithdrawValue: string(today)}
			if c.ID == rf.withdraw {
				row.WithdrawValue, row.WithdrawError = rf.withdrawValue, rf.withdrawError
			}
			out.Consents = append(out.Consents, row)
		}
	}
	return out, nil
}

// pathRecordID reads the id of a record named in the path after the
// candidate's.
func pathRecordID(r *http.Request, name, kind string) (kluis.ID, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, kluis.NotFound(kind)
	}
	return id, nil
}

// privacyHold records a legal hold from the AVG tab.
func (s *Server) privacyHold(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "privacy")
	if err != nil {
		return err
	}
	if !s.mayWrite(r, "legal_holds", holdFields) {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, v.Lang, "hold_kind", "hold_reason", "hold_start", "hold_end")
	h := &kluis.LegalHold{CandidateID: v.C.ID, Kind: f.Values["hold_kind"], Reason: f.Values["hold_reason"],
		StartDate: kluis.Date(f.Values["hold_start"]), EndDate: kluis.Date(f.Values["hold_end"])}
	err = s.db.CreateLegalHold(r.Context(), actorFrom(r.Context()), h)
	if err == nil {
		return s.tabChanged(w, r, v, "hold.added", func() error { return s.loadPrivacy(r, v) })
	}
	if err := tabFail(f, err, holdRename); err != nil {
		return err
	}
	if err := s.fillPrivacy(r, v, nil, nil, retentionForms{hold: f}); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}

// privacyEndHold ends a legal hold of the candidate from the AVG tab.
func (s *Server) privacyEndHold(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "privacy")
	if err != nil {
		return err
	}
	if !s.mayWrite(r, "legal_holds", []string{"end_date"}) {
		return errNoAccess
	}
	id, err := pathRecordID(r, "hold", "legal hold")
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	if h, err := s.db.LegalHold(ctx, a, id); err != nil {
		return err
	} else if h.CandidateID != v.C.ID {
		return kluis.NotFound("legal hold")
	}
	f := formFrom(r, v.Lang, "end_date")
	_, err = s.db.EndLegalHold(ctx, a, id, kluis.Date(f.Values["end_date"]))
	if err == nil {
		return s.tabChanged(w, r, v, "hold.ended", func() error { return s.loadPrivacy(r, v) })
	}
	if err := tabFail(f, err, nil); err != nil {
		return err
	}
	rf := retentionForms{endHold: id, endValue: f.Values["end_date"], endError: f.Errors["end_date"]}
	if f.Stale {
		rf.endError = text(v.Lang, "form.stale")
	}
	if err := s.fillPrivacy(r, v, nil, nil, rf); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}

// privacyConsent records a consent to keep longer from the AVG tab.
func (s *Server) privacyConsent(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "privacy")
	if err != nil {
		return err
	}
	if !s.mayWrite(r, "consents", consentFields) {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, v.Lang, "consent_channel", "consent_wording", "consent_given", "consent_until")
	c := &kluis.Consent{CandidateID: v.C.ID, Channel: f.Values["consent_channel"], Wording: f.Values["consent_wording"],
		GivenOn: kluis.Date(f.Values["consent_given"]), ValidUntil: kluis.Date(f.Values["consent_until"])}
	err = s.db.CreateConsent(r.Context(), actorFrom(r.Context()), c)
	if err == nil {
		return s.tabChanged(w, r, v, "consent.added", func() error { return s.loadPrivacy(r, v) })
	}
	if err := tabFail(f, err, consentRename); err != nil {
		return err
	}
	if err := s.fillPrivacy(r, v, nil, nil, retentionForms{consent: f}); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}

// privacyWithdrawConsent records from the AVG tab that the candidate
// withdrew a consent.
func (s *Server) privacyWithdrawConsent(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "privacy")
	if err != nil {
		return err
	}
	if !s.mayWrite(r, "consents", []string{"withdrawn_on"}) {
		return errNoAccess
	}
	id, err := pathRecordID(r, "consent", "consent")
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	if c, err := s.db.Consent(ctx, a, id); err != nil {
		return err
	} else if c.CandidateID != v.C.ID {
		return kluis.NotFound("consent")
	}
	f := formFrom(r, v.Lang, "withdrawn_on")
	_, err = s.db.WithdrawConsent(ctx, a, id, kluis.Date(f.Values["withdrawn_on"]))
	if err == nil {
		return s.tabChanged(w, r, v, "consent.withdrawn.flash", func() error { return s.loadPrivacy(r, v) })
	}
	if err := tabFail(f, err, nil); err != nil {
		return err
	}
	rf := retentionForms{withdraw: id, withdrawValue: f.Values["withdrawn_on"], withdrawError: f.Errors["withdrawn_on"]}
	if f.Stale {
		rf.withdrawError = text(v.Lang, "form.stale")
	}
	if err := s.fillPrivacy(r, v, nil, nil, rf); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}
