package catalog_test

import (
	"strings"
	"testing"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// TestTwoFactorIsRequiredOfWhoSeesIdentifiersOrManagesLogIns pins what the
// catalogue derives today: payroll and the privacy officer see the BSN,
// IBAN and ID documents in full; the administrator manages log-ins.
func TestTwoFactorIsRequiredOfWhoSeesIdentifiersOrManagesLogIns(t *testing.T) {
	cat := catalog.New()
	want := map[kluis.Role]bool{kluis.RolePayroll: true, kluis.RolePrivacy: true, kluis.RoleAdmin: true,
		kluis.RoleRecruiter: false, kluis.RoleManager: false, kluis.RoleIntegration: false}
	for _, r := range kluis.Roles {
		if got := cat.RequiresTwoFactor(r); got != want[r] {
			t.Errorf("%s: two-factor required %v, want %v", r, got, want[r])
		}
	}
	sees := map[kluis.Role]bool{kluis.RolePayroll: true, kluis.RolePrivacy: true, kluis.RoleIntegration: true}
	for _, r := range kluis.Roles {
		if got := cat.SeesIdentifiers(r); got != sees[r] {
			t.Errorf("%s sees identifiers: %v, want %v", r, got, sees[r])
		}
	}
	var ids []string
	for _, f := range cat.IdentifierFields() {
		ids = append(ids, f.Table+"."+f.Column)
	}
	for _, b := range cat.IdentifierBlobs() {
		ids = append(ids, b.Kind)
	}
	if strings.Join(ids, " ") != "candidates.bsn candidates.iban candidates.id_document_number id-copy work-permit" {
		t.Errorf("the identifiers are %v", ids)
	}
	for _, r := range kluis.Roles {
		if got := cat.ManagesStaff(r); got != (r == kluis.RoleAdmin) {
			t.Errorf("%s manages staff: %v", r, got)
		}
	}
}

// TestTheLogInSecretsAreSealedAndSeenByNoOne: the TOTP secrets are sealed
// (the store seals what the catalogue marks sensitive), and no role sees
// a secret or a hash.
func TestTheLogInSecretsAreSealedAndSeenByNoOne(t *testing.T) {
	cat := catalog.New()
	for _, col := range [][2]string{{"users", "totp_secret"}, {"users", "totp_pending"}, {"users", "password_hash"},
		{"recovery_codes", "code_hash"}, {"login_challenges", "token_hash"}, {"sessions", "token_hash"}} {
		f, ok := cat.Field(col[0], col[1])
		if !ok {
			t.Errorf("%s.%s is not declared personal", col[0], col[1])
			continue
		}
		for _, r := range kluis.Roles {
			if a := f.AccessOf(r); a != catalog.Hidden {
				t.Errorf("%s.%s: %s may %s it", col[0], col[1], r, a)
			}
		}
		if col[1] == "totp_secret" || col[1] == "totp_pending" {
			if !f.Sensitive {
				t.Errorf("%s.%s is not sealed", col[0], col[1])
			}
		}
	}
}
