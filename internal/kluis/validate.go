package kluis

import (
	"math/big"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizeBSN checks a citizen service number with the elfproef and returns
// it as nine digits. Eight digits get a leading zero (LEGAL.md §2.4).
func NormalizeBSN(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 8 {
		s = "0" + s
	}
	if len(s) != 9 || s == "000000000" {
		return "", false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		d := int(s[i]) - '0'
		if d < 0 || d > 9 {
			return "", false
		}
		if i < 8 {
			sum += (9 - i) * d
		} else {
			sum -= d
		}
	}
	if sum%11 != 0 {
		return "", false
	}
	return s, true
}

// ibanLengths holds the IBAN length of every country that issues them; a
// number whose length does not match its country is wrong even when its
// check digits happen to be right.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
	"LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
	"NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
	"SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
	"TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// NormalizeIBAN checks an IBAN (mod-97 and the country's length) and returns
// it in capitals without spaces.
func NormalizeIBAN(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	iban := b.String()
	if len(iban) < 5 {
		return "", false
	}
	want, ok := ibanLengths[iban[:2]]
	if !ok || len(iban) != want || iban[2] < '0' || iban[2] > '9' || iban[3] < '0' || iban[3] > '9' {
		return "", false
	}
	if ibanMod97(iban[4:]+iban[:4]) != 1 {
		return "", false
	}
	return iban, true
}

func ibanMod97(s string) int {
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem
}

// IBANCheckDigits returns the two check digits for a country and BBAN, for
// the demo data generator and tests.
func IBANCheckDigits(country, bban string) string {
	n := new(big.Int)
	var digits strings.Builder
	for _, c := range bban + country + "00" {
		if c >= 'A' && c <= 'Z' {
			digits.WriteString(itoa(int(c-'A') + 10))
		} else {
			digits.WriteRune(c)
		}
	}
	n.SetString(digits.String(), 10)
	check := 98 - int(new(big.Int).Mod(n, big.NewInt(97)).Int64())
	if check < 10 {
		return "0" + itoa(check)
	}
	return itoa(check)
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var buf [20]byte
	p := len(buf)
	for i > 0 {
		p--
		buf[p] = byte('0' + i%10)
		i /= 10
	}
	return string(buf[p:])
}

// NormalizePostcode accepts a Dutch postcode in any common spelling
// ("1234ab", "1234 AB") and returns it as "1234 AB".
func NormalizePostcode(s string) (string, bool) {
	var b []byte
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t':
		case r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r >= 'a' && r <= 'z':
			b = append(b, byte(r-'a'+'A'))
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r))
		default:
			return "", false
		}
	}
	if len(b) != 6 || b[0] == '0' {
		return "", false
	}
	for i := 0; i < 4; i++ {
		if b[i] < '0' || b[i] > '9' {
			return "", false
		}
	}
	for i := 4; i < 6; i++ {
		if b[i] < 'A' || b[i] > 'Z' {
			return "", false
		}
	}
	// SA, SD and SS are not issued.
	if l := string(b[4:]); l == "SA" || l == "SD" || l == "SS" {
		return "", false
	}
	return string(b[:4]) + " " + string(b[4:]), true
}

// NormalizeEmail checks a plain address (no display name) and lower-cases
// its domain.
func NormalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " <>\"(),;") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "", false
	}
	return s[:at] + "@" + strings.ToLower(s[at+1:]), true
}

// NormalizePhone turns a phone number as people write it ("06-12345678",
// "+31 (0)6 1234 5678", "0031 20 123 4567") into E.164 ("+31612345678").
// Numbers without a country code are taken as Dutch.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "(0)", "")
	var d []byte
	plus := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d = append(d, byte(r))
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return "", false
		}
	}
	num := string(d)
	switch {
	case plus:
	case strings.HasPrefix(num, "00"):
		num = num[2:]
	case strings.HasPrefix(num, "0"):
		// A Dutch national number: ten digits with the trunk prefix.
		if len(num) != 10 {
			return "", false
		}
		num = "31" + num[1:]
	default:
		return "", false
	}
	if len(num) < 8 || len(num) > 15 || num[0] == '0' {
		return "", false
	}
	if strings.HasPrefix(num, "31") && len(num) != 11 {
		return "", false
	}
	return "+" + num, true
}

// NormalizeKvK checks a Chamber of Commerce number: eight digits.
func NormalizeKvK(s string) (string, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if len(s) != 8 {
		return "", false
	}
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, true
}

// CleanText trims a free-text field and refuses control characters and
// invalid UTF-8; max is counted in characters.
func CleanText(s string, max int) (string, bool) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return "", false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return "", false
		}
	}
	return s, true
}

// CleanLine is CleanText for single-line fields: no line breaks either.
func CleanLine(s string, max int) (string, bool) {
	s, ok := CleanText(s, max)
	if !ok || strings.ContainsAny(s, "\r\n\t") {
		return "", false
	}
	return s, true
}
