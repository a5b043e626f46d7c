package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSealAndOpen(t *testing.T) {
	k, other := newTestSubjectKey(t), newTestSubjectKey(t)
	const aad = "candidates.bsn/1/42"
	sealed := mustSeal(t, k, "123456782", aad)
	flipped := func(s string, at int) string {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, sealedPrefix))
		if err != nil {
			t.Fatal(err)
		}
		b[at] ^= 1
		return sealedPrefix + base64.RawURLEncoding.EncodeToString(b)
	}
	tests := []struct {
		name    string
		key     *SubjectKey
		sealed  string
		aad     string
		want    string
		wantErr error
	}{
		{"a sealed value opens with its key and aad", k, sealed, aad, "123456782", nil},
		{"the empty string stays empty", k, "", aad, "", nil},
		{"a value opened under another aad fails", k, sealed, "candidates.bsn/1/43", "", ErrDecrypt},
		{"a value opened under another column's aad fails", k, sealed, "candidates.iban/1/42", "", ErrDecrypt},
		{"a value opened with another subject's key fails", other, sealed, aad, "", ErrDecrypt},
		{"a value with a flipped ciphertext bit fails", k, flipped(sealed, 14), aad, "", ErrDecrypt},
		{"a value with a flipped nonce bit fails", k, flipped(sealed, 0), aad, "", ErrDecrypt},
		{"a value cut short fails", k, sealed[:len(sealed)-3], aad, "", ErrDecrypt},
		{"a value that is only the prefix fails", k, sealedPrefix, aad, "", ErrDecrypt},
		{"a value that is not base64 fails", k, sealedPrefix + "!!!!", aad, "", ErrDecrypt},
		{"plaintext given to Open is ErrNotSealed, never passed through", k, "123456782", aad, "", ErrNotSealed},
		{"a value of another format version is ErrNotSealed", k, "k2:" + strings.TrimPrefix(sealed, sealedPrefix), aad, "", ErrNotSealed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.key.Open(tt.sealed, tt.aad)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Open error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Open = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSealedValues(t *testing.T) {
	k := newTestSubjectKey(t)
	t.Run("the empty string seals to the empty string", func(t *testing.T) {
		if s := mustSeal(t, k, "", "x"); s != "" {
			t.Errorf("Seal(\"\") = %q", s)
		}
	})
	t.Run("the same plaintext sealed twice differs", func(t *testing.T) {
		a, b := mustSeal(t, k, "NL91ABNA0417164300", "a"), mustSeal(t, k, "NL91ABNA0417164300", "a")
		if a == b {
			t.Errorf("two seals are equal: %s", a)
		}
	})
	t.Run("a sealed value is marked and url-safe", func(t *testing.T) {
		s := mustSeal(t, k, strings.Repeat("é€\x00", 100), "a")
		if !IsSealed(s) || strings.ContainsAny(s, "+/= \n") {
			t.Errorf("sealed value %q", s)
		}
		if got, err := k.Open(s, "a"); err != nil || got != strings.Repeat("é€\x00", 100) {
			t.Errorf("round trip = %q, %v", got, err)
		}
	})
	t.Run("IsSealed tells sealed values from plaintext", func(t *testing.T) {
		for s, want := range map[string]bool{"": false, "123456782": false, "k1:abc": true, "K1:abc": false} {
			if IsSealed(s) != want {
				t.Errorf("IsSealed(%q) = %v", s, !want)
			}
		}
	})
}

func TestSubjectKeyNeverPrints(t *testing.T) {
	raw := bytes.Repeat([]byte{0xAB}, subjectKeySize)
	k, err := newSubjectKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	const want = "SubjectKey(redacted)"
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for name, arg := range map[string]any{"pointer": k, "value": *k} {
			if got := fmt.Sprintf(format, arg); got != want {
				t.Errorf("Sprintf(%s, %s) = %q, want %q", format, name, got, want)
			}
		}
		got := fmt.Sprintf(format, struct{ Key *SubjectKey }{k})
		if strings.Contains(strings.ToLower(got), "abab") || strings.Contains(got, string(raw)) {
			t.Errorf("Sprintf(%s) of a struct holding the key shows it: %q", format, got)
		}
	}
	var log bytes.Buffer
	slog.New(slog.NewTextHandler(&log, nil)).Info("sealing", "key", k)
	if !strings.Contains(log.String(), want) || strings.Contains(log.String(), hex.EncodeToString(raw[:4])) {
		t.Errorf("slog line: %s", log.String())
	}
}

func BenchmarkSealOpen(b *testing.B) {
	k := newTestSubjectKey(b)
	const aad = "candidates.bsn/1/42"
	for b.Loop() {
		s, err := k.Seal("123456782", aad)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := k.Open(s, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFingerprintsAreEqualForEqualValuesUnderOneKeyOnly(t *testing.T) {
	a, b := newTestSubjectKey(t), newTestSubjectKey(t)
	first, again := a.Fingerprint("249566758"), a.Fingerprint("2495"+"66758")
	if first != again {
		t.Fatal("one key gives two fingerprints of one value")
	}
	if a.Fingerprint("249566758") == a.Fingerprint("111222333") {
		t.Fatal("two values share a fingerprint")
	}
	if a.Fingerprint("249566758") == b.Fingerprint("249566758") {
		t.Fatal("two keys give the same fingerprint")
	}
	if len(a.Fingerprint("x")) != 64 {
		t.Fatal("not a hex SHA-256")
	}
}
