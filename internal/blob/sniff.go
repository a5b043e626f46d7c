package blob

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SniffLen is how much of an upload Sniff looks at; it matches what
// http.DetectContentType considers.
const SniffLen = 512

// Content types Sniff adds on top of http.DetectContentType, which knows
// neither Office format.
const (
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeDOC  = "application/msword"
)

var (
	// ErrTooLarge is returned when an upload exceeds Policy.MaxBytes.
	ErrTooLarge = errors.New("blob: content too large")
	// ErrTypeNotAllowed is returned when the sniffed content type is not in
	// Policy.Allowed.
	ErrTypeNotAllowed = errors.New("blob: content type not allowed")
)

var (
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	zipMagic = []byte("PK\x03\x04")
)

// Sniff decides the content type of an upload from its first bytes (at most
// SniffLen are considered). The client's file name and Content-Type are
// never consulted: they are whatever the uploader wants them to be, and a
// type we store is a type we may later serve to a recruiter's browser.
//
// Empty content is "application/octet-stream": there is nothing to decide
// by, and http.DetectContentType's "text/plain" would let empty files pass
// a text-only policy.
func Sniff(head []byte) string {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	switch {
	case len(head) == 0:
		return "application/octet-stream"
	case bytes.HasPrefix(head, oleMagic):
		// Any OLE2 compound file (also .xls, .ppt, .msg) looks like this;
		// in a CV upload form it is in practice a Word 97-2003 document.
		return TypeDOC
	case bytes.HasPrefix(head, zipMagic):
		if isDOCX(head) {
			return TypeDOCX
		}
		return "application/zip"
	}
	ct := http.DetectContentType(head)
	if strings.HasPrefix(ct, "text/plain") {
		// A byte-order mark makes http.DetectContentType answer text/plain
		// whatever follows; HTML behind one is still HTML to a browser.
		if inner := http.DetectContentType(afterBOM(head)); strings.HasPrefix(inner, "text/html") || strings.HasPrefix(inner, "text/xml") {
			return inner
		}
	}
	return ct
}

// afterBOM returns the text after a byte-order mark, UTF-16 narrowed to its
// ASCII characters (enough to recognise markup); nil without a mark.
func afterBOM(head []byte) []byte {
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		return head[3:]
	case bytes.HasPrefix(head, []byte("\xFE\xFF")), bytes.HasPrefix(head, []byte("\xFF\xFE")):
		hi := 0 // the byte of each pair that is zero for ASCII
		if head[0] == 0xFF {
			hi = 1
		}
		var out []byte
		for i := 2; i+1 < len(head); i += 2 {
			if head[i+hi] == 0 {
				out = append(out, head[i+1-hi])
			}
		}
		return out
	}
	return nil
}

// isDOCX looks at the names of the ZIP entries whose local headers fall in
// head. Word writes "[Content_Types].xml" first and its "word/" parts
// usually start beyond 512 bytes, so the former has to count as evidence;
// spreadsheets and presentations carry the same first entry, so any visible
// "xl/" or "ppt/" entry overrules it.
func isDOCX(head []byte) bool {
	word, contentTypes := false, false
	for off := 0; off+30 <= len(head) && bytes.Equal(head[off:off+4], zipMagic); {
		flags := binary.LittleEndian.Uint16(head[off+6:])
		size := binary.LittleEndian.Uint32(head[off+18:])
		nameLen := int(binary.LittleEndian.Uint16(head[off+26:]))
		extraLen := int(binary.LittleEndian.Uint16(head[off+28:]))
		name := head[off+30 : min(off+30+nameLen, len(head))]
		switch {
		case bytes.HasPrefix(name, []byte("word/")):
			word = true
		case bytes.HasPrefix(name, []byte("xl/")), bytes.HasPrefix(name, []byte("ppt/")):
			return false
		case string(name) == "[Content_Types].xml":
			contentTypes = true
		}
		data := off + 30 + nameLen + extraLen
		if flags&0x8 == 0 && size != 0xFFFFFFFF {
			off = data + int(size)
			continue
		}
		// Sizes live in a data descriptor after the data (streamed
		// writers, Go's archive/zip among them): find the next header.
		if data >= len(head) {
			break
		}
		i := bytes.Index(head[data:], zipMagic)
		if i < 0 {
			break
		}
		off = data + i
	}
	return word || contentTypes
}

// Policy says which uploads are accepted. The zero Policy accepts nothing,
// so a forgotten Allowed list fails closed.
type Policy struct {
	// MaxBytes is the largest accepted size; zero or negative means no
	// limit.
	MaxBytes int64
	// Allowed lists accepted content types as returned by Sniff. Only the
	// media type (before ';') is compared, so "text/plain" admits
	// "text/plain; charset=utf-8".
	Allowed []string
}

// Check sniffs head and checks it and size (negative when not yet known)
// against p. The sniffed content type is returned even on error, for
// logging and for telling the uploader what was seen.
func (p Policy) Check(head []byte, size int64) (contentType string, err error) {
	ct := Sniff(head)
	if p.MaxBytes > 0 && size > p.MaxBytes {
		return ct, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, size, p.MaxBytes)
	}
	mt := mediaType(ct)
	for _, a := range p.Allowed {
		if strings.EqualFold(mediaType(a), mt) {
			return ct, nil
		}
	}
	return ct, fmt.Errorf("%w: %s", ErrTypeNotAllowed, mt)
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(mt)
}

// CheckedReader checks an upload of unknown length before any of it is
// stored: it peeks SniffLen bytes to decide the content type and returns a
// reader for the whole body (peeked bytes included) that fails with
// ErrTooLarge as soon as the body turns out to exceed p.MaxBytes. The limit
// has to be enforced while streaming because a request's Content-Length is
// the client's claim, not a fact.
func CheckedReader(r io.Reader, p Policy) (contentType string, body io.Reader, err error) {
	br := bufio.NewReaderSize(r, SniffLen)
	head, err := br.Peek(SniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", nil, err
	}
	// len(head) is a lower bound of the size, enough to reject a tiny
	// MaxBytes up front.
	ct, err := p.Check(head, int64(len(head)))
	if err != nil {
		return ct, nil, err
	}
	if p.MaxBytes <= 0 {
		return ct, br, nil
	}
	return ct, &maxReader{r: br, left: p.MaxBytes}, nil
}

// maxReader differs from io.LimitReader in failing instead of pretending
// the content ended, so a truncated document is never stored as complete.
type maxReader struct {
	r    io.Reader
	left int64 // bytes still allowed; -1 once the limit was exceeded
}

func (m *maxReader) Read(p []byte) (int, error) {
	if m.left < 0 {
		return 0, ErrTooLarge
	}
	// Ask for one byte more than allowed: that is how the excess is seen
	// without reading a whole extra buffer.
	if int64(len(p)) > m.left+1 {
		p = p[:m.left+1]
	}
	n, err := m.r.Read(p)
	if int64(n) > m.left {
		n = int(m.left)
		m.left = -1
		return n, ErrTooLarge
	}
	m.left -= int64(n)
	return n, err
}

// maxNameRunes bounds display names; longer names break layouts and some
// file systems when the document is downloaded.
const maxNameRunes = 120

// SafeFileName turns an uploaded file name into one that is safe to show
// and to offer as a download name. It keeps only the base name (browsers on
// Windows send "C:\...\cv.pdf"), drops control and format characters (CR/LF
// would split a Content-Disposition header, bidi overrides disguise
// "cv\u202Efdp.exe" as "cvexe.pdf") and quotes (which end a quoted header
// parameter), collapses whitespace, trims dots and spaces (no hidden files,
// no trailing dots Windows strips), and shortens it to 120 runes keeping the
// extension. It returns "document" when nothing is left.
//
// The result is for display only; it is never used as a path in the store.
func SafeFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.TrimRight(name, `/\`)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '"', r == '\'':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	s := truncateName(strings.Trim(b.String(), ". "), maxNameRunes)
	if s == "" {
		return "document"
	}
	return s
}

// truncateName keeps the extension because it is what makes the download
// open in the right application.
func truncateName(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	stem, ext := s, ""
	// Only something that looks like an extension is kept; a long tail
	// after the last dot is just part of the name.
	if i := strings.LastIndexByte(s, '.'); i > 0 {
		if e := s[i:]; len(e) >= 2 && utf8.RuneCountInString(e) <= 16 && !strings.ContainsRune(e, ' ') {
			stem, ext = s[:i], e
		}
	}
	keep := max - utf8.RuneCountInString(ext)
	for i := range stem {
		if keep == 0 {
			stem = stem[:i]
			break
		}
		keep--
	}
	return strings.TrimRight(stem, ". ") + ext
}
