package kluis

import (
	"testing"
	"time"
)

func TestBSNElfproef(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"111222333", "111222333", true},
		{"123456782", "123456782", true},
		{"249566758", "249566758", true},
		{"12345672", "012345672", true},
		{"999999990", "999999990", true},
		{" 123456782 ", "123456782", true},
		{"123456789", "", false},
		{"111222334", "", false},
		{"999999999", "", false},
		{"000000000", "", false},
		{"00000000", "", false},
		{"12345678a", "", false},
		{"1234567", "", false},
		{"1234567820", "", false},
		{"", "", false},
		{"١٢٣٤٥٦٧٨٢", "", false},
	} {
		got, ok := NormalizeBSN(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeBSN(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIBANMod97(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"NL91ABNA0417164300", "NL91ABNA0417164300", true},
		{"nl91 abna 0417 1643 00", "NL91ABNA0417164300", true},
		{"DE89370400440532013000", "DE89370400440532013000", true},
		{"BE68539007547034", "BE68539007547034", true},
		{"NL92ABNA0417164300", "", false},
		{"NL91ABNA041716430", "", false},
		{"XX91ABNA0417164300", "", false},
		{"NL91ABNA04171643!0", "", false},
		{"", "", false},
	} {
		got, ok := NormalizeIBAN(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeIBAN(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIBANCheckDigitsMakeValidNumbers(t *testing.T) {
	bban := "ABNA0417164300"
	iban := "NL" + IBANCheckDigits("NL", bban) + bban
	if iban != "NL91ABNA0417164300" {
		t.Fatalf("got %s", iban)
	}
}

func TestPostcodeIsNormalised(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"1234ab", "1234 AB", true},
		{"1234 AB", "1234 AB", true},
		{" 1234  ab ", "1234 AB", true},
		{"0123 AB", "", false},
		{"1234 SA", "", false},
		{"12345", "", false},
		{"1234 A1", "", false},
		{"ABCD 12", "", false},
	} {
		got, ok := NormalizePostcode(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizePostcode(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPhoneBecomesE164(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"06-12345678", "+31612345678", true},
		{"+31 (0)6 1234 5678", "+31612345678", true},
		{"0031 20 123 4567", "+31201234567", true},
		{"020-1234567", "+31201234567", true},
		{"+32 470 12 34 56", "+32470123456", true},
		{"0612345", "", false},
		{"+31 6 1234 567", "", false},
		{"12345678", "", false},
		{"06-1234abcd", "", false},
		{"+", "", false},
	} {
		got, ok := NormalizePhone(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestEmail(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Jan.Jansen@Example.NL", "Jan.Jansen@example.nl", true},
		{" a@b.nl ", "a@b.nl", true},
		{"Jan <jan@example.nl>", "", false},
		{"jan@example", "", false},
		{"jan", "", false},
		{"jan@@example.nl", "", false},
	} {
		got, ok := NormalizeEmail(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCandidateValidationReportsEveryFieldAtOnce(t *testing.T) {
	c := Candidate{
		LastName:    "",
		DateOfBirth: "2999-01-01",
		BSN:         "123456789",
		IBAN:        "NL00BANK0000000000",
		Postcode:    "12",
		Email:       "nope",
		Status:      "sleeping",
	}
	err := c.Validate("2026-11-29")
	fields := err.(*Error).Fields
	for _, f := range []string{"last_name", "date_of_birth", "bsn", "iban", "postcode", "email", "status", "branch_id"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("no error for %s; got %v", f, fields)
		}
		if fields[f].NL == "" || fields[f].EN == "" {
			t.Errorf("%s: message missing a language: %+v", f, fields[f])
		}
	}
}

func TestValidCandidateIsNormalised(t *testing.T) {
	c := Candidate{BranchID: 1, LastName: " Jansen ", BSN: "12345672", Postcode: "1234ab", Phone: "06-12345678", DateOfBirth: "01-02-1990"}
	if err := c.Validate("2026-11-29"); err != nil {
		t.Fatal(err)
	}
	if c.LastName != "Jansen" || c.BSN != "012345672" || c.Postcode != "1234 AB" || c.Phone != "+31612345678" || c.DateOfBirth != "1990-02-01" || c.Status != "registered" || c.RegisteredOn != "2026-11-29" {
		t.Fatalf("not normalised: %+v", c)
	}
}

func TestPlacementEndsAfterItStarts(t *testing.T) {
	p := Placement{CandidateID: 1, ClientID: 2, Function: "Orderpicker", StartDate: "2026-02-01", EndDate: "2026-01-01"}
	err := p.Validate()
	if _, ok := err.(*Error).Fields["end_date"]; !ok {
		t.Fatalf("want end_date error, got %v", err)
	}
}

func TestIDsIncreaseAndStaySafeForJavaScript(t *testing.T) {
	clock := &FixedClock{T: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)}
	g := NewIDGen(clock)
	prev := g.Next()
	for i := 0; i < 10000; i++ {
		id := g.Next()
		if id <= prev {
			t.Fatalf("id %d after %d", id, prev)
		}
		if id >= 1<<53 {
			t.Fatalf("id %d too large", id)
		}
		prev = id
	}
}
