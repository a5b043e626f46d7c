package report

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"

	"kluis/internal/blob"
	"kluis/internal/kluis"
)

// The candidate's documents in a ZIP beside the record card: every file
// as it is kept, under a name that is safe on any system and unique in the
// archive, and a manifest (manifest.json) that ties each file to its
// record — id, kind, the name it was handed in under, type, size, received
// and its SHA-256, checked while the file is written.

// ManifestEntry is one file of a documents ZIP.
type ManifestEntry struct {
	File        string    `json:"file"`
	DocumentID  kluis.ID  `json:"document_id"`
	Kind        string    `json:"kind"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Received    time.Time `json:"received"`
}

// Manifest lists what a documents ZIP holds.
type Manifest struct {
	CandidateID kluis.ID        `json:"candidate_id"`
	Generated   time.Time       `json:"generated"`
	Files       []ManifestEntry `json:"files"`
}

// OpenFunc opens a document's content.
type OpenFunc func(d kluis.Document) (io.ReadCloser, error)

// DocumentsDir is the folder of the files inside a documents ZIP.
const DocumentsDir = "documents/"

// WriteDocumentsZip streams the documents into a ZIP on w, one at a time,
// never holding a whole file in memory. A file whose content does not
// match its recorded fingerprint stops the archive with an error.
func WriteDocumentsZip(w io.Writer, cand kluis.ID, docs []kluis.Document, open OpenFunc, at time.Time) (*Manifest, error) {
	zw := zip.NewWriter(w)
	m, err := AddDocuments(zw, DocumentsDir, cand, docs, open, at)
	if err != nil {
		return nil, err
	}
	return m, zw.Close()
}

// AddDocuments writes docs below dir in zw, and the manifest as
// dir/manifest.json.
func AddDocuments(zw *zip.Writer, dir string, cand kluis.ID, docs []kluis.Document, open OpenFunc, at time.Time) (*Manifest, error) {
	m := &Manifest{CandidateID: cand, Generated: at, Files: []ManifestEntry{}}
	used := map[string]bool{}
	for i, d := range docs {
		name := ZipName(i+1, d, used)
		if err := addDocument(zw, dir+name, d, open, at); err != nil {
			return nil, err
		}
		m.Files = append(m.Files, ManifestEntry{File: name, DocumentID: d.ID, Kind: d.Kind, FileName: d.FileName,
			ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256, Received: d.CreatedAt})
	}
	f, err := zw.CreateHeader(&zip.FileHeader{Name: dir + "manifest.json", Method: zip.Deflate, Modified: at})
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	return m, enc.Encode(m)
}

func addDocument(zw *zip.Writer, name string, d kluis.Document, open OpenFunc, at time.Time) error {
	rc, err := open(d)
	if err != nil {
		return err
	}
	defer rc.Close()
	// Compressed formats are stored as they are; deflating them again
	// costs time and gains nothing.
	method := zip.Deflate
	switch d.ContentType {
	case "application/pdf", "image/jpeg", "image/png", "image/webp",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		method = zip.Store
	}
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: at})
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), rc); err != nil {
		return fmt.Errorf("document %d: %w", d.ID, err)
	}
	if d.SHA256 != "" && hex.EncodeToString(h.Sum(nil)) != d.SHA256 {
		return fmt.Errorf("document %d: the content does not match its fingerprint", d.ID)
	}
	return nil
}

// ZipName is a document's name in the archive: its number, its kind and
// its file name reduced to letters, digits and - _ . (no path, no control
// characters, nothing a file system or an unzip tool could misread), made
// unique in used.
func ZipName(n int, d kluis.Document, used map[string]bool) string {
	base := blob.SafeFileName(d.FileName)
	ext := strings.ToLower(path.Ext(base))
	stem := strings.TrimSuffix(base, path.Ext(base))
	var b strings.Builder
	for _, r := range stem {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)), r == '-', r == '_':
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r) // letters with accents are fine in a UTF-8 name
		default:
			if s := b.String(); s != "" && !strings.HasSuffix(s, "_") {
				b.WriteByte('_')
			}
		}
	}
	stem = strings.Trim(b.String(), "_")
	if r := []rune(stem); len(r) > 80 {
		stem = string(r[:80])
	}
	if stem == "" {
		stem = "document"
	}
	clean := ""
	for _, r := range ext {
		if r == '.' || r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			clean += string(r)
		}
	}
	if len(clean) > 10 || clean == "." {
		clean = ""
	}
	name := fmt.Sprintf("%03d-%s-%s%s", n, d.Kind, stem, clean)
	for i := 2; used[strings.ToLower(name)]; i++ {
		name = fmt.Sprintf("%03d-%s-%s-%d%s", n, d.Kind, stem, i, clean)
	}
	used[strings.ToLower(name)] = true
	return name
}
