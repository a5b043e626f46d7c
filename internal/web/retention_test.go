package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestTheAVGTabAndTheAPISayWhatWillBeRemovedWhen: a candidate registered
// today who never worked loses their registration data in two years (R1);
// the AVG tab and the API say so.
func TestTheAVGTabAndTheAPISayWhatWillBeRemovedWhen(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Verhoeven")
	me := u.session(t, u.Actor.UserID)
	page := u.get(t, me, "/candidates/"+idText(c.ID)+"/privacy").expect(t, http.StatusOK)
	if !page.has("nl", "retention.title") || !strings.Contains(page.body, "29-11-2028") || !strings.Contains(page.body, "R1: nooit gewerkt") {
		t.Fatalf("the AVG tab lacks the plan:\n%s", page.body)
	}
	secret, _, err := u.DB.CreateToken(context.Background(), u.Tenant.ID, u.Actor.UserID, "plan", 0)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", u.srv.URL+"/api/v1/candidates/"+idText(c.ID)+"/retention", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Accept-Language", "en")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var plan retentionBody
	if err := json.NewDecoder(res.Body).Decode(&plan); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %v", res.StatusCode, err)
	}
	found := false
	for _, it := range plan.Items {
		if it.Category == "contact" && it.Rule == "R1" && it.Expires == "2028-11-29" && strings.HasPrefix(it.Why, "R1: never worked") {
			found = true
		}
		if it.Category == "bsn" || it.Category == "payroll" {
			t.Errorf("a payroll term for someone who never worked: %+v", it)
		}
	}
	if !found {
		t.Fatalf("plan %+v", plan)
	}
}
