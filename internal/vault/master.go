package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
)

// masterKeySize is the length of a master key: AES-256.
const masterKeySize = 32

// MasterKey wraps (encrypts) the subjects' keys. It is the one secret an
// operator keeps outside the databases; losing it makes every subject's data
// unreadable, and leaking it together with the keys database undoes
// shredding for wrapped keys that still linger in old copies of that
// database, which is why the master is rotated and the old one retired.
//
// A MasterKey never prints its bytes: fmt and log show "MasterKey(<ID>)".
type MasterKey struct {
	// ID is a short fingerprint (the first 8 hex digits of the key's
	// SHA-256) recorded next to every wrapped key, so that a vault that
	// knows several masters during a rotation picks the right one. It says
	// nothing useful about the key itself.
	ID string

	wrap cipher.AEAD // AES-256-GCM under a key derived from the master
}

// newMasterKey derives the wrapping cipher from raw. The wrapping key is
// derived with HKDF rather than being the master itself so that the same
// master could later key something else without the two uses sharing an
// AES key.
func newMasterKey(raw []byte) (*MasterKey, error) {
	if len(raw) != masterKeySize {
		return nil, fmt.Errorf("vault: a master key is %d bytes, not %d", masterKeySize, len(raw))
	}
	sum := sha256.Sum256(raw)
	wk, err := hkdf.Key(sha256.New, raw, nil, "kluis/vault/wrap/v1", 32)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(wk)
	clear(wk)
	if err != nil {
		return nil, err
	}
	return &MasterKey{ID: hex.EncodeToString(sum[:4]), wrap: aead}, nil
}

// LoadMasterKey reads a master key file: 64 hexadecimal characters and an
// optional line ending. A file that group or others may read is refused,
// because the master is the one secret that keeps shredded data shredded.
// No error ever quotes the file's content.
func LoadMasterKey(path string) (*MasterKey, error) {
	f, err := os.Open(path) // #nosec G304 -- the key file the operator names
	if err != nil {
		return nil, fmt.Errorf("vault: open master key file: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so the mode checked is the mode
	// of the file read.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("vault: master key file %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("vault: master key file %s is not a regular file", path)
	}
	// Windows has no such permission bits; its ACLs are the operator's.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("vault: master key file %s may be read by other users (mode %04o); restrict it with: chmod 600 %s",
			path, fi.Mode().Perm(), path)
	}
	// A valid file is 64 to 66 bytes; reading one byte more than that is
	// enough to tell that a file is too long without reading a huge one.
	content, err := io.ReadAll(io.LimitReader(f, 2*masterKeySize+3))
	if err != nil {
		return nil, fmt.Errorf("vault: read master key file %s: %w", path, err)
	}
	defer clear(content)
	text := bytes.TrimSuffix(bytes.TrimSuffix(content, []byte("\n")), []byte("\r"))
	malformed := fmt.Errorf("vault: master key file %s is malformed: it must hold exactly %d hexadecimal characters (a %d-byte key, as written by WriteMasterKey) and an optional newline",
		path, 2*masterKeySize, masterKeySize)
	if len(text) != 2*masterKeySize {
		return nil, malformed
	}
	raw := make([]byte, masterKeySize)
	defer clear(raw)
	// hex's own error quotes the offending character, which is part of the
	// secret; it is replaced, not wrapped.
	if _, err := hex.Decode(raw, text); err != nil {
		return nil, malformed
	}
	return newMasterKey(raw)
}

// WriteMasterKey creates path holding a new random master key, readable by
// its owner only. It refuses to overwrite an existing file: replacing a
// master key loses every subject key wrapped under it.
func WriteMasterKey(path string) (*MasterKey, error) {
	raw := make([]byte, masterKeySize)
	defer clear(raw)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	m, err := newMasterKey(raw)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the key file the operator names
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("vault: master key file %s already exists; it is never overwritten, since the keys wrapped under it would be lost", path)
		}
		return nil, fmt.Errorf("vault: create master key file: %w", err)
	}
	text := make([]byte, 2*masterKeySize+1)
	defer clear(text)
	hex.Encode(text, raw)
	text[len(text)-1] = '\n'
	_, err = f.Write(text)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // a half-written key file is worse than none
		return nil, fmt.Errorf("vault: write master key file %s: %w", path, err)
	}
	return m, nil
}

// String, GoString and Format show the fingerprint only.
func (m MasterKey) String() string                { return "MasterKey(" + m.ID + ")" }
func (m MasterKey) GoString() string              { return m.String() }
func (m MasterKey) Format(f fmt.State, verb rune) { io.WriteString(f, m.String()) }

// wrapAAD binds a wrapped key to its subject, so that a wrapped key copied
// onto another subject's row does not unwrap.
func wrapAAD(tenant, subject int64) []byte {
	b := make([]byte, 0, len(wrapLabel)+16)
	b = append(b, wrapLabel...)
	b = binary.BigEndian.AppendUint64(b, uint64(tenant))     // #nosec G115 -- ids are positive; the AAD needs their bits, not their sign
	return binary.BigEndian.AppendUint64(b, uint64(subject)) // #nosec G115 -- ids are positive; the AAD needs their bits, not their sign
}

const wrapLabel = "kluis/vault/subject-key/v1|"

// wrapVersion leads every wrapped key, so that the format can change
// without guessing.
const wrapVersion = 1

// wrapKey encrypts a subject key: version || nonce || AES-GCM(key).
func (m *MasterKey) wrapKey(tenant, subject int64, key []byte) ([]byte, error) {
	out := make([]byte, 1+gcmNonceSize, 1+gcmNonceSize+len(key)+gcmTagSize)
	out[0] = wrapVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return m.wrap.Seal(out, out[1:1+gcmNonceSize], key, wrapAAD(tenant, subject)), nil
}

// unwrapKey reverses wrapKey; any mismatch is ErrDecrypt.
func (m *MasterKey) unwrapKey(tenant, subject int64, wrapped []byte) ([]byte, error) {
	if len(wrapped) != 1+gcmNonceSize+subjectKeySize+gcmTagSize || wrapped[0] != wrapVersion {
		return nil, fmt.Errorf("%w: wrapped key of subject %d/%d has an unknown format", ErrDecrypt, tenant, subject)
	}
	key, err := m.wrap.Open(nil, wrapped[1:1+gcmNonceSize], wrapped[1+gcmNonceSize:], wrapAAD(tenant, subject))
	if err != nil {
		return nil, fmt.Errorf("%w: master key %s does not unwrap the key of subject %d/%d", ErrDecrypt, m.ID, tenant, subject)
	}
	return key, nil
}

const (
	gcmNonceSize = 12
	gcmTagSize   = 16
)

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}
