package catalog_test

import (
	"strings"
	"testing"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

func TestTheStatementsPlaceholdersAreFilledFromTheCatalogue(t *testing.T) {
	reg := catalog.New().RegisterOf(catalog.Candidate)
	c := catalog.Controller{Name: "Uitzend_bureau", DPOEmail: "fg@example.nl"}
	for _, lang := range []string{"nl", "en"} {
		out := catalog.FillStatement(kluis.DefaultStatement(lang), lang, reg, c)
		if strings.Contains(out, "{{") {
			t.Errorf("%s: a placeholder is left: %s", lang, out)
		}
		for _, want := range []string{catalog.PurposeLabel(catalog.Mediation).In(lang), catalog.RuleLabel(catalog.R1).In(lang), catalog.CategoryLabel(catalog.BSN).In(lang), `Uitzend\_bureau`, "fg@example.nl"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: %q missing", lang, want)
			}
		}
		// Staff data are no business of the candidate's statement.
		if strings.Contains(out, catalog.PurposeLabel(catalog.StaffAccess).In(lang)) {
			t.Errorf("%s: the statement names the staff's purpose", lang)
		}
	}
}
