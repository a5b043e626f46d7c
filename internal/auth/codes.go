package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"time"
)

// codeAlphabet has 32 characters (so that a random byte maps onto it
// evenly) that are hard to mistake for one another when typed from paper:
// no 0 or O, no 1 or I.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// randomCode returns groups of four characters of codeAlphabet joined by
// hyphens: five bits of randomness per character.
func randomCode(groups int) (string, error) {
	raw := make([]byte, groups*4)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	var b strings.Builder
	for i, c := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return b.String(), nil
}

// NewOneTimePassword returns a password an administrator passes on to a
// user, who must replace it at the first log-in: 16 characters in four
// groups, 80 bits of randomness.
func NewOneTimePassword() (string, error) { return randomCode(4) }

// RecoveryCodes is how many one-time recovery codes a user gets when
// setting up two-factor log-in.
const RecoveryCodes = 8

// NewRecoveryCodes returns n recovery codes: each logs in once instead of a
// TOTP code, for a user whose phone is lost. They have 80 bits of randomness
// each, so that a plain SHA-256 of them is safe to store.
func NewRecoveryCodes(n int) ([]string, error) {
	out := make([]string, n)
	for i := range out {
		c, err := randomCode(4)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// normalizeRecoveryCode takes a recovery code as typed: any case, with or
// without hyphens and spaces.
func normalizeRecoveryCode(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// IsRecoveryCode reports whether s, as typed, has the form of a recovery code.
func IsRecoveryCode(s string) bool {
	s = normalizeRecoveryCode(s)
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune(codeAlphabet, c) {
			return false
		}
	}
	return true
}

// HashRecoveryCode is what is stored of a recovery code.
func HashRecoveryCode(code string) []byte {
	h := sha256.Sum256([]byte("kluis recovery code:" + normalizeRecoveryCode(code)))
	return h[:]
}

// The lock-out of an account after failed log-ins: a wrong password or a
// wrong code counts alike.
const (
	// LockAfter failures in a row lock the account.
	LockAfter = 5
	// lockFirst is how long the first lock-out lasts; each next one in a
	// row (without a successful log-in in between) lasts twice as long,
	// up to lockMax.
	lockFirst = 15 * time.Minute
	lockMax   = 24 * time.Hour
)

// LockDuration is how long the nth lock-out in a row lasts (n from 1):
// 15 minutes, 30, 60, … and never more than a day.
func LockDuration(n int) time.Duration {
	d := lockFirst
	for i := 1; i < n && d < lockMax; i++ {
		d *= 2
	}
	return min(d, lockMax)
}
