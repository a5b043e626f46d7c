package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"kluis/internal/blob"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (s *Server) documentRoutes() []route {
	return []route{
		{"GET", "/candidates/{id}/documents", session, s.candidateTab("documents", s.loadDocuments)},
		{"POST", "/candidates/{id}/documents", session, s.documentUpload},
		{"GET", "/candidates/{id}/documents/{did}/download", session, s.documentDownload},
		{"POST", "/candidates/{id}/documents.zip", session, s.documentsZipAnyway},
		{"POST", "/candidates/{id}/documents/{did}/delete", session, s.documentDelete},
		{"POST", "/candidates/{id}/documents/{did}/disclose", session, s.documentDisclose},
	}
}

// tabListLimit is how many records the document, placement, payroll and
// disclosure tabs show: all of them for any real candidate.
const tabListLimit = kluis.MaxPageSize

// disclosableKinds are the kinds of document the UI records as sent to a
// client. Others (ID copies, pay slips, tax forms) have no business there.
var disclosableKinds = map[string]bool{"cv": true}

// documentsTab is the data of the documents tab.
type documentsTab struct {
	Form  *Form // the upload form
	Items []documentRow
	Total int
	// Disclose is the document being recorded as sent to a client (the
	// form shows only then), with its form and the clients to choose from.
	Disclose     *documentRow
	DiscloseForm *Form
	Clients      []Option
	// ExportForm is the form that exports the documents of a restricted
	// candidate anyway (art. 18(2)), with its reason.
	ExportForm *Form
	tabFlash
}

// Limited reports that not every document is listed.
func (t *documentsTab) Limited() bool { return t.Total > len(t.Items) }

// documentRow is a document as the list shows it.
type documentRow struct {
	kluis.Document
	UserName    string
	SizeText    string
	TypeText    string
	CanDisclose bool
	// ExpiresOn is when R2 removes an ID copy of someone not employed.
	ExpiresOn kluis.Date
}

func (s *Server) loadDocuments(r *http.Request, v *candidatePageView) error {
	var disclose kluis.ID
	if q := r.URL.Query().Get("disclose"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil || id <= 0 {
			return kluis.NotFound("document")
		}
		disclose = id
	}
	return s.fillDocuments(r, v, newForm(v.Lang), disclose, newForm(v.Lang))
}

// fillDocuments loads the tab. disclose, when not 0, is the document whose
// "send to client" form is open, with df as its form.
func (s *Server) fillDocuments(r *http.Request, v *candidatePageView, f *Form, disclose kluis.ID, df *Form) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	items, total, err := s.db.ListDocuments(ctx, a, store.DocumentFilter{CandidateID: v.C.ID, Page: kluis.Page{Limit: tabListLimit},
		Kinds: s.visibleKinds(r.Context(), a.Role)})
	if err != nil {
		return err
	}
	names, err := s.tabUserNames(ctx, a)
	if err != nil {
		return err
	}
	if f.Values["kind"] == "" && !f.HasErrors() {
		f.Values["kind"] = "cv"
	}
	emp, err := s.db.Employment(ctx, a, v.C.ID)
	if err != nil {
		return err
	}
	t := &documentsTab{Form: f, Total: total, ExportForm: newForm(v.Lang)}
	for _, d := range items {
		row := documentRow{Document: d, UserName: tabUserName(names, d.UserID), SizeText: humanSize(v.Lang, d.Size),
			TypeText: documentTypeText(v.Lang, d.ContentType), CanDisclose: disclosableKinds[d.Kind]}
		if d.Kind == "id-copy" {
			row.ExpiresOn = emp.IDCopyExpiry(kluis.DateOf(d.CreatedAt))
		}
		t.Items = append(t.Items, row)
	}
	if disclose != 0 {
		d, err := s.candidateDocument(r, v.C.ID, disclose)
		if err != nil {
			return err
		}
		if !disclosableKinds[d.Kind] {
			return kluis.NotFound("document")
		}
		t.Disclose = &documentRow{Document: *d, SizeText: humanSize(v.Lang, d.Size), TypeText: documentTypeText(v.Lang, d.ContentType)}
		t.DiscloseForm = df
		if t.Clients, _, err = s.tabClientOptions(r); err != nil {
			return err
		}
	}
	v.TabData = t
	return nil
}

// candidateDocument returns a document of the candidate; a document of
// another candidate does not exist under this candidate's URL.
func (s *Server) candidateDocument(r *http.Request, candidate, id kluis.ID) (*kluis.Document, error) {
	d, err := s.db.Document(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return nil, err
	}
	if d.CandidateID != candidate || !s.projector(r.Context()).CanSeeBlob(actorFrom(r.Context()).Role, d.Kind) {
		return nil, kluis.NotFound("document")
	}
	return d, nil
}

// documentUpload stores a document sent as multipart/form-data with the
// fields kind and file (in that order, as the form has them). The file
// streams to the blob store; it is never held in memory whole.
func (s *Server) documentUpload(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "documents")
	if err != nil {
		return err
	}
	f := newForm(v.Lang)
	saved, err := s.receiveDocument(w, r, v.C.ID, f)
	if err != nil {
		return err
	}
	if saved {
		return s.tabChanged(w, r, v, "documents.uploaded", func() error {
			return s.fillDocuments(r, v, newForm(v.Lang), 0, nil)
		})
	}
	if err := s.fillDocuments(r, v, f, 0, nil); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}

// receiveDocument reads the upload form and stores its file; what is
// wrong with it ends up on f. The error is for what is not the user's.
func (s *Server) receiveDocument(w http.ResponseWriter, r *http.Request, candidate kluis.ID, f *Form) (bool, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		f.Errors["file"] = text(f.Lang, "documents.choosefile")
		return false, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, kluis.MaxDocumentBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return false, kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	var tooLarge *http.MaxBytesError
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			f.Errors["file"] = text(f.Lang, "documents.choosefile")
			return false, nil
		}
		if errors.As(err, &tooLarge) {
			f.Errors["file"] = text(f.Lang, "documents.toolarge")
			return false, nil
		}
		if err != nil {
			return false, kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			f.Values["kind"] = strings.TrimSpace(string(b))
		case "file":
			if part.FileName() == "" {
				f.Errors["file"] = text(f.Lang, "documents.choosefile")
				return false, nil
			}
			d := &kluis.Document{CandidateID: candidate, Kind: f.Values["kind"], FileName: part.FileName()}
			if kluis.DocumentKinds.Has(d.Kind) && !s.projector(r.Context()).CanWriteBlob(actorFrom(r.Context()).Role, d.Kind) {
				return false, errNoAccess
			}
			err := s.db.CreateDocument(r.Context(), actorFrom(r.Context()), d, part)
			if errors.As(err, &tooLarge) {
				f.Errors["file"] = text(f.Lang, "documents.toolarge")
				return false, nil
			}
			if err != nil {
				return false, tabFail(f, err, map[string]string{"file_name": "file"})
			}
			return true, nil
		}
		// Other parts are skipped: NextPart discards the rest of this one.
	}
}

// documentsZipAnyway is POST /candidates/{id}/documents.zip: the
// documents of a restricted candidate as a ZIP all the same (art. 18(2)),
// for the reason and with the note of the form, which the store records
// with the export. A missing reason or note shows on the tab's form.
func (s *Server) documentsZipAnyway(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "documents")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	f := formFrom(r, v.Lang, "override_reason", "override_note")
	o := kluis.Override{Reason: f.Values["override_reason"], Note: f.Values["override_note"]}
	if err := o.Validate(); err != nil {
		if err := f.Fail(err); err != nil {
			return err
		}
		if err := s.fillDocuments(r, v, newForm(v.Lang), 0, nil); err != nil {
			return err
		}
		v.TabData.(*documentsTab).ExportForm = f
		return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
	}
	return s.sendDocumentsZip(w, r.WithContext(store.WithOverride(r.Context(), o)), newQuery(r), v.C.ID, false)
}

// documentDownload sends a document's file: always as a download, never
// shown inline, so that an uploaded file cannot act as a page of kluis.
func (s *Server) documentDownload(w http.ResponseWriter, r *http.Request) error {
	c, err := s.pathCandidate(r)
	if err != nil {
		return err
	}
	did, err := tabPathID(r, "did", "document")
	if err != nil {
		return err
	}
	if _, err := s.candidateDocument(r, c.ID, did); err != nil {
		return err
	}
	return s.sendDocument(w, r, did)
}

// documentDelete removes a document of this candidate; one already gone
// counts as deleted.
func (s *Server) documentDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "documents")
	if err != nil {
		return err
	}
	did, err := tabPathID(r, "did", "document")
	if err != nil {
		return err
	}
	d, err := s.db.Document(r.Context(), actorFrom(r.Context()), did)
	switch {
	case kluis.ErrorCode(err) == kluis.ENotFound:
		// Gone already (a second click, a colleague): nothing to do.
	case err != nil:
		return err
	case d.CandidateID != v.C.ID || !s.projector(r.Context()).CanSeeBlob(actorFrom(r.Context()).Role, d.Kind):
		return kluis.NotFound("document")
	case !s.projector(r.Context()).CanWriteBlob(actorFrom(r.Context()).Role, d.Kind):
		return errNoAccess
	default:
		if err := s.db.DeleteDocument(r.Context(), actorFrom(r.Context()), did); err != nil && kluis.ErrorCode(err) != kluis.ENotFound {
			return err
		}
	}
	return s.tabChanged(w, r, v, "documents.deleted", func() error {
		return s.fillDocuments(r, v, newForm(v.Lang), 0, nil)
	})
}

// documentDisclose records that a CV goes to a client: an entry in the
// disclosure register and a contact moment (DiscloseDocument).
func (s *Server) documentDisclose(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "documents")
	if err != nil {
		return err
	}
	did, err := tabPathID(r, "did", "document")
	if err != nil {
		return err
	}
	d, err := s.candidateDocument(r, v.C.ID, did)
	if err != nil {
		return err
	}
	if !disclosableKinds[d.Kind] {
		return kluis.NotFound("document")
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, v.Lang, "client_id", "purpose")
	client := f.Int64("client_id")
	if !f.HasErrors() {
		_, err := s.db.DiscloseDocument(r.Context(), actorFrom(r.Context()), did, client, f.Values["purpose"])
		if err == nil {
			return s.tabChanged(w, r, v, "documents.disclosed", func() error {
				return s.fillDocuments(r, v, newForm(v.Lang), 0, nil)
			})
		}
		if err := tabFail(f, err, map[string]string{"recipient": "client_id"}); err != nil {
			return err
		}
	}
	if err := s.fillDocuments(r, v, newForm(v.Lang), did, f); err != nil {
		return err
	}
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}

// humanSize shows a file size as people read it: 830 B, 12 kB, 1,4 MB.
func humanSize(lang string, n int64) string {
	const k = 1024
	var s string
	switch {
	case n < k:
		return strconv.FormatInt(n, 10) + " B"
	case n < k*k:
		s = oneDecimal(float64(n)/k) + " kB"
	default:
		s = oneDecimal(float64(n)/(k*k)) + " MB"
	}
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func oneDecimal(x float64) string {
	if x >= 10 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// documentTypeText names a stored content type the way users know it.
func documentTypeText(lang, ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	switch strings.TrimSpace(mt) {
	case "application/pdf":
		return "PDF"
	case "image/jpeg":
		return "JPEG"
	case "image/png":
		return "PNG"
	case "image/webp":
		return "WebP"
	case blob.TypeDOCX:
		return "Word (.docx)"
	case blob.TypeDOC:
		return "Word (.doc)"
	case "text/plain":
		return text(lang, "documents.type.text")
	}
	return mt
}
