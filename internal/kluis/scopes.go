package kluis

import (
	"slices"
	"strings"
)

// TokenScopes are what an API token may be limited to: per kind of record,
// reading or also writing. A token can never do more than its user's role
// allows; its scopes limit it further. "*" is every scope.
var TokenScopes = []string{
	"candidates:read", "candidates:write",
	"clients:read", "clients:write",
	"placements:read", "placements:write",
	"contact-moments:read", "contact-moments:write",
	"documents:read", "documents:write",
	"payroll:read", "payroll:write",
	"disclosures:read", "disclosures:write",
	"imports:write",
	"settings:read", "settings:write",
	"audit:read",
	"breaches:read", "breaches:write",
}

// AllScopes grants a token everything its user's role allows.
const AllScopes = "*"

// ParseScopes reads a comma-separated list of scopes ("*" alone for all)
// into the stored form: sorted, each once.
func ParseScopes(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == AllScopes {
		return s, nil
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !slices.Contains(TokenScopes, part) {
			return "", Errorf(EInvalid, "Onbekende scope: "+part+". Kies uit: "+strings.Join(TokenScopes, ", ")+", of * voor alles.",
				"Unknown scope: "+part+". Choose from: "+strings.Join(TokenScopes, ", ")+", or * for everything.")
		}
		if !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	if len(out) == 0 {
		return "", Errorf(EInvalid, "Geef minstens één scope, of * voor alles wat de rol mag.",
			"Give at least one scope, or * for everything the role allows.")
	}
	slices.Sort(out)
	return strings.Join(out, ","), nil
}

// Allows reports whether an actor's token scopes cover need ("" needs
// none). An actor without scopes is not a token (a log-in session) and is
// limited by its role only; write implies read.
func (a Actor) Allows(need string) bool {
	if need == "" || a.Scopes == "" || a.Scopes == AllScopes {
		return true
	}
	granted := strings.Split(a.Scopes, ",")
	if slices.Contains(granted, need) {
		return true
	}
	if kind, ok := strings.CutSuffix(need, ":read"); ok {
		return slices.Contains(granted, kind+":write")
	}
	return false
}
