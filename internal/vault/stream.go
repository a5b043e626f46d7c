package vault

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Streams encrypt files (documents, photos) too large to seal in one piece.
// They follow the STREAM construction (Hoang, Reyhanitabar, Rogaway and
// Vizár, 2015), as age does:
//
//	"KLB1" || prefix (7 random bytes) || segment_0 || … || segment_n
//	segment_i = AES-256-GCM(nonce = prefix || uint32be(i) || last, plaintext_i, aad)
//
// Every segment holds streamSegment bytes of plaintext except the last,
// which holds 0 to streamSegment bytes and is the only one with last = 1.
// The counter in the nonce makes reordering and dropping segments fail
// authentication, and the last flag makes truncation at a segment boundary
// fail, since the segment before the cut was sealed with last = 0.
const (
	streamMagic   = "KLB1"
	streamPrefix  = 7
	streamHeader  = len(streamMagic) + streamPrefix
	streamSegment = 64 << 10
	streamSealed  = streamSegment + gcmTagSize
)

var errClosed = errors.New("vault: encrypt writer is closed")

// EncryptWriter returns a writer that encrypts what is written to it onto
// w. Close must be called to write the final segment; without it the
// stream is truncated and does not decrypt. Close does not close w.
func (k *SubjectKey) EncryptWriter(w io.Writer, aad string) (io.WriteCloser, error) {
	sw := &streamWriter{w: w, aead: k.stream, aad: []byte(aad),
		buf: make([]byte, 0, streamSegment), out: make([]byte, 0, streamSealed)}
	header := make([]byte, streamHeader)
	copy(header, streamMagic)
	if _, err := rand.Read(header[len(streamMagic):]); err != nil {
		return nil, err
	}
	copy(sw.nonce[:streamPrefix], header[len(streamMagic):])
	if _, err := w.Write(header); err != nil {
		return nil, err
	}
	return sw, nil
}

type streamWriter struct {
	w     io.Writer
	aead  cipher.AEAD
	aad   []byte
	nonce [gcmNonceSize]byte
	n     uint32 // segments written
	buf   []byte // plaintext of the segment being filled
	out   []byte
	err   error // sticky: a stream with a failed write is broken for good
}

func (sw *streamWriter) Write(p []byte) (int, error) {
	if sw.err != nil {
		return 0, sw.err
	}
	written := 0
	for len(p) > 0 {
		// A full segment is sealed only once more data arrives: until
		// then it may still be the last one.
		if len(sw.buf) == streamSegment {
			if err := sw.seal(false); err != nil {
				return written, err
			}
		}
		n := copy(sw.buf[len(sw.buf):streamSegment], p)
		sw.buf = sw.buf[:len(sw.buf)+n]
		p = p[n:]
		written += n
	}
	return written, nil
}

// Close seals the final segment, which is empty only for an empty stream.
func (sw *streamWriter) Close() error {
	if sw.err == errClosed {
		return nil
	}
	if sw.err != nil {
		return sw.err
	}
	if err := sw.seal(true); err != nil {
		return err
	}
	sw.err = errClosed
	return nil
}

func (sw *streamWriter) seal(last bool) error {
	if sw.n == math.MaxUint32 && !last {
		sw.err = errors.New("vault: stream too long")
		return sw.err
	}
	setStreamNonce(&sw.nonce, sw.n, last)
	sw.out = sw.aead.Seal(sw.out[:0], sw.nonce[:], sw.buf, sw.aad)
	clear(sw.buf)
	sw.buf = sw.buf[:0]
	sw.n++
	if _, err := sw.w.Write(sw.out); err != nil {
		sw.err = err
		return err
	}
	return nil
}

func setStreamNonce(nonce *[gcmNonceSize]byte, i uint32, last bool) {
	binary.BigEndian.PutUint32(nonce[streamPrefix:], i)
	nonce[gcmNonceSize-1] = 0
	if last {
		nonce[gcmNonceSize-1] = 1
	}
}

// DecryptReader returns a reader of the plaintext of a stream written by
// EncryptWriter with the same key and aad. It returns a segment's
// plaintext only after that segment authenticated, and fails with
// ErrDecrypt on a wrong key or aad, a changed, dropped, reordered or
// appended segment and a stream cut short. A caller that must not act on
// a prefix of a file that later turns out to be damaged reads to io.EOF
// before using what it read.
func (k *SubjectKey) DecryptReader(r io.Reader, aad string) (io.Reader, error) {
	header := make([]byte, streamHeader)
	if _, err := io.ReadFull(r, header); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: stream too short for its header", ErrDecrypt)
		}
		return nil, err
	}
	if string(header[:len(streamMagic)]) != streamMagic {
		return nil, fmt.Errorf("%w: not an encrypted stream (no %s header)", ErrDecrypt, streamMagic)
	}
	sr := &streamReader{r: r, aead: k.stream, aad: []byte(aad), in: make([]byte, 0, streamSealed+1), ahead: -1}
	copy(sr.nonce[:streamPrefix], header[len(streamMagic):])
	return sr, nil
}

type streamReader struct {
	r     io.Reader
	aead  cipher.AEAD
	aad   []byte
	nonce [gcmNonceSize]byte
	n     uint32
	in    []byte // one sealed segment and the byte after it; decrypted in place
	ahead int    // -1, or the byte read past the previous segment
	plain []byte // authenticated plaintext not yet returned (within in)
	done  bool   // the last segment was authenticated
	err   error  // sticky
}

func (sr *streamReader) Read(p []byte) (int, error) {
	for len(sr.plain) == 0 {
		if sr.err != nil {
			return 0, sr.err
		}
		if sr.done {
			return 0, io.EOF
		}
		sr.err = sr.next()
	}
	n := copy(p, sr.plain)
	sr.plain = sr.plain[n:]
	return n, nil
}

// next authenticates the next segment. Whether it is the last one is told
// by reading one byte past it: only a segment at the end of the input may
// carry last = 1.
func (sr *streamReader) next() error {
	sr.in = sr.in[:0]
	if sr.ahead >= 0 {
		sr.in = append(sr.in, byte(sr.ahead)) // #nosec G115 -- ahead holds one byte read ahead (0-255) when >= 0
		sr.ahead = -1
	}
	have := len(sr.in)
	m, err := io.ReadFull(sr.r, sr.in[have:streamSealed+1])
	sr.in = sr.in[:have+m]
	last := false
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		last = true
	case err != nil:
		return err
	}
	seg := sr.in
	if !last {
		seg = sr.in[:streamSealed]
		sr.ahead = int(sr.in[streamSealed])
	}
	if len(seg) < gcmTagSize {
		return fmt.Errorf("%w: stream cut short", ErrDecrypt)
	}
	if !last && sr.n == math.MaxUint32 {
		return fmt.Errorf("%w: stream too long", ErrDecrypt)
	}
	setStreamNonce(&sr.nonce, sr.n, last)
	plain, err := sr.aead.Open(seg[:0], sr.nonce[:], seg, sr.aad)
	if err != nil {
		if last {
			return fmt.Errorf("%w: stream segment %d does not authenticate as the final one (tampered or cut short)", ErrDecrypt, sr.n)
		}
		return fmt.Errorf("%w: stream segment %d does not authenticate", ErrDecrypt, sr.n)
	}
	sr.n++
	sr.done = last
	sr.plain = plain
	return nil
}
