package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/report"
	"kluis/internal/store"
)

// TestThePrivacyOfficerProducesTheRecordCard: the stamkaart holds the
// candidate's data, history, placements and payroll, and the art. 15(1)
// information; only the privacy officer makes it, and making it is logged.
func TestThePrivacyOfficerProducesTheRecordCard(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Verhoeven")
	cl := u.MustCreateClient(t, "Kwekerij Oost")
	p := u.MustCreatePlacement(t, c.ID, cl.ID, "2026-11-02")
	c, _ = u.DB.Candidate(ctx, u.Actor, c.ID)
	c.BSN = "249566758"
	if err := u.DB.UpdateCandidate(ctx, u.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	if err := u.DB.CreateContactMoment(ctx, u.Actor, &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: "Belde over <b>ploegendienst</b> & rooster."}); err != nil {
		t.Fatal(err)
	}
	pa := kluis.Actor{TenantID: u.Tenant.ID, UserID: u.user(t, "Pien", kluis.RolePayroll).ID, Role: kluis.RolePayroll}
	if err := u.DB.CreatePayrollRecord(ctx, pa, &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: p.ID, Year: 2026, Period: 11, GrossCents: 245000, NetCents: 187512}); err != nil {
		t.Fatal(err)
	}
	if err := u.DB.CreateConsent(ctx, u.Actor, &kluis.Consent{CandidateID: c.ID, Channel: "email", Wording: "Bewaren tot eind 2027 voor nieuwe vacatures",
		ValidUntil: "2027-12-31"}); err != nil {
		t.Fatal(err)
	}
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	if err := u.DB.CreateRequest(ctx, kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy},
		&kluis.Request{CandidateID: c.ID, Kind: "access", ReceivedOn: "2026-11-27", Channel: "email", Description: "Wil weten wat er bewaard wordt"}); err != nil {
		t.Fatal(err)
	}
	recruiter := u.session(t, u.Actor.UserID)
	page := "/candidates/" + idText(c.ID)
	u.get(t, recruiter, page+"/stamkaart.pdf").expect(t, http.StatusForbidden)
	if body := u.get(t, recruiter, page).expect(t, http.StatusOK).body; strings.Contains(body, "stamkaart.pdf") {
		t.Error("the recruiter is offered the record card")
	}
	ps := u.session(t, officer.ID)
	js := u.get(t, ps, page+"/stamkaart.json").expect(t, http.StatusOK)
	var rc report.RecordCard
	if err := json.Unmarshal([]byte(js.body), &rc); err != nil {
		t.Fatal(err)
	}
	if rc.Candidate.BSN != "249566758" || len(rc.Moments) != 2 || len(rc.Placements) != 1 || rc.Placements[0].ClientName != "Kwekerij Oost" ||
		len(rc.Payroll) != 1 || len(rc.Retention) == 0 || len(rc.Consents) != 1 ||
		len(rc.Requests) != 1 || rc.Requests[0].DueOn != "2026-12-27" {
		t.Fatalf("the JSON record card: %s", js.body)
	}
	// The API answers the same card as compact JSON, as all its answers
	// are; the download is indented for people.
	st, api := u.apiCall(t, u.token(t, officer.ID, "candidates:read"), "GET", "/api/v1/candidates/"+idText(c.ID)+"/record-card", "", nil)
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(js.body)); err != nil {
		t.Fatal(err)
	}
	if st != http.StatusOK || strings.Contains(api, "\n  ") || strings.TrimSpace(api) != compact.String() {
		t.Fatalf("the API's record card (%d) is not the download's, compact:\n%s\n%s", st, api, compact.String())
	}
	pdf := u.get(t, ps, page+"/stamkaart.pdf").expect(t, http.StatusOK)
	u.web.access.Flush()
	log, _, _ := u.DB.AuditLog(ctx, u.Actor, store.AuditFilter{CandidateID: c.ID, Action: "download", Page: kluis.Page{Limit: 10}})
	if len(log) != 3 || log[0].UserID != officer.ID {
		t.Fatalf("making the record card is not logged: %+v", log)
	}
	needPDFText(t)
	file := filepath.Join(t.TempDir(), "stamkaart.pdf")
	if err := os.WriteFile(file, []byte(pdf.body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"Stamkaart — Sanne Verhoeven", "249566758", "Belde over <b>ploegendienst</b> & rooster.", "Kwekerij Oost",
		"€ 2.450,00", "€ 1.875,12", "Bewaren tot eind 2027 voor nieuwe vacatures", "Autoriteit Persoonsgegevens", "Geautomatiseerde besluiten", "Pagina 1 van",
		"Uw verzoeken", "27-12-2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
}
