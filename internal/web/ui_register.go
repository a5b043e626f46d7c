package web

import (
	"bytes"
	"net/http"
	"strconv"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

func (s *Server) registerRoutes() []route {
	return []route{
		{"GET", "/register", session, s.registerPage},
		{"GET", "/register.md", session, s.registerMarkdown},
		{"GET", "/register.pdf", session, s.registerPDF},
	}
}

type registerView struct {
	Base
	Controller catalog.Controller
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

// controller is the agency as the register names it: its name and the
// details from its settings.
func (s *Server) controller(r *http.Request) (catalog.Controller, error) {
	ts, err := s.db.Tenants(r.Context())
	if err != nil {
		return catalog.Controller{}, err
	}
	a := actorFrom(r.Context())
	c := catalog.Controller{}
	for _, t := range ts {
		if t.ID == a.TenantID {
			c.Name = t.Name
		}
	}
	if c.Name == "" {
		return c, kluis.NotFound("tenant")
	}
	set, err := s.settings(r.Context())
	if err != nil {
		return c, err
	}
	c.Address, c.KvK, c.DPOName, c.DPOEmail, c.DPOPhone = set.Address, set.KvK, set.DPOName, set.DPOEmail, set.DPOPhone
	return c, nil
}

// registerPage shows the record of processing activities (art. 30),
// generated from the catalogue so it cannot drift from what kluis does.
func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.controller(r)
	if err != nil {
		return err
	}
	v := registerView{Base: s.baseFor(r, "register", "register.title"), Controller: c,
		Register: s.catalog.Register(), Measures: catalog.SecurityMeasures}
	return s.render(w, r, http.StatusOK, "register", "", v)
}

func (s *Server) registerMarkdown(w http.ResponseWriter, r *http.Request) error {
	c, err := s.controller(r)
	if err != nil {
		return err
	}
	b := s.baseFor(r, "", "")
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="verwerkingsregister.md"`)
	_, err = w.Write([]byte(s.catalog.Register().Markdown(b.Lang, c))) // #nosec G705 -- Markdown text sent as an attachment with its own Content-Type, never as HTML
	return err
}

// registerPDF sends the register as a PDF, rendered whole before the first
// byte goes out, so a failure is an error page and not half a file.
func (s *Server) registerPDF(w http.ResponseWriter, r *http.Request) error {
	c, err := s.controller(r)
	if err != nil {
		return err
	}
	b := s.baseFor(r, "", "")
	var buf bytes.Buffer
	if err := s.catalog.Register().PDF(&buf, b.Lang, c, s.clock.Now().In(amsterdam)); err != nil {
		return err
	}
	name := "verwerkingsregister.pdf"
	if b.Lang == "en" {
		name = "record-of-processing.pdf"
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err = w.Write(buf.Bytes())
	return err
}
