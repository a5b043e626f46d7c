package web

import (
	"context"
	"encoding/json"
	"net/http"

	"kluis/internal/access"
	"kluis/internal/kluis"
)

// errNoAccess answers a role that has no business with a kind of record.
var errNoAccess = kluis.Errorf(kluis.EForbidden, "Uw rol geeft geen toegang tot deze gegevens.", "Your role gives no access to these data.")

// jsonKeys lists the top-level keys of a JSON object.
func jsonKeys(body []byte) []string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// resource gives one record type its read, create, update and delete
// handlers; what differs between record types is only which store calls
// they make.
type resource[T any] struct {
	kind    string
	table   string // the record's table, for the catalogue
	proj    func(context.Context) *access.Projector
	get     func(ctx context.Context, a kluis.Actor, id kluis.ID) (*T, error)
	create  func(ctx context.Context, a kluis.Actor, rec *T) error
	update  func(ctx context.Context, a kluis.Actor, rec *T, version int64) error
	delete  func(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) error
	version func(*T) int64
	setID   func(*T, kluis.ID)
	// viewed, when set, is told what a GET showed (for the access log).
	viewed func(ctx context.Context, table string, id kluis.ID, v access.View)
}

func (res *resource[T]) versionOf(rec *T) int64 {
	if res.version == nil {
		return 0
	}
	return res.version(rec)
}

// mayUse refuses a role that may see none of the table's personal fields.
func (res *resource[T]) mayUse(ctx context.Context, a kluis.Actor) error {
	if !res.proj(ctx).CanSee(a.Role, res.table) {
		return errNoAccess
	}
	return nil
}

// write answers with the record as the actor may see it.
func (res *resource[T]) write(w http.ResponseWriter, r *http.Request, code int, rec *T) error {
	v, err := res.proj(r.Context()).Project(actorFrom(r.Context()).Role, res.table, rec)
	if err != nil {
		return err
	}
	return writeRecord(w, code, v, res.versionOf(rec))
}

func (res *resource[T]) handleGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, res.kind)
	if err != nil {
		return err
	}
	a := actorFrom(r.Context())
	if err := res.mayUse(r.Context(), a); err != nil {
		return err
	}
	rec, err := res.get(r.Context(), a, id)
	if err != nil {
		return err
	}
	v, err := res.proj(r.Context()).Project(a.Role, res.table, rec)
	if err != nil {
		return err
	}
	if res.viewed != nil {
		res.viewed(r.Context(), res.table, id, v)
	}
	return writeRecord(w, http.StatusOK, v, res.versionOf(rec))
}

func (res *resource[T]) handleCreate(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if err := res.mayUse(r.Context(), a); err != nil {
		return err
	}
	body, err := readJSON(w, r)
	if err != nil {
		return err
	}
	rec := new(T)
	if err := decodeInto(body, rec); err != nil {
		return err
	}
	if err := res.proj(r.Context()).CheckWrite(a.Role, res.table, jsonKeys(body)); err != nil {
		return err
	}
	if err := res.create(r.Context(), a, rec); err != nil {
		return err
	}
	return res.write(w, r, http.StatusCreated, rec)
}

func (res *resource[T]) handleUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, res.kind)
	if err != nil {
		return err
	}
	a := actorFrom(r.Context())
	if err := res.mayUse(r.Context(), a); err != nil {
		return err
	}
	rec, err := res.get(r.Context(), a, id)
	if err != nil {
		return err
	}
	version, changed, err := decodePatch(w, r, rec)
	if err != nil {
		return err
	}
	if err := res.proj(r.Context()).CheckWrite(a.Role, res.table, changed); err != nil {
		return err
	}
	res.setID(rec, id)
	if err := res.update(r.Context(), a, rec, version); err != nil {
		return err
	}
	return res.write(w, r, http.StatusOK, rec)
}

func (res *resource[T]) handleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, res.kind)
	if err != nil {
		return err
	}
	if err := res.mayUse(r.Context(), actorFrom(r.Context())); err != nil {
		return err
	}
	var v int64
	if res.version != nil {
		if v, err = deleteVersion(r); err != nil {
			return err
		}
	}
	if err := res.delete(r.Context(), actorFrom(r.Context()), id, v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
