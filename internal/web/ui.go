package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

//go:embed templates static
var assets embed.FS

// pages holds every page's template set, parsed once at start-up: the
// layout, the shared partials and the page itself.
type pages map[string]*template.Template

var templateFuncs = template.FuncMap{
	"date":  formatDate,
	"time":  formatTime,
	"money": formatMoney,
	"add":   func(a, b int) int { return a + b },
	"deref": func(n *int) int {
		if n == nil {
			return 0
		}
		return *n
	},
	"text": text,
	"revealed": func(tab any, field, shown string) maskedView {
		t, _ := tab.(*personalTab)
		if t == nil {
			return maskedView{Shown: shown}
		}
		return maskedView{Shown: shown, Full: t.Revealed[field], Form: t.RevealFor(field), Lang: t.lang}
	},
	"pageButton": func(v candidateListView, offset int, labelKey string) pageButtonView {
		return pageButtonView{Values: v.Form.Values, Offset: offset, Label: text(v.Lang, labelKey)}
	},
	"placementTable": func(b Base, rows []placementRow) placementTableView {
		return placementTableView{Base: b, Rows: rows}
	},
}

func parsePages() (pages, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := pages{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(templateFuncs).ParseFS(assets, "templates/layout.html", "templates/partials/*.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		out[base] = t
	}
	return out, nil
}

// Base is what every page view carries: who looks, in which language, and
// which menu item is active. Views embed it; templates call .T for texts.
type Base struct {
	Lang      string
	User      *kluis.User
	Nav       string // the active menu item
	Title     string
	Flash     string // a message key shown once at the top
	RequestID string
	// off are the optional items the agency does not collect.
	off map[string]bool
}

// Collects reports whether the agency collects an optional item; pages
// leave out what it does not.
func (b Base) Collects(key string) bool { return !b.off[key] }

// T returns the text for key in the viewer's language.
func (b Base) T(key string) string { return text(b.Lang, key) }

// Choice returns the label of a value of a closed list.
func (b Base) Choice(cs kluis.Choices, v string) string { return cs.Label(v, b.Lang) }

// The closed lists, for templates that show a value's label.
func (Base) StatusChoices() kluis.Choices        { return kluis.CandidateStatuses }
func (Base) SourceChoices() kluis.Choices        { return kluis.CandidateSources }
func (Base) IDTypeChoices() kluis.Choices        { return kluis.IDDocumentTypes }
func (Base) ReasonChoices() kluis.Choices        { return kluis.AuditReasons }
func (Base) AvailabilityChoices() kluis.Choices  { return kluis.Availabilities }
func (Base) ContactKindChoices() kluis.Choices   { return kluis.ContactKinds }
func (Base) DocumentKindChoices() kluis.Choices  { return kluis.DocumentKinds }
func (Base) ContractKindChoices() kluis.Choices  { return kluis.ContractKinds }
func (Base) RecipientKindChoices() kluis.Choices { return kluis.RecipientKinds }
func (Base) CategoryChoices() kluis.Choices      { return kluis.DataCategories }

// baseFor builds the Base of a request's page.
func (s *Server) baseFor(r *http.Request, nav, titleKey string) Base {
	b := Base{Lang: "nl", Nav: nav, RequestID: requestID(r.Context())}
	if u := userFrom(r.Context()); u != nil {
		b.User, b.Lang = u, u.Language
		b.off = map[string]bool{}
		for _, k := range s.collecting(r.Context()).Off() {
			b.off[k] = true
		}
	} else if r.URL.Query().Get("lang") == "en" {
		// Before log-in the page is Dutch unless the visitor asks for English.
		b.Lang = "en"
	}
	b.Title = text(b.Lang, titleKey)
	if f := r.URL.Query().Get("flash"); f != "" {
		if _, ok := messages[f]; ok {
			b.Flash = f
		}
	}
	return b
}

// render writes a page. An htmx request for a fragment gets just that
// block ("content" unless the handler names another), a browser the whole
// page. Rendering goes to a buffer first so that a template error never
// leaves half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, block string, view any) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	name := "layout"
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true" {
		name = block
		if name == "" {
			name = "content"
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, view); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "HX-Request")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// uiError answers a failed staff-UI request with a page instead of JSON.
func (s *Server) uiError(w http.ResponseWriter, r *http.Request, err error) {
	err = store.Classify(err)
	var e *kluis.Error
	if !errors.As(err, &e) {
		e = &kluis.Error{Code: kluis.EInternal, Err: err}
	}
	code, ok := status[e.Code]
	if !ok {
		code = http.StatusInternalServerError
	}
	if e.Code == kluis.EUnauthorized {
		s.toLogin(w, r)
		return
	}
	if code >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "request_id", requestID(r.Context()), "err", err)
	}
	v := errorView{Base: s.baseFor(r, "", "error.title"), Status: code}
	if code == http.StatusNotFound {
		v.MessageKey = "error.notfound"
	} else if code < 500 {
		v.Message = e.Message.In(v.Lang)
	}
	if rerr := s.render(w, r, code, "error", "", v); rerr != nil {
		s.log.ErrorContext(r.Context(), "render error page", "request_id", v.RequestID, "err", rerr)
		http.Error(w, http.StatusText(code), code)
	}
}

type errorView struct {
	Base
	Status     int
	MessageKey string
	Message    string
}

// staticFiles serves the embedded assets with a long cache: their names
// carry their version.
func (s *Server) staticFiles() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	fsrv := http.FileServerFS(sub)
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	}))
}

// placementTableView feeds the shared placement table.
type placementTableView struct {
	Base
	Rows []placementRow
}

// AnyRestricted reports whether the table names a candidate whose
// processing is restricted (art. 18): it then opens with the banner.
func (v placementTableView) AnyRestricted() bool {
	for _, r := range v.Rows {
		if r.Restricted {
			return true
		}
	}
	return false
}

// pageButtonView is a button that posts the search again at another page.
type pageButtonView struct {
	Values map[string]string
	Offset int
	Label  string
}

// maskedView is a masked value on a page: as the viewer sees it, in full
// when just revealed, and the form to reveal it.
type maskedView struct {
	Shown, Full, Lang string
	Form              *revealForm
}
