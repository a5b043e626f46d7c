package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
)

// FuzzAPIBodies sends any bytes as the JSON body of a create and of an
// edit of every kind of record the API takes, through the same decoders and
// validation the handlers use. A body is either taken or refused with a
// 4xx error naming what is wrong — never a panic, never an internal error
// (a 500 for user input) — and what is taken survives a JSON round trip.
func FuzzAPIBodies(f *testing.F) {
	for _, s := range []string{
		`{"branch_id":1,"first_name":"Sanne","last_name":"de Vries","email":"sanne@example.nl","date_of_birth":"17-05-1990"}`,
		`{"version":1,"first_name":"<script>alert(1)</script>"}`,
		`{"version":"1"}`, `{"version":-1}`, `{"version":1e400}`, `{"version":1,"id":7,"created_at":"x"}`,
		`{"name":"Kwekerij","kvk_number":"12345678"}`, `{"candidate_id":1,"kind":"phone","at":"2026-11-29T09:00:00Z","note":"a\u0000b"}`,
		`{"functions":["a",1]}`, `{"hourly_wage_cents":1e30}`, `{"x":1}`, `{} {}`, `[`, ``, `null`, `"`, `{"date_of_birth":"0000-01-01"}`,
		`{"year":2026,"period":13,"gross_cents":-1}`, `{"categories":null,"recipient_kind":"client"}`, "\xff\xfe{",
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	today := kluis.DateOf(now)
	kinds := []struct {
		name     string
		new      func() any
		validate func(any) error
	}{
		{"candidate", func() any { return &kluis.Candidate{} }, func(v any) error { return v.(*kluis.Candidate).Validate(today) }},
		{"client", func() any { return &kluis.Client{} }, func(v any) error { return v.(*kluis.Client).Validate() }},
		{"client contact", func() any { return &kluis.ClientContact{} }, func(v any) error { return v.(*kluis.ClientContact).Validate() }},
		{"contact moment", func() any { return &kluis.ContactMoment{} }, func(v any) error { return v.(*kluis.ContactMoment).Validate(now) }},
		{"placement", func() any { return &kluis.Placement{} }, func(v any) error { return v.(*kluis.Placement).Validate() }},
		{"payroll record", func() any { return &kluis.PayrollRecord{} }, func(v any) error { return v.(*kluis.PayrollRecord).Validate(2026) }},
		{"disclosure", func() any { return &kluis.Disclosure{} }, func(v any) error { return v.(*kluis.Disclosure).Validate(now) }},
		{"legal hold", func() any { return &kluis.LegalHold{} }, func(v any) error { return v.(*kluis.LegalHold).Validate(today) }},
		{"consent", func() any { return &kluis.Consent{} }, func(v any) error { return v.(*kluis.Consent).Validate(today) }},
		{"request", func() any { return &kluis.Request{} }, func(v any) error { return v.(*kluis.Request).Validate(today) }},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, k := range kinds {
			v := k.new()
			if err := decodeInto(body, v); err != nil {
				mustBeUserError(t, k.name+" create", body, err)
			} else if err := k.validate(v); err != nil {
				mustBeUserError(t, k.name+" validate", body, err)
			} else {
				out, err := json.Marshal(v)
				if err != nil {
					t.Fatalf("%s from %q cannot be written back: %v", k.name, body, err)
				}
				back := k.new()
				if err := json.Unmarshal(out, back); err != nil {
					t.Fatalf("%s from %q: %s does not read back: %v", k.name, body, out, err)
				}
			}

			r := httptest.NewRequest("PATCH", "/api/v1/x/1", strings.NewReader(string(body)))
			r.Header.Set("Content-Type", "application/json")
			version, changed, err := decodePatch(httptest.NewRecorder(), r, k.new())
			if err != nil {
				mustBeUserError(t, k.name+" edit", body, err)
				continue
			}
			if version < 1 {
				t.Fatalf("%s edit %q taken with version %d", k.name, body, version)
			}
			for _, c := range changed {
				if c == "version" || c == "id" {
					t.Fatalf("%s edit %q changes %q", k.name, body, c)
				}
			}
		}
	})
}

// mustBeUserError fails unless err maps to a 4xx answer.
func mustBeUserError(t *testing.T, what string, body []byte, err error) {
	t.Helper()
	var e *kluis.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s of %q: %v is no kluis error, so a 500", what, body, err)
	}
	if code, ok := status[e.Code]; !ok || code >= http.StatusInternalServerError {
		t.Fatalf("%s of %q: %v answers %d", what, body, err, code)
	}
	if e.Message.NL == "" && len(e.Fields) == 0 {
		t.Fatalf("%s of %q: %v says nothing", what, body, err)
	}
}

// FuzzSafeNext: whatever address a log-in link carries, the redirect after
// the log-in stays on this site as a browser reads it (tabs and line
// breaks dropped, backslashes read as slashes, as the URL standard says).
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/candidates/7", "//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "https://evil.example",
		"/%2F%2Fevil.example", "/\x00", " /evil", "/candidates?q=a#b", "\\/evil.example", "/.//evil"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://kluis.example/login")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		asRead := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(strings.Trim(got, "\x00 \x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"))
		u, err := base.Parse(asRead)
		if err != nil {
			// A bad escape ("/50%"): a browser keeps it a path on this site.
			if !strings.HasPrefix(asRead, "/") || strings.HasPrefix(asRead, "//") {
				t.Fatalf("safeNext(%q) = %q leads elsewhere", next, got)
			}
			return
		}
		if u.Host != "kluis.example" || u.Scheme != "https" {
			t.Fatalf("safeNext(%q) = %q leads to %s", next, got, u)
		}
	})
}
