package web

import (
	"net/http"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (s *Server) listClients(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.ClientFilter{Query: q.str("q"), City: q.str("city"), BranchID: q.id("branch_id"), Sort: q.str("sort"), Page: q.page()}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.ListClients(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	return writeList(w, items, total, f.Page)
}

func (s *Server) listClientContacts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "client")
	if err != nil {
		return err
	}
	q := newQuery(r)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.ClientContacts(r.Context(), actorFrom(r.Context()), id, page)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "client_contacts", items, total, page)
}

func (s *Server) createClientContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "client")
	if err != nil {
		return err
	}
	a := actorFrom(r.Context())
	if !s.projector(r.Context()).CanSee(a.Role, "client_contacts") {
		return errNoAccess
	}
	body, err := readJSON(w, r)
	if err != nil {
		return err
	}
	var c kluis.ClientContact
	if err := decodeInto(body, &c); err != nil {
		return err
	}
	if err := s.projector(r.Context()).CheckWrite(a.Role, "client_contacts", jsonKeys(body)); err != nil {
		return err
	}
	c.ClientID = id
	if err := s.db.CreateClientContact(r.Context(), a, &c); err != nil {
		return err
	}
	v, err := s.projector(r.Context()).Project(a.Role, "client_contacts", &c)
	if err != nil {
		return err
	}
	return writeRecord(w, http.StatusCreated, v, c.Version)
}
