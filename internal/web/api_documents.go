package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.DocumentFilter{CandidateID: q.id("candidate_id"), Kind: q.choice("kind", kluis.DocumentKinds), Page: q.page(),
		Kinds: s.visibleKinds(r.Context(), actorFrom(r.Context()).Role)}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.ListDocuments(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	return writeProjected(s, w, r, "documents", items, total, f.Page)
}

// uploadDocument takes a multipart form with candidate_id, kind and file.
// The file streams to the blob store; it is never held in memory whole.
func (s *Server) uploadDocument(w http.ResponseWriter, r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return kluis.Errorf(kluis.EUnsupported, "Stuur het document als multipart/form-data met de velden candidate_id, kind en file.",
			"Send the document as multipart/form-data with the fields candidate_id, kind and file.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, kluis.MaxDocumentBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	d := &kluis.Document{}
	p := kluis.Problems{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			p.Add("file", "Kies een bestand.", "Choose a file.")
			return p.Err()
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errBodyTooLarge
		}
		if err != nil {
			return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
		}
		switch part.FormName() {
		case "candidate_id":
			v, _ := io.ReadAll(io.LimitReader(part, 32))
			d.CandidateID, _ = strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
		case "kind":
			v, _ := io.ReadAll(io.LimitReader(part, 64))
			d.Kind = strings.TrimSpace(string(v))
		case "file":
			// The file comes last: the fields it depends on are known now.
			if kluis.DocumentKinds.Has(d.Kind) && !s.projector(r.Context()).CanWriteBlob(actorFrom(r.Context()).Role, d.Kind) {
				return errNoAccess
			}
			d.FileName = part.FileName()
			err := s.db.CreateDocument(r.Context(), actorFrom(r.Context()), d, part)
			if errors.As(err, &tooLarge) {
				return errBodyTooLarge
			}
			if err != nil {
				return err
			}
			return writeRecord(w, http.StatusCreated, d, 0)
		default:
			p.Add(part.FormName(), "Onbekend veld.", "Unknown field.")
			return p.Err()
		}
	}
}

// documentContent sends a document's file. It is always a download, never
// shown inline, so an uploaded file cannot act as a page of kluis.
func (s *Server) documentContent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "document")
	if err != nil {
		return err
	}
	if _, err := s.visibleDocument(r, id); err != nil {
		return err
	}
	return s.sendDocument(w, r, id)
}

// sendDocument writes a document's file as an attachment, never inline, in
// a sandbox: an uploaded file cannot act as a page of kluis.
func (s *Server) sendDocument(w http.ResponseWriter, r *http.Request, id kluis.ID) error {
	d, rc, err := s.db.OpenDocument(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	s.logAccess(r.Context(), "download", "documents", d.ID, d.CandidateID, []string{"content"}, "")
	h := w.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Length", strconv.FormatInt(d.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.FileName}))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		s.log.WarnContext(r.Context(), "document download interrupted", "request_id", requestID(r.Context()), "document_id", d.ID)
	}
	return nil
}

type discloseRequest struct {
	ClientID kluis.ID `json:"client_id"`
	Purpose  string   `json:"purpose"`
}

// discloseDocument records that a document goes to a client.
func (s *Server) discloseDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "document")
	if err != nil {
		return err
	}
	if _, err := s.visibleDocument(r, id); err != nil {
		return err
	}
	var in discloseRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.db.DiscloseDocument(r.Context(), actorFrom(r.Context()), id, in.ClientID, in.Purpose)
	if err != nil {
		return err
	}
	return writeRecord(w, http.StatusCreated, d, 0)
}

// visibleKinds lists the document kinds role may see.
func (s *Server) visibleKinds(ctx context.Context, role kluis.Role) []string {
	out := []string{}
	for _, k := range kluis.DocumentKinds {
		if s.projector(ctx).CanSeeBlob(role, k.Value) {
			out = append(out, k.Value)
		}
	}
	return out
}

// visibleDocument returns a document the actor may see; others are, to
// them, not there.
func (s *Server) visibleDocument(r *http.Request, id kluis.ID) (*kluis.Document, error) {
	a := actorFrom(r.Context())
	d, err := s.db.Document(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	if !s.projector(r.Context()).CanSeeBlob(a.Role, d.Kind) {
		return nil, kluis.NotFound("document")
	}
	return d, nil
}
