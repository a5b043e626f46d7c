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

// TestTheDueListFiltersByStateAndDay: the list narrows to a candidate's
// state, looks ahead to a later day, and refuses a bad state or a day more
// than a year ahead — on the page and in the API.
func TestTheDueListFiltersByStateAndDay(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	old := &kluis.Candidate{BranchID: u.Branch.ID, LastName: "Oudejans", RegisteredOn: "2024-01-02", Status: "inactive"}
	soon := &kluis.Candidate{BranchID: u.Branch.ID, LastName: "Binnenkort", RegisteredOn: "2025-03-01"} // R1 ends 2027-03-01
	for _, c := range []*kluis.Candidate{old, soon} {
		if err := u.DB.CreateCandidate(ctx, u.Actor, c); err != nil {
			t.Fatal(err)
		}
	}
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	ps := u.session(t, officer.ID)
	for _, tc := range []struct {
		query     string
		old, soon bool
	}{
		{"", true, false},
		{"?status=inactive", true, false},
		{"?status=registered", false, false},
		{"?due_by=2027-03-01", true, true},
		{"?due_by=2027-03-01&status=registered", false, true},
	} {
		p := u.get(t, ps, "/cleanup"+tc.query).expect(t, http.StatusOK)
		if strings.Contains(p.body, "Oudejans") != tc.old || strings.Contains(p.body, "Binnenkort") != tc.soon {
			t.Errorf("%s: old %v, soon %v", tc.query, strings.Contains(p.body, "Oudejans"), strings.Contains(p.body, "Binnenkort"))
		}
	}
	for _, q := range []string{"?status=gone", "?due_by=2030-01-01", "?due_by=morgen"} {
		u.get(t, ps, "/cleanup"+q).expect(t, http.StatusUnprocessableEntity)
	}
	secret, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, officer.ID, "opschonen", 0)
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{"?due_by=2027-03-01": 200, "?status=gone": 400, "?due_by=2030-01-01": 400} {
		req, _ := http.NewRequest("GET", u.srv.URL+"/api/v1/retention/due"+q, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var due dueBody
		_ = json.NewDecoder(res.Body).Decode(&due)
		res.Body.Close()
		if res.StatusCode != want || (want == 200 && due.Total != 2) {
			t.Errorf("%s: %d, %+v", q, res.StatusCode, due)
		}
	}
}
