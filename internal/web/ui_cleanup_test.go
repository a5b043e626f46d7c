package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// TestThePrivacyOfficerSeesWhatIsDue: a candidate who never worked and was
// last in touch in January 2024 is due under R1; one registered today is
// not; the list is the privacy officer's, in the page and in the API.
func TestThePrivacyOfficerSeesWhatIsDue(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	old := &kluis.Candidate{BranchID: u.Branch.ID, FirstName: "Olga", LastName: "Oudejans", RegisteredOn: "2024-01-02"}
	if err := u.DB.CreateCandidate(ctx, u.Actor, old); err != nil {
		t.Fatal(err)
	}
	u.MustCreateCandidate(t, "Nieuwenhuis")
	recruiter := u.session(t, u.Actor.UserID)
	u.get(t, recruiter, "/cleanup").expect(t, http.StatusForbidden)
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	ps := u.session(t, officer.ID)
	page := u.get(t, ps, "/cleanup").expect(t, http.StatusOK)
	if !strings.Contains(page.body, "Oudejans") || strings.Contains(page.body, "Nieuwenhuis") || !strings.Contains(page.body, "02-01-2026") ||
		!strings.Contains(page.body, `href="/cleanup"`) {
		t.Fatalf("the clean-up list:\n%s", page.body)
	}
	u.get(t, ps, "/cleanup?branch_id=12345").expect(t, http.StatusUnprocessableEntity)

	secret, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, officer.ID, "opschonen", 0)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", u.srv.URL+"/api/v1/retention/due", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var due dueBody
	if err := json.NewDecoder(res.Body).Decode(&due); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %v", res.StatusCode, err)
	}
	if due.Total != 1 || due.Examined != 2 || len(due.Items) != 1 || due.Items[0].ID != old.ID || due.Items[0].Since != "2026-01-02" {
		t.Fatalf("due %+v", due)
	}
}
