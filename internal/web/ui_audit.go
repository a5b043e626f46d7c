package web

import (
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// mayReadAudit reports whether a role reviews the access and audit log:
// the privacy officer.
func mayReadAudit(r kluis.Role) bool { return r == kluis.RolePrivacy }

func (s *Server) auditRoutes() []route {
	return []route{
		{"GET", "/audit", session, s.auditPage},
		{"POST", "/audit/verify", session, s.auditVerify},
	}
}

// auditView is the privacy officer's screen of the access and audit log.
type auditView struct {
	Base
	Form      *Form
	Users     []Option
	Actions   kluis.Choices
	Items     []auditRow
	Total     int
	Offset    int
	Next      int
	Outliers  []accessRow
	Verified  string // the result of a check of the chain, when asked
	ChainOK   bool
	UserNames map[kluis.ID]string
}

type auditRow struct {
	kluis.AuditEntry
	UserName string
}

// RevealFields are the fields a reveal can show, to filter by.
func (auditView) RevealFields() kluis.Choices { return revealFields }

// accessRow is one staff member's looking in the last 7 days.
type accessRow struct {
	store.AccessCount
	UserName string
	Unusual  bool
}

const auditPageSize = 50

func (s *Server) auditView(r *http.Request) (*auditView, error) {
	a := actorFrom(r.Context())
	if !mayReadAudit(a.Role) {
		return nil, errNoAccess
	}
	v := &auditView{Base: s.baseFor(r, "audit", "audit.title"), Actions: kluis.AuditActions, UserNames: map[kluis.ID]string{}}
	v.Form = formFromQuery(r, v.Lang, "user_id", "candidate_id", "action", "field", "from", "to", "offset")
	us, err := s.db.Users(r.Context(), a.TenantID)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		name := u.Name
		if name == "" {
			name = u.Email
		}
		v.UserNames[u.ID] = name
		v.Users = append(v.Users, Option{Value: formatID(u.ID), Label: name})
	}
	sort.Slice(v.Users, func(i, j int) bool { return v.Users[i].Label < v.Users[j].Label })
	f := store.AuditFilter{UserID: v.Form.Int64("user_id"), CandidateID: v.Form.Int64("candidate_id")}
	if act := v.Form.Values["action"]; act != "" {
		if !kluis.AuditActions.Has(act) {
			v.Form.Errors["action"] = text(v.Lang, "audit.badaction")
		}
		f.Action = act
	}
	if field := v.Form.Values["field"]; field != "" {
		if !revealFields.Has(field) {
			v.Form.Errors["field"] = text(v.Lang, "audit.badaction")
		}
		f.Field = field
	}
	for _, k := range []string{"from", "to"} {
		d, ok := kluis.ParseDate(v.Form.Values[k])
		if !ok {
			v.Form.Errors[k] = text(v.Lang, "audit.baddate")
			continue
		}
		if d == "" {
			continue
		}
		t := dayStart(d)
		if k == "from" {
			f.From = t
		} else {
			f.To = t.AddDate(0, 0, 1) // up to and including that day
		}
	}
	v.Offset = int(v.Form.Int64("offset"))
	if v.Offset < 0 {
		v.Offset = 0
	}
	f.Page = kluis.Page{Limit: auditPageSize, Offset: v.Offset}
	if !v.Form.HasErrors() {
		items, total, err := s.db.AuditLog(r.Context(), a, f)
		if err != nil {
			return nil, err
		}
		v.Total = total
		for _, e := range items {
			v.Items = append(v.Items, auditRow{AuditEntry: e, UserName: v.UserNames[e.UserID]})
		}
		v.Next = -1
		if v.Offset+auditPageSize < total {
			v.Next = v.Offset + auditPageSize
		}
	}
	counts, err := s.db.AccessCounts(r.Context(), a, accessSince(s.clock.Now()))
	if err != nil {
		return nil, err
	}
	for _, c := range unusual(counts) {
		v.Outliers = append(v.Outliers, accessRow{AccessCount: c.AccessCount, UserName: v.UserNames[c.UserID], Unusual: c.Unusual})
	}
	return v, nil
}

// revealFields are the masked fields a reveal shows, to filter the log by.
var revealFields = kluis.Choices{{Value: "bsn", Label: kluis.Msg{NL: "BSN", EN: "BSN"}}, {Value: "iban", Label: kluis.Msg{NL: "IBAN", EN: "IBAN"}},
	{Value: "id_document_number", Label: kluis.Msg{NL: "Documentnummer", EN: "Document number"}}}

// dayStart is the first moment of a day in the Netherlands.
func dayStart(d kluis.Date) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, amsterdam)
}

// accessSince is where the week of access counts begins: the start of the
// day a week before today, so that the log from that day counts the same.
func accessSince(now time.Time) time.Time {
	return dayStart(kluis.DateOf(now.In(amsterdam).AddDate(0, 0, -7)))
}

// unusual marks the staff members who looked at far more candidates, or
// revealed far more BSNs, than their colleagues: more than three times the
// median and more than a floor, so a quiet week flags nobody. Reveals of
// an IBAN or ID number alone (a payroll administrator's daily work) flag
// no one.
func unusual(counts []store.AccessCount) []accessRow {
	med := func(get func(store.AccessCount) int) int {
		if len(counts) == 0 {
			return 0
		}
		xs := make([]int, len(counts))
		for i, c := range counts {
			xs[i] = get(c)
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	mc := med(func(c store.AccessCount) int { return c.Candidates })
	mb := med(func(c store.AccessCount) int { return c.BSNReveals })
	out := make([]accessRow, len(counts))
	for i, c := range counts {
		out[i] = accessRow{AccessCount: c,
			Unusual: (c.Candidates > 3*mc && c.Candidates >= 50) || (c.BSNReveals > 3*mb && c.BSNReveals >= 10)}
	}
	return out
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.auditView(r)
	if err != nil {
		return err
	}
	code := http.StatusOK
	if v.Form.HasErrors() {
		code = http.StatusUnprocessableEntity
	}
	return s.render(w, r, code, "audit", "", v)
}

// auditVerify checks the whole chain of the agency and shows the result.
func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request) error {
	v, err := s.auditView(r)
	if err != nil {
		return err
	}
	n, verr := s.db.VerifyAudit(r.Context(), actorFrom(r.Context()).TenantID)
	var broken store.ChainProblem
	switch {
	case verr == nil:
		v.ChainOK, v.Verified = true, strconv.FormatInt(n, 10)
	case errors.As(verr, &broken):
		v.Verified = formatID(kluis.ID(broken.Seq))
	default:
		return verr
	}
	return s.render(w, r, http.StatusOK, "audit", "", v)
}

// listAudit is GET /api/v1/audit-log, for the privacy officer.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayReadAudit(a.Role) {
		return errNoAccess
	}
	q := newQuery(r)
	f := store.AuditFilter{UserID: q.id("user_id"), CandidateID: q.id("candidate_id"), Action: q.choice("action", kluis.AuditActions),
		Field: q.choice("field", revealFields), Page: q.page().Normalize()}
	// Days are the agency's days (Amsterdam), as on the page.
	if d := q.date("from"); d != "" {
		f.From = dayStart(d)
	}
	if d := q.date("to"); d != "" {
		f.To = dayStart(d).AddDate(0, 0, 1)
	}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.AuditLog(r.Context(), a, f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []kluis.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, listBody[kluis.AuditEntry]{Items: items, Total: total, Limit: f.Page.Limit, Offset: f.Page.Offset})
	return nil
}
