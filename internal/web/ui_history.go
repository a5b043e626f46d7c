package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// historyPageSize is how many contact moments the history tab shows at a
// time; "more" fetches the next page.
const historyPageSize = 50

func (s *Server) historyRoutes() []route {
	return []route{
		{"GET", "/candidates/{id}/history", session, s.historyPage},
		{"POST", "/candidates/{id}/history", session, s.historyAdd},
		{"POST", "/candidates/{id}/history/{mid}/delete", session, s.historyDelete},
	}
}

// historyTab is the data of the history tab: the contact moments as a
// timeline, newest first, and the form that adds one.
type historyTab struct {
	Form  *Form
	Items []historyRow
	Total int
	// From and To are the 1-based positions of the first and last moment
	// shown; Next is the offset of the following page, -1 when none.
	From, To, Next int
	Stale          bool   // a delete refused because the moment changed
	Refused        string // why a delete was refused otherwise (the proof of informing)
	OOB            bool   // rendering the "more" fragment for htmx
	// Statement is the current version of the privacy statement, 0 when
	// none is published; MayInform shows the buttons that show or send
	// it; StatementError is why showing or sending it was refused.
	Statement      int
	MayInform      bool
	StatementError string
	tabFlash
}

// historyRow is a contact moment with the name of who recorded it.
type historyRow struct {
	kluis.ContactMoment
	UserName string
}

// Proof: the moment proves the candidate was informed of the privacy
// statement, and no one changes or deletes it.
func (h historyRow) Proof() bool { return kluis.IsStatementProof(h.Kind) }

// ContactKindRecordChoices are the kinds staff may record by hand: all
// but the proof of informing, which kluis records itself.
func (Base) ContactKindRecordChoices() kluis.Choices {
	var out kluis.Choices
	for _, c := range kluis.ContactKinds {
		if !kluis.IsStatementProof(c.Value) {
			out = append(out, c)
		}
	}
	return out
}

// StatementChannelLabel names a channel the statement went through.
func (b Base) StatementChannelLabel(channel string) string {
	return kluis.StatementChannels.Label(channel, b.Lang)
}

// DeliveryLabel says how the e-mail of a sent statement went.
func (b Base) DeliveryLabel(d string) string { return kluis.Deliveries.Label(d, b.Lang) }

// ISO is the moment for the datetime attribute of <time>.
func (h historyRow) ISO() string { return h.At.UTC().Format(time.RFC3339) }

// historyPage serves the tab; the "more" button of the timeline (htmx,
// aimed at #timeline) gets only the next moments and a new button.
func (s *Server) historyPage(w http.ResponseWriter, r *http.Request) error {
	if !isFragment(r) || r.Header.Get("HX-Target") != "timeline" {
		return s.candidateTab("history", s.loadHistory)(w, r)
	}
	v, err := s.candidatePage(r, "history")
	if err != nil {
		return err
	}
	if err := s.fillHistory(r, v, newForm(v.Lang), queryOffset(r), true); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "candidate", "tab-history-page", v)
}

func (s *Server) loadHistory(r *http.Request, v *candidatePageView) error {
	return s.fillHistory(r, v, newForm(v.Lang), queryOffset(r), false)
}

// fillHistory loads one page of moments into the tab. A fragment page
// (more) counts from the first moment, as the list on screen then does.
func (s *Server) fillHistory(r *http.Request, v *candidatePageView, f *Form, offset int, fragment bool) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	items, total, err := s.db.ListContactMoments(ctx, a, store.ContactMomentFilter{CandidateID: v.C.ID,
		Page: kluis.Page{Limit: historyPageSize, Offset: offset}})
	if err != nil {
		return err
	}
	names, err := s.tabUserNames(ctx, a)
	if err != nil {
		return err
	}
	t := historyTab{Form: f, Total: total, From: min(offset+1, total), To: offset + len(items), Next: -1, OOB: fragment, MayInform: mayInform(a.Role)}
	if st, err := s.db.PrivacyStatement(ctx, a.TenantID, 0); err == nil {
		t.Statement = st.Version
	} else if kluis.ErrorCode(err) != kluis.ENotFound {
		return err
	}
	if fragment {
		t.From = min(1, total)
	}
	if offset+len(items) < total {
		t.Next = offset + len(items)
	}
	for _, m := range items {
		t.Items = append(t.Items, historyRow{ContactMoment: m, UserName: tabUserName(names, m.UserID)})
	}
	v.TabData = &t
	return nil
}

// historyAdd records a contact moment; the form and the timeline come back
// together, with field errors (422) or with the new moment on top.
func (s *Server) historyAdd(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "history")
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, v.Lang, "kind", "at", "note")
	m := &kluis.ContactMoment{CandidateID: v.C.ID, Kind: f.Values["kind"], Note: f.Values["note"]}
	at, ok := parseLocalTime(f.Values["at"])
	if !ok {
		f.Errors["at"] = text(v.Lang, "history.badtime")
		// Show the other fields' mistakes at the same time.
		if err := tabFail(f, m.Validate(s.clock.Now()), nil); err != nil {
			return err
		}
	} else {
		m.At = at
		err := s.db.CreateContactMoment(r.Context(), actorFrom(r.Context()), m)
		if err == nil {
			return s.tabChanged(w, r, v, "history.added", func() error {
				return s.fillHistory(r, v, newForm(v.Lang), 0, false)
			})
		}
		if err := tabFail(f, err, nil); err != nil {
			return err
		}
	}
	if err := s.fillHistory(r, v, f, 0, false); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}

// historyDelete removes a contact moment of this candidate. A moment that
// is already gone counts as deleted; one changed since the page was loaded
// is not deleted, and the tab says so.
func (s *Server) historyDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "history")
	if err != nil {
		return err
	}
	mid, err := tabPathID(r, "mid", "contact moment")
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	f := formFrom(r, v.Lang, "version")
	version := f.Int64("version")
	m, err := s.db.ContactMoment(ctx, a, mid)
	switch {
	case kluis.ErrorCode(err) == kluis.ENotFound:
		// Gone already (a second click, a colleague): nothing to do.
	case err != nil:
		return err
	case m.CandidateID != v.C.ID:
		return kluis.NotFound("contact moment")
	default:
		if err := s.db.DeleteContactMoment(ctx, a, mid, version); err != nil && kluis.ErrorCode(err) != kluis.ENotFound {
			code := kluis.ErrorCode(err)
			if code != kluis.EConflict && code != kluis.EInvalid {
				return err
			}
			refused, _ := statementProblem(err, v.Lang) // the proof of informing stays
			if err := s.fillHistory(r, v, newForm(v.Lang), 0, false); err != nil {
				return err
			}
			t := v.TabData.(*historyTab)
			t.Stale, t.Refused = code == kluis.EConflict, refused
			return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
		}
	}
	return s.tabChanged(w, r, v, "history.deleted", func() error {
		return s.fillHistory(r, v, newForm(v.Lang), 0, false)
	})
}

// parseLocalTime reads a datetime-local input, in Dutch time; empty means
// now (the zero time, which the domain fills in).
func parseLocalTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "02-01-2006 15:04"} {
		if t, err := time.ParseInLocation(layout, v, amsterdam); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// --- helpers shared by the candidate tabs (history, documents, placements,
// payroll, privacy) ---

// isFragment reports an htmx request that wants a part of a page, not a
// whole one (render makes the same choice).
func isFragment(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true"
}

// queryOffset reads a list offset from the query; anything odd is 0.
func queryOffset(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("offset"))
	if err != nil || n < 0 || n > 1_000_000 {
		return 0
	}
	return n
}

// tabPathID reads the id of a record under the candidate from the path.
func tabPathID(r *http.Request, name, kind string) (kluis.ID, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, kluis.NotFound(kind)
	}
	return id, nil
}

// tabUserNames maps the tenant's user ids to names, for "recorded by".
func (s *Server) tabUserNames(ctx context.Context, a kluis.Actor) (map[kluis.ID]string, error) {
	us, err := s.db.Users(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	out := make(map[kluis.ID]string, len(us))
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, nil
}

// tabUserName is the name of a user for "recorded by"; records made by an
// import, or by a user since removed, show a dash.
func tabUserName(names map[kluis.ID]string, id kluis.ID) string {
	if n, ok := names[id]; ok && n != "" {
		return n
	}
	return "—"
}

// tabFail puts the field errors of err on f like Form.Fail, keeping the
// errors f already has and renaming the domain's field names to the
// form's where they differ.
func tabFail(f *Form, err error, rename map[string]string) error {
	if err == nil {
		return nil
	}
	tmp := newForm(f.Lang)
	if err := tmp.Fail(err); err != nil {
		return err
	}
	f.Stale = f.Stale || tmp.Stale
	for k, m := range tmp.Errors {
		if to, ok := rename[k]; ok {
			k = to
		}
		if _, set := f.Errors[k]; !set {
			f.Errors[k] = m
		}
	}
	return nil
}

// tabChanged ends a successful change made in a tab. htmx gets the tab
// panel again (reload fills it, with the message); a browser without
// JavaScript is redirected to the tab, so that reloading the page does not
// post again, with the message key in the URL.
func (s *Server) tabChanged(w http.ResponseWriter, r *http.Request, v *candidatePageView, flash string, reload func() error) error {
	if !isFragment(r) {
		to := "/candidates/" + itoa(v.C.ID)
		for _, t := range v.Tabs {
			if t.Current {
				to = t.Path
			}
		}
		http.Redirect(w, r, to+"?flash="+url.QueryEscape(flash), http.StatusSeeOther) // #nosec G710 -- to is a path kluis built from ids
		return nil
	}
	if err := reload(); err != nil {
		return err
	}
	if err := setTabFlash(v, flash); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusOK, v)
}

// tabFlash is the message a tab shows above itself after a change: htmx
// swaps only the tab panel, which the layout's flash is not part of.
type tabFlash struct {
	Flash string // a message key
}

func (t *tabFlash) setFlash(key string) { t.Flash = key }

func setTabFlash(v *candidatePageView, flash string) error {
	t, ok := v.TabData.(interface{ setFlash(string) })
	if !ok {
		return fmt.Errorf("web: tab %q shows no messages", v.Tab)
	}
	t.setFlash(flash)
	return nil
}
