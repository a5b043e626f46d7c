package kluis

import (
	"errors"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// The fuzz tests below run their seeds with every `go test`; with
// `go test -fuzz=FuzzX ./internal/kluis` they search further. Each checks
// what the validator promises against an independent statement of the rule,
// not against itself.

func FuzzNormalizeBSN(f *testing.F) {
	for _, s := range []string{"123456782", "12345672", " 111222333 ", "000000000", "00000000", "123456789",
		"999999990", "١٢٣٤٥٦٧٨٢", "12345678\x00", "+12345678", "-12345678", "1234567820"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeBSN(s)
		want := strings.TrimSpace(s)
		if len(want) == 8 {
			want = "0" + want
		}
		valid := regexp.MustCompile(`^[0-9]{9}$`).MatchString(want) && want != "000000000" && elfproef(want)
		if ok != valid {
			t.Fatalf("NormalizeBSN(%q) ok=%v, the elfproef says %v", s, ok, valid)
		}
		if !ok {
			if got != "" {
				t.Fatalf("NormalizeBSN(%q) refused but returned %q", s, got)
			}
			return
		}
		if got != want {
			t.Fatalf("NormalizeBSN(%q) = %q, want %q", s, got, want)
		}
		if again, ok := NormalizeBSN(got); !ok || again != got {
			t.Fatalf("NormalizeBSN(%q) = %q is not stable", s, got)
		}
	})
}

// elfproef is LEGAL.md §2.4 written out once more.
func elfproef(s string) bool {
	sum := 0
	for i, w := range []int{9, 8, 7, 6, 5, 4, 3, 2, -1} {
		sum += w * int(s[i]-'0')
	}
	return sum%11 == 0
}

func FuzzNormalizeIBAN(f *testing.F) {
	for _, s := range []string{"NL91ABNA0417164300", "nl91 abna 0417 1643 00", "NL91-ABNA-0417-1643-00", "NL92ABNA0417164300",
		"DE89370400440532013000", "GB82WEST12345698765432", "XX00", "NL", "NLAAABNA0417164300", "NL91ABNA041716430\u00e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeIBAN(s)
		if !ok {
			if got != "" {
				t.Fatalf("NormalizeIBAN(%q) refused but returned %q", s, got)
			}
			return
		}
		if !regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]+$`).MatchString(got) {
			t.Fatalf("NormalizeIBAN(%q) = %q is not an IBAN's shape", s, got)
		}
		if ibanLengths[got[:2]] != len(got) {
			t.Fatalf("NormalizeIBAN(%q) = %q has the wrong length for %s", s, got, got[:2])
		}
		// ISO 13616 with arbitrary precision, apart from ibanMod97.
		var digits strings.Builder
		for _, c := range got[4:] + got[:4] {
			if c >= 'A' {
				digits.WriteString(itoa(int(c-'A') + 10))
			} else {
				digits.WriteRune(c)
			}
		}
		n, _ := new(big.Int).SetString(digits.String(), 10)
		if new(big.Int).Mod(n, big.NewInt(97)).Int64() != 1 {
			t.Fatalf("NormalizeIBAN(%q) = %q fails mod 97", s, got)
		}
		if plain := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s)); plain != got {
			t.Fatalf("NormalizeIBAN(%q) = %q changed more than spaces and case", s, got)
		}
		if again, ok := NormalizeIBAN(got); !ok || again != got {
			t.Fatalf("NormalizeIBAN(%q) = %q is not stable", s, got)
		}
	})
}

func FuzzNormalizePostcode(f *testing.F) {
	for _, s := range []string{"3511 AB", "3511ab", " 3511\tAB ", "0123 AB", "3511 SA", "3511 sd", "351 AB", "3511 A",
		"3511 ÄB", "３５１１ＡＢ", "3511 AB X"} {
		f.Add(s)
	}
	shape := regexp.MustCompile(`^[1-9][0-9]{3} [A-Z]{2}$`)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizePostcode(s)
		if !ok {
			return
		}
		if !shape.MatchString(got) || strings.HasSuffix(got, " SA") || strings.HasSuffix(got, " SD") || strings.HasSuffix(got, " SS") {
			t.Fatalf("NormalizePostcode(%q) = %q is not a postcode", s, got)
		}
		if strings.ToUpper(strings.NewReplacer(" ", "", "\t", "").Replace(s)) != strings.ReplaceAll(got, " ", "") {
			t.Fatalf("NormalizePostcode(%q) = %q changed more than spacing and case", s, got)
		}
		if again, ok := NormalizePostcode(got); !ok || again != got {
			t.Fatalf("NormalizePostcode(%q) = %q is not stable", s, got)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"06-12345678", "+31 (0)6 1234 5678", "0031 20 123 4567", "+44 20 7946 0958", "0612345",
		"+", "00", "0", "+0123456789", "06 1234 567８", "(0)(0)06-12345678", "+31612345678+"} {
		f.Add(s)
	}
	shape := regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizePhone(s)
		if !ok {
			return
		}
		if !shape.MatchString(got) {
			t.Fatalf("NormalizePhone(%q) = %q is not E.164", s, got)
		}
		if strings.HasPrefix(got, "+31") && len(got) != 12 {
			t.Fatalf("NormalizePhone(%q) = %q is no Dutch number", s, got)
		}
		if again, ok := NormalizePhone(got); !ok || again != got {
			t.Fatalf("NormalizePhone(%q) = %q is not stable", s, got)
		}
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"sanne@example.nl", "Sanne@EXAMPLE.NL", " a@b.nl ", "a@b", "a@b.", "<a@b.nl>", "Sanne <a@b.nl>",
		`"a b"@c.nl`, "a@@b.nl", "a@b.nl\r\nBcc: x@y.nl", strings.Repeat("a", 250) + "@b.nl", "é@ü.nl"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeEmail(s)
		if !ok {
			return
		}
		if len(got) > 254 || strings.ContainsAny(got, " <>\"(),;\r\n\t") || strings.Count(got, "@") < 1 {
			t.Fatalf("NormalizeEmail(%q) = %q can break a header or a page", s, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) {
				t.Fatalf("NormalizeEmail(%q) = %q holds a control character", s, got)
			}
		}
		if again, ok := NormalizeEmail(got); !ok || again != got {
			t.Fatalf("NormalizeEmail(%q) = %q is not stable", s, got)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-29", "29-11-2026", "9-1-2026", "", " 2026-02-29 ", "2024-02-29", "0000-01-01",
		"00-01-0000", "9999-12-31", "2026-13-01", "31-04-2026", "+2026-01-01", "2026-1-1", "１９９０-０５-１７"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseDate(s)
		if !ok {
			if got != "" {
				t.Fatalf("ParseDate(%q) refused but returned %q", s, got)
			}
			return
		}
		if got == "" {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("ParseDate(%q) took text for an unknown date", s)
			}
			return
		}
		tm, err := time.Parse(dateLayout, string(got))
		if err != nil {
			t.Fatalf("ParseDate(%q) = %q is no yyyy-mm-dd: %v", s, got, err)
		}
		// Both databases must hold it: PostgreSQL has no year 0.
		if tm.Year() < 1 || tm.Year() > 9999 {
			t.Fatalf("ParseDate(%q) = %q is out of range", s, got)
		}
		if again, ok := ParseDate(string(got)); !ok || again != got {
			t.Fatalf("ParseDate(%q) = %q does not parse back", s, got)
		}
	})
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Gebeld over het rooster.", "  a\nb\tc  ", "a\x00b", "\u202eevil", "\xff", "a\u0085b",
		strings.Repeat("é", 201), "<script>alert(1)</script>"} {
		f.Add(s, 200)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			return
		}
		text, ok := CleanText(s, max)
		if ok {
			if !utf8.ValidString(text) || utf8.RuneCountInString(text) > max || text != strings.TrimSpace(text) {
				t.Fatalf("CleanText(%q, %d) = %q", s, max, text)
			}
			for _, r := range text {
				if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
					t.Fatalf("CleanText(%q) = %q holds control character %U", s, text, r)
				}
			}
			if again, ok := CleanText(text, max); !ok || again != text {
				t.Fatalf("CleanText(%q) = %q is not stable", s, text)
			}
		}
		line, ok := CleanLine(s, max)
		if ok && (strings.ContainsAny(line, "\r\n\t") || line != text) {
			t.Fatalf("CleanLine(%q) = %q keeps a break or differs from CleanText %q", s, line, text)
		}
	})
}

func FuzzNormalizeKvK(f *testing.F) {
	for _, s := range []string{"12345678", " 1234 5678 ", "1234567", "123456789", "1234567a", "١٢٣٤٥٦٧٨", "12345678\x00", "+1234567", "1234\t5678", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeKvK(s)
		want := strings.ReplaceAll(strings.TrimSpace(s), " ", "")
		valid := regexp.MustCompile(`^[0-9]{8}$`).MatchString(want)
		if ok != valid || ok && got != want || !ok && got != "" {
			t.Fatalf("NormalizeKvK(%q) = %q, %v; want %q, %v", s, got, ok, want, valid)
		}
	})
}

// FuzzParseScopes: a list is taken only when every named scope exists; what
// is stored is each scope once, sorted, and reads back as itself. A refusal
// names the problem in both languages.
func FuzzParseScopes(f *testing.F) {
	for _, s := range []string{"*", " * ", "candidates:read", "candidates:write,candidates:read,candidates:read", "candidates:read,*", ",,", "",
		"Candidates:Read", "candidates:read, clients:read ", "candidates:delete", "audit:read\x00", "breaches:write,imports:write"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseScopes(s)
		var named []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				named = append(named, p)
			}
		}
		allKnown := len(named) > 0
		for _, p := range named {
			if !slices.Contains(TokenScopes, p) {
				allKnown = false
			}
		}
		if strings.TrimSpace(s) == AllScopes {
			if err != nil || got != AllScopes {
				t.Fatalf("ParseScopes(%q) = %q, %v; want *", s, got, err)
			}
			return
		}
		if err != nil {
			var e *Error
			if allKnown || !errors.As(err, &e) || e.Code != EInvalid || e.Message.NL == "" || e.Message.EN == "" {
				t.Fatalf("ParseScopes(%q) refused with %v", s, err)
			}
			return
		}
		if !allKnown {
			t.Fatalf("ParseScopes(%q) = %q took an unknown scope", s, got)
		}
		stored := strings.Split(got, ",")
		if !slices.IsSorted(stored) || len(slices.Compact(slices.Clone(stored))) != len(stored) {
			t.Fatalf("ParseScopes(%q) = %q is not sorted and unique", s, got)
		}
		for _, p := range named {
			if !slices.Contains(stored, p) {
				t.Fatalf("ParseScopes(%q) = %q lost %q", s, got, p)
			}
		}
		if again, err := ParseScopes(got); err != nil || again != got {
			t.Fatalf("ParseScopes(%q) = %q reads back as %q, %v", s, got, again, err)
		}
	})
}
