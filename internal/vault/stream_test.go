package vault

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// encryptStream encrypts plain in writes of uneven sizes, as a copy from a
// request body would.
func encryptStream(t testing.TB, k *SubjectKey, plain []byte, aad string) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := k.EncryptWriter(&out, aad)
	if err != nil {
		t.Fatal(err)
	}
	for rest, step := plain, 1; len(rest) > 0; step = (step*3 + 1) % 100_003 {
		n := min(step+1, len(rest))
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func decryptStream(k *SubjectKey, sealed []byte, aad string) ([]byte, error) {
	r, err := k.DecryptReader(bytes.NewReader(sealed), aad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestStreamRoundTrip(t *testing.T) {
	k := newTestSubjectKey(t)
	const aad = "documents/1/7"
	for _, tt := range []struct {
		name     string
		size     int
		segments int
	}{
		{"an empty file", 0, 1},
		{"a one-byte file", 1, 1},
		{"a file one byte short of a segment", streamSegment - 1, 1},
		{"a file of exactly one segment", streamSegment, 1},
		{"a file one byte over a segment", streamSegment + 1, 2},
		{"a 5 MiB file", 5 << 20, 80},
	} {
		t.Run(tt.name+" decrypts to itself", func(t *testing.T) {
			plain := randomBytes(tt.size)
			sealed := encryptStream(t, k, plain, aad)
			if want := streamHeader + tt.size + tt.segments*gcmTagSize; len(sealed) != want {
				t.Errorf("sealed length %d, want %d (%d segments)", len(sealed), want, tt.segments)
			}
			got, err := decryptStream(k, sealed, aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Fatalf("decrypted %d bytes differ from the %d written", len(got), len(plain))
			}
		})
	}
	t.Run("the decrypting reader behaves as an io.Reader for any read size", func(t *testing.T) {
		plain := randomBytes(3*streamSegment + 123)
		r, err := k.DecryptReader(iotest.HalfReader(bytes.NewReader(encryptStream(t, k, plain, aad))), aad)
		if err != nil {
			t.Fatal(err)
		}
		if err := iotest.TestReader(r, plain); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the same file encrypted twice differs", func(t *testing.T) {
		plain := []byte("paspoort.pdf")
		if bytes.Equal(encryptStream(t, k, plain, aad), encryptStream(t, k, plain, aad)) {
			t.Error("two encryptions are equal")
		}
	})
}

func TestStreamRejectsDamage(t *testing.T) {
	k := newTestSubjectKey(t)
	const aad = "documents/1/7"
	plain := randomBytes(3*streamSegment + 500) // segments 0, 1, 2 full; 3 short and last
	sealed := encryptStream(t, k, plain, aad)
	seg := func(i int) (from, to int) { return streamHeader + i*streamSealed, streamHeader + (i+1)*streamSealed }
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(sealed)) }
	for _, tt := range []struct {
		name   string
		key    *SubjectKey
		sealed []byte
		aad    string
		// plaintext the reader may hand out before it fails: only
		// segments that authenticated
		okPrefix int
	}{
		{"a stream cut at a segment boundary fails", k, edit(func(b []byte) []byte { _, to := seg(2); return b[:to] }), aad, 2 * streamSegment},
		{"a stream cut after its first segment fails", k, edit(func(b []byte) []byte { _, to := seg(0); return b[:to] }), aad, 0},
		{"a stream cut inside a segment fails", k, edit(func(b []byte) []byte { from, _ := seg(1); return b[:from+100] }), aad, streamSegment},
		{"a stream cut to its header fails", k, sealed[:streamHeader], aad, 0},
		{"a stream with a flipped byte fails", k, edit(func(b []byte) []byte { from, _ := seg(1); b[from+77] ^= 0x20; return b }), aad, streamSegment},
		{"a stream with a flipped byte in its last segment fails", k, edit(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), aad, 3 * streamSegment},
		{"a stream with a flipped nonce prefix fails", k, edit(func(b []byte) []byte { b[len(streamMagic)] ^= 1; return b }), aad, 0},
		{"a stream with two segments swapped fails", k, edit(func(b []byte) []byte {
			f0, t0 := seg(0)
			f1, t1 := seg(1)
			s0 := bytes.Clone(b[f0:t0])
			copy(b[f0:t0], b[f1:t1])
			copy(b[f1:t1], s0)
			return b
		}), aad, 0},
		{"a stream with a segment dropped fails", k, edit(func(b []byte) []byte { f, t := seg(1); return append(b[:f], b[t:]...) }), aad, streamSegment},
		{"a stream with bytes appended fails", k, append(bytes.Clone(sealed), 0), aad, 3 * streamSegment},
		{"a stream with another stream's segment spliced in fails", k, edit(func(b []byte) []byte {
			other := encryptStream(t, k, plain, aad)
			f, t := seg(1)
			copy(b[f:t], other[f:t])
			return b
		}), aad, streamSegment},
		{"a stream read under another aad fails", k, sealed, "documents/1/8", 0},
		{"a stream read with another key fails", newTestSubjectKey(t), sealed, aad, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decryptStream(tt.key, tt.sealed, tt.aad)
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("error = %v, want ErrDecrypt", err)
			}
			if len(got) > tt.okPrefix || !bytes.Equal(got, plain[:len(got)]) {
				t.Errorf("handed out %d bytes before failing; only the %d authenticated ones may be", len(got), tt.okPrefix)
			}
		})
	}
	t.Run("an input that is not a stream fails at once", func(t *testing.T) {
		for _, in := range [][]byte{nil, []byte("KLB"), []byte("%PDF-1.7 not encrypted at all")} {
			if _, err := k.DecryptReader(bytes.NewReader(in), aad); !errors.Is(err, ErrDecrypt) {
				t.Errorf("DecryptReader(%q) error = %v, want ErrDecrypt", in, err)
			}
		}
	})
	t.Run("an encrypting writer is done once closed", func(t *testing.T) {
		var out bytes.Buffer
		w, _ := k.EncryptWriter(&out, aad)
		w.Write([]byte("a"))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if _, err := w.Write([]byte("b")); err == nil {
			t.Error("Write after Close succeeded")
		}
	})
}

func BenchmarkStream(b *testing.B) {
	k := newTestSubjectKey(b)
	plain := randomBytes(5 << 20)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		sealed := encryptStream(b, k, plain, "d")
		if _, err := decryptStream(k, sealed, "d"); err != nil {
			b.Fatal(err)
		}
	}
}
