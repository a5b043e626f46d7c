package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// fpdf compresses each page's content with a zlib writer of its own, and a
// new compressor allocates and clears about a megabyte: for a record card
// of fifty pages that was two thirds of the bytes allocated and a third of
// the time. So Doc has fpdf write its pages uncompressed and compresses
// them here, as fpdf would (zlib, best speed, the same stream dictionary),
// with writers reused through a pool; the cross-reference table is
// written anew for the shifted offsets. The file is byte for byte the one
// fpdf writes with compression on (TestPagesAreCompressedAsFpdfWould).

var zlibWriters = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed) // the level is valid
	return zw
}}

// deflate appends the zlib stream of data to dst.
func deflate(dst *bytes.Buffer, data []byte) error {
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	zw.Reset(dst)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	return zw.Close()
}

var errLayout = errors.New("pdf: fpdf's output is not laid out as expected")

// compressPages writes the PDF in raw — as fpdf writes it without
// compression — to w with every page's content stream compressed.
func compressPages(w io.Writer, raw []byte) error {
	offsets, xref, err := readXref(raw)
	if err != nil {
		return err
	}
	// The content objects, from the pages that name them.
	contents := map[int]bool{}
	for n := 1; n < len(offsets); n++ {
		if !bytes.HasPrefix(raw[offsets[n]:], []byte(strconv.Itoa(n)+" 0 obj\n<</Type /Page\n")) {
			continue
		}
		_, after, ok := bytes.Cut(objectAt(raw, offsets, n), []byte("/Contents "))
		if !ok {
			return fmt.Errorf("%w: page object %d has no contents", errLayout, n)
		}
		num, _, _ := bytes.Cut(after, []byte(" "))
		c, err := strconv.Atoi(string(num))
		if err != nil || c <= 0 || c >= len(offsets) {
			return fmt.Errorf("%w: page object %d names contents %q", errLayout, n, num)
		}
		contents[c] = true
	}

	var out bytes.Buffer
	out.Grow(len(raw) / 2)
	newOffsets := make([]int, len(offsets))
	last := 0 // raw is copied up to here
	for n := 1; n < len(offsets); n++ {
		if !contents[n] {
			continue
		}
		start := offsets[n]
		// "N 0 obj\n<</Length L>>\nstream\n" L bytes "\nendstream\nendobj\n"
		head := []byte(strconv.Itoa(n) + " 0 obj\n<</Length ")
		if start < last || !bytes.HasPrefix(raw[start:], head) {
			return fmt.Errorf("%w: content object %d", errLayout, n)
		}
		p := start + len(head)
		end := bytes.IndexByte(raw[p:], '>')
		if end < 0 {
			return fmt.Errorf("%w: content object %d", errLayout, n)
		}
		length, err := strconv.Atoi(string(raw[p : p+end]))
		p += end
		const streamStart, streamEnd = ">>\nstream\n", "\nendstream\nendobj\n"
		if err != nil || !bytes.HasPrefix(raw[p:], []byte(streamStart)) || p+len(streamStart)+length+len(streamEnd) > len(raw) ||
			!bytes.HasPrefix(raw[p+len(streamStart)+length:], []byte(streamEnd)) {
			return fmt.Errorf("%w: content object %d", errLayout, n)
		}
		data := raw[p+len(streamStart) : p+len(streamStart)+length]
		copyRaw(&out, raw, offsets, newOffsets, last, start)
		newOffsets[n] = out.Len()
		var z bytes.Buffer
		z.Grow(length / 2)
		if err := deflate(&z, data); err != nil {
			return fmt.Errorf("pdf: compress page content: %w", err)
		}
		fmt.Fprintf(&out, "%d 0 obj\n<</Filter /FlateDecode /Length %d>>\nstream\n", n, z.Len())
		out.Write(z.Bytes())
		out.WriteString(streamEnd)
		last = p + len(streamStart) + length + len(streamEnd)
	}
	copyRaw(&out, raw, offsets, newOffsets, last, xref)

	// The cross-reference table, the trailer as it was, and where the
	// table now starts.
	tableAt := out.Len()
	out.WriteString("xref\n0 " + strconv.Itoa(len(offsets)) + "\n0000000000 65535 f \n")
	for n := 1; n < len(offsets); n++ {
		fmt.Fprintf(&out, "%010d 00000 n \n", newOffsets[n])
	}
	tail := raw[xref:]
	i := bytes.Index(tail, []byte("trailer\n"))
	j := bytes.LastIndex(tail, []byte("startxref\n"))
	if i < 0 || j < i {
		return fmt.Errorf("%w: trailer", errLayout)
	}
	out.Write(tail[i:j])
	out.WriteString("startxref\n" + strconv.Itoa(tableAt) + "\n%%EOF\n")
	_, err = out.WriteTo(w)
	return err
}

// copyRaw copies raw[from:to] to out, noting the new offsets of the
// objects that start in it.
func copyRaw(out *bytes.Buffer, raw []byte, offsets, newOffsets []int, from, to int) {
	shift := out.Len() - from
	for n := 1; n < len(offsets); n++ {
		if offsets[n] >= from && offsets[n] < to {
			newOffsets[n] = offsets[n] + shift
		}
	}
	out.Write(raw[from:to])
}

// readXref returns the offsets of the objects (index 0 unused) from the
// cross-reference table at the end of raw, and where the table starts.
func readXref(raw []byte) (offsets []int, at int, err error) {
	end := bytes.LastIndex(raw, []byte("startxref\n"))
	if end < 0 {
		return nil, 0, fmt.Errorf("%w: no startxref", errLayout)
	}
	num, _, _ := bytes.Cut(raw[end+len("startxref\n"):], []byte("\n"))
	at, err = strconv.Atoi(string(num))
	if err != nil || at < 0 || at >= end || !bytes.HasPrefix(raw[at:], []byte("xref\n0 ")) {
		return nil, 0, fmt.Errorf("%w: startxref %q", errLayout, num)
	}
	p := at + len("xref\n0 ")
	nl := bytes.IndexByte(raw[p:], '\n')
	if nl < 0 {
		return nil, 0, fmt.Errorf("%w: xref", errLayout)
	}
	count, err := strconv.Atoi(string(raw[p : p+nl]))
	const entry = 20 // "0000001234 00000 n \n"
	p += nl + 1
	if err != nil || count < 1 || p+count*entry > len(raw) {
		return nil, 0, fmt.Errorf("%w: xref size", errLayout)
	}
	offsets = make([]int, count)
	for n := 1; n < count; n++ {
		e := raw[p+n*entry : p+(n+1)*entry]
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil || string(e[10:]) != " 00000 n \n" || off <= 0 || off >= at {
			return nil, 0, fmt.Errorf("%w: xref entry %d", errLayout, n)
		}
		offsets[n] = off
	}
	return offsets, at, nil
}

// objectAt returns object n's text, up to the next object or the table.
func objectAt(raw []byte, offsets []int, n int) []byte {
	end := len(raw)
	if n+1 < len(offsets) && offsets[n+1] > offsets[n] {
		end = offsets[n+1]
	}
	obj := raw[offsets[n]:end]
	if i := bytes.Index(obj, []byte("endobj\n")); i >= 0 {
		obj = obj[:i]
	}
	return obj
}
