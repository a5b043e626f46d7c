package vault

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// subjectKeySize is the length of a subject's own key: AES-256.
const subjectKeySize = 32

// sealedPrefix marks a sealed value; the digit is the format version.
const sealedPrefix = "k1:"

// SubjectKey is one data subject's key, unwrapped. It encrypts short values
// (Seal/Open) and files (EncryptWriter/DecryptReader). A SubjectKey is safe
// for concurrent use and never prints: fmt, %#v and slog all show
// "SubjectKey(redacted)".
type SubjectKey struct {
	// Two keys derived from the subject key, so that sealed values and
	// streams, whose nonces are built differently, never share an AES key
	// (a random value nonce could otherwise equal a stream nonce). The raw
	// key is not kept.
	field  cipher.AEAD
	stream cipher.AEAD
	mac    []byte // HMAC-SHA256 key for fingerprints
}

// newSubjectKey derives the ciphers from a raw subject key.
func newSubjectKey(raw []byte) (*SubjectKey, error) {
	if len(raw) != subjectKeySize {
		return nil, fmt.Errorf("%w: a subject key is %d bytes", ErrDecrypt, subjectKeySize)
	}
	k := &SubjectKey{}
	mac, err := hkdf.Key(sha256.New, raw, nil, "kluis/vault/mac/v1", 32)
	if err != nil {
		return nil, err
	}
	k.mac = mac
	for _, d := range []struct {
		info string
		dst  *cipher.AEAD
	}{{"kluis/vault/field/v1", &k.field}, {"kluis/vault/stream/v1", &k.stream}} {
		sub, err := hkdf.Key(sha256.New, raw, nil, d.info, 32)
		if err != nil {
			return nil, err
		}
		*d.dst, err = newGCM(sub)
		clear(sub)
		if err != nil {
			return nil, err
		}
	}
	return k, nil
}

// String, GoString, Format and LogValue keep the key out of every print
// and log line, whatever the verb or flags.
func (SubjectKey) String() string                  { return "SubjectKey(redacted)" }
func (k SubjectKey) GoString() string              { return k.String() }
func (k SubjectKey) Format(f fmt.State, verb rune) { io.WriteString(f, k.String()) }
func (k SubjectKey) LogValue() slog.Value          { return slog.StringValue(k.String()) }

// Seal encrypts plaintext with AES-256-GCM under a random nonce and returns
// "k1:" + base64url(nonce || ciphertext). aad names the value's place
// (e.g. "candidates.bsn/<tenant>/<id>"), so that a sealed value moved to
// another column or record does not open. The empty string stays empty, so
// that "no value" needs no key and NOT NULL DEFAULT ” columns keep working.
func (k *SubjectKey) Seal(plaintext, aad string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	buf := make([]byte, gcmNonceSize, gcmNonceSize+len(plaintext)+gcmTagSize)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	buf = k.field.Seal(buf, buf[:gcmNonceSize], []byte(plaintext), []byte(aad))
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open reverses Seal. A non-empty value without the "k1:" prefix is
// ErrNotSealed rather than being returned as is, so that plaintext that
// should have been sealed is noticed instead of passing silently. A wrong
// key, a wrong aad or a changed value is ErrDecrypt.
func (k *SubjectKey) Open(sealed, aad string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	body, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", ErrNotSealed
	}
	buf, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(buf) < gcmNonceSize+gcmTagSize {
		return "", fmt.Errorf("%w: malformed sealed value", ErrDecrypt)
	}
	plain, err := k.field.Open(buf[gcmNonceSize:gcmNonceSize], buf[:gcmNonceSize], buf[gcmNonceSize:], []byte(aad))
	if err != nil {
		return "", ErrDecrypt
	}
	return string(plain), nil
}

// IsSealed reports whether s has the form of a sealed value. It does not
// authenticate it: only Open does.
func IsSealed(s string) bool { return strings.HasPrefix(s, sealedPrefix) }

var (
	// ErrShredded: the subject's key was destroyed; their encrypted data
	// can no longer be read, and no new key is made for them.
	ErrShredded = errors.New("vault: the subject's key was destroyed (shredded)")
	// ErrNoKey: no key was ever created for the subject.
	ErrNoKey = errors.New("vault: the subject has no key")
	// ErrDecrypt: authentication failed — wrong key, wrong aad (the value
	// is not where it was sealed), tampered or truncated data, or a
	// wrapped key under a master this vault does not know.
	ErrDecrypt = errors.New("vault: decryption failed")
	// ErrNotSealed: Open was given a value that was never sealed.
	ErrNotSealed = errors.New("vault: value is not sealed")
)

// Fingerprint returns a keyed hash of value (HMAC-SHA256, hex) for finding
// equal values without storing them readably, such as two candidates with
// one BSN. Without the key, a fingerprint cannot be reversed by trying
// every value; destroying the key ends that use too.
func (k *SubjectKey) Fingerprint(value string) string {
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
