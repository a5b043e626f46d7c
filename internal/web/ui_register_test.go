package web

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kluis/internal/kluis"
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
	if !strings.Contains(p.body, "niet aangesteld") {
		t.Error("the register does not say that no DPO is appointed")
	}

	// The agency's details and its DPO go into every form of the register.
	set := &kluis.Settings{Address: "Stationsplein 1, 3511 AB Utrecht", KvK: "12345678", DPOEmail: "fg@testbureau.example"}
	if err := u.DB.SaveSettings(context.Background(), u.Actor, set, 0); err != nil {
		t.Fatal(err)
	}
	u.srvSettingsChanged()
	p = u.get(t, me, "/register").expect(t, http.StatusOK)
	md = u.get(t, me, "/register.md").expect(t, http.StatusOK)
	for _, body := range []string{p.body, md.body} {
		if !strings.Contains(body, "fg@testbureau.example") || !strings.Contains(body, "12345678") {
			t.Errorf("the register lacks the agency's details:\n%.600s", body)
		}
	}
	pdf := u.get(t, me, "/register.pdf").expect(t, http.StatusOK)
	if !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Fatalf("the PDF export is no PDF: %.40q", pdf.body)
	}
	needPDFText(t)
	file := filepath.Join(t.TempDir(), "register.pdf")
	if err := os.WriteFile(file, []byte(pdf.body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Register van verwerkingsactiviteiten", u.Tenant.Name, "fg@testbureau.example", "Burgerservicenummer", "Pagina 1 van"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
}
