package blob

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"unicode"
	"unicode/utf8"
)

type zipEntry struct {
	name   string
	body   string
	method uint16
}

// buildZip writes a real archive, so the tests exercise both stored entries
// (sizes in the local header) and deflated ones (sizes in a trailing data
// descriptor, as archive/zip and other streaming writers produce).
func buildZip(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const contentTypesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`

var (
	pdfHead  = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
	pngHead  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	jpegHead = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	webpHead = []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00")
	oleHead  = append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 24)...)
	exeHead  = []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewChaCha8([32]byte{'k', 'l', 'u', 'i', 's'}))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head func(t *testing.T) []byte
		want string
	}{
		{"a PDF header is a PDF", func(*testing.T) []byte { return pdfHead }, "application/pdf"},
		{"a PNG signature is a PNG", func(*testing.T) []byte { return pngHead }, "image/png"},
		{"a JFIF header is a JPEG", func(*testing.T) []byte { return jpegHead }, "image/jpeg"},
		{"a RIFF WEBP header is a WebP", func(*testing.T) []byte { return webpHead }, "image/webp"},
		{"a ZIP starting with [Content_Types].xml is a DOCX", func(t *testing.T) []byte {
			return buildZip(t,
				zipEntry{"[Content_Types].xml", contentTypesXML, zip.Deflate},
				zipEntry{"_rels/.rels", "<Relationships/>", zip.Deflate})
		}, TypeDOCX},
		{"a ZIP with a word/ part in view is a DOCX", func(t *testing.T) []byte {
			return buildZip(t,
				zipEntry{"_rels/.rels", "<Relationships/>", zip.Store},
				zipEntry{"word/document.xml", "<w:document/>", zip.Store})
		}, TypeDOCX},
		{"a ZIP whose word/ part follows a deflated entry is a DOCX", func(t *testing.T) []byte {
			return buildZip(t,
				zipEntry{"docProps/app.xml", "<Properties/>", zip.Deflate},
				zipEntry{"word/document.xml", "<w:document/>", zip.Deflate})
		}, TypeDOCX},
		{"a spreadsheet sharing the [Content_Types].xml entry is not a DOCX", func(t *testing.T) []byte {
			return buildZip(t,
				zipEntry{"[Content_Types].xml", "<Types/>", zip.Store},
				zipEntry{"xl/workbook.xml", "<workbook/>", zip.Store})
		}, "application/zip"},
		{"an ordinary ZIP stays a ZIP", func(t *testing.T) []byte {
			return buildZip(t, zipEntry{"notes.txt", "hello", zip.Deflate})
		}, "application/zip"},
		{"a ZIP merely mentioning word/ inside an entry stays a ZIP", func(t *testing.T) []byte {
			return buildZip(t, zipEntry{"notes.txt", "see word/document.xml", zip.Store})
		}, "application/zip"},
		{"an OLE2 header is a Word 97-2003 document", func(*testing.T) []byte { return oleHead }, TypeDOC},
		{"plain ASCII is UTF-8 text", func(*testing.T) []byte {
			return []byte("Jan de Vries\nCurriculum vitae\nHeftruckcertificaat 2021\n")
		}, "text/plain; charset=utf-8"},
		{"Dutch text with accents is UTF-8 text", func(*testing.T) []byte {
			return []byte("Zoë van Dijk – ervaring: logistiek, café, crèche\n")
		}, "text/plain; charset=utf-8"},
		{"HTML is HTML, not text, so it can be refused", func(*testing.T) []byte {
			return []byte("<html><script>alert(1)</script></html>")
		}, "text/html; charset=utf-8"},
		{"a Windows executable is opaque bytes", func(*testing.T) []byte { return exeHead }, "application/octet-stream"},
		{"random bytes are opaque bytes", func(*testing.T) []byte { return randomBytes(512) }, "application/octet-stream"},
		{"empty content is opaque bytes, not text", func(*testing.T) []byte { return nil }, "application/octet-stream"},
		{"only the first 512 bytes are considered", func(*testing.T) []byte {
			return append(bytes.Repeat([]byte("a"), SniffLen), randomBytes(100)...)
		}, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sniff(tt.head(t)); got != tt.want {
				t.Errorf("Sniff = %q, want %q", got, tt.want)
			}
		})
	}
}

var cvPolicy = Policy{
	MaxBytes: 1000,
	Allowed:  []string{"application/pdf", "image/jpeg", "image/png", TypeDOCX, TypeDOC, "text/plain"},
}

func TestPolicyCheck(t *testing.T) {
	tests := []struct {
		name     string
		policy   Policy
		head     []byte
		size     int64
		wantType string
		wantErr  error
	}{
		{"an allowed PDF within the limit is accepted", cvPolicy, pdfHead, 500, "application/pdf", nil},
		{"a PDF of exactly the limit is accepted", cvPolicy, pdfHead, 1000, "application/pdf", nil},
		{"a PDF one byte over the limit is too large", cvPolicy, pdfHead, 1001, "application/pdf", ErrTooLarge},
		{"an unknown size is judged by type only", cvPolicy, jpegHead, -1, "image/jpeg", nil},
		{"text is accepted whatever its charset parameter", cvPolicy, []byte("hallo"), 5, "text/plain; charset=utf-8", nil},
		{"HTML is not allowed", cvPolicy, []byte("<!DOCTYPE html><p>hi"), 20, "text/html; charset=utf-8", ErrTypeNotAllowed},
		{"HTML behind a UTF-8 byte-order mark is still HTML", cvPolicy, []byte("\xef\xbb\xbf<!DOCTYPE html><p>hi"), 23, "text/html; charset=utf-8", ErrTypeNotAllowed},
		{"HTML in UTF-16 is still HTML", cvPolicy, []byte("\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00"), 14, "text/html; charset=utf-8", ErrTypeNotAllowed},
		{"HTML in big-endian UTF-16 is still HTML", cvPolicy, []byte("\xfe\xff\x00<\x00s\x00c\x00r\x00i\x00p\x00t\x00>"), 18, "text/html; charset=utf-8", ErrTypeNotAllowed},
		{"text behind a byte-order mark is text", cvPolicy, []byte("\xef\xbb\xbfhallo"), 8, "text/plain; charset=utf-8", nil},
		{"an executable is not allowed", cvPolicy, exeHead, 16, "application/octet-stream", ErrTypeNotAllowed},
		{"a WebP is not allowed unless listed", cvPolicy, webpHead, 20, "image/webp", ErrTypeNotAllowed},
		{"empty content is not allowed by a text policy", cvPolicy, nil, 0, "application/octet-stream", ErrTypeNotAllowed},
		{"the zero policy accepts nothing", Policy{}, pdfHead, 10, "application/pdf", ErrTypeNotAllowed},
		{"a zero MaxBytes means no size limit", Policy{Allowed: []string{"application/pdf"}}, pdfHead, 1 << 40, "application/pdf", nil},
		{"allowed entries are compared case-insensitively and without parameters",
			Policy{Allowed: []string{" Application/PDF; q=1"}}, pdfHead, 10, "application/pdf", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := tt.policy.Check(tt.head, tt.size)
			if ct != tt.wantType {
				t.Errorf("content type = %q, want %q", ct, tt.wantType)
			}
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestCheckedReader(t *testing.T) {
	pdf := func(n int) []byte {
		return append(bytes.Clone(pdfHead), bytes.Repeat([]byte("0"), n-len(pdfHead))...)
	}
	errNetwork := errors.New("connection reset")
	tests := []struct {
		name         string
		policy       Policy
		input        io.Reader
		wantType     string
		wantCheckErr error
		wantReadErr  error
		wantLen      int
	}{
		{"a body within the limit is passed through whole, even in one-byte reads",
			cvPolicy, iotest.OneByteReader(bytes.NewReader(pdf(900))), "application/pdf", nil, nil, 900},
		{"a body shorter than the sniff window is passed through whole",
			cvPolicy, bytes.NewReader(pdf(100)), "application/pdf", nil, nil, 100},
		{"a body of exactly MaxBytes is passed through whole",
			cvPolicy, bytes.NewReader(pdf(1000)), "application/pdf", nil, nil, 1000},
		{"a body one byte past MaxBytes fails with ErrTooLarge without delivering the excess",
			cvPolicy, bytes.NewReader(pdf(1001)), "application/pdf", nil, ErrTooLarge, 1000},
		{"a body far past MaxBytes fails with ErrTooLarge in small reads too",
			cvPolicy, iotest.HalfReader(bytes.NewReader(pdf(5000))), "application/pdf", nil, ErrTooLarge, 1000},
		{"a body whose sniff window already exceeds MaxBytes is rejected before reading",
			Policy{MaxBytes: 100, Allowed: []string{"application/pdf"}}, bytes.NewReader(pdf(600)), "application/pdf", ErrTooLarge, nil, 0},
		{"a disallowed type is rejected before reading",
			cvPolicy, bytes.NewReader(exeHead), "application/octet-stream", ErrTypeNotAllowed, nil, 0},
		{"a read error while sniffing is returned",
			cvPolicy, iotest.ErrReader(errNetwork), "", errNetwork, nil, 0},
		{"a read error after sniffing is returned by the body",
			cvPolicy, io.MultiReader(bytes.NewReader(pdf(600)), iotest.ErrReader(errNetwork)), "application/pdf", nil, errNetwork, 600},
		{"no limit passes any size through",
			Policy{Allowed: []string{"application/pdf"}}, bytes.NewReader(pdf(100000)), "application/pdf", nil, nil, 100000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, body, err := CheckedReader(tt.input, tt.policy)
			if ct != tt.wantType {
				t.Errorf("content type = %q, want %q", ct, tt.wantType)
			}
			if !errors.Is(err, tt.wantCheckErr) || (err != nil) != (tt.wantCheckErr != nil) {
				t.Fatalf("CheckedReader: err = %v, want %v", err, tt.wantCheckErr)
			}
			if err != nil {
				return
			}
			got, err := io.ReadAll(body)
			if !errors.Is(err, tt.wantReadErr) || (err != nil) != (tt.wantReadErr != nil) {
				t.Errorf("reading body: err = %v, want %v", err, tt.wantReadErr)
			}
			if len(got) != tt.wantLen {
				t.Errorf("body delivered %d bytes, want %d", len(got), tt.wantLen)
			}
			if !bytes.HasPrefix(got, pdfHead) {
				t.Errorf("body does not start with the sniffed bytes")
			}
			if n, err := body.Read(make([]byte, 10)); tt.wantReadErr == ErrTooLarge && (n != 0 || err != ErrTooLarge) {
				t.Errorf("read after exceeding the limit = %d, %v; want 0, ErrTooLarge", n, err)
			}
		})
	}
}

func TestSafeFileName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"a relative path is reduced to its base name", "../../etc/passwd", "passwd"},
		{"a Windows path is reduced to its base name", `C:\Users\x\cv.pdf`, "cv.pdf"},
		{"a mixed-separator path is reduced to its base name", `a/b\c/d\cv.pdf`, "cv.pdf"},
		{"a trailing separator does not empty the name", "scans/", "scans"},
		{"double quotes are removed", `"quote".pdf`, "quote.pdf"},
		{"single quotes are removed", "O'Brien CV.pdf", "OBrien CV.pdf"},
		{"newlines become single spaces", "cv\r\nJan\nde Vries.pdf", "cv Jan de Vries.pdf"},
		{"runs of whitespace collapse and ends are trimmed", " \tJan   de\u00a0 Vries .pdf  ", "Jan de Vries .pdf"},
		{"control characters are removed", "cv\x00\x07\x1b[31m\x7f.pdf", "cv[31m.pdf"},
		{"a right-to-left override cannot disguise the extension", "cv\u202efdp.exe", "cvfdp.exe"},
		{"invalid UTF-8 is dropped", "cv\xff\xfe.pdf", "cv.pdf"},
		{"leading dots do not make a hidden file", ".bashrc", "bashrc"},
		{"trailing dots and spaces are trimmed", "cv.pdf. . ", "cv.pdf"},
		{"a 300-character name is cut to 120 keeping the extension", strings.Repeat("a", 296) + ".pdf", strings.Repeat("a", 116) + ".pdf"},
		{"a 300-rune name is cut by runes, not bytes", strings.Repeat("é", 300) + ".docx", strings.Repeat("é", 115) + ".docx"},
		{"a cut does not leave dots before the extension", strings.Repeat("a", 115) + ".......tail.pdf", strings.Repeat("a", 115) + ".pdf"},
		{"a long tail after the last dot is not treated as an extension", strings.Repeat("x", 100) + "." + strings.Repeat("y", 100), strings.Repeat("x", 100) + "." + strings.Repeat("y", 19)},
		{"an empty name becomes document", "", "document"},
		{"a name of only dots becomes document", "...", "document"},
		{"a bare parent reference becomes document", "a/..", "document"},
		{"a name of only control characters becomes document", "\x00\n\t", "document"},
		{"an ordinary name is kept as is", "CV Zoë van Dijk (2024).pdf", "CV Zoë van Dijk (2024).pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SafeFileName(tt.in); got != tt.want {
				t.Errorf("SafeFileName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzSafeFileName(f *testing.F) {
	for _, s := range []string{
		"", "cv.pdf", "../../etc/passwd", `C:\Users\x\cv.pdf`, `"quote".pdf`, "a\nb", "\u202e",
		strings.Repeat("a", 300), strings.Repeat("é", 200) + ".pdf", ". . .", "\xff", "a/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SafeFileName(in)
		if got == "" {
			t.Fatalf("SafeFileName(%q) is empty", in)
		}
		if strings.ContainsAny(got, `/\"'`) {
			t.Fatalf("SafeFileName(%q) = %q contains a separator or quote", in, got)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("SafeFileName(%q) = %q is not valid UTF-8", in, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("SafeFileName(%q) = %q contains control or format character %U", in, got, r)
			}
		}
		if n := utf8.RuneCountInString(got); n > maxNameRunes {
			t.Fatalf("SafeFileName(%q) = %q has %d runes", in, got, n)
		}
		if strings.Trim(got, ". ") != got || strings.Contains(got, "  ") {
			t.Fatalf("SafeFileName(%q) = %q has untrimmed dots or spaces", in, got)
		}
		if again := SafeFileName(got); again != got {
			t.Fatalf("SafeFileName is not idempotent: %q -> %q -> %q", in, got, again)
		}
	})
}
