package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestTheProcessingRegisterIsShownAndDownloaded(t *testing.T) {
	u := newClientUIEnv(t)
	me := u.session(t, u.Actor.UserID)
	p := u.get(t, me, "/register").expect(t, http.StatusOK)
	for _, want := range []string{"Register van verwerkingsactiviteiten", u.Tenant.Name, "Loon-, pensioen- en premieadministratie",
		"Burgerservicenummer", "R5: salarisadministratie", "Beveiligingsmaatregelen"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the register page lacks %q", want)
		}
	}
	md := u.get(t, me, "/register.md").expect(t, http.StatusOK)
	if !strings.HasPrefix(md.body, "# Register van verwerkingsactiviteiten") || !strings.Contains(md.body, u.Tenant.Name) {
		t.Errorf("the Markdown export: %.200s", md.body)
	}
	if u.get(t, "", "/register").status != http.StatusSeeOther {
		t.Error("the register is shown without log-in")
	}
}
