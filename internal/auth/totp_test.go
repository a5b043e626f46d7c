package auth

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA-1 secret of RFC 6238's test vectors ("12345678901234567890").
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestTOTPCodesAreThoseOfRFC6238(t *testing.T) {
	// The RFC gives 8 digits; the last six are what a 6-digit app shows.
	for _, c := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		got, err := TOTPCode(rfcSecret, time.Unix(c.unix, 0))
		if err != nil || got != c.want {
			t.Errorf("code at %d: %q %v, want %q", c.unix, got, err, c.want)
		}
	}
}

func TestATOTPCodeIsAcceptedNearItsTimeAndOnlyOnce(t *testing.T) {
	secret, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !ValidTOTPSecret(secret) || len(secret) != 32 {
		t.Fatalf("secret %q", secret)
	}
	now := time.Date(2026, 11, 29, 9, 0, 10, 0, time.UTC)
	code, _ := TOTPCode(secret, now)
	step, ok := MatchTOTP(secret, code, now, 0)
	if !ok || step != TOTPStep(now) {
		t.Fatalf("the current code: step %d ok %v", step, ok)
	}
	if _, ok := MatchTOTP(secret, code[:3]+" "+code[3:], now, 0); !ok {
		t.Error("a code typed with a space in it is refused")
	}
	// Replay: once its step is used, the same code is refused.
	if _, ok := MatchTOTP(secret, code, now, step); ok {
		t.Error("a used code is accepted again")
	}
	// The previous and next codes are accepted (a clock a little off), the
	// ones before and after those not.
	for d, want := range map[time.Duration]bool{-30 * time.Second: true, 30 * time.Second: true, -90 * time.Second: false, 90 * time.Second: false} {
		c, _ := TOTPCode(secret, now.Add(d))
		if _, ok := MatchTOTP(secret, c, now, 0); ok != want {
			t.Errorf("the code of now%+v: accepted %v, want %v", d, ok, want)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef", "12345x"} {
		if _, ok := MatchTOTP(secret, bad, now, 0); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	other, _ := NewTOTPSecret()
	if _, ok := MatchTOTP(other, code, now, 0); ok {
		t.Error("another secret's code is accepted (or a 1-in-a-million coincidence)")
	}
}

func TestTheQRCodeIsAPNGOfTheOTPAuthAddress(t *testing.T) {
	uri, err := TOTPURI("kluis", "pien@bureau.nl", rfcSecret)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"otpauth://totp/kluis:pien@bureau.nl?", "secret=" + rfcSecret, "issuer=kluis", "digits=6", "period=30"} {
		if !strings.Contains(uri, want) {
			t.Errorf("the address %q lacks %q", uri, want)
		}
	}
	b, err := TOTPQRCode("kluis", "pien@bureau.nl", rfcSecret, 200)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if s := img.Bounds().Size(); s.X != 200 || s.Y != 200 {
		t.Errorf("QR code of %v, want 200×200", s)
	}
	if _, err := TOTPQRCode("kluis", "pien@bureau.nl", "not base32!", 200); err == nil {
		t.Error("a malformed secret made a QR code")
	}
}

func TestRecoveryCodesAndOneTimePasswords(t *testing.T) {
	codes, err := NewRecoveryCodes(RecoveryCodes)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 19 || strings.Count(c, "-") != 3 || !IsRecoveryCode(c) || seen[c] {
			t.Errorf("recovery code %q", c)
		}
		seen[c] = true
		typed := strings.ToLower(strings.ReplaceAll(c, "-", " "))
		if !bytes.Equal(HashRecoveryCode(typed), HashRecoveryCode(c)) {
			t.Errorf("%q typed as %q hashes differently", c, typed)
		}
	}
	if IsRecoveryCode("123456") || IsRecoveryCode("AAAA-AAAA-AAAA-AAA0") {
		t.Error("a TOTP code or a code with a 0 passes as a recovery code")
	}
	pw, err := NewOneTimePassword()
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckPasswordStrength(pw); err != nil {
		t.Errorf("a one-time password %q is not strong enough for kluis itself: %v", pw, err)
	}
}

func TestLockOutsDoubleUpToADay(t *testing.T) {
	want := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	for i, w := range want {
		if got := LockDuration(i + 1); got != w {
			t.Errorf("lock-out %d lasts %s, want %s", i+1, got, w)
		}
	}
	if got := LockDuration(1000); got != 24*time.Hour {
		t.Errorf("lock-out 1000 lasts %s", got)
	}
}
