package web

import (
	"net/http"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

func (s *Server) registerRoutes() []route {
	return []route{
		{"GET", "/register", session, s.registerPage},
		{"GET", "/register.md", session, s.registerMarkdown},
	}
}

type registerView struct {
	Base
	Controller string
	Register   catalog.Register
	Measures   []kluis.Msg
}

// In gives a catalogue text in the viewer's language.
func (v registerView) In(m kluis.Msg) string { return m.In(v.Lang) }

func (v registerView) Purpose(p catalog.Purpose) string   { return v.In(catalog.PurposeLabel(p)) }
func (v registerView) Basis(b catalog.Basis) string       { return v.In(catalog.BasisLabel(b)) }
func (v registerView) Subject(x catalog.Subject) string   { return v.In(catalog.SubjectLabel(x)) }
func (v registerView) Category(c catalog.Category) string { return v.In(catalog.CategoryLabel(c)) }
func (v registerView) Rule(r catalog.Rule) string         { return v.In(catalog.RuleLabel(r)) }
func (v registerView) Recipient(r string) string          { return v.Choice(kluis.RecipientKinds, r) }

func (s *Server) controllerName(r *http.Request) (string, error) {
	ts, err := s.db.Tenants(r.Context())
	if err != nil {
		return "", err
	}
	a := actorFrom(r.Context())
	for _, t := range ts {
		if t.ID == a.TenantID {
			return t.Name, nil
		}
	}
	return "", kluis.NotFound("tenant")
}

// registerPage shows the record of processing activities (art. 30),
// generated from the catalogue so it cannot drift from what kluis does.
func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) error {
	name, err := s.controllerName(r)
	if err != nil {
		return err
	}
	v := registerView{Base: s.baseFor(r, "register", "register.title"), Controller: name,
		Register: s.catalog.Register(), Measures: catalog.SecurityMeasures}
	return s.render(w, r, http.StatusOK, "register", "", v)
}

func (s *Server) registerMarkdown(w http.ResponseWriter, r *http.Request) error {
	name, err := s.controllerName(r)
	if err != nil {
		return err
	}
	b := s.baseFor(r, "", "")
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="verwerkingsregister.md"`)
	_, err = w.Write([]byte(s.catalog.Register().Markdown(b.Lang, catalog.Controller{Name: name})))
	return err
}
