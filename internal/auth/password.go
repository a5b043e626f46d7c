// Package auth holds how kluis checks who someone is: password hashing,
// TOTP codes for two-factor log-in, recovery codes, one-time passwords and
// the lock-out policy after failed log-ins. It keeps no state: the store
// keeps the secrets and counters, the web server runs the log-in.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"kluis/internal/kluis"
)

// argon2id parameters: OWASP's recommended minimum is m=19 MiB, t=2; kluis
// takes more memory since log-ins are rare and the machine is a server.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// HashPassword returns the argon2id hash of pw in the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrBadHash means a stored hash is not one kluis wrote.
var ErrBadHash = errors.New("auth: malformed password hash")

// VerifyPassword reports whether pw matches hash, in constant time. The
// parameters are read from the hash, so old hashes keep working after the
// defaults change.
func VerifyPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, ErrBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<21 || t == 0 || t > 20 || p == 0 {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want))) // #nosec G115 -- the hash length is at most 64 bytes
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// CheckPasswordStrength refuses passwords that are too short or too long;
// length is what makes a password strong (NIST SP 800-63B).
func CheckPasswordStrength(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < 12 || n > 200 {
		p := kluis.Problems{}
		p.Add("password", "Een wachtwoord heeft 12 tot 200 tekens.", "A password has 12 to 200 characters.")
		return p.Err()
	}
	return nil
}
