package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestTheAdministratorChangesWhoSeesWhat: the grid gives recruiters the
// full BSN and hides the e-mail address from them; the candidate page
// follows at once, and the change is in the log cell by cell.
func TestTheAdministratorChangesWhoSeesWhat(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Verhoeven")
	cl := u.MustCreateClient(t, "Kwekerij Oost")
	u.MustCreatePlacement(t, c.ID, cl.ID, "2026-11-02")
	c, _ = u.DB.Candidate(ctx, u.Actor, c.ID)
	c.BSN = "249566758"
	if err := u.DB.UpdateCandidate(ctx, u.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	recruiter := u.session(t, u.Actor.UserID)
	admin := u.session(t, u.user(t, "Arie", kluis.RoleAdmin).ID)
	u.get(t, recruiter, "/settings/permissions").expect(t, http.StatusForbidden)
	grid := u.get(t, admin, "/settings/permissions").expect(t, http.StatusOK)
	if !strings.Contains(grid.body, `name="candidates.bsn/recruiter"`) || strings.Contains(grid.body, "bsn_fingerprint/") {
		t.Fatalf("the grid lacks the BSN or shows a secret:\n%.2000s", grid.body)
	}
	form := url.Values{"version": {"0"}, "candidates.bsn/recruiter": {"read"}, "candidates.email/recruiter": {"hidden"}}
	// A crafted level is refused and nothing changes.
	bad := url.Values{"version": {"0"}, "candidates.bsn/recruiter": {"peek"}}
	u.post(t, admin, "/settings/permissions", bad).expect(t, http.StatusUnprocessableEntity)
	u.post(t, admin, "/settings/permissions", form).expect(t, http.StatusSeeOther)
	// Seeing the full BSN takes two-step log-in: the recruiter must set it
	// up before anything else.
	if to := u.get(t, recruiter, "/candidates/"+idText(c.ID)).expect(t, http.StatusSeeOther).location; to != "/settings/2fa" {
		t.Fatalf("the recruiter is sent to %q, not to set up two-step log-in", to)
	}
	mustSetUpTOTP(t, u.DB, u.Tenant.ID, u.Actor.UserID)
	page := u.get(t, recruiter, "/candidates/"+idText(c.ID)).expect(t, http.StatusOK).body
	if !strings.Contains(page, "249566758") || strings.Contains(page, "verhoeven@example.nl") {
		t.Fatalf("the recruiter's page does not follow the grid:\n%s", page)
	}
	// Saving the same grid again with the old version is refused.
	u.post(t, admin, "/settings/permissions", form).expect(t, http.StatusUnprocessableEntity)
	log, _, _ := u.DB.AuditLog(ctx, u.Actor, store.AuditFilter{Action: "settings", Page: kluis.Page{Limit: 10}})
	if len(log) != 1 || strings.Join(log[0].Fields, " ") != "field_access:candidates.bsn/recruiter field_access:candidates.email/recruiter" {
		t.Fatalf("the log: %+v", log)
	}
}

// TestASearchOnAFieldOneMayNotSeeIsRefused: once the agency hides the
// e-mail address and the city from recruiters, a recruiter cannot find a
// candidate by them — the answer would tell what they hold.
func TestASearchOnAFieldOneMayNotSeeIsRefused(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Verhoeven")
	if err := u.DB.SaveFieldAccess(ctx, u.Actor, map[string]string{"candidates.email/recruiter": "hidden", "candidates.city/recruiter": "hidden"}, 0); err != nil {
		t.Fatal(err)
	}
	secret, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, u.Actor.UserID, "zoeken", 0)
	if err != nil {
		t.Fatal(err)
	}
	search := func(body string) (int, string) {
		req, _ := http.NewRequest("POST", u.srv.URL+"/api/v1/candidates/search", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b := new(strings.Builder)
		_, _ = io.Copy(b, res.Body)
		return res.StatusCode, b.String()
	}
	if code, body := search(`{"query": "` + c.Email + `"}`); code != http.StatusBadRequest || !strings.Contains(body, `"query"`) {
		t.Errorf("search by a hidden e-mail address: %d %s", code, body)
	}
	if code, body := search(`{"city": "Utr"}`); code != http.StatusBadRequest || !strings.Contains(body, `"city"`) {
		t.Errorf("search by a hidden city: %d %s", code, body)
	}
	if code, body := search(`{"query": "Verh"}`); code != http.StatusOK || !strings.Contains(body, "Verhoeven") {
		t.Errorf("search by the last name, which the recruiter sees: %d %s", code, body)
	}
	me := u.session(t, u.Actor.UserID)
	page := u.post(t, me, "/candidates/search", url.Values{"city": {"Utr"}}).expect(t, http.StatusOK)
	if strings.Contains(page.body, "Verhoeven") || !strings.Contains(page.body, `id="e-city"`) {
		t.Errorf("the search page found by a hidden city:\n%s", page.body)
	}
}
