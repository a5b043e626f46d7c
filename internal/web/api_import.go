package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"

	"kluis/internal/importer"
	"kluis/internal/kluis"
)

// maxImportUpload bounds one import through the API; the set is held in
// memory while it is checked. Bigger sets go through `kluis import`.
const maxImportUpload = 50 << 20

// importFiles takes a multipart form whose parts are the files of one set:
// each part's name is its kind (candidates, clients, placements,
// contact-moments) or "file" to read the kind from the header row.
// ?dry_run=true checks without writing. The answer is the report: 200 when
// the set was stored or the dry run found nothing, 400 when it has problems
// (and nothing was stored).
func (s *Server) importFiles(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	dry := q.str("dry_run")
	if dry != "" && dry != "true" && dry != "false" {
		q.p.Add("dry_run", "Gebruik true of false.", "Use true or false.")
	}
	if err := q.err(); err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return kluis.Errorf(kluis.EUnsupported, "Stuur de bestanden als multipart/form-data.", "Send the files as multipart/form-data.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	var files []importer.File
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errBodyTooLarge
		}
		if err != nil {
			return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
		}
		f := importer.File{Name: part.FileName()}
		if name := part.FormName(); name != "file" {
			k, err := importer.ParseKind(name)
			if err != nil {
				return err
			}
			f.Kind = k
		}
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, part); err != nil {
			if errors.As(err, &tooLarge) {
				return errBodyTooLarge
			}
			return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
		}
		f.Body = &buf
		files = append(files, f)
	}
	if len(files) == 0 {
		p := kluis.Problems{}
		p.Add("file", "Kies ten minste één bestand.", "Choose at least one file.")
		return p.Err()
	}
	rep, err := importer.Run(r.Context(), s.db, actorFrom(r.Context()), files, importer.Options{DryRun: dry == "true"})
	if err != nil {
		s.imports.observe(nil)
		return err
	}
	s.imports.observe(rep)
	code := http.StatusOK
	if !rep.OK() {
		code = http.StatusBadRequest
	}
	writeJSON(w, code, rep)
	return nil
}
