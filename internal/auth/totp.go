package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// Two-factor log-in uses TOTP (RFC 6238) as every authenticator app does
// it: HMAC-SHA-1, six digits, a new code every 30 seconds.
const (
	TOTPPeriod = 30 * time.Second
	// totpSkew is how many steps either side of now a code may be from:
	// one, for a phone whose clock is a little off and a code typed just
	// as it changed.
	totpSkew = 1
	// totpSecretBytes is the size RFC 4226 recommends: 160 bits.
	totpSecretBytes = 20
)

var (
	b32          = base32.StdEncoding.WithPadding(base32.NoPadding)
	totpCodeOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
)

// NewTOTPSecret returns a random secret in base32 without padding, the
// form authenticator apps take.
func NewTOTPSecret() (string, error) {
	raw := make([]byte, totpSecretBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return b32.EncodeToString(raw), nil
}

// ValidTOTPSecret reports whether s is a secret kluis can use: base32 of
// at least 128 bits.
func ValidTOTPSecret(s string) bool {
	raw, err := b32.DecodeString(s)
	return err == nil && len(raw) >= 16
}

// TOTPStep is the number of the 30-second step that t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTPCode returns the code of secret at t, as an authenticator app shows
// it: for tests and for the demo's instructions, never for checking.
func TOTPCode(secret string, t time.Time) (string, error) {
	return hotp.GenerateCodeCustom(secret, uint64(TOTPStep(t)), totpCodeOpts) // #nosec G115 -- time steps since 1970 are positive
}

// NormalizeCode strips the spaces people type into codes ("123 456").
func NormalizeCode(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// IsTOTPCode reports whether s has the form of a TOTP code: six digits.
func IsTOTPCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// MatchTOTP reports whether code is the code of secret in a step near now,
// and which step. Steps at or before usedStep are not accepted: a code is
// good once, so that one seen over a shoulder or in a proxy's log cannot
// be used again. Every candidate step is computed and compared in constant
// time, so the time taken says nothing about which one matched.
func MatchTOTP(secret, code string, now time.Time, usedStep int64) (int64, bool) {
	code = NormalizeCode(code)
	if !IsTOTPCode(code) {
		return 0, false
	}
	cur := TOTPStep(now)
	var matched int64
	ok := 0
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), totpCodeOpts) // #nosec G115 -- time steps since 1970 are positive
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > usedStep {
			matched, ok = step, 1
		}
	}
	return matched, ok == 1
}

// TOTPURI is the otpauth:// address an authenticator app reads from the QR
// code: issuer and account name it the way the app will show it.
func TOTPURI(issuer, account, secret string) (string, error) {
	k, err := totpKey(issuer, account, secret)
	if err != nil {
		return "", err
	}
	return k.URL(), nil
}

// TOTPQRCode returns a PNG of the QR code of the otpauth:// address, made
// here on the server: the secret goes to no other service.
func TOTPQRCode(issuer, account, secret string, size int) ([]byte, error) {
	k, err := totpKey(issuer, account, secret)
	if err != nil {
		return nil, err
	}
	img, err := k.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("auth: QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("auth: QR code: %w", err)
	}
	return buf.Bytes(), nil
}

func totpKey(issuer, account, secret string) (*otp.Key, error) {
	raw, err := b32.DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("auth: the TOTP secret is not base32")
	}
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Secret: raw,
		Period: uint(TOTPPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}
