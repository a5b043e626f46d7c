package web

import (
	"encoding/json"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

// The fuzz tests below run their seeds with every `go test`; with
// `go test -fuzz=FuzzX ./internal/web` they search further. Each checks the
// parser against the rule written out once more, not against itself.

// FuzzCents: an amount is taken only when it is digits with at most two
// decimals (a comma, or a dot when there is no comma; dots before a comma
// group thousands), and then it is exactly that amount — a sign anywhere
// ("15,-5", "-15", "+15") is refused, never read as something else.
func FuzzCents(f *testing.F) {
	for _, s := range []string{"15,50", "1.234,56", "15.50", "€ 15", "€15,5", "15,-5", "-15", "+15", "15,+5", "1e3", "0x10",
		"15,555", "1,2,3", "1,2.3", "1.2.3", "١٥", "15,", "15.", ",5", ".5", "999999999,99", "1000000001", "1 000,00", " ", "15,5\x00"} {
		f.Add(s)
	}
	commaForm := regexp.MustCompile(`^([0-9.]*),([0-9]{0,2})$`)
	dotForm := regexp.MustCompile(`^([0-9]+)(?:\.([0-9]{0,2}))?$`)
	f.Fuzz(func(t *testing.T, s string) {
		form := newForm("nl")
		form.Values["wage"] = s
		got := form.Cents("wage")
		_, refused := form.Errors["wage"]

		v := strings.ReplaceAll(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€")), " ", "")
		var whole, frac string
		valid := v == ""
		if m := commaForm.FindStringSubmatch(v); m != nil {
			whole, frac = strings.ReplaceAll(m[1], ".", ""), m[2]
			valid = whole != ""
		} else if m := dotForm.FindStringSubmatch(v); m != nil {
			whole, frac, valid = m[1], m[2], true
		}
		var want int64
		if valid && v != "" {
			r, ok := new(big.Rat).SetString(whole + "." + frac + "0")
			if !ok {
				t.Fatalf("rule slip on %q", v)
			}
			euros, _ := new(big.Rat).SetString(whole)
			valid = euros.Cmp(big.NewRat(1e9, 1)) <= 0
			r.Mul(r, big.NewRat(100, 1))
			want = r.Num().Int64()
		}
		if refused == valid {
			t.Fatalf("Cents(%q) refused=%v, the rule says valid=%v", s, refused, valid)
		}
		if refused && got != 0 || !refused && got != want {
			t.Fatalf("Cents(%q) = %d, want %d", s, got, want)
		}
		if got < 0 {
			t.Fatalf("Cents(%q) = %d is negative", s, got)
		}
	})
}

// localTimeForm is what the datetime-local layouts take: a date (year
// first, or day first with the time after a space) and hours and minutes,
// seconds (with a fraction, as Go reads them) optional.
var localTimeForm = regexp.MustCompile(`^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?|[0-9]{2}-[0-9]{2}-[0-9]{4} [0-9]{1,2}:[0-9]{2}(?:[.,][0-9]+)?)$`)

// FuzzParseLocalTime: a time taken has the form of one of the layouts, and
// written back in Dutch time it reads as the same moment; empty is "now".
func FuzzParseLocalTime(f *testing.F) {
	for _, s := range []string{"", "2026-11-29T09:00", "2026-11-29T09:00:05", "2026-11-29 09:00", "29-11-2026 09:00", "2026-02-30T09:00",
		"2026-10-25T02:30", "2026-03-29T02:30", "2026-11-29T24:00", "2026-11-29T9:00", "2026-11-29T09:00:00.123", "0000-01-01T00:00",
		"9999-12-31T23:59", "2026-11-29T09:00Z", "2026-11-29T09:00+01:00", "29-11-2026T09:00", "\x00", "2026-11-29T09:00 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseLocalTime(s)
		if s == "" {
			if !ok || !got.IsZero() {
				t.Fatalf("parseLocalTime(\"\") = %v, %v; want the zero time (now)", got, ok)
			}
			return
		}
		if !ok {
			if !got.IsZero() {
				t.Fatalf("parseLocalTime(%q) refused but returned %v", s, got)
			}
			return
		}
		if !localTimeForm.MatchString(s) {
			t.Fatalf("parseLocalTime(%q) took a form no layout has: %v", s, got)
		}
		if got.Location() != amsterdam {
			t.Fatalf("parseLocalTime(%q) is in %v, not Dutch time", s, got.Location())
		}
		back, ok := parseLocalTime(got.In(amsterdam).Format("2006-01-02T15:04:05.999999999"))
		if !ok || !back.Equal(got) {
			t.Fatalf("parseLocalTime(%q) = %v does not read back (%v, %v)", s, got, back, ok)
		}
	})
}

// FuzzBreachFormTime: the breach form's times are read as parseLocalTime
// reads them, and one that is refused is a field error in the form's
// language, never a zero time taken silently.
func FuzzBreachFormTime(f *testing.F) {
	for _, s := range []string{"", "2026-11-29T09:00", "29-11-2026 09:00", "gisteren", "2026-13-01T09:00", "2026-11-29T09:60", "\xff"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, dutch bool) {
		lang := "en"
		if dutch {
			lang = "nl"
		}
		form := newForm(lang)
		form.Values["discovered_at"] = s
		got := breachFormTime(form, "discovered_at")
		want, ok := parseLocalTime(s)
		msg, refused := form.Errors["discovered_at"]
		if refused == ok {
			t.Fatalf("breachFormTime(%q) refused=%v, parseLocalTime ok=%v", s, refused, ok)
		}
		if refused && msg != text(lang, "breach.badtime") {
			t.Fatalf("breachFormTime(%q) says %q", s, msg)
		}
		if !got.Equal(want) {
			t.Fatalf("breachFormTime(%q) = %v, parseLocalTime %v", s, got, want)
		}
	})
}

// FuzzSSOClaims sends any bytes as the claims of an ID token, decoded as
// go-oidc decodes them (encoding/json into ssoClaims). Nothing panics; the
// address counts as verified only when the provider says so in one of the
// forms providers use, and a false email_verified is never overruled by
// Entra's xms_edov; the methods are strings or none.
func FuzzSSOClaims(f *testing.F) {
	for _, s := range []string{
		`{"email":"sanne@example.nl","email_verified":true,"amr":["pwd","otp"]}`,
		`{"email":"a@b.nl","email_verified":false,"xms_edov":true}`,
		`{"email":"a@b.nl","xms_edov":"true","amr":"mfa"}`,
		`{"email_verified":"1","amr":[1,"mfa"]}`, `{"email_verified":null,"xms_edov":1}`,
		`{"email":7}`, `{"amr":null}`, `{"amr":{"a":1}}`, `null`, `[]`, ``, `{`, "\xff", `{"email_verified":tru}`,
		`{"email_verified":"TRUE"}`, `{"azp":["x"]}`, `{"amr":["mfa"],"amr":[]}`,
	} {
		f.Add([]byte(s))
	}
	truth := func(v any) bool { return v == true || v == "true" || v == 1.0 || v == "1" }
	f.Fuzz(func(t *testing.T, body []byte) {
		var c ssoClaims
		if json.Unmarshal(body, &c) != nil {
			return // go-oidc refuses the token: refusedToken
		}
		secondFactor(c.AMR)
		var m map[string]any
		if json.Unmarshal(body, &m) != nil {
			return
		}
		// encoding/json matches names regardless of case; a claim given
		// twice in different cases is left out (which one wins is the
		// decoder's order, not the rule).
		claim := func(name string) (v any, present, twice bool) {
			for k, x := range m {
				if strings.EqualFold(k, name) {
					if present {
						return nil, true, true
					}
					v, present = x, true
				}
			}
			return v, present, false
		}
		ev, evPresent, twice1 := claim("email_verified")
		edov, _, twice2 := claim("xms_edov")
		if twice1 || twice2 {
			return
		}
		// The claim that decides: email_verified when the token has it
		// (so a false one is never overruled), else xms_edov.
		decisive, name := edov, "xms_edov"
		if evPresent {
			decisive, name = ev, "email_verified"
		}
		if c.verified() && !truth(decisive) {
			t.Fatalf("claims %s: verified although %s is %v", body, name, decisive)
		}
	})
}
