package catalog_test

import (
	"strings"
	"testing"

	"kluis/internal/catalog"
)

func TestTheRegisterCoversEveryPurposeAndSpeaksBothLanguages(t *testing.T) {
	reg := catalog.New().Register()
	if len(reg.Activities) < 6 {
		t.Fatalf("%d activities", len(reg.Activities))
	}
	for _, a := range reg.Activities {
		if catalog.PurposeLabel(a.Purpose).NL == "" || len(a.Bases) == 0 || len(a.Categories) == 0 || len(a.Rules) == 0 {
			t.Errorf("activity %s is incomplete: %+v", a.Purpose, a)
		}
		for _, c := range a.Categories {
			if catalog.CategoryLabel(c).EN == "" {
				t.Errorf("category %s has no label", c)
			}
		}
		for _, r := range a.Rules {
			if catalog.RuleLabel(r).NL == "" {
				t.Errorf("rule %s has no label", r)
			}
		}
	}
	nl := reg.Markdown("nl", catalog.Controller{Name: "Uitzendbureau *De Brug*", DPOEmail: "fg@debrug.example"})
	for _, want := range []string{"# Register van verwerkingsactiviteiten", `Uitzendbureau \*De Brug\*`, "## Loon-, pensioen- en premieadministratie",
		"Burgerservicenummer", "Functionaris gegevensbescherming: fg@debrug.example", "Wettelijke plicht", "R5: salarisadministratie", "Beveiligingsmaatregelen", "Pensioenfonds"} {
		if !strings.Contains(nl, want) {
			t.Errorf("the Dutch register lacks %q:\n%s", want, nl)
		}
	}
	en := reg.Markdown("en", catalog.Controller{Name: "X"})
	if !strings.Contains(en, "# Record of processing activities") || strings.Contains(en, "Wettelijke") {
		t.Errorf("the English register is not English:\n%s", en)
	}
	// The BSN serves payroll only: no other purpose may list it.
	for _, a := range reg.Activities {
		for _, c := range a.Categories {
			if c == catalog.BSN && a.Purpose != catalog.PayrollAdmin {
				t.Errorf("the BSN is processed for %s", a.Purpose)
			}
		}
	}
}
