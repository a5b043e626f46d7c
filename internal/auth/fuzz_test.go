package auth

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The fuzz tests below run their seeds with every `go test`; with
// `go test -fuzz=FuzzX ./internal/auth` they search further.

// FuzzNormalizeCode: a typed code loses its white space and nothing else,
// and a code of six digits is recognised however it was spaced.
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"123 456", " 123456 ", "123\t456", "12 34 56", "123\u00a0456", "１２３４５６", "12345", "1234567", "12345a", "\xff23456", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := NormalizeCode(s)
		var want string
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				want += s[i : i+n]
			}
			i += n
		}
		if got != want {
			t.Fatalf("NormalizeCode(%q) = %q, want %q", s, got, want)
		}
		if NormalizeCode(got) != got {
			t.Fatalf("NormalizeCode(%q) = %q is not stable", s, got)
		}
		if IsTOTPCode(got) != (len(want) == 6 && strings.Trim(want, "0123456789") == "") {
			t.Fatalf("IsTOTPCode(%q) = %v", got, IsTOTPCode(got))
		}
	})
}

// FuzzNormalizeRecoveryCode: a recovery code is taken in any case, with or
// without hyphens, spaces and tabs; it has sixteen characters of the code
// alphabet (no 0, 1, I or O, which people confuse), and two ways of typing
// the same code give the same hash.
func FuzzNormalizeRecoveryCode(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH-JKMN-PQRS", "abcd efgh jkmn pqrs", "ABCDEFGHJKMNPQRS", "ABCD-EFGH-JKMN-PQR0", "abcd-efgh-jkmn-pqrsT",
		"ǅ", "ﬀ", "ABCD\u2010EFGH\u2010JKMN\u2010PQRS", "ABCD\nEFGH", "\xff", "ß", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := normalizeRecoveryCode(s)
		if strings.ContainsAny(got, "- \t") {
			t.Fatalf("normalizeRecoveryCode(%q) = %q keeps a separator", s, got)
		}
		if normalizeRecoveryCode(got) != got {
			t.Fatalf("normalizeRecoveryCode(%q) = %q is not stable", s, got)
		}
		valid := len(got) == 16 && strings.Trim(got, codeAlphabet) == ""
		if IsRecoveryCode(s) != valid {
			t.Fatalf("IsRecoveryCode(%q) = %v, the alphabet says %v", s, IsRecoveryCode(s), valid)
		}
		if !valid {
			return
		}
		for _, c := range "01IO" {
			if strings.ContainsRune(got, c) {
				t.Fatalf("recovery code %q holds %q", got, c)
			}
		}
		typed := strings.ToLower(got[:4]) + "-" + got[4:8] + " " + got[8:12] + "\t" + got[12:]
		if string(HashRecoveryCode(typed)) != string(HashRecoveryCode(s)) {
			t.Fatalf("%q and %q are one code but hash differently", s, typed)
		}
	})
}
