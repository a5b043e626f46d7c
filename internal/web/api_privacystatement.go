package web

import (
	"net/http"
	"strconv"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The privacy statement in the API: its versions, one version rendered,
// the candidates not informed of the current version and the job that
// sends it to all of them are the privacy officer's (mayPublishStatement);
// informing one candidate (sending, or recording that it was shown) is
// for whoever works with candidates (mayInform), as on the history tab.

func (s *Server) privacyStatementAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/privacy-statements", token, s.apiStatements},
		{"POST", "/api/v1/privacy-statements", token, s.apiPublishStatement},
		{"GET", "/api/v1/privacy-statements/not-informed", token, s.apiNotInformed},
		{"GET", "/api/v1/privacy-statements/{version}", token, s.apiStatement},
		{"POST", "/api/v1/candidates/{id}/privacy-statement/send", token, s.apiInform("send")},
		{"POST", "/api/v1/candidates/{id}/privacy-statement/shown", token, s.apiInform("shown")},
		{"POST", "/api/v1/privacy-statement-sends", token, s.apiStartStatementSend},
		{"GET", "/api/v1/privacy-statement-sends/{id}", token, s.apiStatementSend},
	}
}

// apiStatements is GET /api/v1/privacy-statements: every version, newest
// (the current one) first.
func (s *Server) apiStatements(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayPublishStatement(a.Role) {
		return errNoAccess
	}
	vs, err := s.db.PrivacyStatements(r.Context(), a.TenantID)
	if err != nil {
		return err
	}
	return writeList(w, vs, len(vs), kluis.Page{Limit: len(vs)})
}

// statementIn is the body that publishes a version.
type statementIn struct {
	TextNL string `json:"text_nl"`
	TextEN string `json:"text_en"`
}

// apiPublishStatement is POST /api/v1/privacy-statements.
func (s *Server) apiPublishStatement(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayPublishStatement(a.Role) {
		return errNoAccess
	}
	var in statementIn
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	st := &kluis.PrivacyStatement{TextNL: in.TextNL, TextEN: in.TextEN}
	if err := s.db.PublishPrivacyStatement(r.Context(), a, st); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/privacy-statements/"+strconv.Itoa(st.Version))
	writeJSON(w, http.StatusCreated, st)
	return nil
}

// renderedStatement is a version with its texts in both languages, the
// placeholders filled from the catalogue and the agency's details: as
// Markdown and as HTML.
type renderedStatement struct {
	kluis.PrivacyStatement
	MarkdownNL string `json:"markdown_nl"`
	MarkdownEN string `json:"markdown_en"`
	HTMLNL     string `json:"html_nl"`
	HTMLEN     string `json:"html_en"`
}

// apiStatement is GET /api/v1/privacy-statements/{version}; the version
// "current" is the current one.
func (s *Server) apiStatement(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayPublishStatement(a.Role) {
		return errNoAccess
	}
	version := 0
	if p := r.PathValue("version"); p != "current" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			return kluis.NotFound("privacy statement")
		}
		version = n
	}
	st, err := s.db.PrivacyStatement(r.Context(), a.TenantID, version)
	if err != nil {
		return err
	}
	c, err := s.db.StatementController(r.Context(), a.TenantID)
	if err != nil {
		return err
	}
	nl, en := store.RenderStatement(st, "nl", c, s.catalog), store.RenderStatement(st, "en", c, s.catalog)
	writeJSON(w, http.StatusOK, renderedStatement{PrivacyStatement: *st, MarkdownNL: nl.Markdown, MarkdownEN: en.Markdown, HTMLNL: nl.HTML, HTMLEN: en.HTML})
	return nil
}

// notInformedList is the list of candidates without the current version.
type notInformedList struct {
	Items   []store.NotInformed `json:"items"`
	Total   int                 `json:"total"`
	Limit   int                 `json:"limit"`
	Offset  int                 `json:"offset"`
	Version int                 `json:"version"` // the current version; 0 when none is published
}

// apiNotInformed is GET /api/v1/privacy-statements/not-informed.
func (s *Server) apiNotInformed(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayPublishStatement(a.Role) {
		return errNoAccess
	}
	q := newQuery(r)
	page := q.page()
	status := q.choice("status", activeCandidateStatuses)
	if err := q.err(); err != nil {
		return err
	}
	list, total, version, err := s.db.NotInformedOfStatus(r.Context(), a, status, page)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.NotInformed{}
	}
	writeJSON(w, http.StatusOK, notInformedList{Items: list, Total: total, Limit: page.Limit, Offset: page.Offset, Version: version})
	return nil
}

// informIn is the body of send (lang) and shown (channel).
type informIn struct {
	Lang    string `json:"lang,omitempty"`
	Channel string `json:"channel,omitempty"`
}

// apiInform is POST /api/v1/candidates/{id}/privacy-statement/send and
// …/shown: it answers with the contact moment that records it.
func (s *Server) apiInform(how string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, a := r.Context(), actorFrom(r.Context())
		if !mayInform(a.Role) {
			return errNoAccess
		}
		id, err := pathID(r, "candidate")
		if err != nil {
			return err
		}
		var in informIn
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, &in); err != nil {
				return err
			}
		}
		p := kluis.Problems{}
		if how == "send" && in.Channel != "" {
			p.Add("channel", "Een verzending gaat altijd per e-mail; laat dit veld weg.", "A sending is always by e-mail; leave this field out.")
		}
		if how == "shown" && in.Lang != "" {
			p.Add("lang", "Alleen bij versturen; laat dit veld weg.", "Only when sending; leave this field out.")
		}
		if err := p.Err(); err != nil {
			return err
		}
		var m *kluis.ContactMoment
		if how == "send" {
			m, err = s.db.SendPrivacyStatement(ctx, a, id, in.Lang)
		} else {
			m, err = s.db.RecordStatementShown(ctx, a, id, in.Channel)
		}
		if err != nil {
			return err
		}
		view, err := s.projector(ctx).Project(a.Role, "contact_moments", m)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/v1/contact-moments/"+formatID(m.ID))
		writeJSON(w, http.StatusCreated, view)
		return nil
	}
}

// apiStartStatementSend is POST /api/v1/privacy-statement-sends: the
// current version to every active candidate who lacks it, in the
// background.
func (s *Server) apiStartStatementSend(w http.ResponseWriter, r *http.Request) error {
	if !mayPublishStatement(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	if r.ContentLength > 0 {
		var in struct{}
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	job, err := s.startStatementSend(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/privacy-statement-sends/"+formatID(job.ID))
	writeJSON(w, http.StatusAccepted, job)
	return nil
}

// apiStatementSend is GET /api/v1/privacy-statement-sends/{id}.
func (s *Server) apiStatementSend(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayPublishStatement(a.Role) {
		return errNoAccess
	}
	id, err := pathID(r, "statement send")
	if err != nil {
		return err
	}
	job, err := s.db.StatementSend(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, job)
	return nil
}
