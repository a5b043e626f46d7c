package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"kluis/internal/blob"
	"kluis/internal/kluis"
)

var documents = &table[kluis.Document]{
	name: "documents", kind: "document",
	columns: []string{"candidate_id", "kind", "file_name", "content_type", "size", "sha256", "blob_key", "user_id", "created_at"},
	values: func(d *kluis.Document) []any {
		return []any{d.CandidateID, d.Kind, d.FileName, d.ContentType, d.Size, d.SHA256, d.BlobKey, nullID(d.UserID), d.CreatedAt}
	},
	targets: func(d *kluis.Document) []any {
		return []any{&d.TenantID, &d.ID, &d.CandidateID, &d.Kind, &d.FileName, &d.ContentType, &d.Size, &d.SHA256, &d.BlobKey,
			(*nullID)(&d.UserID), &d.CreatedAt}
	},
	key: func(d *kluis.Document) (*kluis.ID, *kluis.ID) { return &d.TenantID, &d.ID },
}

// DocumentPolicy is what an upload must satisfy, checked by content.
var DocumentPolicy = blob.Policy{MaxBytes: kluis.MaxDocumentBytes, Allowed: kluis.DocumentContentTypes}

// DocumentFilter narrows the document list.
type DocumentFilter struct {
	CandidateID kluis.ID
	Kind        string
	// Kinds, when set, keeps only documents of these kinds (those the
	// viewer may see); an empty, non-nil list keeps none.
	Kinds []string
	Page  kluis.Page
}

// ListDocuments returns documents, newest first.
func (db *DB) ListDocuments(ctx context.Context, a kluis.Actor, f DocumentFilter) ([]kluis.Document, int, error) {
	w := tenantWhere(a.TenantID)
	scopeWhere(w, documents, a)
	if f.CandidateID != 0 {
		w.add("candidate_id = ?", f.CandidateID)
	}
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.Kinds != nil {
		if len(f.Kinds) == 0 {
			w.add("1 = 0")
		} else {
			in := make([]any, len(f.Kinds))
			for i, k := range f.Kinds {
				in[i] = k
			}
			w.add("kind IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(in)), ", ")+")", in...)
		}
	}
	var out []kluis.Document
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) (err error) {
		out, total, err = documents.list(ctx, db, tx, w, "created_at DESC, id DESC", f.Page)
		return err
	})
	return out, total, err
}

// Document returns the metadata of one document.
func (db *DB) Document(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Document, error) {
	return getOne(ctx, db, documents, a, id)
}

// OpenDocument returns the metadata and the content of a document,
// refused while its candidate's processing is restricted unless MayExport
// lets it go.
func (db *DB) OpenDocument(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Document, io.ReadCloser, error) {
	d, err := db.Document(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	// The file leaves kluis: not of a restricted candidate (exports.go).
	if _, err := db.MayExport(ctx, a, d.CandidateID, "documents"); err != nil {
		return nil, nil, err
	}
	rc, err := db.blobs.Open(ctx, d.BlobKey)
	if err != nil {
		return nil, nil, fmt.Errorf("open blob of document %d: %w", d.ID, err)
	}
	k, err := db.subjectKey(ctx, a.TenantID, d.CandidateID)
	if err != nil {
		rc.Close()
		return nil, nil, err
	}
	plain, err := k.DecryptReader(rc, documentAAD(a.TenantID, d.ID))
	if err != nil {
		rc.Close()
		return nil, nil, fmt.Errorf("open document %d: %w", d.ID, err)
	}
	return d, readCloser{Reader: plain, Closer: rc}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

var errUpload = map[error]*kluis.Error{
	blob.ErrTooLarge: {Code: kluis.ETooLarge, Fields: map[string]kluis.Msg{"file": {
		NL: "Het bestand is te groot (hooguit " + strconv.Itoa(kluis.MaxDocumentBytes>>20) + " MB).",
		EN: "The file is too large (at most " + strconv.Itoa(kluis.MaxDocumentBytes>>20) + " MB)."}},
		Message: kluis.Msg{NL: "Het bestand is te groot.", EN: "The file is too large."}},
	blob.ErrTypeNotAllowed: {Code: kluis.EUnsupported, Fields: map[string]kluis.Msg{"file": {
		NL: "Dit soort bestand wordt niet aangenomen: gebruik PDF, JPEG, PNG, WebP, Word of platte tekst.",
		EN: "This kind of file is not accepted: use PDF, JPEG, PNG, WebP, Word or plain text."}},
		Message: kluis.Msg{NL: "Dit soort bestand wordt niet aangenomen.", EN: "This kind of file is not accepted."}},
}

func uploadError(err error) error {
	for sentinel, e := range errUpload {
		if errors.Is(err, sentinel) {
			c := *e
			c.Err = err
			return &c
		}
	}
	return err
}

// CreateDocument stores an uploaded file for a candidate. The content goes
// to the blob store first; if the row cannot be written the blob is removed
// again, so neither can exist without the other for longer than this call.
func (db *DB) CreateDocument(ctx context.Context, a kluis.Actor, d *kluis.Document, content io.Reader) error {
	d.TenantID, d.UserID = a.TenantID, a.UserID
	d.FileName = blob.SafeFileName(d.FileName)
	ctype, body, err := blob.CheckedReader(content, DocumentPolicy)
	if err != nil {
		return uploadError(err)
	}
	d.ContentType = ctype
	if err := d.Validate(); err != nil {
		return err
	}
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return err
	}
	defer done()
	if ok, err := candidates.exists(ctx, rd, a.TenantID, d.CandidateID); err != nil {
		return err
	} else if !ok {
		p := kluis.Problems{}
		p.Add("candidate_id", "Bestaat niet (meer).", "Does not exist (any more).")
		return p.Err()
	}
	done()
	d.ID = db.ids.Next()
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	// The key names no person; the random part keeps keys unguessable.
	d.BlobKey = fmt.Sprintf("t%d/d%d-%s", a.TenantID, d.ID, hex.EncodeToString(rnd[:]))
	// The file is stored sealed with the candidate's key; its size and
	// fingerprint are of the plain content.
	h := sha256.New()
	plain := &countingReader{r: io.TeeReader(body, h)}
	sealed, err := db.sealBlob(ctx, a.TenantID, d.CandidateID, d.ID, plain)
	if err != nil {
		return err
	}
	if _, err := db.blobs.Put(ctx, d.BlobKey, sealed); err != nil {
		return uploadError(fmt.Errorf("store document content: %w", err))
	}
	n := plain.n
	if n == 0 {
		_ = db.blobs.Delete(ctx, d.BlobKey)
		p := kluis.Problems{}
		p.Add("file", "Het bestand is leeg.", "The file is empty.")
		return p.Err()
	}
	d.Size, d.SHA256, d.CreatedAt = n, hex.EncodeToString(h.Sum(nil)), db.now()
	err = db.write(ctx, a, func(tx *writeTx) error {
		p := kluis.Problems{}
		if err := checkRef(ctx, tx, candidates, a.TenantID, d.CandidateID, p, "candidate_id"); err != nil {
			return err
		}
		if err := checkCollectedKind(ctx, tx, a.TenantID, d.Kind, p); err != nil {
			return err
		}
		if d.Kind == "id-copy" {
			emp, err := employmentOf(ctx, tx, a.TenantID, d.CandidateID)
			if err != nil {
				return err
			}
			if emp.OnlySelfEmployed() {
				kluis.ErrIDCopySelfEmployed(p)
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		return documents.insert(ctx, db, tx, d)
	})
	if err != nil {
		_ = db.blobs.Delete(context.WithoutCancel(ctx), d.BlobKey)
		return err
	}
	return nil
}

// DeleteDocument removes a document row and then its content.
func (db *DB) DeleteDocument(ctx context.Context, a kluis.Actor, id kluis.ID) error {
	var key string
	err := db.write(ctx, a, func(tx *writeTx) error {
		d, err := documents.get(ctx, db, tx, a.TenantID, id)
		if err != nil {
			return err
		}
		key = d.BlobKey
		return documents.delete(ctx, tx, a.TenantID, id, 0)
	})
	if err != nil {
		return err
	}
	return db.deleteBlobs(ctx, []string{key})
}

// DiscloseDocument records that a document (typically a CV) goes to a
// client: a disclosure and a contact moment, in one transaction.
func (db *DB) DiscloseDocument(ctx context.Context, a kluis.Actor, docID, clientID kluis.ID, purpose string) (*kluis.Disclosure, error) {
	var out *kluis.Disclosure
	err := db.write(ctx, a, func(tx *writeTx) error {
		d, err := documents.get(ctx, db, tx, a.TenantID, docID)
		if err != nil {
			return err
		}
		category := "documents"
		if d.Kind == "id-copy" {
			category = "id-document"
		}
		disc := &kluis.Disclosure{TenantID: a.TenantID, UserID: a.UserID, CandidateID: d.CandidateID, RecipientKind: "client",
			ClientID: clientID, Categories: []string{category}, Purpose: purpose}
		if err := disc.Validate(db.now()); err != nil {
			return err
		}
		if err := db.insertDisclosure(ctx, tx, disc); err != nil {
			return err
		}
		kind := "other"
		if d.Kind == "cv" {
			kind = "cv-sent"
		}
		m := &kluis.ContactMoment{TenantID: a.TenantID, UserID: a.UserID, CandidateID: d.CandidateID, Kind: kind,
			At: disc.DisclosedAt, Note: "Document " + strconv.FormatInt(d.ID, 10) + " verstrekt aan opdrachtgever " + strconv.FormatInt(clientID, 10) + "."}
		if err := m.Validate(db.now()); err != nil {
			return err
		}
		if err := db.insertContactMoment(ctx, tx, m); err != nil {
			return err
		}
		out = disc
		return nil
	})
	return out, err
}

func blobKeys(ctx context.Context, tx querier, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// deleteBlobs removes contents whose rows are gone. It runs after commit, so
// a failure leaves an orphan blob (found by listing the store), never a row
// without its content.
func (db *DB) deleteBlobs(ctx context.Context, keys []string) error {
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for _, k := range keys {
		if err := db.blobs.Delete(ctx, k); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("delete %d document contents: %w", len(errs), errors.Join(errs...))
	}
	return nil
}
