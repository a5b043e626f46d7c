package web

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"kluis/internal/kluis"
	"kluis/internal/report"
	"kluis/internal/store"
)

// Exports of a candidate's data beside the record card: the documents
// themselves in a ZIP (for staff who may see them, of the kinds they may
// see), the record card as CSV, and the portability export of art. 20 —
// only what the candidate supplied — as JSON and CSV. Each download is in
// the access log; names stay out of URLs, file names and logs.
//
// Of a candidate whose processing is restricted (art. 18) the store
// refuses them (store.MayExport) unless the call processes anyway (the
// override headers of the API), or answers the candidate's own access or
// portability request (?request=<id>, the links on the request's page).

// exportContext is the context to export the candidate's data with:
// refused while their processing is restricted, unless the store lets it
// go (store.MayExport).
func (s *Server) exportContext(r *http.Request, q *query, cand kluis.ID, what string) (*http.Request, error) {
	ctx := r.Context()
	if req := q.id("request"); req != 0 {
		ctx = store.AnsweringRequest(ctx, req)
	}
	if err := q.err(); err != nil {
		return nil, err
	}
	ctx, err := s.db.MayExport(ctx, actorFrom(ctx), cand, what)
	if err != nil {
		return nil, err
	}
	return r.WithContext(ctx), nil
}

// candidateDocuments lists the documents of a candidate the actor may see
// (portable: only those the candidate handed in, art. 20).
func (s *Server) candidateDocuments(r *http.Request, id kluis.ID, portable bool) ([]kluis.Document, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	// A role that may not see candidates (the administrator) is refused as
	// reading the candidate refuses it, not sent an empty archive that says
	// the candidate exists.
	if !s.projector(ctx).CanSee(a.Role, "candidates") {
		return nil, errNoAccess
	}
	if _, err := s.db.Candidate(ctx, a, id); err != nil {
		return nil, err
	}
	kinds := s.visibleKinds(ctx, a.Role)
	if portable {
		var keep []string
		for _, k := range report.PortableKinds(s.catalog) {
			for _, v := range kinds {
				if v == k {
					keep = append(keep, k)
				}
			}
		}
		kinds = append([]string{}, keep...)
	}
	docs, err := allPages(func(p kluis.Page) ([]kluis.Document, int, error) {
		return s.db.ListDocuments(ctx, a, store.DocumentFilter{CandidateID: id, Kinds: kinds, Page: p})
	})
	if err != nil {
		return nil, err
	}
	// Oldest first: the numbers in the archive follow the order received.
	for i, j := 0, len(docs)-1; i < j; i, j = i+1, j-1 {
		docs[i], docs[j] = docs[j], docs[i]
	}
	return docs, nil
}

// openDocument opens a document's content for an archive, as the actor.
func (s *Server) openDocument(r *http.Request) report.OpenFunc {
	return func(d kluis.Document) (io.ReadCloser, error) {
		_, rc, err := s.db.OpenDocument(r.Context(), actorFrom(r.Context()), d.ID)
		return rc, err
	}
}

// sendDocumentsZip streams the documents of a candidate as a ZIP. The
// archive is written as it is read, so a large one never sits in memory;
// a failure halfway can only cut it short (the client sees a broken ZIP,
// the log the document's id).
func (s *Server) sendDocumentsZip(w http.ResponseWriter, r *http.Request, q *query, id kluis.ID, portable bool) error {
	docs, err := s.candidateDocuments(r, id, portable)
	if err != nil {
		return err
	}
	if r, err = s.exportContext(r, q, id, "documents"); err != nil {
		return err
	}
	name := "documenten-" + strconv.FormatInt(id, 10) + ".zip"
	fields := []string{"documents-archive"}
	if portable {
		name, fields = "documenten-overdraagbaar-"+strconv.FormatInt(id, 10)+".zip", []string{"documents-archive", "portable"}
	}
	s.logAccess(r.Context(), "download", "candidates", id, id, fields, "")
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	if _, err := report.WriteDocumentsZip(w, id, docs, s.openDocument(r), s.clock.Now().UTC()); err != nil {
		s.log.WarnContext(r.Context(), "documents archive cut short", "request_id", requestID(r.Context()), "candidate_id", id, "err", err)
	}
	return nil
}

// documentsZip is GET /candidates/{id}/documents.zip (?portable=true).
func (s *Server) documentsZip(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	q := newQuery(r)
	return s.sendDocumentsZip(w, r, q, id, q.choice("portable", yesNo) == "true")
}

// apiDocumentsArchive is GET /api/v1/candidates/{id}/documents-archive
// (?portable=true). It needs the scope documents:read.
func (s *Server) apiDocumentsArchive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	q := newQuery(r)
	return s.sendDocumentsZip(w, r, q, id, q.choice("portable", yesNo) == "true")
}

// sendFile writes a file made in memory as an attachment.
func sendFile(w http.ResponseWriter, ctype, name string, body []byte) error {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, err := w.Write(body) // #nosec G705 -- a file sent as an attachment with its own Content-Type, never as HTML
	return err
}

// portabilityFile sends the portability export (art. 20) of a candidate
// as JSON or as a ZIP of CSV files.
func (s *Server) portabilityFile(w http.ResponseWriter, r *http.Request, q *query, id kluis.ID, format string) error {
	rc, err := s.recordCard(r, id)
	if err != nil {
		return err
	}
	if r, err = s.exportContext(r, q, id, "portability"); err != nil {
		return err
	}
	return s.sendPortability(w, r, rc, format)
}

// sendPortability writes the portability export of a record card (the
// staff's, or the candidate's own through their projection) as JSON or
// as a ZIP of CSV files, and logs it.
func (s *Server) sendPortability(w http.ResponseWriter, r *http.Request, rc *report.RecordCard, format string) error {
	id := rc.Candidate.ID
	p := report.NewPortability(rc, s.catalog)
	var buf bytes.Buffer
	name := "overdraagbaar-" + strconv.FormatInt(id, 10)
	s.logAccess(r.Context(), "download", "candidates", id, id, []string{"portability", format}, "")
	if format == "csv" {
		if err := p.CSV(&buf, s.catalog); err != nil {
			return err
		}
		return sendFile(w, "application/zip", name+"-csv.zip", buf.Bytes())
	}
	if err := p.JSON(&buf); err != nil {
		return err
	}
	return sendFile(w, "application/json", name+".json", buf.Bytes())
}

// portabilityPage is GET /candidates/{id}/portability.json and
// /candidates/{id}/portability-csv.zip.
func (s *Server) portabilityPage(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "candidate")
		if err != nil {
			return err
		}
		return s.portabilityFile(w, r, newQuery(r), id, format)
	}
}

// apiPortability is GET /api/v1/candidates/{id}/portability (?format=csv).
func (s *Server) apiPortability(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	q := newQuery(r)
	format := q.choice("format", kluis.Choices{{Value: "json"}, {Value: "csv"}})
	return s.portabilityFile(w, r, q, id, format)
}
