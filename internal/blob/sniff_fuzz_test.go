package blob

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// documentTypes mirrors what kluis accepts as a document (kluis.DocumentContentTypes),
// without importing the domain into this package's tests.
var documentTypes = []string{"application/pdf", "image/jpeg", "image/png", "image/webp", TypeDOCX, TypeDOC, "text/plain"}

// FuzzSniff feeds any content to the upload check: it never panics, the
// type it names is one Sniff would name for the first 512 bytes, an HTML or
// script file is never taken for a document kind, and the body returned is
// exactly the upload — or fails once it passes the limit, never cut short
// silently.
func FuzzSniff(f *testing.F) {
	for _, b := range [][]byte{pdfHead, pngHead, jpegHead, webpHead, oleHead, exeHead, nil, []byte("<html><script>alert(1)</script>"),
		[]byte("\xef\xbb\xbf<!DOCTYPE html>"), []byte("%PDF-"), []byte("PK\x03\x04"), []byte("PK\x03\x04\x14\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\x05\x00\x00\x00word/"),
		[]byte("PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\x7f\x00\x00\x00\x00\x13\x00\x00\x00[Content_Types].xml"),
		randomBytes(700)} {
		f.Add(b, int64(600))
	}
	f.Fuzz(func(t *testing.T, data []byte, max int64) {
		if max < 0 || max > 1<<20 {
			return
		}
		ct := Sniff(data)
		if ct == "" {
			t.Fatalf("Sniff(%q) named no type", data)
		}
		if isMarkup(data) && ct != "text/html; charset=utf-8" {
			for _, a := range documentTypes {
				if strings.HasPrefix(ct, a) {
					t.Fatalf("Sniff(%q) = %q: HTML taken for a document", data, ct)
				}
			}
		}
		p := Policy{MaxBytes: max, Allowed: documentTypes}
		got, body, err := CheckedReader(bytes.NewReader(data), p)
		if got != ct && err == nil {
			t.Fatalf("CheckedReader named %q, Sniff %q", got, ct)
		}
		if err != nil {
			if !errors.Is(err, ErrTypeNotAllowed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("CheckedReader: unexpected error %v", err)
			}
			return
		}
		out, err := io.ReadAll(body)
		switch {
		case max > 0 && int64(len(data)) > max:
			if !errors.Is(err, ErrTooLarge) || int64(len(out)) > max {
				t.Fatalf("%d bytes past a limit of %d: read %d, err %v", len(data), max, len(out), err)
			}
		case err != nil || !bytes.Equal(out, data):
			t.Fatalf("the body read back differs (%d of %d bytes, err %v)", len(out), len(data), err)
		}
	})
}

// isMarkup is the WHATWG rule for HTML kluis must never take for a
// document: after optional byte-order mark and white space, one of these
// tags followed by a space or '>'.
func isMarkup(data []byte) bool {
	lower := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n\f"))
	for _, tag := range []string{"<!doctype html", "<html", "<script", "<iframe", "<body", "<head"} {
		if rest, ok := bytes.CutPrefix(lower, []byte(tag)); ok && len(rest) > 0 && (rest[0] == ' ' || rest[0] == '>') {
			return true
		}
	}
	return false
}
