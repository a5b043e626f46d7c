package web

import (
	"context"
	"net/http"

	"kluis/internal/kluis"
)

// resource gives one record type its read, create, update and delete
// handlers; what differs between record types is only which store calls
// they make.
type resource[T any] struct {
	kind    string
	get     func(ctx context.Context, a kluis.Actor, id kluis.ID) (*T, error)
	create  func(ctx context.Context, a kluis.Actor, rec *T) error
	update  func(ctx context.Context, a kluis.Actor, rec *T, version int64) error
	delete  func(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) error
	version func(*T) int64
	setID   func(*T, kluis.ID)
}

func (res *resource[T]) versionOf(rec *T) int64 {
	if res.version == nil {
		return 0
	}
	return res.version(rec)
}

func (res *resource[T]) handleGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, res.kind)
	if err != nil {
		return err
	}
	rec, err := res.get(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeRecord(w, http.StatusOK, rec, res.versionOf(rec))
}

func (res *resource[T]) handleCreate(w http.ResponseWriter, r *http.Request) error {
	rec := new(T)
	if err := decodeJSON(w, r, rec); err != nil {
		return err
	}
	if err := res.create(r.Context(), actorFrom(r.Context()), rec); err != nil {
		return err
	}
	return writeRecord(w, http.StatusCreated, rec, res.versionOf(rec))
}

func (res *resource[T]) handleUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, res.kind)
	if err != nil {
		return err
	}
	a := actorFrom(r.Context())
	rec, err := res.get(r.Context(), a, id)
	if err != nil {
		return err
	}
	version, err := decodePatch(w, r, rec)
	if err != nil {
		return err
	}
	res.setID(rec, id)
	if err := res.update(r.Context(), a, rec, version); err != nil {
		return err
	}
	return writeRecord(w, http.StatusOK, rec, res.versionOf(rec))
}

func (res *resource[T]) handleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, res.kind)
	if err != nil {
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
