package access_test

import (
	"encoding/json"
	"testing"

	"kluis/internal/access"
	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

var proj = access.New(catalog.New())

func worker() *kluis.Candidate {
	return &kluis.Candidate{ID: 7, BranchID: 1, LastName: "Jansen", DateOfBirth: "1990-05-17", Email: "jan@example.nl",
		BSN: "111222333", BSNFingerprint: "abc", IBAN: "NL91ABNA0417164300", IDDocumentNumber: "NXC4R8K21", Version: 3}
}

func TestEachRoleSeesTheCandidateAsTheCatalogueSays(t *testing.T) {
	for _, tc := range []struct {
		role           kluis.Role
		bsn, iban, doc any
	}{
		{kluis.RolePayroll, "111222333", "NL91ABNA0417164300", "NXC4R8K21"},
		{kluis.RolePrivacy, "111222333", "NL91ABNA0417164300", "NXC4R8K21"},
		{kluis.RoleRecruiter, "******333", "NL** **** **** **43 00", "*****8K21"},
		{kluis.RoleManager, "******333", "NL** **** **** **43 00", "*****8K21"},
	} {
		v, err := proj.Project(tc.role, "candidates", worker())
		if err != nil {
			t.Fatal(err)
		}
		if v["bsn"] != tc.bsn || v["iban"] != tc.iban || v["id_document_number"] != tc.doc {
			t.Errorf("%s sees bsn %v, iban %v, document %v", tc.role, v["bsn"], v["iban"], v["id_document_number"])
		}
		if v["last_name"] != "Jansen" || v["version"] != int64(3) {
			t.Errorf("%s misses ordinary fields: %v", tc.role, v)
		}
		if _, ok := v["bsn_fingerprint"]; ok {
			t.Errorf("%s sees the BSN fingerprint", tc.role)
		}
	}
	v, _ := proj.Project(kluis.RoleAdmin, "candidates", worker())
	for k := range v {
		if f, ok := catalog.New().Field("candidates", k); ok {
			t.Errorf("the administrator sees %s (%s)", k, f.Category)
		}
	}
	if proj.CanSee(kluis.RoleAdmin, "candidates") {
		t.Error("the administrator may use candidates")
	}
	if proj.CanSee(kluis.RoleRecruiter, "payroll_records") || !proj.CanSee(kluis.RolePayroll, "payroll_records") {
		t.Error("payroll records are for payroll")
	}
}

func TestWritesToFieldsARoleMayNotChangeAreRefused(t *testing.T) {
	err := proj.CheckWrite(kluis.RoleRecruiter, "candidates", []string{"last_name", "bsn", "iban"})
	e, ok := err.(*kluis.Error)
	if !ok || e.Code != kluis.EForbidden || e.Fields["bsn"].NL == "" || e.Fields["iban"].EN == "" {
		t.Fatalf("got %v", err)
	}
	if _, ok := e.Fields["last_name"]; ok {
		t.Error("the recruiter may not change the last name")
	}
	if err := proj.CheckWrite(kluis.RolePayroll, "candidates", []string{"bsn", "iban", "version"}); err != nil {
		t.Errorf("payroll: %v", err)
	}
}

func TestMasks(t *testing.T) {
	for _, tc := range []struct {
		m        catalog.Mask
		in, want string
	}{
		{catalog.LastThree, "111222333", "******333"},
		{catalog.LastFour, "NXC4R8K21", "*****8K21"},
		{catalog.MaskIBAN, "NL91ABNA0417164300", "NL** **** **** **43 00"},
		{catalog.MaskIBAN, "DE89370400440532013000", "DE** **** **** **** **30 00"},
		{catalog.YearOnly, "1990-05-17", "1990"},
		{catalog.MaskEmail, "jan@example.nl", "j•••@example.nl"},
		{catalog.LastThree, "12", "**"},
		{catalog.MaskIBAN, "NL91", "****"},
		{catalog.LastThree, "", ""},
	} {
		if got := access.Mask(tc.m, tc.in); got != tc.want {
			t.Errorf("Mask(%s, %q) = %q, want %q", tc.m, tc.in, got, tc.want)
		}
	}
}

// TestEveryJSONFieldIsAColumn guards the projection: a JSON field that is
// no column would be left out of every answer, silently.
func TestEveryJSONFieldIsAColumn(t *testing.T) {
	cat := catalog.New()
	for table, rec := range map[string]any{
		"candidates": kluis.Candidate{}, "clients": kluis.Client{}, "client_contacts": kluis.ClientContact{},
		"placements": kluis.Placement{}, "contact_moments": kluis.ContactMoment{}, "documents": kluis.Document{},
		"payroll_records": kluis.PayrollRecord{}, "disclosures": kluis.Disclosure{},
	} {
		b, _ := json.Marshal(rec)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		for k := range m {
			if _, ok := cat.Field(table, k); !ok && !cat.IsNonPersonal(table, k) {
				t.Errorf("%s: JSON field %q is no declared column", table, k)
			}
		}
	}
}

func TestDataTheAgencyDoesNotCollectIsHiddenFromEveryRole(t *testing.T) {
	c := worker()
	c.Nationality, c.Phone = "NL", "+31612345678"
	p := proj.Without([]string{"nationality", "photo"})
	for _, r := range []kluis.Role{kluis.RoleRecruiter, kluis.RolePayroll, kluis.RolePrivacy, kluis.RoleManager} {
		v, err := p.Project(r, "candidates", c)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := v["nationality"]; ok {
			t.Errorf("%s sees a nationality the agency does not collect", r)
		}
		if v["phone"] != "+31612345678" {
			t.Errorf("%s misses the phone, which is collected: %v", r, v["phone"])
		}
		if p.Access(r, "candidates", "nationality") != catalog.Hidden || p.CanSeeBlob(r, "photo") {
			t.Errorf("%s still has access to what is not collected", r)
		}
	}
	if !p.CanSeeBlob(kluis.RolePayroll, "id-copy") || !proj.CanSeeBlob(kluis.RolePayroll, "photo") {
		t.Error("Without changed more than it names, or changed the projector it came from")
	}
	if proj.Without(nil) != proj {
		t.Error("an agency that collects everything needs no projector of its own")
	}
}

func TestAnAgencysOwnFieldPermissionsOverrideTheCatalogue(t *testing.T) {
	p := proj.ForAgency(nil, map[string]string{
		"candidates.bsn/recruiter":   "read",
		"candidates.email/recruiter": "hidden",
		"placements.function/admin":  "read",
	})
	v, err := p.Project(kluis.RoleRecruiter, "candidates", worker())
	if err != nil {
		t.Fatal(err)
	}
	if v["bsn"] != "111222333" {
		t.Errorf("the recruiter was given the BSN and sees %v", v["bsn"])
	}
	if _, ok := v["email"]; ok {
		t.Error("the recruiter still sees the e-mail address the agency hid")
	}
	if err := p.CheckWrite(kluis.RoleRecruiter, "candidates", []string{"bsn"}); err == nil {
		t.Error("read access let the recruiter write the BSN")
	}
	if !p.CanSee(kluis.RoleAdmin, "placements") || proj.CanSee(kluis.RoleAdmin, "placements") {
		t.Error("the administrator's new access to placements is not seen, or leaked into the catalogue's projector")
	}
	if v, _ := proj.Project(kluis.RoleRecruiter, "candidates", worker()); v["bsn"] != "******333" {
		t.Error("the agency's setting changed the catalogue's projector")
	}
}
