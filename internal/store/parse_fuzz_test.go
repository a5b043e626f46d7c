package store_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// FuzzParseCandidateIDs: candidate numbers as people paste them are taken
// only when every word is a positive number (digits, a plus allowed); each is kept once, in the
// order given. Otherwise the field has an error in both languages and no
// numbers come back. Runs its seeds with every `go test`.
func FuzzParseCandidateIDs(f *testing.F) {
	for _, s := range []string{"1 2 3", "1,2;3\n4\r\n5\t6", "7, 7, 7", "0", "-1", "+1", "1e3", "12a", "9223372036854775807", "9223372036854775808",
		"١٢", "", " , ; ", "1\u00a02", "\xff", strings.Repeat("x ", 50)} {
		f.Add(s)
	}
	sep := func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }
	f.Fuzz(func(t *testing.T, s string) {
		got, err := store.ParseCandidateIDs(s, "candidates")
		var want []kluis.ID
		valid := true
		for _, w := range strings.FieldsFunc(s, sep) {
			// Digits, a leading plus allowed ("+7" is 7); never a minus.
			n, perr := strconv.ParseUint(strings.TrimPrefix(w, "+"), 10, 63)
			if perr != nil || n == 0 {
				valid = false
				continue
			}
			if !slices.Contains(want, kluis.ID(n)) {
				want = append(want, kluis.ID(n))
			}
		}
		if !valid {
			var e *kluis.Error
			if err == nil || !errors.As(err, &e) || e.Code != kluis.EInvalid || e.Fields["candidates"].NL == "" || e.Fields["candidates"].EN == "" || got != nil {
				t.Fatalf("ParseCandidateIDs(%q) = %v, %v; want a field error", s, got, err)
			}
			return
		}
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("ParseCandidateIDs(%q) = %v, %v; want %v", s, got, err, want)
		}
	})
}
