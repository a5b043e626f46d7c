package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The privacy statement in the staff UI: the privacy officer's page
// (versions, the current one rendered, publishing a new one with a
// preview, the candidates not informed of the current version, sending
// it to all of them), the job's page with its progress, the buttons on a
// candidate's history tab, and the public page /privacy/{agency}.

// mayPublishStatement: the privacy officer answers for the statement.
func mayPublishStatement(r kluis.Role) bool { return r == kluis.RolePrivacy }

// mayInform: who works with candidates may show or send them the
// statement and so record that they were informed.
func mayInform(r kluis.Role) bool {
	return r == kluis.RoleRecruiter || r == kluis.RoleManager || r == kluis.RolePrivacy
}

// MayPublishStatement puts the page in the menu.
func (b Base) MayPublishStatement() bool { return b.User != nil && mayPublishStatement(b.User.Role) }

// StatementPublicPath is the public address of an agency's statement.
const StatementPublicPath = "/privacy/"

func (s *Server) privacyStatementRoutes() []route {
	return []route{
		{"GET", "/privacy-statement", session, s.statementPage},
		{"POST", "/privacy-statement", session, s.statementPublish},
		{"GET", "/privacy-statement/versions/{version}", session, s.statementVersionPage},
		{"POST", "/privacy-statement/sends", session, s.statementSendStart},
		{"GET", "/privacy-statement/sends/{id}", session, s.statementSendPage},
		{"POST", "/candidates/{id}/privacy-statement/shown", session, s.statementInform("shown")},
		{"POST", "/candidates/{id}/privacy-statement/send", session, s.statementInform("send")},
		{"GET", StatementPublicPath + "{agency}", page, s.statementPublicPage},
	}
}

// notInformedPageSize is how many candidates the list shows at a time.
const notInformedPageSize = 25

type statementPageView struct {
	Base
	Versions    []kluis.PrivacyStatement
	Current     *store.RenderedStatement
	CurrentHTML template.HTML
	Form        *Form
	PreviewNL   template.HTML
	PreviewEN   template.HTML
	Placeholder []kluis.Choice
	NotInformed []store.NotInformed
	// Status narrows the list to one state of candidate ("" for all).
	Status     string
	Total      int
	Offset     int
	Next, Prev int // offsets; -1 when none
	Sends      []store.StatementSend
	PublicPath string
}

// Placeholders are the placeholders in the viewer's spelling, for the help.
func (v statementPageView) Placeholders() []string {
	var out []string
	for _, p := range kluis.StatementPlaceholders {
		out = append(out, p.Label.In(v.Lang))
	}
	return out
}

func (s *Server) statementPage(w http.ResponseWriter, r *http.Request) error {
	if !mayPublishStatement(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	v, err := s.loadStatementPage(r, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "privacy_statement", "", v)
}

// activeCandidateStatuses are the states of the candidates a privacy
// statement is shown or sent to.
var activeCandidateStatuses = kluis.Choices{kluis.CandidateStatuses[slices.IndexFunc(kluis.CandidateStatuses, func(c kluis.Choice) bool { return c.Value == "registered" })],
	kluis.CandidateStatuses[slices.IndexFunc(kluis.CandidateStatuses, func(c kluis.Choice) bool { return c.Value == "available" })],
	kluis.CandidateStatuses[slices.IndexFunc(kluis.CandidateStatuses, func(c kluis.Choice) bool { return c.Value == "working" })]}

// loadStatementPage fills the page; f is the publishing form as typed,
// or nil for a new one with the current texts (or the default ones).
func (s *Server) loadStatementPage(r *http.Request, f *Form) (*statementPageView, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	v := &statementPageView{Base: s.baseFor(r, "privacy-statement", "statement.title"), Offset: queryOffset(r), Next: -1, Prev: -1}
	vs, err := s.db.PrivacyStatements(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	v.Versions = vs
	ts, err := s.db.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID == a.TenantID {
			v.PublicPath = StatementPublicPath + t.Slug
		}
	}
	if len(vs) > 0 {
		c, err := s.controller(r)
		if err != nil {
			return nil, err
		}
		v.Current = store.RenderStatement(&vs[0], v.Lang, c, s.catalog)
		v.CurrentHTML = template.HTML(v.Current.HTML) // #nosec G203 -- made by internal/markdown, which escapes all input (FuzzHTML)
	}
	if f == nil {
		f = newForm(v.Lang)
		f.Values["text_nl"], f.Values["text_en"] = kluis.DefaultStatement("nl"), kluis.DefaultStatement("en")
		if len(vs) > 0 {
			f.Values["text_nl"], f.Values["text_en"] = vs[0].TextNL, vs[0].TextEN
		}
	}
	v.Form = f
	q := newQuery(r)
	v.Status = q.choice("status", activeCandidateStatuses)
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, _, err := s.db.NotInformedOfStatus(ctx, a, v.Status, kluis.Page{Limit: notInformedPageSize, Offset: v.Offset})
	if err != nil {
		return nil, err
	}
	v.NotInformed, v.Total = list, total
	if v.Offset+len(list) < total {
		v.Next = v.Offset + len(list)
	}
	if v.Offset > 0 {
		v.Prev = max(v.Offset-notInformedPageSize, 0)
	}
	if v.Sends, err = s.db.StatementSends(ctx, a); err != nil {
		return nil, err
	}
	return v, nil
}

// statementPublish publishes a new version, or, with action=preview,
// shows the typed texts rendered without publishing them.
func (s *Server) statementPublish(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayPublishStatement(a.Role) {
		return errNoAccess
	}
	if err := parseForm(r, 1<<20); err != nil {
		return err
	}
	f := formFrom(r, s.baseFor(r, "", "").Lang, "text_nl", "text_en")
	if r.PostForm.Get("action") == "preview" {
		v, err := s.loadStatementPage(r, f)
		if err != nil {
			return err
		}
		c, err := s.controller(r)
		if err != nil {
			return err
		}
		p := &kluis.PrivacyStatement{TextNL: f.Values["text_nl"], TextEN: f.Values["text_en"]}
		v.PreviewNL = template.HTML(store.RenderStatement(p, "nl", c, s.catalog).HTML) // #nosec G203 -- made by internal/markdown, which escapes all input (FuzzHTML)
		v.PreviewEN = template.HTML(store.RenderStatement(p, "en", c, s.catalog).HTML) // #nosec G203 -- made by internal/markdown, which escapes all input (FuzzHTML)
		return s.render(w, r, http.StatusOK, "privacy_statement", "", v)
	}
	st := &kluis.PrivacyStatement{TextNL: f.Values["text_nl"], TextEN: f.Values["text_en"]}
	err := s.db.PublishPrivacyStatement(ctx, a, st)
	if err == nil {
		return seeOther(w, r, "/privacy-statement", "statement.published")
	}
	if err := f.Fail(err); err != nil {
		return err
	}
	v, err := s.loadStatementPage(r, f)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "privacy_statement", "", v)
}

type statementVersionView struct {
	Base
	Statement      *kluis.PrivacyStatement
	HTMLNL, HTMLEN template.HTML
	Publisher      string
}

// statementVersionPage shows one version, in both languages.
func (s *Server) statementVersionPage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayPublishStatement(a.Role) {
		return errNoAccess
	}
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n <= 0 {
		return kluis.NotFound("privacy statement")
	}
	st, err := s.db.PrivacyStatement(ctx, a.TenantID, n)
	if err != nil {
		return err
	}
	c, err := s.controller(r)
	if err != nil {
		return err
	}
	names, err := s.tabUserNames(ctx, a)
	if err != nil {
		return err
	}
	v := statementVersionView{Base: s.baseFor(r, "privacy-statement", "statement.version.title"), Statement: st,
		HTMLNL:    template.HTML(store.RenderStatement(st, "nl", c, s.catalog).HTML), // #nosec G203 -- made by internal/markdown, which escapes all input (FuzzHTML)
		HTMLEN:    template.HTML(store.RenderStatement(st, "en", c, s.catalog).HTML), // #nosec G203 -- made by internal/markdown, which escapes all input (FuzzHTML)
		Publisher: tabUserName(names, st.PublishedBy)}
	return s.render(w, r, http.StatusOK, "privacy_statement_version", "", v)
}

// startStatementSend starts the job and does its work in the background.
func (s *Server) startStatementSend(ctx context.Context) (*store.StatementSend, error) {
	a := actorFrom(ctx)
	job, err := s.db.StartStatementSend(ctx, a)
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "sending the privacy statement", "tenant", a.TenantID, "user", a.UserID, "job", job.ID, "total", job.Total)
	work := *job
	bg := context.WithoutCancel(ctx)
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		if err := s.db.RunStatementSend(bg, a, &work, 0, nil); err != nil {
			s.log.Error("sending the privacy statement failed", "job", work.ID, "code", string(kluis.ErrorCode(err)))
		}
	}()
	return job, nil
}

func (s *Server) statementSendStart(w http.ResponseWriter, r *http.Request) error {
	if !mayPublishStatement(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	job, err := s.startStatementSend(r.Context())
	if err != nil {
		return err
	}
	return seeOther(w, r, "/privacy-statement/sends/"+formatID(job.ID), "")
}

type statementSendView struct {
	Base
	Job     *store.StatementSend
	Running bool
}

func (s *Server) statementSendPage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayPublishStatement(a.Role) {
		return errNoAccess
	}
	id, err := pathID(r, "statement send")
	if err != nil {
		return err
	}
	job, err := s.db.StatementSend(ctx, a, id)
	if err != nil {
		return err
	}
	v := statementSendView{Base: s.baseFor(r, "privacy-statement", "statement.send.title"), Job: job, Running: job.State == "running"}
	// The progress (htmx, every second while it runs) gets just its block.
	return s.render(w, r, http.StatusOK, "privacy_statement_send", "send-job", v)
}

// statementInform records on the history tab that the current version was
// shown to the candidate, or e-mails it to them (the message and the
// contact moment in one transaction).
func (s *Server) statementInform(how string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := s.candidatePage(r, "history")
		if err != nil {
			return err
		}
		ctx, a := r.Context(), actorFrom(r.Context())
		if !mayInform(a.Role) {
			return errNoAccess
		}
		if err := parseForm(r, 0); err != nil {
			return err
		}
		flash := "statement.shown.done"
		if how == "send" {
			flash = "statement.sent.done"
			_, err = s.db.SendPrivacyStatement(ctx, a, v.C.ID, r.PostForm.Get("lang"))
		} else {
			_, err = s.db.RecordStatementShown(ctx, a, v.C.ID, r.PostForm.Get("channel"))
		}
		if err == nil {
			return s.tabChanged(w, r, v, flash, func() error { return s.fillHistory(r, v, newForm(v.Lang), 0, false) })
		}
		msg, ok := statementProblem(err, v.Lang)
		if !ok {
			return err
		}
		if err := s.fillHistory(r, v, newForm(v.Lang), 0, false); err != nil {
			return err
		}
		v.TabData.(*historyTab).StatementError = msg
		return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
	}
}

// statementProblem is what the tab says of a refusal: the field's message,
// or the conflict's (nothing published, a restricted candidate).
func statementProblem(err error, lang string) (string, bool) {
	var ke *kluis.Error
	if !errors.As(err, &ke) {
		return "", false
	}
	switch {
	case len(ke.Fields) > 0:
		names := make([]string, 0, len(ke.Fields))
		for k := range ke.Fields {
			names = append(names, k)
		}
		sort.Strings(names)
		return ke.Fields[names[0]].In(lang), true
	case ke.Code == kluis.EConflict:
		return ke.Message.In(lang), true
	}
	return "", false
}

type statementPublicView struct {
	Base
	Agency    string
	Statement *store.RenderedStatement
	HTML      template.HTML
	Path      string
}

// statementPublicPage shows an agency's current statement to anyone, in
// Dutch or (?lang=en) English: candidates and the portal link here.
func (s *Server) statementPublicPage(w http.ResponseWriter, r *http.Request) error {
	v := statementPublicView{Base: s.baseFor(r, "", "statement.public.title"), Path: r.URL.Path}
	t, err := s.db.TenantBySlug(r.Context(), r.PathValue("agency"))
	if err != nil {
		return kluis.NotFound("privacy statement")
	}
	rs, err := s.db.RenderPrivacyStatement(r.Context(), t.ID, 0, v.Lang)
	if err != nil {
		return err
	}
	v.Agency, v.Statement, v.HTML = t.Name, rs, template.HTML(rs.HTML) // #nosec G203 -- made by internal/markdown, which escapes all input (FuzzHTML)
	return s.render(w, r, http.StatusOK, "privacy_statement_public", "", v)
}

// StatementShownChannels are the ways a statement is shown in person.
func (Base) StatementShownChannels() kluis.Choices {
	var out kluis.Choices
	for _, c := range kluis.StatementChannels {
		if c.Value != "email" {
			out = append(out, c)
		}
	}
	return out
}

// In gives a text of the domain in the viewer's language.
func (b Base) In(m kluis.Msg) string { return m.In(b.Lang) }
