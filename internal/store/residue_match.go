package store

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// A matcher finds the forms of the identifiers in bytes folded to ASCII
// lower case. Folding only ASCII keeps byte offsets of raw files exact; for
// names with other letters the all-lower and all-upper forms are searched
// as well.
//
// Every needle is at least minIdentifierLen bytes long, so each is filed
// under its first two bytes: a scan reads the data once, looks each pair
// of bytes up in a bit set that fits in the processor's first cache, and
// compares needles only where one may start. (A pass of bytes.Index per
// needle read a 2 GB database file some three hundred times for a sample
// of ten candidates.)
type matcher struct {
	needles []needle
	longest int
	pairs   [1 << 16 / 64]uint64 // bit k: a needle starts with the bytes k>>8, k&0xff
	byPair  map[uint16][]int32   // the needles that start with a pair
}

type needle struct {
	id   int
	form []byte
}

func newMatcher(ids []Identifier) (*matcher, error) {
	m := &matcher{}
	for i, id := range ids {
		if _, ok := IdentifierKinds[id.Kind]; !ok {
			return nil, fmt.Errorf("identifier %d: unknown kind %q", i+1, id.Kind)
		}
		v := strings.TrimSpace(id.Value)
		if len([]rune(v)) < minIdentifierLen {
			return nil, fmt.Errorf("identifier %d (%s) is shorter than %d characters: it would match almost everywhere", i+1, IdentifierKinds[id.Kind], minIdentifierLen)
		}
		seen := map[string]bool{}
		for _, f := range forms(id.Kind, v) {
			b := asciiLower(nil, []byte(f))
			if len(f) < minIdentifierLen || seen[string(b)] {
				continue
			}
			seen[string(b)] = true
			m.needles = append(m.needles, needle{i, b})
			m.longest = max(m.longest, len(b))
		}
	}
	m.byPair = map[uint16][]int32{}
	for j, n := range m.needles {
		k := pairAt(n.form, 0)
		m.pairs[k>>6] |= 1 << (k & 63)
		m.byPair[k] = append(m.byPair[k], int32(j))
	}
	return m, nil
}

func pairAt(b []byte, i int) uint16 { return uint16(b[i])<<8 | uint16(b[i+1]) }

// forms are the ways a value may have been written down.
func forms(kind, v string) []string {
	out := []string{v, strings.ToLower(v), strings.ToUpper(v)}
	compact := strings.Join(strings.Fields(v), "")
	switch kind {
	case "bsn", "phone":
		d := digits(v)
		out = append(out, d)
		if kind == "phone" {
			// 06-12345678, +31 6 12345678 and 0031612345678 share the
			// national number 612345678.
			switch {
			case strings.HasPrefix(d, "0031"):
				out = append(out, d[4:])
			case strings.HasPrefix(d, "31") && strings.HasPrefix(v, "+"):
				out = append(out, d[2:])
			case strings.HasPrefix(d, "0") && !strings.HasPrefix(d, "00"):
				out = append(out, d[1:])
			}
		}
	case "iban":
		compact = strings.ToUpper(compact)
		out = append(out, compact, groupsOf4(compact))
	case "document-number", "file-hash":
		out = append(out, compact, strings.NewReplacer("-", "", ".", "").Replace(compact))
	case "email":
		out = append(out, compact)
	}
	return out
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// groupsOf4 writes an IBAN as it is printed: NL91 ABNA 0417 1643 00.
func groupsOf4(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// asciiLower appends b folded to ASCII lower case to dst.
func asciiLower(dst, b []byte) []byte {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// each calls fn for every occurrence of every needle in folded, with the
// identifier, the offset and the length of the match.
// The calls come in order of offset.
func (m *matcher) each(folded []byte, fn func(id, off, length int)) {
	m.scan(folded, func(id, off, length int) bool {
		fn(id, off, length)
		return true
	})
}

func (m *matcher) matches(folded []byte) bool {
	found := false
	m.scan(folded, func(int, int, int) bool {
		found = true
		return false
	})
	return found
}

// scan calls fn for the matches in folded until fn returns false.
func (m *matcher) scan(folded []byte, fn func(id, off, length int) bool) {
	for i := 0; i+1 < len(folded); i++ {
		k := pairAt(folded, i)
		if m.pairs[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		for _, j := range m.byPair[k] {
			n := &m.needles[j]
			if bytes.HasPrefix(folded[i:], n.form) && !fn(n.id, i, len(n.form)) {
				return
			}
		}
	}
}

// streamChunk is how much of a stream is read at a time.
const streamChunk = 256 << 10

// stream searches r in chunks, keeping the last longest-1 bytes of each
// window in front of the next so that a match across a chunk boundary is
// found, and found once. fn gets the identifier, the byte offset, the length
// of the match and its line number (from 1), in order of offset.
func (m *matcher) stream(ctx context.Context, r io.Reader, fn func(id int, off int64, length, line int)) error {
	if len(m.needles) == 0 {
		_, err := io.Copy(io.Discard, r)
		return err
	}
	keep := m.longest - 1
	br := bufio.NewReaderSize(r, streamChunk)
	window := make([]byte, 0, keep+streamChunk)
	var base int64 // offset of window[0] in the stream
	line := 1
	counted := 0 // window[:counted] has been counted for line numbers
	type at struct{ id, off, length int }
	var found []at
	chunk := make([]byte, streamChunk)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := io.ReadFull(br, chunk)
		if n > 0 {
			start := len(window)
			window = asciiLower(window, chunk[:n])
			found = found[:0]
			m.each(window, func(id, off, length int) {
				// Ending inside the kept tail means it was found in the
				// previous window already.
				if off+length > start {
					found = append(found, at{id, off, length})
				}
			})
			slices.SortFunc(found, func(a, b at) int { return a.off - b.off })
			for _, f := range found {
				if f.off > counted {
					line += bytes.Count(window[counted:f.off], []byte{'\n'})
					counted = f.off
				}
				fn(f.id, base+int64(f.off), f.length, line)
			}
			line += bytes.Count(window[counted:], []byte{'\n'})
			cut := max(0, len(window)-keep)
			base += int64(cut)
			window = append(window[:0], window[cut:]...)
			counted = len(window)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
